//! The REST API's JSON shapes for a key's definition and its validation result
//! (Java's `ConfigKeyInfo` and `ConfigValueInfo` in `connect.runtime.rest.entities`).

use serde::{Deserialize, Serialize};

/// A key's definition as `GET /connector-plugins/{plugin}/config` and the `definition` of a
/// validation result show it. Build one with [`ConfigKey::to_info`](super::ConfigKey::to_info).
///
/// Fields serialize in the order Apache Kafka 4.x emits them: `name, type, required,
/// default_value, importance, documentation, group, order_in_group, width, display_name,
/// dependents`; absent values as `null`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConfigKeyInfo {
    /// The key.
    pub name: String,
    /// The type's Java name, e.g. `INT`.
    #[serde(rename = "type")]
    pub config_type: String,
    /// Whether the key has no default.
    pub required: bool,
    /// The default as a string (lists comma-joined, passwords `[hidden]`); `null` when required
    /// or when the default is null.
    pub default_value: Option<String>,
    /// `HIGH`, `MEDIUM` or `LOW`.
    pub importance: String,
    /// What the key does.
    pub documentation: Option<String>,
    /// The group.
    pub group: Option<String>,
    /// The order within the group, `-1` when unset.
    pub order_in_group: i32,
    /// `NONE`, `SHORT`, `MEDIUM` or `LONG`.
    pub width: String,
    /// The name shown in UIs.
    pub display_name: Option<String>,
    /// Keys that depend on this one.
    pub dependents: Vec<String>,
}

/// A key's validation result as `PUT /connector-plugins/{plugin}/config/validate` shows it (the
/// `value` of each entry). Build one with [`ConfigValue::to_info`](super::ConfigValue::to_info).
///
/// Fields serialize in Jackson's order: `name, value, recommended_values, errors, visible`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConfigValueInfo {
    /// The key.
    pub name: String,
    /// The parsed value as a string (lists comma-joined, passwords `[hidden]`), or `null`.
    pub value: Option<String>,
    /// Suggested values, as strings.
    pub recommended_values: Vec<String>,
    /// Error messages; empty when the value is valid.
    pub errors: Vec<String>,
    /// Whether a UI should show the key.
    pub visible: bool,
}

impl ConfigValueInfo {
    /// A result for `name` with the given value and errors, no recommendations, visible.
    /// Handy for errors that the runtime attaches itself (e.g. on a key nobody defines).
    pub fn new(name: impl Into<String>, value: Option<String>, errors: Vec<String>) -> Self {
        ConfigValueInfo {
            name: name.into(),
            value,
            recommended_values: Vec::new(),
            errors,
            visible: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ConfigKey, ConfigType, Importance, Range, Width};

    #[test]
    fn tasks_max_key_info_matches_the_rest_api_byte_for_byte() {
        let key = ConfigKey::new("tasks.max", ConfigType::Int)
            .default_value(1)
            .validator(Range::at_least(1))
            .importance(Importance::High)
            .doc("Maximum number of tasks to use for this connector.")
            .group("Common")
            .order_in_group(3)
            .width(Width::Short)
            .display_name("Tasks max");
        assert_eq!(
            serde_json::to_string(&key.to_info()).unwrap(),
            r#"{"name":"tasks.max","type":"INT","required":false,"default_value":"1","importance":"HIGH","documentation":"Maximum number of tasks to use for this connector.","group":"Common","order_in_group":3,"width":"SHORT","display_name":"Tasks max","dependents":[]}"#
        );
    }

    #[test]
    fn required_key_has_null_default_and_round_trips() {
        let key = ConfigKey::new("name", ConfigType::String).importance(Importance::High);
        let json = serde_json::to_string(&key.to_info()).unwrap();
        assert_eq!(
            json,
            r#"{"name":"name","type":"STRING","required":true,"default_value":null,"importance":"HIGH","documentation":null,"group":null,"order_in_group":-1,"width":"NONE","display_name":"name","dependents":[]}"#
        );
        let back: ConfigKeyInfo = serde_json::from_str(&json).unwrap();
        assert_eq!(back, key.to_info());
    }

    #[test]
    fn value_info_field_order() {
        let info = ConfigValueInfo::new(
            "name",
            None,
            vec!["Missing required configuration \"name\" which has no default value.".into()],
        );
        assert_eq!(
            serde_json::to_string(&info).unwrap(),
            r#"{"name":"name","value":null,"recommended_values":[],"errors":["Missing required configuration \"name\" which has no default value."],"visible":true}"#
        );
    }
}
