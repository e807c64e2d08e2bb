//! JsonConverter's configuration (Apache's `JsonConverterConfig`).

use std::collections::HashMap;

use connect_api::config::{
    CaseInsensitiveValidString, ConfigDef, ConfigKey, ConfigType, Importance, Width,
};
use connect_api::errors::Result;
use connect_api::storage::ConverterType;

use crate::config::{converter_config_def, converter_type, get_bool, get_int, get_str, parse};

/// `schemas.enable`: wrap data in (and require) the `{"schema":…,"payload":…}` envelope.
pub const SCHEMAS_ENABLE_CONFIG: &str = "schemas.enable";
/// `schemas.cache.size`: how many schemas each of the two schema caches keeps.
pub const SCHEMAS_CACHE_SIZE_CONFIG: &str = "schemas.cache.size";
/// `decimal.format`: how Decimal values are written, `BASE64` or `NUMERIC` (any case).
pub const DECIMAL_FORMAT_CONFIG: &str = "decimal.format";
/// `replace.null.with.default`: write and read a field's default instead of a null.
pub const REPLACE_NULL_WITH_DEFAULT_CONFIG: &str = "replace.null.with.default";

/// How JsonConverter writes `Decimal` values (Apache's `DecimalFormat`). Reading accepts both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DecimalFormat {
    /// The base64 text of the unscaled value's two's-complement bytes (`"AJw="` for 1.56).
    #[default]
    Base64,
    /// A JSON number with the decimal's own scale (`1.56`, `1.5600`).
    Numeric,
}

/// JsonConverter's parsed configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct JsonConverterConfig {
    /// The role (`converter.type`).
    pub converter_type: ConverterType,
    /// `schemas.enable` (default true).
    pub schemas_enabled: bool,
    /// `schemas.cache.size` (default 1000).
    pub schema_cache_size: usize,
    /// `decimal.format` (default BASE64).
    pub decimal_format: DecimalFormat,
    /// `replace.null.with.default` (default true).
    pub replace_null_with_default: bool,
}

impl Default for JsonConverterConfig {
    /// The defaults for a value converter.
    fn default() -> Self {
        JsonConverterConfig {
            converter_type: ConverterType::Value,
            schemas_enabled: true,
            schema_cache_size: 1000,
            decimal_format: DecimalFormat::Base64,
            replace_null_with_default: true,
        }
    }
}

impl JsonConverterConfig {
    /// The definition (Java's `JsonConverterConfig.configDef()`).
    pub fn config_def() -> ConfigDef {
        converter_config_def()
            .define(
                ConfigKey::new(SCHEMAS_ENABLE_CONFIG, ConfigType::Boolean)
                    .default_value(true)
                    .importance(Importance::High)
                    .doc("Include schemas within each of the serialized values and keys.")
                    .group("Schemas")
                    .order_in_group(0)
                    .width(Width::Medium)
                    .display_name("Enable Schemas"),
            )
            .define(
                ConfigKey::new(SCHEMAS_CACHE_SIZE_CONFIG, ConfigType::Int)
                    .default_value(1000)
                    .importance(Importance::High)
                    .doc("The maximum number of schemas that can be cached in this converter instance.")
                    .group("Schemas")
                    .order_in_group(1)
                    .width(Width::Medium)
                    .display_name("Schema Cache Size"),
            )
            .define(
                ConfigKey::new(DECIMAL_FORMAT_CONFIG, ConfigType::String)
                    .default_value("BASE64")
                    .validator(CaseInsensitiveValidString::in_list(["BASE64", "NUMERIC"]))
                    .importance(Importance::Low)
                    .doc("Controls which format this converter will serialize decimals in. This value is case insensitive and can be either 'BASE64' (default) or 'NUMERIC'")
                    .group("Serialization")
                    .order_in_group(0)
                    .width(Width::Medium)
                    .display_name("Decimal Format"),
            )
            .define(
                ConfigKey::new(REPLACE_NULL_WITH_DEFAULT_CONFIG, ConfigType::Boolean)
                    .default_value(true)
                    .importance(Importance::Low)
                    .doc("Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.")
                    .group("Serialization")
                    .order_in_group(1)
                    .width(Width::Medium)
                    .display_name("Replace null with default"),
            )
    }

    /// Parses a configuration that must contain `converter.type`.
    pub fn parse(configs: &HashMap<String, String>) -> Result<Self> {
        let values = parse(&Self::config_def(), configs)?;
        let decimal_format = match get_str(&values, DECIMAL_FORMAT_CONFIG) {
            Some(s) if s.eq_ignore_ascii_case("NUMERIC") => DecimalFormat::Numeric,
            _ => DecimalFormat::Base64,
        };
        // A negative size makes Java's LRU cache keep nothing, like 0.
        let size = get_int(&values, SCHEMAS_CACHE_SIZE_CONFIG, 1000);
        Ok(JsonConverterConfig {
            converter_type: converter_type(&values)?,
            schemas_enabled: get_bool(&values, SCHEMAS_ENABLE_CONFIG, true),
            schema_cache_size: usize::try_from(size).unwrap_or(0),
            decimal_format,
            replace_null_with_default: get_bool(&values, REPLACE_NULL_WITH_DEFAULT_CONFIG, true),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: &[(&str, &str)]) -> HashMap<String, String> {
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_and_case_insensitive_decimal_format() {
        let c = JsonConverterConfig::parse(&map(&[("converter.type", "value")])).unwrap();
        assert_eq!(c, JsonConverterConfig::default());
        let c = JsonConverterConfig::parse(&map(&[
            ("converter.type", "header"),
            ("decimal.format", "NuMeRiC"),
            ("schemas.enable", "FALSE"),
            ("replace.null.with.default", "false"),
            ("schemas.cache.size", "7"),
        ]))
        .unwrap();
        assert_eq!(c.decimal_format, DecimalFormat::Numeric);
        assert!(!c.schemas_enabled);
        assert!(!c.replace_null_with_default);
        assert_eq!(c.schema_cache_size, 7);
        assert_eq!(c.converter_type, ConverterType::Header);
    }

    #[test]
    fn apache_messages() {
        let err = JsonConverterConfig::parse(&map(&[])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Missing required configuration \"converter.type\" which has no default value."
        );
        let err = JsonConverterConfig::parse(&map(&[
            ("converter.type", "value"),
            ("decimal.format", "hex"),
        ]))
        .unwrap_err();
        assert!(err
            .to_string()
            .starts_with("Invalid value hex for configuration decimal.format: String must be one of (case insensitive): "));
        let err = JsonConverterConfig::parse(&map(&[
            ("converter.type", "value"),
            ("schemas.enable", "yes"),
        ]))
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid value yes for configuration schemas.enable: Expected value to be either true or false"
        );
        let err = JsonConverterConfig::parse(&map(&[
            ("converter.type", "value"),
            ("schemas.cache.size", "x"),
        ]))
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid value x for configuration schemas.cache.size: Not a number of type INT"
        );
    }
}
