//! The Connect schema types (Java's `Schema.Type`).

use std::fmt;

/// The type of a Connect schema: eight primitive kinds, bytes, and the three containers.
///
/// `Display` prints the upper-case Java enum name (`INT32`, `STRUCT`) as Apache's messages do;
/// [`Type::name`] is the lower-case form used in JSON schemas and transform specs (`int32`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Type {
    /// 8-bit signed integer.
    Int8,
    /// 16-bit signed integer.
    Int16,
    /// 32-bit signed integer.
    Int32,
    /// 64-bit signed integer.
    Int64,
    /// 32-bit IEEE 754 floating point number.
    Float32,
    /// 64-bit IEEE 754 floating point number.
    Float64,
    /// Boolean value (true or false).
    Boolean,
    /// Character string (UTF-8).
    String,
    /// Sequence of unsigned 8-bit bytes.
    Bytes,
    /// An ordered sequence of elements, each of the same schema.
    Array,
    /// A mapping from keys to values; keys and values each have one schema.
    Map,
    /// A structured record with named, typed fields.
    Struct,
}

impl Type {
    /// Every type, in Java's enum order.
    pub const ALL: [Type; 12] = [
        Type::Int8,
        Type::Int16,
        Type::Int32,
        Type::Int64,
        Type::Float32,
        Type::Float64,
        Type::Boolean,
        Type::String,
        Type::Bytes,
        Type::Array,
        Type::Map,
        Type::Struct,
    ];

    /// The lower-case name (Java's `Type.getName()`), e.g. `"int32"`.
    pub fn name(self) -> &'static str {
        match self {
            Type::Int8 => "int8",
            Type::Int16 => "int16",
            Type::Int32 => "int32",
            Type::Int64 => "int64",
            Type::Float32 => "float32",
            Type::Float64 => "float64",
            Type::Boolean => "boolean",
            Type::String => "string",
            Type::Bytes => "bytes",
            Type::Array => "array",
            Type::Map => "map",
            Type::Struct => "struct",
        }
    }

    /// The upper-case Java enum name, e.g. `"INT32"`.
    pub fn java_name(self) -> &'static str {
        match self {
            Type::Int8 => "INT8",
            Type::Int16 => "INT16",
            Type::Int32 => "INT32",
            Type::Int64 => "INT64",
            Type::Float32 => "FLOAT32",
            Type::Float64 => "FLOAT64",
            Type::Boolean => "BOOLEAN",
            Type::String => "STRING",
            Type::Bytes => "BYTES",
            Type::Array => "ARRAY",
            Type::Map => "MAP",
            Type::Struct => "STRUCT",
        }
    }

    /// Looks a type up by its lower-case name (`"int32"`), as JSON schemas spell it.
    pub fn from_name(name: &str) -> Option<Type> {
        Type::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Whether this is one of the nine primitive types (everything but array, map and struct).
    pub fn is_primitive(self) -> bool {
        !matches!(self, Type::Array | Type::Map | Type::Struct)
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.java_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(Type::Int32.name(), "int32");
        assert_eq!(Type::Float64.to_string(), "FLOAT64");
        assert_eq!(Type::from_name("struct"), Some(Type::Struct));
        assert_eq!(Type::from_name("STRUCT"), None);
        assert!(Type::Bytes.is_primitive());
        assert!(!Type::Map.is_primitive());
    }
}
