//! A mock identity service for device-code logins, and a webhook sender.
//!
//! [`MockIdentity::start`] binds its own `127.0.0.1` listener (separate from
//! [`MockServer`](crate::MockServer)) and serves:
//!
//! | Method | Path | Default answer |
//! |---|---|---|
//! | `POST` | `/device/code` | an issuance: `device_code`, `user_code` `MOCK-CODE`, `verification_uri(_complete)`, `expires_in` 900, `interval` 0.02 s |
//! | `POST` | `/token` | device grant: 200 with a JWT for `ws1` and refresh token `rt_abc`; refresh grant: 200 with a new JWT scoped to the requested `workspace_id`, lifetime [`MockIdentity::set_refresh_lifetime`] |
//! | `GET` | `/self/profile`, `/self` | `{"workspaces": [...]}` from [`MockIdentity::set_memberships`] |
//!
//! Every answer can be scripted per route with [`IdentityReply`] queues (pending, slow_down,
//! expired, denied, 300 workspace selection, 429 with `Retry-After`, 503, `invalid_grant`, any
//! status, delays); each request pops one reply, and the default answers once the queue is
//! empty. Every request is recorded.
//!
//! ```
//! use amigo_platform_testkit::identity::{form_fields, IdentityReply, MockIdentity};
//! use std::io::{Read, Write};
//!
//! let identity = MockIdentity::start();
//! identity.script_token([IdentityReply::pending()]);
//! let post = |path: &str, body: &str| {
//!     let mut s = std::net::TcpStream::connect(identity.addr()).unwrap();
//!     write!(s, "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n\
//!                Content-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).unwrap();
//!     let mut out = String::new();
//!     s.read_to_string(&mut out).unwrap();
//!     out
//! };
//! assert!(post("/token", "grant_type=device_code&device_code=d").contains("authorization_pending"));
//! assert!(post("/token", "grant_type=device_code&device_code=d").starts_with("HTTP/1.1 200"));
//! let recorded = identity.requests();
//! assert_eq!(form_fields(&recorded[0])[0], ("grant_type".to_owned(), "device_code".to_owned()));
//! ```
//!
//! [`WebhookSender`] signs deliveries with `amigo_platform_core::webhook::sign` and POSTs them
//! to a loopback URL.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use amigo_platform_core::auth::jwt::unsigned_jwt;
use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use serde_json::{json, Value};

use crate::server::lock;
use crate::util::parse_query;
use crate::RecordedRequest;

/// The default workspace of tokens issued by the device grant.
pub const DEFAULT_WORKSPACE: &str = "ws1";
/// The default refresh token issued by the device grant.
pub const DEFAULT_REFRESH_TOKEN: &str = "rt_abc";
/// The user code of the default issuance.
pub const USER_CODE: &str = "MOCK-CODE";

/// One scripted answer of the mock identity service.
#[derive(Debug, Clone)]
pub struct IdentityReply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
    delay: Duration,
}

impl IdentityReply {
    /// A JSON answer.
    pub fn json(status: u16, body: Value) -> Self {
        IdentityReply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }

    /// A plain-text answer.
    pub fn text(status: u16, body: impl Into<String>) -> Self {
        IdentityReply {
            status,
            headers: vec![("content-type".into(), "text/plain".into())],
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    /// An answer with this status and an empty JSON object.
    pub fn status(status: u16) -> Self {
        Self::json(status, json!({}))
    }

    /// Adds a response header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Waits this long before answering.
    pub fn delay(mut self, d: Duration) -> Self {
        self.delay = d;
        self
    }

    fn oauth_error(status: u16, error: &str) -> Self {
        Self::json(status, json!({ "error": error }))
    }

    /// 400 `authorization_pending`.
    pub fn pending() -> Self {
        Self::oauth_error(400, "authorization_pending")
    }
    /// 400 `slow_down`.
    pub fn slow_down() -> Self {
        Self::oauth_error(400, "slow_down")
    }
    /// 400 `expired_token`.
    pub fn expired() -> Self {
        Self::oauth_error(400, "expired_token")
    }
    /// 400 `access_denied`.
    pub fn denied() -> Self {
        Self::oauth_error(400, "access_denied")
    }
    /// 400 `invalid_grant` (a rejected refresh token).
    pub fn invalid_grant() -> Self {
        Self::oauth_error(400, "invalid_grant")
    }
    /// 401 `invalid_grant`.
    pub fn unauthorized() -> Self {
        Self::oauth_error(401, "invalid_grant")
    }
    /// 503 Service Unavailable.
    pub fn unavailable() -> Self {
        Self::text(503, "busy")
    }
    /// 429 with a `Retry-After` value.
    pub fn rate_limited(retry_after: &str) -> Self {
        Self::oauth_error(429, "rate_limited").header("retry-after", retry_after)
    }
    /// 300 `workspace_selection_required` listing these workspace ids.
    pub fn select(workspaces: &[&str], refresh_token: Option<&str>) -> Self {
        let list: Vec<Value> = workspaces
            .iter()
            .map(|w| json!({ "workspace_id": w }))
            .collect();
        let mut body = json!({"error": "workspace_selection_required", "workspaces": list});
        if let Some(r) = refresh_token {
            body["refresh_token"] = json!(r);
        }
        Self::json(300, body)
    }
    /// 200 with an unsigned JWT carrying `claims`, `expires_in` 3600 and an optional refresh token.
    pub fn token(claims: Value, refresh_token: Option<&str>) -> Self {
        let mut body = json!({"access_token": unsigned_jwt(&claims), "token_type": "Bearer",
                              "expires_in": 3600, "scope": "all"});
        if let Some(r) = refresh_token {
            body["refresh_token"] = json!(r);
        }
        Self::json(200, body)
    }
    /// 200 `{"workspaces": [...]}` for the membership routes.
    pub fn memberships(workspaces: &[&str]) -> Self {
        let list: Vec<Value> = workspaces
            .iter()
            .map(|w| json!({ "workspace_id": w }))
            .collect();
        Self::json(200, json!({ "workspaces": list }))
    }
}

#[derive(Debug)]
struct Settings {
    interval: Option<f64>,
    expires_in: f64,
    refresh_lifetime: u64,
    memberships: Vec<String>,
}

#[derive(Debug)]
struct IdShared {
    requests: Mutex<Vec<RecordedRequest>>,
    device_code: Mutex<VecDeque<IdentityReply>>,
    token: Mutex<VecDeque<IdentityReply>>,
    profile: Mutex<VecDeque<IdentityReply>>,
    self_: Mutex<VecDeque<IdentityReply>>,
    settings: Mutex<Settings>,
    issued: AtomicU64,
    base_url: String,
    /// CORS headers on every answer, and preflights answered (see `enable_browser_access`).
    browser: AtomicBool,
}

/// A running mock identity service on `127.0.0.1`; dropping it shuts it down.
pub struct MockIdentity {
    addr: SocketAddr,
    shared: Arc<IdShared>,
    server: crate::runner::Loopback,
}

impl std::fmt::Debug for MockIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockIdentity")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl MockIdentity {
    /// Starts the service on `127.0.0.1` with a free port, in a background thread.
    ///
    /// # Panics
    /// If the port cannot be bound or the runtime cannot be built.
    pub fn start() -> MockIdentity {
        let bound = crate::runner::Bound::bind("amigo-mock-identity", 0);
        let addr = bound.addr();
        let shared = Arc::new(IdShared {
            requests: Mutex::default(),
            device_code: Mutex::default(),
            token: Mutex::default(),
            profile: Mutex::default(),
            self_: Mutex::default(),
            settings: Mutex::new(Settings {
                interval: Some(0.02),
                expires_in: 900.0,
                refresh_lifetime: 3600,
                memberships: vec![DEFAULT_WORKSPACE.to_owned()],
            }),
            issued: AtomicU64::new(0),
            base_url: format!("http://{addr}"),
            browser: AtomicBool::new(false),
        });
        let serve_shared = Arc::clone(&shared);
        let server = bound.serve(move |stream| {
            let shared = Arc::clone(&serve_shared);
            async move {
                let io = hyper_util::rt::TokioIo::new(stream);
                let service =
                    hyper::service::service_fn(move |req| handle(Arc::clone(&shared), req));
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(io, service)
                    .await;
            }
        });
        MockIdentity {
            addr,
            shared,
            server,
        }
    }

    /// How many TCP connections the service has accepted so far.
    pub fn connections(&self) -> u64 {
        self.server.connections()
    }

    /// The base URL, `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// The socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// The recorded requests to one path.
    pub fn requests_to(&self, path: &str) -> Vec<RecordedRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == path)
            .collect()
    }

    /// The recorded `/token` requests whose `grant_type` is `grant` (`device_code`, `refresh_token`).
    pub fn token_requests(&self, grant: &str) -> Vec<RecordedRequest> {
        self.requests_to("/token")
            .into_iter()
            .filter(|r| form_value(r, "grant_type").as_deref() == Some(grant))
            .collect()
    }

    /// Queues answers for `POST /device/code`.
    pub fn script_device_code(&self, replies: impl IntoIterator<Item = IdentityReply>) {
        lock(&self.shared.device_code).extend(replies);
    }

    /// Queues answers for `POST /token` (both grants).
    pub fn script_token(&self, replies: impl IntoIterator<Item = IdentityReply>) {
        lock(&self.shared.token).extend(replies);
    }

    /// Queues answers for `GET /self/profile`.
    pub fn script_profile(&self, replies: impl IntoIterator<Item = IdentityReply>) {
        lock(&self.shared.profile).extend(replies);
    }

    /// Queues answers for `GET /self`.
    pub fn script_self(&self, replies: impl IntoIterator<Item = IdentityReply>) {
        lock(&self.shared.self_).extend(replies);
    }

    /// Sets the issuance `interval` in seconds (fractions allowed; `None` omits the field).
    pub fn set_interval(&self, seconds: Option<f64>) {
        lock(&self.shared.settings).interval = seconds;
    }

    /// Sets the issuance `expires_in` in seconds.
    pub fn set_expires_in(&self, seconds: f64) {
        lock(&self.shared.settings).expires_in = seconds;
    }

    /// Sets the lifetime (JWT `exp` − now) of tokens issued by the refresh grant.
    pub fn set_refresh_lifetime(&self, seconds: u64) {
        lock(&self.shared.settings).refresh_lifetime = seconds;
    }

    /// Lets browser pages on other origins call the service, like
    /// [`MockServer::enable_browser_access`](crate::MockServer::enable_browser_access): CORS
    /// headers on every answer, and preflights answered with 204 (not recorded).
    pub fn enable_browser_access(&self) {
        self.shared.browser.store(true, Ordering::SeqCst);
    }

    /// Sets the memberships listed by `/self/profile` and `/self`.
    pub fn set_memberships(&self, workspaces: &[&str]) {
        lock(&self.shared.settings).memberships =
            workspaces.iter().map(|s| (*s).to_owned()).collect();
    }
}

/// The decoded `application/x-www-form-urlencoded` fields of a recorded request, in order.
pub fn form_fields(request: &RecordedRequest) -> Vec<(String, String)> {
    parse_query(Some(&String::from_utf8_lossy(&request.body)))
}

/// The first value of one form field of a recorded request.
pub fn form_value(request: &RecordedRequest, name: &str) -> Option<String> {
    form_fields(request)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

async fn handle(
    shared: Arc<IdShared>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
    let received_at = Instant::now();
    let browser = shared.browser.load(Ordering::SeqCst);
    if browser && crate::control::is_preflight(req.method(), req.headers()) {
        let mut resp = Response::new(Full::new(Bytes::new()));
        *resp.status_mut() = StatusCode::NO_CONTENT;
        crate::control::cors_headers(req.headers(), resp.headers_mut());
        return Ok(resp);
    }
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    let recorded = RecordedRequest {
        method: parts.method.clone(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts.headers.clone(),
        body,
        received_at,
        version: parts.version,
        encoding: None,
        serial: 0,
    };
    lock(&shared.requests).push(recorded.clone());
    let reply = answer(&shared, &recorded);
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    let mut b = Response::builder()
        .status(StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
    for (k, v) in &reply.headers {
        b = b.header(k.as_str(), v.as_str());
    }
    let mut resp = b
        .body(Full::new(Bytes::from(reply.body)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())));
    if browser {
        crate::control::cors_headers(&parts.headers, resp.headers_mut());
    }
    Ok(resp)
}

fn answer(shared: &IdShared, req: &RecordedRequest) -> IdentityReply {
    let pop = |q: &Mutex<VecDeque<IdentityReply>>| lock(q).pop_front();
    match (&req.method, req.path.as_str()) {
        (&Method::POST, "/device/code") => pop(&shared.device_code).unwrap_or_else(|| {
            let s = lock(&shared.settings);
            let mut body = json!({
                "device_code": format!("mock-device-code-{}", shared.issued.fetch_add(1, Ordering::SeqCst)),
                "user_code": USER_CODE,
                "verification_uri": format!("{}/activate", shared.base_url),
                "verification_uri_complete": format!("{}/activate?user_code={USER_CODE}", shared.base_url),
                "expires_in": s.expires_in,
            });
            if let Some(i) = s.interval {
                body["interval"] = json!(i);
            }
            IdentityReply::json(200, body)
        }),
        (&Method::POST, "/token") => pop(&shared.token).unwrap_or_else(|| {
            let n = shared.issued.fetch_add(1, Ordering::SeqCst);
            if form_value(req, "grant_type").as_deref() == Some("refresh_token") {
                let lifetime = lock(&shared.settings).refresh_lifetime;
                let ws = form_value(req, "workspace_id").unwrap_or_else(|| DEFAULT_WORKSPACE.into());
                IdentityReply::token(
                    json!({"workspace_id": ws, "exp": unix_now() + lifetime, "jti": format!("refreshed-{n}")}),
                    None,
                )
            } else {
                let ws = form_value(req, "workspace_id").unwrap_or_else(|| DEFAULT_WORKSPACE.into());
                IdentityReply::token(
                    json!({"workspace_id": ws, "exp": unix_now() + 3600, "jti": format!("device-{n}")}),
                    Some(DEFAULT_REFRESH_TOKEN),
                )
            }
        }),
        (&Method::GET, "/self/profile") => pop(&shared.profile).unwrap_or_else(|| members(shared)),
        (&Method::GET, "/self") => pop(&shared.self_).unwrap_or_else(|| members(shared)),
        _ => IdentityReply::json(404, json!({"detail": "Not Found"})),
    }
}

fn members(shared: &IdShared) -> IdentityReply {
    let s = lock(&shared.settings);
    let list: Vec<&str> = s.memberships.iter().map(String::as_str).collect();
    IdentityReply::memberships(&list)
}

/// Signs webhook deliveries and POSTs them to a loopback URL.
///
/// ```no_run
/// use amigo_platform_testkit::identity::WebhookSender;
///
/// let sender = WebhookSender::new("whsec_test");
/// let status = sender.send("http://127.0.0.1:8080/hooks", "call.completed", serde_json::json!({"call_id": "c1"}))?;
/// assert_eq!(status, 200);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone)]
pub struct WebhookSender {
    secret: String,
    counter: Arc<AtomicU64>,
}

impl std::fmt::Debug for WebhookSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSender { secret: [REDACTED] }")
    }
}

impl WebhookSender {
    /// A sender signing with `secret`.
    pub fn new(secret: impl Into<String>) -> Self {
        WebhookSender {
            secret: secret.into(),
            counter: Arc::new(AtomicU64::new(0)),
        }
    }

    /// An event envelope `{id, type, timestamp, data}` as JSON bytes.
    pub fn event_body(&self, event_type: &str, data: Value) -> Vec<u8> {
        let n = self.counter.fetch_add(1, Ordering::SeqCst) + 1;
        let ts = crate::util::rfc3339(SystemTime::now());
        json!({"id": format!("evt_{n}"), "type": event_type, "timestamp": ts, "data": data})
            .to_string()
            .into_bytes()
    }

    /// The `x-amigo-signature` and `x-amigo-timestamp` headers for a body and timestamp.
    pub fn signed_headers(&self, body: &[u8], timestamp: &str) -> Vec<(String, String)> {
        vec![
            (
                amigo_platform_core::webhook::SIGNATURE_HEADER.to_string(),
                amigo_platform_core::webhook::sign(&self.secret, timestamp, body),
            ),
            (
                amigo_platform_core::webhook::TIMESTAMP_HEADER.to_string(),
                timestamp.to_owned(),
            ),
        ]
    }

    /// Sends an event of `event_type` signed now; returns the HTTP status of the answer.
    pub fn send(&self, url: &str, event_type: &str, data: Value) -> io::Result<u16> {
        let body = self.event_body(event_type, data);
        self.send_raw(url, &body, &unix_now().to_string())
    }

    /// Sends `body` signed with `timestamp` (any text: tests use stale or malformed ones).
    pub fn send_raw(&self, url: &str, body: &[u8], timestamp: &str) -> io::Result<u16> {
        let headers = self.signed_headers(body, timestamp);
        post_loopback(url, body, &headers)
    }
}

/// POSTs `body` as JSON to a `http://127.0.0.1|localhost|[::1]:PORT/path` URL; returns the status.
pub fn post_loopback(url: &str, body: &[u8], headers: &[(String, String)]) -> io::Result<u16> {
    let invalid = |m: &str| io::Error::new(io::ErrorKind::InvalidInput, m.to_owned());
    let uri: http::Uri = url.parse().map_err(|_| invalid("invalid URL"))?;
    if uri.scheme_str() != Some("http") {
        return Err(invalid("only http:// loopback URLs are supported"));
    }
    let host = uri.host().ok_or_else(|| invalid("URL without host"))?;
    if !matches!(host, "127.0.0.1" | "localhost" | "[::1]" | "::1") {
        return Err(invalid("WebhookSender only sends to loopback addresses"));
    }
    let port = uri.port_u16().unwrap_or(80);
    let connect_host = if host == "localhost" {
        "127.0.0.1"
    } else {
        host.trim_matches(['[', ']'])
    };
    let mut stream = TcpStream::connect((connect_host, port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(10)))?;
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let text = String::from_utf8_lossy(&response);
    text.split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "no HTTP status in the answer"))
}
