//! The workspace event-stream session: connect, decode, resume, reconnect.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{header, HeaderValue, Method};
use serde_json::{Map, Value};
use web_time::Instant;

use super::typed::EventKind;
use super::{streams_body, SseDecoder, SseError, SseEvent, SseItem};
use crate::call::attempt::AttemptOutcome;
use crate::call::backoff::{full_jitter, RandomSource, XorShift};
use crate::call::operation::{Operation, RequestParts};
use crate::call::options::RequestOptions;
use crate::call::request::PreparedRequest;
use crate::call::retry::{Call, Machine, Step, Time};
use crate::cancel::CancelToken;
use crate::client::CallContext;
use crate::config::Config;
use crate::error::{Error, ErrorKind, TimeoutScope};

/// The `Last-Event-ID` request header.
const LAST_EVENT_ID: &str = "last-event-id";

/// Options of a workspace event subscription.
///
/// `#[non_exhaustive]`: start from [`SseOptions::new`] and use the setters.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SseOptions {
    /// The resume point sent as `Last-Event-ID` on the first connect.
    pub last_event_id: Option<String>,
    /// Initial (and minimum) reconnect delay ceiling; default 3000 ms.
    pub initial_delay: Duration,
    /// Maximum reconnect delay ceiling; default 30000 ms.
    pub max_delay: Duration,
    /// Consecutive failed connections tolerated; `None` is unlimited; default 10.
    pub max_reconnects: Option<u32>,
    /// Drop the connection when no byte arrives for this long; `None` or zero disables; default 45 s.
    pub idle_timeout: Option<Duration>,
    /// A connection open this long counts as healthy even without events; default 60 s.
    pub healthy_after: Duration,
    /// Request options for each connect (headers, attempt timeout, HTTP retry policy, cancel
    /// tokens). Their `deadline`, when set and non-zero, bounds the whole subscription: when it
    /// passes, the subscription ends with a Timeout error (scope `Deadline`). The client-level
    /// default deadline of [`Config`] does not apply to subscriptions, which are long-lived.
    pub request: RequestOptions,
    /// A base URL overriding the configured one.
    pub base_url: Option<String>,
}

impl Default for SseOptions {
    fn default() -> Self {
        SseOptions {
            last_event_id: None,
            initial_delay: Duration::from_millis(3000),
            max_delay: Duration::from_millis(30_000),
            max_reconnects: Some(10),
            idle_timeout: Some(Duration::from_secs(45)),
            healthy_after: Duration::from_secs(60),
            request: RequestOptions::default(),
            base_url: None,
        }
    }
}

impl SseOptions {
    /// Default options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Resumes after this event id (sent as `Last-Event-ID` on the first connect).
    pub fn last_event_id(mut self, id: impl Into<String>) -> Self {
        self.last_event_id = Some(id.into());
        self
    }

    /// Sets the initial and maximum reconnect delay ceilings.
    pub fn delays(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_delay = initial;
        self.max_delay = max;
        self
    }

    /// Sets the consecutive-failure budget (`None` = unlimited).
    pub fn max_reconnects(mut self, n: Option<u32>) -> Self {
        self.max_reconnects = n;
        self
    }

    /// Sets the idle watchdog (`None` or zero disables it).
    pub fn idle_timeout(mut self, d: Option<Duration>) -> Self {
        self.idle_timeout = d;
        self
    }

    /// Sets how long a connection must stay open to count as healthy without events.
    pub fn healthy_after(mut self, d: Duration) -> Self {
        self.healthy_after = d;
        self
    }

    /// Connects to this base URL instead of the configured one.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Adds a cancellation token: cancelling it ends the subscription silently.
    pub fn cancel_token(mut self, token: CancelToken) -> Self {
        self.request.cancel.push(token);
        self
    }

    /// Replaces the per-connect request options.
    pub fn request_options(mut self, options: RequestOptions) -> Self {
        self.request = options;
        self
    }
}

/// One item of a workspace subscription, as every transport yields it: a business event or a
/// connection-state signal.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamItem {
    /// A business event.
    Event(WorkspaceEvent),
    /// A connection-state signal (connecting, open, `stream.opened`, reconnecting, closed).
    State(StreamState),
}

impl StreamItem {
    /// Keeps what an events-only reader wants from one subscription item: the business event
    /// or the terminal error; `None` for a state signal (to be skipped).
    pub fn business(item: Result<StreamItem, Error>) -> Option<Result<WorkspaceEvent, Error>> {
        match item {
            Ok(StreamItem::Event(e)) => Some(Ok(e)),
            Ok(StreamItem::State(_)) => None,
            Err(e) => Some(Err(e)),
        }
    }
}

/// A business event of the workspace stream.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkspaceEvent {
    /// The SSE event name (it overrides any `event_type` inside the JSON).
    pub event_type: String,
    /// The frame's `id` (Unix epoch milliseconds on the platform), when it had one.
    pub id: Option<String>,
    /// The raw JSON object, with `event_type` inserted.
    pub data: Map<String, Value>,
    /// The typed, leniently decoded payload.
    pub kind: EventKind,
}

/// The `stream.opened` control frame: a connection signal, not a business event.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamOpened {
    /// The server's connection id.
    pub connection_id: Option<String>,
    /// The workspace's concurrent-stream cap.
    pub max_streams_per_workspace: Option<i64>,
    /// The raw JSON data.
    pub data: Value,
}

/// Why a subscription ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// The caller cancelled or unsubscribed; no error follows.
    Cancelled,
    /// A terminal error; it follows in [`SseStep::Done`].
    Error,
}

/// A connection-state signal.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamState {
    /// A connect request is about to be sent; `attempt` is 0 for the first connect, else the
    /// number of consecutive failures so far.
    Connecting {
        /// Consecutive failures before this connect.
        attempt: u32,
    },
    /// The server answered 2xx `text/event-stream`; events may follow.
    Open,
    /// The server's `stream.opened` control frame.
    Opened(StreamOpened),
    /// The connection ended and a reconnect is scheduled after `delay`.
    Reconnecting {
        /// The 1-based number of this reconnect in the current failure run.
        attempt: u32,
        /// The jittered sleep before the reconnect.
        delay: Duration,
        /// Why the previous connection ended.
        cause: String,
    },
    /// The subscription is over.
    Closed {
        /// Why.
        reason: CloseReason,
    },
}

/// What the driver of an [`SseSession`] must do next: the shared [`Step`] with
/// [`StreamItem`] items and `Done(Ok(()))` (or the terminal error, once) at the end.
///
/// The connect attempts are streaming `Send`s; `Read(until)` carries the idle watchdog (poll
/// again when it passes), `Wait` a reconnect backoff.
pub type SseStep = Step<StreamItem, Result<(), Error>>;

/// `GET /v1/{workspace_id}/events/stream` (`get-event-stream`) as an operation value: what
/// [`SseSession::new`] connects to. The generated surface passes its own operation value to
/// [`SseSession::from_call`] instead; both build the same request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EventStreamOp;

impl Operation for EventStreamOp {
    type Output = ();
    fn method(&self) -> Method {
        Method::GET
    }
    fn path_template(&self) -> &str {
        "/v1/{workspace_id}/events/stream"
    }
    fn operation_id(&self) -> &str {
        "get-event-stream"
    }
    fn accept(&self) -> &'static str {
        "text/event-stream"
    }
    fn parts(&self) -> Result<RequestParts, Error> {
        Ok(RequestParts::new())
    }
    fn parse(&self, _response: http::Response<Bytes>) -> Result<(), Error> {
        Ok(())
    }
}

#[allow(clippy::large_enum_variant)]
enum Phase {
    Start,
    Connecting(Call),
    Open {
        decoder: SseDecoder,
        opened_at: Instant,
        idle_at: Option<Instant>,
        healthy: bool,
    },
    Backoff(Instant),
    Finished,
}

/// Closes a subscription from anywhere; cloneable and idempotent.
#[derive(Debug, Clone)]
pub struct SubscriptionHandle {
    token: CancelToken,
}

impl SubscriptionHandle {
    /// Unsubscribes: the subscription ends promptly, without an error (a driver blocked in a
    /// read or a backoff sleep wakes at once).
    pub fn close(&self) {
        self.token.cancel();
    }

    /// Whether [`close`](Self::close) was called.
    pub fn is_closed(&self) -> bool {
        self.token.is_cancelled()
    }
}

/// The sans-IO workspace event subscription: see the [module docs](super).
pub struct SseSession {
    config: Arc<Config>,
    request: Result<PreparedRequest, Option<Error>>,
    connect_options: RequestOptions,
    opts: SseOptions,
    cancel: Vec<CancelToken>,
    own_cancel: CancelToken,
    rng: Box<dyn RandomSource>,
    seed: u64,
    resume: Option<String>,
    failures: u32,
    base: Duration,
    delay: Duration,
    phase: Phase,
    out: VecDeque<StreamItem>,
    terminal: Option<Error>,
    /// The overall deadline: its length from the options, and the instant once the first poll
    /// started the clock.
    deadline: Option<(Duration, Option<Instant>)>,
}

impl std::fmt::Debug for SseSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SseSession")
            .field("resume", &self.resume)
            .field("failures", &self.failures)
            .field("delay", &self.delay)
            .finish_non_exhaustive()
    }
}

impl SseSession {
    /// Creates a subscription to `GET /v1/{workspace_id}/events/stream`; nothing is sent until
    /// the first [`poll`](Self::poll). `seed` seeds the reconnect jitter.
    pub fn new(config: Arc<Config>, options: SseOptions, seed: u64) -> SseSession {
        SseSession::with_operation(&EventStreamOp, config, options, seed)
    }

    /// Creates a subscription from a call's context: the streaming form of its operation (any
    /// value building the event-stream GET, such as the generated `get-event-stream`), under the
    /// call's merged options (client scope, resource scope, per-call) and base URL. The layers
    /// of `options.request` go on top of the call's, and `options.base_url` wins when set.
    pub fn from_call<O: Operation>(
        ctx: CallContext<O>,
        options: SseOptions,
        seed: u64,
    ) -> SseSession {
        let CallContext {
            op,
            config,
            options: call_options,
            base_url,
        } = ctx;
        let options = SseOptions {
            request: call_options.merged(&options.request),
            base_url: options.base_url.or(base_url),
            ..options
        };
        SseSession::with_operation(&op, config, options, seed)
    }

    fn with_operation<O: Operation + ?Sized>(
        op: &O,
        config: Arc<Config>,
        options: SseOptions,
        seed: u64,
    ) -> SseSession {
        let deadline = options
            .request
            .deadline
            .filter(|d| !d.is_zero())
            .map(|d| (d, None));
        let mut connect_options = options.request.clone();
        // Each connect bounds only its response headers; the subscription's own deadline (if
        // any) is enforced by the session, which caps every connect by what remains of it.
        connect_options.deadline = Some(Duration::ZERO);
        let request =
            super::prepare_stream(op, &config, &connect_options, options.base_url.as_deref())
                .map_err(Some);
        let own_cancel = CancelToken::new();
        let mut cancel = options.request.cancel.clone();
        cancel.push(own_cancel.clone());
        connect_options.cancel = cancel.clone();
        let base = options.initial_delay;
        SseSession {
            config,
            request,
            connect_options,
            resume: options.last_event_id.clone().filter(|s| !s.is_empty()),
            opts: options,
            cancel,
            own_cancel,
            rng: Box::new(XorShift::new(seed)),
            seed,
            failures: 0,
            base,
            delay: base,
            phase: Phase::Start,
            out: VecDeque::new(),
            terminal: None,
            deadline,
        }
    }

    /// Replaces the jitter's random source (tests inject fixed values).
    pub fn with_random(mut self, rng: Box<dyn RandomSource>) -> SseSession {
        self.rng = rng;
        self
    }

    /// Every token that ends the subscription (drivers watch them during I/O and sleeps).
    pub fn cancel_tokens(&self) -> &[CancelToken] {
        &self.cancel
    }

    /// The session's own token: cancelling it is [`close`](Self::close).
    pub fn close_token(&self) -> CancelToken {
        self.own_cancel.clone()
    }

    /// A handle that closes the subscription from anywhere (another thread or task).
    pub fn handle(&self) -> SubscriptionHandle {
        SubscriptionHandle {
            token: self.own_cancel.clone(),
        }
    }

    /// Unsubscribes: idempotent; the next poll ends the session without an error.
    pub fn close(&self) {
        self.own_cancel.cancel();
    }

    /// Whether a token was cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.iter().any(CancelToken::is_cancelled)
    }

    /// The current resume point (the id of the latest business event).
    pub fn resume_point(&self) -> Option<&str> {
        self.resume.as_deref()
    }

    /// The current reconnect delay ceiling (grows on failures, resets after healthy connections).
    pub fn current_delay(&self) -> Duration {
        self.delay
    }

    /// Consecutive failed connections so far.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Whether a connection is open (the driver should be reading its body).
    pub fn is_open(&self) -> bool {
        matches!(self.phase, Phase::Open { .. })
    }

    /// The idle watchdog's timeout, `None` when disabled (drivers may use it as a per-read
    /// limit).
    pub fn idle_timeout(&self) -> Option<Duration> {
        self.opts.idle_timeout.filter(|d| !d.is_zero())
    }

    /// The instant the subscription's deadline passes, once the first poll started its clock.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline.and_then(|(_, at)| at)
    }

    /// Starts the deadline clock at the first poll; ends the session once the deadline passed.
    fn check_deadline(&mut self, time: Time) {
        let Some((total, at)) = &mut self.deadline else {
            return;
        };
        let at = *at.get_or_insert_with(|| time.now.checked_add(*total).unwrap_or(time.now));
        let total = *total;
        if time.now >= at && !matches!(self.phase, Phase::Finished) {
            // Items already decoded are still delivered, then the close and the error.
            self.terminal(Error::timeout(total, TimeoutScope::Deadline));
        }
    }

    /// `until`, capped by the deadline.
    fn bounded(&self, until: Option<Instant>) -> Option<Instant> {
        match (until, self.deadline()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Asks what to do next (see [`SseStep`]).
    pub fn poll(&mut self, time: Time) -> SseStep {
        if !matches!(self.phase, Phase::Finished) && self.is_cancelled() {
            self.out.clear();
            self.phase = Phase::Finished;
            return Step::Item(StreamItem::State(StreamState::Closed {
                reason: CloseReason::Cancelled,
            }));
        }
        self.check_deadline(time);
        // Bounded: every pass either returns or moves to a phase that returns.
        for _ in 0..8 {
            if let Some(item) = self.out.pop_front() {
                return Step::Item(item);
            }
            match &mut self.phase {
                Phase::Start => self.begin_connect(time),
                Phase::Backoff(until) => {
                    if time.now < *until {
                        let until = *until;
                        return Step::Wait(self.bounded(Some(until)).unwrap_or(until));
                    }
                    self.begin_connect(time);
                }
                Phase::Connecting(call) => match call.poll(time) {
                    Step::Send(attempt) => return Step::Send(attempt),
                    Step::Refresh(refresh) => return Step::Refresh(refresh),
                    Step::Wait(until) => return Step::Wait(until),
                    Step::Read(_) | Step::Item(_) => {}
                    Step::Done(Ok(resp)) => self.opened(resp, time),
                    Step::Done(Err(e)) => self.connect_failed(e, time),
                },
                Phase::Open { idle_at, .. } => match *idle_at {
                    Some(at) if time.now >= at => self.connection_ended("idle timeout", time),
                    at => return Step::Read(self.bounded(at)),
                },
                Phase::Finished => return Step::Done(self.terminal.take().map_or(Ok(()), Err)),
            }
        }
        Step::Done(self.terminal.take().map_or(Ok(()), Err))
    }

    /// Reports how the refresh of the last `Refresh` step ended (a failure ends the
    /// subscription with it: credentials do not heal by reconnecting).
    pub fn handle_refresh(&mut self, result: Result<(), Error>, time: Time) {
        if let Phase::Connecting(call) = &mut self.phase {
            call.handle_refresh(result, time);
        }
    }

    /// Reports how a connect attempt ended without a streamed body: a transport failure, a
    /// timeout, a cancellation, or a buffered response (non-2xx or not `text/event-stream`).
    pub fn handle_outcome(&mut self, outcome: AttemptOutcome, time: Time) {
        if let Phase::Connecting(call) = &mut self.phase {
            call.handle_outcome(outcome, time);
        }
    }

    /// Reports the head of a 2xx `text/event-stream` response; its body is fed next.
    pub fn handle_head(&mut self, head: http::response::Parts, time: Time) {
        self.handle_outcome(
            AttemptOutcome::Response(http::Response::from_parts(head, Bytes::new())),
            time,
        );
    }

    /// Feeds one chunk of the body (ignored unless a connection is open).
    pub fn handle_chunk(&mut self, chunk: &[u8], time: Time) {
        let idle = self.idle_timeout();
        let Phase::Open {
            decoder, idle_at, ..
        } = &mut self.phase
        else {
            return;
        };
        if chunk.is_empty() {
            return;
        }
        *idle_at = idle.and_then(|d| time.now.checked_add(d));
        decoder.feed(chunk);
        let mut items = Vec::new();
        while let Some(item) = decoder.next_frame() {
            items.push(item);
        }
        for item in items {
            if !self.is_open() {
                break;
            }
            match item {
                Ok(SseItem::Retry(ms)) => self.apply_retry(ms),
                Ok(SseItem::Comment(_)) => {}
                Ok(SseItem::Event(ev)) => self.on_frame(ev, time),
                Err(e @ SseError::EventTooLarge { .. }) => {
                    self.connection_ended(&e.to_string(), time)
                }
            }
        }
    }

    /// Reports the end of the body (the server closed the stream).
    pub fn handle_eof(&mut self, time: Time) {
        if self.is_open() {
            self.connection_ended("Stream closed by server", time);
        }
    }

    /// Reports a failure while reading the body.
    pub fn handle_read_error(&mut self, error: Error, time: Time) {
        if self.is_open() {
            self.connection_ended(error.message(), time);
        }
    }

    fn begin_connect(&mut self, time: Time) {
        let req = match &mut self.request {
            Ok(r) => r.clone(),
            Err(e) => {
                let e = e
                    .take()
                    .unwrap_or_else(|| Error::config("invalid event stream request"));
                self.terminal(e);
                return;
            }
        };
        let mut req = req;
        req.headers.remove(LAST_EVENT_ID);
        if let Some(id) = &self.resume {
            if let Ok(v) = HeaderValue::from_str(id) {
                req.headers.insert(LAST_EVENT_ID, v);
            }
        }
        req.headers.remove(header::CONTENT_TYPE);
        self.seed = self.seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut connect_options = self.connect_options.clone();
        if let Some(at) = self.deadline() {
            // What remains of the subscription's deadline bounds this connect (and its retries).
            let left = at.saturating_duration_since(time.now);
            connect_options.deadline = Some(left.max(Duration::from_millis(1)));
        }
        let call = Call::new(req, &self.config, &connect_options, self.seed, time)
            .streaming(self.idle_timeout());
        self.phase = Phase::Connecting(call);
        self.out
            .push_back(StreamItem::State(StreamState::Connecting {
                attempt: self.failures,
            }));
    }

    fn opened(&mut self, resp: http::Response<Bytes>, time: Time) {
        let (head, _) = resp.into_parts();
        if !streams_body(&head) {
            let ct = head
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("none")
                .to_owned();
            self.phase = Phase::Start;
            self.connection_ended(
                &format!("Unexpected content type for event stream: {ct}"),
                time,
            );
            return;
        }
        self.phase = Phase::Open {
            decoder: SseDecoder::new(),
            opened_at: time.now,
            idle_at: self.idle_timeout().and_then(|d| time.now.checked_add(d)),
            healthy: false,
        };
        self.out.push_back(StreamItem::State(StreamState::Open));
    }

    fn connect_failed(&mut self, e: Error, time: Time) {
        self.check_deadline(time);
        if matches!(self.phase, Phase::Finished) {
            return;
        }
        match e.kind() {
            ErrorKind::Cancelled => {
                self.out.clear();
                self.phase = Phase::Finished;
                self.out.push_back(StreamItem::State(StreamState::Closed {
                    reason: CloseReason::Cancelled,
                }));
            }
            ErrorKind::Authentication
            | ErrorKind::Permission
            | ErrorKind::Config
            | ErrorKind::Hook => self.terminal(e),
            _ => {
                self.phase = Phase::Start;
                self.connection_ended(e.message(), time);
            }
        }
    }

    fn terminal(&mut self, e: Error) {
        self.phase = Phase::Finished;
        self.terminal = Some(e);
        self.out.push_back(StreamItem::State(StreamState::Closed {
            reason: CloseReason::Error,
        }));
    }

    fn apply_retry(&mut self, ms: u64) {
        let server = Duration::from_millis(ms);
        self.base = server.max(self.opts.initial_delay).min(self.opts.max_delay);
        self.delay = self.base;
    }

    /// A connection (or connect) ended retryably: budget, jittered backoff, reconnect signal.
    fn connection_ended(&mut self, reason: &str, time: Time) {
        let healthy = match &self.phase {
            Phase::Open {
                healthy, opened_at, ..
            } => {
                *healthy
                    || time.now.saturating_duration_since(*opened_at) >= self.opts.healthy_after
            }
            _ => false,
        };
        if healthy {
            self.failures = 0;
            self.delay = self.base;
        }
        if let Some(max) = self.opts.max_reconnects {
            if self.failures >= max {
                let e = Error::other(
                    ErrorKind::EventStream,
                    Some("transport_exhausted"),
                    format!("SSE subscription exhausted reconnect budget ({max}): {reason}"),
                )
                .with_retryable(true);
                self.terminal(e);
                return;
            }
        }
        self.failures += 1;
        let ceiling = self.delay.max(Duration::from_millis(1));
        let sleep = full_jitter(ceiling, ceiling, 0, self.rng.next_u32());
        self.delay = self.delay.saturating_mul(2).min(self.opts.max_delay);
        let until = time.now.checked_add(sleep).unwrap_or(time.now);
        self.phase = Phase::Backoff(until);
        self.out
            .push_back(StreamItem::State(StreamState::Reconnecting {
                attempt: self.failures,
                delay: sleep,
                cause: reason.to_owned(),
            }));
    }

    fn on_frame(&mut self, ev: SseEvent, time: Time) {
        match ev.event.as_deref() {
            None => {}
            Some("error") => match serde_json::from_str::<Value>(&ev.data) {
                Err(_) => self.connection_ended("Server sent malformed error frame", time),
                Ok(Value::Object(m)) => {
                    let code = m.get("code").and_then(Value::as_str).map(str::to_owned);
                    let message = m.get("message").and_then(Value::as_str).map(str::to_owned);
                    if code.as_deref() == Some("too_many_streams") {
                        let e = Error::other(
                            ErrorKind::EventStream,
                            Some("too_many_streams"),
                            message.unwrap_or_else(|| "Stream error".to_owned()),
                        )
                        .with_retryable(false)
                        .with_extra(Value::Object(m));
                        self.terminal(e);
                    } else {
                        let reason = format!(
                            "{} (code={})",
                            message.as_deref().unwrap_or("Stream error"),
                            code.as_deref().unwrap_or("none")
                        );
                        self.connection_ended(&reason, time);
                    }
                }
                Ok(_) => self.connection_ended("Server sent non-object error frame", time),
            },
            Some("stream.opened") => {
                let data: Value = serde_json::from_str(&ev.data).unwrap_or(Value::Null);
                let opened = StreamOpened {
                    connection_id: data
                        .get("connection_id")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    max_streams_per_workspace: data
                        .get("max_streams_per_workspace")
                        .and_then(Value::as_i64),
                    data,
                };
                self.out
                    .push_back(StreamItem::State(StreamState::Opened(opened)));
            }
            Some(name) => {
                let Ok(Value::Object(mut data)) = serde_json::from_str::<Value>(&ev.data) else {
                    #[cfg(feature = "tracing")]
                    tracing::debug!(
                        event = name,
                        "dropping SSE event whose data is not a JSON object"
                    );
                    return;
                };
                data.insert("event_type".to_owned(), Value::String(name.to_owned()));
                let kind = EventKind::decode(name, &data);
                let event = WorkspaceEvent {
                    event_type: name.to_owned(),
                    id: ev.id.clone(),
                    data,
                    kind,
                };
                if let Some(id) = ev.id {
                    self.resume = (!id.is_empty()).then_some(id);
                }
                if let Phase::Open { healthy, .. } = &mut self.phase {
                    *healthy = true;
                }
                self.out.push_back(StreamItem::Event(event));
            }
        }
    }
}

impl Machine for SseSession {
    type Item = StreamItem;
    type Output = Result<(), Error>;
    fn poll(&mut self, time: Time) -> SseStep {
        SseSession::poll(self, time)
    }
    fn handle_outcome(&mut self, outcome: AttemptOutcome, time: Time) {
        SseSession::handle_outcome(self, outcome, time)
    }
    fn handle_head(&mut self, head: http::response::Parts, time: Time) {
        SseSession::handle_head(self, head, time)
    }
    fn handle_chunk(&mut self, chunk: &[u8], time: Time) {
        SseSession::handle_chunk(self, chunk, time)
    }
    fn handle_eof(&mut self, time: Time) {
        SseSession::handle_eof(self, time)
    }
    fn handle_read_error(&mut self, error: Error, time: Time) {
        SseSession::handle_read_error(self, error, time)
    }
    fn handle_refresh(&mut self, result: Result<(), Error>, time: Time) {
        SseSession::handle_refresh(self, result, time)
    }
    fn cancel_tokens(&self) -> &[CancelToken] {
        SseSession::cancel_tokens(self)
    }
}
