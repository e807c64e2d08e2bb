//! Records produced by source tasks.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::connector::{impl_connect_record_fields, ConnectRecord};
use crate::data::{Schema, Value};
use crate::header::Headers;

/// Identifies where in the source system a record comes from, e.g. `{"filename": "/tmp/in.txt"}`.
/// Offsets are committed per source partition.
pub type SourcePartition = BTreeMap<String, Value>;

/// A position within a source partition, e.g. `{"position": 1201}`. The runtime stores the
/// offset of the last acknowledged record of each partition and hands it back on restart.
pub type SourceOffset = BTreeMap<String, Value>;

/// A record read by a source task, to be written to Kafka (Java's `SourceRecord`).
///
/// The source partition is shared (`Arc`) so that the records of one batch from the same
/// partition need not each own a copy.
///
/// ```
/// use std::sync::Arc;
/// use connect_api::data::{Value, STRING_SCHEMA};
/// use connect_api::source::{SourceOffset, SourcePartition, SourceRecord};
///
/// let partition = Arc::new(SourcePartition::from([("filename".into(), Value::from("in.txt"))]));
/// let offset = SourceOffset::from([("position".into(), Value::Int64(42))]);
/// let record = SourceRecord::new(partition, offset, "lines", Some(STRING_SCHEMA.clone()), "hello")
///     .with_timestamp(1_700_000_000_000);
/// assert_eq!(record.topic, "lines");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRecord {
    /// Where the record comes from.
    pub source_partition: Arc<SourcePartition>,
    /// Its position there.
    pub source_offset: SourceOffset,
    /// The topic to write to.
    pub topic: String,
    /// The Kafka partition to write to; `None` lets the producer's partitioner choose.
    pub kafka_partition: Option<i32>,
    /// The key's schema.
    pub key_schema: Option<Schema>,
    /// The key (`Null` for none).
    pub key: Value,
    /// The value's schema.
    pub value_schema: Option<Schema>,
    /// The value (`Null` for a tombstone).
    pub value: Value,
    /// The timestamp in milliseconds since the epoch; `None` lets the producer set it.
    pub timestamp: Option<i64>,
    /// The headers.
    pub headers: Headers,
}

impl SourceRecord {
    /// A record with a value and no key, partition, timestamp or headers.
    pub fn new(
        source_partition: Arc<SourcePartition>,
        source_offset: SourceOffset,
        topic: impl Into<String>,
        value_schema: Option<Schema>,
        value: impl Into<Value>,
    ) -> SourceRecord {
        SourceRecord {
            source_partition,
            source_offset,
            topic: topic.into(),
            kafka_partition: None,
            key_schema: None,
            key: Value::Null,
            value_schema,
            value: value.into(),
            timestamp: None,
            headers: Headers::new(),
        }
    }

    /// Sets the key and its schema.
    pub fn with_key(mut self, schema: Option<Schema>, key: impl Into<Value>) -> Self {
        self.key_schema = schema;
        self.key = key.into();
        self
    }

    /// Sets the Kafka partition.
    pub fn with_partition(mut self, partition: i32) -> Self {
        self.kafka_partition = Some(partition);
        self
    }

    /// Sets the timestamp.
    pub fn with_timestamp(mut self, timestamp: i64) -> Self {
        self.timestamp = Some(timestamp);
        self
    }

    /// Sets the headers.
    pub fn with_headers(mut self, headers: Headers) -> Self {
        self.headers = headers;
        self
    }
}

impl ConnectRecord for SourceRecord {
    impl_connect_record_fields!();

    fn kafka_partition(&self) -> Option<i32> {
        self.kafka_partition
    }

    fn set_kafka_partition(&mut self, partition: Option<i32>) {
        self.kafka_partition = partition;
    }

    fn java_class_name(&self) -> &'static str {
        "org.apache.kafka.connect.source.SourceRecord"
    }
}

/// Java's `SourceRecord.toString()`.
impl std::fmt::Display for SourceRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SourceRecord{{sourcePartition={}, sourceOffset={}}} ConnectRecord{{topic='{}', kafkaPartition={}, key={}, keySchema={}, value={}, valueSchema={}, timestamp={}, headers=ConnectHeaders(headers={})}}",
            crate::sink::display_map(&self.source_partition),
            crate::sink::display_map(&self.source_offset),
            self.topic,
            self.kafka_partition.map_or("null".to_owned(), |p| p.to_string()),
            self.key,
            self.key_schema.as_ref().map_or("null".to_owned(), |s| s.to_string()),
            self.value,
            self.value_schema.as_ref().map_or("null".to_owned(), |s| s.to_string()),
            self.timestamp.map_or("null".to_owned(), |t| t.to_string()),
            crate::sink::display_headers(&self.headers),
        )
    }
}
