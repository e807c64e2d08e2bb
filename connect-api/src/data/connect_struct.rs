//! Structs: values of STRUCT schemas, validated on every put (Java's `Struct`).

use std::fmt;

use bytes::Bytes;

use super::{validate_field_value, Field, Schema, Type, Value};
use crate::errors::{ConnectError, Result};

/// A structured value with a fixed [`Schema`] of type STRUCT.
///
/// Every `put` is validated against the field's schema at once, with Apache's messages.
/// [`Struct::get`] substitutes a field's default for an unset value; `Display` prints only the
/// fields that were set: `Struct{id=7,amount=3.7,ok=true}`.
///
/// ```
/// use connect_api::data::{SchemaBuilder, Struct, INT32_SCHEMA, OPTIONAL_STRING_SCHEMA};
///
/// let schema = SchemaBuilder::struct_()
///     .field("id", INT32_SCHEMA.clone())
///     .field("note", OPTIONAL_STRING_SCHEMA.clone())
///     .build()?;
/// let mut s = Struct::new(schema)?;
/// s.put("id", 7)?;
/// assert_eq!(s.to_string(), "Struct{id=7}");
/// assert!(s.put("id", "seven").is_err());
/// # Ok::<(), connect_api::errors::ConnectError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Struct {
    schema: Schema,
    values: Vec<Value>,
}

impl Struct {
    /// An empty struct (every field unset) of a STRUCT schema.
    pub fn new(schema: Schema) -> Result<Struct> {
        if schema.schema_type() != Type::Struct {
            return Err(ConnectError::data(format!("Not a struct schema: {schema}")));
        }
        let n = schema.inner().fields.len();
        Ok(Struct {
            schema,
            values: vec![Value::Null; n],
        })
    }

    /// The struct's schema.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    fn lookup(&self, name: &str) -> Result<&Field> {
        lookup_in(&self.schema, name)
    }

    /// Sets a field by name, validating the value against the field's schema.
    pub fn put(&mut self, name: &str, value: impl Into<Value>) -> Result<&mut Self> {
        // A second handle on the (shared) schema, so the field is borrowed, not copied.
        let schema = self.schema.clone();
        let field = lookup_in(&schema, name)?;
        self.put_field(field, value)
    }

    /// Sets a field, validating the value against the field's schema.
    pub fn put_field(&mut self, field: &Field, value: impl Into<Value>) -> Result<&mut Self> {
        let value = value.into();
        validate_field_value(field.name(), field.schema(), &value)?;
        match self.values.get_mut(field.index()) {
            Some(slot) if owns(&self.schema, field) => {
                *slot = value;
                Ok(self)
            }
            _ => Err(ConnectError::data(format!(
                "{} is not a valid field name",
                field.name()
            ))),
        }
    }

    /// The value of a field, or the field's default when the value is unset.
    pub fn get(&self, name: &str) -> Result<&Value> {
        let field = self.lookup(name)?;
        Ok(self.get_field(field))
    }

    /// The value of a field, or the field's default when the value is unset.
    ///
    /// A field of another schema is looked up by name; one this struct does not have reads as
    /// `Null` rather than panicking.
    pub fn get_field<'a>(&'a self, field: &'a Field) -> &'a Value {
        static NULL: Value = Value::Null;
        let fields = &self.schema.inner().fields;
        let index = match fields.get(field.index()) {
            Some(f) if f.name() == field.name() => Some(field.index()),
            _ => fields.iter().position(|f| f.name() == field.name()),
        };
        let Some(v) = index.and_then(|i| self.values.get(i)) else {
            return &NULL;
        };
        match (v, field.schema().default_value()) {
            (Value::Null, Some(d)) => d,
            _ => v,
        }
    }

    /// Moves a field's stored value out (without substituting the default), leaving the field
    /// unset.
    ///
    /// For transformations that rebuild a struct under a new schema: moving each value into
    /// the new struct avoids copying strings, bytes and nested structs. `field` must be a field
    /// of this struct's schema.
    ///
    /// ```
    /// use connect_api::data::{SchemaBuilder, Struct, Value, STRING_SCHEMA};
    ///
    /// let schema = SchemaBuilder::struct_().field("name", STRING_SCHEMA.clone()).build()?;
    /// let mut s = Struct::new(schema.clone())?;
    /// s.put("name", "ada")?;
    /// let field = schema.field("name")?.expect("declared above");
    /// assert_eq!(s.take_field(field)?, Value::String("ada".into()));
    /// assert!(s.get_without_default("name")?.is_null());
    /// # Ok::<(), connect_api::errors::ConnectError>(())
    /// ```
    pub fn take_field(&mut self, field: &Field) -> Result<Value> {
        match self.values.get_mut(field.index()) {
            Some(slot) if owns(&self.schema, field) => Ok(std::mem::replace(slot, Value::Null)),
            _ => Err(ConnectError::data(format!(
                "{} is not a valid field name",
                field.name()
            ))),
        }
    }

    /// The value of a field as stored, without substituting the default.
    pub fn get_without_default(&self, name: &str) -> Result<&Value> {
        let field = self.lookup(name)?;
        Ok(&self.values[field.index()])
    }

    /// The stored values in field order (unset fields are `Null`).
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    fn typed(&self, name: &str, expected: Type) -> Result<&Value> {
        let field = self.lookup(name)?;
        if field.schema().schema_type() != expected {
            return Err(ConnectError::data(format!(
                "Field '{name}' is not of type {expected}"
            )));
        }
        Ok(&self.values[field.index()])
    }

    /// A STRING field's raw value (no default substitution), checking the field's type.
    pub fn get_string(&self, name: &str) -> Result<Option<&str>> {
        Ok(self.typed(name, Type::String)?.as_str())
    }

    /// An INT32 field's raw value, checking the field's type.
    pub fn get_int32(&self, name: &str) -> Result<Option<i32>> {
        Ok(match self.typed(name, Type::Int32)? {
            Value::Int32(v) => Some(*v),
            _ => None,
        })
    }

    /// An INT64 field's raw value, checking the field's type.
    pub fn get_int64(&self, name: &str) -> Result<Option<i64>> {
        Ok(match self.typed(name, Type::Int64)? {
            Value::Int64(v) => Some(*v),
            _ => None,
        })
    }

    /// A FLOAT64 field's raw value, checking the field's type.
    pub fn get_float64(&self, name: &str) -> Result<Option<f64>> {
        Ok(match self.typed(name, Type::Float64)? {
            Value::Float64(v) => Some(*v),
            _ => None,
        })
    }

    /// A BOOLEAN field's raw value, checking the field's type.
    pub fn get_boolean(&self, name: &str) -> Result<Option<bool>> {
        Ok(self.typed(name, Type::Boolean)?.as_bool())
    }

    /// A BYTES field's raw value, checking the field's type.
    pub fn get_bytes(&self, name: &str) -> Result<Option<&Bytes>> {
        Ok(self.typed(name, Type::Bytes)?.as_bytes())
    }

    /// A STRUCT field's raw value, checking the field's type.
    pub fn get_struct(&self, name: &str) -> Result<Option<&Struct>> {
        Ok(self.typed(name, Type::Struct)?.as_struct())
    }

    /// An ARRAY field's raw value, checking the field's type.
    pub fn get_array(&self, name: &str) -> Result<Option<&[Value]>> {
        Ok(self.typed(name, Type::Array)?.as_array())
    }

    /// A MAP field's raw entries, checking the field's type.
    pub fn get_map(&self, name: &str) -> Result<Option<&[(Value, Value)]>> {
        Ok(self.typed(name, Type::Map)?.as_map())
    }

    /// Checks every field: a null value is fine if the field is optional or has a default;
    /// otherwise each value must be valid for its field schema.
    pub fn validate(&self) -> Result<()> {
        for field in self.schema.inner().fields.iter() {
            let value = &self.values[field.index()];
            let schema = field.schema();
            if value.is_null() && (schema.is_optional() || schema.default_value().is_some()) {
                continue;
            }
            validate_field_value(field.name(), schema, value)?;
        }
        Ok(())
    }
}

/// Java's `Struct.toString()`: only fields with a stored non-null value, no spaces.
/// Whether `field` is the field of `schema` at its index: the same `Field` (the common case,
/// a field taken from the struct's own schema handle) or one of the same name.
fn owns(schema: &Schema, field: &Field) -> bool {
    schema
        .inner()
        .fields
        .get(field.index())
        .is_some_and(|f| std::ptr::eq(f, field) || f.name() == field.name())
}

fn lookup_in<'a>(schema: &'a Schema, name: &str) -> Result<&'a Field> {
    schema
        .inner()
        .field_by_name(name)
        .ok_or_else(|| ConnectError::data(format!("{name} is not a valid field name")))
}

impl fmt::Display for Struct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Struct{")?;
        let mut first = true;
        for (field, value) in self.schema.inner().fields.iter().zip(&self.values) {
            if value.is_null() {
                continue;
            }
            if !first {
                f.write_str(",")?;
            }
            first = false;
            write!(f, "{}={}", field.name(), value)?;
        }
        f.write_str("}")
    }
}

/// How `validate_value` checks a nested struct: same schema, then every field.
pub(crate) fn validate_struct_against(schema: &Schema, s: &Struct) -> Result<()> {
    if s.schema() != schema {
        return Err(ConnectError::data("Struct schemas do not match."));
    }
    s.validate()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{SchemaBuilder, INT32_SCHEMA, OPTIONAL_INT64_SCHEMA, OPTIONAL_STRING_SCHEMA};

    fn schema() -> Schema {
        SchemaBuilder::struct_()
            .field("a", INT32_SCHEMA.clone())
            .field("b", OPTIONAL_STRING_SCHEMA.clone())
            .field("c", OPTIONAL_INT64_SCHEMA.clone())
            .build()
            .unwrap()
    }

    #[test]
    fn to_string_skips_nulls() {
        let mut s = Struct::new(schema()).unwrap();
        assert_eq!(s.to_string(), "Struct{}");
        s.put("a", 1).unwrap().put("b", "x").unwrap();
        assert_eq!(s.to_string(), "Struct{a=1,b=x}");
        let outer_schema = SchemaBuilder::struct_()
            .field("inner", schema())
            .build()
            .unwrap();
        let mut outer = Struct::new(outer_schema).unwrap();
        outer.put("inner", s).unwrap();
        assert_eq!(outer.to_string(), "Struct{inner=Struct{a=1,b=x}}");
    }

    #[test]
    fn example_from_issue() {
        let schema = SchemaBuilder::struct_()
            .field("id", INT32_SCHEMA.clone())
            .field("amount", crate::data::FLOAT64_SCHEMA.clone())
            .field("ok", crate::data::BOOLEAN_SCHEMA.clone())
            .build()
            .unwrap();
        let mut s = Struct::new(schema).unwrap();
        s.put("id", 7).unwrap();
        s.put("amount", 3.7).unwrap();
        s.put("ok", true).unwrap();
        assert_eq!(s.to_string(), "Struct{id=7,amount=3.7,ok=true}");
    }

    #[test]
    fn get_field_of_another_schema_never_panics() {
        let mut s = Struct::new(schema()).unwrap();
        s.put("b", "x").unwrap();
        let wider = SchemaBuilder::struct_()
            .field("z", INT32_SCHEMA.clone())
            .field("y", INT32_SCHEMA.clone())
            .field("x", INT32_SCHEMA.clone())
            .field("b", OPTIONAL_STRING_SCHEMA.clone())
            .build()
            .unwrap();
        let fields = wider.fields().unwrap();
        assert_eq!(s.get_field(&fields[3]), &Value::from("x"));
        assert_eq!(s.get_field(&fields[2]), &Value::Null);
    }

    #[test]
    fn put_validates() {
        let mut s = Struct::new(schema()).unwrap();
        assert_eq!(
            s.put("zzz", 1).unwrap_err().to_string(),
            "zzz is not a valid field name"
        );
        assert_eq!(
            s.put("a", Value::Null).unwrap_err().to_string(),
            "Invalid value: null used for required field: \"a\", schema type: INT32"
        );
        assert_eq!(
            s.put("a", 1i64).unwrap_err().to_string(),
            "Invalid Java object for schema with type INT32: class java.lang.Long for field: \"a\""
        );
        assert_eq!(
            Struct::new(INT32_SCHEMA.clone()).unwrap_err().to_string(),
            "Not a struct schema: Schema{INT32}"
        );
    }

    #[test]
    fn defaults_and_validate() {
        let schema = SchemaBuilder::struct_()
            .field(
                "a",
                SchemaBuilder::int32().default_value(42).build().unwrap(),
            )
            .field("b", INT32_SCHEMA.clone())
            .build()
            .unwrap();
        let mut s = Struct::new(schema).unwrap();
        assert_eq!(s.get("a").unwrap(), &Value::Int32(42));
        assert_eq!(s.get_without_default("a").unwrap(), &Value::Null);
        assert_eq!(s.get_int32("a").unwrap(), None);
        assert_eq!(
            s.validate().unwrap_err().to_string(),
            "Invalid value: null used for required field: \"b\", schema type: INT32"
        );
        s.put("b", 1).unwrap();
        s.validate().unwrap();
        assert_eq!(s.to_string(), "Struct{b=1}");
        assert_eq!(
            s.get_string("b").unwrap_err().to_string(),
            "Field 'b' is not of type STRING"
        );
    }
}
