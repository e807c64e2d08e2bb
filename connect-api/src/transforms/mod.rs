//! Single message transformations and predicates (Apache's
//! `org.apache.kafka.connect.transforms`).

pub mod chain;

use std::collections::HashMap;

use crate::config::ConfigDef;
use crate::connector::ConnectRecord;
use crate::errors::Result;

/// Changes, reroutes or drops one record at a time (Java's `Transformation`).
///
/// Write it once, generic over the record type, so that it works on both source and sink
/// records:
///
/// ```
/// use std::collections::HashMap;
/// use connect_api::config::ConfigDef;
/// use connect_api::connector::ConnectRecord;
/// use connect_api::errors::Result;
/// use connect_api::transforms::Transformation;
///
/// /// Appends `-copy` to every topic name.
/// #[derive(Default)]
/// struct CopyTopic;
///
/// impl<R: ConnectRecord> Transformation<R> for CopyTopic {
///     fn configure(&mut self, _configs: &HashMap<String, String>) -> Result<()> { Ok(()) }
///     fn apply(&mut self, mut record: R) -> Result<Option<R>> {
///         let topic = format!("{}-copy", record.topic());
///         record.set_topic(topic);
///         Ok(Some(record))
///     }
///     fn config(&self) -> ConfigDef { ConfigDef::new() }
/// }
/// ```
///
/// Each task owns its own instance, so `apply` takes `&mut self` and may keep caches (e.g. of
/// derived schemas) without locking.
pub trait Transformation<R: ConnectRecord>: Send + 'static {
    /// Configures the transformation with its `transforms.<alias>.*` properties (prefix
    /// stripped).
    fn configure(&mut self, configs: &HashMap<String, String>) -> Result<()>;

    /// Transforms a record; `Ok(None)` drops it.
    fn apply(&mut self, record: R) -> Result<Option<R>>;

    /// The definition of the transformation's configuration.
    fn config(&self) -> ConfigDef;

    /// Releases resources. The default does nothing.
    fn close(&mut self) {}
}

/// Decides whether a transformation applies to a record (Java's `Predicate`, KIP-585).
pub trait Predicate<R: ConnectRecord>: Send + 'static {
    /// Configures the predicate with its `predicates.<alias>.*` properties (prefix stripped).
    fn configure(&mut self, configs: &HashMap<String, String>) -> Result<()>;

    /// Whether the record matches.
    fn test(&self, record: &R) -> Result<bool>;

    /// The definition of the predicate's configuration.
    fn config(&self) -> ConfigDef;

    /// Releases resources. The default does nothing.
    fn close(&mut self) {}
}
