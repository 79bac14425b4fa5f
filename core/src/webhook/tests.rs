//! Behaviour tests for the webhook module: the verification rules one by one, plus tampering,
//! cross-checked vectors and a no-panic fuzz loop.

use super::*;
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Request};
use serde_json::json;
use std::time::Duration;
use web_time::{SystemTime, UNIX_EPOCH};

const SECRET: &str = "whsec_test_secret";
const BODY: &[u8] =
    br#"{"id":"evt_123","type":"call.completed","timestamp":"2023-11-14T22:13:20Z","data":{"call_id":"c1"}}"#;
const TS: &str = "1700000000";
const TS_ISO: &str = "2023-11-14T22:13:20Z";
/// The worked signing example (also reproduced with Python, see `python_cross_checked_vectors`).
const SIG_SECONDS: &str = "sha256=eab0f901575fed0912be1c2e5dd5ad7c099f76f247e70c572d22ed403752b44b";
const SIG_ISO: &str = "sha256=0f972e73ed82b4fe3a10cbbe939b4d6d131e8624e4736120f8f7c9c67f548834";
const SIG_LEGACY: &str = "sha256=d72f7bb9e52196dfb32818711f0e57e7b82818ab6bc03648a428dac5b5828db9";
/// Same payload signed with timestamp text `1700000000000` (milliseconds); produced with
/// Python: `hmac.new(b"whsec_test_secret", b"v1:1700000000000:" + BODY, hashlib.sha256).hexdigest()`.
const SIG_MILLIS: &str = "sha256=0fae9645a740d4bf126072207e0750a5062ca878bcaadd40143ab42998b3ca4f";

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

fn now() -> SystemTime {
    at(1_700_000_000)
}

fn verifier() -> Verifier {
    Verifier::new(SECRET)
}

fn legacy_verifier() -> Verifier {
    Verifier::builder()
        .secret(SECRET)
        .allow_legacy(true)
        .build()
}

fn headers(signature: &str, timestamp: Option<&str>) -> HeaderMap {
    let mut h = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(signature) {
        h.insert(SIGNATURE_HEADER, v);
    }
    if let Some(ts) = timestamp {
        if let Ok(v) = HeaderValue::from_str(ts) {
            h.insert(TIMESTAMP_HEADER, v);
        }
    }
    h
}

// ---- behaviour checklist -------------------------------------------------------------------

#[test]
fn worked_example_with_seconds_timestamp_is_accepted() {
    assert_eq!(sign(SECRET, TS, BODY), SIG_SECONDS);
    assert_eq!(
        verifier().verify_parts(BODY, SIG_SECONDS, Some(TS), now()),
        Ok(())
    );
    assert_eq!(
        verifier().verify(BODY, &headers(SIG_SECONDS, Some(TS)), now()),
        Ok(())
    );
}

#[test]
fn iso_timestamp_with_its_signature_is_accepted() {
    assert_eq!(sign(SECRET, TS_ISO, BODY), SIG_ISO);
    assert_eq!(
        verifier().verify_parts(BODY, SIG_ISO, Some(TS_ISO), now()),
        Ok(())
    );
    // Offset and fractional forms are RFC 3339 too.
    for ts in ["2023-11-14T22:13:20.123+00:00", "2023-11-14T23:13:20+01:00"] {
        let sig = sign(SECRET, ts, BODY);
        assert_eq!(
            verifier().verify_parts(BODY, &sig, Some(ts), now()),
            Ok(()),
            "{ts}"
        );
    }
}

#[test]
fn legacy_needs_opt_in() {
    assert_eq!(sign(SECRET, "", BODY), SIG_LEGACY);
    assert_eq!(
        verifier().verify_parts(BODY, SIG_LEGACY, None, now()),
        Err(WebhookError::TimestampMissing)
    );
    assert_eq!(
        verifier().verify_parts(BODY, SIG_LEGACY, Some(""), now()),
        Err(WebhookError::TimestampMissing)
    );
    assert_eq!(
        verifier().verify(BODY, &headers(SIG_LEGACY, None), now()),
        Err(WebhookError::TimestampMissing)
    );
    assert_eq!(
        legacy_verifier().verify_parts(BODY, SIG_LEGACY, None, now()),
        Ok(())
    );
    assert_eq!(
        legacy_verifier().verify_parts(BODY, SIG_LEGACY, Some(""), now()),
        Ok(())
    );
    assert_eq!(
        legacy_verifier().verify(BODY, &headers(SIG_LEGACY, Some("")), now()),
        Ok(())
    );
    // Legacy has no freshness check.
    assert_eq!(
        legacy_verifier().verify_parts(BODY, SIG_LEGACY, None, at(4_000_000_000)),
        Ok(())
    );
    // A legacy verifier still accepts timestamped deliveries (and checks them).
    assert_eq!(
        legacy_verifier().verify_parts(BODY, SIG_SECONDS, Some(TS), now()),
        Ok(())
    );
}

#[test]
fn bad_format_versus_wrong_hex() {
    let v = verifier();
    assert_eq!(
        v.verify_parts(BODY, "sha256=bad", Some(TS), now()),
        Err(WebhookError::InvalidSignatureFormat)
    );
    let wrong = format!("sha256={}", "0".repeat(64));
    assert_eq!(
        v.verify_parts(BODY, &wrong, Some(TS), now()),
        Err(WebhookError::SignatureMismatch)
    );
    // Well-formed but of the wrong length simply fails to match.
    assert_eq!(
        v.verify_parts(BODY, "sha256=00", Some(TS), now()),
        Err(WebhookError::SignatureMismatch)
    );
    let long = format!("{SIG_SECONDS}00");
    assert_eq!(
        v.verify_parts(BODY, &long, Some(TS), now()),
        Err(WebhookError::SignatureMismatch)
    );
    let short = &SIG_SECONDS[..SIG_SECONDS.len() - 2];
    assert_eq!(
        v.verify_parts(BODY, short, Some(TS), now()),
        Err(WebhookError::SignatureMismatch)
    );
}

#[test]
fn bare_prefixed_and_uppercase_hex_verify() {
    let bare = SIG_SECONDS.trim_start_matches("sha256=");
    let upper = format!("sha256={}", bare.to_uppercase());
    let bare_upper = bare.to_uppercase();
    for sig in [SIG_SECONDS, bare, upper.as_str(), bare_upper.as_str()] {
        assert_eq!(
            verifier().verify_parts(BODY, sig, Some(TS), now()),
            Ok(()),
            "{sig}"
        );
    }
}

#[test]
fn foreign_prefixes_and_whitespace_are_malformed() {
    let bare = SIG_SECONDS.trim_start_matches("sha256=");
    let cases = [
        format!("SHA256={bare}"),
        format!(" {SIG_SECONDS}"),
        format!("{SIG_SECONDS} "),
        format!("{SIG_SECONDS}\t"),
        format!("v1={bare}"),
        format!("t=1700000000,v1={bare}"),
        format!("{SIG_SECONDS},{SIG_SECONDS}"),
        format!("sha512={bare}"),
    ];
    for sig in &cases {
        assert_eq!(
            verifier().verify_parts(BODY, sig, Some(TS), now()),
            Err(WebhookError::InvalidSignatureFormat),
            "{sig:?}"
        );
        assert_eq!(
            verifier().verify(BODY, &headers(sig, Some(TS)), now()),
            Err(WebhookError::InvalidSignatureFormat),
            "{sig:?} via headers"
        );
    }
}

#[test]
fn seconds_and_milliseconds_both_verify() {
    assert_eq!(sign(SECRET, "1700000000000", BODY), SIG_MILLIS);
    assert_eq!(
        verifier().verify_parts(BODY, SIG_SECONDS, Some(TS), now()),
        Ok(())
    );
    assert_eq!(
        verifier().verify_parts(BODY, SIG_MILLIS, Some("1700000000000"), now()),
        Ok(())
    );
    // Fractional forms of both.
    for ts in ["1700000000.5", "1700000000000.5"] {
        let sig = sign(SECRET, ts, BODY);
        assert_eq!(
            verifier().verify_parts(BODY, &sig, Some(ts), now()),
            Ok(()),
            "{ts}"
        );
    }
}

#[test]
fn tolerance_window_default_and_custom() {
    let v = verifier();
    assert_eq!(v.tolerance(), Duration::from_secs(300));
    let future = |secs: u64| {
        let ts = secs.to_string();
        v.verify_parts(BODY, &sign(SECRET, &ts, BODY), Some(&ts), now())
    };
    assert_eq!(future(1_700_000_200), Ok(()));
    assert_eq!(
        future(1_700_000_400),
        Err(WebhookError::TimestampOutOfTolerance)
    );
    // Ten minutes in the past fails with the default tolerance.
    assert_eq!(
        v.verify_parts(BODY, SIG_SECONDS, Some(TS), at(1_700_000_600)),
        Err(WebhookError::TimestampOutOfTolerance)
    );
    let strict = Verifier::builder()
        .secret(SECRET)
        .tolerance(Duration::from_secs(60))
        .build();
    assert_eq!(
        strict.verify_parts(BODY, SIG_SECONDS, Some(TS), at(1_700_000_600)),
        Err(WebhookError::TimestampOutOfTolerance)
    );
    assert_eq!(
        strict.verify_parts(BODY, SIG_SECONDS, Some(TS), at(1_700_000_060)),
        Ok(())
    );
}

#[test]
fn five_minute_edges_are_exact() {
    let v = verifier();
    let t0 = now();
    let five = Duration::from_secs(300);
    let ns = Duration::from_nanos(1);
    let check = |when: SystemTime| v.verify_parts(BODY, SIG_SECONDS, Some(TS), when);
    assert_eq!(check(t0 + five), Ok(()));
    assert_eq!(check(t0 - five), Ok(()));
    assert_eq!(
        check(t0 + five + ns),
        Err(WebhookError::TimestampOutOfTolerance)
    );
    assert_eq!(
        check(t0 - five - ns),
        Err(WebhookError::TimestampOutOfTolerance)
    );
    // Millisecond and ISO timestamps hit the same edges.
    let iso = |when: SystemTime| v.verify_parts(BODY, SIG_ISO, Some(TS_ISO), when);
    assert_eq!(iso(t0 + five), Ok(()));
    assert_eq!(
        iso(t0 + five + ns),
        Err(WebhookError::TimestampOutOfTolerance)
    );
    let ms = |when: SystemTime| v.verify_parts(BODY, SIG_MILLIS, Some("1700000000000"), when);
    assert_eq!(ms(t0 - five), Ok(()));
    assert_eq!(
        ms(t0 - five - ns),
        Err(WebhookError::TimestampOutOfTolerance)
    );
    // A fraction beyond nanosecond precision still counts (strictly inside / outside).
    let ts = "1700000300.0000000001";
    let sig = sign(SECRET, ts, BODY);
    assert_eq!(
        v.verify_parts(BODY, &sig, Some(ts), t0),
        Err(WebhookError::TimestampOutOfTolerance)
    );
    // Zero tolerance requires an exact match.
    let exact = Verifier::builder()
        .secret(SECRET)
        .tolerance(Duration::ZERO)
        .build();
    assert_eq!(exact.verify_parts(BODY, SIG_SECONDS, Some(TS), t0), Ok(()));
    assert_eq!(
        exact.verify_parts(BODY, SIG_SECONDS, Some(TS), t0 + ns),
        Err(WebhookError::TimestampOutOfTolerance)
    );
}

#[test]
fn unparseable_timestamp_with_valid_mac_is_timestamp_invalid() {
    for ts in [
        "not-a-time",
        "1700000000 ",
        "-1700000000",
        "1.7e9",
        "2023-11-14T22:13:20",
        "Tue, 14 Nov 2023 22:13:20 GMT",
    ] {
        let sig = sign(SECRET, ts, BODY);
        assert_eq!(
            verifier().verify_parts(BODY, &sig, Some(ts), now()),
            Err(WebhookError::TimestampInvalid),
            "{ts}"
        );
    }
    // With a wrong MAC the mismatch is reported first.
    assert_eq!(
        verifier().verify_parts(BODY, SIG_SECONDS, Some("not-a-time"), now()),
        Err(WebhookError::SignatureMismatch)
    );
}

#[test]
fn stripped_timestamp_never_verifies_as_legacy() {
    assert_eq!(
        legacy_verifier().verify_parts(BODY, SIG_SECONDS, None, now()),
        Err(WebhookError::SignatureMismatch)
    );
    assert_eq!(
        legacy_verifier().verify(BODY, &headers(SIG_SECONDS, None), now()),
        Err(WebhookError::SignatureMismatch)
    );
}

#[test]
fn empty_secret_and_empty_signature_fail_cleanly() {
    let none = Verifier::builder().build();
    let empty = Verifier::new("");
    let empties = Verifier::builder().secrets(["", ""]).build();
    for v in [&none, &empty, &empties] {
        assert_eq!(
            v.verify_parts(BODY, SIG_SECONDS, Some(TS), now()),
            Err(WebhookError::NoSecret)
        );
        assert_eq!(
            v.verify_parts(b"", "", None, now()),
            Err(WebhookError::NoSecret)
        );
        assert_eq!(
            v.parse_event(BODY, &headers(SIG_SECONDS, Some(TS)), now()),
            Err(WebhookError::NoSecret)
        );
    }
    let v = verifier();
    assert_eq!(
        v.verify_parts(BODY, "", Some(TS), now()),
        Err(WebhookError::InvalidSignatureFormat)
    );
    assert_eq!(
        v.verify_parts(BODY, "sha256=", Some(TS), now()),
        Err(WebhookError::InvalidSignatureFormat)
    );
    assert_eq!(
        v.verify_parts(b"", "", None, now()),
        Err(WebhookError::InvalidSignatureFormat)
    );
    assert_eq!(
        v.verify(BODY, &HeaderMap::new(), now()),
        Err(WebhookError::InvalidSignatureFormat)
    );
    assert_eq!(
        v.verify(b"", &HeaderMap::new(), UNIX_EPOCH),
        Err(WebhookError::InvalidSignatureFormat)
    );
    // An empty secret next to a real one is skipped.
    let mixed = Verifier::builder().secret("").secret(SECRET).build();
    assert_eq!(
        mixed.verify_parts(BODY, SIG_SECONDS, Some(TS), now()),
        Ok(())
    );
    // An empty body is a valid payload to sign.
    let sig = sign(SECRET, TS, b"");
    assert_eq!(v.verify_parts(b"", &sig, Some(TS), now()), Ok(()));
}

#[test]
fn rotation_with_two_secrets() {
    let old = "whsec_old_secret";
    let new = "whsec_new_secret";
    let v = Verifier::builder().secret(old).secret(new).build();
    let by_old = sign(old, TS, BODY);
    let by_new = sign(new, TS, BODY);
    assert_ne!(by_old, by_new);
    assert_eq!(v.verify_parts(BODY, &by_old, Some(TS), now()), Ok(()));
    assert_eq!(v.verify_parts(BODY, &by_new, Some(TS), now()), Ok(()));
    let other = sign("whsec_unrelated", TS, BODY);
    assert_eq!(
        v.verify_parts(BODY, &other, Some(TS), now()),
        Err(WebhookError::SignatureMismatch)
    );
    // The order of the secrets does not matter; `secrets(..)` takes owned or wrapped secrets too.
    let v2 = Verifier::builder()
        .secrets(vec![WebhookSecret::new(new), WebhookSecret::new(old)])
        .build();
    assert_eq!(v2.verify_parts(BODY, &by_old, Some(TS), now()), Ok(()));
    assert_eq!(v2.verify_parts(BODY, &by_new, Some(TS), now()), Ok(()));
}

#[test]
fn diagnostics_never_contain_the_expected_signature_or_secret() {
    let expected_hex = SIG_SECONDS.trim_start_matches("sha256=");
    let v = Verifier::builder()
        .secret(SECRET)
        .secret("whsec_other")
        .replay_guard(ReplayGuard::default())
        .build();
    let wrong = format!("sha256={}", "ab".repeat(32));
    let errors = [
        v.verify_parts(BODY, &wrong, Some(TS), now()),
        v.verify_parts(BODY, "sha256=00", Some(TS), now()),
        v.verify_parts(BODY, "garbage", Some(TS), now()),
        v.verify_parts(BODY, SIG_SECONDS, Some(TS), at(2_000_000_000)),
        v.verify_parts(BODY, SIG_LEGACY, None, now()),
        v.verify_parts(BODY, &sign(SECRET, "x", BODY), Some("x"), now()),
        Verifier::new("").verify_parts(BODY, SIG_SECONDS, Some(TS), now()),
        v.parse_event_as(BODY, &headers(SIG_SECONDS, Some(TS)), now(), "other.type")
            .map(|_| ()),
    ];
    for result in errors {
        let err = result.expect_err("every case fails");
        for text in [format!("{err:?}"), err.to_string()] {
            assert!(!text.to_lowercase().contains(expected_hex), "{text}");
            assert!(
                !text.contains(SECRET) && !text.contains("whsec_other"),
                "{text}"
            );
        }
    }
    let debug = format!("{v:?}");
    assert!(
        !debug.contains(SECRET) && !debug.contains("whsec_other"),
        "{debug}"
    );
    assert!(debug.contains("[REDACTED]"), "{debug}");
    assert!(!format!("{:?}", Verifier::builder().secret(SECRET)).contains(SECRET));
}

#[test]
fn parse_event_returns_the_exact_envelope() {
    let event = verifier().parse_event(BODY, &headers(SIG_SECONDS, Some(TS)), now());
    let event = event.expect("valid delivery");
    assert_eq!(event.id.as_deref(), Some("evt_123"));
    assert_eq!(event.event_type.as_deref(), Some("call.completed"));
    assert_eq!(event.timestamp.as_deref(), Some("2023-11-14T22:13:20Z"));
    assert_eq!(event.data, Some(json!({"call_id": "c1"})));
    assert_eq!(
        event.raw,
        json!({"id":"evt_123","type":"call.completed","timestamp":"2023-11-14T22:13:20Z","data":{"call_id":"c1"}})
    );
    // Byte payload, explicit timestamp and expected type.
    let opts = ParseOptions::new().expected_type("call.completed");
    let parts = verifier().parse_event_parts(BODY, SIG_SECONDS, Some(TS), now(), &opts);
    assert_eq!(parts.as_ref(), Ok(&event));
    let typed = verifier().parse_event_as(
        BODY,
        &headers(SIG_SECONDS, Some(TS)),
        now(),
        "call.completed",
    );
    assert_eq!(typed, Ok(event));
}

#[test]
fn parse_event_reports_verification_failures_first() {
    assert_eq!(
        verifier().parse_event(b"not json", &headers(SIG_SECONDS, Some(TS)), now()),
        Err(WebhookError::SignatureMismatch)
    );
    assert_eq!(
        verifier().parse_event(BODY, &headers(SIG_SECONDS, Some(TS)), at(1_800_000_000)),
        Err(WebhookError::TimestampOutOfTolerance)
    );
}

#[test]
fn validly_signed_non_json_is_invalid_json() {
    for body in [&b"not json"[..], b"", b"{\"id\":", b"\xff\xfe"] {
        let sig = sign(SECRET, TS, body);
        let err = verifier().parse_event(body, &headers(&sig, Some(TS)), now());
        assert_eq!(err, Err(WebhookError::InvalidJson));
    }
    assert_eq!(
        WebhookError::InvalidJson.to_string(),
        "Invalid JSON webhook payload"
    );
    // A leading BOM is removed before parsing.
    let body = "\u{feff}{\"id\":\"e\"}".as_bytes();
    let sig = sign(SECRET, TS, body);
    let event = verifier().parse_event(body, &headers(&sig, Some(TS)), now());
    assert_eq!(event.map(|e| e.id), Ok(Some("e".to_owned())));
}

#[test]
fn expected_type_mismatch_is_unexpected_type() {
    let h = headers(SIG_SECONDS, Some(TS));
    let err = verifier()
        .parse_event_as(BODY, &h, now(), "call.started")
        .expect_err("mismatch");
    assert_eq!(
        err,
        WebhookError::UnexpectedType {
            expected: "call.started".into(),
            received: Some("call.completed".into())
        }
    );
    assert!(err.to_string().contains("Unexpected webhook event type"));
    assert_eq!(
        err.to_string(),
        "Unexpected webhook event type: expected call.started, received call.completed"
    );
    // Not an object, or no string `type`.
    for body in [&b"[1,2]"[..], b"{\"type\":5}", b"{}", b"\"call.started\""] {
        let sig = sign(SECRET, TS, body);
        let err = verifier().parse_event_as(body, &headers(&sig, Some(TS)), now(), "call.started");
        assert_eq!(
            err,
            Err(WebhookError::UnexpectedType {
                expected: "call.started".into(),
                received: None
            })
        );
    }
    // Without an expected type, any JSON is an event.
    let sig = sign(SECRET, TS, b"[1,2]");
    assert!(verifier()
        .parse_event(b"[1,2]", &headers(&sig, Some(TS)), now())
        .is_ok());
}

#[test]
fn replay_guard_rejects_within_window_and_accepts_after() {
    let v = Verifier::builder()
        .secret(SECRET)
        .replay_guard(ReplayGuard::new(100))
        .build();
    let h = headers(SIG_SECONDS, Some(TS));
    assert!(v.parse_event(BODY, &h, now()).is_ok());
    assert_eq!(
        v.parse_event(BODY, &h, now() + Duration::from_secs(10)),
        Err(WebhookError::Replayed {
            id: "evt_123".into()
        })
    );
    assert_eq!(
        WebhookError::Replayed {
            id: "evt_123".into()
        }
        .to_string(),
        "Webhook event evt_123 was already processed"
    );
    // A redelivery signed with a fresh timestamp, still inside the first window.
    let ts = "1700000300";
    let sig = sign(SECRET, ts, BODY);
    assert_eq!(
        v.parse_event(BODY, &headers(&sig, Some(ts)), at(1_700_000_300)),
        Err(WebhookError::Replayed {
            id: "evt_123".into()
        })
    );
    // After timestamp + tolerance, the id is forgotten.
    let ts = "1700000301";
    let sig = sign(SECRET, ts, BODY);
    assert!(v
        .parse_event(BODY, &headers(&sig, Some(ts)), at(1_700_000_301))
        .is_ok());
    // `verify` alone does not consult the guard.
    assert_eq!(v.verify(BODY, &h, now()), Ok(()));
    // Clones of the verifier share the guard.
    assert!(v
        .clone()
        .parse_event(BODY, &headers(&sig, Some(ts)), at(1_700_000_301))
        .is_err());
}

#[test]
fn replay_guard_in_legacy_mode_and_without_ids() {
    let v = Verifier::builder()
        .secret(SECRET)
        .allow_legacy(true)
        .replay_guard(ReplayGuard::default())
        .build();
    let h = headers(SIG_LEGACY, None);
    assert!(v.parse_event(BODY, &h, now()).is_ok());
    // Legacy window: now + tolerance.
    assert!(v.parse_event(BODY, &h, at(1_700_000_300)).is_err());
    assert!(v.parse_event(BODY, &h, at(1_700_000_301)).is_ok());
    // Events without a string id are never deduplicated.
    for body in [&br#"{"type":"x"}"#[..], br#"{"id":7}"#] {
        let h = headers(&sign(SECRET, "", body), None);
        assert!(v.parse_event(body, &h, now()).is_ok());
        assert!(v.parse_event(body, &h, now()).is_ok());
    }
}

#[test]
fn validator_rejection_and_its_interaction_with_the_guard() {
    let v = Verifier::builder()
        .secret(SECRET)
        .replay_guard(ReplayGuard::default())
        .build();
    let h = headers(SIG_SECONDS, Some(TS));
    let refuse =
        |e: &WebhookEvent| Err(format!("no thanks for {}", e.id.as_deref().unwrap_or("?")));
    let accept = |_: &WebhookEvent| Ok(());
    let err = v.parse_event_with(BODY, &h, now(), &ParseOptions::new().validator(&refuse));
    assert_eq!(
        err,
        Err(WebhookError::Rejected {
            message: "no thanks for evt_123".into()
        })
    );
    assert_eq!(
        err.map(|_| ()).unwrap_err().to_string(),
        "Webhook event rejected: no thanks for evt_123"
    );
    // A rejected event was not accepted, so the redelivery goes through.
    assert!(v
        .parse_event_with(BODY, &h, now(), &ParseOptions::new().validator(&accept))
        .is_ok());
    assert!(v.parse_event(BODY, &h, now()).is_err());
    // The expected type is checked before the validator.
    let opts = ParseOptions::new().expected_type("zzz").validator(&refuse);
    assert!(matches!(
        verifier().parse_event_with(BODY, &h, now(), &opts),
        Err(WebhookError::UnexpectedType { .. })
    ));
}

#[test]
fn verifier_reads_no_clock() {
    // `now` in 2023 succeeds although the machine's clock is later, and a `now` far in
    // the future fails: only the argument matters, and repeated calls agree.
    let v = verifier();
    let h = headers(SIG_SECONDS, Some(TS));
    let first = (
        v.verify(BODY, &h, now()),
        v.verify(BODY, &h, at(4_102_444_800)),
    );
    assert_eq!(first, (Ok(()), Err(WebhookError::TimestampOutOfTolerance)));
    for _ in 0..100 {
        assert_eq!(
            (
                v.verify(BODY, &h, now()),
                v.verify(BODY, &h, at(4_102_444_800))
            ),
            first
        );
    }
    // A `now` before the epoch is handled.
    assert_eq!(
        v.verify(BODY, &h, UNIX_EPOCH - Duration::from_secs(1)),
        Err(WebhookError::TimestampOutOfTolerance)
    );
}

// ---- beyond the checklist --------------------------------------------------------------

#[test]
fn tampering_any_single_byte_fails() {
    let body = br#"{"id":"e1","type":"t"}"#;
    let sig = sign(SECRET, TS, body);
    let v = verifier();
    assert_eq!(v.verify_parts(body, &sig, Some(TS), now()), Ok(()));
    for i in 0..body.len() {
        for flip in [0x01u8, 0x80, 0xff] {
            let mut tampered = body.to_vec();
            tampered[i] ^= flip;
            assert_eq!(
                v.verify_parts(&tampered, &sig, Some(TS), now()),
                Err(WebhookError::SignatureMismatch),
                "body[{i}]^{flip:#x}"
            );
        }
    }
    for i in 0..TS.len() {
        for replacement in ["0", "9", "a", ".", " ", ""] {
            let mut ts = TS.to_owned();
            if &ts[i..=i] == replacement {
                continue;
            }
            ts.replace_range(i..=i, replacement);
            assert_eq!(
                v.verify_parts(body, &sig, Some(&ts), now()),
                Err(WebhookError::SignatureMismatch),
                "timestamp {ts:?}"
            );
        }
    }
    let hex_start = "sha256=".len();
    for i in hex_start..sig.len() {
        for replacement in ["0", "f", "A"] {
            let mut s = sig.clone();
            let current = s[i..=i].to_ascii_lowercase();
            if current == replacement.to_ascii_lowercase() {
                continue;
            }
            s.replace_range(i..=i, replacement);
            assert_eq!(
                v.verify_parts(body, &s, Some(TS), now()),
                Err(WebhookError::SignatureMismatch),
                "sig {s}"
            );
        }
        let mut s = sig.clone();
        s.replace_range(i..=i, "g");
        assert_eq!(
            v.verify_parts(body, &s, Some(TS), now()),
            Err(WebhookError::InvalidSignatureFormat)
        );
    }
    // Every single-byte corruption of the whole header value fails one way or another.
    for i in 0..sig.len() {
        let mut bytes = sig.clone().into_bytes();
        bytes[i] ^= 0x01;
        let s = String::from_utf8_lossy(&bytes);
        assert!(v.verify_parts(body, &s, Some(TS), now()).is_err(), "{s}");
    }
}

#[test]
fn python_cross_checked_vectors() {
    // Produced with Python 3.11:
    //   hmac.new(secret.encode(), b"v1:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    // (legacy: the body alone as the message).
    let vectors: [(&str, &str, Vec<u8>, &str); 4] = [
        (
            "clé-secrète-ünïcode",
            "1700000000",
            b"hello".to_vec(),
            "a8a48cc9e052673364fee9144b9b62549a5faf838bb88e71c6e2cb52c95055a2",
        ),
        ("k", "1700000000", Vec::new(), "ebcd0eecd41e634327fd8bc9134f8b453aea60b8c6d248bf122b6c7548c07d54"),
        (
            "whsec_rotated_new",
            "1700000000.25",
            (0..=255u8).collect(),
            "9ca49f0767a150197f8982d705a6d0c5c82937318302591c3d55428373c0ac90",
        ),
        (
            // A 100-byte key (longer than the SHA-256 block), legacy message.
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "",
            b"The quick brown fox jumps over the lazy dog".to_vec(),
            "1f15377b3ce6d00f544ab7b1fc4f62b653e0fb086c9192be807da805d7304902",
        ),
    ];
    for (secret, ts, body, hex) in vectors {
        assert_eq!(sign(secret, ts, &body), format!("sha256={hex}"), "{secret}");
        let v = Verifier::builder()
            .secret(secret)
            .allow_legacy(true)
            .build();
        let ts_opt = (!ts.is_empty()).then_some(ts);
        assert_eq!(
            v.verify_parts(&body, hex, ts_opt, now()),
            Ok(()),
            "{secret}"
        );
    }
}

#[test]
fn header_edge_cases() {
    let v = legacy_verifier();
    // Repeated signature headers are malformed; repeated timestamp headers are unusable.
    let mut h = headers(SIG_SECONDS, Some(TS));
    h.append(SIGNATURE_HEADER, HeaderValue::from_static(SIG_SECONDS));
    assert_eq!(
        v.verify(BODY, &h, now()),
        Err(WebhookError::InvalidSignatureFormat)
    );
    let mut h = headers(SIG_SECONDS, Some(TS));
    h.append(TIMESTAMP_HEADER, HeaderValue::from_static(TS));
    assert_eq!(
        v.verify(BODY, &h, now()),
        Err(WebhookError::TimestampInvalid)
    );
    // Header names are case-insensitive.
    let mut h = HeaderMap::new();
    h.insert(
        http::HeaderName::from_static("x-amigo-signature"),
        HeaderValue::from_static(SIG_SECONDS),
    );
    h.insert(
        http::HeaderName::from_bytes(b"X-Amigo-Timestamp").expect("valid name"),
        HeaderValue::from_static(TS),
    );
    assert_eq!(v.verify(BODY, &h, now()), Ok(()));
    // Non-UTF-8 (obs-text) timestamp bytes are signed verbatim and then fail to parse.
    let ts = b"17\xff";
    let mut msg_sig = String::from("sha256=");
    {
        // Sign the raw bytes through the internal MAC (`sign` takes text).
        let mac = super::signature::mac(SECRET.as_bytes(), Some(ts), BODY).unwrap_or([0; 32]);
        msg_sig.push_str(&super::hex::encode(&mac));
    }
    let mut h = headers(&msg_sig, None);
    h.insert(
        TIMESTAMP_HEADER,
        HeaderValue::from_bytes(ts).expect("obs-text is allowed"),
    );
    assert_eq!(
        v.verify(BODY, &h, now()),
        Err(WebhookError::TimestampInvalid)
    );
    // Non-ASCII signature bytes are malformed.
    let mut h = headers(SIG_SECONDS, Some(TS));
    h.insert(
        SIGNATURE_HEADER,
        HeaderValue::from_bytes(b"sha256=\xe9").expect("obs-text is allowed"),
    );
    assert_eq!(
        v.verify(BODY, &h, now()),
        Err(WebhookError::InvalidSignatureFormat)
    );
}

#[test]
fn request_adapters() {
    let req = Request::builder()
        .method("POST")
        .uri("/webhooks/amigo")
        .header(SIGNATURE_HEADER, SIG_SECONDS)
        .header(TIMESTAMP_HEADER, TS)
        .body(Bytes::from_static(BODY))
        .expect("valid request");
    assert_eq!(verifier().verify_request(&req, now()), Ok(()));
    let opts = ParseOptions::new().expected_type("call.completed");
    let event = verifier().parse_request(&req, now(), &opts).expect("valid");
    assert_eq!(event.id.as_deref(), Some("evt_123"));
    let tampered = req.map(|_| Bytes::from_static(b"{}"));
    assert_eq!(
        verifier().verify_request(&tampered, now()),
        Err(WebhookError::SignatureMismatch)
    );
}

#[test]
fn verification_order() {
    let none = Verifier::builder().build();
    // NoSecret before a malformed signature.
    assert_eq!(
        none.verify_parts(BODY, "junk", None, now()),
        Err(WebhookError::NoSecret)
    );
    // Malformed signature before a missing timestamp.
    assert_eq!(
        verifier().verify_parts(BODY, "junk", None, now()),
        Err(WebhookError::InvalidSignatureFormat)
    );
    // Missing timestamp before the MAC.
    let wrong = format!("sha256={}", "00".repeat(32));
    assert_eq!(
        verifier().verify_parts(BODY, &wrong, None, now()),
        Err(WebhookError::TimestampMissing)
    );
    // MAC before the timestamp parse and the tolerance.
    assert_eq!(
        verifier().verify_parts(BODY, &wrong, Some("x"), now()),
        Err(WebhookError::SignatureMismatch)
    );
    assert_eq!(
        verifier().verify_parts(BODY, &wrong, Some(TS), at(0)),
        Err(WebhookError::SignatureMismatch)
    );
}

#[test]
fn public_types_are_thread_safe_and_accessors_work() {
    fn check<T: Send + Sync + Clone + std::fmt::Debug>() {}
    check::<Verifier>();
    check::<VerifierBuilder>();
    check::<ReplayGuard>();
    check::<WebhookSecret>();
    check::<WebhookEvent>();
    let guard = ReplayGuard::new(5);
    let v = Verifier::builder()
        .allow_legacy(true)
        .replay_guard(guard)
        .build();
    assert!(v.allows_legacy());
    assert_eq!(v.replay_guard().map(ReplayGuard::capacity), Some(5));
    assert!(verifier().replay_guard().is_none());
    assert_eq!(DEFAULT_TOLERANCE, Duration::from_secs(300));
    assert_eq!(SIGNATURE_HEADER.as_str(), "x-amigo-signature");
    assert_eq!(TIMESTAMP_HEADER.as_str(), "x-amigo-timestamp");
}

/// xorshift64*: a tiny deterministic generator for the fuzz loop.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> usize {
        (self.next() % n.max(1)) as usize
    }

    fn bytes(&mut self, max_len: u64, alphabet: &[u8]) -> Vec<u8> {
        let len = self.below(max_len + 1);
        (0..len)
            .map(|_| {
                if alphabet.is_empty() {
                    self.next() as u8
                } else {
                    alphabet[self.below(alphabet.len() as u64)]
                }
            })
            .collect()
    }
}

#[test]
fn fuzz_random_inputs_never_panic() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let guard = ReplayGuard::new(64);
    let verifiers = [
        verifier(),
        Verifier::builder()
            .secrets(["", SECRET, "second"])
            .allow_legacy(true)
            .tolerance(Duration::ZERO)
            .replay_guard(guard)
            .build(),
        Verifier::builder().build(),
        Verifier::builder()
            .secret("x")
            .tolerance(Duration::MAX)
            .build(),
    ];
    let hexish = b"0123456789abcdefABCDEFsha256=v1, \t.";
    let tsish = b"0123456789.-+:TZtz ";
    let jsonish = br#"{}[]":,0123456789.-eE truefalsnul\"idtypedata"#;
    let mut accepted = 0;
    for round in 0..10_000u32 {
        let body = match round % 3 {
            0 => rng.bytes(64, &[]),
            1 => rng.bytes(64, jsonish),
            _ => format!(
                r#"{{"id":"e{}","type":"t","data":{}}}"#,
                rng.below(50),
                rng.below(1000)
            )
            .into_bytes(),
        };
        let ts_bytes = match round % 4 {
            0 => rng.bytes(40, &[]),
            1 => rng.bytes(30, tsish),
            2 => Vec::new(),
            _ => (1_699_999_000 + rng.below(2000)).to_string().into_bytes(),
        };
        let ts = String::from_utf8_lossy(&ts_bytes).into_owned();
        let sig = match round % 5 {
            0 => String::from_utf8_lossy(&rng.bytes(80, &[])).into_owned(),
            1 => String::from_utf8_lossy(&rng.bytes(80, hexish)).into_owned(),
            _ => sign(if round % 2 == 0 { SECRET } else { "second" }, &ts, &body),
        };
        let now = UNIX_EPOCH + Duration::from_nanos(rng.next());
        let v = &verifiers[rng.below(verifiers.len() as u64)];
        let opts = ParseOptions::new().expected_type("t");
        let ts_opt = (round % 7 != 0).then_some(ts.as_str());
        if v.verify_parts(&body, &sig, ts_opt, now).is_ok() {
            accepted += 1;
        }
        let _ = v.parse_event_parts(&body, &sig, ts_opt, now, &opts);
        let _ = v.parse_event_parts(&body, &sig, ts_opt, at(1_700_000_000), &ParseOptions::new());
        let _ = super::timestamp::parse(&ts_bytes);
        let _ = super::signature::parse(sig.as_bytes());
        let mut h = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_bytes(sig.as_bytes()) {
            h.insert(SIGNATURE_HEADER, value);
        }
        if let Ok(value) = HeaderValue::from_bytes(&ts_bytes) {
            h.insert(TIMESTAMP_HEADER, value);
        }
        let _ = v.verify(&body, &h, now);
        let _ = v.parse_event(&body, &h, at(1_700_000_000));
    }
    // The loop exercised the success path too, not only rejections.
    assert!(accepted > 0);
}

mod keyed;
