//! Apache Kafka Connect's single message transformations (SMTs) and predicates, in Rust.
//!
//! Every transform is registered under its Java class name, so existing connector
//! configurations work unchanged (the registry also derives the short aliases, e.g.
//! `Cast$Value`):
//!
//! ```properties
//! transforms=castId
//! transforms.castId.type=org.apache.kafka.connect.transforms.Cast$Value
//! transforms.castId.spec=id:int64
//! ```
//!
//! Key/value transforms are generic over the side they operate on: [`cast::Cast<ValueSide>`]
//! is `Cast$Value`, [`cast::Cast<KeySide>`] is `Cast$Key` (aliases such as
//! [`cast::CastValue`] exist for each). Each module documents the Apache class it mirrors, its
//! configuration keys, and any known difference. Predicates are in [`predicates`];
//! `transforms.<alias>.predicate` / `.negate` are applied by the worker's chain.
//!
//! | module | Java class(es) |
//! |---|---|
//! | [`cast`] | `org.apache.kafka.connect.transforms.Cast$Key`, `$Value` |
//! | [`extract_field`] | `...ExtractField$Key`, `$Value` |
//! | [`drop`](mod@crate::drop) | `io.confluent.connect.transforms.Drop$Key`, `$Value` |
//! | [`insert_field`] | `...InsertField$Key`, `$Value` |
//! | [`replace_field`] | `...ReplaceField$Key`, `$Value` |
//! | [`mask_field`] | `...MaskField$Key`, `$Value` |
//! | [`value_to_key`] | `...ValueToKey` |
//! | [`hoist_field`] | `...HoistField$Key`, `$Value` |
//! | [`flatten`] | `...Flatten$Key`, `$Value` |
//! | [`set_schema_metadata`] | `...SetSchemaMetadata$Key`, `$Value` |
//! | [`timestamp_converter`] | `...TimestampConverter$Key`, `$Value` |
//! | [`timestamp_router`] | `...TimestampRouter` |
//! | [`regex_router`] | `...RegexRouter` |
//! | [`filter`] | `...Filter` |
//! | [`insert_header`] | `...InsertHeader` |
//! | [`drop_headers`] | `...DropHeaders` |
//! | [`header_from`] | `...HeaderFrom$Key`, `$Value` |
//! | [`predicates`] | `...predicates.TopicNameMatches`, `HasHeaderKey`, `RecordIsTombstone` |
#![deny(missing_docs)]

pub mod cast;
mod config;
pub mod drop;
pub mod drop_headers;
pub mod extract_field;
pub mod field_path;
pub mod filter;
pub mod flatten;
pub mod header_from;
pub mod hoist_field;
pub mod insert_field;
pub mod insert_header;
mod java_num;
mod java_regex;
pub mod key_or_value;
pub mod mask_field;
pub mod predicates;
pub mod regex_router;
pub mod replace_field;
mod requirements;
mod schema_util;
pub mod set_schema_metadata;
pub mod simple_date_format;
pub mod timestamp_converter;
pub mod timestamp_router;
pub mod value_to_key;

#[cfg(test)]
mod test_util;

pub use key_or_value::{KeySide, Side, ValueSide};

#[cfg(test)]
mod tests {
    #[test]
    fn every_plugin_is_registered_under_its_java_name() {
        let names: Vec<&str> = connect_api::plugin::registrations()
            .map(|r| r.class_name)
            .collect();
        let base = "org.apache.kafka.connect.transforms.";
        let mut expected: Vec<String> = [
            "Cast",
            "ExtractField",
            "InsertField",
            "ReplaceField",
            "MaskField",
            "HoistField",
            "Flatten",
            "SetSchemaMetadata",
            "TimestampConverter",
            "HeaderFrom",
        ]
        .iter()
        .flat_map(|t| [format!("{base}{t}$Key"), format!("{base}{t}$Value")])
        .collect();
        for t in [
            "ValueToKey",
            "TimestampRouter",
            "RegexRouter",
            "Filter",
            "InsertHeader",
            "DropHeaders",
            "predicates.TopicNameMatches",
            "predicates.HasHeaderKey",
            "predicates.RecordIsTombstone",
        ] {
            expected.push(format!("{base}{t}"));
        }
        expected.push("io.confluent.connect.transforms.Drop$Key".into());
        expected.push("io.confluent.connect.transforms.Drop$Value".into());
        for e in &expected {
            assert!(names.contains(&e.as_str()), "{e} is not registered");
        }
    }
}
