//! Worker configuration (Apache's `WorkerConfig` / `StandaloneConfig`): the keys, their
//! defaults, and typed access.

use std::collections::HashMap;

use connect_api::config::ConfigError;

/// `bootstrap.servers`.
pub const BOOTSTRAP_SERVERS_CONFIG: &str = "bootstrap.servers";
/// `key.converter`.
pub const KEY_CONVERTER_CLASS_CONFIG: &str = "key.converter";
/// `value.converter`.
pub const VALUE_CONVERTER_CLASS_CONFIG: &str = "value.converter";
/// `header.converter`.
pub const HEADER_CONVERTER_CLASS_CONFIG: &str = "header.converter";
/// The default header converter.
pub const HEADER_CONVERTER_CLASS_DEFAULT: &str =
    "org.apache.kafka.connect.storage.SimpleHeaderConverter";
/// `offset.flush.interval.ms`.
pub const OFFSET_COMMIT_INTERVAL_MS_CONFIG: &str = "offset.flush.interval.ms";
/// `offset.flush.timeout.ms`.
pub const OFFSET_COMMIT_TIMEOUT_MS_CONFIG: &str = "offset.flush.timeout.ms";
/// `task.shutdown.graceful.timeout.ms`.
pub const TASK_SHUTDOWN_GRACEFUL_TIMEOUT_MS_CONFIG: &str = "task.shutdown.graceful.timeout.ms";
/// `offset.storage.file.filename` (standalone).
pub const OFFSET_STORAGE_FILE_FILENAME_CONFIG: &str = "offset.storage.file.filename";
/// `listeners`.
pub const LISTENERS_CONFIG: &str = "listeners";
/// `rest.advertised.host.name`.
pub const REST_ADVERTISED_HOST_NAME_CONFIG: &str = "rest.advertised.host.name";
/// `rest.advertised.port`.
pub const REST_ADVERTISED_PORT_CONFIG: &str = "rest.advertised.port";
/// `plugin.path`.
pub const PLUGIN_PATH_CONFIG: &str = "plugin.path";
/// `topic.creation.enable`.
pub const TOPIC_CREATION_ENABLE_CONFIG: &str = "topic.creation.enable";
/// `connector.client.config.override.policy`.
pub const CONNECTOR_CLIENT_POLICY_CLASS_CONFIG: &str = "connector.client.config.override.policy";

/// Every key a standalone worker understands; others are kept as originals and logged.
const KNOWN_KEYS: &[&str] = &[
    BOOTSTRAP_SERVERS_CONFIG,
    "client.dns.lookup",
    KEY_CONVERTER_CLASS_CONFIG,
    VALUE_CONVERTER_CLASS_CONFIG,
    HEADER_CONVERTER_CLASS_CONFIG,
    OFFSET_COMMIT_INTERVAL_MS_CONFIG,
    OFFSET_COMMIT_TIMEOUT_MS_CONFIG,
    TASK_SHUTDOWN_GRACEFUL_TIMEOUT_MS_CONFIG,
    OFFSET_STORAGE_FILE_FILENAME_CONFIG,
    LISTENERS_CONFIG,
    REST_ADVERTISED_HOST_NAME_CONFIG,
    REST_ADVERTISED_PORT_CONFIG,
    "rest.advertised.listener",
    "admin.listeners",
    PLUGIN_PATH_CONFIG,
    "plugin.discovery",
    "config.providers",
    CONNECTOR_CLIENT_POLICY_CLASS_CONFIG,
    TOPIC_CREATION_ENABLE_CONFIG,
    "topic.tracking.enable",
    "topic.tracking.allow.reset",
    "metrics.sample.window.ms",
    "metrics.num.samples",
    "metrics.recording.level",
    "metric.reporters",
    "access.control.allow.origin",
    "access.control.allow.methods",
    "response.http.headers.config",
    "rest.extension.classes",
    super::rest_security::BASIC_AUTH_JAAS_CONFIG,
    crate::logging::LOG_FORMAT_CONFIG,
    super::auto_restart::AUTO_RESTART_ENABLE_CONFIG,
    super::auto_restart::AUTO_RESTART_MAX_ATTEMPTS_CONFIG,
    super::auto_restart::AUTO_RESTART_BACKOFF_INITIAL_MS_CONFIG,
    super::auto_restart::AUTO_RESTART_BACKOFF_MAX_MS_CONFIG,
];

/// Prefixes whose keys are passed on (to converters, clients, config providers) rather than
/// read by the worker itself.
const PASS_THROUGH_PREFIXES: &[&str] = &[
    "key.converter.",
    "value.converter.",
    "header.converter.",
    "producer.",
    "consumer.",
    "admin.",
    "config.providers.",
    "listeners.https.",
    "metrics.context.",
    "ssl.",
    "sasl.",
    "security.",
    "internal.",
];

/// The override policy for per-connector client configs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientOverridePolicy {
    /// Every `producer.override.*` etc. is allowed (Apache's default, `All`).
    All,
    /// No override is allowed.
    None,
    /// Only `sasl.jaas.config`, `sasl.mechanism` and `security.protocol`.
    Principal,
}

/// A parsed standalone worker configuration.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Every property as given (unknown keys included), `${provider:…}` references resolved.
    pub originals: HashMap<String, String>,
    /// The `config.providers` that resolve references in this and connector configurations.
    pub providers: std::sync::Arc<super::ConfigProviders>,
    /// `bootstrap.servers`, comma-joined.
    pub bootstrap_servers: String,
    /// `key.converter`.
    pub key_converter: String,
    /// `value.converter`.
    pub value_converter: String,
    /// `header.converter`.
    pub header_converter: String,
    /// `offset.flush.interval.ms`.
    pub offset_flush_interval_ms: u64,
    /// `offset.flush.timeout.ms`.
    pub offset_flush_timeout_ms: u64,
    /// `task.shutdown.graceful.timeout.ms`.
    pub task_shutdown_graceful_timeout_ms: u64,
    /// `offset.storage.file.filename`; `None` keeps offsets in memory (tests only).
    pub offset_storage_file: Option<String>,
    /// `listeners`.
    pub listeners: Vec<String>,
    /// HTTPS, admin listeners, CORS, response headers and basic authentication.
    pub rest_security: super::RestSecurity,
    /// `log.format`, when set (else `CONNECT_LOG_FORMAT`, else text).
    pub log_format: Option<crate::logging::LogFormat>,
    /// `rest.advertised.host.name`.
    pub rest_advertised_host_name: Option<String>,
    /// `rest.advertised.port`.
    pub rest_advertised_port: Option<u16>,
    /// `plugin.path`.
    pub plugin_path: Vec<String>,
    /// `topic.creation.enable`.
    pub topic_creation_enable: bool,
    /// `connector.client.config.override.policy`.
    pub override_policy: ClientOverridePolicy,
    /// `auto.restart.*`: how FAILED connectors and tasks are restarted.
    pub auto_restart: super::AutoRestartPolicy,
}

pub(crate) fn get<'a>(props: &'a HashMap<String, String>, key: &str) -> Option<&'a str> {
    props.get(key).map(|v| v.trim())
}

fn list(value: &str) -> Vec<String> {
    if value.trim().is_empty() {
        return Vec::new();
    }
    value.split(',').map(|s| s.trim().to_owned()).collect()
}

pub(crate) fn required(props: &HashMap<String, String>, key: &str) -> Result<String, ConfigError> {
    match get(props, key) {
        Some(v) => Ok(v.to_owned()),
        None => Err(ConfigError::missing(key)),
    }
}

pub(crate) fn long(
    props: &HashMap<String, String>,
    key: &str,
    default: u64,
) -> Result<u64, ConfigError> {
    match get(props, key) {
        None => Ok(default),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .and_then(|n| u64::try_from(n).ok())
            .ok_or_else(|| ConfigError::invalid(key, Some(v), "Not a number of type LONG")),
    }
}

pub(crate) fn boolean(
    props: &HashMap<String, String>,
    key: &str,
    default: bool,
) -> Result<bool, ConfigError> {
    match get(props, key) {
        None => Ok(default),
        Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
        Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
        Some(v) => Err(ConfigError::invalid(
            key,
            Some(v),
            "Expected value to be either true or false",
        )),
    }
}

impl WorkerConfig {
    /// Parses worker properties with Apache's defaults; `standalone` requires
    /// `offset.storage.file.filename`.
    pub fn parse(
        props: HashMap<String, String>,
        standalone: bool,
    ) -> Result<WorkerConfig, ConfigError> {
        // References are resolved before anything is read, as Apache's `AbstractConfig` does
        // with the providers the same file configures.
        let providers = super::ConfigProviders::from_worker_props(&props).map_err(|e| match e {
            connect_api::errors::ConnectError::Config(c) => c,
            other => ConfigError::invalid(
                super::config_transformer::CONFIG_PROVIDERS_CONFIG,
                props
                    .get(super::config_transformer::CONFIG_PROVIDERS_CONFIG)
                    .map(String::as_str),
                other.to_string(),
            ),
        })?;
        let props = providers.transform(&props).map_err(|e| {
            ConfigError::invalid(
                super::config_transformer::CONFIG_PROVIDERS_CONFIG,
                props
                    .get(super::config_transformer::CONFIG_PROVIDERS_CONFIG)
                    .map(String::as_str),
                e.to_string(),
            )
        })?;
        for key in props.keys() {
            let distributed = !standalone
                && (super::distributed_config::KEYS.contains(&key.as_str())
                    || super::distributed_config::PREFIXES
                        .iter()
                        .any(|p| key.starts_with(p)));
            if !distributed
                && !KNOWN_KEYS.contains(&key.as_str())
                && !PASS_THROUGH_PREFIXES.iter().any(|p| key.starts_with(p))
            {
                tracing::info!("The configuration '{key}' was supplied but isn't a known config.");
            }
        }
        let override_policy = match get(&props, CONNECTOR_CLIENT_POLICY_CLASS_CONFIG).unwrap_or("All") {
            "All" | "org.apache.kafka.connect.connector.policy.AllConnectorClientConfigOverridePolicy" => ClientOverridePolicy::All,
            "None" | "org.apache.kafka.connect.connector.policy.NoneConnectorClientConfigOverridePolicy" => ClientOverridePolicy::None,
            "Principal" | "org.apache.kafka.connect.connector.policy.PrincipalConnectorClientConfigOverridePolicy" => ClientOverridePolicy::Principal,
            other => {
                return Err(ConfigError::invalid(
                    CONNECTOR_CLIENT_POLICY_CLASS_CONFIG,
                    Some(other),
                    "Class could not be found.",
                ))
            }
        };
        // Read in Apache's definition order, so the first missing key reported is the same.
        let key_converter = required(&props, KEY_CONVERTER_CLASS_CONFIG)?;
        let value_converter = required(&props, VALUE_CONVERTER_CLASS_CONFIG)?;
        let offset_storage_file = if standalone {
            Some(required(&props, OFFSET_STORAGE_FILE_FILENAME_CONFIG)?)
        } else {
            get(&props, OFFSET_STORAGE_FILE_FILENAME_CONFIG).map(str::to_owned)
        };
        let rest_advertised_port = match get(&props, REST_ADVERTISED_PORT_CONFIG) {
            None => None,
            Some(v) => Some(v.parse::<u16>().map_err(|_| {
                ConfigError::invalid(
                    REST_ADVERTISED_PORT_CONFIG,
                    Some(v),
                    "Not a number of type INT",
                )
            })?),
        };
        let log_format = get(&props, crate::logging::LOG_FORMAT_CONFIG)
            .map(|v| {
                crate::logging::LogFormat::parse(v).map_err(|_| {
                    ConfigError::invalid(
                        crate::logging::LOG_FORMAT_CONFIG,
                        Some(v),
                        "String must be one of: text, json",
                    )
                })
            })
            .transpose()?;
        let listeners = list(get(&props, LISTENERS_CONFIG).unwrap_or("http://:8083"));
        let rest_security = super::RestSecurity::parse(&props, &listeners)?;
        Ok(WorkerConfig {
            bootstrap_servers: list(
                get(&props, BOOTSTRAP_SERVERS_CONFIG).unwrap_or("localhost:9092"),
            )
            .join(","),
            key_converter,
            value_converter,
            header_converter: get(&props, HEADER_CONVERTER_CLASS_CONFIG)
                .unwrap_or(HEADER_CONVERTER_CLASS_DEFAULT)
                .to_owned(),
            offset_flush_interval_ms: long(&props, OFFSET_COMMIT_INTERVAL_MS_CONFIG, 60_000)?,
            offset_flush_timeout_ms: long(&props, OFFSET_COMMIT_TIMEOUT_MS_CONFIG, 5_000)?,
            task_shutdown_graceful_timeout_ms: long(
                &props,
                TASK_SHUTDOWN_GRACEFUL_TIMEOUT_MS_CONFIG,
                5_000,
            )?,
            offset_storage_file,
            listeners,
            rest_security,
            log_format,
            rest_advertised_host_name: get(&props, REST_ADVERTISED_HOST_NAME_CONFIG)
                .map(str::to_owned),
            rest_advertised_port,
            plugin_path: get(&props, PLUGIN_PATH_CONFIG)
                .map(list)
                .unwrap_or_default(),
            topic_creation_enable: boolean(&props, TOPIC_CREATION_ENABLE_CONFIG, true)?,
            override_policy,
            auto_restart: super::AutoRestartPolicy::parse(&props)?,
            originals: props,
            providers: std::sync::Arc::new(providers),
        })
    }

    /// The originals under `prefix`, with the prefix stripped.
    pub fn originals_with_prefix(&self, prefix: &str) -> HashMap<String, String> {
        with_prefix(&self.originals, prefix)
    }
}

pub use connect_api::config::with_prefix;

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
    fn defaults() {
        let c = WorkerConfig::parse(
            props(&[
                (
                    "key.converter",
                    "org.apache.kafka.connect.json.JsonConverter",
                ),
                (
                    "value.converter",
                    "org.apache.kafka.connect.json.JsonConverter",
                ),
                ("offset.storage.file.filename", "/tmp/connect.offsets"),
            ]),
            true,
        )
        .unwrap();
        assert_eq!(c.bootstrap_servers, "localhost:9092");
        assert_eq!(c.offset_flush_interval_ms, 60_000);
        assert_eq!(c.listeners, vec!["http://:8083"]);
        assert_eq!(c.header_converter, HEADER_CONVERTER_CLASS_DEFAULT);
        assert!(c.topic_creation_enable);
    }

    #[test]
    fn errors_name_the_key() {
        let err = WorkerConfig::parse(props(&[("value.converter", "x")]), true).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Missing required configuration \"key.converter\" which has no default value."
        );
        let err = WorkerConfig::parse(
            props(&[
                ("key.converter", "x"),
                ("value.converter", "x"),
                ("offset.storage.file.filename", "f"),
                ("offset.flush.interval.ms", "soon"),
            ]),
            true,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid value soon for configuration offset.flush.interval.ms: Not a number of type LONG"
        );
    }
}
