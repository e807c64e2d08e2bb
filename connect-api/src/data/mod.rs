//! The Connect data model (Apache's `org.apache.kafka.connect.data`).
//!
//! A [`Schema`] describes a value: one of twelve [`Type`]s, optional or required, with an
//! optional name, version, doc, parameters and default; structs have [`Field`]s, arrays an
//! element schema, maps key and value schemas. A [`Value`] is the data; [`Struct`] is a value
//! of a struct schema that checks every put. Logical types ([`Decimal`], [`Date`], [`Time`],
//! [`Timestamp`]) are named schemas over primitives with fixed encodings. [`values`] holds
//! Apache's `Values` conversions between types and to and from text.

mod connect_struct;
pub mod java_format;
mod logical;
mod schema;
mod schema_and_value;
mod schema_builder;
mod schema_type;
mod validate;
mod value;
pub mod values;

pub use connect_struct::Struct;
pub use logical::{is_logical_name, Date, Decimal, Time, Timestamp};
pub use schema::*;
pub use schema_and_value::SchemaAndValue;
pub use schema_builder::SchemaBuilder;
pub use schema_type::Type;
pub use validate::{validate_field_value, validate_value};
pub use value::Value;

/// Re-exported so connector authors need no direct dependency for decimal values.
pub use bigdecimal::BigDecimal;
