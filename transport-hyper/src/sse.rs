//! Async server-sent-event streams over hyper: the workspace event subscription and the turn
//! stream.
//!
//! - [`subscribe`] returns a [`Subscription`]: a [`futures_core::Stream`] of [`StreamItem`]s
//!   that reconnects and resumes by itself; the terminal error, if any, is yielded once, then
//!   the stream ends. Dropping it cancels everything (the open connection and any backoff
//!   sleep); [`SubscriptionHandle::close`] ends it from elsewhere.
//! - [`stream_turn`] returns a [`TurnStream`]: a `Stream` of typed turn events, never
//!   reconnected; dropping it closes the connection.
//!
//! Both are the core's machines ([`SseSession`], [`TurnSession`]) driven by the same loop as
//! every call, which is also how the generated surface's `.stream()` runs here.
//!
//! ```no_run
//! use amigo_platform_hyper::{sse, Client};
//! use amigo_platform_core::sse::SseOptions;
//! use amigo_platform_core::Config;
//!
//! # async fn run() -> Result<(), amigo_platform_core::Error> {
//! let client = Client::new(Config::builder().api_key("sk-...").workspace_id("ws-001").build()?);
//! let mut subscription = sse::subscribe(&client, SseOptions::new());
//! while let Some(item) = subscription.next_item().await {
//!     if let sse::StreamItem::Event(event) = item? {
//!         println!("{} {:?}", event.event_type, event.id);
//!     }
//! }
//! # Ok(()) }
//! ```

use crate::HyperTransport;
use amigo_platform_core::machine::Next;
use amigo_platform_core::nonblocking::Driver;
use amigo_platform_core::sse::{SseSession, TurnSession, WorkspaceEvent};
use amigo_platform_core::{Error, Machine, StreamTransport};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

pub use amigo_platform_core::sse::{StreamItem, SubscriptionHandle, TurnEvent};
pub use amigo_platform_core::streaming::{stream_turn, stream_turn_with, subscribe};

type Turn<M> = Pin<
    Box<
        dyn Future<
                Output = (
                    Driver<M, HyperTransport>,
                    Option<Result<<M as Machine>::Item, Error>>,
                ),
            > + Send,
    >,
>;

/// A machine with items, driven as a [`futures_core::Stream`]: each item, then the terminal
/// error (if any) once, then `None`. Nothing is sent before the first poll, which must run
/// inside a tokio runtime.
pub struct Stream<M: Machine, H = ()> {
    driver: Option<Driver<M, HyperTransport>>,
    pending: Option<Turn<M>>,
    handle: H,
}

/// An async workspace event subscription: a `Stream` of [`StreamItem`]s.
pub type Subscription = Stream<SseSession, SubscriptionHandle>;

/// An async turn stream: a `Stream` of typed [`TurnEvent`]s; dropping it closes the connection.
pub type TurnStream = Stream<TurnSession>;

// The machine is never pinned: the stream only moves it in and out of its boxed future.
impl<M: Machine, H> Unpin for Stream<M, H> {}

impl<M: Machine, H> std::fmt::Debug for Stream<M, H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stream")
            .field("done", &(self.driver.is_none() && self.pending.is_none()))
            .finish_non_exhaustive()
    }
}

impl<M, H> Stream<M, H>
where
    M: Machine<Output = Result<(), Error>> + Send + 'static,
    M::Item: Send,
{
    fn new(machine: M, transport: HyperTransport, handle: H) -> Self {
        Stream {
            driver: Some(Driver::new(machine, transport)),
            pending: None,
            handle,
        }
    }

    /// The next item (a convenience over `Stream::poll_next`).
    pub async fn next_item(&mut self) -> Option<Result<M::Item, Error>> {
        std::future::poll_fn(|cx| self.poll_item(cx)).await
    }

    fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<M::Item, Error>>> {
        if self.pending.is_none() {
            let Some(mut driver) = self.driver.take() else {
                return Poll::Ready(None);
            };
            self.pending = Some(Box::pin(async move {
                let item = match driver.next_step().await {
                    Next::Item(item) => Some(Ok(item)),
                    Next::Done(result) => return (driver, result.err().map(Err)),
                };
                (driver, item)
            }));
        }
        let Some(fut) = self.pending.as_mut() else {
            return Poll::Ready(None);
        };
        let (driver, item) = std::task::ready!(fut.as_mut().poll(cx));
        self.pending = None;
        // After the end (an item of `None`, or the terminal error), the driver is dropped.
        if matches!(item, Some(Ok(_))) {
            self.driver = Some(driver);
        }
        Poll::Ready(item)
    }
}

impl<M, H> futures_core::Stream for Stream<M, H>
where
    M: Machine<Output = Result<(), Error>> + Send + 'static,
    M::Item: Send,
{
    type Item = Result<M::Item, Error>;
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
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
        self.handle().close();
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

impl StreamTransport for HyperTransport {
    type Subscription = Subscription;
    type TurnStream = TurnStream;

    fn drive_subscription(&self, session: SseSession) -> Subscription {
        let handle = session.handle();
        Stream::new(session, self.clone(), handle)
    }

    fn drive_turn(&self, session: TurnSession) -> TurnStream {
        Stream::new(session, self.clone(), ())
    }
}
