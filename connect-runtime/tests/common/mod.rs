//! Test harness: a real broker on a free loopback port (through `connect-testbed`), and
//! `connect-standalone` processes against it.

#![allow(dead_code, unused_imports, unreachable_pub, clippy::unwrap_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) mod rest;

pub(crate) use connect_testbed::apache;
pub(crate) use connect_testbed::BrokerKind;

/// A free TCP port on 127.0.0.1.
pub(crate) fn free_port() -> u16 {
    connect_testbed::free_port().expect("a free port")
}

/// A real broker (tansu, or Apache Kafka's when `CONNECT_TEST_BROKER=apache`), stopped on drop.
pub(crate) struct Broker(connect_testbed::Broker);

impl std::ops::Deref for Broker {
    type Target = connect_testbed::Broker;
    fn deref(&self) -> &connect_testbed::Broker {
        &self.0
    }
}

impl Broker {
    /// Starts the broker `CONNECT_TEST_BROKER` names and waits until it answers metadata.
    pub(crate) fn start() -> Broker {
        Broker(connect_testbed::Broker::start().unwrap())
    }

    /// Starts Apache Kafka's broker whatever `CONNECT_TEST_BROKER` says.
    pub(crate) fn apache() -> Broker {
        Broker(connect_testbed::Broker::apache(&[]).unwrap())
    }

    /// Creates a topic.
    pub(crate) async fn create_topic(&self, name: &str, partitions: i32) {
        self.0.create_topic(name, partitions).await.unwrap();
    }

    /// Makes sure a topic a connector produces to exists first where the broker does not
    /// create topics on use (tansu); on Apache's broker leaves it to auto-creation.
    pub(crate) async fn topic_for_producing(&self, name: &str) {
        self.0.topic_for_producing(name).await.unwrap();
    }
}

/// Whether the Apache-backed tests can run here. When they cannot, says why on stderr, and
/// fails when `CONNECT_TEST_REQUIRE_APACHE=1` (as CI sets) rather than skipping.
pub(crate) fn apache_available(test: &str) -> bool {
    match apache::unavailable() {
        None => true,
        Some(why) => {
            assert!(
                std::env::var("CONNECT_TEST_REQUIRE_APACHE").as_deref() != Ok("1"),
                "{test} needs Apache Kafka: {why}"
            );
            eprintln!("skipping {test}: Apache Kafka cannot run here ({why})");
            false
        }
    }
}

/// A `connect-standalone` process.
pub(crate) struct ConnectProcess {
    pub child: Child,
    pub rest: String,
    pub log: PathBuf,
}

impl ConnectProcess {
    /// Starts `connect-standalone` with a worker file and connector files; waits for `GET /`.
    pub(crate) fn start(
        worker_props: &Path,
        connectors: &[&Path],
        rest_port: u16,
        log: &Path,
    ) -> ConnectProcess {
        Self::start_logging(worker_props, connectors, rest_port, log, "info")
    }

    /// As [`ConnectProcess::start`], logging what `filter` (a `RUST_LOG` value) lets through.
    pub(crate) fn start_logging(
        worker_props: &Path,
        connectors: &[&Path],
        rest_port: u16,
        log: &Path,
        filter: &str,
    ) -> ConnectProcess {
        let mut args = vec![worker_props];
        args.extend_from_slice(connectors);
        Self::spawn(
            env!("CARGO_BIN_EXE_connect-standalone"),
            &args,
            rest_port,
            log,
            filter,
        )
    }

    /// Starts `connect-distributed` with a worker file; waits for its REST port.
    pub(crate) fn distributed(worker_props: &Path, rest_port: u16, log: &Path) -> ConnectProcess {
        Self::spawn(
            env!("CARGO_BIN_EXE_connect-distributed"),
            &[worker_props],
            rest_port,
            log,
            "info,connect_runtime::herder=debug,connect_runtime::kafka::group_member=debug",
        )
    }

    fn spawn(
        binary: &str,
        args: &[&Path],
        rest_port: u16,
        log: &Path,
        filter: &str,
    ) -> ConnectProcess {
        let log_file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("log file");
        let child = Command::new(binary)
            .args(args)
            .env("RUST_LOG", filter)
            .stdout(Stdio::null())
            .stderr(Stdio::from(log_file))
            .spawn()
            .expect("start the worker");
        let p = ConnectProcess {
            child,
            rest: format!("http://127.0.0.1:{rest_port}"),
            log: log.to_path_buf(),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if std::net::TcpStream::connect(format!("127.0.0.1:{rest_port}")).is_ok() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{binary} did not start: {}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        p
    }

    /// SIGKILL.
    pub(crate) fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends `signal` (`STOP`, `CONT`, ...) to the worker.
    pub(crate) fn signal(&self, signal: &str) {
        let sent = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -{signal} failed");
    }

    /// SIGTERM and wait for exit.
    pub(crate) fn terminate(&mut self) -> Option<i32> {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        self.child.wait().ok().and_then(|s| s.code())
    }
}

impl Drop for ConnectProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Writes a worker properties file for a broker, REST port and offsets file.
pub(crate) fn worker_properties(
    dir: &Path,
    bootstrap: &str,
    rest_port: u16,
    extra: &[(&str, &str)],
) -> PathBuf {
    let shipped = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../config/connect-standalone.properties"
    ))
    .expect("shipped config");
    let mut text = String::new();
    for line in shipped.lines() {
        let line = if line.starts_with("bootstrap.servers=") {
            format!("bootstrap.servers={bootstrap}")
        } else if line.starts_with("offset.storage.file.filename=") {
            format!(
                "offset.storage.file.filename={}",
                dir.join("connect.offsets").display()
            )
        } else if line.starts_with("offset.flush.interval.ms=") {
            "offset.flush.interval.ms=1000".to_owned()
        } else {
            line.to_owned()
        };
        text.push_str(&line);
        text.push('\n');
    }
    text.push_str(&format!("listeners=http://127.0.0.1:{rest_port}\n"));
    for (k, v) in extra {
        text.push_str(&format!("{k}={v}\n"));
    }
    let path = dir.join("worker.properties");
    std::fs::write(&path, text).expect("write worker props");
    path
}

/// Copies a shipped connector file, replacing values of the given keys.
pub(crate) fn connector_properties(dir: &Path, shipped: &str, replace: &[(&str, &str)]) -> PathBuf {
    let text = std::fs::read_to_string(format!(
        "{}/../config/{shipped}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("shipped connector config");
    let mut out = String::new();
    for line in text.lines() {
        let mut line = line.to_owned();
        for (k, v) in replace {
            if line.starts_with(&format!("{k}=")) {
                line = format!("{k}={v}");
            }
        }
        out.push_str(&line);
        out.push('\n');
    }
    let path = dir.join(shipped);
    let mut f = std::fs::File::create(&path).expect("create");
    f.write_all(out.as_bytes()).expect("write");
    path
}

pub(crate) use connect_testbed::wait_until;

/// Writes the worker file of one of our distributed workers in `group` from the shipped
/// `config/connect-distributed.properties`: the broker, internal topics `<prefix>-configs`,
/// `<prefix>-offsets` and `<prefix>-status`, String converters, REST on `port`, and `extra`
/// `key=value` lines.
pub(crate) fn distributed_properties(
    dir: &Path,
    bootstrap: &str,
    group: &str,
    prefix: &str,
    port: u16,
    extra: &[&str],
) -> PathBuf {
    let shipped = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../config/connect-distributed.properties"
    ))
    .expect("shipped config");
    let mut text = String::new();
    for line in shipped.lines() {
        let replaced = match line.split_once('=').map(|(k, _)| k) {
            Some("bootstrap.servers") => format!("bootstrap.servers={bootstrap}"),
            Some("group.id") => format!("group.id={group}"),
            Some("config.storage.topic") => format!("config.storage.topic={prefix}-configs"),
            Some("offset.storage.topic") => format!("offset.storage.topic={prefix}-offsets"),
            Some("status.storage.topic") => format!("status.storage.topic={prefix}-status"),
            Some("key.converter") => {
                "key.converter=org.apache.kafka.connect.storage.StringConverter".to_owned()
            }
            Some("value.converter") => {
                "value.converter=org.apache.kafka.connect.storage.StringConverter".to_owned()
            }
            Some("offset.flush.interval.ms") => "offset.flush.interval.ms=1000".to_owned(),
            _ => line.to_owned(),
        };
        text.push_str(&replaced);
        text.push('\n');
    }
    text.push_str(&format!("listeners=http://127.0.0.1:{port}\n"));
    for line in extra {
        text.push_str(line);
        text.push('\n');
    }
    let path = dir.join(format!("worker-{port}.properties"));
    std::fs::write(&path, text).expect("write worker props");
    path
}

/// Writes the worker file of an Apache `ConnectDistributed` in `group`, with internal topics
/// `<prefix>-configs`, `<prefix>-offsets` and `<prefix>-status` (replication 1), String
/// converters, Apache's file connectors on `plugin.path`, and `extra` `key=value` lines;
/// returns the file and the REST port it listens on.
pub(crate) fn apache_distributed_properties(
    dir: &Path,
    bootstrap: &str,
    group: &str,
    prefix: &str,
    extra: &[&str],
) -> (PathBuf, u16) {
    let port = free_port();
    let plugins = apache::ApacheKafka::get()
        .expect("Apache Kafka")
        .plugin_path();
    let mut text = format!(
        "bootstrap.servers={bootstrap}\ngroup.id={group}\nconfig.storage.topic={prefix}-configs\noffset.storage.topic={prefix}-offsets\nstatus.storage.topic={prefix}-status\nconfig.storage.replication.factor=1\noffset.storage.replication.factor=1\nstatus.storage.replication.factor=1\nkey.converter=org.apache.kafka.connect.storage.StringConverter\nvalue.converter=org.apache.kafka.connect.storage.StringConverter\nlisteners=http://127.0.0.1:{port}\nplugin.path={}\n",
        plugins.display()
    );
    for line in extra {
        text.push_str(line);
        text.push('\n');
    }
    let path = dir.join(format!("{prefix}-distributed.properties"));
    std::fs::write(&path, text).expect("write worker props");
    (path, port)
}

/// A standalone worker in this process (so that it runs the connectors the test binary
/// registers) against `bootstrap`: String converters, offsets in `dir`, REST on a free port,
/// and `extra` worker properties.
pub(crate) async fn in_process_worker(
    bootstrap: &str,
    dir: &Path,
    extra: &[(&str, &str)],
) -> connect_runtime::standalone::StandaloneWorker {
    let mut props: std::collections::HashMap<String, String> = [
        ("bootstrap.servers", bootstrap.to_owned()),
        (
            "offset.storage.file.filename",
            dir.join("offsets").display().to_string(),
        ),
        ("listeners", "http://127.0.0.1:0".to_owned()),
        (
            "key.converter",
            "org.apache.kafka.connect.storage.StringConverter".to_owned(),
        ),
        (
            "value.converter",
            "org.apache.kafka.connect.storage.StringConverter".to_owned(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    for (k, v) in extra {
        props.insert((*k).to_owned(), (*v).to_owned());
    }
    let config = connect_runtime::config::worker_config::WorkerConfig::parse(props, true)
        .expect("worker config");
    connect_runtime::standalone::StandaloneWorker::start(config)
        .await
        .expect("start the worker")
}
