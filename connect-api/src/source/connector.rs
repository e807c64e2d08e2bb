//! Source connectors: split the work among tasks.

use std::sync::Arc;

use async_trait::async_trait;

use super::{SourceOffset, SourcePartition};
use crate::config::ConfigDef;
use crate::connector::{ConnectorContext, Props};
use crate::errors::Result;
use crate::storage::OffsetStorageReader;

/// Whether a source connector can provide exactly-once semantics
/// (Java's `ExactlyOnceSupport`, KIP-618).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExactlyOnceSupport {
    /// The connector can be run with exactly-once semantics.
    Supported,
    /// It cannot.
    Unsupported,
}

/// Whether a source connector can define its own transaction boundaries
/// (Java's `ConnectorTransactionBoundaries`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConnectorTransactionBoundaries {
    /// It can (`transaction.boundary=connector` is allowed).
    Supported,
    /// It cannot (the default).
    #[default]
    Unsupported,
}

/// What a source connector may ask of the runtime (Java's `SourceConnectorContext`).
pub trait SourceConnectorContext: ConnectorContext {
    /// Reads the offsets committed for this connector's tasks.
    fn offset_storage_reader(&self) -> Arc<dyn OffsetStorageReader>;
}

/// A source connector: configures and splits the work of copying data from a system into
/// Kafka (Java's `SourceConnector`). Its tasks do the copying.
///
/// Lifecycle: [`initialize`](SourceConnector::initialize), [`start`](SourceConnector::start),
/// then [`task_configs`](SourceConnector::task_configs) whenever the runtime (re)creates tasks,
/// finally [`stop`](SourceConnector::stop). Register the connector and its task type with
/// [`source_connector!`](crate::source_connector).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a source connector: it does not implement `connect_api::source::SourceConnector`",
    note = "implement `SourceConnector` (with `#[async_trait]`) for the type before registering it with `source_connector!`"
)]
#[async_trait]
pub trait SourceConnector: Send + Sync + 'static {
    /// Receives the context. The default ignores it; keep it to request task reconfiguration
    /// or to raise errors from the connector's own threads.
    fn initialize(&mut self, context: Arc<dyn SourceConnectorContext>) {
        let _ = context;
    }

    /// Starts the connector with its configuration (already validated against
    /// [`config`](SourceConnector::config)).
    async fn start(&mut self, props: Props) -> Result<()>;

    /// The configurations of at most `max_tasks` tasks.
    fn task_configs(&self, max_tasks: usize) -> Result<Vec<Props>>;

    /// Stops the connector.
    async fn stop(&mut self) -> Result<()>;

    /// The definition of the connector's configuration, used for validation and documentation.
    fn config(&self) -> ConfigDef;

    /// Applies a new configuration. The default stops and starts the connector, as Java's does.
    async fn reconfigure(&mut self, props: Props) -> Result<()> {
        self.stop().await?;
        self.start(props).await
    }

    /// Whether the connector supports exactly-once delivery with this configuration. The
    /// default, `None`, means "unknown", which fails `exactly.once.support=required`.
    fn exactly_once_support(&self, props: &Props) -> Option<ExactlyOnceSupport> {
        let _ = props;
        None
    }

    /// Whether the connector can define transaction boundaries with this configuration. The
    /// default is `Unsupported`.
    fn can_define_transaction_boundaries(&self, props: &Props) -> ConnectorTransactionBoundaries {
        let _ = props;
        ConnectorTransactionBoundaries::Unsupported
    }

    /// Called when offsets are altered or reset through the REST API (KIP-875); `None` marks
    /// a partition whose offset is reset. Return `Ok(true)` if the connector acknowledged the
    /// change, `Ok(false)` (the default) if it does not manage offsets externally; return an
    /// error to refuse the change.
    async fn alter_offsets(
        &self,
        connector_config: &Props,
        offsets: &[(SourcePartition, Option<SourceOffset>)],
    ) -> Result<bool> {
        let _ = (connector_config, offsets);
        Ok(false)
    }
}
