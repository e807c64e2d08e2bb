//! Connector configurations in the config topic (Apache's `KafkaConfigBackingStore`), in
//! Apache's record format so that Apache's workers and ours read each other's topics:
//!
//! | key | value (JSON, as Apache's schemaless `JsonConverter` writes it) |
//! |---|---|
//! | `connector-<name>` | `{"properties":{…}}`, or a tombstone when the connector is removed |
//! | `task-<name>-<n>` | `{"properties":{…}}` |
//! | `commit-<name>` | `{"tasks":<n>}`: the task configurations written before it take effect |
//! | `target-state-<name>` | `{"state":"PAUSED","state.v2":"STOPPED"}` (`state` as workers before 3.5 understand it) |
//!
//! Task configurations take effect only with their commit record, and only if the commit
//! finds a configuration for every task it counts; otherwise the connector is inconsistent
//! (left with its previous tasks) until the next complete set, as in Apache. The store also
//! keeps the latest `session-key` (`{"key":"<base64>","algorithm":"HmacSHA256",
//! "creation-timestamp":<ms>}`) and hands over the `restart-connector-<name>` requests
//! (`{"include-tasks":…,"only-failed":…}`) written after it opened. Other keys Apache writes
//! (`tasks-fencing-…`, `logger-cluster-…`) are read past.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use connect_api::connector::Props;
use connect_api::errors::{ConnectError, Result};
use serde_json::{json, Value};

use super::config_backing_store::{ConfigBackingStore, ConfigSnapshot, ConnectorEntry};
use crate::kafka::topic_log::{LogRecord, TopicLog, TopicSpec};
use crate::kafka::ClientProps;
use crate::worker::TargetState;

/// Apache's `READ_WRITE_TOTAL_TIMEOUT_MS`.
const READ_WRITE_TIMEOUT: Duration = Duration::from_secs(30);

const CONNECTOR_PREFIX: &str = "connector-";
const TASK_PREFIX: &str = "task-";
const COMMIT_TASKS_PREFIX: &str = "commit-";
const TARGET_STATE_PREFIX: &str = "target-state-";
const RESTART_PREFIX: &str = "restart-connector-";
const SESSION_KEY: &str = "session-key";

/// The key that signs requests between workers (KIP-507), as the leader wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionKey {
    /// The secret.
    pub key: Vec<u8>,
    /// The JCA algorithm name (`HmacSHA256`).
    pub algorithm: String,
    /// When it was created, in ms since the epoch.
    pub created_ms: i64,
}

/// A `restart-connector-<name>` request (KIP-745).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestartRequest {
    /// The connector.
    pub connector: String,
    /// Whether its tasks restart too.
    pub include_tasks: bool,
    /// Whether only failed instances restart.
    pub only_failed: bool,
}

fn target_name(t: TargetState) -> &'static str {
    match t {
        TargetState::Started => "STARTED",
        TargetState::Paused => "PAUSED",
        TargetState::Stopped => "STOPPED",
    }
}

fn parse_target(s: &str) -> Option<TargetState> {
    match s {
        "STARTED" => Some(TargetState::Started),
        "PAUSED" => Some(TargetState::Paused),
        "STOPPED" => Some(TargetState::Stopped),
        _ => None,
    }
}

fn to_bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
}

/// A connector's or task's configuration record value: `{"properties":{…}}`.
pub fn configuration_record(props: &Props) -> Vec<u8> {
    let sorted: BTreeMap<&String, &String> = props.iter().collect();
    to_bytes(&json!({ "properties": sorted }))
}

/// A task-commit record value: `{"tasks":n}`.
pub fn commit_record(tasks: usize) -> Vec<u8> {
    to_bytes(&json!({ "tasks": tasks }))
}

/// A target-state record value. Workers older than Apache 3.5 read only `state` and know no
/// STOPPED: they see PAUSED.
pub fn target_state_record(target: TargetState) -> Vec<u8> {
    let v1 = match target {
        TargetState::Stopped => "PAUSED",
        other => target_name(other),
    };
    to_bytes(&json!({ "state": v1, "state.v2": target_name(target) }))
}

/// `task-<connector>-<n>` → (connector, n). Connector names may contain `-`: the task number
/// is after the last one.
fn parse_task_key(key: &str) -> Option<(&str, usize)> {
    let rest = key.strip_prefix(TASK_PREFIX)?;
    let (connector, task) = rest.rsplit_once('-')?;
    Some((connector, task.parse().ok()?))
}

/// `{"properties":{…}}` → the properties (string values; nulls dropped, as Java's
/// `Map<String, String>` would hold them as nulls that nothing reads).
fn parse_properties(value: &Value) -> Option<Props> {
    let props = value.get("properties")?.as_object()?;
    Some(
        props
            .iter()
            .filter_map(|(k, v)| match v {
                Value::String(s) => Some((k.clone(), s.clone())),
                Value::Null => None,
                other => Some((k.clone(), other.to_string())),
            })
            .collect(),
    )
}

/// What the config topic says, as applied record by record (Apache's `ConsumeCallback`).
#[derive(Debug, Default)]
struct TopicState {
    connectors: BTreeMap<String, Props>,
    targets: HashMap<String, TargetState>,
    tasks: HashMap<String, Vec<Props>>,
    deferred: HashMap<String, BTreeMap<usize, Props>>,
    inconsistent: HashSet<String>,
    session_key: Option<SessionKey>,
    /// Restart requests read since the store opened (older ones are history, not requests).
    restarts: Vec<RestartRequest>,
    opened: bool,
}

impl TopicState {
    fn apply(&mut self, key: &str, value: Option<&[u8]>) {
        let parsed: Option<Value> = match value {
            None => None,
            Some(bytes) => match serde_json::from_slice(bytes) {
                Ok(Value::Null) => None,
                Ok(v) => Some(v),
                Err(e) => {
                    tracing::error!("Failed to convert config data to Kafka Connect format: {e}");
                    return;
                }
            },
        };
        if let Some(name) = key.strip_prefix(TARGET_STATE_PREFIX) {
            self.apply_target_state(name, parsed.as_ref());
        } else if let Some(name) = key.strip_prefix(CONNECTOR_PREFIX) {
            self.apply_connector(name, parsed.as_ref());
        } else if key.starts_with(TASK_PREFIX) {
            match parse_task_key(key) {
                Some((connector, task)) => self.apply_task(connector, task, parsed.as_ref()),
                None => tracing::error!(
                    "Ignoring task configuration because {key} couldn't be parsed as a task config key"
                ),
            }
        } else if let Some(name) = key.strip_prefix(COMMIT_TASKS_PREFIX) {
            self.apply_commit(name, parsed.as_ref());
        } else if let Some(name) = key.strip_prefix(RESTART_PREFIX) {
            if let (true, Some(v)) = (self.opened, parsed.as_ref()) {
                let flag = |k: &str| v.get(k).and_then(Value::as_bool).unwrap_or(false);
                self.restarts.push(RestartRequest {
                    connector: name.to_owned(),
                    include_tasks: flag("include-tasks"),
                    only_failed: flag("only-failed"),
                });
            }
        } else if key == SESSION_KEY {
            self.apply_session_key(parsed.as_ref());
        } else if key.starts_with("tasks-fencing-") || key.starts_with("logger-cluster-") {
            tracing::debug!("Config topic record {key} is not used by this worker");
        } else {
            tracing::error!("Discarding config update record with invalid key: {key}");
        }
    }

    fn apply_session_key(&mut self, value: Option<&Value>) {
        use base64::Engine as _;
        let Some(v) = value else {
            self.session_key = None;
            return;
        };
        let key = v
            .get("key")
            .and_then(Value::as_str)
            .and_then(|k| base64::engine::general_purpose::STANDARD.decode(k).ok());
        let algorithm = v.get("algorithm").and_then(Value::as_str);
        let created = v.get("creation-timestamp").and_then(Value::as_i64);
        match (key, algorithm, created) {
            (Some(key), Some(algorithm), Some(created_ms)) => {
                self.session_key = Some(SessionKey {
                    key,
                    algorithm: algorithm.to_owned(),
                    created_ms,
                });
            }
            _ => tracing::error!("Ignoring a session key record in the wrong format"),
        }
    }

    fn apply_target_state(&mut self, name: &str, value: Option<&Value>) {
        let Some(value) = value else {
            self.targets.remove(name);
            if self.connectors.contains_key(name) {
                self.targets.insert(name.to_owned(), TargetState::Started);
            }
            return;
        };
        let state = value
            .get("state.v2")
            .and_then(Value::as_str)
            .or_else(|| value.get("state").and_then(Value::as_str));
        match state.and_then(parse_target) {
            Some(t) => {
                self.targets.insert(name.to_owned(), t);
            }
            None => tracing::error!("Invalid target state for connector '{name}': {value}"),
        }
    }

    fn apply_connector(&mut self, name: &str, value: Option<&Value>) {
        let Some(value) = value else {
            // Removal: the connector, its tasks and its target state go.
            self.connectors.remove(name);
            self.targets.remove(name);
            self.tasks.remove(name);
            self.deferred.remove(name);
            self.inconsistent.remove(name);
            return;
        };
        match parse_properties(value) {
            Some(props) => {
                self.connectors.insert(name.to_owned(), props);
                self.targets
                    .entry(name.to_owned())
                    .or_insert(TargetState::Started);
            }
            None => tracing::error!(
                "Ignoring configuration for connector '{name}' because it is in the wrong format"
            ),
        }
    }

    fn apply_task(&mut self, connector: &str, task: usize, value: Option<&Value>) {
        match value.and_then(parse_properties) {
            Some(props) => {
                self.deferred
                    .entry(connector.to_owned())
                    .or_default()
                    .insert(task, props);
            }
            None => tracing::error!(
                "Ignoring task configuration for task {connector}-{task} because it is unexpectedly null or in the wrong format"
            ),
        }
    }

    fn apply_commit(&mut self, connector: &str, value: Option<&Value>) {
        if !self.connectors.contains_key(connector) {
            // Deleted earlier, and compaction took its configuration and tombstone.
            self.deferred.remove(connector);
            self.tasks.remove(connector);
            return;
        }
        let Some(count) = value
            .and_then(|v| v.get("tasks"))
            .and_then(Value::as_u64)
            .map(|n| n as usize)
        else {
            tracing::error!(
                "Ignoring connector tasks configuration commit for connector '{connector}' because it is in the wrong format"
            );
            return;
        };
        let mut deferred = self.deferred.remove(connector).unwrap_or_default();
        // Complete means a configuration for each of tasks 0..count; higher numbers are stale
        // records of a larger set that compaction has not removed yet.
        let complete = (0..count).all(|t| deferred.contains_key(&t));
        if complete {
            deferred.retain(|t, _| *t < count);
            self.tasks
                .insert(connector.to_owned(), deferred.into_values().collect());
            self.inconsistent.remove(connector);
        } else {
            tracing::debug!(
                "We have an incomplete set of task configs for connector '{connector}' probably due to compaction. So we are not doing anything with the new configuration."
            );
            self.inconsistent.insert(connector.to_owned());
        }
    }

    /// One connector's entry; an inconsistent connector shows no tasks.
    fn entry(&self, name: &str) -> Option<ConnectorEntry> {
        let config = self.connectors.get(name)?;
        Some(ConnectorEntry {
            config: config.clone(),
            target: self
                .targets
                .get(name)
                .copied()
                .unwrap_or(TargetState::Started),
            task_configs: if self.inconsistent.contains(name) {
                Vec::new()
            } else {
                self.tasks.get(name).cloned().unwrap_or_default()
            },
        })
    }

    fn snapshot(&self) -> ConfigSnapshot {
        self.connectors
            .keys()
            .filter_map(|name| Some((name.clone(), self.entry(name)?)))
            .collect()
    }
}

/// The config topic as a [`ConfigBackingStore`]. Every write is read back before it returns,
/// so a snapshot taken after a write includes it.
pub struct KafkaConfigBackingStore {
    log: Arc<TopicLog>,
    state: Arc<Mutex<TopicState>>,
    /// Held through a write and its read-back: a read running beside it could consume the
    /// written record and apply it only after this write returned.
    io: Arc<Mutex<()>>,
}

fn lock(m: &Mutex<TopicState>) -> MutexGuard<'_, TopicState> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl KafkaConfigBackingStore {
    /// Opens (creating if needed) the config topic `topic` and reads it to its end.
    pub async fn open(
        admin: &ClientProps,
        producer: &ClientProps,
        consumer: &ClientProps,
        topic: &str,
        replication_factor: i32,
    ) -> Result<KafkaConfigBackingStore> {
        let spec = TopicSpec {
            name: topic.to_owned(),
            property: "config.storage.topic".to_owned(),
            holds: "connector configurations".to_owned(),
            partitions: 1,
            replication_factor,
            single_partition: true,
        };
        let log = TopicLog::open(admin, producer, consumer, &spec).await?;
        let store = KafkaConfigBackingStore {
            log: Arc::new(log),
            state: Arc::new(Mutex::new(TopicState::default())),
            io: Arc::new(Mutex::new(())),
        };
        store.refresh().await?;
        lock(&store.state).opened = true;
        Ok(store)
    }

    /// Reads the topic to its end, applying what other workers wrote.
    pub async fn refresh(&self) -> Result<()> {
        self.write(Vec::new()).await
    }

    /// The config topic offset this store has read up to (the next offset to read, as Apache
    /// counts it; `-1` when the topic is empty). Workers compare it in group metadata.
    pub fn offset(&self) -> i64 {
        match self.log.next_offsets().get(&0).copied() {
            Some(o) if o > 0 => o,
            _ => -1,
        }
    }

    /// The latest session key.
    pub fn session_key(&self) -> Option<SessionKey> {
        lock(&self.state).session_key.clone()
    }

    /// Writes a new session key.
    pub async fn put_session_key(&self, key: &SessionKey) -> Result<()> {
        use base64::Engine as _;
        let value = json!({
            "key": base64::engine::general_purpose::STANDARD.encode(&key.key),
            "algorithm": key.algorithm,
            "creation-timestamp": key.created_ms,
        });
        self.write(vec![(SESSION_KEY.to_owned(), Some(to_bytes(&value)))])
            .await
    }

    /// Writes a restart request for every worker to act on.
    pub async fn put_restart_request(&self, request: &RestartRequest) -> Result<()> {
        let value = json!({
            "include-tasks": request.include_tasks,
            "only-failed": request.only_failed,
        });
        self.write(vec![(
            format!("{RESTART_PREFIX}{}", request.connector),
            Some(to_bytes(&value)),
        )])
        .await
    }

    /// The restart requests read since the last call.
    pub fn take_restart_requests(&self) -> Vec<RestartRequest> {
        std::mem::take(&mut lock(&self.state).restarts)
    }

    /// Writes `records` (none: only reads), then reads the topic to its end.
    async fn write(&self, records: Vec<LogRecord>) -> Result<()> {
        let (log, state, io) = (self.log.clone(), self.state.clone(), self.io.clone());
        tokio::task::spawn_blocking(move || {
            let _io = io.lock().unwrap_or_else(|e| e.into_inner());
            if !records.is_empty() {
                log.send(&records, READ_WRITE_TIMEOUT)?;
            }
            let read = log.read_to_end(READ_WRITE_TIMEOUT)?;
            let mut state = lock(&state);
            for (key, value) in &read {
                state.apply(key, value.as_deref());
            }
            Ok(())
        })
        .await
        .map_err(|e| ConnectError::other_with("the config topic's thread failed", e))?
    }
}

#[async_trait]
impl ConfigBackingStore for KafkaConfigBackingStore {
    fn snapshot(&self) -> ConfigSnapshot {
        lock(&self.state).snapshot()
    }

    fn connector(&self, name: &str) -> Option<ConnectorEntry> {
        lock(&self.state).entry(name)
    }

    async fn put_connector_config(
        &self,
        name: &str,
        config: Props,
        target: Option<TargetState>,
    ) -> Result<()> {
        let mut records = Vec::new();
        if let Some(t) = target {
            records.push((
                format!("{TARGET_STATE_PREFIX}{name}"),
                Some(target_state_record(t)),
            ));
        }
        records.push((
            format!("{CONNECTOR_PREFIX}{name}"),
            Some(configuration_record(&config)),
        ));
        self.write(records).await
    }

    async fn remove_connector_config(&self, name: &str) -> Result<()> {
        self.write(vec![
            (format!("{CONNECTOR_PREFIX}{name}"), None),
            (format!("{TARGET_STATE_PREFIX}{name}"), None),
        ])
        .await
    }

    async fn put_task_configs(&self, name: &str, configs: Vec<Props>) -> Result<()> {
        let count = configs.len();
        let tasks: Vec<LogRecord> = configs
            .iter()
            .enumerate()
            .map(|(i, c)| {
                (
                    format!("{TASK_PREFIX}{name}-{i}"),
                    Some(configuration_record(c)),
                )
            })
            .collect();
        if !tasks.is_empty() {
            self.write(tasks).await?;
        }
        self.write(vec![(
            format!("{COMMIT_TASKS_PREFIX}{name}"),
            Some(commit_record(count)),
        )])
        .await
    }

    async fn put_target_state(&self, name: &str, target: TargetState) -> Result<()> {
        self.write(vec![(
            format!("{TARGET_STATE_PREFIX}{name}"),
            Some(target_state_record(target)),
        )])
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> Props {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn apply(state: &mut TopicState, key: &str, value: Option<&[u8]>) {
        state.apply(key, value);
    }

    #[test]
    fn records_are_apaches() {
        assert_eq!(
            configuration_record(&props(&[("b", "2"), ("a", "1")])),
            br#"{"properties":{"a":"1","b":"2"}}"#
        );
        assert_eq!(commit_record(3), br#"{"tasks":3}"#);
        assert_eq!(
            target_state_record(TargetState::Stopped),
            br#"{"state":"PAUSED","state.v2":"STOPPED"}"#
        );
        assert_eq!(
            target_state_record(TargetState::Started),
            br#"{"state":"STARTED","state.v2":"STARTED"}"#
        );
    }

    #[test]
    fn task_configs_apply_with_a_complete_commit_only() {
        let mut s = TopicState::default();
        apply(
            &mut s,
            "connector-my-conn",
            Some(br#"{"properties":{"x":"1"}}"#),
        );
        apply(
            &mut s,
            "task-my-conn-0",
            Some(br#"{"properties":{"t":"0"}}"#),
        );
        apply(
            &mut s,
            "task-my-conn-1",
            Some(br#"{"properties":{"t":"1"}}"#),
        );
        // Not yet committed.
        assert!(s.snapshot()["my-conn"].task_configs.is_empty());
        apply(&mut s, "commit-my-conn", Some(br#"{"tasks":2}"#));
        let snap = s.snapshot();
        assert_eq!(
            snap["my-conn"].task_configs,
            vec![props(&[("t", "0")]), props(&[("t", "1")])]
        );
        assert_eq!(snap["my-conn"].target, TargetState::Started);

        // A commit counting a task whose configuration was compacted away: inconsistent.
        apply(
            &mut s,
            "task-my-conn-1",
            Some(br#"{"properties":{"t":"1b"}}"#),
        );
        apply(&mut s, "commit-my-conn", Some(br#"{"tasks":2}"#));
        assert!(s.snapshot()["my-conn"].task_configs.is_empty());
        // The next complete set makes it consistent again.
        apply(
            &mut s,
            "task-my-conn-0",
            Some(br#"{"properties":{"t":"0c"}}"#),
        );
        apply(&mut s, "commit-my-conn", Some(br#"{"tasks":1}"#));
        assert_eq!(
            s.snapshot()["my-conn"].task_configs,
            vec![props(&[("t", "0c")])]
        );
    }

    #[test]
    fn target_states_removals_and_foreign_records() {
        let mut s = TopicState::default();
        // An initial state written before the connector (Apache does so on create).
        apply(
            &mut s,
            "target-state-c",
            Some(br#"{"state":"PAUSED","state.v2":"STOPPED"}"#),
        );
        apply(&mut s, "connector-c", Some(br#"{"properties":{}}"#));
        assert_eq!(s.snapshot()["c"].target, TargetState::Stopped);
        // A record from a worker before 3.5 has only `state`.
        apply(&mut s, "target-state-c", Some(br#"{"state":"PAUSED"}"#));
        assert_eq!(s.snapshot()["c"].target, TargetState::Paused);
        // Records this worker does not use, and garbage, change nothing.
        apply(
            &mut s,
            "session-key",
            Some(br#"{"key":"a2V5","algorithm":"HmacSHA256","creation-timestamp":1}"#),
        );
        apply(
            &mut s,
            "restart-connector-c",
            Some(br#"{"include-tasks":true,"only-failed":false}"#),
        );
        apply(&mut s, "connector-c", Some(b"not json"));
        apply(&mut s, "something-else", Some(b"{}"));
        assert_eq!(s.snapshot().len(), 1);
        // Removal: connector tombstone, then target-state tombstone.
        apply(&mut s, "connector-c", None);
        apply(&mut s, "target-state-c", None);
        assert!(s.snapshot().is_empty());
        // Task commits for a connector that is gone are ignored.
        apply(&mut s, "task-c-0", Some(br#"{"properties":{}}"#));
        apply(&mut s, "commit-c", Some(br#"{"tasks":1}"#));
        assert!(s.snapshot().is_empty());
    }
}
