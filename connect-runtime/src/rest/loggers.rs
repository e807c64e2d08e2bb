//! `/admin/loggers` (KIP-495): logger levels changed at run time.
//!
//! Logger names are `tracing` targets (`connect_runtime::worker`, `connect_file`, or any
//! prefix); `root` is the default level. Log4j levels map onto tracing's: `OFF`; `FATAL` and
//! `ERROR` → error; `WARN`; `INFO`; `DEBUG`; `TRACE` and `ALL` → trace. The binary installs a
//! reloadable filter with [`install_log_control`]; without one (an embedded worker), levels are
//! recorded and reported but the subscriber is not changed.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Applies a filter directive string such as `info,connect_runtime::worker=debug`.
type Apply = Box<dyn Fn(&str) -> Result<(), String> + Send + Sync>;

static CONTROL: OnceLock<Apply> = OnceLock::new();
static LEVELS: OnceLock<Mutex<Levels>> = OnceLock::new();

/// The log4j level names, in severity order.
pub const LEVELS_LOG4J: &[&str] = &[
    "OFF", "FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE", "ALL",
];

/// `{"level": "INFO", "last_modified": 1692984254110}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LoggerLevel {
    /// The level.
    pub level: String,
    /// When it was last changed through the API (epoch millis), `null` if never.
    pub last_modified: Option<i64>,
}

struct Levels {
    root: LoggerLevel,
    loggers: BTreeMap<String, LoggerLevel>,
}

fn levels() -> MutexGuard<'static, Levels> {
    LEVELS
        .get_or_init(|| {
            Mutex::new(Levels {
                root: LoggerLevel {
                    level: "INFO".to_owned(),
                    last_modified: None,
                },
                loggers: BTreeMap::new(),
            })
        })
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

/// Called once by the binary that installs the subscriber: `initial` is the directive the
/// filter started with (its default level becomes `root`'s), `apply` reloads the filter.
pub fn install_log_control(
    initial: &str,
    apply: impl Fn(&str) -> Result<(), String> + Send + Sync + 'static,
) {
    let root = initial
        .split(',')
        .map(str::trim)
        .find(|d| !d.contains('=') && !d.is_empty())
        .and_then(|d| log4j_name(d))
        .unwrap_or("INFO");
    {
        let mut l = levels();
        l.root.level = root.to_owned();
        for d in initial.split(',').map(str::trim) {
            if let Some((target, level)) = d.split_once('=') {
                if let Some(level) = log4j_name(level) {
                    l.loggers.insert(
                        target.to_owned(),
                        LoggerLevel {
                            level: level.to_owned(),
                            last_modified: None,
                        },
                    );
                }
            }
        }
    }
    let _ = CONTROL.set(Box::new(apply));
}

fn log4j_name(level: &str) -> Option<&'static str> {
    let l = level.trim();
    LEVELS_LOG4J
        .iter()
        .copied()
        .find(|n| n.eq_ignore_ascii_case(l))
        .or(match l.to_ascii_lowercase().as_str() {
            "warning" => Some("WARN"),
            _ => None,
        })
}

fn tracing_level(log4j: &str) -> &'static str {
    match log4j {
        "OFF" => "off",
        "FATAL" | "ERROR" => "error",
        "WARN" => "warn",
        "INFO" => "info",
        "DEBUG" => "debug",
        _ => "trace",
    }
}

/// Names usable as tracing targets in a filter directive.
fn directive_safe(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '.' | '-'))
}

fn apply(l: &Levels) {
    let Some(control) = CONTROL.get() else {
        return;
    };
    let mut directives = vec![tracing_level(&l.root.level).to_owned()];
    for (name, level) in &l.loggers {
        if directive_safe(name) {
            directives.push(format!("{name}={}", tracing_level(&level.level)));
        }
    }
    if let Err(e) = control(&directives.join(",")) {
        tracing::warn!("Could not change the log levels: {e}");
    }
}

/// Every logger with an explicit level, plus `root`, sorted by name.
pub fn all_levels() -> BTreeMap<String, LoggerLevel> {
    let l = levels();
    let mut out = l.loggers.clone();
    out.insert("root".to_owned(), l.root.clone());
    out
}

/// One logger's level; `None` if the logger is unknown.
pub fn level(name: &str) -> Option<LoggerLevel> {
    let l = levels();
    if name.eq_ignore_ascii_case("root") {
        return Some(l.root.clone());
    }
    l.loggers.get(name).cloned()
}

/// Whether `level` is a log4j level name (case-insensitive).
pub fn is_level(level: &str) -> bool {
    LEVELS_LOG4J
        .iter()
        .any(|n| n.eq_ignore_ascii_case(level.trim()))
}

/// Sets the level of `namespace` and every known logger under it; returns the loggers changed,
/// sorted. `root` changes every logger.
pub fn set_level(namespace: &str, level: &str) -> Vec<String> {
    let level = log4j_name(level).unwrap_or("INFO").to_owned();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    let new = LoggerLevel {
        level,
        last_modified: Some(now),
    };
    let mut l = levels();
    let mut changed = Vec::new();
    if namespace.eq_ignore_ascii_case("root") {
        l.root = new.clone();
        for (name, v) in l.loggers.iter_mut() {
            *v = new.clone();
            changed.push(name.clone());
        }
        changed.push("root".to_owned());
    } else {
        l.loggers.insert(namespace.to_owned(), new.clone());
        let under: Vec<String> = l
            .loggers
            .keys()
            .filter(|k| k.starts_with(namespace))
            .cloned()
            .collect();
        for name in under {
            l.loggers.insert(name.clone(), new.clone());
            changed.push(name);
        }
    }
    changed.sort();
    changed.dedup();
    apply(&l);
    changed
}
