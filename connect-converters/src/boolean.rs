//! BooleanConverter (`org.apache.kafka.connect.converters.BooleanConverter`): one byte,
//! `01` for true and `00` for false.

use std::collections::HashMap;

use connect_api::config::ConfigDef;
use connect_api::data::{Schema, SchemaAndValue, Type, Value, OPTIONAL_BOOLEAN_SCHEMA};
use connect_api::errors::{ConnectError, Result};
use connect_api::header::Headers;
use connect_api::storage::{Converter, HeaderConverter};

use crate::config::{converter_config_def, parse, with_converter_type};
use crate::serialization_error::SerializationError;

/// Converts `BOOLEAN` values to one byte and back, as Apache's BooleanConverter does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BooleanConverter;

impl BooleanConverter {
    fn serialize(schema: Option<&Schema>, value: &Value, out: &mut Vec<u8>) -> Result<bool> {
        out.clear();
        if let Some(schema) = schema {
            if schema.schema_type() != Type::Boolean {
                return Err(ConnectError::data(format!(
                    "Invalid schema type for BooleanConverter: {}",
                    schema.schema_type()
                )));
            }
        }
        match value {
            Value::Null => Ok(false),
            Value::Boolean(b) => {
                out.push(u8::from(*b));
                Ok(true)
            }
            other => Err(ConnectError::data(format!(
                "BooleanConverter is not compatible with objects of type class {}",
                other.java_class_name()
            ))),
        }
    }

    fn deserialize(value: Option<&[u8]>) -> Result<SchemaAndValue> {
        let schema = Some(OPTIONAL_BOOLEAN_SCHEMA.clone());
        let fail = |cause: String| {
            Err(ConnectError::data_with(
                "Failed to deserialize boolean: ",
                SerializationError(cause),
            ))
        };
        match value {
            None => Ok(SchemaAndValue::new(schema, Value::Null)),
            Some([1]) => Ok(SchemaAndValue::new(schema, Value::Boolean(true))),
            Some([0]) => Ok(SchemaAndValue::new(schema, Value::Boolean(false))),
            Some([b]) => fail(format!(
                "Unexpected byte received by BooleanDeserializer: {}",
                *b as i8
            )),
            Some(_) => fail("Size of data received by BooleanDeserializer is not 1".to_owned()),
        }
    }
}

impl Converter for BooleanConverter {
    fn configure(&mut self, configs: &HashMap<String, String>, is_key: bool) -> Result<()> {
        parse(
            &converter_config_def(),
            &with_converter_type(configs, is_key),
        )
        .map(drop)
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
        Self::deserialize(value)
    }

    fn config(&self) -> ConfigDef {
        converter_config_def()
    }
}

impl HeaderConverter for BooleanConverter {
    fn configure(&mut self, configs: &HashMap<String, String>) -> Result<()> {
        parse(&converter_config_def(), configs).map(drop)
    }

    fn to_connect_header(
        &self,
        _topic: &str,
        _header_key: &str,
        value: Option<&[u8]>,
    ) -> Result<SchemaAndValue> {
        Self::deserialize(value)
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
    BooleanConverter,
    class = "org.apache.kafka.connect.converters.BooleanConverter"
);
connect_api::header_converter!(
    BooleanConverter,
    class = "org.apache.kafka.connect.converters.BooleanConverter"
);

#[cfg(test)]
mod tests {
    use super::*;
    use connect_api::data::{BOOLEAN_SCHEMA, STRING_SCHEMA};
    use std::error::Error as _;

    fn from(schema: Option<&Schema>, v: Value) -> Result<Option<Vec<u8>>> {
        BooleanConverter.from_connect_data("t", &Headers::new(), schema, &v)
    }

    #[test]
    fn apache_vectors() {
        assert_eq!(
            from(Some(&BOOLEAN_SCHEMA), true.into()).unwrap(),
            Some(vec![1])
        );
        assert_eq!(from(None, false.into()).unwrap(), Some(vec![0]));
        assert_eq!(from(Some(&BOOLEAN_SCHEMA), Value::Null).unwrap(), None);
        assert_eq!(
            from(Some(&STRING_SCHEMA), true.into())
                .unwrap_err()
                .to_string(),
            "Invalid schema type for BooleanConverter: STRING"
        );
        assert_eq!(
            from(None, "true".into()).unwrap_err().to_string(),
            "BooleanConverter is not compatible with objects of type class java.lang.String"
        );
        let c = BooleanConverter;
        let h = Headers::new();
        assert_eq!(
            c.to_connect_data("t", &h, Some(&[1])).unwrap(),
            SchemaAndValue::new(Some(OPTIONAL_BOOLEAN_SCHEMA.clone()), true.into())
        );
        assert_eq!(
            c.to_connect_data("t", &h, Some(&[0])).unwrap().value,
            false.into()
        );
        assert_eq!(c.to_connect_data("t", &h, None).unwrap().value, Value::Null);
        let err = c.to_connect_data("t", &h, Some(b"42")).unwrap_err();
        assert_eq!(err.to_string(), "Failed to deserialize boolean: ");
        assert_eq!(
            err.source().unwrap().to_string(),
            "Size of data received by BooleanDeserializer is not 1"
        );
        let err = c.to_connect_data("t", &h, Some(&[0xFF])).unwrap_err();
        assert_eq!(
            err.source().unwrap().to_string(),
            "Unexpected byte received by BooleanDeserializer: -1"
        );
    }
}
