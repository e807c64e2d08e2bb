//! Apache's `DefaultTopicFilter`: comma-separated name or regex lists, joined with `|` and
//! matched against whole names; excludes win; an empty list matches nothing.

use regex::Regex;

/// Topics to replicate: those `topics` matches and `topics.exclude` does not.
#[derive(Debug, Clone)]
pub struct TopicFilter {
    include: Option<Regex>,
    exclude: Option<Regex>,
}

/// One anchored pattern for a list (`None` for an empty list, which matches nothing).
pub fn list_pattern(key: &str, list: &[String]) -> Result<Option<Regex>, String> {
    let parts: Vec<&str> = list
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    if parts.is_empty() {
        return Ok(None);
    }
    Regex::new(&format!("^(?:{})$", parts.join("|")))
        .map(Some)
        .map_err(|e| format!("Invalid regular expression in {key}: {e}"))
}

impl TopicFilter {
    /// A filter of `topics` and `topics.exclude`.
    pub fn new(include: &[String], exclude: &[String]) -> Result<TopicFilter, String> {
        Ok(TopicFilter {
            include: list_pattern("topics", include)?,
            exclude: list_pattern("topics.exclude", exclude)?,
        })
    }

    /// Whether `topic` is to be replicated.
    pub fn should_replicate(&self, topic: &str) -> bool {
        let included = self.include.as_ref().is_some_and(|r| r.is_match(topic));
        let excluded = self.exclude.as_ref().is_some_and(|r| r.is_match(topic));
        included && !excluded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(s: &str) -> Vec<String> {
        s.split(',').map(|p| p.trim().to_owned()).collect()
    }

    #[test]
    fn whole_names_and_excludes_win() {
        let f = TopicFilter::new(
            &list("orders, pay.*"),
            &list(".*[\\-\\.]internal, .*\\.replica, __.*"),
        )
        .unwrap();
        assert!(f.should_replicate("orders"));
        assert!(!f.should_replicate("orders-dlq"));
        assert!(f.should_replicate("payments"));
        assert!(!f.should_replicate("payments.internal"));
        assert!(!f.should_replicate("__consumer_offsets"));
        let none = TopicFilter::new(&[], &[]).unwrap();
        assert!(!none.should_replicate("orders"));
    }
}
