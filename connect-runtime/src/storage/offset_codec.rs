//! The serialized form of source offsets, as Apache's `OffsetStorageWriter` writes them with
//! an internal schemaless JsonConverter: key `["<connector>",{<partition>}]`, value
//! `{<offset>}`, both compact JSON.

use connect_api::data::Value;
use connect_api::errors::{ConnectError, Result};
use connect_api::source::{SourceOffset, SourcePartition};
use serde_json::{Map, Number, Value as Json};

/// Serializes the storage key of a connector's source partition.
pub fn offset_key(connector: &str, partition: &SourcePartition) -> Result<Vec<u8>> {
    let key = Json::Array(vec![
        Json::String(connector.to_owned()),
        Json::Object(map_to_json(partition)?),
    ]);
    serde_json::to_vec(&key)
        .map_err(|e| ConnectError::data_with("could not serialize offset key", e))
}

/// Serializes an offset.
pub fn offset_value(offset: &SourceOffset) -> Result<Vec<u8>> {
    serde_json::to_vec(&Json::Object(map_to_json(offset)?))
        .map_err(|e| ConnectError::data_with("could not serialize offset", e))
}

/// Parses a storage key into the connector name and the source partition; `None` for keys
/// that are not `[string, object]` (Apache ignores those with a warning).
pub fn parse_offset_key(bytes: &[u8]) -> Option<(String, SourcePartition)> {
    let json: Json = serde_json::from_slice(bytes).ok()?;
    let Json::Array(items) = json else {
        return None;
    };
    match items.as_slice() {
        [Json::String(name), Json::Object(partition)] => {
            Some((name.clone(), json_to_map(partition)))
        }
        _ => None,
    }
}

/// Parses a stored offset.
pub fn parse_offset_value(bytes: &[u8]) -> Result<SourceOffset> {
    match serde_json::from_slice::<Json>(bytes) {
        Ok(Json::Object(map)) => Ok(json_to_map(&map)),
        Ok(other) => Err(ConnectError::data(format!(
            "offset is not a JSON object: {other}"
        ))),
        Err(e) => Err(ConnectError::data_with("offset is not valid JSON", e)),
    }
}

/// Offsets and partitions hold only primitive values (Apache's `OffsetUtils.validateFormat`).
pub fn map_to_json(map: &std::collections::BTreeMap<String, Value>) -> Result<Map<String, Json>> {
    let mut out = Map::with_capacity(map.len());
    for (k, v) in map {
        out.insert(k.clone(), primitive_to_json(k, v)?);
    }
    Ok(out)
}

fn primitive_to_json(key: &str, v: &Value) -> Result<Json> {
    Ok(match v {
        Value::Null => Json::Null,
        Value::Boolean(b) => Json::Bool(*b),
        Value::String(s) => Json::String(s.clone()),
        Value::Float32(f) => float(f64::from(*f), key)?,
        Value::Float64(f) => float(*f, key)?,
        other => match other.as_i64() {
            Some(i) => Json::Number(i.into()),
            None => {
                return Err(ConnectError::data(format!(
                "Offsets may only contain primitive types as values, but field {key} contains {}",
                other.java_class_name()
            )))
            }
        },
    })
}

fn float(f: f64, key: &str) -> Result<Json> {
    Number::from_f64(f)
        .map(Json::Number)
        .ok_or_else(|| ConnectError::data(format!("offset field {key} is not a finite number")))
}

/// JSON integers read back as INT64 and other numbers as FLOAT64, as in Apache.
pub fn json_to_map(map: &Map<String, Json>) -> std::collections::BTreeMap<String, Value> {
    map.iter()
        .map(|(k, v)| (k.clone(), json_to_value(v)))
        .collect()
}

/// Converts schemaless JSON to a Connect value the way the internal JsonConverter reads it.
pub fn json_to_value(v: &Json) -> Value {
    match v {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Boolean(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int64(i),
            None => Value::Float64(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::String(s.clone()),
        Json::Array(items) => Value::Array(items.iter().map(json_to_value).collect()),
        Json::Object(map) => Value::Map(
            map.iter()
                .map(|(k, v)| (Value::String(k.clone()), json_to_value(v)))
                .collect(),
        ),
    }
}

/// The JSON form of a Connect value (for REST responses about offsets).
pub fn value_to_json(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Boolean(b) => Json::Bool(*b),
        Value::String(s) => Json::String(s.clone()),
        Value::Float32(f) => Number::from_f64(f64::from(*f)).map_or(Json::Null, Json::Number),
        Value::Float64(f) => Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Value::Array(items) => Json::Array(items.iter().map(value_to_json).collect()),
        Value::Map(entries) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| (k.to_string(), value_to_json(v)))
                .collect(),
        ),
        other => match other.as_i64() {
            Some(i) => Json::Number(i.into()),
            None => Json::String(other.to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_and_value_bytes_match_apache() {
        let partition = SourcePartition::from([("filename".to_owned(), Value::from("test.txt"))]);
        assert_eq!(
            offset_key("local-file-source", &partition).unwrap(),
            br#"["local-file-source",{"filename":"test.txt"}]"#
        );
        let offset = SourceOffset::from([("position".to_owned(), Value::Int64(1234))]);
        assert_eq!(offset_value(&offset).unwrap(), br#"{"position":1234}"#);
        let (name, p) =
            parse_offset_key(br#"["local-file-source",{"filename":"test.txt"}]"#).unwrap();
        assert_eq!(name, "local-file-source");
        assert_eq!(p, partition);
        assert_eq!(parse_offset_value(br#"{"position":1234}"#).unwrap(), offset);
        assert!(parse_offset_key(b"[1,2]").is_none());
    }

    #[test]
    fn non_primitive_offsets_are_rejected() {
        let bad = SourceOffset::from([("x".to_owned(), Value::Array(vec![]))]);
        assert!(offset_value(&bad).is_err());
    }
}
