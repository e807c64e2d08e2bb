//! Source offset commits (Apache's `SourceTaskOffsetCommitter` and `OffsetStorageWriter`):
//! collects acknowledged records, keeps the newest committable offset per source partition,
//! and writes them in the background on a schedule, independently of the task's `poll`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;

use connect_api::errors::Result;
use connect_api::source::{RecordMetadata, SourceOffset, SourceRecord};

use super::submitted_records::{Drained, PartitionKey, SubmittedRecords};
use super::{TaskId, TaskStatusListener};
use crate::metrics::TaskMetrics;
use crate::storage::offset_codec::{offset_key, offset_value};
use crate::storage::OffsetBackingStore;

struct InFlight {
    handle: tokio::task::JoinHandle<Result<()>>,
    entries: HashMap<PartitionKey, SourceOffset>,
    started: Instant,
    /// How long the write took, in µs, set when it ends (the loop may look later).
    took_us: Arc<AtomicU64>,
}

/// The offset bookkeeping of one source task.
pub struct OffsetCommitter {
    id: TaskId,
    submitted: SubmittedRecords,
    store: Arc<dyn OffsetBackingStore>,
    status: Arc<dyn TaskStatusListener>,
    flush_timeout: Duration,
    /// The newest acknowledged offset per partition, not yet written. Hashed: a MirrorMaker
    /// task owns hundreds of source partitions.
    committable: HashMap<PartitionKey, SourceOffset>,
    acked_since_commit: usize,
    in_flight: Option<InFlight>,
    /// Acknowledged records whose `commit_record` callback is still due.
    deferred: Vec<(Box<SourceRecord>, Option<RecordMetadata>)>,
    /// Reused between drains.
    scratch: Vec<Drained>,
    /// Successful writes whose `commit` callback is still due.
    commits_due: usize,
    topics_used: std::collections::HashSet<Arc<str>>,
    /// The topic of the previous acknowledged record: runs of records to one topic skip the
    /// set lookup.
    last_topic: Option<Arc<str>>,
    /// Set when the task missed its stop deadline and a replacement may be running: from
    /// then on this task writes no offsets, which could go back behind the replacement's.
    abandoned: CancellationToken,
    /// Where commit times and outcomes are counted.
    metrics: Option<Arc<TaskMetrics>>,
}

impl OffsetCommitter {
    /// Bookkeeping for a task whose records go through `submitted`.
    pub fn new(
        id: TaskId,
        submitted: SubmittedRecords,
        store: Arc<dyn OffsetBackingStore>,
        status: Arc<dyn TaskStatusListener>,
        flush_timeout: Duration,
        abandoned: CancellationToken,
    ) -> OffsetCommitter {
        OffsetCommitter {
            id,
            submitted,
            store,
            status,
            flush_timeout,
            committable: HashMap::new(),
            acked_since_commit: 0,
            in_flight: None,
            deferred: Vec::new(),
            scratch: Vec::new(),
            commits_due: 0,
            topics_used: std::collections::HashSet::new(),
            last_topic: None,
            abandoned,
            metrics: None,
        }
    }

    /// Counts commit times and outcomes into the task's `connector-task-metrics`.
    pub fn with_metrics(mut self, metrics: Arc<TaskMetrics>) -> OffsetCommitter {
        self.metrics = Some(metrics);
        self
    }

    /// Moves acknowledged records out of the submitted table; their offsets become
    /// committable and their `commit_record` callbacks due.
    pub fn drain(&mut self) {
        let mut drained = std::mem::take(&mut self.scratch);
        self.submitted.drain_acknowledged(&mut drained);
        self.acked_since_commit += drained.len();
        // The records of one partition come out together, oldest first: only the last of
        // each run carries the offset to commit, so there is one map update per partition.
        let mut records = drained.drain(..).peekable();
        while let Some(d) = records.next() {
            if let Some(m) = &d.metadata {
                let seen = self
                    .last_topic
                    .as_ref()
                    .is_some_and(|t| Arc::ptr_eq(t, &m.topic));
                if !seen {
                    if !self.topics_used.contains(&m.topic) {
                        self.status.on_topic_used(&self.id, &m.topic);
                        self.topics_used.insert(m.topic.clone());
                    }
                    self.last_topic = Some(m.topic.clone());
                }
            }
            let last_of_run = records
                .peek()
                .is_none_or(|next| !Arc::ptr_eq(&next.partition, &d.partition));
            if let Some(record) = d.record {
                self.deferred.push((record, d.metadata));
            }
            if last_of_run {
                self.committable.insert(PartitionKey(d.partition), d.offset);
            }
        }
        drop(records);
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
        let _context = crate::logging::offsets_span(&self.id).entered();
        if self.abandoned.is_cancelled() {
            if !self.committable.is_empty() {
                tracing::warn!(
                    "{} Skipping offset commit: the task has been cancelled",
                    self.id
                );
                self.committable.clear();
            }
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
        for (PartitionKey(partition), offset) in &entries_to_write {
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
        let took_us = Arc::new(AtomicU64::new(0));
        let took = took_us.clone();
        let started = Instant::now();
        self.in_flight = Some(InFlight {
            handle: tokio::spawn(
                async move {
                    let written = store.set(entries).await;
                    took.store(started.elapsed().as_micros() as u64, Ordering::Relaxed);
                    written
                }
                .instrument(crate::logging::offsets_span(&self.id)),
            ),
            entries: entries_to_write,
            started,
            took_us,
        });
    }

    /// Checks on the background write; with `wait`, waits for it. Either way a write that
    /// has taken longer than `offset.flush.timeout.ms` is cancelled, as in Apache, so a hung
    /// store cannot stop offsets from being committed for good. A failed or cancelled write
    /// keeps its offsets for the next attempt unless newer ones arrived; failures never fail
    /// the task.
    pub async fn finish(&mut self, wait: bool) {
        let Some(c) = &mut self.in_flight else { return };
        let remaining = self.flush_timeout.saturating_sub(c.started.elapsed());
        let outcome = if c.handle.is_finished() {
            Ok((&mut c.handle).await)
        } else if remaining.is_zero() {
            Err(())
        } else if !wait {
            return;
        } else {
            tokio::time::timeout(remaining, &mut c.handle)
                .await
                .map_err(|_| ())
        };
        let Some(c) = self.in_flight.take() else {
            return;
        };
        // No await from here on: the context may be entered.
        let _context = crate::logging::offsets_span(&self.id).entered();
        if let Some(m) = &self.metrics {
            let took = match c.took_us.load(Ordering::Relaxed) {
                0 => c.started.elapsed(),
                us => Duration::from_micros(us),
            };
            m.offset_commit(took, matches!(outcome, Ok(Ok(Ok(())))));
        }
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
            self.committable.entry(partition).or_insert(offset);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::MemoryOffsetBackingStore;
    use async_trait::async_trait;
    use connect_api::data::Value;
    use connect_api::source::SourcePartition;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct NoStatus;
    impl TaskStatusListener for NoStatus {
        fn on_task_state(&self, _: &TaskId, _: super::super::State, _: Option<String>) {}
    }

    /// Its first write never finishes, like a write to a hung disk or broker.
    #[derive(Default)]
    struct FirstWriteHangs {
        calls: AtomicUsize,
        stored: MemoryOffsetBackingStore,
    }

    #[async_trait]
    impl OffsetBackingStore for FirstWriteHangs {
        async fn get(
            &self,
            keys: &[Vec<u8>],
        ) -> Result<std::collections::HashMap<Vec<u8>, Vec<u8>>> {
            self.stored.get(keys).await
        }
        async fn set(
            &self,
            entries: crate::storage::offset_backing_store::OffsetEntries,
        ) -> Result<()> {
            if self.calls.fetch_add(1, Ordering::SeqCst) == 0 {
                std::future::pending::<()>().await;
            }
            self.stored.set(entries).await
        }
        async fn all(&self) -> Result<std::collections::HashMap<Vec<u8>, Vec<u8>>> {
            self.stored.all().await
        }
    }

    fn committer(
        store: Arc<dyn OffsetBackingStore>,
        flush_timeout: Duration,
        abandoned: CancellationToken,
    ) -> (SubmittedRecords, OffsetCommitter) {
        let submitted = SubmittedRecords::default();
        let c = OffsetCommitter::new(
            TaskId::new("src", 0),
            submitted.clone(),
            store,
            Arc::new(NoStatus),
            flush_timeout,
            abandoned,
        );
        (submitted, c)
    }

    /// Submits and acknowledges one record of partition `{f: a}` at `position`.
    fn acknowledged(submitted: &SubmittedRecords, position: i64) {
        let p = Arc::new(SourcePartition::from([("f".into(), Value::from("a"))]));
        let record = SourceRecord::new(
            p,
            SourceOffset::from([("position".into(), Value::Int64(position))]),
            "t",
            None,
            Value::Null,
        );
        let id = submitted.submit(record, Arc::from("t"));
        submitted.acknowledge(id, super::super::submitted_records::Ack::Skipped);
    }

    #[tokio::test]
    async fn hung_write_is_timed_out_and_retried_with_its_offsets() {
        let store = Arc::new(FirstWriteHangs::default());
        let (submitted, mut c) = committer(
            store.clone(),
            Duration::from_millis(50),
            CancellationToken::new(),
        );
        acknowledged(&submitted, 7);
        c.drain();
        c.start();
        tokio::time::sleep(Duration::from_millis(80)).await;
        // What the task loop does on every pass and at the next flush interval.
        c.drain();
        c.finish(false).await;
        c.start();
        c.finish(true).await;
        assert_eq!(c.take_commits_due(), 1);
        assert_eq!(store.calls.load(Ordering::SeqCst), 2);
        let stored = store.stored.all().await.unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(
            stored.values().next().map(|v| v.as_slice()),
            Some(&br#"{"position":7}"#[..])
        );
    }

    #[tokio::test]
    async fn newest_offset_of_each_partition_is_written() {
        let store = Arc::new(MemoryOffsetBackingStore::default());
        let (submitted, mut c) = committer(
            store.clone(),
            Duration::from_secs(5),
            CancellationToken::new(),
        );
        let parts: Vec<_> = (0..200)
            .map(|i| Arc::new(SourcePartition::from([("f".into(), Value::Int32(i))])))
            .collect();
        let mut ids = Vec::new();
        for pos in 0..3i64 {
            for p in &parts {
                let r = SourceRecord::new(
                    p.clone(),
                    SourceOffset::from([("position".into(), Value::Int64(pos))]),
                    "t",
                    None,
                    Value::Null,
                );
                ids.push(submitted.submit(r, Arc::from("t")));
            }
        }
        // Partition 0's last record is still outstanding: it commits its second offset.
        for (i, id) in ids.iter().enumerate() {
            if i != 400 {
                submitted.acknowledge(*id, super::super::submitted_records::Ack::Skipped);
            }
        }
        c.drain();
        c.start();
        c.finish(true).await;
        let stored = store.all().await.unwrap();
        assert_eq!(stored.len(), 200);
        for (i, p) in parts.iter().enumerate() {
            let key = offset_key("src", p).unwrap();
            let want: &[u8] = if i == 0 {
                br#"{"position":1}"#
            } else {
                br#"{"position":2}"#
            };
            assert_eq!(stored[&key], want, "partition {i}");
        }
    }

    #[tokio::test]
    async fn an_abandoned_task_writes_no_offsets() {
        let store = Arc::new(MemoryOffsetBackingStore::default());
        let abandoned = CancellationToken::new();
        let (submitted, mut c) =
            committer(store.clone(), Duration::from_secs(5), abandoned.clone());
        acknowledged(&submitted, 7);
        c.drain();
        abandoned.cancel();
        c.start();
        c.finish(true).await;
        assert!(store.all().await.unwrap().is_empty());
    }
}
