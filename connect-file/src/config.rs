//! The connectors' configuration: keys, defaults and the typed structs they parse into.
//!
//! The definitions are Apache's `FileStreamSourceConnector.CONFIG_DEF` and
//! `FileStreamSinkConnector.CONFIG_DEF`, key for key, so that the REST API's
//! `/connector-plugins/.../config` and validation errors read the same:
//!
//! | connector | key | type | default | |
//! |---|---|---|---|---|
//! | source | `file` | STRING | null | null or blank: standard input |
//! | source | `topic` | STRING | required | must be non-empty |
//! | source | `batch.size` | INT | `2000` | most records one `poll` returns |
//! | sink | `file` | STRING | null | null or blank: standard output |
//!
//! Configurations arrive as string maps ([`Props`]) and are parsed once, in `start`, into
//! [`FileStreamSourceConfig`] or [`FileStreamSinkConfig`]; nothing downstream looks at strings.
//! Both structs derive their definition ([`ConnectConfig`], from `serde` and `schemars`), so
//! the struct *is* the definition: `FileStreamSourceConfig::config_def()` is what the
//! connector's `config()` returns.

use connect_api::config::{ConfigDef, ConfigError, ConfigType, ConnectConfig};
use connect_api::connector::Props;
use schemars::JsonSchema;
use serde::Deserialize;

/// The file to read from or write to; null or blank means standard input (source) or
/// standard output (sink).
pub const FILE_CONFIG: &str = "file";
/// The topic the source connector writes lines to.
pub const TOPIC_CONFIG: &str = "topic";
/// The most records one `poll` of the source task returns.
pub const TASK_BATCH_SIZE_CONFIG: &str = "batch.size";
/// The default of [`TASK_BATCH_SIZE_CONFIG`], as in Apache.
pub const DEFAULT_TASK_BATCH_SIZE: i32 = 2000;

/// The source partition key: `{"filename": <file as configured>}`.
pub const FILENAME_FIELD: &str = "filename";
/// The source offset key: `{"position": <byte position after the line>}`.
pub const POSITION_FIELD: &str = "position";

/// The parsed configuration of the source connector and its task.
///
/// The definition is derived from this struct ([`ConnectConfig`]): each field's doc comment is
/// the key's documentation, exactly Apache's. Parse with [`FileStreamSourceConfig::parse`],
/// which also maps a blank `file` to `None` (standard input).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct FileStreamSourceConfig {
    /// Source filename. If not specified, the standard input will be used
    #[schemars(extend("x-importance" = "HIGH"))]
    pub file: Option<String>,
    /// The topic to publish data to
    #[schemars(length(min = 1), extend("x-importance" = "HIGH"))]
    pub topic: String,
    /// The maximum number of records the source task can read from the file each time it is polled
    #[serde(rename = "batch.size", default = "default_batch_size")]
    #[schemars(extend("x-importance" = "LOW"))]
    pub batch_size: i32,
}

fn default_batch_size() -> i32 {
    DEFAULT_TASK_BATCH_SIZE
}

impl FileStreamSourceConfig {
    /// Parses and validates `props`; the error names the offending key in Apache's words,
    /// e.g. `Missing required configuration "topic" which has no default value.` A blank
    /// `file` becomes `None`, as Apache treats null and empty alike.
    pub fn parse(props: &Props) -> Result<Self, ConfigError> {
        let mut config = Self::from_props(props)?;
        config.file = config.file.filter(|f| !f.is_empty());
        Ok(config)
    }

    /// What the task reads, for log messages: the file name or `standard input`.
    pub fn input_name(&self) -> &str {
        self.file.as_deref().unwrap_or("standard input")
    }
}

/// The parsed configuration of the sink connector and its task; the definition is derived as
/// for [`FileStreamSourceConfig`]. The framework adds `topics` / `topics.regex`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct FileStreamSinkConfig {
    /// Destination filename. If not specified, the standard output will be used
    #[schemars(extend("x-importance" = "HIGH"))]
    pub file: Option<String>,
}

impl FileStreamSinkConfig {
    /// Parses and validates `props`; a blank `file` becomes `None` (standard output).
    pub fn parse(props: &Props) -> Result<Self, ConfigError> {
        let mut config = Self::from_props(props)?;
        config.file = config.file.filter(|f| !f.is_empty());
        Ok(config)
    }

    /// Where the task writes, for log messages: the file name or `standard output`.
    pub fn output_name(&self) -> &str {
        self.file.as_deref().unwrap_or("standard output")
    }
}

/// The `file` key of a configuration that may not be valid as a whole, as a STRING key parses
/// it (trimmed); `None` if absent or blank. Used where Apache looks at `file` alone.
pub(crate) fn configured_file(props: &Props) -> Option<String> {
    let raw = props.get(FILE_CONFIG)?;
    let parsed = ConfigDef::parse_type(FILE_CONFIG, raw, ConfigType::String).ok()?;
    parsed.as_str().filter(|f| !f.is_empty()).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use connect_api::config::Importance;

    use super::*;

    fn props(entries: &[(&str, &str)]) -> Props {
        entries
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn source_error(entries: &[(&str, &str)]) -> String {
        FileStreamSourceConfig::parse(&props(entries))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn source_defaults() {
        let config = FileStreamSourceConfig::parse(&props(&[("topic", "t")])).unwrap();
        assert_eq!(config.file, None);
        assert_eq!(config.topic, "t");
        assert_eq!(config.batch_size, 2000);
        assert_eq!(config.input_name(), "standard input");
    }

    #[test]
    fn source_values_are_trimmed() {
        let config = FileStreamSourceConfig::parse(&props(&[
            ("file", " /tmp/in.txt "),
            ("topic", " t "),
            ("batch.size", " 7 "),
        ]))
        .unwrap();
        assert_eq!(config.file.as_deref(), Some("/tmp/in.txt"));
        assert_eq!(config.topic, "t");
        assert_eq!(config.batch_size, 7);
    }

    #[test]
    fn source_errors_match_apache() {
        assert_eq!(
            source_error(&[("file", "f")]),
            "Missing required configuration \"topic\" which has no default value."
        );
        assert_eq!(
            source_error(&[("topic", "   ")]),
            "Invalid value  for configuration topic: String must be non-empty"
        );
        assert_eq!(
            source_error(&[("topic", "t"), ("batch.size", "abcd")]),
            "Invalid value abcd for configuration batch.size: Not a number of type INT"
        );
    }

    #[test]
    fn blank_file_means_the_standard_streams() {
        let source = FileStreamSourceConfig::parse(&props(&[("topic", "t"), ("file", " ")]));
        assert_eq!(source.unwrap().file, None);
        let sink = FileStreamSinkConfig::parse(&props(&[("file", "")])).unwrap();
        assert_eq!(sink.file, None);
        assert_eq!(sink.output_name(), "standard output");
        assert_eq!(configured_file(&props(&[("file", " \t")])), None);
        assert_eq!(
            configured_file(&props(&[("file", " a ")])).as_deref(),
            Some("a")
        );
    }

    #[test]
    fn definitions_list_apaches_keys() {
        let source = FileStreamSourceConfig::config_def();
        assert_eq!(
            source.names().collect::<Vec<_>>(),
            [FILE_CONFIG, TOPIC_CONFIG, TASK_BATCH_SIZE_CONFIG]
        );
        assert!(source.config_key("topic").unwrap().is_required());
        assert_eq!(
            source
                .config_key("batch.size")
                .unwrap()
                .to_info()
                .default_value
                .as_deref(),
            Some("2000")
        );
        let sink = FileStreamSinkConfig::config_def();
        assert_eq!(sink.names().collect::<Vec<_>>(), ["file"]);
        let file = sink.config_key("file").unwrap();
        assert!(!file.is_required());
        assert_eq!(file.config_type, ConfigType::String);
        assert_eq!(
            file.documentation.as_deref(),
            Some("Destination filename. If not specified, the standard output will be used")
        );
        let importance = |key: &str| source.config_key(key).unwrap().importance;
        assert_eq!(importance("file"), Importance::High);
        assert_eq!(importance("topic"), Importance::High);
        assert_eq!(importance("batch.size"), Importance::Low);
        assert_eq!(
            source.config_key("batch.size").unwrap().config_type,
            ConfigType::Int
        );
    }
}
