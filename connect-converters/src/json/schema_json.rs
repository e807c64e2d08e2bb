//! Connect schema → the `"schema"` JSON of the envelope (Apache's `JsonConverter.asJsonSchema`).
//!
//! Member order is the byte order Jackson emits: `type`, then `items` / `keys`,`values` /
//! `fields`, then `optional` (always), `name`, `version`, `doc`, `parameters`, `default` (each
//! only when set). A struct field is its schema's JSON with `"field":"<name>"` as last member.
//! The reverse direction (JSON → schema) is [`Reader::schema`](super::deserialize::Reader).

use connect_api::data::{Schema, Type};
use connect_api::errors::Result;

use super::serialize::{write_i64, write_string, Writer};

/// The JSON type name of a Connect type (`float` and `double` for the floating types).
pub(crate) fn type_name(ty: Type) -> &'static str {
    match ty {
        Type::Float32 => "float",
        Type::Float64 => "double",
        other => other.name(),
    }
}

impl Writer<'_> {
    /// Writes the JSON of `schema`.
    pub(crate) fn schema(&mut self, schema: &Schema) -> Result<()> {
        self.schema_members(schema)?;
        self.out.push(b'}');
        Ok(())
    }

    fn schema_members(&mut self, schema: &Schema) -> Result<()> {
        self.enter()?;
        let result = self.schema_members_inner(schema);
        self.depth -= 1;
        result
    }

    /// Writes the JSON of `schema` without its closing brace, so a struct field can append
    /// its name.
    fn schema_members_inner(&mut self, schema: &Schema) -> Result<()> {
        self.out.extend_from_slice(b"{\"type\":\"");
        self.out
            .extend_from_slice(type_name(schema.schema_type()).as_bytes());
        self.out.push(b'"');
        match schema.schema_type() {
            Type::Array => {
                self.out.extend_from_slice(b",\"items\":");
                self.optional_schema(schema.value_schema())?;
            }
            Type::Map => {
                self.out.extend_from_slice(b",\"keys\":");
                self.optional_schema(schema.key_schema())?;
                self.out.extend_from_slice(b",\"values\":");
                self.optional_schema(schema.value_schema())?;
            }
            Type::Struct => {
                self.out.extend_from_slice(b",\"fields\":[");
                for (i, field) in schema.fields()?.iter().enumerate() {
                    if i > 0 {
                        self.out.push(b',');
                    }
                    self.schema_members(field.schema())?;
                    self.out.extend_from_slice(b",\"field\":");
                    write_string(self.out, field.name());
                    self.out.push(b'}');
                }
                self.out.push(b']');
            }
            _ => {}
        }
        self.out.extend_from_slice(if schema.is_optional() {
            b",\"optional\":true"
        } else {
            b",\"optional\":false"
        });
        if let Some(name) = schema.name() {
            self.out.extend_from_slice(b",\"name\":");
            write_string(self.out, name);
        }
        if let Some(version) = schema.version() {
            self.out.extend_from_slice(b",\"version\":");
            write_i64(self.out, i64::from(version));
        }
        if let Some(doc) = schema.doc() {
            self.out.extend_from_slice(b",\"doc\":");
            write_string(self.out, doc);
        }
        if let Some(params) = schema.parameters() {
            self.out.extend_from_slice(b",\"parameters\":{");
            for (i, (k, v)) in params.iter().enumerate() {
                if i > 0 {
                    self.out.push(b',');
                }
                write_string(self.out, k);
                self.out.push(b':');
                write_string(self.out, v);
            }
            self.out.push(b'}');
        }
        if let Some(default) = schema.default_value().filter(|d| !d.is_null()) {
            self.out.extend_from_slice(b",\"default\":");
            self.value(Some(schema), default)?;
        }
        Ok(())
    }

    /// A nested schema; an absent one (possible for schemas made by `Values`) is `null`, as
    /// Jackson writes a null child node.
    fn optional_schema(&mut self, schema: Option<&Schema>) -> Result<()> {
        match schema {
            Some(s) => self.schema(s),
            None => {
                self.out.extend_from_slice(b"null");
                Ok(())
            }
        }
    }
}
