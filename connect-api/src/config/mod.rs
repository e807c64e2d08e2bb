//! Configuration definitions: Apache Kafka's `ConfigDef`, typed parsing and validation.
//!
//! Connect configurations arrive as string maps (`.properties` files, REST bodies, the config
//! topic) and are parsed once, against a definition, into typed values. This module mirrors
//! `org.apache.kafka.common.config` so that keys, defaults and error messages match Apache Kafka
//! Connect's exactly:
//!
//! - [`ConfigDef`] holds [`ConfigKey`]s: name, [`ConfigType`], default, [`Importance`],
//!   documentation, group, order, [`Width`], display name, dependents, a [`Validator`] and a
//!   [`Recommender`]. [`ConfigDef::parse`] turns a raw map ([`ConfigProps`]) into
//!   [`ParsedValues`], failing with the first [`ConfigError`];
//!   [`ConfigDef::validate`] reports every problem per key as [`ConfigValue`]s, for the REST
//!   validate endpoint.
//! - [`ParsedConfig`] is Java's `AbstractConfig`: typed getters, originals, prefixes, unused keys.
//! - [`ConfigKeyInfo`] and [`ConfigValueInfo`] are the REST API's JSON shapes.
//! - [`Password`] hides secrets from `Debug` and `Display`.
//! - [`ConfigProvider`] supplies `${provider:path:key}` values (secrets kept elsewhere).
//! - [`ConnectConfig`] derives a definition from a `Deserialize + JsonSchema` struct and parses
//!   straight into it; this is how connector authors declare their config:
//!
//! ```
//! use std::collections::HashMap;
//! use connect_api::config::ConnectConfig;
//!
//! #[derive(serde::Deserialize, schemars::JsonSchema)]
//! struct FileSinkConfig {
//!     /// Destination filename.
//!     file: String,
//! }
//!
//! let missing = FileSinkConfig::from_props(&HashMap::<String, String>::new());
//! assert_eq!(
//!     missing.err().map(|e| e.to_string()).as_deref(),
//!     Some("Missing required configuration \"file\" which has no default value.")
//! );
//! ```

mod def;
mod derive;
mod error;
mod info;
mod key;
mod parse;
mod parsed;
mod password;
mod props;
mod provider;
mod recommender;
mod types;
mod validate;
mod validators;
mod value;

pub use def::ConfigDef;
pub use derive::ConnectConfig;
pub use error::ConfigError;
pub use info::{ConfigKeyInfo, ConfigValueInfo};
pub use key::ConfigKey;
pub use parsed::ParsedConfig;
pub use password::Password;
pub use props::{parse_list, with_prefix, ConfigProps};
pub use provider::{
    config_provider_registrations, ConfigData, ConfigProvider, ConfigProviderRegistration,
};
pub use recommender::Recommender;
pub use types::{ConfigType, Importance, Width};
pub use validate::ConfigValue;
pub use validators::{
    CaseInsensitiveValidString, CompositeValidator, LambdaValidator, ListSize, NonEmptyList,
    NonEmptyString, NonEmptyStringWithoutControlChars, NonNullValidator, Range, RangeBound,
    RegexValidator, ValidList, ValidString, Validator,
};
pub use value::{DefaultValue, ParsedValue, ParsedValues};
