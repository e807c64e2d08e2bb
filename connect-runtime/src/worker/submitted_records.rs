//! Records handed to the producer and not yet acknowledged, per source partition (Apache's
//! `SubmittedRecords`). A record's offset becomes committable once it and every earlier record
//! of the same source partition were acknowledged; an unacknowledged record only holds back
//! its own partition.
//!
//! The producer's delivery callback marks records acknowledged from librdkafka's thread; the
//! task loop drains acknowledged heads. Each record is identified by an opaque `usize` that
//! encodes its partition slot and sequence number, so delivery reports need no allocation.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use connect_api::source::{RecordMetadata, SourceOffset, SourcePartition, SourceRecord};

const SEQ_BITS: u32 = 40;
const SEQ_MASK: u64 = (1 << SEQ_BITS) - 1;

/// How a submitted record ended.
#[derive(Debug, Clone, Copy)]
pub enum Ack {
    /// Written to Kafka at this partition and offset.
    Written {
        /// The partition.
        partition: i32,
        /// The offset.
        offset: i64,
        /// The timestamp the broker reported.
        timestamp: Option<i64>,
    },
    /// Not written but may be committed past (a tolerated delivery failure).
    Skipped,
}

struct Pending {
    seq: u64,
    offset: SourceOffset,
    /// The whole record, kept only when the task wants `commit_record` callbacks.
    record: Option<Box<SourceRecord>>,
    /// The topic the record was produced to (after transformations).
    topic: Arc<str>,
    ack: Option<Ack>,
}

/// A record about to be sent, as registered.
#[derive(Debug)]
pub struct Submission {
    /// Its source partition.
    pub partition: Arc<SourcePartition>,
    /// Its source offset.
    pub offset: SourceOffset,
    /// The whole record, when the task wants `commit_record` callbacks.
    pub record: Option<Box<SourceRecord>>,
    /// The topic it is produced to.
    pub topic: Arc<str>,
}

impl Submission {
    /// A submission of `record`; without `keep_record` only its partition and offset are
    /// kept, and the rest of the record is dropped now.
    pub fn new(record: SourceRecord, topic: Arc<str>, keep_record: bool) -> Submission {
        if keep_record {
            Submission {
                partition: record.source_partition.clone(),
                offset: record.source_offset.clone(),
                record: Some(Box::new(record)),
                topic,
            }
        } else {
            Submission {
                partition: record.source_partition,
                offset: record.source_offset,
                record: None,
                topic,
            }
        }
    }
}

/// A record whose fate is known, as drained from the table.
#[derive(Debug)]
pub struct Drained {
    /// Its source partition.
    pub partition: Arc<SourcePartition>,
    /// Its source offset, now committable.
    pub offset: SourceOffset,
    /// Where it was written, or `None` if it was skipped.
    pub metadata: Option<RecordMetadata>,
    /// The record itself, when the task wants `commit_record` callbacks.
    pub record: Option<Box<SourceRecord>>,
}

struct Slot {
    partition: Arc<SourcePartition>,
    queue: VecDeque<Pending>,
}

#[derive(Default)]
struct Inner {
    slots: Vec<Slot>,
    next_seq: u64,
    outstanding: usize,
    failure: Option<String>,
}

/// The shared table of submitted records.
#[derive(Default, Clone)]
pub struct SubmittedRecords {
    inner: Arc<Mutex<Inner>>,
}

impl std::fmt::Debug for SubmittedRecords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SubmittedRecords{{outstanding={}}}", self.outstanding())
    }
}

impl SubmittedRecords {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every update is a single push, flag or pop: a panic elsewhere cannot leave the table
        // inconsistent, so keep using it.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers records about to be sent; appends the opaque id of each (for its delivery
    /// report) to `opaques`. One lock for the whole batch keeps the producer's delivery thread
    /// and the task loop from contending per record.
    pub fn submit_batch(
        &self,
        records: impl IntoIterator<Item = Submission>,
        opaques: &mut Vec<usize>,
    ) {
        let mut inner = self.lock();
        let mut last_slot: Option<usize> = None;
        for s in records {
            // Records of one batch usually share one partition map: check the last slot first.
            let slot = match last_slot
                .filter(|&i| Arc::ptr_eq(&inner.slots[i].partition, &s.partition))
            {
                Some(i) => i,
                None => match inner.slots.iter().position(|slot| {
                    Arc::ptr_eq(&slot.partition, &s.partition) || *slot.partition == *s.partition
                }) {
                    Some(i) => i,
                    None => {
                        inner.slots.push(Slot {
                            partition: s.partition,
                            queue: VecDeque::new(),
                        });
                        inner.slots.len() - 1
                    }
                },
            };
            last_slot = Some(slot);
            let seq = inner.next_seq & SEQ_MASK;
            inner.next_seq += 1;
            inner.outstanding += 1;
            inner.slots[slot].queue.push_back(Pending {
                seq,
                offset: s.offset,
                record: s.record,
                topic: s.topic,
                ack: None,
            });
            opaques.push(((slot as u64) << SEQ_BITS | seq) as usize);
        }
    }

    /// Registers one record about to be sent; returns the opaque id for its delivery report.
    pub fn submit(&self, record: SourceRecord, topic: Arc<str>) -> usize {
        let mut opaques = Vec::with_capacity(1);
        self.submit_batch([Submission::new(record, topic, true)], &mut opaques);
        opaques[0]
    }

    /// Marks a record as done (called from the delivery callback).
    pub fn acknowledge(&self, opaque: usize, ack: Ack) {
        let (slot, seq) = ((opaque as u64) >> SEQ_BITS, opaque as u64 & SEQ_MASK);
        let mut inner = self.lock();
        if let Some(slot) = inner.slots.get_mut(slot as usize) {
            // Sequence numbers grow along the queue; with one partition they are contiguous, so
            // the position is usually `seq - front`, else binary search finds it.
            let guess = slot.queue.front().map(|f| seq.wrapping_sub(f.seq) as usize);
            let index = match guess {
                Some(i) if slot.queue.get(i).is_some_and(|p| p.seq == seq) => Some(i),
                _ => slot.queue.binary_search_by_key(&seq, |p| p.seq).ok(),
            };
            if let Some(i) = index {
                slot.queue[i].ack = Some(ack);
            }
        }
    }

    /// Records a delivery failure that must fail the task.
    pub fn fail(&self, message: String) {
        let mut inner = self.lock();
        if inner.failure.is_none() {
            inner.failure = Some(message);
        }
    }

    /// The recorded delivery failure, if any.
    pub fn failure(&self) -> Option<String> {
        self.lock().failure.clone()
    }

    /// Records sent but not yet drained.
    pub fn outstanding(&self) -> usize {
        self.lock().outstanding
    }

    /// Moves every acknowledged record at the head of each partition's queue into `out`, in
    /// order. The last one per partition carries the offset that is now committable.
    pub fn drain_acknowledged(&self, out: &mut Vec<Drained>) {
        let mut inner = self.lock();
        let before = out.len();
        for slot in inner.slots.iter_mut() {
            while slot.queue.front().is_some_and(|p| p.ack.is_some()) {
                let Some(p) = slot.queue.pop_front() else {
                    break;
                };
                let metadata = match p.ack {
                    Some(Ack::Written {
                        partition,
                        offset,
                        timestamp,
                    }) => Some(RecordMetadata {
                        topic: p.topic,
                        partition,
                        offset: Some(offset),
                        timestamp,
                    }),
                    _ => None,
                };
                out.push(Drained {
                    partition: slot.partition.clone(),
                    offset: p.offset,
                    metadata,
                    record: p.record,
                });
            }
        }
        inner.outstanding -= out.len() - before;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use connect_api::data::Value;
    use connect_api::source::SourceOffset;

    fn record(p: &Arc<SourcePartition>, pos: i64) -> SourceRecord {
        SourceRecord::new(
            p.clone(),
            SourceOffset::from([("position".into(), Value::Int64(pos))]),
            "t",
            None,
            Value::Null,
        )
    }

    fn meta() -> Ack {
        Ack::Written {
            partition: 0,
            offset: 0,
            timestamp: None,
        }
    }

    fn drain(s: &SubmittedRecords) -> Vec<Drained> {
        let mut out = Vec::new();
        s.drain_acknowledged(&mut out);
        out
    }

    #[test]
    fn unacked_record_blocks_only_its_partition() {
        let s = SubmittedRecords::default();
        let a = Arc::new(SourcePartition::from([("f".into(), Value::from("a"))]));
        let b = Arc::new(SourcePartition::from([("f".into(), Value::from("b"))]));
        let t: Arc<str> = Arc::from("t");
        let a1 = s.submit(record(&a, 1), t.clone());
        let a2 = s.submit(record(&a, 2), t.clone());
        let b1 = s.submit(record(&b, 1), t.clone());
        s.acknowledge(a2, meta());
        s.acknowledge(b1, meta());
        let drained = drain(&s);
        assert_eq!(drained.len(), 1);
        assert_eq!(*drained[0].partition, *b);
        s.acknowledge(a1, meta());
        let drained = drain(&s);
        let positions: Vec<_> = drained
            .iter()
            .map(|d| d.offset["position"].clone())
            .collect();
        assert_eq!(positions, [Value::Int64(1), Value::Int64(2)]);
        assert_eq!(s.outstanding(), 0);
    }
}
