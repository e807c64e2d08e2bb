//! Error tolerance for the converter and transformation stages (Apache's
//! `RetryWithToleranceOperator`, KIP-298): retry retriable errors until `errors.retry.timeout`,
//! then fail the task (`errors.tolerance=none`) or skip the record (`all`), logging it when
//! `errors.log.enable` is set.

use std::sync::Arc;
use std::time::{Duration, Instant};

use connect_api::errors::{ConnectError, Result};
use tokio_util::sync::CancellationToken;

use crate::config::connector_config::{ConnectorConfig, ToleranceType};
use crate::metrics::ErrorMetrics;

/// Which step of the pipeline failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// A transformation or predicate.
    Transformation,
    /// The key converter.
    KeyConverter,
    /// The value converter.
    ValueConverter,
    /// The header converter.
    HeaderConverter,
    /// Producing to Kafka.
    KafkaProduce,
    /// The sink task's `put`, reporting a record through its errant record reporter.
    TaskPut,
}

impl Stage {
    /// Apache's stage name.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Transformation => "TRANSFORMATION",
            Stage::KeyConverter => "KEY_CONVERTER",
            Stage::ValueConverter => "VALUE_CONVERTER",
            Stage::HeaderConverter => "HEADER_CONVERTER",
            Stage::KafkaProduce => "KAFKA_PRODUCE",
            Stage::TaskPut => "TASK_PUT",
        }
    }
}

/// A record's failure that the policy tolerated, for the dead letter queue.
#[derive(Debug)]
pub struct Failure {
    /// The stage that failed.
    pub stage: Stage,
    /// What ran there.
    pub class: String,
    /// Why.
    pub error: ConnectError,
}

/// The error policy of one task.
#[derive(Debug)]
pub struct ErrorHandler {
    task: String,
    tolerance: ToleranceType,
    log: bool,
    retry_timeout_ms: i64,
    failed: u64,
    /// Cut short the back-off between retries: a stopping task must not sleep out a minute.
    stop: Option<CancellationToken>,
    /// Whether a retry was given up because of the stop.
    interrupted: bool,
    /// The last tolerated failure, until taken.
    last_failure: Option<Failure>,
    /// The task's `task-error-metrics`.
    metrics: Arc<ErrorMetrics>,
}

/// How long a back-off sleeps before it looks at the stop signal again.
const STOP_CHECK: Duration = Duration::from_millis(50);

impl ErrorHandler {
    /// The policy of a connector's tasks.
    pub fn new(task: String, config: &ConnectorConfig) -> ErrorHandler {
        ErrorHandler {
            task,
            tolerance: config.tolerance,
            log: config.errors_log_enable,
            retry_timeout_ms: config.errors_retry_timeout_ms,
            failed: 0,
            stop: None,
            interrupted: false,
            last_failure: None,
            metrics: Arc::default(),
        }
    }

    /// Counts into `metrics` (the task's `task-error-metrics`).
    pub fn with_metrics(mut self, metrics: Arc<ErrorMetrics>) -> ErrorHandler {
        self.metrics = metrics;
        self
    }

    /// Ends retries early once `stop` is cancelled: the operation then fails with a
    /// [`ConnectError`] saying so, and the record it was for is neither delivered nor
    /// committed.
    pub fn with_stop(mut self, stop: CancellationToken) -> ErrorHandler {
        self.stop = Some(stop);
        self
    }

    /// Whether a retry was given up because the task was told to stop: the error it
    /// returned then ends the task without failing it.
    pub fn interrupted(&self) -> bool {
        self.interrupted
    }

    fn stopping(&self) -> bool {
        self.stop
            .as_ref()
            .is_some_and(CancellationToken::is_cancelled)
    }

    /// Sleeps for `delay`, or less if the task is told to stop; says whether it was.
    fn back_off(&self, delay: Duration) -> bool {
        let until = Instant::now() + delay;
        loop {
            if self.stopping() {
                return true;
            }
            let now = Instant::now();
            if now >= until {
                return false;
            }
            // A synchronous sleep: converters and transformations run synchronously.
            std::thread::sleep((until - now).min(STOP_CHECK));
        }
    }

    /// The failure behind the last skipped record, once: `None` when the record was not
    /// skipped for an error (a transformation may drop records on purpose).
    pub fn take_failure(&mut self) -> Option<Failure> {
        self.last_failure.take()
    }

    /// Records skipped so far under `errors.tolerance=all`.
    pub fn skipped(&self) -> u64 {
        self.failed
    }

    /// Runs `op`, retrying retriable errors within the retry timeout. `Ok(None)` means the
    /// record failed and is to be skipped; an error means the task must fail.
    pub fn execute<T>(
        &mut self,
        stage: Stage,
        class: &str,
        context: impl Fn() -> String,
        mut op: impl FnMut() -> Result<T>,
    ) -> Result<Option<T>> {
        // The clock is read only once something failed: this runs several times per record.
        let mut start: Option<Instant> = None;
        let mut attempt: u32 = 0;
        loop {
            match op() {
                Ok(v) => return Ok(Some(v)),
                Err(e)
                    if e.is_retriable()
                        && self.may_retry(*start.get_or_insert_with(Instant::now)) =>
                {
                    ErrorMetrics::inc(&self.metrics.record_failures);
                    ErrorMetrics::inc(&self.metrics.retries);
                    attempt += 1;
                    let delay = 300u64.saturating_mul(1 << attempt.min(16)).min(60_000);
                    if self.back_off(Duration::from_millis(delay)) {
                        self.interrupted = true;
                        return Err(ConnectError::other_with(
                            format!(
                                "{} stopped while retrying stage '{}'",
                                self.task,
                                stage.name()
                            ),
                            e,
                        ));
                    }
                }
                Err(e) => return self.handle_failure(stage, class, &context(), e),
            }
        }
    }

    fn may_retry(&self, start: Instant) -> bool {
        match self.retry_timeout_ms {
            0 => false,
            t if t < 0 => true,
            t => start.elapsed() < Duration::from_millis(t as u64),
        }
    }

    fn handle_failure<T>(
        &mut self,
        stage: Stage,
        class: &str,
        context: &str,
        e: ConnectError,
    ) -> Result<Option<T>> {
        ErrorMetrics::inc(&self.metrics.record_failures);
        self.metrics.record_error();
        if self.log {
            ErrorMetrics::inc(&self.metrics.errors_logged);
        }
        if self.log || self.tolerance == ToleranceType::All {
            tracing::error!(
                "Error encountered in task {}. Executing stage '{}' with class '{}'{}: {}",
                self.task,
                stage.name(),
                class,
                context,
                e.trace()
            );
        }
        match self.tolerance {
            ToleranceType::None => Err(ConnectError::other_with(
                "Tolerance exceeded in error handler",
                e,
            )),
            ToleranceType::All => {
                self.failed += 1;
                ErrorMetrics::inc(&self.metrics.records_skipped);
                self.last_failure = Some(Failure {
                    stage,
                    class: class.to_owned(),
                    error: e,
                });
                Ok(None)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::connector_config::ConnectorConfig;

    fn handler(retry_timeout_ms: &str, stop: &CancellationToken) -> ErrorHandler {
        let props = [
            ("name", "c"),
            ("connector.class", "X"),
            ("errors.retry.timeout", retry_timeout_ms),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let config = ConnectorConfig::parse(&props).unwrap();
        ErrorHandler::new("c-0".into(), &config).with_stop(stop.clone())
    }

    #[test]
    fn the_stop_cuts_a_retry_back_off_short() {
        let stop = CancellationToken::new();
        let mut h = handler("-1", &stop);
        let trigger = stop.clone();
        let stopper = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            trigger.cancel();
        });
        let started = Instant::now();
        let r: Result<Option<()>> = h.execute(Stage::ValueConverter, "x", String::new, || {
            Err(ConnectError::retriable("broker away"))
        });
        stopper.join().unwrap();
        assert!(r.is_err());
        assert!(h.interrupted());
        // Retrying forever without the stop; the back-off alone would reach a minute.
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn a_failure_without_the_stop_is_not_an_interruption() {
        let stop = CancellationToken::new();
        let mut h = handler("0", &stop);
        let r: Result<Option<()>> = h.execute(Stage::ValueConverter, "x", String::new, || {
            Err(ConnectError::retriable("broker away"))
        });
        assert!(r.is_err());
        assert!(!h.interrupted());
    }
}
