//! The keys every connector configuration has (Apache's `ConnectorConfig`,
//! `SinkConnectorConfig`, `SourceConnectorConfig`).

use std::collections::HashMap;

use connect_api::config::ConfigError;
use regex::Regex;

/// `name`.
pub const NAME_CONFIG: &str = "name";
/// `connector.class`.
pub const CONNECTOR_CLASS_CONFIG: &str = "connector.class";
/// `tasks.max`.
pub const TASKS_MAX_CONFIG: &str = "tasks.max";
pub use connect_api::transforms::chain::{PREDICATES_CONFIG, TRANSFORMS_CONFIG};
/// `errors.tolerance`.
pub const ERRORS_TOLERANCE_CONFIG: &str = "errors.tolerance";
/// `errors.log.enable`.
pub const ERRORS_LOG_ENABLE_CONFIG: &str = "errors.log.enable";
/// `errors.retry.timeout`.
pub const ERRORS_RETRY_TIMEOUT_CONFIG: &str = "errors.retry.timeout";
/// `topics`.
pub const TOPICS_CONFIG: &str = "topics";
/// `topics.regex`.
pub const TOPICS_REGEX_CONFIG: &str = "topics.regex";
/// The key the worker adds to each task config.
pub const TASK_CLASS_CONFIG: &str = "task.class";
/// `config.action.reload`: `restart` (default) or `none`.
pub const CONFIG_ACTION_RELOAD_CONFIG: &str = "config.action.reload";

/// What to do with a record that a converter or transformation cannot handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToleranceType {
    /// Fail the task (`none`, the default).
    None,
    /// Skip the record, reporting it (`all`).
    All,
}

/// The parsed common connector keys.
#[derive(Debug, Clone)]
pub struct ConnectorConfig {
    /// `name`.
    pub name: String,
    /// `connector.class` as given.
    pub connector_class: String,
    /// `tasks.max`.
    pub tasks_max: usize,
    /// `errors.tolerance`.
    pub tolerance: ToleranceType,
    /// `errors.log.enable`.
    pub errors_log_enable: bool,
    /// `errors.retry.timeout` in ms (0 = no retry, -1 = forever).
    pub errors_retry_timeout_ms: i64,
    /// Every property as given.
    pub originals: HashMap<String, String>,
}

fn get<'a>(props: &'a HashMap<String, String>, key: &str) -> Option<&'a str> {
    props.get(key).map(|s| s.trim())
}

pub use connect_api::config::parse_list;

impl ConnectorConfig {
    /// Parses and checks the common keys; every problem is reported, each naming its key.
    pub fn parse(props: &HashMap<String, String>) -> Result<ConnectorConfig, Vec<ConfigError>> {
        let mut errors = Vec::new();
        let name = match get(props, NAME_CONFIG) {
            None => {
                errors.push(ConfigError::missing(NAME_CONFIG));
                String::new()
            }
            Some("") => {
                errors.push(ConfigError::invalid(
                    NAME_CONFIG,
                    Some(""),
                    "String must be non-empty",
                ));
                String::new()
            }
            Some(n) if n.chars().any(char::is_control) => {
                errors.push(ConfigError::invalid(
                    NAME_CONFIG,
                    Some(n),
                    "String may not contain control sequences but had the following ASCII control characters: ",
                ));
                n.to_owned()
            }
            Some(n) => n.to_owned(),
        };
        let connector_class = match get(props, CONNECTOR_CLASS_CONFIG) {
            Some(c) if !c.is_empty() => c.to_owned(),
            _ => {
                errors.push(ConfigError::missing(CONNECTOR_CLASS_CONFIG));
                String::new()
            }
        };
        let tasks_max = match get(props, TASKS_MAX_CONFIG) {
            None => 1,
            Some(v) => match v.parse::<i32>() {
                Ok(n) if n >= 1 => n as usize,
                Ok(_) => {
                    errors.push(ConfigError::invalid(
                        TASKS_MAX_CONFIG,
                        Some(v),
                        "Value must be at least 1",
                    ));
                    1
                }
                Err(_) => {
                    errors.push(ConfigError::invalid(
                        TASKS_MAX_CONFIG,
                        Some(v),
                        "Not a number of type INT",
                    ));
                    1
                }
            },
        };
        let tolerance = match get(props, ERRORS_TOLERANCE_CONFIG)
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("none") => ToleranceType::None,
            Some("all") => ToleranceType::All,
            Some(_) => {
                errors.push(ConfigError::invalid(
                    ERRORS_TOLERANCE_CONFIG,
                    get(props, ERRORS_TOLERANCE_CONFIG),
                    "String must be one of (case insensitive): NONE, ALL",
                ));
                ToleranceType::None
            }
        };
        let errors_log_enable = match get(props, ERRORS_LOG_ENABLE_CONFIG) {
            None => false,
            Some(v) if v.eq_ignore_ascii_case("true") => true,
            Some(v) if v.eq_ignore_ascii_case("false") => false,
            Some(v) => {
                errors.push(ConfigError::invalid(
                    ERRORS_LOG_ENABLE_CONFIG,
                    Some(v),
                    "Expected value to be either true or false",
                ));
                false
            }
        };
        let errors_retry_timeout_ms = match get(props, ERRORS_RETRY_TIMEOUT_CONFIG) {
            None => 0,
            Some(v) => v.parse::<i64>().unwrap_or_else(|_| {
                errors.push(ConfigError::invalid(
                    ERRORS_RETRY_TIMEOUT_CONFIG,
                    Some(v),
                    "Not a number of type LONG",
                ));
                0
            }),
        };
        for key in [TRANSFORMS_CONFIG, PREDICATES_CONFIG] {
            if let Some(v) = get(props, key) {
                let aliases = parse_list(v);
                let mut seen = std::collections::HashSet::new();
                if aliases.iter().any(|a| !seen.insert(a)) {
                    errors.push(ConfigError::invalid(
                        key,
                        Some(&format!("[{}]", aliases.join(", "))),
                        "Duplicate alias provided.",
                    ));
                }
            }
        }
        if errors.is_empty() {
            Ok(ConnectorConfig {
                name,
                connector_class,
                tasks_max,
                tolerance,
                errors_log_enable,
                errors_retry_timeout_ms,
                originals: props.clone(),
            })
        } else {
            Err(errors)
        }
    }
}

/// The topics a sink consumes.
#[derive(Debug, Clone)]
pub enum SinkTopics {
    /// `topics`: a list.
    List(Vec<String>),
    /// `topics.regex`: a pattern.
    Regex(String),
}

/// Checks the sink keys `topics` / `topics.regex` with Apache's messages (errors are
/// attached to both keys in the validate endpoint).
pub fn sink_topics(props: &HashMap<String, String>) -> Result<SinkTopics, ConfigError> {
    let topics = get(props, TOPICS_CONFIG).filter(|s| !s.is_empty());
    let regex = get(props, TOPICS_REGEX_CONFIG).filter(|s| !s.is_empty());
    match (topics, regex) {
        (Some(_), Some(_)) => Err(ConfigError::other(
            Some(TOPICS_CONFIG),
            "topics and topics.regex are mutually exclusive options, but both are set.",
        )),
        (None, None) => Err(ConfigError::other(
            Some(TOPICS_CONFIG),
            "Must configure one of topics or topics.regex",
        )),
        (Some(t), None) => {
            let mut out: Vec<String> = Vec::new();
            for item in parse_list(t) {
                if !item.is_empty() && !out.contains(&item) {
                    out.push(item);
                }
            }
            Ok(SinkTopics::List(out))
        }
        (None, Some(r)) => match Regex::new(r) {
            Ok(_) => Ok(SinkTopics::Regex(r.to_owned())),
            Err(e) => Err(ConfigError::invalid(
                TOPICS_REGEX_CONFIG,
                Some(r),
                format!("Invalid regex: {e}"),
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn common_keys() {
        let c = ConnectorConfig::parse(&props(&[
            ("name", "a"),
            ("connector.class", "FileStreamSource"),
        ]))
        .unwrap();
        assert_eq!(c.tasks_max, 1);
        assert_eq!(c.tolerance, ToleranceType::None);
        let errs = ConnectorConfig::parse(&props(&[("tasks.max", "0")])).unwrap_err();
        let msgs: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert!(msgs.contains(
            &"Missing required configuration \"name\" which has no default value.".to_owned()
        ));
        assert!(msgs.contains(
            &"Missing required configuration \"connector.class\" which has no default value."
                .to_owned()
        ));
        assert!(msgs.contains(
            &"Invalid value 0 for configuration tasks.max: Value must be at least 1".to_owned()
        ));
        let errs = ConnectorConfig::parse(&props(&[
            ("name", "a"),
            ("connector.class", "x"),
            ("transforms", "a, b,a"),
        ]))
        .unwrap_err();
        assert_eq!(
            errs[0].to_string(),
            "Invalid value [a, b, a] for configuration transforms: Duplicate alias provided."
        );
    }

    #[test]
    fn sink_topic_rules() {
        assert!(
            matches!(sink_topics(&props(&[("topics", "a, b,,a")])).unwrap(), SinkTopics::List(t) if t == ["a", "b"])
        );
        assert_eq!(
            sink_topics(&props(&[])).unwrap_err().to_string(),
            "Must configure one of topics or topics.regex"
        );
        assert_eq!(
            sink_topics(&props(&[("topics", "a"), ("topics.regex", "b.*")]))
                .unwrap_err()
                .to_string(),
            "topics and topics.regex are mutually exclusive options, but both are set."
        );
    }
}
