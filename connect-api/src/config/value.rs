//! [`ParsedValue`]: a configuration value after parsing, and [`DefaultValue`]: a key's default.

use std::fmt;

use indexmap::IndexMap;

use super::{ConfigType, Password};

/// Parsed values by key name, in definition order. `None` is Java's `null`: a key whose default is
/// null and that was not set.
pub type ParsedValues = IndexMap<String, Option<ParsedValue>>;

/// A typed configuration value: what Java's `ConfigDef.parseType` returns as an `Object`.
///
/// `Display` is Java's `ConfigDef.convertToString`, the text the REST API shows: lists are
/// comma-joined (`a,b`), doubles print as Java does (`1.0`, `1.0E10`) and passwords as `[hidden]`.
/// `Debug` never reveals a password either.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ParsedValue {
    /// A `BOOLEAN` value.
    Boolean(bool),
    /// A `STRING` value.
    String(String),
    /// An `INT` value.
    Int(i32),
    /// A `SHORT` value.
    Short(i16),
    /// A `LONG` value.
    Long(i64),
    /// A `DOUBLE` value.
    Double(f64),
    /// A `LIST` value.
    List(Vec<String>),
    /// A `CLASS` value: the class (plugin) name. Resolving it to a plugin is the runtime's job.
    Class(String),
    /// A `PASSWORD` value.
    Password(Password),
}

impl ParsedValue {
    /// The configuration type whose values look like this one.
    pub fn config_type(&self) -> ConfigType {
        match self {
            ParsedValue::Boolean(_) => ConfigType::Boolean,
            ParsedValue::String(_) => ConfigType::String,
            ParsedValue::Int(_) => ConfigType::Int,
            ParsedValue::Short(_) => ConfigType::Short,
            ParsedValue::Long(_) => ConfigType::Long,
            ParsedValue::Double(_) => ConfigType::Double,
            ParsedValue::List(_) => ConfigType::List,
            ParsedValue::Class(_) => ConfigType::Class,
            ParsedValue::Password(_) => ConfigType::Password,
        }
    }

    /// The boolean, if this is a `BOOLEAN`.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            ParsedValue::Boolean(b) => Some(*b),
            _ => None,
        }
    }

    /// The text of a `STRING` or the name of a `CLASS`.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            ParsedValue::String(s) | ParsedValue::Class(s) => Some(s),
            _ => None,
        }
    }

    /// Any integer value (`SHORT`, `INT` or `LONG`) widened to `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            ParsedValue::Short(n) => Some(i64::from(*n)),
            ParsedValue::Int(n) => Some(i64::from(*n)),
            ParsedValue::Long(n) => Some(*n),
            _ => None,
        }
    }

    /// Any number as `f64`, as Java's `Number.doubleValue()` (used by range checks).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            ParsedValue::Double(d) => Some(*d),
            // Large longs lose precision here exactly as they do in Java.
            ParsedValue::Long(n) => Some(*n as f64),
            ParsedValue::Short(n) => Some(f64::from(*n)),
            ParsedValue::Int(n) => Some(f64::from(*n)),
            _ => None,
        }
    }

    /// The items, if this is a `LIST`.
    pub fn as_list(&self) -> Option<&[String]> {
        match self {
            ParsedValue::List(items) => Some(items),
            _ => None,
        }
    }

    /// The secret, if this is a `PASSWORD`.
    pub fn as_password(&self) -> Option<&Password> {
        match self {
            ParsedValue::Password(p) => Some(p),
            _ => None,
        }
    }

    /// The value as Java's `Object.toString()` prints it, which is what `ConfigException`
    /// messages embed: like `Display`, except that a list prints as `[a, b]`.
    pub(crate) fn java_string(&self) -> String {
        match self {
            ParsedValue::List(items) => format!("[{}]", items.join(", ")),
            other => other.to_string(),
        }
    }

    /// The Java class name of the value, for Apache's "but it was a ..." messages.
    pub(crate) fn java_class_name(&self) -> &'static str {
        match self {
            ParsedValue::Boolean(_) => "java.lang.Boolean",
            ParsedValue::String(_) => "java.lang.String",
            ParsedValue::Int(_) => "java.lang.Integer",
            ParsedValue::Short(_) => "java.lang.Short",
            ParsedValue::Long(_) => "java.lang.Long",
            ParsedValue::Double(_) => "java.lang.Double",
            ParsedValue::List(_) => "java.util.List",
            ParsedValue::Class(_) => "java.lang.Class",
            ParsedValue::Password(_) => "org.apache.kafka.common.config.types.Password",
        }
    }
}

impl fmt::Display for ParsedValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParsedValue::Boolean(b) => write!(f, "{b}"),
            ParsedValue::String(s) | ParsedValue::Class(s) => f.write_str(s),
            ParsedValue::Int(n) => write!(f, "{n}"),
            ParsedValue::Short(n) => write!(f, "{n}"),
            ParsedValue::Long(n) => write!(f, "{n}"),
            ParsedValue::Double(d) => f.write_str(&java_double_to_string(*d)),
            ParsedValue::List(items) => f.write_str(&items.join(",")),
            ParsedValue::Password(p) => write!(f, "{p}"),
        }
    }
}

impl From<bool> for ParsedValue {
    fn from(value: bool) -> Self {
        ParsedValue::Boolean(value)
    }
}

impl From<i16> for ParsedValue {
    fn from(value: i16) -> Self {
        ParsedValue::Short(value)
    }
}

impl From<i32> for ParsedValue {
    fn from(value: i32) -> Self {
        ParsedValue::Int(value)
    }
}

impl From<i64> for ParsedValue {
    fn from(value: i64) -> Self {
        ParsedValue::Long(value)
    }
}

impl From<f64> for ParsedValue {
    fn from(value: f64) -> Self {
        ParsedValue::Double(value)
    }
}

/// A string is parsed according to the key's type when used as a default, as in Java.
impl From<&str> for ParsedValue {
    fn from(value: &str) -> Self {
        ParsedValue::String(value.to_owned())
    }
}

/// A string is parsed according to the key's type when used as a default, as in Java.
impl From<String> for ParsedValue {
    fn from(value: String) -> Self {
        ParsedValue::String(value)
    }
}

impl From<Vec<String>> for ParsedValue {
    fn from(value: Vec<String>) -> Self {
        ParsedValue::List(value)
    }
}

impl From<Vec<&str>> for ParsedValue {
    fn from(value: Vec<&str>) -> Self {
        ParsedValue::List(value.into_iter().map(str::to_owned).collect())
    }
}

impl From<Password> for ParsedValue {
    fn from(value: Password) -> Self {
        ParsedValue::Password(value)
    }
}

/// A key's default (Java's `defaultValue`, with `NO_DEFAULT_VALUE` as [`DefaultValue::NoDefault`]).
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub enum DefaultValue {
    /// No default: the key is required.
    #[default]
    NoDefault,
    /// The default is `null`: the key is optional and absent means "no value".
    Null,
    /// The key defaults to this value.
    Value(ParsedValue),
}

impl DefaultValue {
    /// Whether the key has a default (which may be null), i.e. is not required.
    pub fn has_default(&self) -> bool {
        !matches!(self, DefaultValue::NoDefault)
    }

    /// The value a missing key takes: `None` for no default or a null default.
    pub fn value(&self) -> Option<&ParsedValue> {
        match self {
            DefaultValue::Value(v) => Some(v),
            _ => None,
        }
    }
}

/// Java's `String.trim()`: strips every character up to U+0020 (spaces and control characters)
/// from both ends, and nothing else (unlike `str::trim`, which also strips Unicode spaces).
pub(crate) fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// Java's `Double.toString`: plain notation for magnitudes in [10^-3, 10^7) with at least one
/// fractional digit (`1.0`), computerized scientific notation otherwise (`1.0E10`, `1.5E-4`).
pub(crate) fn java_double_to_string(d: f64) -> String {
    if d.is_nan() {
        return "NaN".to_owned();
    }
    if d.is_infinite() {
        return if d > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    let magnitude = d.abs();
    if magnitude == 0.0 || (1e-3..1e7).contains(&magnitude) {
        // Rust's `Display` prints the shortest digits that round-trip, as Java 19+ does.
        let plain = format!("{d}");
        if plain.contains('.') {
            plain
        } else {
            format!("{plain}.0")
        }
    } else {
        let scientific = format!("{d:e}");
        let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
        if mantissa.contains('.') {
            format!("{mantissa}E{exponent}")
        } else {
            format!("{mantissa}.0E{exponent}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_convert_to_string() {
        assert_eq!(ParsedValue::Boolean(true).to_string(), "true");
        assert_eq!(ParsedValue::Int(-3).to_string(), "-3");
        assert_eq!(ParsedValue::Short(7).to_string(), "7");
        assert_eq!(ParsedValue::Long(1 << 40).to_string(), "1099511627776");
        assert_eq!(ParsedValue::Double(0.5).to_string(), "0.5");
        assert_eq!(ParsedValue::from(vec!["a", "b"]).to_string(), "a,b");
        assert_eq!(ParsedValue::List(vec![]).to_string(), "");
        assert_eq!(ParsedValue::Class("com.Foo".into()).to_string(), "com.Foo");
        assert_eq!(
            ParsedValue::Password(Password::new("x")).to_string(),
            "[hidden]"
        );
        assert_eq!(
            format!("{:?}", ParsedValue::Password(Password::new("x"))),
            "Password([hidden])"
        );
    }

    #[test]
    fn java_string_prints_lists_like_java() {
        assert_eq!(ParsedValue::from(vec!["a", "b"]).java_string(), "[a, b]");
        assert_eq!(ParsedValue::List(vec![]).java_string(), "[]");
        assert_eq!(ParsedValue::Int(1).java_string(), "1");
    }

    #[test]
    fn doubles_print_like_java() {
        for (d, s) in [
            (1.0, "1.0"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (0.5, "0.5"),
            (123.456, "123.456"),
            (0.001, "0.001"),
            (0.0001, "1.0E-4"),
            (1.5e-5, "1.5E-5"),
            (9_999_999.0, "9999999.0"),
            (1e7, "1.0E7"),
            (1.2345e10, "1.2345E10"),
            (-2.5e20, "-2.5E20"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e-300, "1.0E-300"),
            (123_456_789_012.0, "1.23456789012E11"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
        ] {
            assert_eq!(java_double_to_string(d), s, "{d}");
        }
    }

    #[test]
    fn java_trim_strips_controls_but_not_unicode_spaces() {
        assert_eq!(java_trim(" \t\u{1}a b\n"), "a b");
        assert_eq!(java_trim("\u{a0}a\u{a0}"), "\u{a0}a\u{a0}");
    }

    #[test]
    fn accessors() {
        assert_eq!(ParsedValue::Short(2).as_i64(), Some(2));
        assert_eq!(ParsedValue::Long(2).as_f64(), Some(2.0));
        assert_eq!(ParsedValue::Class("C".into()).as_str(), Some("C"));
        assert_eq!(ParsedValue::Int(1).as_str(), None);
        assert_eq!(ParsedValue::Boolean(false).as_bool(), Some(false));
        assert_eq!(
            ParsedValue::from(vec!["x"]).as_list(),
            Some(&["x".to_owned()][..])
        );
        assert_eq!(
            ParsedValue::from(Password::new("p"))
                .as_password()
                .map(Password::value),
            Some("p")
        );
        assert_eq!(ParsedValue::Double(1.0).config_type(), ConfigType::Double);
        assert!(!DefaultValue::NoDefault.has_default());
        assert!(DefaultValue::Null.has_default());
        assert_eq!(
            DefaultValue::Value(1.into()).value(),
            Some(&ParsedValue::Int(1))
        );
    }
}
