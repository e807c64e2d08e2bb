//! The dead letter queue of a connector (Apache's `DeadLetterQueueReporter`, KIP-298):
//! records that fail conversion or transformation under `errors.tolerance=all` are written,
//! as consumed (key, value, headers and timestamp untouched), to
//! `errors.deadletterqueue.topic.name`, with `__connect.errors.*` headers describing the
//! failure when `errors.deadletterqueue.context.headers.enable` is set.
//!
//! Each report waits for the broker's acknowledgement before the task goes on: the record's
//! offset may be committed only once it is in the queue, or nothing would say it existed.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use connect_api::data::Value;
use connect_api::errors::{ConnectError, Result};
use connect_api::source::SourceRecord;
use connect_api::storage::{Converter as _, HeaderConverter as _};
use connect_converters::json::JsonConverter;
use rdkafka::message::{BorrowedMessage, Headers, Message, OwnedHeaders};
use rdkafka::producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};

use super::error_handler::{Failure, Stage};
use crate::config::WorkerConfig;
use crate::kafka::{admin, admin_props, producer_props, to_client_config, ClientProps};
use crate::metrics::ErrorMetrics;
use crate::storage::offset_codec;
use crate::worker::TaskId;

/// `errors.deadletterqueue.topic.name`.
pub const DLQ_TOPIC_NAME_CONFIG: &str = "errors.deadletterqueue.topic.name";
/// `errors.deadletterqueue.topic.replication.factor`.
pub const DLQ_TOPIC_REPLICATION_FACTOR_CONFIG: &str =
    "errors.deadletterqueue.topic.replication.factor";
/// `errors.deadletterqueue.context.headers.enable`.
pub const DLQ_CONTEXT_HEADERS_ENABLE_CONFIG: &str = "errors.deadletterqueue.context.headers.enable";

/// Apache's header names.
const HEADER_PREFIX: &str = "__connect.errors.";

/// How long a report waits for the broker.
const ACK_TIMEOUT: Duration = Duration::from_secs(30);

/// Where a record came from, for the context headers.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    /// The topic it was consumed from.
    pub topic: &'a str,
    /// Its partition.
    pub partition: i32,
    /// Its offset.
    pub offset: i64,
    /// Its timestamp, kept on the queue's copy.
    pub timestamp: Option<i64>,
}

/// A task's dead letter queue.
pub struct DeadLetterQueue {
    topic: String,
    replication_factor: i32,
    context_headers: bool,
    id: TaskId,
    admin: ClientProps,
    producer: ThreadedProducer<DefaultProducerContext>,
    metrics: Arc<ErrorMetrics>,
}

impl std::fmt::Debug for DeadLetterQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DeadLetterQueue({})", self.topic)
    }
}

impl DeadLetterQueue {
    /// The queue a connector's configuration names, if any (sources too, unlike Apache). Its producer has the
    /// worker's `producer.*` settings and the connector's `producer.override.*`, as Apache's.
    pub fn from_config(
        worker: &WorkerConfig,
        connector: &HashMap<String, String>,
        id: &TaskId,
        metrics: Arc<ErrorMetrics>,
    ) -> Result<Option<DeadLetterQueue>> {
        let topic = connector
            .get(DLQ_TOPIC_NAME_CONFIG)
            .map(|t| t.trim())
            .unwrap_or_default();
        if topic.is_empty() {
            return Ok(None);
        }
        let replication_factor = match connector.get(DLQ_TOPIC_REPLICATION_FACTOR_CONFIG) {
            None => 3,
            Some(v) => v.trim().parse::<i32>().map_err(|_| {
                ConnectError::invalid_config(
                    DLQ_TOPIC_REPLICATION_FACTOR_CONFIG,
                    Some(v),
                    "Not a number of type SHORT",
                )
            })?,
        };
        let context_headers = connector
            .get(DLQ_CONTEXT_HEADERS_ENABLE_CONFIG)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
        let mut producer = producer_props(worker, connector, &id.connector, id.task)
            .map_err(ConnectError::Config)?;
        producer.insert(
            "client.id".into(),
            format!("connector-dlq-producer-{}-{}", id.connector, id.task),
        );
        let producer: ThreadedProducer<DefaultProducerContext> = to_client_config(&producer)
            .create()
            .map_err(|e| ConnectError::other_with("Could not create the DLQ producer", e))?;
        let admin = admin_props(
            worker,
            connector,
            &format!("connector-dlq-adminclient-{}-{}", id.connector, id.task),
        )
        .map_err(ConnectError::Config)?;
        Ok(Some(DeadLetterQueue {
            topic: topic.to_owned(),
            replication_factor,
            context_headers,
            id: id.clone(),
            admin,
            producer,
            metrics,
        }))
    }

    /// Creates the topic (one partition, the configured replication factor) unless it
    /// exists; a task whose queue cannot be created fails, as Apache's does.
    pub async fn create_topic(&self) -> Result<()> {
        let created =
            admin::create_topic(&self.admin, &self.topic, 1, self.replication_factor, &[])
                .await
                .map_err(|e| {
                    ConnectError::other_with(
                        format!(
                            "Could not create the dead letter queue topic {}",
                            self.topic
                        ),
                        e,
                    )
                })?;
        if created {
            tracing::info!(
                "{} created its dead letter queue topic {}",
                self.id,
                self.topic
            );
        }
        Ok(())
    }

    /// Writes a record that failed in the pipeline to the queue, as consumed, and waits for
    /// the broker to acknowledge it.
    pub fn report(&self, msg: &BorrowedMessage<'_>, failure: &Failure) -> Result<()> {
        let mut original = OwnedHeaders::new();
        if let Some(hs) = msg.headers() {
            for h in hs.iter() {
                original = original.insert(rdkafka::message::Header {
                    key: h.key,
                    value: h.value,
                });
            }
        }
        self.send(
            Origin {
                topic: msg.topic(),
                partition: msg.partition(),
                offset: msg.offset(),
                timestamp: msg.timestamp().to_millis(),
            },
            msg.key(),
            msg.payload(),
            original,
            (failure.stage, &failure.class, &failure.error),
        )
    }

    /// Writes a record a source task returned that its transformations or converters
    /// rejected, and waits for the broker to acknowledge it. Apache has no queue for source
    /// connectors. The record could not be converted (or failed before conversion), so it is
    /// written as `poll` returned it in `JsonConverter`'s envelope (schema and payload, as
    /// `schemas.enable=true` writes it) for key, value and each header; with context headers,
    /// `__connect.errors.topic` / `partition` are where it was headed (`-1`: no partition
    /// chosen), `offset` is `-1`, and `__connect.errors.source.partition` /
    /// `__connect.errors.source.offset` hold its source partition and offset as JSON.
    pub fn report_source(&self, record: &SourceRecord, failure: &Failure) -> Result<()> {
        let json = JsonConverter::default();
        let topic = record.topic.as_str();
        let convert = |schema: Option<&connect_api::data::Schema>, value: &Value| {
            json.from_connect_data(topic, &record.headers, schema, value)
        };
        let key = convert(record.key_schema.as_ref(), &record.key)?;
        let value = convert(record.value_schema.as_ref(), &record.value)?;
        let mut headers = OwnedHeaders::new_with_capacity(record.headers.len() + 2);
        for h in record.headers.iter() {
            let bytes = json.from_connect_header(topic, &h.key, h.schema.as_ref(), &h.value)?;
            headers = headers.insert(rdkafka::message::Header {
                key: &h.key,
                value: bytes.as_deref(),
            });
        }
        if self.context_headers {
            let partition = offset_codec::offset_value(&record.source_partition)?;
            let offset = offset_codec::offset_value(&record.source_offset)?;
            for (name, value) in [("source.partition", partition), ("source.offset", offset)] {
                let key = format!("{HEADER_PREFIX}{name}");
                headers = headers.insert(rdkafka::message::Header {
                    key: &key,
                    value: Some(&value),
                });
            }
        }
        self.send(
            Origin {
                topic,
                partition: record.kafka_partition.unwrap_or(-1),
                offset: -1,
                timestamp: record.timestamp,
            },
            key.as_deref(),
            value.as_deref(),
            headers,
            (failure.stage, &failure.class, &failure.error),
        )
    }

    /// Writes one record (key, value and headers as bytes) with the context of its failure,
    /// and waits for the broker to acknowledge it.
    pub fn send(
        &self,
        origin: Origin<'_>,
        key: Option<&[u8]>,
        value: Option<&[u8]>,
        headers: OwnedHeaders,
        failure: (Stage, &str, &ConnectError),
    ) -> Result<()> {
        ErrorMetrics::inc(&self.metrics.dlq_requests);
        let sent = self.produce(origin, key, value, headers, failure);
        if sent.is_err() {
            ErrorMetrics::inc(&self.metrics.dlq_failures);
        }
        sent
    }

    fn produce(
        &self,
        origin: Origin<'_>,
        key: Option<&[u8]>,
        value: Option<&[u8]>,
        mut headers: OwnedHeaders,
        (stage, class, error): (Stage, &str, &ConnectError),
    ) -> Result<()> {
        if self.context_headers {
            let partition = origin.partition.to_string();
            let offset = origin.offset.to_string();
            let task = self.id.task.to_string();
            let message = error.to_string();
            let trace = error.trace();
            for (name, value) in [
                ("topic", origin.topic),
                ("partition", partition.as_str()),
                ("offset", offset.as_str()),
                ("connector.name", self.id.connector.as_str()),
                ("task.id", task.as_str()),
                ("stage", stage.name()),
                ("class.name", class),
                ("exception.class.name", error.java_class()),
                ("exception.message", message.as_str()),
                ("exception.stacktrace", trace.as_str()),
            ] {
                let key = format!("{HEADER_PREFIX}{name}");
                headers = headers.insert(rdkafka::message::Header {
                    key: &key,
                    value: Some(value.as_bytes()),
                });
            }
        }
        let mut record: BaseRecord<'_, [u8], [u8]> = BaseRecord::to(&self.topic).headers(headers);
        if let Some(k) = key {
            record = record.key(k);
        }
        if let Some(v) = value {
            record = record.payload(v);
        }
        if let Some(t) = origin.timestamp {
            record = record.timestamp(t);
        }
        self.producer.send(record).map_err(|(e, _)| {
            ConnectError::other_with(
                format!("Could not write to the dead letter queue {}", self.topic),
                e,
            )
        })?;
        // Acknowledged, or an error: librdkafka retries until its delivery timeout.
        let unacknowledged = || {
            ConnectError::other(format!(
                "The dead letter queue {} did not acknowledge a record",
                self.topic
            ))
        };
        self.producer
            .flush(ACK_TIMEOUT)
            .map_err(|_| unacknowledged())?;
        if self.producer.in_flight_count() > 0 {
            return Err(unacknowledged());
        }
        Ok(())
    }
}
