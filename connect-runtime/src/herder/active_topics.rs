//! Active topics of each connector (Apache's topic tracking, KIP-558): the topics a
//! connector's tasks have produced to or consumed from since the last reset.
//!
//! The herder records a sink's configured topics when its tasks start; the worker may record
//! every topic it actually uses through [`ActiveTopics::record`].

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, MutexGuard};

/// The active topics of every connector.
#[derive(Debug, Default)]
pub struct ActiveTopics {
    inner: Mutex<BTreeMap<String, BTreeSet<String>>>,
}

impl ActiveTopics {
    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, BTreeSet<String>>> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records that `connector` used `topic`; returns whether it was new.
    pub fn record(&self, connector: &str, topic: &str) -> bool {
        let mut inner = self.lock();
        let topics = inner.entry(connector.to_owned()).or_default();
        if topics.contains(topic) {
            return false;
        }
        tracing::info!("Connector {connector} started using topic {topic}");
        topics.insert(topic.to_owned())
    }

    /// The topics of a connector, sorted.
    pub fn topics(&self, connector: &str) -> Vec<String> {
        self.lock()
            .get(connector)
            .map(|t| t.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Forgets a connector's topics.
    pub fn reset(&self, connector: &str) {
        self.lock().remove(connector);
    }
}
