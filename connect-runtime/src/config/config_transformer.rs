//! `${provider:[path:]key}` references in worker and connector configurations, resolved through
//! the worker's `config.providers` (Apache's `ConfigTransformer` and
//! `WorkerConfigTransformer`).
//!
//! Worker configurations are resolved once, when parsed. Connector configurations stay as
//! written wherever they are kept or shown (config topic, REST, logs) and are resolved each
//! time a connector or task starts, and for validation.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::LazyLock;
use std::time::Duration;

use connect_api::config::{config_provider_registrations, ConfigError, ConfigProvider};
use connect_api::errors::{ConnectError, Result};
use regex::Regex;

/// `config.providers`.
pub const CONFIG_PROVIDERS_CONFIG: &str = "config.providers";

/// Apache's `ConfigTransformer.DEFAULT_PATTERN`.
static VARIABLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\$\{([^}]*?):(([^}]*?):)?([^}]*?)\}").unwrap_or_else(|_| unreachable!())
});

/// The providers a worker configured, by the name references use.
#[derive(Default)]
pub struct ConfigProviders {
    providers: BTreeMap<String, Box<dyn ConfigProvider>>,
}

impl std::fmt::Debug for ConfigProviders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.providers.keys()).finish()
    }
}

/// A registered provider's factory, by full class name or simple name.
fn find(class: &str) -> Option<fn() -> Box<dyn ConfigProvider>> {
    config_provider_registrations()
        .find(|r| r.class_name == class || r.class_name.rsplit(['.', ':']).next() == Some(class))
        .map(|r| r.factory)
}

impl ConfigProviders {
    /// Creates and configures the providers a worker configuration names:
    /// `config.providers=<name>,…`, `config.providers.<name>.class`, and the provider's own
    /// settings under `config.providers.<name>.param.`.
    pub fn from_worker_props(props: &HashMap<String, String>) -> Result<ConfigProviders> {
        let mut providers = BTreeMap::new();
        let names = props
            .get(CONFIG_PROVIDERS_CONFIG)
            .map_or("", String::as_str);
        for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let key = format!("{CONFIG_PROVIDERS_CONFIG}.{name}.class");
            let Some(class) = props.get(&key).map(|c| c.trim()) else {
                return Err(ConnectError::Config(ConfigError::missing(&key)));
            };
            let Some(factory) = find(class) else {
                return Err(ConnectError::Config(ConfigError::invalid(
                    &key,
                    Some(class),
                    "Class could not be found.",
                )));
            };
            let prefix = format!("{CONFIG_PROVIDERS_CONFIG}.{name}.param.");
            let params: HashMap<String, String> = props
                .iter()
                .filter_map(|(k, v)| Some((k.strip_prefix(&prefix)?.to_owned(), v.clone())))
                .collect();
            let mut provider = factory();
            provider.configure(&params).map_err(|e| {
                ConnectError::other(format!("Could not configure config provider {name}: {e}"))
            })?;
            providers.insert(name.to_owned(), provider);
        }
        Ok(ConfigProviders { providers })
    }

    /// Whether no provider is configured (references are then left as written).
    pub fn is_empty(&self) -> bool {
        self.providers.is_empty()
    }

    /// `props` with every reference to a configured provider replaced by its value. A
    /// reference to an unknown provider, or to a key its provider does not have, is left as
    /// written, as Apache does; a provider that fails (an unreadable file) fails the whole.
    pub fn transform(&self, props: &HashMap<String, String>) -> Result<HashMap<String, String>> {
        self.transform_with_ttl(props).map(|(resolved, _)| resolved)
    }

    /// As [`transform`](Self::transform), with the shortest time-to-live any provider gave
    /// the values it returned: after it the values may have changed, and a connector whose
    /// `config.action.reload` is `restart` is restarted to read them again (KIP-297).
    pub fn transform_with_ttl(
        &self,
        props: &HashMap<String, String>,
    ) -> Result<(HashMap<String, String>, Option<Duration>)> {
        if self.providers.is_empty() {
            return Ok((props.clone(), None));
        }
        // Every (provider, path) once, with every key wanted there.
        let mut wanted: BTreeMap<(&str, &str), BTreeSet<String>> = BTreeMap::new();
        for value in props.values() {
            for c in VARIABLE.captures_iter(value) {
                let provider = c.get(1).map_or("", |m| m.as_str());
                if self.providers.contains_key(provider) {
                    let path = c.get(3).map_or("", |m| m.as_str());
                    let key = c.get(4).map_or("", |m| m.as_str());
                    wanted
                        .entry((provider, path))
                        .or_default()
                        .insert(key.to_owned());
                }
            }
        }
        if wanted.is_empty() {
            return Ok((props.clone(), None));
        }
        let mut ttl: Option<Duration> = None;
        let mut found: HashMap<(&str, &str), BTreeMap<String, String>> = HashMap::new();
        for ((provider, path), keys) in wanted {
            let Some(p) = self.providers.get(provider) else {
                continue;
            };
            let keys: Vec<String> = keys.into_iter().collect();
            let data = p.get_keys(path, &keys).map_err(|e| {
                ConnectError::other(format!(
                    "Could not read {keys:?} from config provider {provider} at path '{path}': {e}"
                ))
            })?;
            if let Some(t) = data.ttl {
                ttl = Some(ttl.map_or(t, |shortest| shortest.min(t)));
            }
            found.insert((provider, path), data.data);
        }
        let resolved = props
            .iter()
            .map(|(k, v)| {
                let replaced = VARIABLE.replace_all(v, |c: &regex::Captures<'_>| {
                    let provider = c.get(1).map_or("", |m| m.as_str());
                    let path = c.get(3).map_or("", |m| m.as_str());
                    let key = c.get(4).map_or("", |m| m.as_str());
                    found
                        .get(&(provider, path))
                        .and_then(|d| d.get(key))
                        .cloned()
                        .unwrap_or_else(|| c[0].to_owned())
                });
                (k.clone(), replaced.into_owned())
            })
            .collect();
        Ok((resolved, ttl))
    }
}

/// Puts references back into `task` where a connector wrote a resolved value of `raw` into
/// it: task configurations are stored in the config topic and shown by the REST API, and a
/// secret must not reach either. A task value equal to the resolved value of a connector key
/// that held a reference becomes that reference again (the task resolves it when it starts).
pub fn unresolve(
    raw: &HashMap<String, String>,
    resolved: &HashMap<String, String>,
    task: &mut HashMap<String, String>,
) {
    let secrets: HashMap<&str, &str> = raw
        .iter()
        .filter(|(_, v)| VARIABLE.is_match(v))
        .filter_map(|(k, v)| {
            let r = resolved.get(k)?;
            (r != v && !r.is_empty()).then_some((r.as_str(), v.as_str()))
        })
        .collect();
    if secrets.is_empty() {
        return;
    }
    for v in task.values_mut() {
        if let Some(reference) = secrets.get(v.as_str()) {
            *v = (*reference).to_owned();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn references_are_resolved_through_the_named_providers() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = dir.path().join("secrets.properties");
        std::fs::write(&secrets, "password=s3cret\nuser=app\n").unwrap();
        let providers = ConfigProviders::from_worker_props(&props(&[
            ("config.providers", "file, env"),
            (
                "config.providers.file.class",
                "org.apache.kafka.common.config.provider.FileConfigProvider",
            ),
            ("config.providers.env.class", "EnvVarConfigProvider"),
        ]))
        .unwrap();
        let file = secrets.display().to_string();
        let raw = props(&[
            ("connection.password", &format!("${{file:{file}:password}}")),
            (
                "url",
                &format!("jdbc://${{file:{file}:user}}@db/${{env:HOME}}"),
            ),
            ("missing", &format!("${{file:{file}:nope}}")),
            ("unknown", "${vault:secret/db:password}"),
            ("plain", "as is"),
        ]);
        let got = providers.transform(&raw).unwrap();
        assert_eq!(got["connection.password"], "s3cret");
        let home = std::env::var("HOME").unwrap_or_default();
        assert_eq!(got["url"], format!("jdbc://app@db/{home}"));
        assert_eq!(got["missing"], raw["missing"]);
        assert_eq!(got["unknown"], "${vault:secret/db:password}");
        assert_eq!(got["plain"], "as is");

        // Task configurations get the references back.
        let mut task = props(&[("connection.password", "s3cret"), ("task.id", "0")]);
        unresolve(&raw, &got, &mut task);
        assert_eq!(task["connection.password"], raw["connection.password"]);
        assert_eq!(task["task.id"], "0");
    }

    #[test]
    fn a_provider_that_is_not_there_is_a_config_error_naming_its_key() {
        let err = ConfigProviders::from_worker_props(&props(&[
            ("config.providers", "vault"),
            (
                "config.providers.vault.class",
                "com.example.VaultConfigProvider",
            ),
        ]))
        .unwrap_err();
        assert!(
            err.to_string().contains("config.providers.vault.class"),
            "{err}"
        );
        let unreadable = ConfigProviders::from_worker_props(&props(&[
            ("config.providers", "file"),
            ("config.providers.file.class", "FileConfigProvider"),
        ]))
        .unwrap()
        .transform(&props(&[("a", "${file:/nonexistent/x.properties:k}")]));
        assert!(unreadable.is_err());
    }
}
