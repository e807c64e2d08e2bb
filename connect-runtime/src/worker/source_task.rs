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

use super::error_handler::{ErrorHandler, Stage};
use super::offset_committer::OffsetCommitter;
use super::submitted_records::{Ack, Submission, SubmittedRecords};
use super::topic_creation::TopicCreation;
use super::transformation_chain::TransformationChain;
use super::{State, TargetState, TaskId, TaskStatusListener};
use crate::config::connector_config::ToleranceType;
use crate::storage::{ConnectorOffsetReader, OffsetBackingStore};

/// At most this many records may wait for acknowledgement before the task stops polling;
/// bounds memory and keeps the offsets close to what was sent.
const MAX_OUTSTANDING: usize = 20_000;

/// Delivery reports go straight into the submitted-records table.
pub struct AckContext {
    submitted: SubmittedRecords,
    tolerate_failures: bool,
}

impl ClientContext for AckContext {}

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
    /// `offset.flush.interval.ms`.
    pub offset_flush_interval: Duration,
    /// `offset.flush.timeout.ms`.
    pub offset_flush_timeout: Duration,
    /// Status reports.
    pub status: Arc<dyn TaskStatusListener>,
    /// Cancelled to stop the task.
    pub cancel: CancellationToken,
    /// Pause / resume.
    pub target: watch::Receiver<TargetState>,
}

/// Runs a source task to completion, reporting its state.
pub async fn run(setup: SourceTaskSetup) {
    let id = setup.id.clone();
    let status = setup.status.clone();
    match SourceTaskLoop::new(setup) {
        Ok(mut l) => {
            let result = l.execute().await;
            l.shutdown().await;
            match result {
                Ok(()) => {}
                Err(e) => {
                    tracing::error!("{id} Task threw an uncaught and unrecoverable exception. Task is being killed and will not recover until manually restarted: {}", e.trace());
                    status.on_task_state(&id, State::Failed, Some(e.trace()));
                }
            }
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
    committer: OffsetCommitter,
    offset_flush_interval: Duration,
    offset_flush_timeout: Duration,
    status: Arc<dyn TaskStatusListener>,
    cancel: CancellationToken,
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
}

/// A converted record waiting to be handed to the producer.
struct Outgoing {
    topic: Arc<str>,
    key: Option<std::ops::Range<usize>>,
    value: Option<std::ops::Range<usize>>,
    headers: Option<OwnedHeaders>,
    partition: Option<i32>,
    timestamp: Option<i64>,
}

impl SourceTaskLoop {
    fn new(s: SourceTaskSetup) -> Result<SourceTaskLoop> {
        let submitted = SubmittedRecords::default();
        let producer: ThreadedProducer<AckContext> = s
            .producer_config
            .create_with_context(AckContext {
                submitted: submitted.clone(),
                tolerate_failures: s.tolerance == ToleranceType::All,
            })
            .map_err(|e| ConnectError::other_with("Failed to create producer", e))?;
        let committer = OffsetCommitter::new(
            s.id.clone(),
            submitted.clone(),
            s.offset_store.clone(),
            s.status.clone(),
            s.offset_flush_timeout,
        );
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
            offset_flush_interval: s.offset_flush_interval,
            offset_flush_timeout: s.offset_flush_timeout,
            status: s.status,
            cancel: s.cancel,
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
        let mut next_commit = Instant::now() + self.offset_flush_interval;
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
            self.committer.drain();
            self.committer.finish(false).await;
            if Instant::now() >= next_commit {
                self.committer.start();
                next_commit = Instant::now() + self.offset_flush_interval;
            }
            self.run_callbacks().await;
            if self.submitted.outstanding() >= MAX_OUTSTANDING {
                // Back-pressure: wait for the broker to catch up before polling more.
                tokio::time::sleep(Duration::from_millis(1)).await;
                continue;
            }
            // Let the background offset write make progress: a busy source may never wait.
            tokio::task::yield_now().await;
            // Offsets keep being committed on schedule while the task waits for data.
            let batch = {
                let poll = self.task.poll();
                tokio::pin!(poll);
                loop {
                    tokio::select! {
                        biased;
                        _ = self.cancel.cancelled() => return Ok(()),
                        r = &mut poll => break r,
                        _ = tokio::time::sleep_until(next_commit.into()) => {
                            self.committer.drain();
                            self.committer.finish(false).await;
                            self.committer.start();
                            next_commit = Instant::now() + self.offset_flush_interval;
                        }
                    }
                }
            };
            let batch = match batch {
                Ok(b) => b,
                Err(e) if e.is_retriable() => {
                    tracing::warn!(
                        "{} failed to poll records from SourceTask. Will retry operation: {e}",
                        self.id
                    );
                    continue;
                }
                Err(e) => return Err(e),
            };
            if !batch.is_empty() {
                self.send_batch(batch).await?;
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

    /// Transforms and converts a polled batch, registers it with one lock, then hands each
    /// record to the producer.
    async fn send_batch(&mut self, batch: Vec<SourceRecord>) -> Result<()> {
        self.arena.clear();
        self.outgoing.clear();
        self.to_submit.clear();
        self.opaques.clear();
        for record in batch {
            self.prepare(record)?;
        }
        if let Some(tc) = &mut self.topic_creation {
            for o in &self.outgoing {
                tc.ensure(&o.topic).await?;
            }
        }
        self.submitted
            .submit_batch(self.to_submit.drain(..), &mut self.opaques);
        for i in 0..self.outgoing.len() {
            self.produce(i).await?;
        }
        Ok(())
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
                Some(None) | None => {
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
            Some(None)
        } else {
            self.errors.execute(
                Stage::HeaderConverter,
                "header converter",
                String::new,
                || {
                    let mut out = OwnedHeaders::new_with_capacity(headers.len());
                    for h in headers.iter() {
                        let bytes = header_conv.from_connect_header(
                            topic,
                            &h.key,
                            h.schema.as_ref(),
                            &h.value,
                        )?;
                        out = out.insert(KafkaHeader {
                            key: &h.key,
                            value: bytes.as_deref(),
                        });
                    }
                    Ok(Some(out))
                },
            )?
        };
        let (Some(has_key), Some(has_value), Some(headers)) = (has_key, has_value, kafka_headers)
        else {
            let r = original.unwrap_or(transformed);
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
        let topic = self.topic_arc(&transformed.topic);
        self.outgoing.push(Outgoing {
            topic: topic.clone(),
            key,
            value,
            headers,
            partition: transformed.kafka_partition,
            timestamp: transformed.timestamp,
        });
        self.to_submit.push(Submission::new(
            original.unwrap_or(transformed),
            topic,
            self.keep_records,
        ));
        Ok(())
    }

    async fn produce(&mut self, i: usize) -> Result<()> {
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
                Ok(()) => return Ok(()),
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), _)) => {
                    // The producer's queue is full: let deliveries drain, then retry.
                    self.committer.drain();
                    tokio::time::sleep(Duration::from_millis(1)).await;
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
        // Blocking is fine here: each task runs on a thread of its own.
        if let Err(e) = self.producer.flush(self.offset_flush_timeout) {
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
