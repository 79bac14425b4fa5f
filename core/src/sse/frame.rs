//! What the SSE decoder yields: dispatched events, reconnection-time signals,
//! comment lines, and the one framing error.

use core::fmt;

/// One item produced by [`SseDecoder`](super::SseDecoder), in stream order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SseItem {
    /// A dispatched event block.
    Event(SseEvent),
    /// A valid `retry:` line: the server's reconnection time in milliseconds,
    /// emitted as soon as the line is read, independently of any dispatch.
    ///
    /// A value too large for `u64` saturates to `u64::MAX`; the stream layer
    /// clamps it anyway.
    Retry(u64),
    /// A comment line (`:` first), e.g. a heartbeat; the text after the colon
    /// with one leading space removed, so that idle watchdogs can count it.
    Comment(String),
}

/// A dispatched SSE event: the block's own fields, with no state carried over
/// from earlier blocks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event` name; `None` when no `event` field, or an empty one, was
    /// last seen in the block (the WHATWG default type `message`).
    pub event: Option<String>,
    /// The `data` lines of the block joined with LF (no trailing LF).
    pub data: String,
    /// The block's own `id` (last valid one wins; may be empty), or `None`
    /// when the block had no `id` field without U+0000.
    pub id: Option<String>,
}

/// Why the decoder stopped: the only framing failure is an oversized block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SseError {
    /// The current, unterminated block exceeded `limit` bytes of input
    /// (counting every line, comments and line terminators included).
    EventTooLarge {
        /// The limit that was exceeded, in bytes.
        limit: usize,
    },
}

impl fmt::Display for SseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SseError::EventTooLarge { limit } => {
                write!(f, "SSE event block exceeds {limit} bytes")
            }
        }
    }
}

impl std::error::Error for SseError {}
