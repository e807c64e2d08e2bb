//! Offset syncs: which remote offset a source offset was written to, emitted by the rules of
//! Apache's `OffsetSyncWriter` so that checkpoints can translate consumer positions.

use std::collections::HashMap;

use rdkafka::producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};
use tracing::warn;

use crate::records::OffsetSync;

#[derive(Debug, Clone, Copy)]
struct PartitionState {
    previous_upstream: i64,
    previous_downstream: i64,
    last_sync_downstream: i64,
}

impl Default for PartitionState {
    fn default() -> Self {
        PartitionState {
            previous_upstream: -1,
            previous_downstream: -1,
            last_sync_downstream: -1,
        }
    }
}

/// Decides which syncs to emit (one per partition pending at a time, latest wins).
#[derive(Debug, Default)]
pub struct SyncRules {
    lag_max: i64,
    states: HashMap<(String, i32), PartitionState>,
    pending: Vec<OffsetSync>,
    delayed: HashMap<(String, i32), OffsetSync>,
}

impl SyncRules {
    /// Rules with `offset.lag.max`.
    pub fn new(lag_max: i64) -> SyncRules {
        SyncRules {
            lag_max,
            ..SyncRules::default()
        }
    }

    fn queue(&mut self, sync: OffsetSync) {
        if let Some(p) = self
            .pending
            .iter_mut()
            .find(|p| p.topic == sync.topic && p.partition == sync.partition)
        {
            *p = sync;
        } else {
            self.pending.push(sync);
        }
    }

    /// Source record `upstream` of `topic`-`partition` was written at `downstream`.
    pub fn record(&mut self, topic: &str, partition: i32, upstream: i64, downstream: i64) {
        let key = (topic.to_owned(), partition);
        let state = self.states.entry(key.clone()).or_default();
        let sync = OffsetSync {
            topic: topic.to_owned(),
            partition,
            upstream,
            downstream,
        };
        let now = state.last_sync_downstream == -1
            || downstream - (state.last_sync_downstream + 1) >= self.lag_max
            || upstream - state.previous_upstream != 1
            || downstream < state.previous_downstream;
        state.previous_upstream = upstream;
        state.previous_downstream = downstream;
        if now {
            state.last_sync_downstream = downstream;
            self.delayed.remove(&key);
            self.queue(sync);
        } else {
            self.delayed.insert(key, sync);
        }
    }

    /// On an offset commit: the syncs held back become due, so quiet partitions get theirs.
    pub fn promote_delayed(&mut self) {
        let delayed: Vec<OffsetSync> = self.delayed.drain().map(|(_, s)| s).collect();
        for sync in delayed {
            if let Some(state) = self.states.get_mut(&(sync.topic.clone(), sync.partition)) {
                state.last_sync_downstream = sync.downstream;
            }
            self.queue(sync);
        }
    }

    /// The syncs due, oldest first.
    pub fn take_pending(&mut self) -> Vec<OffsetSync> {
        std::mem::take(&mut self.pending)
    }
}

/// Sends the due syncs to partition 0 of the offset-syncs topic.
pub struct OffsetSyncWriter {
    rules: SyncRules,
    topic: String,
    producer: ThreadedProducer<DefaultProducerContext>,
}

impl OffsetSyncWriter {
    /// A writer to `topic` through `producer`.
    pub fn new(
        lag_max: i64,
        topic: String,
        producer: ThreadedProducer<DefaultProducerContext>,
    ) -> OffsetSyncWriter {
        OffsetSyncWriter {
            rules: SyncRules::new(lag_max),
            topic,
            producer,
        }
    }

    /// See [`SyncRules::record`]; sends what is due.
    pub fn record(&mut self, topic: &str, partition: i32, upstream: i64, downstream: i64) {
        self.rules.record(topic, partition, upstream, downstream);
        self.fire();
    }

    /// See [`SyncRules::promote_delayed`]; sends what is due.
    pub fn commit(&mut self) {
        self.rules.promote_delayed();
        self.fire();
    }

    fn fire(&mut self) {
        for sync in self.rules.take_pending() {
            let (key, value) = (sync.key(), sync.value());
            let record = BaseRecord::<[u8], [u8]>::to(&self.topic)
                .partition(0)
                .key(&key)
                .payload(&value);
            // As Apache: a sync that cannot be sent is only logged; a later one supersedes it.
            if let Err((e, _)) = self.producer.send(record) {
                warn!("Could not send an offset sync to {}: {e}", self.topic);
            }
        }
    }

    /// Sends what is queued, waiting up to `timeout`.
    pub fn close(&self, timeout: std::time::Duration) {
        if let Err(e) = self.producer.flush(timeout) {
            warn!("Offset syncs to {} were not all sent: {e}", self.topic);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(rules: &mut SyncRules) -> Vec<(i64, i64)> {
        rules
            .take_pending()
            .into_iter()
            .map(|s| (s.upstream, s.downstream))
            .collect()
    }

    #[test]
    fn syncs_follow_apaches_rules() {
        let mut r = SyncRules::new(100);
        r.record("t", 0, 0, 0);
        assert_eq!(pairs(&mut r), [(0, 0)], "the first record always syncs");
        for u in 1..=101 {
            r.record("t", 0, u, u);
        }
        assert_eq!(
            pairs(&mut r),
            [(101, 101)],
            "a sync once the lag reaches offset.lag.max"
        );
        r.record("t", 0, 105, 102);
        assert_eq!(pairs(&mut r), [(105, 102)], "an upstream gap syncs at once");
        r.record("t", 0, 106, 103);
        assert!(pairs(&mut r).is_empty());
        r.promote_delayed();
        assert_eq!(pairs(&mut r), [(106, 103)], "held back until the commit");
        r.record("t", 0, 107, 50);
        assert_eq!(
            pairs(&mut r),
            [(107, 50)],
            "a downstream truncation syncs at once"
        );
    }

    #[test]
    fn every_record_syncs_with_lag_zero() {
        let mut r = SyncRules::new(0);
        for u in 0..3 {
            r.record("t", 1, u, u + 10);
        }
        assert_eq!(
            pairs(&mut r),
            [(2, 12)],
            "one pending per partition, latest wins"
        );
    }
}
