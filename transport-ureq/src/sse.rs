//! Blocking server-sent-event streams: the workspace event subscription and the turn stream,
//! driven over ureq by the core's sans-IO [`SseSession`] and [`TurnSession`].
//!
//! - [`subscribe`] returns a [`Subscription`]: an `Iterator` of [`StreamItem`]s (business events
//!   and connection-state signals; [`Subscription::events`] keeps only events). It reconnects and
//!   resumes by itself; the terminal error, if any, is yielded once, then the iterator ends.
//!   A [`SubscriptionHandle`] closes it from another thread, waking a blocked `next()` at once.
//! - [`stream_turn`] returns a [`TurnStream`]: an `Iterator` of typed turn events, never
//!   reconnected; dropping it closes the connection.
//! - [`UreqTransport`] implements the core's [`StreamTransport`] with these same drivers, which is
//!   how the generated surface's `.stream()` (`client.api().events().subscribe_to_workspace()
//!   .stream()`, `client.api().conversations().stream_turn(id, body).stream()`) runs here, with
//!   the call's scope and per-call options. The helpers above are thin entry points over the
//!   same path and apply the client's scope (`client.with_options(..)`) too.
//!
//! Each connection of a subscription is read by a helper thread that forwards body chunks over a
//! channel, so that the idle watchdog, backoff sleeps and `close()` never wait on a blocked read.
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

use crate::driver::{failure, now, seed};
use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::task::{Wake, Waker};
use std::time::Duration;

use amigo_platform_core::call::{Attempt, AttemptOutcome};
use amigo_platform_core::cancel::Registration;
use amigo_platform_core::client::{CallContext, Transport};
use amigo_platform_core::error::TransportErrorKind;
use amigo_platform_core::sse::{
    streams_body, EventStreamOp, SseOptions, SseSession, SseStep, TurnBody, TurnEvent, TurnSession,
    TurnStep, TurnStreamOp, WorkspaceEvent,
};
use amigo_platform_core::{CancelToken, Client, Error, Operation, RequestOptions, StreamTransport};
use bytes::Bytes;
use web_time::Instant;

use crate::UreqTransport;

pub use amigo_platform_core::sse::StreamItem;

/// The most bytes of a non-streamed (error) response body that are read.
const MAX_ERROR_BODY: u64 = 1024 * 1024;

/// The read buffer size of a streamed body.
const READ_BUF: usize = 16 * 1024;

/// What a connection thread (or a waker) sends to the subscription.
enum Msg {
    /// The head of a streamed 2xx `text/event-stream` response.
    Head(http::response::Parts),
    /// A connect outcome without a streamed body.
    Outcome(AttemptOutcome),
    /// A body chunk.
    Chunk(Bytes),
    /// The end of the body.
    Eof,
    /// A body read failure.
    ReadError(Error),
    /// Something was cancelled: re-check the tokens.
    Wake,
}

struct ChannelWaker(Sender<(u64, Msg)>);

impl Wake for ChannelWaker {
    fn wake(self: Arc<Self>) {
        let _ = self.0.send((0, Msg::Wake));
    }
    fn wake_by_ref(self: &Arc<Self>) {
        let _ = self.0.send((0, Msg::Wake));
    }
}

/// Closes a [`Subscription`] from any thread; cloneable and idempotent.
#[derive(Debug, Clone)]
pub struct SubscriptionHandle {
    token: CancelToken,
}

impl SubscriptionHandle {
    /// Unsubscribes: the subscription's `next()` returns `None` promptly, without an error.
    pub fn close(&self) {
        self.token.cancel();
    }

    /// Whether [`close`](Self::close) was called.
    pub fn is_closed(&self) -> bool {
        self.token.is_cancelled()
    }
}

/// A blocking workspace event subscription: an `Iterator` of [`StreamItem`]s.
pub struct Subscription {
    /// The channel waker's registrations with the session's tokens (a cancel or a close
    /// wakes a blocked `next()`); dropping the subscription releases them.
    _registrations: Vec<Registration>,
    session: SseSession,
    agent: ureq::Agent,
    idle: Option<Duration>,
    tx: Sender<(u64, Msg)>,
    rx: Receiver<(u64, Msg)>,
    current: Arc<AtomicU64>,
    generation: u64,
    done: bool,
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("session", &self.session)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl StreamTransport for UreqTransport {
    type Subscription = Subscription;
    type TurnStream = TurnStream;

    fn subscribe<O: Operation>(&self, ctx: CallContext<O>, options: SseOptions) -> Subscription {
        Subscription::start(
            SseSession::from_call(ctx, options, seed()),
            self.agent().clone(),
        )
    }

    fn stream_turn<O: Operation>(&self, ctx: CallContext<O>) -> TurnStream {
        TurnStream::start(
            TurnSession::from_call(ctx, seed(), now()),
            self.agent().clone(),
        )
    }
}

/// Subscribes to the workspace event stream (`GET /v1/{workspace_id}/events/stream`) under the
/// client's scope; the same as `client.api().events().subscribe_to_workspace().stream_with(options)`.
///
/// Returns at once; the first connect happens on the first `next()`.
pub fn subscribe(client: &crate::Client, options: SseOptions) -> Subscription {
    client.call(EventStreamOp).event_stream(options)
}

/// Like [`subscribe`], over a user-built ureq agent (proxies, TLS settings).
pub fn subscribe_with_agent<E: Transport>(
    client: &Client<E>,
    options: SseOptions,
    agent: ureq::Agent,
) -> Subscription {
    let ctx = client.call(EventStreamOp).into_context();
    Subscription::start(SseSession::from_call(ctx, options, seed()), agent)
}

impl Subscription {
    /// Wraps a session; nothing is sent before the first `next()`.
    fn start(session: SseSession, agent: ureq::Agent) -> Subscription {
        let idle = session.idle_timeout();
        let (tx, rx) = mpsc::channel();
        let waker = Waker::from(Arc::new(ChannelWaker(tx.clone())));
        // Held for the subscription's life and released when it is dropped.
        let registrations = session
            .cancel_tokens()
            .iter()
            .map(|t| t.register(&waker))
            .collect();
        Subscription {
            _registrations: registrations,
            session,
            agent,
            idle,
            tx,
            rx,
            current: Arc::new(AtomicU64::new(0)),
            generation: 0,
            done: false,
        }
    }

    /// A handle that closes this subscription from another thread.
    pub fn handle(&self) -> SubscriptionHandle {
        SubscriptionHandle {
            token: self.session.close_token(),
        }
    }

    /// Unsubscribes (idempotent); the next `next()` returns `None`.
    pub fn close(&self) {
        self.session.close();
    }

    /// Only the business events (state signals are skipped; the terminal error is kept).
    pub fn events(self) -> impl Iterator<Item = Result<WorkspaceEvent, Error>> {
        self.filter_map(StreamItem::business)
    }

    /// Abandons the current connection: its thread stops at its next read.
    fn drop_connection(&mut self) {
        self.generation += 1;
        self.current.store(self.generation, Ordering::SeqCst);
    }

    /// Receives the next message of the current connection, or a wake-up, until `until`.
    fn recv(&mut self, until: Option<Instant>) -> Option<Msg> {
        loop {
            let msg = match until {
                Some(at) => {
                    let left = at.saturating_duration_since(Instant::now());
                    match self.rx.recv_timeout(left) {
                        Ok(m) => m,
                        Err(RecvTimeoutError::Timeout) => return None,
                        Err(RecvTimeoutError::Disconnected) => return None,
                    }
                }
                None => match self.rx.recv() {
                    Ok(m) => m,
                    Err(_) => return None,
                },
            };
            match msg {
                (_, Msg::Wake) => return Some(Msg::Wake),
                (g, m) if g == self.generation => return Some(m),
                _ => {} // a message of an abandoned connection
            }
        }
    }

    fn connect(&mut self, attempt: Attempt) {
        self.drop_connection();
        let generation = self.generation;
        let deadline = attempt.timeout.and_then(|t| Instant::now().checked_add(t));
        let tx = self.tx.clone();
        let agent = self.agent.clone();
        let current = self.current.clone();
        let idle = self.idle;
        let spawned = std::thread::Builder::new()
            .name("amigo-sse".into())
            .spawn(move || run_connection(agent, attempt, idle, generation, current, tx));
        if let Err(e) = spawned {
            self.session.handle_outcome(
                AttemptOutcome::Failed(Error::network(TransportErrorKind::Other, e)),
                now(),
            );
            return;
        }
        loop {
            match self.recv(deadline) {
                None => {
                    self.drop_connection();
                    self.session.handle_outcome(AttemptOutcome::TimedOut, now());
                    return;
                }
                Some(Msg::Wake) => {
                    if self.session.is_cancelled() {
                        self.drop_connection();
                        self.session
                            .handle_outcome(AttemptOutcome::Cancelled, now());
                        return;
                    }
                }
                Some(Msg::Head(head)) => {
                    self.session.handle_head(head, now());
                    return;
                }
                Some(Msg::Outcome(o)) => {
                    self.session.handle_outcome(o, now());
                    return;
                }
                Some(_) => {}
            }
        }
    }
}

impl Iterator for Subscription {
    type Item = Result<StreamItem, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        loop {
            match self.session.poll(now()) {
                SseStep::Connect(attempt) => self.connect(attempt),
                SseStep::Read(until) => match self.recv(until) {
                    Some(Msg::Chunk(c)) => self.session.handle_chunk(&c, now()),
                    Some(Msg::Eof) => self.session.handle_eof(now()),
                    Some(Msg::ReadError(e)) => self.session.handle_read_error(e, now()),
                    _ => {}
                },
                SseStep::Wait(until) => {
                    self.drop_connection();
                    while Instant::now() < until && !self.session.is_cancelled() {
                        let _ = self.recv(Some(until));
                    }
                }
                SseStep::Event(e) => return Some(Ok(StreamItem::Event(e))),
                SseStep::State(s) => return Some(Ok(StreamItem::State(s))),
                SseStep::Done(e) => {
                    self.drop_connection();
                    self.done = true;
                    return e.map(Err);
                }
            }
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.drop_connection();
    }
}

/// Sends the request with ureq's per-call settings for streams.
fn send_request(
    agent: &ureq::Agent,
    attempt: Attempt,
    per_read: Option<Duration>,
    body_deadline: Option<Duration>,
) -> Result<http::Response<ureq::Body>, ureq::Error> {
    use ureq::RequestExt;
    attempt
        .request
        .map(|b| b.to_vec())
        .with_agent(agent)
        .configure()
        .http_status_as_error(false)
        .timeout_global(None)
        .timeout_recv_response(attempt.timeout)
        .timeout_recv_body(body_deadline)
        .timeout_per_read(per_read)
        .max_redirects(0)
        .max_redirects_will_error(false)
        .accept_encoding(ureq::config::AutoHeaderValue::None)
        .build()
        .run()
}

/// Buffers a non-streamed body (capped) into an outcome for the core.
fn buffered(head: http::response::Parts, body: ureq::Body) -> AttemptOutcome {
    let mut buf = Vec::new();
    let mut reader = body.into_with_config().limit(MAX_ERROR_BODY).reader();
    match reader.read_to_end(&mut buf) {
        Ok(_) => AttemptOutcome::Response(http::Response::from_parts(head, Bytes::from(buf))),
        Err(e) => AttemptOutcome::BodyFailed {
            head,
            error: Error::network(TransportErrorKind::Read, e),
        },
    }
}

/// One connection of a subscription, on its own thread.
fn run_connection(
    agent: ureq::Agent,
    attempt: Attempt,
    idle: Option<Duration>,
    generation: u64,
    current: Arc<AtomicU64>,
    tx: Sender<(u64, Msg)>,
) {
    let send = |m: Msg| tx.send((generation, m)).is_ok();
    let response = match send_request(&agent, attempt, idle, None) {
        Ok(r) => r,
        Err(e) => {
            send(Msg::Outcome(failure(e)));
            return;
        }
    };
    let (head, body) = response.into_parts();
    if !streams_body(&head) {
        send(Msg::Outcome(buffered(head, body)));
        return;
    }
    if !send(Msg::Head(head)) {
        return;
    }
    let mut reader = body.into_with_config().limit(u64::MAX).reader();
    let mut buf = vec![0u8; READ_BUF];
    while current.load(Ordering::SeqCst) == generation {
        let msg = match reader.read(&mut buf) {
            Ok(0) => Msg::Eof,
            Ok(n) => Msg::Chunk(Bytes::copy_from_slice(&buf[..n])),
            Err(e) => Msg::ReadError(Error::network(TransportErrorKind::Read, e)),
        };
        let last = !matches!(msg, Msg::Chunk(_));
        if !send(msg) || last {
            return;
        }
    }
}

/// A blocking turn stream: an `Iterator` of typed [`TurnEvent`]s; dropping it closes the
/// connection. The stream is never reconnected or re-posted.
pub struct TurnStream {
    session: TurnSession,
    agent: ureq::Agent,
    reader: Option<ureq::BodyReader<'static>>,
    deadline: Option<Instant>,
    done: bool,
}

impl std::fmt::Debug for TurnStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TurnStream")
            .field("session", &self.session)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

/// Posts a turn and streams its events (`POST .../conversations/{id}/turns/stream`) under the
/// client's scope. `body` is the generated `TurnRequest` model, or any serializable
/// equivalent (a `serde_json::Value`); the
/// generated surface's `client.api().conversations().stream_turn(id, body).stream()` is the
/// same stream.
pub fn stream_turn<B: TurnBody + ?Sized>(
    client: &crate::Client,
    conversation_id: &str,
    body: &B,
) -> TurnStream {
    stream_turn_with(client, conversation_id, body, None, RequestOptions::new())
}

/// Like [`stream_turn`], with `include_tool_calls` (forwarded only when set) and per-call
/// options (headers, attempt timeout, overall deadline bounding the whole stream, cancel tokens).
pub fn stream_turn_with<B: TurnBody + ?Sized>(
    client: &crate::Client,
    conversation_id: &str,
    body: &B,
    include_tool_calls: Option<bool>,
    options: RequestOptions,
) -> TurnStream {
    match TurnStreamOp::new(conversation_id, body) {
        Ok(mut op) => {
            op.include_tool_calls = include_tool_calls;
            client.call(op).options(options).turn_stream()
        }
        Err(e) => TurnStream::start(TurnSession::failed(e), client.transport().agent().clone()),
    }
}

impl TurnStream {
    /// Wraps a session; nothing is sent before the first `next()`.
    fn start(session: TurnSession, agent: ureq::Agent) -> TurnStream {
        let deadline = session.deadline();
        TurnStream {
            session,
            agent,
            reader: None,
            deadline,
            done: false,
        }
    }
}

impl Iterator for TurnStream {
    type Item = Result<TurnEvent, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let session = &mut self.session;
        loop {
            match session.poll(now()) {
                TurnStep::Send(attempt) => {
                    self.reader = None;
                    let deadline = self
                        .deadline
                        .map(|at| at.saturating_duration_since(Instant::now()));
                    match send_request(&self.agent, attempt, None, deadline) {
                        Err(e) => session.handle_outcome(failure(e), now()),
                        Ok(resp) => {
                            let (head, body) = resp.into_parts();
                            if streams_body(&head) {
                                session.handle_head(head, now());
                                self.reader =
                                    Some(body.into_with_config().limit(u64::MAX).reader());
                            } else {
                                session.handle_outcome(buffered(head, body), now());
                            }
                        }
                    }
                }
                TurnStep::Wait(until) => crate::sleep::sleep_until(until, session.cancel_tokens()),
                TurnStep::Read(_) => {
                    let Some(reader) = self.reader.as_mut() else {
                        session.handle_eof();
                        continue;
                    };
                    let mut buf = [0u8; READ_BUF];
                    match reader.read(&mut buf) {
                        Ok(0) => session.handle_eof(),
                        Ok(n) => session.handle_chunk(&buf[..n]),
                        Err(e) if is_timeout(&e) => {} // the session's deadline decides
                        Err(e) => {
                            session.handle_read_error(Error::network(TransportErrorKind::Read, e))
                        }
                    }
                }
                TurnStep::Event(e) => return Some(Ok(e)),
                TurnStep::Done(r) => {
                    self.reader = None;
                    self.done = true;
                    return r.err().map(Err);
                }
            }
        }
    }
}

fn is_timeout(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::TimedOut
        || e.get_ref()
            .and_then(|i| i.downcast_ref::<ureq::Error>())
            .is_some_and(|u| matches!(u, ureq::Error::Timeout(_)))
}
