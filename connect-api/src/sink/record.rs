//! Records delivered to sink tasks.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::connector::{impl_connect_record_fields, ConnectRecord};
use crate::data::{Schema, Value};
use crate::header::Headers;

/// What a record's timestamp means (Kafka's `TimestampType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TimestampType {
    /// The record has no timestamp.
    #[default]
    NoTimestampType,
    /// Set by the producer.
    CreateTime,
    /// Set by the broker when appending.
    LogAppendTime,
}

impl fmt::Display for TimestampType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimestampType::NoTimestampType => "NoTimestampType",
            TimestampType::CreateTime => "CreateTime",
            TimestampType::LogAppendTime => "LogAppendTime",
        })
    }
}

/// A record consumed from Kafka and delivered to a sink task (Java's `SinkRecord`).
#[derive(Debug, Clone, PartialEq)]
pub struct SinkRecord {
    /// The topic (after transformations). Shared: the records of one topic point at one
    /// name, so consuming a record allocates nothing for it.
    pub topic: Arc<str>,
    /// The partition (after transformations).
    pub kafka_partition: i32,
    /// The key's schema.
    pub key_schema: Option<Schema>,
    /// The key.
    pub key: Value,
    /// The value's schema.
    pub value_schema: Option<Schema>,
    /// The value.
    pub value: Value,
    /// The offset in the consumed partition.
    pub kafka_offset: i64,
    /// The timestamp in milliseconds since the epoch.
    pub timestamp: Option<i64>,
    /// What the timestamp means.
    pub timestamp_type: TimestampType,
    /// The headers.
    pub headers: Headers,
    /// The topic the record was consumed from, before any transformation renamed it.
    pub original_topic: Arc<str>,
    /// The partition the record was consumed from.
    pub original_kafka_partition: i32,
    /// The offset the record was consumed at.
    pub original_kafka_offset: i64,
}

impl SinkRecord {
    /// A record as consumed from `topic`/`partition` at `offset`. Pass an `Arc<str>` to share
    /// the topic's name with other records.
    pub fn new(
        topic: impl Into<Arc<str>>,
        partition: i32,
        key_schema: Option<Schema>,
        key: Value,
        value_schema: Option<Schema>,
        value: Value,
        offset: i64,
    ) -> SinkRecord {
        let topic = topic.into();
        SinkRecord {
            original_topic: topic.clone(),
            topic,
            kafka_partition: partition,
            key_schema,
            key,
            value_schema,
            value,
            kafka_offset: offset,
            timestamp: None,
            timestamp_type: TimestampType::NoTimestampType,
            headers: Headers::new(),
            original_kafka_partition: partition,
            original_kafka_offset: offset,
        }
    }

    /// Sets the timestamp and its type.
    pub fn with_timestamp(mut self, timestamp: i64, timestamp_type: TimestampType) -> Self {
        self.timestamp = Some(timestamp);
        self.timestamp_type = timestamp_type;
        self
    }

    /// Sets the headers.
    pub fn with_headers(mut self, headers: Headers) -> Self {
        self.headers = headers;
        self
    }
}

impl ConnectRecord for SinkRecord {
    impl_connect_record_fields!();

    fn kafka_partition(&self) -> Option<i32> {
        Some(self.kafka_partition)
    }

    fn set_kafka_partition(&mut self, partition: Option<i32>) {
        if let Some(p) = partition {
            self.kafka_partition = p;
        }
    }

    fn kafka_offset(&self) -> Option<i64> {
        Some(self.kafka_offset)
    }

    fn java_class_name(&self) -> &'static str {
        "org.apache.kafka.connect.sink.SinkRecord"
    }
}

pub(crate) fn display_map(map: &BTreeMap<String, Value>) -> String {
    let inner: Vec<String> = map.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{{{}}}", inner.join(", "))
}

/// The list inside Java's `ConnectHeaders(headers=...)`. Java's headers hold no list until the
/// first `add`, and print nothing for it; an emptied list (`[]`) is not distinguished here, so
/// no headers always print as nothing.
pub(crate) fn display_headers(headers: &Headers) -> String {
    if headers.iter().next().is_none() {
        return String::new();
    }
    let inner: Vec<String> = headers.iter().map(ToString::to_string).collect();
    format!("[{}]", inner.join(", "))
}

/// Java's `SinkRecord.toString()`.
impl fmt::Display for SinkRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SinkRecord{{kafkaOffset={}, timestampType={}, originalTopic={}, originalKafkaPartition={}, originalKafkaOffset={}}} ConnectRecord{{topic='{}', kafkaPartition={}, key={}, keySchema={}, value={}, valueSchema={}, timestamp={}, headers=ConnectHeaders(headers={})}}",
            self.kafka_offset,
            self.timestamp_type,
            self.original_topic,
            self.original_kafka_partition,
            self.original_kafka_offset,
            self.topic,
            self.kafka_partition,
            self.key,
            self.key_schema.as_ref().map_or("null".to_owned(), |s| s.to_string()),
            self.value,
            self.value_schema.as_ref().map_or("null".to_owned(), |s| s.to_string()),
            self.timestamp.map_or("null".to_owned(), |t| t.to_string()),
            display_headers(&self.headers),
        )
    }
}
