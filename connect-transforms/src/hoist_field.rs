//! `HoistField`: wraps the key or value in a struct (or map) with a single field.
//!
//! Mirrors `org.apache.kafka.connect.transforms.HoistField$Key` / `HoistField$Value`.
//!
//! | key | type | default | |
//! |---|---|---|---|
//! | `field` | STRING | required | the name of the single field |

use std::collections::HashMap;
use std::marker::PhantomData;

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance};
use connect_api::connector::ConnectRecord;
use connect_api::data::{SchemaBuilder, Struct, Value};
use connect_api::errors::Result;
use connect_api::transforms::Transformation;

use crate::config::SimpleConfig;
use crate::key_or_value::{KeySide, Side, ValueSide};
use crate::schema_util::SchemaCache;

/// The `field` key.
pub const FIELD_CONFIG: &str = "field";

/// Wraps data in a single-field struct or map (Apache's `HoistField`). Null values are
/// wrapped too.
#[derive(Debug, Default)]
pub struct HoistField<S: Side> {
    field: String,
    cache: SchemaCache,
    side: PhantomData<S>,
}

/// `org.apache.kafka.connect.transforms.HoistField$Key`.
pub type HoistFieldKey = HoistField<KeySide>;
/// `org.apache.kafka.connect.transforms.HoistField$Value`.
pub type HoistFieldValue = HoistField<ValueSide>;

/// The definition of HoistField's configuration.
pub fn config_def() -> ConfigDef {
    ConfigDef::new().define(
        ConfigKey::new(FIELD_CONFIG, ConfigType::String)
            .importance(Importance::Medium)
            .doc("Field name for the single field that will be created in the resulting Struct or Map."),
    )
}

impl<R: ConnectRecord, S: Side> Transformation<R> for HoistField<S> {
    fn configure(&mut self, configs: &HashMap<String, String>) -> Result<()> {
        let config = SimpleConfig::parse(&config_def(), configs)?;
        self.field = config.string(FIELD_CONFIG).unwrap_or_default().to_owned();
        self.cache = SchemaCache::default();
        Ok(())
    }

    fn apply(&mut self, mut record: R) -> Result<Option<R>> {
        // Moved, not copied: the whole value becomes the one field of the new value.
        let (schema, value) = S::take(&mut record);
        let (schema, new_value) = match schema.as_ref() {
            None => (
                None,
                Value::Map(vec![(Value::String(self.field.clone()), value)]),
            ),
            Some(schema) => {
                let updated = match self.cache.get(schema) {
                    Some(u) => u,
                    None => {
                        let u = SchemaBuilder::struct_()
                            .field(&self.field, schema.clone())
                            .build()?;
                        self.cache.put(schema.clone(), u.clone());
                        u
                    }
                };
                let mut s = Struct::new(updated.clone())?;
                s.put(&self.field, value)?;
                (Some(updated), Value::Struct(s))
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
    HoistField<KeySide>,
    class = "org.apache.kafka.connect.transforms.HoistField$Key"
);
connect_api::transformation!(
    HoistField<ValueSide>,
    class = "org.apache.kafka.connect.transforms.HoistField$Value"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{map, props, sink};
    use connect_api::data::{INT32_SCHEMA, OPTIONAL_INT32_SCHEMA};
    use connect_api::sink::SinkRecord;

    fn xform() -> HoistFieldKey {
        let mut x = HoistFieldKey::default();
        Transformation::<SinkRecord>::configure(&mut x, &props(&[("field", "magic")])).unwrap();
        x
    }

    #[test]
    fn schemaless() {
        let out = xform()
            .apply(sink(None, 42, None, Value::Null))
            .unwrap()
            .unwrap();
        assert!(out.key_schema.is_none());
        assert_eq!(out.key, map(&[("magic", 42.into())]));
    }

    #[test]
    fn with_schema() {
        let out = xform()
            .apply(sink(Some(INT32_SCHEMA.clone()), 42, None, Value::Null))
            .unwrap()
            .unwrap();
        let schema = out.key_schema.unwrap();
        assert_eq!(schema.fields().unwrap().len(), 1);
        assert_eq!(
            schema.field("magic").unwrap().unwrap().schema(),
            &*INT32_SCHEMA
        );
        assert_eq!(
            out.key.as_struct().unwrap().get("magic").unwrap(),
            &Value::Int32(42)
        );
    }

    #[test]
    fn nulls_are_wrapped() {
        // testSchemalessMapIsMutable-style null wrapping and the required-field failure
        let out = xform()
            .apply(sink(None, Value::Null, None, Value::Null))
            .unwrap()
            .unwrap();
        assert_eq!(out.key, map(&[("magic", Value::Null)]));
        let out = xform()
            .apply(sink(
                Some(OPTIONAL_INT32_SCHEMA.clone()),
                Value::Null,
                None,
                Value::Null,
            ))
            .unwrap()
            .unwrap();
        assert!(out.key.as_struct().unwrap().get("magic").unwrap().is_null());
        let err = xform()
            .apply(sink(
                Some(INT32_SCHEMA.clone()),
                Value::Null,
                None,
                Value::Null,
            ))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid value: null used for required field: \"magic\", schema type: INT32"
        );
    }
}
