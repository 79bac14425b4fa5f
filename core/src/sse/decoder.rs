//! The incremental event-stream decoder (PROTOCOL §5a).
//!
//! Lines are split on the raw bytes (CR and LF are ASCII, and an ASCII byte
//! always ends any incomplete UTF-8 sequence), and each field name / value is
//! then decoded with U+FFFD replacement. This is equivalent to decoding the
//! whole stream first and splitting afterwards, but lets `feed` work on the
//! caller's chunk in place: only an unterminated trailing line is copied into
//! the decoder, and a new chunk is scanned only from its own start, so nothing
//! is ever rescanned.

use std::collections::VecDeque;

use super::frame::{SseError, SseEvent, SseItem};

/// The PROTOCOL §5a size limit of one unterminated event block, in bytes (1 MiB).
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
    /// The current block's data buffer (each `data` value followed by LF).
    data: String,
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
        while let Some(pos) = find_eol(input) {
            let terminator = input[pos];
            let non_blank;
            if self.line.is_empty() {
                non_blank = pos > 0;
                if !self.complete_line(&input[..pos]) {
                    return;
                }
            } else {
                let mut line = std::mem::take(&mut self.line);
                line.extend_from_slice(&input[..pos]);
                non_blank = true;
                let ok = self.complete_line(&line);
                line.clear();
                self.line = line;
                if !ok {
                    return;
                }
            }
            input = &input[pos + 1..];
            if terminator == b'\r' {
                match input.first() {
                    None => {
                        self.pending_lf = Some(non_blank);
                        return;
                    }
                    Some(b'\n') => {
                        input = &input[1..];
                        if non_blank && !self.count(1) {
                            return;
                        }
                    }
                    Some(_) => {}
                }
            }
        }
        if !input.is_empty() {
            // Fail early on an oversized line instead of buffering it whole.
            let pending = self
                .block_bytes
                .saturating_add(self.line.len())
                .saturating_add(input.len());
            if pending > self.limit {
                self.fail();
                return;
            }
            self.line.extend_from_slice(input);
        }
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
    fn complete_line(&mut self, line: &[u8]) -> bool {
        if line.is_empty() {
            self.dispatch();
            return true;
        }
        if !self.count(line.len().saturating_add(1)) {
            return false;
        }
        if line[0] == b':' {
            let text = strip_one_space(&line[1..]);
            self.queue.push_back(Ok(SseItem::Comment(
                String::from_utf8_lossy(text).into_owned(),
            )));
            return true;
        }
        let (name, value) = match line.iter().position(|&b| b == b':') {
            Some(colon) => (&line[..colon], strip_one_space(&line[colon + 1..])),
            None => (line, &line[line.len()..]),
        };
        match name {
            b"data" => {
                self.data.push_str(&String::from_utf8_lossy(value));
                self.data.push('\n');
            }
            b"event" => self.event = Some(String::from_utf8_lossy(value).into_owned()),
            b"id" if !value.contains(&0) => {
                self.id = Some(String::from_utf8_lossy(value).into_owned());
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
        if !self.data.is_empty() {
            let mut data = std::mem::take(&mut self.data);
            data.pop(); // the final LF
            let event = self.event.take().filter(|name| !name.is_empty());
            let id = self.id.take();
            self.queue
                .push_back(Ok(SseItem::Event(SseEvent { event, data, id })));
        }
        self.reset_block();
    }

    fn reset_block(&mut self) {
        self.data.clear();
        self.event = None;
        self.id = None;
        self.block_bytes = 0;
    }
}

/// Removes one leading U+0020, if present.
fn strip_one_space(value: &[u8]) -> &[u8] {
    match value.first() {
        Some(b' ') => &value[1..],
        _ => value,
    }
}

/// Position of the first CR or LF, scanning eight bytes at a time.
fn find_eol(hay: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    const LFS: u64 = ONES * b'\n' as u64;
    const CRS: u64 = ONES * b'\r' as u64;
    let has_zero = |w: u64| w.wrapping_sub(ONES) & !w & HIGHS != 0;
    let mut start = 0;
    let mut words = hay.chunks_exact(8);
    for word in &mut words {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(word);
        let w = u64::from_le_bytes(bytes);
        if has_zero(w ^ LFS) || has_zero(w ^ CRS) {
            break;
        }
        start += 8;
    }
    hay[start..]
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .map(|p| start + p)
}
