//! Errors raised by connectors, tasks, converters and transformations.
//!
//! Mirrors `org.apache.kafka.connect.errors`: every error is a [`ConnectError`], and the kind
//! decides what the runtime does with it. Only [`ConnectError::Retriable`] is retried; a
//! [`ConnectError::Data`] goes to the connector's error-tolerance policy (fail, skip, log or
//! dead-letter); everything else fails the connector or task with a readable trace.

use std::error::Error as StdError;

/// A boxed error used as the cause of a [`ConnectError`].
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// The result type used throughout the Connect API.
pub type Result<T, E = ConnectError> = std::result::Result<T, E>;

/// An error raised by a plugin or by the Connect data model.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    /// A record or value could not be converted, validated or transformed
    /// (Java's `DataException`). Handled by the connector's `errors.tolerance` policy.
    #[error("{message}")]
    Data {
        /// What went wrong, in Apache Kafka Connect's words where it has them.
        message: String,
        /// The underlying cause, if any.
        #[source]
        source: Option<BoxError>,
    },
    /// A configuration value is missing or invalid (Java's `ConfigException`).
    #[error("{0}")]
    Config(#[from] crate::config::ConfigError),
    /// A transient failure; the operation may succeed if retried (Java's `RetriableException`).
    #[error("{message}")]
    Retriable {
        /// What went wrong.
        message: String,
        /// The underlying cause, if any.
        #[source]
        source: Option<BoxError>,
    },
    /// A schema could not be built (Java's `SchemaBuilderException`).
    #[error("{message}")]
    SchemaBuilder {
        /// What went wrong.
        message: String,
        /// The underlying cause, if any.
        #[source]
        source: Option<BoxError>,
    },
    /// A requested object does not exist (Java's `NotFoundException`).
    #[error("{0}")]
    NotFound(String),
    /// An object already exists (Java's `AlreadyExistsException`).
    #[error("{0}")]
    AlreadyExists(String),
    /// Any other failure of a connector, task or the runtime (Java's `ConnectException`).
    #[error("{message}")]
    Other {
        /// What went wrong.
        message: String,
        /// The underlying cause, if any.
        #[source]
        source: Option<BoxError>,
    },
}

impl ConnectError {
    /// A data error with a message (Java's `new DataException(message)`).
    pub fn data(message: impl Into<String>) -> Self {
        ConnectError::Data {
            message: message.into(),
            source: None,
        }
    }

    /// A data error with a message and a cause.
    pub fn data_with(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        ConnectError::Data {
            message: message.into(),
            source: Some(source.into()),
        }
    }

    /// A retriable error with a message.
    pub fn retriable(message: impl Into<String>) -> Self {
        ConnectError::Retriable {
            message: message.into(),
            source: None,
        }
    }

    /// A retriable error with a message and a cause.
    pub fn retriable_with(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        ConnectError::Retriable {
            message: message.into(),
            source: Some(source.into()),
        }
    }

    /// A schema-builder error with a message.
    pub fn schema_builder(message: impl Into<String>) -> Self {
        ConnectError::SchemaBuilder {
            message: message.into(),
            source: None,
        }
    }

    /// A general connect error with a message.
    pub fn other(message: impl Into<String>) -> Self {
        ConnectError::Other {
            message: message.into(),
            source: None,
        }
    }

    /// A general connect error with a message and a cause.
    pub fn other_with(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        ConnectError::Other {
            message: message.into(),
            source: Some(source.into()),
        }
    }

    /// A configuration error for `name` with value `value` and a reason, worded as Apache's
    /// `ConfigException(name, value, message)`.
    pub fn invalid_config(
        name: impl Into<String>,
        value: Option<&str>,
        reason: impl Into<String>,
    ) -> Self {
        ConnectError::Config(crate::config::ConfigError::invalid(name, value, reason))
    }

    /// Whether the runtime should retry the failed operation.
    pub fn is_retriable(&self) -> bool {
        matches!(self, ConnectError::Retriable { .. })
    }

    /// Whether this is a data error (handled by the error-tolerance policy).
    pub fn is_data(&self) -> bool {
        matches!(self, ConnectError::Data { .. })
    }

    /// The name of the Java exception class this error corresponds to, used in stack-trace
    /// style messages reported through the REST API.
    pub fn java_class(&self) -> &'static str {
        match self {
            ConnectError::Data { .. } => "org.apache.kafka.connect.errors.DataException",
            ConnectError::Config(_) => "org.apache.kafka.common.config.ConfigException",
            ConnectError::Retriable { .. } => "org.apache.kafka.connect.errors.RetriableException",
            ConnectError::SchemaBuilder { .. } => {
                "org.apache.kafka.connect.errors.SchemaBuilderException"
            }
            ConnectError::NotFound(_) => "org.apache.kafka.connect.errors.NotFoundException",
            ConnectError::AlreadyExists(_) => {
                "org.apache.kafka.connect.errors.AlreadyExistsException"
            }
            ConnectError::Other { .. } => "org.apache.kafka.connect.errors.ConnectException",
        }
    }

    /// A multi-line, stack-trace-like description: this error and its chain of causes, in the
    /// shape of a Java trace (`Class: message` then `Caused by: ...`). This is what the runtime
    /// puts in the `trace` field of a failed connector or task.
    pub fn trace(&self) -> String {
        let mut out = format!("{}: {}", self.java_class(), self);
        let mut cause = StdError::source(self);
        while let Some(c) = cause {
            out.push_str("\nCaused by: ");
            out.push_str(&c.to_string());
            cause = c.source();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retriable_is_the_only_retried_kind() {
        assert!(ConnectError::retriable("later").is_retriable());
        assert!(!ConnectError::data("bad").is_retriable());
        assert!(!ConnectError::other("boom").is_retriable());
    }

    #[test]
    fn trace_lists_causes() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let err = ConnectError::other_with("could not open", io);
        assert_eq!(
            err.trace(),
            "org.apache.kafka.connect.errors.ConnectException: could not open\nCaused by: no such file"
        );
    }
}
