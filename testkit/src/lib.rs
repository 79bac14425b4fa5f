//! A mock Amigo Platform REST API server for tests.
//!
//! [`MockServer::start`] binds `127.0.0.1` on a free port and serves HTTP/1.1 from a
//! background thread with its own Tokio runtime, so it works the same from plain
//! `#[test]` functions, `#[tokio::test]` functions, examples and doc-tests. Dropping the
//! [`MockServer`] stops the thread and closes every connection.
//!
//! The server keeps in-memory state per workspace id (any id in the path works;
//! [`MockServer::WORKSPACE_ID`] is the conventional one) for these routes:
//!
//! | Method | Path | Notes |
//! |---|---|---|
//! | `GET`, `POST` | `/v1/{ws}/agents` | token pager: `limit` 1..=20 (default 10), `continuation_token`, `search` |
//! | `GET`, `PUT`, `DELETE` | `/v1/{ws}/agents/{agent_id}` | 404 `{"detail":"Agent not found"}` |
//! | `GET`, `POST` | `/v1/{ws}/agents/{agent_id}/versions` | token pager; `POST` stores any JSON object |
//! | `GET` | `/v1/{ws}/agents/{agent_id}/versions/{version}` | `version` is a number or `latest` |
//! | `GET` | `/v1/{ws}/world/entities` | next-offset pager: `limit` 1..=100 (default 20), `offset`, repeated `entity_type`, `q` |
//! | `GET` | `/v1/{ws}/calls` | token pager: `limit` 1..=100 (default 20), `continuation_token` or `offset`, `status`, `direction` |
//! | `GET` | `/v1/{ws}/calls/{call_id}` | 404 `{"detail":"Call not found"}` |
//! | `GET`, `POST` | `/v1/{ws}/conversations` | derived-offset pager (`limit` 1..=100, default 20; `offset`; `status`); `POST` takes `service_id`, `entity_id`, `auto_greet` (default true: the conversation starts with an agent greeting) |
//! | `GET`, `DELETE` | `/v1/{ws}/conversations/{conversation_id}` | detail with `turns`; `DELETE` closes (204); 404 `{"detail":"Conversation not found"}` |
//! | `POST` | `/v1/{ws}/conversations/{conversation_id}/turns` | `TurnResponse` whose `output` is one agent turn, `You said: <message>`; 409 once closed |
//! | various | `/v1/{ws}/intake/links…`, `/upload/{token}/…`, `/v1/{ws}/scribe/…`, `/v1/{ws}/settings/scribe`, `/v1/{ws}/analytics/dashboard`, `/v1/{ws}/analytics/calls`, `/v1/{ws}/world/search`, `/v1/{ws}/surfaces…`, `/s/{token}/…` | minimal in-memory versions for the guide examples: intake links with public uploads, scribe review and transcription, summaries of the seeded data, world search, surfaces filled in through their public routes |
//! | `GET` | `/v1/{ws}/recordings/{call_sid}/download/{name-<bytes>.wav}` | `audio/wav` of `<bytes>` bytes ([`DEFAULT_DOWNLOAD_LEN`] without a number), generated while it is sent: byte `i` is [`download_byte`]`(i)`; a name containing `missing` is 404 |
//! | `GET` | `/v1/{ws}/intake/links/{link_id}/uploads/{name-<bytes>}/download` | the same, as `application/octet-stream` |
//!
//! Any other path answers 404 `{"detail":"Not Found"}`, a wrong method 405
//! `{"detail":"Method Not Allowed"}`. Known routes need `Authorization: Bearer <token>`
//! with any non-empty token (see [`MockServer::API_KEY`]), else 401
//! `{"detail":"Not authenticated"}`. Bad query parameters and bodies get FastAPI-style 422
//! answers (`{"detail":[{"loc":[...],"msg":...,"type":...}]}`).
//!
//! Every response carries `x-request-id: req-<n>` (n counts requests from 1) and the
//! rate-limit headers `x-ratelimit-limit: 100`, `x-ratelimit-remaining` (one less per
//! request, never below 0) and `x-ratelimit-reset` (Unix seconds).
//!
//! [`MockServer::fault`] and [`MockServer::fault_all`] queue [`Fault`]s: status codes,
//! custom headers, bodies and reason phrases, delays, stalled or truncated bodies, reset
//! or hanging connections. Every request is recorded; see [`MockServer::requests`].
//!
//! # Example
//!
//! A blocking test; the SDK clients are used the same way, with
//! [`MockServer::base_url`] as their base URL and [`MockServer::API_KEY`] as their key.
//!
//! ```
//! use std::io::{Read, Write};
//! use std::net::TcpStream;
//!
//! use amigo_platform_testkit::{Fault, MockServer};
//!
//! let server = MockServer::start();
//! server.seed_agents(MockServer::WORKSPACE_ID, 3);
//! // The first request to the agent list fails with 503; the next one is answered normally.
//! server.fault(http::Method::GET, "/v1/{ws}/agents", [Fault::status(503)]);
//!
//! let get = |path: &str| -> String {
//!     let mut stream = TcpStream::connect(server.addr()).expect("connect");
//!     let request = format!(
//!         "GET {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n",
//!         server.addr(),
//!         MockServer::API_KEY,
//!     );
//!     stream.write_all(request.as_bytes()).expect("write");
//!     let mut response = String::new();
//!     stream.read_to_string(&mut response).expect("read");
//!     response
//! };
//!
//! let path = format!("/v1/{}/agents?limit=2", MockServer::WORKSPACE_ID);
//! assert!(get(&path).starts_with("HTTP/1.1 503 Service Unavailable"));
//! let ok = get(&path);
//! assert!(ok.starts_with("HTTP/1.1 200 OK"));
//! assert!(ok.contains(r#""total":3"#));
//!
//! let recorded = server.requests();
//! assert_eq!(recorded.len(), 2);
//! assert_eq!(recorded[1].uri(), path);
//! assert_eq!(recorded[1].header("authorization"), Some("Bearer test-api-key"));
//! ```
//!
//! In an async test nothing changes: `MockServer::start()` does not need (or use) the
//! caller's runtime.

#![warn(missing_docs)]

mod api;
pub mod connect_proxy;
mod control;
mod encoding;
pub use control::serve_static_dir;
pub use encoding::{Compression, COMPRESS_AT_LEAST};
mod fault;
pub mod identity;
pub mod proxy;
mod runner;
mod server;
pub mod sse;
pub mod tls;
mod util;
pub mod ws;

#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http::{HeaderMap, Method};

pub use api::download::{download_byte, download_pattern, DEFAULT_DOWNLOAD_LEN, DOWNLOAD_PERIOD};
pub use fault::{Fault, HANG_LIMIT};
pub use proxy::{FaultProxy, ProxyFault};

use fault::FaultRule;
use server::{lock, Shared};

/// A running mock Amigo Platform server on `127.0.0.1`; dropping it shuts the server down.
pub struct MockServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: runner::Loopback,
    tls: Option<tls::TlsFront>,
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl MockServer {
    /// The workspace id the conventional seeded data lives in (any workspace id in a path works).
    pub const WORKSPACE_ID: &'static str = "ws-001";

    /// The documented API key; the server accepts any non-empty Bearer token.
    pub const API_KEY: &'static str = "test-api-key";

    /// Starts a server on `127.0.0.1` with a free port, in a background thread.
    ///
    /// # Panics
    /// If the port cannot be bound (or, practically never, if the runtime cannot be built).
    pub fn start() -> MockServer {
        Self::start_on_port(0)
    }

    /// Starts on a chosen loopback port (0 picks a free one); panics only if the bind fails.
    pub fn start_on_port(port: u16) -> MockServer {
        let bound = runner::Bound::bind("amigo-mock", port);
        let addr = bound.addr();
        let shared = Arc::new(Shared::new());
        let serve_shared = Arc::clone(&shared);
        let server =
            bound.serve(move |stream| server::serve_connection(stream, Arc::clone(&serve_shared)));
        MockServer {
            addr,
            shared,
            server,
            tls: None,
        }
    }

    /// Starts a server reached over TLS ([`tls::TlsFront`], certificate [`tls::CERT_PEM`]):
    /// [`base_url`](Self::base_url) is `https://127.0.0.1:PORT` and [`addr`](Self::addr) the
    /// TLS address.
    pub fn start_tls() -> MockServer {
        let mut server = Self::start();
        server.tls = Some(tls::TlsFront::start(server.addr));
        server
    }

    /// The base URL, `http://127.0.0.1:PORT`, without a trailing slash.
    /// Lets browser pages on other origins call the mock: CORS headers on every response,
    /// preflights answered, and the `/__mock/*` control plane (seed, fault, reset, requests).
    pub fn enable_browser_access(&self) {
        self.shared
            .browser
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Lets the `/__mock/ws_script` and `/__mock/ws_connections` control routes drive `ws`.
    pub fn attach_ws(&self, ws: &crate::ws::MockWs) {
        *lock(&self.shared.ws) = Some(ws.scripter());
    }

    /// The base URL, `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        match &self.tls {
            Some(front) => front.base_url(),
            None => format!("http://{}", self.addr),
        }
    }

    /// The base URL joined with `path` (which should start with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url(), path)
    }

    /// The socket address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.tls.as_ref().map_or(self.addr, tls::TlsFront::addr)
    }

    /// How many TCP connections the server has accepted so far (keep-alive reuse shows as
    /// fewer connections than requests).
    pub fn connections(&self) -> u64 {
        self.server.connections()
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// How the normal handler's responses are compressed (default
    /// [`Compression::Preferred`]: brotli or gzip, whichever the request accepts, for bodies
    /// of at least [`COMPRESS_AT_LEAST`] bytes); [`Compression::Off`] serves every body as is.
    pub fn compression(&self, mode: Compression) {
        self.shared.compression.set(mode);
    }

    /// Forgets the recorded requests (request ids and the rate-limit counter keep counting).
    pub fn clear_requests(&self) {
        lock(&self.shared.requests).clear();
    }

    /// Queues faults for requests with this method whose raw path (without query) equals `path` or matches it as a template where `{x}` stands for one segment.
    ///
    /// Each matching request pops one fault; once the queue is empty the normal handler
    /// answers again. Queues are consulted in the order they were first registered;
    /// calling this again with the same method and path appends to the existing queue.
    pub fn fault(&self, method: Method, path: &str, faults: impl IntoIterator<Item = Fault>) {
        self.push_faults(Some(method), Some(path.to_owned()), faults);
    }

    /// Queues faults for the next requests on any route and with any method.
    pub fn fault_all(&self, faults: impl IntoIterator<Item = Fault>) {
        self.push_faults(None, None, faults);
    }

    /// Drops every queued fault.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    fn push_faults(
        &self,
        method: Option<Method>,
        path: Option<String>,
        faults: impl IntoIterator<Item = Fault>,
    ) {
        let mut rules = lock(&self.shared.faults);
        match rules
            .iter_mut()
            .find(|r| r.method == method && r.path == path)
        {
            Some(rule) => rule.queue.extend(faults),
            None => rules.push(FaultRule {
                method,
                path,
                queue: faults.into_iter().collect(),
            }),
        }
    }

    /// Creates `n` agents named `agent-1`, `agent-2`, … (numbering on from existing agents) with UUID-like ids.
    pub fn seed_agents(&self, workspace: &str, n: usize) {
        lock(&self.shared.store).seed_agents(workspace, n);
    }

    /// Creates `n` world entities named `entity-1`, … whose `entity_type` cycles through `patient`, `practitioner`, `organization`.
    pub fn seed_entities(&self, workspace: &str, n: usize) {
        lock(&self.shared.store).seed_entities(workspace, n);
    }

    /// Creates `n` completed inbound calls with UUID-like ids (`entity_id` in the list, `id` in the detail).
    pub fn seed_calls(&self, workspace: &str, n: usize) {
        lock(&self.shared.store).seed_calls(workspace, n);
    }
}

/// One request as the server received it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// The request method.
    pub method: Method,
    /// The raw path, still percent-encoded, without the query.
    pub path: String,
    /// The raw query string (without `?`), if the request had one.
    pub query: Option<String>,
    /// All request headers.
    pub headers: HeaderMap,
    /// The full request body.
    pub body: Bytes,
    /// When the server started handling the request.
    pub received_at: Instant,
    /// The HTTP version the request came in (HTTP/1.1, or HTTP/2 over h2c).
    pub version: http::Version,
    /// The `Content-Encoding` the mock served the response in (`gzip`, `br`), or `None` for
    /// a body served as is. Set once the response is built.
    pub encoding: Option<&'static str>,
    /// The server's request number (the `N` of `x-request-id: req-N`; 0 on the identity
    /// service).
    pub(crate) serial: u64,
}

impl RecordedRequest {
    /// The first value of a header (name case-insensitive), if present and valid text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The path followed by `?query` when there is a query.
    pub fn uri(&self) -> String {
        match &self.query {
            Some(q) => format!("{}?{}", self.path, q),
            None => self.path.clone(),
        }
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}
