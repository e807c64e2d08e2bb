//! The outcome of an acceptance run.

use std::fmt;

/// How one check ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The connector has the property.
    Passed,
    /// It does not; the text says what was expected and what happened.
    Failed(String),
    /// The check could not run; the text says what it needs.
    Skipped(String),
}

/// One check and its verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// The check's name (one of [`checks`](super::checks)).
    pub name: &'static str,
    /// How it ended.
    pub verdict: Verdict,
}

/// Every check of one acceptance run, in the order run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// What was checked (the connector's type or plugin name).
    pub subject: String,
    /// The checks.
    pub checks: Vec<Check>,
}

impl Report {
    pub(crate) fn new(subject: impl Into<String>) -> Report {
        Report {
            subject: subject.into(),
            checks: Vec::new(),
        }
    }

    pub(crate) fn add(&mut self, name: &'static str, verdict: Verdict) {
        self.checks.push(Check { name, verdict });
    }

    /// The verdict of the check named `name`.
    pub fn verdict(&self, name: &str) -> Option<&Verdict> {
        self.checks
            .iter()
            .find(|c| c.name == name)
            .map(|c| &c.verdict)
    }

    /// The checks that failed.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks
            .iter()
            .filter(|c| matches!(c.verdict, Verdict::Failed(_)))
    }

    /// Whether no check failed (skipped ones do not count as failures).
    pub fn passed(&self) -> bool {
        self.failures().next().is_none()
    }

    /// Panics with the whole report if any check failed.
    #[track_caller]
    pub fn assert_passed(&self) {
        if !self.passed() {
            panic!("{self}");
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let failed = self.failures().count();
        writeln!(
            f,
            "acceptance of {}: {} of {} checks failed",
            self.subject,
            failed,
            self.checks.len()
        )?;
        for c in &self.checks {
            match &c.verdict {
                Verdict::Passed => writeln!(f, "  ok      {}", c.name)?,
                Verdict::Failed(why) => {
                    writeln!(f, "  FAILED  {}\n          {}", c.name, indent(why))?
                }
                Verdict::Skipped(why) => {
                    writeln!(f, "  skipped {}\n          {}", c.name, indent(why))?
                }
            }
        }
        Ok(())
    }
}

fn indent(text: &str) -> String {
    text.replace('\n', "\n          ")
}
