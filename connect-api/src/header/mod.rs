//! Record headers (Apache's `org.apache.kafka.connect.header`).
//!
//! Headers are an ordered list of key/value pairs; a key may repeat, and each value carries its
//! own optional [`Schema`].

use std::fmt;

use crate::data::{Schema, SchemaAndValue, Value};

/// One header: a key, a value and the value's optional schema (Java's `Header`).
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// The header key.
    pub key: String,
    /// The value's schema, or `None` when unknown.
    pub schema: Option<Schema>,
    /// The header value (`Null` for none).
    pub value: Value,
}

impl Header {
    /// A header.
    pub fn new(key: impl Into<String>, schema: Option<Schema>, value: Value) -> Header {
        Header {
            key: key.into(),
            schema,
            value,
        }
    }

    /// The schema and value together.
    pub fn schema_and_value(&self) -> SchemaAndValue {
        SchemaAndValue::new(self.schema.clone(), self.value.clone())
    }
}

/// Java's `ConnectHeader.toString()`.
impl fmt::Display for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ConnectHeader(key={}, value={}, schema=",
            self.key, self.value
        )?;
        match &self.schema {
            Some(s) => write!(f, "{s})"),
            None => f.write_str("null)"),
        }
    }
}

/// An ordered collection of headers; keys may repeat (Java's `ConnectHeaders`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Headers(Vec<Header>);

impl Headers {
    /// No headers.
    pub fn new() -> Headers {
        Headers(Vec::new())
    }

    /// Whether there are no headers.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The number of headers.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Appends a header.
    pub fn add(&mut self, header: Header) -> &mut Self {
        self.0.push(header);
        self
    }

    /// Appends a header built from its parts.
    pub fn add_value(
        &mut self,
        key: impl Into<String>,
        schema: Option<Schema>,
        value: impl Into<Value>,
    ) -> &mut Self {
        self.add(Header::new(key, schema, value.into()))
    }

    /// Appends a string header with a required string schema (`null` becomes an optional one).
    pub fn add_string(&mut self, key: impl Into<String>, value: Option<&str>) -> &mut Self {
        match value {
            Some(v) => self.add_value(key, Some(crate::data::STRING_SCHEMA.clone()), v),
            None => self.add_value(
                key,
                Some(crate::data::OPTIONAL_STRING_SCHEMA.clone()),
                Value::Null,
            ),
        }
    }

    /// Iterates over all headers in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Header> {
        self.0.iter()
    }

    /// The last header with `key`.
    pub fn last_with_name(&self, key: &str) -> Option<&Header> {
        self.0.iter().rev().find(|h| h.key == key)
    }

    /// All headers with `key`, in order.
    pub fn all_with_name<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Header> + 'a {
        self.0.iter().filter(move |h| h.key == key)
    }

    /// Removes every header with `key`.
    pub fn remove(&mut self, key: &str) -> &mut Self {
        self.0.retain(|h| h.key != key);
        self
    }

    /// Keeps only the last header of each key (Java's `retainLatest()`), preserving order.
    pub fn retain_latest(&mut self) -> &mut Self {
        let mut seen = std::collections::HashSet::new();
        let mut kept: Vec<Header> = Vec::with_capacity(self.0.len());
        for h in self.0.drain(..).rev() {
            if seen.insert(h.key.clone()) {
                kept.push(h);
            }
        }
        kept.reverse();
        self.0 = kept;
        self
    }

    /// Removes every header.
    pub fn clear(&mut self) -> &mut Self {
        self.0.clear();
        self
    }
}

impl IntoIterator for Headers {
    type Item = Header;
    type IntoIter = std::vec::IntoIter<Header>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Headers {
    type Item = &'a Header;
    type IntoIter = std::slice::Iter<'a, Header>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl FromIterator<Header> for Headers {
    fn from_iter<I: IntoIterator<Item = Header>>(iter: I) -> Headers {
        Headers(iter.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_keep_order() {
        let mut h = Headers::new();
        h.add_string("a", Some("1"))
            .add_string("b", Some("2"))
            .add_string("a", Some("3"));
        assert_eq!(h.len(), 3);
        assert_eq!(h.last_with_name("a").unwrap().value, Value::from("3"));
        assert_eq!(h.all_with_name("a").count(), 2);
        let mut latest = h.clone();
        latest.retain_latest();
        let keys: Vec<_> = latest.iter().map(|h| h.key.as_str()).collect();
        assert_eq!(keys, ["b", "a"]);
        h.remove("a");
        assert_eq!(h.len(), 1);
    }
}
