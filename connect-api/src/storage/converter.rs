//! Converters between Connect data and the bytes stored in Kafka.

use std::collections::HashMap;

use crate::config::ConfigDef;
use crate::data::{Schema, SchemaAndValue, Value};
use crate::errors::Result;
use crate::header::Headers;

/// Turns Connect data into record key or value bytes and back (Java's `Converter`).
///
/// The runtime creates one converter per role (key or value) and task, configures it with the
/// `key.converter.*` / `value.converter.*` properties (prefix stripped) and `is_key`, then calls
/// it for every record. Converters do no I/O and keep no per-record state.
// The method names are Apache's (`fromConnectData`, `toConnectData`), which Kafka users know.
#[allow(clippy::wrong_self_convention)]
pub trait Converter: Send + Sync + 'static {
    /// Configures the converter; `is_key` tells whether it converts keys or values.
    fn configure(&mut self, configs: &HashMap<String, String>, is_key: bool) -> Result<()>;

    /// Serializes a value; `None` is a null (tombstone) payload.
    fn from_connect_data(
        &self,
        topic: &str,
        headers: &Headers,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>>;

    /// Serializes a value into `out` (cleared first), returning `false` for a null payload.
    ///
    /// The runtime calls this on its hot path with a buffer it reuses. The default delegates to
    /// [`from_connect_data`](Converter::from_connect_data); override it to avoid allocating.
    fn from_connect_data_into(
        &self,
        topic: &str,
        headers: &Headers,
        schema: Option<&Schema>,
        value: &Value,
        out: &mut Vec<u8>,
    ) -> Result<bool> {
        out.clear();
        match self.from_connect_data(topic, headers, schema, value)? {
            Some(bytes) => {
                out.extend_from_slice(&bytes);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Deserializes a payload; `None` is a null payload.
    fn to_connect_data(
        &self,
        topic: &str,
        headers: &Headers,
        value: Option<&[u8]>,
    ) -> Result<SchemaAndValue>;

    /// The definition of the converter's configuration.
    fn config(&self) -> ConfigDef;
}

/// Turns header values into bytes and back (Java's `HeaderConverter`).
///
/// Configured with the `header.converter.*` properties (prefix stripped) plus
/// `converter.type=header`.
#[allow(clippy::wrong_self_convention)]
pub trait HeaderConverter: Send + Sync + 'static {
    /// Configures the converter.
    fn configure(&mut self, configs: &HashMap<String, String>) -> Result<()>;

    /// Deserializes one header value; `None` is a null value.
    fn to_connect_header(
        &self,
        topic: &str,
        header_key: &str,
        value: Option<&[u8]>,
    ) -> Result<SchemaAndValue>;

    /// Serializes one header value; `None` is a null value.
    fn from_connect_header(
        &self,
        topic: &str,
        header_key: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>>;

    /// The definition of the converter's configuration.
    fn config(&self) -> ConfigDef;
}
