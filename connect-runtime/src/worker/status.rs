//! Connector and task states, as the REST API reports them.

use std::fmt;

/// The identity of a task: its connector and number (Apache's `ConnectorTaskId`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId {
    /// The connector name.
    pub connector: String,
    /// The task number.
    pub task: usize,
}

impl TaskId {
    /// A task id.
    pub fn new(connector: impl Into<String>, task: usize) -> TaskId {
        TaskId {
            connector: connector.into(),
            task,
        }
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.connector, self.task)
    }
}

/// A connector's or task's state (Apache's `AbstractStatus.State`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Not yet running anywhere.
    Unassigned,
    /// Running.
    Running,
    /// Paused.
    Paused,
    /// Failed; see the trace.
    Failed,
    /// Being restarted.
    Restarting,
    /// Stopped (connectors only).
    Stopped,
}

impl State {
    /// The upper-case name used in JSON.
    pub fn name(self) -> &'static str {
        match self {
            State::Unassigned => "UNASSIGNED",
            State::Running => "RUNNING",
            State::Paused => "PAUSED",
            State::Failed => "FAILED",
            State::Restarting => "RESTARTING",
            State::Stopped => "STOPPED",
        }
    }

    /// The state of an upper-case name, as [`name`](Self::name) writes it.
    pub fn from_name(name: &str) -> Option<State> {
        [
            State::Unassigned,
            State::Running,
            State::Paused,
            State::Failed,
            State::Restarting,
            State::Stopped,
        ]
        .into_iter()
        .find(|s| s.name() == name)
    }
}

/// The state the user asked for (Apache's `TargetState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetState {
    /// Run.
    Started,
    /// Keep the tasks but stop processing.
    Paused,
    /// Shut the tasks down, keep the configuration.
    Stopped,
}

/// Receives state changes of tasks (implemented by the herder's status store).
pub trait TaskStatusListener: Send + Sync {
    /// A task changed state; `trace` explains a failure.
    fn on_task_state(&self, id: &TaskId, state: State, trace: Option<String>);

    /// A task wrote to (or read from) `topic` for the first time since it started; feeds the
    /// connector's active topics (KIP-558). The default ignores it.
    fn on_topic_used(&self, id: &TaskId, topic: &str) {
        let _ = (id, topic);
    }
}
