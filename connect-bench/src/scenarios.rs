//! The scenarios: P1 file → Kafka, P2 Kafka → file, P4 footprint.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};
use rdkafka::ClientConfig;

use crate::harness::{free_port, rss_kib, wait_for_port, worker_properties, Broker, Worker};

/// One measured run.
#[derive(Debug, Clone, Copy)]
pub struct Measurement {
    /// Wall time.
    pub seconds: f64,
    /// Records moved.
    pub records: u64,
    /// Bytes of payload moved.
    pub bytes: u64,
    /// Peak resident set size of the measured process, KiB (0 when not measured).
    pub peak_rss_kib: u64,
    /// Of `seconds`, the fixed cost before the first record arrived (process start, group
    /// join, first fetch), when measured; the rest is the data phase.
    pub first_record_seconds: Option<f64>,
}

impl Measurement {
    /// The data phase alone: from the first record to the last, when that was measured.
    pub fn data_phase(&self) -> Option<Measurement> {
        self.first_record_seconds.map(|first| Measurement {
            seconds: self.seconds - first,
            first_record_seconds: None,
            ..*self
        })
    }

    /// Records per second.
    pub fn records_per_sec(&self) -> f64 {
        self.records as f64 / self.seconds
    }
    /// MB per second of payload.
    pub fn mb_per_sec(&self) -> f64 {
        self.bytes as f64 / self.seconds / 1e6
    }
}

/// Writes `lines` lines of `size` bytes (plus `\n`).
pub fn write_input(path: &Path, lines: u64, size: usize) -> Result<()> {
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    let mut line = vec![b'x'; size];
    for i in 0..lines {
        let digits = i.to_string();
        let n = digits.len().min(size);
        line[..n].copy_from_slice(&digits.as_bytes()[..n]);
        w.write_all(&line)?;
        w.write_all(b"\n")?;
    }
    w.flush()?;
    Ok(())
}

fn producer_config(bootstrap: &str) -> ClientConfig {
    // The same settings the worker's source producer uses.
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", bootstrap)
        .set("acks", "all")
        .set("enable.idempotence", "true")
        .set("max.in.flight.requests.per.connection", "5")
        .set("linger.ms", "5");
    c
}

/// Baseline P1: a bare rdkafka producer loop over the file, line by line.
pub fn baseline_file_to_kafka(
    bootstrap: &str,
    input: &Path,
    topic: &str,
    encoding: Encoding,
) -> Result<Measurement> {
    let start = Instant::now();
    let producer: ThreadedProducer<DefaultProducerContext> = producer_config(bootstrap).create()?;
    let reader = BufReader::with_capacity(1 << 16, std::fs::File::open(input)?);
    let (mut records, mut bytes) = (0u64, 0u64);
    let mut encoded = Vec::with_capacity(256);
    for line in reader.split(b'\n') {
        let line = line?;
        let payload: &[u8] = match encoding {
            Encoding::Raw => &line,
            Encoding::JsonEnvelope => {
                json_envelope(&line, &mut encoded);
                &encoded
            }
        };
        let mut record = BaseRecord::<(), [u8]>::to(topic).payload(payload);
        loop {
            match producer.send(record) {
                Ok(()) => break,
                Err((
                    rdkafka::error::KafkaError::MessageProduction(
                        rdkafka::types::RDKafkaErrorCode::QueueFull,
                    ),
                    r,
                )) => {
                    record = r;
                    std::thread::sleep(Duration::from_micros(200));
                }
                Err((e, _)) => bail!("produce failed: {e}"),
            }
        }
        records += 1;
        bytes += line.len() as u64;
    }
    producer.flush(Duration::from_secs(300))?;
    Ok(Measurement {
        seconds: start.elapsed().as_secs_f64(),
        records,
        bytes,
        peak_rss_kib: 0,
        first_record_seconds: None,
    })
}

/// What the P1 baseline sends for each line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// The line's bytes, as StringConverter sends them.
    Raw,
    /// The bytes JsonConverter (`schemas.enable=true`) sends for a string, so that both
    /// sides put the same bytes on the wire.
    JsonEnvelope,
}

/// `{"schema":{"type":"string","optional":false},"payload":"<line>"}`, escaping what JSON
/// requires: the least a producer of those bytes has to do.
pub fn json_envelope(line: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.extend_from_slice(br#"{"schema":{"type":"string","optional":false},"payload":""#);
    for &b in line {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0..=0x1f => out.extend_from_slice(format!("\\u{b:04x}").as_bytes()),
            _ => out.push(b),
        }
    }
    out.extend_from_slice(b"\"}");
}

/// What a P1 run moves: the input file, its shape, the topic and the converter.
#[derive(Debug, Clone, Copy)]
pub struct FileRun<'a> {
    /// The input file.
    pub input: &'a Path,
    /// The topic to fill.
    pub topic: &'a str,
    /// The worker's key and value converter class.
    pub converter: &'a str,
    /// Lines in the file.
    pub lines: u64,
    /// Bytes per line.
    pub size: usize,
}

/// Ours P1: `connect-standalone` with a FileStreamSource, until the topic holds every line.
pub fn worker_file_to_kafka(
    bin: &Path,
    broker: &Broker,
    dir: &Path,
    run: &FileRun<'_>,
) -> Result<Measurement> {
    let FileRun {
        input,
        topic,
        converter,
        lines,
        size,
    } = *run;
    let port = free_port()?;
    // Completion is read from the committed source offset: commit often (in the background,
    // off the task's path).
    let worker_props = worker_properties(dir, &broker.bootstrap, port, converter, 50)?;
    let source = dir.join(format!("source-{topic}.properties"));
    std::fs::write(
        &source,
        format!("name=bench-source\nconnector.class=FileStreamSource\ntasks.max=1\nfile={}\ntopic={topic}\n", input.display()),
    )?;
    // Done when the worker committed the offset of the last line: it commits only offsets of
    // records the broker acknowledged. (The topic's high watermark cannot tell: tansu 0.6
    // advances it per batch, not per record.)
    let offsets = dir.join(format!("offsets-{port}"));
    let input_len = std::fs::metadata(input)?.len();
    let start = Instant::now();
    let worker = Worker::spawn(
        bin,
        &worker_props,
        &[source],
        port,
        &dir.join(format!("p1-{topic}.log")),
    )?;
    let pid = worker.child.id();
    let mut peak = 0;
    loop {
        if let Some((_, hwm)) = rss_kib(pid) {
            peak = peak.max(hwm);
        }
        if committed_position(&offsets)? >= input_len {
            break;
        }
        if start.elapsed() > Duration::from_secs(600) {
            bail!("the worker did not deliver {lines} records in time");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let seconds = start.elapsed().as_secs_f64();
    if let Some((_, hwm)) = rss_kib(pid) {
        peak = peak.max(hwm);
    }
    worker.stop();
    Ok(Measurement {
        seconds,
        records: lines,
        bytes: lines * size as u64,
        peak_rss_kib: peak,
        first_record_seconds: None,
    })
}

/// The largest `position` in a worker's offsets file (0 when there is none yet).
fn committed_position(offsets: &Path) -> Result<u64> {
    let Ok(text) = std::fs::read_to_string(offsets) else {
        return Ok(0);
    };
    Ok(text
        .split("\"position\":")
        .skip(1)
        .filter_map(|rest| {
            rest.split(|c: char| !c.is_ascii_digit())
                .next()?
                .parse::<u64>()
                .ok()
        })
        .max()
        .unwrap_or(0))
}

/// Makes the broker ready for consumer groups before anything is timed: the first group on a
/// fresh Apache broker waits seconds for `__consumer_offsets` to be created, a cost of the
/// broker's first use that would otherwise land on whichever side runs first.
pub fn warm_up_groups(bootstrap: &str, topic: &str) -> Result<()> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", "bench-warm-up")
        .set("auto.offset.reset", "earliest")
        .create()?;
    consumer.subscribe(&[topic])?;
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if let Some(Ok(_)) = consumer.poll(Duration::from_millis(100)) {
            consumer.commit_consumer_state(rdkafka::consumer::CommitMode::Sync)?;
            return Ok(());
        }
    }
    bail!("no record from {topic} for the group warm-up")
}

/// Baseline P2: a bare rdkafka consumer writing each value plus a newline.
pub fn baseline_kafka_to_file(
    bootstrap: &str,
    topic: &str,
    output: &Path,
    lines: u64,
) -> Result<Measurement> {
    let start = Instant::now();
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set(
            "group.id",
            format!("bench-baseline-{}-{topic}", std::process::id()),
        )
        .set("enable.auto.commit", "false")
        .set("auto.offset.reset", "earliest")
        // As the worker's consumer is configured: without it librdkafka pauses fetching for
        // a second whenever its queue is full, and the loop idles.
        .set("fetch.queue.backoff.ms", "5")
        .create()?;
    consumer.subscribe(&[topic])?;
    let mut out = BufWriter::with_capacity(1 << 16, std::fs::File::create(output)?);
    let (mut records, mut bytes) = (0u64, 0u64);
    let mut first = None;
    while records < lines {
        match consumer.poll(Duration::from_millis(100)) {
            Some(Ok(m)) => {
                first.get_or_insert_with(|| start.elapsed().as_secs_f64());
                let v = m.payload().unwrap_or_default();
                out.write_all(v)?;
                out.write_all(b"\n")?;
                records += 1;
                bytes += v.len() as u64;
            }
            Some(Err(e)) => bail!("consume failed: {e}"),
            None if start.elapsed() > Duration::from_secs(600) => bail!("timed out"),
            None => {}
        }
    }
    out.flush()?;
    Ok(Measurement {
        seconds: start.elapsed().as_secs_f64(),
        records,
        bytes,
        peak_rss_kib: 0,
        first_record_seconds: first,
    })
}

/// What a P2 run consumes, and with how many sink tasks.
#[derive(Debug, Clone, Copy)]
pub struct SinkRun<'a> {
    /// The topic to drain.
    pub topic: &'a str,
    /// Records in it.
    pub lines: u64,
    /// Bytes per record.
    pub size: usize,
    /// The sink's `tasks.max`.
    pub tasks: usize,
}

/// Ours P2: `connect-standalone` with a FileStreamSink, until the file holds every record.
pub fn worker_kafka_to_file(
    bin: &Path,
    broker: &Broker,
    dir: &Path,
    output: &Path,
    run: &SinkRun<'_>,
) -> Result<Measurement> {
    let SinkRun {
        topic,
        lines,
        size,
        tasks,
    } = *run;
    let port = free_port()?;
    // Apache's default interval: like the bare loop, the sink does not commit while it
    // streams (every commit is a flush, an fdatasync and a broker round trip).
    let worker_props = worker_properties(
        dir,
        &broker.bootstrap,
        port,
        "org.apache.kafka.connect.storage.StringConverter",
        60_000,
    )?;
    let sink = dir.join(format!("sink-{topic}.properties"));
    std::fs::write(
        &sink,
        format!("name=bench-sink-{topic}\nconnector.class=FileStreamSink\ntasks.max={tasks}\nfile={}\ntopics={topic}\n", output.display()),
    )?;
    let expected = lines * (size as u64 + 1);
    let start = Instant::now();
    let worker = Worker::spawn(
        bin,
        &worker_props,
        &[sink],
        port,
        &dir.join(format!("p2-{topic}.log")),
    )?;
    let pid = worker.child.id();
    let mut peak = 0;
    let mut first = None;
    loop {
        if let Some((_, hwm)) = rss_kib(pid) {
            peak = peak.max(hwm);
        }
        // Each sink task writes whole lines into a buffer of its own; the file grows as a
        // buffer fills, so the first record is seen one buffer (64 KiB) late, and the last
        // bytes of each task stay buffered until its next commit.
        let len = std::fs::metadata(output).map(|m| m.len()).unwrap_or(0);
        if len > 0 {
            first.get_or_insert_with(|| start.elapsed().as_secs_f64());
        }
        if len + tasks as u64 * 64 * 1024 >= expected {
            break;
        }
        if start.elapsed() > Duration::from_secs(600) {
            bail!("the worker did not write {lines} records in time");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let seconds = start.elapsed().as_secs_f64();
    worker.stop();
    Ok(Measurement {
        seconds,
        records: lines,
        bytes: lines * size as u64,
        peak_rss_kib: peak,
        first_record_seconds: first,
    })
}

/// P4: time from process start to the first 200 from `GET /`, and idle RSS.
pub fn footprint(bin: &Path, broker: &Broker, dir: &Path) -> Result<(Duration, u64)> {
    let port = free_port()?;
    let worker_props = worker_properties(
        dir,
        &broker.bootstrap,
        port,
        "org.apache.kafka.connect.json.JsonConverter",
        60_000,
    )?;
    let start = Instant::now();
    let worker = Worker::spawn(bin, &worker_props, &[], port, &dir.join("p4.log"))?;
    wait_for_port(port, Duration::from_secs(30))?;
    let ready = loop {
        if http_get_ok(port) {
            break start.elapsed();
        }
        if start.elapsed() > Duration::from_secs(30) {
            bail!("GET / never answered 200");
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    std::thread::sleep(Duration::from_secs(2));
    let rss = rss_kib(worker.child.id())
        .map(|(rss, _)| rss)
        .context("reading RSS")?;
    worker.stop();
    Ok((ready, rss))
}

fn http_get_ok(port: u16) -> bool {
    use std::io::Read;
    let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    if s.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut buf = [0u8; 12];
    s.read_exact(&mut buf).is_ok() && &buf[9..12] == b"200"
}

/// A scratch directory for inputs and outputs.
pub fn scratch() -> Result<tempfile::TempDir> {
    Ok(tempfile::Builder::new().prefix("connect-bench").tempdir()?)
}

/// The default location of the release worker binary.
pub fn default_worker_binary() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../target/release/connect-standalone"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_baseline_sends_what_json_converter_sends() {
        use connect_api::data::{Value, STRING_SCHEMA};
        use connect_api::header::Headers;
        use connect_api::storage::Converter;
        let mut c = connect_converters::JsonConverter::default();
        c.configure(&Default::default(), false).unwrap();
        // What FileStreamSource sends: a non-optional string.
        let line = "42xx \"quoted\" back\\slash \u{1} é";
        let value = Value::String(line.into());
        let want = c
            .from_connect_data("t", &Headers::new(), Some(&STRING_SCHEMA), &value)
            .unwrap()
            .unwrap();
        let mut got = Vec::new();
        json_envelope(line.as_bytes(), &mut got);
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&want)
        );
    }
}
