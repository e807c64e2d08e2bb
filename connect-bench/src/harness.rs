//! A tansu broker on a free loopback port, and `connect-standalone` processes.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::ClientConfig;

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Finds the tansu binary: `TANSU_BIN`, `PATH`, then `~/.cargo/bin`.
pub fn tansu_binary() -> Result<PathBuf> {
    if let Ok(p) = std::env::var("TANSU_BIN") {
        return Ok(PathBuf::from(p));
    }
    if let Some(paths) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&paths) {
            let candidate = dir.join("tansu");
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    let p = PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo/bin/tansu");
    if p.is_file() {
        Ok(p)
    } else {
        bail!("tansu not found: run scripts/ensure-tansu.sh or set TANSU_BIN")
    }
}

/// A tansu broker with memory storage, stopped on drop.
pub struct Broker {
    child: Child,
    /// `127.0.0.1:<port>`.
    pub bootstrap: String,
}

impl Broker {
    /// Starts the broker and waits for its port.
    pub fn start() -> Result<Broker> {
        let port = free_port()?;
        let url = format!("tcp://127.0.0.1:{port}");
        let child = Command::new(tansu_binary()?)
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
            .context("starting tansu")?;
        let broker = Broker {
            child,
            bootstrap: format!("127.0.0.1:{port}"),
        };
        wait_for_port(port, Duration::from_secs(30))?;
        Ok(broker)
    }

    /// Creates a topic with one partition.
    pub fn create_topic(&self, name: &str) -> Result<()> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        rt.block_on(async {
            let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
                .set("bootstrap.servers", &self.bootstrap)
                .create()?;
            let topic = NewTopic::new(name, 1, TopicReplication::Fixed(1));
            for r in admin.create_topics([&topic], &AdminOptions::new()).await? {
                r.map_err(|(t, e)| anyhow::anyhow!("creating {t}: {e}"))?;
            }
            Ok(())
        })
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until something listens on 127.0.0.1:`port`.
pub fn wait_for_port(port: u16, timeout: Duration) -> Result<()> {
    let deadline = Instant::now() + timeout;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            bail!("nothing listens on port {port}");
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    Ok(())
}

/// Resident set size and its peak, in KiB, from `/proc/<pid>/status`.
pub fn rss_kib(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// A worker process.
pub struct Worker {
    /// The process.
    pub child: Child,
    /// Its REST port.
    pub port: u16,
}

impl Worker {
    /// Starts `connect-standalone` with a worker file and connector files.
    pub fn spawn(
        bin: &Path,
        worker_props: &Path,
        connectors: &[PathBuf],
        port: u16,
        log: &Path,
    ) -> Result<Worker> {
        let log = std::fs::File::create(log)?;
        let child = Command::new(bin)
            .arg(worker_props)
            .args(connectors)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        Ok(Worker { child, port })
    }

    /// Stops the worker with SIGTERM.
    pub fn stop(mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Writes a worker properties file.
pub fn worker_properties(
    dir: &Path,
    bootstrap: &str,
    port: u16,
    converter: &str,
) -> Result<PathBuf> {
    let path = dir.join(format!("worker-{port}.properties"));
    std::fs::write(
        &path,
        format!(
            "bootstrap.servers={bootstrap}\nkey.converter={converter}\nvalue.converter={converter}\n\
             key.converter.schemas.enable=true\nvalue.converter.schemas.enable=true\n\
             offset.storage.file.filename={}\noffset.flush.interval.ms=50\nlisteners=http://127.0.0.1:{port}\n",
            dir.join(format!("offsets-{port}")).display()
        ),
    )?;
    Ok(path)
}
