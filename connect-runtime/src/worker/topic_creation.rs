//! Topic creation by source tasks (KIP-158, Apache's `TopicCreation` and
//! `TopicCreationGroup`): when `topic.creation.enable` is on for the worker and the connector
//! has `topic.creation.*` keys, the first record for a topic that does not exist creates it
//! with the settings of the first matching creation group.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use connect_api::config::ConfigError;
use connect_api::errors::{ConnectError, Result};
use rdkafka::consumer::{BaseConsumer, Consumer};
use regex::Regex;

use crate::config::connector_config::parse_list;
use crate::kafka::{admin, to_client_config, ClientProps};

const PREFIX: &str = "topic.creation.";
const DEFAULT_GROUP: &str = "default";

/// One creation group's settings.
#[derive(Debug, Clone)]
pub struct TopicCreationGroup {
    name: String,
    include: Vec<Regex>,
    exclude: Vec<Regex>,
    partitions: i32,
    replication_factor: i32,
    configs: Vec<(String, String)>,
}

impl TopicCreationGroup {
    fn matches(&self, topic: &str) -> bool {
        let whole = |re: &Regex| {
            re.find(topic)
                .is_some_and(|m| m.start() == 0 && m.end() == topic.len())
        };
        self.name == DEFAULT_GROUP
            || (self.include.iter().any(whole) && !self.exclude.iter().any(whole))
    }
}

/// The topic creation settings of one source connector, and the topics already known.
#[derive(Debug)]
pub struct TopicCreation {
    groups: Vec<TopicCreationGroup>,
    known: HashSet<String>,
    admin: ClientProps,
}

fn int(
    props: &HashMap<String, String>,
    key: &str,
    default: Option<i32>,
) -> std::result::Result<i32, ConfigError> {
    match props.get(key).map(|s| s.trim()) {
        None => default.ok_or_else(|| ConfigError::missing(key)),
        Some(v) => {
            let n: i32 = v
                .parse()
                .map_err(|_| ConfigError::invalid(key, Some(v), "Not a number of type INT"))?;
            if n == -1 || n >= 1 {
                Ok(n)
            } else {
                Err(ConfigError::invalid(
                    key,
                    Some(v),
                    "Value must be -1 or a positive number",
                ))
            }
        }
    }
}

fn regexes(
    props: &HashMap<String, String>,
    key: &str,
) -> std::result::Result<Vec<Regex>, ConfigError> {
    props
        .get(key)
        .map(|v| parse_list(v))
        .unwrap_or_default()
        .into_iter()
        .filter(|s| !s.is_empty())
        .map(|s| {
            Regex::new(&s)
                .map_err(|e| ConfigError::invalid(key, Some(&s), format!("Invalid regex: {e}")))
        })
        .collect()
}

impl TopicCreation {
    /// The settings of a connector, or `None` when topic creation is off for it.
    pub fn from_config(
        worker_enabled: bool,
        props: &HashMap<String, String>,
        admin: ClientProps,
    ) -> std::result::Result<Option<TopicCreation>, ConfigError> {
        if !worker_enabled || !props.keys().any(|k| k.starts_with(PREFIX)) {
            return Ok(None);
        }
        let default_partitions = int(props, "topic.creation.default.partitions", None)?;
        let default_rf = int(props, "topic.creation.default.replication.factor", None)?;
        let mut names: Vec<String> = props
            .get("topic.creation.groups")
            .map(|v| parse_list(v))
            .unwrap_or_default()
            .into_iter()
            .filter(|g| g != DEFAULT_GROUP && !g.is_empty())
            .collect();
        names.dedup();
        names.push(DEFAULT_GROUP.to_owned());
        let mut groups = Vec::with_capacity(names.len());
        for name in names {
            let p = format!("{PREFIX}{name}.");
            let reserved = ["include", "exclude", "partitions", "replication.factor"];
            let configs = props
                .iter()
                .filter_map(|(k, v)| k.strip_prefix(&p).map(|c| (c.to_owned(), v.clone())))
                .filter(|(c, _)| !reserved.contains(&c.as_str()))
                .collect();
            groups.push(TopicCreationGroup {
                include: regexes(props, &format!("{p}include"))?,
                exclude: regexes(props, &format!("{p}exclude"))?,
                partitions: int(props, &format!("{p}partitions"), Some(default_partitions))?,
                replication_factor: int(
                    props,
                    &format!("{p}replication.factor"),
                    Some(default_rf),
                )?,
                configs,
                name,
            });
        }
        Ok(Some(TopicCreation {
            groups,
            known: HashSet::new(),
            admin,
        }))
    }

    /// Makes sure `topic` exists before the first record is sent to it.
    pub async fn ensure(&mut self, topic: &str) -> Result<()> {
        if self.known.contains(topic) {
            return Ok(());
        }
        tracing::info!("The task will send records to topic '{topic}' for the first time. Checking whether topic exists");
        if self.exists(topic).await? {
            self.known.insert(topic.to_owned());
            return Ok(());
        }
        let Some(group) = self.groups.iter().find(|g| g.matches(topic)) else {
            return Err(ConnectError::other(format!(
                "Task failed to create new topic {topic}: no creation group matches"
            )));
        };
        // librdkafka takes -1 as "broker default" for both settings, as Kafka's admin does.
        let created = admin::create_topic(
            &self.admin,
            topic,
            group.partitions,
            group.replication_factor,
            &group.configs,
        )
        .await?;
        if created {
            tracing::info!(
                "Created topic '{topic}' using creation group {}",
                group.name
            );
        } else {
            tracing::info!("Found existing topic '{topic}'");
        }
        self.known.insert(topic.to_owned());
        Ok(())
    }

    async fn exists(&self, topic: &str) -> Result<bool> {
        let config = to_client_config(&self.admin);
        let topic = topic.to_owned();
        tokio::task::spawn_blocking(move || {
            let consumer: BaseConsumer = config
                .create()
                .map_err(|e| ConnectError::other_with("Failed to create Kafka admin client", e))?;
            let md = consumer
                .fetch_metadata(Some(&topic), Duration::from_secs(30))
                .map_err(|e| {
                    ConnectError::retriable_with(format!("Could not describe topic {topic}"), e)
                })?;
            Ok(md
                .topics()
                .iter()
                .any(|t| t.name() == topic && t.error().is_none() && !t.partitions().is_empty()))
        })
        .await
        .map_err(|e| ConnectError::other_with("admin thread failed", e))?
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
    fn off_without_keys_and_groups_match_in_order() {
        assert!(
            TopicCreation::from_config(true, &props(&[]), ClientProps::new())
                .unwrap()
                .is_none()
        );
        let p = props(&[
            ("topic.creation.default.partitions", "1"),
            ("topic.creation.default.replication.factor", "-1"),
            ("topic.creation.groups", "big"),
            ("topic.creation.big.include", "big-.*"),
            ("topic.creation.big.exclude", "big-no"),
            ("topic.creation.big.partitions", "6"),
            ("topic.creation.big.cleanup.policy", "compact"),
        ]);
        assert!(TopicCreation::from_config(false, &p, ClientProps::new())
            .unwrap()
            .is_none());
        let tc = TopicCreation::from_config(true, &p, ClientProps::new())
            .unwrap()
            .unwrap();
        let group = |t: &str| {
            tc.groups
                .iter()
                .find(|g| g.matches(t))
                .unwrap()
                .name
                .clone()
        };
        assert_eq!(group("big-1"), "big");
        assert_eq!(group("big-no"), "default");
        assert_eq!(group("other"), "default");
        let big = &tc.groups[0];
        assert_eq!(big.partitions, 6);
        assert_eq!(big.replication_factor, -1);
        assert_eq!(
            big.configs,
            vec![("cleanup.policy".to_owned(), "compact".to_owned())]
        );
    }

    #[test]
    fn defaults_are_required_once_any_key_is_set() {
        let err = TopicCreation::from_config(
            true,
            &props(&[("topic.creation.groups", "a")]),
            ClientProps::new(),
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "Missing required configuration \"topic.creation.default.partitions\" which has no default value.");
    }
}
