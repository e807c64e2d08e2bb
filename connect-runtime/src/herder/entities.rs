//! The JSON shapes the REST API returns (Apache's `rest.entities`), with Apache's field names
//! and order.

use std::collections::HashMap;

use connect_api::config::{ConfigKeyInfo, ConfigValueInfo};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// `{"connector": "...", "task": 0}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ConnectorTaskId {
    /// The connector.
    pub connector: String,
    /// The task number.
    pub task: usize,
}

/// `GET /connectors/{c}` and the create/update responses.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConnectorInfo {
    /// The name.
    pub name: String,
    /// The configuration as submitted.
    pub config: HashMap<String, String>,
    /// The tasks.
    pub tasks: Vec<ConnectorTaskId>,
    /// `source`, `sink` or `unknown`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// The state of a connector or task in a status response.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConnectorState {
    /// `RUNNING`, `FAILED`, ...
    pub state: String,
    /// The worker running it.
    pub worker_id: String,
    /// The failure trace, only when failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<String>,
    /// The version of the plugin running it (Apache Kafka 4.x reports it; absent when the
    /// plugin is unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// One task in a status response.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskState {
    /// The task number.
    pub id: usize,
    /// `RUNNING`, `FAILED`, ...
    pub state: String,
    /// The worker running it.
    pub worker_id: String,
    /// The failure trace, only when failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<String>,
    /// The version of the plugin running it (Apache Kafka 4.x reports it; absent when the
    /// plugin is unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// `GET /connectors/{c}/status`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConnectorStateInfo {
    /// The connector.
    pub name: String,
    /// Its state.
    pub connector: ConnectorState,
    /// Its tasks, by id.
    pub tasks: Vec<TaskState>,
    /// `source`, `sink` or `unknown`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// `GET /connectors/{c}/tasks` element.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskInfo {
    /// The task id.
    pub id: ConnectorTaskId,
    /// The task configuration.
    pub config: HashMap<String, String>,
}

/// `GET /connector-plugins` element.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PluginInfo {
    /// The class name.
    #[serde(rename = "class")]
    pub class_name: String,
    /// The kind.
    #[serde(rename = "type")]
    pub kind: String,
    /// The version.
    pub version: String,
}

/// One entry of a validation result: a key's definition and its value (Apache's `ConfigInfo`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConfigInfo {
    /// The key's definition; `null` for a value no key defines.
    #[schema(value_type = Option<Object>)]
    pub definition: Option<ConfigKeyInfo>,
    /// The validated value; `null` for a key that produced no result.
    #[schema(value_type = Option<Object>)]
    pub value: Option<ConfigValueInfo>,
}

/// `PUT /connector-plugins/{plugin}/config/validate` (Apache's `ConfigInfos`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConfigInfos {
    /// The `connector.class` exactly as submitted.
    pub name: String,
    /// The number of errors.
    pub error_count: usize,
    /// Every group, in order.
    pub groups: Vec<String>,
    /// Every key with its value.
    pub configs: Vec<ConfigInfo>,
}

impl ConfigInfos {
    /// Every error message of every value, in order (the lines of the create/update 400).
    pub fn error_messages(&self) -> Vec<String> {
        self.configs
            .iter()
            .filter_map(|c| c.value.as_ref())
            .flat_map(|v| v.errors.iter().cloned())
            .collect()
    }
}

/// One partition's offset (KIP-875's `ConnectorOffset`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectorOffset {
    /// The partition: `{"kafka_topic", "kafka_partition"}` for sinks, connector-defined for sources.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub partition: Option<Map<String, Value>>,
    /// The offset: `{"kafka_offset"}` for sinks; `null` resets the partition.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub offset: Option<Map<String, Value>>,
}

/// `GET /connectors/{c}/offsets` and the `PATCH` body (KIP-875's `ConnectorOffsets`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectorOffsets {
    /// The offsets, one per partition.
    #[serde(default)]
    pub offsets: Option<Vec<ConnectorOffset>>,
}

/// A plain message answer (`{"message": ...}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Message {
    /// The text.
    pub message: String,
}
