//! [`SourceTaskHarness`]: a source task run as the worker runs it, without a broker.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use connect_api::connector::Props;
use connect_api::errors::{ConnectError, Result};
use connect_api::source::{
    RecordMetadata, SourceOffset, SourcePartition, SourceRecord, SourceTask, SourceTaskContext,
};
use connect_api::storage::OffsetStorageReader;

use crate::offsets::MemoryOffsetStore;
use crate::pipeline::{KafkaRecord, SourcePipeline};

/// Creates task instances; a restart takes a new one, as the worker does.
pub type SourceTaskFactory = Arc<dyn Fn() -> Box<dyn SourceTask> + Send + Sync>;

struct Context {
    props: Props,
    offsets: MemoryOffsetStore,
}

impl SourceTaskContext for Context {
    fn configs(&self) -> Props {
        self.props.clone()
    }
    fn offset_storage_reader(&self) -> Arc<dyn OffsetStorageReader> {
        Arc::new(self.offsets.clone())
    }
}

/// Runs one source task the way the worker does: a real task context whose offset reader
/// returns what was committed, records acknowledged and their offsets committed in poll
/// order, `commit_record` and `commit` called as the worker calls them, and restarts that
/// create a new task instance reading the committed offsets.
///
/// ```
/// # use connect_api::prelude::*;
/// # use std::sync::Arc;
/// # #[derive(Default)] struct Counter { next: i64 }
/// # #[async_trait] impl SourceTask for Counter {
/// #     async fn start(&mut self, _: Props) -> Result<()> { Ok(()) }
/// #     async fn poll(&mut self) -> Result<Vec<SourceRecord>> {
/// #         self.next += 1;
/// #         let p = Arc::new(SourcePartition::new());
/// #         let o = SourceOffset::from([("n".into(), self.next.into())]);
/// #         Ok(vec![SourceRecord::new(p, o, "t", None, self.next)])
/// #     }
/// #     async fn stop(&mut self) -> Result<()> { Ok(()) }
/// # }
/// use connect_testkit::SourceTaskHarness;
///
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// let mut harness = SourceTaskHarness::new::<Counter>(Props::new());
/// harness.start().await?;
/// let records = harness.poll_records(3, std::time::Duration::from_secs(5)).await?;
/// assert_eq!(records.len(), 3);
/// harness.commit().await?; // as the worker's offset commit after Kafka acknowledged them
/// # Ok::<(), ConnectError>(()) }).unwrap();
/// ```
pub struct SourceTaskHarness {
    factory: SourceTaskFactory,
    props: Props,
    offsets: MemoryOffsetStore,
    task: Option<Box<dyn SourceTask>>,
    in_flight: Vec<SourceRecord>,
    pipeline: Option<SourcePipeline>,
    starts: usize,
    kafka_offsets: HashMap<(String, i32), i64>,
}

impl SourceTaskHarness {
    /// A harness for tasks of type `T`, started with the task configuration `props` (what
    /// the connector's `task_configs` returned, plus any worker keys the task reads).
    pub fn new<T: SourceTask + Default>(props: Props) -> SourceTaskHarness {
        SourceTaskHarness::with_factory(Arc::new(|| Box::new(T::default())), props)
    }

    /// A harness whose task instances `factory` creates.
    pub fn with_factory(factory: SourceTaskFactory, props: Props) -> SourceTaskHarness {
        SourceTaskHarness {
            factory,
            props,
            offsets: MemoryOffsetStore::new(),
            task: None,
            in_flight: Vec::new(),
            pipeline: None,
            starts: 0,
            kafka_offsets: HashMap::new(),
        }
    }

    /// Shares `offsets` as the committed offsets (to start from offsets written beforehand,
    /// or to run two harnesses against one connector's store).
    pub fn with_offsets(mut self, offsets: MemoryOffsetStore) -> SourceTaskHarness {
        self.offsets = offsets;
        self
    }

    /// The committed offsets.
    pub fn offsets(&self) -> &MemoryOffsetStore {
        &self.offsets
    }

    /// The task's configuration.
    pub fn props(&self) -> &Props {
        &self.props
    }

    /// How many task instances have been started so far.
    pub fn starts(&self) -> usize {
        self.starts
    }

    /// Records polled and not yet committed, in poll order.
    pub fn in_flight(&self) -> &[SourceRecord] {
        &self.in_flight
    }

    /// The running task, to call its own methods in a test.
    pub fn task_mut(&mut self) -> Option<&mut (dyn SourceTask + 'static)> {
        self.task.as_deref_mut()
    }

    /// Creates a new task instance, initializes it with a fresh context and starts it.
    pub async fn start(&mut self) -> Result<()> {
        if self.task.is_some() {
            return Err(ConnectError::other(
                "the task is already running; stop or crash it first",
            ));
        }
        let mut task = (self.factory)();
        task.initialize(Arc::new(Context {
            props: self.props.clone(),
            offsets: self.offsets.clone(),
        }));
        self.starts += 1;
        task.start(self.props.clone()).await?;
        self.task = Some(task);
        Ok(())
    }

    fn running(&mut self) -> Result<&mut Box<dyn SourceTask>> {
        self.task
            .as_mut()
            .ok_or_else(|| ConnectError::other("the task is not running; call start first"))
    }

    /// One `poll`. The records are in flight until [`commit`](Self::commit).
    pub async fn poll(&mut self) -> Result<Vec<SourceRecord>> {
        let batch = self.running()?.poll().await?;
        self.in_flight.extend(batch.iter().cloned());
        Ok(batch)
    }

    /// Polls until at least `n` records came back or `timeout` passed, and returns what was
    /// polled (possibly fewer than `n`).
    pub async fn poll_records(&mut self, n: usize, timeout: Duration) -> Result<Vec<SourceRecord>> {
        let deadline = Instant::now() + timeout;
        let mut out = Vec::new();
        while out.len() < n && Instant::now() < deadline {
            let batch = self.poll().await?;
            if batch.is_empty() {
                // As the worker does with an empty poll: ask again soon, without spinning.
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            out.extend(batch);
        }
        Ok(out)
    }

    /// Polls until `n` records came back or `timeout` passed, and returns them as the worker
    /// would write them to Kafka: through the connector's transformations and converters
    /// (`transforms`, `key.converter`, `value.converter`, `header.converter` in the task
    /// configuration; JsonConverter when none is named). Records a transformation drops are
    /// left out but stay in flight, as the worker commits their offsets too.
    pub async fn poll_to_kafka(&mut self, n: usize, timeout: Duration) -> Result<Vec<KafkaRecord>> {
        let records = self.poll_records(n, timeout).await?;
        self.to_kafka(records)
    }

    /// `records` as the worker would write them to Kafka (see
    /// [`poll_to_kafka`](Self::poll_to_kafka)).
    pub fn to_kafka(&mut self, records: Vec<SourceRecord>) -> Result<Vec<KafkaRecord>> {
        let pipeline = match &mut self.pipeline {
            Some(p) => p,
            None => self
                .pipeline
                .insert(SourcePipeline::from_config(&self.props)?),
        };
        let mut out = Vec::with_capacity(records.len());
        for r in records {
            out.extend(pipeline.produce(r)?);
        }
        Ok(out)
    }

    /// Acknowledges every record in flight and commits their offsets, as the worker does once
    /// Kafka acknowledged them and the offset flush interval came round: `commit_record` for
    /// each (if the task wants callbacks), the last offset of each source partition
    /// committed, then `commit`.
    pub async fn commit(&mut self) -> Result<()> {
        let n = self.in_flight.len();
        self.commit_first(n).await
    }

    /// Acknowledges and commits only the first `n` records in flight (in poll order), as
    /// when the worker stops after Kafka acknowledged those and before the rest: the others
    /// stay in flight, and are lost to a [`crash`](Self::crash).
    pub async fn commit_first(&mut self, n: usize) -> Result<()> {
        let n = n.min(self.in_flight.len());
        let acked: Vec<SourceRecord> = self.in_flight.drain(..n).collect();
        let task = self
            .task
            .as_mut()
            .ok_or_else(|| ConnectError::other("the task is not running; call start first"))?;
        if task.wants_record_callbacks() {
            for r in &acked {
                // Offsets as the broker would assign them: consecutive per topic partition.
                let partition = r.kafka_partition.unwrap_or(0);
                let next = self
                    .kafka_offsets
                    .entry((r.topic.clone(), partition))
                    .or_insert(0);
                let metadata = RecordMetadata {
                    topic: Arc::from(r.topic.as_str()),
                    partition,
                    offset: Some(*next),
                    timestamp: r.timestamp,
                };
                *next += 1;
                task.commit_record(r, Some(&metadata))?;
            }
        }
        let mut latest: Vec<(Arc<SourcePartition>, SourceOffset)> = Vec::new();
        for r in acked {
            match latest.iter_mut().find(|(p, _)| **p == *r.source_partition) {
                Some((_, o)) => *o = r.source_offset,
                None => latest.push((r.source_partition, r.source_offset)),
            }
        }
        for (p, o) in latest {
            self.offsets.set((*p).clone(), o);
        }
        self.running()?.commit().await
    }

    /// Stops the task as the worker does: a final commit of what is in flight (the worker
    /// flushes the producer first, so all of it was acknowledged), then `stop`.
    pub async fn stop(&mut self) -> Result<()> {
        self.commit().await?;
        let mut task = self
            .task
            .take()
            .ok_or_else(|| ConnectError::other("the task is not running"))?;
        task.stop().await
    }

    /// Drops the task without stopping it or committing what is in flight, as `kill -9` of
    /// the worker would: the next [`start`](Self::start) resumes from the committed offsets.
    pub fn crash(&mut self) {
        self.task = None;
        self.in_flight.clear();
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
    use connect_api::data::Value;
    use connect_api::prelude::async_trait;

    #[derive(Default)]
    struct Numbers {
        next: i64,
        acked: Vec<i64>,
    }

    fn part() -> Arc<SourcePartition> {
        Arc::new(SourcePartition::from([(
            "n".to_owned(),
            Value::from("main"),
        )]))
    }

    #[async_trait]
    impl SourceTask for Numbers {
        async fn start(&mut self, _props: Props) -> Result<()> {
            Ok(())
        }
        async fn poll(&mut self) -> Result<Vec<SourceRecord>> {
            self.next += 1;
            let offset = SourceOffset::from([("n".to_owned(), Value::Int64(self.next))]);
            Ok(vec![SourceRecord::new(
                part(),
                offset,
                "numbers",
                None,
                self.next,
            )])
        }
        fn commit_record(
            &mut self,
            record: &SourceRecord,
            _metadata: Option<&RecordMetadata>,
        ) -> Result<()> {
            self.acked.extend(record.value.as_i64());
            Ok(())
        }
        async fn stop(&mut self) -> Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn commits_the_last_acknowledged_offset_of_each_partition() {
        let mut h = SourceTaskHarness::new::<Numbers>(Props::new());
        h.start().await.ok();
        let polled = h.poll_records(5, Duration::from_secs(5)).await.ok();
        assert_eq!(polled.map(|p| p.len()), Some(5));
        h.commit_first(3).await.ok();
        let committed = h.offsets().get(&part());
        assert_eq!(
            committed.and_then(|o| o.get("n").and_then(Value::as_i64)),
            Some(3)
        );
        assert_eq!(h.in_flight().len(), 2);
        h.crash();
        assert!(h.in_flight().is_empty());
        assert_eq!(
            h.offsets()
                .get(&part())
                .and_then(|o| o.get("n").and_then(Value::as_i64)),
            Some(3)
        );
    }

    #[tokio::test]
    async fn records_reach_kafka_through_the_converters() {
        let props = Props::from([(
            "value.converter".to_owned(),
            "org.apache.kafka.connect.storage.StringConverter".to_owned(),
        )]);
        let mut h = SourceTaskHarness::new::<Numbers>(props);
        h.start().await.ok();
        let out = h.poll_to_kafka(2, Duration::from_secs(5)).await.ok();
        let values: Vec<String> = out
            .unwrap_or_default()
            .iter()
            .filter_map(|r| r.value_str().map(str::to_owned))
            .collect();
        assert_eq!(values, ["1", "2"]);
    }
}
