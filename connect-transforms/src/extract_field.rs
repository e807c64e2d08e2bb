//! `ExtractField`: replaces the key or value with one of its (possibly nested) fields.
//!
//! Mirrors `org.apache.kafka.connect.transforms.ExtractField$Key` / `ExtractField$Value`.
//!
//! | key | type | default | |
//! |---|---|---|---|
//! | `field` | STRING | required | the field (or, with V2, the dotted path) to extract |
//! | `field.syntax.version` | STRING | `V1` | `V1` or `V2` (case-insensitive), see [`crate::field_path`] |
//! | `replace.null.with.default` | BOOLEAN | `true` | substitute the field's default for null |

use std::collections::HashMap;
use std::marker::PhantomData;

use connect_api::config::{
    CaseInsensitiveValidString, ConfigDef, ConfigError, ConfigKey, ConfigType, Importance,
};
use connect_api::connector::ConnectRecord;
use connect_api::data::Value;
use connect_api::errors::{ConnectError, Result};
use connect_api::transforms::Transformation;

use crate::config::{
    replace_null_with_default_key, SimpleConfig, REPLACE_NULL_WITH_DEFAULT_CONFIG,
};
use crate::field_path::{
    FieldSyntaxVersion, SingleFieldPath, FIELD_SYNTAX_VERSION_CONFIG, FIELD_SYNTAX_VERSION_DOC,
};
use crate::key_or_value::{KeySide, Side, ValueSide};
use crate::requirements::{require_map_or_null, require_struct_or_null};

/// The `field` key.
pub const FIELD_CONFIG: &str = "field";
const PURPOSE: &str = "field extraction";

/// Extracts a field from a struct (with schema) or map (schemaless) (Apache's `ExtractField`).
///
/// Null values pass through as null. With a schema, the new schema is the field's schema; a
/// field missing from the schema fails with `Unknown field: <path>`. Schemaless, a missing field
/// gives null.
#[derive(Debug)]
pub struct ExtractField<S: Side> {
    path: SingleFieldPath,
    original_path: String,
    replace_null_with_default: bool,
    side: PhantomData<S>,
}

/// `org.apache.kafka.connect.transforms.ExtractField$Key`.
pub type ExtractFieldKey = ExtractField<KeySide>;
/// `org.apache.kafka.connect.transforms.ExtractField$Value`.
pub type ExtractFieldValue = ExtractField<ValueSide>;

impl<S: Side> Default for ExtractField<S> {
    fn default() -> Self {
        ExtractField {
            path: SingleFieldPath::default_v1(),
            original_path: String::new(),
            replace_null_with_default: true,
            side: PhantomData,
        }
    }
}

/// The definition of ExtractField's configuration.
pub fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(FIELD_CONFIG, ConfigType::String)
                .importance(Importance::Medium)
                .doc("Field name to extract."),
        )
        .define(replace_null_with_default_key())
        .define(field_syntax_version_key())
}

/// The `field.syntax.version` key (Java's `FieldSyntaxVersion.appendConfigTo`).
pub(crate) fn field_syntax_version_key() -> ConfigKey {
    ConfigKey::new(FIELD_SYNTAX_VERSION_CONFIG, ConfigType::String)
        .default_value("V1")
        .validator(CaseInsensitiveValidString::in_list(["V1", "V2"]))
        .importance(Importance::High)
        .doc(FIELD_SYNTAX_VERSION_DOC)
}

impl<R: ConnectRecord, S: Side> Transformation<R> for ExtractField<S> {
    fn configure(&mut self, configs: &HashMap<String, String>) -> Result<()> {
        let config = SimpleConfig::parse(&config_def(), configs)?;
        self.original_path = config.string(FIELD_CONFIG).unwrap_or_default().to_owned();
        let version = FieldSyntaxVersion::from_config(
            config.string(FIELD_SYNTAX_VERSION_CONFIG).unwrap_or("V1"),
        )?;
        self.path = SingleFieldPath::new(&self.original_path, version)
            .map_err(|e| ConfigError::other(Some(FIELD_CONFIG), e.to_string()))?;
        self.replace_null_with_default = config.boolean(REPLACE_NULL_WITH_DEFAULT_CONFIG);
        Ok(())
    }

    fn apply(&mut self, mut record: R) -> Result<Option<R>> {
        let value = S::value(&record);
        let (schema, new_value) = match S::schema(&record) {
            None => {
                let new_value = match require_map_or_null(value, PURPOSE)? {
                    Some(map) => self.path.value_from_map(map)?,
                    None => Value::Null,
                };
                (None, new_value)
            }
            Some(schema) => {
                let s = require_struct_or_null(value, PURPOSE)?;
                // Apache throws IllegalArgumentException; any exception in a transform goes to
                // the error handler, so a data error gets the same treatment.
                let field = self.path.field_from(schema)?.ok_or_else(|| {
                    ConnectError::data(format!("Unknown field: {}", self.original_path))
                })?;
                let field_schema = field.schema().clone();
                let new_value = match s {
                    Some(s) => self
                        .path
                        .value_from_struct(s, self.replace_null_with_default)?,
                    None => Value::Null,
                };
                (Some(field_schema), new_value)
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
    ExtractField<KeySide>,
    class = "org.apache.kafka.connect.transforms.ExtractField$Key"
);
connect_api::transformation!(
    ExtractField<ValueSide>,
    class = "org.apache.kafka.connect.transforms.ExtractField$Value"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{map, props, sink};
    use connect_api::data::{SchemaBuilder, Struct, INT32_SCHEMA};
    use connect_api::sink::SinkRecord;

    fn xform<S: Side>(pairs: &[(&str, &str)]) -> ExtractField<S> {
        let mut x = ExtractField::<S>::default();
        Transformation::<SinkRecord>::configure(&mut x, &props(pairs)).unwrap();
        x
    }

    #[test]
    fn schemaless() {
        let mut x: ExtractFieldKey = xform(&[("field", "magic")]);
        let r = sink(None, map(&[("magic", 42.into())]), None, Value::Null);
        let out = x.apply(r).unwrap().unwrap();
        assert!(out.key_schema.is_none());
        assert_eq!(out.key, Value::Int32(42));
    }

    #[test]
    fn schemaless_and_nested_path() {
        let mut x: ExtractFieldKey =
            xform(&[("field", "magic.foo"), ("field.syntax.version", "V2")]);
        let key = map(&[("magic", map(&[("foo", 42.into())]))]);
        let out = x
            .apply(sink(None, key, None, Value::Null))
            .unwrap()
            .unwrap();
        assert!(out.key_schema.is_none());
        assert_eq!(out.key, Value::Int32(42));
    }

    #[test]
    fn null_schemaless() {
        let mut x: ExtractFieldKey = xform(&[("field", "magic")]);
        let out = x
            .apply(sink(None, Value::Null, None, Value::Null))
            .unwrap()
            .unwrap();
        assert!(out.key_schema.is_none());
        assert!(out.key.is_null());
    }

    #[test]
    fn with_schema() {
        let mut x: ExtractFieldKey = xform(&[("field", "magic")]);
        let schema = SchemaBuilder::struct_()
            .field("magic", INT32_SCHEMA.clone())
            .build()
            .unwrap();
        let mut key = Struct::new(schema.clone()).unwrap();
        key.put("magic", 42).unwrap();
        let out = x
            .apply(sink(Some(schema), key, None, Value::Null))
            .unwrap()
            .unwrap();
        assert_eq!(out.key_schema, Some(INT32_SCHEMA.clone()));
        assert_eq!(out.key, Value::Int32(42));
    }

    #[test]
    fn with_schema_and_nested_path() {
        let mut x: ExtractFieldKey =
            xform(&[("field", "magic.foo"), ("field.syntax.version", "v2")]);
        let foo = SchemaBuilder::struct_()
            .field("foo", INT32_SCHEMA.clone())
            .build()
            .unwrap();
        let schema = SchemaBuilder::struct_()
            .field("magic", foo.clone())
            .build()
            .unwrap();
        let mut inner = Struct::new(foo).unwrap();
        inner.put("foo", 42).unwrap();
        let mut key = Struct::new(schema.clone()).unwrap();
        key.put("magic", inner).unwrap();
        let out = x
            .apply(sink(Some(schema), key, None, Value::Null))
            .unwrap()
            .unwrap();
        assert_eq!(out.key_schema, Some(INT32_SCHEMA.clone()));
        assert_eq!(out.key, Value::Int32(42));
    }

    #[test]
    fn null_with_schema() {
        let mut x: ExtractFieldKey = xform(&[("field", "magic")]);
        let schema = SchemaBuilder::struct_()
            .field("magic", INT32_SCHEMA.clone())
            .optional()
            .build()
            .unwrap();
        let out = x
            .apply(sink(Some(schema), Value::Null, None, Value::Null))
            .unwrap()
            .unwrap();
        assert_eq!(out.key_schema, Some(INT32_SCHEMA.clone()));
        assert!(out.key.is_null());
    }

    #[test]
    fn non_existent_fields() {
        let mut x: ExtractFieldKey = xform(&[("field", "nonexistent")]);
        let out = x
            .apply(sink(None, map(&[("magic", 42.into())]), None, Value::Null))
            .unwrap()
            .unwrap();
        assert!(out.key.is_null());
        let mut x: ExtractFieldKey = xform(&[
            ("field", "magic.nonexistent"),
            ("field.syntax.version", "V2"),
        ]);
        let key = map(&[("magic", map(&[("foo", 42.into())]))]);
        assert!(x
            .apply(sink(None, key, None, Value::Null))
            .unwrap()
            .unwrap()
            .key
            .is_null());

        let schema = SchemaBuilder::struct_()
            .field("magic", INT32_SCHEMA.clone())
            .build()
            .unwrap();
        let mut key = Struct::new(schema.clone()).unwrap();
        key.put("magic", 42).unwrap();
        let mut x: ExtractFieldKey = xform(&[("field", "nonexistent")]);
        let err = x
            .apply(sink(Some(schema), key, None, Value::Null))
            .unwrap_err();
        assert_eq!(err.to_string(), "Unknown field: nonexistent");

        let foo = SchemaBuilder::struct_()
            .field("foo", INT32_SCHEMA.clone())
            .build()
            .unwrap();
        let schema = SchemaBuilder::struct_()
            .field("magic", foo.clone())
            .build()
            .unwrap();
        let mut inner = Struct::new(foo).unwrap();
        inner.put("foo", 42).unwrap();
        let mut key = Struct::new(schema.clone()).unwrap();
        key.put("magic", inner).unwrap();
        let mut x: ExtractFieldKey = xform(&[
            ("field", "magic.nonexistent"),
            ("field.syntax.version", "V2"),
        ]);
        let err = x
            .apply(sink(Some(schema), key, None, Value::Null))
            .unwrap_err();
        assert_eq!(err.to_string(), "Unknown field: magic.nonexistent");
    }

    #[test]
    fn unset_optional_key_and_value() {
        // testUnsetOptionalKey / testUnsetOptionalField (both parameterizations)
        for (replace, expected) in [("false", Value::Null), ("true", Value::Int32(42))] {
            let schema = SchemaBuilder::struct_()
                .field(
                    "optional_with_default",
                    SchemaBuilder::int32()
                        .optional()
                        .default_value(42)
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap();
            let s = Struct::new(schema.clone()).unwrap();
            let cfg = [
                ("field", "optional_with_default"),
                ("replace.null.with.default", replace),
            ];
            let mut k: ExtractFieldKey = xform(&cfg);
            let out = k
                .apply(sink(Some(schema.clone()), s.clone(), None, Value::Null))
                .unwrap()
                .unwrap();
            assert_eq!(out.key, expected);
            let mut v: ExtractFieldValue = xform(&cfg);
            let out = v
                .apply(sink(None, Value::Null, Some(schema), s))
                .unwrap()
                .unwrap();
            assert_eq!(out.value, expected);
        }
    }

    #[test]
    fn v1_dots_are_literal() {
        let mut x: ExtractFieldValue = xform(&[("field", "a.b")]);
        let v = map(&[("a.b", 1.into()), ("a", map(&[("b", 2.into())]))]);
        assert_eq!(
            x.apply(sink(None, Value::Null, None, v))
                .unwrap()
                .unwrap()
                .value,
            Value::Int32(1)
        );
    }

    #[test]
    fn config_errors_name_the_key() {
        let mut x = ExtractFieldValue::default();
        let err = Transformation::<SinkRecord>::configure(&mut x, &props(&[])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Missing required configuration \"field\" which has no default value."
        );
        let err = Transformation::<SinkRecord>::configure(
            &mut x,
            &props(&[("field", "a"), ("field.syntax.version", "V3")]),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid value V3 for configuration field.syntax.version: String must be one of (case insensitive): V1, V2"
        );
        let err = Transformation::<SinkRecord>::configure(
            &mut x,
            &props(&[("field", "`a"), ("field.syntax.version", "V2")]),
        )
        .unwrap_err();
        assert!(err
            .to_string()
            .starts_with("Incomplete backtick pair in path: [`a]"));
        let mut x: ExtractFieldValue = xform(&[("field", "a")]);
        let err = x.apply(sink(None, Value::Null, None, 5)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Only Map objects supported in absence of schema for [field extraction], found: java.lang.Integer"
        );
    }
}
