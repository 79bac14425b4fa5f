//! The one async driver loop, for transports whose I/O is futures (any runtime, or a browser).
//!
//! An async transport implements only its I/O primitives, [`AsyncIo`]: a future that sends an
//! attempt (keeping the body of a streamed response), a future of the next bytes of a kept
//! body, and a timer. The loop here ([`Driver`]) answers every [`Step`] of every [`Machine`]
//! with them, racing each one against the machine's cancel tokens and deadlines; dropping its
//! future abandons whatever is in flight. It is runtime-agnostic: the transport's futures are
//! the only runtime it touches.

use crate::call::{AttemptOutcome, OperationCall};
use crate::cancel::Cancelled;
use crate::client::CallContext;
use crate::machine::{Machine, Next, Read, Sent, Step};
use crate::meta::Response;
use crate::operation::Operation;
use crate::time::Time;
use crate::{Attempt, Error};
use std::future::Future;
use std::pin::pin;
use std::task::Poll;
use web_time::{Instant, SystemTime};

/// The I/O primitives of an async transport.
pub trait AsyncIo: Clone + std::fmt::Debug + 'static {
    /// A kept response body.
    type Body;

    /// Sends `attempt` under `attempt.timeout`, like
    /// [`BlockingIo::send`](crate::blocking::BlockingIo::send) (the loop handles
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
                            machine.handle_chunk(&bytes, Time::system())
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
