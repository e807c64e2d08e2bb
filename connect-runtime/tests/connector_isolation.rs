//! A connector's plugin code cannot take the worker down or hold it up: a panic in `start`,
//! `task_configs` or `stop` fails that connector only, and a connector whose `start` blocks
//! delays only the requests that change that connector. An in-process standalone worker runs
//! connectors registered by this test binary against a tansu broker.

#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use std::time::{Duration, Instant};

use connect_api::prelude::*;
use connect_runtime::standalone::StandaloneWorker;
use serde_json::{json, Value};

/// A source connector that misbehaves as `misbehave.in` says: `start`, `task_configs` or
/// `stop` panics, or `start` blocks its thread for `start.block.ms`.
#[derive(Default)]
pub struct UnrulySource {
    props: Props,
}

fn misbehaves_in(props: &Props, what: &str) -> bool {
    props.get("misbehave.in").map(String::as_str) == Some(what)
}

#[async_trait]
impl SourceConnector for UnrulySource {
    async fn start(&mut self, props: Props) -> Result<()> {
        if misbehaves_in(&props, "start") {
            panic!("start went wrong");
        }
        if let Some(ms) = props.get("start.block.ms").and_then(|v| v.parse().ok()) {
            // Blocking, not awaiting: plugin code is free to block its own thread.
            std::thread::sleep(Duration::from_millis(ms));
        }
        self.props = props;
        Ok(())
    }
    fn task_configs(&self, _max_tasks: usize) -> Result<Vec<Props>> {
        if misbehaves_in(&self.props, "task_configs") {
            panic!("task_configs went wrong");
        }
        Ok(Vec::new())
    }
    async fn stop(&mut self) -> Result<()> {
        if misbehaves_in(&self.props, "stop") {
            panic!("stop went wrong");
        }
        Ok(())
    }
    fn config(&self) -> ConfigDef {
        ConfigDef::new()
    }
}

#[derive(Default)]
pub struct UnrulyTask;

#[async_trait]
impl SourceTask for UnrulyTask {
    async fn start(&mut self, _props: Props) -> Result<()> {
        Ok(())
    }
    async fn poll(&mut self) -> Result<Vec<SourceRecord>> {
        tokio::time::sleep(Duration::from_millis(100)).await;
        Ok(Vec::new())
    }
    async fn stop(&mut self) -> Result<()> {
        Ok(())
    }
}

connect_api::source_connector!(UnrulySource, UnrulyTask);

struct Api {
    base: String,
    client: reqwest::Client,
}

impl Api {
    fn new(w: &StandaloneWorker) -> Api {
        Api {
            base: format!("http://{}", w.rest_addresses[0]),
            client: reqwest::Client::new(),
        }
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self
            .client
            .request(method.parse().unwrap(), format!("{}{path}", self.base));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn create(&self, name: &str, extra: Value) -> (u16, Value) {
        let mut config = json!({"connector.class": "UnrulySource", "tasks.max": "1"});
        for (k, v) in extra.as_object().unwrap() {
            config[k] = v.clone();
        }
        self.call(
            "POST",
            "/connectors",
            Some(json!({"name": name, "config": config})),
        )
        .await
    }

    async fn state(&self, name: &str) -> (String, String) {
        let (_, s) = self
            .call("GET", &format!("/connectors/{name}/status"), None)
            .await;
        (
            s["connector"]["state"].as_str().unwrap_or("").to_owned(),
            s["connector"]["trace"].as_str().unwrap_or("").to_owned(),
        )
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connector_plugin_code_fails_or_delays_only_its_own_connector() {
    let broker = connect_testbed::Broker::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let w = common::in_process_worker(&broker.bootstrap, dir.path(), &[]).await;
    let api = Api::new(&w);

    // A panic in `start` or `task_configs`: the connector is created, and FAILED with the
    // panic in its trace, as an exception thrown there leaves it in Apache.
    for (name, place, trace) in [
        (
            "panics-in-start",
            "start",
            "panicked in start: start went wrong",
        ),
        (
            "panics-in-task-configs",
            "task_configs",
            "panicked in taskConfigs: task_configs went wrong",
        ),
    ] {
        let (code, body) = api.create(name, json!({"misbehave.in": place})).await;
        assert_eq!(code, 201, "{body}");
        let (state, got) = api.state(name).await;
        assert_eq!(state, "FAILED", "{name}");
        assert!(got.contains(trace), "{name}: {got}");
        // A restart tries again, and fails the same way; the worker keeps serving.
        let (code, _) = api
            .call("POST", &format!("/connectors/{name}/restart"), None)
            .await;
        assert_eq!(code, 204);
        assert_eq!(api.state(name).await.0, "FAILED");
    }

    // A panic in `stop`: deleting the connector still succeeds.
    let (code, _) = api
        .create("panics-in-stop", json!({"misbehave.in": "stop"}))
        .await;
    assert_eq!(code, 201);
    assert_eq!(api.state("panics-in-stop").await.0, "RUNNING");
    let (code, _) = api.call("DELETE", "/connectors/panics-in-stop", None).await;
    assert_eq!(code, 204);

    // A connector whose `start` blocks for 3 s: meanwhile every other request is answered.
    let slow = {
        let api = Api {
            base: api.base.clone(),
            client: api.client.clone(),
        };
        tokio::spawn(async move { api.create("slow", json!({"start.block.ms": "3000"})).await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let t = Instant::now();
    let (code, names) = api.call("GET", "/connectors", None).await;
    assert_eq!(code, 200);
    assert!(
        names.as_array().unwrap().iter().any(|n| n == "slow"),
        "{names}"
    );
    assert_eq!(api.state("panics-in-start").await.0, "FAILED");
    let (code, _) = api.create("quick", json!({})).await;
    assert_eq!(code, 201);
    assert_eq!(api.state("quick").await.0, "RUNNING");
    let (code, _) = api.call("GET", "/health", None).await;
    assert_eq!(code, 200);
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "requests waited {:?} for another connector's start",
        t.elapsed()
    );
    let (code, body) = slow.await.unwrap();
    assert_eq!(code, 201, "{body}");
    assert_eq!(api.state("slow").await.0, "RUNNING");

    // Every connector can still be deleted.
    for name in ["panics-in-start", "panics-in-task-configs", "slow", "quick"] {
        let (code, _) = api
            .call("DELETE", &format!("/connectors/{name}"), None)
            .await;
        assert_eq!(code, 204, "{name}");
    }
    let (_, names) = api.call("GET", "/connectors", None).await;
    assert_eq!(names, json!([]));
    w.stop().await;
}
