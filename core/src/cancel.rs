//! Cancellation tokens: runtime-free, usable from blocking and async drivers.
//!
//! A token keeps only the wakers of the waits that are in progress: every registration is
//! held by a [`Registration`] guard (or by a polled [`Cancelled`] future) and released when
//! the guard (or the future) is dropped, so a long-lived token shared by many calls holds
//! one waker per live wait, not one per call ever made.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Waker;

/// The wakers of the live registrations, keyed by registration id.
#[derive(Default)]
struct Registry {
    next: u64,
    wakers: HashMap<u64, Waker>,
}

#[derive(Default)]
struct Inner {
    cancelled: AtomicBool,
    registry: Mutex<Registry>,
}

impl Inner {
    /// The registry; a poisoned lock is still used (the map stays consistent: every update
    /// is a single insert, replace or remove).
    fn registry(&self) -> MutexGuard<'_, Registry> {
        match self.registry.lock() {
            Ok(r) => r,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

/// A cloneable token; cancelling any clone cancels every call that was given it.
#[derive(Clone, Default)]
pub struct CancelToken(Arc<Inner>);

impl CancelToken {
    /// A new, uncancelled token.
    pub fn new() -> Self {
        Self::default()
    }

    /// Cancels every call holding this token and wakes the wakers of all live registrations.
    pub fn cancel(&self) {
        self.0.cancelled.store(true, Ordering::SeqCst);
        let wakers = std::mem::take(&mut self.0.registry().wakers);
        for w in wakers.into_values() {
            w.wake();
        }
    }

    /// Whether the token has been cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.0.cancelled.load(Ordering::SeqCst)
    }

    /// Registers a waker to be woken on cancellation (drivers use this to interrupt waits).
    ///
    /// The registration lasts as long as the returned guard: keep it for the length of the
    /// wait and drop it when the wait ends (dropping it at once registers nothing). Use
    /// [`Registration::update`] to change the waker of a wait that is polled again. A
    /// registration made after the token was cancelled wakes the waker at once.
    pub fn register(&self, waker: &Waker) -> Registration {
        let id = {
            let mut r = self.0.registry();
            let id = r.next;
            r.next += 1;
            r.wakers.insert(id, waker.clone());
            id
        };
        if self.is_cancelled() {
            // `cancel` may have taken the wakers before this one was added.
            self.0.registry().wakers.remove(&id);
            waker.wake_by_ref();
        }
        Registration {
            token: self.0.clone(),
            id,
        }
    }

    /// How many registrations are live on this token (a diagnostic for leak tests).
    #[doc(hidden)]
    pub fn registrations(&self) -> usize {
        self.0.registry().wakers.len()
    }

    /// A future that resolves when the token is cancelled.
    pub fn cancelled(&self) -> Cancelled {
        Cancelled::any(vec![self.clone()])
    }
}

impl std::fmt::Debug for CancelToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CancelToken")
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

/// A waker's registration with a [`CancelToken`], made by [`CancelToken::register`]; dropping
/// it removes the waker from the token.
#[must_use = "the registration ends when the guard is dropped"]
pub struct Registration {
    token: Arc<Inner>,
    id: u64,
}

impl Registration {
    /// Replaces the registered waker (a wait polled again with another waker); nothing
    /// changes when the new waker would wake the same task. After cancellation the waker is
    /// woken at once.
    pub fn update(&mut self, waker: &Waker) {
        {
            let mut r = self.token.registry();
            match r.wakers.get_mut(&self.id) {
                Some(w) => {
                    if !w.will_wake(waker) {
                        w.clone_from(waker);
                    }
                    return;
                }
                // Taken by `cancel` (or not kept because the token was already cancelled).
                None if self.token.cancelled.load(Ordering::SeqCst) => {}
                None => {
                    r.wakers.insert(self.id, waker.clone());
                    return;
                }
            }
        }
        waker.wake_by_ref();
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.token.registry().wakers.remove(&self.id);
    }
}

impl std::fmt::Debug for Registration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registration")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// A future resolving when any of a set of tokens is cancelled (never, for an empty set).
///
/// Polling registers the task's waker with every token once (polling again only replaces
/// the waker); dropping the future releases the registrations. A clone starts unregistered.
#[derive(Debug)]
pub struct Cancelled {
    tokens: Vec<CancelToken>,
    registrations: Vec<Registration>,
}

impl Clone for Cancelled {
    fn clone(&self) -> Self {
        Cancelled::any(self.tokens.clone())
    }
}

impl Cancelled {
    /// A future over several tokens.
    pub fn any(tokens: Vec<CancelToken>) -> Self {
        Cancelled {
            tokens,
            registrations: Vec::new(),
        }
    }

    /// Whether the set has no token at all (the future never resolves).
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// Whether any token is cancelled now.
    pub fn is_cancelled(&self) -> bool {
        self.tokens.iter().any(CancelToken::is_cancelled)
    }

    /// Registers a waker with every token; the registrations last as long as the returned
    /// guards (see [`CancelToken::register`]).
    pub fn register(&self, waker: &Waker) -> Vec<Registration> {
        self.tokens.iter().map(|t| t.register(waker)).collect()
    }
}

impl std::future::Future for Cancelled {
    type Output = ();
    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        let this = self.get_mut();
        if this.is_cancelled() {
            this.registrations.clear();
            return std::task::Poll::Ready(());
        }
        if this.registrations.is_empty() {
            this.registrations = this.register(cx.waker());
        } else {
            for r in &mut this.registrations {
                r.update(cx.waker());
            }
        }
        if this.is_cancelled() {
            this.registrations.clear();
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::atomic::AtomicUsize;
    use std::task::{Context, Poll, Wake};

    /// A waker counting its wakes.
    struct Counter(AtomicUsize);

    impl Wake for Counter {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
        fn wake_by_ref(self: &Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn counter() -> (Arc<Counter>, Waker) {
        let c = Arc::new(Counter(AtomicUsize::new(0)));
        (c.clone(), Waker::from(c))
    }

    fn poll(f: &mut Cancelled, waker: &Waker) -> Poll<()> {
        Pin::new(f).poll(&mut Context::from_waker(waker))
    }

    #[test]
    fn dropped_futures_release_their_registrations_on_a_long_lived_token() {
        let token = CancelToken::new();
        for _ in 0..10_000 {
            let (_, waker) = counter();
            let mut f = token.cancelled();
            assert!(poll(&mut f, &waker).is_pending());
            drop(f);
        }
        assert_eq!(token.registrations(), 0);
    }

    #[test]
    fn cancel_wakes_every_live_registration_and_no_dropped_one() {
        let token = CancelToken::new();
        let mut live = Vec::new();
        let mut dropped = Vec::new();
        for i in 0..100 {
            let (c, waker) = counter();
            let mut f = token.cancelled();
            assert!(poll(&mut f, &waker).is_pending());
            if i % 2 == 0 {
                live.push((c, f));
            } else {
                dropped.push(c);
            }
        }
        assert_eq!(token.registrations(), 50);
        token.cancel();
        for (c, f) in &mut live {
            assert_eq!(c.0.load(Ordering::SeqCst), 1);
            let (_, waker) = counter();
            assert!(poll(f, &waker).is_ready());
        }
        for c in &dropped {
            assert_eq!(c.0.load(Ordering::SeqCst), 0);
        }
        drop(live);
        assert_eq!(token.registrations(), 0);
    }

    #[test]
    fn a_repolled_future_keeps_one_registration_with_its_latest_waker() {
        let token = CancelToken::new();
        let mut f = token.cancelled();
        let mut counters = Vec::new();
        for _ in 0..1_000 {
            let (c, waker) = counter();
            assert!(poll(&mut f, &waker).is_pending());
            counters.push(c);
        }
        assert_eq!(token.registrations(), 1);
        token.cancel();
        let (last, earlier) = counters.split_last().expect("polled");
        assert_eq!(last.0.load(Ordering::SeqCst), 1);
        assert!(earlier.iter().all(|c| c.0.load(Ordering::SeqCst) == 0));
    }

    #[test]
    fn a_clone_registers_on_its_own() {
        let token = CancelToken::new();
        let mut f = token.cancelled();
        let (a, wa) = counter();
        assert!(poll(&mut f, &wa).is_pending());
        let mut g = f.clone();
        let (b, wb) = counter();
        assert!(poll(&mut g, &wb).is_pending());
        assert_eq!(token.registrations(), 2);
        drop(g);
        assert_eq!(token.registrations(), 1);
        token.cancel();
        assert_eq!(a.0.load(Ordering::SeqCst), 1);
        assert_eq!(b.0.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn any_over_several_tokens_releases_each() {
        let (t1, t2) = (CancelToken::new(), CancelToken::new());
        for _ in 0..1_000 {
            let (_, waker) = counter();
            let mut f = Cancelled::any(vec![t1.clone(), t2.clone()]);
            assert!(poll(&mut f, &waker).is_pending());
        }
        assert_eq!((t1.registrations(), t2.registrations()), (0, 0));
        let (c, waker) = counter();
        let mut f = Cancelled::any(vec![t1.clone(), t2.clone()]);
        assert!(poll(&mut f, &waker).is_pending());
        t2.cancel();
        assert_eq!(c.0.load(Ordering::SeqCst), 1);
        assert!(poll(&mut f, &waker).is_ready());
        drop(f);
        assert_eq!(t1.registrations(), 0);
    }

    #[test]
    fn a_registration_after_cancel_wakes_at_once_and_keeps_nothing() {
        let token = CancelToken::new();
        token.cancel();
        let (c, waker) = counter();
        let guard = token.register(&waker);
        assert_eq!(c.0.load(Ordering::SeqCst), 1);
        drop(guard);
        assert_eq!(token.registrations(), 0);
    }

    #[test]
    fn registrations_from_many_threads_are_released() {
        let token = CancelToken::new();
        let threads: Vec<_> = (0..32)
            .map(|_| {
                let token = token.clone();
                std::thread::spawn(move || {
                    for _ in 0..200 {
                        let (_, waker) = counter();
                        let _guard = token.register(&waker);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("thread");
        }
        assert_eq!(token.registrations(), 0);
    }
}
