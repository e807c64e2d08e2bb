//! Apache's `org.apache.kafka.connect.transforms.util.Requirements`: the checks every field
//! transform makes on its input, with the exact `DataException` messages.

use connect_api::connector::ConnectRecord;
use connect_api::data::{Schema, Struct, Value};
use connect_api::errors::{ConnectError, Result};

/// `Schema required for [<purpose>]`.
pub(crate) fn require_schema<'a>(schema: Option<&'a Schema>, purpose: &str) -> Result<&'a Schema> {
    schema.ok_or_else(|| ConnectError::data(format!("Schema required for [{purpose}]")))
}

/// The entries of a schemaless (map) value, or
/// `Only Map objects supported in absence of schema for [<purpose>], found: <class>`.
pub(crate) fn require_map<'a>(value: &'a Value, purpose: &str) -> Result<&'a [(Value, Value)]> {
    match value {
        Value::Map(entries) => Ok(entries),
        other => Err(not_a_map(other, purpose)),
    }
}

fn not_a_map(other: &Value, purpose: &str) -> ConnectError {
    ConnectError::data(format!(
        "Only Map objects supported in absence of schema for [{purpose}], found: {}",
        other.java_class_name()
    ))
}

/// As [`require_map`], but `null` passes as `None`.
pub(crate) fn require_map_or_null<'a>(
    value: &'a Value,
    purpose: &str,
) -> Result<Option<&'a [(Value, Value)]>> {
    if value.is_null() {
        return Ok(None);
    }
    require_map(value, purpose).map(Some)
}

/// The struct of a value with a schema, or
/// `Only Struct objects supported for [<purpose>], found: <class>`.
pub(crate) fn require_struct<'a>(value: &'a Value, purpose: &str) -> Result<&'a Struct> {
    match value {
        Value::Struct(s) => Ok(s),
        other => Err(not_a_struct(other, purpose)),
    }
}

fn not_a_struct(other: &Value, purpose: &str) -> ConnectError {
    ConnectError::data(format!(
        "Only Struct objects supported for [{purpose}], found: {}",
        other.java_class_name()
    ))
}

/// As [`require_struct`], but `null` passes as `None`.
pub(crate) fn require_struct_or_null<'a>(
    value: &'a Value,
    purpose: &str,
) -> Result<Option<&'a Struct>> {
    if value.is_null() {
        return Ok(None);
    }
    require_struct(value, purpose).map(Some)
}

/// The Kafka offset of a sink record, or
/// `Only SinkRecord supported for [<purpose>], found: <class>`.
pub(crate) fn require_sink_record<R: ConnectRecord>(record: &R, purpose: &str) -> Result<i64> {
    record.kafka_offset().ok_or_else(|| {
        ConnectError::data(format!(
            "Only SinkRecord supported for [{purpose}], found: {}",
            record.java_class_name()
        ))
    })
}

/// Looks up a string key in schemaless map entries (Java's `Map.get`).
pub(crate) fn map_get<'a>(entries: &'a [(Value, Value)], key: &str) -> Option<&'a Value> {
    entries
        .iter()
        .find(|(k, _)| k.as_str() == Some(key))
        .map(|(_, v)| v)
}

/// Java's `Map.put` on a copied map: replaces the value of an existing key in place, or
/// appends a new entry.
pub(crate) fn map_put(entries: &mut Vec<(Value, Value)>, key: &str, value: Value) {
    match entries.iter_mut().find(|(k, _)| k.as_str() == Some(key)) {
        Some((_, slot)) => *slot = value,
        None => entries.push((Value::String(key.to_owned()), value)),
    }
}

/// The value of a struct field with or without default substitution, per
/// `replace.null.with.default` (Java's `getFieldValue` in each transform).
pub(crate) fn field_value<'a>(
    value: &'a Struct,
    field: &'a connect_api::data::Field,
    replace_null_with_default: bool,
) -> &'a Value {
    if replace_null_with_default {
        value.get_field(field)
    } else {
        &value.values()[field.index()]
    }
}

/// As [`field_value`], but moves the value out of the struct (leaving the field unset) instead
/// of borrowing it; a substituted default is cloned.
pub(crate) fn take_field_value(
    value: &mut Struct,
    field: &connect_api::data::Field,
    replace_null_with_default: bool,
) -> Result<Value> {
    let v = value.take_field(field)?;
    match (v, field.schema().default_value()) {
        (Value::Null, Some(d)) if replace_null_with_default => Ok(d.clone()),
        (v, _) => Ok(v),
    }
}

/// The owned entries of a schemaless map value, or [`require_map`]'s error.
pub(crate) fn into_map(value: Value, purpose: &str) -> Result<Vec<(Value, Value)>> {
    match value {
        Value::Map(entries) => Ok(entries),
        other => Err(not_a_map(&other, purpose)),
    }
}

/// The owned struct of a value with a schema, or [`require_struct`]'s error.
pub(crate) fn into_struct(value: Value, purpose: &str) -> Result<Struct> {
    match value {
        Value::Struct(s) => Ok(s),
        other => Err(not_a_struct(&other, purpose)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_match_apache() {
        assert_eq!(
            require_map(&Value::Int32(1), "x").unwrap_err().to_string(),
            "Only Map objects supported in absence of schema for [x], found: java.lang.Integer"
        );
        assert_eq!(
            require_struct(&Value::Null, "y").unwrap_err().to_string(),
            "Only Struct objects supported for [y], found: null"
        );
        assert_eq!(
            require_schema(None, "z").unwrap_err().to_string(),
            "Schema required for [z]"
        );
        assert!(require_map_or_null(&Value::Null, "x").unwrap().is_none());
        assert!(require_struct_or_null(&Value::Null, "x").unwrap().is_none());
    }

    #[test]
    fn map_put_replaces_in_place() {
        let mut m = vec![("a".into(), 1.into()), ("b".into(), 2.into())];
        map_put(&mut m, "a", 3.into());
        map_put(&mut m, "c", 4.into());
        assert_eq!(map_get(&m, "a"), Some(&Value::Int32(3)));
        assert_eq!(m.len(), 3);
    }
}
