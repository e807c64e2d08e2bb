//! Offset, config and status storage.

pub mod config_backing_store;
mod java_offsets_file;
pub mod kafka_config_backing_store;
pub mod kafka_offset_backing_store;
pub mod kafka_status_backing_store;
pub mod offset_backing_store;
pub mod offset_codec;
mod offset_reader;
pub mod status_backing_store;

pub use config_backing_store::{
    ConfigBackingStore, ConfigSnapshot, ConnectorEntry, MemoryConfigBackingStore,
};
pub use kafka_config_backing_store::{KafkaConfigBackingStore, RestartRequest, SessionKey};
pub use kafka_offset_backing_store::KafkaOffsetBackingStore;
pub use kafka_status_backing_store::KafkaStatusBackingStore;
pub use offset_backing_store::{
    FileOffsetBackingStore, MemoryOffsetBackingStore, OffsetBackingStore,
};
pub use offset_reader::ConnectorOffsetReader;
pub use status_backing_store::{MemoryStatusBackingStore, Status, StatusBackingStore};
