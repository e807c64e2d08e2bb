//! `connect-distributed worker.properties`

/// mimalloc, as in `connect-standalone`.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    connect_runtime::logging::init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = connect_runtime::distributed::main(args).await;
    std::process::exit(code);
}
