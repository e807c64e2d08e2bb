//! The statistics a task's Kafka client (librdkafka) reports every `statistics.interval.ms`:
//! the totals it keeps, and rates over the interval between its last two reports. Rendered
//! under the names Apache's Java clients give the same quantities (`record-send-rate`,
//! `records-consumed-rate`, `records-lag-max`, …), for a source task's producer and a sink
//! task's consumer.

use std::sync::Mutex;
use std::time::Instant;

use rdkafka::Statistics;

use super::lock;

/// The client's statistics interval unless the connector or worker sets its own.
pub const DEFAULT_STATISTICS_INTERVAL_MS: &str = "5000";

/// The quantities kept from one report.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ClientReport {
    /// Messages sent to brokers (producer), total.
    pub records_sent: i64,
    /// Message bytes sent to brokers, total.
    pub record_bytes_sent: i64,
    /// Requests sent to brokers, total.
    pub requests: i64,
    /// Responses received from brokers, total.
    pub responses: i64,
    /// Bytes sent to brokers, total.
    pub bytes_out: i64,
    /// Bytes received from brokers, total.
    pub bytes_in: i64,
    /// Messages consumed (consumer), total.
    pub records_consumed: i64,
    /// Message bytes consumed, total.
    pub record_bytes_consumed: i64,
    /// Messages waiting in the producer's queues.
    pub queued_records: u64,
    /// Bytes of the messages waiting in the producer's queues.
    pub queued_bytes: u64,
    /// Messages fetched and waiting for the consumer's poll.
    pub fetch_queue_records: i64,
    /// Requests waiting to be sent to a broker.
    pub requests_waiting: i64,
    /// The largest partition lag of the consumer (`-1` when unknown).
    pub records_lag_max: i64,
    /// The slowest broker's average round-trip time, in ms.
    pub request_latency_avg_ms: f64,
}

impl ClientReport {
    /// The quantities of one librdkafka statistics report.
    pub fn from_statistics(s: &Statistics) -> ClientReport {
        let partitions = s
            .topics
            .values()
            .flat_map(|t| t.partitions.values())
            // Partition -1 is librdkafka's unassigned-messages queue.
            .filter(|p| p.partition >= 0);
        let (mut fetch_queue, mut lag_max) = (0i64, -1i64);
        for p in partitions {
            fetch_queue += p.fetchq_cnt.max(0);
            lag_max = lag_max.max(p.consumer_lag);
        }
        ClientReport {
            records_sent: s.txmsgs,
            record_bytes_sent: s.txmsg_bytes,
            requests: s.tx,
            responses: s.rx,
            bytes_out: s.tx_bytes,
            bytes_in: s.rx_bytes,
            records_consumed: s.rxmsgs,
            record_bytes_consumed: s.rxmsg_bytes,
            queued_records: s.msg_cnt,
            queued_bytes: s.msg_size,
            fetch_queue_records: fetch_queue,
            requests_waiting: s.brokers.values().map(|b| b.outbuf_cnt.max(0)).sum(),
            records_lag_max: lag_max,
            request_latency_avg_ms: s
                .brokers
                .values()
                .filter_map(|b| b.rtt.as_ref())
                .map(|w| w.avg as f64 / 1000.0)
                .fold(0.0, f64::max),
        }
    }
}

/// The last two reports of one client.
#[derive(Debug, Default)]
pub struct ClientStats {
    reports: Mutex<Reports>,
}

#[derive(Debug, Default)]
struct Reports {
    client_id: String,
    previous: Option<(Instant, ClientReport)>,
    last: Option<(Instant, ClientReport)>,
}

/// What `/metrics` shows of a client: its last report and the rates since the one before.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClientView {
    /// The client's `client.id`.
    pub client_id: String,
    /// The last report.
    pub last: ClientReport,
    /// Per second between the last two reports: records sent, bytes out, requests, records
    /// consumed, bytes consumed. Zero until there are two.
    pub record_send_rate: f64,
    /// Bytes sent to brokers per second.
    pub outgoing_byte_rate: f64,
    /// Requests per second.
    pub request_rate: f64,
    /// Records consumed per second.
    pub records_consumed_rate: f64,
    /// Bytes consumed per second.
    pub bytes_consumed_rate: f64,
}

impl ClientStats {
    /// Keeps a new report.
    pub fn record(&self, client_id: &str, report: ClientReport) {
        self.record_at(client_id, report, Instant::now());
    }

    fn record_at(&self, client_id: &str, report: ClientReport, now: Instant) {
        let mut r = lock(&self.reports);
        if r.client_id != client_id {
            r.client_id = client_id.to_owned();
        }
        r.previous = r.last.take();
        r.last = Some((now, report));
    }

    /// The view, once the client has reported.
    pub fn view(&self) -> Option<ClientView> {
        let r = lock(&self.reports);
        let (at, last) = r.last?;
        let mut view = ClientView {
            client_id: r.client_id.clone(),
            last,
            ..ClientView::default()
        };
        if let Some((before, prev)) = r.previous {
            let secs = at.duration_since(before).as_secs_f64();
            if secs > 0.0 {
                let rate = |now: i64, then: i64| (now - then).max(0) as f64 / secs;
                view.record_send_rate = rate(last.records_sent, prev.records_sent);
                view.outgoing_byte_rate = rate(last.bytes_out, prev.bytes_out);
                view.request_rate = rate(last.requests, prev.requests);
                view.records_consumed_rate = rate(last.records_consumed, prev.records_consumed);
                view.bytes_consumed_rate =
                    rate(last.record_bytes_consumed, prev.record_bytes_consumed);
            }
        }
        Some(view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn rates_are_over_the_last_interval() {
        let stats = ClientStats::default();
        assert_eq!(stats.view(), None);
        let t0 = Instant::now();
        let first = ClientReport {
            records_sent: 100,
            bytes_out: 10_000,
            requests: 10,
            ..ClientReport::default()
        };
        stats.record_at("connector-producer-s-0", first, t0);
        let v = stats.view().unwrap();
        assert_eq!(v.record_send_rate, 0.0);
        assert_eq!(v.last.records_sent, 100);
        let second = ClientReport {
            records_sent: 600,
            bytes_out: 60_000,
            requests: 20,
            queued_records: 7,
            ..ClientReport::default()
        };
        stats.record_at(
            "connector-producer-s-0",
            second,
            t0 + Duration::from_secs(5),
        );
        let v = stats.view().unwrap();
        assert_eq!(v.client_id, "connector-producer-s-0");
        assert_eq!(v.record_send_rate, 100.0);
        assert_eq!(v.outgoing_byte_rate, 10_000.0);
        assert_eq!(v.request_rate, 2.0);
        assert_eq!(v.last.queued_records, 7);
    }

    #[test]
    fn a_librdkafka_report_is_read() {
        let json = r#"{"name":"p#producer-1","client_id":"connector-producer-s-0","type":"producer",
            "ts":1,"time":1,"age":1,"replyq":0,"msg_cnt":3,"msg_size":30,"msg_max":100,
            "msg_size_max":1000,"simple_cnt":0,"metadata_cache_cnt":1,"tx":12,"tx_bytes":5000,
            "rx":11,"rx_bytes":800,"txmsgs":40,"txmsg_bytes":4000,"rxmsgs":0,"rxmsg_bytes":0,
            "brokers":{},"topics":{}}"#;
        let s: Statistics = serde_json::from_str(json).unwrap();
        let r = ClientReport::from_statistics(&s);
        assert_eq!(r.records_sent, 40);
        assert_eq!(r.queued_records, 3);
        assert_eq!(r.queued_bytes, 30);
        assert_eq!(r.records_lag_max, -1);
    }
}
