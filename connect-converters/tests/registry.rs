//! Every converter is registered under Apache's class name, for the kinds Apache supports, and
//! is found by the short aliases.

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

use connect_api::plugin::{registrations, PluginKind};

// Link the crate so its registrations are collected.
use connect_converters as _;

#[test]
fn apache_class_names_are_registered() {
    let both = [
        "org.apache.kafka.connect.json.JsonConverter",
        "org.apache.kafka.connect.storage.StringConverter",
        "org.apache.kafka.connect.converters.ByteArrayConverter",
        "org.apache.kafka.connect.converters.ShortConverter",
        "org.apache.kafka.connect.converters.IntegerConverter",
        "org.apache.kafka.connect.converters.LongConverter",
        "org.apache.kafka.connect.converters.FloatConverter",
        "org.apache.kafka.connect.converters.DoubleConverter",
        "org.apache.kafka.connect.converters.BooleanConverter",
    ];
    let has = |class: &str, kind: PluginKind| {
        registrations().any(|r| r.class_name == class && r.factory.kind() == kind)
    };
    for class in both {
        assert!(has(class, PluginKind::Converter), "{class}");
        assert!(has(class, PluginKind::HeaderConverter), "{class}");
    }
    let header = "org.apache.kafka.connect.storage.SimpleHeaderConverter";
    assert!(has(header, PluginKind::HeaderConverter));
    assert!(!has(header, PluginKind::Converter));
}

#[test]
fn aliases_resolve() {
    let registry = connect_api::plugin::PluginRegistry::linked();
    for alias in [
        "JsonConverter",
        "Json",
        "StringConverter",
        "ByteArrayConverter",
        "SimpleHeaderConverter",
        "LongConverter",
    ] {
        assert!(registry.resolve(alias).is_some(), "{alias}");
    }
}
