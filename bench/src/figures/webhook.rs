//! Figure 4: webhook verification of a 1 KiB delivery with one secret, versus the raw
//! HMAC-SHA256 of the same signed message and a hex compare.

use super::Context;
use crate::fixtures::{webhook_body_1k, WEBHOOK_SECRET, WEBHOOK_TS};
use crate::harness::{interleave, timed};
use crate::report::{Line, TimeUnit};
use amigo_platform_core::web_time::{SystemTime, UNIX_EPOCH};
use amigo_platform_core::webhook::{sign, Verifier, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::hint::black_box;
use std::time::Duration;

/// The floor: look up the two headers, HMAC-SHA256 over `v1:{ts}:{body}`, hex-encode the tag
/// and compare it with the signature header's hex (a plain, not constant-time, compare).
fn raw_verify(secret: &[u8], body: &[u8], headers: &http::HeaderMap) -> Result<(), String> {
    let signature = headers
        .get(SIGNATURE_HEADER)
        .ok_or("no signature header")?
        .as_bytes();
    let ts = headers
        .get(TIMESTAMP_HEADER)
        .ok_or("no timestamp header")?
        .as_bytes();
    let mut mac = <Hmac<Sha256>>::new_from_slice(secret).map_err(|e| e.to_string())?;
    mac.update(b"v1:");
    mac.update(ts);
    mac.update(b":");
    mac.update(body);
    let tag = mac.finalize().into_bytes();
    let mut hex = [0u8; 64];
    for (pair, byte) in hex.chunks_exact_mut(2).zip(tag.iter()) {
        pair[0] = HEX[usize::from(byte >> 4)];
        pair[1] = HEX[usize::from(byte & 0x0f)];
    }
    let provided = signature.strip_prefix(b"sha256=").unwrap_or(signature);
    if provided == hex.as_slice() {
        Ok(())
    } else {
        Err("signature mismatch".into())
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// 4: `Verifier::verify` versus the raw HMAC, in ns.
pub fn verify(ctx: &Context<'_>) -> Result<Line, String> {
    let body = webhook_body_1k();
    let mut headers = http::HeaderMap::new();
    let signature = sign(WEBHOOK_SECRET, WEBHOOK_TS, &body);
    headers.insert(
        SIGNATURE_HEADER,
        signature
            .parse()
            .expect("a signature is a valid header value"),
    );
    headers.insert(
        TIMESTAMP_HEADER,
        WEBHOOK_TS
            .parse()
            .expect("a timestamp is a valid header value"),
    );
    let now: SystemTime = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let verifier = Verifier::new(WEBHOOK_SECRET);
    let sdk = || {
        verifier
            .verify(black_box(&body), black_box(&headers), black_box(now))
            .map_err(|e| e.to_string())
    };
    let floor = || {
        raw_verify(
            WEBHOOK_SECRET.as_bytes(),
            black_box(&body),
            black_box(&headers),
        )
    };
    sdk().map_err(|e| format!("SDK side: {e}"))?;
    floor().map_err(|e| format!("floor side: {e}"))?;
    let pair = interleave(ctx.settings, |n| timed(n, &sdk), |n| timed(n, &floor))?;
    Ok(Line::time("webhook.verify", pair, TimeUnit::Nanos))
}
