//! `SetSchemaMetadata`: sets the name and/or version of the key or value schema.
//!
//! Mirrors `org.apache.kafka.connect.transforms.SetSchemaMetadata$Key` / `$Value`.
//!
//! | key | type | default | |
//! |---|---|---|---|
//! | `schema.name` | STRING | null | the new schema name |
//! | `schema.version` | INT | null | the new schema version |
//! | `replace.null.with.default` | BOOLEAN | `true` | copy struct fields with default substitution |

use std::collections::HashMap;
use std::marker::PhantomData;

use connect_api::config::{ConfigDef, ConfigError, ConfigKey, ConfigType, Importance};
use connect_api::connector::ConnectRecord;
use connect_api::data::{Schema, SchemaBuilder, Struct, Value};
use connect_api::errors::Result;
use connect_api::transforms::Transformation;

use crate::config::{
    replace_null_with_default_key, SimpleConfig, REPLACE_NULL_WITH_DEFAULT_CONFIG,
};
use crate::key_or_value::{KeySide, Side, ValueSide};
use crate::requirements::{require_schema, take_field_value};

/// The `schema.name` key.
pub const SCHEMA_NAME: &str = "schema.name";
/// The `schema.version` key.
pub const SCHEMA_VERSION: &str = "schema.version";

/// Sets schema name and version (Apache's `SetSchemaMetadata`).
#[derive(Debug, Default)]
pub struct SetSchemaMetadata<S: Side> {
    name: Option<String>,
    version: Option<i32>,
    replace_null_with_default: bool,
    side: PhantomData<S>,
}

/// `org.apache.kafka.connect.transforms.SetSchemaMetadata$Key`.
pub type SetSchemaMetadataKey = SetSchemaMetadata<KeySide>;
/// `org.apache.kafka.connect.transforms.SetSchemaMetadata$Value`.
pub type SetSchemaMetadataValue = SetSchemaMetadata<ValueSide>;

/// The definition of SetSchemaMetadata's configuration.
pub fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(SCHEMA_NAME, ConfigType::String)
                .default_null()
                .importance(Importance::High)
                .doc("Schema name to set."),
        )
        .define(
            ConfigKey::new(SCHEMA_VERSION, ConfigType::Int)
                .default_null()
                .importance(Importance::High)
                .doc("Schema version to set."),
        )
        .define(replace_null_with_default_key())
}

impl<S: Side> SetSchemaMetadata<S> {
    /// The schema with name and/or version replaced and everything else kept (Java builds a
    /// `ConnectSchema` with the new name and version directly).
    fn updated_schema(&self, schema: &Schema) -> Result<Schema> {
        let mut b = SchemaBuilder::from_schema(schema);
        if self.name.is_some() {
            b = b.with_name(self.name.clone());
        }
        if self.version.is_some() {
            b = b.with_version(self.version);
        }
        if let Some(Value::Struct(d)) = schema.default_value() {
            // A struct default must carry the new schema to be valid for it.
            let without_default = b.clone().with_default_value(None).build()?;
            let default = self.rebuild(d.clone(), &without_default)?;
            b = b.with_default_value(Some(Value::Struct(default)));
        }
        b.build()
    }

    fn rebuild(&self, mut value: Struct, schema: &Schema) -> Result<Struct> {
        let mut s = Struct::new(schema.clone())?;
        let original_schema = value.schema().clone();
        for f in schema.fields()? {
            let v = match original_schema.field(f.name())? {
                Some(of) => take_field_value(&mut value, of, self.replace_null_with_default)?,
                None => Value::Null,
            };
            s.put_field(f, v)?;
        }
        Ok(s)
    }
}

impl<R: ConnectRecord, S: Side> Transformation<R> for SetSchemaMetadata<S> {
    fn configure(&mut self, configs: &HashMap<String, String>) -> Result<()> {
        let config = SimpleConfig::parse(&config_def(), configs)?;
        self.name = config.string(SCHEMA_NAME).map(str::to_owned);
        self.version = config.int(SCHEMA_VERSION);
        self.replace_null_with_default = config.boolean(REPLACE_NULL_WITH_DEFAULT_CONFIG);
        if self.name.is_none() && self.version.is_none() {
            return Err(
                ConfigError::other(None, "Neither schema name nor version configured").into(),
            );
        }
        Ok(())
    }

    fn apply(&mut self, mut record: R) -> Result<Option<R>> {
        if S::value(&record).is_null() && S::schema(&record).is_none() {
            return Ok(Some(record));
        }
        // Moved out and back: a struct moves its fields into one of the new schema, any other
        // value is put back as it is.
        let (schema, value) = S::take(&mut record);
        let schema = require_schema(schema.as_ref(), "updating schema metadata")?;
        let updated = self.updated_schema(schema)?;
        let new_value = match value {
            Value::Struct(s) => Value::Struct(self.rebuild(s, &updated)?),
            other => other,
        };
        S::set(&mut record, Some(updated), new_value);
        Ok(Some(record))
    }

    fn config(&self) -> ConfigDef {
        config_def()
    }
}

connect_api::transformation!(
    SetSchemaMetadata<KeySide>,
    class = "org.apache.kafka.connect.transforms.SetSchemaMetadata$Key"
);
connect_api::transformation!(
    SetSchemaMetadata<ValueSide>,
    class = "org.apache.kafka.connect.transforms.SetSchemaMetadata$Value"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{props, sink};
    use connect_api::data::{INT32_SCHEMA, STRING_SCHEMA};
    use connect_api::sink::SinkRecord;

    fn xform(pairs: &[(&str, &str)]) -> SetSchemaMetadataValue {
        let mut x = SetSchemaMetadataValue::default();
        Transformation::<SinkRecord>::configure(&mut x, &props(pairs)).unwrap();
        x
    }

    fn struct_schema() -> Schema {
        SchemaBuilder::struct_()
            .name("old")
            .version(1)
            .doc("d")
            .field("stringField", STRING_SCHEMA.clone())
            .field(
                "intField",
                SchemaBuilder::int32()
                    .optional()
                    .default_value(42)
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap()
    }

    #[test]
    fn name_and_version_updates() {
        let r = || {
            sink(
                None,
                Value::Null,
                Some(SchemaBuilder::struct_().build().unwrap()),
                Value::Null,
            )
        };
        assert_eq!(
            xform(&[("schema.name", "foo")])
                .apply(r())
                .unwrap()
                .unwrap()
                .value_schema
                .unwrap()
                .name(),
            Some("foo")
        );
        assert_eq!(
            xform(&[("schema.version", "42")])
                .apply(r())
                .unwrap()
                .unwrap()
                .value_schema
                .unwrap()
                .version(),
            Some(42)
        );
        let s = xform(&[("schema.name", "foo"), ("schema.version", "42")])
            .apply(r())
            .unwrap()
            .unwrap()
            .value_schema
            .unwrap();
        assert_eq!((s.name(), s.version()), (Some("foo"), Some(42)));
    }

    #[test]
    fn struct_values_are_rebuilt() {
        for (replace, expected) in [("false", Value::Null), ("true", Value::Int32(42))] {
            let mut v = Struct::new(struct_schema()).unwrap();
            v.put("stringField", "value").unwrap();
            let out = xform(&[
                ("schema.name", "foo"),
                ("schema.version", "42"),
                ("replace.null.with.default", replace),
            ])
            .apply(sink(None, Value::Null, Some(struct_schema()), v))
            .unwrap()
            .unwrap();
            let schema = out.value_schema.unwrap();
            assert_eq!(
                (schema.name(), schema.version(), schema.doc()),
                (Some("foo"), Some(42), Some("d"))
            );
            let s = out.value.as_struct().unwrap();
            assert_eq!(s.schema(), &schema);
            assert_eq!(s.get("stringField").unwrap(), &Value::from("value"));
            assert_eq!(s.get_without_default("intField").unwrap(), &expected);
        }
    }

    #[test]
    fn nulls_and_non_structs() {
        // ignoreRecordWithNullValue
        let out = xform(&[("schema.name", "foo")])
            .apply(sink(None, Value::Null, None, Value::Null))
            .unwrap()
            .unwrap();
        assert!(out.value.is_null() && out.value_schema.is_none());
        // valueSchemaRequired
        let err = xform(&[("schema.name", "foo")])
            .apply(sink(None, Value::Null, None, 1))
            .unwrap_err();
        assert!(err.is_data());
        assert_eq!(
            err.to_string(),
            "Schema required for [updating schema metadata]"
        );
        // updateSchemaOfNonStruct / updateSchemaOfNull
        let out = xform(&[("schema.name", "foo")])
            .apply(sink(None, Value::Null, Some(INT32_SCHEMA.clone()), 5))
            .unwrap()
            .unwrap();
        assert_eq!(out.value, Value::Int32(5));
        assert_eq!(out.value_schema.unwrap().name(), Some("foo"));
        let out = xform(&[("schema.name", "foo")])
            .apply(sink(None, Value::Null, Some(struct_schema()), Value::Null))
            .unwrap()
            .unwrap();
        assert!(out.value.is_null());
        assert_eq!(out.value_schema.unwrap().name(), Some("foo"));
        let mut x = SetSchemaMetadataValue::default();
        let err = Transformation::<SinkRecord>::configure(&mut x, &props(&[])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Neither schema name nor version configured"
        );
    }
}
