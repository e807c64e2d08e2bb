//! A running connector instance (Apache's `WorkerConnector`): the plugin's `start`,
//! `task_configs` and `stop` run on a thread of the connector's own, never on the thread that
//! serves REST requests, and a panic in any of them fails the connector, not the worker.

use std::any::Any;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use connect_api::connector::{ConnectorContext, Props};
use connect_api::errors::{ConnectError, Result};
use connect_api::plugin::PluginFactory;
use connect_api::sink::SinkConnector;
use connect_api::source::{SourceConnector, SourceConnectorContext};
use connect_api::storage::OffsetStorageReader;
use tokio::sync::{mpsc, oneshot};

/// The connector plugin itself.
enum Instance {
    Source(Box<dyn SourceConnector>),
    Sink(Box<dyn SinkConnector>),
}

/// What the connector's thread is asked to do; each carries where its answer goes.
enum Command {
    Start(Props, oneshot::Sender<Result<()>>),
    TaskConfigs(usize, oneshot::Sender<Result<Vec<Props>>>),
    Stop(oneshot::Sender<Result<()>>),
}

/// The context a connector sees: the herder's callbacks, and for source connectors the
/// offsets its tasks committed.
struct WorkerConnectorContext {
    herder: Arc<dyn ConnectorContext>,
    offsets: Arc<dyn OffsetStorageReader>,
}

impl ConnectorContext for WorkerConnectorContext {
    fn request_task_reconfiguration(&self) {
        self.herder.request_task_reconfiguration();
    }
    fn raise_error(&self, error: ConnectError) {
        self.herder.raise_error(error);
    }
}

impl SourceConnectorContext for WorkerConnectorContext {
    fn offset_storage_reader(&self) -> Arc<dyn OffsetStorageReader> {
        self.offsets.clone()
    }
}

/// The text of a panic's payload.
pub(crate) fn panic_message(panic: &(dyn Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}

/// A handle on a connector running on its own thread.
#[derive(Clone)]
pub struct ConnectorHandle {
    name: String,
    commands: mpsc::UnboundedSender<Command>,
    /// Whether its `start` succeeded and it has not stopped or panicked since.
    started: Arc<AtomicBool>,
}

impl ConnectorHandle {
    /// Creates the connector instance on a new thread and initializes it; nothing of the
    /// plugin runs until [`start`](Self::start).
    pub(crate) fn spawn(
        name: &str,
        factory: &PluginFactory,
        herder: Arc<dyn ConnectorContext>,
        offsets: Arc<dyn OffsetStorageReader>,
    ) -> Result<ConnectorHandle> {
        let new_instance = match *factory {
            PluginFactory::Source { connector, .. } => {
                Box::new(move || Instance::Source(connector()))
                    as Box<dyn FnOnce() -> Instance + Send>
            }
            PluginFactory::Sink { connector, .. } => Box::new(move || Instance::Sink(connector())),
            ref other => {
                return Err(ConnectError::other(format!(
                    "{} is not a connector",
                    other.kind().name()
                )))
            }
        };
        let context = Arc::new(WorkerConnectorContext { herder, offsets });
        let (tx, rx) = mpsc::unbounded_channel();
        let thread_name = name.to_owned();
        let started = Arc::new(AtomicBool::new(false));
        let flag = started.clone();
        std::thread::Builder::new()
            .name(format!("connector-{name}"))
            .spawn(move || {
                // Every line the connector's thread logs carries `[name|worker]`.
                let _context = crate::logging::connector_span(&thread_name).entered();
                serve(&thread_name, new_instance, context, rx, &flag)
            })
            .map_err(|e| ConnectError::other_with("could not start the connector's thread", e))?;
        Ok(ConnectorHandle {
            name: name.to_owned(),
            commands: tx,
            started,
        })
    }

    /// Whether the connector started and is running.
    pub fn is_running(&self) -> bool {
        self.started.load(Ordering::Acquire)
    }

    async fn ask<T>(
        &self,
        command: impl FnOnce(oneshot::Sender<Result<T>>) -> Command,
    ) -> Result<T> {
        let (tx, rx) = oneshot::channel();
        if self.commands.send(command(tx)).is_err() {
            return Err(self.gone());
        }
        rx.await.unwrap_or_else(|_| Err(self.gone()))
    }

    fn gone(&self) -> ConnectError {
        ConnectError::other(format!("Connector {} is no longer running", self.name))
    }

    /// The plugin's `start`.
    pub async fn start(&self, config: Props) -> Result<()> {
        self.ask(|reply| Command::Start(config, reply)).await
    }

    /// The plugin's `task_configs(max_tasks)`.
    pub async fn task_configs(&self, max_tasks: usize) -> Result<Vec<Props>> {
        self.ask(|reply| Command::TaskConfigs(max_tasks, reply))
            .await
    }

    /// The plugin's `stop`, then the thread ends. Waits at most `timeout`: a connector stuck in
    /// `stop` is left behind (its thread ends when the call returns) and reported.
    pub async fn stop(self, timeout: Duration) -> Result<()> {
        match tokio::time::timeout(timeout, self.ask(Command::Stop)).await {
            Ok(result) => result,
            Err(_) => Err(ConnectError::other(format!(
                "Connector '{}' failed to properly shut down, has become unresponsive, and may be consuming external resources. Correct the configuration for this connector or remove the connector.",
                self.name
            ))),
        }
    }
}

/// The connector's thread: runs each command on a single-threaded runtime. After a panic the
/// instance is abandoned (never called, nor dropped, again) and every later command fails.
fn serve(
    name: &str,
    new_instance: Box<dyn FnOnce() -> Instance + Send>,
    context: Arc<WorkerConnectorContext>,
    mut commands: mpsc::UnboundedReceiver<Command>,
    running: &AtomicBool,
) {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!("could not start the runtime of connector {name}: {e}");
            return;
        }
    };
    let created = std::panic::catch_unwind(AssertUnwindSafe(|| {
        let mut instance = new_instance();
        match &mut instance {
            Instance::Source(c) => c.initialize(context.clone()),
            Instance::Sink(c) => c.initialize(context.clone()),
        }
        instance
    }));
    let mut instance = match created {
        Ok(i) => Some(i),
        Err(panic) => {
            tracing::error!(
                "Connector {name} panicked while being created: {}",
                panic_message(&*panic)
            );
            None
        }
    };
    let mut started = false;
    while let Some(command) = commands.blocking_recv() {
        let Some(live) = instance.as_mut() else {
            reject(name, command);
            continue;
        };
        let (panicked, stopped) = match command {
            Command::Start(config, reply) => {
                let (r, panicked) = guarded(name, "start", || {
                    rt.block_on(async {
                        match live {
                            Instance::Source(c) => c.start(config).await,
                            Instance::Sink(c) => c.start(config).await,
                        }
                    })
                });
                started = r.is_ok();
                running.store(started && !panicked, Ordering::Release);
                let _ = reply.send(r);
                (panicked, false)
            }
            Command::TaskConfigs(max, reply) => {
                let (r, panicked) = if started {
                    guarded(name, "taskConfigs", || match live {
                        Instance::Source(c) => c.task_configs(max),
                        Instance::Sink(c) => c.task_configs(max),
                    })
                } else {
                    let e = format!("Connector {name} is not running");
                    (Err(ConnectError::other(e)), false)
                };
                let _ = reply.send(r);
                (panicked, false)
            }
            Command::Stop(reply) => {
                running.store(false, Ordering::Release);
                // Apache stops only a connector whose start succeeded.
                let (r, panicked) = if started {
                    guarded(name, "stop", || {
                        rt.block_on(async {
                            match live {
                                Instance::Source(c) => c.stop().await,
                                Instance::Sink(c) => c.stop().await,
                            }
                        })
                    })
                } else {
                    (Ok(()), false)
                };
                let _ = reply.send(r);
                (panicked, true)
            }
        };
        if panicked {
            running.store(false, Ordering::Release);
            // Its state is unknown: it is neither called nor dropped again.
            if let Some(abandoned) = instance.take() {
                std::mem::forget(abandoned);
            }
        }
        if stopped {
            return;
        }
    }
}

/// Runs one plugin call; a panic becomes the call's error. Returns whether it panicked.
fn guarded<T>(name: &str, what: &str, call: impl FnOnce() -> Result<T>) -> (Result<T>, bool) {
    match std::panic::catch_unwind(AssertUnwindSafe(call)) {
        Ok(r) => (r, false),
        Err(panic) => {
            let message = panic_message(&*panic);
            tracing::error!("Connector {name} panicked in {what}: {message}");
            (
                Err(ConnectError::other(format!(
                    "Connector {name} panicked in {what}: {message}"
                ))),
                true,
            )
        }
    }
}

fn reject(name: &str, command: Command) {
    let e = || ConnectError::other(format!("Connector {name} failed after a panic"));
    match command {
        Command::Start(_, reply) | Command::Stop(reply) => {
            let _ = reply.send(Err(e()));
        }
        Command::TaskConfigs(_, reply) => {
            let _ = reply.send(Err(e()));
        }
    }
}
