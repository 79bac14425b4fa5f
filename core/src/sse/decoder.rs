//! The incremental event-stream decoder.
//!
//! Lines are split on the raw bytes (CR and LF are ASCII, and an ASCII byte
//! always ends any incomplete UTF-8 sequence), and each field name / value is
//! then decoded with U+FFFD replacement. This is equivalent to decoding the
//! whole stream first and splitting afterwards, but lets `feed` work on the
//! caller's chunk in place: only an unterminated trailing line is copied into
//! the decoder, and a new chunk is scanned only from its own start, so earlier
//! input is never rescanned.
//!
//! Line ends are found with `memchr2` (vectorised where the CPU allows). The
//! complete lines of a chunk (everything up to its last line end, found with
//! one backward search) are checked for UTF-8 in a single pass of the standard
//! library's validator and then borrowed as `str`; only a line that spans
//! chunks or holds invalid UTF-8 takes the replacing conversion. A block's
//! first `data` value becomes the event's data string directly, so a typical
//! event costs one allocation per field it carries.

use std::borrow::Cow;
use std::collections::VecDeque;

use super::frame::{SseError, SseEvent, SseItem};

/// The size limit of one unterminated event block, in bytes (1 MiB).
pub const MAX_BLOCK_BYTES: usize = 1_048_576;

const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// Incremental, sans-IO decoder of a `text/event-stream` body.
///
/// Feed it the body in chunks of any size with [`feed`](Self::feed), drain
/// what became complete with [`next_frame`](Self::next_frame), and call
/// [`finish`](Self::finish) at end of input. The decoded items never depend on
/// where the chunk boundaries fall.
#[derive(Debug, Clone)]
pub struct SseDecoder {
    /// Decoded items not yet drained.
    queue: VecDeque<Result<SseItem, SseError>>,
    /// Bytes of the current line seen so far (only when a line spans chunks).
    line: Vec<u8>,
    /// The current block's `data` values joined with LF (no trailing LF);
    /// meaningful only when `has_data` is set.
    data: String,
    /// Whether the current block had a `data` field (its value may be empty).
    has_data: bool,
    /// The current block's last `event` value.
    event: Option<String>,
    /// The current block's last valid `id` value.
    id: Option<String>,
    /// Input bytes of the current block so far (complete lines + terminators).
    block_bytes: usize,
    /// The limit `block_bytes` (plus a pending partial line) may not exceed.
    limit: usize,
    /// How many leading BOM bytes were matched; `None` once the BOM question
    /// is settled.
    bom_matched: Option<usize>,
    /// The previous chunk ended with a CR: a leading LF belongs to it.
    /// `Some(true)` when that CR ended a non-blank line (the LF then counts
    /// towards the block size), `Some(false)` after a blank line.
    pending_lf: Option<bool>,
    /// `EventTooLarge` was reported; all further input is ignored.
    failed: bool,
}

impl Default for SseDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl SseDecoder {
    /// Creates a decoder at the start of a stream, with the 1 MiB block limit.
    pub fn new() -> Self {
        Self::with_max_block_bytes(MAX_BLOCK_BYTES)
    }

    /// Creates a decoder whose block limit is `limit` bytes instead of 1 MiB.
    pub fn with_max_block_bytes(limit: usize) -> Self {
        SseDecoder {
            queue: VecDeque::new(),
            line: Vec::new(),
            data: String::new(),
            has_data: false,
            event: None,
            id: None,
            block_bytes: 0,
            limit,
            bom_matched: Some(0),
            pending_lf: None,
            failed: false,
        }
    }

    /// Decodes one chunk of the body (`&[u8]`, `Vec<u8>`, `bytes::Bytes`, ...).
    ///
    /// Complete lines are interpreted at once and their items queued for
    /// [`next_frame`](Self::next_frame); only an unterminated trailing line is
    /// kept. After `EventTooLarge` the decoder ignores further input.
    pub fn feed(&mut self, chunk: impl AsRef<[u8]>) {
        let mut chunk = chunk.as_ref();
        if self.failed {
            return;
        }
        if let Some(matched) = self.bom_matched {
            let mut matched = matched;
            while matched < BOM.len() {
                match chunk.first() {
                    None => {
                        // Still a possible BOM prefix: wait for more input.
                        self.bom_matched = Some(matched);
                        return;
                    }
                    Some(&b) if b == BOM[matched] => {
                        matched += 1;
                        chunk = &chunk[1..];
                    }
                    Some(_) => break,
                }
            }
            self.bom_matched = None;
            if matched < BOM.len() {
                // Not a BOM: the bytes matched so far are ordinary input.
                self.process(&BOM[..matched]);
            }
        }
        self.process(chunk);
    }

    /// Returns the next decoded item, or `None` when more input is needed.
    pub fn next_frame(&mut self) -> Option<Result<SseItem, SseError>> {
        self.queue.pop_front()
    }

    /// Signals end of input: the unterminated trailing block (and line) is
    /// discarded, and the decoder is reset to the start-of-stream state.
    ///
    /// Items decoded before EOF stay queued for [`next_frame`](Self::next_frame).
    pub fn finish(&mut self) {
        self.line = Vec::new();
        self.reset_block();
        self.bom_matched = Some(0);
        self.pending_lf = None;
        self.failed = false;
    }

    /// Whether an `EventTooLarge` error was reported for this stream.
    pub fn has_failed(&self) -> bool {
        self.failed
    }

    /// Splits `input` into lines, completing a pending partial line first.
    fn process(&mut self, mut input: &[u8]) {
        if input.is_empty() || self.failed {
            return;
        }
        if let Some(counts) = self.pending_lf.take() {
            if input[0] == b'\n' {
                input = &input[1..];
                if counts && !self.count(1) {
                    return;
                }
            }
        }
        if !self.line.is_empty() {
            // A line begun in an earlier chunk: finish it from the buffered bytes.
            let Some(pos) = find_eol(input) else {
                self.buffer_partial(input);
                return;
            };
            let mut line = std::mem::take(&mut self.line);
            line.extend_from_slice(&input[..pos]);
            let ok = self.complete_line(Line::Bytes(&line));
            line.clear();
            self.line = line;
            if !ok {
                return;
            }
            match self.after_terminator(input, pos, true) {
                Some(next) => input = &input[next..],
                None => return,
            }
        }
        // Every complete line of the chunk is checked for UTF-8 in one pass: the region up
        // to the last line terminator ends with an ASCII byte, so it holds no character cut
        // by the chunk boundary.
        let complete = memchr::memrchr2(b'\n', b'\r', input).map_or(0, |last| last + 1);
        let text = valid_prefix(&input[..complete]);
        let mut start = 0;
        while let Some(len) = find_eol(&input[start..]) {
            let end = start + len;
            // Lines inside the checked text are borrowed as `str`; others (after an invalid
            // sequence) take the replacing path.
            let line = match text.get(start..end) {
                Some(checked) => Line::Text(checked),
                None => Line::Bytes(&input[start..end]),
            };
            if !self.complete_line(line) {
                return;
            }
            match self.after_terminator(input, end, len > 0) {
                Some(next) => start = next,
                None => return,
            }
        }
        self.buffer_partial(&input[start..]);
    }

    /// Consumes the terminator at `input[pos]` (a CR may be followed by the LF of a
    /// CRLF, here or at the start of the next chunk); returns where the next line
    /// starts, or `None` when this chunk is done (its last byte was that CR) or the
    /// decoder failed. `non_blank`: whether the line just ended had any byte.
    fn after_terminator(&mut self, input: &[u8], pos: usize, non_blank: bool) -> Option<usize> {
        let next = pos + 1;
        if input[pos] != b'\r' {
            return Some(next);
        }
        match input.get(next) {
            None => {
                self.pending_lf = Some(non_blank);
                None
            }
            Some(b'\n') => (!non_blank || self.count(1)).then_some(next + 1),
            Some(_) => Some(next),
        }
    }

    /// Keeps an unterminated trailing line for the next chunk, failing early on an
    /// oversized line instead of buffering it whole.
    fn buffer_partial(&mut self, rest: &[u8]) {
        if rest.is_empty() {
            return;
        }
        let pending = self
            .block_bytes
            .saturating_add(self.line.len())
            .saturating_add(rest.len());
        if pending > self.limit {
            self.fail();
            return;
        }
        self.line.extend_from_slice(rest);
    }

    /// Adds `n` bytes to the block size; reports `EventTooLarge` (and returns
    /// false) when that exceeds the limit.
    fn count(&mut self, n: usize) -> bool {
        self.block_bytes = self.block_bytes.saturating_add(n);
        if self.block_bytes > self.limit {
            self.fail();
            false
        } else {
            true
        }
    }

    fn fail(&mut self) {
        self.failed = true;
        self.line = Vec::new();
        self.reset_block();
        self.queue
            .push_back(Err(SseError::EventTooLarge { limit: self.limit }));
    }

    /// Interprets one complete line (without its terminator), counting it and
    /// one terminator byte; returns false when the decoder failed.
    fn complete_line(&mut self, line: Line<'_>) -> bool {
        let bytes = line.as_bytes();
        if bytes.is_empty() {
            self.dispatch();
            return true;
        }
        if !self.count(bytes.len().saturating_add(1)) {
            return false;
        }
        // The field name ends at the first colon (none: the whole line is the name);
        // the value starts after it and one optional space.
        let (name_len, value_start) = match find_colon(bytes) {
            Some(colon) => {
                let after = colon + 1;
                let skip = usize::from(bytes.get(after) == Some(&b' '));
                (colon, after + skip)
            }
            None => (bytes.len(), bytes.len()),
        };
        let value = &bytes[value_start..];
        match &bytes[..name_len] {
            // A colon first: a comment.
            b"" => {
                let text = line.text_from(value_start).into_owned();
                self.queue.push_back(Ok(SseItem::Comment(text)));
            }
            b"data" => {
                if self.has_data {
                    self.data.push('\n');
                    self.data.push_str(&line.text_from(value_start));
                } else {
                    // The first value is the data string itself (usually the only one).
                    self.data = line.text_from(value_start).into_owned();
                    self.has_data = true;
                }
            }
            b"event" => self.event = Some(line.text_from(value_start).into_owned()),
            b"id" if !value.contains(&0) => {
                self.id = Some(line.text_from(value_start).into_owned());
            }
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                let ms = value.iter().fold(0u64, |acc, &d| {
                    acc.saturating_mul(10).saturating_add(u64::from(d - b'0'))
                });
                self.queue.push_back(Ok(SseItem::Retry(ms)));
            }
            _ => {}
        }
        true
    }

    /// Handles a blank line: yields the block if it had data, then resets it.
    fn dispatch(&mut self) {
        if self.has_data {
            let data = std::mem::take(&mut self.data);
            let event = self.event.take().filter(|name| !name.is_empty());
            let id = self.id.take();
            self.queue
                .push_back(Ok(SseItem::Event(SseEvent { event, data, id })));
        }
        self.reset_block();
    }

    fn reset_block(&mut self) {
        self.data.clear();
        self.has_data = false;
        self.event = None;
        self.id = None;
        self.block_bytes = 0;
    }
}

/// One complete line, without its terminator.
#[derive(Clone, Copy)]
enum Line<'a> {
    /// Already checked to be UTF-8.
    Text(&'a str),
    /// Raw bytes, possibly invalid UTF-8.
    Bytes(&'a [u8]),
}

impl<'a> Line<'a> {
    fn as_bytes(self) -> &'a [u8] {
        match self {
            Line::Text(text) => text.as_bytes(),
            Line::Bytes(bytes) => bytes,
        }
    }

    /// The text from byte `start` on (which follows an ASCII byte, so it is a
    /// character boundary), with invalid UTF-8 replaced by U+FFFD.
    fn text_from(self, start: usize) -> Cow<'a, str> {
        match self {
            Line::Text(text) => match text.get(start..) {
                Some(rest) => Cow::Borrowed(rest),
                None => lossy(text.as_bytes().get(start..).unwrap_or_default()),
            },
            Line::Bytes(bytes) => lossy(bytes.get(start..).unwrap_or_default()),
        }
    }
}

/// The longest prefix of `bytes` that is valid UTF-8.
fn valid_prefix(bytes: &[u8]) -> &str {
    match std::str::from_utf8(bytes) {
        Ok(text) => text,
        // Rare (invalid input): check the valid part again to borrow it.
        Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default(),
    }
}

/// Position of the first colon: field names are short, so the first bytes are
/// checked one by one before handing a long line to `memchr`.
fn find_colon(line: &[u8]) -> Option<usize> {
    const NEAR: usize = 8;
    let head = &line[..line.len().min(NEAR)];
    match head.iter().position(|&b| b == b':') {
        Some(colon) => Some(colon),
        None if line.len() > NEAR => memchr::memchr(b':', &line[NEAR..]).map(|p| NEAR + p),
        None => None,
    }
}

/// Position of the first CR or LF.
fn find_eol(hay: &[u8]) -> Option<usize> {
    memchr::memchr2(b'\n', b'\r', hay)
}

/// The text of `bytes`, with each invalid UTF-8 sequence replaced by U+FFFD.
///
/// Valid input (the usual case) is checked with the standard library's fast
/// validator and borrowed; only invalid input takes the slower replacing path.
fn lossy(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}
