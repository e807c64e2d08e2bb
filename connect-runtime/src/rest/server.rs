//! The REST server's listeners: bound before the herder exists (its advertised address goes
//! into statuses and group metadata), served once it does. `http://` listeners are served by
//! axum directly, `https://` ones through rustls; `admin.listeners` get `/admin` alone.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, Context as _};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::service::TowerToHyperService;
use tokio_util::sync::CancellationToken;

use super::security::Scope;
use crate::config::rest_security::{split_listener, Scheme};
use crate::config::WorkerConfig;
use crate::herder::Herder;

/// How long a client may take over its TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

struct Bound {
    listener: tokio::net::TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    scope: Scope,
}

/// Listeners bound to the worker's `listeners` and `admin.listeners`, not yet serving.
pub struct BoundListeners {
    listeners: Vec<Bound>,
    /// The addresses of `listeners` actually bound (port 0 resolved).
    pub addresses: Vec<SocketAddr>,
    /// The addresses of `admin.listeners` actually bound.
    pub admin_addresses: Vec<SocketAddr>,
    /// The scheme of the first of `listeners`, which other workers are given.
    scheme: Scheme,
    config: WorkerConfig,
}

impl BoundListeners {
    /// Binds every listener of the configuration; an HTTPS listener whose keystore cannot be
    /// loaded is an error naming it.
    pub async fn bind(config: &WorkerConfig) -> anyhow::Result<BoundListeners> {
        let security = &config.rest_security;
        let main_scope = if security.admin_listeners.is_some() {
            Scope::Api
        } else {
            Scope::All
        };
        let mut wanted: Vec<(&String, Scope)> =
            config.listeners.iter().map(|l| (l, main_scope)).collect();
        wanted.extend(
            security
                .admin_listeners
                .iter()
                .flatten()
                .map(|l| (l, Scope::Admin)),
        );
        let mut bound = BoundListeners {
            listeners: Vec::new(),
            addresses: Vec::new(),
            admin_addresses: Vec::new(),
            scheme: Scheme::Http,
            config: config.clone(),
        };
        for (i, (l, scope)) in wanted.into_iter().enumerate() {
            let (scheme, _) = split_listener(l).map_err(|e| anyhow!(e))?;
            let tls = match scheme {
                Scheme::Http => None,
                Scheme::Https => {
                    let settings = if scope == Scope::Admin {
                        security.admin_tls.as_ref()
                    } else {
                        security.tls.as_ref()
                    };
                    let settings =
                        settings.ok_or_else(|| anyhow!("no SSL settings for the listener {l}"))?;
                    let server = super::tls::server_config(settings)
                        .map_err(|e| anyhow!("HTTPS listener {l}: {e}"))?;
                    Some(tokio_rustls::TlsAcceptor::from(server))
                }
            };
            let addr = super::listener_address(l).map_err(|e| anyhow!(e))?;
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("could not bind the REST listener {l}"))?;
            let local = listener.local_addr()?;
            if scope == Scope::Admin {
                tracing::info!("REST admin endpoints at {l} ({local})");
                bound.admin_addresses.push(local);
            } else {
                if i == 0 {
                    bound.scheme = scheme;
                }
                bound.addresses.push(local);
            }
            bound.listeners.push(Bound {
                listener,
                tls,
                scope,
            });
        }
        Ok(bound)
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

    /// The URL other workers reach this one at: the advertised address with the scheme of
    /// `rest.advertised.listener`, else of the first listener.
    pub fn advertised_url(&self, config: &WorkerConfig) -> String {
        let scheme = match config
            .originals
            .get("rest.advertised.listener")
            .map(|s| s.trim().to_ascii_lowercase())
            .as_deref()
        {
            Some("https") => Scheme::Https,
            Some("http") => Scheme::Http,
            _ => self.scheme,
        };
        let scheme = match scheme {
            Scheme::Http => "http",
            Scheme::Https => "https",
        };
        format!("{scheme}://{}/", self.advertised(config))
    }

    /// Serves the REST API over `herder` until `shutdown`.
    pub fn serve(
        self,
        herder: Arc<dyn Herder>,
        shutdown: &CancellationToken,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        let client = forwarding_client(&self.config);
        let api = super::routes::router_with_client(herder, client);
        let security = self.config.rest_security.clone();
        self.listeners
            .into_iter()
            .map(|b| {
                let router = super::security::wrap(api.clone(), &security, b.scope);
                let token = shutdown.clone();
                match b.tls {
                    None => tokio::spawn(async move {
                        let serve = axum::serve(b.listener, router)
                            .with_graceful_shutdown(async move { token.cancelled().await });
                        if let Err(e) = serve.await {
                            tracing::error!("REST server failed: {e}");
                        }
                    }),
                    Some(acceptor) => tokio::spawn(serve_tls(b.listener, acceptor, router, token)),
                }
            })
            .collect()
    }
}

/// Accepts TLS connections until `shutdown`; each is served on a task of its own.
async fn serve_tls(
    listener: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    router: axum::Router,
    shutdown: CancellationToken,
) {
    loop {
        let accepted = tokio::select! {
            () = shutdown.cancelled() => return,
            a = listener.accept() => a,
        };
        let (tcp, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!("REST listener could not accept a connection: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let (acceptor, router, token) = (acceptor.clone(), router.clone(), shutdown.clone());
        tokio::spawn(async move {
            let tls = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                Ok(Ok(tls)) => tls,
                Ok(Err(e)) => {
                    tracing::debug!("TLS handshake with {peer} failed: {e}");
                    return;
                }
                Err(_) => {
                    tracing::debug!("TLS handshake with {peer} timed out");
                    return;
                }
            };
            let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
            let connection = builder.serve_connection_with_upgrades(
                TokioIo::new(tls),
                TowerToHyperService::new(router),
            );
            tokio::select! {
                served = connection => {
                    if let Err(e) = served {
                        tracing::debug!("REST connection from {peer} ended: {e}");
                    }
                }
                () = token.cancelled() => {}
            }
        });
    }
}

/// The client requests are forwarded to other workers with: it trusts the listeners'
/// truststore (and keystore chain, for a cluster sharing one self-signed certificate).
fn forwarding_client(config: &WorkerConfig) -> reqwest::Client {
    let mut builder = reqwest::Client::builder().use_rustls_tls();
    if let Some(tls) = &config.rest_security.tls {
        let mut certs = super::tls::trusted(tls).unwrap_or_default();
        if certs.is_empty() {
            if let Some(chain) = &tls.certificate_chain {
                certs = rustls_pki_types::pem::PemObject::pem_slice_iter(chain.as_bytes())
                    .filter_map(Result::ok)
                    .collect();
            }
        }
        for c in certs {
            if let Ok(cert) = reqwest::Certificate::from_der(&c) {
                builder = builder.add_root_certificate(cert);
            }
        }
    }
    builder.build().unwrap_or_else(|e| {
        tracing::warn!("Could not build the forwarding client with the truststore: {e}");
        reqwest::Client::new()
    })
}
