//! `HeaderFrom`: moves or copies fields of the key or value into headers.
//!
//! Mirrors `org.apache.kafka.connect.transforms.HeaderFrom$Key` / `HeaderFrom$Value`.
//!
//! | key | type | default | |
//! |---|---|---|---|
//! | `fields` | LIST | required | non-empty; the fields to read |
//! | `headers` | LIST | required | non-empty; the header for each field, same length as `fields` |
//! | `operation` | STRING | required | `move` (remove the fields) or `copy` |
//! | `replace.null.with.default` | BOOLEAN | `true` | read fields with default substitution |

use std::collections::HashMap;
use std::marker::PhantomData;

use connect_api::config::{
    ConfigDef, ConfigError, ConfigKey, ConfigType, Importance, NonEmptyList, ValidString,
};
use connect_api::connector::ConnectRecord;
use connect_api::data::{Schema, SchemaBuilder, Struct, Value};
use connect_api::errors::{ConnectError, Result};
use connect_api::header::Header;
use connect_api::transforms::Transformation;

use crate::config::{
    replace_null_with_default_key, SimpleConfig, REPLACE_NULL_WITH_DEFAULT_CONFIG,
};
use crate::key_or_value::{KeySide, Side, ValueSide};
use crate::requirements::{field_value, into_map, into_struct, map_get, take_field_value};
use crate::schema_util::{copy_schema_basics, SchemaCache};

/// The `fields` key.
pub const FIELDS_FIELD: &str = "fields";
/// The `headers` key.
pub const HEADERS_FIELD: &str = "headers";
/// The `operation` key.
pub const OPERATION_FIELD: &str = "operation";

/// Moves or copies fields into headers (Apache's `HeaderFrom`). Headers are appended;
/// existing headers with the same key are kept.
#[derive(Debug, Default)]
pub struct HeaderFrom<S: Side> {
    fields: Vec<String>,
    headers: Vec<String>,
    is_move: bool,
    replace_null_with_default: bool,
    cache: SchemaCache,
    side: PhantomData<S>,
}

/// `org.apache.kafka.connect.transforms.HeaderFrom$Key`.
pub type HeaderFromKey = HeaderFrom<KeySide>;
/// `org.apache.kafka.connect.transforms.HeaderFrom$Value`.
pub type HeaderFromValue = HeaderFrom<ValueSide>;

/// The definition of HeaderFrom's configuration.
pub fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(FIELDS_FIELD, ConfigType::List)
                .validator(NonEmptyList)
                .importance(Importance::High)
                .doc("Field names in the record whose values are to be copied or moved to headers."),
        )
        .define(
            ConfigKey::new(HEADERS_FIELD, ConfigType::List)
                .validator(NonEmptyList)
                .importance(Importance::High)
                .doc("Header names, in the same order as the field names listed in the fields configuration property."),
        )
        .define(
            ConfigKey::new(OPERATION_FIELD, ConfigType::String)
                .validator(ValidString::in_list(["move", "copy"]))
                .importance(Importance::High)
                .doc("Either <code>move</code> if the fields are to be moved to the headers (removed from the key/value), or <code>copy</code> if the fields are to be copied to the headers (retained in the key/value)."),
        )
        .define(replace_null_with_default_key())
}

impl<S: Side> HeaderFrom<S> {
    fn purpose(&self) -> &'static str {
        if self.is_move {
            "header move"
        } else {
            "header copy"
        }
    }

    fn move_schema(&mut self, schema: &Schema) -> Result<Schema> {
        if let Some(s) = self.cache.get(schema) {
            return Ok(s);
        }
        let mut b = copy_schema_basics(schema, SchemaBuilder::struct_());
        for f in schema.fields()? {
            if !self.fields.iter().any(|x| x == f.name()) {
                b = b.field(f.name(), f.schema().clone());
            }
        }
        let built = b.build()?;
        self.cache.put(schema.clone(), built.clone());
        Ok(built)
    }
}

impl<R: ConnectRecord, S: Side> Transformation<R> for HeaderFrom<S> {
    fn configure(&mut self, configs: &HashMap<String, String>) -> Result<()> {
        let config = SimpleConfig::parse(&config_def(), configs)?;
        self.fields = config.list(FIELDS_FIELD);
        self.headers = config.list(HEADERS_FIELD);
        if self.fields.len() != self.headers.len() {
            return Err(ConfigError::other(
                Some(HEADERS_FIELD),
                "'fields' config must have the same number of elements as 'headers' config.",
            )
            .into());
        }
        self.is_move = config.string(OPERATION_FIELD) == Some("move");
        self.replace_null_with_default = config.boolean(REPLACE_NULL_WITH_DEFAULT_CONFIG);
        self.cache = SchemaCache::default();
        Ok(())
    }

    fn apply(&mut self, mut record: R) -> Result<Option<R>> {
        let purpose = self.purpose();
        // Moved out and put back (or rebuilt, for `move`) without copying the whole value; only
        // the header values are copies.
        let (schema, value) = S::take(&mut record);
        let mut new_headers: Vec<Header> = Vec::with_capacity(self.fields.len());
        let (schema, new_value) = match schema {
            None => {
                let map = into_map(value, purpose)?;
                for (field, header) in self.fields.iter().zip(&self.headers) {
                    let v = map_get(&map, field).cloned().unwrap_or(Value::Null);
                    new_headers.push(Header::new(header.clone(), None, v));
                }
                let updated = if self.is_move {
                    map.into_iter()
                        .filter(|(k, _)| {
                            !k.as_str()
                                .is_some_and(|k| self.fields.iter().any(|f| f == k))
                        })
                        .collect()
                } else {
                    map
                };
                (None, Value::Map(updated))
            }
            Some(schema) => {
                let mut s = into_struct(value, purpose)?;
                let s_schema = s.schema().clone();
                for (field, header) in self.fields.iter().zip(&self.headers) {
                    // Apache throws a NullPointerException for a field missing from the schema.
                    let f = schema.field(field)?.ok_or_else(|| {
                        ConnectError::data(format!("{field} is not a valid field name"))
                    })?;
                    let v = match s_schema.field(field)? {
                        Some(vf) => field_value(&s, vf, self.replace_null_with_default).clone(),
                        None => Value::Null,
                    };
                    new_headers.push(Header::new(header.clone(), Some(f.schema().clone()), v));
                }
                if self.is_move {
                    let updated_schema = self.move_schema(&schema)?;
                    let mut updated = Struct::new(updated_schema.clone())?;
                    for f in updated_schema.fields()? {
                        let v = match s_schema.field(f.name())? {
                            Some(vf) => {
                                take_field_value(&mut s, vf, self.replace_null_with_default)?
                            }
                            None => Value::Null,
                        };
                        updated.put_field(f, v)?;
                    }
                    (Some(updated_schema), Value::Struct(updated))
                } else {
                    (Some(schema), Value::Struct(s))
                }
            }
        };
        S::set(&mut record, schema, new_value);
        for h in new_headers {
            record.headers_mut().add(h);
        }
        Ok(Some(record))
    }

    fn config(&self) -> ConfigDef {
        config_def()
    }
}

connect_api::transformation!(
    HeaderFrom<KeySide>,
    class = "org.apache.kafka.connect.transforms.HeaderFrom$Key"
);
connect_api::transformation!(
    HeaderFrom<ValueSide>,
    class = "org.apache.kafka.connect.transforms.HeaderFrom$Value"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{map, props, source};
    use connect_api::data::STRING_SCHEMA;
    use connect_api::source::SourceRecord;

    fn xform<S: Side>(fields: &str, headers: &str, op: &str) -> HeaderFrom<S> {
        let mut x = HeaderFrom::<S>::default();
        Transformation::<SourceRecord>::configure(
            &mut x,
            &props(&[("fields", fields), ("headers", headers), ("operation", op)]),
        )
        .unwrap();
        x
    }

    fn schema() -> Schema {
        SchemaBuilder::struct_()
            .field("field1", STRING_SCHEMA.clone())
            .field("field2", STRING_SCHEMA.clone())
            .build()
            .unwrap()
    }

    fn with_schema_record(headers: &[&str]) -> SourceRecord {
        let mut s = Struct::new(schema()).unwrap();
        s.put("field1", "field1-value").unwrap();
        s.put("field2", "field2-value").unwrap();
        let mut r = source(None, Value::Null, Some(schema()), s);
        for h in headers {
            r.headers.add_string(*h, Some("existing-value"));
        }
        r
    }

    fn keys(r: &SourceRecord) -> Vec<&str> {
        r.headers.iter().map(|h| h.key.as_str()).collect()
    }

    #[test]
    fn copy_and_move_with_schema() {
        let out = xform::<ValueSide>("field1", "inserted1", "copy")
            .apply(with_schema_record(&["header1"]))
            .unwrap()
            .unwrap();
        assert_eq!(out.value_schema, Some(schema()));
        assert_eq!(keys(&out), ["header1", "inserted1"]);
        let h = out.headers.last_with_name("inserted1").unwrap();
        assert_eq!(h.value, Value::from("field1-value"));
        assert_eq!(h.schema, Some(STRING_SCHEMA.clone()));
        let out = xform::<ValueSide>("field1", "inserted1", "move")
            .apply(with_schema_record(&["header1", "inserted1"]))
            .unwrap()
            .unwrap();
        let s = out.value.as_struct().unwrap();
        assert_eq!(s.schema().fields().unwrap().len(), 1);
        assert_eq!(s.get("field2").unwrap(), &Value::from("field2-value"));
        assert_eq!(keys(&out), ["header1", "inserted1", "inserted1"]);
        let out = xform::<ValueSide>("field1,field1", "inserted1,inserted2", "copy")
            .apply(with_schema_record(&[]))
            .unwrap()
            .unwrap();
        assert_eq!(
            out.headers.last_with_name("inserted2").unwrap().value,
            Value::from("field1-value")
        );
    }

    #[test]
    fn schemaless() {
        let v = map(&[
            ("field1", "field1-value".into()),
            ("field2", "field2-value".into()),
        ]);
        let r = source(None, Value::Null, None, v.clone());
        let out = xform::<ValueSide>("field1,missing", "inserted1,inserted2", "move")
            .apply(r.clone())
            .unwrap()
            .unwrap();
        assert_eq!(out.value, map(&[("field2", "field2-value".into())]));
        assert_eq!(
            out.headers.last_with_name("inserted1").unwrap().value,
            Value::from("field1-value")
        );
        assert!(out
            .headers
            .last_with_name("inserted1")
            .unwrap()
            .schema
            .is_none());
        assert!(out
            .headers
            .last_with_name("inserted2")
            .unwrap()
            .value
            .is_null());
        let out = xform::<ValueSide>("field1", "inserted1", "copy")
            .apply(r)
            .unwrap()
            .unwrap();
        assert_eq!(out.value, v);
        // the key variant reads the key
        let r = source(None, map(&[("k", 1.into())]), None, Value::Null);
        let out = xform::<KeySide>("k", "h", "copy")
            .apply(r)
            .unwrap()
            .unwrap();
        assert_eq!(
            out.headers.last_with_name("h").unwrap().value,
            Value::Int32(1)
        );
    }

    #[test]
    fn errors() {
        let err = xform::<ValueSide>("a", "b", "copy")
            .apply(source(None, Value::Null, Some(schema()), Value::Null))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Only Struct objects supported for [header copy], found: null"
        );
        let mut x = HeaderFromValue::default();
        let err = Transformation::<SourceRecord>::configure(
            &mut x,
            &props(&[("fields", "a,b"), ("headers", "c"), ("operation", "copy")]),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "'fields' config must have the same number of elements as 'headers' config."
        );
        let err = Transformation::<SourceRecord>::configure(
            &mut x,
            &props(&[("fields", "a"), ("headers", "c"), ("operation", "Move")]),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid value Move for configuration operation: String must be one of: move, copy"
        );
    }
}
