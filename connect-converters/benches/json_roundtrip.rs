//! JsonConverter round trip (bytes → Connect data → bytes) for a struct of 10 fields, with and
//! without schemas, against plain `serde_json` parse + serialize of the same bytes, measured in
//! the same run. Prints `ratio vs serde_json` (our throughput / serde_json's; target ≥ 0.7).

use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use connect_api::data::*;
use connect_api::header::Headers;
use connect_api::storage::Converter;
use connect_converters::JsonConverter;
use criterion::{criterion_group, Criterion, Throughput};

fn converter(schemas: bool) -> JsonConverter {
    let mut c = JsonConverter::default();
    let cfg = HashMap::from([("schemas.enable".to_owned(), schemas.to_string())]);
    Converter::configure(&mut c, &cfg, false).expect("configure");
    c
}

fn record() -> (Schema, Value) {
    let schema = SchemaBuilder::struct_()
        .name("com.example.Order")
        .field("id", INT64_SCHEMA.clone())
        .field("customer", STRING_SCHEMA.clone())
        .field("email", OPTIONAL_STRING_SCHEMA.clone())
        .field("quantity", INT32_SCHEMA.clone())
        .field("price", FLOAT64_SCHEMA.clone())
        .field("paid", BOOLEAN_SCHEMA.clone())
        .field("note", OPTIONAL_STRING_SCHEMA.clone())
        .field("created", INT64_SCHEMA.clone())
        .field(
            "tags",
            SchemaBuilder::array(STRING_SCHEMA.clone())
                .build()
                .expect("schema"),
        )
        .field("score", FLOAT32_SCHEMA.clone())
        .build()
        .expect("schema");
    let mut s = Struct::new(schema.clone()).expect("struct");
    s.put("id", 1_234_567_890_123i64).expect("put");
    s.put("customer", "Jane Q. Public").expect("put");
    s.put("email", "jane@example.com").expect("put");
    s.put("quantity", 3).expect("put");
    s.put("price", 19.99f64).expect("put");
    s.put("paid", true).expect("put");
    s.put("note", "leave at the door, \"please\"").expect("put");
    s.put("created", 1_700_000_000_000i64).expect("put");
    s.put("tags", vec![Value::from("gift"), Value::from("express")])
        .expect("put");
    s.put("score", 4.5f32).expect("put");
    (schema, Value::Struct(s))
}

fn ours(c: &JsonConverter, bytes: &[u8], out: &mut Vec<u8>) {
    let h = Headers::new();
    let sv = c.to_connect_data("t", &h, Some(bytes)).expect("read");
    c.from_connect_data_into("t", &h, sv.schema.as_ref(), &sv.value, out)
        .expect("write");
}

fn serde(bytes: &[u8], out: &mut Vec<u8>) {
    let v: serde_json::Value = serde_json::from_slice(bytes).expect("parse");
    out.clear();
    serde_json::to_writer(&mut *out, &v).expect("serialize");
}

fn bytes_for(schemas: bool) -> (JsonConverter, Vec<u8>) {
    let c = converter(schemas);
    let (schema, value) = record();
    let bytes = c
        .from_connect_data("t", &Headers::new(), Some(&schema), &value)
        .expect("write")
        .expect("bytes");
    (c, bytes)
}

/// Round trips per second of `f`, best of several timed batches.
fn rate(mut f: impl FnMut()) -> f64 {
    for _ in 0..10_000 {
        f();
    }
    let mut best = 0.0f64;
    for _ in 0..7 {
        let n = 50_000;
        let start = Instant::now();
        for _ in 0..n {
            f();
        }
        best = best.max(n as f64 / start.elapsed().as_secs_f64());
    }
    best
}

fn print_ratios() {
    for schemas in [true, false] {
        let (c, bytes) = bytes_for(schemas);
        let mut out = Vec::with_capacity(1024);
        let ours_rate = rate(|| ours(&c, black_box(&bytes), &mut out));
        let serde_rate = rate(|| serde(black_box(&bytes), &mut out));
        println!(
            "json_roundtrip schemas.enable={schemas} ({} bytes): JsonConverter {:.0} rec/s, serde_json {:.0} rec/s, ratio vs serde_json {:.2}",
            bytes.len(),
            ours_rate,
            serde_rate,
            ours_rate / serde_rate
        );
    }
}

fn bench(c: &mut Criterion) {
    for schemas in [true, false] {
        let (conv, bytes) = bytes_for(schemas);
        let mut group = c.benchmark_group(format!("json_roundtrip/schemas_{schemas}"));
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        let mut out = Vec::with_capacity(1024);
        group.bench_function("JsonConverter", |b| {
            b.iter(|| ours(&conv, black_box(&bytes), &mut out))
        });
        group.bench_function("serde_json", |b| {
            b.iter(|| serde(black_box(&bytes), &mut out))
        });
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = bench
}

fn main() {
    print_ratios();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
