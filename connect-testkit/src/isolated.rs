//! Running plugin code on a thread of its own, as the worker runs each task, so that a call
//! that hangs or panics is observed instead of taking the test with it.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::mpsc;
use std::time::Duration;

/// How a call on its own thread ended.
#[derive(Debug)]
pub(crate) enum Outcome<T> {
    /// It returned.
    Done(T),
    /// It panicked, with this message.
    Panicked(String),
    /// It had not returned when the budget ran out. The thread is left to finish on its own,
    /// as the worker abandons a task that misses its shutdown deadline.
    TimedOut,
}

/// The text of a panic payload.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

/// Runs `f`'s future to completion on a new thread with a single-threaded runtime (timers
/// enabled), waiting at most `budget`.
pub(crate) fn on_own_thread<T, F, Fut>(name: &str, budget: Duration, f: F) -> Outcome<T>
where
    T: Send + 'static,
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = T>,
{
    let (tx, rx) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            let result = std::panic::catch_unwind(AssertUnwindSafe(|| match runtime() {
                Ok(rt) => Ok(rt.block_on(f())),
                Err(e) => Err(e),
            }));
            let outcome = match result {
                Ok(Ok(value)) => Outcome::Done(value),
                Ok(Err(e)) => Outcome::Panicked(format!("no runtime for the task: {e}")),
                Err(payload) => Outcome::Panicked(panic_message(payload.as_ref())),
            };
            // The receiver is gone when the budget ran out; nobody is waiting then.
            let _ = tx.send(outcome);
        });
    if let Err(e) = spawned {
        return Outcome::Panicked(format!("could not start a thread: {e}"));
    }
    match rx.recv_timeout(budget) {
        Ok(outcome) => outcome,
        Err(mpsc::RecvTimeoutError::Timeout) => Outcome::TimedOut,
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            Outcome::Panicked("the task thread ended without an answer".to_owned())
        }
    }
}

fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_values_panics_and_hangs() {
        // Generous where an answer is due: the machine may be busy with other tests.
        let budget = Duration::from_secs(30);
        assert!(matches!(
            on_own_thread("t", budget, || async { 7 }),
            Outcome::Done(7)
        ));
        match on_own_thread("t", budget, || async { panic!("boom") }) {
            Outcome::Panicked(m) => assert_eq!(m, "boom"),
            other => panic!("expected a panic, got {other:?}"),
        }
        let hang = on_own_thread("t", Duration::from_millis(300), || async {
            tokio::time::sleep(Duration::from_secs(60)).await;
        });
        assert!(matches!(hang, Outcome::TimedOut));
    }
}
