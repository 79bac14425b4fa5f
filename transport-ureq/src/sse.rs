//! Blocking server-sent-event streams: the workspace event subscription and the turn stream.
//!
//! - [`subscribe`] returns a [`Subscription`]: an `Iterator` of [`StreamItem`]s (business events
//!   and connection-state signals; [`Subscription::events`] keeps only events). It reconnects and
//!   resumes by itself; the terminal error, if any, is yielded once, then the iterator ends.
//!   A [`SubscriptionHandle`] closes it from another thread, waking a blocked `next()` at once.
//! - [`stream_turn`] returns a [`TurnStream`]: an `Iterator` of typed turn events, never
//!   reconnected; dropping it closes the connection.
//!
//! Both are the core's machines ([`SseSession`], [`TurnSession`]) driven by the same loop as
//! every call, which is also how the generated surface's `.stream()` runs here. A streamed
//! body is read by a helper thread feeding a bounded channel, so that the idle watchdog,
//! backoff sleeps and `close()` never wait on a blocked read.
//!
//! ```no_run
//! use amigo_platform_ureq::{sse, Client};
//! use amigo_platform_core::sse::SseOptions;
//! use amigo_platform_core::Config;
//!
//! let client = Client::new(Config::builder().api_key("sk-...").workspace_id("ws-001").build()?);
//! let subscription = sse::subscribe(&client, SseOptions::new());
//! let handle = subscription.handle();
//! for event in subscription.events().take(10) {
//!     let event = event?;
//!     println!("{} {:?}", event.event_type, event.id);
//! }
//! handle.close();
//! # Ok::<(), amigo_platform_core::Error>(())
//! ```

use crate::driver::{Driver, Next};
use crate::UreqTransport;
use amigo_platform_core::sse::{SseSession, TurnSession, WorkspaceEvent};
use amigo_platform_core::{Error, Machine, StreamTransport};

pub use amigo_platform_core::sse::{StreamItem, SubscriptionHandle, TurnEvent};
pub use amigo_platform_core::streaming::{stream_turn, stream_turn_with, subscribe};

/// A machine with items, driven as an `Iterator`: each item, then the terminal error (if
/// any) once, then `None`.
pub struct Stream<M> {
    driver: Driver<M>,
    done: bool,
}

/// A blocking workspace event subscription: an `Iterator` of [`StreamItem`]s.
pub type Subscription = Stream<SseSession>;

/// A blocking turn stream: an `Iterator` of typed [`TurnEvent`]s; dropping it closes the
/// connection. The stream is never reconnected or re-posted.
pub type TurnStream = Stream<TurnSession>;

impl<M: std::fmt::Debug> std::fmt::Debug for Stream<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stream")
            .field("machine", &self.driver.machine)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<M: Machine<Output = Result<(), Error>>> Iterator for Stream<M> {
    type Item = Result<M::Item, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.driver.next() {
            Next::Item(item) => Some(Ok(item)),
            Next::Done(result) => {
                self.done = true;
                result.err().map(Err)
            }
        }
    }
}

impl Subscription {
    /// A handle that closes this subscription from another thread.
    pub fn handle(&self) -> SubscriptionHandle {
        self.driver.machine.handle()
    }

    /// Unsubscribes (idempotent); the next `next()` returns `None`.
    pub fn close(&self) {
        self.driver.machine.close();
    }

    /// Only the business events (state signals are skipped; the terminal error is kept).
    pub fn events(self) -> impl Iterator<Item = Result<WorkspaceEvent, Error>> {
        self.filter_map(StreamItem::business)
    }
}

impl StreamTransport for UreqTransport {
    type Subscription = Subscription;
    type TurnStream = TurnStream;

    fn drive_subscription(&self, session: SseSession) -> Subscription {
        Stream {
            driver: Driver::new(session, self.clone()),
            done: false,
        }
    }

    fn drive_turn(&self, session: TurnSession) -> TurnStream {
        Stream {
            driver: Driver::new(session, self.clone()),
            done: false,
        }
    }
}
