//! [`FileStreamSourceConnector`]: the connector half of the file source.

use connect_api::async_trait;
use connect_api::config::{ConfigDef, ConnectConfig};
use connect_api::connector::Props;
use connect_api::errors::{ConnectError, Result};
use connect_api::source::{ExactlyOnceSupport, SourceConnector, SourceOffset, SourcePartition};
use tracing::info;

use crate::config::{
    configured_file, FileStreamSourceConfig, FILENAME_FIELD, FILE_CONFIG, POSITION_FIELD,
};

/// Reads lines from a file, or from standard input, into a Kafka topic (Apache's
/// `FileStreamSourceConnector`).
///
/// There is only one input, so there is only ever one task, whatever `tasks.max` says; the
/// task's configuration is the connector's, unchanged. See
/// [`FileStreamSourceTask`](crate::FileStreamSourceTask) for what it reads and how it
/// resumes.
#[derive(Debug, Default)]
pub struct FileStreamSourceConnector {
    /// The configuration given to `start`, handed on to the task as is.
    props: Option<Props>,
}

#[async_trait]
impl SourceConnector for FileStreamSourceConnector {
    async fn start(&mut self, props: Props) -> Result<()> {
        let config = FileStreamSourceConfig::parse(&props)?;
        info!(
            "Starting file source connector reading from {}",
            config.input_name()
        );
        self.props = Some(props);
        Ok(())
    }

    fn task_configs(&self, _max_tasks: usize) -> Result<Vec<Props>> {
        // Only one input stream makes sense.
        let props = self.props.clone().ok_or_else(|| {
            ConnectError::other(
                "FileStreamSourceConnector was asked for task configs before it was started",
            )
        })?;
        Ok(vec![props])
    }

    async fn stop(&mut self) -> Result<()> {
        // Nothing to do: the connector has no background monitoring.
        Ok(())
    }

    fn config(&self) -> ConfigDef {
        FileStreamSourceConfig::config_def()
    }

    /// Exactly-once is possible when reading a real file (as long as it is only appended to):
    /// the byte position identifies every line. Standard input has no offsets to commit.
    fn exactly_once_support(&self, props: &Props) -> Option<ExactlyOnceSupport> {
        Some(match configured_file(props) {
            Some(_) => ExactlyOnceSupport::Supported,
            None => ExactlyOnceSupport::Unsupported,
        })
    }

    /// Checks offsets written through the REST API as Apache does: standard input has none to
    /// alter; an offset is null (a reset, always allowed, so that garbage can be cleaned up) or
    /// holds a non-negative integer `position`; a partition names its `filename`. Whether the
    /// position fits the file is left to the task when it starts.
    async fn alter_offsets(
        &self,
        connector_config: &Props,
        offsets: &[(SourcePartition, Option<SourceOffset>)],
    ) -> Result<bool> {
        FileStreamSourceConfig::parse(connector_config)?;
        if configured_file(connector_config).is_none() {
            return Err(ConnectError::other(format!(
                "Offsets cannot be modified if the '{FILE_CONFIG}' configuration is unspecified. \
                 This is because stdin is used for input and offsets are not tracked."
            )));
        }
        // There may be partitions of files the connector read under earlier configurations,
        // so every partition is checked, not only the current file's.
        for (partition, offset) in offsets {
            let Some(offset) = offset else {
                continue;
            };
            let Some(position) = offset.get(POSITION_FIELD) else {
                return Err(ConnectError::other(format!(
                    "Offset objects should either be null or contain the key '{POSITION_FIELD}'"
                )));
            };
            // Apache requires a Long; any integer is accepted here, as the task accepts it.
            let Some(position) = position.as_i64() else {
                return Err(ConnectError::other(format!(
                    "The value for the '{POSITION_FIELD}' key in the offset is expected to be a Long value"
                )));
            };
            if position < 0 {
                return Err(ConnectError::other(format!(
                    "The value for the '{POSITION_FIELD}' key in the offset should be a non-negative value"
                )));
            }
            if !partition.contains_key(FILENAME_FIELD) {
                return Err(ConnectError::other(format!(
                    "Partition objects should contain the key '{FILENAME_FIELD}'"
                )));
            }
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use connect_api::data::Value;

    use super::*;

    fn props(entries: &[(&str, &str)]) -> Props {
        entries
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn file_props() -> Props {
        props(&[("file", "/tmp/in.txt"), ("topic", "t"), ("name", "c")])
    }

    async fn start_error(entries: &[(&str, &str)]) -> String {
        let mut connector = FileStreamSourceConnector::default();
        connector
            .start(props(entries))
            .await
            .unwrap_err()
            .to_string()
    }

    fn partition(file: &str) -> SourcePartition {
        SourcePartition::from([(FILENAME_FIELD.to_owned(), Value::from(file))])
    }

    fn offset(position: Value) -> Option<SourceOffset> {
        Some(SourceOffset::from([(POSITION_FIELD.to_owned(), position)]))
    }

    async fn alter(
        config: &Props,
        partition: SourcePartition,
        offset: Option<SourceOffset>,
    ) -> Result<bool> {
        FileStreamSourceConnector::default()
            .alter_offsets(config, &[(partition, offset)])
            .await
    }

    #[tokio::test]
    async fn one_task_config_whatever_max_tasks() {
        let mut connector = FileStreamSourceConnector::default();
        connector.start(file_props()).await.unwrap();
        for max_tasks in [1, 2, 5] {
            assert_eq!(
                connector.task_configs(max_tasks).unwrap(),
                vec![file_props()]
            );
        }
        connector.stop().await.unwrap();
    }

    #[tokio::test]
    async fn stdin_task_config_has_no_file_key() {
        let mut connector = FileStreamSourceConnector::default();
        connector.start(props(&[("topic", "t")])).await.unwrap();
        let configs = connector.task_configs(1).unwrap();
        assert_eq!(configs.len(), 1);
        assert!(!configs[0].contains_key("file"));
    }

    #[tokio::test]
    async fn start_rejects_bad_configs() {
        assert_eq!(
            start_error(&[("file", "f")]).await,
            "Missing required configuration \"topic\" which has no default value."
        );
        assert_eq!(
            start_error(&[("topic", "   ")]).await,
            "Invalid value  for configuration topic: String must be non-empty"
        );
        assert_eq!(
            start_error(&[("topic", "t"), ("batch.size", "abcd")]).await,
            "Invalid value abcd for configuration batch.size: Not a number of type INT"
        );
        let mut connector = FileStreamSourceConnector::default();
        let error = connector.start(Props::new()).await.unwrap_err();
        assert!(matches!(error, ConnectError::Config(ref e) if e.name() == Some("topic")));
    }

    #[test]
    fn task_configs_before_start_is_an_error() {
        assert!(FileStreamSourceConnector::default()
            .task_configs(1)
            .is_err());
    }

    #[test]
    fn config_is_the_definition() {
        let def = FileStreamSourceConnector::default().config();
        assert_eq!(
            def.names().collect::<Vec<_>>(),
            ["file", "topic", "batch.size"]
        );
    }

    #[test]
    fn exactly_once_needs_a_file() {
        let connector = FileStreamSourceConnector::default();
        assert_eq!(
            connector.exactly_once_support(&file_props()),
            Some(ExactlyOnceSupport::Supported)
        );
        for stdin in [
            props(&[("topic", "t")]),
            props(&[("topic", "t"), ("file", " ")]),
        ] {
            assert_eq!(
                connector.exactly_once_support(&stdin),
                Some(ExactlyOnceSupport::Unsupported)
            );
        }
    }

    #[tokio::test]
    async fn alter_offsets_accepts_valid_offsets_and_resets() {
        let config = file_props();
        assert!(
            alter(&config, partition("/tmp/in.txt"), offset(Value::Int64(10)))
                .await
                .unwrap()
        );
        assert!(
            alter(&config, partition("/tmp/in.txt"), offset(Value::Int64(0)))
                .await
                .unwrap()
        );
        assert!(alter(&config, partition("/tmp/in.txt"), None)
            .await
            .unwrap());
        // Tombstones are allowed for anything, so garbage can be cleaned up.
        assert!(alter(&config, SourcePartition::new(), None).await.unwrap());
        // Partitions of other files (from earlier configurations) are fine too.
        assert!(
            alter(&config, partition("/tmp/old.txt"), offset(Value::Int64(3)))
                .await
                .unwrap()
        );
        assert!(FileStreamSourceConnector::default()
            .alter_offsets(&config, &[])
            .await
            .unwrap());
    }

    #[tokio::test]
    async fn alter_offsets_rejects_what_apache_rejects() {
        let config = file_props();
        let error = |r: Result<bool>| r.unwrap_err().to_string();
        assert_eq!(
            error(alter(&props(&[("topic", "t")]), partition("x"), None).await),
            "Offsets cannot be modified if the 'file' configuration is unspecified. \
             This is because stdin is used for input and offsets are not tracked."
        );
        assert_eq!(
            error(alter(&config, partition("/tmp/in.txt"), Some(SourceOffset::new())).await),
            "Offset objects should either be null or contain the key 'position'"
        );
        for bad in [Value::from("10"), Value::Float64(1.0), Value::Null] {
            assert_eq!(
                error(alter(&config, partition("/tmp/in.txt"), offset(bad)).await),
                "The value for the 'position' key in the offset is expected to be a Long value"
            );
        }
        assert_eq!(
            error(alter(&config, partition("/tmp/in.txt"), offset(Value::Int64(-1))).await),
            "The value for the 'position' key in the offset should be a non-negative value"
        );
        assert_eq!(
            error(alter(&config, SourcePartition::new(), offset(Value::Int64(1))).await),
            "Partition objects should contain the key 'filename'"
        );
        // An invalid connector configuration is reported as such.
        assert!(alter(&props(&[("file", "f")]), partition("f"), None)
            .await
            .is_err());
    }
}
