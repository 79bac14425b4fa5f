//! The one blocking driver loop, for transports whose I/O blocks the calling thread.
//!
//! A blocking transport implements only its I/O primitives, [`BlockingIo`]: send an attempt
//! (keeping the body of a streamed response), read the next bytes of a kept body, sleep. The
//! loop here ([`Driver`]) answers every [`Step`] of every [`Machine`] with them, and
//! [`blocking_transport!`](crate::blocking_transport) implements
//! [`Transport`](crate::Transport) and [`StreamTransport`](crate::sse::StreamTransport) over it,
//! so a transport is its I/O and nothing else. The loop itself
//! does no I/O and reads no clock but [`Time::system`] (the driver's clock).

use crate::call::attempt::{Attempt, AttemptOutcome};
use crate::call::operation::Operation;
use crate::call::response::Response;
use crate::call::retry::OperationCall;
use crate::cancel::CancelToken;
use crate::client::CallContext;
use crate::error::Error;
use crate::machine::{Machine, Next, Read, Sent, Step};
use crate::sse::{SseSession, StreamItem, SubscriptionHandle, TurnSession, WorkspaceEvent};
use crate::time::Time;
use web_time::{Instant, SystemTime};

/// The I/O primitives of a blocking transport.
///
/// Every primitive gives up promptly when one of `cancel` fires.
pub trait BlockingIo: Clone + std::fmt::Debug + Send + Sync + 'static {
    /// A kept response body.
    type Body;

    /// Sends `attempt` under `attempt.timeout`. When the attempt keeps the response's body
    /// ([`Attempt::keeps`]: an event stream, or any 2xx of a download), returns the head and the body to keep
    /// (the timeout covered the headers); otherwise buffers the body (the timeout covers it
    /// too; a streaming attempt's other responses are capped at
    /// [`MAX_ERROR_BODY`](crate::MAX_ERROR_BODY)) and returns the outcome.
    fn send(&self, attempt: Attempt, cancel: &[CancelToken]) -> Sent<Self::Body>;

    /// Reads the next bytes of a kept body, waiting at most until `until`.
    fn read(&self, body: &mut Self::Body, until: Option<Instant>, cancel: &[CancelToken]) -> Read;

    /// Sleeps until `until`, waking early when a token fires.
    fn sleep(&self, until: Instant, cancel: &[CancelToken]);
}

/// The loop: drives one machine over a transport's [`BlockingIo`].
pub struct Driver<M, Io: BlockingIo> {
    machine: M,
    io: Io,
    tokens: Vec<CancelToken>,
    body: Option<Io::Body>,
    done: bool,
}

impl<M: std::fmt::Debug, Io: BlockingIo> std::fmt::Debug for Driver<M, Io> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Driver")
            .field("machine", &self.machine)
            .field("io", &self.io)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<M: Machine, Io: BlockingIo> Driver<M, Io> {
    /// Drives `machine` over `io`; nothing happens before the first [`next_step`](Self::next_step).
    pub fn new(machine: M, io: Io) -> Self {
        let tokens = machine.cancel_tokens().to_vec();
        Driver {
            machine,
            io,
            tokens,
            body: None,
            done: false,
        }
    }

    /// The machine (for example to hand it an answer an item asked for).
    pub fn machine(&mut self) -> &mut M {
        &mut self.machine
    }

    /// Runs the machine to its next item or its end. Bounded: every step hands something
    /// back, ends, or waits on I/O or a timer that the machine bounds.
    pub fn next_step(&mut self) -> Next<M::Item, M::Output> {
        loop {
            match self.machine.poll(Time::system()) {
                Step::Send(attempt) => {
                    self.body = None;
                    match self.io.send(attempt, &self.tokens) {
                        Sent::Outcome(o) => self.machine.handle_outcome(o, Time::system()),
                        Sent::Stream(head, body) => {
                            self.body = Some(body);
                            self.machine.handle_head(head, Time::system());
                        }
                    }
                }
                Step::Refresh(refresh) => {
                    let (io, tokens) = (&self.io, &self.tokens);
                    let send = |attempt| match io.send(attempt, tokens) {
                        Sent::Outcome(o) => o,
                        // An identity request never streams; a transport that says otherwise
                        // gets the refresh failed rather than a body left unread.
                        Sent::Stream(..) => AttemptOutcome::Cancelled,
                    };
                    let result = refresh.run(send, SystemTime::now);
                    self.machine.handle_refresh(result, Time::system());
                }
                Step::Read(until) => {
                    let read = match self.body.as_mut() {
                        Some(body) => self.io.read(body, until, &self.tokens),
                        None => Read::Eof,
                    };
                    match read {
                        Read::Chunk(bytes) => self.machine.handle_data(bytes, Time::system()),
                        Read::Eof => self.machine.handle_eof(Time::system()),
                        Read::Failed(e) => self.machine.handle_read_error(e, Time::system()),
                        Read::Nothing => {}
                    }
                }
                Step::Wait(until) => {
                    self.body = None;
                    self.io.sleep(until, &self.tokens);
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

impl<M: Machine<Item = std::convert::Infallible>, Io: BlockingIo> Driver<M, Io> {
    /// Runs a machine without items (a call, a refresh) to its end.
    pub fn run(mut self) -> M::Output {
        match self.next_step() {
            Next::Done(output) => output,
            Next::Item(never) => match never {},
        }
    }
}

/// A stream is an `Iterator`: its items, then its terminal error (if any) once, then `None`.
impl<M, Io> Iterator for Driver<M, Io>
where
    M: Machine<Output = Result<(), Error>>,
    Io: BlockingIo,
{
    type Item = Result<M::Item, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.next_step() {
            Next::Item(item) => Some(Ok(item)),
            Next::Done(result) => {
                self.done = true;
                result.err().map(Err)
            }
        }
    }
}

/// A blocking workspace event subscription: an `Iterator` of [`StreamItem`]s that reconnects
/// and resumes by itself.
pub type Subscription<Io> = Driver<SseSession, Io>;

/// A blocking turn stream: an `Iterator` of typed turn events; dropping it closes the
/// connection.
pub type TurnStream<Io> = Driver<TurnSession, Io>;

impl<Io: BlockingIo> Driver<SseSession, Io> {
    /// A handle that closes this subscription from another thread, waking a blocked `next()`.
    pub fn handle(&self) -> SubscriptionHandle {
        self.machine.handle()
    }

    /// Unsubscribes (idempotent); the next `next()` returns `None`.
    pub fn close(&self) {
        self.machine.close();
    }

    /// Only the business events (state signals are skipped; the terminal error is kept).
    pub fn events(self) -> impl Iterator<Item = Result<WorkspaceEvent, Error>> {
        self.filter_map(StreamItem::business)
    }
}

/// Runs one call to completion over `io` (`meta`: keep the full response metadata).
pub fn execute<Io: BlockingIo, O: Operation>(
    io: &Io,
    ctx: CallContext<O>,
    meta: bool,
) -> Result<Response<O::Output>, Error> {
    let call =
        OperationCall::from_context(ctx, crate::call::backoff::random_seed(), Time::system());
    // Only the data goes back: skip building the response metadata.
    let call = if meta { call } else { call.data_only() };
    Driver::new(call, io.clone()).run()
}

/// Runs a device-code login to completion over `io`, calling `callbacks` for its items.
pub fn device_login<Io: BlockingIo, C: crate::auth::LoginCallbacks + ?Sized>(
    io: &Io,
    options: &crate::auth::LoginOptions,
    callbacks: &mut C,
) -> Result<crate::auth::Credentials, Error> {
    let mut driver = Driver::new(crate::auth::DeviceLogin::new(options.clone()), io.clone());
    // Bounded: the machine ends the login when the code expires.
    loop {
        match driver.next_step() {
            Next::Item(event) => driver.machine.deliver(event, callbacks),
            Next::Done(result) => return result,
        }
    }
}

/// A token manager's access token, refreshed first over `io` when under 60 s remain; `None`
/// when nothing is stored.
pub fn access_token<Io: BlockingIo>(
    io: &Io,
    manager: &crate::auth::TokenManager,
) -> Result<Option<crate::auth::AccessToken>, Error> {
    Driver::new(crate::auth::Refreshing::new(manager), io.clone()).run()
}

/// Implements [`Transport`](crate::Transport) and [`StreamTransport`](crate::sse::StreamTransport)
/// for a type that implements [`BlockingIo`]: calls return `Result`s, auto-paging is a
/// [`PageIter`](crate::PageIter), streams are [`Driver`]s.
#[macro_export]
macro_rules! blocking_transport {
    ($t:ty) => {
        impl $crate::Transport for $t {
            type Sent<T: Send + 'static> = Result<T, $crate::Error>;
            type Paging<O: $crate::Paginated> = $crate::PageIter<$t, O>;
            fn execute<O: $crate::Operation>(
                &self,
                ctx: $crate::CallContext<O>,
            ) -> Result<$crate::Response<O::Output>, $crate::Error> {
                $crate::transport::blocking::execute(self, ctx, true)
            }
            fn execute_data<O: $crate::Operation>(
                &self,
                ctx: $crate::CallContext<O>,
            ) -> Result<O::Output, $crate::Error> {
                $crate::transport::blocking::execute(self, ctx, false)
                    .map($crate::Response::into_data)
            }
            fn paginate<O: $crate::Paginated>(
                &self,
                ctx: $crate::CallContext<O>,
            ) -> $crate::PageIter<$t, O> {
                $crate::PageIter::new(self.clone(), ctx)
            }
            fn ready<T: Send + 'static>(
                result: Result<T, $crate::Error>,
            ) -> Result<T, $crate::Error> {
                result
            }
            fn then<T, U, F>(first: Result<T, $crate::Error>, next: F) -> Result<U, $crate::Error>
            where
                T: Send + 'static,
                U: Send + 'static,
                F: FnOnce(Result<T, $crate::Error>) -> Result<U, $crate::Error> + Send + 'static,
            {
                next(first)
            }
        }

        impl $crate::transport::DownloadTransport for $t {
            type Download = Result<$crate::transport::download::Download<$t>, $crate::Error>;
            fn drive_download(&self, download: $crate::transport::DownloadCall) -> Self::Download {
                $crate::transport::download::start($crate::transport::blocking::Driver::new(
                    download,
                    self.clone(),
                ))
            }
        }

        impl $crate::sse::StreamTransport for $t {
            type Subscription = $crate::transport::blocking::Subscription<$t>;
            type TurnStream = $crate::transport::blocking::TurnStream<$t>;
            fn drive_subscription(
                &self,
                session: $crate::sse::SseSession,
            ) -> $crate::transport::blocking::Subscription<$t> {
                $crate::transport::blocking::Driver::new(session, self.clone())
            }
            fn drive_turn(
                &self,
                session: $crate::sse::TurnSession,
            ) -> $crate::transport::blocking::TurnStream<$t> {
                $crate::transport::blocking::Driver::new(session, self.clone())
            }
        }
    };
}
