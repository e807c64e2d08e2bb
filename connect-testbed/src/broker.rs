//! Real brokers on free loopback ports: tansu, or Apache Kafka's own KRaft broker.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::ClientConfig;

use crate::apache::ApacheKafka;
use crate::process::{free_port, wait_for_port, Watched};

/// Which broker a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrokerKind {
    /// tansu 0.6 with in-memory storage: starts in milliseconds, but lacks auto topic
    /// creation, CreatePartitions and exact watermarks, and its first group join takes ~23 s.
    /// A fetch from an offset inside a record batch returns nothing, and the consumer goes on
    /// from the next batch: a consumer restarted at a committed offset mid-batch skips the
    /// rest of that batch. Tests of delivery across restarts need Apache's broker.
    Tansu,
    /// Apache Kafka's KRaft broker (broker and controller in one JVM): the reference.
    Apache,
}

impl BrokerKind {
    /// The kind `CONNECT_TEST_BROKER` names (`tansu`, the default, or `apache`).
    pub fn from_env() -> Result<BrokerKind> {
        match std::env::var("CONNECT_TEST_BROKER").as_deref() {
            Err(_) | Ok("") | Ok("tansu") => Ok(BrokerKind::Tansu),
            Ok("apache") => Ok(BrokerKind::Apache),
            Ok(other) => bail!("CONNECT_TEST_BROKER={other}: expected `tansu` or `apache`"),
        }
    }

    /// Its name, as `CONNECT_TEST_BROKER` spells it.
    pub fn name(self) -> &'static str {
        match self {
            BrokerKind::Tansu => "tansu",
            BrokerKind::Apache => "apache",
        }
    }
}

/// A running broker, stopped (and its storage removed) when dropped.
pub struct Broker {
    process: Mutex<Watched>,
    /// `127.0.0.1:<port>`.
    pub bootstrap: String,
    /// Which broker this is.
    pub kind: BrokerKind,
    /// The broker's log, for failure messages.
    pub log: PathBuf,
}

impl Broker {
    /// Starts a broker of the kind `CONNECT_TEST_BROKER` names.
    pub fn start() -> Result<Broker> {
        Broker::start_kind(BrokerKind::from_env()?)
    }

    /// Starts a broker of `kind` with its default configuration.
    pub fn start_kind(kind: BrokerKind) -> Result<Broker> {
        match kind {
            BrokerKind::Tansu => Broker::tansu(),
            BrokerKind::Apache => Broker::apache(&[]),
        }
    }

    /// One broker of the kind `CONNECT_TEST_BROKER` names, shared by every test of this binary
    /// and stopped when it exits. Tests that share it use topic and group names of their own.
    pub fn shared() -> Result<&'static Broker> {
        static SHARED: OnceLock<std::result::Result<Broker, String>> = OnceLock::new();
        SHARED
            .get_or_init(|| Broker::start().map_err(|e| format!("{e:#}")))
            .as_ref()
            .map_err(|e| anyhow::anyhow!("the shared broker did not start: {e}"))
    }

    /// A tansu broker with in-memory storage.
    pub fn tansu() -> Result<Broker> {
        let port = free_port()?;
        let url = format!("tcp://127.0.0.1:{port}");
        let log = tempfile::Builder::new()
            .prefix("tansu-")
            .suffix(".log")
            .tempfile()?
            .into_temp_path()
            .keep()?;
        let mut cmd = Command::new(tansu_binary()?);
        cmd.args([
            "broker",
            "--listener-url",
            &url,
            "--advertised-listener-url",
            &url,
            "--storage-engine",
            "memory://tansu/",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log)?);
        let process = Watched::spawn(cmd, "tansu", Some(log.clone()))?;
        Broker::ready(
            process,
            port,
            BrokerKind::Tansu,
            log,
            Duration::from_secs(30),
        )
    }

    /// An Apache Kafka KRaft broker with `overrides` (`key=value`) added to the test
    /// configuration `scripts/apache-kafka.sh broker` writes (one partition per topic,
    /// replication factor 1, no initial rebalance delay, auto topic creation on).
    pub fn apache(overrides: &[&str]) -> Result<Broker> {
        // A broker that exits at once (a port taken between choosing and binding it, when
        // several start together) is started again on other ports.
        let mut attempt = 0;
        loop {
            attempt += 1;
            match Broker::apache_once(overrides) {
                Err(e) if attempt < 3 && format!("{e:#}").contains("exited early") => {
                    eprintln!("Apache Kafka's broker exited at start ({e:#}); starting another");
                    std::thread::sleep(Duration::from_millis(500));
                }
                other => return other,
            }
        }
    }

    fn apache_once(overrides: &[&str]) -> Result<Broker> {
        let apache = ApacheKafka::get()?;
        let port = free_port()?;
        let dir = tempfile::Builder::new()
            .prefix("apache-kafka-")
            .tempdir()?
            .keep();
        let log = dir.join("broker.log");
        let err_log = dir.join("broker.err");
        let mut cmd = apache.command("broker");
        cmd.arg("--port")
            .arg(port.to_string())
            .arg("--dir")
            .arg(&dir)
            .args(overrides)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&log)?)
            .stderr(std::fs::File::create(&err_log)?);
        let process = Watched::spawn(cmd, "the Apache Kafka broker", Some(dir))?;
        Broker::ready(
            process,
            port,
            BrokerKind::Apache,
            log,
            Duration::from_secs(120),
        )
        .map_err(|e| {
            // The launcher's own complaints (a bad argument, no Java) go to standard error.
            let err = std::fs::read_to_string(&err_log).unwrap_or_default();
            e.context(err.trim().to_owned())
        })
    }

    /// Waits until the broker answers a metadata request listing itself.
    fn ready(
        mut process: Watched,
        port: u16,
        kind: BrokerKind,
        log: PathBuf,
        timeout: Duration,
    ) -> Result<Broker> {
        let bootstrap = format!("127.0.0.1:{port}");
        let deadline = Instant::now() + timeout;
        let fail = |process: &mut Watched, why: String| -> Result<Broker> {
            let tail = std::fs::read_to_string(&log).unwrap_or_default();
            let tail: String = tail
                .lines()
                .rev()
                .take(30)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<Vec<_>>()
                .join("\n");
            process.kill9();
            bail!("{} broker on {bootstrap}: {why}\n{tail}", kind.name())
        };
        loop {
            if let Err(e) = process.check_running() {
                return fail(&mut process, e.to_string());
            }
            if wait_for_port(port, Duration::from_millis(200)).is_ok() {
                break;
            }
            if Instant::now() > deadline {
                return fail(&mut process, format!("no listener after {timeout:?}"));
            }
        }
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &bootstrap)
            .set("log_level", "3")
            .create()
            .context("metadata client")?;
        loop {
            match consumer.fetch_metadata(None, Duration::from_secs(2)) {
                Ok(md) if !md.brokers().is_empty() => break,
                _ if Instant::now() > deadline => {
                    return fail(&mut process, format!("no metadata after {timeout:?}"));
                }
                _ => {
                    if let Err(e) = process.check_running() {
                        return fail(&mut process, e.to_string());
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        }
        Ok(Broker {
            process: Mutex::new(process),
            bootstrap,
            kind,
            log,
        })
    }

    /// Whether the broker creates a topic the first time a client produces to it (Apache's
    /// default); tansu does not.
    pub fn auto_creates_topics(&self) -> bool {
        self.kind == BrokerKind::Apache
    }

    /// Creates a topic; an existing topic of that name is an error.
    pub async fn create_topic(&self, name: &str, partitions: i32) -> Result<()> {
        self.create_topic_with(name, partitions, &[]).await
    }

    /// Creates a topic with topic configs (`cleanup.policy`, say).
    pub async fn create_topic_with(
        &self,
        name: &str,
        partitions: i32,
        configs: &[(&str, &str)],
    ) -> Result<()> {
        let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
            .set("bootstrap.servers", &self.bootstrap)
            .create()
            .context("admin client")?;
        let mut topic = NewTopic::new(name, partitions, TopicReplication::Fixed(1));
        for (k, v) in configs {
            topic = topic.set(k, v);
        }
        for r in admin.create_topics([&topic], &AdminOptions::new()).await? {
            r.map_err(|(t, e)| anyhow::anyhow!("creating topic {t}: {e}"))?;
        }
        Ok(())
    }

    /// Makes sure a topic a test produces to exists before it is used: on a broker without
    /// auto topic creation (tansu) creates it with one partition; on Apache's broker leaves it
    /// to auto-creation, as a user's worker would.
    pub async fn topic_for_producing(&self, name: &str) -> Result<()> {
        if self.auto_creates_topics() {
            return Ok(());
        }
        match self.create_topic(name, 1).await {
            Err(e)
                if e.to_string()
                    .contains(&RDKafkaErrorCode::TopicAlreadyExists.to_string()) =>
            {
                Ok(())
            }
            other => other,
        }
    }

    /// Kills the broker now (SIGKILL), for tests of what survives a lost broker.
    pub fn kill9(&self) {
        if let Ok(mut p) = self.process.lock() {
            p.kill9();
        }
    }
}

/// Finds the tansu binary: `TANSU_BIN`, `PATH`, the project's cache, then `~/.cargo/bin`
/// (where `scripts/ensure-tansu.sh` looks too).
pub(crate) fn tansu_binary() -> Result<PathBuf> {
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
    let home = PathBuf::from(std::env::var("HOME").unwrap_or_default());
    let candidates = [
        crate::apache::cache_dir().join("tansu-0.6.0/bin/tansu"),
        home.join(".cargo/bin/tansu"),
    ];
    for p in candidates {
        if p.is_file() {
            return Ok(p);
        }
    }
    bail!(
        "the tansu broker is not installed: install it with `cargo install tansu --version 0.6.0 --no-default-features --features dynostore`, or set TANSU_BIN to its path (in this repository, scripts/ensure-tansu.sh does either)"
    )
}
