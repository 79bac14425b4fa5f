//! Server-sent-event streams in the browser, read from a `fetch` body's `ReadableStream`.
//!
//! [`subscribe`] returns a [`Subscription`]: a [`futures_core::Stream`] of [`StreamItem`]s that
//! reconnects and resumes by itself, ending after its terminal error (yielded once);
//! [`SubscriptionHandle::close`] ends it from elsewhere. [`stream_turn`] returns a
//! [`TurnStream`] of typed turn events, never reconnected. Dropping either aborts its `fetch`
//! and any backoff sleep. Both are the core's machines ([`SseSession`], [`TurnSession`]) on the
//! loop of every call, which is also how the generated surface's `.stream()` runs here.

use crate::WasmTransport;
use amigo_platform_core::machine::Next;
use amigo_platform_core::nonblocking::Driver;
use amigo_platform_core::sse::{SseSession, TurnSession, WorkspaceEvent};
use amigo_platform_core::{Error, Machine, StreamTransport};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

pub use amigo_platform_core::sse::{StreamItem, SubscriptionHandle, TurnEvent};
pub use amigo_platform_core::streaming::{stream_turn, stream_turn_with, subscribe};

type Item<M> = Option<Result<<M as Machine>::Item, Error>>;
type Turn<M> = Pin<Box<dyn Future<Output = (Driver<M, WasmTransport>, Item<M>)>>>;

/// A machine with items, driven as a [`futures_core::Stream`]: each item, then the terminal
/// error (if any) once, then `None`. Nothing is sent before the first poll.
pub struct Stream<M: Machine, H = ()> {
    next: Option<Turn<M>>,
    handle: H,
}

/// A workspace event subscription: a `Stream` of [`StreamItem`]s.
pub type Subscription = Stream<SseSession, SubscriptionHandle>;

/// A turn stream: a `Stream` of typed [`TurnEvent`]s; dropping it aborts the request.
pub type TurnStream = Stream<TurnSession>;

impl<M: Machine, H> std::fmt::Debug for Stream<M, H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let done = self.next.is_none();
        f.debug_struct("Stream")
            .field("done", &done)
            .finish_non_exhaustive()
    }
}

/// The future of a driver's next item; it hands the driver back for the one after.
fn turn<M: Machine<Output = Result<(), Error>> + 'static>(
    mut driver: Driver<M, WasmTransport>,
) -> Turn<M> {
    Box::pin(async move {
        let item = match driver.next_step().await {
            Next::Item(item) => Some(Ok(item)),
            Next::Done(result) => result.err().map(Err),
        };
        (driver, item)
    })
}

impl<M: Machine<Output = Result<(), Error>> + 'static, H> Stream<M, H> {
    fn new(machine: M, transport: &WasmTransport, handle: H) -> Self {
        let next = Some(turn(Driver::new(machine, transport.clone())));
        Stream { next, handle }
    }

    /// The next item (a convenience over `Stream::poll_next`).
    pub async fn next_item(&mut self) -> Item<M> {
        std::future::poll_fn(|cx| self.poll_item(cx)).await
    }

    fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<Item<M>> {
        let Some(next) = self.next.as_mut() else {
            return Poll::Ready(None);
        };
        let (driver, item) = std::task::ready!(next.as_mut().poll(cx));
        // After the end (an item of `None`, or the terminal error), the driver is dropped.
        self.next = matches!(item, Some(Ok(_))).then(|| turn(driver));
        Poll::Ready(item)
    }
}

impl<M: Machine<Output = Result<(), Error>> + 'static, H: Unpin> futures_core::Stream
    for Stream<M, H>
{
    type Item = Result<M::Item, Error>;
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Item<M>> {
        self.get_mut().poll_item(cx)
    }
}

impl Subscription {
    /// A handle that closes this subscription from elsewhere.
    pub fn handle(&self) -> SubscriptionHandle {
        self.handle.clone()
    }

    /// Unsubscribes (idempotent).
    pub fn close(&self) {
        self.handle.close();
    }

    /// The next business event, skipping connection-state signals; the terminal error, if
    /// any, is returned once, then `None`.
    pub async fn next_event(&mut self) -> Option<Result<WorkspaceEvent, Error>> {
        loop {
            if let Some(item) = StreamItem::business(self.next_item().await?) {
                return Some(item);
            }
        }
    }
}

impl StreamTransport for WasmTransport {
    type Subscription = Subscription;
    type TurnStream = TurnStream;

    fn drive_subscription(&self, session: SseSession) -> Subscription {
        let handle = session.handle();
        Stream::new(session, self, handle)
    }

    fn drive_turn(&self, session: TurnSession) -> TurnStream {
        Stream::new(session, self, ())
    }
}
