//! Nested field paths (KIP-821): Apache's `SingleFieldPath` and `FieldSyntaxVersion`.
//!
//! With `field.syntax.version=V1` (the default) the configured string is one top-level field
//! name, dots included. With `V2` it is a dotted path; a step wrapped in backticks may contain
//! dots (`` `a.b`.c ``), and a backslash escapes a closing backtick.

use connect_api::config::ConfigError;
use connect_api::data::{Field, Schema, Struct, Value};
use connect_api::errors::Result;

use crate::requirements::{map_get, require_map_or_null, require_struct_or_null};

/// The configuration key selecting the path syntax.
pub const FIELD_SYNTAX_VERSION_CONFIG: &str = "field.syntax.version";
/// Its documentation, as Apache's.
pub const FIELD_SYNTAX_VERSION_DOC: &str = "Defines the version of the syntax to access fields. If set to `V1`, then the field paths are limited to access the elements at the root level of the struct or map. If set to `V2`, the syntax will support accessing nested elements. To access nested elements, dotted notation is used. If dots are already included in the field name, then backtick pairs can be used to wrap field names containing dots. E.g. to access the subfield `baz` from a field named \"foo.bar\" in a struct/map the following format can be used to access its elements: \"`foo.bar`.baz\".";

/// Java's `FieldSyntaxVersion`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FieldSyntaxVersion {
    /// A single top-level field name.
    #[default]
    V1,
    /// Dotted paths with backtick quoting.
    V2,
}

impl FieldSyntaxVersion {
    /// Parses the (case-insensitive) configured value.
    pub fn from_config(value: &str) -> std::result::Result<Self, ConfigError> {
        match value.to_ascii_uppercase().as_str() {
            "V1" => Ok(FieldSyntaxVersion::V1),
            "V2" => Ok(FieldSyntaxVersion::V2),
            _ => Err(ConfigError::invalid(
                FIELD_SYNTAX_VERSION_CONFIG,
                Some(value),
                "Unrecognized field syntax version",
            )),
        }
    }
}

/// A path to one (possibly nested) field (Java's `SingleFieldPath`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SingleFieldPath {
    steps: Vec<String>,
}

impl SingleFieldPath {
    /// Parses `path` with the given syntax; an unbalanced backtick in V2 is a config error.
    pub fn new(path: &str, version: FieldSyntaxVersion) -> std::result::Result<Self, ConfigError> {
        let steps = match version {
            FieldSyntaxVersion::V1 => vec![path.to_owned()],
            FieldSyntaxVersion::V2 => parse_v2(path)?,
        };
        Ok(SingleFieldPath { steps })
    }

    /// The steps of the path.
    pub fn steps(&self) -> &[String] {
        &self.steps
    }

    fn split(&self) -> (&[String], Option<&str>) {
        match self.steps.split_last() {
            Some((last, init)) => (init, Some(last.as_str())),
            None => (&[], None),
        }
    }

    /// The field the path names in a struct schema, or `None` if a step is missing (Java's
    /// `fieldFrom`). A non-struct schema on the way fails with
    /// `Cannot look up fields on non-struct type`.
    pub fn field_from<'a>(&self, schema: &'a Schema) -> Result<Option<&'a Field>> {
        let (init, last) = self.split();
        let mut current = schema;
        for step in init {
            match current.field(step)? {
                Some(f) => current = f.schema(),
                None => return Ok(None),
            }
        }
        match last {
            Some(last) => current.field(last),
            // An empty path (V2 of "") has no field; Java would fail on the empty step list.
            None => Ok(None),
        }
    }

    /// The value at the path in a struct (Java's `valueFrom(struct, withDefault)`): `Null` if a
    /// step is missing or an intermediate struct is null.
    pub fn value_from_struct(&self, value: &Struct, with_default: bool) -> Result<Value> {
        let (init, last) = self.split();
        let mut current = value;
        for step in init {
            if current.schema().field(step)?.is_none() {
                return Ok(Value::Null);
            }
            let sub = current.get(step)?;
            match require_struct_or_null(sub, "nested field access")? {
                Some(s) => current = s,
                None => return Ok(Value::Null),
            }
        }
        let Some(last) = last else {
            return Ok(Value::Null);
        };
        if current.schema().field(last)?.is_none() {
            return Ok(Value::Null);
        }
        let v = if with_default {
            current.get(last)?
        } else {
            current.get_without_default(last)?
        };
        Ok(v.clone())
    }

    /// The value at the path in a schemaless map (Java's `valueFrom(map)`): `Null` if a step is
    /// missing or null; a non-map intermediate fails.
    pub fn value_from_map(&self, entries: &[(Value, Value)]) -> Result<Value> {
        let (init, last) = self.split();
        let mut current = entries;
        for step in init {
            let sub = map_get(current, step).unwrap_or(&Value::Null);
            match require_map_or_null(sub, "nested field access")? {
                Some(m) => current = m,
                None => return Ok(Value::Null),
            }
        }
        Ok(last
            .and_then(|l| map_get(current, l))
            .cloned()
            .unwrap_or(Value::Null))
    }
}

impl SingleFieldPath {
    /// An empty V1 path (before configuration).
    pub(crate) fn default_v1() -> Self {
        SingleFieldPath {
            steps: vec![String::new()],
        }
    }
}

/// Java's `buildFieldPathV2`, character for character (indices are char positions).
fn parse_v2(path: &str) -> std::result::Result<Vec<String>, ConfigError> {
    const BACKTICK: char = '`';
    const DOT: char = '.';
    const BACKSLASH: char = '\\';
    let chars: Vec<char> = path.chars().collect();
    let len = chars.len();
    let index_of = |c: char, from: usize| (from..len).find(|&i| chars[i] == c);
    let text = |from: usize, to: usize| chars[from..to].iter().collect::<String>();
    let incomplete = |at: usize| {
        ConfigError::other(
            None,
            format!(
                "Incomplete backtick pair in path: [{path}], consider adding a backslash before backtick at position {at} to escape it"
            ),
        )
    };
    let mut steps = Vec::new();
    let mut idx = 0usize;
    while idx < len {
        if chars[idx] != BACKTICK {
            let start = idx;
            match index_of(DOT, idx) {
                Some(dot) => {
                    steps.push(text(start, dot));
                    idx = dot + 1;
                }
                None => {
                    steps.push(text(start, len));
                    idx = len;
                }
            }
        } else {
            let backtick_at = idx;
            idx += 1;
            let mut field = String::new();
            let mut start = idx;
            loop {
                let Some(found) = index_of(BACKTICK, idx) else {
                    return Err(incomplete(backtick_at));
                };
                idx = found;
                let escaped = chars[idx - 1] == BACKSLASH;
                if idx >= len - 1 {
                    if escaped {
                        return Err(incomplete(backtick_at));
                    }
                    field.push_str(&text(start, idx));
                    steps.push(field);
                    idx += 1;
                    break;
                }
                if chars[idx + 1] != DOT {
                    idx += 1;
                    continue;
                }
                if escaped {
                    field.push_str(&text(start, idx - 1));
                    field.push(BACKTICK);
                    idx += 1;
                    start = idx;
                    continue;
                }
                field.push_str(&text(start, idx));
                steps.push(field);
                idx += 2;
                break;
            }
        }
    }
    if chars.last() == Some(&DOT) {
        steps.push(String::new());
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use connect_api::data::{SchemaBuilder, INT32_SCHEMA};

    fn steps(path: &str) -> Vec<String> {
        SingleFieldPath::new(path, FieldSyntaxVersion::V2)
            .unwrap()
            .steps
    }

    #[test]
    fn parses_like_apache() {
        // SingleFieldPathTest / FieldPathNotationTest vectors.
        let cases: &[(&str, &[&str])] = &[
            ("foo.bar.baz", &["foo", "bar", "baz"]),
            ("foo`bar`baz", &["foo`bar`baz"]),
            ("`foo.bar.baz`", &["foo.bar.baz"]),
            ("foo.`bar.baz`", &["foo", "bar.baz"]),
            ("`foo.bar`.baz", &["foo.bar", "baz"]),
            ("foo.`ba`r.baz`", &["foo", "ba`r.baz"]),
            ("foo.ba`r.baz", &["foo", "ba`r", "baz"]),
            ("foo.`bar\\`.baz`", &["foo", "bar`.baz"]),
            ("foo..", &["foo", "", ""]),
            (".bar.", &["", "bar", ""]),
            ("..", &["", "", ""]),
            ("", &[]),
            ("foo", &["foo"]),
            ("`foo`", &["foo"]),
            ("`foo`.`bar`", &["foo", "bar"]),
        ];
        for (path, expected) in cases {
            assert_eq!(steps(path), *expected, "{path}");
        }
        assert_eq!(
            SingleFieldPath::new("a.b", FieldSyntaxVersion::V1)
                .unwrap()
                .steps,
            ["a.b"]
        );
    }

    #[test]
    fn incomplete_backticks_fail() {
        for path in ["foo.bar.`baz", "foo.bar.`baz\\`"] {
            let err = SingleFieldPath::new(path, FieldSyntaxVersion::V2).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("Incomplete backtick pair in path: [{path}], consider adding a backslash before backtick at position 8 to escape it")
            );
        }
    }

    #[test]
    fn syntax_version_is_case_insensitive() {
        assert_eq!(
            FieldSyntaxVersion::from_config("v2").unwrap(),
            FieldSyntaxVersion::V2
        );
        assert!(FieldSyntaxVersion::from_config("v3").is_err());
    }

    #[test]
    fn lookups() {
        let inner = SchemaBuilder::struct_()
            .field("foo", INT32_SCHEMA.clone())
            .build()
            .unwrap();
        let outer = SchemaBuilder::struct_()
            .field("magic", inner.clone())
            .build()
            .unwrap();
        let p = SingleFieldPath::new("magic.foo", FieldSyntaxVersion::V2).unwrap();
        assert_eq!(
            p.field_from(&outer).unwrap().unwrap().schema(),
            &*INT32_SCHEMA
        );
        let missing = SingleFieldPath::new("magic.bar", FieldSyntaxVersion::V2).unwrap();
        assert!(missing.field_from(&outer).unwrap().is_none());
        let too_deep = SingleFieldPath::new("magic.foo.x", FieldSyntaxVersion::V2).unwrap();
        assert_eq!(
            too_deep.field_from(&outer).unwrap_err().to_string(),
            "Cannot look up fields on non-struct type"
        );
        let mut i = Struct::new(inner).unwrap();
        i.put("foo", 42).unwrap();
        let mut o = Struct::new(outer).unwrap();
        o.put("magic", i).unwrap();
        assert_eq!(p.value_from_struct(&o, true).unwrap(), Value::Int32(42));
        assert_eq!(missing.value_from_struct(&o, true).unwrap(), Value::Null);
        let map = vec![(
            Value::from("magic"),
            Value::Map(vec![("foo".into(), 42.into())]),
        )];
        assert_eq!(p.value_from_map(&map).unwrap(), Value::Int32(42));
        assert_eq!(missing.value_from_map(&map).unwrap(), Value::Null);
        let bad = vec![(Value::from("magic"), Value::from(1))];
        assert_eq!(
            p.value_from_map(&bad).unwrap_err().to_string(),
            "Only Map objects supported in absence of schema for [nested field access], found: java.lang.Integer"
        );
    }
}
