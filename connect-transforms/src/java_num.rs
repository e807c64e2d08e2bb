//! Java's number semantics that the transforms depend on: `Number.xxxValue()` narrowing,
//! `Byte/Short/Integer/Long.parseX`, `Float.parseFloat` / `Double.parseDouble`, `toString`.

use connect_api::data::java_format::{big_decimal_to_string, double_to_string, float_to_string};
use connect_api::data::BigDecimal;
use num_bigint::{BigInt, Sign};

/// A Java `Number`: what `instanceof Number` matches among Connect values.
#[derive(Debug, Clone, Copy)]
pub(crate) enum JavaNumber<'a> {
    /// Byte, Short, Integer or Long (widened; narrowing wraps as Java's casts do).
    Integer(i64),
    /// Float.
    Float(f32),
    /// Double.
    Double(f64),
    /// BigDecimal.
    Decimal(&'a BigDecimal),
}

impl JavaNumber<'_> {
    /// `longValue()`: floats saturate (NaN → 0), decimals keep the low 64 bits of their
    /// integer part.
    pub(crate) fn long_value(self) -> i64 {
        match self {
            JavaNumber::Integer(v) => v,
            JavaNumber::Float(f) => f as i64,
            JavaNumber::Double(d) => d as i64,
            JavaNumber::Decimal(d) => low_64_bits(&truncate(d)),
        }
    }

    /// `intValue()`: floats saturate to the int range, integers and decimals wrap.
    pub(crate) fn int_value(self) -> i32 {
        match self {
            JavaNumber::Float(f) => f as i32,
            JavaNumber::Double(d) => d as i32,
            other => other.long_value() as i32,
        }
    }

    /// `shortValue()`: `(short) intValue()`.
    pub(crate) fn short_value(self) -> i16 {
        self.int_value() as i16
    }

    /// `byteValue()`: `(byte) intValue()`.
    pub(crate) fn byte_value(self) -> i8 {
        self.int_value() as i8
    }

    /// `doubleValue()`.
    pub(crate) fn double_value(self) -> f64 {
        match self {
            JavaNumber::Integer(v) => v as f64,
            JavaNumber::Float(f) => f64::from(f),
            JavaNumber::Double(d) => d,
            JavaNumber::Decimal(d) => big_decimal_to_string(d).parse().unwrap_or(f64::NAN),
        }
    }

    /// `floatValue()`.
    pub(crate) fn float_value(self) -> f32 {
        match self {
            JavaNumber::Integer(v) => v as f32,
            JavaNumber::Float(f) => f,
            JavaNumber::Double(d) => d as f32,
            JavaNumber::Decimal(d) => big_decimal_to_string(d).parse().unwrap_or(f32::NAN),
        }
    }

    /// `toString()`.
    pub(crate) fn to_java_string(self) -> String {
        match self {
            JavaNumber::Integer(v) => v.to_string(),
            JavaNumber::Float(f) => float_to_string(f),
            JavaNumber::Double(d) => double_to_string(d),
            JavaNumber::Decimal(d) => big_decimal_to_string(d),
        }
    }
}

/// The integer part of a decimal, rounding toward zero (`BigDecimal.toBigInteger()`).
fn truncate(d: &BigDecimal) -> BigInt {
    let (unscaled, scale) = d.as_bigint_and_exponent();
    if scale <= 0 {
        unscaled * num_traits::pow(BigInt::from(10), (-scale) as usize)
    } else {
        unscaled / num_traits::pow(BigInt::from(10), scale as usize)
    }
}

/// `BigInteger.longValue()`: the low 64 bits in two's complement.
fn low_64_bits(v: &BigInt) -> i64 {
    let (sign, digits) = v.to_u64_digits();
    let low = digits.first().copied().unwrap_or(0);
    if sign == Sign::Minus {
        low.wrapping_neg() as i64
    } else {
        low as i64
    }
}

/// Java's `String.trim()`: strips every char up to U+0020 from both ends.
pub(crate) fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// The text of a Java floating point literal as `Double.parseDouble` accepts it, normalised for
/// Rust's parser; `None` if Java would throw `NumberFormatException`.
enum JavaFloatText<'a> {
    Decimal(String),
    Special(f64),
    Hex(bool, &'a str),
}

fn java_float_text(s: &str) -> Option<JavaFloatText<'_>> {
    let t = java_trim(s);
    let (negative, unsigned) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let sign = if negative { -1.0 } else { 1.0 };
    match unsigned {
        "NaN" => return Some(JavaFloatText::Special(f64::NAN)),
        "Infinity" => return Some(JavaFloatText::Special(sign * f64::INFINITY)),
        _ => {}
    }
    if unsigned.starts_with("0x") || unsigned.starts_with("0X") {
        return Some(JavaFloatText::Hex(negative, &unsigned[2..]));
    }
    let body = unsigned
        .strip_suffix(['f', 'F', 'd', 'D'])
        .unwrap_or(unsigned);
    let ok = body.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'));
    if !ok {
        return None;
    }
    Some(JavaFloatText::Decimal(format!(
        "{}{body}",
        if negative { "-" } else { "" }
    )))
}

/// A Java hexadecimal floating point literal after `0x`: `h.hhhp±d` with an optional suffix.
fn parse_hex_float(negative: bool, s: &str) -> Option<f64> {
    let s = s.strip_suffix(['f', 'F', 'd', 'D']).unwrap_or(s);
    let (mantissa, exponent) = s.split_once(['p', 'P'])?;
    let exponent: i32 = exponent.parse().ok()?;
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let mut value = 0f64;
    for c in int_part.chars().chain(frac_part.chars()) {
        value = value * 16.0 + f64::from(c.to_digit(16)?);
    }
    let shift = exponent.checked_sub(4 * i32::try_from(frac_part.len()).ok()?)?;
    let v = value * 2f64.powi(shift);
    Some(if negative { -v } else { v })
}

/// Java's `Double.parseDouble`.
pub(crate) fn parse_java_double(s: &str) -> Option<f64> {
    match java_float_text(s)? {
        JavaFloatText::Decimal(t) => t.parse().ok(),
        JavaFloatText::Special(v) => Some(v),
        JavaFloatText::Hex(neg, h) => parse_hex_float(neg, h),
    }
}

/// Java's `Float.parseFloat` (decimal text is rounded straight to `f32`, as Java does).
pub(crate) fn parse_java_float(s: &str) -> Option<f32> {
    match java_float_text(s)? {
        JavaFloatText::Decimal(t) => t.parse().ok(),
        JavaFloatText::Special(v) => Some(v as f32),
        JavaFloatText::Hex(neg, h) => parse_hex_float(neg, h).map(|v| v as f32),
    }
}

/// Java's `Long.parseLong` and friends: an optional sign and ASCII digits, in range.
pub(crate) fn parse_java_integer<T: std::str::FromStr>(s: &str) -> Option<T> {
    // Rust's integer parser has exactly Java's grammar (sign, digits), except that Java also
    // accepts non-ASCII Unicode digits.
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn narrowing_matches_java() {
        let d = BigDecimal::from_str("2147483648").unwrap();
        assert_eq!(JavaNumber::Decimal(&d).int_value(), i32::MIN);
        let d = BigDecimal::from_str("-1.9").unwrap();
        assert_eq!(JavaNumber::Decimal(&d).long_value(), -1);
        let d = BigDecimal::from_str("1E+3").unwrap();
        assert_eq!(JavaNumber::Decimal(&d).long_value(), 1000);
        let d = BigDecimal::from_str("18446744073709551617").unwrap();
        assert_eq!(JavaNumber::Decimal(&d).long_value(), 1);
        assert_eq!(JavaNumber::Integer(300).byte_value(), 44);
        assert_eq!(JavaNumber::Float(1e20).int_value(), i32::MAX);
        assert_eq!(JavaNumber::Float(1e20).byte_value(), -1);
        assert_eq!(JavaNumber::Double(f64::NAN).long_value(), 0);
        assert_eq!(JavaNumber::Double(-42.9).int_value(), -42);
        assert_eq!(
            JavaNumber::Integer(i64::MAX).double_value(),
            9.223372036854776E18
        );
    }

    #[test]
    fn parsing_matches_java() {
        assert_eq!(parse_java_double(" 1.5 "), Some(1.5));
        assert_eq!(parse_java_double("1e3d"), Some(1000.0));
        assert_eq!(parse_java_double("-Infinity"), Some(f64::NEG_INFINITY));
        assert!(parse_java_double("NaN").unwrap().is_nan());
        assert_eq!(parse_java_double("0x1.8p1"), Some(3.0));
        assert_eq!(parse_java_double("inf"), None);
        assert_eq!(parse_java_double("abc"), None);
        assert_eq!(parse_java_double(""), None);
        assert_eq!(parse_java_float("42.125f"), Some(42.125));
        assert_eq!(parse_java_integer::<i8>("+12"), Some(12));
        assert_eq!(parse_java_integer::<i8>("128"), None);
        assert_eq!(parse_java_integer::<i32>(" 1"), None);
    }

    #[test]
    fn to_string_matches_java() {
        assert_eq!(JavaNumber::Double(32.0).to_java_string(), "32.0");
        assert_eq!(JavaNumber::Double(1e10).to_java_string(), "1.0E10");
        let d = BigDecimal::from_str("1.23E+4").unwrap();
        assert_eq!(JavaNumber::Decimal(&d).to_java_string(), "1.23E+4");
    }
}
