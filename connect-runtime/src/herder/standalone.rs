//! The standalone herder (Apache's `StandaloneHerder`): connectors from the command line and
//! the REST API, configurations and statuses in memory, every task in this process.
//!
//! The herder decides what runs; the [`Worker`] runs it. Requests for one connector are
//! applied one at a time (a per-connector lock), while reads never wait for a connector's
//! plugin code: a connector slow to start delays only requests that change that connector.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use async_trait::async_trait;
use connect_api::connector::Props;
use connect_api::plugin::{PluginFactory, PluginKind};
use tokio::sync::{mpsc, Notify, OwnedMutexGuard};

use super::active_topics::ActiveTopics;
use super::entities::*;
use super::self_healing::{Scope, SelfHealing};
use super::shared::{
    self, internal, not_found, Accepted, HerderConnectorContext, Request, TaskListener,
};
use super::validation::{self, NullableProps};
use super::{Herder, HerderError, HerderResult};
use crate::config::connector_config::{NAME_CONFIG, TOPICS_CONFIG};
use crate::storage::{
    ConfigBackingStore, ConnectorEntry, MemoryConfigBackingStore, MemoryStatusBackingStore,
    StatusBackingStore,
};
use crate::worker::{State, TargetState, TaskId, TaskStatusListener, Worker};
use connect_api::config::ConfigKeyInfo;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The standalone herder.
pub struct StandaloneHerder {
    worker: Arc<Worker>,
    configs: Arc<dyn ConfigBackingStore>,
    status: Arc<SelfHealing<dyn StatusBackingStore>>,
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
        let memory: Arc<dyn StatusBackingStore> = Arc::new(MemoryStatusBackingStore::default());
        let status = SelfHealing::new(
            memory,
            worker.config.auto_restart.clone(),
            worker.worker_id.clone(),
        );
        let herder = Arc::new(StandaloneHerder {
            worker,
            configs: Arc::new(MemoryConfigBackingStore::default()),
            status,
            accepted: Mutex::new(HashMap::new()),
            locks: Mutex::new(HashMap::new()),
            requests: tx,
            cluster_id,
            topics: Arc::new(ActiveTopics::default()),
            ready: AtomicBool::new(false),
            started: Notify::new(),
        });
        let weak: Weak<StandaloneHerder> = Arc::downgrade(&herder);
        let healer: Weak<dyn Herder> = weak.clone();
        herder.status.attach(healer);
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
            Ok(reload) => {
                if let Some(ttl) = reload {
                    self.status.reload_after(name, ttl);
                }
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
        shared::require_stopped(name, &entry, self.worker.task_ids(name).len())?;
        Ok((entry.config, a.desc.factory))
    }

    fn state_info(&self, name: &str, entry: &ConnectorEntry, a: &Accepted) -> ConnectorStateInfo {
        shared::state_info(&*self.status, &self.worker.worker_id, name, entry, a)
    }
}

#[async_trait]
impl Herder for StandaloneHerder {
    async fn connectors(&self) -> Vec<String> {
        self.configs.snapshot().into_keys().collect()
    }

    async fn connector_info(&self, name: &str) -> HerderResult<ConnectorInfo> {
        let (entry, a) = self.known(name).ok_or_else(|| not_found(name))?;
        Ok(shared::info(name, &entry, &a))
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
        shared::restore_hidden(
            &mut config,
            self.configs.connector(name).map(|e| e.config).as_ref(),
        );
        let accepted = shared::validate(&self.worker, &config)?;
        let _guard = self.lock_connector(name).await;
        let exists = self.configs.connector(name).is_some();
        if exists && !allow_replace {
            return Err(HerderError::AlreadyExists(format!(
                "Connector {name} already exists"
            )));
        }
        if exists {
            self.status.forget(name, Scope::All);
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
        Ok((!exists, shared::info(name, &entry, &a)))
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
        Ok(shared::task_infos(name, &entry, &a))
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
        self.status.forget(name, Scope::Connector);
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
        self.status.forget(name, Scope::All);
        let mut plan = self.state_info(name, &entry, &a);
        let (restart_connector, tasks) = shared::restart_plan(
            &mut plan,
            current.state == State::Failed,
            include_tasks,
            only_failed,
        );
        let tasks_to_restart: Vec<TaskId> =
            tasks.into_iter().map(|t| TaskId::new(name, t)).collect();
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
        self.status.forget(name, Scope::Task(task));
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
        let current = self
            .configs
            .connector(name)
            .ok_or_else(|| not_found(name))?
            .config;
        let (_, info) = self
            .put_connector_config(name, shared::patched(current, patch), true, None)
            .await?;
        Ok(info)
    }

    fn connector_plugin_config(&self, plugin: &str) -> HerderResult<Vec<ConfigKeyInfo>> {
        shared::connector_plugin_config(&self.worker.registry, plugin)
    }

    async fn connector_offsets(&self, name: &str) -> HerderResult<ConnectorOffsets> {
        let (entry, a) = self.known(name).ok_or_else(|| not_found(name))?;
        shared::connector_offsets(&self.worker, name, &entry.config, &a).await
    }

    async fn alter_connector_offsets(
        &self,
        name: &str,
        offsets: Vec<ConnectorOffset>,
    ) -> HerderResult<Message> {
        let _guard = self.lock_connector(name).await;
        let (config, factory) = self.stopped_connector(name)?;
        shared::alter_offsets(&self.worker, name, &config, &factory, &offsets).await
    }

    async fn reset_connector_offsets(&self, name: &str) -> HerderResult<Message> {
        let _guard = self.lock_connector(name).await;
        let (config, factory) = self.stopped_connector(name)?;
        shared::reset_offsets(&self.worker, name, &config, &factory).await
    }

    fn connector_active_topics(&self, name: &str) -> Vec<String> {
        self.topics.topics(name)
    }

    fn reset_connector_active_topics(&self, name: &str) {
        self.topics.reset(name);
    }

    fn topic_tracking(&self) -> (bool, bool) {
        shared::topic_tracking(&self.worker.config)
    }

    fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    async fn ready(&self) {
        shared::await_ready(&self.ready, &self.started, &self.requests).await;
    }

    fn plugins(&self, connectors_only: bool) -> Vec<PluginInfo> {
        shared::plugins(&self.worker.registry, connectors_only)
    }

    fn kafka_cluster_id(&self) -> String {
        self.cluster_id.clone()
    }

    fn metrics(&self) -> Arc<crate::metrics::ConnectMetrics> {
        self.worker.metrics.clone()
    }

    async fn stop(&self) {
        tracing::info!("Herder stopping");
        self.status.close();
        for name in self.configs.snapshot().into_keys() {
            let _guard = self.lock_connector(&name).await;
            self.stop_all(&name).await;
        }
        tracing::info!("Herder stopped");
    }
}
