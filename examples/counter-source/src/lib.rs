//! A source connector that emits `count #1`, `count #2`, ... to the topic named by `topic`,
//! resuming after the last committed count. It shows the whole author's surface: a typed
//! configuration, a connector that hands it to one task, a task that reads its committed
//! offset and polls, and the one-line registration.
use std::sync::Arc;

use connect_api::config::ConnectConfig;
use connect_api::prelude::*;

/// The connector's configuration; the doc comments are what the REST API shows.
#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct CounterConfig {
    /// The topic to write the counts to.
    pub topic: String,
}

#[derive(Default)]
pub struct CounterSource {
    props: Props,
}

#[async_trait]
impl SourceConnector for CounterSource {
    async fn start(&mut self, props: Props) -> Result<()> {
        // Fail early, with Apache's message naming the key, on a bad configuration.
        CounterConfig::from_props(&props)?;
        self.props = props;
        Ok(())
    }
    fn task_configs(&self, _max_tasks: usize) -> Result<Vec<Props>> {
        // One counter: one task, whatever tasks.max allows.
        Ok(vec![self.props.clone()])
    }
    async fn stop(&mut self) -> Result<()> {
        Ok(())
    }
    fn config(&self) -> ConfigDef {
        CounterConfig::config_def()
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
        let config = CounterConfig::from_props(&props)?;
        self.topic = config.topic;
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
