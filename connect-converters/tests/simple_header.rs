//! SimpleHeaderConverter vectors (reference/converters.md §3, from Apache's
//! `SimpleHeaderConverterTest`).

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

use connect_api::data::*;
use connect_api::storage::HeaderConverter;
use connect_converters::SimpleHeaderConverter;

fn write(schema: Option<&Schema>, v: Value) -> Option<String> {
    SimpleHeaderConverter
        .from_connect_header("topic", "key", schema, &v)
        .unwrap()
        .map(|b| String::from_utf8(b).unwrap())
}

fn read(text: &str) -> SchemaAndValue {
    SimpleHeaderConverter
        .to_connect_header("topic", "key", Some(text.as_bytes()))
        .unwrap()
}

fn map(entries: Vec<(&str, Value)>) -> Value {
    Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| (Value::from(k), v))
            .collect(),
    )
}

#[test]
fn strings() {
    assert_eq!(
        write(Some(&STRING_SCHEMA), "simple".into()).as_deref(),
        Some("simple")
    );
    assert_eq!(
        read("simple"),
        SchemaAndValue::new(Some(STRING_SCHEMA.clone()), "simple".into())
    );
    assert_eq!(write(Some(&STRING_SCHEMA), "".into()).as_deref(), Some(""));
    assert_eq!(
        read(""),
        SchemaAndValue::new(Some(STRING_SCHEMA.clone()), "".into())
    );
    let odd = "three\"blind\\\"mice";
    assert_eq!(
        write(Some(&STRING_SCHEMA), odd.into()).as_deref(),
        Some(odd)
    );
    assert_eq!(read(odd).value, Value::from(odd));
    assert_eq!(write(None, Value::Null), None);
    assert_eq!(
        SimpleHeaderConverter
            .to_connect_header("t", "k", None)
            .unwrap(),
        SchemaAndValue::NULL
    );
}

#[test]
fn maps_and_lists() {
    let m = map(vec![("foo", "123".into()), ("bar", "baz".into())]);
    let text = write(None, m.clone()).unwrap();
    assert_eq!(text, r#"{"foo":"123","bar":"baz"}"#);
    let back = read(&text);
    assert_eq!(
        back.schema,
        Some(
            SchemaBuilder::map(STRING_SCHEMA.clone(), STRING_SCHEMA.clone())
                .build()
                .unwrap()
        )
    );
    assert_eq!(back.value, m);

    let shorts = map(vec![
        ("foo", 12345i16.into()),
        ("bar", 0i16.into()),
        ("baz", (-4321i16).into()),
    ]);
    let text = write(None, shorts.clone()).unwrap();
    assert_eq!(text, r#"{"foo":12345,"bar":0,"baz":-4321}"#);
    let back = read(&text);
    assert_eq!(
        back.schema
            .as_ref()
            .unwrap()
            .value_schema()
            .unwrap()
            .schema_type(),
        Type::Int16
    );
    assert_eq!(back.value, shorts);
    assert_eq!(
        read(r#" { "foo" :  12345 , "bar" : 0,  "baz" : -4321 }  "#).value,
        shorts
    );

    let ints = map(vec![
        ("foo", 1234567890i32.into()),
        ("bar", 0i32.into()),
        ("baz", (-987654321i32).into()),
    ]);
    let text = write(None, ints.clone()).unwrap();
    assert_eq!(text, r#"{"foo":1234567890,"bar":0,"baz":-987654321}"#);
    assert_eq!(read(&text).value, ints);
    assert_eq!(
        read(&text)
            .schema
            .unwrap()
            .value_schema()
            .unwrap()
            .schema_type(),
        Type::Int32
    );

    let list = Value::Array(vec![1234567890i32.into(), (-987654321i32).into()]);
    let text = write(None, list.clone()).unwrap();
    assert_eq!(text, "[1234567890,-987654321]");
    assert_eq!(read(&text).value, list);
    let strings = Value::Array(vec!["foo".into(), "bar".into()]);
    assert_eq!(write(None, strings.clone()).unwrap(), r#"["foo","bar"]"#);
    assert_eq!(read(r#"["foo","bar"]"#).value, strings);
    assert_eq!(
        read(r#"["foo","bar"]"#).schema,
        Some(SchemaBuilder::array(STRING_SCHEMA.clone()).build().unwrap())
    );

    let mixed = read(
        &write(
            None,
            map(vec![("foo", "bar".into()), ("baz", 3456i16.into())]),
        )
        .unwrap(),
    );
    let schema = mixed.schema.unwrap();
    assert_eq!(schema.key_schema().unwrap().schema_type(), Type::String);
    assert!(schema.value_schema().is_none());
    let mixed_list = read(r#"["foo",13344]"#).schema.unwrap();
    assert!(mixed_list.value_schema().is_none());
    let empty = read("{}").schema.unwrap();
    assert!(empty.key_schema().is_none() && empty.value_schema().is_none());
    assert!(read("[]").schema.unwrap().value_schema().is_none());
}

#[test]
fn scalars() {
    assert_eq!(read("12").value, Value::Int8(12));
    assert_eq!(read("1234567890").value, Value::Int32(1234567890));
    assert_eq!(read("1.5").value, Value::Float32(1.5));
    assert_eq!(read("true").value, Value::Boolean(true));
    assert_eq!(read("null"), SchemaAndValue::NULL);
    assert_eq!(write(None, Value::Float64(1e10)).as_deref(), Some("1.0E10"));
    assert_eq!(
        write(None, Value::from(vec![1u8, 2, 3])).as_deref(),
        Some("AQID")
    );
}
