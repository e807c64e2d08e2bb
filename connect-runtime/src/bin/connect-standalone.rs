//! `connect-standalone worker.properties [connector1.properties connector2.json ...]`

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, reload, EnvFilter};

/// mimalloc: the data path allocates and frees a few small buffers per record, often on
/// different threads (librdkafka's and the task's), where it is markedly faster than the
/// system allocator. Built not to commit whole arenas up front (`.cargo/config.toml`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    // A reloadable filter, so that `PUT /admin/loggers/{name}` changes levels at run time.
    let initial = std::env::var("RUST_LOG")
        .ok()
        .filter(|s| EnvFilter::try_new(s).is_ok())
        .unwrap_or_else(|| "info".to_owned());
    let (filter, handle) = reload::Layer::new(EnvFilter::new(&initial));
    tracing_subscriber::registry()
        .with(filter)
        .with(fmt::layer().with_writer(std::io::stderr))
        .init();
    connect_runtime::rest::install_log_control(&initial, move |directives| {
        let filter = EnvFilter::try_new(directives).map_err(|e| e.to_string())?;
        handle.reload(filter).map_err(|e| e.to_string())
    });
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = connect_runtime::standalone::main(args).await;
    std::process::exit(code);
}
