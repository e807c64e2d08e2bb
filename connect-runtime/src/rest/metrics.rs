//! `GET /metrics`: the worker's metrics in the Prometheus text format, with the statuses of
//! the connectors and tasks this worker runs.

use crate::herder::Herder;
use crate::metrics::{ConnectorSnapshot, TaskSnapshot};
use crate::worker::State;

/// The Prometheus text of `herder`'s worker.
pub(crate) async fn text(herder: &dyn Herder) -> String {
    let metrics = herder.metrics();
    let own = metrics.worker_id.as_str();
    let mut connectors = Vec::new();
    for name in herder.connectors().await {
        let Ok(status) = herder.connector_status(&name).await else {
            continue;
        };
        let tasks: Vec<TaskSnapshot> = status
            .tasks
            .iter()
            .filter(|t| t.worker_id == own)
            .filter_map(|t| {
                State::from_name(&t.state).map(|state| TaskSnapshot { task: t.id, state })
            })
            .collect();
        let state = (status.connector.worker_id == own)
            .then(|| State::from_name(&status.connector.state))
            .flatten();
        if state.is_none() && tasks.is_empty() {
            continue;
        }
        let (class, version) = match metrics.connector_plugin_of(&name) {
            Some(plugin) => plugin,
            None => (
                herder
                    .connector_config(&name)
                    .await
                    .ok()
                    .and_then(|c| c.get("connector.class").cloned())
                    .unwrap_or_default(),
                status.connector.version.clone().unwrap_or_default(),
            ),
        };
        connectors.push(ConnectorSnapshot {
            name,
            class,
            kind: status.kind.clone(),
            version,
            state,
            tasks,
        });
    }
    metrics.render(&connectors)
}
