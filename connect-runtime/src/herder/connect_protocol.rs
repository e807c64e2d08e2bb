//! The Connect group protocol's payloads (Apache's `ConnectProtocol` and
//! `IncrementalCooperativeConnectProtocol`): the member metadata a worker sends in JoinGroup and
//! the assignment the leader hands out in SyncGroup, byte for byte as Apache's workers write
//! and read them, so that ours and theirs can share one group.
//!
//! Classic Kafka encodings: big-endian integers, `string` = int16 length + UTF-8,
//! `nullable bytes` = int32 length (-1 = null) + bytes, arrays = int32 count (-1 = null).

use std::collections::BTreeMap;

use bytes::{Buf, BufMut, Bytes, BytesMut};

/// The sub-protocols a worker offers, most preferred first, for `connect.protocol`.
pub fn offered_protocols(connect_protocol: &str) -> Option<&'static [(&'static str, i16)]> {
    match connect_protocol.to_ascii_lowercase().as_str() {
        "eager" => Some(&[("default", 0)]),
        "compatible" => Some(&[("compatible", 1), ("default", 0)]),
        "sessioned" => Some(&[("sessioned", 2), ("compatible", 1), ("default", 0)]),
        _ => None,
    }
}

/// The assignment element's task number that stands for the connector instance itself.
pub const CONNECTOR_TASK: i32 = -1;

/// What a worker runs, by connector: `-1` for the connector instance, else task numbers.
pub type Allocation = BTreeMap<String, Vec<i32>>;

/// JoinGroup member metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerMetadata {
    /// 0 (`default`), 1 (`compatible`) or 2 (`sessioned`).
    pub version: i16,
    /// The worker's advertised REST URL, e.g. `http://10.0.0.5:8083/`.
    pub url: String,
    /// The config-topic offset the worker has read up to (-1: none).
    pub config_offset: i64,
    /// What the worker runs now (versions 1 and 2), as a complete assignment.
    pub allocation: Option<Allocation>,
}

/// A SyncGroup assignment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Assignment {
    /// 0, 1 or 2, as the group's protocol.
    pub version: i16,
    /// 0 no error, 1 the members' configurations did not match (`CONFIG_MISMATCH`).
    pub error: i16,
    /// The leader's member id.
    pub leader: String,
    /// The leader's advertised REST URL, where requests are forwarded.
    pub leader_url: String,
    /// The config offset the assignment was computed at.
    pub config_offset: i64,
    /// Newly assigned work (version 0: all of it).
    pub assigned: Allocation,
    /// Work to stop now (versions 1 and 2).
    pub revoked: Allocation,
    /// Milliseconds until a scheduled follow-up rebalance (versions 1 and 2), 0 for none.
    pub delay: i32,
}

/// Why a payload could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("malformed Connect protocol data: {0}")]
pub struct ProtocolError(&'static str);

type Read<T> = Result<T, ProtocolError>;

fn put_string(out: &mut BytesMut, s: &str) {
    out.put_i16(s.len() as i16);
    out.put_slice(s.as_bytes());
}

fn get_i16(b: &mut Bytes) -> Read<i16> {
    (b.remaining() >= 2)
        .then(|| b.get_i16())
        .ok_or(ProtocolError("truncated int16"))
}

fn get_i32(b: &mut Bytes) -> Read<i32> {
    (b.remaining() >= 4)
        .then(|| b.get_i32())
        .ok_or(ProtocolError("truncated int32"))
}

fn get_i64(b: &mut Bytes) -> Read<i64> {
    (b.remaining() >= 8)
        .then(|| b.get_i64())
        .ok_or(ProtocolError("truncated int64"))
}

fn get_string(b: &mut Bytes) -> Read<String> {
    let len = get_i16(b)?;
    let len = usize::try_from(len).map_err(|_| ProtocolError("negative string length"))?;
    if b.remaining() < len {
        return Err(ProtocolError("truncated string"));
    }
    String::from_utf8(b.split_to(len).to_vec()).map_err(|_| ProtocolError("string is not UTF-8"))
}

fn put_allocation(out: &mut BytesMut, a: &Allocation) {
    out.put_i32(a.len() as i32);
    for (connector, tasks) in a {
        put_string(out, connector);
        // The connector instance first, then its tasks, as Apache writes them.
        let mut tasks = tasks.clone();
        tasks.sort_unstable();
        out.put_i32(tasks.len() as i32);
        for t in tasks {
            out.put_i32(t);
        }
    }
}

/// A nullable array of connector assignments; a missing one reads as empty.
fn get_allocation(b: &mut Bytes) -> Read<Allocation> {
    if !b.has_remaining() {
        return Ok(Allocation::new());
    }
    let count = get_i32(b)?;
    let mut out = Allocation::new();
    for _ in 0..count.max(0) {
        let connector = get_string(b)?;
        let n = get_i32(b)?;
        let tasks = out.entry(connector).or_default();
        for _ in 0..n.max(0) {
            tasks.push(get_i32(b)?);
        }
    }
    Ok(out)
}

impl WorkerMetadata {
    /// The encoded metadata.
    pub fn encode(&self) -> Bytes {
        let mut out = BytesMut::new();
        out.put_i16(self.version);
        put_string(&mut out, &self.url);
        out.put_i64(self.config_offset);
        if self.version >= 1 {
            match &self.allocation {
                None => out.put_i32(-1),
                Some(a) => {
                    let inner = Assignment {
                        version: self.version,
                        assigned: a.clone(),
                        ..Assignment::default()
                    }
                    .encode();
                    out.put_i32(inner.len() as i32);
                    out.put_slice(&inner);
                }
            }
        }
        out.freeze()
    }

    /// Reads metadata of any version (newer ones by the newest layout known, trailing bytes
    /// ignored; a v1 reader tolerates a missing allocation), as Apache does.
    pub fn decode(mut b: Bytes) -> Read<WorkerMetadata> {
        let version = get_i16(&mut b)?;
        if version < 0 {
            return Err(ProtocolError("negative version"));
        }
        let url = get_string(&mut b)?;
        let config_offset = get_i64(&mut b)?;
        let allocation = if version >= 1 && b.remaining() >= 4 {
            let len = get_i32(&mut b)?;
            match usize::try_from(len) {
                Err(_) => None,
                Ok(len) if b.remaining() >= len => {
                    Some(Assignment::decode(b.split_to(len))?.assigned)
                }
                Ok(_) => return Err(ProtocolError("truncated allocation")),
            }
        } else {
            None
        };
        Ok(WorkerMetadata {
            version,
            url,
            config_offset,
            allocation,
        })
    }
}

impl Assignment {
    /// The encoded assignment.
    pub fn encode(&self) -> Bytes {
        let mut out = BytesMut::new();
        out.put_i16(self.version);
        out.put_i16(self.error);
        put_string(&mut out, &self.leader);
        put_string(&mut out, &self.leader_url);
        out.put_i64(self.config_offset);
        put_allocation(&mut out, &self.assigned);
        if self.version >= 1 {
            put_allocation(&mut out, &self.revoked);
            out.put_i32(self.delay);
        }
        out.freeze()
    }

    /// Reads an assignment of any version; missing trailing fields read as empty / 0.
    pub fn decode(mut b: Bytes) -> Read<Assignment> {
        let version = get_i16(&mut b)?;
        if version < 0 {
            return Err(ProtocolError("negative version"));
        }
        let error = get_i16(&mut b)?;
        let leader = get_string(&mut b)?;
        let leader_url = get_string(&mut b)?;
        let config_offset = get_i64(&mut b)?;
        let assigned = get_allocation(&mut b)?;
        let (revoked, delay) = if version >= 1 {
            let revoked = get_allocation(&mut b)?;
            let delay = if b.remaining() >= 4 {
                get_i32(&mut b)?
            } else {
                0
            };
            (revoked, delay)
        } else {
            (Allocation::new(), 0)
        };
        Ok(Assignment {
            version,
            error,
            leader,
            leader_url,
            config_offset,
            assigned,
            revoked,
            delay,
        })
    }
}

/// A cooperative member's full assignment after a SyncGroup: what it had, minus what was
/// revoked, plus what was newly assigned.
pub fn merge(previous: &Allocation, a: &Assignment) -> Allocation {
    let mut out = previous.clone();
    for (connector, tasks) in &a.revoked {
        if let Some(mine) = out.get_mut(connector) {
            mine.retain(|t| !tasks.contains(t));
            if mine.is_empty() {
                out.remove(connector);
            }
        }
    }
    for (connector, tasks) in &a.assigned {
        let mine = out.entry(connector.clone()).or_default();
        for t in tasks {
            if !mine.contains(t) {
                mine.push(*t);
            }
        }
        mine.sort_unstable();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn metadata_bytes_are_apaches() {
        let v0 = WorkerMetadata {
            version: 0,
            url: "http://w1:8083/".into(),
            config_offset: 12,
            allocation: None,
        };
        assert_eq!(
            hex(&v0.encode()),
            "0000000f687474703a2f2f77313a383038332f000000000000000c"
        );
        let v1 = WorkerMetadata {
            version: 1,
            ..v0.clone()
        };
        assert_eq!(
            hex(&v1.encode()),
            "0001000f687474703a2f2f77313a383038332f000000000000000cffffffff"
        );
        // v0 metadata read by the newer reader; v1 round trip with an allocation.
        assert_eq!(WorkerMetadata::decode(v0.encode()).unwrap(), v0);
        let with = WorkerMetadata {
            version: 2,
            allocation: Some([("c1".to_owned(), vec![-1, 0, 3])].into()),
            ..v0
        };
        assert_eq!(WorkerMetadata::decode(with.encode()).unwrap(), with);
    }

    #[test]
    fn assignment_bytes_are_apaches() {
        let a = Assignment {
            version: 1,
            error: 0,
            leader: "m1".into(),
            leader_url: "http://w1:8083/".into(),
            config_offset: 12,
            assigned: [("c1".to_owned(), vec![0, -1])].into(),
            revoked: Allocation::new(),
            delay: 0,
        };
        let bytes = a.encode();
        assert_eq!(bytes.len(), 61);
        assert_eq!(
            hex(&bytes),
            "000100000002 6d31 000f 687474703a2f2f77313a383038332f 000000000000000c 00000001 0002 6331 00000002 ffffffff 00000000 00000000 00000000".replace(' ', "")
        );
        let back = Assignment::decode(bytes).unwrap();
        assert_eq!(back.assigned["c1"], vec![-1, 0]);
        // A v0 assignment read by the v1 reader; truncated data is an error, not a panic.
        let v0 = Assignment {
            version: 0,
            ..a.clone()
        }
        .encode();
        assert_eq!(Assignment::decode(v0.clone()).unwrap().delay, 0);
        assert!(Assignment::decode(v0.slice(..7)).is_err());
        assert!(WorkerMetadata::decode(Bytes::from_static(&[0, 0, 0x7f])).is_err());
    }

    #[test]
    fn merging_applies_revocations_then_new_work() {
        let previous: Allocation =
            [("a".to_owned(), vec![-1, 0, 1]), ("b".to_owned(), vec![0])].into();
        let a = Assignment {
            version: 2,
            assigned: [("c".to_owned(), vec![0])].into(),
            revoked: [("a".to_owned(), vec![1]), ("b".to_owned(), vec![0])].into(),
            ..Assignment::default()
        };
        let merged = merge(&previous, &a);
        assert_eq!(
            merged,
            [("a".to_owned(), vec![-1, 0]), ("c".to_owned(), vec![0])].into()
        );
        assert_eq!(offered_protocols("Sessioned").unwrap()[0], ("sessioned", 2));
        assert!(offered_protocols("nope").is_none());
    }
}
