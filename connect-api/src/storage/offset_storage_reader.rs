//! Reading committed source offsets.

use async_trait::async_trait;

use crate::errors::Result;
use crate::source::{SourceOffset, SourcePartition};

/// Reads the offsets committed for a connector's source partitions (Java's
/// `OffsetStorageReader`), so a task can resume where it stopped.
#[async_trait]
pub trait OffsetStorageReader: Send + Sync {
    /// The committed offset of one partition, if any.
    async fn offset(&self, partition: &SourcePartition) -> Result<Option<SourceOffset>>;

    /// The committed offsets of several partitions, in the same order. The default reads them
    /// one by one.
    async fn offsets(
        &self,
        partitions: &[SourcePartition],
    ) -> Result<Vec<(SourcePartition, Option<SourceOffset>)>> {
        let mut out = Vec::with_capacity(partitions.len());
        for p in partitions {
            out.push((p.clone(), self.offset(p).await?));
        }
        Ok(out)
    }
}
