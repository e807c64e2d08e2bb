//! Automatic restarts of FAILED connectors and tasks (`auto.restart.*`), which Apache's worker
//! lacks: there a failed task stays FAILED until someone calls the REST API.
//!
//! [`SelfHealing`] wraps the status store a herder writes its own statuses to. Every FAILED
//! status this worker reports passes through it, so it sees each failure whatever raised it
//! (`start`, `poll`, `put`, a panic, a connector's `raise_error`), while statuses read from
//! other workers (the distributed store's topic) do not. A failure schedules a restart after
//! an exponential back-off with jitter; the trace stored with the FAILED status says which
//! attempt comes when, or that the worker has given up, so `GET /connectors/{c}/status` shows
//! it. The restart goes through the herder's own restart, as a REST call would.
//!
//! A series of attempts ends when a restarted instance stays up for the longest back-off,
//! when someone restarts it through the REST API, and when its connector is reconfigured or
//! deleted; the next failure starts a new series.

use std::collections::{BTreeMap, HashMap};
use std::ops::Deref;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};
use std::time::{Duration, Instant, SystemTime};

use tokio_util::sync::CancellationToken;

use super::Herder;
use crate::config::AutoRestartPolicy;
use crate::storage::{Status, StatusBackingStore};
use crate::worker::{State, TaskId, TaskStatusListener};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// What restarts: a connector instance or one task.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Subject {
    Connector(String),
    Task(TaskId),
}

impl Subject {
    fn connector(&self) -> &str {
        match self {
            Subject::Connector(name) => name,
            Subject::Task(id) => &id.connector,
        }
    }
}

/// Which series of attempts a manual action ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// The connector instance's.
    Connector,
    /// One task's.
    Task(usize),
    /// The connector's and all its tasks'.
    All,
}

/// The current series of automatic restarts of one subject.
#[derive(Debug)]
struct Series {
    /// Restarts scheduled or done in this series.
    attempts: u32,
    /// When the last automatic restart ran.
    restarted: Option<Instant>,
    /// An automatic restart is calling the herder now (its own restart must not end the
    /// series it belongs to).
    restarting: bool,
}

/// A status store whose FAILED statuses schedule automatic restarts.
pub(crate) struct SelfHealing<S: ?Sized> {
    /// This store, for the restarts it schedules.
    me: Weak<SelfHealing<S>>,
    inner: Arc<S>,
    policy: AutoRestartPolicy,
    worker_id: String,
    herder: OnceLock<Weak<dyn Herder>>,
    series: Mutex<HashMap<Subject, Series>>,
    /// The latest reload scheduled for each connector.
    reloads: Mutex<HashMap<String, u64>>,
    closed: CancellationToken,
    /// The herder's runtime: failures are reported from task threads (each with a runtime
    /// that ends with its task) and from outside any runtime (a task's panic).
    runtime: tokio::runtime::Handle,
}

impl<S: ?Sized> Deref for SelfHealing<S> {
    type Target = S;
    fn deref(&self) -> &S {
        &self.inner
    }
}

impl<S: StatusBackingStore + ?Sized + 'static> SelfHealing<S> {
    /// Wraps `inner`, the store this worker (`worker_id`) reports its statuses to. Called on
    /// the herder's runtime.
    pub(crate) fn new(inner: Arc<S>, policy: AutoRestartPolicy, worker_id: String) -> Arc<Self> {
        Arc::new_cyclic(|me| SelfHealing {
            me: me.clone(),
            inner,
            policy,
            worker_id,
            herder: OnceLock::new(),
            series: Mutex::new(HashMap::new()),
            reloads: Mutex::new(HashMap::new()),
            closed: CancellationToken::new(),
            runtime: tokio::runtime::Handle::current(),
        })
    }

    /// The herder whose restarts heal; set once, right after the herder is built.
    pub(crate) fn attach(&self, herder: Weak<dyn Herder>) {
        let _ = self.herder.set(herder);
    }

    /// Restarts `connector` and its tasks once `ttl` has passed, to read again the values its
    /// config providers said would expire (`config.action.reload=restart`, as Apache's
    /// `WorkerConfigTransformer`). A later schedule for the same connector replaces this one.
    pub(crate) fn reload_after(&self, connector: &str, ttl: Duration) {
        let generation = {
            let mut reloads = lock(&self.reloads);
            let g = reloads.entry(connector.to_owned()).or_insert(0);
            *g += 1;
            *g
        };
        tracing::info!(
            "Scheduling a restart of connector {connector} in {} ms: its configuration providers' values expire",
            ttl.as_millis()
        );
        let (me, closed, name) = (self.me.clone(), self.closed.clone(), connector.to_owned());
        self.runtime.spawn(async move {
            tokio::select! {
                () = closed.cancelled() => return,
                () = tokio::time::sleep(ttl) => {}
            }
            let Some(me) = me.upgrade() else { return };
            if lock(&me.reloads).get(&name) != Some(&generation) {
                return;
            }
            let Some(herder) = me.herder.get().and_then(Weak::upgrade) else {
                return;
            };
            tracing::info!("Restarting connector {name} and its tasks to reload its configuration");
            if let Err(e) = herder.restart_connector(&name, true, false).await {
                tracing::warn!("Reloading connector {name} did not happen: {e}");
            }
        });
    }

    /// Stops scheduling restarts and cancels the pending ones (the herder is stopping).
    pub(crate) fn close(&self) {
        self.closed.cancel();
    }

    /// Ends the series of `connector` that `scope` names: someone restarted or changed it.
    pub(crate) fn forget(&self, connector: &str, scope: Scope) {
        lock(&self.series).retain(|subject, series| {
            if series.restarting || subject.connector() != connector {
                return true;
            }
            let named = match (scope, subject) {
                (Scope::All, _) => true,
                (Scope::Connector, Subject::Connector(_)) => true,
                (Scope::Task(n), Subject::Task(id)) => id.task == n,
                _ => false,
            };
            !named
        });
    }

    /// A status of `subject` is being stored; if FAILED, schedules its restart and returns the
    /// trace to store, which says when the restart comes (or that there will be none).
    fn noted(&self, subject: Subject, state: State, trace: Option<String>) -> Option<String> {
        if state != State::Failed
            || !self.policy.enabled
            || self.closed.is_cancelled()
            || self.herder.get().is_none()
        {
            return trace;
        }
        let attempt = {
            let mut all = lock(&self.series);
            let series = all.entry(subject.clone()).or_insert(Series {
                attempts: 0,
                restarted: None,
                restarting: false,
            });
            // An instance that stayed up for the longest back-off failed afresh.
            if series
                .restarted
                .is_some_and(|t| t.elapsed() >= self.policy.max_backoff)
            {
                series.attempts = 0;
            }
            if series.attempts >= self.policy.max_attempts {
                None
            } else {
                series.attempts += 1;
                Some(series.attempts)
            }
        };
        let max = self.policy.max_attempts;
        let note = match attempt {
            None => {
                tracing::warn!(
                    "{} failed again after {max} automatic restarts; it stays FAILED until restarted through the REST API",
                    describe(&subject)
                );
                format!(
                    "Automatic restart: gave up after {max} attempts (auto.restart.max.attempts); restart it through the REST API."
                )
            }
            Some(n) => {
                let delay = self.policy.backoff(n, fastrand::f64());
                let at = httpdate::fmt_http_date(SystemTime::now() + delay);
                tracing::info!(
                    "{} failed; automatic restart {n} of {max} in {} ms",
                    describe(&subject),
                    delay.as_millis()
                );
                self.schedule(subject, delay);
                format!(
                    "Automatic restart: attempt {n} of {max} at {at} (in {} ms).",
                    delay.as_millis()
                )
            }
        };
        Some(match trace {
            Some(t) => format!("{t}\n\n{note}"),
            None => note,
        })
    }

    fn schedule(&self, subject: Subject, delay: Duration) {
        let me = self.me.clone();
        let closed = self.closed.clone();
        self.runtime.spawn(async move {
            tokio::select! {
                () = closed.cancelled() => return,
                () = tokio::time::sleep(delay) => {}
            }
            if let Some(me) = me.upgrade() {
                me.restart(subject).await;
            }
        });
    }

    /// Restarts `subject` if it is still FAILED here and its herder still runs.
    async fn restart(&self, subject: Subject) {
        let status = match &subject {
            Subject::Connector(name) => self.inner.connector(name),
            Subject::Task(id) => self.inner.task(id),
        };
        // Restarted by someone else meanwhile, deleted, or moved to another worker.
        let still_ours = status.is_some_and(|s: Status| {
            s.state == State::Failed && s.worker_id.is_none_or(|w| w == self.worker_id)
        });
        let herder = self.herder.get().and_then(Weak::upgrade);
        let (true, Some(herder)) = (still_ours, herder) else {
            lock(&self.series).remove(&subject);
            return;
        };
        if let Some(series) = lock(&self.series).get_mut(&subject) {
            series.restarting = true;
            series.restarted = Some(Instant::now());
        }
        tracing::info!("Restarting {} automatically", describe(&subject));
        let result = match &subject {
            Subject::Connector(name) => herder.restart_connector(name, false, false).await,
            Subject::Task(id) => herder.restart_task(&id.connector, id.task).await,
        };
        if let Some(series) = lock(&self.series).get_mut(&subject) {
            series.restarting = false;
        }
        if let Err(e) = result {
            tracing::warn!(
                "Automatic restart of {} did not happen: {e}",
                describe(&subject)
            );
        }
    }
}

fn describe(subject: &Subject) -> String {
    match subject {
        Subject::Connector(name) => format!("Connector {name}"),
        Subject::Task(id) => format!("Task {id}"),
    }
}

/// Statuses of other workers are never written through here, so every FAILED status is one
/// of this worker's.
impl<S: StatusBackingStore + ?Sized + 'static> StatusBackingStore for SelfHealing<S> {
    fn put_connector(&self, name: &str, state: State, trace: Option<String>) {
        let trace = self.noted(Subject::Connector(name.to_owned()), state, trace);
        self.inner.put_connector(name, state, trace);
    }
    fn put_task(&self, id: &TaskId, state: State, trace: Option<String>) {
        let trace = self.noted(Subject::Task(id.clone()), state, trace);
        self.inner.put_task(id, state, trace);
    }
    fn connector(&self, name: &str) -> Option<Status> {
        self.inner.connector(name)
    }
    fn tasks(&self, name: &str) -> BTreeMap<usize, Status> {
        self.inner.tasks(name)
    }
    fn task(&self, id: &TaskId) -> Option<Status> {
        self.inner.task(id)
    }
    fn clear_tasks(&self, name: &str) {
        self.inner.clear_tasks(name)
    }
    fn remove(&self, name: &str) {
        self.forget(name, Scope::All);
        self.inner.remove(name)
    }
    fn put_topic(&self, connector: &str, topic: &str, task: usize) {
        self.inner.put_topic(connector, topic, task)
    }
    fn topics(&self, connector: &str) -> Option<Vec<String>> {
        self.inner.topics(connector)
    }
    fn reset_topics(&self, connector: &str) {
        self.inner.reset_topics(connector)
    }
}

impl<S: StatusBackingStore + ?Sized + 'static> TaskStatusListener for SelfHealing<S> {
    fn on_task_state(&self, id: &TaskId, state: State, trace: Option<String>) {
        let trace = self.noted(Subject::Task(id.clone()), state, trace);
        self.inner.on_task_state(id, state, trace);
    }
    fn on_topic_used(&self, id: &TaskId, topic: &str) {
        self.inner.on_topic_used(id, topic)
    }
}
