//! WebSockets: the sans-IO reconnecting session, the observer,
//! text-stream and session-connect URL and subprotocol builders, and typed frames.
//!
//! # Driving contract
//!
//! A [`WsSession`] is message-level: the driver owns the socket, the clock and the sleeping,
//! and the session decides everything else (states, close-code taxonomy, backoff, reconnect
//! budget, idle watchdog, send policy). It follows the crate's one driving contract (see the
//! crate docs): ask [`WsSession::poll`] for the next [`WsStep`] with the current
//! [`Time`](crate::Time), do what it says, report through the `handle_*` inputs (each takes
//! the [`Time`](crate::Time) too), and poll again until `Done`. The steps keep the names of
//! [`Step`](crate::Step) where they mean the same thing:
//!
//! | step | the driver | then reports |
//! |---|---|---|
//! | `Connect(target)` | opens a socket to the target (URL, `Sec-WebSocket-Protocol`, `User-Agent`) | [`WsSession::handle_open`], or [`WsSession::handle_connect_failed`] (`Rejected { status }` when the handshake answered an HTTP status, `Network` for I/O, `Invalid` when the connector failed synchronously, which is terminal) |
//! | `Transmit(message)` | writes the data message on the open socket | [`WsSession::handle_closed`] with 1006 if the write failed |
//! | `Close(frame)` | sends the close frame and drops the socket (a bounded wait for the server's echo is fine) | nothing more for that socket |
//! | `Item(event)` | hands the event to the consumer | — |
//! | `Wait(until)` | waits for socket input, a caller command, or the instant | [`WsSession::handle_message`], or [`WsSession::handle_closed`] with the wire code (1005 for a close without code, 1006 for a dropped connection); nothing for a timer or a command |
//! | `Done(result)` | stops: a terminal error arrives here exactly once (just after the `Terminal` state), afterwards `Done(Ok(()))` | — |
//!
//! Callers' [`WsSession::send`] and [`WsSession::close`] are synchronous: they return the
//! policy's error at once and queue their wire effect as steps.
//!
//! Everything a driver shares with its callers that does no I/O is here once: [`WsShared`]
//! (the session behind a lock, the driver's wake-up, the consumer's event queue),
//! [`WsHandle`], [`WsStream`] and [`ObserverStream`] over a transport's [`WsDriver`], and the
//! [`ws_surface!`](crate::ws_surface) declaration of a transport's `observe` and
//! `text_stream`.
//!
//! ```
//! use amigo_platform_core::ws::{
//!     ConnectFailure, WsConnect, WsEvent, WsMessage, WsOptions, WsSession, WsState, WsStep,
//! };
//! use amigo_platform_core::Time;
//! use std::time::Duration;
//! use web_time::{Instant, SystemTime};
//!
//! let target = WsConnect::new("ws://127.0.0.1:9/v1/ws/observers/x/ws", vec!["auth".into(), "tok".into()]);
//! let options = WsOptions::default().initial_delay(Duration::from_millis(100));
//! let mut session = WsSession::new(target, options, 7);
//! // a fake clock: the driver owns time
//! let mut t = Time { now: Instant::now(), wall: SystemTime::now() };
//! let mut log = Vec::new();
//! let mut connects = 0;
//! let result = loop {
//!     match session.poll(t) {
//!         WsStep::Connect(_) => {
//!             connects += 1;
//!             if connects == 1 {
//!                 // first socket: opens, delivers one message, then the server drops it
//!                 session.handle_open(t);
//!                 session.handle_message(WsMessage::Text("hi".into()), t);
//!                 session.handle_closed(1006, "", t);
//!             } else {
//!                 // second socket: the server refuses the token
//!                 session.handle_connect_failed(ConnectFailure::Rejected { status: 401 }, t);
//!             }
//!         }
//!         WsStep::Item(WsEvent::State(s)) => log.push(s.as_str().to_owned()),
//!         WsStep::Item(WsEvent::Message(m)) => log.push(format!("msg {}", m.to_text())),
//!         WsStep::Item(WsEvent::Reconnecting(r)) => log.push(format!("retry {}", r.attempt)),
//!         WsStep::Wait(Some(at)) => t.now = at, // "sleep"
//!         WsStep::Wait(None) | WsStep::Transmit(_) | WsStep::Close(_) => {}
//!         WsStep::Done(result) => break result,
//!     }
//! };
//! assert_eq!(log, ["open", "msg hi", "closed", "reconnecting", "retry 1", "connecting",
//!                  "closed", "terminal"]);
//! let error = result.expect_err("the 401 is terminal");
//! assert_eq!(error.to_string(), "WebSocket handshake rejected with HTTP 401");
//! assert_eq!(session.state(), WsState::Terminal);
//! assert!(matches!(session.poll(t), WsStep::Done(Ok(())))); // the error came once
//! ```
//!
//! Most users do not drive sessions by hand: the transports (`amigo_platform_ureq::ws`,
//! `amigo_platform_hyper::ws`, `amigo_platform_wasm::ws`) run them and expose the same
//! names: `WsStream` (an iterator on ureq, a stream on hyper and wasm), `ObserverStream`,
//! [`WsHandle`], `observe` and `text_stream`.

mod handle;
mod observer;
mod session;
mod stream;
mod text;
mod url;
#[cfg(feature = "tungstenite")]
pub mod wire;

pub use handle::{
    WsDriverOptions, WsHandle, WsIo, WsShared, DEFAULT_MAX_FRAME_SIZE, DEFAULT_MAX_MESSAGE_SIZE,
    DEFAULT_MAX_QUEUED_EVENTS,
};
// The observer event structs are macro-generated (one per wire type): re-export them all.
pub use observer::*;
pub use session::{
    redact_url, CloseFrame, ConnectFailure, Reconnect, ReconnectCause, SendPolicy, WsConnect,
    WsErrorInfo, WsEvent, WsMessage, WsOptions, WsSession, WsState, WsStep, DEFAULT_CLOSE_CODE,
    DEFAULT_CLOSE_REASON, HEALTHY_AFTER, IDLE_CLOSE_CODE, IDLE_CLOSE_REASON, RATE_LIMIT_FLOOR,
    TERMINAL_CLOSE_CODES,
};
pub use stream::{
    observe_with, observer_item, text_stream_with, AsyncDriver, BlockingDriver, ObserverStream,
    WsDriver, WsStream,
};
pub use text::{
    SessionConnectFrame, TextStreamClientFrame, TextStreamFrame, TextStreamServerFrame,
};
pub use url::{
    observer_auth_protocols, observer_url, session_connect_auth_protocols, session_connect_url,
    text_stream_auth_protocols, text_stream_url, SessionConnectParams, TextStreamParams,
    MAX_TOKEN_CHARS,
};

use crate::config::Config;
use crate::error::Error;

/// The observer target for a call: URL and `["auth", token]` subprotocols, validated in
/// order. `token` defaults to the configured credential's current token at wall time `wall`
/// (a source that must refresh first is a Credentials error: refresh it, or make any call,
/// before observing).
pub fn observer_target(
    config: &Config,
    call_sid: &str,
    token: Option<&str>,
    override_url: Option<&str>,
    wall: web_time::SystemTime,
) -> Result<WsConnect, Error> {
    let url = observer_url(config, call_sid, override_url)?;
    let protocols = match token {
        Some(t) => observer_auth_protocols(t)?,
        None => observer_auth_protocols(
            crate::credentials::current_token(config.credentials().as_ref(), wall)?.expose(),
        )?,
    };
    Ok(WsConnect::new(url, protocols))
}

/// The text-stream target: URL and, when `api_key` is given, subprotocol auth
/// (`["auth", key]`); without it, pass `params.token` (query-token fallback).
pub fn text_stream_target(
    config: &Config,
    params: &TextStreamParams,
    api_key: Option<&str>,
) -> Result<WsConnect, Error> {
    let url = text_stream_url(config, params)?;
    let protocols = match api_key {
        Some(k) => text_stream_auth_protocols(k)?,
        None => Vec::new(),
    };
    Ok(WsConnect::new(url, protocols))
}

/// The session-connect target: URL and subprotocol auth (`["auth", key]`), the only
/// auth it accepts.
pub fn session_connect_target(
    config: &Config,
    params: &SessionConnectParams,
    api_key: &str,
) -> Result<WsConnect, Error> {
    let url = session_connect_url(config, params)?;
    Ok(WsConnect::new(
        url,
        session_connect_auth_protocols(api_key)?,
    ))
}

#[cfg(test)]
mod tests;
