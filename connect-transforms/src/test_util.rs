//! Helpers for the unit tests: configs and records.

use std::collections::HashMap;
use std::sync::Arc;

use connect_api::data::{Schema, Value};
use connect_api::sink::SinkRecord;
use connect_api::source::{SourceOffset, SourcePartition, SourceRecord};

/// A config map from pairs.
pub(crate) fn props(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// A source record on topic `topic`, partition 0, with the given key and value.
pub(crate) fn source(
    key_schema: Option<Schema>,
    key: impl Into<Value>,
    value_schema: Option<Schema>,
    value: impl Into<Value>,
) -> SourceRecord {
    SourceRecord::new(
        Arc::new(SourcePartition::new()),
        SourceOffset::new(),
        "topic",
        value_schema,
        value,
    )
    .with_key(key_schema, key)
    .with_partition(0)
}

/// A sink record on topic `test`, partition 0, offset 0.
pub(crate) fn sink(
    key_schema: Option<Schema>,
    key: impl Into<Value>,
    value_schema: Option<Schema>,
    value: impl Into<Value>,
) -> SinkRecord {
    SinkRecord::new(
        "test",
        0,
        key_schema,
        key.into(),
        value_schema,
        value.into(),
        0,
    )
}

/// A schemaless map value with string keys.
pub(crate) fn map(entries: &[(&str, Value)]) -> Value {
    Value::Map(
        entries
            .iter()
            .map(|(k, v)| (Value::from(*k), v.clone()))
            .collect(),
    )
}
