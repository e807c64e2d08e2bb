//! [`ConnectConfig`]: a [`ConfigDef`] derived from a config struct's JSON Schema, and parsing a
//! raw configuration straight into the struct.
//!
//! See [`ConnectConfig`] for how a schema maps to keys.

use std::collections::HashSet;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::parse::parse_type;
use super::password::PASSWORD_FORMAT;
use super::{
    CompositeValidator, ConfigDef, ConfigError, ConfigKey, ConfigProps, ConfigType, DefaultValue,
    Importance, ListSize, NonEmptyList, NonEmptyString, ParsedValue, Range, RangeBound, ValidList,
    ValidString, Validator, Width,
};

/// A configuration struct that knows its own [`ConfigDef`] and parses itself from a raw
/// configuration, with Apache's error messages. Implemented for every type that derives
/// `Deserialize` and `JsonSchema`.
///
/// The schema is walked on each call:
///
/// | Rust field | JSON Schema | key type |
/// |---|---|---|
/// | `bool` | `boolean` | `BOOLEAN` |
/// | `i8`, `i16`, `u8` | `integer` (`int8`, `int16`, `uint8`) | `SHORT` |
/// | `i32`, `u16` | `integer` (`int32`, `uint16`) | `INT` |
/// | `i64`, `u32`, `u64`, `usize`, ... | `integer` | `LONG` |
/// | `f32`, `f64` | `number` | `DOUBLE` |
/// | `String`, unit-variant enums | `string` | `STRING` (enums get a [`ValidString`]) |
/// | [`Password`](super::Password) | `string`, `format: password` | `PASSWORD` |
/// | `Vec<String>` (or numbers, booleans) | `array` | `LIST` |
/// | maps, nested structs | `object` | `STRING` holding JSON text |
/// | anything else (e.g. untagged enums) | | `STRING`, handed to serde as JSON if it parses |
///
/// - The property name is the key, so `#[serde(rename = "batch.size")]` gives a dotted key.
/// - A field listed as required with no default is a required key. `Option<T>` and
///   `#[serde(default)]` fields are optional: with the schema's `default` (serde defaults that
///   implement `Serialize`) or a null default, in which case an absent key is left for serde to
///   fill in.
/// - Doc comments (`title`/`description`) become the documentation.
/// - Schema bounds become validators with Apache's messages: `minimum`/`maximum` (also those
///   implied by `u16` and friends, via `#[schemars(range(min = 1))]`) → [`Range`], `enum` →
///   [`ValidString`]/[`ValidList`], `minLength: 1` → [`NonEmptyString`], `minItems: 1` →
///   [`NonEmptyList`], `maxItems` → [`ListSize`]. An optional key's validator lets null through.
/// - Extension keywords set the rest, e.g. `#[schemars(extend("x-importance" = "HIGH"))]`:
///   `x-importance`, `x-group`, `x-order`, `x-width`, `x-display-name`, `x-internal`,
///   `x-dependents` (array of key names) and `x-type` (a type name such as `"CLASS"`).
///
/// ```
/// use std::collections::HashMap;
/// use connect_api::config::{ConnectConfig, Password};
///
/// #[derive(serde::Deserialize, schemars::JsonSchema)]
/// struct SinkConfig {
///     /// The file to write to.
///     file: String,
///     /// Records per batch.
///     #[serde(rename = "batch.size", default = "default_batch")]
///     batch_size: i32,
///     /// Database password.
///     password: Option<Password>,
/// }
///
/// fn default_batch() -> i32 { 100 }
///
/// let def = SinkConfig::config_def();
/// assert_eq!(def.names().collect::<Vec<_>>(), ["file", "batch.size", "password"]);
///
/// let props = HashMap::from([("file".to_owned(), "/tmp/out".to_owned())]);
/// let config = SinkConfig::from_props(&props)?;
/// assert_eq!((config.file.as_str(), config.batch_size), ("/tmp/out", 100));
///
/// let bad = HashMap::from([("file".to_owned(), "f".to_owned()), ("batch.size".to_owned(), "many".to_owned())]);
/// assert_eq!(
///     SinkConfig::from_props(&bad).err().map(|e| e.to_string()).as_deref(),
///     Some("Invalid value many for configuration batch.size: Not a number of type INT")
/// );
/// # Ok::<(), connect_api::config::ConfigError>(())
/// ```
pub trait ConnectConfig: Sized {
    /// The definition derived from the type's schema.
    fn config_def() -> ConfigDef;

    /// Parses and validates `props` against [`ConnectConfig::config_def`] (so errors read as
    /// Apache's), then builds the struct from the typed values. Keys the struct does not define
    /// are ignored.
    fn from_props<P: ConfigProps + ?Sized>(props: &P) -> Result<Self, ConfigError>;
}

impl<T: DeserializeOwned + schemars::JsonSchema> ConnectConfig for T {
    fn config_def() -> ConfigDef {
        plan::<T>().def
    }

    fn from_props<P: ConfigProps + ?Sized>(props: &P) -> Result<Self, ConfigError> {
        let plan = plan::<T>();
        let values = plan.def.parse(props)?;
        let mut object = Map::new();
        for field in &plan.fields {
            // A null value is left out, so that serde applies the field's own default.
            if let Some(Some(value)) = values.get(&field.name) {
                object.insert(
                    field.name.clone(),
                    to_json(&field.name, field.shape, value)?,
                );
            }
        }
        serde_json::from_value(Value::Object(object))
            .map_err(|e| ConfigError::other(None, e.to_string()))
    }
}

/// The derived definition plus, per key, how to turn its typed value back into JSON for serde.
struct Plan {
    def: ConfigDef,
    fields: Vec<Field>,
}

struct Field {
    name: String,
    shape: Shape,
}

/// How a key's typed value is handed to serde.
#[derive(Clone, Copy)]
enum Shape {
    /// As the matching JSON scalar.
    Scalar,
    /// A `LIST` whose items are parsed as this type (`STRING` items stay strings).
    List(ConfigType),
    /// A `STRING` holding JSON text, parsed before handing it over (maps, nested structs).
    JsonText,
    /// A `STRING` for a schema we cannot classify (e.g. an untagged enum): handed over as JSON
    /// if it parses as JSON, otherwise as a JSON string, and serde decides.
    JsonOrString,
}

/// A typed value as the JSON serde reads the field from.
fn to_json(name: &str, shape: Shape, value: &ParsedValue) -> Result<Value, ConfigError> {
    Ok(match value {
        ParsedValue::Boolean(b) => Value::Bool(*b),
        ParsedValue::Short(n) => Value::from(*n),
        ParsedValue::Int(n) => Value::from(*n),
        ParsedValue::Long(n) => Value::from(*n),
        ParsedValue::Double(d) => match serde_json::Number::from_f64(*d) {
            Some(n) => Value::Number(n),
            None => {
                return Err(ConfigError::invalid(
                    name,
                    Some(&value.to_string()),
                    "Not a finite number",
                ))
            }
        },
        ParsedValue::String(s) => match shape {
            Shape::JsonText => serde_json::from_str(s)
                .map_err(|e| ConfigError::invalid(name, Some(s), format!("Not valid JSON: {e}")))?,
            Shape::JsonOrString => {
                serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.clone()))
            }
            Shape::Scalar | Shape::List(_) => Value::String(s.clone()),
        },
        ParsedValue::Class(s) => Value::String(s.clone()),
        ParsedValue::Password(p) => Value::String(p.value().to_owned()),
        ParsedValue::List(items) => {
            let item_type = match shape {
                Shape::List(item_type) => item_type,
                _ => ConfigType::String,
            };
            let json_items = items.iter().map(|item| match item_type {
                ConfigType::String => Ok(Value::String(item.clone())),
                other => to_json(name, Shape::Scalar, &parse_type(name, item, other)?),
            });
            Value::Array(json_items.collect::<Result<_, _>>()?)
        }
    })
}

/// Walks `T`'s schema into a definition. Never panics: a default or validator that the
/// definition rejects is dropped rather than failing (see [`define_leniently`]).
fn plan<T: schemars::JsonSchema>() -> Plan {
    let schema = schemars::schema_for!(T);
    let root = schema.as_value();
    let required: HashSet<&str> = root
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut plan = Plan {
        def: ConfigDef::new(),
        fields: Vec::new(),
    };
    let properties = root.get("properties").and_then(Value::as_object);
    for (name, property) in properties.into_iter().flatten() {
        let resolved = resolve(root, property, 0);
        let (key, shape) = key_for(name, &resolved, required.contains(name.as_str()));
        plan.def = define_leniently(std::mem::take(&mut plan.def), key);
        plan.fields.push(Field {
            name: name.clone(),
            shape,
        });
    }
    plan
}

/// Defines `key`; if its default or validator is rejected (a schema default the key's type cannot
/// hold), retries with a null default (serde then fills the field in), then without validator.
fn define_leniently(def: ConfigDef, key: ConfigKey) -> ConfigDef {
    let fallback = def.clone();
    let mut retry = key.clone();
    match def.try_define(key) {
        Ok(def) => def,
        Err(_) => {
            retry.default_value = DefaultValue::Null;
            retry.validator = retry
                .validator
                .map(|v| Arc::new(NullOr(v)) as Arc<dyn Validator>);
            match fallback.clone().try_define(retry.clone()) {
                Ok(def) => def,
                Err(_) => {
                    retry.validator = None;
                    fallback.clone().try_define(retry).unwrap_or(fallback)
                }
            }
        }
    }
}

/// A property's schema with `$ref`s, single-item `allOf`, and nullable `anyOf`/`oneOf`/`type`
/// unions flattened into one object.
struct Resolved {
    schema: Map<String, Value>,
    nullable: bool,
}

fn resolve(root: &Value, schema: &Value, depth: usize) -> Resolved {
    let mut own = schema.as_object().cloned().unwrap_or_default();
    let mut nullable = false;
    if depth > 16 {
        // Recursive types: stop rather than loop.
        return Resolved {
            schema: own,
            nullable,
        };
    }
    let mut base: Option<Map<String, Value>> = None;
    if let Some(Value::String(reference)) = own.remove("$ref") {
        if let Some(target) = reference.strip_prefix('#').and_then(|p| root.pointer(p)) {
            let inner = resolve(root, target, depth + 1);
            nullable |= inner.nullable;
            base = Some(inner.schema);
        }
    }
    if let Some(Value::Array(all)) = own.get("allOf").cloned() {
        if let [single] = all.as_slice() {
            own.remove("allOf");
            let inner = resolve(root, single, depth + 1);
            nullable |= inner.nullable;
            base = Some(merge(base.unwrap_or_default(), inner.schema));
        }
    }
    for union in ["anyOf", "oneOf"] {
        let Some(Value::Array(branches)) = own.get(union).cloned() else {
            continue;
        };
        let mut rest: Vec<Resolved> = Vec::new();
        for branch in &branches {
            if branch.get("type").and_then(Value::as_str) == Some("null") {
                nullable = true;
            } else {
                rest.push(resolve(root, branch, depth + 1));
            }
        }
        let consts: Option<Vec<Value>> = rest
            .iter()
            .map(|r| r.schema.get("const").filter(|c| c.is_string()).cloned())
            .collect();
        if let [single] = rest.as_slice() {
            own.remove(union);
            nullable |= single.nullable;
            base = Some(merge(base.unwrap_or_default(), single.schema.clone()));
        } else if let Some(consts) = consts.filter(|c| !c.is_empty()) {
            // Unit-variant enums with doc comments: one `const` branch per variant.
            own.remove(union);
            own.insert("type".into(), Value::from("string"));
            own.insert("enum".into(), Value::Array(consts));
        }
    }
    let mut schema = merge(base.unwrap_or_default(), own);
    if let Some(Value::Array(types)) = schema.get("type").cloned() {
        let non_null: Vec<Value> = types
            .iter()
            .filter(|t| t.as_str() != Some("null"))
            .cloned()
            .collect();
        nullable |= non_null.len() < types.len();
        if let [single] = non_null.as_slice() {
            schema.insert("type".into(), single.clone());
        }
    }
    if let Some(Value::Array(values)) = schema.get_mut("enum") {
        nullable |= values.iter().any(Value::is_null);
        values.retain(|v| !v.is_null());
    }
    Resolved { schema, nullable }
}

/// `base` overlaid with `overlay`'s keywords.
fn merge(mut base: Map<String, Value>, overlay: Map<String, Value>) -> Map<String, Value> {
    base.extend(overlay);
    base
}

/// The key for one property, and how its value goes back to serde.
fn key_for(name: &str, resolved: &Resolved, listed_required: bool) -> (ConfigKey, Shape) {
    let schema = &resolved.schema;
    let text = |k: &str| {
        schema
            .get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let json_type = text("type");
    let format = text("format");

    let (mut config_type, shape) = match json_type {
        Some("boolean") => (ConfigType::Boolean, Shape::Scalar),
        Some("integer") => (integer_type(format), Shape::Scalar),
        Some("number") => (ConfigType::Double, Shape::Scalar),
        Some("string") if format == Some(PASSWORD_FORMAT) => (ConfigType::Password, Shape::Scalar),
        Some("string") => (ConfigType::String, Shape::Scalar),
        Some("array") => (ConfigType::List, Shape::List(item_type(schema))),
        Some("object") => (ConfigType::String, Shape::JsonText),
        _ => (ConfigType::String, Shape::JsonOrString),
    };
    if let Some(forced) = text("x-type").and_then(ConfigType::from_name) {
        config_type = forced;
    }

    let mut key = ConfigKey::new(name, config_type);
    key.documentation = match (text("title"), text("description")) {
        (Some(title), Some(description)) => Some(format!("{title}\n\n{description}")),
        (title, description) => title.or(description).map(str::to_owned),
    };
    key.default_value = match schema.get("default") {
        Some(default) => json_default(default, shape),
        None if listed_required && !resolved.nullable => DefaultValue::NoDefault,
        None => DefaultValue::Null,
    };
    let validators = validators_for(schema, config_type);
    let validator: Option<Arc<dyn Validator>> = match validators.len() {
        0 => None,
        1 => validators.into_iter().next(),
        _ => Some(Arc::new(CompositeValidator::of(validators))),
    };
    // An optional key's absence is not an error: serde fills the field in.
    key.validator = match (&key.default_value, validator) {
        (DefaultValue::Null, Some(v)) => Some(Arc::new(NullOr(v))),
        (_, v) => v,
    };

    if let Some(importance) = text("x-importance").and_then(Importance::from_name) {
        key.importance = importance;
    }
    if let Some(group) = text("x-group") {
        key.group = Some(group.to_owned());
    }
    if let Some(order) = schema.get("x-order").and_then(Value::as_i64) {
        key.order_in_group = i32::try_from(order).unwrap_or(-1);
    }
    if let Some(width) = text("x-width").and_then(Width::from_name) {
        key.width = width;
    }
    if let Some(display_name) = text("x-display-name") {
        key.display_name = Some(display_name.to_owned());
    }
    if let Some(internal) = schema.get("x-internal").and_then(Value::as_bool) {
        key.internal = internal;
    }
    if let Some(Value::Array(dependents)) = schema.get("x-dependents") {
        key.dependents = dependents
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
    }
    (key, shape)
}

/// Small integers map to Java's narrower types; everything else is a `LONG`.
fn integer_type(format: Option<&str>) -> ConfigType {
    match format {
        Some("int8" | "int16" | "uint8") => ConfigType::Short,
        Some("int32" | "uint16") => ConfigType::Int,
        _ => ConfigType::Long,
    }
}

fn item_type(array: &Map<String, Value>) -> ConfigType {
    match array
        .get("items")
        .and_then(|i| i.get("type"))
        .and_then(Value::as_str)
    {
        Some("integer") => ConfigType::Long,
        Some("number") => ConfigType::Double,
        Some("boolean") => ConfigType::Boolean,
        _ => ConfigType::String,
    }
}

/// The schema's `default` as a key default; the definition converts it to the key's type.
fn json_default(default: &Value, shape: Shape) -> DefaultValue {
    let value = match default {
        Value::Null => return DefaultValue::Null,
        Value::Bool(b) => ParsedValue::Boolean(*b),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => ParsedValue::Long(i),
            (None, Some(f)) if !n.is_u64() => ParsedValue::Double(f),
            // A u64 beyond i64: let parsing reject it, and fall back to serde's default.
            _ => ParsedValue::String(n.to_string()),
        },
        Value::String(s) => ParsedValue::String(s.clone()),
        Value::Array(items) if matches!(shape, Shape::List(_)) => ParsedValue::List(
            items
                .iter()
                .map(|item| match item {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect(),
        ),
        other => ParsedValue::String(other.to_string()),
    };
    DefaultValue::Value(value)
}

/// Validators for the schema's bounds, with Apache's messages.
fn validators_for(schema: &Map<String, Value>, config_type: ConfigType) -> Vec<Arc<dyn Validator>> {
    let mut validators: Vec<Arc<dyn Validator>> = Vec::new();
    match config_type {
        ConfigType::Short | ConfigType::Int | ConfigType::Long | ConfigType::Double => {
            // Bounds the type enforces anyway (i16's for SHORT, ...) add nothing but noise.
            let (type_min, type_max) = match config_type {
                ConfigType::Short => (i64::from(i16::MIN), i64::from(i16::MAX)),
                ConfigType::Int => (i64::from(i32::MIN), i64::from(i32::MAX)),
                _ => (i64::MIN, i64::MAX),
            };
            let bound = |k: &str, type_limit: i64| {
                let n = schema.get(k)?.as_number()?;
                match n.as_i64() {
                    Some(i) if i == type_limit && config_type != ConfigType::Double => None,
                    Some(i) => Some(RangeBound::Integer(i)),
                    None if n.is_u64() => None,
                    None => n.as_f64().map(RangeBound::Double),
                }
            };
            let range = match (bound("minimum", type_min), bound("maximum", type_max)) {
                (Some(min), Some(max)) => Some(Range::between(min, max)),
                (Some(min), None) => Some(Range::at_least(min)),
                (None, Some(max)) => Some(Range::at_most(max)),
                (None, None) => None,
            };
            if let Some(range) = range {
                validators.push(Arc::new(range));
            }
        }
        ConfigType::String => {
            if let Some(values) = string_enum(schema) {
                validators.push(Arc::new(ValidString::in_list(values)));
            } else if schema
                .get("minLength")
                .and_then(Value::as_u64)
                .is_some_and(|n| n >= 1)
            {
                validators.push(Arc::new(NonEmptyString));
            }
        }
        ConfigType::List => {
            let items = schema.get("items").and_then(Value::as_object);
            if let Some(values) = items.and_then(string_enum) {
                validators.push(Arc::new(ValidList::in_list(values)));
            }
            if schema
                .get("minItems")
                .and_then(Value::as_u64)
                .is_some_and(|n| n >= 1)
            {
                validators.push(Arc::new(NonEmptyList));
            }
            if let Some(max) = schema.get("maxItems").and_then(Value::as_u64) {
                validators.push(Arc::new(ListSize::at_most_of_size(
                    usize::try_from(max).unwrap_or(usize::MAX),
                )));
            }
        }
        _ => {}
    }
    validators
}

/// The allowed strings of an `enum` (or single `const`) keyword, if all are strings.
fn string_enum(schema: &Map<String, Value>) -> Option<Vec<String>> {
    let values = match (schema.get("enum"), schema.get("const")) {
        (Some(Value::Array(values)), _) => values.clone(),
        (None, Some(value)) => vec![value.clone()],
        _ => return None,
    };
    values
        .iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect::<Option<Vec<_>>>()
        .filter(|v| !v.is_empty())
}

/// Lets null through, then defers to the inner validator: an optional field that is absent is
/// not invalid.
struct NullOr(Arc<dyn Validator>);

impl Validator for NullOr {
    fn ensure_valid(&self, name: &str, value: Option<&ParsedValue>) -> Result<(), ConfigError> {
        match value {
            None => Ok(()),
            Some(_) => self.0.ensure_valid(name, value),
        }
    }

    fn description(&self) -> String {
        self.0.description()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashMap};

    use super::*;
    use crate::config::Password;

    // Serialize lets schemars record `#[serde(default)]` values in the schema.
    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
    #[serde(rename_all = "lowercase")]
    enum Mode {
        Fast,
        Slow,
    }

    #[derive(Debug, PartialEq, serde::Deserialize, schemars::JsonSchema)]
    enum Documented {
        /// The first.
        First,
        /// The second.
        Second,
    }

    fn default_batch() -> u16 {
        16
    }

    fn default_mode() -> Mode {
        Mode::Fast
    }

    /// A sink's config, as a connector author would write it.
    #[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
    struct SinkConfig {
        /// Topic to read from.
        topic: String,
        /// Records per batch.
        #[serde(rename = "batch.size", default = "default_batch")]
        batch_size: u16,
        /// Retries before giving up.
        #[schemars(range(min = 1, max = 10), extend("x-importance" = "HIGH", "x-group" = "Retry", "x-order" = 1, "x-width" = "SHORT", "x-display-name" = "Max retries"))]
        #[serde(rename = "max.retries")]
        max_retries: i32,
        /// Optional offset to start at.
        #[serde(rename = "start.offset")]
        start_offset: Option<i64>,
        /// Fields to keep.
        fields: Vec<String>,
        /// Database password.
        password: Password,
        /// Secondary password.
        #[serde(rename = "backup.password")]
        backup_password: Option<Password>,
        #[serde(default)]
        verbose: bool,
        #[serde(default = "default_mode")]
        mode: Mode,
        kind: Option<Documented>,
        ratio: f64,
        small: i8,
        #[schemars(extend("x-type" = "CLASS"))]
        #[serde(rename = "value.converter", default)]
        value_converter: Option<String>,
        #[schemars(length(min = 1))]
        label: Option<String>,
        #[serde(default)]
        ids: Vec<i32>,
        #[serde(default)]
        tags: HashMap<String, String>,
        #[serde(default)]
        either: Option<Either>,
    }

    #[derive(Debug, PartialEq, serde::Deserialize, schemars::JsonSchema)]
    #[serde(untagged)]
    enum Either {
        Number(u32),
        Text(String),
    }

    fn props(entries: &[(&str, &str)]) -> HashMap<String, String> {
        entries
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn minimal() -> Vec<(&'static str, &'static str)> {
        vec![
            ("topic", "t"),
            ("max.retries", "3"),
            ("fields", "a, b"),
            ("password", "pw"),
            ("ratio", "0.5"),
            ("small", "-1"),
        ]
    }

    fn with(extra: &[(&'static str, &'static str)]) -> HashMap<String, String> {
        let mut all = minimal();
        all.extend_from_slice(extra);
        props(&all)
    }

    fn error(extra: &[(&'static str, &'static str)]) -> String {
        SinkConfig::from_props(&with(extra))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn derives_keys_types_and_requiredness() {
        let def = SinkConfig::config_def();
        let described: Vec<(&str, ConfigType, bool)> = def
            .keys()
            .map(|k| (k.name.as_str(), k.config_type, k.is_required()))
            .collect();
        assert_eq!(
            described,
            [
                ("topic", ConfigType::String, true),
                ("batch.size", ConfigType::Int, false),
                ("max.retries", ConfigType::Int, true),
                ("start.offset", ConfigType::Long, false),
                ("fields", ConfigType::List, true),
                ("password", ConfigType::Password, true),
                ("backup.password", ConfigType::Password, false),
                ("verbose", ConfigType::Boolean, false),
                ("mode", ConfigType::String, false),
                ("kind", ConfigType::String, false),
                ("ratio", ConfigType::Double, true),
                ("small", ConfigType::Short, true),
                ("value.converter", ConfigType::Class, false),
                ("label", ConfigType::String, false),
                ("ids", ConfigType::List, false),
                ("tags", ConfigType::String, false),
                ("either", ConfigType::String, false),
            ]
        );
    }

    #[test]
    fn derives_docs_defaults_and_extensions() {
        let def = SinkConfig::config_def();
        let key = |n: &str| def.config_key(n).unwrap().clone();
        assert_eq!(
            key("topic").documentation.as_deref(),
            Some("Topic to read from.")
        );
        assert_eq!(
            key("batch.size").default_value,
            DefaultValue::Value(ParsedValue::Int(16))
        );
        assert_eq!(
            key("verbose").default_value,
            DefaultValue::Value(ParsedValue::Boolean(false))
        );
        assert_eq!(
            key("mode").default_value,
            DefaultValue::Value(ParsedValue::String("fast".into()))
        );
        assert_eq!(key("start.offset").default_value, DefaultValue::Null);
        assert_eq!(
            key("ids").default_value,
            DefaultValue::Value(ParsedValue::List(vec![]))
        );
        let retries = key("max.retries");
        assert_eq!(retries.importance, Importance::High);
        assert_eq!(retries.group.as_deref(), Some("Retry"));
        assert_eq!(retries.order_in_group, 1);
        assert_eq!(retries.width, Width::Short);
        assert_eq!(retries.display_name.as_deref(), Some("Max retries"));
        assert_eq!(def.groups(), ["Retry"]);
        assert_eq!(
            serde_json::to_string(&key("batch.size").to_info()).unwrap(),
            r#"{"name":"batch.size","type":"INT","required":false,"default_value":"16","importance":"MEDIUM","documentation":"Records per batch.","group":null,"order_in_group":-1,"width":"NONE","display_name":"batch.size","dependents":[]}"#
        );
    }

    #[test]
    fn parses_a_full_config() {
        let config = SinkConfig::from_props(&with(&[
            ("batch.size", "32"),
            ("start.offset", "1000"),
            ("backup.password", " bpw "),
            ("verbose", "TRUE"),
            ("mode", "slow"),
            ("kind", "Second"),
            (
                "value.converter",
                "org.apache.kafka.connect.json.JsonConverter",
            ),
            ("label", "l"),
            ("ids", "1, 2,3"),
            ("tags", r#"{"a":"b"}"#),
            ("unrelated.key", "ignored"),
        ]))
        .unwrap();
        assert_eq!(config.topic, "t");
        assert_eq!(config.batch_size, 32);
        assert_eq!(config.max_retries, 3);
        assert_eq!(config.start_offset, Some(1000));
        assert_eq!(config.fields, ["a", "b"]);
        assert_eq!(config.password.value(), "pw");
        assert_eq!(
            config.backup_password.as_ref().map(Password::value),
            Some("bpw")
        );
        assert!(config.verbose);
        assert_eq!(config.mode, Mode::Slow);
        assert_eq!(config.kind, Some(Documented::Second));
        assert_eq!(config.ratio, 0.5);
        assert_eq!(config.small, -1);
        assert_eq!(
            config.value_converter.as_deref(),
            Some("org.apache.kafka.connect.json.JsonConverter")
        );
        assert_eq!(config.label.as_deref(), Some("l"));
        assert_eq!(config.ids, [1, 2, 3]);
        assert_eq!(
            config.tags,
            HashMap::from([("a".to_owned(), "b".to_owned())])
        );
        assert_eq!(config.either, None);
        let either = |v| {
            SinkConfig::from_props(&with(&[("either", v)]))
                .unwrap()
                .either
        };
        assert_eq!(either("5"), Some(Either::Number(5)));
        assert_eq!(either("five"), Some(Either::Text("five".into())));
    }

    #[test]
    fn defaults_apply_when_absent() {
        let config = SinkConfig::from_props(&with(&[])).unwrap();
        assert_eq!(config.batch_size, 16);
        assert_eq!(config.start_offset, None);
        assert_eq!(config.backup_password, None);
        assert!(!config.verbose);
        assert_eq!(config.mode, Mode::Fast);
        assert_eq!(config.kind, None);
        assert_eq!(config.value_converter, None);
        assert!(config.ids.is_empty() && config.tags.is_empty());
        // BTreeMap input works too.
        let sorted: BTreeMap<String, String> = with(&[]).into_iter().collect();
        assert!(SinkConfig::from_props(&sorted).is_ok());
    }

    #[test]
    fn errors_read_as_apache() {
        assert_eq!(
            SinkConfig::from_props(&props(&[])).unwrap_err().to_string(),
            "Missing required configuration \"topic\" which has no default value."
        );
        assert_eq!(
            error(&[("batch.size", "abc")]),
            "Invalid value abc for configuration batch.size: Not a number of type INT"
        );
        assert_eq!(
            error(&[("batch.size", "70000")]),
            "Invalid value 70000 for configuration batch.size: Value must be no more than 65535"
        );
        assert_eq!(
            error(&[("batch.size", "-1")]),
            "Invalid value -1 for configuration batch.size: Value must be at least 0"
        );
        assert_eq!(
            error(&[("max.retries", "0")]),
            "Invalid value 0 for configuration max.retries: Value must be at least 1"
        );
        assert_eq!(
            error(&[("max.retries", "11")]),
            "Invalid value 11 for configuration max.retries: Value must be no more than 10"
        );
        assert_eq!(error(&[("verbose", "yes")]), "Invalid value yes for configuration verbose: Expected value to be either true or false");
        assert_eq!(
            error(&[("mode", "medium")]),
            "Invalid value medium for configuration mode: String must be one of: fast, slow"
        );
        assert_eq!(
            error(&[("kind", "Third")]),
            "Invalid value Third for configuration kind: String must be one of: First, Second"
        );
        assert_eq!(
            error(&[("label", "")]),
            "Invalid value  for configuration label: String must be non-empty"
        );
        assert_eq!(
            error(&[("small", "200")]),
            "Invalid value 200 for configuration small: Value must be no more than 127"
        );
        assert_eq!(
            error(&[("ids", "1,x")]),
            "Invalid value x for configuration ids: Not a number of type LONG"
        );
        assert!(error(&[("tags", "{")])
            .starts_with("Invalid value { for configuration tags: Not valid JSON: "));
        // Out of the target type's range after passing every check: serde's own message.
        assert!(error(&[("ids", "1,99999999999")]).contains("99999999999"));
    }

    #[test]
    fn validate_works_on_derived_definitions() {
        let results = SinkConfig::config_def().validate_all(&props(&[("batch.size", "x")]));
        assert_eq!(
            results["topic"].error_messages,
            ["Missing required configuration \"topic\" which has no default value."]
        );
        assert_eq!(results["batch.size"].error_messages.len(), 2);
        // Optional keys with bounds accept their absence.
        assert!(results["start.offset"].error_messages.is_empty());
        assert!(results["label"].error_messages.is_empty());
    }

    #[test]
    fn debug_of_parsed_struct_hides_passwords() {
        let config = SinkConfig::from_props(&with(&[("backup.password", "other-secret")])).unwrap();
        let debug = format!("{config:?}");
        assert!(
            !debug.contains("other-secret") && debug.contains("[hidden]"),
            "{debug}"
        );
    }

    #[test]
    fn non_struct_types_have_empty_definitions() {
        assert!(String::config_def().is_empty());
        assert!(String::from_props(&props(&[])).is_err());
    }
}
