//! Checks of the connector half, the same for sources and sinks: its configuration
//! definition, validation and `task_configs`.

use std::sync::Arc;
use std::time::Duration;

use connect_api::config::ConfigDef;
use connect_api::connector::{ConnectorContext, Props};
use connect_api::errors::{ConnectError, Result};
use connect_api::prelude::async_trait;
use connect_api::sink::SinkConnector;
use connect_api::source::{SourceConnector, SourceConnectorContext};
use connect_api::storage::OffsetStorageReader;

use super::checks;
use super::report::{Report, Verdict};
use super::stop::StartOutcome;
use crate::isolated::{on_own_thread, Outcome};
use crate::offsets::MemoryOffsetStore;

/// Creates source connector instances.
pub type SourceConnectorFactory = Arc<dyn Fn() -> Box<dyn SourceConnector> + Send + Sync>;
/// Creates sink connector instances.
pub type SinkConnectorFactory = Arc<dyn Fn() -> Box<dyn SinkConnector> + Send + Sync>;

/// Either kind of connector, behind one face.
#[derive(Clone)]
pub(crate) enum ConnectorFactory {
    Source(SourceConnectorFactory),
    Sink(SinkConnectorFactory),
}

pub(crate) enum AnyConnector {
    Source(Box<dyn SourceConnector>),
    Sink(Box<dyn SinkConnector>),
}

struct Context;

impl ConnectorContext for Context {
    fn request_task_reconfiguration(&self) {}
    fn raise_error(&self, _error: ConnectError) {}
}

impl SourceConnectorContext for Context {
    fn offset_storage_reader(&self) -> Arc<dyn OffsetStorageReader> {
        Arc::new(MemoryOffsetStore::new())
    }
}

impl ConnectorFactory {
    pub(crate) fn create(&self) -> AnyConnector {
        match self {
            ConnectorFactory::Source(f) => {
                let mut c = f();
                c.initialize(Arc::new(Context));
                AnyConnector::Source(c)
            }
            ConnectorFactory::Sink(f) => {
                let mut c = f();
                c.initialize(Arc::new(Context));
                AnyConnector::Sink(c)
            }
        }
    }
}

#[async_trait]
trait Lifecycle {
    async fn start(&mut self, props: Props) -> Result<()>;
    fn task_configs(&self, max_tasks: usize) -> Result<Vec<Props>>;
    async fn stop(&mut self) -> Result<()>;
    fn config(&self) -> ConfigDef;
}

#[async_trait]
impl Lifecycle for AnyConnector {
    async fn start(&mut self, props: Props) -> Result<()> {
        match self {
            AnyConnector::Source(c) => c.start(props).await,
            AnyConnector::Sink(c) => c.start(props).await,
        }
    }
    fn task_configs(&self, max_tasks: usize) -> Result<Vec<Props>> {
        match self {
            AnyConnector::Source(c) => c.task_configs(max_tasks),
            AnyConnector::Sink(c) => c.task_configs(max_tasks),
        }
    }
    async fn stop(&mut self) -> Result<()> {
        match self {
            AnyConnector::Source(c) => c.stop().await,
            AnyConnector::Sink(c) => c.stop().await,
        }
    }
    fn config(&self) -> ConfigDef {
        match self {
            AnyConnector::Source(c) => c.config(),
            AnyConnector::Sink(c) => c.config(),
        }
    }
}

/// How long connector calls may take in these checks.
const CALL_BUDGET: Duration = Duration::from_secs(30);

/// Keys the worker itself reads from a connector configuration; a connector never has to
/// declare them.
fn is_framework_key(key: &str) -> bool {
    const KEYS: &[&str] = &[
        "name",
        "connector.class",
        "tasks.max",
        "tasks.max.enforce",
        "topics",
        "topics.regex",
        "key.converter",
        "value.converter",
        "header.converter",
        "transforms",
        "predicates",
        "config.action.reload",
        "exactly.once.support",
        "transaction.boundary",
        "transaction.boundary.interval.ms",
        "offsets.storage.topic",
        "task.class",
    ];
    const PREFIXES: &[&str] = &[
        "key.converter.",
        "value.converter.",
        "header.converter.",
        "transforms.",
        "predicates.",
        "errors.",
        "topic.creation.",
        "producer.override.",
        "consumer.override.",
        "admin.override.",
    ];
    KEYS.contains(&key) || PREFIXES.iter().any(|p| key.starts_with(p))
}

/// Runs `f` against a fresh connector on a thread of its own.
fn with_connector<T, F>(
    factory: &ConnectorFactory,
    what: &str,
    f: F,
) -> std::result::Result<T, String>
where
    T: Send + 'static,
    F: FnOnce(AnyConnector) -> std::pin::Pin<Box<dyn std::future::Future<Output = T>>>
        + Send
        + 'static,
{
    let factory = factory.clone();
    match on_own_thread("acceptance-connector", CALL_BUDGET, move || {
        f(factory.create())
    }) {
        Outcome::Done(v) => Ok(v),
        Outcome::Panicked(m) => Err(format!("the connector panicked while {what}: {m}")),
        Outcome::TimedOut => Err(format!(
            "the connector had not finished {what} after {} s",
            CALL_BUDGET.as_secs()
        )),
    }
}

/// The connector's configuration definition.
pub(crate) fn config_def(factory: &ConnectorFactory) -> std::result::Result<ConfigDef, String> {
    with_connector(factory, "answering config()", |c| {
        Box::pin(async move { c.config() })
    })
}

/// Starts the connector with `props` and asks for `max_tasks` task configurations.
pub(crate) fn start_and_split(
    factory: &ConnectorFactory,
    props: &Props,
    max_tasks: &[usize],
) -> std::result::Result<std::result::Result<Vec<Vec<Props>>, ConnectError>, String> {
    let props = props.clone();
    let max_tasks = max_tasks.to_vec();
    with_connector(factory, "starting and splitting its work", move |mut c| {
        Box::pin(async move {
            c.start(props).await?;
            let mut out = Vec::new();
            for n in max_tasks {
                out.push(c.task_configs(n)?);
            }
            c.stop().await?;
            Ok(out)
        })
    })
}

/// Every documented key, or the keys that lack documentation.
pub(crate) fn check_documented(def: &ConfigDef) -> Verdict {
    let undocumented: Vec<&str> = def
        .keys()
        .filter(|k| !k.internal)
        .filter(|k| {
            k.documentation
                .as_deref()
                .is_none_or(|d| d.trim().is_empty())
        })
        .map(|k| k.name.as_str())
        .collect();
    if undocumented.is_empty() {
        Verdict::Passed
    } else {
        Verdict::Failed(format!(
            "expected every key of config() to have documentation (the REST API and UIs show \
             it to users), but these have none: {}. Give each a doc comment (ConnectConfig) or \
             `.doc(...)`.",
            undocumented.join(", ")
        ))
    }
}

/// Validation of a configuration without each required key must name that key; and the
/// connector (and its first task, through `start_task`) must start with only the keys it
/// declares plus the worker's own.
pub(crate) fn check_missing_keys(
    factory: &ConnectorFactory,
    def: &ConfigDef,
    props: &Props,
    start_task: &dyn Fn(Props) -> StartOutcome,
) -> Verdict {
    let mut problems = Vec::new();
    for key in def.keys().filter(|k| k.is_required()) {
        let mut without = props.clone();
        without.remove(&key.name);
        let values = def.validate(&without);
        let named = values
            .iter()
            .find(|v| v.name == key.name)
            .is_some_and(|v| v.error_messages.iter().any(|m| m.contains(&key.name)));
        if !named {
            problems.push(format!(
                "validating a configuration without the required key `{}` reported no error \
                 naming it; expected `Missing required configuration \"{}\" which has no \
                 default value.`",
                key.name, key.name
            ));
        }
    }
    // Keys the connector reads without declaring them: validation cannot report them
    // missing, so a user only learns of them when the connector or a task fails to start.
    for key in props
        .keys()
        .filter(|k| !def.contains(k) && !is_framework_key(k))
    {
        let mut without = props.clone();
        without.remove(key);
        let failure = match start_and_split(factory, &without, &[1]) {
            Err(e) => Some(e),
            Ok(Err(e)) => Some(format!("the connector's start failed: {e}")),
            Ok(Ok(configs)) => match configs.first().and_then(|c| c.first()) {
                Some(task_props) => match start_task(task_props.clone()) {
                    Err(e) => Some(e),
                    Ok(Err(e)) => Some(format!("the task's start failed: {e}")),
                    Ok(Ok(())) => None,
                },
                None => None,
            },
        };
        if let Some(failure) = failure {
            problems.push(format!(
                "`{key}` is required but config() does not declare it: without it {failure}. \
                 Validation passes without it, so users only find out when the connector \
                 runs; declare `{key}` in config() (required, documented)"
            ));
        }
    }
    if problems.is_empty() {
        Verdict::Passed
    } else {
        Verdict::Failed(problems.join("\n"))
    }
}

/// `task_configs(n)` for a few `n` returns at most `n` configurations each.
pub(crate) fn check_task_configs(factory: &ConnectorFactory, props: &Props) -> Verdict {
    let ns = [1, 2, 3, 10];
    match start_and_split(factory, props, &ns) {
        Err(e) => Verdict::Failed(e),
        Ok(Err(e)) => Verdict::Failed(format!(
            "expected the connector to start with the given configuration, but: {e}"
        )),
        Ok(Ok(all)) => {
            let over: Vec<String> = ns
                .iter()
                .zip(&all)
                .filter(|(n, c)| c.len() > **n)
                .map(|(n, c)| format!("task_configs({n}) returned {}", c.len()))
                .collect();
            if over.is_empty() {
                Verdict::Passed
            } else {
                Verdict::Failed(format!(
                    "expected at most `max_tasks` configurations (tasks.max is a limit the \
                     worker enforces), but {}",
                    over.join(", ")
                ))
            }
        }
    }
}

/// The first task configuration the connector hands out for `props`.
pub(crate) fn first_task_config(
    factory: &ConnectorFactory,
    props: &Props,
) -> std::result::Result<Props, String> {
    match start_and_split(factory, props, &[1]) {
        Err(e) => Err(e),
        Ok(Err(e)) => Err(format!(
            "the connector did not start with the given configuration: {e}"
        )),
        Ok(Ok(all)) => all
            .into_iter()
            .next()
            .and_then(|c| c.into_iter().next())
            .ok_or_else(|| "task_configs(1) returned no task configuration".to_owned()),
    }
}

/// Starting the connector with an empty configuration must fail with an error (or succeed),
/// never panic.
pub(crate) fn empty_config_panics(factory: &ConnectorFactory) -> Option<String> {
    match start_and_split(factory, &Props::new(), &[1]) {
        Err(e) if e.contains("panicked") => Some(e),
        _ => None,
    }
}

/// The checks of the connector half, added to `report` in order; returns the first task
/// configuration for the task checks, or `None` when `config()` itself failed (the report
/// says so).
pub(crate) fn run_connector_checks(
    report: &mut Report,
    factory: &ConnectorFactory,
    props: &Props,
    start_task: &dyn Fn(Props) -> StartOutcome,
) -> Option<std::result::Result<Props, String>> {
    let def = match config_def(factory) {
        Ok(def) => def,
        Err(e) => {
            report.add(checks::CONFIG_DOCUMENTED, Verdict::Failed(e));
            return None;
        }
    };
    report.add(checks::CONFIG_DOCUMENTED, check_documented(&def));
    report.add(
        checks::MISSING_KEYS_REPORTED,
        check_missing_keys(factory, &def, props, start_task),
    );
    report.add(
        checks::TASK_CONFIGS_BOUNDED,
        check_task_configs(factory, props),
    );
    Some(first_task_config(factory, props))
}
