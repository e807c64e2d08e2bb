//! `MaskField`: replaces field values with a type-appropriate "empty" value or a replacement.
//!
//! Mirrors `org.apache.kafka.connect.transforms.MaskField$Key` / `MaskField$Value`.
//!
//! | key | type | default | |
//! |---|---|---|---|
//! | `fields` | LIST | required | non-empty; the fields to mask |
//! | `replacement` | STRING | null | non-empty if set; converted to the field's value type (numbers and strings only) |
//! | `replace.null.with.default` | BOOLEAN | `true` | copy fields with default substitution |

use std::collections::{HashMap, HashSet};
use std::marker::PhantomData;
use std::str::FromStr;

use connect_api::config::{
    ConfigDef, ConfigKey, ConfigType, Importance, NonEmptyList, NonEmptyString,
};
use connect_api::connector::ConnectRecord;
use connect_api::data::{BigDecimal, Value};
use connect_api::errors::{ConnectError, Result};
use connect_api::transforms::Transformation;

use crate::config::{
    replace_null_with_default_key, SimpleConfig, REPLACE_NULL_WITH_DEFAULT_CONFIG,
};
use crate::java_num::JavaNumber;
use crate::key_or_value::{KeySide, Side, ValueSide};
use crate::requirements::{into_map, into_struct, map_get, map_put, take_field_value};

/// The `fields` key.
pub const FIELDS_CONFIG: &str = "fields";
/// The `replacement` key.
pub const REPLACEMENT_CONFIG: &str = "replacement";
const PURPOSE: &str = "mask fields";

/// Masks fields (Apache's `MaskField`). Null values are not passed through: a null key/value
/// is a data error, as in Apache.
#[derive(Debug, Default)]
pub struct MaskField<S: Side> {
    fields: Vec<String>,
    field_set: HashSet<String>,
    replacement: Option<String>,
    replace_null_with_default: bool,
    side: PhantomData<S>,
}

/// `org.apache.kafka.connect.transforms.MaskField$Key`.
pub type MaskFieldKey = MaskField<KeySide>;
/// `org.apache.kafka.connect.transforms.MaskField$Value`.
pub type MaskFieldValue = MaskField<ValueSide>;

/// The definition of MaskField's configuration.
pub fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(FIELDS_CONFIG, ConfigType::List)
                .validator(NonEmptyList)
                .importance(Importance::High)
                .doc("Names of fields to mask."),
        )
        .define(
            ConfigKey::new(REPLACEMENT_CONFIG, ConfigType::String)
                .default_null()
                .validator(NonEmptyString)
                .importance(Importance::Low)
                .doc("Custom value replacement, that will be applied to all 'fields' values (numeric or non-empty string values only)."),
        )
        .define(replace_null_with_default_key())
}

/// Java's `Values.asLong`/`asDouble` on a string: `new BigDecimal(s)`.
fn parse_number(replacement: &str) -> Result<BigDecimal> {
    BigDecimal::from_str(replacement).map_err(|_| {
        ConnectError::data(format!(
            "Unable to convert {replacement} (class java.lang.String) to a number"
        ))
    })
}

fn mask_with_replacement(value: &Value, replacement: &str) -> Result<Value> {
    Ok(match value {
        Value::Int8(_) => {
            Value::Int8(JavaNumber::Decimal(&parse_number(replacement)?).long_value() as i8)
        }
        Value::Int16(_) => {
            Value::Int16(JavaNumber::Decimal(&parse_number(replacement)?).long_value() as i16)
        }
        Value::Int32(_) => {
            Value::Int32(JavaNumber::Decimal(&parse_number(replacement)?).long_value() as i32)
        }
        Value::Int64(_) => {
            Value::Int64(JavaNumber::Decimal(&parse_number(replacement)?).long_value())
        }
        Value::Float32(_) => {
            Value::Float32(JavaNumber::Decimal(&parse_number(replacement)?).double_value() as f32)
        }
        Value::Float64(_) => {
            Value::Float64(JavaNumber::Decimal(&parse_number(replacement)?).double_value())
        }
        Value::String(_) => Value::String(replacement.to_owned()),
        Value::Decimal(_) => Value::Decimal(BigDecimal::from_str(replacement).map_err(|_| {
            ConnectError::data(format!(
                "Unable to convert {replacement} (class java.lang.String) to number"
            ))
        })?),
        other => {
            return Err(ConnectError::data(format!(
                "Cannot mask value of type class {} with custom replacement.",
                other.java_class_name()
            )))
        }
    })
}

fn mask_with_null_value(value: &Value) -> Result<Value> {
    Ok(match value {
        Value::Boolean(_) => Value::Boolean(false),
        Value::Int8(_) => Value::Int8(0),
        Value::Int16(_) => Value::Int16(0),
        Value::Int32(_) => Value::Int32(0),
        Value::Int64(_) => Value::Int64(0),
        Value::Float32(_) => Value::Float32(0.0),
        Value::Float64(_) => Value::Float64(0.0),
        Value::Decimal(_) => Value::Decimal(BigDecimal::from(0)),
        Value::Timestamp(_) => Value::Timestamp(0),
        Value::String(_) => Value::String(String::new()),
        Value::Array(_) => Value::Array(Vec::new()),
        Value::Map(_) => Value::Map(Vec::new()),
        other => {
            return Err(ConnectError::data(format!(
                "Cannot mask value of type: class {}",
                other.java_class_name()
            )))
        }
    })
}

impl<S: Side> MaskField<S> {
    fn masked(&self, value: &Value) -> Result<Value> {
        if value.is_null() {
            return Ok(Value::Null);
        }
        match &self.replacement {
            Some(r) => mask_with_replacement(value, r),
            None => mask_with_null_value(value),
        }
    }
}

impl<R: ConnectRecord, S: Side> Transformation<R> for MaskField<S> {
    fn configure(&mut self, configs: &HashMap<String, String>) -> Result<()> {
        let config = SimpleConfig::parse(&config_def(), configs)?;
        self.fields = config.list(FIELDS_CONFIG);
        self.field_set = self.fields.iter().cloned().collect();
        self.replacement = config.string(REPLACEMENT_CONFIG).map(str::to_owned);
        self.replace_null_with_default = config.boolean(REPLACE_NULL_WITH_DEFAULT_CONFIG);
        Ok(())
    }

    fn apply(&mut self, mut record: R) -> Result<Option<R>> {
        // Moved out and masked in place: unmasked fields are not copied.
        let (schema, value) = S::take(&mut record);
        let new_value = match &schema {
            None => {
                let mut updated = into_map(value, PURPOSE)?;
                for (i, f) in self.fields.iter().enumerate() {
                    // A field listed twice is masked once.
                    if self.fields[..i].contains(f) {
                        continue;
                    }
                    let masked = self.masked(map_get(&updated, f).unwrap_or(&Value::Null))?;
                    map_put(&mut updated, f, masked);
                }
                Value::Map(updated)
            }
            Some(_) => {
                let mut s = into_struct(value, PURPOSE)?;
                let struct_schema = s.schema().clone();
                for f in struct_schema.fields()? {
                    let orig = take_field_value(&mut s, f, self.replace_null_with_default)?;
                    let v = if self.field_set.contains(f.name()) {
                        self.masked(&orig)?
                    } else {
                        orig
                    };
                    s.put_field(f, v)?;
                }
                Value::Struct(s)
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
    MaskField<KeySide>,
    class = "org.apache.kafka.connect.transforms.MaskField$Key"
);
connect_api::transformation!(
    MaskField<ValueSide>,
    class = "org.apache.kafka.connect.transforms.MaskField$Value"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{map, props, sink};
    use connect_api::data::{
        Decimal, SchemaBuilder, Struct, Timestamp, INT32_SCHEMA, STRING_SCHEMA,
    };
    use connect_api::sink::SinkRecord;

    fn xform(pairs: &[(&str, &str)]) -> MaskFieldValue {
        let mut x = MaskFieldValue::default();
        Transformation::<SinkRecord>::configure(&mut x, &props(pairs)).unwrap();
        x
    }

    const ALL_BUT_MAGIC: &str = "bool,byte,short,int,long,float,double,string,date,bigdec,list,map";

    #[test]
    fn schemaless_masking() {
        let v = map(&[
            ("magic", 42.into()),
            ("bool", true.into()),
            ("byte", 42i8.into()),
            ("short", 42i16.into()),
            ("int", 42.into()),
            ("long", 42i64.into()),
            ("float", 42f32.into()),
            ("double", 42f64.into()),
            ("string", "55.121.20.20".into()),
            ("date", Value::Timestamp(1_700_000_000_000)),
            ("bigdec", BigDecimal::from_str("42.0").unwrap().into()),
            ("list", Value::Array(vec![42.into()])),
            ("map", map(&[("key", "value".into())])),
        ]);
        let out = xform(&[("fields", ALL_BUT_MAGIC)])
            .apply(sink(None, Value::Null, None, v))
            .unwrap()
            .unwrap();
        let g = |k: &str| out.value.map_get(k).cloned().unwrap();
        assert_eq!(g("magic"), Value::Int32(42));
        assert_eq!(g("bool"), Value::Boolean(false));
        assert_eq!(g("byte"), Value::Int8(0));
        assert_eq!(g("short"), Value::Int16(0));
        assert_eq!(g("int"), Value::Int32(0));
        assert_eq!(g("long"), Value::Int64(0));
        assert_eq!(g("float"), Value::Float32(0.0));
        assert_eq!(g("double"), Value::Float64(0.0));
        assert_eq!(g("string"), Value::from(""));
        assert_eq!(g("date"), Value::Timestamp(0));
        assert_eq!(g("bigdec"), Value::Decimal(BigDecimal::from(0)));
        assert_eq!(g("list"), Value::Array(vec![]));
        assert_eq!(g("map"), Value::Map(vec![]));
    }

    #[test]
    fn with_schema_masking_keeps_the_schema() {
        let schema = SchemaBuilder::struct_()
            .field("magic", INT32_SCHEMA.clone())
            .field("int", INT32_SCHEMA.clone())
            .field("string", STRING_SCHEMA.clone())
            .field("date", Timestamp::schema())
            .field("bigdec", Decimal::schema(1))
            .build()
            .unwrap();
        let mut v = Struct::new(schema.clone()).unwrap();
        v.put("magic", 42).unwrap();
        v.put("int", 42).unwrap();
        v.put("string", "x").unwrap();
        v.put("date", Value::Timestamp(5)).unwrap();
        v.put("bigdec", BigDecimal::from_str("42.0").unwrap())
            .unwrap();
        let out = xform(&[("fields", "int,string,date,missing")])
            .apply(sink(None, Value::Null, Some(schema.clone()), v))
            .unwrap()
            .unwrap();
        assert_eq!(out.value_schema, Some(schema));
        let s = out.value.as_struct().unwrap();
        assert_eq!(s.get("magic").unwrap(), &Value::Int32(42));
        assert_eq!(s.get("int").unwrap(), &Value::Int32(0));
        assert_eq!(s.get("string").unwrap(), &Value::from(""));
        assert_eq!(s.get("date").unwrap(), &Value::Timestamp(0));
    }

    #[test]
    fn replacement() {
        let v = map(&[
            ("short", 42i16.into()),
            ("int", 42.into()),
            ("long", 42i64.into()),
            ("float", 42f32.into()),
            ("double", 42f64.into()),
            ("string", "x".into()),
            ("bigdec", BigDecimal::from(42).into()),
        ]);
        let out = xform(&[
            ("fields", "short,int,long,float,double,string,bigdec"),
            ("replacement", "123"),
        ])
        .apply(sink(None, Value::Null, None, v))
        .unwrap()
        .unwrap();
        let g = |k: &str| out.value.map_get(k).cloned().unwrap();
        assert_eq!(g("short"), Value::Int16(123));
        assert_eq!(g("int"), Value::Int32(123));
        assert_eq!(g("long"), Value::Int64(123));
        assert_eq!(g("float"), Value::Float32(123.0));
        assert_eq!(g("double"), Value::Float64(123.0));
        assert_eq!(g("string"), Value::from("123"));
        assert_eq!(g("bigdec"), Value::Decimal(BigDecimal::from(123)));
        let err = xform(&[("fields", "int"), ("replacement", "foo")])
            .apply(sink(None, Value::Null, None, map(&[("int", 1.into())])))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Unable to convert foo (class java.lang.String) to a number"
        );
        let err = xform(&[("fields", "b"), ("replacement", "1")])
            .apply(sink(None, Value::Null, None, map(&[("b", true.into())])))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Cannot mask value of type class java.lang.Boolean with custom replacement."
        );
        let err = xform(&[("fields", "b")])
            .apply(sink(
                None,
                Value::Null,
                None,
                map(&[("b", Value::from(vec![1u8]))]),
            ))
            .unwrap_err();
        assert_eq!(err.to_string(), "Cannot mask value of type: class [B");
    }

    #[test]
    fn nulls_and_config() {
        let err = xform(&[("fields", "a")])
            .apply(sink(None, Value::Null, None, Value::Null))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Only Map objects supported in absence of schema for [mask fields], found: null"
        );
        // a configured field absent from the map is added with null
        let out = xform(&[("fields", "a")])
            .apply(sink(None, Value::Null, None, map(&[])))
            .unwrap()
            .unwrap();
        assert_eq!(out.value.map_get("a"), Some(&Value::Null));
        // testNullFieldValueWithDefault, replace.null.with.default=false
        let schema = SchemaBuilder::struct_()
            .field(
                "s",
                SchemaBuilder::string()
                    .optional()
                    .default_value("default")
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap();
        let out = xform(&[("fields", "s"), ("replace.null.with.default", "false")])
            .apply(sink(
                None,
                Value::Null,
                Some(schema.clone()),
                Struct::new(schema).unwrap(),
            ))
            .unwrap()
            .unwrap();
        assert!(out
            .value
            .as_struct()
            .unwrap()
            .get_without_default("s")
            .unwrap()
            .is_null());
        let mut x = MaskFieldValue::default();
        let err = Transformation::<SinkRecord>::configure(
            &mut x,
            &props(&[("fields", "a"), ("replacement", "")]),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid value  for configuration replacement: String must be non-empty"
        );
        let err =
            Transformation::<SinkRecord>::configure(&mut x, &props(&[("fields", "")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid value [] for configuration fields: Empty list"
        );
    }
}
