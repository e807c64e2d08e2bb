//! The per-task chain of transformations, each optionally guarded by a predicate (Apache's
//! `TransformationChain` / `TransformationStage`), built from a connector configuration's
//! `transforms` and `predicates` keys exactly as the worker builds it.

use std::collections::HashMap;

use crate::config::{parse_list, with_prefix, ConfigError};
use crate::connector::ConnectRecord;
use crate::errors::{ConnectError, Result};
use crate::plugin::{LookupError, PluginFactory, PluginKind, PluginRegistry};
use crate::sink::SinkRecord;
use crate::source::SourceRecord;
use crate::transforms::{Predicate, Transformation};

/// The connector key listing the transformation aliases, in order.
pub const TRANSFORMS_CONFIG: &str = "transforms";
/// The connector key listing the predicate aliases.
pub const PREDICATES_CONFIG: &str = "predicates";

/// Record types the chain works on: picks the matching factory of a plugin.
pub trait ChainRecord: ConnectRecord {
    /// Creates a transformation for this record type.
    fn new_transformation(f: &PluginFactory) -> Option<Box<dyn Transformation<Self>>>;
    /// Creates a predicate for this record type.
    fn new_predicate(f: &PluginFactory) -> Option<Box<dyn Predicate<Self>>>;
}

impl ChainRecord for SourceRecord {
    fn new_transformation(f: &PluginFactory) -> Option<Box<dyn Transformation<Self>>> {
        match f {
            PluginFactory::Transformation { source, .. } => Some(source()),
            _ => None,
        }
    }
    fn new_predicate(f: &PluginFactory) -> Option<Box<dyn Predicate<Self>>> {
        match f {
            PluginFactory::Predicate { source, .. } => Some(source()),
            _ => None,
        }
    }
}

impl ChainRecord for SinkRecord {
    fn new_transformation(f: &PluginFactory) -> Option<Box<dyn Transformation<Self>>> {
        match f {
            PluginFactory::Transformation { sink, .. } => Some(sink()),
            _ => None,
        }
    }
    fn new_predicate(f: &PluginFactory) -> Option<Box<dyn Predicate<Self>>> {
        match f {
            PluginFactory::Predicate { sink, .. } => Some(sink()),
            _ => None,
        }
    }
}

struct Stage<R: ChainRecord> {
    alias: String,
    class_name: String,
    transformation: Box<dyn Transformation<R>>,
    predicate: Option<Box<dyn Predicate<R>>>,
    negate: bool,
}

/// The transformations of one task, applied in `transforms` order.
pub struct TransformationChain<R: ChainRecord> {
    stages: Vec<Stage<R>>,
}

impl<R: ChainRecord> std::fmt::Debug for TransformationChain<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<String> = self
            .stages
            .iter()
            .map(|s| format!("{}={}", s.alias, s.class_name))
            .collect();
        write!(f, "TransformationChain{{{}}}", names.join(", "))
    }
}

fn config_err(e: ConfigError) -> ConnectError {
    ConnectError::Config(e)
}

impl<R: ChainRecord> TransformationChain<R> {
    /// A chain that changes nothing.
    pub fn empty() -> Self {
        TransformationChain { stages: Vec::new() }
    }

    /// Whether the chain has no stages.
    pub fn is_empty(&self) -> bool {
        self.stages.is_empty()
    }

    /// Builds and configures the chain described by a connector configuration.
    pub fn from_config(props: &HashMap<String, String>, registry: &PluginRegistry) -> Result<Self> {
        let declared_predicates = props
            .get(PREDICATES_CONFIG)
            .map(|v| parse_list(v))
            .unwrap_or_default();
        let mut stages = Vec::new();
        for alias in props
            .get(TRANSFORMS_CONFIG)
            .map(|v| parse_list(v))
            .unwrap_or_default()
        {
            let prefix = format!("transforms.{alias}.");
            let type_key = format!("{prefix}type");
            let class = props
                .get(&type_key)
                .map(|s| s.trim().to_owned())
                .ok_or_else(|| {
                    config_err(ConfigError::invalid(
                        &type_key,
                        None,
                        "Not a Transformation",
                    ))
                })?;
            let desc = registry
                .find(&class, &[PluginKind::Transformation])
                .map_err(|e| {
                    config_err(ConfigError::invalid(
                        &type_key,
                        Some(&class),
                        lookup_reason(registry, &class, e),
                    ))
                })?;
            let mut transformation = R::new_transformation(&desc.factory).ok_or_else(|| {
                config_err(ConfigError::other(
                    Some(&type_key),
                    format!("Class {class} does not implement the Transformation interface"),
                ))
            })?;
            let mut config = with_prefix(props, &prefix);
            config.remove("predicate");
            config.remove("negate");
            transformation
                .configure(&config)
                .map_err(|e| prefix_error(e, &prefix))?;

            let predicate_alias = props
                .get(&format!("{prefix}predicate"))
                .map(|s| s.trim().to_owned());
            let negate_key = format!("{prefix}negate");
            let negate = match props.get(&negate_key).map(|s| s.trim()) {
                None => false,
                Some(v) if v.eq_ignore_ascii_case("true") => true,
                Some(v) if v.eq_ignore_ascii_case("false") => false,
                Some(v) => {
                    return Err(config_err(ConfigError::invalid(
                        &negate_key,
                        Some(v),
                        "Expected value to be either true or false",
                    )))
                }
            };
            if props.contains_key(&negate_key) && predicate_alias.is_none() {
                return Err(config_err(ConfigError::other(
                    Some(&negate_key),
                    format!("Config '{negate_key}' was provided but there is no config '{prefix}predicate' defining a predicate to be negated."),
                )));
            }
            let predicate = match predicate_alias {
                None => None,
                Some(p) => {
                    let ptype_key = format!("predicates.{p}.type");
                    if !declared_predicates.contains(&p) || !props.contains_key(&ptype_key) {
                        return Err(ConnectError::other(format!(
                            "Unknown configuration '{ptype_key}'"
                        )));
                    }
                    let pclass = props
                        .get(&ptype_key)
                        .map(|s| s.trim().to_owned())
                        .unwrap_or_default();
                    let pdesc = registry
                        .find(&pclass, &[PluginKind::Predicate])
                        .map_err(|e| {
                            config_err(ConfigError::invalid(
                                &ptype_key,
                                Some(&pclass),
                                lookup_reason(registry, &pclass, e),
                            ))
                        })?;
                    let mut predicate = R::new_predicate(&pdesc.factory).ok_or_else(|| {
                        config_err(ConfigError::other(
                            Some(&ptype_key),
                            format!("Class {pclass} does not implement the Predicate interface"),
                        ))
                    })?;
                    let pprefix = format!("predicates.{p}.");
                    predicate
                        .configure(&with_prefix(props, &pprefix))
                        .map_err(|e| prefix_error(e, &pprefix))?;
                    Some(predicate)
                }
            };
            stages.push(Stage {
                alias,
                class_name: desc.class_name.clone(),
                transformation,
                predicate,
                negate,
            });
        }
        Ok(TransformationChain { stages })
    }

    /// Applies the chain; `Ok(None)` means a stage dropped the record.
    pub fn apply(&mut self, mut record: R) -> Result<Option<R>> {
        for stage in &mut self.stages {
            let applies = match &stage.predicate {
                None => true,
                Some(p) => stage.negate ^ p.test(&record)?,
            };
            if applies {
                match stage.transformation.apply(record)? {
                    Some(r) => record = r,
                    None => return Ok(None),
                }
            }
        }
        Ok(Some(record))
    }

    /// Closes every stage.
    pub fn close(&mut self) {
        for stage in &mut self.stages {
            stage.transformation.close();
            if let Some(p) = &mut stage.predicate {
                p.close();
            }
        }
    }
}

/// The reason text for a plugin that could not be found: Apache's, plus close matches and,
/// for an abstract `Cast`-style name, the concrete `$Key`/`$Value` classes.
pub fn lookup_reason(registry: &PluginRegistry, class: &str, err: LookupError) -> String {
    let nested: Vec<&str> = registry
        .plugins()
        .iter()
        .map(|p| p.class_name.as_str())
        .filter(|c| {
            c.strip_prefix(class)
                .is_some_and(|rest| rest.starts_with('$'))
        })
        .collect();
    if !nested.is_empty() {
        let mut nested = nested;
        nested.dedup();
        return format!(
            "This class is abstract and cannot be created. Did you mean {}?",
            nested.join(", ")
        );
    }
    err.to_string()
}

fn prefix_error(e: ConnectError, prefix: &str) -> ConnectError {
    match e {
        ConnectError::Config(ConfigError::Missing { name }) => {
            config_err(ConfigError::missing(format!("{prefix}{name}")))
        }
        ConnectError::Config(ConfigError::Invalid {
            name,
            value,
            reason,
        }) => config_err(ConfigError::Invalid {
            name: format!("{prefix}{name}"),
            value,
            reason,
        }),
        other => other,
    }
}
