//! Where connector configurations, task configurations and target states live (Apache's
//! `ConfigBackingStore`): in memory for a standalone worker, in the config topic for a
//! distributed one. The herder writes through it and reads its latest snapshot.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;
use connect_api::connector::Props;
use connect_api::errors::Result;

use crate::worker::TargetState;

/// One connector's entry in the store.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectorEntry {
    /// The connector's configuration, as submitted.
    pub config: Props,
    /// Whether it should run, be paused or be stopped.
    pub target: TargetState,
    /// The configurations of its tasks, the last ones generated.
    pub task_configs: Vec<Props>,
}

/// The stored state of every connector (Apache's `ClusterConfigState`).
pub type ConfigSnapshot = BTreeMap<String, ConnectorEntry>;

/// Stores connector configurations, task configurations and target states.
#[async_trait]
pub trait ConfigBackingStore: Send + Sync {
    /// Everything stored, as of the last write this worker has read.
    fn snapshot(&self) -> ConfigSnapshot;

    /// One connector's entry.
    fn connector(&self, name: &str) -> Option<ConnectorEntry>;

    /// Creates or replaces a connector's configuration. A new connector starts with
    /// `target` (default STARTED) and no tasks; an existing one keeps its target state unless
    /// `target` is given, and its tasks until new ones are written.
    async fn put_connector_config(
        &self,
        name: &str,
        config: Props,
        target: Option<TargetState>,
    ) -> Result<()>;

    /// Removes a connector with its tasks and target state.
    async fn remove_connector_config(&self, name: &str) -> Result<()>;

    /// Replaces a connector's task configurations (an empty list removes them).
    async fn put_task_configs(&self, name: &str, configs: Vec<Props>) -> Result<()>;

    /// Sets a connector's target state.
    async fn put_target_state(&self, name: &str, target: TargetState) -> Result<()>;
}

/// The standalone worker's store: in memory, gone with the process (Apache's
/// `MemoryConfigBackingStore`).
#[derive(Debug, Default)]
pub struct MemoryConfigBackingStore {
    connectors: Mutex<ConfigSnapshot>,
}

impl MemoryConfigBackingStore {
    fn lock(&self) -> MutexGuard<'_, ConfigSnapshot> {
        self.connectors.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait]
impl ConfigBackingStore for MemoryConfigBackingStore {
    fn snapshot(&self) -> ConfigSnapshot {
        self.lock().clone()
    }

    fn connector(&self, name: &str) -> Option<ConnectorEntry> {
        self.lock().get(name).cloned()
    }

    async fn put_connector_config(
        &self,
        name: &str,
        config: Props,
        target: Option<TargetState>,
    ) -> Result<()> {
        let mut connectors = self.lock();
        match connectors.get_mut(name) {
            Some(entry) => {
                entry.config = config;
                if let Some(t) = target {
                    entry.target = t;
                }
            }
            None => {
                connectors.insert(
                    name.to_owned(),
                    ConnectorEntry {
                        config,
                        target: target.unwrap_or(TargetState::Started),
                        task_configs: Vec::new(),
                    },
                );
            }
        }
        Ok(())
    }

    async fn remove_connector_config(&self, name: &str) -> Result<()> {
        self.lock().remove(name);
        Ok(())
    }

    async fn put_task_configs(&self, name: &str, configs: Vec<Props>) -> Result<()> {
        if let Some(entry) = self.lock().get_mut(name) {
            entry.task_configs = configs;
        }
        Ok(())
    }

    async fn put_target_state(&self, name: &str, target: TargetState) -> Result<()> {
        if let Some(entry) = self.lock().get_mut(name) {
            entry.target = target;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> Props {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[tokio::test]
    async fn an_update_keeps_the_target_state_and_tasks_until_replaced() {
        let store = MemoryConfigBackingStore::default();
        store
            .put_connector_config("c", props(&[("a", "1")]), Some(TargetState::Paused))
            .await
            .unwrap();
        store
            .put_task_configs("c", vec![props(&[("t", "0")])])
            .await
            .unwrap();
        store
            .put_connector_config("c", props(&[("a", "2")]), None)
            .await
            .unwrap();
        let c = store.connector("c").unwrap();
        assert_eq!(c.config, props(&[("a", "2")]));
        assert_eq!(c.target, TargetState::Paused);
        assert_eq!(c.task_configs.len(), 1);

        store
            .put_target_state("c", TargetState::Stopped)
            .await
            .unwrap();
        store.put_task_configs("c", Vec::new()).await.unwrap();
        let c = store.connector("c").unwrap();
        assert_eq!(c.target, TargetState::Stopped);
        assert!(c.task_configs.is_empty());

        store.remove_connector_config("c").await.unwrap();
        assert!(store.snapshot().is_empty());
        // Writes for a connector that is gone do not bring it back.
        store
            .put_target_state("c", TargetState::Started)
            .await
            .unwrap();
        store
            .put_task_configs("c", vec![Props::new()])
            .await
            .unwrap();
        assert!(store.connector("c").is_none());
    }

    #[tokio::test]
    async fn a_new_connector_starts_as_asked_or_started() {
        let store = MemoryConfigBackingStore::default();
        store
            .put_connector_config("a", Props::new(), None)
            .await
            .unwrap();
        store
            .put_connector_config("b", Props::new(), Some(TargetState::Stopped))
            .await
            .unwrap();
        let s = store.snapshot();
        assert_eq!(s["a"].target, TargetState::Started);
        assert_eq!(s["b"].target, TargetState::Stopped);
        assert_eq!(s.keys().collect::<Vec<_>>(), ["a", "b"]);
    }
}
