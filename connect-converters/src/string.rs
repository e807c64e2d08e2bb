//! StringConverter (`org.apache.kafka.connect.storage.StringConverter`): values as text.
//!
//! Writing ignores the schema and encodes the value's Java `toString()` (so a Struct becomes
//! `Struct{a=1}`); reading always yields an optional string. The encoding is
//! `converter.encoding` (default UTF-8), unless `key.serializer.encoding` /
//! `value.serializer.encoding` (resp. `*.deserializer.encoding`) for the converter's role is in
//! the same configuration, as with Kafka's `StringSerializer` / `StringDeserializer`.

use std::collections::HashMap;
use std::fmt::Write as _;

use connect_api::config::{ConfigDef, ConfigError, ConfigKey, ConfigType, Importance, Width};
use connect_api::data::{SchemaAndValue, Value, OPTIONAL_STRING_SCHEMA};
use connect_api::errors::Result;
use connect_api::header::Headers;
use connect_api::storage::{Converter, ConverterType, HeaderConverter};

use crate::charset::Charset;
use crate::config::{converter_config_def, converter_type, get_str, parse, with_converter_type};

/// `converter.encoding`: the Java charset name used for both directions (default `UTF-8`).
pub const ENCODING_CONFIG: &str = "converter.encoding";

/// Converts values to and from strings, as Apache's StringConverter does.
///
/// ```
/// use std::collections::HashMap;
/// use connect_api::data::Value;
/// use connect_api::header::Headers;
/// use connect_api::storage::Converter;
/// use connect_converters::StringConverter;
///
/// let mut c = StringConverter::default();
/// c.configure(&HashMap::new(), false)?;
/// let bytes = c.from_connect_data("t", &Headers::new(), None, &Value::Boolean(true))?;
/// assert_eq!(bytes.as_deref(), Some(&b"true"[..]));
/// # Ok::<(), connect_api::errors::ConnectError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StringConverter {
    serializer: Charset,
    deserializer: Charset,
}

impl Default for StringConverter {
    fn default() -> Self {
        StringConverter {
            serializer: Charset::Utf8,
            deserializer: Charset::Utf8,
        }
    }
}

impl StringConverter {
    /// The definition (Java's `StringConverterConfig.configDef()`).
    pub fn config_def() -> ConfigDef {
        converter_config_def().define(
            ConfigKey::new(ENCODING_CONFIG, ConfigType::String)
                .default_value("UTF-8")
                .importance(Importance::High)
                .doc("The name of the Java character set to use for encoding strings as byte arrays.")
                .width(Width::Medium)
                .display_name("Encoding"),
        )
    }

    /// The charsets used to write and to read.
    pub fn charsets(&self) -> (Charset, Charset) {
        (self.serializer, self.deserializer)
    }

    fn configure_map(&mut self, configs: &HashMap<String, String>) -> Result<()> {
        let values = parse(&Self::config_def(), configs)?;
        let encoding = get_str(&values, ENCODING_CONFIG).unwrap_or("UTF-8");
        let role = if converter_type(&values)? == ConverterType::Key {
            "key"
        } else {
            "value"
        };
        let pick = |kind: &str| -> Result<Charset> {
            let specific = format!("{role}.{kind}.encoding");
            let (key, name) = match configs.get(&specific) {
                Some(name) => (specific, name.as_str()),
                None => (format!("{kind}.encoding"), encoding),
            };
            Charset::for_name(name).ok_or_else(|| {
                ConfigError::other(Some(&key), format!("Unsupported encoding {name}")).into()
            })
        };
        let serializer = pick("serializer")?;
        let deserializer = pick("deserializer")?;
        *self = StringConverter {
            serializer,
            deserializer,
        };
        Ok(())
    }

    fn serialize(&self, value: &Value, out: &mut Vec<u8>) -> bool {
        out.clear();
        match value {
            Value::Null => false,
            Value::String(s) => {
                self.serializer.encode_into(s, out);
                true
            }
            other => {
                let mut text = String::new();
                let _ = write!(text, "{other}");
                self.serializer.encode_into(&text, out);
                true
            }
        }
    }

    fn deserialize(&self, bytes: Option<&[u8]>) -> SchemaAndValue {
        SchemaAndValue::new(
            Some(OPTIONAL_STRING_SCHEMA.clone()),
            bytes.map_or(Value::Null, |b| Value::String(self.deserializer.decode(b))),
        )
    }
}

impl Converter for StringConverter {
    fn configure(&mut self, configs: &HashMap<String, String>, is_key: bool) -> Result<()> {
        self.configure_map(&with_converter_type(configs, is_key))
    }

    fn from_connect_data(
        &self,
        _topic: &str,
        _headers: &Headers,
        _schema: Option<&connect_api::data::Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>> {
        let mut out = Vec::new();
        Ok(self.serialize(value, &mut out).then_some(out))
    }

    fn from_connect_data_into(
        &self,
        _topic: &str,
        _headers: &Headers,
        _schema: Option<&connect_api::data::Schema>,
        value: &Value,
        out: &mut Vec<u8>,
    ) -> Result<bool> {
        Ok(self.serialize(value, out))
    }

    fn to_connect_data(
        &self,
        _topic: &str,
        _headers: &Headers,
        value: Option<&[u8]>,
    ) -> Result<SchemaAndValue> {
        Ok(self.deserialize(value))
    }

    fn config(&self) -> ConfigDef {
        Self::config_def()
    }
}

impl HeaderConverter for StringConverter {
    fn configure(&mut self, configs: &HashMap<String, String>) -> Result<()> {
        self.configure_map(configs)
    }

    fn to_connect_header(
        &self,
        _topic: &str,
        _header_key: &str,
        value: Option<&[u8]>,
    ) -> Result<SchemaAndValue> {
        Ok(self.deserialize(value))
    }

    fn from_connect_header(
        &self,
        _topic: &str,
        _header_key: &str,
        _schema: Option<&connect_api::data::Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>> {
        let mut out = Vec::new();
        Ok(self.serialize(value, &mut out).then_some(out))
    }

    fn config(&self) -> ConfigDef {
        Self::config_def()
    }
}

connect_api::converter!(
    StringConverter,
    class = "org.apache.kafka.connect.storage.StringConverter"
);
connect_api::header_converter!(
    StringConverter,
    class = "org.apache.kafka.connect.storage.StringConverter"
);

#[cfg(test)]
mod tests {
    use super::*;
    use connect_api::data::{SchemaBuilder, Struct, BOOLEAN_SCHEMA, INT32_SCHEMA, STRING_SCHEMA};

    fn map(entries: &[(&str, &str)]) -> HashMap<String, String> {
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn configured(entries: &[(&str, &str)], is_key: bool) -> StringConverter {
        let mut c = StringConverter::default();
        Converter::configure(&mut c, &map(entries), is_key).unwrap();
        c
    }

    fn to_bytes(
        c: &StringConverter,
        schema: Option<&connect_api::data::Schema>,
        v: Value,
    ) -> Option<Vec<u8>> {
        c.from_connect_data("topic", &Headers::new(), schema, &v)
            .unwrap()
    }

    #[test]
    fn apache_vectors() {
        let c = configured(&[], false);
        assert_eq!(
            to_bytes(&c, Some(&STRING_SCHEMA), "a string".into()),
            Some(b"a string".to_vec())
        );
        assert_eq!(
            to_bytes(&c, Some(&BOOLEAN_SCHEMA), true.into()),
            Some(b"true".to_vec())
        );
        assert_eq!(to_bytes(&c, None, true.into()), Some(b"true".to_vec()));
        assert_eq!(to_bytes(&c, Some(&STRING_SCHEMA), Value::Null), None);
        assert_eq!(to_bytes(&c, None, 5i32.into()), Some(b"5".to_vec()));
        let back = c
            .to_connect_data("topic", &Headers::new(), Some(b"a string"))
            .unwrap();
        assert_eq!(back.schema.as_ref(), Some(&*OPTIONAL_STRING_SCHEMA));
        assert_eq!(back.value, Value::from("a string"));
        let null = c.to_connect_data("topic", &Headers::new(), None).unwrap();
        assert_eq!(
            null,
            SchemaAndValue::new(Some(OPTIONAL_STRING_SCHEMA.clone()), Value::Null)
        );
        let header = c.to_connect_header("topic", "h", Some(b"x")).unwrap();
        assert_eq!(header.value, Value::from("x"));
    }

    #[test]
    fn struct_uses_its_to_string() {
        let schema = SchemaBuilder::struct_()
            .field("a", INT32_SCHEMA.clone())
            .field("b", connect_api::data::OPTIONAL_STRING_SCHEMA.clone())
            .build()
            .unwrap();
        let mut s = Struct::new(schema).unwrap();
        s.put("a", 1).unwrap();
        let c = configured(&[], false);
        assert_eq!(
            to_bytes(&c, None, Value::Struct(s)),
            Some(b"Struct{a=1}".to_vec())
        );
    }

    #[test]
    fn utf16_both_ways() {
        let c = configured(&[("converter.encoding", "UTF-16")], false);
        let bytes = to_bytes(&c, Some(&STRING_SCHEMA), "a string".into()).unwrap();
        let mut expected = vec![0xFE, 0xFF];
        for b in b"a string" {
            expected.extend_from_slice(&[0, *b]);
        }
        assert_eq!(bytes, expected);
        let back = c
            .to_connect_data("t", &Headers::new(), Some(&bytes))
            .unwrap();
        assert_eq!(back.value, Value::from("a string"));
    }

    #[test]
    fn role_specific_encodings_take_precedence() {
        let entries = [
            ("converter.encoding", "UTF-16"),
            ("key.serializer.encoding", "ISO-8859-1"),
            ("value.deserializer.encoding", "US-ASCII"),
        ];
        let key = configured(&entries, true);
        assert_eq!(key.charsets(), (Charset::Iso8859_1, Charset::Utf16));
        let value = configured(&entries, false);
        assert_eq!(value.charsets(), (Charset::Utf16, Charset::UsAscii));
        let mut header = StringConverter::default();
        HeaderConverter::configure(
            &mut header,
            &map(&[
                ("converter.type", "header"),
                ("value.serializer.encoding", "UTF-16LE"),
            ]),
        )
        .unwrap();
        assert_eq!(header.charsets(), (Charset::Utf16Le, Charset::Utf8));
    }

    #[test]
    fn errors() {
        let mut c = StringConverter::default();
        let err = Converter::configure(&mut c, &map(&[("converter.encoding", "nope")]), false)
            .unwrap_err();
        assert_eq!(err.to_string(), "Unsupported encoding nope");
        let err = HeaderConverter::configure(&mut c, &HashMap::new()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Missing required configuration \"converter.type\" which has no default value."
        );
    }
}
