//! Sink connectors and tasks: copy data from Kafka into an external system
//! (Apache's `org.apache.kafka.connect.sink`).

mod connector;
mod record;
mod task;

pub use connector::{SinkConnector, TOPICS_CONFIG, TOPICS_REGEX_CONFIG};
pub(crate) use record::{display_headers, display_map};
pub use record::{SinkRecord, TimestampType};
pub use task::{
    ErrantRecordReporter, OffsetAndMetadata, SinkTask, SinkTaskContext, TopicPartition,
};
