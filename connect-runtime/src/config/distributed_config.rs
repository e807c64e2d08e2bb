//! Distributed worker configuration (Apache's `DistributedConfig`): the group, the internal
//! topics and the membership timings, on top of the common worker keys.

use std::collections::HashMap;
use std::time::Duration;

use connect_api::config::ConfigError;

use super::worker_config::{get, long, required, WorkerConfig};

/// `group.id`.
pub const GROUP_ID_CONFIG: &str = "group.id";
/// `config.storage.topic`.
pub const CONFIG_TOPIC_CONFIG: &str = "config.storage.topic";
/// `offset.storage.topic`.
pub const OFFSET_TOPIC_CONFIG: &str = "offset.storage.topic";
/// `status.storage.topic`.
pub const STATUS_TOPIC_CONFIG: &str = "status.storage.topic";
/// `scheduled.rebalance.max.delay.ms`.
pub const SCHEDULED_REBALANCE_MAX_DELAY_MS_CONFIG: &str = "scheduled.rebalance.max.delay.ms";
/// `connect.protocol`.
pub const CONNECT_PROTOCOL_CONFIG: &str = "connect.protocol";
/// `exactly.once.source.support`.
pub const EXACTLY_ONCE_SOURCE_SUPPORT_CONFIG: &str = "exactly.once.source.support";

/// How long a departed worker's connectors and tasks wait for it when
/// `scheduled.rebalance.max.delay.ms` is not set. Apache waits five minutes; a dead worker's
/// work here runs again within about 25 s (session timeout, this delay, two rounds).
pub const DEFAULT_LOST_WORK_DELAY: Duration = Duration::from_secs(10);

/// The keys only a distributed worker reads.
pub(crate) const KEYS: &[&str] = &[
    GROUP_ID_CONFIG,
    CONFIG_TOPIC_CONFIG,
    "config.storage.replication.factor",
    OFFSET_TOPIC_CONFIG,
    "offset.storage.partitions",
    "offset.storage.replication.factor",
    STATUS_TOPIC_CONFIG,
    "status.storage.partitions",
    "status.storage.replication.factor",
    "session.timeout.ms",
    "heartbeat.interval.ms",
    "rebalance.timeout.ms",
    "worker.sync.timeout.ms",
    "worker.unsync.backoff.ms",
    SCHEDULED_REBALANCE_MAX_DELAY_MS_CONFIG,
    CONNECT_PROTOCOL_CONFIG,
    "inter.worker.key.generation.algorithm",
    "inter.worker.key.size",
    "inter.worker.key.ttl.ms",
    "inter.worker.signature.algorithm",
    "inter.worker.verification.algorithms",
    EXACTLY_ONCE_SOURCE_SUPPORT_CONFIG,
    "client.id",
    "request.timeout.ms",
    "metadata.max.age.ms",
    "connections.max.idle.ms",
    "reconnect.backoff.ms",
    "reconnect.backoff.max.ms",
    "retry.backoff.ms",
    "receive.buffer.bytes",
    "send.buffer.bytes",
];

/// Prefixes of per-topic settings for the internal topics.
pub(crate) const PREFIXES: &[&str] = &["config.storage.", "offset.storage.", "status.storage."];

/// The group protocol a worker offers (`connect.protocol`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectProtocol {
    /// `eager`: stop-the-world rebalances.
    Eager,
    /// `compatible`: incremental cooperative rebalances.
    Compatible,
    /// `sessioned`: cooperative, with signed inter-worker requests (the default).
    Sessioned,
}

impl ConnectProtocol {
    /// The configuration value.
    pub fn name(self) -> &'static str {
        match self {
            ConnectProtocol::Eager => "eager",
            ConnectProtocol::Compatible => "compatible",
            ConnectProtocol::Sessioned => "sessioned",
        }
    }
}

/// A parsed distributed worker configuration.
#[derive(Debug, Clone)]
pub struct DistributedConfig {
    /// The keys every worker has.
    pub worker: WorkerConfig,
    /// `group.id`.
    pub group_id: String,
    /// `config.storage.topic`.
    pub config_topic: String,
    /// `config.storage.replication.factor`.
    pub config_replication_factor: i32,
    /// `offset.storage.topic`.
    pub offset_topic: String,
    /// `offset.storage.partitions`.
    pub offset_partitions: i32,
    /// `offset.storage.replication.factor`.
    pub offset_replication_factor: i32,
    /// `status.storage.topic`.
    pub status_topic: String,
    /// `status.storage.partitions`.
    pub status_partitions: i32,
    /// `status.storage.replication.factor`.
    pub status_replication_factor: i32,
    /// `session.timeout.ms`.
    pub session_timeout: Duration,
    /// `heartbeat.interval.ms`.
    pub heartbeat_interval: Duration,
    /// `rebalance.timeout.ms`.
    pub rebalance_timeout: Duration,
    /// `worker.sync.timeout.ms`.
    pub worker_sync_timeout: Duration,
    /// `worker.unsync.backoff.ms`: how long a worker that could not read the config topic
    /// to the leader's offset stays out of the group.
    pub worker_unsync_backoff: Duration,
    /// How long a departed worker's work waits for it: `scheduled.rebalance.max.delay.ms`
    /// when set, else [`DEFAULT_LOST_WORK_DELAY`].
    pub lost_work_delay: Duration,
    /// `connect.protocol`.
    pub protocol: ConnectProtocol,
    /// `inter.worker.key.ttl.ms`.
    pub key_ttl: Duration,
    /// `client.id` (empty: `connect-<worker id>`).
    pub client_id: String,
    /// `request.timeout.ms`.
    pub request_timeout: Duration,
}

fn int(
    props: &HashMap<String, String>,
    key: &str,
    default: i64,
    min: i64,
) -> Result<i32, ConfigError> {
    match get(props, key) {
        None => Ok(default as i32),
        Some(v) => match v.parse::<i32>() {
            Ok(n) if i64::from(n) >= min => Ok(n),
            Ok(_) => Err(ConfigError::invalid(
                key,
                Some(v),
                format!("Value must be at least {min}"),
            )),
            Err(_) => Err(ConfigError::invalid(
                key,
                Some(v),
                "Not a number of type INT",
            )),
        },
    }
}

/// A replication factor or partition count: positive, or `-1` for the broker's default.
fn topic_setting(
    props: &HashMap<String, String>,
    key: &str,
    default: i64,
) -> Result<i32, ConfigError> {
    let n = int(props, key, default, -1)?;
    if n == 0 {
        return Err(ConfigError::invalid(
            key,
            Some("0"),
            "must be a positive number, or -1 to use the broker's default",
        ));
    }
    Ok(n)
}

fn ms(props: &HashMap<String, String>, key: &str, default: u64) -> Result<Duration, ConfigError> {
    long(props, key, default).map(Duration::from_millis)
}

impl DistributedConfig {
    /// Parses worker properties with Apache's defaults; the group id and the three topics
    /// are required.
    pub fn parse(props: HashMap<String, String>) -> Result<DistributedConfig, ConfigError> {
        // The common keys first: they resolve `${provider:…}` references in the whole file.
        let worker = WorkerConfig::parse(props, false)?;
        let props = worker.originals.clone();
        let group_id = required(&props, GROUP_ID_CONFIG)?;
        let config_topic = required(&props, CONFIG_TOPIC_CONFIG)?;
        let offset_topic = required(&props, OFFSET_TOPIC_CONFIG)?;
        let status_topic = required(&props, STATUS_TOPIC_CONFIG)?;
        let protocol = match get(&props, CONNECT_PROTOCOL_CONFIG)
            .unwrap_or("sessioned")
            .to_ascii_lowercase()
            .as_str()
        {
            "eager" => ConnectProtocol::Eager,
            "compatible" => ConnectProtocol::Compatible,
            "sessioned" => ConnectProtocol::Sessioned,
            other => {
                return Err(ConfigError::invalid(
                    CONNECT_PROTOCOL_CONFIG,
                    Some(other),
                    "String must be one of (case insensitive): EAGER, COMPATIBLE, SESSIONED",
                ))
            }
        };
        match get(&props, EXACTLY_ONCE_SOURCE_SUPPORT_CONFIG)
            .unwrap_or("disabled")
            .to_ascii_lowercase()
            .as_str()
        {
            "disabled" => {}
            other => {
                return Err(ConfigError::invalid(
                    EXACTLY_ONCE_SOURCE_SUPPORT_CONFIG,
                    Some(other),
                    "exactly-once source support is not available in this worker; only 'disabled' is accepted",
                ))
            }
        }
        if props.contains_key("config.storage.partitions") {
            tracing::warn!(
                "config.storage.partitions is ignored: the config topic always has one partition"
            );
        }
        for key in [
            "inter.worker.key.generation.algorithm",
            "inter.worker.signature.algorithm",
        ] {
            if let Some(v) = get(&props, key) {
                if v != "HmacSHA256" {
                    return Err(ConfigError::invalid(
                        key,
                        Some(v),
                        "only HmacSHA256 is available in this worker",
                    ));
                }
            }
        }
        let lost_work_delay = match get(&props, SCHEDULED_REBALANCE_MAX_DELAY_MS_CONFIG) {
            None => DEFAULT_LOST_WORK_DELAY,
            Some(_) => ms(&props, SCHEDULED_REBALANCE_MAX_DELAY_MS_CONFIG, 300_000)?,
        };
        Ok(DistributedConfig {
            group_id,
            config_topic,
            config_replication_factor: topic_setting(
                &props,
                "config.storage.replication.factor",
                3,
            )?,
            offset_topic,
            offset_partitions: topic_setting(&props, "offset.storage.partitions", 25)?,
            offset_replication_factor: topic_setting(
                &props,
                "offset.storage.replication.factor",
                3,
            )?,
            status_topic,
            status_partitions: topic_setting(&props, "status.storage.partitions", 5)?,
            status_replication_factor: topic_setting(
                &props,
                "status.storage.replication.factor",
                3,
            )?,
            session_timeout: ms(&props, "session.timeout.ms", 10_000)?,
            heartbeat_interval: ms(&props, "heartbeat.interval.ms", 3_000)?,
            rebalance_timeout: ms(&props, "rebalance.timeout.ms", 60_000)?,
            worker_sync_timeout: ms(&props, "worker.sync.timeout.ms", 3_000)?,
            worker_unsync_backoff: ms(&props, "worker.unsync.backoff.ms", 300_000)?,
            lost_work_delay,
            protocol,
            key_ttl: ms(&props, "inter.worker.key.ttl.ms", 3_600_000)?,
            client_id: get(&props, "client.id").unwrap_or("").to_owned(),
            request_timeout: ms(&props, "request.timeout.ms", 40_000)?,
            worker,
        })
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

    fn base() -> Vec<(&'static str, &'static str)> {
        vec![
            ("group.id", "connect-cluster"),
            ("config.storage.topic", "connect-configs"),
            ("offset.storage.topic", "connect-offsets"),
            ("status.storage.topic", "connect-status"),
            (
                "key.converter",
                "org.apache.kafka.connect.json.JsonConverter",
            ),
            (
                "value.converter",
                "org.apache.kafka.connect.json.JsonConverter",
            ),
        ]
    }

    #[test]
    fn defaults_are_apaches_except_the_lost_work_delay() {
        let c = DistributedConfig::parse(props(&base())).unwrap();
        assert_eq!(c.offset_partitions, 25);
        assert_eq!(c.status_partitions, 5);
        assert_eq!(c.config_replication_factor, 3);
        assert_eq!(c.session_timeout, Duration::from_secs(10));
        assert_eq!(c.heartbeat_interval, Duration::from_secs(3));
        assert_eq!(c.protocol, ConnectProtocol::Sessioned);
        assert_eq!(c.lost_work_delay, DEFAULT_LOST_WORK_DELAY);
        assert_eq!(c.worker_sync_timeout, Duration::from_secs(3));
        assert_eq!(c.worker_unsync_backoff, Duration::from_secs(300));
        let mut p = base();
        p.push(("worker.unsync.backoff.ms", "2000"));
        p.push(("scheduled.rebalance.max.delay.ms", "300000"));
        p.push(("connect.protocol", "COMPATIBLE"));
        let c = DistributedConfig::parse(props(&p)).unwrap();
        assert_eq!(c.lost_work_delay, Duration::from_secs(300));
        assert_eq!(c.protocol, ConnectProtocol::Compatible);
        assert_eq!(c.worker_unsync_backoff, Duration::from_secs(2));
    }

    #[test]
    fn errors_name_the_key() {
        let mut p = base();
        p.retain(|(k, _)| *k != "status.storage.topic");
        assert_eq!(
            DistributedConfig::parse(props(&p)).unwrap_err().to_string(),
            "Missing required configuration \"status.storage.topic\" which has no default value."
        );
        let mut p = base();
        p.push(("connect.protocol", "fast"));
        assert!(DistributedConfig::parse(props(&p))
            .unwrap_err()
            .to_string()
            .contains("connect.protocol"));
        let mut p = base();
        p.push(("offset.storage.replication.factor", "0"));
        assert!(DistributedConfig::parse(props(&p))
            .unwrap_err()
            .to_string()
            .contains("offset.storage.replication.factor"));
    }
}
