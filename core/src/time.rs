//! The driver's clock readings, the only time a machine ever sees.

use web_time::{Instant, SystemTime};

/// A snapshot of the driver's clocks, passed into every machine's `poll` and `handle_*`.
///
/// The core never reads a clock: the driver reads both once per step and hands them in, so a
/// machine can be driven by a fake clock in tests and simulations.
#[derive(Debug, Clone, Copy)]
pub struct Time {
    /// Monotonic time, for timeouts and waits.
    pub now: Instant,
    /// Wall-clock time, for HTTP-date `Retry-After` values and token expiry.
    pub wall: SystemTime,
}

impl Time {
    /// The current readings of the system clocks (what a driver passes in).
    pub fn system() -> Time {
        Time {
            now: Instant::now(),
            wall: SystemTime::now(),
        }
    }
}
