//! Converters and offset reading (Apache's `org.apache.kafka.connect.storage`).

mod converter;
mod offset_storage_reader;

pub use converter::{Converter, HeaderConverter};
pub use offset_storage_reader::OffsetStorageReader;

/// The role a converter is configured for (Java's `ConverterType`), passed to converters as
/// `converter.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConverterType {
    /// Record keys.
    Key,
    /// Record values.
    Value,
    /// Header values.
    Header,
}

impl ConverterType {
    /// The name used in the `converter.type` property: `key`, `value` or `header`.
    pub fn name(self) -> &'static str {
        match self {
            ConverterType::Key => "key",
            ConverterType::Value => "value",
            ConverterType::Header => "header",
        }
    }
}

/// The config key with which converters learn their role.
pub const CONVERTER_TYPE_CONFIG: &str = "converter.type";
