//! The one driving contract every HTTP machine of the core shares: [`Step`] and [`Machine`].
//!
//! A machine never does I/O and never reads a clock. Its driver (a transport) asks it what to
//! do with [`Machine::poll`], does it, and reports what happened through the `handle_*`
//! inputs, passing the current [`Time`] every time. The same loop drives a single call
//! ([`OperationCall`](crate::OperationCall)), a workspace event subscription
//! ([`SseSession`](crate::sse::SseSession)), a turn stream
//! ([`TurnSession`](crate::sse::TurnSession)) and a device-code login
//! ([`DeviceLogin`](crate::auth::DeviceLogin)).

use crate::call::attempt::{Attempt, AttemptOutcome};
use crate::cancel::CancelToken;
use crate::credentials::Refresh;
use crate::error::Error;
use crate::time::Time;
use bytes::Bytes;
use web_time::Instant;

/// What the driver of a machine must do next.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Step<I, R> {
    /// Send this request, enforcing `attempt.timeout`, and abort it when a cancel token fires.
    ///
    /// When the attempt keeps the response's body ([`Attempt::keeps`]: a 2xx
    /// `text/event-stream` for event streams, any 2xx for downloads), report its head with
    /// [`Machine::handle_head`] and keep the body for the `Read` steps that follow (the
    /// timeout then covers the headers only). Otherwise buffer the whole body (the timeout
    /// covers it too) and report [`Machine::handle_outcome`]; a failure, a timeout or a
    /// cancellation is reported there as well.
    Send(Attempt),
    /// Run this token refresh before anything else is sent: [`Refresh::begin`], send the
    /// attempt it returns (if any) like a `Send` without streaming, [`Refresh::finish`] with
    /// the outcome, then report the result with [`Machine::handle_refresh`].
    Refresh(Refresh),
    /// Read the kept body: report one chunk ([`Machine::handle_chunk`]), its end
    /// ([`Machine::handle_eof`]) or a read failure ([`Machine::handle_read_error`]). If
    /// nothing arrived by the instant, or a cancel token fired, just poll again.
    Read(Option<Instant>),
    /// Drop any kept body and sleep until the instant (wake early when a cancel token
    /// fires), then poll again.
    Wait(Instant),
    /// Hand this item to the consumer, then poll again when it asks for the next one.
    Item(I),
    /// The machine is over: this is its result. Polling again keeps answering `Done`.
    Done(R),
}

/// A sans-IO machine driven through [`Step`]s.
///
/// A driver loops: `poll`, perform the step, report through exactly one `handle_*` for each
/// `Send`, `Refresh` and `Read`, and poll again, until `Done`. Every input takes the
/// [`Time`] at which it happened.
pub trait Machine {
    /// What [`Step::Item`] carries (`Infallible` for a machine without items).
    type Item;
    /// What [`Step::Done`] carries.
    type Output;

    /// What to do next.
    fn poll(&mut self, time: Time) -> Step<Self::Item, Self::Output>;

    /// Reports how a `Send` ended without a kept body: a buffered response, a body read
    /// failure, a transport failure, a timeout or a cancellation.
    fn handle_outcome(&mut self, outcome: AttemptOutcome, time: Time);

    /// Reports the head of a streamed response (see [`Step::Send`]).
    fn handle_head(&mut self, head: http::response::Parts, time: Time) {
        self.handle_outcome(
            AttemptOutcome::Response(http::Response::from_parts(head, Bytes::new())),
            time,
        );
    }

    /// Feeds one chunk of the kept body.
    fn handle_chunk(&mut self, chunk: &[u8], time: Time) {
        let _ = (chunk, time);
    }

    /// Feeds one chunk of the kept body as the driver received it (no copy). By default the
    /// same as [`handle_chunk`](Self::handle_chunk); drivers call this one.
    fn handle_data(&mut self, chunk: Bytes, time: Time) {
        self.handle_chunk(&chunk, time);
    }

    /// Reports the end of the kept body.
    fn handle_eof(&mut self, time: Time) {
        let _ = time;
    }

    /// Reports a failure while reading the kept body.
    fn handle_read_error(&mut self, error: Error, time: Time) {
        let _ = (error, time);
    }

    /// Reports how a [`Step::Refresh`] ended.
    fn handle_refresh(&mut self, result: Result<(), Error>, time: Time);

    /// The cancellation tokens: a driver wakes from sends, reads and sleeps when one fires.
    fn cancel_tokens(&self) -> &[CancelToken];
}

/// What sending an attempt produced.
pub enum Sent<B> {
    /// A complete outcome: a buffered response, a failure, a timeout or a cancellation.
    Outcome(AttemptOutcome),
    /// The head of a streamed response (only when [`Attempt::keeps`] it) and its body, kept
    /// for reads.
    Stream(http::response::Parts, B),
}

/// What one read of a kept body produced.
pub enum Read {
    /// The next bytes.
    Chunk(Bytes),
    /// The end of the body.
    Eof,
    /// The read failed.
    Failed(Error),
    /// Nothing by the deadline, or a cancel token fired.
    Nothing,
}

/// What a driver loop hands back to its consumer: the machine's next item, or its end.
#[derive(Debug)]
pub enum Next<I, R> {
    /// An item for the consumer.
    Item(I),
    /// The machine's end.
    Done(R),
}
