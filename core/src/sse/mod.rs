//! Server-Sent-Events framing: a sans-IO, incremental
//! `text/event-stream` decoder shared by the workspace event stream and
//! the turn stream.
//!
//! It follows the WHATWG event-stream interpretation rules:
//!
//! - input is UTF-8 with invalid sequences replaced by U+FFFD; a character
//!   split across chunks is reassembled; one leading BOM (`EF BB BF`) is skipped;
//! - lines end at CRLF, LF or a lone CR, and a CRLF split across two chunks
//!   counts as one line ending;
//! - `event`, `data` (joined with LF), `id` (ignored when it contains U+0000)
//!   and `retry` (only when non-empty and all ASCII digits) are interpreted;
//!   other fields are ignored;
//! - a blank line dispatches the block; a block without any `data` field
//!   dispatches nothing (even with `event` or `id`), while `data` with an
//!   empty value dispatches empty data;
//! - an unterminated block at end of input is discarded by
//!   [`SseDecoder::finish`].
//!
//! Deliberate refinements of the WHATWG event-stream rules:
//!
//! - each [`SseEvent`] carries only its own block's `id`; the decoder keeps no
//!   "last event ID" across blocks, because the stream layer decides what
//!   moves the resume point;
//! - a valid `retry` line is reported at once as [`SseItem::Retry`], not
//!   attached to the next dispatched event;
//! - comment lines are reported as [`SseItem::Comment`] so that idle
//!   watchdogs can count them as activity;
//! - the bytes of the current, unterminated block (every line, comments and
//!   line terminators included) may not exceed [`MAX_BLOCK_BYTES`]; beyond
//!   that the decoder yields [`SseError::EventTooLarge`] once and then ignores
//!   further input. Completed blocks never count, so any number of small
//!   frames in one chunk is fine.
//!
//! The decoder reads no clock and never panics, whatever the input.
//!
//! # Example
//!
//! ```
//! use amigo_platform_core::sse::{SseDecoder, SseEvent, SseItem};
//! let mut decoder = SseDecoder::new();
//! let mut seen = Vec::new();
//! // Chunks as a transport would read them; boundaries fall anywhere.
//! let chunks: [&[u8]; 3] = [
//!     b"retry: 3000\n\nid: 17\nevent: call.sta",
//!     b"rted\ndata: {\"a\":\r",
//!     b"\ndata: 1}\r\n\r\n: heartbeat\n",
//! ];
//! for chunk in chunks {
//!     decoder.feed(chunk);
//!     while let Some(item) = decoder.next_frame() {
//!         seen.push(item.expect("no block is over 1 MiB"));
//!     }
//! }
//! decoder.finish(); // EOF: an unterminated trailing block would be discarded
//! assert_eq!(decoder.next_frame(), None);
//! assert_eq!(
//!     seen,
//!     vec![
//!         SseItem::Retry(3000),
//!         SseItem::Event(SseEvent {
//!             event: Some("call.started".into()),
//!             data: "{\"a\":\n1}".into(),
//!             id: Some("17".into()),
//!         }),
//!         SseItem::Comment("heartbeat".into()),
//!     ]
//! );
//! ```

//!
//! # Sessions
//!
//! On top of the decoder sit two sans-IO machines that never touch a socket or a clock:
//!
//! - [`SseSession`]: the workspace event subscription: `GET /v1/{ws}/events/stream`
//!   with `Accept: text/event-stream` and `Last-Event-ID`, typed [`WorkspaceEvent`]s (45
//!   [`EventKind`] variants plus `Unknown`, decoded leniently), `stream.opened` as a
//!   state signal, structured error frames, full-jitter reconnects honouring the server's
//!   `retry:` (clamped to the initial..=max delay), a consecutive-failure budget reset by
//!   healthy connections, and an idle watchdog fed by every byte, heartbeats included. Only business events move the resume point.
//! - [`TurnSession`]: one `POST .../turns/stream`, 7 typed [`TurnEvent`]s, never
//!   reconnected or re-posted; EOF before `done`/`error` is a `stream_interrupted`
//!   Stream error.
//!
//! Both are built from a call: [`SseSession::from_call`] and [`TurnSession::from_call`] take a
//! [`CallContext`](crate::CallContext) (any operation value, such as the generated
//! `get-event-stream`, `create_turn_stream` or `create_turn`, with the call's merged options and
//! base URL) and send the operation's request with `Accept: text/event-stream`: the streaming
//! form of a dual-format operation. Transports expose this through
//! [`StreamTransport`] (see its docs for how the call options apply to a stream).
//!
//! ## Driving contract
//!
//! Both machines are [`Machine`](crate::Machine)s driven through the shared
//! [`Step`](crate::Step), like a call: their `Send`s are streaming (`attempt.keep`), so a
//! 2xx `text/event-stream` head is reported with `handle_head` and its body read through
//! `Read` steps; any other response is buffered (capped at [`MAX_ERROR_BODY`](crate::MAX_ERROR_BODY)) and reported
//! with `handle_outcome`. `Read(until)` carries the idle watchdog (subscription) or the
//! overall deadline (turn stream): when it passes, just poll again. Items are
//! [`StreamItem`]s and [`TurnEvent`]s; `Done` carries the terminal error at most once, then
//! `Ok(())`.
//!
//! Cancellation is checked at every poll, so after [`SseSession::close`] (or a cancelled
//! token) the next poll ends the subscription without an error, even between two events
//! decoded from the same chunk.
//!
//! ```
//! use std::sync::Arc;
//! use amigo_platform_core::sse::{SseOptions, SseSession, SseStep, StreamItem, StreamState, EventKind, streams_body};
//! use amigo_platform_core::{Config, Time};
//! use web_time::{Instant, SystemTime};
//!
//! let config = Arc::new(Config::builder().api_key("sk-test").workspace_id("ws-001").build()?);
//! let mut session = SseSession::new(config, SseOptions::new().last_event_id("41"), 7);
//! let t = || Time { now: Instant::now(), wall: SystemTime::now() };
//! let mut events = Vec::new();
//! // A bounded drive loop over one scripted connection.
//! for _ in 0..20 {
//!     match session.poll(t()) {
//!         SseStep::Send(attempt) => {
//!             assert_eq!(attempt.request.headers()["last-event-id"], "41");
//!             // A real transport sends the request here and gets the response head.
//!             let (head, _) = http::Response::builder()
//!                 .header("content-type", "text/event-stream")
//!                 .body(())?
//!                 .into_parts();
//!             assert!(streams_body(&head));
//!             session.handle_head(head, t());
//!         }
//!         SseStep::Read(_idle_deadline) => {
//!             session.handle_chunk(b"retry: 3000\n\nid: 42\nevent: call.started\n", t());
//!             session.handle_chunk(b"data: {\"call_sid\":\"CA1\"}\n\n", t());
//!             session.close(); // unsubscribe after this chunk
//!         }
//!         SseStep::Item(StreamItem::Event(e)) => events.push(e),
//!         SseStep::Item(StreamItem::State(StreamState::Closed { .. })) => {}
//!         SseStep::Item(_) | SseStep::Wait(_) | SseStep::Refresh(_) => {}
//!         SseStep::Done(result) => { assert!(result.is_ok()); break; }
//!     }
//! }
//! // The close is checked before each delivery, so the event decoded with it is not delivered.
//! assert!(events.is_empty());
//! assert_eq!(session.resume_point(), Some("42"));
//! # let _ = EventKind::NAMES;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod decoder;
mod frame;
mod session;
mod streaming;
mod turn;
mod typed;

pub use decoder::{SseDecoder, MAX_BLOCK_BYTES};
pub use frame::{SseError, SseEvent, SseItem};
pub use session::{
    CloseReason, EventStreamOp, SseOptions, SseSession, SseStep, StreamItem, StreamOpened,
    StreamState, SubscriptionHandle, WorkspaceEvent,
};
pub use streaming::{stream_turn, stream_turn_with, subscribe, StreamTransport};
pub use turn::{TurnBody, TurnEvent, TurnSession, TurnStep, TurnStreamOp, TURN_IDLE_TIMEOUT};
pub use typed::*;

/// The `Accept` value of every streamed request.
const EVENT_STREAM: &str = "text/event-stream";

/// Builds the wire request of a streaming form: the operation's own request (so a generated
/// operation and its scope, per-call headers and base URL apply unchanged), always with
/// `Accept: text/event-stream`, since the sessions decode nothing else. This is what turns the
/// JSON form of a dual-format operation into its streaming form.
fn prepare_stream<O: crate::Operation + ?Sized>(
    op: &O,
    config: &crate::Config,
    options: &crate::RequestOptions,
    base_url: Option<&str>,
) -> Result<crate::call::request::PreparedRequest, crate::Error> {
    let mut req = crate::call::request::prepare(op, config, options, base_url)?;
    req.headers.insert(
        http::header::ACCEPT,
        http::HeaderValue::from_static(EVENT_STREAM),
    );
    Ok(req)
}

/// Whether a response head starts an event stream: a 2xx status and a `Content-Type` of
/// `text/event-stream` (parameters and case ignored). Drivers stream such bodies and buffer
/// every other one.
pub fn streams_body(head: &http::response::Parts) -> bool {
    head.status.is_success()
        && head
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("text/event-stream"))
}

#[cfg(test)]
mod tests;
