//! The errant record reporter a sink task gets from its context (Apache's
//! `WorkerErrantRecordReporter`, KIP-610): a task that cannot write a record hands it back,
//! with the error, instead of failing. The record goes to the connector's dead letter queue
//! (serialized again with the task's converters) and to the log when `errors.log.enable` is
//! set; under `errors.tolerance=none` the report then fails, and with it the task.

use std::sync::Arc;

use connect_api::errors::{ConnectError, Result};
use connect_api::sink::{ErrantRecordReporter, SinkRecord};
use rdkafka::message::OwnedHeaders;

use super::dead_letter_queue::{DeadLetterQueue, Origin};
use super::error_handler::Stage;
use super::{Converters, TaskId};

/// A sink task's errant record reporter.
pub struct ErrantRecords {
    id: TaskId,
    task_class: String,
    tolerate: bool,
    log: bool,
    dead_letter_queue: Option<Arc<DeadLetterQueue>>,
    converters: Converters,
}

impl ErrantRecords {
    /// A reporter for a task of class `task_class`, or `None` when the connector has neither
    /// a dead letter queue nor error logging (as Apache, which then gives tasks no reporter).
    pub fn new(
        id: TaskId,
        task_class: &str,
        tolerate: bool,
        log: bool,
        dead_letter_queue: Option<Arc<DeadLetterQueue>>,
        converters: Converters,
    ) -> Option<ErrantRecords> {
        (log || dead_letter_queue.is_some()).then(|| ErrantRecords {
            id,
            task_class: task_class.to_owned(),
            tolerate,
            log,
            dead_letter_queue,
            converters,
        })
    }

    fn write(
        &self,
        dlq: &DeadLetterQueue,
        record: &SinkRecord,
        error: &ConnectError,
    ) -> Result<()> {
        let (key_converter, value_converter, header_converter) = &self.converters;
        let topic = &*record.topic;
        let key = key_converter.from_connect_data(
            topic,
            &record.headers,
            record.key_schema.as_ref(),
            &record.key,
        )?;
        let value = value_converter.from_connect_data(
            topic,
            &record.headers,
            record.value_schema.as_ref(),
            &record.value,
        )?;
        let mut headers = OwnedHeaders::new();
        for h in record.headers.iter() {
            let bytes =
                header_converter.from_connect_header(topic, &h.key, h.schema.as_ref(), &h.value)?;
            headers = headers.insert(rdkafka::message::Header {
                key: &h.key,
                value: bytes.as_deref(),
            });
        }
        dlq.send(
            Origin {
                topic: &record.original_topic,
                partition: record.original_kafka_partition,
                offset: record.original_kafka_offset,
                timestamp: record.timestamp,
            },
            key.as_deref(),
            value.as_deref(),
            headers,
            (Stage::TaskPut, &self.task_class, error),
        )
    }
}

#[connect_api::async_trait]
impl ErrantRecordReporter for ErrantRecords {
    async fn report(&self, record: &SinkRecord, error: &ConnectError) -> Result<()> {
        if self.log {
            tracing::error!(
                "Error encountered in task {}. Executing stage '{}' with class '{}', where consumed record is {{topic='{}', partition={}, offset={}}}: {}",
                self.id,
                Stage::TaskPut.name(),
                self.task_class,
                record.original_topic,
                record.original_kafka_partition,
                record.original_kafka_offset,
                error.trace()
            );
        }
        if let Some(dlq) = &self.dead_letter_queue {
            self.write(dlq, record, error)?;
        }
        if self.tolerate {
            Ok(())
        } else {
            Err(ConnectError::other(format!(
                "Tolerance exceeded in error handler: {}",
                error.trace()
            )))
        }
    }
}
