//! `Flatten`: flattens nested structs (or maps) into one level, joining names with a delimiter.
//!
//! Mirrors `org.apache.kafka.connect.transforms.Flatten$Key` / `Flatten$Value`.
//!
//! | key | type | default | |
//! |---|---|---|---|
//! | `delimiter` | STRING | `.` | put between the names of parent and child fields |
//!
//! Arrays are copied as they are, not descended into. Fields of optional structs become
//! optional; defaults are taken from the leaf, else from the parent struct's default.

use std::collections::HashMap;
use std::marker::PhantomData;

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance};
use connect_api::connector::ConnectRecord;
use connect_api::data::{Schema, SchemaBuilder, Struct, Type, Value};
use connect_api::errors::{ConnectError, Result};
use connect_api::transforms::Transformation;

use crate::config::SimpleConfig;
use crate::key_or_value::{KeySide, Side, ValueSide};
use crate::requirements::{require_map, require_struct_or_null};
use crate::schema_util::{copy_schema_basics, copy_schema_basics_of, SchemaCache};

/// The `delimiter` key.
pub const DELIMITER_CONFIG: &str = "delimiter";
const DELIMITER_DEFAULT: &str = ".";
const PURPOSE: &str = "flattening";

/// Flattens nested data (Apache's `Flatten`).
#[derive(Debug)]
pub struct Flatten<S: Side> {
    delimiter: String,
    cache: SchemaCache,
    side: PhantomData<S>,
}

impl<S: Side> Default for Flatten<S> {
    fn default() -> Self {
        Flatten {
            delimiter: DELIMITER_DEFAULT.to_owned(),
            cache: SchemaCache::default(),
            side: PhantomData,
        }
    }
}

/// `org.apache.kafka.connect.transforms.Flatten$Key`.
pub type FlattenKey = Flatten<KeySide>;
/// `org.apache.kafka.connect.transforms.Flatten$Value`.
pub type FlattenValue = Flatten<ValueSide>;

/// The definition of Flatten's configuration.
pub fn config_def() -> ConfigDef {
    ConfigDef::new().define(
        ConfigKey::new(DELIMITER_CONFIG, ConfigType::String)
            .default_value(DELIMITER_DEFAULT)
            .importance(Importance::Medium)
            .doc("Delimiter to insert between field names from the input record when generating field names for the output record"),
    )
}

fn is_leaf(t: Type) -> bool {
    !matches!(t, Type::Map | Type::Struct)
}

impl<S: Side> Flatten<S> {
    fn field_name(&self, prefix: &str, name: &str) -> String {
        if prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{prefix}{}{name}", self.delimiter)
        }
    }

    fn flatten_map(
        &self,
        entries: &[(Value, Value)],
        prefix: &str,
        out: &mut Vec<(Value, Value)>,
    ) -> Result<()> {
        for (k, v) in entries {
            // Schemaless maps have string keys; Java would fail to cast any other key.
            let key = match k {
                Value::String(s) => s.as_str(),
                other => {
                    return Err(ConnectError::data(format!(
                        "Flatten transformation does not support map keys of type {} for record without schemas",
                        other.java_class_name()
                    )))
                }
            };
            let name = self.field_name(prefix, key);
            match v {
                Value::Map(nested) => {
                    let nested = require_map(v, PURPOSE).map(|_| nested)?;
                    self.flatten_map(nested, &name, out)?;
                }
                Value::Struct(_) => {
                    return Err(ConnectError::data(format!(
                        "Flatten transformation does not support class org.apache.kafka.connect.data.Struct for record without schemas (for field {name})."
                    )))
                }
                Value::Decimal(_) | Value::Timestamp(_) => {
                    return Err(ConnectError::data(format!(
                        "Flatten transformation was passed a value of type class {} which is not supported by Connect's data API",
                        v.java_class_name()
                    )))
                }
                _ => {
                    let key = Value::String(name);
                    match out.iter_mut().find(|(ok, _)| *ok == key) {
                        Some((_, slot)) => *slot = v.clone(),
                        None => out.push((key, v.clone())),
                    }
                }
            }
        }
        Ok(())
    }

    fn build_schema(
        &self,
        schema: &Schema,
        prefix: &str,
        builder: SchemaBuilder,
        optional: bool,
        default_from_parent: Option<&Struct>,
    ) -> Result<SchemaBuilder> {
        let mut builder = builder;
        for field in schema.fields()? {
            let name = self.field_name(prefix, field.name());
            let field_optional = optional || field.schema().is_optional();
            let default = match field.schema().default_value() {
                Some(d) => Some(d.clone()),
                None => default_from_parent
                    .map(|p| p.get_field(field).clone())
                    .filter(|v| !v.is_null()),
            };
            let t = field.schema().schema_type();
            if is_leaf(t) {
                let mut fb = copy_schema_basics_of(field.schema());
                if field_optional {
                    fb = fb.optional();
                }
                if let Some(d) = default {
                    fb = fb.default_value(d);
                }
                builder = builder.field(name, fb.build()?);
            } else if t == Type::Struct {
                let parent = match &default {
                    Some(Value::Struct(s)) => Some(s),
                    _ => None,
                };
                builder =
                    self.build_schema(field.schema(), &name, builder, field_optional, parent)?;
            } else {
                return Err(ConnectError::data(format!(
                    "Flatten transformation does not support {t} for record with schemas (for field {name})."
                )));
            }
        }
        Ok(builder)
    }

    fn build_value(&self, value: Option<&Struct>, prefix: &str, out: &mut Struct) -> Result<()> {
        let Some(value) = value else {
            return Ok(());
        };
        for field in value.schema().fields()? {
            let name = self.field_name(prefix, field.name());
            let t = field.schema().schema_type();
            if is_leaf(t) {
                out.put(&name, value.get_field(field).clone())?;
            } else if t == Type::Struct {
                let raw = &value.values()[field.index()];
                self.build_value(require_struct_or_null(raw, PURPOSE)?, &name, out)?;
            } else {
                return Err(ConnectError::data(format!(
                    "Flatten transformation does not support {t} for record with schemas (for field {name})."
                )));
            }
        }
        Ok(())
    }
}

impl<R: ConnectRecord, S: Side> Transformation<R> for Flatten<S> {
    fn configure(&mut self, configs: &HashMap<String, String>) -> Result<()> {
        let config = SimpleConfig::parse(&config_def(), configs)?;
        self.delimiter = config
            .string(DELIMITER_CONFIG)
            .unwrap_or_default()
            .to_owned();
        self.cache = SchemaCache::default();
        Ok(())
    }

    fn apply(&mut self, mut record: R) -> Result<Option<R>> {
        let value = S::value(&record);
        if value.is_null() {
            return Ok(Some(record));
        }
        let (schema, new_value) = match S::schema(&record) {
            None => {
                let map = require_map(value, PURPOSE)?;
                let mut out = Vec::with_capacity(map.len());
                self.flatten_map(map, "", &mut out)?;
                (None, Value::Map(out))
            }
            Some(schema) => {
                let s = require_struct_or_null(value, PURPOSE)?;
                let updated_schema = match self.cache.get(schema) {
                    Some(u) => u,
                    None => {
                        let parent_default = match schema.default_value() {
                            Some(Value::Struct(d)) => Some(d),
                            _ => None,
                        };
                        let b = copy_schema_basics(schema, SchemaBuilder::struct_());
                        let u = self
                            .build_schema(schema, "", b, schema.is_optional(), parent_default)?
                            .build()?;
                        self.cache.put(schema.clone(), u.clone());
                        u
                    }
                };
                let new_value = match s {
                    None => Value::Null,
                    Some(s) => {
                        let mut out = Struct::new(updated_schema.clone())?;
                        self.build_value(Some(s), "", &mut out)?;
                        Value::Struct(out)
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
    Flatten<KeySide>,
    class = "org.apache.kafka.connect.transforms.Flatten$Key"
);
connect_api::transformation!(
    Flatten<ValueSide>,
    class = "org.apache.kafka.connect.transforms.Flatten$Value"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{map, props, source};
    use connect_api::data::{
        BOOLEAN_SCHEMA, BYTES_SCHEMA, FLOAT32_SCHEMA, FLOAT64_SCHEMA, INT16_SCHEMA, INT32_SCHEMA,
        INT64_SCHEMA, INT8_SCHEMA, OPTIONAL_INT32_SCHEMA, OPTIONAL_INT64_SCHEMA,
        OPTIONAL_STRING_SCHEMA, STRING_SCHEMA,
    };
    use connect_api::source::SourceRecord;

    fn xform<S: Side>(pairs: &[(&str, &str)]) -> Flatten<S> {
        let mut x = Flatten::<S>::default();
        Transformation::<SourceRecord>::configure(&mut x, &props(pairs)).unwrap();
        x
    }

    fn value_rec(schema: Option<Schema>, v: impl Into<Value>) -> SourceRecord {
        source(None, Value::Null, schema, v)
    }

    #[test]
    fn top_level_struct_or_map_required() {
        let mut x: FlattenValue = xform(&[]);
        assert!(x
            .apply(value_rec(Some(INT32_SCHEMA.clone()), 42))
            .unwrap_err()
            .is_data());
        assert!(x.apply(value_rec(None, 42)).unwrap_err().is_data());
    }

    fn supported_types() -> (Schema, Struct) {
        let schema = SchemaBuilder::struct_()
            .field("int8", INT8_SCHEMA.clone())
            .field("int16", INT16_SCHEMA.clone())
            .field("int32", INT32_SCHEMA.clone())
            .field("int64", INT64_SCHEMA.clone())
            .field("float32", FLOAT32_SCHEMA.clone())
            .field("float64", FLOAT64_SCHEMA.clone())
            .field("boolean", BOOLEAN_SCHEMA.clone())
            .field("string", STRING_SCHEMA.clone())
            .field("bytes", BYTES_SCHEMA.clone())
            .build()
            .unwrap();
        let mut s = Struct::new(schema.clone()).unwrap();
        s.put("int8", 8i8).unwrap();
        s.put("int16", 16i16).unwrap();
        s.put("int32", 32).unwrap();
        s.put("int64", 64i64).unwrap();
        s.put("float32", 32f32).unwrap();
        s.put("float64", 64f64).unwrap();
        s.put("boolean", true).unwrap();
        s.put("string", "stringy").unwrap();
        s.put("bytes", b"bytes".to_vec()).unwrap();
        (schema, s)
    }

    #[test]
    fn nested_struct() {
        let mut x: FlattenValue = xform(&[]);
        let (types_schema, types) = supported_types();
        let one = SchemaBuilder::struct_()
            .field("B", types_schema)
            .build()
            .unwrap();
        let two = SchemaBuilder::struct_()
            .field("A", one.clone())
            .build()
            .unwrap();
        let mut o = Struct::new(one).unwrap();
        o.put("B", types).unwrap();
        let mut t = Struct::new(two.clone()).unwrap();
        t.put("A", o).unwrap();
        let out = x.apply(value_rec(Some(two), t)).unwrap().unwrap();
        let s = out.value.as_struct().unwrap();
        assert_eq!(s.schema().fields().unwrap().len(), 9);
        assert_eq!(s.get("A.B.int8").unwrap(), &Value::Int8(8));
        assert_eq!(s.get("A.B.int16").unwrap(), &Value::Int16(16));
        assert_eq!(s.get("A.B.int32").unwrap(), &Value::Int32(32));
        assert_eq!(s.get("A.B.int64").unwrap(), &Value::Int64(64));
        assert_eq!(s.get("A.B.float32").unwrap(), &Value::Float32(32.0));
        assert_eq!(s.get("A.B.float64").unwrap(), &Value::Float64(64.0));
        assert_eq!(s.get("A.B.boolean").unwrap(), &Value::Boolean(true));
        assert_eq!(s.get("A.B.string").unwrap(), &Value::from("stringy"));
        assert_eq!(s.get("A.B.bytes").unwrap(), &Value::from(b"bytes".to_vec()));
    }

    #[test]
    fn nested_map_with_delimiter() {
        let mut x: FlattenValue = xform(&[("delimiter", "#")]);
        let types = map(&[
            ("int8", Value::Int8(8)),
            ("int16", Value::Int16(16)),
            ("int32", Value::Int32(32)),
            ("int64", Value::Int64(64)),
            ("float32", Value::Float32(32.0)),
            ("float64", Value::Float64(64.0)),
            ("boolean", Value::Boolean(true)),
            ("string", Value::from("stringy")),
            ("bytes", Value::from(b"bytes".to_vec())),
        ]);
        let v = map(&[("A", map(&[("B", types)]))]);
        let out = x.apply(value_rec(None, v)).unwrap().unwrap();
        assert!(out.value_schema.is_none());
        let m = out.value.as_map().unwrap();
        assert_eq!(m.len(), 9);
        assert_eq!(out.value.map_get("A#B#int8"), Some(&Value::Int8(8)));
        assert_eq!(
            out.value.map_get("A#B#string"),
            Some(&Value::from("stringy"))
        );
        assert_eq!(
            out.value.map_get("A#B#bytes"),
            Some(&Value::from(b"bytes".to_vec()))
        );
    }

    #[test]
    fn optional_fields_and_structs() {
        let mut x: FlattenValue = xform(&[]);
        // testOptionalFieldStruct
        let inner = SchemaBuilder::struct_()
            .field("opt_int32", OPTIONAL_INT32_SCHEMA.clone())
            .build()
            .unwrap();
        let outer = SchemaBuilder::struct_()
            .field("B", inner.clone())
            .build()
            .unwrap();
        let mut o = Struct::new(outer.clone()).unwrap();
        o.put("B", Struct::new(inner).unwrap()).unwrap();
        let out = x.apply(value_rec(Some(outer), o)).unwrap().unwrap();
        assert_eq!(
            out.value.as_struct().unwrap().get("B.opt_int32").unwrap(),
            &Value::Null
        );
        // testOptionalStruct
        let opt = SchemaBuilder::struct_()
            .optional()
            .field("opt_int32", OPTIONAL_INT32_SCHEMA.clone())
            .build()
            .unwrap();
        let out = x
            .apply(value_rec(Some(opt.clone()), Value::Null))
            .unwrap()
            .unwrap();
        assert_eq!(out.value_schema.unwrap().schema_type(), Type::Struct);
        assert!(out.value.is_null());
        // testOptionalNestedStruct
        let outer = SchemaBuilder::struct_().field("B", opt).build().unwrap();
        let o = Struct::new(outer.clone()).unwrap();
        let out = x.apply(value_rec(Some(outer), o)).unwrap().unwrap();
        assert_eq!(
            out.value.as_struct().unwrap().get("B.opt_int32").unwrap(),
            &Value::Null
        );
        // testOptionalFieldMap
        let v = map(&[("B", map(&[("opt_int32", Value::Null)]))]);
        let out = x.apply(value_rec(None, v)).unwrap().unwrap();
        assert_eq!(out.value.map_get("B.opt_int32"), Some(&Value::Null));
    }

    #[test]
    fn key() {
        let mut x: FlattenKey = xform(&[]);
        let r = source(
            None,
            map(&[("A", map(&[("B", 12.into())]))]),
            None,
            Value::Null,
        );
        let out = x.apply(r).unwrap().unwrap();
        assert!(out.key_schema.is_none());
        assert_eq!(out.key.map_get("A.B"), Some(&Value::Int32(12)));
    }

    #[test]
    fn arrays_are_kept() {
        let mut x: FlattenValue = xform(&[]);
        // testSchemalessArray
        let v = map(&[(
            "foo",
            Value::Array(vec![
                "bar".into(),
                map(&[("baz", map(&[("lfg", "lfg".into())]))]),
            ]),
        )]);
        assert_eq!(
            x.apply(value_rec(None, v.clone())).unwrap().unwrap().value,
            v
        );
        // testArrayWithSchema
        let nested = SchemaBuilder::struct_()
            .field("lfg", STRING_SCHEMA.clone())
            .build()
            .unwrap();
        let inner = SchemaBuilder::struct_()
            .field("baz", nested.clone())
            .build()
            .unwrap();
        let schema = SchemaBuilder::struct_()
            .field(
                "foo",
                SchemaBuilder::array(inner.clone())
                    .doc("durk")
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap();
        let mut n = Struct::new(nested).unwrap();
        n.put("lfg", "lfg").unwrap();
        let mut i = Struct::new(inner).unwrap();
        i.put("baz", n).unwrap();
        let mut v = Struct::new(schema.clone()).unwrap();
        v.put("foo", Value::Array(vec![i.into()])).unwrap();
        let out = x
            .apply(value_rec(Some(schema.clone()), v.clone()))
            .unwrap()
            .unwrap();
        assert_eq!(out.value, Value::Struct(v));
        assert_eq!(out.value_schema, Some(schema));
    }

    #[test]
    fn optional_and_default_values_nested() {
        let mut x: FlattenValue = xform(&[]);
        let builder = SchemaBuilder::struct_()
            .optional()
            .field("req_field", STRING_SCHEMA.clone())
            .field(
                "opt_field",
                SchemaBuilder::string()
                    .optional()
                    .default_value("child_default")
                    .build()
                    .unwrap(),
            );
        let mut child_default = Struct::new(builder.clone().build().unwrap()).unwrap();
        child_default.put("req_field", "req_default").unwrap();
        let schema = builder.default_value(child_default).build().unwrap();
        let v = Struct::new(schema.clone()).unwrap();
        let out = x.apply(value_rec(Some(schema), v)).unwrap().unwrap();
        let ts = out.value_schema.unwrap();
        assert_eq!(ts.schema_type(), Type::Struct);
        assert_eq!(ts.fields().unwrap().len(), 2);
        assert_eq!(
            ts.field("req_field").unwrap().unwrap().schema(),
            &SchemaBuilder::string()
                .optional()
                .default_value("req_default")
                .build()
                .unwrap()
        );
        assert_eq!(
            ts.field("opt_field").unwrap().unwrap().schema(),
            &SchemaBuilder::string()
                .optional()
                .default_value("child_default")
                .build()
                .unwrap()
        );
    }

    #[test]
    fn tombstones_pass_through() {
        let mut x: FlattenValue = xform(&[]);
        let out = x.apply(value_rec(None, Value::Null)).unwrap().unwrap();
        assert!(out.value.is_null() && out.value_schema.is_none());
        let schema = SchemaBuilder::struct_()
            .name("name")
            .version(1)
            .doc("doc")
            .field("magic", OPTIONAL_INT64_SCHEMA.clone())
            .build()
            .unwrap();
        let out = x
            .apply(value_rec(Some(schema.clone()), Value::Null))
            .unwrap()
            .unwrap();
        assert!(out.value.is_null());
        assert_eq!(out.value_schema, Some(schema));
    }

    #[test]
    fn null_fields_are_kept_in_order() {
        let mut x: FlattenValue = xform(&[]);
        let v = map(&[
            ("firstNull", Value::Null),
            ("firstNonNull", "nonNull".into()),
            ("secondNull", Value::Null),
            ("secondNonNull", "alsoNonNull".into()),
            ("thirdNonNull", Value::Null),
        ]);
        assert_eq!(
            x.apply(value_rec(None, v.clone())).unwrap().unwrap().value,
            v
        );
        let schema = SchemaBuilder::struct_()
            .field("firstNull", OPTIONAL_STRING_SCHEMA.clone())
            .field("firstNonNull", OPTIONAL_STRING_SCHEMA.clone())
            .field("secondNull", OPTIONAL_STRING_SCHEMA.clone())
            .field("secondNonNull", OPTIONAL_STRING_SCHEMA.clone())
            .field("thirdNonNull", OPTIONAL_STRING_SCHEMA.clone())
            .build()
            .unwrap();
        let mut s = Struct::new(schema.clone()).unwrap();
        s.put("firstNonNull", "nonNull").unwrap();
        s.put("secondNonNull", "alsoNonNull").unwrap();
        assert_eq!(
            x.apply(value_rec(Some(schema), s.clone()))
                .unwrap()
                .unwrap()
                .value,
            Value::Struct(s)
        );
    }

    #[test]
    fn unsupported_values() {
        let mut x: FlattenValue = xform(&[]);
        let inner = SchemaBuilder::struct_()
            .field("a", INT32_SCHEMA.clone())
            .build()
            .unwrap();
        let mut s = Struct::new(inner).unwrap();
        s.put("a", 1).unwrap();
        let err = x
            .apply(value_rec(None, map(&[("s", s.into())])))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Flatten transformation does not support class org.apache.kafka.connect.data.Struct for record without schemas (for field s)."
        );
        let m = SchemaBuilder::map(STRING_SCHEMA.clone(), STRING_SCHEMA.clone())
            .build()
            .unwrap();
        let schema = SchemaBuilder::struct_().field("m", m).build().unwrap();
        let mut v = Struct::new(schema.clone()).unwrap();
        v.put("m", Value::Map(vec![])).unwrap();
        let err = x.apply(value_rec(Some(schema), v)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Flatten transformation does not support MAP for record with schemas (for field m)."
        );
    }
}
