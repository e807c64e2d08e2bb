//! Error tolerance for the converter and transformation stages (Apache's
//! `RetryWithToleranceOperator`, KIP-298): retry retriable errors until `errors.retry.timeout`,
//! then fail the task (`errors.tolerance=none`) or skip the record (`all`), logging it when
//! `errors.log.enable` is set.

use std::time::{Duration, Instant};

use connect_api::errors::{ConnectError, Result};

use crate::config::connector_config::{ConnectorConfig, ToleranceType};

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
        }
    }
}

/// The error policy of one task.
#[derive(Debug, Clone)]
pub struct ErrorHandler {
    task: String,
    tolerance: ToleranceType,
    log: bool,
    retry_timeout_ms: i64,
    failed: u64,
}

impl ErrorHandler {
    /// The policy of a connector's tasks.
    pub fn new(task: String, config: &ConnectorConfig) -> ErrorHandler {
        ErrorHandler {
            task,
            tolerance: config.tolerance,
            log: config.errors_log_enable,
            retry_timeout_ms: config.errors_retry_timeout_ms,
            failed: 0,
        }
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
                    attempt += 1;
                    let delay = 300u64.saturating_mul(1 << attempt.min(16)).min(60_000);
                    std::thread::sleep(Duration::from_millis(delay));
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
                Ok(None)
            }
        }
    }
}
