//! The `$Key` / `$Value` side a transformation operates on.
//!
//! Apache writes most transforms as an abstract class with two nested subclasses
//! (`Cast$Key`, `Cast$Value`) that differ only in which (schema, value) pair of the record they
//! read and replace. Here that choice is a zero-sized type parameter: `Cast<KeySide>` and
//! `Cast<ValueSide>`; everything else of the record (topic, partition, the other side,
//! timestamp, headers) is carried over unchanged, as Java's `newRecord` does.

use std::fmt::Debug;

use connect_api::connector::ConnectRecord;
use connect_api::data::{Schema, Value};

/// Which half of a record (key or value) a transformation reads and replaces.
pub trait Side: Debug + Default + Clone + Copy + Send + Sync + 'static {
    /// `Key` or `Value`, the suffix of the Java class name (`Cast$Key`).
    const NAME: &'static str;

    /// The operating schema (Java's `operatingSchema(record)`).
    fn schema<R: ConnectRecord>(record: &R) -> Option<&Schema>;

    /// The operating value (Java's `operatingValue(record)`).
    fn value<R: ConnectRecord>(record: &R) -> &Value;

    /// Replaces the operating schema and value (Java's `newRecord(record, schema, value)`).
    fn set<R: ConnectRecord>(record: &mut R, schema: Option<Schema>, value: Value);

    /// Moves the operating schema and value out of the record (leaving `Null`), so a transform
    /// can rebuild them without copying; [`Side::set`] puts the result back.
    fn take<R: ConnectRecord>(record: &mut R) -> (Option<Schema>, Value);
}

/// Operate on the record key (Java's `$Key` variants).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct KeySide;

/// Operate on the record value (Java's `$Value` variants).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ValueSide;

impl Side for KeySide {
    const NAME: &'static str = "Key";

    fn schema<R: ConnectRecord>(record: &R) -> Option<&Schema> {
        record.key_schema()
    }

    fn value<R: ConnectRecord>(record: &R) -> &Value {
        record.key()
    }

    fn set<R: ConnectRecord>(record: &mut R, schema: Option<Schema>, value: Value) {
        record.set_key(schema, value);
    }

    fn take<R: ConnectRecord>(record: &mut R) -> (Option<Schema>, Value) {
        record.take_key()
    }
}

impl Side for ValueSide {
    const NAME: &'static str = "Value";

    fn schema<R: ConnectRecord>(record: &R) -> Option<&Schema> {
        record.value_schema()
    }

    fn value<R: ConnectRecord>(record: &R) -> &Value {
        record.value()
    }

    fn set<R: ConnectRecord>(record: &mut R, schema: Option<Schema>, value: Value) {
        record.set_value(schema, value);
    }

    fn take<R: ConnectRecord>(record: &mut R) -> (Option<Schema>, Value) {
        record.take_value()
    }
}
