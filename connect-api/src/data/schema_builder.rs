//! Building schemas (Java's `SchemaBuilder`).

use std::collections::HashMap;

use indexmap::IndexMap;

use super::schema::SchemaInner;
use super::{validate_value, Field, Schema, Type, Value};
use crate::errors::{ConnectError, Result};

/// A fluent builder of [`Schema`]s, with Apache's `SchemaBuilder` rules.
///
/// Each of optional, default, name, version and doc may be set once (setting it again to a
/// different value is an error), a default value must be valid for the schema as built so far,
/// and fields may only be added to structs, with unique names. Errors are collected and
/// reported by [`SchemaBuilder::build`], with Apache's messages.
///
/// ```
/// use connect_api::data::{SchemaBuilder, INT32_SCHEMA, OPTIONAL_STRING_SCHEMA};
///
/// let schema = SchemaBuilder::struct_()
///     .name("com.example.Order")
///     .field("id", INT32_SCHEMA.clone())
///     .field("note", OPTIONAL_STRING_SCHEMA.clone())
///     .build()?;
/// assert_eq!(schema.fields()?.len(), 2);
/// # Ok::<(), connect_api::errors::ConnectError>(())
/// ```
#[derive(Debug, Clone)]
pub struct SchemaBuilder {
    schema_type: Type,
    optional: Option<bool>,
    default_value: Option<Value>,
    name: Option<String>,
    version: Option<i32>,
    doc: Option<String>,
    parameters: Option<IndexMap<String, String>>,
    fields: Vec<Field>,
    key_schema: Option<Schema>,
    value_schema: Option<Schema>,
    error: Option<String>,
}

macro_rules! type_ctor {
    ($($(#[$doc:meta])* $fn:ident => $ty:ident;)*) => {
        $(
            $(#[$doc])*
            pub fn $fn() -> SchemaBuilder {
                SchemaBuilder::new(Type::$ty)
            }
        )*
    };
}

impl SchemaBuilder {
    /// A builder for a schema of the given type.
    pub fn new(schema_type: Type) -> SchemaBuilder {
        SchemaBuilder {
            schema_type,
            optional: None,
            default_value: None,
            name: None,
            version: None,
            doc: None,
            parameters: None,
            fields: Vec::new(),
            key_schema: None,
            value_schema: None,
            error: None,
        }
    }

    type_ctor! {
        /// A builder for an INT8 schema.
        int8 => Int8;
        /// A builder for an INT16 schema.
        int16 => Int16;
        /// A builder for an INT32 schema.
        int32 => Int32;
        /// A builder for an INT64 schema.
        int64 => Int64;
        /// A builder for a FLOAT32 schema.
        float32 => Float32;
        /// A builder for a FLOAT64 schema.
        float64 => Float64;
        /// A builder for a BOOLEAN schema.
        boolean => Boolean;
        /// A builder for a STRING schema.
        string => String;
        /// A builder for a BYTES schema.
        bytes => Bytes;
        /// A builder for a STRUCT schema; add fields with [`SchemaBuilder::field`].
        struct_ => Struct;
    }

    /// A builder for an ARRAY schema whose elements have `value_schema`.
    pub fn array(value_schema: Schema) -> SchemaBuilder {
        let mut b = SchemaBuilder::new(Type::Array);
        b.value_schema = Some(value_schema);
        b
    }

    /// A builder for a MAP schema.
    pub fn map(key_schema: Schema, value_schema: Schema) -> SchemaBuilder {
        let mut b = SchemaBuilder::new(Type::Map);
        b.key_schema = Some(key_schema);
        b.value_schema = Some(value_schema);
        b
    }

    /// A builder for an ARRAY or MAP schema whose element (or key/value) schemas are unknown.
    ///
    /// Apache's `Values.parseString` produces such schemas for `[]`, `[null]` or arrays of
    /// mixed types; they cannot validate elements.
    pub fn container_without_element_schemas(
        schema_type: Type,
        key_schema: Option<Schema>,
        value_schema: Option<Schema>,
    ) -> SchemaBuilder {
        let mut b = SchemaBuilder::new(schema_type);
        b.key_schema = key_schema;
        b.value_schema = value_schema;
        b
    }

    /// A builder initialised with every property of `schema`.
    pub fn from_schema(schema: &Schema) -> SchemaBuilder {
        let s = schema.inner();
        SchemaBuilder {
            schema_type: s.schema_type,
            optional: Some(s.optional),
            default_value: s.default_value.clone(),
            name: s.name.clone(),
            version: s.version,
            doc: s.doc.clone(),
            parameters: s.parameters.clone(),
            fields: s.fields.clone(),
            key_schema: s.key_schema.clone(),
            value_schema: s.value_schema.clone(),
            error: None,
        }
    }

    fn fail(&mut self, message: String) {
        if self.error.is_none() {
            self.error = Some(message);
        }
    }

    fn check_can_set<T: PartialEq>(&mut self, field: &str, current: &Option<T>, new: &T) -> bool {
        match current {
            Some(c) if c != new => {
                self.fail(format!(
                    "Invalid SchemaBuilder call: {field} has already been set."
                ));
                false
            }
            _ => true,
        }
    }

    /// Makes the schema optional (`null` is valid).
    pub fn optional(mut self) -> Self {
        if self.check_can_set("optional", &self.optional.clone(), &true) {
            self.optional = Some(true);
        }
        self
    }

    /// Makes the schema required (the default).
    pub fn required(mut self) -> Self {
        if self.check_can_set("optional", &self.optional.clone(), &false) {
            self.optional = Some(false);
        }
        self
    }

    /// Sets the default value; it must be valid for the schema as built so far.
    pub fn default_value(mut self, value: impl Into<Value>) -> Self {
        let value = value.into();
        if !self.check_can_set("default", &self.default_value.clone(), &value) {
            return self;
        }
        let probe = self.snapshot(None);
        if let Err(e) = validate_value(&probe, &value) {
            self.fail(format!("Invalid default value: {e}"));
            return self;
        }
        self.default_value = Some(value);
        self
    }

    /// Sets the schema name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        if self.check_can_set("name", &self.name.clone(), &name) {
            self.name = Some(name);
        }
        self
    }

    /// Sets the schema version.
    pub fn version(mut self, version: i32) -> Self {
        if self.check_can_set("version", &self.version.clone(), &version) {
            self.version = Some(version);
        }
        self
    }

    /// Replaces the schema name (`None` removes it), even if one was already set.
    ///
    /// Unlike [`name`](Self::name), which follows Java's set-once rule to catch a builder chain
    /// that names a schema twice by mistake, this overwrites: it is for deriving a schema from
    /// an existing one with [`from_schema`](Self::from_schema), as transformations such as
    /// `SetSchemaMetadata` do. Java builds those schemas with the `ConnectSchema` constructor
    /// instead, which this crate does not expose.
    ///
    /// ```
    /// use connect_api::data::{SchemaBuilder, Struct, INT32_SCHEMA};
    ///
    /// let v1 = SchemaBuilder::struct_()
    ///     .name("com.example.Order")
    ///     .version(1)
    ///     .field("id", INT32_SCHEMA.clone())
    ///     .build()?;
    /// let v2 = SchemaBuilder::from_schema(&v1)
    ///     .with_name(Some("com.example.OrderV2".to_owned()))
    ///     .with_version(Some(2))
    ///     .build()?;
    /// assert_eq!(v2.name(), Some("com.example.OrderV2"));
    /// assert_eq!(v2.version(), Some(2));
    /// assert_eq!(v2.fields()?.len(), 1);
    /// # Ok::<(), connect_api::errors::ConnectError>(())
    /// ```
    pub fn with_name(mut self, name: Option<String>) -> Self {
        self.name = name;
        self
    }

    /// Replaces the schema version (`None` removes it), even if one was already set; see
    /// [`with_name`](Self::with_name) for why this differs from [`version`](Self::version).
    pub fn with_version(mut self, version: Option<i32>) -> Self {
        self.version = version;
        self
    }

    /// Replaces the default value (`None` removes it), even if one was already set; see
    /// [`with_name`](Self::with_name) for why this differs from
    /// [`default_value`](Self::default_value). A new default must be valid for the schema as
    /// built so far, as with `default_value`.
    ///
    /// A struct default must be a struct of the schema being built, so a schema derived from
    /// one with a struct default needs its default rebuilt for the new schema: build without
    /// the default first, rebuild the default against that schema, then set it.
    pub fn with_default_value(mut self, value: Option<Value>) -> Self {
        self.default_value = None;
        match value {
            Some(v) => self.default_value(v),
            None => self,
        }
    }

    /// Sets the documentation.
    pub fn doc(mut self, doc: impl Into<String>) -> Self {
        let doc = doc.into();
        if self.check_can_set("doc", &self.doc.clone(), &doc) {
            self.doc = Some(doc);
        }
        self
    }

    /// Adds (or replaces) one parameter.
    pub fn parameter(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.parameters
            .get_or_insert_with(IndexMap::new)
            .insert(key.into(), value.into());
        self
    }

    /// Adds parameters; an empty map adds nothing (so "no parameters" stays `None`, as in Java).
    pub fn parameters<K, V>(mut self, params: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<String>,
    {
        for (k, v) in params {
            self = self.parameter(k, v);
        }
        self
    }

    /// Adds a field to a struct schema.
    pub fn field(mut self, name: impl Into<String>, schema: Schema) -> Self {
        let name = name.into();
        if self.schema_type != Type::Struct {
            self.fail(format!("Cannot create fields on type {}", self.schema_type));
        } else if name.is_empty() {
            self.fail("fieldName cannot be null.".to_owned());
        } else if self.fields.iter().any(|f| f.name() == name) {
            self.fail(format!(
                "Cannot create field because of field name duplication {name}"
            ));
        } else {
            let index = self.fields.len();
            self.fields.push(Field::new(name, index, schema));
        }
        self
    }

    /// The type being built.
    pub fn schema_type(&self) -> Type {
        self.schema_type
    }

    /// The fields added so far.
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// Whether the schema being built is optional.
    pub fn is_optional(&self) -> bool {
        self.optional.unwrap_or(false)
    }

    /// The name set so far.
    pub fn get_name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    fn snapshot(&self, default_value: Option<Value>) -> Schema {
        let field_index: HashMap<String, usize> = self
            .fields
            .iter()
            .map(|f| (f.name().to_owned(), f.index()))
            .collect();
        Schema::from_inner(SchemaInner {
            schema_type: self.schema_type,
            optional: self.optional.unwrap_or(false),
            default_value,
            name: self.name.clone(),
            version: self.version,
            doc: self.doc.clone(),
            parameters: self.parameters.clone(),
            fields: self.fields.clone(),
            field_index,
            key_schema: self.key_schema.clone(),
            value_schema: self.value_schema.clone(),
        })
    }

    /// Builds the immutable schema, or reports the first rule the builder calls broke.
    pub fn build(self) -> Result<Schema> {
        if let Some(message) = self.error {
            return Err(ConnectError::schema_builder(message));
        }
        let default_value = self.default_value.clone();
        Ok(self.snapshot(default_value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{INT32_SCHEMA, STRING_SCHEMA};

    #[test]
    fn setting_twice_fails() {
        let err = SchemaBuilder::int32()
            .name("a")
            .name("b")
            .build()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid SchemaBuilder call: name has already been set."
        );
        // the same value twice is fine
        assert!(SchemaBuilder::int32().name("a").name("a").build().is_ok());
        let err = SchemaBuilder::int32()
            .optional()
            .required()
            .build()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid SchemaBuilder call: optional has already been set."
        );
    }

    #[test]
    fn with_setters_replace() {
        let base = SchemaBuilder::int32()
            .name("a")
            .version(1)
            .default_value(5)
            .doc("d")
            .build()
            .unwrap();
        let s = SchemaBuilder::from_schema(&base)
            .with_name(Some("b".to_owned()))
            .with_version(Some(2))
            .with_default_value(Some(Value::Int32(6)))
            .build()
            .unwrap();
        assert_eq!(
            (s.name(), s.version(), s.default_value(), s.doc()),
            (Some("b"), Some(2), Some(&Value::Int32(6)), Some("d"))
        );
        let s = SchemaBuilder::from_schema(&base)
            .with_name(None)
            .with_version(None)
            .with_default_value(None)
            .build()
            .unwrap();
        assert_eq!(
            (s.name(), s.version(), s.default_value()),
            (None, None, None)
        );
        // A replaced default is still validated.
        let err = SchemaBuilder::from_schema(&base)
            .with_default_value(Some(Value::String("x".into())))
            .build()
            .unwrap_err();
        assert!(
            err.to_string().starts_with("Invalid default value"),
            "{err}"
        );
        // The set-once setters still refuse after a replacement.
        let err = SchemaBuilder::int32()
            .with_name(Some("a".to_owned()))
            .name("b")
            .build()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid SchemaBuilder call: name has already been set."
        );
    }

    #[test]
    fn field_rules() {
        let err = SchemaBuilder::int32()
            .field("a", INT32_SCHEMA.clone())
            .build()
            .unwrap_err();
        assert_eq!(err.to_string(), "Cannot create fields on type INT32");
        let err = SchemaBuilder::struct_()
            .field("a", INT32_SCHEMA.clone())
            .field("a", STRING_SCHEMA.clone())
            .build()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Cannot create field because of field name duplication a"
        );
        let s = SchemaBuilder::struct_()
            .field("a", INT32_SCHEMA.clone())
            .field("b", STRING_SCHEMA.clone())
            .build()
            .unwrap();
        assert_eq!(s.field("b").unwrap().unwrap().index(), 1);
    }

    #[test]
    fn default_is_validated() {
        let err = SchemaBuilder::int32()
            .default_value("x")
            .build()
            .unwrap_err();
        assert!(err.to_string().starts_with("Invalid default value"));
        let s = SchemaBuilder::int32().default_value(5).build().unwrap();
        assert_eq!(s.default_value(), Some(&Value::Int32(5)));
        // null default needs optional first
        assert!(SchemaBuilder::int32()
            .default_value(Value::Null)
            .build()
            .is_err());
        assert!(SchemaBuilder::int32()
            .optional()
            .default_value(Value::Null)
            .build()
            .is_ok());
    }

    #[test]
    fn empty_parameters_stay_absent() {
        let s = SchemaBuilder::string()
            .parameters(Vec::<(String, String)>::new())
            .build()
            .unwrap();
        assert!(s.parameters().is_none());
    }
}
