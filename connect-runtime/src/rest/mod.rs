//! The REST API (Apache's `ConnectRestServer` and resources), served with axum on the
//! worker's `listeners`.

mod error;
mod forward;
pub mod loggers;
mod metrics;
mod routes;
mod security;
pub mod server;
mod tls;

pub use error::{ErrorMessage, RestError};
pub use loggers::install_log_control;
pub use routes::router;

use std::net::SocketAddr;

/// Turns a `listeners` entry (`http://:8083`, `https://0.0.0.0:8443`, `http://localhost:8083`)
/// into an address to bind; an empty host means every interface, as in Apache.
pub fn listener_address(listener: &str) -> Result<SocketAddr, String> {
    let (_, rest) = crate::config::rest_security::split_listener(listener)?;
    let (host, port) = rest
        .rsplit_once(':')
        .ok_or_else(|| format!("Listener {listener} has no port"))?;
    let port: u16 = port
        .trim_end_matches('/')
        .parse()
        .map_err(|_| format!("Listener {listener} has an invalid port"))?;
    let host = match host {
        "" | "0.0.0.0" => "0.0.0.0",
        "localhost" => "127.0.0.1",
        h => h.trim_start_matches('[').trim_end_matches(']'),
    };
    let ip: std::net::IpAddr = host
        .parse()
        .map_err(|_| format!("Listener {listener} has an invalid host"))?;
    Ok(SocketAddr::new(ip, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listeners() {
        assert_eq!(
            listener_address("http://:8083").unwrap().to_string(),
            "0.0.0.0:8083"
        );
        assert_eq!(
            listener_address("http://localhost:18083")
                .unwrap()
                .to_string(),
            "127.0.0.1:18083"
        );
        assert_eq!(
            listener_address("https://:8443").unwrap().to_string(),
            "0.0.0.0:8443"
        );
        assert!(listener_address("ftp://:8443").is_err());
    }
}
