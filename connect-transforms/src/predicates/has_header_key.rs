//! `HasHeaderKey`: true for records with at least one header with the configured key.

use std::collections::HashMap;

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance, NonEmptyString};
use connect_api::connector::ConnectRecord;
use connect_api::errors::Result;
use connect_api::transforms::Predicate;

use crate::config::SimpleConfig;

/// The `name` key.
pub const NAME_CONFIG: &str = "name";

/// True iff the record has a header named `name` (Apache's
/// `org.apache.kafka.connect.transforms.predicates.HasHeaderKey`).
///
/// | key | type | default | |
/// |---|---|---|---|
/// | `name` | STRING | required | the header key, non-empty, case-sensitive |
#[derive(Debug, Default, Clone)]
pub struct HasHeaderKey {
    name: String,
}

/// The definition of HasHeaderKey's configuration.
pub fn config_def() -> ConfigDef {
    ConfigDef::new().define(
        ConfigKey::new(NAME_CONFIG, ConfigType::String)
            .validator(NonEmptyString)
            .importance(Importance::Medium)
            .doc("The header name."),
    )
}

impl<R: ConnectRecord> Predicate<R> for HasHeaderKey {
    fn configure(&mut self, configs: &HashMap<String, String>) -> Result<()> {
        let config = SimpleConfig::parse(&config_def(), configs)?;
        self.name = config.string(NAME_CONFIG).unwrap_or_default().to_owned();
        Ok(())
    }

    fn test(&self, record: &R) -> Result<bool> {
        Ok(record.headers().iter().any(|h| h.key == self.name))
    }

    fn config(&self) -> ConfigDef {
        config_def()
    }
}

connect_api::predicate!(
    HasHeaderKey,
    class = "org.apache.kafka.connect.transforms.predicates.HasHeaderKey"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{props, source};
    use connect_api::data::Value;
    use connect_api::source::SourceRecord;

    fn record(keys: &[&str]) -> SourceRecord {
        let mut r = source(None, Value::Null, None, Value::Null);
        for k in keys {
            r.headers.add_string(*k, Some("v"));
        }
        r
    }

    #[test]
    fn has_header_key_test() {
        let mut p = HasHeaderKey::default();
        Predicate::<SourceRecord>::configure(&mut p, &props(&[("name", "foo")])).unwrap();
        assert!(p.test(&record(&["foo"])).unwrap());
        assert!(p.test(&record(&["foo", "bar"])).unwrap());
        assert!(p.test(&record(&["bar", "foo", "bar", "foo"])).unwrap());
        assert!(!p.test(&record(&["bar"])).unwrap());
        assert!(!p.test(&record(&["bar", "bar"])).unwrap());
        assert!(!p.test(&record(&[])).unwrap());
        assert!(!p.test(&record(&["FOO"])).unwrap());
    }

    #[test]
    fn config_errors() {
        let mut p = HasHeaderKey::default();
        let err =
            Predicate::<SourceRecord>::configure(&mut p, &props(&[("name", "")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid value  for configuration name: String must be non-empty"
        );
        let err = Predicate::<SourceRecord>::configure(&mut p, &props(&[])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Missing required configuration \"name\" which has no default value."
        );
        let def = Predicate::<SourceRecord>::config(&p);
        assert!(def.contains("name"));
    }
}
