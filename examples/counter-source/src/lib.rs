//! A source connector that emits `count #1`, `count #2`, ... to the topic named by `topic`,
//! resuming after the last committed count. It shows the whole author's surface: a connector
//! that hands its config to one task, a task that reads its committed offset and polls, and
//! the one-line registration.
use std::sync::Arc;

use connect_api::prelude::*;

#[derive(Default)]
pub struct CounterSource {
    props: Props,
}

#[async_trait]
impl SourceConnector for CounterSource {
    async fn start(&mut self, props: Props) -> Result<()> {
        self.props = props;
        Ok(())
    }
    fn task_configs(&self, _max_tasks: usize) -> Result<Vec<Props>> {
        Ok(vec![self.props.clone()])
    }
    async fn stop(&mut self) -> Result<()> {
        Ok(())
    }
    fn config(&self) -> ConfigDef {
        ConfigDef::new()
    }
}

#[derive(Default)]
pub struct CounterTask {
    topic: String,
    count: i64,
    context: Option<Arc<dyn SourceTaskContext>>,
}

fn partition() -> SourcePartition {
    SourcePartition::from([("counter".into(), "main".into())])
}

#[async_trait]
impl SourceTask for CounterTask {
    fn initialize(&mut self, context: Arc<dyn SourceTaskContext>) {
        self.context = Some(context);
    }
    async fn start(&mut self, props: Props) -> Result<()> {
        self.topic = props
            .get("topic")
            .cloned()
            .ok_or_else(|| ConnectError::other("topic is required"))?;
        if let Some(ctx) = &self.context {
            let committed = ctx.offset_storage_reader().offset(&partition()).await?;
            self.count = committed
                .and_then(|o| o.get("count").and_then(Value::as_i64))
                .unwrap_or(0);
        }
        Ok(())
    }
    async fn poll(&mut self) -> Result<Vec<SourceRecord>> {
        self.count += 1;
        let offset = SourceOffset::from([("count".into(), self.count.into())]);
        let value = format!("count #{}", self.count);
        Ok(vec![SourceRecord::new(
            Arc::new(partition()),
            offset,
            &self.topic,
            Some(STRING_SCHEMA.clone()),
            value,
        )])
    }
    async fn stop(&mut self) -> Result<()> {
        Ok(())
    }
}

connect_api::source_connector!(CounterSource, CounterTask);

#[cfg(test)]
mod tests {
    use super::*;
    use connect_api::storage::OffsetStorageReader;

    struct Committed(i64);
    #[async_trait]
    impl OffsetStorageReader for Committed {
        async fn offset(&self, _p: &SourcePartition) -> Result<Option<SourceOffset>> {
            Ok(Some(SourceOffset::from([(
                "count".into(),
                Value::Int64(self.0),
            )])))
        }
    }
    struct Ctx(Arc<Committed>);
    impl SourceTaskContext for Ctx {
        fn configs(&self) -> Props {
            Props::new()
        }
        fn offset_storage_reader(&self) -> Arc<dyn OffsetStorageReader> {
            self.0.clone()
        }
    }

    #[tokio::test]
    async fn resumes_after_the_committed_count() {
        let mut task = CounterTask::default();
        task.initialize(Arc::new(Ctx(Arc::new(Committed(41)))));
        task.start(Props::from([("topic".into(), "numbers".into())]))
            .await
            .unwrap();
        let records = task.poll().await.unwrap();
        assert_eq!(records[0].value, Value::from("count #42"));
        assert_eq!(records[0].topic, "numbers");
    }

    #[test]
    fn is_registered_under_its_aliases() {
        let registry = connect_api::plugin::PluginRegistry::linked();
        assert!(registry.resolve("CounterSource").is_some());
    }
}
