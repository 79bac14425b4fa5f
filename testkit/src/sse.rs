//! The mock's server-sent-event endpoints: the workspace event stream with a replay buffer and
//! a stream fault layer, and a scripted turn stream.
//!
//! | Method | Path | Behaviour |
//! |---|---|---|
//! | `GET` | `/v1/{ws}/events/stream` | `retry: 3000`, then `stream.opened` (`id: 0`), then every buffered event of `{ws}` whose id is greater than `Last-Event-ID`, then live events published with [`MockServer::publish_event`]; `: heartbeat <unix>` comments every [`MockServer::set_sse_heartbeat`] (default 15 s) |
//! | `POST` | `/v1/{ws}/conversations/{id}/turns/stream` | the next script queued with [`MockServer::script_turn`], else [`default_turn_script`] |
//!
//! Event ids are Unix epoch milliseconds, strictly increasing; the buffer keeps 5 minutes.
//! [`MockServer::sse_fault`] queues one [`StreamFault`] per connection; the existing
//! [`Fault`](crate::Fault)s (`Fault::status(503)`, ...) still apply to the connect itself.
//!
//! ```
//! use amigo_platform_testkit::{sse::StreamFault, MockServer};
//! let server = MockServer::start();
//! let id = server.publish_event(MockServer::WORKSPACE_ID, "call.started", serde_json::json!({"call_sid": "CA1"}));
//! assert!(id.parse::<u64>().is_ok());
//! server.sse_fault([StreamFault::DropAfter(1)]);
//! ```

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use http::{HeaderMap, Method, StatusCode};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

use crate::server::{lock, Part, Shared};
use crate::MockServer;

/// How long published events stay replayable.
const REPLAY_WINDOW: Duration = Duration::from_secs(300);

/// A scripted misbehaviour of one event-stream connection (one queued fault per connection).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamFault {
    /// Deliver this many business events, then end the body cleanly.
    DropAfter(usize),
    /// Deliver this many business events, then the first half of the next frame, then abort.
    DropMidEvent(usize),
    /// Send `retry` and `stream.opened`, then nothing at all (no heartbeats) for this long, then close.
    Stall(Duration),
    /// Answer with the `too_many_streams` error frame (`max_streams` 50), then close.
    TooManyStreams,
    /// Answer with an error frame of this code and message (`id: 0`), then close.
    ErrorFrame {
        /// The `code` field.
        code: String,
        /// The `message` field.
        message: String,
    },
}

/// One step of a scripted turn-stream body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TurnPart {
    /// Raw bytes, written as one body chunk.
    Data(Bytes),
    /// A pause before the next part.
    Pause(Duration),
}

impl TurnPart {
    /// A data part from text.
    pub fn text(s: &str) -> TurnPart {
        TurnPart::Data(Bytes::copy_from_slice(s.as_bytes()))
    }
}

/// The default turn script: `token`×3, `thinking`, `tool_call_started`, `tool_call_completed`,
/// `message`, `done`, each frame in its own chunk and the first one split across two chunks.
pub fn default_turn_script() -> Vec<TurnPart> {
    let frames = [
        "event: token\ndata: {\"text\":\"Hel\"}\n\n",
        "event: token\ndata: {\"text\":\"lo\"}\n\n",
        "event: token\ndata: {\"text\":\"!\"}\n\n",
        "event: thinking\ndata: {\"tier\":1,\"tier_name\":\"fast\"}\n\n",
        "event: tool_call_started\ndata: {\"call_id\":\"c1\",\"input\":\"{}\",\"tool_name\":\"lookup\"}\n\n",
        "event: tool_call_completed\ndata: {\"call_id\":\"c1\",\"result\":\"ok\",\"succeeded\":true,\"tool_name\":\"lookup\"}\n\n",
        "event: message\ndata: {\"role\":\"agent\",\"text\":\"Hello!\"}\n\n",
        "event: done\ndata: {\"conversation_id\":\"00000000-0000-4000-8000-000000000001\",\"status\":\"active\",\"turn_count\":1}\n\n",
    ];
    let mut parts = vec![
        TurnPart::text(&frames[0][..10]),
        TurnPart::Pause(Duration::from_millis(2)),
        TurnPart::text(&frames[0][10..]),
    ];
    for f in &frames[1..] {
        parts.push(TurnPart::Pause(Duration::from_millis(1)));
        parts.push(TurnPart::text(f));
    }
    parts
}

#[derive(Debug)]
struct Stored {
    ws: String,
    id: u64,
    event: String,
    data: String,
    at: Instant,
}

#[derive(Debug)]
struct Sub {
    ws: String,
    tx: UnboundedSender<Arc<Stored>>,
}

#[derive(Debug)]
struct HubInner {
    buffer: VecDeque<Arc<Stored>>,
    subs: Vec<Sub>,
    faults: VecDeque<StreamFault>,
    last_id: u64,
    heartbeat: Duration,
    connections: u64,
    turn_scripts: VecDeque<Vec<TurnPart>>,
}

/// The SSE state of the mock (lives in the server's shared state).
#[derive(Debug)]
pub(crate) struct SseHub {
    inner: Mutex<HubInner>,
    open_streams: Arc<AtomicUsize>,
    open_turns: Arc<AtomicUsize>,
}

impl SseHub {
    pub(crate) fn new() -> SseHub {
        SseHub {
            inner: Mutex::new(HubInner {
                buffer: VecDeque::new(),
                subs: Vec::new(),
                faults: VecDeque::new(),
                last_id: 0,
                heartbeat: Duration::from_secs(15),
                connections: 0,
                turn_scripts: VecDeque::new(),
            }),
            open_streams: Arc::new(AtomicUsize::new(0)),
            open_turns: Arc::new(AtomicUsize::new(0)),
        }
    }
}

/// Stores an event for replay and sends it to the live streams of `workspace`; returns its id.
pub(crate) fn publish(
    shared: &crate::server::Shared,
    workspace: &str,
    event_type: &str,
    data: &str,
) -> String {
    let hub = &shared.sse;
    let mut inner = lock(&hub.inner);
    let now_ms = epoch_ms();
    let id = now_ms.max(inner.last_id + 1);
    inner.last_id = id;
    let stored = Arc::new(Stored {
        ws: workspace.to_owned(),
        id,
        event: event_type.to_owned(),
        data: data.to_owned(),
        at: Instant::now(),
    });
    prune(&mut inner.buffer);
    inner.buffer.push_back(stored.clone());
    inner
        .subs
        .retain(|s| s.ws != workspace || s.tx.send(stored.clone()).is_ok());
    id.to_string()
}

/// Queues stream faults on a server's shared state.
pub(crate) fn queue_faults(
    shared: &crate::server::Shared,
    faults: impl IntoIterator<Item = StreamFault>,
) {
    lock(&shared.sse.inner).faults.extend(faults);
}

/// Decrements a counter when dropped (a streaming task ended).
struct OpenGuard(Arc<AtomicUsize>);

impl OpenGuard {
    fn new(c: &Arc<AtomicUsize>) -> OpenGuard {
        c.fetch_add(1, Ordering::SeqCst);
        OpenGuard(c.clone())
    }
}

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl MockServer {
    /// Publishes a workspace event: stored for replay (5 minutes) and sent to live streams of
    /// `workspace`. `event_type` goes on the `event:` line and is removed from the JSON, as the
    /// platform does. Returns the event id (Unix epoch milliseconds, strictly increasing).
    pub fn publish_event(
        &self,
        workspace: &str,
        event_type: &str,
        data: serde_json::Value,
    ) -> String {
        let mut data = data;
        if let Some(m) = data.as_object_mut() {
            m.remove("event_type");
        }
        self.publish_raw(workspace, event_type, &data.to_string())
    }

    /// Publishes an event whose `data` is sent verbatim (each line becomes a `data:` line).
    pub fn publish_raw(&self, workspace: &str, event_type: &str, data: &str) -> String {
        publish(&self.shared, workspace, event_type, data)
    }

    /// Queues stream faults, one per future event-stream connection, in order.
    pub fn sse_fault(&self, faults: impl IntoIterator<Item = StreamFault>) {
        lock(&self.shared.sse.inner).faults.extend(faults);
    }

    /// Sets the heartbeat interval of event streams opened from now on (default 15 s).
    pub fn set_sse_heartbeat(&self, every: Duration) {
        lock(&self.shared.sse.inner).heartbeat = every.max(Duration::from_millis(1));
    }

    /// Event-stream connections accepted so far (after authentication).
    pub fn sse_connections(&self) -> u64 {
        lock(&self.shared.sse.inner).connections
    }

    /// Event streams currently being served.
    pub fn sse_open_streams(&self) -> usize {
        self.shared.sse.open_streams.load(Ordering::SeqCst)
    }

    /// Queues a script for the next turn-stream request.
    pub fn script_turn(&self, parts: impl IntoIterator<Item = TurnPart>) {
        lock(&self.shared.sse.inner)
            .turn_scripts
            .push_back(parts.into_iter().collect());
    }

    /// Turn streams currently being served (a dropped client connection ends its stream at the
    /// next write).
    pub fn open_turn_streams(&self) -> usize {
        self.shared.sse.open_turns.load(Ordering::SeqCst)
    }
}

fn epoch_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

fn prune(buffer: &mut VecDeque<Arc<Stored>>) {
    while buffer
        .front()
        .is_some_and(|s| s.at.elapsed() > REPLAY_WINDOW)
    {
        buffer.pop_front();
    }
}

/// What the SSE routes answer.
pub(crate) struct SseReply {
    pub(crate) status: StatusCode,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) body: Bytes,
    pub(crate) live: Option<UnboundedReceiver<Part>>,
}

fn json_reply(status: StatusCode, body: &str) -> SseReply {
    SseReply {
        status,
        headers: vec![(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        body: Bytes::copy_from_slice(body.as_bytes()),
        live: None,
    }
}

fn authorized(headers: &HeaderMap) -> bool {
    headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| !t.trim().is_empty())
}

/// Routes the SSE endpoints; `None` for every other path.
pub(crate) fn route(
    shared: &Arc<Shared>,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
) -> Option<SseReply> {
    let segs: Vec<&str> = path.split('/').collect();
    let (ws, turn) = match segs.as_slice() {
        ["", "v1", ws, "events", "stream"] => (*ws, false),
        ["", "v1", ws, "conversations", _, "turns", "stream"] => (*ws, true),
        _ => return None,
    };
    let allowed = if turn { Method::POST } else { Method::GET };
    if *method != allowed {
        return Some(json_reply(
            StatusCode::METHOD_NOT_ALLOWED,
            r#"{"detail":"Method Not Allowed"}"#,
        ));
    }
    if !authorized(headers) {
        return Some(json_reply(
            StatusCode::UNAUTHORIZED,
            r#"{"detail":"Not authenticated"}"#,
        ));
    }
    let (tx, rx) = unbounded_channel();
    if turn {
        let script = lock(&shared.sse.inner)
            .turn_scripts
            .pop_front()
            .unwrap_or_else(default_turn_script);
        let guard = OpenGuard::new(&shared.sse.open_turns);
        tokio::spawn(async move {
            let _guard = guard;
            for part in script {
                match part {
                    TurnPart::Data(b) => {
                        if tx.send(Part::Data(b)).is_err() {
                            return;
                        }
                    }
                    TurnPart::Pause(d) => {
                        tokio::select! {
                            _ = tokio::time::sleep(d) => {}
                            _ = tx.closed() => return,
                        }
                    }
                }
            }
        });
    } else {
        let last_id = headers
            .get("last-event-id")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let (fault, heartbeat, conn) = {
            let mut inner = lock(&shared.sse.inner);
            inner.connections += 1;
            (inner.faults.pop_front(), inner.heartbeat, inner.connections)
        };
        let guard = OpenGuard::new(&shared.sse.open_streams);
        let shared = shared.clone();
        let ws = ws.to_owned();
        tokio::spawn(async move {
            let _guard = guard;
            serve_events(shared, ws, last_id, fault, heartbeat, conn, tx).await;
        });
    }
    Some(SseReply {
        status: StatusCode::OK,
        headers: vec![
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/event-stream; charset=utf-8"),
            ),
            (
                http::header::CACHE_CONTROL,
                HeaderValue::from_static("no-cache"),
            ),
        ],
        body: Bytes::new(),
        live: Some(rx),
    })
}

fn frame(id: u64, event: &str, data: &str) -> String {
    let mut s = format!("id: {id}\nevent: {event}\n");
    for line in data.split('\n') {
        s.push_str("data: ");
        s.push_str(line);
        s.push('\n');
    }
    s.push('\n');
    s
}

async fn serve_events(
    shared: Arc<Shared>,
    ws: String,
    last_id: Option<u64>,
    fault: Option<StreamFault>,
    heartbeat: Duration,
    conn: u64,
    tx: UnboundedSender<Part>,
) {
    let send = |s: String| tx.send(Part::Data(Bytes::from(s))).is_ok();
    if !send("retry: 3000\n\n".to_owned()) {
        return;
    }
    let opened = format!(
        "{{\"code\":\"ok\",\"connection_id\":\"conn-{conn}\",\"max_streams_per_workspace\":50}}"
    );
    match &fault {
        Some(StreamFault::TooManyStreams) => {
            let data = r#"{"code":"too_many_streams","message":"Too many concurrent streams for this workspace","max_streams":50}"#;
            send(frame(0, "error", data));
            return;
        }
        Some(StreamFault::ErrorFrame { code, message }) => {
            let data = serde_json::json!({"code": code, "message": message}).to_string();
            send(frame(0, "error", &data));
            return;
        }
        _ => {}
    }
    if !send(frame(0, "stream.opened", &opened)) {
        return;
    }
    if let Some(StreamFault::Stall(d)) = &fault {
        tokio::select! {
            _ = tokio::time::sleep(*d) => {}
            _ = tx.closed() => {}
        }
        return;
    }
    let (mut replay, mut live) = {
        let mut inner = lock(&shared.sse.inner);
        prune(&mut inner.buffer);
        let replay: VecDeque<Arc<Stored>> = inner
            .buffer
            .iter()
            .filter(|s| s.ws == ws && last_id.is_none_or(|l| s.id > l))
            .cloned()
            .collect();
        let (etx, erx) = unbounded_channel();
        inner.subs.push(Sub {
            ws: ws.clone(),
            tx: etx,
        });
        (replay, erx)
    };
    let mut delivered = 0usize;
    let mut beat = tokio::time::interval_at(tokio::time::Instant::now() + heartbeat, heartbeat);
    loop {
        let next = match replay.pop_front() {
            Some(e) => e,
            None => tokio::select! {
                e = live.recv() => match e {
                    Some(e) => e,
                    None => return,
                },
                _ = beat.tick() => {
                    let unix = crate::util::unix_now();
                    if !send(format!(": heartbeat {unix}\n")) {
                        return;
                    }
                    continue;
                }
                _ = tx.closed() => return,
            },
        };
        let text = frame(next.id, &next.event, &next.data);
        if let Some(StreamFault::DropMidEvent(n)) = &fault {
            if delivered == *n {
                let half = text.len() / 2;
                let cut = (0..=half)
                    .rev()
                    .find(|i| text.is_char_boundary(*i))
                    .unwrap_or(0);
                send(text[..cut].to_owned());
                let _ = tx.send(Part::Wait(Duration::from_millis(5)));
                let _ = tx.send(Part::Abort);
                return;
            }
        }
        if !send(text) {
            return;
        }
        delivered += 1;
        if let Some(StreamFault::DropAfter(n)) = &fault {
            if delivered >= *n {
                return;
            }
        }
    }
}
