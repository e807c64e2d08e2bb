//! `InsertField`: inserts record metadata (topic, partition, offset, timestamp) or a static value
//! as fields of the key or value.
//!
//! Mirrors `org.apache.kafka.connect.transforms.InsertField$Key` / `InsertField$Value`.
//!
//! | key | type | default | |
//! |---|---|---|---|
//! | `topic.field` | STRING | null | field for the topic |
//! | `partition.field` | STRING | null | field for the Kafka partition |
//! | `offset.field` | STRING | null | field for the Kafka offset (sink records only) |
//! | `timestamp.field` | STRING | null | field for the record timestamp |
//! | `static.field` | STRING | null | field for `static.value` |
//! | `static.value` | STRING | null | the static value |
//! | `replace.null.with.default` | BOOLEAN | `true` | copy fields with default substitution |
//!
//! A field name ending in `!` makes the inserted field required, `?` (or nothing) optional.

use std::collections::HashMap;
use std::marker::PhantomData;

use connect_api::config::{ConfigDef, ConfigError, ConfigKey, ConfigType, Importance};
use connect_api::connector::ConnectRecord;
use connect_api::data::{
    Schema, SchemaBuilder, Struct, Timestamp, Value, INT32_SCHEMA, INT64_SCHEMA,
    OPTIONAL_INT32_SCHEMA, OPTIONAL_INT64_SCHEMA, OPTIONAL_STRING_SCHEMA, STRING_SCHEMA,
};
use connect_api::errors::Result;
use connect_api::transforms::Transformation;

use crate::config::{
    replace_null_with_default_key, SimpleConfig, REPLACE_NULL_WITH_DEFAULT_CONFIG,
};
use crate::key_or_value::{KeySide, Side, ValueSide};
use crate::requirements::{into_map, into_struct, map_put, require_sink_record, take_field_value};
use crate::schema_util::{copy_schema_basics, SchemaCache};

/// The `topic.field` key.
pub const TOPIC_FIELD: &str = "topic.field";
/// The `partition.field` key.
pub const PARTITION_FIELD: &str = "partition.field";
/// The `offset.field` key.
pub const OFFSET_FIELD: &str = "offset.field";
/// The `timestamp.field` key.
pub const TIMESTAMP_FIELD: &str = "timestamp.field";
/// The `static.field` key.
pub const STATIC_FIELD: &str = "static.field";
/// The `static.value` key.
pub const STATIC_VALUE: &str = "static.value";
const PURPOSE: &str = "field insertion";
const OPTIONALITY_DOC: &str = "Suffix with <code>!</code> to make this a required field, or <code>?</code> to keep it optional (the default).";

/// A field to insert: its name and whether it is optional (Java's `InsertionSpec`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct InsertionSpec {
    name: String,
    optional: bool,
}

impl InsertionSpec {
    fn parse(spec: Option<&str>) -> Option<InsertionSpec> {
        let spec = spec?;
        Some(if let Some(name) = spec.strip_suffix('?') {
            InsertionSpec {
                name: name.to_owned(),
                optional: true,
            }
        } else if let Some(name) = spec.strip_suffix('!') {
            InsertionSpec {
                name: name.to_owned(),
                optional: false,
            }
        } else {
            InsertionSpec {
                name: spec.to_owned(),
                optional: true,
            }
        })
    }
}

/// Inserts metadata or a static value as fields (Apache's `InsertField`).
#[derive(Debug, Default)]
pub struct InsertField<S: Side> {
    topic: Option<InsertionSpec>,
    partition: Option<InsertionSpec>,
    offset: Option<InsertionSpec>,
    timestamp: Option<InsertionSpec>,
    static_field: Option<InsertionSpec>,
    static_value: Option<String>,
    replace_null_with_default: bool,
    cache: SchemaCache,
    side: PhantomData<S>,
}

/// `org.apache.kafka.connect.transforms.InsertField$Key`.
pub type InsertFieldKey = InsertField<KeySide>;
/// `org.apache.kafka.connect.transforms.InsertField$Value`.
pub type InsertFieldValue = InsertField<ValueSide>;

fn optional_string(name: &str, doc: String) -> ConfigKey {
    ConfigKey::new(name, ConfigType::String)
        .default_null()
        .importance(Importance::Medium)
        .doc(doc)
}

/// The definition of InsertField's configuration.
pub fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(optional_string(TOPIC_FIELD, format!("Field name for Kafka topic. {OPTIONALITY_DOC}")))
        .define(optional_string(PARTITION_FIELD, format!("Field name for Kafka partition. {OPTIONALITY_DOC}")))
        .define(optional_string(OFFSET_FIELD, format!("Field name for Kafka offset - only applicable to sink connectors.<br/>{OPTIONALITY_DOC}")))
        .define(optional_string(TIMESTAMP_FIELD, format!("Field name for record timestamp. {OPTIONALITY_DOC}")))
        .define(optional_string(STATIC_FIELD, format!("Field name for static data field. {OPTIONALITY_DOC}")))
        .define(optional_string(STATIC_VALUE, "Static field value, if field name configured.".to_owned()))
        .define(replace_null_with_default_key())
}

fn pick(optional: bool, opt: &Schema, req: &Schema) -> Schema {
    if optional {
        opt.clone()
    } else {
        req.clone()
    }
}

impl<S: Side> InsertField<S> {
    fn build_schema(&self, schema: &Schema) -> Result<Schema> {
        let mut b = copy_schema_basics(schema, SchemaBuilder::struct_());
        for f in schema.fields()? {
            b = b.field(f.name(), f.schema().clone());
        }
        if let Some(t) = &self.topic {
            b = b.field(
                &t.name,
                pick(t.optional, &OPTIONAL_STRING_SCHEMA, &STRING_SCHEMA),
            );
        }
        if let Some(p) = &self.partition {
            b = b.field(
                &p.name,
                pick(p.optional, &OPTIONAL_INT32_SCHEMA, &INT32_SCHEMA),
            );
        }
        if let Some(o) = &self.offset {
            b = b.field(
                &o.name,
                pick(o.optional, &OPTIONAL_INT64_SCHEMA, &INT64_SCHEMA),
            );
        }
        if let Some(t) = &self.timestamp {
            let ts = if t.optional {
                Timestamp::builder().optional().build()?
            } else {
                Timestamp::schema()
            };
            b = b.field(&t.name, ts);
        }
        if let Some(s) = &self.static_field {
            b = b.field(
                &s.name,
                pick(s.optional, &OPTIONAL_STRING_SCHEMA, &STRING_SCHEMA),
            );
        }
        b.build()
    }

    /// The (field, value) pairs to insert; `timestamp_as_date` gives a `Timestamp` value
    /// (with schema) rather than epoch millis as a long (schemaless).
    fn insertions<R: ConnectRecord>(
        &self,
        record: &R,
        timestamp_as_date: bool,
    ) -> Result<Vec<(&str, Value)>> {
        let mut out = Vec::with_capacity(5);
        if let Some(t) = &self.topic {
            out.push((t.name.as_str(), Value::String(record.topic().to_owned())));
        }
        if let (Some(p), Some(partition)) = (&self.partition, record.kafka_partition()) {
            out.push((p.name.as_str(), Value::Int32(partition)));
        }
        if let Some(o) = &self.offset {
            out.push((
                o.name.as_str(),
                Value::Int64(require_sink_record(record, PURPOSE)?),
            ));
        }
        if let (Some(t), Some(ts)) = (&self.timestamp, record.timestamp()) {
            let v = if timestamp_as_date {
                Value::Timestamp(ts)
            } else {
                Value::Int64(ts)
            };
            out.push((t.name.as_str(), v));
        }
        if let (Some(s), Some(v)) = (&self.static_field, &self.static_value) {
            out.push((s.name.as_str(), Value::String(v.clone())));
        }
        Ok(out)
    }
}

impl<R: ConnectRecord, S: Side> Transformation<R> for InsertField<S> {
    fn configure(&mut self, configs: &HashMap<String, String>) -> Result<()> {
        let config = SimpleConfig::parse(&config_def(), configs)?;
        self.topic = InsertionSpec::parse(config.string(TOPIC_FIELD));
        self.partition = InsertionSpec::parse(config.string(PARTITION_FIELD));
        self.offset = InsertionSpec::parse(config.string(OFFSET_FIELD));
        self.timestamp = InsertionSpec::parse(config.string(TIMESTAMP_FIELD));
        self.static_field = InsertionSpec::parse(config.string(STATIC_FIELD));
        self.static_value = config.string(STATIC_VALUE).map(str::to_owned);
        self.replace_null_with_default = config.boolean(REPLACE_NULL_WITH_DEFAULT_CONFIG);
        if self.topic.is_none()
            && self.partition.is_none()
            && self.offset.is_none()
            && self.timestamp.is_none()
            && self.static_field.is_none()
        {
            return Err(ConfigError::other(None, "No field insertion configured").into());
        }
        if let (Some(s), None) = (&self.static_field, &self.static_value) {
            // Java prints the InsertionSpec object (an identity hash); we print the field name.
            return Err(ConfigError::invalid(
                STATIC_VALUE,
                None,
                format!("No value specified for static field: {}", s.name),
            )
            .into());
        }
        self.cache = SchemaCache::default();
        Ok(())
    }

    fn apply(&mut self, mut record: R) -> Result<Option<R>> {
        if S::value(&record).is_null() {
            return Ok(Some(record));
        }
        // Moved out and rebuilt: the existing fields move into the new value uncopied.
        let (schema, value) = S::take(&mut record);
        let (schema, new_value) = match schema {
            None => {
                let mut updated = into_map(value, PURPOSE)?;
                for (name, v) in self.insertions(&record, false)? {
                    map_put(&mut updated, name, v);
                }
                (None, Value::Map(updated))
            }
            Some(_) => {
                let mut s = into_struct(value, PURPOSE)?;
                let updated_schema = match self.cache.get(s.schema()) {
                    Some(u) => u,
                    None => {
                        let u = self.build_schema(s.schema())?;
                        self.cache.put(s.schema().clone(), u.clone());
                        u
                    }
                };
                let mut updated = Struct::new(updated_schema.clone())?;
                let original_schema = s.schema().clone();
                for f in original_schema.fields()? {
                    let v = take_field_value(&mut s, f, self.replace_null_with_default)?;
                    updated.put(f.name(), v)?;
                }
                for (name, v) in self.insertions(&record, true)? {
                    updated.put(name, v)?;
                }
                (Some(updated_schema), Value::Struct(updated))
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
    InsertField<KeySide>,
    class = "org.apache.kafka.connect.transforms.InsertField$Key"
);
connect_api::transformation!(
    InsertField<ValueSide>,
    class = "org.apache.kafka.connect.transforms.InsertField$Value"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{map, props, sink, source};
    use connect_api::source::SourceRecord;

    const ALL: &[(&str, &str)] = &[
        ("topic.field", "topic_field!"),
        ("partition.field", "partition_field"),
        ("timestamp.field", "timestamp_field?"),
        ("static.field", "instance_id"),
        ("static.value", "my-instance-id"),
    ];

    fn xform<S: Side>(pairs: &[(&str, &str)]) -> InsertField<S> {
        let mut x = InsertField::<S>::default();
        Transformation::<SourceRecord>::configure(&mut x, &props(pairs)).unwrap();
        x
    }

    fn rec(value_schema: Option<Schema>, value: impl Into<Value>) -> SourceRecord {
        let mut r = source(None, Value::Null, value_schema, value);
        r.topic = "test".into();
        r
    }

    #[test]
    fn top_level_struct_required() {
        let mut x: InsertFieldValue = xform(&[("topic.field", "topic_field")]);
        let err = x.apply(rec(Some(INT32_SCHEMA.clone()), 42)).unwrap_err();
        assert!(err.is_data());
        assert_eq!(
            err.to_string(),
            "Only Struct objects supported for [field insertion], found: java.lang.Integer"
        );
    }

    #[test]
    fn copy_schema_and_insert_configured_fields() {
        let mut x: InsertFieldValue = xform(ALL);
        let schema = SchemaBuilder::struct_()
            .name("name")
            .version(1)
            .doc("doc")
            .field("magic", OPTIONAL_INT64_SCHEMA.clone())
            .build()
            .unwrap();
        let mut s = Struct::new(schema.clone()).unwrap();
        s.put("magic", 42i64).unwrap();
        let out = x
            .apply(rec(Some(schema.clone()), s).with_timestamp(789))
            .unwrap()
            .unwrap();
        let vs = out.value_schema.clone().unwrap();
        assert_eq!(vs.name(), Some("name"));
        assert_eq!(vs.version(), Some(1));
        assert_eq!(vs.doc(), Some("doc"));
        let fs = |f: &str| vs.field(f).unwrap().unwrap().schema().clone();
        let v = out.value.as_struct().unwrap();
        assert_eq!(fs("magic"), *OPTIONAL_INT64_SCHEMA);
        assert_eq!(v.get("magic").unwrap(), &Value::Int64(42));
        assert_eq!(fs("topic_field"), *STRING_SCHEMA);
        assert_eq!(v.get("topic_field").unwrap(), &Value::from("test"));
        assert_eq!(fs("partition_field"), *OPTIONAL_INT32_SCHEMA);
        assert_eq!(v.get("partition_field").unwrap(), &Value::Int32(0));
        assert_eq!(
            fs("timestamp_field"),
            Timestamp::builder().optional().build().unwrap()
        );
        assert_eq!(v.get("timestamp_field").unwrap(), &Value::Timestamp(789));
        assert_eq!(fs("instance_id"), *OPTIONAL_STRING_SCHEMA);
        assert_eq!(
            v.get("instance_id").unwrap(),
            &Value::from("my-instance-id")
        );
        // exercise caching
        let mut r2 = rec(Some(schema.clone()), Struct::new(schema).unwrap());
        r2.kafka_partition = Some(1);
        let out2 = x.apply(r2).unwrap().unwrap();
        assert!(out2.value_schema.unwrap().ptr_eq(&vs));
    }

    #[test]
    fn schemaless_insert_configured_fields() {
        let mut x: InsertFieldValue = xform(ALL);
        let out = x
            .apply(rec(None, map(&[("magic", Value::Int64(42))])).with_timestamp(123))
            .unwrap()
            .unwrap();
        let g = |k: &str| out.value.map_get(k).cloned();
        assert_eq!(g("magic"), Some(Value::Int64(42)));
        assert_eq!(g("topic_field"), Some(Value::from("test")));
        assert_eq!(g("partition_field"), Some(Value::Int32(0)));
        assert_eq!(g("timestamp_field"), Some(Value::Int64(123)));
        assert_eq!(g("instance_id"), Some(Value::from("my-instance-id")));
    }

    #[test]
    fn tombstones_and_null_keys_are_unchanged() {
        let mut x: InsertFieldValue = xform(ALL);
        let out = x.apply(rec(None, Value::Null)).unwrap().unwrap();
        assert!(out.value.is_null() && out.value_schema.is_none());
        let schema = SchemaBuilder::struct_()
            .field("magic", OPTIONAL_INT64_SCHEMA.clone())
            .build()
            .unwrap();
        let out = x
            .apply(rec(Some(schema.clone()), Value::Null))
            .unwrap()
            .unwrap();
        assert!(out.value.is_null());
        assert_eq!(out.value_schema, Some(schema));
        // insertKeyFieldsIntoTombstoneEvent
        let mut k: InsertFieldKey = xform(ALL);
        let r = rec(None, Value::Null).with_key(None, map(&[("magic", Value::Int64(42))]));
        let out = k.apply(r).unwrap().unwrap();
        assert_eq!(out.key.map_get("topic_field"), Some(&Value::from("test")));
        assert_eq!(out.key.map_get("partition_field"), Some(&Value::Int32(0)));
        assert_eq!(out.key.map_get("timestamp_field"), None);
        assert_eq!(
            out.key.map_get("instance_id"),
            Some(&Value::from("my-instance-id"))
        );
        assert!(out.value.is_null());
        // insertIntoNullKeyLeavesRecordUnchanged
        let r = rec(None, map(&[("magic", Value::Int64(42))]));
        assert_eq!(k.apply(r.clone()).unwrap().unwrap(), r);
    }

    #[test]
    fn unset_optional_field() {
        for (replace, expected) in [("false", Value::Null), ("true", Value::Int64(42))] {
            let mut cfg = ALL.to_vec();
            cfg.push(("replace.null.with.default", replace));
            let mut x: InsertFieldValue = xform(&cfg);
            let magic = SchemaBuilder::int64()
                .optional()
                .default_value(42i64)
                .build()
                .unwrap();
            let schema = SchemaBuilder::struct_()
                .name("name")
                .field("magic_with_default", magic.clone())
                .build()
                .unwrap();
            let s = Struct::new(schema.clone()).unwrap();
            let out = x
                .apply(rec(Some(schema), s).with_timestamp(789))
                .unwrap()
                .unwrap();
            let vs = out.value_schema.unwrap();
            assert_eq!(
                vs.field("magic_with_default").unwrap().unwrap().schema(),
                &magic
            );
            assert_eq!(
                out.value
                    .as_struct()
                    .unwrap()
                    .get_without_default("magic_with_default")
                    .unwrap(),
                &expected
            );
        }
    }

    #[test]
    fn offset_needs_a_sink_record() {
        let mut x: InsertFieldValue = xform(&[("offset.field", "off")]);
        let err = x.apply(rec(None, map(&[]))).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Only SinkRecord supported for [field insertion], found: org.apache.kafka.connect.source.SourceRecord"
        );
        let out = x
            .apply(sink(None, Value::Null, None, map(&[])))
            .unwrap()
            .unwrap();
        assert_eq!(out.value.map_get("off"), Some(&Value::Int64(0)));
    }

    #[test]
    fn config_errors() {
        let mut x = InsertFieldValue::default();
        let err = Transformation::<SourceRecord>::configure(&mut x, &props(&[])).unwrap_err();
        assert_eq!(err.to_string(), "No field insertion configured");
        let err =
            Transformation::<SourceRecord>::configure(&mut x, &props(&[("static.field", "s")]))
                .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid value null for configuration static.value: No value specified for static field: s"
        );
    }

    #[test]
    fn name_collision_is_an_error() {
        let mut x: InsertFieldValue = xform(&[("topic.field", "magic")]);
        let schema = SchemaBuilder::struct_()
            .field("magic", OPTIONAL_INT64_SCHEMA.clone())
            .build()
            .unwrap();
        let err = x
            .apply(rec(Some(schema.clone()), Struct::new(schema).unwrap()))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Cannot create field because of field name duplication magic"
        );
    }
}
