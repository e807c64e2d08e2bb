//! The records of MirrorMaker's internal topics, in Apache's wire format: Kafka protocol
//! structs (`STRING` = 2-byte big-endian length and UTF-8 bytes, integers big-endian), so
//! that Apache's `OffsetSync.deserializeRecord`, `Heartbeat.deserializeRecord` and
//! `RemoteClusterUtils` read what these connectors write, and the other way round.

/// An offset sync: `upstream` in the source partition corresponds to `downstream` in the
/// remote partition. Key `{topic: STRING, partition: INT32}`, value
/// `{upstreamOffset: INT64, offset: INT64}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffsetSync {
    /// The source topic.
    pub topic: String,
    /// The source partition.
    pub partition: i32,
    /// The offset in the source partition.
    pub upstream: i64,
    /// The offset of the same record in the remote partition.
    pub downstream: i64,
}

/// A heartbeat of flow `source -> target`. Key `{sourceClusterAlias: STRING,
/// targetClusterAlias: STRING}`, value `version: INT16` then `{timestamp: INT64}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heartbeat {
    /// The flow's source cluster.
    pub source: String,
    /// The flow's target cluster.
    pub target: String,
    /// When it was emitted, in milliseconds since the epoch.
    pub timestamp: i64,
}

fn put_string(out: &mut Vec<u8>, s: &str) {
    let len = i16::try_from(s.len()).unwrap_or(i16::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&s.as_bytes()[..len as usize]);
}

/// Reads protocol structs field by field.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Some(head)
    }
    fn i16(&mut self) -> Option<i16> {
        self.take(2).map(|b| i16::from_be_bytes([b[0], b[1]]))
    }
    fn i32(&mut self) -> Option<i32> {
        let b = self.take(4)?;
        Some(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn i64(&mut self) -> Option<i64> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Some(i64::from_be_bytes(a))
    }
    fn string(&mut self) -> Option<String> {
        let len = usize::try_from(self.i16()?).ok()?;
        std::str::from_utf8(self.take(len)?).ok().map(str::to_owned)
    }
}

impl OffsetSync {
    /// The record key.
    pub fn key(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.topic.len() + 6);
        put_string(&mut out, &self.topic);
        out.extend_from_slice(&self.partition.to_be_bytes());
        out
    }

    /// The record value.
    pub fn value(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(16);
        out.extend_from_slice(&self.upstream.to_be_bytes());
        out.extend_from_slice(&self.downstream.to_be_bytes());
        out
    }

    /// Reads a record of the offset-syncs topic; `None` if it is not one.
    pub fn decode(key: &[u8], value: &[u8]) -> Option<OffsetSync> {
        let mut k = Reader(key);
        let mut v = Reader(value);
        Some(OffsetSync {
            topic: k.string()?,
            partition: k.i32()?,
            upstream: v.i64()?,
            downstream: v.i64()?,
        })
    }
}

impl Heartbeat {
    /// The record key.
    pub fn key(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.source.len() + self.target.len() + 4);
        put_string(&mut out, &self.source);
        put_string(&mut out, &self.target);
        out
    }

    /// The record value (version 0).
    pub fn value(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(10);
        out.extend_from_slice(&0i16.to_be_bytes());
        out.extend_from_slice(&self.timestamp.to_be_bytes());
        out
    }

    /// Reads a record of a heartbeats topic; `None` if it is not one.
    pub fn decode(key: &[u8], value: &[u8]) -> Option<Heartbeat> {
        let mut k = Reader(key);
        let mut v = Reader(value);
        let source = k.string()?;
        let target = k.string()?;
        let _version = v.i16()?;
        Some(Heartbeat {
            source,
            target,
            timestamp: v.i64()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_sync_bytes_are_apaches() {
        let s = OffsetSync {
            topic: "t".into(),
            partition: 2,
            upstream: 5,
            downstream: 7,
        };
        assert_eq!(s.key(), vec![0, 1, b't', 0, 0, 0, 2]);
        assert_eq!(
            s.value(),
            vec![0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 7]
        );
        assert_eq!(OffsetSync::decode(&s.key(), &s.value()), Some(s));
        assert_eq!(OffsetSync::decode(&[0, 5, b'x'], &[]), None);
    }

    #[test]
    fn heartbeat_bytes_are_apaches() {
        let h = Heartbeat {
            source: "A".into(),
            target: "B".into(),
            timestamp: 1,
        };
        assert_eq!(h.key(), vec![0, 1, b'A', 0, 1, b'B']);
        assert_eq!(h.value(), vec![0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        assert_eq!(Heartbeat::decode(&h.key(), &h.value()), Some(h));
    }
}
