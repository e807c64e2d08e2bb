//! Malformed input: every case returns an error (or, where Apache accepts it, a value), and
//! nothing panics — including arbitrary bytes, truncations and deep nesting.

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

use std::collections::HashMap;

use connect_api::data::*;
use connect_api::header::Headers;
use connect_api::storage::{Converter, HeaderConverter};
use connect_converters::*;
use proptest::prelude::*;

fn json(schemas: bool) -> JsonConverter {
    let mut c = JsonConverter::default();
    let map = HashMap::from([("schemas.enable".to_owned(), schemas.to_string())]);
    Converter::configure(&mut c, &map, false).unwrap();
    c
}

fn read(c: &JsonConverter, bytes: &[u8]) -> connect_api::errors::Result<SchemaAndValue> {
    c.to_connect_data("t", &Headers::new(), Some(bytes))
}

const PARSE: &str = "Converting byte[] to Kafka Connect data failed due to serialization error: ";

#[test]
fn truncated_json_fails() {
    let c = json(true);
    let valid = br#"{"schema":{"type":"struct","fields":[{"type":"string","optional":false,"field":"a"},{"type":"array","items":{"type":"int64","optional":false},"optional":false,"field":"b"}],"optional":false},"payload":{"a":"x\u00e9\"","b":[1,2,-3]}}"#;
    assert!(read(&c, valid).is_ok());
    for end in 1..valid.len() {
        let err = read(&c, &valid[..end]).unwrap_err();
        assert!(err.is_data(), "prefix {end}");
        assert_eq!(err.to_string(), PARSE, "prefix {end}");
    }
}

#[test]
fn wrong_envelopes_fail() {
    let c = json(true);
    for bad in [
        "{}",
        "null",
        "1",
        "\"x\"",
        "[]",
        r#"{"schema":null}"#,
        r#"{"payload":null}"#,
        r#"{"schema":null,"payload":1,"x":2}"#,
        r#"{"Schema":null,"payload":1}"#,
    ] {
        let err = read(&c, bad.as_bytes()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("JsonConverter with schemas.enable requires"),
            "{bad}"
        );
    }
}

#[test]
fn type_mismatches_fail() {
    let c = json(true);
    for bad in [
        r#"{"schema":{"type":"struct","fields":[]},"payload":[]}"#,
        r#"{"schema":{"type":"map","keys":{"type":"string"},"values":{"type":"int8"}},"payload":1}"#,
        r#"{"schema":{"type":"int32","name":"org.apache.kafka.connect.data.Date"},"payload":true}"#,
        r#"{"schema":{"type":"struct","fields":[{"field":"a","type":"string"}]},"payload":{"a":5}}"#,
        r#"{"schema":{"type":"bytes"},"payload":"*"}"#,
        r#"{"schema":"int32","payload":1}"#,
    ] {
        assert!(read(&c, bad.as_bytes()).is_err(), "{bad}");
    }
    let h = Headers::new();
    assert!(c
        .from_connect_data("t", &h, Some(&INT8_SCHEMA), &Value::from("x"))
        .is_err());
    assert!(c
        .from_connect_data("t", &h, Some(&Decimal::schema(2)), &Value::Int8(1))
        .is_err());
}

#[test]
fn huge_numbers_follow_jackson() {
    let c = json(true);
    let huge = "9".repeat(400);
    // Integral: low 64 bits for INT64, low bits for INT32.
    let v = read(
        &c,
        format!(r#"{{"schema":{{"type":"int64"}},"payload":{huge}}}"#).as_bytes(),
    )
    .unwrap()
    .value;
    assert!(matches!(v, Value::Int64(_)));
    // Beyond the double range: infinity, as Java's BigDecimal.doubleValue().
    let v = read(&c, br#"{"schema":{"type":"double"},"payload":1e400}"#)
        .unwrap()
        .value;
    assert_eq!(v, Value::Float64(f64::INFINITY));
    // Exact decimals of any (allowed) length.
    let text = format!("1.{}", "3".repeat(500));
    let v = read(
        &c,
        format!(r#"{{"schema":{{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{{"scale":"500"}}}},"payload":{text}}}"#).as_bytes(),
    )
    .unwrap()
    .value;
    assert_eq!(v.to_string(), text);
    // Jackson's limits: numbers over 1000 characters, exponents beyond the int range.
    let too_long = "1".repeat(1001);
    assert!(read(
        &c,
        format!(r#"{{"schema":null,"payload":{too_long}}}"#).as_bytes()
    )
    .is_err());
    assert!(read(&c, br#"{"schema":null,"payload":1e9999999999}"#).is_err());
    // Huge exponents within range do not hang.
    let v = read(&c, br#"{"schema":{"type":"int64"},"payload":1e2000000000}"#)
        .unwrap()
        .value;
    assert_eq!(v, Value::Int64(0));
}

#[test]
fn invalid_base64_fails() {
    let c = json(true);
    for bad in ["AJw", "AJ w=", "AJw-", "A", "====", "AJw=="] {
        let doc = format!(r#"{{"schema":{{"type":"bytes"}},"payload":"{bad}"}}"#);
        let err = read(&c, doc.as_bytes()).unwrap_err();
        assert_eq!(err.to_string(), "Invalid bytes field", "{bad}");
    }
}

#[test]
fn deep_nesting_is_bounded_schemaless() {
    let plain = json(false);
    let ok = "[".repeat(1000) + &"]".repeat(1000);
    assert!(read(&plain, ok.as_bytes()).is_ok());
    let too_deep = "[".repeat(1001) + &"]".repeat(1001);
    assert_eq!(
        read(&plain, too_deep.as_bytes()).unwrap_err().to_string(),
        PARSE
    );
    let very_deep = "[".repeat(1_000_000);
    assert!(read(&plain, very_deep.as_bytes()).is_err());
    let objects = "{\"a\":".repeat(100_000);
    assert!(read(&plain, objects.as_bytes()).is_err());
}

fn deep_document(depth: usize) -> String {
    let schema =
        "{\"type\":\"array\",\"items\":".repeat(depth) + "{\"type\":\"int8\"}" + &"}".repeat(depth);
    let payload = "[".repeat(depth) + "1" + &"]".repeat(depth);
    format!("{{\"schema\":{schema},\"payload\":{payload}}}")
}

/// Runs `f` on a thread with the default 2 MiB stack in release builds (what the checks below
/// prove is enough); unoptimised builds use much larger frames and get 32 MiB.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    let size = if cfg!(debug_assertions) {
        32 << 20
    } else {
        2 << 20
    };
    std::thread::Builder::new()
        .stack_size(size)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn deep_nesting_is_bounded_with_schema() {
    on_small_stack(deep_schema_round_trip);
}

fn deep_schema_round_trip() {
    let depth = 990;
    let c = json(true);
    let back = read(&c, deep_document(depth).as_bytes()).unwrap();
    let h = Headers::new();
    let again = c
        .from_connect_data("t", &h, back.schema.as_ref(), &back.value)
        .unwrap()
        .unwrap();
    assert_eq!(read(&c, &again).unwrap(), back);
}

#[test]
fn deep_values_are_refused_not_overflowed() {
    on_small_stack(deep_value_refused);
}

fn deep_value_refused() {
    let c = json(true);
    let h = Headers::new();
    let mut v = Value::Int8(1);
    for _ in 0..100_000 {
        v = Value::Array(vec![v]);
    }
    assert!(c.from_connect_data("t", &h, None, &v).is_err());
    // Drop the deep value iteratively.
    let mut v = v;
    while let Value::Array(mut items) = v {
        v = items.pop().unwrap_or(Value::Null);
    }
}

#[test]
fn header_converter_survives_garbage() {
    let c = SimpleHeaderConverter;
    for bad in [
        &b"\xff\xfe"[..],
        b"[",
        b"{",
        b"[1,",
        b"{\"a\":",
        b"\"",
        b"[[[[[",
        b"]",
    ] {
        assert!(c.to_connect_header("t", "k", Some(bad)).is_ok());
    }
}

fn run_all(bytes: &[u8]) {
    let h = Headers::new();
    for c in [json(true), json(false)] {
        let _ = c.to_connect_data("t", &h, Some(bytes));
        let _ = c.to_connect_header("t", "k", Some(bytes));
    }
    let converters: Vec<Box<dyn Converter>> = vec![
        Box::new(StringConverter::default()),
        Box::new(ByteArrayConverter),
        Box::new(ShortConverter),
        Box::new(IntegerConverter),
        Box::new(LongConverter),
        Box::new(FloatConverter),
        Box::new(DoubleConverter),
        Box::new(BooleanConverter),
    ];
    for c in converters {
        let _ = c.to_connect_data("t", &h, Some(bytes));
    }
    let _ = SimpleHeaderConverter.to_connect_header("t", "k", Some(bytes));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        run_all(&bytes);
    }

    #[test]
    fn json_like_text_never_panics(text in r#"[\[\]{}":,0-9a-z\\. eE+\-]{0,64}"#) {
        run_all(text.as_bytes());
        let doc = format!(r#"{{"schema":{text},"payload":{text}}}"#);
        run_all(doc.as_bytes());
        for ty in ["int8", "double", "bytes", "string", "boolean"] {
            let doc = format!(r#"{{"schema":{{"type":"{ty}"}},"payload":{text}}}"#);
            run_all(doc.as_bytes());
        }
    }

    #[test]
    fn mutated_envelopes_never_panic(pos in 0usize..200, byte in any::<u8>()) {
        let mut doc = br#"{"schema":{"type":"struct","fields":[{"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"},"field":"d"},{"type":"map","keys":{"type":"int32","optional":false},"values":{"type":"string","optional":true},"optional":false,"field":"m"}],"optional":false},"payload":{"d":"AJw=","m":[[1,"a"],[2,null]]}}"#.to_vec();
        let i = pos % doc.len();
        doc[i] = byte;
        run_all(&doc);
        doc.truncate(i);
        run_all(&doc);
    }
}
