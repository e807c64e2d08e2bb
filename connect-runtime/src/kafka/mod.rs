//! Kafka clients: settings, the admin client, and the source producer and sink consumer are
//! built from these in the worker.

pub mod admin;
pub mod client_config;
pub mod group_member;
pub mod topic_log;

pub use client_config::{
    admin_props, consumer_props, producer_props, to_client_config, ClientProps,
};
