//! [`SinkTaskHarness`]: a sink task run as the worker runs it, against an in-memory log of
//! topic partitions instead of a broker.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use connect_api::connector::Props;
use connect_api::errors::{ConnectError, Result};
use connect_api::prelude::async_trait;
use connect_api::sink::{
    ErrantRecordReporter, OffsetAndMetadata, SinkRecord, SinkTask, SinkTaskContext, TopicPartition,
};

use crate::pipeline::{KafkaRecord, SinkPipeline};

/// Creates task instances; a restart takes a new one, as the worker does.
pub type SinkTaskFactory = Arc<dyn Fn() -> Box<dyn SinkTask> + Send + Sync>;

/// The most records one `put` gets (the consumer's default `max.poll.records`).
pub const MAX_POLL_RECORDS: usize = 500;

/// A call the task made on its [`SinkTaskContext`], in the order made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContextCall {
    /// `offset` / `offsets`: rewind (or skip) these partitions to these offsets.
    Offsets(BTreeMap<TopicPartition, i64>),
    /// `timeout`: wait this long before delivering a batch again after a retriable error.
    Timeout(u64),
    /// `pause`.
    Pause(Vec<TopicPartition>),
    /// `resume`.
    Resume(Vec<TopicPartition>),
    /// `request_commit`.
    RequestCommit,
}

#[derive(Default)]
struct ContextState {
    calls: Vec<ContextCall>,
    rewinds: BTreeMap<TopicPartition, i64>,
    paused: BTreeSet<TopicPartition>,
    timeout_ms: Option<u64>,
    commit_requested: bool,
    assignment: Vec<TopicPartition>,
    errant: Vec<(SinkRecord, String)>,
}

struct Context {
    props: Props,
    state: Arc<Mutex<ContextState>>,
    reporter: Option<Arc<dyn ErrantRecordReporter>>,
}

fn lock(state: &Mutex<ContextState>) -> MutexGuard<'_, ContextState> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

impl SinkTaskContext for Context {
    fn configs(&self) -> Props {
        self.props.clone()
    }
    fn offsets(&self, offsets: HashMap<TopicPartition, i64>) {
        let offsets: BTreeMap<TopicPartition, i64> = offsets.into_iter().collect();
        let mut s = lock(&self.state);
        s.rewinds.extend(offsets.clone());
        s.calls.push(ContextCall::Offsets(offsets));
    }
    fn timeout(&self, timeout_ms: u64) {
        let mut s = lock(&self.state);
        s.timeout_ms = Some(timeout_ms);
        s.calls.push(ContextCall::Timeout(timeout_ms));
    }
    fn assignment(&self) -> Vec<TopicPartition> {
        lock(&self.state).assignment.clone()
    }
    fn pause(&self, partitions: &[TopicPartition]) {
        let mut s = lock(&self.state);
        s.paused.extend(partitions.iter().cloned());
        s.calls.push(ContextCall::Pause(partitions.to_vec()));
    }
    fn resume(&self, partitions: &[TopicPartition]) {
        let mut s = lock(&self.state);
        for p in partitions {
            s.paused.remove(p);
        }
        s.calls.push(ContextCall::Resume(partitions.to_vec()));
    }
    fn request_commit(&self) {
        let mut s = lock(&self.state);
        s.commit_requested = true;
        s.calls.push(ContextCall::RequestCommit);
    }
    fn errant_record_reporter(&self) -> Option<Arc<dyn ErrantRecordReporter>> {
        self.reporter.clone()
    }
}

/// Keeps what the task reported, as a dead letter queue would.
struct Reporter(Arc<Mutex<ContextState>>);

#[async_trait]
impl ErrantRecordReporter for Reporter {
    async fn report(&self, record: &SinkRecord, error: &ConnectError) -> Result<()> {
        lock(&self.0)
            .errant
            .push((record.clone(), error.to_string()));
        Ok(())
    }
}

/// Which topics the task consumes: `topics` (a list) or `topics.regex` (matching whole
/// names, as Java's `Pattern.matches`).
enum Subscription {
    All,
    Topics(BTreeSet<String>),
    Regex(regex::Regex),
}

impl Subscription {
    fn from_props(props: &Props) -> Result<Subscription> {
        if let Some(pattern) = props.get("topics.regex").filter(|s| !s.trim().is_empty()) {
            let anchored = format!("^(?:{})$", pattern.trim());
            return regex::Regex::new(&anchored)
                .map(Subscription::Regex)
                .map_err(|e| ConnectError::other(format!("topics.regex: {e}")));
        }
        match props.get("topics") {
            Some(list) if !list.trim().is_empty() => Ok(Subscription::Topics(
                connect_api::config::parse_list(list).into_iter().collect(),
            )),
            _ => Ok(Subscription::All),
        }
    }
    fn includes(&self, topic: &str) -> bool {
        match self {
            Subscription::All => true,
            Subscription::Topics(t) => t.contains(topic),
            Subscription::Regex(r) => r.is_match(topic),
        }
    }
}

/// What one [`SinkTaskHarness::deliver`] did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Delivery {
    /// Records handed to `put` (and accepted).
    pub records: usize,
    /// Whether `put` asked for the batch again (a retriable error); it is delivered again by
    /// the next `deliver`, after the task's timeout.
    pub retry: bool,
    /// Whether a commit ran because the task requested one.
    pub committed: bool,
}

/// Runs one sink task the way the worker does, over an in-memory log: records sent to a
/// topic partition get consecutive offsets; [`deliver`](Self::deliver) hands the next batch
/// of every assigned, unpaused partition to `put`; [`commit`](Self::commit) asks
/// `pre_commit` and commits only what it returned; restarts and crashes resume from the
/// committed offsets; rewinds, pauses, timeouts and commit requests made through the context
/// are honoured and recorded ([`context_calls`](Self::context_calls)).
pub struct SinkTaskHarness {
    factory: SinkTaskFactory,
    props: Props,
    subscription: Result<Subscription>,
    state: Arc<Mutex<ContextState>>,
    reporter: Option<Arc<dyn ErrantRecordReporter>>,
    task: Option<Box<dyn SinkTask>>,
    log: BTreeMap<TopicPartition, Vec<Option<SinkRecord>>>,
    positions: BTreeMap<TopicPartition, i64>,
    committed: BTreeMap<TopicPartition, i64>,
    pipeline: Option<SinkPipeline>,
    /// Records per `put`, at most.
    pub max_batch: usize,
    starts: usize,
    rotation: usize,
}

impl SinkTaskHarness {
    /// A harness for tasks of type `T`, started with the task configuration `props`.
    pub fn new<T: SinkTask + Default>(props: Props) -> SinkTaskHarness {
        SinkTaskHarness::with_factory(Arc::new(|| Box::new(T::default())), props)
    }

    /// A harness whose task instances `factory` creates. The context offers an errant
    /// record reporter when the configuration asks for error tolerance, a dead letter queue
    /// or error logging, as the worker's does.
    pub fn with_factory(factory: SinkTaskFactory, props: Props) -> SinkTaskHarness {
        let state = Arc::new(Mutex::new(ContextState::default()));
        let tolerant = props
            .get("errors.tolerance")
            .is_some_and(|v| v.trim() == "all")
            || props
                .get("errors.deadletterqueue.topic.name")
                .is_some_and(|v| !v.trim().is_empty())
            || props
                .get("errors.log.enable")
                .is_some_and(|v| v.trim() == "true");
        let reporter: Option<Arc<dyn ErrantRecordReporter>> =
            tolerant.then(|| Arc::new(Reporter(state.clone())) as _);
        // A bad `topics.regex` fails `start`, as it fails the worker's consumer.
        let subscription = Subscription::from_props(&props);
        SinkTaskHarness {
            factory,
            props,
            subscription,
            state,
            reporter,
            task: None,
            log: BTreeMap::new(),
            positions: BTreeMap::new(),
            committed: BTreeMap::new(),
            pipeline: None,
            max_batch: MAX_POLL_RECORDS,
            starts: 0,
            rotation: 0,
        }
    }

    /// The task's configuration.
    pub fn props(&self) -> &Props {
        &self.props
    }

    /// How many task instances have been started so far.
    pub fn starts(&self) -> usize {
        self.starts
    }

    /// The running task, to call its own methods in a test.
    pub fn task_mut(&mut self) -> Option<&mut (dyn SinkTask + 'static)> {
        self.task.as_deref_mut()
    }

    /// Appends a record to `record.topic` / `record.kafka_partition` with the next offset
    /// there (the record's own offset is replaced) and returns that offset.
    pub fn send(&mut self, mut record: SinkRecord) -> i64 {
        let tp = TopicPartition::new(record.topic.as_ref(), record.kafka_partition);
        let log = self.log.entry(tp).or_default();
        let offset = log.len() as i64;
        record.kafka_offset = offset;
        record.original_kafka_offset = offset;
        log.push(Some(record));
        offset
    }

    /// Appends a record as bytes, as a producer would write it, and returns its offset. The
    /// task later gets it as the worker would give it: through the connector's converters
    /// (JsonConverter when none is named) and transformations. A record a transformation
    /// drops takes its offset but is never delivered.
    pub fn send_bytes(&mut self, partition: i32, record: &KafkaRecord) -> Result<i64> {
        let tp = TopicPartition::new(record.topic.as_str(), partition);
        let offset = self.log.get(&tp).map_or(0, |l| l.len() as i64);
        let pipeline = match &mut self.pipeline {
            Some(p) => p,
            None => self
                .pipeline
                .insert(SinkPipeline::from_config(&self.props)?),
        };
        let converted = pipeline.consume(record, partition, offset)?;
        self.log.entry(tp).or_default().push(converted);
        Ok(offset)
    }

    /// The partitions assigned to the task.
    pub fn assignment(&self) -> Vec<TopicPartition> {
        lock(&self.state).assignment.clone()
    }

    /// Every call the task made on its context, in order.
    pub fn context_calls(&self) -> Vec<ContextCall> {
        lock(&self.state).calls.clone()
    }

    /// The partitions the task paused and has not resumed.
    pub fn paused(&self) -> BTreeSet<TopicPartition> {
        lock(&self.state).paused.clone()
    }

    /// Records the task handed to the errant record reporter, with the error's text.
    pub fn errant_records(&self) -> Vec<(SinkRecord, String)> {
        lock(&self.state).errant.clone()
    }

    /// The committed offset (of the next record to consume) of each partition.
    pub fn committed(&self) -> BTreeMap<TopicPartition, i64> {
        self.committed.clone()
    }

    /// The next offset to deliver from each assigned partition.
    pub fn positions(&self) -> BTreeMap<TopicPartition, i64> {
        self.positions.clone()
    }

    /// Creates a new task instance with a fresh context, starts it, and opens the partitions
    /// it is assigned (every partition of a subscribed topic that holds records), delivering
    /// from their committed offsets.
    pub async fn start(&mut self) -> Result<()> {
        if self.task.is_some() {
            return Err(ConnectError::other(
                "the task is already running; stop or crash it first",
            ));
        }
        if let Err(e) = &self.subscription {
            return Err(ConnectError::other(e.to_string()));
        }
        {
            let mut s = lock(&self.state);
            s.assignment.clear();
            s.paused.clear();
            s.rewinds.clear();
            s.timeout_ms = None;
            s.commit_requested = false;
        }
        self.positions.clear();
        let mut task = (self.factory)();
        task.initialize(Arc::new(Context {
            props: self.props.clone(),
            state: self.state.clone(),
            reporter: self.reporter.clone(),
        }));
        self.starts += 1;
        task.start(self.props.clone()).await?;
        self.task = Some(task);
        self.assign_new_partitions().await
    }

    fn running(&mut self) -> Result<&mut Box<dyn SinkTask>> {
        self.task
            .as_mut()
            .ok_or_else(|| ConnectError::other("the task is not running; call start first"))
    }

    /// Partitions of subscribed topics that got records since the last look are assigned and
    /// opened, as a consumer's rebalance would.
    async fn assign_new_partitions(&mut self) -> Result<()> {
        let assigned: BTreeSet<TopicPartition> = self.assignment().into_iter().collect();
        let new: Vec<TopicPartition> = self
            .log
            .keys()
            .filter(|tp| {
                self.subscription
                    .as_ref()
                    .is_ok_and(|s| s.includes(&tp.topic))
                    && !assigned.contains(tp)
            })
            .cloned()
            .collect();
        if new.is_empty() {
            return Ok(());
        }
        self.assign(&new).await
    }

    async fn assign(&mut self, partitions: &[TopicPartition]) -> Result<()> {
        for tp in partitions {
            let from = self.committed.get(tp).copied().unwrap_or(0);
            self.positions.insert(tp.clone(), from);
        }
        lock(&self.state)
            .assignment
            .extend(partitions.iter().cloned());
        self.running()?.open(partitions).await
    }

    /// One round of the worker's loop: applies rewinds the task asked for, hands the next
    /// batch (at most [`max_batch`](Self::max_batch) records, from every assigned partition
    /// that is not paused) to `put`, and commits if the task requested it. After a
    /// retriable error the positions stay where they were, so the next `deliver` hands the
    /// same records again; it first waits the task's `timeout`, as the worker does.
    pub async fn deliver(&mut self) -> Result<Delivery> {
        self.assign_new_partitions().await?;
        let (rewinds, paused, timeout) = {
            let mut s = lock(&self.state);
            (
                std::mem::take(&mut s.rewinds),
                s.paused.clone(),
                s.timeout_ms.take(),
            )
        };
        for (tp, offset) in rewinds {
            if let Some(p) = self.positions.get_mut(&tp) {
                *p = offset.max(0);
            }
        }
        let mut batch: Vec<SinkRecord> = Vec::new();
        let mut ends: Vec<(TopicPartition, i64)> = Vec::new();
        // Start at another partition each round, so that a small batch does not starve the
        // later partitions (a consumer's fetches rotate over them too).
        let first = self.rotation % self.positions.len().max(1);
        self.rotation = first + 1;
        let order = self
            .positions
            .iter()
            .skip(first)
            .chain(self.positions.iter().take(first));
        for (tp, &from) in order {
            if paused.contains(tp) || batch.len() >= self.max_batch {
                continue;
            }
            let Some(log) = self.log.get(tp) else {
                continue;
            };
            let mut next = from;
            for entry in log.iter().skip(from as usize) {
                if batch.len() >= self.max_batch {
                    break;
                }
                if let Some(r) = entry {
                    batch.push(r.clone());
                }
                next += 1;
            }
            if next != from {
                ends.push((tp.clone(), next));
            }
        }
        let mut delivery = Delivery::default();
        if !batch.is_empty() {
            if let Some(ms) = timeout {
                // A timeout set before this delivery is the back-off after a retriable error.
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
            match self.running()?.put(&batch).await {
                Ok(()) => {
                    delivery.records = batch.len();
                    for (tp, next) in ends {
                        self.positions.insert(tp, next);
                    }
                }
                Err(ConnectError::Retriable { .. }) => delivery.retry = true,
                Err(e) => return Err(e),
            }
        } else {
            // Nothing delivered: positions may still have moved past dropped records.
            for (tp, next) in ends {
                self.positions.insert(tp, next);
            }
        }
        let requested = std::mem::take(&mut lock(&self.state).commit_requested);
        if requested {
            self.commit().await?;
            delivery.committed = true;
        }
        Ok(delivery)
    }

    /// Delivers until every assigned, unpaused partition is delivered to its end, at most
    /// `max_rounds` rounds; returns the records `put` accepted.
    pub async fn deliver_all(&mut self, max_rounds: usize) -> Result<usize> {
        let mut total = 0;
        for _ in 0..max_rounds {
            let d = self.deliver().await?;
            total += d.records;
            if !d.retry && d.records == 0 && self.caught_up() {
                break;
            }
        }
        Ok(total)
    }

    fn caught_up(&self) -> bool {
        let paused = self.paused();
        self.positions.iter().all(|(tp, &p)| {
            paused.contains(tp) || self.log.get(tp).is_none_or(|l| p >= l.len() as i64)
        })
    }

    /// The worker's offset commit: `pre_commit` with the consumed position of every assigned
    /// partition; what it returns (for assigned partitions) is committed. Returns the
    /// offsets committed by this call.
    pub async fn commit(&mut self) -> Result<BTreeMap<TopicPartition, i64>> {
        let current: HashMap<TopicPartition, OffsetAndMetadata> = self
            .positions
            .iter()
            .map(|(tp, &o)| (tp.clone(), OffsetAndMetadata::new(o)))
            .collect();
        let assigned: BTreeSet<TopicPartition> = self.assignment().into_iter().collect();
        let returned = self.running()?.pre_commit(current).await?;
        let mut done = BTreeMap::new();
        for (tp, o) in returned {
            if assigned.contains(&tp) {
                self.committed.insert(tp.clone(), o.offset);
                done.insert(tp, o.offset);
            }
        }
        Ok(done)
    }

    /// A rebalance: `revoked` partitions are committed, closed and taken away; `assigned`
    /// ones are opened and delivered from their committed offsets.
    pub async fn rebalance(
        &mut self,
        revoked: &[TopicPartition],
        assigned: &[TopicPartition],
    ) -> Result<()> {
        if !revoked.is_empty() {
            self.commit().await?;
            self.running()?.close(revoked).await?;
            let mut s = lock(&self.state);
            s.assignment.retain(|tp| !revoked.contains(tp));
            for tp in revoked {
                s.paused.remove(tp);
                self.positions.remove(tp);
            }
        }
        let fresh: Vec<TopicPartition> = {
            let current = self.assignment();
            assigned
                .iter()
                .filter(|tp| !current.contains(tp))
                .cloned()
                .collect()
        };
        if fresh.is_empty() {
            return Ok(());
        }
        self.assign(&fresh).await
    }

    /// Stops the task as the worker does: a final commit, `close` of the assignment, `stop`.
    pub async fn stop(&mut self) -> Result<()> {
        self.commit().await?;
        let assignment = self.assignment();
        let mut task = self
            .task
            .take()
            .ok_or_else(|| ConnectError::other("the task is not running"))?;
        let closed = task.close(&assignment).await;
        let stopped = task.stop().await;
        closed.and(stopped)
    }

    /// Drops the task without committing, closing or stopping it, as `kill -9` of the worker
    /// would: the next [`start`](Self::start) delivers again from the committed offsets.
    pub fn crash(&mut self) {
        self.task = None;
    }

    /// [`stop`](Self::stop), then [`start`](Self::start) a new task instance.
    pub async fn restart(&mut self) -> Result<()> {
        self.stop().await?;
        self.start().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use connect_api::data::{Value, STRING_SCHEMA};

    /// Keeps what it was given; fails the first put of each value "retry" once.
    #[derive(Default)]
    struct Keeper {
        seen: Arc<Mutex<Vec<String>>>,
        retried: bool,
        context: Option<Arc<dyn SinkTaskContext>>,
    }

    #[async_trait]
    impl SinkTask for Keeper {
        fn initialize(&mut self, context: Arc<dyn SinkTaskContext>) {
            self.context = Some(context);
        }
        async fn start(&mut self, _props: Props) -> Result<()> {
            Ok(())
        }
        async fn put(&mut self, records: &[SinkRecord]) -> Result<()> {
            if !self.retried && records.iter().any(|r| r.value.as_str() == Some("retry")) {
                self.retried = true;
                if let Some(c) = &self.context {
                    c.timeout(5);
                }
                return Err(ConnectError::retriable("not now"));
            }
            let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
            seen.extend(
                records
                    .iter()
                    .filter_map(|r| r.value.as_str().map(str::to_owned)),
            );
            Ok(())
        }
        async fn stop(&mut self) -> Result<()> {
            Ok(())
        }
    }

    fn record(value: &str) -> SinkRecord {
        SinkRecord::new(
            "in",
            0,
            None,
            Value::Null,
            Some(STRING_SCHEMA.clone()),
            value.into(),
            0,
        )
    }

    #[tokio::test]
    async fn redelivers_after_a_retriable_error_and_resumes_from_commits() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let shared = seen.clone();
        let factory: SinkTaskFactory = Arc::new(move || {
            Box::new(Keeper {
                seen: shared.clone(),
                ..Keeper::default()
            })
        });
        let mut h = SinkTaskHarness::with_factory(factory, Props::new());
        for v in ["a", "retry", "b"] {
            h.send(record(v));
        }
        h.start().await.ok();
        let first = h.deliver().await.ok();
        assert_eq!(first.map(|d| d.retry), Some(true));
        assert!(h.context_calls().contains(&ContextCall::Timeout(5)));
        assert_eq!(h.deliver_all(10).await.ok(), Some(3));
        let committed = h.commit().await.ok().unwrap_or_default();
        assert_eq!(committed.get(&TopicPartition::new("in", 0)), Some(&3));
        h.send(record("c"));
        h.crash();
        h.start().await.ok();
        assert_eq!(h.deliver_all(10).await.ok(), Some(1));
        let got = seen.lock().unwrap_or_else(|e| e.into_inner()).clone();
        assert_eq!(got, ["a", "retry", "b", "c"]);
    }
}
