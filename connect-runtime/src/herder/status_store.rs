//! In-memory connector and task statuses (Apache's `MemoryStatusBackingStore`).

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
}

#[derive(Debug, Default)]
struct ConnectorStatus {
    connector: Option<Status>,
    tasks: BTreeMap<usize, Status>,
}

/// Statuses of every connector and task of the worker.
#[derive(Debug, Default)]
pub struct StatusStore {
    inner: Mutex<HashMap<String, ConnectorStatus>>,
}

impl StatusStore {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, ConnectorStatus>> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sets a connector's status.
    pub fn put_connector(&self, name: &str, state: State, trace: Option<String>) {
        self.lock().entry(name.to_owned()).or_default().connector = Some(Status { state, trace });
    }

    /// Sets a task's status.
    pub fn put_task(&self, id: &TaskId, state: State, trace: Option<String>) {
        self.lock()
            .entry(id.connector.clone())
            .or_default()
            .tasks
            .insert(id.task, Status { state, trace });
    }

    /// A connector's status.
    pub fn connector(&self, name: &str) -> Option<Status> {
        self.lock().get(name).and_then(|c| c.connector.clone())
    }

    /// The statuses of a connector's tasks, by task number.
    pub fn tasks(&self, name: &str) -> BTreeMap<usize, Status> {
        self.lock()
            .get(name)
            .map(|c| c.tasks.clone())
            .unwrap_or_default()
    }

    /// A task's status.
    pub fn task(&self, id: &TaskId) -> Option<Status> {
        self.lock()
            .get(&id.connector)
            .and_then(|c| c.tasks.get(&id.task).cloned())
    }

    /// Forgets a connector's tasks (before new ones are started).
    pub fn clear_tasks(&self, name: &str) {
        if let Some(c) = self.lock().get_mut(name) {
            c.tasks.clear();
        }
    }

    /// Forgets a connector entirely.
    pub fn remove(&self, name: &str) {
        self.lock().remove(name);
    }
}

impl TaskStatusListener for StatusStore {
    fn on_task_state(&self, id: &TaskId, state: State, trace: Option<String>) {
        // A task whose connector was deleted must not come back.
        let mut inner = self.lock();
        if let Some(c) = inner.get_mut(&id.connector) {
            c.tasks.insert(id.task, Status { state, trace });
        }
    }
}
