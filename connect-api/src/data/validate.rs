//! `ConnectSchema.validateValue`: does a value fit a schema?

use super::connect_struct::validate_struct_against;
use super::logical::{Date, Decimal, Time, Timestamp};
use super::{Schema, Type, Value};
use crate::errors::{ConnectError, Result};

/// Checks that `value` is valid for `schema`, with Apache's rules and messages.
///
/// A null value is valid only for an optional schema (defaults are not consulted); the value's
/// variant must match the schema's type (logical types by name: `Decimal` needs
/// [`Value::Decimal`], `Date`/`Time`/`Timestamp` need [`Value::Timestamp`]); structs must have
/// an equal schema and be valid; array elements and map entries are checked recursively.
pub fn validate_value(schema: &Schema, value: &Value) -> Result<()> {
    validate_at(schema, value, &Location::Value)
}

/// As [`validate_value`], naming the struct field in messages (`field: "<name>"`).
pub fn validate_field_value(field: &str, schema: &Schema, value: &Value) -> Result<()> {
    validate_at(schema, value, &Location::Field(field))
}

enum Location<'a> {
    Value,
    Field(&'a str),
    Nested(&'static str, &'a Location<'a>),
}

impl std::fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Value => f.write_str("value"),
            Location::Field(name) => write!(f, "field: \"{name}\""),
            Location::Nested(prefix, inner) => write!(f, "{prefix} {inner}"),
        }
    }
}

fn class_matches(schema: &Schema, value: &Value) -> bool {
    match schema.name() {
        Some(Decimal::LOGICAL_NAME) => return matches!(value, Value::Decimal(_)),
        Some(Date::LOGICAL_NAME | Time::LOGICAL_NAME | Timestamp::LOGICAL_NAME) => {
            return matches!(value, Value::Timestamp(_))
        }
        _ => {}
    }
    matches!(
        (schema.schema_type(), value),
        (Type::Int8, Value::Int8(_))
            | (Type::Int16, Value::Int16(_))
            | (Type::Int32, Value::Int32(_))
            | (Type::Int64, Value::Int64(_))
            | (Type::Float32, Value::Float32(_))
            | (Type::Float64, Value::Float64(_))
            | (Type::Boolean, Value::Boolean(_))
            | (Type::String, Value::String(_))
            | (Type::Bytes, Value::Bytes(_))
            | (Type::Array, Value::Array(_))
            | (Type::Map, Value::Map(_))
            | (Type::Struct, Value::Struct(_))
    )
}

fn validate_at(schema: &Schema, value: &Value, location: &Location<'_>) -> Result<()> {
    if value.is_null() {
        if !schema.is_optional() {
            return Err(ConnectError::data(format!(
                "Invalid value: null used for required {location}, schema type: {}",
                schema.schema_type()
            )));
        }
        return Ok(());
    }
    if !class_matches(schema, value) {
        let mut msg = String::from("Invalid Java object for schema");
        if let Some(name) = schema.name() {
            msg.push_str(&format!(" \"{name}\""));
        }
        msg.push_str(&format!(
            " with type {}: class {} for {location}",
            schema.schema_type(),
            value.java_class_name()
        ));
        return Err(ConnectError::data(msg));
    }
    match value {
        Value::Struct(s) => validate_struct_against(schema, s),
        Value::Array(items) => {
            let loc = Location::Nested("element of array", location);
            let element = schema
                .value_schema()
                .ok_or_else(|| ConnectError::data(format!("No schema defined for {loc}")))?;
            items.iter().try_for_each(|v| validate_at(element, v, &loc))
        }
        Value::Map(entries) => {
            let key_loc = Location::Nested("key of map", location);
            let value_loc = Location::Nested("value of map", location);
            let key_schema = schema
                .key_schema()
                .ok_or_else(|| ConnectError::data(format!("No schema defined for {key_loc}")))?;
            let value_schema = schema
                .value_schema()
                .ok_or_else(|| ConnectError::data(format!("No schema defined for {value_loc}")))?;
            entries.iter().try_for_each(|(k, v)| {
                validate_at(key_schema, k, &key_loc)?;
                validate_at(value_schema, v, &value_loc)
            })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::*;

    #[test]
    fn primitives() {
        validate_value(&INT8_SCHEMA, &Value::Int8(1)).unwrap();
        validate_value(&BYTES_SCHEMA, &Value::Bytes(vec![1u8].into())).unwrap();
        assert_eq!(
            validate_value(&INT64_SCHEMA, &Value::Int32(1))
                .unwrap_err()
                .to_string(),
            "Invalid Java object for schema with type INT64: class java.lang.Integer for value"
        );
        assert_eq!(
            validate_value(&STRING_SCHEMA, &Value::Null)
                .unwrap_err()
                .to_string(),
            "Invalid value: null used for required value, schema type: STRING"
        );
        validate_value(&OPTIONAL_STRING_SCHEMA, &Value::Null).unwrap();
    }

    #[test]
    fn logical_by_name() {
        let dec = Decimal::schema(2);
        assert_eq!(
            validate_value(&dec, &Value::Bytes(vec![1u8].into()))
                .unwrap_err()
                .to_string(),
            "Invalid Java object for schema \"org.apache.kafka.connect.data.Decimal\" with type BYTES: class [B for value"
        );
        validate_value(&Date::schema(), &Value::Timestamp(0)).unwrap();
        assert!(validate_value(&Date::schema(), &Value::Int32(0)).is_err());
        // an unknown name falls back to the type
        let named = SchemaBuilder::int32().name("x.y").build().unwrap();
        validate_value(&named, &Value::Int32(3)).unwrap();
    }

    #[test]
    fn containers() {
        let arr = SchemaBuilder::array(INT32_SCHEMA.clone()).build().unwrap();
        validate_value(&arr, &Value::Array(vec![1.into(), 2.into()])).unwrap();
        assert_eq!(
            validate_value(&arr, &Value::Array(vec![Value::Null]))
                .unwrap_err()
                .to_string(),
            "Invalid value: null used for required element of array value, schema type: INT32"
        );
        let map = SchemaBuilder::map(STRING_SCHEMA.clone(), INT32_SCHEMA.clone())
            .build()
            .unwrap();
        assert_eq!(
            validate_value(&map, &Value::Map(vec![(1.into(), 1.into())]))
                .unwrap_err()
                .to_string(),
            "Invalid Java object for schema with type STRING: class java.lang.Integer for key of map value"
        );
        let untyped = SchemaBuilder::container_without_element_schemas(Type::Array, None, None)
            .build()
            .unwrap();
        assert_eq!(
            validate_value(&untyped, &Value::Array(vec![]))
                .unwrap_err()
                .to_string(),
            "No schema defined for element of array value"
        );
    }

    #[test]
    fn struct_schema_must_match() {
        let a = SchemaBuilder::struct_()
            .field("x", INT32_SCHEMA.clone())
            .build()
            .unwrap();
        let b = SchemaBuilder::struct_()
            .field("y", INT32_SCHEMA.clone())
            .build()
            .unwrap();
        let s = Struct::new(b).unwrap();
        assert_eq!(
            validate_value(&a, &Value::Struct(s))
                .unwrap_err()
                .to_string(),
            "Struct schemas do not match."
        );
    }
}
