//! A member of a classic Kafka group of any protocol type, speaking to the group coordinator
//! directly: FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup. Distributed
//! workers form a group of type `connect`, which librdkafka cannot join (it knows only
//! `consumer` groups), so this talks the wire protocol through the `kafka-protocol` crate.
//!
//! Only what a Connect worker needs: plaintext connections, one request at a time on the
//! coordinator connection, the member-id handshake of JoinGroup v4+.

use std::time::Duration;

use bytes::{Buf, BufMut, Bytes, BytesMut};
use connect_api::errors::{ConnectError, Result};
use kafka_protocol::messages::join_group_request::JoinGroupRequestProtocol;
use kafka_protocol::messages::leave_group_request::MemberIdentity;
use kafka_protocol::messages::sync_group_request::SyncGroupRequestAssignment;
use kafka_protocol::messages::{
    FindCoordinatorRequest, GroupId, HeartbeatRequest, JoinGroupRequest, LeaveGroupRequest,
    RequestHeader, ResponseHeader, SyncGroupRequest,
};
use kafka_protocol::protocol::{Decodable, Encodable, HeaderVersion, Request, StrBytes};
use kafka_protocol::ResponseError;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const FIND_COORDINATOR_VERSION: i16 = 3;
const JOIN_GROUP_VERSION: i16 = 7;
const SYNC_GROUP_VERSION: i16 = 5;
const HEARTBEAT_VERSION: i16 = 4;
const LEAVE_GROUP_VERSION: i16 = 4;

/// The largest response accepted (a JoinGroup response lists every member's metadata).
const MAX_RESPONSE: usize = 64 << 20;

/// One broker connection with request/response framing.
struct Connection {
    stream: TcpStream,
    client_id: String,
    correlation_id: i32,
    timeout: Duration,
}

fn kafka_error(what: &str, code: i16) -> ConnectError {
    match ResponseError::try_from_code(code) {
        Some(e) => ConnectError::other(format!("{what} failed: {e}")),
        None => ConnectError::other(format!("{what} failed with error code {code}")),
    }
}

fn str_bytes(s: &str) -> StrBytes {
    StrBytes::from_string(s.to_owned())
}

impl Connection {
    async fn open(address: &str, client_id: &str, timeout: Duration) -> Result<Connection> {
        let stream = tokio::time::timeout(timeout, TcpStream::connect(address))
            .await
            .map_err(|_| ConnectError::other(format!("Timed out connecting to {address}")))?
            .map_err(|e| ConnectError::other_with(format!("Could not connect to {address}"), e))?;
        stream.set_nodelay(true).ok();
        Ok(Connection {
            stream,
            client_id: client_id.to_owned(),
            correlation_id: 0,
            timeout,
        })
    }

    /// Sends `request` at `version` and reads its response.
    async fn call<R: Request>(&mut self, request: &R, version: i16) -> Result<R::Response> {
        self.correlation_id = self.correlation_id.wrapping_add(1);
        let header = RequestHeader::default()
            .with_request_api_key(R::KEY)
            .with_request_api_version(version)
            .with_correlation_id(self.correlation_id)
            .with_client_id(Some(str_bytes(&self.client_id)));
        let mut body = BytesMut::new();
        let encoded = header
            .encode(&mut body, R::header_version(version))
            .and_then(|()| request.encode(&mut body, version));
        encoded.map_err(|e| ConnectError::other(format!("Could not encode a request: {e}")))?;
        let mut frame = BytesMut::with_capacity(body.len() + 4);
        frame.put_i32(body.len() as i32);
        frame.put_slice(&body);
        let exchange = async {
            self.stream.write_all(&frame).await?;
            let len = self.stream.read_i32().await?;
            let len = usize::try_from(len)
                .ok()
                .filter(|l| *l <= MAX_RESPONSE)
                .ok_or_else(|| std::io::Error::other(format!("bad response length {len}")))?;
            let mut buf = vec![0u8; len];
            self.stream.read_exact(&mut buf).await?;
            Ok::<_, std::io::Error>(Bytes::from(buf))
        };
        let mut response = tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| ConnectError::other("Timed out waiting for the group coordinator"))?
            .map_err(|e| {
                ConnectError::other_with("Lost the connection to the group coordinator", e)
            })?;
        let header = ResponseHeader::decode(
            &mut response,
            <R::Response as HeaderVersion>::header_version(version),
        )
        .map_err(|e| ConnectError::other(format!("Could not decode a response: {e}")))?;
        if header.correlation_id != self.correlation_id {
            return Err(ConnectError::other("A response did not match its request"));
        }
        let decoded = R::Response::decode(&mut response, version)
            .map_err(|e| ConnectError::other(format!("Could not decode a response: {e}")))?;
        if response.has_remaining() {
            tracing::debug!("{} trailing bytes after a response", response.remaining());
        }
        Ok(decoded)
    }
}

/// The settings of a membership.
#[derive(Debug, Clone)]
pub struct MemberConfig {
    /// `bootstrap.servers`.
    pub bootstrap: Vec<String>,
    /// The group.
    pub group_id: String,
    /// The client id in requests.
    pub client_id: String,
    /// The group's protocol type (`connect`).
    pub protocol_type: String,
    /// `session.timeout.ms`.
    pub session_timeout: Duration,
    /// `rebalance.timeout.ms`.
    pub rebalance_timeout: Duration,
    /// How long one request may take.
    pub request_timeout: Duration,
}

/// A completed JoinGroup.
#[derive(Debug, Clone)]
pub struct Joined {
    /// The generation joined.
    pub generation: i32,
    /// The sub-protocol the group chose.
    pub protocol: String,
    /// The leader's member id.
    pub leader: String,
    /// This member's id.
    pub member_id: String,
    /// Every member's id and metadata (the leader only).
    pub members: Vec<(String, Bytes)>,
}

impl Joined {
    /// Whether this member leads the generation.
    pub fn is_leader(&self) -> bool {
        self.leader == self.member_id
    }
}

/// What a heartbeat said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heartbeat {
    /// Still a member of the current generation.
    Ok,
    /// The group is rebalancing: join again.
    Rejoin,
}

/// A member of one group, through its coordinator.
pub struct GroupMember {
    config: MemberConfig,
    coordinator: Connection,
    member_id: String,
    generation: i32,
    protocol: Option<String>,
}

impl GroupMember {
    /// Finds the group's coordinator through the bootstrap brokers and connects to it.
    pub async fn connect(config: MemberConfig) -> Result<GroupMember> {
        let mut last = None;
        for address in &config.bootstrap {
            match Self::find_coordinator(&config, address).await {
                Ok(coordinator) => {
                    let coordinator =
                        Connection::open(&coordinator, &config.client_id, config.request_timeout)
                            .await?;
                    return Ok(GroupMember {
                        config,
                        coordinator,
                        member_id: String::new(),
                        generation: -1,
                        protocol: None,
                    });
                }
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| ConnectError::other("bootstrap.servers is empty")))
    }

    async fn find_coordinator(config: &MemberConfig, address: &str) -> Result<String> {
        let mut conn = Connection::open(address, &config.client_id, config.request_timeout).await?;
        let request = FindCoordinatorRequest::default()
            .with_key(str_bytes(&config.group_id))
            .with_key_type(0);
        // The coordinator may not be elected yet right after the broker starts.
        let deadline = tokio::time::Instant::now() + config.request_timeout;
        loop {
            let r = conn.call(&request, FIND_COORDINATOR_VERSION).await?;
            if r.error_code == 0 {
                return Ok(format!("{}:{}", r.host.as_str(), r.port));
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(kafka_error("FindCoordinator", r.error_code));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// This member's id (empty before the first join).
    pub fn member_id(&self) -> &str {
        &self.member_id
    }

    /// The generation of the last join.
    pub fn generation(&self) -> i32 {
        self.generation
    }

    /// Joins (or rejoins) the group offering `protocols` (name, metadata), most preferred
    /// first; waits until the coordinator completes the round.
    pub async fn join(&mut self, protocols: &[(String, Bytes)]) -> Result<Joined> {
        let offered: Vec<JoinGroupRequestProtocol> = protocols
            .iter()
            .map(|(name, metadata)| {
                JoinGroupRequestProtocol::default()
                    .with_name(str_bytes(name))
                    .with_metadata(metadata.clone())
            })
            .collect();
        loop {
            let request = JoinGroupRequest::default()
                .with_group_id(GroupId(str_bytes(&self.config.group_id)))
                .with_session_timeout_ms(self.config.session_timeout.as_millis() as i32)
                .with_rebalance_timeout_ms(self.config.rebalance_timeout.as_millis() as i32)
                .with_member_id(str_bytes(&self.member_id))
                .with_protocol_type(str_bytes(&self.config.protocol_type))
                .with_protocols(offered.clone());
            // The coordinator holds a JoinGroup until every member rejoined, up to the
            // rebalance timeout.
            let saved = self.coordinator.timeout;
            self.coordinator.timeout = self.config.rebalance_timeout + saved;
            let r = self.coordinator.call(&request, JOIN_GROUP_VERSION).await;
            self.coordinator.timeout = saved;
            let r = r?;
            match ResponseError::try_from_code(r.error_code) {
                None => {
                    self.member_id = r.member_id.as_str().to_owned();
                    self.generation = r.generation_id;
                    let protocol = r
                        .protocol_name
                        .map(|p| p.as_str().to_owned())
                        .unwrap_or_default();
                    self.protocol = Some(protocol.clone());
                    tracing::debug!(
                        "JoinGroup: generation {}, member {}, leader {}, {} members",
                        r.generation_id,
                        self.member_id,
                        r.leader.as_str(),
                        r.members.len()
                    );
                    return Ok(Joined {
                        generation: r.generation_id,
                        protocol,
                        leader: r.leader.as_str().to_owned(),
                        member_id: self.member_id.clone(),
                        members: r
                            .members
                            .into_iter()
                            .map(|m| (m.member_id.as_str().to_owned(), m.metadata))
                            .collect(),
                    });
                }
                Some(ResponseError::MemberIdRequired) => {
                    // The member-id handshake: join again with the id the coordinator gave.
                    self.member_id = r.member_id.as_str().to_owned();
                }
                Some(ResponseError::UnknownMemberId) => self.member_id.clear(),
                Some(ResponseError::RebalanceInProgress) => {}
                Some(_) => return Err(kafka_error("JoinGroup", r.error_code)),
            }
        }
    }

    /// Completes a join: the leader passes every member's assignment, the others none.
    /// Returns this member's assignment, or `None` when the group rebalanced meanwhile.
    pub async fn sync(&mut self, assignments: Vec<(String, Bytes)>) -> Result<Option<Bytes>> {
        let request = SyncGroupRequest::default()
            .with_group_id(GroupId(str_bytes(&self.config.group_id)))
            .with_generation_id(self.generation)
            .with_member_id(str_bytes(&self.member_id))
            .with_protocol_type(Some(str_bytes(&self.config.protocol_type)))
            .with_protocol_name(self.protocol.as_deref().map(str_bytes))
            .with_assignments(
                assignments
                    .into_iter()
                    .map(|(member, assignment)| {
                        SyncGroupRequestAssignment::default()
                            .with_member_id(str_bytes(&member))
                            .with_assignment(assignment)
                    })
                    .collect(),
            );
        let r = self.coordinator.call(&request, SYNC_GROUP_VERSION).await?;
        match ResponseError::try_from_code(r.error_code) {
            None => Ok(Some(r.assignment)),
            Some(ResponseError::RebalanceInProgress) => Ok(None),
            Some(ResponseError::UnknownMemberId | ResponseError::IllegalGeneration) => {
                self.member_id.clear();
                Ok(None)
            }
            Some(_) => Err(kafka_error("SyncGroup", r.error_code)),
        }
    }

    /// Tells the coordinator this member is alive; says whether the group wants a rejoin.
    pub async fn heartbeat(&mut self) -> Result<Heartbeat> {
        let request = HeartbeatRequest::default()
            .with_group_id(GroupId(str_bytes(&self.config.group_id)))
            .with_generation_id(self.generation)
            .with_member_id(str_bytes(&self.member_id));
        let r = self.coordinator.call(&request, HEARTBEAT_VERSION).await?;
        match ResponseError::try_from_code(r.error_code) {
            None => Ok(Heartbeat::Ok),
            Some(ResponseError::RebalanceInProgress) => Ok(Heartbeat::Rejoin),
            Some(ResponseError::UnknownMemberId | ResponseError::IllegalGeneration) => {
                self.member_id.clear();
                Ok(Heartbeat::Rejoin)
            }
            Some(_) => Err(kafka_error("Heartbeat", r.error_code)),
        }
    }

    /// Leaves the group, so that it rebalances at once rather than after a session timeout.
    pub async fn leave(&mut self) -> Result<()> {
        if self.member_id.is_empty() {
            return Ok(());
        }
        let request = LeaveGroupRequest::default()
            .with_group_id(GroupId(str_bytes(&self.config.group_id)))
            .with_members(vec![
                MemberIdentity::default().with_member_id(str_bytes(&self.member_id))
            ]);
        let r = self.coordinator.call(&request, LEAVE_GROUP_VERSION).await?;
        self.member_id.clear();
        match ResponseError::try_from_code(r.error_code) {
            None | Some(ResponseError::UnknownMemberId) => Ok(()),
            Some(_) => Err(kafka_error("LeaveGroup", r.error_code)),
        }
    }
}
