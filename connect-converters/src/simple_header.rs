//! SimpleHeaderConverter (`org.apache.kafka.connect.storage.SimpleHeaderConverter`), the
//! worker's default header converter: header values as the text of Apache's `Values`.
//!
//! Writing uses [`values::convert_to_string`] (strings as they are, numbers as Java prints them,
//! lists and maps as `[1,2]` / `{"a":1}`), encoded as UTF-8. Reading decodes UTF-8 (malformed
//! bytes become U+FFFD, as Java's decoder does) and infers a schema and value with
//! [`values::parse_string`]: `12` is an INT8, `[1,2]` an array of INT8, `true` a boolean, and
//! unparseable text stays a string.

use std::collections::HashMap;

use connect_api::config::ConfigDef;
use connect_api::data::{values, Schema, SchemaAndValue, Value};
use connect_api::errors::Result;
use connect_api::storage::HeaderConverter;

/// Converts header values to and from `Values` text, as Apache's SimpleHeaderConverter does.
///
/// ```
/// use connect_api::data::Value;
/// use connect_api::storage::HeaderConverter;
/// use connect_converters::SimpleHeaderConverter;
///
/// let c = SimpleHeaderConverter;
/// let parsed = c.to_connect_header("topic", "key", Some(b"[1,2]"))?;
/// assert_eq!(parsed.value, Value::Array(vec![Value::Int8(1), Value::Int8(2)]));
/// let bytes = c.from_connect_header("topic", "key", None, &Value::from("simple"))?;
/// assert_eq!(bytes.as_deref(), Some(&b"simple"[..]));
/// # Ok::<(), connect_api::errors::ConnectError>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SimpleHeaderConverter;

impl HeaderConverter for SimpleHeaderConverter {
    /// Nothing to configure (Apache's definition is empty).
    fn configure(&mut self, _configs: &HashMap<String, String>) -> Result<()> {
        Ok(())
    }

    fn to_connect_header(
        &self,
        _topic: &str,
        _header_key: &str,
        value: Option<&[u8]>,
    ) -> Result<SchemaAndValue> {
        let Some(bytes) = value else {
            return Ok(SchemaAndValue::NULL);
        };
        let text = String::from_utf8_lossy(bytes);
        // `Values.parseString("null")` is Java's null; the header then has no schema or value.
        Ok(values::parse_string(&text).unwrap_or(SchemaAndValue::NULL))
    }

    fn from_connect_header(
        &self,
        _topic: &str,
        _header_key: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>> {
        if value.is_null() {
            return Ok(None);
        }
        Ok(values::convert_to_string(schema, value)?.map(String::into_bytes))
    }

    fn config(&self) -> ConfigDef {
        ConfigDef::new()
    }
}

connect_api::header_converter!(
    SimpleHeaderConverter,
    class = "org.apache.kafka.connect.storage.SimpleHeaderConverter"
);
