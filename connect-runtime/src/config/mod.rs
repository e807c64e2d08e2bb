//! Worker and connector configuration: properties files, worker keys, connector keys.

pub mod auto_restart;
pub mod builtin_providers;
pub mod config_transformer;
pub mod connector_config;
pub mod distributed_config;
pub mod properties;
pub mod rest_security;
pub mod worker_config;

pub use auto_restart::AutoRestartPolicy;
pub use config_transformer::ConfigProviders;
pub use distributed_config::{ConnectProtocol, DistributedConfig};
pub use properties::{load_properties, PropertiesError};
pub use rest_security::RestSecurity;
pub use worker_config::{with_prefix, ClientOverridePolicy, WorkerConfig};
