//! [`FileStreamSinkConnector`]: the connector half of the file sink.

use std::collections::HashMap;

use connect_api::async_trait;
use connect_api::config::{ConfigDef, ConnectConfig};
use connect_api::connector::Props;
use connect_api::errors::{ConnectError, Result};
use connect_api::sink::{SinkConnector, TopicPartition};
use tracing::info;

use crate::config::FileStreamSinkConfig;

/// Writes the records of Kafka topics to a file, or to standard output, one line per record
/// (Apache's `FileStreamSinkConnector`).
///
/// Every task gets the same configuration and appends to the same file, so with several
/// tasks the lines of different partitions interleave (each line stays whole). The framework
/// adds `topics` or `topics.regex` to each task's configuration. See
/// [`FileStreamSinkTask`](crate::FileStreamSinkTask) for what is written.
#[derive(Debug, Default)]
pub struct FileStreamSinkConnector {
    /// The configuration given to `start`, handed on to every task as is.
    props: Option<Props>,
}

#[async_trait]
impl SinkConnector for FileStreamSinkConnector {
    async fn start(&mut self, props: Props) -> Result<()> {
        let config = FileStreamSinkConfig::parse(&props)?;
        info!(
            "Starting file sink connector writing to {}",
            config.output_name()
        );
        self.props = Some(props);
        Ok(())
    }

    fn task_configs(&self, max_tasks: usize) -> Result<Vec<Props>> {
        let props = self.props.as_ref().ok_or_else(|| {
            ConnectError::other(
                "FileStreamSinkConnector was asked for task configs before it was started",
            )
        })?;
        Ok(vec![props.clone(); max_tasks])
    }

    async fn stop(&mut self) -> Result<()> {
        // Nothing to do: the connector has no background monitoring.
        Ok(())
    }

    fn config(&self) -> ConfigDef {
        FileStreamSinkConfig::config_def()
    }

    /// Any consumer offsets may be set: the connector keeps no offsets of its own and needs no
    /// custom validation, as in Apache.
    async fn alter_offsets(
        &self,
        _connector_config: &Props,
        _offsets: &HashMap<TopicPartition, Option<i64>>,
    ) -> Result<bool> {
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props() -> Props {
        Props::from([
            ("file".to_owned(), "/tmp/out.txt".to_owned()),
            ("topics".to_owned(), "a,b".to_owned()),
        ])
    }

    #[tokio::test]
    async fn max_tasks_identical_configs() {
        let mut connector = FileStreamSinkConnector::default();
        connector.start(props()).await.unwrap();
        for max_tasks in [1, 2, 5] {
            assert_eq!(
                connector.task_configs(max_tasks).unwrap(),
                vec![props(); max_tasks]
            );
        }
        connector.stop().await.unwrap();
    }

    #[tokio::test]
    async fn stdout_needs_no_file() {
        let mut connector = FileStreamSinkConnector::default();
        connector.start(Props::new()).await.unwrap();
        assert_eq!(connector.task_configs(1).unwrap(), vec![Props::new()]);
    }

    #[tokio::test]
    async fn offsets_may_be_altered_freely() {
        let connector = FileStreamSinkConnector::default();
        let offsets = HashMap::from([
            (TopicPartition::new("a", 0), Some(5)),
            (TopicPartition::new("b", 1), None),
        ]);
        assert!(connector.alter_offsets(&props(), &offsets).await.unwrap());
    }

    #[test]
    fn config_is_the_definition() {
        let def = FileStreamSinkConnector::default().config();
        assert_eq!(def.names().collect::<Vec<_>>(), ["file"]);
        assert!(FileStreamSinkConnector::default().task_configs(1).is_err());
    }
}
