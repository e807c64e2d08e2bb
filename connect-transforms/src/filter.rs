//! `Filter`: drops every record it is applied to.
//!
//! Mirrors `org.apache.kafka.connect.transforms.Filter`. It has no configuration keys; use it
//! with a predicate (`transforms.<alias>.predicate`, optionally `.negate=true`), which the
//! worker's transformation chain evaluates, to drop only matching (or non-matching) records.

use std::collections::HashMap;

use connect_api::config::ConfigDef;
use connect_api::connector::ConnectRecord;
use connect_api::errors::Result;
use connect_api::transforms::Transformation;

/// Drops all records (Apache's `Filter`); meant to be used with a predicate.
#[derive(Debug, Default, Clone, Copy)]
pub struct Filter;

impl<R: ConnectRecord> Transformation<R> for Filter {
    fn configure(&mut self, _configs: &HashMap<String, String>) -> Result<()> {
        Ok(())
    }

    fn apply(&mut self, _record: R) -> Result<Option<R>> {
        Ok(None)
    }

    fn config(&self) -> ConfigDef {
        ConfigDef::new()
    }
}

connect_api::transformation!(Filter, class = "org.apache.kafka.connect.transforms.Filter");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{props, sink, source};
    use connect_api::data::Value;

    #[test]
    fn drops_everything() {
        let mut f = Filter;
        Transformation::<connect_api::source::SourceRecord>::configure(
            &mut f,
            &props(&[("x", "y")]),
        )
        .unwrap();
        assert!(f.apply(source(None, 1, None, 2)).unwrap().is_none());
        assert!(f
            .apply(sink(None, Value::Null, None, Value::Null))
            .unwrap()
            .is_none());
    }
}
