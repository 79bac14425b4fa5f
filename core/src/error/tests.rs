//! The error type's unit tests.
use super::*;

#[test]
fn causes_are_kept_typed_as_the_source() {
    use std::error::Error as _;
    let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "peer reset");
    let e = Error::network_from(TransportErrorKind::ConnectionReset, io);
    assert_eq!(e.message(), "Network error: peer reset");
    assert_eq!(
        e.transport_kind(),
        Some(TransportErrorKind::ConnectionReset)
    );
    let cause = e.source().and_then(|s| s.downcast_ref::<std::io::Error>());
    assert_eq!(
        cause.map(std::io::Error::kind),
        Some(std::io::ErrorKind::ConnectionReset)
    );
    // A cause survives cloning, and Debug names it.
    assert!(e.clone().source().is_some());
    assert!(format!("{e:?}").contains("source"));
    // Text-only constructors have none.
    assert!(Error::network(TransportErrorKind::Read, "eof")
        .source()
        .is_none());

    let json = serde_json::from_str::<u32>("\"x\"").expect_err("not a number");
    let e = crate::call::parse::decode_json::<u32>(b"\"x\"", 200).expect_err("not a number");
    let cause = e
        .source()
        .and_then(|s| s.downcast_ref::<serde_json::Error>());
    assert_eq!(cause.map(ToString::to_string), Some(json.to_string()));

    let webhook = crate::webhook::WebhookError::SignatureMismatch;
    let e = Error::from(webhook.clone());
    assert_eq!(e.kind(), ErrorKind::Webhook);
    let cause = e
        .source()
        .and_then(|s| s.downcast_ref::<crate::webhook::WebhookError>());
    assert_eq!(cause, Some(&webhook));
}

#[test]
fn kind_specific_details_answer_only_for_their_kind() {
    let t = Error::timeout(Duration::from_millis(5), TimeoutScope::Deadline);
    assert_eq!(
        t.timeout_info(),
        Some((Duration::from_millis(5), TimeoutScope::Deadline))
    );
    assert_eq!(
        (t.transport_kind(), t.status(), t.json_path()),
        (None, None, None)
    );
    let d = Error::decode("bad", Some(".a".into()), 201, b"{}");
    assert_eq!(
        (d.status(), d.json_path(), d.raw_body()),
        (Some(201), Some(".a"), Some("{}"))
    );
    assert_eq!(
        (d.timeout_info(), d.error_code(), d.retryable()),
        (None, None, None)
    );
    let s = Error::other(ErrorKind::EventStream, Some("too_many_streams"), "cap")
        .with_retryable(false)
        .with_extra(serde_json::json!({"max_streams": 50}));
    assert_eq!(
        (s.error_code(), s.retryable()),
        (Some("too_many_streams"), Some(false))
    );
    assert_eq!(s.extra(), Some(&serde_json::json!({"max_streams": 50})));
    assert_eq!(s.status(), None);
    // A retry hint does not replace the details of another kind.
    let n = Error::network(TransportErrorKind::Tls, "handshake").with_retryable(true);
    assert_eq!(
        (n.transport_kind(), n.retryable()),
        (Some(TransportErrorKind::Tls), None)
    );
}
use http::{HeaderMap, StatusCode};
use serde_json::json;

/// The capped text as it was computed before: convert the whole body, then cut.
fn cap_text_whole(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let mut end = RAW_BODY_CAP.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

proptest::proptest! {
    #[test]
    fn capped_text_converts_only_the_head_and_matches_whole_conversion(
        prefix in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..16),
        filler in proptest::collection::vec(proptest::sample::select(vec![b'a', 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0xFF]), 8170..8210),
    ) {
        let mut raw = prefix;
        raw.extend_from_slice(&filler);
        proptest::prop_assert_eq!(cap_text(&raw), cap_text_whole(&raw));
    }
}

#[test]
fn an_oversized_error_body_is_kept_as_capped_text_not_parsed() {
    let mut body = br#"{"message":"from the body","detail":"#.to_vec();
    body.push(b'"');
    body.resize(MAX_ERROR_BODY + 10, b'x');
    body.extend_from_slice(b"\"}");
    let e = Error::from_http(meta(500, &[]), None, Some(&body), &[]);
    assert_eq!(e.message(), "Internal Server Error");
    let raw = e
        .body()
        .and_then(|b| b.get("raw_body"))
        .and_then(Value::as_str);
    assert_eq!(raw.map(str::len), Some(RAW_BODY_CAP));
    // At the limit the body is still parsed.
    let mut body = br#"{"message":"from the body","pad":""#.to_vec();
    body.resize(MAX_ERROR_BODY - 2, b'x');
    body.extend_from_slice(b"\"}");
    assert_eq!(body.len(), MAX_ERROR_BODY);
    let e = Error::from_http(meta(500, &[]), None, Some(&body), &[]);
    assert_eq!(e.message(), "from the body");
}

fn meta(status: u16, headers: &[(&str, &str)]) -> ResponseMeta {
    let mut h = HeaderMap::new();
    for (k, v) in headers {
        h.insert(
            http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    ResponseMeta::new(
        StatusCode::from_u16(status).unwrap(),
        h,
        web_time::UNIX_EPOCH,
    )
}

fn err(status: u16, body: &str) -> Error {
    Error::from_http(meta(status, &[]), None, Some(body.as_bytes()), &[])
}

#[test]
fn status_kinds() {
    for (s, k) in [
        (400, ErrorKind::BadRequest),
        (401, ErrorKind::Authentication),
        (403, ErrorKind::Permission),
        (404, ErrorKind::NotFound),
        (409, ErrorKind::Conflict),
        (410, ErrorKind::Gone),
        (413, ErrorKind::PayloadTooLarge),
        (422, ErrorKind::Validation),
        (429, ErrorKind::RateLimited),
        (503, ErrorKind::ServiceUnavailable),
        (500, ErrorKind::Server),
        (501, ErrorKind::Server),
        (599, ErrorKind::Server),
        (402, ErrorKind::Api),
        (405, ErrorKind::Api),
        (300, ErrorKind::Api),
    ] {
        let e = err(s, "");
        assert_eq!(e.kind(), k, "{s}");
        assert_eq!(e.is_server(), s >= 500, "{s}");
        assert_eq!(e.status(), Some(s));
    }
}

#[test]
fn message_derivation() {
    assert_eq!(err(401, r#"{"detail":"token bad"}"#).message(), "token bad");
    let e = err(
        400,
        r#"{"message":"m","detail":"d","error_code":"c","request_id":"r"}"#,
    );
    assert_eq!(
        (e.message(), e.detail(), e.error_code(), e.request_id()),
        ("m", Some("d"), Some("c"), Some("r"))
    );
    let e = err(
        422,
        r#"{"detail":[{"loc":["body","name"],"msg":"field required","type":"missing"},{"loc":["query","limit",0],"msg":"too big","type":"le"},{"msg":"bare"}]}"#,
    );
    assert_eq!(
        e.message(),
        "body.name: field required; query.limit.0: too big; bare"
    );
    assert!(e.is_validation_body() && !e.is_http_exception_body() && !e.is_unparseable_body());
    assert_eq!(e.validation_errors().len(), 3);
    let e = err(409, r#"{"detail":{"a":1}}"#);
    assert_eq!(e.message(), r#"{"a":1}"#);
    assert_eq!(e.detail(), Some(r#"{"a":1}"#));
    assert_eq!(e.body().unwrap()["detail"], json!({"a": 1}));
}

#[test]
fn fallback_shapes() {
    let e = Error::from_http(
        meta(502, &[]),
        Some("Bad Gateway"),
        Some(b"<html>x</html>"),
        &[],
    );
    assert_eq!(
        e.body().unwrap(),
        json!({"detail":"Bad Gateway","raw_body":"<html>x</html>"})
            .as_object()
            .unwrap()
    );
    assert!(e.is_unparseable_body() && !e.is_http_exception_body());
    for body in ["null", "[1,2]", "\"s\"", "3"] {
        let e = err(500, body);
        assert!(e.is_unparseable_body(), "{body}");
        assert_eq!(e.raw_body(), Some(body));
    }
    let e = Error::from_http(meta(500, &[]), Some(""), Some(b""), &[]);
    assert_eq!(e.message(), "Internal Server Error");
    assert_eq!(e.raw_body(), Some(""));
    let e = Error::from_http(meta(599, &[]), Some(""), None, &[]);
    assert_eq!(e.message(), "HTTP 599");
}

#[test]
fn request_id_body_then_header() {
    let m = meta(404, &[("x-request-id", "req-header-123")]);
    let e = Error::from_http(m.clone(), None, Some(br#"{"detail":"Missing agent"}"#), &[]);
    assert_eq!(e.request_id(), Some("req-header-123"));
    let e = Error::from_http(
        m.clone(),
        None,
        Some(br#"{"detail":"x","request_id":5,"error_code":7}"#),
        &[],
    );
    assert_eq!(e.request_id(), Some("req-header-123"));
    assert_eq!(e.error_code(), None);
}

#[test]
fn raw_body_is_capped() {
    let big = "a".repeat(100_000);
    assert_eq!(err(500, &big).raw_body().unwrap().len(), 8192);
    let multi = "é".repeat(5000);
    let capped = err(500, &multi).raw_body().unwrap().len();
    assert!((8190..=8192).contains(&capped));
}

#[test]
fn debug_redacts_secrets() {
    let e = Error::from_http(
        meta(400, &[]),
        None,
        Some(br#"{"detail":"x","access_token":"tok-123","nested":{"api_key":"key-456"}}"#),
        &[],
    )
    .with_context(ErrorContext {
        method: "POST".into(),
        url: "u".into(),
        body: Some("{}".into()),
    });
    let dbg = format!("{e:?} {e}");
    assert!(
        !dbg.contains("tok-123") && !dbg.contains("key-456"),
        "{dbg}"
    );
    assert!(dbg.contains("[REDACTED]"));
    assert_eq!(e.body().unwrap()["access_token"], "tok-123");
    let e = Error::from_http(
        meta(500, &[]),
        None,
        Some(b"oops sk-live-1 leaked"),
        &["sk-live-1"],
    );
    assert!(!format!("{e:?}").contains("sk-live-1"));
}

#[test]
fn non_http_errors_have_false_predicates() {
    let e = Error::network(TransportErrorKind::ConnectionReset, "");
    assert_eq!(e.message(), "Network error: connection reset");
    assert!(!e.is_validation_body() && !e.is_http_exception_body() && !e.is_unparseable_body());
    assert!(e.is_network() && !e.is_server());
    let t = Error::timeout(Duration::from_millis(10), TimeoutScope::Attempt);
    assert_eq!(t.message(), "Request timed out after 10ms");
    assert!(t.is_network() && t.is_timeout());
}
