//! What the project's integration tests and benchmarks run against: real brokers on free
//! loopback ports, and worker processes, ours and Apache Kafka's.
//!
//! - [`Broker`]: a tansu broker or Apache Kafka's own KRaft broker, chosen by
//!   `CONNECT_TEST_BROKER` (`tansu`, the default, or `apache`), started and waited for over the
//!   Kafka protocol, stopped and cleaned up when dropped — or, for [`Broker::shared`], when the
//!   test binary exits.
//! - [`apache`]: Apache Kafka's jars (fetched once by `scripts/apache-kafka.sh`) and its
//!   Connect workers as test peers and oracles.
//!
//! Every child process runs in a process group of its own, watched by a small shell loop that
//! kills the group when the test binary goes away, so no broker outlives a crashed or
//! interrupted test run.

pub mod apache;
mod broker;
mod process;

pub use broker::{Broker, BrokerKind};
pub use process::{free_port, http_status, wait_for_port, wait_until, Watched};
