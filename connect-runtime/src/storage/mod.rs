//! Offset, config and status storage.

pub mod offset_backing_store;
pub mod offset_codec;
mod offset_reader;

pub use offset_backing_store::{
    FileOffsetBackingStore, MemoryOffsetBackingStore, OffsetBackingStore,
};
pub use offset_reader::ConnectorOffsetReader;
