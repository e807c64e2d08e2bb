//! What both herders do the same way: accepting a connector configuration, rendering
//! connectors and statuses for the REST API, listing plugins, and altering offsets.

use std::collections::HashSet;
use std::sync::Arc;

use connect_api::config::ConfigKeyInfo;
use connect_api::connector::Props;
use connect_api::errors::ConnectError;
use connect_api::plugin::{PluginDesc, PluginFactory, PluginKind, PluginRegistry};

use connect_api::connector::ConnectorContext;
use tokio::sync::{mpsc, oneshot};

use super::active_topics::ActiveTopics;
use super::entities::*;
use super::validation;
use super::{offsets, HerderError, HerderResult};
use crate::config::WorkerConfig;
use crate::storage::{ConnectorEntry, StatusBackingStore};
use crate::worker::{State, TargetState, TaskId, TaskStatusListener, Worker};

pub(crate) enum Request {
    Reconfigure(String),
    Fail(String, ConnectError),
    /// Answered when every request before it was handled (the health check).
    Ping(oneshot::Sender<()>),
}

/// The herder's side of a connector's context.
pub(crate) struct HerderConnectorContext {
    pub name: String,
    pub requests: mpsc::UnboundedSender<Request>,
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
pub(crate) struct TaskListener {
    pub status: Arc<dyn StatusBackingStore>,
    pub topics: Arc<ActiveTopics>,
}

impl TaskStatusListener for TaskListener {
    fn on_task_state(&self, id: &TaskId, state: State, trace: Option<String>) {
        self.status.on_task_state(id, state, trace);
    }

    fn on_topic_used(&self, id: &TaskId, topic: &str) {
        self.topics.record(&id.connector, topic);
        // A store shared by workers keeps its own set (a reset elsewhere empties it).
        self.status.put_topic(&id.connector, topic, id.task);
    }
}

/// What a herder derived from a connector's configuration when it accepted it.
#[derive(Clone)]
pub(crate) struct Accepted {
    pub desc: PluginDesc,
    /// Keys whose values are secrets, hidden in responses.
    pub secret_keys: HashSet<String>,
}

pub(crate) fn internal(e: ConnectError) -> HerderError {
    HerderError::Internal(e.to_string())
}

pub(crate) fn not_found(name: &str) -> HerderError {
    HerderError::NotFound(format!("Connector {name} not found"))
}

/// Validates a configuration for create/update: Apache's ConfigInfos must have no error,
/// then the transformation chain and converters must configure.
pub(crate) fn validate(worker: &Worker, config: &Props) -> HerderResult<Accepted> {
    let v = validation::validate_connector_config(worker, &validation::nullable(config))?;
    if v.infos.error_count > 0 {
        return Err(HerderError::BadRequest(validation::invalid_config_message(
            &v.infos,
        )));
    }
    let registry = &worker.registry;
    let mut errors: Vec<String> = Vec::new();
    let chain = if v.desc.kind() == PluginKind::Sink {
        connect_api::transforms::chain::TransformationChain::<connect_api::sink::SinkRecord>::from_config(config, registry).err()
    } else {
        connect_api::transforms::chain::TransformationChain::<
            connect_api::source::SourceRecord,
        >::from_config(config, registry)
        .err()
    };
    if let Some(e) = chain {
        errors.push(e.to_string());
    }
    if let Err(e) = worker.converters(config) {
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
    Ok(Accepted {
        desc: v.desc,
        secret_keys: v.secret_keys,
    })
}

/// What a stored configuration (possibly written by another worker) names: its plugin and
/// secret keys, even if it would no longer validate. `None`: no such plugin here.
pub(crate) fn recognise(worker: &Worker, config: &Props) -> Option<Accepted> {
    validation::validate_connector_config(worker, &validation::nullable(config))
        .ok()
        .map(|v| Accepted {
            desc: v.desc,
            secret_keys: v.secret_keys,
        })
}

/// A secret shown as `[hidden]` by GET and sent back unchanged keeps its stored value.
pub(crate) fn restore_hidden(config: &mut Props, existing: Option<&Props>) {
    let Some(existing) = existing else { return };
    for (k, v) in config.iter_mut() {
        if v == validation::HIDDEN {
            if let Some(old) = existing.get(k) {
                v.clone_from(old);
            }
        }
    }
}

/// `config` with `patch` merged in (`null` removes a key).
pub(crate) fn patched(mut config: Props, patch: validation::NullableProps) -> Props {
    for (k, v) in patch {
        match v {
            Some(v) => {
                config.insert(k, v);
            }
            None => {
                config.remove(&k);
            }
        }
    }
    config
}

/// A connector as `GET /connectors/{name}` shows it.
pub(crate) fn info(name: &str, entry: &ConnectorEntry, a: &Accepted) -> ConnectorInfo {
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

/// A connector's task configurations as `GET /connectors/{name}/tasks` shows them.
pub(crate) fn task_infos(name: &str, entry: &ConnectorEntry, a: &Accepted) -> Vec<TaskInfo> {
    entry
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
        .collect()
}

/// A connector's status as `GET /connectors/{name}/status` shows it; statuses without a
/// worker id were reported by `worker_id`.
pub(crate) fn state_info(
    status: &dyn StatusBackingStore,
    worker_id: &str,
    name: &str,
    entry: &ConnectorEntry,
    a: &Accepted,
) -> ConnectorStateInfo {
    let connector = status.connector(name);
    let tasks = if entry.target == TargetState::Stopped {
        Vec::new()
    } else {
        status
            .tasks(name)
            .into_iter()
            .filter(|(id, _)| *id < entry.task_configs.len())
            .map(|(id, s)| TaskState {
                id,
                state: s.state.name().to_owned(),
                worker_id: s.worker_id.unwrap_or_else(|| worker_id.to_owned()),
                trace: s.trace,
                version: Some(a.desc.version.clone()),
            })
            .collect()
    };
    ConnectorStateInfo {
        name: name.to_owned(),
        connector: ConnectorState {
            state: connector
                .as_ref()
                .map_or("UNASSIGNED", |s| s.state.name())
                .to_owned(),
            worker_id: connector
                .as_ref()
                .and_then(|s| s.worker_id.clone())
                .unwrap_or_else(|| worker_id.to_owned()),
            trace: connector.and_then(|s| s.trace),
            version: Some(a.desc.version.clone()),
        },
        tasks,
        kind: a.desc.kind().name().to_owned(),
    }
}

/// Marks in `plan` what a restart with `includeTasks` / `onlyFailed` restarts, as Apache's
/// `RestartPlan` does; returns whether the connector restarts, and which tasks.
pub(crate) fn restart_plan(
    plan: &mut ConnectorStateInfo,
    connector_failed: bool,
    include_tasks: bool,
    only_failed: bool,
) -> (bool, Vec<usize>) {
    let restart_connector = !only_failed || connector_failed;
    if restart_connector {
        plan.connector.state = State::Restarting.name().to_owned();
        plan.connector.trace = None;
    }
    let mut tasks = Vec::new();
    for t in &mut plan.tasks {
        if include_tasks && (!only_failed || t.state == State::Failed.name()) {
            t.state = State::Restarting.name().to_owned();
            t.trace = None;
            tasks.push(t.id);
        }
    }
    (restart_connector, tasks)
}

/// The plugins of a registry in Apache's order (`connectors_only` keeps source and sink
/// connectors).
pub(crate) fn plugins(registry: &PluginRegistry, connectors_only: bool) -> Vec<PluginInfo> {
    let order = |k: PluginKind| match k {
        PluginKind::Sink => 0,
        PluginKind::Source => 1,
        PluginKind::Transformation => 2,
        PluginKind::Predicate => 3,
        PluginKind::Converter => 4,
        PluginKind::HeaderConverter => 5,
    };
    let mut plugins: Vec<&PluginDesc> = registry
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

/// The definition of a plugin's own configuration keys.
pub(crate) fn connector_plugin_config(
    registry: &Arc<PluginRegistry>,
    plugin: &str,
) -> HerderResult<Vec<ConfigKeyInfo>> {
    let desc = registry
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
    Ok(validation::connector_plugin_config(registry, desc))
}

/// `topic.tracking.enable` and `topic.tracking.allow.reset` (both default true).
pub(crate) fn topic_tracking(config: &WorkerConfig) -> (bool, bool) {
    let flag = |key: &str| {
        config
            .originals
            .get(key)
            .is_none_or(|v| !v.trim().eq_ignore_ascii_case("false"))
    };
    (
        flag("topic.tracking.enable"),
        flag("topic.tracking.allow.reset"),
    )
}

/// The precondition of altering or resetting offsets: the connector is STOPPED, with no tasks.
pub(crate) fn require_stopped(
    name: &str,
    entry: &ConnectorEntry,
    running_tasks: usize,
) -> HerderResult<()> {
    if entry.target != TargetState::Stopped || running_tasks > 0 || !entry.task_configs.is_empty() {
        return Err(HerderError::BadRequest(format!(
            "Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/{name}/stop' endpoint"
        )));
    }
    Ok(())
}

/// A connector's offsets (source: the offset store; sink: its consumer group).
pub(crate) async fn connector_offsets(
    worker: &Worker,
    name: &str,
    config: &Props,
    a: &Accepted,
) -> HerderResult<ConnectorOffsets> {
    let offsets = if a.desc.kind() == PluginKind::Sink {
        offsets::sink_offsets(worker, config, name).await?
    } else {
        offsets::source_offsets(worker, name).await?
    };
    Ok(ConnectorOffsets {
        offsets: Some(offsets),
    })
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

/// Alters a stopped connector's offsets, asking the connector first.
pub(crate) async fn alter_offsets(
    worker: &Worker,
    name: &str,
    config: &Props,
    factory: &PluginFactory,
    offsets: &[ConnectorOffset],
) -> HerderResult<Message> {
    if offsets.is_empty() {
        return Err(HerderError::BadRequest(
            "Partitions / offsets need to be provided for an alter offsets request".to_owned(),
        ));
    }
    let acknowledged = match factory {
        PluginFactory::Source { connector, .. } => {
            let (entries, view) = offsets::source_entries(name, offsets)?;
            let ack = connector()
                .alter_offsets(config, &view)
                .await
                .map_err(|e| refused(name, "alter", &e))?;
            worker
                .offset_store
                .set(entries)
                .await
                .map_err(|e| store_failed(name, "alter", &e))?;
            ack
        }
        PluginFactory::Sink { connector, .. } => {
            let parsed = offsets::sink_entries(offsets)?;
            let ack = connector()
                .alter_offsets(config, &parsed)
                .await
                .map_err(|e| refused(name, "alter", &e))?;
            offsets::alter_sink_offsets(worker, config, name, &parsed).await?;
            ack
        }
        _ => return Err(not_found(name)),
    };
    Ok(offsets_message(acknowledged, "altered"))
}

/// Resets a stopped connector's offsets, asking the connector first.
pub(crate) async fn reset_offsets(
    worker: &Worker,
    name: &str,
    config: &Props,
    factory: &PluginFactory,
) -> HerderResult<Message> {
    let acknowledged = match factory {
        PluginFactory::Source { connector, .. } => {
            let (entries, view) = offsets::source_reset_entries(worker, name).await?;
            let ack = connector()
                .alter_offsets(config, &view)
                .await
                .map_err(|e| refused(name, "reset", &e))?;
            worker
                .offset_store
                .set(entries)
                .await
                .map_err(|e| store_failed(name, "reset", &e))?;
            ack
        }
        PluginFactory::Sink { connector, .. } => {
            let current = offsets::sink_offsets(worker, config, name).await?;
            let resets: Vec<ConnectorOffset> = current
                .into_iter()
                .map(|o| ConnectorOffset {
                    partition: o.partition,
                    offset: None,
                })
                .collect();
            let parsed = offsets::sink_entries(&resets)?;
            let ack = connector()
                .alter_offsets(config, &parsed)
                .await
                .map_err(|e| refused(name, "reset", &e))?;
            offsets::reset_sink_offsets(worker, config, name).await?;
            ack
        }
        _ => return Err(not_found(name)),
    };
    Ok(offsets_message(acknowledged, "reset"))
}

/// Waits until a herder has started and its request loop answers (`Herder::ready`):
/// requests the herder queued for itself are handled in order, so an answer to a ping means
/// the loop is not stuck.
pub(crate) async fn await_ready(
    ready: &std::sync::atomic::AtomicBool,
    started: &tokio::sync::Notify,
    requests: &tokio::sync::mpsc::UnboundedSender<Request>,
) {
    let notified = started.notified();
    if !ready.load(std::sync::atomic::Ordering::Acquire) {
        notified.await;
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    if requests.send(Request::Ping(tx)).is_ok() {
        let _ = rx.await;
    }
}
