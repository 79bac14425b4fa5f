//! The reconnecting WebSocket machine: states, close-code taxonomy, backoff,
//! reconnect budget, idle watchdog and the outbound send policy, without any I/O or clock.

use crate::call::backoff::{full_jitter, RandomSource, XorShift};
use crate::cancel::CancelToken;
use crate::config::USER_AGENT;
use crate::error::{Error, ErrorKind};
use crate::time::Time;
use bytes::Bytes;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::fmt;
use std::time::Duration;
use web_time::Instant;

/// A connection that stayed open this long counts as healthy even without messages.
pub const HEALTHY_AFTER: Duration = Duration::from_secs(60);

/// The delay floor after a close with 1013 or 4029 (not limited by `max_delay`).
pub const RATE_LIMIT_FLOOR: Duration = Duration::from_secs(5);

/// The close code the idle watchdog sends.
pub const IDLE_CLOSE_CODE: u16 = 4001;

/// The close reason the idle watchdog sends.
pub const IDLE_CLOSE_REASON: &str = "idle timeout";

/// The close code of a caller's `close()` without arguments.
pub const DEFAULT_CLOSE_CODE: u16 = 1000;

/// The close reason of a caller's `close()` without arguments.
pub const DEFAULT_CLOSE_REASON: &str = "client aborted";

/// Close codes from the server that end the session.
pub const TERMINAL_CLOSE_CODES: [u16; 5] = [1008, 4001, 4003, 4100, 4403];

/// The lifecycle state of a session; a state is reported only when it changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WsState {
    /// A socket is being opened (the initial state, not reported at start).
    Connecting,
    /// The socket is open; messages flow.
    Open,
    /// The socket closed (by the wire, a failed connect, the watchdog or the caller).
    Closed,
    /// The loop decided to reconnect and is sleeping before the next socket.
    Reconnecting,
    /// The session ended with an error.
    Terminal,
}

impl WsState {
    /// The state's lowercase name, as used in messages (`open`, `closed`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            WsState::Connecting => "connecting",
            WsState::Open => "open",
            WsState::Closed => "closed",
            WsState::Reconnecting => "reconnecting",
            WsState::Terminal => "terminal",
        }
    }
}

impl fmt::Display for WsState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One data message, in either direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WsMessage {
    /// A text frame.
    Text(String),
    /// A binary frame.
    Binary(Bytes),
}

impl WsMessage {
    /// The message as text: text frames as-is, binary frames decoded as UTF-8 (lossy).
    pub fn to_text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            WsMessage::Text(s) => std::borrow::Cow::Borrowed(s),
            WsMessage::Binary(b) => String::from_utf8_lossy(b),
        }
    }
}

impl From<String> for WsMessage {
    fn from(s: String) -> Self {
        WsMessage::Text(s)
    }
}

impl From<&str> for WsMessage {
    fn from(s: &str) -> Self {
        WsMessage::Text(s.to_owned())
    }
}

/// What `send` does while the socket is not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SendPolicy {
    /// Fail with `Cannot send on socket in state <state>` (the default).
    #[default]
    Reject,
    /// Queue up to this many messages and flush them, in order, on the next open.
    Buffer(usize),
}

/// Options of a reconnecting WebSocket session.
///
/// `#[non_exhaustive]`: start from [`WsOptions::default`] (or [`WsOptions::observer`]) and use
/// the setters.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WsOptions {
    /// The first backoff ceiling (default 1000 ms).
    pub initial_delay: Duration,
    /// The largest backoff ceiling (default 30 s).
    pub max_delay: Duration,
    /// Reconnects allowed between healthy connections (default 10; `None` = unlimited).
    pub max_reconnects: Option<u32>,
    /// Close and reconnect after this long without an inbound message (default 45 s; zero disables).
    pub idle_timeout: Duration,
    /// What `send` does while not open (default [`SendPolicy::Reject`]).
    pub send_policy: SendPolicy,
}

impl Default for WsOptions {
    fn default() -> Self {
        WsOptions {
            initial_delay: Duration::from_millis(1000),
            max_delay: Duration::from_millis(30_000),
            max_reconnects: Some(10),
            idle_timeout: Duration::from_secs(45),
            send_policy: SendPolicy::Reject,
        }
    }
}

impl WsOptions {
    /// The observer defaults: idle timeout 60 s, otherwise the session defaults.
    pub fn observer() -> Self {
        WsOptions {
            idle_timeout: Duration::from_secs(60),
            ..WsOptions::default()
        }
    }
    /// Sets the first backoff ceiling.
    pub fn initial_delay(mut self, d: Duration) -> Self {
        self.initial_delay = d;
        self
    }
    /// Sets the largest backoff ceiling.
    pub fn max_delay(mut self, d: Duration) -> Self {
        self.max_delay = d;
        self
    }
    /// Sets the reconnect budget (`None` = unlimited).
    pub fn max_reconnects(mut self, n: Option<u32>) -> Self {
        self.max_reconnects = n;
        self
    }
    /// Sets the idle timeout (zero disables the watchdog).
    pub fn idle_timeout(mut self, d: Duration) -> Self {
        self.idle_timeout = d;
        self
    }
    /// Sets the send policy.
    pub fn send_policy(mut self, p: SendPolicy) -> Self {
        self.send_policy = p;
        self
    }
}

/// What to open: the URL and subprotocols, fixed for every reconnect.
///
/// `Debug` hides every subprotocol but `auth` and any `token` query value.
#[derive(Clone, PartialEq, Eq)]
pub struct WsConnect {
    url: String,
    protocols: Vec<String>,
}

impl WsConnect {
    /// A target from a URL and subprotocols (for example `["auth", token]`).
    pub fn new(url: impl Into<String>, protocols: Vec<String>) -> Self {
        WsConnect {
            url: url.into(),
            protocols,
        }
    }
    /// The URL (may carry a query token; do not log it).
    pub fn url(&self) -> &str {
        &self.url
    }
    /// The subprotocols for `Sec-WebSocket-Protocol` (may carry a token; do not log them).
    pub fn protocols(&self) -> &[String] {
        &self.protocols
    }
    /// The `User-Agent` header value of the handshake.
    pub fn user_agent(&self) -> &'static str {
        USER_AGENT
    }
    /// The `Sec-WebSocket-Protocol` header value (`auth, <token>`), if any protocols are set.
    pub fn protocol_header(&self) -> Option<String> {
        (!self.protocols.is_empty()).then(|| self.protocols.join(", "))
    }
}

impl fmt::Debug for WsConnect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let protocols: Vec<&str> = self
            .protocols
            .iter()
            .map(|p| if p == "auth" { "auth" } else { "[REDACTED]" })
            .collect();
        f.debug_struct("WsConnect")
            .field("url", &redact_url(&self.url))
            .field("protocols", &protocols)
            .finish()
    }
}

/// Replaces the value of any `token` query parameter with `[REDACTED]`.
pub fn redact_url(url: &str) -> String {
    let (head, frag) = match url.split_once('#') {
        Some((h, f)) => (h, Some(f)),
        None => (url, None),
    };
    let mut out = match head.split_once('?') {
        Some((path, query)) => {
            let parts: Vec<String> = query
                .split('&')
                .map(|kv| match kv.split_once('=') {
                    Some((k, _)) if k == "token" => format!("{k}=[REDACTED]"),
                    _ => kv.to_owned(),
                })
                .collect();
            format!("{path}?{}", parts.join("&"))
        }
        None => head.to_owned(),
    };
    if let Some(f) = frag {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// A close frame: code and reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseFrame {
    /// The close code.
    pub code: u16,
    /// The close reason (at most 123 bytes).
    pub reason: String,
}

/// Why the loop reconnects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReconnectCause {
    /// The server or the network closed the socket.
    Closed,
    /// Our idle watchdog closed the socket (wire code 4001).
    IdleWatchdog,
    /// The server asked us to slow down (1013 or 4029).
    RateLimited,
    /// Opening the socket failed (DNS, TCP, TLS, handshake I/O or status).
    HandshakeFailed,
}

impl ReconnectCause {
    /// The cause's wire name (`closed`, `idle_watchdog`, `rate_limited`, `handshake_failed`).
    pub fn as_str(self) -> &'static str {
        match self {
            ReconnectCause::Closed => "closed",
            ReconnectCause::IdleWatchdog => "idle_watchdog",
            ReconnectCause::RateLimited => "rate_limited",
            ReconnectCause::HandshakeFailed => "handshake_failed",
        }
    }
}

/// The reconnect signal, emitted before the backoff sleep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconnect {
    /// The reconnect number (failures since the last healthy connection, from 1).
    pub attempt: u32,
    /// The planned sleep before the next socket.
    pub delay: Duration,
    /// The close code that caused it (none for connect failures).
    pub close_code: Option<u16>,
    /// The close reason that caused it (none for connect failures).
    pub close_reason: Option<String>,
    /// Why.
    pub cause: ReconnectCause,
}

/// Something for the consumer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WsEvent {
    /// The state changed.
    State(WsState),
    /// A data message arrived.
    Message(WsMessage),
    /// The loop will reconnect after `delay`.
    Reconnecting(Reconnect),
}

/// What the driver of a [`WsSession`] must do next: the WebSocket counterpart of
/// [`Step`](crate::Step), with the same names where the meaning is the same (see the module
/// docs for the contract).
#[derive(Debug)]
pub enum WsStep {
    /// Open a socket to this target, then report `handle_open` or `handle_connect_failed`.
    /// (Opening a socket is not an HTTP `Send`: the handshake is the transport's business.)
    Connect(WsConnect),
    /// Write this data message on the open socket.
    Transmit(WsMessage),
    /// Send this close frame on the current socket (if any) and drop it; report nothing more
    /// for it. A graceful wait for the server's echo is allowed but must be bounded.
    Close(CloseFrame),
    /// Hand this event to the consumer.
    Item(WsEvent),
    /// Nothing to do until input arrives or this instant passes (`None`: until input).
    Wait(Option<Instant>),
    /// The session is over; stop driving it. A terminal error arrives here exactly once;
    /// polling again answers `Done(Ok(()))`.
    Done(Result<(), Error>),
}

/// Why opening a socket failed, as seen by the driver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectFailure {
    /// The handshake was answered with this HTTP status instead of 101.
    Rejected {
        /// The HTTP status.
        status: u16,
    },
    /// DNS, TCP, TLS or handshake I/O failed (counts as close 1006).
    Network(String),
    /// The connector failed synchronously (malformed URL, unsupported scheme): terminal.
    Invalid(String),
}

/// A connect failure's text as an error message may show it: URLs redacted (capability tokens
/// in paths, credentials) and at most 300 characters.
fn connect_failure_text(cause: &str) -> String {
    let redacted: String = cause
        .split(' ')
        .map(|word| match word.contains("://") {
            true => crate::error::redact::redact_url(word, None),
            false => word.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ");
    match redacted.char_indices().nth(300) {
        Some((cut, _)) => format!("{}…", &redacted[..cut]),
        None => redacted,
    }
}

/// The typed fields of a terminal WebSocket error, read from an [`Error`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsErrorInfo {
    /// `auth`, `client_error`, `reconnect_budget_exhausted` or `open_failed`.
    pub reason: String,
    /// The close code, when a close caused it.
    pub close_code: Option<u16>,
    /// The close reason, when a close caused it.
    pub close_reason: Option<String>,
    /// The handshake HTTP status, when the handshake was rejected.
    pub http_status: Option<u16>,
    /// Reconnects done so far.
    pub attempts: u32,
}

impl WsErrorInfo {
    /// Reads the fields of a [`ErrorKind::WebSocket`] error; `None` for other errors.
    pub fn from_error(e: &Error) -> Option<WsErrorInfo> {
        if e.kind() != ErrorKind::WebSocket {
            return None;
        }
        let x = e.extra()?;
        let num = |k: &str| x.get(k).and_then(Value::as_u64);
        Some(WsErrorInfo {
            reason: e.error_code().unwrap_or_default().to_owned(),
            close_code: num("close_code").and_then(|n| u16::try_from(n).ok()),
            close_reason: x
                .get("close_reason")
                .and_then(Value::as_str)
                .map(str::to_owned),
            http_status: num("http_status").and_then(|n| u16::try_from(n).ok()),
            attempts: num("attempts")
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(0),
        })
    }

    fn into_error(self, message: String) -> Error {
        let extra = json!({
            "reason": self.reason,
            "close_code": self.close_code,
            "close_reason": self.close_reason,
            "http_status": self.http_status,
            "attempts": self.attempts,
        });
        Error::other(ErrorKind::WebSocket, Some(&self.reason), message).with_extra(extra)
    }
}

#[derive(Debug, Clone, Copy)]
enum Phase {
    /// `Connect` is due (emitted by the next poll).
    ConnectDue,
    /// `Connect` was emitted; waiting for the driver's report.
    Connecting,
    Open {
        opened_at: Instant,
        last_activity: Instant,
        got_message: bool,
    },
    Backoff {
        until: Instant,
    },
    Finished,
}

enum End {
    Wire { code: u16, reason: String },
    Watchdog,
    ConnectFailed,
    Rejected(u16),
}

/// The reconnecting WebSocket session: one per logical subscription, any number of sockets.
pub struct WsSession {
    target: WsConnect,
    options: WsOptions,
    rng: Box<dyn RandomSource>,
    cancel: Vec<CancelToken>,
    phase: Phase,
    state: WsState,
    out: VecDeque<WsStep>,
    buffer: VecDeque<WsMessage>,
    failures: u32,
    delay: Duration,
    last_close: Option<(u16, String)>,
    /// Why the last connect failed at the network level (DNS, TCP, proxy, TLS, handshake I/O),
    /// until a socket opens: named in the error when the reconnect budget runs out.
    last_connect_failure: Option<String>,
    caller_close: Option<CloseFrame>,
    failed: bool,
    terminal: Option<Error>,
}

impl fmt::Debug for WsSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WsSession")
            .field("target", &self.target)
            .field("state", &self.state)
            .field("failures", &self.failures)
            .field("delay", &self.delay)
            .finish_non_exhaustive()
    }
}

impl WsSession {
    /// A session that will open `target`; `seed` seeds the backoff jitter.
    pub fn new(target: WsConnect, options: WsOptions, seed: u64) -> WsSession {
        let delay = options.initial_delay;
        WsSession {
            target,
            options,
            rng: Box::new(XorShift::new(seed)),
            cancel: Vec::new(),
            phase: Phase::ConnectDue,
            state: WsState::Connecting,
            out: VecDeque::new(),
            buffer: VecDeque::new(),
            failures: 0,
            delay,
            last_close: None,
            last_connect_failure: None,
            caller_close: None,
            failed: false,
            terminal: None,
        }
    }

    /// Replaces the jitter's random source (tests inject fixed values).
    pub fn with_random(mut self, rng: Box<dyn RandomSource>) -> WsSession {
        self.rng = rng;
        self
    }

    /// Adds a cancellation token: when it fires, the session closes like `close()`.
    pub fn with_cancel(mut self, token: CancelToken) -> WsSession {
        self.cancel.push(token);
        self
    }

    /// The session's cancellation tokens (drivers register wakers with them).
    pub fn cancel_tokens(&self) -> &[CancelToken] {
        &self.cancel
    }

    /// The last reported state.
    pub fn state(&self) -> WsState {
        self.state
    }

    /// The target opened on every (re)connect.
    pub fn target(&self) -> &WsConnect {
        &self.target
    }

    /// The options.
    pub fn options(&self) -> &WsOptions {
        &self.options
    }

    /// Whether the session has stopped (closed by the caller or terminal).
    pub fn is_finished(&self) -> bool {
        matches!(self.phase, Phase::Finished)
    }

    /// Reconnects made since the last healthy connection.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Asks what to do next at `time.now` (drain until `Wait` or `Done`).
    pub fn poll(&mut self, time: Time) -> WsStep {
        let now = time.now;
        if let Some(o) = self.out.pop_front() {
            return o;
        }
        if self.is_finished() {
            return self.done();
        }
        if self.cancel.iter().any(CancelToken::is_cancelled) {
            let _ = self.close(None);
            return self.next_or_done();
        }
        match self.phase {
            Phase::ConnectDue => {
                self.phase = Phase::Connecting;
                self.set_state(WsState::Connecting);
                self.out.push_back(WsStep::Connect(self.target.clone()));
                self.next_or_done()
            }
            Phase::Connecting => WsStep::Wait(None),
            Phase::Backoff { until } => {
                if now >= until {
                    self.phase = Phase::ConnectDue;
                    self.poll(time)
                } else {
                    WsStep::Wait(Some(until))
                }
            }
            Phase::Open { last_activity, .. } => {
                let idle = self.options.idle_timeout;
                if idle.is_zero() {
                    return WsStep::Wait(None);
                }
                match last_activity.checked_add(idle) {
                    Some(at) if now >= at => {
                        self.out.push_back(WsStep::Close(CloseFrame {
                            code: IDLE_CLOSE_CODE,
                            reason: IDLE_CLOSE_REASON.to_owned(),
                        }));
                        self.end(End::Watchdog, now);
                        self.next_or_done()
                    }
                    Some(at) => WsStep::Wait(Some(at)),
                    None => WsStep::Wait(None),
                }
            }
            Phase::Finished => self.done(),
        }
    }

    /// The next queued step, or `Done` when nothing is queued.
    fn next_or_done(&mut self) -> WsStep {
        match self.out.pop_front() {
            Some(step) => step,
            None => self.done(),
        }
    }

    /// `Done`: the terminal error the first time, `Ok(())` afterwards.
    fn done(&mut self) -> WsStep {
        WsStep::Done(self.terminal.take().map_or(Ok(()), Err))
    }

    /// Reports that the socket opened (the handshake completed).
    pub fn handle_open(&mut self, time: Time) {
        let now = time.now;
        match self.phase {
            Phase::Connecting | Phase::ConnectDue => {
                self.last_connect_failure = None;
                self.phase = Phase::Open {
                    opened_at: now,
                    last_activity: now,
                    got_message: false,
                };
                self.set_state(WsState::Open);
                while let Some(m) = self.buffer.pop_front() {
                    self.out.push_back(WsStep::Transmit(m));
                }
            }
            Phase::Finished => {
                // The caller closed while the socket was being opened: close it at once.
                let frame = self.caller_close.clone().unwrap_or(CloseFrame {
                    code: DEFAULT_CLOSE_CODE,
                    reason: DEFAULT_CLOSE_REASON.to_owned(),
                });
                self.out.push_back(WsStep::Close(frame));
            }
            _ => {}
        }
    }

    /// Reports that opening the socket failed.
    pub fn handle_connect_failed(&mut self, failure: ConnectFailure, time: Time) {
        let now = time.now;
        if !matches!(self.phase, Phase::Connecting | Phase::ConnectDue) {
            return;
        }
        match failure {
            ConnectFailure::Invalid(msg) => {
                let info = WsErrorInfo {
                    reason: "open_failed".into(),
                    close_code: None,
                    close_reason: None,
                    http_status: None,
                    attempts: self.failures,
                };
                self.fail(info, msg);
            }
            ConnectFailure::Rejected { status } => self.end(End::Rejected(status), now),
            ConnectFailure::Network(cause) => {
                self.last_connect_failure = Some(connect_failure_text(&cause));
                self.end(End::ConnectFailed, now)
            }
        }
    }

    /// Reports an inbound data message (re-arms the idle watchdog).
    pub fn handle_message(&mut self, message: WsMessage, time: Time) {
        let now = time.now;
        if let Phase::Open {
            last_activity,
            got_message,
            ..
        } = &mut self.phase
        {
            *last_activity = now;
            *got_message = true;
            self.out.push_back(WsStep::Item(WsEvent::Message(message)));
        }
    }

    /// Reports that the driver is not reading the socket because the consumer is behind
    /// (backpressure): the idle watchdog restarts from `time`, since that silence is the
    /// driver's choice, not the server's.
    pub fn handle_paused(&mut self, time: Time) {
        if let Phase::Open { last_activity, .. } = &mut self.phase {
            *last_activity = (*last_activity).max(time.now);
        }
    }

    /// Reports that the socket closed: the server's close code and reason, 1005 for a close
    /// frame without a code, 1006 for a dropped connection.
    pub fn handle_closed(&mut self, code: u16, reason: &str, time: Time) {
        let now = time.now;
        if matches!(self.phase, Phase::Open { .. }) {
            self.end(
                End::Wire {
                    code,
                    reason: reason.to_owned(),
                },
                now,
            );
        }
    }

    /// Sends a message: forwarded when open, else handled by the send policy.
    pub fn send(&mut self, message: WsMessage) -> Result<(), Error> {
        if matches!(self.phase, Phase::Open { .. }) {
            self.out.push_back(WsStep::Transmit(message));
            return Ok(());
        }
        let reject = || {
            Error::other(
                ErrorKind::WebSocket,
                Some("send_rejected"),
                format!("Cannot send on socket in state {}", self.state),
            )
        };
        if self.is_finished() {
            return Err(reject());
        }
        match self.options.send_policy {
            SendPolicy::Reject => Err(reject()),
            SendPolicy::Buffer(n) => {
                if self.buffer.len() >= n {
                    return Err(Error::other(
                        ErrorKind::WebSocket,
                        Some("send_buffer_full"),
                        format!("Send buffer full ({n} messages)"),
                    ));
                }
                self.buffer.push_back(message);
                Ok(())
            }
        }
    }

    /// Closes the session with the caller's code and reason (default 1000 `client aborted`).
    ///
    /// Idempotent. The code must be 1000 or within 3000–4999 and the reason at most 123 bytes,
    /// otherwise a Config error is returned and nothing is sent.
    pub fn close(&mut self, frame: Option<CloseFrame>) -> Result<(), Error> {
        let frame = frame.unwrap_or(CloseFrame {
            code: DEFAULT_CLOSE_CODE,
            reason: DEFAULT_CLOSE_REASON.to_owned(),
        });
        if frame.code != 1000 && !(3000..=4999).contains(&frame.code) {
            return Err(Error::config(format!(
                "close code must be 1000 or in 3000-4999, got {}",
                frame.code
            )));
        }
        if frame.reason.len() > 123 {
            return Err(Error::config(format!(
                "close reason must be at most 123 bytes, got {}",
                frame.reason.len()
            )));
        }
        match self.phase {
            Phase::Finished => return Ok(()),
            Phase::Open { .. } | Phase::Connecting => {
                self.out.push_back(WsStep::Close(frame.clone()));
            }
            Phase::ConnectDue | Phase::Backoff { .. } => {}
        }
        self.caller_close = Some(frame);
        self.buffer.clear();
        self.phase = Phase::Finished;
        self.set_state(WsState::Closed);
        Ok(())
    }

    fn set_state(&mut self, s: WsState) {
        if self.state != s {
            self.state = s;
            self.out.push_back(WsStep::Item(WsEvent::State(s)));
        }
    }

    fn fail(&mut self, info: WsErrorInfo, message: String) {
        self.buffer.clear();
        self.phase = Phase::Finished;
        self.set_state(WsState::Terminal);
        if !self.failed {
            self.failed = true;
            self.terminal = Some(info.into_error(message));
        }
    }

    fn end(&mut self, end: End, now: Instant) {
        let healthy = match self.phase {
            Phase::Open {
                opened_at,
                got_message,
                ..
            } => got_message || now.saturating_duration_since(opened_at) >= HEALTHY_AFTER,
            _ => false,
        };
        self.set_state(WsState::Closed);
        let (code, reason, mut cause) = match end {
            End::Rejected(status @ (401 | 403)) => {
                let info = WsErrorInfo {
                    reason: "auth".into(),
                    close_code: None,
                    close_reason: None,
                    http_status: Some(status),
                    attempts: self.failures,
                };
                self.fail(
                    info,
                    format!("WebSocket handshake rejected with HTTP {status}"),
                );
                return;
            }
            End::Rejected(_) | End::ConnectFailed => {
                self.last_close = Some((1006, String::new()));
                (None, None, ReconnectCause::HandshakeFailed)
            }
            End::Watchdog => {
                self.last_close = Some((IDLE_CLOSE_CODE, IDLE_CLOSE_REASON.to_owned()));
                (
                    Some(IDLE_CLOSE_CODE),
                    Some(IDLE_CLOSE_REASON.to_owned()),
                    ReconnectCause::IdleWatchdog,
                )
            }
            End::Wire { code, reason } => {
                self.last_close = Some((code, reason.clone()));
                if TERMINAL_CLOSE_CODES.contains(&code) {
                    let info = WsErrorInfo {
                        reason: if code == 4403 { "auth" } else { "client_error" }.into(),
                        close_code: Some(code),
                        close_reason: Some(reason.clone()),
                        http_status: None,
                        attempts: self.failures,
                    };
                    self.fail(
                        info,
                        format!("Server closed with terminal code {code}: {reason}"),
                    );
                    return;
                }
                (Some(code), Some(reason), ReconnectCause::Closed)
            }
        };
        if healthy {
            self.failures = 0;
            self.delay = self.options.initial_delay;
        }
        if let Some(max) = self.options.max_reconnects {
            if self.failures >= max {
                let (lc, lr) = self.last_close.clone().unzip();
                let info = WsErrorInfo {
                    reason: "reconnect_budget_exhausted".into(),
                    close_code: lc,
                    close_reason: lr,
                    http_status: None,
                    attempts: self.failures,
                };
                let message = match &self.last_connect_failure {
                    Some(cause) => format!(
                        "Reconnect budget exhausted ({max} attempts); last connect failure: {cause}"
                    ),
                    None => format!("Reconnect budget exhausted ({max} attempts)"),
                };
                self.fail(info, message);
                return;
            }
        }
        if matches!(code, Some(1013 | 4029)) {
            self.delay = self.delay.max(RATE_LIMIT_FLOOR);
            cause = ReconnectCause::RateLimited;
        }
        self.failures += 1;
        let ceiling_ms = u64::try_from(self.delay.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        let jitter = full_jitter(
            Duration::from_millis(ceiling_ms),
            Duration::MAX,
            0,
            self.rng.next_u32(),
        );
        let sleep = Duration::from_millis(u64::try_from(jitter.as_millis()).unwrap_or(u64::MAX));
        self.delay = self.delay.saturating_mul(2).min(self.options.max_delay);
        self.set_state(WsState::Reconnecting);
        self.out
            .push_back(WsStep::Item(WsEvent::Reconnecting(Reconnect {
                attempt: self.failures,
                delay: sleep,
                close_code: code,
                close_reason: reason,
                cause,
            })));
        let until = now.checked_add(sleep).unwrap_or(now);
        self.phase = Phase::Backoff { until };
    }
}
