//! Signature parsing, the signed message, HMAC-SHA256 and constant-time comparison (§4.3, §4.4).

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::{Choice, ConstantTimeEq};

use super::error::WebhookError;
use super::hex;
use super::secret::WebhookSecret;

type HmacSha256 = Hmac<Sha256>;

const PREFIX: &[u8] = b"sha256=";

/// Parses a signature header value into the provided MAC bytes (§4.4).
pub(crate) fn parse(value: &[u8]) -> Result<Vec<u8>, WebhookError> {
    let hex_part = value.strip_prefix(PREFIX).unwrap_or(value);
    hex::decode(hex_part).ok_or(WebhookError::InvalidSignatureFormat)
}

/// HMAC-SHA256 over the signed message: `v1:<timestamp>:<body>`, or `body` alone when
/// `timestamp` is `None` (legacy).
pub(crate) fn mac(key: &[u8], timestamp: Option<&[u8]>, body: &[u8]) -> Option<[u8; 32]> {
    let mut mac = HmacSha256::new_from_slice(key).ok()?;
    if let Some(ts) = timestamp {
        mac.update(b"v1:");
        mac.update(ts);
        mac.update(b":");
    }
    mac.update(body);
    Some(mac.finalize().into_bytes().into())
}

/// Compares in constant time over `max(len(expected), len(provided))` bytes, folding the
/// length difference into the result.
pub(crate) fn ct_matches(expected: &[u8], provided: &[u8]) -> Choice {
    let n = expected.len().max(provided.len());
    let mut diff = 0u8;
    for i in 0..n {
        let a = expected.get(i).copied().unwrap_or(0);
        let b = provided.get(i).copied().unwrap_or(0);
        diff |= a ^ b;
    }
    diff.ct_eq(&0) & (expected.len() as u64).ct_eq(&(provided.len() as u64))
}

/// Whether any usable secret signs `(timestamp, body)` to `provided`; every candidate is
/// computed and compared, without early exit.
pub(crate) fn any_secret_matches(
    secrets: &[WebhookSecret],
    timestamp: Option<&[u8]>,
    body: &[u8],
    provided: &[u8],
) -> bool {
    let mut found = Choice::from(0);
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        if let Some(expected) = mac(secret.as_bytes(), timestamp, body) {
            found |= ct_matches(&expected, provided);
        }
    }
    bool::from(found)
}

/// Computes the `x-amigo-signature` value (`sha256=<lower-case hex>`) for a delivery, for
/// tests and local tooling; an empty `timestamp` signs the legacy message (body alone).
pub fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let ts = (!timestamp.is_empty()).then_some(timestamp.as_bytes());
    // HMAC accepts keys of any length, so `mac` cannot fail; fall back to an all-zero MAC
    // rather than panicking.
    let bytes = mac(secret.as_bytes(), ts, body).unwrap_or([0; 32]);
    let mut out = String::with_capacity(PREFIX.len() + 64);
    out.push_str("sha256=");
    out.push_str(&hex::encode(&bytes));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_prefixed_bare_and_uppercase() {
        let lower = "ab".repeat(32);
        let want = vec![0xab; 32];
        assert_eq!(parse(lower.as_bytes()), Ok(want.clone()));
        assert_eq!(
            parse(format!("sha256={lower}").as_bytes()),
            Ok(want.clone())
        );
        assert_eq!(
            parse(format!("sha256={}", lower.to_uppercase()).as_bytes()),
            Ok(want)
        );
        // A well-formed value of another length parses (and later simply fails to match).
        assert_eq!(parse(b"sha256=00"), Ok(vec![0]));
    }

    #[test]
    fn parse_rejects_malformed() {
        let hex = "ab".repeat(32);
        let bad = [
            String::new(),
            "sha256=".into(),
            "sha256=bad".into(),
            format!("SHA256={hex}"),
            format!(" sha256={hex}"),
            format!("sha256={hex} "),
            format!("sha256= {hex}"),
            format!("v1={hex}"),
            format!("sha256={hex},sha256={hex}"),
            format!("sha256={hex} sha256={hex}"),
            format!("sha256=sha256={hex}"),
            format!("{}a", hex),
        ];
        for value in bad {
            assert_eq!(
                parse(value.as_bytes()),
                Err(WebhookError::InvalidSignatureFormat),
                "{value:?}"
            );
        }
    }

    #[test]
    fn ct_matches_cases() {
        assert!(bool::from(ct_matches(&[1, 2, 3], &[1, 2, 3])));
        assert!(!bool::from(ct_matches(&[1, 2, 3], &[1, 2, 4])));
        assert!(!bool::from(ct_matches(&[1, 2, 3], &[1, 2])));
        assert!(!bool::from(ct_matches(&[1, 2], &[1, 2, 0])));
        // Trailing zeros do not hide a length difference.
        assert!(!bool::from(ct_matches(&[0, 0], &[0, 0, 0, 0])));
        assert!(!bool::from(ct_matches(&[0; 32], &[])));
        assert!(bool::from(ct_matches(&[], &[])));
    }

    #[test]
    fn sign_matches_the_worked_example() {
        let body = br#"{"id":"evt_123","type":"call.completed","timestamp":"2023-11-14T22:13:20Z","data":{"call_id":"c1"}}"#;
        assert_eq!(
            sign("whsec_test_secret", "1700000000", body),
            "sha256=eab0f901575fed0912be1c2e5dd5ad7c099f76f247e70c572d22ed403752b44b"
        );
        assert_eq!(
            sign("whsec_test_secret", "", body),
            "sha256=d72f7bb9e52196dfb32818711f0e57e7b82818ab6bc03648a428dac5b5828db9"
        );
    }

    #[test]
    fn empty_secrets_are_skipped() {
        let provided = mac(b"", Some(b"1"), b"x").unwrap_or([1; 32]);
        let secrets = [WebhookSecret::new("")];
        assert!(!any_secret_matches(&secrets, Some(b"1"), b"x", &provided));
    }
}
