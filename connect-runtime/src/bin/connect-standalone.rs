//! `connect-standalone worker.properties [connector1.properties connector2.json ...]`

/// mimalloc: the data path allocates and frees a few small buffers per record, often on
/// different threads (librdkafka's and the task's), where it is markedly faster than the
/// system allocator. Built not to commit whole arenas up front (`.cargo/config.toml`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    connect_runtime::logging::init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = connect_runtime::standalone::main(args).await;
    std::process::exit(code);
}
