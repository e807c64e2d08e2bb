//! Source offset commits (Apache's `SourceTaskOffsetCommitter` and `OffsetStorageWriter`):
//! collects acknowledged records, keeps the newest committable offset per source partition,
//! and writes them in the background on a schedule, independently of the task's `poll`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use connect_api::errors::Result;
use connect_api::source::{RecordMetadata, SourceOffset, SourcePartition, SourceRecord};

use super::submitted_records::{Drained, SubmittedRecords};
use super::{TaskId, TaskStatusListener};
use crate::storage::offset_codec::{offset_key, offset_value};
use crate::storage::OffsetBackingStore;

struct InFlight {
    handle: tokio::task::JoinHandle<Result<()>>,
    entries: Vec<(Arc<SourcePartition>, SourceOffset)>,
    started: Instant,
}

/// The offset bookkeeping of one source task.
pub struct OffsetCommitter {
    id: TaskId,
    submitted: SubmittedRecords,
    store: Arc<dyn OffsetBackingStore>,
    status: Arc<dyn TaskStatusListener>,
    flush_timeout: Duration,
    /// The newest acknowledged offset per partition, not yet written. Partitions are few per
    /// task; a list beats hashing maps of values.
    committable: Vec<(Arc<SourcePartition>, SourceOffset)>,
    acked_since_commit: usize,
    in_flight: Option<InFlight>,
    /// Acknowledged records whose `commit_record` callback is still due.
    deferred: Vec<(Box<SourceRecord>, Option<RecordMetadata>)>,
    /// Reused between drains.
    scratch: Vec<Drained>,
    /// Successful writes whose `commit` callback is still due.
    commits_due: usize,
    topics_used: std::collections::HashSet<Arc<str>>,
}

fn same(a: &Arc<SourcePartition>, b: &Arc<SourcePartition>) -> bool {
    Arc::ptr_eq(a, b) || **a == **b
}

impl OffsetCommitter {
    /// Bookkeeping for a task whose records go through `submitted`.
    pub fn new(
        id: TaskId,
        submitted: SubmittedRecords,
        store: Arc<dyn OffsetBackingStore>,
        status: Arc<dyn TaskStatusListener>,
        flush_timeout: Duration,
    ) -> OffsetCommitter {
        OffsetCommitter {
            id,
            submitted,
            store,
            status,
            flush_timeout,
            committable: Vec::new(),
            acked_since_commit: 0,
            in_flight: None,
            deferred: Vec::new(),
            scratch: Vec::new(),
            commits_due: 0,
            topics_used: std::collections::HashSet::new(),
        }
    }

    /// Moves acknowledged records out of the submitted table; their offsets become
    /// committable and their `commit_record` callbacks due.
    pub fn drain(&mut self) {
        let mut drained = std::mem::take(&mut self.scratch);
        self.submitted.drain_acknowledged(&mut drained);
        self.acked_since_commit += drained.len();
        // Only the last record of each partition matters for the committable offset: walk
        // backwards and keep the first offset seen per partition.
        let mut seen: Vec<Arc<SourcePartition>> = Vec::new();
        let first_new = self.deferred.len();
        for d in drained.drain(..).rev() {
            if let Some(m) = &d.metadata {
                if !self.topics_used.contains(&m.topic) {
                    self.status.on_topic_used(&self.id, &m.topic);
                    self.topics_used.insert(m.topic.clone());
                }
            }
            if !seen.iter().any(|p| same(p, &d.partition)) {
                match self
                    .committable
                    .iter_mut()
                    .find(|(p, _)| same(p, &d.partition))
                {
                    Some((_, o)) => *o = d.offset,
                    None => self.committable.push((d.partition.clone(), d.offset)),
                }
                seen.push(d.partition);
            }
            if let Some(record) = d.record {
                self.deferred.push((record, d.metadata));
            }
        }
        // Collected backwards; callbacks run in acknowledgement order.
        self.deferred[first_new..].reverse();
        self.scratch = drained;
    }

    /// Takes the records whose `commit_record` callback is due.
    pub fn take_deferred(&mut self, into: &mut Vec<(Box<SourceRecord>, Option<RecordMetadata>)>) {
        into.append(&mut self.deferred);
    }

    /// How many `commit` callbacks are due (and forgets them).
    pub fn take_commits_due(&mut self) -> usize {
        std::mem::take(&mut self.commits_due)
    }

    /// Starts writing the committable offsets in the background (one write at a time).
    pub fn start(&mut self) {
        if self.in_flight.is_some() {
            return;
        }
        if self.committable.is_empty() {
            // Nothing new: Apache still calls the task's commit.
            self.commits_due += 1;
            return;
        }
        tracing::info!(
            "WorkerSourceTask{{id={}}} Committing offsets for {} acknowledged messages",
            self.id,
            self.acked_since_commit
        );
        self.acked_since_commit = 0;
        let entries_to_write = std::mem::take(&mut self.committable);
        let mut entries = HashMap::with_capacity(entries_to_write.len());
        for (partition, offset) in &entries_to_write {
            match (
                offset_key(&self.id.connector, partition),
                offset_value(offset),
            ) {
                (Ok(k), Ok(v)) => {
                    entries.insert(k, Some(v));
                }
                (Err(e), _) | (_, Err(e)) => {
                    tracing::error!(
                        "{} Invalid offset or partition, not committed: {e}",
                        self.id
                    );
                }
            }
        }
        let store = self.store.clone();
        self.in_flight = Some(InFlight {
            handle: tokio::spawn(async move { store.set(entries).await }),
            entries: entries_to_write,
            started: Instant::now(),
        });
    }

    /// Checks on the background write; with `wait`, waits for it (at most
    /// `offset.flush.timeout.ms`). A failed or timed-out write keeps its offsets for the next
    /// attempt unless newer ones arrived; failures never fail the task.
    pub async fn finish(&mut self, wait: bool) {
        let Some(c) = &mut self.in_flight else { return };
        if !wait && !c.handle.is_finished() {
            return;
        }
        let remaining = self.flush_timeout.saturating_sub(c.started.elapsed());
        let outcome =
            tokio::time::timeout(remaining.max(Duration::from_millis(1)), &mut c.handle).await;
        let Some(c) = self.in_flight.take() else {
            return;
        };
        match outcome {
            Ok(Ok(Ok(()))) => {
                tracing::debug!(
                    "{} Finished commitOffsets successfully in {} ms",
                    self.id,
                    c.started.elapsed().as_millis()
                );
                self.commits_due += 1;
                return;
            }
            Ok(Ok(Err(e))) => {
                tracing::error!("{} Failed to flush offsets to storage: {e}", self.id)
            }
            Ok(Err(e)) => tracing::error!("{} Offset writer failed: {e}", self.id),
            Err(_) => {
                tracing::error!("{} Timed out waiting to flush offsets to storage; will try again on next flush interval with latest offsets", self.id);
                c.handle.abort();
            }
        }
        for (partition, offset) in c.entries {
            if !self.committable.iter().any(|(p, _)| same(p, &partition)) {
                self.committable.push((partition, offset));
            }
        }
    }
}
