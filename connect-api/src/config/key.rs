//! [`ConfigKey`]: the definition of one configuration key (Java's `ConfigDef.ConfigKey`).

use std::fmt;
use std::sync::Arc;

use super::{
    ConfigKeyInfo, ConfigType, DefaultValue, Importance, ParsedValue, Recommender, Validator, Width,
};

/// The definition of one configuration key (Java's `ConfigDef.ConfigKey`), built fluently:
///
/// ```
/// use connect_api::config::{ConfigKey, ConfigType, Importance, Range, Width};
///
/// let key = ConfigKey::new("tasks.max", ConfigType::Int)
///     .default_value(1)
///     .validator(Range::at_least(1))
///     .importance(Importance::High)
///     .doc("Maximum number of tasks to use for this connector.")
///     .group("Common")
///     .order_in_group(3)
///     .width(Width::Short)
///     .display_name("Tasks max");
/// assert!(!key.is_required());
/// ```
///
/// The fields are public for reading, as in Java. A key with no default is required. Defaults
/// given in code are converted to the key's type when the key is added to a
/// [`ConfigDef`](super::ConfigDef) (a string default is parsed, so `.default_value("1")` works for
/// an `INT`), and checked by the validator there, as Java's `ConfigKey` constructor does.
#[derive(Clone)]
#[non_exhaustive]
pub struct ConfigKey {
    /// The key, e.g. `tasks.max`.
    pub name: String,
    /// The value type.
    pub config_type: ConfigType,
    /// The default; [`DefaultValue::NoDefault`] makes the key required.
    pub default_value: DefaultValue,
    /// Checks the parsed value.
    pub validator: Option<Arc<dyn Validator>>,
    /// How important it is to set. Defaults to [`Importance::Medium`] (Java has no default).
    pub importance: Importance,
    /// What the key does.
    pub documentation: Option<String>,
    /// The group the key is shown in.
    pub group: Option<String>,
    /// The position within the group; `-1` when unset.
    pub order_in_group: i32,
    /// The input width for UIs.
    pub width: Width,
    /// The name to show in UIs; defaults to the key itself, as Java's short `define` forms do.
    pub display_name: Option<String>,
    /// Keys whose recommended values or visibility depend on this key's value.
    pub dependents: Vec<String>,
    /// Suggests values and decides visibility.
    pub recommender: Option<Arc<dyn Recommender>>,
    /// Internal keys are left out of generated documentation.
    pub internal: bool,
}

impl ConfigKey {
    /// A required key of the given type, importance `MEDIUM`, no documentation or group.
    pub fn new(name: impl Into<String>, config_type: ConfigType) -> Self {
        let name = name.into();
        ConfigKey {
            display_name: Some(name.clone()),
            name,
            config_type,
            default_value: DefaultValue::NoDefault,
            validator: None,
            importance: Importance::Medium,
            documentation: None,
            group: None,
            order_in_group: -1,
            width: Width::None,
            dependents: Vec::new(),
            recommender: None,
            internal: false,
        }
    }

    /// Makes the key optional with this default. A string is parsed as the key's type.
    #[must_use]
    pub fn default_value(mut self, value: impl Into<ParsedValue>) -> Self {
        self.default_value = DefaultValue::Value(value.into());
        self
    }

    /// Makes the key optional with a `null` default (absent means "no value").
    #[must_use]
    pub fn default_null(mut self) -> Self {
        self.default_value = DefaultValue::Null;
        self
    }

    /// Checks values with `validator`, replacing any earlier one (combine several with
    /// [`CompositeValidator`](super::CompositeValidator)).
    #[must_use]
    pub fn validator(mut self, validator: impl Validator + 'static) -> Self {
        self.validator = Some(Arc::new(validator));
        self
    }

    /// Suggests values and visibility with `recommender`.
    #[must_use]
    pub fn recommender(mut self, recommender: impl Recommender + 'static) -> Self {
        self.recommender = Some(Arc::new(recommender));
        self
    }

    /// Sets the importance.
    #[must_use]
    pub fn importance(mut self, importance: Importance) -> Self {
        self.importance = importance;
        self
    }

    /// Sets the documentation.
    #[must_use]
    pub fn doc(mut self, documentation: impl Into<String>) -> Self {
        self.documentation = Some(documentation.into());
        self
    }

    /// Puts the key in a group.
    #[must_use]
    pub fn group(mut self, group: impl Into<String>) -> Self {
        self.group = Some(group.into());
        self
    }

    /// Sets the position within the group.
    #[must_use]
    pub fn order_in_group(mut self, order: i32) -> Self {
        self.order_in_group = order;
        self
    }

    /// Sets the UI width.
    #[must_use]
    pub fn width(mut self, width: Width) -> Self {
        self.width = width;
        self
    }

    /// Sets the name shown in UIs.
    #[must_use]
    pub fn display_name(mut self, display_name: impl Into<String>) -> Self {
        self.display_name = Some(display_name.into());
        self
    }

    /// Sets the keys that depend on this one.
    #[must_use]
    pub fn dependents<S: Into<String>>(mut self, dependents: impl IntoIterator<Item = S>) -> Self {
        self.dependents = dependents.into_iter().map(Into::into).collect();
        self
    }

    /// Marks the key internal: left out of generated documentation.
    #[must_use]
    pub fn internal(mut self) -> Self {
        self.internal = true;
        self
    }

    /// Whether the key has a default (possibly null).
    pub fn has_default(&self) -> bool {
        self.default_value.has_default()
    }

    /// Whether the key must be set (it has no default).
    pub fn is_required(&self) -> bool {
        !self.has_default()
    }

    /// The key as the REST API describes it (Java's `AbstractHerder.convertConfigKey`).
    pub fn to_info(&self) -> ConfigKeyInfo {
        self.to_info_with_prefix("")
    }

    /// The key as the REST API describes it, its name prefixed (how converter keys are reported,
    /// e.g. `value.converter.schemas.enable`).
    pub fn to_info_with_prefix(&self, prefix: &str) -> ConfigKeyInfo {
        let default_value = match &self.default_value {
            DefaultValue::NoDefault | DefaultValue::Null => None,
            DefaultValue::Value(value) => Some(value.to_string()),
        };
        ConfigKeyInfo {
            name: format!("{prefix}{}", self.name),
            config_type: self.config_type.name().to_owned(),
            required: self.is_required(),
            default_value,
            importance: self.importance.name().to_owned(),
            documentation: self.documentation.clone(),
            group: self.group.clone(),
            width: self.width.name().to_owned(),
            display_name: self.display_name.clone(),
            dependents: self.dependents.clone(),
            order_in_group: self.order_in_group,
        }
    }
}

impl fmt::Debug for ConfigKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigKey")
            .field("name", &self.name)
            .field("config_type", &self.config_type)
            .field("default_value", &self.default_value)
            .field(
                "validator",
                &self.validator.as_ref().map(|v| v.description()),
            )
            .field("importance", &self.importance)
            .field("documentation", &self.documentation)
            .field("group", &self.group)
            .field("order_in_group", &self.order_in_group)
            .field("width", &self.width)
            .field("display_name", &self.display_name)
            .field("dependents", &self.dependents)
            .field("recommender", &self.recommender.is_some())
            .field("internal", &self.internal)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Password, Range};

    #[test]
    fn new_key_is_required_with_java_defaults() {
        let key = ConfigKey::new("topic", ConfigType::String);
        assert!(key.is_required());
        assert_eq!(key.order_in_group, -1);
        assert_eq!(key.width, Width::None);
        assert_eq!(key.display_name.as_deref(), Some("topic"));
        assert_eq!(key.importance, Importance::Medium);
        assert!(!key.internal);
    }

    #[test]
    fn builder_sets_every_field() {
        let key = ConfigKey::new("k", ConfigType::List)
            .default_value(vec!["a", "b"])
            .validator(Range::at_least(1))
            .importance(Importance::Low)
            .doc("d")
            .group("g")
            .order_in_group(2)
            .width(Width::Long)
            .display_name("K")
            .dependents(["x", "y"])
            .internal();
        assert_eq!(
            key.default_value,
            DefaultValue::Value(vec!["a", "b"].into())
        );
        assert_eq!(
            key.validator.as_ref().map(|v| v.description()).as_deref(),
            Some("[1,...]")
        );
        assert_eq!(key.dependents, ["x", "y"]);
        assert!(key.internal);
        assert!(!ConfigKey::new("n", ConfigType::String)
            .default_null()
            .is_required());
    }

    #[test]
    fn to_info_converts_defaults_to_strings() {
        let info = ConfigKey::new("l", ConfigType::List)
            .default_value(vec!["a", "b"])
            .to_info();
        assert_eq!(info.default_value.as_deref(), Some("a,b"));
        assert!(!info.required);
        let info = ConfigKey::new("p", ConfigType::Password)
            .default_value(Password::new("s"))
            .to_info();
        assert_eq!(info.default_value.as_deref(), Some("[hidden]"));
        let info = ConfigKey::new("n", ConfigType::String)
            .default_null()
            .to_info();
        assert_eq!((info.required, info.default_value), (false, None));
        let info = ConfigKey::new("r", ConfigType::Int).to_info_with_prefix("value.converter.");
        assert_eq!(
            (info.name.as_str(), info.required, info.default_value),
            ("value.converter.r", true, None)
        );
    }

    #[test]
    fn debug_hides_password_defaults() {
        let key = ConfigKey::new("p", ConfigType::Password).default_value(Password::new("secret"));
        let debug = format!("{key:?}");
        assert!(
            debug.contains("[hidden]") && !debug.contains("secret"),
            "{debug}"
        );
    }
}
