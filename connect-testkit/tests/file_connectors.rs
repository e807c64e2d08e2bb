//! The shipped file connectors pass the acceptance checks an outside author runs.

use std::io::Write;

use connect_api::prelude::*;
use connect_testkit::{SinkAcceptance, SourceAcceptance};

// Linked so that the file connectors are registered.
extern crate connect_file;

#[test]
fn the_file_source_passes_the_acceptance_checks() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("lines.txt");
    let mut file = std::fs::File::create(&path).expect("create the input");
    for i in 0..40 {
        writeln!(file, "line {i}").expect("write the input");
    }
    let props = Props::from([
        ("name".into(), "file-source".into()),
        ("tasks.max".into(), "1".into()),
        ("file".into(), path.display().to_string()),
        ("topic".into(), "lines".into()),
    ]);
    SourceAcceptance::for_plugin("FileStreamSource", props)
        .expect("FileStreamSource is registered")
        .run()
        .assert_passed();
}

#[test]
fn the_file_sink_passes_the_acceptance_checks() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("out.txt");
    let props = Props::from([
        ("name".into(), "file-sink".into()),
        ("tasks.max".into(), "1".into()),
        ("file".into(), path.display().to_string()),
        ("topics".into(), "lines".into()),
    ]);
    SinkAcceptance::for_plugin("FileStreamSink", props)
        .expect("FileStreamSink is registered")
        .persisted(move || {
            std::fs::read_to_string(&path)
                .unwrap_or_default()
                .lines()
                .map(str::to_owned)
                .collect()
        })
        .run()
        .assert_passed();
}
