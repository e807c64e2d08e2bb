//! JSON → Connect data (Apache's `JsonConverter.convertToConnect` and `asConnectSchema`).
//!
//! Jackson's lenient node accessors are kept on purpose, because they decide what Apache
//! produces for mismatched input: a string read under an int schema is `0`, a number under a
//! string schema is `null`, a fraction under an int schema is truncated, an integer too large
//! for 64 bits keeps its low bits, an array schema over an object reads its member values.

use std::collections::HashMap;

use connect_api::data::{
    Date, Decimal, Schema, SchemaBuilder, Struct, Time, Timestamp, Type, Value,
};
use connect_api::errors::{ConnectError, Result};

use super::base64;
use super::parser::Node;

/// Converts parsed JSON to Connect data with one converter's settings.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reader {
    pub(crate) replace_null_with_default: bool,
}

impl Reader {
    /// Converts `node` (`None` = missing) under `schema` (`None` = infer).
    pub(crate) fn value(&self, schema: Option<&Schema>, node: Option<&Node<'_>>) -> Result<Value> {
        let Some(schema) = schema else {
            return Ok(infer(node));
        };
        let node = match node {
            None | Some(Node::Null) => return self.null_value(schema),
            Some(node) => node,
        };
        if let Some(name) = schema.name() {
            match name {
                Decimal::LOGICAL_NAME => return decimal(schema, node),
                Date::LOGICAL_NAME => {
                    let days = expect_int(node, "Date")?;
                    return Ok(Value::Timestamp(Date::to_logical(schema, days)?));
                }
                Time::LOGICAL_NAME => {
                    let millis = expect_int(node, "Time")?;
                    return Ok(Value::Timestamp(Time::to_logical(schema, millis)?));
                }
                Timestamp::LOGICAL_NAME => {
                    return match node {
                        Node::Number(n) if n.is_integral() => Ok(Value::Timestamp(
                            Timestamp::to_logical(schema, n.long_value())?,
                        )),
                        other => Err(ConnectError::data(format!(
                            "Invalid type for Timestamp, underlying representation should be integral but was {}",
                            Node::node_type(Some(other))
                        ))),
                    };
                }
                _ => {}
            }
        }
        let number = match node {
            Node::Number(n) => Some(n),
            _ => None,
        };
        Ok(match schema.schema_type() {
            Type::Boolean => Value::Boolean(matches!(node, Node::Bool(true))),
            Type::Int8 => Value::Int8(number.map_or(0, |n| n.int_value() as i8)),
            Type::Int16 => Value::Int16(number.map_or(0, |n| n.int_value() as i16)),
            Type::Int32 => Value::Int32(number.map_or(0, |n| n.int_value())),
            Type::Int64 => Value::Int64(number.map_or(0, |n| n.long_value())),
            Type::Float32 => Value::Float32(number.map_or(0.0, |n| n.float_value())),
            Type::Float64 => Value::Float64(number.map_or(0.0, |n| n.double_value())),
            Type::String => match node {
                Node::String(s) => Value::String(s.to_string()),
                _ => Value::Null,
            },
            Type::Bytes => match node {
                Node::String(s) => Value::Bytes(
                    base64::decode(s)
                        .map_err(|e| ConnectError::data_with("Invalid bytes field", e))?
                        .into(),
                ),
                _ => Value::Null,
            },
            Type::Array => {
                let element = schema.value_schema();
                match node {
                    Node::Array(items) => Value::Array(
                        items
                            .iter()
                            .map(|n| self.value(element, Some(n)))
                            .collect::<Result<_>>()?,
                    ),
                    Node::Object(members) => Value::Array(
                        members
                            .iter()
                            .map(|(_, n)| self.value(element, Some(n)))
                            .collect::<Result<_>>()?,
                    ),
                    _ => Value::Array(Vec::new()),
                }
            }
            Type::Map => self.map(schema, node)?,
            Type::Struct => {
                let Node::Object(_) = node else {
                    return Err(ConnectError::data(format!(
                        "Structs should be encoded as JSON objects, but found {}",
                        Node::node_type(Some(node))
                    )));
                };
                let mut result = Struct::new(schema.clone())?;
                for field in schema.fields()? {
                    let v = self.value(Some(field.schema()), node.get(field.name()))?;
                    result.put_field(field, v)?;
                }
                Value::Struct(result)
            }
        })
    }

    fn null_value(&self, schema: &Schema) -> Result<Value> {
        if let (Some(default), true) = (schema.default_value(), self.replace_null_with_default) {
            // Already a logical value.
            return Ok(default.clone());
        }
        if schema.is_optional() {
            return Ok(Value::Null);
        }
        Err(ConnectError::data(format!(
            "Invalid null value for required {} field",
            schema.schema_type()
        )))
    }

    fn map(&self, schema: &Schema, node: &Node<'_>) -> Result<Value> {
        let key_schema = schema.key_schema();
        let value_schema = schema.value_schema();
        let string_keys = match key_schema {
            None => true,
            Some(k) => k.schema_type() == Type::String,
        };
        if string_keys {
            let Node::Object(members) = node else {
                return Err(ConnectError::data(format!(
                    "Maps with string fields should be encoded as JSON objects, but found {}",
                    Node::node_type(Some(node))
                )));
            };
            // Object members are already unique.
            let entries = members
                .iter()
                .map(|(k, n)| {
                    Ok((
                        Value::String(k.to_string()),
                        self.value(value_schema, Some(n))?,
                    ))
                })
                .collect::<Result<Vec<_>>>()?;
            return Ok(Value::Map(entries));
        }
        let Node::Array(items) = node else {
            return Err(ConnectError::data(format!(
                "Maps with non-string fields should be encoded as JSON array of tuples, but found {}",
                Node::node_type(Some(node))
            )));
        };
        let mut entries: Vec<(Value, Value)> = Vec::with_capacity(items.len());
        // Java collects into a HashMap: a repeated key keeps its last value. Keys are compared
        // structurally (floats by bit pattern, as `Float.equals` does).
        let mut index: HashMap<String, usize> = HashMap::new();
        for entry in items {
            let Node::Array(pair) = entry else {
                return Err(ConnectError::data(format!(
                    "Found invalid map entry instead of array tuple: {}",
                    Node::node_type(Some(entry))
                )));
            };
            if pair.len() != 2 {
                return Err(ConnectError::data(format!(
                    "Found invalid map entry, expected length 2 but found :{}",
                    pair.len()
                )));
            }
            let k = self.value(key_schema, Some(&pair[0]))?;
            let v = self.value(value_schema, Some(&pair[1]))?;
            match index.entry(format!("{k:?}")) {
                std::collections::hash_map::Entry::Occupied(slot) => entries[*slot.get()].1 = v,
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(entries.len());
                    entries.push((k, v));
                }
            }
        }
        Ok(Value::Map(entries))
    }

    /// Java's `asConnectSchema` for a non-null schema node.
    pub(crate) fn schema(&self, node: &Node<'_>) -> Result<Option<Schema>> {
        if let Node::Null = node {
            return Ok(None);
        }
        let Some(type_name) = node.get("type").and_then(Node::text) else {
            return Err(ConnectError::data("Schema must contain 'type' field"));
        };
        let mut builder = match type_name {
            "boolean" => SchemaBuilder::boolean(),
            "int8" => SchemaBuilder::int8(),
            "int16" => SchemaBuilder::int16(),
            "int32" => SchemaBuilder::int32(),
            "int64" => SchemaBuilder::int64(),
            "float" => SchemaBuilder::float32(),
            "double" => SchemaBuilder::float64(),
            "bytes" => SchemaBuilder::bytes(),
            "string" => SchemaBuilder::string(),
            "array" => match node.get("items") {
                None | Some(Node::Null) => {
                    return Err(ConnectError::data(
                        "Array schema did not specify the element type",
                    ))
                }
                Some(items) => SchemaBuilder::array(self.required_schema(items, "valueSchema")?),
            },
            "map" => {
                let keys = node
                    .get("keys")
                    .ok_or_else(|| ConnectError::data("Map schema did not specify the key type"))?;
                let values = node.get("values").ok_or_else(|| {
                    ConnectError::data("Map schema did not specify the value type")
                })?;
                SchemaBuilder::map(
                    self.required_schema(keys, "keySchema")?,
                    self.required_schema(values, "valueSchema")?,
                )
            }
            "struct" => {
                let Some(Node::Array(fields)) = node.get("fields") else {
                    return Err(ConnectError::data(
                        "Struct schema's \"fields\" argument is not an array.",
                    ));
                };
                let mut builder = SchemaBuilder::struct_();
                for field in fields {
                    let Some(name) = field.get("field").and_then(Node::text) else {
                        return Err(ConnectError::data(
                            "Struct schema's field name not specified properly",
                        ));
                    };
                    builder = builder.field(name, self.required_schema(field, "fieldSchema")?);
                }
                builder
            }
            other => return Err(ConnectError::data(format!("Unknown schema type: {other}"))),
        };
        builder = if matches!(node.get("optional"), Some(Node::Bool(true))) {
            builder.optional()
        } else {
            builder.required()
        };
        if let Some(name) = node.get("name").and_then(Node::text) {
            builder = builder.name(name);
        }
        if let Some(Node::Number(n)) = node.get("version") {
            if n.is_integral() {
                builder = builder.version(n.int_value());
            }
        }
        if let Some(doc) = node.get("doc").and_then(Node::text) {
            builder = builder.doc(doc);
        }
        if let Some(Node::Object(params)) = node.get("parameters") {
            for (k, v) in params {
                let Some(v) = v.text() else {
                    return Err(ConnectError::data(
                        "Schema parameters must have string values.",
                    ));
                };
                builder = builder.parameter(k.as_ref(), v);
            }
        }
        if let Some(default) = node.get("default") {
            // Converted with the schema as built so far, as Java passes the builder.
            let so_far = builder.clone().build()?;
            let value = self.value(Some(&so_far), Some(default))?;
            if !value.is_null() {
                builder = builder.default_value(value);
            }
        }
        Ok(Some(builder.build()?))
    }

    /// A nested schema that Java's `SchemaBuilder` requires to be non-null.
    fn required_schema(&self, node: &Node<'_>, what: &str) -> Result<Schema> {
        self.schema(node)?.ok_or_else(|| {
            ConnectError::schema_builder(match what {
                "fieldSchema" => "fieldSchema for field cannot be null.".to_owned(),
                _ => format!("{what} cannot be null."),
            })
        })
    }
}

/// Schemaless inference: null, boolean, INT64 for integral numbers, FLOAT64 for others, string,
/// list, and maps with string keys for objects (never structs, bytes, decimals or dates).
pub(crate) fn infer(node: Option<&Node<'_>>) -> Value {
    match node {
        None | Some(Node::Null) => Value::Null,
        Some(Node::Bool(b)) => Value::Boolean(*b),
        Some(Node::Number(n)) if n.is_integral() => Value::Int64(n.long_value()),
        Some(Node::Number(n)) => Value::Float64(n.double_value()),
        Some(Node::String(s)) => Value::String(s.to_string()),
        Some(Node::Array(items)) => Value::Array(items.iter().map(|n| infer(Some(n))).collect()),
        Some(Node::Object(members)) => Value::Map(
            members
                .iter()
                .map(|(k, n)| (Value::String(k.to_string()), infer(Some(n))))
                .collect(),
        ),
    }
}

fn expect_int(node: &Node<'_>, logical: &str) -> Result<i32> {
    match node {
        Node::Number(n) if n.is_int() => Ok(n.int_value()),
        other => Err(ConnectError::data(format!(
            "Invalid type for {logical}, underlying representation should be integer but was {}",
            Node::node_type(Some(other))
        ))),
    }
}

fn decimal(schema: &Schema, node: &Node<'_>) -> Result<Value> {
    match node {
        Node::Number(n) => n
            .decimal_value()
            .map(Value::Decimal)
            .ok_or_else(|| ConnectError::data("Invalid bytes for Decimal field")),
        Node::String(s) => {
            let decoded = base64::decode(s)
                .map_err(|e| ConnectError::data_with("Invalid bytes for Decimal field", e));
            let bytes = decoded?;
            if bytes.is_empty() {
                // Java's `new BigInteger(new byte[0])` fails.
                return Err(ConnectError::data_with(
                    "Invalid bytes for Decimal field",
                    ConnectError::data("Zero length BigInteger"),
                ));
            }
            Decimal::to_logical(schema, &bytes)
                .map(Value::Decimal)
                .map_err(|e| ConnectError::data_with("Invalid bytes for Decimal field", e))
        }
        other => Err(ConnectError::data(format!(
            "Invalid type for Decimal, underlying representation should be numeric or bytes but was {}",
            Node::node_type(Some(other))
        ))),
    }
}
