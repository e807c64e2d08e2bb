//! Records handed to the producer and not yet acknowledged, per source partition (Apache's
//! `SubmittedRecords`). A record's offset becomes committable once it and every earlier record
//! of the same source partition were acknowledged; an unacknowledged record only holds back
//! its own partition.
//!
//! The producer's delivery callback marks records acknowledged from librdkafka's thread; the
//! task loop drains acknowledged heads. Each record is identified by an opaque `usize` that
//! encodes its partition slot and its sequence number within that slot, so delivery reports
//! need no allocation and find their record without a search.
//!
//! Sequence numbers are counted per slot and only their low bits travel in the opaque. The
//! records of one slot are numbered consecutively along its queue, so a record's position is
//! its distance from the head modulo the width of those bits: correct across any wrap as long
//! as a single partition has fewer than 2^32 records outstanding (on 64-bit targets).

use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use connect_api::data::Value;
use connect_api::source::{RecordMetadata, SourceOffset, SourcePartition, SourceRecord};

const SEQ_BITS: u32 = usize::BITS / 2;
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
    /// What the record counts against the in-flight byte budget until acknowledged.
    bytes: usize,
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
    /// Its size as sent (key, value and headers), counted as in flight until acknowledged.
    pub bytes: usize,
}

impl Submission {
    /// A submission of `record`, `bytes` long once converted; without `keep_record` only its
    /// partition and offset are kept, and the rest of the record is dropped now.
    pub fn new(
        record: SourceRecord,
        topic: Arc<str>,
        keep_record: bool,
        bytes: usize,
    ) -> Submission {
        if keep_record {
            Submission {
                partition: record.source_partition.clone(),
                offset: record.source_offset.clone(),
                record: Some(Box::new(record)),
                topic,
                bytes,
            }
        } else {
            Submission {
                partition: record.source_partition,
                offset: record.source_offset,
                record: None,
                topic,
                bytes,
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

/// A source partition as a hash-map key. Two keys are equal when they share the map or hold
/// equal maps, so connectors that build a fresh partition map per record still land on one
/// entry.
#[derive(Debug, Clone)]
pub(crate) struct PartitionKey(pub(crate) Arc<SourcePartition>);

impl PartialEq for PartitionKey {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || *self.0 == *other.0
    }
}

// `Value` equality is not reflexive for NaN, so a partition holding one matches only its own
// `Arc` (through the pointer check above): each fresh copy of it gets a queue of its own.
impl Eq for PartitionKey {}

impl Hash for PartitionKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.len().hash(state);
        for (k, v) in self.0.iter() {
            k.hash(state);
            hash_value(v, state);
        }
    }
}

/// Hashes `v` consistently with `Value`'s equality. Variants without a cheap exact hash
/// contribute only their kind: coarser, never inconsistent.
fn hash_value<H: Hasher>(v: &Value, state: &mut H) {
    std::mem::discriminant(v).hash(state);
    match v {
        Value::Int8(x) => x.hash(state),
        Value::Int16(x) => x.hash(state),
        Value::Int32(x) => x.hash(state),
        Value::Int64(x) | Value::Timestamp(x) => x.hash(state),
        // 0.0 == -0.0, so zeros hash alike; NaN equals nothing, so its bits are harmless.
        Value::Float32(x) if *x != 0.0 => x.to_bits().hash(state),
        Value::Float64(x) if *x != 0.0 => x.to_bits().hash(state),
        Value::Boolean(x) => x.hash(state),
        Value::String(x) => x.hash(state),
        Value::Bytes(x) => x.hash(state),
        Value::Array(items) => {
            items.len().hash(state);
            for item in items {
                hash_value(item, state);
            }
        }
        Value::Map(entries) => {
            entries.len().hash(state);
            for (k, v) in entries {
                hash_value(k, state);
                hash_value(v, state);
            }
        }
        _ => {}
    }
}

struct Slot {
    partition: Arc<SourcePartition>,
    queue: VecDeque<Pending>,
    /// The sequence number of the next record submitted to this slot.
    next_seq: u64,
    /// Whether the slot is listed in `Inner::acked`.
    listed: bool,
}

#[derive(Default)]
struct Inner {
    /// Indexed by the slot number carried in opaques; emptied slots are reused.
    slots: Vec<Slot>,
    by_partition: HashMap<PartitionKey, usize>,
    free: Vec<usize>,
    /// Slots that received an acknowledgement since the last drain, so that draining costs
    /// what was acknowledged, not what is outstanding.
    acked: Vec<usize>,
    /// Where the sequence numbers of a new slot start.
    first_seq: u64,
    outstanding: usize,
    failure: Option<String>,
    #[cfg(test)]
    visits: usize,
}

impl Inner {
    fn slot_for(&mut self, partition: Arc<SourcePartition>) -> usize {
        let key = PartitionKey(partition);
        if let Some(&i) = self.by_partition.get(&key) {
            return i;
        }
        let i = match self.free.pop() {
            Some(i) => {
                self.slots[i].partition = key.0.clone();
                i
            }
            None => {
                self.slots.push(Slot {
                    partition: key.0.clone(),
                    queue: VecDeque::new(),
                    next_seq: self.first_seq,
                    listed: false,
                });
                self.slots.len() - 1
            }
        };
        self.by_partition.insert(key, i);
        i
    }
}

struct Shared {
    inner: Mutex<Inner>,
    /// Bytes of records submitted and not yet acknowledged; read by the task loop without the
    /// lock on every record it sends.
    in_flight_bytes: AtomicUsize,
}

/// The shared table of submitted records.
#[derive(Clone)]
pub struct SubmittedRecords {
    shared: Arc<Shared>,
}

impl Default for SubmittedRecords {
    fn default() -> Self {
        SubmittedRecords {
            shared: Arc::new(Shared {
                inner: Mutex::new(Inner::default()),
                in_flight_bytes: AtomicUsize::new(0),
            }),
        }
    }
}

impl std::fmt::Debug for SubmittedRecords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SubmittedRecords{{outstanding={}, in_flight_bytes={}}}",
            self.outstanding(),
            self.in_flight_bytes()
        )
    }
}

fn same(a: &Arc<SourcePartition>, b: &Arc<SourcePartition>) -> bool {
    Arc::ptr_eq(a, b) || **a == **b
}

impl SubmittedRecords {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every update is a single push, flag or pop: a panic elsewhere cannot leave the table
        // inconsistent, so keep using it.
        self.shared.inner.lock().unwrap_or_else(|e| e.into_inner())
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
        let mut bytes = 0usize;
        for s in records {
            // Records of one batch usually share one partition map: check the last slot first.
            let slot = match last_slot.filter(|&i| same(&inner.slots[i].partition, &s.partition)) {
                Some(i) => i,
                None => inner.slot_for(s.partition),
            };
            last_slot = Some(slot);
            inner.outstanding += 1;
            bytes = bytes.saturating_add(s.bytes);
            let slot_ref = &mut inner.slots[slot];
            let seq = slot_ref.next_seq;
            slot_ref.next_seq = seq.wrapping_add(1);
            slot_ref.queue.push_back(Pending {
                seq,
                offset: s.offset,
                record: s.record,
                topic: s.topic,
                bytes: s.bytes,
                ack: None,
            });
            opaques.push((slot << SEQ_BITS) | (seq & SEQ_MASK) as usize);
        }
        self.shared
            .in_flight_bytes
            .fetch_add(bytes, Ordering::Relaxed);
    }

    /// Registers one record about to be sent; returns the opaque id for its delivery report.
    pub fn submit(&self, record: SourceRecord, topic: Arc<str>) -> usize {
        let mut opaques = Vec::with_capacity(1);
        self.submit_batch([Submission::new(record, topic, true, 0)], &mut opaques);
        opaques[0]
    }

    /// Marks a record as done (called from the delivery callback) and releases its bytes.
    pub fn acknowledge(&self, opaque: usize, ack: Ack) {
        let (slot, seq) = (opaque >> SEQ_BITS, opaque as u64 & SEQ_MASK);
        let mut inner = self.lock();
        let Inner { slots, acked, .. } = &mut *inner;
        let Some(slot_ref) = slots.get_mut(slot) else {
            return;
        };
        let Some(front) = slot_ref.queue.front() else {
            return;
        };
        let index = (seq.wrapping_sub(front.seq) & SEQ_MASK) as usize;
        let Some(p) = slot_ref.queue.get_mut(index) else {
            return;
        };
        if p.seq & SEQ_MASK != seq || p.ack.is_some() {
            return;
        }
        p.ack = Some(ack);
        let bytes = std::mem::take(&mut p.bytes);
        self.shared
            .in_flight_bytes
            .fetch_sub(bytes, Ordering::Relaxed);
        if !slot_ref.listed {
            slot_ref.listed = true;
            acked.push(slot);
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

    /// Bytes of the records submitted and not yet acknowledged.
    pub fn in_flight_bytes(&self) -> usize {
        self.shared.in_flight_bytes.load(Ordering::Relaxed)
    }

    /// Moves every acknowledged record at the head of each partition's queue into `out`, in
    /// order; the records of one partition come out next to each other, the last of them
    /// carrying the offset that is now committable. Partitions left without outstanding
    /// records are forgotten, as Apache drops empty deques.
    pub fn drain_acknowledged(&self, out: &mut Vec<Drained>) {
        let mut inner = self.lock();
        let before = out.len();
        let Inner {
            slots,
            by_partition,
            free,
            acked,
            outstanding,
            ..
        } = &mut *inner;
        #[cfg(test)]
        let visits = acked.len();
        for &i in acked.iter() {
            let slot = &mut slots[i];
            slot.listed = false;
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
            if slot.queue.is_empty() {
                by_partition.remove(&PartitionKey(slot.partition.clone()));
                free.push(i);
            }
        }
        acked.clear();
        *outstanding -= out.len() - before;
        #[cfg(test)]
        {
            inner.visits = visits;
        }
    }
}

#[cfg(test)]
impl SubmittedRecords {
    /// Starts the sequence numbers of new partitions at `seq`, to run across a wrap.
    fn start_sequences_at(&self, seq: u64) {
        self.lock().first_seq = seq;
    }

    fn slot_count(&self) -> usize {
        let inner = self.lock();
        inner.slots.len() - inner.free.len()
    }

    fn last_drain_visits(&self) -> usize {
        self.lock().visits
    }

    /// Acknowledges the `n` oldest unacknowledged records of every partition, as if the
    /// broker had written them.
    pub(crate) fn acknowledge_oldest(&self, n: usize) {
        let opaques: Vec<usize> = {
            let inner = self.lock();
            inner
                .slots
                .iter()
                .enumerate()
                .flat_map(|(i, slot)| {
                    slot.queue
                        .iter()
                        .filter(|p| p.ack.is_none())
                        .take(n)
                        .map(move |p| (i << SEQ_BITS) | (p.seq & SEQ_MASK) as usize)
                })
                .collect()
        };
        for opaque in opaques {
            self.acknowledge(opaque, Ack::Skipped);
        }
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

    fn partition(name: &str) -> Arc<SourcePartition> {
        Arc::new(SourcePartition::from([("f".into(), Value::from(name))]))
    }

    #[test]
    fn acks_are_matched_across_the_sequence_wrap() {
        // Just below 2^40 (where the low 32 bits in the opaque wrap too) and just below where
        // the 64-bit counter itself wraps.
        for start in [(1u64 << 40) - 40, u64::MAX - 40] {
            let s = SubmittedRecords::default();
            s.start_sequences_at(start);
            let (a, b) = (partition("a"), partition("b"));
            let t: Arc<str> = Arc::from("t");
            let ids: Vec<usize> = (0..60)
                .map(|i| s.submit(record(if i % 3 == 0 { &b } else { &a }, i), t.clone()))
                .collect();
            for &id in &ids {
                s.acknowledge(id, meta());
            }
            assert_eq!(drain(&s).len(), 60, "sequences starting at {start}");
            assert_eq!(s.outstanding(), 0);
            // And the table keeps working after the wrap.
            let id = s.submit(record(&a, 9), t.clone());
            s.acknowledge(id, meta());
            assert_eq!(drain(&s).len(), 1, "sequences starting at {start}");
        }
    }

    #[test]
    fn drained_partitions_are_forgotten() {
        let s = SubmittedRecords::default();
        let t: Arc<str> = Arc::from("t");
        let parts: Vec<_> = (0..300).map(|i| partition(&i.to_string())).collect();
        let ids: Vec<usize> = parts
            .iter()
            .map(|p| s.submit(record(p, 1), t.clone()))
            .collect();
        for id in ids {
            s.acknowledge(id, meta());
        }
        assert_eq!(drain(&s).len(), 300);
        assert_eq!(s.slot_count(), 0);
        let id = s.submit(record(&parts[7], 2), t.clone());
        s.acknowledge(id, meta());
        let drained = drain(&s);
        assert_eq!(drained.len(), 1);
        assert_eq!(*drained[0].partition, *parts[7]);
    }

    #[test]
    fn drain_visits_only_acknowledged_partitions() {
        let s = SubmittedRecords::default();
        let t: Arc<str> = Arc::from("t");
        let parts: Vec<_> = (0..300).map(|i| partition(&i.to_string())).collect();
        let ids: Vec<usize> = parts
            .iter()
            .map(|p| s.submit(record(p, 1), t.clone()))
            .collect();
        s.acknowledge(ids[123], meta());
        let drained = drain(&s);
        assert_eq!(drained.len(), 1);
        assert_eq!(*drained[0].partition, *parts[123]);
        assert_eq!(s.last_drain_visits(), 1);
        assert_eq!(s.outstanding(), 299);
    }

    #[test]
    fn equal_partition_maps_share_one_queue() {
        let s = SubmittedRecords::default();
        let t: Arc<str> = Arc::from("t");
        let map = |zero: f64| {
            Arc::new(SourcePartition::from([
                ("f".into(), Value::from("a")),
                ("z".into(), Value::Float64(zero)),
            ]))
        };
        // Distinct maps with equal contents (0.0 == -0.0): one partition, one queue.
        let first = s.submit(record(&map(0.0), 1), t.clone());
        let second = s.submit(record(&map(-0.0), 2), t.clone());
        assert_eq!(s.slot_count(), 1);
        s.acknowledge(second, meta());
        assert!(
            drain(&s).is_empty(),
            "the later record overtook the earlier one"
        );
        s.acknowledge(first, meta());
        assert_eq!(drain(&s).len(), 2);
    }

    #[test]
    fn in_flight_bytes_are_released_on_acknowledgement() {
        let s = SubmittedRecords::default();
        let p = partition("a");
        let t: Arc<str> = Arc::from("t");
        let mut ids = Vec::new();
        s.submit_batch(
            [100, 250].map(|n| Submission::new(record(&p, n as i64), t.clone(), false, n)),
            &mut ids,
        );
        assert_eq!(s.in_flight_bytes(), 350);
        // Released on acknowledgement, even while an earlier record holds the partition back.
        s.acknowledge(ids[1], meta());
        assert_eq!(s.in_flight_bytes(), 100);
        s.acknowledge(ids[1], meta());
        assert_eq!(s.in_flight_bytes(), 100, "a repeated report released twice");
        s.acknowledge(ids[0], Ack::Skipped);
        assert_eq!(s.in_flight_bytes(), 0);
        assert_eq!(drain(&s).len(), 2);
    }
}
