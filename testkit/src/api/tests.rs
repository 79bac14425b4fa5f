//! Unit tests of the in-memory routes' helpers: paging, JSON body errors and the bearer check.

use http::header::{HeaderValue, AUTHORIZATION};
use http::{HeaderMap, StatusCode};
use serde_json::{json, Value};

use super::authorized;
use super::pages::page;
use super::params::{byte_offset, json_object};

#[test]
fn pages_slice_and_report_next() {
    let all: Vec<Value> = (0..5).map(|i| json!(i)).collect();
    let p = page(all.clone(), 0, 2);
    assert_eq!(
        (p.items.len(), p.has_more, p.next, p.total),
        (2, true, Some(2), 5)
    );
    let p = page(all.clone(), 4, 2);
    assert_eq!((p.items.len(), p.has_more, p.next), (1, false, None));
    let p = page(all.clone(), 9, 2);
    assert_eq!((p.items.len(), p.has_more, p.next), (0, false, None));
    let p = page(all, -3, i64::MAX);
    assert_eq!((p.items.len(), p.has_more), (5, false));
}

#[test]
fn json_errors_report_an_offset() {
    assert_eq!(byte_offset(b"{\n  x", 2, 3), 4);
    let Err(reply) = json_object(b"{\"name\": ") else {
        panic!("expected an error");
    };
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = serde_json::from_slice(&reply.body).unwrap_or_default();
    assert_eq!(v["detail"][0]["type"], "json_invalid");
}

#[test]
fn auth_needs_a_bearer_token() {
    let mut h = HeaderMap::new();
    assert!(!authorized(&h));
    for (value, ok) in [
        ("Bearer abc", true),
        ("bearer abc", true),
        ("Bearer ", false),
        ("Bearer   ", false),
        ("Basic abc", false),
        ("Bearer", false),
    ] {
        h.insert(AUTHORIZATION, HeaderValue::from_static(value));
        assert_eq!(authorized(&h), ok, "{value}");
    }
}
