//! [`Password`]: a secret configuration value that never prints itself.

use std::borrow::Cow;
use std::fmt;

/// A secret configuration value, such as a password or a key (Java's `types.Password`).
///
/// `Debug` and `Display` print `[hidden]`, so a secret cannot leak into logs or error messages by
/// accident; read the secret explicitly with [`Password::value`]. Equality compares the secrets.
///
/// In a config struct that derives its definition (see [`ConnectConfig`](super::ConnectConfig)), a
/// `Password` field becomes a `PASSWORD` key. `Password` deliberately does not implement
/// `Serialize`: writing a config back out must be a conscious choice (`serialize_with`).
///
/// ```
/// use connect_api::config::Password;
///
/// let password = Password::new("s3cret");
/// assert_eq!(format!("{password} {password:?}"), "[hidden] [hidden]");
/// assert_eq!(password.value(), "s3cret");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Password(String);

impl Password {
    /// What a password prints as (Java's `Password.HIDDEN`).
    pub const HIDDEN: &'static str = "[hidden]";

    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Password(value.into())
    }

    /// The secret itself. Never log it.
    pub fn value(&self) -> &str {
        &self.0
    }

    /// Unwraps the secret. Never log it.
    pub fn into_value(self) -> String {
        self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Password::HIDDEN)
    }
}

impl fmt::Display for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Password::HIDDEN)
    }
}

impl From<String> for Password {
    fn from(value: String) -> Self {
        Password(value)
    }
}

impl From<&str> for Password {
    fn from(value: &str) -> Self {
        Password(value.to_owned())
    }
}

impl<'de> serde::Deserialize<'de> for Password {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Password)
    }
}

/// The schema marks the string with `"format": "password"`, which is how
/// [`ConnectConfig`](super::ConnectConfig) recognises a `PASSWORD` key.
impl schemars::JsonSchema for Password {
    fn inline_schema() -> bool {
        // Inline, so the marker sits on the property itself rather than behind a `$ref`.
        true
    }

    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("Password")
    }

    fn json_schema(_generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "format": PASSWORD_FORMAT,
            "writeOnly": true,
        })
    }
}

/// The JSON Schema `format` that marks a [`Password`].
pub(crate) const PASSWORD_FORMAT: &str = "password";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_secret() {
        let password = Password::new("hunter2");
        assert_eq!(password.to_string(), "[hidden]");
        assert_eq!(format!("{password:?}"), "[hidden]");
        assert_eq!(format!("{:?}", Some(&password)), "Some([hidden])");
        assert!(!format!("{password:#?}").contains("hunter2"));
        assert_eq!(password.value(), "hunter2");
        assert_eq!(password.clone().into_value(), "hunter2");
    }

    #[test]
    fn equality_compares_secrets() {
        assert_eq!(Password::from("a"), Password::new(String::from("a")));
        assert_ne!(Password::from("a"), Password::from("b"));
    }

    #[test]
    fn deserializes_from_a_string_and_has_a_password_schema() {
        let password: Password = serde_json::from_str("\"pw\"").unwrap();
        assert_eq!(password.value(), "pw");
        let schema = schemars::schema_for!(Password);
        assert_eq!(schema.as_value()["format"], "password");
        assert_eq!(schema.as_value()["type"], "string");
    }
}
