//! MirrorMaker 2's connectors on a standalone worker, between two Apache Kafka brokers (the
//! remote topics' partition counts and configs need a broker with full topic configs): topics
//! of cluster A arrive on B as `A.<topic>`, record for record, with keys, headers, partitions
//! and timestamps intact; a topic created later follows within the refresh interval; the
//! offset syncs and heartbeats are in Apache's format; a restarted worker resumes where it
//! committed.

#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use common::{apache_available, free_port, worker_properties, ConnectProcess};
use connect_mirror::records::{Heartbeat, OffsetSync};
use rdkafka::admin::{AdminClient, AdminOptions, ResourceSpecifier};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Header, Headers, Message, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};

/// (key, value, headers, timestamp) of each record, by partition, in offset order.
type Contents = BTreeMap<
    i32,
    Vec<(
        Option<Vec<u8>>,
        Option<Vec<u8>>,
        Vec<(String, Vec<u8>)>,
        i64,
    )>,
>;

fn read_all(bootstrap: &str, topic: &str, partitions: i32) -> Contents {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", "mirror-test-reader")
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    let mut out = Contents::new();
    let mut highs = BTreeMap::new();
    let mut list = TopicPartitionList::new();
    for p in 0..partitions {
        let Ok((_, high)) = consumer.fetch_watermarks(topic, p, Duration::from_secs(10)) else {
            return out;
        };
        highs.insert(p, high);
        out.insert(p, Vec::new());
        list.add_partition_offset(topic, p, Offset::Beginning)
            .unwrap();
    }
    consumer.assign(&list).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let done = |out: &Contents| highs.iter().all(|(p, h)| out[p].len() as i64 >= *h);
    while !done(&out) && Instant::now() < deadline {
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(500)) {
            let headers = m
                .headers()
                .map(|h| {
                    h.iter()
                        .map(|h| (h.key.to_owned(), h.value.unwrap_or_default().to_vec()))
                        .collect()
                })
                .unwrap_or_default();
            if let Some(rows) = out.get_mut(&m.partition()) {
                rows.push((
                    m.key().map(<[u8]>::to_vec),
                    m.payload().map(<[u8]>::to_vec),
                    headers,
                    m.timestamp().to_millis().unwrap_or(-1),
                ));
            }
        }
    }
    out
}

/// Fails, saying where, unless `copied` holds exactly `original`.
fn assert_same(copied: &Contents, original: &Contents, what: &str) {
    for (p, rows) in original {
        let got = copied.get(p).map_or(&[][..], Vec::as_slice);
        if let Some(i) = (0..rows.len().max(got.len())).find(|i| rows.get(*i) != got.get(*i)) {
            panic!(
                "{what} partition {p}: {} records, {} expected; first difference at offset {i}: {:?} where {:?} was expected",
                got.len(),
                rows.len(),
                got.get(i),
                rows.get(i)
            );
        }
    }
    assert_eq!(copied.len(), original.len(), "{what}: partition count");
}

fn count(contents: &Contents) -> usize {
    contents.values().map(Vec::len).sum()
}

async fn produce(bootstrap: &str, topic: &str, partitions: i32, from: usize, to: usize) {
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .unwrap();
    // Recent timestamps, each its own: the topic's retention.ms must not delete them.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    for i in from..to {
        let key = format!("key-{i}");
        let value = format!("value-{i}");
        let headers = OwnedHeaders::new()
            .insert(Header {
                key: "trace",
                value: Some(format!("t{i}").as_bytes()),
            })
            .insert(Header {
                key: "empty",
                value: None::<&[u8]>,
            });
        let partition = (i % partitions as usize) as i32;
        let record = FutureRecord::to(topic)
            .key(&key)
            .payload(&value)
            .partition(partition)
            .timestamp(now - 100_000 + i as i64)
            .headers(headers);
        producer
            .send(record, Duration::from_secs(30))
            .await
            .map_err(|(e, _)| e)
            .unwrap();
    }
}

async fn wait_for_count(
    bootstrap: &str,
    topic: &str,
    partitions: i32,
    n: usize,
    log: &Path,
) -> Contents {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let contents = read_all(bootstrap, topic, partitions);
        if count(&contents) >= n {
            return contents;
        }
        assert!(
            Instant::now() < deadline,
            "{topic} holds {} records, not {n}:\n{}",
            count(&contents),
            std::fs::read_to_string(log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn topic_config(bootstrap: &str, topic: &str, name: &str) -> Option<String> {
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .unwrap();
    let results = admin
        .describe_configs([&ResourceSpecifier::Topic(topic)], &AdminOptions::new())
        .await
        .ok()?;
    results
        .into_iter()
        .flatten()
        .flat_map(|r| r.entries)
        .find(|e| e.name == name)
        .and_then(|e| e.value)
}

fn partition_count(bootstrap: &str, topic: &str) -> usize {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .unwrap();
    consumer
        .fetch_metadata(Some(topic), Duration::from_secs(10))
        .ok()
        .and_then(|m| m.topics().first().map(|t| t.partitions().len()))
        .unwrap_or(0)
}

fn raw_records(bootstrap: &str, topic: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", "mirror-test-raw")
        .create()
        .unwrap();
    let (_, high) = consumer
        .fetch_watermarks(topic, 0, Duration::from_secs(10))
        .unwrap_or((0, 0));
    let mut list = TopicPartitionList::new();
    list.add_partition_offset(topic, 0, Offset::Beginning)
        .unwrap();
    consumer.assign(&list).unwrap();
    let mut out = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while (out.len() as i64) < high && Instant::now() < deadline {
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(500)) {
            out.push((
                m.key().unwrap_or_default().to_vec(),
                m.payload().unwrap_or_default().to_vec(),
            ));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topics_of_a_reach_b_intact_and_a_restart_resumes() {
    if !apache_available("topics_of_a_reach_b_intact_and_a_restart_resumes") {
        return;
    }
    let a = connect_testbed::Broker::apache(&[]).unwrap();
    let b = connect_testbed::Broker::apache(&[]).unwrap();
    a.create_topic_with("orders", 3, &[("retention.ms", "3600000")])
        .await
        .unwrap();
    produce(&a.bootstrap, "orders", 3, 0, 3000).await;

    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let bytes = "org.apache.kafka.connect.converters.ByteArrayConverter";
    let worker = worker_properties(
        dir.path(),
        &b.bootstrap,
        port,
        &[
            ("key.converter", bytes),
            ("value.converter", bytes),
            ("header.converter", bytes),
        ],
    );
    let log = dir.path().join("worker.log");
    let flow = format!(
        "source.cluster.alias=A\ntarget.cluster.alias=B\nsource.cluster.bootstrap.servers={}\ntarget.cluster.bootstrap.servers={}\n",
        a.bootstrap, b.bootstrap
    );
    let source = dir.path().join("mirror-source.properties");
    std::fs::write(
        &source,
        format!(
            "name=mirror-source\nconnector.class=MirrorSourceConnector\ntasks.max=2\ntopics=orders.*\nreplication.factor=1\noffset-syncs.topic.replication.factor=1\nrefresh.topics.interval.seconds=1\noffset.lag.max=0\n{flow}"
        ),
    )
    .unwrap();
    let heartbeat = dir.path().join("mirror-heartbeat.properties");
    std::fs::write(
        &heartbeat,
        format!("name=mirror-heartbeat\nconnector.class=MirrorHeartbeatConnector\nheartbeats.topic.replication.factor=1\n{flow}"),
    )
    .unwrap();
    let filter = "info,connect_mirror=debug";
    let mut process =
        ConnectProcess::start_logging(&worker, &[&source, &heartbeat], port, &log, filter);

    // Record for record, per partition, in order.
    let copied = wait_for_count(&b.bootstrap, "A.orders", 3, 3000, &log).await;
    assert_eq!(partition_count(&b.bootstrap, "A.orders"), 3);
    let original = read_all(&a.bootstrap, "orders", 3);
    assert_same(&copied, &original, "A.orders");
    assert_eq!(
        topic_config(&b.bootstrap, "A.orders", "retention.ms")
            .await
            .as_deref(),
        Some("3600000"),
        "the topic config was not copied"
    );

    // A topic created later follows within the refresh interval.
    a.create_topic("orders-late", 2).await.unwrap();
    produce(&a.bootstrap, "orders-late", 2, 0, 100).await;
    let late = wait_for_count(&b.bootstrap, "A.orders-late", 2, 100, &log).await;
    assert_same(
        &late,
        &read_all(&a.bootstrap, "orders-late", 2),
        "A.orders-late",
    );

    // Offset syncs (on A, named after B) and heartbeats (on B) in Apache's format.
    let syncs: Vec<OffsetSync> = raw_records(&a.bootstrap, "mm2-offset-syncs.B.internal")
        .iter()
        .map(|(k, v)| OffsetSync::decode(k, v).unwrap())
        .collect();
    assert!(
        syncs
            .iter()
            .any(|s| s.topic == "orders" && s.upstream == s.downstream),
        "{syncs:?}"
    );
    let beats: Vec<Heartbeat> = raw_records(&b.bootstrap, "heartbeats")
        .iter()
        .map(|(k, v)| Heartbeat::decode(k, v).unwrap())
        .collect();
    assert!(
        beats.iter().any(|h| h.source == "A" && h.target == "B"),
        "{beats:?}"
    );

    // Stopped and started again, the worker resumes after what it committed.
    assert_eq!(process.terminate(), Some(0));
    produce(&a.bootstrap, "orders", 3, 3000, 4000).await;
    let process =
        ConnectProcess::start_logging(&worker, &[&source, &heartbeat], port, &log, filter);
    let copied = wait_for_count(&b.bootstrap, "A.orders", 3, 4000, &log).await;
    assert_same(
        &copied,
        &read_all(&a.bootstrap, "orders", 3),
        "A.orders after the restart",
    );
    drop(process);
}
