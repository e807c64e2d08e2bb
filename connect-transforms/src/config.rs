//! Parsing a transform's configuration once, through its `ConfigDef` (Java's `SimpleConfig`).

use std::collections::HashMap;

use connect_api::config::{
    ConfigDef, ConfigKey, ConfigType, Importance, ParsedValue, ParsedValues,
};
use connect_api::errors::Result;

/// `replace.null.with.default` (KIP-1040), shared by most field transforms.
pub(crate) const REPLACE_NULL_WITH_DEFAULT_CONFIG: &str = "replace.null.with.default";
const REPLACE_NULL_WITH_DEFAULT_DOC: &str = "Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.";

/// The `replace.null.with.default` key: BOOLEAN, default `true`.
pub(crate) fn replace_null_with_default_key() -> ConfigKey {
    ConfigKey::new(REPLACE_NULL_WITH_DEFAULT_CONFIG, ConfigType::Boolean)
        .default_value(true)
        .importance(Importance::Medium)
        .doc(REPLACE_NULL_WITH_DEFAULT_DOC)
}

/// Parsed values of a transform's configuration with typed getters, as Java's `SimpleConfig`.
#[derive(Debug)]
pub(crate) struct SimpleConfig {
    values: ParsedValues,
}

impl SimpleConfig {
    /// Parses and validates `props` against `def`: unknown keys are ignored, a missing required
    /// key or an invalid value is a config error naming the key.
    pub(crate) fn parse(def: &ConfigDef, props: &HashMap<String, String>) -> Result<Self> {
        let values = def.parse(props)?;
        Ok(SimpleConfig { values })
    }

    fn get(&self, key: &str) -> Option<&ParsedValue> {
        self.values.get(key).and_then(Option::as_ref)
    }

    /// A STRING key's value (`None` for a null default).
    pub(crate) fn string(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(ParsedValue::as_str)
    }

    /// A LIST key's items (empty for a null default).
    pub(crate) fn list(&self, key: &str) -> Vec<String> {
        self.get(key)
            .and_then(ParsedValue::as_list)
            .map(<[String]>::to_vec)
            .unwrap_or_default()
    }

    /// A BOOLEAN key's value (`false` for a null default).
    pub(crate) fn boolean(&self, key: &str) -> bool {
        self.get(key)
            .and_then(ParsedValue::as_bool)
            .unwrap_or(false)
    }

    /// An INT key's value.
    pub(crate) fn int(&self, key: &str) -> Option<i32> {
        self.get(key)
            .and_then(ParsedValue::as_i64)
            .and_then(|v| i32::try_from(v).ok())
    }
}
