//! MirrorMaker 2's connectors, under Apache's class names, for replicating topics from one
//! Kafka cluster to another on a Connect worker.
//!
//! * [`MirrorSourceConnector`] (`org.apache.kafka.connect.mirror.MirrorSourceConnector`):
//!   copies the source cluster's topics (`topics`, `topics.exclude`) into remote topics on
//!   the worker's cluster, named by the replication policy (`A.orders` for `orders` of
//!   cluster `A`), with the source's partition count and topic configs. Records pass
//!   through as bytes — key, value, headers, partition and timestamp unchanged — and the
//!   source offset of each is committed as Apache's (`{"cluster", "topic", "partition"}` →
//!   `{"offset"}`), so either implementation resumes where the other stopped. Offset syncs go
//!   to `mm2-offset-syncs.<target>.internal` in Apache's format. New topics and partitions
//!   are found every `refresh.topics.interval.seconds` (5 s by default; Apache's default is
//!   10 minutes). Topics that came from the target are never sent back.
//! * [`MirrorHeartbeatConnector`]: heartbeats of the flow into the target's `heartbeats`.
//!
//! Run them with `ByteArrayConverter` for keys, values and headers, as MirrorMaker does:
//!
//! ```properties
//! name=mirror-A
//! connector.class=MirrorSourceConnector
//! source.cluster.alias=A
//! target.cluster.alias=B
//! source.cluster.bootstrap.servers=a:9092
//! target.cluster.bootstrap.servers=b:9092
//! topics=orders, payments.*
//! key.converter=org.apache.kafka.connect.converters.ByteArrayConverter
//! value.converter=org.apache.kafka.connect.converters.ByteArrayConverter
//! header.converter=org.apache.kafka.connect.converters.ByteArrayConverter
//! ```
//!
//! Kafka client settings: `source.cluster.` / `target.cluster.` give `bootstrap.servers`,
//! `security.protocol`, `sasl.mechanism`, `sasl.username` and `sasl.password`; overrides
//! under `consumer.`, `producer.`, `admin.` and `source.consumer.` (and so on) are passed to
//! librdkafka as they are, so they take librdkafka's names.

pub mod admin;
pub mod config;
pub mod filter;
pub mod heartbeat;
pub mod offset_syncs;
pub mod policy;
pub mod records;
pub mod source_connector;
pub mod source_task;

pub use heartbeat::{MirrorHeartbeatConnector, MirrorHeartbeatTask};
pub use source_connector::MirrorSourceConnector;
pub use source_task::MirrorSourceTask;

connect_api::source_connector!(
    MirrorSourceConnector,
    MirrorSourceTask,
    class = "org.apache.kafka.connect.mirror.MirrorSourceConnector",
    task_class = "org.apache.kafka.connect.mirror.MirrorSourceTask",
);
connect_api::source_connector!(
    MirrorHeartbeatConnector,
    MirrorHeartbeatTask,
    class = "org.apache.kafka.connect.mirror.MirrorHeartbeatConnector",
    task_class = "org.apache.kafka.connect.mirror.MirrorHeartbeatTask",
);
