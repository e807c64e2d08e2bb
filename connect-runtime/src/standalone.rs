//! `connect-standalone`: one worker, connectors from the command line and REST, offsets in a
//! local file (Apache's `ConnectStandalone`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context as _};
use connect_api::plugin::PluginRegistry;

use crate::config::{load_properties, WorkerConfig};
use crate::herder::{Herder, StandaloneHerder};
use crate::kafka::{admin, admin_props};
use crate::storage::{FileOffsetBackingStore, MemoryOffsetBackingStore, OffsetBackingStore};
use crate::worker::{TargetState, Worker};

/// Exit code for a bad command line.
pub const EXIT_USAGE: i32 = 1;
/// Exit code for a startup or configuration error.
pub const EXIT_STARTUP: i32 = 2;
/// Exit code for a connector given on the command line that could not be created.
pub const EXIT_CONNECTOR: i32 = 3;

/// A connector configuration read from a file given on the command line.
#[derive(Debug)]
pub struct ConnectorFile {
    /// The connector name.
    pub name: String,
    /// Its configuration.
    pub config: HashMap<String, String>,
    /// The requested initial state.
    pub initial_state: Option<TargetState>,
}

/// Reads a connector file the way Apache does, trying in order: a JSON object of strings
/// (the config), a JSON create request (`{"name", "config", "initial_state"}`), a properties
/// file.
pub fn read_connector_file(path: &Path) -> anyhow::Result<ConnectorFile> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("could not read {}", path.display()))?;
    let missing_name = || {
        anyhow!(
            "Connector configuration at '{}' is missing the mandatory 'name' configuration",
            path.display()
        )
    };
    if let Ok(config) = serde_json::from_str::<HashMap<String, String>>(&text) {
        let name = config.get("name").cloned().ok_or_else(missing_name)?;
        return Ok(ConnectorFile {
            name,
            config,
            initial_state: None,
        });
    }
    #[derive(serde::Deserialize)]
    struct Request {
        name: String,
        config: HashMap<String, String>,
        initial_state: Option<String>,
    }
    if let Ok(req) = serde_json::from_str::<Request>(&text) {
        let mut config = req.config;
        if let Some(n) = config.get("name") {
            if n != &req.name {
                return Err(anyhow!(
                    "Connector name configuration in 'config' doesn't match the one specified in 'name' at '{}'",
                    path.display()
                ));
            }
        }
        config.insert("name".into(), req.name.clone());
        let initial_state = match req.initial_state.map(|s| s.to_ascii_uppercase()).as_deref() {
            None => None,
            Some("RUNNING") => Some(TargetState::Started),
            Some("PAUSED") => Some(TargetState::Paused),
            Some("STOPPED") => Some(TargetState::Stopped),
            Some(other) => {
                return Err(anyhow!(
                    "Invalid initial state {other} in {}",
                    path.display()
                ))
            }
        };
        return Ok(ConnectorFile {
            name: req.name,
            config,
            initial_state,
        });
    }
    let config = crate::config::properties::parse_properties(text.as_bytes())
        .with_context(|| format!("could not parse {}", path.display()))?;
    let name = config.get("name").cloned().ok_or_else(missing_name)?;
    Ok(ConnectorFile {
        name,
        config,
        initial_state: None,
    })
}

/// A running standalone worker.
pub struct StandaloneWorker {
    /// The herder.
    pub herder: Arc<StandaloneHerder>,
    /// The REST addresses actually bound.
    pub rest_addresses: Vec<std::net::SocketAddr>,
    /// The `admin.listeners` addresses actually bound.
    pub rest_admin_addresses: Vec<std::net::SocketAddr>,
    servers: Vec<tokio::task::JoinHandle<()>>,
    shutdown: tokio_util::sync::CancellationToken,
}

impl StandaloneWorker {
    /// Starts a worker: offset store, cluster id, herder, REST server.
    pub async fn start(config: WorkerConfig) -> anyhow::Result<StandaloneWorker> {
        let started = Instant::now();
        tracing::info!("Kafka Connect worker initializing ...");
        crate::logging::log_build_info();
        let registry = Arc::new(PluginRegistry::linked());
        if !config.plugin_path.is_empty() {
            tracing::info!(
                "plugin.path is set to {:?}; plugins are linked into this binary, so only the built-in ones are loaded",
                config.plugin_path
            );
        }
        for p in registry.plugins() {
            tracing::info!(
                "Registered plugin {} ({}, version {})",
                p.class_name,
                p.kind().name(),
                p.version
            );
        }
        let offset_store: Arc<dyn OffsetBackingStore> = match &config.offset_storage_file {
            Some(path) => Arc::new(FileOffsetBackingStore::open(PathBuf::from(path))?),
            None => Arc::new(MemoryOffsetBackingStore::default()),
        };
        let admin = admin_props(&config, &HashMap::new(), "connect-cluster-id")?;
        let cluster_id = admin::cluster_id(&admin, Duration::from_secs(30)).await?;
        tracing::info!("Kafka cluster ID: {cluster_id}");

        let bound = crate::rest::server::BoundListeners::bind(&config).await?;
        let worker_id = bound.advertised(&config);
        let addresses = bound.addresses.clone();
        let admin_addresses = bound.admin_addresses.clone();
        let worker = Arc::new(Worker::new(config, registry, offset_store, worker_id));
        let herder = StandaloneHerder::new(worker, cluster_id);
        let shutdown = tokio_util::sync::CancellationToken::new();
        let servers = bound.serve(herder.clone() as Arc<dyn Herder>, &shutdown);
        // As Apache's, the REST server listens before the herder has started: `/health`
        // answers 503 until then.
        herder.start();
        tracing::info!(
            "Kafka Connect worker initialization took {}ms",
            started.elapsed().as_millis()
        );
        tracing::info!("Kafka Connect started; REST server listening on {addresses:?}");
        Ok(StandaloneWorker {
            herder,
            rest_addresses: addresses,
            rest_admin_addresses: admin_addresses,
            servers,
            shutdown,
        })
    }

    /// Creates a connector from a file given on the command line.
    pub async fn create_from_file(&self, path: &Path) -> anyhow::Result<()> {
        let file = read_connector_file(path)?;
        self.herder
            .put_connector_config(&file.name, file.config, false, file.initial_state)
            .await
            .map_err(|e| anyhow!("{e}"))?;
        Ok(())
    }

    /// Stops the REST server and every connector, flushing offsets.
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

/// The `connect-standalone` entry point; returns the process exit code. A custom worker
/// binary links its connector crates and calls this from `main`.
pub async fn main(args: Vec<String>) -> i32 {
    if args.is_empty() || args.iter().any(|a| a == "--help" || a == "-h") {
        eprintln!("Usage: connect-standalone worker.properties [connector1.properties connector2.json ...]");
        return EXIT_USAGE;
    }
    let worker_props = if args[0].is_empty() {
        HashMap::new()
    } else {
        match load_properties(Path::new(&args[0])) {
            Ok(p) => p,
            Err(e) => {
                tracing::error!("Stopping due to error: {e}");
                eprintln!("connect-standalone: {e}");
                return EXIT_STARTUP;
            }
        }
    };
    let config = match WorkerConfig::parse(worker_props, true) {
        Ok(c) => {
            if let Some(format) = c.log_format {
                crate::logging::set_format(format);
            }
            c
        }
        Err(e) => {
            tracing::error!("Stopping due to error: {e}");
            eprintln!(
                "connect-standalone: invalid worker configuration {}: {e}",
                args[0]
            );
            return EXIT_STARTUP;
        }
    };
    let worker = match StandaloneWorker::start(config).await {
        Ok(w) => w,
        Err(e) => {
            tracing::error!("Failed to start Connect: {e:#}");
            eprintln!("connect-standalone: failed to start: {e:#}");
            return EXIT_CONNECTOR;
        }
    };
    for path in &args[1..] {
        if let Err(e) = worker.create_from_file(Path::new(path)).await {
            tracing::error!("Failed to create connector for {path}: {e:#}");
            eprintln!("connect-standalone: failed to create connector for {path}: {e:#}");
            tracing::error!("Stopping after connector error");
            worker.stop().await;
            return EXIT_CONNECTOR;
        }
    }
    wait_for_signal().await;
    worker.stop().await;
    0
}

/// Waits for SIGTERM or Ctrl-C.
pub(crate) async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = match signal(SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
