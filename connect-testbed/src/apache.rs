//! Apache Kafka's own code as a test peer: the pinned release's jars and its Connect workers.
//!
//! `scripts/apache-kafka.sh` owns the details (the Maven project that resolves the jars, the
//! JVM flags, the broker's configuration); this module only calls it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::process::{http_status, Watched};

/// Where the project caches what it fetches or installs (`KAFKA_CONNECT_RS_CACHE`, default
/// `~/.cache/kafka-connect-rs`).
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("KAFKA_CONNECT_RS_CACHE") {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache"));
    base.join("kafka-connect-rs")
}

/// Why Apache Kafka cannot run here (no `java` or no `mvn` on `PATH`), or `None` if it can.
pub fn unavailable() -> Option<String> {
    let missing: Vec<&str> = ["java", "mvn"]
        .into_iter()
        .filter(|tool| {
            Command::new(tool)
                .arg("-version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_err()
        })
        .collect();
    (!missing.is_empty()).then(|| format!("{} not installed", missing.join(" and ")))
}

/// The pinned Apache Kafka release, fetched into the cache.
pub struct ApacheKafka {
    home: PathBuf,
}

impl ApacheKafka {
    /// Fetches the jars on first use (once per machine; later calls only check the cache).
    pub fn get() -> Result<&'static ApacheKafka> {
        static HOME: OnceLock<std::result::Result<ApacheKafka, String>> = OnceLock::new();
        HOME.get_or_init(|| ApacheKafka::fetch().map_err(|e| format!("{e:#}")))
            .as_ref()
            .map_err(|e| anyhow::anyhow!("{e}"))
    }

    fn fetch() -> Result<ApacheKafka> {
        if let Some(why) = unavailable() {
            bail!("Apache Kafka cannot run here: {why}");
        }
        let out = Command::new(script())
            .arg("fetch")
            .stderr(Stdio::inherit())
            .output()
            .context("running scripts/apache-kafka.sh fetch")?;
        if !out.status.success() {
            bail!("scripts/apache-kafka.sh fetch failed ({})", out.status);
        }
        let home = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if !home.join("lib").is_dir() {
            bail!("scripts/apache-kafka.sh fetch printed {}", home.display());
        }
        Ok(ApacheKafka { home })
    }

    /// The release's directory: `lib/` (the class path) and `plugins/`.
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// The directory to put on a Connect worker's `plugin.path` for `FileStreamSource` and
    /// `FileStreamSink`, kept off the class path as Apache's distribution does.
    pub fn plugin_path(&self) -> PathBuf {
        self.home.join("plugins")
    }

    /// `scripts/apache-kafka.sh <sub>`, to add arguments to and spawn.
    pub fn command(&self, sub: &str) -> Command {
        let mut cmd = Command::new(script());
        cmd.arg(sub);
        cmd
    }
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/apache-kafka.sh")
}

/// Apache's own Connect worker (`ConnectStandalone` or `ConnectDistributed`), stopped when
/// dropped.
pub struct ApacheWorker {
    process: Watched,
    /// `http://127.0.0.1:<port>`.
    pub rest: String,
    /// Its log (standard output and error).
    pub log: PathBuf,
}

impl ApacheWorker {
    /// Starts `ConnectStandalone` with a worker file (whose `listeners` must be
    /// `http://127.0.0.1:<rest_port>`) and connector files; waits until `GET /health` is 200.
    pub fn standalone(
        worker_props: &Path,
        connectors: &[&Path],
        rest_port: u16,
        log: &Path,
    ) -> Result<ApacheWorker> {
        let mut cmd = ApacheKafka::get()?.command("connect-standalone");
        cmd.arg(worker_props).args(connectors);
        ApacheWorker::start(cmd, rest_port, log)
    }

    /// Starts `ConnectDistributed` with a worker file; waits until `GET /health` is 200.
    pub fn distributed(worker_props: &Path, rest_port: u16, log: &Path) -> Result<ApacheWorker> {
        let mut cmd = ApacheKafka::get()?.command("connect-distributed");
        cmd.arg(worker_props);
        ApacheWorker::start(cmd, rest_port, log)
    }

    fn start(mut cmd: Command, rest_port: u16, log: &Path) -> Result<ApacheWorker> {
        let file = std::fs::File::create(log)?;
        cmd.stdin(Stdio::null())
            .stdout(file.try_clone()?)
            .stderr(file);
        let mut process = Watched::spawn(cmd, "Apache's Connect worker", None)?;
        let deadline = Instant::now() + Duration::from_secs(120);
        while http_status(rest_port, "/health") != Some(200) {
            let failed = process.check_running().err();
            if failed.is_some() || Instant::now() > deadline {
                let why =
                    failed.map_or_else(|| "not healthy after 120 s".to_owned(), |e| e.to_string());
                let text = std::fs::read_to_string(log).unwrap_or_default();
                let tail: Vec<&str> = text.lines().rev().take(40).collect();
                let tail: Vec<&str> = tail.into_iter().rev().collect();
                bail!("Apache's Connect worker: {why}\n{}", tail.join("\n"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(ApacheWorker {
            process,
            rest: format!("http://127.0.0.1:{rest_port}"),
            log: log.to_path_buf(),
        })
    }

    /// Stops the worker: SIGTERM, so it shuts down as an operator's would, then SIGKILL after
    /// 30 s.
    pub fn stop(&mut self) -> Option<i32> {
        self.process.terminate(Duration::from_secs(30))
    }

    /// SIGKILL.
    pub fn kill9(&mut self) {
        self.process.kill9();
    }
}
