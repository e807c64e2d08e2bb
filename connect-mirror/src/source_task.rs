//! [`MirrorSourceTask`]: consumes its share of the source partitions and hands each record
//! to the worker unchanged — key, value and headers as bytes, same partition, same
//! timestamp — under the remote topic's name.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use connect_api::async_trait;
use connect_api::connector::Props;
use connect_api::data::{Value, BYTES_SCHEMA, OPTIONAL_BYTES_SCHEMA};
use connect_api::errors::{ConnectError, Result};
use connect_api::header::Headers;
use connect_api::source::{
    RecordMetadata, SourceOffset, SourcePartition, SourceRecord, SourceTask, SourceTaskContext,
};
use rdkafka::config::FromClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Headers as _, Message};
use rdkafka::producer::ThreadedProducer;
use rdkafka::{Offset, TopicPartitionList};
use tracing::{info, warn};

use crate::config::{client_config, Cluster, MirrorSourceSettings, Role};
use crate::offset_syncs::OffsetSyncWriter;

/// Source partition keys, Apache's (`MirrorUtils.wrapPartition` / `wrapOffset`).
const CLUSTER_KEY: &str = "cluster";
const TOPIC_KEY: &str = "topic";
const PARTITION_KEY: &str = "partition";
const OFFSET_KEY: &str = "offset";

/// The most records one poll returns, and the most bytes.
const POLL_RECORDS: usize = 10_000;
const POLL_BYTES: usize = 8 << 20;

/// Copies records of its source partitions to their remote topics (Apache's
/// `MirrorSourceTask`).
#[derive(Default)]
pub struct MirrorSourceTask {
    context: Option<Arc<dyn SourceTaskContext>>,
    running: Option<Running>,
}

/// A source topic's remote name, and each of its partitions' source-partition maps.
type TopicRoute = (Arc<str>, HashMap<i32, Arc<SourcePartition>>);

struct Running {
    settings: MirrorSourceSettings,
    consumer: BaseConsumer,
    syncs: Option<OffsetSyncWriter>,
    /// Per source topic: its remote name, and each partition's source-partition map.
    topics: HashMap<String, TopicRoute>,
}

/// `topic-partition`, split at the last `-` (Java's `TopicPartition.toString`).
fn parse_topic_partition(s: &str) -> Result<(String, i32)> {
    let bad = || {
        ConnectError::other(format!(
            "Invalid task partition '{s}': expected <topic>-<partition>"
        ))
    };
    let (topic, partition) = s.trim().rsplit_once('-').ok_or_else(bad)?;
    let partition: i32 = partition.parse().map_err(|_| bad())?;
    Ok((topic.to_owned(), partition))
}

/// The source partition map of a topic-partition.
pub fn wrap_partition(alias: &str, topic: &str, partition: i32) -> SourcePartition {
    SourcePartition::from([
        (CLUSTER_KEY.to_owned(), Value::from(alias.to_owned())),
        (PARTITION_KEY.to_owned(), Value::Int32(partition)),
        (TOPIC_KEY.to_owned(), Value::from(topic.to_owned())),
    ])
}

fn upstream_offset(offset: &SourceOffset) -> Option<i64> {
    offset.get(OFFSET_KEY).and_then(Value::as_i64)
}

impl Running {
    fn convert(&self, m: &rdkafka::message::BorrowedMessage<'_>) -> Option<SourceRecord> {
        let (remote, partitions) = self.topics.get(m.topic())?;
        let partition = partitions.get(&m.partition())?.clone();
        let offset = SourceOffset::from([(OFFSET_KEY.to_owned(), Value::Int64(m.offset()))]);
        let bytes = |b: Option<&[u8]>| b.map_or(Value::Null, |b| Value::Bytes(b.to_vec().into()));
        let mut record = SourceRecord::new(
            partition,
            offset,
            remote.to_string(),
            Some(BYTES_SCHEMA.clone()),
            bytes(m.payload()),
        )
        .with_partition(m.partition())
        .with_key(Some(OPTIONAL_BYTES_SCHEMA.clone()), bytes(m.key()));
        if let Some(ts) = m.timestamp().to_millis() {
            record = record.with_timestamp(ts);
        }
        if let Some(h) = m.headers() {
            let mut headers = Headers::new();
            for header in h.iter() {
                headers.add_value(header.key, Some(BYTES_SCHEMA.clone()), bytes(header.value));
            }
            record = record.with_headers(headers);
        }
        Some(record)
    }
}

#[async_trait]
impl SourceTask for MirrorSourceTask {
    fn initialize(&mut self, context: Arc<dyn SourceTaskContext>) {
        self.context = Some(context);
    }

    async fn start(&mut self, props: Props) -> Result<()> {
        let settings = MirrorSourceSettings::parse(&props)?;
        let assigned: Vec<(String, i32)> = settings
            .task_partitions
            .iter()
            .filter(|s| !s.trim().is_empty())
            .map(|s| parse_topic_partition(s))
            .collect::<Result<_>>()?;
        let mut config = client_config(&props, Cluster::Source, Role::Consumer)?;
        config.set("enable.auto.commit", "false");
        config.set("enable.auto.offset.store", "false");
        // Never joined nor committed: partitions are assigned, positions kept by Connect; a
        // partition without a committed position starts where auto.offset.reset says.
        let reset = match config.get("auto.offset.reset").map(str::to_ascii_lowercase) {
            Some(r) if ["latest", "largest", "end"].contains(&r.as_str()) => Offset::End,
            _ => Offset::Beginning,
        };
        if config.get("group.id").is_none() {
            config.set("group.id", format!("mirror-{}", settings.source_alias));
        }
        let consumer = BaseConsumer::from_config(&config).map_err(|e| {
            ConnectError::other(format!("could not create the source consumer: {e}"))
        })?;
        let mut topics: HashMap<String, TopicRoute> = HashMap::new();
        let mut list = TopicPartitionList::new();
        let reader = self.context.as_ref().map(|c| c.offset_storage_reader());
        let mut resumed = 0;
        for (topic, p) in &assigned {
            let wrapped = Arc::new(wrap_partition(&settings.source_alias, topic, *p));
            let stored = match &reader {
                Some(r) => r.offset(&wrapped).await?,
                None => None,
            };
            let position = match stored.as_ref().and_then(upstream_offset) {
                Some(o) if o >= 0 => {
                    resumed += 1;
                    Offset::Offset(o + 1)
                }
                _ => reset,
            };
            list.add_partition_offset(topic, *p, position)
                .map_err(|e| ConnectError::other(format!("could not assign {topic}-{p}: {e}")))?;
            let remote = settings
                .policy
                .format_remote_topic(&settings.source_alias, topic);
            topics
                .entry(topic.clone())
                .or_insert_with(|| (Arc::from(remote.as_str()), HashMap::new()))
                .1
                .insert(*p, wrapped);
        }
        consumer.assign(&list).map_err(|e| {
            ConnectError::other(format!("could not assign the source partitions: {e}"))
        })?;
        info!(
            "Replicating {} partitions ({resumed} resumed from committed offsets)",
            assigned.len()
        );
        let syncs = if settings.emit_offset_syncs {
            let (topic, cluster) = settings.offset_syncs_topic();
            let config = client_config(&props, cluster, Role::Producer)?;
            let producer = ThreadedProducer::from_config(&config).map_err(|e| {
                ConnectError::other(format!("could not create the offset-syncs producer: {e}"))
            })?;
            Some(OffsetSyncWriter::new(
                settings.offset_lag_max,
                topic,
                producer,
            ))
        } else {
            None
        };
        self.running = Some(Running {
            settings,
            consumer,
            syncs,
            topics,
        });
        Ok(())
    }

    async fn poll(&mut self) -> Result<Vec<SourceRecord>> {
        let Some(r) = &mut self.running else {
            return Ok(Vec::new());
        };
        let deadline = Instant::now() + r.settings.poll_timeout;
        let mut out = Vec::new();
        let mut bytes = 0;
        while out.len() < POLL_RECORDS && bytes < POLL_BYTES {
            // Wait for the first record; then take what has arrived, without waiting.
            let wait = if out.is_empty() {
                deadline.saturating_duration_since(Instant::now())
            } else {
                Duration::ZERO
            };
            match r.consumer.poll(wait) {
                None => break,
                Some(Ok(m)) => {
                    bytes += m.payload_len() + m.key().map_or(0, <[u8]>::len);
                    if let Some(record) = r.convert(&m) {
                        out.push(record);
                    }
                }
                Some(Err(e)) => {
                    // As Apache: a client error is logged and the poll ends; librdkafka retries.
                    warn!("Failure during poll: {e}");
                    break;
                }
            }
        }
        Ok(out)
    }

    fn commit_record(
        &mut self,
        record: &SourceRecord,
        metadata: Option<&RecordMetadata>,
    ) -> Result<()> {
        let Some(r) = &mut self.running else {
            return Ok(());
        };
        let (Some(syncs), Some(metadata)) = (&mut r.syncs, metadata) else {
            return Ok(());
        };
        let Some(downstream) = metadata.offset else {
            return Ok(());
        };
        let partition = &record.source_partition;
        let topic = partition.get(TOPIC_KEY).and_then(Value::as_str);
        let p = partition
            .get(PARTITION_KEY)
            .and_then(Value::as_i64)
            .and_then(|p| i32::try_from(p).ok());
        if let (Some(topic), Some(p), Some(upstream)) =
            (topic, p, upstream_offset(&record.source_offset))
        {
            syncs.record(topic, p, upstream, downstream);
        }
        Ok(())
    }

    async fn commit(&mut self) -> Result<()> {
        if let Some(syncs) = self.running.as_mut().and_then(|r| r.syncs.as_mut()) {
            syncs.commit();
        }
        Ok(())
    }

    async fn stop(&mut self) -> Result<()> {
        if let Some(r) = self.running.take() {
            if let Some(syncs) = &r.syncs {
                syncs.close(Duration::from_secs(5));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_partitions_split_at_the_last_dash() {
        assert_eq!(
            parse_topic_partition("my-topic-12").unwrap(),
            ("my-topic".to_owned(), 12)
        );
        assert!(parse_topic_partition("nodash").is_err());
        assert!(parse_topic_partition("t-x").is_err());
    }
}
