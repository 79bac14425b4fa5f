//! A mock WebSocket server for the observer and text-stream endpoints.
//!
//! [`MockWs::start`] binds its own listener on `127.0.0.1:0` (separate from [`crate::MockServer`])
//! and serves, from a background thread with its own Tokio runtime:
//!
//! | path | default behaviour |
//! |---|---|
//! | `/v1/{ws}/observers/{call_sid}/ws` | sends [`MockWs::observer_script`] (session start, transcripts, session end), then stays open |
//! | `/agent/text-stream` | `session_started`; each `{"type":"message","text":T}` → `typing` then `{"type":"message","text":"Echo: T"}`; `{"type":"stop"}` → `session_ended` and close 1000 |
//! | `/v1/{ws}/sessions/connect` | stays open and records frames |
//!
//! Any other path is rejected with HTTP 404. A handshake must carry
//! `Sec-WebSocket-Protocol: auth, <token>` with a non-empty token (the text stream also
//! accepts a non-empty `token` query parameter instead), else it is rejected with HTTP 401; the
//! server selects `auth`. [`MockWs::script`] queues a [`WsScript`] for the next connection:
//! scripted frames, sleeps, closes with chosen codes, dropped connections, or a handshake
//! rejection. Every connection is recorded ([`MockWs::connections`]): path and query,
//! subprotocol header, `User-Agent`, the frames received and the client's close code.
//!
//! ```
//! use amigo_platform_testkit::ws::{MockWs, WsScript, WsStep};
//! use std::time::Duration;
//!
//! let ws = MockWs::start();
//! ws.script(WsScript::new([WsStep::text(r#"{"type":"x"}"#), WsStep::close(4403, "forbidden")]));
//! assert!(ws.url("/agent/text-stream").starts_with("ws://127.0.0.1:"));
//! assert_eq!(ws.connection_count(), 0);
//! assert!(!ws.wait_for_connections(1, Duration::from_millis(10)));
//! ```

use futures_util::{SinkExt, StreamExt};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

/// One step of a scripted connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WsStep {
    /// Send a text frame.
    Text(String),
    /// Send a binary frame.
    Binary(Vec<u8>),
    /// Wait this long.
    Sleep(Duration),
    /// Wait until this many frames were received on this connection (at most 5 s).
    WaitFrames(usize),
    /// Send a close frame with this code and reason, then wait briefly for the echo.
    Close(u16, String),
    /// Drop the TCP connection without a close frame (the client sees 1006).
    Drop,
    /// Keep the connection open, doing nothing, until the client closes it.
    Hang,
}

impl WsStep {
    /// A text frame.
    pub fn text(s: impl Into<String>) -> WsStep {
        WsStep::Text(s.into())
    }
    /// A close frame.
    pub fn close(code: u16, reason: impl Into<String>) -> WsStep {
        WsStep::Close(code, reason.into())
    }
    /// A sleep in milliseconds.
    pub fn sleep_ms(ms: u64) -> WsStep {
        WsStep::Sleep(Duration::from_millis(ms))
    }
}

/// A script for one connection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WsScript {
    /// Answer the handshake with this HTTP status instead of 101.
    pub reject: Option<u16>,
    /// The steps, in order; after the last one the connection is closed with 1000 unless a
    /// step closed, dropped or hung.
    pub steps: Vec<WsStep>,
}

impl WsScript {
    /// A script of steps.
    pub fn new(steps: impl IntoIterator<Item = WsStep>) -> WsScript {
        WsScript {
            reject: None,
            steps: steps.into_iter().collect(),
        }
    }
    /// A handshake rejection with an HTTP status (401, 403, 500, ...).
    pub fn reject(status: u16) -> WsScript {
        WsScript {
            reject: Some(status),
            steps: Vec::new(),
        }
    }
}

/// What the server saw on one connection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WsConnection {
    /// The request path and query.
    pub path: String,
    /// The `Sec-WebSocket-Protocol` header, as sent.
    pub protocols: Option<String>,
    /// The `User-Agent` header.
    pub user_agent: Option<String>,
    /// Whether the handshake was rejected.
    pub rejected: Option<u16>,
    /// Text frames received (binary frames as lossy UTF-8), in order.
    pub received: Vec<String>,
    /// The client's close code and reason, if it sent a close frame.
    pub client_close: Option<(u16, String)>,
    /// Whether the connection has ended.
    pub ended: bool,
    /// When the connection was accepted.
    pub at: Option<Instant>,
}

#[derive(Default)]
struct State {
    scripts: VecDeque<WsScript>,
    connections: Vec<WsConnection>,
}

struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        match self.state.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }
    fn update(&self, f: impl FnOnce(&mut State)) {
        f(&mut self.lock());
        self.changed.notify_all();
    }
    fn with_conn(&self, idx: usize, f: impl FnOnce(&mut WsConnection)) {
        self.update(|s| {
            if let Some(c) = s.connections.get_mut(idx) {
                f(c);
            }
        });
    }
}

/// A handle to a [`MockWs`]'s scripts and records, for the HTTP control plane.
#[derive(Clone)]
pub(crate) struct WsScripter(Arc<Shared>);

impl std::fmt::Debug for WsScripter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WsScripter")
    }
}

impl WsScripter {
    /// Queues a script for the next connection.
    pub(crate) fn script(&self, script: WsScript) {
        self.0.update(|s| s.scripts.push_back(script));
    }

    /// Every connection so far.
    pub(crate) fn connections(&self) -> Vec<WsConnection> {
        self.0.lock().connections.clone()
    }
}

/// A running mock WebSocket server; dropping it stops the server.
pub struct MockWs {
    addr: SocketAddr,
    shared: Arc<Shared>,
    _server: crate::runner::Loopback,
}

impl std::fmt::Debug for MockWs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockWs")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl MockWs {
    /// The conventional workspace id.
    pub const WORKSPACE_ID: &'static str = "ws-001";
    /// A call SID in the Twilio format.
    pub const CALL_SID: &'static str = "CA0123456789abcdef0123456789abcdef";
    /// The conventional token (any non-empty token is accepted).
    pub const TOKEN: &'static str = "test-api-key";

    /// Starts the server on `127.0.0.1` with a free port.
    ///
    /// # Panics
    /// If the port cannot be bound or the runtime cannot be built.
    pub fn start() -> MockWs {
        let bound = crate::runner::Bound::bind("amigo-mock-ws", 0);
        let addr = bound.addr();
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
        });
        let serve_shared = Arc::clone(&shared);
        let server = bound.serve(move |stream| serve(stream, Arc::clone(&serve_shared)));
        MockWs {
            addr,
            shared,
            _server: server,
        }
    }

    /// `http://127.0.0.1:PORT`: a `base_url` from which the SDK derives `ws:` URLs.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `ws://127.0.0.1:PORT<path>`.
    pub fn url(&self, path: &str) -> String {
        format!("ws://{}{}", self.addr, path)
    }

    /// The observer URL of [`MockWs::CALL_SID`] in [`MockWs::WORKSPACE_ID`].
    pub fn observer_url(&self) -> String {
        self.url(&format!(
            "/v1/{}/observers/{}/ws",
            Self::WORKSPACE_ID,
            Self::CALL_SID
        ))
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub(crate) fn scripter(&self) -> WsScripter {
        WsScripter(Arc::clone(&self.shared))
    }

    /// Queues a script for the next connection (scripts are used in order).
    pub fn script(&self, script: WsScript) {
        self.shared.update(|s| s.scripts.push_back(script));
    }

    /// Every connection so far, in accept order.
    pub fn connections(&self) -> Vec<WsConnection> {
        self.shared.lock().connections.clone()
    }

    /// How many handshakes were received.
    pub fn connection_count(&self) -> usize {
        self.shared.lock().connections.len()
    }

    /// Waits until at least `n` handshakes were received; false on timeout.
    pub fn wait_for_connections(&self, n: usize, timeout: Duration) -> bool {
        self.wait(timeout, |s| s.connections.len() >= n)
    }

    /// Waits until connection `idx` has ended; false on timeout.
    pub fn wait_ended(&self, idx: usize, timeout: Duration) -> bool {
        self.wait(timeout, |s| s.connections.get(idx).is_some_and(|c| c.ended))
    }

    /// Waits until connection `idx` received at least `n` frames; false on timeout.
    pub fn wait_received(&self, idx: usize, n: usize, timeout: Duration) -> bool {
        self.wait(timeout, |s| {
            s.connections
                .get(idx)
                .is_some_and(|c| c.received.len() >= n)
        })
    }

    fn wait(&self, timeout: Duration, done: impl Fn(&State) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        let mut g = self.shared.lock();
        loop {
            if done(&g) {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            g = match self.shared.changed.wait_timeout(g, deadline - now) {
                Ok((g, _)) => g,
                Err(p) => p.into_inner().0,
            };
        }
    }

    /// The default observer frames: session start, a user transcript, two agent deltas, the
    /// agent transcript and the session end.
    pub fn observer_script() -> Vec<String> {
        let sid = Self::CALL_SID;
        vec![
            format!(r#"{{"type":"session_start","call_sid":"{sid}","session_id":"sess-1","mode":"live"}}"#),
            r#"{"type":"user_transcript","transcript":"Hi, I need to book a visit.","speaker_role":"caller"}"#.into(),
            r#"{"type":"agent_transcript_delta","delta":"Sure, "}"#.into(),
            r#"{"type":"agent_transcript_delta","delta":"what day works?"}"#.into(),
            r#"{"type":"agent_transcript","transcript":"Sure, what day works?","interrupted":false}"#.into(),
            format!(r#"{{"type":"session_end","call_sid":"{sid}","completion_reason":"caller_hangup","duration_s":12.5,"turns":2}}"#),
        ]
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Route {
    Observer,
    TextStream,
    SessionConnect,
    Unknown,
}

fn route(path: &str) -> Route {
    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        ["", "v1", _, "observers", _, "ws"] => Route::Observer,
        ["", "agent", "text-stream"] => Route::TextStream,
        ["", "v1", _, "sessions", "connect"] => Route::SessionConnect,
        _ => Route::Unknown,
    }
}

fn has_query_token(query: Option<&str>) -> bool {
    query.is_some_and(|q| {
        q.split('&')
            .any(|kv| kv.strip_prefix("token=").is_some_and(|v| !v.is_empty()))
    })
}

fn reject(status: u16) -> ErrorResponse {
    let mut r = ErrorResponse::new(Some(format!("{{\"detail\":\"HTTP {status}\"}}")));
    *r.status_mut() =
        http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    r
}

/// What the handshake callback decided: connection index, route and script.
type Decision = Option<(usize, Route, Option<WsScript>)>;

// The callback's error type is fixed by tungstenite's `Callback` trait.
#[allow(clippy::result_large_err)]
async fn serve(stream: TcpStream, shared: Arc<Shared>) {
    let decided: Arc<Mutex<Decision>> = Arc::new(Mutex::new(None));
    let cb_decided = Arc::clone(&decided);
    let cb_shared = Arc::clone(&shared);
    let callback = move |req: &Request, mut resp: Response| -> Result<Response, ErrorResponse> {
        let header = |k: &str| {
            req.headers()
                .get(k)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let protocols = header("sec-websocket-protocol");
        let path = req.uri().path().to_owned();
        let r = route(&path);
        let authed = protocols
            .as_deref()
            .and_then(|p| p.strip_prefix("auth,"))
            .is_some_and(|t| !t.trim().is_empty())
            || (r == Route::TextStream && has_query_token(req.uri().query()));
        let mut script = None;
        let mut idx = 0;
        let mut rejected = None;
        cb_shared.update(|s| {
            script = s.scripts.pop_front();
            rejected = match (&script, r, authed) {
                (
                    Some(WsScript {
                        reject: Some(st), ..
                    }),
                    _,
                    _,
                ) => Some(*st),
                (_, Route::Unknown, _) => Some(404),
                (_, _, false) => Some(401),
                _ => None,
            };
            idx = s.connections.len();
            s.connections.push(WsConnection {
                path: req
                    .uri()
                    .path_and_query()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or(path.clone()),
                protocols: protocols.clone(),
                user_agent: header("user-agent"),
                rejected,
                ended: rejected.is_some(),
                at: Some(Instant::now()),
                ..WsConnection::default()
            });
        });
        if let Some(st) = rejected {
            return Err(reject(st));
        }
        if protocols.is_some() {
            resp.headers_mut().insert(
                "sec-websocket-protocol",
                http::HeaderValue::from_static("auth"),
            );
        }
        if let Ok(mut d) = cb_decided.lock() {
            *d = Some((idx, r, script));
        }
        Ok(resp)
    };
    let Ok(ws) = tokio_tungstenite::accept_hdr_async(stream, callback).await else {
        return;
    };
    let Some((idx, r, script)) = decided.lock().ok().and_then(|mut d| d.take()) else {
        return;
    };
    match script {
        Some(s) => run_script(ws, idx, s.steps, &shared).await,
        None => match r {
            Route::Observer => {
                let steps = MockWs::observer_script()
                    .into_iter()
                    .map(WsStep::Text)
                    .chain([WsStep::Hang])
                    .collect();
                run_script(ws, idx, steps, &shared).await
            }
            Route::TextStream => text_stream(ws, idx, &shared).await,
            _ => run_script(ws, idx, vec![WsStep::Hang], &shared).await,
        },
    }
    shared.with_conn(idx, |c| c.ended = true);
}

fn record(shared: &Shared, idx: usize, msg: &Message) -> bool {
    match msg {
        Message::Text(t) => {
            let t = t.as_str().to_owned();
            shared.with_conn(idx, |c| c.received.push(t));
        }
        Message::Binary(b) => {
            let t = String::from_utf8_lossy(b).into_owned();
            shared.with_conn(idx, |c| c.received.push(t));
        }
        Message::Close(f) => {
            let cc = f
                .as_ref()
                .map(|f| (u16::from(f.code), f.reason.as_str().to_owned()))
                .unwrap_or((1005, String::new()));
            shared.with_conn(idx, |c| c.client_close = Some(cc));
            return false;
        }
        _ => {}
    }
    true
}

async fn run_script(
    ws: WebSocketStream<TcpStream>,
    idx: usize,
    steps: Vec<WsStep>,
    shared: &Arc<Shared>,
) {
    let (mut sink, mut stream) = ws.split();
    let reader_shared = Arc::clone(shared);
    let (done_tx, mut done_rx) = tokio::sync::watch::channel(false);
    let reader = tokio::spawn(async move {
        while let Some(Ok(m)) = stream.next().await {
            if !record(&reader_shared, idx, &m) {
                break;
            }
        }
        let _ = done_tx.send(true);
        stream
    });
    let received = |shared: &Shared| {
        shared
            .lock()
            .connections
            .get(idx)
            .map_or(0, |c| c.received.len())
    };
    let mut finished = false;
    for step in steps {
        match step {
            WsStep::Text(t) => {
                if sink.send(Message::text(t)).await.is_err() {
                    break;
                }
            }
            WsStep::Binary(b) => {
                if sink.send(Message::binary(b)).await.is_err() {
                    break;
                }
            }
            WsStep::Sleep(d) => tokio::time::sleep(d).await,
            WsStep::WaitFrames(n) => {
                let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
                while received(shared) < n && tokio::time::Instant::now() < deadline {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
            WsStep::Close(code, reason) => {
                let frame = CloseFrame {
                    code: CloseCode::from(code),
                    reason: reason.into(),
                };
                let _ = sink.send(Message::Close(Some(frame))).await;
                let _ =
                    tokio::time::timeout(Duration::from_secs(1), done_rx.wait_for(|d| *d)).await;
                finished = true;
                break;
            }
            WsStep::Drop => {
                reader.abort();
                drop(sink);
                return;
            }
            WsStep::Hang => {
                let _ =
                    tokio::time::timeout(Duration::from_secs(30), done_rx.wait_for(|d| *d)).await;
                // Let tungstenite flush its echo of the client's close frame.
                let _ = sink.flush().await;
                finished = true;
                break;
            }
        }
    }
    if !finished {
        let _ = sink
            .send(Message::Close(Some(CloseFrame {
                code: CloseCode::Normal,
                reason: "script finished".into(),
            })))
            .await;
        let _ = tokio::time::timeout(Duration::from_secs(1), done_rx.wait_for(|d| *d)).await;
    }
    let _ = sink.close().await;
    reader.abort();
}

async fn text_stream(mut ws: WebSocketStream<TcpStream>, idx: usize, shared: &Arc<Shared>) {
    let started = serde_json::json!({
        "type": "session_started", "session_id": "sess-1", "conversation_id": "conv-1"
    });
    if ws.send(Message::text(started.to_string())).await.is_err() {
        return;
    }
    while let Some(Ok(m)) = ws.next().await {
        if !record(shared, idx, &m) {
            break;
        }
        let Message::Text(t) = m else { continue };
        let v: serde_json::Value = serde_json::from_str(t.as_str()).unwrap_or_default();
        match v.get("type").and_then(|t| t.as_str()) {
            Some("message") => {
                let text = v.get("text").and_then(|t| t.as_str()).unwrap_or_default();
                let replies = [
                    serde_json::json!({"type": "typing"}),
                    serde_json::json!({"type": "message", "text": format!("Echo: {text}")}),
                ];
                for r in replies {
                    if ws.send(Message::text(r.to_string())).await.is_err() {
                        return;
                    }
                }
            }
            Some("stop") => {
                let ended = serde_json::json!({"type": "session_ended", "reason": "stopped"});
                let _ = ws.send(Message::text(ended.to_string())).await;
                let _ = ws
                    .close(Some(CloseFrame {
                        code: CloseCode::Normal,
                        reason: "session ended".into(),
                    }))
                    .await;
                let _ = tokio::time::timeout(Duration::from_secs(1), async {
                    while let Some(Ok(m)) = ws.next().await {
                        if !record(shared, idx, &m) {
                            break;
                        }
                    }
                })
                .await;
                return;
            }
            _ => {
                let err = serde_json::json!({"type": "error", "message": "unknown frame"});
                let _ = ws.send(Message::text(err.to_string())).await;
            }
        }
    }
}
