//! The task harnesses do what the worker does: sink context calls honoured, rebalances,
//! converters and transformations applied with the worker's code.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use connect_api::prelude::*;
use connect_testkit::{ContextCall, KafkaRecord, SinkTaskHarness, SourceTaskHarness};

/// Keeps `topic/partition/offset=value` of what it is given; pauses partition 1 of `in` on
/// the first record from it, and rewinds partition 0 to offset 0 once it saw offset 2.
#[derive(Default)]
struct Recorder {
    seen: Arc<Mutex<Vec<String>>>,
    closed: Arc<Mutex<Vec<TopicPartition>>>,
    context: Option<Arc<dyn SinkTaskContext>>,
    rewound: bool,
}

#[async_trait]
impl SinkTask for Recorder {
    fn initialize(&mut self, context: Arc<dyn SinkTaskContext>) {
        self.context = Some(context);
    }
    async fn start(&mut self, _props: Props) -> Result<()> {
        Ok(())
    }
    async fn put(&mut self, records: &[SinkRecord]) -> Result<()> {
        let ctx = self
            .context
            .clone()
            .ok_or_else(|| ConnectError::other("no context"))?;
        for r in records {
            let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
            seen.push(format!(
                "{}/{}/{}={}",
                r.topic, r.kafka_partition, r.kafka_offset, r.value
            ));
            if r.kafka_partition == 1 {
                ctx.pause(&[TopicPartition::new("in", 1)]);
            }
            if r.kafka_partition == 0 && r.kafka_offset == 2 && !self.rewound {
                self.rewound = true;
                ctx.offset(TopicPartition::new("in", 0), 0);
            }
        }
        Ok(())
    }
    async fn close(&mut self, partitions: &[TopicPartition]) -> Result<()> {
        let mut closed = self.closed.lock().unwrap_or_else(|e| e.into_inner());
        closed.extend(partitions.iter().cloned());
        Ok(())
    }
    async fn stop(&mut self) -> Result<()> {
        Ok(())
    }
}

fn text(partition: i32, value: &str) -> SinkRecord {
    SinkRecord::new(
        "in",
        partition,
        None,
        Value::Null,
        Some(STRING_SCHEMA.clone()),
        value.into(),
        0,
    )
}

type Shared<T> = Arc<Mutex<Vec<T>>>;

fn recorder() -> (SinkTaskHarness, Shared<String>, Shared<TopicPartition>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let closed = Arc::new(Mutex::new(Vec::new()));
    let (s, c) = (seen.clone(), closed.clone());
    let harness = SinkTaskHarness::with_factory(
        Arc::new(move || {
            Box::new(Recorder {
                seen: s.clone(),
                closed: c.clone(),
                ..Recorder::default()
            })
        }),
        Props::from([("topics".to_owned(), "in".to_owned())]),
    );
    (harness, seen, closed)
}

fn taken(seen: &Mutex<Vec<String>>) -> Vec<String> {
    std::mem::take(&mut *seen.lock().unwrap_or_else(|e| e.into_inner()))
}

#[tokio::test]
async fn pauses_and_rewinds_are_honoured_and_recorded() -> Result<()> {
    let (mut h, seen, _) = recorder();
    h.max_batch = 1;
    for v in ["a0", "a1", "a2"] {
        h.send(text(0, v));
    }
    for v in ["b0", "b1"] {
        h.send(text(1, v));
    }
    // Records of a topic the task does not subscribe to are never delivered.
    h.send(SinkRecord::new(
        "other",
        0,
        None,
        Value::Null,
        None,
        "x".into(),
        0,
    ));
    h.start().await?;
    assert_eq!(
        h.assignment(),
        [TopicPartition::new("in", 0), TopicPartition::new("in", 1)]
    );
    h.deliver_all(20).await?;
    let got = taken(&seen);
    // Partition 1 paused after its first record; partition 0 rewound once after offset 2.
    assert_eq!(
        got,
        [
            "in/0/0=a0",
            "in/1/0=b0",
            "in/0/1=a1",
            "in/0/2=a2",
            "in/0/0=a0",
            "in/0/1=a1",
            "in/0/2=a2"
        ]
    );
    let calls = h.context_calls();
    assert!(calls.contains(&ContextCall::Pause(vec![TopicPartition::new("in", 1)])));
    assert!(calls.iter().any(
        |c| matches!(c, ContextCall::Offsets(o) if o.get(&TopicPartition::new("in", 0)) == Some(&0))
    ));
    assert!(h.paused().contains(&TopicPartition::new("in", 1)));
    Ok(())
}

#[tokio::test]
async fn a_rebalance_commits_and_closes_what_is_revoked() -> Result<()> {
    let (mut h, seen, closed) = recorder();
    h.send(text(0, "a0"));
    h.start().await?;
    h.deliver_all(5).await?;
    let p0 = TopicPartition::new("in", 0);
    h.rebalance(std::slice::from_ref(&p0), &[]).await?;
    assert_eq!(h.committed().get(&p0), Some(&1));
    assert_eq!(
        *closed.lock().unwrap_or_else(|e| e.into_inner()),
        std::slice::from_ref(&p0)
    );
    assert!(h.assignment().is_empty());
    h.send(text(0, "a1"));
    h.rebalance(&[], std::slice::from_ref(&p0)).await?;
    h.deliver_all(5).await?;
    assert_eq!(taken(&seen), ["in/0/0=a0", "in/0/1=a1"]);
    Ok(())
}

#[tokio::test]
async fn bytes_go_through_the_converters_and_transformations() -> Result<()> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let props = Props::from([
        ("topics".to_owned(), "in".to_owned()),
        (
            "value.converter".to_owned(),
            "org.apache.kafka.connect.json.JsonConverter".to_owned(),
        ),
        (
            "value.converter.schemas.enable".to_owned(),
            "false".to_owned(),
        ),
        ("transforms".to_owned(), "route".to_owned()),
        ("transforms.route.type".to_owned(), "RegexRouter".to_owned()),
        ("transforms.route.regex".to_owned(), "(.*)".to_owned()),
        (
            "transforms.route.replacement".to_owned(),
            "$1-copy".to_owned(),
        ),
    ]);
    let factory_seen = seen.clone();
    let mut h = SinkTaskHarness::with_factory(
        Arc::new(move || {
            Box::new(Recorder {
                seen: factory_seen.clone(),
                ..Recorder::default()
            })
        }),
        props,
    );
    h.send_bytes(0, &KafkaRecord::new("in", r#""hello""#))?;
    // Bytes the converter cannot read are an error, as the worker's error policy sees it.
    assert!(h
        .send_bytes(0, &KafkaRecord::new("in", "{not json"))
        .is_err());
    h.start().await?;
    h.deliver_all(5).await?;
    assert_eq!(taken(&seen), ["in-copy/0/0=hello"]);
    Ok(())
}

#[derive(Default)]
struct Once {
    done: bool,
}

#[async_trait]
impl SourceTask for Once {
    async fn start(&mut self, _props: Props) -> Result<()> {
        Ok(())
    }
    async fn poll(&mut self) -> Result<Vec<SourceRecord>> {
        if std::mem::replace(&mut self.done, true) {
            return Ok(Vec::new());
        }
        let p = Arc::new(SourcePartition::new());
        let headers = {
            let mut h = Headers::new();
            h.add_string("origin", Some("test"));
            h
        };
        Ok(vec![SourceRecord::new(
            p,
            SourceOffset::new(),
            "out",
            Some(STRING_SCHEMA.clone()),
            "v",
        )
        .with_key(Some(STRING_SCHEMA.clone()), "k")
        .with_headers(headers)])
    }
    async fn stop(&mut self) -> Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn polled_records_reach_kafka_transformed_and_converted() -> Result<()> {
    let props = Props::from([
        (
            "key.converter".to_owned(),
            "org.apache.kafka.connect.storage.StringConverter".to_owned(),
        ),
        (
            "value.converter".to_owned(),
            "org.apache.kafka.connect.json.JsonConverter".to_owned(),
        ),
        ("transforms".to_owned(), "route".to_owned()),
        ("transforms.route.type".to_owned(), "RegexRouter".to_owned()),
        ("transforms.route.regex".to_owned(), "out".to_owned()),
        (
            "transforms.route.replacement".to_owned(),
            "renamed".to_owned(),
        ),
    ]);
    let mut h = SourceTaskHarness::new::<Once>(props);
    h.start().await?;
    let out = h.poll_to_kafka(1, Duration::from_secs(5)).await?;
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].topic, "renamed");
    assert_eq!(out[0].key_str(), Some("k"));
    assert_eq!(
        out[0].value_str(),
        Some(r#"{"schema":{"type":"string","optional":false},"payload":"v"}"#)
    );
    assert_eq!(
        out[0].headers,
        [("origin".to_owned(), Some(b"test".to_vec()))]
    );
    Ok(())
}

#[tokio::test]
async fn topics_regex_matches_whole_names_and_a_bad_one_fails_start() -> Result<()> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let factory: connect_testkit::sink::SinkTaskFactory = Arc::new(move || {
        Box::new(Recorder {
            seen: s.clone(),
            ..Recorder::default()
        })
    });
    let props = Props::from([("topics.regex".to_owned(), "orders".to_owned())]);
    let mut h = SinkTaskHarness::with_factory(factory.clone(), props);
    for topic in ["orders", "orders-dlq"] {
        h.send(SinkRecord::new(
            topic,
            0,
            None,
            Value::Null,
            None,
            "v".into(),
            0,
        ));
    }
    h.start().await?;
    h.deliver_all(5).await?;
    assert_eq!(taken(&seen), ["orders/0/0=v"]);

    let bad = Props::from([("topics.regex".to_owned(), "(".to_owned())]);
    let mut h = SinkTaskHarness::with_factory(factory, bad);
    let err = h
        .start()
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("topics.regex"), "{err}");
    Ok(())
}
