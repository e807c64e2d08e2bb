//! `connect-bench`: runs the benchmark scenarios against a tansu broker it starts itself and
//! prints a Markdown table of the worker against bare rdkafka loops, with ratios.
//!
//! `connect-bench --smoke` runs every scenario on tiny inputs; the real run
//! (`scripts/bench.sh`) uses a release build and large inputs.

use std::path::PathBuf;

use anyhow::Result;
use clap::Parser;

#[derive(Parser)]
#[command(about = "Benchmarks the Kafka Connect worker against bare rdkafka loops")]
struct Args {
    /// The connect-standalone binary to measure (a release build for real numbers).
    #[arg(long)]
    worker: Option<PathBuf>,
    /// Lines for P1/P2.
    #[arg(long, default_value_t = 1_000_000)]
    lines: u64,
    /// Bytes per line.
    #[arg(long, default_value_t = 100)]
    size: usize,
    /// Also measure how cost grows with the number and size of records.
    #[arg(long)]
    scaling: bool,
    /// Tiny inputs, to check that every scenario still runs.
    #[arg(long)]
    smoke: bool,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let bin = args
        .worker
        .unwrap_or_else(connect_bench::scenarios::default_worker_binary);
    let (lines, size) = if args.smoke {
        (5_000, 100)
    } else {
        (args.lines, args.size)
    };
    print!(
        "{}",
        connect_bench::run(&bin, lines, size, args.scaling && !args.smoke)?
    );
    Ok(())
}
