//! The routes the guide examples use beyond the core ones: intake links and their public
//! upload routes ([`intake`](super::intake)), scribe encounter review
//! ([`scribe`](super::scribe)), analytics summaries and world search
//! ([`insights`](super::insights)), surfaces and their public `/s/{token}` routes
//! ([`surfaces`](super::surfaces)). [`handle`] answers them before the core routes and leaves
//! every other path to those.

use std::sync::Mutex;

#[cfg(test)]
use http::header::HeaderValue;
use http::StatusCode;

use super::{authorized, insights, intake, scribe, surfaces, Reply, Req, Store};
use crate::util::{parse_query, percent_decode, rfc3339};
use std::time::{Duration, SystemTime};

/// The in-memory state of these areas, kept in the [`Store`].
#[derive(Debug, Default)]
pub(crate) struct AreaState {
    pub(super) intake: intake::IntakeState,
    pub(super) scribe: scribe::ScribeState,
    pub(super) surfaces: surfaces::SurfaceState,
}

/// What an area route handler gets: the method, the decoded segments after the workspace
/// (or after `/upload`), the query and the body.
pub(super) struct AreaReq<'a> {
    pub(super) req: &'a Req<'a>,
    pub(super) rest: &'a [&'a str],
    pub(super) query: &'a [(String, String)],
}

/// Answers a request of one of these areas; `None` for every other path.
pub(crate) fn handle(store: &Mutex<Store>, req: &Req<'_>) -> Option<Reply> {
    let segs: Vec<String> = req
        .path
        .split('/')
        .skip(1)
        .map(|s| percent_decode(s, false))
        .collect();
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let query = parse_query(req.query);
    let mut store = store.lock().unwrap_or_else(|e| e.into_inner());
    // The first segment says whose routes these are: `/upload/{token}` and `/s/{token}` are
    // public (the token is the credential), `/v1/{ws}` needs an API key.
    let (first, ws, rest) = match segs.as_slice() {
        [first @ ("upload" | "s"), rest @ ..] => (*first, "", rest),
        ["v1", ws, rest @ ..] if !ws.is_empty() => ("v1", *ws, rest),
        _ => return None,
    };
    let area = AreaReq {
        req,
        rest,
        query: &query,
    };
    match first {
        "upload" => return intake::public(&mut store, &area),
        "s" => return surfaces::public(&mut store, &area),
        _ => {}
    }
    let known = intake::knows(rest)
        || scribe::knows(rest)
        || insights::knows(rest)
        || surfaces::knows(rest);
    if !known {
        return None;
    }
    if !authorized(req.headers) {
        return Some(Reply::unauthorized());
    }
    let reply = intake::route(&mut store, ws, &area)
        .or_else(|| scribe::route(&mut store, ws, &area))
        .or_else(|| insights::route(&mut store, ws, &area))
        .or_else(|| surfaces::route(&mut store, ws, &area));
    Some(
        reply
            .unwrap_or_else(|| Reply::detail(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed")),
    )
}

/// When a link or surface created now expires: after `expires_in_hours` of the body (default
/// 168, a week).
pub(super) fn expires_at(
    body: &serde_json::Map<String, serde_json::Value>,
    now: SystemTime,
) -> String {
    let hours = body
        .get("expires_in_hours")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(168);
    rfc3339(now + Duration::from_secs(hours.saturating_mul(3600)))
}

/// The capability token of a link or surface: a prefix and the id's hex digits.
pub(super) fn token_for(prefix: &str, id: &str) -> String {
    format!("{prefix}-{}", id.replace('-', ""))
}

/// Sends one request to [`super::handle`] as an authenticated client (unless `auth` is false).
#[cfg(test)]
pub(super) fn send(
    store: &Mutex<Store>,
    method: http::Method,
    path_and_query: &str,
    extra: &[(&'static str, &str)],
    body: &[u8],
) -> Reply {
    let mut headers = http::HeaderMap::new();
    headers.insert(
        http::header::AUTHORIZATION,
        HeaderValue::from_static("Bearer test-key"),
    );
    for (name, value) in extra {
        match HeaderValue::from_str(value) {
            Ok(v) => {
                headers.insert(*name, v);
            }
            Err(_) => panic!("bad test header {name}"),
        }
    }
    let (path, query) = match path_and_query.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path_and_query, None),
    };
    super::handle(
        store,
        &Req {
            method: &method,
            path,
            query,
            headers: &headers,
            body,
        },
    )
}

/// The JSON body of a reply.
#[cfg(test)]
pub(super) fn body_json(reply: &Reply) -> serde_json::Value {
    serde_json::from_slice(&reply.body).unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::Method;

    #[test]
    fn other_paths_are_left_to_the_core_routes_and_area_paths_need_a_token() {
        let store = Mutex::new(Store::default());
        let no_headers = http::HeaderMap::new();
        let req = |path| Req {
            method: &Method::GET,
            path,
            query: None,
            headers: &no_headers,
            body: b"",
        };
        assert!(handle(&store, &req("/v1/ws-001/agents")).is_none());
        assert!(handle(&store, &req("/health")).is_none());
        let reply = handle(&store, &req("/v1/ws-001/intake/links"));
        assert_eq!(reply.map(|r| r.status), Some(StatusCode::UNAUTHORIZED));
    }
}
