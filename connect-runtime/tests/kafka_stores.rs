//! The config, offset and status topic stores (`KafkaConfigBackingStore`,
//! `KafkaOffsetBackingStore`, `KafkaStatusBackingStore`):
//! what one worker writes another reads, bad internal topics are refused with a message naming
//! the problem, and the formats are Apache's — Apache's distributed worker runs a connector we
//! wrote to its config topic from the offset we wrote, and we read the connectors it creates,
//! pauses and stops, the offsets it commits and the statuses it reports.

#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use std::time::{Duration, Instant};

use common::apache_available;
use connect_api::connector::Props;
use connect_api::data::Value as ConnectValue;
use connect_runtime::kafka::ClientProps;
use connect_runtime::storage::offset_codec::{offset_key, offset_value, parse_offset_value};
use connect_runtime::storage::{
    ConfigBackingStore, KafkaConfigBackingStore, KafkaOffsetBackingStore, KafkaStatusBackingStore,
    OffsetBackingStore, StatusBackingStore,
};
use connect_runtime::worker::TargetState;
use connect_runtime::worker::{State, TaskId};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use serde_json::{json, Value};

fn props(pairs: &[(&str, &str)]) -> Props {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn client(bootstrap: &str) -> ClientProps {
    ClientProps::from([("bootstrap.servers".to_owned(), bootstrap.to_owned())])
}

async fn open(
    bootstrap: &str,
    topic: &str,
) -> connect_api::errors::Result<KafkaConfigBackingStore> {
    let c = client(bootstrap);
    KafkaConfigBackingStore::open(&c, &c, &c, topic, 1).await
}

/// Polls `check` on fresh reads of the store until it holds, for at most 60 s.
async fn eventually(
    store: &KafkaConfigBackingStore,
    what: &str,
    check: impl Fn(&KafkaConfigBackingStore) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        store.refresh().await.unwrap();
        if check(store) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}: {:?}",
            store.snapshot()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_one_worker_writes_another_reads() {
    let broker = connect_testbed::Broker::start().unwrap();
    let a = open(&broker.bootstrap, "configs").await.unwrap();
    assert!(a.snapshot().is_empty());
    let config = props(&[("connector.class", "FileStreamSource"), ("name", "c-1")]);
    a.put_connector_config("c-1", config.clone(), Some(TargetState::Paused))
        .await
        .unwrap();
    let tasks = vec![
        props(&[("task.class", "T"), ("n", "0")]),
        props(&[("task.class", "T"), ("n", "1")]),
    ];
    a.put_task_configs("c-1", tasks.clone()).await.unwrap();
    a.put_connector_config("other", Props::new(), None)
        .await
        .unwrap();
    a.put_target_state("other", TargetState::Stopped)
        .await
        .unwrap();

    // A second worker, reading the topic from the start.
    let b = open(&broker.bootstrap, "configs").await.unwrap();
    let snap = b.snapshot();
    assert_eq!(snap.len(), 2);
    assert_eq!(snap["c-1"].config, config);
    assert_eq!(snap["c-1"].target, TargetState::Paused);
    assert_eq!(snap["c-1"].task_configs, tasks);
    assert_eq!(snap["other"].target, TargetState::Stopped);

    // Changes by one are seen by the other on its next read.
    b.put_task_configs("c-1", Vec::new()).await.unwrap();
    b.remove_connector_config("other").await.unwrap();
    a.refresh().await.unwrap();
    let snap = a.snapshot();
    assert_eq!(snap.keys().collect::<Vec<_>>(), ["c-1"]);
    assert!(snap["c-1"].task_configs.is_empty());
}

async fn open_offsets(bootstrap: &str, topic: &str) -> KafkaOffsetBackingStore {
    let c = client(bootstrap);
    KafkaOffsetBackingStore::open(&c, &c, &c, topic, 25, 1)
        .await
        .unwrap()
}

/// The offset key and value of a FileStreamSource partition.
fn file_offset(connector: &str, file: &str, position: i64) -> (Vec<u8>, Vec<u8>) {
    let partition = [("filename".to_owned(), ConnectValue::String(file.to_owned()))].into();
    let offset = [("position".to_owned(), ConnectValue::Int64(position))].into();
    (
        offset_key(connector, &partition).unwrap(),
        offset_value(&offset).unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offsets_written_by_one_worker_are_read_by_another() {
    let broker = connect_testbed::Broker::start().unwrap();
    let a = open_offsets(&broker.bootstrap, "offsets").await;
    let (k1, v1) = file_offset("c", "/a", 10);
    let (k2, v2) = file_offset("c", "/b", 20);
    a.set(
        [
            (k1.clone(), Some(v1.clone())),
            (k2.clone(), Some(v2.clone())),
        ]
        .into(),
    )
    .await
    .unwrap();
    let b = open_offsets(&broker.bootstrap, "offsets").await;
    let got = b.get(&[k1.clone(), k2.clone()]).await.unwrap();
    assert_eq!(got.get(&k1), Some(&v1));
    assert_eq!(got.get(&k2), Some(&v2));
    // A newer offset and a reset, seen by the other store on its next read.
    let (_, v1b) = file_offset("c", "/a", 11);
    b.set([(k1.clone(), Some(v1b.clone())), (k2.clone(), None)].into())
        .await
        .unwrap();
    let all = a.all().await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all.get(&k1), Some(&v1b));
}

async fn open_statuses(bootstrap: &str, topic: &str, worker: &str) -> KafkaStatusBackingStore {
    let c = client(bootstrap);
    KafkaStatusBackingStore::open(&c, &c, &c, topic, 5, 1, worker)
        .await
        .unwrap()
}

/// Waits until `check` holds for the store, for at most 60 s.
async fn until(what: &str, check: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statuses_one_worker_reports_another_sees() {
    let broker = connect_testbed::Broker::start().unwrap();
    let a = open_statuses(&broker.bootstrap, "statuses", "a:8083").await;
    let b = open_statuses(&broker.bootstrap, "statuses", "b:8083").await;
    a.put_connector("c-1", State::Running, None);
    a.put_task(
        &TaskId::new("c-1", 0),
        State::Failed,
        Some("boom".to_owned()),
    );
    // Seen at once by the worker that wrote it, and soon by the other (the two records are in
    // different partitions, so they may arrive in either order).
    assert_eq!(a.connector("c-1").unwrap().state, State::Running);
    until("b to see c-1 and its task", || {
        b.task(&TaskId::new("c-1", 0)).is_some() && b.connector("c-1").is_some()
    })
    .await;
    let t = b.task(&TaskId::new("c-1", 0)).unwrap();
    assert_eq!(
        (t.state, t.trace.as_deref(), t.worker_id.as_deref()),
        (State::Failed, Some("boom"), Some("a:8083"))
    );
    assert_eq!(
        b.connector("c-1").unwrap().worker_id.as_deref(),
        Some("a:8083")
    );
    // A third worker starting later reads it all from the topic.
    let c = open_statuses(&broker.bootstrap, "statuses", "c:8083").await;
    assert_eq!(c.tasks("c-1").len(), 1);
    // Removal is seen everywhere.
    a.remove("c-1");
    until("b to see c-1 removed", || {
        b.connector("c-1").is_none() && b.tasks("c-1").is_empty()
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_config_topic_that_would_lose_configurations_is_refused() {
    let broker = connect_testbed::Broker::start().unwrap();
    broker.create_topic("three-partitions", 3).await.unwrap();
    let err = open(&broker.bootstrap, "three-partitions")
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("Topic 'three-partitions' supplied via the 'config.storage.topic' property is required to have a single partition")
            && err.contains("found 3 partitions"),
        "{err}"
    );
    let c = client(&broker.bootstrap);
    connect_runtime::kafka::admin::create_topic(
        &c,
        "deletes",
        1,
        1,
        &[("cleanup.policy".to_owned(), "delete".to_owned())],
    )
    .await
    .unwrap();
    let err = open(&broker.bootstrap, "deletes")
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("required to have 'cleanup.policy=compact'")
            && err.contains("'cleanup.policy=delete'"),
        "{err}"
    );
}

/// The values of a topic once it holds `n` records, checking for a while that no more come.
async fn values(bootstrap: &str, topic: &str, n: usize) -> Vec<String> {
    let consumer: BaseConsumer = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", format!("check-{topic}"))
        .set("auto.offset.reset", "earliest")
        .create()
        .unwrap();
    consumer.subscribe(&[topic]).unwrap();
    let mut out = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut quiet_until = None;
    loop {
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(100)) {
            out.push(String::from_utf8_lossy(m.payload().unwrap_or_default()).into_owned());
        }
        if out.len() >= n {
            let until = *quiet_until.get_or_insert_with(|| Instant::now() + Duration::from_secs(2));
            if Instant::now() >= until {
                return out;
            }
        }
        assert!(
            Instant::now() < deadline,
            "{topic} held {out:?}, not {n} records"
        );
    }
}

async fn rest(
    client: &reqwest::Client,
    method: &str,
    url: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = client.request(method.parse().unwrap(), url);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let code = r.status().as_u16();
    (
        code,
        serde_json::from_str(&r.text().await.unwrap()).unwrap_or(Value::Null),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apaches_distributed_worker_and_ours_share_the_internal_topics() {
    if !apache_available("apaches_distributed_worker_and_ours_share_the_internal_topics") {
        return;
    }
    let broker = connect_testbed::Broker::apache(&[]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ours = open(&broker.bootstrap, "mixed-configs").await.unwrap();

    // Written by us before Apache's worker starts: a paused source with one task.
    let source_file = dir.path().join("in.txt");
    std::fs::write(&source_file, "skipped\nread\n").unwrap();
    let source_path = source_file.to_str().unwrap().to_owned();
    // An offset we wrote: Apache's task must resume after the first line.
    let offsets = open_offsets(&broker.bootstrap, "mixed-offsets").await;
    let (key, value) = file_offset("from-rust", &source_path, 8);
    offsets
        .set([(key.clone(), Some(value))].into())
        .await
        .unwrap();
    let from_rust = props(&[
        (
            "connector.class",
            "org.apache.kafka.connect.file.FileStreamSourceConnector",
        ),
        ("name", "from-rust"),
        ("tasks.max", "1"),
        ("file", source_file.to_str().unwrap()),
        ("topic", "from-rust-topic"),
    ]);
    ours.put_connector_config("from-rust", from_rust.clone(), Some(TargetState::Paused))
        .await
        .unwrap();
    let mut task = from_rust.clone();
    task.insert(
        "task.class".into(),
        "org.apache.kafka.connect.file.FileStreamSourceTask".into(),
    );
    ours.put_task_configs("from-rust", vec![task])
        .await
        .unwrap();

    let (worker_props, port) = common::apache_distributed_properties(
        dir.path(),
        &broker.bootstrap,
        "mixed",
        "mixed",
        &["offset.flush.interval.ms=500"],
    );
    let java = connect_testbed::apache::ApacheWorker::distributed(
        &worker_props,
        port,
        &dir.path().join("apache-distributed.log"),
    )
    .unwrap();
    let http = reqwest::Client::new();
    let base = &java.rest;

    // Apache's worker knows our connector, its configuration and its target state.
    let (code, config) = rest(
        &http,
        "GET",
        &format!("{base}/connectors/from-rust/config"),
        None,
    )
    .await;
    assert_eq!(code, 200, "{config}");
    assert_eq!(config, serde_json::to_value(&from_rust).unwrap());
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, s) = rest(
            &http,
            "GET",
            &format!("{base}/connectors/from-rust/status"),
            None,
        )
        .await;
        if s["connector"]["state"] == "PAUSED" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "from-rust never PAUSED on Apache's worker: {s}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Resumed, Apache's task starts from our offset: only the second line is copied, and the
    // offset Apache commits after it is read by our store.
    let (code, _) = rest(
        &http,
        "PUT",
        &format!("{base}/connectors/from-rust/resume"),
        None,
    )
    .await;
    assert_eq!(code, 202);
    assert_eq!(
        values(&broker.bootstrap, "from-rust-topic", 1).await,
        ["read"]
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let got = offsets.get(std::slice::from_ref(&key)).await.unwrap();
        let position = got
            .get(&key)
            .map(|v| parse_offset_value(v).unwrap())
            .and_then(|o| o.get("position").cloned());
        if position == Some(ConnectValue::Int64(13)) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "Apache's offset never reached 13: {position:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // The statuses Apache's worker reports are read by our store.
    let statuses = open_statuses(&broker.bootstrap, "mixed-status", "ours:8083").await;
    until("from-rust RUNNING in the status topic", || {
        statuses
            .connector("from-rust")
            .is_some_and(|s| s.state == State::Running)
            && statuses
                .task(&TaskId::new("from-rust", 0))
                .is_some_and(|s| s.state == State::Running)
    })
    .await;
    let s = statuses.connector("from-rust").unwrap();
    assert!(
        s.worker_id
            .as_deref()
            .is_some_and(|w| w.ends_with(&format!(":{port}"))),
        "{s:?}"
    );

    // A connector created through Apache's REST API: we read its configuration and tasks.
    let sink_file = dir.path().join("out.txt");
    let (code, body) = rest(
        &http,
        "POST",
        &format!("{base}/connectors"),
        Some(json!({"name": "from-java", "config": {
            "connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
            "tasks.max": "1",
            "topics": "from-rust-topic",
            "file": sink_file.to_str().unwrap(),
        }})),
    )
    .await;
    assert_eq!(code, 201, "{body}");
    eventually(&ours, "from-java's task", |s| {
        s.connector("from-java")
            .is_some_and(|c| c.task_configs.len() == 1)
    })
    .await;
    let c = ours.connector("from-java").unwrap();
    assert_eq!(c.config["name"], "from-java");
    assert_eq!(c.config["file"], sink_file.to_str().unwrap());
    assert_eq!(c.target, TargetState::Started);
    assert_eq!(
        c.task_configs[0]["task.class"],
        "org.apache.kafka.connect.file.FileStreamSinkTask"
    );

    // Stopped and deleted through Apache's API: we see both.
    let (code, _) = rest(
        &http,
        "PUT",
        &format!("{base}/connectors/from-java/stop"),
        None,
    )
    .await;
    assert_eq!(code, 204);
    eventually(&ours, "from-java stopped", |s| {
        s.connector("from-java")
            .is_some_and(|c| c.target == TargetState::Stopped && c.task_configs.is_empty())
    })
    .await;
    let (code, _) = rest(
        &http,
        "DELETE",
        &format!("{base}/connectors/from-rust"),
        None,
    )
    .await;
    assert_eq!(code, 204);
    eventually(&ours, "from-rust deleted", |s| {
        s.connector("from-rust").is_none()
    })
    .await;
    drop(java);
}
