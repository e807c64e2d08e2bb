//! The configuration error, worded exactly as Apache Kafka's `ConfigException`.

/// A configuration value is missing or invalid (Java's `ConfigException`).
///
/// The `Display` text matches Apache's messages, which users and tools match on:
/// `Missing required configuration "<name>" which has no default value.` and
/// `Invalid value <value> for configuration <name>: <reason>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A required key (one without a default) is absent.
    #[error("Missing required configuration \"{name}\" which has no default value.")]
    Missing {
        /// The configuration key.
        name: String,
    },
    /// A key has a value that cannot be parsed or does not pass validation.
    #[error("Invalid value {} for configuration {name}{}", value.as_deref().unwrap_or("null"), reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default())]
    Invalid {
        /// The configuration key.
        name: String,
        /// The offending value as the user wrote it (`None` prints as `null`).
        value: Option<String>,
        /// Why it is invalid.
        reason: Option<String>,
    },
    /// Any other configuration problem, with a free-form message.
    #[error("{message}")]
    Other {
        /// The key the problem is about, if one.
        name: Option<String>,
        /// What is wrong.
        message: String,
    },
}

impl ConfigError {
    /// A missing required key.
    pub fn missing(name: impl Into<String>) -> Self {
        ConfigError::Missing { name: name.into() }
    }

    /// An invalid value for `name`.
    pub fn invalid(
        name: impl Into<String>,
        value: Option<&str>,
        reason: impl Into<String>,
    ) -> Self {
        ConfigError::Invalid {
            name: name.into(),
            value: value.map(str::to_owned),
            reason: Some(reason.into()),
        }
    }

    /// A free-form configuration error, optionally about one key.
    pub fn other(name: Option<&str>, message: impl Into<String>) -> Self {
        ConfigError::Other {
            name: name.map(str::to_owned),
            message: message.into(),
        }
    }

    /// The configuration key this error is about, if known.
    pub fn name(&self) -> Option<&str> {
        match self {
            ConfigError::Missing { name } | ConfigError::Invalid { name, .. } => Some(name),
            ConfigError::Other { name, .. } => name.as_deref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_match_apache() {
        assert_eq!(
            ConfigError::missing("topic").to_string(),
            "Missing required configuration \"topic\" which has no default value."
        );
        assert_eq!(
            ConfigError::invalid("batch.size", Some("abc"), "Not a number of type INT").to_string(),
            "Invalid value abc for configuration batch.size: Not a number of type INT"
        );
        assert_eq!(
            ConfigError::invalid("x", None, "Not a Transformation").to_string(),
            "Invalid value null for configuration x: Not a Transformation"
        );
    }
}
