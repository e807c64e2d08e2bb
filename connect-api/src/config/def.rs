//! [`ConfigDef`]: the set of keys a plugin accepts (Java's `ConfigDef`), and parsing a raw
//! configuration against it.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use indexmap::IndexMap;

use super::parse::{coerce, parse_type};
use super::recommender::EmbeddedRecommender;
use super::validators::EmbeddedValidator;
use super::{
    ConfigError, ConfigKey, ConfigProps, ConfigType, DefaultValue, ParsedValue, ParsedValues,
};

/// The keys a connector, task, converter or transformation accepts, in definition order
/// (Java's `ConfigDef`).
///
/// ```
/// use std::collections::HashMap;
/// use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance, ParsedValue, Range};
///
/// let def = ConfigDef::new()
///     .define(ConfigKey::new("topic", ConfigType::String).importance(Importance::High).doc("Topic to write to."))
///     .define(ConfigKey::new("batch.size", ConfigType::Int).default_value(100).validator(Range::at_least(1)));
///
/// let props = HashMap::from([("topic".to_owned(), " logs ".to_owned())]);
/// let values = def.parse(&props)?;
/// assert_eq!(values["topic"], Some(ParsedValue::String("logs".into())));
/// assert_eq!(values["batch.size"], Some(ParsedValue::Int(100)));
///
/// let bad = HashMap::from([("topic".to_owned(), "t".to_owned()), ("batch.size".to_owned(), "abc".to_owned())]);
/// assert_eq!(
///     def.parse(&bad).unwrap_err().to_string(),
///     "Invalid value abc for configuration batch.size: Not a number of type INT"
/// );
/// # Ok::<(), connect_api::config::ConfigError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct ConfigDef {
    keys: IndexMap<String, ConfigKey>,
    /// Group names in order of first appearance.
    groups: Vec<String>,
}

impl ConfigDef {
    /// An empty definition.
    pub fn new() -> Self {
        ConfigDef::default()
    }

    /// Adds a key (Java's `define`). Meant for definitions written in code, where a mistake is a
    /// bug; use [`ConfigDef::try_define`] for keys built from input.
    ///
    /// # Panics
    ///
    /// If the key is already defined, or its default cannot be converted to its type or fails
    /// its validator (Java throws a `ConfigException` in these cases).
    #[must_use]
    pub fn define(self, key: ConfigKey) -> Self {
        match self.try_define(key) {
            Ok(def) => def,
            Err(e) => panic!("invalid config definition: {e}"),
        }
    }

    /// Adds a key, or fails with Java's messages: `Configuration <name> is defined twice.`, or the
    /// default's parse or validation error.
    pub fn try_define(mut self, mut key: ConfigKey) -> Result<Self, ConfigError> {
        if self.keys.contains_key(&key.name) {
            return Err(ConfigError::other(
                Some(&key.name),
                format!("Configuration {} is defined twice.", key.name),
            ));
        }
        // As Java's ConfigKey constructor: the default is parsed to the key's type, then validated
        // (a null default too; only "no default" skips the validator).
        key.default_value = match std::mem::take(&mut key.default_value) {
            DefaultValue::Value(value) => {
                DefaultValue::Value(coerce(&key.name, value, key.config_type)?)
            }
            other => other,
        };
        if let (Some(validator), true) = (&key.validator, key.has_default()) {
            validator.ensure_valid(&key.name, key.default_value.value())?;
        }
        if let Some(group) = &key.group {
            if !self.groups.contains(group) {
                self.groups.push(group.clone());
            }
        }
        self.keys.insert(key.name.clone(), key);
        Ok(self)
    }

    /// This definition plus every key of `other`; a key defined in both takes `other`'s
    /// definition in this one's position (as Java's `Map.putAll` on `configKeys()`, which the
    /// herder uses to merge a connector's keys over the framework's). Groups are merged in order.
    #[must_use]
    pub fn with(mut self, other: &ConfigDef) -> Self {
        for (name, key) in &other.keys {
            self.keys.insert(name.clone(), key.clone());
        }
        for group in &other.groups {
            if !self.groups.contains(group) {
                self.groups.push(group.clone());
            }
        }
        self
    }

    /// Adds every key of `child` with `key_prefix` before its name (Java's `embed`), in `child`'s
    /// documentation order: each key's group becomes `group_prefix` or `"<group_prefix>: <group>"`,
    /// its order in group counts up from `starting_ord`, its dependents are prefixed, and its
    /// validator and recommender see names without the prefix. This is how the runtime adds the
    /// keys of each transformation alias (`transforms.<alias>.*`).
    pub fn embed(
        mut self,
        key_prefix: &str,
        group_prefix: &str,
        starting_ord: i32,
        child: &ConfigDef,
    ) -> Result<Self, ConfigError> {
        for (order, key) in (starting_ord..).zip(child.sorted_keys()) {
            let mut embedded = key.clone();
            embedded.name = format!("{key_prefix}{}", key.name);
            embedded.validator = key.validator.clone().map(|base| {
                Arc::new(EmbeddedValidator {
                    prefix: key_prefix.to_owned(),
                    base,
                }) as _
            });
            embedded.recommender = key.recommender.clone().map(|base| {
                Arc::new(EmbeddedRecommender {
                    prefix: key_prefix.to_owned(),
                    base,
                }) as _
            });
            embedded.group = Some(match &key.group {
                Some(group) => format!("{group_prefix}: {group}"),
                None => group_prefix.to_owned(),
            });
            embedded.order_in_group = order;
            embedded.dependents = key
                .dependents
                .iter()
                .map(|d| format!("{key_prefix}{d}"))
                .collect();
            self = self.try_define(embedded)?;
        }
        Ok(self)
    }

    /// The keys by name, in definition order (Java's `configKeys()`).
    pub fn config_keys(&self) -> &IndexMap<String, ConfigKey> {
        &self.keys
    }

    /// The definition of `name`, if defined.
    pub fn config_key(&self, name: &str) -> Option<&ConfigKey> {
        self.keys.get(name)
    }

    /// The keys in definition order.
    pub fn keys(&self) -> impl Iterator<Item = &ConfigKey> + '_ {
        self.keys.values()
    }

    /// The key names in definition order (Java's `names()`).
    pub fn names(&self) -> impl Iterator<Item = &str> + '_ {
        self.keys.keys().map(String::as_str)
    }

    /// The group names in order of first appearance (Java's `groups()`).
    pub fn groups(&self) -> &[String] {
        &self.groups
    }

    /// Whether `name` is defined.
    pub fn contains(&self, name: &str) -> bool {
        self.keys.contains_key(name)
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no key is defined.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The defaults of every key that has one, null defaults included (Java's `defaultValues()`).
    pub fn default_values(&self) -> ParsedValues {
        self.keys
            .values()
            .filter(|k| k.has_default())
            .map(|k| (k.name.clone(), k.default_value.value().cloned()))
            .collect()
    }

    /// The keys in documentation order (Java's `sortedConfigs()`): by group (ungrouped first, then
    /// groups in order of appearance), order in group, required before optional, importance, name.
    pub fn sorted_keys(&self) -> Vec<&ConfigKey> {
        let group_ord: HashMap<&str, usize> = self
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| (g.as_str(), i))
            .collect();
        let group_rank = |k: &ConfigKey| k.group.as_deref().map(|g| group_ord.get(g).copied());
        let mut keys: Vec<&ConfigKey> = self.keys.values().collect();
        keys.sort_by(|a, b| {
            let by_group = match (group_rank(a), group_rank(b)) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (Some(x), Some(y)) => x.cmp(&y),
            };
            by_group
                .then(a.order_in_group.cmp(&b.order_in_group))
                .then(a.has_default().cmp(&b.has_default()))
                .then(a.importance.cmp(&b.importance))
                .then_with(|| a.name.cmp(&b.name))
        });
        keys
    }

    /// Parses and validates `props` against every key (Java's `parse`): a set key is parsed as
    /// its type, an absent one takes its default or fails as missing, and the validator runs.
    /// Keys nobody defines are ignored. Fails with the first error in definition order.
    pub fn parse(&self, props: &(impl ConfigProps + ?Sized)) -> Result<ParsedValues, ConfigError> {
        let undefined = self.undefined_dependents();
        if !undefined.is_empty() {
            // Java's message, typo included.
            return Err(ConfigError::other(
                None,
                format!(
                    "Some configurations in are referred in the dependents, but not defined: {}",
                    undefined.join(",")
                ),
            ));
        }
        self.keys
            .values()
            .map(|key| Ok((key.name.clone(), parse_value(key, props.lookup(&key.name))?)))
            .collect()
    }

    /// Parses a raw string as `config_type` (Java's static `ConfigDef.parseType`); see
    /// [`ConfigType`] for the rules. `name` is only used in the error message.
    pub fn parse_type(
        name: &str,
        value: &str,
        config_type: ConfigType,
    ) -> Result<ParsedValue, ConfigError> {
        parse_type(name, value, config_type)
    }

    /// Dependents that name undefined keys, in definition order, without duplicates.
    pub(crate) fn undefined_dependents(&self) -> Vec<String> {
        let mut undefined: Vec<String> = Vec::new();
        for dependent in self.keys.values().flat_map(|k| &k.dependents) {
            if !self.keys.contains_key(dependent) && !undefined.contains(dependent) {
                undefined.push(dependent.clone());
            }
        }
        undefined
    }
}

/// Parses one key's raw value (Java's `parseValue`): `raw` is `None` when the key is absent and
/// `Some(None)` when it is present with a null value. Runs the validator on the result.
pub(crate) fn parse_value(
    key: &ConfigKey,
    raw: Option<Option<&str>>,
) -> Result<Option<ParsedValue>, ConfigError> {
    let value = match raw {
        Some(Some(raw)) => Some(parse_type(&key.name, raw, key.config_type)?),
        Some(None) => None,
        None => match &key.default_value {
            DefaultValue::NoDefault => return Err(ConfigError::missing(&key.name)),
            DefaultValue::Null => None,
            DefaultValue::Value(value) => Some(value.clone()),
        },
    };
    if let Some(validator) = &key.validator {
        validator.ensure_valid(&key.name, value.as_ref())?;
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::config::{Importance, Password, Range, ValidString, Width};

    fn props(entries: &[(&str, &str)]) -> HashMap<String, String> {
        entries
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn every_type() -> ConfigDef {
        ConfigDef::new()
            .define(ConfigKey::new("b", ConfigType::Boolean))
            .define(ConfigKey::new("s", ConfigType::String))
            .define(ConfigKey::new("i", ConfigType::Int))
            .define(ConfigKey::new("sh", ConfigType::Short))
            .define(ConfigKey::new("l", ConfigType::Long))
            .define(ConfigKey::new("d", ConfigType::Double))
            .define(ConfigKey::new("li", ConfigType::List))
            .define(ConfigKey::new("c", ConfigType::Class))
            .define(ConfigKey::new("p", ConfigType::Password))
    }

    #[test]
    fn parses_every_type() {
        let values = every_type()
            .parse(&props(&[
                ("b", "TRUE"),
                ("s", " text "),
                ("i", "-1"),
                ("sh", "2"),
                ("l", "3"),
                ("d", "4.5"),
                ("li", "x, y"),
                ("c", "org.Foo"),
                ("p", "pw"),
                ("unknown", "ignored"),
            ]))
            .unwrap();
        let expected: Vec<ParsedValue> = vec![
            true.into(),
            "text".into(),
            (-1).into(),
            2i16.into(),
            3i64.into(),
            4.5.into(),
            vec!["x", "y"].into(),
            ParsedValue::Class("org.Foo".into()),
            Password::new("pw").into(),
        ];
        assert_eq!(
            values.values().cloned().collect::<Vec<_>>(),
            expected.into_iter().map(Some).collect::<Vec<_>>()
        );
        assert_eq!(
            values.keys().collect::<Vec<_>>(),
            ["b", "s", "i", "sh", "l", "d", "li", "c", "p"]
        );
    }

    #[test]
    fn parse_errors_use_apache_messages() {
        let def = ConfigDef::new()
            .define(ConfigKey::new("batch.size", ConfigType::Int).default_value(1))
            .define(ConfigKey::new("x", ConfigType::String));
        assert_eq!(
            def.parse(&props(&[("x", "v"), ("batch.size", "abc")]))
                .unwrap_err()
                .to_string(),
            "Invalid value abc for configuration batch.size: Not a number of type INT"
        );
        assert_eq!(
            def.parse(&props(&[])).unwrap_err().to_string(),
            "Missing required configuration \"x\" which has no default value."
        );
        assert_eq!(
            def.parse(&props(&[])).unwrap_err(),
            ConfigError::missing("x")
        );
    }

    #[test]
    fn defaults_fill_absent_keys_and_null_is_allowed() {
        let def = ConfigDef::new()
            .define(ConfigKey::new("l", ConfigType::Long).default_value(5))
            .define(ConfigKey::new("s", ConfigType::String).default_value("  padded "))
            .define(ConfigKey::new("d", ConfigType::Double).default_value("0.5"))
            .define(ConfigKey::new("n", ConfigType::Class).default_null())
            .define(ConfigKey::new("li", ConfigType::List).default_value(""));
        let values = def.parse(&BTreeMap::<String, String>::new()).unwrap();
        assert_eq!(values["l"], Some(ParsedValue::Long(5)));
        assert_eq!(values["s"], Some(ParsedValue::String("padded".into())));
        assert_eq!(values["d"], Some(ParsedValue::Double(0.5)));
        assert_eq!(values["n"], None);
        assert_eq!(values["li"], Some(ParsedValue::List(vec![])));
        assert_eq!(def.default_values().len(), 5);
        // A key present with a null value parses as null rather than "missing".
        let nullable = BTreeMap::from([("req".to_owned(), None::<String>)]);
        let def = ConfigDef::new().define(ConfigKey::new("req", ConfigType::String));
        assert_eq!(def.parse(&nullable).unwrap()["req"], None);
    }

    #[test]
    fn validators_run_on_set_and_default_values() {
        let def = ConfigDef::new().define(
            ConfigKey::new("tasks.max", ConfigType::Int)
                .default_value(1)
                .validator(Range::at_least(1)),
        );
        assert_eq!(
            def.parse(&props(&[("tasks.max", "0")]))
                .unwrap_err()
                .to_string(),
            "Invalid value 0 for configuration tasks.max: Value must be at least 1"
        );
        let bad_default = ConfigDef::new().try_define(
            ConfigKey::new("m", ConfigType::String)
                .default_value("c")
                .validator(ValidString::in_list(["a", "b"])),
        );
        assert_eq!(
            bad_default.unwrap_err().to_string(),
            "Invalid value c for configuration m: String must be one of: a, b"
        );
        let unparseable =
            ConfigDef::new().try_define(ConfigKey::new("n", ConfigType::Int).default_value("x"));
        assert_eq!(
            unparseable.unwrap_err().to_string(),
            "Invalid value x for configuration n: Not a number of type INT"
        );
    }

    #[test]
    fn defining_twice_fails() {
        let def = ConfigDef::new().define(ConfigKey::new("a", ConfigType::String));
        assert_eq!(
            def.try_define(ConfigKey::new("a", ConfigType::Int))
                .unwrap_err()
                .to_string(),
            "Configuration a is defined twice."
        );
    }

    #[test]
    #[should_panic(expected = "Configuration a is defined twice.")]
    fn define_panics_on_programmer_errors() {
        let _ = ConfigDef::new()
            .define(ConfigKey::new("a", ConfigType::String))
            .define(ConfigKey::new("a", ConfigType::String));
    }

    #[test]
    fn undefined_dependents_fail_parsing() {
        let def = ConfigDef::new().define(
            ConfigKey::new("a", ConfigType::String)
                .default_null()
                .dependents(["b", "c"]),
        );
        assert_eq!(
            def.parse(&props(&[])).unwrap_err().to_string(),
            "Some configurations in are referred in the dependents, but not defined: b,c"
        );
    }

    #[test]
    fn names_groups_and_order() {
        let def = ConfigDef::new()
            .define(ConfigKey::new("z", ConfigType::String).group("G1"))
            .define(ConfigKey::new("a", ConfigType::String).group("G2"))
            .define(ConfigKey::new("m", ConfigType::String).group("G1"))
            .define(ConfigKey::new("free", ConfigType::String));
        assert_eq!(def.names().collect::<Vec<_>>(), ["z", "a", "m", "free"]);
        assert_eq!(def.groups(), ["G1", "G2"]);
        assert_eq!(def.len(), 4);
        assert!(def.contains("m") && !def.contains("q") && !def.is_empty());
        assert_eq!(def.config_key("a").map(|k| k.name.as_str()), Some("a"));
    }

    #[test]
    fn sorted_keys_follow_java() {
        let def = ConfigDef::new()
            .define(ConfigKey::new("g2", ConfigType::String).group("B"))
            .define(
                ConfigKey::new("g1.second", ConfigType::String)
                    .group("A")
                    .order_in_group(2),
            )
            .define(
                ConfigKey::new("g1.first", ConfigType::String)
                    .group("A")
                    .order_in_group(1),
            )
            .define(
                ConfigKey::new("low", ConfigType::String)
                    .default_null()
                    .importance(Importance::Low),
            )
            .define(
                ConfigKey::new("high", ConfigType::String)
                    .default_null()
                    .importance(Importance::High),
            )
            .define(ConfigKey::new("required", ConfigType::String).importance(Importance::Low))
            .define(
                ConfigKey::new("b.high", ConfigType::String)
                    .default_null()
                    .importance(Importance::High),
            );
        let order: Vec<&str> = def
            .sorted_keys()
            .into_iter()
            .map(|k| k.name.as_str())
            .collect();
        // Ungrouped first (required, then by importance and name), then groups in order of appearance.
        assert_eq!(
            order,
            [
                "required",
                "b.high",
                "high",
                "low",
                "g2",
                "g1.first",
                "g1.second"
            ]
        );
    }

    #[test]
    fn with_merges_and_overrides() {
        let base = ConfigDef::new()
            .define(ConfigKey::new("a", ConfigType::String).group("Common"))
            .define(ConfigKey::new("b", ConfigType::String));
        let extra = ConfigDef::new()
            .define(ConfigKey::new("b", ConfigType::Int).group("Mine"))
            .define(ConfigKey::new("c", ConfigType::Int));
        let merged = base.with(&extra);
        assert_eq!(merged.names().collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(
            merged.config_key("b").map(|k| k.config_type),
            Some(ConfigType::Int)
        );
        assert_eq!(merged.groups(), ["Common", "Mine"]);
    }

    #[test]
    fn embed_prefixes_keys_groups_and_validator_names() {
        let child = ConfigDef::new()
            .define(
                ConfigKey::new("n", ConfigType::Int)
                    .default_value(1)
                    .validator(Range::at_least(1))
                    .dependents(["m"]),
            )
            .define(
                ConfigKey::new("m", ConfigType::String)
                    .group("Inner")
                    .width(Width::Short),
            );
        let def = ConfigDef::new()
            .define(ConfigKey::new("transforms", ConfigType::List).default_value(""))
            .embed("transforms.a.", "Transforms: a", 1, &child)
            .unwrap();
        assert_eq!(
            def.names().collect::<Vec<_>>(),
            ["transforms", "transforms.a.n", "transforms.a.m"]
        );
        let n = def.config_key("transforms.a.n").unwrap();
        assert_eq!(
            (n.group.as_deref(), n.order_in_group),
            (Some("Transforms: a"), 1)
        );
        assert_eq!(n.dependents, ["transforms.a.m"]);
        let m = def.config_key("transforms.a.m").unwrap();
        assert_eq!(
            (m.group.as_deref(), m.order_in_group),
            (Some("Transforms: a: Inner"), 2)
        );
        assert_eq!(def.groups(), ["Transforms: a", "Transforms: a: Inner"]);
        // As in Java, the embedded validator names the key without the prefix.
        assert_eq!(
            def.parse(&props(&[("transforms.a.n", "0"), ("transforms.a.m", "x")]))
                .unwrap_err()
                .to_string(),
            "Invalid value 0 for configuration n: Value must be at least 1"
        );
        // Embedding the same child twice under one prefix is a duplicate definition.
        assert!(def
            .embed("transforms.a.", "Transforms: a", 1, &child)
            .is_err());
    }

    #[test]
    fn parse_type_is_public_like_java() {
        assert_eq!(
            ConfigDef::parse_type("k", "7", ConfigType::Short).unwrap(),
            ParsedValue::Short(7)
        );
    }

    #[test]
    fn config_def_is_clone_debug_send_sync() {
        fn check<T: Clone + std::fmt::Debug + Send + Sync>() {}
        check::<ConfigDef>();
        let def = ConfigDef::new()
            .define(ConfigKey::new("p", ConfigType::Password).default_value("secret"));
        assert!(!format!("{def:?}").contains("secret"));
    }
}
