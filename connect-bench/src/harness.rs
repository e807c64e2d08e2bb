//! The broker (from `connect-testbed`) and `connect-standalone` processes.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use anyhow::{Context, Result};

pub use connect_testbed::{free_port, wait_for_port, Broker};

/// Creates a one-partition topic for a benchmark, from outside any async runtime.
pub fn create_topic(broker: &Broker, name: &str) -> Result<()> {
    create_topic_with_partitions(broker, name, 1)
}

/// Creates a topic of `partitions` partitions, from outside any async runtime.
pub fn create_topic_with_partitions(broker: &Broker, name: &str, partitions: i32) -> Result<()> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(broker.create_topic(name, partitions))
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

/// Writes a worker properties file, with offsets committed every `flush_interval_ms`.
pub fn worker_properties(
    dir: &Path,
    bootstrap: &str,
    port: u16,
    converter: &str,
    flush_interval_ms: u64,
) -> Result<PathBuf> {
    let path = dir.join(format!("worker-{port}.properties"));
    std::fs::write(
        &path,
        format!(
            "bootstrap.servers={bootstrap}\nkey.converter={converter}\nvalue.converter={converter}\n\
             key.converter.schemas.enable=true\nvalue.converter.schemas.enable=true\n\
             offset.storage.file.filename={}\noffset.flush.interval.ms={flush_interval_ms}\nlisteners=http://127.0.0.1:{port}\n",
            dir.join(format!("offsets-{port}")).display()
        ),
    )?;
    Ok(path)
}
