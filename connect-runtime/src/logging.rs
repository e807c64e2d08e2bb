//! Log lines as Apache Kafka Connect writes them: every line a connector or task causes carries
//! its context (`[my-sink|task-0]`, `[my-sink|worker]`, `[my-sink|task-0|offsets]`), as
//! Apache's `LoggingContext` puts `connector.context` in the log4j MDC, and the default text
//! layout is Apache's `[%d] %p %X{connector.context}%m (%c:%L)%n`. `log.format=json` (worker
//! key) or `CONNECT_LOG_FORMAT=json` (environment, from the first line on) writes one JSON object
//! per line instead, for log collectors.
//!
//! The context is a tracing span: [`connector_span`], [`task_span`] and [`offsets_span`] make
//! one, and code entered in it (a task's thread, a connector's thread, an offset write) logs in
//! that context. The innermost context wins.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

use crate::worker::TaskId;

/// The worker key choosing the log format: `text` (default) or `json`.
pub const LOG_FORMAT_CONFIG: &str = "log.format";
/// The environment variable choosing the log format before the worker file is read.
pub const LOG_FORMAT_ENV: &str = "CONNECT_LOG_FORMAT";

/// The span field holding the context.
const CONTEXT_FIELD: &str = "connector.context";

static JSON: AtomicBool = AtomicBool::new(false);

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Apache's text layout.
    Text,
    /// One JSON object per line.
    Json,
}

impl LogFormat {
    /// Parses `text` or `json` (case-insensitive).
    pub fn parse(value: &str) -> Result<LogFormat, String> {
        match value.trim().to_ascii_lowercase().as_str() {
            "text" | "" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            other => Err(format!(
                "Invalid value {other} for configuration {LOG_FORMAT_CONFIG}: String must be one of: text, json"
            )),
        }
    }
}

/// Switches every following line to `format`.
pub fn set_format(format: LogFormat) {
    JSON.store(format == LogFormat::Json, Ordering::Relaxed);
}

/// Logs what this worker is: its version, the commit it was built from, and the Apache Kafka
/// release whose Connect it implements (as `GET /` does).
pub fn log_build_info() {
    tracing::info!(
        "Kafka Connect worker version {} (commit {}), implementing Apache Kafka Connect {}",
        env!("CARGO_PKG_VERSION"),
        env!("CONNECT_GIT_COMMIT"),
        env!("CONNECT_APACHE_KAFKA_VERSION"),
    );
}

/// The context of connector-level work in the worker: `[name|worker]`.
pub fn connector_span(connector: &str) -> tracing::Span {
    // Error level, so that the context is there whatever level the lines inside it have.
    tracing::error_span!("connector", "connector.context" = %format!("{connector}|worker"))
}

/// The context of a task: `[connector|task-N]`.
pub fn task_span(id: &TaskId) -> tracing::Span {
    tracing::error_span!("task", "connector.context" = %format!("{}|task-{}", id.connector, id.task))
}

/// The context of a task's offset commits: `[connector|task-N|offsets]`.
pub fn offsets_span(id: &TaskId) -> tracing::Span {
    tracing::error_span!(
        "offsets",
        "connector.context" = %format!("{}|task-{}|offsets", id.connector, id.task)
    )
}

/// A span's context, kept in its extensions by [`ContextLayer`].
struct LogContext(String);

/// Records the `connector.context` field of new spans, for [`ApacheFormat`] to find.
pub struct ContextLayer;

impl<S> Layer<S> for ContextLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut found = ContextVisitor(None);
        attrs.record(&mut found);
        if let (Some(context), Some(span)) = (found.0, ctx.span(id)) {
            span.extensions_mut().insert(LogContext(context));
        }
    }
}

struct ContextVisitor(Option<String>);

impl Visit for ContextVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == CONTEXT_FIELD {
            self.0 = Some(value.to_owned());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == CONTEXT_FIELD {
            self.0 = Some(format!("{value:?}"));
        }
    }
}

/// An event's message and other fields.
#[derive(Default)]
struct Fields {
    message: String,
    others: Map<String, Value>,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.to_owned();
        } else {
            self.others
                .insert(field.name().to_owned(), Value::from(value));
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.others
            .insert(field.name().to_owned(), Value::from(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.others
            .insert(field.name().to_owned(), Value::from(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.others
            .insert(field.name().to_owned(), Value::from(value));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            self.message = format!("{value:?}");
        } else if !field.name().starts_with("log.") {
            // `log.*` are the tracing-log bridge's own fields (target, file, line).
            self.others
                .insert(field.name().to_owned(), Value::from(format!("{value:?}")));
        }
    }
}

/// Apache's text layout, or JSON lines.
pub struct ApacheFormat;

impl<S, N> FormatEvent<S, N> for ApacheFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let context = ctx.event_scope().and_then(|scope| {
            scope
                .into_iter()
                .find_map(|span| span.extensions().get::<LogContext>().map(|c| c.0.clone()))
        });
        let mut fields = Fields::default();
        event.record(&mut fields);
        // Lines bridged from the `log` crate (librdkafka's) carry their origin in metadata
        // that tracing-log normalizes.
        let normalized = tracing_log::NormalizeEvent::normalized_metadata(event);
        let meta = normalized.as_ref().unwrap_or_else(|| event.metadata());
        let level = match *meta.level() {
            tracing::Level::ERROR => "ERROR",
            tracing::Level::WARN => "WARN",
            tracing::Level::INFO => "INFO",
            tracing::Level::DEBUG => "DEBUG",
            tracing::Level::TRACE => "TRACE",
        };
        let now = chrono::Local::now();
        if JSON.load(Ordering::Relaxed) {
            let mut line = Map::new();
            line.insert(
                "timestamp".to_owned(),
                Value::from(now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
            );
            line.insert("level".to_owned(), Value::from(level));
            line.insert("logger".to_owned(), Value::from(meta.target()));
            if let Some(context) = context {
                line.insert(CONTEXT_FIELD.to_owned(), Value::from(context));
            }
            line.insert("message".to_owned(), Value::from(fields.message));
            if let Some(l) = meta.line() {
                line.insert("line".to_owned(), Value::from(l));
            }
            line.insert("thread".to_owned(), Value::from(thread_name()));
            for (k, v) in fields.others {
                line.entry(k).or_insert(v);
            }
            writeln!(writer, "{}", Value::Object(line))
        } else {
            write!(writer, "[{}] {level} ", now.format("%Y-%m-%d %H:%M:%S,%3f"))?;
            if let Some(context) = context {
                write!(writer, "[{context}] ")?;
            }
            writer.write_str(&fields.message)?;
            for (k, v) in &fields.others {
                match v {
                    Value::String(s) => write!(writer, " {k}={s}")?,
                    other => write!(writer, " {k}={other}")?,
                }
            }
            match meta.line() {
                Some(l) => writeln!(writer, " ({}:{l})", meta.target()),
                None => writeln!(writer, " ({})", meta.target()),
            }
        }
    }
}

fn thread_name() -> String {
    std::thread::current()
        .name()
        .unwrap_or("unnamed")
        .to_owned()
}

/// Logs to stderr at `RUST_LOG` (default `info`) in Apache's layout (or JSON, see the module
/// docs), with levels that `PUT /admin/loggers/{name}` changes at run time. Worker binaries
/// call this first.
pub fn init() {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::{fmt, reload, EnvFilter};
    if let Ok(format) = std::env::var(LOG_FORMAT_ENV) {
        match LogFormat::parse(&format) {
            Ok(f) => set_format(f),
            Err(e) => eprintln!("{LOG_FORMAT_ENV}: {e}"),
        }
    }
    let initial = std::env::var("RUST_LOG")
        .ok()
        .filter(|s| EnvFilter::try_new(s).is_ok())
        .unwrap_or_else(|| "info".to_owned());
    let (filter, handle) = reload::Layer::new(EnvFilter::new(&initial));
    tracing_subscriber::registry()
        .with(filter)
        .with(ContextLayer)
        .with(
            fmt::layer()
                .event_format(ApacheFormat)
                .with_writer(std::io::stderr),
        )
        .init();
    crate::rest::install_log_control(&initial, move |directives| {
        let filter = EnvFilter::try_new(directives).map_err(|e| e.to_string())?;
        handle.reload(filter).map_err(|e| e.to_string())
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;
    use std::sync::{Arc, Mutex};
    use tracing_subscriber::layer::SubscriberExt;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn capture(f: impl FnOnce()) -> String {
        let out = Captured::default();
        let writer = out.clone();
        let subscriber = tracing_subscriber::registry().with(ContextLayer).with(
            tracing_subscriber::fmt::layer()
                .event_format(ApacheFormat)
                .with_writer(move || writer.clone()),
        );
        tracing::subscriber::with_default(subscriber, f);
        let bytes = out.0.lock().unwrap().clone();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn text_lines_carry_the_innermost_context() {
        // Both formats in one test: the format switch is process-wide.
        set_format(LogFormat::Text);
        let id = TaskId {
            connector: "my-sink".to_owned(),
            task: 3,
        };
        let text = capture(|| {
            tracing::info!("outside");
            let _task = task_span(&id).entered();
            tracing::warn!(partition = 2, "inside the task");
            let _offsets = offsets_span(&id).entered();
            tracing::info!("committing");
        });
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].starts_with('['), "{text}");
        assert!(lines[0].contains("] INFO outside (connect_runtime::logging:"));
        assert!(
            lines[1].contains(
                "] WARN [my-sink|task-3] inside the task partition=2 (connect_runtime::logging:"
            ),
            "{text}"
        );
        assert!(lines[2].contains("INFO [my-sink|task-3|offsets] committing"));

        set_format(LogFormat::Json);
        let json = capture(|| {
            let _c = connector_span("src").entered();
            tracing::error!(attempt = 2, "failed");
        });
        set_format(LogFormat::Text);
        let line: Value = serde_json::from_str(json.trim()).unwrap();
        assert_eq!(line["level"], "ERROR");
        assert_eq!(line["connector.context"], "src|worker");
        assert_eq!(line["message"], "failed");
        assert_eq!(line["attempt"], 2);
        assert_eq!(line["logger"], "connect_runtime::logging::tests");
    }

    #[test]
    fn formats_parse() {
        assert_eq!(LogFormat::parse("JSON"), Ok(LogFormat::Json));
        assert_eq!(LogFormat::parse("text"), Ok(LogFormat::Text));
        assert!(LogFormat::parse("xml").unwrap_err().contains("log.format"));
    }
}
