//! Connect values: the Rust counterpart of the Java objects a Connect schema accepts.

use std::fmt;

use bigdecimal::BigDecimal;
use bytes::Bytes;

use super::java_format::{
    big_decimal_to_string, date_to_string, double_to_string, float_to_string,
};
use super::Struct;

/// A Connect value: one variant per Java class that `ConnectSchema.validateValue` accepts.
///
/// `Null` stands for Java's `null` (absent value, tombstone, unset field). Maps are ordered
/// lists of entries because Connect map keys may be any value (integers, structs, ...), not
/// only strings, and because Java's `LinkedHashMap` order is observable in output.
///
/// `Display` is Java's `toString()` of the same object, which is what text sinks such as
/// the file sink print: `Struct{id=7,amount=3.7,ok=true}`, `[1, 2]`, `{a=1, b=2}`, `1.0E10`.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub enum Value {
    /// No value (Java `null`).
    #[default]
    Null,
    /// An INT8 value.
    Int8(i8),
    /// An INT16 value.
    Int16(i16),
    /// An INT32 value.
    Int32(i32),
    /// An INT64 value.
    Int64(i64),
    /// A FLOAT32 value.
    Float32(f32),
    /// A FLOAT64 value.
    Float64(f64),
    /// A BOOLEAN value.
    Boolean(bool),
    /// A STRING value.
    String(String),
    /// A BYTES value.
    Bytes(Bytes),
    /// An ARRAY value.
    Array(Vec<Value>),
    /// A MAP value: entries in insertion order; keys may be any value.
    Map(Vec<(Value, Value)>),
    /// A STRUCT value.
    Struct(Struct),
    /// The value of the `Decimal` logical type (Java's `BigDecimal`).
    Decimal(BigDecimal),
    /// A point in time as milliseconds since the Unix epoch (Java's `java.util.Date`): the value
    /// of the `Date` (midnight UTC), `Time` (millis within 1970-01-01) and `Timestamp` logical types.
    Timestamp(i64),
}

impl Value {
    /// Whether this is `Null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The value as a string slice, if it is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value as an `i64`, if it is any integer type (offsets read back from storage may
    /// come back wider than they were written, as in Apache Kafka Connect).
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::Int8(v) => Some(v.into()),
            Value::Int16(v) => Some(v.into()),
            Value::Int32(v) => Some(v.into()),
            Value::Int64(v) => Some(v),
            _ => None,
        }
    }

    /// The value as an `f64`, if it is a floating point or integer number.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::Float32(v) => Some(v.into()),
            Value::Float64(v) => Some(v),
            _ => self.as_i64().map(|v| v as f64),
        }
    }

    /// The value as a bool, if it is a boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            Value::Boolean(v) => Some(v),
            _ => None,
        }
    }

    /// The value as bytes, if it is a byte array.
    pub fn as_bytes(&self) -> Option<&Bytes> {
        match self {
            Value::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// The value as a struct, if it is one.
    pub fn as_struct(&self) -> Option<&Struct> {
        match self {
            Value::Struct(s) => Some(s),
            _ => None,
        }
    }

    /// The value as a list, if it is an array.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The entries of a map value.
    pub fn as_map(&self) -> Option<&[(Value, Value)]> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// Looks up a string key in a map value (schemaless records are maps with string keys).
    pub fn map_get(&self, key: &str) -> Option<&Value> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }

    /// The Java class of the equivalent Java object, as `Object.getClass().getName()` prints
    /// it; used in error messages that Apache words with class names.
    pub fn java_class_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Int8(_) => "java.lang.Byte",
            Value::Int16(_) => "java.lang.Short",
            Value::Int32(_) => "java.lang.Integer",
            Value::Int64(_) => "java.lang.Long",
            Value::Float32(_) => "java.lang.Float",
            Value::Float64(_) => "java.lang.Double",
            Value::Boolean(_) => "java.lang.Boolean",
            Value::String(_) => "java.lang.String",
            Value::Bytes(_) => "[B",
            Value::Array(_) => "java.util.ArrayList",
            Value::Map(_) => "java.util.HashMap",
            Value::Struct(_) => "org.apache.kafka.connect.data.Struct",
            Value::Decimal(_) => "java.math.BigDecimal",
            Value::Timestamp(_) => "java.util.Date",
        }
    }
}

/// Java's `toString()` of the equivalent Java object.
///
/// One deliberate difference: Java prints a `byte[]` as an identity hash (`[B@1b6d3586`), which
/// is useless and not reproducible; we print the bytes as `Arrays.toString` does (`[1, 2, 3]`).
/// Dates print as `java.util.Date` does, in UTC.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Int8(v) => write!(f, "{v}"),
            Value::Int16(v) => write!(f, "{v}"),
            Value::Int32(v) => write!(f, "{v}"),
            Value::Int64(v) => write!(f, "{v}"),
            Value::Float32(v) => f.write_str(&float_to_string(*v)),
            Value::Float64(v) => f.write_str(&double_to_string(*v)),
            Value::Boolean(v) => write!(f, "{v}"),
            Value::String(s) => f.write_str(s),
            Value::Bytes(b) => {
                f.write_str("[")?;
                for (i, byte) in b.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}", *byte as i8)?;
                }
                f.write_str("]")
            }
            Value::Array(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Value::Map(entries) => {
                f.write_str("{")?;
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}={v}")?;
                }
                f.write_str("}")
            }
            Value::Struct(s) => write!(f, "{s}"),
            Value::Decimal(d) => f.write_str(&big_decimal_to_string(d)),
            Value::Timestamp(ms) => f.write_str(&date_to_string(*ms)),
        }
    }
}

macro_rules! from_impls {
    ($($t:ty => $variant:ident),* $(,)?) => {
        $(
            impl From<$t> for Value {
                fn from(v: $t) -> Value {
                    Value::$variant(v.into())
                }
            }
        )*
    };
}

from_impls! {
    i8 => Int8,
    i16 => Int16,
    i32 => Int32,
    i64 => Int64,
    f32 => Float32,
    f64 => Float64,
    bool => Boolean,
    String => String,
    &str => String,
    Bytes => Bytes,
    Vec<u8> => Bytes,
    Vec<Value> => Array,
    Struct => Struct,
    BigDecimal => Decimal,
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn display_is_java_to_string() {
        assert_eq!(Value::from(1.0f64).to_string(), "1.0");
        assert_eq!(Value::from(1.5e10f64).to_string(), "1.5E10");
        assert_eq!(Value::from(12.34f32).to_string(), "12.34");
        assert_eq!(
            Value::Array(vec![1.into(), 2.into(), Value::Null]).to_string(),
            "[1, 2, null]"
        );
        assert_eq!(
            Value::Map(vec![
                ("a".into(), 1.into()),
                ("b".into(), Value::Array(vec![true.into(), Value::Null]))
            ])
            .to_string(),
            "{a=1, b=[true, null]}"
        );
        assert_eq!(
            Value::Decimal(BigDecimal::from_str("1.5600").unwrap()).to_string(),
            "1.5600"
        );
        assert_eq!(
            Value::Timestamp(0).to_string(),
            "Thu Jan 01 00:00:00 UTC 1970"
        );
        assert_eq!(Value::Null.to_string(), "null");
        assert_eq!(
            Value::Bytes(Bytes::from_static(&[1, 255])).to_string(),
            "[1, -1]"
        );
    }

    #[test]
    fn accessors() {
        assert_eq!(Value::Int32(5).as_i64(), Some(5));
        assert_eq!(Value::from("x").as_str(), Some("x"));
        assert_eq!(Value::from(Option::<i32>::None), Value::Null);
        let m = Value::Map(vec![("k".into(), 3i64.into())]);
        assert_eq!(m.map_get("k"), Some(&Value::Int64(3)));
        assert_eq!(m.map_get("z"), None);
    }
}
