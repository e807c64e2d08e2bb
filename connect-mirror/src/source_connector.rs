//! [`MirrorSourceConnector`]: finds the source cluster's topics to replicate, creates their
//! remote topics on the target, deals the partitions to tasks, and looks again every
//! `refresh.topics.interval.seconds`.

use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

use connect_api::async_trait;
use connect_api::config::ConfigDef;
use connect_api::connector::Props;
use connect_api::errors::{ConnectError, Result};
use connect_api::source::{ExactlyOnceSupport, SourceConnector, SourceConnectorContext};
use tracing::{info, warn};

use crate::admin::Admin;
use crate::config::{
    client_config, source_def, Cluster, MirrorSourceSettings, Role, TASK_INDEX_CONFIG,
    TASK_PARTITIONS_CONFIG,
};

/// Replicates topics of one cluster to another (Apache's `MirrorSourceConnector`).
#[derive(Default)]
pub struct MirrorSourceConnector {
    context: Option<Arc<dyn SourceConnectorContext>>,
    running: Option<Running>,
}

struct Running {
    settings: MirrorSourceSettings,
    /// The source partitions last found, sorted.
    partitions: Arc<Mutex<Vec<(String, i32)>>>,
    stop: Arc<(Mutex<bool>, Condvar)>,
    refresher: Option<JoinHandle<()>>,
}

/// The admin clients of a flow.
struct Clusters {
    source: Admin,
    target: Admin,
}

impl Clusters {
    fn new(props: &Props) -> Result<Clusters> {
        Ok(Clusters {
            source: Admin::new(
                &client_config(props, Cluster::Source, Role::Admin)?,
                "source",
            )?,
            target: Admin::new(
                &client_config(props, Cluster::Target, Role::Admin)?,
                "target",
            )?,
        })
    }

    /// The source partitions to replicate, sorted; remote topics and partitions missing on
    /// the target are created on the way.
    async fn sync_topics(&self, s: &MirrorSourceSettings) -> Result<Vec<(String, i32)>> {
        let all = self.source.topics()?;
        tracing::debug!(
            "Topics of the source cluster: {:?}",
            all.keys().collect::<Vec<_>>()
        );
        let source: BTreeMap<String, i32> = all
            .into_iter()
            .filter(|(t, _)| s.should_replicate(t))
            .collect();
        let target = self.target.topics()?;
        for (topic, partitions) in &source {
            let remote = s.policy.format_remote_topic(&s.source_alias, topic);
            match target.get(&remote) {
                None => {
                    let configs = match self.source.replicable_configs(topic, s).await {
                        Ok(c) => c,
                        Err(e) => {
                            warn!("Could not read the configs of topic {topic}: {e}");
                            Vec::new()
                        }
                    };
                    self.target
                        .create_remote_topic(&remote, *partitions, s.replication_factor, &configs)
                        .await;
                }
                Some(have) if have < partitions => {
                    self.target.grow_topic(&remote, *partitions).await
                }
                Some(_) => {}
            }
        }
        Ok(source
            .into_iter()
            .flat_map(|(t, n)| (0..n).map(move |p| (t.clone(), p)))
            .collect())
    }
}

/// Looks for new topics and partitions every interval until told to stop; asks for new
/// task configurations when the set changed.
fn refresh_loop(
    settings: MirrorSourceSettings,
    partitions: Arc<Mutex<Vec<(String, i32)>>>,
    stop: Arc<(Mutex<bool>, Condvar)>,
    context: Option<Arc<dyn SourceConnectorContext>>,
) {
    let Some(interval) = settings.refresh_interval else {
        return;
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            warn!("Could not start the topic refresher: {e}");
            return;
        }
    };
    let clusters = match Clusters::new(&settings.props) {
        Ok(c) => c,
        Err(e) => {
            warn!("Could not start the topic refresher: {e}");
            return;
        }
    };
    let (flag, wake) = &*stop;
    loop {
        {
            let stopped = flag.lock().unwrap_or_else(|e| e.into_inner());
            let (stopped, _) = wake
                .wait_timeout_while(stopped, interval, |s| !*s)
                .unwrap_or_else(|e| e.into_inner());
            if *stopped {
                return;
            }
        }
        tracing::debug!("Looking for new topics and partitions to replicate");
        match runtime.block_on(clusters.sync_topics(&settings)) {
            Ok(found) => {
                tracing::debug!("Found {} source partitions to replicate", found.len());
                let mut known = partitions.lock().unwrap_or_else(|e| e.into_inner());
                if *known != found {
                    info!(
                        "Found {} source partitions to replicate (was {}); reconfiguring the tasks",
                        found.len(),
                        known.len()
                    );
                    *known = found;
                    drop(known);
                    if let Some(c) = &context {
                        c.request_task_reconfiguration();
                    }
                }
            }
            Err(e) => warn!("Could not refresh the topics to replicate: {e}"),
        }
    }
}

#[async_trait]
impl SourceConnector for MirrorSourceConnector {
    fn initialize(&mut self, context: Arc<dyn SourceConnectorContext>) {
        self.context = Some(context);
    }

    async fn start(&mut self, props: Props) -> Result<()> {
        let settings = MirrorSourceSettings::parse(&props)?;
        let partitions = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        if settings.enabled {
            let clusters = Clusters::new(&props)?;
            if settings.emit_offset_syncs {
                let (topic, cluster) = settings.offset_syncs_topic();
                let admin = match cluster {
                    Cluster::Source => &clusters.source,
                    Cluster::Target => &clusters.target,
                };
                admin
                    .ensure_compacted_topic(&topic, i32::from(settings.offset_syncs_rf))
                    .await?;
            }
            let found = clusters.sync_topics(&settings).await?;
            info!(
                "Replicating {} partitions from {} to {}",
                found.len(),
                settings.source_alias,
                settings.target_alias
            );
            *partitions.lock().unwrap_or_else(|e| e.into_inner()) = found;
        }
        let refresher = (settings.enabled && settings.refresh_interval.is_some()).then(|| {
            let (s, p, st, c) = (
                settings.clone(),
                partitions.clone(),
                stop.clone(),
                self.context.clone(),
            );
            std::thread::Builder::new()
                .name("mirror-topic-refresh".to_owned())
                .spawn(move || refresh_loop(s, p, st, c))
        });
        let refresher = match refresher {
            Some(Ok(handle)) => Some(handle),
            Some(Err(e)) => {
                return Err(ConnectError::other(format!(
                    "could not start the topic refresher: {e}"
                )))
            }
            None => None,
        };
        self.running = Some(Running {
            settings,
            partitions,
            stop,
            refresher,
        });
        Ok(())
    }

    fn task_configs(&self, max_tasks: usize) -> Result<Vec<Props>> {
        let Some(r) = &self.running else {
            return Err(ConnectError::other(
                "MirrorSourceConnector was asked for task configs before it was started",
            ));
        };
        if !r.settings.enabled {
            return Ok(Vec::new());
        }
        let partitions = r
            .partitions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let n = max_tasks.min(partitions.len());
        if n == 0 {
            return Ok(Vec::new());
        }
        // Dealt round-robin, as Apache's.
        let mut dealt: Vec<Vec<String>> = vec![Vec::new(); n];
        for (i, (topic, p)) in partitions.iter().enumerate() {
            dealt[i % n].push(format!("{topic}-{p}"));
        }
        Ok(dealt
            .into_iter()
            .enumerate()
            .map(|(i, assigned)| {
                let mut props = r.settings.props.clone();
                props.insert(TASK_PARTITIONS_CONFIG.to_owned(), assigned.join(","));
                props.insert(TASK_INDEX_CONFIG.to_owned(), i.to_string());
                props
            })
            .collect())
    }

    async fn stop(&mut self) -> Result<()> {
        if let Some(mut r) = self.running.take() {
            let (flag, wake) = &*r.stop;
            *flag.lock().unwrap_or_else(|e| e.into_inner()) = true;
            wake.notify_all();
            if let Some(h) = r.refresher.take() {
                let _ = tokio::task::spawn_blocking(move || h.join()).await;
            }
        }
        Ok(())
    }

    fn config(&self) -> ConfigDef {
        source_def()
    }

    /// Supported when the source consumer reads only committed records, as Apache's.
    fn exactly_once_support(&self, props: &Props) -> Option<ExactlyOnceSupport> {
        let committed = [
            "consumer.isolation.level",
            "source.consumer.isolation.level",
        ]
        .iter()
        .filter_map(|k| props.get(*k))
        .next_back()
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("read_committed"));
        Some(if committed {
            ExactlyOnceSupport::Supported
        } else {
            ExactlyOnceSupport::Unsupported
        })
    }
}
