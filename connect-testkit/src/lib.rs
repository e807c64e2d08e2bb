//! Test kit for Kafka Connect connectors written with [`connect_api`].
//!
//! Three levels, from fastest to most complete:
//!
//! - **Harnesses, no broker**: [`SourceTaskHarness`] and [`SinkTaskHarness`] run a task the
//!   way the worker runs it: a real task context, committed offsets that survive a restart
//!   (a new task instance) or a crash, the sink context's `offset`, `pause`, `resume`,
//!   `timeout` and `request_commit` honoured and recorded, rebalances, and the connector's
//!   converters and transformations applied with the worker's own code.
//! - **Acceptance checks**: [`SourceAcceptance`] and [`SinkAcceptance`] check, with one
//!   call, what every connector must get right to run safely; each failure says in words
//!   what was expected.
//! - **A real worker** (feature `worker`): `worker::TestWorker` starts a broker and a
//!   standalone worker in the test process, running the connectors linked into the test.
//!
//! ```
//! use connect_api::prelude::*;
//! use connect_testkit::SinkTaskHarness;
//!
//! #[derive(Default)]
//! struct Printer;
//!
//! #[async_trait]
//! impl SinkTask for Printer {
//!     async fn start(&mut self, _props: Props) -> Result<()> { Ok(()) }
//!     async fn put(&mut self, records: &[SinkRecord]) -> Result<()> {
//!         for r in records { println!("{}", r.value); }
//!         Ok(())
//!     }
//!     async fn stop(&mut self) -> Result<()> { Ok(()) }
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
//! let mut harness = SinkTaskHarness::new::<Printer>(Props::new());
//! harness.send(SinkRecord::new("in", 0, None, Value::Null, Some(STRING_SCHEMA.clone()), "hi".into(), 0));
//! harness.start().await?;
//! assert_eq!(harness.deliver_all(10).await?, 1);
//! let committed = harness.commit().await?;
//! assert_eq!(committed[&TopicPartition::new("in", 0)], 1);
//! # Ok::<(), ConnectError>(()) }).unwrap();
//! ```

// The converters and transformations must be linked for their names to resolve.
extern crate connect_converters;
extern crate connect_transforms;

pub mod acceptance;
mod isolated;
pub mod offsets;
pub mod pipeline;
pub mod sink;
pub mod source;
#[cfg(feature = "worker")]
pub mod worker;

pub use acceptance::{Report, SinkAcceptance, SourceAcceptance, Verdict};
pub use offsets::MemoryOffsetStore;
pub use pipeline::KafkaRecord;
pub use sink::{ContextCall, Delivery, SinkTaskHarness};
pub use source::SourceTaskHarness;
