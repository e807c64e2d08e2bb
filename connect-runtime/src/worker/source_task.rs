//! The source task loop (Apache's `WorkerSourceTask`): poll → transformations → converters →
//! produce, committing source offsets only for records the broker acknowledged.

use std::sync::Arc;
use std::time::{Duration, Instant};

use connect_api::connector::Props;
use connect_api::errors::{ConnectError, Result};
use connect_api::source::{RecordMetadata, SourceRecord, SourceTask, SourceTaskContext};
use connect_api::storage::{Converter, HeaderConverter, OffsetStorageReader};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header as KafkaHeader, Message, OwnedHeaders};
use rdkafka::producer::{BaseRecord, DeliveryResult, Producer, ProducerContext, ThreadedProducer};
use rdkafka::ClientContext;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::dead_letter_queue::DeadLetterQueue;
use super::error_handler::{ErrorHandler, Stage};
use super::offset_committer::OffsetCommitter;
use super::submitted_records::{Ack, Submission, SubmittedRecords};
use super::topic_creation::TopicCreation;
use super::{State, TargetState, TaskId, TaskStatusListener};
use crate::config::connector_config::ToleranceType;
use crate::kafka::{to_client_config, ClientProps};
use crate::metrics::{RunState, TaskMetrics};
use crate::storage::{ConnectorOffsetReader, OffsetBackingStore};
use connect_api::transforms::chain::TransformationChain;

/// At most this many records may wait for acknowledgement before the task stops polling;
/// bounds memory and keeps the offsets close to what was sent.
const MAX_OUTSTANDING: usize = 20_000;

/// The Java producer's bound on the bytes it buffers; librdkafka has no such setting (its
/// `queue.buffering.max.kbytes` defaults to 1 GiB), so the task loop enforces it.
pub const BUFFER_MEMORY_CONFIG: &str = "buffer.memory";

/// `buffer.memory`'s default, as in Apache Kafka: 32 MiB.
pub const DEFAULT_BUFFER_MEMORY: usize = 32 << 20;

/// How many converted bytes the loop prepares before handing them to the producer.
const SEND_CHUNK_BYTES: usize = 4 << 20;

/// The producer settings of a source task, keeping `buffer.memory` (which
/// [`to_client_config`] drops, librdkafka not knowing it) for the task loop to enforce; the
/// loop removes it before the producer is created.
pub fn producer_client_config(props: &ClientProps) -> rdkafka::ClientConfig {
    let mut config = to_client_config(props);
    if let Some(v) = props.get(BUFFER_MEMORY_CONFIG) {
        config.set(BUFFER_MEMORY_CONFIG, v);
    }
    config
}

/// Takes `buffer.memory` out of the producer settings (librdkafka would reject it).
fn take_buffer_memory(config: &mut rdkafka::ClientConfig) -> Result<usize> {
    let Some(value) = config.get(BUFFER_MEMORY_CONFIG).map(str::to_owned) else {
        return Ok(DEFAULT_BUFFER_MEMORY);
    };
    config.remove(BUFFER_MEMORY_CONFIG);
    match value.trim().parse::<i64>() {
        Ok(n) if n >= 0 => Ok(usize::try_from(n).unwrap_or(usize::MAX)),
        Ok(_) => Err(ConnectError::invalid_config(
            BUFFER_MEMORY_CONFIG,
            Some(&value),
            "Value must be at least 0",
        )),
        Err(_) => Err(ConnectError::invalid_config(
            BUFFER_MEMORY_CONFIG,
            Some(&value),
            "Not a number of type LONG",
        )),
    }
}

/// Delivery reports go straight into the submitted-records table.
pub struct AckContext {
    submitted: SubmittedRecords,
    tolerate_failures: bool,
    /// Where the producer's statistics go.
    metrics: Arc<TaskMetrics>,
}

impl ClientContext for AckContext {
    fn stats(&self, statistics: rdkafka::Statistics) {
        self.metrics.record_client(&statistics);
    }
}

impl ProducerContext for AckContext {
    type DeliveryOpaque = usize;

    fn delivery(&self, result: &DeliveryResult<'_>, opaque: usize) {
        match result {
            Ok(msg) => self.submitted.acknowledge(
                opaque,
                Ack::Written {
                    partition: msg.partition(),
                    offset: msg.offset(),
                    timestamp: msg.timestamp().to_millis(),
                },
            ),
            Err((e, msg)) => {
                tracing::error!("failed to send record to {}: {e}", msg.topic());
                if self.tolerate_failures {
                    self.submitted.acknowledge(opaque, Ack::Skipped);
                } else {
                    self.submitted.fail(format!(
                        "Unrecoverable exception from producer send callback: {e}"
                    ));
                }
            }
        }
    }
}

struct TaskContext {
    props: Props,
    reader: Arc<dyn OffsetStorageReader>,
}

impl SourceTaskContext for TaskContext {
    fn configs(&self) -> Props {
        self.props.clone()
    }
    fn offset_storage_reader(&self) -> Arc<dyn OffsetStorageReader> {
        self.reader.clone()
    }
}

/// Everything a source task loop needs, built by the worker.
pub struct SourceTaskSetup {
    /// The task's id.
    pub id: TaskId,
    /// The connector task implementation.
    pub task: Box<dyn SourceTask>,
    /// The task configuration.
    pub props: Props,
    /// The transformations.
    pub chain: TransformationChain<SourceRecord>,
    /// Key converter.
    pub key_converter: Box<dyn Converter>,
    /// Value converter.
    pub value_converter: Box<dyn Converter>,
    /// Header converter.
    pub header_converter: Box<dyn HeaderConverter>,
    /// Producer settings.
    pub producer_config: rdkafka::ClientConfig,
    /// The worker's offset store.
    pub offset_store: Arc<dyn OffsetBackingStore>,
    /// Topic creation (KIP-158), when enabled for the connector.
    pub topic_creation: Option<TopicCreation>,
    /// Error policy.
    pub errors: ErrorHandler,
    /// `errors.tolerance`.
    pub tolerance: ToleranceType,
    /// Where records the transformations or converters reject go, when configured.
    pub dead_letter_queue: Option<Arc<DeadLetterQueue>>,
    /// `offset.flush.interval.ms`.
    pub offset_flush_interval: Duration,
    /// `offset.flush.timeout.ms`.
    pub offset_flush_timeout: Duration,
    /// Status reports.
    pub status: Arc<dyn TaskStatusListener>,
    /// The task's metrics.
    pub metrics: Arc<TaskMetrics>,
    /// Cancelled to stop the task.
    pub cancel: CancellationToken,
    /// Cancelled when the task misses its stop deadline: it then writes no more offsets and
    /// drops what its producer still holds, since a replacement may already be running.
    pub abandoned: CancellationToken,
    /// Pause / resume.
    pub target: watch::Receiver<TargetState>,
}

/// Runs a source task to completion, reporting its state.
pub async fn run(setup: SourceTaskSetup) {
    let id = setup.id.clone();
    let status = setup.status.clone();
    if let Some(dlq) = &setup.dead_letter_queue {
        if let Err(e) = dlq.create_topic().await {
            status.on_task_state(&id, State::Failed, Some(e.trace()));
            return;
        }
    }
    match SourceTaskLoop::new(setup) {
        Ok(mut l) => {
            let result = l.execute().await;
            l.shutdown().await;
            super::report_outcome(&id, &*status, &l.errors, result);
        }
        Err(e) => status.on_task_state(&id, State::Failed, Some(e.trace())),
    }
}

struct SourceTaskLoop {
    id: TaskId,
    task: Box<dyn SourceTask>,
    props: Props,
    chain: TransformationChain<SourceRecord>,
    key_converter: Box<dyn Converter>,
    value_converter: Box<dyn Converter>,
    header_converter: Box<dyn HeaderConverter>,
    producer: ThreadedProducer<AckContext>,
    submitted: SubmittedRecords,
    offset_store: Arc<dyn OffsetBackingStore>,
    topic_creation: Option<TopicCreation>,
    errors: ErrorHandler,
    dead_letter_queue: Option<Arc<DeadLetterQueue>>,
    committer: OffsetCommitter,
    offset_flush_interval: Duration,
    offset_flush_timeout: Duration,
    /// When the next scheduled offset commit is due.
    next_commit: Instant,
    /// `buffer.memory`: the bytes that may be sent and not yet acknowledged.
    buffer_memory: usize,
    status: Arc<dyn TaskStatusListener>,
    metrics: Arc<TaskMetrics>,
    cancel: CancellationToken,
    abandoned: CancellationToken,
    target: watch::Receiver<TargetState>,
    started: bool,
    /// The topic of the previous record, shared by the records that follow it.
    last_topic: Option<Arc<str>>,
    /// Reused per batch: converted keys and values back to back, and what to send.
    arena: Vec<u8>,
    outgoing: Vec<Outgoing>,
    to_submit: Vec<Submission>,
    /// Whether the task wants `commit_record` callbacks (read once, after `start`).
    keep_records: bool,
    opaques: Vec<usize>,
    drained: Vec<(Box<SourceRecord>, Option<RecordMetadata>)>,
    key_buf: Vec<u8>,
    value_buf: Vec<u8>,
    /// Records handed to the producer, for tests to watch the loop from outside.
    #[cfg(test)]
    sent: Arc<std::sync::atomic::AtomicUsize>,
}

/// A converted record waiting to be handed to the producer.
struct Outgoing {
    topic: Arc<str>,
    key: Option<std::ops::Range<usize>>,
    value: Option<std::ops::Range<usize>>,
    headers: Option<OwnedHeaders>,
    partition: Option<i32>,
    timestamp: Option<i64>,
    /// Key, value and header bytes, as counted against `buffer.memory`.
    bytes: usize,
}

/// Whether the loop goes on after a step, or was cancelled during it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Continue,
    Cancelled,
}

impl SourceTaskLoop {
    fn new(s: SourceTaskSetup) -> Result<SourceTaskLoop> {
        let submitted = SubmittedRecords::default();
        let mut producer_config = s.producer_config;
        let buffer_memory = take_buffer_memory(&mut producer_config)?;
        let producer: ThreadedProducer<AckContext> = producer_config
            .create_with_context(AckContext {
                submitted: submitted.clone(),
                tolerate_failures: s.tolerance == ToleranceType::All,
                metrics: s.metrics.clone(),
            })
            .map_err(|e| ConnectError::other_with("Failed to create producer", e))?;
        let committer = OffsetCommitter::new(
            s.id.clone(),
            submitted.clone(),
            s.offset_store.clone(),
            s.status.clone(),
            s.offset_flush_timeout,
            s.abandoned.clone(),
        )
        .with_metrics(s.metrics.clone());
        Ok(SourceTaskLoop {
            id: s.id,
            task: s.task,
            props: s.props,
            chain: s.chain,
            key_converter: s.key_converter,
            value_converter: s.value_converter,
            header_converter: s.header_converter,
            producer,
            submitted,
            committer,
            offset_store: s.offset_store,
            topic_creation: s.topic_creation,
            errors: s.errors,
            dead_letter_queue: s.dead_letter_queue,
            offset_flush_interval: s.offset_flush_interval,
            offset_flush_timeout: s.offset_flush_timeout,
            next_commit: Instant::now() + s.offset_flush_interval,
            buffer_memory,
            status: s.status,
            metrics: s.metrics,
            cancel: s.cancel,
            abandoned: s.abandoned,
            target: s.target,
            started: false,
            last_topic: None,
            arena: Vec::with_capacity(1 << 20),
            outgoing: Vec::new(),
            to_submit: Vec::new(),
            keep_records: true,
            opaques: Vec::new(),
            drained: Vec::new(),
            key_buf: Vec::with_capacity(256),
            value_buf: Vec::with_capacity(4096),
            #[cfg(test)]
            sent: Arc::default(),
        })
    }

    async fn execute(&mut self) -> Result<()> {
        let reader = Arc::new(ConnectorOffsetReader::new(
            self.id.connector.clone(),
            self.offset_store.clone(),
        ));
        self.task.initialize(Arc::new(TaskContext {
            props: self.props.clone(),
            reader,
        }));
        self.task.start(self.props.clone()).await?;
        self.started = true;
        self.keep_records = self.task.wants_record_callbacks();
        tracing::info!(
            "WorkerSourceTask{{id={}}} Source task finished initialization and start",
            self.id
        );
        self.next_commit = Instant::now() + self.offset_flush_interval;
        let mut reported = None;
        loop {
            if self.cancel.is_cancelled() {
                return Ok(());
            }
            let target = *self.target.borrow();
            if reported != Some(target) {
                let state = if target == TargetState::Paused {
                    State::Paused
                } else {
                    State::Running
                };
                self.status.on_task_state(&self.id, state, None);
                self.metrics.state.enter(if target == TargetState::Paused {
                    RunState::Paused
                } else {
                    RunState::Running
                });
                reported = Some(target);
            }
            if target == TargetState::Paused {
                self.committer.drain();
                self.committer.finish(true).await;
                self.committer.start();
                self.committer.finish(true).await;
                self.run_callbacks().await;
                tokio::select! {
                    _ = self.cancel.cancelled() => return Ok(()),
                    _ = self.target.changed() => {}
                }
                continue;
            }
            if let Some(failure) = self.submitted.failure() {
                return Err(ConnectError::other(failure));
            }
            self.commit_if_due().await;
            self.run_callbacks().await;
            if self.cancel.is_cancelled() {
                return Ok(());
            }
            let in_flight = self.submitted.in_flight_bytes();
            self.metrics.set_active(self.submitted.outstanding() as i64);
            if self.submitted.outstanding() >= MAX_OUTSTANDING
                || (in_flight > 0 && in_flight >= self.buffer_memory)
            {
                // Back-pressure: wait for the broker to catch up before polling more.
                tokio::select! {
                    biased;
                    _ = self.cancel.cancelled() => return Ok(()),
                    _ = tokio::time::sleep(Duration::from_millis(1)) => {}
                }
                continue;
            }
            // Let the background offset write make progress: a busy source may never wait.
            tokio::task::yield_now().await;
            // Offsets keep being committed on schedule while the task waits for data.
            let poll_started = Instant::now();
            let batch = {
                let poll = self.task.poll();
                tokio::pin!(poll);
                loop {
                    tokio::select! {
                        biased;
                        _ = self.cancel.cancelled() => return Ok(()),
                        r = &mut poll => break r,
                        _ = tokio::time::sleep_until(self.next_commit.into()) => {
                            // Field by field: the pending poll borrows the task.
                            self.committer.drain();
                            self.committer.finish(false).await;
                            self.committer.start();
                            self.next_commit = Instant::now() + self.offset_flush_interval;
                        }
                    }
                }
            };
            let batch = match batch {
                Ok(b) => {
                    if !b.is_empty() {
                        let m = &self.metrics;
                        m.records_in.record(b.len() as f64);
                        m.batch_size.record(b.len() as f64);
                        m.batch_time
                            .record(poll_started.elapsed().as_secs_f64() * 1000.0);
                    }
                    b
                }
                Err(e) if e.is_retriable() => {
                    tracing::warn!(
                        "{} failed to poll records from SourceTask. Will retry operation: {e}",
                        self.id
                    );
                    continue;
                }
                Err(e) => return Err(e),
            };
            if !batch.is_empty() && self.send_batch(batch).await? == Flow::Cancelled {
                return Ok(());
            }
        }
    }

    /// Collects acknowledgements, checks on the offset write in flight (timing it out after
    /// `offset.flush.timeout.ms`) and starts the next one when the flush interval is up.
    async fn commit_if_due(&mut self) {
        self.committer.drain();
        self.committer.finish(false).await;
        if Instant::now() >= self.next_commit {
            self.committer.start();
            self.next_commit = Instant::now() + self.offset_flush_interval;
        }
    }

    /// Waits, committing offsets on schedule, until the task is cancelled or `ready` holds.
    /// A delivery failure recorded meanwhile fails the task, since the record it concerns
    /// will never be acknowledged.
    async fn wait_until(&mut self, ready: impl Fn(&Self) -> bool) -> Result<Flow> {
        loop {
            if self.cancel.is_cancelled() {
                return Ok(Flow::Cancelled);
            }
            if ready(self) {
                return Ok(Flow::Continue);
            }
            if let Some(failure) = self.submitted.failure() {
                return Err(ConnectError::other(failure));
            }
            self.commit_if_due().await;
            tokio::select! {
                biased;
                _ = self.cancel.cancelled() => return Ok(Flow::Cancelled),
                _ = tokio::time::sleep(Duration::from_millis(1)) => {}
            }
        }
    }

    /// The shared name of `topic`, allocated once per run of records to the same topic.
    fn topic_arc(&mut self, topic: &str) -> Arc<str> {
        match &self.last_topic {
            Some(t) if &**t == topic => t.clone(),
            _ => {
                let t: Arc<str> = Arc::from(topic);
                self.last_topic = Some(t.clone());
                t
            }
        }
    }

    /// Transforms and converts a polled batch in chunks of a few megabytes; registers each
    /// chunk with one lock, then hands its records to the producer, waiting for acknowledgements whenever the next record would
    /// overrun `buffer.memory`. Once cancelled it sends nothing more: the records not sent
    /// stay unacknowledged, so their offsets are never committed.
    async fn send_batch(&mut self, batch: Vec<SourceRecord>) -> Result<Flow> {
        let mut records = batch.into_iter().peekable();
        while records.peek().is_some() {
            self.arena.clear();
            self.outgoing.clear();
            self.to_submit.clear();
            self.opaques.clear();
            // A few megabytes at a time: a batch of large records is never held converted in
            // full beside the producer's copy of it.
            while self.arena.len() < SEND_CHUNK_BYTES {
                let Some(record) = records.next() else { break };
                self.prepare(record)?;
            }
            if self.send_prepared().await? == Flow::Cancelled {
                return Ok(Flow::Cancelled);
            }
        }
        if self.arena.capacity() > 2 * SEND_CHUNK_BYTES {
            // One record larger than a chunk grew the arena: do not keep that much around.
            self.arena = Vec::with_capacity(SEND_CHUNK_BYTES);
        }
        Ok(Flow::Continue)
    }

    /// Registers the prepared records with one lock, then hands them to the producer within
    /// `buffer.memory`.
    async fn send_prepared(&mut self) -> Result<Flow> {
        if let Some(tc) = &mut self.topic_creation {
            for o in &self.outgoing {
                tokio::select! {
                    biased;
                    _ = self.cancel.cancelled() => return Ok(Flow::Cancelled),
                    r = tc.ensure(&o.topic) => r?,
                }
            }
        }
        // Converters and the error policy's retries may have taken a while.
        if self.cancel.is_cancelled() {
            return Ok(Flow::Cancelled);
        }
        self.submitted
            .submit_batch(self.to_submit.drain(..), &mut self.opaques);
        // Bytes of this batch counted as in flight but not yet handed to the producer.
        let mut unsent: usize = self.outgoing.iter().map(|o| o.bytes).sum();
        // Usually the whole batch fits and no record needs to look at the budget.
        let fits = self.submitted.in_flight_bytes() <= self.buffer_memory;
        for i in 0..self.outgoing.len() {
            let bytes = self.outgoing[i].bytes;
            if !fits {
                let limit = self.buffer_memory;
                // A record larger than the whole budget still goes, alone.
                let flow = self
                    .wait_until(|l| {
                        let sent = l.submitted.in_flight_bytes().saturating_sub(unsent);
                        sent == 0 || sent.saturating_add(bytes) <= limit
                    })
                    .await?;
                if flow == Flow::Cancelled {
                    return Ok(flow);
                }
            } else if self.cancel.is_cancelled() {
                return Ok(Flow::Cancelled);
            }
            if self.produce(i).await? == Flow::Cancelled {
                return Ok(Flow::Cancelled);
            }
            unsent -= bytes;
        }
        self.metrics.records_out.record(self.outgoing.len() as f64);
        Ok(Flow::Continue)
    }

    /// Writes a record the pipeline rejected (and `errors.tolerance=all` skips) to the dead
    /// letter queue, before the task moves past it.
    fn dead_letter(&mut self, record: &SourceRecord) -> Result<()> {
        match (self.errors.take_failure(), &self.dead_letter_queue) {
            (Some(failure), Some(dlq)) => dlq.report_source(record, &failure),
            _ => Ok(()),
        }
    }

    /// Runs the transformations and converters of one record; a record that is dropped or
    /// skipped is acknowledged to the task at once and never committed.
    fn prepare(&mut self, record: SourceRecord) -> Result<()> {
        // The task gets back the record it returned from poll, so keep a copy when the chain
        // may change it.
        let (original, transformed) = if self.chain.is_empty() {
            (None, record)
        } else {
            let chain = &mut self.chain;
            match self.errors.execute(
                Stage::Transformation,
                "transformation chain",
                String::new,
                || chain.apply(record.clone()),
            )? {
                Some(Some(r)) => (Some(record), r),
                Some(None) => {
                    self.task.commit_record(&record, None)?;
                    return Ok(());
                }
                None => {
                    self.dead_letter(&record)?;
                    self.task.commit_record(&record, None)?;
                    return Ok(());
                }
            }
        };
        let headers = &transformed.headers;
        let topic = transformed.topic.as_str();
        let (key_conv, value_conv, header_conv) = (
            &self.key_converter,
            &self.value_converter,
            &self.header_converter,
        );
        let (key_buf, value_buf) = (&mut self.key_buf, &mut self.value_buf);
        let has_key =
            self.errors
                .execute(Stage::KeyConverter, "key converter", String::new, || {
                    key_conv.from_connect_data_into(
                        topic,
                        headers,
                        transformed.key_schema.as_ref(),
                        &transformed.key,
                        key_buf,
                    )
                })?;
        let has_value = self.errors.execute(
            Stage::ValueConverter,
            "value converter",
            String::new,
            || {
                value_conv.from_connect_data_into(
                    topic,
                    headers,
                    transformed.value_schema.as_ref(),
                    &transformed.value,
                    value_buf,
                )
            },
        )?;
        let kafka_headers = if headers.is_empty() {
            Some((None, 0))
        } else {
            self.errors.execute(
                Stage::HeaderConverter,
                "header converter",
                String::new,
                || {
                    let mut out = OwnedHeaders::new_with_capacity(headers.len());
                    let mut size = 0usize;
                    for h in headers.iter() {
                        let bytes = header_conv.from_connect_header(
                            topic,
                            &h.key,
                            h.schema.as_ref(),
                            &h.value,
                        )?;
                        size += h.key.len() + bytes.as_ref().map_or(0, Vec::len);
                        out = out.insert(KafkaHeader {
                            key: &h.key,
                            value: bytes.as_deref(),
                        });
                    }
                    Ok((Some(out), size))
                },
            )?
        };
        let (Some(has_key), Some(has_value), Some((headers, header_bytes))) =
            (has_key, has_value, kafka_headers)
        else {
            let r = original.unwrap_or(transformed);
            self.dead_letter(&r)?;
            self.task.commit_record(&r, None)?;
            return Ok(());
        };
        if let Some(ts) = transformed.timestamp {
            if ts < 0 {
                return Err(ConnectError::other(format!(
                    "Invalid record timestamp {ts}: timestamps may not be negative"
                )));
            }
        }
        let append = |buf: &[u8], present: bool, arena: &mut Vec<u8>| {
            present.then(|| {
                let start = arena.len();
                arena.extend_from_slice(buf);
                start..arena.len()
            })
        };
        let key = append(&self.key_buf, has_key, &mut self.arena);
        let value = append(&self.value_buf, has_value, &mut self.arena);
        let bytes = key.as_ref().map_or(0, |r| r.len())
            + value.as_ref().map_or(0, |r| r.len())
            + header_bytes;
        let topic = self.topic_arc(&transformed.topic);
        self.outgoing.push(Outgoing {
            topic: topic.clone(),
            key,
            value,
            headers,
            partition: transformed.kafka_partition,
            timestamp: transformed.timestamp,
            bytes,
        });
        self.to_submit.push(Submission::new(
            original.unwrap_or(transformed),
            topic,
            self.keep_records,
            bytes,
        ));
        Ok(())
    }

    /// Hands record `i` of the batch to the producer, retrying while its queue is full.
    async fn produce(&mut self, i: usize) -> Result<Flow> {
        let opaque = self.opaques[i];
        loop {
            let o = &self.outgoing[i];
            let mut rec: BaseRecord<'_, [u8], [u8], usize> =
                BaseRecord::with_opaque_to(&o.topic, opaque);
            if let Some(k) = &o.key {
                rec = rec.key(&self.arena[k.clone()]);
            }
            if let Some(v) = &o.value {
                rec = rec.payload(&self.arena[v.clone()]);
            }
            if let Some(p) = o.partition {
                rec = rec.partition(p);
            }
            if let Some(ts) = o.timestamp {
                rec = rec.timestamp(ts);
            }
            if let Some(h) = &o.headers {
                rec = rec.headers(h.clone());
            }
            match self.producer.send(rec) {
                Ok(()) => {
                    #[cfg(test)]
                    self.sent.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    return Ok(Flow::Continue);
                }
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), _)) => {
                    // The producer's queue is full: let deliveries drain, then retry, unless
                    // the task is being stopped.
                    self.commit_if_due().await;
                    tokio::select! {
                        biased;
                        _ = self.cancel.cancelled() => return Ok(Flow::Cancelled),
                        _ = tokio::time::sleep(Duration::from_millis(1)) => {}
                    }
                }
                Err((e, _)) => {
                    return Err(ConnectError::other_with(
                        format!(
                            "Unrecoverable exception trying to send record to topic '{}'",
                            o.topic
                        ),
                        e,
                    ))
                }
            }
        }
    }

    /// Calls the task's `commit_record` for acknowledged records and `commit` after offset
    /// writes, outside of `poll`.
    async fn run_callbacks(&mut self) {
        let mut drained = std::mem::take(&mut self.drained);
        self.committer.take_deferred(&mut drained);
        for (record, meta) in drained.drain(..) {
            if let Err(e) = self.task.commit_record(&record, meta.as_ref()) {
                tracing::warn!(
                    "{} Exception thrown while calling task.commitRecord(): {e}",
                    self.id
                );
            }
        }
        self.drained = drained;
        for _ in 0..self.committer.take_commits_due() {
            if let Err(e) = self.task.commit().await {
                tracing::warn!(
                    "{} Exception thrown while calling task.commit(): {e}",
                    self.id
                );
            }
        }
    }

    /// Final commit: wait (up to `offset.flush.timeout.ms`) for in-flight records, commit what
    /// was acknowledged, then stop the task.
    async fn shutdown(&mut self) {
        if self.abandoned.is_cancelled() {
            // As Apache closes a cancelled task's producer without waiting: what it still
            // holds is dropped, never acknowledged, so its offsets stay uncommitted and the
            // replacement sends those records again.
            tracing::warn!(
                "{} Task missed its stop deadline; dropping the records its producer still holds",
                self.id
            );
            self.producer
                .purge(rdkafka::producer::PurgeConfig::default().queue().inflight());
        } else if let Err(e) = self.producer.flush(self.offset_flush_timeout) {
            // Blocking is fine here: each task runs on a thread of its own.
            tracing::warn!(
                "{} Failed to flush producer before the final offset commit: {e}",
                self.id
            );
        }
        self.committer.drain();
        self.committer.finish(true).await;
        self.committer.start();
        self.committer.finish(true).await;
        self.run_callbacks().await;
        if self.started {
            if let Err(e) = self.task.stop().await {
                tracing::warn!("{} Exception thrown while stopping task: {e}", self.id);
            }
        }
        self.chain.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::connector_config::ConnectorConfig;
    use crate::storage::MemoryOffsetBackingStore;
    use async_trait::async_trait;
    use connect_api::data::Value;
    use connect_api::source::{SourceOffset, SourcePartition};
    use connect_converters::{ByteArrayConverter, SimpleHeaderConverter};
    use std::collections::{HashMap, VecDeque};
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct NoStatus;
    impl TaskStatusListener for NoStatus {
        fn on_task_state(&self, _: &TaskId, _: State, _: Option<String>) {}
    }

    /// Hands out its batches, then nothing; optionally cancels the task while polling.
    struct ScriptedTask {
        batches: VecDeque<Vec<SourceRecord>>,
        polls: Arc<AtomicUsize>,
        cancel_in_poll: Option<CancellationToken>,
    }

    #[async_trait]
    impl SourceTask for ScriptedTask {
        async fn start(&mut self, _: Props) -> Result<()> {
            Ok(())
        }
        async fn poll(&mut self) -> Result<Vec<SourceRecord>> {
            self.polls.fetch_add(1, Ordering::SeqCst);
            if let Some(batch) = self.batches.pop_front() {
                if let Some(c) = &self.cancel_in_poll {
                    c.cancel();
                }
                return Ok(batch);
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
            Ok(Vec::new())
        }
        fn wants_record_callbacks(&self) -> bool {
            false
        }
        async fn stop(&mut self) -> Result<()> {
            Ok(())
        }
    }

    fn records(sizes: &[usize]) -> Vec<SourceRecord> {
        let p = Arc::new(SourcePartition::from([("f".into(), Value::from("a"))]));
        sizes
            .iter()
            .enumerate()
            .map(|(i, &n)| {
                SourceRecord::new(
                    p.clone(),
                    SourceOffset::from([("position".into(), Value::Int64(i as i64))]),
                    "t",
                    None,
                    Value::Bytes(vec![7u8; n].into()),
                )
            })
            .collect()
    }

    struct Harness {
        setup: SourceTaskSetup,
        cancel: CancellationToken,
        polls: Arc<AtomicUsize>,
        _target: watch::Sender<TargetState>,
    }

    /// A task whose producer points at a closed port: nothing is ever acknowledged, so what
    /// the loop hands to librdkafka stays there.
    fn harness(
        batches: Vec<Vec<SourceRecord>>,
        cancel_in_poll: bool,
        producer: &[(&str, &str)],
    ) -> Harness {
        let props: Props = [("name", "src"), ("connector.class", "X")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let connector = ConnectorConfig::parse(&props).unwrap();
        let cancel = CancellationToken::new();
        let polls = Arc::new(AtomicUsize::new(0));
        let mut producer_config = rdkafka::ClientConfig::new();
        producer_config
            .set("bootstrap.servers", "127.0.0.1:1")
            .set("message.timeout.ms", "300000")
            .set("log_level", "0");
        for (k, v) in producer {
            producer_config.set(*k, *v);
        }
        let (target_tx, target) = watch::channel(TargetState::Started);
        let setup = SourceTaskSetup {
            id: TaskId::new("src", 0),
            task: Box::new(ScriptedTask {
                batches: batches.into(),
                polls: polls.clone(),
                cancel_in_poll: cancel_in_poll.then(|| cancel.clone()),
            }),
            props: props.clone(),
            chain: TransformationChain::empty(),
            key_converter: Box::new(ByteArrayConverter),
            value_converter: Box::new(ByteArrayConverter),
            header_converter: Box::new(SimpleHeaderConverter),
            producer_config,
            offset_store: Arc::new(MemoryOffsetBackingStore::default()),
            topic_creation: None,
            errors: ErrorHandler::new("src-0".into(), &connector),
            tolerance: ToleranceType::None,
            dead_letter_queue: None,
            offset_flush_interval: Duration::from_secs(60),
            offset_flush_timeout: Duration::from_millis(100),
            status: Arc::new(NoStatus),
            metrics: crate::metrics::ConnectMetrics::new(Default::default(), "w".into())
                .register_task(
                    &TaskId::new("src", 0),
                    crate::metrics::TaskKind::Source,
                    Vec::new(),
                ),
            cancel: cancel.clone(),
            abandoned: CancellationToken::new(),
            target,
        };
        Harness {
            setup,
            cancel,
            polls,
            _target: target_tx,
        }
    }

    #[tokio::test]
    async fn cancel_interrupts_the_queue_full_retry() {
        let h = harness(
            vec![records(&[10, 10, 10])],
            false,
            &[("queue.buffering.max.messages", "1")],
        );
        let cancel = h.cancel.clone();
        let run = tokio::spawn(run(h.setup));
        tokio::time::sleep(Duration::from_millis(200)).await;
        cancel.cancel();
        let stopped = tokio::time::timeout(Duration::from_secs(3), run).await;
        assert!(
            stopped.is_ok(),
            "the task did not stop while its producer queue was full"
        );
    }

    #[tokio::test]
    async fn nothing_is_sent_once_cancelled() {
        let h = harness(vec![records(&[10, 10, 10])], true, &[]);
        let mut l = SourceTaskLoop::new(h.setup).unwrap();
        l.execute().await.unwrap();
        // Not the producer's `in_flight_count`: that is its out-queue length, which also
        // counts the connection errors it has yet to report.
        assert_eq!(l.sent.load(Ordering::SeqCst), 0);
        assert_eq!(l.submitted.outstanding(), 0);
        l.shutdown().await;
    }

    #[tokio::test]
    async fn in_flight_bytes_are_bounded_by_default() {
        // Three records of 12 MiB against the default 32 MiB: two go, the third waits.
        let big = 12 << 20;
        let h = harness(
            vec![records(&[big, big, big])],
            false,
            &[("message.max.bytes", "100000000")],
        );
        let polls = h.polls.clone();
        let mut l = SourceTaskLoop::new(h.setup).unwrap();
        {
            let run = l.execute();
            tokio::pin!(run);
            tokio::select! {
                r = &mut run => panic!("the loop ended: {:?}", r.err()),
                _ = tokio::time::sleep(Duration::from_millis(300)) => {}
            }
        }
        assert_eq!(l.sent.load(Ordering::SeqCst), 2);
        assert_eq!(polls.load(Ordering::SeqCst), 1, "the task kept polling");
        h.cancel.cancel();
        l.shutdown().await;
    }

    /// Runs the loop, pausing every 250 ms for `between` to look and act, then stops it.
    async fn drive(l: &mut SourceTaskLoop, steps: usize, mut between: impl FnMut(usize)) {
        let cancel = l.cancel.clone();
        let run = l.execute();
        tokio::pin!(run);
        for i in 0..steps {
            tokio::select! {
                r = &mut run => panic!("the loop ended: {:?}", r.err()),
                _ = tokio::time::sleep(Duration::from_millis(250)) => {}
            }
            between(i);
        }
        cancel.cancel();
        run.await.unwrap();
    }

    #[tokio::test]
    async fn acknowledgements_free_buffer_memory_for_the_rest_of_the_batch() {
        let h = harness(
            vec![records(&[400, 400, 400, 400, 400])],
            false,
            &[(BUFFER_MEMORY_CONFIG, "1000")],
        );
        let mut l = SourceTaskLoop::new(h.setup).unwrap();
        let (submitted, sent, polls) = (l.submitted.clone(), l.sent.clone(), h.polls.clone());
        let mut seen = Vec::new();
        drive(&mut l, 3, |_| {
            seen.push((sent.load(Ordering::SeqCst), polls.load(Ordering::SeqCst)));
            submitted.acknowledge_oldest(2);
        })
        .await;
        // Two fit in 1000 bytes; each pair of acknowledgements lets two more go; once the
        // batch is out and under the budget, polling resumes.
        assert_eq!(seen[..2], [(2, 1), (4, 1)]);
        assert_eq!(seen[2].0, 5);
        assert!(seen[2].1 > 1, "the task was not polled again");
        l.shutdown().await;
    }

    #[tokio::test]
    async fn a_record_larger_than_buffer_memory_goes_alone() {
        let h = harness(
            vec![records(&[10, 5000, 10])],
            false,
            &[(BUFFER_MEMORY_CONFIG, "1000")],
        );
        let mut l = SourceTaskLoop::new(h.setup).unwrap();
        let (submitted, sent) = (l.submitted.clone(), l.sent.clone());
        let mut seen = Vec::new();
        drive(&mut l, 3, |_| {
            seen.push(sent.load(Ordering::SeqCst));
            submitted.acknowledge_oldest(1);
        })
        .await;
        assert_eq!(seen, [1, 2, 3]);
        l.shutdown().await;
    }

    #[test]
    fn buffer_memory_comes_from_the_worker_and_connector_overrides() {
        let mut worker: HashMap<String, String> = [
            ("key.converter", "x"),
            ("value.converter", "x"),
            ("offset.storage.file.filename", "f"),
            ("bootstrap.servers", "127.0.0.1:9092"),
            ("producer.buffer.memory", "1048576"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let config = crate::config::WorkerConfig::parse(worker.clone(), true).unwrap();
        let props = crate::kafka::producer_props(&config, &HashMap::new(), "src", 0).unwrap();
        let mut client = producer_client_config(&props);
        assert_eq!(take_buffer_memory(&mut client).unwrap(), 1 << 20);
        assert_eq!(client.get(BUFFER_MEMORY_CONFIG), None);

        let connector: HashMap<String, String> = [(
            "producer.override.buffer.memory".to_owned(),
            "4096".to_owned(),
        )]
        .into();
        let props = crate::kafka::producer_props(&config, &connector, "src", 0).unwrap();
        let mut client = producer_client_config(&props);
        assert_eq!(take_buffer_memory(&mut client).unwrap(), 4096);

        worker.remove("producer.buffer.memory");
        let config = crate::config::WorkerConfig::parse(worker, true).unwrap();
        let props = crate::kafka::producer_props(&config, &HashMap::new(), "src", 0).unwrap();
        let mut client = producer_client_config(&props);
        assert_eq!(
            take_buffer_memory(&mut client).unwrap(),
            DEFAULT_BUFFER_MEMORY
        );

        for bad in ["-1", "lots"] {
            let mut client = rdkafka::ClientConfig::new();
            client.set(BUFFER_MEMORY_CONFIG, bad);
            let err = take_buffer_memory(&mut client).unwrap_err().to_string();
            assert!(err.contains("buffer.memory"), "{err}");
        }
    }
}
