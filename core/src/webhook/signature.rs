//! Signature parsing, the signed message, HMAC-SHA256 and constant-time comparison.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;
use subtle::{Choice, ConstantTimeEq};

use super::error::WebhookError;
use super::hex::{self, Decoded};

type HmacSha256 = Hmac<Sha256>;

const PREFIX: &[u8] = b"sha256=";

/// Length of an HMAC-SHA256 tag in bytes.
const MAC_LEN: usize = 32;

/// A syntactically valid signature header value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Provided {
    /// The 32 MAC bytes the sender claims.
    Mac([u8; MAC_LEN]),
    /// Well-formed hex of another length: it can never match any secret.
    OtherLength,
}

/// Parses a signature header value (`[sha256=]<hex>`) into the provided MAC bytes, without
/// allocating.
#[inline]
pub(crate) fn parse(value: &[u8]) -> Result<Provided, WebhookError> {
    let hex_part = value.strip_prefix(PREFIX).unwrap_or(value);
    match hex::decode_array::<MAC_LEN>(hex_part) {
        Some(Decoded::Exact(bytes)) => Ok(Provided::Mac(bytes)),
        Some(Decoded::OtherLength) => Ok(Provided::OtherLength),
        None => Err(WebhookError::InvalidSignatureFormat),
    }
}

/// An HMAC-SHA256 state already keyed with one secret, so that a verification only clones
/// it instead of hashing the key again. `Debug` prints `[REDACTED]`.
#[derive(Clone)]
pub(crate) struct SigningKey {
    keyed: HmacSha256,
}

impl SigningKey {
    /// Keys the MAC with `secret` (HMAC accepts any key length, so this does not fail in
    /// practice; `None` would mean the secret is unusable).
    pub(crate) fn new(secret: &[u8]) -> Option<Self> {
        let keyed = <HmacSha256 as Mac>::new_from_slice(secret).ok()?;
        Some(Self { keyed })
    }

    /// HMAC-SHA256 over the signed message: `v1:<timestamp>:<body>`, or `body` alone when
    /// `timestamp` is `None` (legacy). The pieces are fed to the MAC one after the other,
    /// so the message is never assembled in memory.
    #[inline]
    pub(crate) fn mac(&self, timestamp: Option<&[u8]>, body: &[u8]) -> [u8; MAC_LEN] {
        let mut mac = self.keyed.clone();
        if let Some(ts) = timestamp {
            mac.update(b"v1:");
            mac.update(ts);
            mac.update(b":");
        }
        mac.update(body);
        mac.finalize().into_bytes().into()
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

/// HMAC-SHA256 of the signed message under `key` (see [`SigningKey::mac`]).
pub(crate) fn mac(key: &[u8], timestamp: Option<&[u8]>, body: &[u8]) -> Option<[u8; MAC_LEN]> {
    SigningKey::new(key).map(|k| k.mac(timestamp, body))
}

/// Whether any key signs `(timestamp, body)` to `provided`; every candidate is computed
/// and compared in constant time, without early exit.
#[inline]
pub(crate) fn any_key_matches(
    keys: &[SigningKey],
    timestamp: Option<&[u8]>,
    body: &[u8],
    provided: &Provided,
) -> bool {
    // A value of the wrong length matches nothing; its length is the sender's own choice,
    // so answering at once reveals nothing about the secrets.
    let Provided::Mac(provided) = provided else {
        return false;
    };
    let mut found = Choice::from(0);
    for key in keys {
        found |= ct_eq(&key.mac(timestamp, body), provided);
    }
    bool::from(found)
}

/// Compares two MACs in constant time: the byte differences are OR-ed together without
/// branching, and only the folded result goes through `subtle`'s opaque comparison.
#[inline]
fn ct_eq(expected: &[u8; MAC_LEN], provided: &[u8; MAC_LEN]) -> Choice {
    let diff = expected
        .iter()
        .zip(provided)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b));
    diff.ct_eq(&0)
}

/// Computes the `x-amigo-signature` value (`sha256=<lower-case hex>`) for a delivery, for
/// tests and local tooling; an empty `timestamp` signs the legacy message (body alone).
pub fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let ts = (!timestamp.is_empty()).then_some(timestamp.as_bytes());
    // HMAC accepts keys of any length, so `mac` cannot fail; fall back to an all-zero MAC
    // rather than panicking.
    let bytes = mac(secret.as_bytes(), ts, body).unwrap_or([0; MAC_LEN]);
    let mut out = String::with_capacity(PREFIX.len() + 2 * MAC_LEN);
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
        let want = Provided::Mac([0xab; 32]);
        assert_eq!(parse(lower.as_bytes()), Ok(want));
        assert_eq!(parse(format!("sha256={lower}").as_bytes()), Ok(want));
        assert_eq!(
            parse(format!("sha256={}", lower.to_uppercase()).as_bytes()),
            Ok(want)
        );
        let mixed = "aB".repeat(32);
        assert_eq!(parse(format!("sha256={mixed}").as_bytes()), Ok(want));
        // A well-formed value of another length parses (and later simply fails to match).
        assert_eq!(parse(b"sha256=00"), Ok(Provided::OtherLength));
        assert_eq!(
            parse(format!("sha256={lower}00").as_bytes()),
            Ok(Provided::OtherLength)
        );
        assert_eq!(parse(&lower.as_bytes()[2..]), Ok(Provided::OtherLength));
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
            format!("v1={hex},v1={hex}"),
            format!("t=1,v1={hex},v1={hex}"),
            format!("sha256={hex},sha256={hex}"),
            format!("sha256={hex} sha256={hex}"),
            format!("sha256=sha256={hex}"),
            format!("{}a", hex),
            format!("{}g", &hex[1..]),
            format!("{}zz", &hex[2..]),
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
    fn precomputed_key_equals_a_freshly_keyed_mac() {
        // Secrets shorter than, equal to and longer than the SHA-256 block (64 bytes).
        for secret in [&b"k"[..], &[7u8; 64], &[9u8; 65], b"whsec_test_secret"] {
            let key = SigningKey::new(secret).expect("any key length");
            for (ts, body) in [
                (Some(&b"1700000000"[..]), &b"{}"[..]),
                (None, b"{}"),
                (Some(b""), b""),
                (Some(b"17"), &[0xa5; 1000]),
            ] {
                let mut fresh = HmacSha256::new_from_slice(secret).expect("any key length");
                if let Some(ts) = ts {
                    fresh.update(&[b"v1:", ts, b":"].concat());
                }
                fresh.update(body);
                let want: [u8; MAC_LEN] = fresh.finalize().into_bytes().into();
                // The keyed state is reused: the same key gives the same MAC every time.
                assert_eq!(key.mac(ts, body), want);
                assert_eq!(key.mac(ts, body), want);
                assert_eq!(key.clone().mac(ts, body), want);
                assert_eq!(mac(secret, ts, body), Some(want));
            }
        }
    }

    #[test]
    fn any_key_matches_every_key_and_nothing_else() {
        let keys: Vec<SigningKey> = [&b"old"[..], b"new"]
            .iter()
            .filter_map(|s| SigningKey::new(s))
            .collect();
        let ts = Some(&b"1"[..]);
        for secret in [&b"old"[..], b"new"] {
            let tag = mac(secret, ts, b"x").expect("any key length");
            assert!(any_key_matches(&keys, ts, b"x", &Provided::Mac(tag)));
            assert!(!any_key_matches(&keys, ts, b"y", &Provided::Mac(tag)));
            assert!(!any_key_matches(&keys, None, b"x", &Provided::Mac(tag)));
            let mut flipped = tag;
            flipped[31] ^= 1;
            assert!(!any_key_matches(&keys, ts, b"x", &Provided::Mac(flipped)));
            assert!(!any_key_matches(&keys[..0], ts, b"x", &Provided::Mac(tag)));
        }
        assert!(!any_key_matches(&keys, ts, b"x", &Provided::OtherLength));
    }

    #[test]
    fn ct_eq_cases() {
        let base: [u8; MAC_LEN] = std::array::from_fn(|i| i as u8);
        assert!(bool::from(ct_eq(&base, &base)));
        assert!(bool::from(ct_eq(&[0; MAC_LEN], &[0; MAC_LEN])));
        for i in 0..MAC_LEN {
            for bit in 0..8 {
                let mut other = base;
                other[i] ^= 1 << bit;
                assert!(!bool::from(ct_eq(&base, &other)), "byte {i} bit {bit}");
                assert!(!bool::from(ct_eq(&other, &base)), "byte {i} bit {bit}");
            }
        }
    }

    #[test]
    fn signing_key_debug_is_redacted() {
        let key = SigningKey::new(b"whsec_super_secret").expect("any key length");
        let text = format!("{key:?} {:?} {:#?}", Some(&key), vec![key.clone()]);
        assert!(!text.contains("whsec"), "{text}");
        assert_eq!(format!("{key:?}"), "[REDACTED]");
        assert_eq!(format!("{:?}", [key]), "[[REDACTED]]");
    }
}
