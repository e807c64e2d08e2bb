//! The vectors of reference/converters.md §1 (from Apache's `JsonConverterTest`, plus the
//! derived ones), byte-exact where the reference gives bytes.

use std::collections::HashMap;
use std::error::Error as _;
use std::str::FromStr;

use connect_api::data::*;
use connect_api::header::Headers;
use connect_api::storage::{Converter, HeaderConverter};

use super::*;

fn converter(entries: &[(&str, &str)]) -> JsonConverter {
    let mut c = JsonConverter::default();
    let map: HashMap<String, String> = entries
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Converter::configure(&mut c, &map, false).unwrap();
    c
}

fn to_json(c: &JsonConverter, schema: Option<&Schema>, value: impl Into<Value>) -> String {
    let bytes = c
        .from_connect_data("topic", &Headers::new(), schema, &value.into())
        .unwrap()
        .expect("not a tombstone");
    String::from_utf8(bytes).unwrap()
}

fn to_json_err(c: &JsonConverter, schema: Option<&Schema>, value: impl Into<Value>) -> String {
    c.from_connect_data("topic", &Headers::new(), schema, &value.into())
        .unwrap_err()
        .to_string()
}

fn read(c: &JsonConverter, json: &str) -> SchemaAndValue {
    c.to_connect_data("topic", &Headers::new(), Some(json.as_bytes()))
        .unwrap()
}

fn read_err(c: &JsonConverter, json: &str) -> String {
    c.to_connect_data("topic", &Headers::new(), Some(json.as_bytes()))
        .unwrap_err()
        .to_string()
}

fn dec(s: &str) -> BigDecimal {
    BigDecimal::from_str(s).unwrap()
}

fn sv(schema: Schema, value: impl Into<Value>) -> SchemaAndValue {
    SchemaAndValue::new(Some(schema), value.into())
}

// ---- toConnectData (T vectors) ----

#[test]
fn t1_to_t4_booleans() {
    let c = converter(&[]);
    assert_eq!(
        read(
            &c,
            r#"{ "schema": { "type": "boolean" }, "payload": true }"#
        ),
        sv(BOOLEAN_SCHEMA.clone(), true)
    );
    assert_eq!(
        read(&c, r#"{"schema":{"type":"boolean"},"payload":false}"#),
        sv(BOOLEAN_SCHEMA.clone(), false)
    );
    assert_eq!(
        read(
            &c,
            r#"{"schema":{"type":"boolean","optional":true},"payload":null}"#
        ),
        sv(OPTIONAL_BOOLEAN_SCHEMA.clone(), Value::Null)
    );
    let with_default = SchemaBuilder::boolean()
        .default_value(true)
        .build()
        .unwrap();
    assert_eq!(
        read(
            &c,
            r#"{"schema":{"type":"boolean","default":true},"payload":null}"#
        ),
        sv(with_default, true)
    );
    let full = SchemaBuilder::boolean()
        .required()
        .name("bool")
        .version(2)
        .doc("the documentation")
        .parameter("foo", "bar")
        .build()
        .unwrap();
    assert_eq!(
        read(
            &c,
            r#"{"schema":{"type":"boolean","optional":false,"name":"bool","version":2,"doc":"the documentation","parameters":{"foo":"bar"}},"payload":true}"#
        ),
        sv(full, true)
    );
}

#[test]
fn t5_to_t7_integers() {
    let c = converter(&[]);
    assert_eq!(
        read(&c, r#"{"schema":{"type":"int8"},"payload":12}"#),
        sv(INT8_SCHEMA.clone(), 12i8)
    );
    assert_eq!(
        read(&c, r#"{"schema":{"type":"int16"},"payload":12}"#),
        sv(INT16_SCHEMA.clone(), 12i16)
    );
    assert_eq!(
        read(&c, r#"{"schema":{"type":"int32"},"payload":12}"#),
        sv(INT32_SCHEMA.clone(), 12i32)
    );
    assert_eq!(
        read(&c, r#"{"schema":{"type":"int64"},"payload":12}"#),
        sv(INT64_SCHEMA.clone(), 12i64)
    );
    assert_eq!(
        read(&c, r#"{"schema":{"type":"int64"},"payload":4398046511104}"#),
        sv(INT64_SCHEMA.clone(), 4398046511104i64)
    );
    assert_eq!(
        read(&c, r#"{"schema":{"type":"int8"},"payload":0012}"#).value,
        Value::Int8(12)
    );
    assert_eq!(
        read(&c, r#"{"schema":{"type":"int16"},"payload":000123}"#).value,
        Value::Int16(123)
    );
    assert_eq!(
        read(&c, r#"{"schema":{"type":"int32"},"payload":000012345}"#).value,
        Value::Int32(12345)
    );
    assert_eq!(
        read(
            &c,
            r#"{"schema":{"type":"int64"},"payload":00000123456789}"#
        )
        .value,
        Value::Int64(123456789)
    );
}

#[test]
fn t8_to_t11_floats_bytes_strings() {
    let c = converter(&[]);
    assert_eq!(
        read(&c, r#"{"schema":{"type":"float"},"payload":12.34}"#),
        sv(FLOAT32_SCHEMA.clone(), 12.34f32)
    );
    assert_eq!(
        read(&c, r#"{"schema":{"type":"double"},"payload":12.34}"#),
        sv(FLOAT64_SCHEMA.clone(), 12.34f64)
    );
    assert_eq!(
        read(
            &c,
            r#"{"schema":{"type":"bytes"},"payload":"dGVzdC1zdHJpbmc="}"#
        ),
        sv(BYTES_SCHEMA.clone(), b"test-string".to_vec())
    );
    let json = r#"{"schema":{"type":"string"},"payload":"foo-bar-baz"}"#;
    assert_eq!(read(&c, json), sv(STRING_SCHEMA.clone(), "foo-bar-baz"));
    assert_eq!(
        c.to_connect_header("topic", "header", Some(json.as_bytes()))
            .unwrap(),
        sv(STRING_SCHEMA.clone(), "foo-bar-baz")
    );
}

#[test]
fn t12_to_t16_containers() {
    let c = converter(&[]);
    let array = SchemaBuilder::array(INT32_SCHEMA.clone()).build().unwrap();
    assert_eq!(
        read(
            &c,
            r#"{"schema":{"type":"array","items":{"type":"int32"}},"payload":[1,2,3]}"#
        ),
        sv(
            array,
            vec![Value::Int32(1), Value::Int32(2), Value::Int32(3)]
        )
    );
    let map = SchemaBuilder::map(STRING_SCHEMA.clone(), INT32_SCHEMA.clone())
        .build()
        .unwrap();
    assert_eq!(
        read(
            &c,
            r#"{"schema":{"type":"map","keys":{"type":"string"},"values":{"type":"int32"}},"payload":{"key1":12,"key2":15}}"#
        ),
        sv(
            map,
            Value::Map(vec![
                ("key1".into(), 12i32.into()),
                ("key2".into(), 15i32.into())
            ])
        )
    );
    let int_map = SchemaBuilder::map(INT32_SCHEMA.clone(), INT32_SCHEMA.clone())
        .build()
        .unwrap();
    assert_eq!(
        read(
            &c,
            r#"{"schema":{"type":"map","keys":{"type":"int32"},"values":{"type":"int32"}},"payload":[[1,12],[2,15]]}"#
        ),
        sv(
            int_map,
            Value::Map(vec![
                (1i32.into(), 12i32.into()),
                (2i32.into(), 15i32.into())
            ])
        )
    );
    let schema = SchemaBuilder::struct_()
        .field("field1", BOOLEAN_SCHEMA.clone())
        .field("field2", STRING_SCHEMA.clone())
        .build()
        .unwrap();
    let mut expected = Struct::new(schema.clone()).unwrap();
    expected
        .put("field1", true)
        .unwrap()
        .put("field2", "string")
        .unwrap();
    let got = read(
        &c,
        r#"{"schema":{"type":"struct","fields":[{"field":"field1","type":"boolean"},{"field":"field2","type":"string"}]},"payload":{"field1":true,"field2":"string"}}"#,
    );
    assert_eq!(got, sv(schema, expected));
    assert_eq!(got.value.to_string(), "Struct{field1=true,field2=string}");

    let schema = SchemaBuilder::struct_()
        .field("optional", OPTIONAL_STRING_SCHEMA.clone())
        .field("required", STRING_SCHEMA.clone())
        .build()
        .unwrap();
    let mut expected = Struct::new(schema.clone()).unwrap();
    expected.put("required", "required").unwrap();
    assert_eq!(
        read(
            &c,
            r#"{"schema":{"type":"struct","fields":[{"field":"optional","type":"string","optional":true},{"field":"required","type":"string"}]},"payload":{"required":"required"}}"#
        ),
        sv(schema, expected)
    );
}

#[test]
fn t17_to_t23_nulls_and_schemaless() {
    let c = converter(&[]);
    assert_eq!(
        c.to_connect_data("t", &Headers::new(), None).unwrap(),
        SchemaAndValue::NULL
    );
    let plain = converter(&[("schemas.enable", "false")]);
    assert_eq!(
        plain
            .to_connect_data("t", &Headers::new(), Some(b""))
            .unwrap(),
        SchemaAndValue::NULL
    );
    assert_eq!(
        read(&plain, r#"{ "a": "", "b": null }"#),
        SchemaAndValue::new(
            None,
            Value::Map(vec![("a".into(), "".into()), ("b".into(), Value::Null)])
        )
    );
    assert_eq!(
        read(&c, r#"{"schema":null,"payload":null}"#),
        SchemaAndValue::NULL
    );
    assert_eq!(
        read(&c, r#"{ "schema": null, "payload": true }"#),
        SchemaAndValue::new(None, true.into())
    );
    assert_eq!(
        read(&c, r#"{"schema":null,"payload":12}"#),
        SchemaAndValue::new(None, 12i64.into())
    );
    assert_eq!(
        read(&c, r#"{"schema":null,"payload":12.24}"#),
        SchemaAndValue::new(None, 12.24f64.into())
    );
    assert_eq!(
        read(&c, r#"{"schema":null,"payload":"a string"}"#),
        SchemaAndValue::new(None, "a string".into())
    );
    assert_eq!(
        read(&c, r#"{"schema":null,"payload":[1,"2",3]}"#),
        SchemaAndValue::new(
            None,
            Value::Array(vec![1i64.into(), "2".into(), 3i64.into()])
        )
    );
    assert_eq!(
        read(&c, r#"{"schema":null,"payload":{"field1":1,"field2":2}}"#),
        SchemaAndValue::new(
            None,
            Value::Map(vec![
                ("field1".into(), 1i64.into()),
                ("field2".into(), 2i64.into())
            ])
        )
    );
    // Exponents make doubles; objects never become structs.
    assert_eq!(read(&plain, "1e2").value, Value::Float64(100.0));
}

#[test]
fn t24_to_t29_decimals() {
    let c = converter(&[]);
    let schema_json = r#"{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}}"#;
    assert_eq!(
        read(
            &c,
            &format!(r#"{{"schema":{schema_json},"payload":"AJw="}}"#)
        ),
        sv(Decimal::schema(2), dec("1.56"))
    );
    let optional = r#"{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","version":1,"optional":true,"parameters":{"scale":"2"}}"#;
    assert_eq!(
        read(&c, &format!(r#"{{"schema":{optional},"payload":null}}"#)),
        sv(Decimal::builder(2).optional().build().unwrap(), Value::Null)
    );
    for opt in ["false", "true"] {
        let with_default = format!(
            r#"{{"schema":{{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","version":1,"optional":{opt},"default":"AJw=","parameters":{{"scale":"2"}}}},"payload":null}}"#
        );
        let got = read(&c, &with_default);
        assert_eq!(got.value, Value::Decimal(dec("1.56")));
        assert_eq!(
            got.schema.unwrap().default_value(),
            Some(&Value::Decimal(dec("1.56")))
        );
    }
    assert_eq!(
        read(&c, &format!(r#"{{"schema":{schema_json},"payload":1.56}}"#)),
        sv(Decimal::schema(2), dec("1.56"))
    );
    let scale4 = r#"{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"4"}}"#;
    let got = read(&c, &format!(r#"{{"schema":{scale4},"payload":1.5600}}"#));
    assert_eq!(got.schema, Some(Decimal::schema(4)));
    match got.value {
        Value::Decimal(d) => assert_eq!(d.as_bigint_and_exponent(), (15600.into(), 4)),
        other => panic!("{other:?}"),
    }
    let scale17 = r#"{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"17"}}"#;
    let got = read(
        &c,
        &format!(r#"{{"schema":{scale17},"payload":1.23456789123456789}}"#),
    );
    assert_eq!(got.value, Value::Decimal(dec("1.23456789123456789")));
    // Numbers keep their own scale; they are not rescaled to the schema's.
    let got = read(&c, &format!(r#"{{"schema":{schema_json},"payload":1.5}}"#));
    match got.value {
        Value::Decimal(d) => assert_eq!(d.as_bigint_and_exponent(), (15.into(), 1)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn t30_to_t35_dates_and_plain() {
    let c = converter(&[]);
    let got = read(
        &c,
        r#"{"schema":{"type":"int32","name":"org.apache.kafka.connect.data.Date","version":1},"payload":10000}"#,
    );
    assert_eq!(
        got,
        sv(Date::schema(), Value::Timestamp(10_000 * 86_400_000))
    );
    for opt in ["false", "true"] {
        let got = read(
            &c,
            &format!(
                r#"{{"schema":{{"type":"int32","name":"org.apache.kafka.connect.data.Date","version":1,"optional":{opt},"default":0}},"payload":null}}"#
            ),
        );
        assert_eq!(got.value, Value::Timestamp(0));
        assert_eq!(
            got.schema.unwrap().default_value(),
            Some(&Value::Timestamp(0))
        );
    }
    let got = read(
        &c,
        r#"{"schema":{"type":"int32","name":"org.apache.kafka.connect.data.Time","version":1},"payload":14400000}"#,
    );
    assert_eq!(got, sv(Time::schema(), Value::Timestamp(14_400_000)));
    let got = read(
        &c,
        r#"{"schema":{"type":"int64","name":"org.apache.kafka.connect.data.Timestamp","version":1},"payload":4000000000}"#,
    );
    assert_eq!(
        got,
        sv(Timestamp::schema(), Value::Timestamp(4_000_000_000))
    );
    let got = read(
        &c,
        r#"{"schema":{"type":"int64","name":"org.apache.kafka.connect.data.Timestamp","version":1,"default":42},"payload":null}"#,
    );
    assert_eq!(got.value, Value::Timestamp(42));
    assert_eq!(
        got.schema.unwrap().default_value(),
        Some(&Value::Timestamp(42))
    );
    let plain = converter(&[("schemas.enable", "false")]);
    assert_eq!(read(&plain, "true"), SchemaAndValue::new(None, true.into()));
}

// ---- fromConnectData (F vectors) ----

#[test]
fn f1_to_f10_primitives() {
    let c = converter(&[]);
    assert_eq!(
        to_json(&c, Some(&BOOLEAN_SCHEMA), true),
        r#"{"schema":{"type":"boolean","optional":false},"payload":true}"#
    );
    let full = SchemaBuilder::boolean()
        .required()
        .name("bool")
        .version(3)
        .doc("the documentation")
        .parameter("foo", "bar")
        .build()
        .unwrap();
    assert_eq!(
        to_json(&c, Some(&full), true),
        r#"{"schema":{"type":"boolean","optional":false,"name":"bool","version":3,"doc":"the documentation","parameters":{"foo":"bar"}},"payload":true}"#
    );
    assert_eq!(
        to_json(&c, Some(&INT8_SCHEMA), 12i8),
        r#"{"schema":{"type":"int8","optional":false},"payload":12}"#
    );
    assert_eq!(
        to_json(&c, Some(&INT16_SCHEMA), 12i16),
        r#"{"schema":{"type":"int16","optional":false},"payload":12}"#
    );
    assert_eq!(
        to_json(&c, Some(&INT32_SCHEMA), 12i32),
        r#"{"schema":{"type":"int32","optional":false},"payload":12}"#
    );
    assert_eq!(
        to_json(&c, Some(&INT64_SCHEMA), 4398046511104i64),
        r#"{"schema":{"type":"int64","optional":false},"payload":4398046511104}"#
    );
    assert_eq!(
        to_json(&c, Some(&FLOAT32_SCHEMA), 12.34f32),
        r#"{"schema":{"type":"float","optional":false},"payload":12.34}"#
    );
    assert_eq!(
        to_json(&c, Some(&FLOAT64_SCHEMA), 12.34f64),
        r#"{"schema":{"type":"double","optional":false},"payload":12.34}"#
    );
    assert_eq!(
        to_json(&c, Some(&BYTES_SCHEMA), b"test-string".to_vec()),
        r#"{"schema":{"type":"bytes","optional":false},"payload":"dGVzdC1zdHJpbmc="}"#
    );
    let expected = r#"{"schema":{"type":"string","optional":false},"payload":"test-string"}"#;
    assert_eq!(to_json(&c, Some(&STRING_SCHEMA), "test-string"), expected);
    let header = c
        .from_connect_header("t", "h", Some(&STRING_SCHEMA), &"test-string".into())
        .unwrap()
        .unwrap();
    assert_eq!(header, expected.as_bytes());
}

#[test]
fn f11_to_f14_containers() {
    let c = converter(&[]);
    let array = SchemaBuilder::array(INT32_SCHEMA.clone()).build().unwrap();
    assert_eq!(
        to_json(
            &c,
            Some(&array),
            vec![Value::Int32(1), Value::Int32(2), Value::Int32(3)]
        ),
        r#"{"schema":{"type":"array","items":{"type":"int32","optional":false},"optional":false},"payload":[1,2,3]}"#
    );
    let map = SchemaBuilder::map(STRING_SCHEMA.clone(), INT32_SCHEMA.clone())
        .build()
        .unwrap();
    assert_eq!(
        to_json(
            &c,
            Some(&map),
            Value::Map(vec![
                ("key1".into(), 12i32.into()),
                ("key2".into(), 15i32.into())
            ])
        ),
        r#"{"schema":{"type":"map","keys":{"type":"string","optional":false},"values":{"type":"int32","optional":false},"optional":false},"payload":{"key1":12,"key2":15}}"#
    );
    let int_map = SchemaBuilder::map(INT32_SCHEMA.clone(), INT32_SCHEMA.clone())
        .build()
        .unwrap();
    assert_eq!(
        to_json(
            &c,
            Some(&int_map),
            Value::Map(vec![
                (1i32.into(), 12i32.into()),
                (2i32.into(), 15i32.into())
            ])
        ),
        r#"{"schema":{"type":"map","keys":{"type":"int32","optional":false},"values":{"type":"int32","optional":false},"optional":false},"payload":[[1,12],[2,15]]}"#
    );
    let schema = SchemaBuilder::struct_()
        .field("field1", BOOLEAN_SCHEMA.clone())
        .field("field2", STRING_SCHEMA.clone())
        .field("field3", STRING_SCHEMA.clone())
        .field("field4", BOOLEAN_SCHEMA.clone())
        .build()
        .unwrap();
    let mut s = Struct::new(schema.clone()).unwrap();
    s.put("field1", true).unwrap();
    s.put("field2", "string2").unwrap();
    s.put("field3", "string3").unwrap();
    s.put("field4", false).unwrap();
    assert_eq!(
        to_json(&c, Some(&schema), s),
        r#"{"schema":{"type":"struct","fields":[{"type":"boolean","optional":false,"field":"field1"},{"type":"string","optional":false,"field":"field2"},{"type":"string","optional":false,"field":"field3"},{"type":"boolean","optional":false,"field":"field4"}],"optional":false},"payload":{"field1":true,"field2":"string2","field3":"string3","field4":false}}"#
    );
}

#[test]
fn f15_to_f21_logical() {
    let base64 = converter(&[]);
    let numeric = converter(&[("decimal.format", "NUMERIC")]);
    let d2 = r#"{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}}"#;
    assert_eq!(
        to_json(&base64, Some(&Decimal::schema(2)), dec("1.56")),
        format!(r#"{{"schema":{d2},"payload":"AJw="}}"#)
    );
    assert_eq!(
        to_json(&numeric, Some(&Decimal::schema(2)), dec("1.56")),
        format!(r#"{{"schema":{d2},"payload":1.56}}"#)
    );
    assert_eq!(
        to_json(&numeric, Some(&Decimal::schema(4)), dec("1.5600")),
        r#"{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"4"}},"payload":1.5600}"#
    );
    assert_eq!(
        to_json_err(&base64, None, dec("1.56")),
        "Java class class java.math.BigDecimal does not have corresponding schema type."
    );
    assert_eq!(
        to_json(
            &base64,
            Some(&Date::schema()),
            Value::Timestamp(10_000 * 86_400_000)
        ),
        r#"{"schema":{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Date","version":1},"payload":10000}"#
    );
    assert_eq!(
        to_json(&base64, Some(&Time::schema()), Value::Timestamp(14_400_000)),
        r#"{"schema":{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Time","version":1},"payload":14400000}"#
    );
    assert_eq!(
        to_json(
            &base64,
            Some(&Timestamp::schema()),
            Value::Timestamp(4_000_000_000)
        ),
        r#"{"schema":{"type":"int64","optional":false,"name":"org.apache.kafka.connect.data.Timestamp","version":1},"payload":4000000000}"#
    );
}

#[test]
fn f22_to_f28_schemaless_and_nulls() {
    let c = converter(&[]);
    assert_eq!(to_json(&c, None, true), r#"{"schema":null,"payload":true}"#);
    assert_eq!(
        to_json(
            &c,
            None,
            vec![Value::Int32(1), "string".into(), true.into()]
        ),
        r#"{"schema":null,"payload":[1,"string",true]}"#
    );
    assert_eq!(
        to_json(
            &c,
            None,
            Value::Map(vec![
                ("key1".into(), 12i32.into()),
                ("key2".into(), "string".into()),
                ("key3".into(), true.into())
            ])
        ),
        r#"{"schema":null,"payload":{"key1":12,"key2":"string","key3":true}}"#
    );
    assert_eq!(
        to_json(
            &c,
            None,
            Value::Map(vec![
                ("string".into(), 12i32.into()),
                (52i32.into(), "string".into()),
                (false.into(), true.into())
            ])
        ),
        r#"{"schema":null,"payload":[["string",12],[52,"string"],[false,true]]}"#
    );
    for enabled in ["true", "false"] {
        let c = converter(&[("schemas.enable", enabled)]);
        assert_eq!(
            c.from_connect_data("t", &Headers::new(), None, &Value::Null)
                .unwrap(),
            None
        );
        let mut buf = b"stale".to_vec();
        assert!(!c
            .from_connect_data_into("t", &Headers::new(), None, &Value::Null, &mut buf)
            .unwrap());
    }
    assert_eq!(
        to_json_err(&c, Some(&FLOAT64_SCHEMA), true),
        "Invalid type for FLOAT64: class java.lang.Boolean"
    );
    let plain = converter(&[("schemas.enable", "false")]);
    assert_eq!(to_json(&plain, None, true), "true");
    assert_eq!(
        to_json(&c, Some(&OPTIONAL_BOOLEAN_SCHEMA), Value::Null),
        r#"{"schema":{"type":"boolean","optional":true},"payload":null}"#
    );
}

#[test]
fn f29_replace_null_with_default() {
    let schema = SchemaBuilder::string()
        .optional()
        .default_value("default")
        .build()
        .unwrap();
    let on = converter(&[]);
    let off = converter(&[("replace.null.with.default", "false")]);
    let on_json =
        r#"{"schema":{"type":"string","optional":true,"default":"default"},"payload":"default"}"#;
    let off_json =
        r#"{"schema":{"type":"string","optional":true,"default":"default"},"payload":null}"#;
    assert_eq!(to_json(&on, Some(&schema), Value::Null), on_json);
    assert_eq!(to_json(&off, Some(&schema), Value::Null), off_json);
    assert_eq!(read(&on, off_json).value, Value::from("default"));
    assert_eq!(read(&off, off_json).value, Value::Null);

    let struct_schema = SchemaBuilder::struct_()
        .field("field1", schema.clone())
        .build()
        .unwrap();
    let s = Struct::new(struct_schema.clone()).unwrap();
    let on_json = r#"{"schema":{"type":"struct","fields":[{"type":"string","optional":true,"default":"default","field":"field1"}],"optional":false},"payload":{"field1":"default"}}"#;
    let off_json = r#"{"schema":{"type":"struct","fields":[{"type":"string","optional":true,"default":"default","field":"field1"}],"optional":false},"payload":{"field1":null}}"#;
    assert_eq!(to_json(&on, Some(&struct_schema), s.clone()), on_json);
    assert_eq!(to_json(&off, Some(&struct_schema), s), off_json);
    let read_on = read(&on, off_json).value;
    assert_eq!(
        read_on
            .as_struct()
            .unwrap()
            .get_without_default("field1")
            .unwrap(),
        &Value::from("default")
    );
    let read_off = read(&off, off_json).value;
    assert_eq!(
        read_off
            .as_struct()
            .unwrap()
            .get_without_default("field1")
            .unwrap(),
        &Value::Null
    );
    // With the flag off, a required schema with a default and a null payload fails.
    assert_eq!(
        read_err(
            &off,
            r#"{"schema":{"type":"string","default":"x"},"payload":null}"#
        ),
        "Invalid null value for required STRING field"
    );
}

#[test]
fn derived_vectors() {
    let c = converter(&[]);
    let plain = converter(&[("schemas.enable", "false")]);
    assert_eq!(
        to_json(&plain, Some(&OPTIONAL_STRING_SCHEMA), Value::Null),
        "null"
    );
    assert_eq!(
        to_json(&plain, Some(&STRING_SCHEMA), "a\"b\\c\u{1}"),
        r#""a\"b\\c\u0001""#
    );
    assert_eq!(
        to_json(&c, Some(&FLOAT64_SCHEMA), f64::NAN),
        r#"{"schema":{"type":"double","optional":false},"payload":"NaN"}"#
    );
    assert!(to_json(&c, Some(&FLOAT64_SCHEMA), 1e10).ends_with(r#""payload":1.0E10}"#));
    assert!(to_json(&c, Some(&FLOAT64_SCHEMA), 100.0).ends_with(r#""payload":100.0}"#));
    assert_eq!(
        to_json(&plain, Some(&Decimal::schema(4)), dec("10.2345")),
        r#""AY/J""#
    );
    assert_eq!(
        to_json(&plain, Some(&Decimal::schema(0)), dec("-1")),
        r#""/w==""#
    );
    assert_eq!(
        to_json(&plain, Some(&Decimal::schema(0)), dec("0")),
        r#""AA==""#
    );
    assert_eq!(
        to_json(&plain, Some(&Decimal::schema(0)), dec("128")),
        r#""AIA=""#
    );
    let with_default = Decimal::builder(2)
        .default_value(dec("1.56"))
        .build()
        .unwrap();
    assert!(to_json(&c, Some(&with_default), dec("1.56")).starts_with(
        r#"{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"},"default":"AJw="}"#
    ));
    let envelope = "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.";
    assert_eq!(read_err(&c, ""), envelope);
    assert_eq!(
        read_err(&c, r#"{"schema":{"type":"int32"},"payload":1,"extra":0}"#),
        envelope
    );
    assert_eq!(read_err(&c, r#"{"payload":1}"#), envelope);
    assert_eq!(read_err(&c, "[1]"), envelope);
    // NUMERIC uses BigDecimal.toString().
    let numeric = converter(&[("decimal.format", "numeric")]);
    assert_eq!(
        to_json(
            &numeric,
            Some(&Decimal::schema(10)),
            BigDecimal::new(1.into(), 10)
        ),
        r#"{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"10"}},"payload":1E-10}"#
    );
}

#[test]
fn write_side_errors() {
    let c = converter(&[]);
    assert_eq!(
        to_json_err(&c, Some(&STRING_SCHEMA), Value::Null),
        "Conversion error: null value for field that is required and has no default value"
    );
    assert_eq!(
        to_json_err(&c, Some(&INT32_SCHEMA), 1i64),
        "Invalid type for INT32: class java.lang.Long"
    );
    assert_eq!(
        to_json_err(&c, Some(&BYTES_SCHEMA), "x"),
        "Invalid type for bytes type: class java.lang.String"
    );
    assert_eq!(
        to_json_err(&c, Some(&Decimal::schema(2)), 1i32),
        "Invalid type for Decimal, expected BigDecimal but was class java.lang.Integer"
    );
    assert_eq!(
        to_json_err(&c, Some(&Decimal::schema(2)), dec("1.5")),
        "Decimal value has mismatching scale for given Decimal schema. Schema has scale 2, value has scale 1."
    );
    assert_eq!(
        to_json_err(&c, Some(&Date::schema()), 1i32),
        "Invalid type for Date, expected Date but was class java.lang.Integer"
    );
    assert_eq!(
        to_json_err(&c, Some(&Date::schema()), Value::Timestamp(1)),
        "Kafka Connect Date type should not have any time fields set to non-zero values."
    );
    assert_eq!(
        to_json_err(&c, Some(&Time::schema()), Value::Timestamp(86_400_001)),
        "Kafka Connect Time type should not have any date fields set to non-zero values."
    );
    assert_eq!(
        to_json_err(&c, None, Value::Timestamp(1)),
        "Java class class java.util.Date does not have corresponding schema type."
    );
    let schema = SchemaBuilder::struct_()
        .field("a", INT32_SCHEMA.clone())
        .build()
        .unwrap();
    let s = Struct::new(schema.clone()).unwrap();
    assert_eq!(to_json_err(&c, None, s.clone()), "Mismatching schema.");
    assert_eq!(
        to_json_err(&c, Some(&schema), s),
        "Conversion error: null value for field that is required and has no default value"
    );
    let no_scale = SchemaBuilder::bytes()
        .name(Decimal::LOGICAL_NAME)
        .build()
        .unwrap();
    assert_eq!(
        to_json_err(&c, Some(&no_scale), dec("1")),
        "Invalid Decimal schema: scale parameter not found."
    );
}

#[test]
fn read_side_errors_and_quirks() {
    let c = converter(&[]);
    let err = c
        .to_connect_data("t", &Headers::new(), Some(b"{\"schema\":"))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Converting byte[] to Kafka Connect data failed due to serialization error: "
    );
    assert!(err.is_data() && err.source().is_some());
    let cases = [
        (r#"{"schema":{},"payload":1}"#, "Schema must contain 'type' field"),
        (r#"{"schema":{"type":5},"payload":1}"#, "Schema must contain 'type' field"),
        (r#"{"schema":{"type":"int128"},"payload":1}"#, "Unknown schema type: int128"),
        (r#"{"schema":{"type":"array"},"payload":[]}"#, "Array schema did not specify the element type"),
        (r#"{"schema":{"type":"map","values":{"type":"int8"}},"payload":{}}"#, "Map schema did not specify the key type"),
        (r#"{"schema":{"type":"map","keys":{"type":"int8"}},"payload":{}}"#, "Map schema did not specify the value type"),
        (r#"{"schema":{"type":"struct"},"payload":{}}"#, "Struct schema's \"fields\" argument is not an array."),
        (r#"{"schema":{"type":"struct","fields":[{"type":"int8"}]},"payload":{}}"#, "Struct schema's field name not specified properly"),
        (r#"{"schema":{"type":"int8","parameters":{"a":1}},"payload":1}"#, "Schema parameters must have string values."),
        (r#"{"schema":{"type":"string"},"payload":null}"#, "Invalid null value for required STRING field"),
        (r#"{"schema":{"type":"int32"}}"#, "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration."),
        (r#"{"schema":{"type":"map","keys":{"type":"string"},"values":{"type":"int8"}},"payload":[]}"#, "Maps with string fields should be encoded as JSON objects, but found ARRAY"),
        (r#"{"schema":{"type":"map","keys":{"type":"int8"},"values":{"type":"int8"}},"payload":{}}"#, "Maps with non-string fields should be encoded as JSON array of tuples, but found OBJECT"),
        (r#"{"schema":{"type":"map","keys":{"type":"int8"},"values":{"type":"int8"}},"payload":[1]}"#, "Found invalid map entry instead of array tuple: NUMBER"),
        (r#"{"schema":{"type":"map","keys":{"type":"int8"},"values":{"type":"int8"}},"payload":[[1]]}"#, "Found invalid map entry, expected length 2 but found :1"),
        (r#"{"schema":{"type":"struct","fields":[]},"payload":"x"}"#, "Structs should be encoded as JSON objects, but found STRING"),
        (r#"{"schema":{"type":"bytes"},"payload":"AJw"}"#, "Invalid bytes field"),
        (r#"{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"2"}},"payload":"!!"}"#, "Invalid bytes for Decimal field"),
        (r#"{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"2"}},"payload":""}"#, "Invalid bytes for Decimal field"),
        (r#"{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"2"}},"payload":true}"#, "Invalid type for Decimal, underlying representation should be numeric or bytes but was BOOLEAN"),
        (r#"{"schema":{"type":"int32","name":"org.apache.kafka.connect.data.Date"},"payload":"1"}"#, "Invalid type for Date, underlying representation should be integer but was STRING"),
        (r#"{"schema":{"type":"int32","name":"org.apache.kafka.connect.data.Date"},"payload":2147483648}"#, "Invalid type for Date, underlying representation should be integer but was NUMBER"),
        (r#"{"schema":{"type":"int32","name":"org.apache.kafka.connect.data.Time"},"payload":1.5}"#, "Invalid type for Time, underlying representation should be integer but was NUMBER"),
        (r#"{"schema":{"type":"int32","name":"org.apache.kafka.connect.data.Time"},"payload":86400001}"#, "Time values must use number of milliseconds greater than 0 and less than 86400000"),
        (r#"{"schema":{"type":"int64","name":"org.apache.kafka.connect.data.Timestamp"},"payload":1e3}"#, "Invalid type for Timestamp, underlying representation should be integral but was NUMBER"),
        (r#"{"schema":{"type":"struct","fields":[{"field":"b","type":"bytes"}]},"payload":{"b":5}}"#, "Invalid value: null used for required field: \"b\", schema type: BYTES"),
    ];
    for (json, message) in cases {
        assert_eq!(read_err(&c, json), message, "{json}");
    }
    // Jackson's coercions: no type checking.
    let quirks: [(&str, Value); 9] = [
        (r#"{"schema":{"type":"string"},"payload":12}"#, Value::Null),
        (
            r#"{"schema":{"type":"boolean"},"payload":"true"}"#,
            Value::Boolean(false),
        ),
        (
            r#"{"schema":{"type":"int32"},"payload":"12"}"#,
            Value::Int32(0),
        ),
        (
            r#"{"schema":{"type":"int32"},"payload":12.7}"#,
            Value::Int32(12),
        ),
        (
            r#"{"schema":{"type":"int8"},"payload":300}"#,
            Value::Int8(44),
        ),
        (
            r#"{"schema":{"type":"int64"},"payload":18446744073709551617}"#,
            Value::Int64(1),
        ),
        (r#"{"schema":{"type":"bytes"},"payload":12}"#, Value::Null),
        (
            r#"{"schema":{"type":"array","items":{"type":"int8"}},"payload":{"a":1,"b":2}}"#,
            Value::Array(vec![1i8.into(), 2i8.into()]),
        ),
        (
            r#"{"schema":{"type":"array","items":{"type":"int8"}},"payload":7}"#,
            Value::Array(vec![]),
        ),
    ];
    for (json, value) in quirks {
        assert_eq!(read(&c, json).value, value, "{json}");
    }
    // Trailing content is ignored; leading BOM is skipped; duplicates: last wins.
    assert_eq!(
        read(&c, "{\"schema\":null,\"payload\":1} trailing").value,
        Value::Int64(1)
    );
    assert_eq!(
        read(&c, "\u{feff}{\"schema\":null,\"payload\":1,\"payload\":2}").value,
        Value::Int64(2)
    );
    // NaN is written as a string and does not come back.
    assert_eq!(
        read(&c, r#"{"schema":{"type":"double"},"payload":"NaN"}"#).value,
        Value::Float64(0.0)
    );
}

#[test]
fn map_keys_and_duplicates() {
    let c = converter(&[]);
    let schema = SchemaBuilder::map(OPTIONAL_STRING_SCHEMA.clone(), INT8_SCHEMA.clone())
        .build()
        .unwrap();
    assert_eq!(
        to_json(
            &c,
            Some(&schema),
            Value::Map(vec![(Value::Null, 1i8.into())])
        ),
        r#"{"schema":{"type":"map","keys":{"type":"string","optional":true},"values":{"type":"int8","optional":false},"optional":false},"payload":{"null":1}}"#
    );
    let int_map = r#"{"schema":{"type":"map","keys":{"type":"int8"},"values":{"type":"int8"}},"payload":[[1,1],[2,2],[1,3]]}"#;
    assert_eq!(
        read(&c, int_map).value,
        Value::Map(vec![(1i8.into(), 3i8.into()), (2i8.into(), 2i8.into())])
    );
    let empty = to_json(&c, None, Value::Map(vec![]));
    assert_eq!(empty, r#"{"schema":null,"payload":{}}"#);
}

#[test]
fn struct_fields_missing_extra_and_nested() {
    let c = converter(&[]);
    let inner = SchemaBuilder::struct_()
        .field("x", INT32_SCHEMA.clone())
        .build()
        .unwrap();
    let outer = SchemaBuilder::struct_()
        .field("inner", inner.clone())
        .field(
            "list",
            SchemaBuilder::array(OPTIONAL_STRING_SCHEMA.clone())
                .build()
                .unwrap(),
        )
        .field(
            "d",
            SchemaBuilder::int64().default_value(5i64).build().unwrap(),
        )
        .build()
        .unwrap();
    let mut i = Struct::new(inner).unwrap();
    i.put("x", 1).unwrap();
    let mut o = Struct::new(outer.clone()).unwrap();
    o.put("inner", i).unwrap();
    o.put("list", vec![Value::from("a"), Value::Null]).unwrap();
    let json = to_json(&c, Some(&outer), o.clone());
    assert!(
        json.ends_with(r#""payload":{"inner":{"x":1},"list":["a",null],"d":5}}"#),
        "{json}"
    );
    let back = read(&c, &json);
    let mut expected = o.clone();
    expected.put("d", 5i64).unwrap();
    assert_eq!(back.value, Value::Struct(expected));
    assert_eq!(back.schema.as_ref(), Some(&outer));
    // Extra members are ignored; a missing field takes its default.
    let extra = json.replace(r#""d":5}"#, r#""zzz":[1,{}]}"#);
    assert_eq!(
        read(&c, &extra)
            .value
            .as_struct()
            .unwrap()
            .get_int64("d")
            .unwrap(),
        Some(5)
    );
}

#[test]
fn configuration() {
    let mut c = JsonConverter::default();
    let err = HeaderConverter::configure(&mut c, &HashMap::new()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Missing required configuration \"converter.type\" which has no default value."
    );
    let header = HashMap::from([
        ("converter.type".to_owned(), "header".to_owned()),
        ("schemas.enable".to_owned(), "false".to_owned()),
    ]);
    HeaderConverter::configure(&mut c, &header).unwrap();
    assert!(!c.converter_config().schemas_enabled);
    // configure(map, is_key) overwrites any converter.type.
    let mut k = JsonConverter::default();
    let bogus = HashMap::from([("converter.type".to_owned(), "bogus".to_owned())]);
    Converter::configure(&mut k, &bogus, true).unwrap();
    assert_eq!(
        k.converter_config().converter_type,
        connect_api::storage::ConverterType::Key
    );
    let def = Converter::config(&k);
    for key in [
        "converter.type",
        "schemas.enable",
        "schemas.cache.size",
        "decimal.format",
        "replace.null.with.default",
    ] {
        assert!(def.contains(key), "{key}");
    }
}

#[test]
fn schema_caches_do_not_change_output() {
    for size in ["0", "1", "1000"] {
        let c = converter(&[("schemas.cache.size", size)]);
        let a = SchemaBuilder::struct_()
            .field("a", INT8_SCHEMA.clone())
            .build()
            .unwrap();
        let b = SchemaBuilder::struct_()
            .field("b", INT8_SCHEMA.clone())
            .build()
            .unwrap();
        for _ in 0..3 {
            for schema in [&a, &b] {
                let mut s = Struct::new(schema.clone()).unwrap();
                let name = schema.fields().unwrap()[0].name().to_owned();
                s.put(&name, 1i8).unwrap();
                let json = to_json(&c, Some(schema), s.clone());
                assert_eq!(read(&c, &json), sv(schema.clone(), s));
            }
        }
    }
}
