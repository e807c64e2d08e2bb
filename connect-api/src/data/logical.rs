//! The logical types Decimal, Date, Time and Timestamp, with Apache's exact encodings.
//!
//! A logical type is a schema with a well-known name over a primitive type. Values of these
//! schemas are [`Value::Decimal`] and [`Value::Timestamp`]; converters encode them with
//! `from_logical` and decode them with `to_logical`.

use bigdecimal::BigDecimal;
use num_bigint::BigInt;

use super::{Schema, SchemaBuilder};
use crate::errors::{ConnectError, Result};

const MILLIS_PER_DAY: i64 = 86_400_000;

/// Arbitrary-precision decimals: BYTES holding the big-endian two's-complement unscaled value,
/// with the scale in the schema parameter `scale`.
#[derive(Debug, Clone, Copy)]
pub struct Decimal;

impl Decimal {
    /// The schema name of the Decimal logical type.
    pub const LOGICAL_NAME: &'static str = "org.apache.kafka.connect.data.Decimal";
    /// The schema parameter holding the scale.
    pub const SCALE_FIELD: &'static str = "scale";

    /// A builder for a Decimal schema with `scale` (version 1, as in Java).
    pub fn builder(scale: i32) -> SchemaBuilder {
        SchemaBuilder::bytes()
            .name(Self::LOGICAL_NAME)
            .parameter(Self::SCALE_FIELD, scale.to_string())
            .version(1)
    }

    /// A required Decimal schema with `scale`.
    pub fn schema(scale: i32) -> Schema {
        // The builder calls cannot conflict, so building cannot fail.
        match Self::builder(scale).build() {
            Ok(s) => s,
            Err(_) => unreachable!("a fresh Decimal builder is always valid"),
        }
    }

    /// The scale parameter of a Decimal schema.
    pub fn scale(schema: &Schema) -> Result<i32> {
        let raw = schema.parameter(Self::SCALE_FIELD).ok_or_else(|| {
            ConnectError::data("Invalid Decimal schema: scale parameter not found.")
        })?;
        raw.parse::<i32>().map_err(|_| {
            ConnectError::data(format!(
                "Invalid scale parameter found in Decimal schema: {raw}"
            ))
        })
    }

    /// Encodes a decimal as the bytes of its unscaled value; its scale must equal the schema's.
    pub fn from_logical(schema: &Schema, value: &BigDecimal) -> Result<Vec<u8>> {
        let scale = Self::scale(schema)?;
        let (unscaled, value_scale) = value.as_bigint_and_exponent();
        if value_scale != i64::from(scale) {
            return Err(ConnectError::data(format!(
                "Decimal value has mismatching scale for given Decimal schema. Schema has scale {scale}, value has scale {value_scale}."
            )));
        }
        Ok(unscaled.to_signed_bytes_be())
    }

    /// Decodes the bytes of an unscaled value with the schema's scale.
    pub fn to_logical(schema: &Schema, bytes: &[u8]) -> Result<BigDecimal> {
        let scale = Self::scale(schema)?;
        Ok(BigDecimal::new(
            BigInt::from_signed_bytes_be(bytes),
            i64::from(scale),
        ))
    }
}

/// Dates: INT32 days since the Unix epoch; the value is midnight UTC of that day.
#[derive(Debug, Clone, Copy)]
pub struct Date;

impl Date {
    /// The schema name of the Date logical type.
    pub const LOGICAL_NAME: &'static str = "org.apache.kafka.connect.data.Date";

    /// A builder for a Date schema (version 1).
    pub fn builder() -> SchemaBuilder {
        SchemaBuilder::int32().name(Self::LOGICAL_NAME).version(1)
    }

    /// A required Date schema.
    pub fn schema() -> Schema {
        match Self::builder().build() {
            Ok(s) => s,
            Err(_) => unreachable!("a fresh Date builder is always valid"),
        }
    }

    /// Encodes a date (epoch millis at midnight UTC) as days since the epoch.
    pub fn from_logical(schema: &Schema, millis: i64) -> Result<i32> {
        if schema.name() != Some(Self::LOGICAL_NAME) {
            return Err(ConnectError::data(
                "Requested conversion of Date object but the schema does not match.",
            ));
        }
        if millis % MILLIS_PER_DAY != 0 {
            return Err(ConnectError::data(
                "Kafka Connect Date type should not have any time fields set to non-zero values.",
            ));
        }
        // Java's integer division truncates toward zero, as does Rust's.
        Ok((millis / MILLIS_PER_DAY) as i32)
    }

    /// Decodes days since the epoch to epoch millis.
    pub fn to_logical(schema: &Schema, days: i32) -> Result<i64> {
        if schema.name() != Some(Self::LOGICAL_NAME) {
            return Err(ConnectError::data(
                "Requested conversion of Date object but the schema does not match.",
            ));
        }
        Ok(i64::from(days) * MILLIS_PER_DAY)
    }
}

/// Times of day: INT32 milliseconds since midnight; the value is that instant on 1970-01-01 UTC.
#[derive(Debug, Clone, Copy)]
pub struct Time;

impl Time {
    /// The schema name of the Time logical type.
    pub const LOGICAL_NAME: &'static str = "org.apache.kafka.connect.data.Time";

    /// A builder for a Time schema (version 1).
    pub fn builder() -> SchemaBuilder {
        SchemaBuilder::int32().name(Self::LOGICAL_NAME).version(1)
    }

    /// A required Time schema.
    pub fn schema() -> Schema {
        match Self::builder().build() {
            Ok(s) => s,
            Err(_) => unreachable!("a fresh Time builder is always valid"),
        }
    }

    /// Encodes a time (epoch millis within the first day) as millis since midnight.
    pub fn from_logical(schema: &Schema, millis: i64) -> Result<i32> {
        if schema.name() != Some(Self::LOGICAL_NAME) {
            return Err(ConnectError::data(
                "Requested conversion of Time object but the schema does not match.",
            ));
        }
        // Java accepts the inclusive upper bound.
        if !(0..=MILLIS_PER_DAY).contains(&millis) {
            return Err(ConnectError::data(
                "Kafka Connect Time type should not have any date fields set to non-zero values.",
            ));
        }
        Ok(millis as i32)
    }

    /// Decodes millis since midnight.
    pub fn to_logical(schema: &Schema, millis: i32) -> Result<i64> {
        if schema.name() != Some(Self::LOGICAL_NAME) {
            return Err(ConnectError::data(
                "Requested conversion of Date object but the schema does not match.",
            ));
        }
        if millis < 0 || i64::from(millis) > MILLIS_PER_DAY {
            return Err(ConnectError::data(
                "Time values must use number of milliseconds greater than 0 and less than 86400000",
            ));
        }
        Ok(i64::from(millis))
    }
}

/// Timestamps: INT64 milliseconds since the Unix epoch.
#[derive(Debug, Clone, Copy)]
pub struct Timestamp;

impl Timestamp {
    /// The schema name of the Timestamp logical type.
    pub const LOGICAL_NAME: &'static str = "org.apache.kafka.connect.data.Timestamp";

    /// A builder for a Timestamp schema (version 1).
    pub fn builder() -> SchemaBuilder {
        SchemaBuilder::int64().name(Self::LOGICAL_NAME).version(1)
    }

    /// A required Timestamp schema.
    pub fn schema() -> Schema {
        match Self::builder().build() {
            Ok(s) => s,
            Err(_) => unreachable!("a fresh Timestamp builder is always valid"),
        }
    }

    /// Encodes a timestamp (checks the schema name only).
    pub fn from_logical(schema: &Schema, millis: i64) -> Result<i64> {
        if schema.name() != Some(Self::LOGICAL_NAME) {
            return Err(ConnectError::data(
                "Requested conversion of Timestamp object but the schema does not match.",
            ));
        }
        Ok(millis)
    }

    /// Decodes a timestamp.
    pub fn to_logical(schema: &Schema, millis: i64) -> Result<i64> {
        if schema.name() != Some(Self::LOGICAL_NAME) {
            return Err(ConnectError::data(
                "Requested conversion of Timestamp object but the schema does not match.",
            ));
        }
        Ok(millis)
    }
}

/// Whether a schema name is one of the four logical types.
pub fn is_logical_name(name: &str) -> bool {
    matches!(
        name,
        Decimal::LOGICAL_NAME | Date::LOGICAL_NAME | Time::LOGICAL_NAME | Timestamp::LOGICAL_NAME
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn decimal_encoding() {
        let s = Decimal::schema(2);
        assert_eq!(s.version(), Some(1));
        assert_eq!(s.parameter("scale"), Some("2"));
        let v = BigDecimal::from_str("1.56").unwrap();
        assert_eq!(Decimal::from_logical(&s, &v).unwrap(), vec![0x00, 0x9C]);
        let v = BigDecimal::from_str("-1.56").unwrap();
        assert_eq!(Decimal::from_logical(&s, &v).unwrap(), vec![0xFF, 0x64]);
        assert_eq!(
            Decimal::to_logical(&s, &[0x00, 0x9C]).unwrap(),
            BigDecimal::from_str("1.56").unwrap()
        );
        let zero = BigDecimal::new(BigInt::from(0), 2);
        assert_eq!(Decimal::from_logical(&s, &zero).unwrap(), vec![0x00]);
        let wrong = BigDecimal::from_str("1.5").unwrap();
        assert_eq!(
            Decimal::from_logical(&s, &wrong).unwrap_err().to_string(),
            "Decimal value has mismatching scale for given Decimal schema. Schema has scale 2, value has scale 1."
        );
        let no_scale = SchemaBuilder::bytes()
            .name(Decimal::LOGICAL_NAME)
            .build()
            .unwrap();
        assert_eq!(
            Decimal::scale(&no_scale).unwrap_err().to_string(),
            "Invalid Decimal schema: scale parameter not found."
        );
    }

    #[test]
    fn date_time_timestamp() {
        let d = Date::schema();
        assert_eq!(Date::from_logical(&d, 86_400_000 * 3).unwrap(), 3);
        assert_eq!(
            Date::from_logical(&d, 1).unwrap_err().to_string(),
            "Kafka Connect Date type should not have any time fields set to non-zero values."
        );
        assert_eq!(Date::to_logical(&d, 10_000).unwrap(), 864_000_000_000);
        assert!(Date::from_logical(&Time::schema(), 0).is_err());
        let t = Time::schema();
        assert_eq!(Time::from_logical(&t, 86_400_000).unwrap(), 86_400_000);
        assert!(Time::from_logical(&t, 86_400_001).is_err());
        assert_eq!(
            Time::to_logical(&t, -1).unwrap_err().to_string(),
            "Time values must use number of milliseconds greater than 0 and less than 86400000"
        );
        let ts = Timestamp::schema();
        assert_eq!(Timestamp::from_logical(&ts, -5).unwrap(), -5);
        assert_eq!(ts.schema_type(), crate::data::Type::Int64);
    }
}
