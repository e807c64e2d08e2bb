//! The cause attached to converter data errors, standing in for Kafka's
//! `SerializationException` (whose message Apache's converters wrap).

use std::fmt;

/// A serializer or deserializer failure, e.g. `Size of data received by IntegerDeserializer is
/// not 4`; it is the `source` of the [`ConnectError::Data`](connect_api::errors::ConnectError)
/// the converter returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerializationError(pub String);

impl fmt::Display for SerializationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SerializationError {}
