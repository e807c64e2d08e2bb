//! The worker's metrics, in Apache's Connect metric groups and names (`connect-worker-metrics`,
//! `connect-worker-rebalance-metrics`, `connector-metrics`, `connector-task-metrics`,
//! `source-task-metrics`, `sink-task-metrics`, `task-error-metrics`), served by
//! `GET /metrics` in the Prometheus text format under the names Prometheus' JMX exporter gives
//! Apache's MBeans: `kafka.connect:type=source-task-metrics,connector=c,task=0` attribute
//! `source-record-poll-rate` is `kafka_connect_source_task_metrics_source_record_poll_rate
//! {connector="c",task="0"}`.
//!
//! Task loops record into a [`TaskMetrics`] the worker registers for each task it runs;
//! statuses (which live in the herder's store) are passed in when the text is rendered.

pub mod client_stats;
mod prometheus;
pub mod stats;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub use prometheus::{ConnectorSnapshot, TaskSnapshot};
use stats::{SampleConfig, Sampled, TimeInState};

use crate::worker::TaskId;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Whether a task is a source or a sink task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskKind {
    /// A source task.
    Source,
    /// A sink task.
    Sink,
}

/// Whether a task is processing or paused, for `running-ratio` / `pause-ratio`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunState {
    /// Processing records.
    Running,
    /// Paused.
    Paused,
}

/// `task-error-metrics` of one task (Apache's `ErrorHandlingMetrics`).
#[derive(Debug, Default)]
pub struct ErrorMetrics {
    /// `total-record-failures`: failed attempts of an operation.
    pub record_failures: AtomicU64,
    /// `total-record-errors`: records whose operation finally failed.
    pub record_errors: AtomicU64,
    /// `total-records-skipped`: records skipped under `errors.tolerance=all`.
    pub records_skipped: AtomicU64,
    /// `total-retries`: retried operations.
    pub retries: AtomicU64,
    /// `total-errors-logged`.
    pub errors_logged: AtomicU64,
    /// `deadletterqueue-produce-requests`.
    pub dlq_requests: AtomicU64,
    /// `deadletterqueue-produce-failures`.
    pub dlq_failures: AtomicU64,
    /// `last-error-timestamp` (epoch ms; 0 before the first error).
    pub last_error_ms: AtomicI64,
}

impl ErrorMetrics {
    /// A record's operation failed for good.
    pub fn record_error(&self) {
        self.record_errors.fetch_add(1, Ordering::Relaxed);
        self.last_error_ms.store(now_ms(), Ordering::Relaxed);
    }

    /// Adds one to `counter`.
    pub fn inc(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// What one task's loop records: the `connector-task-metrics`, `source-task-metrics` or
/// `sink-task-metrics`, and `task-error-metrics` of that task.
#[derive(Debug)]
pub struct TaskMetrics {
    /// The task.
    pub id: TaskId,
    /// Source or sink.
    pub kind: TaskKind,
    /// Running or paused, over time.
    pub state: TimeInState<RunState>,
    /// `batch-size-max` / `batch-size-avg`: records per poll or put.
    pub batch_size: Sampled,
    /// `offset-commit-max-time-ms` / `offset-commit-avg-time-ms`.
    pub offset_commit_time: Sampled,
    /// Successful offset commits.
    pub offset_commit_success: AtomicU64,
    /// Failed offset commits.
    pub offset_commit_failure: AtomicU64,
    /// `source-record-poll-*` (records returned by `poll`) or `sink-record-read-*` (records
    /// consumed, before transformations).
    pub records_in: Sampled,
    /// `source-record-write-*` (records handed to the producer, after transformations) or
    /// `sink-record-send-*` (records `put` accepted).
    pub records_out: Sampled,
    /// `poll-batch-*-time-ms` or `put-batch-*-time-ms`.
    pub batch_time: Sampled,
    /// `source-record-active-count` / `sink-record-active-count`: records taken in and not yet
    /// acknowledged (source) or committed (sink).
    pub active: AtomicI64,
    /// Samples of `active` for its `-max` / `-avg`.
    pub active_samples: Sampled,
    /// `partition-count` (sink).
    pub partition_count: AtomicU64,
    /// `offset-commit-seq-no` (sink).
    pub commit_seq: AtomicU64,
    /// `offset-commit-completion-*` (sink): commits that completed.
    pub commit_completion: Sampled,
    /// `offset-commit-skip-*` (sink): commits skipped (nothing new, or the task refused).
    pub commit_skip: Sampled,
    /// The task's error handling.
    pub errors: Arc<ErrorMetrics>,
    /// The string attributes of its `connector-task-metrics` (`connector-class`,
    /// `task-version`, `key-converter-class`, …).
    pub plugins: Vec<(&'static str, String)>,
    /// Its Kafka client's statistics: a source task's producer, a sink task's consumer.
    pub client: client_stats::ClientStats,
}

impl TaskMetrics {
    fn new(
        id: TaskId,
        kind: TaskKind,
        config: SampleConfig,
        plugins: Vec<(&'static str, String)>,
    ) -> TaskMetrics {
        TaskMetrics {
            id,
            kind,
            plugins,
            state: TimeInState::new(),
            batch_size: Sampled::new(config),
            offset_commit_time: Sampled::new(config),
            offset_commit_success: AtomicU64::new(0),
            offset_commit_failure: AtomicU64::new(0),
            records_in: Sampled::new(config),
            records_out: Sampled::new(config),
            batch_time: Sampled::new(config),
            active: AtomicI64::new(0),
            active_samples: Sampled::new(config),
            partition_count: AtomicU64::new(0),
            commit_seq: AtomicU64::new(0),
            commit_completion: Sampled::new(config),
            commit_skip: Sampled::new(config),
            errors: Arc::new(ErrorMetrics::default()),
            client: client_stats::ClientStats::default(),
        }
    }

    /// Keeps a statistics report of the task's Kafka client.
    pub fn record_client(&self, statistics: &rdkafka::Statistics) {
        self.client.record(
            &statistics.client_id,
            client_stats::ClientReport::from_statistics(statistics),
        );
    }

    /// The number of records in flight is now `n`.
    pub fn set_active(&self, n: i64) {
        if self.active.swap(n, Ordering::Relaxed) != n {
            self.active_samples.record(n as f64);
        }
    }

    /// An offset commit ended; it took `took`.
    pub fn offset_commit(&self, took: Duration, ok: bool) {
        self.offset_commit_time.record(took.as_secs_f64() * 1000.0);
        let counter = if ok {
            &self.offset_commit_success
        } else {
            &self.offset_commit_failure
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// `connect-worker-rebalance-metrics` (distributed workers).
#[derive(Debug, Default)]
struct Rebalances {
    completed: u64,
    epoch: i64,
    leader: String,
    protocol: String,
    started: Option<Instant>,
    last_completed: Option<Instant>,
    max_ms: f64,
    sum_ms: f64,
}

/// Every metric of this worker.
#[derive(Debug)]
pub struct ConnectMetrics {
    config: SampleConfig,
    /// This worker's id, to pick its own work out of the statuses.
    pub worker_id: String,
    /// Set by the first rebalance: only distributed workers have the rebalance group.
    distributed: AtomicBool,
    tasks: Mutex<BTreeMap<TaskId, Arc<TaskMetrics>>>,
    /// Full class name and version of each connector started here.
    connector_plugins: Mutex<BTreeMap<String, (String, String)>>,
    connector_startup: [AtomicU64; 3],
    task_startup: [AtomicU64; 3],
    rebalances: Mutex<Rebalances>,
}

/// Which startup counter to move.
#[derive(Debug, Clone, Copy)]
pub enum Startup {
    /// It was started and came up.
    Success,
    /// It was started and failed.
    Failure,
}

impl ConnectMetrics {
    /// The metrics of a worker.
    pub fn new(config: SampleConfig, worker_id: String) -> ConnectMetrics {
        ConnectMetrics {
            config,
            worker_id,
            distributed: AtomicBool::new(false),
            tasks: Mutex::new(BTreeMap::new()),
            connector_plugins: Mutex::new(BTreeMap::new()),
            connector_startup: Default::default(),
            task_startup: Default::default(),
            rebalances: Mutex::new(Rebalances::default()),
        }
    }

    /// A task is starting: its fresh metrics (a restarted task starts again from zero, as
    /// Apache's task metric group is removed and recreated).
    /// `plugins` are the string attributes of its `connector-task-metrics`.
    pub fn register_task(
        &self,
        id: &TaskId,
        kind: TaskKind,
        plugins: Vec<(&'static str, String)>,
    ) -> Arc<TaskMetrics> {
        let m = Arc::new(TaskMetrics::new(id.clone(), kind, self.config, plugins));
        lock(&self.tasks).insert(id.clone(), m.clone());
        m
    }

    /// A task stopped: its metrics go.
    pub fn remove_task(&self, id: &TaskId) {
        lock(&self.tasks).remove(id);
    }

    /// Connector `name` runs plugin `class` (its full name) at `version`.
    pub fn connector_plugin(&self, name: &str, class: &str, version: &str) {
        lock(&self.connector_plugins)
            .insert(name.to_owned(), (class.to_owned(), version.to_owned()));
    }

    /// Connector `name` stopped here.
    pub fn remove_connector(&self, name: &str) {
        lock(&self.connector_plugins).remove(name);
    }

    /// The full class name and version of connector `name`'s plugin, once it started here.
    pub fn connector_plugin_of(&self, name: &str) -> Option<(String, String)> {
        lock(&self.connector_plugins).get(name).cloned()
    }

    /// A connector start ended.
    pub fn connector_started(&self, outcome: Startup) {
        Self::startup(&self.connector_startup, outcome);
    }

    /// A task start ended.
    pub fn task_started(&self, outcome: Startup) {
        Self::startup(&self.task_startup, outcome);
    }

    fn startup(counters: &[AtomicU64; 3], outcome: Startup) {
        counters[0].fetch_add(1, Ordering::Relaxed);
        let i = match outcome {
            Startup::Success => 1,
            Startup::Failure => 2,
        };
        counters[i].fetch_add(1, Ordering::Relaxed);
    }

    /// A rebalance round began.
    pub fn rebalance_started(&self) {
        self.distributed.store(true, Ordering::Relaxed);
        lock(&self.rebalances).started = Some(Instant::now());
    }

    /// A rebalance round ended with this worker in generation `epoch`, led by `leader`.
    pub fn rebalance_completed(&self, epoch: i32, leader: &str, protocol: &str) {
        let mut r = lock(&self.rebalances);
        let now = Instant::now();
        if let Some(started) = r.started.take() {
            let ms = now.duration_since(started).as_secs_f64() * 1000.0;
            r.max_ms = r.max_ms.max(ms);
            r.sum_ms += ms;
        }
        r.completed += 1;
        r.epoch = i64::from(epoch);
        r.leader = leader.to_owned();
        r.protocol = protocol.to_owned();
        r.last_completed = Some(now);
    }

    /// The Prometheus text of every metric; `connectors` are the connectors whose instance or
    /// tasks run on this worker, with their statuses.
    pub fn render(&self, connectors: &[ConnectorSnapshot]) -> String {
        let tasks: Vec<Arc<TaskMetrics>> = lock(&self.tasks).values().cloned().collect();
        let rebalances = self.distributed.load(Ordering::Relaxed).then(|| {
            let r = lock(&self.rebalances);
            prometheus::RebalanceView {
                completed: r.completed,
                epoch: r.epoch,
                leader: r.leader.clone(),
                protocol: r.protocol.clone(),
                rebalancing: r.started.is_some(),
                max_ms: r.max_ms,
                avg_ms: if r.completed == 0 {
                    0.0
                } else {
                    r.sum_ms / r.completed as f64
                },
                since_last_ms: r
                    .last_completed
                    .map_or(-1.0, |t| t.elapsed().as_secs_f64() * 1000.0),
            }
        });
        let load = |c: &[AtomicU64; 3]| c.each_ref().map(|a| a.load(Ordering::Relaxed));
        prometheus::render(&prometheus::View {
            connectors,
            tasks: &tasks,
            connector_startup: load(&self.connector_startup),
            task_startup: load(&self.task_startup),
            rebalances,
        })
    }
}
