//! JsonConverter (`org.apache.kafka.connect.json.JsonConverter`): Connect data as JSON.
//!
//! With `schemas.enable=true` (the default) every record is an envelope
//! `{"schema":<schema JSON>,"payload":<value JSON>}` and reading requires one; with
//! `schemas.enable=false` the value's JSON alone is written, and reading infers booleans,
//! `INT64`, `FLOAT64`, strings, lists and string-keyed maps. A null schema with a null value is
//! a tombstone (no bytes). The output is byte-identical to Apache's (see `serialize`), and the
//! reader accepts and rejects what Apache's Jackson setup does (see `parser`).
//!
//! Serialization writes straight into the caller's buffer, with no intermediate tree. Each
//! schema's JSON is rendered once and cached (`schemas.cache.size` entries, LRU); on the read
//! side, a schema is parsed once per distinct schema text.

mod base64;
mod cache;
pub mod config;
mod deserialize;
mod parser;
mod schema_json;
mod serialize;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use connect_api::config::ConfigDef;
use connect_api::data::{Schema, SchemaAndValue, Value};
use connect_api::errors::{ConnectError, Result};
use connect_api::header::Headers;
use connect_api::storage::{Converter, HeaderConverter};

use self::cache::LruCache;
pub use self::config::{DecimalFormat, JsonConverterConfig};
use self::deserialize::Reader;
use self::parser::{Member, Parser, Root, Span};
use self::serialize::Writer;

const ENVELOPE_ERROR: &str = "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.";
const PARSE_ERROR: &str =
    "Converting byte[] to Kafka Connect data failed due to serialization error: ";

/// Converts Connect data to and from JSON exactly as Apache's JsonConverter does.
///
/// ```
/// use std::collections::HashMap;
/// use connect_api::data::{Value, BOOLEAN_SCHEMA};
/// use connect_api::header::Headers;
/// use connect_api::storage::Converter;
/// use connect_converters::JsonConverter;
///
/// let mut converter = JsonConverter::default();
/// converter.configure(&HashMap::new(), false)?;
/// let bytes = converter
///     .from_connect_data("topic", &Headers::new(), Some(&BOOLEAN_SCHEMA), &Value::Boolean(true))?
///     .expect("not a tombstone");
/// assert_eq!(bytes, br#"{"schema":{"type":"boolean","optional":false},"payload":true}"#);
/// let back = converter.to_connect_data("topic", &Headers::new(), Some(&bytes))?;
/// assert_eq!(back.value, Value::Boolean(true));
/// # Ok::<(), connect_api::errors::ConnectError>(())
/// ```
///
/// Implements both [`Converter`] and [`HeaderConverter`]; header keys and topics are ignored.
/// An unconfigured converter behaves as a value converter with the default settings.
#[derive(Debug)]
pub struct JsonConverter {
    config: JsonConverterConfig,
    caches: Mutex<Caches>,
}

#[derive(Debug)]
struct Caches {
    /// Connect schema → its JSON text.
    to_json: LruCache<Schema, Arc<[u8]>>,
    last_to_json: Option<(Schema, Arc<[u8]>)>,
    /// Schema JSON text → Connect schema.
    from_json: LruCache<Box<[u8]>, Schema>,
    last_from_json: Option<(Box<[u8]>, Schema)>,
}

impl Caches {
    fn new(size: usize) -> Self {
        Caches {
            to_json: LruCache::new(size),
            last_to_json: None,
            from_json: LruCache::new(size),
            last_from_json: None,
        }
    }
}

impl Default for JsonConverter {
    fn default() -> Self {
        JsonConverter::with_config(JsonConverterConfig::default())
    }
}

impl JsonConverter {
    /// A converter with an already parsed configuration.
    pub fn with_config(config: JsonConverterConfig) -> Self {
        JsonConverter {
            caches: Mutex::new(Caches::new(config.schema_cache_size)),
            config,
        }
    }

    /// The active configuration.
    pub fn converter_config(&self) -> &JsonConverterConfig {
        &self.config
    }

    fn caches(&self) -> MutexGuard<'_, Caches> {
        // The caches hold no invariant a panic could break; keep using them.
        self.caches
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn writer<'o>(&self, out: &'o mut Vec<u8>) -> Writer<'o> {
        Writer {
            out,
            decimal_format: self.config.decimal_format,
            replace_null_with_default: self.config.replace_null_with_default,
            depth: 0,
        }
    }

    fn reader(&self) -> Reader {
        Reader {
            replace_null_with_default: self.config.replace_null_with_default,
        }
    }

    /// The JSON of a schema, from the cache or rendered now.
    fn schema_json(&self, schema: &Schema) -> Result<Arc<[u8]>> {
        {
            let mut caches = self.caches();
            if let Some((s, json)) = &caches.last_to_json {
                if s.ptr_eq(schema) {
                    return Ok(json.clone());
                }
            }
            if let Some(json) = caches.to_json.get(schema) {
                caches.last_to_json = Some((schema.clone(), json.clone()));
                return Ok(json);
            }
        }
        let mut out = Vec::with_capacity(128);
        self.writer(&mut out).schema(schema)?;
        let json: Arc<[u8]> = out.into();
        let mut caches = self.caches();
        caches.to_json.put(schema.clone(), json.clone());
        if self.config.schema_cache_size > 0 {
            caches.last_to_json = Some((schema.clone(), json.clone()));
        }
        Ok(json)
    }

    /// The Connect schema of the envelope's raw `schema` member.
    fn schema_from_json(&self, input: &[u8], span: Span) -> Result<Option<Schema>> {
        let raw = &input[span.start..span.end];
        if raw == b"null" {
            return Ok(None);
        }
        {
            let mut caches = self.caches();
            if let Some((text, schema)) = &caches.last_from_json {
                if **text == *raw {
                    return Ok(Some(schema.clone()));
                }
            }
            if let Some(schema) = caches.from_json.get(raw) {
                caches.last_from_json = Some((raw.into(), schema.clone()));
                return Ok(Some(schema));
            }
        }
        // The span was validated by the envelope parse, one level down from the root.
        let node = Parser::nested(input, span, 1)
            .parse_value()
            .map_err(|e| ConnectError::data_with(PARSE_ERROR, e))?;
        let schema = self.reader().schema(&node)?;
        if let Some(schema) = &schema {
            let mut caches = self.caches();
            caches.from_json.put(raw.into(), schema.clone());
            if self.config.schema_cache_size > 0 {
                caches.last_from_json = Some((raw.into(), schema.clone()));
            }
        }
        Ok(schema)
    }

    fn serialize(&self, schema: Option<&Schema>, value: &Value, out: &mut Vec<u8>) -> Result<bool> {
        out.clear();
        if schema.is_none() && value.is_null() {
            return Ok(false);
        }
        if self.config.schemas_enabled {
            out.extend_from_slice(b"{\"schema\":");
            match schema {
                Some(s) => out.extend_from_slice(&self.schema_json(s)?),
                None => out.extend_from_slice(b"null"),
            }
            out.extend_from_slice(b",\"payload\":");
            self.writer(out).value(schema, value)?;
            out.push(b'}');
        } else {
            self.writer(out).value(schema, value)?;
        }
        Ok(true)
    }

    fn deserialize(&self, bytes: Option<&[u8]>) -> Result<SchemaAndValue> {
        let Some(bytes) = bytes else {
            return Ok(SchemaAndValue::NULL);
        };
        let mut parser = Parser::new(bytes);
        if !self.config.schemas_enabled {
            let root = parser
                .parse_root()
                .map_err(|e| ConnectError::data_with(PARSE_ERROR, e))?;
            return Ok(SchemaAndValue::new(None, deserialize::infer(root.as_ref())));
        }
        let root = parser
            .parse_envelope()
            .map_err(|e| ConnectError::data_with(PARSE_ERROR, e))?;
        let Root::Object(members) = root else {
            return Err(ConnectError::data(ENVELOPE_ERROR));
        };
        let mut schema_span = None;
        let mut payload = None;
        for (key, member) in &members {
            match (key.as_ref(), member) {
                ("schema", Member::Raw(span)) => schema_span = Some(*span),
                ("payload", Member::Parsed(node)) => payload = Some(node),
                _ => {}
            }
        }
        let (Some(span), Some(payload), 2) = (schema_span, payload, members.len()) else {
            return Err(ConnectError::data(ENVELOPE_ERROR));
        };
        let schema = self.schema_from_json(bytes, span)?;
        let value = self.reader().value(schema.as_ref(), Some(payload))?;
        Ok(SchemaAndValue::new(schema, value))
    }
}

impl Converter for JsonConverter {
    fn configure(&mut self, configs: &HashMap<String, String>, is_key: bool) -> Result<()> {
        let config =
            JsonConverterConfig::parse(&crate::config::with_converter_type(configs, is_key))?;
        *self = JsonConverter::with_config(config);
        Ok(())
    }

    fn from_connect_data(
        &self,
        _topic: &str,
        _headers: &Headers,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>> {
        let mut out = Vec::new();
        Ok(self.serialize(schema, value, &mut out)?.then_some(out))
    }

    fn from_connect_data_into(
        &self,
        _topic: &str,
        _headers: &Headers,
        schema: Option<&Schema>,
        value: &Value,
        out: &mut Vec<u8>,
    ) -> Result<bool> {
        self.serialize(schema, value, out)
    }

    fn to_connect_data(
        &self,
        _topic: &str,
        _headers: &Headers,
        value: Option<&[u8]>,
    ) -> Result<SchemaAndValue> {
        self.deserialize(value)
    }

    fn config(&self) -> ConfigDef {
        JsonConverterConfig::config_def()
    }
}

impl HeaderConverter for JsonConverter {
    fn configure(&mut self, configs: &HashMap<String, String>) -> Result<()> {
        *self = JsonConverter::with_config(JsonConverterConfig::parse(configs)?);
        Ok(())
    }

    fn to_connect_header(
        &self,
        _topic: &str,
        _header_key: &str,
        value: Option<&[u8]>,
    ) -> Result<SchemaAndValue> {
        self.deserialize(value)
    }

    fn from_connect_header(
        &self,
        _topic: &str,
        _header_key: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>> {
        let mut out = Vec::new();
        Ok(self.serialize(schema, value, &mut out)?.then_some(out))
    }

    fn config(&self) -> ConfigDef {
        JsonConverterConfig::config_def()
    }
}

connect_api::converter!(
    JsonConverter,
    class = "org.apache.kafka.connect.json.JsonConverter"
);
connect_api::header_converter!(
    JsonConverter,
    class = "org.apache.kafka.connect.json.JsonConverter"
);

#[cfg(test)]
mod tests;
