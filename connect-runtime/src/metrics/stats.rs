//! Windowed statistics as Kafka's `org.apache.kafka.common.metrics.stats` computes them: a
//! rate, an average and a maximum over the last `metrics.num.samples` windows of
//! `metrics.sample.window.ms` each, and a cumulative total.
//!
//! Values are recorded once per batch or operation, never per record, so one short-lived lock
//! per record call costs nothing next to the work it measures.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// How samples are kept (Kafka's `MetricConfig`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleConfig {
    /// `metrics.sample.window.ms` (default 30 s).
    pub window: Duration,
    /// `metrics.num.samples` (default 2).
    pub samples: usize,
}

impl SampleConfig {
    /// `metrics.sample.window.ms` and `metrics.num.samples` from worker properties; values
    /// that are not positive numbers keep the defaults (the worker logs unknown keys only).
    pub fn from_props(props: &std::collections::HashMap<String, String>) -> SampleConfig {
        let d = SampleConfig::default();
        let get = |k: &str| {
            props
                .get(k)
                .and_then(|v| v.trim().parse::<u64>().ok())
                .filter(|v| *v > 0)
        };
        SampleConfig {
            window: get("metrics.sample.window.ms").map_or(d.window, Duration::from_millis),
            samples: get("metrics.num.samples").map_or(d.samples, |n| n as usize),
        }
    }
}

impl Default for SampleConfig {
    fn default() -> Self {
        SampleConfig {
            window: Duration::from_secs(30),
            samples: 2,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Sample {
    start: Instant,
    events: u64,
    sum: f64,
    max: f64,
}

/// One measured quantity: its total, and its samples for rate, average and maximum.
#[derive(Debug)]
pub struct Sampled {
    config: SampleConfig,
    total: AtomicU64,
    samples: Mutex<VecDeque<Sample>>,
}

impl Sampled {
    /// Nothing recorded yet.
    pub fn new(config: SampleConfig) -> Sampled {
        Sampled {
            config,
            total: AtomicU64::new(0),
            samples: Mutex::new(VecDeque::new()),
        }
    }

    /// Records `value` (a count of records, a duration in ms, a batch size); the total grows
    /// by `value` rounded down.
    pub fn record(&self, value: f64) {
        self.record_at(value, Instant::now());
    }

    fn record_at(&self, value: f64, now: Instant) {
        self.total
            .fetch_add(value.max(0.0) as u64, Ordering::Relaxed);
        let mut samples = lock(&self.samples);
        self.purge(&mut samples, now);
        match samples.back_mut() {
            Some(s) if now.duration_since(s.start) < self.config.window => {
                s.events += 1;
                s.sum += value;
                s.max = s.max.max(value);
            }
            _ => {
                samples.push_back(Sample {
                    start: now,
                    events: 1,
                    sum: value,
                    max: value,
                });
                while samples.len() > self.config.samples.max(1) {
                    samples.pop_front();
                }
            }
        }
    }

    /// Drops samples that ended before the window of all samples began.
    fn purge(&self, samples: &mut VecDeque<Sample>, now: Instant) {
        let span = self.config.window * self.config.samples.max(1) as u32;
        while samples
            .front()
            .is_some_and(|s| now.duration_since(s.start) >= span)
        {
            samples.pop_front();
        }
    }

    /// The cumulative total of recorded values.
    pub fn total(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }

    /// The sum of recorded values per second over the samples (Kafka's `Rate`): the elapsed
    /// time counts at least `samples - 1` full windows, so a first burst does not read as a
    /// huge rate.
    pub fn rate(&self) -> f64 {
        self.rate_at(Instant::now())
    }

    fn rate_at(&self, now: Instant) -> f64 {
        let mut samples = lock(&self.samples);
        self.purge(&mut samples, now);
        let sum: f64 = samples.iter().map(|s| s.sum).sum();
        let oldest = samples.front().map_or(now, |s| s.start);
        let window = self.config.window.as_secs_f64();
        let mut elapsed = now.duration_since(oldest).as_secs_f64();
        let full = (elapsed / window).floor();
        let min_full = self.config.samples.saturating_sub(1) as f64;
        if full < min_full {
            elapsed += (min_full - full) * window;
        }
        if elapsed <= 0.0 {
            0.0
        } else {
            sum / elapsed
        }
    }

    /// The average recorded value over the samples; NaN when there is none (as Kafka's `Avg`).
    pub fn avg(&self) -> f64 {
        let mut samples = lock(&self.samples);
        self.purge(&mut samples, Instant::now());
        let (sum, events) = samples
            .iter()
            .fold((0.0, 0u64), |(s, e), x| (s + x.sum, e + x.events));
        if events == 0 {
            f64::NAN
        } else {
            sum / events as f64
        }
    }

    /// The largest recorded value over the samples; NaN when there is none (as Kafka's `Max`).
    pub fn max(&self) -> f64 {
        let mut samples = lock(&self.samples);
        self.purge(&mut samples, Instant::now());
        samples
            .iter()
            .map(|s| s.max)
            .fold(f64::NAN, |m, x| if m.is_nan() { x } else { m.max(x) })
    }
}

/// The share of time spent in one state, as Apache's task `running-ratio` / `pause-ratio`.
#[derive(Debug)]
pub struct TimeInState<S> {
    inner: Mutex<StateClock<S>>,
}

#[derive(Debug)]
struct StateClock<S> {
    since: Instant,
    state: Option<S>,
    spent: Vec<(S, Duration)>,
    created: Instant,
}

impl<S: Copy + PartialEq> TimeInState<S> {
    /// No state yet.
    pub fn new() -> TimeInState<S> {
        let now = Instant::now();
        TimeInState {
            inner: Mutex::new(StateClock {
                since: now,
                state: None,
                spent: Vec::new(),
                created: now,
            }),
        }
    }

    /// The state changes to `state` now.
    pub fn enter(&self, state: S) {
        let mut c = lock(&self.inner);
        let now = Instant::now();
        if let Some(old) = c.state {
            let d = now.duration_since(c.since);
            match c.spent.iter_mut().find(|(s, _)| *s == old) {
                Some((_, t)) => *t += d,
                None => c.spent.push((old, d)),
            }
        }
        c.state = Some(state);
        c.since = now;
    }

    /// The current state, if any.
    pub fn current(&self) -> Option<S> {
        lock(&self.inner).state
    }

    /// The share (0 to 1) of the time since creation spent in `state`.
    pub fn ratio(&self, state: S) -> f64 {
        let c = lock(&self.inner);
        let now = Instant::now();
        let mut t = c
            .spent
            .iter()
            .find(|(s, _)| *s == state)
            .map_or(Duration::ZERO, |(_, t)| *t);
        if c.state == Some(state) {
            t += now.duration_since(c.since);
        }
        let total = now.duration_since(c.created).as_secs_f64();
        if total <= 0.0 {
            0.0
        } else {
            t.as_secs_f64() / total
        }
    }
}

impl<S: Copy + PartialEq> Default for TimeInState<S> {
    fn default() -> Self {
        TimeInState::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> SampleConfig {
        SampleConfig {
            window: Duration::from_secs(10),
            samples: 2,
        }
    }

    #[test]
    fn rate_counts_at_least_one_full_window() {
        let s = Sampled::new(config());
        let t0 = Instant::now();
        s.record_at(100.0, t0);
        // Kafka's Rate: elapsed time plus the missing full windows (here one): 100 in 11 s.
        assert!((s.rate_at(t0 + Duration::from_secs(1)) - 100.0 / 11.0).abs() < 1e-9);
        s.record_at(100.0, t0 + Duration::from_secs(15));
        // 200 over 19 s: one full window has passed, nothing is added.
        assert!((s.rate_at(t0 + Duration::from_secs(19)) - 200.0 / 19.0).abs() < 1e-9);
        // The first sample expires at 20 s; the second (from 15 s) remains: 100 over 15 s.
        assert!((s.rate_at(t0 + Duration::from_secs(30)) - 100.0 / 15.0).abs() < 1e-9);
        assert_eq!(s.total(), 200);
    }

    #[test]
    fn avg_and_max_are_nan_until_something_is_recorded() {
        let s = Sampled::new(config());
        assert!(s.avg().is_nan() && s.max().is_nan());
        s.record(2.0);
        s.record(6.0);
        assert_eq!((s.avg(), s.max()), (4.0, 6.0));
    }

    #[test]
    fn time_in_state_splits_the_time_since_creation() {
        let t = TimeInState::new();
        t.enter("running");
        std::thread::sleep(Duration::from_millis(30));
        t.enter("paused");
        std::thread::sleep(Duration::from_millis(30));
        let (r, p) = (t.ratio("running"), t.ratio("paused"));
        assert!(r > 0.3 && p > 0.3 && r + p <= 1.0001, "{r} {p}");
    }
}
