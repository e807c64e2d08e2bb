//! The worker keys of automatic restarts: a FAILED connector or task is started again after a
//! back-off, a bounded number of times. Apache's worker has no such thing (a failed task
//! stays FAILED until someone calls the REST API); these keys are ours.

use std::collections::HashMap;
use std::time::Duration;

use connect_api::config::ConfigError;

use super::worker_config::{boolean, long};

/// `auto.restart.enable`: whether FAILED connectors and tasks are restarted automatically.
pub const AUTO_RESTART_ENABLE_CONFIG: &str = "auto.restart.enable";
/// `auto.restart.max.attempts`: restarts in a row before the worker gives up.
pub const AUTO_RESTART_MAX_ATTEMPTS_CONFIG: &str = "auto.restart.max.attempts";
/// `auto.restart.backoff.initial.ms`: the wait before the first restart.
pub const AUTO_RESTART_BACKOFF_INITIAL_MS_CONFIG: &str = "auto.restart.backoff.initial.ms";
/// `auto.restart.backoff.max.ms`: the longest wait; also how long a restarted instance must
/// stay up for its next failure to start a new series.
pub const AUTO_RESTART_BACKOFF_MAX_MS_CONFIG: &str = "auto.restart.backoff.max.ms";

/// How FAILED connectors and tasks are restarted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoRestartPolicy {
    /// `auto.restart.enable` (default true).
    pub enabled: bool,
    /// `auto.restart.max.attempts` (default 5).
    pub max_attempts: u32,
    /// `auto.restart.backoff.initial.ms` (default 1 s).
    pub initial_backoff: Duration,
    /// `auto.restart.backoff.max.ms` (default 60 s).
    pub max_backoff: Duration,
}

impl Default for AutoRestartPolicy {
    fn default() -> Self {
        AutoRestartPolicy {
            enabled: true,
            max_attempts: 5,
            initial_backoff: Duration::from_millis(1_000),
            max_backoff: Duration::from_millis(60_000),
        }
    }
}

impl AutoRestartPolicy {
    /// Reads the policy from worker properties.
    pub fn parse(props: &HashMap<String, String>) -> Result<AutoRestartPolicy, ConfigError> {
        let d = AutoRestartPolicy::default();
        let max_attempts = long(
            props,
            AUTO_RESTART_MAX_ATTEMPTS_CONFIG,
            u64::from(d.max_attempts),
        )?;
        let max_attempts = u32::try_from(max_attempts).map_err(|_| {
            ConfigError::invalid(
                AUTO_RESTART_MAX_ATTEMPTS_CONFIG,
                Some(&max_attempts.to_string()),
                "Value must be at most 4294967295",
            )
        })?;
        let initial = long(props, AUTO_RESTART_BACKOFF_INITIAL_MS_CONFIG, 1_000)?;
        let max = long(props, AUTO_RESTART_BACKOFF_MAX_MS_CONFIG, 60_000)?;
        if initial == 0 {
            return Err(ConfigError::invalid(
                AUTO_RESTART_BACKOFF_INITIAL_MS_CONFIG,
                Some("0"),
                "Value must be at least 1",
            ));
        }
        if max < initial {
            return Err(ConfigError::invalid(
                AUTO_RESTART_BACKOFF_MAX_MS_CONFIG,
                Some(&max.to_string()),
                format!(
                    "Value must be at least {AUTO_RESTART_BACKOFF_INITIAL_MS_CONFIG} ({initial})"
                ),
            ));
        }
        Ok(AutoRestartPolicy {
            enabled: boolean(props, AUTO_RESTART_ENABLE_CONFIG, d.enabled)?,
            max_attempts,
            initial_backoff: Duration::from_millis(initial),
            max_backoff: Duration::from_millis(max),
        })
    }

    /// The wait before restart number `attempt` (from 1): the initial back-off doubled for
    /// each earlier attempt, capped, then "equal jitter" (half of it fixed, half random) so
    /// that tasks failing together (a broker outage) do not all come back at the same moment.
    pub fn backoff(&self, attempt: u32, random: f64) -> Duration {
        let doublings = attempt.saturating_sub(1).min(32);
        let base = self
            .initial_backoff
            .saturating_mul(1u32 << doublings.min(31))
            .min(self.max_backoff);
        base / 2 + base.mul_f64(random.clamp(0.0, 1.0) / 2.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_are_on_with_five_attempts() {
        let p = AutoRestartPolicy::parse(&HashMap::new()).unwrap();
        assert_eq!(p, AutoRestartPolicy::default());
        assert!(p.enabled);
    }

    #[test]
    fn back_off_doubles_up_to_the_cap_with_jitter_in_the_upper_half() {
        let p = AutoRestartPolicy::parse(&props(&[
            (AUTO_RESTART_BACKOFF_INITIAL_MS_CONFIG, "100"),
            (AUTO_RESTART_BACKOFF_MAX_MS_CONFIG, "1000"),
        ]))
        .unwrap();
        let ms = |a, r| p.backoff(a, r).as_millis();
        assert_eq!((ms(1, 0.0), ms(1, 1.0)), (50, 100));
        assert_eq!((ms(2, 0.0), ms(2, 1.0)), (100, 200));
        assert_eq!((ms(3, 0.0), ms(3, 1.0)), (200, 400));
        assert_eq!((ms(5, 0.0), ms(5, 1.0)), (500, 1000));
        assert_eq!(ms(40, 1.0), 1000);
    }

    #[test]
    fn bad_values_name_their_key() {
        for (k, v) in [
            (AUTO_RESTART_ENABLE_CONFIG, "maybe"),
            (AUTO_RESTART_MAX_ATTEMPTS_CONFIG, "many"),
            (AUTO_RESTART_BACKOFF_INITIAL_MS_CONFIG, "0"),
            (AUTO_RESTART_BACKOFF_MAX_MS_CONFIG, "10"),
        ] {
            let err = AutoRestartPolicy::parse(&props(&[(k, v)])).unwrap_err();
            assert!(err.to_string().contains(k), "{k}: {err}");
        }
    }
}
