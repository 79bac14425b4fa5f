//! Server-Sent-Events framing (PROTOCOL §5a, [D21]): a sans-IO, incremental
//! `text/event-stream` decoder shared by the workspace event stream (§5b) and
//! the turn stream (§5c).
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
//! Deliberate refinements from PROTOCOL §5a:
//!
//! - each [`SseEvent`] carries only its own block's `id`; the decoder keeps no
//!   "last event ID" across blocks, because the stream layer decides what
//!   moves the resume point ([D22], §5b);
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

mod decoder;
mod frame;

pub use decoder::{SseDecoder, MAX_BLOCK_BYTES};
pub use frame::{SseError, SseEvent, SseItem};

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
