//! The benchmark driver behind `connect-bench`: each scenario runs the worker and a bare
//! rdkafka loop over the same file and broker, in the same run, and reports their ratio.

pub mod harness;
pub mod scenarios;

use std::fmt::Write as _;
use std::path::Path;

use scenarios::*;

fn row(out: &mut String, name: &str, ours: &Measurement, base: &Measurement) {
    let _ = writeln!(
        out,
        "| {name} | {:.0} rec/s ({:.1} MB/s, {:.2} s) | {:.0} rec/s ({:.1} MB/s, {:.2} s) | {:.2} |",
        ours.records_per_sec(),
        ours.mb_per_sec(),
        ours.seconds,
        base.records_per_sec(),
        base.mb_per_sec(),
        base.seconds,
        ours.records_per_sec() / base.records_per_sec()
    );
}

/// Runs P1 (String and Json converters), P2 and P4 with `lines` lines of `size` bytes, plus
/// the scaling series when asked; returns the report as Markdown tables.
pub fn run(bin: &Path, lines: u64, size: usize, scaling: bool) -> anyhow::Result<String> {
    let broker = harness::Broker::start()?;
    let dir = scratch()?;
    let input = dir.path().join("input.txt");
    write_input(&input, lines, size)?;
    let mut out = String::new();
    out.push_str("| scenario | ours | baseline | ratio |\n|---|---|---|---|\n");
    let mut peak_streaming = 0;
    for (label, converter, encoding) in [
        (
            "String",
            "org.apache.kafka.connect.storage.StringConverter",
            Encoding::Raw,
        ),
        (
            "Json",
            "org.apache.kafka.connect.json.JsonConverter",
            Encoding::JsonEnvelope,
        ),
    ] {
        let ours_topic = format!("p1-ours-{label}");
        let base_topic = format!("p1-base-{label}");
        harness::create_topic(&broker, &ours_topic)?;
        harness::create_topic(&broker, &base_topic)?;
        let base = baseline_file_to_kafka(&broker.bootstrap, &input, &base_topic, encoding)?;
        let ours = worker_file_to_kafka(
            bin,
            &broker,
            dir.path(),
            &FileRun {
                input: &input,
                topic: &ours_topic,
                converter,
                lines,
                size,
            },
        )?;
        peak_streaming = peak_streaming.max(ours.peak_rss_kib);
        row(
            &mut out,
            &format!("P1 file → Kafka, {label}Converter, {lines} × {size} B"),
            &ours,
            &base,
        );
    }
    warm_up_groups(&broker.bootstrap, "p1-ours-String")?;
    let base = baseline_kafka_to_file(
        &broker.bootstrap,
        "p1-ours-String",
        &dir.path().join("base.out"),
        lines,
    )?;
    let ours = worker_kafka_to_file(
        bin,
        &broker,
        dir.path(),
        "p1-ours-String",
        &dir.path().join("ours.out"),
        lines,
        size,
    )?;
    row(
        &mut out,
        &format!("P2 Kafka → file, StringConverter, {lines} × {size} B, start to end"),
        &ours,
        &base,
    );
    if let (Some(o), Some(b), Some(of), Some(bf)) = (
        ours.data_phase(),
        base.data_phase(),
        ours.first_record_seconds,
        base.first_record_seconds,
    ) {
        let _ = writeln!(
            out,
            "| P2 fixed cost: start, group join, first record | {of:.2} s | {bf:.2} s | |"
        );
        row(&mut out, "P2 data phase: first record to last byte", &o, &b);
    }
    let (ready, idle) = footprint(bin, &broker, dir.path())?;
    let _ = writeln!(
        out,
        "| P4 idle RSS | {:.1} MB | target ≤ 15 MB | |",
        idle as f64 / 1024.0
    );
    let _ = writeln!(
        out,
        "| P4 RSS while P1 runs (peak) | {:.1} MB | target ≤ 64 MB | |",
        peak_streaming as f64 / 1024.0
    );
    let _ = writeln!(
        out,
        "| P4 start → first 200 from GET / | {} ms | target ≤ 100 ms | |",
        ready.as_millis()
    );
    if scaling {
        out.push_str(
            "\n| P1 scaling (StringConverter) | ours | baseline | ratio |\n|---|---|---|---|\n",
        );
        for (n, s) in [
            (100_000u64, 100usize),
            (1_000_000, 100),
            (5_000_000, 100),
            (1_000_000, 1_000),
            (100_000, 10_000),
        ] {
            let input = dir.path().join(format!("scale-{n}-{s}.txt"));
            write_input(&input, n, s)?;
            let ours_topic = format!("scale-ours-{n}-{s}");
            let base_topic = format!("scale-base-{n}-{s}");
            harness::create_topic(&broker, &ours_topic)?;
            harness::create_topic(&broker, &base_topic)?;
            let base =
                baseline_file_to_kafka(&broker.bootstrap, &input, &base_topic, Encoding::Raw)?;
            let ours = worker_file_to_kafka(
                bin,
                &broker,
                dir.path(),
                &FileRun {
                    input: &input,
                    topic: &ours_topic,
                    converter: "org.apache.kafka.connect.storage.StringConverter",
                    lines: n,
                    size: s,
                },
            )?;
            row(&mut out, &format!("{n} × {s} B"), &ours, &base);
            std::fs::remove_file(&input)?;
        }
    }
    Ok(out)
}
