//! Runs `scripts/kafka_connect_py_check.py`, which drives every operation of the PyPI client
//! `kafka-connect-py` against a worker. Skipped (passing) when `python3` or the client is not
//! installed: `pip install kafka-connect-py` to enable it.

#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use std::process::Command;

use common::*;

fn client_installed() -> bool {
    Command::new("python3")
        .args(["-c", "import kafka_connect"])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[tokio::test(flavor = "multi_thread")]
async fn kafka_connect_py_performs_every_operation() {
    if !client_installed() {
        eprintln!("skipped: python3 with kafka-connect-py is not installed");
        return;
    }
    let broker = Broker::start();
    broker.topic_for_producing("py-topic").await;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    std::fs::write(&input, "alpha\nbeta\n").unwrap();
    let output = dir.path().join("out.txt");
    let port = free_port();
    let worker = worker_properties(dir.path(), &broker.bootstrap, port, &[]);
    let connect = ConnectProcess::start(&worker, &[], port, &dir.path().join("connect.log"));
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scripts/kafka_connect_py_check.py"
    );
    let out = tokio::task::spawn_blocking({
        let rest = connect.rest.clone();
        let input = input.to_str().unwrap().to_owned();
        let output = output.to_str().unwrap().to_owned();
        move || {
            Command::new("python3")
                .args([script, &rest, &input, &output, "py-topic"])
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "kafka-connect-py check failed:\n{}\n{}\nworker log:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        std::fs::read_to_string(&connect.log).unwrap_or_default()
    );
}
