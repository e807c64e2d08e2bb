//! Java `java.util.regex` behaviour on top of the `regex` crate: whole-string `matches()` and
//! `Matcher.replaceFirst` replacement syntax (`$1`, `${name}`, `\` escapes).
//!
//! The pattern syntax is the `regex` crate's, which covers what topic patterns use (classes,
//! groups, quantifiers, alternation, named groups `(?<name>..)`) but has no look-around or
//! back-references; such patterns are rejected at configuration time.

use connect_api::errors::{ConnectError, Result};
use regex::{Captures, Regex};

/// A pattern compiled for Java's `Matcher.matches()`: it must match the whole input.
#[derive(Debug, Clone)]
pub(crate) struct WholeMatch {
    regex: Regex,
}

impl WholeMatch {
    /// Compiles `pattern`, anchored at both ends; the error is the `regex` crate's message.
    pub(crate) fn new(pattern: &str) -> std::result::Result<Self, regex::Error> {
        Ok(WholeMatch {
            regex: Regex::new(&format!("^(?:{pattern})$"))?,
        })
    }

    /// Whether the whole input matches.
    pub(crate) fn matches(&self, input: &str) -> bool {
        self.regex.is_match(input)
    }

    /// The captures of a whole-input match.
    pub(crate) fn captures<'h>(&self, input: &'h str) -> Option<Captures<'h>> {
        self.regex.captures(input)
    }

    /// The number of capturing groups (Java's `groupCount()`).
    pub(crate) fn group_count(&self) -> usize {
        self.regex.captures_len() - 1
    }
}

/// Expands a Java replacement string against a match, as `Matcher.appendReplacement` does:
/// `\x` is a literal `x`, `${name}` a named group, `$n` a numbered group (digits are taken while
/// the number stays a valid group), and a group that did not participate adds nothing.
pub(crate) fn expand_java_replacement(
    pattern: &WholeMatch,
    caps: &Captures<'_>,
    replacement: &str,
) -> Result<String> {
    let group_count = pattern.group_count();
    let mut out = String::new();
    let chars: Vec<char> = replacement.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => {
                i += 1;
                match chars.get(i) {
                    Some(c) => out.push(*c),
                    None => return Err(ConnectError::data("character to be escaped is missing")),
                }
                i += 1;
            }
            '$' => {
                i += 1;
                match chars.get(i) {
                    None => {
                        return Err(ConnectError::data(
                            "Illegal group reference: group index is missing",
                        ))
                    }
                    Some('{') => {
                        let start = i + 1;
                        let end =
                            (start..chars.len())
                                .find(|&j| chars[j] == '}')
                                .ok_or_else(|| {
                                    ConnectError::data(
                                        "named capturing group is missing trailing '}'",
                                    )
                                })?;
                        let name: String = chars[start..end].iter().collect();
                        if name.is_empty() {
                            return Err(ConnectError::data(
                                "named capturing group has 0 length name",
                            ));
                        }
                        if !pattern
                            .regex
                            .capture_names()
                            .any(|n| n == Some(name.as_str()))
                        {
                            return Err(ConnectError::data(format!(
                                "No group with name {{{name}}}"
                            )));
                        }
                        if let Some(m) = caps.name(&name) {
                            out.push_str(m.as_str());
                        }
                        i = end + 1;
                    }
                    Some(c) if c.is_ascii_digit() => {
                        let mut group = c.to_digit(10).unwrap_or(0) as usize;
                        if group > group_count {
                            return Err(ConnectError::data(format!("No group {group}")));
                        }
                        i += 1;
                        while let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
                            let next = group * 10 + d as usize;
                            if next > group_count {
                                break;
                            }
                            group = next;
                            i += 1;
                        }
                        if let Some(m) = caps.get(group) {
                            out.push_str(m.as_str());
                        }
                    }
                    Some(_) => return Err(ConnectError::data("Illegal group reference")),
                }
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replace(pattern: &str, input: &str, replacement: &str) -> Result<String> {
        let w = WholeMatch::new(pattern).unwrap();
        let caps = w.captures(input).unwrap();
        expand_java_replacement(&w, &caps, replacement)
    }

    #[test]
    fn java_replacement_syntax() {
        assert_eq!(replace("(.*)", "orig", "prefix-$1").unwrap(), "prefix-orig");
        assert_eq!(replace("(.*)", "orig", "$1a").unwrap(), "origa");
        assert_eq!(replace("(?<t>.*)", "orig", "${t}-x").unwrap(), "orig-x");
        assert_eq!(replace("(.*)", "orig", "\\$1").unwrap(), "$1");
        assert_eq!(replace("(a)|(b)", "a", "[$2]").unwrap(), "[]");
        assert_eq!(
            replace("(.*)", "orig", "$2").unwrap_err().to_string(),
            "No group 2"
        );
        assert!(replace("(.*)", "orig", "$x").is_err());
        assert!(WholeMatch::new("foo").unwrap().matches("foo"));
        assert!(!WholeMatch::new("foo").unwrap().matches("xfoo"));
        assert!(WholeMatch::new("a|b").unwrap().matches("b"));
    }
}
