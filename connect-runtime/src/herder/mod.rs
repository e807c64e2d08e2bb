//! Herders manage connectors and their tasks; the REST API talks to the one [`Herder`]
//! interface, so standalone and (later) distributed modes share it.

pub mod active_topics;
pub mod assignor;
pub mod connect_protocol;
mod distributed;
pub mod entities;
mod offsets;
pub mod request_signing;
mod self_healing;
mod shared;
mod standalone;
pub(crate) mod validation;

use std::collections::HashMap;

use async_trait::async_trait;

pub use entities::{
    ConfigInfo, ConfigInfos, ConnectorInfo, ConnectorOffset, ConnectorOffsets, ConnectorState,
    ConnectorStateInfo, ConnectorTaskId, Message, PluginInfo, TaskInfo, TaskState,
};
pub use validation::NullableProps;

use connect_api::config::ConfigKeyInfo;
pub use distributed::{DistributedHerder, DistributedSettings};
pub use standalone::StandaloneHerder;

use crate::worker::TargetState;

/// Why a herder request failed; each kind maps to one HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum HerderError {
    /// Unknown connector, task or plugin (404).
    #[error("{0}")]
    NotFound(String),
    /// The connector already exists (409).
    #[error("{0}")]
    AlreadyExists(String),
    /// The request is invalid, e.g. a bad configuration (400).
    #[error("{0}")]
    BadRequest(String),
    /// The worker's view of the configuration is behind the cluster's (409, Apache's
    /// `RebalanceNeededException`).
    #[error("Cannot complete request momentarily due to stale configuration (typically caused by a concurrent config change)")]
    RebalanceNeeded,
    /// The request must be handled by the group leader, and none is known: a rebalance is
    /// under way (409).
    #[error("Cannot complete request momentarily due to no known leader URL, likely because a rebalance was underway.")]
    NoKnownLeader,
    /// The request reached a worker that cannot handle it even after forwarding (409).
    #[error("Cannot complete request because of a conflicting operation (e.g. worker rebalance)")]
    Conflict,
    /// The request must be handled by another worker, at this URL (the group leader, or the
    /// worker running the connector): the REST layer forwards it there.
    #[error("Cannot complete request because of a conflicting operation (e.g. worker rebalance)")]
    Forward(String),
    /// The operation did not complete in time (500, Apache's body).
    #[error("Request timed out")]
    Timeout,
    /// An internal request whose signature does not verify (403).
    #[error("{0}")]
    Forbidden(String),
    /// The worker cannot handle the request yet, e.g. it has not read a session key (503).
    #[error("{0}")]
    Unavailable(String),
    /// Anything else (500).
    #[error("{0}")]
    Internal(String),
}

/// The result of herder requests.
pub type HerderResult<T> = Result<T, HerderError>;

/// What the REST layer can ask of a herder.
#[async_trait]
pub trait Herder: Send + Sync {
    /// The names of all connectors.
    async fn connectors(&self) -> Vec<String>;
    /// One connector's configuration and tasks.
    async fn connector_info(&self, name: &str) -> HerderResult<ConnectorInfo>;
    /// One connector's configuration.
    async fn connector_config(&self, name: &str) -> HerderResult<HashMap<String, String>>;
    /// Creates or (with `allow_replace`) updates a connector; returns whether it was created.
    async fn put_connector_config(
        &self,
        name: &str,
        config: HashMap<String, String>,
        allow_replace: bool,
        initial_state: Option<TargetState>,
    ) -> HerderResult<(bool, ConnectorInfo)>;
    /// Deletes a connector.
    async fn delete_connector(&self, name: &str) -> HerderResult<()>;
    /// A connector's status.
    async fn connector_status(&self, name: &str) -> HerderResult<ConnectorStateInfo>;
    /// One task's status.
    async fn task_status(&self, name: &str, task: usize) -> HerderResult<TaskState>;
    /// A connector's task configurations.
    async fn tasks(&self, name: &str) -> HerderResult<Vec<TaskInfo>>;
    /// Pauses a connector and its tasks.
    async fn pause_connector(&self, name: &str) -> HerderResult<()>;
    /// Resumes a connector and its tasks.
    async fn resume_connector(&self, name: &str) -> HerderResult<()>;
    /// Stops a connector's tasks and the connector, keeping its configuration.
    async fn stop_connector(&self, name: &str) -> HerderResult<()>;
    /// Restarts a connector and, optionally, its (failed) tasks.
    async fn restart_connector(
        &self,
        name: &str,
        include_tasks: bool,
        only_failed: bool,
    ) -> HerderResult<()>;
    /// Restarts one task.
    async fn restart_task(&self, name: &str, task: usize) -> HerderResult<()>;
    /// Restarts the connector and/or its tasks as `includeTasks` / `onlyFailed` ask; returns
    /// the plan: what is restarted shows as `RESTARTING` (Apache's `RestartPlan`).
    async fn restart_connector_and_tasks(
        &self,
        name: &str,
        include_tasks: bool,
        only_failed: bool,
    ) -> HerderResult<ConnectorStateInfo>;
    /// Validates a connector configuration (`null` values allowed) into Apache's ConfigInfos.
    async fn validate_connector_config(&self, config: NullableProps) -> HerderResult<ConfigInfos>;
    /// Merges `patch` into a connector's configuration (`null` removes a key) and applies it.
    async fn patch_connector_config(
        &self,
        name: &str,
        patch: NullableProps,
    ) -> HerderResult<ConnectorInfo>;
    /// The definition of a plugin's own configuration keys.
    fn connector_plugin_config(&self, plugin: &str) -> HerderResult<Vec<ConfigKeyInfo>>;
    /// A connector's offsets (source: the offset store; sink: its consumer group).
    async fn connector_offsets(&self, name: &str) -> HerderResult<ConnectorOffsets>;
    /// Alters a stopped connector's offsets.
    async fn alter_connector_offsets(
        &self,
        name: &str,
        offsets: Vec<ConnectorOffset>,
    ) -> HerderResult<Message>;
    /// Resets a stopped connector's offsets.
    async fn reset_connector_offsets(&self, name: &str) -> HerderResult<Message>;
    /// The topics a connector used since the last reset.
    fn connector_active_topics(&self, name: &str) -> Vec<String>;
    /// Forgets the topics a connector used.
    fn reset_connector_active_topics(&self, name: &str);
    /// `topic.tracking.enable` and `topic.tracking.allow.reset`.
    fn topic_tracking(&self) -> (bool, bool);
    /// Whether the herder finished starting (`/health` answers 503 until then).
    fn is_ready(&self) -> bool;
    /// Answers once the herder has started and can handle requests (for `/health`).
    async fn ready(&self);
    /// The plugins of the worker (`connectors_only` keeps source and sink connectors).
    fn plugins(&self, connectors_only: bool) -> Vec<PluginInfo>;
    /// The Kafka cluster id.
    fn kafka_cluster_id(&self) -> String;
    /// Replaces a connector's task configurations (the internal `POST
    /// /connectors/{name}/tasks` a worker sends the group leader). `body` is the request's JSON
    /// array, `signature` its (algorithm, signature) headers.
    async fn put_task_configs(
        &self,
        name: &str,
        body: &[u8],
        signature: Option<(String, String)>,
    ) -> HerderResult<()> {
        let _ = (name, body, signature);
        Err(HerderError::Internal(
            "Kafka Connect in standalone mode does not support externally setting task configurations.".to_owned(),
        ))
    }
    /// Fences the zombie tasks of an exactly-once source connector (the internal `PUT
    /// /connectors/{name}/fence`).
    async fn fence_zombies(&self, name: &str) -> HerderResult<()> {
        let _ = name;
        Err(HerderError::Internal(
            "Kafka Connect in standalone mode does not support exactly-once source connectors."
                .to_owned(),
        ))
    }
    /// The metrics of this worker and of what it runs (`GET /metrics`).
    fn metrics(&self) -> std::sync::Arc<crate::metrics::ConnectMetrics>;
    /// Stops every connector and task, flushing offsets.
    async fn stop(&self);
}
