//! `TimestampRouter`: rewrites the topic from a format with `${topic}` and `${timestamp}`.
//!
//! Mirrors `org.apache.kafka.connect.transforms.TimestampRouter`.
//!
//! | key | type | default | |
//! |---|---|---|---|
//! | `topic.format` | STRING | `${topic}-${timestamp}` | the new topic |
//! | `timestamp.format` | STRING | `yyyyMMdd` | `SimpleDateFormat` pattern for the record timestamp, in UTC |
//!
//! Unlike Apache, an invalid `timestamp.format` is reported at configuration time (Apache fails
//! on the first record).

use std::collections::HashMap;

use connect_api::config::{ConfigDef, ConfigError, ConfigKey, ConfigType, Importance};
use connect_api::connector::ConnectRecord;
use connect_api::errors::{ConnectError, Result};
use connect_api::transforms::Transformation;

use crate::config::SimpleConfig;
use crate::simple_date_format::SimpleDateFormat;

/// The `topic.format` key.
pub const TOPIC_FORMAT: &str = "topic.format";
/// The `timestamp.format` key.
pub const TIMESTAMP_FORMAT: &str = "timestamp.format";

/// Routes records to a topic named after the original topic and the record timestamp
/// (Apache's `TimestampRouter`).
#[derive(Debug, Default)]
pub struct TimestampRouter {
    topic_format: String,
    timestamp_format: Option<SimpleDateFormat>,
}

/// The definition of TimestampRouter's configuration.
pub fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(TOPIC_FORMAT, ConfigType::String)
                .default_value("${topic}-${timestamp}")
                .importance(Importance::High)
                .doc("Format string which can contain <code>${topic}</code> and <code>${timestamp}</code> as placeholders for the topic and timestamp, respectively."),
        )
        .define(
            ConfigKey::new(TIMESTAMP_FORMAT, ConfigType::String)
                .default_value("yyyyMMdd")
                .importance(Importance::High)
                .doc("Format string for the timestamp that is compatible with <code>java.text.SimpleDateFormat</code>."),
        )
}

impl<R: ConnectRecord> Transformation<R> for TimestampRouter {
    fn configure(&mut self, configs: &HashMap<String, String>) -> Result<()> {
        let config = SimpleConfig::parse(&config_def(), configs)?;
        self.topic_format = config.string(TOPIC_FORMAT).unwrap_or_default().to_owned();
        let pattern = config.string(TIMESTAMP_FORMAT).unwrap_or_default();
        self.timestamp_format = Some(
            SimpleDateFormat::new(pattern)
                .map_err(|e| ConfigError::invalid(TIMESTAMP_FORMAT, Some(pattern), e))?,
        );
        Ok(())
    }

    fn apply(&mut self, mut record: R) -> Result<Option<R>> {
        let Some(timestamp) = record.timestamp() else {
            return Err(ConnectError::data(format!(
                "Timestamp missing on record: {}",
                record.to_java_string()
            )));
        };
        let formatted = self
            .timestamp_format
            .as_ref()
            .map(|f| f.format(timestamp))
            .unwrap_or_default();
        let topic = self
            .topic_format
            .replace("${topic}", record.topic())
            .replace("${timestamp}", &formatted);
        record.set_topic(topic);
        Ok(Some(record))
    }

    fn config(&self) -> ConfigDef {
        config_def()
    }
}

connect_api::transformation!(
    TimestampRouter,
    class = "org.apache.kafka.connect.transforms.TimestampRouter"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{props, source};
    use connect_api::data::Value;
    use connect_api::source::SourceRecord;

    #[test]
    fn default_configuration() {
        let mut x = TimestampRouter::default();
        Transformation::<SourceRecord>::configure(&mut x, &props(&[])).unwrap();
        let mut r = source(None, Value::Null, None, Value::Null).with_timestamp(1_483_425_001_864);
        r.topic = "test".into();
        assert_eq!(x.apply(r).unwrap().unwrap().topic, "test-20170103");
    }

    #[test]
    fn custom_formats_and_errors() {
        let mut x = TimestampRouter::default();
        Transformation::<SourceRecord>::configure(
            &mut x,
            &props(&[
                ("topic.format", "${timestamp}_${topic}_${topic}"),
                ("timestamp.format", "yyyy-MM"),
            ]),
        )
        .unwrap();
        let mut r = source(None, Value::Null, None, Value::Null).with_timestamp(1_483_425_001_864);
        r.topic = "t".into();
        assert_eq!(x.apply(r.clone()).unwrap().unwrap().topic, "2017-01_t_t");
        r.timestamp = None;
        let err = x.apply(r).unwrap_err();
        assert!(err.is_data());
        assert!(
            err.to_string()
                .starts_with("Timestamp missing on record: SourceRecord{sourcePartition="),
            "{err}"
        );
        let err = Transformation::<SourceRecord>::configure(
            &mut x,
            &props(&[("timestamp.format", "qq")]),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid value qq for configuration timestamp.format: Illegal pattern character 'q'"
        );
    }
}
