//! Sink tasks: write records consumed from Kafka to a system.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;

use super::SinkRecord;
use crate::connector::Props;
use crate::errors::{ConnectError, Result};

/// A topic partition (Kafka's `TopicPartition`); `Display` is `topic-partition`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TopicPartition {
    /// The topic.
    pub topic: String,
    /// The partition.
    pub partition: i32,
}

impl TopicPartition {
    /// A topic partition.
    pub fn new(topic: impl Into<String>, partition: i32) -> TopicPartition {
        TopicPartition {
            topic: topic.into(),
            partition,
        }
    }
}

impl fmt::Display for TopicPartition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.topic, self.partition)
    }
}

/// An offset to commit, with optional metadata (Kafka's `OffsetAndMetadata`). The offset is
/// that of the *next* record to consume, as in Kafka.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffsetAndMetadata {
    /// The next offset to consume.
    pub offset: i64,
    /// Metadata stored with the commit.
    pub metadata: Option<String>,
}

impl OffsetAndMetadata {
    /// An offset without metadata.
    pub fn new(offset: i64) -> OffsetAndMetadata {
        OffsetAndMetadata {
            offset,
            metadata: None,
        }
    }
}

/// Reports a record the task could not process to the connector's error handling (dead letter
/// queue, log), without failing the task (Java's `ErrantRecordReporter`, KIP-610).
#[async_trait]
pub trait ErrantRecordReporter: Send + Sync {
    /// Reports `record` with the error it caused; returns once the report is durable.
    async fn report(&self, record: &SinkRecord, error: &ConnectError) -> Result<()>;
}

/// What a sink task may ask of the runtime (Java's `SinkTaskContext`).
pub trait SinkTaskContext: Send + Sync {
    /// The task's configuration.
    fn configs(&self) -> Props;
    /// Rewinds (or forwards) consumption of the given partitions to these offsets, e.g. to
    /// resume from offsets the sink system stored itself.
    fn offsets(&self, offsets: HashMap<TopicPartition, i64>);
    /// Rewinds one partition.
    fn offset(&self, partition: TopicPartition, offset: i64) {
        self.offsets(HashMap::from([(partition, offset)]));
    }
    /// After a retriable error, how long to wait before the same records are delivered again.
    fn timeout(&self, timeout_ms: u64);
    /// The partitions currently assigned to the task.
    fn assignment(&self) -> Vec<TopicPartition>;
    /// Stops fetching from these partitions until resumed.
    fn pause(&self, partitions: &[TopicPartition]);
    /// Resumes fetching from these partitions.
    fn resume(&self, partitions: &[TopicPartition]);
    /// Asks for an offset commit as soon as possible.
    fn request_commit(&self);
    /// The reporter for errant records, when the connector is configured with error
    /// tolerance (`errors.tolerance=all`); `None` otherwise.
    fn errant_record_reporter(&self) -> Option<Arc<dyn ErrantRecordReporter>>;
}

/// A sink task: writes records to an external system (Java's `SinkTask`).
///
/// Lifecycle, driven by the runtime:
/// 1. [`initialize`](SinkTask::initialize) with the context;
/// 2. [`start`](SinkTask::start) with the task configuration;
/// 3. [`open`](SinkTask::open) with the partitions assigned by the consumer group;
/// 4. [`put`](SinkTask::put) with each batch of records;
/// 5. [`pre_commit`](SinkTask::pre_commit) (by default [`flush`](SinkTask::flush)) before the
///    runtime commits offsets: only the offsets it returns are committed;
/// 6. [`close`](SinkTask::close) with partitions taken away by a rebalance;
/// 7. [`stop`](SinkTask::stop) once.
///
/// A [`ConnectError::Retriable`] from `put` makes the runtime pause and deliver the same batch
/// again after the context's timeout.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a sink task: it does not implement `connect_api::sink::SinkTask`",
    note = "implement `SinkTask` (with `#[async_trait]`) for the type before registering it with `sink_connector!`"
)]
#[async_trait]
pub trait SinkTask: Send + 'static {
    /// Receives the context. The default ignores it; keep it to rewind offsets, pause
    /// partitions or report errant records.
    fn initialize(&mut self, context: Arc<dyn SinkTaskContext>) {
        let _ = context;
    }

    /// Starts the task with its configuration.
    async fn start(&mut self, props: Props) -> Result<()>;

    /// Writes (or buffers) a batch of records. The batch is lent, not given: after a
    /// [`ConnectError::Retriable`] the runtime delivers the same records again.
    async fn put(&mut self, records: &[SinkRecord]) -> Result<()>;

    /// Makes everything `put` so far durable. The default does nothing, which is right only
    /// for tasks that write synchronously in `put`.
    async fn flush(
        &mut self,
        current_offsets: &HashMap<TopicPartition, OffsetAndMetadata>,
    ) -> Result<()> {
        let _ = current_offsets;
        Ok(())
    }

    /// Returns the offsets that are safe to commit. The default flushes and returns
    /// `current_offsets`; override it when the task writes asynchronously and knows better.
    async fn pre_commit(
        &mut self,
        current_offsets: HashMap<TopicPartition, OffsetAndMetadata>,
    ) -> Result<HashMap<TopicPartition, OffsetAndMetadata>> {
        self.flush(&current_offsets).await?;
        Ok(current_offsets)
    }

    /// Partitions newly assigned to the task. The default does nothing.
    async fn open(&mut self, partitions: &[TopicPartition]) -> Result<()> {
        let _ = partitions;
        Ok(())
    }

    /// Partitions no longer assigned; write out what is buffered for them. The default does
    /// nothing.
    async fn close(&mut self, partitions: &[TopicPartition]) -> Result<()> {
        let _ = partitions;
        Ok(())
    }

    /// Stops the task.
    async fn stop(&mut self) -> Result<()>;
}
