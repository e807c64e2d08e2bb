//! Committed source offsets, kept in memory the way the worker's offset store keeps them.

use std::sync::{Arc, Mutex, MutexGuard};

use connect_api::errors::Result;
use connect_api::prelude::async_trait;
use connect_api::source::{SourceOffset, SourcePartition};
use connect_api::storage::OffsetStorageReader;

/// The offsets a worker has committed for one connector's source partitions. Clones share one
/// store, so offsets committed by one task instance are what the next instance reads: a
/// restart in the harness resumes exactly as a restarted worker would.
#[derive(Debug, Clone, Default)]
pub struct MemoryOffsetStore {
    // Source partitions are maps of Connect values (floats among them), which are neither
    // `Hash` nor `Ord`; a connector's partitions are few, so a list is enough.
    entries: Arc<Mutex<Vec<(SourcePartition, SourceOffset)>>>,
}

impl MemoryOffsetStore {
    /// An empty store: nothing committed yet.
    pub fn new() -> MemoryOffsetStore {
        MemoryOffsetStore::default()
    }

    fn lock(&self) -> MutexGuard<'_, Vec<(SourcePartition, SourceOffset)>> {
        // A panic elsewhere while holding the lock leaves the list itself intact.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The committed offset of `partition`, if any.
    pub fn get(&self, partition: &SourcePartition) -> Option<SourceOffset> {
        self.lock()
            .iter()
            .find(|(p, _)| p == partition)
            .map(|(_, o)| o.clone())
    }

    /// Commits `offset` for `partition`, replacing what was there (an offset written before
    /// the task first starts is where it resumes, as with `PATCH /connectors/{c}/offsets`).
    pub fn set(&self, partition: SourcePartition, offset: SourceOffset) {
        let mut entries = self.lock();
        match entries.iter_mut().find(|(p, _)| *p == partition) {
            Some((_, o)) => *o = offset,
            None => entries.push((partition, offset)),
        }
    }

    /// Removes the committed offset of `partition`.
    pub fn remove(&self, partition: &SourcePartition) {
        self.lock().retain(|(p, _)| p != partition);
    }

    /// Every committed partition and offset, in the order first committed.
    pub fn all(&self) -> Vec<(SourcePartition, SourceOffset)> {
        self.lock().clone()
    }
}

#[async_trait]
impl OffsetStorageReader for MemoryOffsetStore {
    async fn offset(&self, partition: &SourcePartition) -> Result<Option<SourceOffset>> {
        Ok(self.get(partition))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use connect_api::data::Value;

    fn partition(name: &str) -> SourcePartition {
        SourcePartition::from([("file".to_owned(), Value::from(name))])
    }

    #[tokio::test]
    async fn clones_share_commits() {
        let store = MemoryOffsetStore::new();
        let reader = store.clone();
        store.set(
            partition("a"),
            SourceOffset::from([("pos".to_owned(), Value::Int64(3))]),
        );
        store.set(
            partition("a"),
            SourceOffset::from([("pos".to_owned(), Value::Int64(7))]),
        );
        let got = reader.offset(&partition("a")).await.ok().flatten();
        assert_eq!(
            got.and_then(|o| o.get("pos").and_then(Value::as_i64)),
            Some(7)
        );
        assert_eq!(reader.offset(&partition("b")).await.ok().flatten(), None);
        assert_eq!(store.all().len(), 1);
    }
}
