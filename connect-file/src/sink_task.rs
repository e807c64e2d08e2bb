//! [`FileStreamSinkTask`]: appends each record's value to a file (or standard output), one
//! line per record.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Stdout, Write};

use connect_api::async_trait;
use connect_api::connector::Props;
use connect_api::data::Value;
use connect_api::errors::{ConnectError, Result};
use connect_api::sink::{OffsetAndMetadata, SinkRecord, SinkTask, TopicPartition};
use tracing::{trace, warn};

use crate::config::FileStreamSinkConfig;

/// The write buffer of the output file: lines are handed to the OS in blocks of this size.
const WRITE_BUFFER: usize = 64 * 1024;

/// Appends each record's value, as Java's `toString()` prints it, plus `\n` to a file or to
/// standard output (Apache's `FileStreamSinkTask`).
///
/// * `start` opens the file for appending, creating it if needed.
/// * `put` writes one line per record: the value's `Display` (Java's `String.valueOf`: a null
///   value prints `null`, a struct `Struct{a=1}`, a map `{k=v}`). Keys and headers are
///   ignored.
/// * `flush` (called before each offset commit) hands the buffered lines to the OS and then
///   syncs the file's data to disk, so a committed offset means the lines are on disk.
/// * `stop` flushes and closes the file; standard output is flushed, never closed.
///
/// Lines are written whole: each is formatted completely first and then written with a single
/// call into the buffer, which only ever passes complete lines on. A crash (even `kill -9`)
/// can lose the lines written since the last flush, which the runtime will deliver again
/// because their offsets were not committed, but never leaves half a line in the file.
#[derive(Debug, Default)]
pub struct FileStreamSinkTask {
    output: Option<Output>,
    /// The line being formatted, reused across records.
    line: String,
}

/// Where the lines go.
#[derive(Debug)]
enum Output {
    File {
        name: String,
        writer: BufWriter<File>,
    },
    /// Standard output is already line-buffered by the standard library.
    Stdout(Stdout),
}

impl Output {
    fn name(&self) -> &str {
        match self {
            Output::File { name, .. } => name,
            Output::Stdout(_) => "standard output",
        }
    }

    /// Writes one complete line with one call, so that only whole lines reach the file.
    fn write_line(&mut self, line: &[u8]) -> io::Result<()> {
        match self {
            Output::File { writer, .. } => writer.write_all(line),
            Output::Stdout(stdout) => stdout.lock().write_all(line),
        }
    }

    /// Writes `text` and a newline as one line. When both fit in the file's buffer they are
    /// copied straight into it (the buffer cannot be flushed between them); otherwise the
    /// line is put together in `scratch` first.
    fn write_text_line(&mut self, text: &str, scratch: &mut String) -> io::Result<()> {
        if let Output::File { writer, .. } = self {
            if writer.capacity() - writer.buffer().len() > text.len() {
                writer.write_all(text.as_bytes())?;
                return writer.write_all(b"\n");
            }
        }
        scratch.clear();
        scratch.push_str(text);
        scratch.push('\n');
        self.write_line(scratch.as_bytes())
    }

    /// Hands buffered lines to the OS, then makes a file's data durable.
    ///
    /// `sync_data` costs one disk sync per offset commit (every `offset.flush.interval.ms`, or on
    /// rebalance and stop), not per record: cheap next to the guarantee that a committed offset
    /// never refers to lines a power loss could still take away. Apache only flushes to the OS.
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::File { writer, .. } => {
                writer.flush()?;
                writer.get_ref().sync_data()
            }
            Output::Stdout(stdout) => stdout.flush(),
        }
    }
}

#[async_trait]
impl SinkTask for FileStreamSinkTask {
    async fn start(&mut self, props: Props) -> Result<()> {
        let config = FileStreamSinkConfig::parse(&props)?;
        let output = match config.file {
            None => Output::Stdout(io::stdout()),
            Some(name) => {
                let file = OpenOptions::new()
                    .create(true)
                    .read(true)
                    .append(true)
                    .open(&name)
                    .map_err(|e| {
                        ConnectError::other_with(
                            format!("Couldn't find or create file '{name}' for FileStreamSinkTask"),
                            e,
                        )
                    })?;
                match cut_torn_tail(&file) {
                    Ok(Some(cut)) => warn!(
                        "{name} ended in a partial line (a write interrupted by a crash); cut its last {cut} bytes, which are written again from Kafka"
                    ),
                    Ok(None) => {}
                    Err(e) => {
                        return Err(ConnectError::other_with(
                            format!("Couldn't check the end of '{name}' for a partial line"),
                            e,
                        ))
                    }
                }
                Output::File {
                    name,
                    writer: BufWriter::with_capacity(WRITE_BUFFER, file),
                }
            }
        };
        self.output = Some(output);
        Ok(())
    }

    async fn put(&mut self, records: &[SinkRecord]) -> Result<()> {
        let output = self.output.as_mut().ok_or_else(not_started)?;
        for record in records {
            // Unlike Apache's PrintStream, which swallows write errors, a failed write fails
            // the task: the records' offsets are then never committed, so nothing is lost.
            let written = if let Value::String(text) = &record.value {
                // The common case, printed as it is: no formatting machinery per line.
                output.write_text_line(text, &mut self.line)
            } else {
                self.line.clear();
                write!(self.line, "{}", record.value).map_err(|e| {
                    ConnectError::other_with("Couldn't format a record value as text", e)
                })?;
                self.line.push('\n');
                output.write_line(self.line.as_bytes())
            };
            written.map_err(|e| {
                ConnectError::other_with(format!("Couldn't write to {}", output.name()), e)
            })?;
        }
        trace!("Wrote {} lines to {}", records.len(), output.name());
        Ok(())
    }

    async fn flush(
        &mut self,
        _current_offsets: &HashMap<TopicPartition, OffsetAndMetadata>,
    ) -> Result<()> {
        let output = self.output.as_mut().ok_or_else(not_started)?;
        trace!("Flushing output stream for {}", output.name());
        output.flush().map_err(|e| flush_failed(output.name(), e))
    }

    async fn stop(&mut self) -> Result<()> {
        // Dropping the output closes the file; `Stdout` is a handle, dropping it closes nothing.
        if let Some(mut output) = self.output.take() {
            output.flush().map_err(|e| flush_failed(output.name(), e))?;
        }
        Ok(())
    }
}

fn not_started() -> ConnectError {
    ConnectError::other("FileStreamSinkTask was used before it was started")
}

fn flush_failed(name: &str, e: io::Error) -> ConnectError {
    ConnectError::other_with(format!("Couldn't flush {name}"), e)
}

/// Cuts `file` back to its last newline when it ends in a partial line, and says how many
/// bytes went. Lines are written whole, so a partial last line is a write that a kill or a
/// power loss interrupted; its record was never committed and is delivered again, so keeping
/// the fragment would leave a torn line before the whole one.
fn cut_torn_tail(file: &File) -> io::Result<Option<u64>> {
    use std::io::{Read, Seek, SeekFrom};
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(None);
    }
    let mut reader = file;
    let mut buf = vec![0u8; 64 * 1024];
    let mut end = len;
    while end > 0 {
        let start = end.saturating_sub(buf.len() as u64);
        let chunk = &mut buf[..(end - start) as usize];
        reader.seek(SeekFrom::Start(start))?;
        reader.read_exact(chunk)?;
        if end == len && chunk.last() == Some(&b'\n') {
            return Ok(None);
        }
        if let Some(i) = chunk.iter().rposition(|&b| b == b'\n') {
            let keep = start + i as u64 + 1;
            file.set_len(keep)?;
            return Ok(Some(len - keep));
        }
        end = start;
    }
    file.set_len(0)?;
    Ok(Some(len))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use connect_api::data::{Schema, SchemaBuilder, Struct, Value, STRING_SCHEMA};

    use super::*;

    #[tokio::test]
    async fn a_torn_last_line_is_cut_back_on_start() {
        let dir = tempfile::tempdir().unwrap();
        for (before, after) in [
            ("one\ntwo\nthr", "one\ntwo\n"),
            ("one\ntwo\n", "one\ntwo\n"),
            ("partial", ""),
            ("", ""),
        ] {
            let path = dir.path().join("out.txt");
            std::fs::write(&path, before).unwrap();
            let mut task = FileStreamSinkTask::default();
            task.start(props(&path)).await.unwrap();
            task.put(&[record("t", 0, Value::from("next"))])
                .await
                .unwrap();
            task.stop().await.unwrap();
            assert_eq!(
                std::fs::read_to_string(&path).unwrap(),
                format!("{after}next\n"),
                "{before:?}"
            );
        }
    }

    #[test]
    fn the_tail_is_found_across_read_chunks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.txt");
        let mut text = "x".repeat(10);
        text.push('\n');
        text.push_str(&"y".repeat(200_000));
        std::fs::write(&path, &text).unwrap();
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .open(&path)
            .unwrap();
        assert_eq!(cut_torn_tail(&file).unwrap(), Some(200_000));
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            format!("{}\n", "x".repeat(10))
        );
    }

    fn props(path: &Path) -> Props {
        Props::from([("file".to_owned(), path.to_str().unwrap().to_owned())])
    }

    fn record(topic: &str, offset: i64, value: Value) -> SinkRecord {
        let schema = Some(Schema::clone(&STRING_SCHEMA));
        SinkRecord::new(topic, 0, None, Value::Null, schema, value, offset)
    }

    fn read(path: &Path) -> String {
        std::fs::read_to_string(path).unwrap()
    }

    /// Lines that do not fit in what is left of the buffer, or in the buffer at all, are
    /// written whole too, between lines that do.
    #[tokio::test]
    async fn lines_longer_than_the_buffer_are_written_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        let mut task = FileStreamSinkTask::default();
        task.start(props(&path)).await.unwrap();
        let long = "y".repeat(WRITE_BUFFER + 10);
        let near = "z".repeat(WRITE_BUFFER - 3);
        let lines = ["a".to_owned(), long, "b".to_owned(), near, "c".to_owned()];
        let records: Vec<SinkRecord> = lines
            .iter()
            .enumerate()
            .map(|(i, l)| record("t", i as i64, Value::String(l.clone())))
            .collect();
        task.put(&records).await.unwrap();
        task.flush(&HashMap::new()).await.unwrap();
        assert_eq!(read(&path), lines.map(|l| l + "\n").concat());
    }

    /// FileStreamSinkTaskTest.testPutFlush.
    #[tokio::test]
    async fn put_and_flush() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        let mut task = FileStreamSinkTask::default();
        task.start(props(&path)).await.unwrap();

        task.put(&[record("topic1", 1, "line1".into())])
            .await
            .unwrap();
        task.flush(&HashMap::new()).await.unwrap();
        assert_eq!(read(&path), "line1\n");

        task.put(&[
            record("topic1", 2, "line2".into()),
            record("topic2", 1, "line3".into()),
        ])
        .await
        .unwrap();
        task.flush(&HashMap::new()).await.unwrap();
        assert_eq!(read(&path), "line1\nline2\nline3\n");
        task.stop().await.unwrap();
    }

    #[tokio::test]
    async fn values_print_as_java_to_string() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        let mut task = FileStreamSinkTask::default();
        task.start(props(&path)).await.unwrap();
        let schema = SchemaBuilder::struct_()
            .field("a", Schema::clone(&connect_api::data::INT32_SCHEMA))
            .build()
            .unwrap();
        let mut value = Struct::new(schema).unwrap();
        value.put("a", Value::Int32(1)).unwrap();
        task.put(&[
            record("t", 0, Value::Null),
            record("t", 1, Value::Struct(value)),
            record("t", 2, Value::Map(vec![("k".into(), "v".into())])),
            record("t", 3, Value::Int64(42)),
        ])
        .await
        .unwrap();
        task.stop().await.unwrap();
        assert_eq!(read(&path), "null\nStruct{a=1}\n{k=v}\n42\n");
    }

    #[tokio::test]
    async fn appends_to_an_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        std::fs::write(&path, "before\n").unwrap();
        let mut task = FileStreamSinkTask::default();
        task.start(props(&path)).await.unwrap();
        task.put(&[record("t", 0, "after".into())]).await.unwrap();
        task.stop().await.unwrap();
        assert_eq!(read(&path), "before\nafter\n");
    }

    #[tokio::test]
    async fn the_file_only_ever_holds_whole_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        let mut task = FileStreamSinkTask::default();
        task.start(props(&path)).await.unwrap();
        // Lines of awkward lengths, several times the buffer, and never flushed: whatever the
        // buffer has passed on to the file so far must end at a line boundary.
        let records: Vec<SinkRecord> = (0..5000)
            .map(|i| record("t", i, "y".repeat(usize::try_from(i % 97).unwrap()).into()))
            .collect();
        task.put(&records).await.unwrap();
        let written = read(&path);
        assert!(!written.is_empty());
        assert!(written.ends_with('\n'));
        task.stop().await.unwrap();
        assert_eq!(read(&path).lines().count(), 5000);
    }

    #[tokio::test]
    async fn an_uncreatable_file_fails_start() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing-dir").join("out.txt");
        let mut task = FileStreamSinkTask::default();
        let error = task.start(props(&path)).await.unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "Couldn't find or create file '{}' for FileStreamSinkTask",
                path.display()
            )
        );
    }

    #[tokio::test]
    async fn blank_file_writes_to_stdout() {
        let mut task = FileStreamSinkTask::default();
        task.start(Props::from([("file".to_owned(), " ".to_owned())]))
            .await
            .unwrap();
        assert!(matches!(task.output, Some(Output::Stdout(_))));
        task.put(&[]).await.unwrap();
        task.stop().await.unwrap();
    }

    #[tokio::test]
    async fn use_before_start_is_an_error() {
        let mut task = FileStreamSinkTask::default();
        assert!(task.put(&[]).await.is_err());
        assert!(task.flush(&HashMap::new()).await.is_err());
        // Stopping a task that never started is harmless.
        task.stop().await.unwrap();
    }
}
