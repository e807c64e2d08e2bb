//! A sink connector that buffers each record's text in memory and "writes" it on flush — the
//! shape of any sink that batches into an external system: `put` buffers, `flush` makes the
//! buffer durable, and the runtime commits Kafka offsets only after `flush` returned. Here
//! the durable store is a shared list, so the example runs without external services.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use connect_api::prelude::*;

/// Where flushed lines go (stands in for a database or an object store).
pub static STORE: Mutex<Vec<String>> = Mutex::new(Vec::new());

#[derive(Default)]
pub struct CollectSink {
    props: Props,
}

#[async_trait]
impl SinkConnector for CollectSink {
    async fn start(&mut self, props: Props) -> Result<()> {
        self.props = props;
        Ok(())
    }
    fn task_configs(&self, max_tasks: usize) -> Result<Vec<Props>> {
        Ok(vec![self.props.clone(); max_tasks])
    }
    async fn stop(&mut self) -> Result<()> {
        Ok(())
    }
    fn config(&self) -> ConfigDef {
        ConfigDef::new()
    }
}

#[derive(Default)]
pub struct CollectTask {
    buffer: Vec<String>,
    context: Option<Arc<dyn SinkTaskContext>>,
}

#[async_trait]
impl SinkTask for CollectTask {
    fn initialize(&mut self, context: Arc<dyn SinkTaskContext>) {
        self.context = Some(context);
    }
    async fn start(&mut self, _props: Props) -> Result<()> {
        Ok(())
    }
    async fn put(&mut self, records: &[SinkRecord]) -> Result<()> {
        self.buffer.extend(
            records
                .iter()
                .map(|r| format!("{}:{}={}", r.topic, r.kafka_offset, r.value)),
        );
        if self.buffer.len() > 10_000 {
            // A full buffer asks for an early commit instead of growing without bound.
            if let Some(ctx) = &self.context {
                ctx.request_commit();
            }
        }
        Ok(())
    }
    async fn flush(&mut self, _offsets: &HashMap<TopicPartition, OffsetAndMetadata>) -> Result<()> {
        let mut store = STORE
            .lock()
            .map_err(|_| ConnectError::other("store poisoned"))?;
        store.append(&mut self.buffer);
        Ok(())
    }
    async fn stop(&mut self) -> Result<()> {
        Ok(())
    }
}

connect_api::sink_connector!(CollectSink, CollectTask);
