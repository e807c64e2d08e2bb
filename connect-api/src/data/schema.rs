//! Schemas (Java's `ConnectSchema`) and struct fields.

use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, LazyLock};

use indexmap::IndexMap;

use super::{SchemaBuilder, Type, Value};
use crate::errors::{ConnectError, Result};

/// An immutable Connect schema.
///
/// Cloning is cheap (the schema is reference counted), so records, structs and caches hold
/// `Schema` by value. Build one with [`SchemaBuilder`] or use a predefined one such as
/// [`STRING_SCHEMA`].
///
/// Equality follows Java's `ConnectSchema.equals`: type, optional, default, name, version, doc,
/// parameters, fields and key/value schemas all take part.
#[derive(Clone)]
pub struct Schema(Arc<SchemaInner>);

#[derive(Debug)]
pub(crate) struct SchemaInner {
    pub(crate) schema_type: Type,
    pub(crate) optional: bool,
    pub(crate) default_value: Option<Value>,
    pub(crate) name: Option<String>,
    pub(crate) version: Option<i32>,
    pub(crate) doc: Option<String>,
    pub(crate) parameters: Option<IndexMap<String, String>>,
    pub(crate) fields: Vec<Field>,
    pub(crate) field_index: HashMap<String, usize>,
    pub(crate) key_schema: Option<Schema>,
    pub(crate) value_schema: Option<Schema>,
}

impl SchemaInner {
    /// The field named `name`. Small structs are scanned, which beats hashing the name; the
    /// index serves wide ones. This runs for every field of every record a transformation
    /// rebuilds.
    pub(crate) fn field_by_name(&self, name: &str) -> Option<&Field> {
        const SCAN_UP_TO: usize = 8;
        if self.fields.len() <= SCAN_UP_TO {
            self.fields.iter().find(|f| f.name() == name)
        } else {
            self.field_index.get(name).map(|&i| &self.fields[i])
        }
    }
}

impl Schema {
    pub(crate) fn from_inner(inner: SchemaInner) -> Schema {
        Schema(Arc::new(inner))
    }

    /// A schema of a primitive type with no name, required or optional.
    pub fn primitive(schema_type: Type, optional: bool) -> Schema {
        Schema::from_inner(SchemaInner {
            schema_type,
            optional,
            default_value: None,
            name: None,
            version: None,
            doc: None,
            parameters: None,
            fields: Vec::new(),
            field_index: HashMap::new(),
            key_schema: None,
            value_schema: None,
        })
    }

    /// The schema's type.
    pub fn schema_type(&self) -> Type {
        self.0.schema_type
    }

    /// Whether `null` is a valid value.
    pub fn is_optional(&self) -> bool {
        self.0.optional
    }

    /// The default value, if one was set.
    pub fn default_value(&self) -> Option<&Value> {
        self.0.default_value.as_ref()
    }

    /// The schema name, e.g. a logical type such as `org.apache.kafka.connect.data.Decimal`.
    pub fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }

    /// The schema version.
    pub fn version(&self) -> Option<i32> {
        self.0.version
    }

    /// The documentation string.
    pub fn doc(&self) -> Option<&str> {
        self.0.doc.as_deref()
    }

    /// The parameters (insertion ordered); `None` when none were set.
    pub fn parameters(&self) -> Option<&IndexMap<String, String>> {
        self.0.parameters.as_ref()
    }

    /// The value of one parameter.
    pub fn parameter(&self, key: &str) -> Option<&str> {
        self.0.parameters.as_ref()?.get(key).map(String::as_str)
    }

    /// The fields of a struct schema, in order.
    ///
    /// Fails with Apache's `Cannot list fields on non-struct type` for other types.
    pub fn fields(&self) -> Result<&[Field]> {
        if self.0.schema_type != Type::Struct {
            return Err(ConnectError::data("Cannot list fields on non-struct type"));
        }
        Ok(&self.0.fields)
    }

    /// Looks up a field of a struct schema by name.
    ///
    /// Fails with Apache's `Cannot look up fields on non-struct type` for other types.
    pub fn field(&self, name: &str) -> Result<Option<&Field>> {
        if self.0.schema_type != Type::Struct {
            return Err(ConnectError::data(
                "Cannot look up fields on non-struct type",
            ));
        }
        Ok(self.0.field_by_name(name))
    }

    /// The key schema of a map schema (`None` for other types).
    pub fn key_schema(&self) -> Option<&Schema> {
        self.0.key_schema.as_ref()
    }

    /// The value schema of a map, or the element schema of an array (`None` for other types,
    /// and for arrays or maps whose element schema is unknown, as `Values.parseString` makes).
    pub fn value_schema(&self) -> Option<&Schema> {
        self.0.value_schema.as_ref()
    }

    /// Whether two handles point at the very same schema (a cheap check before `==`).
    pub fn ptr_eq(&self, other: &Schema) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// A builder initialised with every property of this schema, to derive a changed copy.
    pub fn to_builder(&self) -> SchemaBuilder {
        SchemaBuilder::from_schema(self)
    }

    pub(crate) fn inner(&self) -> &SchemaInner {
        &self.0
    }
}

impl PartialEq for Schema {
    fn eq(&self, other: &Self) -> bool {
        if Arc::ptr_eq(&self.0, &other.0) {
            return true;
        }
        let (a, b) = (&*self.0, &*other.0);
        a.optional == b.optional
            && a.version == b.version
            && a.name == b.name
            && a.doc == b.doc
            && a.schema_type == b.schema_type
            && a.default_value == b.default_value
            && a.fields == b.fields
            && a.key_schema == b.key_schema
            && a.value_schema == b.value_schema
            && a.parameters == b.parameters
    }
}

// Floating point defaults make full `Eq` technically partial; schemas are compared and hashed
// for caching derived schemas, where NaN defaults do not occur in practice.
impl Eq for Schema {}

impl Hash for Schema {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let s = &*self.0;
        s.schema_type.hash(state);
        s.optional.hash(state);
        s.name.hash(state);
        s.version.hash(state);
        s.fields.len().hash(state);
        for f in &s.fields {
            f.name.hash(state);
            f.schema.hash(state);
        }
        s.key_schema.hash(state);
        s.value_schema.hash(state);
    }
}

impl fmt::Debug for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &*self.0;
        let mut d = f.debug_struct("Schema");
        d.field("type", &s.schema_type)
            .field("optional", &s.optional);
        if let Some(v) = &s.default_value {
            d.field("default", v);
        }
        if let Some(v) = &s.name {
            d.field("name", v);
        }
        if let Some(v) = &s.version {
            d.field("version", v);
        }
        if let Some(v) = &s.doc {
            d.field("doc", v);
        }
        if let Some(v) = &s.parameters {
            d.field("parameters", v);
        }
        if s.schema_type == Type::Struct {
            d.field("fields", &s.fields);
        }
        if let Some(v) = &s.key_schema {
            d.field("key", v);
        }
        if let Some(v) = &s.value_schema {
            d.field("value", v);
        }
        d.finish()
    }
}

/// Java's `ConnectSchema.toString()`: `Schema{name:TYPE}` or `Schema{TYPE}`.
impl fmt::Display for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.name {
            Some(name) => write!(f, "Schema{{{}:{}}}", name, self.0.schema_type),
            None => write!(f, "Schema{{{}}}", self.0.schema_type),
        }
    }
}

/// A named, indexed field of a struct schema (Java's `Field`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    name: String,
    index: usize,
    schema: Schema,
}

impl Field {
    /// A field with its position in the struct.
    pub fn new(name: impl Into<String>, index: usize, schema: Schema) -> Field {
        Field {
            name: name.into(),
            index,
            schema,
        }
    }

    /// The field name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The position of the field in its struct (0-based).
    pub fn index(&self) -> usize {
        self.index
    }

    /// The field's schema.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }
}

/// Java's `Field.toString()`: `Field{name=<name>, index=<i>, schema=<schema>}`.
impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Field{{name={}, index={}, schema={}}}",
            self.name, self.index, self.schema
        )
    }
}

macro_rules! predefined {
    ($($(#[$doc:meta])* $name:ident => $ty:ident, $optional:expr;)*) => {
        $(
            $(#[$doc])*
            pub static $name: LazyLock<Schema> =
                LazyLock::new(|| Schema::primitive(Type::$ty, $optional));
        )*
    };
}

predefined! {
    /// A required 8-bit integer schema.
    INT8_SCHEMA => Int8, false;
    /// A required 16-bit integer schema.
    INT16_SCHEMA => Int16, false;
    /// A required 32-bit integer schema.
    INT32_SCHEMA => Int32, false;
    /// A required 64-bit integer schema.
    INT64_SCHEMA => Int64, false;
    /// A required 32-bit float schema.
    FLOAT32_SCHEMA => Float32, false;
    /// A required 64-bit float schema.
    FLOAT64_SCHEMA => Float64, false;
    /// A required boolean schema.
    BOOLEAN_SCHEMA => Boolean, false;
    /// A required string schema.
    STRING_SCHEMA => String, false;
    /// A required bytes schema.
    BYTES_SCHEMA => Bytes, false;
    /// An optional 8-bit integer schema.
    OPTIONAL_INT8_SCHEMA => Int8, true;
    /// An optional 16-bit integer schema.
    OPTIONAL_INT16_SCHEMA => Int16, true;
    /// An optional 32-bit integer schema.
    OPTIONAL_INT32_SCHEMA => Int32, true;
    /// An optional 64-bit integer schema.
    OPTIONAL_INT64_SCHEMA => Int64, true;
    /// An optional 32-bit float schema.
    OPTIONAL_FLOAT32_SCHEMA => Float32, true;
    /// An optional 64-bit float schema.
    OPTIONAL_FLOAT64_SCHEMA => Float64, true;
    /// An optional boolean schema.
    OPTIONAL_BOOLEAN_SCHEMA => Boolean, true;
    /// An optional string schema.
    OPTIONAL_STRING_SCHEMA => String, true;
    /// An optional bytes schema.
    OPTIONAL_BYTES_SCHEMA => Bytes, true;
}

impl Schema {
    /// The predefined schema (shared, unnamed) of a primitive type.
    ///
    /// Returns `None` for array, map and struct, which need more than a type.
    pub fn of_type(schema_type: Type, optional: bool) -> Option<Schema> {
        let s: &LazyLock<Schema> = match (schema_type, optional) {
            (Type::Int8, false) => &INT8_SCHEMA,
            (Type::Int16, false) => &INT16_SCHEMA,
            (Type::Int32, false) => &INT32_SCHEMA,
            (Type::Int64, false) => &INT64_SCHEMA,
            (Type::Float32, false) => &FLOAT32_SCHEMA,
            (Type::Float64, false) => &FLOAT64_SCHEMA,
            (Type::Boolean, false) => &BOOLEAN_SCHEMA,
            (Type::String, false) => &STRING_SCHEMA,
            (Type::Bytes, false) => &BYTES_SCHEMA,
            (Type::Int8, true) => &OPTIONAL_INT8_SCHEMA,
            (Type::Int16, true) => &OPTIONAL_INT16_SCHEMA,
            (Type::Int32, true) => &OPTIONAL_INT32_SCHEMA,
            (Type::Int64, true) => &OPTIONAL_INT64_SCHEMA,
            (Type::Float32, true) => &OPTIONAL_FLOAT32_SCHEMA,
            (Type::Float64, true) => &OPTIONAL_FLOAT64_SCHEMA,
            (Type::Boolean, true) => &OPTIONAL_BOOLEAN_SCHEMA,
            (Type::String, true) => &OPTIONAL_STRING_SCHEMA,
            (Type::Bytes, true) => &OPTIONAL_BYTES_SCHEMA,
            _ => return None,
        };
        Some(Schema::clone(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_matches_java() {
        assert_eq!(STRING_SCHEMA.to_string(), "Schema{STRING}");
        let named = SchemaBuilder::int64()
            .name("com.example.Id")
            .build()
            .unwrap();
        assert_eq!(named.to_string(), "Schema{com.example.Id:INT64}");
        let f = Field::new("a", 0, INT32_SCHEMA.clone());
        assert_eq!(
            f.to_string(),
            "Field{name=a, index=0, schema=Schema{INT32}}"
        );
    }

    #[test]
    fn equality_includes_doc_and_version() {
        let a = SchemaBuilder::string().doc("x").build().unwrap();
        let b = SchemaBuilder::string().doc("y").build().unwrap();
        assert_ne!(a, b);
        assert_eq!(SchemaBuilder::string().build().unwrap(), *STRING_SCHEMA);
        let v1 = SchemaBuilder::string().version(1).build().unwrap();
        assert_ne!(v1, *STRING_SCHEMA);
    }

    #[test]
    fn field_lookup_on_non_struct_fails() {
        let err = STRING_SCHEMA.field("a").unwrap_err();
        assert_eq!(err.to_string(), "Cannot look up fields on non-struct type");
        let err = STRING_SCHEMA.fields().unwrap_err();
        assert_eq!(err.to_string(), "Cannot list fields on non-struct type");
    }
}
