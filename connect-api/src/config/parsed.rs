//! [`ParsedConfig`]: a raw configuration parsed against a [`ConfigDef`], with typed getters
//! (Java's `AbstractConfig`).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;
use std::sync::{Mutex, PoisonError};

use super::def::parse_value;
use super::{ConfigDef, ConfigError, ConfigProps, ConfigType, ParsedValue, ParsedValues, Password};

/// A configuration parsed and validated against its definition (Java's `AbstractConfig`): the
/// original strings, the typed values, and which keys were read.
///
/// Getters fail, rather than panic, on an unknown key (`Unknown configuration '<key>'`, as Java),
/// on a key of another type, and (for the non-`optional` getters) on a null value.
///
/// `Debug` shows the typed values (passwords `[hidden]`) and only the names of the originals, so
/// a secret under a key nobody defines cannot leak either.
///
/// ```
/// use std::collections::HashMap;
/// use connect_api::config::{ConfigDef, ConfigKey, ConfigType, ParsedConfig};
///
/// let def = ConfigDef::new()
///     .define(ConfigKey::new("topic", ConfigType::String))
///     .define(ConfigKey::new("batch.size", ConfigType::Int).default_value(100));
/// let props = HashMap::from([("topic".to_owned(), "logs".to_owned()), ("extra".to_owned(), "1".to_owned())]);
/// let config = ParsedConfig::new(&def, &props)?;
/// assert_eq!(config.get_string("topic")?, "logs");
/// assert_eq!(config.get_int("batch.size")?, 100);
/// assert_eq!(config.unused(), ["extra".to_owned()].into());
/// assert!(config.get_int("topic").is_err());
/// # Ok::<(), connect_api::config::ConfigError>(())
/// ```
pub struct ParsedConfig {
    definition: ConfigDef,
    originals: HashMap<String, String>,
    values: ParsedValues,
    /// Keys read through a getter; a lock because getters take `&self` and the config is shared
    /// between threads.
    used: Mutex<HashSet<String>>,
}

impl ParsedConfig {
    /// Parses and validates `props` against `definition` (Java's `AbstractConfig` constructor).
    /// Fails with the first error, worded as Java's. Null values in `props` are parsed as null and
    /// are not kept among the originals.
    pub fn new(
        definition: &ConfigDef,
        props: &(impl ConfigProps + ?Sized),
    ) -> Result<Self, ConfigError> {
        let values = definition.parse(props)?;
        let originals = props
            .entries()
            .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v.to_owned())))
            .collect();
        Ok(ParsedConfig {
            definition: definition.clone(),
            originals,
            values,
            used: Mutex::new(HashSet::new()),
        })
    }

    /// The definition this configuration was parsed with.
    pub fn definition(&self) -> &ConfigDef {
        &self.definition
    }

    /// The parsed value of `key` (`None` for null), marking the key used.
    pub fn get(&self, key: &str) -> Result<Option<&ParsedValue>, ConfigError> {
        let value = self.values.get(key).ok_or_else(|| {
            ConfigError::other(Some(key), format!("Unknown configuration '{key}'"))
        })?;
        self.mark_used(key);
        Ok(value.as_ref())
    }

    /// Marks `key` used without reading it (Java's `ignore`).
    pub fn ignore(&self, key: &str) {
        self.mark_used(key);
    }

    fn mark_used(&self, key: &str) {
        // A poisoned lock only means another thread panicked mid-insert; the set is still usable.
        self.used
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.to_owned());
    }

    /// Reads `key`, converting with `pick`; errors name the expected type.
    fn typed<'a, T>(
        &'a self,
        key: &str,
        expected: ConfigType,
        pick: impl FnOnce(&'a ParsedValue) -> Option<T>,
    ) -> Result<Option<T>, ConfigError> {
        match self.get(key)? {
            None => Ok(None),
            Some(value) => pick(value).map(Some).ok_or_else(|| {
                ConfigError::other(
                    Some(key),
                    format!(
                        "Configuration '{key}' is of type {}, not {expected}",
                        value.config_type()
                    ),
                )
            }),
        }
    }

    /// Reads `key`, failing on null.
    fn required<'a, T>(
        &'a self,
        key: &str,
        expected: ConfigType,
        pick: impl FnOnce(&'a ParsedValue) -> Option<T>,
    ) -> Result<T, ConfigError> {
        self.typed(key, expected, pick)?.ok_or_else(|| {
            ConfigError::other(Some(key), format!("Configuration '{key}' has no value"))
        })
    }

    /// A `BOOLEAN` value.
    pub fn get_bool(&self, key: &str) -> Result<bool, ConfigError> {
        self.required(key, ConfigType::Boolean, ParsedValue::as_bool)
    }

    /// A `SHORT` value.
    pub fn get_short(&self, key: &str) -> Result<i16, ConfigError> {
        self.required(key, ConfigType::Short, |v| match v {
            ParsedValue::Short(n) => Some(*n),
            _ => None,
        })
    }

    /// An `INT` value.
    pub fn get_int(&self, key: &str) -> Result<i32, ConfigError> {
        self.required(key, ConfigType::Int, |v| match v {
            ParsedValue::Int(n) => Some(*n),
            _ => None,
        })
    }

    /// A `LONG` value.
    pub fn get_long(&self, key: &str) -> Result<i64, ConfigError> {
        self.required(key, ConfigType::Long, |v| match v {
            ParsedValue::Long(n) => Some(*n),
            _ => None,
        })
    }

    /// A `DOUBLE` value.
    pub fn get_double(&self, key: &str) -> Result<f64, ConfigError> {
        self.required(key, ConfigType::Double, |v| match v {
            ParsedValue::Double(d) => Some(*d),
            _ => None,
        })
    }

    /// A `STRING` value; fails if null.
    pub fn get_string(&self, key: &str) -> Result<&str, ConfigError> {
        self.required(key, ConfigType::String, as_string)
    }

    /// A `STRING` value that may be null.
    pub fn get_optional_string(&self, key: &str) -> Result<Option<&str>, ConfigError> {
        self.typed(key, ConfigType::String, as_string)
    }

    /// A `LIST` value; fails if null.
    pub fn get_list(&self, key: &str) -> Result<&[String], ConfigError> {
        self.required(key, ConfigType::List, ParsedValue::as_list)
    }

    /// A `LIST` value that may be null.
    pub fn get_optional_list(&self, key: &str) -> Result<Option<&[String]>, ConfigError> {
        self.typed(key, ConfigType::List, ParsedValue::as_list)
    }

    /// A `CLASS` value (the class name); fails if null.
    pub fn get_class(&self, key: &str) -> Result<&str, ConfigError> {
        self.required(key, ConfigType::Class, as_class)
    }

    /// A `CLASS` value that may be null.
    pub fn get_optional_class(&self, key: &str) -> Result<Option<&str>, ConfigError> {
        self.typed(key, ConfigType::Class, as_class)
    }

    /// A `PASSWORD` value; fails if null.
    pub fn get_password(&self, key: &str) -> Result<&Password, ConfigError> {
        self.required(key, ConfigType::Password, ParsedValue::as_password)
    }

    /// A `PASSWORD` value that may be null.
    pub fn get_optional_password(&self, key: &str) -> Result<Option<&Password>, ConfigError> {
        self.typed(key, ConfigType::Password, ParsedValue::as_password)
    }

    /// The type of `key`, if defined (Java's `typeOf`).
    pub fn type_of(&self, key: &str) -> Option<ConfigType> {
        self.definition.config_key(key).map(|k| k.config_type)
    }

    /// The documentation of `key`, if defined and documented (Java's `documentationOf`).
    pub fn documentation_of(&self, key: &str) -> Option<&str> {
        self.definition
            .config_key(key)
            .and_then(|k| k.documentation.as_deref())
    }

    /// Every parsed value, in definition order. Unlike Java's recording map, reading these does
    /// not mark keys used.
    pub fn values(&self) -> &ParsedValues {
        &self.values
    }

    /// The parsed values of keys not marked internal (Java's `nonInternalValues`).
    pub fn non_internal_values(&self) -> ParsedValues {
        self.values
            .iter()
            .filter(|(k, _)| {
                !self
                    .definition
                    .config_key(k)
                    .is_some_and(|key| key.internal)
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// The configuration as given, defined or not (Java's `originals`).
    pub fn originals(&self) -> &HashMap<String, String> {
        &self.originals
    }

    /// The original entries whose key starts with, and is longer than, `prefix`, with the prefix
    /// removed if `strip` (Java's `originalsWithPrefix`).
    pub fn originals_with_prefix(&self, prefix: &str, strip: bool) -> HashMap<String, String> {
        self.originals
            .iter()
            .filter_map(|(k, v)| {
                let rest = k.strip_prefix(prefix).filter(|rest| !rest.is_empty())?;
                Some((if strip { rest } else { k }.to_owned(), v.clone()))
            })
            .collect()
    }

    /// Every parsed value, overridden by entries under `prefix` (Java's
    /// `valuesWithPrefixOverride`): `<prefix><key>` overrides `<key>`, parsed with `<key>`'s
    /// definition. For `<prefix><x>.<key>` (e.g. a per-mechanism setting) where `<x>.<key>` is
    /// not defined but `<key>` is, the value is added as `<x>.<key>`. Other entries are ignored.
    pub fn values_with_prefix_override(&self, prefix: &str) -> Result<ParsedValues, ConfigError> {
        let mut result = self.values.clone();
        for (key, raw) in sorted(&self.originals) {
            let Some(unprefixed) = key.strip_prefix(prefix).filter(|rest| !rest.is_empty()) else {
                continue;
            };
            if let Some(config_key) = self.definition.config_key(unprefixed) {
                result.insert(
                    unprefixed.to_owned(),
                    parse_value(config_key, Some(Some(raw)))?,
                );
            } else {
                // Java: keyWithNoPrefix.substring(keyWithNoPrefix.indexOf('.') + 1).
                let secondary = unprefixed
                    .split_once('.')
                    .map_or(unprefixed, |(_, rest)| rest);
                if let Some(config_key) = self.definition.config_key(secondary) {
                    result.insert(
                        unprefixed.to_owned(),
                        parse_value(config_key, Some(Some(raw)))?,
                    );
                }
            }
        }
        Ok(result)
    }

    /// If any original key starts with `prefix`, only the prefixed entries whose unprefixed key is
    /// defined, parsed; otherwise every parsed value (Java's `valuesWithPrefixAllOrNothing`).
    pub fn values_with_prefix_all_or_nothing(
        &self,
        prefix: &str,
    ) -> Result<ParsedValues, ConfigError> {
        let with_prefix = self.originals_with_prefix(prefix, true);
        if with_prefix.is_empty() {
            return Ok(self.values.clone());
        }
        let mut result = ParsedValues::new();
        for (key, raw) in sorted(&with_prefix) {
            if let Some(config_key) = self.definition.config_key(key) {
                result.insert(key.clone(), parse_value(config_key, Some(Some(raw)))?);
            }
        }
        Ok(result)
    }

    /// Original keys never read through a getter or [`ParsedConfig::ignore`] (Java's `unused`).
    pub fn unused(&self) -> BTreeSet<String> {
        let used = self.used.lock().unwrap_or_else(PoisonError::into_inner);
        self.originals
            .keys()
            .filter(|k| !used.contains(*k))
            .cloned()
            .collect()
    }

    /// Original keys that the definition does not define.
    pub fn unknown(&self) -> BTreeSet<String> {
        self.originals
            .keys()
            .filter(|k| !self.definition.contains(k))
            .cloned()
            .collect()
    }
}

/// Entries sorted by key, so that results (and which error comes first) do not depend on hash
/// order.
fn sorted(map: &HashMap<String, String>) -> Vec<(&String, &str)> {
    let mut entries: Vec<(&String, &str)> = map.iter().map(|(k, v)| (k, v.as_str())).collect();
    entries.sort();
    entries
}

fn as_string(value: &ParsedValue) -> Option<&str> {
    match value {
        ParsedValue::String(s) => Some(s),
        _ => None,
    }
}

fn as_class(value: &ParsedValue) -> Option<&str> {
    match value {
        ParsedValue::Class(s) => Some(s),
        _ => None,
    }
}

impl Clone for ParsedConfig {
    fn clone(&self) -> Self {
        ParsedConfig {
            definition: self.definition.clone(),
            originals: self.originals.clone(),
            values: self.values.clone(),
            used: Mutex::new(
                self.used
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .clone(),
            ),
        }
    }
}

impl fmt::Debug for ParsedConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut original_keys: Vec<&String> = self.originals.keys().collect();
        original_keys.sort();
        f.debug_struct("ParsedConfig")
            .field("values", &self.values)
            .field("original_keys", &original_keys)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ConfigKey;

    fn props(entries: &[(&str, &str)]) -> HashMap<String, String> {
        entries
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn def() -> ConfigDef {
        ConfigDef::new()
            .define(ConfigKey::new("b", ConfigType::Boolean).default_value(false))
            .define(ConfigKey::new("s", ConfigType::String).default_value("x"))
            .define(ConfigKey::new("ns", ConfigType::String).default_null())
            .define(ConfigKey::new("i", ConfigType::Int).default_value(1))
            .define(ConfigKey::new("sh", ConfigType::Short).default_value(2))
            .define(ConfigKey::new("l", ConfigType::Long).default_value(3))
            .define(ConfigKey::new("d", ConfigType::Double).default_value(4.0))
            .define(ConfigKey::new("li", ConfigType::List).default_value("a,b"))
            .define(ConfigKey::new("c", ConfigType::Class).default_value("org.C"))
            .define(ConfigKey::new("p", ConfigType::Password).default_null())
            .define(
                ConfigKey::new("internal", ConfigType::Int)
                    .default_value(0)
                    .internal(),
            )
    }

    #[test]
    fn typed_getters() {
        let config = ParsedConfig::new(&def(), &props(&[("p", "secret"), ("b", "true")])).unwrap();
        assert!(config.get_bool("b").unwrap());
        assert_eq!(config.get_string("s").unwrap(), "x");
        assert_eq!(config.get_optional_string("ns").unwrap(), None);
        assert_eq!(config.get_int("i").unwrap(), 1);
        assert_eq!(config.get_short("sh").unwrap(), 2);
        assert_eq!(config.get_long("l").unwrap(), 3);
        assert_eq!(config.get_double("d").unwrap(), 4.0);
        assert_eq!(config.get_list("li").unwrap(), ["a", "b"]);
        assert_eq!(
            config.get_optional_list("li").unwrap().map(<[String]>::len),
            Some(2)
        );
        assert_eq!(config.get_class("c").unwrap(), "org.C");
        assert_eq!(config.get_optional_class("c").unwrap(), Some("org.C"));
        assert_eq!(config.get_password("p").unwrap().value(), "secret");
        assert!(config.get_optional_password("p").unwrap().is_some());
        assert_eq!(config.type_of("li"), Some(ConfigType::List));
        assert_eq!(config.type_of("zz"), None);
        assert_eq!(config.documentation_of("li"), None);
    }

    #[test]
    fn getters_fail_instead_of_panicking() {
        let config = ParsedConfig::new(&def(), &props(&[])).unwrap();
        assert_eq!(
            config.get_int("nope").unwrap_err().to_string(),
            "Unknown configuration 'nope'"
        );
        assert_eq!(
            config.get_int("s").unwrap_err().to_string(),
            "Configuration 's' is of type STRING, not INT"
        );
        assert_eq!(
            config.get_string("ns").unwrap_err().to_string(),
            "Configuration 'ns' has no value"
        );
        assert_eq!(
            config.get_string("c").unwrap_err().to_string(),
            "Configuration 'c' is of type CLASS, not STRING"
        );
        assert!(config.get_password("p").is_err());
    }

    #[test]
    fn parse_errors_surface_from_new() {
        assert_eq!(
            ParsedConfig::new(&def(), &props(&[("i", "x")]))
                .unwrap_err()
                .to_string(),
            "Invalid value x for configuration i: Not a number of type INT"
        );
    }

    #[test]
    fn unused_and_unknown_keys() {
        let config =
            ParsedConfig::new(&def(), &props(&[("i", "5"), ("s", "y"), ("stray", "1")])).unwrap();
        assert_eq!(config.unknown(), BTreeSet::from(["stray".to_owned()]));
        assert_eq!(
            config.unused(),
            BTreeSet::from(["i".to_owned(), "s".to_owned(), "stray".to_owned()])
        );
        config.get_int("i").unwrap();
        config.ignore("stray");
        assert_eq!(config.unused(), BTreeSet::from(["s".to_owned()]));
        assert_eq!(config.clone().unused(), BTreeSet::from(["s".to_owned()]));
    }

    #[test]
    fn originals_with_prefix() {
        let config = ParsedConfig::new(
            &def(),
            &props(&[
                ("producer.acks", "all"),
                ("producer.", "x"),
                ("consumer.x", "1"),
            ]),
        )
        .unwrap();
        assert_eq!(config.originals().len(), 3);
        assert_eq!(
            config.originals_with_prefix("producer.", true),
            props(&[("acks", "all")])
        );
        assert_eq!(
            config.originals_with_prefix("producer.", false),
            props(&[("producer.acks", "all")])
        );
    }

    #[test]
    fn values_with_prefix_override() {
        let config = ParsedConfig::new(
            &def(),
            &props(&[
                ("i", "1"),
                ("listener.i", "9"),
                ("listener.plain.l", "7"),
                ("listener.zz", "x"),
            ]),
        )
        .unwrap();
        let values = config.values_with_prefix_override("listener.").unwrap();
        assert_eq!(values["i"], Some(ParsedValue::Int(9)));
        assert_eq!(values["plain.l"], Some(ParsedValue::Long(7)));
        assert_eq!(values["l"], Some(ParsedValue::Long(3)));
        assert!(!values.contains_key("zz"));
        let bad = ParsedConfig::new(&def(), &props(&[("listener.i", "x")])).unwrap();
        assert_eq!(
            bad.values_with_prefix_override("listener.")
                .unwrap_err()
                .to_string(),
            "Invalid value x for configuration i: Not a number of type INT"
        );
    }

    #[test]
    fn values_with_prefix_all_or_nothing() {
        let config =
            ParsedConfig::new(&def(), &props(&[("i", "1"), ("p1.i", "2"), ("p1.zz", "3")]))
                .unwrap();
        let values = config.values_with_prefix_all_or_nothing("p1.").unwrap();
        assert_eq!(values.len(), 1);
        assert_eq!(values["i"], Some(ParsedValue::Int(2)));
        assert_eq!(
            config
                .values_with_prefix_all_or_nothing("p2.")
                .unwrap()
                .len(),
            def().len()
        );
    }

    #[test]
    fn non_internal_values_skip_internal_keys() {
        let config = ParsedConfig::new(&def(), &props(&[])).unwrap();
        assert!(config.values().contains_key("internal"));
        assert!(!config.non_internal_values().contains_key("internal"));
    }

    #[test]
    fn debug_never_reveals_secrets() {
        let config = ParsedConfig::new(
            &def(),
            &props(&[
                ("p", "hunter2"),
                ("producer.override.sasl.jaas.config", "hunter3"),
            ]),
        )
        .unwrap();
        let debug = format!("{config:?}");
        assert!(
            !debug.contains("hunter2") && !debug.contains("hunter3"),
            "{debug}"
        );
        assert!(debug.contains("[hidden]") && debug.contains("producer.override.sasl.jaas.config"));
        fn check<T: Send + Sync + Clone>() {}
        check::<ParsedConfig>();
    }
}
