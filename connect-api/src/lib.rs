//! The Kafka Connect SDK for Rust.
//!
//! Depend on this crate alone to write connectors, converters, transformations and
//! predicates that run in a Kafka Connect worker written in Rust — the same configuration
//! files, REST API and data formats as Apache Kafka Connect.
//!
//! # The smallest source connector
//!
//! A connector splits the work into task configurations; each task polls records. One macro
//! registers the pair, under the names the worker will find it by.
//!
//! ```
//! use std::sync::Arc;
//! use connect_api::prelude::*;
//!
//! #[derive(Default)]
//! pub struct HelloSource { props: Props }
//!
//! #[async_trait]
//! impl SourceConnector for HelloSource {
//!     async fn start(&mut self, props: Props) -> Result<()> { self.props = props; Ok(()) }
//!     fn task_configs(&self, _max_tasks: usize) -> Result<Vec<Props>> { Ok(vec![self.props.clone()]) }
//!     async fn stop(&mut self) -> Result<()> { Ok(()) }
//!     fn config(&self) -> ConfigDef { ConfigDef::new() }
//! }
//!
//! #[derive(Default)]
//! pub struct HelloTask { topic: String, count: i64 }
//!
//! #[async_trait]
//! impl SourceTask for HelloTask {
//!     async fn start(&mut self, props: Props) -> Result<()> {
//!         self.topic = props.get("topic").cloned().unwrap_or_else(|| "hello".into());
//!         Ok(())
//!     }
//!     async fn poll(&mut self) -> Result<Vec<SourceRecord>> {
//!         self.count += 1;
//!         let partition = Arc::new(SourcePartition::from([("source".into(), "hello".into())]));
//!         let offset = SourceOffset::from([("count".into(), self.count.into())]);
//!         let value = format!("hello #{}", self.count);
//!         Ok(vec![SourceRecord::new(partition, offset, &self.topic, Some(STRING_SCHEMA.clone()), value)])
//!     }
//!     async fn stop(&mut self) -> Result<()> { Ok(()) }
//! }
//!
//! connect_api::source_connector!(HelloSource, HelloTask);
//! # let registry = connect_api::plugin::PluginRegistry::linked();
//! # assert!(registry.resolve("HelloSource").is_some());
//! ```
//!
//! # Where things are
//!
//! The modules follow Apache Kafka's `connect/api` packages, so Kafka readers find things:
//!
//! - [`data`]: schemas, values, structs, logical types and the `Values` conversions;
//! - [`connector`], [`source`], [`sink`]: the connector and task traits, records and contexts;
//! - [`storage`]: the [`Converter`](storage::Converter) and
//!   [`HeaderConverter`](storage::HeaderConverter) traits, offset reading;
//! - [`transforms`]: [`Transformation`](transforms::Transformation) and
//!   [`Predicate`](transforms::Predicate);
//! - [`header`]: record headers;
//! - [`config`]: `ConfigDef`, typed parsing and validation, and config structs that derive
//!   their own definition;
//! - [`errors`]: [`ConnectError`](errors::ConnectError), the one error type;
//! - [`plugin`]: registration macros and lookup by Apache's names and aliases.
#![deny(missing_docs)]

pub mod config;
pub mod connector;
pub mod data;
pub mod errors;
pub mod header;
pub mod plugin;
pub mod sink;
pub mod source;
pub mod storage;
pub mod transforms;

#[doc(hidden)]
pub use inventory;

pub use async_trait::async_trait;

/// The names a connector author needs most, for `use connect_api::prelude::*`.
pub mod prelude {
    pub use crate::async_trait;
    pub use crate::config::ConfigDef;
    pub use crate::connector::{ConnectRecord, ConnectorContext, Props};
    pub use crate::data::{
        Schema, SchemaAndValue, SchemaBuilder, Struct, Type, Value, BOOLEAN_SCHEMA, BYTES_SCHEMA,
        FLOAT64_SCHEMA, INT32_SCHEMA, INT64_SCHEMA, OPTIONAL_STRING_SCHEMA, STRING_SCHEMA,
    };
    pub use crate::errors::{ConnectError, Result};
    pub use crate::header::{Header, Headers};
    pub use crate::sink::{
        OffsetAndMetadata, SinkConnector, SinkRecord, SinkTask, SinkTaskContext, TopicPartition,
    };
    pub use crate::source::{
        SourceConnector, SourceOffset, SourcePartition, SourceRecord, SourceTask, SourceTaskContext,
    };
}
