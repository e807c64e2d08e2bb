//! What the worker does to records between a task and Kafka: the connector's transformations
//! and its key, value and header converters, built from the connector configuration with the
//! worker's own code and plugin names.

use std::sync::Arc;

use connect_api::config::with_prefix;
use connect_api::connector::Props;
use connect_api::errors::Result;
use connect_api::header::Headers;
use connect_api::plugin::PluginRegistry;
use connect_api::sink::{SinkRecord, TimestampType};
use connect_api::source::SourceRecord;
use connect_api::storage::{Converter, HeaderConverter};
use connect_api::transforms::chain::{ChainRecord, TransformationChain};

/// The key and value converter a worker uses when neither it nor the connector names one:
/// the one `config/connect-standalone.properties` ships with.
pub const DEFAULT_CONVERTER: &str = "org.apache.kafka.connect.json.JsonConverter";
/// Apache's default `header.converter`.
pub const DEFAULT_HEADER_CONVERTER: &str = "org.apache.kafka.connect.storage.SimpleHeaderConverter";

/// A record as the worker writes it to Kafka (or reads it from there): after the
/// transformations, in bytes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KafkaRecord {
    /// The topic.
    pub topic: String,
    /// The partition, where the task or a transformation chose one.
    pub partition: Option<i32>,
    /// The key bytes; `None` for a null key.
    pub key: Option<Vec<u8>>,
    /// The value bytes; `None` for a tombstone.
    pub value: Option<Vec<u8>>,
    /// The headers, in order, with their bytes.
    pub headers: Vec<(String, Option<Vec<u8>>)>,
    /// The timestamp, in milliseconds since the epoch.
    pub timestamp: Option<i64>,
}

impl KafkaRecord {
    /// A record with a value and no key.
    pub fn new(topic: impl Into<String>, value: impl Into<Vec<u8>>) -> KafkaRecord {
        KafkaRecord {
            topic: topic.into(),
            value: Some(value.into()),
            ..KafkaRecord::default()
        }
    }

    /// Sets the key.
    pub fn with_key(mut self, key: impl Into<Vec<u8>>) -> KafkaRecord {
        self.key = Some(key.into());
        self
    }

    /// Adds a header.
    pub fn with_header(mut self, key: impl Into<String>, value: impl Into<Vec<u8>>) -> KafkaRecord {
        self.headers.push((key.into(), Some(value.into())));
        self
    }

    /// The key as UTF-8 text, if it is.
    pub fn key_str(&self) -> Option<&str> {
        self.key
            .as_deref()
            .and_then(|b| std::str::from_utf8(b).ok())
    }

    /// The value as UTF-8 text, if it is.
    pub fn value_str(&self) -> Option<&str> {
        self.value
            .as_deref()
            .and_then(|b| std::str::from_utf8(b).ok())
    }
}

/// The converters of one task, picked as the worker picks them: the connector's
/// `key.converter` / `value.converter` / `header.converter` (with their prefixed properties)
/// when it sets them, else the defaults above.
struct Converters {
    key: Box<dyn Converter>,
    value: Box<dyn Converter>,
    header: Box<dyn HeaderConverter>,
}

impl Converters {
    fn from_config(props: &Props, registry: &PluginRegistry) -> Result<Converters> {
        let pick = |role: &str, default: &str| {
            let key = format!("{role}.converter");
            let class = props
                .get(&key)
                .map(|c| c.trim().to_owned())
                .unwrap_or_else(|| default.to_owned());
            (key.clone(), class, with_prefix(props, &format!("{key}.")))
        };
        let (k, class, configs) = pick("key", DEFAULT_CONVERTER);
        let key = registry.new_converter(&k, &class, &configs, true)?;
        let (k, class, configs) = pick("value", DEFAULT_CONVERTER);
        let value = registry.new_converter(&k, &class, &configs, false)?;
        let (k, class, configs) = pick("header", DEFAULT_HEADER_CONVERTER);
        let header = registry.new_header_converter(&k, &class, &configs)?;
        Ok(Converters { key, value, header })
    }
}

/// Transformations then converters, for records a source task polled.
pub(crate) struct SourcePipeline {
    chain: TransformationChain<SourceRecord>,
    converters: Converters,
}

/// Converters then transformations, for records consumed for a sink task.
pub(crate) struct SinkPipeline {
    chain: TransformationChain<SinkRecord>,
    converters: Converters,
}

fn build<R: ChainRecord>(props: &Props) -> Result<(TransformationChain<R>, Converters)> {
    let registry = PluginRegistry::linked();
    Ok((
        TransformationChain::from_config(props, &registry)?,
        Converters::from_config(props, &registry)?,
    ))
}

impl SourcePipeline {
    pub(crate) fn from_config(props: &Props) -> Result<SourcePipeline> {
        let (chain, converters) = build(props)?;
        Ok(SourcePipeline { chain, converters })
    }

    /// The record as the worker would send it; `None` when a transformation dropped it.
    pub(crate) fn produce(&mut self, record: SourceRecord) -> Result<Option<KafkaRecord>> {
        let Some(record) = self.chain.apply(record)? else {
            return Ok(None);
        };
        let c = &self.converters;
        let topic = record.topic.as_str();
        let mut headers = Vec::with_capacity(record.headers.len());
        for h in record.headers.iter() {
            let bytes = c
                .header
                .from_connect_header(topic, &h.key, h.schema.as_ref(), &h.value)?;
            headers.push((h.key.clone(), bytes));
        }
        Ok(Some(KafkaRecord {
            key: c.key.from_connect_data(
                topic,
                &record.headers,
                record.key_schema.as_ref(),
                &record.key,
            )?,
            value: c.value.from_connect_data(
                topic,
                &record.headers,
                record.value_schema.as_ref(),
                &record.value,
            )?,
            topic: record.topic.clone(),
            partition: record.kafka_partition,
            headers,
            timestamp: record.timestamp,
        }))
    }
}

impl SinkPipeline {
    pub(crate) fn from_config(props: &Props) -> Result<SinkPipeline> {
        let (chain, converters) = build(props)?;
        Ok(SinkPipeline { chain, converters })
    }

    /// The record a sink task would be given for `record`, consumed at `partition`/`offset`;
    /// `None` when a transformation dropped it.
    pub(crate) fn consume(
        &mut self,
        record: &KafkaRecord,
        partition: i32,
        offset: i64,
    ) -> Result<Option<SinkRecord>> {
        let c = &self.converters;
        let topic = record.topic.as_str();
        let mut headers = Headers::new();
        for (k, v) in &record.headers {
            let sv = c.header.to_connect_header(topic, k, v.as_deref())?;
            headers.add_value(k.clone(), sv.schema, sv.value);
        }
        let key = c
            .key
            .to_connect_data(topic, &headers, record.key.as_deref())?;
        let value = c
            .value
            .to_connect_data(topic, &headers, record.value.as_deref())?;
        let mut sink = SinkRecord::new(
            Arc::<str>::from(topic),
            partition,
            key.schema,
            key.value,
            value.schema,
            value.value,
            offset,
        )
        .with_headers(headers);
        if let Some(ts) = record.timestamp {
            sink = sink.with_timestamp(ts, TimestampType::CreateTime);
        }
        self.chain.apply(sink)
    }
}
