//! The stop check: a task asked to stop while it is busy must stop within the worker's
//! shutdown budget.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use connect_api::errors::{ConnectError, Result};
use connect_api::prelude::async_trait;

use super::report::Verdict;
use crate::isolated::{on_own_thread, panic_message, Outcome};
use crate::sink::SinkTaskHarness;
use crate::source::SourceTaskHarness;

/// A task kept busy the way the worker keeps it busy.
#[async_trait(?Send)]
pub(crate) trait Busy {
    async fn start(&mut self) -> Result<()>;
    /// One `poll` or one delivery to `put`.
    async fn step(&mut self) -> Result<()>;
    async fn stop(&mut self) -> Result<()>;
}

#[async_trait(?Send)]
impl Busy for SourceTaskHarness {
    async fn start(&mut self) -> Result<()> {
        SourceTaskHarness::start(self).await
    }
    async fn step(&mut self) -> Result<()> {
        if self.poll().await?.is_empty() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        Ok(())
    }
    async fn stop(&mut self) -> Result<()> {
        SourceTaskHarness::stop(self).await
    }
}

#[async_trait(?Send)]
impl Busy for SinkTaskHarness {
    async fn start(&mut self) -> Result<()> {
        SinkTaskHarness::start(self).await
    }
    async fn step(&mut self) -> Result<()> {
        if self.deliver().await?.records == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        Ok(())
    }
    async fn stop(&mut self) -> Result<()> {
        SinkTaskHarness::stop(self).await
    }
}

enum Event {
    Started,
    StartFailed(String),
    Stopped,
    Panicked(String),
}

/// Starts the task `make` builds on a thread of its own, keeps it busy, requests a stop as
/// the worker does (the pending call is cancelled at its next `.await`, then the task is
/// stopped) and times the stop from the request.
pub(crate) fn check<B, F>(doing: &str, make: F, budget: Duration) -> Verdict
where
    B: Busy + 'static,
    F: FnOnce() -> B + Send + 'static,
{
    let (events, rx) = mpsc::channel();
    let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
    let spawned = std::thread::Builder::new()
        .name("acceptance-stop".to_owned())
        .spawn(move || {
            let inner = events.clone();
            let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
                let rt = match tokio::runtime::Builder::new_current_thread()
                    .enable_time()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = inner.send(Event::StartFailed(e.to_string()));
                        return;
                    }
                };
                rt.block_on(async move {
                    let mut task = make();
                    if let Err(e) = task.start().await {
                        let _ = inner.send(Event::StartFailed(e.to_string()));
                        return;
                    }
                    let _ = inner.send(Event::Started);
                    loop {
                        tokio::select! {
                            biased;
                            _ = stop_rx.changed() => break,
                            r = task.step() => if r.is_err() { break },
                        }
                    }
                    // An error from stop is logged by the worker, not fatal: it still stopped.
                    let _ = task.stop().await;
                    let _ = inner.send(Event::Stopped);
                });
            }));
            if let Err(payload) = run {
                let _ = events.send(Event::Panicked(panic_message(payload.as_ref())));
            }
        });
    if let Err(e) = spawned {
        return Verdict::Failed(format!("could not start a thread: {e}"));
    }
    match rx.recv_timeout(Duration::from_secs(30)) {
        Ok(Event::Started) => {}
        Ok(Event::StartFailed(e)) => {
            return Verdict::Failed(format!("the task did not start: {e}"))
        }
        Ok(Event::Panicked(m)) => return Verdict::Failed(format!("the task panicked: {m}")),
        Ok(Event::Stopped) | Err(_) => {
            return Verdict::Failed("the task had not started after 30 s".to_owned())
        }
    }
    // Let it get busy, then ask it to stop.
    std::thread::sleep(Duration::from_millis(300));
    let requested = Instant::now();
    let _ = stop_tx.send(true);
    match rx.recv_timeout(budget) {
        Ok(Event::Stopped) => Verdict::Passed,
        Ok(Event::Panicked(m)) => Verdict::Failed(format!("the task panicked while stopping: {m}")),
        Ok(_) | Err(_) => Verdict::Failed(format!(
            "a stop was requested while the task was {doing}, and {} ms later it had not \
             stopped. The worker gives a task {} ms (task.shutdown.graceful.timeout.ms) and then \
             abandons it, still running beside its replacement: the task's calls must reach an \
             `.await` regularly (never block the thread for long) and `stop` must return promptly",
            requested.elapsed().as_millis(),
            budget.as_millis()
        )),
    }
}

/// Starts and stops one task instance (the harness `make` builds) on a thread of its own.
pub(crate) fn start_and_stop<B, F>(make: F) -> std::result::Result<Result<()>, String>
where
    B: Busy + 'static,
    F: FnOnce() -> B + Send + 'static,
{
    let budget = Duration::from_secs(30);
    match on_own_thread("acceptance-task", budget, move || async move {
        let mut task = make();
        task.start().await?;
        task.stop().await
    }) {
        Outcome::Done(r) => Ok(r),
        Outcome::Panicked(m) => Err(format!("the task panicked while starting: {m}")),
        Outcome::TimedOut => Err(format!(
            "the task had not started and stopped after {} s",
            budget.as_secs()
        )),
    }
}

/// What [`start_and_stop`] gives back, for the connector checks.
pub(crate) type StartOutcome = std::result::Result<std::result::Result<(), ConnectError>, String>;
