//! Parsing raw strings and typed defaults into [`ParsedValue`]s, exactly as Java's
//! `ConfigDef.parseType`, including its error messages.

use super::value::java_trim;
use super::{ConfigError, ConfigType, ParsedValue, Password};

/// Parses a raw string as a value of `config_type`, as Java's `ConfigDef.parseType` does for a
/// `String` input. `name` is only used in the error.
///
/// The value is trimmed first (Java's `String.trim`); booleans are case-insensitive; numbers
/// follow Java's `Integer.parseInt`/`Long.parseLong`/`Double.parseDouble`; a list is split on
/// commas with the whitespace around each comma removed (`""` is the empty list, `"a,,b"` keeps
/// its empty item); a class is its trimmed name.
pub(crate) fn parse_type(
    name: &str,
    raw: &str,
    config_type: ConfigType,
) -> Result<ParsedValue, ConfigError> {
    let trimmed = java_trim(raw);
    let not_a_number = || {
        ConfigError::invalid(
            name,
            Some(raw),
            format!("Not a number of type {config_type}"),
        )
    };
    Ok(match config_type {
        ConfigType::Boolean => {
            if trimmed.eq_ignore_ascii_case("true") {
                ParsedValue::Boolean(true)
            } else if trimmed.eq_ignore_ascii_case("false") {
                ParsedValue::Boolean(false)
            } else {
                return Err(ConfigError::invalid(
                    name,
                    Some(raw),
                    "Expected value to be either true or false",
                ));
            }
        }
        ConfigType::Password => ParsedValue::Password(Password::new(trimmed)),
        ConfigType::String => ParsedValue::String(trimmed.to_owned()),
        ConfigType::Int => ParsedValue::Int(trimmed.parse().map_err(|_| not_a_number())?),
        ConfigType::Short => ParsedValue::Short(trimmed.parse().map_err(|_| not_a_number())?),
        ConfigType::Long => ParsedValue::Long(trimmed.parse().map_err(|_| not_a_number())?),
        ConfigType::Double => {
            ParsedValue::Double(parse_java_double(trimmed).ok_or_else(not_a_number)?)
        }
        ConfigType::List => ParsedValue::List(split_list(trimmed)),
        ConfigType::Class => {
            // Java loads the class here; we cannot, so only the name Java could never load (the
            // empty one) fails, with Java's message. The runtime resolves the name later.
            if trimmed.is_empty() {
                return Err(ConfigError::invalid(
                    name,
                    Some(raw),
                    format!("Class {raw} could not be found."),
                ));
            }
            ParsedValue::Class(trimmed.to_owned())
        }
    })
}

/// Splits an already trimmed list value as Java's `COMMA_WITH_WHITESPACE.split(trimmed, -1)`:
/// `\s*,\s*` as separator, trailing empty items kept, and `""` as the empty list.
fn split_list(trimmed: &str) -> Vec<String> {
    if trimmed.is_empty() {
        return Vec::new();
    }
    // Java's regex `\s` is exactly [ \t\n\x0B\f\r].
    let is_java_space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\u{b}' | '\u{c}' | '\r');
    trimmed
        .split(',')
        .map(|item| item.trim_matches(is_java_space).to_owned())
        .collect()
}

/// Java's `Double.parseDouble` on a trimmed string: an optional sign, then `NaN`, `Infinity` or
/// a decimal number with an optional exponent and an optional `f`/`F`/`d`/`D` suffix.
/// Rust-only spellings (`inf`, `nan`) are rejected; Java's hexadecimal floats are not supported.
fn parse_java_double(s: &str) -> Option<f64> {
    let (negative, unsigned) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let magnitude = match unsigned {
        "NaN" => f64::NAN,
        "Infinity" => f64::INFINITY,
        _ => {
            let digits = unsigned
                .strip_suffix(['f', 'F', 'd', 'D'])
                .unwrap_or(unsigned);
            // Rust's parser also accepts "inf"/"nan"/"infinity"; Java numbers start with a digit
            // or a point, and contain nothing but digits, a point and an exponent.
            let looks_decimal = digits.starts_with(|c: char| c.is_ascii_digit() || c == '.')
                && digits
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'));
            if !looks_decimal {
                return None;
            }
            digits.parse::<f64>().ok()?
        }
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// Brings a typed value (a default given in code) to `config_type`, as Java's `parseType` does
/// for non-`String` inputs: strings are parsed, matching values pass, `INT` widens to `LONG`,
/// any number converts to `DOUBLE`, anything else is rejected with Java's message.
///
/// One deliberate leniency: an integer literal converts to any integer type it fits, so
/// `.default_value(5)` works for `SHORT` and `LONG` keys (Java rejects an `Integer` for `SHORT`).
pub(crate) fn coerce(
    name: &str,
    value: ParsedValue,
    config_type: ConfigType,
) -> Result<ParsedValue, ConfigError> {
    if let ParsedValue::String(raw) = &value {
        return parse_type(name, raw, config_type);
    }
    if value.config_type() == config_type {
        return Ok(value);
    }
    let wrong = |expected: &str| {
        Err(ConfigError::invalid(
            name,
            Some(&value.java_string()),
            format!("{expected}{}", value.java_class_name()),
        ))
    };
    match config_type {
        ConfigType::Boolean => Err(ConfigError::invalid(
            name,
            Some(&value.java_string()),
            "Expected value to be either true or false",
        )),
        ConfigType::Password | ConfigType::String => {
            wrong("Expected value to be a string, but it was a ")
        }
        ConfigType::Int => match value.as_i64().map(i32::try_from) {
            Some(Ok(n)) => Ok(ParsedValue::Int(n)),
            _ => wrong("Expected value to be a 32-bit integer, but it was a "),
        },
        ConfigType::Short => match value.as_i64().map(i16::try_from) {
            Some(Ok(n)) => Ok(ParsedValue::Short(n)),
            _ => wrong("Expected value to be a 16-bit integer (short), but it was a "),
        },
        ConfigType::Long => match value.as_i64() {
            Some(n) => Ok(ParsedValue::Long(n)),
            None => wrong("Expected value to be a 64-bit integer (long), but it was a "),
        },
        ConfigType::Double => match value.as_f64() {
            Some(d) => Ok(ParsedValue::Double(d)),
            None => wrong("Expected value to be a double, but it was a "),
        },
        ConfigType::List => Err(ConfigError::invalid(
            name,
            Some(&value.java_string()),
            "Expected a comma separated list.",
        )),
        ConfigType::Class => Err(ConfigError::invalid(
            name,
            Some(&value.java_string()),
            "Expected a Class instance or class name.",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str, t: ConfigType) -> Result<ParsedValue, String> {
        parse_type("k", raw, t).map_err(|e| e.to_string())
    }

    fn list(raw: &str) -> Vec<String> {
        match parse(raw, ConfigType::List) {
            Ok(ParsedValue::List(items)) => items,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn booleans_are_case_insensitive_after_trim() {
        assert_eq!(
            parse(" TRUE ", ConfigType::Boolean),
            Ok(ParsedValue::Boolean(true))
        );
        assert_eq!(
            parse("False", ConfigType::Boolean),
            Ok(ParsedValue::Boolean(false))
        );
        assert_eq!(
            parse("yes", ConfigType::Boolean),
            Err(
                "Invalid value yes for configuration k: Expected value to be either true or false"
                    .into()
            )
        );
    }

    #[test]
    fn integers_follow_java() {
        assert_eq!(parse(" 42 ", ConfigType::Int), Ok(ParsedValue::Int(42)));
        assert_eq!(parse("+7", ConfigType::Int), Ok(ParsedValue::Int(7)));
        assert_eq!(
            parse("-32768", ConfigType::Short),
            Ok(ParsedValue::Short(-32768))
        );
        assert_eq!(
            parse("9223372036854775807", ConfigType::Long),
            Ok(ParsedValue::Long(i64::MAX))
        );
        assert_eq!(
            parse("abc", ConfigType::Int),
            Err("Invalid value abc for configuration k: Not a number of type INT".into())
        );
        assert_eq!(
            parse("2147483648", ConfigType::Int),
            Err("Invalid value 2147483648 for configuration k: Not a number of type INT".into())
        );
        assert_eq!(
            parse("40000", ConfigType::Short),
            Err("Invalid value 40000 for configuration k: Not a number of type SHORT".into())
        );
        assert_eq!(
            parse("1.5", ConfigType::Long),
            Err("Invalid value 1.5 for configuration k: Not a number of type LONG".into())
        );
        // The message shows the value as given, untrimmed, as Java's does.
        assert_eq!(
            parse(" ", ConfigType::Int),
            Err("Invalid value   for configuration k: Not a number of type INT".into())
        );
    }

    #[test]
    fn doubles_follow_java() {
        assert_eq!(
            parse("1.5", ConfigType::Double),
            Ok(ParsedValue::Double(1.5))
        );
        assert_eq!(
            parse(" -2e3 ", ConfigType::Double),
            Ok(ParsedValue::Double(-2000.0))
        );
        assert_eq!(
            parse("1.5f", ConfigType::Double),
            Ok(ParsedValue::Double(1.5))
        );
        assert_eq!(
            parse(".5", ConfigType::Double),
            Ok(ParsedValue::Double(0.5))
        );
        assert_eq!(
            parse("-Infinity", ConfigType::Double),
            Ok(ParsedValue::Double(f64::NEG_INFINITY))
        );
        assert!(
            matches!(parse("NaN", ConfigType::Double), Ok(ParsedValue::Double(d)) if d.is_nan())
        );
        for bad in ["inf", "nan", "infinity", "1,5", "", "abc", "1.5x"] {
            assert_eq!(
                parse(bad, ConfigType::Double),
                Err(format!(
                    "Invalid value {bad} for configuration k: Not a number of type DOUBLE"
                ))
            );
        }
    }

    #[test]
    fn strings_classes_and_passwords_are_trimmed() {
        assert_eq!(
            parse("  x y ", ConfigType::String),
            Ok(ParsedValue::String("x y".into()))
        );
        assert_eq!(
            parse("", ConfigType::String),
            Ok(ParsedValue::String(String::new()))
        );
        assert_eq!(
            parse(" a.B ", ConfigType::Class),
            Ok(ParsedValue::Class("a.B".into()))
        );
        assert_eq!(
            parse(" ", ConfigType::Class),
            Err("Invalid value   for configuration k: Class   could not be found.".into())
        );
        assert_eq!(
            parse(" pw ", ConfigType::Password),
            Ok(ParsedValue::Password(Password::new("pw")))
        );
    }

    #[test]
    fn lists_split_like_java() {
        assert_eq!(list(" a , b "), ["a", "b"]);
        assert_eq!(list(""), Vec::<String>::new());
        assert_eq!(list("   "), Vec::<String>::new());
        assert_eq!(list("a,,b"), ["a", "", "b"]);
        assert_eq!(list("a,"), ["a", ""]);
        assert_eq!(list(",a"), ["", "a"]);
        assert_eq!(list(","), ["", ""]);
        assert_eq!(list("a\t,\nb c"), ["a", "b c"]);
    }

    #[test]
    fn coerce_follows_parse_type_for_objects() {
        let c = |v: ParsedValue, t| coerce("k", v, t).map_err(|e| e.to_string());
        assert_eq!(c("5".into(), ConfigType::Long), Ok(ParsedValue::Long(5)));
        assert_eq!(c(5.into(), ConfigType::Long), Ok(ParsedValue::Long(5)));
        assert_eq!(c(5.into(), ConfigType::Short), Ok(ParsedValue::Short(5)));
        assert_eq!(
            c(5.into(), ConfigType::Double),
            Ok(ParsedValue::Double(5.0))
        );
        assert_eq!(
            c(" a, b".into(), ConfigType::List),
            Ok(ParsedValue::from(vec!["a", "b"]))
        );
        assert_eq!(
            c(70_000.into(), ConfigType::Short),
            Err("Invalid value 70000 for configuration k: Expected value to be a 16-bit integer (short), but it was a java.lang.Integer".into())
        );
        assert_eq!(
            c(true.into(), ConfigType::String),
            Err("Invalid value true for configuration k: Expected value to be a string, but it was a java.lang.Boolean".into())
        );
        assert_eq!(
            c(1.into(), ConfigType::Boolean),
            Err(
                "Invalid value 1 for configuration k: Expected value to be either true or false"
                    .into()
            )
        );
        assert_eq!(
            c(1.into(), ConfigType::List),
            Err("Invalid value 1 for configuration k: Expected a comma separated list.".into())
        );
    }
}
