//! A compacted topic used as a replicated log (Apache's `KafkaBasedLog`): the worker's
//! internal topics. Records are string keys with byte values (a `None` value is a tombstone);
//! readers consume every partition from the start and can read up to the current end.
//!
//! The calls block (librdkafka's own threads do the I/O); async callers run them on
//! `spawn_blocking`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use connect_api::errors::{ConnectError, Result};
use rdkafka::admin::{AdminClient, AdminOptions, ResourceSpecifier};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{DeliveryResult, Message};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer, ProducerContext};
use rdkafka::{ClientContext, Offset, TopicPartitionList};

use super::{admin, to_client_config, ClientProps};

/// How a worker's internal topic must look.
#[derive(Debug, Clone)]
pub struct TopicSpec {
    /// The topic.
    pub name: String,
    /// The worker property that names it (for error messages), e.g. `config.storage.topic`.
    pub property: String,
    /// What it holds, for error messages ("connector configurations").
    pub holds: String,
    /// Partitions when created.
    pub partitions: i32,
    /// Replication factor when created (`-1`: the broker's default).
    pub replication_factor: i32,
    /// Whether it must have exactly one partition (the config topic).
    pub single_partition: bool,
}

/// Producer settings that partition records by a murmur2 hash of the key, as Java's producer
/// does: a key written by an Apache worker or by ours lands in the same partition, so the
/// newest write of a key is the last one read.
pub fn java_partitioning(producer: &ClientProps) -> ClientProps {
    let mut p = producer.clone();
    p.insert("partitioner".to_owned(), "murmur2_random".to_owned());
    p
}

/// Collects delivery failures of the records a `send` waits for.
#[derive(Default)]
struct Deliveries {
    failures: Mutex<Vec<String>>,
}

impl ClientContext for Deliveries {}

impl ProducerContext for Deliveries {
    type DeliveryOpaque = ();
    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        if let Err((e, _)) = result {
            self.failures
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(e.to_string());
        }
    }
}

/// One internal topic: a producer for writes and a consumer assigned every partition.
pub struct TopicLog {
    topic: String,
    producer: BaseProducer<Deliveries>,
    consumer: BaseConsumer,
    partitions: Vec<i32>,
}

/// A record read from the log.
pub type LogRecord = (String, Option<Vec<u8>>);

impl TopicLog {
    /// Creates the topic if it does not exist (compacted, as `spec` says), checks it if it does
    /// (compacted; one partition where required), and opens it for reading from the start.
    pub async fn open(
        admin_props: &ClientProps,
        producer_props: &ClientProps,
        consumer_props: &ClientProps,
        spec: &TopicSpec,
    ) -> Result<TopicLog> {
        let compact = [("cleanup.policy".to_owned(), "compact".to_owned())];
        admin::create_topic(
            admin_props,
            &spec.name,
            spec.partitions,
            spec.replication_factor,
            &compact,
        )
        .await?;
        check_cleanup_policy(admin_props, spec).await?;
        let (producer_props, consumer_props, spec) =
            (producer_props.clone(), consumer_props.clone(), spec.clone());
        tokio::task::spawn_blocking(move || {
            TopicLog::open_blocking(&producer_props, &consumer_props, &spec)
        })
        .await
        .map_err(|e| ConnectError::other_with("the topic log's thread failed", e))?
    }

    fn open_blocking(
        producer_props: &ClientProps,
        consumer_props: &ClientProps,
        spec: &TopicSpec,
    ) -> Result<TopicLog> {
        let mut producer_config = to_client_config(producer_props);
        producer_config
            .set("acks", "all")
            .set("enable.idempotence", "true")
            .set("linger.ms", "0");
        let producer: BaseProducer<Deliveries> = producer_config
            .create_with_context(Deliveries::default())
            .map_err(|e| ConnectError::other_with("Failed to create the internal producer", e))?;
        let mut consumer_config = to_client_config(consumer_props);
        // Partitions are assigned, never subscribed: the group is not joined and nothing is
        // committed, but librdkafka wants a group id for assignments.
        consumer_config
            .set("group.id", format!("{}-reader", spec.name))
            .set("enable.auto.commit", "false")
            .set("enable.auto.offset.store", "false")
            .set("auto.offset.reset", "earliest");
        let consumer: BaseConsumer = consumer_config
            .create()
            .map_err(|e| ConnectError::other_with("Failed to create the internal consumer", e))?;
        let metadata = consumer
            .fetch_metadata(Some(&spec.name), Duration::from_secs(30))
            .map_err(|e| {
                ConnectError::other_with(format!("Could not describe topic {}", spec.name), e)
            })?;
        let partitions: Vec<i32> = metadata
            .topics()
            .iter()
            .filter(|t| t.name() == spec.name)
            .flat_map(|t| t.partitions().iter().map(|p| p.id()))
            .collect();
        if partitions.is_empty() {
            return Err(ConnectError::other(format!(
                "Could not look up partition metadata for topic '{}' in the allotted period. This could indicate a connectivity issue, unavailable topic partitions, or if this is your first use of the topic it may have taken too long to create.",
                spec.name
            )));
        }
        if spec.single_partition && partitions.len() != 1 {
            return Err(ConnectError::other(format!(
                "Topic '{}' supplied via the '{}' property is required to have a single partition in order to guarantee consistency of {}, but found {} partitions.",
                spec.name,
                spec.property,
                spec.holds,
                partitions.len()
            )));
        }
        let mut tpl = TopicPartitionList::new();
        for p in &partitions {
            tpl.add_partition_offset(&spec.name, *p, Offset::Beginning)
                .map_err(|e| ConnectError::other_with("Could not assign the topic", e))?;
        }
        consumer
            .assign(&tpl)
            .map_err(|e| ConnectError::other_with("Could not assign the topic", e))?;
        Ok(TopicLog {
            topic: spec.name.clone(),
            producer,
            consumer,
            partitions,
        })
    }

    /// Delivery failures reported since the last call.
    fn take_failures(&self) -> Vec<String> {
        std::mem::take(
            &mut *self
                .producer
                .context()
                .failures
                .lock()
                .unwrap_or_else(|p| p.into_inner()),
        )
    }

    /// The topic's name.
    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// Writes records in order and waits until the broker acknowledged every one.
    pub fn send(&self, records: &[(String, Option<Vec<u8>>)], timeout: Duration) -> Result<()> {
        for (key, value) in records {
            let mut record: BaseRecord<'_, str, [u8]> = BaseRecord::to(&self.topic).key(key);
            if let Some(v) = value {
                record = record.payload(v);
            }
            self.producer.send(record).map_err(|(e, _)| {
                ConnectError::other_with(format!("Failed to write to {}", self.topic), e)
            })?;
        }
        self.producer.flush(timeout).map_err(|e| {
            ConnectError::other_with(format!("Timed out writing to {}", self.topic), e)
        })?;
        let failures = self.take_failures();
        match failures.first() {
            None => Ok(()),
            Some(f) => Err(ConnectError::other(format!(
                "Failed to write to {}: {f}",
                self.topic
            ))),
        }
    }

    /// Hands records to the producer without waiting for the broker; failures are logged
    /// when [`poll`](Self::poll) serves their acknowledgements (Apache's `send` with a
    /// callback).
    pub fn send_nowait(&self, records: &[(String, Option<Vec<u8>>)]) {
        for (key, value) in records {
            let mut record: BaseRecord<'_, str, [u8]> = BaseRecord::to(&self.topic).key(key);
            if let Some(v) = value {
                record = record.payload(v);
            }
            if let Err((e, _)) = self.producer.send(record) {
                tracing::error!("Failed to write {key} to {}: {e}", self.topic);
            }
        }
    }

    /// Serves acknowledgements and waits up to `timeout` for the next record.
    pub fn poll(&self, timeout: Duration) -> Option<LogRecord> {
        self.producer.poll(Duration::ZERO);
        let failures = self.take_failures();
        for f in failures {
            tracing::error!("Failed to write to {}: {f}", self.topic);
        }
        match self.consumer.poll(timeout) {
            Some(Ok(m)) => Some(record_of(&m)),
            Some(Err(e)) => {
                tracing::warn!("error reading {}: {e}", self.topic);
                None
            }
            None => None,
        }
    }

    /// The offset of the next record to read from each partition (after a
    /// [`read_to_end`](Self::read_to_end): the end as of that read); `-1` before anything
    /// was read from a partition.
    pub fn next_offsets(&self) -> HashMap<i32, i64> {
        let Ok(positions) = self.consumer.position() else {
            return HashMap::new();
        };
        positions
            .elements()
            .iter()
            .map(|e| match e.offset() {
                Offset::Offset(o) => (e.partition(), o),
                _ => (e.partition(), -1),
            })
            .collect()
    }

    /// Reads every record not read yet, up to the end of each partition as of this call
    /// (Apache's `readToEnd`), in offset order within each partition.
    pub fn read_to_end(&self, timeout: Duration) -> Result<Vec<LogRecord>> {
        let deadline = Instant::now() + timeout;
        // One ListOffsets round for every partition (timestamp "latest"), not one per
        // partition.
        let mut query = TopicPartitionList::new();
        for p in &self.partitions {
            query
                .add_partition_offset(&self.topic, *p, Offset::End)
                .map_err(|e| ConnectError::other_with("Could not query the topic's end", e))?;
        }
        // A topic just created may have no partition leader for a moment: retry until the
        // deadline, as Apache's `TopicAdmin.retryEndOffsets` does.
        let ends = loop {
            match self.consumer.offsets_for_times(
                query.clone(),
                deadline.saturating_duration_since(Instant::now()),
            ) {
                Ok(ends) => break ends,
                Err(e) if is_retriable(&e) && Instant::now() < deadline => {
                    tracing::debug!("Retrying to read the end of {}: {e}", self.topic);
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => {
                    return Err(ConnectError::other_with(
                        format!("Could not read the end of {}", self.topic),
                        e,
                    ))
                }
            }
        };
        let mut end: HashMap<i32, i64> = HashMap::new();
        for e in ends.elements() {
            let high = match e.offset() {
                Offset::Offset(o) => o,
                _ => 0,
            };
            end.insert(e.partition(), high);
        }
        let mut out = Vec::new();
        loop {
            let positions = self.consumer.position().map_err(|e| {
                ConnectError::other_with(format!("Could not read {}", self.topic), e)
            })?;
            let behind = positions.elements().iter().any(|e| {
                let target = end.get(&e.partition()).copied().unwrap_or(0);
                match e.offset() {
                    Offset::Offset(o) => o < target,
                    // Nothing consumed yet: behind unless the partition is empty.
                    _ => target > 0,
                }
            });
            if !behind {
                return Ok(out);
            }
            if Instant::now() >= deadline {
                return Err(ConnectError::other(format!(
                    "Timed out reading {} to its end",
                    self.topic
                )));
            }
            match self.consumer.poll(Duration::from_millis(100)) {
                Some(Ok(m)) => out.push(record_of(&m)),
                Some(Err(e)) => {
                    tracing::warn!("error reading {}: {e}", self.topic);
                }
                None => {}
            }
        }
    }
}

fn record_of(m: &rdkafka::message::BorrowedMessage<'_>) -> LogRecord {
    let key = m
        .key()
        .map(|k| String::from_utf8_lossy(k).into_owned())
        .unwrap_or_default();
    (key, m.payload().map(<[u8]>::to_vec))
}

/// Apache's `verifyTopicCleanupPolicyOnlyCompact`: an internal topic that deletes old records
/// would lose what it holds.
async fn check_cleanup_policy(admin_props: &ClientProps, spec: &TopicSpec) -> Result<()> {
    let admin: AdminClient<DefaultClientContext> = to_client_config(admin_props)
        .create()
        .map_err(|e| ConnectError::other_with("Failed to create Kafka admin client", e))?;
    let results = admin
        .describe_configs(
            [&ResourceSpecifier::Topic(&spec.name)],
            &AdminOptions::new().request_timeout(Some(Duration::from_secs(30))),
        )
        .await
        .map_err(|e| {
            ConnectError::other_with(format!("Could not describe topic {}", spec.name), e)
        })?;
    let policy = results
        .into_iter()
        .filter_map(|r| r.ok())
        .flat_map(|r| r.entries)
        .find(|e| e.name == "cleanup.policy")
        .and_then(|e| e.value);
    // A broker that does not report the policy (tansu reports only what was set) is trusted.
    let Some(policy) = policy else {
        return Ok(());
    };
    let policies: Vec<String> = policy
        .split(',')
        .map(|p| p.trim().to_ascii_lowercase())
        .collect();
    if policies.iter().all(|p| p == "compact") {
        return Ok(());
    }
    Err(ConnectError::other(format!(
        "Topic '{}' supplied via the '{}' property is required to have 'cleanup.policy=compact' to guarantee consistency and durability of {}, but found the topic currently has 'cleanup.policy={}'. Continuing would likely result in eventually losing {} and problems restarting this Connect cluster in the future. Change the '{}' property in the Connect worker configurations to use a topic with 'cleanup.policy=compact'.",
        spec.name, spec.property, spec.holds, policy, spec.holds, spec.property
    )))
}

/// Errors that pass once the cluster settles (a partition without a leader yet, metadata not
/// yet propagated).
fn is_retriable(e: &rdkafka::error::KafkaError) -> bool {
    use rdkafka::types::RDKafkaErrorCode as C;
    matches!(
        e.rdkafka_error_code(),
        Some(
            C::NotLeaderForPartition
                | C::LeaderNotAvailable
                | C::UnknownTopicOrPartition
                | C::UnknownLeaderEpoch
                | C::FencedLeaderEpoch
                | C::RequestTimedOut
                | C::BrokerTransportFailure
                | C::OperationTimedOut
        )
    )
}
