//! The `OffsetStorageReader` handed to source tasks and connectors.

use std::sync::Arc;

use async_trait::async_trait;
use connect_api::errors::Result;
use connect_api::source::{SourceOffset, SourcePartition};
use connect_api::storage::OffsetStorageReader;

use super::offset_codec::{offset_key, parse_offset_value};
use super::OffsetBackingStore;

/// Reads one connector's committed offsets from the worker's store.
pub struct ConnectorOffsetReader {
    connector: String,
    store: Arc<dyn OffsetBackingStore>,
}

impl ConnectorOffsetReader {
    /// A reader of `connector`'s offsets.
    pub fn new(connector: impl Into<String>, store: Arc<dyn OffsetBackingStore>) -> Self {
        ConnectorOffsetReader {
            connector: connector.into(),
            store,
        }
    }
}

#[async_trait]
impl OffsetStorageReader for ConnectorOffsetReader {
    async fn offset(&self, partition: &SourcePartition) -> Result<Option<SourceOffset>> {
        let key = offset_key(&self.connector, partition)?;
        let found = self.store.get(std::slice::from_ref(&key)).await?;
        found.get(&key).map(|v| parse_offset_value(v)).transpose()
    }
}
