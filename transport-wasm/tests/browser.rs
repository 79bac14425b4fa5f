//! Browser tests: the wasm client in headless Chromium against the testkit mock server.
//!
//! Run by `.ci/wasm`, which starts `amigo-mock` on 127.0.0.1 and passes its URL in
//! `AMIGO_MOCK_URL` at compile time (the WebSocket mock in `AMIGO_MOCK_WS_URL`, the identity
//! mock in `AMIGO_MOCK_IDENTITY_URL`). Each test uses its own workspace id, so state never leaks.

#![cfg(target_arch = "wasm32")]

use amigo_platform_api::conversations::{created_conversation_id, SendMessageRequest};
use amigo_platform_api::models::CreateAgentRequest;
use amigo_platform_api::ApiExt;
use amigo_platform_core::{Config, ErrorKind, RawData};
use amigo_platform_wasm::Client;
use serde_json::{json, Value};
use std::time::Duration;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const MOCK: Option<&str> = option_env!("AMIGO_MOCK_URL");
const IDENTITY: Option<&str> = option_env!("AMIGO_MOCK_IDENTITY_URL");

fn client(ws: &str) -> Option<Client> {
    let Some(base) = MOCK else {
        web_sys_log("AMIGO_MOCK_URL was not set at compile time: skipping");
        return None;
    };
    let config = Config::builder()
        .api_key("test-api-key")
        .workspace_id(ws)
        .base_url(base)
        .base_delay(Duration::from_millis(5))
        .max_delay(Duration::from_millis(20))
        .build()
        .expect("config");
    Some(Client::new(config))
}

fn web_sys_log(msg: &str) {
    wasm_bindgen_test::console_log!("{msg}");
}

async fn control(client: &Client, path: &str, body: Value) -> Value {
    match client.post(path).json(&body).await.expect("control call") {
        RawData::Json(v) => v,
        other => panic!("unexpected control answer {other:?}"),
    }
}

async fn requests(client: &Client, path_suffix: &str) -> usize {
    let RawData::Json(Value::Array(list)) = client.get("/__mock/requests").await.expect("requests")
    else {
        panic!("requests list expected")
    };
    list.iter()
        .filter(|r| r["path"].as_str().is_some_and(|p| p.ends_with(path_suffix)))
        .count()
}

#[wasm_bindgen_test]
async fn lists_and_auto_pages() {
    let Some(c) = client("ws-wasm-list") else {
        return;
    };
    control(
        &c,
        "/__mock/seed",
        json!({"kind": "agents", "workspace": "ws-wasm-list", "n": 25}),
    )
    .await;
    let first = c
        .api()
        .agents()
        .list()
        .limit(10)
        .send_with_meta()
        .await
        .expect("list");
    assert_eq!(first.data.items.len(), 10);
    assert_eq!(first.data.total, Some(25));
    assert!(first.meta.request_id.is_some(), "exposed by CORS");
    let all = c
        .api()
        .agents()
        .list()
        .limit(10)
        .auto_paging()
        .send()
        .try_collect()
        .await
        .expect("pages");
    assert_eq!(all.len(), 25);
    assert_eq!(all[24].name, "agent-25");
}

#[wasm_bindgen_test]
async fn creates_and_maps_errors() {
    let Some(c) = client("ws-wasm-create") else {
        return;
    };
    let body = CreateAgentRequest::new("Browser agent");
    let created = c.api().agents().create(body).await.expect("create");
    assert_eq!(
        c.api().agents().get(&created.id).await.expect("get").name,
        "Browser agent"
    );
    let err = c.api().agents().get("missing").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.message(), "Agent not found");
    let nameless = CreateAgentRequest::new("");
    let err = c.api().agents().create(nameless).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
}

#[wasm_bindgen_test]
async fn send_message_creates_then_turns_and_names_a_kept_conversation() {
    let Some(c) = client("ws-wasm-chat") else {
        return;
    };
    let chat = c.api().conversations();
    let reply = chat
        .send_message(SendMessageRequest::new("svc-1", "Hi"))
        .await
        .expect("send_message");
    assert_eq!(reply.messages.len(), 1);
    assert_eq!(reply.messages[0].text, "You said: Hi");
    assert_eq!(requests(&c, "/ws-wasm-chat/conversations").await, 1);
    let turns = format!("/{}/turns", reply.conversation_id);
    assert_eq!(requests(&c, &turns).await, 1);
    let again = chat
        .send_message(
            SendMessageRequest::new("svc-1", "Again").conversation_id(&reply.conversation_id),
        )
        .await
        .expect("continue");
    assert_eq!(again.conversation_id, reply.conversation_id);
    assert_eq!(
        requests(&c, "/ws-wasm-chat/conversations").await,
        1,
        "no second create"
    );
    assert_eq!(requests(&c, &turns).await, 2);

    control(
        &c,
        "/__mock/fault",
        json!({"method": "POST", "path": "/v1/ws-wasm-chat/conversations/{id}/turns", "faults": [{"status": 400}]}),
    )
    .await;
    let err = chat
        .send_message(SendMessageRequest::new("svc-1", "Fails"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadRequest);
    let id = created_conversation_id(&err).expect("the new conversation is named");
    let kept = chat.get(id).await.expect("not closed");
    assert_eq!(kept.status.to_string(), "active");
}

#[wasm_bindgen_test]
async fn retries_after_503() {
    let Some(c) = client("ws-wasm-retry") else {
        return;
    };
    control(
        &c,
        "/__mock/fault",
        json!({"method": "GET", "path": "/v1/ws-wasm-retry/agents", "faults": [{"status": 503}]}),
    )
    .await;
    let page = c.api().agents().list().await.expect("retried");
    assert!(page.items.is_empty());
    assert_eq!(requests(&c, "/ws-wasm-retry/agents").await, 2);
}

#[wasm_bindgen_test]
async fn attempt_timeout() {
    let Some(c) = client("ws-wasm-timeout") else {
        return;
    };
    control(&c, "/__mock/fault", json!({"method": "GET", "path": "/v1/ws-wasm-timeout/agents", "faults": [{"pass": true, "delay_ms": 3000}]})).await;
    let err = c
        .api()
        .agents()
        .list()
        .timeout(Duration::from_millis(100))
        .max_retries(0)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(err.message(), "Request timed out after 100ms");
}

/// An error body is read only up to its cap, counted as it arrives: a 500 whose body goes on
/// past the cap and then stalls fails at once with its status, not with the timeout.
#[wasm_bindgen_test]
async fn error_body_is_read_only_up_to_its_cap() {
    let Some(c) = client("ws-wasm-cap") else {
        return;
    };
    let cap = amigo_platform_core::MAX_ERROR_BODY;
    let fault = json!({"status": 500, "body": "x".repeat(2 * cap), "stall": [cap + 4096, 8000]});
    control(
        &c,
        "/__mock/fault",
        json!({"method": "GET", "path": "/v1/ws-wasm-cap/agents", "faults": [fault]}),
    )
    .await;
    let started = web_time::Instant::now();
    let err = c
        .api()
        .agents()
        .list()
        .timeout(Duration::from_secs(6))
        .max_retries(0)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(500), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
}

#[wasm_bindgen_test]
async fn dropping_the_future_aborts_the_request() {
    let Some(c) = client("ws-wasm-drop") else {
        return;
    };
    control(
        &c,
        "/__mock/fault",
        json!({"method": "GET", "path": "/v1/ws-wasm-drop/agents", "faults": [{"hang": true}]}),
    )
    .await;
    let started = web_time::Instant::now();
    {
        let pending = c.api().agents().list().send();
        let sleep = wasm_timer(150);
        futures_race(pending, sleep).await;
    }
    assert!(started.elapsed() < Duration::from_secs(2));
    // The connection was aborted: the next call on the same client goes through at once.
    let page = c
        .api()
        .agents()
        .list()
        .timeout(Duration::from_secs(2))
        .await
        .expect("after abort");
    assert!(page.items.is_empty());
}

async fn wasm_timer(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        let global = js_sys::global();
        let f: js_sys::Function = js_sys::Reflect::get(&global, &"setTimeout".into())
            .expect("setTimeout")
            .into();
        let _ = f.call2(&global, &resolve, &ms.into());
    });
    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
}

async fn futures_race<A: std::future::Future, B: std::future::Future>(a: A, b: B) {
    let mut a = std::pin::pin!(a);
    let mut b = std::pin::pin!(b);
    std::future::poll_fn(|cx| {
        if a.as_mut().poll(cx).is_ready() || b.as_mut().poll(cx).is_ready() {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await
}

#[wasm_bindgen_test]
async fn sse_resumes_after_a_dropped_connection() {
    use amigo_platform_core::sse::{SseOptions, StreamState};
    use amigo_platform_wasm::sse::{subscribe, StreamItem};
    let Some(c) = client("ws-wasm-sse") else {
        return;
    };
    // The first connection drops after two events; the client must resume with Last-Event-ID.
    control(
        &c,
        "/__mock/sse_fault",
        json!({"faults": [{"drop_after": 2}]}),
    )
    .await;
    for n in 1..=4 {
        control(&c, "/__mock/publish", json!({"workspace": "ws-wasm-sse", "event_type": "call.started", "data": {"call_sid": format!("CA{n}")}})).await;
    }
    let options = SseOptions::new()
        .delays(Duration::from_millis(10), Duration::from_millis(50))
        .last_event_id("0");
    let mut sub = subscribe(&c, options);
    let mut seen = Vec::new();
    let mut reconnects = 0;
    while seen.len() < 4 {
        match sub.next_item().await {
            Some(Ok(StreamItem::Event(e))) => {
                seen.push(e.data["call_sid"].as_str().unwrap_or_default().to_owned())
            }
            Some(Ok(StreamItem::State(StreamState::Reconnecting { .. }))) => reconnects += 1,
            Some(Ok(StreamItem::State(_))) => {}
            Some(Err(e)) => panic!("stream error {e:?}"),
            None => panic!("stream ended early"),
        }
    }
    sub.close();
    assert_eq!(
        seen,
        vec!["CA1", "CA2", "CA3", "CA4"],
        "every event once, in order"
    );
    assert_eq!(reconnects, 1);
    let RawData::Json(Value::Array(list)) = c.get("/__mock/requests").await.expect("requests")
    else {
        panic!()
    };
    let streams: Vec<&Value> = list
        .iter()
        .filter(|r| {
            r["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("/ws-wasm-sse/events/stream"))
        })
        .collect();
    assert_eq!(streams.len(), 2);
    assert!(
        streams[1]["headers"]["last-event-id"]
            .as_str()
            .is_some_and(|id| id != "0"),
        "resumed from the last business event"
    );
}

#[wasm_bindgen_test]
async fn websocket_close_4403_is_terminal_auth() {
    use amigo_platform_core::ws::{
        WsConnect, WsDriverOptions, WsErrorInfo, WsEvent, WsMessage, WsOptions, WsSession,
    };
    let Some(c) = client("ws-wasm-socket") else {
        return;
    };
    let Some(ws_base) = option_env!("AMIGO_MOCK_WS_URL") else {
        web_sys_log("AMIGO_MOCK_WS_URL was not set at compile time: skipping");
        return;
    };
    control(
        &c,
        "/__mock/ws_script",
        json!({"steps": [{"text": "{\"type\":\"hello\"}"}, {"close": [4403, "forbidden"]}]}),
    )
    .await;
    let url = format!(
        "{}/v1/ws-001/observers/CA0123456789abcdef0123456789abcdef/ws",
        ws_base.replacen("http://", "ws://", 1)
    );
    let target = WsConnect::new(url, vec!["auth".into(), "test-api-key".into()]);
    let options = WsOptions::default().initial_delay(Duration::from_millis(10));
    let session = WsSession::new(target, options, 7);
    let mut stream = amigo_platform_wasm::ws::WsStream::drive(session, WsDriverOptions::default());
    let mut messages = Vec::new();
    let mut terminal = None;
    while let Some(item) = stream.next_event().await {
        match item {
            Ok(WsEvent::Message(WsMessage::Text(t))) => messages.push(t),
            Ok(WsEvent::Reconnecting(r)) => panic!("4403 must not reconnect: {r:?}"),
            Ok(_) => {}
            Err(e) => terminal = Some(e),
        }
    }
    assert_eq!(messages, vec![r#"{"type":"hello"}"#.to_owned()]);
    let err = terminal.expect("a terminal error");
    let info = WsErrorInfo::from_error(&err).expect("typed WebSocket error");
    assert_eq!(info.close_code, Some(4403));
    assert_eq!(err.error_code(), Some("auth"));
    let RawData::Json(Value::Array(conns)) =
        c.get("/__mock/ws_connections").await.expect("connections")
    else {
        panic!()
    };
    assert_eq!(conns.len(), 1, "no reconnect after 4403");
    assert_eq!(
        conns[0]["protocols"], "auth, test-api-key",
        "auth travels in the subprotocol list"
    );
}

#[wasm_bindgen_test]
async fn turn_stream_delivers_every_event_in_order() {
    use amigo_platform_core::sse::TurnEvent;
    let Some(c) = client("ws-wasm-turn") else {
        return;
    };
    let mut turn = amigo_platform_wasm::sse::stream_turn_with(
        &c,
        "conv-1",
        &serde_json::json!({"message": "hi"}),
        Some(true),
        Default::default(),
    );
    let mut kinds = Vec::new();
    while let Some(event) = turn.next_item().await {
        let event = event.expect("turn event");
        kinds.push(match event {
            TurnEvent::Token(_) => "token",
            TurnEvent::Thinking(_) => "thinking",
            TurnEvent::ToolCallStarted(_) => "tool_call_started",
            TurnEvent::ToolCallCompleted(_) => "tool_call_completed",
            TurnEvent::Message(_) => "message",
            TurnEvent::Done(_) => "done",
            _ => "other",
        });
    }
    assert_eq!(
        kinds,
        [
            "token",
            "token",
            "token",
            "thinking",
            "tool_call_started",
            "tool_call_completed",
            "message",
            "done"
        ]
    );
    let RawData::Json(Value::Array(list)) = c.get("/__mock/requests").await.expect("requests")
    else {
        panic!()
    };
    let posts: Vec<&Value> = list
        .iter()
        .filter(|r| {
            r["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("/turns/stream"))
        })
        .collect();
    assert_eq!(posts.len(), 1, "never re-posted");
    assert_eq!(posts[0]["query"], "include_tool_calls=true");
}

#[wasm_bindgen_test]
fn relative_base_url_is_allowed_in_browsers() {
    let config = Config::builder()
        .api_key("k")
        .workspace_id("ws")
        .base_url("/api/")
        .build()
        .expect("relative base");
    assert_eq!(config.base_url(), "/api");
    assert!(Config::builder()
        .api_key("k")
        .workspace_id("ws")
        .base_url("//evil")
        .build()
        .is_err());
}

/// Memory storage that counts saves: each refresh saves once.
#[derive(Debug, Default)]
struct CountingStorage {
    inner: amigo_platform_core::auth::MemoryStorage,
    saves: std::sync::atomic::AtomicUsize,
}

impl amigo_platform_core::auth::TokenStorage for CountingStorage {
    fn load(
        &self,
    ) -> Result<Option<amigo_platform_core::auth::Credentials>, amigo_platform_core::Error> {
        self.inner.load()
    }
    fn save(
        &self,
        credentials: &amigo_platform_core::auth::Credentials,
    ) -> Result<(), amigo_platform_core::Error> {
        self.saves.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.inner.save(credentials)
    }
    fn clear(&self) -> Result<(), amigo_platform_core::Error> {
        self.inner.clear()
    }
}

/// Runs every future to completion, concurrently, and returns their outputs in order.
async fn join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        for (f, slot) in futures.iter_mut().zip(out.iter_mut()) {
            if slot.is_none() {
                if let std::task::Poll::Ready(v) = f.as_mut().poll(cx) {
                    *slot = Some(v);
                }
            }
        }
        if out.iter().all(Option::is_some) {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    out.into_iter().flatten().collect()
}

#[wasm_bindgen_test]
async fn expiring_token_is_refreshed_once_through_fetch_for_concurrent_calls() {
    use amigo_platform_core::auth::{unix_secs, Credentials, TokenManager};
    use amigo_platform_core::Secret;
    use std::sync::atomic::Ordering;
    use std::sync::Arc;
    let Some(base) = MOCK else {
        web_sys_log("AMIGO_MOCK_URL was not set at compile time: skipping");
        return;
    };
    let identity = IDENTITY.expect("AMIGO_MOCK_IDENTITY_URL is set with AMIGO_MOCK_URL");
    let ws = "ws-wasm-refresh";
    let storage = Arc::new(CountingStorage::default());
    let manager = TokenManager::builder()
        .storage(storage.clone())
        .identity_base_url(identity)
        .build();
    // 30 s left: under the refresh margin, so the first attempt refreshes first.
    let expires_at = unix_secs(web_time::SystemTime::now()) + 30;
    manager
        .store(&Credentials {
            access_token: Secret::new("expiring-token"),
            refresh_token: Secret::new("rt_abc"),
            workspace_id: ws.into(),
            expires_at,
            scope: None,
        })
        .expect("store");
    assert_eq!(storage.saves.load(Ordering::SeqCst), 1);
    let config = Config::builder()
        .credentials(Arc::new(manager.clone()))
        .workspace_id(ws)
        .base_url(base)
        .build()
        .expect("config");
    let c = Client::new(config);
    let calls = (0..4).map(|_| c.api().agents().list().send()).collect();
    for page in join_all(calls).await {
        assert!(page.expect("list with a refreshed token").items.is_empty());
    }
    assert_eq!(
        storage.saves.load(Ordering::SeqCst),
        2,
        "exactly one refresh"
    );
    let token = amigo_platform_wasm::auth::access_token(&manager, c.transport())
        .await
        .expect("access token")
        .expect("stored");
    assert_eq!(storage.saves.load(Ordering::SeqCst), 2, "fresh: no refresh");
    assert_eq!(token.workspace_id, ws);
    assert_ne!(token.token.expose(), "expiring-token");
    let RawData::Json(Value::Array(list)) = c.get("/__mock/requests").await.expect("requests")
    else {
        panic!("requests list expected")
    };
    let bearer = format!("Bearer {}", token.token.expose());
    let lists: Vec<&Value> = list
        .iter()
        .filter(|r| {
            r["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("/ws-wasm-refresh/agents"))
        })
        .collect();
    assert_eq!(lists.len(), 4);
    assert!(
        lists
            .iter()
            .all(|r| r["headers"]["authorization"] == bearer.as_str()),
        "every call carries the refreshed token"
    );
}

#[wasm_bindgen_test]
async fn device_login_through_fetch() {
    use amigo_platform_core::auth::{FnCallbacks, LoginOptions};
    if MOCK.is_none() {
        web_sys_log("AMIGO_MOCK_URL was not set at compile time: skipping");
        return;
    }
    let identity = IDENTITY.expect("AMIGO_MOCK_IDENTITY_URL is set with AMIGO_MOCK_URL");
    let mut codes = Vec::new();
    let mut callbacks = FnCallbacks::new(|c| codes.push(c.user_code.clone()), |_| None);
    let options = LoginOptions::new(identity);
    let credentials = amigo_platform_wasm::auth::device_login(&options, &mut callbacks)
        .await
        .expect("login");
    assert_eq!(codes, ["MOCK-CODE"]);
    assert_eq!(credentials.workspace_id, "ws1");
    assert_eq!(credentials.refresh_token.expose(), "rt_abc");
}

/// The mock's generated download content at `offset` (the testkit's `download_byte`).
fn download_byte(offset: u64) -> u8 {
    let low = offset as u8;
    let mid = (offset >> 8) as u8;
    let high = ((offset >> 16) & 0x0f) as u8;
    low ^ mid.rotate_left(3) ^ high.wrapping_mul(7)
}

#[wasm_bindgen_test]
async fn a_download_streams_past_the_body_limit() {
    let Some(base) = MOCK else {
        return;
    };
    let config = Config::builder()
        .api_key("test-api-key")
        .workspace_id("ws-wasm-download")
        .base_url(base)
        .build()
        .expect("config");
    // A 1 MiB body limit and a 6 MiB recording: buffered, it cannot be read; streamed, it is
    // read whole, chunk by chunk, with its progress reaching the announced length.
    let transport = amigo_platform_wasm::WasmTransport::new().max_body(1 << 20);
    let client = amigo_platform_core::Client::with_transport(config, transport);
    let len: u64 = 6 << 20;
    let name = format!("rec-{len}.wav");
    let err = client
        .api()
        .recordings()
        .download("CA1", name.clone())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network, "{err:?}");
    assert_eq!(
        err.transport_kind(),
        Some(amigo_platform_core::TransportErrorKind::BodyTooLarge),
        "{err:?}"
    );
    let mut download = client
        .api()
        .recordings()
        .download("CA1", name)
        .stream()
        .await
        .expect("download head");
    let mut done = 0u64;
    let mut chunks = 0;
    while let Some(chunk) = download.next_chunk().await {
        let chunk = chunk.expect("chunk");
        for (i, byte) in chunk.iter().enumerate() {
            assert_eq!(
                *byte,
                download_byte(done + i as u64),
                "byte {}",
                done + i as u64
            );
        }
        done += chunk.len() as u64;
        chunks += 1;
    }
    assert_eq!(done, len);
    assert!(chunks > 1, "one chunk: the body was not streamed");
}
