//! Predicates (KIP-585): conditions that decide whether a transformation applies to a record.
//!
//! A transform is made conditional in the connector configuration, and the worker's
//! transformation chain (not the transform) evaluates it:
//!
//! ```properties
//! transforms=dropTombstones
//! transforms.dropTombstones.type=org.apache.kafka.connect.transforms.Filter
//! transforms.dropTombstones.predicate=isTombstone
//! # transforms.<alias>.negate=true applies the transform when the predicate is false
//! predicates=isTombstone
//! predicates.isTombstone.type=org.apache.kafka.connect.transforms.predicates.RecordIsTombstone
//! ```
//!
//! `transforms.<alias>.predicate` (STRING, default null) names a predicate alias declared in
//! `predicates`; `transforms.<alias>.negate` (BOOLEAN, default `false`) inverts it. Each
//! predicate takes its own `predicates.<alias>.*` properties.

pub mod has_header_key;
pub mod record_is_tombstone;
pub mod topic_name_matches;

pub use has_header_key::HasHeaderKey;
pub use record_is_tombstone::RecordIsTombstone;
pub use topic_name_matches::TopicNameMatches;
