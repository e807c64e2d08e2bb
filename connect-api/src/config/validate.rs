//! Per-key validation for the REST validate endpoint (Java's `ConfigDef.validate` and
//! `validateAll`), producing a [`ConfigValue`] per key instead of failing on the first error.

use std::collections::HashSet;

use indexmap::IndexMap;

use super::parse::parse_type;
use super::{
    ConfigDef, ConfigError, ConfigProps, ConfigValueInfo, DefaultValue, ParsedValue, ParsedValues,
};

/// The validation result for one key (Java's `org.apache.kafka.common.config.ConfigValue`): the
/// parsed value, suggested values, every error found, and whether a UI should show the key.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ConfigValue {
    /// The key.
    pub name: String,
    /// The parsed value (or default); `None` if null, missing or unparseable.
    pub value: Option<ParsedValue>,
    /// Values the key's recommender suggests.
    pub recommended_values: Vec<ParsedValue>,
    /// Every error found for this key, as full messages.
    pub error_messages: Vec<String>,
    /// Whether a UI should show the key.
    pub visible: bool,
}

impl ConfigValue {
    /// A visible result for `name` with no value, suggestions or errors.
    pub fn new(name: impl Into<String>) -> Self {
        ConfigValue {
            name: name.into(),
            value: None,
            recommended_values: Vec::new(),
            error_messages: Vec::new(),
            visible: true,
        }
    }

    /// Records an error for this key.
    pub fn add_error_message(&mut self, message: impl Into<String>) {
        self.error_messages.push(message.into());
    }

    /// The result as the REST API shows it (Java's `AbstractHerder.convertConfigValue`): the
    /// value converted back to a string (lists comma-joined, passwords `[hidden]`), suggestions as
    /// strings.
    pub fn to_info(&self) -> ConfigValueInfo {
        ConfigValueInfo {
            name: self.name.clone(),
            value: self.value.as_ref().map(ToString::to_string),
            // Java converts suggestions with the key's type, but for LIST keys with STRING, so a
            // suggested list prints as Java's List.toString(), `[a, b]`.
            recommended_values: self
                .recommended_values
                .iter()
                .map(ParsedValue::java_string)
                .collect(),
            errors: self.error_messages.clone(),
            visible: self.visible,
        }
    }
}

impl ConfigDef {
    /// Validates `props` key by key (Java's `validate`), for `PUT .../config/validate`: one
    /// result per defined key in definition order, then one per undefined dependent. See
    /// [`ConfigDef::validate_all`].
    pub fn validate(&self, props: &(impl ConfigProps + ?Sized)) -> Vec<ConfigValue> {
        self.validate_all(props).into_values().collect()
    }

    /// Validates `props` key by key (Java's `validateAll`), collecting errors rather than stopping:
    ///
    /// - a set key is parsed; a parse error is recorded and its value is null;
    /// - an absent required key records `Missing required configuration "<key>" which has no
    ///   default value.`; an absent optional key takes its default;
    /// - the validator then runs, even on a null value, as in Java (so `tasks.max=abc` reports
    ///   both `Not a number of type INT` and `Value must be non-null`);
    /// - recommenders then see every parsed value and set `recommended_values` and `visible`;
    /// - a dependent that names no key gets `<key> is referred in the dependents, but not
    ///   defined.` and is not visible.
    ///
    /// As in Java, keys are reached from the keys that are nobody's dependent, so a key that is
    /// only reachable through a cycle of dependents is not validated. Unlike Java, a key that is
    /// the dependent of several keys is validated once, not once per parent (Java repeats its
    /// errors).
    pub fn validate_all(
        &self,
        props: &(impl ConfigProps + ?Sized),
    ) -> IndexMap<String, ConfigValue> {
        let mut results: IndexMap<String, ConfigValue> = self
            .names()
            .map(|name| (name.to_owned(), ConfigValue::new(name)))
            .collect();
        for undefined in self.undefined_dependents() {
            let mut value = ConfigValue::new(undefined.as_str());
            value.add_error_message(format!(
                "{undefined} is referred in the dependents, but not defined."
            ));
            value.visible = false;
            results.insert(undefined, value);
        }

        let roots = self.configs_with_no_parent();
        let mut parsed = ParsedValues::new();
        let mut visited = HashSet::new();
        for root in &roots {
            self.parse_for_validate(root, props, &mut parsed, &mut results, &mut visited);
        }
        let mut visited = HashSet::new();
        for root in &roots {
            self.recommend(root, &parsed, &mut results, &mut visited);
        }
        results
    }

    /// Keys that are no key's dependent, in definition order.
    fn configs_with_no_parent(&self) -> Vec<&str> {
        let with_parent: HashSet<&str> = self
            .keys()
            .flat_map(|k| k.dependents.iter().map(String::as_str))
            .collect();
        self.names()
            .filter(|name| !with_parent.contains(name))
            .collect()
    }

    fn parse_for_validate<'a>(
        &'a self,
        name: &'a str,
        props: &(impl ConfigProps + ?Sized),
        parsed: &mut ParsedValues,
        results: &mut IndexMap<String, ConfigValue>,
        visited: &mut HashSet<&'a str>,
    ) {
        let Some(key) = self.config_key(name) else {
            return;
        };
        if !visited.insert(name) {
            return;
        }
        let mut errors: Vec<ConfigError> = Vec::new();
        let value = match props.lookup(name) {
            Some(Some(raw)) => match parse_type(name, raw, key.config_type) {
                Ok(value) => Some(value),
                Err(e) => {
                    errors.push(e);
                    None
                }
            },
            Some(None) => None,
            None => match &key.default_value {
                DefaultValue::NoDefault => {
                    errors.push(ConfigError::missing(name));
                    None
                }
                DefaultValue::Null => None,
                DefaultValue::Value(value) => Some(value.clone()),
            },
        };
        if let Some(validator) = &key.validator {
            if let Err(e) = validator.ensure_valid(name, value.as_ref()) {
                errors.push(e);
            }
        }
        if let Some(result) = results.get_mut(name) {
            result
                .error_messages
                .extend(errors.iter().map(ToString::to_string));
            result.value = value.clone();
        }
        parsed.insert(name.to_owned(), value);
        for dependent in &key.dependents {
            self.parse_for_validate(dependent, props, parsed, results, visited);
        }
    }

    fn recommend<'a>(
        &'a self,
        name: &'a str,
        parsed: &ParsedValues,
        results: &mut IndexMap<String, ConfigValue>,
        visited: &mut HashSet<&'a str>,
    ) {
        let Some(key) = self.config_key(name) else {
            return;
        };
        if !visited.insert(name) {
            return;
        }
        if let (Some(recommender), Some(result)) = (&key.recommender, results.get_mut(name)) {
            match recommender.valid_values(name, parsed) {
                Ok(values) => {
                    result.recommended_values = values;
                    result.visible = recommender.visible(name, parsed);
                }
                Err(e) => result.add_error_message(e.to_string()),
            }
        }
        for dependent in &key.dependents {
            self.recommend(dependent, parsed, results, visited);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::config::{
        ConfigKey, ConfigType, NonEmptyStringWithoutControlChars, Password, Range, Recommender,
    };

    fn props(entries: &[(&str, &str)]) -> HashMap<String, String> {
        entries
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn connector_def() -> ConfigDef {
        ConfigDef::new()
            .define(
                ConfigKey::new("name", ConfigType::String)
                    .validator(NonEmptyStringWithoutControlChars),
            )
            .define(
                ConfigKey::new("tasks.max", ConfigType::Int)
                    .default_value(1)
                    .validator(Range::at_least(1)),
            )
            .define(ConfigKey::new("topics", ConfigType::List).default_value(""))
            .define(ConfigKey::new("secret", ConfigType::Password).default_null())
    }

    fn errors(results: &IndexMap<String, ConfigValue>, name: &str) -> Vec<String> {
        results[name].error_messages.clone()
    }

    #[test]
    fn valid_config_has_values_and_no_errors() {
        let results = connector_def().validate_all(&props(&[
            ("name", "c"),
            ("tasks.max", "3"),
            ("topics", "a, b"),
            ("secret", "pw"),
        ]));
        assert!(results
            .values()
            .all(|v| v.error_messages.is_empty() && v.visible));
        let infos: Vec<ConfigValueInfo> = results.values().map(ConfigValue::to_info).collect();
        let values: Vec<Option<&str>> = infos.iter().map(|i| i.value.as_deref()).collect();
        assert_eq!(
            values,
            [Some("c"), Some("3"), Some("a,b"), Some("[hidden]")]
        );
    }

    #[test]
    fn errors_attach_to_their_keys() {
        let results = connector_def().validate_all(&props(&[("tasks.max", "abc")]));
        assert_eq!(
            errors(&results, "name"),
            ["Missing required configuration \"name\" which has no default value."]
        );
        // As in Java, the validator also runs on the null left by the parse error.
        assert_eq!(
            errors(&results, "tasks.max"),
            [
                "Invalid value abc for configuration tasks.max: Not a number of type INT",
                "Invalid value null for configuration tasks.max: Value must be non-null"
            ]
        );
        assert_eq!(results["tasks.max"].value, None);
        assert!(errors(&results, "topics").is_empty());
        assert_eq!(results["topics"].value, Some(ParsedValue::List(vec![])));

        let results = connector_def().validate_all(&props(&[("name", ""), ("tasks.max", "0")]));
        assert_eq!(
            errors(&results, "name"),
            ["Invalid value  for configuration name: String may not be empty"]
        );
        assert_eq!(
            errors(&results, "tasks.max"),
            ["Invalid value 0 for configuration tasks.max: Value must be at least 1"]
        );
        assert_eq!(results["tasks.max"].value, Some(ParsedValue::Int(0)));
    }

    #[test]
    fn validate_lists_in_definition_order() {
        let names: Vec<String> = connector_def()
            .validate(&props(&[]))
            .into_iter()
            .map(|v| v.name)
            .collect();
        assert_eq!(names, ["name", "tasks.max", "topics", "secret"]);
    }

    #[test]
    fn to_info_matches_the_rest_shape() {
        let results = connector_def().validate_all(&props(&[]));
        assert_eq!(
            serde_json::to_string(&results["name"].to_info()).unwrap(),
            r#"{"name":"name","value":null,"recommended_values":[],"errors":["Missing required configuration \"name\" which has no default value."],"visible":true}"#
        );
        assert_eq!(results["tasks.max"].to_info().value.as_deref(), Some("1"));
        let mut value = ConfigValue::new("l");
        value.recommended_values = vec![
            ParsedValue::from("x"),
            ParsedValue::from(vec!["a", "b"]),
            Password::new("p").into(),
        ];
        assert_eq!(
            value.to_info().recommended_values,
            ["x", "[a, b]", "[hidden]"]
        );
    }

    struct ModeRecommender;

    impl Recommender for ModeRecommender {
        fn valid_values(
            &self,
            _: &str,
            parsed: &ParsedValues,
        ) -> Result<Vec<ParsedValue>, ConfigError> {
            match parsed.get("kind") {
                Some(Some(ParsedValue::String(kind))) if kind == "fail" => {
                    Err(ConfigError::other(Some("mode"), "cannot recommend"))
                }
                Some(Some(ParsedValue::String(kind))) => {
                    Ok(vec![format!("{kind}-1").into(), format!("{kind}-2").into()])
                }
                _ => Ok(vec![]),
            }
        }

        fn visible(&self, _: &str, parsed: &ParsedValues) -> bool {
            matches!(parsed.get("kind"), Some(Some(_)))
        }
    }

    fn dependent_def() -> ConfigDef {
        ConfigDef::new()
            .define(
                ConfigKey::new("kind", ConfigType::String)
                    .default_null()
                    .dependents(["mode", "ghost"]),
            )
            .define(
                ConfigKey::new("mode", ConfigType::String)
                    .default_null()
                    .recommender(ModeRecommender),
            )
    }

    #[test]
    fn recommenders_and_dependents() {
        let results = dependent_def().validate_all(&props(&[("kind", "fast")]));
        assert_eq!(
            results["mode"].recommended_values,
            vec![ParsedValue::from("fast-1"), ParsedValue::from("fast-2")]
        );
        assert!(results["mode"].visible);
        assert_eq!(
            results["ghost"].error_messages,
            ["ghost is referred in the dependents, but not defined."]
        );
        assert!(!results["ghost"].visible);
        assert_eq!(
            results.keys().collect::<Vec<_>>(),
            ["kind", "mode", "ghost"]
        );

        let results = dependent_def().validate_all(&props(&[]));
        assert!(!results["mode"].visible);

        let results = dependent_def().validate_all(&props(&[("kind", "fail")]));
        assert_eq!(results["mode"].error_messages, ["cannot recommend"]);
    }

    #[test]
    fn null_values_are_not_missing() {
        let def = ConfigDef::new().define(ConfigKey::new("r", ConfigType::String));
        let nullable: HashMap<String, Option<String>> = HashMap::from([("r".to_owned(), None)]);
        assert!(def.validate_all(&nullable)["r"].error_messages.is_empty());
    }

    #[test]
    fn keys_only_in_a_dependency_cycle_are_not_validated() {
        let def = ConfigDef::new()
            .define(ConfigKey::new("a", ConfigType::Int).dependents(["b"]))
            .define(ConfigKey::new("b", ConfigType::Int).dependents(["a"]));
        let results = def.validate_all(&props(&[]));
        assert!(results.values().all(|v| v.error_messages.is_empty()));
    }
}
