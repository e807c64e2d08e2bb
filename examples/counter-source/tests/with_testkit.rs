//! The counter tested with connect-testkit: in process, then under a real worker.

use std::time::Duration;

use connect_api::prelude::*;
use connect_testkit::{SourceAcceptance, SourceTaskHarness};
use counter_source::CounterTask;

fn props() -> Props {
    Props::from([
        ("name".into(), "counter".into()),
        ("connector.class".into(), "CounterSource".into()),
        ("tasks.max".into(), "1".into()),
        ("topic".into(), "numbers".into()),
    ])
}

#[test]
fn passes_the_acceptance_checks() {
    let acceptance = SourceAcceptance::for_plugin("CounterSource", props());
    acceptance
        .expect("CounterSource is registered")
        .run()
        .assert_passed();
}

#[tokio::test]
async fn resumes_after_the_committed_count() -> Result<()> {
    let mut harness = SourceTaskHarness::new::<CounterTask>(props());
    harness.start().await?;
    let first = harness.poll_records(5, Duration::from_secs(5)).await?;
    assert_eq!(first[4].value, Value::from("count #5"));
    harness.commit_first(3).await?;
    harness.crash();
    harness.start().await?;
    let again = harness.poll_records(1, Duration::from_secs(5)).await?;
    assert_eq!(again[0].value, Value::from("count #4"));
    Ok(())
}

#[tokio::test]
async fn writes_json_strings_with_the_default_converter() -> Result<()> {
    let mut harness = SourceTaskHarness::new::<CounterTask>(props());
    harness.start().await?;
    let out = harness.poll_to_kafka(1, Duration::from_secs(5)).await?;
    assert_eq!(out[0].topic, "numbers");
    assert_eq!(
        out[0].value_str(),
        Some(r#"{"schema":{"type":"string","optional":false},"payload":"count #1"}"#)
    );
    Ok(())
}

/// Under the stock standalone worker, against a tansu broker, both started by the kit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counts_into_kafka_under_a_real_worker() -> anyhow::Result<()> {
    let worker = connect_testkit::worker::TestWorker::start().await?;
    worker.create_topic("numbers", 1).await?;
    worker.create_connector("counter", &props()).await?;
    worker
        .await_running("counter", 1, Duration::from_secs(60))
        .await?;
    let values = worker
        .consume_strings("numbers", 3, Duration::from_secs(60))
        .await?;
    assert_eq!(values[..3], ["count #1", "count #2", "count #3"]);
    worker.stop().await;
    Ok(())
}
