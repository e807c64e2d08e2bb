//! Connector configuration validation with Apache's `ConfigInfos` result
//! (`AbstractHerder.validateConnectorConfig`): the framework keys of `ConnectorConfig`,
//! `SinkConnectorConfig` / `SourceConnectorConfig`, enriched with one group per transformation
//! and predicate alias, then the connector's own keys, the converters' keys and the client
//! overrides, each with Apache's groups, order, documentation and error texts.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use connect_api::config::{
    CaseInsensitiveValidString, ConfigDef, ConfigError, ConfigKey, ConfigType, ConfigValue,
    Importance, LambdaValidator, NonEmptyStringWithoutControlChars, ParsedValue, Range,
    Recommender, ValidString, Validator, Width,
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

fn class_validator(
    registry: Arc<PluginRegistry>,
    kinds: &'static [PluginKind],
    not_a: &'static str,
) -> impl Validator + 'static {
    LambdaValidator::with(
        move |name: &str, value: Option<&ParsedValue>| {
            let Some(class) = value.and_then(ParsedValue::as_str) else {
                return Ok(());
            };
            match registry.find(class, kinds) {
                Ok(_) => Ok(()),
                Err(connect_api::plugin::LookupError::WrongKind { .. }) => {
                    Err(ConfigError::invalid(name, Some(class), not_a))
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

/// Apache's `ConnectorConfig.configDef()` (plus `tasks.max.enforce`, KIP-1004).
fn connector_config_def(registry: &Arc<PluginRegistry>) -> ConfigDef {
    const CONVERTER: &[PluginKind] = &[PluginKind::Converter];
    const HEADER_CONVERTER: &[PluginKind] = &[PluginKind::HeaderConverter];
    ConfigDef::new()
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
            ConfigKey::new("connector.class", ConfigType::String)
                .importance(Importance::High)
                .doc("Name or alias of the class for this connector. Must be a subclass of org.apache.kafka.connect.connector.Connector. If the connector is org.apache.kafka.connect.file.FileStreamSinkConnector, you can either specify this full name,  or use \"FileStreamSink\" or \"FileStreamSinkConnector\" to make the configuration a bit shorter")
                .group(COMMON_GROUP)
                .order_in_group(2)
                .width(Width::Long)
                .display_name("Connector class"),
        )
        .define(
            ConfigKey::new("tasks.max", ConfigType::Int)
                .default_value(1)
                .validator(Range::at_least(1))
                .importance(Importance::High)
                .doc("Maximum number of tasks to use for this connector.")
                .group(COMMON_GROUP)
                .order_in_group(3)
                .width(Width::Short)
                .display_name("Tasks max"),
        )
        .define(
            ConfigKey::new("tasks.max.enforce", ConfigType::Boolean)
                .default_value(true)
                .importance(Importance::Low)
                .doc("(Deprecated) Whether to enforce that the tasks.max property is respected by the connector. By default, connectors that generate too many tasks will fail, and existing sets of tasks that exceed the tasks.max property will also be failed. If this property is set to false, then connectors will be allowed to generate more than the maximum number of tasks, and existing sets of tasks that exceed the tasks.max property will be allowed to run. This property is deprecated and will be removed in an upcoming major release.")
                .group(COMMON_GROUP)
                .order_in_group(4)
                .width(Width::Short)
                .display_name("Enforce tasks max"),
        )
        .define(
            ConfigKey::new("key.converter", ConfigType::Class)
                .default_null()
                .validator(class_validator(registry.clone(), CONVERTER, "Not a Converter"))
                .importance(Importance::Low)
                .doc("Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the keys in messages written to or read from Kafka, and since this is independent of connectors it allows any connector to work with any serialization format. Examples of common formats include JSON and Avro.")
                .group(COMMON_GROUP)
                .order_in_group(5)
                .width(Width::Short)
                .display_name("Key converter class"),
        )
        .define(
            ConfigKey::new("value.converter", ConfigType::Class)
                .default_null()
                .validator(class_validator(registry.clone(), CONVERTER, "Not a Converter"))
                .importance(Importance::Low)
                .doc("Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the values in messages written to or read from Kafka, and since this is independent of connectors it allows any connector to work with any serialization format. Examples of common formats include JSON and Avro.")
                .group(COMMON_GROUP)
                .order_in_group(6)
                .width(Width::Short)
                .display_name("Value converter class"),
        )
        .define(
            ConfigKey::new("header.converter", ConfigType::Class)
                .default_null()
                .validator(class_validator(registry.clone(), HEADER_CONVERTER, "Not a HeaderConverter"))
                .importance(Importance::Low)
                .doc("HeaderConverter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the header values in messages written to or read from Kafka, and since this is independent of connectors it allows any connector to work with any serialization format. Examples of common formats include JSON and Avro. By default, the value will be inherited from the <a href=\"https://kafka.apache.org/documentation/#header.converter\">Connect config</a>.")
                .group(COMMON_GROUP)
                .order_in_group(7)
                .width(Width::Short)
                .display_name("Header converter class"),
        )
        .define(
            ConfigKey::new("transforms", ConfigType::List)
                .default_value(Vec::<String>::new())
                .validator(unique_aliases("transformation"))
                .importance(Importance::Low)
                .doc("Aliases for the transformations to be applied to records.")
                .group(TRANSFORMS_GROUP)
                .order_in_group(8)
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
                .order_in_group(9)
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
                .order_in_group(10)
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
                .doc("Whether to the include in the log the Connect record that resulted in a failure. For sink records, the topic, partition, offset, and timestamp will be logged. For source records, the key and value (and their schemas), all headers, and the timestamp, Kafka topic, Kafka partition, source partition, and source offset will be logged. This is 'false' by default, which will prevent record keys, values, and headers from being written to log files.")
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

/// Apache's `SinkConnectorConfig.configDef()`.
fn sink_config_def(registry: &Arc<PluginRegistry>) -> ConfigDef {
    connector_config_def(registry)
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

/// Apache's `SourceConnectorConfig.configDef()`.
fn source_config_def(registry: &Arc<PluginRegistry>) -> ConfigDef {
    connector_config_def(registry)
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

/// Adds one group per transformation / predicate alias (Apache's `ConnectorConfig.enrich`).
fn enrich(mut def: ConfigDef, props: &NullableProps, registry: &Arc<PluginRegistry>) -> ConfigDef {
    for (config, group_base, kind, kind_name) in [
        (
            "transforms",
            TRANSFORMS_GROUP,
            PluginKind::Transformation,
            "Transformation",
        ),
        (
            "predicates",
            PREDICATES_GROUP,
            PluginKind::Predicate,
            "Predicate",
        ),
    ] {
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
            let reg = registry.clone();
            let negate_key = format!("{prefix}negate");
            let predicate_key = format!("{prefix}predicate");
            let has_negate = props.contains_key(&negate_key);
            let has_predicate = props.contains_key(&predicate_key);
            let is_transform = kind == PluginKind::Transformation;
            let not_a = format!("Not a {kind_name}");
            let validator = LambdaValidator::with(
                move |name: &str, value: Option<&ParsedValue>| {
                    if is_transform && has_negate && !has_predicate {
                        return Err(ConfigError::other(
                            Some(name),
                            format!("Config '{negate_key}' was provided but there is no config '{predicate_key}' defining a predicate to be negated."),
                        ));
                    }
                    let Some(class) = value.and_then(ParsedValue::as_str) else {
                        return Err(ConfigError::invalid(name, None, not_a.clone()));
                    };
                    match reg.find(class, &[kind]) {
                        Ok(_) => Ok(()),
                        Err(connect_api::plugin::LookupError::WrongKind { .. }) => {
                            Err(ConfigError::invalid(name, Some(class), not_a.clone()))
                        }
                        Err(e) => Err(ConfigError::invalid(name, Some(class), e.to_string())),
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
            let Some(class) = prop(props, &type_key) else {
                continue;
            };
            let Ok(desc) = registry.find(class, &[kind]) else {
                continue;
            };
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
            if let Ok(d) = def.clone().embed(&prefix, &group, 1, &child) {
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
                "PluginDesc{{klass=class {}, name='{}', version='{}', type={}}}",
                p.class_name,
                p.class_name,
                p.version,
                p.kind().name()
            )
        })
        .collect();
    format!(
        "Failed to find any class that implements Connector and which name matches {class}{hint}, available connectors are: {}",
        available.join(", ")
    )
}

/// Validates a connector configuration (Apache's `AbstractHerder.validateConnectorConfig`).
/// Fails only when there is no usable `connector.class`; every other problem is an error in the
/// returned `ConfigInfos`.
pub(crate) fn validate_connector_config(
    worker: &Worker,
    props: &NullableProps,
) -> Result<Validation, HerderError> {
    let registry = &worker.registry;
    let Some(class) = prop(props, "connector.class")
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
    let is_sink = desc.kind() == PluginKind::Sink;
    let base = if is_sink {
        sink_config_def(registry)
    } else {
        source_config_def(registry)
    };
    let def = enrich(base, props, registry);
    let mut values = def.validate_all(props);
    if is_sink {
        validate_sink(props, &mut values);
    }
    let mut nulls: Vec<&String> = props
        .iter()
        .filter(|(_, v)| v.is_none())
        .map(|(k, _)| k)
        .collect();
    nulls.sort();
    for key in nulls {
        add_error(&mut values, key, NULL_VALUE_MESSAGE);
    }
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

    let mut secret_keys: HashSet<String> = keys
        .values()
        .filter(|k| k.config_type.is_sensitive())
        .map(|k| k.name.clone())
        .collect();

    // Apache's generateResult: undefined values first, then every defined key.
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
    for (name, key) in &keys {
        let value = by_name.get(name).map(|v| {
            error_count += v.error_messages.len();
            v.to_info()
        });
        configs.push(ConfigInfo {
            definition: Some(key.to_info()),
            value,
        });
    }

    // Converters named in the connector config: validate their own keys.
    for (role, kind) in [
        ("header", PluginKind::HeaderConverter),
        ("key", PluginKind::Converter),
        ("value", PluginKind::Converter),
    ] {
        let key = format!("{role}.converter");
        let Some(class) = prop(props, &key) else {
            continue;
        };
        let Some(converter) = registry.find(class, &[kind]).ok() else {
            continue;
        };
        let converter_def = plugin_config_def(converter);
        let prefix = format!("{key}.");
        let mut sub: NullableProps = props
            .iter()
            .filter_map(|(k, v)| k.strip_prefix(&prefix).map(|s| (s.to_owned(), v.clone())))
            .collect();
        sub.insert("converter.type".to_owned(), Some(role.to_owned()));
        let results = converter_def.validate(&sub);
        secret_keys.extend(
            converter_def
                .keys()
                .filter(|k| k.config_type.is_sensitive())
                .map(|k| format!("{prefix}{}", k.name)),
        );
        let (errors, g, c) = prefixed_infos(Some(&converter_def), results, &prefix);
        error_count += errors;
        for g in g {
            if !groups.contains(&g) {
                groups.push(g);
            }
        }
        configs.extend(c);
    }

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
    for k in props.keys() {
        if looks_secret(k) {
            secret_keys.insert(k.clone());
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
