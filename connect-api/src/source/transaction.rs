//! Connector-defined transaction boundaries (KIP-618).

use super::SourceRecord;

/// Lets a source task define transaction boundaries when the connector is configured with
/// `transaction.boundary=connector` (Java's `TransactionContext`).
pub trait TransactionContext: Send + Sync {
    /// Commits the current transaction after the records returned by the latest `poll`.
    fn commit_transaction(&self);
    /// Commits the current transaction after `record`.
    fn commit_transaction_after(&self, record: &SourceRecord);
    /// Aborts the current transaction after the latest `poll`.
    fn abort_transaction(&self);
    /// Aborts the current transaction after `record`.
    fn abort_transaction_after(&self, record: &SourceRecord);
}
