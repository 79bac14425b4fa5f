//! Cancellation tokens [D3]: runtime-free, usable from blocking and async drivers.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Waker;

#[derive(Default)]
struct Inner {
    cancelled: AtomicBool,
    wakers: Mutex<Vec<Waker>>,
}

/// A cloneable token; cancelling any clone cancels every call that was given it.
#[derive(Clone, Default)]
pub struct CancelToken(Arc<Inner>);

impl CancelToken {
    /// A new, uncancelled token.
    pub fn new() -> Self {
        Self::default()
    }

    /// Cancels every call holding this token and wakes their drivers.
    pub fn cancel(&self) {
        self.0.cancelled.store(true, Ordering::SeqCst);
        let wakers = match self.0.wakers.lock() {
            Ok(mut w) => std::mem::take(&mut *w),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        };
        for w in wakers {
            w.wake();
        }
    }

    /// Whether the token has been cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.0.cancelled.load(Ordering::SeqCst)
    }

    /// Registers a waker to be woken on cancellation (drivers use this to interrupt waits).
    pub fn register(&self, waker: &Waker) {
        if let Ok(mut w) = self.0.wakers.lock() {
            if !w.iter().any(|x| x.will_wake(waker)) {
                w.push(waker.clone());
            }
        }
        if self.is_cancelled() {
            waker.wake_by_ref();
        }
    }

    /// A future that resolves when the token is cancelled.
    pub fn cancelled(&self) -> Cancelled {
        Cancelled(vec![self.clone()])
    }
}

impl std::fmt::Debug for CancelToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CancelToken")
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

/// A future resolving when any of a set of tokens is cancelled (never, for an empty set).
#[derive(Debug, Clone)]
pub struct Cancelled(pub(crate) Vec<CancelToken>);

impl Cancelled {
    /// A future over several tokens.
    pub fn any(tokens: Vec<CancelToken>) -> Self {
        Cancelled(tokens)
    }

    /// Whether any token is cancelled now.
    pub fn is_cancelled(&self) -> bool {
        self.0.iter().any(CancelToken::is_cancelled)
    }

    /// Registers a waker with every token.
    pub fn register(&self, waker: &Waker) {
        for t in &self.0 {
            t.register(waker);
        }
    }
}

impl std::future::Future for Cancelled {
    type Output = ();
    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.is_cancelled() {
            return std::task::Poll::Ready(());
        }
        self.register(cx.waker());
        if self.is_cancelled() {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    }
}
