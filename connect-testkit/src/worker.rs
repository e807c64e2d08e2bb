//! A real worker for integration tests: a tansu broker on a free loopback port and the stock
//! standalone worker, started in the test process so that it runs the connectors linked into
//! the test binary (the crate under test registers them).
//!
//! ```no_run
//! # async fn example() -> anyhow::Result<()> {
//! use std::time::Duration;
//! use connect_testkit::worker::TestWorker;
//!
//! let worker = TestWorker::start().await?;
//! worker.create_topic("numbers", 1).await?;
//! let props = [("connector.class", "CounterSource"), ("tasks.max", "1"), ("topic", "numbers")];
//! worker.create_connector("counter", &props.map(|(k, v)| (k.to_owned(), v.to_owned())).into()).await?;
//! let values = worker.consume_strings("numbers", 3, Duration::from_secs(60)).await?;
//! assert_eq!(values, ["count #1", "count #2", "count #3"]);
//! worker.stop().await;
//! # Ok(()) }
//! ```
//!
//! The broker is tansu (in-memory storage), found through `TANSU_BIN`, `PATH` or
//! `~/.cargo/bin`; install it with
//! `cargo install tansu --version 0.6.0 --no-default-features --features dynostore`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use connect_api::connector::Props;
use connect_runtime::config::worker_config::WorkerConfig;
use connect_runtime::standalone::StandaloneWorker;
use connect_testbed::Broker;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{ClientConfig, Message};

/// A broker and a standalone worker, both stopped when this is dropped (or by
/// [`stop`](Self::stop), which also stops the connectors cleanly).
pub struct TestWorker {
    worker: Option<StandaloneWorker>,
    rest: String,
    http: reqwest::Client,
    // Dropped after the worker: the worker's offsets file lives here.
    _dir: tempfile::TempDir,
    broker: Broker,
}

impl TestWorker {
    /// Starts a broker and a worker with String key and value converters, offsets in a
    /// temporary file, and the REST API on a free port.
    pub async fn start() -> Result<TestWorker> {
        TestWorker::start_with(&[]).await
    }

    /// Like [`start`](Self::start), with these worker properties added or replaced
    /// (`value.converter`, `offset.flush.interval.ms`, ...).
    pub async fn start_with(worker_props: &[(&str, &str)]) -> Result<TestWorker> {
        let broker = tokio::task::spawn_blocking(Broker::tansu)
            .await
            .context("starting the broker")??;
        let dir = tempfile::tempdir().context("a directory for the worker's offsets")?;
        let mut props: HashMap<String, String> = [
            ("bootstrap.servers", broker.bootstrap.clone()),
            (
                "offset.storage.file.filename",
                dir.path().join("connect.offsets").display().to_string(),
            ),
            ("offset.flush.interval.ms", "1000".to_owned()),
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
        for (k, v) in worker_props {
            props.insert((*k).to_owned(), (*v).to_owned());
        }
        let config =
            WorkerConfig::parse(props, true).map_err(|e| anyhow!("worker configuration: {e:?}"))?;
        let worker = StandaloneWorker::start(config).await?;
        let address = worker
            .rest_addresses
            .first()
            .ok_or_else(|| anyhow!("the worker bound no REST listener"))?;
        let rest = format!("http://{address}");
        Ok(TestWorker {
            worker: Some(worker),
            rest,
            http: reqwest::Client::new(),
            _dir: dir,
            broker,
        })
    }

    /// The broker's `bootstrap.servers`.
    pub fn bootstrap_servers(&self) -> &str {
        &self.broker.bootstrap
    }

    /// The worker's REST API, e.g. `http://127.0.0.1:40123`.
    pub fn rest_url(&self) -> &str {
        &self.rest
    }

    /// Creates a topic (tansu creates none on its own).
    pub async fn create_topic(&self, name: &str, partitions: i32) -> Result<()> {
        self.broker.create_topic(name, partitions).await
    }

    /// Creates (or updates) a connector through the REST API: `PUT
    /// /connectors/{name}/config`. A rejected configuration is an error carrying the
    /// worker's answer.
    pub async fn create_connector(&self, name: &str, config: &Props) -> Result<()> {
        let url = format!("{}/connectors/{name}/config", self.rest);
        let response = self.http.put(&url).json(config).send().await?;
        let status = response.status();
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            bail!("PUT {url} answered {status}: {body}");
        }
        Ok(())
    }

    /// `GET /connectors/{name}/status`.
    pub async fn status(&self, name: &str) -> Result<serde_json::Value> {
        let url = format!("{}/connectors/{name}/status", self.rest);
        let response = self.http.get(&url).send().await?;
        let status = response.status();
        if !status.is_success() {
            bail!("GET {url} answered {status}");
        }
        Ok(response.json().await?)
    }

    /// Waits until the connector and `tasks` tasks are RUNNING; a FAILED one is an error
    /// with its trace.
    pub async fn await_running(&self, name: &str, tasks: usize, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        let mut last = serde_json::Value::Null;
        while Instant::now() < deadline {
            if let Ok(status) = self.status(name).await {
                let states: Vec<&str> = std::iter::once(&status["connector"])
                    .chain(status["tasks"].as_array().into_iter().flatten())
                    .filter_map(|s| s["state"].as_str())
                    .collect();
                if states.contains(&"FAILED") {
                    bail!("connector {name} failed: {status}");
                }
                if states.len() == tasks + 1 && states.iter().all(|s| *s == "RUNNING") {
                    return Ok(());
                }
                last = status;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("connector {name} was not running with {tasks} task(s) after {timeout:?}: {last}")
    }

    /// Produces one record with text key and value.
    pub async fn produce(&self, topic: &str, key: Option<&str>, value: &str) -> Result<()> {
        let producer: FutureProducer = ClientConfig::new()
            .set("bootstrap.servers", &self.broker.bootstrap)
            .create()?;
        let mut record = FutureRecord::to(topic).payload(value);
        if let Some(k) = key {
            record = record.key(k);
        }
        producer
            .send(record, Duration::from_secs(30))
            .await
            .map_err(|(e, _)| anyhow!("producing to {topic}: {e}"))?;
        Ok(())
    }

    /// Reads `topic` from the beginning until `n` values arrived or `timeout` passed, and
    /// returns the values as text (fewer than `n` only on timeout: then it is an error).
    pub async fn consume_strings(
        &self,
        topic: &str,
        n: usize,
        timeout: Duration,
    ) -> Result<Vec<String>> {
        let group = format!("testkit-{topic}-{}", std::process::id());
        let consumer: StreamConsumer = ClientConfig::new()
            .set("bootstrap.servers", &self.broker.bootstrap)
            .set("group.id", &group)
            .set("auto.offset.reset", "earliest")
            .set("enable.auto.commit", "false")
            .create()?;
        consumer.subscribe(&[topic])?;
        let deadline = Instant::now() + timeout;
        let mut out = Vec::new();
        while out.len() < n {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                bail!(
                    "{} of {n} records arrived on {topic} within {timeout:?}: {out:?}",
                    out.len()
                );
            }
            match tokio::time::timeout(left, consumer.recv()).await {
                Ok(Ok(m)) => out.push(
                    m.payload()
                        .map(|p| String::from_utf8_lossy(p).into_owned())
                        .unwrap_or_default(),
                ),
                Ok(Err(e)) => bail!("consuming {topic}: {e}"),
                Err(_) => {}
            }
        }
        Ok(out)
    }

    /// Stops the worker (its connectors stop and commit their offsets), then the broker.
    pub async fn stop(mut self) {
        if let Some(worker) = self.worker.take() {
            worker.stop().await;
        }
    }
}
