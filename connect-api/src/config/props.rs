//! [`ConfigProps`]: the raw string maps that configurations arrive as.

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

use indexmap::IndexMap;

/// A raw configuration: keys to string values, as read from a `.properties` file, a REST body or
/// a config topic. Implemented for `HashMap`, `BTreeMap` and `IndexMap` from `String` to `String`,
/// and to `Option<String>` for REST bodies whose values may be JSON `null` (a key present with a
/// null value is not "missing": Java parses it as `null`).
pub trait ConfigProps {
    /// The value of `key`: `None` if absent, `Some(None)` if present with a null value.
    fn lookup(&self, key: &str) -> Option<Option<&str>>;

    /// Every entry, in the map's own order.
    fn entries(&self) -> Box<dyn Iterator<Item = (&str, Option<&str>)> + '_>;
}

macro_rules! impl_config_props {
    ($([$($generics:tt)*] $map:ty, |$v:ident| $to_str:expr;)*) => {$(
        impl<$($generics)*> ConfigProps for $map {
            fn lookup(&self, key: &str) -> Option<Option<&str>> {
                self.get(key).map(|$v| $to_str)
            }

            fn entries(&self) -> Box<dyn Iterator<Item = (&str, Option<&str>)> + '_> {
                Box::new(self.iter().map(|(k, $v)| (k.as_str(), $to_str)))
            }
        }
    )*};
}

impl_config_props! {
    [S: BuildHasher] HashMap<String, String, S>, |v| Some(v.as_str());
    [S: BuildHasher] HashMap<String, Option<String>, S>, |v| v.as_deref();
    [] BTreeMap<String, String>, |v| Some(v.as_str());
    [] BTreeMap<String, Option<String>>, |v| v.as_deref();
    [S: BuildHasher] IndexMap<String, String, S>, |v| Some(v.as_str());
    [S: BuildHasher] IndexMap<String, Option<String>, S>, |v| v.as_deref();
}

/// The entries of `map` under `prefix`, with the prefix stripped (Java's
/// `AbstractConfig.originalsWithPrefix`).
pub fn with_prefix(map: &HashMap<String, String>, prefix: &str) -> HashMap<String, String> {
    map.iter()
        .filter_map(|(k, v)| k.strip_prefix(prefix).map(|s| (s.to_owned(), v.clone())))
        .collect()
}

/// Parses a LIST value: comma-separated, items trimmed, `""` is empty.
pub fn parse_list(value: &str) -> Vec<String> {
    if value.trim().is_empty() {
        return Vec::new();
    }
    value.split(',').map(|s| s.trim().to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_expose_values_and_nulls() {
        let mut plain = HashMap::new();
        plain.insert("a".to_owned(), "1".to_owned());
        assert_eq!(plain.lookup("a"), Some(Some("1")));
        assert_eq!(plain.lookup("b"), None);
        let mut nullable = BTreeMap::new();
        nullable.insert("a".to_owned(), None);
        nullable.insert("b".to_owned(), Some("2".to_owned()));
        assert_eq!(nullable.lookup("a"), Some(None));
        assert_eq!(
            nullable.entries().collect::<Vec<_>>(),
            [("a", None), ("b", Some("2"))]
        );
        let ordered: IndexMap<String, String> =
            [("z".to_owned(), "1".to_owned())].into_iter().collect();
        assert_eq!(ordered.entries().count(), 1);
    }
}
