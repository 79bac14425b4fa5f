//! Fuzzing on the stable toolchain: property tests that feed arbitrary bytes and strings to
//! every parser that reads what a server, a webhook sender or a user controls, and check that
//! none panics and that each answers within its contract.
//!
//! `cargo test -p amigo-platform-core --test fuzz` is the smoke run (256 cases per target).
//! A long run: `AMIGO_FUZZ_CASES=2000000 cargo test --release -p amigo-platform-core --test
//! fuzz -- --test-threads 1 --nocapture` (each target prints its case count).

use amigo_platform_core::__private::parse_retry_after;
use amigo_platform_core::__private::validate_base_url;
use amigo_platform_core::__private::{body_debug, redact_json, redact_url};
use amigo_platform_core::auth::jwt::{base64url_decode, decode_claims};
use amigo_platform_core::sse::SseDecoder;
use amigo_platform_core::transport::AttemptOutcome;
use amigo_platform_core::webhook::Verifier;
use amigo_platform_core::{
    Config, Error, Operation, OperationCall, RequestOptions, RequestParts, Step, Time,
};
use bytes::Bytes;
use proptest::prelude::*;
use std::time::{Duration, SystemTime};

fn cases() -> u32 {
    std::env::var("AMIGO_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Bytes that look like what the parsers expect often enough to reach their depths.
fn bytes_near(alphabet: &'static [u8]) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..512),
        proptest::collection::vec(proptest::sample::select(alphabet), 0..512),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn sse_decoder_never_panics(chunks in proptest::collection::vec(
        bytes_near(b"data:event:id:retry: \n\r:{}\"ab0123456789"), 0..8)) {
        let mut decoder = SseDecoder::new();
        for chunk in &chunks {
            decoder.feed(chunk);
            // Bounded: each frame consumes input.
            for _ in 0..10_000 {
                if decoder.next_frame().is_none() {
                    break;
                }
            }
        }
        decoder.finish();
    }

    #[test]
    fn webhook_verification_never_panics_and_never_accepts_garbage(
        body in bytes_near(b"{}\"abc:,"),
        signature in "[ -~]{0,200}",
        timestamp in proptest::option::of("[ -~]{0,40}"),
    ) {
        let verifier = Verifier::new("whsec_fuzzing-secret");
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let verified = verifier.verify_parts(&body, &signature, timestamp.as_deref(), now);
        // A random signature never verifies (a forged one would need the secret).
        prop_assert!(verified.is_err());
        let _ = verifier.parse_event(&body, &http::HeaderMap::new(), now);
    }

    #[test]
    fn retry_after_never_panics_and_stays_finite(value in "[ -~]{0,64}") {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        if let Some(d) = parse_retry_after(&value, now) {
            prop_assert!(d <= Duration::from_secs(100 * 365 * 24 * 3600));
        }
    }

    #[test]
    fn jwt_payloads_never_panic(token in "[A-Za-z0-9_\\-\\.=+/]{0,300}") {
        let _ = decode_claims(&token);
        let _ = base64url_decode(&token);
    }

    #[test]
    fn base_url_validation_never_panics(url in "[ -~]{0,120}") {
        if let Ok(valid) = validate_base_url(&url) {
            prop_assert!(valid.starts_with("http://") || valid.starts_with("https://"));
            prop_assert!(!valid.ends_with('/'));
        }
    }

    #[test]
    fn redaction_never_panics_and_hides_secret_keys(
        body in bytes_near(b"{}[]\":,token secret api_key password 01"),
        url in "[ -~]{0,120}",
    ) {
        let shown = body_debug(&body);
        prop_assert!(shown.len() <= body.len() * 6 + 64);
        let _ = redact_url(&url, Some("/s/{token}/x"));
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&body) {
            let hidden = redact_json(&v).to_string();
            prop_assert!(!hidden.contains("\"password\":\"") || hidden.contains("REDACTED"));
        }
    }

    #[test]
    fn any_response_ends_a_call_with_one_typed_outcome(
        status in 100u16..600,
        body in bytes_near(b"{}[]\":,detail message error loc msg type 0123"),
        content_type in prop_oneof![Just("application/json"), Just("text/html"), Just("")],
    ) {
        let outcome = run_call(status, content_type, body);
        // Success only for 2xx with a body that parses.
        if outcome.is_ok() {
            prop_assert!((200..300).contains(&status));
        }
    }
}

/// `GET /v1/{workspace_id}/things` parsing a JSON value.
struct GetThings;

impl Operation for GetThings {
    type Output = serde_json::Value;
    fn method(&self) -> http::Method {
        http::Method::GET
    }
    fn path_template(&self) -> &str {
        "/v1/{workspace_id}/things"
    }
    fn operation_id(&self) -> &str {
        "get-things"
    }
    fn parts(&self) -> Result<RequestParts, Error> {
        Ok(RequestParts::new())
    }
    fn parse(&self, response: http::Response<Bytes>) -> Result<Self::Output, Error> {
        amigo_platform_core::parse::json(response)
    }
}

/// One call answered by `status` and `body` on every attempt (no retries), to its end.
fn run_call(status: u16, content_type: &str, body: Vec<u8>) -> Result<serde_json::Value, Error> {
    let config = Config::builder()
        .api_key("sk-fuzz")
        .workspace_id("ws-1")
        .max_attempts(1)
        .build()
        .expect("config");
    let time = Time::system();
    let mut call = OperationCall::new(GetThings, &config, &RequestOptions::new(), None, 1, time);
    let body = Bytes::from(body);
    // Bounded: one attempt, then the end.
    for _ in 0..8 {
        match call.poll(Time::system()) {
            Step::Send(_) => {
                let mut response = http::Response::builder().status(status);
                if !content_type.is_empty() {
                    response = response.header("content-type", content_type);
                }
                let response = response.body(body.clone()).expect("response");
                call.handle_outcome(AttemptOutcome::Response(response), Time::system());
            }
            Step::Wait(_) => {}
            Step::Done(result) => return result.map(|r| r.data),
            Step::Refresh(_) | Step::Read(_) => {
                panic!("an API key call neither refreshes nor streams")
            }
        }
    }
    panic!("the call did not end in 8 steps")
}
