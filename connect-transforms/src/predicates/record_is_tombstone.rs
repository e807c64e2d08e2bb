//! `RecordIsTombstone`: true for records whose value is null.

use std::collections::HashMap;

use connect_api::config::ConfigDef;
use connect_api::connector::ConnectRecord;
use connect_api::errors::Result;
use connect_api::transforms::Predicate;

/// True iff the record value is null (Apache's
/// `org.apache.kafka.connect.transforms.predicates.RecordIsTombstone`). No configuration.
#[derive(Debug, Default, Clone, Copy)]
pub struct RecordIsTombstone;

impl<R: ConnectRecord> Predicate<R> for RecordIsTombstone {
    fn configure(&mut self, _configs: &HashMap<String, String>) -> Result<()> {
        Ok(())
    }

    fn test(&self, record: &R) -> Result<bool> {
        Ok(record.value().is_null())
    }

    fn config(&self) -> ConfigDef {
        ConfigDef::new()
    }
}

connect_api::predicate!(
    RecordIsTombstone,
    class = "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::source;
    use connect_api::data::{Value, STRING_SCHEMA};

    #[test]
    fn only_the_value_matters() {
        let p = RecordIsTombstone;
        assert!(p
            .test(&source(None, Value::Null, None, Value::Null))
            .unwrap());
        assert!(p
            .test(&source(
                Some(STRING_SCHEMA.clone()),
                "k",
                Some(STRING_SCHEMA.clone()),
                Value::Null
            ))
            .unwrap());
        assert!(!p.test(&source(None, Value::Null, None, "v")).unwrap());
    }
}
