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
use connect_runtime::kafka::{admin, ClientProps};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::{ClientConfig, Message, Offset, TopicPartitionList};
use serde_json::{json, Value};

/// One Apache broker for every test of this binary; each test has its own group, topics and
/// sink names (a sink's consumer group is `connect-<name>`: a dead worker's consumer in a group
/// of the same name would hold up the next test's rebalance until its session ends).
///
/// Not tansu: its group coordinator (0.6) loses track of groups of several members. It can
/// complete one generation with two leaders, keeps the generation when it expires a member,
/// and answers a SyncGroup of a repeated generation with the previous round's assignment, so
/// work moved by the leader never reaches the members.
fn broker() -> &'static connect_testbed::Broker {
    static BROKER: OnceLock<connect_testbed::Broker> = OnceLock::new();
    BROKER.get_or_init(|| connect_testbed::Broker::apache(&[]).unwrap())
}

/// The clusters of this binary's tests run one at a time: their timing bounds (failover
/// within 30 s) are about one cluster, not several sharing two cores.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// One worker of a test cluster.
struct Node {
    process: ConnectProcess,
    api: Api,
    props: PathBuf,
    port: u16,
    log: PathBuf,
}

/// `n` workers of `group`, each answering `/health`.
async fn cluster(dir: &Path, bootstrap: &str, group: &str, n: usize) -> Vec<Node> {
    let mut nodes: Vec<Node> = (0..n)
        .map(|_| Node::start(dir, bootstrap, group, &[]))
        .collect();
    for node in &mut nodes {
        node.healthy().await;
    }
    nodes
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

/// Creates a connector through `api`; fails the test unless the answer is 201.
async fn create(api: &Api, name: impl std::fmt::Display, config: Value) -> common::rest::Answer {
    let name = name.to_string();
    let a = api
        .call(
            "POST",
            "/connectors",
            Some(json!({"name": name, "config": config})),
        )
        .await;
    assert_eq!(a.status, 201, "{name}: {}", a.body);
    a
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
    let _one_cluster_at_a_time = SERIAL.lock().await;
    let broker = broker();
    let dir = tempfile::tempdir().unwrap();
    let group = "cluster-a";
    let nodes = cluster(dir.path(), &broker.bootstrap, group, 3).await;
    let input = dir.path().join("in.txt");
    let output = dir.path().join("out.txt");
    append_lines(&input, 0, 1000);
    broker.topic_for_producing("lines").await.unwrap();

    // Created through two different workers: whichever is not the leader forwards.
    for (node, name, config) in [
        (&nodes[1], "source", source_config(&input, "lines")),
        (&nodes[2], "sink", sink_config(&output, "lines", 2)),
    ] {
        let a = create(&node.api, name, config).await;
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

    // Active topics are shared through the status topic: every worker knows them.
    for n in &nodes {
        for name in ["source", "sink"] {
            let t = n
                .api
                .call("GET", &format!("/connectors/{name}/topics"), None)
                .await;
            assert_eq!(
                t.body,
                json!({name: {"topics": ["lines"]}}),
                "{}",
                n.api.base
            );
        }
    }
    let statuses = read_topic(&broker.bootstrap, &format!("{group}-status"));
    let tracked = statuses
        .iter()
        .find(|(_, k, _)| k == "status-topic-lines:connector-source")
        .and_then(|(_, _, v)| v.clone())
        .unwrap();
    assert_eq!(tracked["topic"]["name"], "lines");
    assert_eq!(tracked["topic"]["connector"], "source");
    assert_eq!(tracked["topic"]["task"], 0);

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
    // Restarts through every worker reach the one that runs the task or connector.
    for n in &nodes {
        let a = n
            .api
            .call("POST", "/connectors/sink/tasks/0/restart", None)
            .await;
        assert_eq!(a.status, 204, "{}: {}", n.api.base, a.body);
        let a = n.api.call("POST", "/connectors/sink/restart", None).await;
        assert_eq!(a.status, 204, "{}: {}", n.api.base, a.body);
    }
    agreed_status(&all, "sink", 2, Duration::from_secs(30)).await;
    append_lines(&input, 1000, 1100);
    wait_for_lines(&output, 1100, Duration::from_secs(60), &nodes).await;

    // Offsets, through any worker: stopped first, then read, altered (by the leader, where
    // the others forward) and reset.
    for name in ["source", "sink"] {
        let a = nodes[0]
            .api
            .call("PUT", &format!("/connectors/{name}/stop"), None)
            .await;
        assert_eq!(a.status, 204, "{}", a.body);
        for n in &nodes {
            n.api
                .wait_for(&format!("/connectors/{name}/status"), |s| {
                    s["connector"]["state"] == "STOPPED" && s["tasks"] == json!([])
                })
                .await;
        }
    }
    let file = input.display().to_string();
    for n in &nodes {
        let o = n.api.call("GET", "/connectors/source/offsets", None).await;
        assert_eq!(o.status, 200, "{}", o.body);
        assert_eq!(o.body["offsets"][0]["partition"], json!({"filename": file}));
        assert!(o.body["offsets"][0]["offset"]["position"].as_i64().unwrap() > 0);
        let o = n.api.call("GET", "/connectors/sink/offsets", None).await;
        assert_eq!(
            o.body["offsets"][0],
            json!({"partition": {"kafka_topic": "lines", "kafka_partition": 0},
                   "offset": {"kafka_offset": 1100}}),
            "{}",
            n.api.base
        );
    }
    let a = nodes[1]
        .api
        .call(
            "PATCH",
            "/connectors/source/offsets",
            Some(json!({"offsets": [{"partition": {"filename": file},
                                     "offset": {"position": 7}}]})),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    for n in &nodes {
        n.api
            .wait_for("/connectors/source/offsets", |o| {
                o["offsets"][0]["offset"] == json!({"position": 7})
            })
            .await;
    }
    let a = nodes[2]
        .api
        .call("DELETE", "/connectors/sink/offsets", None)
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    for n in &nodes {
        n.api
            .wait_for("/connectors/sink/offsets", |o| o["offsets"] == json!([]))
            .await;
    }

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

/// Waits until every connector of `expected` (name → task count) runs, as `api` sees it, on
/// workers among `alive` only; returns how long that took, or the last statuses seen.
async fn running_on(
    api: &Api,
    expected: &[(&str, usize)],
    alive: &BTreeSet<String>,
    within: Duration,
) -> Result<Duration, Vec<Value>> {
    let started = Instant::now();
    loop {
        let mut ok = true;
        let mut seen = Vec::new();
        for (name, tasks) in expected {
            let s = api
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
            return Ok(started.elapsed());
        }
        if started.elapsed() > within {
            return Err(seen);
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Everyone who runs some of `expected`, as `api` sees it.
async fn all_owners(api: &Api, expected: &[(&str, usize)]) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for (name, _) in expected {
        let s = api
            .call("GET", &format!("/connectors/{name}/status"), None)
            .await
            .body;
        if s["connector"].is_object() {
            ids.extend(owners(&s));
        }
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_workers_connectors_run_again_on_the_survivors_and_no_line_is_lost() {
    const LINES: usize = 100_000;
    if !apache_available("a_killed_workers_connectors_run_again_on_the_survivors") {
        return;
    }
    let _one_cluster_at_a_time = SERIAL.lock().await;
    let broker = broker();
    let dir = tempfile::tempdir().unwrap();
    let group = "cluster-kill";
    let mut nodes = cluster(dir.path(), &broker.bootstrap, group, 3).await;
    let input = dir.path().join("in.txt");
    let output = dir.path().join("out.txt");
    broker.topic_for_producing("kill-lines").await.unwrap();
    append_lines(&input, 0, LINES / 4);
    for (name, config) in [
        ("source", source_config(&input, "kill-lines")),
        ("kill-sink", sink_config(&output, "kill-lines", 3)),
    ] {
        create(&nodes[0].api, name, config).await;
    }
    let expected = [("source", 1), ("kill-sink", 3)];
    let all: BTreeSet<String> = nodes.iter().map(Node::id).collect();
    running_on(&nodes[0].api, &expected, &all, Duration::from_secs(60))
        .await
        .unwrap_or_else(|seen| {
            dump_logs(&nodes);
            panic!("the pipeline never ran: {seen:?}")
        });

    // Kill the worker running the source task, then the one running the first sink task,
    // while lines keep coming.
    let mut written = LINES / 4;
    for (round, (connector, task)) in [("source", 0), ("kill-sink", 0)].into_iter().enumerate() {
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
        let observer = &nodes[(victim + 1) % nodes.len()].api;
        let took = running_on(observer, &expected, &alive, Duration::from_secs(30))
            .await
            .unwrap_or_else(|seen| {
                dump_logs(&nodes);
                panic!("not running on the survivors {alive:?} within 30 s: {seen:?}")
            });
        eprintln!(
            "round {round}: {victim_id} killed; everything RUNNING on the survivors after {took:?}"
        );

        // Back again, it gets a share of the work.
        nodes[victim].restart();
        nodes[victim].healthy().await;
        let deadline = Instant::now() + Duration::from_secs(60);
        while !all_owners(&nodes[victim].api, &expected)
            .await
            .contains(&victim_id)
        {
            if Instant::now() > deadline {
                dump_logs(&nodes);
                panic!("the restarted worker {victim_id} got no work");
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

/// A status record's meaning: (key, state, worker, generation); `None` state for a tombstone.
type StatusRecord = (String, Option<String>, String, i64);

fn status_records(bootstrap: &str, topic: &str) -> Vec<(i32, StatusRecord)> {
    read_topic(bootstrap, topic)
        .into_iter()
        .map(|(p, key, v)| {
            let state = v
                .as_ref()
                .and_then(|v| v["state"].as_str())
                .map(str::to_owned);
            let worker = v
                .as_ref()
                .and_then(|v| v["worker_id"].as_str())
                .unwrap_or_default()
                .to_owned();
            let generation = v
                .as_ref()
                .and_then(|v| v["generation"].as_i64())
                .unwrap_or(-1);
            (p, (key, state, worker, generation))
        })
        .collect()
}

/// Checks the status topic's history of every task: a worker reports RUNNING only after the
/// previous holder reported that it stopped (UNASSIGNED, or any other state), so no task ever
/// ran on two workers at once; and the generations of successive holders never go back.
fn assert_one_holder_at_a_time(records: &[(i32, StatusRecord)]) {
    // Records of one key share a partition, so their order is the order they were written.
    let mut holder: BTreeMap<&str, (&str, i64)> = BTreeMap::new();
    for (_, (key, state, worker, generation)) in records {
        if !key.starts_with("status-task-") {
            continue;
        }
        match state.as_deref() {
            Some("RUNNING") => {
                if let Some((held_by, at)) = holder.get(key.as_str()) {
                    assert_eq!(
                        held_by, worker,
                        "{key} RUNNING on {worker} (generation {generation}) while {held_by} \
                         (generation {at}) had not stopped it: {records:?}"
                    );
                    assert!(generation >= at, "{key}: generation went back: {records:?}");
                }
                holder.insert(key, (worker, *generation));
            }
            _ => {
                if holder.get(key.as_str()).is_some_and(|(w, _)| w == worker) {
                    holder.remove(key.as_str());
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fourth_worker_takes_a_share_and_no_task_ever_runs_twice() {
    if !apache_available("a_fourth_worker_takes_a_share_and_no_task_ever_runs_twice") {
        return;
    }
    let _one_cluster_at_a_time = SERIAL.lock().await;
    let broker = broker();
    let dir = tempfile::tempdir().unwrap();
    let group = "cluster-grow";
    let mut nodes = cluster(dir.path(), &broker.bootstrap, group, 3).await;
    let input = dir.path().join("in.txt");
    let output = dir.path().join("out.txt");
    broker.topic_for_producing("grow-lines").await.unwrap();
    append_lines(&input, 0, 10_000);
    for (name, config) in [
        ("source", source_config(&input, "grow-lines")),
        ("grow-sink", sink_config(&output, "grow-lines", 3)),
    ] {
        create(&nodes[1].api, name, config).await;
    }
    // Two connectors and four tasks over three workers.
    let expected = [("source", 1), ("grow-sink", 3)];
    let three: BTreeSet<String> = nodes.iter().map(Node::id).collect();
    running_on(&nodes[0].api, &expected, &three, Duration::from_secs(60))
        .await
        .unwrap_or_else(|seen| {
            dump_logs(&nodes);
            panic!("the pipeline never ran: {seen:?}")
        });
    wait_for_lines(&output, 10_000, Duration::from_secs(60), &nodes).await;
    let status_topic = format!("{group}-status");
    let mut before: BTreeMap<i32, usize> = BTreeMap::new();
    for (p, _) in status_records(&broker.bootstrap, &status_topic) {
        *before.entry(p).or_default() += 1;
    }
    let owners_before = task_owners(&nodes[0].api, &expected).await;

    // The fourth joins while lines stream: it gets one task, taken from the worker that
    // ran two; every other task stays where it was, never stopped.
    let mut fourth = Node::start(dir.path(), &broker.bootstrap, group, &[]);
    fourth.healthy().await;
    nodes.push(fourth);
    append_lines(&input, 10_000, 20_000);
    let new_id = nodes[3].id();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !all_owners(&nodes[3].api, &expected).await.contains(&new_id) {
        if Instant::now() > deadline {
            dump_logs(&nodes);
            panic!("the fourth worker got no work");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let four: BTreeSet<String> = nodes.iter().map(Node::id).collect();
    running_on(&nodes[3].api, &expected, &four, Duration::from_secs(60))
        .await
        .unwrap_or_else(|seen| {
            dump_logs(&nodes);
            panic!("not running after the join: {seen:?}")
        });
    wait_for_lines(&output, 20_000, Duration::from_secs(60), &nodes).await;
    let owners_after = task_owners(&nodes[3].api, &expected).await;
    let moved: Vec<&String> = owners_after
        .iter()
        .filter(|(task, w)| owners_before.get(*task) != Some(*w))
        .map(|(task, _)| task)
        .collect();
    assert_eq!(
        moved.len(),
        1,
        "one task moves to the new worker: {owners_before:?} → {owners_after:?}"
    );

    // The moved task's handover is in the topic: stopped by its old worker, then running on
    // the new one at a later generation. Statuses are written without waiting, so the new
    // worker's may reach the topic a little after its REST answer shows it.
    let task = moved[0];
    let handed_over = |records: &[(i32, StatusRecord)]| {
        let history: Vec<&StatusRecord> = records
            .iter()
            .map(|(_, r)| r)
            .filter(|r| r.0 == format!("status-task-{task}"))
            .collect();
        let stopped = history
            .iter()
            .rposition(|r| r.1.as_deref() == Some("UNASSIGNED") && r.2 == owners_before[task])
            .unwrap_or_else(|| panic!("{task} was not released by its worker: {history:?}"));
        let ok = history[stopped + 1..].iter().any(|r| {
            r.1.as_deref() == Some("RUNNING") && r.2 == new_id && r.3 > history[stopped].3
        });
        (ok, format!("{history:?}"))
    };
    let deadline = Instant::now() + Duration::from_secs(15);
    let records = loop {
        let records = status_records(&broker.bootstrap, &status_topic);
        let (ok, history) = handed_over(&records);
        if ok {
            break records;
        }
        assert!(
            Instant::now() < deadline,
            "{task} did not run on {new_id} after its release: {history}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    assert_one_holder_at_a_time(&records);
    // Tasks that stayed were never stopped: no record about them since the join.
    let mut seen: BTreeMap<i32, usize> = BTreeMap::new();
    for (p, (key, state, worker, _)) in &records {
        let n = seen.entry(*p).or_default();
        *n += 1;
        if *n <= before.get(p).copied().unwrap_or(0) {
            continue;
        }
        let Some(task) = key.strip_prefix("status-task-") else {
            continue;
        };
        if !moved.iter().any(|m| *m == task) && state.as_deref() != Some("RUNNING") {
            panic!("{task} was stopped ({state:?} on {worker}) though it did not move");
        }
    }
    let lines = lines_in(&output);
    for i in 0..20_000 {
        assert!(lines.contains(&format!("line-{i}")), "line-{i} was lost");
    }
}

/// `connector-task` → worker id, for every task of `expected`.
async fn task_owners(api: &Api, expected: &[(&str, usize)]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (name, _) in expected {
        let s = api
            .call("GET", &format!("/connectors/{name}/status"), None)
            .await
            .body;
        for t in s["tasks"].as_array().into_iter().flatten() {
            out.insert(
                format!("{name}-{}", t["id"]),
                t["worker_id"].as_str().unwrap_or_default().to_owned(),
            );
        }
    }
    out
}

/// Our workers' logs and the Java worker's, on stderr, for a failing test.
fn dump_mixed(nodes: &[Node], java_log: &Path) {
    dump_logs(nodes);
    let text = std::fs::read_to_string(java_log).unwrap_or_default();
    let tail: Vec<&str> = text.lines().rev().take(300).collect();
    eprintln!("---- Apache's worker ----");
    for line in tail.into_iter().rev() {
        eprintln!("{line}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_java_worker_and_two_of_ours_share_connectors_and_take_over_from_each_other() {
    if !apache_available("one_java_worker_and_two_of_ours_share_connectors") {
        return;
    }
    let _one_cluster_at_a_time = SERIAL.lock().await;
    let broker = broker();
    let dir = tempfile::tempdir().unwrap();
    let group = "cluster-mixed";
    // Apache's worker waits 5 minutes for lost work by default; a migrating cluster sets
    // the delay its operators want on the Java workers too.
    let (java_props, java_port) = common::apache_distributed_properties(
        dir.path(),
        &broker.bootstrap,
        group,
        group,
        &[
            "scheduled.rebalance.max.delay.ms=10000",
            "offset.flush.interval.ms=1000",
        ],
    );
    let java_log = dir.path().join("apache-worker.log");
    let start_java = || {
        connect_testbed::apache::ApacheWorker::distributed(&java_props, java_port, &java_log)
            .unwrap()
    };
    // The Java worker first: it leads the group our workers join.
    let mut java = start_java();
    let java_api = Api::new(&java.rest);
    let java_id = format!("127.0.0.1:{java_port}");
    let mut nodes = cluster(dir.path(), &broker.bootstrap, group, 2).await;
    let input = dir.path().join("in.txt");
    let output = dir.path().join("out.txt");
    broker.topic_for_producing("mixed-lines").await.unwrap();
    append_lines(&input, 0, 10_000);

    // One connector created through the Java worker, one through ours (forwarded to the
    // Java leader); Apache's class names, which both kinds know.
    let source = json!({
        "connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
        "tasks.max": "1",
        "file": input.display().to_string(),
        "topic": "mixed-lines",
    });
    let sink = json!({
        "connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
        "tasks.max": "3",
        "file": output.display().to_string(),
        "topics": "mixed-lines",
    });
    for (api, name, config) in [
        (&java_api, "source", source),
        (&nodes[0].api, "mixed-sink", sink),
    ] {
        create(api, name, config).await;
    }
    let expected = [("source", 1), ("mixed-sink", 3)];
    let everyone: BTreeSet<String> = nodes
        .iter()
        .map(Node::id)
        .chain([java_id.clone()])
        .collect();
    running_on(&java_api, &expected, &everyone, Duration::from_secs(90))
        .await
        .unwrap_or_else(|seen| {
            dump_mixed(&nodes, &java_log);
            panic!("the pipeline never ran: {seen:?}")
        });
    for api in [&java_api, &nodes[0].api, &nodes[1].api] {
        let list = api.call("GET", "/connectors", None).await;
        assert_eq!(list.body, json!(["mixed-sink", "source"]), "{}", api.base);
    }
    // Four tasks over three workers: both kinds run some.
    let owners = task_owners(&java_api, &expected).await;
    let kinds: BTreeSet<bool> = owners.values().map(|w| *w == java_id).collect();
    assert_eq!(kinds.len(), 2, "tasks on one kind only: {owners:?}");
    wait_for_lines(&output, 10_000, Duration::from_secs(60), &nodes).await;

    // The Java worker dies: ours run everything.
    java.kill9();
    append_lines(&input, 10_000, 20_000);
    let ours: BTreeSet<String> = nodes.iter().map(Node::id).collect();
    let took = running_on(&nodes[0].api, &expected, &ours, Duration::from_secs(60))
        .await
        .unwrap_or_else(|seen| {
            dump_mixed(&nodes, &java_log);
            panic!("ours did not take over from the Java worker: {seen:?}")
        });
    eprintln!("the Java worker killed; ours run everything after {took:?}");
    wait_for_lines(&output, 20_000, Duration::from_secs(60), &nodes).await;

    // Back again, it gets a share from our leader.
    let java = start_java();
    let deadline = Instant::now() + Duration::from_secs(90);
    while !all_owners(&nodes[0].api, &expected)
        .await
        .contains(&java_id)
    {
        if Instant::now() > deadline {
            dump_mixed(&nodes, &java_log);
            panic!("the restarted Java worker got no work");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    // Both of ours die: the Java worker runs everything.
    append_lines(&input, 20_000, 30_000);
    for n in &mut nodes {
        n.process.kill9();
    }
    let only_java: BTreeSet<String> = [java_id.clone()].into();
    let took = running_on(&java_api, &expected, &only_java, Duration::from_secs(90))
        .await
        .unwrap_or_else(|seen| {
            dump_mixed(&nodes, &java_log);
            panic!("the Java worker did not take over from ours: {seen:?}")
        });
    eprintln!("ours killed; the Java worker runs everything after {took:?}");
    append_lines(&input, 30_000, 40_000);
    wait_for_lines(&output, 40_000, Duration::from_secs(90), &nodes).await;
    let lines = lines_in(&output);
    for i in 0..40_000 {
        assert!(lines.contains(&format!("line-{i}")), "line-{i} was lost");
    }
    drop(java);
}

/// Runs `connect-distributed` with a worker file until it exits (at most 90 s); returns its
/// exit code and its log.
fn run_until_exit(props: &Path, log: &Path) -> (Option<i32>, String) {
    let file = std::fs::File::create(log).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_connect-distributed"))
        .arg(props)
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::null())
        .stderr(file)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return (
                status.code(),
                std::fs::read_to_string(log).unwrap_or_default(),
            );
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the worker did not exit:\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// How many records a topic holds (0 if it does not exist).
fn records_in(bootstrap: &str, topic: &str) -> usize {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .unwrap();
    let metadata = consumer
        .fetch_metadata(Some(topic), Duration::from_secs(10))
        .unwrap();
    let Some(t) = metadata.topics().iter().find(|t| t.name() == topic) else {
        return 0;
    };
    t.partitions()
        .iter()
        .map(|p| {
            consumer
                .fetch_watermarks(topic, p.id(), Duration::from_secs(10))
                .map_or(0, |(low, high)| (high - low) as usize)
        })
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_topics_that_would_lose_data_stop_the_worker_at_startup() {
    let broker = common::Broker::start();
    let dir = tempfile::tempdir().unwrap();
    let admin = ClientProps::from([("bootstrap.servers".to_owned(), broker.bootstrap.clone())]);
    let compact = [("cleanup.policy".to_owned(), "compact".to_owned())];
    let delete = [("cleanup.policy".to_owned(), "delete".to_owned())];
    admin::create_topic(&admin, "deletes-status", 1, 1, &delete)
        .await
        .unwrap();
    admin::create_topic(&admin, "split-configs", 3, 1, &compact)
        .await
        .unwrap();
    for (prefix, topic, key, problem) in [
        (
            "deletes",
            "deletes-status",
            "status.storage.topic",
            "is required to have 'cleanup.policy=compact'",
        ),
        (
            "split",
            "split-configs",
            "config.storage.topic",
            "is required to have a single partition",
        ),
    ] {
        let port = free_port();
        let props =
            distributed_properties(dir.path(), &broker.bootstrap, prefix, prefix, port, &[]);
        let (code, log) = run_until_exit(&props, &dir.path().join(format!("{prefix}.log")));
        assert_eq!(code, Some(2), "{log}");
        assert!(
            log.contains(&format!("Topic '{topic}'")) && log.contains(key) && log.contains(problem),
            "the error names neither the topic nor the problem:\n{log}"
        );
        for suffix in ["configs", "offsets", "status"] {
            let topic = format!("{prefix}-{suffix}");
            assert_eq!(
                records_in(&broker.bootstrap, &topic),
                0,
                "{topic} written to"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_reading_other_internal_topics_than_its_group_stops_and_the_group_runs_on() {
    if !apache_available("a_worker_reading_other_internal_topics_than_its_group_stops") {
        return;
    }
    let _one_cluster_at_a_time = SERIAL.lock().await;
    let broker = broker();
    let dir = tempfile::tempdir().unwrap();
    let group = "cluster-topics";
    let mut first = Node::start(dir.path(), &broker.bootstrap, group, &[]);
    first.healthy().await;
    let input = dir.path().join("in.txt");
    append_lines(&input, 0, 100);
    broker.topic_for_producing("topics-lines").await.unwrap();
    create(&first.api, "source", source_config(&input, "topics-lines")).await;
    let expected = [("source", 1)];
    let alone: BTreeSet<String> = [first.id()].into();
    running_on(&first.api, &expected, &alone, Duration::from_secs(60))
        .await
        .unwrap();

    // Same group, other topics: it finds out when the leader's assignment names a config
    // offset its own topic does not reach, and stops, writing nothing.
    let port = free_port();
    let props = distributed_properties(
        dir.path(),
        &broker.bootstrap,
        group,
        "cluster-topics-other",
        port,
        &[],
    );
    let (code, log) = run_until_exit(&props, &dir.path().join("other.log"));
    assert_eq!(code, Some(2), "{log}");
    assert!(
        log.contains("config topic 'cluster-topics-other-configs'")
            && log.contains("must all name the same config.storage.topic"),
        "{log}"
    );
    for suffix in ["configs", "offsets", "status"] {
        let topic = format!("cluster-topics-other-{suffix}");
        assert_eq!(
            records_in(&broker.bootstrap, &topic),
            0,
            "{topic} written to"
        );
    }
    // The group runs on as before.
    running_on(&first.api, &expected, &alone, Duration::from_secs(60))
        .await
        .unwrap_or_else(|seen| {
            dump_logs(std::slice::from_ref(&first));
            panic!("the group's work stopped: {seen:?}")
        });

    // The other way round: a config topic that holds more than the group's (another
    // cluster's, with three connectors). The leader gives that worker no work; it stops.
    let mut other = Node::start(dir.path(), &broker.bootstrap, "cluster-elsewhere", &[]);
    other.healthy().await;
    for i in 0..3 {
        create(
            &other.api,
            format!("elsewhere-{i}"),
            json!({
                "connector.class": "FileStreamSink",
                "file": dir.path().join(format!("elsewhere-{i}.txt")).display().to_string(),
                "topics": "elsewhere",
            }),
        )
        .await;
    }
    assert_eq!(other.process.terminate(), Some(0));
    let port = free_port();
    let props = distributed_properties(
        dir.path(),
        &broker.bootstrap,
        group,
        "cluster-elsewhere",
        port,
        &[],
    );
    let written = records_in(&broker.bootstrap, "cluster-elsewhere-status");
    let (code, log) = run_until_exit(&props, &dir.path().join("ahead.log"));
    assert_eq!(code, Some(2), "{log}");
    assert!(
        log.contains("must all name the same config.storage.topic"),
        "{log}"
    );
    assert_eq!(
        records_in(&broker.bootstrap, "cluster-elsewhere-status"),
        written,
        "the worker reported statuses of its own topics' connectors"
    );
    running_on(&first.api, &expected, &alone, Duration::from_secs(60))
        .await
        .unwrap_or_else(|seen| {
            dump_logs(std::slice::from_ref(&first));
            panic!("the group's work stopped: {seen:?}")
        });
    let leader_log = std::fs::read_to_string(&first.log).unwrap_or_default();
    assert!(
        leader_log.contains("it does not share this group's internal topics"),
        "{leader_log}"
    );
}

/// A sink task that cannot open its file fails; the worker running it restarts it by itself
/// (`auto.restart.*`), every worker reports the attempt in the task's trace, and once the
/// file's directory exists the task runs and every line arrives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_task_is_restarted_by_the_worker_running_it() {
    if !apache_available("a_failed_task_is_restarted_by_the_worker_running_it") {
        return;
    }
    let _one_cluster_at_a_time = SERIAL.lock().await;
    let broker = broker();
    let dir = tempfile::tempdir().unwrap();
    let group = "cluster-healing";
    let extra = [
        "auto.restart.backoff.initial.ms=1000",
        "auto.restart.backoff.max.ms=3000",
        "auto.restart.max.attempts=20",
    ];
    let mut nodes: Vec<Node> = (0..2)
        .map(|_| Node::start(dir.path(), &broker.bootstrap, group, &extra))
        .collect();
    for node in &mut nodes {
        node.healthy().await;
    }
    let input = dir.path().join("in.txt");
    let later = dir.path().join("later");
    let output = later.join("out.txt");
    append_lines(&input, 0, 300);
    broker.topic_for_producing("healing-lines").await.unwrap();
    create(
        &nodes[0].api,
        "healing-source",
        source_config(&input, "healing-lines"),
    )
    .await;
    create(
        &nodes[1].api,
        "healing-sink",
        sink_config(&output, "healing-lines", 1),
    )
    .await;

    // Every worker sees the failure and the restart the owner has scheduled.
    let deadline = Instant::now() + Duration::from_secs(60);
    'seen: loop {
        for n in &nodes {
            let s = n
                .api
                .call("GET", "/connectors/healing-sink/status", None)
                .await
                .body;
            let trace = s["tasks"][0]["trace"].as_str().unwrap_or("");
            if s["tasks"][0]["state"] == "FAILED"
                && trace.contains("Couldn't find or create file")
                && trace.contains("Automatic restart: attempt")
            {
                break 'seen;
            }
        }
        if Instant::now() > deadline {
            dump_logs(&nodes);
            panic!("the sink task never failed with a scheduled restart");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    std::fs::create_dir(&later).unwrap();
    wait_for_lines(&output, 300, Duration::from_secs(60), &nodes).await;
    let refs: Vec<&Node> = nodes.iter().collect();
    agreed_status(&refs, "healing-sink", 1, Duration::from_secs(30)).await;

    // Distributed workers add Apache's rebalance group to their metrics.
    for n in &nodes {
        let text = n
            .api
            .client
            .get(format!("{}/metrics", n.api.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let completed = text
            .lines()
            .find_map(|l| {
                l.strip_prefix(
                    "kafka_connect_connect_worker_rebalance_metrics_completed_rebalances_total ",
                )
            })
            .and_then(|v| v.parse::<f64>().ok());
        assert!(completed.is_some_and(|c| c >= 1.0), "{text}");
        assert!(
            text.contains(
                "kafka_connect_connect_worker_rebalance_metrics_leader_name{leader_name=\"http://"
            ),
            "{text}"
        );
    }
}

/// A restart asked for while the group has yet to rebalance for a new connector waits for
/// the round up to `worker.sync.timeout.ms`, then answers Apache's 409 (`RebalanceNeeded`)
/// instead of acting on the assignment from before; once the group has rebalanced, the same
/// request is carried out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_before_the_group_rebalances_for_a_new_connector_answers_409() {
    if !apache_available("a_restart_before_the_group_rebalances_answers_409") {
        return;
    }
    let _one_cluster_at_a_time = SERIAL.lock().await;
    let broker = broker();
    let dir = tempfile::tempdir().unwrap();
    let group = "cluster-rebalance-needed";
    // A frozen member holds a round up until its session ends: 30 s, well past the wait.
    let extra = ["session.timeout.ms=30000", "worker.sync.timeout.ms=2000"];
    let mut leader = Node::start(dir.path(), &broker.bootstrap, group, &extra);
    leader.healthy().await;
    let mut follower = Node::start(dir.path(), &broker.bootstrap, group, &extra);
    follower.healthy().await;
    let input = dir.path().join("in.txt");
    append_lines(&input, 0, 10);
    broker
        .topic_for_producing("rebalance-needed")
        .await
        .unwrap();
    create(
        &leader.api,
        "before",
        source_config(&input, "rebalance-needed"),
    )
    .await;
    let both: BTreeSet<String> = [leader.id(), follower.id()].into();
    running_on(
        &leader.api,
        &[("before", 1)],
        &both,
        Duration::from_secs(60),
    )
    .await
    .unwrap_or_else(|seen| {
        dump_logs(std::slice::from_ref(&leader));
        dump_logs(std::slice::from_ref(&follower));
        panic!("before never ran: {seen:?}")
    });

    follower.process.signal("STOP");
    create(
        &leader.api,
        "after",
        source_config(&input, "rebalance-needed"),
    )
    .await;
    let asked = Instant::now();
    let a = leader
        .api
        .call("POST", "/connectors/before/restart", None)
        .await;
    let waited = asked.elapsed();
    follower.process.signal("CONT");
    assert_eq!(a.status, 409, "{}", a.body);
    assert_eq!(
        a.body["message"],
        "Cannot complete request momentarily due to stale configuration (typically caused by a concurrent config change)"
    );
    assert!(
        waited >= Duration::from_millis(1900),
        "answered after {waited:?}, before worker.sync.timeout.ms"
    );

    // The follower answers again, the round completes, and the restart goes through.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let a = leader
            .api
            .call("POST", "/connectors/before/restart", None)
            .await;
        if a.status == 204 {
            break;
        }
        assert!(
            a.status == 409 && Instant::now() < deadline,
            "{}: {}",
            a.status,
            a.body
        );
    }
    let expected = [("before", 1), ("after", 1)];
    running_on(&leader.api, &expected, &both, Duration::from_secs(60))
        .await
        .unwrap_or_else(|seen| {
            dump_logs(std::slice::from_ref(&leader));
            dump_logs(std::slice::from_ref(&follower));
            panic!("the connectors did not run after the round: {seen:?}")
        });
}
