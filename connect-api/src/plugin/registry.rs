//! Finding plugins by class name or alias, with Apache Kafka Connect's alias rules.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{registrations, PluginFactory, PluginKind, PluginRegistration};
use crate::config::ConfigError;
use crate::errors::{ConnectError, Result};
use crate::storage::{Converter, HeaderConverter, CONVERTER_TYPE_CONFIG};
use crate::transforms::chain::lookup_reason;

/// A plugin known to the registry.
#[derive(Debug, Clone)]
pub struct PluginDesc {
    /// The class name, e.g. `org.apache.kafka.connect.file.FileStreamSinkConnector`.
    pub class_name: String,
    /// The version.
    pub version: String,
    /// How to create it (also tells its kind).
    pub factory: PluginFactory,
}

impl PluginDesc {
    /// The plugin's kind.
    pub fn kind(&self) -> PluginKind {
        self.factory.kind()
    }
}

impl From<&PluginRegistration> for PluginDesc {
    fn from(r: &PluginRegistration) -> PluginDesc {
        PluginDesc {
            class_name: r.class_name.to_owned(),
            version: r.version.to_owned(),
            factory: r.factory,
        }
    }
}

/// Why a plugin name did not resolve.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LookupError {
    /// No plugin of the wanted kinds has that name or alias.
    #[error("Class {name} could not be found.{}", did_you_mean(suggestions))]
    NotFound {
        /// The name asked for.
        name: String,
        /// Known names that look similar.
        suggestions: Vec<String>,
    },
    /// The name is a plugin of another kind.
    #[error("Class {name} is a {} plugin, not a {}", found.name(), wanted.iter().map(|k| k.name()).collect::<Vec<_>>().join(" or "))]
    WrongKind {
        /// The name asked for.
        name: String,
        /// The kind the name resolved to.
        found: PluginKind,
        /// The kinds that were acceptable.
        wanted: Vec<PluginKind>,
    },
}

fn did_you_mean(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!(" Did you mean: {}?", suggestions.join(", "))
    }
}

/// The plugins available to a worker, looked up by name.
///
/// A plugin is found by its class name, by its simple name (the part after the last `.` or
/// `::`, and for nested classes the part after the last `$`), or by its simple name without
/// its kind suffix (`Connector` for connectors, `Converter`, `HeaderConverter`,
/// `Transformation`, `Predicate`), exactly as Apache's `PluginUtils.computeAliases`; aliases
/// that would name more than one plugin are dropped. As an extension, nested names are also
/// found as `Outer$Inner` (`Cast$Value`), which no other plugin can claim.
#[derive(Debug, Clone, Default)]
pub struct PluginRegistry {
    plugins: Vec<PluginDesc>,
    aliases: BTreeMap<String, String>,
}

/// The simple name of a class name (Java's `getSimpleName()`).
pub(crate) fn simple_name(class_name: &str) -> &str {
    let s = class_name.rsplit("::").next().unwrap_or(class_name);
    let s = s.rsplit('.').next().unwrap_or(s);
    s.rsplit('$').next().unwrap_or(s)
}

fn outer_and_inner(class_name: &str) -> Option<String> {
    let after_path = class_name.rsplit('.').next().unwrap_or(class_name);
    after_path.contains('$').then(|| after_path.to_owned())
}

fn pruned_name(class_name: &str, kind: PluginKind) -> &str {
    let simple = simple_name(class_name);
    match simple.rfind(kind.alias_suffix()) {
        Some(pos) if pos > 0 => &simple[..pos],
        _ => simple,
    }
}

impl PluginRegistry {
    /// The registry of every plugin linked into this binary.
    pub fn linked() -> PluginRegistry {
        PluginRegistry::from_plugins(registrations().map(PluginDesc::from))
    }

    /// A registry of the given plugins (e.g. linked ones plus ones loaded at run time).
    pub fn from_plugins(plugins: impl IntoIterator<Item = PluginDesc>) -> PluginRegistry {
        let mut plugins: Vec<PluginDesc> = plugins.into_iter().collect();
        plugins.sort_by(|a, b| {
            a.class_name
                .cmp(&b.class_name)
                .then(a.kind().cmp(&b.kind()))
        });
        let mut candidates: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for p in &plugins {
            let kind = p.kind();
            for alias in [
                Some(simple_name(&p.class_name).to_owned()),
                Some(pruned_name(&p.class_name, kind).to_owned()),
                outer_and_inner(&p.class_name),
            ]
            .into_iter()
            .flatten()
            {
                candidates
                    .entry(alias)
                    .or_default()
                    .insert(p.class_name.clone());
            }
        }
        let aliases = candidates
            .into_iter()
            .filter(|(_, classes)| classes.len() == 1)
            .filter_map(|(alias, classes)| classes.into_iter().next().map(|c| (alias, c)))
            .collect();
        PluginRegistry { plugins, aliases }
    }

    /// Every plugin, sorted by class name.
    pub fn plugins(&self) -> &[PluginDesc] {
        &self.plugins
    }

    /// Every plugin of one kind.
    pub fn of_kind(&self, kind: PluginKind) -> impl Iterator<Item = &PluginDesc> {
        self.plugins.iter().filter(move |p| p.kind() == kind)
    }

    /// The class name a name or alias stands for, if any.
    pub fn resolve(&self, name: &str) -> Option<&str> {
        let name = name.trim();
        if let Some(p) = self.plugins.iter().find(|p| p.class_name == name) {
            return Some(&p.class_name);
        }
        self.aliases.get(name).map(String::as_str)
    }

    /// The aliases of a class name.
    pub fn aliases_of<'a>(&'a self, class_name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.aliases
            .iter()
            .filter(move |(_, c)| c.as_str() == class_name)
            .map(|(a, _)| a.as_str())
    }

    /// Finds a plugin of one of the `kinds` by class name or alias.
    pub fn find(&self, name: &str, kinds: &[PluginKind]) -> Result<&PluginDesc, LookupError> {
        let Some(class_name) = self.resolve(name) else {
            return Err(LookupError::NotFound {
                name: name.to_owned(),
                suggestions: self.suggestions(name, kinds),
            });
        };
        let mut same_class = self
            .plugins
            .iter()
            .filter(|p| p.class_name == class_name)
            .peekable();
        let first = same_class.peek().map(|p| p.kind());
        if let Some(p) = same_class.find(|p| kinds.contains(&p.kind())) {
            return Ok(p);
        }
        match first {
            Some(found) => Err(LookupError::WrongKind {
                name: name.to_owned(),
                found,
                wanted: kinds.to_vec(),
            }),
            None => Err(LookupError::NotFound {
                name: name.to_owned(),
                suggestions: self.suggestions(name, kinds),
            }),
        }
    }

    /// Creates the converter `class` names and configures it with `configs`, for keys or for
    /// values, as the worker does for `key.converter` / `value.converter`. A name that does
    /// not resolve is an invalid value of `key` (e.g. `value.converter`).
    pub fn new_converter(
        &self,
        key: &str,
        class: &str,
        configs: &HashMap<String, String>,
        is_key: bool,
    ) -> Result<Box<dyn Converter>> {
        let desc = self
            .find(class, &[PluginKind::Converter])
            .map_err(|e| self.invalid_plugin(key, class, e))?;
        let PluginFactory::Converter(new) = desc.factory else {
            return Err(ConnectError::other(format!("{class} is not a converter")));
        };
        let mut converter = new();
        converter.configure(configs, is_key)?;
        Ok(converter)
    }

    /// Creates the header converter `class` names and configures it with `configs` (plus
    /// `converter.type=header`, as Apache's worker adds), as the worker does for
    /// `header.converter`.
    pub fn new_header_converter(
        &self,
        key: &str,
        class: &str,
        configs: &HashMap<String, String>,
    ) -> Result<Box<dyn HeaderConverter>> {
        let desc = self
            .find(class, &[PluginKind::HeaderConverter])
            .map_err(|e| self.invalid_plugin(key, class, e))?;
        let PluginFactory::HeaderConverter(new) = desc.factory else {
            return Err(ConnectError::other(format!(
                "{class} is not a header converter"
            )));
        };
        let mut configs = configs.clone();
        configs.insert(CONVERTER_TYPE_CONFIG.to_owned(), "header".to_owned());
        let mut converter = new();
        converter.configure(&configs)?;
        Ok(converter)
    }

    fn invalid_plugin(&self, key: &str, class: &str, err: LookupError) -> ConnectError {
        ConnectError::Config(ConfigError::invalid(
            key,
            Some(class),
            lookup_reason(self, class, err),
        ))
    }

    /// Class names of the wanted kinds whose class name or aliases resemble `name`, closest
    /// first (at most five).
    pub fn suggestions(&self, name: &str, kinds: &[PluginKind]) -> Vec<String> {
        let wanted = name.trim().to_ascii_lowercase();
        let mut scored: Vec<(usize, &str)> = Vec::new();
        for p in self.plugins.iter().filter(|p| kinds.contains(&p.kind())) {
            let best = std::iter::once(p.class_name.as_str())
                .chain(self.aliases_of(&p.class_name))
                .map(|candidate| {
                    let c = candidate.to_ascii_lowercase();
                    if c.contains(&wanted) || wanted.contains(&c) {
                        0
                    } else {
                        edit_distance(&wanted, &c)
                    }
                })
                .min()
                .unwrap_or(usize::MAX);
            let limit = (wanted.len() / 3).max(2);
            if best <= limit && !scored.iter().any(|(_, c)| *c == p.class_name) {
                scored.push((best, &p.class_name));
            }
        }
        scored.sort();
        scored
            .into_iter()
            .take(5)
            .map(|(_, c)| c.to_owned())
            .collect()
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::Converter;

    fn conv() -> Box<dyn Converter> {
        unreachable!("factories are not called in lookup tests")
    }
    fn hconv() -> Box<dyn crate::storage::HeaderConverter> {
        unreachable!("factories are not called in lookup tests")
    }
    fn src() -> Box<dyn crate::source::SourceConnector> {
        unreachable!("factories are not called in lookup tests")
    }
    fn src_task() -> Box<dyn crate::source::SourceTask> {
        unreachable!("factories are not called in lookup tests")
    }
    fn tf_src() -> Box<dyn crate::transforms::Transformation<crate::source::SourceRecord>> {
        unreachable!("factories are not called in lookup tests")
    }
    fn tf_sink() -> Box<dyn crate::transforms::Transformation<crate::sink::SinkRecord>> {
        unreachable!("factories are not called in lookup tests")
    }

    fn desc(class: &str, factory: PluginFactory) -> PluginDesc {
        PluginDesc {
            class_name: class.to_owned(),
            version: "1".to_owned(),
            factory,
        }
    }

    fn registry() -> PluginRegistry {
        let source = PluginFactory::Source {
            connector: src,
            task: src_task,
            task_class: "org.apache.kafka.connect.file.FileStreamSourceTask",
        };
        let tf = PluginFactory::Transformation {
            source: tf_src,
            sink: tf_sink,
        };
        PluginRegistry::from_plugins([
            desc(
                "org.apache.kafka.connect.file.FileStreamSourceConnector",
                source,
            ),
            desc(
                "org.apache.kafka.connect.json.JsonConverter",
                PluginFactory::Converter(conv),
            ),
            desc(
                "org.apache.kafka.connect.json.JsonConverter",
                PluginFactory::HeaderConverter(hconv),
            ),
            desc(
                "org.apache.kafka.connect.storage.StringConverter",
                PluginFactory::Converter(conv),
            ),
            desc("org.apache.kafka.connect.transforms.Cast$Key", tf),
            desc("org.apache.kafka.connect.transforms.Cast$Value", tf),
            desc("org.apache.kafka.connect.transforms.Flatten$Value", tf),
            desc("org.apache.kafka.connect.transforms.Filter", tf),
        ])
    }

    #[test]
    fn connector_aliases() {
        let r = registry();
        for name in [
            "org.apache.kafka.connect.file.FileStreamSourceConnector",
            "FileStreamSourceConnector",
            "FileStreamSource",
        ] {
            let p = r
                .find(name, &[PluginKind::Source, PluginKind::Sink])
                .unwrap();
            assert_eq!(
                p.class_name,
                "org.apache.kafka.connect.file.FileStreamSourceConnector"
            );
        }
    }

    #[test]
    fn converter_aliases_and_kinds() {
        let r = registry();
        let p = r.find("Json", &[PluginKind::Converter]).unwrap();
        assert_eq!(p.kind(), PluginKind::Converter);
        let p = r
            .find("JsonConverter", &[PluginKind::HeaderConverter])
            .unwrap();
        assert_eq!(p.kind(), PluginKind::HeaderConverter);
        assert_eq!(
            r.resolve("String"),
            Some("org.apache.kafka.connect.storage.StringConverter")
        );
        let err = r
            .find("StringConverter", &[PluginKind::HeaderConverter])
            .unwrap_err();
        assert!(matches!(err, LookupError::WrongKind { .. }));
    }

    #[test]
    fn nested_transform_names() {
        let r = registry();
        // "Value" and "Key" are ambiguous and dropped, as in Apache.
        assert_eq!(r.resolve("Value"), None);
        assert_eq!(
            r.resolve("Key"),
            Some("org.apache.kafka.connect.transforms.Cast$Key")
        );
        assert_eq!(
            r.resolve("Cast$Value"),
            Some("org.apache.kafka.connect.transforms.Cast$Value")
        );
        assert_eq!(
            r.resolve("org.apache.kafka.connect.transforms.Flatten$Value"),
            Some("org.apache.kafka.connect.transforms.Flatten$Value")
        );
        assert_eq!(
            r.resolve("Filter"),
            Some("org.apache.kafka.connect.transforms.Filter")
        );
    }

    #[test]
    fn unknown_names_suggest_close_matches() {
        let r = registry();
        let err = r
            .find("FileStreamSorce", &[PluginKind::Source, PluginKind::Sink])
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Class FileStreamSorce could not be found. Did you mean: org.apache.kafka.connect.file.FileStreamSourceConnector?"
        );
        let err = r
            .find("com.nowhere.Zzz", &[PluginKind::Source])
            .unwrap_err();
        assert_eq!(err.to_string(), "Class com.nowhere.Zzz could not be found.");
    }

    #[test]
    fn simple_names() {
        assert_eq!(simple_name("a.b.C"), "C");
        assert_eq!(simple_name("a.b.C$D"), "D");
        assert_eq!(simple_name("my_crate::source::MySource"), "MySource");
        assert_eq!(simple_name("Plain"), "Plain");
    }
}
