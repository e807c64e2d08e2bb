//! `Cast`: casts fields, or the whole key or value, to another primitive type.
//!
//! Mirrors `org.apache.kafka.connect.transforms.Cast$Key` / `Cast$Value`.
//!
//! | key | type | default | |
//! |---|---|---|---|
//! | `spec` | LIST | required | `field:type` pairs, or one bare `type` to cast the whole value |
//! | `replace.null.with.default` | BOOLEAN | `true` | read struct fields with default substitution |
//!
//! Target types: `int8 int16 int32 int64 float32 float64 boolean string`. Sources: the
//! primitives, bytes (to string only, as Base64), and the logical types (Decimal as its number,
//! Date/Time/Timestamp as days / millis-of-day / epoch millis, or formatted as text).

use std::collections::HashMap;
use std::marker::PhantomData;

use base64::Engine as _;
use connect_api::config::{
    ConfigDef, ConfigError, ConfigKey, ConfigType, Importance, LambdaValidator, ParsedValue,
};
use connect_api::connector::ConnectRecord;
use connect_api::data::java_format::{format_date, format_time, format_timestamp};
use connect_api::data::{Date, Schema, SchemaBuilder, Struct, Time, Timestamp, Type, Value};
use connect_api::errors::{ConnectError, Result};
use connect_api::transforms::Transformation;

use crate::config::{
    replace_null_with_default_key, SimpleConfig, REPLACE_NULL_WITH_DEFAULT_CONFIG,
};
use crate::java_num::{parse_java_double, parse_java_float, parse_java_integer, JavaNumber};
use crate::key_or_value::{KeySide, Side, ValueSide};
use crate::requirements::{into_map, into_struct, map_get, map_put, take_field_value};
use crate::schema_util::{copy_schema_basics, SchemaCache};

/// The `spec` key.
pub const SPEC_CONFIG: &str = "spec";
const PURPOSE: &str = "cast types";
const MILLIS_PER_DAY: i64 = 86_400_000;

const SUPPORTED_INPUT: [Type; 9] = [
    Type::Int8,
    Type::Int16,
    Type::Int32,
    Type::Int64,
    Type::Float32,
    Type::Float64,
    Type::Boolean,
    Type::String,
    Type::Bytes,
];
const SUPPORTED_OUTPUT: [Type; 8] = [
    Type::Int8,
    Type::Int16,
    Type::Int32,
    Type::Int64,
    Type::Float32,
    Type::Float64,
    Type::Boolean,
    Type::String,
];

/// Casts fields or the entire key/value to a specific type (Apache's `Cast`).
///
/// `Cast<KeySide>` is `org.apache.kafka.connect.transforms.Cast$Key`, `Cast<ValueSide>` is
/// `...Cast$Value`. Derived struct schemas are cached per input schema.
#[derive(Debug, Default)]
pub struct Cast<S: Side> {
    casts: HashMap<String, Type>,
    /// Spec fields in configuration order (for schemaless maps).
    order: Vec<String>,
    whole_value_cast: Option<Type>,
    replace_null_with_default: bool,
    cache: SchemaCache,
    side: PhantomData<S>,
}

/// `org.apache.kafka.connect.transforms.Cast$Key`.
pub type CastKey = Cast<KeySide>;
/// `org.apache.kafka.connect.transforms.Cast$Value`.
pub type CastValue = Cast<ValueSide>;

/// The parsed `spec`: field casts in order (last wins) and the whole-value cast.
type Spec = (Vec<(String, Type)>, Option<Type>);

/// Java's `String.split(":")`: trailing empty strings removed.
fn java_split_colon(s: &str) -> Vec<&str> {
    let mut parts: Vec<&str> = s.split(':').collect();
    if s.is_empty() {
        return parts;
    }
    while parts.last() == Some(&"") {
        parts.pop();
    }
    parts
}

fn parse_type(name: &str) -> std::result::Result<Type, ConfigError> {
    let trimmed = name.trim();
    let target = Type::from_name(&trimmed.to_ascii_lowercase()).ok_or_else(|| {
        ConfigError::other(
            Some(SPEC_CONFIG),
            format!("Invalid type found in casting spec: {trimmed}"),
        )
    })?;
    if !SUPPORTED_OUTPUT.contains(&target) {
        return Err(ConfigError::other(
            Some(SPEC_CONFIG),
            format!(
                "Cast transformation does not support casting to {target}; supported types are {}",
                type_list(&SUPPORTED_OUTPUT)
            ),
        ));
    }
    Ok(target)
}

fn type_list(types: &[Type]) -> String {
    let names: Vec<&str> = types.iter().map(|t| t.java_name()).collect();
    format!("[{}]", names.join(", "))
}

/// Java's `Cast.parseFieldTypes`, with its messages.
fn parse_field_types(mappings: &[String]) -> std::result::Result<Spec, ConfigError> {
    let mut fields: Vec<(String, Type)> = Vec::new();
    let mut whole = None;
    for mapping in mappings {
        let parts = java_split_colon(mapping);
        match parts.as_slice() {
            [target] => whole = Some(parse_type(target)?),
            [field, target] => {
                let t = parse_type(target)?;
                let field = field.trim().to_owned();
                fields.retain(|(f, _)| *f != field);
                fields.push((field, t));
            }
            _ => {
                // Apache reuses ReplaceField's key name here (sic).
                return Err(ConfigError::other(
                    Some(SPEC_CONFIG),
                    format!(
                        "Invalid value [{}] for configuration renames: Invalid rename mapping: {mapping}",
                        mappings.join(", ")
                    ),
                ));
            }
        }
    }
    if whole.is_some() && mappings.len() > 1 {
        return Err(ConfigError::other(
            Some(SPEC_CONFIG),
            "Cast transformations that specify a type to cast the entire value to may only specify a single cast in their spec",
        ));
    }
    Ok((fields, whole))
}

fn validate_spec(name: &str, value: Option<&ParsedValue>) -> std::result::Result<(), ConfigError> {
    match value.and_then(ParsedValue::as_list) {
        Some(list) if !list.is_empty() => parse_field_types(list).map(|_| ()),
        _ => Err(ConfigError::other(
            Some(name),
            "Must specify at least one field to cast.",
        )),
    }
}

/// The definition of Cast's configuration.
pub fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(SPEC_CONFIG, ConfigType::List)
                .validator(LambdaValidator::with(
                    validate_spec,
                    "list of colon-delimited pairs, e.g. <code>foo:bar,abc:xyz</code>",
                ))
                .importance(Importance::High)
                .doc("List of fields and the type to cast them to of the form field1:type,field2:type to cast fields of Maps or Structs. A single type to cast the entire value. Valid types are int8, int16, int32, int64, float32, float64, boolean, and string. Note that binary fields can only be cast to string."),
        )
        .define(replace_null_with_default_key())
}

/// The Connect type of a schemaless value (Java's `ConnectSchema.schemaType(class)`).
fn schemaless_type(value: &Value) -> Option<Type> {
    Some(match value {
        Value::Int8(_) => Type::Int8,
        Value::Int16(_) => Type::Int16,
        Value::Int32(_) => Type::Int32,
        Value::Int64(_) => Type::Int64,
        Value::Float32(_) => Type::Float32,
        Value::Float64(_) => Type::Float64,
        Value::Boolean(_) => Type::Boolean,
        Value::String(_) => Type::String,
        Value::Bytes(_) => Type::Bytes,
        Value::Array(_) => Type::Array,
        Value::Map(_) => Type::Map,
        Value::Struct(_) => Type::Struct,
        _ => return None,
    })
}

fn unexpected(value: &Value) -> ConnectError {
    ConnectError::data(format!(
        "Unexpected type in Cast transformation: class {}",
        value.java_class_name()
    ))
}

fn out_of_range(s: &str) -> ConnectError {
    ConnectError::data(format!(
        "Value ({s}) was out of range for requested data type"
    ))
}

fn as_number(value: &Value) -> Option<JavaNumber<'_>> {
    Some(match value {
        Value::Int8(v) => JavaNumber::Integer(i64::from(*v)),
        Value::Int16(v) => JavaNumber::Integer(i64::from(*v)),
        Value::Int32(v) => JavaNumber::Integer(i64::from(*v)),
        Value::Int64(v) => JavaNumber::Integer(*v),
        Value::Float32(v) => JavaNumber::Float(*v),
        Value::Float64(v) => JavaNumber::Double(*v),
        Value::Decimal(d) => JavaNumber::Decimal(d),
        _ => return None,
    })
}

/// Java's `Values.dateFormatFor(date).format(date)`, in UTC.
pub(crate) fn format_java_date(millis: i64) -> String {
    if millis < MILLIS_PER_DAY {
        format_time(millis)
    } else if millis % MILLIS_PER_DAY == 0 {
        format_date(millis)
    } else {
        format_timestamp(millis)
    }
}

/// Java's `Cast.castValueToType`.
fn cast_value_to_type(schema: Option<&Schema>, value: &Value, target: Type) -> Result<Value> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    let inferred = match schema {
        Some(s) => s.schema_type(),
        None => schemaless_type(value).ok_or_else(|| {
            ConnectError::data(format!(
                "Cast transformation was passed a value of type class {} which is not supported by Connect's data API",
                value.java_class_name()
            ))
        })?,
    };
    if !SUPPORTED_INPUT.contains(&inferred) {
        return Err(ConnectError::data(format!(
            "Cast transformation does not support casting from {inferred}; supported types are {}",
            type_list(&SUPPORTED_INPUT)
        )));
    }
    // Logical types are reduced to their encoded number unless formatted as text.
    let encoded;
    let value = match (schema.and_then(Schema::name), value) {
        (Some(name), Value::Timestamp(ms)) if target != Type::String => {
            encoded = match name {
                Date::LOGICAL_NAME => Value::Int32(Date::from_logical(schema_or(schema)?, *ms)?),
                Time::LOGICAL_NAME => Value::Int32(Time::from_logical(schema_or(schema)?, *ms)?),
                Timestamp::LOGICAL_NAME => {
                    Value::Int64(Timestamp::from_logical(schema_or(schema)?, *ms)?)
                }
                _ => value.clone(),
            };
            &encoded
        }
        _ => value,
    };
    Ok(match target {
        Type::Int8 => Value::Int8(match (value, as_number(value)) {
            (_, Some(n)) => n.byte_value(),
            (Value::Boolean(b), _) => i8::from(*b),
            (Value::String(s), _) => parse_java_integer(s).ok_or_else(|| out_of_range(s))?,
            _ => return Err(unexpected(value)),
        }),
        Type::Int16 => Value::Int16(match (value, as_number(value)) {
            (_, Some(n)) => n.short_value(),
            (Value::Boolean(b), _) => i16::from(*b),
            (Value::String(s), _) => parse_java_integer(s).ok_or_else(|| out_of_range(s))?,
            _ => return Err(unexpected(value)),
        }),
        Type::Int32 => Value::Int32(match (value, as_number(value)) {
            (_, Some(n)) => n.int_value(),
            (Value::Boolean(b), _) => i32::from(*b),
            (Value::String(s), _) => parse_java_integer(s).ok_or_else(|| out_of_range(s))?,
            _ => return Err(unexpected(value)),
        }),
        Type::Int64 => Value::Int64(match (value, as_number(value)) {
            (_, Some(n)) => n.long_value(),
            (Value::Boolean(b), _) => i64::from(*b),
            (Value::String(s), _) => parse_java_integer(s).ok_or_else(|| out_of_range(s))?,
            _ => return Err(unexpected(value)),
        }),
        Type::Float32 => Value::Float32(match (value, as_number(value)) {
            (_, Some(n)) => n.float_value(),
            (Value::Boolean(b), _) => {
                if *b {
                    1.0
                } else {
                    0.0
                }
            }
            (Value::String(s), _) => parse_java_float(s).ok_or_else(|| out_of_range(s))?,
            _ => return Err(unexpected(value)),
        }),
        Type::Float64 => Value::Float64(match (value, as_number(value)) {
            (_, Some(n)) => n.double_value(),
            (Value::Boolean(b), _) => {
                if *b {
                    1.0
                } else {
                    0.0
                }
            }
            (Value::String(s), _) => parse_java_double(s).ok_or_else(|| out_of_range(s))?,
            _ => return Err(unexpected(value)),
        }),
        Type::Boolean => Value::Boolean(match (value, as_number(value)) {
            (_, Some(n)) => n.long_value() != 0,
            (Value::Boolean(b), _) => *b,
            (Value::String(s), _) => s.eq_ignore_ascii_case("true"),
            _ => return Err(unexpected(value)),
        }),
        Type::String => Value::String(match (value, as_number(value)) {
            (_, Some(n)) => n.to_java_string(),
            (Value::Timestamp(ms), _) => format_java_date(*ms),
            (Value::Bytes(b), _) => base64::engine::general_purpose::STANDARD.encode(b),
            (Value::String(s), _) => s.clone(),
            (other, _) => other.to_string(),
        }),
        other => {
            return Err(ConnectError::data(format!(
                "{other} is not supported in the Cast transformation."
            )))
        }
    })
}

fn schema_or(schema: Option<&Schema>) -> Result<&Schema> {
    schema.ok_or_else(|| ConnectError::data("Schema required for logical type conversion"))
}

impl<S: Side> Cast<S> {
    fn target_of(&self, field: &str) -> Option<Type> {
        self.casts.get(field).copied()
    }

    fn build_schema(&self, value_schema: &Schema) -> Result<Schema> {
        let mut builder = match self.whole_value_cast {
            Some(t) => copy_schema_basics(value_schema, SchemaBuilder::new(t)),
            None => {
                let mut b = copy_schema_basics(value_schema, SchemaBuilder::struct_());
                for field in value_schema.fields()? {
                    match self.target_of(field.name()) {
                        Some(t) => {
                            let mut fb = SchemaBuilder::new(t);
                            if field.schema().is_optional() {
                                fb = fb.optional();
                            }
                            if let Some(d) = field.schema().default_value() {
                                fb = fb.default_value(cast_value_to_type(
                                    Some(field.schema()),
                                    d,
                                    t,
                                )?);
                            }
                            b = b.field(field.name(), fb.build()?);
                        }
                        None => b = b.field(field.name(), field.schema().clone()),
                    }
                }
                b
            }
        };
        if value_schema.is_optional() {
            builder = builder.optional();
        }
        let default = match (value_schema.default_value(), self.whole_value_cast) {
            (None, _) => None,
            (Some(d), Some(t)) => Some(cast_value_to_type(Some(value_schema), d, t)?),
            // Apache casts a struct default as if it were a primitive and so always fails;
            // we cast its fields as we cast values (documented difference).
            (Some(Value::Struct(d)), None) => {
                let without_default = builder.clone().build()?;
                Some(Value::Struct(
                    self.cast_struct(d.clone(), &without_default)?,
                ))
            }
            (Some(_), None) => None,
        };
        if let Some(d) = default {
            builder = builder.default_value(d);
        }
        builder.build()
    }

    fn cast_struct(&self, mut value: Struct, updated_schema: &Schema) -> Result<Struct> {
        let mut updated = Struct::new(updated_schema.clone())?;
        let schema = value.schema().clone();
        for field in schema.fields()? {
            let new_field = updated_schema.field(field.name())?.ok_or_else(|| {
                ConnectError::data(format!("{} is not a valid field name", field.name()))
            })?;
            let orig = take_field_value(&mut value, field, self.replace_null_with_default)?;
            let new_value = match self.target_of(field.name()) {
                Some(t) => cast_value_to_type(Some(field.schema()), &orig, t)?,
                None => orig,
            };
            updated.put_field(new_field, new_value)?;
        }
        Ok(updated)
    }
}

impl<R: ConnectRecord, S: Side> Transformation<R> for Cast<S> {
    fn configure(&mut self, configs: &HashMap<String, String>) -> Result<()> {
        let config = SimpleConfig::parse(&config_def(), configs)?;
        let (fields, whole) = parse_field_types(&config.list(SPEC_CONFIG))?;
        // A field named twice is cast once (with its last type), so the map path can cast in
        // place.
        self.order = Vec::with_capacity(fields.len());
        for (f, _) in &fields {
            if !self.order.contains(f) {
                self.order.push(f.clone());
            }
        }
        self.casts = fields.into_iter().collect();
        self.whole_value_cast = whole;
        self.replace_null_with_default = config.boolean(REPLACE_NULL_WITH_DEFAULT_CONFIG);
        self.cache = SchemaCache::default();
        Ok(())
    }

    fn apply(&mut self, mut record: R) -> Result<Option<R>> {
        if S::value(&record).is_null() {
            return Ok(Some(record));
        }
        // Moved out and rebuilt: fields that are not cast move into the new value uncopied.
        let (schema, value) = S::take(&mut record);
        let (schema, new_value) = match schema {
            None => {
                let new_value = match self.whole_value_cast {
                    Some(t) => cast_value_to_type(None, &value, t)?,
                    None => {
                        let mut updated = into_map(value, PURPOSE)?;
                        for field in &self.order {
                            if let Some(&t) = self.casts.get(field) {
                                let orig = map_get(&updated, field).unwrap_or(&Value::Null);
                                let cast = cast_value_to_type(None, orig, t)?;
                                map_put(&mut updated, field, cast);
                            }
                        }
                        Value::Map(updated)
                    }
                };
                (None, new_value)
            }
            Some(schema) => {
                let updated_schema = match self.cache.get(&schema) {
                    Some(s) => s,
                    None => {
                        let built = self.build_schema(&schema)?;
                        self.cache.put(schema.clone(), built.clone());
                        built
                    }
                };
                let new_value = match self.whole_value_cast {
                    Some(t) => cast_value_to_type(Some(&schema), &value, t)?,
                    None => {
                        let s = into_struct(value, PURPOSE)?;
                        Value::Struct(self.cast_struct(s, &updated_schema)?)
                    }
                };
                (Some(updated_schema), new_value)
            }
        };
        S::set(&mut record, schema, new_value);
        Ok(Some(record))
    }

    fn config(&self) -> ConfigDef {
        config_def()
    }
}

connect_api::transformation!(
    Cast<KeySide>,
    class = "org.apache.kafka.connect.transforms.Cast$Key"
);
connect_api::transformation!(
    Cast<ValueSide>,
    class = "org.apache.kafka.connect.transforms.Cast$Value"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{map, props, source};
    use connect_api::data::{
        BigDecimal, Decimal, BOOLEAN_SCHEMA, BYTES_SCHEMA, FLOAT32_SCHEMA, INT16_SCHEMA,
        INT32_SCHEMA, INT64_SCHEMA, INT8_SCHEMA, OPTIONAL_FLOAT32_SCHEMA, OPTIONAL_INT16_SCHEMA,
        STRING_SCHEMA,
    };
    use connect_api::source::SourceRecord;

    fn configured<S: Side>(spec: &str) -> Cast<S> {
        let mut x = Cast::<S>::default();
        Transformation::<SourceRecord>::configure(&mut x, &props(&[(SPEC_CONFIG, spec)])).unwrap();
        x
    }

    fn config_err(spec: &str) -> String {
        let mut x = CastKey::default();
        let err = Transformation::<SourceRecord>::configure(&mut x, &props(&[(SPEC_CONFIG, spec)]))
            .unwrap_err();
        assert!(matches!(err, ConnectError::Config(_)), "{err:?}");
        err.to_string()
    }

    fn apply<S: Side>(x: &mut Cast<S>, r: SourceRecord) -> SourceRecord {
        x.apply(r).unwrap().unwrap()
    }

    #[test]
    fn invalid_configs() {
        // testConfigEmpty, testConfigInvalidSchemaType, testConfigInvalidTargetType,
        // testUnsupportedTargetType, testConfigInvalidMap, testConfigMixWholeAndFieldTransformation
        assert_eq!(config_err(""), "Must specify at least one field to cast.");
        assert_eq!(
            config_err("foo:faketype"),
            "Invalid type found in casting spec: faketype"
        );
        let unsupported = "Cast transformation does not support casting to ARRAY; supported types are [INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]";
        assert_eq!(config_err("foo:array"), unsupported);
        assert_eq!(config_err("array"), unsupported);
        assert!(config_err("foo:bytes").contains("casting to BYTES"));
        assert_eq!(
            config_err("foo:int8:extra"),
            "Invalid value [foo:int8:extra] for configuration renames: Invalid rename mapping: foo:int8:extra"
        );
        assert_eq!(
            config_err("foo:int8,int32"),
            "Cast transformations that specify a type to cast the entire value to may only specify a single cast in their spec"
        );
        let mut x = CastKey::default();
        let err = Transformation::<SourceRecord>::configure(&mut x, &props(&[])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Missing required configuration \"spec\" which has no default value."
        );
    }

    #[test]
    fn null_values_pass_unchanged() {
        // castNullValueRecordWithSchema / Schemaless, castNullKeyRecordWithSchema / Schemaless
        let mut v: CastValue = configured("foo:int64");
        let r = source(
            Some(STRING_SCHEMA.clone()),
            "key",
            Some(STRING_SCHEMA.clone()),
            Value::Null,
        );
        assert_eq!(apply(&mut v, r.clone()), r);
        let r = source(Some(STRING_SCHEMA.clone()), "key", None, Value::Null);
        assert_eq!(apply(&mut v, r.clone()), r);
        let mut k: CastKey = configured("foo:int64");
        let r = source(
            Some(STRING_SCHEMA.clone()),
            Value::Null,
            Some(STRING_SCHEMA.clone()),
            "value",
        );
        assert_eq!(apply(&mut k, r.clone()), r);
        let r = source(None, Value::Null, Some(STRING_SCHEMA.clone()), "value");
        assert_eq!(apply(&mut k, r.clone()), r);
    }

    #[test]
    fn field_default_with_replace_null_with_default() {
        // castFieldWithDefaultValueRecordWithSchema (both parameterizations)
        for (replace, expected) in [("false", Value::Null), ("true", Value::from("10"))] {
            let mut x = CastValue::default();
            Transformation::<SourceRecord>::configure(
                &mut x,
                &props(&[
                    (SPEC_CONFIG, "magic:string"),
                    (REPLACE_NULL_WITH_DEFAULT_CONFIG, replace),
                ]),
            )
            .unwrap();
            let schema = SchemaBuilder::struct_()
                .field(
                    "magic",
                    SchemaBuilder::int32()
                        .optional()
                        .default_value(10)
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap();
            let s = Struct::new(schema.clone()).unwrap();
            let out = apply(
                &mut x,
                source(Some(STRING_SCHEMA.clone()), "key", Some(schema), s),
            );
            let vs = out.value_schema.unwrap();
            let f = vs.field("magic").unwrap().unwrap();
            assert_eq!(f.schema().schema_type(), Type::String);
            assert_eq!(f.schema().default_value(), Some(&Value::from("10")));
            assert_eq!(
                out.value
                    .as_struct()
                    .unwrap()
                    .get_without_default("magic")
                    .unwrap(),
                &expected
            );
        }
    }

    #[test]
    fn whole_value_casts() {
        // castWholeRecordKeyWithSchema, castWholeRecordValueWithSchema*, castWholeRecord*Schemaless
        let cases = [
            ("int8", Value::Int8(42), Type::Int8),
            ("int16", Value::Int16(42), Type::Int16),
            ("int32", Value::Int32(42), Type::Int32),
            ("int64", Value::Int64(42), Type::Int64),
            ("float32", Value::Float32(42.0), Type::Float32),
            ("float64", Value::Float64(42.0), Type::Float64),
            ("boolean", Value::Boolean(true), Type::Boolean),
            ("string", Value::from("42"), Type::String),
        ];
        for (spec, expected, t) in cases {
            let mut x: CastValue = configured(spec);
            let out = apply(
                &mut x,
                source(None, Value::Null, Some(INT32_SCHEMA.clone()), 42),
            );
            assert_eq!(out.value_schema.unwrap().schema_type(), t, "{spec}");
            assert_eq!(out.value, expected, "{spec}");
            let out = apply(&mut x, source(None, Value::Null, None, 42));
            assert!(out.value_schema.is_none());
            assert_eq!(out.value, expected, "{spec}");
            let mut k: CastKey = configured(spec);
            let out = apply(
                &mut k,
                source(
                    Some(INT32_SCHEMA.clone()),
                    42,
                    Some(STRING_SCHEMA.clone()),
                    "bogus",
                ),
            );
            assert_eq!(out.key_schema.unwrap().schema_type(), t);
            assert_eq!(out.key, expected);
            assert_eq!(out.value, Value::from("bogus"));
            let out = apply(
                &mut k,
                source(None, 42, Some(STRING_SCHEMA.clone()), "bogus"),
            );
            assert!(out.key_schema.is_none());
            assert_eq!(out.key, expected);
        }
        let mut x: CastValue = configured("boolean");
        let out = apply(
            &mut x,
            source(None, Value::Null, Some(INT32_SCHEMA.clone()), 0),
        );
        assert_eq!(out.value, Value::Boolean(false));
        let out = apply(&mut x, source(None, Value::Null, None, 0));
        assert_eq!(out.value, Value::Boolean(false));
    }

    #[test]
    fn whole_value_logical_and_default() {
        // castWholeBigDecimalRecordValueWithSchemaString
        let mut x: CastValue = configured("string");
        let out = apply(
            &mut x,
            source(
                None,
                Value::Null,
                Some(Decimal::schema(0)),
                BigDecimal::from(42),
            ),
        );
        assert_eq!(
            out.value_schema.as_ref().unwrap().schema_type(),
            Type::String
        );
        assert_eq!(out.value, Value::from("42"));
        // castWholeDateRecordValueWithSchemaString: the logical name is kept
        let out = apply(
            &mut x,
            source(
                None,
                Value::Null,
                Some(Timestamp::schema()),
                Value::Timestamp(MILLIS_PER_DAY + 1),
            ),
        );
        let schema = out.value_schema.unwrap();
        assert_eq!(schema.schema_type(), Type::String);
        assert_eq!(schema.name(), Some(Timestamp::LOGICAL_NAME));
        assert_eq!(schema.version(), Some(1));
        assert_eq!(out.value, Value::from("1970-01-02T00:00:00.001Z"));
        // castWholeRecordDefaultValue
        let mut x: CastValue = configured("int32");
        let schema = SchemaBuilder::float32()
            .default_value(-42.125f32)
            .build()
            .unwrap();
        let out = apply(&mut x, source(None, Value::Null, Some(schema), 42.125f32));
        let s = out.value_schema.unwrap();
        assert_eq!(s.schema_type(), Type::Int32);
        assert_eq!(out.value, Value::Int32(42));
        assert_eq!(s.default_value(), Some(&Value::Int32(-42)));
    }

    #[test]
    fn schemaless_unsupported_type() {
        // castWholeRecordValueSchemalessUnsupportedType
        let mut x: CastValue = configured("int8");
        let err = x
            .apply(source(
                None,
                Value::Null,
                None,
                Value::Array(vec!["foo".into()]),
            ))
            .unwrap_err();
        assert!(err.is_data());
        assert_eq!(
            err.to_string(),
            "Cast transformation does not support casting from ARRAY; supported types are [INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES]"
        );
        let err = x
            .apply(source(None, Value::Null, None, BigDecimal::from(1)))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Cast transformation was passed a value of type class java.math.BigDecimal which is not supported by Connect's data API"
        );
    }

    #[test]
    fn logical_to_primitive() {
        // castLogicalToPrimitive
        let mut x: CastValue = configured("date_to_int32:int32,timestamp_to_int64:int64,time_to_int64:int64,decimal_to_int32:int32,timestamp_to_float64:float64,null_timestamp_to_int32:int32");
        let schema = SchemaBuilder::struct_()
            .field("date_to_int32", Date::schema())
            .field("timestamp_to_int64", Timestamp::schema())
            .field("time_to_int64", Time::schema())
            .field("decimal_to_int32", Decimal::schema(0))
            .field("timestamp_to_float64", Timestamp::schema())
            .field(
                "null_timestamp_to_int32",
                Timestamp::builder().optional().build().unwrap(),
            )
            .build()
            .unwrap();
        let mut v = Struct::new(schema.clone()).unwrap();
        v.put("date_to_int32", Value::Timestamp(MILLIS_PER_DAY))
            .unwrap();
        v.put("timestamp_to_int64", Value::Timestamp(0)).unwrap();
        v.put("time_to_int64", Value::Timestamp(1)).unwrap();
        v.put("decimal_to_int32", BigDecimal::from(2_147_483_648i64))
            .unwrap();
        v.put("timestamp_to_float64", Value::Timestamp(i64::MAX))
            .unwrap();
        let out = apply(&mut x, source(None, Value::Null, Some(schema), v));
        let s = out.value.as_struct().unwrap();
        assert_eq!(s.get("date_to_int32").unwrap(), &Value::Int32(1));
        assert_eq!(s.get("timestamp_to_int64").unwrap(), &Value::Int64(0));
        assert_eq!(s.get("time_to_int64").unwrap(), &Value::Int64(1));
        assert_eq!(s.get("decimal_to_int32").unwrap(), &Value::Int32(i32::MIN));
        assert_eq!(
            s.get("timestamp_to_float64").unwrap(),
            &Value::Float64(9.223372036854776E18)
        );
        assert_eq!(s.get("null_timestamp_to_int32").unwrap(), &Value::Null);
        let t = |f: &str| s.schema().field(f).unwrap().unwrap().schema().schema_type();
        assert_eq!(t("date_to_int32"), Type::Int32);
        assert_eq!(t("timestamp_to_int64"), Type::Int64);
        assert_eq!(t("time_to_int64"), Type::Int64);
        assert_eq!(t("decimal_to_int32"), Type::Int32);
        assert_eq!(t("timestamp_to_float64"), Type::Float64);
        assert_eq!(t("null_timestamp_to_int32"), Type::Int32);
        let f = s
            .schema()
            .field("null_timestamp_to_int32")
            .unwrap()
            .unwrap();
        assert!(f.schema().is_optional());
        assert_eq!(f.schema().name(), None);
    }

    #[test]
    fn logical_to_string() {
        // castLogicalToString
        let mut x: CastValue =
            configured("date:string,decimal:string,time:string,timestamp:string");
        let schema = SchemaBuilder::struct_()
            .field("date", Date::schema())
            .field("decimal", Decimal::schema(0))
            .field("time", Time::schema())
            .field("timestamp", Timestamp::schema())
            .build()
            .unwrap();
        let mut v = Struct::new(schema.clone()).unwrap();
        v.put("date", Value::Timestamp(MILLIS_PER_DAY)).unwrap();
        v.put("decimal", BigDecimal::from(1982)).unwrap();
        v.put("time", Value::Timestamp(3_600_000)).unwrap();
        v.put("timestamp", Value::Timestamp(1_700_000_000_123))
            .unwrap();
        let out = apply(&mut x, source(None, Value::Null, Some(schema), v));
        let s = out.value.as_struct().unwrap();
        assert_eq!(s.get("date").unwrap(), &Value::from("1970-01-02"));
        assert_eq!(s.get("decimal").unwrap(), &Value::from("1982"));
        assert_eq!(s.get("time").unwrap(), &Value::from("01:00:00.000Z"));
        assert_eq!(
            s.get("timestamp").unwrap(),
            &Value::from("2023-11-14T22:13:20.123Z")
        );
        for f in ["date", "decimal", "time", "timestamp"] {
            let fs = s.schema().field(f).unwrap().unwrap().schema().clone();
            assert_eq!(fs, *STRING_SCHEMA, "{f}");
        }
        assert_eq!(format_java_date(0), "00:00:00.000Z");
        assert_eq!(format_java_date(-1), "23:59:59.999Z");
    }

    #[test]
    fn fields_with_schema() {
        // castFieldsWithSchema
        let mut x: CastValue = configured("int8:int16,int16:int32,int32:int64,int64:boolean,float32:float64,float64:boolean,boolean:int8,string:int32,bigdecimal:string,date:string,optional:int32,bytes:string,byteArray:string");
        let bytes: Vec<u8> = vec![0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10];
        let schema = SchemaBuilder::struct_()
            .field("int8", INT8_SCHEMA.clone())
            .field("int16", OPTIONAL_INT16_SCHEMA.clone())
            .field(
                "int32",
                SchemaBuilder::int32().default_value(2).build().unwrap(),
            )
            .field("int64", INT64_SCHEMA.clone())
            .field("float32", FLOAT32_SCHEMA.clone())
            .field(
                "float64",
                SchemaBuilder::float64()
                    .default_value(-1.125)
                    .build()
                    .unwrap(),
            )
            .field("boolean", BOOLEAN_SCHEMA.clone())
            .field("string", STRING_SCHEMA.clone())
            .field("bigdecimal", Decimal::schema(0))
            .field("date", Date::schema())
            .field("optional", OPTIONAL_FLOAT32_SCHEMA.clone())
            .field("timestamp", Timestamp::schema())
            .field("bytes", BYTES_SCHEMA.clone())
            .field("byteArray", BYTES_SCHEMA.clone())
            .build()
            .unwrap();
        let mut v = Struct::new(schema.clone()).unwrap();
        v.put("int8", 8i8).unwrap();
        v.put("int16", 16i16).unwrap();
        v.put("int32", 32).unwrap();
        v.put("int64", 64i64).unwrap();
        v.put("float32", 32f32).unwrap();
        v.put("float64", -64f64).unwrap();
        v.put("boolean", true).unwrap();
        v.put("bigdecimal", BigDecimal::from(42)).unwrap();
        v.put("date", Value::Timestamp(MILLIS_PER_DAY)).unwrap();
        v.put("string", "42").unwrap();
        v.put("timestamp", Value::Timestamp(0)).unwrap();
        v.put("bytes", bytes.clone()).unwrap();
        v.put("byteArray", bytes).unwrap();
        let out = apply(&mut x, source(None, Value::Null, Some(schema), v));
        let s = out.value.as_struct().unwrap();
        let get = |f: &str| s.get(f).unwrap().clone();
        let fs = |f: &str| s.schema().field(f).unwrap().unwrap().schema().clone();
        assert_eq!(get("int8"), Value::Int16(8));
        assert!(fs("int16").is_optional());
        assert_eq!(get("int16"), Value::Int32(16));
        assert_eq!(get("int32"), Value::Int64(32));
        assert_eq!(fs("int32").default_value(), Some(&Value::Int64(2)));
        assert_eq!(get("int64"), Value::Boolean(true));
        assert_eq!(get("float32"), Value::Float64(32.0));
        assert_eq!(get("float64"), Value::Boolean(true));
        assert_eq!(fs("float64").default_value(), Some(&Value::Boolean(true)));
        assert_eq!(get("boolean"), Value::Int8(1));
        assert_eq!(get("string"), Value::Int32(42));
        assert_eq!(get("bigdecimal"), Value::from("42"));
        assert_eq!(get("date"), Value::from("1970-01-02"));
        assert_eq!(get("timestamp"), Value::Timestamp(0));
        assert_eq!(get("bytes"), Value::from("/ty6mHZUMhA="));
        assert_eq!(get("byteArray"), Value::from("/ty6mHZUMhA="));
        assert_eq!(get("optional"), Value::Null);
        assert_eq!(fs("int8").schema_type(), Type::Int16);
        assert_eq!(fs("optional"), *connect_api::data::OPTIONAL_INT32_SCHEMA);
        assert_eq!(fs("timestamp"), Timestamp::schema());
        // the derived schema is cached: the same input schema gives the same handle
        let again = apply(
            &mut x,
            source(None, Value::Null, Some(s.schema().clone()), Value::Null),
        );
        assert!(again.value.is_null());
    }

    #[test]
    fn fields_schemaless() {
        // castFieldsSchemaless
        let mut x: CastValue = configured("int8:int16,int16:int32,int32:int64,int64:boolean,float32:float64,float64:boolean,boolean:int8,string:int32,missing:int8");
        let value = map(&[
            ("int8", Value::Int8(8)),
            ("int16", Value::Int16(16)),
            ("int32", Value::Int32(32)),
            ("int64", Value::Int64(64)),
            ("float32", Value::Float32(32.0)),
            ("float64", Value::Float64(-64.0)),
            ("boolean", Value::Boolean(true)),
            ("string", Value::from("42")),
            ("other", Value::from("kept")),
        ]);
        let out = apply(&mut x, source(None, Value::Null, None, value));
        assert!(out.value_schema.is_none());
        let g = |k: &str| out.value.map_get(k).cloned();
        assert_eq!(g("int8"), Some(Value::Int16(8)));
        assert_eq!(g("int16"), Some(Value::Int32(16)));
        assert_eq!(g("int32"), Some(Value::Int64(32)));
        assert_eq!(g("int64"), Some(Value::Boolean(true)));
        assert_eq!(g("float32"), Some(Value::Float64(32.0)));
        assert_eq!(g("float64"), Some(Value::Boolean(true)));
        assert_eq!(g("boolean"), Some(Value::Int8(1)));
        assert_eq!(g("string"), Some(Value::Int32(42)));
        assert_eq!(g("other"), Some(Value::from("kept")));
        // a spec field absent from the map is added with null
        assert_eq!(g("missing"), Some(Value::Null));
    }

    #[test]
    fn conversion_matrix_edges() {
        let c = |v: Value, t: Type| cast_value_to_type(None, &v, t);
        assert_eq!(
            c(Value::Float64(0.5), Type::Boolean).unwrap(),
            Value::Boolean(false)
        );
        assert_eq!(
            c(Value::from("TRUE"), Type::Boolean).unwrap(),
            Value::Boolean(true)
        );
        assert_eq!(
            c(Value::from("yes"), Type::Boolean).unwrap(),
            Value::Boolean(false)
        );
        assert_eq!(
            c(Value::from(" 1.5 "), Type::Float32).unwrap(),
            Value::Float32(1.5)
        );
        assert_eq!(
            c(Value::from("NaN"), Type::Float64).unwrap().to_string(),
            "NaN"
        );
        assert_eq!(
            c(Value::from("abc"), Type::Int32).unwrap_err().to_string(),
            "Value (abc) was out of range for requested data type"
        );
        assert_eq!(
            c(Value::from("128"), Type::Int8).unwrap_err().to_string(),
            "Value (128) was out of range for requested data type"
        );
        assert_eq!(
            c(Value::Bytes(vec![1u8].into()), Type::Int8)
                .unwrap_err()
                .to_string(),
            "Unexpected type in Cast transformation: class [B"
        );
        assert_eq!(
            c(Value::Float64(1e10), Type::String).unwrap(),
            Value::from("1.0E10")
        );
        assert_eq!(
            c(Value::Float32(32.0), Type::String).unwrap(),
            Value::from("32.0")
        );
        assert_eq!(
            c(Value::Boolean(true), Type::Float64).unwrap(),
            Value::Float64(1.0)
        );
        assert_eq!(c(Value::Int32(300), Type::Int8).unwrap(), Value::Int8(44));
        assert_eq!(
            c(Value::Int64(i64::MAX), Type::Float32).unwrap(),
            Value::Float32(9.223372E18)
        );
        let err = cast_value_to_type(Some(&Date::schema()), &Value::Timestamp(1), Type::Int32)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Kafka Connect Date type should not have any time fields set to non-zero values."
        );
        let arr = SchemaBuilder::array(INT16_SCHEMA.clone()).build().unwrap();
        assert!(cast_value_to_type(Some(&arr), &Value::Array(vec![]), Type::String).is_err());
    }

    #[test]
    fn struct_default_is_cast() {
        // Apache fails here (casting a struct default as a primitive); we cast its fields.
        let inner = SchemaBuilder::struct_().field("a", INT32_SCHEMA.clone());
        let plain = inner.clone().build().unwrap();
        let mut d = Struct::new(plain.clone()).unwrap();
        d.put("a", 5).unwrap();
        let schema = inner.optional().default_value(d).build();
        // a struct default must carry the schema it belongs to; build it in two steps
        assert!(schema.is_err());
        let opt_schema = SchemaBuilder::struct_()
            .field("a", INT32_SCHEMA.clone())
            .optional()
            .build()
            .unwrap();
        let mut d = Struct::new(opt_schema).unwrap();
        d.put("a", 5).unwrap();
        let schema = SchemaBuilder::struct_()
            .field("a", INT32_SCHEMA.clone())
            .optional()
            .default_value(d)
            .build()
            .unwrap();
        let mut x: CastValue = configured("a:string");
        let mut v = Struct::new(schema.clone()).unwrap();
        v.put("a", 7).unwrap();
        let out = apply(&mut x, source(None, Value::Null, Some(schema), v));
        let s = out.value_schema.unwrap();
        let default = s.default_value().unwrap().as_struct().unwrap();
        assert_eq!(default.get("a").unwrap(), &Value::from("5"));
        assert_eq!(
            out.value.as_struct().unwrap().get("a").unwrap(),
            &Value::from("7")
        );
    }
}
