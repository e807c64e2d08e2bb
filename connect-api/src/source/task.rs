//! Source tasks: pull records from a system and hand them to the runtime.

use std::sync::Arc;

use async_trait::async_trait;

use super::{SourceRecord, TransactionContext};
use crate::connector::Props;
use crate::errors::Result;
use crate::storage::OffsetStorageReader;

/// Where a record ended up in Kafka, passed to [`SourceTask::commit_record`]
/// (Kafka's `RecordMetadata`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordMetadata {
    /// The topic written to (shared: every record of a topic points at the same name).
    pub topic: Arc<str>,
    /// The partition written to.
    pub partition: i32,
    /// The offset assigned by the broker, if known.
    pub offset: Option<i64>,
    /// The record's timestamp, if known.
    pub timestamp: Option<i64>,
}

/// What a source task may ask of the runtime (Java's `SourceTaskContext`).
pub trait SourceTaskContext: Send + Sync {
    /// The task's configuration.
    fn configs(&self) -> Props;

    /// Reads the offsets the runtime committed for this connector, to resume where a previous
    /// run stopped.
    fn offset_storage_reader(&self) -> Arc<dyn OffsetStorageReader>;

    /// The transaction context, when the connector defines its own transaction boundaries
    /// under exactly-once support; `None` otherwise.
    fn transaction_context(&self) -> Option<Arc<dyn TransactionContext>> {
        None
    }
}

/// A source task: reads records from an external system (Java's `SourceTask`).
///
/// Lifecycle, driven by the runtime:
/// 1. [`initialize`](SourceTask::initialize) with the context (keep it to read offsets);
/// 2. [`start`](SourceTask::start) with the task configuration the connector produced;
/// 3. [`poll`](SourceTask::poll) in a loop; each batch is transformed, converted and produced;
/// 4. [`commit_record`](SourceTask::commit_record) for each record Kafka acknowledged and
///    [`commit`](SourceTask::commit) after offsets were committed;
/// 5. [`stop`](SourceTask::stop) once, after the last `poll` returned.
///
/// The runtime never calls two methods at once: `poll` is not interrupted by a stop request;
/// it should return (possibly an empty batch) within about a second so the task can be stopped
/// or paused promptly.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a source task: it does not implement `connect_api::source::SourceTask`",
    note = "implement `SourceTask` (with `#[async_trait]`) for the type before registering it with `source_connector!`"
)]
#[async_trait]
pub trait SourceTask: Send + 'static {
    /// Receives the context. The default ignores it; keep it if the task resumes from
    /// committed offsets.
    fn initialize(&mut self, context: Arc<dyn SourceTaskContext>) {
        let _ = context;
    }

    /// Starts the task with its configuration.
    async fn start(&mut self, props: Props) -> Result<()>;

    /// Returns the next batch of records; an empty batch means "nothing yet". Should wait for
    /// data for a short while rather than spin, and return within about a second.
    async fn poll(&mut self) -> Result<Vec<SourceRecord>>;

    /// Called after the runtime committed offsets. The default does nothing; override it when
    /// the source system needs its own acknowledgement (e.g. a queue's ack).
    async fn commit(&mut self) -> Result<()> {
        Ok(())
    }

    /// Whether the runtime should call [`commit_record`](SourceTask::commit_record) for every
    /// record. The default, `true`, is always correct; a task that does not override
    /// `commit_record` may return `false` so that the runtime keeps only each record's offset
    /// until Kafka acknowledges it, not the whole record (less memory, less copying).
    fn wants_record_callbacks(&self) -> bool {
        true
    }

    /// Called for each record once Kafka acknowledged it (`metadata`), or once it was dropped
    /// by a transformation or skipped by the error policy (`None`). The record is the one the
    /// task returned from `poll`, before transformations. The default does nothing. Not
    /// called when [`wants_record_callbacks`](SourceTask::wants_record_callbacks) is `false`.
    fn commit_record(
        &mut self,
        record: &SourceRecord,
        metadata: Option<&RecordMetadata>,
    ) -> Result<()> {
        let _ = (record, metadata);
        Ok(())
    }

    /// Stops the task and releases its resources.
    async fn stop(&mut self) -> Result<()>;
}
