//! Clusters of `connect-distributed` workers against a real broker: a pipeline created
//! through any worker, failover after SIGKILL, scale-out, and startup errors.

#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::rest::Api;
use common::{apache_available, distributed_properties, free_port, ConnectProcess};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::{ClientConfig, Message, Offset, TopicPartitionList};
use serde_json::{json, Value};

/// One Apache broker for every test of this binary; each test has its own group and topics.
///
/// Not tansu: its group coordinator (0.6) loses track of groups of several members. It can
/// complete one generation with two leaders, keeps the generation when it expires a member,
/// and answers a SyncGroup of a repeated generation with the previous round's assignment, so
/// work moved by the leader never reaches the members.
fn broker() -> &'static connect_testbed::Broker {
    static BROKER: OnceLock<connect_testbed::Broker> = OnceLock::new();
    BROKER.get_or_init(|| connect_testbed::Broker::apache(&[]).unwrap())
}

/// One worker of a test cluster.
struct Node {
    process: ConnectProcess,
    api: Api,
    props: PathBuf,
    port: u16,
    log: PathBuf,
}

impl Node {
    fn start(dir: &Path, bootstrap: &str, group: &str, extra: &[&str]) -> Node {
        let port = free_port();
        let props = distributed_properties(dir, bootstrap, group, group, port, extra);
        let log = dir.join(format!("worker-{port}.log"));
        let process = ConnectProcess::distributed(&props, port, &log);
        Node {
            process,
            api: Api::new(&format!("http://127.0.0.1:{port}")),
            props,
            port,
            log,
        }
    }

    fn restart(&mut self) {
        self.process = ConnectProcess::distributed(&self.props, self.port, &self.log);
    }

    fn id(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Waits for `GET /health` to answer 200; fails at once, with its log, if the worker exits.
    async fn healthy(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let url = format!("{}/health", self.api.base);
        loop {
            let answer = self.api.client.get(&url).send().await;
            if answer.is_ok_and(|a| a.status() == 200) {
                return;
            }
            let exited = self.process.child.try_wait().ok().flatten();
            if exited.is_some() || Instant::now() > deadline {
                panic!(
                    "worker {} never became healthy ({exited:?}):\n{}",
                    self.port,
                    std::fs::read_to_string(&self.log).unwrap_or_default()
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

fn source_config(file: &Path, topic: &str) -> Value {
    json!({
        "connector.class": "FileStreamSource",
        "tasks.max": "1",
        "file": file.display().to_string(),
        "topic": topic,
    })
}

fn sink_config(file: &Path, topic: &str, tasks: usize) -> Value {
    json!({
        "connector.class": "FileStreamSink",
        "tasks.max": tasks.to_string(),
        "file": file.display().to_string(),
        "topics": topic,
    })
}

/// Writes lines `from..to` (`line-<n>`) to the end of `file`.
fn append_lines(file: &Path, from: usize, to: usize) {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)
        .unwrap();
    let mut text = String::with_capacity((to - from) * 12);
    for i in from..to {
        text.push_str(&format!("line-{i}\n"));
    }
    f.write_all(text.as_bytes()).unwrap();
}

/// The distinct lines in `file`.
fn lines_in(file: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Every worker's log, on stderr, for a failing test.
fn dump_logs(nodes: &[Node]) {
    for n in nodes {
        eprintln!(
            "---- worker {} ----\n{}",
            n.port,
            std::fs::read_to_string(&n.log).unwrap_or_default()
        );
    }
}

async fn wait_for_lines(file: &Path, count: usize, within: Duration, nodes: &[Node]) {
    let deadline = Instant::now() + within;
    loop {
        let got = lines_in(file).len();
        if got >= count {
            return;
        }
        if Instant::now() > deadline {
            dump_logs(nodes);
            panic!("{got} of {count} lines arrived");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Every record of a compacted internal topic, in order.
fn read_topic(bootstrap: &str, topic: &str) -> Vec<(i32, String, Option<Value>)> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", "test-reader")
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    let metadata = consumer
        .fetch_metadata(Some(topic), Duration::from_secs(10))
        .unwrap();
    let partitions: Vec<i32> = metadata.topics()[0]
        .partitions()
        .iter()
        .map(|p| p.id())
        .collect();
    let mut tpl = TopicPartitionList::new();
    let mut ends = BTreeMap::new();
    for p in &partitions {
        let (_, high) = consumer
            .fetch_watermarks(topic, *p, Duration::from_secs(10))
            .unwrap();
        ends.insert(*p, high);
        tpl.add_partition_offset(topic, *p, Offset::Beginning)
            .unwrap();
    }
    consumer.assign(&tpl).unwrap();
    let mut out = Vec::new();
    let mut done: BTreeMap<i32, i64> = BTreeMap::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while ends
        .iter()
        .any(|(p, end)| done.get(p).copied().unwrap_or(0) < *end)
    {
        assert!(Instant::now() < deadline, "could not read {topic}");
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(200)) {
            done.insert(m.partition(), m.offset() + 1);
            let key = String::from_utf8_lossy(m.key().unwrap_or_default()).into_owned();
            let value = m.payload().map(|v| serde_json::from_slice(v).unwrap());
            out.push((m.partition(), key, value));
        }
    }
    out
}

/// The status every worker reports for a connector, once they all agree on one where the
/// connector and `tasks` tasks are RUNNING.
async fn agreed_status(nodes: &[&Node], name: &str, tasks: usize, within: Duration) -> Value {
    let deadline = Instant::now() + within;
    loop {
        let mut seen = Vec::new();
        for n in nodes {
            let a = n
                .api
                .call("GET", &format!("/connectors/{name}/status"), None)
                .await;
            seen.push(a.body);
        }
        let first = &seen[0];
        let running = first["connector"]["state"] == "RUNNING"
            && first["tasks"]
                .as_array()
                .map_or(0, |t| t.iter().filter(|t| t["state"] == "RUNNING").count())
                == tasks;
        if running && seen.iter().all(|s| s == first) {
            return first.clone();
        }
        assert!(
            Instant::now() < deadline,
            "the workers do not agree that {name} runs: {seen:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The worker ids running a connector's connector instance and tasks.
fn owners(status: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    out.insert(
        status["connector"]["worker_id"]
            .as_str()
            .unwrap()
            .to_owned(),
    );
    for t in status["tasks"].as_array().unwrap() {
        out.insert(t["worker_id"].as_str().unwrap().to_owned());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_workers_share_a_pipeline_created_through_any_of_them() {
    if !apache_available("three_workers_share_a_pipeline_created_through_any_of_them") {
        return;
    }
    let broker = broker();
    let dir = tempfile::tempdir().unwrap();
    let group = "cluster-a";
    let mut nodes: Vec<Node> = (0..3)
        .map(|_| Node::start(dir.path(), &broker.bootstrap, group, &[]))
        .collect();
    for n in &mut nodes {
        n.healthy().await;
    }
    let input = dir.path().join("in.txt");
    let output = dir.path().join("out.txt");
    append_lines(&input, 0, 1000);
    broker.topic_for_producing("lines").await.unwrap();

    // Created through two different workers: whichever is not the leader forwards.
    for (node, name, config) in [
        (&nodes[1], "source", source_config(&input, "lines")),
        (&nodes[2], "sink", sink_config(&output, "lines", 2)),
    ] {
        let a = node
            .api
            .call(
                "POST",
                "/connectors",
                Some(json!({"name": name, "config": config})),
            )
            .await;
        assert_eq!(a.status, 201, "{}", a.body);
        assert_eq!(a.body["name"], name);
    }
    // A second create of the same name, through the third worker, is refused by the leader.
    let again = nodes[0]
        .api
        .call(
            "POST",
            "/connectors",
            Some(json!({"name": "source", "config": source_config(&input, "lines")})),
        )
        .await;
    assert_eq!(again.status, 409, "{}", again.body);

    wait_for_lines(&output, 1000, Duration::from_secs(60), &nodes).await;
    let all: Vec<&Node> = nodes.iter().collect();
    let source = agreed_status(&all, "source", 1, Duration::from_secs(30)).await;
    let sink = agreed_status(&all, "sink", 2, Duration::from_secs(30)).await;
    // The work is spread: with three connectors-or-tasks items per kind, more than one
    // worker runs something.
    let ids: BTreeSet<String> = owners(&source).union(&owners(&sink)).cloned().collect();
    assert!(ids.len() >= 2, "all work on one worker: {source} {sink}");
    for n in &nodes {
        let list = n.api.call("GET", "/connectors", None).await;
        assert_eq!(list.body, json!(["sink", "source"]));
        let tasks = n.api.call("GET", "/connectors/sink/tasks", None).await;
        assert_eq!(tasks.body.as_array().unwrap().len(), 2);
    }

    // The config topic holds Apache's records.
    let records = read_topic(&broker.bootstrap, &format!("{group}-configs"));
    let latest: BTreeMap<String, Option<Value>> =
        records.into_iter().map(|(_, k, v)| (k, v)).collect();
    assert_eq!(
        latest["connector-sink"].as_ref().unwrap()["properties"]["connector.class"],
        "FileStreamSink"
    );
    assert_eq!(latest["commit-sink"], Some(json!({"tasks": 2})));
    assert_eq!(
        latest["task-sink-1"].as_ref().unwrap()["properties"]["task.class"],
        "org.apache.kafka.connect.file.FileStreamSinkTask"
    );
    assert_eq!(latest["commit-source"], Some(json!({"tasks": 1})));
    // The default protocol is `sessioned`: the leader wrote a session key.
    let key = latest["session-key"].as_ref().unwrap();
    assert_eq!(key["algorithm"], "HmacSHA256");

    // Pause through one worker, seen by all; resume; delete.
    let a = nodes[2]
        .api
        .call("PUT", "/connectors/sink/pause", None)
        .await;
    assert_eq!(a.status, 202);
    for n in &nodes {
        n.api
            .wait_for("/connectors/sink/status", |s| {
                s["connector"]["state"] == "PAUSED"
                    && s["tasks"]
                        .as_array()
                        .is_some_and(|t| t.len() == 2 && t.iter().all(|t| t["state"] == "PAUSED"))
            })
            .await;
    }
    let a = nodes[0]
        .api
        .call("PUT", "/connectors/sink/resume", None)
        .await;
    assert_eq!(a.status, 202);
    agreed_status(&all, "sink", 2, Duration::from_secs(30)).await;
    append_lines(&input, 1000, 1100);
    wait_for_lines(&output, 1100, Duration::from_secs(60), &nodes).await;

    let a = nodes[1]
        .api
        .call("DELETE", "/connectors/source", None)
        .await;
    assert_eq!(a.status, 204, "{}", a.body);
    for n in &nodes {
        n.api
            .wait_for("/connectors", |l| l == &json!(["sink"]))
            .await;
    }
}

/// Waits until every connector of `expected` (name → task count) runs, as `observer` sees it,
/// on workers among `alive` only; returns how long that took.
async fn running_on(
    nodes: &[Node],
    observer: usize,
    expected: &[(&str, usize)],
    alive: &BTreeSet<String>,
    within: Duration,
) -> Duration {
    let started = Instant::now();
    loop {
        let mut ok = true;
        let mut seen = Vec::new();
        for (name, tasks) in expected {
            let s = nodes[observer]
                .api
                .call("GET", &format!("/connectors/{name}/status"), None)
                .await
                .body;
            let running = s["connector"]["state"] == "RUNNING"
                && s["tasks"]
                    .as_array()
                    .map_or(0, |t| t.iter().filter(|t| t["state"] == "RUNNING").count())
                    == *tasks;
            ok &= running && owners(&s).is_subset(alive);
            seen.push(s);
        }
        if ok {
            return started.elapsed();
        }
        if started.elapsed() > within {
            dump_logs(nodes);
            panic!("not running on the survivors {alive:?} within {within:?}: {seen:?}");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_workers_connectors_run_again_on_the_survivors_and_no_line_is_lost() {
    const LINES: usize = 100_000;
    if !apache_available("a_killed_workers_connectors_run_again_on_the_survivors") {
        return;
    }
    let broker = broker();
    let dir = tempfile::tempdir().unwrap();
    let group = "cluster-kill";
    let mut nodes: Vec<Node> = (0..3)
        .map(|_| Node::start(dir.path(), &broker.bootstrap, group, &[]))
        .collect();
    for n in &mut nodes {
        n.healthy().await;
    }
    let input = dir.path().join("in.txt");
    let output = dir.path().join("out.txt");
    broker.topic_for_producing("kill-lines").await.unwrap();
    append_lines(&input, 0, LINES / 4);
    for (name, config) in [
        ("source", source_config(&input, "kill-lines")),
        ("sink", sink_config(&output, "kill-lines", 3)),
    ] {
        let a = nodes[0]
            .api
            .call(
                "POST",
                "/connectors",
                Some(json!({"name": name, "config": config})),
            )
            .await;
        assert_eq!(a.status, 201, "{}", a.body);
    }
    let expected = [("source", 1), ("sink", 3)];
    let all: BTreeSet<String> = nodes.iter().map(Node::id).collect();
    running_on(&nodes, 0, &expected, &all, Duration::from_secs(60)).await;

    // Kill the worker running the source task, then the one running the first sink task,
    // while lines keep coming.
    let mut written = LINES / 4;
    for (round, (connector, task)) in [("source", 0), ("sink", 0)].into_iter().enumerate() {
        let status = nodes[0]
            .api
            .call(
                "GET",
                &format!("/connectors/{connector}/tasks/{task}/status"),
                None,
            )
            .await
            .body;
        let victim_id = status["worker_id"].as_str().unwrap().to_owned();
        let victim = nodes.iter().position(|n| n.id() == victim_id).unwrap();
        nodes[victim].process.kill9();
        append_lines(&input, written, written + LINES / 4);
        written += LINES / 4;
        let alive: BTreeSet<String> = all.iter().filter(|w| **w != victim_id).cloned().collect();
        // Found dead after the session timeout (10 s), its work waits for it up to the
        // lost-work delay (10 s) before it moves.
        let observer = (victim + 1) % nodes.len();
        let took = running_on(&nodes, observer, &expected, &alive, Duration::from_secs(45)).await;
        eprintln!(
            "round {round}: {victim_id} killed; everything RUNNING on the survivors after {took:?}"
        );

        // Back again, it gets a share of the work.
        nodes[victim].restart();
        nodes[victim].healthy().await;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let mut ids = BTreeSet::new();
            for (name, _) in expected {
                let s = nodes[victim]
                    .api
                    .call("GET", &format!("/connectors/{name}/status"), None)
                    .await
                    .body;
                ids.extend(owners(&s));
            }
            if ids.contains(&victim_id) {
                break;
            }
            if Instant::now() > deadline {
                dump_logs(&nodes);
                panic!("the restarted worker {victim_id} got no work: {ids:?}");
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
    append_lines(&input, written, LINES);
    wait_for_lines(&output, LINES, Duration::from_secs(120), &nodes).await;
    let got = lines_in(&output);
    for i in 0..LINES {
        assert!(got.contains(&format!("line-{i}")), "line-{i} was lost");
    }
}
