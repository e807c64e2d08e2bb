//! `Drop`: sets the record key or value (and its schema) to null.
//!
//! Mirrors Confluent's `io.confluent.connect.transforms.Drop$Key` / `Drop$Value` (from
//! Confluent's separately distributed `connect-transforms` plugin, not Apache Kafka).
//!
//! | key | type | default | |
//! |---|---|---|---|
//! | `schema.behavior` | STRING | `nullify` | `nullify`, `retain`, `validate` or `force_optional` |
//!
//! The record is kept: `Drop$Value` turns it into a tombstone. To remove records, use
//! [`Filter`](crate::filter::Filter) with a predicate instead.

use std::collections::HashMap;
use std::marker::PhantomData;

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance, ValidString};
use connect_api::connector::ConnectRecord;
use connect_api::data::{Schema, Value};
use connect_api::errors::{ConnectError, Result};
use connect_api::transforms::Transformation;

use crate::config::SimpleConfig;
use crate::key_or_value::{KeySide, Side, ValueSide};

/// The `schema.behavior` key.
pub const SCHEMA_BEHAVIOR_CONFIG: &str = "schema.behavior";

/// What happens to the schema of the dropped side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SchemaBehavior {
    /// The schema becomes null.
    #[default]
    Nullify,
    /// The schema is kept, even if it is required.
    Retain,
    /// The schema is kept if it is null or optional; a required schema is a data error.
    Validate,
    /// A required schema is replaced by an optional copy; others are kept.
    ForceOptional,
}

impl SchemaBehavior {
    fn from_config(value: &str) -> Self {
        match value {
            "retain" => SchemaBehavior::Retain,
            "validate" => SchemaBehavior::Validate,
            "force_optional" => SchemaBehavior::ForceOptional,
            _ => SchemaBehavior::Nullify,
        }
    }
}

/// Sets the key or value and its schema to null (Confluent's `Drop`).
#[derive(Debug, Default)]
pub struct Drop<S: Side> {
    behavior: SchemaBehavior,
    side: PhantomData<S>,
}

/// `io.confluent.connect.transforms.Drop$Key`.
pub type DropKey = Drop<KeySide>;
/// `io.confluent.connect.transforms.Drop$Value`.
pub type DropValue = Drop<ValueSide>;

/// The definition of Drop's configuration.
pub fn config_def() -> ConfigDef {
    ConfigDef::new().define(
        ConfigKey::new(SCHEMA_BEHAVIOR_CONFIG, ConfigType::String)
            .default_value("nullify")
            .validator(ValidString::in_list(["nullify", "retain", "validate", "force_optional"]))
            .importance(Importance::Medium)
            .doc("How to handle the schema of the dropped key or value: nullify (the schema becomes null), retain (keep it), validate (keep it, failing if it is not optional) or force_optional (make it optional)."),
    )
}

/// A copy of a required schema made optional (same type, name, version, doc, parameters,
/// fields and element schemas; the default is dropped, as it may not suit an optional schema).
fn optional_copy(schema: &Schema) -> Result<Schema> {
    use crate::schema_util::copy_schema_basics;
    use connect_api::data::{SchemaBuilder, Type};
    let builder = match schema.schema_type() {
        Type::Struct => {
            let mut b = SchemaBuilder::struct_();
            for f in schema.fields()? {
                b = b.field(f.name(), f.schema().clone());
            }
            b
        }
        t => SchemaBuilder::container_without_element_schemas(
            t,
            schema.key_schema().cloned(),
            schema.value_schema().cloned(),
        ),
    };
    copy_schema_basics(schema, builder).optional().build()
}

impl<R: ConnectRecord, S: Side> Transformation<R> for Drop<S> {
    fn configure(&mut self, configs: &HashMap<String, String>) -> Result<()> {
        let config = SimpleConfig::parse(&config_def(), configs)?;
        self.behavior =
            SchemaBehavior::from_config(config.string(SCHEMA_BEHAVIOR_CONFIG).unwrap_or_default());
        Ok(())
    }

    fn apply(&mut self, mut record: R) -> Result<Option<R>> {
        let schema = S::schema(&record);
        let new_schema = match (self.behavior, schema) {
            (SchemaBehavior::Nullify, _) | (_, None) => None,
            (SchemaBehavior::Retain, Some(s)) => Some(s.clone()),
            (SchemaBehavior::Validate, Some(s)) => {
                if !s.is_optional() {
                    return Err(ConnectError::data(format!(
                        "Cannot drop the {} of the record: its schema {s} is not optional",
                        S::NAME.to_ascii_lowercase()
                    )));
                }
                Some(s.clone())
            }
            (SchemaBehavior::ForceOptional, Some(s)) if s.is_optional() => Some(s.clone()),
            (SchemaBehavior::ForceOptional, Some(s)) => Some(optional_copy(s)?),
        };
        S::set(&mut record, new_schema, Value::Null);
        Ok(Some(record))
    }

    fn config(&self) -> ConfigDef {
        config_def()
    }
}

connect_api::transformation!(
    Drop<KeySide>,
    class = "io.confluent.connect.transforms.Drop$Key"
);
connect_api::transformation!(
    Drop<ValueSide>,
    class = "io.confluent.connect.transforms.Drop$Value"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{props, source};
    use connect_api::data::{SchemaBuilder, INT32_SCHEMA, OPTIONAL_INT32_SCHEMA, STRING_SCHEMA};
    use connect_api::source::SourceRecord;

    fn xform<S: Side>(behavior: Option<&str>) -> Drop<S> {
        let mut x = Drop::<S>::default();
        let cfg = match behavior {
            Some(b) => props(&[(SCHEMA_BEHAVIOR_CONFIG, b)]),
            None => props(&[]),
        };
        Transformation::<SourceRecord>::configure(&mut x, &cfg).unwrap();
        x
    }

    fn record() -> SourceRecord {
        let mut r = source(
            Some(INT32_SCHEMA.clone()),
            24,
            Some(STRING_SCHEMA.clone()),
            "v",
        )
        .with_timestamp(7);
        r.headers.add_string("h", Some("x"));
        r
    }

    #[test]
    fn drop_key_nullify_and_retain() {
        let out = xform::<KeySide>(None).apply(record()).unwrap().unwrap();
        assert!(out.key.is_null());
        assert!(out.key_schema.is_none());
        assert_eq!(out.value, Value::from("v"));
        assert_eq!(out.value_schema, Some(STRING_SCHEMA.clone()));
        assert_eq!(out.timestamp, Some(7));
        assert_eq!(out.headers.len(), 1);
        let out = xform::<KeySide>(Some("retain"))
            .apply(record())
            .unwrap()
            .unwrap();
        assert!(out.key.is_null());
        assert_eq!(out.key_schema, Some(INT32_SCHEMA.clone()));
    }

    #[test]
    fn drop_value_makes_a_tombstone() {
        let out = xform::<ValueSide>(None).apply(record()).unwrap().unwrap();
        assert!(out.value.is_null());
        assert!(out.value_schema.is_none());
        assert_eq!(out.key, Value::Int32(24));
    }

    #[test]
    fn validate_and_force_optional() {
        let err = xform::<KeySide>(Some("validate"))
            .apply(record())
            .unwrap_err();
        assert!(err.is_data());
        let r = source(Some(OPTIONAL_INT32_SCHEMA.clone()), 24, None, Value::Null);
        let out = xform::<KeySide>(Some("validate"))
            .apply(r)
            .unwrap()
            .unwrap();
        assert_eq!(out.key_schema, Some(OPTIONAL_INT32_SCHEMA.clone()));
        let out = xform::<KeySide>(Some("force_optional"))
            .apply(record())
            .unwrap()
            .unwrap();
        assert_eq!(out.key_schema, Some(OPTIONAL_INT32_SCHEMA.clone()));
        let named = SchemaBuilder::struct_()
            .name("n")
            .field("a", INT32_SCHEMA.clone())
            .build()
            .unwrap();
        let r = source(Some(named), Value::Null, None, Value::Null);
        let out = xform::<KeySide>(Some("force_optional"))
            .apply(r)
            .unwrap()
            .unwrap();
        let s = out.key_schema.unwrap();
        assert!(s.is_optional());
        assert_eq!(s.name(), Some("n"));
        assert_eq!(s.fields().unwrap().len(), 1);
    }

    #[test]
    fn bad_behavior_is_a_config_error() {
        let mut x = DropKey::default();
        let err = Transformation::<SourceRecord>::configure(
            &mut x,
            &props(&[(SCHEMA_BEHAVIOR_CONFIG, "explode")]),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid value explode for configuration schema.behavior: String must be one of: nullify, retain, validate, force_optional"
        );
    }
}
