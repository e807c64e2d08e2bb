//! Test harness: a real tansu broker on a free loopback port, and `connect-standalone`
//! processes against it.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::ClientConfig;

/// A free TCP port on 127.0.0.1.
pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn tansu_binary() -> PathBuf {
    if let Ok(p) = std::env::var("TANSU_BIN") {
        return PathBuf::from(p);
    }
    if let Some(paths) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&paths) {
            let candidate = dir.join("tansu");
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    let p = PathBuf::from(home).join(".cargo/bin/tansu");
    assert!(
        p.is_file(),
        "the tansu broker is not installed: run `cargo install --locked tansu --version 0.6.0 --features dynostore` or set TANSU_BIN"
    );
    p
}

/// A tansu broker with in-memory storage, stopped on drop.
pub(crate) struct Broker {
    child: Child,
    /// `127.0.0.1:<port>`.
    pub bootstrap: String,
}

impl Broker {
    /// Starts a broker and waits until it answers metadata requests.
    pub(crate) fn start() -> Broker {
        let port = free_port();
        let url = format!("tcp://127.0.0.1:{port}");
        let child = Command::new(tansu_binary())
            .args([
                "broker",
                "--listener-url",
                &url,
                "--advertised-listener-url",
                &url,
                "--storage-engine",
                "memory://tansu/",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start tansu");
        let broker = Broker {
            child,
            bootstrap: format!("127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if std::net::TcpStream::connect(&broker.bootstrap).is_ok() {
                break;
            }
            assert!(Instant::now() < deadline, "tansu did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        broker
    }

    /// Creates a topic.
    pub(crate) async fn create_topic(&self, name: &str, partitions: i32) {
        let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
            .set("bootstrap.servers", &self.bootstrap)
            .create()
            .expect("admin client");
        let topic = NewTopic::new(name, partitions, TopicReplication::Fixed(1));
        let res = admin
            .create_topics([&topic], &AdminOptions::new())
            .await
            .expect("create topics");
        for r in res {
            r.expect("topic created");
        }
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
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
        let log_file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_connect-standalone"))
            .arg(worker_props)
            .args(connectors)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::from(log_file))
            .spawn()
            .expect("start connect-standalone");
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
                "connect-standalone did not start: {}",
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

/// Waits until `f` returns true.
pub(crate) fn wait_until(timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    f()
}
