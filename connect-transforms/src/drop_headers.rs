//! `DropHeaders`: removes headers by key.
//!
//! Mirrors `org.apache.kafka.connect.transforms.DropHeaders`.
//!
//! | key | type | default | |
//! |---|---|---|---|
//! | `headers` | LIST | required | non-empty; every header with one of these keys is removed |

use std::collections::{HashMap, HashSet};

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance, NonEmptyList};
use connect_api::connector::ConnectRecord;
use connect_api::errors::Result;
use connect_api::header::Headers;
use connect_api::transforms::Transformation;

use crate::config::SimpleConfig;

/// The `headers` key.
pub const HEADERS_FIELD: &str = "headers";

/// Removes the named headers (Apache's `DropHeaders`).
#[derive(Debug, Default)]
pub struct DropHeaders {
    headers: HashSet<String>,
}

/// The definition of DropHeaders's configuration.
pub fn config_def() -> ConfigDef {
    ConfigDef::new().define(
        ConfigKey::new(HEADERS_FIELD, ConfigType::List)
            .validator(NonEmptyList)
            .importance(Importance::High)
            .doc("The name of the headers to be removed."),
    )
}

impl<R: ConnectRecord> Transformation<R> for DropHeaders {
    fn configure(&mut self, configs: &HashMap<String, String>) -> Result<()> {
        let config = SimpleConfig::parse(&config_def(), configs)?;
        self.headers = config.list(HEADERS_FIELD).into_iter().collect();
        Ok(())
    }

    fn apply(&mut self, mut record: R) -> Result<Option<R>> {
        if record
            .headers()
            .iter()
            .any(|h| self.headers.contains(&h.key))
        {
            let kept: Headers = record
                .headers()
                .iter()
                .filter(|h| !self.headers.contains(&h.key))
                .cloned()
                .collect();
            *record.headers_mut() = kept;
        }
        Ok(Some(record))
    }

    fn config(&self) -> ConfigDef {
        config_def()
    }
}

connect_api::transformation!(
    DropHeaders,
    class = "org.apache.kafka.connect.transforms.DropHeaders"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{props, source};
    use connect_api::data::Value;
    use connect_api::source::SourceRecord;

    fn keys(r: &SourceRecord) -> Vec<String> {
        r.headers.iter().map(|h| h.key.clone()).collect()
    }

    fn run(headers: &[&str]) -> Vec<String> {
        let mut x = DropHeaders::default();
        Transformation::<SourceRecord>::configure(&mut x, &props(&[("headers", "to-drop")]))
            .unwrap();
        let mut r = source(None, Value::Null, None, Value::Null);
        for h in headers {
            r.headers.add_string(*h, Some("v"));
        }
        keys(&x.apply(r).unwrap().unwrap())
    }

    #[test]
    fn drop_headers_test() {
        assert_eq!(run(&["existing", "to-drop"]), ["existing"]);
        assert_eq!(run(&["existing", "to-drop", "to-drop"]), ["existing"]);
        assert_eq!(
            run(&["existing", "to-drop", "other"]),
            ["existing", "other"]
        );
        assert_eq!(run(&["existing"]), ["existing"]);
        let mut x = DropHeaders::default();
        let err = Transformation::<SourceRecord>::configure(&mut x, &props(&[("headers", "")]))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid value [] for configuration headers: Empty list"
        );
    }
}
