//! The part of a record that source and sink records share (Java's `ConnectRecord`).

use std::fmt::Debug;

use crate::data::{Schema, Value};
use crate::header::Headers;

/// What transformations and predicates see of a record: topic, partition, key, value,
/// timestamp and headers, common to [`SourceRecord`](crate::source::SourceRecord) and
/// [`SinkRecord`](crate::sink::SinkRecord).
///
/// Transformations are written once, generic over `R: ConnectRecord`, and change records in
/// place through the setters; what is specific to one side (source partition and offset, Kafka
/// offset) is carried along untouched, as Java's `newRecord` does.
pub trait ConnectRecord: Clone + Debug + Send + Sync + 'static {
    /// The topic.
    fn topic(&self) -> &str;
    /// The Kafka partition, if one is set.
    fn kafka_partition(&self) -> Option<i32>;
    /// The key's schema.
    fn key_schema(&self) -> Option<&Schema>;
    /// The key.
    fn key(&self) -> &Value;
    /// The value's schema.
    fn value_schema(&self) -> Option<&Schema>;
    /// The value.
    fn value(&self) -> &Value;
    /// The timestamp in milliseconds since the epoch.
    fn timestamp(&self) -> Option<i64>;
    /// The headers.
    fn headers(&self) -> &Headers;
    /// The headers, to change them.
    fn headers_mut(&mut self) -> &mut Headers;
    /// Replaces the topic.
    fn set_topic(&mut self, topic: String);
    /// Replaces the Kafka partition. A sink record always has one: `None` keeps the current.
    fn set_kafka_partition(&mut self, partition: Option<i32>);
    /// Replaces the key and its schema.
    fn set_key(&mut self, schema: Option<Schema>, key: Value);
    /// Replaces the value and its schema.
    fn set_value(&mut self, schema: Option<Schema>, value: Value);
    /// Replaces the timestamp.
    fn set_timestamp(&mut self, timestamp: Option<i64>);
    /// Moves the key and its schema out, leaving a `Null` key without a schema.
    ///
    /// For transformations that rebuild the key: take it, build the new key from the owned
    /// parts (moving field values instead of cloning them), then [`set_key`](Self::set_key).
    /// The default implementation clones, for records defined outside this crate;
    /// [`SourceRecord`](crate::source::SourceRecord) and [`SinkRecord`](crate::sink::SinkRecord)
    /// move.
    fn take_key(&mut self) -> (Option<Schema>, Value) {
        let taken = (self.key_schema().cloned(), self.key().clone());
        self.set_key(None, Value::Null);
        taken
    }
    /// Moves the value and its schema out, leaving a `Null` value without a schema: the
    /// counterpart of [`take_key`](Self::take_key), to be followed by
    /// [`set_value`](Self::set_value).
    ///
    /// ```
    /// use connect_api::connector::ConnectRecord;
    /// use connect_api::data::{Value, STRING_SCHEMA};
    /// use connect_api::sink::SinkRecord;
    ///
    /// let mut record =
    ///     SinkRecord::new("t", 0, None, Value::Null, Some(STRING_SCHEMA.clone()), "a".into(), 0);
    /// let (schema, value) = record.take_value();
    /// assert!(record.value().is_null());
    /// let upper = value.as_str().unwrap_or_default().to_uppercase();
    /// record.set_value(schema, Value::String(upper));
    /// assert_eq!(record.value().as_str(), Some("A"));
    /// ```
    fn take_value(&mut self) -> (Option<Schema>, Value) {
        let taken = (self.value_schema().cloned(), self.value().clone());
        self.set_value(None, Value::Null);
        taken
    }
    /// The offset of the record in its Kafka partition: only sink records have one.
    fn kafka_offset(&self) -> Option<i64> {
        None
    }
    /// Java's `toString()` of the record, for error messages that embed it (TimestampRouter's
    /// `Timestamp missing on record: <record>`).
    ///
    /// The default prints what Java's abstract `ConnectRecord.toString()` does
    /// (`ConnectRecord{topic='t', kafkaPartition=0, key=..., ...}`);
    /// [`SourceRecord`](crate::source::SourceRecord) and [`SinkRecord`](crate::sink::SinkRecord)
    /// return their `Display`, which prefixes their own fields as their Java classes do.
    fn to_java_string(&self) -> String {
        connect_record_string(self)
    }
    /// The Java class of the record, for messages such as
    /// `Only SinkRecord supported for [...], found: <class>`.
    fn java_class_name(&self) -> &'static str;
}

/// Java's `ConnectRecord.toString()`: the part every record prints, after its own prefix.
pub(crate) fn connect_record_string<R: ConnectRecord>(r: &R) -> String {
    let opt = |s: Option<String>| s.unwrap_or_else(|| "null".to_owned());
    format!(
        "ConnectRecord{{topic='{}', kafkaPartition={}, key={}, keySchema={}, value={}, valueSchema={}, timestamp={}, headers=ConnectHeaders(headers={})}}",
        r.topic(),
        opt(r.kafka_partition().map(|p| p.to_string())),
        r.key(),
        opt(r.key_schema().map(ToString::to_string)),
        r.value(),
        opt(r.value_schema().map(ToString::to_string)),
        opt(r.timestamp().map(|t| t.to_string())),
        crate::sink::display_headers(r.headers()),
    )
}

/// Implements the accessors of [`ConnectRecord`] over the common public fields.
macro_rules! impl_connect_record_fields {
    () => {
        fn topic(&self) -> &str {
            &self.topic
        }
        fn key_schema(&self) -> Option<&$crate::data::Schema> {
            self.key_schema.as_ref()
        }
        fn key(&self) -> &$crate::data::Value {
            &self.key
        }
        fn value_schema(&self) -> Option<&$crate::data::Schema> {
            self.value_schema.as_ref()
        }
        fn value(&self) -> &$crate::data::Value {
            &self.value
        }
        fn timestamp(&self) -> Option<i64> {
            self.timestamp
        }
        fn headers(&self) -> &$crate::header::Headers {
            &self.headers
        }
        fn headers_mut(&mut self) -> &mut $crate::header::Headers {
            &mut self.headers
        }
        fn set_topic(&mut self, topic: String) {
            self.topic = topic.into();
        }
        fn set_key(&mut self, schema: Option<$crate::data::Schema>, key: $crate::data::Value) {
            self.key_schema = schema;
            self.key = key;
        }
        fn set_value(&mut self, schema: Option<$crate::data::Schema>, value: $crate::data::Value) {
            self.value_schema = schema;
            self.value = value;
        }
        fn set_timestamp(&mut self, timestamp: Option<i64>) {
            self.timestamp = timestamp;
        }
        fn to_java_string(&self) -> String {
            self.to_string()
        }
        fn take_key(&mut self) -> (Option<$crate::data::Schema>, $crate::data::Value) {
            (
                self.key_schema.take(),
                std::mem::replace(&mut self.key, $crate::data::Value::Null),
            )
        }
        fn take_value(&mut self) -> (Option<$crate::data::Schema>, $crate::data::Value) {
            (
                self.value_schema.take(),
                std::mem::replace(&mut self.value, $crate::data::Value::Null),
            )
        }
    };
}
pub(crate) use impl_connect_record_fields;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{INT32_SCHEMA, STRING_SCHEMA};
    use crate::sink::SinkRecord;
    use crate::source::SourceRecord;

    /// A record outside the macro, to exercise the cloning defaults.
    #[derive(Debug, Clone)]
    struct Plain(SinkRecord);

    impl ConnectRecord for Plain {
        fn topic(&self) -> &str {
            self.0.topic()
        }
        fn kafka_partition(&self) -> Option<i32> {
            self.0.kafka_partition()
        }
        fn key_schema(&self) -> Option<&Schema> {
            self.0.key_schema()
        }
        fn key(&self) -> &Value {
            self.0.key()
        }
        fn value_schema(&self) -> Option<&Schema> {
            self.0.value_schema()
        }
        fn value(&self) -> &Value {
            self.0.value()
        }
        fn timestamp(&self) -> Option<i64> {
            self.0.timestamp()
        }
        fn headers(&self) -> &Headers {
            self.0.headers()
        }
        fn headers_mut(&mut self) -> &mut Headers {
            self.0.headers_mut()
        }
        fn set_topic(&mut self, topic: String) {
            self.0.set_topic(topic)
        }
        fn set_kafka_partition(&mut self, partition: Option<i32>) {
            self.0.set_kafka_partition(partition)
        }
        fn set_key(&mut self, schema: Option<Schema>, key: Value) {
            self.0.set_key(schema, key)
        }
        fn set_value(&mut self, schema: Option<Schema>, value: Value) {
            self.0.set_value(schema, value)
        }
        fn set_timestamp(&mut self, timestamp: Option<i64>) {
            self.0.set_timestamp(timestamp)
        }
        fn java_class_name(&self) -> &'static str {
            "Plain"
        }
    }

    fn check_take<R: ConnectRecord>(mut r: R) {
        assert_eq!(r.take_key(), (Some(INT32_SCHEMA.clone()), Value::Int32(7)));
        assert_eq!(r.key_schema(), None);
        assert!(r.key().is_null());
        assert_eq!(
            r.take_value(),
            (Some(STRING_SCHEMA.clone()), Value::String("v".into()))
        );
        assert_eq!(r.value_schema(), None);
        assert!(r.value().is_null());
        assert_eq!(r.take_value(), (None, Value::Null));
        assert_eq!(r.topic(), "t");
    }

    #[test]
    fn java_strings() {
        let sink = SinkRecord::new("t", 1, None, Value::Null, None, Value::Int32(5), 3);
        assert_eq!(sink.to_java_string(), sink.to_string());
        assert!(sink
            .to_java_string()
            .starts_with("SinkRecord{kafkaOffset=3,"));
        assert_eq!(
            Plain(sink).to_java_string(),
            "ConnectRecord{topic='t', kafkaPartition=1, key=null, keySchema=null, value=5, valueSchema=null, timestamp=null, headers=ConnectHeaders(headers=)}"
        );
        let source = SourceRecord::new(
            std::sync::Arc::default(),
            Default::default(),
            "t",
            None,
            Value::Null,
        );
        assert_eq!(source.to_java_string(), source.to_string());
    }

    #[test]
    fn take_key_and_value_leave_null() {
        let sink = SinkRecord::new(
            "t",
            0,
            Some(INT32_SCHEMA.clone()),
            Value::Int32(7),
            Some(STRING_SCHEMA.clone()),
            "v".into(),
            3,
        );
        check_take(sink.clone());
        check_take(Plain(sink));
        let source = SourceRecord::new(
            std::sync::Arc::default(),
            Default::default(),
            "t",
            Some(STRING_SCHEMA.clone()),
            "v",
        )
        .with_key(Some(INT32_SCHEMA.clone()), 7);
        check_take(source);
    }
}
