//! Where connector and task statuses live (Apache's `StatusBackingStore`): in memory for a
//! standalone worker, in the status topic for a distributed one.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};

use crate::worker::{State, TaskId, TaskStatusListener};

/// A state with the failure trace that explains it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// The state.
    pub state: State,
    /// The trace of a failure.
    pub trace: Option<String>,
    /// The worker that reported it, when another worker may have (`None`: this one).
    pub worker_id: Option<String>,
}

impl Status {
    /// A status this worker reports.
    pub fn new(state: State, trace: Option<String>) -> Status {
        Status {
            state,
            trace,
            worker_id: None,
        }
    }
}

#[derive(Debug, Default)]
struct ConnectorStatus {
    connector: Option<Status>,
    tasks: BTreeMap<usize, Status>,
}

/// Stores the statuses of connectors and tasks. Tasks report through it as a
/// [`TaskStatusListener`]: a report for a connector that was removed is dropped, so that a
/// task stopping late cannot bring its deleted connector back.
pub trait StatusBackingStore: TaskStatusListener {
    /// Sets a connector's status.
    fn put_connector(&self, name: &str, state: State, trace: Option<String>);
    /// Sets a task's status.
    fn put_task(&self, id: &TaskId, state: State, trace: Option<String>);
    /// A connector's status.
    fn connector(&self, name: &str) -> Option<Status>;
    /// The statuses of a connector's tasks, by task number.
    fn tasks(&self, name: &str) -> BTreeMap<usize, Status>;
    /// A task's status.
    fn task(&self, id: &TaskId) -> Option<Status>;
    /// Forgets a connector's tasks (before new ones are started).
    fn clear_tasks(&self, name: &str);
    /// Forgets a connector entirely.
    fn remove(&self, name: &str);
    /// Records that a task of `connector` used `topic` (KIP-558 active topics), where the
    /// store shares them with other workers. The default keeps nothing: the herder's own
    /// tracker holds them.
    fn put_topic(&self, connector: &str, topic: &str, task: usize) {
        let _ = (connector, topic, task);
    }
    /// The active topics of a connector that every worker recorded, sorted; `None` when the
    /// store does not hold active topics.
    fn topics(&self, connector: &str) -> Option<Vec<String>> {
        let _ = connector;
        None
    }
    /// Forgets the active topics of a connector.
    fn reset_topics(&self, connector: &str) {
        let _ = connector;
    }
}

/// Statuses kept in memory (Apache's `MemoryStatusBackingStore`).
#[derive(Debug, Default)]
pub struct MemoryStatusBackingStore {
    inner: Mutex<HashMap<String, ConnectorStatus>>,
}

impl MemoryStatusBackingStore {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, ConnectorStatus>> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl StatusBackingStore for MemoryStatusBackingStore {
    fn put_connector(&self, name: &str, state: State, trace: Option<String>) {
        self.lock().entry(name.to_owned()).or_default().connector = Some(Status::new(state, trace));
    }

    fn put_task(&self, id: &TaskId, state: State, trace: Option<String>) {
        self.lock()
            .entry(id.connector.clone())
            .or_default()
            .tasks
            .insert(id.task, Status::new(state, trace));
    }

    fn connector(&self, name: &str) -> Option<Status> {
        self.lock().get(name).and_then(|c| c.connector.clone())
    }

    fn tasks(&self, name: &str) -> BTreeMap<usize, Status> {
        self.lock()
            .get(name)
            .map(|c| c.tasks.clone())
            .unwrap_or_default()
    }

    fn task(&self, id: &TaskId) -> Option<Status> {
        self.lock()
            .get(&id.connector)
            .and_then(|c| c.tasks.get(&id.task).cloned())
    }

    fn clear_tasks(&self, name: &str) {
        if let Some(c) = self.lock().get_mut(name) {
            c.tasks.clear();
        }
    }

    fn remove(&self, name: &str) {
        self.lock().remove(name);
    }
}

impl TaskStatusListener for MemoryStatusBackingStore {
    fn on_task_state(&self, id: &TaskId, state: State, trace: Option<String>) {
        // A task whose connector was deleted must not come back.
        let mut inner = self.lock();
        if let Some(c) = inner.get_mut(&id.connector) {
            c.tasks.insert(id.task, Status::new(state, trace));
        }
    }
}
