//! End-to-end tests of `connect-standalone` with the shipped file connector configs, against
//! a real broker (tansu, or Apache Kafka's with `CONNECT_TEST_BROKER=apache`) started on a free
//! loopback port.

#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

use common::*;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::ClientConfig;

/// Lines with multi-byte UTF-8 and both `\n` and `\r\n` ends.
fn test_lines(n: usize, start: usize) -> Vec<String> {
    (start..start + n)
        .map(|i| match i % 4 {
            0 => format!("line {i} plain ascii"),
            1 => format!("ligne {i} héllo wörld — ünïcödé"),
            2 => format!("行 {i} 日本語のテキスト 😀"),
            _ => format!("line {i} with \"quotes\" and \\ backslash"),
        })
        .collect()
}

fn append_lines(path: &std::path::Path, lines: &[String], start: usize) {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    let mut buf = String::new();
    for (i, l) in lines.iter().enumerate() {
        buf.push_str(l);
        buf.push_str(if (start + i) % 3 == 0 { "\r\n" } else { "\n" });
    }
    f.write_all(buf.as_bytes()).unwrap();
}

fn read_lines(path: &std::path::Path) -> Vec<String> {
    match std::fs::read_to_string(path) {
        Ok(s) => s.lines().map(str::to_owned).collect(),
        Err(_) => Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn quickstart_moves_lines_file_to_topic_to_file() {
    let broker = Broker::start();
    broker.topic_for_producing("connect-test").await;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("test.txt");
    let output = dir.path().join("test.sink.txt");
    let lines = test_lines(10_000, 0);
    append_lines(&input, &lines, 0);

    let port = free_port();
    let worker = worker_properties(dir.path(), &broker.bootstrap, port, &[]);
    let source = connector_properties(
        dir.path(),
        "connect-file-source.properties",
        &[("file", input.to_str().unwrap())],
    );
    let sink = connector_properties(
        dir.path(),
        "connect-file-sink.properties",
        &[("file", output.to_str().unwrap())],
    );
    let mut connect = ConnectProcess::start(
        &worker,
        &[&source, &sink],
        port,
        &dir.path().join("connect.log"),
    );

    let done = wait_until(Duration::from_secs(120), || {
        read_lines(&output).len() >= lines.len()
    });
    let got = read_lines(&output);
    assert!(
        done,
        "only {} of {} lines arrived; log:\n{}",
        got.len(),
        lines.len(),
        std::fs::read_to_string(&connect.log).unwrap_or_default()
    );
    assert_eq!(got, lines);

    // The topic holds Apache's JsonConverter envelope.
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", &broker.bootstrap)
        .set("group.id", "quickstart-check")
        .set("auto.offset.reset", "earliest")
        .create()
        .unwrap();
    consumer.subscribe(&["connect-test"]).unwrap();
    let mut first = None;
    for _ in 0..100 {
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(200)) {
            first = Some((m.key().map(<[u8]>::to_vec), m.payload().map(<[u8]>::to_vec)));
            break;
        }
    }
    let (key, value) = first.expect("a record in connect-test");
    assert_eq!(key, None, "null key schema and value produce no key bytes");
    assert_eq!(
        String::from_utf8(value.unwrap()).unwrap(),
        format!(
            "{{\"schema\":{{\"type\":\"string\",\"optional\":false}},\"payload\":\"{}\"}}",
            lines[0]
        )
    );

    // Status over REST.
    let status: serde_json::Value = reqwest::get(format!(
        "{}/connectors/local-file-source/status",
        connect.rest
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(status["connector"]["state"], "RUNNING");
    assert_eq!(status["tasks"][0]["state"], "RUNNING");
    assert_eq!(status["type"], "source");

    // A clean shutdown flushes offsets: the stored position is the end of the input.
    assert_eq!(connect.terminate(), Some(0));

    // Lines a connector or task causes carry Apache's context, in Apache's layout.
    let log = std::fs::read_to_string(&connect.log).unwrap();
    for context in [
        "] INFO [local-file-source|worker] ",
        "] INFO [local-file-source|task-0] ",
        "] INFO [local-file-sink|task-0] ",
        "] INFO [local-file-source|task-0|offsets] ",
    ] {
        assert!(
            log.lines()
                .any(|l| l.starts_with('[') && l.contains(context)),
            "no line with {context}:\n{log}"
        );
    }
    // The start-up line names the Apache Kafka release implemented: the one the interop tests pin.
    let pom = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../interop/apache/pom.xml"
    ))
    .unwrap();
    let kafka = log
        .split("implementing Apache Kafka Connect ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no build line:\n{log}"));
    assert!(
        pom.contains(&format!("<kafka.version>{kafka}</kafka.version>")),
        "{kafka}"
    );
    let offsets = std::fs::read_to_string(dir.path().join("connect.offsets")).unwrap();
    let size = std::fs::metadata(&input).unwrap().len();
    let entries: Vec<(serde_json::Value, serde_json::Value)> =
        serde_json::from_str(&offsets).unwrap();
    let positions: BTreeMap<String, i64> = entries
        .iter()
        .map(|(k, v)| (k.to_string(), v["position"].as_i64().unwrap()))
        .collect();
    assert_eq!(
        positions.get(&format!(
            "[\"local-file-source\",{{\"filename\":\"{}\"}}]",
            input.display()
        )),
        Some(&(size as i64))
    );
}

/// Every line in partition 0 of `topic`, read from the beginning until nothing more comes.
fn topic_values(bootstrap: &str, topic: &str) -> std::collections::HashSet<String> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", "kill-check")
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    let mut tpl = rdkafka::TopicPartitionList::new();
    tpl.add_partition_offset(topic, 0, rdkafka::Offset::Beginning)
        .unwrap();
    consumer.assign(&tpl).unwrap();
    let mut values = std::collections::HashSet::new();
    let mut idle = 0;
    while idle < 20 {
        match consumer.poll(Duration::from_millis(250)) {
            Some(Ok(m)) => {
                idle = 0;
                // The shipped configs use JsonConverter with schemas: the line is the payload.
                let raw = m.payload().unwrap_or_default();
                let line = serde_json::from_slice::<serde_json::Value>(raw)
                    .ok()
                    .and_then(|v| v["payload"].as_str().map(str::to_owned))
                    .unwrap_or_else(|| String::from_utf8_lossy(raw).into_owned());
                values.insert(line);
            }
            _ => idle += 1,
        }
    }
    values
}

/// The files of a kill -9 test: a worker that commits every 200 ms and whose sink consumers'
/// sessions expire after 6 s (a killed consumer leaves its group only then), and the shipped
/// source reading `test.txt`; returns (worker file, source file, input, output).
/// The kill tests' broker, with the quickstart's topic; `None` (the test skips) without Java.
/// Apache's: tansu returns nothing for a fetch from an offset inside a record batch and moves
/// on to the next batch, so a sink restarted at a committed offset in the middle of a batch
/// (the source sends 2,000 lines per batch) silently skips the rest of it.
async fn kill_test_broker(test: &str) -> Option<Broker> {
    if !apache_available(test) {
        return None;
    }
    let broker = Broker::apache();
    broker.topic_for_producing("connect-test").await;
    Some(broker)
}

/// The kill tests' worker log: the sink loop's commits and any offsets its consumer passed
/// over are what the post-mortem of a lost record needs.
const KILL_TEST_LOG: &str = "info,connect_runtime::worker::sink_task=debug";

fn kill_test_files(
    dir: &std::path::Path,
    bootstrap: &str,
    port: u16,
) -> (
    std::path::PathBuf,
    std::path::PathBuf,
    std::path::PathBuf,
    std::path::PathBuf,
) {
    let input = dir.join("test.txt");
    let output = dir.join("test.sink.txt");
    let worker = worker_properties(
        dir,
        bootstrap,
        port,
        &[
            ("offset.flush.interval.ms", "200"),
            ("consumer.session.timeout.ms", "6000"),
            ("consumer.heartbeat.interval.ms", "1000"),
        ],
    );
    let source = connector_properties(
        dir,
        "connect-file-source.properties",
        &[("file", input.to_str().unwrap())],
    );
    (worker, source, input, output)
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_9_mid_stream_loses_nothing_and_tears_no_line() {
    let Some(broker) = kill_test_broker("kill_9_mid_stream_loses_nothing_and_tears_no_line").await
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    // Commit often, so that a kill repeats little.
    let (worker, source, input, output) = kill_test_files(dir.path(), &broker.bootstrap, port);
    let sink = connector_properties(
        dir.path(),
        "connect-file-sink.properties",
        &[("file", output.to_str().unwrap())],
    );
    let log = dir.path().join("connect.log");

    let per_round = 100_000;
    let rounds = 3;
    let mut all = Vec::new();
    for round in 0..rounds {
        let lines = test_lines(per_round, round * per_round);
        append_lines(&input, &lines, round * per_round);
        all.extend(lines);
        let mut connect =
            ConnectProcess::start_logging(&worker, &[&source, &sink], port, &log, KILL_TEST_LOG);
        // Kill while records are still flowing.
        let target = all.len() - per_round / 2;
        wait_until(Duration::from_secs(60), || {
            read_lines(&output).len() >= target
        });
        // Let a commit interval pass, then kill without warning while lines still flow.
        std::thread::sleep(Duration::from_millis(250));
        connect.kill9();
        // Never half a line: every line in the sink is a whole input line.
        let got = read_lines(&output);
        let known: std::collections::HashSet<&String> = all.iter().collect();
        for l in &got {
            assert!(known.contains(l), "torn or merged line in sink: {l:?}");
        }
    }
    // A last clean run delivers the rest, once the killed worker's consumer session has
    // ended; allow minutes on a machine busy with the other tests.
    let mut connect =
        ConnectProcess::start_logging(&worker, &[&source, &sink], port, &log, KILL_TEST_LOG);
    let complete = wait_until(Duration::from_secs(300), || {
        let got: std::collections::HashSet<String> = read_lines(&output).into_iter().collect();
        all.iter().all(|l| got.contains(l))
    });
    if !complete {
        let got: std::collections::HashSet<String> = read_lines(&output).into_iter().collect();
        let missing: Vec<usize> = (0..all.len()).filter(|&i| !got.contains(&all[i])).collect();
        // Whether the topic holds them tells a source loss from a sink loss.
        let in_topic = topic_values(&broker.bootstrap, "connect-test");
        let missing_from_topic = missing
            .iter()
            .filter(|&&i| !in_topic.contains(&all[i]))
            .count();
        panic!(
            "{} lines missing after kill -9 (first {:?}, last {:?}); {missing_from_topic} of them are not in the topic either; log:\n{}",
            missing.len(),
            missing.first(),
            missing.last(),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }
    assert_eq!(connect.terminate(), Some(0));
    let got = read_lines(&output);
    let duplicates = got.len() - all.len();
    // Duplicates come only from what was not yet committed at each kill: the records of
    // about one commit interval per kill. Without working commits every restart would repeat
    // everything before it (100k + 200k + 300k here); allow at most half a round per kill.
    println!(
        "kill -9 x{rounds}: {} lines, {duplicates} duplicates",
        all.len()
    );
    assert!(
        duplicates <= rounds * per_round / 2,
        "{duplicates} duplicates for {} lines",
        all.len()
    );
    // Each source line appears in order of first delivery.
    let mut seen = std::collections::HashSet::new();
    let first_seen: Vec<&String> = got.iter().filter(|l| seen.insert(*l)).collect();
    assert_eq!(first_seen.len(), all.len());
}

#[tokio::test(flavor = "multi_thread")]
async fn converter_overrides_and_transform_chains_apply_on_both_sides() {
    let broker = Broker::start();
    broker.topic_for_producing("connect-test").await;
    broker.topic_for_producing("routed-connect-test").await;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    let output = dir.path().join("out.txt");
    append_lines(
        &input,
        &[
            r#"{"a":1,"b":"x"}"#.to_owned(),
            r#"{"a":2,"b":"y"}"#.to_owned(),
        ],
        1,
    );
    let port = free_port();
    let worker = worker_properties(dir.path(), &broker.bootstrap, port, &[]);
    let mut connect = ConnectProcess::start(&worker, &[], port, &dir.path().join("connect.log"));
    let client = reqwest::Client::new();
    let source = serde_json::json!({
        "name": "src",
        "config": {
            "connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
            "file": input.to_str().unwrap(),
            "topic": "connect-test",
            "value.converter": "org.apache.kafka.connect.storage.StringConverter",
            "transforms": "route",
            "transforms.route.type": "org.apache.kafka.connect.transforms.RegexRouter",
            "transforms.route.regex": "(.*)",
            "transforms.route.replacement": "routed-$1"
        }
    });
    let r = client
        .post(format!("{}/connectors", connect.rest))
        .json(&source)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let sink = serde_json::json!({
        "name": "sink",
        "config": {
            "connector.class": "FileStreamSink",
            "file": output.to_str().unwrap(),
            "topics": "routed-connect-test",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter.schemas.enable": "false",
            "transforms": "drop",
            "transforms.drop.type": "org.apache.kafka.connect.transforms.ReplaceField$Value",
            "transforms.drop.exclude": "b"
        }
    });
    let r = client
        .post(format!("{}/connectors", connect.rest))
        .json(&sink)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let ok = wait_until(Duration::from_secs(60), || read_lines(&output).len() >= 2);
    assert!(
        ok,
        "log:\n{}",
        std::fs::read_to_string(&connect.log).unwrap_or_default()
    );
    // StringConverter wrote each line as plain text to the routed topic; the sink read it as
    // schemaless JSON, dropped a field, and printed the map as Java prints it.
    assert_eq!(read_lines(&output), ["{a=1}", "{a=2}"]);
    connect.terminate();
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_gets_clear_errors() {
    let broker = Broker::start();
    broker.topic_for_producing("connect-test").await;
    let dir = tempfile::tempdir().unwrap();

    // A worker file that is not a valid worker configuration: clear message, non-zero exit.
    let bad = dir.path().join("bad.properties");
    std::fs::write(
        &bad,
        "bootstrap.servers=127.0.0.1:1\nkey.converter=x\noffset.storage.file.filename=o\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_connect-standalone"))
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "Missing required configuration \"value.converter\" which has no default value."
        ),
        "{stderr}"
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_connect-standalone"))
        .arg(dir.path().join("nope.properties"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_connect-standalone"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));

    let port = free_port();
    let worker = worker_properties(dir.path(), &broker.bootstrap, port, &[]);
    let connect = ConnectProcess::start(&worker, &[], port, &dir.path().join("connect.log"));
    let client = reqwest::Client::new();

    // Unknown connector class: 400 naming close matches.
    let r = client
        .post(format!("{}/connectors", connect.rest))
        .json(&serde_json::json!({"name": "x", "config": {"connector.class": "FileStreamSorce", "topic": "t"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error_code"], 400);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("org.apache.kafka.connect.file.FileStreamSourceConnector"),
        "{body}"
    );

    // Missing required key: 400 naming the key.
    let r = client
        .post(format!("{}/connectors", connect.rest))
        .json(&serde_json::json!({"name": "y", "config": {"connector.class": "FileStreamSource"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("Missing required configuration \"topic\" which has no default value."),
        "{body}"
    );

    // A record the converter cannot read fails the task with a readable trace, and the
    // worker keeps serving.
    let producer: rdkafka::producer::BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", &broker.bootstrap)
        .create()
        .unwrap();
    producer
        .send(
            rdkafka::producer::BaseRecord::<(), str>::to("connect-test")
                .payload("this is not json"),
        )
        .unwrap();
    rdkafka::producer::Producer::flush(&producer, Duration::from_secs(10)).unwrap();
    let r = client
        .post(format!("{}/connectors", connect.rest))
        .json(&serde_json::json!({"name": "bad-sink", "config": {"connector.class": "FileStreamSink", "topics": "connect-test", "file": dir.path().join("o.txt").to_str().unwrap()}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let failed = wait_until(Duration::from_secs(60), || {
        let status = std::process::Command::new("curl")
            .arg("-s")
            .arg(format!("{}/connectors/bad-sink/status", connect.rest))
            .output();
        status
            .map(|o| String::from_utf8_lossy(&o.stdout).contains("FAILED"))
            .unwrap_or(false)
    });
    assert!(failed);
    let status: serde_json::Value = client
        .get(format!("{}/connectors/bad-sink/status", connect.rest))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["tasks"][0]["state"], "FAILED");
    let trace = status["tasks"][0]["trace"].as_str().unwrap();
    assert!(
        trace.contains("Tolerance exceeded in error handler"),
        "{trace}"
    );
    let r = client
        .get(format!("{}/connectors", connect.rest))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn clean_shutdown_then_restart_delivers_no_duplicates() {
    let broker = Broker::start();
    broker.topic_for_producing("connect-test").await;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("test.txt");
    let output = dir.path().join("test.sink.txt");
    let port = free_port();
    let worker = worker_properties(
        dir.path(),
        &broker.bootstrap,
        port,
        &[("log.format", "json")],
    );
    let source = connector_properties(
        dir.path(),
        "connect-file-source.properties",
        &[("file", input.to_str().unwrap())],
    );
    let sink = connector_properties(
        dir.path(),
        "connect-file-sink.properties",
        &[("file", output.to_str().unwrap())],
    );
    let log = dir.path().join("connect.log");
    let mut all = Vec::new();
    for round in 0..3 {
        let lines = test_lines(3_000, round * 3_000);
        append_lines(&input, &lines, round * 3_000);
        all.extend(lines);
        let mut connect =
            ConnectProcess::start_logging(&worker, &[&source, &sink], port, &log, KILL_TEST_LOG);
        let ok = wait_until(Duration::from_secs(60), || {
            read_lines(&output).len() >= all.len()
        });
        assert!(
            ok,
            "log:\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        assert_eq!(connect.terminate(), Some(0));
        assert_eq!(
            read_lines(&output),
            all,
            "round {round}: duplicates or losses after a clean restart"
        );
    }
    // With log.format=json, every line once the worker file is read is one JSON object:
    // no connector or task ever logs in text.
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        !text
            .lines()
            .any(|l| !l.starts_with('{') && l.contains("[local-file-")),
        "{text}"
    );
    let lines: Vec<serde_json::Value> = text
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(!lines.is_empty(), "{text}");
    assert!(
        lines
            .iter()
            .any(|l| l["connector.context"] == "local-file-sink|task-0"
                && l["level"] == "INFO"
                && l["message"].as_str().is_some_and(|m| !m.is_empty())),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn source_creates_its_topic_when_topic_creation_is_configured() {
    let broker = Broker::start();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    append_lines(&input, &["one".to_owned(), "two".to_owned()], 1);
    let port = free_port();
    let worker = worker_properties(dir.path(), &broker.bootstrap, port, &[]);
    let connect = ConnectProcess::start(&worker, &[], port, &dir.path().join("connect.log"));
    let r = reqwest::Client::new()
        .put(format!("{}/connectors/creator/config", connect.rest))
        .json(&serde_json::json!({
            "connector.class": "FileStreamSource",
            "file": input.to_str().unwrap(),
            "topic": "created-by-connect",
            "value.converter": "org.apache.kafka.connect.storage.StringConverter",
            "topic.creation.default.partitions": "2",
            "topic.creation.default.replication.factor": "1"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", &broker.bootstrap)
        .set("group.id", "creation-check")
        .set("auto.offset.reset", "earliest")
        .create()
        .unwrap();
    let mut partitions = 0;
    let found = wait_until(Duration::from_secs(60), || {
        match consumer.fetch_metadata(Some("created-by-connect"), Duration::from_secs(5)) {
            Ok(md) => {
                partitions = md.topics().first().map_or(0, |t| {
                    if t.error().is_none() {
                        t.partitions().len()
                    } else {
                        0
                    }
                });
                partitions > 0
            }
            Err(_) => false,
        }
    });
    assert!(
        found,
        "topic was not created; log:\n{}",
        std::fs::read_to_string(&connect.log).unwrap_or_default()
    );
    assert_eq!(partitions, 2);
    consumer.subscribe(&["created-by-connect"]).unwrap();
    let mut values = Vec::new();
    for _ in 0..200 {
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(200)) {
            values.push(String::from_utf8_lossy(m.payload().unwrap_or_default()).into_owned());
            if values.len() == 2 {
                break;
            }
        }
    }
    values.sort();
    assert_eq!(values, ["one", "two"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_9_while_the_sink_is_paused_loses_nothing() {
    let Some(broker) = kill_test_broker("kill_9_while_the_sink_is_paused_loses_nothing").await
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    // Commit often, so that a kill repeats little.
    let (worker, source, input, output) = kill_test_files(dir.path(), &broker.bootstrap, port);
    // The same sink twice: created paused (a JSON create request), then as shipped.
    let paused_sink = dir.path().join("paused-sink.json");
    std::fs::write(
        &paused_sink,
        serde_json::json!({
            "name": "local-file-sink",
            "config": {"connector.class": "FileStreamSink", "tasks.max": "1",
                       "file": output.to_str().unwrap(), "topics": "connect-test"},
            "initial_state": "PAUSED"
        })
        .to_string(),
    )
    .unwrap();
    let sink = connector_properties(
        dir.path(),
        "connect-file-sink.properties",
        &[("file", output.to_str().unwrap())],
    );
    let log = dir.path().join("connect.log");
    let lines = test_lines(20_000, 0);
    append_lines(&input, &lines, 0);

    let mut connect =
        ConnectProcess::start_logging(&worker, &[&source, &paused_sink], port, &log, KILL_TEST_LOG);
    // Wait until the source has written everything, with the sink paused over it for
    // several commit intervals.
    let offsets = dir.path().join("connect.offsets");
    let size = std::fs::metadata(&input).unwrap().len();
    assert!(wait_until(Duration::from_secs(60), || {
        std::fs::read_to_string(&offsets)
            .unwrap_or_default()
            .contains(&format!("{size}"))
    }));
    std::thread::sleep(Duration::from_secs(2));
    assert!(read_lines(&output).is_empty(), "a paused sink wrote lines");
    connect.kill9();

    let mut connect =
        ConnectProcess::start_logging(&worker, &[&source, &sink], port, &log, KILL_TEST_LOG);
    let complete = wait_until(Duration::from_secs(120), || {
        read_lines(&output).len() >= lines.len()
    });
    assert!(
        complete,
        "{} of {} lines after the restart; log:\n{}",
        read_lines(&output).len(),
        lines.len(),
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    assert_eq!(connect.terminate(), Some(0));
    assert_eq!(read_lines(&output), lines, "every line once, in order");
}

#[tokio::test(flavor = "multi_thread")]
async fn config_provider_references_reach_connectors_resolved_and_are_shown_as_written() {
    let broker = Broker::start();
    broker.topic_for_producing("provided-lines").await;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    let output = dir.path().join("out.txt");
    append_lines(&input, &test_lines(50, 0), 0);
    // The file names live in a secrets file and a secrets directory; so does the worker's own
    // flush interval.
    let secrets = dir.path().join("secrets");
    std::fs::create_dir(&secrets).unwrap();
    let props_file = secrets.join("files.properties");
    std::fs::write(
        &props_file,
        format!("input={}\nflush=500\n", input.display()),
    )
    .unwrap();
    std::fs::write(secrets.join("output"), output.display().to_string()).unwrap();
    let port = free_port();
    let worker = worker_properties(
        dir.path(),
        &broker.bootstrap,
        port,
        &[
            ("config.providers", "file,dir,env"),
            (
                "config.providers.file.class",
                "org.apache.kafka.common.config.provider.FileConfigProvider",
            ),
            (
                "config.providers.file.param.allowed.paths",
                secrets.to_str().unwrap(),
            ),
            ("config.providers.dir.class", "DirectoryConfigProvider"),
            ("config.providers.env.class", "EnvVarConfigProvider"),
            (
                "offset.flush.interval.ms",
                &format!("${{file:{}:flush}}", props_file.display()),
            ),
        ],
    );
    let mut connect = ConnectProcess::start(&worker, &[], port, &dir.path().join("connect.log"));
    let api = rest::Api::new(&connect.rest);
    let input_ref = format!("${{file:{}:input}}", props_file.display());
    let output_ref = format!("${{dir:{}:output}}", secrets.display());
    let source = serde_json::json!({
        "connector.class": "FileStreamSource",
        "file": input_ref,
        "topic": "provided-lines",
    });
    let valid = api
        .call(
            "PUT",
            "/connector-plugins/FileStreamSource/config/validate",
            Some({
                let mut v = source.clone();
                v["name"] = serde_json::json!("source");
                v
            }),
        )
        .await;
    assert_eq!(valid.body["error_count"], 0, "{}", valid.body);
    assert!(!valid.body.to_string().contains(input.to_str().unwrap()));
    for (name, config) in [
        ("source", source),
        (
            "sink",
            serde_json::json!({
                "connector.class": "FileStreamSink",
                "file": output_ref,
                "topics": "provided-lines",
            }),
        ),
    ] {
        let a = api
            .call(
                "POST",
                "/connectors",
                Some(serde_json::json!({"name": name, "config": config})),
            )
            .await;
        assert_eq!(a.status, 201, "{}", a.body);
    }
    let ok = wait_until(Duration::from_secs(60), || read_lines(&output).len() >= 50);
    assert!(
        ok,
        "log:\n{}",
        std::fs::read_to_string(&connect.log).unwrap_or_default()
    );
    // Configs and task configs keep the references; nothing shows the resolved file names.
    let config = api.call("GET", "/connectors/source/config", None).await;
    assert_eq!(config.body["file"], input_ref);
    let tasks = api.call("GET", "/connectors/source/tasks", None).await;
    assert_eq!(tasks.body[0]["config"]["file"], input_ref, "{}", tasks.body);
    let tasks = api.call("GET", "/connectors/sink/tasks", None).await;
    assert_eq!(
        tasks.body[0]["config"]["file"], output_ref,
        "{}",
        tasks.body
    );
    connect.terminate();
}

#[tokio::test(flavor = "multi_thread")]
async fn records_the_sink_cannot_convert_go_to_its_dead_letter_queue_with_their_context() {
    use rdkafka::message::Headers as _;
    use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
    let broker = Broker::start();
    broker.topic_for_producing("dlq-input").await;
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", &broker.bootstrap)
        .create()
        .unwrap();
    let mut expected_good = Vec::new();
    let mut expected_bad = Vec::new();
    for i in 0..30 {
        let value = if i % 3 == 2 {
            format!("not json {i}")
        } else {
            format!("{{\"n\":{i}}}")
        };
        if i % 3 == 2 {
            expected_bad.push(value.clone());
        } else {
            expected_good.push(format!("{{n={i}}}"));
        }
        let headers = rdkafka::message::OwnedHeaders::new().insert(rdkafka::message::Header {
            key: "origin",
            value: Some("test".as_bytes()),
        });
        producer
            .send(
                BaseRecord::<str, str>::to("dlq-input")
                    .key("k")
                    .payload(&value)
                    .headers(headers),
            )
            .unwrap();
    }
    producer.flush(Duration::from_secs(30)).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("out.txt");
    let port = free_port();
    let worker = worker_properties(dir.path(), &broker.bootstrap, port, &[]);
    let mut connect = ConnectProcess::start(&worker, &[], port, &dir.path().join("connect.log"));
    let api = rest::Api::new(&connect.rest);
    let a = api
        .call(
            "POST",
            "/connectors",
            Some(serde_json::json!({"name": "dlq-sink", "config": {
                "connector.class": "FileStreamSink",
                "file": output.to_str().unwrap(),
                "topics": "dlq-input",
                "key.converter": "org.apache.kafka.connect.storage.StringConverter",
                "value.converter": "org.apache.kafka.connect.json.JsonConverter",
                "value.converter.schemas.enable": "false",
                "errors.tolerance": "all",
                "errors.deadletterqueue.topic.name": "dlq-sink-errors",
                "errors.deadletterqueue.topic.replication.factor": "1",
                "errors.deadletterqueue.context.headers.enable": "true",
            }})),
        )
        .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let ok = wait_until(Duration::from_secs(60), || {
        read_lines(&output).len() >= expected_good.len()
    });
    assert!(
        ok,
        "log:\n{}",
        std::fs::read_to_string(&connect.log).unwrap_or_default()
    );
    assert_eq!(read_lines(&output), expected_good);

    // The queue holds the ten bad records as they were consumed, with Apache's headers.
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", &broker.bootstrap)
        .set("group.id", "dlq-reader")
        .set("auto.offset.reset", "earliest")
        .create()
        .unwrap();
    consumer.subscribe(&["dlq-sink-errors"]).unwrap();
    let mut got = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while got.len() < expected_bad.len() && std::time::Instant::now() < deadline {
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(200)) {
            let headers: BTreeMap<String, String> = m
                .headers()
                .map(|hs| {
                    hs.iter()
                        .map(|h| {
                            (
                                h.key.to_owned(),
                                String::from_utf8_lossy(h.value.unwrap_or_default()).into_owned(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let value = String::from_utf8_lossy(m.payload().unwrap_or_default()).into_owned();
            got.push((value, headers));
        }
    }
    let values: Vec<&String> = got.iter().map(|(v, _)| v).collect();
    assert_eq!(values, expected_bad.iter().collect::<Vec<_>>());
    let (_, h) = &got[0];
    assert_eq!(h["origin"], "test");
    assert_eq!(h["__connect.errors.topic"], "dlq-input");
    assert_eq!(h["__connect.errors.partition"], "0");
    assert_eq!(h["__connect.errors.offset"], "2");
    assert_eq!(h["__connect.errors.connector.name"], "dlq-sink");
    assert_eq!(h["__connect.errors.task.id"], "0");
    assert_eq!(h["__connect.errors.stage"], "VALUE_CONVERTER");
    assert_eq!(
        h["__connect.errors.class.name"],
        "org.apache.kafka.connect.json.JsonConverter"
    );
    assert_eq!(
        h["__connect.errors.exception.class.name"],
        "org.apache.kafka.connect.errors.DataException"
    );
    assert!(h.contains_key("__connect.errors.exception.message"));
    assert!(h.contains_key("__connect.errors.exception.stacktrace"));
    let status = api.call("GET", "/connectors/dlq-sink/status", None).await;
    assert_eq!(status.body["tasks"][0]["state"], "RUNNING");
    connect.terminate();
}

/// Apache has no dead letter queue for source connectors; here the records a source's
/// transformations or converters reject go to one, as `poll` returned them, with their source
/// partition and offset, and the task goes on. Without the queue and with
/// `errors.tolerance=none` the task fails on the first.
#[tokio::test(flavor = "multi_thread")]
async fn records_a_source_pipeline_rejects_go_to_its_dead_letter_queue() {
    use rdkafka::message::Headers as _;
    let broker = Broker::start();
    broker.topic_for_producing("numbers").await;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("numbers.txt");
    let lines: Vec<String> = (0..30)
        .map(|i| {
            if i % 3 == 2 {
                format!("x{i}")
            } else {
                i.to_string()
            }
        })
        .collect();
    append_lines(&input, &lines, 0);
    let port = free_port();
    let worker = worker_properties(dir.path(), &broker.bootstrap, port, &[]);
    let connect = ConnectProcess::start(&worker, &[], port, &dir.path().join("connect.log"));
    let api = rest::Api::new(&connect.rest);
    let config = |name: &str, topic: &str, extra: serde_json::Value| {
        let mut c = serde_json::json!({
            "connector.class": "FileStreamSource",
            "file": input.to_str().unwrap(),
            "topic": topic,
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter.schemas.enable": "false",
            "transforms": "toInt",
            "transforms.toInt.type": "org.apache.kafka.connect.transforms.Cast$Value",
            "transforms.toInt.spec": "int32",
        });
        for (k, v) in extra.as_object().unwrap() {
            c[k] = v.clone();
        }
        serde_json::json!({"name": name, "config": c})
    };
    let a = api
        .call(
            "POST",
            "/connectors",
            Some(config(
                "numbers",
                "numbers",
                serde_json::json!({
                    "errors.tolerance": "all",
                    "errors.deadletterqueue.topic.name": "numbers-errors",
                    "errors.deadletterqueue.topic.replication.factor": "1",
                    "errors.deadletterqueue.context.headers.enable": "true",
                }),
            )),
        )
        .await;
    assert_eq!(a.status, 201, "{}", a.body);

    let read = |topic: &str, n: usize| {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &broker.bootstrap)
            .set("group.id", format!("{topic}-reader"))
            .set("auto.offset.reset", "earliest")
            .create()
            .unwrap();
        consumer.subscribe(&[topic]).unwrap();
        let mut got = Vec::new();
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while got.len() < n && std::time::Instant::now() < deadline {
            if let Some(Ok(m)) = consumer.poll(Duration::from_millis(200)) {
                let headers: BTreeMap<String, String> = m
                    .headers()
                    .map(|hs| {
                        hs.iter()
                            .map(|h| {
                                (
                                    h.key.to_owned(),
                                    String::from_utf8_lossy(h.value.unwrap_or_default())
                                        .into_owned(),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let value = String::from_utf8_lossy(m.payload().unwrap_or_default()).into_owned();
                got.push((value, headers));
            }
        }
        got
    };
    let good: Vec<String> = lines
        .iter()
        .filter(|l| !l.starts_with('x'))
        .cloned()
        .collect();
    let bad: Vec<&String> = lines.iter().filter(|l| l.starts_with('x')).collect();
    let delivered = read("numbers", good.len());
    assert_eq!(
        delivered.iter().map(|(v, _)| v.clone()).collect::<Vec<_>>(),
        good,
        "log:\n{}",
        std::fs::read_to_string(&connect.log).unwrap_or_default()
    );
    let queued = read("numbers-errors", bad.len());
    let expected: Vec<String> = bad
        .iter()
        .map(|l| {
            format!("{{\"schema\":{{\"type\":\"string\",\"optional\":false}},\"payload\":\"{l}\"}}")
        })
        .collect();
    assert_eq!(
        queued.iter().map(|(v, _)| v.clone()).collect::<Vec<_>>(),
        expected
    );
    let (_, h) = &queued[0];
    assert_eq!(h["__connect.errors.topic"], "numbers");
    assert_eq!(h["__connect.errors.partition"], "-1");
    assert_eq!(h["__connect.errors.offset"], "-1");
    assert_eq!(h["__connect.errors.connector.name"], "numbers");
    assert_eq!(h["__connect.errors.stage"], "TRANSFORMATION");
    assert_eq!(
        h["__connect.errors.exception.class.name"],
        "org.apache.kafka.connect.errors.DataException"
    );
    assert_eq!(
        h["__connect.errors.source.partition"],
        format!("{{\"filename\":\"{}\"}}", input.display())
    );
    // The third line (x2) ends after "0\r\n1\nx2\n": byte 8.
    assert_eq!(h["__connect.errors.source.offset"], "{\"position\":8}");
    let status = api.call("GET", "/connectors/numbers/status", None).await;
    assert_eq!(status.body["tasks"][0]["state"], "RUNNING");

    // errors.tolerance=none: the first rejected record fails the task; nothing is skipped.
    let a = api
        .call(
            "POST",
            "/connectors",
            Some(config("strict", "strict", serde_json::json!({}))),
        )
        .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let status = api
        .wait_for("/connectors/strict/status", |s| {
            s["tasks"][0]["state"] == "FAILED"
        })
        .await;
    assert!(
        status["tasks"][0]["trace"].as_str().unwrap().contains("x2"),
        "{status}"
    );
}
