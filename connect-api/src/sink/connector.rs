//! Sink connectors.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;

use super::TopicPartition;
use crate::config::ConfigDef;
use crate::connector::{ConnectorContext, Props};
use crate::errors::Result;

/// The name of the sink connector config key listing topics to consume.
pub const TOPICS_CONFIG: &str = "topics";
/// The name of the sink connector config key with a regex of topics to consume.
pub const TOPICS_REGEX_CONFIG: &str = "topics.regex";

/// A sink connector: configures and splits the work of copying data from Kafka into a system
/// (Java's `SinkConnector`). Its tasks do the copying.
///
/// Lifecycle as for [`SourceConnector`](crate::source::SourceConnector). Register the connector
/// and its task type with [`sink_connector!`](crate::sink_connector).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a sink connector: it does not implement `connect_api::sink::SinkConnector`",
    note = "implement `SinkConnector` (with `#[async_trait]`) for the type before registering it with `sink_connector!`"
)]
#[async_trait]
pub trait SinkConnector: Send + Sync + 'static {
    /// Receives the context. The default ignores it.
    fn initialize(&mut self, context: Arc<dyn ConnectorContext>) {
        let _ = context;
    }

    /// Starts the connector with its configuration.
    async fn start(&mut self, props: Props) -> Result<()>;

    /// The configurations of at most `max_tasks` tasks. The runtime copies `topics` /
    /// `topics.regex` into each.
    fn task_configs(&self, max_tasks: usize) -> Result<Vec<Props>>;

    /// Stops the connector.
    async fn stop(&mut self) -> Result<()>;

    /// The definition of the connector's configuration.
    fn config(&self) -> ConfigDef;

    /// Applies a new configuration. The default stops and starts the connector.
    async fn reconfigure(&mut self, props: Props) -> Result<()> {
        self.stop().await?;
        self.start(props).await
    }

    /// Called when consumer offsets are altered or reset through the REST API (KIP-875);
    /// `None` marks a reset partition. Return `Ok(true)` if acknowledged, `Ok(false)` (the
    /// default) if the connector does not manage offsets itself, or an error to refuse.
    async fn alter_offsets(
        &self,
        connector_config: &Props,
        offsets: &HashMap<TopicPartition, Option<i64>>,
    ) -> Result<bool> {
        let _ = (connector_config, offsets);
        Ok(false)
    }
}
