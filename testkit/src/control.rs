//! An HTTP control plane for out-of-process tests (browsers): seed data, queue faults and read
//! the recorded requests over `/__mock/*`, plus CORS so pages on another origin may call the
//! mock. Enabled with [`MockServer::enable_browser_access`](crate::MockServer::enable_browser_access).
//!
//! | route | body | effect |
//! |---|---|---|
//! | `POST /__mock/seed` | `{"kind":"agents"\|"entities"\|"calls","workspace":"ws","n":25}` | seeds data |
//! | `POST /__mock/fault` | `{"method":"GET","path":"/v1/ws/agents","faults":[FAULT...]}` | queues faults |
//! | `POST /__mock/publish` | `{"workspace":"ws","event_type":"call.started","data":{..}}` | publishes a workspace event |
//! | `POST /__mock/sse_fault` | `{"faults":[{"drop_after":2}, {"drop_mid_event":1}, {"too_many_streams":true}, {"stall_ms":500}]}` | queues event-stream faults |
//! | `POST /__mock/ws_script` | `{"steps":[{"text":".."},{"close":[4403,"no"]},{"sleep_ms":50},{"wait_frames":1},"drop","hang"]}` or `{"reject":401}` | scripts the next WebSocket connection |
//! | `GET /__mock/ws_connections` | — | `[{"path","protocols","rejected","received","client_close","ended"}]` |
//! | `POST /__mock/reset` | — | clears recorded requests and queued faults |
//! | `GET /__mock/requests` | — | `[{"method","path","query","headers":{..}}]` |
//!
//! A FAULT is `{"status":503,"headers":{"retry-after":"1"},"body":"..","delay_ms":200,
//! "stall":[2,500],"reset":true,"hang":true,"pass":true}` (every field optional).

use crate::fault::FaultRule;
use crate::server::{lock, MockBody, Shared};
use crate::Fault;
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::{Request, Response};
use serde_json::{json, Value};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

/// The answer of the control plane: status and JSON body.
pub(crate) type ControlReply = (StatusCode, Bytes);

fn reply(status: StatusCode, v: Value) -> ControlReply {
    (status, Bytes::from(v.to_string()))
}

/// Answers `/__mock/*` requests; `None` for any other path.
pub(crate) fn handle(
    shared: &Shared,
    method: &Method,
    path: &str,
    body: &[u8],
) -> Option<ControlReply> {
    let route = path.strip_prefix("/__mock/")?;
    let input: Value = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(body).unwrap_or(Value::Null)
    };
    Some(match (method.as_str(), route) {
        ("POST", "seed") => {
            let ws = input["workspace"].as_str().unwrap_or("ws-001");
            let n = usize::try_from(input["n"].as_u64().unwrap_or(0))
                .unwrap_or(0)
                .min(100_000);
            let mut store = lock(&shared.store);
            match input["kind"].as_str() {
                Some("agents") => store.seed_agents(ws, n),
                Some("entities") => store.seed_entities(ws, n),
                Some("calls") => store.seed_calls(ws, n),
                _ => {
                    return Some(reply(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        json!({"detail": "unknown kind"}),
                    ))
                }
            }
            reply(StatusCode::OK, json!({"seeded": n}))
        }
        ("POST", "fault") => {
            let method = input["method"]
                .as_str()
                .and_then(|m| m.parse::<Method>().ok());
            let Some(path) = input["path"].as_str() else {
                return Some(reply(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    json!({"detail": "path is required"}),
                ));
            };
            let faults: Vec<Fault> = input["faults"]
                .as_array()
                .map(|a| a.iter().map(fault_from_json).collect())
                .unwrap_or_default();
            let n = faults.len();
            lock(&shared.faults).push(FaultRule {
                method,
                path: Some(path.to_owned()),
                queue: faults.into(),
            });
            reply(StatusCode::OK, json!({"queued": n}))
        }
        ("POST", "publish") => {
            let ws = input["workspace"].as_str().unwrap_or("ws-001");
            let Some(event_type) = input["event_type"].as_str() else {
                return Some(reply(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    json!({"detail": "event_type is required"}),
                ));
            };
            let data = match &input["data"] {
                Value::String(s) => s.clone(),
                Value::Null => "{}".to_owned(),
                v => v.to_string(),
            };
            let id = crate::sse::publish(shared, ws, event_type, &data);
            reply(StatusCode::OK, json!({"id": id}))
        }
        ("POST", "sse_fault") => {
            let faults: Vec<crate::sse::StreamFault> = input["faults"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|f| {
                            let n = |k: &str| f[k].as_u64().and_then(|n| usize::try_from(n).ok());
                            if let Some(n) = n("drop_after") {
                                Some(crate::sse::StreamFault::DropAfter(n))
                            } else if let Some(n) = n("drop_mid_event") {
                                Some(crate::sse::StreamFault::DropMidEvent(n))
                            } else if f["too_many_streams"].as_bool() == Some(true) {
                                Some(crate::sse::StreamFault::TooManyStreams)
                            } else {
                                f["stall_ms"].as_u64().map(|ms| {
                                    crate::sse::StreamFault::Stall(Duration::from_millis(
                                        ms.min(60_000),
                                    ))
                                })
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
            let n = faults.len();
            crate::sse::queue_faults(shared, faults);
            reply(StatusCode::OK, json!({"queued": n}))
        }
        ("POST", "ws_script") => {
            let Some(ws) = lock(&shared.ws).clone() else {
                return Some(reply(
                    StatusCode::CONFLICT,
                    json!({"detail": "no WebSocket mock attached"}),
                ));
            };
            let script = match input["reject"].as_u64().and_then(|s| u16::try_from(s).ok()) {
                Some(status) => crate::ws::WsScript::reject(status),
                None => crate::ws::WsScript::new(
                    input["steps"]
                        .as_array()
                        .map(|a| a.iter().filter_map(ws_step).collect::<Vec<_>>())
                        .unwrap_or_default(),
                ),
            };
            ws.script(script);
            reply(StatusCode::OK, json!({}))
        }
        ("GET", "ws_connections") => {
            let Some(ws) = lock(&shared.ws).clone() else {
                return Some(reply(
                    StatusCode::CONFLICT,
                    json!({"detail": "no WebSocket mock attached"}),
                ));
            };
            let list: Vec<Value> = ws
                .connections()
                .iter()
                .map(|c| json!({"path": c.path, "protocols": c.protocols, "rejected": c.rejected, "received": c.received, "client_close": c.client_close, "ended": c.ended}))
                .collect();
            reply(StatusCode::OK, Value::Array(list))
        }
        ("POST", "reset") => {
            lock(&shared.requests).clear();
            lock(&shared.faults).clear();
            reply(StatusCode::OK, json!({}))
        }
        ("GET", "requests") => {
            let list: Vec<Value> = lock(&shared.requests)
                .iter()
                .filter(|r| !r.path.starts_with("/__mock/"))
                .map(|r| {
                    let headers: serde_json::Map<String, Value> = r
                        .headers
                        .iter()
                        .map(|(k, v)| (k.as_str().to_owned(), Value::String(String::from_utf8_lossy(v.as_bytes()).into_owned())))
                        .collect();
                    json!({"method": r.method.as_str(), "path": r.path, "query": r.query, "headers": headers})
                })
                .collect();
            reply(StatusCode::OK, Value::Array(list))
        }
        _ => reply(
            StatusCode::NOT_FOUND,
            json!({"detail": "unknown control route"}),
        ),
    })
}

fn ws_step(v: &Value) -> Option<crate::ws::WsStep> {
    use crate::ws::WsStep;
    if let Some(t) = v["text"].as_str() {
        return Some(WsStep::text(t));
    }
    if let Some([code, reason]) = v["close"].as_array().map(Vec::as_slice) {
        return Some(WsStep::close(
            code.as_u64().and_then(|c| u16::try_from(c).ok())?,
            reason.as_str().unwrap_or_default(),
        ));
    }
    if let Some(ms) = v["sleep_ms"].as_u64() {
        return Some(WsStep::sleep_ms(ms.min(60_000)));
    }
    if let Some(n) = v["wait_frames"].as_u64() {
        return Some(WsStep::WaitFrames(usize::try_from(n).ok()?));
    }
    match v.as_str() {
        Some("drop") => Some(WsStep::Drop),
        Some("hang") => Some(WsStep::Hang),
        _ => None,
    }
}

fn fault_from_json(v: &Value) -> Fault {
    let mut f = if v["reset"].as_bool() == Some(true) {
        Fault::reset()
    } else if v["hang"].as_bool() == Some(true) {
        Fault::hang()
    } else if let Some(status) = v["status"]
        .as_u64()
        .and_then(|s| u16::try_from(s).ok())
        .filter(|s| (100..=999).contains(s))
    {
        Fault::status(status)
    } else {
        Fault::pass()
    };
    if let Some(headers) = v["headers"].as_object() {
        for (k, val) in headers {
            if let (Some(s), true) = (
                val.as_str(),
                http::HeaderName::from_bytes(k.as_bytes()).is_ok(),
            ) {
                if HeaderValue::from_str(s).is_ok() {
                    f = f.header(k, s);
                }
            }
        }
    }
    if let Some(body) = v["body"].as_str() {
        f = f.body(body.to_owned());
    }
    if let Some(ms) = v["delay_ms"].as_u64() {
        f = f.delay(Duration::from_millis(ms.min(60_000)));
    }
    if let Some([after, ms]) = v["stall"].as_array().map(Vec::as_slice) {
        if let (Some(after), Some(ms)) = (after.as_u64(), ms.as_u64()) {
            f = f.stall_body(
                usize::try_from(after).unwrap_or(0),
                Duration::from_millis(ms.min(60_000)),
            );
        }
    }
    f
}

/// CORS headers for a browser page on any origin, echoing the requested headers.
pub(crate) fn cors_headers(request: &HeaderMap, out: &mut HeaderMap) {
    out.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    out.insert(
        "access-control-expose-headers",
        HeaderValue::from_static("*"),
    );
    out.insert(
        "access-control-allow-methods",
        HeaderValue::from_static("GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS"),
    );
    let allow = request
        .get("access-control-request-headers")
        .cloned()
        .unwrap_or_else(|| HeaderValue::from_static("authorization, content-type"));
    out.insert("access-control-allow-headers", allow);
    out.insert("access-control-max-age", HeaderValue::from_static("600"));
}

/// Whether a request is a CORS preflight.
pub(crate) fn is_preflight(method: &Method, headers: &HeaderMap) -> bool {
    method == Method::OPTIONS && headers.contains_key("access-control-request-method")
}

static STATIC_DIR: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();

/// Serves the files of `dir` under `/app/` (process-wide; first call wins), for example pages.
pub fn serve_static_dir(dir: std::path::PathBuf) {
    let _ = STATIC_DIR.set(dir);
}

fn static_file(path: &str) -> Option<(StatusCode, Bytes, &'static str)> {
    let dir = STATIC_DIR.get()?;
    let rel = path.strip_prefix("/app/")?;
    if rel
        .split('/')
        .any(|seg| seg == ".." || seg.starts_with('.'))
    {
        return Some((StatusCode::NOT_FOUND, Bytes::new(), "text/plain"));
    }
    let rel = if rel.is_empty() { "index.html" } else { rel };
    let kind = match rel.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css",
        _ => "application/octet-stream",
    };
    Some(match std::fs::read(dir.join(rel)) {
        Ok(bytes) => (StatusCode::OK, Bytes::from(bytes), kind),
        Err(_) => (StatusCode::NOT_FOUND, Bytes::new(), "text/plain"),
    })
}

/// The service entry point: the plain mock, or with CORS and the control plane when enabled.
pub(crate) async fn serve(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> std::io::Result<Response<MockBody>> {
    if !shared.browser.load(Ordering::SeqCst) {
        return crate::server::handle(shared, req).await;
    }
    let request_headers = req.headers().clone();
    if is_preflight(req.method(), &request_headers) {
        let mut resp = Response::new(MockBody::full(Bytes::new()));
        *resp.status_mut() = StatusCode::NO_CONTENT;
        cors_headers(&request_headers, resp.headers_mut());
        return Ok(resp);
    }
    if let Some((status, bytes, kind)) = static_file(req.uri().path()) {
        let mut resp = Response::new(MockBody::full(bytes));
        *resp.status_mut() = status;
        resp.headers_mut()
            .insert(http::header::CONTENT_TYPE, HeaderValue::from_static(kind));
        return Ok(resp);
    }
    let mut resp = if req.uri().path().starts_with("/__mock/") {
        let method = req.method().clone();
        let path = req.uri().path().to_owned();
        let body = req
            .into_body()
            .collect()
            .await
            .map_err(std::io::Error::other)?
            .to_bytes();
        let (status, bytes) = handle(&shared, &method, &path, &body)
            .unwrap_or_else(|| reply(StatusCode::NOT_FOUND, json!({"detail": "Not Found"})));
        let mut resp = Response::new(MockBody::full(bytes));
        *resp.status_mut() = status;
        resp.headers_mut().insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        resp
    } else {
        crate::server::handle(shared, req).await?
    };
    cors_headers(&request_headers, resp.headers_mut());
    Ok(resp)
}
