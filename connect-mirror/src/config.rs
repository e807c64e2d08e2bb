//! The connectors' configuration keys (Apache's `MirrorConnectorConfig`, `MirrorSourceConfig`
//! and `MirrorHeartbeatConfig`, for the keys these connectors act on) and the Kafka client
//! settings derived from them.

use std::time::Duration;

use connect_api::config::{
    ConfigDef, ConfigKey, ConfigType, Importance, ParsedConfig, ValidString,
};
use connect_api::connector::Props;
use connect_api::errors::{ConnectError, Result};

use crate::filter::TopicFilter;
use crate::policy::{
    ReplicationPolicy, DEFAULT_POLICY, INTERNAL_SEPARATOR_ENABLED_CONFIG, POLICY_CLASS_CONFIG,
    SEPARATOR_CONFIG,
};

/// `source.cluster.alias`.
pub const SOURCE_ALIAS_CONFIG: &str = "source.cluster.alias";
/// `target.cluster.alias`.
pub const TARGET_ALIAS_CONFIG: &str = "target.cluster.alias";
/// `topics`.
pub const TOPICS_CONFIG: &str = "topics";
/// `topics.exclude`.
pub const TOPICS_EXCLUDE_CONFIG: &str = "topics.exclude";
/// `config.properties.exclude`.
pub const CONFIG_PROPERTIES_EXCLUDE_CONFIG: &str = "config.properties.exclude";
/// `replication.factor`.
pub const REPLICATION_FACTOR_CONFIG: &str = "replication.factor";
/// `offset-syncs.topic.replication.factor`.
pub const OFFSET_SYNCS_RF_CONFIG: &str = "offset-syncs.topic.replication.factor";
/// `offset-syncs.topic.location`.
pub const OFFSET_SYNCS_LOCATION_CONFIG: &str = "offset-syncs.topic.location";
/// `emit.offset-syncs.enabled`.
pub const EMIT_OFFSET_SYNCS_CONFIG: &str = "emit.offset-syncs.enabled";
/// `offset.lag.max`.
pub const OFFSET_LAG_MAX_CONFIG: &str = "offset.lag.max";
/// `refresh.topics.enabled`.
pub const REFRESH_TOPICS_ENABLED_CONFIG: &str = "refresh.topics.enabled";
/// `refresh.topics.interval.seconds`.
pub const REFRESH_TOPICS_INTERVAL_CONFIG: &str = "refresh.topics.interval.seconds";
/// `consumer.poll.timeout.ms`.
pub const POLL_TIMEOUT_CONFIG: &str = "consumer.poll.timeout.ms";
/// `heartbeats.replication.enabled`.
pub const HEARTBEATS_REPLICATION_CONFIG: &str = "heartbeats.replication.enabled";
/// `emit.heartbeats.enabled`.
pub const EMIT_HEARTBEATS_CONFIG: &str = "emit.heartbeats.enabled";
/// `emit.heartbeats.interval.seconds`.
pub const HEARTBEATS_INTERVAL_CONFIG: &str = "emit.heartbeats.interval.seconds";
/// `heartbeats.topic.replication.factor`.
pub const HEARTBEATS_RF_CONFIG: &str = "heartbeats.topic.replication.factor";
/// `enabled`.
pub const ENABLED_CONFIG: &str = "enabled";
/// A task's partitions, `topic-partition` joined by commas (internal).
pub const TASK_PARTITIONS_CONFIG: &str = "task.assigned.partitions";
/// A task's number (internal).
pub const TASK_INDEX_CONFIG: &str = "task.index";

/// The default of `topics.exclude`, Apache's.
pub const TOPICS_EXCLUDE_DEFAULT: &str = ".*[\\-\\.]internal, .*\\.replica, __.*";
/// The default of `config.properties.exclude`, Apache's.
pub const CONFIG_PROPERTIES_EXCLUDE_DEFAULT: &str = "follower\\.replication\\.throttled\\.replicas, leader\\.replication\\.throttled\\.replicas, message\\.timestamp\\.difference\\.max\\.ms, message\\.timestamp\\.type, unclean\\.leader\\.election\\.enable, min\\.insync\\.replicas";
/// Our default topic refresh interval: 5 s, where Apache's is 10 minutes.
pub const REFRESH_INTERVAL_DEFAULT_SECONDS: i64 = 5;

fn list(default: &str) -> Vec<String> {
    default
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The keys every MirrorMaker connector shares.
fn common_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(ENABLED_CONFIG, ConfigType::Boolean)
                .default_value(true)
                .importance(Importance::Low)
                .doc("Whether to replicate source->target."),
        )
        .define(
            ConfigKey::new(SOURCE_ALIAS_CONFIG, ConfigType::String)
                .default_value("source")
                .importance(Importance::High)
                .doc("Alias of source cluster"),
        )
        .define(
            ConfigKey::new(TARGET_ALIAS_CONFIG, ConfigType::String)
                .default_value("target")
                .importance(Importance::Low)
                .doc("Alias of target cluster. Used in metrics reporting."),
        )
        .define(
            ConfigKey::new(POLICY_CLASS_CONFIG, ConfigType::Class)
                .default_value(DEFAULT_POLICY)
                .importance(Importance::Low)
                .doc("Class which defines the remote topic naming convention."),
        )
        .define(
            ConfigKey::new(SEPARATOR_CONFIG, ConfigType::String)
                .default_value(".")
                .importance(Importance::Low)
                .doc("Separator used in remote topic naming convention."),
        )
        .define(
            ConfigKey::new(INTERNAL_SEPARATOR_ENABLED_CONFIG, ConfigType::Boolean)
                .default_value(true)
                .importance(Importance::Low)
                .doc("Whether to use replication.policy.separator to control the names of topics used by MirrorMaker 2 internally."),
        )
}

/// MirrorSourceConnector's definition.
pub fn source_def() -> ConfigDef {
    common_def()
        .define(
            ConfigKey::new(TOPICS_CONFIG, ConfigType::List)
                .default_value(list(".*"))
                .importance(Importance::High)
                .doc("Topics to replicate. Supports comma-separated topic names and regexes."),
        )
        .define(
            ConfigKey::new(TOPICS_EXCLUDE_CONFIG, ConfigType::List)
                .default_value(list(TOPICS_EXCLUDE_DEFAULT))
                .importance(Importance::High)
                .doc("Excluded topics. Supports comma-separated topic names and regexes. Excludes take precedence over includes."),
        )
        .define(
            ConfigKey::new(CONFIG_PROPERTIES_EXCLUDE_CONFIG, ConfigType::List)
                .default_value(list(CONFIG_PROPERTIES_EXCLUDE_DEFAULT))
                .importance(Importance::High)
                .doc("Topic config properties that should not be replicated. Supports comma-separated property names and regexes."),
        )
        .define(
            ConfigKey::new(REPLICATION_FACTOR_CONFIG, ConfigType::Int)
                .default_value(2)
                .importance(Importance::Low)
                .doc("Replication factor for newly created remote topics. Set -1 to use the broker's default replication factor."),
        )
        .define(
            ConfigKey::new(OFFSET_SYNCS_RF_CONFIG, ConfigType::Short)
                .default_value(3i16)
                .importance(Importance::Low)
                .doc("Replication factor for offset-syncs topic."),
        )
        .define(
            ConfigKey::new(OFFSET_SYNCS_LOCATION_CONFIG, ConfigType::String)
                .default_value("source")
                .validator(ValidString::in_list(["source", "target"]))
                .importance(Importance::Low)
                .doc("The location (source/target) of the offset-syncs topic."),
        )
        .define(
            ConfigKey::new(EMIT_OFFSET_SYNCS_CONFIG, ConfigType::Boolean)
                .default_value(true)
                .importance(Importance::Low)
                .doc("Whether to store the new offset of the replicated records in offset-syncs topic or not."),
        )
        .define(
            ConfigKey::new(OFFSET_LAG_MAX_CONFIG, ConfigType::Long)
                .default_value(100i64)
                .importance(Importance::Low)
                .doc("How out-of-sync a remote partition can be before it is resynced."),
        )
        .define(
            ConfigKey::new(REFRESH_TOPICS_ENABLED_CONFIG, ConfigType::Boolean)
                .default_value(true)
                .importance(Importance::Low)
                .doc("Whether to periodically check for new topics and partitions."),
        )
        .define(
            ConfigKey::new(REFRESH_TOPICS_INTERVAL_CONFIG, ConfigType::Long)
                .default_value(REFRESH_INTERVAL_DEFAULT_SECONDS)
                .importance(Importance::Low)
                .doc("Frequency of topic refresh."),
        )
        .define(
            ConfigKey::new(POLL_TIMEOUT_CONFIG, ConfigType::Long)
                .default_value(1000i64)
                .importance(Importance::Low)
                .doc("Timeout when polling source cluster."),
        )
        .define(
            ConfigKey::new(HEARTBEATS_REPLICATION_CONFIG, ConfigType::Boolean)
                .default_value(true)
                .importance(Importance::Low)
                .doc("Whether to replicate the heartbeat topics even when the topic filter does not include them. If set to true, heartbeat topics identified by the replication policy will always be replicated, regardless of the topic filter configuration. If set to false, heartbeat topics will only be replicated if the topic filter allows."),
        )
        .define(ConfigKey::new(TASK_PARTITIONS_CONFIG, ConfigType::List).default_value(Vec::<String>::new()).internal())
        .define(ConfigKey::new(TASK_INDEX_CONFIG, ConfigType::Int).default_value(0).internal())
}

/// MirrorHeartbeatConnector's definition.
pub fn heartbeat_def() -> ConfigDef {
    common_def()
        .define(
            ConfigKey::new(EMIT_HEARTBEATS_CONFIG, ConfigType::Boolean)
                .default_value(true)
                .importance(Importance::Low)
                .doc("Whether to emit heartbeats to target cluster."),
        )
        .define(
            ConfigKey::new(HEARTBEATS_INTERVAL_CONFIG, ConfigType::Long)
                .default_value(1i64)
                .importance(Importance::Low)
                .doc("Frequency of heartbeats."),
        )
        .define(
            ConfigKey::new(HEARTBEATS_RF_CONFIG, ConfigType::Short)
                .default_value(3i16)
                .importance(Importance::Low)
                .doc("Replication factor for heartbeats topic."),
        )
}

fn config_err(e: impl std::fmt::Display) -> ConnectError {
    ConnectError::other(e.to_string())
}

/// The settings of MirrorSourceConnector and its tasks, parsed.
#[derive(Debug, Clone)]
pub struct MirrorSourceSettings {
    /// The connector's configuration as given.
    pub props: Props,
    /// `enabled`.
    pub enabled: bool,
    /// `source.cluster.alias`.
    pub source_alias: String,
    /// `target.cluster.alias`.
    pub target_alias: String,
    /// The replication policy.
    pub policy: ReplicationPolicy,
    /// `topics` / `topics.exclude`.
    pub filter: TopicFilter,
    /// `config.properties.exclude`.
    pub config_exclude: Option<regex::Regex>,
    /// `replication.factor`.
    pub replication_factor: i32,
    /// `offset-syncs.topic.replication.factor`.
    pub offset_syncs_rf: i16,
    /// Whether the offset-syncs topic lives on the target (`offset-syncs.topic.location`).
    pub offset_syncs_on_target: bool,
    /// `emit.offset-syncs.enabled`.
    pub emit_offset_syncs: bool,
    /// `offset.lag.max`.
    pub offset_lag_max: i64,
    /// `refresh.topics.interval.seconds`, or `None` when `refresh.topics.enabled=false`.
    pub refresh_interval: Option<Duration>,
    /// `consumer.poll.timeout.ms`.
    pub poll_timeout: Duration,
    /// `heartbeats.replication.enabled`.
    pub replicate_heartbeats: bool,
    /// `task.assigned.partitions`.
    pub task_partitions: Vec<String>,
}

impl MirrorSourceSettings {
    /// Parses `props`; an error names the key.
    pub fn parse(props: &Props) -> Result<MirrorSourceSettings> {
        let c = ParsedConfig::new(&source_def(), props)?;
        let source_alias = c.get_string(SOURCE_ALIAS_CONFIG)?.to_owned();
        let filter = TopicFilter::new(
            c.get_list(TOPICS_CONFIG)?,
            c.get_list(TOPICS_EXCLUDE_CONFIG)?,
        )
        .map_err(config_err)?;
        let config_exclude = crate::filter::list_pattern(
            CONFIG_PROPERTIES_EXCLUDE_CONFIG,
            c.get_list(CONFIG_PROPERTIES_EXCLUDE_CONFIG)?,
        )
        .map_err(config_err)?;
        let refresh = c.get_long(REFRESH_TOPICS_INTERVAL_CONFIG)?;
        let seconds = |v: i64| Duration::from_secs(u64::try_from(v).unwrap_or(0));
        Ok(MirrorSourceSettings {
            enabled: c.get_bool(ENABLED_CONFIG)?,
            target_alias: c.get_string(TARGET_ALIAS_CONFIG)?.to_owned(),
            policy: ReplicationPolicy::from_props(props, &source_alias)?,
            source_alias,
            filter,
            config_exclude,
            replication_factor: c.get_int(REPLICATION_FACTOR_CONFIG)?,
            offset_syncs_rf: c.get_short(OFFSET_SYNCS_RF_CONFIG)?,
            offset_syncs_on_target: c.get_string(OFFSET_SYNCS_LOCATION_CONFIG)? == "target",
            emit_offset_syncs: c.get_bool(EMIT_OFFSET_SYNCS_CONFIG)?,
            offset_lag_max: c.get_long(OFFSET_LAG_MAX_CONFIG)?,
            refresh_interval: (c.get_bool(REFRESH_TOPICS_ENABLED_CONFIG)? && refresh > 0)
                .then(|| seconds(refresh)),
            poll_timeout: Duration::from_millis(
                u64::try_from(c.get_long(POLL_TIMEOUT_CONFIG)?).unwrap_or(0),
            ),
            replicate_heartbeats: c.get_bool(HEARTBEATS_REPLICATION_CONFIG)?,
            task_partitions: c.get_list(TASK_PARTITIONS_CONFIG)?.to_vec(),
            props: props.clone(),
        })
    }

    /// Whether `topic` of the source cluster is replicated (Apache's `shouldReplicateTopic`).
    pub fn should_replicate(&self, topic: &str) -> bool {
        (self.filter.should_replicate(topic)
            || (self.replicate_heartbeats && self.policy.is_heartbeats_topic(topic)))
            && !self.policy.is_internal_topic(topic)
            && !self.policy.is_cycle(topic, &self.target_alias)
    }

    /// The offset-syncs topic, and which cluster holds it.
    pub fn offset_syncs_topic(&self) -> (String, Cluster) {
        if self.offset_syncs_on_target {
            (
                self.policy.offset_syncs_topic(&self.source_alias),
                Cluster::Target,
            )
        } else {
            (
                self.policy.offset_syncs_topic(&self.target_alias),
                Cluster::Source,
            )
        }
    }
}

/// One of a flow's two clusters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cluster {
    /// The cluster replicated from (`source.cluster.*`, `source.<role>.*`).
    Source,
    /// The cluster replicated to (`target.cluster.*`, `target.<role>.*`).
    Target,
}

/// The Kafka client roles, as Apache prefixes their overrides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `consumer`.
    Consumer,
    /// `producer`.
    Producer,
    /// `admin`.
    Admin,
}

/// Connection keys taken from `source.cluster.*` / `target.cluster.*` (in librdkafka's names,
/// which these share with Java's clients).
const CONNECTION_KEYS: [&str; 5] = [
    "bootstrap.servers",
    "security.protocol",
    "sasl.mechanism",
    "sasl.username",
    "sasl.password",
];

/// The librdkafka settings of a client of `cluster` in `role`: the connection keys of
/// `<source|target>.cluster.*`, then `<role>.*`, then `<source|target>.<role>.*` (each
/// later layer wins, as in Apache). Overrides are passed to librdkafka as they are.
pub fn client_config(props: &Props, cluster: Cluster, role: Role) -> Result<rdkafka::ClientConfig> {
    let side = match cluster {
        Cluster::Source => "source",
        Cluster::Target => "target",
    };
    let role = match role {
        Role::Consumer => "consumer",
        Role::Producer => "producer",
        Role::Admin => "admin",
    };
    let mut config = rdkafka::ClientConfig::new();
    let cluster_prefix = format!("{side}.cluster.");
    for key in CONNECTION_KEYS {
        if let Some(v) = props.get(&format!("{cluster_prefix}{key}")) {
            let key = if key == "sasl.mechanism" {
                "sasl.mechanisms"
            } else {
                key
            };
            config.set(key, v);
        }
    }
    if config.get("bootstrap.servers").is_none() {
        return Err(ConnectError::Config(
            connect_api::config::ConfigError::missing(format!("{cluster_prefix}bootstrap.servers")),
        ));
    }
    for prefix in [format!("{role}."), format!("{side}.{role}.")] {
        for (k, v) in props {
            if let Some(key) = k.strip_prefix(&prefix) {
                config.set(key, v);
            }
        }
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> Props {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn topics_are_selected_as_apache_selects_them() {
        let s = MirrorSourceSettings::parse(&props(&[
            (SOURCE_ALIAS_CONFIG, "A"),
            (TARGET_ALIAS_CONFIG, "B"),
            (TOPICS_CONFIG, "orders, heartbeats-never"),
        ]))
        .unwrap();
        assert!(s.should_replicate("orders"));
        assert!(!s.should_replicate("payments"));
        assert!(
            s.should_replicate("heartbeats"),
            "heartbeats are always replicated"
        );
        assert!(s.should_replicate("C.heartbeats"));
        assert!(!s.should_replicate("B.heartbeats"), "a cycle");
        assert!(!s.should_replicate("mm2-offset-syncs.B.internal"));
        assert_eq!(
            s.offset_syncs_topic(),
            ("mm2-offset-syncs.B.internal".to_owned(), Cluster::Source)
        );
    }

    #[test]
    fn client_settings_layer_as_apache_does() {
        let p = props(&[
            ("source.cluster.bootstrap.servers", "a:9092"),
            ("source.cluster.linger.ms", "7"),
            ("consumer.fetch.min.bytes", "10"),
            ("source.consumer.fetch.min.bytes", "20"),
        ]);
        let c = client_config(&p, Cluster::Source, Role::Consumer).unwrap();
        assert_eq!(c.get("bootstrap.servers"), Some("a:9092"));
        assert_eq!(c.get("fetch.min.bytes"), Some("20"));
        assert_eq!(
            c.get("linger.ms"),
            None,
            "only connection keys come from source.cluster.*"
        );
        let err = client_config(&p, Cluster::Target, Role::Admin).unwrap_err();
        assert!(
            err.to_string().contains("target.cluster.bootstrap.servers"),
            "{err}"
        );
    }
}
