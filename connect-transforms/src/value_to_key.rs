//! `ValueToKey`: replaces the key with fields copied from the value.
//!
//! Mirrors `org.apache.kafka.connect.transforms.ValueToKey`.
//!
//! | key | type | default | |
//! |---|---|---|---|
//! | `fields` | LIST | required | non-empty; the value fields forming the key, in this order |
//! | `replace.null.with.default` | BOOLEAN | `true` | copy fields with default substitution |

use std::collections::HashMap;

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance, NonEmptyList};
use connect_api::connector::ConnectRecord;
use connect_api::data::{SchemaBuilder, Struct, Value};
use connect_api::errors::{ConnectError, Result};
use connect_api::transforms::Transformation;

use crate::config::{
    replace_null_with_default_key, SimpleConfig, REPLACE_NULL_WITH_DEFAULT_CONFIG,
};
use crate::requirements::{field_value, map_get, require_map, require_struct};
use crate::schema_util::SchemaCache;

/// The `fields` key.
pub const FIELDS_CONFIG: &str = "fields";
const PURPOSE: &str = "copying fields from value to key";

/// Builds the key from value fields (Apache's `ValueToKey`).
#[derive(Debug, Default)]
pub struct ValueToKey {
    fields: Vec<String>,
    replace_null_with_default: bool,
    cache: SchemaCache,
}

/// The definition of ValueToKey's configuration.
pub fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(FIELDS_CONFIG, ConfigType::List)
                .validator(NonEmptyList)
                .importance(Importance::High)
                .doc("Field names on the record value to extract as the record key."),
        )
        .define(replace_null_with_default_key())
}

impl<R: ConnectRecord> Transformation<R> for ValueToKey {
    fn configure(&mut self, configs: &HashMap<String, String>) -> Result<()> {
        let config = SimpleConfig::parse(&config_def(), configs)?;
        self.fields = config.list(FIELDS_CONFIG);
        self.replace_null_with_default = config.boolean(REPLACE_NULL_WITH_DEFAULT_CONFIG);
        self.cache = SchemaCache::default();
        Ok(())
    }

    fn apply(&mut self, mut record: R) -> Result<Option<R>> {
        let value = record.value();
        let (schema, key) = match record.value_schema() {
            None => {
                let map = require_map(value, PURPOSE)?;
                let key = self
                    .fields
                    .iter()
                    .map(|f| {
                        (
                            Value::String(f.clone()),
                            map_get(map, f).cloned().unwrap_or(Value::Null),
                        )
                    })
                    .collect();
                (None, Value::Map(key))
            }
            Some(value_schema) => {
                let s = require_struct(value, PURPOSE)?;
                let key_schema = match self.cache.get(value_schema) {
                    Some(k) => k,
                    None => {
                        let mut b = SchemaBuilder::struct_();
                        for f in &self.fields {
                            let field = value_schema.field(f)?.ok_or_else(|| {
                                ConnectError::data(format!("Field does not exist: {f}"))
                            })?;
                            b = b.field(f, field.schema().clone());
                        }
                        let k = b.build()?;
                        self.cache.put(value_schema.clone(), k.clone());
                        k
                    }
                };
                let mut key = Struct::new(key_schema.clone())?;
                for f in &self.fields {
                    let field = s
                        .schema()
                        .field(f)?
                        .ok_or_else(|| ConnectError::data(format!("Field does not exist: {f}")))?;
                    key.put(
                        f,
                        field_value(s, field, self.replace_null_with_default).clone(),
                    )?;
                }
                (Some(key_schema), Value::Struct(key))
            }
        };
        record.set_key(schema, key);
        Ok(Some(record))
    }

    fn config(&self) -> ConfigDef {
        config_def()
    }
}

connect_api::transformation!(
    ValueToKey,
    class = "org.apache.kafka.connect.transforms.ValueToKey"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{map, props, sink};
    use connect_api::data::INT32_SCHEMA;
    use connect_api::sink::SinkRecord;

    fn xform(fields: &str) -> ValueToKey {
        let mut x = ValueToKey::default();
        Transformation::<SinkRecord>::configure(&mut x, &props(&[("fields", fields)])).unwrap();
        x
    }

    #[test]
    fn schemaless() {
        let v = map(&[("a", 1.into()), ("b", 2.into()), ("c", 3.into())]);
        let out = xform("a,b")
            .apply(sink(None, Value::Null, None, v.clone()))
            .unwrap()
            .unwrap();
        assert!(out.key_schema.is_none());
        assert_eq!(out.key, map(&[("a", 1.into()), ("b", 2.into())]));
        assert_eq!(out.value, v);
    }

    #[test]
    fn with_schema() {
        let schema = SchemaBuilder::struct_()
            .field("a", INT32_SCHEMA.clone())
            .field("b", INT32_SCHEMA.clone())
            .field("c", INT32_SCHEMA.clone())
            .build()
            .unwrap();
        let mut v = Struct::new(schema.clone()).unwrap();
        v.put("a", 1).unwrap();
        v.put("b", 2).unwrap();
        v.put("c", 3).unwrap();
        let out = xform("a,b")
            .apply(sink(None, Value::Null, Some(schema.clone()), v.clone()))
            .unwrap()
            .unwrap();
        let expected_schema = SchemaBuilder::struct_()
            .field("a", INT32_SCHEMA.clone())
            .field("b", INT32_SCHEMA.clone())
            .build()
            .unwrap();
        let mut expected = Struct::new(expected_schema.clone()).unwrap();
        expected.put("a", 1).unwrap();
        expected.put("b", 2).unwrap();
        assert_eq!(out.key_schema, Some(expected_schema));
        assert_eq!(out.key, Value::Struct(expected));
        // nonExistingField
        let err = xform("not_exist")
            .apply(sink(None, Value::Null, Some(schema), v))
            .unwrap_err();
        assert!(err.is_data());
        assert_eq!(err.to_string(), "Field does not exist: not_exist");
    }

    #[test]
    fn null_value_fails_and_config_is_checked() {
        let err = xform("a")
            .apply(sink(None, Value::Null, None, Value::Null))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Only Map objects supported in absence of schema for [copying fields from value to key], found: null"
        );
        let mut x = ValueToKey::default();
        let err =
            Transformation::<SinkRecord>::configure(&mut x, &props(&[("fields", "")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid value [] for configuration fields: Empty list"
        );
    }

    #[test]
    fn replace_null_with_default() {
        for (replace, expected) in [("false", Value::Null), ("true", Value::Int32(42))] {
            let schema = SchemaBuilder::struct_()
                .field(
                    "a",
                    SchemaBuilder::int32()
                        .optional()
                        .default_value(42)
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap();
            let mut x = ValueToKey::default();
            Transformation::<SinkRecord>::configure(
                &mut x,
                &props(&[("fields", "a"), ("replace.null.with.default", replace)]),
            )
            .unwrap();
            let out = x
                .apply(sink(
                    None,
                    Value::Null,
                    Some(schema.clone()),
                    Struct::new(schema).unwrap(),
                ))
                .unwrap()
                .unwrap();
            assert_eq!(
                out.key
                    .as_struct()
                    .unwrap()
                    .get_without_default("a")
                    .unwrap(),
                &expected
            );
        }
    }
}
