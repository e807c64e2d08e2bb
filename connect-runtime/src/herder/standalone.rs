//! The standalone herder (Apache's `StandaloneHerder`): connectors from the command line and
//! the REST API, configurations and statuses in memory, every task in this process.
//!
//! The herder decides what runs; the [`Worker`] runs it. Requests for one connector are
//! applied one at a time (a per-connector lock), while reads never wait for a connector's
//! plugin code: a connector slow to start delays only requests that change that connector.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use async_trait::async_trait;
use connect_api::connector::{ConnectorContext, Props};
use connect_api::errors::ConnectError;
use connect_api::plugin::{PluginDesc, PluginFactory, PluginKind};
use tokio::sync::{mpsc, oneshot, Notify, OwnedMutexGuard};

use super::active_topics::ActiveTopics;
use super::entities::*;
use super::validation::{self, NullableProps};
use super::{offsets, Herder, HerderError, HerderResult};
use crate::config::connector_config::{NAME_CONFIG, TOPICS_CONFIG};
use crate::storage::{
    ConfigBackingStore, ConnectorEntry, MemoryConfigBackingStore, MemoryStatusBackingStore,
    StatusBackingStore,
};
use crate::worker::{State, TargetState, TaskId, TaskStatusListener, Worker};
use connect_api::config::ConfigKeyInfo;

/// What the herder derived from a connector's configuration when it accepted it.
#[derive(Clone)]
struct Accepted {
    desc: PluginDesc,
    /// Keys whose values are secrets, hidden in responses.
    secret_keys: HashSet<String>,
}

enum Request {
    Reconfigure(String),
    Fail(String, ConnectError),
    /// Answered when every request before it was handled (the health check).
    Ping(oneshot::Sender<()>),
}

/// The herder's side of a connector's context.
struct HerderConnectorContext {
    name: String,
    requests: mpsc::UnboundedSender<Request>,
}

impl ConnectorContext for HerderConnectorContext {
    fn request_task_reconfiguration(&self) {
        let _ = self.requests.send(Request::Reconfigure(self.name.clone()));
    }
    fn raise_error(&self, error: ConnectError) {
        let _ = self.requests.send(Request::Fail(self.name.clone(), error));
    }
}

/// What tasks report to: their statuses and the topics they use.
struct TaskListener {
    status: Arc<dyn StatusBackingStore>,
    topics: Arc<ActiveTopics>,
}

impl TaskStatusListener for TaskListener {
    fn on_task_state(&self, id: &TaskId, state: State, trace: Option<String>) {
        self.status.on_task_state(id, state, trace);
    }

    fn on_topic_used(&self, id: &TaskId, topic: &str) {
        self.topics.record(&id.connector, topic);
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn internal(e: ConnectError) -> HerderError {
    HerderError::Internal(e.to_string())
}

/// The standalone herder.
pub struct StandaloneHerder {
    worker: Arc<Worker>,
    configs: Arc<dyn ConfigBackingStore>,
    status: Arc<dyn StatusBackingStore>,
    accepted: Mutex<HashMap<String, Accepted>>,
    /// One lock per connector name, held while a request changes that connector.
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    requests: mpsc::UnboundedSender<Request>,
    cluster_id: String,
    topics: Arc<ActiveTopics>,
    ready: AtomicBool,
    started: Notify,
}

impl StandaloneHerder {
    /// A herder over a worker; `cluster_id` is reported by `GET /`. It serves requests, but
    /// reports itself starting (`/health` answers 503) until [`start`](Self::start).
    pub fn new(worker: Arc<Worker>, cluster_id: String) -> Arc<StandaloneHerder> {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let herder = Arc::new(StandaloneHerder {
            worker,
            configs: Arc::new(MemoryConfigBackingStore::default()),
            status: Arc::new(MemoryStatusBackingStore::default()),
            accepted: Mutex::new(HashMap::new()),
            locks: Mutex::new(HashMap::new()),
            requests: tx,
            cluster_id,
            topics: Arc::new(ActiveTopics::default()),
            ready: AtomicBool::new(false),
            started: Notify::new(),
        });
        let weak: Weak<StandaloneHerder> = Arc::downgrade(&herder);
        tokio::spawn(async move {
            while let Some(req) = rx.recv().await {
                let Some(h) = weak.upgrade() else { break };
                match req {
                    Request::Reconfigure(name) => h.reconfigure(&name).await,
                    Request::Fail(name, e) => {
                        tracing::error!("Connector {name} raised an error: {}", e.trace());
                        h.status
                            .put_connector(&name, State::Failed, Some(e.trace()));
                    }
                    Request::Ping(reply) => {
                        let _ = reply.send(());
                    }
                }
            }
        });
        herder
    }

    /// Marks the herder started: from now on `/health` reports it healthy.
    pub fn start(&self) {
        self.ready.store(true, Ordering::Release);
        self.started.notify_waiters();
        tracing::info!("Herder started");
    }

    /// The worker's id, as shown in statuses.
    pub fn worker_id(&self) -> &str {
        &self.worker.worker_id
    }

    /// The active-topics store; the worker may record the topics it uses here.
    pub fn active_topics(&self) -> Arc<ActiveTopics> {
        self.topics.clone()
    }

    /// Waits for the right to change connector `name`.
    async fn lock_connector(&self, name: &str) -> OwnedMutexGuard<()> {
        let l = lock(&self.locks)
            .entry(name.to_owned())
            .or_default()
            .clone();
        l.lock_owned().await
    }

    /// A connector's stored entry and what was derived from it.
    fn known(&self, name: &str) -> Option<(ConnectorEntry, Accepted)> {
        let entry = self.configs.connector(name)?;
        let accepted = lock(&self.accepted).get(name).cloned()?;
        Some((entry, accepted))
    }

    /// Validates a configuration for create/update: Apache's ConfigInfos must have no error,
    /// then the transformation chain and converters must configure.
    fn validate(&self, config: &Props) -> HerderResult<(PluginDesc, HashSet<String>)> {
        let v = validation::validate_connector_config(&self.worker, &validation::nullable(config))?;
        if v.infos.error_count > 0 {
            return Err(HerderError::BadRequest(validation::invalid_config_message(
                &v.infos,
            )));
        }
        let registry = &self.worker.registry;
        let mut errors: Vec<String> = Vec::new();
        let chain = if v.desc.kind() == PluginKind::Sink {
            crate::worker::transformation_chain::TransformationChain::<
                connect_api::sink::SinkRecord,
            >::from_config(config, registry)
            .err()
        } else {
            crate::worker::transformation_chain::TransformationChain::<
                connect_api::source::SourceRecord,
            >::from_config(config, registry)
            .err()
        };
        if let Some(e) = chain {
            errors.push(e.to_string());
        }
        if let Err(e) = self.worker.converters(config) {
            errors.push(e.to_string());
        }
        if !errors.is_empty() {
            let mut msg = format!(
                "Connector configuration is invalid and contains the following {} error(s):\n",
                errors.len()
            );
            for e in &errors {
                msg.push_str(e);
                msg.push('\n');
            }
            msg.push_str("You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`");
            return Err(HerderError::BadRequest(msg));
        }
        Ok((v.desc, v.secret_keys))
    }

    fn info(&self, name: &str, entry: &ConnectorEntry, a: &Accepted) -> ConnectorInfo {
        ConnectorInfo {
            name: name.to_owned(),
            config: validation::redact(&entry.config, &a.secret_keys),
            tasks: (0..entry.task_configs.len())
                .map(|task| ConnectorTaskId {
                    connector: name.to_owned(),
                    task,
                })
                .collect(),
            kind: a.desc.kind().name().to_owned(),
        }
    }

    /// Starts the connector and, unless it is stopped, its tasks.
    async fn start_connector(&self, name: &str, entry: &ConnectorEntry, a: &Accepted) {
        if entry.target == TargetState::Stopped {
            self.status.put_connector(name, State::Stopped, None);
            return;
        }
        if !self.start_instance(name, entry, a).await {
            return;
        }
        if let Some(configs) = self.generate_task_configs(name, &entry.config, a).await {
            self.replace_tasks(name, &entry.config, entry.target, a, configs)
                .await;
        }
    }

    /// Has the worker start the connector itself; on failure it is marked FAILED.
    async fn start_instance(&self, name: &str, entry: &ConnectorEntry, a: &Accepted) -> bool {
        let context = Arc::new(HerderConnectorContext {
            name: name.to_owned(),
            requests: self.requests.clone(),
        });
        match self
            .worker
            .start_connector(name, &a.desc.factory, entry.config.clone(), context)
            .await
        {
            Ok(()) => {
                let state = if entry.target == TargetState::Paused {
                    State::Paused
                } else {
                    State::Running
                };
                self.status.put_connector(name, state, None);
                true
            }
            Err(e) => {
                tracing::error!("Connector {name} failed to start: {}", e.trace());
                self.status
                    .put_connector(name, State::Failed, Some(e.trace()));
                false
            }
        }
    }

    /// The connector's task configurations now; on failure it is marked FAILED.
    async fn generate_task_configs(
        &self,
        name: &str,
        config: &Props,
        a: &Accepted,
    ) -> Option<Vec<Props>> {
        match self
            .worker
            .connector_task_configs(name, &a.desc, config)
            .await
        {
            Ok(configs) => Some(configs),
            Err(e) => {
                tracing::error!(
                    "Connector {name} failed to generate task configurations: {}",
                    e.trace()
                );
                self.status
                    .put_connector(name, State::Failed, Some(e.trace()));
                None
            }
        }
    }

    /// Stores `configs` as the connector's tasks and starts them, after stopping any it runs.
    async fn replace_tasks(
        &self,
        name: &str,
        config: &Props,
        target: TargetState,
        a: &Accepted,
        configs: Vec<Props>,
    ) {
        self.worker
            .stop_and_await_tasks(&self.worker.task_ids(name))
            .await;
        if let Err(e) = self.configs.put_task_configs(name, configs.clone()).await {
            tracing::error!("Could not store the task configurations of {name}: {e}");
            self.status
                .put_connector(name, State::Failed, Some(e.trace()));
            return;
        }
        self.status.clear_tasks(name);
        if a.desc.kind() == PluginKind::Sink && !configs.is_empty() {
            if let Some(topics) = config.get(TOPICS_CONFIG) {
                for t in crate::config::connector_config::parse_list(topics) {
                    if !t.is_empty() {
                        self.topics.record(name, &t);
                    }
                }
            }
        }
        for (i, props) in configs.into_iter().enumerate() {
            self.start_task(name, i, props, config, target, a);
        }
    }

    fn start_task(
        &self,
        name: &str,
        i: usize,
        props: Props,
        config: &Props,
        target: TargetState,
        a: &Accepted,
    ) {
        let id = TaskId::new(name, i);
        self.status.put_task(&id, State::Unassigned, None);
        let listener: Arc<dyn TaskStatusListener> = Arc::new(TaskListener {
            status: self.status.clone(),
            topics: self.topics.clone(),
        });
        if let Err(e) =
            self.worker
                .start_task(id.clone(), &a.desc.factory, config, props, listener, target)
        {
            tracing::error!("Failed to start task {id}: {}", e.trace());
            self.status.put_task(&id, State::Failed, Some(e.trace()));
        }
    }

    /// Stops the connector's tasks, then the connector.
    async fn stop_all(&self, name: &str) {
        self.worker
            .stop_and_await_tasks(&self.worker.task_ids(name))
            .await;
        self.worker.stop_and_await_connector(name).await;
    }

    /// Restarts only the connector (Apache's plain restart); its tasks are restarted only if
    /// the new instance generates different task configurations.
    async fn restart_instance(&self, name: &str, entry: &ConnectorEntry, a: &Accepted) {
        if entry.target == TargetState::Stopped {
            return;
        }
        self.worker.stop_and_await_connector(name).await;
        self.status.put_connector(name, State::Restarting, None);
        if !self.start_instance(name, entry, a).await {
            return;
        }
        if let Some(configs) = self.generate_task_configs(name, &entry.config, a).await {
            if configs != entry.task_configs || self.worker.task_ids(name).len() != configs.len() {
                self.replace_tasks(name, &entry.config, entry.target, a, configs)
                    .await;
            }
        }
    }

    /// A connector asked for its tasks to be reconfigured: new task configurations replace
    /// the running tasks if they differ.
    async fn reconfigure(&self, name: &str) {
        let _guard = self.lock_connector(name).await;
        let Some((entry, a)) = self.known(name) else {
            return;
        };
        if entry.target == TargetState::Stopped || !self.worker.is_connector_running(name) {
            tracing::info!("Skipping update of connector {name} since it is not running");
            return;
        }
        if let Some(configs) = self.generate_task_configs(name, &entry.config, &a).await {
            if configs != entry.task_configs {
                tracing::info!("Reconfiguring tasks of connector {name}");
                self.replace_tasks(name, &entry.config, entry.target, &a, configs)
                    .await;
            }
        }
    }

    /// A connector's config and factory, if it is STOPPED with no tasks (the precondition of
    /// altering or resetting offsets).
    fn stopped_connector(&self, name: &str) -> HerderResult<(Props, PluginFactory)> {
        let (entry, a) = self.known(name).ok_or_else(|| not_found(name))?;
        if entry.target != TargetState::Stopped
            || !self.worker.task_ids(name).is_empty()
            || !entry.task_configs.is_empty()
        {
            return Err(HerderError::BadRequest(format!(
                "Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/{name}/stop' endpoint"
            )));
        }
        Ok((entry.config, a.desc.factory))
    }

    fn state_info(&self, name: &str, entry: &ConnectorEntry, a: &Accepted) -> ConnectorStateInfo {
        let worker_id = self.worker.worker_id.clone();
        let status = self.status.connector(name);
        let tasks = if entry.target == TargetState::Stopped {
            Vec::new()
        } else {
            self.status
                .tasks(name)
                .into_iter()
                .map(|(id, s)| TaskState {
                    id,
                    state: s.state.name().to_owned(),
                    worker_id: s.worker_id.unwrap_or_else(|| worker_id.clone()),
                    trace: s.trace,
                    version: Some(a.desc.version.clone()),
                })
                .collect()
        };
        ConnectorStateInfo {
            name: name.to_owned(),
            connector: ConnectorState {
                state: status
                    .as_ref()
                    .map_or("UNASSIGNED", |s| s.state.name())
                    .to_owned(),
                worker_id: status
                    .as_ref()
                    .and_then(|s| s.worker_id.clone())
                    .unwrap_or(worker_id),
                trace: status.and_then(|s| s.trace),
                version: Some(a.desc.version.clone()),
            },
            tasks,
            kind: a.desc.kind().name().to_owned(),
        }
    }
}

fn offsets_message(acknowledged: bool, verb: &str) -> Message {
    let message = if acknowledged {
        format!("The offsets for this connector have been {verb} successfully")
    } else {
        format!("The Connect framework-managed offsets for this connector have been {verb} successfully. However, if this connector manages offsets externally, they will need to be manually {verb} in the system that the connector uses.")
    };
    Message { message }
}

fn refused(name: &str, verb: &str, e: &ConnectError) -> HerderError {
    HerderError::BadRequest(format!(
        "Failed to {verb} offsets for connector {name} because it threw an exception: {e}"
    ))
}

fn store_failed(name: &str, verb: &str, e: &ConnectError) -> HerderError {
    HerderError::Internal(format!(
        "Failed to {verb} offsets for source connector {name}: {e}"
    ))
}

fn not_found(name: &str) -> HerderError {
    HerderError::NotFound(format!("Connector {name} not found"))
}

#[async_trait]
impl Herder for StandaloneHerder {
    async fn connectors(&self) -> Vec<String> {
        self.configs.snapshot().into_keys().collect()
    }

    async fn connector_info(&self, name: &str) -> HerderResult<ConnectorInfo> {
        let (entry, a) = self.known(name).ok_or_else(|| not_found(name))?;
        Ok(self.info(name, &entry, &a))
    }

    async fn connector_config(&self, name: &str) -> HerderResult<HashMap<String, String>> {
        let (entry, a) = self.known(name).ok_or_else(|| not_found(name))?;
        Ok(validation::redact(&entry.config, &a.secret_keys))
    }

    async fn put_connector_config(
        &self,
        name: &str,
        mut config: HashMap<String, String>,
        allow_replace: bool,
        initial_state: Option<TargetState>,
    ) -> HerderResult<(bool, ConnectorInfo)> {
        config
            .entry(NAME_CONFIG.to_owned())
            .or_insert_with(|| name.to_owned());
        // A secret shown as `[hidden]` by GET and sent back unchanged keeps its stored value.
        if let Some(existing) = self.configs.connector(name) {
            for (k, v) in config.iter_mut() {
                if v == validation::HIDDEN {
                    if let Some(old) = existing.config.get(k) {
                        v.clone_from(old);
                    }
                }
            }
        }
        let (desc, secret_keys) = self.validate(&config)?;
        let accepted = Accepted { desc, secret_keys };
        let _guard = self.lock_connector(name).await;
        let exists = self.configs.connector(name).is_some();
        if exists && !allow_replace {
            return Err(HerderError::AlreadyExists(format!(
                "Connector {name} already exists"
            )));
        }
        if exists {
            self.stop_all(name).await;
            self.configs
                .put_task_configs(name, Vec::new())
                .await
                .map_err(internal)?;
        }
        self.configs
            .put_connector_config(name, config, if exists { None } else { initial_state })
            .await
            .map_err(internal)?;
        lock(&self.accepted).insert(name.to_owned(), accepted.clone());
        if !exists {
            self.status.put_connector(name, State::Unassigned, None);
        }
        let entry = self
            .configs
            .connector(name)
            .ok_or_else(|| not_found(name))?;
        self.start_connector(name, &entry, &accepted).await;
        if !exists {
            tracing::info!("Created connector {name}");
        }
        let (entry, a) = self.known(name).ok_or_else(|| not_found(name))?;
        Ok((!exists, self.info(name, &entry, &a)))
    }

    async fn delete_connector(&self, name: &str) -> HerderResult<()> {
        let _guard = self.lock_connector(name).await;
        if self.configs.connector(name).is_none() {
            return Err(not_found(name));
        }
        self.stop_all(name).await;
        self.configs
            .remove_connector_config(name)
            .await
            .map_err(internal)?;
        lock(&self.accepted).remove(name);
        self.status.remove(name);
        self.topics.reset(name);
        tracing::info!("Removed connector {name}");
        Ok(())
    }

    async fn connector_status(&self, name: &str) -> HerderResult<ConnectorStateInfo> {
        let (entry, a) = self.known(name).ok_or_else(|| {
            HerderError::NotFound(format!("No status found for connector {name}"))
        })?;
        Ok(self.state_info(name, &entry, &a))
    }

    async fn task_status(&self, name: &str, task: usize) -> HerderResult<TaskState> {
        let id = TaskId::new(name, task);
        let s = self
            .status
            .task(&id)
            .ok_or_else(|| HerderError::NotFound(format!("No status found for task {id}")))?;
        let version = lock(&self.accepted)
            .get(name)
            .map(|a| a.desc.version.clone());
        Ok(TaskState {
            id: task,
            state: s.state.name().to_owned(),
            worker_id: self.worker.worker_id.clone(),
            trace: s.trace,
            version,
        })
    }

    async fn tasks(&self, name: &str) -> HerderResult<Vec<TaskInfo>> {
        let (entry, a) = self.known(name).ok_or_else(|| not_found(name))?;
        Ok(entry
            .task_configs
            .iter()
            .enumerate()
            .map(|(task, config)| TaskInfo {
                id: ConnectorTaskId {
                    connector: name.to_owned(),
                    task,
                },
                config: validation::redact(config, &a.secret_keys),
            })
            .collect())
    }

    async fn pause_connector(&self, name: &str) -> HerderResult<()> {
        let _guard = self.lock_connector(name).await;
        let entry = self
            .configs
            .connector(name)
            .ok_or_else(|| HerderError::NotFound(format!("Unknown connector {name}")))?;
        if entry.target == TargetState::Stopped {
            return Ok(());
        }
        self.configs
            .put_target_state(name, TargetState::Paused)
            .await
            .map_err(internal)?;
        self.worker.set_target_state(name, TargetState::Paused);
        self.status.put_connector(name, State::Paused, None);
        Ok(())
    }

    async fn resume_connector(&self, name: &str) -> HerderResult<()> {
        let _guard = self.lock_connector(name).await;
        let (entry, a) = self
            .known(name)
            .ok_or_else(|| HerderError::NotFound(format!("Unknown connector {name}")))?;
        self.configs
            .put_target_state(name, TargetState::Started)
            .await
            .map_err(internal)?;
        if entry.target == TargetState::Stopped {
            let entry = ConnectorEntry {
                target: TargetState::Started,
                ..entry
            };
            self.start_connector(name, &entry, &a).await;
        } else {
            self.worker.set_target_state(name, TargetState::Started);
            self.status.put_connector(name, State::Running, None);
        }
        Ok(())
    }

    async fn stop_connector(&self, name: &str) -> HerderResult<()> {
        let _guard = self.lock_connector(name).await;
        if self.configs.connector(name).is_none() {
            return Err(HerderError::NotFound(format!("Unknown connector {name}")));
        }
        self.stop_all(name).await;
        self.configs
            .put_task_configs(name, Vec::new())
            .await
            .map_err(internal)?;
        self.configs
            .put_target_state(name, TargetState::Stopped)
            .await
            .map_err(internal)?;
        self.status.clear_tasks(name);
        self.status.put_connector(name, State::Stopped, None);
        Ok(())
    }

    async fn restart_connector(
        &self,
        name: &str,
        include_tasks: bool,
        only_failed: bool,
    ) -> HerderResult<()> {
        if include_tasks || only_failed {
            return self
                .restart_connector_and_tasks(name, include_tasks, only_failed)
                .await
                .map(|_| ());
        }
        let _guard = self.lock_connector(name).await;
        let (entry, a) = self.known(name).ok_or_else(|| not_found(name))?;
        self.restart_instance(name, &entry, &a).await;
        Ok(())
    }

    async fn restart_connector_and_tasks(
        &self,
        name: &str,
        include_tasks: bool,
        only_failed: bool,
    ) -> HerderResult<ConnectorStateInfo> {
        let _guard = self.lock_connector(name).await;
        let (entry, a) = self
            .known(name)
            .ok_or_else(|| HerderError::NotFound(format!("Unknown connector: {name}")))?;
        let current = self.status.connector(name).ok_or_else(|| {
            HerderError::NotFound(format!("Status for connector {name} not found"))
        })?;
        // The plan, as Apache's RestartPlan computes it.
        let mut plan = self.state_info(name, &entry, &a);
        let restart_connector = !only_failed || current.state == State::Failed;
        if restart_connector {
            plan.connector.state = State::Restarting.name().to_owned();
            plan.connector.trace = None;
        }
        let mut tasks_to_restart: Vec<TaskId> = Vec::new();
        for t in &mut plan.tasks {
            if include_tasks && (!only_failed || t.state == State::Failed.name()) {
                t.state = State::Restarting.name().to_owned();
                t.trace = None;
                tasks_to_restart.push(TaskId::new(name, t.id));
            }
        }
        if restart_connector {
            self.restart_instance(name, &entry, &a).await;
        }
        // The connector's restart may have replaced its tasks.
        let Some((entry, a)) = self.known(name) else {
            return Ok(plan);
        };
        self.worker.stop_and_await_tasks(&tasks_to_restart).await;
        for id in tasks_to_restart {
            self.status.put_task(&id, State::Restarting, None);
            if let Some(props) = entry.task_configs.get(id.task).cloned() {
                self.start_task(name, id.task, props, &entry.config, entry.target, &a);
            }
        }
        Ok(plan)
    }

    async fn restart_task(&self, name: &str, task: usize) -> HerderResult<()> {
        let _guard = self.lock_connector(name).await;
        let (entry, a) = self.known(name).ok_or_else(|| not_found(name))?;
        let props = entry
            .task_configs
            .get(task)
            .cloned()
            .ok_or_else(|| HerderError::NotFound(format!("Task {name}-{task} not found")))?;
        self.worker
            .stop_and_await_tasks(&[TaskId::new(name, task)])
            .await;
        self.start_task(name, task, props, &entry.config, entry.target, &a);
        Ok(())
    }

    async fn validate_connector_config(&self, config: NullableProps) -> HerderResult<ConfigInfos> {
        validation::validate_connector_config(&self.worker, &config).map(|v| v.infos)
    }

    async fn patch_connector_config(
        &self,
        name: &str,
        patch: NullableProps,
    ) -> HerderResult<ConnectorInfo> {
        let mut merged = self
            .configs
            .connector(name)
            .ok_or_else(|| not_found(name))?
            .config;
        for (k, v) in patch {
            match v {
                Some(v) => {
                    merged.insert(k, v);
                }
                None => {
                    merged.remove(&k);
                }
            }
        }
        let (_, info) = self.put_connector_config(name, merged, true, None).await?;
        Ok(info)
    }

    fn connector_plugin_config(&self, plugin: &str) -> HerderResult<Vec<ConfigKeyInfo>> {
        let desc = self
            .worker
            .registry
            .find(
                plugin,
                &[
                    PluginKind::Sink,
                    PluginKind::Source,
                    PluginKind::Transformation,
                    PluginKind::Predicate,
                    PluginKind::Converter,
                    PluginKind::HeaderConverter,
                ],
            )
            .map_err(|_| HerderError::NotFound(format!("Unknown plugin {plugin}.")))?;
        Ok(validation::connector_plugin_config(
            &self.worker.registry,
            desc,
        ))
    }

    async fn connector_offsets(&self, name: &str) -> HerderResult<ConnectorOffsets> {
        let (entry, a) = self.known(name).ok_or_else(|| not_found(name))?;
        let offsets = if a.desc.kind() == PluginKind::Sink {
            offsets::sink_offsets(&self.worker, &entry.config, name).await?
        } else {
            offsets::source_offsets(&self.worker, name).await?
        };
        Ok(ConnectorOffsets {
            offsets: Some(offsets),
        })
    }

    async fn alter_connector_offsets(
        &self,
        name: &str,
        offsets: Vec<ConnectorOffset>,
    ) -> HerderResult<Message> {
        let _guard = self.lock_connector(name).await;
        let (config, factory) = self.stopped_connector(name)?;
        if offsets.is_empty() {
            return Err(HerderError::BadRequest(
                "Partitions / offsets need to be provided for an alter offsets request".to_owned(),
            ));
        }
        let acknowledged = match factory {
            PluginFactory::Source { connector, .. } => {
                let (entries, view) = offsets::source_entries(name, &offsets)?;
                let ack = connector()
                    .alter_offsets(&config, &view)
                    .await
                    .map_err(|e| refused(name, "alter", &e))?;
                self.worker
                    .offset_store
                    .set(entries)
                    .await
                    .map_err(|e| store_failed(name, "alter", &e))?;
                ack
            }
            PluginFactory::Sink { connector, .. } => {
                let parsed = offsets::sink_entries(&offsets)?;
                let ack = connector()
                    .alter_offsets(&config, &parsed)
                    .await
                    .map_err(|e| refused(name, "alter", &e))?;
                offsets::alter_sink_offsets(&self.worker, &config, name, &parsed).await?;
                ack
            }
            _ => return Err(not_found(name)),
        };
        Ok(offsets_message(acknowledged, "altered"))
    }

    async fn reset_connector_offsets(&self, name: &str) -> HerderResult<Message> {
        let _guard = self.lock_connector(name).await;
        let (config, factory) = self.stopped_connector(name)?;
        let acknowledged = match factory {
            PluginFactory::Source { connector, .. } => {
                let (entries, view) = offsets::source_reset_entries(&self.worker, name).await?;
                let ack = connector()
                    .alter_offsets(&config, &view)
                    .await
                    .map_err(|e| refused(name, "reset", &e))?;
                self.worker
                    .offset_store
                    .set(entries)
                    .await
                    .map_err(|e| store_failed(name, "reset", &e))?;
                ack
            }
            PluginFactory::Sink { connector, .. } => {
                let current = offsets::sink_offsets(&self.worker, &config, name).await?;
                let resets: Vec<ConnectorOffset> = current
                    .into_iter()
                    .map(|o| ConnectorOffset {
                        partition: o.partition,
                        offset: None,
                    })
                    .collect();
                let parsed = offsets::sink_entries(&resets)?;
                let ack = connector()
                    .alter_offsets(&config, &parsed)
                    .await
                    .map_err(|e| refused(name, "reset", &e))?;
                offsets::reset_sink_offsets(&self.worker, &config, name).await?;
                ack
            }
            _ => return Err(not_found(name)),
        };
        Ok(offsets_message(acknowledged, "reset"))
    }

    fn connector_active_topics(&self, name: &str) -> Vec<String> {
        self.topics.topics(name)
    }

    fn reset_connector_active_topics(&self, name: &str) {
        self.topics.reset(name);
    }

    fn topic_tracking(&self) -> (bool, bool) {
        let flag = |key: &str| {
            self.worker
                .config
                .originals
                .get(key)
                .is_none_or(|v| !v.trim().eq_ignore_ascii_case("false"))
        };
        (
            flag("topic.tracking.enable"),
            flag("topic.tracking.allow.reset"),
        )
    }

    fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    async fn ready(&self) {
        let started = self.started.notified();
        if !self.is_ready() {
            started.await;
        }
        // Requests the herder queued for itself are handled in order: an answer to this one
        // means its loop is not stuck.
        let (tx, rx) = oneshot::channel();
        if self.requests.send(Request::Ping(tx)).is_ok() {
            let _ = rx.await;
        }
    }

    fn plugins(&self, connectors_only: bool) -> Vec<PluginInfo> {
        let order = |k: PluginKind| match k {
            PluginKind::Sink => 0,
            PluginKind::Source => 1,
            PluginKind::Transformation => 2,
            PluginKind::Predicate => 3,
            PluginKind::Converter => 4,
            PluginKind::HeaderConverter => 5,
        };
        let mut plugins: Vec<&PluginDesc> = self
            .worker
            .registry
            .plugins()
            .iter()
            .filter(|p| !connectors_only || p.kind().is_connector())
            .collect();
        plugins.sort_by(|a, b| {
            order(a.kind())
                .cmp(&order(b.kind()))
                .then(a.class_name.cmp(&b.class_name))
                .then(a.version.cmp(&b.version))
        });
        plugins
            .into_iter()
            .map(|p| PluginInfo {
                class_name: p.class_name.clone(),
                kind: p.kind().name().to_owned(),
                version: p.version.clone(),
            })
            .collect()
    }

    fn kafka_cluster_id(&self) -> String {
        self.cluster_id.clone()
    }

    async fn stop(&self) {
        tracing::info!("Herder stopping");
        for name in self.configs.snapshot().into_keys() {
            let _guard = self.lock_connector(&name).await;
            self.stop_all(&name).await;
        }
        tracing::info!("Herder stopped");
    }
}
