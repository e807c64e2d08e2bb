//! The acceptance checks against connectors with one deliberate defect each: every check
//! catches its defect, and a connector without defects passes them all.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use connect_api::config::{ConfigKey, ConfigType};
use connect_api::prelude::*;
use connect_testkit::acceptance::checks;
use connect_testkit::{SinkAcceptance, SourceAcceptance, Verdict};

// ---- sources ----

/// How a test source misbehaves.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
enum Defect {
    #[default]
    None,
    /// Resumes one record too far after a restart.
    SkipsAnOffset,
    /// `stop` never returns.
    BlocksInStop,
    /// Needs `endpoint`, which `config()` does not declare, and leaves `batch.size`
    /// undocumented.
    UndeclaredKey,
    /// Returns one task configuration more than asked for.
    TooManyTasks,
}

fn defect(props: &Props) -> Defect {
    match props.get("defect").map(String::as_str) {
        Some("skips") => Defect::SkipsAnOffset,
        Some("blocks") => Defect::BlocksInStop,
        Some("undeclared") => Defect::UndeclaredKey,
        Some("tasks") => Defect::TooManyTasks,
        _ => Defect::None,
    }
}

#[derive(Default)]
struct Numbers {
    /// Set by the factory: `config()` has no configuration to read it from.
    defect: Defect,
    props: Props,
}

fn source_def(defect: Defect) -> ConfigDef {
    let def = ConfigDef::new()
        .define(ConfigKey::new("topic", ConfigType::String).doc("The topic to write to."))
        .define(
            ConfigKey::new("defect", ConfigType::String)
                .default_value("none")
                .doc("Which defect to have."),
        );
    if defect == Defect::UndeclaredKey {
        def.define(ConfigKey::new("batch.size", ConfigType::Int).default_value(10))
    } else {
        def
    }
}

#[async_trait]
impl SourceConnector for Numbers {
    async fn start(&mut self, props: Props) -> Result<()> {
        if defect(&props) == Defect::UndeclaredKey && !props.contains_key("endpoint") {
            return Err(ConnectError::other("no endpoint configured"));
        }
        self.props = props;
        Ok(())
    }
    fn task_configs(&self, max_tasks: usize) -> Result<Vec<Props>> {
        let n = if defect(&self.props) == Defect::TooManyTasks {
            max_tasks + 1
        } else {
            1
        };
        Ok(vec![self.props.clone(); n])
    }
    async fn stop(&mut self) -> Result<()> {
        Ok(())
    }
    fn config(&self) -> ConfigDef {
        source_def(self.defect)
    }
}

#[derive(Default)]
struct NumbersTask {
    context: Option<Arc<dyn SourceTaskContext>>,
    topic: String,
    next: i64,
    defect: Defect,
}

fn partition(name: &str) -> Arc<SourcePartition> {
    Arc::new(SourcePartition::from([(
        "stream".to_owned(),
        Value::from(name),
    )]))
}

#[async_trait]
impl SourceTask for NumbersTask {
    fn initialize(&mut self, context: Arc<dyn SourceTaskContext>) {
        self.context = Some(context);
    }
    async fn start(&mut self, props: Props) -> Result<()> {
        self.defect = defect(&props);
        self.topic = props
            .get("topic")
            .cloned()
            .ok_or_else(|| ConnectError::other("topic is required"))?;
        if self.defect == Defect::UndeclaredKey && !props.contains_key("endpoint") {
            return Err(ConnectError::other("no endpoint configured"));
        }
        let committed = match &self.context {
            Some(c) => c.offset_storage_reader().offset(&partition("a")).await?,
            None => None,
        };
        self.next = committed
            .and_then(|o| o.get("n").and_then(Value::as_i64))
            .map_or(0, |n| {
                if self.defect == Defect::SkipsAnOffset {
                    n + 2
                } else {
                    n + 1
                }
            });
        Ok(())
    }
    async fn poll(&mut self) -> Result<Vec<SourceRecord>> {
        tokio::time::sleep(Duration::from_millis(1)).await;
        let n = self.next;
        self.next += 1;
        let offset = SourceOffset::from([("n".to_owned(), Value::Int64(n))]);
        Ok(vec![SourceRecord::new(
            partition("a"),
            offset,
            &self.topic,
            Some(STRING_SCHEMA.clone()),
            format!("number {n}"),
        )])
    }
    async fn stop(&mut self) -> Result<()> {
        if self.defect == Defect::BlocksInStop {
            // Blocks the task's thread, as a stop waiting on a lock or a socket would.
            std::thread::sleep(Duration::from_secs(60));
        }
        Ok(())
    }
}

fn source_props(defect: &str) -> Props {
    let mut props = Props::from([
        ("name".to_owned(), "numbers".to_owned()),
        ("tasks.max".to_owned(), "1".to_owned()),
        ("topic".to_owned(), "numbers".to_owned()),
        ("defect".to_owned(), defect.to_owned()),
    ]);
    if defect == "undeclared" {
        props.insert("endpoint".to_owned(), "http://localhost:1".to_owned());
    }
    props
}

fn source_acceptance(defect_name: &str) -> connect_testkit::Report {
    let defect = defect(&source_props(defect_name));
    SourceAcceptance::with_factories(
        format!("Numbers ({defect_name})"),
        Arc::new(move || {
            Box::new(Numbers {
                defect,
                ..Numbers::default()
            })
        }),
        Arc::new(|| Box::new(NumbersTask::default())),
        source_props(defect_name),
    )
    .stop_budget(Duration::from_secs(2))
    .run()
}

fn failure(report: &connect_testkit::Report, check: &str) -> String {
    match report.verdict(check) {
        Some(Verdict::Failed(why)) => why.clone(),
        other => panic!("expected `{check}` to fail, got {other:?}\n{report}"),
    }
}

fn only_failure(report: &connect_testkit::Report, check: &str) -> String {
    // Shown with --nocapture: what an author sees.
    println!("{report}");
    let failed: Vec<&str> = report.failures().map(|c| c.name).collect();
    assert_eq!(failed, [check], "{report}");
    failure(report, check)
}

#[test]
fn a_sound_source_passes_every_check() {
    let report = source_acceptance("none");
    report.assert_passed();
    assert_eq!(report.checks.len(), 6, "{report}");
}

#[test]
fn a_source_that_skips_an_offset_fails_the_resume_check() {
    let why = only_failure(&source_acceptance("skips"), checks::RESUMES_AFTER_COMMIT);
    assert!(why.contains("a gap, records lost"), "{why}");
    assert!(
        why.contains("number 10"),
        "names the record expected: {why}"
    );
}

#[test]
fn a_source_that_blocks_in_stop_fails_the_stop_check() {
    let why = only_failure(&source_acceptance("blocks"), checks::STOPS_PROMPTLY);
    assert!(why.contains("task.shutdown.graceful.timeout.ms"), "{why}");
}

#[test]
fn a_source_with_an_undeclared_required_key_fails_the_validation_check() {
    let report = source_acceptance("undeclared");
    let why = failure(&report, checks::MISSING_KEYS_REPORTED);
    assert!(
        why.contains("`endpoint` is required but config() does not declare it"),
        "{why}"
    );
    let why = failure(&report, checks::CONFIG_DOCUMENTED);
    assert!(why.contains("batch.size"), "{why}");
    assert_eq!(report.failures().count(), 2, "{report}");
}

#[test]
fn a_source_returning_too_many_task_configs_fails_that_check() {
    let why = only_failure(&source_acceptance("tasks"), checks::TASK_CONFIGS_BOUNDED);
    assert!(why.contains("task_configs(1) returned 2"), "{why}");
}

// ---- sinks ----

/// What the sinks of these tests have made durable, per test (each uses its own key).
static STORES: Mutex<Vec<(String, Vec<String>)>> = Mutex::new(Vec::new());

fn persist(store: &str, values: impl IntoIterator<Item = String>) {
    let mut stores = STORES.lock().unwrap_or_else(|e| e.into_inner());
    match stores.iter_mut().find(|(k, _)| k == store) {
        Some((_, v)) => v.extend(values),
        None => stores.push((store.to_owned(), values.into_iter().collect())),
    }
}

fn stored(store: &str) -> Vec<String> {
    let stores = STORES.lock().unwrap_or_else(|e| e.into_inner());
    stores
        .iter()
        .find(|(k, _)| k == store)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

#[derive(Default)]
struct Buffered {
    props: Props,
}

#[async_trait]
impl SinkConnector for Buffered {
    async fn start(&mut self, props: Props) -> Result<()> {
        self.props = props;
        Ok(())
    }
    fn task_configs(&self, max_tasks: usize) -> Result<Vec<Props>> {
        Ok(vec![self.props.clone(); max_tasks])
    }
    async fn stop(&mut self) -> Result<()> {
        Ok(())
    }
    fn config(&self) -> ConfigDef {
        ConfigDef::new()
            .define(ConfigKey::new("store", ConfigType::String).doc("Where flushed values go."))
            .define(
                ConfigKey::new("defect", ConfigType::String)
                    .default_value("none")
                    .doc("Which defect to have."),
            )
    }
}

#[derive(Default)]
struct BufferedTask {
    store: String,
    buffer: Vec<String>,
    defect: String,
}

#[async_trait]
impl SinkTask for BufferedTask {
    async fn start(&mut self, props: Props) -> Result<()> {
        self.store = props
            .get("store")
            .cloned()
            .ok_or_else(|| ConnectError::other("store is required"))?;
        self.defect = props.get("defect").cloned().unwrap_or_default();
        Ok(())
    }
    async fn put(&mut self, records: &[SinkRecord]) -> Result<()> {
        for r in records {
            match r.value.as_str() {
                Some(v) => self.buffer.push(v.to_owned()),
                None if self.defect == "panics" => panic!("expected a string value"),
                None => {}
            }
        }
        Ok(())
    }
    async fn flush(&mut self, _offsets: &HashMap<TopicPartition, OffsetAndMetadata>) -> Result<()> {
        if self.defect != "acks-unpersisted" {
            persist(&self.store, self.buffer.drain(..));
        }
        Ok(())
    }
    async fn stop(&mut self) -> Result<()> {
        Ok(())
    }
}

fn sink_acceptance(store: &str, defect: &str) -> connect_testkit::Report {
    let props = Props::from([
        ("name".to_owned(), "buffered".to_owned()),
        ("topics".to_owned(), "orders".to_owned()),
        ("store".to_owned(), store.to_owned()),
        ("defect".to_owned(), defect.to_owned()),
    ]);
    let reader_store = store.to_owned();
    SinkAcceptance::new::<Buffered, BufferedTask>(props)
        .persisted(move || stored(&reader_store))
        .stop_budget(Duration::from_secs(2))
        .run()
}

#[test]
fn a_sound_sink_passes_every_check() {
    let report = sink_acceptance("sound", "none");
    report.assert_passed();
    assert!(
        report.checks.iter().all(|c| c.verdict == Verdict::Passed),
        "{report}"
    );
}

#[test]
fn a_sink_whose_flush_acknowledges_unpersisted_data_fails_the_acknowledgement_check() {
    let why = only_failure(
        &sink_acceptance("unpersisted", "acks-unpersisted"),
        checks::ACKNOWLEDGES_ONLY_PERSISTED,
    );
    assert!(why.contains("30 of the records"), "{why}");
    assert!(why.contains("lost"), "{why}");
}

#[test]
fn a_sink_that_panics_on_a_tombstone_fails_the_odd_input_check() {
    let why = only_failure(
        &sink_acceptance("panics", "panics"),
        checks::NO_PANIC_ON_ODD_INPUT,
    );
    assert!(why.contains("tombstone"), "{why}");
    assert!(why.contains("expected a string value"), "{why}");
}

#[test]
fn without_a_store_reader_the_acknowledgement_check_is_skipped() {
    let props = Props::from([
        ("topics".to_owned(), "orders".to_owned()),
        ("store".to_owned(), "unread".to_owned()),
    ]);
    let report = SinkAcceptance::new::<Buffered, BufferedTask>(props).run();
    assert!(matches!(
        report.verdict(checks::ACKNOWLEDGES_ONLY_PERSISTED),
        Some(Verdict::Skipped(_))
    ));
    assert!(report.passed(), "{report}");
}
