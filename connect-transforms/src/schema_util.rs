//! Apache's `org.apache.kafka.connect.transforms.util.SchemaUtil` and the per-instance cache of
//! derived schemas (Java's `SynchronizedCache<>(new LRUCache<>(16))`).

use std::collections::VecDeque;

use connect_api::data::{Schema, SchemaBuilder, Type};

/// Copies name, version, doc and parameters of `source` onto `builder` (Java's
/// `SchemaUtil.copySchemaBasics(source, builder)`); optional and default are not copied.
pub(crate) fn copy_schema_basics(source: &Schema, mut builder: SchemaBuilder) -> SchemaBuilder {
    if let Some(name) = source.name() {
        builder = builder.name(name);
    }
    if let Some(version) = source.version() {
        builder = builder.version(version);
    }
    if let Some(doc) = source.doc() {
        builder = builder.doc(doc);
    }
    if let Some(params) = source.parameters() {
        builder = builder.parameters(params.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    builder
}

/// A builder of the same type (arrays keep their element schema) with the basics copied
/// (Java's `SchemaUtil.copySchemaBasics(source)`).
pub(crate) fn copy_schema_basics_of(source: &Schema) -> SchemaBuilder {
    let builder = match source.schema_type() {
        Type::Array => match source.value_schema() {
            Some(element) => SchemaBuilder::array(element.clone()),
            None => SchemaBuilder::container_without_element_schemas(Type::Array, None, None),
        },
        other => SchemaBuilder::new(other),
    };
    copy_schema_basics(source, builder)
}

/// How many derived schemas each transform instance remembers, as Apache's `LRUCache(16)`.
const CACHE_SIZE: usize = 16;

/// Derived schemas by input schema. Lookups compare the `Arc` pointer first, so records that
/// share a schema handle hit without a deep comparison.
#[derive(Debug, Default, Clone)]
pub(crate) struct SchemaCache {
    entries: VecDeque<(Schema, Schema)>,
}

impl SchemaCache {
    /// The derived schema for `key`, if remembered.
    pub(crate) fn get(&self, key: &Schema) -> Option<Schema> {
        self.entries
            .iter()
            .find(|(k, _)| k.ptr_eq(key))
            .or_else(|| self.entries.iter().find(|(k, _)| k == key))
            .map(|(_, v)| v.clone())
    }

    /// Remembers a derived schema, forgetting the oldest one when full.
    pub(crate) fn put(&mut self, key: Schema, value: Schema) {
        if self.entries.len() >= CACHE_SIZE {
            self.entries.pop_back();
        }
        self.entries.push_front((key, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use connect_api::data::{INT32_SCHEMA, STRING_SCHEMA};

    #[test]
    fn basics_are_copied_but_not_optional() {
        let src = SchemaBuilder::int32()
            .name("n")
            .version(3)
            .doc("d")
            .parameter("k", "v")
            .optional()
            .build()
            .unwrap();
        let copy = copy_schema_basics(&src, SchemaBuilder::string())
            .build()
            .unwrap();
        assert_eq!(copy.name(), Some("n"));
        assert_eq!(copy.version(), Some(3));
        assert_eq!(copy.doc(), Some("d"));
        assert_eq!(copy.parameter("k"), Some("v"));
        assert!(!copy.is_optional());
        assert_eq!(copy.schema_type(), Type::String);
    }

    #[test]
    fn cache_evicts_oldest() {
        let mut cache = SchemaCache::default();
        let first = SchemaBuilder::int32().version(0).build().unwrap();
        cache.put(first.clone(), STRING_SCHEMA.clone());
        for i in 1..=16 {
            let k = SchemaBuilder::int32().version(i).build().unwrap();
            cache.put(k, INT32_SCHEMA.clone());
        }
        assert!(cache.get(&first).is_none());
        let last = SchemaBuilder::int32().version(16).build().unwrap();
        assert_eq!(cache.get(&last), Some(INT32_SCHEMA.clone()));
    }
}
