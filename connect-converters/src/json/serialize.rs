//! Connect data → JSON text, written straight into the output buffer (Apache's
//! `JsonConverter.convertToJson` followed by Jackson's serializer, without the tree).
//!
//! Output is byte-identical to Jackson 2.16's compact writer: object members in insertion
//! order, integers in plain decimal, floats as Java's `Float.toString`/`Double.toString` (JDK ≥ 19
//! shortest digits) with NaN and infinities as strings, `BigDecimal`s as `BigDecimal.toString()`,
//! bytes as padded standard base64, and strings escaped as Jackson does (control characters as
//! `\uXXXX` with upper-case hex except the short forms, and characters outside the Basic
//! Multilingual Plane as an escaped surrogate pair).

use std::io::Write as _;

use connect_api::data::java_format::big_decimal_to_string;
use connect_api::data::{Date, Decimal, Schema, Time, Timestamp, Type, Value};
use connect_api::errors::{ConnectError, Result};

use super::base64;
use super::config::DecimalFormat;
use super::parser::MAX_DEPTH;

/// Writes Connect values as JSON with one converter's settings.
pub(crate) struct Writer<'o> {
    pub(crate) out: &'o mut Vec<u8>,
    pub(crate) decimal_format: DecimalFormat,
    pub(crate) replace_null_with_default: bool,
    /// How deeply nested the value being written is (bounded, so that a pathological value
    /// cannot overflow the stack).
    pub(crate) depth: usize,
}

/// `class <java class>` as Java's `Object.getClass().toString()` prints it.
pub(crate) fn class_of(value: &Value) -> String {
    format!("class {}", value.java_class_name())
}

impl Writer<'_> {
    /// Writes `value` under `schema` (Java's `convertToJson`).
    pub(crate) fn value(&mut self, schema: Option<&Schema>, value: &Value) -> Result<()> {
        self.enter()?;
        let result = self.value_inner(schema, value);
        self.depth -= 1;
        result
    }

    /// Counts one level of nesting; fails beyond [`MAX_DEPTH`] levels.
    pub(crate) fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.depth -= 1;
            return Err(ConnectError::data(format!(
                "Converting Kafka Connect data to byte[] failed: nesting depth exceeds the maximum allowed ({MAX_DEPTH})"
            )));
        }
        Ok(())
    }

    fn value_inner(&mut self, schema: Option<&Schema>, value: &Value) -> Result<()> {
        if value.is_null() {
            let Some(schema) = schema else {
                // Any schema is valid and there is no default: treat as optional.
                self.out.extend_from_slice(b"null");
                return Ok(());
            };
            if let (Some(default), true) = (schema.default_value(), self.replace_null_with_default)
            {
                if !default.is_null() {
                    return self.value(Some(schema), default);
                }
            }
            if schema.is_optional() {
                self.out.extend_from_slice(b"null");
                return Ok(());
            }
            return Err(ConnectError::data(
                "Conversion error: null value for field that is required and has no default value",
            ));
        }
        match schema {
            Some(schema) => {
                if let Some(name) = schema.name() {
                    match name {
                        Decimal::LOGICAL_NAME => return self.decimal(schema, value),
                        Date::LOGICAL_NAME => {
                            let ms = expect_date("Date", value)?;
                            write_i64(self.out, i64::from(Date::from_logical(schema, ms)?));
                            return Ok(());
                        }
                        Time::LOGICAL_NAME => {
                            let ms = expect_date("Time", value)?;
                            write_i64(self.out, i64::from(Time::from_logical(schema, ms)?));
                            return Ok(());
                        }
                        Timestamp::LOGICAL_NAME => {
                            let ms = expect_date("Timestamp", value)?;
                            write_i64(self.out, Timestamp::from_logical(schema, ms)?);
                            return Ok(());
                        }
                        _ => {}
                    }
                }
                self.typed(schema.schema_type(), Some(schema), value)
            }
            None => {
                let ty = match value {
                    Value::Int8(_) => Type::Int8,
                    Value::Int16(_) => Type::Int16,
                    Value::Int32(_) => Type::Int32,
                    Value::Int64(_) => Type::Int64,
                    Value::Float32(_) => Type::Float32,
                    Value::Float64(_) => Type::Float64,
                    Value::Boolean(_) => Type::Boolean,
                    Value::String(_) => Type::String,
                    Value::Bytes(_) => Type::Bytes,
                    Value::Array(_) => Type::Array,
                    Value::Map(_) => Type::Map,
                    Value::Struct(_) => Type::Struct,
                    other => {
                        return Err(ConnectError::data(format!(
                            "Java class {} does not have corresponding schema type.",
                            class_of(other)
                        )))
                    }
                };
                self.typed(ty, None, value)
            }
        }
    }

    fn typed(&mut self, ty: Type, schema: Option<&Schema>, value: &Value) -> Result<()> {
        match (ty, value) {
            (Type::Int8, Value::Int8(v)) => write_i64(self.out, i64::from(*v)),
            (Type::Int16, Value::Int16(v)) => write_i64(self.out, i64::from(*v)),
            (Type::Int32, Value::Int32(v)) => write_i64(self.out, i64::from(*v)),
            (Type::Int64, Value::Int64(v)) => write_i64(self.out, *v),
            (Type::Float32, Value::Float32(v)) => write_f32(self.out, *v),
            (Type::Float64, Value::Float64(v)) => write_f64(self.out, *v),
            (Type::Boolean, Value::Boolean(b)) => {
                self.out
                    .extend_from_slice(if *b { b"true" } else { b"false" });
            }
            (Type::String, Value::String(s)) => write_string(self.out, s),
            (Type::Bytes, Value::Bytes(b)) => write_base64(self.out, b),
            (Type::Bytes, other) => {
                return Err(ConnectError::data(format!(
                    "Invalid type for bytes type: {}",
                    class_of(other)
                )))
            }
            (Type::Array, Value::Array(items)) => {
                let element = schema.and_then(Schema::value_schema);
                self.out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push(b',');
                    }
                    self.value(element, item)?;
                }
                self.out.push(b']');
            }
            (Type::Map, Value::Map(entries)) => self.map(schema, entries)?,
            (Type::Struct, Value::Struct(s)) => {
                let schema = match schema {
                    Some(schema) if schema == s.schema() => schema,
                    _ => return Err(ConnectError::data("Mismatching schema.")),
                };
                self.out.push(b'{');
                let values = s.values();
                for (i, field) in schema.fields()?.iter().enumerate() {
                    if i > 0 {
                        self.out.push(b',');
                    }
                    write_string(self.out, field.name());
                    self.out.push(b':');
                    // Fields are read without the struct's default substitution; the null
                    // rules (including replace.null.with.default) then apply.
                    let v = values.get(field.index()).unwrap_or(&Value::Null);
                    self.value(Some(field.schema()), v)?;
                }
                self.out.push(b'}');
            }
            (ty, other) => {
                let ty = match schema {
                    Some(_) => ty.to_string(),
                    None => "unknown schema".to_owned(),
                };
                return Err(ConnectError::data(format!(
                    "Invalid type for {ty}: {}",
                    class_of(other)
                )));
            }
        }
        Ok(())
    }

    fn map(&mut self, schema: Option<&Schema>, entries: &[(Value, Value)]) -> Result<()> {
        let key_schema = schema.and_then(Schema::key_schema);
        let value_schema = schema.and_then(Schema::value_schema);
        // String keys make a JSON object; any other key type an array of [key, value] pairs.
        // Without a (key) schema, the keys decide.
        let object_mode = match key_schema {
            Some(k) => k.schema_type() == Type::String,
            None => entries.iter().all(|(k, _)| matches!(k, Value::String(_))),
        };
        if object_mode {
            self.out.push(b'{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    self.out.push(b',');
                }
                self.map_key(key_schema, k)?;
                self.out.push(b':');
                self.value(value_schema, v)?;
            }
            self.out.push(b'}');
        } else {
            self.out.push(b'[');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    self.out.push(b',');
                }
                self.out.push(b'[');
                self.value(key_schema, k)?;
                self.out.push(b',');
                self.value(value_schema, v)?;
                self.out.push(b']');
            }
            self.out.push(b']');
        }
        Ok(())
    }

    /// A member name: the text (`JsonNode.asText()`) of the converted key.
    fn map_key(&mut self, key_schema: Option<&Schema>, key: &Value) -> Result<()> {
        let plain = match key_schema {
            None => true,
            Some(s) => s.name().is_none(),
        };
        if let (Value::String(s), true) = (key, plain) {
            write_string(self.out, s);
            return Ok(());
        }
        let mut tmp = Vec::new();
        Writer {
            out: &mut tmp,
            decimal_format: self.decimal_format,
            replace_null_with_default: self.replace_null_with_default,
            depth: self.depth,
        }
        .value(key_schema, key)?;
        match tmp.first() {
            Some(b'"') => self.out.extend_from_slice(&tmp),
            // Containers have an empty text.
            Some(b'[' | b'{') => self.out.extend_from_slice(b"\"\""),
            // Numbers, booleans and null: their text needs no escaping.
            _ => {
                self.out.push(b'"');
                self.out.extend_from_slice(&tmp);
                self.out.push(b'"');
            }
        }
        Ok(())
    }

    fn decimal(&mut self, schema: &Schema, value: &Value) -> Result<()> {
        let Value::Decimal(d) = value else {
            return Err(ConnectError::data(format!(
                "Invalid type for Decimal, expected BigDecimal but was {}",
                class_of(value)
            )));
        };
        match self.decimal_format {
            DecimalFormat::Numeric => self
                .out
                .extend_from_slice(big_decimal_to_string(d).as_bytes()),
            DecimalFormat::Base64 => write_base64(self.out, &Decimal::from_logical(schema, d)?),
        }
        Ok(())
    }
}

fn expect_date(logical: &str, value: &Value) -> Result<i64> {
    match value {
        Value::Timestamp(ms) => Ok(*ms),
        other => Err(ConnectError::data(format!(
            "Invalid type for {logical}, expected Date but was {}",
            class_of(other)
        ))),
    }
}

/// An integer in plain decimal.
pub(crate) fn write_i64(out: &mut Vec<u8>, v: i64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut n = v.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&buf[i..]);
}

/// Java's `Double.toString` as a JSON number; NaN and infinities as JSON strings (Jackson's
/// `QUOTE_NON_NUMERIC_NUMBERS`).
pub(crate) fn write_f64(out: &mut Vec<u8>, d: f64) {
    if !d.is_finite() {
        out.extend_from_slice(non_finite(d.is_nan(), d > 0.0));
    } else if d == 0.0 {
        out.extend_from_slice(if d.is_sign_negative() {
            b"-0.0"
        } else {
            b"0.0"
        });
    } else {
        let start = out.len();
        if (1e-3..1e7).contains(&d.abs()) {
            let _ = write!(out, "{d}");
            java_plain(out, start);
        } else {
            let _ = write!(out, "{d:e}");
            if !out[start..].contains(&b'.') {
                // One significant digit: Java prints two, the pair closest to the exact value
                // (`4.9E-324`, not `5.0E-324`; `1.0E10` for ordinary numbers).
                out.truncate(start);
                let _ = write!(out, "{d:.1e}");
            }
            java_scientific(out, start);
        }
    }
}

/// Java's `Float.toString` as a JSON number (from the float's own shortest digits).
pub(crate) fn write_f32(out: &mut Vec<u8>, f: f32) {
    if !f.is_finite() {
        out.extend_from_slice(non_finite(f.is_nan(), f > 0.0));
    } else if f == 0.0 {
        out.extend_from_slice(if f.is_sign_negative() {
            b"-0.0"
        } else {
            b"0.0"
        });
    } else {
        let start = out.len();
        if (1e-3..1e7).contains(&f.abs()) {
            let _ = write!(out, "{f}");
            java_plain(out, start);
        } else {
            let _ = write!(out, "{f:e}");
            if !out[start..].contains(&b'.') {
                out.truncate(start);
                let _ = write!(out, "{f:.1e}");
            }
            java_scientific(out, start);
        }
    }
}

fn non_finite(nan: bool, positive: bool) -> &'static [u8] {
    if nan {
        b"\"NaN\""
    } else if positive {
        b"\"Infinity\""
    } else {
        b"\"-Infinity\""
    }
}

/// `100` → `100.0`.
fn java_plain(out: &mut Vec<u8>, start: usize) {
    if !out[start..].contains(&b'.') {
        out.extend_from_slice(b".0");
    }
}

/// Rust's `1.5e10` / `1e-5` → Java's `1.5E10` / `1.0E-5`.
fn java_scientific(out: &mut Vec<u8>, start: usize) {
    if let Some(e) = out[start..].iter().position(|&b| b == b'e') {
        let e = start + e;
        out[e] = b'E';
        if !out[start..e].contains(&b'.') {
            out.splice(e..e, *b".0");
        }
    }
}

/// Bytes as a JSON string of padded standard base64.
pub(crate) fn write_base64(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(b'"');
    base64::encode_into(bytes, out);
    out.push(b'"');
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Which bytes of UTF-8 text need an escape: control characters, `"`, `\`, and the lead byte
/// of a 4-byte sequence (a supplementary character, written as an escaped surrogate pair).
static ESCAPE: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = true;
        i += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    let mut i = 0xF0;
    while i < 0x100 {
        t[i] = true;
        i += 1;
    }
    t
};

/// A JSON string, escaped as Jackson's UTF-8 generator does.
pub(crate) fn write_string(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !ESCAPE[b as usize] {
            i += 1;
            continue;
        }
        out.extend_from_slice(&bytes[start..i]);
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x09 => out.extend_from_slice(b"\\t"),
            0x0A => out.extend_from_slice(b"\\n"),
            0x0C => out.extend_from_slice(b"\\f"),
            0x0D => out.extend_from_slice(b"\\r"),
            0..=0x1F => write_unit(out, u32::from(b)),
            _ => {
                // A 4-byte UTF-8 sequence (the input is a valid `str`).
                let c = s[i..].chars().next().map_or(0xFFFD, u32::from);
                let v = c - 0x10000;
                write_unit(out, 0xD800 + (v >> 10));
                write_unit(out, 0xDC00 + (v & 0x3FF));
                i += 4;
                start = i;
                continue;
            }
        }
        i += 1;
        start = i;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

fn write_unit(out: &mut Vec<u8>, unit: u32) {
    out.extend_from_slice(&[
        b'\\',
        b'u',
        HEX[(unit >> 12 & 0xF) as usize],
        HEX[(unit >> 8 & 0xF) as usize],
        HEX[(unit >> 4 & 0xF) as usize],
        HEX[(unit & 0xF) as usize],
    ]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use connect_api::data::java_format::{double_to_string, float_to_string};

    fn s(f: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut out = Vec::new();
        f(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn numbers_print_like_jackson() {
        for (v, t) in [
            (0i64, "0"),
            (-1, "-1"),
            (i64::MIN, "-9223372036854775808"),
            (4398046511104, "4398046511104"),
        ] {
            assert_eq!(s(|o| write_i64(o, v)), t);
        }
        for (v, t) in [
            (12.34, "12.34"),
            (1.0, "1.0"),
            (100.0, "100.0"),
            (1e10, "1.0E10"),
            (1e-4, "1.0E-4"),
            (0.001, "0.001"),
            (9999999.0, "9999999.0"),
            (1e7, "1.0E7"),
            (-0.0, "-0.0"),
            (4.9e-324, "4.9E-324"),
            (f64::NAN, "\"NaN\""),
            (f64::INFINITY, "\"Infinity\""),
            (f64::NEG_INFINITY, "\"-Infinity\""),
        ] {
            assert_eq!(s(|o| write_f64(o, v)), t);
        }
        assert_eq!(s(|o| write_f32(o, 12.34)), "12.34");
        assert_eq!(s(|o| write_f32(o, 3.4028235e38)), "3.4028235E38");
        assert_eq!(s(|o| write_f32(o, f32::from_bits(1))), "1.4E-45");
        assert_eq!(s(|o| write_f64(o, f64::from_bits(2))), "9.9E-324");
        assert_eq!(s(|o| write_f64(o, 2e23)), "2.0E23");
        for v in [1.5e-5, 123456.789, 2e23, 8.41e21, -7.0e-3] {
            assert_eq!(s(|o| write_f64(o, v)), double_to_string(v));
            assert_eq!(s(|o| write_f32(o, v as f32)), float_to_string(v as f32));
        }
    }

    #[test]
    fn strings_escape_like_jackson() {
        assert_eq!(
            s(|o| write_string(o, "a\"b\\c\u{1}\u{1f}\u{8}\t\n\u{c}\r/\u{7f}é\u{2028}")),
            "\"a\\\"b\\\\c\\u0001\\u001F\\b\\t\\n\\f\\r/\u{7f}é\u{2028}\""
        );
        assert_eq!(s(|o| write_string(o, "x😀y")), "\"x\\uD83D\\uDE00y\"");
    }
}
