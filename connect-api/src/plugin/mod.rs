//! Plugin registration and lookup.
//!
//! A crate registers its plugins with one macro each — [`source_connector!`](crate::source_connector),
//! [`sink_connector!`](crate::sink_connector), [`converter!`](crate::converter),
//! [`header_converter!`](crate::header_converter), [`transformation!`](crate::transformation),
//! [`predicate!`](crate::predicate) — and a worker binary that links the crate finds them by
//! the names Apache Kafka Connect uses: the fully qualified class name, the simple name, or the
//! simple name without its kind suffix (see [`PluginRegistry`]).

mod macros;
mod registry;

pub use registry::{LookupError, PluginDesc, PluginRegistry};

use crate::sink::{SinkConnector, SinkRecord, SinkTask};
use crate::source::{SourceConnector, SourceRecord, SourceTask};
use crate::storage::{Converter, HeaderConverter};
use crate::transforms::{Predicate, Transformation};

/// The kind of a plugin; [`PluginKind::name`] is the `type` shown by the REST API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PluginKind {
    /// A source connector.
    Source,
    /// A sink connector.
    Sink,
    /// A key/value converter.
    Converter,
    /// A header converter.
    HeaderConverter,
    /// A single message transformation.
    Transformation,
    /// A predicate.
    Predicate,
}

impl PluginKind {
    /// The lower-case name used by the REST API: `source`, `sink`, `converter`,
    /// `header_converter`, `transformation`, `predicate`.
    pub fn name(self) -> &'static str {
        match self {
            PluginKind::Source => "source",
            PluginKind::Sink => "sink",
            PluginKind::Converter => "converter",
            PluginKind::HeaderConverter => "header_converter",
            PluginKind::Transformation => "transformation",
            PluginKind::Predicate => "predicate",
        }
    }

    /// The suffix removed from simple names to form the short alias (Apache's
    /// `PluginUtils.prunedName`): `Connector` for connectors, else the kind's interface name.
    pub fn alias_suffix(self) -> &'static str {
        match self {
            PluginKind::Source | PluginKind::Sink => "Connector",
            PluginKind::Converter => "Converter",
            PluginKind::HeaderConverter => "HeaderConverter",
            PluginKind::Transformation => "Transformation",
            PluginKind::Predicate => "Predicate",
        }
    }

    /// Whether this is a connector kind.
    pub fn is_connector(self) -> bool {
        matches!(self, PluginKind::Source | PluginKind::Sink)
    }
}

/// How to create a plugin's instances.
#[derive(Clone, Copy)]
#[non_exhaustive]
pub enum PluginFactory {
    /// A source connector and its task.
    Source {
        /// Creates the connector.
        connector: fn() -> Box<dyn SourceConnector>,
        /// Creates one task.
        task: fn() -> Box<dyn SourceTask>,
        /// The task's class name, put into task configs as `task.class`.
        task_class: &'static str,
    },
    /// A sink connector and its task.
    Sink {
        /// Creates the connector.
        connector: fn() -> Box<dyn SinkConnector>,
        /// Creates one task.
        task: fn() -> Box<dyn SinkTask>,
        /// The task's class name, put into task configs as `task.class`.
        task_class: &'static str,
    },
    /// A converter.
    Converter(fn() -> Box<dyn Converter>),
    /// A header converter.
    HeaderConverter(fn() -> Box<dyn HeaderConverter>),
    /// A transformation, for either record type.
    Transformation {
        /// Creates an instance for source records.
        source: fn() -> Box<dyn Transformation<SourceRecord>>,
        /// Creates an instance for sink records.
        sink: fn() -> Box<dyn Transformation<SinkRecord>>,
    },
    /// A predicate, for either record type.
    Predicate {
        /// Creates an instance for source records.
        source: fn() -> Box<dyn Predicate<SourceRecord>>,
        /// Creates an instance for sink records.
        sink: fn() -> Box<dyn Predicate<SinkRecord>>,
    },
}

impl PluginFactory {
    /// The kind of plugin this factory creates.
    pub fn kind(&self) -> PluginKind {
        match self {
            PluginFactory::Source { .. } => PluginKind::Source,
            PluginFactory::Sink { .. } => PluginKind::Sink,
            PluginFactory::Converter(_) => PluginKind::Converter,
            PluginFactory::HeaderConverter(_) => PluginKind::HeaderConverter,
            PluginFactory::Transformation { .. } => PluginKind::Transformation,
            PluginFactory::Predicate { .. } => PluginKind::Predicate,
        }
    }
}

impl std::fmt::Debug for PluginFactory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PluginFactory({})", self.kind().name())
    }
}

/// One registered plugin, as submitted by the registration macros.
#[derive(Debug, Clone, Copy)]
pub struct PluginRegistration {
    /// The class name the plugin is known by, e.g.
    /// `org.apache.kafka.connect.file.FileStreamSourceConnector`.
    pub class_name: &'static str,
    /// The plugin version (by default the registering crate's version).
    pub version: &'static str,
    /// How to create instances.
    pub factory: PluginFactory,
}

inventory::collect!(PluginRegistration);

/// Every plugin registered by the crates linked into this binary.
pub fn registrations() -> impl Iterator<Item = &'static PluginRegistration> {
    inventory::iter::<PluginRegistration>.into_iter()
}
