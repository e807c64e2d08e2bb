//! A 3-transform chain (Cast → ReplaceField → InsertField, all `$Value`) over struct records,
//! the shape of a typical source connector configuration. Reports records per second.

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use connect_api::data::{
    Schema, SchemaBuilder, Struct, INT32_SCHEMA, OPTIONAL_STRING_SCHEMA, STRING_SCHEMA,
};
use connect_api::source::{SourceOffset, SourcePartition, SourceRecord};
use connect_api::transforms::Transformation;
use connect_transforms::cast::CastValue;
use connect_transforms::insert_field::InsertFieldValue;
use connect_transforms::replace_field::ReplaceFieldValue;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const BATCH: usize = 1000;

fn props(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn chain() -> Vec<Box<dyn Transformation<SourceRecord>>> {
    let mut cast = CastValue::default();
    let mut replace = ReplaceFieldValue::default();
    let mut insert = InsertFieldValue::default();
    Transformation::<SourceRecord>::configure(
        &mut cast,
        &props(&[("spec", "id:int64,amount:string")]),
    )
    .expect("cast config");
    Transformation::<SourceRecord>::configure(
        &mut replace,
        &props(&[("exclude", "secret"), ("renames", "name:customer")]),
    )
    .expect("replace config");
    Transformation::<SourceRecord>::configure(
        &mut insert,
        &props(&[("topic.field", "source_topic"), ("timestamp.field", "ts")]),
    )
    .expect("insert config");
    vec![Box::new(cast), Box::new(replace), Box::new(insert)]
}

fn records() -> Vec<SourceRecord> {
    let schema: Schema = SchemaBuilder::struct_()
        .name("com.example.Order")
        .field("id", INT32_SCHEMA.clone())
        .field("name", STRING_SCHEMA.clone())
        .field("amount", INT32_SCHEMA.clone())
        .field("secret", OPTIONAL_STRING_SCHEMA.clone())
        .build()
        .expect("schema");
    let partition = Arc::new(SourcePartition::new());
    (0..BATCH)
        .map(|i| {
            let mut s = Struct::new(schema.clone()).expect("struct");
            s.put("id", i as i32).expect("id");
            s.put("name", format!("customer-{i}")).expect("name");
            s.put("amount", (i * 7) as i32).expect("amount");
            s.put("secret", "hunter2").expect("secret");
            SourceRecord::new(
                partition.clone(),
                SourceOffset::new(),
                "orders",
                Some(schema.clone()),
                s,
            )
            .with_timestamp(1_700_000_000_000 + i as i64)
        })
        .collect()
}

fn run(chain: &mut [Box<dyn Transformation<SourceRecord>>], batch: Vec<SourceRecord>) -> usize {
    let mut kept = 0;
    'records: for mut record in batch {
        for t in chain.iter_mut() {
            match t.apply(record).expect("transform") {
                Some(r) => record = r,
                None => continue 'records,
            }
        }
        black_box(&record);
        kept += 1;
    }
    kept
}

fn bench(c: &mut Criterion) {
    let input = records();
    let mut xforms = chain();

    // A plain measurement first, so the figure is printed even with `--bench` quick runs.
    let rounds = 200;
    let start = Instant::now();
    for _ in 0..rounds {
        run(&mut xforms, input.clone());
    }
    let elapsed = start.elapsed();
    let per_sec = (rounds * BATCH) as f64 / elapsed.as_secs_f64();
    println!("cast+replace_field+insert_field chain: {per_sec:.0} records/s (including the clone of each input record)");

    let mut group = c.benchmark_group("chain");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("cast+replace_field+insert_field", |b| {
        b.iter_batched(
            || input.clone(),
            |batch| run(&mut xforms, batch),
            criterion::BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
