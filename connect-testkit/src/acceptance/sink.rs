//! [`SinkAcceptance`]: the acceptance checks of a sink connector and its task.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use connect_api::connector::Props;
use connect_api::data::{Value, BYTES_SCHEMA, STRING_SCHEMA};
use connect_api::plugin::{LookupError, PluginFactory, PluginKind, PluginRegistry};
use connect_api::sink::{SinkConnector, SinkRecord, SinkTask};

use super::checks;
use super::connector::{self, ConnectorFactory, SinkConnectorFactory};
use super::report::{Report, Verdict};
use super::stop;
use crate::isolated::{on_own_thread, Outcome};
use crate::sink::{SinkTaskFactory, SinkTaskHarness};

/// Reads what the sink has made durable, as identities (see [`SinkAcceptance::persisted`]).
pub type PersistedReader = Arc<dyn Fn() -> Vec<String> + Send + Sync>;
/// The identity of a record in the sink's store.
pub type RecordIdentity = Arc<dyn Fn(&SinkRecord) -> String + Send + Sync>;

/// The size of the huge records of the odd-input check.
const HUGE: usize = 16 * 1024 * 1024;

/// The acceptance checks of a sink connector: its configuration definition, validation,
/// `task_configs`, acknowledging in `pre_commit` only what it persisted (with
/// [`persisted`](Self::persisted)), stopping promptly while delivering, and no panic on
/// empty, null or huge records.
pub struct SinkAcceptance {
    subject: String,
    connector: SinkConnectorFactory,
    task: SinkTaskFactory,
    props: Props,
    persisted: Option<PersistedReader>,
    identity: RecordIdentity,
    stop_budget: Duration,
}

impl SinkAcceptance {
    /// Checks connector `C` with tasks `T`, configured with `props` (the connector
    /// configuration a user would submit; its first `topics` entry names the topic the
    /// checks' records come from).
    pub fn new<C: SinkConnector + Default, T: SinkTask + Default>(props: Props) -> Self {
        SinkAcceptance::with_factories(
            std::any::type_name::<C>(),
            Arc::new(|| Box::new(C::default())),
            Arc::new(|| Box::new(T::default())),
            props,
        )
    }

    /// Checks the connector `connector` creates, with the tasks `task` creates.
    pub fn with_factories(
        subject: impl Into<String>,
        connector: SinkConnectorFactory,
        task: SinkTaskFactory,
        props: Props,
    ) -> Self {
        SinkAcceptance {
            subject: subject.into(),
            connector,
            task,
            props,
            persisted: None,
            identity: Arc::new(|r: &SinkRecord| r.value.to_string()),
            stop_budget: Duration::from_secs(5),
        }
    }

    /// Checks the sink connector registered (and linked into this binary) under `name`, a
    /// class name or alias as a worker would resolve it.
    pub fn for_plugin(name: &str, props: Props) -> Result<Self, LookupError> {
        let registry = PluginRegistry::linked();
        let desc = registry.find(name, &[PluginKind::Sink])?;
        let PluginFactory::Sink {
            connector, task, ..
        } = desc.factory
        else {
            return Err(LookupError::WrongKind {
                name: name.to_owned(),
                found: desc.kind(),
                wanted: vec![PluginKind::Sink],
            });
        };
        Ok(SinkAcceptance::with_factories(
            desc.class_name.clone(),
            Arc::new(connector),
            Arc::new(task),
            props,
        ))
    }

    /// How to read the sink's store: every record made durable, as its identity (by default
    /// the record value's text; see [`identity`](Self::identity)). Without it the
    /// acknowledgement check is skipped.
    pub fn persisted(mut self, reader: impl Fn() -> Vec<String> + Send + Sync + 'static) -> Self {
        self.persisted = Some(Arc::new(reader));
        self
    }

    /// How a record appears in what [`persisted`](Self::persisted) returns.
    pub fn identity(
        mut self,
        identity: impl Fn(&SinkRecord) -> String + Send + Sync + 'static,
    ) -> Self {
        self.identity = Arc::new(identity);
        self
    }

    /// How long `stop` may take once requested: Apache's `task.shutdown.graceful.timeout.ms`
    /// (5 s) by default.
    pub fn stop_budget(mut self, budget: Duration) -> Self {
        self.stop_budget = budget;
        self
    }

    /// Runs every check, each on threads of its own (call it from a plain `#[test]`).
    pub fn run(self) -> Report {
        let mut report = Report::new(&self.subject);
        let factory = ConnectorFactory::Sink(self.connector.clone());
        let task = self.task.clone();
        let start_task = move |props: Props| {
            let task = task.clone();
            stop::start_and_stop(move || SinkTaskHarness::with_factory(task, props))
        };
        let Some(task_props) =
            connector::run_connector_checks(&mut report, &factory, &self.props, &start_task)
        else {
            return report;
        };
        let topic = self.topic();
        report.add(
            checks::ACKNOWLEDGES_ONLY_PERSISTED,
            match (&task_props, &self.persisted) {
                (Err(e), _) => Verdict::Failed(e.clone()),
                (Ok(_), None) => Verdict::Skipped(
                    "give SinkAcceptance::persisted(..) a reader of the sink's store to check \
                     that pre_commit acknowledges only what is there"
                        .to_owned(),
                ),
                (Ok(p), Some(reader)) => self.check_acknowledged(p.clone(), &topic, reader.clone()),
            },
        );
        report.add(
            checks::STOPS_PROMPTLY,
            match &task_props {
                Ok(p) => {
                    let factory = self.task.clone();
                    let props = p.clone();
                    let topic = topic.clone();
                    stop::check(
                        "delivering records",
                        move || {
                            let mut h = SinkTaskHarness::with_factory(factory, props);
                            for i in 0..5_000 {
                                h.send(text_record(&topic, 0, &format!("stop-{i}")));
                            }
                            h
                        },
                        self.stop_budget,
                    )
                }
                Err(e) => Verdict::Failed(e.clone()),
            },
        );
        report.add(
            checks::NO_PANIC_ON_ODD_INPUT,
            match &task_props {
                Ok(p) => self.check_odd_input(p.clone(), &topic, &factory),
                Err(e) => Verdict::Failed(e.clone()),
            },
        );
        report
    }

    fn topic(&self) -> String {
        self.props
            .get("topics")
            .and_then(|t| connect_api::config::parse_list(t).into_iter().next())
            .unwrap_or_else(|| "acceptance".to_owned())
    }

    fn check_acknowledged(&self, props: Props, topic: &str, reader: PersistedReader) -> Verdict {
        let factory = self.task.clone();
        let identity = self.identity.clone();
        let topic = topic.to_owned();
        let budget = Duration::from_secs(60);
        let outcome = on_own_thread("acceptance-ack", budget, move || async move {
            acknowledged_check(factory, props, &topic, reader, identity).await
        });
        match outcome {
            Outcome::Done(v) => v,
            Outcome::Panicked(m) => Verdict::Failed(format!("the task panicked: {m}")),
            Outcome::TimedOut => Verdict::Failed(format!(
                "delivering 30 records and committing took more than {} s",
                budget.as_secs()
            )),
        }
    }

    fn check_odd_input(&self, props: Props, topic: &str, factory: &ConnectorFactory) -> Verdict {
        if let Some(e) = connector::empty_config_panics(factory) {
            return Verdict::Failed(format!(
                "expected an error for an empty configuration, but {e}"
            ));
        }
        let cases: Vec<(&str, Vec<SinkRecord>)> = vec![
            ("an empty batch", Vec::new()),
            (
                "a record with a null key and a null value and no schemas (a tombstone)",
                vec![SinkRecord::new(
                    topic,
                    0,
                    None,
                    Value::Null,
                    None,
                    Value::Null,
                    0,
                )],
            ),
            (
                "a record with a null value under an optional schema",
                vec![SinkRecord::new(
                    topic,
                    0,
                    None,
                    Value::Null,
                    Some(connect_api::data::OPTIONAL_STRING_SCHEMA.clone()),
                    Value::Null,
                    1,
                )],
            ),
            (
                "a record with a 16 MiB string value",
                vec![SinkRecord::new(
                    topic,
                    0,
                    None,
                    Value::Null,
                    Some(STRING_SCHEMA.clone()),
                    Value::from("x".repeat(HUGE)),
                    2,
                )],
            ),
            (
                "a record with a 16 MiB bytes value",
                vec![SinkRecord::new(
                    topic,
                    0,
                    None,
                    Value::Null,
                    Some(BYTES_SCHEMA.clone()),
                    Value::Bytes(vec![0u8; HUGE].into()),
                    3,
                )],
            ),
        ];
        let mut problems = Vec::new();
        for (what, batch) in cases {
            let factory = self.task.clone();
            let props = props.clone();
            let budget = Duration::from_secs(60);
            match on_own_thread("acceptance-odd", budget, move || async move {
                let mut h = SinkTaskHarness::with_factory(factory, props);
                for r in batch {
                    h.send(r);
                }
                h.start().await?;
                // Errors are the error policy's business; only a panic is a defect.
                let _ = h.deliver_all(3).await;
                h.stop().await
            }) {
                Outcome::Done(_) => {}
                Outcome::Panicked(m) => problems.push(format!(
                    "the task panicked on {what}: {m}. Return an error instead: the worker \
                     applies errors.tolerance to errors, but a panic fails the task"
                )),
                Outcome::TimedOut => problems.push(format!(
                    "the task had not handled {what} after {} s",
                    budget.as_secs()
                )),
            }
        }
        if problems.is_empty() {
            Verdict::Passed
        } else {
            Verdict::Failed(problems.join("\n"))
        }
    }
}

fn text_record(topic: &str, partition: i32, value: &str) -> SinkRecord {
    SinkRecord::new(
        topic,
        partition,
        Some(STRING_SCHEMA.clone()),
        Value::from(format!("key-{value}")),
        Some(STRING_SCHEMA.clone()),
        Value::from(value),
        0,
    )
}

async fn acknowledged_check(
    factory: SinkTaskFactory,
    props: Props,
    topic: &str,
    reader: PersistedReader,
    identity: RecordIdentity,
) -> Verdict {
    let run = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let mut h = SinkTaskHarness::with_factory(factory, props);
    // Three batches of ten over two partitions.
    h.max_batch = 10;
    let mut sent = Vec::new();
    for i in 0..30 {
        let partition = i % 2;
        let mut r = text_record(topic, partition, &format!("acceptance-{run}-{i}"));
        r.kafka_offset = h.send(r.clone());
        r.original_kafka_offset = r.kafka_offset;
        sent.push(r);
    }
    if let Err(e) = h.start().await {
        return Verdict::Failed(format!("the task did not start: {e}"));
    }
    if let Err(e) = h.deliver_all(20).await {
        return Verdict::Failed(format!("put failed on plain string records: {e}"));
    }
    let mut committed = Default::default();
    for _ in 0..3 {
        match h.commit().await {
            Ok(c) if !c.is_empty() => {
                committed = c;
                break;
            }
            Ok(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            Err(e) => return Verdict::Failed(format!("pre_commit failed: {e}")),
        }
    }
    // A worker killed right after committing: what the sink acknowledged must be durable.
    h.crash();
    if committed.is_empty() {
        return Verdict::Failed(
            "pre_commit acknowledged nothing after 30 records were put, three times: the \
             worker would never commit, and would deliver everything again after every \
             restart. Return the offsets of the records you have written"
                .to_owned(),
        );
    }
    let stored: BTreeSet<String> = reader().into_iter().collect();
    let missing: Vec<String> = sent
        .iter()
        .filter(|r| {
            let tp = connect_api::sink::TopicPartition::new(r.topic.as_ref(), r.kafka_partition);
            committed.get(&tp).is_some_and(|&c| r.kafka_offset < c)
        })
        .map(|r| identity(r))
        .filter(|id| !stored.contains(id))
        .collect();
    if missing.is_empty() {
        return Verdict::Passed;
    }
    let shown: Vec<&str> = missing.iter().take(5).map(String::as_str).collect();
    let acked: Vec<String> = committed
        .iter()
        .map(|(tp, o)| format!("{tp} up to {o}"))
        .collect();
    Verdict::Failed(format!(
        "pre_commit acknowledged {}, but {} of the records before those offsets \
         were not in the store when the task was dropped (first: {}). The worker commits what \
         pre_commit returns, so after a crash these records are never delivered again: lost. \
         Return only the offsets of records you have made durable (flush before returning)",
        acked.join(", "),
        missing.len(),
        shown.join(", ")
    ))
}
