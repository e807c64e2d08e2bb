//! FAILED connectors and tasks restart by themselves (`auto.restart.*`): a task that fails
//! mid-stream twice comes back RUNNING and its topic ends up with every record; one that always
//! fails stops at the cap and stays FAILED, its status trace saying which attempt came when
//! and that the worker gave up; a REST restart starts a new series; with
//! `auto.restart.enable=false` a failure stays as Apache leaves it. An in-process standalone
//! worker runs connectors registered by this test binary against a tansu broker.

#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::rest::Api;
use connect_api::prelude::*;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use serde_json::{json, Value as Json};

/// How often each connector's task (`"<name>"`) and connector (`"<name>/connector"`) started.
static STARTS: Mutex<Option<HashMap<String, u32>>> = Mutex::new(None);

/// Counts a start of `key`; returns how many there were before it.
fn count_start(key: &str) -> u32 {
    let mut starts = STARTS.lock().unwrap();
    let n = starts
        .get_or_insert_with(HashMap::new)
        .entry(key.to_owned())
        .or_insert(0);
    *n += 1;
    *n - 1
}

fn starts(key: &str) -> u32 {
    STARTS
        .lock()
        .unwrap()
        .as_ref()
        .and_then(|s| s.get(key).copied())
        .unwrap_or(0)
}

/// The resolved `secret` each connector saw at each start.
static SECRETS: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

/// How often the rotating provider was asked.
static LOOKUPS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// A provider whose values change on every lookup and expire after `ttl.ms`, as a vault's
/// leased secrets do.
#[derive(Default)]
pub struct RotatingProvider {
    ttl: Duration,
}

impl connect_api::config::ConfigProvider for RotatingProvider {
    fn configure(&mut self, params: &HashMap<String, String>) -> Result<()> {
        let ms = params
            .get("ttl.ms")
            .and_then(|v| v.parse().ok())
            .unwrap_or(500);
        self.ttl = Duration::from_millis(ms);
        Ok(())
    }
    fn get(&self, _path: &str) -> Result<connect_api::config::ConfigData> {
        let n = LOOKUPS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(connect_api::config::ConfigData {
            data: [("secret".to_owned(), format!("lease-{n}"))].into(),
            ttl: Some(self.ttl),
        })
    }
}

connect_api::config_provider!(RotatingProvider, class = "com.example.RotatingProvider");

fn number(props: &Props, key: &str) -> u32 {
    props.get(key).and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// A source whose connector fails in `start` on its first `connector.failures` starts, and
/// whose task counts `seq` 0, 1, 2, … up to `records` into `topic`, resuming after its
/// committed offset. On each of its first `poll.failures` runs the task fails after 40
/// records of that run; on its first `start.failures` starts it fails in `start`.
#[derive(Default)]
pub struct FlakySource {
    props: Props,
}

#[async_trait]
impl SourceConnector for FlakySource {
    async fn start(&mut self, props: Props) -> Result<()> {
        let name = props.get("name").cloned().unwrap_or_default();
        if count_start(&format!("{name}/connector")) < number(&props, "connector.failures") {
            return Err(ConnectError::other(
                "the connector could not reach its system",
            ));
        }
        if let Some(secret) = props.get("secret") {
            SECRETS.lock().unwrap().push((name.clone(), secret.clone()));
        }
        self.props = props;
        Ok(())
    }
    fn task_configs(&self, _max_tasks: usize) -> Result<Vec<Props>> {
        Ok(vec![self.props.clone()])
    }
    async fn stop(&mut self) -> Result<()> {
        Ok(())
    }
    fn config(&self) -> ConfigDef {
        ConfigDef::new()
    }
}

#[derive(Default)]
pub struct FlakyTask {
    context: Option<Arc<dyn SourceTaskContext>>,
    topic: String,
    next: u64,
    end: u64,
    /// Records this run may send before it fails (`None`: it never fails).
    fail_at: Option<u64>,
}

fn partition() -> SourcePartition {
    SourcePartition::from([("flaky".into(), "0".into())])
}

#[async_trait]
impl SourceTask for FlakyTask {
    fn initialize(&mut self, context: Arc<dyn SourceTaskContext>) {
        self.context = Some(context);
    }
    async fn start(&mut self, props: Props) -> Result<()> {
        let name = props.get("name").cloned().unwrap_or_default();
        let run = count_start(&name);
        if run < number(&props, "start.failures") {
            return Err(ConnectError::other(format!(
                "start {run} failed on purpose"
            )));
        }
        self.topic = props.get("topic").cloned().unwrap_or_default();
        self.end = u64::from(number(&props, "records"));
        if let Some(ctx) = &self.context {
            let committed = ctx.offset_storage_reader().offset(&partition()).await?;
            self.next = committed
                .and_then(|o| o.get("seq").and_then(Value::as_i64))
                .map_or(0, |s| s as u64 + 1);
        }
        let failing_runs = number(&props, "poll.failures") + number(&props, "start.failures");
        self.fail_at = (run < failing_runs).then_some(self.next + 40);
        Ok(())
    }
    async fn poll(&mut self) -> Result<Vec<SourceRecord>> {
        if self.fail_at.is_some_and(|at| self.next >= at) {
            return Err(ConnectError::other("poll failed on purpose"));
        }
        if self.next >= self.end {
            tokio::time::sleep(Duration::from_millis(50)).await;
            return Ok(Vec::new());
        }
        // A few records per poll, so that offsets are committed between failures.
        tokio::time::sleep(Duration::from_millis(5)).await;
        let mut records = Vec::new();
        for _ in 0..4 {
            if self.next >= self.end || self.fail_at.is_some_and(|at| self.next >= at) {
                break;
            }
            let seq = self.next;
            records.push(SourceRecord::new(
                Arc::new(partition()),
                SourceOffset::from([("seq".into(), Value::Int64(seq as i64))]),
                &self.topic,
                Some(STRING_SCHEMA.clone()),
                seq.to_string(),
            ));
            self.next += 1;
        }
        Ok(records)
    }
    async fn stop(&mut self) -> Result<()> {
        Ok(())
    }
}

connect_api::source_connector!(FlakySource, FlakyTask);

async fn create(api: &Api, name: &str, extra: Json) {
    let mut config = json!({
        "connector.class": "FlakySource",
        "tasks.max": "1",
        "topic": format!("{name}-topic"),
    });
    for (k, v) in extra.as_object().unwrap() {
        config[k] = v.clone();
    }
    let answer = api
        .call(
            "POST",
            "/connectors",
            Some(json!({"name": name, "config": config})),
        )
        .await;
    assert_eq!(answer.status, 201, "{}", answer.body);
}

async fn status(api: &Api, name: &str) -> Json {
    api.call("GET", &format!("/connectors/{name}/status"), None)
        .await
        .body
}

/// Polls the status of `name` until `f` holds; every trace seen on the way is collected.
async fn watch_until(
    api: &Api,
    name: &str,
    within: Duration,
    traces: &mut Vec<String>,
    f: impl Fn(&Json) -> bool,
) -> Json {
    let deadline = Instant::now() + within;
    loop {
        let s = status(api, name).await;
        for t in [&s["connector"]["trace"], &s["tasks"][0]["trace"]] {
            if let Some(t) = t.as_str() {
                if traces.last().map(String::as_str) != Some(t) {
                    traces.push(t.to_owned());
                }
            }
        }
        if f(&s) {
            return s;
        }
        assert!(Instant::now() < deadline, "{name} never got there: {s}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn task_state(s: &Json) -> &str {
    s["tasks"][0]["state"].as_str().unwrap_or("")
}

/// Every value in partition 0 of `topic`, read until `expected` distinct ones have been seen.
fn values(bootstrap: &str, topic: &str, expected: usize) -> (BTreeSet<u64>, usize) {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", format!("check-{topic}"))
        .create()
        .unwrap();
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(topic, 0, Offset::Beginning)
        .unwrap();
    consumer.assign(&tpl).unwrap();
    let (mut seen, mut total) = (BTreeSet::new(), 0);
    let deadline = Instant::now() + Duration::from_secs(30);
    while seen.len() < expected && Instant::now() < deadline {
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(200)) {
            let v = std::str::from_utf8(m.payload().unwrap()).unwrap();
            seen.insert(v.parse().unwrap());
            total += 1;
        }
    }
    (seen, total)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_tasks_and_connectors_restart_by_themselves_up_to_the_cap() {
    let broker = common::Broker::start();
    let dir = tempfile::tempdir().unwrap();
    let w = common::in_process_worker(
        &broker.bootstrap,
        dir.path(),
        &[
            ("offset.flush.interval.ms", "50"),
            ("auto.restart.max.attempts", "3"),
            ("auto.restart.backoff.initial.ms", "300"),
            ("auto.restart.backoff.max.ms", "600"),
        ],
    )
    .await;
    let api = Api::new(&format!("http://{}", w.rest_addresses[0]));

    // Fails mid-stream on its first two runs: back RUNNING by itself, every record delivered.
    broker.topic_for_producing("heals-topic").await;
    create(
        &api,
        "heals",
        json!({"poll.failures": "2", "records": "200"}),
    )
    .await;
    let mut traces = Vec::new();
    watch_until(&api, "heals", Duration::from_secs(30), &mut traces, |s| {
        task_state(s) == "RUNNING" && starts("heals") == 3
    })
    .await;
    let (seen, total) = values(&broker.bootstrap, "heals-topic", 200);
    assert_eq!(
        seen,
        (0..200).collect(),
        "every record, in spite of two failures"
    );
    assert!(total >= 200);
    assert!(!traces.is_empty(), "the failures were seen");
    assert!(
        traces
            .iter()
            .all(|t| t.contains("poll failed on purpose")
                && t.contains("Automatic restart: attempt")),
        "each failure's trace says when the next try comes: {traces:?}"
    );

    // Always fails in `start`: three restarts, then it stays FAILED and says so.
    create(&api, "never-heals", json!({"start.failures": "1000"})).await;
    let mut traces = Vec::new();
    let s = watch_until(
        &api,
        "never-heals",
        Duration::from_secs(30),
        &mut traces,
        |s| {
            s["tasks"][0]["trace"]
                .as_str()
                .is_some_and(|t| t.contains("gave up after 3 attempts"))
        },
    )
    .await;
    assert_eq!(task_state(&s), "FAILED");
    assert!(
        traces.iter().any(|t| t.contains("attempt 1 of 3")),
        "{traces:?}"
    );
    assert_eq!(
        starts("never-heals"),
        4,
        "the first start and three restarts"
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(starts("never-heals"), 4, "no restart after the cap");
    assert_eq!(task_state(&status(&api, "never-heals").await), "FAILED");

    // A restart through the REST API starts a new series of automatic restarts.
    let answer = api
        .call("POST", "/connectors/never-heals/tasks/0/restart", None)
        .await;
    assert_eq!(answer.status, 204, "{}", answer.body);
    let mut traces = Vec::new();
    watch_until(
        &api,
        "never-heals",
        Duration::from_secs(30),
        &mut traces,
        |_| starts("never-heals") == 8,
    )
    .await;
    watch_until(
        &api,
        "never-heals",
        Duration::from_secs(30),
        &mut traces,
        |s| {
            s["tasks"][0]["trace"]
                .as_str()
                .is_some_and(|t| t.contains("gave up after 3 attempts"))
        },
    )
    .await;

    // A connector whose `start` fails once comes back RUNNING, and so do its tasks.
    broker.topic_for_producing("connector-heals-topic").await;
    create(
        &api,
        "connector-heals",
        json!({"connector.failures": "1", "records": "10"}),
    )
    .await;
    let mut traces = Vec::new();
    watch_until(
        &api,
        "connector-heals",
        Duration::from_secs(30),
        &mut traces,
        |s| s["connector"]["state"] == "RUNNING" && task_state(s) == "RUNNING",
    )
    .await;
    assert_eq!(starts("connector-heals/connector"), 2);
    assert!(
        traces
            .iter()
            .any(|t| t.contains("could not reach its system") && t.contains("attempt 1 of 3")),
        "{traces:?}"
    );
    w.stop().await;

    // Switched off, a failed task stays FAILED with its own trace, as in Apache's worker.
    let w = common::in_process_worker(
        &broker.bootstrap,
        dir.path(),
        &[("auto.restart.enable", "false")],
    )
    .await;
    let api = Api::new(&format!("http://{}", w.rest_addresses[0]));
    create(&api, "stays-failed", json!({"start.failures": "1000"})).await;
    let mut traces = Vec::new();
    let s = watch_until(
        &api,
        "stays-failed",
        Duration::from_secs(30),
        &mut traces,
        |s| task_state(s) == "FAILED",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(starts("stays-failed"), 1);
    let trace = s["tasks"][0]["trace"].as_str().unwrap();
    assert!(!trace.contains("Automatic restart"), "{trace}");
    w.stop().await;
}

/// A connector whose config provider says its values expire is restarted with its tasks when
/// they do, and sees the new values (`config.action.reload=restart`, the default); with
/// `config.action.reload=none` it keeps running on what it read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connectors_are_restarted_when_their_provided_values_expire() {
    let broker = common::Broker::start();
    let dir = tempfile::tempdir().unwrap();
    let w = common::in_process_worker(
        &broker.bootstrap,
        dir.path(),
        &[
            ("config.providers", "vault"),
            (
                "config.providers.vault.class",
                "com.example.RotatingProvider",
            ),
            ("config.providers.vault.param.ttl.ms", "700"),
        ],
    )
    .await;
    let api = Api::new(&format!("http://{}", w.rest_addresses[0]));
    let seen = |name: &str| -> Vec<String> {
        SECRETS
            .lock()
            .unwrap()
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, s)| s.clone())
            .collect()
    };
    create(&api, "leased", json!({"secret": "${vault:secret}"})).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while seen("leased").len() < 3 || starts("leased") < 3 {
        assert!(
            Instant::now() < deadline,
            "not reloaded: {:?}, task started {} times",
            seen("leased"),
            starts("leased")
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let secrets = seen("leased");
    let distinct: BTreeSet<&String> = secrets.iter().collect();
    assert_eq!(distinct.len(), secrets.len(), "{secrets:?}");
    // Shown as written, and running.
    let config = api.call("GET", "/connectors/leased/config", None).await;
    assert_eq!(config.body["secret"], "${vault:secret}");
    let s = watch_until(
        &api,
        "leased",
        Duration::from_secs(10),
        &mut Vec::new(),
        |s| s["connector"]["state"] == "RUNNING" && task_state(s) == "RUNNING",
    )
    .await;
    assert_eq!(s["connector"]["state"], "RUNNING");
    api.call("DELETE", "/connectors/leased", None).await;

    create(
        &api,
        "kept",
        json!({"secret": "${vault:secret}", "config.action.reload": "none"}),
    )
    .await;
    watch_until(
        &api,
        "kept",
        Duration::from_secs(10),
        &mut Vec::new(),
        |s| task_state(s) == "RUNNING",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(2000)).await;
    assert_eq!(seen("kept").len(), 1);
    assert_eq!(starts("kept"), 1);
    w.stop().await;
}
