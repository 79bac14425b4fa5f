//! Interleaved A/B pairs: the SDK side and the floor side run in alternating batches, many
//! rounds, and each side's figure is the median of its batches.
//!
//! On a noisy machine two sides measured minutes apart see different machines; batches that
//! alternate (and alternate which side goes first) see the same noise, so their medians and
//! the ratio of the medians are what this harness reports, never means or single runs.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// Set (to anything but `0`) for a quick smoke run: fewer rounds, shorter batches.
pub const QUICK_ENV: &str = "AMIGO_BENCH_QUICK";

/// Overrides the number of rounds (an odd number keeps the median a measured batch).
pub const ROUNDS_ENV: &str = "AMIGO_BENCH_ROUNDS";

/// Upper bound on the operations of one batch.
const MAX_OPS: u64 = 1 << 32;

/// How many rounds and how long a batch.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Pairs of batches per figure.
    pub rounds: usize,
    /// The target duration of one batch.
    pub batch: Duration,
    /// Fresh child processes per side for the peak-RSS figure.
    pub rss_rounds: usize,
    /// Whether this is the quick mode.
    pub quick: bool,
}

impl Settings {
    /// The default mode: 21 rounds of ~100 ms batches, 3 child processes per RSS side.
    pub const DEFAULT: Settings = Settings {
        rounds: 21,
        batch: Duration::from_millis(100),
        rss_rounds: 3,
        quick: false,
    };

    /// The quick mode: 5 rounds of ~20 ms batches, one child process per RSS side.
    pub const QUICK: Settings = Settings {
        rounds: 5,
        batch: Duration::from_millis(20),
        rss_rounds: 1,
        quick: true,
    };

    /// The settings from [`QUICK_ENV`] and [`ROUNDS_ENV`].
    pub fn from_env() -> Settings {
        let quick = std::env::var(QUICK_ENV).is_ok_and(|v| !v.is_empty() && v != "0");
        let mut settings = if quick {
            Settings::QUICK
        } else {
            Settings::DEFAULT
        };
        if let Some(rounds) = std::env::var(ROUNDS_ENV)
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
        {
            settings.rounds = rounds.clamp(1, 1001);
        }
        settings
    }
}

/// What one batch did: how long it took and how many operations it ran.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// Wall time of the batch.
    pub elapsed: Duration,
    /// Operations run (at least the number asked for; concurrent batches round up).
    pub ops: u64,
}

impl Sample {
    /// Seconds per operation.
    pub fn per_op(&self) -> f64 {
        self.elapsed.as_secs_f64() / self.ops.max(1) as f64
    }
}

/// The two medians of a pair, in seconds per operation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pair {
    /// The SDK side's median seconds per operation.
    pub sdk: f64,
    /// The floor side's median seconds per operation.
    pub floor: f64,
}

impl Pair {
    /// SDK time / floor time (> 1: the SDK spends more per operation).
    pub fn time_ratio(&self) -> f64 {
        self.sdk / self.floor
    }

    /// SDK throughput / floor throughput (< 1: the SDK does fewer per second).
    pub fn throughput_ratio(&self) -> f64 {
        self.floor / self.sdk
    }
}

/// Runs `op` `n` times, timing the whole loop; the first error ends the batch.
pub fn timed<T, F>(n: u64, mut op: F) -> Result<Sample, String>
where
    F: FnMut() -> Result<T, String>,
{
    let start = Instant::now();
    for _ in 0..n {
        black_box(op()?);
    }
    Ok(Sample {
        elapsed: start.elapsed(),
        ops: n,
    })
}

/// Measures an interleaved pair: calibrates each side's batch size to about
/// `settings.batch` (which also warms it up), runs one more warm-up batch of each, then
/// `settings.rounds` rounds of one SDK batch and one floor batch, alternating which goes
/// first, and returns the median seconds per operation of each side.
///
/// Each batch closure receives the number of operations to run.
pub fn interleave<A, B>(settings: &Settings, mut sdk: A, mut floor: B) -> Result<Pair, String>
where
    A: FnMut(u64) -> Result<Sample, String>,
    B: FnMut(u64) -> Result<Sample, String>,
{
    let n_sdk = calibrate(&mut sdk, settings.batch).map_err(|e| format!("SDK side: {e}"))?;
    let n_floor = calibrate(&mut floor, settings.batch).map_err(|e| format!("floor side: {e}"))?;
    sdk(n_sdk).map_err(|e| format!("SDK side: {e}"))?;
    floor(n_floor).map_err(|e| format!("floor side: {e}"))?;
    let rounds = settings.rounds.max(1);
    let mut sdk_times = Vec::with_capacity(rounds);
    let mut floor_times = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let (s, f) = if round % 2 == 0 {
            let s = sdk(n_sdk).map_err(|e| format!("SDK side: {e}"))?;
            (s, floor(n_floor).map_err(|e| format!("floor side: {e}"))?)
        } else {
            let f = floor(n_floor).map_err(|e| format!("floor side: {e}"))?;
            (sdk(n_sdk).map_err(|e| format!("SDK side: {e}"))?, f)
        };
        sdk_times.push(s.per_op());
        floor_times.push(f.per_op());
    }
    Ok(Pair {
        sdk: median(&mut sdk_times),
        floor: median(&mut floor_times),
    })
}

/// The number of operations that makes one batch last about `target`; bounded in both the
/// operations tried and the time spent.
fn calibrate<F>(batch: &mut F, target: Duration) -> Result<u64, String>
where
    F: FnMut(u64) -> Result<Sample, String>,
{
    let target = target.as_secs_f64().max(1e-6);
    let started = Instant::now();
    let mut n = 1u64;
    loop {
        let sample = batch(n)?;
        let secs = sample.elapsed.as_secs_f64();
        let spent = started.elapsed().as_secs_f64();
        if secs >= target / 2.0 || n >= MAX_OPS || spent > 10.0 * target + 1.0 {
            let per_op = sample.per_op().max(1e-12);
            return Ok(((target / per_op) as u64).clamp(1, MAX_OPS));
        }
        let grow = if secs > 0.0 {
            (target / secs).clamp(2.0, 10.0)
        } else {
            10.0
        };
        n = ((n as f64 * grow) as u64).clamp(n + 1, MAX_OPS);
    }
}

/// The median (the mean of the two middle values for an even count; 0 when empty).
pub fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(&mut []), 0.0);
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
    }

    #[test]
    fn pairs_alternate_and_take_medians() {
        let settings = Settings {
            rounds: 5,
            batch: Duration::from_micros(200),
            rss_rounds: 1,
            quick: true,
        };
        let order = std::cell::RefCell::new(Vec::new());
        let pair = interleave(
            &settings,
            |n| {
                order.borrow_mut().push('s');
                timed(n, || Ok::<_, String>(std::hint::black_box(1u64) + 1))
            },
            |n| {
                order.borrow_mut().push('f');
                timed(n, || Ok::<_, String>(std::hint::black_box(2u64) + 2))
            },
        )
        .expect("pair");
        assert!(pair.sdk > 0.0 && pair.floor > 0.0);
        let order: String = order.into_inner().into_iter().collect();
        // Calibration and warm-up first, then rounds alternating which side starts.
        assert!(order.ends_with("sffssffssf"), "{order}");
    }

    #[test]
    fn errors_name_the_side() {
        let settings = Settings::QUICK;
        let err = interleave(
            &settings,
            |n| timed(n, || Ok::<_, String>(())),
            |_| Err("server gone".to_string()),
        )
        .expect_err("fails");
        assert_eq!(err, "floor side: server gone");
    }
}
