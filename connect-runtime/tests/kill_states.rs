//! `kill -9` of a standalone worker while its sink is retrying and while it is rebalancing:
//! after a restart every record is delivered. The worker runs in a child process — this test
//! binary run again as `child_worker` — so that it can be killed without warning; its sink
//! appends what it is handed to a file with one write per `put` (which survives the kill in
//! the page cache), and fails `put` retriably while a marker file exists.
//!
//! Apache Kafka's broker only: tansu makes a restarted member wait out its killed
//! predecessor's session and a slow join. Skipped with a note where Apache Kafka cannot run (an
//! error when `CONNECT_TEST_REQUIRE_APACHE=1`).

#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use common::apache_available;

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use connect_api::prelude::*;
use connect_runtime::config::worker_config::WorkerConfig;
use connect_runtime::herder::Herder;
use connect_runtime::standalone::StandaloneWorker;
use connect_testbed::{free_port, wait_until, Watched};
use rdkafka::producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};
use rdkafka::ClientConfig;

/// Set for the child process: the directory holding its configuration and the sink's files.
const CHILD_DIR_ENV: &str = "KILL_STATES_CHILD_DIR";

/// While this file exists in the sink's directory, every non-empty `put` fails retriably.
const FAIL_MARKER: &str = "fail";
/// The sink appends one line `topic,partition,offset` per record it was handed.
const DELIVERED: &str = "delivered.txt";
/// The sink appends one byte per failed `put`.
const FAILURES: &str = "failures";

/// A sink that writes down what it is handed, or fails while told to.
#[derive(Default)]
pub struct DurableSink {
    props: Props,
}

#[async_trait]
impl SinkConnector for DurableSink {
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

#[derive(Default)]
pub struct DurableTask {
    dir: PathBuf,
    line: Vec<u8>,
}

fn append(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?
        .write_all(bytes)
}

#[async_trait]
impl SinkTask for DurableTask {
    async fn start(&mut self, props: Props) -> Result<()> {
        self.dir = PathBuf::from(props.get("dir").cloned().unwrap_or_default());
        Ok(())
    }
    async fn put(&mut self, records: &[SinkRecord]) -> Result<()> {
        if records.is_empty() {
            return Ok(());
        }
        if self.dir.join(FAIL_MARKER).exists() {
            append(&self.dir.join(FAILURES), b"x")
                .map_err(|e| ConnectError::other_with("cannot count a failure", e))?;
            return Err(ConnectError::retriable("the store is away; try again"));
        }
        self.line.clear();
        for r in records {
            let _ = writeln!(
                self.line,
                "{},{},{}",
                r.original_topic, r.original_kafka_partition, r.original_kafka_offset
            );
        }
        // One write per batch: a kill leaves whole batches in the file.
        append(&self.dir.join(DELIVERED), &self.line)
            .map_err(|e| ConnectError::other_with("cannot write deliveries", e))
    }
    async fn stop(&mut self) -> Result<()> {
        Ok(())
    }
}

connect_api::sink_connector!(DurableSink, DurableTask);

/// The worker of the tests below, when this binary is run as their child; otherwise nothing.
/// It reads `worker.json` and `connector.json` from its directory, starts, and runs until it
/// is killed.
#[test]
fn child_worker() {
    let Ok(dir) = std::env::var(CHILD_DIR_ENV) else {
        return;
    };
    let dir = PathBuf::from(dir);
    let read = |name: &str| -> HashMap<String, String> {
        serde_json::from_slice(&std::fs::read(dir.join(name)).unwrap()).unwrap()
    };
    let (worker, connector) = (read("worker.json"), read("connector.json"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter("info")
        .with_writer(std::io::stderr)
        .try_init();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async move {
        let w = StandaloneWorker::start(WorkerConfig::parse(worker, true).unwrap())
            .await
            .unwrap();
        let name = connector["name"].clone();
        w.herder
            .put_connector_config(&name, connector, true, None)
            .await
            .unwrap();
        std::future::pending::<()>().await;
    });
}

/// A worker in a child process.
struct Child {
    process: Watched,
}

impl Child {
    fn start(dir: &Path, log: &str) -> Child {
        let mut cmd = Command::new(std::env::current_exe().unwrap());
        cmd.args(["--exact", "child_worker", "--nocapture", "--test-threads=1"])
            .env(CHILD_DIR_ENV, dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join(log)).unwrap());
        Child {
            process: Watched::spawn(cmd, "the child worker", None).unwrap(),
        }
    }
}

/// One Apache broker for the tests of this binary, or `None` (the test skips) without Java.
fn broker(test: &str) -> Option<&'static connect_testbed::Broker> {
    static BROKER: OnceLock<connect_testbed::Broker> = OnceLock::new();
    if !apache_available(test) {
        return None;
    }
    Some(BROKER.get_or_init(|| connect_testbed::Broker::apache(&[]).unwrap()))
}

/// Writes the child's configuration into `dir`; returns the REST port.
fn configure(
    broker: &connect_testbed::Broker,
    dir: &Path,
    name: &str,
    topic: &str,
    tasks: u32,
) -> u16 {
    let port = free_port().unwrap();
    let worker = HashMap::from([
        ("bootstrap.servers", broker.bootstrap.clone()),
        (
            "offset.storage.file.filename",
            dir.join("offsets").display().to_string(),
        ),
        ("offset.flush.interval.ms", "200".to_owned()),
        // The restarted worker's consumer waits for its killed predecessor's session to end.
        ("consumer.session.timeout.ms", "6000".to_owned()),
        ("consumer.heartbeat.interval.ms", "1000".to_owned()),
        ("listeners", format!("http://127.0.0.1:{port}")),
        (
            "key.converter",
            "org.apache.kafka.connect.storage.StringConverter".to_owned(),
        ),
        (
            "value.converter",
            "org.apache.kafka.connect.storage.StringConverter".to_owned(),
        ),
    ]);
    std::fs::write(
        dir.join("worker.json"),
        serde_json::to_vec(&worker).unwrap(),
    )
    .unwrap();
    write_connector(dir, name, topic, tasks);
    port
}

fn connector_config(dir: &Path, name: &str, topic: &str, tasks: u32) -> HashMap<String, String> {
    HashMap::from([
        ("name".to_owned(), name.to_owned()),
        (
            "connector.class".to_owned(),
            "kill_states::DurableSink".to_owned(),
        ),
        ("topics".to_owned(), topic.to_owned()),
        ("tasks.max".to_owned(), tasks.to_string()),
        ("dir".to_owned(), dir.display().to_string()),
    ])
}

fn write_connector(dir: &Path, name: &str, topic: &str, tasks: u32) {
    let c = connector_config(dir, name, topic, tasks);
    std::fs::write(dir.join("connector.json"), serde_json::to_vec(&c).unwrap()).unwrap();
}

/// Produces records `from..to` (values `record-<i>`) round-robin over `partitions`.
fn produce(bootstrap: &str, topic: &str, partitions: i32, from: usize, to: usize) {
    let producer: ThreadedProducer<DefaultProducerContext> = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("linger.ms", "5")
        .create()
        .unwrap();
    for i in from..to {
        let value = format!("record-{i}");
        let partition = (i as i32) % partitions;
        while producer
            .send(
                BaseRecord::<(), str>::to(topic)
                    .payload(&value)
                    .partition(partition),
            )
            .is_err()
        {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    producer.flush(Duration::from_secs(60)).unwrap();
}

/// The (partition, offset) pairs the sink wrote down, and how many lines it wrote.
fn delivered(dir: &Path, topic: &str) -> (HashSet<(i32, i64)>, usize) {
    let text = std::fs::read_to_string(dir.join(DELIVERED)).unwrap_or_default();
    let mut set = HashSet::new();
    let mut lines = 0;
    for line in text.lines() {
        let mut parts = line.rsplitn(3, ',');
        let (Some(o), Some(p), Some(t)) = (parts.next(), parts.next(), parts.next()) else {
            panic!("torn delivery line {line:?}");
        };
        assert_eq!(t, topic);
        set.insert((p.parse().unwrap(), o.parse().unwrap()));
        lines += 1;
    }
    (set, lines)
}

/// Waits for every offset below `per_partition` in each of `partitions` to be delivered;
/// panics naming what is missing. Returns how many deliveries were repeats.
fn assert_all_delivered(
    dir: &Path,
    topic: &str,
    partitions: i32,
    per_partition: i64,
    log: &str,
) -> usize {
    let total = partitions as usize * per_partition as usize;
    wait_until(Duration::from_secs(120), || {
        delivered(dir, topic).0.len() >= total
    });
    let (got, lines) = delivered(dir, topic);
    let missing: Vec<(i32, i64)> = (0..partitions)
        .flat_map(|p| (0..per_partition).map(move |o| (p, o)))
        .filter(|k| !got.contains(k))
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {total} records never delivered, first {:?}; worker log:\n{}",
        missing.len(),
        &missing[..missing.len().min(10)],
        std::fs::read_to_string(dir.join(log)).unwrap_or_default()
    );
    lines - got.len()
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_9_while_the_sink_is_retrying_loses_nothing() {
    let Some(broker) = broker("kill_9_while_the_sink_is_retrying_loses_nothing") else {
        return;
    };
    let (topic, name) = ("retry-kill", "retry-kill-sink");
    broker.create_topic(topic, 2).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    configure(broker, dir, name, topic, 1);
    produce(&broker.bootstrap, topic, 2, 0, 10_000);
    let mut child = Child::start(dir, "worker-1.log");
    assert!(
        wait_until(Duration::from_secs(60), || delivered(dir, topic).0.len()
            >= 10_000),
        "the first records were not delivered"
    );
    // The store goes away; more records arrive and every put of them fails, while offset
    // commits keep coming due.
    std::fs::write(dir.join(FAIL_MARKER), b"").unwrap();
    produce(&broker.bootstrap, topic, 2, 10_000, 20_000);
    assert!(
        wait_until(Duration::from_secs(60), || {
            std::fs::metadata(dir.join(FAILURES)).map_or(0, |m| m.len()) >= 3
        }),
        "the sink never retried"
    );
    std::thread::sleep(Duration::from_millis(500));
    child.process.kill9();
    std::fs::remove_file(dir.join(FAIL_MARKER)).unwrap();
    let _child = Child::start(dir, "worker-2.log");
    let repeats = assert_all_delivered(dir, topic, 2, 10_000, "worker-2.log");
    eprintln!("kill -9 while retrying: 20000 records, {repeats} delivered twice");
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_9_while_the_sink_is_rebalancing_loses_nothing() {
    let Some(broker) = broker("kill_9_while_the_sink_is_rebalancing_loses_nothing") else {
        return;
    };
    let (topic, name) = ("rebalance-kill", "rebalance-kill-sink");
    let partitions = 4;
    broker.create_topic(topic, partitions).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let port = configure(broker, dir, name, topic, 1);
    let mut child = Child::start(dir, "worker-1.log");
    let load = {
        let bootstrap = broker.bootstrap.clone();
        std::thread::spawn(move || {
            for step in 0..20 {
                produce(
                    &bootstrap,
                    "rebalance-kill",
                    4,
                    step * 2_000,
                    (step + 1) * 2_000,
                );
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };
    assert!(
        wait_until(Duration::from_secs(60), || delivered(dir, topic).0.len()
            >= 2_000),
        "the first records were not delivered"
    );
    // Two tasks instead of one: the running task stops, two start and join the group. Kill
    // the worker in the middle of that.
    let api = common::rest::Api::new(&format!("http://127.0.0.1:{port}"));
    let answer = api
        .call(
            "PUT",
            &format!("/connectors/{name}/config"),
            Some(serde_json::to_value(connector_config(dir, name, topic, 2)).unwrap()),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    std::thread::sleep(Duration::from_millis(300));
    child.process.kill9();
    write_connector(dir, name, topic, 2);
    let _child = Child::start(dir, "worker-2.log");
    load.join().unwrap();
    let repeats = assert_all_delivered(dir, topic, partitions, 10_000, "worker-2.log");
    eprintln!("kill -9 while rebalancing: 40000 records, {repeats} delivered twice");
}

/// How long a standalone worker killed -9 and restarted at once takes to deliver again, with
/// the default consumer settings: its sinks get their partitions back only once the broker
/// gives up on the killed member's session (Apache's 45 s default would make this minutes in
/// a busy test run; the worker's sink consumers default to 8 s).
#[tokio::test(flavor = "multi_thread")]
async fn a_restarted_worker_resumes_its_sink_within_seconds() {
    let Some(broker) = broker("a_restarted_worker_resumes_its_sink_within_seconds") else {
        return;
    };
    let (topic, name) = ("resume-kill", "resume-kill-sink");
    broker.create_topic(topic, 1).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    configure(broker, dir, name, topic, 1);
    // The defaults under test, not the short session the other tests here use.
    let path = dir.join("worker.json");
    let mut worker: HashMap<String, String> =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    worker.remove("consumer.session.timeout.ms");
    worker.remove("consumer.heartbeat.interval.ms");
    std::fs::write(&path, serde_json::to_vec(&worker).unwrap()).unwrap();
    produce(&broker.bootstrap, topic, 1, 0, 1_000);
    let mut child = Child::start(dir, "worker-1.log");
    assert!(
        wait_until(Duration::from_secs(60), || delivered(dir, topic).0.len()
            >= 1_000),
        "the first records were not delivered"
    );
    // Past the first commit, so that the restart starts from a committed offset.
    std::thread::sleep(Duration::from_millis(500));
    child.process.kill9();
    produce(&broker.bootstrap, topic, 1, 1_000, 2_000);
    let restarted = std::time::Instant::now();
    let _child = Child::start(dir, "worker-2.log");
    assert!(
        wait_until(Duration::from_secs(120), || delivered(dir, topic).0.len()
            >= 2_000),
        "the restarted worker did not deliver"
    );
    let resumed = restarted.elapsed();
    eprintln!("kill -9 and restart: delivering again after {resumed:.1?}");
    // Far below Apache's 45 s session: the restart did not wait out the default.
    assert!(
        resumed < Duration::from_secs(20),
        "resumed only after {resumed:?}; worker log:\n{}",
        std::fs::read_to_string(dir.join("worker-2.log")).unwrap_or_default()
    );
}
