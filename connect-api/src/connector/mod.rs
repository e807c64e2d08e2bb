//! What source and sink connectors have in common: the record view transformations work on,
//! and the connector's context.

mod context;
mod record;

pub use context::ConnectorContext;
pub(crate) use record::impl_connect_record_fields;
pub use record::ConnectRecord;

/// Connector and task configurations as they travel: string keys to string values.
pub type Props = std::collections::HashMap<String, String>;
