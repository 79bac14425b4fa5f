//! A watchdog bounding every figure: both sides of a figure use their clients' defaults (no
//! request timeout, as most users run them), so a stuck server would block a batch forever;
//! past its budget the watchdog prints the figure's error line and ends the process.

use crate::report::error_line;
use std::io::Write as _;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How often the watchdog looks at the clock.
const TICK: Duration = Duration::from_millis(100);

type Armed = Option<(&'static str, Instant, Duration)>;

/// The watchdog thread's handle.
#[derive(Debug, Clone)]
pub struct Watchdog {
    armed: Arc<Mutex<Armed>>,
}

impl Watchdog {
    /// Starts the watchdog thread (disarmed).
    pub fn start() -> Result<Watchdog, String> {
        let armed: Arc<Mutex<Armed>> = Arc::new(Mutex::new(None));
        let shared = armed.clone();
        std::thread::Builder::new()
            .name("bench-watchdog".into())
            .spawn(move || loop {
                std::thread::sleep(TICK);
                let current = *shared.lock().unwrap_or_else(PoisonError::into_inner);
                if let Some((name, since, budget)) = current {
                    if since.elapsed() > budget {
                        let message = format!(
                            "no result within {} s (a server or client is stuck); stopping",
                            budget.as_secs()
                        );
                        println!("{}", error_line(name, &message));
                        let _ = std::io::stdout().flush();
                        std::process::exit(2);
                    }
                }
            })
            .map_err(|e| format!("cannot spawn the watchdog: {e}"))?;
        Ok(Watchdog { armed })
    }

    /// Starts the clock of figure `name`, which must finish within `budget`.
    pub fn arm(&self, name: &'static str, budget: Duration) {
        *self.armed.lock().unwrap_or_else(PoisonError::into_inner) =
            Some((name, Instant::now(), budget));
    }

    /// Stops the clock.
    pub fn disarm(&self) {
        *self.armed.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }
}
