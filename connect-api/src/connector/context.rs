//! What a connector may ask of the runtime.

use crate::errors::ConnectError;

/// The connector's handle on the runtime (Java's `ConnectorContext`).
pub trait ConnectorContext: Send + Sync {
    /// Asks the runtime to call `task_configs` again and restart the tasks if their
    /// configurations changed, e.g. because the connector found new tables to copy.
    fn request_task_reconfiguration(&self);

    /// Reports an unrecoverable error in a thread the connector runs itself; the connector
    /// is marked FAILED with this error.
    fn raise_error(&self, error: ConnectError);
}
