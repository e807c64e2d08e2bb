//! What every stock converter's configuration shares (Apache's `ConverterConfig`): the
//! required `converter.type` key, and how `configure(map, is_key)` fills it in.

use std::collections::HashMap;

use connect_api::config::{
    ConfigDef, ConfigError, ConfigKey, ConfigType, Importance, ParsedValue, ParsedValues,
    ValidString,
};
use connect_api::errors::Result;
use connect_api::storage::{ConverterType, CONVERTER_TYPE_CONFIG};

/// Java's `ConverterConfig.newConfigDef()`: only `converter.type`, required, one of
/// `key`, `value`, `header` (case-sensitive).
pub(crate) fn converter_config_def() -> ConfigDef {
    ConfigDef::new().define(
        ConfigKey::new(CONVERTER_TYPE_CONFIG, ConfigType::String)
            .validator(ValidString::in_list(["key", "value", "header"]))
            .importance(Importance::Low)
            .doc("How this converter will be used."),
    )
}

/// The configuration as `configure(map, is_key)` sees it: `converter.type` overwritten with
/// `key` or `value`, as every stock converter does before parsing.
pub(crate) fn with_converter_type(
    configs: &HashMap<String, String>,
    is_key: bool,
) -> HashMap<String, String> {
    let mut map = configs.clone();
    let role = if is_key {
        ConverterType::Key
    } else {
        ConverterType::Value
    };
    map.insert(CONVERTER_TYPE_CONFIG.to_owned(), role.name().to_owned());
    map
}

/// Parses `configs` against `def`, with Apache's `ConfigException` messages.
pub(crate) fn parse(def: &ConfigDef, configs: &HashMap<String, String>) -> Result<ParsedValues> {
    Ok(def.parse(configs)?)
}

fn value<'a>(values: &'a ParsedValues, key: &str) -> Option<&'a ParsedValue> {
    values.get(key).and_then(Option::as_ref)
}

/// The parsed `converter.type`.
pub(crate) fn converter_type(values: &ParsedValues) -> Result<ConverterType> {
    match value(values, CONVERTER_TYPE_CONFIG).and_then(ParsedValue::as_str) {
        Some("key") => Ok(ConverterType::Key),
        Some("value") => Ok(ConverterType::Value),
        Some("header") => Ok(ConverterType::Header),
        _ => Err(ConfigError::missing(CONVERTER_TYPE_CONFIG).into()),
    }
}

/// A parsed boolean (the definition guarantees its presence; `default` guards the impossible).
pub(crate) fn get_bool(values: &ParsedValues, key: &str, default: bool) -> bool {
    value(values, key)
        .and_then(ParsedValue::as_bool)
        .unwrap_or(default)
}

/// A parsed integer.
pub(crate) fn get_int(values: &ParsedValues, key: &str, default: i64) -> i64 {
    value(values, key)
        .and_then(ParsedValue::as_i64)
        .unwrap_or(default)
}

/// A parsed string.
pub(crate) fn get_str<'a>(values: &'a ParsedValues, key: &str) -> Option<&'a str> {
    value(values, key).and_then(ParsedValue::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converter_type_is_required_and_case_sensitive() {
        let def = converter_config_def();
        let err = parse(&def, &HashMap::new()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Missing required configuration \"converter.type\" which has no default value."
        );
        let bad = HashMap::from([(CONVERTER_TYPE_CONFIG.to_owned(), "KEY".to_owned())]);
        assert_eq!(
            parse(&def, &bad).unwrap_err().to_string(),
            "Invalid value KEY for configuration converter.type: String must be one of: key, value, header"
        );
        let values = parse(&def, &with_converter_type(&bad, true)).unwrap();
        assert_eq!(converter_type(&values).unwrap(), ConverterType::Key);
        let values = parse(&def, &with_converter_type(&bad, false)).unwrap();
        assert_eq!(converter_type(&values).unwrap(), ConverterType::Value);
    }
}
