//! Connector and task statuses in the status topic (Apache's `KafkaStatusBackingStore`), in
//! Apache's record format:
//!
//! | key | value |
//! |---|---|
//! | `status-connector-<name>` | `{"state":"RUNNING","trace":null,"worker_id":"host:8083","generation":3}` |
//! | `status-task-<name>-<n>` | the same |
//! | `status-topic-<topic>:connector-<name>` | a connector's active topic (read past here) |
//!
//! A status is written without waiting for the broker and is visible in this worker at once;
//! statuses other workers write arrive through a thread that follows the topic. As in
//! Apache, an UNASSIGNED task status never replaces a RUNNING one of the same or a later
//! generation (a worker that had not seen the newer status yet).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{mpsc, Arc, Mutex, MutexGuard};
use std::time::Duration;

use connect_api::errors::{ConnectError, Result};
use serde_json::{json, Value};

use super::status_backing_store::{Status, StatusBackingStore};
use crate::kafka::topic_log::{java_partitioning, LogRecord, TopicLog, TopicSpec};
use crate::kafka::ClientProps;
use crate::worker::{State, TaskId, TaskStatusListener};

const CONNECTOR_PREFIX: &str = "status-connector-";
const TASK_PREFIX: &str = "status-task-";
const TOPIC_PREFIX: &str = "status-topic-";

/// A status with the generation it was written in.
#[derive(Debug, Clone)]
struct Entry {
    status: Status,
    generation: i32,
}

#[derive(Debug, Default)]
struct Cache {
    connectors: HashMap<String, Entry>,
    tasks: HashMap<String, BTreeMap<usize, Entry>>,
    /// Active topics by connector.
    topics: HashMap<String, BTreeSet<String>>,
}

/// `status-topic-<topic>:connector-<name>`.
fn topic_key(topic: &str, connector: &str) -> String {
    format!("{TOPIC_PREFIX}{topic}:connector-{connector}")
}

/// (topic, connector) of a topic key: split at the first `:` (topic names have none).
fn parse_topic_key(key: &str) -> Option<(&str, &str)> {
    let (topic, rest) = key.strip_prefix(TOPIC_PREFIX)?.split_once(':')?;
    Some((topic, rest.strip_prefix("connector-")?))
}

/// A topic record's value, fields in Apache's schema order.
fn topic_record(topic: &str, connector: &str, task: usize, discovered_ms: i64) -> Vec<u8> {
    serde_json::json!({"topic": {
        "name": topic,
        "connector": connector,
        "task": task,
        "discoverTimestamp": discovered_ms,
    }})
    .to_string()
    .into_bytes()
}

/// A status record value, fields in Apache's schema order.
pub fn status_record(
    state: State,
    trace: Option<&str>,
    worker_id: &str,
    generation: i32,
) -> Vec<u8> {
    let v = json!({
        "state": state.name(),
        "trace": trace,
        "worker_id": worker_id,
        "generation": generation,
    });
    serde_json::to_vec(&v).unwrap_or_default()
}

fn parse_status(bytes: &[u8]) -> Option<Entry> {
    let v: Value = serde_json::from_slice(bytes).ok()?;
    let state = State::from_name(v.get("state")?.as_str()?)?;
    Some(Entry {
        status: Status {
            state,
            trace: v.get("trace").and_then(Value::as_str).map(str::to_owned),
            worker_id: v
                .get("worker_id")
                .and_then(Value::as_str)
                .map(str::to_owned),
        },
        generation: v.get("generation").and_then(Value::as_i64).unwrap_or(0) as i32,
    })
}

/// `status-task-<connector>-<n>` → the task (connector names may contain `-`).
fn parse_task_key(key: &str) -> Option<TaskId> {
    let (connector, task) = key.strip_prefix(TASK_PREFIX)?.rsplit_once('-')?;
    Some(TaskId::new(connector, task.parse().ok()?))
}

fn connector_key(name: &str) -> String {
    format!("{CONNECTOR_PREFIX}{name}")
}

fn task_key(id: &TaskId) -> String {
    format!("{TASK_PREFIX}{}-{}", id.connector, id.task)
}

impl Cache {
    fn apply(&mut self, key: &str, value: Option<&[u8]>) {
        if let Some(name) = key.strip_prefix(CONNECTOR_PREFIX) {
            match value.map(parse_status) {
                None => {
                    self.connectors.remove(name);
                }
                Some(Some(e)) => {
                    self.connectors.insert(name.to_owned(), e);
                }
                Some(None) => tracing::warn!("Failed to parse connector status with key {key}"),
            }
        } else if key.starts_with(TASK_PREFIX) {
            let Some(id) = parse_task_key(key) else {
                tracing::warn!("Discarding record with invalid task status key {key}");
                return;
            };
            match value.map(parse_status) {
                None => {
                    if let Some(tasks) = self.tasks.get_mut(&id.connector) {
                        tasks.remove(&id.task);
                    }
                }
                Some(Some(e)) => {
                    let tasks = self.tasks.entry(id.connector.clone()).or_default();
                    let stale = e.status.state == State::Unassigned
                        && tasks.get(&id.task).is_some_and(|old| {
                            old.status.state == State::Running && old.generation >= e.generation
                        });
                    if !stale {
                        tasks.insert(id.task, e);
                    }
                }
                Some(None) => tracing::warn!("Failed to parse task status with key {key}"),
            }
        } else if key.starts_with(TOPIC_PREFIX) {
            let Some((topic, connector)) = parse_topic_key(key) else {
                tracing::warn!("Discarding record with invalid topic status key {key}");
                return;
            };
            let valid = value.map(|v| {
                serde_json::from_slice::<serde_json::Value>(v)
                    .ok()
                    .is_some_and(|v| v["topic"]["name"] == topic)
            });
            match valid {
                None => {
                    if let Some(topics) = self.topics.get_mut(connector) {
                        topics.remove(topic);
                    }
                }
                Some(true) => {
                    self.topics
                        .entry(connector.to_owned())
                        .or_default()
                        .insert(topic.to_owned());
                }
                Some(false) => tracing::warn!("Failed to parse topic status with key {key}"),
            }
        } else {
            tracing::warn!("Discarding record with invalid key {key}");
        }
    }
}

/// The status topic as a [`StatusBackingStore`].
pub struct KafkaStatusBackingStore {
    worker_id: String,
    generation: AtomicI32,
    cache: Arc<Mutex<Cache>>,
    writes: mpsc::Sender<Vec<LogRecord>>,
    stop: Arc<AtomicBool>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl KafkaStatusBackingStore {
    /// Opens (creating if needed) the status topic, reads it to its end, and follows it.
    /// Statuses this worker writes carry `worker_id`.
    pub async fn open(
        admin: &ClientProps,
        producer: &ClientProps,
        consumer: &ClientProps,
        topic: &str,
        partitions: i32,
        replication_factor: i32,
        worker_id: &str,
    ) -> Result<KafkaStatusBackingStore> {
        let spec = TopicSpec {
            name: topic.to_owned(),
            property: "status.storage.topic".to_owned(),
            holds: "connector and task statuses".to_owned(),
            partitions,
            replication_factor,
            single_partition: false,
        };
        let log = TopicLog::open(admin, &java_partitioning(producer), consumer, &spec).await?;
        let cache = Arc::new(Mutex::new(Cache::default()));
        let log = tokio::task::spawn_blocking({
            let cache = cache.clone();
            move || -> Result<TopicLog> {
                let read = log.read_to_end(Duration::from_secs(30))?;
                let mut c = lock(&cache);
                for (k, v) in &read {
                    c.apply(k, v.as_deref());
                }
                Ok(log)
            }
        })
        .await
        .map_err(|e| ConnectError::other_with("the status topic's thread failed", e))??;
        let (tx, rx) = mpsc::channel::<Vec<LogRecord>>();
        let stop = Arc::new(AtomicBool::new(false));
        let (follow_cache, follow_stop) = (cache.clone(), stop.clone());
        std::thread::Builder::new()
            .name("status-topic".to_owned())
            .spawn(move || follow(&log, &follow_cache, &rx, &follow_stop))
            .map_err(|e| {
                ConnectError::other_with("could not start the status topic's thread", e)
            })?;
        Ok(KafkaStatusBackingStore {
            worker_id: worker_id.to_owned(),
            generation: AtomicI32::new(0),
            cache,
            writes: tx,
            stop,
        })
    }

    /// The group generation written with this worker's statuses from now on.
    pub fn set_generation(&self, generation: i32) {
        self.generation.store(generation, Ordering::Relaxed);
    }

    fn write(&self, records: Vec<LogRecord>) {
        if self.writes.send(records).is_err() {
            tracing::error!("the status topic's thread has stopped; a status was not written");
        }
    }

    fn entry(&self, state: State, trace: Option<String>) -> (Entry, Vec<u8>) {
        let generation = self.generation.load(Ordering::Relaxed);
        let bytes = status_record(state, trace.as_deref(), &self.worker_id, generation);
        let status = Status {
            state,
            trace,
            worker_id: Some(self.worker_id.clone()),
        };
        (Entry { status, generation }, bytes)
    }
}

impl Drop for KafkaStatusBackingStore {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Sends what the store hands over and applies what the topic brings, until stopped.
fn follow(
    log: &TopicLog,
    cache: &Mutex<Cache>,
    writes: &mpsc::Receiver<Vec<LogRecord>>,
    stop: &AtomicBool,
) {
    while !stop.load(Ordering::Relaxed) {
        while let Ok(records) = writes.try_recv() {
            log.send_nowait(&records);
        }
        if let Some((key, value)) = log.poll(Duration::from_millis(100)) {
            lock(cache).apply(&key, value.as_deref());
        }
    }
    // Statuses written just before the stop still go out.
    while let Ok(records) = writes.try_recv() {
        log.send_nowait(&records);
    }
    if let Err(e) = log.send(&[], Duration::from_secs(5)) {
        tracing::warn!("statuses may not all have been written: {e}");
    }
}

impl StatusBackingStore for KafkaStatusBackingStore {
    fn put_connector(&self, name: &str, state: State, trace: Option<String>) {
        let (entry, bytes) = self.entry(state, trace);
        lock(&self.cache).connectors.insert(name.to_owned(), entry);
        self.write(vec![(connector_key(name), Some(bytes))]);
    }

    fn put_task(&self, id: &TaskId, state: State, trace: Option<String>) {
        let (entry, bytes) = self.entry(state, trace);
        lock(&self.cache)
            .tasks
            .entry(id.connector.clone())
            .or_default()
            .insert(id.task, entry);
        self.write(vec![(task_key(id), Some(bytes))]);
    }

    fn connector(&self, name: &str) -> Option<Status> {
        lock(&self.cache)
            .connectors
            .get(name)
            .map(|e| e.status.clone())
    }

    fn tasks(&self, name: &str) -> BTreeMap<usize, Status> {
        lock(&self.cache)
            .tasks
            .get(name)
            .map(|t| t.iter().map(|(i, e)| (*i, e.status.clone())).collect())
            .unwrap_or_default()
    }

    fn task(&self, id: &TaskId) -> Option<Status> {
        lock(&self.cache)
            .tasks
            .get(&id.connector)
            .and_then(|t| t.get(&id.task))
            .map(|e| e.status.clone())
    }

    fn clear_tasks(&self, name: &str) {
        let removed = lock(&self.cache).tasks.remove(name).unwrap_or_default();
        let tombstones = removed
            .keys()
            .map(|t| (task_key(&TaskId::new(name, *t)), None))
            .collect();
        self.write(tombstones);
    }

    fn remove(&self, name: &str) {
        self.clear_tasks(name);
        lock(&self.cache).connectors.remove(name);
        self.write(vec![(connector_key(name), None)]);
    }

    fn put_topic(&self, connector: &str, topic: &str, task: usize) {
        let fresh = lock(&self.cache)
            .topics
            .entry(connector.to_owned())
            .or_default()
            .insert(topic.to_owned());
        if fresh {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
            self.write(vec![(
                topic_key(topic, connector),
                Some(topic_record(topic, connector, task, now)),
            )]);
        }
    }

    fn topics(&self, connector: &str) -> Option<Vec<String>> {
        Some(
            lock(&self.cache)
                .topics
                .get(connector)
                .map(|t| t.iter().cloned().collect())
                .unwrap_or_default(),
        )
    }

    fn reset_topics(&self, connector: &str) {
        let removed = lock(&self.cache)
            .topics
            .remove(connector)
            .unwrap_or_default();
        let tombstones = removed
            .iter()
            .map(|t| (topic_key(t, connector), None))
            .collect();
        self.write(tombstones);
    }
}

impl TaskStatusListener for KafkaStatusBackingStore {
    fn on_task_state(&self, id: &TaskId, state: State, trace: Option<String>) {
        // A task whose connector was removed must not bring it back.
        let known = {
            let c = lock(&self.cache);
            c.connectors.contains_key(&id.connector) || c.tasks.contains_key(&id.connector)
        };
        if known {
            self.put_task(id, state, trace);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_apaches() {
        assert_eq!(
            status_record(State::Running, None, "w:8083", 3),
            br#"{"state":"RUNNING","trace":null,"worker_id":"w:8083","generation":3}"#
        );
        let mut c = Cache::default();
        c.apply(
            "status-task-my-conn-2",
            Some(br#"{"state":"FAILED","trace":"boom","worker_id":"w:1","generation":1}"#),
        );
        let e = &c.tasks["my-conn"][&2];
        assert_eq!(e.status.state, State::Failed);
        assert_eq!(e.status.trace.as_deref(), Some("boom"));
        assert_eq!(e.status.worker_id.as_deref(), Some("w:1"));
    }

    #[test]
    fn active_topic_records_are_apaches() {
        assert_eq!(
            topic_key("orders", "my-conn"),
            "status-topic-orders:connector-my-conn"
        );
        assert_eq!(
            topic_record("orders", "my-conn", 2, 1_700_000_000_000),
            br#"{"topic":{"name":"orders","connector":"my-conn","task":2,"discoverTimestamp":1700000000000}}"#
        );
        let mut c = Cache::default();
        let key = "status-topic-orders:connector-my-conn";
        c.apply(key, Some(&topic_record("orders", "my-conn", 2, 1)));
        c.apply(
            "status-topic-refunds:connector-my-conn",
            Some(&topic_record("refunds", "my-conn", 0, 1)),
        );
        assert_eq!(c.topics["my-conn"].len(), 2);
        // A tombstone (a reset) removes one topic.
        c.apply(key, None);
        assert_eq!(
            c.topics["my-conn"].iter().collect::<Vec<_>>(),
            vec!["refunds"]
        );
    }

    #[test]
    fn an_older_unassigned_never_hides_a_running_task() {
        let mut c = Cache::default();
        let rec = |state: &str, g: i32| {
            format!(r#"{{"state":"{state}","trace":null,"worker_id":"w","generation":{g}}}"#)
        };
        c.apply("status-task-c-0", Some(rec("RUNNING", 5).as_bytes()));
        c.apply("status-task-c-0", Some(rec("UNASSIGNED", 5).as_bytes()));
        assert_eq!(c.tasks["c"][&0].status.state, State::Running);
        c.apply("status-task-c-0", Some(rec("UNASSIGNED", 6).as_bytes()));
        assert_eq!(c.tasks["c"][&0].status.state, State::Unassigned);
        c.apply("status-task-c-0", None);
        assert!(c.tasks["c"].is_empty());
        c.apply("status-connector-c", Some(rec("PAUSED", 1).as_bytes()));
        assert_eq!(c.connectors["c"].status.state, State::Paused);
        c.apply("status-connector-c", None);
        assert!(c.connectors.is_empty());
    }
}
