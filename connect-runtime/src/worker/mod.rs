//! The worker: creates converters and transformation chains, and runs each task on a thread
//! of its own (Apache's `Worker`, `WorkerSourceTask`, `WorkerSinkTask`).
//!
//! Each task gets a dedicated OS thread with a single-threaded tokio runtime, as each Java
//! task gets its own thread. A connector may therefore block in `poll` or `put` (file reads,
//! synchronous client libraries) without slowing other tasks or the REST API. A task is
//! stopped by cancelling it: a pending `poll` is dropped at its next await point, the final
//! offset commit runs, then `stop()`.
//!
//! The worker runs what a herder decides: it owns the running connectors and tasks, and the
//! herder (standalone or distributed) only says which to start and stop.

pub mod connector;
pub mod dead_letter_queue;
pub mod errant_records;
pub mod error_handler;
pub mod offset_committer;
pub mod sink_task;
pub mod source_task;
mod status;
pub mod submitted_records;
pub mod topic_creation;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use connect_api::connector::{ConnectorContext, Props};
use connect_api::errors::{ConnectError, Result};
use connect_api::plugin::{PluginDesc, PluginFactory, PluginKind, PluginRegistry};
use connect_api::storage::{Converter, HeaderConverter};
use tokio::sync::{oneshot, watch};
use tokio_util::sync::CancellationToken;

pub use status::{State, TargetState, TaskId, TaskStatusListener};

use crate::config::connector_config::{
    sink_topics, ConnectorConfig, TASK_CLASS_CONFIG, TOPICS_CONFIG, TOPICS_REGEX_CONFIG,
};
use crate::config::{with_prefix, WorkerConfig};
use crate::kafka::{admin_props, consumer_props, producer_props, to_client_config};
use crate::metrics::stats::SampleConfig;
use crate::metrics::{ConnectMetrics, Startup, TaskKind};
use crate::storage::{ConnectorOffsetReader, OffsetBackingStore};
use connector::{panic_message, ConnectorHandle};
use error_handler::ErrorHandler;

/// A task's key, value and header converters.
pub type Converters = (
    Box<dyn Converter>,
    Box<dyn Converter>,
    Box<dyn HeaderConverter>,
);
use connect_api::transforms::chain::TransformationChain;

/// How long a connector's `stop` may take (Apache's `CONNECTOR_GRACEFUL_SHUTDOWN_TIMEOUT_MS`).
const CONNECTOR_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The connectors and tasks running in this process, and what they all share.
pub struct Worker {
    /// The worker configuration.
    pub config: WorkerConfig,
    /// The plugins available.
    pub registry: Arc<PluginRegistry>,
    /// Where source offsets are stored.
    pub offset_store: Arc<dyn OffsetBackingStore>,
    /// This worker's id (`host:port` of its REST endpoint).
    pub worker_id: String,
    /// The metrics of this worker and everything it runs.
    pub metrics: Arc<ConnectMetrics>,
    connectors: Mutex<HashMap<String, ConnectorHandle>>,
    tasks: Mutex<BTreeMap<TaskId, TaskHandle>>,
}

/// A running task.
pub struct TaskHandle {
    cancel: CancellationToken,
    abandoned: CancellationToken,
    target: watch::Sender<TargetState>,
    done: oneshot::Receiver<()>,
}

impl TaskHandle {
    /// Changes the task's target state (pause / resume).
    pub fn set_target(&self, target: TargetState) {
        let _ = self.target.send(target);
    }

    /// Asks the task to stop without waiting (to stop many tasks at once, then wait).
    pub fn request_stop(&self) {
        self.cancel.cancel();
    }

    /// Stops the task and waits for it, at most `timeout`. Returns whether it finished in
    /// time. A task that did not is abandoned, as Apache cancels it: its thread ends when the
    /// plugin call it is stuck in returns, and meanwhile it sends nothing new, writes no
    /// offsets and drops what its producer still holds, so a replacement can start beside it.
    pub async fn stop(self, timeout: Duration) -> bool {
        self.cancel.cancel();
        let finished = tokio::time::timeout(timeout, self.done).await.is_ok();
        if !finished {
            self.abandoned.cancel();
        }
        finished
    }
}

/// Reports how a task's run ended: a failure fails the task, unless it is a retry the stop
/// cut short (whose record was neither delivered nor committed).
fn report_outcome(
    id: &TaskId,
    status: &dyn TaskStatusListener,
    errors: &ErrorHandler,
    result: Result<()>,
) {
    match result {
        Ok(()) => {}
        Err(e) if errors.interrupted() => {
            tracing::info!("{id} stopped while retrying: {e}");
        }
        Err(e) => {
            tracing::error!("{id} Task threw an uncaught and unrecoverable exception. Task is being killed and will not recover until manually restarted: {}", e.trace());
            status.on_task_state(id, State::Failed, Some(e.trace()));
        }
    }
}

impl Worker {
    /// A worker running nothing yet.
    pub fn new(
        config: WorkerConfig,
        registry: Arc<PluginRegistry>,
        offset_store: Arc<dyn OffsetBackingStore>,
        worker_id: String,
    ) -> Worker {
        let metrics = Arc::new(ConnectMetrics::new(
            SampleConfig::from_props(&config.originals),
            worker_id.clone(),
        ));
        Worker {
            config,
            registry,
            offset_store,
            worker_id,
            metrics,
            connectors: Mutex::new(HashMap::new()),
            tasks: Mutex::new(BTreeMap::new()),
        }
    }

    /// Creates a connector on a thread of its own and starts it with `config`. An error means
    /// its `start` failed (or panicked): the connector is then FAILED, but it stays known to
    /// the worker until [`stop_and_await_connector`](Self::stop_and_await_connector).
    ///
    /// Answers when the connector is to be restarted with its tasks: a config provider gave
    /// its values a time-to-live and `config.action.reload` is `restart` (the default).
    pub async fn start_connector(
        &self,
        name: &str,
        factory: &PluginFactory,
        config: Props,
        herder: Arc<dyn ConnectorContext>,
    ) -> Result<Option<Duration>> {
        let reload = !config
            .get(crate::config::connector_config::CONFIG_ACTION_RELOAD_CONFIG)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("none"));
        // The connector sees its configuration resolved; everything else keeps the references.
        let (config, ttl) = self.config.providers.transform_with_ttl(&config)?;
        let handle = {
            let mut connectors = lock(&self.connectors);
            if connectors.contains_key(name) {
                return Err(ConnectError::other(format!(
                    "Connector with name {name} already exists"
                )));
            }
            let offsets = Arc::new(ConnectorOffsetReader::new(name, self.offset_store.clone()));
            let handle = ConnectorHandle::spawn(name, factory, herder, offsets)?;
            connectors.insert(name.to_owned(), handle.clone());
            handle
        };
        crate::logging::connector_span(name).in_scope(|| {
            tracing::info!(
                "Creating connector {name} of type {}",
                factory.kind().name()
            )
        });
        if let Some(d) = config
            .get(crate::config::connector_config::CONNECTOR_CLASS_CONFIG)
            .and_then(|c| {
                self.registry
                    .find(c, &[PluginKind::Source, PluginKind::Sink])
                    .ok()
            })
        {
            self.metrics
                .connector_plugin(name, &d.class_name, &d.version);
        }
        let started = handle.start(config).await;
        self.metrics.connector_started(if started.is_ok() {
            Startup::Success
        } else {
            Startup::Failure
        });
        started.map(|()| ttl.filter(|_| reload))
    }

    /// Whether a connector of that name was started in this worker and is running.
    pub fn is_connector_running(&self, name: &str) -> bool {
        lock(&self.connectors)
            .get(name)
            .is_some_and(ConnectorHandle::is_running)
    }

    /// The task configurations of a running connector (Apache's `connectorTaskConfigs`): at
    /// most `tasks.max`, each with `task.class`, and a sink's with its `topics` /
    /// `topics.regex`.
    pub async fn connector_task_configs(
        &self,
        name: &str,
        desc: &PluginDesc,
        config: &Props,
    ) -> Result<Vec<Props>> {
        let handle = lock(&self.connectors).get(name).cloned().ok_or_else(|| {
            ConnectError::other(format!("Connector {name} is not running in this worker"))
        })?;
        let max_tasks = ConnectorConfig::parse(config)
            .map(|p| p.tasks_max)
            .unwrap_or(1);
        let task_class = match desc.factory {
            PluginFactory::Source { task_class, .. } | PluginFactory::Sink { task_class, .. } => {
                task_class
            }
            ref other => {
                return Err(ConnectError::other(format!(
                    "{} is not a connector",
                    other.kind().name()
                )))
            }
        };
        let mut configs = handle.task_configs(max_tasks).await?;
        if !self.config.providers.is_empty() {
            let resolved = self.config.providers.transform(config)?;
            for t in &mut configs {
                crate::config::config_transformer::unresolve(config, &resolved, t);
            }
        }
        if configs.len() > max_tasks {
            return Err(ConnectError::other(format!(
                "The connector {name} has generated {} tasks, which is greater than {max_tasks}, the maximum number of tasks it is configured to create.",
                configs.len()
            )));
        }
        Ok(configs
            .into_iter()
            .map(|mut t| {
                t.insert(TASK_CLASS_CONFIG.to_owned(), task_class.to_owned());
                if desc.kind() == PluginKind::Sink {
                    for key in [TOPICS_CONFIG, TOPICS_REGEX_CONFIG] {
                        if let Some(v) = config.get(key) {
                            t.insert(key.to_owned(), v.clone());
                        }
                    }
                }
                t
            })
            .collect())
    }

    /// Stops a connector (its `stop`, if its `start` succeeded) and forgets it; waits at most
    /// Apache's 5 s. Its tasks are stopped separately.
    pub async fn stop_and_await_connector(&self, name: &str) {
        let Some(handle) = lock(&self.connectors).remove(name) else {
            return;
        };
        self.metrics.remove_connector(name);
        let context = crate::logging::connector_span(name);
        context.in_scope(|| tracing::info!("Stopping connector {name}"));
        if let Err(e) = handle.stop(CONNECTOR_SHUTDOWN_TIMEOUT).await {
            context.in_scope(|| {
                tracing::error!("Error while stopping connector {name}: {}", e.trace())
            });
        }
    }

    /// The tasks of a connector running in this worker.
    pub fn task_ids(&self, connector: &str) -> Vec<TaskId> {
        lock(&self.tasks)
            .keys()
            .filter(|id| id.connector == connector)
            .cloned()
            .collect()
    }

    /// Pauses or resumes a connector's running tasks.
    pub fn set_target_state(&self, connector: &str, target: TargetState) {
        for (id, task) in lock(&self.tasks).iter() {
            if id.connector == connector {
                task.set_target(target);
            }
        }
    }

    /// Stops tasks and waits for them: all start stopping at once and share one
    /// `task.shutdown.graceful.timeout.ms`, as in Apache. A task that misses it is abandoned
    /// (see [`TaskHandle::stop`]).
    pub async fn stop_and_await_tasks(&self, ids: &[TaskId]) {
        let timeout = Duration::from_millis(self.config.task_shutdown_graceful_timeout_ms);
        let deadline = tokio::time::Instant::now() + timeout;
        let handles: Vec<(TaskId, TaskHandle)> = {
            let mut tasks = lock(&self.tasks);
            ids.iter()
                .filter_map(|id| tasks.remove(id).map(|h| (id.clone(), h)))
                .collect()
        };
        for (_, h) in &handles {
            h.request_stop();
        }
        for (id, h) in handles {
            let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
            if !h.stop(remaining.max(Duration::from_millis(1))).await {
                crate::logging::task_span(&id).in_scope(|| {
                    tracing::error!("Graceful stop of task {id} failed: it did not finish in time")
                });
            }
            self.metrics.remove_task(&id);
        }
    }

    /// The class and version attributes of a task's `connector-task-metrics`.
    fn plugin_attributes(
        &self,
        factory: &PluginFactory,
        connector: &Props,
    ) -> Vec<(&'static str, String)> {
        let version_of = |class: &str, kinds: &[PluginKind]| {
            self.registry
                .find(class, kinds)
                .map_or_else(|_| "unknown".to_owned(), |d| d.version.clone())
        };
        let connector_class = connector
            .get(crate::config::connector_config::CONNECTOR_CLASS_CONFIG)
            .map(|c| c.trim())
            .unwrap_or_default();
        let connector_desc = self
            .registry
            .find(connector_class, &[PluginKind::Source, PluginKind::Sink])
            .ok();
        let (kind, task_class) = match factory {
            PluginFactory::Source { task_class, .. } => ("source", *task_class),
            PluginFactory::Sink { task_class, .. } => ("sink", *task_class),
            _ => ("unknown", ""),
        };
        let version = connector_desc.map_or_else(|| "unknown".to_owned(), |d| d.version.clone());
        let [key, value, header] = self.converter_classes(connector);
        vec![
            (
                "connector-class",
                connector_desc.map_or_else(|| connector_class.to_owned(), |d| d.class_name.clone()),
            ),
            ("connector-type", kind.to_owned()),
            ("connector-version", version.clone()),
            ("task-class", task_class.to_owned()),
            // A connector's task comes from the same crate, so it has the connector's version.
            ("task-version", version),
            (
                "key-converter-version",
                version_of(&key, &[PluginKind::Converter]),
            ),
            ("key-converter-class", key),
            (
                "value-converter-version",
                version_of(&value, &[PluginKind::Converter]),
            ),
            ("value-converter-class", value),
            (
                "header-converter-version",
                version_of(&header, &[PluginKind::HeaderConverter]),
            ),
            ("header-converter-class", header),
        ]
    }

    /// The full class names of a connector's key, value and header converters (its own or
    /// the worker's), as error reports name them.
    pub fn converter_classes(&self, connector: &Props) -> [String; 3] {
        let class = |role: &str, worker_class: &str, kind: PluginKind| {
            let named = connector
                .get(&format!("{role}.converter"))
                .map_or(worker_class, |c| c.trim());
            self.registry
                .find(named, &[kind])
                .map_or_else(|_| named.to_owned(), |d| d.class_name.to_owned())
        };
        [
            class("key", &self.config.key_converter, PluginKind::Converter),
            class("value", &self.config.value_converter, PluginKind::Converter),
            class(
                "header",
                &self.config.header_converter,
                PluginKind::HeaderConverter,
            ),
        ]
    }

    /// The converters for a connector's tasks: the connector's own `key.converter` (with only
    /// its `key.converter.*` properties) when it sets one, else the worker's (with only the
    /// worker's properties) — never a mix, as in Apache.
    pub fn converters(&self, connector: &Props) -> Result<Converters> {
        let pick = |role: &str, worker_class: &str| -> (String, HashMap<String, String>) {
            let key = format!("{role}.converter");
            match connector.get(&key) {
                Some(class) => (
                    class.trim().to_owned(),
                    with_prefix(connector, &format!("{key}.")),
                ),
                None => (
                    worker_class.to_owned(),
                    self.config.originals_with_prefix(&format!("{key}.")),
                ),
            }
        };
        let (class, props) = pick("key", &self.config.key_converter);
        let key = self
            .registry
            .new_converter("key.converter", &class, &props, true)?;
        let (class, props) = pick("value", &self.config.value_converter);
        let value = self
            .registry
            .new_converter("value.converter", &class, &props, false)?;
        let (class, props) = pick("header", &self.config.header_converter);
        let header = self
            .registry
            .new_header_converter("header.converter", &class, &props)?;
        Ok((key, value, header))
    }

    /// Starts one task of a connector on its own thread.
    pub fn start_task(
        &self,
        id: TaskId,
        factory: &PluginFactory,
        connector_props: &Props,
        task_props: Props,
        status: Arc<dyn TaskStatusListener>,
        initial: TargetState,
    ) -> Result<()> {
        let _context = crate::logging::task_span(&id).entered();
        let started = self.build_and_spawn_task(
            id.clone(),
            factory,
            connector_props,
            task_props,
            status,
            initial,
        );
        self.metrics.task_started(if started.is_ok() {
            Startup::Success
        } else {
            self.metrics.remove_task(&id);
            Startup::Failure
        });
        started
    }

    fn build_and_spawn_task(
        &self,
        id: TaskId,
        factory: &PluginFactory,
        connector_props: &Props,
        task_props: Props,
        status: Arc<dyn TaskStatusListener>,
        initial: TargetState,
    ) -> Result<()> {
        if lock(&self.tasks).contains_key(&id) {
            return Err(ConnectError::other(format!(
                "Task already exists in this worker: {id}"
            )));
        }
        let resolved = self.config.providers.transform(connector_props)?;
        let connector_props = &resolved;
        let task_props = self.config.providers.transform(&task_props)?;
        let connector_config = ConnectorConfig::parse(connector_props).map_err(|errs| {
            errs.into_iter()
                .next()
                .map(ConnectError::Config)
                .unwrap_or_else(|| ConnectError::other("invalid connector configuration"))
        })?;
        let (key_converter, value_converter, header_converter) =
            self.converters(connector_props)?;
        let cancel = CancellationToken::new();
        let abandoned = CancellationToken::new();
        let kind = match factory {
            PluginFactory::Sink { .. } => TaskKind::Sink,
            _ => TaskKind::Source,
        };
        let metrics =
            self.metrics
                .register_task(&id, kind, self.plugin_attributes(factory, connector_props));
        let errors = ErrorHandler::new(id.to_string(), &connector_config)
            .with_stop(cancel.clone())
            .with_metrics(metrics.errors.clone());
        let (target_tx, target_rx) = watch::channel(initial);
        let (panic_status, panic_id) = (status.clone(), id.clone());
        let flush_interval = Duration::from_millis(self.config.offset_flush_interval_ms);
        let flush_timeout = Duration::from_millis(self.config.offset_flush_timeout_ms);
        let future: std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> = match factory
        {
            PluginFactory::Source { task, .. } => {
                let producer =
                    producer_props(&self.config, connector_props, &id.connector, id.task)?;
                let admin = admin_props(
                    &self.config,
                    connector_props,
                    &format!("connector-adminclient-{}-{}", id.connector, id.task),
                )?;
                let topic_creation = topic_creation::TopicCreation::from_config(
                    self.config.topic_creation_enable,
                    connector_props,
                    admin,
                )?;
                let dead_letter_queue = dead_letter_queue::DeadLetterQueue::from_config(
                    &self.config,
                    connector_props,
                    &id,
                    metrics.errors.clone(),
                )?
                .map(Arc::new);
                let setup = source_task::SourceTaskSetup {
                    id: id.clone(),
                    task: task(),
                    props: task_props,
                    chain: TransformationChain::from_config(connector_props, &self.registry)?,
                    key_converter,
                    value_converter,
                    header_converter,
                    producer_config: source_task::producer_client_config(&producer),
                    offset_store: self.offset_store.clone(),
                    topic_creation,
                    errors,
                    tolerance: connector_config.tolerance,
                    dead_letter_queue,
                    offset_flush_interval: flush_interval,
                    offset_flush_timeout: flush_timeout,
                    status,
                    metrics,
                    cancel: cancel.clone(),
                    abandoned: abandoned.clone(),
                    target: target_rx,
                };
                Box::pin(source_task::run(setup))
            }
            PluginFactory::Sink {
                task, task_class, ..
            } => {
                let consumer =
                    consumer_props(&self.config, connector_props, &id.connector, id.task)?;
                let dead_letter_queue = dead_letter_queue::DeadLetterQueue::from_config(
                    &self.config,
                    connector_props,
                    &id,
                    metrics.errors.clone(),
                )?
                .map(Arc::new);
                let errant_records = errant_records::ErrantRecords::new(
                    id.clone(),
                    task_class,
                    connector_config.tolerance
                        == crate::config::connector_config::ToleranceType::All,
                    connector_config.errors_log_enable,
                    dead_letter_queue.clone(),
                    self.converters(connector_props)?,
                )
                .map(Arc::new);
                let topics = sink_topics(connector_props).map_err(ConnectError::Config)?;
                let setup = sink_task::SinkTaskSetup {
                    id: id.clone(),
                    task: task(),
                    props: task_props,
                    topics,
                    chain: TransformationChain::from_config(connector_props, &self.registry)?,
                    key_converter,
                    value_converter,
                    header_converter,
                    converter_classes: self.converter_classes(connector_props),
                    consumer_config: to_client_config(&consumer),
                    errors,
                    dead_letter_queue,
                    errant_records,
                    offset_flush_interval: flush_interval,
                    status,
                    metrics,
                    cancel: cancel.clone(),
                    abandoned: abandoned.clone(),
                    target: target_rx,
                };
                Box::pin(sink_task::run(setup))
            }
            other => {
                return Err(ConnectError::other(format!(
                    "{} is not a connector",
                    other.kind().name()
                )))
            }
        };
        let (done_tx, done_rx) = oneshot::channel();
        let thread_name = format!("task-{id}");
        let context = crate::logging::task_span(&id);
        std::thread::Builder::new()
            .name(thread_name)
            .spawn(move || {
                // Every line the task's thread logs carries `[connector|task-N]`.
                let _context = context.entered();
                // A panic in a plugin fails its task, never the worker.
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                        Ok(rt) => rt.block_on(future),
                        Err(e) => tracing::error!("could not start the task runtime: {e}"),
                    }
                }));
                if let Err(panic) = outcome {
                    let message = panic_message(&*panic);
                    let trace = format!(
                        "org.apache.kafka.connect.errors.ConnectException: task {panic_id} panicked: {message}"
                    );
                    tracing::error!("{trace}");
                    panic_status.on_task_state(&panic_id, State::Failed, Some(trace));
                }
                let _ = done_tx.send(());
            })
            .map_err(|e| ConnectError::other_with("could not start task thread", e))?;
        lock(&self.tasks).insert(
            id,
            TaskHandle {
                cancel,
                abandoned,
                target: target_tx,
                done: done_rx,
            },
        );
        Ok(())
    }
}
