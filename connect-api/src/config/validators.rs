//! Validators: per-key checks run after parsing (Java's `ConfigDef.Validator` and its
//! implementations), with Apache's exact error messages.
//!
//! A validator receives the parsed value, or `None` for Java's `null` (a null default, or a value
//! that failed to parse during [`ConfigDef::validate`](super::ConfigDef::validate), where Apache
//! still runs the validator). Its `description` is Java's `toString()`, shown in generated docs.

use std::fmt;
use std::sync::Arc;

use super::{ConfigError, ParsedValue};

/// A check on one key's parsed value (Java's `ConfigDef.Validator`).
///
/// Implement it for a type, use [`LambdaValidator::with`] for a closure with a description, or
/// pass any `Fn(&str, Option<&ParsedValue>) -> Result<(), ConfigError>` directly.
///
/// ```
/// use connect_api::config::{ConfigError, LambdaValidator, ParsedValue, Validator};
///
/// let even = LambdaValidator::with(
///     |name, value| match value.and_then(ParsedValue::as_i64) {
///         Some(n) if n % 2 == 0 => Ok(()),
///         _ => Err(ConfigError::invalid(name, value.map(|v| v.to_string()).as_deref(), "Value must be even")),
///     },
///     "an even number",
/// );
/// assert_eq!(
///     even.ensure_valid("n", Some(&ParsedValue::Int(3))).unwrap_err().to_string(),
///     "Invalid value 3 for configuration n: Value must be even"
/// );
/// ```
pub trait Validator: Send + Sync {
    /// Checks `value` for the key `name`; `None` is Java's `null`.
    fn ensure_valid(&self, name: &str, value: Option<&ParsedValue>) -> Result<(), ConfigError>;

    /// A short description of the valid values, for documentation (Java's `toString()`).
    fn description(&self) -> String {
        String::new()
    }
}

impl<F> Validator for F
where
    F: Fn(&str, Option<&ParsedValue>) -> Result<(), ConfigError> + Send + Sync,
{
    fn ensure_valid(&self, name: &str, value: Option<&ParsedValue>) -> Result<(), ConfigError> {
        self(name, value)
    }
}

/// How Java prints a possibly-null value in `ConfigException` messages.
fn shown(value: Option<&ParsedValue>) -> Option<String> {
    value.map(ParsedValue::java_string)
}

/// A numeric bound of a [`Range`], printed as Java prints the `Number` it was given
/// (`1` for an integer, `1.0` for a double).
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum RangeBound {
    /// An integer bound.
    Integer(i64),
    /// A floating-point bound.
    Double(f64),
}

impl RangeBound {
    fn as_f64(self) -> f64 {
        match self {
            RangeBound::Integer(n) => n as f64,
            RangeBound::Double(d) => d,
        }
    }
}

impl fmt::Display for RangeBound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RangeBound::Integer(n) => write!(f, "{n}"),
            RangeBound::Double(d) => f.write_str(&super::value::java_double_to_string(*d)),
        }
    }
}

macro_rules! range_bound_from {
    ($($t:ty => $variant:ident),*) => {$(
        impl From<$t> for RangeBound {
            fn from(n: $t) -> Self {
                RangeBound::$variant(n.into())
            }
        }
    )*};
}
range_bound_from!(i8 => Integer, i16 => Integer, i32 => Integer, i64 => Integer,
    u8 => Integer, u16 => Integer, u32 => Integer, f32 => Double, f64 => Double);

/// An inclusive numeric range (Java's `ConfigDef.Range`).
///
/// Messages: `Value must be at least <min>`, `Value must be no more than <max>`, and
/// `Value must be non-null` for a null value. Values are compared as doubles, as in Java.
#[derive(Debug, Clone, PartialEq)]
pub struct Range {
    min: Option<RangeBound>,
    max: Option<RangeBound>,
}

impl Range {
    /// A range with only a lower bound.
    pub fn at_least(min: impl Into<RangeBound>) -> Self {
        Range {
            min: Some(min.into()),
            max: None,
        }
    }

    /// A range with both bounds, inclusive.
    pub fn between(min: impl Into<RangeBound>, max: impl Into<RangeBound>) -> Self {
        Range {
            min: Some(min.into()),
            max: Some(max.into()),
        }
    }

    /// A range with only an upper bound. Java has no public factory for this; derived configs use
    /// it for schemas that only have a `maximum`.
    pub fn at_most(max: impl Into<RangeBound>) -> Self {
        Range {
            min: None,
            max: Some(max.into()),
        }
    }
}

impl Validator for Range {
    fn ensure_valid(&self, name: &str, value: Option<&ParsedValue>) -> Result<(), ConfigError> {
        let Some(value) = value else {
            return Err(ConfigError::invalid(name, None, "Value must be non-null"));
        };
        let Some(n) = value.as_f64() else {
            // Java would throw a ClassCastException; we report it as a config error instead.
            return Err(ConfigError::invalid(
                name,
                Some(&value.java_string()),
                "Value must be a number",
            ));
        };
        if let Some(min) = self.min.filter(|min| n < min.as_f64()) {
            return Err(ConfigError::invalid(
                name,
                Some(&value.java_string()),
                format!("Value must be at least {min}"),
            ));
        }
        if let Some(max) = self.max.filter(|max| n > max.as_f64()) {
            return Err(ConfigError::invalid(
                name,
                Some(&value.java_string()),
                format!("Value must be no more than {max}"),
            ));
        }
        Ok(())
    }

    fn description(&self) -> String {
        match (self.min, self.max) {
            (None, None) => "[...]".to_owned(),
            (None, Some(max)) => format!("[...,{max}]"),
            (Some(min), None) => format!("[{min},...]"),
            (Some(min), Some(max)) => format!("[{min},...,{max}]"),
        }
    }
}

/// The value must be one of the given strings, case-sensitively (Java's `ConfigDef.ValidString`).
///
/// Message: `String must be one of: a, b`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidString {
    valid: Vec<String>,
}

impl ValidString {
    /// Accepts exactly these strings (Java's `ValidString.in`).
    pub fn in_list<S: AsRef<str>>(valid: impl IntoIterator<Item = S>) -> Self {
        ValidString {
            valid: valid.into_iter().map(|s| s.as_ref().to_owned()).collect(),
        }
    }

    /// The accepted strings.
    pub fn valid_strings(&self) -> &[String] {
        &self.valid
    }
}

impl Validator for ValidString {
    fn ensure_valid(&self, name: &str, value: Option<&ParsedValue>) -> Result<(), ConfigError> {
        match value.and_then(ParsedValue::as_str) {
            Some(s) if self.valid.iter().any(|v| v == s) => Ok(()),
            _ => Err(ConfigError::invalid(
                name,
                shown(value).as_deref(),
                format!("String must be one of: {}", self.valid.join(", ")),
            )),
        }
    }

    fn description(&self) -> String {
        format!("[{}]", self.valid.join(", "))
    }
}

/// The value must be one of the given strings, ignoring case
/// (Java's `ConfigDef.CaseInsensitiveValidString`).
///
/// Message: `String must be one of (case insensitive): V1, V2`, listing the upper-cased strings in
/// the order Java's `HashSet` iterates them, so messages match Apache's byte for byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseInsensitiveValidString {
    /// Upper-cased, deduplicated, in Java `HashSet` iteration order.
    valid: Vec<String>,
}

impl CaseInsensitiveValidString {
    /// Accepts these strings in any case (Java's `CaseInsensitiveValidString.in`).
    pub fn in_list<S: AsRef<str>>(valid: impl IntoIterator<Item = S>) -> Self {
        let upper: Vec<String> = valid
            .into_iter()
            .map(|s| s.as_ref().to_uppercase())
            .collect();
        CaseInsensitiveValidString {
            valid: java_hash_set_order(upper),
        }
    }
}

impl Validator for CaseInsensitiveValidString {
    fn ensure_valid(&self, name: &str, value: Option<&ParsedValue>) -> Result<(), ConfigError> {
        match value.and_then(ParsedValue::as_str) {
            Some(s) if self.valid.contains(&s.to_uppercase()) => Ok(()),
            _ => Err(ConfigError::invalid(
                name,
                shown(value).as_deref(),
                format!(
                    "String must be one of (case insensitive): {}",
                    self.valid.join(", ")
                ),
            )),
        }
    }

    fn description(&self) -> String {
        format!("(case insensitive) [{}]", self.valid.join(", "))
    }
}

/// Orders distinct strings as a default-capacity `java.util.HashSet` filled with them iterates:
/// by bucket (`spread(hashCode) & (capacity - 1)`), then by insertion order within a bucket.
fn java_hash_set_order(items: Vec<String>) -> Vec<String> {
    let mut distinct: Vec<String> = Vec::new();
    for item in items {
        if !distinct.contains(&item) {
            distinct.push(item);
        }
    }
    // The table starts at 16 buckets and doubles whenever the size exceeds 3/4 of it.
    let mut capacity: u32 = 16;
    while distinct.len() as u64 > u64::from(capacity) * 3 / 4 {
        capacity *= 2;
    }
    let bucket = |s: &str| {
        let h = s
            .encode_utf16()
            .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c)));
        let spread = (h as u32) ^ ((h as u32) >> 16);
        spread & (capacity - 1)
    };
    // A stable sort keeps insertion order within a bucket.
    distinct.sort_by_key(|s| bucket(s));
    distinct
}

/// A string value must not be empty; null passes (Java's `ConfigDef.NonEmptyString`).
///
/// Message: `String must be non-empty`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NonEmptyString;

impl Validator for NonEmptyString {
    fn ensure_valid(&self, name: &str, value: Option<&ParsedValue>) -> Result<(), ConfigError> {
        match value.and_then(ParsedValue::as_str) {
            Some("") => Err(ConfigError::invalid(
                name,
                Some(""),
                "String must be non-empty",
            )),
            _ => Ok(()),
        }
    }

    fn description(&self) -> String {
        "non-empty string".to_owned()
    }
}

/// A string value must be non-empty and free of ISO control characters; null passes
/// (Java's `ConfigDef.NonEmptyStringWithoutControlChars`, used for connector names).
///
/// Messages: `String may not be empty` and
/// `String may not contain control sequences but had the following ASCII chars: 10, 13`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NonEmptyStringWithoutControlChars;

impl Validator for NonEmptyStringWithoutControlChars {
    fn ensure_valid(&self, name: &str, value: Option<&ParsedValue>) -> Result<(), ConfigError> {
        let Some(s) = value.and_then(ParsedValue::as_str) else {
            // Java lets null through: a missing name is reported by the required-key check.
            return Ok(());
        };
        if s.is_empty() {
            return Err(ConfigError::invalid(
                name,
                Some(s),
                "String may not be empty",
            ));
        }
        // Java's Character.isISOControl: U+0000..U+001F and U+007F..U+009F.
        let controls: Vec<String> = s
            .chars()
            .filter(|c| c.is_control())
            .map(|c| u32::from(c).to_string())
            .collect();
        if controls.is_empty() {
            Ok(())
        } else {
            Err(ConfigError::invalid(
                name,
                Some(s),
                format!(
                    "String may not contain control sequences but had the following ASCII chars: {}",
                    controls.join(", ")
                ),
            ))
        }
    }

    fn description(&self) -> String {
        "non-empty string without ISO control characters".to_owned()
    }
}

/// The value must not be null (Java's `ConfigDef.NonNullValidator`).
///
/// Message: `Invalid value null for configuration <name>: entry must be non null`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NonNullValidator;

impl Validator for NonNullValidator {
    fn ensure_valid(&self, name: &str, value: Option<&ParsedValue>) -> Result<(), ConfigError> {
        match value {
            Some(_) => Ok(()),
            None => Err(ConfigError::invalid(
                name,
                Some("null"),
                "entry must be non null",
            )),
        }
    }

    fn description(&self) -> String {
        "non-null string".to_owned()
    }
}

/// A list value must be non-null and non-empty (Connect's `NonEmptyListValidator`).
///
/// Message: `Empty list`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NonEmptyList;

impl Validator for NonEmptyList {
    fn ensure_valid(&self, name: &str, value: Option<&ParsedValue>) -> Result<(), ConfigError> {
        match value.and_then(ParsedValue::as_list) {
            Some(items) if !items.is_empty() => Ok(()),
            _ => Err(ConfigError::invalid(
                name,
                shown(value).as_deref(),
                "Empty list",
            )),
        }
    }

    fn description(&self) -> String {
        "non-empty list".to_owned()
    }
}

/// Every item of a list value must be one of the given strings (Java's `ConfigDef.ValidList`).
///
/// The error is the [`ValidString`] one for the first bad item: `Invalid value x for
/// configuration k: String must be one of: a, b`. A null list passes (Java would throw a
/// `NullPointerException`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidList {
    valid: ValidString,
}

impl ValidList {
    /// Accepts lists whose items are all among these strings (Java's `ValidList.in`).
    pub fn in_list<S: AsRef<str>>(valid: impl IntoIterator<Item = S>) -> Self {
        ValidList {
            valid: ValidString::in_list(valid),
        }
    }
}

impl Validator for ValidList {
    fn ensure_valid(&self, name: &str, value: Option<&ParsedValue>) -> Result<(), ConfigError> {
        for item in value.and_then(ParsedValue::as_list).unwrap_or_default() {
            self.valid
                .ensure_valid(name, Some(&ParsedValue::String(item.clone())))?;
        }
        Ok(())
    }

    fn description(&self) -> String {
        self.valid.description()
    }
}

/// A list value may have at most this many items (Java's `ConfigDef.ListSize`).
///
/// Message: `exceeds maximum list size of [<max>].`
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListSize {
    max: usize,
}

impl ListSize {
    /// At most `max` items (Java's `ListSize.atMostOfSize`).
    pub fn at_most_of_size(max: usize) -> Self {
        ListSize { max }
    }
}

impl Validator for ListSize {
    fn ensure_valid(&self, name: &str, value: Option<&ParsedValue>) -> Result<(), ConfigError> {
        match value.and_then(ParsedValue::as_list) {
            Some(items) if items.len() > self.max => Err(ConfigError::invalid(
                name,
                shown(value).as_deref(),
                format!("exceeds maximum list size of [{}].", self.max),
            )),
            _ => Ok(()),
        }
    }

    fn description(&self) -> String {
        format!("List containing maximum of {} elements", self.max)
    }
}

/// A string value must be a valid regular expression (Connect's `RegexValidator`).
///
/// Message: `Invalid regex: <reason>`. The reason is the `regex` crate's, not Java's, and the
/// syntax is the `regex` crate's (no look-around or back-references). A null value passes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RegexValidator;

impl Validator for RegexValidator {
    fn ensure_valid(&self, name: &str, value: Option<&ParsedValue>) -> Result<(), ConfigError> {
        let Some(pattern) = value.and_then(ParsedValue::as_str) else {
            return Ok(());
        };
        match regex::Regex::new(pattern) {
            Ok(_) => Ok(()),
            Err(e) => Err(ConfigError::invalid(
                name,
                Some(pattern),
                format!("Invalid regex: {e}"),
            )),
        }
    }

    fn description(&self) -> String {
        "valid regex".to_owned()
    }
}

/// Runs several validators in order; the first failure wins (Java's `ConfigDef.CompositeValidator`).
#[derive(Clone, Default)]
pub struct CompositeValidator {
    validators: Vec<Arc<dyn Validator>>,
}

impl CompositeValidator {
    /// An empty composite, to extend with [`CompositeValidator::and`].
    pub fn new() -> Self {
        CompositeValidator::default()
    }

    /// A composite of the given validators (Java's `CompositeValidator.of`).
    pub fn of(validators: impl IntoIterator<Item = Arc<dyn Validator>>) -> Self {
        CompositeValidator {
            validators: validators.into_iter().collect(),
        }
    }

    /// Adds a validator that runs after the ones already added.
    #[must_use]
    pub fn and(mut self, validator: impl Validator + 'static) -> Self {
        self.validators.push(Arc::new(validator));
        self
    }
}

impl Validator for CompositeValidator {
    fn ensure_valid(&self, name: &str, value: Option<&ParsedValue>) -> Result<(), ConfigError> {
        self.validators
            .iter()
            .try_for_each(|v| v.ensure_valid(name, value))
    }

    fn description(&self) -> String {
        self.validators
            .iter()
            .map(|v| v.description())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Debug for CompositeValidator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CompositeValidator")
            .field(&self.description())
            .finish()
    }
}

/// A validator made of a closure and a description (Java's `ConfigDef.LambdaValidator`).
pub struct LambdaValidator<F> {
    ensure_valid: F,
    description: String,
}

impl<F> LambdaValidator<F>
where
    F: Fn(&str, Option<&ParsedValue>) -> Result<(), ConfigError> + Send + Sync,
{
    /// Wraps `ensure_valid`, described as `description` in docs.
    pub fn with(ensure_valid: F, description: impl Into<String>) -> Self {
        LambdaValidator {
            ensure_valid,
            description: description.into(),
        }
    }
}

impl<F> Validator for LambdaValidator<F>
where
    F: Fn(&str, Option<&ParsedValue>) -> Result<(), ConfigError> + Send + Sync,
{
    fn ensure_valid(&self, name: &str, value: Option<&ParsedValue>) -> Result<(), ConfigError> {
        (self.ensure_valid)(name, value)
    }

    fn description(&self) -> String {
        self.description.clone()
    }
}

impl<F> fmt::Debug for LambdaValidator<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("LambdaValidator")
            .field(&self.description)
            .finish()
    }
}

/// The validator of a key embedded under a prefix: it hands the base validator the name without
/// the prefix, as Java's `ConfigDef.embeddedValidator` does (so messages name the unprefixed key).
pub(crate) struct EmbeddedValidator {
    pub(crate) prefix: String,
    pub(crate) base: Arc<dyn Validator>,
}

impl Validator for EmbeddedValidator {
    fn ensure_valid(&self, name: &str, value: Option<&ParsedValue>) -> Result<(), ConfigError> {
        self.base.ensure_valid(
            name.strip_prefix(self.prefix.as_str()).unwrap_or(name),
            value,
        )
    }

    fn description(&self) -> String {
        self.base.description()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(v: &dyn Validator, value: Option<ParsedValue>) -> String {
        v.ensure_valid("k", value.as_ref()).unwrap_err().to_string()
    }

    fn ok(v: &dyn Validator, value: Option<ParsedValue>) {
        v.ensure_valid("k", value.as_ref()).unwrap();
    }

    #[test]
    fn range_messages() {
        let at_least = Range::at_least(1);
        ok(&at_least, Some(1.into()));
        assert_eq!(
            err(&at_least, Some(0.into())),
            "Invalid value 0 for configuration k: Value must be at least 1"
        );
        assert_eq!(
            err(&at_least, None),
            "Invalid value null for configuration k: Value must be non-null"
        );
        let between = Range::between(1, 10);
        ok(&between, Some(ParsedValue::Long(10)));
        assert_eq!(
            err(&between, Some(ParsedValue::Short(11))),
            "Invalid value 11 for configuration k: Value must be no more than 10"
        );
        assert_eq!(
            err(&Range::at_least(0.5), Some(ParsedValue::Double(0.25))),
            "Invalid value 0.25 for configuration k: Value must be at least 0.5"
        );
        assert_eq!(
            err(&Range::at_least(1.0), Some(ParsedValue::Double(0.0))),
            "Invalid value 0.0 for configuration k: Value must be at least 1.0"
        );
        assert_eq!(between.description(), "[1,...,10]");
        assert_eq!(at_least.description(), "[1,...]");
        assert_eq!(Range::at_most(3).description(), "[...,3]");
    }

    #[test]
    fn valid_string_messages() {
        let v = ValidString::in_list(["a", "b"]);
        ok(&v, Some("a".into()));
        assert_eq!(
            err(&v, Some("c".into())),
            "Invalid value c for configuration k: String must be one of: a, b"
        );
        assert_eq!(
            err(&v, Some("A".into())),
            "Invalid value A for configuration k: String must be one of: a, b"
        );
        assert_eq!(
            err(&v, None),
            "Invalid value null for configuration k: String must be one of: a, b"
        );
        assert_eq!(v.description(), "[a, b]");
    }

    #[test]
    fn case_insensitive_valid_string_messages() {
        let v = CaseInsensitiveValidString::in_list(["v1", "V2"]);
        ok(&v, Some("V1".into()));
        ok(&v, Some("v2".into()));
        assert_eq!(
            err(&v, Some("v3".into())),
            "Invalid value v3 for configuration k: String must be one of (case insensitive): V1, V2"
        );
        assert_eq!(v.description(), "(case insensitive) [V1, V2]");
    }

    #[test]
    fn case_insensitive_lists_in_java_hash_set_order() {
        // From Apache's GroupCoordinatorConfigTest: the enum declares BIDIRECTIONAL, UPGRADE,
        // DOWNGRADE, DISABLED, and the HashSet iterates them in this order.
        let v = CaseInsensitiveValidString::in_list([
            "bidirectional",
            "upgrade",
            "downgrade",
            "disabled",
        ]);
        assert_eq!(
            err(&v, Some("foobar".into())),
            "Invalid value foobar for configuration k: String must be one of (case insensitive): DISABLED, DOWNGRADE, UPGRADE, BIDIRECTIONAL"
        );
        // Hash codes: "A" = 65 -> bucket 1, "B" = 66 -> bucket 2, "Q" = 81 -> bucket 1; ties keep insertion order.
        assert_eq!(
            java_hash_set_order(vec!["B".into(), "Q".into(), "A".into(), "Q".into()]),
            ["Q", "A", "B"]
        );
        // 13 items resize the table to 32 buckets; order checked against a real JVM.
        let many = [
            "none", "all", "errors", "fail", "ignore", "log", "b", "q", "a", "JSON", "AVRO",
            "STRING", "PROTOBUF",
        ];
        assert_eq!(
            CaseInsensitiveValidString::in_list(many).description(),
            "(case insensitive) [ALL, A, B, ERRORS, LOG, JSON, IGNORE, AVRO, Q, STRING, PROTOBUF, NONE, FAIL]"
        );
    }

    #[test]
    fn non_empty_string() {
        ok(&NonEmptyString, Some("x".into()));
        ok(&NonEmptyString, None);
        assert_eq!(
            err(&NonEmptyString, Some("".into())),
            "Invalid value  for configuration k: String must be non-empty"
        );
    }

    #[test]
    fn non_empty_string_without_control_chars() {
        let v = NonEmptyStringWithoutControlChars;
        ok(&v, Some("name".into()));
        ok(&v, None);
        assert_eq!(
            err(&v, Some("".into())),
            "Invalid value  for configuration k: String may not be empty"
        );
        assert_eq!(
            err(&v, Some("a\nb\r".into())),
            "Invalid value a\nb\r for configuration k: String may not contain control sequences but had the following ASCII chars: 10, 13"
        );
    }

    #[test]
    fn non_null() {
        ok(&NonNullValidator, Some("".into()));
        assert_eq!(
            err(&NonNullValidator, None),
            "Invalid value null for configuration k: entry must be non null"
        );
    }

    #[test]
    fn non_empty_list() {
        ok(&NonEmptyList, Some(vec!["a"].into()));
        assert_eq!(
            err(&NonEmptyList, Some(ParsedValue::List(vec![]))),
            "Invalid value [] for configuration k: Empty list"
        );
        assert_eq!(
            err(&NonEmptyList, None),
            "Invalid value null for configuration k: Empty list"
        );
    }

    #[test]
    fn valid_list_and_list_size() {
        let v = ValidList::in_list(["a", "b"]);
        ok(&v, Some(vec!["a", "b", "a"].into()));
        ok(&v, Some(ParsedValue::List(vec![])));
        assert_eq!(
            err(&v, Some(vec!["a", "c"].into())),
            "Invalid value c for configuration k: String must be one of: a, b"
        );
        let size = ListSize::at_most_of_size(1);
        ok(&size, Some(vec!["a"].into()));
        assert_eq!(
            err(&size, Some(vec!["a", "b"].into())),
            "Invalid value [a, b] for configuration k: exceeds maximum list size of [1]."
        );
    }

    #[test]
    fn regex() {
        ok(&RegexValidator, Some("a.*b".into()));
        assert!(err(&RegexValidator, Some("(".into()))
            .starts_with("Invalid value ( for configuration k: Invalid regex: "));
    }

    #[test]
    fn composite_and_lambda() {
        let v = CompositeValidator::new()
            .and(NonEmptyString)
            .and(ValidString::in_list(["x"]));
        ok(&v, Some("x".into()));
        assert_eq!(
            err(&v, Some("".into())),
            "Invalid value  for configuration k: String must be non-empty"
        );
        assert_eq!(
            err(&v, Some("y".into())),
            "Invalid value y for configuration k: String must be one of: x"
        );
        assert_eq!(v.description(), "non-empty string, [x]");
        let closure =
            |name: &str, _: Option<&ParsedValue>| Err(ConfigError::other(Some(name), "nope"));
        assert_eq!(err(&closure, None), "nope");
        let lambda = LambdaValidator::with(|_, _| Ok(()), "anything");
        ok(&lambda, None);
        assert_eq!(lambda.description(), "anything");
    }

    #[test]
    fn embedded_validator_strips_the_prefix() {
        let v = EmbeddedValidator {
            prefix: "transforms.a.".into(),
            base: Arc::new(Range::at_least(1)),
        };
        assert_eq!(
            v.ensure_valid("transforms.a.n", Some(&ParsedValue::Int(0)))
                .unwrap_err()
                .to_string(),
            "Invalid value 0 for configuration n: Value must be at least 1"
        );
    }
}
