//! `ReplaceField`: keeps, drops and renames fields of the key or value.
//!
//! Mirrors `org.apache.kafka.connect.transforms.ReplaceField$Key` / `ReplaceField$Value`.
//!
//! | key | type | default | |
//! |---|---|---|---|
//! | `exclude` | LIST | empty | fields to drop; takes precedence over `include` |
//! | `include` | LIST | empty | if non-empty, only these fields are kept |
//! | `renames` | LIST | empty | `old:new` pairs |
//! | `replace.null.with.default` | BOOLEAN | `true` | copy fields with default substitution |
//!
//! Filtering uses the original names; renaming happens after it. (Apache 3.x's deprecated
//! `blacklist`/`whitelist` aliases were removed in 4.0 and are not accepted.)

use std::collections::{HashMap, HashSet};
use std::marker::PhantomData;

use connect_api::config::{
    ConfigDef, ConfigError, ConfigKey, ConfigType, Importance, LambdaValidator, ParsedValue,
};
use connect_api::connector::ConnectRecord;
use connect_api::data::{Schema, SchemaBuilder, Struct, Value};
use connect_api::errors::{ConnectError, Result};
use connect_api::transforms::Transformation;

use crate::config::{
    replace_null_with_default_key, SimpleConfig, REPLACE_NULL_WITH_DEFAULT_CONFIG,
};
use crate::key_or_value::{KeySide, Side, ValueSide};
use crate::requirements::{into_map, into_struct, take_field_value};
use crate::schema_util::{copy_schema_basics, SchemaCache};

/// The `exclude` key.
pub const EXCLUDE: &str = "exclude";
/// The `include` key.
pub const INCLUDE: &str = "include";
/// The `renames` key.
pub const RENAMES: &str = "renames";
const PURPOSE: &str = "field replacement";

/// Filters and renames fields (Apache's `ReplaceField`).
#[derive(Debug, Default)]
pub struct ReplaceField<S: Side> {
    exclude: HashSet<String>,
    include: HashSet<String>,
    renames: HashMap<String, String>,
    reverse_renames: HashMap<String, String>,
    replace_null_with_default: bool,
    cache: SchemaCache,
    side: PhantomData<S>,
}

/// `org.apache.kafka.connect.transforms.ReplaceField$Key`.
pub type ReplaceFieldKey = ReplaceField<KeySide>;
/// `org.apache.kafka.connect.transforms.ReplaceField$Value`.
pub type ReplaceFieldValue = ReplaceField<ValueSide>;

/// Java's `ReplaceField.parseRenameMappings`: each entry splits on `:` into exactly two parts
/// (Java's `split` drops trailing empty parts, so `a:` is invalid).
pub(crate) fn parse_rename_mappings(
    mappings: &[String],
) -> std::result::Result<HashMap<String, String>, ConfigError> {
    let mut m = HashMap::new();
    for mapping in mappings {
        let mut parts: Vec<&str> = mapping.split(':').collect();
        while parts.len() > 1 && parts.last() == Some(&"") {
            parts.pop();
        }
        match parts.as_slice() {
            [from, to] => {
                m.insert((*from).to_owned(), (*to).to_owned());
            }
            _ => {
                return Err(ConfigError::invalid(
                    RENAMES,
                    Some(&format!("[{}]", mappings.join(", "))),
                    format!("Invalid rename mapping: {mapping}"),
                ))
            }
        }
    }
    Ok(m)
}

fn list_key(name: &str, doc: &str) -> ConfigKey {
    ConfigKey::new(name, ConfigType::List)
        .default_value(Vec::<String>::new())
        .importance(Importance::Medium)
        .doc(doc)
}

/// The definition of ReplaceField's configuration.
pub fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(list_key(
            EXCLUDE,
            "Fields to exclude. This takes precedence over the fields to include.",
        ))
        .define(list_key(
            INCLUDE,
            "Fields to include. If specified, only these fields will be used.",
        ))
        .define(
            list_key(RENAMES, "Field rename mappings.").validator(LambdaValidator::with(
                |_name: &str, value: Option<&ParsedValue>| {
                    parse_rename_mappings(value.and_then(ParsedValue::as_list).unwrap_or_default())
                        .map(|_| ())
                },
                "list of colon-delimited pairs, e.g. <code>foo:bar,abc:xyz</code>",
            )),
        )
        .define(replace_null_with_default_key())
}

impl<S: Side> ReplaceField<S> {
    fn filter(&self, name: &str) -> bool {
        !self.exclude.contains(name) && (self.include.is_empty() || self.include.contains(name))
    }

    fn renamed<'a>(&'a self, name: &'a str) -> &'a str {
        self.renames.get(name).map_or(name, String::as_str)
    }

    /// The new name of a renamed field, `None` when it keeps its name.
    fn renamed_if_changed(&self, name: &str) -> Option<&str> {
        self.renames.get(name).map(String::as_str)
    }

    fn reverse_renamed<'a>(&'a self, name: &'a str) -> &'a str {
        self.reverse_renames.get(name).map_or(name, String::as_str)
    }

    fn build_schema(&self, schema: &Schema) -> Result<Schema> {
        let mut b = copy_schema_basics(schema, SchemaBuilder::struct_());
        for f in schema.fields()? {
            if self.filter(f.name()) {
                b = b.field(self.renamed(f.name()), f.schema().clone());
            }
        }
        b.build()
    }
}

impl<R: ConnectRecord, S: Side> Transformation<R> for ReplaceField<S> {
    fn configure(&mut self, configs: &HashMap<String, String>) -> Result<()> {
        let config = SimpleConfig::parse(&config_def(), configs)?;
        self.exclude = config.list(EXCLUDE).into_iter().collect();
        self.include = config.list(INCLUDE).into_iter().collect();
        self.renames = parse_rename_mappings(&config.list(RENAMES))?;
        self.reverse_renames = self
            .renames
            .iter()
            .map(|(k, v)| (v.clone(), k.clone()))
            .collect();
        self.replace_null_with_default = config.boolean(REPLACE_NULL_WITH_DEFAULT_CONFIG);
        self.cache = SchemaCache::default();
        Ok(())
    }

    fn apply(&mut self, mut record: R) -> Result<Option<R>> {
        if S::value(&record).is_null() {
            return Ok(Some(record));
        }
        // Moved out and rebuilt: kept fields move into the new value uncopied.
        let (schema, value) = S::take(&mut record);
        let (schema, new_value) = match schema {
            None => {
                let map = into_map(value, PURPOSE)?;
                let mut updated: Vec<(Value, Value)> = Vec::with_capacity(map.len());
                for (k, v) in map {
                    // Schemaless maps have string keys; other keys are copied unfiltered.
                    let new_key = match k.as_str() {
                        Some(name) if !self.filter(name) => continue,
                        Some(name) => match self.renamed_if_changed(name) {
                            Some(renamed) => Value::String(renamed.to_owned()),
                            None => k,
                        },
                        None => {
                            updated.push((k, v));
                            continue;
                        }
                    };
                    match updated.iter_mut().find(|(uk, _)| *uk == new_key) {
                        Some((_, slot)) => *slot = v,
                        None => updated.push((new_key, v)),
                    }
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
                for f in updated_schema.fields()? {
                    let original = self.reverse_renamed(f.name());
                    let orig_field = original_schema.field(original)?.ok_or_else(|| {
                        ConnectError::data(format!("{original} is not a valid field name"))
                    })?;
                    let v = take_field_value(&mut s, orig_field, self.replace_null_with_default)?;
                    updated.put_field(f, v)?;
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
    ReplaceField<KeySide>,
    class = "org.apache.kafka.connect.transforms.ReplaceField$Key"
);
connect_api::transformation!(
    ReplaceField<ValueSide>,
    class = "org.apache.kafka.connect.transforms.ReplaceField$Value"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{map, props, sink};
    use connect_api::data::{BOOLEAN_SCHEMA, INT32_SCHEMA, STRING_SCHEMA};
    use connect_api::sink::SinkRecord;

    fn xform<S: Side>(pairs: &[(&str, &str)]) -> ReplaceField<S> {
        let mut x = ReplaceField::<S>::default();
        Transformation::<SinkRecord>::configure(&mut x, &props(pairs)).unwrap();
        x
    }

    fn schema() -> Schema {
        SchemaBuilder::struct_()
            .field("dont", STRING_SCHEMA.clone())
            .field("abc", INT32_SCHEMA.clone())
            .field("foo", BOOLEAN_SCHEMA.clone())
            .field("etc", STRING_SCHEMA.clone())
            .build()
            .unwrap()
    }

    #[test]
    fn tombstones() {
        let mut x: ReplaceFieldValue =
            xform(&[("include", "abc,foo"), ("renames", "abc:xyz,foo:bar")]);
        let out = x
            .apply(sink(None, Value::Null, None, Value::Null))
            .unwrap()
            .unwrap();
        assert!(out.value.is_null() && out.value_schema.is_none());
        let out = x
            .apply(sink(None, Value::Null, Some(schema()), Value::Null))
            .unwrap()
            .unwrap();
        assert!(out.value.is_null());
        assert_eq!(out.value_schema, Some(schema()));
    }

    #[test]
    fn schemaless() {
        let mut x: ReplaceFieldValue =
            xform(&[("exclude", "dont"), ("renames", "abc:xyz,foo:bar")]);
        let v = map(&[
            ("dont", "whatever".into()),
            ("abc", 42.into()),
            ("foo", true.into()),
            ("etc", "etc".into()),
        ]);
        let out = x.apply(sink(None, Value::Null, None, v)).unwrap().unwrap();
        assert_eq!(
            out.value,
            map(&[
                ("xyz", 42.into()),
                ("bar", true.into()),
                ("etc", "etc".into())
            ])
        );
    }

    #[test]
    fn with_schema() {
        let mut x: ReplaceFieldValue =
            xform(&[("include", "abc,foo"), ("renames", "abc:xyz,foo:bar")]);
        let mut v = Struct::new(schema()).unwrap();
        v.put("dont", "whatever").unwrap();
        v.put("abc", 42).unwrap();
        v.put("foo", true).unwrap();
        v.put("etc", "etc").unwrap();
        let out = x
            .apply(sink(None, Value::Null, Some(schema()), v))
            .unwrap()
            .unwrap();
        let s = out.value.as_struct().unwrap();
        assert_eq!(s.schema().fields().unwrap().len(), 2);
        assert_eq!(s.get_int32("xyz").unwrap(), Some(42));
        assert_eq!(s.get_boolean("bar").unwrap(), Some(true));
    }

    #[test]
    fn replace_null_with_default_on_value_and_key() {
        for (replace, expected) in [("false", Value::Null), ("true", Value::Int32(42))] {
            let cfg = [
                ("include", "abc"),
                ("renames", "abc:optional_with_default"),
                ("replace.null.with.default", replace),
            ];
            let schema = SchemaBuilder::struct_()
                .field(
                    "abc",
                    SchemaBuilder::int32()
                        .optional()
                        .default_value(42)
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap();
            let s = Struct::new(schema.clone()).unwrap();
            let mut v: ReplaceFieldValue = xform(&cfg);
            let out = v
                .apply(sink(None, Value::Null, Some(schema.clone()), s.clone()))
                .unwrap()
                .unwrap();
            let u = out.value.as_struct().unwrap();
            assert_eq!(u.schema().fields().unwrap().len(), 1);
            assert_eq!(
                u.get_without_default("optional_with_default").unwrap(),
                &expected
            );
            let mut k: ReplaceFieldKey = xform(&cfg);
            let out = k
                .apply(sink(Some(schema), s, None, Value::Null))
                .unwrap()
                .unwrap();
            let u = out.key.as_struct().unwrap();
            assert_eq!(
                u.get_without_default("optional_with_default").unwrap(),
                &expected
            );
        }
    }

    #[test]
    fn bad_renames_and_collisions() {
        let mut x = ReplaceFieldValue::default();
        let err =
            Transformation::<SinkRecord>::configure(&mut x, &props(&[("renames", "abc:xyz,foo")]))
                .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid value [abc:xyz, foo] for configuration renames: Invalid rename mapping: foo"
        );
        let mut x: ReplaceFieldValue = xform(&[("renames", "abc:etc")]);
        let mut v = Struct::new(schema()).unwrap();
        v.put("dont", "d").unwrap();
        v.put("abc", 1).unwrap();
        v.put("foo", true).unwrap();
        v.put("etc", "e").unwrap();
        let err = x
            .apply(sink(None, Value::Null, Some(schema()), v))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Cannot create field because of field name duplication etc"
        );
    }
}
