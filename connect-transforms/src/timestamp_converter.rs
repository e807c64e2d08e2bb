//! `TimestampConverter`: converts timestamps between Unix epoch numbers, formatted strings and
//! the Connect `Date`, `Time` and `Timestamp` logical types.
//!
//! Mirrors `org.apache.kafka.connect.transforms.TimestampConverter$Key` / `$Value`.
//!
//! | key | type | default | |
//! |---|---|---|---|
//! | `field` | STRING | `""` | the field holding the timestamp; empty for the whole key/value |
//! | `target.type` | STRING | required | `string`, `unix`, `Date`, `Time` or `Timestamp` |
//! | `format` | STRING | `""` | a `SimpleDateFormat` pattern (UTC); required for `string` |
//! | `unix.precision` | STRING | `milliseconds` | `seconds`, `milliseconds`, `microseconds`, `nanoseconds` |
//! | `replace.null.with.default` | BOOLEAN | `true` | copy fields with default substitution |

use std::collections::HashMap;
use std::marker::PhantomData;

use connect_api::config::{ConfigDef, ConfigError, ConfigKey, ConfigType, Importance, ValidString};
use connect_api::connector::ConnectRecord;
use connect_api::data::{
    Date, Schema, SchemaBuilder, Struct, Time, Timestamp, Type, Value, INT64_SCHEMA,
    OPTIONAL_INT64_SCHEMA, OPTIONAL_STRING_SCHEMA, STRING_SCHEMA,
};
use connect_api::errors::{ConnectError, Result};
use connect_api::transforms::Transformation;

use crate::config::{
    replace_null_with_default_key, SimpleConfig, REPLACE_NULL_WITH_DEFAULT_CONFIG,
};
use crate::key_or_value::{KeySide, Side, ValueSide};
use crate::requirements::{into_map, into_struct, map_get, map_put, take_field_value};
use crate::schema_util::{copy_schema_basics, SchemaCache};
use crate::simple_date_format::SimpleDateFormat;

/// The `field` key.
pub const FIELD_CONFIG: &str = "field";
/// The `target.type` key.
pub const TARGET_TYPE_CONFIG: &str = "target.type";
/// The `format` key.
pub const FORMAT_CONFIG: &str = "format";
/// The `unix.precision` key.
pub const UNIX_PRECISION_CONFIG: &str = "unix.precision";
const PURPOSE: &str = "converting timestamp formats";
const MILLIS_PER_DAY: i64 = 86_400_000;

/// A timestamp representation (Java's translator names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimestampType {
    /// `string`: text in the configured format.
    String,
    /// `unix`: a long in the configured precision.
    Unix,
    /// `Date`: the Date logical type.
    Date,
    /// `Time`: the Time logical type.
    Time,
    /// `Timestamp`: the Timestamp logical type.
    #[default]
    Timestamp,
}

impl TimestampType {
    fn from_config(s: &str) -> Option<Self> {
        Some(match s {
            "string" => TimestampType::String,
            "unix" => TimestampType::Unix,
            "Date" => TimestampType::Date,
            "Time" => TimestampType::Time,
            "Timestamp" => TimestampType::Timestamp,
            _ => return None,
        })
    }

    fn schema(self, optional: bool) -> Result<Schema> {
        Ok(match (self, optional) {
            (TimestampType::String, false) => STRING_SCHEMA.clone(),
            (TimestampType::String, true) => OPTIONAL_STRING_SCHEMA.clone(),
            (TimestampType::Unix, false) => INT64_SCHEMA.clone(),
            (TimestampType::Unix, true) => OPTIONAL_INT64_SCHEMA.clone(),
            (TimestampType::Date, false) => Date::schema(),
            (TimestampType::Date, true) => Date::builder().optional().build()?,
            (TimestampType::Time, false) => Time::schema(),
            (TimestampType::Time, true) => Time::builder().optional().build()?,
            (TimestampType::Timestamp, false) => Timestamp::schema(),
            (TimestampType::Timestamp, true) => Timestamp::builder().optional().build()?,
        })
    }
}

/// The precision of Unix timestamps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum UnixPrecision {
    Seconds,
    #[default]
    Milliseconds,
    Microseconds,
    Nanoseconds,
}

/// Converts timestamps between representations (Apache's `TimestampConverter`).
#[derive(Debug, Default)]
pub struct TimestampConverter<S: Side> {
    field: String,
    target: TimestampType,
    format: Option<SimpleDateFormat>,
    precision: UnixPrecision,
    replace_null_with_default: bool,
    cache: SchemaCache,
    side: PhantomData<S>,
}

/// `org.apache.kafka.connect.transforms.TimestampConverter$Key`.
pub type TimestampConverterKey = TimestampConverter<KeySide>;
/// `org.apache.kafka.connect.transforms.TimestampConverter$Value`.
pub type TimestampConverterValue = TimestampConverter<ValueSide>;

/// The definition of TimestampConverter's configuration.
pub fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(FIELD_CONFIG, ConfigType::String)
                .default_value("")
                .importance(Importance::High)
                .doc("The field containing the timestamp, or empty if the entire value is a timestamp"),
        )
        .define(
            ConfigKey::new(TARGET_TYPE_CONFIG, ConfigType::String)
                .validator(ValidString::in_list(["string", "unix", "Date", "Time", "Timestamp"]))
                .importance(Importance::High)
                .doc("The desired timestamp representation: string, unix, Date, Time, or Timestamp"),
        )
        .define(
            ConfigKey::new(FORMAT_CONFIG, ConfigType::String)
                .default_value("")
                .importance(Importance::Medium)
                .doc("A SimpleDateFormat-compatible format for the timestamp. Used to generate the output when type=string or used to parse the input if the input is a string."),
        )
        .define(
            ConfigKey::new(UNIX_PRECISION_CONFIG, ConfigType::String)
                .default_value("milliseconds")
                .validator(ValidString::in_list(["nanoseconds", "microseconds", "milliseconds", "seconds"]))
                .importance(Importance::Low)
                .doc("The desired Unix precision for the timestamp: seconds, milliseconds, microseconds, or nanoseconds. Used to generate the output when type=unix or used to parse the input if the input is a Long.Note: This SMT will cause precision loss during conversions from, and to, values with sub-millisecond components."),
        )
        .define(replace_null_with_default_key())
}

fn class_of(v: &Value) -> String {
    format!("class {}", v.java_class_name())
}

impl<S: Side> TimestampConverter<S> {
    /// Java's `timestampTypeFromSchema`.
    fn type_from_schema(schema: &Schema) -> Result<TimestampType> {
        Ok(match (schema.name(), schema.schema_type()) {
            (Some(Timestamp::LOGICAL_NAME), _) => TimestampType::Timestamp,
            (Some(Date::LOGICAL_NAME), _) => TimestampType::Date,
            (Some(Time::LOGICAL_NAME), _) => TimestampType::Time,
            (_, Type::String) => TimestampType::String,
            (_, Type::Int64) => TimestampType::Unix,
            _ => {
                return Err(ConnectError::other(format!(
                    "Schema {schema} does not correspond to a known timestamp type format"
                )))
            }
        })
    }

    /// Java's `inferTimestampType` for schemaless values.
    fn infer_type(value: &Value) -> Result<TimestampType> {
        Ok(match value {
            Value::Timestamp(_) => TimestampType::Timestamp,
            Value::Int64(_) => TimestampType::Unix,
            Value::String(_) => TimestampType::String,
            other => {
                return Err(ConnectError::data(format!(
                    "TimestampConverter does not support {} objects as timestamps",
                    class_of(other)
                )))
            }
        })
    }

    fn format(&self) -> Result<&SimpleDateFormat> {
        self.format.as_ref().ok_or_else(|| {
            ConnectError::data(
                "TimestampConverter requires format option to be specified when using string timestamps",
            )
        })
    }

    /// The instant (epoch millis) a value of type `from` stands for (Java's `toRaw`).
    fn to_raw(&self, value: &Value, from: TimestampType) -> Result<i64> {
        match from {
            TimestampType::String => {
                let Value::String(s) = value else {
                    return Err(ConnectError::data(format!(
                        "Expected string timestamp to be a String, but found {}",
                        class_of(value)
                    )));
                };
                let format = self.format()?;
                format.parse(s).ok_or_else(|| {
                    ConnectError::data(format!(
                        "Could not parse timestamp: value ({s}) does not match pattern ({})",
                        format.pattern()
                    ))
                })
            }
            TimestampType::Unix => {
                let Value::Int64(v) = value else {
                    return Err(ConnectError::data(format!(
                        "Expected Unix timestamp to be a Long, but found {}",
                        class_of(value)
                    )));
                };
                Ok(match self.precision {
                    UnixPrecision::Seconds => v.saturating_mul(1000),
                    UnixPrecision::Milliseconds => *v,
                    UnixPrecision::Microseconds => v / 1000,
                    UnixPrecision::Nanoseconds => v / 1_000_000,
                })
            }
            TimestampType::Date | TimestampType::Time | TimestampType::Timestamp => {
                let Value::Timestamp(ms) = value else {
                    let name = match from {
                        TimestampType::Date => "Date",
                        TimestampType::Time => "Time",
                        _ => "Timestamp",
                    };
                    return Err(ConnectError::data(format!(
                        "Expected {name} to be a java.util.Date, but found {}",
                        class_of(value)
                    )));
                };
                Ok(*ms)
            }
        }
    }

    /// The instant in the target representation (Java's `toType`).
    fn to_type(&self, millis: i64) -> Result<Value> {
        Ok(match self.target {
            TimestampType::String => Value::String(self.format()?.format(millis)),
            TimestampType::Unix => Value::Int64(match self.precision {
                UnixPrecision::Seconds => millis / 1000,
                UnixPrecision::Milliseconds => millis,
                UnixPrecision::Microseconds => millis.saturating_mul(1000),
                UnixPrecision::Nanoseconds => millis.saturating_mul(1_000_000),
            }),
            TimestampType::Date => {
                Value::Timestamp(millis.div_euclid(MILLIS_PER_DAY) * MILLIS_PER_DAY)
            }
            TimestampType::Time => Value::Timestamp(millis.rem_euclid(MILLIS_PER_DAY)),
            TimestampType::Timestamp => Value::Timestamp(millis),
        })
    }

    /// Java's `convertTimestamp(timestamp, format)`; `from` is inferred when `None`.
    fn convert(&self, value: &Value, from: Option<TimestampType>) -> Result<Value> {
        if value.is_null() {
            return Ok(Value::Null);
        }
        let from = match from {
            Some(f) => f,
            None => Self::infer_type(value)?,
        };
        let raw = self.to_raw(value, from)?;
        self.to_type(raw)
    }

    fn convert_struct(&self, mut value: Struct, updated_schema: &Schema) -> Result<Struct> {
        let mut updated = Struct::new(updated_schema.clone())?;
        let schema = value.schema().clone();
        for f in schema.fields()? {
            let v = take_field_value(&mut value, f, self.replace_null_with_default)?;
            let new_value = if f.name() == self.field {
                self.convert(&v, Some(Self::type_from_schema(f.schema())?))?
            } else {
                v
            };
            updated.put(f.name(), new_value)?;
        }
        Ok(updated)
    }

    fn build_schema(&self, schema: &Schema) -> Result<Schema> {
        let mut b = copy_schema_basics(schema, SchemaBuilder::struct_());
        for f in schema.fields()? {
            if f.name() == self.field {
                b = b.field(f.name(), self.target.schema(f.schema().is_optional())?);
            } else {
                b = b.field(f.name(), f.schema().clone());
            }
        }
        if schema.is_optional() {
            b = b.optional();
        }
        if let Some(Value::Struct(d)) = schema.default_value() {
            let without_default = b.clone().build()?;
            b = b.default_value(self.convert_struct(d.clone(), &without_default)?);
        }
        b.build()
    }
}

impl<R: ConnectRecord, S: Side> Transformation<R> for TimestampConverter<S> {
    fn configure(&mut self, configs: &HashMap<String, String>) -> Result<()> {
        let config = SimpleConfig::parse(&config_def(), configs)?;
        self.field = config.string(FIELD_CONFIG).unwrap_or_default().to_owned();
        let target = config.string(TARGET_TYPE_CONFIG).unwrap_or_default();
        self.target = TimestampType::from_config(target).ok_or_else(|| {
            ConfigError::invalid(TARGET_TYPE_CONFIG, Some(target), "Unknown timestamp type")
        })?;
        self.precision = match config.string(UNIX_PRECISION_CONFIG) {
            Some("seconds") => UnixPrecision::Seconds,
            Some("microseconds") => UnixPrecision::Microseconds,
            Some("nanoseconds") => UnixPrecision::Nanoseconds,
            _ => UnixPrecision::Milliseconds,
        };
        self.replace_null_with_default = config.boolean(REPLACE_NULL_WITH_DEFAULT_CONFIG);
        let pattern = config.string(FORMAT_CONFIG).unwrap_or_default();
        let blank = pattern.trim().is_empty();
        if self.target == TimestampType::String && blank {
            return Err(ConfigError::other(
                Some(FORMAT_CONFIG),
                "TimestampConverter requires format option to be specified when using string timestamps",
            )
            .into());
        }
        self.format = if blank {
            None
        } else {
            Some(SimpleDateFormat::new(pattern).map_err(|_| {
                ConfigError::other(
                    Some(FORMAT_CONFIG),
                    format!("TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: {pattern}"),
                )
            })?)
        };
        self.cache = SchemaCache::default();
        Ok(())
    }

    fn apply(&mut self, mut record: R) -> Result<Option<R>> {
        // Moved out and rebuilt: fields other than the converted one are not copied.
        let (schema, value) = S::take(&mut record);
        let (schema, new_value) = match schema.as_ref() {
            None => {
                let new_value = if value.is_null() || self.field.is_empty() {
                    self.convert(&value, None)?
                } else {
                    let mut updated = into_map(value, PURPOSE)?;
                    let converted =
                        self.convert(map_get(&updated, &self.field).unwrap_or(&Value::Null), None)?;
                    map_put(&mut updated, &self.field, converted);
                    Value::Map(updated)
                };
                (None, new_value)
            }
            Some(schema) if self.field.is_empty() => {
                let from = Self::type_from_schema(schema)?;
                let updated = self.target.schema(schema.is_optional())?;
                (Some(updated), self.convert(&value, Some(from))?)
            }
            Some(schema) => {
                let s = if value.is_null() {
                    None
                } else {
                    Some(into_struct(value, PURPOSE)?)
                };
                let updated_schema = match self.cache.get(schema) {
                    Some(u) => u,
                    None => {
                        let u = self.build_schema(schema)?;
                        self.cache.put(schema.clone(), u.clone());
                        u
                    }
                };
                let new_value = match s {
                    Some(s) => Value::Struct(self.convert_struct(s, &updated_schema)?),
                    None => Value::Null,
                };
                (Some(updated_schema), new_value)
            }
        };
        S::set(&mut record, schema, new_value);
        Ok(Some(record))
    }

    fn config(&self) -> ConfigDef {
        config_def()
    }
}

connect_api::transformation!(
    TimestampConverter<KeySide>,
    class = "org.apache.kafka.connect.transforms.TimestampConverter$Key"
);
connect_api::transformation!(
    TimestampConverter<ValueSide>,
    class = "org.apache.kafka.connect.transforms.TimestampConverter$Value"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{map, props, source};
    use connect_api::source::SourceRecord;

    const DATE: i64 = 86_400_000;
    const TIME: i64 = 1234;
    const DATE_PLUS_TIME: i64 = 86_401_234;
    const DATE_PLUS_TIME_UNIX_MICROS: i64 = 86_401_234_123;
    const DATE_PLUS_TIME_UNIX_NANOS: i64 = 86_401_234_123_456;
    const DATE_PLUS_TIME_UNIX_SECONDS: i64 = 86_401;
    const FMT: &str = "yyyy MM dd HH mm ss SSS z";
    const DATE_PLUS_TIME_STRING: &str = "1970 01 02 00 00 01 234 UTC";

    fn xform<S: Side>(pairs: &[(&str, &str)]) -> TimestampConverter<S> {
        let mut x = TimestampConverter::<S>::default();
        Transformation::<SourceRecord>::configure(&mut x, &props(pairs)).unwrap();
        x
    }

    fn config_err(pairs: &[(&str, &str)]) -> String {
        let mut x = TimestampConverterValue::default();
        let err = Transformation::<SourceRecord>::configure(&mut x, &props(pairs)).unwrap_err();
        assert!(matches!(err, ConnectError::Config(_)));
        err.to_string()
    }

    fn with_schema(schema: Option<Schema>, value: impl Into<Value>) -> SourceRecord {
        source(None, Value::Null, schema, value)
    }

    fn run(
        pairs: &[(&str, &str)],
        schema: Option<Schema>,
        value: impl Into<Value>,
    ) -> SourceRecord {
        xform::<ValueSide>(pairs)
            .apply(with_schema(schema, value))
            .unwrap()
            .unwrap()
    }

    #[test]
    fn config_validation() {
        assert_eq!(
            config_err(&[]),
            "Missing required configuration \"target.type\" which has no default value."
        );
        assert_eq!(
            config_err(&[("target.type", "invalid")]),
            "Invalid value invalid for configuration target.type: String must be one of: string, unix, Date, Time, Timestamp"
        );
        assert!(
            config_err(&[("target.type", "unix"), ("unix.precision", "invalid")])
                .starts_with("Invalid value invalid for configuration unix.precision")
        );
        xform::<ValueSide>(&[("target.type", "unix"), ("unix.precision", "seconds")]);
        assert_eq!(
            config_err(&[("target.type", "string")]),
            "TimestampConverter requires format option to be specified when using string timestamps"
        );
        assert_eq!(
            config_err(&[("target.type", "string"), ("format", "bad-format")]),
            "TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: bad-format"
        );
    }

    #[test]
    fn schemaless_conversions() {
        let ts = Value::Timestamp(DATE_PLUS_TIME);
        let out = run(&[("target.type", "Timestamp")], None, ts.clone());
        assert!(out.value_schema.is_none());
        assert_eq!(out.value, ts);
        assert_eq!(
            run(&[("target.type", "Date")], None, ts.clone()).value,
            Value::Timestamp(DATE)
        );
        assert_eq!(
            run(&[("target.type", "Time")], None, ts.clone()).value,
            Value::Timestamp(TIME)
        );
        assert_eq!(
            run(&[("target.type", "unix")], None, ts.clone()).value,
            Value::Int64(DATE_PLUS_TIME)
        );
        assert_eq!(
            run(
                &[("target.type", "string"), ("format", FMT)],
                None,
                ts.clone()
            )
            .value,
            Value::from(DATE_PLUS_TIME_STRING)
        );
        assert_eq!(
            run(
                &[("target.type", "Timestamp")],
                None,
                Value::Timestamp(DATE)
            )
            .value,
            Value::Timestamp(DATE)
        );
        assert_eq!(
            run(
                &[("target.type", "Timestamp")],
                None,
                Value::Timestamp(TIME)
            )
            .value,
            Value::Timestamp(TIME)
        );
        assert_eq!(
            run(&[("target.type", "Timestamp")], None, DATE_PLUS_TIME).value,
            ts
        );
        assert_eq!(
            run(
                &[("target.type", "Timestamp"), ("format", FMT)],
                None,
                DATE_PLUS_TIME_STRING
            )
            .value,
            ts
        );
    }

    #[test]
    fn with_schema_conversions() {
        let ts = Value::Timestamp(DATE_PLUS_TIME);
        let out = run(
            &[("target.type", "Timestamp")],
            Some(Timestamp::schema()),
            ts.clone(),
        );
        assert_eq!(out.value_schema, Some(Timestamp::schema()));
        assert_eq!(out.value, ts);
        let out = run(
            &[("target.type", "Date")],
            Some(Timestamp::schema()),
            ts.clone(),
        );
        assert_eq!(out.value_schema, Some(Date::schema()));
        assert_eq!(out.value, Value::Timestamp(DATE));
        let out = run(
            &[("target.type", "Time")],
            Some(Timestamp::schema()),
            ts.clone(),
        );
        assert_eq!(out.value_schema, Some(Time::schema()));
        assert_eq!(out.value, Value::Timestamp(TIME));
        let out = run(
            &[("target.type", "unix")],
            Some(Timestamp::schema()),
            ts.clone(),
        );
        assert_eq!(out.value_schema, Some(INT64_SCHEMA.clone()));
        assert_eq!(out.value, Value::Int64(DATE_PLUS_TIME));
        let out = run(
            &[("target.type", "string"), ("format", FMT)],
            Some(Timestamp::schema()),
            ts.clone(),
        );
        assert_eq!(out.value_schema, Some(STRING_SCHEMA.clone()));
        assert_eq!(out.value, Value::from(DATE_PLUS_TIME_STRING));
        let out = run(
            &[("target.type", "Timestamp")],
            Some(Date::schema()),
            Value::Timestamp(DATE),
        );
        assert_eq!(out.value_schema, Some(Timestamp::schema()));
        assert_eq!(out.value, Value::Timestamp(DATE));
        let out = run(
            &[("target.type", "Timestamp")],
            Some(Time::schema()),
            Value::Timestamp(TIME),
        );
        assert_eq!(out.value, Value::Timestamp(TIME));
        let out = run(
            &[("target.type", "Timestamp")],
            Some(INT64_SCHEMA.clone()),
            DATE_PLUS_TIME,
        );
        assert_eq!(out.value_schema, Some(Timestamp::schema()));
        assert_eq!(out.value, ts);
        let out = run(
            &[("target.type", "Timestamp"), ("format", FMT)],
            Some(STRING_SCHEMA.clone()),
            DATE_PLUS_TIME_STRING,
        );
        assert_eq!(out.value, ts);
    }

    fn optional_schemas() -> Vec<Schema> {
        vec![
            OPTIONAL_INT64_SCHEMA.clone(),
            Time::builder().optional().build().unwrap(),
            Date::builder().optional().build().unwrap(),
            OPTIONAL_STRING_SCHEMA.clone(),
            Timestamp::builder().optional().build().unwrap(),
        ]
    }

    #[test]
    fn null_values_and_fields() {
        for target in ["Timestamp", "unix", "Time", "Date", "string"] {
            let cfg = [("target.type", target), ("format", FMT)];
            let expected = TimestampType::from_config(target)
                .unwrap()
                .schema(true)
                .unwrap();
            // testSchemalessNullValueTo*
            let out = run(&cfg, None, Value::Null);
            assert!(out.value_schema.is_none() && out.value.is_null());
            // testSchemalessNullFieldTo*
            let cfg_field = [("target.type", target), ("format", FMT), ("field", "ts")];
            let out = run(&cfg_field, None, Value::Null);
            assert!(out.value_schema.is_none() && out.value.is_null());
            for original in optional_schemas() {
                // testWithSchemaNullValueTo*
                let out = run(&cfg, Some(original.clone()), Value::Null);
                assert_eq!(
                    out.value_schema,
                    Some(expected.clone()),
                    "{target} {original:?}"
                );
                assert!(out.value.is_null());
                // testWithSchemaNullFieldTo*
                let sb = SchemaBuilder::struct_()
                    .field("ts", original.clone())
                    .field("other", STRING_SCHEMA.clone());
                let eb = SchemaBuilder::struct_()
                    .field("ts", expected.clone())
                    .field("other", STRING_SCHEMA.clone());
                let schema = sb.clone().build().unwrap();
                let mut s = Struct::new(schema.clone()).unwrap();
                s.put("other", "test").unwrap();
                let out = run(&cfg_field, Some(schema), s);
                assert_eq!(out.value_schema, Some(eb.clone().build().unwrap()));
                assert!(out.value.as_struct().unwrap().get("ts").unwrap().is_null());
                let out = run(
                    &cfg_field,
                    Some(sb.optional().build().unwrap()),
                    Value::Null,
                );
                assert_eq!(out.value_schema, Some(eb.optional().build().unwrap()));
                assert!(out.value.is_null());
            }
        }
    }

    #[test]
    fn field_conversions() {
        // testSchemalessFieldConversion
        let out = run(
            &[("target.type", "Date"), ("field", "ts")],
            None,
            map(&[("ts", Value::Timestamp(DATE_PLUS_TIME))]),
        );
        assert_eq!(out.value, map(&[("ts", Value::Timestamp(DATE))]));
        // testWithSchemaFieldConversion (+ _Micros, _Nanos, _Seconds)
        for (precision, input, expected) in [
            ("milliseconds", DATE_PLUS_TIME, DATE_PLUS_TIME),
            ("microseconds", DATE_PLUS_TIME_UNIX_MICROS, DATE_PLUS_TIME),
            ("nanoseconds", DATE_PLUS_TIME_UNIX_NANOS, DATE_PLUS_TIME),
            ("seconds", DATE_PLUS_TIME_UNIX_SECONDS, 86_401_000),
        ] {
            let schema = SchemaBuilder::struct_()
                .field("ts", INT64_SCHEMA.clone())
                .field("other", STRING_SCHEMA.clone())
                .build()
                .unwrap();
            let mut s = Struct::new(schema.clone()).unwrap();
            s.put("ts", input).unwrap();
            s.put("other", "test").unwrap();
            let out = run(
                &[
                    ("target.type", "Timestamp"),
                    ("field", "ts"),
                    ("unix.precision", precision),
                ],
                Some(schema),
                s,
            );
            let expected_schema = SchemaBuilder::struct_()
                .field("ts", Timestamp::schema())
                .field("other", STRING_SCHEMA.clone())
                .build()
                .unwrap();
            assert_eq!(out.value_schema, Some(expected_schema));
            let v = out.value.as_struct().unwrap();
            assert_eq!(
                v.get("ts").unwrap(),
                &Value::Timestamp(expected),
                "{precision}"
            );
            assert_eq!(v.get("other").unwrap(), &Value::from("test"));
        }
        // testWithSchemaNullFieldWithDefaultConversion
        let ts_schema = Timestamp::builder()
            .optional()
            .default_value(Value::Timestamp(0))
            .build()
            .unwrap();
        let schema = SchemaBuilder::struct_()
            .field("ts", ts_schema)
            .field("other", STRING_SCHEMA.clone())
            .build()
            .unwrap();
        let mut s = Struct::new(schema.clone()).unwrap();
        s.put("other", "test").unwrap();
        let out = run(
            &[
                ("target.type", "Timestamp"),
                ("field", "ts"),
                ("replace.null.with.default", "false"),
            ],
            Some(schema),
            s,
        );
        assert_eq!(
            out.value
                .as_struct()
                .unwrap()
                .get_without_default("ts")
                .unwrap(),
            &Value::Null
        );
    }

    #[test]
    fn string_to_unix_precisions() {
        for (precision, expected) in [
            ("microseconds", 86_401_234_000i64),
            ("nanoseconds", 86_401_234_000_000),
            ("seconds", DATE_PLUS_TIME_UNIX_SECONDS),
        ] {
            let out = run(
                &[
                    ("target.type", "unix"),
                    ("unix.precision", precision),
                    ("format", FMT),
                ],
                None,
                DATE_PLUS_TIME_STRING,
            );
            assert_eq!(out.value, Value::Int64(expected), "{precision}");
        }
    }

    #[test]
    fn key() {
        let mut x: TimestampConverterKey = xform(&[("target.type", "Timestamp")]);
        let out = x
            .apply(source(None, DATE_PLUS_TIME, None, Value::Null))
            .unwrap()
            .unwrap();
        assert!(out.key_schema.is_none());
        assert_eq!(out.key, Value::Timestamp(DATE_PLUS_TIME));
    }

    #[test]
    fn bad_records() {
        let err = xform::<ValueSide>(&[("target.type", "Date")])
            .apply(with_schema(None, 5))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "TimestampConverter does not support class java.lang.Integer objects as timestamps"
        );
        let err = xform::<ValueSide>(&[("target.type", "Date")])
            .apply(with_schema(
                Some(connect_api::data::INT32_SCHEMA.clone()),
                5,
            ))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Schema Schema{INT32} does not correspond to a known timestamp type format"
        );
        let err = xform::<ValueSide>(&[("target.type", "Date"), ("format", FMT)])
            .apply(with_schema(None, "garbage"))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Could not parse timestamp: value (garbage) does not match pattern (yyyy MM dd HH mm ss SSS z)"
        );
    }
}
