//! Acceptance checks: the properties every connector must have to run safely under the
//! worker, checked against an author's own connector with one call.
//!
//! ```no_run
//! # use connect_api::prelude::*;
//! # #[derive(Default)] struct MySource; #[derive(Default)] struct MyTask;
//! # #[async_trait] impl SourceConnector for MySource {
//! #   async fn start(&mut self, _: Props) -> Result<()> { Ok(()) }
//! #   fn task_configs(&self, _: usize) -> Result<Vec<Props>> { Ok(vec![]) }
//! #   async fn stop(&mut self) -> Result<()> { Ok(()) }
//! #   fn config(&self) -> ConfigDef { ConfigDef::new() } }
//! # #[async_trait] impl SourceTask for MyTask {
//! #   async fn start(&mut self, _: Props) -> Result<()> { Ok(()) }
//! #   async fn poll(&mut self) -> Result<Vec<SourceRecord>> { Ok(vec![]) }
//! #   async fn stop(&mut self) -> Result<()> { Ok(()) } }
//! use connect_testkit::SourceAcceptance;
//!
//! #[test]
//! fn my_source_is_acceptable() {
//!     let props = Props::from([("topic".into(), "out".into())]);
//!     SourceAcceptance::new::<MySource, MyTask>(props).run().assert_passed();
//! }
//! ```
//!
//! Each check that fails says, in words, what the worker expects and what the connector did.

mod connector;
mod report;
mod sink;
mod source;
mod stop;

pub use connector::{SinkConnectorFactory, SourceConnectorFactory};
pub use report::{Check, Report, Verdict};
pub use sink::{PersistedReader, RecordIdentity, SinkAcceptance};
pub use source::SourceAcceptance;

/// The names of the checks, as they appear in a [`Report`].
pub mod checks {
    /// Every key of `config()` is documented.
    pub const CONFIG_DOCUMENTED: &str = "config is documented";
    /// Validation names each missing required key, and the connector needs no key its
    /// `config()` does not declare.
    pub const MISSING_KEYS_REPORTED: &str = "missing required keys are reported by name";
    /// `task_configs(n)` returns at most `n` configurations.
    pub const TASK_CONFIGS_BOUNDED: &str = "task_configs(n) returns at most n";
    /// A source restarted after a commit resumes with the record after the committed one.
    pub const RESUMES_AFTER_COMMIT: &str = "resumes exactly after the last committed offset";
    /// `stop` returns within the worker's shutdown budget while `poll`/`put` is in progress.
    pub const STOPS_PROMPTLY: &str = "stops promptly while polling or putting";
    /// A sink's `flush`/`pre_commit` acknowledges only what it persisted.
    pub const ACKNOWLEDGES_ONLY_PERSISTED: &str = "pre_commit acknowledges only persisted records";
    /// No panic on empty, null or huge input.
    pub const NO_PANIC_ON_ODD_INPUT: &str = "no panic on empty, null or huge input";
}
