//! Our worker beside Apache Kafka's own (`ConnectStandalone` from the pinned release's jars),
//! on the same Apache Kafka broker, with the same worker file and the same input:
//!
//! - same bytes: the file source's records (keys, values, headers) through each converter and
//!   a transform chain are byte-identical, and so are the files the file sink writes;
//! - same answers: one sequence of REST calls gets the same status codes and, after masking
//!   what legitimately differs, the same JSON bodies.
//!
//! Skipped with a note when Java or Maven is missing, unless `CONNECT_TEST_REQUIRE_APACHE=1`.

#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::apache::{ApacheKafka, ApacheWorker};
use common::rest::*;
use common::*;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Headers, Message};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use serde_json::{json, Value};

/// One Apache broker for every test of this binary; each test uses names of its own.
fn broker() -> &'static connect_testbed::Broker {
    static BROKER: OnceLock<connect_testbed::Broker> = OnceLock::new();
    BROKER.get_or_init(|| connect_testbed::Broker::apache(&[]).unwrap())
}

const STRING: &str = "org.apache.kafka.connect.storage.StringConverter";
const BYTES: &str = "org.apache.kafka.connect.converters.ByteArrayConverter";
const JSON: &str = "org.apache.kafka.connect.json.JsonConverter";

/// Lines that exercise escaping and encoding: quotes, backslashes, tabs, a control character,
/// multi-byte UTF-8, an empty line, and `\r\n` ends.
fn input_lines(n: usize) -> String {
    let mut text = String::new();
    for i in 0..n {
        let line = match i % 7 {
            0 => format!("line {i} plain ascii"),
            1 => format!("ligne {i} héllo wörld — ünïcödé"),
            2 => format!("行 {i} 日本語のテキスト 😀"),
            3 => format!("line {i} with \"quotes\", \\ backslash and\ttab"),
            4 => format!("line {i} control \u{1} char and {{braces}} = [brackets]"),
            5 => String::new(),
            _ => format!("{i}"),
        };
        text.push_str(&line);
        text.push_str(if i % 3 == 0 { "\r\n" } else { "\n" });
    }
    text
}

/// The worker file both workers start from: the shipped one, pointed at the broker, with
/// Apache's file connectors on `plugin.path`.
fn worker_file(dir: &Path, name: &str, rest_port: u16) -> PathBuf {
    let sub = dir.join(name);
    std::fs::create_dir_all(&sub).unwrap();
    let plugins = ApacheKafka::get().unwrap().plugin_path();
    worker_properties(
        &sub,
        &broker().bootstrap,
        rest_port,
        &[
            ("plugin.path", plugins.to_str().unwrap()),
            ("offset.flush.interval.ms", "500"),
        ],
    )
}

/// Writes a connector `.properties` file.
fn connector_file(dir: &Path, name: &str, config: &[(&str, String)]) -> PathBuf {
    let mut text = format!("name={name}\n");
    for (k, v) in config {
        text.push_str(&format!("{k}={v}\n"));
    }
    let path = dir.join(format!("{name}.properties"));
    std::fs::write(&path, text).unwrap();
    path
}

/// The file source cases: converters and transforms, as connector overrides.
fn source_cases() -> Vec<(&'static str, Settings)> {
    let chain = || {
        vec![
            ("transforms", "hoist,count,cast,origin".to_owned()),
            (
                "transforms.hoist.type",
                "org.apache.kafka.connect.transforms.HoistField$Value".to_owned(),
            ),
            ("transforms.hoist.field", "line".to_owned()),
            (
                "transforms.count.type",
                "org.apache.kafka.connect.transforms.InsertField$Value".to_owned(),
            ),
            ("transforms.count.static.field", "count".to_owned()),
            ("transforms.count.static.value", "7".to_owned()),
            (
                "transforms.cast.type",
                "org.apache.kafka.connect.transforms.Cast$Value".to_owned(),
            ),
            ("transforms.cast.spec", "count:int32".to_owned()),
            (
                "transforms.origin.type",
                "org.apache.kafka.connect.transforms.InsertHeader".to_owned(),
            ),
            ("transforms.origin.header", "origin".to_owned()),
            ("transforms.origin.value.literal", "file-source".to_owned()),
        ]
    };
    let with = |mut base: Settings, more: Settings| {
        base.extend(more);
        base
    };
    vec![
        (
            "string",
            vec![
                ("key.converter", BYTES.to_owned()),
                ("value.converter", STRING.to_owned()),
            ],
        ),
        (
            "json-string",
            vec![
                ("value.converter", JSON.to_owned()),
                ("value.converter.schemas.enable", "true".to_owned()),
            ],
        ),
        (
            "json-schemas",
            with(
                vec![
                    ("value.converter", JSON.to_owned()),
                    ("value.converter.schemas.enable", "true".to_owned()),
                ],
                chain(),
            ),
        ),
        (
            "json-plain",
            with(
                vec![
                    ("key.converter", JSON.to_owned()),
                    ("key.converter.schemas.enable", "false".to_owned()),
                    ("value.converter", JSON.to_owned()),
                    ("value.converter.schemas.enable", "false".to_owned()),
                ],
                chain(),
            ),
        ),
    ]
}

/// Connector settings, as `(key, value)` pairs.
type Settings = Vec<(&'static str, String)>;

/// The file sink cases: (name, topic written by Apache's source, converter overrides).
fn sink_cases() -> Vec<(&'static str, &'static str, Settings)> {
    vec![
        (
            "string",
            "string",
            vec![("value.converter", STRING.to_owned())],
        ),
        (
            "bytes-base64",
            "string",
            vec![
                ("value.converter", BYTES.to_owned()),
                ("transforms", "b64".to_owned()),
                (
                    "transforms.b64.type",
                    "org.apache.kafka.connect.transforms.Cast$Value".to_owned(),
                ),
                ("transforms.b64.spec", "string".to_owned()),
            ],
        ),
        (
            "json-schemas",
            "json-schemas",
            vec![
                ("value.converter", JSON.to_owned()),
                ("value.converter.schemas.enable", "true".to_owned()),
            ],
        ),
        (
            "json-plain",
            "json-plain",
            vec![
                ("value.converter", JSON.to_owned()),
                ("value.converter.schemas.enable", "false".to_owned()),
            ],
        ),
    ]
}

/// A record as bytes: key, value, headers.
type RawRecord = (
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Vec<(String, Option<Vec<u8>>)>,
);

/// Reads `n` records of partition 0 of `topic` from the beginning.
fn read_topic(topic: &str, n: usize) -> Vec<RawRecord> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", &broker().bootstrap)
        .set("group.id", format!("reader-{topic}"))
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(topic, 0, Offset::Beginning)
        .unwrap();
    consumer.assign(&tpl).unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        assert!(
            Instant::now() < deadline,
            "{topic}: only {} of {n} records after 120 s",
            out.len()
        );
        let Some(m) = consumer.poll(Duration::from_millis(200)) else {
            continue;
        };
        let m = m.unwrap();
        let headers = m
            .headers()
            .map(|hs| {
                hs.iter()
                    .map(|h| (h.key.to_owned(), h.value.map(<[u8]>::to_vec)))
                    .collect()
            })
            .unwrap_or_default();
        out.push((
            m.key().map(<[u8]>::to_vec),
            m.payload().map(<[u8]>::to_vec),
            headers,
        ));
    }
    out
}

fn show(bytes: &Option<Vec<u8>>) -> String {
    bytes.as_ref().map_or("null".to_owned(), |b| {
        String::from_utf8_lossy(b).into_owned()
    })
}

fn line_count(path: &Path) -> usize {
    std::fs::read(path)
        .map(|b| b.iter().filter(|&&c| c == b'\n').count())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn file_connectors_write_the_same_bytes_as_apache() {
    if !apache_available("file_connectors_write_the_same_bytes_as_apache") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let n = 350;
    let input = dir.path().join("input.txt");
    std::fs::write(&input, input_lines(n)).unwrap();
    // Every line but the empty ones becomes a record in both workers; that is checked below
    // by comparing with Apache, not assumed here.
    let records = n;

    for side in ["apache", "rust"] {
        for (case, _) in source_cases() {
            broker()
                .create_topic(&format!("{side}-{case}"), 1)
                .await
                .unwrap();
        }
    }

    let mut workers = Vec::new();
    for side in ["apache", "rust"] {
        let port = free_port();
        let worker = worker_file(dir.path(), side, port);
        let mut files = Vec::new();
        for (case, config) in source_cases() {
            let mut config = config.clone();
            config.extend([
                (
                    "connector.class",
                    "org.apache.kafka.connect.file.FileStreamSourceConnector".to_owned(),
                ),
                ("file", input.display().to_string()),
                ("topic", format!("{side}-{case}")),
            ]);
            files.push(connector_file(
                dir.path(),
                &format!("{side}-source-{case}"),
                &config,
            ));
        }
        for (case, topic, config) in sink_cases() {
            let mut config = config.clone();
            config.extend([
                (
                    "connector.class",
                    "org.apache.kafka.connect.file.FileStreamSinkConnector".to_owned(),
                ),
                (
                    "file",
                    dir.path()
                        .join(format!("{side}-sink-{case}.txt"))
                        .display()
                        .to_string(),
                ),
                ("topics", format!("apache-{topic}")),
            ]);
            files.push(connector_file(
                dir.path(),
                &format!("{side}-sink-{case}"),
                &config,
            ));
        }
        let refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
        let log = dir.path().join(format!("{side}.log"));
        if side == "apache" {
            workers.push(Err(
                ApacheWorker::standalone(&worker, &refs, port, &log).unwrap()
            ));
        } else {
            workers.push(Ok(ConnectProcess::start(&worker, &refs, port, &log)));
        }
    }

    let mut failures = Vec::new();
    for (case, _) in source_cases() {
        let apache = read_topic(&format!("apache-{case}"), records);
        let ours = read_topic(&format!("rust-{case}"), records);
        for (i, (a, o)) in apache.iter().zip(&ours).enumerate() {
            if a != o {
                failures.push(format!(
                    "source {case}, record {i}:\n  apache key={} value={} headers={:?}\n  ours   key={} value={} headers={:?}",
                    show(&a.0),
                    show(&a.1),
                    a.2,
                    show(&o.0),
                    show(&o.1),
                    o.2
                ));
                break;
            }
        }
    }

    for (case, _, _) in sink_cases() {
        let a = dir.path().join(format!("apache-sink-{case}.txt"));
        let o = dir.path().join(format!("rust-sink-{case}.txt"));
        let done = wait_until(Duration::from_secs(120), || {
            line_count(&a) >= records && line_count(&o) >= records
        });
        if !done {
            failures.push(format!(
                "sink {case}: apache wrote {} lines, ours {}",
                line_count(&a),
                line_count(&o)
            ));
            continue;
        }
        let (a_text, o_text) = (std::fs::read(&a).unwrap(), std::fs::read(&o).unwrap());
        if a_text != o_text {
            let a_lines: Vec<&[u8]> = a_text.split(|&c| c == b'\n').collect();
            let o_lines: Vec<&[u8]> = o_text.split(|&c| c == b'\n').collect();
            let i = a_lines
                .iter()
                .zip(&o_lines)
                .position(|(x, y)| x != y)
                .unwrap_or(a_lines.len().min(o_lines.len()));
            failures.push(format!(
                "sink {case}, line {i}:\n  apache {:?}\n  ours   {:?}",
                a_lines.get(i).map(|l| String::from_utf8_lossy(l)),
                o_lines.get(i).map(|l| String::from_utf8_lossy(l))
            ));
        }
    }
    drop(workers);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// What legitimately differs between two workers' answers: worker ids, stack traces,
/// versions and commit ids, and the plugin lists (each side lists the plugins it has).
fn mask(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    // A `*.plugin.version` config entry's versions are each side's own (KIP-891).
                    let plugin_version = m
                        .get("name")
                        .and_then(Value::as_str)
                        .is_some_and(|n| n.ends_with(".plugin.version"));
                    let v = match k.as_str() {
                        "worker_id" | "trace" | "version" | "commit" => json!("<masked>"),
                        "default_value" | "value" if plugin_version && !v.is_null() => {
                            json!("<masked>")
                        }
                        "recommended_values" if plugin_version => match v {
                            Value::Array(a) => {
                                Value::Array(a.iter().map(|_| json!("<masked>")).collect())
                            }
                            other => other.clone(),
                        },
                        _ => mask(v),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(mask).collect()),
        // The list of installed connectors differs with what each side has installed.
        Value::String(s) if s.contains(", available connectors are: ") => {
            let (head, _) = s
                .split_once(", available connectors are: ")
                .unwrap_or_default();
            Value::String(format!("{head}, available connectors are: <masked>"))
        }
        other => other.clone(),
    }
}

/// One REST step: method, path, JSON body or a raw body with its content type.
enum Body {
    None,
    Json(Value),
    Raw(&'static str, &'static str),
}

struct Step {
    method: &'static str,
    path: String,
    body: Body,
    /// Poll until the answer's body satisfies this (for states that settle asynchronously).
    until: Option<fn(&Value) -> bool>,
}

fn step(method: &'static str, path: &str, body: Body) -> Step {
    Step {
        method,
        path: path.to_owned(),
        body,
        until: None,
    }
}

fn step_until(method: &'static str, path: &str, until: fn(&Value) -> bool) -> Step {
    Step {
        method,
        path: path.to_owned(),
        body: Body::None,
        until: Some(until),
    }
}

async fn run_step(api: &Api, s: &Step) -> (u16, Value) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let a = match &s.body {
            Body::None => api.call(s.method, &s.path, None).await,
            Body::Json(v) => api.call(s.method, &s.path, Some(v.clone())).await,
            Body::Raw(ct, text) => api.raw(s.method, &s.path, ct, text).await,
        };
        match s.until {
            Some(f) if !f(&a.body) && Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            _ => return (a.status, a.body),
        }
    }
}

/// The sequence, for a connector reading `file` into `topic`.
fn rest_steps(file: &str, topic: &str) -> Vec<Step> {
    let source = json!({
        "connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
        "tasks.max": "1",
        "file": file,
        "topic": topic,
    });
    let mut named = source.clone();
    named["name"] = json!("src");
    vec![
        step("GET", "/connectors", Body::None),
        step("GET", "/connector-plugins", Body::None),
        step("GET", "/connector-plugins?connectorsOnly=false", Body::None),
        step(
            "GET",
            "/connector-plugins/FileStreamSource/config",
            Body::None,
        ),
        step("GET", "/connector-plugins/NoSuch/config", Body::None),
        step("GET", "/connectors/nope", Body::None),
        step("GET", "/connectors/nope/status", Body::None),
        step("GET", "/connectors/nope/config", Body::None),
        step("DELETE", "/connectors/nope", Body::None),
        step("PUT", "/connectors/nope/pause", Body::None),
        step("GET", "/connectors/nope/offsets", Body::None),
        step(
            "POST",
            "/connectors",
            Body::Raw("application/json", "{not json"),
        ),
        step("POST", "/connectors", Body::Raw("application/json", "")),
        step("POST", "/connectors", Body::Raw("text/plain", "{}")),
        step("POST", "/connectors", Body::Json(json!({"name": "x"}))),
        step(
            "POST",
            "/connectors",
            Body::Json(
                json!({"name": "a", "config": {"name": "b", "connector.class": "FileStreamSource"}}),
            ),
        ),
        step(
            "POST",
            "/connectors",
            Body::Json(json!({"name": "a", "config": {"tasks.max": "1"}})),
        ),
        step(
            "POST",
            "/connectors",
            Body::Json(
                json!({"name": "a", "config": {"connector.class": "FileStreamSource", "tasks.max": "0"}}),
            ),
        ),
        step(
            "POST",
            "/connectors",
            Body::Json(
                json!({"name": "a", "config": {"connector.class": "NoSuchConnector", "topic": "t"}}),
            ),
        ),
        step(
            "POST",
            "/connectors",
            Body::Json(json!({"name": "src", "config": source})),
        ),
        step(
            "POST",
            "/connectors",
            Body::Json(json!({"name": "src", "config": source})),
        ),
        step("GET", "/connectors", Body::None),
        step("GET", "/connectors/src", Body::None),
        step("GET", "/connectors/src/config", Body::None),
        step_until("GET", "/connectors/src/status", |b| {
            b["connector"]["state"] == "RUNNING" && b["tasks"][0]["state"] == "RUNNING"
        }),
        step("GET", "/connectors/src/tasks", Body::None),
        step("GET", "/connectors/src/tasks/0/status", Body::None),
        step("GET", "/connectors/src/tasks/9/status", Body::None),
        // A source records its topic once its first record is acknowledged, a moment after
        // the task reports RUNNING (on both sides).
        step_until("GET", "/connectors/src/topics", |b| {
            b["src"]["topics"].as_array().is_some_and(|t| !t.is_empty())
        }),
        step("GET", "/connectors?expand=status&expand=info", Body::None),
        step_until("GET", "/connectors/src/offsets", |b| {
            b["offsets"][0]["offset"]["position"] == 60
        }),
        step("PATCH", "/connectors/src/offsets", Body::None),
        step("DELETE", "/connectors/src/offsets", Body::None),
        // Apache moves the connector and its tasks through a pause or resume one at a
        // time, in either order: compare once both have arrived.
        step("PUT", "/connectors/src/pause", Body::None),
        step_until("GET", "/connectors/src/status", |b| {
            b["connector"]["state"] == "PAUSED" && b["tasks"][0]["state"] == "PAUSED"
        }),
        step("PUT", "/connectors/src/resume", Body::None),
        step_until("GET", "/connectors/src/status", |b| {
            b["connector"]["state"] == "RUNNING" && b["tasks"][0]["state"] == "RUNNING"
        }),
        step("PUT", "/connectors/src/stop", Body::None),
        step_until("GET", "/connectors/src/status", |b| {
            b["connector"]["state"] == "STOPPED"
        }),
        step("GET", "/connectors/src/tasks", Body::None),
        step(
            "PATCH",
            "/connectors/src/offsets",
            Body::Json(
                json!({"offsets": [{"partition": {"filename": file}, "offset": {"position": 30}}]}),
            ),
        ),
        step("GET", "/connectors/src/offsets", Body::None),
        step(
            "PATCH",
            "/connectors/src/offsets",
            Body::Json(json!({"offsets": "nope"})),
        ),
        step("DELETE", "/connectors/src/offsets", Body::None),
        step("GET", "/connectors/src/offsets", Body::None),
        step("PUT", "/connectors/src/config", Body::Json(named.clone())),
        step("PUT", "/connectors/src/resume", Body::None),
        step(
            "PUT",
            "/connector-plugins/FileStreamSource/config/validate",
            Body::Json(named),
        ),
        step(
            "PUT",
            "/connector-plugins/FileStreamSource/config/validate",
            Body::Json(json!({"connector.class": "FileStreamSource", "tasks.max": "zero"})),
        ),
        step(
            "PUT",
            "/connector-plugins/NoSuch/config/validate",
            Body::Json(json!({"connector.class": "NoSuch"})),
        ),
        step("DELETE", "/connectors/src", Body::None),
        step("GET", "/connectors/src", Body::None),
        step("GET", "/connectors", Body::None),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn rest_api_answers_like_apache() {
    if !apache_available("rest_api_answers_like_apache") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut answers = Vec::new();
    for side in ["apache", "rust"] {
        let side_dir = dir.path().join(format!("{side}-files"));
        std::fs::create_dir_all(&side_dir).unwrap();
        // Six ASCII lines of ten bytes: both sides count the same 60 positions.
        let file = side_dir.join("input.txt");
        std::fs::write(&file, "123456789\n".repeat(6)).unwrap();
        let topic = format!("rest-{side}");
        broker().create_topic(&topic, 1).await.unwrap();
        let port = free_port();
        let worker = worker_file(dir.path(), side, port);
        let log = dir.path().join(format!("{side}-rest.log"));
        let _worker = if side == "apache" {
            Err(ApacheWorker::standalone(&worker, &[], port, &log).unwrap())
        } else {
            Ok(ConnectProcess::start(&worker, &[], port, &log))
        };
        let api = Api::new(&format!("http://127.0.0.1:{port}"));
        let mut side_answers = Vec::new();
        for s in rest_steps(file.to_str().unwrap(), &topic) {
            let (status, body) = run_step(&api, &s).await;
            let mut body = mask_side(&body, side_dir.to_str().unwrap(), &topic);
            if s.path.starts_with("/connector-plugins?") || s.path == "/connector-plugins" {
                // Each side lists the plugins it has; compare the ones both have.
                if let Value::Array(list) = &mut body {
                    list.retain(|p| {
                        p["class"].as_str().is_some_and(|c| {
                            c.contains(".file.")
                                || c.contains(".transforms.Cast")
                                || c.contains("StringConverter")
                        })
                    });
                }
            }
            side_answers.push((format!("{} {}", s.method, s.path), status, body));
        }
        // Kept for reading a failure side by side.
        let dump: Vec<Value> = side_answers
            .iter()
            .map(|(call, status, body)| json!({"call": call, "status": status, "body": body}))
            .collect();
        std::fs::write(
            Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("rest-answers-{side}.json")),
            serde_json::to_vec_pretty(&dump).unwrap(),
        )
        .unwrap();
        answers.push(side_answers);
    }
    let mut diffs = Vec::new();
    for ((call, a_status, a_body), (_, o_status, o_body)) in answers[0].iter().zip(&answers[1]) {
        if let Some(ours) = deliberate_difference(call, a_body) {
            // Apache answers 500 here; we answer with the client's mistake (docs/rest-api.md).
            if *a_status != 500 || *o_status != ours || o_body["error_code"] != ours {
                diffs.push(format!(
                    "{call} (a deliberate difference: apache 500, ours {ours})\n  apache {a_status} {a_body}\n  ours   {o_status} {o_body}"
                ));
            }
            continue;
        }
        if a_status != o_status || a_body != o_body {
            diffs.push(format!(
                "{call}\n  apache {a_status} {a_body}\n  ours   {o_status} {o_body}"
            ));
        }
    }
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

/// The status we answer where Apache answers 500 to a client's mistake (a malformed, missing
/// or mistyped body; an unknown plugin to validate against): Jersey turns the Jackson error or
/// the NullPointerException it causes into an internal server error. Listed in
/// docs/rest-api.md.
fn deliberate_difference(call: &str, apache_body: &Value) -> Option<u16> {
    let message = apache_body["message"].as_str().unwrap_or_default();
    match call {
        "POST /connectors" if message.contains("Unexpected character") => Some(400),
        "POST /connectors" if message.contains("because \"createRequest\" is null") => Some(400),
        "POST /connectors" if message.contains("because \"connectorConfig\" is null") => Some(400),
        "PATCH /connectors/src/offsets" if message.contains("because \"offsets\" is null") => {
            Some(415)
        }
        "PATCH /connectors/src/offsets" if message.contains("Cannot deserialize value") => {
            Some(400)
        }
        "PUT /connector-plugins/NoSuch/config/validate" => Some(400),
        _ => None,
    }
}

/// Masks what differs between the sides by construction (their scratch directories and
/// topics), then what differs legitimately.
fn mask_side(v: &Value, dir: &str, topic: &str) -> Value {
    let text = serde_json::to_string(v)
        .unwrap()
        .replace(dir, "<dir>")
        .replace(topic, "<topic>");
    mask(&serde_json::from_str(&text).unwrap())
}

/// How many records the first partition of `topic` holds.
fn records_in(topic: &str) -> i64 {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", &broker().bootstrap)
        .create()
        .unwrap();
    consumer
        .fetch_watermarks(topic, 0, Duration::from_secs(10))
        .map_or(0, |(low, high)| high - low)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_worker_taking_over_from_apaches_standalone_resumes_from_its_offsets_file() {
    if !apache_available("a_worker_taking_over_from_apaches_standalone_resumes") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let topic = "migrate-lines";
    broker().create_topic(topic, 1).await.unwrap();
    let input = dir.path().join("in.txt");
    let lines: Vec<String> = (0..150).map(|i| format!("line {i}")).collect();
    std::fs::write(&input, lines[..100].join("\n") + "\n").unwrap();
    // One worker file, one connector file, one offsets file: Apache's standalone first.
    let port = free_port();
    let worker = worker_file(dir.path(), "migrate", port);
    let connector = connector_file(
        dir.path(),
        "migrate",
        &[
            ("connector.class", "FileStreamSource".to_owned()),
            ("file", input.display().to_string()),
            ("topic", topic.to_owned()),
        ],
    );
    let offsets = dir.path().join("migrate").join("connect.offsets");
    let mut java =
        ApacheWorker::standalone(&worker, &[&connector], port, &dir.path().join("apache.log"))
            .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while records_in(topic) < 100 || !offsets.exists() {
        assert!(
            Instant::now() < deadline,
            "Apache's worker did not copy the file"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Its offsets are committed at the latest when it stops.
    java.stop();
    assert!(std::fs::read(&offsets).unwrap().starts_with(&[0xAC, 0xED]));

    // Ours takes over with the same files, and more lines.
    {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&input)
            .unwrap();
        f.write_all((lines[100..].join("\n") + "\n").as_bytes())
            .unwrap();
    }
    let mut ours =
        ConnectProcess::start(&worker, &[&connector], port, &dir.path().join("ours.log"));
    let got = read_topic(topic, 150);
    // Nothing more arrives: ours started after Apache's last line, not from the top.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        records_in(topic),
        150,
        "{}",
        std::fs::read_to_string(&ours.log).unwrap_or_default()
    );
    let values: Vec<String> = got.iter().map(|(_, v, _)| show(v)).collect();
    for (i, v) in values.iter().enumerate() {
        assert!(v.contains(&format!("\"line {i}\"")), "record {i}: {v}");
    }
    ours.terminate();
    // The original is kept; the file is ours now.
    let mut backup = offsets.clone().into_os_string();
    backup.push(".apache");
    assert!(std::fs::read(&backup).unwrap().starts_with(&[0xAC, 0xED]));
    let now: Value = serde_json::from_slice(&std::fs::read(&offsets).unwrap()).unwrap();
    assert!(now.to_string().contains("position"), "{now}");
}
