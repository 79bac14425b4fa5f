//! WebSockets: the sans-IO reconnecting session, the observer,
//! text-stream and session-connect URL and subprotocol builders, and typed frames.
//!
//! # Driving contract
//!
//! A [`WsSession`] is message-level: the driver owns the socket, the clock and the sleeping,
//! and the session decides everything else (states, close-code taxonomy, backoff, reconnect
//! budget, idle watchdog, send policy). Drive it "str0m style": feed input, then drain
//! [`WsSession::poll`] until it answers `Timeout` or `Done`.
//!
//! - [`WsOutput::Connect`]: open a socket to the target (URL, `Sec-WebSocket-Protocol`,
//!   `User-Agent`), then report [`WsSession::handle_open`] or
//!   [`WsSession::handle_connect_failed`] (`Rejected { status }` when the handshake answered
//!   an HTTP status; `Invalid` when the connector failed synchronously, which is terminal).
//! - [`WsOutput::Transmit`]: write the data message.
//! - [`WsOutput::Close`]: send the close frame and drop the socket (a bounded wait for the
//!   server's echo is fine); report nothing more for that socket.
//! - [`WsOutput::Event`] / [`WsOutput::Failed`]: deliver to the consumer; the terminal error
//!   comes at most once, just after the `Terminal` state.
//! - [`WsOutput::Timeout`]: wait for socket input, a caller command, or the instant; then
//!   feed what happened ([`WsSession::handle_message`], [`WsSession::handle_closed`] with the
//!   wire code, 1005 for a close without code, 1006 for a dropped connection) and poll again.
//! - [`WsOutput::Done`] means the session is over: stop driving it.
//!
//! Callers' [`WsSession::send`] and [`WsSession::close`] are synchronous: they return the
//! policy's error at once and queue their wire effect as outputs.
//!
//! ```
//! use amigo_platform_core::ws::{
//!     ConnectFailure, WsConnect, WsEvent, WsMessage, WsOptions, WsOutput, WsSession, WsState,
//! };
//! use std::time::Duration;
//! use web_time::Instant;
//!
//! let target = WsConnect::new("ws://127.0.0.1:9/v1/ws/observers/x/ws", vec!["auth".into(), "tok".into()]);
//! let options = WsOptions::default().initial_delay(Duration::from_millis(100));
//! let mut session = WsSession::new(target, options, 7);
//! let mut now = Instant::now(); // a fake clock: the driver owns time
//! let mut log = Vec::new();
//! let mut connects = 0;
//! loop {
//!     match session.poll(now) {
//!         WsOutput::Connect(_) => {
//!             connects += 1;
//!             if connects == 1 {
//!                 // first socket: opens, delivers one message, then the server drops it
//!                 session.handle_open(now);
//!                 session.handle_message(WsMessage::Text("hi".into()), now);
//!                 session.handle_closed(1006, "", now);
//!             } else {
//!                 // second socket: the server refuses the token
//!                 session.handle_connect_failed(ConnectFailure::Rejected { status: 401 }, now);
//!             }
//!         }
//!         WsOutput::Event(WsEvent::State(s)) => log.push(s.as_str().to_owned()),
//!         WsOutput::Event(WsEvent::Message(m)) => log.push(format!("msg {}", m.to_text())),
//!         WsOutput::Event(WsEvent::Reconnecting(r)) => log.push(format!("retry {}", r.attempt)),
//!         WsOutput::Failed(e) => log.push(e.to_string()),
//!         WsOutput::Timeout(Some(at)) => now = at, // "sleep"
//!         WsOutput::Timeout(None) | WsOutput::Transmit(_) | WsOutput::Close(_) => {}
//!         WsOutput::Done => break,
//!     }
//! }
//! assert_eq!(log, ["open", "msg hi", "closed", "reconnecting", "retry 1", "connecting",
//!                  "closed", "terminal", "WebSocket handshake rejected with HTTP 401"]);
//! assert_eq!(session.state(), WsState::Terminal);
//! ```
//!
//! Most users do not drive sessions by hand: the transports (`amigo_platform_ureq::ws`,
//! `amigo_platform_hyper::ws`) run them and expose an iterator or a stream plus a handle.

pub mod observer;
pub mod session;
pub mod text;
pub mod url;

pub use observer::{ObserverEvent, ObserverEventData};
pub use session::{
    redact_url, CloseFrame, ConnectFailure, Reconnect, ReconnectCause, SendPolicy, WsConnect,
    WsErrorInfo, WsEvent, WsMessage, WsOptions, WsOutput, WsSession, WsState,
};
pub use text::{
    SessionConnectFrame, TextStreamClientFrame, TextStreamFrame, TextStreamServerFrame,
};
pub use url::{
    observer_auth_protocols, observer_url, session_connect_auth_protocols, session_connect_url,
    text_stream_auth_protocols, text_stream_url, SessionConnectParams, TextStreamParams,
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
