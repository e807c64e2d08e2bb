//! Source offsets in the offset topic (Apache's `KafkaOffsetBackingStore`), as Apache writes
//! them: key `["<connector>",{partition}]`, value `{offset}` (compact JSON), a tombstone for a
//! reset offset. Records are partitioned by a murmur2 hash of the key, as Java's producer
//! does, so that a key written by either implementation lands in the same partition and the
//! newest write wins.
//!
//! Keys read from the topic are put in this worker's canonical form (partition fields sorted)
//! before lookups, so offsets Apache wrote are found whatever order its JSON has. A
//! partition with several fields that Apache wrote in another order is therefore written back
//! under a different key; Apache would keep reading its own older record for it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use connect_api::errors::{ConnectError, Result};

use super::offset_backing_store::{OffsetBackingStore, OffsetEntries};
use super::offset_codec::{offset_key, parse_offset_key};
use crate::kafka::topic_log::{java_partitioning, LogRecord, TopicLog, TopicSpec};
use crate::kafka::ClientProps;

/// How long a read or write may take (Apache's `offset.flush.timeout.ms` bounds the callers).
const READ_WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// The offset topic as an [`OffsetBackingStore`]; every read first reads the topic to its end.
pub struct KafkaOffsetBackingStore {
    log: Arc<TopicLog>,
    data: Arc<Mutex<HashMap<Vec<u8>, Vec<u8>>>>,
}

fn lock(m: &Mutex<HashMap<Vec<u8>, Vec<u8>>>) -> MutexGuard<'_, HashMap<Vec<u8>, Vec<u8>>> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A key as this worker writes it.
fn canonical(key: &[u8]) -> Vec<u8> {
    parse_offset_key(key)
        .and_then(|(connector, partition)| offset_key(&connector, &partition).ok())
        .unwrap_or_else(|| key.to_vec())
}

impl KafkaOffsetBackingStore {
    /// Opens (creating if needed) the offset topic and reads it to its end.
    pub async fn open(
        admin: &ClientProps,
        producer: &ClientProps,
        consumer: &ClientProps,
        topic: &str,
        partitions: i32,
        replication_factor: i32,
    ) -> Result<KafkaOffsetBackingStore> {
        let spec = TopicSpec {
            name: topic.to_owned(),
            property: "offset.storage.topic".to_owned(),
            holds: "source connector offsets".to_owned(),
            partitions,
            replication_factor,
            single_partition: false,
        };
        let log = TopicLog::open(admin, &java_partitioning(producer), consumer, &spec).await?;
        let store = KafkaOffsetBackingStore {
            log: Arc::new(log),
            data: Arc::new(Mutex::new(HashMap::new())),
        };
        store.exchange(Vec::new()).await?;
        Ok(store)
    }

    /// Writes `records` (none: only reads), then reads the topic to its end.
    async fn exchange(&self, records: Vec<LogRecord>) -> Result<()> {
        let (log, data) = (self.log.clone(), self.data.clone());
        tokio::task::spawn_blocking(move || {
            if !records.is_empty() {
                log.send(&records, READ_WRITE_TIMEOUT)?;
            }
            let read = log.read_to_end(READ_WRITE_TIMEOUT)?;
            let mut data = lock(&data);
            for (key, value) in read {
                let key = canonical(key.as_bytes());
                match value {
                    Some(v) => {
                        data.insert(key, v);
                    }
                    None => {
                        data.remove(&key);
                    }
                }
            }
            Ok(())
        })
        .await
        .map_err(|e| ConnectError::other_with("the offset topic's thread failed", e))?
    }
}

#[async_trait]
impl OffsetBackingStore for KafkaOffsetBackingStore {
    async fn get(&self, keys: &[Vec<u8>]) -> Result<HashMap<Vec<u8>, Vec<u8>>> {
        self.exchange(Vec::new()).await?;
        let data = lock(&self.data);
        Ok(keys
            .iter()
            .filter_map(|k| data.get(&canonical(k)).map(|v| (k.clone(), v.clone())))
            .collect())
    }

    async fn set(&self, entries: OffsetEntries) -> Result<()> {
        let mut records = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            let key = String::from_utf8(k)
                .map_err(|e| ConnectError::data_with("an offset key is not UTF-8 JSON", e))?;
            records.push((key, v));
        }
        self.exchange(records).await
    }

    async fn all(&self) -> Result<HashMap<Vec<u8>, Vec<u8>>> {
        self.exchange(Vec::new()).await?;
        Ok(lock(&self.data).clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_compared_in_canonical_form() {
        assert_eq!(
            canonical(br#"["c",{"b":1,"a":"x"}]"#),
            br#"["c",{"a":"x","b":1}]"#.to_vec()
        );
        // Not an offset key: kept as it is.
        assert_eq!(canonical(b"junk"), b"junk".to_vec());
    }
}
