//! The REST server's listeners: bound before the herder exists (its advertised address goes
//! into statuses and group metadata), served once it does.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{anyhow, Context as _};
use tokio_util::sync::CancellationToken;

use crate::config::WorkerConfig;
use crate::herder::Herder;

/// Listeners bound to the worker's `listeners`, not yet serving.
pub struct BoundListeners {
    listeners: Vec<tokio::net::TcpListener>,
    /// The addresses actually bound (port 0 resolved).
    pub addresses: Vec<SocketAddr>,
}

impl BoundListeners {
    /// Binds every listener of the configuration.
    pub async fn bind(config: &WorkerConfig) -> anyhow::Result<BoundListeners> {
        let mut addresses = Vec::new();
        let mut listeners = Vec::new();
        for l in &config.listeners {
            let addr = super::listener_address(l).map_err(|e| anyhow!(e))?;
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("could not bind the REST listener {l}"))?;
            addresses.push(listener.local_addr()?);
            listeners.push(listener);
        }
        Ok(BoundListeners {
            listeners,
            addresses,
        })
    }

    /// The advertised `host:port` (the worker id): `rest.advertised.host.name` /
    /// `rest.advertised.port`, else the first listener's address.
    pub fn advertised(&self, config: &WorkerConfig) -> String {
        let first = self.addresses.first().copied();
        let host = config
            .rest_advertised_host_name
            .clone()
            .unwrap_or_else(|| match first {
                Some(a) if !a.ip().is_unspecified() => a.ip().to_string(),
                _ => "localhost".to_owned(),
            });
        let port = config
            .rest_advertised_port
            .or(first.map(|a| a.port()))
            .unwrap_or(8083);
        format!("{host}:{port}")
    }

    /// Serves the REST API over `herder` until `shutdown`.
    pub fn serve(
        self,
        herder: Arc<dyn Herder>,
        shutdown: &CancellationToken,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        let router = super::router(herder);
        self.listeners
            .into_iter()
            .map(|listener| {
                let router = router.clone();
                let token = shutdown.clone();
                tokio::spawn(async move {
                    let serve = axum::serve(listener, router)
                        .with_graceful_shutdown(async move { token.cancelled().await });
                    if let Err(e) = serve.await {
                        tracing::error!("REST server failed: {e}");
                    }
                })
            })
            .collect()
    }
}
