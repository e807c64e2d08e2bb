//! Round-trip properties: `to_connect_data(from_connect_data(v)) == v` over generated schemas
//! and values, for every JsonConverter setting and the simple converters.

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

use std::collections::HashMap;

use connect_api::data::*;
use connect_api::header::Headers;
use connect_api::storage::Converter;
use connect_converters::*;
use proptest::prelude::*;

fn json(entries: &[(&str, &str)]) -> JsonConverter {
    let mut c = JsonConverter::default();
    let map: HashMap<String, String> = entries
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Converter::configure(&mut c, &map, false).unwrap();
    c
}

fn finite_f64() -> impl Strategy<Value = f64> {
    any::<f64>().prop_filter("finite", |f| f.is_finite())
}

fn finite_f32() -> impl Strategy<Value = f32> {
    any::<f32>().prop_filter("finite", |f| f.is_finite())
}

fn name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_.]{0,8}"
}

/// A primitive (or logical) type with a value generator.
#[derive(Debug, Clone, Copy)]
enum Leaf {
    Int8,
    Int16,
    Int32,
    Int64,
    Float32,
    Float64,
    Boolean,
    String,
    Bytes,
    Decimal(i32),
    Date,
    Time,
    Timestamp,
}

fn leaf() -> impl Strategy<Value = Leaf> {
    prop_oneof![
        Just(Leaf::Int8),
        Just(Leaf::Int16),
        Just(Leaf::Int32),
        Just(Leaf::Int64),
        Just(Leaf::Float32),
        Just(Leaf::Float64),
        Just(Leaf::Boolean),
        Just(Leaf::String),
        Just(Leaf::Bytes),
        (-3i32..20).prop_map(Leaf::Decimal),
        Just(Leaf::Date),
        Just(Leaf::Time),
        Just(Leaf::Timestamp),
    ]
}

fn leaf_value(l: Leaf) -> BoxedStrategy<Value> {
    match l {
        Leaf::Int8 => any::<i8>().prop_map(Value::from).boxed(),
        Leaf::Int16 => any::<i16>().prop_map(Value::from).boxed(),
        Leaf::Int32 => any::<i32>().prop_map(Value::from).boxed(),
        Leaf::Int64 => any::<i64>().prop_map(Value::from).boxed(),
        Leaf::Float32 => finite_f32().prop_map(Value::from).boxed(),
        Leaf::Float64 => finite_f64().prop_map(Value::from).boxed(),
        Leaf::Boolean => any::<bool>().prop_map(Value::from).boxed(),
        Leaf::String => any::<String>().prop_map(Value::from).boxed(),
        Leaf::Bytes => proptest::collection::vec(any::<u8>(), 0..20)
            .prop_map(Value::from)
            .boxed(),
        Leaf::Decimal(scale) => any::<i128>()
            .prop_map(move |u| Value::Decimal(BigDecimal::new(u.into(), i64::from(scale))))
            .boxed(),
        Leaf::Date => (-1_000_000i64..1_000_000)
            .prop_map(|d| Value::Timestamp(d * 86_400_000))
            .boxed(),
        Leaf::Time => (0i64..86_400_000).prop_map(Value::Timestamp).boxed(),
        Leaf::Timestamp => any::<i64>().prop_map(Value::Timestamp).boxed(),
    }
}

fn leaf_builder(l: Leaf) -> SchemaBuilder {
    match l {
        Leaf::Int8 => SchemaBuilder::int8(),
        Leaf::Int16 => SchemaBuilder::int16(),
        Leaf::Int32 => SchemaBuilder::int32(),
        Leaf::Int64 => SchemaBuilder::int64(),
        Leaf::Float32 => SchemaBuilder::float32(),
        Leaf::Float64 => SchemaBuilder::float64(),
        Leaf::Boolean => SchemaBuilder::boolean(),
        Leaf::String => SchemaBuilder::string(),
        Leaf::Bytes => SchemaBuilder::bytes(),
        Leaf::Decimal(s) => Decimal::builder(s),
        Leaf::Date => Date::builder(),
        Leaf::Time => Time::builder(),
        Leaf::Timestamp => Timestamp::builder(),
    }
}

fn is_logical(l: Leaf) -> bool {
    matches!(
        l,
        Leaf::Decimal(_) | Leaf::Date | Leaf::Time | Leaf::Timestamp
    )
}

/// Schema metadata: optional, doc, version, name (non-logical only), parameters, default.
#[derive(Debug, Clone)]
struct Meta {
    optional: bool,
    name: Option<String>,
    version: Option<i32>,
    doc: Option<String>,
    params: Vec<(String, String)>,
}

fn meta() -> impl Strategy<Value = Meta> {
    (
        any::<bool>(),
        proptest::option::of(name()),
        proptest::option::of(any::<i32>()),
        proptest::option::of(any::<String>()),
        proptest::collection::vec((name(), any::<String>()), 0..3),
    )
        .prop_map(|(optional, name, version, doc, params)| Meta {
            optional,
            name,
            version,
            doc,
            params,
        })
}

fn apply(mut b: SchemaBuilder, m: &Meta, allow_name: bool) -> SchemaBuilder {
    if m.optional {
        b = b.optional();
    }
    if let (Some(n), true) = (&m.name, allow_name) {
        b = b.name(n.clone());
    }
    if let (Some(v), true) = (m.version, allow_name) {
        b = b.version(v);
    }
    if let Some(d) = &m.doc {
        b = b.doc(d.clone());
    }
    if allow_name {
        for (k, v) in &m.params {
            b = b.parameter(k.clone(), v.clone());
        }
    }
    b
}

/// A schema and a strategy for its values.
type Gen = (Schema, BoxedStrategy<Value>);

fn with_nulls(schema: &Schema, values: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    if schema.is_optional() {
        prop_oneof![1 => Just(Value::Null), 4 => values].boxed()
    } else {
        values
    }
}

fn leaf_gen() -> impl Strategy<Value = Gen> {
    (leaf(), meta(), any::<bool>()).prop_flat_map(|(l, m, with_default)| {
        let builder = apply(leaf_builder(l), &m, !is_logical(l));
        // Defaults only on required non-logical schemas: a null there is not a valid value, so
        // the default never replaces a generated null.
        let default = if with_default && !m.optional && !is_logical(l) {
            leaf_value(l).prop_map(Some).boxed()
        } else {
            Just(None).boxed()
        };
        default.prop_map(move |d| {
            let mut b = builder.clone();
            if let Some(d) = d {
                b = b.default_value(d);
            }
            let schema = b.build().unwrap();
            let values = with_nulls(&schema, leaf_value(l));
            (schema, values)
        })
    })
}

fn gen() -> impl Strategy<Value = Gen> {
    leaf_gen().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            // Arrays.
            (inner.clone(), meta()).prop_map(|((elem, ev), m)| {
                let schema = apply(SchemaBuilder::array(elem), &m, true).build().unwrap();
                let values = with_nulls(
                    &schema,
                    proptest::collection::vec(ev, 0..4)
                        .prop_map(Value::Array)
                        .boxed(),
                );
                (schema, values)
            }),
            // Maps with string or int keys.
            (any::<bool>(), inner.clone(), meta()).prop_map(|(string_keys, (vs, vv), m)| {
                let (key_schema, keys): (Schema, BoxedStrategy<Value>) = if string_keys {
                    (
                        STRING_SCHEMA.clone(),
                        any::<String>().prop_map(Value::from).boxed(),
                    )
                } else {
                    (
                        INT32_SCHEMA.clone(),
                        any::<i32>().prop_map(Value::from).boxed(),
                    )
                };
                let schema = apply(SchemaBuilder::map(key_schema, vs), &m, true)
                    .build()
                    .unwrap();
                let entries = proptest::collection::vec((keys, vv), 0..4).prop_map(|entries| {
                    let mut unique: Vec<(Value, Value)> = Vec::new();
                    for (k, v) in entries {
                        if !unique.iter().any(|(u, _)| *u == k) {
                            unique.push((k, v));
                        }
                    }
                    Value::Map(unique)
                });
                let values = with_nulls(&schema, entries.boxed());
                (schema, values)
            }),
            // Structs.
            (proptest::collection::vec((name(), inner), 0..5), meta()).prop_map(|(fields, m)| {
                let mut b = SchemaBuilder::struct_();
                let mut gens = Vec::new();
                let mut seen = Vec::new();
                for (n, (s, v)) in fields {
                    if seen.contains(&n) {
                        continue;
                    }
                    seen.push(n.clone());
                    b = b.field(n, s);
                    gens.push(v);
                }
                let schema = apply(b, &m, true).build().unwrap();
                let s2 = schema.clone();
                let values = gens.prop_map(move |vals| {
                    let mut st = Struct::new(s2.clone()).unwrap();
                    for (field, v) in s2.fields().unwrap().iter().zip(vals) {
                        st.put_field(field, v).unwrap();
                    }
                    Value::Struct(st)
                });
                let values = with_nulls(&schema, values.boxed());
                (schema, values)
            }),
        ]
    })
}

fn schema_and_value() -> impl Strategy<Value = (Schema, Value)> {
    gen().prop_flat_map(|(schema, values)| values.prop_map(move |v| (schema.clone(), v)))
}

fn schemaless_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        finite_f64().prop_map(Value::from),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 20, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(any::<String>(), inner, 0..4).prop_map(|m| {
                Value::Map(m.into_iter().map(|(k, v)| (Value::from(k), v)).collect())
            }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn json_with_schemas_round_trips((schema, value) in schema_and_value()) {
        for c in [json(&[]), json(&[("decimal.format", "NUMERIC")]), json(&[("schemas.cache.size", "0")])] {
            let h = Headers::new();
            let bytes = c.from_connect_data("t", &h, Some(&schema), &value).unwrap().unwrap();
            let back = c.to_connect_data("t", &h, Some(&bytes)).unwrap();
            prop_assert_eq!(back.schema.as_ref(), Some(&schema));
            prop_assert_eq!(&back.value, &value);
            // The reused-buffer path writes the same bytes.
            let mut buf = b"garbage".to_vec();
            prop_assert!(c.from_connect_data_into("t", &h, Some(&schema), &value, &mut buf).unwrap());
            prop_assert_eq!(&buf, &bytes);
        }
    }

    #[test]
    fn json_payload_only_round_trips_with_known_schema((schema, value) in schema_and_value()) {
        // schemas.enable=false infers types, so compare by re-reading with the schema's JSON.
        let plain = json(&[("schemas.enable", "false")]);
        let with = json(&[]);
        let h = Headers::new();
        let payload = plain.from_connect_data("t", &h, Some(&schema), &value).unwrap().unwrap();
        let envelope = with.from_connect_data("t", &h, Some(&schema), &value).unwrap().unwrap();
        let text = String::from_utf8(envelope).unwrap();
        let payload_text = String::from_utf8(payload).unwrap();
        let suffix = format!(",\"payload\":{payload_text}}}");
        prop_assert!(text.ends_with(&suffix));
    }

    #[test]
    fn json_schemaless_round_trips(value in schemaless_value()) {
        let h = Headers::new();
        for c in [json(&[("schemas.enable", "false")]), json(&[])] {
            match c.from_connect_data("t", &h, None, &value).unwrap() {
                None => prop_assert_eq!(&value, &Value::Null),
                Some(bytes) => {
                    let back = c.to_connect_data("t", &h, Some(&bytes)).unwrap();
                    prop_assert_eq!(back.schema, None);
                    prop_assert_eq!(&back.value, &value);
                }
            }
        }
    }

    #[test]
    fn number_converters_round_trip(i in any::<i64>(), f in any::<f64>()) {
        let h = Headers::new();
        let cases: Vec<(Box<dyn Converter>, Value)> = vec![
            (Box::new(ShortConverter), Value::Int16(i as i16)),
            (Box::new(IntegerConverter), Value::Int32(i as i32)),
            (Box::new(LongConverter), Value::Int64(i)),
            (Box::new(FloatConverter), Value::Float32(f as f32)),
            (Box::new(DoubleConverter), Value::Float64(f)),
            (Box::new(BooleanConverter), Value::Boolean(i % 2 == 0)),
        ];
        for (c, v) in cases {
            let bytes = c.from_connect_data("t", &h, None, &v).unwrap();
            let back = c.to_connect_data("t", &h, bytes.as_deref()).unwrap().value;
            match (&v, &back) {
                (Value::Float32(a), Value::Float32(b)) => prop_assert_eq!(a.to_bits(), b.to_bits()),
                (Value::Float64(a), Value::Float64(b)) if a.is_nan() => prop_assert!(b.is_nan()),
                _ => prop_assert_eq!(&back, &v),
            }
        }
    }

    #[test]
    fn string_and_bytes_round_trip(s in any::<String>(), b in proptest::collection::vec(any::<u8>(), 0..64)) {
        let h = Headers::new();
        for enc in ["UTF-8", "UTF-16", "UTF-16LE", "UTF-32"] {
            let mut c = StringConverter::default();
            let cfg = HashMap::from([("converter.encoding".to_owned(), enc.to_owned())]);
            Converter::configure(&mut c, &cfg, false).unwrap();
            let bytes = c.from_connect_data("t", &h, None, &Value::from(s.clone())).unwrap();
            prop_assert_eq!(c.to_connect_data("t", &h, bytes.as_deref()).unwrap().value, Value::from(s.clone()));
        }
        let c = ByteArrayConverter;
        let bytes = c.from_connect_data("t", &h, Some(&BYTES_SCHEMA), &Value::from(b.clone())).unwrap();
        prop_assert_eq!(c.to_connect_data("t", &h, bytes.as_deref()).unwrap().value, Value::from(b));
    }
}
