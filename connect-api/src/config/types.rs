//! The enums that describe a configuration key: its type, importance and display width.

use std::fmt;

/// The type of a configuration value (Java's `ConfigDef.Type`).
///
/// `Display` prints the upper-case Java enum name (`INT`, `LIST`, ...), which is what the REST API
/// shows as a key's `type` and what error messages such as `Not a number of type INT` contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "UPPERCASE")]
#[non_exhaustive]
pub enum ConfigType {
    /// `true` or `false`, case-insensitive.
    Boolean,
    /// Any string; surrounding whitespace is trimmed.
    String,
    /// A 32-bit signed integer.
    Int,
    /// A 16-bit signed integer.
    Short,
    /// A 64-bit signed integer.
    Long,
    /// A 64-bit floating-point number.
    Double,
    /// A comma-separated list of strings.
    List,
    /// The name of a plugin class, such as `org.apache.kafka.connect.json.JsonConverter`.
    Class,
    /// A secret string that is never printed (see [`Password`](super::Password)).
    Password,
}

impl ConfigType {
    /// Every type, in Java's declaration order.
    pub const ALL: [ConfigType; 9] = [
        ConfigType::Boolean,
        ConfigType::String,
        ConfigType::Int,
        ConfigType::Short,
        ConfigType::Long,
        ConfigType::Double,
        ConfigType::List,
        ConfigType::Class,
        ConfigType::Password,
    ];

    /// The upper-case Java enum name, e.g. `"INT"`.
    pub fn name(self) -> &'static str {
        match self {
            ConfigType::Boolean => "BOOLEAN",
            ConfigType::String => "STRING",
            ConfigType::Int => "INT",
            ConfigType::Short => "SHORT",
            ConfigType::Long => "LONG",
            ConfigType::Double => "DOUBLE",
            ConfigType::List => "LIST",
            ConfigType::Class => "CLASS",
            ConfigType::Password => "PASSWORD",
        }
    }

    /// Whether values of this type are secrets that must not be logged (only `PASSWORD`).
    pub fn is_sensitive(self) -> bool {
        self == ConfigType::Password
    }

    /// Looks a type up by its Java name, ignoring case (`"int"` → `INT`).
    pub fn from_name(name: &str) -> Option<ConfigType> {
        ConfigType::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for ConfigType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How important a key is to set (Java's `ConfigDef.Importance`).
///
/// Ordered as in Java (`HIGH < MEDIUM < LOW`), which is the order documentation lists keys in.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "UPPERCASE")]
#[non_exhaustive]
pub enum Importance {
    /// Most users need to set this.
    High,
    /// Some users need to set this.
    Medium,
    /// Rarely changed.
    Low,
}

impl Importance {
    /// The upper-case Java enum name, e.g. `"HIGH"`.
    pub fn name(self) -> &'static str {
        match self {
            Importance::High => "HIGH",
            Importance::Medium => "MEDIUM",
            Importance::Low => "LOW",
        }
    }

    /// Looks an importance up by its Java name, ignoring case.
    pub fn from_name(name: &str) -> Option<Importance> {
        [Importance::High, Importance::Medium, Importance::Low]
            .into_iter()
            .find(|i| i.name().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for Importance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How wide a UI should draw the key's input field (Java's `ConfigDef.Width`).
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "UPPERCASE")]
#[non_exhaustive]
pub enum Width {
    /// No preference (the default).
    #[default]
    None,
    /// A short field.
    Short,
    /// A medium field.
    Medium,
    /// A long field.
    Long,
}

impl Width {
    /// The upper-case Java enum name, e.g. `"SHORT"`.
    pub fn name(self) -> &'static str {
        match self {
            Width::None => "NONE",
            Width::Short => "SHORT",
            Width::Medium => "MEDIUM",
            Width::Long => "LONG",
        }
    }

    /// Looks a width up by its Java name, ignoring case.
    pub fn from_name(name: &str) -> Option<Width> {
        [Width::None, Width::Short, Width::Medium, Width::Long]
            .into_iter()
            .find(|w| w.name().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for Width {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_the_java_enum_name() {
        let names: Vec<String> = ConfigType::ALL.iter().map(ToString::to_string).collect();
        assert_eq!(
            names,
            ["BOOLEAN", "STRING", "INT", "SHORT", "LONG", "DOUBLE", "LIST", "CLASS", "PASSWORD"]
        );
        assert_eq!(Importance::Medium.to_string(), "MEDIUM");
        assert_eq!(Width::None.to_string(), "NONE");
        assert_eq!(
            serde_json::to_string(&ConfigType::Password).unwrap(),
            "\"PASSWORD\""
        );
        assert_eq!(serde_json::to_string(&Width::Long).unwrap(), "\"LONG\"");
    }

    #[test]
    fn from_name_ignores_case() {
        assert_eq!(ConfigType::from_name("int"), Some(ConfigType::Int));
        assert_eq!(ConfigType::from_name("bogus"), None);
        assert_eq!(Importance::from_name("high"), Some(Importance::High));
        assert_eq!(Width::from_name("Medium"), Some(Width::Medium));
        assert!(ConfigType::Password.is_sensitive());
        assert!(!ConfigType::String.is_sensitive());
    }

    #[test]
    fn importance_orders_like_java() {
        assert!(Importance::High < Importance::Medium && Importance::Medium < Importance::Low);
    }
}
