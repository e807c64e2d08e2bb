//! Our Connect group membership beside Apache's distributed worker, both ways round:
//!
//! - our member joins the group Apache's worker leads, offering Apache's sub-protocols with
//!   Apache's metadata; the leader hands it a share of the work in Apache's assignment format
//!   (and stops running that share itself); when our member leaves, Apache's worker takes the
//!   work back;
//! - our member leads, with our assignor: Apache's worker joins, gets its share in two
//!   cooperative rounds and runs it.
//!
//! Apache's broker: this is the group coordinator Apache's workers use in production.

#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use std::time::{Duration, Instant};

use bytes::Bytes;
use common::apache_available;
use std::collections::BTreeMap;

use connect_runtime::herder::assignor::CooperativeAssignor;
use connect_runtime::herder::connect_protocol::{
    merge, offered_protocols, Allocation, Assignment, WorkerMetadata,
};
use connect_runtime::kafka::group_member::{GroupMember, Heartbeat, MemberConfig};
use connect_runtime::kafka::ClientProps;
use connect_runtime::storage::{ConfigBackingStore, KafkaConfigBackingStore};
use serde_json::{json, Value};

async fn status(http: &reqwest::Client, base: &str, connector: &str) -> Value {
    let r = http
        .get(format!("{base}/connectors/{connector}/status"))
        .send()
        .await
        .unwrap();
    r.json().await.unwrap_or(Value::Null)
}

const CONNECTORS: [&str; 2] = ["copy-a", "copy-b"];

/// Waits until Apache's worker runs both connectors and their tasks itself, and returns
/// its worker id.
async fn wait_until_apache_runs_everything(http: &reqwest::Client, base: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let mut ids = std::collections::BTreeSet::new();
        let mut running = true;
        for name in CONNECTORS {
            let s = status(http, base, name).await;
            running &= state_of(&s, -1) == "RUNNING" && state_of(&s, 0) == "RUNNING";
            ids.insert(
                s["connector"]["worker_id"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned(),
            );
            ids.insert(s["tasks"][0]["worker_id"].as_str().unwrap_or("").to_owned());
        }
        if running && ids.len() == 1 {
            return ids.into_iter().next().unwrap_or_default();
        }
        assert!(
            Instant::now() < deadline,
            "Apache's worker does not run everything"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// The state Apache's worker reports for `item` of a connector (-1: the connector).
/// Whether the status topic says `worker` stopped `key` (`status-connector-<c>` or
/// `status-task-<c>-<n>`): an UNASSIGNED record of its after its last RUNNING one. Apache's
/// REST status may still show RUNNING then, since its store ignores an UNASSIGNED written in
/// the same generation as the RUNNING it follows.
fn released_in_status_topic(bootstrap: &str, topic: &str, key: &str, worker: &str) -> bool {
    use rdkafka::consumer::{BaseConsumer, Consumer};
    use rdkafka::{ClientConfig, Message, Offset, TopicPartitionList};
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", "status-reader")
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    let metadata = consumer
        .fetch_metadata(Some(topic), Duration::from_secs(10))
        .unwrap();
    let mut tpl = TopicPartitionList::new();
    let mut ends = BTreeMap::new();
    for p in metadata.topics()[0].partitions() {
        let (_, high) = consumer
            .fetch_watermarks(topic, p.id(), Duration::from_secs(10))
            .unwrap();
        ends.insert(p.id(), high);
        tpl.add_partition_offset(topic, p.id(), Offset::Beginning)
            .unwrap();
    }
    consumer.assign(&tpl).unwrap();
    let mut read: BTreeMap<i32, i64> = BTreeMap::new();
    let mut released = false;
    let deadline = Instant::now() + Duration::from_secs(30);
    while ends
        .iter()
        .any(|(p, e)| read.get(p).copied().unwrap_or(0) < *e)
        && Instant::now() < deadline
    {
        let Some(Ok(m)) = consumer.poll(Duration::from_millis(200)) else {
            continue;
        };
        read.insert(m.partition(), m.offset() + 1);
        if m.key() != Some(key.as_bytes()) {
            continue;
        }
        let v: Value = m
            .payload()
            .and_then(|p| serde_json::from_slice(p).ok())
            .unwrap_or(Value::Null);
        if v["worker_id"] == worker {
            match v["state"].as_str() {
                Some("RUNNING") => released = false,
                Some("UNASSIGNED") => released = true,
                _ => {}
            }
        }
    }
    released
}

fn state_of(s: &Value, item: i32) -> String {
    let v = if item < 0 {
        &s["connector"]["state"]
    } else {
        &s["tasks"][item as usize]["state"]
    };
    v.as_str().unwrap_or("").to_owned()
}

/// Our member's settings: Apache's defaults for a worker.
fn member_config(bootstrap: &str, group: &str) -> MemberConfig {
    MemberConfig {
        bootstrap: vec![bootstrap.to_owned()],
        group_id: group.to_owned(),
        client_id: "connect-127.0.0.1:9".to_owned(),
        protocol_type: "connect".to_owned(),
        session_timeout: Duration::from_secs(10),
        rebalance_timeout: Duration::from_secs(60),
        request_timeout: Duration::from_secs(40),
    }
}

fn protocols(allocation: Option<&Allocation>) -> Vec<(String, Bytes)> {
    offered_protocols("sessioned")
        .unwrap()
        .iter()
        .map(|(name, version)| {
            let metadata = WorkerMetadata {
                version: *version,
                url: "http://127.0.0.1:9/".to_owned(),
                config_offset: -1,
                allocation: allocation.cloned(),
            };
            ((*name).to_owned(), metadata.encode())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_member_takes_a_share_of_apaches_cluster_and_hands_it_back() {
    if !apache_available("our_member_takes_a_share_of_apaches_cluster_and_hands_it_back") {
        return;
    }
    let broker = connect_testbed::Broker::apache(&[]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (worker_props, port) = common::apache_distributed_properties(
        dir.path(),
        &broker.bootstrap,
        "mixed-group",
        "g",
        &["scheduled.rebalance.max.delay.ms=2000"],
    );
    let java = connect_testbed::apache::ApacheWorker::distributed(
        &worker_props,
        port,
        &dir.path().join("apache-distributed.log"),
    )
    .unwrap();
    let http = reqwest::Client::new();
    let base = java.rest.clone();
    // Two connectors of one task each: two connector instances and two tasks to share.
    for name in CONNECTORS {
        let input = dir.path().join(format!("{name}.txt"));
        std::fs::write(&input, "x\n").unwrap();
        let r = http
            .post(format!("{base}/connectors"))
            .json(&json!({"name": name, "config": {
                "connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
                "tasks.max": "1", "file": input.to_str().unwrap(), "topic": name,
            }}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    wait_until_apache_runs_everything(&http, &base).await;

    let mut member = GroupMember::connect(member_config(&broker.bootstrap, "mixed-group"))
        .await
        .unwrap();

    // Join, sync, and follow the leader's rebalances until it hands us work.
    let mut mine = Allocation::new();
    let mut first = None;
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut rejoin = true;
    while mine.is_empty() {
        assert!(
            Instant::now() < deadline,
            "Apache's leader never gave our member work"
        );
        if rejoin {
            let current = (!mine.is_empty()).then_some(&mine);
            let joined = member.join(&protocols(current)).await.unwrap();
            assert_eq!(joined.protocol, "sessioned");
            assert!(!joined.is_leader(), "Apache's worker, there first, leads");
            let Some(bytes) = member.sync(Vec::new()).await.unwrap() else {
                continue;
            };
            let a = Assignment::decode(bytes).unwrap();
            assert_eq!((a.version, a.error), (2, 0), "{a:?}");
            assert_eq!(a.leader, joined.leader);
            first.get_or_insert(a.clone());
            mine = merge(&mine, &a);
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        rejoin = member.heartbeat().await.unwrap() == Heartbeat::Rejoin;
    }
    let first = first.unwrap();
    assert_eq!(first.leader_url, format!("http://127.0.0.1:{port}/"));
    assert!(first.config_offset >= 0, "{first:?}");
    // A fair share: one connector instance and one task.
    let items: Vec<(String, i32)> = mine
        .iter()
        .flat_map(|(c, items)| items.iter().map(move |i| (c.clone(), *i)))
        .collect();
    assert_eq!(items.len(), 2, "{mine:?}");
    assert_eq!(
        items.iter().filter(|(_, i)| *i == -1).count(),
        1,
        "{mine:?}"
    );
    assert!(
        items
            .iter()
            .all(|(c, i)| CONNECTORS.contains(&c.as_str()) && *i <= 0),
        "{mine:?}"
    );

    // Apache's worker stopped running what it handed over (a JVM on a busy two-core machine
    // can take a while to stop a task and report it).
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let mut handed_over = true;
        for (connector, item) in &items {
            let key = if *item < 0 {
                format!("status-connector-{connector}")
            } else {
                format!("status-task-{connector}-{item}")
            };
            handed_over &= state_of(&status(&http, &base, connector).await, *item) == "UNASSIGNED"
                || released_in_status_topic(
                    &broker.bootstrap,
                    "g-status",
                    &key,
                    &format!("127.0.0.1:{port}"),
                );
        }
        if handed_over {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "Apache's worker still runs some of {items:?}"
        );
        if member.heartbeat().await.unwrap() == Heartbeat::Rejoin {
            let joined = member.join(&protocols(Some(&mine))).await.unwrap();
            assert!(!joined.is_leader());
            if let Some(bytes) = member.sync(Vec::new()).await.unwrap() {
                mine = merge(&mine, &Assignment::decode(bytes).unwrap());
            }
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    // Our member leaves: Apache's worker runs everything again.
    member.leave().await.unwrap();
    wait_until_apache_runs_everything(&http, &base).await;
    drop(java);
}

/// Rebalance rounds of our member as the group's leader until it has nothing to revoke
/// (a member that had work revoked rejoins at once, as Apache's do): join, assign every
/// member's work with `assignor` over `configured`, sync, merge our own share into `mine`.
async fn lead_round(
    member: &mut GroupMember,
    assignor: &mut CooperativeAssignor,
    configured: &BTreeMap<String, usize>,
    config_offset: i64,
    mine: &mut Allocation,
) -> Option<Assignment> {
    loop {
        let a = lead_one_round(member, assignor, configured, config_offset, mine).await?;
        if a.revoked.is_empty() {
            return Some(a);
        }
    }
}

async fn lead_one_round(
    member: &mut GroupMember,
    assignor: &mut CooperativeAssignor,
    configured: &BTreeMap<String, usize>,
    config_offset: i64,
    mine: &mut Allocation,
) -> Option<Assignment> {
    let ours: Vec<(String, Bytes)> = [("compatible", 1), ("default", 0)]
        .iter()
        .map(|(name, version)| {
            let md = WorkerMetadata {
                version: *version,
                url: OUR_URL.to_owned(),
                config_offset,
                allocation: Some(mine.clone()),
            };
            ((*name).to_owned(), md.encode())
        })
        .collect();
    let joined = member.join(&ours).await.unwrap();
    assert!(joined.is_leader(), "our member, there first, leads");
    assert_eq!(joined.protocol, "compatible");
    let members: BTreeMap<String, Allocation> = joined
        .members
        .iter()
        .map(|(id, md)| {
            let md = WorkerMetadata::decode(md.clone()).unwrap();
            (id.clone(), md.allocation.unwrap_or_default())
        })
        .collect();
    let round = assignor.assign(&members, configured, Instant::now());
    let assignments = round
        .members
        .iter()
        .map(|(id, a)| {
            let assignment = Assignment {
                version: 1,
                error: 0,
                leader: joined.member_id.clone(),
                leader_url: OUR_URL.to_owned(),
                config_offset,
                assigned: a.assigned.clone(),
                revoked: a.revoked.clone(),
                delay: round.delay.as_millis() as i32,
            };
            (id.clone(), assignment.encode())
        })
        .collect();
    let bytes = member.sync(assignments).await.unwrap()?;
    let a = Assignment::decode(bytes).unwrap();
    *mine = merge(mine, &a);
    Some(a)
}

const OUR_URL: &str = "http://127.0.0.1:9/";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apaches_worker_runs_what_our_leader_assigns_it() {
    if !apache_available("apaches_worker_runs_what_our_leader_assigns_it") {
        return;
    }
    let broker = connect_testbed::Broker::apache(&[]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let client = ClientProps::from([("bootstrap.servers".to_owned(), broker.bootstrap.clone())]);

    // Two connectors of one task each, written to the config topic as a leader writes them.
    let configs = KafkaConfigBackingStore::open(&client, &client, &client, "l-configs", 1)
        .await
        .unwrap();
    let mut configured = BTreeMap::new();
    for name in CONNECTORS {
        let input = dir.path().join(format!("{name}.txt"));
        std::fs::write(&input, "x\n").unwrap();
        let config: connect_api::connector::Props = [
            (
                "connector.class",
                "org.apache.kafka.connect.file.FileStreamSourceConnector",
            ),
            ("name", name),
            ("tasks.max", "1"),
            ("file", input.to_str().unwrap()),
            ("topic", name),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        configs
            .put_connector_config(name, config.clone(), None)
            .await
            .unwrap();
        let mut task = config;
        task.insert(
            "task.class".into(),
            "org.apache.kafka.connect.file.FileStreamSourceTask".into(),
        );
        configs.put_task_configs(name, vec![task]).await.unwrap();
        configured.insert(name.to_owned(), 1);
    }
    let offset = configs.offset();
    assert!(offset > 0);

    // Our member joins first and leads; alone, it takes everything.
    let mut member = GroupMember::connect(member_config(&broker.bootstrap, "lead-group"))
        .await
        .unwrap();
    let mut assignor = CooperativeAssignor::new(Duration::from_secs(30));
    let mut mine = Allocation::new();
    lead_round(&mut member, &mut assignor, &configured, offset, &mut mine)
        .await
        .unwrap();
    assert_eq!(mine.values().map(Vec::len).sum::<usize>(), 4, "{mine:?}");

    // Apache's worker joins: we give it its share, and it runs it.
    let (worker_props, port) = common::apache_distributed_properties(
        dir.path(),
        &broker.bootstrap,
        "lead-group",
        "l",
        &["scheduled.rebalance.max.delay.ms=2000"],
    );
    // Apache's worker is healthy only once it joined, which needs our member to lead the
    // rounds its arrival starts: run them while it starts.
    let (tx, mut rx) = tokio::sync::oneshot::channel();
    let log = dir.path().join("apache-distributed.log");
    std::thread::spawn(move || {
        let _ = tx.send(connect_testbed::apache::ApacheWorker::distributed(
            &worker_props,
            port,
            &log,
        ));
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    let java = loop {
        if let Ok(started) = rx.try_recv() {
            break started.unwrap();
        }
        assert!(Instant::now() < deadline, "Apache's worker did not start");
        if member.heartbeat().await.unwrap() == Heartbeat::Rejoin {
            lead_round(&mut member, &mut assignor, &configured, offset, &mut mine).await;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let http = reqwest::Client::new();
    let base = java.rest.clone();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if member.heartbeat().await.unwrap() == Heartbeat::Rejoin {
            lead_round(&mut member, &mut assignor, &configured, offset, &mut mine).await;
        }
        // What we no longer hold, Apache's worker runs.
        let theirs: Vec<(String, i32)> = CONNECTORS
            .iter()
            .flat_map(|c| [(c.to_string(), -1), (c.to_string(), 0)])
            .filter(|(c, i)| !mine.get(c).is_some_and(|t| t.contains(i)))
            .collect();
        let mut running = theirs.len() == 2;
        for (c, i) in &theirs {
            running &= state_of(&status(&http, &base, c).await, *i) == "RUNNING";
        }
        if running {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "Apache's worker never ran its share; we hold {mine:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(mine.values().map(Vec::len).sum::<usize>(), 2, "{mine:?}");

    // We leave: Apache's worker leads and, after its delay, runs everything.
    member.leave().await.unwrap();
    wait_until_apache_runs_everything(&http, &base).await;
    drop(java);
}
