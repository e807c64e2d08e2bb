//! Replication policies: how a topic copied from cluster `A` is named on the target, and how
//! a name tells where a topic came from (Apache's `DefaultReplicationPolicy` and
//! `IdentityReplicationPolicy`).

use connect_api::config::ConfigError;
use connect_api::connector::Props;

/// `replication.policy.class`.
pub const POLICY_CLASS_CONFIG: &str = "replication.policy.class";
/// `replication.policy.separator`.
pub const SEPARATOR_CONFIG: &str = "replication.policy.separator";
/// `replication.policy.internal.topic.separator.enabled`.
pub const INTERNAL_SEPARATOR_ENABLED_CONFIG: &str =
    "replication.policy.internal.topic.separator.enabled";
/// Apache's default policy class.
pub const DEFAULT_POLICY: &str = "org.apache.kafka.connect.mirror.DefaultReplicationPolicy";
/// Apache's identity policy class (topics keep their names).
pub const IDENTITY_POLICY: &str = "org.apache.kafka.connect.mirror.IdentityReplicationPolicy";

/// A replication policy, as configured for one connector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicationPolicy {
    separator: String,
    internal_separator: String,
    /// `Some(source alias)` for the identity policy: remote topics keep their names.
    identity: Option<String>,
}

fn simple(class: &str) -> &str {
    class.rsplit('.').next().unwrap_or(class)
}

impl ReplicationPolicy {
    /// The default policy with separator `.`.
    pub fn default_policy() -> ReplicationPolicy {
        ReplicationPolicy {
            separator: ".".to_owned(),
            internal_separator: ".".to_owned(),
            identity: None,
        }
    }

    /// The policy a connector configuration names (`replication.policy.class`, by class name or
    /// simple name, with its separator settings); `source_alias` is the identity policy's
    /// source cluster.
    pub fn from_props(props: &Props, source_alias: &str) -> Result<ReplicationPolicy, ConfigError> {
        let class = props
            .get(POLICY_CLASS_CONFIG)
            .map(|c| c.trim())
            .unwrap_or(DEFAULT_POLICY);
        let identity = match simple(class) {
            "DefaultReplicationPolicy" => None,
            "IdentityReplicationPolicy" => Some(source_alias.to_owned()),
            _ => {
                return Err(ConfigError::invalid(
                    POLICY_CLASS_CONFIG,
                    Some(class),
                    format!("Class {class} could not be found: the replication policies available are {DEFAULT_POLICY} and {IDENTITY_POLICY}"),
                ))
            }
        };
        let separator = props
            .get(SEPARATOR_CONFIG)
            .cloned()
            .unwrap_or_else(|| ".".to_owned());
        // As Apache: the internal separator follows the custom one unless disabled.
        let internal_enabled = props
            .get(INTERNAL_SEPARATOR_ENABLED_CONFIG)
            .is_none_or(|v| v.trim().eq_ignore_ascii_case("true"));
        let internal_separator = if props.contains_key(SEPARATOR_CONFIG) && internal_enabled {
            separator.clone()
        } else {
            ".".to_owned()
        };
        Ok(ReplicationPolicy {
            separator,
            internal_separator,
            identity,
        })
    }

    /// The name of `topic` of cluster `source_alias` on the target.
    pub fn format_remote_topic(&self, source_alias: &str, topic: &str) -> String {
        if self.identity.is_some() && !self.looks_like_heartbeat(topic) {
            return topic.to_owned();
        }
        format!("{source_alias}{}{topic}", self.separator)
    }

    fn default_topic_source<'a>(&self, topic: &'a str) -> Option<&'a str> {
        if self.separator.is_empty() {
            return None;
        }
        // Java's Pattern.split: trailing empty parts are dropped.
        let mut parts: Vec<&str> = topic.split(self.separator.as_str()).collect();
        while parts.last().is_some_and(|p| p.is_empty()) {
            parts.pop();
        }
        (parts.len() >= 2).then(|| parts[0])
    }

    /// The cluster a remote topic came from, if its name says.
    pub fn topic_source(&self, topic: &str) -> Option<String> {
        match &self.identity {
            Some(alias) if !self.looks_like_heartbeat(topic) => Some(alias.clone()),
            _ => self.default_topic_source(topic).map(str::to_owned),
        }
    }

    /// The topic's name one hop upstream, if it is a remote topic.
    pub fn upstream_topic(&self, topic: &str) -> Option<String> {
        if self.identity.is_some() && !self.looks_like_heartbeat(topic) {
            return Some(topic.to_owned());
        }
        let source = self.default_topic_source(topic)?;
        Some(topic[source.len() + self.separator.len()..].to_owned())
    }

    /// The topic's name on the cluster it was first written to.
    pub fn original_topic(&self, topic: &str) -> String {
        match self.upstream_topic(topic) {
            Some(up) if up != topic => self.original_topic(&up),
            _ => topic.to_owned(),
        }
    }

    fn looks_like_heartbeat(&self, topic: &str) -> bool {
        topic.ends_with(HEARTBEATS_TOPIC)
    }

    /// The heartbeats topic.
    pub fn heartbeats_topic(&self) -> &'static str {
        HEARTBEATS_TOPIC
    }

    /// Whether `topic` is a heartbeats topic (local or remote).
    pub fn is_heartbeats_topic(&self, topic: &str) -> bool {
        self.original_topic(topic) == HEARTBEATS_TOPIC
    }

    /// The offset-syncs topic named after `alias`.
    pub fn offset_syncs_topic(&self, alias: &str) -> String {
        let s = &self.internal_separator;
        format!("mm2-offset-syncs{s}{alias}{s}internal")
    }

    /// The checkpoints topic of `alias`.
    pub fn checkpoints_topic(&self, alias: &str) -> String {
        let s = &self.internal_separator;
        format!("{alias}{s}checkpoints{s}internal")
    }

    /// Whether `topic` is internal to MirrorMaker, Kafka or Connect: never replicated.
    pub fn is_internal_topic(&self, topic: &str) -> bool {
        let mm2 = topic.ends_with(&format!("{}internal", self.internal_separator));
        mm2 || topic.starts_with("__")
            || topic.starts_with('.')
            || topic.ends_with("-internal")
            || topic.ends_with(".internal")
    }

    /// Whether replicating `topic` to `target_alias` would send it back where it came from
    /// (Apache's `isCycle`).
    pub fn is_cycle(&self, topic: &str, target_alias: &str) -> bool {
        match self.topic_source(topic) {
            None => false,
            Some(source) if source == target_alias => true,
            Some(_) => match self.upstream_topic(topic) {
                Some(up) if up != topic => self.is_cycle(&up, target_alias),
                _ => false,
            },
        }
    }
}

const HEARTBEATS_TOPIC: &str = "heartbeats";

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
    fn default_policy_names_as_apache() {
        let p = ReplicationPolicy::default_policy();
        assert_eq!(p.format_remote_topic("A", "orders"), "A.orders");
        assert_eq!(p.topic_source("A.orders").as_deref(), Some("A"));
        assert_eq!(p.topic_source("orders"), None);
        assert_eq!(p.upstream_topic("B.A.orders").as_deref(), Some("A.orders"));
        assert_eq!(p.original_topic("B.A.orders"), "orders");
        assert_eq!(p.offset_syncs_topic("B"), "mm2-offset-syncs.B.internal");
        assert_eq!(p.checkpoints_topic("A"), "A.checkpoints.internal");
        assert!(p.is_heartbeats_topic("A.heartbeats"));
        assert!(p.is_internal_topic("mm2-offset-syncs.B.internal"));
        assert!(p.is_internal_topic("__consumer_offsets"));
        assert!(p.is_internal_topic("connect-offsets-internal"));
        assert!(!p.is_internal_topic("orders"));
    }

    #[test]
    fn cycles_are_found_through_every_hop() {
        let p = ReplicationPolicy::default_policy();
        assert!(p.is_cycle("B.orders", "B"));
        assert!(p.is_cycle("C.B.orders", "B"));
        assert!(!p.is_cycle("C.orders", "B"));
        assert!(!p.is_cycle("orders", "B"));
    }

    #[test]
    fn custom_separators_and_the_identity_policy() {
        let p = ReplicationPolicy::from_props(&props(&[(SEPARATOR_CONFIG, "_")]), "A").unwrap();
        assert_eq!(p.format_remote_topic("A", "orders"), "A_orders");
        assert_eq!(p.offset_syncs_topic("B"), "mm2-offset-syncs_B_internal");
        let p = ReplicationPolicy::from_props(
            &props(&[
                (SEPARATOR_CONFIG, "_"),
                (INTERNAL_SEPARATOR_ENABLED_CONFIG, "false"),
            ]),
            "A",
        )
        .unwrap();
        assert_eq!(p.offset_syncs_topic("B"), "mm2-offset-syncs.B.internal");
        let p = ReplicationPolicy::from_props(
            &props(&[(POLICY_CLASS_CONFIG, "IdentityReplicationPolicy")]),
            "A",
        )
        .unwrap();
        assert_eq!(p.format_remote_topic("A", "orders"), "orders");
        assert_eq!(p.format_remote_topic("A", "heartbeats"), "A.heartbeats");
        assert_eq!(p.topic_source("orders").as_deref(), Some("A"));
        assert!(
            ReplicationPolicy::from_props(&props(&[(POLICY_CLASS_CONFIG, "Nope")]), "A").is_err()
        );
    }
}
