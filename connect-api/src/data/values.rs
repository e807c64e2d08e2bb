//! Apache Kafka's `org.apache.kafka.connect.data.Values`: converting a Connect value to another
//! type, writing any value as text, and reading that text back with an inferred schema.
//!
//! These are the conversions behind the `SimpleHeaderConverter` (the default header converter),
//! the `Cast` and header transformations, and connectors that accept "whatever the header holds".
//! Each function mirrors the Java method of the same name, including its quirks; the Java
//! classes map to [`Value`] variants as follows: `Byte`..`Double` are `Int8`..`Float64`,
//! `BigDecimal` is [`Value::Decimal`], `java.util.Date` is [`Value::Timestamp`] (epoch
//! milliseconds), `byte[]`/`ByteBuffer` is [`Value::Bytes`], `List` is [`Value::Array`], `Map`
//! is [`Value::Map`] and Java's `null` is [`Value::Null`].
//!
//! ```
//! use connect_api::data::values::{convert_to_string, parse_string};
//! use connect_api::data::{Type, Value};
//!
//! let text = convert_to_string(None, &Value::Array(vec![1i32.into(), 300i32.into()]))?;
//! assert_eq!(text.as_deref(), Some("[1,300]"));
//! let parsed = parse_string("[1,300]").expect("not the null literal");
//! assert_eq!(parsed.schema.as_ref().map(|s| s.schema_type()), Some(Type::Array));
//! assert_eq!(parsed.value, Value::Array(vec![1i16.into(), 300i16.into()]));
//! # Ok::<(), connect_api::errors::ConnectError>(())
//! ```
//!
//! Differences from Apache Kafka 4.0 (all on inputs where Java misbehaves or is host dependent):
//!
//! * **Time zone.** Java formats and parses dates with a `SimpleDateFormat` in the JVM's default
//!   time zone even though the text ends in a literal `Z`. We always use UTC, which is what a
//!   worker running in UTC (the norm) produces. The Julian/Gregorian calendar switch of 1582 and
//!   the lenient field arithmetic of Java's parser are reproduced.
//! * **`null` text.** Java's `parseString("null")` returns a Java `null` rather than a
//!   `SchemaAndValue`; [`parse_string`] returns `None`. The conversions that parse a string and
//!   then dereference that result (`convertToBoolean`, `convertToDate`, `convertToList`, ...)
//!   throw a `NullPointerException` in Java for the text `null`; here the string itself is
//!   carried on and the usual `DataException` message results, e.g.
//!   `Unable to convert null (class java.lang.String) to a number`.
//! * **Exceptions that are not `DataException` in Java** become [`ConnectError::Data`] with the
//!   Java message: `NumberFormatException` from `convertToDecimal` on a non-numeric string (or on
//!   a NaN/infinite number) and from empty decimal bytes (`Zero length BigInteger`).
//! * **Empty lists.** `inferSchema` of a list or map whose elements are all `null` throws
//!   `SchemaBuilderException("type cannot be null")` in Java; [`infer_schema`] returns `None`.
//! * **Resource limits.** Java's parser recurses without limit (a deeply nested header blows the
//!   stack) and materialises `10^exponent` for numbers such as `1e999999999` (an
//!   `ArithmeticException` or an out-of-memory error). We stop at [`MAX_NESTING_DEPTH`] nested
//!   containers (the text is then returned as a string, like any unparseable container) and
//!   compute results for huge exponents without materialising them: what Java would return
//!   given unlimited memory.
//! * **Messages** of the internal parse errors are not reproduced: Java only logs them at TRACE
//!   level before falling back to a string. Where Java's `NumberFormatException` has no message
//!   (`""`, `"1e"`), ours says `No digits found.` or `No exponent digits.`.
//! * **Float text** comes from [`float_to_string`]/[`double_to_string`], the shortest text that
//!   reads back as the same number, which is what JDK 19 and later print; JDK 17 sometimes prints
//!   a longer form (`6.5772237E8` for our `6.577224E8`) of the same value.
//!
//! This module was checked against Apache Kafka's own `Values` (run on JDK 17 in UTC) on some
//! 50,000 generated inputs (random text, temporal and numeric literals, nested containers):
//! `parse_string` agrees on all of them except the resource-limit cases above.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::LazyLock;

use base64::Engine;
use bigdecimal::BigDecimal;
use bytes::Bytes;
use num_bigint::{BigInt, Sign};

use super::java_format::{
    big_decimal_to_string, double_to_string, float_to_string, format_date, format_time,
    format_timestamp,
};
use super::{
    Date, Decimal, Schema, SchemaAndValue, SchemaBuilder, Struct, Time, Timestamp, Type, Value,
    BOOLEAN_SCHEMA, BYTES_SCHEMA, FLOAT32_SCHEMA, FLOAT64_SCHEMA, INT16_SCHEMA, INT32_SCHEMA,
    INT64_SCHEMA, INT8_SCHEMA, STRING_SCHEMA,
};
use crate::errors::{ConnectError, Result};

/// How many containers (arrays and maps) [`parse_string`] descends into before it gives up on
/// the text and returns it as a string. Java has no limit other than its thread stack.
pub const MAX_NESTING_DEPTH: usize = 256;

const MILLIS_PER_DAY: i64 = 86_400_000;
const NULL_TO_REQUIRED: &str = "Unable to convert a null value to a schema that requires a value";

static DATE_SCHEMA: LazyLock<Schema> = LazyLock::new(Date::schema);
static TIME_SCHEMA: LazyLock<Schema> = LazyLock::new(Time::schema);
static TIMESTAMP_SCHEMA: LazyLock<Schema> = LazyLock::new(Timestamp::schema);

/// The `toString` of Java's `ARRAY_SELECTOR_SCHEMA`, `MAP_SELECTOR_SCHEMA` and
/// `STRUCT_SELECTOR_SCHEMA`, which only appear in error messages.
const ARRAY_SELECTOR: &str = "Schema{ARRAY}";
const MAP_SELECTOR: &str = "Schema{MAP}";
const STRUCT_SELECTOR: &str = "Schema{STRUCT}";

// ---------------------------------------------------------------------------------------------
// Public conversions
// ---------------------------------------------------------------------------------------------

/// Converts a value to a boolean (Java's `Values.convertToBoolean`).
///
/// `Null` gives `None`; a boolean is returned as is; a string is parsed with [`parse_string`]
/// and used if it holds a boolean (`"true"`, `" false "`). Everything else goes through the
/// numeric conversion: zero is `false`, any other number `true` (`"1"` and `"0.5e1"` are true,
/// `"0"` and `"0.9"` false, `"abc"` fails). `schema` is the value's own schema, needed only to
/// read Date/Time/Timestamp values as numbers.
pub fn convert_to_boolean(schema: Option<&Schema>, value: &Value) -> Result<Option<bool>> {
    if value.is_null() {
        return Ok(None);
    }
    boolean_of(schema, value).map(Some)
}

/// Converts a value to an INT8 (Java's `Values.convertToByte`).
///
/// `Null` gives `None`; an `Int8` is returned as is; anything else is read as a Java `long`
/// (see [`convert_to_long`]) and narrowed like Java's `(byte)` cast, which wraps: 300 gives 44.
pub fn convert_to_byte(schema: Option<&Schema>, value: &Value) -> Result<Option<i8>> {
    match value {
        Value::Null => Ok(None),
        Value::Int8(v) => Ok(Some(*v)),
        _ => as_long(value, schema, None).map(|v| Some(v as i8)),
    }
}

/// Converts a value to an INT16 (Java's `Values.convertToShort`), wrapping like `(short)`.
pub fn convert_to_short(schema: Option<&Schema>, value: &Value) -> Result<Option<i16>> {
    match value {
        Value::Null => Ok(None),
        Value::Int16(v) => Ok(Some(*v)),
        _ => as_long(value, schema, None).map(|v| Some(v as i16)),
    }
}

/// Converts a value to an INT32 (Java's `Values.convertToInteger`), wrapping like `(int)`.
pub fn convert_to_integer(schema: Option<&Schema>, value: &Value) -> Result<Option<i32>> {
    match value {
        Value::Null => Ok(None),
        Value::Int32(v) => Ok(Some(*v)),
        _ => as_long(value, schema, None).map(|v| Some(v as i32)),
    }
}

/// Converts a value to an INT64 (Java's `Values.convertToLong` and its `asLong`).
///
/// Numbers are truncated toward zero (`1.9` and `-1.9` give 1 and -1; floats saturate, NaN is
/// 0); decimals keep the low 64 bits of their integer part, as `BigDecimal.longValue()` does;
/// strings are read as a Java `BigDecimal` (`"1.9"`, `"1e3"`, `"+5"`; no surrounding spaces).
/// A [`Value::Timestamp`] is read through its schema: days since the epoch for a Date schema,
/// milliseconds of the day for Time, epoch milliseconds for Timestamp. Failures are
/// `Unable to convert <value> (<class>) to <schema>` or `... to a number` without a schema.
pub fn convert_to_long(schema: Option<&Schema>, value: &Value) -> Result<Option<i64>> {
    match value {
        Value::Null => Ok(None),
        Value::Int64(v) => Ok(Some(*v)),
        _ => as_long(value, schema, None).map(Some),
    }
}

/// Converts a value to a FLOAT32 (Java's `Values.convertToFloat`): the FLOAT64 conversion
/// rounded to `f32`.
pub fn convert_to_float(schema: Option<&Schema>, value: &Value) -> Result<Option<f32>> {
    match value {
        Value::Null => Ok(None),
        Value::Float32(v) => Ok(Some(*v)),
        _ => as_double(value, schema).map(|v| Some(v as f32)),
    }
}

/// Converts a value to a FLOAT64 (Java's `Values.convertToDouble` and its `asDouble`).
///
/// Numbers widen (decimals round correctly), strings are read as a Java `BigDecimal` and then
/// rounded, and anything else goes through [`convert_to_long`].
pub fn convert_to_double(schema: Option<&Schema>, value: &Value) -> Result<Option<f64>> {
    match value {
        Value::Null => Ok(None),
        Value::Float64(v) => Ok(Some(*v)),
        _ => as_double(value, schema).map(Some),
    }
}

/// Writes a value as text (Java's `Values.convertToString`), the format that
/// `SimpleHeaderConverter` puts in header bytes and that [`parse_string`] reads back.
///
/// `Null` gives `None`. Numbers and booleans print as Java's `toString` (`1.0` for a float 1,
/// `1.0E10`, `1E+3` for a decimal); a string prints as is; bytes as padded standard base64;
/// lists as `[a,b]`, maps as `{k:v,k2:v2}` and structs as `{"f1":v1,"f2":v2}` (every schema field
/// in order, defaults applied, `null` for missing values), with no spaces and with strings and
/// bytes inside them quoted (`\` and `"` escaped with a backslash). A [`Value::Timestamp`] `t`
/// prints as `HH:mm:ss.SSSZ` if `t < 86400000` (so any instant before 1970-01-02), as
/// `yyyy-MM-dd` if it is a whole day, and as `yyyy-MM-ddTHH:mm:ss.SSSZ` otherwise, in UTC (Java
/// uses the JVM's default time zone). The schema is not consulted, as in Java. Never fails
/// today: Java's `Failed to serialize unexpected value type` cannot occur for a [`Value`].
pub fn convert_to_string(_schema: Option<&Schema>, value: &Value) -> Result<Option<String>> {
    if value.is_null() {
        return Ok(None);
    }
    let mut out = String::new();
    append(&mut out, value, false);
    Ok(Some(out))
}

/// Converts a value to a list (Java's `Values.convertToList`).
///
/// A list is returned as is; a string is parsed with [`parse_string`] and must hold a list
/// (`"[1, 2, 3]"`); anything else fails with `Unable to convert <value> (<class>) to
/// Schema{ARRAY}`, and `Null` with `Unable to convert a null value to a schema that requires a
/// value`. The schema is not used.
pub fn convert_to_list(_schema: Option<&Schema>, value: &Value) -> Result<Vec<Value>> {
    array_of(&ARRAY_SELECTOR, value)
}

/// Converts a value to a map (Java's `Values.convertToMap`): a map as is, or a string that
/// [`parse_string`] reads as a map (`{"a": 1}`); otherwise `Unable to convert ... to
/// Schema{MAP}`. `Null` is an error, as in Java.
pub fn convert_to_map(_schema: Option<&Schema>, value: &Value) -> Result<Vec<(Value, Value)>> {
    map_of(&MAP_SELECTOR, value)
}

/// Converts a value to a struct (Java's `Values.convertToStruct`): only a struct passes; anything
/// else (including a string) fails with `Unable to convert ... to Schema{STRUCT}`.
pub fn convert_to_struct(_schema: Option<&Schema>, value: &Value) -> Result<Struct> {
    struct_of(&STRUCT_SELECTOR, value)
}

/// Converts a value to a `Date` logical value (Java's `Values.convertToDate`), as epoch
/// milliseconds at midnight UTC.
///
/// A string is parsed first (`"2019-08-23"`, or a number of days such as `"18131"`). A
/// [`Value::Timestamp`] is returned unchanged when `schema` is `None` or a Date schema, and
/// truncated to its day (toward zero, as Java's integer division) when `schema` is a Timestamp
/// schema. Anything else is read as a number of days (see [`convert_to_long`]). `Null` fails
/// with `Unable to convert a null value to a schema that requires a value`.
pub fn convert_to_date(schema: Option<&Schema>, value: &Value) -> Result<i64> {
    if value.is_null() {
        return Err(ConnectError::data(NULL_TO_REQUIRED));
    }
    date_of(&DATE_SCHEMA, schema, value)
}

/// Converts a value to a `Time` logical value (Java's `Values.convertToTime`), as milliseconds
/// since midnight (an instant on 1970-01-01 UTC).
///
/// A string is parsed first (`"12:34:56.789Z"` or a number of milliseconds). A
/// [`Value::Timestamp`] is returned unchanged when `schema` is `None` or a Time schema, and
/// reduced to its time of day (UTC) when `schema` is a Timestamp schema. Anything else is read
/// as milliseconds, which must lie in `0..=86400000`. `Null` is an error.
pub fn convert_to_time(schema: Option<&Schema>, value: &Value) -> Result<i64> {
    if value.is_null() {
        return Err(ConnectError::data(NULL_TO_REQUIRED));
    }
    time_of(&TIME_SCHEMA, schema, value)
}

/// Converts a value to a `Timestamp` logical value (Java's `Values.convertToTimestamp`), as
/// epoch milliseconds.
///
/// A string is parsed first (`"2019-08-23T14:34:54.346Z"` or epoch milliseconds). A
/// [`Value::Timestamp`] is returned unchanged when `schema` is `None` or a Timestamp schema, and
/// re-encoded through a Date schema (which requires midnight) or a Time schema (which requires
/// `0..=86400000`). Anything else is read as epoch milliseconds. `Null` is an error.
pub fn convert_to_timestamp(schema: Option<&Schema>, value: &Value) -> Result<i64> {
    if value.is_null() {
        return Err(ConnectError::data(NULL_TO_REQUIRED));
    }
    timestamp_of(&TIMESTAMP_SCHEMA, schema, value)
}

/// Converts a value to a decimal (Java's `Values.convertToDecimal`).
///
/// Bytes are decoded as an unscaled two's-complement integer with `scale`; a decimal is
/// returned unchanged (its own scale is kept, not `scale`); other numbers go through Java's
/// `BigDecimal.valueOf(double)`, i.e. the shortest text of the `f64` (`1.0f32` gives `1.0`,
/// scale 1); strings are read as `new BigDecimal(text)` (`"1.50"` keeps scale 2). `Null` and
/// other types are errors, as are non-numeric strings (Java's `NumberFormatException` message).
pub fn convert_to_decimal(
    _schema: Option<&Schema>,
    value: &Value,
    scale: i32,
) -> Result<BigDecimal> {
    if value.is_null() {
        return Err(ConnectError::data(NULL_TO_REQUIRED));
    }
    decimal_of(&Decimal::schema(scale), value)
}

/// Converts a value to the type of `to_schema` (Java's protected `Values.convertTo`, which
/// [`parse_string`] uses to give every element of a parsed list or map their common type).
///
/// `Null` is returned for an optional target and is an error for a required one. Otherwise the
/// target type picks the conversion: BYTES (a Decimal schema converts like
/// [`convert_to_decimal`] with the schema's scale; plain bytes accept bytes or a decimal
/// encoded with the target schema), STRING, BOOLEAN, the integer and float types (INT32 with a
/// Date or Time name and INT64 with a Timestamp name convert to those logical types), ARRAY,
/// MAP and STRUCT as the corresponding `convert_to_*` function. `from_schema` is the value's
/// own schema, as for [`convert_to_long`].
pub fn convert_to(
    to_schema: &Schema,
    from_schema: Option<&Schema>,
    value: &Value,
) -> Result<Value> {
    if value.is_null() {
        if to_schema.is_optional() {
            return Ok(Value::Null);
        }
        return Err(ConnectError::data(NULL_TO_REQUIRED));
    }
    let name = to_schema.name();
    Ok(match to_schema.schema_type() {
        Type::Bytes => {
            if name == Some(Decimal::LOGICAL_NAME) {
                Value::Decimal(decimal_of(to_schema, value)?)
            } else {
                Value::Bytes(bytes_of(to_schema, value)?)
            }
        }
        Type::String => {
            let mut out = String::new();
            append(&mut out, value, false);
            Value::String(out)
        }
        Type::Boolean => Value::Boolean(boolean_of(from_schema, value)?),
        Type::Int8 => match value {
            Value::Int8(v) => Value::Int8(*v),
            _ => Value::Int8(as_long(value, from_schema, None)? as i8),
        },
        Type::Int16 => match value {
            Value::Int16(v) => Value::Int16(*v),
            _ => Value::Int16(as_long(value, from_schema, None)? as i16),
        },
        Type::Int32 => match name {
            Some(Date::LOGICAL_NAME) => Value::Timestamp(date_of(to_schema, from_schema, value)?),
            Some(Time::LOGICAL_NAME) => Value::Timestamp(time_of(to_schema, from_schema, value)?),
            _ => match value {
                Value::Int32(v) => Value::Int32(*v),
                _ => Value::Int32(as_long(value, from_schema, None)? as i32),
            },
        },
        Type::Int64 => match (name, value) {
            (Some(Timestamp::LOGICAL_NAME), _) => {
                Value::Timestamp(timestamp_of(to_schema, from_schema, value)?)
            }
            (_, Value::Int64(v)) => Value::Int64(*v),
            _ => Value::Int64(as_long(value, from_schema, None)?),
        },
        Type::Float32 => match value {
            Value::Float32(v) => Value::Float32(*v),
            _ => Value::Float32(as_double(value, from_schema)? as f32),
        },
        Type::Float64 => match value {
            Value::Float64(v) => Value::Float64(*v),
            _ => Value::Float64(as_double(value, from_schema)?),
        },
        Type::Array => Value::Array(array_of(to_schema, value)?),
        Type::Map => Value::Map(map_of(to_schema, value)?),
        Type::Struct => Value::Struct(struct_of(to_schema, value)?),
    })
}

/// Infers a schema for a schemaless value (Java's `Values.inferSchema`), or `None` if there is
/// none.
///
/// Strings, booleans, the integer and float types and bytes give the predefined required
/// schemas; a struct gives its own schema. A non-empty list gives an array whose element schema
/// is the bare type shared by every non-null element (no name, no nested schemas; optional if
/// any element is null); a non-empty map likewise for its keys and values. Empty containers,
/// mixed types, all-null containers (Java throws there), `Null`, decimals and timestamps give
/// `None`.
pub fn infer_schema(value: &Value) -> Option<Schema> {
    match value {
        Value::String(_) => Some(STRING_SCHEMA.clone()),
        Value::Boolean(_) => Some(BOOLEAN_SCHEMA.clone()),
        Value::Int8(_) => Some(INT8_SCHEMA.clone()),
        Value::Int16(_) => Some(INT16_SCHEMA.clone()),
        Value::Int32(_) => Some(INT32_SCHEMA.clone()),
        Value::Int64(_) => Some(INT64_SCHEMA.clone()),
        Value::Float32(_) => Some(FLOAT32_SCHEMA.clone()),
        Value::Float64(_) => Some(FLOAT64_SCHEMA.clone()),
        Value::Bytes(_) => Some(BYTES_SCHEMA.clone()),
        Value::Array(items) => {
            if items.is_empty() {
                return None;
            }
            let mut detector = SchemaDetector::default();
            for item in items {
                if !detector.can_detect(item) {
                    return None;
                }
            }
            SchemaBuilder::array(detector.schema()?).build().ok()
        }
        Value::Map(entries) => {
            if entries.is_empty() {
                return None;
            }
            let mut keys = SchemaDetector::default();
            let mut values = SchemaDetector::default();
            for (k, v) in entries {
                if !keys.can_detect(k) || !values.can_detect(v) {
                    return None;
                }
            }
            SchemaBuilder::map(keys.schema()?, values.schema()?)
                .build()
                .ok()
        }
        Value::Struct(s) => Some(s.schema().clone()),
        Value::Null | Value::Decimal(_) | Value::Timestamp(_) => None,
    }
}

/// Reads text written by [`convert_to_string`] (or by hand) into a value with an inferred
/// schema (Java's `Values.parseString`, the `SimpleHeaderConverter` reader).
///
/// Returns `None` for the literal `null` (surrounding whitespace allowed), where Java returns a
/// `null` reference. Otherwise:
///
/// * `""` and whitespace-only text are STRING; `true`/`false` (trimmed) are BOOLEAN, but only
///   when nothing follows (`true}` is a string).
/// * `[...]` is an ARRAY and `{...}` a MAP of literals: quoted strings (taken verbatim, escapes
///   kept), numbers, `true`/`false`/`null`, dates and times, nested arrays and maps. Element
///   schemas are merged (integers and floats widen up to FLOAT64; the same type keeps the last
///   schema seen) and every element converted to the common schema: `[1, 2, 32768]` is an
///   array of INT32. Without a common schema (mixed types, only nulls, empty) the element
///   schema is absent and the values stay as parsed. A container that does not parse
///   (`[foo]`, `[1, null]`, `{null: 3}`, `[1,,2]`) makes the whole text a STRING.
/// * A token starting with a digit is first tried as a time (`12:34:56.789Z`, 13 characters),
///   a timestamp (`2019-08-23T14:34:54.346Z`, 24) or a date (`2019-08-23`, 10), read leniently
///   in UTC like Java's `SimpleDateFormat`; colons may be escaped as `\:`. Quoted strings of
///   those lengths are tried too.
/// * A token starting with a digit, `+` or `-` is then read as a Java `BigDecimal`: integral
///   values become the smallest of INT8, INT16, INT32 or INT64 that holds them (`1.0` is INT8),
///   larger ones a Decimal of the literal's scale when it is 0; fractions become FLOAT32 if
///   finite as `f32`, else FLOAT64 if finite, else a Decimal.
/// * Anything else is the whole original text as a STRING. As in Java, a top-level value that
///   parses is returned even if text follows it (`12:00 foo` is the INT8 12), and when a
///   container fails after leading whitespace only that whitespace is returned (`"  [foo]"`
///   gives the STRING `"  "`), because Java rewinds and returns the first token.
pub fn parse_string(value: &str) -> Option<SchemaAndValue> {
    if value.is_empty() {
        return Some(string_value(value));
    }
    let mut parser = ValueParser {
        parser: Parser::new(value),
    };
    // At the top level every failure inside a container is caught and the text is returned
    // as a string, so the parser cannot fail; the fallback keeps it that way.
    match parser.parse(false, 0) {
        Ok(result) => result,
        Err(ParseError) => Some(string_value(value)),
    }
}

// ---------------------------------------------------------------------------------------------
// Conversion internals (value known to be non-null)
// ---------------------------------------------------------------------------------------------

/// Where a value being converted came from: the caller, or `parseString` of the caller's
/// string (whose maps are Java `LinkedHashMap`s, which shows in error messages).
#[derive(Clone, Copy, PartialEq)]
enum Origin {
    Caller,
    Parsed,
}

fn class_of(value: &Value, origin: Origin) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Map(_) if origin == Origin::Parsed => "class java.util.LinkedHashMap".to_owned(),
        _ => format!("class {}", value.java_class_name()),
    }
}

/// Java's `DataException("Unable to convert " + value + " (" + value.getClass() + ") to " + target)`.
fn unable(value: &Value, target: &dyn fmt::Display, cause: Option<String>) -> ConnectError {
    unable_from(value, Origin::Caller, target, cause)
}

fn unable_from(
    value: &Value,
    origin: Origin,
    target: &dyn fmt::Display,
    cause: Option<String>,
) -> ConnectError {
    let message = format!(
        "Unable to convert {} ({}) to {}",
        value,
        class_of(value, origin),
        target
    );
    match cause {
        Some(cause) => ConnectError::data_with(message, cause),
        None => ConnectError::data(message),
    }
}

fn boolean_of(schema: Option<&Schema>, value: &Value) -> Result<bool> {
    match value {
        Value::Boolean(b) => return Ok(*b),
        Value::String(s) => {
            if let Some(SchemaAndValue {
                value: Value::Boolean(b),
                ..
            }) = parse_string(s)
            {
                return Ok(b);
            }
        }
        _ => {}
    }
    Ok(as_long(value, schema, None)? != 0)
}

/// Java's `Values.asLong(value, fromSchema, error)`.
fn as_long(value: &Value, from_schema: Option<&Schema>, error: Option<String>) -> Result<i64> {
    as_long_from(value, Origin::Caller, from_schema, error)
}

fn as_long_from(
    value: &Value,
    origin: Origin,
    from_schema: Option<&Schema>,
    error: Option<String>,
) -> Result<i64> {
    let mut error = error;
    match value {
        Value::Int8(v) => return Ok(i64::from(*v)),
        Value::Int16(v) => return Ok(i64::from(*v)),
        Value::Int32(v) => return Ok(i64::from(*v)),
        Value::Int64(v) => return Ok(*v),
        // Java's (long) casts saturate and map NaN to 0, as Rust's `as` does.
        Value::Float32(v) => return Ok(*v as i64),
        Value::Float64(v) => return Ok(*v as i64),
        Value::Decimal(d) => return Ok(JavaDecimal::from_big_decimal(d).long_value()),
        Value::String(s) => match JavaDecimal::parse(s) {
            Ok(d) => return Ok(d.long_value()),
            Err(e) => error = Some(e),
        },
        _ => {}
    }
    if let Some(schema) = from_schema {
        if let Value::Timestamp(millis) = value {
            match schema.name() {
                Some(Date::LOGICAL_NAME) => {
                    return Date::from_logical(schema, *millis).map(i64::from)
                }
                Some(Time::LOGICAL_NAME) => {
                    return Time::from_logical(schema, *millis).map(i64::from)
                }
                Some(Timestamp::LOGICAL_NAME) => return Timestamp::from_logical(schema, *millis),
                _ => {}
            }
        }
        return Err(unable_from(value, origin, schema, error));
    }
    Err(unable_from(value, origin, &"a number", error))
}

/// Java's `Values.asDouble(value, schema, error)`.
fn as_double(value: &Value, schema: Option<&Schema>) -> Result<f64> {
    let mut error = None;
    match value {
        Value::Int8(v) => return Ok(f64::from(*v)),
        Value::Int16(v) => return Ok(f64::from(*v)),
        Value::Int32(v) => return Ok(f64::from(*v)),
        Value::Int64(v) => return Ok(*v as f64),
        Value::Float32(v) => return Ok(f64::from(*v)),
        Value::Float64(v) => return Ok(*v),
        Value::Decimal(d) => return Ok(JavaDecimal::from_big_decimal(d).to_f64()),
        Value::String(s) => match JavaDecimal::parse(s) {
            Ok(d) => return Ok(d.to_f64()),
            Err(e) => error = Some(e),
        },
        _ => {}
    }
    as_long(value, schema, error).map(|v| v as f64)
}

/// Replaces a string by what it parses to (the conversions to lists, maps and temporal types
/// do this); `None` (the `null` literal, where Java dereferences a null) keeps the string.
fn parsed_if_string(value: &Value) -> Option<SchemaAndValue> {
    match value {
        Value::String(s) => parse_string(s),
        _ => None,
    }
}

fn origin_of(parsed: &Option<SchemaAndValue>) -> Origin {
    if parsed.is_some() {
        Origin::Parsed
    } else {
        Origin::Caller
    }
}

fn array_of(to_schema: &dyn fmt::Display, value: &Value) -> Result<Vec<Value>> {
    if value.is_null() {
        return Err(ConnectError::data(NULL_TO_REQUIRED));
    }
    let parsed = parsed_if_string(value);
    let value = parsed.as_ref().map_or(value, |p| &p.value);
    match value {
        Value::Array(items) => Ok(items.clone()),
        _ => Err(unable_from(value, origin_of(&parsed), to_schema, None)),
    }
}

fn map_of(to_schema: &dyn fmt::Display, value: &Value) -> Result<Vec<(Value, Value)>> {
    if value.is_null() {
        return Err(ConnectError::data(NULL_TO_REQUIRED));
    }
    let parsed = parsed_if_string(value);
    let value = parsed.as_ref().map_or(value, |p| &p.value);
    match value {
        Value::Map(entries) => Ok(entries.clone()),
        _ => Err(unable_from(value, origin_of(&parsed), to_schema, None)),
    }
}

fn struct_of(to_schema: &dyn fmt::Display, value: &Value) -> Result<Struct> {
    match value {
        Value::Null => Err(ConnectError::data(NULL_TO_REQUIRED)),
        Value::Struct(s) => Ok(s.clone()),
        _ => Err(unable(value, to_schema, None)),
    }
}

/// Java's private `convertToDate(toSchema, fromSchema, value)`.
fn date_of(to_schema: &Schema, from_schema: Option<&Schema>, value: &Value) -> Result<i64> {
    let parsed = parsed_if_string(value);
    let value = parsed.as_ref().map_or(value, |p| &p.value);
    if let Value::Timestamp(millis) = value {
        match from_schema.map(Schema::name) {
            None | Some(Some(Date::LOGICAL_NAME)) => return Ok(*millis),
            Some(Some(Timestamp::LOGICAL_NAME)) => {
                // Java: (int) (millis / MILLIS_PER_DAY), truncating toward zero.
                let days = (millis / MILLIS_PER_DAY) as i32;
                return Date::to_logical(to_schema, days);
            }
            _ => {}
        }
    }
    let numeric = as_long_from(value, origin_of(&parsed), from_schema, None)?;
    Date::to_logical(to_schema, numeric as i32)
}

/// Java's private `convertToTime(toSchema, fromSchema, value)`.
fn time_of(to_schema: &Schema, from_schema: Option<&Schema>, value: &Value) -> Result<i64> {
    let parsed = parsed_if_string(value);
    let value = parsed.as_ref().map_or(value, |p| &p.value);
    if let Value::Timestamp(millis) = value {
        match from_schema.map(Schema::name) {
            None | Some(Some(Time::LOGICAL_NAME)) => return Ok(*millis),
            Some(Some(Timestamp::LOGICAL_NAME)) => {
                return Time::to_logical(to_schema, time_of_day_moved_to_1970(*millis) as i32);
            }
            _ => {}
        }
    }
    let numeric = as_long_from(value, origin_of(&parsed), from_schema, None)?;
    Time::to_logical(to_schema, numeric as i32)
}

/// Java's private `convertToTimestamp(toSchema, fromSchema, value)`.
fn timestamp_of(to_schema: &Schema, from_schema: Option<&Schema>, value: &Value) -> Result<i64> {
    let parsed = parsed_if_string(value);
    let value = parsed.as_ref().map_or(value, |p| &p.value);
    if let Value::Timestamp(millis) = value {
        match from_schema {
            None => return Ok(*millis),
            Some(schema) => match schema.name() {
                Some(Date::LOGICAL_NAME) => {
                    let days = Date::from_logical(schema, *millis)?;
                    return Timestamp::to_logical(to_schema, i64::from(days) * MILLIS_PER_DAY);
                }
                Some(Time::LOGICAL_NAME) => {
                    let millis = Time::from_logical(schema, *millis)?;
                    return Timestamp::to_logical(to_schema, i64::from(millis));
                }
                Some(Timestamp::LOGICAL_NAME) => return Ok(*millis),
                _ => {}
            },
        }
    }
    let numeric = as_long_from(value, origin_of(&parsed), from_schema, None)?;
    Timestamp::to_logical(to_schema, numeric)
}

/// Java's private `convertToDecimal(toSchema, value)`.
fn decimal_of(to_schema: &Schema, value: &Value) -> Result<BigDecimal> {
    let from_double = |d: f64| {
        // BigDecimal.valueOf(double) is new BigDecimal(Double.toString(d)).
        JavaDecimal::parse(&double_to_string(d))
            .map(|d| d.to_big_decimal())
            .map_err(ConnectError::data)
    };
    match value {
        Value::Bytes(bytes) => {
            if bytes.is_empty() {
                // Java's new BigInteger(new byte[0]) throws this NumberFormatException.
                return Err(ConnectError::data("Zero length BigInteger"));
            }
            Decimal::to_logical(to_schema, bytes)
        }
        Value::Decimal(d) => Ok(d.clone()),
        Value::Int8(v) => from_double(f64::from(*v)),
        Value::Int16(v) => from_double(f64::from(*v)),
        Value::Int32(v) => from_double(f64::from(*v)),
        Value::Int64(v) => from_double(*v as f64),
        Value::Float32(v) => from_double(f64::from(*v)),
        Value::Float64(v) => from_double(*v),
        Value::String(s) => JavaDecimal::parse(s)
            .map(|d| d.to_big_decimal())
            .map_err(ConnectError::data),
        _ => Err(unable(value, to_schema, None)),
    }
}

/// Java's private `convertToBytes(toSchema, value)`.
fn bytes_of(to_schema: &Schema, value: &Value) -> Result<Bytes> {
    match value {
        Value::Bytes(b) => Ok(b.clone()),
        Value::Decimal(d) => Decimal::from_logical(to_schema, d).map(Bytes::from),
        _ => Err(unable(value, to_schema, None)),
    }
}

// ---------------------------------------------------------------------------------------------
// Serialization (Java's `append`)
// ---------------------------------------------------------------------------------------------

fn append(out: &mut String, value: &Value, embedded: bool) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Int8(v) => out.push_str(&v.to_string()),
        Value::Int16(v) => out.push_str(&v.to_string()),
        Value::Int32(v) => out.push_str(&v.to_string()),
        Value::Int64(v) => out.push_str(&v.to_string()),
        Value::Float32(v) => out.push_str(&float_to_string(*v)),
        Value::Float64(v) => out.push_str(&double_to_string(*v)),
        Value::Decimal(d) => out.push_str(&big_decimal_to_string(d)),
        Value::Boolean(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::String(s) => {
            if embedded {
                out.push('"');
                out.push_str(&escape(s));
                out.push('"');
            } else {
                out.push_str(s);
            }
        }
        Value::Bytes(b) => {
            let encoded = base64::engine::general_purpose::STANDARD.encode(b);
            if embedded {
                out.push('"');
                out.push_str(&encoded);
                out.push('"');
            } else {
                out.push_str(&encoded);
            }
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                append(out, item, true);
            }
            out.push(']');
        }
        Value::Map(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                append(out, k, true);
                out.push(':');
                append(out, v, true);
            }
            out.push('}');
        }
        Value::Struct(s) => {
            out.push('{');
            if let Ok(fields) = s.schema().fields() {
                for (i, field) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push('"');
                    out.push_str(&escape(field.name()));
                    out.push('"');
                    out.push(':');
                    append(out, s.get_field(field), true);
                }
            }
            out.push('}');
        }
        Value::Timestamp(millis) => out.push_str(&format_java_date(*millis)),
    }
}

/// Java's `Values.escape`: backslashes and double quotes get a backslash.
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Java's `Values.dateFormatFor(date).format(date)`, in UTC.
fn format_java_date(millis: i64) -> String {
    if millis < MILLIS_PER_DAY {
        format_time(millis)
    } else if millis % MILLIS_PER_DAY == 0 {
        format_date(millis)
    } else {
        format_timestamp(millis)
    }
}

// ---------------------------------------------------------------------------------------------
// Schema inference and merging
// ---------------------------------------------------------------------------------------------

/// Java's `Values.SchemaDetector`: the single bare type of a container's non-null elements.
#[derive(Default)]
struct SchemaDetector {
    known_type: Option<Type>,
    optional: bool,
}

impl SchemaDetector {
    fn can_detect(&mut self, value: &Value) -> bool {
        if value.is_null() {
            self.optional = true;
            return true;
        }
        let Some(schema) = infer_schema(value) else {
            return false;
        };
        match self.known_type {
            None => {
                self.known_type = Some(schema.schema_type());
                true
            }
            Some(known) => known == schema.schema_type(),
        }
    }

    fn schema(&self) -> Option<Schema> {
        let mut builder = SchemaBuilder::new(self.known_type?);
        if self.optional {
            builder = builder.optional();
        }
        builder.build().ok()
    }
}

/// Java's `Values.SchemaMerger`.
#[derive(Default)]
struct SchemaMerger {
    common: Option<Schema>,
    incompatible: bool,
}

impl SchemaMerger {
    fn merge(&mut self, latest: Option<&SchemaAndValue>) {
        let Some(latest) = latest.and_then(|l| l.schema.as_ref()) else {
            return;
        };
        if self.incompatible {
            return;
        }
        self.common = match self.common.take() {
            None => Some(latest.clone()),
            Some(previous) => {
                let merged = merge_schemas(&previous, latest);
                self.incompatible = merged.is_none();
                merged
            }
        };
    }
}

/// Java's `Values.mergeSchemas`: numeric types widen; the same type keeps the newer schema when
/// both have the same optionality (names are not compared: a Date and a Time merge to Time).
fn merge_schemas(previous: &Schema, new: &Schema) -> Option<Schema> {
    let (p, n) = (previous.schema_type(), new.schema_type());
    if p != n {
        let rank = |t: Type| match t {
            Type::Int8 => Some(0),
            Type::Int16 => Some(1),
            Type::Int32 => Some(2),
            Type::Int64 => Some(3),
            Type::Float32 => Some(4),
            Type::Float64 => Some(5),
            _ => None,
        };
        return match (rank(p), rank(n)) {
            (Some(rp), Some(rn)) => Some(if rn > rp {
                new.clone()
            } else {
                previous.clone()
            }),
            _ => None,
        };
    }
    if previous.is_optional() == new.is_optional() {
        return Some(
            if previous.is_optional() {
                previous
            } else {
                new
            }
            .clone(),
        );
    }
    if previous != new {
        return None;
    }
    Some(previous.clone())
}

// ---------------------------------------------------------------------------------------------
// Java equality for map keys (LinkedHashMap semantics)
// ---------------------------------------------------------------------------------------------

/// `Object.equals` of the Java objects: floats compare by bits (`Float.equals`), decimals by
/// unscaled value and scale, maps regardless of order.
fn java_equals(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float32(x), Value::Float32(y)) => float_bits(*x) == float_bits(*y),
        (Value::Float64(x), Value::Float64(y)) => double_bits(*x) == double_bits(*y),
        (Value::Decimal(x), Value::Decimal(y)) => {
            x.as_bigint_and_exponent() == y.as_bigint_and_exponent()
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| java_equals(x, y))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| {
                    y.iter()
                        .any(|(k2, v2)| java_equals(k, k2) && java_equals(v, v2))
                })
        }
        _ => a == b,
    }
}

fn float_bits(f: f32) -> u32 {
    if f.is_nan() {
        0x7fc0_0000
    } else {
        f.to_bits()
    }
}

fn double_bits(d: f64) -> u64 {
    if d.is_nan() {
        0x7ff8_0000_0000_0000
    } else {
        d.to_bits()
    }
}

/// A hash consistent with [`java_equals`].
fn java_hash(value: &Value, state: &mut DefaultHasher) {
    std::mem::discriminant(value).hash(state);
    match value {
        Value::Null | Value::Struct(_) => {}
        Value::Int8(v) => v.hash(state),
        Value::Int16(v) => v.hash(state),
        Value::Int32(v) => v.hash(state),
        Value::Int64(v) => v.hash(state),
        Value::Float32(v) => float_bits(*v).hash(state),
        Value::Float64(v) => double_bits(*v).hash(state),
        Value::Boolean(v) => v.hash(state),
        Value::String(v) => v.hash(state),
        Value::Bytes(v) => v.hash(state),
        Value::Decimal(d) => d.as_bigint_and_exponent().hash(state),
        Value::Timestamp(v) => v.hash(state),
        Value::Array(items) => {
            items.len().hash(state);
            for item in items {
                java_hash(item, state);
            }
        }
        Value::Map(entries) => {
            // Order-independent, like Java's Map.hashCode (a sum over entries).
            let mut sum = 0u64;
            for (k, v) in entries {
                let mut entry = DefaultHasher::new();
                java_hash(k, &mut entry);
                java_hash(v, &mut entry);
                sum = sum.wrapping_add(entry.finish());
            }
            sum.hash(state);
        }
    }
}

/// An insertion-ordered map with Java `LinkedHashMap.put` semantics: putting an existing key
/// replaces the value and keeps the key's position.
#[derive(Default)]
struct LinkedMap {
    entries: Vec<(Value, Value)>,
    index: HashMap<u64, Vec<usize>>,
}

impl LinkedMap {
    fn put(&mut self, key: Value, value: Value) {
        let mut hasher = DefaultHasher::new();
        java_hash(&key, &mut hasher);
        let bucket = self.index.entry(hasher.finish()).or_default();
        for &i in bucket.iter() {
            if let Some(entry) = self.entries.get_mut(i) {
                if java_equals(&entry.0, &key) {
                    entry.1 = value;
                    return;
                }
            }
        }
        bucket.push(self.entries.len());
        self.entries.push((key, value));
    }
}

// ---------------------------------------------------------------------------------------------
// The parser (Java's `Values.ValueParser` over `Values.Parser`)
// ---------------------------------------------------------------------------------------------

/// A failure inside a container; the enclosing `parse` catches it and falls back to text.
/// (Java's `DataException`s here carry messages that are only logged at TRACE level.)
#[derive(Debug)]
struct ParseError;

type ParseResult<T> = std::result::Result<T, ParseError>;

fn string_value(s: &str) -> SchemaAndValue {
    SchemaAndValue::new(Some(STRING_SCHEMA.clone()), Value::String(s.to_owned()))
}

/// Java's `String.trim()`: strips every character up to U+0020 (controls included).
fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// Java's `Utils.isBlank`.
fn is_blank(s: &str) -> bool {
    java_trim(s).is_empty()
}

/// Java's `Values.Parser`: a tokenizer splitting on unescaped `: , { } [ ] "`, with a one-token
/// lookahead and rewinding. Positions are byte offsets (Java uses UTF-16 indices; every token
/// boundary is an ASCII delimiter, so the tokens are the same).
struct Parser<'a> {
    original: &'a str,
    pos: usize,
    next_token: Option<&'a str>,
}

impl<'a> Parser<'a> {
    fn new(original: &'a str) -> Self {
        Parser {
            original,
            pos: 0,
            next_token: None,
        }
    }

    fn slice(&self, from: usize, to: usize) -> &'a str {
        self.original.get(from..to).unwrap_or("")
    }

    fn mark(&self) -> usize {
        self.pos - self.next_token.map_or(0, str::len)
    }

    fn rewind_to(&mut self, position: usize) {
        self.pos = position;
        self.next_token = None;
    }

    fn has_next(&self) -> bool {
        self.next_token.is_some() || self.can_consume_next_token()
    }

    fn can_consume_next_token(&self) -> bool {
        self.pos < self.original.len()
    }

    fn next(&mut self) -> &'a str {
        match self.next_token.take() {
            Some(token) => token,
            None => self.consume_next_token(),
        }
    }

    /// The raw text of the next `n` tokens, or `None` (and no tokens consumed) if fewer remain.
    fn next_n(&mut self, n: usize) -> Option<&'a str> {
        let start = self.mark();
        for _ in 0..n {
            if !self.has_next() {
                self.rewind_to(start);
                return None;
            }
            self.next();
        }
        Some(self.slice(start, self.pos))
    }

    fn consume_next_token(&mut self) -> &'a str {
        let bytes = self.original.as_bytes();
        let start = self.pos;
        let mut escaped = false;
        while let Some(&b) = bytes.get(self.pos) {
            match b {
                b'\\' => escaped = !escaped,
                b':' | b',' | b'{' | b'}' | b'[' | b']' | b'"' => {
                    if !escaped {
                        if start < self.pos {
                            return self.slice(start, self.pos);
                        }
                        self.pos += 1;
                        return self.slice(start, start + 1);
                    }
                    escaped = false;
                }
                _ => escaped = false,
            }
            self.pos += 1;
        }
        self.slice(start, self.pos)
    }

    /// Java's `canConsume(expected)`: skips whitespace-only tokens, then consumes the next
    /// token if its trimmed text is `expected`.
    fn can_consume(&mut self, expected: &str) -> bool {
        let token = match self.next_token {
            Some(token) => token,
            None => {
                if !self.has_next() {
                    return false;
                }
                self.consume_next_token()
            }
        };
        let mut token = token;
        while is_blank(token) && self.can_consume_next_token() {
            token = self.consume_next_token();
        }
        self.next_token = Some(token);
        if java_trim(token) == expected {
            self.next_token = None;
            return true;
        }
        false
    }
}

struct ValueParser<'a> {
    parser: Parser<'a>,
}

impl ValueParser<'_> {
    fn can_parse_single_token_literal(&mut self, embedded: bool, literal: &str) -> bool {
        let start = self.parser.mark();
        if self.parser.can_consume(literal) && (embedded || !self.parser.has_next()) {
            return true;
        }
        self.parser.rewind_to(start);
        false
    }

    fn parse(&mut self, embedded: bool, depth: usize) -> ParseResult<Option<SchemaAndValue>> {
        if !self.parser.has_next() {
            return Ok(None);
        }
        if embedded && self.parser.can_consume("\"") {
            return Ok(Some(self.parse_quoted_string()));
        }
        if self.can_parse_single_token_literal(embedded, "null") {
            return Ok(None);
        }
        if self.can_parse_single_token_literal(embedded, "true") {
            return Ok(Some(SchemaAndValue::new(
                Some(BOOLEAN_SCHEMA.clone()),
                Value::Boolean(true),
            )));
        }
        if self.can_parse_single_token_literal(embedded, "false") {
            return Ok(Some(SchemaAndValue::new(
                Some(BOOLEAN_SCHEMA.clone()),
                Value::Boolean(false),
            )));
        }

        let start = self.parser.mark();
        let container = if self.parser.can_consume("[") {
            Some(self.parse_array(depth))
        } else if self.parser.can_consume("{") {
            Some(self.parse_map(depth))
        } else {
            None
        };
        match container {
            Some(Ok(parsed)) => return Ok(Some(parsed)),
            Some(Err(ParseError)) => self.parser.rewind_to(start),
            None => {}
        }

        let token = self.parser.next();
        if is_blank(token) {
            return Ok(Some(string_value(token)));
        }
        self.parse_next_token(embedded, java_trim(token)).map(Some)
    }

    fn parse_next_token(&mut self, embedded: bool, token: &str) -> ParseResult<SchemaAndValue> {
        let first = token.chars().next().unwrap_or(' ');
        let first_is_digit = java_digit(first).is_some();
        if first_is_digit {
            if let Some(temporal) = self.parse_multiple_tokens_as_temporal(token) {
                return Ok(temporal);
            }
        }
        if first_is_digit || first == '+' || first == '-' {
            if let Some(number) = parse_as_number(token) {
                return Ok(number);
            }
        }
        if embedded {
            return Err(ParseError);
        }
        Ok(string_value(self.parser.original))
    }

    fn parse_quoted_string(&mut self) -> SchemaAndValue {
        let mut content = String::new();
        while self.parser.has_next() {
            if self.parser.can_consume("\"") {
                break;
            }
            content.push_str(self.parser.next());
        }
        match parse_as_temporal(&content) {
            Some(temporal) => temporal,
            None => SchemaAndValue::new(Some(STRING_SCHEMA.clone()), Value::String(content)),
        }
    }

    fn parse_array(&mut self, depth: usize) -> ParseResult<SchemaAndValue> {
        if depth >= MAX_NESTING_DEPTH {
            return Err(ParseError);
        }
        let mut result = Vec::new();
        let mut element_schema = SchemaMerger::default();
        while self.parser.has_next() {
            if self.parser.can_consume("]") {
                let built = match &element_schema.common {
                    Some(common) => {
                        let schema = SchemaBuilder::array(common.clone())
                            .build()
                            .map_err(|_| ParseError)?;
                        result = result
                            .iter()
                            .map(|v| convert_to(common, None, v))
                            .collect::<Result<Vec<_>>>()
                            .map_err(|_| ParseError)?;
                        schema
                    }
                    None => {
                        SchemaBuilder::container_without_element_schemas(Type::Array, None, None)
                            .build()
                            .map_err(|_| ParseError)?
                    }
                };
                return Ok(SchemaAndValue::new(Some(built), Value::Array(result)));
            }
            if self.parser.can_consume(",") {
                return Err(ParseError);
            }
            let element = self.parse(true, depth + 1)?;
            element_schema.merge(element.as_ref());
            result.push(element.map_or(Value::Null, |e| e.value));

            let position = self.parser.mark();
            if self.parser.can_consume("]") {
                self.parser.rewind_to(position);
            } else if !self.parser.can_consume(",") {
                return Err(ParseError);
            }
        }
        // Missing either a comma or an end delimiter.
        Err(ParseError)
    }

    fn parse_map(&mut self, depth: usize) -> ParseResult<SchemaAndValue> {
        if depth >= MAX_NESTING_DEPTH {
            return Err(ParseError);
        }
        let mut result = LinkedMap::default();
        let mut key_schema = SchemaMerger::default();
        let mut value_schema = SchemaMerger::default();
        while self.parser.has_next() {
            if self.parser.can_consume("}") {
                return build_map(result, key_schema, value_schema).map_err(|_| ParseError);
            }
            if self.parser.can_consume(",") {
                return Err(ParseError);
            }
            let key = match self.parse(true, depth + 1)? {
                Some(key) if !key.value.is_null() => key,
                _ => return Err(ParseError),
            };
            if !self.parser.can_consume(":") {
                return Err(ParseError);
            }
            let value = self.parse(true, depth + 1)?;
            let entry_value = value.as_ref().map_or(Value::Null, |v| v.value.clone());
            result.put(key.value.clone(), entry_value);

            self.parser.can_consume(",");
            key_schema.merge(Some(&key));
            value_schema.merge(value.as_ref());
        }
        Err(ParseError)
    }

    fn parse_multiple_tokens_as_temporal(&mut self, token: &str) -> Option<SchemaAndValue> {
        // A time or timestamp may be split into 5 tokens by its unescaped colons.
        let position = self.parser.mark();
        if let Some(remainder) = self.parser.next_n(4) {
            if token.len() + remainder.len() <= MAX_TEMPORAL_BYTES {
                if let Some(temporal) = parse_as_temporal(&format!("{token}{remainder}")) {
                    return Some(temporal);
                }
            }
        }
        self.parser.rewind_to(position);
        parse_as_temporal(token)
    }
}

fn build_map(
    entries: LinkedMap,
    key_schema: SchemaMerger,
    value_schema: SchemaMerger,
) -> Result<SchemaAndValue> {
    let (schema, entries) = match (key_schema.common, value_schema.common) {
        (Some(k), Some(v)) => {
            let mut aligned = LinkedMap::default();
            for (key, value) in &entries.entries {
                aligned.put(convert_to(&k, None, key)?, convert_to(&v, None, value)?);
            }
            (SchemaBuilder::map(k, v).build()?, aligned.entries)
        }
        (Some(k), None) => {
            let mut aligned = LinkedMap::default();
            for (key, value) in &entries.entries {
                aligned.put(convert_to(&k, None, key)?, value.clone());
            }
            let schema = SchemaBuilder::container_without_element_schemas(Type::Map, Some(k), None)
                .build()?;
            (schema, aligned.entries)
        }
        _ => (
            SchemaBuilder::container_without_element_schemas(Type::Map, None, None).build()?,
            entries.entries,
        ),
    };
    Ok(SchemaAndValue::new(Some(schema), Value::Map(entries)))
}

/// Java's `ValueParser.parseAsNumber`.
fn parse_as_number(token: &str) -> Option<SchemaAndValue> {
    let decimal = JavaDecimal::parse(token).ok()?;
    if let Some(integral) = decimal.exact_long() {
        return Some(if let Ok(v) = i8::try_from(integral) {
            SchemaAndValue::new(Some(INT8_SCHEMA.clone()), Value::Int8(v))
        } else if let Ok(v) = i16::try_from(integral) {
            SchemaAndValue::new(Some(INT16_SCHEMA.clone()), Value::Int16(v))
        } else if let Ok(v) = i32::try_from(integral) {
            SchemaAndValue::new(Some(INT32_SCHEMA.clone()), Value::Int32(v))
        } else {
            SchemaAndValue::new(Some(INT64_SCHEMA.clone()), Value::Int64(integral))
        });
    }
    let f = decimal.to_f32();
    if f.is_finite() && decimal.scale != 0 {
        return Some(SchemaAndValue::new(
            Some(FLOAT32_SCHEMA.clone()),
            Value::Float32(f),
        ));
    }
    let d = decimal.to_f64();
    if d.is_finite() && decimal.scale != 0 {
        return Some(SchemaAndValue::new(
            Some(FLOAT64_SCHEMA.clone()),
            Value::Float64(d),
        ));
    }
    // Java's scale is an int; JavaDecimal::parse guarantees it fits.
    let scale = i32::try_from(decimal.scale).ok()?;
    Some(SchemaAndValue::new(
        Some(Decimal::schema(scale)),
        Value::Decimal(decimal.to_big_decimal()),
    ))
}

// ---------------------------------------------------------------------------------------------
// Java's BigDecimal: parsing `new BigDecimal(String)` and its conversions
// ---------------------------------------------------------------------------------------------

/// The first code point of every run of ten Unicode decimal digits (general category Nd) in
/// the Basic Multilingual Plane: what Java's `Character.isDigit(char)`/`Character.digit` accept,
/// and so what `BigDecimal`, `DecimalFormat` and `Values` read as digits.
const DIGIT_ZEROS: [u32; 37] = [
    0x0030, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6,
    0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80,
    0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0,
    0xFF10,
];

/// Java's `Character.digit(c, 10)` for a `char` (BMP only; supplementary characters are two
/// surrogate `char`s in Java, never digits).
fn java_digit(c: char) -> Option<u32> {
    if c.is_ascii_digit() {
        return Some(c as u32 - '0' as u32);
    }
    let cp = c as u32;
    if cp > 0xFFFF {
        return None;
    }
    let index = DIGIT_ZEROS
        .partition_point(|&zero| zero <= cp)
        .checked_sub(1)?;
    let zero = *DIGIT_ZEROS.get(index)?;
    (cp - zero < 10).then_some(cp - zero)
}

/// A decimal number as Java's `BigDecimal` holds it: `(-1)^negative × digits × 10^-scale`.
#[derive(Debug, Clone)]
struct JavaDecimal {
    negative: bool,
    /// ASCII digits of the unscaled magnitude; never empty; may have leading zeros.
    digits: String,
    scale: i64,
}

impl JavaDecimal {
    /// Java's `new BigDecimal(String)`; the error is the `NumberFormatException` message.
    fn parse(s: &str) -> std::result::Result<JavaDecimal, String> {
        let (negative, rest) = match s.as_bytes().first() {
            None => return Err("No digits found.".to_owned()),
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            Some(_) => (false, s),
        };
        // Java takes a faster path (with other messages) for at most 18 chars.
        let compact = rest.encode_utf16().count() <= 18;
        let mut digits = String::new();
        let mut dot = false;
        let mut scale: i64 = 0;
        let mut exponent: i64 = 0;
        for (i, c) in rest.char_indices() {
            if let Some(d) = java_digit(c) {
                digits.push(char::from(b'0' + d as u8));
                if dot {
                    scale += 1;
                }
            } else if c == '.' {
                if dot {
                    return Err("Character array contains more than one decimal point.".to_owned());
                }
                dot = true;
            } else if c == 'e' || c == 'E' {
                exponent = Self::parse_exponent(&rest[i + 1..])?;
                if i64::from(exponent as i32) != exponent {
                    return Err("Exponent overflow.".to_owned());
                }
                break;
            } else if compact {
                // Java names the offending UTF-16 unit; a lone surrogate prints as '?'.
                let c = if u32::from(c) > 0xFFFF { '?' } else { c };
                return Err(format!(
                    "Character {c} is neither a decimal digit number, decimal point, nor \"e\" notation exponential mark."
                ));
            } else {
                return Err(
                    "Character array is missing \"e\" notation exponential mark.".to_owned(),
                );
            }
        }
        if digits.is_empty() {
            return Err("No digits found.".to_owned());
        }
        if exponent != 0 {
            scale -= exponent;
            if i64::from(scale as i32) != scale {
                return Err("Scale out of range.".to_owned());
            }
        }
        Ok(JavaDecimal {
            negative,
            digits,
            scale,
        })
    }

    /// Java's `BigDecimal.parseExp` over the text after the `e`.
    fn parse_exponent(s: &str) -> std::result::Result<i64, String> {
        let (negative, rest) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        // Java counts UTF-16 units (a supplementary character is two non-digits).
        let units: Vec<u16> = rest.encode_utf16().collect();
        let digit = |u: u16| char::from_u32(u32::from(u)).and_then(java_digit);
        if units.is_empty() {
            return Err("No exponent digits.".to_owned());
        }
        let mut start = 0;
        while units.len() - start > 10 && units.get(start).and_then(|&u| digit(u)) == Some(0) {
            start += 1;
        }
        if units.len() - start > 10 {
            return Err("Too many nonzero exponent digits.".to_owned());
        }
        let mut exponent: i64 = 0;
        for &u in units.get(start..).unwrap_or_default() {
            let d = digit(u).ok_or_else(|| "Not a digit.".to_owned())?;
            exponent = exponent * 10 + i64::from(d);
        }
        Ok(if negative { -exponent } else { exponent })
    }

    fn from_big_decimal(d: &BigDecimal) -> JavaDecimal {
        let (unscaled, scale) = d.as_bigint_and_exponent();
        JavaDecimal {
            negative: unscaled.sign() == Sign::Minus,
            digits: unscaled.magnitude().to_string(),
            scale,
        }
    }

    fn significant(&self) -> &str {
        self.digits.trim_start_matches('0')
    }

    /// `BigDecimal.longValue()`: the integer part (truncated toward zero), low 64 bits.
    fn long_value(&self) -> i64 {
        let significant = self.significant();
        // A scale of -64 or less means a factor 10^64, so the low 64 bits are all zero.
        if significant.is_empty() || self.scale <= -64 {
            return 0;
        }
        let (integer_digits, zeros) = if self.scale >= 0 {
            let keep = (significant.len() as i128) - i128::from(self.scale);
            if keep <= 0 {
                return 0;
            }
            (&significant[..keep as usize], 0)
        } else {
            (significant, (-self.scale) as usize)
        };
        let mut acc: u64 = 0;
        for b in integer_digits.bytes() {
            acc = acc.wrapping_mul(10).wrapping_add(u64::from(b - b'0'));
        }
        for _ in 0..zeros {
            acc = acc.wrapping_mul(10);
        }
        let v = acc as i64;
        if self.negative {
            v.wrapping_neg()
        } else {
            v
        }
    }

    /// The value as a `long` if it is integral and fits (Java's `parseAsExactDecimal`).
    fn exact_long(&self) -> Option<i64> {
        let significant = self.significant();
        if significant.is_empty() {
            return Some(0);
        }
        let core = significant.trim_end_matches('0');
        let trailing_zeros = (significant.len() - core.len()) as i128;
        let scale = i128::from(self.scale) - trailing_zeros;
        if scale > 0 {
            return None;
        }
        let zeros = -scale;
        if core.len() as i128 + zeros > 19 {
            return None;
        }
        let mut acc: i128 = 0;
        for b in core.bytes() {
            acc = acc * 10 + i128::from(b - b'0');
        }
        for _ in 0..zeros {
            acc *= 10;
        }
        i64::try_from(if self.negative { -acc } else { acc }).ok()
    }

    fn scientific(&self) -> String {
        // BigDecimal has no negative zero: -0.0 converts to 0.0.
        let negative = self.negative && !self.significant().is_empty();
        format!(
            "{}{}e{}",
            if negative { "-" } else { "" },
            self.digits,
            -i128::from(self.scale)
        )
    }

    /// `BigDecimal.doubleValue()`: correctly rounded.
    fn to_f64(&self) -> f64 {
        self.scientific().parse().unwrap_or(0.0)
    }

    /// `BigDecimal.floatValue()`: correctly rounded.
    fn to_f32(&self) -> f32 {
        self.scientific().parse().unwrap_or(0.0)
    }

    fn to_big_decimal(&self) -> BigDecimal {
        let magnitude = BigInt::parse_bytes(self.digits.as_bytes(), 10).unwrap_or_default();
        BigDecimal::new(
            if self.negative { -magnitude } else { magnitude },
            self.scale,
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Temporal parsing: Java's lenient SimpleDateFormat for the three ISO patterns, in UTC
// ---------------------------------------------------------------------------------------------

/// An upper bound on the UTF-8 length of a temporal literal (24 UTF-16 units, each at most 3
/// bytes, plus at most one escaping backslash each), to skip hopeless candidates cheaply.
const MAX_TEMPORAL_BYTES: usize = 200;

#[derive(Clone, Copy)]
enum Part {
    Literal(char),
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
    Millisecond,
}

/// `yyyy-MM-dd`
const DATE_PATTERN: [Part; 5] = [
    Part::Year,
    Part::Literal('-'),
    Part::Month,
    Part::Literal('-'),
    Part::Day,
];
/// `HH:mm:ss.SSS'Z'`
const TIME_PATTERN: [Part; 8] = [
    Part::Hour,
    Part::Literal(':'),
    Part::Minute,
    Part::Literal(':'),
    Part::Second,
    Part::Literal('.'),
    Part::Millisecond,
    Part::Literal('Z'),
];
/// `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`
const TIMESTAMP_PATTERN: [Part; 14] = [
    Part::Year,
    Part::Literal('-'),
    Part::Month,
    Part::Literal('-'),
    Part::Day,
    Part::Literal('T'),
    Part::Hour,
    Part::Literal(':'),
    Part::Minute,
    Part::Literal(':'),
    Part::Second,
    Part::Literal('.'),
    Part::Millisecond,
    Part::Literal('Z'),
];

/// Java's `ValueParser.parseAsTemporal`: picks the pattern by the length (in UTF-16 units)
/// after unescaping `\:`.
fn parse_as_temporal(token: &str) -> Option<SchemaAndValue> {
    if token.len() > MAX_TEMPORAL_BYTES {
        return None;
    }
    let token = token.replace("\\:", ":");
    let (pattern, schema): (&[Part], &Schema) = match token.encode_utf16().count() {
        13 => (&TIME_PATTERN, &TIME_SCHEMA),
        24 => (&TIMESTAMP_PATTERN, &TIMESTAMP_SCHEMA),
        10 => (&DATE_PATTERN, &DATE_SCHEMA),
        _ => return None,
    };
    let chars: Vec<char> = token.chars().collect();
    let millis = simple_date_format_parse(&chars, pattern)?;
    Some(SchemaAndValue::new(
        Some(schema.clone()),
        Value::Timestamp(millis),
    ))
}

/// The calendar fields a parse sets (Java `int`s; unset fields keep Calendar's defaults).
#[derive(Default)]
struct CalendarFields {
    year: Option<i32>,
    /// Zero-based, as `Calendar.MONTH`.
    month: Option<i32>,
    day: Option<i32>,
    hour: i32,
    minute: i32,
    second: i32,
    millisecond: i32,
}

/// `new SimpleDateFormat(pattern).parse(text, new ParsePosition(0))` in lenient mode and UTC:
/// numeric fields skip leading spaces and tabs and are read by `DecimalFormat` (so a sign, any
/// number of digits and even an exponent are accepted), literals must match exactly, trailing
/// text is ignored, and out-of-range fields roll over (month 13 is January of the next year).
fn simple_date_format_parse(text: &[char], pattern: &[Part]) -> Option<i64> {
    let mut pos = 0;
    let mut fields = CalendarFields::default();
    for part in pattern {
        if let Part::Literal(c) = part {
            if text.get(pos) != Some(c) {
                return None;
            }
            pos += 1;
            continue;
        }
        while matches!(text.get(pos), Some(' ' | '\t')) {
            pos += 1;
        }
        if pos >= text.len() {
            return None;
        }
        let (value, next) = decimal_format_parse_int(text, pos)?;
        pos = next;
        match part {
            Part::Year => fields.year = Some(value),
            Part::Month => fields.month = Some(value.wrapping_sub(1)),
            Part::Day => fields.day = Some(value),
            Part::Hour => fields.hour = value,
            Part::Minute => fields.minute = value,
            Part::Second => fields.second = value,
            Part::Millisecond => fields.millisecond = value,
            Part::Literal(_) => {}
        }
    }
    Some(fields.to_epoch_millis())
}

fn starts_with_at(text: &[char], pos: usize, literal: &str) -> bool {
    literal
        .chars()
        .enumerate()
        .all(|(k, c)| text.get(pos + k) == Some(&c))
}

/// The significant digits of a number read by `DecimalFormat` (Java's `DigitList`).
struct DigitList {
    digits: Vec<u8>,
    decimal_at: i32,
}

impl DigitList {
    /// Java's `DigitList.fitsIntoLong(isPositive, ignoreNegativeZero = true)`; trims trailing
    /// zeros as Java does.
    fn fits_into_long(&mut self, positive: bool) -> bool {
        while self.digits.last() == Some(&0) {
            self.digits.pop();
        }
        let count = self.digits.len() as i64;
        if count == 0 {
            return true;
        }
        let decimal_at = i64::from(self.decimal_at);
        if decimal_at < count || decimal_at > 19 {
            return false;
        }
        if decimal_at < 19 {
            return true;
        }
        const LONG_MIN_REP: &[u8; 19] = b"9223372036854775808";
        for (d, max) in self.digits.iter().zip(LONG_MIN_REP) {
            let max = max - b'0';
            if *d > max {
                return false;
            }
            if *d < max {
                return true;
            }
        }
        if count < decimal_at {
            return true;
        }
        !positive
    }

    /// Java's `DigitList.getLong()` (after `fits_into_long`).
    fn long_value(&self) -> i64 {
        let mut acc: i128 = 0;
        for &d in &self.digits {
            acc = acc * 10 + i128::from(d);
        }
        for _ in self.digits.len()..usize::try_from(self.decimal_at).unwrap_or(0) {
            acc *= 10;
        }
        // 9223372036854775808 is Long.MIN_VALUE in Java.
        acc as i64
    }

    /// Java's `DigitList.getDouble()`.
    fn double_value(&self) -> f64 {
        if self.digits.is_empty() {
            return 0.0;
        }
        let digits: String = self.digits.iter().map(|d| char::from(b'0' + d)).collect();
        format!("0.{digits}e{}", self.decimal_at)
            .parse()
            .unwrap_or(0.0)
    }
}

/// Scans digits from `pos` like `DecimalFormat.subparseNumber` (leading zeros skipped, no
/// decimal point since date formats parse integers only). Returns the digits, how many digits
/// were counted, whether any digit was seen, and the end position.
fn scan_digits(text: &[char], mut pos: usize) -> (Vec<u8>, i32, bool, usize) {
    let mut digits = Vec::new();
    let mut count: i32 = 0;
    let mut saw_digit = false;
    while let Some(d) = text.get(pos).and_then(|&c| java_digit(c)) {
        saw_digit = true;
        if d != 0 || !digits.is_empty() {
            count = count.wrapping_add(1);
            digits.push(d as u8);
        }
        pos += 1;
    }
    (digits, count, saw_digit, pos)
}

/// `SimpleDateFormat`'s `numberFormat.parse(text, pos).intValue()`: Java's integer
/// `DecimalFormat` (no grouping, integer only) followed by `Number.intValue()`.
fn decimal_format_parse_int(text: &[char], pos: usize) -> Option<(i32, usize)> {
    if starts_with_at(text, pos, "NaN") {
        // Double.NaN.intValue() is 0.
        return Some((0, pos + 3));
    }
    let negative = text.get(pos) == Some(&'-');
    let mut p = if negative { pos + 1 } else { pos };
    if text.get(p) == Some(&'\u{221E}') {
        return Some((if negative { i32::MIN } else { i32::MAX }, p + 1));
    }
    let (digits, count, saw_digit, end) = scan_digits(text, p);
    p = end;
    let mut exponent: i32 = 0;
    if text.get(p) == Some(&'E') {
        // The exponent is parsed recursively: an optional minus and digits; if that fails,
        // the 'E' is left unconsumed.
        let mut q = p + 1;
        let exponent_negative = text.get(q) == Some(&'-');
        if exponent_negative {
            q += 1;
        }
        let (exp_digits, exp_count, exp_saw_digit, exp_end) = scan_digits(text, q);
        if exp_saw_digit || exp_count != 0 {
            let mut list = DigitList {
                digits: exp_digits,
                decimal_at: exp_count,
            };
            if list.fits_into_long(!exponent_negative) {
                let value = list.long_value() as i32;
                exponent = if exponent_negative {
                    value.wrapping_neg()
                } else {
                    value
                };
                p = exp_end;
            }
        }
    }
    if !saw_digit && count == 0 {
        return None;
    }
    let mut list = DigitList {
        digits,
        decimal_at: count.wrapping_add(exponent),
    };
    let value = if list.fits_into_long(!negative) {
        let long = list.long_value();
        let long = if negative && long != i64::MIN {
            -long
        } else {
            long
        };
        long as i32
    } else {
        let double = list.double_value();
        (if negative { -double } else { double }) as i32
    };
    Some((value, p))
}

/// The fixed date (day 1 = January 1 of year 1, Gregorian) of the first of a month, with
/// Java's `BaseCalendar.getFixedDate` arithmetic (`month` is 1-based and in range).
fn gregorian_fixed_date(year: i32, month: i32) -> i64 {
    let prev_year = i64::from(year) - 1;
    let month = i64::from(month);
    let mut days = 1 + 365 * prev_year + prev_year.div_euclid(4) - prev_year.div_euclid(100)
        + prev_year.div_euclid(400)
        + (367 * month - 362).div_euclid(12);
    if month > 2 {
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        days -= if leap { 1 } else { 2 };
    }
    days
}

/// The fixed date of the first of a month in the Julian calendar (Java's
/// `JulianCalendar.getFixedDate`; astronomical year numbering).
fn julian_fixed_date(year: i32, month: i32) -> i64 {
    const JULIAN_EPOCH: i64 = -1;
    let y = i64::from(year);
    let month = i64::from(month);
    let mut days = JULIAN_EPOCH - 1 + 365 * (y - 1) + 1 + (y - 1).div_euclid(4);
    days += (367 * month - 362).div_euclid(12);
    if month > 2 {
        days -= if year.rem_euclid(4) == 0 { 1 } else { 2 };
    }
    days
}

/// The fixed date of 1970-01-01.
const EPOCH_FIXED_DATE: i64 = 719_163;
/// The fixed date of 1582-10-15, the first Gregorian day of Java's default calendar.
const GREGORIAN_CUTOVER_FIXED_DATE: i64 = 577_736;
const GREGORIAN_CUTOVER_YEAR: i32 = 1582;

impl CalendarFields {
    /// Java's lenient `GregorianCalendar.computeTime` in UTC for the fields set by a parse.
    fn to_epoch_millis(&self) -> i64 {
        let mut time_of_day = i64::from(self.hour);
        time_of_day = time_of_day * 60 + i64::from(self.minute);
        time_of_day = time_of_day * 60 + i64::from(self.second);
        time_of_day = time_of_day * 1000 + i64::from(self.millisecond);
        let mut days = time_of_day / MILLIS_PER_DAY;
        time_of_day %= MILLIS_PER_DAY;
        if time_of_day < 0 {
            time_of_day += MILLIS_PER_DAY;
            days -= 1;
        }
        let year = self.year.unwrap_or(1970);
        let fixed = days
            + java_calendar_fixed_date(
                year,
                self.month.unwrap_or(0),
                self.day.map_or(0, |d| i64::from(d) - 1),
            );
        (fixed - EPOCH_FIXED_DATE)
            .wrapping_mul(MILLIS_PER_DAY)
            .wrapping_add(time_of_day)
    }
}

/// The fixed date Java's `GregorianCalendar` computes for a year, zero-based month (rolled into
/// the year if out of range) and day offset: Gregorian from 1582-10-15 on, Julian before.
fn java_calendar_fixed_date(year: i32, month: i32, day_offset: i64) -> i64 {
    let fixed_in = |julian: bool| {
        let (y, m) = if month > 11 {
            (year.wrapping_add(month / 12), month % 12)
        } else if month < 0 {
            (
                year.wrapping_add(month.div_euclid(12)),
                month.rem_euclid(12),
            )
        } else {
            (year, month)
        };
        let first = if julian {
            julian_fixed_date(y, m + 1)
        } else {
            gregorian_fixed_date(y, m + 1)
        };
        first + day_offset
    };
    let (gregorian, julian) = if year > GREGORIAN_CUTOVER_YEAR {
        let gregorian = fixed_in(false);
        if gregorian >= GREGORIAN_CUTOVER_FIXED_DATE {
            return gregorian;
        }
        (gregorian, fixed_in(true))
    } else if year < GREGORIAN_CUTOVER_YEAR {
        let julian = fixed_in(true);
        if julian < GREGORIAN_CUTOVER_FIXED_DATE {
            return julian;
        }
        (julian, julian)
    } else {
        (fixed_in(false), fixed_in(true))
    };
    if gregorian >= GREGORIAN_CUTOVER_FIXED_DATE {
        gregorian
    } else {
        julian
    }
}

/// What Java's `convertToTime` computes for a Timestamp: a UTC `Calendar` set to the instant,
/// then YEAR=1970, MONTH=January, DAY_OF_MONTH=1. For instants before year 1 the era stays BC,
/// so the year becomes 1970 BC, as in Java.
fn time_of_day_moved_to_1970(millis: i64) -> i64 {
    let time_of_day = millis.rem_euclid(MILLIS_PER_DAY);
    // The first millisecond of 0001-01-01 (Julian) in Java's calendar.
    const START_OF_AD: i64 = -62_135_769_600_000;
    let year = if millis < START_OF_AD { 1 - 1970 } else { 1970 };
    let fixed = java_calendar_fixed_date(year, 0, 0);
    (fixed - EPOCH_FIXED_DATE)
        .wrapping_mul(MILLIS_PER_DAY)
        .wrapping_add(time_of_day)
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use proptest::prelude::*;

    use super::*;
    use crate::data::java_format::days_from_civil;
    use crate::data::{
        OPTIONAL_BOOLEAN_SCHEMA, OPTIONAL_FLOAT32_SCHEMA, OPTIONAL_FLOAT64_SCHEMA,
        OPTIONAL_INT16_SCHEMA, OPTIONAL_INT32_SCHEMA, OPTIONAL_INT64_SCHEMA, OPTIONAL_INT8_SCHEMA,
        OPTIONAL_STRING_SCHEMA,
    };

    const WHITESPACE: &str = "\n \t \t\n";

    // ----- helpers -----

    fn parse(s: &str) -> SchemaAndValue {
        parse_string(s).expect("a value, not the null literal")
    }

    fn schema_of(sv: &SchemaAndValue) -> &Schema {
        sv.schema.as_ref().expect("a schema")
    }

    fn type_of(sv: &SchemaAndValue) -> Type {
        schema_of(sv).schema_type()
    }

    fn assert_parses_as_original_string(s: &str) {
        let r = parse(s);
        assert_eq!(r.schema.as_ref(), Some(&*STRING_SCHEMA), "{s:?}");
        assert_eq!(r.value, Value::String(s.to_owned()), "{s:?}");
    }

    fn dec(s: &str) -> BigDecimal {
        BigDecimal::from_str(s).unwrap()
    }

    fn unscaled_and_scale(v: &Value) -> (BigInt, i64) {
        match v {
            Value::Decimal(d) => d.as_bigint_and_exponent(),
            other => panic!("not a decimal: {other:?}"),
        }
    }

    fn err<T: std::fmt::Debug>(r: Result<T>) -> String {
        r.unwrap_err().to_string()
    }

    fn s(v: &str) -> Value {
        Value::String(v.to_owned())
    }

    fn day_millis(y: i64, m: u32, d: u32) -> i64 {
        days_from_civil(y, m, d).unwrap() * MILLIS_PER_DAY
    }

    fn string_map() -> Value {
        Value::Map(vec![(s("foo"), s("123")), (s("bar"), s("baz"))])
    }

    fn string_short_map() -> Value {
        Value::Map(vec![
            (s("foo"), Value::Int16(12345)),
            (s("bar"), Value::Int16(0)),
            (s("baz"), Value::Int16(-4321)),
        ])
    }

    fn string_int_map() -> Value {
        Value::Map(vec![
            (s("foo"), Value::Int32(1_234_567_890)),
            (s("bar"), Value::Int32(0)),
            (s("baz"), Value::Int32(-987_654_321)),
        ])
    }

    fn map_schema(k: &Schema, v: &Schema) -> Schema {
        SchemaBuilder::map(k.clone(), v.clone()).build().unwrap()
    }

    fn array_schema(v: &Schema) -> Schema {
        SchemaBuilder::array(v.clone()).build().unwrap()
    }

    /// Java's `ValuesTest.convertTo`: the `convertToX(STRING_SCHEMA, value)` of the desired type,
    /// then `inferSchema` of the result.
    fn convert_by_type(desired: Type, value: &Value) -> SchemaAndValue {
        let from = Some(&*STRING_SCHEMA);
        let new_value = match desired {
            Type::String => Value::from(convert_to_string(from, value).unwrap()),
            Type::Int8 => Value::from(convert_to_byte(from, value).unwrap()),
            Type::Int16 => Value::from(convert_to_short(from, value).unwrap()),
            Type::Int32 => Value::from(convert_to_integer(from, value).unwrap()),
            Type::Int64 => Value::from(convert_to_long(from, value).unwrap()),
            Type::Float32 => Value::from(convert_to_float(from, value).unwrap()),
            Type::Float64 => Value::from(convert_to_double(from, value).unwrap()),
            Type::Boolean => Value::from(convert_to_boolean(from, value).unwrap()),
            Type::Array => Value::Array(convert_to_list(from, value).unwrap()),
            Type::Map => Value::Map(convert_to_map(from, value).unwrap()),
            Type::Struct | Type::Bytes => panic!("unexpected schema type"),
        };
        SchemaAndValue::new(infer_schema(&new_value), new_value)
    }

    /// Java's `ValuesTest.roundTrip`: serialize with `convertToString`, convert back.
    fn round_trip(desired: Type, input: &SchemaAndValue) -> SchemaAndValue {
        let serialized = convert_to_string(input.schema.as_ref(), &input.value).unwrap();
        if !input.value.is_null() {
            assert!(serialized.is_some());
        }
        convert_by_type(desired, &Value::from(serialized))
    }

    fn round_trip_str(desired: Type, text: &str) -> SchemaAndValue {
        round_trip(
            desired,
            &SchemaAndValue::new(Some(STRING_SCHEMA.clone()), s(text)),
        )
    }

    /// Java's `ValuesTest.assertRoundTrip(schema, currentSchema, value)`.
    fn assert_round_trip(schema: &Schema, current: &Schema, value: Value) {
        let result = round_trip(
            schema.schema_type(),
            &SchemaAndValue::new(Some(current.clone()), value.clone()),
        );
        if value.is_null() {
            assert!(result.schema.is_none());
            assert!(result.value.is_null());
        } else {
            assert_eq!(result.value, value);
            assert_eq!(result.schema.as_ref(), Some(schema));
            let result2 = round_trip(schema.schema_type(), &result);
            assert_eq!(result2.schema.as_ref(), Some(schema));
            assert_eq!(result2.value, value);
            assert_eq!(result2, result);
        }
    }

    /// Java's `ValuesTest.assertShortCircuit`.
    fn assert_short_circuit(schema: &Schema, value: Value) {
        let result = convert_by_type(schema.schema_type(), &value);
        assert_eq!(result.value, value);
        assert_eq!(result.schema.as_ref(), Some(schema));
    }

    /// Java's `ValuesTest.assertParsed`: the tokens, their positions and rewinding.
    fn assert_tokens(input: &str, expected: &[&str]) {
        let mut parser = Parser::new(input);
        for token in expected {
            assert!(parser.has_next(), "{input:?}");
            let position = parser.mark();
            assert_eq!(parser.next(), *token, "{input:?}");
            assert_eq!(parser.pos, position + token.len());
            parser.rewind_to(position);
            assert_eq!(parser.pos, position);
            assert_eq!(parser.next(), *token);
            assert_eq!(parser.mark(), position + token.len());
        }
        assert!(!parser.has_next(), "{input:?}");
        // Rewind and consume the expected tokens.
        for mut parser in [
            {
                parser.rewind_to(0);
                parser
            },
            Parser::new(input),
        ] {
            for token in expected {
                if !is_blank(token) {
                    assert!(parser.can_consume(java_trim(token)), "{input:?} {token:?}");
                }
            }
        }
    }

    // ----- data-model.md §1.5: convertTo* -----

    #[test]
    fn convert_to_boolean_vectors() {
        assert_eq!(convert_to_boolean(None, &Value::Null).unwrap(), None);
        assert_eq!(
            convert_to_boolean(None, &Value::Boolean(true)).unwrap(),
            Some(true)
        );
        assert_eq!(convert_to_boolean(None, &s("true")).unwrap(), Some(true));
        assert_eq!(
            convert_to_boolean(None, &s(" false ")).unwrap(),
            Some(false)
        );
        assert_eq!(convert_to_boolean(None, &s("1")).unwrap(), Some(true));
        assert_eq!(convert_to_boolean(None, &s("0")).unwrap(), Some(false));
        assert_eq!(convert_to_boolean(None, &s("0.9")).unwrap(), Some(false));
        assert_eq!(
            convert_to_boolean(None, &Value::Int32(-3)).unwrap(),
            Some(true)
        );
        assert_eq!(
            convert_to_boolean(None, &Value::Float64(0.0)).unwrap(),
            Some(false)
        );
        assert_eq!(
            err(convert_to_boolean(None, &s("abc"))),
            "Unable to convert abc (class java.lang.String) to a number"
        );
        assert_eq!(
            err(convert_to_boolean(Some(&*STRING_SCHEMA), &s("abc"))),
            "Unable to convert abc (class java.lang.String) to Schema{STRING}"
        );
    }

    #[test]
    fn integer_conversions_narrow_like_java_casts() {
        assert_eq!(convert_to_byte(None, &Value::Int32(300)).unwrap(), Some(44));
        assert_eq!(
            convert_to_byte(None, &Value::Int64(-129)).unwrap(),
            Some(127)
        );
        assert_eq!(convert_to_byte(None, &Value::Int8(-5)).unwrap(), Some(-5));
        assert_eq!(
            convert_to_short(None, &Value::Int32(70_000)).unwrap(),
            Some(4464)
        );
        assert_eq!(
            convert_to_integer(None, &Value::Int64(4_294_967_297)).unwrap(),
            Some(1)
        );
        assert_eq!(convert_to_long(None, &Value::Null).unwrap(), None);
        assert_eq!(convert_to_byte(None, &s("300")).unwrap(), Some(44));
        assert_eq!(
            convert_to_integer(None, &Value::Float64(3e10)).unwrap(),
            Some(-64771072)
        );
    }

    #[test]
    fn as_long_truncates_and_reads_big_decimal_text() {
        assert_eq!(
            convert_to_long(None, &Value::Float64(1.9)).unwrap(),
            Some(1)
        );
        assert_eq!(
            convert_to_long(None, &Value::Float64(-1.9)).unwrap(),
            Some(-1)
        );
        assert_eq!(
            convert_to_long(None, &Value::Float32(f32::NAN)).unwrap(),
            Some(0)
        );
        assert_eq!(
            convert_to_long(None, &Value::Float64(1e30)).unwrap(),
            Some(i64::MAX)
        );
        assert_eq!(convert_to_long(None, &s("1.9")).unwrap(), Some(1));
        assert_eq!(convert_to_long(None, &s("-1.9")).unwrap(), Some(-1));
        assert_eq!(convert_to_long(None, &s("1e3")).unwrap(), Some(1000));
        assert_eq!(convert_to_long(None, &s("+12")).unwrap(), Some(12));
        assert_eq!(convert_to_long(None, &s(".5")).unwrap(), Some(0));
        // BigDecimal.longValue keeps the low 64 bits.
        assert_eq!(
            convert_to_long(None, &s("18446744073709551617")).unwrap(),
            Some(1)
        );
        assert_eq!(convert_to_long(None, &s("1e64")).unwrap(), Some(0));
        assert_eq!(
            convert_to_long(None, &s("1e19")).unwrap(),
            Some(10_000_000_000_000_000_000u64 as i64)
        );
        assert_eq!(convert_to_long(None, &s("1e-999999999")).unwrap(), Some(0));
        assert_eq!(convert_to_long(None, &s("1e999999999")).unwrap(), Some(0));
        assert_eq!(
            convert_to_long(None, &Value::Decimal(dec("-12345.678"))).unwrap(),
            Some(-12345)
        );
        for bad in [
            " 1", "1 ", "", "1,000", "0x10", "1e", "--1", "1.2.3", "NaN", "Infinity",
        ] {
            assert_eq!(
                err(convert_to_long(None, &s(bad))),
                format!("Unable to convert {bad} (class java.lang.String) to a number"),
                "{bad:?}"
            );
        }
        assert_eq!(
            err(convert_to_long(None, &Value::Boolean(true))),
            "Unable to convert true (class java.lang.Boolean) to a number"
        );
        assert_eq!(
            err(convert_to_long(Some(&*INT32_SCHEMA), &Value::Array(vec![]))),
            "Unable to convert [] (class java.util.ArrayList) to Schema{INT32}"
        );
    }

    #[test]
    fn as_long_reads_logical_dates_through_the_from_schema() {
        let day = day_millis(2019, 8, 23);
        let days = day / MILLIS_PER_DAY;
        assert_eq!(
            convert_to_long(Some(&Date::schema()), &Value::Timestamp(day)).unwrap(),
            Some(days)
        );
        assert_eq!(
            convert_to_integer(Some(&Time::schema()), &Value::Timestamp(45_296_789)).unwrap(),
            Some(45_296_789)
        );
        assert_eq!(
            convert_to_long(Some(&Timestamp::schema()), &Value::Timestamp(day + 5)).unwrap(),
            Some(day + 5)
        );
        assert_eq!(
            err(convert_to_long(
                Some(&Date::schema()),
                &Value::Timestamp(day + 5)
            )),
            "Kafka Connect Date type should not have any time fields set to non-zero values."
        );
        assert_eq!(
            err(convert_to_long(None, &Value::Timestamp(0))),
            "Unable to convert Thu Jan 01 00:00:00 UTC 1970 (class java.util.Date) to a number"
        );
        assert_eq!(
            err(convert_to_long(Some(&*INT64_SCHEMA), &Value::Timestamp(0))),
            "Unable to convert Thu Jan 01 00:00:00 UTC 1970 (class java.util.Date) to Schema{INT64}"
        );
    }

    #[test]
    fn float_and_double_conversions() {
        assert_eq!(convert_to_float(None, &Value::Null).unwrap(), None);
        assert_eq!(
            convert_to_float(None, &Value::Float32(1.5)).unwrap(),
            Some(1.5)
        );
        assert_eq!(convert_to_float(None, &Value::Int32(3)).unwrap(), Some(3.0));
        assert_eq!(convert_to_float(None, &s("1.1")).unwrap(), Some(1.1f32));
        assert_eq!(convert_to_double(None, &s("1.1")).unwrap(), Some(1.1));
        assert_eq!(
            convert_to_double(None, &s("1e400")).unwrap(),
            Some(f64::INFINITY)
        );
        assert_eq!(
            convert_to_double(None, &Value::Float32(1.1)).unwrap(),
            Some(f64::from(1.1f32))
        );
        assert_eq!(
            convert_to_double(None, &Value::Decimal(dec("0.1"))).unwrap(),
            Some(0.1)
        );
        assert_eq!(
            convert_to_double(Some(&Time::schema()), &Value::Timestamp(1000)).unwrap(),
            Some(1000.0)
        );
        assert_eq!(
            err(convert_to_double(None, &s("x"))),
            "Unable to convert x (class java.lang.String) to a number"
        );
    }

    #[test]
    fn convert_to_string_vectors() {
        let text = |v: &Value| convert_to_string(None, v).unwrap().unwrap();
        assert_eq!(convert_to_string(None, &Value::Null).unwrap(), None);
        assert_eq!(text(&Value::Float32(1.0)), "1.0");
        assert_eq!(text(&Value::Float64(1e10)), "1.0E10");
        assert_eq!(text(&Value::Float64(f64::NAN)), "NaN");
        assert_eq!(text(&Value::Int8(-7)), "-7");
        assert_eq!(text(&Value::Int64(i64::MIN)), "-9223372036854775808");
        assert_eq!(text(&Value::Boolean(true)), "true");
        assert_eq!(text(&Value::Decimal(dec("1.56"))), "1.56");
        assert_eq!(text(&Value::Decimal(dec("1E-10"))), "1E-10");
        assert_eq!(text(&s("three\"blind\\\"mice")), "three\"blind\\\"mice");
        assert_eq!(
            text(&Value::Bytes(Bytes::from_static(&[0x00, 0x9C]))),
            "AJw="
        );
        assert_eq!(text(&Value::Bytes(Bytes::new())), "");
        assert_eq!(
            text(&Value::Array(vec![
                s("a\"b\\c"),
                Value::Int32(1),
                Value::Null,
                Value::Bytes(Bytes::from_static(b"hi")),
                Value::Array(vec![]),
            ])),
            "[\"a\\\"b\\\\c\",1,null,\"aGk=\",[]]"
        );
        assert_eq!(
            text(&Value::Map(vec![
                (s("k"), Value::Float32(2.5)),
                (Value::Int16(3), Value::Map(vec![])),
            ])),
            "{\"k\":2.5,3:{}}"
        );
        assert_eq!(text(&string_map()), "{\"foo\":\"123\",\"bar\":\"baz\"}");
    }

    #[test]
    fn convert_to_string_of_structs_applies_defaults() {
        let schema = SchemaBuilder::struct_()
            .field("a", INT32_SCHEMA.clone())
            .field("b", OPTIONAL_STRING_SCHEMA.clone())
            .field(
                "c",
                SchemaBuilder::int64()
                    .optional()
                    .default_value(42i64)
                    .build()
                    .unwrap(),
            )
            .field("q\"uote", OPTIONAL_BOOLEAN_SCHEMA.clone())
            .build()
            .unwrap();
        let mut st = Struct::new(schema).unwrap();
        st.put("a", 1).unwrap();
        assert_eq!(
            convert_to_string(None, &Value::Struct(st.clone()))
                .unwrap()
                .unwrap(),
            "{\"a\":1,\"b\":null,\"c\":42,\"q\\\"uote\":null}"
        );
        st.put("b", "x\"y").unwrap();
        assert_eq!(
            convert_to_string(None, &Value::Array(vec![Value::Struct(st)]))
                .unwrap()
                .unwrap(),
            "[{\"a\":1,\"b\":\"x\\\"y\",\"c\":42,\"q\\\"uote\":null}]"
        );
    }

    #[test]
    fn convert_to_string_of_dates_picks_the_pattern_by_value() {
        let text = |ms: i64| {
            convert_to_string(None, &Value::Timestamp(ms))
                .unwrap()
                .unwrap()
        };
        assert_eq!(text(0), "00:00:00.000Z");
        assert_eq!(text(4 * 3_600_000), "04:00:00.000Z");
        assert_eq!(text(45_296_789), "12:34:56.789Z");
        // Anything before 1970-01-02, including earlier years, takes the time pattern.
        assert_eq!(text(-1), "23:59:59.999Z");
        assert_eq!(text(day_millis(1960, 5, 1)), "00:00:00.000Z");
        assert_eq!(text(MILLIS_PER_DAY), "1970-01-02");
        assert_eq!(text(day_millis(2019, 8, 23)), "2019-08-23");
        assert_eq!(text(1_566_570_894_346), "2019-08-23T14:34:54.346Z");
        // Dates inside containers are not quoted.
        assert_eq!(
            convert_to_string(
                None,
                &Value::Array(vec![Value::Timestamp(day_millis(2019, 8, 23))])
            )
            .unwrap()
            .unwrap(),
            "[2019-08-23]"
        );
    }

    #[test]
    fn convert_to_list_and_map() {
        assert_eq!(
            convert_to_list(None, &s("[1, 2, 3]")).unwrap(),
            vec![Value::Int8(1), Value::Int8(2), Value::Int8(3)]
        );
        let list = vec![s("x")];
        assert_eq!(
            convert_to_list(None, &Value::Array(list.clone())).unwrap(),
            list
        );
        assert_eq!(
            err(convert_to_list(None, &Value::Null)),
            "Unable to convert a null value to a schema that requires a value"
        );
        assert_eq!(
            err(convert_to_list(None, &s("[foo]"))),
            "Unable to convert [foo] (class java.lang.String) to Schema{ARRAY}"
        );
        assert_eq!(
            err(convert_to_list(None, &Value::Int32(1))),
            "Unable to convert 1 (class java.lang.Integer) to Schema{ARRAY}"
        );
        // The text `null` parses to Java's null; the string is reported instead of an NPE.
        assert_eq!(
            err(convert_to_list(None, &s("null"))),
            "Unable to convert null (class java.lang.String) to Schema{ARRAY}"
        );
        assert_eq!(
            convert_to_map(None, &s("{\"a\": 1}")).unwrap(),
            vec![(s("a"), Value::Int8(1))]
        );
        assert_eq!(
            err(convert_to_map(None, &Value::Null)),
            "Unable to convert a null value to a schema that requires a value"
        );
        assert_eq!(
            err(convert_to_map(None, &s("[1]"))),
            "Unable to convert [1] (class java.util.ArrayList) to Schema{MAP}"
        );
    }

    #[test]
    fn convert_to_struct_only_accepts_structs() {
        let st = Struct::new(SchemaBuilder::struct_().build().unwrap()).unwrap();
        assert_eq!(
            convert_to_struct(None, &Value::Struct(st.clone())).unwrap(),
            st
        );
        assert_eq!(
            err(convert_to_struct(None, &Value::Null)),
            "Unable to convert a null value to a schema that requires a value"
        );
        assert_eq!(
            err(convert_to_struct(None, &s("{}"))),
            "Unable to convert {} (class java.lang.String) to Schema{STRUCT}"
        );
    }

    #[test]
    fn convert_to_temporal_vectors() {
        let day = day_millis(2019, 8, 23);
        let ts = day + 52_494_346;
        for f in [convert_to_date, convert_to_time, convert_to_timestamp] {
            assert_eq!(
                err(f(None, &Value::Null)),
                "Unable to convert a null value to a schema that requires a value"
            );
        }
        // Strings are parsed first: ISO text or numbers.
        assert_eq!(convert_to_date(None, &s("2019-08-23")).unwrap(), day);
        assert_eq!(
            convert_to_date(None, &s("18131")).unwrap(),
            18131 * MILLIS_PER_DAY
        );
        assert_eq!(
            convert_to_time(None, &s("14:34:54.346Z")).unwrap(),
            52_494_346
        );
        assert_eq!(convert_to_time(None, &s("1000")).unwrap(), 1000);
        assert_eq!(
            convert_to_timestamp(None, &s("2019-08-23T14:34:54.346Z")).unwrap(),
            ts
        );
        assert_eq!(convert_to_timestamp(None, &s("1566570894346")).unwrap(), ts);
        // Dates through a Timestamp from-schema are truncated.
        let tss = Timestamp::schema();
        assert_eq!(
            convert_to_date(Some(&tss), &Value::Timestamp(ts)).unwrap(),
            day
        );
        assert_eq!(
            convert_to_time(Some(&tss), &Value::Timestamp(ts)).unwrap(),
            52_494_346
        );
        // Java's (int)(millis / DAY) truncates toward zero.
        assert_eq!(
            convert_to_date(Some(&tss), &Value::Timestamp(-1)).unwrap(),
            0
        );
        // Numbers are days, milliseconds of the day, epoch milliseconds.
        assert_eq!(
            convert_to_date(None, &Value::Int32(2)).unwrap(),
            2 * MILLIS_PER_DAY
        );
        assert_eq!(convert_to_time(None, &Value::Int64(7)).unwrap(), 7);
        assert_eq!(convert_to_timestamp(None, &Value::Int64(-7)).unwrap(), -7);
        assert_eq!(
            err(convert_to_time(None, &Value::Int32(86_400_001))),
            "Time values must use number of milliseconds greater than 0 and less than 86400000"
        );
        assert_eq!(
            convert_to_time(None, &Value::Int32(86_400_000)).unwrap(),
            86_400_000
        );
        // Without a from-schema, a date passes unchanged.
        assert_eq!(convert_to_time(None, &Value::Timestamp(ts)).unwrap(), ts);
        // Timestamps re-encoded through Date and Time from-schemas.
        assert_eq!(
            convert_to_timestamp(Some(&Date::schema()), &Value::Timestamp(day)).unwrap(),
            day
        );
        assert_eq!(
            err(convert_to_timestamp(
                Some(&Date::schema()),
                &Value::Timestamp(ts)
            )),
            "Kafka Connect Date type should not have any time fields set to non-zero values."
        );
        assert_eq!(
            convert_to_timestamp(Some(&Time::schema()), &Value::Timestamp(5)).unwrap(),
            5
        );
        assert_eq!(
            err(convert_to_timestamp(
                Some(&Time::schema()),
                &Value::Timestamp(ts)
            )),
            "Kafka Connect Time type should not have any date fields set to non-zero values."
        );
        assert_eq!(
            err(convert_to_date(None, &s("x"))),
            "Unable to convert x (class java.lang.String) to a number"
        );
        assert_eq!(
            err(convert_to_date(None, &Value::Boolean(true))),
            "Unable to convert true (class java.lang.Boolean) to a number"
        );
    }

    #[test]
    fn convert_to_time_of_a_bc_timestamp_keeps_the_era_like_java() {
        // Java sets YEAR=1970 on a BC calendar, i.e. 1970 BC, and the int cast wraps.
        let tss = Timestamp::schema();
        let bc = -62_135_769_600_000 - MILLIS_PER_DAY + 1000;
        assert_eq!(
            err(convert_to_time(Some(&tss), &Value::Timestamp(bc))),
            "Time values must use number of milliseconds greater than 0 and less than 86400000"
        );
        let ad = -62_135_769_600_000 + 1000;
        assert_eq!(
            convert_to_time(Some(&tss), &Value::Timestamp(ad)).unwrap(),
            1000
        );
    }

    #[test]
    fn convert_to_decimal_vectors() {
        let d = |v: &Value, scale| {
            convert_to_decimal(None, v, scale)
                .unwrap()
                .as_bigint_and_exponent()
        };
        // Bytes take the target scale.
        assert_eq!(
            d(&Value::Bytes(Bytes::from_static(&[0x00, 0x9C])), 2),
            (BigInt::from(156), 2)
        );
        assert_eq!(
            d(&Value::Bytes(Bytes::from_static(&[0xFF, 0x64])), 2),
            (BigInt::from(-156), 2)
        );
        // A decimal keeps its own scale.
        assert_eq!(d(&Value::Decimal(dec("1.5")), 4), (BigInt::from(15), 1));
        // Other numbers go through BigDecimal.valueOf(double).
        assert_eq!(d(&Value::Float32(1.0), 1), (BigInt::from(10), 1));
        assert_eq!(d(&Value::Int32(7), 0), (BigInt::from(70), 1));
        assert_eq!(d(&Value::Float64(1e10), 0), (BigInt::from(10), -9));
        assert_eq!(
            d(&Value::Float32(1.1), 0),
            (BigInt::from(1_100_000_023_841_858i64), 15)
        );
        // Strings are new BigDecimal(text).
        assert_eq!(d(&s("1.50"), 0), (BigInt::from(150), 2));
        assert_eq!(d(&s("-1e3"), 0), (BigInt::from(-1), -3));
        assert_eq!(
            err(convert_to_decimal(None, &Value::Null, 1)),
            "Unable to convert a null value to a schema that requires a value"
        );
        assert_eq!(
            err(convert_to_decimal(None, &s("abc"), 1)),
            "Character a is neither a decimal digit number, decimal point, nor \"e\" notation exponential mark."
        );
        assert_eq!(
            err(convert_to_decimal(None, &Value::Float64(f64::NAN), 1)),
            "Character N is neither a decimal digit number, decimal point, nor \"e\" notation exponential mark."
        );
        assert_eq!(
            err(convert_to_decimal(None, &Value::Bytes(Bytes::new()), 1)),
            "Zero length BigInteger"
        );
        assert_eq!(
            err(convert_to_decimal(None, &Value::Boolean(true), 2)),
            "Unable to convert true (class java.lang.Boolean) to Schema{org.apache.kafka.connect.data.Decimal:BYTES}"
        );
    }

    #[test]
    fn convert_to_handles_every_target_type() {
        assert_eq!(
            convert_to(&OPTIONAL_INT8_SCHEMA, None, &Value::Null).unwrap(),
            Value::Null
        );
        assert_eq!(
            err(convert_to(&INT8_SCHEMA, None, &Value::Null)),
            "Unable to convert a null value to a schema that requires a value"
        );
        assert_eq!(
            convert_to(
                &Decimal::schema(2),
                None,
                &Value::Bytes(Bytes::from_static(&[1]))
            )
            .unwrap(),
            Value::Decimal(BigDecimal::new(BigInt::from(1), 2))
        );
        assert_eq!(
            convert_to(&Decimal::schema(2), None, &Value::Decimal(dec("1.56"))).unwrap(),
            Value::Decimal(dec("1.56"))
        );
        assert_eq!(
            err(convert_to(
                &BYTES_SCHEMA,
                None,
                &Value::Decimal(dec("1.56"))
            )),
            "Invalid Decimal schema: scale parameter not found."
        );
        assert_eq!(
            err(convert_to(&BYTES_SCHEMA, None, &s("x"))),
            "Unable to convert x (class java.lang.String) to Schema{BYTES}"
        );
        assert_eq!(
            convert_to(&STRING_SCHEMA, None, &Value::Int16(5)).unwrap(),
            s("5")
        );
        assert_eq!(
            convert_to(&Date::schema(), None, &Value::Int8(1)).unwrap(),
            Value::Timestamp(MILLIS_PER_DAY)
        );
        assert_eq!(
            convert_to(&Timestamp::schema(), None, &Value::Int8(1)).unwrap(),
            Value::Timestamp(1)
        );
        assert_eq!(
            convert_to(&FLOAT64_SCHEMA, None, &Value::Int64(3)).unwrap(),
            Value::Float64(3.0)
        );
        assert_eq!(
            convert_to(&array_schema(&STRING_SCHEMA), None, &s("[1]")).unwrap(),
            Value::Array(vec![Value::Int8(1)])
        );
    }

    // ----- data-model.md §1.5: inferSchema -----

    #[test]
    fn infer_schema_vectors() {
        assert_eq!(infer_schema(&s("x")), Some(STRING_SCHEMA.clone()));
        assert_eq!(
            infer_schema(&Value::Boolean(true)),
            Some(BOOLEAN_SCHEMA.clone())
        );
        assert_eq!(infer_schema(&Value::Int8(1)), Some(INT8_SCHEMA.clone()));
        assert_eq!(infer_schema(&Value::Int16(1)), Some(INT16_SCHEMA.clone()));
        assert_eq!(infer_schema(&Value::Int32(1)), Some(INT32_SCHEMA.clone()));
        assert_eq!(infer_schema(&Value::Int64(1)), Some(INT64_SCHEMA.clone()));
        assert_eq!(
            infer_schema(&Value::Float32(1.0)),
            Some(FLOAT32_SCHEMA.clone())
        );
        assert_eq!(
            infer_schema(&Value::Float64(1.0)),
            Some(FLOAT64_SCHEMA.clone())
        );
        assert_eq!(infer_schema(&Value::Null), None);
        assert_eq!(infer_schema(&Value::Decimal(dec("1"))), None);
        assert_eq!(infer_schema(&Value::Timestamp(0)), None);
        assert_eq!(infer_schema(&Value::Array(vec![])), None);
        assert_eq!(infer_schema(&Value::Map(vec![])), None);
        assert_eq!(
            infer_schema(&Value::Array(vec![Value::Int8(1), Value::Int8(2)])),
            Some(array_schema(&INT8_SCHEMA))
        );
        // Optional iff an element is null; the element schema is the bare type.
        assert_eq!(
            infer_schema(&Value::Array(vec![Value::Null, s("a")])),
            Some(array_schema(&OPTIONAL_STRING_SCHEMA))
        );
        assert_eq!(
            infer_schema(&Value::Array(vec![Value::Int8(1), Value::Int16(2)])),
            None
        );
        assert_eq!(
            infer_schema(&Value::Array(vec![Value::Decimal(dec("1"))])),
            None
        );
        assert_eq!(infer_schema(&Value::Array(vec![Value::Null])), None);
        let nested = infer_schema(&Value::Array(vec![Value::Array(vec![Value::Int8(1)])])).unwrap();
        let element = nested.value_schema().unwrap();
        assert_eq!(element.schema_type(), Type::Array);
        assert!(element.value_schema().is_none());
        assert_eq!(
            infer_schema(&Value::Map(vec![
                (s("a"), Value::Int32(1)),
                (s("b"), Value::Null)
            ])),
            Some(map_schema(&STRING_SCHEMA, &OPTIONAL_INT32_SCHEMA))
        );
        assert_eq!(
            infer_schema(&Value::Map(vec![
                (s("a"), Value::Int32(1)),
                (Value::Int8(1), Value::Int32(1))
            ])),
            None
        );
    }

    // ----- data-model.md §1.5: parseString -----

    #[test]
    fn parse_string_literals() {
        assert_eq!(
            parse(""),
            SchemaAndValue::new(Some(STRING_SCHEMA.clone()), s(""))
        );
        assert_parses_as_original_string("  ");
        assert_eq!(parse_string("null"), None);
        assert_eq!(parse_string(&format!("{WHITESPACE}null{WHITESPACE}")), None);
        assert_eq!(parse("true").value, Value::Boolean(true));
        assert_eq!(parse(" false ").schema.as_ref(), Some(&*BOOLEAN_SCHEMA));
        for text in ["true}", "false]", "null=", "True", "nullx", "t rue"] {
            assert_parses_as_original_string(text);
        }
    }

    #[test]
    fn parse_string_number_vectors() {
        let cases: Vec<(&str, &Schema, Value)> = vec![
            ("1.0", &INT8_SCHEMA, Value::Int8(1)),
            ("1.1", &FLOAT32_SCHEMA, Value::Float32(1.1)),
            ("300.0", &INT16_SCHEMA, Value::Int16(300)),
            ("300.01", &FLOAT32_SCHEMA, Value::Float32(300.01)),
            ("66000.0", &INT32_SCHEMA, Value::Int32(66000)),
            ("66000.0008", &FLOAT32_SCHEMA, Value::Float32(66000.0008)),
            ("127", &INT8_SCHEMA, Value::Int8(127)),
            ("-128", &INT8_SCHEMA, Value::Int8(-128)),
            ("128", &INT16_SCHEMA, Value::Int16(128)),
            ("32767", &INT16_SCHEMA, Value::Int16(32767)),
            ("-32768", &INT16_SCHEMA, Value::Int16(-32768)),
            ("2147483647", &INT32_SCHEMA, Value::Int32(i32::MAX)),
            ("-2147483648", &INT32_SCHEMA, Value::Int32(i32::MIN)),
            ("9223372036854775807", &INT64_SCHEMA, Value::Int64(i64::MAX)),
            (
                "-9223372036854775808",
                &INT64_SCHEMA,
                Value::Int64(i64::MIN),
            ),
            ("3.4028235E38", &FLOAT32_SCHEMA, Value::Float32(f32::MAX)),
            ("-3.4028235E38", &FLOAT32_SCHEMA, Value::Float32(-f32::MAX)),
            (
                "1.7976931348623157E308",
                &FLOAT64_SCHEMA,
                Value::Float64(f64::MAX),
            ),
            (
                "-1.7976931348623157E308",
                &FLOAT64_SCHEMA,
                Value::Float64(-f64::MAX),
            ),
            ("12", &INT8_SCHEMA, Value::Int8(12)),
            ("1234567890", &INT32_SCHEMA, Value::Int32(1_234_567_890)),
            ("1.5", &FLOAT32_SCHEMA, Value::Float32(1.5)),
            ("+5", &INT8_SCHEMA, Value::Int8(5)),
            ("-0.0", &INT8_SCHEMA, Value::Int8(0)),
            ("1e10", &INT64_SCHEMA, Value::Int64(10_000_000_000)),
            ("1E2", &INT8_SCHEMA, Value::Int8(100)),
            ("1e20", &FLOAT32_SCHEMA, Value::Float32(1e20)),
            ("  42  ", &INT8_SCHEMA, Value::Int8(42)),
        ];
        for (text, schema, value) in cases {
            assert_eq!(
                parse(text),
                SchemaAndValue::new(Some(schema.clone()), value),
                "{text:?}"
            );
        }
        // Negative zero survives as a float.
        let r = parse("-0.0000001e-100");
        assert_eq!(r.schema.as_ref(), Some(&*FLOAT32_SCHEMA));
        assert!(matches!(r.value, Value::Float32(f) if f == 0.0 && f.is_sign_negative()));
    }

    #[test]
    fn parse_string_big_numbers_become_decimals() {
        let r = parse("9223372036854775808");
        assert_eq!(schema_of(&r), &Decimal::schema(0));
        assert_eq!(
            unscaled_and_scale(&r.value),
            (BigInt::from_str("9223372036854775808").unwrap(), 0)
        );
        let r = parse("-9223372036854775809");
        assert_eq!(schema_of(&r), &Decimal::schema(0));
        assert_eq!(
            unscaled_and_scale(&r.value),
            (BigInt::from_str("-9223372036854775809").unwrap(), 0)
        );
        // Infinite as a double: a decimal with the literal's scale.
        let r = parse("1e400");
        assert_eq!(schema_of(&r), &Decimal::schema(-400));
        assert_eq!(unscaled_and_scale(&r.value), (BigInt::from(1), -400));
        let r = parse("1.5e400");
        assert_eq!(schema_of(&r), &Decimal::schema(-399));
        assert_eq!(unscaled_and_scale(&r.value), (BigInt::from(15), -399));
        // Huge exponents are handled without materialising the number.
        let r = parse("1e999999999");
        assert_eq!(schema_of(&r), &Decimal::schema(-999_999_999));
        assert_eq!(parse("1e-999999999").value, Value::Float32(0.0));
        // The scale must fit an int.
        assert_parses_as_original_string("1e2147483648");
        assert_parses_as_original_string("1e99999999999");
    }

    #[test]
    fn parse_string_reads_unicode_digits_like_java() {
        assert_eq!(parse("١٢٣").value, Value::Int8(123));
        assert_eq!(parse("١٢٣٤٥").value, Value::Int16(12345));
        assert_eq!(
            parse("٢٠١٩-٠٨-٢٣").value,
            Value::Timestamp(day_millis(2019, 8, 23))
        );
        assert_eq!(parse("１２").value, Value::Int8(12));
        assert_parses_as_original_string("½");
    }

    #[test]
    fn parse_string_unparseable_containers_fall_back_to_the_text() {
        for text in [
            "{foo: 3}",
            "{3: foo}",
            "[foo]",
            "[0 1 2]",
            "{6:9 4:20}",
            "{null: 3}",
            "[1, 2, 3,,,]",
            "[1, null]",
            "[null, 1]",
            "[1,",
            "[1",
            "{\"a\":",
            "{\"a\" 1}",
            "[,]",
            "{,}",
            "[\"a]",
        ] {
            assert_parses_as_original_string(text);
        }
    }

    #[test]
    fn parse_string_array_vectors() {
        let r = parse("[1, 2, 32768]");
        assert_eq!(schema_of(&r), &array_schema(&INT32_SCHEMA));
        assert_eq!(
            r.value,
            Value::Array(vec![Value::Int32(1), Value::Int32(2), Value::Int32(32768)])
        );
        let r = parse("[1, 2, 300, \"four\"]");
        assert_eq!(type_of(&r), Type::Array);
        assert!(schema_of(&r).value_schema().is_none());
        assert_eq!(
            r.value,
            Value::Array(vec![
                Value::Int8(1),
                Value::Int8(2),
                Value::Int16(300),
                s("four")
            ])
        );
        let r = parse("[]");
        assert_eq!(type_of(&r), Type::Array);
        assert!(schema_of(&r).value_schema().is_none());
        assert_eq!(r.value, Value::Array(vec![]));
        let r = parse("[null]");
        assert!(schema_of(&r).value_schema().is_none());
        assert_eq!(r.value, Value::Array(vec![Value::Null]));
        let r = parse("[true, false]");
        assert_eq!(schema_of(&r), &array_schema(&BOOLEAN_SCHEMA));
        assert_eq!(
            r.value,
            Value::Array(vec![Value::Boolean(true), Value::Boolean(false)])
        );
        let r = parse("[1, 2.5]");
        assert_eq!(schema_of(&r), &array_schema(&FLOAT32_SCHEMA));
        assert_eq!(
            r.value,
            Value::Array(vec![Value::Float32(1.0), Value::Float32(2.5)])
        );
    }

    #[test]
    fn parse_string_map_vectors() {
        let r = parse("{\"foo\": \"123\", \"bar\": \"baz\"}");
        assert_eq!(schema_of(&r), &map_schema(&STRING_SCHEMA, &STRING_SCHEMA));
        assert_eq!(r.value, string_map());
        let r = parse("{3: null}");
        assert_eq!(schema_of(&r).key_schema(), Some(&*INT8_SCHEMA));
        assert!(schema_of(&r).value_schema().is_none());
        assert_eq!(r.value, Value::Map(vec![(Value::Int8(3), Value::Null)]));
        let r = parse("{\"foo\": 1234567890, \"bar\": 0, \"baz\": -987654321}");
        assert_eq!(schema_of(&r), &map_schema(&STRING_SCHEMA, &INT32_SCHEMA));
        assert_eq!(r.value, string_int_map());
        let r = parse("{}");
        assert_eq!(type_of(&r), Type::Map);
        assert!(schema_of(&r).key_schema().is_none());
        assert!(schema_of(&r).value_schema().is_none());
        assert_eq!(r.value, Value::Map(vec![]));
        // Duplicate keys keep the first position and the last value (LinkedHashMap.put).
        let r = parse("{\"a\": 1, \"b\": 2, \"a\": 3}");
        assert_eq!(
            r.value,
            Value::Map(vec![(s("a"), Value::Int8(3)), (s("b"), Value::Int8(2))])
        );
        // Mixed key types leave both schemas unknown.
        let r = parse("{1:1, \"four\":1}");
        assert!(schema_of(&r).key_schema().is_none());
        assert!(schema_of(&r).value_schema().is_none());
    }

    #[test]
    fn parse_string_temporal_vectors() {
        let r = parse("12:34:56.789Z");
        assert_eq!(schema_of(&r), &Time::schema());
        assert_eq!(r.value, Value::Timestamp(45_296_789));
        let r = parse("2019-08-23T14:34:54.346Z");
        assert_eq!(schema_of(&r), &Timestamp::schema());
        assert_eq!(r.value, Value::Timestamp(1_566_570_894_346));
        let r = parse("2019-08-23");
        assert_eq!(schema_of(&r), &Date::schema());
        assert_eq!(r.value, Value::Timestamp(1_566_518_400_000));
        assert_eq!(
            parse("12\\:34\\:56.789Z").value,
            Value::Timestamp(45_296_789)
        );
        // Quoted strings of a temporal length are dates too.
        let r = parse("[\"2019-08-23\"]");
        assert_eq!(schema_of(&r), &array_schema(&Date::schema()));
    }

    #[test]
    fn temporal_parsing_is_lenient_like_simple_date_format() {
        // All expectations below were produced by Java 17's Values.parseString in UTC.
        let cases: [(&str, &Schema, i64); 12] = [
            ("2019-13-45", &DATE_SCHEMA, 1_581_638_400_000),
            ("99:99:99.999Z", &TIME_SCHEMA, 362_439_999),
            ("0000-01-01", &DATE_SCHEMA, -62_167_392_000_000),
            ("0001-01-01", &DATE_SCHEMA, -62_135_769_600_000),
            // The Julian calendar before 1582-10-15: the 4th is the day before the 15th.
            ("1582-10-04", &DATE_SCHEMA, -12_219_379_200_000),
            ("1582-10-15", &DATE_SCHEMA, -12_219_292_800_000),
            ("1E1:0:00.000Z", &TIME_SCHEMA, 36_000_000),
            ("1:NaN:00.000Z", &TIME_SCHEMA, 3_600_000),
            ("2019- 8-23", &DATE_SCHEMA, 1_566_518_400_000),
            ("2019-8-2xy", &DATE_SCHEMA, 1_564_704_000_000),
            (
                "2019-01-23T15:12:34.567Z",
                &TIMESTAMP_SCHEMA,
                1_548_256_354_567,
            ),
            (
                "2019-04-23T19:12:34.567Z",
                &TIMESTAMP_SCHEMA,
                1_556_046_754_567,
            ),
        ];
        for (text, schema, millis) in cases {
            assert_eq!(
                parse(text),
                SchemaAndValue::new(Some(schema.clone()), Value::Timestamp(millis)),
                "{text:?}"
            );
        }
        // A leading minus is no digit, so no temporal attempt at the top level...
        assert_parses_as_original_string("-001-01-01");
        // ...but inside quotes any text of the right length is tried.
        assert_eq!(
            parse("[\"-001-01-01\"]").value,
            Value::Array(vec![Value::Timestamp(-62_198_928_000_000)])
        );
        // Trailing text after the last field is ignored.
        assert_eq!(
            parse("2019-08-2x").value,
            Value::Timestamp(day_millis(2019, 8, 2))
        );
    }

    #[test]
    fn java_parser_quirks_are_reproduced() {
        // All expectations below were produced by Java 17's Values.parseString.
        // A top-level value that parses wins even when text follows it.
        assert_eq!(
            parse("12:00 foo"),
            SchemaAndValue::new(Some(INT8_SCHEMA.clone()), Value::Int8(12))
        );
        assert_eq!(parse("1,2").value, Value::Int8(1));
        // The comma between quoted map entries may be missing.
        assert_eq!(
            parse("{\"a\":1 \"b\":2}").value,
            Value::Map(vec![(s("a"), Value::Int8(1)), (s("b"), Value::Int8(2))])
        );
        // Whitespace-only tokens inside quotes are dropped; escapes are kept.
        assert_eq!(
            parse("[\" \", \"a, \"]").value,
            Value::Array(vec![s(""), s("a,")])
        );
        assert_eq!(parse("[\"a\\\"b\"]").value, Value::Array(vec![s("a\\\"b")]));
        // Same-type schemas merge to the last one seen, names ignored.
        let r = parse("[2019-08-23, 12:34:56.789Z]");
        assert_eq!(schema_of(&r), &array_schema(&Time::schema()));
        assert_eq!(
            r.value,
            Value::Array(vec![
                Value::Timestamp(1_566_518_400_000),
                Value::Timestamp(45_296_789)
            ])
        );
        let r = parse("[1, 2019-08-23]");
        assert_eq!(schema_of(&r), &array_schema(&Date::schema()));
        assert_eq!(
            r.value,
            Value::Array(vec![
                Value::Timestamp(MILLIS_PER_DAY),
                Value::Timestamp(1_566_518_400_000)
            ])
        );
        let r = parse("[[1],[\"a\"]]");
        assert_eq!(
            schema_of(&r).value_schema().map(Schema::schema_type),
            Some(Type::Array)
        );
        assert_eq!(
            schema_of(&r).value_schema().and_then(Schema::value_schema),
            Some(&*STRING_SCHEMA)
        );
        // Keys that become equal after widening collapse, as in a LinkedHashMap.
        let r = parse("{16777217: 1, 16777216: 2, 0.5: 3}");
        assert_eq!(schema_of(&r), &map_schema(&FLOAT32_SCHEMA, &INT8_SCHEMA));
        assert_eq!(
            r.value,
            Value::Map(vec![
                (Value::Float32(16_777_216.0), Value::Int8(2)),
                (Value::Float32(0.5), Value::Int8(3)),
            ])
        );
    }

    #[test]
    fn deep_nesting_is_limited() {
        let ok = format!(
            "{}{}",
            "[".repeat(MAX_NESTING_DEPTH),
            "]".repeat(MAX_NESTING_DEPTH)
        );
        assert_eq!(type_of(&parse(&ok)), Type::Array);
        let too_deep = format!(
            "{}{}",
            "[".repeat(MAX_NESTING_DEPTH + 1),
            "]".repeat(MAX_NESTING_DEPTH + 1)
        );
        assert_parses_as_original_string(&too_deep);
        let huge = "[{\"a\":".repeat(100_000);
        assert_parses_as_original_string(&huge);
    }

    #[test]
    fn large_inputs_parse_in_reasonable_time() {
        let items: Vec<String> = (0..20_000).map(|i| i.to_string()).collect();
        let text = format!("[{}]", items.join(","));
        let r = parse(&text);
        assert_eq!(schema_of(&r), &array_schema(&INT16_SCHEMA));
        let entries: Vec<String> = (0..20_000).map(|i| format!("{i}:\"v{i}\"")).collect();
        let r = parse(&format!("{{{}}}", entries.join(",")));
        assert_eq!(r.value.as_map().map(<[_]>::len), Some(20_000));
        let digits = "7".repeat(50_000);
        assert_eq!(type_of(&parse(&digits)), Type::Bytes);
    }

    // ----- converters.md §3: SimpleHeaderConverter vectors -----

    #[test]
    fn simple_header_converter_vectors() {
        let text = |v: &Value| convert_to_string(None, v).unwrap().unwrap();
        assert_eq!(text(&s("simple")), "simple");
        assert_eq!(text(&s("")), "");
        assert_eq!(
            parse(""),
            SchemaAndValue::new(Some(STRING_SCHEMA.clone()), s(""))
        );
        assert_eq!(text(&s("three\"blind\\\"mice")), "three\"blind\\\"mice");

        assert_eq!(text(&string_map()), "{\"foo\":\"123\",\"bar\":\"baz\"}");
        let r = parse(&text(&string_map()));
        assert_eq!(schema_of(&r), &map_schema(&STRING_SCHEMA, &STRING_SCHEMA));
        assert_eq!(r.value, string_map());

        assert_eq!(
            text(&string_short_map()),
            "{\"foo\":12345,\"bar\":0,\"baz\":-4321}"
        );
        let r = parse(&text(&string_short_map()));
        assert_eq!(schema_of(&r), &map_schema(&STRING_SCHEMA, &INT16_SCHEMA));
        assert_eq!(r.value, string_short_map());

        assert_eq!(
            text(&string_int_map()),
            "{\"foo\":1234567890,\"bar\":0,\"baz\":-987654321}"
        );
        let r = parse(&text(&string_int_map()));
        assert_eq!(schema_of(&r), &map_schema(&STRING_SCHEMA, &INT32_SCHEMA));
        assert_eq!(r.value, string_int_map());

        let ints = Value::Array(vec![
            Value::Int32(1_234_567_890),
            Value::Int32(-987_654_321),
        ]);
        assert_eq!(text(&ints), "[1234567890,-987654321]");
        let r = parse(&text(&ints));
        assert_eq!(schema_of(&r), &array_schema(&INT32_SCHEMA));
        assert_eq!(r.value, ints);

        let strings = Value::Array(vec![s("foo"), s("bar")]);
        assert_eq!(text(&strings), "[\"foo\",\"bar\"]");
        let r = parse(&text(&strings));
        assert_eq!(schema_of(&r), &array_schema(&STRING_SCHEMA));
        assert_eq!(r.value, strings);

        let r = parse(" { \"foo\" :  12345 , \"bar\" : 0,  \"baz\" : -4321 }  ");
        assert_eq!(schema_of(&r), &map_schema(&STRING_SCHEMA, &INT16_SCHEMA));
        assert_eq!(r.value, string_short_map());

        let mixed_map = Value::Map(vec![(s("foo"), s("bar")), (s("baz"), Value::Int16(3456))]);
        let r = parse(&text(&mixed_map));
        assert_eq!(schema_of(&r).key_schema(), Some(&*STRING_SCHEMA));
        assert!(schema_of(&r).value_schema().is_none());
        assert_eq!(r.value, mixed_map);

        let mixed_list = Value::Array(vec![s("foo"), Value::Int16(13344)]);
        let r = parse(&text(&mixed_list));
        assert_eq!(type_of(&r), Type::Array);
        assert!(schema_of(&r).value_schema().is_none());
        assert_eq!(r.value, mixed_list);

        let r = parse("{}");
        assert!(schema_of(&r).key_schema().is_none() && schema_of(&r).value_schema().is_none());
        let r = parse("[]");
        assert!(schema_of(&r).value_schema().is_none());
        assert_parses_as_original_string(" \t ");
    }

    // ----- ValuesTest.java -----

    #[test]
    fn should_parse_empty_string() {
        let r = parse("");
        assert_eq!(r.schema.as_ref(), Some(&*STRING_SCHEMA));
        assert_eq!(r.value, s(""));
    }

    #[test]
    fn should_not_encounter_infinite_loop() {
        let text = String::from_utf8(vec![0xEF, 0xBF, 0xBF]).unwrap();
        assert_parses_as_original_string(&text);
    }

    #[test]
    fn should_not_parse_unquoted_embedded_values_as_strings() {
        assert_parses_as_original_string("{foo: 3}");
        assert_parses_as_original_string("{3: foo}");
        assert_parses_as_original_string("[foo]");
    }

    #[test]
    fn should_parse_strings_beginning_with_literals_as_strings() {
        assert_parses_as_original_string("null=");
        assert_parses_as_original_string("true}");
        assert_parses_as_original_string("false]");
    }

    #[test]
    fn should_parse_literals_surrounded_by_whitespace() {
        let r = parse(&format!("{WHITESPACE}true{WHITESPACE}"));
        assert_eq!(type_of(&r), Type::Boolean);
        assert_eq!(r.value, Value::Boolean(true));
        let r = parse(&format!("{WHITESPACE}false{WHITESPACE}"));
        assert_eq!(type_of(&r), Type::Boolean);
        assert_eq!(r.value, Value::Boolean(false));
        assert!(parse_string(&format!("{WHITESPACE}null{WHITESPACE}")).is_none());
    }

    #[test]
    fn should_parse_boolean_literals_embedded_in_array_and_map() {
        let r = parse("[true, false]");
        assert_eq!(type_of(&r), Type::Array);
        assert_eq!(
            schema_of(&r).value_schema().map(Schema::schema_type),
            Some(Type::Boolean)
        );
        assert_eq!(
            r.value,
            Value::Array(vec![Value::Boolean(true), Value::Boolean(false)])
        );
        let r = parse("{true: false, false: true}");
        assert_eq!(type_of(&r), Type::Map);
        assert_eq!(
            schema_of(&r).key_schema().map(Schema::schema_type),
            Some(Type::Boolean)
        );
        assert_eq!(
            schema_of(&r).value_schema().map(Schema::schema_type),
            Some(Type::Boolean)
        );
        assert_eq!(
            r.value,
            Value::Map(vec![
                (Value::Boolean(true), Value::Boolean(false)),
                (Value::Boolean(false), Value::Boolean(true)),
            ])
        );
    }

    #[test]
    fn should_not_parse_without_commas() {
        assert_parses_as_original_string("{6:9 4:20}");
        assert_parses_as_original_string("[0 1 2]");
    }

    #[test]
    fn should_parse_empty_containers() {
        let r = parse("{}");
        assert_eq!(type_of(&r), Type::Map);
        assert_eq!(r.value, Value::Map(vec![]));
        let r = parse("[]");
        assert_eq!(type_of(&r), Type::Array);
        assert_eq!(r.value, Value::Array(vec![]));
    }

    #[test]
    fn should_not_parse_as_map_with_null_keys() {
        assert_parses_as_original_string("{null: 3}");
    }

    #[test]
    fn should_parse_null() {
        assert!(parse_string("null").is_none());
    }

    #[test]
    fn should_convert_string_of_null() {
        assert_round_trip(&STRING_SCHEMA, &STRING_SCHEMA, s("null"));
    }

    #[test]
    fn should_parse_null_map_values_and_array_elements() {
        let r = parse("{3: null}");
        assert_eq!(type_of(&r), Type::Map);
        assert_eq!(
            schema_of(&r).key_schema().map(Schema::schema_type),
            Some(Type::Int8)
        );
        assert_eq!(r.value, Value::Map(vec![(Value::Int8(3), Value::Null)]));
        let r = parse("[null]");
        assert_eq!(type_of(&r), Type::Array);
        assert_eq!(r.value, Value::Array(vec![Value::Null]));
    }

    #[test]
    fn should_escape_strings_with_embedded_quotes_and_backslashes() {
        assert_eq!(escape("three\"blind\\\"mice"), "three\\\"blind\\\\\\\"mice");
    }

    #[test]
    fn should_convert_null_value() {
        for schema in [
            &*INT8_SCHEMA,
            &*OPTIONAL_INT8_SCHEMA,
            &*INT16_SCHEMA,
            &*OPTIONAL_INT16_SCHEMA,
            &*INT32_SCHEMA,
            &*OPTIONAL_INT32_SCHEMA,
            &*INT64_SCHEMA,
            &*OPTIONAL_INT64_SCHEMA,
            &*FLOAT32_SCHEMA,
            &*OPTIONAL_FLOAT32_SCHEMA,
            &*FLOAT64_SCHEMA,
            &*OPTIONAL_FLOAT64_SCHEMA,
            &*BOOLEAN_SCHEMA,
            &*OPTIONAL_BOOLEAN_SCHEMA,
            &*STRING_SCHEMA,
            &*OPTIONAL_STRING_SCHEMA,
        ] {
            assert_round_trip(schema, &STRING_SCHEMA, Value::Null);
        }
    }

    #[test]
    fn should_convert_boolean_values() {
        for b in [false, true] {
            assert_round_trip(&BOOLEAN_SCHEMA, &BOOLEAN_SCHEMA, Value::Boolean(b));
            assert_short_circuit(&BOOLEAN_SCHEMA, Value::Boolean(b));
        }
        for (text, expected) in [("false", false), ("0", false), ("true", true), ("1", true)] {
            let r = round_trip_str(Type::Boolean, text);
            assert_eq!(r.schema.as_ref(), Some(&*BOOLEAN_SCHEMA));
            assert_eq!(r.value, Value::Boolean(expected));
        }
    }

    #[test]
    fn should_fail_to_parse_invalid_boolean_value_string() {
        assert_eq!(
            err(convert_to_boolean(Some(&*STRING_SCHEMA), &s("\"green\""))),
            "Unable to convert \"green\" (class java.lang.String) to Schema{STRING}"
        );
    }

    #[test]
    fn should_convert_numbers() {
        assert_round_trip(&INT8_SCHEMA, &INT8_SCHEMA, Value::Int8(0));
        assert_round_trip(&INT8_SCHEMA, &INT8_SCHEMA, Value::Int8(1));
        assert_round_trip(&INT64_SCHEMA, &INT64_SCHEMA, Value::Int64(1));
        assert_short_circuit(&INT64_SCHEMA, Value::Int64(1));
        assert_round_trip(&FLOAT32_SCHEMA, &FLOAT32_SCHEMA, Value::Float32(1.0));
        assert_short_circuit(&FLOAT32_SCHEMA, Value::Float32(1.0));
        assert_round_trip(&FLOAT64_SCHEMA, &FLOAT64_SCHEMA, Value::Float64(1.0));
        assert_short_circuit(&FLOAT64_SCHEMA, Value::Float64(1.0));
    }

    #[test]
    fn should_convert_empty_struct() {
        let st = Struct::new(SchemaBuilder::struct_().build().unwrap()).unwrap();
        assert!(convert_to_struct(Some(st.schema()), &Value::Null).is_err());
        assert!(convert_to_struct(Some(st.schema()), &s("")).is_err());
        assert_eq!(
            convert_to_struct(Some(st.schema()), &Value::Struct(st.clone())).unwrap(),
            st
        );
    }

    #[test]
    fn should_convert_strings() {
        assert_round_trip(&STRING_SCHEMA, &STRING_SCHEMA, s("simple"));
        assert_round_trip(&STRING_SCHEMA, &STRING_SCHEMA, s(""));
        assert_round_trip(&STRING_SCHEMA, &STRING_SCHEMA, s("three\"blind\\\"mice"));
        assert_round_trip(
            &STRING_SCHEMA,
            &STRING_SCHEMA,
            s("string with delimiters: <>?,./\\=+-!@#$%^&*(){}[]|;':"),
        );
    }

    #[test]
    fn should_convert_maps_and_lists() {
        let sm = map_schema(&STRING_SCHEMA, &STRING_SCHEMA);
        assert_round_trip(&sm, &sm, string_map());
        let ssm = map_schema(&STRING_SCHEMA, &INT16_SCHEMA);
        assert_round_trip(&ssm, &ssm, string_short_map());
        let sim = map_schema(&STRING_SCHEMA, &INT32_SCHEMA);
        assert_round_trip(&sim, &sim, string_int_map());
        let sl = array_schema(&STRING_SCHEMA);
        assert_round_trip(&sl, &sl, Value::Array(vec![s("foo"), s("bar")]));
        let il = array_schema(&INT32_SCHEMA);
        assert_round_trip(
            &il,
            &il,
            Value::Array(vec![
                Value::Int32(1_234_567_890),
                Value::Int32(-987_654_321),
            ]),
        );
    }

    #[test]
    fn should_parse_strings_of_maps_with_and_without_whitespace() {
        let cases: [(&str, Schema, Value); 6] = [
            (
                "{\"foo\":\"123\",\"bar\":\"baz\"}",
                map_schema(&STRING_SCHEMA, &STRING_SCHEMA),
                string_map(),
            ),
            (
                "{ \"foo\" : \"123\", \n\"bar\" : \"baz\" } ",
                map_schema(&STRING_SCHEMA, &STRING_SCHEMA),
                string_map(),
            ),
            (
                "{\"foo\":12345,\"bar\":0,\"baz\":-4321}",
                map_schema(&STRING_SCHEMA, &INT16_SCHEMA),
                string_short_map(),
            ),
            (
                " { \"foo\" :  12345 , \"bar\" : 0,  \"baz\" : -4321 }  ",
                map_schema(&STRING_SCHEMA, &INT16_SCHEMA),
                string_short_map(),
            ),
            (
                "{\"foo\":1234567890,\"bar\":0,\"baz\":-987654321}",
                map_schema(&STRING_SCHEMA, &INT32_SCHEMA),
                string_int_map(),
            ),
            (
                " { \"foo\" :  1234567890 , \"bar\" : 0,  \"baz\" : -987654321 }  ",
                map_schema(&STRING_SCHEMA, &INT32_SCHEMA),
                string_int_map(),
            ),
        ];
        for (text, schema, value) in cases {
            let r = round_trip_str(Type::Map, text);
            assert_eq!(r.schema.as_ref(), Some(&schema), "{text:?}");
            assert_eq!(r.value, value, "{text:?}");
        }
    }

    #[test]
    fn should_convert_string_of_list_with_only_numeric_element_types_into_list_of_largest_type() {
        let list = convert_to_list(Some(&*STRING_SCHEMA), &s("[1, 2, 32768]")).unwrap();
        assert_eq!(
            list,
            vec![Value::Int32(1), Value::Int32(2), Value::Int32(32768)]
        );
        let list = convert_to_list(Some(&*STRING_SCHEMA), &s("[1, 2, 3.4028235E38]")).unwrap();
        assert_eq!(
            list,
            vec![
                Value::Float32(1.0),
                Value::Float32(2.0),
                Value::Float32(f32::MAX)
            ]
        );
        let list =
            convert_to_list(Some(&*STRING_SCHEMA), &s("[1, 2, 1.7976931348623157E308]")).unwrap();
        assert_eq!(
            list,
            vec![
                Value::Float64(1.0),
                Value::Float64(2.0),
                Value::Float64(f64::MAX)
            ]
        );
    }

    #[test]
    fn should_parse_string_list_with_multiple_element_types() {
        let four = s("four");
        for (text, expected) in [
            (
                "[1, 2, 300, \"four\"]",
                vec![
                    Value::Int8(1),
                    Value::Int8(2),
                    Value::Int16(300),
                    four.clone(),
                ],
            ),
            (
                "[2, 300, \"four\", 1]",
                vec![
                    Value::Int8(2),
                    Value::Int16(300),
                    four.clone(),
                    Value::Int8(1),
                ],
            ),
            (
                "[300, \"four\", 1, 2]",
                vec![
                    Value::Int16(300),
                    four.clone(),
                    Value::Int8(1),
                    Value::Int8(2),
                ],
            ),
            (
                "[\"four\", 1, 2, 300]",
                vec![
                    four.clone(),
                    Value::Int8(1),
                    Value::Int8(2),
                    Value::Int16(300),
                ],
            ),
        ] {
            let r = parse(text);
            assert_eq!(type_of(&r), Type::Array);
            assert!(schema_of(&r).value_schema().is_none());
            assert_eq!(r.value, Value::Array(expected));
        }
    }

    fn assert_map_without_schema(text: &str, expected: &[(Value, Value)]) {
        let r = parse(text);
        assert_eq!(type_of(&r), Type::Map);
        assert!(schema_of(&r).value_schema().is_none());
        let entries = r.value.as_map().unwrap();
        assert_eq!(entries.len(), expected.len());
        for entry in expected {
            assert!(entries.contains(entry), "{text:?} lacks {entry:?}");
        }
    }

    #[test]
    fn should_parse_string_map_with_multiple_key_types() {
        let expected = [
            (Value::Int8(1), Value::Int8(1)),
            (Value::Int8(2), Value::Int8(1)),
            (Value::Int16(300), Value::Int16(300)),
            (s("four"), Value::Int8(1)),
        ];
        for text in [
            "{1:1, 2:1, 300:300, \"four\":1}",
            "{2:1, 300:300, \"four\":1, 1:1}",
            "{300:300, \"four\":1, 1:1, 2:1}",
            "{\"four\":1, 1:1, 2:1, 300:300}",
        ] {
            assert_map_without_schema(text, &expected);
        }
    }

    #[test]
    fn should_parse_string_map_with_multiple_value_types() {
        let expected = [
            (Value::Int16(1), Value::Int8(1)),
            (Value::Int16(2), Value::Int8(1)),
            (Value::Int16(300), Value::Int16(300)),
            (Value::Int16(4), s("four")),
        ];
        for text in [
            "{1:1, 2:1, 300:300, 4:\"four\"}",
            "{2:1, 300:300, 4:\"four\", 1:1}",
            "{300:300, 4:\"four\", 1:1, 2:1}",
            "{4:\"four\", 1:1, 2:1, 300:300}",
        ] {
            assert_map_without_schema(text, &expected);
        }
    }

    #[test]
    fn should_parse_nested_containers() {
        let r = parse("[[]]");
        assert_eq!(type_of(&r), Type::Array);
        assert_eq!(
            schema_of(&r).value_schema().map(Schema::schema_type),
            Some(Type::Array)
        );
        let r = parse("[{}]");
        assert_eq!(type_of(&r), Type::Array);
        assert_eq!(
            schema_of(&r).value_schema().map(Schema::schema_type),
            Some(Type::Map)
        );
        let r = parse("{\"a\":{}}");
        assert_eq!(type_of(&r), Type::Map);
        assert_eq!(
            schema_of(&r).value_schema().map(Schema::schema_type),
            Some(Type::Map)
        );
        let r = parse("{\"a\":[]}");
        assert_eq!(type_of(&r), Type::Map);
        assert_eq!(
            schema_of(&r).value_schema().map(Schema::schema_type),
            Some(Type::Array)
        );
    }

    #[test]
    fn should_parse_bad_lists_as_strings() {
        assert_parses_as_original_string("[1, 2, 3,,,]");
        assert_parses_as_original_string("[1, null]");
        assert_parses_as_original_string("[null, 1]");
    }

    #[test]
    fn should_parse_temporal_strings() {
        let r = parse("2019-08-23T14:34:54.346Z");
        assert_eq!(type_of(&r), Type::Int64);
        assert_eq!(schema_of(&r).name(), Some(Timestamp::LOGICAL_NAME));
        assert_eq!(r.value, Value::Timestamp(1_566_570_894_346));
        let r = parse("2019-08-23");
        assert_eq!(type_of(&r), Type::Int32);
        assert_eq!(schema_of(&r).name(), Some(Date::LOGICAL_NAME));
        assert_eq!(r.value, Value::Timestamp(1_566_518_400_000));
        let r = parse("14:34:54.346Z");
        assert_eq!(type_of(&r), Type::Int32);
        assert_eq!(schema_of(&r).name(), Some(Time::LOGICAL_NAME));
        assert_eq!(r.value, Value::Timestamp(52_494_346));
    }

    #[test]
    fn should_parse_temporal_strings_with_escaped_colons() {
        let r = parse("2019-08-23T14\\:34\\:54.346Z");
        assert_eq!(schema_of(&r).name(), Some(Timestamp::LOGICAL_NAME));
        assert_eq!(r.value, Value::Timestamp(1_566_570_894_346));
        let r = parse("14\\:34\\:54.346Z");
        assert_eq!(schema_of(&r).name(), Some(Time::LOGICAL_NAME));
        assert_eq!(r.value, Value::Timestamp(52_494_346));
    }

    #[test]
    fn should_parse_temporal_strings_in_arrays() {
        for (text, schema, millis) in [
            ("[2019-08-23]", Date::schema(), 1_566_518_400_000),
            ("[14:34:54.346Z]", Time::schema(), 52_494_346),
            (
                "[2019-08-23T14:34:54.346Z]",
                Timestamp::schema(),
                1_566_570_894_346,
            ),
        ] {
            let r = parse(text);
            assert_eq!(type_of(&r), Type::Array);
            assert_eq!(schema_of(&r).value_schema(), Some(&schema), "{text}");
            assert_eq!(r.value, Value::Array(vec![Value::Timestamp(millis)]));
        }
        let r = parse(
            "[2019-08-23T14:34:54.346Z,2019-01-23T15:12:34.567Z,   2019-04-23T19:12:34.567Z]",
        );
        assert_eq!(schema_of(&r).value_schema(), Some(&Timestamp::schema()));
        assert_eq!(
            r.value,
            Value::Array(vec![
                Value::Timestamp(1_566_570_894_346),
                Value::Timestamp(1_548_256_354_567),
                Value::Timestamp(1_556_046_754_567),
            ])
        );
    }

    #[test]
    fn should_parse_time_strings_in_maps() {
        for text in ["{\"k1\":\"14:34:54.346Z\"}", "{\"k1\":14:34:54.346Z}"] {
            let r = parse(text);
            assert_eq!(type_of(&r), Type::Map);
            assert_eq!(schema_of(&r).key_schema(), Some(&*STRING_SCHEMA));
            assert_eq!(schema_of(&r).value_schema(), Some(&Time::schema()));
            assert_eq!(
                r.value,
                Value::Map(vec![(s("k1"), Value::Timestamp(52_494_346))])
            );
        }
    }

    #[test]
    fn should_fail_to_convert_null_time() {
        assert!(convert_to_time(None, &Value::Null).is_err());
        assert!(convert_to_date(None, &Value::Null).is_err());
        assert!(convert_to_timestamp(None, &Value::Null).is_err());
    }

    #[test]
    fn should_fail_to_convert_malformed_lists_and_maps() {
        assert!(convert_to_list(Some(&*STRING_SCHEMA), &s("[1, 2, 3,,,]")).is_err());
        assert!(convert_to_list(Some(&*STRING_SCHEMA), &s("[1, 2, 3, \"four\",,,]")).is_err());
        for text in [
            " { \"foo\" :  1234567890 ,, \"bar\" : 0,  \"baz\" : -987654321 }  ",
            " { \"foo\" :  1234567890 , \"a\", \"bar\" : 0,  \"baz\" : -987654321 }  ",
            " { ,,  , , }  ",
            " { \"foo\" :  \"1234567890\" ,, \"bar\" : \"0\",  \"baz\" : \"boz\" }  ",
        ] {
            assert_eq!(
                err(convert_to_map(Some(&*STRING_SCHEMA), &s(text))),
                // The texts start with a blank token, which is all Java returns for them.
                "Unable to convert   (class java.lang.String) to Schema{MAP}"
            );
        }
    }

    #[test]
    fn should_consume_multiple_tokens() {
        let mut parser = Parser::new("a:b:c:d:e:f:g:h");
        assert_eq!(parser.next_n(5), Some("a:b:c"));
        assert_eq!(parser.next(), ":");
        assert_eq!(parser.next(), "d");
        assert_eq!(parser.next(), ":");
        assert_eq!(parser.next_n(8), None); // only 7 remain
        assert_eq!(parser.next(), "e");
    }

    #[test]
    fn should_tokenize_strings() {
        for text in [
            "  ",
            "simple",
            "simple string",
            "simple \n\t\u{8}string",
            "'simple' string",
            "si\\mple",
            "si\\\\mple",
            "si\\\"mple",
            "si\\{mple",
            "si\\}mple",
            "si\\]mple",
            "si\\[mple",
            "si\\:mple",
            "si\\,mple",
        ] {
            assert_tokens(text, &[text]);
        }
        for (text, tokens) in [
            ("a{b", &["a", "{", "b"][..]),
            ("a}b", &["a", "}", "b"]),
            ("a[b", &["a", "[", "b"]),
            ("a]b", &["a", "]", "b"]),
            ("a:b", &["a", ":", "b"]),
            ("a,b", &["a", ",", "b"]),
            ("a\"b", &["a", "\"", "b"]),
            ("{b", &["{", "b"]),
            ("}b", &["}", "b"]),
            ("[b", &["[", "b"]),
            ("]b", &["]", "b"]),
            (":b", &[":", "b"]),
            (",b", &[",", "b"]),
            ("\"b", &["\"", "b"]),
            ("{", &["{"]),
            ("}", &["}"]),
            ("[", &["["]),
            ("]", &["]"]),
            (":", &[":"]),
            (",", &[","]),
            ("\"", &["\""]),
            ("\"simple\" string", &["\"", "simple", "\"", " string"]),
            ("a{bc}d", &["a", "{", "bc", "}", "d"]),
            ("a { b c } d", &["a ", "{", " b c ", "}", " d"]),
        ] {
            assert_tokens(text, tokens);
        }
    }

    #[test]
    fn should_convert_time_values() {
        let current: i64 = 1_700_000_123_456;
        let current_millis = current % MILLIS_PER_DAY;
        assert_eq!(
            convert_to_time(Some(&Time::schema()), &Value::Timestamp(current)).unwrap(),
            current
        );
        assert_eq!(
            convert_to_time(Some(&Timestamp::schema()), &Value::Timestamp(current)).unwrap(),
            current_millis
        );
        assert_eq!(
            convert_to_time(Some(&Time::schema()), &s(&current_millis.to_string())).unwrap(),
            current_millis
        );
        assert_eq!(
            convert_to_time(Some(&Time::schema()), &Value::Int64(current_millis)).unwrap(),
            current_millis
        );
    }

    #[test]
    fn should_convert_date_values() {
        let current: i64 = 1_700_000_123_456;
        let current_millis = current % MILLIS_PER_DAY;
        let days = current / MILLIS_PER_DAY;
        let current_date = current - current_millis;
        assert_eq!(
            convert_to_date(Some(&Date::schema()), &Value::Timestamp(current)).unwrap(),
            current
        );
        assert_eq!(
            convert_to_date(Some(&Timestamp::schema()), &Value::Timestamp(current_date)).unwrap(),
            current_date
        );
        assert_eq!(
            convert_to_date(Some(&Date::schema()), &s(&days.to_string())).unwrap(),
            current_date
        );
        assert_eq!(
            convert_to_date(Some(&Date::schema()), &Value::Int64(days)).unwrap(),
            current_date
        );
    }

    #[test]
    fn should_convert_timestamp_values() {
        let current: i64 = 1_700_000_123_456;
        let current_millis = current % MILLIS_PER_DAY;
        let current_date = current - current_millis;
        let tss = Timestamp::schema();
        assert_eq!(
            convert_to_timestamp(Some(&tss), &Value::Timestamp(current)).unwrap(),
            current
        );
        assert_eq!(
            convert_to_timestamp(Some(&Date::schema()), &Value::Timestamp(current_date)).unwrap(),
            current_date
        );
        assert_eq!(
            convert_to_timestamp(Some(&Time::schema()), &Value::Int64(current_millis)).unwrap(),
            current_millis
        );
        assert_eq!(
            convert_to_timestamp(Some(&tss), &s(&current.to_string())).unwrap(),
            current
        );
        assert_eq!(
            convert_to_timestamp(Some(&tss), &Value::Int64(current)).unwrap(),
            current
        );
    }

    #[test]
    fn should_convert_decimal_values() {
        let expected = (BigInt::from(10), 1);
        let bytes = Decimal::from_logical(&Decimal::schema(1), &dec("1.0")).unwrap();
        for value in [
            Value::Float32(1.0),
            s("1.0"),
            Value::Decimal(dec("1.0")),
            Value::Bytes(Bytes::from(bytes)),
        ] {
            assert_eq!(
                convert_to_decimal(None, &value, 1)
                    .unwrap()
                    .as_bigint_and_exponent(),
                expected,
                "{value:?}"
            );
        }
        assert!(convert_to_decimal(None, &Value::Null, 1).is_err());
    }

    #[test]
    fn should_infer_schemas() {
        assert_eq!(
            infer_schema(&Value::Bytes(Bytes::from_static(&[0]))),
            Some(BYTES_SCHEMA.clone())
        );
        let st = Struct::new(SchemaBuilder::struct_().build().unwrap()).unwrap();
        assert_eq!(
            infer_schema(&Value::Struct(st.clone())).as_ref(),
            Some(st.schema())
        );
        assert_eq!(infer_schema(&Value::Array(vec![])), None);
        // Java's `new Object()` has no Value; a decimal is equally uninferable.
        assert_eq!(
            infer_schema(&Value::Array(vec![Value::Decimal(dec("1"))])),
            None
        );
        assert_eq!(infer_schema(&Value::Map(vec![])), None);
        assert_eq!(
            infer_schema(&Value::Map(vec![(
                Value::Timestamp(0),
                Value::Timestamp(0)
            )])),
            None
        );
    }

    #[test]
    fn should_not_convert_array_values_to_decimal() {
        // Java: Arrays.asList("\"1.0\"", LONG_MAX + 1, LONG_MIN - 1, (byte) 1, (byte) 1).toString()
        let r = parse("[\"1.0\", 9223372036854775808, -9223372036854775809, 1, 1]");
        assert_eq!(type_of(&r), Type::Array);
        assert!(schema_of(&r).value_schema().is_none());
        let items = r.value.as_array().unwrap();
        assert_eq!(items[0], s("1.0"));
        assert_eq!(
            unscaled_and_scale(&items[1]),
            (BigInt::from_str("9223372036854775808").unwrap(), 0)
        );
        assert_eq!(
            unscaled_and_scale(&items[2]),
            (BigInt::from_str("-9223372036854775809").unwrap(), 0)
        );
        assert_eq!(&items[3..], &[Value::Int8(1), Value::Int8(1)]);
    }

    #[test]
    fn should_parse_array_of_only_decimals() {
        let r = parse("[9223372036854775808, -9223372036854775809]");
        assert_eq!(schema_of(&r).value_schema(), Some(&Decimal::schema(0)));
        let items = r.value.as_array().unwrap();
        assert_eq!(
            unscaled_and_scale(&items[0]),
            (BigInt::from_str("9223372036854775808").unwrap(), 0)
        );
        assert_eq!(
            unscaled_and_scale(&items[1]),
            (BigInt::from_str("-9223372036854775809").unwrap(), 0)
        );
    }

    #[test]
    fn should_parse_numbers_as_smallest_types() {
        for (value, schema) in [
            (Value::Int8(i8::MAX), &*INT8_SCHEMA),
            (Value::Int8(i8::MIN), &*INT8_SCHEMA),
            (Value::Int16(i16::MAX), &*INT16_SCHEMA),
            (Value::Int16(i16::MIN), &*INT16_SCHEMA),
            (Value::Int32(i32::MAX), &*INT32_SCHEMA),
            (Value::Int32(i32::MIN), &*INT32_SCHEMA),
            (Value::Int64(i64::MAX), &*INT64_SCHEMA),
            (Value::Int64(i64::MIN), &*INT64_SCHEMA),
            (Value::Float32(f32::MAX), &*FLOAT32_SCHEMA),
            (Value::Float32(-f32::MAX), &*FLOAT32_SCHEMA),
            (Value::Float64(f64::MAX), &*FLOAT64_SCHEMA),
            (Value::Float64(-f64::MAX), &*FLOAT64_SCHEMA),
        ] {
            let text = value.to_string();
            assert_eq!(
                parse(&text),
                SchemaAndValue::new(Some(schema.clone()), value),
                "{text}"
            );
        }
    }

    #[test]
    fn should_parse_fractional_parts_as_integer_when_no_fractional_part() {
        assert_eq!(
            parse("1.0"),
            SchemaAndValue::new(Some(INT8_SCHEMA.clone()), Value::Int8(1))
        );
        assert_eq!(
            parse("1.1"),
            SchemaAndValue::new(Some(FLOAT32_SCHEMA.clone()), Value::Float32(1.1))
        );
        assert_eq!(
            parse("300.0"),
            SchemaAndValue::new(Some(INT16_SCHEMA.clone()), Value::Int16(300))
        );
        assert_eq!(
            parse("300.01"),
            SchemaAndValue::new(Some(FLOAT32_SCHEMA.clone()), Value::Float32(300.01))
        );
        assert_eq!(
            parse("66000.0"),
            SchemaAndValue::new(Some(INT32_SCHEMA.clone()), Value::Int32(66000))
        );
        assert_eq!(
            parse("66000.0008"),
            SchemaAndValue::new(Some(FLOAT32_SCHEMA.clone()), Value::Float32(66000.0008))
        );
    }

    #[test]
    fn failed_containers_after_leading_whitespace_return_only_the_whitespace() {
        // Java rewinds to the start and returns the first token, which is blank.
        for text in ["  [foo]", " {foo: 3}", "\t[1, null]"] {
            let blank: String = text
                .chars()
                .take_while(|c| *c == ' ' || *c == '\t')
                .collect();
            assert_eq!(
                parse(text),
                SchemaAndValue::new(Some(STRING_SCHEMA.clone()), s(&blank))
            );
        }
        assert_parses_as_original_string("x [foo]");
    }

    #[test]
    fn conversions_of_negative_zero_text_are_positive_like_big_decimal() {
        for text in ["-0", "-0.0", "-.0", "-0e+18"] {
            let f = convert_to_float(None, &s(text)).unwrap().unwrap();
            let d = convert_to_double(None, &s(text)).unwrap().unwrap();
            assert!(f == 0.0 && f.is_sign_positive(), "{text}");
            assert!(d == 0.0 && d.is_sign_positive(), "{text}");
        }
        let d = convert_to_double(None, &s("-1e-400")).unwrap().unwrap();
        assert!(d == 0.0 && d.is_sign_negative());
    }

    #[test]
    fn parsed_maps_are_linked_hash_maps_in_messages() {
        assert_eq!(
            err(convert_to_list(None, &s("{1:2}"))),
            "Unable to convert {1=2} (class java.util.LinkedHashMap) to Schema{ARRAY}"
        );
        assert_eq!(
            err(convert_to_date(None, &s("{}"))),
            "Unable to convert {} (class java.util.LinkedHashMap) to a number"
        );
        assert_eq!(
            err(convert_to_list(None, &Value::Map(vec![]))),
            "Unable to convert {} (class java.util.HashMap) to Schema{ARRAY}"
        );
    }

    // ----- internals -----

    #[test]
    fn java_big_decimal_grammar() {
        let ok = |t: &str| {
            let d = JavaDecimal::parse(t).unwrap();
            (d.negative, d.digits, d.scale)
        };
        assert_eq!(ok("1."), (false, "1".to_owned(), 0));
        assert_eq!(ok(".5"), (false, "5".to_owned(), 1));
        assert_eq!(ok("-0.00"), (true, "000".to_owned(), 2));
        assert_eq!(ok("1E+3"), (false, "1".to_owned(), -3));
        assert_eq!(ok("12.5e-0000000000003"), (false, "125".to_owned(), 4));
        for bad in [
            "",
            "-",
            "+",
            ".",
            "e5",
            "1e",
            "1e+",
            "1..2",
            "1e1.5",
            "1 ",
            "0x1",
            "1e12345678901",
        ] {
            assert!(JavaDecimal::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            JavaDecimal::parse("4\u{1F600}").unwrap_err(),
            "Character ? is neither a decimal digit number, decimal point, nor \"e\" notation exponential mark."
        );
        assert_eq!(
            JavaDecimal::parse("1234567890123456789x").unwrap_err(),
            "Character array is missing \"e\" notation exponential mark."
        );
        assert_eq!(
            JavaDecimal::parse("1e2147483648").unwrap_err(),
            "Exponent overflow."
        );
        assert_eq!(
            JavaDecimal::parse("0.1e-2147483648").unwrap_err(),
            "Scale out of range."
        );
    }

    #[test]
    fn java_map_key_equality() {
        assert!(!java_equals(&Value::Float32(0.0), &Value::Float32(-0.0)));
        assert!(java_equals(
            &Value::Float64(f64::NAN),
            &Value::Float64(f64::NAN)
        ));
        assert!(!java_equals(
            &Value::Decimal(dec("1.0")),
            &Value::Decimal(dec("1.00"))
        ));
        assert!(!java_equals(&Value::Int8(1), &Value::Int16(1)));
        let a = Value::Map(vec![(s("x"), Value::Int8(1)), (s("y"), Value::Int8(2))]);
        let b = Value::Map(vec![(s("y"), Value::Int8(2)), (s("x"), Value::Int8(1))]);
        assert!(java_equals(&a, &b));
        let mut map = LinkedMap::default();
        map.put(a, Value::Int8(1));
        map.put(b, Value::Int8(2));
        assert_eq!(map.entries.len(), 1);
        assert_eq!(map.entries[0].1, Value::Int8(2));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn parse_string_never_panics(text in any::<String>()) {
            let _ = parse_string(&text);
        }

        #[test]
        fn parse_string_never_panics_on_structured_noise(
            text in "[\\[\\]{}:,\"\\\\ 0-9eE.+\\-TZtrufalsn\u{661}\u{221E}NaN]{0,40}"
        ) {
            let _ = parse_string(&text);
            let value = Value::String(text);
            let _ = convert_to_boolean(None, &value);
            let _ = convert_to_long(Some(&STRING_SCHEMA), &value);
            let _ = convert_to_double(None, &value);
            let _ = convert_to_decimal(None, &value, 2);
            let _ = convert_to_date(None, &value);
            let _ = convert_to_time(Some(&Timestamp::schema()), &value);
            let _ = convert_to_timestamp(Some(&Date::schema()), &value);
            let _ = convert_to_list(None, &value);
            let _ = convert_to_map(None, &value);
        }

        #[test]
        fn temporal_parsing_never_panics(text in "[0-9\\-:.TZ \tE\u{221E}N]{10,24}") {
            let _ = parse_string(&text);
            let _ = parse_string(&format!("[\"{text}\"]"));
        }

        #[test]
        fn integers_round_trip(n in any::<i64>()) {
            let text = convert_to_string(None, &Value::Int64(n)).unwrap().unwrap();
            let parsed = parse(&text);
            prop_assert_eq!(convert_to_long(None, &parsed.value).unwrap(), Some(n));
        }

        #[test]
        fn doubles_round_trip(d in any::<f64>().prop_filter("finite", |d| d.is_finite())) {
            let text = convert_to_string(None, &Value::Float64(d)).unwrap().unwrap();
            let parsed = parse(&text);
            let back = convert_to_double(None, &parsed.value).unwrap().unwrap();
            // A value that fits a float parses as FLOAT32 and may lose precision, as in Java.
            if matches!(parsed.value, Value::Float64(_)) || d.fract() == 0.0 && d.abs() < 9e15 {
                prop_assert_eq!(back, d);
            }
        }

        #[test]
        fn lists_of_strings_round_trip(items in proptest::collection::vec("[a-z,:{}\\[\\]]{1,8}", 1..6)) {
            let value = Value::Array(items.iter().map(|i| Value::String(i.clone())).collect());
            let text = convert_to_string(None, &value).unwrap().unwrap();
            let parsed = parse(&text);
            prop_assert_eq!(parsed.value, value);
            prop_assert_eq!(parsed.schema, Some(array_schema(&STRING_SCHEMA)));
        }

        #[test]
        fn maps_of_ints_round_trip(entries in proptest::collection::btree_map("[a-z]{1,6}", any::<i32>(), 1..8)) {
            let value = Value::Map(
                entries.iter().map(|(k, v)| (Value::String(k.clone()), Value::Int32(*v))).collect(),
            );
            let text = convert_to_string(None, &value).unwrap().unwrap();
            let parsed = parse(&text);
            let back: Vec<(Value, i64)> = parsed
                .value
                .as_map()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_i64().unwrap()))
                .collect();
            let expected: Vec<(Value, i64)> =
                entries.iter().map(|(k, v)| (Value::String(k.clone()), i64::from(*v))).collect();
            prop_assert_eq!(back, expected);
        }
    }
}
