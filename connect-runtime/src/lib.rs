//! The Kafka Connect worker in Rust.
//!
//! Runs connectors written against `connect-api` exactly the way Apache Kafka Connect runs
//! them: the same worker and connector configuration files, the same REST API, the same
//! converters, transformations and offset formats. Modules follow Apache's runtime:
//! [`worker`] (task loops), [`herder`] (connector lifecycles; the REST API's one interface),
//! [`storage`] (offset stores), [`kafka`] (client settings, admin), [`rest`], [`config`].
//!
//! The built-in plugins (file connectors, converters, transformations) are linked in; a
//! custom worker binary adds its own connector crates as dependencies and calls
//! [`standalone::main`].

// Link the built-in plugin crates so their registrations are part of every worker.
extern crate connect_converters;
extern crate connect_file;
extern crate connect_mirror;
extern crate connect_transforms;

pub mod config;
pub mod distributed;
pub mod herder;
pub mod kafka;
pub mod logging;
pub mod metrics;
pub mod rest;
pub mod standalone;
pub mod storage;
pub mod worker;
