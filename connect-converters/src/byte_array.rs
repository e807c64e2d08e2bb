//! ByteArrayConverter (`org.apache.kafka.connect.converters.ByteArrayConverter`): raw bytes
//! passed through unchanged.

use std::collections::HashMap;

use connect_api::config::ConfigDef;
use connect_api::data::{Schema, SchemaAndValue, Type, Value, OPTIONAL_BYTES_SCHEMA};
use connect_api::errors::{ConnectError, Result};
use connect_api::header::Headers;
use connect_api::storage::{Converter, HeaderConverter};

use crate::config::converter_config_def;

/// Passes `BYTES` values through as they are; any other schema type or value is a data error.
///
/// ```
/// use connect_api::data::{Value, INT32_SCHEMA};
/// use connect_api::header::Headers;
/// use connect_api::storage::Converter;
/// use connect_converters::ByteArrayConverter;
///
/// let c = ByteArrayConverter;
/// let out = c.from_connect_data("t", &Headers::new(), None, &Value::from(vec![1u8, 2]))?;
/// assert_eq!(out, Some(vec![1, 2]));
/// let err = c.from_connect_data("t", &Headers::new(), Some(&INT32_SCHEMA), &Value::Int32(1));
/// assert_eq!(err.unwrap_err().to_string(), "Invalid schema type for ByteArrayConverter: INT32");
/// # Ok::<(), connect_api::errors::ConnectError>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ByteArrayConverter;

impl ByteArrayConverter {
    fn serialize(schema: Option<&Schema>, value: &Value, out: &mut Vec<u8>) -> Result<bool> {
        out.clear();
        if let Some(schema) = schema {
            if schema.schema_type() != Type::Bytes {
                return Err(ConnectError::data(format!(
                    "Invalid schema type for ByteArrayConverter: {}",
                    schema.schema_type()
                )));
            }
        }
        match value {
            Value::Null => Ok(false),
            Value::Bytes(b) => {
                out.extend_from_slice(b);
                Ok(true)
            }
            other => Err(ConnectError::data(format!(
                "ByteArrayConverter is not compatible with objects of type class {}",
                other.java_class_name()
            ))),
        }
    }

    fn deserialize(value: Option<&[u8]>) -> SchemaAndValue {
        SchemaAndValue::new(
            Some(OPTIONAL_BYTES_SCHEMA.clone()),
            value.map_or(Value::Null, |b| {
                Value::Bytes(bytes::Bytes::copy_from_slice(b))
            }),
        )
    }
}

impl Converter for ByteArrayConverter {
    /// Nothing to configure (Apache's `configure` does nothing either).
    fn configure(&mut self, _configs: &HashMap<String, String>, _is_key: bool) -> Result<()> {
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
        Ok(Self::serialize(schema, value, &mut out)?.then_some(out))
    }

    fn from_connect_data_into(
        &self,
        _topic: &str,
        _headers: &Headers,
        schema: Option<&Schema>,
        value: &Value,
        out: &mut Vec<u8>,
    ) -> Result<bool> {
        Self::serialize(schema, value, out)
    }

    fn to_connect_data(
        &self,
        _topic: &str,
        _headers: &Headers,
        value: Option<&[u8]>,
    ) -> Result<SchemaAndValue> {
        Ok(Self::deserialize(value))
    }

    fn config(&self) -> ConfigDef {
        converter_config_def()
    }
}

impl HeaderConverter for ByteArrayConverter {
    fn configure(&mut self, _configs: &HashMap<String, String>) -> Result<()> {
        Ok(())
    }

    fn to_connect_header(
        &self,
        _topic: &str,
        _header_key: &str,
        value: Option<&[u8]>,
    ) -> Result<SchemaAndValue> {
        Ok(Self::deserialize(value))
    }

    fn from_connect_header(
        &self,
        _topic: &str,
        _header_key: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>> {
        let mut out = Vec::new();
        Ok(Self::serialize(schema, value, &mut out)?.then_some(out))
    }

    fn config(&self) -> ConfigDef {
        converter_config_def()
    }
}

connect_api::converter!(
    ByteArrayConverter,
    class = "org.apache.kafka.connect.converters.ByteArrayConverter"
);
connect_api::header_converter!(
    ByteArrayConverter,
    class = "org.apache.kafka.connect.converters.ByteArrayConverter"
);

#[cfg(test)]
mod tests {
    use super::*;
    use connect_api::data::{Decimal, BYTES_SCHEMA, INT32_SCHEMA};

    fn from(schema: Option<&Schema>, v: Value) -> Result<Option<Vec<u8>>> {
        ByteArrayConverter.from_connect_data("t", &Headers::new(), schema, &v)
    }

    #[test]
    fn apache_vectors() {
        let sample = b"sample string".to_vec();
        assert_eq!(
            from(Some(&BYTES_SCHEMA), sample.clone().into()).unwrap(),
            Some(sample.clone())
        );
        assert_eq!(
            from(None, sample.clone().into()).unwrap(),
            Some(sample.clone())
        );
        assert_eq!(from(Some(&BYTES_SCHEMA), Value::Null).unwrap(), None);
        assert_eq!(
            from(Some(&INT32_SCHEMA), sample.clone().into())
                .unwrap_err()
                .to_string(),
            "Invalid schema type for ByteArrayConverter: INT32"
        );
        assert_eq!(
            from(Some(&BYTES_SCHEMA), Value::Int32(12))
                .unwrap_err()
                .to_string(),
            "ByteArrayConverter is not compatible with objects of type class java.lang.Integer"
        );
        // A Decimal schema is BYTES, but the value must already be bytes.
        assert!(from(Some(&Decimal::schema(2)), Value::Decimal(1.into())).is_err());
        assert!(from(Some(&Decimal::schema(2)), vec![1u8].into()).is_ok());
        let back = ByteArrayConverter
            .to_connect_data("t", &Headers::new(), Some(&sample))
            .unwrap();
        assert_eq!(
            back,
            SchemaAndValue::new(Some(OPTIONAL_BYTES_SCHEMA.clone()), sample.into())
        );
        let empty = ByteArrayConverter
            .to_connect_data("t", &Headers::new(), Some(b""))
            .unwrap();
        assert_eq!(empty.value, Value::from(Vec::<u8>::new()));
        let null = ByteArrayConverter
            .to_connect_data("t", &Headers::new(), None)
            .unwrap();
        assert_eq!(null.value, Value::Null);
        assert!(from(None, Value::Null).unwrap().is_none());
    }
}
