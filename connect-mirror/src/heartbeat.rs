//! [`MirrorHeartbeatConnector`]: one task writing a heartbeat of the flow to the target's
//! `heartbeats` topic every `emit.heartbeats.interval.seconds`; replicated onwards like any
//! topic, heartbeats show that a flow is moving (Apache's `MirrorHeartbeatConnector`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use connect_api::async_trait;
use connect_api::config::{ConfigDef, ParsedConfig};
use connect_api::connector::Props;
use connect_api::data::{Value, BYTES_SCHEMA};
use connect_api::errors::{ConnectError, Result};
use connect_api::source::{
    SourceConnector, SourceOffset, SourcePartition, SourceRecord, SourceTask,
};
use std::sync::Arc;

use crate::admin::Admin;
use crate::config::{
    client_config, heartbeat_def, Cluster, Role, EMIT_HEARTBEATS_CONFIG,
    HEARTBEATS_INTERVAL_CONFIG, HEARTBEATS_RF_CONFIG, SOURCE_ALIAS_CONFIG, TARGET_ALIAS_CONFIG,
};
use crate::policy::ReplicationPolicy;
use crate::records::Heartbeat;

/// Emits heartbeats into the target cluster.
#[derive(Debug, Default)]
pub struct MirrorHeartbeatConnector {
    props: Option<Props>,
    emit: bool,
}

#[async_trait]
impl SourceConnector for MirrorHeartbeatConnector {
    async fn start(&mut self, props: Props) -> Result<()> {
        let c = ParsedConfig::new(&heartbeat_def(), &props)?;
        self.emit = c.get_bool(EMIT_HEARTBEATS_CONFIG)?;
        let policy = ReplicationPolicy::from_props(&props, c.get_string(SOURCE_ALIAS_CONFIG)?)?;
        let admin = Admin::new(
            &client_config(&props, Cluster::Target, Role::Admin)?,
            "target",
        )?;
        admin
            .ensure_compacted_topic(
                policy.heartbeats_topic(),
                i32::from(c.get_short(HEARTBEATS_RF_CONFIG)?),
            )
            .await?;
        self.props = Some(props);
        Ok(())
    }

    fn task_configs(&self, max_tasks: usize) -> Result<Vec<Props>> {
        let props = self.props.clone().ok_or_else(|| {
            ConnectError::other(
                "MirrorHeartbeatConnector was asked for task configs before it was started",
            )
        })?;
        // One task, whatever tasks.max says; none when heartbeats are off.
        Ok(if self.emit && max_tasks > 0 {
            vec![props]
        } else {
            Vec::new()
        })
    }

    async fn stop(&mut self) -> Result<()> {
        Ok(())
    }

    fn config(&self) -> ConfigDef {
        heartbeat_def()
    }
}

/// Writes one heartbeat per interval.
#[derive(Debug, Default)]
pub struct MirrorHeartbeatTask {
    running: Option<HeartbeatTask>,
}

#[derive(Debug)]
struct HeartbeatTask {
    source: String,
    target: String,
    topic: String,
    interval: Duration,
    partition: Arc<SourcePartition>,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[async_trait]
impl SourceTask for MirrorHeartbeatTask {
    async fn start(&mut self, props: Props) -> Result<()> {
        let c = ParsedConfig::new(&heartbeat_def(), &props)?;
        let source = c.get_string(SOURCE_ALIAS_CONFIG)?.to_owned();
        let target = c.get_string(TARGET_ALIAS_CONFIG)?.to_owned();
        let policy = ReplicationPolicy::from_props(&props, &source)?;
        let seconds = u64::try_from(c.get_long(HEARTBEATS_INTERVAL_CONFIG)?).unwrap_or(1);
        let partition = Arc::new(SourcePartition::from([
            ("sourceClusterAlias".to_owned(), Value::from(source.clone())),
            ("targetClusterAlias".to_owned(), Value::from(target.clone())),
        ]));
        self.running = Some(HeartbeatTask {
            source,
            target,
            topic: policy.heartbeats_topic().to_owned(),
            interval: Duration::from_secs(seconds.max(1)),
            partition,
        });
        Ok(())
    }

    async fn poll(&mut self) -> Result<Vec<SourceRecord>> {
        let Some(t) = &self.running else {
            return Ok(Vec::new());
        };
        tokio::time::sleep(t.interval).await;
        let heartbeat = Heartbeat {
            source: t.source.clone(),
            target: t.target.clone(),
            timestamp: now_ms(),
        };
        let record = SourceRecord::new(
            t.partition.clone(),
            SourceOffset::from([("offset".to_owned(), Value::Int64(0))]),
            t.topic.clone(),
            Some(BYTES_SCHEMA.clone()),
            Value::Bytes(heartbeat.value().into()),
        )
        .with_partition(0)
        .with_key(
            Some(BYTES_SCHEMA.clone()),
            Value::Bytes(heartbeat.key().into()),
        )
        .with_timestamp(heartbeat.timestamp);
        Ok(vec![record])
    }

    fn wants_record_callbacks(&self) -> bool {
        false
    }

    async fn stop(&mut self) -> Result<()> {
        self.running = None;
        Ok(())
    }
}
