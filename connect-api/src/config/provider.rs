//! Config providers (Apache's `org.apache.kafka.common.config.provider`, KIP-297): values of
//! worker and connector configurations written as `${provider:path:key}` (or
//! `${provider:key}`) are looked up through the provider the worker names `provider` in
//! `config.providers`, when the configuration is used, so that secrets never sit in the
//! configuration itself.
//!
//! A crate offers its own provider by implementing [`ConfigProvider`] and registering it with
//! [`config_provider!`](crate::config_provider); a worker that links the crate finds it by its
//! class name in `config.providers.<name>.class`:
//!
//! ```
//! use std::collections::{BTreeMap, HashMap};
//! use connect_api::config::{ConfigData, ConfigProvider};
//! use connect_api::errors::Result;
//!
//! /// Answers every key with its own name reversed.
//! #[derive(Default)]
//! struct Backwards;
//!
//! impl ConfigProvider for Backwards {
//!     fn configure(&mut self, _params: &HashMap<String, String>) -> Result<()> {
//!         Ok(())
//!     }
//!     fn get(&self, _path: &str) -> Result<ConfigData> {
//!         Ok(ConfigData::default())
//!     }
//!     fn get_keys(&self, _path: &str, keys: &[String]) -> Result<ConfigData> {
//!         let data: BTreeMap<String, String> =
//!             keys.iter().map(|k| (k.clone(), k.chars().rev().collect())).collect();
//!         Ok(ConfigData { data, ttl: None })
//!     }
//! }
//! connect_api::config_provider!(Backwards, class = "com.example.Backwards");
//! ```

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use crate::errors::Result;

/// What a provider answers for one path: values by key, and how long they stay valid.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigData {
    /// The values, by key.
    pub data: BTreeMap<String, String>,
    /// How long the values may be used before they are looked up again, if they expire.
    pub ttl: Option<Duration>,
}

/// A source of configuration values (Apache's `ConfigProvider`).
pub trait ConfigProvider: Send + Sync {
    /// Configures the provider with its `config.providers.<name>.param.*` settings (the
    /// prefix removed).
    fn configure(&mut self, params: &HashMap<String, String>) -> Result<()>;

    /// Every value at `path`.
    fn get(&self, path: &str) -> Result<ConfigData>;

    /// The values of `keys` at `path`; keys the provider does not know are left out. The
    /// default asks [`get`](Self::get) and keeps the keys asked for.
    fn get_keys(&self, path: &str, keys: &[String]) -> Result<ConfigData> {
        let mut all = self.get(path)?;
        all.data.retain(|k, _| keys.contains(k));
        Ok(all)
    }
}

/// One registered provider, as submitted by [`config_provider!`](crate::config_provider).
#[derive(Debug, Clone, Copy)]
pub struct ConfigProviderRegistration {
    /// The class name the provider is known by, e.g.
    /// `org.apache.kafka.common.config.provider.FileConfigProvider`.
    pub class_name: &'static str,
    /// Creates an unconfigured instance.
    pub factory: fn() -> Box<dyn ConfigProvider>,
}

inventory::collect!(ConfigProviderRegistration);

/// Every config provider registered by the crates linked into this binary.
pub fn config_provider_registrations() -> impl Iterator<Item = &'static ConfigProviderRegistration>
{
    inventory::iter::<ConfigProviderRegistration>.into_iter()
}

/// Registers a [`ConfigProvider`] (must implement `Default`).
///
/// `config_provider!(MyProvider)` or
/// `config_provider!(MyProvider, class = "com.example.MyProvider")`.
#[macro_export]
macro_rules! config_provider {
    ($ty:ty $(,)?) => {
        $crate::config_provider!($ty, class = concat!(module_path!(), "::", stringify!($ty)));
    };
    ($ty:ty, class = $class:expr $(,)?) => {
        const _: () = {
            fn __new() -> ::std::boxed::Box<dyn $crate::config::ConfigProvider> {
                ::std::boxed::Box::new(<$ty as ::core::default::Default>::default())
            }
            $crate::inventory::submit! {
                $crate::config::ConfigProviderRegistration {
                    class_name: $class,
                    factory: __new,
                }
            }
        };
    };
}
