//! rustls configurations for HTTPS listeners, from Apache's keystore and truststore settings:
//! PEM files or inline PEM, and PKCS12 stores.

use std::sync::Arc;

use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::config::rest_security::{ClientAuth, TlsSettings};

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A PKCS12 store's entries.
fn pkcs12(
    path: &std::path::Path,
    password: Option<&str>,
) -> Result<p12_keystore::KeyStore, String> {
    let bytes = std::fs::read(path)
        .map_err(|e| format!("Could not read the keystore {}: {e}", path.display()))?;
    p12_keystore::KeyStore::from_pkcs12(&bytes, password.unwrap_or(""))
        .map_err(|e| format!("Could not open the PKCS12 store {}: {e}", path.display()))
}

/// The certificate chain and private key of the keystore.
fn identity(
    s: &TlsSettings,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), String> {
    if let (Some(key), Some(chain)) = (&s.key, &s.certificate_chain) {
        let certs = CertificateDer::pem_slice_iter(chain.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("ssl.keystore.certificate.chain: {e}"))?;
        let key = PrivateKeyDer::from_pem_slice(key.as_bytes())
            .map_err(|e| format!("ssl.keystore.key (an unencrypted PEM key is expected): {e}"))?;
        return Ok((certs, key));
    }
    let path = s
        .keystore_location
        .as_ref()
        .ok_or("ssl.keystore.location is not set")?;
    if s.keystore_type == "PKCS12" {
        let store = pkcs12(path, s.keystore_password.as_deref())?;
        let (_, chain) = store
            .private_key_chain()
            .ok_or_else(|| format!("The keystore {} holds no private key", path.display()))?;
        let certs = chain
            .chain()
            .iter()
            .map(|c| CertificateDer::from(c.as_der().to_vec()))
            .collect();
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(chain.key().to_vec()));
        return Ok((certs, key));
    }
    // PEM: the key and its chain in one file, as Apache's PEM keystores.
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("Could not read the keystore {}: {e}", path.display()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("The keystore {}: {e}", path.display()))?;
    let key = PrivateKeyDer::from_pem_file(path).map_err(|e| {
        format!(
            "The keystore {} has no unencrypted private key: {e}",
            path.display()
        )
    })?;
    if certs.is_empty() {
        return Err(format!(
            "The keystore {} has no certificate",
            path.display()
        ));
    }
    Ok((certs, key))
}

/// The trusted certificates, if a truststore is configured.
pub(super) fn trusted(s: &TlsSettings) -> Result<Vec<CertificateDer<'static>>, String> {
    if let Some(pem) = &s.truststore_certificates {
        return CertificateDer::pem_slice_iter(pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("ssl.truststore.certificates: {e}"));
    }
    let Some(path) = &s.truststore_location else {
        return Ok(Vec::new());
    };
    if s.truststore_type == "PKCS12" {
        let store = pkcs12(path, s.truststore_password.as_deref())?;
        return Ok(store
            .entries()
            .filter_map(|(_, entry)| match entry {
                p12_keystore::KeyStoreEntry::Certificate(c) => {
                    Some(CertificateDer::from(c.as_der().to_vec()))
                }
                p12_keystore::KeyStoreEntry::PrivateKeyChain(chain) => chain
                    .chain()
                    .last()
                    .map(|c| CertificateDer::from(c.as_der().to_vec())),
                _ => None,
            })
            .collect());
    }
    CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("Could not read the truststore {}: {e}", path.display()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("The truststore {}: {e}", path.display()))
}

/// The rustls server configuration of an HTTPS listener.
pub(super) fn server_config(s: &TlsSettings) -> Result<Arc<ServerConfig>, String> {
    let (certs, key) = identity(s)?;
    let builder = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    let builder = match s.client_auth {
        ClientAuth::None => builder.with_no_client_auth(),
        auth => {
            let mut roots = RootCertStore::empty();
            for c in trusted(s)? {
                roots
                    .add(c)
                    .map_err(|e| format!("A truststore certificate is invalid: {e}"))?;
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider());
            let verifier = if auth == ClientAuth::Requested {
                verifier.allow_unauthenticated()
            } else {
                verifier
            };
            builder.with_client_cert_verifier(verifier.build().map_err(|e| e.to_string())?)
        }
    };
    let mut config = builder
        .with_single_cert(certs, key)
        .map_err(|e| format!("The keystore's key does not match its certificate: {e}"))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
