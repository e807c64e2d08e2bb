//! A value together with its (optional) schema.

use std::fmt;

use super::{Schema, Value};

/// A value and its schema, as converters return them (Java's `SchemaAndValue`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SchemaAndValue {
    /// The schema, or `None` for schemaless data.
    pub schema: Option<Schema>,
    /// The value (`Null` for none).
    pub value: Value,
}

impl SchemaAndValue {
    /// No schema and no value (Java's `SchemaAndValue.NULL`).
    pub const NULL: SchemaAndValue = SchemaAndValue {
        schema: None,
        value: Value::Null,
    };

    /// A value with a schema.
    pub fn new(schema: Option<Schema>, value: Value) -> SchemaAndValue {
        SchemaAndValue { schema, value }
    }
}

/// Java's `SchemaAndValue.toString()`.
impl fmt::Display for SchemaAndValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SchemaAndValue{schema=")?;
        match &self.schema {
            Some(s) => write!(f, "{s}")?,
            None => f.write_str("null")?,
        }
        write!(f, ", value={}}}", self.value)
    }
}
