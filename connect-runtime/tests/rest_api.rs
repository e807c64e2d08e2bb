//! Every REST endpoint over real HTTP against a running `connect-standalone` and a real
//! broker, asserting status codes and full JSON bodies against Apache's (see
//! `shared/reference/rest-api.md` and docs/rest-api.md for the deliberate differences).

#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use std::time::Duration;

use common::rest::*;
use common::*;
use serde_json::{json, Value};

fn error(code: u16, message: &str) -> Value {
    json!({"error_code": code, "message": message})
}

#[tokio::test(flavor = "multi_thread")]
async fn every_endpoint_answers_like_apache() {
    let broker = Broker::start();
    broker.topic_for_producing("rest-topic").await;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    std::fs::write(&input, "one\ntwo\nthree\n").unwrap();
    let output = dir.path().join("out.txt");
    let input_s = input.to_str().unwrap().to_owned();
    let output_s = output.to_str().unwrap().to_owned();

    let port = free_port();
    let worker = worker_properties(dir.path(), &broker.bootstrap, port, &[]);
    let connect = ConnectProcess::start(&worker, &[], port, &dir.path().join("connect.log"));
    let api = Api {
        base: connect.rest.clone(),
        client: reqwest::Client::new(),
    };
    let worker_id = format!("127.0.0.1:{port}");

    // Root and health.
    let a = api.call("GET", "/", None).await;
    assert_eq!(a.status, 200);
    assert_eq!(
        a.body.as_object().unwrap().keys().collect::<Vec<_>>(),
        [
            "version",
            "commit",
            "kafka_cluster_id",
            "apache_kafka_version"
        ]
    );
    assert_eq!(a.body["version"], env!("CARGO_PKG_VERSION"));
    // Built in a git checkout: the commit is HEAD's.
    let head = std::process::Command::new("git")
        .args(["rev-parse", "--short=16", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    if let Some(head) = head {
        assert_eq!(a.body["commit"], head.as_str());
    }
    let pom = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../interop/apache/pom.xml"
    ))
    .unwrap();
    let kafka = a.body["apache_kafka_version"].as_str().unwrap();
    assert!(
        pom.contains(&format!("<kafka.version>{kafka}</kafka.version>")),
        "{kafka}"
    );
    let a = api.call("GET", "/health", None).await;
    assert_eq!(
        (a.status, a.body),
        (
            200,
            json!({"status": "healthy", "message": "Worker has completed startup and is ready to handle requests."})
        )
    );
    let a = api.call("GET", "/connectors", None).await;
    assert_eq!((a.status, a.body), (200, json!([])));
    let a = api.call("GET", "/connectors?expand=status", None).await;
    assert_eq!((a.status, a.body), (200, json!({})));

    // Create a source connector.
    let src_config = json!({
        "connector.class": "FileStreamSource",
        "tasks.max": 1,
        "file": input_s,
        "topic": "rest-topic",
    });
    let a = api
        .call(
            "POST",
            "/connectors",
            Some(json!({"name": " rest-src ", "config": src_config})),
        )
        .await;
    assert_eq!(a.status, 201, "{}", a.body);
    assert_eq!(
        a.location.as_deref(),
        Some(format!("http://127.0.0.1:{port}/connectors/rest-src").as_str())
    );
    assert_eq!(a.content_type.as_deref(), Some("application/json"));
    let src_stored = json!({
        "connector.class": "FileStreamSource",
        "tasks.max": "1",
        "file": input_s,
        "topic": "rest-topic",
        "name": "rest-src",
    });
    assert_eq!(
        a.body,
        json!({"name": "rest-src", "config": src_stored, "tasks": [{"connector": "rest-src", "task": 0}], "type": "source"})
    );
    let a = api
        .call(
            "POST",
            "/connectors",
            Some(json!({"name": "rest-src", "config": src_config})),
        )
        .await;
    assert_eq!(
        (a.status, a.body),
        (409, error(409, "Connector rest-src already exists"))
    );
    let a = api
        .call(
            "POST",
            "/connectors",
            Some(json!({"name": "a", "config": {"name": "b", "connector.class": "FileStreamSource"}})),
        )
        .await;
    assert_eq!(
        (a.status, a.body),
        (
            400,
            error(
                400,
                "Connector name configuration (b) doesn't match connector name in the URL (a)"
            )
        )
    );
    let a = api
        .call(
            "POST",
            "/connectors",
            Some(json!({"name": "a", "config": {"tasks.max": "1"}})),
        )
        .await;
    assert_eq!(
        (a.status, a.body),
        (
            400,
            error(
                400,
                "Connector config {name=a, tasks.max=1} contains no connector type"
            )
        )
    );
    let a = api
        .call(
            "POST",
            "/connectors",
            Some(json!({"name": "a", "config": {"connector.class": "FileStreamSource", "tasks.max": "0"}})),
        )
        .await;
    assert_eq!(
        (a.status, a.body),
        (400, error(400, "Connector configuration is invalid and contains the following 2 error(s):\nInvalid value 0 for configuration tasks.max: Value must be at least 1\nMissing required configuration \"topic\" which has no default value.\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`"))
    );
    let a = api
        .call(
            "POST",
            "/connectors",
            Some(json!({"name": "a\nb", "config": {"connector.class": "FileStreamSource", "topic": "t"}})),
        )
        .await;
    assert_eq!(a.status, 400);
    assert!(a.body["message"]
        .as_str()
        .unwrap()
        .contains("String may not contain control sequences"));
    let a = api
        .raw("POST", "/connectors", "application/json", "{not json")
        .await;
    assert_eq!(a.status, 400);
    assert_eq!(a.body["error_code"], 400);
    let a = api.raw("POST", "/connectors", "text/plain", "{}").await;
    assert_eq!(
        (a.status, a.body),
        (415, error(415, "HTTP 415 Unsupported Media Type"))
    );
    let a = api
        .call(
            "POST",
            "/connectors",
            Some(json!({"name": "a", "config": {"connector.class": "NoSuchConnector", "topic": "t"}})),
        )
        .await;
    assert_eq!(a.status, 400);
    assert!(a.body["message"].as_str().unwrap().starts_with(
        "Failed to find any class that implements Connector and which name matches NoSuchConnector"
    ));

    // Read it back.
    let a = api.call("GET", "/connectors/rest-src", None).await;
    assert_eq!(
        (a.status, a.body),
        (
            200,
            json!({"name": "rest-src", "config": src_stored, "tasks": [{"connector": "rest-src", "task": 0}], "type": "source"})
        )
    );
    let a = api.call("GET", "/connectors/rest-src/config", None).await;
    assert_eq!((a.status, a.body), (200, src_stored.clone()));
    let status = api
        .wait_for("/connectors/rest-src/status", |b| {
            b["tasks"][0]["state"] == "RUNNING"
        })
        .await;
    assert_eq!(
        status,
        json!({"name": "rest-src", "connector": {"state": "RUNNING", "worker_id": worker_id, "version": env!("CARGO_PKG_VERSION")}, "tasks": [{"id": 0, "state": "RUNNING", "worker_id": worker_id, "version": env!("CARGO_PKG_VERSION")}], "type": "source"})
    );
    let a = api.call("GET", "/connectors/rest-src/tasks", None).await;
    let mut task_config = src_stored.clone();
    task_config["task.class"] = json!("org.apache.kafka.connect.file.FileStreamSourceTask");
    let task_config = a.body[0]["config"].clone();
    assert_eq!(a.status, 200);
    assert_eq!(a.body[0]["id"], json!({"connector": "rest-src", "task": 0}));
    assert_eq!(
        task_config["task.class"],
        "org.apache.kafka.connect.file.FileStreamSourceTask"
    );
    let a = api
        .call("GET", "/connectors/rest-src/tasks-config", None)
        .await;
    assert_eq!(
        (a.status, a.body),
        (200, json!({"rest-src-0": task_config}))
    );
    let a = api
        .call("GET", "/connectors/rest-src/tasks/0/status", None)
        .await;
    assert_eq!(
        (a.status, a.body),
        (
            200,
            json!({"id": 0, "state": "RUNNING", "worker_id": worker_id, "version": env!("CARGO_PKG_VERSION")})
        )
    );
    let a = api
        .call("GET", "/connectors/rest-src/tasks/9/status", None)
        .await;
    assert_eq!(
        (a.status, a.body),
        (404, error(404, "No status found for task rest-src-9"))
    );
    let a = api
        .call("GET", "/connectors/rest-src/tasks/x/status", None)
        .await;
    assert_eq!((a.status, a.body), (404, error(404, "HTTP 404 Not Found")));

    // The source's offsets appear once the lines are committed.
    let offsets = api
        .wait_for("/connectors/rest-src/offsets", |b| {
            b["offsets"][0]["offset"]["position"] == 14
        })
        .await;
    assert_eq!(
        offsets,
        json!({"offsets": [{"partition": {"filename": input_s}, "offset": {"position": 14}}]})
    );

    // Sink: PUT creates (201), PUT again updates (200), PATCH merges.
    let sink_config = json!({
        "connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
        "tasks.max": "1",
        "file": output_s,
        "topics": "rest-topic",
        "consumer.override.sasl.jaas.config": "secret-jaas",
    });
    let a = api
        .call(
            "PUT",
            "/connectors/rest-sink/config",
            Some(sink_config.clone()),
        )
        .await;
    assert_eq!(a.status, 201, "{}", a.body);
    assert!(a.location.unwrap().ends_with("/connectors/rest-sink"));
    let mut sink_shown = sink_config.clone();
    sink_shown["name"] = json!("rest-sink");
    sink_shown["consumer.override.sasl.jaas.config"] = json!("[hidden]");
    assert_eq!(
        a.body,
        json!({"name": "rest-sink", "config": sink_shown, "tasks": [{"connector": "rest-sink", "task": 0}], "type": "sink"})
    );
    // Sending the hidden value back keeps the secret.
    let a = api
        .call(
            "PUT",
            "/connectors/rest-sink/config",
            Some(sink_shown.clone()),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["config"], sink_shown);
    let a = api
        .call(
            "PUT",
            "/connectors/rest-sink/config",
            Some(json!({"name": "other", "connector.class": "FileStreamSink"})),
        )
        .await;
    assert_eq!(
        (a.status, a.body),
        (
            400,
            error(
                400,
                "Connector name configuration (other) doesn't match connector name in the URL (rest-sink)"
            )
        )
    );
    let a = api
        .call(
            "PATCH",
            "/connectors/rest-sink/config",
            Some(json!({"consumer.override.sasl.jaas.config": null, "batch.size": "10"})),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let mut patched = sink_shown.clone();
    patched
        .as_object_mut()
        .unwrap()
        .remove("consumer.override.sasl.jaas.config");
    patched["batch.size"] = json!("10");
    assert_eq!(a.body["config"], patched);
    let a = api
        .call("PATCH", "/connectors/nope/config", Some(json!({"a": "b"})))
        .await;
    assert_eq!(
        (a.status, a.body),
        (404, error(404, "Connector nope not found"))
    );

    // The sink copies the lines and commits its consumer offsets.
    assert!(wait_until(Duration::from_secs(60), || {
        std::fs::read_to_string(&output)
            .unwrap_or_default()
            .lines()
            .count()
            == 3
    }));
    let offsets = api
        .wait_for("/connectors/rest-sink/offsets", |b| {
            b["offsets"][0]["offset"]["kafka_offset"] == 3
        })
        .await;
    assert_eq!(
        offsets,
        json!({"offsets": [{"partition": {"kafka_topic": "rest-topic", "kafka_partition": 0}, "offset": {"kafka_offset": 3}}]})
    );

    // Topics.
    let a = api.call("GET", "/connectors/rest-sink/topics", None).await;
    assert_eq!(
        (a.status, a.body),
        (200, json!({"rest-sink": {"topics": ["rest-topic"]}}))
    );
    let a = api.call("GET", "/connectors/unknown/topics", None).await;
    assert_eq!(
        (a.status, a.body),
        (200, json!({"unknown": {"topics": []}}))
    );
    let a = api
        .call("PUT", "/connectors/rest-sink/topics/reset", None)
        .await;
    assert_eq!((a.status, a.body), (202, Value::Null));
    let a = api.call("GET", "/connectors/rest-sink/topics", None).await;
    assert_eq!(a.body, json!({"rest-sink": {"topics": []}}));

    // Expand.
    let a = api
        .call("GET", "/connectors?expand=info&expand=status", None)
        .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["rest-src"]["info"]["type"], "source");
    assert_eq!(
        a.body["rest-sink"]["status"]["connector"]["state"],
        "RUNNING"
    );
    let a = api.call("GET", "/connectors?expand=info", None).await;
    assert_eq!(
        a.body["rest-src"],
        json!({"info": {"name": "rest-src", "config": src_stored, "tasks": [{"connector": "rest-src", "task": 0}], "type": "source"}})
    );
    let a = api.call("GET", "/connectors", None).await;
    let mut names: Vec<String> = serde_json::from_value(a.body).unwrap();
    names.sort();
    assert_eq!(names, ["rest-sink", "rest-src"]);

    // Restarts.
    let a = api.call("POST", "/connectors/rest-src/restart", None).await;
    assert_eq!((a.status, a.body), (204, Value::Null));
    api.wait_for("/connectors/rest-src/status", |b| {
        b["connector"]["state"] == "RUNNING" && b["tasks"][0]["state"] == "RUNNING"
    })
    .await;
    let a = api
        .call(
            "POST",
            "/connectors/rest-src/restart?includeTasks=true",
            None,
        )
        .await;
    assert_eq!(
        (a.status, a.body),
        (
            202,
            json!({"name": "rest-src", "connector": {"state": "RESTARTING", "worker_id": worker_id, "version": env!("CARGO_PKG_VERSION")}, "tasks": [{"id": 0, "state": "RESTARTING", "worker_id": worker_id, "version": env!("CARGO_PKG_VERSION")}], "type": "source"})
        )
    );
    api.wait_for("/connectors/rest-src/status", |b| {
        b["tasks"][0]["state"] == "RUNNING"
    })
    .await;
    let a = api
        .call(
            "POST",
            "/connectors/rest-src/restart?includeTasks=TRUE&onlyFailed=true",
            None,
        )
        .await;
    assert_eq!(
        (a.status, a.body),
        (
            202,
            json!({"name": "rest-src", "connector": {"state": "RUNNING", "worker_id": worker_id, "version": env!("CARGO_PKG_VERSION")}, "tasks": [{"id": 0, "state": "RUNNING", "worker_id": worker_id, "version": env!("CARGO_PKG_VERSION")}], "type": "source"})
        )
    );
    let a = api
        .call("POST", "/connectors/nope/restart?onlyFailed=true", None)
        .await;
    assert_eq!(
        (a.status, a.body),
        (404, error(404, "Unknown connector: nope"))
    );
    let a = api.call("POST", "/connectors/nope/restart", None).await;
    assert_eq!(
        (a.status, a.body),
        (404, error(404, "Connector nope not found"))
    );
    let a = api
        .call("POST", "/connectors/rest-src/tasks/0/restart", None)
        .await;
    assert_eq!((a.status, a.body), (204, Value::Null));
    let a = api
        .call("POST", "/connectors/rest-src/tasks/5/restart", None)
        .await;
    assert_eq!(
        (a.status, a.body),
        (404, error(404, "Task rest-src-5 not found"))
    );

    // Pause and resume.
    let a = api.call("PUT", "/connectors/rest-src/pause", None).await;
    assert_eq!((a.status, a.body), (202, Value::Null));
    api.wait_for("/connectors/rest-src/status", |b| {
        b["connector"]["state"] == "PAUSED" && b["tasks"][0]["state"] == "PAUSED"
    })
    .await;
    let a = api.call("PUT", "/connectors/rest-src/resume", None).await;
    assert_eq!((a.status, a.body), (202, Value::Null));
    api.wait_for("/connectors/rest-src/status", |b| {
        b["connector"]["state"] == "RUNNING" && b["tasks"][0]["state"] == "RUNNING"
    })
    .await;
    let a = api.call("PUT", "/connectors/nope/pause", None).await;
    assert_eq!(
        (a.status, a.body),
        (404, error(404, "Unknown connector nope"))
    );
    let a = api.call("PUT", "/connectors/nope/resume", None).await;
    assert_eq!(
        (a.status, a.body),
        (404, error(404, "Unknown connector nope"))
    );
    let a = api.call("PUT", "/connectors/nope/stop", None).await;
    assert_eq!(
        (a.status, a.body),
        (404, error(404, "Unknown connector nope"))
    );

    // Source offsets: only when STOPPED.
    let stopped_msg = |n: &str| {
        error(400, &format!("Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/{n}/stop' endpoint"))
    };
    let new_offsets =
        json!({"offsets": [{"partition": {"filename": input_s}, "offset": {"position": 4}}]});
    let a = api
        .call(
            "PATCH",
            "/connectors/rest-src/offsets",
            Some(new_offsets.clone()),
        )
        .await;
    assert_eq!((a.status, a.body), (400, stopped_msg("rest-src")));
    let a = api
        .call("DELETE", "/connectors/rest-src/offsets", None)
        .await;
    assert_eq!((a.status, a.body), (400, stopped_msg("rest-src")));
    let a = api.call("PUT", "/connectors/rest-src/stop", None).await;
    assert_eq!((a.status, a.body), (204, Value::Null));
    let a = api.call("GET", "/connectors/rest-src/status", None).await;
    assert_eq!(
        a.body,
        json!({"name": "rest-src", "connector": {"state": "STOPPED", "worker_id": worker_id, "version": env!("CARGO_PKG_VERSION")}, "tasks": [], "type": "source"})
    );
    let a = api.call("GET", "/connectors/rest-src", None).await;
    assert_eq!(a.body["tasks"], json!([]));
    for (body, msg) in [
        (
            json!({}),
            "Partitions / offsets need to be provided for an alter offsets request",
        ),
        (
            json!({"offsets": []}),
            "Partitions / offsets need to be provided for an alter offsets request",
        ),
    ] {
        let a = api
            .call("PATCH", "/connectors/rest-src/offsets", Some(body))
            .await;
        assert_eq!((a.status, a.body), (400, error(400, msg)));
    }
    let a = api
        .call(
            "PATCH",
            "/connectors/rest-src/offsets",
            Some(json!({"key": []})),
        )
        .await;
    assert_eq!(a.status, 400);
    assert!(a.body["message"]
        .as_str()
        .unwrap()
        .contains("unknown field `key`"));
    let a = api
        .call(
            "PATCH",
            "/connectors/rest-src/offsets",
            Some(new_offsets.clone()),
        )
        .await;
    assert_eq!(
        (a.status, a.body),
        (
            200,
            json!({"message": "The offsets for this connector have been altered successfully"})
        )
    );
    let a = api.call("GET", "/connectors/rest-src/offsets", None).await;
    assert_eq!((a.status, a.body), (200, new_offsets));
    let a = api
        .call("DELETE", "/connectors/rest-src/offsets", None)
        .await;
    assert_eq!(
        (a.status, a.body),
        (
            200,
            json!({"message": "The offsets for this connector have been reset successfully"})
        )
    );
    let a = api.call("GET", "/connectors/rest-src/offsets", None).await;
    assert_eq!((a.status, a.body), (200, json!({"offsets": []})));
    let a = api.call("GET", "/connectors/nope/offsets", None).await;
    assert_eq!(
        (a.status, a.body),
        (404, error(404, "Connector nope not found"))
    );

    // Sink offsets.
    let a = api.call("PUT", "/connectors/rest-sink/stop", None).await;
    assert_eq!(a.status, 204);
    for (body, msg) in [
        (json!({"offsets": [{"offset": {"kafka_offset": 1}}]}), "The partition for a sink connector offset cannot be null or missing".to_owned()),
        (json!({"offsets": [{"partition": {"kafka_topic": "rest-topic"}, "offset": {"kafka_offset": 1}}]}), "The partition for a sink connector offset must contain the keys 'kafka_topic' and 'kafka_partition'".to_owned()),
        (json!({"offsets": [{"partition": {"kafka_topic": "rest-topic", "kafka_partition": "x"}, "offset": {"kafka_offset": 1}}]}), "Failed to parse the following Kafka partition value in the provided offsets: 'x'. Partition values for sink connectors need to be integers.".to_owned()),
        (json!({"offsets": [{"partition": {"kafka_topic": "rest-topic", "kafka_partition": 0}, "offset": {"other": 1}}]}), "The offset for a sink connector should either be null or contain the key 'kafka_offset'".to_owned()),
        (json!({"offsets": [{"partition": {"kafka_topic": "rest-topic", "kafka_partition": 0}, "offset": {"kafka_offset": "y"}}]}), "Failed to parse the following Kafka offset value in the provided offsets: 'y'. Offset values for sink connectors need to be integers.".to_owned()),
    ] {
        let a = api
            .call("PATCH", "/connectors/rest-sink/offsets", Some(body))
            .await;
        assert_eq!((a.status, a.body), (400, error(400, &msg)));
    }
    let a = api
        .call(
            "PATCH",
            "/connectors/rest-sink/offsets",
            Some(json!({"offsets": [{"partition": {"kafka_topic": "rest-topic", "kafka_partition": "0"}, "offset": {"kafka_offset": "1"}}]})),
        )
        .await;
    assert_eq!(
        (a.status, a.body),
        (
            200,
            json!({"message": "The offsets for this connector have been altered successfully"})
        )
    );
    let a = api.call("GET", "/connectors/rest-sink/offsets", None).await;
    assert_eq!(
        a.body,
        json!({"offsets": [{"partition": {"kafka_topic": "rest-topic", "kafka_partition": 0}, "offset": {"kafka_offset": 1}}]})
    );
    let a = api
        .call("DELETE", "/connectors/rest-sink/offsets", None)
        .await;
    assert_eq!(
        (a.status, a.body),
        (
            200,
            json!({"message": "The offsets for this connector have been reset successfully"})
        )
    );
    let a = api.call("GET", "/connectors/rest-sink/offsets", None).await;
    assert_eq!((a.status, a.body), (200, json!({"offsets": []})));
    // Resume from STOPPED.
    let a = api.call("PUT", "/connectors/rest-sink/resume", None).await;
    assert_eq!(a.status, 202);
    api.wait_for("/connectors/rest-sink/status", |b| {
        b["connector"]["state"] == "RUNNING" && b["tasks"][0]["state"] == "RUNNING"
    })
    .await;

    // Plugins.
    let a = api.call("GET", "/connector-plugins", None).await;
    assert_eq!(a.status, 200);
    let plugins = a.body.as_array().unwrap();
    assert!(plugins
        .iter()
        .all(|p| p["type"] == "sink" || p["type"] == "source"));
    assert_eq!(
        plugins[0],
        json!({"class": "org.apache.kafka.connect.file.FileStreamSinkConnector", "type": "sink", "version": plugins[0]["version"]})
    );
    let a = api
        .call("GET", "/connector-plugins?connectorsOnly=false", None)
        .await;
    let kinds: Vec<&str> = a
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["type"].as_str().unwrap())
        .collect();
    for k in [
        "sink",
        "source",
        "transformation",
        "predicate",
        "converter",
        "header_converter",
    ] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }
    // Each plugin's installed version, for the KIP-891 `*.plugin.version` keys.
    let version_of = |class: &str, kind: &str| {
        a.body
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["class"] == class && p["type"] == kind)
            .map(|p| p["version"].as_str().unwrap().to_owned())
            .unwrap()
    };
    let sink_version = version_of(
        "org.apache.kafka.connect.file.FileStreamSinkConnector",
        "sink",
    );
    let json_version = version_of("org.apache.kafka.connect.json.JsonConverter", "converter");
    let header_version = version_of(
        "org.apache.kafka.connect.storage.SimpleHeaderConverter",
        "header_converter",
    );
    let cast_version = version_of(
        "org.apache.kafka.connect.transforms.Cast$Value",
        "transformation",
    );
    let a = api
        .call("GET", "/connector-plugins/FileStreamSink/config", None)
        .await;
    assert_eq!(a.status, 200);
    // The connector's own keys first, then the framework's, as Apache 4.3.1: the connector's
    // version as `connector.plugin.version`'s default, no converter defaults.
    let keys = a.body.as_array().unwrap();
    assert_eq!(keys[0]["name"], "file");
    let key = |n: &str| keys.iter().find(|k| k["name"] == n).cloned().unwrap();
    assert_eq!(
        key("connector.plugin.version"),
        json!({"name": "connector.plugin.version", "type": "STRING", "required": false, "default_value": sink_version, "importance": "MEDIUM", "documentation": "Version of the connector.", "group": "Common", "order_in_group": 3, "width": "MEDIUM", "display_name": "Connector version", "dependents": []})
    );
    assert_eq!(
        key("header.converter.plugin.version"),
        json!({"name": "header.converter.plugin.version", "type": "STRING", "required": false, "default_value": null, "importance": "LOW", "documentation": "Version of the header converter.", "group": "Common", "order_in_group": 11, "width": "SHORT", "display_name": "Header converter version", "dependents": []})
    );
    assert_eq!(key("key.converter")["default_value"], Value::Null);
    assert_eq!(key("topics")["order_in_group"], 4);
    assert_eq!(key("config.action.reload")["order_in_group"], 14);
    let a = api
        .call("GET", "/connector-plugins/Cast$Value/config", None)
        .await;
    assert_eq!(a.status, 200);
    assert!(a
        .body
        .as_array()
        .unwrap()
        .iter()
        .any(|k| k["name"] == "spec"));
    let a = api
        .call("GET", "/connector-plugins/Nope/config", None)
        .await;
    assert_eq!(
        (a.status, a.body),
        (404, error(404, "Unknown plugin Nope."))
    );

    // Validation: ConfigInfos.
    let a = api
        .call(
            "PUT",
            "/connector-plugins/FileStreamSinkConnector/config/validate",
            Some(json!({"connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector", "tasks.max": "abc", "transforms": "cast", "transforms.cast.type": "Cast$Value", "transforms.cast.spec": "int32", "value.converter": "JsonConverter", "value.converter.schemas.enable": "false", "producer.override.x": "1", "consumer.override.ssl.key.password": "pw"})),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let infos = a.body;
    assert_eq!(
        infos["name"],
        "org.apache.kafka.connect.file.FileStreamSinkConnector"
    );
    assert_eq!(
        infos["groups"],
        json!([
            "Common",
            "Transforms",
            "Predicates",
            "Error Handling",
            "Transforms: cast",
            "Schemas",
            "Serialization"
        ])
    );
    // name missing (1), tasks.max (2: parse + non-null), topics/topics.regex (2).
    assert_eq!(infos["error_count"], 5);
    let configs = infos["configs"].as_array().unwrap();
    assert_eq!(
        configs[0],
        json!({"definition": {"name": "name", "type": "STRING", "required": true, "default_value": null, "importance": "HIGH", "documentation": "Globally unique name to use for this connector.", "group": "Common", "order_in_group": 1, "width": "MEDIUM", "display_name": "Connector name", "dependents": []},
               "value": {"name": "name", "value": null, "recommended_values": [], "errors": ["Missing required configuration \"name\" which has no default value."], "visible": true}})
    );
    let by_name = |n: &str| {
        configs
            .iter()
            .find(|c| c["value"]["name"] == n || c["definition"]["name"] == n)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(
        by_name("tasks.max")["value"],
        json!({"name": "tasks.max", "value": null, "recommended_values": [], "errors": ["Invalid value abc for configuration tasks.max: Not a number of type INT", "Invalid value null for configuration tasks.max: Value must be non-null"], "visible": true})
    );
    assert_eq!(
        by_name("topics")["value"]["errors"],
        json!(["Must configure one of topics or topics.regex"])
    );
    assert_eq!(
        by_name("transforms.cast.type")["definition"]["group"],
        "Transforms: cast"
    );
    assert_eq!(by_name("transforms.cast.spec")["value"]["value"], "int32");
    assert_eq!(
        by_name("value.converter.schemas.enable")["value"]["value"],
        "false"
    );
    assert_eq!(
        by_name("consumer.override.ssl.key.password")["value"]["value"],
        "[hidden]"
    );
    assert_eq!(by_name("producer.override.x"), Value::Null);
    // KIP-891 (Apache 4.x): each plugin's version, defaulting to the installed one.
    assert_eq!(
        by_name("connector.plugin.version"),
        json!({"definition": {"name": "connector.plugin.version", "type": "STRING", "required": false, "default_value": sink_version, "importance": "MEDIUM", "documentation": "Version of the connector.", "group": "Common", "order_in_group": 3, "width": "MEDIUM", "display_name": "Connector version", "dependents": []},
               "value": {"name": "connector.plugin.version", "value": sink_version, "recommended_values": [sink_version], "errors": [], "visible": true}})
    );
    // Converters default to the worker's; a converter the connector names shows by its class.
    let converters = json!([
        "org.apache.kafka.connect.converters.BooleanConverter",
        "org.apache.kafka.connect.converters.ByteArrayConverter",
        "org.apache.kafka.connect.converters.DoubleConverter",
        "org.apache.kafka.connect.converters.FloatConverter",
        "org.apache.kafka.connect.converters.IntegerConverter",
        "org.apache.kafka.connect.converters.LongConverter",
        "org.apache.kafka.connect.converters.ShortConverter",
        "org.apache.kafka.connect.json.JsonConverter",
        "org.apache.kafka.connect.storage.StringConverter"
    ]);
    assert_eq!(
        by_name("key.converter"),
        json!({"definition": {"name": "key.converter", "type": "CLASS", "required": false, "default_value": "org.apache.kafka.connect.json.JsonConverter", "importance": "LOW", "documentation": "Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the keys in messages written to or read from Kafka, and since this is independent of connectors it allows any connector to work with any serialization format. Examples of common formats include JSON and Avro.", "group": "Common", "order_in_group": 6, "width": "SHORT", "display_name": "Key converter class", "dependents": []},
               "value": {"name": "key.converter", "value": "org.apache.kafka.connect.json.JsonConverter", "recommended_values": converters, "errors": [], "visible": true}})
    );
    assert_eq!(
        by_name("key.converter.plugin.version"),
        json!({"definition": {"name": "key.converter.plugin.version", "type": "STRING", "required": false, "default_value": json_version, "importance": "LOW", "documentation": "Version of the key converter.", "group": "Common", "order_in_group": 7, "width": "SHORT", "display_name": "Key converter version", "dependents": []},
               "value": {"name": "key.converter.plugin.version", "value": json_version, "recommended_values": [json_version], "errors": [], "visible": true}})
    );
    assert_eq!(
        by_name("value.converter")["value"]["value"],
        "org.apache.kafka.connect.json.JsonConverter"
    );
    let header = by_name("header.converter");
    assert_eq!(
        header["definition"]["documentation"],
        "HeaderConverter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the header values in messages written to or read from Kafka, and since this is independent of connectors it allows any connector to work with any serialization format. Examples of common formats include JSON and Avro. By default, the SimpleHeaderConverter is used to serialize header values to strings and deserialize them by inferring the schemas."
    );
    assert_eq!(
        header["definition"]["default_value"],
        "org.apache.kafka.connect.storage.SimpleHeaderConverter"
    );
    assert_eq!(
        header["value"]["recommended_values"]
            .as_array()
            .unwrap()
            .len(),
        converters.as_array().unwrap().len() + 1
    );
    assert_eq!(
        by_name("header.converter.plugin.version")["value"]["value"],
        header_version
    );
    assert_eq!(
        by_name("transforms.cast.plugin.version"),
        json!({"definition": {"name": "transforms.cast.plugin.version", "type": "STRING", "required": false, "default_value": cast_version, "importance": "HIGH", "documentation": "Version of the 'cast' transformation.", "group": "Transforms: cast", "order_in_group": 1, "width": "LONG", "display_name": "Transformation version for cast", "dependents": []},
               "value": {"name": "transforms.cast.plugin.version", "value": cast_version, "recommended_values": [cast_version], "errors": [], "visible": true}})
    );
    assert_eq!(
        by_name("transforms.cast.spec")["definition"]["order_in_group"],
        2
    );
    assert_eq!(
        by_name("errors.log.include.messages")["definition"]["documentation"]
            .as_str()
            .unwrap()
            .split_once(". ")
            .unwrap()
            .0,
        "Whether to include in the log the Connect record that resulted in a failure"
    );
    // Apache merges the connector's keys, then the client overrides, then the converters'.
    let position = |n: &str| {
        configs
            .iter()
            .position(|c| c["value"]["name"] == n)
            .unwrap()
    };
    assert!(
        position("consumer.override.ssl.key.password") < position("value.converter.schemas.enable")
    );
    // A version that is not installed is an error on the key and on the class it names.
    let a = api
        .call(
            "PUT",
            "/connector-plugins/FileStreamSink/config/validate",
            Some(json!({"connector.class": "FileStreamSink", "name": "v", "topics": "t", "value.converter": "JsonConverter", "value.converter.plugin.version": "[99.0,)", "transforms": "c", "transforms.c.type": "org.apache.kafka.connect.transforms.Cast$Value", "transforms.c.spec": "int32", "transforms.c.plugin.version": "(,0.0.0]"})),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["error_count"], 4);
    let configs = a.body["configs"].as_array().unwrap();
    let errors = |n: &str| {
        configs
            .iter()
            .find(|c| c["value"]["name"] == n)
            .map(|c| c["value"]["errors"].clone())
            .unwrap()
    };
    let json_missing = format!("Plugin org.apache.kafka.connect.json.JsonConverter not found that matches the version range [99.0,), available versions: [{json_version}, {json_version}]");
    assert_eq!(errors("value.converter"), json!([json_missing]));
    assert_eq!(
        errors("value.converter.plugin.version"),
        json!([json_missing])
    );
    let cast_missing = format!("Plugin org.apache.kafka.connect.transforms.Cast$Value not found that matches the version range (,0.0.0], available versions: [{cast_version}]");
    assert_eq!(errors("transforms.c.type"), json!([cast_missing]));
    assert_eq!(errors("transforms.c.plugin.version"), json!([cast_missing]));
    // Neither plugin's own keys are validated then.
    assert!(!configs
        .iter()
        .any(|c| c["value"]["name"] == "transforms.c.spec"
            || c["value"]["name"] == "value.converter.schemas.enable"));
    // A connector version that is not installed: only the common keys are validated.
    let a = api
        .call(
            "PUT",
            "/connector-plugins/FileStreamSink/config/validate",
            Some(json!({"connector.class": "FileStreamSink", "connector.plugin.version": "99.0", "topics": "t"})),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let connector_missing = format!("Plugin org.apache.kafka.connect.file.FileStreamSinkConnector not found that matches the version range [99.0,99.0], available versions: [{sink_version}]");
    assert_eq!(a.body["error_count"], 3);
    assert_eq!(
        a.body["groups"],
        json!(["Common", "Transforms", "Predicates", "Error Handling"])
    );
    let configs = a.body["configs"].as_array().unwrap();
    assert_eq!(
        configs[1]["value"],
        json!({"name": "connector.class", "value": "FileStreamSink", "recommended_values": [], "errors": [connector_missing], "visible": true})
    );
    assert_eq!(
        configs[2]["value"],
        json!({"name": "connector.plugin.version", "value": "99.0", "recommended_values": [sink_version], "errors": [connector_missing], "visible": true})
    );
    assert!(!configs.iter().any(|c| c["value"]["name"] == "topics"));
    // A malformed version range is the client's mistake.
    let a = api
        .call(
            "PUT",
            "/connector-plugins/FileStreamSink/config/validate",
            Some(json!({"connector.class": "FileStreamSink", "connector.plugin.version": "[1.0"})),
        )
        .await;
    assert_eq!(
        (a.status, a.body),
        (400, error(400, "Unbounded range: [1.0"))
    );
    let a = api
        .call(
            "PUT",
            "/connector-plugins/FileStreamSource/config/validate",
            Some(json!({"connector.class": "FileStreamSink"})),
        )
        .await;
    assert_eq!(
        (a.status, a.body),
        (
            400,
            error(
                400,
                "Included connector type FileStreamSink does not match request type FileStreamSource"
            )
        )
    );
    let a = api
        .call(
            "PUT",
            "/connector-plugins/FileStreamSource/config/validate",
            Some(json!({"connector.class": "FileStreamSource", "name": "v", "topic": "t", "foo": null})),
        )
        .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["error_count"], 1);
    assert_eq!(
        a.body["configs"][0],
        json!({"definition": null, "value": {"name": "foo", "value": null, "recommended_values": [], "errors": ["Null value can not be supplied as the configuration value."], "visible": true}})
    );
    assert_eq!(
        a.body["groups"],
        json!([
            "Common",
            "Transforms",
            "Predicates",
            "Error Handling",
            "Topic Creation",
            "Exactly Once Support",
            "offsets.topic"
        ])
    );

    // Loggers.
    let a = api.call("GET", "/admin/loggers", None).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["root"]["level"], "INFO");
    let a = api
        .call(
            "PUT",
            "/admin/loggers/connect_runtime::herder",
            Some(json!({"level": "debug"})),
        )
        .await;
    assert_eq!(
        (a.status, a.body),
        (200, json!(["connect_runtime::herder"]))
    );
    let a = api
        .call("GET", "/admin/loggers/connect_runtime::herder", None)
        .await;
    assert_eq!(a.body["level"], "DEBUG");
    assert!(a.body["last_modified"].is_i64());
    let a = api
        .call(
            "PUT",
            "/admin/loggers/connect_runtime",
            Some(json!({"level": "TRACE"})),
        )
        .await;
    assert_eq!(
        (a.status, a.body),
        (200, json!(["connect_runtime", "connect_runtime::herder"]))
    );
    let a = api
        .call(
            "PUT",
            "/admin/loggers/connect_runtime?scope=cluster",
            Some(json!({"level": "INFO"})),
        )
        .await;
    assert_eq!((a.status, a.body), (204, Value::Null));
    let a = api.call("GET", "/admin/loggers/never.seen", None).await;
    assert_eq!(
        (a.status, a.body),
        (404, error(404, "Logger never.seen not found."))
    );
    let a = api
        .call("PUT", "/admin/loggers/x", Some(json!({"level": "LOUD"})))
        .await;
    assert_eq!(
        (a.status, a.body),
        (404, error(404, "invalid log level 'LOUD'."))
    );
    let a = api.call("PUT", "/admin/loggers/x", Some(json!({}))).await;
    assert_eq!(
        (a.status, a.body),
        (
            400,
            error(
                400,
                "Desired 'level' parameter was not specified in request."
            )
        )
    );

    // Internal endpoints, unknown routes, wrong methods.
    let a = api
        .call("POST", "/connectors/rest-src/tasks", Some(json!([])))
        .await;
    assert_eq!(
        (a.status, a.body),
        (
            500,
            error(
                500,
                "Kafka Connect in standalone mode does not support externally setting task configurations."
            )
        )
    );
    let a = api.call("PUT", "/connectors/rest-src/fence", None).await;
    assert_eq!(a.status, 500);
    let a = api.call("GET", "/no/such/path", None).await;
    assert_eq!((a.status, a.body), (404, error(404, "HTTP 404 Not Found")));
    let a = api.call("POST", "/connectors/rest-src/status", None).await;
    assert_eq!(
        (a.status, a.body),
        (405, error(405, "HTTP 405 Method Not Allowed"))
    );

    // OpenAPI lists every public route.
    let a = api.call("GET", "/openapi.json", None).await;
    assert_eq!(a.status, 200);
    let paths = a.body["paths"].as_object().unwrap();
    for p in [
        "/",
        "/health",
        "/connectors",
        "/connectors/{name}",
        "/connectors/{name}/config",
        "/connectors/{name}/status",
        "/connectors/{name}/restart",
        "/connectors/{name}/pause",
        "/connectors/{name}/resume",
        "/connectors/{name}/stop",
        "/connectors/{name}/tasks",
        "/connectors/{name}/tasks-config",
        "/connectors/{name}/tasks/{task}/status",
        "/connectors/{name}/tasks/{task}/restart",
        "/connectors/{name}/topics",
        "/connectors/{name}/topics/reset",
        "/connectors/{name}/offsets",
        "/connector-plugins",
        "/connector-plugins/{plugin}/config",
        "/connector-plugins/{plugin}/config/validate",
        "/admin/loggers",
        "/admin/loggers/{logger}",
    ] {
        assert!(paths.contains_key(p), "{p} missing from the OpenAPI paths");
    }
    assert!(paths["/connectors/{name}/offsets"]
        .as_object()
        .unwrap()
        .contains_key("patch"));

    // Delete.
    let a = api.call("DELETE", "/connectors/rest-src", None).await;
    assert_eq!((a.status, a.body), (204, Value::Null));
    let a = api.call("GET", "/connectors/rest-src", None).await;
    assert_eq!(
        (a.status, a.body),
        (404, error(404, "Connector rest-src not found"))
    );
    let a = api.call("GET", "/connectors/rest-src/status", None).await;
    assert_eq!(
        (a.status, a.body),
        (404, error(404, "No status found for connector rest-src"))
    );
    let a = api.call("DELETE", "/connectors/rest-src", None).await;
    assert_eq!(
        (a.status, a.body),
        (404, error(404, "Connector rest-src not found"))
    );
    for path in ["config", "tasks", "tasks-config"] {
        let a = api
            .call("GET", &format!("/connectors/rest-src/{path}"), None)
            .await;
        assert_eq!(
            (a.status, a.body),
            (404, error(404, "Connector rest-src not found"))
        );
    }
    // Names with odd characters are one path segment.
    let a = api
        .call(
            "POST",
            "/connectors",
            Some(json!({"name": "odd name/é?", "config": {"connector.class": "FileStreamSource", "topic": "rest-topic", "file": input_s, "initial_state": null}})),
        )
        .await;
    assert_eq!(a.status, 400, "{}", a.body);
    let a = api
        .call(
            "POST",
            "/connectors",
            Some(json!({"name": "odd name/é?", "config": {"connector.class": "FileStreamSource", "topic": "rest-topic", "file": input_s}, "initial_state": "paused"})),
        )
        .await;
    assert_eq!(a.status, 201, "{}", a.body);
    assert!(a
        .location
        .unwrap()
        .ends_with("/connectors/odd%20name/%C3%A9%3F"));
    let a = api
        .call("GET", "/connectors/odd%20name%2F%C3%A9%3F/status", None)
        .await;
    assert_eq!(a.body["connector"]["state"], "PAUSED");
    drop(connect);
}
