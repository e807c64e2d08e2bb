//! [`SourceAcceptance`]: the acceptance checks of a source connector and its task.

use std::sync::Arc;
use std::time::{Duration, Instant};

use connect_api::connector::Props;
use connect_api::plugin::{LookupError, PluginFactory, PluginKind, PluginRegistry};
use connect_api::source::{SourceConnector, SourceRecord, SourceTask};

use super::checks;
use super::connector::{self, ConnectorFactory, SourceConnectorFactory};
use super::report::{Report, Verdict};
use super::stop;
use crate::isolated::{on_own_thread, Outcome};
use crate::source::{SourceTaskFactory, SourceTaskHarness};

/// The acceptance checks of a source connector: its configuration definition, validation,
/// `task_configs`, resuming exactly after the last committed offset, stopping promptly while
/// polling, and no panic on an empty configuration.
///
/// The configuration given must be one the connector runs with and has data for: the resume
/// check polls [`records_before_restart`](Self::records_before_restart) records and more.
pub struct SourceAcceptance {
    subject: String,
    connector: SourceConnectorFactory,
    task: SourceTaskFactory,
    props: Props,
    records_before_restart: usize,
    poll_timeout: Duration,
    stop_budget: Duration,
}

impl SourceAcceptance {
    /// Checks connector `C` with tasks `T`, configured with `props` (the connector
    /// configuration a user would submit).
    pub fn new<C: SourceConnector + Default, T: SourceTask + Default>(props: Props) -> Self {
        SourceAcceptance::with_factories(
            std::any::type_name::<C>(),
            Arc::new(|| Box::new(C::default())),
            Arc::new(|| Box::new(T::default())),
            props,
        )
    }

    /// Checks the connector `connector` creates, with the tasks `task` creates.
    pub fn with_factories(
        subject: impl Into<String>,
        connector: SourceConnectorFactory,
        task: SourceTaskFactory,
        props: Props,
    ) -> Self {
        SourceAcceptance {
            subject: subject.into(),
            connector,
            task,
            props,
            records_before_restart: 10,
            poll_timeout: Duration::from_secs(10),
            stop_budget: Duration::from_secs(5),
        }
    }

    /// Checks the source connector registered (and linked into this binary) under `name`,
    /// a class name or alias as a worker would resolve it.
    pub fn for_plugin(name: &str, props: Props) -> Result<Self, LookupError> {
        let registry = PluginRegistry::linked();
        let desc = registry.find(name, &[PluginKind::Source])?;
        let PluginFactory::Source {
            connector, task, ..
        } = desc.factory
        else {
            return Err(LookupError::WrongKind {
                name: name.to_owned(),
                found: desc.kind(),
                wanted: vec![PluginKind::Source],
            });
        };
        Ok(SourceAcceptance::with_factories(
            desc.class_name.clone(),
            Arc::new(connector),
            Arc::new(task),
            props,
        ))
    }

    /// How many records the resume check commits before restarting the task (10 by
    /// default); it polls at least one more.
    pub fn records_before_restart(mut self, n: usize) -> Self {
        self.records_before_restart = n.max(1);
        self
    }

    /// How long the task may take to produce the records a check needs (10 s by default).
    pub fn poll_timeout(mut self, timeout: Duration) -> Self {
        self.poll_timeout = timeout;
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
        let factory = ConnectorFactory::Source(self.connector.clone());
        let task = self.task.clone();
        let start_task = move |props: Props| {
            let task = task.clone();
            stop::start_and_stop(move || SourceTaskHarness::with_factory(task, props))
        };
        let Some(task_props) =
            connector::run_connector_checks(&mut report, &factory, &self.props, &start_task)
        else {
            return report;
        };
        report.add(
            checks::RESUMES_AFTER_COMMIT,
            match &task_props {
                Ok(p) => self.check_resume(p.clone()),
                Err(e) => Verdict::Failed(e.clone()),
            },
        );
        report.add(
            checks::STOPS_PROMPTLY,
            match &task_props {
                Ok(p) => self.check_stop(p.clone()),
                Err(e) => Verdict::Failed(e.clone()),
            },
        );
        report.add(
            checks::NO_PANIC_ON_ODD_INPUT,
            self.check_empty_config(&factory),
        );
        report
    }

    fn check_resume(&self, task_props: Props) -> Verdict {
        let factory = self.task.clone();
        let k = self.records_before_restart;
        let timeout = self.poll_timeout;
        let budget = timeout * 2 + Duration::from_secs(30);
        let outcome = on_own_thread("acceptance-resume", budget, move || async move {
            resume_check(factory, task_props, k, timeout).await
        });
        match outcome {
            Outcome::Done(v) => v,
            Outcome::Panicked(m) => Verdict::Failed(format!("the task panicked: {m}")),
            Outcome::TimedOut => Verdict::Failed(format!(
                "the task did not finish polling, committing and restarting within {} s",
                budget.as_secs()
            )),
        }
    }

    fn check_stop(&self, task_props: Props) -> Verdict {
        let factory = self.task.clone();
        stop::check(
            "polling",
            move || SourceTaskHarness::with_factory(factory, task_props),
            self.stop_budget,
        )
    }

    fn check_empty_config(&self, factory: &ConnectorFactory) -> Verdict {
        if let Some(e) = connector::empty_config_panics(factory) {
            return Verdict::Failed(format!(
                "expected an error for an empty configuration, but {e}"
            ));
        }
        match stop::start_and_stop({
            let task = self.task.clone();
            move || SourceTaskHarness::with_factory(task, Props::new())
        }) {
            Err(e) if e.contains("panicked") => Verdict::Failed(format!(
                "expected the task to fail with an error on an empty configuration, but {e}"
            )),
            _ => Verdict::Passed,
        }
    }
}

/// A source partition or offset as `{key=value, ...}`.
fn show(map: &std::collections::BTreeMap<String, connect_api::data::Value>) -> String {
    let entries: Vec<String> = map.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{{{}}}", entries.join(", "))
}

fn describe(r: &SourceRecord) -> String {
    format!(
        "offset {} (value {})",
        show(&r.source_offset),
        truncate(&r.value.to_string())
    )
}

fn truncate(s: &str) -> String {
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s.to_owned()
    }
}

async fn resume_check(
    factory: SourceTaskFactory,
    props: Props,
    k: usize,
    timeout: Duration,
) -> Verdict {
    let mut h = SourceTaskHarness::with_factory(factory, props);
    if let Err(e) = h.start().await {
        return Verdict::Failed(format!("the task did not start: {e}"));
    }
    let first = match h.poll_records(2 * k, timeout).await {
        Ok(r) => r,
        Err(e) => return Verdict::Failed(format!("poll failed: {e}")),
    };
    if first.len() <= k {
        return Verdict::Failed(format!(
            "the task polled {} records in {} s; the check needs more than {k}: give it a \
             configuration with data to read",
            first.len(),
            timeout.as_secs()
        ));
    }
    if let Err(e) = h.commit_first(k).await {
        return Verdict::Failed(format!("committing the first {k} records failed: {e}"));
    }
    // A worker killed now: the first k records' offsets are committed, the rest are not.
    h.crash();
    if let Err(e) = h.start().await {
        return Verdict::Failed(format!("the task did not start again: {e}"));
    }
    let mut expected: Vec<(usize, &SourceRecord)> = Vec::new();
    for (i, r) in first.iter().enumerate().skip(k) {
        if !expected
            .iter()
            .any(|(_, e)| e.source_partition == r.source_partition)
        {
            expected.push((i, r));
        }
    }
    let deadline = Instant::now() + timeout;
    let mut second: Vec<SourceRecord> = Vec::new();
    let mut problems = Vec::new();
    for (index, want) in expected {
        let got = loop {
            if let Some(r) = second
                .iter()
                .find(|r| r.source_partition == want.source_partition)
            {
                break Some(r.clone());
            }
            if Instant::now() >= deadline {
                break None;
            }
            match h.poll_records(1, deadline - Instant::now()).await {
                Ok(batch) => second.extend(batch),
                Err(e) => return Verdict::Failed(format!("poll after the restart failed: {e}")),
            }
        };
        let part = &want.source_partition;
        let shown = show(part);
        let committed = first[..k]
            .iter()
            .rev()
            .find(|r| r.source_partition == *part)
            .map(|r| show(&r.source_offset))
            .unwrap_or_else(|| "none".to_owned());
        let Some(got) = got else {
            problems.push(format!(
                "partition {shown}: after the restart the task polled nothing of it in {} s; \
                 expected the record after the committed offset {committed}: {}",
                timeout.as_secs(),
                describe(want)
            ));
            continue;
        };
        if got.source_offset == want.source_offset {
            if got.key != want.key || got.value != want.value {
                problems.push(format!(
                    "partition {shown}: resumed at the right offset but with another record: \
                     expected {}, got {}",
                    describe(want),
                    describe(&got)
                ));
            }
            continue;
        }
        let position = first
            .iter()
            .position(|r| r.source_partition == *part && r.source_offset == got.source_offset);
        problems.push(match position {
            Some(i) if i < index => format!(
                "partition {shown}: resumed with an already committed record, {} (committed \
                 offset {committed}); expected the next one, {}. Read the committed offset with \
                 offset_storage_reader() and continue after it",
                describe(&got),
                describe(want)
            ),
            Some(i) => format!(
                "partition {shown}: resumed with {} and skipped {} record(s) after the committed \
                 offset {committed}, starting with {}: a gap, records lost",
                describe(&got),
                first[index..i]
                    .iter()
                    .filter(|r| r.source_partition == *part)
                    .count(),
                describe(want)
            ),
            None => format!(
                "partition {shown}: resumed with {}, which the first run never produced; \
                 expected {} (after the committed offset {committed})",
                describe(&got),
                describe(want)
            ),
        });
    }
    h.crash();
    if problems.is_empty() {
        Verdict::Passed
    } else {
        Verdict::Failed(problems.join("\n"))
    }
}
