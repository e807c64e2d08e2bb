//! Recommenders: the valid values and visibility of a key given the other keys' values
//! (Java's `ConfigDef.Recommender`), used by [`ConfigDef::validate`](super::ConfigDef::validate)
//! to fill `recommended_values` and `visible`.

use std::sync::Arc;

use super::{ConfigError, ParsedValue, ParsedValues};

/// Suggests values for a key and decides whether a UI should show it, given the parsed values
/// of the whole configuration (Java's `ConfigDef.Recommender`).
///
/// Both methods have defaults (no suggestions, always visible), so implement only what you need.
/// Return values of the key's own type (e.g. [`ParsedValue::Class`] for a `CLASS` key).
pub trait Recommender: Send + Sync {
    /// The valid values for `name` given `parsed`. An error is reported on the key.
    fn valid_values(
        &self,
        name: &str,
        parsed: &ParsedValues,
    ) -> Result<Vec<ParsedValue>, ConfigError> {
        let _ = (name, parsed);
        Ok(Vec::new())
    }

    /// Whether `name` should be shown given `parsed`.
    fn visible(&self, name: &str, parsed: &ParsedValues) -> bool {
        let _ = (name, parsed);
        true
    }
}

/// The recommender of a key embedded under a prefix: it sees the name and only the parsed values
/// under that prefix, both without the prefix (Java's `ConfigDef.embeddedRecommender`).
pub(crate) struct EmbeddedRecommender {
    pub(crate) prefix: String,
    pub(crate) base: Arc<dyn Recommender>,
}

impl EmbeddedRecommender {
    fn unprefixed<'a>(&self, name: &'a str) -> &'a str {
        name.strip_prefix(self.prefix.as_str()).unwrap_or(name)
    }

    fn unprefixed_values(&self, parsed: &ParsedValues) -> ParsedValues {
        parsed
            .iter()
            .filter_map(|(k, v)| {
                k.strip_prefix(self.prefix.as_str())
                    .map(|k| (k.to_owned(), v.clone()))
            })
            .collect()
    }
}

impl Recommender for EmbeddedRecommender {
    fn valid_values(
        &self,
        name: &str,
        parsed: &ParsedValues,
    ) -> Result<Vec<ParsedValue>, ConfigError> {
        self.base
            .valid_values(self.unprefixed(name), &self.unprefixed_values(parsed))
    }

    fn visible(&self, name: &str, parsed: &ParsedValues) -> bool {
        self.base
            .visible(self.unprefixed(name), &self.unprefixed_values(parsed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct EchoKeys;

    impl Recommender for EchoKeys {
        fn valid_values(
            &self,
            name: &str,
            parsed: &ParsedValues,
        ) -> Result<Vec<ParsedValue>, ConfigError> {
            let mut values = vec![ParsedValue::from(name)];
            values.extend(parsed.keys().map(|k| ParsedValue::from(k.as_str())));
            Ok(values)
        }

        fn visible(&self, name: &str, _: &ParsedValues) -> bool {
            name == "mode"
        }
    }

    #[test]
    fn defaults_recommend_nothing_and_show_the_key() {
        struct Nothing;
        impl Recommender for Nothing {}
        assert_eq!(
            Nothing.valid_values("k", &ParsedValues::new()).unwrap(),
            vec![]
        );
        assert!(Nothing.visible("k", &ParsedValues::new()));
    }

    #[test]
    fn embedded_recommender_sees_unprefixed_names_and_values() {
        let embedded = EmbeddedRecommender {
            prefix: "p.".into(),
            base: Arc::new(EchoKeys),
        };
        let mut parsed = ParsedValues::new();
        parsed.insert("p.mode".into(), None);
        parsed.insert("other".into(), None);
        assert_eq!(
            embedded.valid_values("p.mode", &parsed).unwrap(),
            vec![ParsedValue::from("mode"), ParsedValue::from("mode")]
        );
        assert!(embedded.visible("p.mode", &parsed));
    }
}
