//! The REST server's security, as Apache's: an HTTPS listener with a PEM or PKCS12 keystore
//! (certificates generated here), HTTP basic authentication from a JAAS-named credentials file
//! with the internal endpoints let through, a CORS preflight answered for the allowed origin
//! only, configured response headers, and `admin.listeners` moving `/admin` to a listener of
//! its own. An in-process standalone worker against a tansu broker.

#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use std::path::Path;
use std::time::Duration;

use base64::Engine as _;

struct TestCert {
    cert_pem: String,
    cert_der: Vec<u8>,
    key_pem: String,
    key_der: Vec<u8>,
}

fn certificate() -> TestCert {
    let rcgen::CertifiedKey { cert, key_pair } =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .unwrap();
    TestCert {
        cert_pem: cert.pem(),
        cert_der: cert.der().to_vec(),
        key_pem: key_pair.serialize_pem(),
        key_der: key_pair.serialize_der(),
    }
}

fn client(trusting: Option<&TestCert>) -> reqwest::Client {
    let mut b = reqwest::Client::builder()
        .use_rustls_tls()
        .timeout(Duration::from_secs(10));
    if let Some(c) = trusting {
        b = b.add_root_certificate(reqwest::Certificate::from_der(&c.cert_der).unwrap());
    }
    b.build().unwrap()
}

fn basic(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_basic_auth_cors_headers_and_admin_listeners() {
    let broker = common::Broker::start();
    let dir = tempfile::tempdir().unwrap();
    let cert = certificate();
    let keystore = write(
        dir.path(),
        "keystore.pem",
        &format!("{}{}", cert.key_pem, cert.cert_pem),
    );
    let credentials = write(dir.path(), "credentials.properties", "alice=s3cret\n");
    let jaas = write(
        dir.path(),
        "connect.jaas",
        &format!(
            "KafkaConnect {{\n  org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule required\n  file=\"{credentials}\";\n}};\n"
        ),
    );
    let w = common::in_process_worker(
        &broker.bootstrap,
        dir.path(),
        &[
            ("listeners", "https://127.0.0.1:0"),
            ("admin.listeners", "http://127.0.0.1:0"),
            ("listeners.https.ssl.keystore.type", "PEM"),
            ("listeners.https.ssl.keystore.location", &keystore),
            (
                "rest.extension.classes",
                "org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension",
            ),
            ("rest.basic.auth.jaas.config.file", &jaas),
            ("access.control.allow.origin", "http://ui.example"),
            ("access.control.allow.methods", "GET,POST,PUT,DELETE"),
            (
                "response.http.headers.config",
                "set X-Frame-Options: DENY, setDate Expires: 60000",
            ),
        ],
    )
    .await;
    let main = format!("https://{}", w.rest_addresses[0]);
    let admin = format!("http://{}", w.rest_admin_addresses[0]);
    let trusting = client(Some(&cert));

    // HTTPS with the right credentials: served, with the configured headers.
    let r = trusting
        .get(format!("{main}/"))
        .header("Authorization", basic("alice", "s3cret"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    let expires = r.headers()["expires"].to_str().unwrap().to_owned();
    let at = httpdate::parse_http_date(&expires).unwrap();
    let ahead = at
        .duration_since(std::time::SystemTime::now())
        .unwrap_or_default();
    assert!(ahead > Duration::from_secs(50), "{expires}");
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(body["kafka_cluster_id"].is_string());

    // A client that does not trust the certificate cannot connect at all.
    assert!(client(None).get(format!("{main}/")).send().await.is_err());

    // No credentials, wrong ones, or an unknown user: 401 with Apache's body.
    for authorization in [
        None,
        Some(basic("alice", "wrong")),
        Some(basic("bob", "s3cret")),
    ] {
        let mut req = trusting.get(format!("{main}/connectors"));
        if let Some(a) = &authorization {
            req = req.header("Authorization", a);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 401, "{authorization:?}");
        assert_eq!(r.text().await.unwrap(), "User cannot access the resource.");
    }
    // The internal endpoints are not authenticated (they are signed between workers).
    let r = trusting
        .post(format!("{main}/connectors/any/tasks"))
        .header("Content-Type", "application/json")
        .body("[]")
        .send()
        .await
        .unwrap();
    assert_ne!(r.status(), 401);

    // A CORS preflight from the allowed origin is answered; from another, it is not allowed.
    let preflight = |origin: &str| {
        trusting
            .request(reqwest::Method::OPTIONS, format!("{main}/connectors"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "PUT")
            .send()
    };
    let r = preflight("http://ui.example").await.unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "http://ui.example"
    );
    let methods = r.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        methods.contains("PUT") && methods.contains("DELETE"),
        "{methods}"
    );
    let r = preflight("http://evil.example").await.unwrap();
    assert!(r.headers().get("access-control-allow-origin").is_none());

    // /admin lives on the admin listener only (which, as Apache's, has no authentication).
    let r = trusting
        .get(format!("{main}/admin/loggers"))
        .header("Authorization", basic("alice", "s3cret"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = reqwest::get(format!("{admin}/admin/loggers"))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let loggers: serde_json::Value = r.json().await.unwrap();
    assert!(loggers["root"]["level"].is_string());
    let r = reqwest::get(format!("{admin}/connectors")).await.unwrap();
    assert_eq!(r.status(), 404);
    w.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pkcs12_keystore_serves_https_and_admin_can_be_disabled() {
    let broker = common::Broker::start();
    let dir = tempfile::tempdir().unwrap();
    let cert = certificate();
    let chain = p12_keystore::PrivateKeyChain::new(
        cert.key_der.clone(),
        [1u8; 20],
        vec![p12_keystore::Certificate::from_der(&cert.cert_der).unwrap()],
    );
    let mut store = p12_keystore::KeyStore::new();
    store.add_entry(
        "connect",
        p12_keystore::KeyStoreEntry::PrivateKeyChain(chain),
    );
    let p12 = dir.path().join("keystore.p12");
    std::fs::write(&p12, store.writer("changeit").write().unwrap()).unwrap();
    let p12 = p12.display().to_string();
    // The worker's own ssl.* keys serve when no listeners.https.* key is set, as Apache's.
    let w = common::in_process_worker(
        &broker.bootstrap,
        dir.path(),
        &[
            ("listeners", "https://127.0.0.1:0"),
            ("admin.listeners", ""),
            ("ssl.keystore.type", "PKCS12"),
            ("ssl.keystore.location", &p12),
            ("ssl.keystore.password", "changeit"),
        ],
    )
    .await;
    let main = format!("https://{}", w.rest_addresses[0]);
    let trusting = client(Some(&cert));
    let r = trusting.get(format!("{main}/")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("access-control-allow-origin").is_none());
    let r = trusting
        .get(format!("{main}/admin/loggers"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(w.rest_admin_addresses.is_empty());
    w.stop().await;

    // A wrong keystore password stops the worker with an error naming the listener.
    let offsets = dir.path().join("wrong.offsets").display().to_string();
    let props: std::collections::HashMap<String, String> = [
        ("bootstrap.servers", broker.bootstrap.as_str()),
        ("listeners", "https://127.0.0.1:0"),
        ("ssl.keystore.type", "PKCS12"),
        ("ssl.keystore.location", p12.as_str()),
        ("ssl.keystore.password", "wrong"),
        ("offset.storage.file.filename", offsets.as_str()),
        (
            "key.converter",
            "org.apache.kafka.connect.storage.StringConverter",
        ),
        (
            "value.converter",
            "org.apache.kafka.connect.storage.StringConverter",
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let config = connect_runtime::config::WorkerConfig::parse(props, true).unwrap();
    let err = match connect_runtime::standalone::StandaloneWorker::start(config).await {
        Ok(_) => panic!("started with a wrong keystore password"),
        Err(e) => format!("{e:#}"),
    };
    assert!(err.contains("HTTPS listener https://127.0.0.1:0"), "{err}");

    // A JKS keystore is refused with the way out.
    let props: std::collections::HashMap<String, String> = [
        ("listeners", "https://127.0.0.1:0"),
        ("ssl.keystore.location", "/etc/connect/keystore.jks"),
        ("offset.storage.file.filename", offsets.as_str()),
        ("value.converter", "x"),
        ("key.converter", "x"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let err = connect_runtime::config::WorkerConfig::parse(props, true)
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("ssl.keystore.type") && err.contains("PKCS12"),
        "{err}"
    );
}
