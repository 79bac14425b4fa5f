//! The one async driver loop, for transports whose I/O is futures (any runtime, or a browser).
//!
//! An async transport implements only its I/O primitives, [`AsyncIo`]: a future that sends an
//! attempt (keeping the body of a streamed response), a future of the next bytes of a kept
//! body, and a timer. The loop here ([`Driver`]) answers every [`Step`] of every [`Machine`]
//! with them, racing each one against the machine's cancel tokens and deadlines; dropping its
//! future abandons whatever is in flight. It is runtime-agnostic: the transport's futures are
//! the only runtime it touches.

use crate::call::attempt::Attempt;
use crate::call::attempt::AttemptOutcome;
use crate::call::operation::Operation;
use crate::call::response::Response;
use crate::call::retry::OperationCall;
use crate::cancel::Cancelled;
use crate::client::CallContext;
use crate::machine::{Machine, Next, Read, Sent, Step};
use crate::time::Time;
use crate::Error;
use std::future::Future;
use std::pin::pin;
use std::task::Poll;
use web_time::{Instant, SystemTime};

/// The I/O primitives of an async transport.
pub trait AsyncIo: Clone + std::fmt::Debug + 'static {
    /// A kept response body.
    type Body;

    /// Sends `attempt` under `attempt.timeout`, like
    /// [`BlockingIo::send`](crate::transport::blocking::BlockingIo::send) (the loop handles
    /// cancellation by dropping the future).
    fn send(&self, attempt: Attempt) -> impl Future<Output = Sent<Self::Body>>;

    /// The next bytes of a kept body ([`Read::Chunk`], [`Read::Eof`] or [`Read::Failed`]);
    /// the loop bounds it by the machine's deadline and its cancel tokens.
    fn read(&self, body: &mut Self::Body) -> impl Future<Output = Read>;

    /// A timer that fires at `until`.
    fn sleep(&self, until: Instant) -> impl Future<Output = ()>;
}

/// Which of two raced futures finished first.
enum Either<A, B> {
    Left(A),
    Right(B),
}

/// Runs both futures; the first to finish wins and the other is dropped.
async fn race<A: Future, B: Future>(a: A, b: B) -> Either<A::Output, B::Output> {
    let (mut a, mut b) = (pin!(a), pin!(b));
    std::future::poll_fn(|cx| {
        if let Poll::Ready(x) = a.as_mut().poll(cx) {
            return Poll::Ready(Either::Left(x));
        }
        b.as_mut().poll(cx).map(Either::Right)
    })
    .await
}

/// Sends an attempt, giving up when a cancel token fires.
async fn send<Io: AsyncIo>(io: &Io, cancelled: &Cancelled, attempt: Attempt) -> Sent<Io::Body> {
    if cancelled.is_empty() {
        return io.send(attempt).await;
    }
    match race(io.send(attempt), cancelled.clone()).await {
        Either::Left(sent) => sent,
        Either::Right(()) => Sent::Outcome(AttemptOutcome::Cancelled),
    }
}

/// The loop: drives one machine over a transport's [`AsyncIo`].
pub struct Driver<M, Io: AsyncIo> {
    machine: M,
    io: Io,
    cancelled: Cancelled,
    body: Option<Io::Body>,
}

impl<M: std::fmt::Debug, Io: AsyncIo> std::fmt::Debug for Driver<M, Io> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Driver")
            .field("machine", &self.machine)
            .field("io", &self.io)
            .finish_non_exhaustive()
    }
}

impl<M: Machine, Io: AsyncIo> Driver<M, Io> {
    /// Drives `machine` over `io`; nothing happens before the first
    /// [`next_step`](Self::next_step) is polled.
    pub fn new(machine: M, io: Io) -> Self {
        let cancelled = Cancelled::any(machine.cancel_tokens().to_vec());
        Driver {
            machine,
            io,
            cancelled,
            body: None,
        }
    }

    /// The machine (for example to hand it an answer an item asked for).
    pub fn machine(&mut self) -> &mut M {
        &mut self.machine
    }

    /// Runs the machine to its next item or its end.
    pub async fn next_step(&mut self) -> Next<M::Item, M::Output> {
        loop {
            match self.machine.poll(Time::system()) {
                Step::Send(attempt) => {
                    self.body = None;
                    match send(&self.io, &self.cancelled, attempt).await {
                        Sent::Outcome(o) => self.machine.handle_outcome(o, Time::system()),
                        Sent::Stream(head, body) => {
                            self.body = Some(body);
                            self.machine.handle_head(head, Time::system());
                        }
                    }
                }
                Step::Refresh(mut refresh) => {
                    let result = match refresh.begin(SystemTime::now()) {
                        Ok(Some(attempt)) => {
                            let outcome = match send(&self.io, &self.cancelled, attempt).await {
                                Sent::Outcome(o) => o,
                                Sent::Stream(..) => AttemptOutcome::Cancelled,
                            };
                            refresh.finish(outcome, SystemTime::now())
                        }
                        other => other.map(drop),
                    };
                    self.machine.handle_refresh(result, Time::system());
                }
                Step::Read(until) => {
                    let Driver {
                        machine,
                        io,
                        cancelled,
                        body,
                    } = self;
                    let Some(body) = body.as_mut() else {
                        machine.handle_eof(Time::system());
                        continue;
                    };
                    let stop = async {
                        match until {
                            Some(at) => {
                                let _ = race(io.sleep(at), cancelled.clone()).await;
                            }
                            None => cancelled.clone().await,
                        }
                    };
                    match race(io.read(body), stop).await {
                        Either::Left(Read::Chunk(bytes)) => {
                            machine.handle_data(bytes, Time::system())
                        }
                        Either::Left(Read::Eof) => machine.handle_eof(Time::system()),
                        Either::Left(Read::Failed(e)) => {
                            machine.handle_read_error(e, Time::system())
                        }
                        Either::Left(Read::Nothing) | Either::Right(()) => {}
                    }
                }
                Step::Wait(until) => {
                    self.body = None;
                    let _ = race(self.io.sleep(until), self.cancelled.clone()).await;
                }
                Step::Item(item) => return Next::Item(item),
                Step::Done(result) => {
                    self.body = None;
                    return Next::Done(result);
                }
            }
        }
    }
}

impl<M: Machine<Item = std::convert::Infallible>, Io: AsyncIo> Driver<M, Io> {
    /// Runs a machine without items (a call, a refresh) to its end.
    pub async fn run(mut self) -> M::Output {
        match self.next_step().await {
            Next::Done(output) => output,
            Next::Item(never) => match never {},
        }
    }
}

/// Runs one call to completion over `io` (`meta`: keep the full response metadata), with
/// `seed` for its jitter.
pub async fn execute<Io: AsyncIo, O: Operation>(
    io: Io,
    ctx: CallContext<O>,
    meta: bool,
    seed: u64,
) -> Result<Response<O::Output>, Error> {
    let call = OperationCall::from_context(ctx, seed, Time::system());
    // Only the data goes back: skip building the response metadata.
    let call = if meta { call } else { call.data_only() };
    Driver::new(call, io).run().await
}

/// Runs a device-code login to completion over `io`, calling `callbacks` for its items.
pub async fn device_login<Io: AsyncIo, C: crate::auth::LoginCallbacks + ?Sized>(
    io: &Io,
    options: &crate::auth::LoginOptions,
    callbacks: &mut C,
) -> Result<crate::auth::Credentials, Error> {
    let mut driver = Driver::new(crate::auth::DeviceLogin::new(options.clone()), io.clone());
    loop {
        match driver.next_step().await {
            Next::Item(event) => driver.machine.deliver(event, callbacks),
            Next::Done(result) => return result,
        }
    }
}

/// A token manager's access token, refreshed first over `io` when under 60 s remain; `None`
/// when nothing is stored.
pub async fn access_token<Io: AsyncIo>(
    io: &Io,
    manager: &crate::auth::TokenManager,
) -> Result<Option<crate::auth::AccessToken>, Error> {
    Driver::new(crate::auth::Refreshing::new(manager), io.clone())
        .run()
        .await
}

/// Implements [`Transport`](crate::Transport) for a type that implements [`AsyncIo`]: a call
/// is the boxed future `$sent<T>` (the transport's alias of
/// `Pin<Box<dyn Future<Output = Result<T, Error>> (+ Send)>>`), auto-paging a
/// [`PageStream`](crate::PageStream). `seed = path` names a function giving the jitter seeds
/// (for a platform without the standard library's random keys).
#[macro_export]
macro_rules! nonblocking_transport {
    ($t:ty, $sent:ident) => {
        $crate::nonblocking_transport!($t, $sent, seed = $crate::__private::random_seed);
    };
    ($t:ty, $sent:ident, seed = $seed:path) => {
        impl $crate::Transport for $t {
            fn seed() -> u64 {
                $seed()
            }
            type Sent<T: Send + 'static> = $sent<T>;
            type Paging<O: $crate::Paginated> = $crate::PageStream<$t, O>;
            fn execute<O: $crate::Operation>(
                &self,
                ctx: $crate::CallContext<O>,
            ) -> $sent<$crate::Response<O::Output>> {
                Box::pin($crate::transport::nonblocking::execute(
                    self.clone(),
                    ctx,
                    true,
                    <$t as $crate::Transport>::seed(),
                ))
            }
            fn execute_data<O: $crate::Operation>(
                &self,
                ctx: $crate::CallContext<O>,
            ) -> $sent<O::Output> {
                let seed = <$t as $crate::Transport>::seed();
                let sent = $crate::transport::nonblocking::execute(self.clone(), ctx, false, seed);
                Box::pin(async move { sent.await.map($crate::Response::into_data) })
            }
            fn paginate<O: $crate::Paginated>(
                &self,
                ctx: $crate::CallContext<O>,
            ) -> $crate::PageStream<$t, O> {
                $crate::PageStream::new(self.clone(), ctx)
            }
            fn ready<T: Send + 'static>(result: Result<T, $crate::Error>) -> $sent<T> {
                Box::pin(std::future::ready(result))
            }
            fn then<T, U, F>(first: $sent<T>, next: F) -> $sent<U>
            where
                T: Send + 'static,
                U: Send + 'static,
                F: FnOnce(Result<T, $crate::Error>) -> $sent<U> + Send + 'static,
            {
                Box::pin(async move { next(first.await).await })
            }
        }
    };
}

/// Declares an async transport's streams over the core's [`Driver`]: `Stream<M, H>` (a
/// `futures_core::Stream` of a machine's items, then its terminal error once, then `None`;
/// nothing is sent before the first poll), the aliases `Subscription` and `TurnStream`, and
/// the [`StreamTransport`](crate::sse::StreamTransport) implementation. `[+ Send]` makes the
/// streams `Send` (for multi-threaded runtimes); `[]` leaves them local (browsers).
#[macro_export]
macro_rules! nonblocking_streams {
    ($t:ty, [$($send:tt)*]) => {
        type Turn<M> = std::pin::Pin<
            Box<
                dyn std::future::Future<
                        Output = (
                            $crate::transport::nonblocking::Driver<M, $t>,
                            Option<Result<<M as $crate::Machine>::Item, $crate::Error>>,
                        ),
                    > $($send)*,
            >,
        >;

        /// A machine with items, driven as a [`futures_core::Stream`]: each item, then the
        /// terminal error (if any) once, then `None`. Nothing is sent before the first poll.
        pub struct Stream<M: $crate::Machine, H = ()> {
            driver: Option<$crate::transport::nonblocking::Driver<M, $t>>,
            pending: Option<Turn<M>>,
            handle: H,
        }

        /// A workspace event subscription: a `Stream` of
        /// [`StreamItem`]($crate::sse::StreamItem)s that reconnects and resumes by itself.
        pub type Subscription = Stream<$crate::sse::SseSession, $crate::sse::SubscriptionHandle>;

        /// A turn stream: a `Stream` of typed [`TurnEvent`]($crate::sse::TurnEvent)s;
        /// dropping it closes the connection.
        pub type TurnStream = Stream<$crate::sse::TurnSession>;

        // The machine is never pinned: the stream only moves it in and out of its future.
        impl<M: $crate::Machine, H> Unpin for Stream<M, H> {}

        impl<M: $crate::Machine, H> std::fmt::Debug for Stream<M, H> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct("Stream")
                    .field("done", &(self.driver.is_none() && self.pending.is_none()))
                    .finish_non_exhaustive()
            }
        }

        impl<M, H> Stream<M, H>
        where
            M: $crate::Machine<Output = Result<(), $crate::Error>> $($send)* + 'static,
            M::Item: 'static $($send)*,
        {
            fn new(machine: M, transport: $t, handle: H) -> Self {
                Stream {
                    driver: Some($crate::transport::nonblocking::Driver::new(machine, transport)),
                    pending: None,
                    handle,
                }
            }

            /// The next item (a convenience over `Stream::poll_next`).
            pub async fn next_item(&mut self) -> Option<Result<M::Item, $crate::Error>> {
                std::future::poll_fn(|cx| self.poll_item(cx)).await
            }

            fn poll_item(
                &mut self,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<Option<Result<M::Item, $crate::Error>>> {
                if self.pending.is_none() {
                    let Some(mut driver) = self.driver.take() else {
                        return std::task::Poll::Ready(None);
                    };
                    self.pending = Some(Box::pin(async move {
                        let item = match driver.next_step().await {
                            $crate::transport::Next::Item(item) => Some(Ok(item)),
                            $crate::transport::Next::Done(end) => end.err().map(Err),
                        };
                        (driver, item)
                    }));
                }
                let Some(fut) = self.pending.as_mut() else {
                    return std::task::Poll::Ready(None);
                };
                let (driver, item) = std::task::ready!(fut.as_mut().poll(cx));
                self.pending = None;
                // After the end (an item of `None`, or the terminal error), the driver goes.
                if matches!(item, Some(Ok(_))) {
                    self.driver = Some(driver);
                }
                std::task::Poll::Ready(item)
            }
        }

        impl<M, H> futures_core::Stream for Stream<M, H>
        where
            M: $crate::Machine<Output = Result<(), $crate::Error>> $($send)* + 'static,
            M::Item: 'static $($send)*,
        {
            type Item = Result<M::Item, $crate::Error>;
            fn poll_next(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<Option<Self::Item>> {
                self.get_mut().poll_item(cx)
            }
        }

        impl Subscription {
            /// A handle that closes this subscription from elsewhere.
            pub fn handle(&self) -> $crate::sse::SubscriptionHandle {
                self.handle.clone()
            }

            /// Unsubscribes (idempotent).
            pub fn close(&self) {
                self.handle.close();
            }

            /// The next business event, skipping connection-state signals; the terminal
            /// error, if any, is returned once, then `None`.
            pub async fn next_event(
                &mut self,
            ) -> Option<Result<$crate::sse::WorkspaceEvent, $crate::Error>> {
                loop {
                    let item = self.next_item().await?;
                    if let Some(item) = $crate::sse::StreamItem::business(item) {
                        return Some(item);
                    }
                }
            }
        }

        $crate::nonblocking_download!($t, [$($send)*]);

        impl $crate::sse::StreamTransport for $t {
            type Subscription = Subscription;
            type TurnStream = TurnStream;
            fn drive_subscription(&self, session: $crate::sse::SseSession) -> Subscription {
                let handle = session.handle();
                Stream::new(session, self.clone(), handle)
            }
            fn drive_turn(&self, session: $crate::sse::TurnSession) -> TurnStream {
                Stream::new(session, self.clone(), ())
            }
        }
    };
}
