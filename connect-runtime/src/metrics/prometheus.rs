//! The Prometheus text format (version 0.0.4) of the worker's metrics, named as Prometheus'
//! JMX exporter names Apache's MBeans by default: `<domain>_<type>_<attribute>`, the other key
//! properties as labels, every character outside `[a-zA-Z0-9_]` as `_`.
//!
//! Attributes whose value is a string (`status`, `connector-class`, `leader-name`, …), which
//! the JMX exporter drops, are kept the usual Prometheus way: a gauge of 1 carrying the string
//! in a label of the attribute's name.

use std::fmt::Write as _;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use indexmap::IndexMap;

use super::client_stats::ClientView;
use super::{RunState, TaskKind, TaskMetrics};
use crate::worker::State;

/// A connector with an instance or tasks on this worker, for its metrics.
#[derive(Debug, Clone)]
pub struct ConnectorSnapshot {
    /// The connector's name.
    pub name: String,
    /// Its `connector.class`.
    pub class: String,
    /// `source` or `sink`.
    pub kind: String,
    /// Its plugin version.
    pub version: String,
    /// Its instance's state, when the instance runs here.
    pub state: Option<State>,
    /// Its tasks that run here.
    pub tasks: Vec<TaskSnapshot>,
}

/// A task that runs here, for its metrics.
#[derive(Debug, Clone, Copy)]
pub struct TaskSnapshot {
    /// The task number.
    pub task: usize,
    /// Its state.
    pub state: State,
}

pub(super) struct RebalanceView {
    pub completed: u64,
    pub epoch: i64,
    pub leader: String,
    pub protocol: String,
    pub rebalancing: bool,
    pub max_ms: f64,
    pub avg_ms: f64,
    pub since_last_ms: f64,
}

pub(super) struct View<'a> {
    pub connectors: &'a [ConnectorSnapshot],
    pub tasks: &'a [Arc<TaskMetrics>],
    /// Attempts, successes, failures.
    pub connector_startup: [u64; 3],
    pub task_startup: [u64; 3],
    pub rebalances: Option<RebalanceView>,
}

#[derive(Default)]
struct Family {
    help: &'static str,
    counter: bool,
    samples: Vec<(Vec<(&'static str, String)>, f64)>,
}

/// Metric families in the order first written.
#[derive(Default)]
struct Families(IndexMap<String, Family>);

impl Families {
    fn add(
        &mut self,
        group: &str,
        attribute: &str,
        help: &'static str,
        labels: &[(&'static str, String)],
        value: f64,
    ) {
        self.add_in("kafka.connect", group, attribute, help, labels, value);
    }

    /// A metric of another JMX domain (`kafka.producer`, `kafka.consumer`).
    fn add_in(
        &mut self,
        domain: &str,
        group: &str,
        attribute: &str,
        help: &'static str,
        labels: &[(&'static str, String)],
        value: f64,
    ) {
        let name = format!(
            "{}_{}_{}",
            sanitize(domain),
            sanitize(group),
            sanitize(attribute)
        );
        let family = self.0.entry(name).or_default();
        family.help = help;
        family.counter = attribute.ends_with("-total");
        family.samples.push((labels.to_vec(), value));
    }

    /// A string attribute: a gauge of 1 with the value in a label named after the attribute.
    fn add_string(
        &mut self,
        group: &str,
        attribute: &'static str,
        help: &'static str,
        labels: &[(&'static str, String)],
        value: &str,
    ) {
        let mut labels = labels.to_vec();
        labels.push((attribute, value.to_owned()));
        self.add(group, attribute, help, &labels, 1.0);
    }

    fn write(&self) -> String {
        let mut out = String::new();
        for (name, f) in &self.0 {
            let _ = writeln!(out, "# HELP {name} {}", f.help);
            let kind = if f.counter { "counter" } else { "gauge" };
            let _ = writeln!(out, "# TYPE {name} {kind}");
            for (labels, value) in &f.samples {
                out.push_str(name);
                if !labels.is_empty() {
                    out.push('{');
                    for (i, (k, v)) in labels.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        let _ = write!(out, "{}=\"{}\"", sanitize(k), escape(v));
                    }
                    out.push('}');
                }
                let _ = writeln!(out, " {}", number(*value));
            }
        }
        out
    }
}

fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn number(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_owned()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.to_owned()
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

fn percentage(part: u64, all: u64) -> f64 {
    if all == 0 {
        0.0
    } else {
        part as f64 * 100.0 / all as f64
    }
}

fn state_name(s: State) -> String {
    s.name().to_ascii_lowercase()
}

const WORKER: &str = "connect-worker-metrics";
const REBALANCE: &str = "connect-worker-rebalance-metrics";
const CONNECTOR: &str = "connector-metrics";
const TASK: &str = "connector-task-metrics";
const SOURCE: &str = "source-task-metrics";
const SINK: &str = "sink-task-metrics";
const ERRORS: &str = "task-error-metrics";

pub(super) fn render(view: &View<'_>) -> String {
    let mut f = Families::default();
    worker(&mut f, view);
    if let Some(r) = &view.rebalances {
        rebalance(&mut f, r);
    }
    for c in view.connectors {
        connector(&mut f, c);
    }
    for t in view.tasks {
        let state = view
            .connectors
            .iter()
            .find(|c| c.name == t.id.connector)
            .and_then(|c| c.tasks.iter().find(|s| s.task == t.id.task))
            .map(|s| s.state);
        task(&mut f, t, state);
    }
    for t in view.tasks {
        if let Some(c) = t.client.view() {
            client(&mut f, t.kind, &c);
        }
    }
    f.write()
}

/// A task's Kafka client, under the names of Apache's Java clients' MBeans
/// (`kafka.producer:type=producer-metrics,client-id=…`,
/// `kafka.consumer:type=consumer-fetch-manager-metrics,client-id=…`), from librdkafka's
/// statistics. The queue depths have no Java counterpart and are named for what they count.
fn client(f: &mut Families, kind: TaskKind, c: &ClientView) {
    let labels = [("client-id", c.client_id.clone())];
    let r = &c.last;
    let (domain, group) = match kind {
        TaskKind::Source => ("kafka.producer", "producer-metrics"),
        TaskKind::Sink => ("kafka.consumer", "consumer-metrics"),
    };
    let mut add = |group: &str, attribute: &str, help: &'static str, value: f64| {
        f.add_in(domain, group, attribute, help, &labels, value);
    };
    add(
        group,
        "request-total",
        "The total number of requests sent to brokers.",
        r.requests as f64,
    );
    add(
        group,
        "request-rate",
        "The number of requests sent per second.",
        c.request_rate,
    );
    add(
        group,
        "response-total",
        "The total number of responses received from brokers.",
        r.responses as f64,
    );
    add(
        group,
        "outgoing-byte-total",
        "The total number of bytes sent to brokers.",
        r.bytes_out as f64,
    );
    add(
        group,
        "outgoing-byte-rate",
        "The number of bytes sent per second.",
        c.outgoing_byte_rate,
    );
    add(
        group,
        "incoming-byte-total",
        "The total number of bytes received from brokers.",
        r.bytes_in as f64,
    );
    add(
        group,
        "request-latency-avg",
        "The average round-trip time of requests to the slowest broker, in ms.",
        r.request_latency_avg_ms,
    );
    add(
        group,
        "requests-waiting",
        "The number of requests waiting to be sent to a broker.",
        r.requests_waiting as f64,
    );
    match kind {
        TaskKind::Source => {
            add(
                group,
                "record-send-total",
                "The total number of records sent.",
                r.records_sent as f64,
            );
            add(
                group,
                "record-send-rate",
                "The number of records sent per second.",
                c.record_send_rate,
            );
            add(
                group,
                "queued-records",
                "The number of records waiting in the producer's queues.",
                r.queued_records as f64,
            );
            add(
                group,
                "queued-bytes",
                "The bytes of the records waiting in the producer's queues.",
                r.queued_bytes as f64,
            );
        }
        TaskKind::Sink => {
            let fetch = "consumer-fetch-manager-metrics";
            add(
                fetch,
                "records-consumed-total",
                "The total number of records consumed.",
                r.records_consumed as f64,
            );
            add(
                fetch,
                "records-consumed-rate",
                "The number of records consumed per second.",
                c.records_consumed_rate,
            );
            add(
                fetch,
                "bytes-consumed-total",
                "The total number of record bytes consumed.",
                r.record_bytes_consumed as f64,
            );
            add(
                fetch,
                "bytes-consumed-rate",
                "The number of record bytes consumed per second.",
                c.bytes_consumed_rate,
            );
            add(
                fetch,
                "records-lag-max",
                "The maximum lag in records of any partition (-1 when unknown).",
                r.records_lag_max as f64,
            );
            add(
                fetch,
                "fetch-queue-records",
                "The number of records fetched and waiting for the task's poll.",
                r.fetch_queue_records as f64,
            );
        }
    }
}

fn worker(f: &mut Families, view: &View<'_>) {
    let running_here = view.connectors.iter().filter(|c| c.state.is_some()).count();
    let tasks_here: usize = view.connectors.iter().map(|c| c.tasks.len()).sum();
    f.add(
        WORKER,
        "connector-count",
        "The number of connectors run in this worker.",
        &[],
        running_here as f64,
    );
    f.add(
        WORKER,
        "task-count",
        "The number of tasks run in this worker.",
        &[],
        tasks_here as f64,
    );
    for (what, [attempts, success, failure]) in [
        ("connector", view.connector_startup),
        ("task", view.task_startup),
    ] {
        let name = |s: &str| format!("{what}-startup-{s}");
        f.add(
            WORKER,
            &name("attempts-total"),
            "The total number of startups that this worker has attempted.",
            &[],
            attempts as f64,
        );
        f.add(
            WORKER,
            &name("success-total"),
            "The total number of startups that succeeded.",
            &[],
            success as f64,
        );
        f.add(
            WORKER,
            &name("failure-total"),
            "The total number of startups that failed.",
            &[],
            failure as f64,
        );
        f.add(
            WORKER,
            &name("success-percentage"),
            "The average percentage of startups that succeeded.",
            &[],
            percentage(success, attempts),
        );
        f.add(
            WORKER,
            &name("failure-percentage"),
            "The average percentage of startups that failed.",
            &[],
            percentage(failure, attempts),
        );
    }
    for c in view.connectors {
        let labels = [("connector", c.name.clone())];
        let count = |s: State| c.tasks.iter().filter(|t| t.state == s).count() as f64;
        f.add(
            WORKER,
            "connector-total-task-count",
            "The number of tasks of the connector on the worker.",
            &labels,
            c.tasks.len() as f64,
        );
        for (attribute, state, help) in [
            (
                "connector-running-task-count",
                State::Running,
                "The number of running tasks of the connector on the worker.",
            ),
            (
                "connector-paused-task-count",
                State::Paused,
                "The number of paused tasks of the connector on the worker.",
            ),
            (
                "connector-failed-task-count",
                State::Failed,
                "The number of failed tasks of the connector on the worker.",
            ),
            (
                "connector-unassigned-task-count",
                State::Unassigned,
                "The number of unassigned tasks of the connector on the worker.",
            ),
            (
                "connector-restarting-task-count",
                State::Restarting,
                "The number of restarting tasks of the connector on the worker.",
            ),
        ] {
            f.add(WORKER, attribute, help, &labels, count(state));
        }
        f.add(
            WORKER,
            "connector-destroyed-task-count",
            "The number of destroyed tasks of the connector on the worker.",
            &labels,
            0.0,
        );
    }
}

fn rebalance(f: &mut Families, r: &RebalanceView) {
    f.add(
        REBALANCE,
        "completed-rebalances-total",
        "The total number of rebalances completed by this worker.",
        &[],
        r.completed as f64,
    );
    f.add(
        REBALANCE,
        "epoch",
        "The epoch or generation number of this worker.",
        &[],
        r.epoch as f64,
    );
    f.add(
        REBALANCE,
        "rebalancing",
        "Whether this worker is currently rebalancing.",
        &[],
        if r.rebalancing { 1.0 } else { 0.0 },
    );
    f.add(
        REBALANCE,
        "rebalance-max-time-ms",
        "The maximum time in milliseconds spent by this worker to rebalance.",
        &[],
        r.max_ms,
    );
    f.add(
        REBALANCE,
        "rebalance-avg-time-ms",
        "The average time in milliseconds spent by this worker to rebalance.",
        &[],
        r.avg_ms,
    );
    f.add(
        REBALANCE,
        "time-since-last-rebalance-ms",
        "The time in milliseconds since this worker completed the most recent rebalance.",
        &[],
        r.since_last_ms,
    );
    f.add_string(
        REBALANCE,
        "leader-name",
        "The name of the group leader.",
        &[],
        &r.leader,
    );
    f.add_string(
        REBALANCE,
        "connect-protocol",
        "The Connect protocol used by this cluster.",
        &[],
        &r.protocol,
    );
}

fn connector(f: &mut Families, c: &ConnectorSnapshot) {
    let Some(state) = c.state else { return };
    let labels = [("connector", c.name.clone())];
    f.add_string(
        CONNECTOR,
        "connector-class",
        "The name of the connector class.",
        &labels,
        &c.class,
    );
    f.add_string(
        CONNECTOR,
        "connector-type",
        "The type of the connector. One of 'source' or 'sink'.",
        &labels,
        &c.kind,
    );
    f.add_string(
        CONNECTOR,
        "connector-version",
        "The version of the connector class, as reported by the connector.",
        &labels,
        &c.version,
    );
    f.add_string(
        CONNECTOR,
        "status",
        "The status of the connector. One of 'unassigned', 'running', 'paused', 'stopped', 'failed', or 'restarting'.",
        &labels,
        &state_name(state),
    );
}

fn task(f: &mut Families, t: &TaskMetrics, state: Option<State>) {
    let labels = [
        ("connector", t.id.connector.clone()),
        ("task", t.id.task.to_string()),
    ];
    if let Some(state) = state {
        f.add_string(
            TASK,
            "status",
            "The status of the connector task. One of 'unassigned', 'running', 'paused', 'failed', or 'restarting'.",
            &labels,
            &state_name(state),
        );
    }
    for (attribute, value) in &t.plugins {
        f.add_string(
            TASK,
            attribute,
            "The class or version of a plugin this task runs.",
            &labels,
            value,
        );
    }
    f.add(
        TASK,
        "running-ratio",
        "The fraction of time this task has spent in the running state.",
        &labels,
        t.state.ratio(RunState::Running),
    );
    f.add(
        TASK,
        "pause-ratio",
        "The fraction of time this task has spent in the pause state.",
        &labels,
        t.state.ratio(RunState::Paused),
    );
    f.add(
        TASK,
        "batch-size-max",
        "The number of records in the largest batch the task has processed so far.",
        &labels,
        t.batch_size.max(),
    );
    f.add(
        TASK,
        "batch-size-avg",
        "The average number of records in the batches the task has processed so far.",
        &labels,
        t.batch_size.avg(),
    );
    f.add(
        TASK,
        "offset-commit-max-time-ms",
        "The maximum time in milliseconds taken by this task to commit offsets.",
        &labels,
        t.offset_commit_time.max(),
    );
    f.add(
        TASK,
        "offset-commit-avg-time-ms",
        "The average time in milliseconds taken by this task to commit offsets.",
        &labels,
        t.offset_commit_time.avg(),
    );
    let ok = t.offset_commit_success.load(Ordering::Relaxed);
    let failed = t.offset_commit_failure.load(Ordering::Relaxed);
    f.add(
        TASK,
        "offset-commit-success-percentage",
        "The average percentage of this task's offset commit attempts that succeeded.",
        &labels,
        percentage(ok, ok + failed),
    );
    f.add(
        TASK,
        "offset-commit-failure-percentage",
        "The average percentage of this task's offset commit attempts that failed.",
        &labels,
        percentage(failed, ok + failed),
    );
    match t.kind {
        TaskKind::Source => source(f, t, &labels),
        TaskKind::Sink => sink(f, t, &labels),
    }
    errors(f, t, &labels);
}

fn source(f: &mut Families, t: &TaskMetrics, labels: &[(&'static str, String)]) {
    f.add(SOURCE, "source-record-poll-rate", "The average per-second number of records produced/polled (before transformation) by this task belonging to the named source connector in this worker.", labels, t.records_in.rate());
    f.add(SOURCE, "source-record-poll-total", "The total number of records produced/polled (before transformation) by this task belonging to the named source connector in this worker.", labels, t.records_in.total() as f64);
    f.add(SOURCE, "source-record-write-rate", "The average per-second number of records written to Kafka for this task belonging to the named source connector in this worker, since the task was last restarted. This is after transformations are applied, and excludes any records filtered out by the transformations.", labels, t.records_out.rate());
    f.add(SOURCE, "source-record-write-total", "The number of records output written to Kafka for this task belonging to the named source connector in this worker, since the task was last restarted. This is after transformations are applied, and excludes any records filtered out by the transformations.", labels, t.records_out.total() as f64);
    f.add(SOURCE, "poll-batch-max-time-ms", "The maximum time in milliseconds taken by this task to poll for a batch of source records.", labels, t.batch_time.max());
    f.add(SOURCE, "poll-batch-avg-time-ms", "The average time in milliseconds taken by this task to poll for a batch of source records.", labels, t.batch_time.avg());
    f.add(SOURCE, "source-record-active-count", "The number of records that have been produced by this task but not yet completely written to Kafka.", labels, t.active.load(Ordering::Relaxed) as f64);
    f.add(SOURCE, "source-record-active-count-max", "The maximum number of records that have been produced by this task but not yet completely written to Kafka.", labels, t.active_samples.max());
    f.add(SOURCE, "source-record-active-count-avg", "The average number of records that have been produced by this task but not yet completely written to Kafka.", labels, t.active_samples.avg());
}

fn sink(f: &mut Families, t: &TaskMetrics, labels: &[(&'static str, String)]) {
    f.add(SINK, "sink-record-read-rate", "The average per-second number of records read from Kafka for this task belonging to the named sink connector in this worker. This is before transformations are applied.", labels, t.records_in.rate());
    f.add(SINK, "sink-record-read-total", "The total number of records read from Kafka by this task belonging to the named sink connector in this worker, since the task was last restarted.", labels, t.records_in.total() as f64);
    f.add(SINK, "sink-record-send-rate", "The average per-second number of records output from the transformations and sent/put to this task belonging to the named sink connector in this worker. This is after transformations are applied and excludes any records filtered out by the transformations.", labels, t.records_out.rate());
    f.add(SINK, "sink-record-send-total", "The total number of records output from the transformations and sent/put to this task belonging to the named sink connector in this worker, since the task was last restarted.", labels, t.records_out.total() as f64);
    f.add(SINK, "sink-record-active-count", "The number of records that have been read from Kafka but not yet completely committed/flushed/acknowledged by the sink task.", labels, t.active.load(Ordering::Relaxed) as f64);
    f.add(SINK, "sink-record-active-count-max", "The maximum number of records that have been read from Kafka but not yet completely committed/flushed/acknowledged by the sink task.", labels, t.active_samples.max());
    f.add(SINK, "sink-record-active-count-avg", "The average number of records that have been read from Kafka but not yet completely committed/flushed/acknowledged by the sink task.", labels, t.active_samples.avg());
    f.add(SINK, "partition-count", "The number of topic partitions assigned to this task belonging to the named sink connector in this worker.", labels, t.partition_count.load(Ordering::Relaxed) as f64);
    f.add(
        SINK,
        "offset-commit-seq-no",
        "The current sequence number for offset commits.",
        labels,
        t.commit_seq.load(Ordering::Relaxed) as f64,
    );
    f.add(SINK, "offset-commit-completion-rate", "The average per-second number of offset commit completions that were completed successfully.", labels, t.commit_completion.rate());
    f.add(
        SINK,
        "offset-commit-completion-total",
        "The total number of offset commit completions that were completed successfully.",
        labels,
        t.commit_completion.total() as f64,
    );
    f.add(SINK, "offset-commit-skip-rate", "The average per-second number of offset commit completions that were received too late and skipped/ignored.", labels, t.commit_skip.rate());
    f.add(SINK, "offset-commit-skip-total", "The total number of offset commit completions that were received too late and skipped/ignored.", labels, t.commit_skip.total() as f64);
    f.add(
        SINK,
        "put-batch-max-time-ms",
        "The maximum time taken by this task to put a batch of sinks records.",
        labels,
        t.batch_time.max(),
    );
    f.add(
        SINK,
        "put-batch-avg-time-ms",
        "The average time taken by this task to put a batch of sinks records.",
        labels,
        t.batch_time.avg(),
    );
}

fn errors(f: &mut Families, t: &TaskMetrics, labels: &[(&'static str, String)]) {
    let e = &t.errors;
    let get = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed) as f64;
    f.add(
        ERRORS,
        "total-record-failures",
        "The number of record processing failures in this task.",
        labels,
        get(&e.record_failures),
    );
    f.add(
        ERRORS,
        "total-record-errors",
        "The number of record processing errors in this task.",
        labels,
        get(&e.record_errors),
    );
    f.add(
        ERRORS,
        "total-records-skipped",
        "The number of records skipped due to errors.",
        labels,
        get(&e.records_skipped),
    );
    f.add(
        ERRORS,
        "total-retries",
        "The number of operations retried.",
        labels,
        get(&e.retries),
    );
    f.add(
        ERRORS,
        "total-errors-logged",
        "The number of errors that were logged.",
        labels,
        get(&e.errors_logged),
    );
    f.add(
        ERRORS,
        "deadletterqueue-produce-requests",
        "The number of attempted writes to the dead letter queue.",
        labels,
        get(&e.dlq_requests),
    );
    f.add(
        ERRORS,
        "deadletterqueue-produce-failures",
        "The number of failed writes to the dead letter queue.",
        labels,
        get(&e.dlq_failures),
    );
    f.add(
        ERRORS,
        "last-error-timestamp",
        "The epoch timestamp when this task last encountered an error.",
        labels,
        e.last_error_ms.load(Ordering::Relaxed) as f64,
    );
}
