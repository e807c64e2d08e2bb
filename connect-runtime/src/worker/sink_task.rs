//! The sink task loop (Apache's `WorkerSinkTask`): consume → converters → transformations →
//! `put`, committing only the offsets the task returned from `pre_commit`.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use connect_api::connector::Props;
use connect_api::errors::{ConnectError, Result};
use connect_api::header::{Header, Headers};
use connect_api::sink::{
    ErrantRecordReporter, OffsetAndMetadata, SinkRecord, SinkTask, SinkTaskContext, TimestampType,
    TopicPartition,
};
use connect_api::storage::{Converter, HeaderConverter};
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance};
use rdkafka::message::{BorrowedMessage, Headers as _, Message, Timestamp};
use rdkafka::{ClientContext, Offset, TopicPartitionList};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::dead_letter_queue::DeadLetterQueue;
use super::errant_records::ErrantRecords;
use super::error_handler::{ErrorHandler, Stage};
use super::{State, TargetState, TaskId, TaskStatusListener};
use crate::config::connector_config::SinkTopics;
use crate::metrics::{RunState, TaskMetrics};
use connect_api::transforms::chain::TransformationChain;

/// Records fetched per `put` at most (Java's `max.poll.records` default).
const MAX_BATCH: usize = 500;

/// The longest the loop blocks in one consumer poll, so that stops and pauses are seen quickly.
const POLL_SLICE: Duration = Duration::from_millis(200);

/// The back-off between redeliveries after a retriable `put` failure when the task set no
/// timeout: doubling from the first to the last.
const RETRY_BACKOFF_MIN: Duration = Duration::from_millis(100);
const RETRY_BACKOFF_MAX: Duration = Duration::from_secs(10);

/// `topics.regex` as a librdkafka subscription: a pattern starting with `^` is a regex there,
/// and anchoring both ends makes it match whole topic names, as Java's `Pattern.matches` does
/// (`orders` must not subscribe to `orders-dlq`).
fn full_match(re: &str) -> String {
    let inner = re.strip_prefix('^').unwrap_or(re);
    let inner = match inner.strip_suffix('$') {
        Some(i) if !i.ends_with('\\') => i,
        _ => inner,
    };
    format!("^({inner})$")
}

/// The next offset per partition of the records polled since the last successful `put`.
/// Consecutive records usually come from one partition: its entry is kept aside and updated
/// in place, and only a change of partition touches the map.
#[derive(Default)]
struct ConsumedPositions {
    last: Option<(Arc<str>, i32, i64)>,
    earlier: HashMap<(Arc<str>, i32), i64>,
}

impl ConsumedPositions {
    fn advance(&mut self, topic: &Arc<str>, partition: i32, next: i64) {
        if let Some((t, p, n)) = &mut self.last {
            if *p == partition && Arc::ptr_eq(t, topic) {
                *n = next;
                return;
            }
        }
        if let Some((t, p, n)) = self.last.replace((topic.clone(), partition, next)) {
            self.earlier.insert((t, p), n);
        }
    }

    fn drain_into(&mut self, current: &mut HashMap<TopicPartition, i64>) {
        // `last` holds the newest position of its partition: it goes in after `earlier`.
        for ((topic, partition), next) in self
            .earlier
            .drain()
            .chain(self.last.take().map(|(t, p, n)| ((t, p), n)))
        {
            current.insert(TopicPartition::new(&*topic, partition), next);
        }
    }
}

/// The shared names of the topics a task consumes, so that a record's topic costs no
/// allocation. A task subscribed to more topics than this allocates for the rest.
#[derive(Default)]
struct TopicNames(Vec<Arc<str>>);

impl TopicNames {
    const MAX: usize = 64;

    fn get(&mut self, topic: &str) -> Arc<str> {
        if let Some(t) = self.0.iter().find(|t| &***t == topic) {
            return t.clone();
        }
        let t: Arc<str> = Arc::from(topic);
        if self.0.len() < Self::MAX {
            self.0.push(t.clone());
        }
        t
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

enum RebalanceEvent {
    Assigned(Vec<TopicPartition>),
    Revoked(Vec<TopicPartition>),
}

/// Records rebalances; the loop handles them after `poll` returns, where it can call the
/// task's async `open` / `close`.
#[derive(Default)]
pub struct RebalanceRecorder {
    events: Mutex<Vec<RebalanceEvent>>,
    /// Where the consumer's statistics go.
    metrics: Option<Arc<TaskMetrics>>,
}

fn partitions_of(tpl: &TopicPartitionList) -> Vec<TopicPartition> {
    tpl.elements()
        .iter()
        .map(|e| TopicPartition::new(e.topic(), e.partition()))
        .collect()
}

impl ClientContext for RebalanceRecorder {
    fn stats(&self, statistics: rdkafka::Statistics) {
        if let Some(m) = &self.metrics {
            m.record_client(&statistics);
        }
    }
}

impl ConsumerContext for RebalanceRecorder {
    fn pre_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Revoke(tpl) = rebalance {
            lock(&self.events).push(RebalanceEvent::Revoked(partitions_of(tpl)));
        }
    }

    fn post_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Assign(tpl) = rebalance {
            lock(&self.events).push(RebalanceEvent::Assigned(partitions_of(tpl)));
        }
    }
}

#[derive(Default)]
struct ContextState {
    rewinds: HashMap<TopicPartition, i64>,
    timeout_ms: Option<u64>,
    assignment: Vec<TopicPartition>,
    to_pause: Vec<TopicPartition>,
    to_resume: Vec<TopicPartition>,
    paused_by_task: HashSet<TopicPartition>,
}

/// The `SinkTaskContext` the task sees.
struct Context {
    props: Props,
    state: Mutex<ContextState>,
    commit_requested: AtomicBool,
    errant_records: Option<Arc<ErrantRecords>>,
}

impl SinkTaskContext for Context {
    fn configs(&self) -> Props {
        self.props.clone()
    }
    fn offsets(&self, offsets: HashMap<TopicPartition, i64>) {
        lock(&self.state).rewinds.extend(offsets);
    }
    fn timeout(&self, timeout_ms: u64) {
        lock(&self.state).timeout_ms = Some(timeout_ms);
    }
    fn assignment(&self) -> Vec<TopicPartition> {
        lock(&self.state).assignment.clone()
    }
    fn pause(&self, partitions: &[TopicPartition]) {
        let mut s = lock(&self.state);
        for p in partitions {
            if s.assignment.contains(p) {
                s.paused_by_task.insert(p.clone());
                s.to_pause.push(p.clone());
            } else {
                tracing::error!(
                    "SinkTasks may not pause partitions that are not currently assigned to them."
                );
            }
        }
    }
    fn resume(&self, partitions: &[TopicPartition]) {
        let mut s = lock(&self.state);
        for p in partitions {
            s.paused_by_task.remove(p);
            s.to_resume.push(p.clone());
        }
    }
    fn request_commit(&self) {
        self.commit_requested.store(true, Ordering::Relaxed);
    }
    fn errant_record_reporter(&self) -> Option<Arc<dyn ErrantRecordReporter>> {
        self.errant_records
            .clone()
            .map(|r| r as Arc<dyn ErrantRecordReporter>)
    }
}

/// Everything a sink task loop needs, built by the worker.
pub struct SinkTaskSetup {
    /// The task's id.
    pub id: TaskId,
    /// The connector task implementation.
    pub task: Box<dyn SinkTask>,
    /// The task configuration.
    pub props: Props,
    /// What to subscribe to.
    pub topics: SinkTopics,
    /// The transformations.
    pub chain: TransformationChain<SinkRecord>,
    /// Key converter.
    pub key_converter: Box<dyn Converter>,
    /// Value converter.
    pub value_converter: Box<dyn Converter>,
    /// Header converter.
    pub header_converter: Box<dyn HeaderConverter>,
    /// The class names of the key, value and header converters, for error reports.
    pub converter_classes: [String; 3],
    /// Consumer settings.
    pub consumer_config: rdkafka::ClientConfig,
    /// Error policy.
    pub errors: ErrorHandler,
    /// Where records the policy skips are written (`errors.deadletterqueue.topic.name`).
    pub dead_letter_queue: Option<Arc<DeadLetterQueue>>,
    /// The task's errant record reporter, when the connector has a queue or error logging.
    pub errant_records: Option<Arc<ErrantRecords>>,
    /// `offset.flush.interval.ms`.
    pub offset_flush_interval: Duration,
    /// Status reports.
    pub status: Arc<dyn TaskStatusListener>,
    /// The task's metrics.
    pub metrics: Arc<TaskMetrics>,
    /// Cancelled to stop the task.
    pub cancel: CancellationToken,
    /// Cancelled when the task misses its stop deadline: it then commits no more offsets,
    /// since a replacement may already own its partitions.
    pub abandoned: CancellationToken,
    /// Pause / resume.
    pub target: watch::Receiver<TargetState>,
}

/// Runs a sink task to completion, reporting its state.
pub async fn run(setup: SinkTaskSetup) {
    let id = setup.id.clone();
    let status = setup.status.clone();
    if let Some(dlq) = &setup.dead_letter_queue {
        if let Err(e) = dlq.create_topic().await {
            status.on_task_state(&id, State::Failed, Some(e.trace()));
            return;
        }
    }
    match SinkTaskLoop::new(setup) {
        Ok(mut l) => {
            let result = l.execute().await;
            let shutdown = l.shutdown(result.is_ok()).await;
            super::report_outcome(&id, &*status, &l.errors, result.and(shutdown));
        }
        Err(e) => status.on_task_state(&id, State::Failed, Some(e.trace())),
    }
}

struct SinkTaskLoop {
    id: TaskId,
    task: Box<dyn SinkTask>,
    props: Props,
    topics: SinkTopics,
    chain: TransformationChain<SinkRecord>,
    key_converter: Box<dyn Converter>,
    value_converter: Box<dyn Converter>,
    header_converter: Box<dyn HeaderConverter>,
    converter_classes: [String; 3],
    consumer: BaseConsumer<RebalanceRecorder>,
    errors: ErrorHandler,
    dead_letter_queue: Option<Arc<DeadLetterQueue>>,
    topic_names: TopicNames,
    /// The partition of the last record consumed, and the offset expected next from it.
    last_consumed: Option<(Arc<str>, i32, i64)>,
    context: Arc<Context>,
    /// Next offset per partition after the last successful `put`.
    current: HashMap<TopicPartition, i64>,
    /// Last committed offsets, seeded from the consumer's position on assignment so that a
    /// failed `pre_commit` can rewind partitions that were never committed in this assignment.
    committed: HashMap<TopicPartition, i64>,
    /// Whether every assigned partition must be paused (the connector is paused, or a batch is
    /// waiting to be redelivered after a retriable failure), including partitions assigned
    /// later.
    paused_all: bool,
    /// Where a partition without a committed offset starts (`auto.offset.reset=latest`).
    reset_to_latest: bool,
    offset_flush_interval: Duration,
    status: Arc<dyn TaskStatusListener>,
    metrics: Arc<TaskMetrics>,
    cancel: CancellationToken,
    abandoned: CancellationToken,
    target: watch::Receiver<TargetState>,
    started: bool,
}

impl SinkTaskLoop {
    fn new(s: SinkTaskSetup) -> Result<SinkTaskLoop> {
        let consumer: BaseConsumer<RebalanceRecorder> = s
            .consumer_config
            .create_with_context(RebalanceRecorder {
                events: Mutex::default(),
                metrics: Some(s.metrics.clone()),
            })
            .map_err(|e| ConnectError::other_with("Failed to create consumer", e))?;
        let reset_to_latest = s.consumer_config.get("auto.offset.reset") == Some("latest");
        let context = Arc::new(Context {
            props: s.props.clone(),
            state: Mutex::new(ContextState::default()),
            commit_requested: AtomicBool::new(false),
            errant_records: s.errant_records.clone(),
        });
        Ok(SinkTaskLoop {
            id: s.id,
            task: s.task,
            props: s.props,
            topics: s.topics,
            chain: s.chain,
            key_converter: s.key_converter,
            value_converter: s.value_converter,
            header_converter: s.header_converter,
            converter_classes: s.converter_classes,
            consumer,
            errors: s.errors,
            dead_letter_queue: s.dead_letter_queue,
            topic_names: TopicNames::default(),
            last_consumed: None,
            context,
            current: HashMap::new(),
            committed: HashMap::new(),
            paused_all: false,
            reset_to_latest,
            offset_flush_interval: s.offset_flush_interval,
            status: s.status,
            metrics: s.metrics,
            cancel: s.cancel,
            abandoned: s.abandoned,
            target: s.target,
            started: false,
        })
    }

    async fn execute(&mut self) -> Result<()> {
        match &self.topics {
            SinkTopics::List(topics) => {
                let refs: Vec<&str> = topics.iter().map(String::as_str).collect();
                self.consumer.subscribe(&refs)
            }
            SinkTopics::Regex(re) => self.consumer.subscribe(&[full_match(re).as_str()]),
        }
        .map_err(|e| ConnectError::other_with("Failed to subscribe", e))?;
        self.task.initialize(self.context.clone());
        self.task.start(self.props.clone()).await?;
        self.started = true;
        tracing::info!(
            "WorkerSinkTask{{id={}}} Sink task finished initialization and start",
            self.id
        );
        self.status.on_task_state(&self.id, State::Running, None);
        self.metrics.state.enter(RunState::Running);
        let mut next_commit = Instant::now() + self.offset_flush_interval;
        let mut redeliver: Option<Vec<SinkRecord>> = None;
        let mut retry_backoff = RETRY_BACKOFF_MIN;
        let mut consumed = ConsumedPositions::default();
        let mut paused = false;
        loop {
            if self.cancel.is_cancelled() {
                return Ok(());
            }
            let target = *self.target.borrow_and_update();
            if (target == TargetState::Paused) != paused {
                paused = target == TargetState::Paused;
                self.status.on_task_state(
                    &self.id,
                    if paused {
                        State::Paused
                    } else {
                        State::Running
                    },
                    None,
                );
                self.metrics.state.enter(if paused {
                    RunState::Paused
                } else {
                    RunState::Running
                });
            }
            self.set_paused_all(paused || redeliver.is_some());
            self.handle_rebalances().await?;
            self.apply_context_requests();
            if Instant::now() >= next_commit
                || self.context.commit_requested.swap(false, Ordering::Relaxed)
            {
                self.commit().await;
                next_commit = Instant::now() + self.offset_flush_interval;
            }
            let timeout_ms = lock(&self.context.state).timeout_ms.take();
            let until_commit = next_commit.saturating_duration_since(Instant::now());
            if paused || redeliver.is_some() {
                // Nothing is consumed while paused: polling only keeps the group membership
                // alive and lets rebalances happen. A retry waits for the task's timeout, or
                // backs off exponentially when it set none.
                let wait = if paused {
                    until_commit.min(POLL_SLICE)
                } else {
                    timeout_ms
                        .map_or(retry_backoff, Duration::from_millis)
                        .min(until_commit.max(RETRY_BACKOFF_MIN))
                };
                self.poll_while_paused(wait);
                if paused {
                    continue;
                }
            } else {
                let poll_timeout = until_commit.min(
                    timeout_ms.map_or(POLL_SLICE, |ms| Duration::from_millis(ms).min(POLL_SLICE)),
                );
                redeliver = Some(self.poll_batch(poll_timeout, &mut consumed)?);
            }
            let to_put = redeliver.take().unwrap_or_default();
            let put_started = Instant::now();
            let put = self.task.put(&to_put).await;
            self.metrics
                .batch_time
                .record(put_started.elapsed().as_secs_f64() * 1000.0);
            match put {
                Ok(()) => {
                    consumed.drain_into(&mut self.current);
                    retry_backoff = RETRY_BACKOFF_MIN;
                    if !to_put.is_empty() {
                        self.metrics.records_out.record(to_put.len() as f64);
                        self.metrics.batch_size.record(to_put.len() as f64);
                        self.update_active();
                    }
                }
                Err(e) if e.is_retriable() => {
                    tracing::error!("{} RetriableException from SinkTask: {e}", self.id);
                    redeliver = Some(to_put);
                    if timeout_ms.is_none() {
                        retry_backoff = (retry_backoff * 2).min(RETRY_BACKOFF_MAX);
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Polls with every assigned partition paused, for up to `wait` (in slices, so that a stop,
    /// a pause change or a rebalance is seen promptly). A record that still arrives was fetched
    /// before the pause took effect: the partition is rewound to it so that it is delivered
    /// after the resume, never dropped.
    fn poll_while_paused(&mut self, wait: Duration) {
        let deadline = Instant::now() + wait;
        loop {
            let slice = deadline
                .saturating_duration_since(Instant::now())
                .min(POLL_SLICE);
            let arrived = match self.consumer.poll(slice) {
                Some(Ok(m)) => Some((m.topic().to_owned(), m.partition(), m.offset())),
                Some(Err(e)) => {
                    tracing::warn!("{} consumer error: {e}", self.id);
                    None
                }
                None => None,
            };
            if let Some((topic, partition, offset)) = arrived {
                self.pause_partitions(&[TopicPartition::new(&topic, partition)]);
                if let Err(e) = self.consumer.seek(
                    &topic,
                    partition,
                    Offset::Offset(offset),
                    Duration::from_secs(5),
                ) {
                    // The record cannot be put back: fail loudly rather than lose it.
                    tracing::error!(
                        "{} could not rewind {topic}-{partition} to {offset} while paused: {e}",
                        self.id
                    );
                }
            }
            let events_pending = !lock(&self.consumer.context().events).is_empty();
            if events_pending
                || self.cancel.is_cancelled()
                || self.target.has_changed().unwrap_or(true)
                || Instant::now() >= deadline
            {
                return;
            }
        }
    }

    fn poll_batch(
        &mut self,
        timeout: Duration,
        consumed: &mut ConsumedPositions,
    ) -> Result<Vec<SinkRecord>> {
        let mut batch = Vec::with_capacity(MAX_BATCH);
        let mut wait = timeout;
        let mut read = 0usize;
        let batch = loop {
            if batch.len() >= MAX_BATCH {
                break batch;
            }
            let msg = match self.consumer.poll(wait) {
                None => break batch,
                Some(Ok(m)) => m,
                Some(Err(e)) => {
                    tracing::warn!("{} consumer error: {e}", self.id);
                    break batch;
                }
            };
            wait = Duration::ZERO;
            read += 1;
            let topic = self.topic_names.get(msg.topic());
            note_offset_gap(
                &mut self.last_consumed,
                &self.id,
                &topic,
                msg.partition(),
                msg.offset(),
            );
            // The consumed position advances even when the error policy skips the record; it
            // reaches `current` only once `put` took the batch.
            consumed.advance(&topic, msg.partition(), msg.offset() + 1);
            if let Some(record) = convert_and_transform(
                &msg,
                topic,
                (
                    &*self.key_converter,
                    &*self.value_converter,
                    &*self.header_converter,
                ),
                &self.converter_classes,
                &mut self.chain,
                &mut self.errors,
            )? {
                batch.push(record);
            } else if let Some(failure) = self.errors.take_failure() {
                if let Some(dlq) = &self.dead_letter_queue {
                    dlq.report(&msg, &failure)?;
                }
            }
        };
        if read > 0 {
            self.metrics.records_in.record(read as f64);
        }
        Ok(batch)
    }

    /// `sink-record-active-count`: records delivered to `put` whose offsets are not yet
    /// committed.
    fn update_active(&self) {
        let active: i64 = self
            .current
            .iter()
            .map(|(tp, o)| (o - self.committed.get(tp).copied().unwrap_or(*o)).max(0))
            .sum();
        self.metrics.set_active(active);
    }

    /// Pauses every assigned partition, or resumes those the task did not pause itself; does
    /// nothing when already in that state.
    fn set_paused_all(&mut self, pause: bool) {
        if pause == self.paused_all {
            return;
        }
        self.paused_all = pause;
        let assignment = match self.consumer.assignment() {
            Ok(a) => a,
            Err(_) => return,
        };
        let result = if pause {
            self.consumer.pause(&assignment)
        } else {
            // Partitions the task paused itself stay paused.
            let paused_by_task = lock(&self.context.state).paused_by_task.clone();
            let mut tpl = TopicPartitionList::new();
            for e in assignment.elements() {
                if !paused_by_task.contains(&TopicPartition::new(e.topic(), e.partition())) {
                    tpl.add_partition(e.topic(), e.partition());
                }
            }
            self.consumer.resume(&tpl)
        };
        if let Err(e) = result {
            tracing::warn!(
                "{} could not {} partitions: {e}",
                self.id,
                if pause { "pause" } else { "resume" }
            );
        }
    }

    fn pause_partitions(&self, partitions: &[TopicPartition]) {
        let mut tpl = TopicPartitionList::new();
        for tp in partitions {
            tpl.add_partition(&tp.topic, tp.partition);
        }
        if let Err(e) = self.consumer.pause(&tpl) {
            tracing::warn!("{} could not pause {partitions:?}: {e}", self.id);
        }
    }

    /// The position each newly assigned partition starts from: its committed offset, or where
    /// `auto.offset.reset` puts a partition that has none.
    fn starting_positions(&self, parts: &[TopicPartition]) -> Vec<(TopicPartition, i64)> {
        let mut tpl = TopicPartitionList::new();
        for tp in parts {
            tpl.add_partition(&tp.topic, tp.partition);
        }
        let committed = match self
            .consumer
            .committed_offsets(tpl, Duration::from_secs(10))
        {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!("{} could not read committed offsets: {e}", self.id);
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for e in committed.elements() {
            let tp = TopicPartition::new(e.topic(), e.partition());
            let offset = match e.offset() {
                Offset::Offset(o) => Some(o),
                _ => self
                    .consumer
                    .fetch_watermarks(e.topic(), e.partition(), Duration::from_secs(10))
                    .ok()
                    .map(|(low, high)| if self.reset_to_latest { high } else { low }),
            };
            match offset {
                Some(o) => out.push((tp, o)),
                None => tracing::warn!("{} no starting position known for {tp}", self.id),
            }
        }
        out
    }

    fn apply_context_requests(&mut self) {
        let (rewinds, to_pause, to_resume) = {
            let mut s = lock(&self.context.state);
            (
                std::mem::take(&mut s.rewinds),
                std::mem::take(&mut s.to_pause),
                std::mem::take(&mut s.to_resume),
            )
        };
        for (tp, offset) in rewinds {
            match self.consumer.seek(
                &tp.topic,
                tp.partition,
                Offset::Offset(offset),
                Duration::from_secs(5),
            ) {
                Ok(()) => {
                    self.current.insert(tp.clone(), offset);
                    self.committed.insert(tp, offset);
                }
                Err(e) => tracing::warn!("{} could not rewind {tp} to {offset}: {e}", self.id),
            }
        }
        for (list, pause) in [(to_pause, true), (to_resume, false)] {
            if list.is_empty() {
                continue;
            }
            let mut tpl = TopicPartitionList::new();
            for tp in &list {
                tpl.add_partition(&tp.topic, tp.partition);
            }
            let _ = if pause {
                self.consumer.pause(&tpl)
            } else {
                self.consumer.resume(&tpl)
            };
        }
    }

    async fn handle_rebalances(&mut self) -> Result<()> {
        let events = std::mem::take(&mut *lock(&self.consumer.context().events));
        for event in events {
            match event {
                RebalanceEvent::Assigned(parts) => {
                    lock(&self.context.state)
                        .assignment
                        .extend(parts.iter().cloned());
                    tracing::info!("{} partitions assigned: {:?}", self.id, parts);
                    // A `topics.regex` sink learns its topics here.
                    for tp in &parts {
                        self.status.on_topic_used(&self.id, &tp.topic);
                    }
                    if self.paused_all {
                        self.pause_partitions(&parts);
                    }
                    for (tp, offset) in self.starting_positions(&parts) {
                        self.current.insert(tp.clone(), offset);
                        self.committed.insert(tp, offset);
                    }
                    self.task.open(&parts).await?;
                    self.metrics.partition_count.store(
                        lock(&self.context.state).assignment.len() as u64,
                        Ordering::Relaxed,
                    );
                }
                RebalanceEvent::Revoked(parts) => {
                    tracing::info!("{} partitions revoked: {:?}", self.id, parts);
                    self.commit().await;
                    self.task.close(&parts).await?;
                    let mut s = lock(&self.context.state);
                    s.assignment.retain(|p| !parts.contains(p));
                    for p in &parts {
                        self.current.remove(p);
                        self.committed.remove(p);
                    }
                    self.metrics
                        .partition_count
                        .store(s.assignment.len() as u64, Ordering::Relaxed);
                }
            }
        }
        Ok(())
    }

    /// Asks the task what is safe to commit, then commits it (Apache's `commitOffsets`).
    async fn commit(&mut self) {
        if self.current.is_empty() {
            return;
        }
        self.metrics.commit_seq.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();
        let committed = self.commit_accepted().await;
        let m = &self.metrics;
        match committed {
            Some(ok) => {
                m.offset_commit(started.elapsed(), ok);
                if ok {
                    m.commit_completion.record(1.0);
                }
            }
            None => m.commit_skip.record(1.0),
        }
        self.update_active();
    }

    /// [`Self::commit`]'s work: `None` when nothing was committed because nothing new was
    /// accepted (or `pre_commit` failed and the task rewound), else whether the commit worked.
    async fn commit_accepted(&mut self) -> Option<bool> {
        let offered: HashMap<TopicPartition, OffsetAndMetadata> = self
            .current
            .iter()
            .map(|(tp, o)| (tp.clone(), OffsetAndMetadata::new(*o)))
            .collect();
        let accepted = match self.task.pre_commit(offered).await {
            Ok(a) => a,
            Err(e) => {
                tracing::error!(
                    "{} Offset commit failed, rewinding to last committed offsets: {e}",
                    self.id
                );
                let committed: Vec<(TopicPartition, i64)> = self
                    .committed
                    .iter()
                    .map(|(k, v)| (k.clone(), *v))
                    .collect();
                for (tp, o) in committed {
                    let _ = self.consumer.seek(
                        &tp.topic,
                        tp.partition,
                        Offset::Offset(o),
                        Duration::from_secs(5),
                    );
                    self.current.insert(tp, o);
                }
                return Some(false);
            }
        };
        let mut tpl = TopicPartitionList::new();
        let mut changed = Vec::new();
        for (tp, om) in accepted {
            let Some(&current) = self.current.get(&tp) else {
                tracing::warn!(
                    "{} Ignoring invalid task provided offset {tp}/{} -- partition not assigned",
                    self.id,
                    om.offset
                );
                continue;
            };
            if om.offset > current {
                tracing::warn!(
                    "{} Ignoring invalid task provided offset {tp}/{} -- not yet consumed",
                    self.id,
                    om.offset
                );
                continue;
            }
            if self.committed.get(&tp) == Some(&om.offset) {
                continue;
            }
            if tpl
                .add_partition_offset(&tp.topic, tp.partition, Offset::Offset(om.offset))
                .is_ok()
            {
                changed.push((tp, om.offset));
            }
        }
        if changed.is_empty() {
            return None;
        }
        // Synchronous: the loop runs on the task's own thread, and a commit that returned is a
        // commit that happened.
        match self.consumer.commit(&tpl, CommitMode::Sync) {
            Ok(()) => {
                tracing::debug!("{} committed offsets {:?}", self.id, changed);
                self.committed.extend(changed);
                Some(true)
            }
            Err(e) => {
                tracing::error!("{} Commit of offsets failed: {e}", self.id);
                Some(false)
            }
        }
    }

    async fn shutdown(&mut self, clean: bool) -> Result<()> {
        if self.started {
            if clean && !self.abandoned.is_cancelled() {
                self.commit().await;
            }
            let assignment = lock(&self.context.state).assignment.clone();
            let close = self.task.close(&assignment).await;
            let stop = self.task.stop().await;
            self.chain.close();
            close.and(stop)
        } else {
            Ok(())
        }
    }
}

/// Logs (at debug level) records the consumer passed over within a partition: expected on
/// compacted topics and around transaction markers, a sign of trouble anywhere else. `last`
/// holds the partition of the previous record and the offset expected next from it.
fn note_offset_gap(
    last: &mut Option<(Arc<str>, i32, i64)>,
    id: &TaskId,
    topic: &Arc<str>,
    partition: i32,
    offset: i64,
) {
    if let Some((t, p, next)) = last {
        if *p == partition && Arc::ptr_eq(t, topic) {
            if *next != offset {
                tracing::debug!(
                    "{id} {topic}-{partition}: consumed offset {offset} after {}",
                    *next - 1
                );
            }
            // Updated in place: no reference count touched per record.
            *next = offset + 1;
            return;
        }
    }
    *last = Some((topic.clone(), partition, offset + 1));
}

fn convert_and_transform(
    msg: &BorrowedMessage<'_>,
    topic_name: Arc<str>,
    (key_converter, value_converter, header_converter): (
        &dyn Converter,
        &dyn Converter,
        &dyn HeaderConverter,
    ),
    classes: &[String; 3],
    chain: &mut TransformationChain<SinkRecord>,
    errors: &mut ErrorHandler,
) -> Result<Option<SinkRecord>> {
    let topic = msg.topic();
    let context = || {
        format!(
            ", where consumed record is {{topic='{}', partition={}, offset={}}}",
            topic,
            msg.partition(),
            msg.offset()
        )
    };
    let mut headers = Headers::new();
    if let Some(kh) = msg.headers() {
        let converted = errors.execute(Stage::HeaderConverter, &classes[2], context, || {
            let mut out = Headers::new();
            for h in kh.iter() {
                let sv = header_converter.to_connect_header(topic, h.key, h.value)?;
                out.add(Header::new(h.key, sv.schema, sv.value));
            }
            Ok(out)
        })?;
        match converted {
            Some(h) => headers = h,
            None => return Ok(None),
        }
    }
    let Some(key) = errors.execute(Stage::KeyConverter, &classes[0], context, || {
        key_converter.to_connect_data(topic, &headers, msg.key())
    })?
    else {
        return Ok(None);
    };
    let Some(value) = errors.execute(Stage::ValueConverter, &classes[1], context, || {
        value_converter.to_connect_data(topic, &headers, msg.payload())
    })?
    else {
        return Ok(None);
    };
    let mut record = SinkRecord::new(
        topic_name,
        msg.partition(),
        key.schema,
        key.value,
        value.schema,
        value.value,
        msg.offset(),
    )
    .with_headers(headers);
    match msg.timestamp() {
        Timestamp::CreateTime(t) => {
            record = record.with_timestamp(t, TimestampType::CreateTime);
        }
        Timestamp::LogAppendTime(t) => {
            record = record.with_timestamp(t, TimestampType::LogAppendTime);
        }
        Timestamp::NotAvailable => {}
    }
    if chain.is_empty() {
        return Ok(Some(record));
    }
    Ok(errors
        .execute(
            Stage::Transformation,
            "transformation chain",
            context,
            || chain.apply(record.clone()),
        )?
        .flatten())
}
