//! [`FileStreamSourceTask`]: reads lines from a file (or standard input) and turns each into
//! a record.

use std::fmt;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use connect_api::async_trait;
use connect_api::connector::Props;
use connect_api::data::{Schema, Value, STRING_SCHEMA};
use connect_api::errors::{ConnectError, Result};
use connect_api::source::{
    SourceOffset, SourcePartition, SourceRecord, SourceTask, SourceTaskContext,
};
use tracing::{debug, trace, warn};

use crate::config::{FileStreamSourceConfig, FILENAME_FIELD, POSITION_FIELD};
use crate::line_reader::{Fill, LineReader};

/// How long `poll` waits when there is nothing to read, as Apache's `wait(1000)`.
const NO_DATA_WAIT: Duration = Duration::from_secs(1);

/// Reads lines from a file or standard input, one record per line (Apache's
/// `FileStreamSourceTask`).
///
/// * The source partition is `{"filename": <file as configured>}` and the offset of a line
///   `{"position": <byte position just after its terminator>}`; for standard input both
///   values are null, because a pipe cannot be resumed.
/// * Each record has the connector's `topic`, no key, value schema `STRING` and the line
///   (without its terminator) as value, stamped with the wall clock when it was read.
/// * The file is opened by the first `poll`. A missing file is waited for, not an error. A
///   committed offset makes the task seek to its position, so a restart resumes right after
///   the last line Kafka acknowledged.
/// * One `poll` returns at most `batch.size` records, and returns early once it holds
///   2 MiB of lines (Apache counts lines only: 2000 lines of 1 MB are a 2 GB
///   batch); lines beyond it stay buffered for the next. With nothing new to read, `poll`
///   waits a second and returns an empty batch.
///
/// The runtime gives each task its own thread, so reading the file with plain blocking
/// `std::fs` calls inside `poll` blocks nobody else; reads of a regular file never wait for
/// data. Reading standard input does: `poll` blocks until input arrives, so a task reading an
/// idle terminal cannot be cancelled until it does.
pub struct FileStreamSourceTask {
    context: Option<Arc<dyn SourceTaskContext>>,
    running: Option<Running>,
    /// How long to wait when nothing can be read; shortened by tests.
    no_data_wait: Duration,
}

/// The line bytes after which a `poll` returns, whatever `batch.size` allows: a batch is
/// held in memory twice over (the lines, then the converted records) until the producer
/// has it.
pub(crate) const BATCH_BYTES: usize = 2 << 20;

/// The state of a started task.
struct Running {
    config: FileStreamSourceConfig,
    /// The batch size as a count: Apache returns as soon as `records.size() >= batchSize`, so
    /// a batch size below one means one record per poll.
    batch_size: usize,
    /// Shared by every record: the partition is the same for all lines of the file.
    partition: Arc<SourcePartition>,
    value_schema: Schema,
    /// `None` until the file is opened.
    input: Option<Input>,
}

/// An open stream and the lines read from it.
struct Input {
    stream: Box<dyn Read + Send>,
    lines: LineReader,
    /// Whether a read may wait for data (standard input), rather than return what is there.
    reads_may_block: bool,
}

impl Default for FileStreamSourceTask {
    fn default() -> Self {
        FileStreamSourceTask {
            context: None,
            running: None,
            no_data_wait: NO_DATA_WAIT,
        }
    }
}

impl fmt::Debug for FileStreamSourceTask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let running = self.running.as_ref();
        f.debug_struct("FileStreamSourceTask")
            .field("config", &running.map(|r| &r.config))
            .field("open", &running.is_some_and(|r| r.input.is_some()))
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl SourceTask for FileStreamSourceTask {
    fn initialize(&mut self, context: Arc<dyn SourceTaskContext>) {
        // Kept to read the committed offset when the file is opened.
        self.context = Some(context);
    }

    async fn start(&mut self, props: Props) -> Result<()> {
        let config = FileStreamSourceConfig::parse(&props)?;
        let (filename, input) = match &config.file {
            Some(file) => (Value::from(file.as_str()), None),
            // As in Apache, standard input is opened right away and its offsets are null:
            // tracking a position in a stream that cannot be re-read makes no sense.
            None => (
                Value::Null,
                Some(Input {
                    stream: Box::new(io::stdin()),
                    lines: LineReader::default(),
                    reads_may_block: true,
                }),
            ),
        };
        self.running = Some(Running {
            batch_size: usize::try_from(config.batch_size).unwrap_or(0).max(1),
            partition: Arc::new(SourcePartition::from([(
                FILENAME_FIELD.to_owned(),
                filename,
            )])),
            value_schema: Schema::clone(&STRING_SCHEMA),
            config,
            input,
        });
        Ok(())
    }

    /// The file source needs no per-record acknowledgement: its progress is its offset.
    fn wants_record_callbacks(&self) -> bool {
        false
    }

    async fn poll(&mut self) -> Result<Vec<SourceRecord>> {
        let Some(running) = self.running.as_mut() else {
            return Err(ConnectError::other(
                "FileStreamSourceTask was polled before it was started",
            ));
        };
        if running.input.is_none() {
            let name = running.config.input_name();
            match open_file(name, &running.partition, self.context.as_deref()).await? {
                Some(input) => running.input = Some(input),
                None => {
                    warn!(
                        "Couldn't find file {name} for FileStreamSourceTask, sleeping to wait for it to be created"
                    );
                    tokio::time::sleep(self.no_data_wait).await;
                    return Ok(Vec::new());
                }
            }
        }
        let records = running.read_batch()?;
        if records.is_empty() {
            // Nothing new: back off instead of spinning. The runtime may cancel this sleep.
            tokio::time::sleep(self.no_data_wait).await;
        }
        Ok(records)
    }

    async fn stop(&mut self) -> Result<()> {
        // Dropping the input closes the file; dropping the standard input handle leaves the
        // process's standard input open, as Apache's `stop` does.
        self.running = None;
        Ok(())
    }
}

/// Opens the configured file and seeks to the committed position; `None` if the file does
/// not exist (yet).
async fn open_file(
    name: &str,
    partition: &SourcePartition,
    context: Option<&dyn SourceTaskContext>,
) -> Result<Option<Input>> {
    let mut file = match File::open(name) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(ConnectError::other_with(
                format!("Error while trying to open file {name}"),
                e,
            ))
        }
    };
    debug!("Opened {name} for reading");
    let position = match context {
        Some(context) => {
            let reader = context.offset_storage_reader();
            let offset = reader.offset(partition).await?;
            committed_position(offset.as_ref())?
        }
        // Without a context (never under the runtime) there is no committed offset to read.
        None => 0,
    };
    if position > 0 {
        debug!("Found previous offset, trying to skip to file offset {position}");
        // The position counts bytes, so seeking there lands exactly after the last committed
        // line. A position beyond the end of the file reads nothing until the file grows past
        // it.
        let target = u64::try_from(position).unwrap_or(0);
        file.seek(SeekFrom::Start(target)).map_err(|e| {
            ConnectError::other_with(
                format!("Error while trying to seek to previous offset in file {name}"),
                e,
            )
        })?;
        debug!("Skipped to offset {position}");
    }
    Ok(Some(Input {
        stream: Box::new(file),
        lines: LineReader::starting_at(position),
        reads_may_block: false,
    }))
}

/// The byte position stored in a committed offset: 0 without one.
fn committed_position(offset: Option<&SourceOffset>) -> Result<i64> {
    let Some(stored) = offset.and_then(|o| o.get(POSITION_FIELD)) else {
        return Ok(0);
    };
    match stored {
        Value::Null => Ok(0),
        // Apache accepts only a Long; integers of any width are accepted here, since offsets
        // read back from storage may come back as a different integer type.
        other => match other.as_i64() {
            Some(position) if position >= 0 => Ok(position),
            Some(position) => Err(ConnectError::other(format!(
                "Offset position {position} is negative"
            ))),
            None => Err(ConnectError::other("Offset position is the incorrect type")),
        },
    }
}

impl Running {
    /// Collects up to `batch_size` complete lines: first those left over from the previous
    /// poll, then from new reads.
    ///
    /// Reads continue while they fill the buffer and the batch is not full. Once records are
    /// in hand, a read that could wait for data (standard input, or after a short read showed
    /// the stream is drained) is not attempted: the records go out now.
    fn read_batch(&mut self) -> Result<Vec<SourceRecord>> {
        let Some(input) = self.input.as_mut() else {
            return Ok(Vec::new());
        };
        let mut records = Vec::new();
        let mut bytes = 0usize;
        let mut last_fill = None;
        loop {
            let timestamp = now_ms();
            while records.len() < self.batch_size && bytes < BATCH_BYTES {
                let Some((line, position)) = input.lines.next_line() else {
                    break;
                };
                bytes += line.len();
                records.push(record(
                    &self.partition,
                    &self.config,
                    &self.value_schema,
                    line,
                    position,
                    timestamp,
                ));
            }
            if records.len() >= self.batch_size || bytes >= BATCH_BYTES {
                break;
            }
            let more_waiting = match last_fill {
                Some(fill) => fill == Fill::Full,
                None => !input.reads_may_block,
            };
            if !records.is_empty() && !more_waiting {
                break;
            }
            let fill = input.lines.fill_from(&mut input.stream).map_err(|e| {
                ConnectError::other_with(
                    format!("Error while reading from {}", self.config.input_name()),
                    e,
                )
            })?;
            trace!("Read {fill:?} from {}", self.config.input_name());
            if fill == Fill::Nothing {
                break;
            }
            last_fill = Some(fill);
        }
        Ok(records)
    }
}

/// The record for one line. The partition and schema are shared (`Arc`s); what is allocated
/// per record is the line itself, the offset map, and the topic `String` that `SourceRecord`
/// owns.
fn record(
    partition: &Arc<SourcePartition>,
    config: &FileStreamSourceConfig,
    value_schema: &Schema,
    line: String,
    position: i64,
    timestamp: i64,
) -> SourceRecord {
    let position = if config.file.is_some() {
        Value::Int64(position)
    } else {
        Value::Null
    };
    let mut offset = SourceOffset::new();
    offset.insert(POSITION_FIELD.to_owned(), position);
    SourceRecord::new(
        Arc::clone(partition),
        offset,
        config.topic.as_str(),
        Some(value_schema.clone()),
        line,
    )
    .with_timestamp(timestamp)
}

/// The wall clock in milliseconds since the epoch (Java's `System.currentTimeMillis()`).
fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::io::Write;
    use std::path::Path;
    use std::sync::Mutex;

    use connect_api::storage::OffsetStorageReader;

    use super::*;

    /// Committed offsets, keyed by partition, as the runtime's offset store would hold them.
    #[derive(Default)]
    struct Offsets(Mutex<Vec<(SourcePartition, SourceOffset)>>);

    #[async_trait]
    impl OffsetStorageReader for Offsets {
        async fn offset(&self, partition: &SourcePartition) -> Result<Option<SourceOffset>> {
            let offsets = self.0.lock().unwrap();
            Ok(offsets
                .iter()
                .find(|(p, _)| p == partition)
                .map(|(_, o)| o.clone()))
        }
    }

    struct Context(Arc<Offsets>);

    impl SourceTaskContext for Context {
        fn configs(&self) -> Props {
            Props::new()
        }

        fn offset_storage_reader(&self) -> Arc<dyn OffsetStorageReader> {
            self.0.clone()
        }
    }

    fn partition(path: &Path) -> SourcePartition {
        SourcePartition::from([(
            FILENAME_FIELD.to_owned(),
            Value::from(path.to_str().unwrap()),
        )])
    }

    /// A started task reading `path` whose context holds `committed` as the file's offset.
    async fn started_task(
        path: &Path,
        batch_size: usize,
        committed: Option<Value>,
    ) -> FileStreamSourceTask {
        let offsets = Arc::new(Offsets::default());
        if let Some(position) = committed {
            offsets.0.lock().unwrap().push((
                partition(path),
                SourceOffset::from([(POSITION_FIELD.to_owned(), position)]),
            ));
        }
        let mut task = FileStreamSourceTask {
            no_data_wait: Duration::from_millis(5),
            ..FileStreamSourceTask::default()
        };
        task.initialize(Arc::new(Context(offsets)));
        let props = Props::from([
            ("file".to_owned(), path.to_str().unwrap().to_owned()),
            ("topic".to_owned(), "test".to_owned()),
            ("batch.size".to_owned(), batch_size.to_string()),
        ]);
        task.start(props).await.unwrap();
        task
    }

    fn append(path: &Path, text: &str) {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap();
        file.write_all(text.as_bytes()).unwrap();
    }

    /// Lines and positions of a batch.
    fn lines(records: &[SourceRecord]) -> Vec<(String, i64)> {
        records
            .iter()
            .map(|r| {
                let position = r.source_offset[POSITION_FIELD].as_i64().unwrap();
                (r.value.as_str().unwrap().to_owned(), position)
            })
            .collect()
    }

    fn owned(expected: &[(&str, i64)]) -> Vec<(String, i64)> {
        expected
            .iter()
            .map(|(l, p)| ((*l).to_owned(), *p))
            .collect()
    }

    /// FileStreamSourceTaskTest.testNormalLifecycle, with the reference's positions (which are
    /// bytes as well as chars here, the text being ASCII).
    #[tokio::test]
    async fn normal_lifecycle() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.txt");
        append(&path, "");
        let mut task = started_task(&path, 2000, None).await;

        assert!(task.poll().await.unwrap().is_empty());
        append(&path, "partial line");
        assert!(task.poll().await.unwrap().is_empty());

        append(&path, " finished\n");
        let records = task.poll().await.unwrap();
        assert_eq!(lines(&records), owned(&[("partial line finished", 22)]));
        let record = &records[0];
        assert_eq!(*record.source_partition, partition(&path));
        assert_eq!(record.topic, "test");
        assert_eq!(record.kafka_partition, None);
        assert_eq!(record.key, Value::Null);
        assert_eq!(record.key_schema, None);
        assert_eq!(record.value_schema.as_ref(), Some(&*STRING_SCHEMA));
        assert!(record.timestamp.is_some_and(|t| t > 1_600_000_000_000));
        assert!(record.headers.is_empty());
        assert!(task.poll().await.unwrap().is_empty());

        // Different line endings, and a trailing `\r` that must wait for the next byte.
        append(&path, "line1\rline2\r\nline3\nline4\n\r");
        let records = task.poll().await.unwrap();
        assert_eq!(
            lines(&records),
            owned(&[("line1", 28), ("line2", 35), ("line3", 41), ("line4", 47)])
        );
        // The pending `\r` was a line ending after all; the new text stays buffered.
        append(&path, "subsequent text");
        assert_eq!(lines(&task.poll().await.unwrap()), owned(&[("", 48)]));
        assert!(task.poll().await.unwrap().is_empty());

        task.stop().await.unwrap();
    }

    /// FileStreamSourceTaskTest.testBatchSize: leftover lines wait for the next poll.
    #[tokio::test]
    async fn batch_size_limits_each_poll() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.txt");
        let line = "x".repeat(95);
        append(&path, &format!("{line}\n").repeat(10_000));
        let mut task = started_task(&path, 5000, None).await;

        let first = task.poll().await.unwrap();
        assert_eq!(first.len(), 5000);
        assert_eq!(lines(&first[4999..]), vec![(line.clone(), 5000 * 96)]);
        let second = task.poll().await.unwrap();
        assert_eq!(second.len(), 5000);
        assert_eq!(lines(&second[4999..]), vec![(line, 10_000 * 96)]);
        assert!(task.poll().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_poll_stops_at_its_byte_budget_and_loses_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.txt");
        // 1000 lines of 10 KB: 10 MB, several polls' worth at 2000 lines each.
        let line = "y".repeat(10_239);
        append(&path, &format!("{line}\n").repeat(1000));
        let mut task = started_task(&path, 2000, None).await;
        let per_poll = BATCH_BYTES.div_ceil(line.len());
        let mut total = 0;
        let mut last = 0;
        loop {
            let batch = task.poll().await.unwrap();
            if batch.is_empty() {
                break;
            }
            assert!(batch.len() <= per_poll, "{} lines in one poll", batch.len());
            total += batch.len();
            last = lines(&batch[batch.len() - 1..])[0].1;
        }
        assert_eq!(total, 1000);
        assert_eq!(last, 1000 * 10_240);
    }

    #[tokio::test]
    async fn records_share_one_partition() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.txt");
        append(&path, "a\nb\n");
        let mut task = started_task(&path, 10, None).await;
        let records = task.poll().await.unwrap();
        assert!(Arc::ptr_eq(
            &records[0].source_partition,
            &records[1].source_partition
        ));
    }

    #[tokio::test]
    async fn reads_growth_across_polls() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.txt");
        append(&path, "one\ntw");
        let mut task = started_task(&path, 10, None).await;
        assert_eq!(lines(&task.poll().await.unwrap()), owned(&[("one", 4)]));
        append(&path, "o\nthree\n");
        assert_eq!(
            lines(&task.poll().await.unwrap()),
            owned(&[("two", 8), ("three", 14)])
        );
    }

    #[tokio::test]
    async fn missing_file_is_waited_for() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("later.txt");
        let mut task = started_task(&path, 10, None).await;
        for _ in 0..3 {
            assert!(task.poll().await.unwrap().is_empty());
        }
        append(&path, "here\n");
        assert_eq!(lines(&task.poll().await.unwrap()), owned(&[("here", 5)]));
    }

    /// The reason positions count bytes: resuming in the middle of a multi-byte, `\r\n` file
    /// gives exactly the lines after the committed one. (Apache stores 16 UTF-16 units after
    /// the first line, which is 20 bytes long, and would resume inside the emoji.)
    #[tokio::test]
    async fn resumes_exactly_after_a_committed_byte_position() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.txt");
        append(&path, "héllo wörld 😀\r\nçava\r\nnaïve ☕\r\nlast\n");

        let mut first_run = started_task(&path, 2000, None).await;
        let all = lines(&first_run.poll().await.unwrap());
        assert_eq!(
            all,
            owned(&[
                ("héllo wörld 😀", 20),
                ("çava", 27),
                ("naïve ☕", 39),
                ("last", 44)
            ])
        );

        // Kafka acknowledged the first two lines; a restart resumes after them.
        let mut resumed = started_task(&path, 2000, Some(Value::Int64(27))).await;
        assert_eq!(lines(&resumed.poll().await.unwrap()), all[2..].to_vec());

        // Any integer width is a position.
        let mut resumed = started_task(&path, 2000, Some(Value::Int32(20))).await;
        assert_eq!(lines(&resumed.poll().await.unwrap()), all[1..].to_vec());
    }

    #[tokio::test]
    async fn a_null_position_starts_at_the_beginning() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.txt");
        append(&path, "a\n");
        let mut task = started_task(&path, 10, Some(Value::Null)).await;
        assert_eq!(lines(&task.poll().await.unwrap()), owned(&[("a", 2)]));
    }

    #[tokio::test]
    async fn a_non_integer_position_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.txt");
        append(&path, "a\n");
        let mut task = started_task(&path, 10, Some(Value::from("12"))).await;
        let error = task.poll().await.unwrap_err();
        assert_eq!(error.to_string(), "Offset position is the incorrect type");

        let mut task = started_task(&path, 10, Some(Value::Int64(-1))).await;
        assert!(task.poll().await.is_err());
    }

    #[tokio::test]
    async fn a_position_past_the_end_waits_for_the_file_to_grow() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.txt");
        append(&path, "ab\n");
        let mut task = started_task(&path, 10, Some(Value::Int64(6))).await;
        assert!(task.poll().await.unwrap().is_empty());
        append(&path, "cd\nef\n");
        assert_eq!(lines(&task.poll().await.unwrap()), owned(&[("ef", 9)]));
    }

    #[tokio::test]
    async fn batch_size_below_one_returns_one_record_per_poll() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.txt");
        append(&path, "a\nb\n");
        let mut task = started_task(&path, 0, None).await;
        assert_eq!(task.poll().await.unwrap().len(), 1);
        assert_eq!(task.poll().await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn other_open_errors_fail_the_task() {
        let dir = tempfile::tempdir().unwrap();
        // A directory opens on Linux but cannot be read: a read error, not a missing file.
        let mut task = started_task(dir.path(), 10, None).await;
        assert!(task.poll().await.is_err());
    }

    #[tokio::test]
    async fn works_without_a_context() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.txt");
        append(&path, "a\n");
        let mut task = FileStreamSourceTask::default();
        let props = HashMap::from([
            ("file".to_owned(), path.to_str().unwrap().to_owned()),
            ("topic".to_owned(), "t".to_owned()),
        ]);
        task.start(props).await.unwrap();
        assert_eq!(lines(&task.poll().await.unwrap()), owned(&[("a", 2)]));
    }

    #[tokio::test]
    async fn start_rejects_an_invalid_config() {
        let mut task = FileStreamSourceTask::default();
        let error = task.start(Props::new()).await.unwrap_err();
        assert_eq!(
            error.to_string(),
            "Missing required configuration \"topic\" which has no default value."
        );
        assert!(task.poll().await.is_err());
    }

    #[tokio::test]
    async fn stdin_records_have_null_partition_and_offset() {
        // Standard input itself cannot be fed from a unit test; check how its records look.
        let mut task = FileStreamSourceTask::default();
        let props = Props::from([("topic".to_owned(), "t".to_owned())]);
        task.start(props).await.unwrap();
        let running = task.running.as_ref().unwrap();
        assert!(running.input.as_ref().is_some_and(|i| i.reads_may_block));
        let record = record(
            &running.partition,
            &running.config,
            &running.value_schema,
            "line".to_owned(),
            5,
            0,
        );
        assert_eq!(record.source_partition["filename"], Value::Null);
        assert_eq!(record.source_offset["position"], Value::Null);
        assert_eq!(record.value, Value::from("line"));
        task.stop().await.unwrap();
    }
}
