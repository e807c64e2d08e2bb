//! `RegexRouter`: renames the topic when it matches a regular expression.
//!
//! Mirrors `org.apache.kafka.connect.transforms.RegexRouter`.
//!
//! | key | type | default | |
//! |---|---|---|---|
//! | `regex` | STRING | required | must match the **whole** topic (Java's `matches()`) |
//! | `replacement` | STRING | required | Java replacement syntax: `$1`, `${name}`, `\$` |
//!
//! The regex syntax is the `regex` crate's (no look-around or back-references).

use std::collections::HashMap;

use connect_api::config::{
    ConfigDef, ConfigError, ConfigKey, ConfigType, Importance, RegexValidator,
};
use connect_api::connector::ConnectRecord;
use connect_api::errors::Result;
use connect_api::transforms::Transformation;

use crate::config::SimpleConfig;
use crate::java_regex::{expand_java_replacement, WholeMatch};

/// The `regex` key.
pub const REGEX_CONFIG: &str = "regex";
/// The `replacement` key.
pub const REPLACEMENT_CONFIG: &str = "replacement";

/// Reroutes records by rewriting their topic (Apache's `RegexRouter`).
#[derive(Debug, Default)]
pub struct RegexRouter {
    regex: Option<WholeMatch>,
    replacement: String,
}

/// The definition of RegexRouter's configuration.
pub fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(REGEX_CONFIG, ConfigType::String)
                .validator(RegexValidator)
                .importance(Importance::High)
                .doc("Regular expression to use for matching."),
        )
        .define(
            ConfigKey::new(REPLACEMENT_CONFIG, ConfigType::String)
                .importance(Importance::High)
                .doc("Replacement string."),
        )
}

impl<R: ConnectRecord> Transformation<R> for RegexRouter {
    fn configure(&mut self, configs: &HashMap<String, String>) -> Result<()> {
        let config = SimpleConfig::parse(&config_def(), configs)?;
        let pattern = config.string(REGEX_CONFIG).unwrap_or_default();
        self.regex = Some(WholeMatch::new(pattern).map_err(|e| {
            ConfigError::invalid(REGEX_CONFIG, Some(pattern), format!("Invalid regex: {e}"))
        })?);
        self.replacement = config
            .string(REPLACEMENT_CONFIG)
            .unwrap_or_default()
            .to_owned();
        Ok(())
    }

    fn apply(&mut self, mut record: R) -> Result<Option<R>> {
        let Some(regex) = &self.regex else {
            return Ok(Some(record));
        };
        if let Some(caps) = regex.captures(record.topic()) {
            let topic = expand_java_replacement(regex, &caps, &self.replacement)?;
            record.set_topic(topic);
        }
        Ok(Some(record))
    }

    fn config(&self) -> ConfigDef {
        config_def()
    }
}

connect_api::transformation!(
    RegexRouter,
    class = "org.apache.kafka.connect.transforms.RegexRouter"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{props, source};
    use connect_api::data::Value;
    use connect_api::source::SourceRecord;

    fn apply(regex: &str, replacement: &str, topic: &str) -> String {
        let mut x = RegexRouter::default();
        Transformation::<SourceRecord>::configure(
            &mut x,
            &props(&[("regex", regex), ("replacement", replacement)]),
        )
        .unwrap();
        let mut r = source(None, Value::Null, None, Value::Null);
        r.topic = topic.to_owned();
        x.apply(r).unwrap().unwrap().topic
    }

    #[test]
    fn regex_router_test_vectors() {
        assert_eq!(apply("foo", "bar", "foo"), "bar"); // staticReplacement
        assert_eq!(apply("foo", "bar", "orig"), "orig"); // doesntMatch
        assert_eq!(apply("(.*)", "$1", "orig"), "orig"); // identity
        assert_eq!(apply("(.*)", "prefix-$1", "orig"), "prefix-orig"); // addPrefix
        assert_eq!(apply("(.*)", "$1-suffix", "orig"), "orig-suffix"); // addSuffix
        assert_eq!(
            apply("(.*)-(\\d\\d\\d\\d\\d\\d\\d\\d)", "$1", "index-20160117"),
            "index"
        ); // slice
        assert_eq!(apply("foo", "bar", "xfoo"), "xfoo");
    }

    #[test]
    fn partition_and_the_rest_are_kept() {
        let mut x = RegexRouter::default();
        Transformation::<SourceRecord>::configure(
            &mut x,
            &props(&[("regex", "a"), ("replacement", "b")]),
        )
        .unwrap();
        let mut r = source(None, 1, None, 2).with_partition(3);
        r.topic = "a".into();
        let out = x.apply(r).unwrap().unwrap();
        assert_eq!(out.topic, "b");
        assert_eq!(out.kafka_partition, Some(3));
        assert_eq!(out.key, Value::Int32(1));
    }

    #[test]
    fn invalid_regex_is_a_config_error() {
        let mut x = RegexRouter::default();
        let err = Transformation::<SourceRecord>::configure(
            &mut x,
            &props(&[("regex", "("), ("replacement", "b")]),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("Invalid value ( for configuration regex: Invalid regex:"),
            "{err}"
        );
        let err = Transformation::<SourceRecord>::configure(&mut x, &props(&[("regex", "a")]))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Missing required configuration \"replacement\" which has no default value."
        );
    }
}
