//! The file connectors: Apache Kafka Connect's `FileStreamSource` and `FileStreamSink`,
//! in Rust, and the model connector of this project, written to be read.
//!
//! * [`FileStreamSourceConnector`] / [`FileStreamSourceTask`] read lines appended to a file
//!   (or typed on standard input) and write each as a record to a Kafka topic.
//! * [`FileStreamSinkConnector`] / [`FileStreamSinkTask`] append the records of Kafka topics
//!   to a file (or standard output), one line per record.
//!
//! They are registered under Apache's class names, so existing configuration files work
//! unchanged; the aliases `FileStreamSource`, `FileStreamSourceConnector`, `FileStreamSink` and
//! `FileStreamSinkConnector` come from the plugin registry:
//!
//! ```properties
//! # config/connect-file-source.properties
//! name=local-file-source
//! connector.class=FileStreamSource
//! tasks.max=1
//! file=test.txt
//! topic=connect-test
//!
//! # config/connect-file-sink.properties
//! name=local-file-sink
//! connector.class=FileStreamSink
//! tasks.max=1
//! file=test.sink.txt
//! topics=connect-test
//! ```
//!
//! # Configuration
//!
//! | connector | key | default | |
//! |---|---|---|---|
//! | source | `file` | null | the file to read; null or blank reads standard input |
//! | source | `topic` | required | the topic to write to; must be non-empty |
//! | source | `batch.size` | `2000` | the most records one `poll` returns |
//! | sink | `file` | null | the file to append to; null or blank writes standard output |
//!
//! Both connectors parse their configuration in `start` against the definitions in
//! [`config`], so a bad value fails with Apache's message, naming the key:
//! `Missing required configuration "topic" which has no default value.`
//!
//! # How the source works
//!
//! The connector hands its configuration, unchanged, to exactly one task: there is one input,
//! so more tasks could only read the same lines twice.
//!
//! The task identifies the file by its source partition `{"filename": <file as configured>}`
//! and each line by its offset `{"position": <byte position just after the line's
//! terminator>}`. The runtime commits the offset of the last line Kafka acknowledged; when
//! the task (re)opens the file it reads that offset back through its context's offset
//! storage reader and seeks to the position, so it resumes exactly after that line.
//!
//! Lines end at `\n`, `\r\n` or a lone `\r`. A line without its terminator yet (the writer is
//! in the middle of appending it) is kept back until the terminator arrives, and a `\r` at
//! the end of what has been read waits for the next byte in case it is half of `\r\n`. Lines
//! are decoded as UTF-8, malformed bytes becoming U+FFFD. The splitting lives in its own
//! module, `line_reader`, which reads 64 KiB at a time into one reused buffer: the task
//! allocates nothing per line but the line's `String` and its offset map, and all records
//! share one `Arc` of the partition.
//!
//! Each `poll` returns at most `batch.size` records; lines beyond that stay buffered for the
//! next poll. When there is nothing to read, `poll` waits one second and returns an empty
//! batch, so the runtime can stop or pause the task in between. A file that does not exist yet
//! is not an error: the task logs
//! `Couldn't find file <file> for FileStreamSourceTask, sleeping to wait for it to be created`,
//! waits a second, and tries again at the next poll. The file is read with blocking `std::fs`
//! calls, which is fine because the runtime runs every task on its own thread.
//!
//! With standard input as the source, partition and offset values are null (a pipe cannot be
//! rewound), and reading blocks until input arrives.
//!
//! # How the sink works
//!
//! The connector gives each of `tasks.max` tasks the same configuration; they all append to
//! the same file. A task writes each record's value as Java's `toString()` prints it (`null`,
//! `Struct{a=1}`, `{k=v}`) plus `\n`. Each line is formatted completely, then written with one
//! call into a 64 KiB buffer that passes only whole lines to the file, so even `kill -9` never
//! leaves half a line behind. `flush`, which the runtime calls before committing offsets,
//! writes the buffer out and syncs the file's data to disk: a committed offset means its lines
//! are durable. Lines written since the last flush may be lost in a crash, and are then
//! delivered again, since their offsets were not committed.
//!
//! The tasks are plain values, driven here by hand the way the runtime drives them:
//!
//! ```
//! use connect_api::data::Value;
//! use connect_api::sink::{SinkRecord, SinkTask};
//! use connect_file::FileStreamSinkTask;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let dir = tempfile::tempdir()?;
//! let path = dir.path().join("out.txt");
//! let mut task = FileStreamSinkTask::default();
//! task.start([("file".to_owned(), path.display().to_string())].into()).await?;
//!
//! let record = |value: Value, offset| SinkRecord::new("t", 0, None, Value::Null, None, value, offset);
//! task.put(&[record("hello".into(), 0), record(Value::Null, 1)]).await?;
//! task.flush(&Default::default()).await?;
//! assert_eq!(std::fs::read_to_string(&path)?, "hello\nnull\n");
//! task.stop().await?;
//! # Ok(())
//! # }
//! ```
//!
//! # Differences from Apache Kafka
//!
//! * **Positions count bytes.** Apache advances its position by Java `char`s (UTF-16 code
//!   units) but resumes by skipping that many *bytes*. For ASCII text both are the same, and
//!   so are the stored offsets. For other text Apache's position is too small and a restart
//!   re-reads from too early, producing duplicates and possibly starting in the middle of a
//!   character. Here positions are bytes, so resuming is exact for any UTF-8 text and for
//!   `\r\n` files; the stored values differ from Apache's for non-ASCII files.
//! * **Buffered lines are returned without waiting for new data.** Apache only extracts lines
//!   after a successful read, so lines left over when `batch.size` was reached wait until the
//!   file grows again.
//! * **Read errors fail the task** instead of being swallowed (Apache returns `null`, assuming
//!   `stop` closed the stream, which cannot happen here). Likewise a failed write in the sink
//!   fails the task, where Apache's `PrintStream` drops the error and the lines with it.
//! * **A committed position beyond the end of the file** is waited at until the file grows past
//!   it (Apache's skip loop spins without progress). A negative position is an error, and so
//!   is a position that is not an integer (Apache: `Offset position is the incorrect type`);
//!   positions of any integer width are accepted, Apache accepting only a `Long`. The same
//!   holds for offsets altered through the REST API.
//! * **The sink syncs to disk on flush**; Apache only flushes to the OS.
//! * **No "Increased buffer" log lines:** the read buffer starts at 64 KiB and grows quietly
//!   when a single line is longer.
//!
//! As in Apache, a truncated or rotated file is not detected: the open file keeps its
//! position.
//!
//! # Modules
//!
//! * [`config`]: the keys, their definitions and the typed configurations;
//! * `source_connector`, `source_task`, `line_reader`: the source;
//! * `sink_connector`, `sink_task`: the sink.

pub mod config;
mod line_reader;
mod sink_connector;
mod sink_task;
mod source_connector;
mod source_task;

pub use sink_connector::FileStreamSinkConnector;
pub use sink_task::FileStreamSinkTask;
pub use source_connector::FileStreamSourceConnector;
pub use source_task::FileStreamSourceTask;

connect_api::source_connector!(
    FileStreamSourceConnector,
    FileStreamSourceTask,
    class = "org.apache.kafka.connect.file.FileStreamSourceConnector",
    task_class = "org.apache.kafka.connect.file.FileStreamSourceTask",
);

connect_api::sink_connector!(
    FileStreamSinkConnector,
    FileStreamSinkTask,
    class = "org.apache.kafka.connect.file.FileStreamSinkConnector",
    task_class = "org.apache.kafka.connect.file.FileStreamSinkTask",
);

#[cfg(test)]
mod tests {
    use connect_api::plugin::{PluginKind, PluginRegistry};

    #[test]
    fn registered_under_apaches_names_and_aliases() {
        let registry = PluginRegistry::linked();
        for (name, class, kind) in [
            (
                "FileStreamSource",
                "org.apache.kafka.connect.file.FileStreamSourceConnector",
                PluginKind::Source,
            ),
            (
                "FileStreamSinkConnector",
                "org.apache.kafka.connect.file.FileStreamSinkConnector",
                PluginKind::Sink,
            ),
        ] {
            let plugin = registry.find(name, &[kind]).unwrap();
            assert_eq!(plugin.class_name, class);
            assert_eq!(plugin.version, env!("CARGO_PKG_VERSION"));
            assert_eq!(registry.resolve(class), Some(class));
        }
    }
}
