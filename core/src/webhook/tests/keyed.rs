//! Tests for the precomputed keyed MAC and the allocation-free signature parsing: the
//! keyed state is reused safely, every signature spelling keeps its old outcome, and no
//! secret leaks through `Debug`.

use crate::webhook::*;
use http::{HeaderMap, HeaderValue};
use std::time::Duration;
use web_time::{SystemTime, UNIX_EPOCH};

const SECRET: &str = "whsec_test_secret";
const BODY: &[u8] = br#"{"id":"evt_9","type":"call.completed","data":{}}"#;
const TS: &str = "1700000000";

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

fn hex_of(signature: &str) -> &str {
    signature.trim_start_matches("sha256=")
}

#[test]
fn a_verifier_is_reusable_and_its_clones_agree() {
    let v = Verifier::new(SECRET);
    let other_body = br#"{"id":"evt_10"}"#;
    let sig = sign(SECRET, TS, BODY);
    let other_sig = sign(SECRET, "1700000001", other_body);
    let clone = v.clone();
    for _ in 0..3 {
        for verifier in [&v, &clone] {
            assert_eq!(verifier.verify_parts(BODY, &sig, Some(TS), now()), Ok(()));
            assert_eq!(
                verifier.verify_parts(other_body, &other_sig, Some("1700000001"), now()),
                Ok(())
            );
            // A failure in between leaves the keyed state untouched.
            assert_eq!(
                verifier.verify_parts(other_body, &sig, Some(TS), now()),
                Err(WebhookError::SignatureMismatch)
            );
        }
    }
}

#[test]
fn uppercase_and_mixed_case_hex_verify() {
    let sig = sign(SECRET, TS, BODY);
    let hex = hex_of(&sig);
    let mixed: String = hex
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i % 3 == 0 {
                c.to_ascii_uppercase()
            } else {
                c
            }
        })
        .collect();
    for value in [
        hex.to_uppercase(),
        format!("sha256={}", hex.to_uppercase()),
        mixed.clone(),
        format!("sha256={mixed}"),
    ] {
        assert_eq!(
            Verifier::new(SECRET).verify_parts(BODY, &value, Some(TS), now()),
            Ok(()),
            "{value}"
        );
    }
}

#[test]
fn wrong_lengths_keep_their_place_in_the_verification_order() {
    let sig = sign(SECRET, TS, BODY);
    let hex = hex_of(&sig);
    let v = Verifier::new(SECRET);
    let cases = [
        hex[..2].to_owned(),
        hex[..62].to_owned(),
        format!("{hex}00"),
        format!("{hex}{hex}"),
        "0".repeat(1000),
    ];
    for value in &cases {
        for text in [value.clone(), format!("sha256={value}")] {
            assert_eq!(
                v.verify_parts(BODY, &text, Some(TS), now()),
                Err(WebhookError::SignatureMismatch),
                "{text}"
            );
            assert_eq!(
                v.verify_parts(BODY, &text, None, now()),
                Err(WebhookError::TimestampMissing),
                "{text}"
            );
            assert_eq!(
                Verifier::builder()
                    .build()
                    .verify_parts(BODY, &text, Some(TS), now()),
                Err(WebhookError::NoSecret),
                "{text}"
            );
        }
    }
    // Odd lengths are malformed, not mismatched.
    for text in [&hex[..63], &hex[..1], &format!("{hex}0")[..]] {
        assert_eq!(
            v.verify_parts(BODY, text, Some(TS), now()),
            Err(WebhookError::InvalidSignatureFormat),
            "{text}"
        );
    }
}

#[test]
fn a_non_hex_byte_anywhere_is_malformed() {
    let sig = sign(SECRET, TS, BODY);
    let hex = hex_of(&sig).as_bytes().to_vec();
    let v = Verifier::new(SECRET);
    for pos in 0..hex.len() {
        for bad in [b'g', b'G', b'x', b' ', b'-', b'/', b':', b'@', b'`', 0x7f] {
            let mut value = hex.clone();
            value[pos] = bad;
            let text = String::from_utf8(value).expect("ASCII");
            assert_eq!(
                v.verify_parts(BODY, &text, Some(TS), now()),
                Err(WebhookError::InvalidSignatureFormat),
                "{text:?}"
            );
            let wrong_length = format!("{text}00");
            assert_eq!(
                v.verify_parts(BODY, &wrong_length, Some(TS), now()),
                Err(WebhookError::InvalidSignatureFormat),
                "{wrong_length:?}"
            );
        }
    }
}

#[test]
fn several_entries_in_one_value_or_header_are_malformed() {
    let sig = sign(SECRET, TS, BODY);
    let hex = hex_of(&sig);
    let v = Verifier::new(SECRET);
    for value in [
        format!("v1={hex},v1={hex}"),
        format!("v1={hex} v1={hex}"),
        format!("t={TS},v1={hex},v1={hex}"),
        format!("{sig},{sig}"),
        format!("{sig};{sig}"),
        format!("{hex},{hex}"),
    ] {
        assert_eq!(
            v.verify_parts(BODY, &value, Some(TS), now()),
            Err(WebhookError::InvalidSignatureFormat),
            "{value}"
        );
    }
    let mut headers = HeaderMap::new();
    headers.insert(
        SIGNATURE_HEADER,
        HeaderValue::from_str(&sig).expect("ASCII"),
    );
    headers.insert(TIMESTAMP_HEADER, HeaderValue::from_static(TS));
    assert_eq!(v.verify(BODY, &headers, now()), Ok(()));
    headers.append(
        SIGNATURE_HEADER,
        HeaderValue::from_str(&sig).expect("ASCII"),
    );
    assert_eq!(
        v.verify(BODY, &headers, now()),
        Err(WebhookError::InvalidSignatureFormat)
    );
}

#[test]
fn every_one_of_several_secrets_verifies_and_empty_ones_are_skipped() {
    let long = "L".repeat(100); // longer than a SHA-256 block: hashed into the key
    let block = "B".repeat(64);
    let secrets = ["", "whsec_a", long.as_str(), "", block.as_str(), SECRET];
    let v = Verifier::builder().secrets(secrets).build();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        let sig = sign(secret, TS, BODY);
        assert_eq!(
            v.verify_parts(BODY, &sig, Some(TS), now()),
            Ok(()),
            "{secret}"
        );
        assert_eq!(
            v.verify_parts(BODY, &sig, Some("1700000001"), now()),
            Err(WebhookError::SignatureMismatch),
            "{secret}"
        );
    }
    // The empty secret signs nothing that the verifier accepts.
    assert_eq!(
        v.verify_parts(BODY, &sign("", TS, BODY), Some(TS), now()),
        Err(WebhookError::SignatureMismatch)
    );
    // Legacy deliveries go through the same keyed states.
    let legacy = Verifier::builder()
        .secrets(secrets)
        .allow_legacy(true)
        .build();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        assert_eq!(
            legacy.verify_parts(BODY, &sign(secret, "", BODY), None, now()),
            Ok(()),
            "{secret}"
        );
    }
}

#[test]
fn debug_of_a_verifier_with_keyed_states_is_redacted() {
    let long = "whsec_long_".repeat(10);
    let v = Verifier::builder()
        .secret(SECRET)
        .secret(long.as_str())
        .secret("")
        .build();
    let expected = [
        sign(SECRET, TS, BODY),
        sign(&long, TS, BODY),
        sign(SECRET, "", BODY),
    ];
    for text in [
        format!("{v:?}"),
        format!("{v:#?}"),
        format!("{:?}", v.clone()),
    ] {
        assert!(!text.contains("whsec"), "{text}");
        assert!(text.contains("[REDACTED]"), "{text}");
        for sig in &expected {
            assert!(!text.to_lowercase().contains(hex_of(sig)), "{text}");
        }
        // Not even the key bytes in another spelling (a byte list) show up.
        let secret_bytes = format!("{:?}", SECRET.as_bytes());
        assert!(
            !text.contains(&secret_bytes[1..secret_bytes.len() - 1]),
            "{text}"
        );
    }
    // Two keyed states, the empty secret dropped; the settings stay visible.
    let text = format!("{v:?}");
    assert_eq!(text.matches("[REDACTED]").count(), 2, "{text}");
    assert_eq!(
        text,
        "Verifier { secrets: [[REDACTED], [REDACTED]], tolerance: 300s, \
         allow_legacy: false, replay_guard: None }"
    );
}
