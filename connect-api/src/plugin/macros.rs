//! The registration macros.

/// Registers a source connector and its task type (both must implement `Default`).
///
/// ```ignore
/// connect_api::source_connector!(MySourceConnector, MySourceTask);
/// // or with explicit class names, e.g. to match a Java connector's names:
/// connect_api::source_connector!(
///     FileStreamSourceConnector, FileStreamSourceTask,
///     class = "org.apache.kafka.connect.file.FileStreamSourceConnector",
///     task_class = "org.apache.kafka.connect.file.FileStreamSourceTask",
/// );
/// ```
///
/// Without explicit names the class name is the Rust path of the type
/// (`my_crate::MySourceConnector`). The version is the registering crate's version.
#[macro_export]
macro_rules! source_connector {
    ($connector:ty, $task:ty $(,)?) => {
        $crate::source_connector!(
            $connector,
            $task,
            class = concat!(module_path!(), "::", stringify!($connector)),
            task_class = concat!(module_path!(), "::", stringify!($task)),
        );
    };
    ($connector:ty, $task:ty, class = $class:expr, task_class = $task_class:expr $(,)?) => {
        const _: () = {
            fn __new_connector() -> ::std::boxed::Box<dyn $crate::source::SourceConnector> {
                ::std::boxed::Box::new(<$connector as ::core::default::Default>::default())
            }
            fn __new_task() -> ::std::boxed::Box<dyn $crate::source::SourceTask> {
                ::std::boxed::Box::new(<$task as ::core::default::Default>::default())
            }
            $crate::inventory::submit! {
                $crate::plugin::PluginRegistration {
                    class_name: $class,
                    version: env!("CARGO_PKG_VERSION"),
                    factory: $crate::plugin::PluginFactory::Source {
                        connector: __new_connector,
                        task: __new_task,
                        task_class: $task_class,
                    },
                }
            }
        };
    };
}

/// Registers a sink connector and its task type (both must implement `Default`).
///
/// Same forms as [`source_connector!`](crate::source_connector).
#[macro_export]
macro_rules! sink_connector {
    ($connector:ty, $task:ty $(,)?) => {
        $crate::sink_connector!(
            $connector,
            $task,
            class = concat!(module_path!(), "::", stringify!($connector)),
            task_class = concat!(module_path!(), "::", stringify!($task)),
        );
    };
    ($connector:ty, $task:ty, class = $class:expr, task_class = $task_class:expr $(,)?) => {
        const _: () = {
            fn __new_connector() -> ::std::boxed::Box<dyn $crate::sink::SinkConnector> {
                ::std::boxed::Box::new(<$connector as ::core::default::Default>::default())
            }
            fn __new_task() -> ::std::boxed::Box<dyn $crate::sink::SinkTask> {
                ::std::boxed::Box::new(<$task as ::core::default::Default>::default())
            }
            $crate::inventory::submit! {
                $crate::plugin::PluginRegistration {
                    class_name: $class,
                    version: env!("CARGO_PKG_VERSION"),
                    factory: $crate::plugin::PluginFactory::Sink {
                        connector: __new_connector,
                        task: __new_task,
                        task_class: $task_class,
                    },
                }
            }
        };
    };
}

/// Registers a [`Converter`](crate::storage::Converter) (must implement `Default`).
///
/// `converter!(MyConverter)` or `converter!(MyConverter, class = "com.example.MyConverter")`.
#[macro_export]
macro_rules! converter {
    ($ty:ty $(,)?) => {
        $crate::converter!($ty, class = concat!(module_path!(), "::", stringify!($ty)));
    };
    ($ty:ty, class = $class:expr $(,)?) => {
        const _: () = {
            fn __new() -> ::std::boxed::Box<dyn $crate::storage::Converter> {
                ::std::boxed::Box::new(<$ty as ::core::default::Default>::default())
            }
            $crate::inventory::submit! {
                $crate::plugin::PluginRegistration {
                    class_name: $class,
                    version: env!("CARGO_PKG_VERSION"),
                    factory: $crate::plugin::PluginFactory::Converter(__new),
                }
            }
        };
    };
}

/// Registers a [`HeaderConverter`](crate::storage::HeaderConverter) (must implement `Default`).
///
/// Same forms as [`converter!`](crate::converter). A type that is both a converter and a header
/// converter (like `JsonConverter`) is registered with both macros under the same class name.
#[macro_export]
macro_rules! header_converter {
    ($ty:ty $(,)?) => {
        $crate::header_converter!($ty, class = concat!(module_path!(), "::", stringify!($ty)));
    };
    ($ty:ty, class = $class:expr $(,)?) => {
        const _: () = {
            fn __new() -> ::std::boxed::Box<dyn $crate::storage::HeaderConverter> {
                ::std::boxed::Box::new(<$ty as ::core::default::Default>::default())
            }
            $crate::inventory::submit! {
                $crate::plugin::PluginRegistration {
                    class_name: $class,
                    version: env!("CARGO_PKG_VERSION"),
                    factory: $crate::plugin::PluginFactory::HeaderConverter(__new),
                }
            }
        };
    };
}

/// Registers a [`Transformation`](crate::transforms::Transformation) implemented for both
/// source and sink records (must implement `Default`).
///
/// `transformation!(MyTransform)` or
/// `transformation!(Cast<ValueSide>, class = "org.apache.kafka.connect.transforms.Cast$Value")`.
#[macro_export]
macro_rules! transformation {
    ($ty:ty $(,)?) => {
        $crate::transformation!($ty, class = concat!(module_path!(), "::", stringify!($ty)));
    };
    ($ty:ty, class = $class:expr $(,)?) => {
        const _: () = {
            fn __source() -> ::std::boxed::Box<
                dyn $crate::transforms::Transformation<$crate::source::SourceRecord>,
            > {
                ::std::boxed::Box::new(<$ty as ::core::default::Default>::default())
            }
            fn __sink(
            ) -> ::std::boxed::Box<dyn $crate::transforms::Transformation<$crate::sink::SinkRecord>>
            {
                ::std::boxed::Box::new(<$ty as ::core::default::Default>::default())
            }
            $crate::inventory::submit! {
                $crate::plugin::PluginRegistration {
                    class_name: $class,
                    version: env!("CARGO_PKG_VERSION"),
                    factory: $crate::plugin::PluginFactory::Transformation {
                        source: __source,
                        sink: __sink,
                    },
                }
            }
        };
    };
}

/// Registers a [`Predicate`](crate::transforms::Predicate) implemented for both source and
/// sink records (must implement `Default`). Same forms as [`transformation!`](crate::transformation).
#[macro_export]
macro_rules! predicate {
    ($ty:ty $(,)?) => {
        $crate::predicate!($ty, class = concat!(module_path!(), "::", stringify!($ty)));
    };
    ($ty:ty, class = $class:expr $(,)?) => {
        const _: () = {
            fn __source(
            ) -> ::std::boxed::Box<dyn $crate::transforms::Predicate<$crate::source::SourceRecord>>
            {
                ::std::boxed::Box::new(<$ty as ::core::default::Default>::default())
            }
            fn __sink(
            ) -> ::std::boxed::Box<dyn $crate::transforms::Predicate<$crate::sink::SinkRecord>>
            {
                ::std::boxed::Box::new(<$ty as ::core::default::Default>::default())
            }
            $crate::inventory::submit! {
                $crate::plugin::PluginRegistration {
                    class_name: $class,
                    version: env!("CARGO_PKG_VERSION"),
                    factory: $crate::plugin::PluginFactory::Predicate {
                        source: __source,
                        sink: __sink,
                    },
                }
            }
        };
    };
}
