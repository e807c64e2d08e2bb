//! The standalone herder (Apache's `StandaloneHerder`): connectors from the command line and
//! the REST API, configurations and statuses in memory, every task in this process.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Weak};
use std::time::Duration;

use async_trait::async_trait;
use connect_api::connector::{ConnectorContext, Props};
use connect_api::errors::ConnectError;
use connect_api::plugin::{PluginDesc, PluginFactory, PluginKind};
use connect_api::sink::SinkConnector;
use connect_api::source::{SourceConnector, SourceConnectorContext};
use connect_api::storage::OffsetStorageReader;
use tokio::sync::{mpsc, Mutex};

use super::active_topics::ActiveTopics;
use super::entities::*;
use super::status_store::StatusStore;
use super::validation::{self, NullableProps};
use super::{offsets, Herder, HerderError, HerderResult};
use crate::config::connector_config::{
    ConnectorConfig, NAME_CONFIG, TASK_CLASS_CONFIG, TOPICS_CONFIG, TOPICS_REGEX_CONFIG,
};
use crate::storage::ConnectorOffsetReader;
use crate::worker::{State, TargetState, TaskHandle, TaskId, TaskStatusListener, Worker};
use connect_api::config::ConfigKeyInfo;

enum ConnectorInstance {
    Source(Box<dyn SourceConnector>),
    Sink(Box<dyn SinkConnector>),
}

struct Connector {
    config: Props,
    desc: PluginDesc,
    instance: Option<ConnectorInstance>,
    target: TargetState,
    task_configs: Vec<Props>,
    tasks: BTreeMap<usize, TaskHandle>,
    /// Keys whose values are secrets, hidden in responses.
    secret_keys: HashSet<String>,
}

impl Connector {
    fn kind_name(&self) -> &'static str {
        self.desc.kind().name()
    }
}

enum Request {
    Reconfigure(String),
    Fail(String, ConnectError),
}

struct Context {
    name: String,
    requests: mpsc::UnboundedSender<Request>,
    reader: Arc<dyn OffsetStorageReader>,
}

impl ConnectorContext for Context {
    fn request_task_reconfiguration(&self) {
        let _ = self.requests.send(Request::Reconfigure(self.name.clone()));
    }
    fn raise_error(&self, error: ConnectError) {
        let _ = self.requests.send(Request::Fail(self.name.clone(), error));
    }
}

impl SourceConnectorContext for Context {
    fn offset_storage_reader(&self) -> Arc<dyn OffsetStorageReader> {
        self.reader.clone()
    }
}

/// What tasks report to: their statuses and the topics they use.
struct TaskListener {
    status: Arc<StatusStore>,
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

/// The standalone herder.
pub struct StandaloneHerder {
    worker: Arc<Worker>,
    status: Arc<StatusStore>,
    connectors: Mutex<BTreeMap<String, Connector>>,
    requests: mpsc::UnboundedSender<Request>,
    cluster_id: String,
    topics: Arc<ActiveTopics>,
}

impl StandaloneHerder {
    /// A herder over a worker; `cluster_id` is reported by `GET /`.
    pub fn new(worker: Arc<Worker>, cluster_id: String) -> Arc<StandaloneHerder> {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let herder = Arc::new(StandaloneHerder {
            worker,
            status: Arc::new(StatusStore::default()),
            connectors: Mutex::new(BTreeMap::new()),
            requests: tx,
            cluster_id,
            topics: Arc::new(ActiveTopics::default()),
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
                }
            }
        });
        herder
    }

    /// The worker's id, as shown in statuses.
    pub fn worker_id(&self) -> &str {
        &self.worker.worker_id
    }

    /// The active-topics store; the worker may record the topics it uses here.
    pub fn active_topics(&self) -> Arc<ActiveTopics> {
        self.topics.clone()
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

    fn info(&self, name: &str, c: &Connector) -> ConnectorInfo {
        ConnectorInfo {
            name: name.to_owned(),
            config: validation::redact(&c.config, &c.secret_keys),
            tasks: (0..c.task_configs.len())
                .map(|task| ConnectorTaskId {
                    connector: name.to_owned(),
                    task,
                })
                .collect(),
            kind: c.kind_name().to_owned(),
        }
    }

    /// Starts the connector instance and, unless stopped, its tasks.
    async fn start_connector(&self, name: &str, c: &mut Connector) {
        if c.target == TargetState::Stopped {
            self.status.put_connector(name, State::Stopped, None);
            return;
        }
        if let Some(configs) = self.start_instance(name, c).await {
            c.task_configs = configs;
            self.start_tasks(name, c);
        }
    }

    /// Restarts only the connector instance (Apache's plain restart); its tasks are restarted
    /// only if the new instance generates different task configurations.
    async fn restart_instance(&self, name: &str, c: &mut Connector) {
        if c.target == TargetState::Stopped {
            return;
        }
        let result = match c.instance.take() {
            Some(ConnectorInstance::Source(mut s)) => s.stop().await,
            Some(ConnectorInstance::Sink(mut s)) => s.stop().await,
            None => Ok(()),
        };
        if let Err(e) = result {
            tracing::error!("Error while stopping connector {name}: {e}");
        }
        self.status.put_connector(name, State::Restarting, None);
        if let Some(configs) = self.start_instance(name, c).await {
            if configs != c.task_configs || c.tasks.len() != configs.len() {
                self.stop_tasks(c).await;
                c.task_configs = configs;
                self.start_tasks(name, c);
            }
        }
    }

    /// Creates and starts the connector instance and asks it for task configurations; on
    /// failure the connector is marked FAILED and `None` is returned.
    async fn start_instance(&self, name: &str, c: &mut Connector) -> Option<Vec<Props>> {
        let ctx = Arc::new(Context {
            name: name.to_owned(),
            requests: self.requests.clone(),
            reader: Arc::new(ConnectorOffsetReader::new(
                name,
                self.worker.offset_store.clone(),
            )),
        });
        let max_tasks = ConnectorConfig::parse(&c.config)
            .map(|p| p.tasks_max)
            .unwrap_or(1);
        let (instance, task_configs) = match c.desc.factory {
            PluginFactory::Source {
                connector,
                task_class,
                ..
            } => {
                let mut conn = connector();
                conn.initialize(ctx);
                let r = match conn.start(c.config.clone()).await {
                    Ok(()) => conn.task_configs(max_tasks),
                    Err(e) => Err(e),
                };
                (ConnectorInstance::Source(conn), r.map(|t| (t, task_class)))
            }
            PluginFactory::Sink {
                connector,
                task_class,
                ..
            } => {
                let mut conn = connector();
                conn.initialize(ctx);
                let r = match conn.start(c.config.clone()).await {
                    Ok(()) => conn.task_configs(max_tasks),
                    Err(e) => Err(e),
                };
                (ConnectorInstance::Sink(conn), r.map(|t| (t, task_class)))
            }
            _ => return None,
        };
        c.instance = Some(instance);
        match task_configs {
            Ok((configs, task_class)) if configs.len() <= max_tasks => {
                let state = if c.target == TargetState::Paused {
                    State::Paused
                } else {
                    State::Running
                };
                self.status.put_connector(name, state, None);
                Some(
                    configs
                        .into_iter()
                        .map(|mut t| {
                            t.insert(TASK_CLASS_CONFIG.to_owned(), task_class.to_owned());
                            if c.desc.kind() == PluginKind::Sink {
                                for key in [TOPICS_CONFIG, TOPICS_REGEX_CONFIG] {
                                    if let Some(v) = c.config.get(key) {
                                        t.insert(key.to_owned(), v.clone());
                                    }
                                }
                            }
                            t
                        })
                        .collect(),
                )
            }
            Ok((configs, _)) => {
                let e = ConnectError::other(format!(
                    "The connector {name} has generated {} tasks, which is greater than {max_tasks}, the maximum number of tasks it is configured to create.",
                    configs.len()
                ));
                self.status
                    .put_connector(name, State::Failed, Some(e.trace()));
                None
            }
            Err(e) => {
                tracing::error!("Connector {name} failed to start: {}", e.trace());
                self.status
                    .put_connector(name, State::Failed, Some(e.trace()));
                None
            }
        }
    }

    fn start_tasks(&self, name: &str, c: &mut Connector) {
        self.status.clear_tasks(name);
        if c.desc.kind() == PluginKind::Sink && !c.task_configs.is_empty() {
            if let Some(topics) = c.config.get(TOPICS_CONFIG) {
                for t in crate::config::connector_config::parse_list(topics) {
                    if !t.is_empty() {
                        self.topics.record(name, &t);
                    }
                }
            }
        }
        let configs = c.task_configs.clone();
        for (i, props) in configs.into_iter().enumerate() {
            self.start_task(name, i, props, c);
        }
    }

    fn start_task(&self, name: &str, i: usize, props: Props, c: &mut Connector) {
        let id = TaskId::new(name, i);
        self.status.put_task(&id, State::Unassigned, None);
        let listener: Arc<dyn TaskStatusListener> = Arc::new(TaskListener {
            status: self.status.clone(),
            topics: self.topics.clone(),
        });
        match self.worker.start_task(
            id.clone(),
            &c.desc.factory,
            &c.config,
            props,
            listener,
            c.target,
        ) {
            Ok(handle) => {
                c.tasks.insert(i, handle);
            }
            Err(e) => {
                tracing::error!("Failed to start task {id}: {}", e.trace());
                self.status.put_task(&id, State::Failed, Some(e.trace()));
            }
        }
    }

    async fn stop_tasks(&self, c: &mut Connector) {
        let timeout = Duration::from_millis(self.worker.config.task_shutdown_graceful_timeout_ms);
        let deadline = tokio::time::Instant::now() + timeout;
        // All tasks share the graceful-shutdown budget, as in Apache.
        let handles: Vec<TaskHandle> = std::mem::take(&mut c.tasks).into_values().collect();
        // Every task starts stopping at once; then each is waited for within what is left.
        for h in &handles {
            h.request_stop();
        }
        for h in handles {
            let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
            if !h.stop(remaining.max(Duration::from_millis(1))).await {
                tracing::error!("Graceful stop of task failed: it did not finish in time");
            }
        }
    }

    async fn stop_connector_instance(&self, name: &str, c: &mut Connector) {
        self.stop_tasks(c).await;
        let result = match c.instance.take() {
            Some(ConnectorInstance::Source(mut s)) => s.stop().await,
            Some(ConnectorInstance::Sink(mut s)) => s.stop().await,
            None => Ok(()),
        };
        if let Err(e) = result {
            tracing::error!("Error while stopping connector {name}: {e}");
        }
    }

    async fn reconfigure(&self, name: &str) {
        let mut connectors = self.connectors.lock().await;
        if let Some(c) = connectors.get_mut(name) {
            if c.target == TargetState::Stopped {
                return;
            }
            let max_tasks = ConnectorConfig::parse(&c.config)
                .map(|p| p.tasks_max)
                .unwrap_or(1);
            let new_configs = match &c.instance {
                Some(ConnectorInstance::Source(s)) => s.task_configs(max_tasks),
                Some(ConnectorInstance::Sink(s)) => s.task_configs(max_tasks),
                None => return,
            };
            let task_class = match c.desc.factory {
                PluginFactory::Source { task_class, .. }
                | PluginFactory::Sink { task_class, .. } => task_class,
                _ => return,
            };
            match new_configs {
                Ok(configs) => {
                    let configs: Vec<Props> = configs
                        .into_iter()
                        .map(|mut t| {
                            t.insert(TASK_CLASS_CONFIG.to_owned(), task_class.to_owned());
                            t
                        })
                        .collect();
                    if configs != c.task_configs {
                        tracing::info!("Reconfiguring tasks of connector {name}");
                        self.stop_tasks(c).await;
                        c.task_configs = configs;
                        self.start_tasks(name, c);
                    }
                }
                Err(e) => self
                    .status
                    .put_connector(name, State::Failed, Some(e.trace())),
            }
        }
    }

    /// A connector's config and factory, if it is STOPPED with no tasks (the precondition of
    /// altering or resetting offsets).
    async fn stopped_connector(&self, name: &str) -> HerderResult<(Props, PluginFactory)> {
        let connectors = self.connectors.lock().await;
        let c = connectors.get(name).ok_or_else(|| not_found(name))?;
        if c.target != TargetState::Stopped || !c.tasks.is_empty() || !c.task_configs.is_empty() {
            return Err(HerderError::BadRequest(format!(
                "Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/{name}/stop' endpoint"
            )));
        }
        Ok((c.config.clone(), c.desc.factory))
    }

    fn state_info(&self, name: &str, c: &Connector) -> ConnectorStateInfo {
        let worker_id = self.worker.worker_id.clone();
        let status = self.status.connector(name);
        let tasks = if c.target == TargetState::Stopped {
            Vec::new()
        } else {
            self.status
                .tasks(name)
                .into_iter()
                .map(|(id, s)| TaskState {
                    id,
                    state: s.state.name().to_owned(),
                    worker_id: worker_id.clone(),
                    trace: s.trace,
                    version: Some(c.desc.version.clone()),
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
                worker_id,
                trace: status.and_then(|s| s.trace),
                version: Some(c.desc.version.clone()),
            },
            tasks,
            kind: c.kind_name().to_owned(),
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
        self.connectors.lock().await.keys().cloned().collect()
    }

    async fn connector_info(&self, name: &str) -> HerderResult<ConnectorInfo> {
        let connectors = self.connectors.lock().await;
        let c = connectors.get(name).ok_or_else(|| not_found(name))?;
        Ok(self.info(name, c))
    }

    async fn connector_config(&self, name: &str) -> HerderResult<HashMap<String, String>> {
        let connectors = self.connectors.lock().await;
        let c = connectors.get(name).ok_or_else(|| not_found(name))?;
        Ok(validation::redact(&c.config, &c.secret_keys))
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
        {
            let connectors = self.connectors.lock().await;
            if let Some(existing) = connectors.get(name) {
                for (k, v) in config.iter_mut() {
                    if v == validation::HIDDEN {
                        if let Some(old) = existing.config.get(k) {
                            v.clone_from(old);
                        }
                    }
                }
            }
        }
        let (desc, secret_keys) = self.validate(&config)?;
        let mut connectors = self.connectors.lock().await;
        let created = match connectors.get_mut(name) {
            Some(_) if !allow_replace => {
                return Err(HerderError::AlreadyExists(format!(
                    "Connector {name} already exists"
                )))
            }
            Some(existing) => {
                self.stop_connector_instance(name, existing).await;
                existing.config = config;
                existing.desc = desc;
                existing.secret_keys = secret_keys;
                existing.task_configs.clear();
                self.start_connector(name, existing).await;
                false
            }
            None => {
                let mut c = Connector {
                    config,
                    desc,
                    instance: None,
                    target: initial_state.unwrap_or(TargetState::Started),
                    task_configs: Vec::new(),
                    tasks: BTreeMap::new(),
                    secret_keys,
                };
                self.status.put_connector(name, State::Unassigned, None);
                self.start_connector(name, &mut c).await;
                connectors.insert(name.to_owned(), c);
                tracing::info!("Created connector {name}");
                true
            }
        };
        let c = connectors.get(name).ok_or_else(|| not_found(name))?;
        Ok((created, self.info(name, c)))
    }

    async fn delete_connector(&self, name: &str) -> HerderResult<()> {
        let mut connectors = self.connectors.lock().await;
        let mut c = connectors.remove(name).ok_or_else(|| not_found(name))?;
        self.stop_connector_instance(name, &mut c).await;
        self.status.remove(name);
        self.topics.reset(name);
        tracing::info!("Removed connector {name}");
        Ok(())
    }

    async fn connector_status(&self, name: &str) -> HerderResult<ConnectorStateInfo> {
        let connectors = self.connectors.lock().await;
        let c = connectors.get(name).ok_or_else(|| {
            HerderError::NotFound(format!("No status found for connector {name}"))
        })?;
        Ok(self.state_info(name, c))
    }

    async fn task_status(&self, name: &str, task: usize) -> HerderResult<TaskState> {
        let id = TaskId::new(name, task);
        let s = self
            .status
            .task(&id)
            .ok_or_else(|| HerderError::NotFound(format!("No status found for task {id}")))?;
        let version = self
            .connectors
            .lock()
            .await
            .get(name)
            .map(|c| c.desc.version.clone());
        Ok(TaskState {
            id: task,
            state: s.state.name().to_owned(),
            worker_id: self.worker.worker_id.clone(),
            trace: s.trace,
            version,
        })
    }

    async fn tasks(&self, name: &str) -> HerderResult<Vec<TaskInfo>> {
        let connectors = self.connectors.lock().await;
        let c = connectors.get(name).ok_or_else(|| not_found(name))?;
        Ok(c.task_configs
            .iter()
            .enumerate()
            .map(|(task, config)| TaskInfo {
                id: ConnectorTaskId {
                    connector: name.to_owned(),
                    task,
                },
                config: validation::redact(config, &c.secret_keys),
            })
            .collect())
    }

    async fn pause_connector(&self, name: &str) -> HerderResult<()> {
        let mut connectors = self.connectors.lock().await;
        let c = connectors
            .get_mut(name)
            .ok_or_else(|| HerderError::NotFound(format!("Unknown connector {name}")))?;
        if c.target == TargetState::Stopped {
            return Ok(());
        }
        c.target = TargetState::Paused;
        for t in c.tasks.values() {
            t.set_target(TargetState::Paused);
        }
        self.status.put_connector(name, State::Paused, None);
        Ok(())
    }

    async fn resume_connector(&self, name: &str) -> HerderResult<()> {
        let mut connectors = self.connectors.lock().await;
        let c = connectors
            .get_mut(name)
            .ok_or_else(|| HerderError::NotFound(format!("Unknown connector {name}")))?;
        let was_stopped = c.target == TargetState::Stopped;
        c.target = TargetState::Started;
        if was_stopped {
            self.start_connector(name, c).await;
        } else {
            for t in c.tasks.values() {
                t.set_target(TargetState::Started);
            }
            self.status.put_connector(name, State::Running, None);
        }
        Ok(())
    }

    async fn stop_connector(&self, name: &str) -> HerderResult<()> {
        let mut connectors = self.connectors.lock().await;
        let c = connectors
            .get_mut(name)
            .ok_or_else(|| HerderError::NotFound(format!("Unknown connector {name}")))?;
        self.stop_connector_instance(name, c).await;
        c.target = TargetState::Stopped;
        c.task_configs.clear();
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
        let mut connectors = self.connectors.lock().await;
        let c = connectors.get_mut(name).ok_or_else(|| not_found(name))?;
        self.restart_instance(name, c).await;
        Ok(())
    }

    async fn restart_connector_and_tasks(
        &self,
        name: &str,
        include_tasks: bool,
        only_failed: bool,
    ) -> HerderResult<ConnectorStateInfo> {
        let mut connectors = self.connectors.lock().await;
        let c = connectors
            .get_mut(name)
            .ok_or_else(|| HerderError::NotFound(format!("Unknown connector: {name}")))?;
        let current = self.status.connector(name).ok_or_else(|| {
            HerderError::NotFound(format!("Status for connector {name} not found"))
        })?;
        // The plan, as Apache's RestartPlan computes it.
        let mut plan = self.state_info(name, c);
        let restart_connector = !only_failed || current.state == State::Failed;
        if restart_connector {
            plan.connector.state = State::Restarting.name().to_owned();
            plan.connector.trace = None;
        }
        let mut tasks_to_restart: Vec<usize> = Vec::new();
        for t in &mut plan.tasks {
            if include_tasks && (!only_failed || t.state == State::Failed.name()) {
                t.state = State::Restarting.name().to_owned();
                t.trace = None;
                tasks_to_restart.push(t.id);
            }
        }
        if restart_connector {
            self.restart_instance(name, c).await;
        }
        let timeout = Duration::from_millis(self.worker.config.task_shutdown_graceful_timeout_ms);
        for i in tasks_to_restart {
            if let Some(h) = c.tasks.remove(&i) {
                h.stop(timeout).await;
            }
            self.status
                .put_task(&TaskId::new(name, i), State::Restarting, None);
            if let Some(props) = c.task_configs.get(i).cloned() {
                self.start_task(name, i, props, c);
            }
        }
        Ok(plan)
    }

    async fn restart_task(&self, name: &str, task: usize) -> HerderResult<()> {
        let mut connectors = self.connectors.lock().await;
        let c = connectors.get_mut(name).ok_or_else(|| not_found(name))?;
        let props = c
            .task_configs
            .get(task)
            .cloned()
            .ok_or_else(|| HerderError::NotFound(format!("Task {name}-{task} not found")))?;
        if let Some(h) = c.tasks.remove(&task) {
            h.stop(Duration::from_millis(
                self.worker.config.task_shutdown_graceful_timeout_ms,
            ))
            .await;
        }
        self.start_task(name, task, props, c);
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
        let merged = {
            let connectors = self.connectors.lock().await;
            let c = connectors.get(name).ok_or_else(|| not_found(name))?;
            let mut merged = c.config.clone();
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
            merged
        };
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
        let (config, kind) = {
            let connectors = self.connectors.lock().await;
            let c = connectors.get(name).ok_or_else(|| not_found(name))?;
            (c.config.clone(), c.desc.kind())
        };
        let offsets = if kind == PluginKind::Sink {
            offsets::sink_offsets(&self.worker, &config, name).await?
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
        let (config, factory) = self.stopped_connector(name).await?;
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
        let (config, factory) = self.stopped_connector(name).await?;
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

    async fn ready(&self) {
        let _ = self.connectors.lock().await;
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
        let mut connectors = self.connectors.lock().await;
        let names: Vec<String> = connectors.keys().cloned().collect();
        for name in names {
            if let Some(c) = connectors.get_mut(&name) {
                self.stop_connector_instance(&name, c).await;
            }
        }
        tracing::info!("Herder stopped");
    }
}
