//! `connect-distributed`: a worker of a cluster sharing connectors through a Connect group
//! and three internal topics (Apache's `ConnectDistributed`).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use connect_api::plugin::PluginRegistry;

use crate::config::{load_properties, DistributedConfig, WorkerConfig};
use crate::herder::{DistributedHerder, DistributedSettings, Herder};
use crate::kafka::{admin, admin_props, ClientProps};
use crate::rest::server::BoundListeners;
use crate::standalone::{wait_for_signal, EXIT_STARTUP, EXIT_USAGE};
use crate::storage::{KafkaConfigBackingStore, KafkaOffsetBackingStore, KafkaStatusBackingStore};
use crate::worker::Worker;

/// Settings of the internal topics' clients: the worker's top-level connection and security
/// settings (as Apache builds them), and Apache's forced values.
fn internal_client(config: &WorkerConfig, client_id: String, producer: bool) -> ClientProps {
    let mut p = ClientProps::new();
    for (k, v) in &config.originals {
        if k.starts_with("ssl.") || k.starts_with("sasl.") || k == "security.protocol" {
            p.insert(k.clone(), v.clone());
        }
    }
    p.insert("bootstrap.servers".into(), config.bootstrap_servers.clone());
    p.insert("client.id".into(), client_id);
    if producer {
        p.insert("enable.idempotence".into(), "false".into());
        p.insert("acks".into(), "all".into());
    }
    p
}

/// A running distributed worker.
pub struct DistributedWorker {
    /// The herder.
    pub herder: Arc<DistributedHerder>,
    /// The REST addresses actually bound.
    pub rest_addresses: Vec<std::net::SocketAddr>,
    servers: Vec<tokio::task::JoinHandle<()>>,
    shutdown: tokio_util::sync::CancellationToken,
}

impl DistributedWorker {
    /// Starts a worker: the internal topics (created or checked, then read to their ends),
    /// the REST server, and the herder, which joins the group.
    pub async fn start(config: DistributedConfig) -> anyhow::Result<DistributedWorker> {
        let started = Instant::now();
        tracing::info!("Kafka Connect distributed worker initializing ...");
        crate::logging::log_build_info();
        let registry = Arc::new(PluginRegistry::linked());
        let w = &config.worker;
        let base = format!(
            "{}-{}",
            config.group_id,
            if config.client_id.is_empty() {
                String::new()
            } else {
                format!("{}-", config.client_id)
            }
        );
        let admin = admin_props(w, &HashMap::new(), &format!("{base}shared-admin"))?;
        let cluster_id = admin::cluster_id(&admin, Duration::from_secs(30)).await?;
        tracing::info!("Kafka cluster ID: {cluster_id}");

        let bound = BoundListeners::bind(w).await?;
        let worker_id = bound.advertised(w);
        let url = bound.advertised_url(w);
        let client =
            |what: &str, producer: bool| internal_client(w, format!("{base}{what}"), producer);

        let offsets = KafkaOffsetBackingStore::open(
            &admin,
            &client("offsets", true),
            &client("offsets", false),
            &config.offset_topic,
            config.offset_partitions,
            config.offset_replication_factor,
        )
        .await
        .context("could not start the offset store")?;
        let status = KafkaStatusBackingStore::open(
            &admin,
            &client("statuses", true),
            &client("statuses", false),
            &config.status_topic,
            config.status_partitions,
            config.status_replication_factor,
            &worker_id,
        )
        .await
        .context("could not start the status store")?;
        let configs = KafkaConfigBackingStore::open(
            &admin,
            &client("configs", true),
            &client("configs", false),
            &config.config_topic,
            config.config_replication_factor,
        )
        .await
        .context("could not start the config store")?;

        let settings = DistributedSettings::new(&config, url.clone(), cluster_id);
        let worker = Arc::new(Worker::new(
            config.worker.clone(),
            registry,
            Arc::new(offsets),
            worker_id,
        ));
        let herder =
            DistributedHerder::start(worker, settings, Arc::new(configs), Arc::new(status))
                .await
                .context("could not join the group")?;
        let shutdown = tokio_util::sync::CancellationToken::new();
        let addresses = bound.addresses.clone();
        let servers = bound.serve(herder.clone() as Arc<dyn Herder>, &shutdown);
        tracing::info!(
            "Kafka Connect worker initialization took {}ms",
            started.elapsed().as_millis()
        );
        tracing::info!(
            "Kafka Connect started; REST server listening on {addresses:?}, advertised as {url}"
        );
        Ok(DistributedWorker {
            herder,
            rest_addresses: addresses,
            servers,
            shutdown,
        })
    }

    /// Stops the REST server and every connector, and leaves the group.
    pub async fn stop(self) {
        tracing::info!("Kafka Connect stopping");
        self.shutdown.cancel();
        for s in self.servers {
            let _ = s.await;
        }
        self.herder.stop().await;
        tracing::info!("Kafka Connect stopped");
    }
}

/// The `connect-distributed` entry point; returns the process exit code.
pub async fn main(args: Vec<String>) -> i32 {
    if args.len() != 1 || args.iter().any(|a| a == "--help" || a == "-h") {
        eprintln!("Usage: connect-distributed worker.properties");
        return EXIT_USAGE;
    }
    let props = match load_properties(Path::new(&args[0])) {
        Ok(p) => p,
        Err(e) => {
            tracing::error!("Stopping due to error: {e}");
            eprintln!("connect-distributed: {e}");
            return EXIT_STARTUP;
        }
    };
    let config = match DistributedConfig::parse(props) {
        Ok(c) => {
            if let Some(format) = c.worker.log_format {
                crate::logging::set_format(format);
            }
            c
        }
        Err(e) => {
            tracing::error!("Stopping due to error: {e}");
            eprintln!(
                "connect-distributed: invalid worker configuration {}: {e}",
                args[0]
            );
            return EXIT_STARTUP;
        }
    };
    let worker = match DistributedWorker::start(config).await {
        Ok(w) => w,
        Err(e) => {
            tracing::error!("Failed to start Connect: {e:#}");
            eprintln!("connect-distributed: failed to start: {e:#}");
            return EXIT_STARTUP;
        }
    };
    let herder = worker.herder.clone();
    tokio::select! {
        _ = wait_for_signal() => {
            worker.stop().await;
            0
        }
        why = herder.failed() => {
            eprintln!("connect-distributed: {why}");
            worker.stop().await;
            EXIT_STARTUP
        }
    }
}
