//! `TopicNameMatches`: true for records whose whole topic name matches a regular expression.

use std::collections::HashMap;

use connect_api::config::{
    CompositeValidator, ConfigDef, ConfigError, ConfigKey, ConfigType, Importance, NonEmptyString,
    RegexValidator,
};
use connect_api::connector::ConnectRecord;
use connect_api::errors::Result;
use connect_api::transforms::Predicate;

use crate::config::SimpleConfig;
use crate::java_regex::WholeMatch;

/// The `pattern` key.
pub const PATTERN_CONFIG: &str = "pattern";

/// True iff the topic matches `pattern` entirely (Apache's
/// `org.apache.kafka.connect.transforms.predicates.TopicNameMatches`).
///
/// | key | type | default | |
/// |---|---|---|---|
/// | `pattern` | STRING | required | non-empty regular expression (the `regex` crate's syntax) |
#[derive(Debug, Default, Clone)]
pub struct TopicNameMatches {
    pattern: Option<WholeMatch>,
}

/// The definition of TopicNameMatches's configuration.
pub fn config_def() -> ConfigDef {
    ConfigDef::new().define(
        ConfigKey::new(PATTERN_CONFIG, ConfigType::String)
            .validator(
                CompositeValidator::new()
                    .and(NonEmptyString)
                    .and(RegexValidator),
            )
            .importance(Importance::Medium)
            .doc("A Java regular expression for matching against the name of a record's topic."),
    )
}

impl<R: ConnectRecord> Predicate<R> for TopicNameMatches {
    fn configure(&mut self, configs: &HashMap<String, String>) -> Result<()> {
        let config = SimpleConfig::parse(&config_def(), configs)?;
        let pattern = config.string(PATTERN_CONFIG).unwrap_or_default();
        self.pattern = Some(WholeMatch::new(pattern).map_err(|e| {
            ConfigError::invalid(
                PATTERN_CONFIG,
                Some(pattern),
                format!("entry must be a Java-compatible regular expression: {e}"),
            )
        })?);
        Ok(())
    }

    fn test(&self, record: &R) -> Result<bool> {
        Ok(self
            .pattern
            .as_ref()
            .is_some_and(|p| p.matches(record.topic())))
    }

    fn config(&self) -> ConfigDef {
        config_def()
    }
}

connect_api::predicate!(
    TopicNameMatches,
    class = "org.apache.kafka.connect.transforms.predicates.TopicNameMatches"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{props, source};
    use connect_api::data::Value;
    use connect_api::source::SourceRecord;

    fn configured(pattern: &str) -> Result<TopicNameMatches> {
        let mut p = TopicNameMatches::default();
        Predicate::<SourceRecord>::configure(&mut p, &props(&[("pattern", pattern)]))?;
        Ok(p)
    }

    fn on(topic: &str) -> SourceRecord {
        let mut r = source(None, Value::Null, None, Value::Null);
        r.topic = topic.to_owned();
        r
    }

    #[test]
    fn pattern_required_and_valid() {
        // testPatternRequired, testPatternMayNotBeEmpty, testPatternIsValidRegex
        let mut p = TopicNameMatches::default();
        let err = Predicate::<SourceRecord>::configure(&mut p, &props(&[])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Missing required configuration \"pattern\" which has no default value."
        );
        assert_eq!(
            configured("").unwrap_err().to_string(),
            "Invalid value  for configuration pattern: String must be non-empty"
        );
        assert!(configured("[")
            .unwrap_err()
            .to_string()
            .starts_with("Invalid value [ for configuration pattern: Invalid regex:"));
        assert!(configured("*").is_err());
    }

    #[test]
    fn test_matches() {
        let p = configured("my-prefix-.*").unwrap();
        assert!(p.test(&on("my-prefix-")).unwrap());
        assert!(p.test(&on("my-prefix-foo")).unwrap());
        assert!(!p.test(&on("x-my-prefix-")).unwrap());
        assert!(!p.test(&on("x-my-prefix-foo")).unwrap());
        assert!(!p.test(&on("your-prefix-")).unwrap());
        assert!(!p.test(&on("your-prefix-foo")).unwrap());
        assert!(!p.test(&on("")).unwrap());
    }
}
