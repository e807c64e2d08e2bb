//! The harness itself: brokers start, answer, run side by side, and leave nothing behind.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use connect_testbed::{apache, Broker};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::ClientConfig;

fn broker_count(bootstrap: &str) -> usize {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .unwrap();
    consumer
        .fetch_metadata(None, Duration::from_secs(10))
        .unwrap()
        .brokers()
        .len()
}

#[test]
fn two_apache_brokers_run_side_by_side_and_are_cleaned_up() {
    if let Some(why) = apache::unavailable() {
        assert!(
            std::env::var("CONNECT_TEST_REQUIRE_APACHE").as_deref() != Ok("1"),
            "needs Apache Kafka: {why}"
        );
        eprintln!("skipping: Apache Kafka cannot run here ({why})");
        return;
    }
    apache::ApacheKafka::get().unwrap();
    // Two clusters at once, as MirrorMaker 2's tests need.
    let started = Instant::now();
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| Broker::apache(&[]).unwrap());
        let b = s.spawn(|| Broker::apache(&[]).unwrap());
        (a.join().unwrap(), b.join().unwrap())
    });
    eprintln!(
        "two Apache Kafka brokers ready (answering metadata) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert_ne!(a.bootstrap, b.bootstrap);
    assert_eq!(broker_count(&a.bootstrap), 1);
    assert_eq!(broker_count(&b.bootstrap), 1);
    let log = a.log.clone();
    let data_dir = log.parent().unwrap().to_path_buf();
    assert!(data_dir.is_dir());
    drop(a);
    assert!(!data_dir.exists(), "the broker's directory outlived it");
    assert_eq!(
        broker_count(&b.bootstrap),
        1,
        "stopping one stopped the other"
    );

    // One alone, for the start-up figure.
    let started = Instant::now();
    let c = Broker::apache(&[]).unwrap();
    eprintln!(
        "one Apache Kafka broker ready in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    drop(c);
}

#[test]
fn a_tansu_broker_answers_metadata() {
    let started = Instant::now();
    let broker = Broker::tansu().unwrap();
    eprintln!("tansu ready in {:.2} s", started.elapsed().as_secs_f64());
    assert_eq!(broker_count(&broker.bootstrap), 1);
}
