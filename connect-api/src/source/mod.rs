//! Source connectors and tasks: copy data from an external system into Kafka
//! (Apache's `org.apache.kafka.connect.source`).

mod connector;
mod record;
mod task;
mod transaction;

pub use connector::{
    ConnectorTransactionBoundaries, ExactlyOnceSupport, SourceConnector, SourceConnectorContext,
};
pub use record::{SourceOffset, SourcePartition, SourceRecord};
pub use task::{RecordMetadata, SourceTask, SourceTaskContext};
pub use transaction::TransactionContext;
