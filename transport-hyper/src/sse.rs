//! Async server-sent-event streams over hyper: the workspace event subscription and the turn
//! stream, driven by the core's sans-IO [`SseSession`] and [`TurnSession`].
//!
//! - [`subscribe`] returns a [`Subscription`]: a [`futures_core::Stream`] of [`StreamItem`]s
//!   that reconnects and resumes by itself; the terminal error, if any, is yielded once, then
//!   the stream ends. Dropping it cancels everything (the open connection and any backoff
//!   sleep); [`SubscriptionHandle::close`] ends it from elsewhere.
//! - [`stream_turn`] returns a [`TurnStream`]: a `Stream` of typed turn events, never
//!   reconnected; dropping it closes the connection.
//! - [`HyperTransport`] implements the core's [`StreamTransport`] with these same drivers, which
//!   is how the generated surface's `.stream()` (`client.api().events().subscribe_to_workspace()
//!   .stream()`, `client.api().conversations().stream_turn(id, body).stream()`) runs here, with
//!   the call's scope and per-call options. The helpers above are thin entry points over the
//!   same path and apply the client's scope (`client.with_options(..)`) too.
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

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use amigo_platform_core::call::{Attempt, AttemptOutcome};
use amigo_platform_core::cancel::Cancelled;
use amigo_platform_core::client::{CallContext, Transport};
use amigo_platform_core::error::TransportErrorKind;
use amigo_platform_core::sse::{
    streams_body, EventStreamOp, SseOptions, SseSession, SseStep, TurnBody, TurnEvent, TurnSession,
    TurnStep, TurnStreamOp, WorkspaceEvent,
};
use amigo_platform_core::{CancelToken, Client, Error, Operation, RequestOptions, StreamTransport};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use web_time::Instant;

use crate::driver::{buffer_body, carry_reason_phrase, client_error, now, seed, HttpClient};
use crate::HyperTransport;

pub use amigo_platform_core::sse::StreamItem;

/// The most bytes of a non-streamed (error) response body that are read.
const MAX_ERROR_BODY: usize = 1024 * 1024;

/// How a connect attempt ended: a streaming body, or a complete outcome.
enum Connected {
    Stream(http::response::Parts, Incoming),
    Outcome(AttemptOutcome),
}

/// Sends one attempt; streams a 2xx `text/event-stream` body, buffers any other one.
async fn connect(client: &HttpClient, attempt: Attempt, cancelled: &Cancelled) -> Connected {
    let request = client.request(attempt.request.map(Full::new));
    let response = tokio::select! {
        r = async {
            match attempt.timeout {
                Some(limit) => tokio::time::timeout(limit, request).await.ok(),
                None => Some(request.await),
            }
        } => r,
        _ = cancelled.clone() => return Connected::Outcome(AttemptOutcome::Cancelled),
    };
    let response = match response {
        None => return Connected::Outcome(AttemptOutcome::TimedOut),
        Some(Err(e)) => return Connected::Outcome(AttemptOutcome::Failed(client_error(&e))),
        Some(Ok(r)) => r,
    };
    let (mut head, body) = response.into_parts();
    carry_reason_phrase(&mut head);
    if streams_body(&head) {
        return Connected::Stream(head, body);
    }
    tokio::select! {
        outcome = buffer_body(head, body, MAX_ERROR_BODY) => Connected::Outcome(outcome),
        _ = cancelled.clone() => Connected::Outcome(AttemptOutcome::Cancelled),
    }
}

/// What one read of a streamed body gave.
enum Read {
    Chunk(Bytes),
    Eof,
    Failed(Error),
    /// The deadline passed or a token fired: poll the machine again.
    Nothing,
}

async fn read(body: &mut Incoming, until: Option<Instant>, cancelled: &Cancelled) -> Read {
    let sleep = async {
        match until {
            Some(at) => tokio::time::sleep_until(tokio::time::Instant::from_std(at)).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        frame = body.frame() => match frame {
            None => Read::Eof,
            Some(Err(e)) => Read::Failed(Error::network(TransportErrorKind::Read, e)),
            Some(Ok(f)) => match f.into_data() {
                Ok(d) => Read::Chunk(d),
                Err(_) => Read::Nothing, // trailers
            },
        },
        _ = sleep => Read::Nothing,
        _ = cancelled.clone() => Read::Nothing,
    }
}

async fn sleep_until(until: Instant, cancelled: &Cancelled) {
    tokio::select! {
        _ = tokio::time::sleep_until(tokio::time::Instant::from_std(until)) => {}
        _ = cancelled.clone() => {}
    }
}

/// The state a subscription's future owns between items.
struct SubDriver {
    session: SseSession,
    client: HttpClient,
    body: Option<Incoming>,
    cancelled: Cancelled,
    done: bool,
}

impl SubDriver {
    async fn next(mut self) -> (Self, Option<Result<StreamItem, Error>>) {
        if self.done {
            return (self, None);
        }
        loop {
            match self.session.poll(now()) {
                SseStep::Connect(attempt) => {
                    self.body = None;
                    match connect(&self.client, attempt, &self.cancelled).await {
                        Connected::Stream(head, body) => {
                            self.session.handle_head(head, now());
                            self.body = Some(body);
                        }
                        Connected::Outcome(o) => self.session.handle_outcome(o, now()),
                    }
                }
                SseStep::Read(until) => {
                    let Some(body) = self.body.as_mut() else {
                        self.session.handle_eof(now());
                        continue;
                    };
                    match read(body, until, &self.cancelled).await {
                        Read::Chunk(c) => self.session.handle_chunk(&c, now()),
                        Read::Eof => self.session.handle_eof(now()),
                        Read::Failed(e) => self.session.handle_read_error(e, now()),
                        Read::Nothing => {}
                    }
                }
                SseStep::Wait(until) => {
                    self.body = None;
                    sleep_until(until, &self.cancelled).await;
                }
                SseStep::Event(e) => return (self, Some(Ok(StreamItem::Event(e)))),
                SseStep::State(s) => return (self, Some(Ok(StreamItem::State(s)))),
                SseStep::Done(e) => {
                    self.body = None;
                    self.done = true;
                    return (self, e.map(Err));
                }
            }
        }
    }
}

type Pending<D, T> = Pin<Box<dyn Future<Output = (D, Option<T>)> + Send>>;

/// Closes a [`Subscription`] from anywhere; cloneable and idempotent.
#[derive(Debug, Clone)]
pub struct SubscriptionHandle {
    token: CancelToken,
}

impl SubscriptionHandle {
    /// Unsubscribes: the stream ends promptly, without an error.
    pub fn close(&self) {
        self.token.cancel();
    }
}

/// An async workspace event subscription: a `Stream` of [`StreamItem`]s.
pub struct Subscription {
    driver: Option<SubDriver>,
    pending: Option<Pending<SubDriver, Result<StreamItem, Error>>>,
    token: CancelToken,
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription").finish_non_exhaustive()
    }
}

impl StreamTransport for HyperTransport {
    type Subscription = Subscription;
    type TurnStream = TurnStream;

    fn subscribe<O: Operation>(&self, ctx: CallContext<O>, options: SseOptions) -> Subscription {
        Subscription::start(
            SseSession::from_call(ctx, options, seed()),
            self.http_client().clone(),
        )
    }

    fn stream_turn<O: Operation>(&self, ctx: CallContext<O>) -> TurnStream {
        TurnStream::start(
            TurnSession::from_call(ctx, seed(), now()),
            self.http_client().clone(),
        )
    }
}

/// Subscribes to the workspace event stream (`GET /v1/{workspace_id}/events/stream`) under the
/// client's scope; the same as `client.api().events().subscribe_to_workspace().stream_with(options)`.
///
/// Returns at once; nothing is sent until the stream is first polled. Must be polled inside
/// a tokio runtime.
pub fn subscribe(client: &crate::Client, options: SseOptions) -> Subscription {
    client.call(EventStreamOp).event_stream(options)
}

/// Like [`subscribe`], over a user-built hyper client.
pub fn subscribe_with_client<E: Transport>(
    client: &Client<E>,
    options: SseOptions,
    http: HttpClient,
) -> Subscription {
    let ctx = client.call(EventStreamOp).into_context();
    Subscription::start(SseSession::from_call(ctx, options, seed()), http)
}

impl Subscription {
    /// Wraps a session; nothing is sent before the first poll.
    fn start(session: SseSession, http: HttpClient) -> Subscription {
        let token = session.close_token();
        let cancelled = Cancelled::any(session.cancel_tokens().to_vec());
        Subscription {
            driver: Some(SubDriver {
                session,
                client: http,
                body: None,
                cancelled,
                done: false,
            }),
            pending: None,
            token,
        }
    }

    /// A handle that closes this subscription from elsewhere.
    pub fn handle(&self) -> SubscriptionHandle {
        SubscriptionHandle {
            token: self.token.clone(),
        }
    }

    /// Unsubscribes (idempotent).
    pub fn close(&self) {
        self.token.cancel();
    }

    /// The next item (a convenience over `Stream::poll_next`).
    pub async fn next_item(&mut self) -> Option<Result<StreamItem, Error>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next_item(cx)).await
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

    fn poll_next_item(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<StreamItem, Error>>> {
        if self.pending.is_none() {
            let Some(driver) = self.driver.take() else {
                return Poll::Ready(None);
            };
            self.pending = Some(Box::pin(driver.next()));
        }
        let Some(fut) = self.pending.as_mut() else {
            return Poll::Ready(None);
        };
        match fut.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready((driver, item)) => {
                self.pending = None;
                self.driver = Some(driver);
                Poll::Ready(item)
            }
        }
    }
}

impl futures_core::Stream for Subscription {
    type Item = Result<StreamItem, Error>;
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_next_item(cx)
    }
}

/// The state a turn stream's future owns between items.
struct TurnDriver {
    session: TurnSession,
    client: HttpClient,
    body: Option<Incoming>,
    cancelled: Cancelled,
    done: bool,
}

impl TurnDriver {
    async fn next(mut self) -> (Self, Option<Result<TurnEvent, Error>>) {
        if self.done {
            return (self, None);
        }
        let session = &mut self.session;
        loop {
            match session.poll(now()) {
                TurnStep::Send(attempt) => {
                    self.body = None;
                    match connect(&self.client, attempt, &self.cancelled).await {
                        Connected::Stream(head, body) => {
                            session.handle_head(head, now());
                            self.body = Some(body);
                        }
                        Connected::Outcome(o) => session.handle_outcome(o, now()),
                    }
                }
                TurnStep::Wait(until) => sleep_until(until, &self.cancelled).await,
                TurnStep::Read(until) => {
                    let Some(body) = self.body.as_mut() else {
                        session.handle_eof();
                        continue;
                    };
                    match read(body, until, &self.cancelled).await {
                        Read::Chunk(c) => session.handle_chunk(&c),
                        Read::Eof => session.handle_eof(),
                        Read::Failed(e) => session.handle_read_error(e),
                        Read::Nothing => {}
                    }
                }
                TurnStep::Event(e) => return (self, Some(Ok(e))),
                TurnStep::Done(r) => {
                    self.body = None;
                    self.done = true;
                    return (self, r.err().map(Err));
                }
            }
        }
    }
}

/// An async turn stream: a `Stream` of typed [`TurnEvent`]s; dropping it closes the connection.
pub struct TurnStream {
    driver: Option<TurnDriver>,
    pending: Option<Pending<TurnDriver, Result<TurnEvent, Error>>>,
}

impl std::fmt::Debug for TurnStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TurnStream").finish_non_exhaustive()
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
/// options (headers, attempt timeout, an overall deadline bounding the whole stream, tokens).
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
        Err(e) => TurnStream::start(
            TurnSession::failed(e),
            client.transport().http_client().clone(),
        ),
    }
}

impl TurnStream {
    /// Wraps a session; nothing is sent before the first poll.
    fn start(session: TurnSession, http: HttpClient) -> TurnStream {
        let cancelled = Cancelled::any(session.cancel_tokens().to_vec());
        TurnStream {
            driver: Some(TurnDriver {
                session,
                client: http,
                body: None,
                cancelled,
                done: false,
            }),
            pending: None,
        }
    }

    /// The next event (a convenience over `Stream::poll_next`).
    pub async fn next_event(&mut self) -> Option<Result<TurnEvent, Error>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next_event(cx)).await
    }

    fn poll_next_event(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<TurnEvent, Error>>> {
        if self.pending.is_none() {
            let Some(driver) = self.driver.take() else {
                return Poll::Ready(None);
            };
            self.pending = Some(Box::pin(driver.next()));
        }
        let Some(fut) = self.pending.as_mut() else {
            return Poll::Ready(None);
        };
        match fut.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready((driver, item)) => {
                self.pending = None;
                self.driver = Some(driver);
                Poll::Ready(item)
            }
        }
    }
}

impl futures_core::Stream for TurnStream {
    type Item = Result<TurnEvent, Error>;
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_next_event(cx)
    }
}
