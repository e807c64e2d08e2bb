//! The Kafka client settings a worker derives for each task (Apache's `Worker.baseProducerConfigs`,
//! `baseConsumerConfigs`, `adminConfigs`), layered: forced values, then the worker's
//! `producer.*` / `consumer.*` / `admin.*` properties, then the connector's
//! `producer.override.*` / `consumer.override.*` / `admin.override.*` under the override policy.
//!
//! One deliberate difference: Apache forces `enable.idempotence=false` with
//! `max.in.flight.requests.per.connection=1` to keep records in order. We use the idempotent
//! producer with up to 5 requests in flight instead, which gives the same per-partition
//! ordering and no-duplicate-on-retry guarantees at a much higher throughput. A user can still
//! set `producer.enable.idempotence=false` and `producer.max.in.flight.requests.per.connection=1`.

use std::collections::{BTreeMap, HashMap};

use connect_api::config::ConfigError;
use rdkafka::ClientConfig;

use crate::config::{with_prefix, ClientOverridePolicy, WorkerConfig};

/// Client settings as a sorted map (deterministic logs and tests), turned into an rdkafka
/// `ClientConfig` only when the client is created.
pub type ClientProps = BTreeMap<String, String>;

/// Settings librdkafka does not understand (Java client class names and the like); dropped
/// before the client is created so that Apache configs work unchanged.
const JAVA_ONLY_KEYS: &[&str] = &[
    "key.serializer",
    "value.serializer",
    "key.deserializer",
    "value.deserializer",
    "max.block.ms",
    "buffer.memory",
    "interceptor.classes",
    "metric.reporters",
    "metrics.sample.window.ms",
    "metrics.num.samples",
    "metrics.recording.level",
    "client.dns.lookup",
    "default.api.timeout.ms",
    "partitioner.class",
    "max.poll.records",
    "max.poll.interval.ms",
    "request.timeout.ms",
    "retry.backoff.max.ms",
    "exclude.internal.topics",
    "auto.include.jmx.reporter",
];

fn apply_overrides(
    base: &mut ClientProps,
    connector: &HashMap<String, String>,
    prefix: &str,
    policy: ClientOverridePolicy,
) -> Result<(), ConfigError> {
    for (k, v) in with_prefix(connector, prefix) {
        let allowed = match policy {
            ClientOverridePolicy::All => true,
            ClientOverridePolicy::None => false,
            ClientOverridePolicy::Principal => {
                matches!(
                    k.as_str(),
                    "sasl.jaas.config" | "sasl.mechanism" | "security.protocol"
                )
            }
        };
        if !allowed {
            let name = match policy {
                ClientOverridePolicy::All => "All",
                ClientOverridePolicy::None => "None",
                ClientOverridePolicy::Principal => "Principal",
            };
            return Err(ConfigError::other(
                Some(&format!("{prefix}{k}")),
                format!("The '{name}' policy does not allow '{k}' to be overridden in the connector configuration."),
            ));
        }
        base.insert(k, v);
    }
    Ok(())
}

/// Producer settings for a source task.
pub fn producer_props(
    worker: &WorkerConfig,
    connector: &HashMap<String, String>,
    connector_name: &str,
    task: usize,
) -> Result<ClientProps, ConfigError> {
    let mut p = ClientProps::new();
    p.insert("bootstrap.servers".into(), worker.bootstrap_servers.clone());
    p.insert("acks".into(), "all".into());
    p.insert("enable.idempotence".into(), "true".into());
    p.insert("max.in.flight.requests.per.connection".into(), "5".into());
    // Apache sets delivery.timeout.ms to Integer.MAX_VALUE: keep retrying rather than drop.
    p.insert("message.timeout.ms".into(), "2147483647".into());
    p.insert("linger.ms".into(), "5".into());
    p.insert(
        "client.id".into(),
        format!("connector-producer-{connector_name}-{task}"),
    );
    // For the client's own metrics on GET /metrics.
    p.insert(
        "statistics.interval.ms".into(),
        crate::metrics::client_stats::DEFAULT_STATISTICS_INTERVAL_MS.into(),
    );
    p.extend(worker.originals_with_prefix("producer."));
    apply_overrides(
        &mut p,
        connector,
        "producer.override.",
        worker.override_policy,
    )?;
    Ok(p)
}

/// The sink consumers' `session.timeout.ms` unless configured (Apache: 45000).
pub const SINK_SESSION_TIMEOUT_MS: &str = "8000";
/// The sink consumers' `heartbeat.interval.ms` unless configured (Apache: 3000), a quarter of
/// the session.
pub const SINK_HEARTBEAT_INTERVAL_MS: &str = "2000";

/// Consumer settings for a sink task.
pub fn consumer_props(
    worker: &WorkerConfig,
    connector: &HashMap<String, String>,
    connector_name: &str,
    task: usize,
) -> Result<ClientProps, ConfigError> {
    let mut p = ClientProps::new();
    p.insert("bootstrap.servers".into(), worker.bootstrap_servers.clone());
    p.insert("group.id".into(), format!("connect-{connector_name}"));
    p.insert(
        "client.id".into(),
        format!("connector-consumer-{connector_name}-{task}"),
    );
    p.insert(
        "statistics.interval.ms".into(),
        crate::metrics::client_stats::DEFAULT_STATISTICS_INTERVAL_MS.into(),
    );
    p.insert("enable.auto.commit".into(), "false".into());
    p.insert("auto.offset.reset".into(), "earliest".into());
    // librdkafka stops fetching a partition for this long whenever its local queue is above
    // `queued.min.messages` (default 1 s). A sink drains that queue in a fraction of the
    // time, then idles for the rest: the file grew in bursts with ~0.8 s stalls between
    // them. Java's consumer has no such pause.
    p.insert("fetch.queue.backoff.ms".into(), "5".into());
    // A worker killed and restarted rejoins its sinks' groups as a new member, and gets no
    // partitions until the broker gives up on its dead predecessor: after a session timeout
    // (45 s by default). Heartbeats come from librdkafka's own thread, never held up by the
    // task, so a short session is safe; 8 s lets a restarted worker resume within 10 s.
    p.insert("session.timeout.ms".into(), SINK_SESSION_TIMEOUT_MS.into());
    p.insert(
        "heartbeat.interval.ms".into(),
        SINK_HEARTBEAT_INTERVAL_MS.into(),
    );
    p.extend(worker.originals_with_prefix("consumer."));
    apply_overrides(
        &mut p,
        connector,
        "consumer.override.",
        worker.override_policy,
    )?;
    Ok(p)
}

/// Admin client settings.
pub fn admin_props(
    worker: &WorkerConfig,
    connector: &HashMap<String, String>,
    client_id: &str,
) -> Result<ClientProps, ConfigError> {
    let mut p = ClientProps::new();
    p.insert("bootstrap.servers".into(), worker.bootstrap_servers.clone());
    p.insert("client.id".into(), client_id.to_owned());
    // `admin.listeners` / `admin.listeners.https.*` are the REST server's, not the client's.
    p.extend(
        worker
            .originals_with_prefix("admin.")
            .into_iter()
            .filter(|(k, _)| k != "listeners" && !k.starts_with("listeners.")),
    );
    apply_overrides(&mut p, connector, "admin.override.", worker.override_policy)?;
    Ok(p)
}

/// Turns settings into an rdkafka `ClientConfig`, translating the Java client names
/// librdkafka spells differently and dropping the Java-only ones.
pub fn to_client_config(props: &ClientProps) -> ClientConfig {
    let mut c = ClientConfig::new();
    for (k, v) in props {
        if JAVA_ONLY_KEYS.contains(&k.as_str()) {
            continue;
        }
        let key = match k.as_str() {
            "delivery.timeout.ms" => "message.timeout.ms",
            other => other,
        };
        c.set(key, v);
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn worker(extra: &[(&str, &str)]) -> WorkerConfig {
        let mut props: HashMap<String, String> = [
            ("key.converter", "x"),
            ("value.converter", "x"),
            ("offset.storage.file.filename", "f"),
            ("bootstrap.servers", "127.0.0.1:9092"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        props.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        WorkerConfig::parse(props, true).unwrap()
    }

    #[test]
    fn layering_and_policy() {
        let w = worker(&[("producer.linger.ms", "20")]);
        let conn: HashMap<String, String> =
            [("producer.override.batch.size".to_owned(), "1000".to_owned())].into();
        let p = producer_props(&w, &conn, "src", 0).unwrap();
        assert_eq!(p["linger.ms"], "20");
        assert_eq!(p["batch.size"], "1000");
        assert_eq!(p["acks"], "all");
        assert_eq!(p["client.id"], "connector-producer-src-0");
        let c = consumer_props(&w, &HashMap::new(), "sink", 1).unwrap();
        assert_eq!(c["group.id"], "connect-sink");
        assert_eq!(c["enable.auto.commit"], "false");

        let w = worker(&[("connector.client.config.override.policy", "None")]);
        let err = producer_props(&w, &conn, "src", 0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "The 'None' policy does not allow 'batch.size' to be overridden in the connector configuration."
        );
    }
}
