//! The number converters (`org.apache.kafka.connect.converters.{Short,Integer,Long,Float,Double}Converter`):
//! one number as fixed-size big-endian bytes, as Kafka's number serializers write it.
//!
//! Writing ignores the schema but requires exactly the converter's type (an `Int32` given to
//! `LongConverter` fails, as in Java); reading yields the optional schema of that type. Floats
//! keep their raw bits; doubles write NaN as the canonical `7FF8000000000000`, as Java's
//! `doubleToLongBits` does.

use std::collections::HashMap;

use connect_api::config::ConfigDef;
use connect_api::data::{
    Schema, SchemaAndValue, Value, OPTIONAL_FLOAT32_SCHEMA, OPTIONAL_FLOAT64_SCHEMA,
    OPTIONAL_INT16_SCHEMA, OPTIONAL_INT32_SCHEMA, OPTIONAL_INT64_SCHEMA,
};
use connect_api::errors::{ConnectError, Result};
use connect_api::header::Headers;
use connect_api::storage::{Converter, HeaderConverter};

use crate::config::{converter_config_def, parse, with_converter_type};
use crate::serialization_error::SerializationError;

macro_rules! number_converter {
    (
        $(#[$doc:meta])*
        $name:ident, $class:literal, $variant:ident, $rust:ty, $java:literal, $type_name:literal,
        $schema:ident, $deserializer:literal,
        encode = |$e:ident| $encode:expr,
        decode = |$d:ident| $decode:expr $(,)?
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub struct $name;

        impl $name {
            fn serialize(value: &Value, out: &mut Vec<u8>) -> Result<bool> {
                out.clear();
                match value {
                    Value::Null => Ok(false),
                    Value::$variant($e) => {
                        out.extend_from_slice(&$encode);
                        Ok(true)
                    }
                    other => Err(ConnectError::data_with(
                        format!(
                            "Failed to serialize to {} (was class {}): ",
                            $type_name,
                            other.java_class_name()
                        ),
                        SerializationError(format!(
                            "class {} cannot be cast to class {}",
                            other.java_class_name(),
                            $java
                        )),
                    )),
                }
            }

            fn deserialize(value: Option<&[u8]>) -> Result<SchemaAndValue> {
                let schema = Some($schema.clone());
                let Some(bytes) = value else {
                    return Ok(SchemaAndValue::new(schema, Value::Null));
                };
                let Ok($d) = <[u8; std::mem::size_of::<$rust>()]>::try_from(bytes) else {
                    return Err(ConnectError::data_with(
                        concat!("Failed to deserialize ", $type_name, ": "),
                        SerializationError($deserializer.to_owned()),
                    ));
                };
                Ok(SchemaAndValue::new(schema, Value::$variant($decode)))
            }
        }

        impl Converter for $name {
            fn configure(&mut self, configs: &HashMap<String, String>, is_key: bool) -> Result<()> {
                parse(&converter_config_def(), &with_converter_type(configs, is_key)).map(drop)
            }

            fn from_connect_data(
                &self,
                _topic: &str,
                _headers: &Headers,
                _schema: Option<&Schema>,
                value: &Value,
            ) -> Result<Option<Vec<u8>>> {
                let mut out = Vec::new();
                Ok(Self::serialize(value, &mut out)?.then_some(out))
            }

            fn from_connect_data_into(
                &self,
                _topic: &str,
                _headers: &Headers,
                _schema: Option<&Schema>,
                value: &Value,
                out: &mut Vec<u8>,
            ) -> Result<bool> {
                Self::serialize(value, out)
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

        impl HeaderConverter for $name {
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
                _schema: Option<&Schema>,
                value: &Value,
            ) -> Result<Option<Vec<u8>>> {
                let mut out = Vec::new();
                Ok(Self::serialize(value, &mut out)?.then_some(out))
            }

            fn config(&self) -> ConfigDef {
                converter_config_def()
            }
        }

        connect_api::converter!($name, class = $class);
        connect_api::header_converter!($name, class = $class);
    };
}

number_converter!(
    /// `INT16` values as 2 big-endian bytes (Apache's `ShortConverter`).
    ShortConverter, "org.apache.kafka.connect.converters.ShortConverter", Int16, i16,
    "java.lang.Short", "short", OPTIONAL_INT16_SCHEMA,
    "Size of data received by ShortDeserializer is not 2",
    encode = |v| v.to_be_bytes(),
    decode = |b| i16::from_be_bytes(b),
);

number_converter!(
    /// `INT32` values as 4 big-endian bytes (Apache's `IntegerConverter`).
    IntegerConverter, "org.apache.kafka.connect.converters.IntegerConverter", Int32, i32,
    "java.lang.Integer", "integer", OPTIONAL_INT32_SCHEMA,
    "Size of data received by IntegerDeserializer is not 4",
    encode = |v| v.to_be_bytes(),
    decode = |b| i32::from_be_bytes(b),
);

number_converter!(
    /// `INT64` values as 8 big-endian bytes (Apache's `LongConverter`).
    LongConverter, "org.apache.kafka.connect.converters.LongConverter", Int64, i64,
    "java.lang.Long", "long", OPTIONAL_INT64_SCHEMA,
    "Size of data received by LongDeserializer is not 8",
    encode = |v| v.to_be_bytes(),
    decode = |b| i64::from_be_bytes(b),
);

number_converter!(
    /// `FLOAT32` values as their 4 raw IEEE-754 bytes, big-endian (Apache's `FloatConverter`).
    FloatConverter, "org.apache.kafka.connect.converters.FloatConverter", Float32, f32,
    "java.lang.Float", "float", OPTIONAL_FLOAT32_SCHEMA,
    "Size of data received by Deserializer is not 4",
    encode = |v| v.to_bits().to_be_bytes(),
    decode = |b| f32::from_bits(u32::from_be_bytes(b)),
);

number_converter!(
    /// `FLOAT64` values as 8 IEEE-754 bytes, big-endian, NaN canonicalised (Apache's
    /// `DoubleConverter`).
    DoubleConverter, "org.apache.kafka.connect.converters.DoubleConverter", Float64, f64,
    "java.lang.Double", "double", OPTIONAL_FLOAT64_SCHEMA,
    "Size of data received by Deserializer is not 8",
    encode = |v| (if v.is_nan() { 0x7FF8_0000_0000_0000 } else { v.to_bits() }).to_be_bytes(),
    decode = |b| f64::from_bits(u64::from_be_bytes(b)),
);

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    fn to_bytes<C: Converter>(c: &C, v: Value) -> Result<Option<Vec<u8>>> {
        c.from_connect_data("t", &Headers::new(), None, &v)
    }

    fn back<C: Converter>(c: &C, b: Option<&[u8]>) -> Result<SchemaAndValue> {
        c.to_connect_data("t", &Headers::new(), b)
    }

    #[test]
    fn apache_vectors() {
        assert_eq!(
            to_bytes(&IntegerConverter, 1234i32.into()).unwrap(),
            Some(vec![0, 0, 4, 0xD2])
        );
        assert_eq!(
            to_bytes(&IntegerConverter, i32::MIN.into()).unwrap(),
            Some(vec![0x80, 0, 0, 0])
        );
        assert_eq!(
            to_bytes(&ShortConverter, (-4321i16).into()).unwrap(),
            Some(vec![0xEF, 0x1F])
        );
        assert_eq!(
            to_bytes(&LongConverter, 1i64.into()).unwrap(),
            Some(vec![0, 0, 0, 0, 0, 0, 0, 1])
        );
        assert_eq!(
            to_bytes(&FloatConverter, 1.0f32.into()).unwrap(),
            Some(vec![0x3F, 0x80, 0, 0])
        );
        assert_eq!(
            to_bytes(&DoubleConverter, 1.0f64.into()).unwrap(),
            Some(vec![0x3F, 0xF0, 0, 0, 0, 0, 0, 0])
        );
        assert_eq!(
            to_bytes(
                &DoubleConverter,
                f64::from_bits(0x7FF0_0000_0000_0001).into()
            )
            .unwrap(),
            Some(vec![0x7F, 0xF8, 0, 0, 0, 0, 0, 0])
        );
        let nan = f32::from_bits(0x7FC0_0001);
        assert_eq!(
            to_bytes(&FloatConverter, nan.into()).unwrap(),
            Some(vec![0x7F, 0xC0, 0, 1])
        );
        assert_eq!(to_bytes(&IntegerConverter, Value::Null).unwrap(), None);
        let r = back(&IntegerConverter, Some(&[0, 0, 4, 0xD2])).unwrap();
        assert_eq!(
            r,
            SchemaAndValue::new(Some(OPTIONAL_INT32_SCHEMA.clone()), Value::Int32(1234))
        );
        let r = back(&ShortConverter, None).unwrap();
        assert_eq!(
            r,
            SchemaAndValue::new(Some(OPTIONAL_INT16_SCHEMA.clone()), Value::Null)
        );
        for v in [i64::MIN, -1, 0, 7, i64::MAX] {
            let b = to_bytes(&LongConverter, v.into()).unwrap().unwrap();
            assert_eq!(
                back(&LongConverter, Some(&b)).unwrap().value,
                Value::Int64(v)
            );
        }
    }

    #[test]
    fn errors() {
        let err = to_bytes(&LongConverter, 1i32.into()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Failed to serialize to long (was class java.lang.Integer): "
        );
        assert!(err.is_data());
        let err = back(&IntegerConverter, Some(&[1, 2, 3])).unwrap_err();
        assert_eq!(err.to_string(), "Failed to deserialize integer: ");
        assert_eq!(
            err.source().unwrap().to_string(),
            "Size of data received by IntegerDeserializer is not 4"
        );
        let err = back(&FloatConverter, Some(&[])).unwrap_err();
        assert_eq!(
            err.source().unwrap().to_string(),
            "Size of data received by Deserializer is not 4"
        );
        let err = back(&ShortConverter, Some(&[1])).unwrap_err();
        assert_eq!(err.to_string(), "Failed to deserialize short: ");
        let mut c = DoubleConverter;
        assert!(HeaderConverter::configure(&mut c, &HashMap::new()).is_err());
        assert!(Converter::configure(&mut c, &HashMap::new(), true).is_ok());
    }
}
