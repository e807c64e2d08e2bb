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

/// P2 from `run.topic`: the worker's FileStreamSink against a bare consumer, start to end,
/// then by phase.
fn p2(
    out: &mut String,
    bin: &Path,
    broker: &harness::Broker,
    dir: &Path,
    run: &SinkRun<'_>,
) -> anyhow::Result<()> {
    let SinkRun {
        topic,
        lines,
        size,
        tasks,
    } = *run;
    let base = baseline_kafka_to_file(
        &broker.bootstrap,
        topic,
        &dir.join(format!("base-{topic}.out")),
        lines,
    )?;
    let ours = worker_kafka_to_file(
        bin,
        broker,
        dir,
        &dir.join(format!("ours-{topic}.out")),
        run,
    )?;
    let shape = if tasks > 1 {
        format!("{tasks} partitions, tasks.max={tasks}, ")
    } else {
        String::new()
    };
    row(
        out,
        &format!("P2 Kafka → file, {shape}StringConverter, {lines} × {size} B, start to end"),
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
            "| P2 {shape}fixed cost: start, group join, first record | {of:.2} s | {bf:.2} s | |"
        );
        row(
            out,
            &format!("P2 {shape}data phase: first record to last byte"),
            &o,
            &b,
        );
    }
    Ok(())
}

/// P1 once each way: the worker into `<name>-ours`, the baseline into `<name>-base`, both
/// topics of `partitions` partitions. Returns (ours, baseline).
fn p1_pair(
    bin: &Path,
    broker: &harness::Broker,
    dir: &Path,
    run: &FileRun<'_>,
    encoding: Encoding,
    partitions: i32,
) -> anyhow::Result<(Measurement, Measurement)> {
    let ours_topic = format!("{}-ours", run.topic);
    let base_topic = format!("{}-base", run.topic);
    harness::create_topic_with_partitions(broker, &ours_topic, partitions)?;
    harness::create_topic_with_partitions(broker, &base_topic, partitions)?;
    let base = baseline_file_to_kafka(&broker.bootstrap, run.input, &base_topic, encoding)?;
    let ours = worker_file_to_kafka(
        bin,
        broker,
        dir,
        &FileRun {
            topic: &ours_topic,
            ..*run
        },
    )?;
    Ok((ours, base))
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
        let (ours, base) = p1_pair(
            bin,
            &broker,
            dir.path(),
            &FileRun {
                input: &input,
                topic: &format!("p1-{label}"),
                converter,
                lines,
                size,
            },
            encoding,
            1,
        )?;
        peak_streaming = peak_streaming.max(ours.peak_rss_kib);
        row(
            &mut out,
            &format!("P1 file → Kafka, {label}Converter, {lines} × {size} B"),
            &ours,
            &base,
        );
    }
    warm_up_groups(&broker.bootstrap, "p1-String-ours")?;
    p2(
        &mut out,
        bin,
        &broker,
        dir.path(),
        &SinkRun {
            topic: "p1-String-ours",
            lines,
            size,
            tasks: 1,
        },
    )?;
    if broker.kind == connect_testbed::BrokerKind::Apache {
        // Partitions need Apache's broker. One source task (FileStreamSource has one) into
        // four partitions, then four sink tasks against one bare consumer of all four.
        let (ours, base) = p1_pair(
            bin,
            &broker,
            dir.path(),
            &FileRun {
                input: &input,
                topic: "p1x4",
                converter: "org.apache.kafka.connect.storage.StringConverter",
                lines,
                size,
            },
            Encoding::Raw,
            4,
        )?;
        peak_streaming = peak_streaming.max(ours.peak_rss_kib);
        row(
            &mut out,
            &format!("P1 file → Kafka, 4 partitions, StringConverter, {lines} × {size} B"),
            &ours,
            &base,
        );
        p2(
            &mut out,
            bin,
            &broker,
            dir.path(),
            &SinkRun {
                topic: "p1x4-ours",
                lines,
                size,
                tasks: 4,
            },
        )?;
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
        let mut rss = Vec::new();
        for (n, s) in [
            (100_000u64, 100usize),
            (1_000_000, 100),
            (5_000_000, 100),
            (1_000_000, 1_000),
            (100_000, 10_000),
        ] {
            let input = dir.path().join(format!("scale-{n}-{s}.txt"));
            write_input(&input, n, s)?;
            let (ours, base) = p1_pair(
                bin,
                &broker,
                dir.path(),
                &FileRun {
                    input: &input,
                    topic: &format!("scale-{n}-{s}"),
                    converter: "org.apache.kafka.connect.storage.StringConverter",
                    lines: n,
                    size: s,
                },
                Encoding::Raw,
                1,
            )?;
            row(&mut out, &format!("{n} × {s} B"), &ours, &base);
            rss.push((n, s, ours.peak_rss_kib));
            std::fs::remove_file(&input)?;
        }
        out.push_str("\n| P4 RSS while P1 runs (peak) | ours | target | |\n|---|---|---|---|\n");
        for (n, s, kib) in rss {
            let _ = writeln!(
                out,
                "| {n} × {s} B | {:.1} MB | ≤ 64 MB | |",
                kib as f64 / 1024.0
            );
        }
    }
    Ok(out)
}
