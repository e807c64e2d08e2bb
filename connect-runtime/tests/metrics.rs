//! `GET /metrics`: Prometheus text that a Prometheus parser reads, whose counters move with
//! the traffic (a file source, a file sink, and a sink whose converter rejects every other
//! record into a dead letter queue), named as Apache's own `ConnectMetricsRegistry` names its
//! metrics — the list is read from Apache's jars, not copied. A standalone worker in this
//! process against a tansu broker.

#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use common::rest::Api;
use prometheus_parse::{Sample, Scrape, Value};
use serde_json::json;

const LINES: usize = 400;

async fn scrape(api: &Api) -> (String, Scrape) {
    let resp = api
        .client
        .get(format!("{}/metrics", api.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let content_type = resp.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let text = resp.text().await.unwrap();
    let lines = text.lines().map(|l| Ok(l.to_owned()));
    let parsed = Scrape::parse(lines).unwrap();
    (text, parsed)
}

fn value(v: &Value) -> f64 {
    match v {
        Value::Counter(x) | Value::Gauge(x) | Value::Untyped(x) => *x,
        _ => f64::NAN,
    }
}

/// The value of `name` for the task `connector`-0, or for the worker when `connector` is
/// empty.
fn get(scrape: &Scrape, name: &str, connector: &str) -> Option<f64> {
    let matches = |s: &&Sample| {
        s.metric == name
            && (connector.is_empty() && s.labels.get("connector").is_none()
                || s.labels.get("connector") == Some(connector)
                    && s.labels.get("task").is_none_or(|t| t == "0"))
    };
    scrape.samples.iter().find(matches).map(|s| value(&s.value))
}

/// Waits until `f` holds for a scrape; returns that scrape.
async fn scrape_until(api: &Api, what: &str, f: impl Fn(&Scrape) -> bool) -> (String, Scrape) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (text, s) = scrape(api).await;
        if f(&s) {
            return (text, s);
        }
        assert!(Instant::now() < deadline, "{what} never happened:\n{text}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// `group attribute` of every metric template in Apache's `ConnectMetricsRegistry`, from the
/// pinned release's jars (`None` where Java or the jars are not available).
fn apache_metric_names() -> Option<BTreeSet<(String, String)>> {
    if !common::apache_available("metric names of Apache's ConnectMetricsRegistry") {
        return None;
    }
    let home = connect_testbed::apache::ApacheKafka::get().unwrap().home();
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("Names.java");
    std::fs::write(
        &source,
        r#"
import org.apache.kafka.common.MetricNameTemplate;
import org.apache.kafka.connect.runtime.ConnectMetricsRegistry;
public class Names {
    public static void main(String[] args) {
        for (MetricNameTemplate t : new ConnectMetricsRegistry().getAllTemplates())
            System.out.println(t.group() + " " + t.name());
    }
}
"#,
    )
    .unwrap();
    let out = std::process::Command::new("java")
        .args(["-Xmx64m", "-XX:+UseSerialGC", "-cp"])
        .arg(format!("{}/lib/*", home.display()))
        .arg(&source)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .filter_map(|l| l.split_once(' '))
            .map(|(g, n)| (g.to_owned(), n.to_owned()))
            .collect(),
    )
}

/// The name Prometheus' JMX exporter gives attribute `name` of `kafka.connect:type=group`.
fn exporter_name(group: &str, name: &str) -> String {
    format!("kafka_connect_{group}_{name}").replace(['-', '.'], "_")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_parse_move_with_the_traffic_and_carry_apaches_names() {
    let broker = common::Broker::start();
    let dir = tempfile::tempdir().unwrap();
    let w = common::in_process_worker(
        &broker.bootstrap,
        dir.path(),
        &[("offset.flush.interval.ms", "200")],
    )
    .await;
    let api = Api::new(&format!("http://{}", w.rest_addresses[0]));

    // Every other line is JSON: the JSON sink rejects the others into its queue.
    let input = dir.path().join("in.txt");
    let text: String = (0..LINES)
        .map(|i| {
            if i % 2 == 0 {
                format!("{{\"n\":{i}}}\n")
            } else {
                format!("not json {i}\n")
            }
        })
        .collect();
    std::fs::write(&input, text).unwrap();
    broker.topic_for_producing("metered").await;
    broker.topic_for_producing("metered-dlq").await;
    for (name, config) in [
        (
            "file-source",
            json!({"connector.class": "FileStreamSource", "file": input.display().to_string(), "topic": "metered"}),
        ),
        (
            "file-sink",
            json!({"connector.class": "FileStreamSink", "file": dir.path().join("out.txt").display().to_string(), "topics": "metered"}),
        ),
        (
            "json-sink",
            json!({
                "connector.class": "FileStreamSink",
                "file": dir.path().join("json.txt").display().to_string(),
                "topics": "metered",
                "value.converter": "org.apache.kafka.connect.json.JsonConverter",
                "value.converter.schemas.enable": "false",
                "errors.tolerance": "all",
                "errors.log.enable": "true",
                "errors.deadletterqueue.topic.name": "metered-dlq",
                "errors.deadletterqueue.topic.replication.factor": "1",
            }),
        ),
    ] {
        let a = api
            .call(
                "POST",
                "/connectors",
                Some(json!({"name": name, "config": config})),
            )
            .await;
        assert_eq!(a.status, 201, "{}", a.body);
    }

    let n = LINES as f64;
    let m = "kafka_connect_";
    let (text, s) = scrape_until(&api, "all traffic counted", |s| {
        get(
            s,
            &format!("{m}source_task_metrics_source_record_write_total"),
            "file-source",
        ) == Some(n)
            && get(
                s,
                &format!("{m}sink_task_metrics_sink_record_send_total"),
                "file-sink",
            ) == Some(n)
            && get(
                s,
                &format!("{m}sink_task_metrics_sink_record_read_total"),
                "json-sink",
            ) == Some(n)
            && get(
                s,
                &format!("{m}sink_task_metrics_offset_commit_completion_total"),
                "file-sink",
            )
            .is_some_and(|c| c >= 1.0)
    })
    .await;
    if std::env::var_os("PRINT_METRICS").is_some() {
        eprintln!("{text}");
    }
    let at = |name: &str, c: &str| {
        get(&s, &format!("{m}{name}"), c).unwrap_or_else(|| panic!("{name} {c} missing:\n{text}"))
    };
    // Source: every line polled and written, offsets committed.
    assert_eq!(
        at(
            "source_task_metrics_source_record_poll_total",
            "file-source"
        ),
        n
    );
    assert!(at("source_task_metrics_source_record_poll_rate", "file-source") > 0.0);
    assert!(at("connector_task_metrics_batch_size_max", "file-source") >= 1.0);
    assert!(at("source_task_metrics_poll_batch_max_time_ms", "file-source") >= 0.0);
    // Sinks: read and sent; the JSON sink sent only the good half and skipped the rest.
    assert_eq!(
        at("sink_task_metrics_sink_record_read_total", "file-sink"),
        n
    );
    assert_eq!(at("sink_task_metrics_partition_count", "file-sink"), 1.0);
    let (good, bad) = (n / 2.0, n / 2.0);
    let json_sent = scrape_until(&api, "the JSON sink's good records sent", |s| {
        get(
            s,
            &format!("{m}sink_task_metrics_sink_record_send_total"),
            "json-sink",
        ) == Some(good)
    })
    .await
    .1;
    let json = |name: &str| get(&json_sent, &format!("{m}{name}"), "json-sink").unwrap();
    assert_eq!(json("task_error_metrics_total_record_errors"), bad);
    assert_eq!(json("task_error_metrics_total_record_failures"), bad);
    assert_eq!(json("task_error_metrics_total_records_skipped"), bad);
    assert_eq!(json("task_error_metrics_total_errors_logged"), bad);
    assert_eq!(
        json("task_error_metrics_deadletterqueue_produce_requests"),
        bad
    );
    assert_eq!(
        json("task_error_metrics_deadletterqueue_produce_failures"),
        0.0
    );
    assert!(json("task_error_metrics_last_error_timestamp") > 1.6e12);
    assert_eq!(
        at("task_error_metrics_total_record_errors", "file-sink"),
        0.0
    );
    // Worker: three connectors, three tasks, all started and running.
    assert_eq!(at("connect_worker_metrics_connector_count", ""), 3.0);
    assert_eq!(at("connect_worker_metrics_task_count", ""), 3.0);
    assert_eq!(
        at("connect_worker_metrics_task_startup_success_total", ""),
        3.0
    );
    assert_eq!(
        at(
            "connect_worker_metrics_connector_running_task_count",
            "file-sink"
        ),
        1.0
    );
    let status = s
        .samples
        .iter()
        .find(|x| {
            x.metric == format!("{m}connector_task_metrics_status")
                && x.labels.get("connector") == Some("file-source")
        })
        .unwrap();
    assert_eq!(status.labels.get("status"), Some("running"));
    // Standalone: no rebalance metrics.
    assert!(!text.contains("worker_rebalance"), "{text}");

    // Paused, the source's pause-ratio grows.
    let a = api.call("PUT", "/connectors/file-source/pause", None).await;
    assert_eq!(a.status, 202);
    // The task sees the pause on its next loop: wait for it, as a busy machine may be slow.
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let (_, paused) = scrape(&api).await;
        let ratio = get(
            &paused,
            &format!("{m}connector_task_metrics_pause_ratio"),
            "file-source",
        )
        .unwrap();
        if ratio > 0.0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "pause-ratio still {ratio} 15 s after the pause"
        );
    }

    // The tasks' clients report librdkafka's statistics under the Java clients' names.
    let client = |s: &Scrape, name: &str, id: &str| {
        s.samples
            .iter()
            .find(|x| x.metric == name && x.labels.get("client_id") == Some(id))
            .map(|x| value(&x.value))
    };
    let produced = "kafka_producer_producer_metrics_record_send_total";
    let consumed = "kafka_consumer_consumer_fetch_manager_metrics_records_consumed_total";
    let (text, clients) = scrape_until(&api, "the clients' statistics", |s| {
        client(s, produced, "connector-producer-file-source-0").is_some_and(|v| v >= n)
            && client(s, consumed, "connector-consumer-file-sink-0").is_some_and(|v| v >= n)
    })
    .await;
    for (name, id) in [
        (
            "kafka_producer_producer_metrics_queued_records",
            "connector-producer-file-source-0",
        ),
        (
            "kafka_producer_producer_metrics_request_total",
            "connector-producer-file-source-0",
        ),
        (
            "kafka_consumer_consumer_fetch_manager_metrics_records_lag_max",
            "connector-consumer-file-sink-0",
        ),
    ] {
        assert!(client(&clients, name, id).is_some(), "{name} {id}:\n{text}");
    }

    // Every name is one of Apache's, as its JMX exporter would print it; the Apache metrics
    // this worker does not have are exactly these.
    if let Some(apache) = apache_metric_names() {
        let by_exported: BTreeMap<String, (String, String)> = apache
            .iter()
            .map(|(g, n)| (exporter_name(g, n), (g.clone(), n.clone())))
            .collect();
        let ours: BTreeSet<&str> = s
            .samples
            .iter()
            .map(|x| x.metric.as_str())
            .filter(|m| m.starts_with("kafka_connect_"))
            .collect();
        for name in &ours {
            assert!(
                by_exported.contains_key(*name),
                "{name} is not one of Apache's metrics"
            );
        }
        let missing: BTreeSet<&str> = by_exported
            .iter()
            .filter(|(exported, (g, _))| {
                !ours.contains(exported.as_str()) && g != "connect-worker-rebalance-metrics"
            })
            .map(|(_, (_, n))| n.as_str())
            .collect();
        let expected: BTreeSet<&str> = [
            // Exactly-once source transactions are not supported.
            "transaction-size-avg",
            "transaction-size-max",
            "transaction-size-min",
            // Defined by Apache but never recorded there.
            "sink-record-lag-max",
            // Per-transformation and per-predicate groups.
            "transform-class",
            "transform-version",
            "predicate-class",
            "predicate-version",
        ]
        .into_iter()
        .collect();
        assert_eq!(missing, expected);
    }
    w.stop().await;
}
