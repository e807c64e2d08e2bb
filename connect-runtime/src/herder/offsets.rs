//! The offsets REST API (KIP-875): reading, altering and resetting a connector's offsets.
//! Source offsets live in the worker's `OffsetBackingStore`; sink offsets are the committed
//! offsets of the connector's consumer group (`connect-<name>` unless
//! `consumer.override.group.id` says otherwise), read and written with rdkafka clients.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use connect_api::sink::TopicPartition;
use connect_api::source::{SourceOffset, SourcePartition};
use rdkafka::admin::{AdminClient, AdminOptions};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::{Offset, TopicPartitionList};
use serde_json::{Map, Value};

use super::entities::ConnectorOffset;
use super::HerderError;
use crate::kafka::{consumer_props, to_client_config};
use crate::storage::offset_backing_store::OffsetEntries;
use crate::storage::offset_codec::{
    json_to_map, map_to_json, offset_key, offset_value, parse_offset_key, parse_offset_value,
};
use crate::worker::Worker;

/// Store entries and the connector's view of a source offsets change.
pub(crate) type SourceAlteration = (OffsetEntries, Vec<(SourcePartition, Option<SourceOffset>)>);

const KAFKA_TOPIC: &str = "kafka_topic";
const KAFKA_PARTITION: &str = "kafka_partition";
const KAFKA_OFFSET: &str = "kafka_offset";
const TIMEOUT: Duration = Duration::from_secs(30);

fn internal(msg: impl Into<String>) -> HerderError {
    HerderError::Internal(msg.into())
}

/// A source connector's offsets from the store, sorted by partition for stable answers.
pub(crate) async fn source_offsets(
    worker: &Worker,
    name: &str,
) -> Result<Vec<ConnectorOffset>, HerderError> {
    let all = worker.offset_store.all().await.map_err(|e| {
        internal(format!(
            "Failed to retrieve offsets for source connector {name}: {e}"
        ))
    })?;
    let mut out: Vec<(String, ConnectorOffset)> = Vec::new();
    for (k, v) in all {
        let Some((connector, partition)) = parse_offset_key(&k) else {
            continue;
        };
        if connector != name {
            continue;
        }
        let Ok(offset) = parse_offset_value(&v) else {
            continue;
        };
        let (Ok(p), Ok(o)) = (map_to_json(&partition), map_to_json(&offset)) else {
            continue;
        };
        out.push((
            String::from_utf8_lossy(&k).into_owned(),
            ConnectorOffset {
                partition: Some(p),
                offset: Some(o),
            },
        ));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out.into_iter().map(|(_, o)| o).collect())
}

/// Checks and converts a source alter request into store entries and the connector's view.
pub(crate) fn source_entries(
    name: &str,
    offsets: &[ConnectorOffset],
) -> Result<SourceAlteration, HerderError> {
    let mut entries = OffsetEntries::new();
    let mut view = Vec::new();
    for o in offsets {
        let Some(partition) = &o.partition else {
            return Err(HerderError::BadRequest(
                "Source partitions may not be null".to_owned(),
            ));
        };
        let partition = json_to_map(partition);
        let key = offset_key(name, &partition).map_err(|e| {
            HerderError::BadRequest(format!("Invalid source partition {partition:?}: {e}"))
        })?;
        let offset = o.offset.as_ref().map(json_to_map);
        let value = match &offset {
            Some(off) => Some(
                offset_value(off)
                    .map_err(|e| HerderError::BadRequest(format!("Invalid source offset: {e}")))?,
            ),
            None => None,
        };
        entries.insert(key, value);
        view.push((partition, offset));
    }
    Ok((entries, view))
}

/// Every entry of a source connector's offsets as a tombstone (reset).
pub(crate) async fn source_reset_entries(
    worker: &Worker,
    name: &str,
) -> Result<SourceAlteration, HerderError> {
    let all = worker.offset_store.all().await.map_err(|e| {
        internal(format!(
            "Failed to retrieve offsets for source connector {name}: {e}"
        ))
    })?;
    let mut entries = OffsetEntries::new();
    let mut view = Vec::new();
    for k in all.into_keys() {
        if let Some((connector, partition)) = parse_offset_key(&k) {
            if connector == name {
                entries.insert(k, None);
                view.push((partition, None));
            }
        }
    }
    Ok((entries, view))
}

fn parse_integer(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    }
}

fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Checks a sink alter request with Apache's messages (`SinkUtils.parseSinkConnectorOffsets`).
pub(crate) fn sink_entries(
    offsets: &[ConnectorOffset],
) -> Result<HashMap<TopicPartition, Option<i64>>, HerderError> {
    let bad = |m: &str| HerderError::BadRequest(m.to_owned());
    let mut out = HashMap::new();
    for o in offsets {
        let Some(partition) = &o.partition else {
            return Err(bad(
                "The partition for a sink connector offset cannot be null or missing",
            ));
        };
        let (Some(topic), Some(part)) =
            (partition.get(KAFKA_TOPIC), partition.get(KAFKA_PARTITION))
        else {
            return Err(bad("The partition for a sink connector offset must contain the keys 'kafka_topic' and 'kafka_partition'"));
        };
        let Value::String(topic) = topic else {
            return Err(bad(
                "Kafka topic names must be valid strings and may not be null",
            ));
        };
        if part.is_null() {
            return Err(bad(
                "Kafka partitions must be valid numbers and may not be null",
            ));
        }
        let part = parse_integer(part)
            .and_then(|p| i32::try_from(p).ok())
            .ok_or_else(|| {
                HerderError::BadRequest(format!(
                    "Failed to parse the following Kafka partition value in the provided offsets: '{}'. Partition values for sink connectors need to be integers.",
                    shown(part)
                ))
            })?;
        let offset = match &o.offset {
            None => None,
            Some(off) => {
                let Some(v) = off.get(KAFKA_OFFSET) else {
                    return Err(bad("The offset for a sink connector should either be null or contain the key 'kafka_offset'"));
                };
                Some(parse_integer(v).ok_or_else(|| {
                    HerderError::BadRequest(format!(
                        "Failed to parse the following Kafka offset value in the provided offsets: '{}'. Offset values for sink connectors need to be integers.",
                        shown(v)
                    ))
                })?)
            }
        };
        out.insert(TopicPartition::new(topic.clone(), part), offset);
    }
    Ok(out)
}

fn sink_consumer(
    worker: &Worker,
    config: &HashMap<String, String>,
    name: &str,
) -> Result<(BaseConsumer, String), HerderError> {
    let mut props = consumer_props(&worker.config, config, name, 0)
        .map_err(|e| HerderError::BadRequest(e.to_string()))?;
    props.insert("client.id".into(), format!("connector-offsets-{name}"));
    let group = props
        .get("group.id")
        .cloned()
        .unwrap_or_else(|| format!("connect-{name}"));
    let consumer: BaseConsumer = to_client_config(&props).create().map_err(|e| {
        internal(format!(
            "Failed to create consumer for connector {name}: {e}"
        ))
    })?;
    Ok((consumer, group))
}

fn committed(
    consumer: &BaseConsumer,
    name: &str,
) -> Result<BTreeMap<(String, i32), i64>, HerderError> {
    let fail = |e: &dyn std::fmt::Display| {
        internal(format!(
            "Failed to retrieve consumer group offsets for sink connector {name}: {e}"
        ))
    };
    let metadata = consumer
        .fetch_metadata(None, TIMEOUT)
        .map_err(|e| fail(&e))?;
    let mut tpl = TopicPartitionList::new();
    for t in metadata.topics() {
        if t.name().starts_with("__") {
            continue;
        }
        for p in t.partitions() {
            tpl.add_partition(t.name(), p.id());
        }
    }
    if tpl.count() == 0 {
        return Ok(BTreeMap::new());
    }
    let got = consumer
        .committed_offsets(tpl, TIMEOUT)
        .map_err(|e| fail(&e))?;
    Ok(got
        .elements()
        .into_iter()
        .filter_map(|e| match e.offset() {
            Offset::Offset(n) if n >= 0 => Some(((e.topic().to_owned(), e.partition()), n)),
            _ => None,
        })
        .collect())
}

/// A sink connector's committed consumer-group offsets.
pub(crate) async fn sink_offsets(
    worker: &Worker,
    config: &HashMap<String, String>,
    name: &str,
) -> Result<Vec<ConnectorOffset>, HerderError> {
    let (consumer, _) = sink_consumer(worker, config, name)?;
    let name = name.to_owned();
    let offsets = tokio::task::spawn_blocking(move || committed(&consumer, &name))
        .await
        .map_err(|e| internal(format!("offsets thread failed: {e}")))??;
    Ok(offsets
        .into_iter()
        .map(|((topic, partition), offset)| {
            let mut p = Map::new();
            p.insert(KAFKA_TOPIC.into(), Value::String(topic));
            p.insert(KAFKA_PARTITION.into(), Value::from(partition));
            let mut o = Map::new();
            o.insert(KAFKA_OFFSET.into(), Value::from(offset));
            ConnectorOffset {
                partition: Some(p),
                offset: Some(o),
            }
        })
        .collect())
}

async fn delete_group(
    worker: &Worker,
    config: &HashMap<String, String>,
    name: &str,
    group: &str,
) -> Result<(), HerderError> {
    let props = consumer_props(&worker.config, config, name, 0)
        .map_err(|e| HerderError::BadRequest(e.to_string()))?;
    let admin: AdminClient<DefaultClientContext> = to_client_config(&props)
        .create()
        .map_err(|e| internal(format!("Failed to create admin client: {e}")))?;
    let results = admin
        .delete_groups(
            &[group],
            &AdminOptions::new().operation_timeout(Some(TIMEOUT)),
        )
        .await
        .map_err(|e| {
            internal(format!(
                "Failed to reset offsets for sink connector {name}: {e}"
            ))
        })?;
    for r in results {
        match r {
            Ok(_) => {}
            Err((_, rdkafka::types::RDKafkaErrorCode::GroupIdNotFound)) => {}
            Err((_, code)) => {
                return Err(internal(format!(
                    "Failed to reset offsets for sink connector {name}: {code}"
                )))
            }
        }
    }
    Ok(())
}

fn commit(
    consumer: &BaseConsumer,
    offsets: &BTreeMap<(String, i32), i64>,
    name: &str,
) -> Result<(), HerderError> {
    if offsets.is_empty() {
        return Ok(());
    }
    let mut tpl = TopicPartitionList::new();
    for ((topic, partition), offset) in offsets {
        tpl.add_partition_offset(topic, *partition, Offset::Offset(*offset))
            .map_err(|e| internal(e.to_string()))?;
    }
    consumer.commit(&tpl, CommitMode::Sync).map_err(|e| {
        internal(format!(
            "Failed to alter consumer group offsets for sink connector {name}: {e}"
        ))
    })
}

/// Alters a sink connector's consumer-group offsets. Resetting single partitions (`null`
/// offsets) is done by deleting the (empty) group and committing the remaining offsets again,
/// because librdkafka has no "delete committed offsets" call.
pub(crate) async fn alter_sink_offsets(
    worker: &Worker,
    config: &HashMap<String, String>,
    name: &str,
    offsets: &HashMap<TopicPartition, Option<i64>>,
) -> Result<(), HerderError> {
    let (consumer, group) = sink_consumer(worker, config, name)?;
    let has_resets = offsets.values().any(Option::is_none);
    let wanted: BTreeMap<(String, i32), Option<i64>> = offsets
        .iter()
        .map(|(tp, o)| ((tp.topic.clone(), tp.partition), *o))
        .collect();
    let (consumer, current) = if has_resets {
        let n = name.to_owned();
        tokio::task::spawn_blocking(move || committed(&consumer, &n).map(|c| (consumer, c)))
            .await
            .map_err(|e| internal(format!("offsets thread failed: {e}")))??
    } else {
        (consumer, BTreeMap::new())
    };
    let mut to_commit: BTreeMap<(String, i32), i64> = BTreeMap::new();
    if has_resets {
        delete_group(worker, config, name, &group).await?;
        to_commit.extend(current);
    }
    for (tp, o) in wanted {
        match o {
            Some(n) => {
                to_commit.insert(tp, n);
            }
            None => {
                to_commit.remove(&tp);
            }
        }
    }
    let n = name.to_owned();
    tokio::task::spawn_blocking(move || commit(&consumer, &to_commit, &n))
        .await
        .map_err(|e| internal(format!("offsets thread failed: {e}")))?
}

/// Resets a sink connector's offsets: deletes its consumer group.
pub(crate) async fn reset_sink_offsets(
    worker: &Worker,
    config: &HashMap<String, String>,
    name: &str,
) -> Result<(), HerderError> {
    let (_, group) = sink_consumer(worker, config, name)?;
    delete_group(worker, config, name, &group).await
}
