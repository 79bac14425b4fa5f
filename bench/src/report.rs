//! The printed output: the header and one line per figure.

use crate::harness::{Pair, Settings};
use std::fmt;

/// Which way a figure's ratio reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// A throughput: SDK/floor ≥ 1 means the SDK is as fast.
    Throughput,
    /// A time per operation: SDK/floor ≤ 1 means the SDK is as fast.
    Time,
    /// Peak memory of 100k items over 1k items: ≤ 1.05 is the target.
    Memory,
}

/// One printed line: the figure's name, its two sides and their ratio.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The figure's name (what the filter argument matches).
    pub name: &'static str,
    /// The label of the first side (`SDK`, or `100k` for memory).
    pub a_label: &'static str,
    /// The first side's figure, with its unit.
    pub a: String,
    /// The label of the second side (`floor`, or `1k` for memory).
    pub b_label: &'static str,
    /// The second side's figure, with its unit.
    pub b: String,
    /// The ratio's name (`SDK/floor`, `100k/1k`).
    pub ratio_label: &'static str,
    /// The ratio.
    pub ratio: f64,
    /// How to read the ratio.
    pub reading: Reading,
    /// Printed after the ratio when not empty (for example connections per request).
    pub note: String,
}

impl Line {
    /// A throughput line: `unit` per second from seconds per operation, times `per_op` units
    /// per operation (1 for requests).
    pub fn throughput(name: &'static str, pair: Pair, per_op: f64, unit: &str) -> Line {
        Line {
            name,
            a_label: "SDK",
            a: rate(per_op / pair.sdk, unit),
            b_label: "floor",
            b: rate(per_op / pair.floor, unit),
            ratio_label: "SDK/floor",
            ratio: pair.throughput_ratio(),
            reading: Reading::Throughput,
            note: String::new(),
        }
    }

    /// A time-per-operation line, in `µs` or `ns`.
    pub fn time(name: &'static str, pair: Pair, unit: TimeUnit) -> Line {
        Line {
            name,
            a_label: "SDK",
            a: unit.show(pair.sdk),
            b_label: "floor",
            b: unit.show(pair.floor),
            ratio_label: "SDK/floor",
            ratio: pair.time_ratio(),
            reading: Reading::Time,
            note: String::new(),
        }
    }
}

/// The unit of a time line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    /// Microseconds, two decimals.
    Micros,
    /// Nanoseconds, no decimals.
    Nanos,
}

impl TimeUnit {
    /// Seconds shown in this unit.
    pub fn show(self, secs: f64) -> String {
        match self {
            TimeUnit::Micros => format!("{:.2} µs", secs * 1e6),
            TimeUnit::Nanos => format!("{:.0} ns", secs * 1e9),
        }
    }
}

/// A rate with its unit: no decimals from 100 up, one or two below.
pub fn rate(value: f64, unit: &str) -> String {
    if value >= 100.0 {
        format!("{value:.0} {unit}")
    } else if value >= 10.0 {
        format!("{value:.1} {unit}")
    } else {
        format!("{value:.2} {unit}")
    }
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hint = match self.reading {
            Reading::Throughput => "(≥1: SDK as fast)",
            Reading::Time => "(≤1: SDK as fast)",
            Reading::Memory => "(target ≤1.05)",
        };
        write!(
            f,
            "{:<16} {:>5} {:>22}   {:>5} {:>16}   {:>9} {:>6.3} {}",
            self.name,
            self.a_label,
            self.a,
            self.b_label,
            self.b,
            self.ratio_label,
            self.ratio,
            hint
        )?;
        if !self.note.is_empty() {
            write!(f, "  {}", self.note)?;
        }
        Ok(())
    }
}

/// An error line: the figure could not be measured.
pub fn error_line(name: &str, error: &str) -> String {
    format!("{name:<16} ERROR: {error}")
}

/// The header printed before the figures.
pub fn header(settings: &Settings) -> String {
    let mode = if settings.quick { "quick" } else { "default" };
    format!(
        "\
Amigo Platform SDK vs raw ({mode} mode: {rounds} interleaved rounds of ~{batch} ms batches per figure)
Each line: figure, the SDK's figure, the floor's figure (the raw client or primitive doing the
same work), and their ratio. Both sides run in the same process as interleaved pairs (one SDK
batch, one floor batch, which goes first alternating); every figure is the median of its side.
  throughputs (req/s, MiB/s): SDK/floor = SDK rate / floor rate; >= 1 means the SDK is as fast,
                              0.80 means the SDK does 20% fewer per second
  times (µs, ns):             SDK/floor = SDK time / floor time; <= 1 means the SDK is as fast,
                              1.25 means the SDK takes 25% longer per operation
  paging.rss:                 peak RSS (VmHWM) of a fresh process auto-paging 100,000 vs 1,000
                              agents with the blocking client; 100k/1k <= 1.05 is the target",
        rounds = settings.rounds,
        batch = settings.batch.as_millis(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throughput_line_reads_sdk_over_floor() {
        let line = Line::throughput(
            "http.blocking",
            Pair {
                sdk: 1.0 / 800.0,
                floor: 1.0 / 1000.0,
            },
            1.0,
            "req/s",
        );
        assert_eq!(line.a, "800 req/s");
        assert_eq!(line.b, "1000 req/s");
        assert!((line.ratio - 0.8).abs() < 1e-9);
        assert!(line
            .to_string()
            .contains("SDK/floor  0.800 (≥1: SDK as fast)"));
    }

    #[test]
    fn time_line_reads_sdk_over_floor() {
        let line = Line::time(
            "core.parse_json",
            Pair {
                sdk: 25e-6,
                floor: 20e-6,
            },
            TimeUnit::Micros,
        );
        assert_eq!(line.a, "25.00 µs");
        assert!((line.ratio - 1.25).abs() < 1e-9);
    }
}
