//! Interruptible sleeps for the blocking driver.

use amigo_platform_core::CancelToken;
use std::sync::Arc;
use std::task::{Wake, Waker};
use std::thread::Thread;
use web_time::Instant;

struct ThreadWaker(Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

thread_local! {
    static WAKER: Waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
}

/// A waker that unparks the current thread.
pub(crate) fn thread_waker() -> Waker {
    WAKER.with(Clone::clone)
}

/// Whether any token is cancelled.
pub(crate) fn any_cancelled(tokens: &[CancelToken]) -> bool {
    tokens.iter().any(CancelToken::is_cancelled)
}

/// Sleeps until `until`, returning early when a token is cancelled.
pub(crate) fn sleep_until(until: Instant, tokens: &[CancelToken]) {
    let waker = thread_waker();
    // Released when the sleep ends, so a long-lived token keeps no waker of it.
    let _registrations: Vec<_> = tokens.iter().map(|t| t.register(&waker)).collect();
    loop {
        if any_cancelled(tokens) {
            return;
        }
        let now = Instant::now();
        if now >= until {
            return;
        }
        std::thread::park_timeout(until - now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn sleeps_release_their_registrations() {
        let token = CancelToken::new();
        let tokens = [token.clone()];
        for _ in 0..1_000 {
            sleep_until(Instant::now(), &tokens);
        }
        std::thread::scope(|s| {
            for _ in 0..100 {
                s.spawn(|| sleep_until(Instant::now() + Duration::from_millis(1), &tokens));
            }
        });
        assert_eq!(token.registrations(), 0);
    }

    #[test]
    fn a_cancel_still_ends_a_sleep() {
        let token = CancelToken::new();
        let t2 = token.clone();
        let started = Instant::now();
        let canceller = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            t2.cancel();
        });
        sleep_until(
            Instant::now() + Duration::from_secs(30),
            std::slice::from_ref(&token),
        );
        assert!(started.elapsed() < Duration::from_secs(10));
        assert_eq!(token.registrations(), 0);
        canceller.join().expect("canceller");
    }
}
