//! The optional in-memory replay guard.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use super::error::WebhookError;

/// Remembers accepted event ids until their window ends; bounded, in-memory, shared by clones.
///
/// Entries expire at the delivery timestamp plus the verifier's tolerance (legacy
/// deliveries: `now` plus the tolerance).
///
/// # When full
///
/// Memory stays bounded by `capacity`, and the guard never forgets an id while it is still
/// inside its window (forgetting it would silently accept a replay). Each check first drops
/// the ids whose window has ended; if `capacity` ids are still inside their windows, the new
/// delivery is refused with [`WebhookError::ReplayGuardFull`] and not remembered, so the
/// sender's redelivery goes through once room frees up. Size the guard for the highest
/// delivery rate times the tolerance window.
#[derive(Clone)]
pub struct ReplayGuard {
    state: Arc<Mutex<State>>,
    capacity: usize,
}

#[derive(Default)]
struct State {
    /// id → expiry (ns since the epoch).
    expiry_by_id: HashMap<String, i128>,
    /// (expiry, id), ordered so the soonest expiry comes first.
    by_expiry: BTreeSet<(i128, String)>,
}

impl State {
    fn remove(&mut self, id: &str, expiry: i128) {
        self.expiry_by_id.remove(id);
        self.by_expiry.remove(&(expiry, id.to_owned()));
    }

    /// Drops every entry whose expiry is strictly before `now`.
    fn purge(&mut self, now: i128) {
        while let Some((expiry, id)) = self.by_expiry.first().cloned() {
            if expiry >= now {
                break;
            }
            self.remove(&id, expiry);
        }
    }
}

/// Default number of ids a [`ReplayGuard`] remembers.
const DEFAULT_CAPACITY: usize = 10_000;

impl ReplayGuard {
    /// Creates a guard that remembers at most `capacity` ids (at least one).
    pub fn new(capacity: usize) -> Self {
        Self {
            state: Arc::default(),
            capacity: capacity.max(1),
        }
    }

    /// The maximum number of ids remembered at once.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The number of ids currently remembered (expired ones included until the next purge).
    pub fn len(&self) -> usize {
        self.lock().expiry_by_id.len()
    }

    /// Whether no id is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every remembered id.
    pub fn clear(&self) {
        let mut state = self.lock();
        state.expiry_by_id.clear();
        state.by_expiry.clear();
    }

    /// Records `id` until `expires_at`; fails with `Replayed` if it is still remembered, or
    /// with `ReplayGuardFull` (remembering nothing) when every slot holds an in-window id.
    pub(crate) fn check_and_remember(
        &self,
        id: &str,
        expires_at: i128,
        now: i128,
    ) -> Result<(), WebhookError> {
        let mut state = self.lock();
        state.purge(now);
        if state.expiry_by_id.contains_key(id) {
            return Err(WebhookError::Replayed { id: id.to_owned() });
        }
        // `purge` left only ids inside their window: none may be forgotten to make room.
        if state.expiry_by_id.len() >= self.capacity {
            return Err(WebhookError::ReplayGuardFull {
                capacity: self.capacity,
            });
        }
        state.expiry_by_id.insert(id.to_owned(), expires_at);
        state.by_expiry.insert((expires_at, id.to_owned()));
        Ok(())
    }

    /// Undoes [`Self::check_and_remember`] (used when the caller's validator rejects the event).
    pub(crate) fn forget(&self, id: &str, expires_at: i128) {
        let mut state = self.lock();
        if state.expiry_by_id.get(id) == Some(&expires_at) {
            state.remove(id, expires_at);
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the two maps inconsistent in a way
        // that matters more than losing replay protection, so poisoning is ignored.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Default for ReplayGuard {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

impl fmt::Debug for ReplayGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReplayGuard")
            .field("len", &self.len())
            .field("capacity", &self.capacity)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_id_within_window_is_replayed_and_accepted_after() {
        let g = ReplayGuard::new(10);
        assert_eq!(g.check_and_remember("a", 100, 0), Ok(()));
        assert_eq!(
            g.check_and_remember("a", 100, 50),
            Err(WebhookError::Replayed { id: "a".into() })
        );
        // The expiry instant itself is still inside the window.
        assert_eq!(
            g.check_and_remember("a", 200, 100),
            Err(WebhookError::Replayed { id: "a".into() })
        );
        assert_eq!(g.check_and_remember("a", 300, 101), Ok(()));
        assert_eq!(g.check_and_remember("b", 300, 101), Ok(()));
        assert_eq!(g.len(), 2);
    }

    #[test]
    fn full_of_in_window_ids_rejects_new_ids_and_never_forgets_live_ones() {
        let g = ReplayGuard::new(3);
        for (i, id) in ["a", "b", "c"].iter().enumerate() {
            assert_eq!(g.check_and_remember(id, 1000 + i as i128, 0), Ok(()));
        }
        // Full of ids still inside their window: a new id is refused, nothing is forgotten.
        assert_eq!(
            g.check_and_remember("d", 2000, 1),
            Err(WebhookError::ReplayGuardFull { capacity: 3 })
        );
        assert_eq!(g.len(), 3);
        // Every remembered id is still a replay (the old policy evicted "a" here).
        for id in ["a", "b", "c"] {
            assert_eq!(
                g.check_and_remember(id, 2000, 1),
                Err(WebhookError::Replayed { id: id.into() })
            );
        }
        // A refused id was not remembered: it is accepted once room frees up.
        assert_eq!(
            g.check_and_remember("d", 2000, 1000),
            Err(WebhookError::ReplayGuardFull { capacity: 3 })
        );
        // At 1001 "a" (expiry 1000) is out of its window and makes room.
        assert_eq!(g.check_and_remember("d", 2000, 1001), Ok(()));
        assert_eq!(g.len(), 3);
        assert_eq!(
            g.check_and_remember("b", 2000, 1001),
            Err(WebhookError::Replayed { id: "b".into() })
        );
        assert_eq!(ReplayGuard::new(0).capacity(), 1);
    }

    #[test]
    fn forget_clear_and_shared_clones() {
        let g = ReplayGuard::default();
        let clone = g.clone();
        assert_eq!(g.check_and_remember("a", 10, 0), Ok(()));
        assert!(clone.check_and_remember("a", 10, 0).is_err());
        clone.forget("a", 10);
        assert!(g.is_empty());
        assert_eq!(g.check_and_remember("a", 10, 0), Ok(()));
        g.forget("a", 99); // wrong expiry: a newer entry is kept
        assert_eq!(g.len(), 1);
        g.clear();
        assert!(clone.is_empty());
        assert_eq!(format!("{g:?}"), "ReplayGuard { len: 0, capacity: 10000 }");
    }
}
