//! The few admin operations the worker needs: the cluster id and topic creation.

use std::time::Duration;

use connect_api::errors::{ConnectError, Result};
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};

use super::{to_client_config, ClientProps};

/// Reads the Kafka cluster id (the worker does this at start; failure means the broker is not
/// reachable).
pub async fn cluster_id(props: &ClientProps, timeout: Duration) -> Result<String> {
    let config = to_client_config(props);
    tokio::task::spawn_blocking(move || {
        let consumer: BaseConsumer = config
            .create()
            .map_err(|e| ConnectError::other_with("Failed to create Kafka admin client", e))?;
        // Metadata first: it waits for the connection, after which the cluster id is known.
        consumer
            .fetch_metadata(None, timeout)
            .map_err(|e| ConnectError::other_with("Failed to connect to and describe Kafka cluster. Check worker's broker connection and security properties.", e))?;
        consumer.client().fetch_cluster_id(timeout).ok_or_else(|| {
            ConnectError::other("Failed to connect to and describe Kafka cluster. Check worker's broker connection and security properties.")
        })
    })
    .await
    .map_err(|e| ConnectError::other_with("admin thread failed", e))?
}

/// Creates a topic; an existing topic is not an error. Returns whether it was created.
pub async fn create_topic(
    props: &ClientProps,
    name: &str,
    partitions: i32,
    replication_factor: i32,
    configs: &[(String, String)],
) -> Result<bool> {
    let admin: AdminClient<DefaultClientContext> = to_client_config(props)
        .create()
        .map_err(|e| ConnectError::other_with("Failed to create Kafka admin client", e))?;
    let mut topic = NewTopic::new(
        name,
        partitions,
        TopicReplication::Fixed(replication_factor),
    );
    for (k, v) in configs {
        topic = topic.set(k, v);
    }
    let results = admin
        .create_topics(
            [&topic],
            &AdminOptions::new().operation_timeout(Some(Duration::from_secs(30))),
        )
        .await
        .map_err(|e| {
            ConnectError::other_with(format!("Task failed to create new topic {name}"), e)
        })?;
    match results.into_iter().next() {
        Some(Ok(_)) => Ok(true),
        Some(Err((_, rdkafka::types::RDKafkaErrorCode::TopicAlreadyExists))) => Ok(false),
        Some(Err((_, code))) => Err(ConnectError::other(format!(
            "Task failed to create new topic {name}: {code}"
        ))),
        None => Ok(false),
    }
}
