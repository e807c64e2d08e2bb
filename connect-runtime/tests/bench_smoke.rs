//! A small run of every benchmark scenario against the worker built for these tests, so the
//! benchmark cannot rot. Numbers from a debug build mean nothing; `scripts/bench.sh` measures.

#[test]
fn benchmark_scenarios_still_run() {
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_connect-standalone"));
    let report = match connect_bench::run(bin, 5_000, 100, false) {
        Ok(r) => r,
        Err(e) => panic!("benchmark smoke run failed: {e:#}"),
    };
    for scenario in [
        "P1 file → Kafka, StringConverter",
        "P1 file → Kafka, JsonConverter",
        "P2 Kafka → file",
        "P4 idle RSS",
        "P4 start → first 200",
    ] {
        assert!(
            report.contains(scenario),
            "missing {scenario} in:\n{report}"
        );
    }
}
