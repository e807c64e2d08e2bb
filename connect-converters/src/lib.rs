//! Apache Kafka Connect's converters, byte-compatible with the Java ones.
//!
//! A converter turns a record's Connect data (schema and value) into the bytes stored in
//! Kafka and back. The worker builds one per role from `key.converter`, `value.converter` and
//! `header.converter`, configured with the matching `*.converter.*` properties (prefix
//! stripped) and the `is_key` flag; the stock converters turn that flag into
//! `converter.type=key|value` (the worker sets `header` for header converters), exactly as
//! Apache's do.
//!
//! | converter | Apache class | data |
//! |---|---|---|
//! | [`JsonConverter`] | `org.apache.kafka.connect.json.JsonConverter` | JSON, optionally with a schema envelope |
//! | [`StringConverter`] | `org.apache.kafka.connect.storage.StringConverter` | text in a configurable charset |
//! | [`ByteArrayConverter`] | `org.apache.kafka.connect.converters.ByteArrayConverter` | raw bytes |
//! | [`ShortConverter`], [`IntegerConverter`], [`LongConverter`], [`FloatConverter`], [`DoubleConverter`] | `org.apache.kafka.connect.converters.*` | one big-endian number |
//! | [`BooleanConverter`] | `org.apache.kafka.connect.converters.BooleanConverter` | one byte |
//! | [`SimpleHeaderConverter`] | `org.apache.kafka.connect.storage.SimpleHeaderConverter` | header text (headers only) |
//!
//! Every one but SimpleHeaderConverter is both a [`Converter`](connect_api::storage::Converter)
//! and a [`HeaderConverter`](connect_api::storage::HeaderConverter), as in Apache. Linking this
//! crate registers them all under their Apache class names; the plugin registry adds the short
//! aliases (`JsonConverter`, `Json`, ...).

mod boolean;
mod byte_array;
mod charset;
mod config;
pub mod json;
mod number;
mod serialization_error;
mod simple_header;
mod string;

pub use boolean::BooleanConverter;
pub use byte_array::ByteArrayConverter;
pub use charset::Charset;
pub use json::{DecimalFormat, JsonConverter, JsonConverterConfig};
pub use number::{
    DoubleConverter, FloatConverter, IntegerConverter, LongConverter, ShortConverter,
};
pub use serialization_error::SerializationError;
pub use simple_header::SimpleHeaderConverter;
pub use string::{StringConverter, ENCODING_CONFIG};
