//! The admin work of the source connector: which topics and partitions each cluster has,
//! and creating remote topics (with the source's partition count and topic configs) and
//! missing partitions on the target.

use std::collections::BTreeMap;
use std::time::Duration;

use connect_api::errors::{ConnectError, Result};
use rdkafka::admin::{
    AdminClient, AdminOptions, NewPartitions, NewTopic, ResourceSpecifier, TopicReplication,
};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::FromClientConfig;
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::ClientConfig;
use tracing::{info, warn};

use crate::config::MirrorSourceSettings;

/// How long one admin call may take (Apache's `admin.timeout.ms` default).
pub const ADMIN_TIMEOUT: Duration = Duration::from_secs(60);

/// An admin client of one cluster.
pub struct Admin {
    client: AdminClient<DefaultClientContext>,
    what: &'static str,
}

fn kafka_err(what: &str, e: impl std::fmt::Display) -> ConnectError {
    ConnectError::retriable(format!("{what}: {e}"))
}

impl Admin {
    /// An admin client with `config`; `what` names the cluster in errors.
    pub fn new(config: &ClientConfig, what: &'static str) -> Result<Admin> {
        let client = AdminClient::from_config(config).map_err(|e| {
            kafka_err(
                &format!("could not create an admin client of the {what} cluster"),
                e,
            )
        })?;
        Ok(Admin { client, what })
    }

    /// Every topic and its partition count (blocking, up to [`ADMIN_TIMEOUT`]).
    pub fn topics(&self) -> Result<BTreeMap<String, i32>> {
        let metadata = self
            .client
            .inner()
            .fetch_metadata(None, ADMIN_TIMEOUT)
            .map_err(|e| {
                kafka_err(
                    &format!("could not list the topics of the {} cluster", self.what),
                    e,
                )
            })?;
        Ok(metadata
            .topics()
            .iter()
            .filter(|t| t.error().is_none())
            .map(|t| {
                (
                    t.name().to_owned(),
                    i32::try_from(t.partitions().len()).unwrap_or(i32::MAX),
                )
            })
            .collect())
    }

    /// Creates a compacted single-partition topic unless it exists (the offset-syncs and
    /// heartbeats topics).
    pub async fn ensure_compacted_topic(&self, name: &str, replication: i32) -> Result<()> {
        let topic = NewTopic::new(name, 1, TopicReplication::Fixed(replication))
            .set("cleanup.policy", "compact");
        let opts = AdminOptions::new().operation_timeout(Some(ADMIN_TIMEOUT));
        let results = self
            .client
            .create_topics([&topic], &opts)
            .await
            .map_err(|e| kafka_err(&format!("could not create topic {name}"), e))?;
        for r in results {
            match r {
                Ok(_) => info!("Created topic {name} on the {} cluster", self.what),
                Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
                Err((_, code)) => {
                    return Err(ConnectError::other(format!(
                        "Could not create topic {name} on the {} cluster: {code}",
                        self.what
                    )))
                }
            }
        }
        Ok(())
    }

    /// The topic configs of `topic` that are set on the topic itself (not defaults, not
    /// read-only, not sensitive), minus those `config.properties.exclude` names.
    pub async fn replicable_configs(
        &self,
        topic: &str,
        settings: &MirrorSourceSettings,
    ) -> Result<Vec<(String, String)>> {
        let opts = AdminOptions::new().request_timeout(Some(ADMIN_TIMEOUT));
        let results = self
            .client
            .describe_configs([&ResourceSpecifier::Topic(topic)], &opts)
            .await
            .map_err(|e| kafka_err(&format!("could not describe topic {topic}"), e))?;
        let mut out = Vec::new();
        for resource in results.into_iter().flatten() {
            for entry in resource.entries {
                let excluded = settings
                    .config_exclude
                    .as_ref()
                    .is_some_and(|r| r.is_match(&entry.name));
                if entry.is_default || entry.is_read_only || entry.is_sensitive || excluded {
                    continue;
                }
                if entry.source != rdkafka::admin::ConfigSource::DynamicTopic {
                    continue;
                }
                if let Some(value) = entry.value {
                    out.push((entry.name, value));
                }
            }
        }
        Ok(out)
    }

    /// Creates `topic` with `partitions` and `configs`, as remote topics are created; logs
    /// and carries on when the target refuses (as Apache).
    pub async fn create_remote_topic(
        &self,
        topic: &str,
        partitions: i32,
        replication: i32,
        configs: &[(String, String)],
    ) {
        let mut new = NewTopic::new(topic, partitions, TopicReplication::Fixed(replication));
        for (k, v) in configs {
            new = new.set(k, v);
        }
        let opts = AdminOptions::new().operation_timeout(Some(ADMIN_TIMEOUT));
        match self.client.create_topics([&new], &opts).await {
            Ok(results) => {
                for r in results {
                    match r {
                        Ok(_) => info!(
                            "Created remote topic {topic} with {partitions} partitions on the {} cluster",
                            self.what
                        ),
                        Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
                        Err((_, code)) => warn!("Could not create remote topic {topic}: {code}"),
                    }
                }
            }
            Err(e) => warn!("Could not create remote topic {topic}: {e}"),
        }
    }

    /// Grows `topic` to `partitions`; logs and carries on when the target refuses.
    pub async fn grow_topic(&self, topic: &str, partitions: i32) {
        let Ok(count) = usize::try_from(partitions) else {
            return;
        };
        let new = NewPartitions::new(topic, count);
        let opts = AdminOptions::new().operation_timeout(Some(ADMIN_TIMEOUT));
        match self.client.create_partitions([&new], &opts).await {
            Ok(results) => {
                for r in results {
                    match r {
                        Ok(_) => info!(
                            "Increased the partitions of remote topic {topic} to {partitions}"
                        ),
                        Err((_, code)) => {
                            warn!("Could not add partitions to remote topic {topic}: {code}")
                        }
                    }
                }
            }
            Err(e) => warn!("Could not add partitions to remote topic {topic}: {e}"),
        }
    }
}
