//! The distributed herder (Apache's `DistributedHerder`): workers sharing connectors through
//! a Connect group and three internal topics.
//!
//! - **Membership.** One task runs the group protocol: it joins, and as leader computes every
//!   member's assignment (incremental cooperative, or eager when the group chose `default`);
//!   it stops what is revoked and starts what is assigned. Heartbeats go from a task of their
//!   own, so a connector slow to start never costs this worker its membership.
//! - **Configuration.** Connectors, task configurations and target states live in the config
//!   topic. The leader writes connectors and task configurations; any worker writes target
//!   states. Every worker follows the topic and acts on what changes for the work it runs.
//! - **Requests.** Reads are answered from this worker's view; requests only the leader (or
//!   the worker running a connector) can handle fail with [`HerderError::Forward`], and the
//!   REST layer forwards them there.
//!
//! Work of a worker that died waits for it at most the lost-work delay; work a worker
//! released cleanly (its statuses say UNASSIGNED) is handed over at once.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use bytes::Bytes;
use connect_api::config::ConfigKeyInfo;
use connect_api::connector::Props;
use connect_api::plugin::PluginKind;
use tokio::sync::{mpsc, oneshot, Notify};
use tokio_util::sync::CancellationToken;

use super::active_topics::ActiveTopics;
use super::assignor::{eager_assign, CooperativeAssignor, Item};
use super::connect_protocol::{
    merge, offered_protocols, Allocation, Assignment, WorkerMetadata, CONNECTOR_TASK,
};
use super::entities::*;
use super::request_signing;
use super::self_healing::{Scope, SelfHealing};
use super::shared::{
    self, internal, not_found, Accepted, HerderConnectorContext, Request, TaskListener,
};
use super::validation::{self, NullableProps};
use super::{Herder, HerderError, HerderResult};
use crate::config::connector_config::NAME_CONFIG;
use crate::config::{ConnectProtocol, DistributedConfig};
use crate::kafka::group_member::{GroupMember, Heartbeat, MemberConfig};
use crate::storage::{
    ConfigBackingStore, ConfigSnapshot, ConnectorEntry, KafkaConfigBackingStore,
    KafkaStatusBackingStore, RestartRequest, StatusBackingStore,
};
use crate::worker::{State, TargetState, TaskId, TaskStatusListener, Worker};

/// The protocol name of eager rebalancing.
const EAGER: &str = "default";
/// The protocol name of signed requests.
const SESSIONED: &str = "sessioned";
/// Assignment error: the leader's configuration was behind a member's.
const CONFIG_MISMATCH: i16 = 1;
/// How often the config topic is read for changes other workers made.
const CONFIG_POLL: Duration = Duration::from_millis(500);
/// Rounds of CONFIG_MISMATCH that say two workers read different config topics before one
/// of them gives up; fewer could be a leader that is slow to read.
const MISMATCHES_TOLERATED: u32 = 3;
/// How long a request for the leader waits for a rebalance to name one.
const LEADER_WAIT: Duration = Duration::from_secs(30);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// `http://host:port/` → `host:port`, the worker id statuses carry.
fn worker_id_of(url: &str) -> String {
    url.trim_start_matches("http://")
        .trim_start_matches("https://")
        .trim_end_matches('/')
        .to_owned()
}

/// What this worker knows of the group.
#[derive(Debug, Default, Clone)]
struct Cluster {
    generation: i32,
    leader: bool,
    leader_url: Option<String>,
    protocol: Option<String>,
    /// Everything assigned to this worker (what its metadata reports).
    assignment: Allocation,
}

/// The work this worker runs, as the herder handed it to the worker.
#[derive(Debug, Default)]
struct Local {
    /// Connectors (task -1) and tasks started here, or put in their state (STOPPED, FAILED).
    handled: BTreeSet<Item>,
}

/// The settings the herder acts on.
#[derive(Debug, Clone)]
pub struct DistributedSettings {
    /// This worker's REST URL, as other workers reach it (`http://host:port/`).
    pub url: String,
    /// The Kafka cluster id.
    pub cluster_id: String,
    /// The group membership settings.
    pub member: MemberConfig,
    /// `heartbeat.interval.ms`.
    pub heartbeat_interval: Duration,
    /// `worker.sync.timeout.ms`.
    pub worker_sync_timeout: Duration,
    /// `worker.unsync.backoff.ms`.
    pub worker_unsync_backoff: Duration,
    /// How long a departed worker's work waits for it.
    pub lost_work_delay: Duration,
    /// `connect.protocol`.
    pub protocol: ConnectProtocol,
    /// `inter.worker.key.ttl.ms`.
    pub key_ttl: Duration,
    /// `config.storage.topic`, named in errors.
    pub config_topic: String,
}

impl DistributedSettings {
    /// The settings of a parsed configuration; `url` is this worker's advertised REST URL.
    pub fn new(config: &DistributedConfig, url: String, cluster_id: String) -> Self {
        let client_id = if config.client_id.is_empty() {
            format!("connect-{}", worker_id_of(&url))
        } else {
            config.client_id.clone()
        };
        DistributedSettings {
            member: MemberConfig {
                bootstrap: config
                    .worker
                    .bootstrap_servers
                    .split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect(),
                group_id: config.group_id.clone(),
                client_id,
                protocol_type: "connect".to_owned(),
                session_timeout: config.session_timeout,
                rebalance_timeout: config.rebalance_timeout,
                request_timeout: config.request_timeout,
            },
            url,
            cluster_id,
            heartbeat_interval: config.heartbeat_interval,
            worker_sync_timeout: config.worker_sync_timeout,
            worker_unsync_backoff: config.worker_unsync_backoff,
            lost_work_delay: config.lost_work_delay,
            protocol: config.protocol,
            key_ttl: config.key_ttl,
            config_topic: config.config_topic.clone(),
        }
    }
}

/// The distributed herder.
pub struct DistributedHerder {
    /// This herder, for work that outlives a call (posting task configurations).
    me: Weak<DistributedHerder>,
    worker: Arc<Worker>,
    settings: DistributedSettings,
    configs: Arc<KafkaConfigBackingStore>,
    status: Arc<SelfHealing<KafkaStatusBackingStore>>,
    topics: Arc<ActiveTopics>,
    cluster: Mutex<Cluster>,
    /// What was derived from each stored configuration, by connector.
    accepted: Mutex<HashMap<String, (Props, Accepted)>>,
    /// Held while the work of this worker changes.
    local: tokio::sync::Mutex<Local>,
    requests: mpsc::UnboundedSender<Request>,
    wake: Notify,
    ready: AtomicBool,
    started: Notify,
    /// Woken whenever a round completes and the leader is known again.
    rebalanced: Notify,
    /// Configuration changes seen that call for a rebalance (connectors created or removed,
    /// new task configurations), counted ...
    reconfigs_seen: AtomicU64,
    /// ... and how many of them the last completed round accounted for. While it is behind,
    /// requests that act on where work runs wait for the round (see [`Self::settled`]).
    reconfigs_settled: AtomicU64,
    /// Why this worker cannot be part of its group, once it knows (see [`Self::failed`]).
    fatal: Mutex<Option<String>>,
    failed: CancellationToken,
    stopping: CancellationToken,
    stopped: tokio::sync::Mutex<Option<oneshot::Receiver<()>>>,
    http: reqwest::Client,
}

impl DistributedHerder {
    /// A herder over a worker and opened stores; it joins the group at once, and reports
    /// itself ready once it has its first assignment.
    pub async fn start(
        worker: Arc<Worker>,
        settings: DistributedSettings,
        configs: Arc<KafkaConfigBackingStore>,
        status: Arc<KafkaStatusBackingStore>,
    ) -> connect_api::errors::Result<Arc<DistributedHerder>> {
        let member = GroupMember::connect(settings.member.clone()).await?;
        let (tx, rx) = mpsc::unbounded_channel();
        let (done_tx, done_rx) = oneshot::channel();
        let status = SelfHealing::new(
            status,
            worker.config.auto_restart.clone(),
            worker.worker_id.clone(),
        );
        let herder = Arc::new_cyclic(|me| DistributedHerder {
            me: me.clone(),
            worker,
            settings,
            configs,
            status,
            topics: Arc::new(ActiveTopics::default()),
            cluster: Mutex::new(Cluster {
                generation: -1,
                ..Cluster::default()
            }),
            accepted: Mutex::new(HashMap::new()),
            local: tokio::sync::Mutex::new(Local::default()),
            requests: tx,
            wake: Notify::new(),
            ready: AtomicBool::new(false),
            started: Notify::new(),
            rebalanced: Notify::new(),
            reconfigs_seen: AtomicU64::new(0),
            reconfigs_settled: AtomicU64::new(0),
            fatal: Mutex::new(None),
            failed: CancellationToken::new(),
            stopping: CancellationToken::new(),
            stopped: tokio::sync::Mutex::new(Some(done_rx)),
            http: reqwest::Client::new(),
        });
        let weak: Weak<DistributedHerder> = Arc::downgrade(&herder);
        let healer: Weak<dyn Herder> = weak;
        herder.status.attach(healer);
        let member = Arc::new(tokio::sync::Mutex::new(member));
        let rejoin = Arc::new(AtomicBool::new(false));
        tokio::spawn(heartbeats(
            Arc::downgrade(&herder),
            member.clone(),
            rejoin.clone(),
        ));
        tokio::spawn(run(herder.clone(), member, rejoin, rx, done_tx));
        Ok(herder)
    }

    /// The worker's id, as shown in statuses.
    pub fn worker_id(&self) -> &str {
        &self.worker.worker_id
    }

    fn cluster(&self) -> Cluster {
        lock(&self.cluster).clone()
    }

    /// Resolves, with the reason, when this worker finds it cannot be part of its group (it
    /// reads other internal topics than the group's leader); the herder has stopped by then.
    pub async fn failed(&self) -> String {
        self.failed.cancelled().await;
        lock(&self.fatal).clone().unwrap_or_default()
    }

    fn is_leader(&self) -> bool {
        lock(&self.cluster).leader
    }

    /// Succeeds on the leader; elsewhere the request is to be forwarded to it. During a
    /// rebalance the request waits for the round to end (as Apache's queue of herder requests
    /// does), up to [`LEADER_WAIT`].
    async fn require_leader(&self) -> HerderResult<()> {
        let deadline = tokio::time::Instant::now() + LEADER_WAIT;
        loop {
            let rebalanced = self.rebalanced.notified();
            tokio::pin!(rebalanced);
            rebalanced.as_mut().enable();
            {
                let c = lock(&self.cluster);
                if c.leader {
                    return Ok(());
                }
                if let Some(url) = &c.leader_url {
                    return Err(HerderError::Forward(url.clone()));
                }
            }
            if self.stopping.is_cancelled()
                || tokio::time::timeout_at(deadline, rebalanced).await.is_err()
            {
                return Err(HerderError::NoKnownLeader);
            }
        }
    }

    /// Notes a configuration change the group must rebalance for.
    fn expect_rebalance(&self) {
        self.reconfigs_seen.fetch_add(1, Ordering::AcqRel);
    }

    /// Succeeds once no rebalance is awaited for a configuration change, waiting for it up to
    /// `worker.sync.timeout.ms`; then 409, as Apache's `RebalanceNeededException`. Restarts
    /// and offset changes act on where work runs, which such a change is about to move; Apache
    /// refuses them until the group has rebalanced, as this does. (Reads are answered from the
    /// config topic read to its end, so they need not wait.)
    async fn settled(&self) -> HerderResult<()> {
        let deadline = tokio::time::Instant::now() + self.settings.worker_sync_timeout;
        loop {
            let rebalanced = self.rebalanced.notified();
            tokio::pin!(rebalanced);
            rebalanced.as_mut().enable();
            if self.reconfigs_settled.load(Ordering::Acquire)
                >= self.reconfigs_seen.load(Ordering::Acquire)
            {
                return Ok(());
            }
            if self.stopping.is_cancelled()
                || tokio::time::timeout_at(deadline, rebalanced).await.is_err()
            {
                return Err(HerderError::RebalanceNeeded);
            }
        }
    }

    /// A connector's stored entry and what it names, as of the last read of the topic.
    fn known(&self, name: &str) -> Option<(ConnectorEntry, Accepted)> {
        let entry = self.configs.connector(name)?;
        let a = self.accepted_for(name, &entry.config)?;
        Some((entry, a))
    }

    fn accepted_for(&self, name: &str, config: &Props) -> Option<Accepted> {
        if let Some((c, a)) = lock(&self.accepted).get(name) {
            if c == config {
                return Some(a.clone());
            }
        }
        let a = shared::recognise(&self.worker, config)?;
        lock(&self.accepted).insert(name.to_owned(), (config.clone(), a.clone()));
        Some(a)
    }

    fn listener(&self) -> Arc<dyn TaskStatusListener> {
        Arc::new(TaskListener {
            status: self.status.clone(),
            topics: self.topics.clone(),
        })
    }

    // ---- Running work here -------------------------------------------------------------

    /// Starts an assigned connector (or puts it in its target state), then, if it runs,
    /// has it generate task configurations.
    async fn start_connector_here(&self, name: &str) {
        let Some(entry) = self.configs.connector(name) else {
            return;
        };
        if entry.target == TargetState::Stopped {
            self.status.put_connector(name, State::Stopped, None);
            return;
        }
        let Some(a) = self.accepted_for(name, &entry.config) else {
            let class = entry
                .config
                .get("connector.class")
                .cloned()
                .unwrap_or_default();
            self.status.put_connector(
                name,
                State::Failed,
                Some(format!(
                    "org.apache.kafka.connect.errors.ConnectException: {}",
                    validation::unknown_connector_class(&self.worker.registry, &class)
                )),
            );
            return;
        };
        let context = Arc::new(HerderConnectorContext {
            name: name.to_owned(),
            requests: self.requests.clone(),
        });
        match self
            .worker
            .start_connector(name, &a.desc.factory, entry.config.clone(), context)
            .await
        {
            Ok(reload) => {
                if let Some(ttl) = reload {
                    self.status.reload_after(name, ttl);
                }
                let state = if entry.target == TargetState::Paused {
                    State::Paused
                } else {
                    State::Running
                };
                self.status.put_connector(name, state, None);
                if entry.target == TargetState::Started {
                    self.reconfigure(name).await;
                }
            }
            Err(e) => {
                tracing::error!("Connector {name} failed to start: {}", e.trace());
                self.status
                    .put_connector(name, State::Failed, Some(e.trace()));
            }
        }
    }

    /// Starts an assigned task with its stored configuration.
    fn start_task_here(&self, id: &TaskId) {
        let Some((entry, a)) = self.known(&id.connector) else {
            return;
        };
        let Some(props) = entry.task_configs.get(id.task).cloned() else {
            tracing::warn!("Task {id} is assigned to this worker but has no configuration");
            return;
        };
        if a.desc.kind() == PluginKind::Sink {
            if let Some(topics) = entry
                .config
                .get(crate::config::connector_config::TOPICS_CONFIG)
            {
                for t in crate::config::connector_config::parse_list(topics) {
                    if !t.is_empty() {
                        self.topics.record(&id.connector, &t);
                        self.status.put_topic(&id.connector, &t, id.task);
                    }
                }
            }
        }
        if let Err(e) = self.worker.start_task(
            id.clone(),
            &a.desc.factory,
            &entry.config,
            props,
            self.listener(),
            entry.target,
        ) {
            tracing::error!("Failed to start task {id}: {}", e.trace());
            self.status.put_task(id, State::Failed, Some(e.trace()));
        }
    }

    /// Stops connectors and tasks running here; `report` writes them UNASSIGNED (so that the
    /// leader knows they were released cleanly).
    async fn stop_here(&self, local: &mut Local, items: &BTreeSet<Item>, report: bool) {
        let tasks: Vec<TaskId> = items
            .iter()
            .filter(|(_, t)| *t != CONNECTOR_TASK)
            .map(|(c, t)| TaskId::new(c, *t as usize))
            .collect();
        self.worker.stop_and_await_tasks(&tasks).await;
        for (c, t) in items {
            if *t == CONNECTOR_TASK {
                self.worker.stop_and_await_connector(c).await;
            }
        }
        for item in items {
            local.handled.remove(item);
            if !report {
                continue;
            }
            let (c, t) = item;
            if *t == CONNECTOR_TASK {
                self.status.put_connector(c, State::Unassigned, None);
            } else {
                self.status
                    .put_task(&TaskId::new(c, *t as usize), State::Unassigned, None);
            }
        }
    }

    /// Starts everything assigned here that is not handled yet.
    async fn start_assigned(&self, local: &mut Local) {
        let assignment = self.cluster().assignment;
        let items: Vec<Item> = items_of(&assignment)
            .into_iter()
            .filter(|i| !local.handled.contains(i))
            .collect();
        for (c, t) in &items {
            if *t == CONNECTOR_TASK {
                self.start_connector_here(c).await;
            }
        }
        for (c, t) in &items {
            if *t != CONNECTOR_TASK {
                self.start_task_here(&TaskId::new(c, *t as usize));
            }
        }
        local.handled.extend(items);
    }

    /// Asks a connector running here for its task configurations, and publishes them if
    /// they changed: the leader writes them, other workers send them to the leader.
    async fn reconfigure(&self, name: &str) {
        let Some((entry, a)) = self.known(name) else {
            return;
        };
        if entry.target != TargetState::Started || !self.worker.is_connector_running(name) {
            tracing::info!("Skipping update of connector {name} since it is not running");
            return;
        }
        let configs = match self
            .worker
            .connector_task_configs(name, &a.desc, &entry.config)
            .await
        {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(
                    "Connector {name} failed to generate task configurations: {}",
                    e.trace()
                );
                self.status
                    .put_connector(name, State::Failed, Some(e.trace()));
                return;
            }
        };
        if configs == entry.task_configs {
            return;
        }
        tracing::info!("Publishing {} task configurations of {name}", configs.len());
        if self.is_leader() {
            if let Err(e) = self.configs.put_task_configs(name, configs).await {
                tracing::error!("Could not write the task configurations of {name}: {e}");
            }
            self.wake.notify_one();
            return;
        }
        // To the leader, from a task of its own: the membership loop never waits on HTTP.
        let herder = self.me.clone();
        let name = name.to_owned();
        tokio::spawn(async move {
            if let Some(h) = herder.upgrade() {
                h.send_task_configs(&name, &configs).await;
            }
        });
    }

    /// Posts task configurations to the leader until it accepts them (Apache retries with
    /// back-off from 250 ms to 60 s), unless they became stale meanwhile.
    async fn send_task_configs(&self, name: &str, configs: &[Props]) {
        let body = match serde_json::to_vec(configs) {
            Ok(b) => b,
            Err(e) => {
                tracing::error!("Could not encode the task configurations of {name}: {e}");
                return;
            }
        };
        let mut backoff = Duration::from_millis(250);
        loop {
            if self.stopping.is_cancelled() || !self.worker.is_connector_running(name) {
                return;
            }
            let cluster = self.cluster();
            if cluster.leader {
                if let Err(e) = self.configs.put_task_configs(name, configs.to_vec()).await {
                    tracing::error!("Could not write the task configurations of {name}: {e}");
                }
                self.wake.notify_one();
                return;
            }
            if let Some(leader) = cluster.leader_url {
                let url = format!(
                    "{}/connectors/{}/tasks?forward=true",
                    leader.trim_end_matches('/'),
                    percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC)
                );
                let mut request = self
                    .http
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(body.clone());
                if cluster.protocol.as_deref() == Some(SESSIONED) {
                    if let Some(key) = self.configs.session_key() {
                        if let Some(sig) = request_signing::sign(&key, &body) {
                            request = request
                                .header(request_signing::SIGNATURE_HEADER, sig)
                                .header(
                                    request_signing::SIGNATURE_ALGORITHM_HEADER,
                                    request_signing::ALGORITHM,
                                );
                        }
                    }
                }
                match request.send().await {
                    Ok(r) if r.status().is_success() => return,
                    Ok(r) if r.status() == reqwest::StatusCode::BAD_REQUEST => {
                        let text = r.text().await.unwrap_or_default();
                        tracing::error!(
                            "The leader refused the task configurations of {name}: {text}"
                        );
                        return;
                    }
                    Ok(r) => tracing::warn!(
                        "The leader answered {} to the task configurations of {name}; retrying",
                        r.status()
                    ),
                    Err(e) => tracing::warn!(
                        "Could not send the task configurations of {name} to the leader: {e}; retrying"
                    ),
                }
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(60));
        }
    }

    /// Acts on what changed in the config topic since `applied`, for the work run here;
    /// returns whether the group must rebalance (connectors or task sets changed).
    async fn apply_config_changes(&self, applied: &ConfigSnapshot, now: &ConfigSnapshot) -> bool {
        let mut local = self.local.lock().await;
        self.apply_config_changes_to(&mut local, applied, now).await
    }

    /// [`Self::apply_config_changes`] with the local work already locked.
    async fn apply_config_changes_to(
        &self,
        local: &mut Local,
        applied: &ConfigSnapshot,
        now: &ConfigSnapshot,
    ) -> bool {
        let mut rebalance = false;
        let names: BTreeSet<&String> = applied.keys().chain(now.keys()).collect();
        for name in names {
            match (applied.get(name), now.get(name)) {
                (Some(_), None) => {
                    tracing::info!("Connector {name} was removed");
                    let items: BTreeSet<Item> = local
                        .handled
                        .iter()
                        .filter(|(c, _)| c == name)
                        .cloned()
                        .collect();
                    self.stop_here(local, &items, false).await;
                    lock(&self.cluster).assignment.remove(name);
                    lock(&self.accepted).remove(name);
                    self.topics.reset(name);
                    rebalance = true;
                }
                (None, Some(_)) => rebalance = true,
                (Some(old), Some(new)) => {
                    if old.config != new.config {
                        self.status.forget(name, Scope::All);
                    }
                    if old.task_configs != new.task_configs {
                        // Stopped now, started again after the rebalance if still assigned.
                        let tasks: BTreeSet<Item> = local
                            .handled
                            .iter()
                            .filter(|(c, t)| c == name && *t != CONNECTOR_TASK)
                            .cloned()
                            .collect();
                        if !tasks.is_empty() {
                            tracing::info!("Task configurations of {name} changed: stopping its tasks here until the rebalance");
                        }
                        self.stop_here(local, &tasks, false).await;
                        rebalance = true;
                    }
                    if old.target != new.target {
                        // Tasks here pause or resume whoever runs their connector.
                        self.worker.set_target_state(name, new.target);
                    }
                    if !local.handled.contains(&(name.clone(), CONNECTOR_TASK)) {
                        continue;
                    }
                    if old.config != new.config
                        || (old.target == TargetState::Stopped)
                            != (new.target == TargetState::Stopped)
                    {
                        tracing::info!("Restarting connector {name} for its new configuration");
                        self.worker.stop_and_await_connector(name).await;
                        self.start_connector_here(name).await;
                    } else if old.target != new.target {
                        let state = if new.target == TargetState::Paused {
                            State::Paused
                        } else {
                            State::Running
                        };
                        if self.worker.is_connector_running(name) {
                            self.status.put_connector(name, state, None);
                        }
                        if new.target == TargetState::Started {
                            self.reconfigure(name).await;
                        }
                    }
                }
                (None, None) => {}
            }
        }
        rebalance
    }

    /// Restarts what a restart request names among the work run here.
    async fn apply_restart(&self, request: &RestartRequest) {
        let local = self.local.lock().await;
        let name = &request.connector;
        self.status.forget(name, Scope::All);
        let connector_failed = self
            .status
            .connector(name)
            .is_some_and(|s| s.state == State::Failed);
        if local.handled.contains(&(name.clone(), CONNECTOR_TASK))
            && (!request.only_failed || connector_failed)
        {
            self.status.put_connector(name, State::Restarting, None);
            self.worker.stop_and_await_connector(name).await;
            self.start_connector_here(name).await;
        }
        if !request.include_tasks {
            return;
        }
        let tasks: Vec<TaskId> = local
            .handled
            .iter()
            .filter(|(c, t)| c == name && *t != CONNECTOR_TASK)
            .map(|(c, t)| TaskId::new(c, *t as usize))
            .filter(|id| {
                !request.only_failed
                    || self
                        .status
                        .task(id)
                        .is_some_and(|s| s.state == State::Failed)
            })
            .collect();
        self.worker.stop_and_await_tasks(&tasks).await;
        for id in &tasks {
            self.status.put_task(id, State::Restarting, None);
            self.start_task_here(id);
        }
    }

    // ---- Membership ----------------------------------------------------------------------

    /// One rebalance: join, assign (as leader), sync, apply. Returns when to rejoin: `None`
    /// for not before the group asks; `Some(Duration::ZERO)` at once.
    async fn rebalance(
        &self,
        member: &mut GroupMember,
        state: &mut LoopState,
    ) -> connect_api::errors::Result<Option<Duration>> {
        self.worker.metrics.rebalance_started();
        // The changes seen so far are in the config topic this round reads.
        let reconfigs = self.reconfigs_seen.load(Ordering::Acquire);
        let previous = self.cluster();
        // Outside the group (first join, or expelled): nothing may run here any more.
        if member.member_id().is_empty() || previous.protocol.as_deref() == Some(EAGER) {
            let mut local = self.local.lock().await;
            let all: BTreeSet<Item> = local.handled.clone();
            if !all.is_empty() {
                tracing::info!("Stopping all work before joining the group");
            }
            self.stop_here(&mut local, &all, true).await;
            lock(&self.cluster).assignment.clear();
        }
        self.configs.refresh().await?;
        let offset = self.configs.offset();
        let assignment = self.cluster().assignment;
        let offered = offered_protocols(self.settings.protocol.name()).unwrap_or(&[]);
        let protocols: Vec<(String, Bytes)> = offered
            .iter()
            .map(|(name, version)| {
                let metadata = WorkerMetadata {
                    version: *version,
                    url: self.settings.url.clone(),
                    config_offset: offset,
                    allocation: (*version >= 1 && !assignment.is_empty())
                        .then(|| assignment.clone()),
                };
                ((*name).to_owned(), metadata.encode())
            })
            .collect();
        lock(&self.cluster).leader_url = None;
        let joined = member.join(&protocols).await?;
        let version = offered
            .iter()
            .find(|(n, _)| *n == joined.protocol)
            .map_or(1, |(_, v)| *v);
        let assignments = if joined.is_leader() {
            self.lead(
                &joined.members,
                &joined.member_id,
                &joined.protocol,
                version,
                previous.generation,
                state,
            )
            .await?
        } else {
            Vec::new()
        };
        let Some(bytes) = member.sync(assignments).await? else {
            tracing::info!("The group rebalanced again before the assignment arrived");
            return Ok(Some(Duration::ZERO));
        };
        let a = Assignment::decode(bytes)
            .map_err(|e| connect_api::errors::ConnectError::other(format!("{e}")))?;
        if a.error == CONFIG_MISMATCH {
            // The leader read its config topic again before answering so: still behind this
            // worker, round after round, it does not read the topic this worker reads.
            if self.configs.offset() > a.config_offset {
                state.ahead_of_leader += 1;
                if state.ahead_of_leader >= MISMATCHES_TOLERATED {
                    state.fatal = Some(format!(
                        "This worker has read its config topic '{}' to offset {}, but the leader of group '{}' ({}) has read its own only to offset {}, {} rounds in a row: the workers of a group must all name the same config.storage.topic, offset.storage.topic and status.storage.topic",
                        self.settings.config_topic,
                        self.configs.offset(),
                        self.settings.member.group_id,
                        a.leader_url,
                        a.config_offset,
                        state.ahead_of_leader
                    ));
                    return Ok(None);
                }
            }
            tracing::info!("The leader's configuration was behind; rejoining");
            return Ok(Some(Duration::from_millis(100)));
        }
        state.ahead_of_leader = 0;
        let leader = a.leader == joined.member_id;
        if leader {
            state.led_generation = Some(joined.generation);
        }
        tracing::info!(
            "Joined group at generation {} with protocol {} as {}; assigned {:?}, revoked {:?}, delay {} ms",
            joined.generation,
            joined.protocol,
            if leader { "leader" } else { "follower" },
            a.assigned,
            a.revoked,
            a.delay
        );
        let mut local = self.local.lock().await;
        let revoked = items_of(&a.revoked);
        self.stop_here(&mut local, &revoked, true).await;
        let full = if joined.protocol == EAGER {
            a.assigned.clone()
        } else {
            merge(&self.cluster().assignment, &a)
        };
        self.status.set_generation(joined.generation);
        self.worker
            .metrics
            .rebalance_completed(joined.generation, &a.leader_url, &joined.protocol);
        *lock(&self.cluster) = Cluster {
            generation: joined.generation,
            leader,
            leader_url: Some(a.leader_url.clone()),
            protocol: Some(joined.protocol.clone()),
            assignment: full,
        };
        self.rebalanced.notify_waiters();
        // Work starts only with the configuration the leader assigned from. Read to its end,
        // a config topic the leader shares holds that offset.
        if self.configs.offset() < a.config_offset {
            let sync = self.settings.worker_sync_timeout;
            match tokio::time::timeout(sync, self.configs.refresh()).await {
                Ok(read) => read?,
                Err(_) => {
                    // As Apache: a worker that cannot catch up leaves the group and stays out
                    // for worker.unsync.backoff.ms, so that the others take its share now.
                    // Unlike Apache it also stops what it ran, so that nothing runs twice
                    // while the others hold that share.
                    let backoff = self.settings.worker_unsync_backoff;
                    tracing::warn!(
                        "Could not read the config topic to the leader's offset within {sync:?} (worker.sync.timeout.ms); leaving the group for {backoff:?} (worker.unsync.backoff.ms)"
                    );
                    let all: BTreeSet<Item> = local.handled.clone();
                    self.stop_here(&mut local, &all, true).await;
                    lock(&self.cluster).assignment.clear();
                    drop(local);
                    if let Err(e) = member.leave().await {
                        tracing::warn!("Could not leave the group: {e}");
                    }
                    return Ok(Some(backoff));
                }
            }
            if self.configs.offset() < a.config_offset {
                state.fatal = Some(format!(
                    "This worker's config topic '{}' ends at offset {}, before offset {} that the leader of group '{}' ({}) has read from its own: the workers of a group must all name the same config.storage.topic, offset.storage.topic and status.storage.topic",
                    self.settings.config_topic,
                    self.configs.offset(),
                    a.config_offset,
                    self.settings.member.group_id,
                    a.leader_url
                ));
                return Ok(None);
            }
        }
        // What changed since the last look at the topic (this round read it) applies to the
        // work that stays here: a new target state, a new configuration, removed connectors.
        // A further rebalance it would call for is the leader's to start.
        // Changes the leader had not read when it assigned (written during the round) are
        // for the next round: without one, a connector created meanwhile would run nowhere.
        let now = self.configs.snapshot();
        let unseen = self
            .apply_config_changes_to(&mut local, &state.applied, &now)
            .await
            && self.configs.offset() > a.config_offset;
        state.applied = now;
        self.start_assigned(&mut local).await;
        drop(local);
        if leader {
            self.leader_housekeeping(&joined.protocol).await;
        }
        if unseen {
            tracing::info!("The configuration changed during the rebalance; rejoining");
            self.expect_rebalance();
            return Ok(Some(Duration::ZERO));
        }
        self.reconfigs_settled
            .fetch_max(reconfigs, Ordering::AcqRel);
        self.rebalanced.notify_waiters();
        if !self.ready.swap(true, Ordering::AcqRel) {
            self.started.notify_waiters();
            tracing::info!("Herder started");
        }
        if !revoked.is_empty() && joined.protocol != EAGER {
            return Ok(Some(Duration::ZERO));
        }
        Ok((a.delay > 0).then(|| Duration::from_millis(a.delay as u64)))
    }

    /// The leader's round: every member's assignment.
    async fn lead(
        &self,
        members: &[(String, Bytes)],
        own_id: &str,
        protocol: &str,
        version: i16,
        last_generation: i32,
        state: &mut LoopState,
    ) -> connect_api::errors::Result<Vec<(String, Bytes)>> {
        let mut metadata: BTreeMap<String, WorkerMetadata> = BTreeMap::new();
        for (id, bytes) in members {
            match WorkerMetadata::decode(bytes.clone()) {
                Ok(m) => {
                    metadata.insert(id.clone(), m);
                }
                Err(e) => tracing::error!("Ignoring the unreadable metadata of member {id}: {e}"),
            }
        }
        let max_offset = metadata
            .values()
            .map(|m| m.config_offset)
            .max()
            .unwrap_or(-1);
        if self.configs.offset() < max_offset {
            self.configs.refresh().await?;
        }
        let offset = self.configs.offset();
        let envelope =
            |assigned: Allocation, revoked: Allocation, error: i16, delay: i32| Assignment {
                version,
                error,
                leader: own_id.to_owned(),
                leader_url: self.settings.url.clone(),
                config_offset: offset,
                assigned,
                revoked,
                delay,
            };
        // Members that have read more of the config topic than it holds, read to its end:
        // they read another topic.
        let ahead: BTreeSet<String> = metadata
            .iter()
            .filter(|(_, m)| m.config_offset > offset)
            .map(|(id, _)| id.clone())
            .collect();
        let mismatch =
            || envelope(Allocation::new(), Allocation::new(), CONFIG_MISMATCH, 0).encode();
        if ahead.len() * 2 > metadata.len() {
            // Most of the group is ahead: this worker is the odd one out.
            state.behind_members += 1;
            if state.behind_members >= MISMATCHES_TOLERATED {
                state.fatal = Some(format!(
                    "Most members of group '{}' have read their config topic beyond offset {}, where this worker's config topic '{}' ends, {} rounds in a row: the workers of a group must all name the same config.storage.topic, offset.storage.topic and status.storage.topic",
                    self.settings.member.group_id,
                    offset,
                    self.settings.config_topic,
                    state.behind_members
                ));
            }
            tracing::info!(
                "This leader's configuration is behind its members'; asking all to rejoin"
            );
            return Ok(metadata.keys().map(|id| (id.clone(), mismatch())).collect());
        }
        state.behind_members = 0;
        for id in &ahead {
            tracing::error!(
                "Member {id} ({}) has read its config topic to offset {}, beyond the end of this worker's config topic '{}' ({offset}): it does not share this group's internal topics, and gets no work",
                metadata[id].url,
                metadata[id].config_offset,
                self.settings.config_topic
            );
            metadata.remove(id);
        }
        let snapshot = self.configs.snapshot();
        let configured: BTreeMap<String, usize> = snapshot
            .iter()
            .map(|(name, e)| (name.clone(), e.task_configs.len()))
            .collect();
        if protocol == EAGER {
            let ids: BTreeSet<String> = metadata.keys().cloned().collect();
            return Ok(eager_assign(&ids, &configured)
                .into_iter()
                .map(|(id, a)| (id, envelope(a, Allocation::new(), 0, 0).encode()))
                .chain(ahead.iter().map(|id| (id.clone(), mismatch())))
                .collect());
        }
        // A new leader, or a round whose sync failed: the previous round is unknown.
        if state.led_generation != Some(last_generation) {
            state.assignor.reset();
        }
        let present: BTreeSet<String> = metadata.values().map(|m| worker_id_of(&m.url)).collect();
        state.assignor.forget(&self.released(&configured, &present));
        let allocations: BTreeMap<String, Allocation> = metadata
            .iter()
            .map(|(id, m)| (id.clone(), m.allocation.clone().unwrap_or_default()))
            .collect();
        let round = state
            .assignor
            .assign(&allocations, &configured, Instant::now());
        tracing::debug!(
            "Assigning for {:?}: running {allocations:?}, configured {configured:?}; round {round:?}",
            metadata.iter().map(|(id, m)| (id, &m.url)).collect::<Vec<_>>()
        );
        let delay = i32::try_from(round.delay.as_millis()).unwrap_or(i32::MAX);
        Ok(round
            .members
            .into_iter()
            .map(|(id, m)| (id, envelope(m.assigned, m.revoked, 0, delay).encode()))
            .chain(ahead.iter().map(|id| (id.clone(), mismatch())))
            .collect())
    }

    /// The configured items whose last status is UNASSIGNED from a worker no longer in the
    /// group: it stopped them before it left.
    fn released(
        &self,
        configured: &BTreeMap<String, usize>,
        present: &BTreeSet<String>,
    ) -> BTreeSet<Item> {
        let gone = |s: &crate::storage::Status| {
            s.state == State::Unassigned
                && s.worker_id.as_ref().is_some_and(|w| !present.contains(w))
        };
        let mut out = BTreeSet::new();
        for (name, tasks) in configured {
            if self.status.connector(name).is_some_and(|s| gone(&s)) {
                out.insert((name.clone(), CONNECTOR_TASK));
            }
            for (t, s) in self.status.tasks(name) {
                if t < *tasks && gone(&s) {
                    out.insert((name.clone(), t as i32));
                }
            }
        }
        out
    }

    /// After a round it led: a fresh session key when the group signs its requests.
    async fn leader_housekeeping(&self, protocol: &str) {
        if protocol != SESSIONED {
            return;
        }
        let ttl = i64::try_from(self.settings.key_ttl.as_millis()).unwrap_or(i64::MAX);
        let fresh = self.configs.session_key().is_some_and(|k| {
            k.algorithm == request_signing::ALGORITHM && k.created_ms.saturating_add(ttl) > now_ms()
        });
        if fresh {
            return;
        }
        let Some(key) = request_signing::new_key(now_ms()) else {
            tracing::error!("Could not generate a session key");
            return;
        };
        tracing::info!("Writing a new session key to the config topic");
        if let Err(e) = self.configs.put_session_key(&key).await {
            tracing::error!("Could not write a session key: {e}");
        }
    }

    /// Stops everything and leaves the group.
    async fn shut_down(&self, member: &tokio::sync::Mutex<GroupMember>) {
        let mut local = self.local.lock().await;
        let all = local.handled.clone();
        self.stop_here(&mut local, &all, true).await;
        lock(&self.cluster).assignment.clear();
        // Statuses reach the topic before the group learns this worker left.
        tokio::time::sleep(Duration::from_millis(200)).await;
        if let Err(e) = member.lock().await.leave().await {
            tracing::warn!("Could not leave the group: {e}");
        }
    }
}

/// The items of an allocation.
fn items_of(a: &Allocation) -> BTreeSet<Item> {
    a.iter()
        .flat_map(|(c, ts)| ts.iter().map(move |t| (c.clone(), *t)))
        .collect()
}

/// The membership loop's own state.
struct LoopState {
    assignor: CooperativeAssignor,
    /// The generation of the last round this worker led.
    led_generation: Option<i32>,
    /// The configuration this worker last acted on.
    applied: ConfigSnapshot,
    /// Rounds in a row the leader answered CONFIG_MISMATCH while behind this worker.
    ahead_of_leader: u32,
    /// Rounds in a row this worker led while most members were ahead of its config topic.
    behind_members: u32,
    /// Why this worker must leave the group for good.
    fatal: Option<String>,
}

/// The membership loop: rebalances, configuration changes, requests from connectors.
async fn run(
    herder: Arc<DistributedHerder>,
    member: Arc<tokio::sync::Mutex<GroupMember>>,
    rejoin: Arc<AtomicBool>,
    mut requests: mpsc::UnboundedReceiver<Request>,
    done: oneshot::Sender<()>,
) {
    let mut state = LoopState {
        assignor: CooperativeAssignor::new(herder.settings.lost_work_delay),
        led_generation: None,
        applied: herder.configs.snapshot(),
        ahead_of_leader: 0,
        behind_members: 0,
        fatal: None,
    };
    let mut rejoin_at: Option<tokio::time::Instant> = Some(tokio::time::Instant::now());
    let mut failures = 0u32;
    while !herder.stopping.is_cancelled() {
        if rejoin.swap(false, Ordering::AcqRel) {
            rejoin_at = Some(tokio::time::Instant::now());
        }
        if rejoin_at.is_some_and(|at| at <= tokio::time::Instant::now()) {
            let outcome = {
                let mut m = member.lock().await;
                herder.rebalance(&mut m, &mut state).await
            };
            if let Some(why) = state.fatal.take() {
                tracing::error!("{why}");
                *lock(&herder.fatal) = Some(why);
                herder.failed.cancel();
                break;
            }
            match outcome {
                Ok(next) => {
                    failures = 0;
                    rejoin_at = next.map(|d| tokio::time::Instant::now() + d);
                }
                Err(e) => {
                    failures += 1;
                    tracing::warn!("Rebalance failed: {e}");
                    // Reconnect: the coordinator may have moved. A new member runs nothing
                    // until it is assigned work again.
                    if failures > 1 {
                        match GroupMember::connect(herder.settings.member.clone()).await {
                            Ok(m) => *member.lock().await = m,
                            Err(e) => tracing::warn!("Could not reach the group coordinator: {e}"),
                        }
                    }
                    rejoin_at = Some(tokio::time::Instant::now() + Duration::from_secs(1));
                }
            }
            continue;
        }
        let until_rejoin = rejoin_at.map_or(CONFIG_POLL, |at| {
            at.saturating_duration_since(tokio::time::Instant::now())
                .min(CONFIG_POLL)
        });
        tokio::select! {
            _ = herder.stopping.cancelled() => break,
            _ = herder.wake.notified() => {}
            _ = tokio::time::sleep(until_rejoin) => {}
            r = requests.recv() => match r {
                Some(Request::Reconfigure(name)) => herder.reconfigure(&name).await,
                Some(Request::Fail(name, e)) => {
                    tracing::error!("Connector {name} raised an error: {}", e.trace());
                    herder.status.put_connector(&name, State::Failed, Some(e.trace()));
                }
                Some(Request::Ping(reply)) => {
                    let _ = reply.send(());
                }
                None => break,
            },
        }
        if let Err(e) = herder.configs.refresh().await {
            tracing::warn!("Could not read the config topic: {e}");
            continue;
        }
        for request in herder.configs.take_restart_requests() {
            herder.apply_restart(&request).await;
        }
        let now = herder.configs.snapshot();
        if now != state.applied {
            let applied = std::mem::replace(&mut state.applied, now.clone());
            if herder.apply_config_changes(&applied, &now).await {
                herder.expect_rebalance();
                rejoin_at = Some(tokio::time::Instant::now());
            }
        }
    }
    herder.shut_down(&member).await;
    let _ = done.send(());
}

/// Heartbeats every `heartbeat.interval.ms` while the loop is not rebalancing; asks the loop
/// to rejoin when the group rebalances.
async fn heartbeats(
    herder: Weak<DistributedHerder>,
    member: Arc<tokio::sync::Mutex<GroupMember>>,
    rejoin: Arc<AtomicBool>,
) {
    loop {
        let Some(h) = herder.upgrade() else { return };
        let interval = h.settings.heartbeat_interval;
        let stopping = h.stopping.clone();
        drop(h);
        tokio::select! {
            _ = stopping.cancelled() => return,
            _ = tokio::time::sleep(interval) => {}
        }
        // While the loop holds the member it is joining: no heartbeat is due.
        let Ok(mut m) = member.try_lock() else {
            continue;
        };
        if m.member_id().is_empty() {
            continue;
        }
        let outcome = m.heartbeat().await;
        drop(m);
        let again = match outcome {
            Ok(Heartbeat::Ok) => false,
            Ok(Heartbeat::Rejoin) => true,
            Err(e) => {
                tracing::warn!("Heartbeat failed: {e}");
                true
            }
        };
        if again {
            rejoin.store(true, Ordering::Release);
            if let Some(h) = herder.upgrade() {
                h.wake.notify_one();
            }
        }
    }
}

#[async_trait]
impl Herder for DistributedHerder {
    async fn connectors(&self) -> Vec<String> {
        self.configs.snapshot().into_keys().collect()
    }

    async fn connector_info(&self, name: &str) -> HerderResult<ConnectorInfo> {
        let (entry, a) = self.known(name).ok_or_else(|| not_found(name))?;
        Ok(shared::info(name, &entry, &a))
    }

    async fn connector_config(&self, name: &str) -> HerderResult<HashMap<String, String>> {
        let (entry, a) = self.known(name).ok_or_else(|| not_found(name))?;
        Ok(validation::redact(&entry.config, &a.secret_keys))
    }

    async fn put_connector_config(
        &self,
        name: &str,
        mut config: HashMap<String, String>,
        allow_replace: bool,
        initial_state: Option<TargetState>,
    ) -> HerderResult<(bool, ConnectorInfo)> {
        self.require_leader().await?;
        self.configs.refresh().await.map_err(internal)?;
        config
            .entry(NAME_CONFIG.to_owned())
            .or_insert_with(|| name.to_owned());
        let existing = self.configs.connector(name);
        shared::restore_hidden(&mut config, existing.as_ref().map(|e| &e.config));
        let accepted = shared::validate(&self.worker, &config)?;
        if existing.is_some() && !allow_replace {
            return Err(HerderError::AlreadyExists(format!(
                "Connector {name} already exists"
            )));
        }
        let created = existing.is_none();
        self.configs
            .put_connector_config(name, config, if created { initial_state } else { None })
            .await
            .map_err(internal)?;
        if created {
            tracing::info!("Created connector {name}");
            self.expect_rebalance();
        }
        self.wake.notify_one();
        let entry = self
            .configs
            .connector(name)
            .ok_or_else(|| not_found(name))?;
        Ok((created, shared::info(name, &entry, &accepted)))
    }

    async fn delete_connector(&self, name: &str) -> HerderResult<()> {
        self.require_leader().await?;
        self.configs.refresh().await.map_err(internal)?;
        if self.configs.connector(name).is_none() {
            return Err(not_found(name));
        }
        self.configs
            .remove_connector_config(name)
            .await
            .map_err(internal)?;
        self.expect_rebalance();
        self.status.remove(name);
        self.status.reset_topics(name);
        self.topics.reset(name);
        self.wake.notify_one();
        tracing::info!("Removed connector {name}");
        Ok(())
    }

    async fn connector_status(&self, name: &str) -> HerderResult<ConnectorStateInfo> {
        let (entry, a) = self.known(name).ok_or_else(|| {
            HerderError::NotFound(format!("No status found for connector {name}"))
        })?;
        Ok(shared::state_info(
            &*self.status,
            &self.worker.worker_id,
            name,
            &entry,
            &a,
        ))
    }

    async fn task_status(&self, name: &str, task: usize) -> HerderResult<TaskState> {
        let id = TaskId::new(name, task);
        let s = self
            .status
            .task(&id)
            .ok_or_else(|| HerderError::NotFound(format!("No status found for task {id}")))?;
        let version = self.known(name).map(|(_, a)| a.desc.version);
        Ok(TaskState {
            id: task,
            state: s.state.name().to_owned(),
            worker_id: s.worker_id.unwrap_or_else(|| self.worker.worker_id.clone()),
            trace: s.trace,
            version,
        })
    }

    async fn tasks(&self, name: &str) -> HerderResult<Vec<TaskInfo>> {
        let (entry, a) = self.known(name).ok_or_else(|| not_found(name))?;
        Ok(shared::task_infos(name, &entry, &a))
    }

    async fn pause_connector(&self, name: &str) -> HerderResult<()> {
        let entry = self
            .configs
            .connector(name)
            .ok_or_else(|| HerderError::NotFound(format!("Unknown connector {name}")))?;
        if entry.target == TargetState::Stopped {
            return Ok(());
        }
        self.configs
            .put_target_state(name, TargetState::Paused)
            .await
            .map_err(internal)?;
        self.wake.notify_one();
        Ok(())
    }

    async fn resume_connector(&self, name: &str) -> HerderResult<()> {
        if self.configs.connector(name).is_none() {
            return Err(HerderError::NotFound(format!("Unknown connector {name}")));
        }
        self.configs
            .put_target_state(name, TargetState::Started)
            .await
            .map_err(internal)?;
        self.wake.notify_one();
        Ok(())
    }

    async fn stop_connector(&self, name: &str) -> HerderResult<()> {
        self.require_leader().await?;
        if self.configs.connector(name).is_none() {
            return Err(HerderError::NotFound(format!("Unknown connector {name}")));
        }
        // No tasks first, then the state: a worker never runs tasks of a stopped connector.
        self.configs
            .put_task_configs(name, Vec::new())
            .await
            .map_err(internal)?;
        self.configs
            .put_target_state(name, TargetState::Stopped)
            .await
            .map_err(internal)?;
        self.wake.notify_one();
        Ok(())
    }

    async fn restart_connector(
        &self,
        name: &str,
        include_tasks: bool,
        only_failed: bool,
    ) -> HerderResult<()> {
        self.settled().await?;
        if include_tasks || only_failed {
            return self
                .restart_connector_and_tasks(name, include_tasks, only_failed)
                .await
                .map(|_| ());
        }
        if self.configs.connector(name).is_none() {
            return Err(not_found(name));
        }
        let mut local = self.local.lock().await;
        if !local.handled.contains(&(name.to_owned(), CONNECTOR_TASK)) {
            drop(local);
            return Err(self.owner_of(self.status.connector(name)));
        }
        self.status.forget(name, Scope::Connector);
        self.worker.stop_and_await_connector(name).await;
        self.status.put_connector(name, State::Restarting, None);
        self.start_connector_here(name).await;
        local.handled.insert((name.to_owned(), CONNECTOR_TASK));
        Ok(())
    }

    async fn restart_task(&self, name: &str, task: usize) -> HerderResult<()> {
        self.settled().await?;
        let (entry, _) = self.known(name).ok_or_else(|| not_found(name))?;
        if task >= entry.task_configs.len() {
            return Err(HerderError::NotFound(format!(
                "Task {name}-{task} not found"
            )));
        }
        let id = TaskId::new(name, task);
        let local = self.local.lock().await;
        if !local.handled.contains(&(name.to_owned(), task as i32)) {
            drop(local);
            return Err(self.owner_of(self.status.task(&id)));
        }
        self.status.forget(name, Scope::Task(task));
        self.worker
            .stop_and_await_tasks(std::slice::from_ref(&id))
            .await;
        self.start_task_here(&id);
        Ok(())
    }

    async fn restart_connector_and_tasks(
        &self,
        name: &str,
        include_tasks: bool,
        only_failed: bool,
    ) -> HerderResult<ConnectorStateInfo> {
        self.require_leader().await?;
        self.settled().await?;
        let (entry, a) = self
            .known(name)
            .ok_or_else(|| HerderError::NotFound(format!("Unknown connector: {name}")))?;
        let current = self.status.connector(name).ok_or_else(|| {
            HerderError::NotFound(format!("Status for connector {name} not found"))
        })?;
        let mut plan = shared::state_info(&*self.status, &self.worker.worker_id, name, &entry, &a);
        shared::restart_plan(
            &mut plan,
            current.state == State::Failed,
            include_tasks,
            only_failed,
        );
        self.configs
            .put_restart_request(&RestartRequest {
                connector: name.to_owned(),
                include_tasks,
                only_failed,
            })
            .await
            .map_err(internal)?;
        self.wake.notify_one();
        Ok(plan)
    }

    async fn validate_connector_config(&self, config: NullableProps) -> HerderResult<ConfigInfos> {
        validation::validate_connector_config(&self.worker, &config).map(|v| v.infos)
    }

    async fn patch_connector_config(
        &self,
        name: &str,
        patch: NullableProps,
    ) -> HerderResult<ConnectorInfo> {
        self.require_leader().await?;
        let current = self
            .configs
            .connector(name)
            .ok_or_else(|| not_found(name))?
            .config;
        let (_, info) = self
            .put_connector_config(name, shared::patched(current, patch), true, None)
            .await?;
        Ok(info)
    }

    fn connector_plugin_config(&self, plugin: &str) -> HerderResult<Vec<ConfigKeyInfo>> {
        shared::connector_plugin_config(&self.worker.registry, plugin)
    }

    async fn connector_offsets(&self, name: &str) -> HerderResult<ConnectorOffsets> {
        let (entry, a) = self.known(name).ok_or_else(|| not_found(name))?;
        shared::connector_offsets(&self.worker, name, &entry.config, &a).await
    }

    async fn alter_connector_offsets(
        &self,
        name: &str,
        offsets: Vec<ConnectorOffset>,
    ) -> HerderResult<Message> {
        self.require_leader().await?;
        self.settled().await?;
        let (entry, a) = self.known(name).ok_or_else(|| not_found(name))?;
        shared::require_stopped(name, &entry, self.worker.task_ids(name).len())?;
        shared::alter_offsets(&self.worker, name, &entry.config, &a.desc.factory, &offsets).await
    }

    async fn reset_connector_offsets(&self, name: &str) -> HerderResult<Message> {
        self.require_leader().await?;
        self.settled().await?;
        let (entry, a) = self.known(name).ok_or_else(|| not_found(name))?;
        shared::require_stopped(name, &entry, self.worker.task_ids(name).len())?;
        shared::reset_offsets(&self.worker, name, &entry.config, &a.desc.factory).await
    }

    fn connector_active_topics(&self, name: &str) -> Vec<String> {
        self.status
            .topics(name)
            .unwrap_or_else(|| self.topics.topics(name))
    }

    fn reset_connector_active_topics(&self, name: &str) {
        self.status.reset_topics(name);
        self.topics.reset(name);
    }

    fn topic_tracking(&self) -> (bool, bool) {
        shared::topic_tracking(&self.worker.config)
    }

    fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    async fn ready(&self) {
        shared::await_ready(&self.ready, &self.started, &self.requests).await;
    }

    fn plugins(&self, connectors_only: bool) -> Vec<PluginInfo> {
        shared::plugins(&self.worker.registry, connectors_only)
    }

    fn kafka_cluster_id(&self) -> String {
        self.settings.cluster_id.clone()
    }

    fn metrics(&self) -> Arc<crate::metrics::ConnectMetrics> {
        self.worker.metrics.clone()
    }

    async fn put_task_configs(
        &self,
        name: &str,
        body: &[u8],
        signature: Option<(String, String)>,
    ) -> HerderResult<()> {
        if self.cluster().protocol.as_deref() == Some(SESSIONED) {
            self.verify(body, signature)?;
        }
        self.require_leader().await?;
        let configs: Vec<Props> = serde_json::from_slice(body)
            .map_err(|e| HerderError::BadRequest(format!("Invalid task configurations: {e}")))?;
        self.configs.refresh().await.map_err(internal)?;
        let entry = self
            .configs
            .connector(name)
            .ok_or_else(|| not_found(name))?;
        if entry.target == TargetState::Stopped && !configs.is_empty() {
            return Err(HerderError::BadRequest(format!(
                "Cannot submit non-empty set of task configs for stopped connector {name}"
            )));
        }
        self.configs
            .put_task_configs(name, configs)
            .await
            .map_err(internal)?;
        self.wake.notify_one();
        Ok(())
    }

    async fn fence_zombies(&self, name: &str) -> HerderResult<()> {
        let _ = name;
        Err(HerderError::Internal(
            "This worker does not run exactly-once source connectors (exactly.once.source.support=disabled), so it has no zombie tasks to fence.".to_owned(),
        ))
    }

    async fn stop(&self) {
        tracing::info!("Herder stopping");
        self.status.close();
        self.stopping.cancel();
        if let Some(done) = self.stopped.lock().await.take() {
            let _ = done.await;
        }
        tracing::info!("Herder stopped");
    }
}

impl DistributedHerder {
    /// Where a request for work run elsewhere goes: the worker its status names.
    fn owner_of(&self, status: Option<crate::storage::Status>) -> HerderError {
        match status.and_then(|s| s.worker_id) {
            // Workers of a cluster listen alike: the owner's URL takes this worker's scheme.
            Some(w) if w != self.worker.worker_id => {
                let scheme = self.settings.url.split("://").next().unwrap_or("http");
                HerderError::Forward(format!("{scheme}://{w}/"))
            }
            _ => HerderError::Conflict,
        }
    }

    /// Checks an internal request's signature (Apache's `InternalRequestSignature`).
    fn verify(&self, body: &[u8], signature: Option<(String, String)>) -> HerderResult<()> {
        let Some((algorithm, signature)) = signature else {
            return Err(HerderError::BadRequest(
                "Internal request missing required signature".to_owned(),
            ));
        };
        if algorithm != request_signing::ALGORITHM {
            return Err(HerderError::BadRequest(format!(
                "This worker does not support the {algorithm} algorithm for request signatures"
            )));
        }
        let Some(key) = self.configs.session_key() else {
            return Err(HerderError::Unavailable(
                "This worker is still starting up and has not been able to read a session key from the config topic yet".to_owned(),
            ));
        };
        if !request_signing::verify(&key, body, &signature) {
            return Err(HerderError::Forbidden(
                "Internal request contained invalid signature.".to_owned(),
            ));
        }
        Ok(())
    }
}
