//! No record lost by a sink in any state: created paused over a full topic, paused and resumed
//! under load, retrying after retriable `put` failures, rebalancing when its task count
//! changes. An in-process standalone worker runs a recording sink (registered by this test
//! binary) against Apache Kafka's broker: tansu's group coordinator makes a rejoining member
//! wait out its predecessor's session, which turns every rebalance here into minutes. Skipped
//! with a note where Apache Kafka cannot run (an error when `CONNECT_TEST_REQUIRE_APACHE=1`).

#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use common::apache_available;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use connect_api::prelude::*;
use connect_runtime::herder::Herder;
use connect_runtime::standalone::StandaloneWorker;
use connect_runtime::worker::TargetState;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};

/// How many times each record (topic, partition, offset) was handed to a connector's tasks.
type Deliveries = BTreeMap<(String, i32, i64), u32>;

/// Deliveries by connector name.
static DELIVERED: OnceLock<Mutex<HashMap<String, Deliveries>>> = OnceLock::new();
static PUTS: AtomicU64 = AtomicU64::new(0);

fn delivered() -> &'static Mutex<HashMap<String, Deliveries>> {
    DELIVERED.get_or_init(Default::default)
}

/// A sink that records what it is handed, and fails every `fail.every`-th non-empty `put`
/// with a retriable error before recording anything.
#[derive(Default)]
pub struct RecordingSink {
    props: Props,
}

#[async_trait]
impl SinkConnector for RecordingSink {
    async fn start(&mut self, props: Props) -> Result<()> {
        self.props = props;
        Ok(())
    }
    fn task_configs(&self, max_tasks: usize) -> Result<Vec<Props>> {
        Ok(vec![self.props.clone(); max_tasks])
    }
    async fn stop(&mut self) -> Result<()> {
        Ok(())
    }
    fn config(&self) -> ConfigDef {
        ConfigDef::new()
    }
}

/// With `report.every` = n, every record whose offset is n-1 modulo n is handed back through
/// the errant record reporter instead of being recorded.
#[derive(Default)]
pub struct RecordingTask {
    name: String,
    fail_every: u64,
    report_every: i64,
    context: Option<std::sync::Arc<dyn SinkTaskContext>>,
}

#[async_trait]
impl SinkTask for RecordingTask {
    fn initialize(&mut self, context: std::sync::Arc<dyn SinkTaskContext>) {
        self.context = Some(context);
    }
    async fn start(&mut self, props: Props) -> Result<()> {
        self.report_every = props
            .get("report.every")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        self.name = props.get("name").cloned().unwrap_or_default();
        self.fail_every = props
            .get("fail.every")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        Ok(())
    }
    async fn put(&mut self, records: &[SinkRecord]) -> Result<()> {
        if records.is_empty() {
            return Ok(());
        }
        let n = PUTS.fetch_add(1, Ordering::Relaxed) + 1;
        if self.fail_every > 0 && n % self.fail_every == 0 {
            return Err(ConnectError::retriable("the store is busy; try again"));
        }
        let reporter = self
            .context
            .as_ref()
            .and_then(|c| c.errant_record_reporter());
        let mut kept = Vec::with_capacity(records.len());
        for r in records {
            if self.report_every > 0
                && r.original_kafka_offset % self.report_every == self.report_every - 1
            {
                let Some(reporter) = &reporter else {
                    return Err(ConnectError::other("no errant record reporter"));
                };
                reporter
                    .report(r, &ConnectError::data("rejected by the test"))
                    .await?;
            } else {
                kept.push(r);
            }
        }
        let mut all = delivered().lock().unwrap();
        let mine = all.entry(self.name.clone()).or_default();
        for r in kept {
            *mine
                .entry((
                    r.original_topic.to_string(),
                    r.original_kafka_partition,
                    r.original_kafka_offset,
                ))
                .or_default() += 1;
        }
        Ok(())
    }
    async fn stop(&mut self) -> Result<()> {
        Ok(())
    }
}

connect_api::sink_connector!(RecordingSink, RecordingTask);

fn counts(name: &str) -> Deliveries {
    delivered()
        .lock()
        .unwrap()
        .get(name)
        .cloned()
        .unwrap_or_default()
}

async fn worker(broker: &connect_testbed::Broker, dir: &std::path::Path) -> StandaloneWorker {
    common::in_process_worker(
        &broker.bootstrap,
        dir,
        &[
            ("offset.flush.interval.ms", "300"),
            ("consumer.session.timeout.ms", "6000"),
            ("consumer.heartbeat.interval.ms", "1000"),
        ],
    )
    .await
}

fn connector(topic: &str, extra: &[(&str, &str)]) -> HashMap<String, String> {
    let mut c = HashMap::from([
        (
            "connector.class".to_owned(),
            "sink_states::RecordingSink".to_owned(),
        ),
        ("topics".to_owned(), topic.to_owned()),
        ("tasks.max".to_owned(), "1".to_owned()),
    ]);
    for (k, v) in extra {
        c.insert((*k).to_owned(), (*v).to_owned());
    }
    c
}

/// Produces `n` records round-robin over `partitions` partitions; returns the count per
/// partition.
fn produce(bootstrap: &str, topic: &str, partitions: i32, n: usize) {
    let producer: ThreadedProducer<DefaultProducerContext> = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("linger.ms", "5")
        .set("queue.buffering.max.messages", "1000000")
        .create()
        .unwrap();
    for i in 0..n {
        let value = format!("record-{i}");
        let partition = (i as i32) % partitions;
        loop {
            match producer.send(
                BaseRecord::<(), str>::to(topic)
                    .payload(&value)
                    .partition(partition),
            ) {
                Ok(()) => break,
                Err((_, _)) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    }
    producer.flush(Duration::from_secs(60)).unwrap();
}

/// The end offsets after `produce(.., partitions, n)` into a new topic: offsets are dense from
/// 0, and round-robin puts `n / partitions` records in each. (Read from the records, not from
/// the broker's high watermark, which tansu advances per batch.)
fn end_offsets(partitions: i32, n: usize) -> Vec<i64> {
    assert_eq!(n % partitions as usize, 0);
    vec![(n / partitions as usize) as i64; partitions as usize]
}

/// The sink's committed offsets (its group is `connect-<name>`), `-1` where none.
fn committed(
    broker: &connect_testbed::Broker,
    name: &str,
    topic: &str,
    partitions: i32,
) -> Vec<i64> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", &broker.bootstrap)
        .set("group.id", format!("connect-{name}"))
        .create()
        .unwrap();
    let mut tpl = TopicPartitionList::new();
    for p in 0..partitions {
        tpl.add_partition(topic, p);
    }
    let c = consumer
        .committed_offsets(tpl, Duration::from_secs(10))
        .unwrap();
    (0..partitions)
        .map(|p| match c.find_partition(topic, p).map(|e| e.offset()) {
            Some(Offset::Offset(o)) => o,
            _ => -1,
        })
        .collect()
}

/// Waits until every offset below each partition's end was delivered; panics with what is
/// missing otherwise. Returns how many deliveries were duplicates.
fn assert_all_delivered(name: &str, topic: &str, ends: &[i64], timeout: Duration) -> u64 {
    let total: i64 = ends.iter().sum();
    let deadline = Instant::now() + timeout;
    loop {
        let got = counts(name);
        if got.len() as i64 >= total || Instant::now() > deadline {
            let mut missing = Vec::new();
            for (p, &end) in ends.iter().enumerate() {
                for o in 0..end {
                    if !got.contains_key(&(topic.to_owned(), p as i32, o)) {
                        missing.push((p, o));
                    }
                }
            }
            assert!(
                missing.is_empty(),
                "{name}: {} of {total} records never delivered, first {:?}",
                missing.len(),
                &missing[..missing.len().min(10)]
            );
            return got.values().map(|&c| u64::from(c - 1)).sum();
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

async fn wait_task_state(w: &StandaloneWorker, name: &str, state: &str) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Ok(s) = w.herder.connector_status(name).await {
            if !s.tasks.is_empty() && s.tasks.iter().all(|t| t.state == state) {
                return;
            }
        }
        assert!(Instant::now() < deadline, "{name}: tasks never {state}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// One Apache broker for the tests of this binary, or `None` (the test skips) without Java.
fn broker(test: &str) -> Option<&'static connect_testbed::Broker> {
    static BROKER: OnceLock<connect_testbed::Broker> = OnceLock::new();
    if !apache_available(test) {
        return None;
    }
    // The worker's log, when RUST_LOG asks for it.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .try_init();
    Some(BROKER.get_or_init(|| connect_testbed::Broker::apache(&[]).unwrap()))
}

#[tokio::test(flavor = "multi_thread")]
async fn sink_created_paused_over_a_full_topic_delivers_everything_on_resume() {
    let Some(broker) =
        broker("sink_created_paused_over_a_full_topic_delivers_everything_on_resume")
    else {
        return;
    };
    let (topic, name) = ("paused-full", "paused-full-sink");
    broker.create_topic(topic, 2).await.unwrap();
    produce(&broker.bootstrap, topic, 2, 20_000);
    let ends = end_offsets(2, 20_000);
    let dir = tempfile::tempdir().unwrap();
    let w = worker(broker, dir.path()).await;
    w.herder
        .put_connector_config(
            name,
            connector(topic, &[]),
            false,
            Some(TargetState::Paused),
        )
        .await
        .unwrap();
    wait_task_state(&w, name, "PAUSED").await;
    // Long enough for the group to form and for several offset commits to come due.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert!(counts(name).is_empty(), "a paused sink was handed records");
    assert_eq!(
        committed(broker, name, topic, 2),
        vec![-1, -1],
        "a paused sink committed offsets of records it never delivered"
    );
    w.herder.resume_connector(name).await.unwrap();
    let dups = assert_all_delivered(name, topic, &ends, Duration::from_secs(120));
    assert_eq!(dups, 0, "nothing failed, so nothing is delivered twice");
    w.stop().await;
    assert_eq!(committed(broker, name, topic, 2), ends);
}

#[tokio::test(flavor = "multi_thread")]
async fn pauses_and_retriable_failures_under_load_lose_nothing() {
    let Some(broker) = broker("pauses_and_retriable_failures_under_load_lose_nothing") else {
        return;
    };
    let (topic, name) = ("pause-retry-load", "pause-retry-sink");
    let partitions = 4;
    broker.create_topic(topic, partitions).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let w = worker(broker, dir.path()).await;
    w.herder
        .put_connector_config(
            name,
            connector(topic, &[("fail.every", "7"), ("tasks.max", "2")]),
            false,
            None,
        )
        .await
        .unwrap();
    wait_task_state(&w, name, "RUNNING").await;
    let load = {
        let broker_bootstrap = broker.bootstrap.clone();
        std::thread::spawn(move || {
            produce(&broker_bootstrap, "pause-retry-load", 4, 200_000);
        })
    };
    // Pause and resume while the load runs, and rebalance by changing the task count.
    for round in 0..4 {
        tokio::time::sleep(Duration::from_millis(700)).await;
        w.herder.pause_connector(name).await.unwrap();
        wait_task_state(&w, name, "PAUSED").await;
        let before = counts(name).len();
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert_eq!(counts(name).len(), before, "records delivered while paused");
        w.herder.resume_connector(name).await.unwrap();
        if round == 1 {
            let tasks = "1";
            w.herder
                .put_connector_config(
                    name,
                    connector(topic, &[("fail.every", "7"), ("tasks.max", tasks)]),
                    true,
                    None,
                )
                .await
                .unwrap();
        }
        wait_task_state(&w, name, "RUNNING").await;
    }
    load.join().unwrap();
    let ends = end_offsets(partitions, 200_000);
    let dups = assert_all_delivered(name, topic, &ends, Duration::from_secs(240));
    eprintln!("pause/retry/rebalance under load: 200000 records, {dups} delivered twice");
    w.stop().await;
    let done = committed(broker, name, topic, partitions);
    assert_eq!(
        done, ends,
        "every delivered record's offset is committed on stop"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn topics_regex_matches_whole_topic_names() {
    let Some(broker) = broker("topics_regex_matches_whole_topic_names") else {
        return;
    };
    for t in ["orders", "orders-dlq", "xorders"] {
        broker.create_topic(t, 1).await.unwrap();
    }
    produce(&broker.bootstrap, "orders", 1, 10);
    produce(&broker.bootstrap, "orders-dlq", 1, 10);
    produce(&broker.bootstrap, "xorders", 1, 10);
    let dir = tempfile::tempdir().unwrap();
    let w = worker(broker, dir.path()).await;
    let name = "regex-sink";
    let mut config = connector("", &[]);
    config.remove("topics");
    config.insert("topics.regex".to_owned(), "orders".to_owned());
    w.herder
        .put_connector_config(name, config, false, None)
        .await
        .unwrap();
    assert_all_delivered(name, "orders", &[10], Duration::from_secs(120));
    // Give the other topics' records every chance to arrive.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(counts(name).len(), 10, "orders-dlq or xorders was consumed");
    let topics = w.herder.connector_active_topics(name);
    w.stop().await;
    assert_eq!(topics, vec!["orders".to_owned()]);
}

#[tokio::test(flavor = "multi_thread")]
async fn records_a_task_reports_as_errant_reach_the_dead_letter_queue_and_are_committed() {
    use rdkafka::message::{Headers, Message};
    let Some(broker) = broker("records_a_task_reports_as_errant_reach_the_dead_letter_queue")
    else {
        return;
    };
    let (topic, name, dlq) = ("errant-input", "errant-sink", "errant-sink-dlq");
    broker.create_topic(topic, 1).await.unwrap();
    produce(&broker.bootstrap, topic, 1, 100);
    let dir = tempfile::tempdir().unwrap();
    let w = worker(broker, dir.path()).await;
    w.herder
        .put_connector_config(
            name,
            connector(
                topic,
                &[
                    ("report.every", "10"),
                    ("errors.tolerance", "all"),
                    ("errors.deadletterqueue.topic.name", dlq),
                    ("errors.deadletterqueue.topic.replication.factor", "1"),
                    ("errors.deadletterqueue.context.headers.enable", "true"),
                ],
            ),
            false,
            None,
        )
        .await
        .unwrap();
    wait_task_state(&w, name, "RUNNING").await;
    let deadline = Instant::now() + Duration::from_secs(60);
    while counts(name).len() < 90 {
        assert!(
            Instant::now() < deadline,
            "{} of 90 delivered",
            counts(name).len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Reported records are committed too: they are in the queue.
    let deadline = Instant::now() + Duration::from_secs(30);
    while committed(broker, name, topic, 1) != vec![100] {
        assert!(
            Instant::now() < deadline,
            "{:?}",
            committed(broker, name, topic, 1)
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    w.stop().await;
    assert_eq!(counts(name).len(), 90);

    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", &broker.bootstrap)
        .set("group.id", "errant-reader")
        .set("auto.offset.reset", "earliest")
        .create()
        .unwrap();
    consumer.subscribe(&[dlq]).unwrap();
    let mut got = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while got.len() < 10 && Instant::now() < deadline {
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(200)) {
            let header = |k: &str| {
                m.headers()
                    .and_then(|hs| hs.iter().find(|h| h.key == k))
                    .and_then(|h| h.value)
                    .map(|v| String::from_utf8_lossy(v).into_owned())
            };
            got.push((
                String::from_utf8_lossy(m.payload().unwrap_or_default()).into_owned(),
                header("__connect.errors.offset"),
                header("__connect.errors.stage"),
                header("__connect.errors.class.name"),
                header("__connect.errors.exception.message"),
            ));
        }
    }
    let expected: Vec<_> = (0..10)
        .map(|i| {
            let offset = i * 10 + 9;
            (
                format!("record-{offset}"),
                Some(offset.to_string()),
                Some("TASK_PUT".to_owned()),
                Some("sink_states::RecordingTask".to_owned()),
                Some("rejected by the test".to_owned()),
            )
        })
        .collect();
    assert_eq!(got, expected);
}
