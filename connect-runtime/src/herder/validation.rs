//! Connector configuration validation with Apache's `ConfigInfos` result
//! (`AbstractHerder.validateConnectorConfig`): the framework keys of `ConnectorConfig`,
//! `SinkConnectorConfig` / `SourceConnectorConfig`, enriched with one group per transformation
//! and predicate alias, then the connector's own keys, the converters' keys and the client
//! overrides, each with Apache's groups, order, documentation and error texts.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use connect_api::config::{
    CaseInsensitiveValidString, ConfigDef, ConfigError, ConfigKey, ConfigKeyInfo, ConfigType,
    ConfigValue, Importance, LambdaValidator, NonEmptyStringWithoutControlChars, ParsedValue,
    Range, Recommender, ValidString, Validator, Width,
};
use connect_api::plugin::{PluginDesc, PluginFactory, PluginKind, PluginRegistry};
use indexmap::IndexMap;
use regex::Regex;

use super::entities::{ConfigInfo, ConfigInfos};
use super::HerderError;
use crate::config::connector_config::parse_list;
use crate::config::ClientOverridePolicy;
use crate::worker::Worker;

/// Config values as they arrive over REST: `None` is a JSON `null`.
pub type NullableProps = HashMap<String, Option<String>>;

const COMMON_GROUP: &str = "Common";
const TRANSFORMS_GROUP: &str = "Transforms";
const PREDICATES_GROUP: &str = "Predicates";
const ERROR_GROUP: &str = "Error Handling";
const TOPIC_CREATION_GROUP: &str = "Topic Creation";
const EXACTLY_ONCE_SUPPORT_GROUP: &str = "Exactly Once Support";
const OFFSETS_TOPIC_GROUP: &str = "offsets.topic";

/// `connector.class`.
const CONNECTOR_CLASS_CONFIG: &str = "connector.class";
/// The suffix of every KIP-891 version key (Apache's `WorkerConfig.PLUGIN_VERSION_SUFFIX`).
const PLUGIN_VERSION_SUFFIX: &str = "plugin.version";
/// `connector.plugin.version`.
const CONNECTOR_VERSION_CONFIG: &str = "connector.plugin.version";

/// Apache's `WorkerConfig.KEY_CONVERTER_CLASS_DOC`, which `ConnectorConfig` reuses.
const KEY_CONVERTER_CLASS_DOC: &str = "Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the keys in messages written to or read from Kafka, and since this is independent of connectors it allows any connector to work with any serialization format. Examples of common formats include JSON and Avro.";
/// Apache's `WorkerConfig.VALUE_CONVERTER_CLASS_DOC`.
const VALUE_CONVERTER_CLASS_DOC: &str = "Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the values in messages written to or read from Kafka, and since this is independent of connectors it allows any connector to work with any serialization format. Examples of common formats include JSON and Avro.";
/// Apache's `WorkerConfig.HEADER_CONVERTER_CLASS_DOC` (4.x).
const HEADER_CONVERTER_CLASS_DOC: &str = "HeaderConverter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the header values in messages written to or read from Kafka, and since this is independent of connectors it allows any connector to work with any serialization format. Examples of common formats include JSON and Avro. By default, the SimpleHeaderConverter is used to serialize header values to strings and deserialize them by inferring the schemas.";

/// The message for a `null` config value (Apache's `AbstractHerder`).
const NULL_VALUE_MESSAGE: &str = "Null value can not be supplied as the configuration value.";

/// Client keys whose values are secrets (the `PASSWORD` keys of Kafka's producer, consumer and
/// admin configs), hidden in override validation results and in responses.
const CLIENT_PASSWORD_KEYS: &[&str] = &[
    "ssl.key.password",
    "ssl.keystore.password",
    "ssl.truststore.password",
    "ssl.keystore.key",
    "ssl.keystore.certificate.chain",
    "ssl.truststore.certificates",
    "sasl.jaas.config",
    "sasl.oauthbearer.client.credentials.client.secret",
    "basic.auth.user.info",
];

/// Whether a key names a secret though no definition says so (client overrides, converter and
/// unknown keys): used only to keep values out of responses and error texts.
pub(crate) fn looks_secret(key: &str) -> bool {
    let last = key.rsplit_once('.').map_or(key, |(_, l)| l);
    CLIENT_PASSWORD_KEYS.iter().any(|k| key.ends_with(k))
        || last == "password"
        || last == "secret"
        || key.ends_with(".password")
}

/// Renders a config map the way Java's `Map.toString` does (`{a=1, b=2}`), hiding secrets.
pub(crate) fn java_map_string(props: &NullableProps, secrets: &HashSet<String>) -> String {
    let mut entries: Vec<(&String, &Option<String>)> = props.iter().collect();
    entries.sort();
    let items: Vec<String> = entries
        .into_iter()
        .map(|(k, v)| {
            let shown = match v {
                None => "null".to_owned(),
                Some(_) if secrets.contains(k) || looks_secret(k) => "[hidden]".to_owned(),
                Some(v) => v.clone(),
            };
            format!("{k}={shown}")
        })
        .collect();
    format!("{{{}}}", items.join(", "))
}

/// Apache's `Utils.ensureConcreteSubclass` message for a class of another plugin kind
/// (`interface` is the expected type's simple name, e.g. `Converter`).
fn not_a_subclass(registry: &PluginRegistry, class: &str, interface: &str) -> ConfigError {
    let class = registry.resolve(class).unwrap_or(class);
    ConfigError::other(
        None,
        format!("Class class {class} does not implement the {interface} interface"),
    )
}

/// A converter class key's validator (Apache's `ConcreteSubClassValidator`): the class must be
/// installed as one of `kinds`.
fn class_validator(
    registry: Arc<PluginRegistry>,
    kinds: &'static [PluginKind],
    interface: &'static str,
) -> impl Validator + 'static {
    LambdaValidator::with(
        move |name: &str, value: Option<&ParsedValue>| {
            let Some(class) = value.and_then(ParsedValue::as_str) else {
                return Ok(());
            };
            match registry.find(class, kinds) {
                Ok(_) => Ok(()),
                Err(connect_api::plugin::LookupError::WrongKind { .. }) => {
                    Err(not_a_subclass(&registry, class, interface))
                }
                Err(e) => Err(ConfigError::invalid(name, Some(class), e.to_string())),
            }
        },
        "a known plugin class",
    )
}

fn unique_aliases(kind: &'static str) -> impl Validator + 'static {
    LambdaValidator::with(
        |name: &str, value: Option<&ParsedValue>| match value {
            None => Err(ConfigError::invalid(name, None, "Value must be non-null")),
            Some(ParsedValue::List(aliases)) => {
                let unique: HashSet<&String> = aliases.iter().collect();
                if unique.len() < aliases.len() {
                    Err(ConfigError::invalid(
                        name,
                        Some(&format!("[{}]", aliases.join(", "))),
                        "Duplicate alias provided.",
                    ))
                } else {
                    Ok(())
                }
            }
            Some(_) => Ok(()),
        },
        format!("unique {kind} aliases"),
    )
}

/// A converter's default class and version (Apache's `ConnectorConfig.ConverterDefaults`).
#[derive(Debug, Clone, Default)]
struct ConverterDefaults {
    class: Option<String>,
    version: Option<String>,
}

/// What Apache's `ConnectorConfig.configDef(...)` is given: the connector's default version,
/// each converter's defaults, and whether the recommenders know the installed plugins (Apache's
/// `PluginsRecommenders(plugins)`; without them, as its `EMPTY_RECOMMENDER`, they suggest
/// nothing).
#[derive(Debug, Clone, Default)]
struct FrameworkDefaults {
    connector_version: Option<String>,
    key_converter: ConverterDefaults,
    value_converter: ConverterDefaults,
    header_converter: ConverterDefaults,
    recommend: bool,
}

impl FrameworkDefaults {
    /// Apache's `ConnectorConfig.enrichedConfigDef(plugins, connectorClass)`, used for
    /// `GET /connector-plugins/{plugin}/config` and when the requested connector version is not
    /// installed: the connector's version, no converter defaults, no recommendations.
    fn for_plugin(desc: &PluginDesc) -> FrameworkDefaults {
        FrameworkDefaults {
            connector_version: Some(desc.version.clone()),
            ..FrameworkDefaults::default()
        }
    }

    /// Apache's `ConnectorConfig.enrichedConfigDef(plugins, connProps, workerConfig)`: each
    /// converter defaults to the worker's, at the version the connector's own converter or the
    /// worker's would be loaded with (Apache's `converterDefaults`).
    fn for_validation(
        worker: &Worker,
        desc: &PluginDesc,
        props: &NullableProps,
    ) -> FrameworkDefaults {
        let registry = &worker.registry;
        let converter = |role: &str, worker_class: &str, kind: PluginKind| {
            let key = format!("{role}.converter");
            // Apache's default is the worker's class as a Class, so an alias shows as its name.
            let class = registry
                .resolve(worker_class)
                .unwrap_or(worker_class)
                .to_owned();
            let version = match prop(props, &key) {
                Some(own) => registry.find(own, &[kind]).ok().map(|p| p.version.clone()),
                None => match worker
                    .config
                    .originals
                    .get(&format!("{key}.{PLUGIN_VERSION_SUFFIX}"))
                {
                    Some(v) => Some(v.clone()),
                    None => registry
                        .find(&class, &[kind])
                        .ok()
                        .map(|p| p.version.clone()),
                },
            };
            ConverterDefaults {
                class: Some(class),
                version,
            }
        };
        FrameworkDefaults {
            connector_version: Some(desc.version.clone()),
            key_converter: converter("key", &worker.config.key_converter, PluginKind::Converter),
            value_converter: converter(
                "value",
                &worker.config.value_converter,
                PluginKind::Converter,
            ),
            header_converter: converter(
                "header",
                &worker.config.header_converter,
                PluginKind::HeaderConverter,
            ),
            recommend: true,
        }
    }
}

/// Apache's `ConnectorConfig.PluginVersionValidator`: the value must be a version or a Maven
/// version range (or `latest`); the error is Maven's message alone.
fn plugin_version_validator() -> impl Validator + 'static {
    LambdaValidator::with(
        |name: &str, value: Option<&ParsedValue>| {
            maven::version_requirement(value.and_then(ParsedValue::as_str))
                .map(|_| ())
                .map_err(|message| ConfigError::other(Some(name), message))
        },
        "a version or version range",
    )
}

/// Apache's `VersionedPluginLoadingException` message for an installed plugin whose versions are
/// all outside `range` (`DelegatingClassLoader.findPluginLoader`): every registration of the
/// class counts, so a class that is both a converter and a header converter lists its version
/// twice, as Apache does.
fn version_not_found(
    registry: &PluginRegistry,
    class_name: &str,
    range: &maven::VersionRange,
) -> String {
    let versions: Vec<&str> = registry
        .plugins()
        .iter()
        .filter(|p| p.class_name == class_name)
        .map(|p| p.version.as_str())
        .collect();
    format!(
        "Plugin {class_name} not found that matches the version range {range}, available versions: [{}]",
        versions.join(", ")
    )
}

/// The versions installed of the plugin `name` names among `kinds` (Apache's
/// `PluginsRecommenders` version recommenders).
fn installed_versions(
    registry: &PluginRegistry,
    name: &str,
    kinds: &[PluginKind],
) -> Vec<ParsedValue> {
    let Some(class) = registry.resolve(name) else {
        return Vec::new();
    };
    let mut versions: Vec<ParsedValue> = Vec::new();
    for p in registry
        .plugins()
        .iter()
        .filter(|p| p.class_name == class && kinds.contains(&p.kind()))
    {
        let v = ParsedValue::String(p.version.clone());
        if !versions.contains(&v) {
            versions.push(v);
        }
    }
    versions
}

fn parsed_str<'a>(parsed: &'a connect_api::config::ParsedValues, key: &str) -> Option<&'a str> {
    parsed
        .get(key)
        .and_then(Option::as_ref)
        .and_then(ParsedValue::as_str)
}

/// `connector.plugin.version`'s recommender (Apache's `ConnectorPluginVersionRecommender`): the
/// installed versions of the connector, shown once `connector.class` is set.
struct ConnectorVersionRecommender {
    registry: Arc<PluginRegistry>,
    recommend: bool,
}

impl Recommender for ConnectorVersionRecommender {
    fn valid_values(
        &self,
        _: &str,
        parsed: &connect_api::config::ParsedValues,
    ) -> Result<Vec<ParsedValue>, ConfigError> {
        let Some(class) = parsed_str(parsed, CONNECTOR_CLASS_CONFIG).filter(|_| self.recommend)
        else {
            return Ok(Vec::new());
        };
        let source = installed_versions(&self.registry, class, &[PluginKind::Source]);
        if !source.is_empty() {
            return Ok(source);
        }
        Ok(installed_versions(
            &self.registry,
            class,
            &[PluginKind::Sink],
        ))
    }

    fn visible(&self, _: &str, parsed: &connect_api::config::ParsedValues) -> bool {
        parsed_str(parsed, CONNECTOR_CLASS_CONFIG).is_some()
    }
}

/// A converter class key's recommender (Apache's `ConverterPluginRecommender` and
/// `HeaderConverterPluginRecommender`): every installed class of the kind, by class name.
struct ConverterClassRecommender {
    registry: Arc<PluginRegistry>,
    kind: PluginKind,
    recommend: bool,
}

impl Recommender for ConverterClassRecommender {
    fn valid_values(
        &self,
        _: &str,
        _: &connect_api::config::ParsedValues,
    ) -> Result<Vec<ParsedValue>, ConfigError> {
        if !self.recommend {
            return Ok(Vec::new());
        }
        let mut classes: Vec<ParsedValue> = Vec::new();
        for p in self.registry.of_kind(self.kind) {
            let c = ParsedValue::Class(p.class_name.clone());
            if !classes.contains(&c) {
                classes.push(c);
            }
        }
        Ok(classes)
    }
}

/// A `<role>.converter.plugin.version` or `<alias>.plugin.version` key's recommender (Apache's
/// converter, transformation and predicate version recommenders): the installed versions of the
/// class named by `class_key`. A converter's is shown only once its class is one Apache could
/// load (`visible_with_class`); a transformation's or predicate's always.
struct PluginVersionRecommender {
    registry: Arc<PluginRegistry>,
    class_key: String,
    kinds: &'static [PluginKind],
    visible_with_class: bool,
    recommend: bool,
}

impl Recommender for PluginVersionRecommender {
    fn valid_values(
        &self,
        _: &str,
        parsed: &connect_api::config::ParsedValues,
    ) -> Result<Vec<ParsedValue>, ConfigError> {
        match parsed_str(parsed, &self.class_key).filter(|_| self.recommend) {
            Some(class) => Ok(installed_versions(&self.registry, class, self.kinds)),
            None => Ok(Vec::new()),
        }
    }

    fn visible(&self, _: &str, parsed: &connect_api::config::ParsedValues) -> bool {
        !self.visible_with_class
            || parsed_str(parsed, &self.class_key)
                .is_some_and(|c| self.registry.resolve(c).is_some())
    }
}

/// Adds a converter's class key and its `plugin.version` key (Apache's `ConnectorConfig`
/// converter definitions). A default Apache would reject (a worker converter or version we do not
/// have) is left out rather than failing the whole definition.
fn define_converter(
    def: ConfigDef,
    registry: &Arc<PluginRegistry>,
    defaults: &FrameworkDefaults,
    role: &'static str,
    order: i32,
) -> ConfigDef {
    const CONVERTER: &[PluginKind] = &[PluginKind::Converter];
    const HEADER_CONVERTER: &[PluginKind] = &[PluginKind::HeaderConverter];
    let (kinds, converter_defaults, interface, doc, display) = match role {
        "key" => (
            CONVERTER,
            &defaults.key_converter,
            "Converter",
            KEY_CONVERTER_CLASS_DOC,
            "Key",
        ),
        "value" => (
            CONVERTER,
            &defaults.value_converter,
            "Converter",
            VALUE_CONVERTER_CLASS_DOC,
            "Value",
        ),
        _ => (
            HEADER_CONVERTER,
            &defaults.header_converter,
            "HeaderConverter",
            HEADER_CONVERTER_CLASS_DOC,
            "Header",
        ),
    };
    let class_key = format!("{role}.converter");
    let class_def = ConfigKey::new(&class_key, ConfigType::Class)
        .validator(class_validator(registry.clone(), kinds, interface))
        .recommender(ConverterClassRecommender {
            registry: registry.clone(),
            kind: kinds[0],
            recommend: defaults.recommend,
        })
        .importance(Importance::Low)
        .doc(doc)
        .group(COMMON_GROUP)
        .order_in_group(order)
        .width(Width::Short)
        .display_name(format!("{display} converter class"));
    let version_def = ConfigKey::new(
        format!("{class_key}.{PLUGIN_VERSION_SUFFIX}"),
        ConfigType::String,
    )
    .validator(plugin_version_validator())
    .recommender(PluginVersionRecommender {
        registry: registry.clone(),
        class_key: class_key.clone(),
        kinds,
        visible_with_class: true,
        recommend: defaults.recommend,
    })
    .importance(Importance::Low)
    .doc(format!("Version of the {} converter.", role))
    .group(COMMON_GROUP)
    .order_in_group(order + 1)
    .width(Width::Short)
    .display_name(format!("{display} converter version"));
    let def = define_with_default(def, class_def, converter_defaults.class.as_deref());
    define_with_default(def, version_def, converter_defaults.version.as_deref())
}

/// Defines `key` with `default` (null when `None`); a default that fails the key's validator
/// falls back to null.
fn define_with_default(def: ConfigDef, key: ConfigKey, default: Option<&str>) -> ConfigDef {
    if let Some(default) = default {
        if let Ok(d) = def.clone().try_define(key.clone().default_value(default)) {
            return d;
        }
    }
    match def.clone().try_define(key.default_null()) {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!("{e}");
            def
        }
    }
}

/// Apache's `ConnectorConfig.configDef(...)` (with KIP-891's `*.plugin.version` keys and
/// KIP-1004's `tasks.max.enforce`).
fn connector_config_def(registry: &Arc<PluginRegistry>, defaults: &FrameworkDefaults) -> ConfigDef {
    let def = ConfigDef::new()
        .define(
            ConfigKey::new("name", ConfigType::String)
                .validator(NonEmptyStringWithoutControlChars)
                .importance(Importance::High)
                .doc("Globally unique name to use for this connector.")
                .group(COMMON_GROUP)
                .order_in_group(1)
                .width(Width::Medium)
                .display_name("Connector name"),
        )
        .define(
            ConfigKey::new(CONNECTOR_CLASS_CONFIG, ConfigType::String)
                .importance(Importance::High)
                .doc("Name or alias of the class for this connector. Must be a subclass of org.apache.kafka.connect.connector.Connector. If the connector is org.apache.kafka.connect.file.FileStreamSinkConnector, you can either specify this full name,  or use \"FileStreamSink\" or \"FileStreamSinkConnector\" to make the configuration a bit shorter")
                .group(COMMON_GROUP)
                .order_in_group(2)
                .width(Width::Long)
                .display_name("Connector class"),
        );
    let version = ConfigKey::new(CONNECTOR_VERSION_CONFIG, ConfigType::String)
        .validator(plugin_version_validator())
        .recommender(ConnectorVersionRecommender {
            registry: registry.clone(),
            recommend: defaults.recommend,
        })
        .importance(Importance::Medium)
        .doc("Version of the connector.")
        .group(COMMON_GROUP)
        .order_in_group(3)
        .width(Width::Medium)
        .display_name("Connector version");
    let def = define_with_default(def, version, defaults.connector_version.as_deref())
        .define(
            ConfigKey::new("tasks.max", ConfigType::Int)
                .default_value(1)
                .validator(Range::at_least(1))
                .importance(Importance::High)
                .doc("Maximum number of tasks to use for this connector.")
                .group(COMMON_GROUP)
                .order_in_group(4)
                .width(Width::Short)
                .display_name("Tasks max"),
        )
        .define(
            ConfigKey::new("tasks.max.enforce", ConfigType::Boolean)
                .default_value(true)
                .importance(Importance::Low)
                .doc("(Deprecated) Whether to enforce that the tasks.max property is respected by the connector. By default, connectors that generate too many tasks will fail, and existing sets of tasks that exceed the tasks.max property will also be failed. If this property is set to false, then connectors will be allowed to generate more than the maximum number of tasks, and existing sets of tasks that exceed the tasks.max property will be allowed to run. This property is deprecated and will be removed in an upcoming major release.")
                .group(COMMON_GROUP)
                .order_in_group(5)
                .width(Width::Short)
                .display_name("Enforce tasks max"),
        );
    let def = define_converter(def, registry, defaults, "key", 6);
    let def = define_converter(def, registry, defaults, "value", 8);
    define_converter(def, registry, defaults, "header", 10)
        .define(
            ConfigKey::new("transforms", ConfigType::List)
                .default_value(Vec::<String>::new())
                .validator(unique_aliases("transformation"))
                .importance(Importance::Low)
                .doc("Aliases for the transformations to be applied to records.")
                .group(TRANSFORMS_GROUP)
                .order_in_group(12)
                .width(Width::Long)
                .display_name("Transforms"),
        )
        .define(
            ConfigKey::new("predicates", ConfigType::List)
                .default_value(Vec::<String>::new())
                .validator(unique_aliases("predicate"))
                .importance(Importance::Low)
                .doc("Aliases for the predicates used by transformations.")
                .group(PREDICATES_GROUP)
                .order_in_group(13)
                .width(Width::Long)
                .display_name("Predicates"),
        )
        .define(
            ConfigKey::new("config.action.reload", ConfigType::String)
                .default_value("restart")
                .validator(ValidString::in_list(["none", "restart"]))
                .importance(Importance::Low)
                .doc("The action that Connect should take on the connector when changes in external configuration providers result in a change in the connector's configuration properties. A value of 'none' indicates that Connect will do nothing. A value of 'restart' indicates that Connect should restart/reload the connector with the updated configuration properties.The restart may actually be scheduled in the future if the external configuration provider indicates that a configuration value will expire in the future.")
                .group(COMMON_GROUP)
                .order_in_group(14)
                .width(Width::Medium)
                .display_name("Reload Action"),
        )
        .define(
            ConfigKey::new("errors.retry.timeout", ConfigType::Long)
                .default_value(0i64)
                .importance(Importance::Medium)
                .doc("The maximum duration in milliseconds that a failed operation will be reattempted. The default is 0, which means no retries will be attempted. Use -1 for infinite retries.")
                .group(ERROR_GROUP)
                .order_in_group(1)
                .width(Width::Medium)
                .display_name("Retry Timeout for Errors"),
        )
        .define(
            ConfigKey::new("errors.retry.delay.max.ms", ConfigType::Long)
                .default_value(60_000i64)
                .importance(Importance::Medium)
                .doc("The maximum duration in milliseconds between consecutive retry attempts. Jitter will be added to the delay once this limit is reached to prevent thundering herd issues.")
                .group(ERROR_GROUP)
                .order_in_group(2)
                .width(Width::Medium)
                .display_name("Maximum Delay Between Retries for Errors"),
        )
        .define(
            ConfigKey::new("errors.tolerance", ConfigType::String)
                .default_value("none")
                .validator(CaseInsensitiveValidString::in_list(["none", "all"]))
                .importance(Importance::Medium)
                .doc("Behavior for tolerating errors during connector operation. 'none' is the default value and signals that any error will result in an immediate connector task failure; 'all' changes the behavior to skip over problematic records.")
                .group(ERROR_GROUP)
                .order_in_group(3)
                .width(Width::Short)
                .display_name("Error Tolerance"),
        )
        .define(
            ConfigKey::new("errors.log.enable", ConfigType::Boolean)
                .default_value(false)
                .importance(Importance::Medium)
                .doc("If true, write each error and the details of the failed operation and problematic record to the Connect application log. This is 'false' by default, so that only errors that are not tolerated are reported.")
                .group(ERROR_GROUP)
                .order_in_group(4)
                .width(Width::Short)
                .display_name("Log Errors"),
        )
        .define(
            ConfigKey::new("errors.log.include.messages", ConfigType::Boolean)
                .default_value(false)
                .importance(Importance::Medium)
                .doc("Whether to include in the log the Connect record that resulted in a failure. For sink records, the topic, partition, offset, and timestamp will be logged. For source records, the key and value (and their schemas), all headers, and the timestamp, Kafka topic, Kafka partition, source partition, and source offset will be logged. This is 'false' by default, which will prevent record keys, values, and headers from being written to log files.")
                .group(ERROR_GROUP)
                .order_in_group(5)
                .width(Width::Short)
                .display_name("Log Error Details"),
        )
}

fn regex_validator() -> impl Validator + 'static {
    LambdaValidator::with(
        |name: &str, value: Option<&ParsedValue>| {
            let Some(pattern) = value.and_then(ParsedValue::as_str) else {
                return Ok(());
            };
            match Regex::new(pattern) {
                Ok(_) => Ok(()),
                Err(e) => Err(ConfigError::invalid(
                    name,
                    Some(pattern),
                    format!("Invalid regex: {e}"),
                )),
            }
        },
        "valid regex",
    )
}

/// Apache's `SinkConnectorConfig.configDef(base)`.
fn sink_config_def(registry: &Arc<PluginRegistry>, defaults: &FrameworkDefaults) -> ConfigDef {
    connector_config_def(registry, defaults)
        .define(
            ConfigKey::new("topics", ConfigType::List)
                .default_value("")
                .importance(Importance::High)
                .doc("List of topics to consume, separated by commas")
                .group(COMMON_GROUP)
                .order_in_group(4)
                .width(Width::Long)
                .display_name("Topics"),
        )
        .define(
            ConfigKey::new("topics.regex", ConfigType::String)
                .default_value("")
                .validator(regex_validator())
                .importance(Importance::High)
                .doc("Regular expression giving topics to consume. Under the hood, the regex is compiled to a <code>java.util.regex.Pattern</code>. Only one of topics or topics.regex should be specified.")
                .group(COMMON_GROUP)
                .order_in_group(4)
                .width(Width::Long)
                .display_name("Topics regex"),
        )
        .define(
            ConfigKey::new("errors.deadletterqueue.topic.name", ConfigType::String)
                .default_value("")
                .importance(Importance::Medium)
                .doc("The name of the topic to be used as the dead letter queue (DLQ) for messages that result in an error when processed by this sink connector, or its transformations or converters. The topic name is blank by default, which means that no messages are to be recorded in the DLQ.")
                .group(ERROR_GROUP)
                .order_in_group(6)
                .width(Width::Medium)
                .display_name("Dead Letter Queue Topic Name"),
        )
        .define(
            ConfigKey::new(
                "errors.deadletterqueue.topic.replication.factor",
                ConfigType::Short,
            )
            .default_value(3i16)
            .importance(Importance::Medium)
            .doc("Replication factor used to create the dead letter queue topic when it doesn't already exist.")
            .group(ERROR_GROUP)
            .order_in_group(7)
            .width(Width::Medium)
            .display_name("Dead Letter Queue Topic Replication Factor"),
        )
        .define(
            ConfigKey::new(
                "errors.deadletterqueue.context.headers.enable",
                ConfigType::Boolean,
            )
            .default_value(false)
            .importance(Importance::Medium)
            .doc("If true, add headers containing error context to the messages written to the dead letter queue. To avoid clashing with headers from the original record, all error context header keys, all error context header keys will start with <code>__connect.errors.</code>")
            .group(ERROR_GROUP)
            .order_in_group(8)
            .width(Width::Medium)
            .display_name("Enable Error Context Headers"),
        )
}

/// Apache's `SourceConnectorConfig.configDef(base)`.
fn source_config_def(registry: &Arc<PluginRegistry>, defaults: &FrameworkDefaults) -> ConfigDef {
    connector_config_def(registry, defaults)
        .define(
            ConfigKey::new("topic.creation.groups", ConfigType::List)
                .default_value(Vec::<String>::new())
                .validator(unique_aliases("topic creation group"))
                .importance(Importance::Low)
                .doc("Groups of configurations for topics created by source connectors")
                .group(TOPIC_CREATION_GROUP)
                .order_in_group(1)
                .width(Width::Long)
                .display_name("Topic Creation Groups"),
        )
        .define(
            ConfigKey::new("exactly.once.support", ConfigType::String)
                .default_value("requested")
                .validator(CaseInsensitiveValidString::in_list(["requested", "required"]))
                .importance(Importance::Medium)
                .doc("Permitted values are requested, required. If set to \"required\", forces a preflight check for the connector to ensure that it can provide exactly-once semantics with the given configuration. Some connectors may be capable of providing exactly-once semantics but not signal to Connect that they support this; in that case, documentation for the connector should be consulted carefully before creating it, and the value for this property should be set to \"requested\". Additionally, if the value is set to \"required\" but the worker that performs preflight validation does not have exactly-once support enabled for source connectors, requests to create or validate the connector will fail.")
                .group(EXACTLY_ONCE_SUPPORT_GROUP)
                .order_in_group(2)
                .width(Width::Short)
                .display_name("Exactly once support"),
        )
        .define(
            ConfigKey::new("transaction.boundary", ConfigType::String)
                .default_value("poll")
                .validator(CaseInsensitiveValidString::in_list(["poll", "interval", "connector"]))
                .importance(Importance::Medium)
                .doc("Permitted values are: poll, interval, connector. If set to 'poll', a new producer transaction will be started and committed for every batch of records that each task from this connector provides to Connect. If set to 'connector', relies on connector-defined transaction boundaries; note that not all connectors are capable of defining their own transaction boundaries, and in that case, attempts to instantiate a connector with this value will fail. Finally, if set to 'interval', commits transactions only after a user-defined time interval has passed.")
                .group(EXACTLY_ONCE_SUPPORT_GROUP)
                .order_in_group(3)
                .width(Width::Short)
                .display_name("Transaction Boundary"),
        )
        .define(
            ConfigKey::new("transaction.boundary.interval.ms", ConfigType::Long)
                .default_null()
                .validator(LambdaValidator::with(
                    |name: &str, value: Option<&ParsedValue>| match value {
                        None => Ok(()),
                        Some(v) => Validator::ensure_valid(&Range::at_least(0), name, Some(v)),
                    },
                    "[0,...]",
                ))
                .importance(Importance::Low)
                .doc("If 'transaction.boundary' is set to 'interval', determines the interval for producer transaction commits by connector tasks. If unset, defaults to the value of the worker-level 'offset.flush.interval.ms' property. It has no effect if a different transaction.boundary is specified.")
                .group(EXACTLY_ONCE_SUPPORT_GROUP)
                .order_in_group(4)
                .width(Width::Short)
                .display_name("Transaction boundary interval"),
        )
        .define(
            ConfigKey::new("offsets.storage.topic", ConfigType::String)
                .default_null()
                .validator(connect_api::config::NonEmptyString)
                .importance(Importance::Low)
                .doc("The name of a separate offsets topic to use for this connector. If empty or not specified, the worker’s global offsets topic name will be used. If specified, the offsets topic will be created if it does not already exist on the Kafka cluster targeted by this connector (which may be different from the one used for the worker's global offsets topic if the bootstrap.servers property of the connector's producer has been overridden from the worker's). Only applicable in distributed mode; in standalone mode, setting this property will have no effect.")
                .group(OFFSETS_TOPIC_GROUP)
                .order_in_group(1)
                .width(Width::Long)
                .display_name("Offsets topic"),
        )
}

/// Recommends every plugin class of one kind (Apache's `ClassRecommender`).
struct ClassRecommender {
    classes: Vec<String>,
}

impl Recommender for ClassRecommender {
    fn valid_values(
        &self,
        _: &str,
        _: &connect_api::config::ParsedValues,
    ) -> Result<Vec<ParsedValue>, ConfigError> {
        Ok(self
            .classes
            .iter()
            .map(|c| ParsedValue::Class(c.clone()))
            .collect())
    }
}

/// The definition of a plugin's own keys (`config()` of a fresh instance).
pub(crate) fn plugin_config_def(desc: &PluginDesc) -> ConfigDef {
    match desc.factory {
        PluginFactory::Source { connector, .. } => connector().config(),
        PluginFactory::Sink { connector, .. } => connector().config(),
        PluginFactory::Converter(new) => new().config(),
        PluginFactory::HeaderConverter(new) => new().config(),
        PluginFactory::Transformation { source, .. } => source().config(),
        PluginFactory::Predicate { source, .. } => source().config(),
        _ => ConfigDef::new(),
    }
}

fn prop<'a>(props: &'a NullableProps, key: &str) -> Option<&'a str> {
    props.get(key).and_then(|v| v.as_deref())
}

/// Adds one group per transformation / predicate alias (Apache's `ConnectorConfig.enrich`): the
/// alias's `type`, its `plugin.version` (KIP-891), then the plugin's own keys when the class and
/// version are installed.
fn enrich(mut def: ConfigDef, props: &NullableProps, registry: &Arc<PluginRegistry>) -> ConfigDef {
    const TRANSFORMATION: &[PluginKind] = &[PluginKind::Transformation];
    const PREDICATE: &[PluginKind] = &[PluginKind::Predicate];
    for (config, group_base, kinds, kind_name) in [
        (
            "transforms",
            TRANSFORMS_GROUP,
            TRANSFORMATION,
            "Transformation",
        ),
        ("predicates", PREDICATES_GROUP, PREDICATE, "Predicate"),
    ] {
        let kind = kinds[0];
        let mut seen = HashSet::new();
        let aliases: Vec<String> = prop(props, config)
            .map(parse_list)
            .unwrap_or_default()
            .into_iter()
            .filter(|a| seen.insert(a.clone()))
            .collect();
        for alias in aliases {
            let prefix = format!("{config}.{alias}.");
            let group = format!("{group_base}: {alias}");
            let type_key = format!("{prefix}type");
            let version_key = format!("{prefix}{PLUGIN_VERSION_SUFFIX}");
            let type_class = prop(props, &type_key).map(str::to_owned);
            // Apache's fetchPluginVersion: the version of the named class, if installed.
            let default_version = type_class
                .as_deref()
                .and_then(|c| registry.find(c, kinds).ok())
                .map(|p| p.version.clone());
            // The type's validator loads the version asked for, else the default
            // (`props.getOrDefault`; a JSON null asks for none).
            let requested_version = match props.get(&version_key) {
                Some(v) => v.clone(),
                None => default_version.clone(),
            };
            let reg = registry.clone();
            let negate_key = format!("{prefix}negate");
            let predicate_key = format!("{prefix}predicate");
            let has_negate = props.contains_key(&negate_key);
            let has_predicate = props.contains_key(&predicate_key);
            let is_transform = kind == PluginKind::Transformation;
            let validator = LambdaValidator::with(
                move |name: &str, value: Option<&ParsedValue>| {
                    if is_transform && has_negate && !has_predicate {
                        return Err(ConfigError::other(
                            Some(name),
                            format!("Config '{negate_key}' was provided but there is no config '{predicate_key}' defining a predicate to be negated."),
                        ));
                    }
                    // Apache validates no further when there is no class (its value is then
                    // null); we know only plugin classes, so an unknown name is reported here,
                    // as Apache's parse of the class would.
                    let Some(class) = value.and_then(ParsedValue::as_str) else {
                        return Ok(());
                    };
                    let found = match reg.find(class, kinds) {
                        Err(e @ connect_api::plugin::LookupError::NotFound { .. }) => {
                            return Err(ConfigError::invalid(name, Some(class), e.to_string()))
                        }
                        other => other,
                    };
                    // As Apache's getConfigDefFromPlugin: the version first, then the kind,
                    // then whether that version is installed.
                    let range = maven::version_requirement(requested_version.as_deref())
                        .map_err(|message| ConfigError::other(Some(name), message))?;
                    let desc = match found {
                        Ok(desc) => desc,
                        Err(connect_api::plugin::LookupError::WrongKind { .. }) => {
                            return Err(not_a_subclass(&reg, class, kind_name))
                        }
                        Err(e) => {
                            return Err(ConfigError::invalid(name, Some(class), e.to_string()))
                        }
                    };
                    match range {
                        Some(range) if !range.contains(&desc.version) => Err(ConfigError::other(
                            Some(name),
                            version_not_found(&reg, &desc.class_name, &range),
                        )),
                        _ => Ok(()),
                    }
                },
                format!("valid configs for {alias} {}", kind_name.to_lowercase()),
            );
            let classes: Vec<String> = registry
                .of_kind(kind)
                .map(|p| p.class_name.clone())
                .collect();
            let type_def = ConfigKey::new(&type_key, ConfigType::Class)
                .validator(validator)
                .recommender(ClassRecommender { classes })
                .importance(Importance::High)
                .doc(format!(
                    "Class for the '{alias}' {}.",
                    kind_name.to_lowercase()
                ))
                .group(group.clone())
                .order_in_group(0)
                .width(Width::Long)
                .display_name(format!("{kind_name} type for {alias}"));
            def = match def.clone().try_define(type_def) {
                Ok(d) => d,
                Err(_) => continue,
            };
            // The version key's validator reports only version problems; the type's reports
            // the rest.
            let reg = registry.clone();
            let class_for_version = type_class.clone();
            let version_validator = LambdaValidator::with(
                move |name: &str, value: Option<&ParsedValue>| {
                    let (Some(version), Some(class)) = (
                        value.and_then(ParsedValue::as_str),
                        class_for_version.as_deref(),
                    ) else {
                        return Ok(());
                    };
                    let range = maven::version_requirement(Some(version))
                        .map_err(|message| ConfigError::other(Some(name), message))?;
                    match (range, reg.find(class, kinds)) {
                        (Some(range), Ok(desc)) if !range.contains(&desc.version) => {
                            Err(ConfigError::other(
                                Some(name),
                                version_not_found(&reg, &desc.class_name, &range),
                            ))
                        }
                        _ => Ok(()),
                    }
                },
                format!(
                    "an installed version of the {alias} {}",
                    kind_name.to_lowercase()
                ),
            );
            let version_def = ConfigKey::new(&version_key, ConfigType::String)
                .validator(version_validator)
                .recommender(PluginVersionRecommender {
                    registry: registry.clone(),
                    class_key: type_key.clone(),
                    kinds,
                    visible_with_class: false,
                    recommend: true,
                })
                .importance(Importance::High)
                .doc(format!(
                    "Version of the '{alias}' {}.",
                    kind_name.to_lowercase()
                ))
                .group(group.clone())
                .order_in_group(1)
                .width(Width::Long)
                .display_name(format!("{kind_name} version for {alias}"));
            def = define_with_default(def, version_def, default_version.as_deref());
            // Apache's populateConfigDef: the plugin's keys only when the class is set and the
            // version given (not the default) is a valid, installed one.
            let Some(class) = type_class.as_deref() else {
                continue;
            };
            let Ok(desc) = registry.find(class, kinds) else {
                continue;
            };
            match maven::version_requirement(prop(props, &version_key)) {
                Ok(Some(range)) if !range.contains(&desc.version) => continue,
                Err(_) => continue,
                _ => {}
            }
            let mut child = ConfigDef::new();
            if is_transform {
                child = child
                    .define(
                        ConfigKey::new("predicate", ConfigType::String)
                            .default_null()
                            .importance(Importance::Medium)
                            .doc("The alias of a predicate used to determine whether to apply this transformation."),
                    )
                    .define(
                        ConfigKey::new("negate", ConfigType::Boolean)
                            .default_value(false)
                            .importance(Importance::Medium)
                            .doc("Whether the configured predicate should be negated."),
                    );
            }
            for key in plugin_config_def(desc).keys() {
                if is_transform && (key.name == "predicate" || key.name == "negate") {
                    continue;
                }
                if let Ok(d) = child.clone().try_define(key.clone()) {
                    child = d;
                }
            }
            if let Ok(d) = def.clone().embed(&prefix, &group, 2, &child) {
                def = d;
            }
        }
    }
    def
}

fn add_error(values: &mut IndexMap<String, ConfigValue>, key: &str, message: &str) {
    values
        .entry(key.to_owned())
        .or_insert_with(|| ConfigValue::new(key))
        .add_error_message(message);
}

/// Apache's `SinkConnectorConfig.validate(props, validatedConfig)`.
fn validate_sink(props: &NullableProps, values: &mut IndexMap<String, ConfigValue>) {
    let topics = prop(props, "topics").filter(|s| !s.trim().is_empty());
    let regex = prop(props, "topics.regex").filter(|s| !s.trim().is_empty());
    let dlq = prop(props, "errors.deadletterqueue.topic.name")
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if topics.is_some() && regex.is_some() {
        let msg = "topics and topics.regex are mutually exclusive options, but both are set.";
        add_error(values, "topics", msg);
        add_error(values, "topics.regex", msg);
    }
    if topics.is_none() && regex.is_none() {
        let msg = "Must configure one of topics or topics.regex";
        add_error(values, "topics", msg);
        add_error(values, "topics.regex", msg);
    }
    if let Some(dlq) = dlq {
        if let Some(t) = topics {
            let list = parse_list(t);
            if list.iter().any(|x| x == dlq) {
                add_error(values, "topics", &format!(
                    "The DLQ topic '{dlq}' may not be included in the list of topics ('topics=[{}]') consumed by the connector",
                    list.join(", ")
                ));
            }
        }
        if let Some(r) = regex {
            if Regex::new(&format!("^(?:{r})$")).is_ok_and(|re| re.is_match(dlq)) {
                add_error(values, "topics.regex", &format!(
                    "The DLQ topic '{dlq}' may not be included in the regex matching the topics ('topics.regex={r}') consumed by the connector"
                ));
            }
        }
    }
}

/// One section (converter or client override) of the result, names prefixed
/// (Apache's `prefixedConfigInfos`): counts entries with errors, not errors.
fn prefixed_infos(
    def: Option<&ConfigDef>,
    values: Vec<ConfigValue>,
    prefix: &str,
) -> (usize, Vec<String>, Vec<ConfigInfo>) {
    let mut errors = 0;
    let mut groups: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for v in values {
        let key = def.and_then(|d| d.config_key(&v.name));
        let definition = key.map(|k| {
            if let Some(g) = &k.group {
                if !groups.contains(g) {
                    groups.push(g.clone());
                }
            }
            k.to_info_with_prefix(prefix)
        });
        if !v.error_messages.is_empty() {
            errors += 1;
        }
        let mut info = v.to_info();
        info.name = format!("{prefix}{}", v.name);
        if key.is_none() && looks_secret(&v.name) && info.value.is_some() {
            info.value = Some("[hidden]".to_owned());
        }
        out.push(ConfigInfo {
            definition,
            value: Some(info),
        });
    }
    (errors, groups, out)
}

/// The outcome of validating a connector configuration.
pub(crate) struct Validation {
    /// Apache's ConfigInfos.
    pub infos: ConfigInfos,
    /// The connector plugin.
    pub desc: PluginDesc,
    /// Keys whose values are secrets (`PASSWORD` keys), to hide in responses.
    pub secret_keys: HashSet<String>,
}

/// The `Failed to find any class ...` message for an unknown connector class.
pub(crate) fn unknown_connector_class(registry: &PluginRegistry, class: &str) -> String {
    let kinds = [PluginKind::Source, PluginKind::Sink];
    let suggestions = registry.suggestions(class, &kinds);
    let hint = if suggestions.is_empty() {
        String::new()
    } else {
        format!(" (did you mean {}?)", suggestions.join(", "))
    };
    let available: Vec<String> = registry
        .plugins()
        .iter()
        .filter(|p| p.kind().is_connector())
        .map(|p| {
            format!(
                "PluginDesc{{klass=class {}, name='{}', version='{}', encodedVersion={}, type={}, typeName='{}', location='classpath'}}",
                p.class_name,
                p.class_name,
                p.version,
                p.version,
                p.kind().name(),
                p.kind().name()
            )
        })
        .collect();
    format!(
        "Failed to find any class that implements Connector and which name matches {class}{hint}, available connectors are: {}",
        available.join(", ")
    )
}

/// Apache's `AbstractHerder.generateResult`: values of undefined keys first, then every defined
/// key with its value. Returns the error count and the entries.
fn generate_result(
    keys: &IndexMap<String, ConfigKey>,
    config_values: Vec<ConfigValue>,
) -> (usize, Vec<ConfigInfo>) {
    let mut error_count = 0;
    let mut configs: Vec<ConfigInfo> = Vec::new();
    let mut by_name: HashMap<String, ConfigValue> = HashMap::new();
    for v in config_values {
        if !keys.contains_key(&v.name) {
            error_count += v.error_messages.len();
            let mut info = v.to_info();
            if looks_secret(&v.name) && info.value.is_some() {
                info.value = Some("[hidden]".to_owned());
            }
            configs.push(ConfigInfo {
                definition: None,
                value: Some(info),
            });
        }
        by_name.insert(v.name.clone(), v);
    }
    for (name, key) in keys {
        let value = by_name.get(name).map(|v| {
            error_count += v.error_messages.len();
            v.to_info()
        });
        configs.push(ConfigInfo {
            definition: Some(key.to_info()),
            value,
        });
    }
    (error_count, configs)
}

/// Shows each `CLASS` value by its class name, as Apache prints the `Class` an alias loads
/// (`JsonConverter` shows as `org.apache.kafka.connect.json.JsonConverter`), and an unknown
/// class as null, as Apache's failed parse leaves it.
fn show_class_names(
    def: &ConfigDef,
    registry: &PluginRegistry,
    values: &mut IndexMap<String, ConfigValue>,
) {
    for (name, v) in values.iter_mut() {
        let is_class = def
            .config_key(name)
            .is_some_and(|k| k.config_type == ConfigType::Class);
        if let (true, Some(ParsedValue::Class(class))) = (is_class, &v.value) {
            // A class Apache could not load parses to null; we know only plugin classes.
            v.value = registry
                .resolve(class)
                .map(|full| ParsedValue::Class(full.to_owned()));
        }
    }
}

/// Adds Apache's `Null value can not be supplied...` error to every key given as a JSON null.
fn add_null_value_errors(props: &NullableProps, values: &mut IndexMap<String, ConfigValue>) {
    let mut nulls: Vec<&String> = props
        .iter()
        .filter(|(_, v)| v.is_none())
        .map(|(k, _)| k)
        .collect();
    nulls.sort();
    for key in nulls {
        add_error(values, key, NULL_VALUE_MESSAGE);
    }
}

/// Keys whose values are secrets: `PASSWORD` definitions and names that look secret.
fn secret_keys_of(keys: &IndexMap<String, ConfigKey>, props: &NullableProps) -> HashSet<String> {
    keys.values()
        .filter(|k| k.config_type.is_sensitive())
        .map(|k| k.name.clone())
        .chain(props.keys().filter(|k| looks_secret(k)).cloned())
        .collect()
}

/// Apache's `AbstractHerder.invalidVersionedConnectorValidation`: when no installed version of
/// the connector is in `connector.plugin.version`'s range, only the framework's common keys are
/// validated, and the connector class and version report why.
fn invalid_connector_version(
    worker: &Worker,
    props: &NullableProps,
    class: &str,
    desc: PluginDesc,
    range: &maven::VersionRange,
) -> Validation {
    let registry = &worker.registry;
    let def = connector_config_def(registry, &FrameworkDefaults::for_plugin(&desc));
    let mut values = def.validate_all(props);
    show_class_names(&def, registry, &mut values);
    let message = version_not_found(registry, &desc.class_name, range);
    add_error(&mut values, CONNECTOR_CLASS_CONFIG, &message);
    add_error(&mut values, CONNECTOR_VERSION_CONFIG, &message);
    if let Some(v) = values.get_mut(CONNECTOR_VERSION_CONFIG) {
        v.recommended_values = registry
            .plugins()
            .iter()
            .filter(|p| p.class_name == desc.class_name)
            .map(|p| ParsedValue::String(p.version.clone()))
            .collect();
    }
    add_null_value_errors(props, &mut values);
    let (error_count, configs) = generate_result(def.config_keys(), values.into_values().collect());
    Validation {
        infos: ConfigInfos {
            name: class.to_owned(),
            error_count,
            groups: def.groups().to_vec(),
            configs,
        },
        secret_keys: secret_keys_of(def.config_keys(), props),
        desc,
    }
}

/// Validates a connector configuration (Apache's `AbstractHerder.validateConnectorConfig`).
/// Fails only when there is no usable `connector.class` or `connector.plugin.version` is no
/// version range; every other problem is an error in the returned `ConfigInfos`.
/// Validates a connector configuration as the connector will see it, `${provider:…}`
/// references resolved (as Apache does); the answer shows the references, never what they
/// resolve to.
pub(crate) fn validate_connector_config(
    worker: &Worker,
    props: &NullableProps,
) -> Result<Validation, HerderError> {
    let providers = &worker.config.providers;
    if providers.is_empty() {
        return validate_resolved(worker, props);
    }
    let present: HashMap<String, String> = props
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), v.clone()?)))
        .collect();
    let resolved = providers
        .transform(&present)
        .map_err(|e| HerderError::BadRequest(e.to_string()))?;
    let mut nullable = props.clone();
    for (k, v) in &resolved {
        nullable.insert(k.clone(), Some(v.clone()));
    }
    let mut v = validate_resolved(worker, &nullable)?;
    let secrets: Vec<(&String, &String)> = present
        .iter()
        .filter_map(|(k, raw)| {
            let r = resolved.get(k)?;
            (r != raw && !r.is_empty()).then_some((r, raw))
        })
        .collect();
    for c in &mut v.infos.configs {
        let Some(value) = c.value.as_mut() else {
            continue;
        };
        if let Some(raw) = present.get(&value.name) {
            if resolved.get(&value.name) != Some(raw) && value.value.is_some() {
                value.value = Some(raw.clone());
            }
        }
        for e in &mut value.errors {
            for (r, raw) in &secrets {
                if e.contains(r.as_str()) {
                    *e = e.replace(r.as_str(), raw);
                }
            }
        }
    }
    Ok(v)
}

fn validate_resolved(worker: &Worker, props: &NullableProps) -> Result<Validation, HerderError> {
    let registry = &worker.registry;
    let Some(class) = prop(props, CONNECTOR_CLASS_CONFIG)
        .map(str::trim)
        .filter(|c| !c.is_empty())
    else {
        return Err(HerderError::BadRequest(format!(
            "Connector config {} contains no connector type",
            java_map_string(props, &HashSet::new())
        )));
    };
    let desc = registry
        .find(class, &[PluginKind::Source, PluginKind::Sink])
        .map_err(|_| HerderError::BadRequest(unknown_connector_class(registry, class)))?
        .clone();
    // As Apache: a malformed range is the client's mistake; a range that no installed
    // version is in still gets a result.
    match maven::version_requirement(prop(props, CONNECTOR_VERSION_CONFIG)) {
        Err(message) => return Err(HerderError::BadRequest(message)),
        Ok(Some(range)) if !range.contains(&desc.version) => {
            return Ok(invalid_connector_version(
                worker, props, class, desc, &range,
            ))
        }
        Ok(_) => {}
    }
    let is_sink = desc.kind() == PluginKind::Sink;
    let defaults = FrameworkDefaults::for_validation(worker, &desc, props);
    let base = if is_sink {
        sink_config_def(registry, &defaults)
    } else {
        source_config_def(registry, &defaults)
    };
    let def = enrich(base, props, registry);
    let mut values = def.validate_all(props);
    show_class_names(&def, registry, &mut values);
    if is_sink {
        validate_sink(props, &mut values);
    }
    add_null_value_errors(props, &mut values);

    // Converters the connector names: their own keys, validated first because a converter
    // version that is not installed is an error on the connector's keys (Apache's
    // validateAllConverterConfigs).
    let mut converter_error_count = 0;
    let mut converter_groups: Vec<String> = Vec::new();
    let mut converter_configs: Vec<ConfigInfo> = Vec::new();
    let mut converter_secrets: HashSet<String> = HashSet::new();
    for (role, kind) in [
        ("header", PluginKind::HeaderConverter),
        ("key", PluginKind::Converter),
        ("value", PluginKind::Converter),
    ] {
        let key = format!("{role}.converter");
        let version_key = format!("{key}.{PLUGIN_VERSION_SUFFIX}");
        let Some(class) = prop(props, &key) else {
            continue;
        };
        let has_errors = |k: &str| values.get(k).is_some_and(|v| !v.error_messages.is_empty());
        if has_errors(&key) || has_errors(&version_key) {
            continue;
        }
        let Some(converter) = registry.find(class, &[kind]).ok() else {
            continue;
        };
        match maven::version_requirement(prop(props, &version_key)) {
            Ok(Some(range)) if !range.contains(&converter.version) => {
                let message = version_not_found(registry, &converter.class_name, &range);
                add_error(&mut values, &key, &message);
                add_error(&mut values, &version_key, &message);
                continue;
            }
            Ok(_) => {}
            Err(message) => {
                add_error(&mut values, &version_key, &message);
                continue;
            }
        }
        let converter_def = plugin_config_def(converter);
        let prefix = format!("{key}.");
        let mut sub: NullableProps = props
            .iter()
            .filter_map(|(k, v)| k.strip_prefix(&prefix).map(|s| (s.to_owned(), v.clone())))
            .collect();
        sub.insert("converter.type".to_owned(), Some(role.to_owned()));
        let results = converter_def.validate(&sub);
        converter_secrets.extend(
            converter_def
                .keys()
                .filter(|k| k.config_type.is_sensitive())
                .map(|k| format!("{prefix}{}", k.name)),
        );
        let (errors, g, c) = prefixed_infos(Some(&converter_def), results, &prefix);
        converter_error_count += errors;
        for g in g {
            if !converter_groups.contains(&g) {
                converter_groups.push(g);
            }
        }
        converter_configs.extend(c);
    }

    // The connector's section: the framework's keys, then the connector's own.
    let mut config_values: Vec<ConfigValue> = values.into_values().collect();
    let mut keys: IndexMap<String, ConfigKey> = def.config_keys().clone();
    let mut groups: Vec<String> = def.groups().to_vec();
    let connector_def = plugin_config_def(&desc);
    for (name, key) in connector_def.config_keys() {
        keys.insert(name.clone(), key.clone());
    }
    for g in connector_def.groups() {
        if !groups.contains(g) {
            groups.push(g.clone());
        }
    }
    config_values.extend(connector_def.validate(props));
    let mut secret_keys = secret_keys_of(&keys, props);
    secret_keys.extend(converter_secrets);
    let (mut error_count, mut configs) = generate_result(&keys, config_values);

    // Client overrides, under the worker's override policy.
    let has_dlq =
        prop(props, "errors.deadletterqueue.topic.name").is_some_and(|s| !s.trim().is_empty());
    let uses_topic_creation = props.keys().any(|k| k.starts_with("topic.creation."));
    let mut sections: Vec<&str> = Vec::new();
    if !is_sink || has_dlq {
        sections.push("producer.override.");
    }
    if is_sink {
        sections.push("consumer.override.");
    }
    if (!is_sink && uses_topic_creation) || has_dlq {
        sections.push("admin.override.");
    }
    let policy = worker.config.override_policy;
    for prefix in sections {
        let mut entries: Vec<(&String, &Option<String>)> = props
            .iter()
            .filter(|(k, _)| k.starts_with(prefix))
            .collect();
        if entries.is_empty() {
            continue;
        }
        entries.sort();
        let values: Vec<ConfigValue> = entries
            .into_iter()
            .map(|(k, v)| {
                let name = &k[prefix.len()..];
                let mut cv = ConfigValue::new(name);
                cv.value = v.clone().map(ParsedValue::String);
                let allowed = match policy {
                    ClientOverridePolicy::All => true,
                    ClientOverridePolicy::None => false,
                    ClientOverridePolicy::Principal => matches!(
                        name,
                        "sasl.jaas.config" | "sasl.mechanism" | "security.protocol"
                    ),
                };
                if !allowed {
                    let policy_name = match policy {
                        ClientOverridePolicy::All => "All",
                        ClientOverridePolicy::None => "None",
                        ClientOverridePolicy::Principal => "Principal",
                    };
                    cv.add_error_message(format!("The '{policy_name}' policy does not allow '{name}' to be overridden in the connector configuration."));
                }
                if looks_secret(name) {
                    secret_keys.insert(k.clone());
                }
                cv
            })
            .collect();
        let (errors, _, c) = prefixed_infos(None, values, prefix);
        error_count += errors;
        configs.extend(c);
    }

    // Apache's mergeConfigInfos(connector, client overrides, converters).
    error_count += converter_error_count;
    configs.extend(converter_configs);
    for g in converter_groups {
        if !groups.contains(&g) {
            groups.push(g);
        }
    }

    Ok(Validation {
        infos: ConfigInfos {
            name: class.to_owned(),
            error_count,
            groups,
            configs,
        },
        desc,
        secret_keys,
    })
}

/// `GET /connector-plugins/{plugin}/config` (Apache's `AbstractHerder.connectorPluginConfig`):
/// the plugin's own keys, then, for a connector, the framework's sink or source keys it does not
/// define itself, with the connector's version as `connector.plugin.version`'s default.
pub(crate) fn connector_plugin_config(
    registry: &Arc<PluginRegistry>,
    desc: &PluginDesc,
) -> Vec<ConfigKeyInfo> {
    let own = plugin_config_def(desc);
    let defaults = FrameworkDefaults::for_plugin(desc);
    let base = match desc.kind() {
        PluginKind::Sink => Some(sink_config_def(registry, &defaults)),
        PluginKind::Source => Some(source_config_def(registry, &defaults)),
        _ => None,
    };
    let mut infos: Vec<ConfigKeyInfo> = own.keys().map(ConfigKey::to_info).collect();
    if let Some(base) = base {
        infos.extend(
            base.keys()
                .filter(|k| !own.contains(&k.name))
                .map(ConfigKey::to_info),
        );
    }
    infos
}

/// The 400 message for an invalid configuration (Apache's `AbstractHerder.maybeAddConfigErrors`).
pub(crate) fn invalid_config_message(infos: &ConfigInfos) -> String {
    let mut msg = format!(
        "Connector configuration is invalid and contains the following {} error(s):\n",
        infos.error_count
    );
    for e in infos.error_messages() {
        msg.push_str(&e);
        msg.push('\n');
    }
    msg.push_str("You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`");
    msg
}

/// Converts a plain config map to the nullable form validation takes.
pub(crate) fn nullable(props: &HashMap<String, String>) -> NullableProps {
    props
        .iter()
        .map(|(k, v)| (k.clone(), Some(v.clone())))
        .collect()
}

/// The value shown for a secret in responses.
pub(crate) const HIDDEN: &str = "[hidden]";

/// A copy of `config` with the values of secret keys hidden; `${provider:path:key}` references
/// are not secrets and are shown as they are (Apache never resolves them in responses).
pub(crate) fn redact(
    config: &HashMap<String, String>,
    secret_keys: &HashSet<String>,
) -> HashMap<String, String> {
    config
        .iter()
        .map(|(k, v)| {
            let hide = (secret_keys.contains(k) || looks_secret(k)) && !is_reference(v);
            (k.clone(), if hide { HIDDEN.to_owned() } else { v.clone() })
        })
        .collect()
}

/// Whether a value is a config-provider reference such as `${file:/etc/secrets:password}`.
pub(crate) fn is_reference(value: &str) -> bool {
    let v = value.trim();
    v.starts_with("${") && v.ends_with('}')
}

/// Maven's versions and version ranges (`org.apache.maven.artifact.versioning` 3.9, which
/// Apache's `PluginUtils.connectorVersionRequirement` uses for every `*.plugin.version` key), so
/// a version or range is accepted, rejected, matched and printed exactly as Apache does.
mod maven {
    use std::cmp::Ordering;
    use std::fmt;

    /// One version (Maven's `DefaultArtifactVersion` over `ComparableVersion`): compared by
    /// Maven's rules, printed as given.
    #[derive(Debug, Clone)]
    pub(super) struct Version {
        text: String,
        items: Vec<Item>,
    }

    /// One item of a version (Maven's `IntItem`/`LongItem`/`BigIntegerItem`, `StringItem`,
    /// `ListItem`).
    #[derive(Debug, Clone)]
    enum Item {
        /// Digits without leading zeros ("0" for zero): longer is larger, so Maven's three
        /// number sizes compare as one.
        Number(String),
        /// A qualifier with Maven's aliases applied (`ga`, `final`, `release` are "", `cr` is
        /// `rc`, and `a1`/`b1`/`m1` are alpha/beta/milestone).
        Text(String),
        /// A sub-list, started by `-` or by a change between letters and digits.
        List(Vec<Item>),
    }

    /// Java's `String.trim()`: strips the characters up to and including the space.
    pub(super) fn java_trim(s: &str) -> &str {
        s.trim_matches(|c: char| c <= ' ')
    }

    /// Maven's known qualifiers, in order; "" is a release.
    const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
    const RELEASE_VERSION_INDEX: &str = "5";

    fn comparable_qualifier(q: &str) -> String {
        match QUALIFIERS.iter().position(|k| *k == q) {
            Some(i) => i.to_string(),
            None => format!("{}-{q}", QUALIFIERS.len()),
        }
    }

    fn text_item(value: &str, followed_by_digit: bool) -> Item {
        let value = match (followed_by_digit, value) {
            (true, "a") => "alpha",
            (true, "b") => "beta",
            (true, "m") => "milestone",
            (_, "ga" | "final" | "release") => "",
            (_, "cr") => "rc",
            (_, v) => v,
        };
        Item::Text(value.to_owned())
    }

    fn parse_item(is_digit: bool, buf: &str) -> Item {
        if is_digit {
            let stripped = buf.trim_start_matches('0');
            Item::Number(if stripped.is_empty() { "0" } else { stripped }.to_owned())
        } else {
            text_item(buf, false)
        }
    }

    impl Item {
        fn is_null(&self) -> bool {
            match self {
                Item::Number(n) => n == "0",
                Item::Text(t) => comparable_qualifier(t) == RELEASE_VERSION_INDEX,
                Item::List(l) => l.is_empty(),
            }
        }

        /// Maven's `Item.compareTo`, `None` standing for a missing item.
        fn compare(&self, other: Option<&Item>) -> Ordering {
            match (self, other) {
                (Item::Number(n), None) => {
                    if n == "0" {
                        Ordering::Equal
                    } else {
                        Ordering::Greater
                    }
                }
                (Item::Number(a), Some(Item::Number(b))) => {
                    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
                }
                (Item::Number(_), Some(_)) => Ordering::Greater,
                (Item::Text(t), None) => {
                    comparable_qualifier(t).as_str().cmp(RELEASE_VERSION_INDEX)
                }
                (Item::Text(a), Some(Item::Text(b))) => {
                    comparable_qualifier(a).cmp(&comparable_qualifier(b))
                }
                (Item::Text(_), Some(_)) => Ordering::Less,
                (Item::List(l), None) => l
                    .iter()
                    .map(|i| i.compare(None))
                    .find(|o| o.is_ne())
                    .unwrap_or(Ordering::Equal),
                (Item::List(_), Some(Item::Number(_))) => Ordering::Less,
                (Item::List(_), Some(Item::Text(_))) => Ordering::Greater,
                (Item::List(a), Some(Item::List(b))) => compare_lists(a, b),
            }
        }
    }

    fn compare_lists(a: &[Item], b: &[Item]) -> Ordering {
        for i in 0..a.len().max(b.len()) {
            let result = match (a.get(i), b.get(i)) {
                (Some(l), r) => l.compare(r),
                (None, Some(r)) => r.compare(None).reverse(),
                (None, None) => Ordering::Equal,
            };
            if result.is_ne() {
                return result;
            }
        }
        Ordering::Equal
    }

    /// Removes trailing null items (0, "", empty lists), looking past non-empty sub-lists
    /// (Maven's `ListItem.normalize`).
    fn normalize(list: &mut Vec<Item>) {
        let mut i = list.len();
        while i > 0 {
            i -= 1;
            if list[i].is_null() {
                list.remove(i);
            } else if !matches!(list[i], Item::List(_)) {
                break;
            }
        }
    }

    impl Version {
        /// Maven's `ComparableVersion.parseVersion` (3.9), which never fails.
        pub(super) fn parse(text: &str) -> Version {
            let lower: Vec<char> = text.to_lowercase().chars().collect();
            let sub = |from: usize, to: usize| lower[from..to].iter().collect::<String>();
            // Each new sub-list is the last item of the one before it, so the lists form a
            // chain, kept flat here and nested at the end.
            let mut chain: Vec<Vec<Item>> = vec![Vec::new()];
            let mut is_digit = false;
            let mut start = 0;
            for (i, &c) in lower.iter().enumerate() {
                if c == '.' || c == '-' {
                    let item = if i == start {
                        Item::Number("0".to_owned())
                    } else {
                        parse_item(is_digit, &sub(start, i))
                    };
                    push(&mut chain, item);
                    start = i + 1;
                    if c == '-' {
                        chain.push(Vec::new());
                    }
                } else if c.is_ascii_digit() {
                    if !is_digit && i > start {
                        if chain.last().is_some_and(|l| !l.is_empty()) {
                            chain.push(Vec::new());
                        }
                        push(&mut chain, text_item(&sub(start, i), true));
                        start = i;
                        chain.push(Vec::new());
                    }
                    is_digit = true;
                } else {
                    if is_digit && i > start {
                        push(&mut chain, parse_item(true, &sub(start, i)));
                        start = i;
                        chain.push(Vec::new());
                    }
                    is_digit = false;
                }
            }
            if lower.len() > start {
                // 1.0.0.X1 < 1.0.0-X2: a trailing qualifier after a dot counts as after a dash.
                if !is_digit && chain.last().is_some_and(|l| !l.is_empty()) {
                    chain.push(Vec::new());
                }
                push(&mut chain, parse_item(is_digit, &sub(start, lower.len())));
            }
            let mut nested: Option<Vec<Item>> = None;
            while let Some(mut list) = chain.pop() {
                if let Some(inner) = nested.take() {
                    list.push(Item::List(inner));
                }
                normalize(&mut list);
                nested = Some(list);
            }
            Version {
                text: text.to_owned(),
                items: nested.unwrap_or_default(),
            }
        }

        pub(super) fn compare(&self, other: &Version) -> Ordering {
            compare_lists(&self.items, &other.items)
        }
    }

    fn push(chain: &mut [Vec<Item>], item: Item) {
        if let Some(list) = chain.last_mut() {
            list.push(item);
        }
    }

    impl fmt::Display for Version {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(&self.text)
        }
    }

    /// One interval of a range (Maven's `Restriction`).
    #[derive(Debug, Clone)]
    struct Restriction {
        lower: Option<Version>,
        lower_inclusive: bool,
        upper: Option<Version>,
        upper_inclusive: bool,
    }

    impl Restriction {
        fn contains(&self, version: &Version) -> bool {
            if let Some(lower) = &self.lower {
                match lower.compare(version) {
                    Ordering::Equal if !self.lower_inclusive => return false,
                    Ordering::Greater => return false,
                    _ => {}
                }
            }
            if let Some(upper) = &self.upper {
                match upper.compare(version) {
                    Ordering::Equal if !self.upper_inclusive => return false,
                    Ordering::Less => return false,
                    _ => {}
                }
            }
            true
        }
    }

    impl fmt::Display for Restriction {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(if self.lower_inclusive { "[" } else { "(" })?;
            if let Some(lower) = &self.lower {
                write!(f, "{lower}")?;
            }
            f.write_str(",")?;
            if let Some(upper) = &self.upper {
                write!(f, "{upper}")?;
            }
            f.write_str(if self.upper_inclusive { "]" } else { ")" })
        }
    }

    /// A version range (Maven's `VersionRange`): a soft version (`1.0`) or hard intervals
    /// (`[1.0,2.0)`, `(,1.0],[1.2,)`).
    #[derive(Debug, Clone)]
    pub(super) struct VersionRange {
        recommended: Option<Version>,
        restrictions: Vec<Restriction>,
    }

    impl VersionRange {
        /// Maven's `VersionRange.createFromVersionSpec`; the error is its
        /// `InvalidVersionSpecificationException` message.
        pub(super) fn parse(spec: &str) -> Result<VersionRange, String> {
            let mut restrictions: Vec<Restriction> = Vec::new();
            let mut process = spec;
            let mut upper_bound: Option<Version> = None;
            while process.starts_with('[') || process.starts_with('(') {
                let close_paren = process.find(')');
                let close_bracket = process.find(']');
                let index = match (close_paren, close_bracket) {
                    (Some(p), Some(b)) => p.min(b),
                    (p, b) => p.or(b).ok_or_else(|| format!("Unbounded range: {spec}"))?,
                };
                let restriction = parse_restriction(&process[..=index])?;
                if upper_bound.is_some() {
                    let overlaps = match (&restriction.lower, &upper_bound) {
                        (Some(lower), Some(upper)) => lower.compare(upper).is_lt(),
                        _ => true,
                    };
                    if overlaps {
                        return Err(format!("Ranges overlap: {spec}"));
                    }
                }
                upper_bound = restriction.upper.clone();
                restrictions.push(restriction);
                process = java_trim(&process[index + 1..]);
                if let Some(rest) = process.strip_prefix(',') {
                    process = java_trim(rest);
                }
            }
            let mut recommended = None;
            if !process.is_empty() {
                if !restrictions.is_empty() {
                    return Err(format!(
                        "Only fully-qualified sets allowed in multiple set scenario: {spec}"
                    ));
                }
                recommended = Some(Version::parse(process));
                restrictions.push(Restriction {
                    lower: None,
                    lower_inclusive: false,
                    upper: None,
                    upper_inclusive: false,
                });
            }
            Ok(VersionRange {
                recommended,
                restrictions,
            })
        }

        /// Whether the range is hard intervals rather than a soft version.
        pub(super) fn has_restrictions(&self) -> bool {
            !self.restrictions.is_empty() && self.recommended.is_none()
        }

        /// Whether `version` is in one of the intervals.
        pub(super) fn contains(&self, version: &str) -> bool {
            let version = Version::parse(version);
            self.restrictions.iter().any(|r| r.contains(&version))
        }
    }

    fn parse_restriction(spec: &str) -> Result<Restriction, String> {
        let lower_inclusive = spec.starts_with('[');
        let upper_inclusive = spec.ends_with(']');
        // `spec` is at least two ASCII characters: an opening and a closing bracket.
        let process = java_trim(
            spec.get(1..spec.len().saturating_sub(1))
                .unwrap_or_default(),
        );
        match process.find(',') {
            None => {
                if !lower_inclusive || !upper_inclusive {
                    return Err(format!("Single version must be surrounded by []: {spec}"));
                }
                let version = Version::parse(process);
                Ok(Restriction {
                    lower: Some(version.clone()),
                    lower_inclusive,
                    upper: Some(version),
                    upper_inclusive,
                })
            }
            Some(index) => {
                let lower = java_trim(&process[..index]);
                let upper = java_trim(&process[index + 1..]);
                let lower = (!lower.is_empty()).then(|| Version::parse(lower));
                let upper = (!upper.is_empty()).then(|| Version::parse(upper));
                if let (Some(l), Some(u)) = (&lower, &upper) {
                    let order = u.compare(l);
                    if order.is_lt() || (order.is_eq() && !(lower_inclusive && upper_inclusive)) {
                        return Err(format!("Range defies version ordering: {spec}"));
                    }
                }
                Ok(Restriction {
                    lower,
                    lower_inclusive,
                    upper,
                    upper_inclusive,
                })
            }
        }
    }

    impl fmt::Display for VersionRange {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            if let Some(version) = &self.recommended {
                return write!(f, "{version}");
            }
            for (i, r) in self.restrictions.iter().enumerate() {
                if i > 0 {
                    f.write_str(",")?;
                }
                write!(f, "{r}")?;
            }
            Ok(())
        }
    }

    /// Apache's `PluginUtils.connectorVersionRequirement`: no requirement for an absent value or
    /// `latest`; a soft version becomes the hard range `[version]`.
    pub(super) fn version_requirement(
        version: Option<&str>,
    ) -> Result<Option<VersionRange>, String> {
        let Some(version) = version.filter(|v| *v != "latest") else {
            return Ok(None);
        };
        let version = java_trim(version);
        let range = VersionRange::parse(version)?;
        if range.has_restrictions() {
            return Ok(Some(range));
        }
        VersionRange::parse(&format!("[{version}]")).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::maven::{version_requirement, Version};

    /// How a range prints and whether it contains 0.1.0 and 4.3.1, or Maven's error.
    type Expected = Result<(&'static str, bool, bool), &'static str>;

    /// Specs with what Apache's `PluginUtils.connectorVersionRequirement` (maven-artifact
    /// 3.9.15) answers for them.
    const RANGES: &[(&str, Expected)] = &[
        ("0.1.0", Ok(("[0.1.0,0.1.0]", true, false))),
        ("[0.1.0]", Ok(("[0.1.0,0.1.0]", true, false))),
        ("[0.1,1.0)", Ok(("[0.1,1.0)", true, false))),
        ("(0.1.0,)", Ok(("(0.1.0,)", false, true))),
        ("(,0.1.0]", Ok(("(,0.1.0]", true, false))),
        ("(,0.1.0)", Ok(("(,0.1.0)", false, false))),
        ("[0.2,)", Ok(("[0.2,)", false, true))),
        ("9.9", Ok(("[9.9,9.9]", false, false))),
        ("[9.9", Err("Unbounded range: [9.9")),
        ("[1.0,2.0", Err("Unbounded range: [1.0,2.0")),
        (
            "1.0]",
            Err("Only fully-qualified sets allowed in multiple set scenario: [1.0]]"),
        ),
        (
            "(1.0)",
            Err("Single version must be surrounded by []: (1.0)"),
        ),
        ("[1.0,1.0]", Ok(("[1.0,1.0]", false, false))),
        ("[1.0,1.0)", Err("Range defies version ordering: [1.0,1.0)")),
        ("[2.0,1.0]", Err("Range defies version ordering: [2.0,1.0]")),
        (
            "[1.0,2.0],[1.5,3.0]",
            Err("Ranges overlap: [1.0,2.0],[1.5,3.0]"),
        ),
        (
            "[1.0,2.0],[3.0,4.0]",
            Ok(("[1.0,2.0],[3.0,4.0]", false, false)),
        ),
        (
            "[1.0,2.0],3.0",
            Err("Only fully-qualified sets allowed in multiple set scenario: [1.0,2.0],3.0"),
        ),
        ("[,]", Ok(("[,]", true, true))),
        ("[]", Ok(("[,]", false, false))),
        ("", Ok(("[,]", false, false))),
        ("(,)", Ok(("(,)", true, true))),
        ("[ 0.1.0 , 0.2 ]", Ok(("[0.1.0,0.2]", true, false))),
        ("0.1", Ok(("[0.1,0.1]", true, false))),
        ("0.1.0.0", Ok(("[0.1.0.0,0.1.0.0]", true, false))),
        (
            "0.1-SNAPSHOT",
            Ok(("[0.1-SNAPSHOT,0.1-SNAPSHOT]", false, false)),
        ),
        ("[0.1.0-rc1,0.1.0]", Ok(("[0.1.0-rc1,0.1.0]", true, false))),
        (
            "(0.0.9,0.1.0-alpha)",
            Ok(("(0.0.9,0.1.0-alpha)", false, false)),
        ),
        (
            "[0.1.0],[0.2]",
            Ok(("[0.1.0,0.1.0],[0.2,0.2]", true, false)),
        ),
        (
            "[1.0,2.0)(3.0,4.0)",
            Ok(("[1.0,2.0),(3.0,4.0)", false, false)),
        ),
        (
            "[1.0,2.0),,[3.0,4.0)",
            Err("Only fully-qualified sets allowed in multiple set scenario: [1.0,2.0),,[3.0,4.0)"),
        ),
        ("[1.0,)[2.0,3.0]", Ok(("[1.0,),[2.0,3.0]", false, true))),
        ("[,1.0],[,2.0]", Err("Ranges overlap: [,1.0],[,2.0]")),
        ("(1.0,1.0]", Err("Range defies version ordering: (1.0,1.0]")),
        (")1.0(", Err("Single version must be surrounded by []: [)")),
    ];
    /// Versions, and for each how it compares to every one of them (`<`, `=`, `>`), as
    /// maven-artifact 3.9.15's `ComparableVersion` answers.
    const ORDER: &[(&str, &str)] = &[
        (
            "1",
            "=====<<<<<===>>>>>>>>>>>><<<<>>>><<><<<<<<<<>>>><<<>===<<<<<<<<<<=>",
        ),
        (
            "1.0",
            "=====<<<<<===>>>>>>>>>>>><<<<>>>><<><<<<<<<<>>>><<<>===<<<<<<<<<<=>",
        ),
        (
            "1.0.0",
            "=====<<<<<===>>>>>>>>>>>><<<<>>>><<><<<<<<<<>>>><<<>===<<<<<<<<<<=>",
        ),
        (
            "1-0",
            "=====<<<<<===>>>>>>>>>>>><<<<>>>><<><<<<<<<<>>>><<<>===<<<<<<<<<<=>",
        ),
        (
            "1.0-0",
            "=====<<<<<===>>>>>>>>>>>><<<<>>>><<><<<<<<<<>>>><<<>===<<<<<<<<<<=>",
        ),
        (
            "1.0.1",
            ">>>>>=<>>>>>>>>>>>>>>>>>>>>>>>>>><<><<<<<<<<>>>>=>>>>>>>>>>>>>>>>>>",
        ),
        (
            "1.1",
            ">>>>>>=>>>>>>>>>>>>>>>>>>>>>>>>>><<><<<<<<<<>>>>>>>>>>>>>>>>>>>>>>>",
        ),
        (
            "1-1",
            ">>>>><<==>>>>>>>>>>>>>>>>>>><>>>><<><<<<<<<<>>>><>=>>>>>>>>>>>>>>>>",
        ),
        (
            "1.0-1",
            ">>>>><<==>>>>>>>>>>>>>>>>>>><>>>><<><<<<<<<<>>>><>=>>>>>>>>>>>>>>>>",
        ),
        (
            "1-sp",
            ">>>>><<<<=>>>>>>>>>>>>>>><<<<>>>><<><<<<<<<<>>>><<<>>>><<<<<<<<=<><",
        ),
        (
            "1-ga",
            "=====<<<<<===>>>>>>>>>>>><<<<>>>><<><<<<<<<<>>>><<<>===<<<<<<<<<<=>",
        ),
        (
            "1-final",
            "=====<<<<<===>>>>>>>>>>>><<<<>>>><<><<<<<<<<>>>><<<>===<<<<<<<<<<=>",
        ),
        (
            "1-release",
            "=====<<<<<===>>>>>>>>>>>><<<<>>>><<><<<<<<<<>>>><<<>===<<<<<<<<<<=>",
        ),
        (
            "1-rc",
            "<<<<<<<<<<<<<=<<<>>>>><<<<<<<<<<<<<><<<<<<<<>>>><<<><<<<<<<<<<<<<<<",
        ),
        (
            "1-cr1",
            "<<<<<<<<<<<<<>===>>>>><<<<<<<==<<<<><<<<<<<<>>>><<<><<<<<<<<<<<<<<<",
        ),
        (
            "1-rc1",
            "<<<<<<<<<<<<<>===>>>>><<<<<<<==<<<<><<<<<<<<>>>><<<><<<<<<<<<<<<<<<",
        ),
        (
            "1.0-rc1",
            "<<<<<<<<<<<<<>===>>>>><<<<<<<==<<<<><<<<<<<<>>>><<<><<<<<<<<<<<<<<<",
        ),
        (
            "1-alpha",
            "<<<<<<<<<<<<<<<<<=<<<<<<<<<<<<<<<<<><<<<<<<<<<>><<<><<<<<<<<<<<<<<<",
        ),
        (
            "1a1",
            "<<<<<<<<<<<<<<<<<>==<<<<<<<<<<<<<<<><<<<<<<<=<>><<<><<<<<<<<<<<<<<<",
        ),
        (
            "1-a1",
            "<<<<<<<<<<<<<<<<<>==<<<<<<<<<<<<<<<><<<<<<<<=<>><<<><<<<<<<<<<<<<<<",
        ),
        (
            "1-b2",
            "<<<<<<<<<<<<<<<<<>>>=<<<<<<<<<<<<<<><<<<<<<<>>>><<<><<<<<<<<<<<<<<<",
        ),
        (
            "1-m3",
            "<<<<<<<<<<<<<<<<<>>>>=<<<<<<<<<<<<<><<<<<<<<>>>><<<><<<<<<<<<<<<<<<",
        ),
        (
            "1-snapshot",
            "<<<<<<<<<<<<<>>>>>>>>>===<<<<>>>><<><<<<<<<<>>>><<<><<<<<<<<<<<<<<<",
        ),
        (
            "1-SNAPSHOT",
            "<<<<<<<<<<<<<>>>>>>>>>===<<<<>>>><<><<<<<<<<>>>><<<><<<<<<<<<<<<<<<",
        ),
        (
            "1.0.0-SNAPSHOT",
            "<<<<<<<<<<<<<>>>>>>>>>===<<<<>>>><<><<<<<<<<>>>><<<><<<<<<<<<<<<<<<",
        ),
        (
            "1-xyz",
            ">>>>><<<<>>>>>>>>>>>>>>>>=>=<>>>><<><<<<<<<<>>>><<<>>>>>>>>>><<>>><",
        ),
        (
            "1-abc",
            ">>>>><<<<>>>>>>>>>>>>>>>><=<<>>>><<><<<<<<<<>>>><<<>>>><<<>>><<>>><",
        ),
        (
            "1.xyz",
            ">>>>><<<<>>>>>>>>>>>>>>>>=>=<>>>><<><<<<<<<<>>>><<<>>>>>>>>>><<>>><",
        ),
        (
            "1-1.1",
            ">>>>><<>>>>>>>>>>>>>>>>>>>>>=>>>><<><<<<<<<<>>>><>>>>>>>>>>>>>>>>>>",
        ),
        (
            "1.0.0.RC1",
            "<<<<<<<<<<<<<>===>>>>><<<<<<<==<<<<><<<<<<<<>>>><<<><<<<<<<<<<<<<<<",
        ),
        (
            "1.0.0-RC1",
            "<<<<<<<<<<<<<>===>>>>><<<<<<<==<<<<><<<<<<<<>>>><<<><<<<<<<<<<<<<<<",
        ),
        (
            "1.0.RC2",
            "<<<<<<<<<<<<<>>>>>>>>><<<<<<<>>=<<<><<<<<<<<>>>><<<><<<<<<<<<<<<<<<",
        ),
        (
            "1.0-RC3",
            "<<<<<<<<<<<<<>>>>>>>>><<<<<<<>>>=<<><<<<<<<<>>>><<<><<<<<<<<<<<<<<<",
        ),
        (
            "01.2",
            ">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>==><<<<<<<<>>>>>>>>>>>>>>>>>>>>>>>",
        ),
        (
            "1.02",
            ">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>==><<<<<<<<>>>>>>>>>>>>>>>>>>>>>>>",
        ),
        (
            "0.1.0",
            "<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<=<<<<<<<<<<>><<<><<<<<<<<<<<<<<<",
        ),
        (
            "4.3.1",
            ">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>=<<<<<>>>>>>>>>>>>>>>>>>>>>>>>>",
        ),
        (
            "10",
            ">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>=><<<>>>>>>>>>>>>>>>>>>>>>>>>>",
        ),
        (
            "9",
            ">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>><=<<<>>>>>>>>>>>>>>>>>>>>>>>>>",
        ),
        (
            "1234567890",
            ">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>=<<>>>>>>>>>>>>>>>>>>>>>>>>>",
        ),
        (
            "12345678901234567890",
            ">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>=<>>>>>>>>>>>>>>>>>>>>>>>>>",
        ),
        (
            "12345678901234567891",
            ">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>=>>>>>>>>>>>>>>>>>>>>>>>>>",
        ),
        (
            "2.0-beta",
            ">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>><<<<<<==>>>>>>>>>>>>>>>>>>>>>>>",
        ),
        (
            "2.0-Beta",
            ">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>><<<<<<==>>>>>>>>>>>>>>>>>>>>>>>",
        ),
        (
            "1.0-alpha-1",
            "<<<<<<<<<<<<<<<<<>==<<<<<<<<<<<<<<<><<<<<<<<=<>><<<><<<<<<<<<<<<<<<",
        ),
        (
            "1.0-alpha.1",
            "<<<<<<<<<<<<<<<<<>>><<<<<<<<<<<<<<<><<<<<<<<>=>><<<><<<<<<<<<<<<<<<",
        ),
        (
            "",
            "<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<=<<<<<<<<<<<<<<<<<<<<",
        ),
        (
            "a",
            "<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<>=<<<<<<<<<<<<<<<<<<<",
        ),
        (
            "1..1",
            ">>>>>=<>>>>>>>>>>>>>>>>>>>>>>>>>><<><<<<<<<<>>>>=>>>>>>>>>>>>>>>>>>",
        ),
        (
            "1--1",
            ">>>>><<<<>>>>>>>>>>>>>>>>>>><>>>><<><<<<<<<<>>>><=<>>>>>>>>>><<>>>>",
        ),
        (
            "1.-1",
            ">>>>><<==>>>>>>>>>>>>>>>>>>><>>>><<><<<<<<<<>>>><>=>>>>>>>>>>>>>>>>",
        ),
        (
            "-1",
            "<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<>><<<=<<<<<<<<<<<<<<<",
        ),
        (
            "1-",
            "=====<<<<<===>>>>>>>>>>>><<<<>>>><<><<<<<<<<>>>><<<>===<<<<<<<<<<=>",
        ),
        (
            "1.",
            "=====<<<<<===>>>>>>>>>>>><<<<>>>><<><<<<<<<<>>>><<<>===<<<<<<<<<<=>",
        ),
        (
            "1.0.0-",
            "=====<<<<<===>>>>>>>>>>>><<<<>>>><<><<<<<<<<>>>><<<>===<<<<<<<<<<=>",
        ),
        (
            "1x",
            ">>>>><<<<>>>>>>>>>>>>>>>><><<>>>><<><<<<<<<<>>>><<<>>>>=<<>>><<>>><",
        ),
        (
            "1-x1",
            ">>>>><<<<>>>>>>>>>>>>>>>><><<>>>><<><<<<<<<<>>>><<<>>>>>==>>><<>>><",
        ),
        (
            "1.x1",
            ">>>>><<<<>>>>>>>>>>>>>>>><><<>>>><<><<<<<<<<>>>><<<>>>>>==>>><<>>><",
        ),
        (
            "1.0a",
            ">>>>><<<<>>>>>>>>>>>>>>>><<<<>>>><<><<<<<<<<>>>><<<>>>><<<===<<>>><",
        ),
        (
            "1.0-a",
            ">>>>><<<<>>>>>>>>>>>>>>>><<<<>>>><<><<<<<<<<>>>><<<>>>><<<===<<>>><",
        ),
        (
            "1.0.a",
            ">>>>><<<<>>>>>>>>>>>>>>>><<<<>>>><<><<<<<<<<>>>><<<>>>><<<===<<>>><",
        ),
        (
            "1-0.1",
            ">>>>><<<<>>>>>>>>>>>>>>>>>>><>>>><<><<<<<<<<>>>><><>>>>>>>>>>==>>>>",
        ),
        (
            "1-.1",
            ">>>>><<<<>>>>>>>>>>>>>>>>>>><>>>><<><<<<<<<<>>>><><>>>>>>>>>>==>>>>",
        ),
        (
            "1.sp",
            ">>>>><<<<=>>>>>>>>>>>>>>><<<<>>>><<><<<<<<<<>>>><<<>>>><<<<<<<<=<><",
        ),
        (
            "1-sp.1",
            ">>>>><<<<>>>>>>>>>>>>>>>><<<<>>>><<><<<<<<<<>>>><<<>>>><<<<<<<<>=><",
        ),
        (
            "1.ga",
            "=====<<<<<===>>>>>>>>>>>><<<<>>>><<><<<<<<<<>>>><<<>===<<<<<<<<<<=>",
        ),
        (
            "1-0-rc",
            "<<<<<<<<<><<<>>>>>>>>>>>>>>><>>>><<><<<<<<<<>>>><<<><<<>>>>>><<>><=",
        ),
    ];

    #[test]
    fn version_ranges_parse_match_and_print_as_apache() {
        for (spec, expected) in RANGES {
            let got = version_requirement(Some(spec)).map(|r| {
                let r = r.expect("not latest");
                (r.to_string(), r.contains("0.1.0"), r.contains("4.3.1"))
            });
            let expected = expected
                .map(|(p, a, b)| (p.to_owned(), a, b))
                .map_err(str::to_owned);
            assert_eq!(got, expected, "spec {spec:?}");
        }
        assert!(version_requirement(None).unwrap().is_none());
        assert!(version_requirement(Some("latest")).unwrap().is_none());
    }

    #[test]
    fn versions_order_as_maven() {
        for (a, row) in ORDER {
            let got: String = ORDER
                .iter()
                .map(
                    |(b, _)| match Version::parse(a).compare(&Version::parse(b)) {
                        std::cmp::Ordering::Less => '<',
                        std::cmp::Ordering::Equal => '=',
                        std::cmp::Ordering::Greater => '>',
                    },
                )
                .collect();
            assert_eq!(&got, row, "{a:?} against each of the others");
        }
    }
}
