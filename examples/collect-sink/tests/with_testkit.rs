//! The collecting sink tested with connect-testkit: the acceptance checks, and the worker's
//! commit and restart cycle in process.

use collect_sink::{CollectTask, STORE};
use connect_api::prelude::*;
use connect_testkit::{SinkAcceptance, SinkTaskHarness};

fn stored() -> Vec<String> {
    STORE.lock().map(|s| s.clone()).unwrap_or_default()
}

fn props() -> Props {
    Props::from([
        ("name".into(), "collect".into()),
        ("connector.class".into(), "CollectSink".into()),
        ("topics".into(), "orders".into()),
    ])
}

#[test]
fn passes_the_acceptance_checks() {
    SinkAcceptance::for_plugin("CollectSink", props())
        .expect("CollectSink is registered")
        .persisted(stored)
        .identity(|r| format!("{}:{}={}", r.topic, r.kafka_offset, r.value))
        .run()
        .assert_passed();
}

fn order(n: i64) -> SinkRecord {
    SinkRecord::new(
        "orders",
        0,
        None,
        Value::Null,
        Some(STRING_SCHEMA.clone()),
        format!("order {n}").into(),
        0,
    )
}

#[tokio::test]
async fn records_become_durable_on_commit_and_survive_a_crash() -> Result<()> {
    let mut harness = SinkTaskHarness::new::<CollectTask>(props());
    for n in 0..3 {
        harness.send(order(n));
    }
    harness.start().await?;
    assert_eq!(harness.deliver_all(10).await?, 3);
    let committed = harness.commit().await?;
    assert_eq!(committed[&TopicPartition::new("orders", 0)], 3);
    assert!(stored().contains(&"orders:2=order 2".to_owned()));

    // Delivered but not committed when the worker dies: delivered again after the restart.
    harness.send(order(3));
    harness.deliver_all(10).await?;
    harness.crash();
    harness.start().await?;
    assert_eq!(harness.deliver_all(10).await?, 1);
    Ok(())
}
