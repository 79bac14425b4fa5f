//! Figure 5: the SSE framing decoder on a realistic workspace stream fed in 4 KiB reads,
//! versus a `memchr` newline count over the same reads (a floor no decoder can beat: it finds
//! the line ends and does nothing else).

use super::Context;
use crate::fixtures::{sse_stream, SSE_EVENTS};
use crate::harness::{interleave, timed};
use crate::report::Line;
use amigo_platform_core::sse::{SseDecoder, SseItem};
use std::hint::black_box;

/// The read size both sides are fed.
const READ: usize = 4096;

/// Decodes the whole stream, returning the events seen.
fn decode_stream(input: &[u8]) -> Result<usize, String> {
    let mut decoder = SseDecoder::new();
    let mut events = 0;
    for chunk in input.chunks(READ) {
        decoder.feed(chunk);
        while let Some(item) = decoder.next_frame() {
            match item {
                Ok(SseItem::Event(event)) => {
                    black_box(&event);
                    events += 1;
                }
                Ok(other) => {
                    black_box(&other);
                }
                Err(e) => return Err(format!("SSE: {e}")),
            }
        }
    }
    decoder.finish();
    Ok(events)
}

/// Counts the newlines of the stream, read by read.
fn count_lines(input: &[u8]) -> Result<usize, String> {
    Ok(input
        .chunks(READ)
        .map(|chunk| memchr::memchr_iter(b'\n', black_box(chunk)).count())
        .sum())
}

/// 5: decoder throughput in MiB/s (and events/s) versus the newline count, MiB/s.
pub fn decode(ctx: &Context<'_>) -> Result<Line, String> {
    let input = sse_stream();
    let events = decode_stream(&input)?;
    if events != SSE_EVENTS + 1 {
        return Err(format!(
            "decoded {events} events, expected {}",
            SSE_EVENTS + 1
        ));
    }
    count_lines(&input)?;
    let sdk = || decode_stream(&input);
    let floor = || count_lines(&input);
    let pair = interleave(ctx.settings, |n| timed(n, &sdk), |n| timed(n, &floor))?;
    let mib = input.len() as f64 / (1024.0 * 1024.0);
    let mut line = Line::throughput("sse.decode", pair, mib, "MiB/s");
    let events_per_sec = events as f64 / pair.sdk / 1e6;
    line.a = format!("{}, {events_per_sec:.2}M ev/s", line.a);
    Ok(line)
}
