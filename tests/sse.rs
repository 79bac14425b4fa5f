//! One event-stream and turn-stream suite against the mock server on 127.0.0.1, run on every
//! transport: blocking (ureq), async (hyper, driven on a shared tokio runtime) and the custom
//! transport of `examples/custom_transport.rs`.
//!
//! Each scenario is a generic function over [`SseBackend`]; `sse_scenarios!` instantiates it
//! once per transport, so every transport runs the same bodies.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use amigo_platform_api::models::TurnRequest;
use amigo_platform_core::sse;
use amigo_platform_core::sse::{
    CloseReason, EventKind, SseOptions, StreamItem, StreamState, SubscriptionHandle, TurnEvent,
};
use amigo_platform_core::Transport;
use amigo_platform_core::{
    Authorization, CancelToken, Client, Config, ConfigBuilder, CredentialSource, Error, ErrorKind,
    RequestOptions, Secret,
};
use amigo_platform_testkit::sse::{StreamFault, TurnPart};
use amigo_platform_testkit::{Fault, MockServer};
use common::{runtime, Async, Blocking, Custom};
use serde_json::json;

/// A transport's event streams, seen synchronously: a subscription and a turn stream are
/// `Iterator`s (the async ones are driven item by item on the shared runtime).
pub trait SseBackend: 'static {
    /// The transport type.
    type E: Transport;
    /// A workspace subscription.
    type Sub: Iterator<Item = Result<StreamItem, Error>>;
    /// A turn stream.
    type Turn: Iterator<Item = Result<TurnEvent, Error>>;
    /// Whether dropping a subscription closes its connection at once, without waiting for
    /// the server's next write (ureq reads bodies on a reader thread that stops at its next
    /// read).
    const DROP_CLOSES_AT_ONCE: bool;
    /// Builds a client.
    fn client(config: Config) -> Client<Self::E>;
    /// `subscribe(client, options)`.
    fn subscribe(client: &Client<Self::E>, options: SseOptions) -> Self::Sub;
    /// The subscription's close handle.
    fn handle(sub: &Self::Sub) -> SubscriptionHandle;
    /// `stream_turn_with(client, ..)`.
    fn turn(
        client: &Client<Self::E>,
        conversation_id: &str,
        body: &TurnRequest,
        include_tool_calls: Option<bool>,
        options: RequestOptions,
    ) -> Self::Turn;
}

macro_rules! blocking_sse_backend {
    ($backend:ty, $transport:ty, $drop_closes_at_once:expr) => {
        impl SseBackend for $backend {
            type E = $transport;
            const DROP_CLOSES_AT_ONCE: bool = $drop_closes_at_once;
            type Sub = <$transport as sse::StreamTransport>::Subscription;
            type Turn = <$transport as sse::StreamTransport>::TurnStream;
            fn client(config: Config) -> Client<Self::E> {
                Client::with_transport(config, <$transport>::default())
            }
            fn subscribe(client: &Client<Self::E>, options: SseOptions) -> Self::Sub {
                sse::subscribe(client, options)
            }
            fn handle(sub: &Self::Sub) -> SubscriptionHandle {
                sub.handle()
            }
            fn turn(
                client: &Client<Self::E>,
                conversation_id: &str,
                body: &TurnRequest,
                include_tool_calls: Option<bool>,
                options: RequestOptions,
            ) -> Self::Turn {
                sse::stream_turn_with(client, conversation_id, body, include_tool_calls, options)
            }
        }
    };
}

blocking_sse_backend!(Blocking, amigo_platform_ureq::UreqTransport, false);
blocking_sse_backend!(Custom, common::custom_transport::TcpTransport, true);

/// An async stream driven one item at a time on the shared runtime.
pub struct OnRuntime<S>(S);

impl Iterator for OnRuntime<amigo_platform_hyper::sse::Subscription> {
    type Item = Result<StreamItem, Error>;
    fn next(&mut self) -> Option<Self::Item> {
        runtime().block_on(self.0.next_item())
    }
}

impl Iterator for OnRuntime<amigo_platform_hyper::sse::TurnStream> {
    type Item = Result<TurnEvent, Error>;
    fn next(&mut self) -> Option<Self::Item> {
        runtime().block_on(self.0.next_item())
    }
}

impl SseBackend for Async {
    type E = amigo_platform_hyper::HyperTransport;
    type Sub = OnRuntime<amigo_platform_hyper::sse::Subscription>;
    type Turn = OnRuntime<amigo_platform_hyper::sse::TurnStream>;
    const DROP_CLOSES_AT_ONCE: bool = true;
    fn client(config: Config) -> Client<Self::E> {
        let _guard = runtime().enter();
        amigo_platform_hyper::Client::new(config)
    }
    fn subscribe(client: &Client<Self::E>, options: SseOptions) -> Self::Sub {
        OnRuntime(amigo_platform_hyper::sse::subscribe(client, options))
    }
    fn handle(sub: &Self::Sub) -> SubscriptionHandle {
        sub.0.handle()
    }
    fn turn(
        client: &Client<Self::E>,
        conversation_id: &str,
        body: &TurnRequest,
        include_tool_calls: Option<bool>,
        options: RequestOptions,
    ) -> Self::Turn {
        OnRuntime(amigo_platform_hyper::sse::stream_turn_with(
            client,
            conversation_id,
            body,
            include_tool_calls,
            options,
        ))
    }
}

/// Runs every listed scenario on the three transports: ureq, hyper and the custom one.
macro_rules! sse_scenarios {
    ($($name:ident),* $(,)?) => {
        mod ureq {
            $( #[test] fn $name() { super::$name::<super::Blocking>() } )*
        }
        mod hyper_async {
            $( #[test] fn $name() { super::$name::<super::Async>() } )*
        }
        mod custom {
            $( #[test] fn $name() { super::$name::<super::Custom>() } )*
        }
    };
}

sse_scenarios!(
    happy_path_and_first_request_headers,
    resumes_after_a_drop_with_last_event_id,
    auth_failures_are_terminal,
    connect_503_is_retried_inside_one_connect_and_404_reconnects,
    too_many_streams_is_terminal,
    stream_unavailable_with_budget_one_connects_twice,
    idle_timeout_reconnects_and_heartbeats_keep_alive,
    close_from_another_thread_while_idle,
    cancel_inside_event_handling_stops_after_that_event,
    already_cancelled_token_sends_nothing,
    happy_path_resume_and_drop_cancels,
    terminal_outcomes,
    close_handle_ends_an_idle_subscription,
    a_credentials_failure_on_connect_reconnects_instead_of_ending,
    turn_stream_yields_typed_events_in_order,
    turn_stream_errors,
    dropping_a_turn_stream_closes_the_connection,
    a_cancel_token_ends_a_turn_stream_blocked_in_its_body,
    turn_streams,
);

const WS: &str = MockServer::WORKSPACE_ID;
const STREAM: &str = "/v1/{ws}/events/stream";

fn builder(server: &MockServer) -> ConfigBuilder {
    Config::builder()
        .workspace_id(WS)
        .base_url(server.base_url())
}

fn client<B: SseBackend>(server: &MockServer) -> Client<B::E> {
    B::client(
        builder(server)
            .api_key(MockServer::API_KEY)
            .build()
            .expect("config"),
    )
}

fn subscribe<B: SseBackend>(server: &MockServer, options: SseOptions) -> B::Sub {
    B::subscribe(&client::<B>(server), options)
}

fn stream_turn<B: SseBackend>(server: &MockServer, conversation_id: &str, text: &str) -> B::Turn {
    B::turn(
        &client::<B>(server),
        conversation_id,
        &TurnRequest::new(text),
        None,
        RequestOptions::new(),
    )
}

/// Fast reconnects: the server's `retry: 3000` is clamped to 5 ms.
fn fast() -> SseOptions {
    SseOptions::new().delays(Duration::from_millis(1), Duration::from_millis(5))
}

fn stream_requests(server: &MockServer) -> Vec<amigo_platform_testkit::RecordedRequest> {
    server
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/events/stream"))
        .collect()
}

fn turn_requests(server: &MockServer) -> Vec<amigo_platform_testkit::RecordedRequest> {
    server
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/turns/stream"))
        .collect()
}

fn count(server: &MockServer, suffix: &str) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.path.ends_with(suffix))
        .count()
}

fn happy_path_and_first_request_headers<B: SseBackend>() {
    let server = MockServer::start();
    server.publish_event(
        WS,
        "call.started",
        json!({"call_sid": "CA1", "direction": "inbound", "service_id": "s", "event_type": "x"}),
    );
    server.publish_event(
        WS,
        "pipeline.error",
        json!({"data_source_id": "d", "error": "boom"}),
    );
    server.publish_event(
        WS,
        "call.ended",
        json!({"call_sid": "CA1", "duration_seconds": 3.5}),
    );
    let sub = subscribe::<B>(&server, fast());
    let events: Vec<_> = sub
        .filter_map(StreamItem::business)
        .take(3)
        .collect::<Result<_, _>>()
        .expect("events");
    let names: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(names, ["call.started", "pipeline.error", "call.ended"]);
    assert!(matches!(&events[0].kind, EventKind::CallStarted(c) if c.call_sid == "CA1"));
    assert_eq!(events[0].data["event_type"], "call.started");
    let reqs = stream_requests(&server);
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].header("authorization"), Some("Bearer test-api-key"));
    assert_eq!(reqs[0].header("accept"), Some("text/event-stream"));
    assert_eq!(reqs[0].header("last-event-id"), None);
}

fn resumes_after_a_drop_with_last_event_id<B: SseBackend>() {
    let server = MockServer::start();
    let first = server.publish_event(WS, "call.started", json!({}));
    server.publish_event(WS, "call.ended", json!({}));
    server.sse_fault([StreamFault::DropMidEvent(1)]);
    let mut states = Vec::new();
    let mut events = Vec::new();
    for item in subscribe::<B>(&server, fast().last_event_id("1")) {
        match item.expect("item") {
            StreamItem::Event(e) => events.push(e),
            StreamItem::State(s) => states.push(s),
        }
        if events.len() == 2 {
            break;
        }
    }
    assert_eq!(events.len(), 2);
    let reqs = stream_requests(&server);
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].header("last-event-id"), Some("1"));
    assert_eq!(reqs[1].header("last-event-id"), Some(first.as_str()));
    assert!(states
        .iter()
        .any(|s| matches!(s, StreamState::Reconnecting { attempt: 1, .. })));
    assert!(states
        .iter()
        .any(|s| matches!(s, StreamState::Opened(o) if o.max_streams_per_workspace == Some(50))));
}

fn auth_failures_are_terminal<B: SseBackend>() {
    for (code, kind) in [
        (401, ErrorKind::Authentication),
        (403, ErrorKind::Permission),
    ] {
        let server = MockServer::start();
        server.fault(http::Method::GET, STREAM, [Fault::status(code)]);
        let items: Vec<_> = subscribe::<B>(&server, fast()).take(20).collect();
        let errors: Vec<_> = items.iter().filter_map(|i| i.as_ref().err()).collect();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].kind(), kind);
        assert_eq!(errors[0].status(), Some(code));
        assert_eq!(stream_requests(&server).len(), 1);
    }
}

fn connect_503_is_retried_inside_one_connect_and_404_reconnects<B: SseBackend>() {
    let server = MockServer::start();
    server.publish_event(WS, "call.started", json!({}));
    server.fault(
        http::Method::GET,
        STREAM,
        [Fault::status(503), Fault::status(404)],
    );
    let mut reconnects = 0;
    for item in subscribe::<B>(&server, fast()).take(50) {
        match item.expect("item") {
            StreamItem::Event(_) => break,
            StreamItem::State(StreamState::Reconnecting { .. }) => reconnects += 1,
            StreamItem::State(_) => {}
        }
    }
    // 503 then 404 in the first connect (the HTTP core retries the 503), one reconnect, success.
    assert_eq!(reconnects, 1);
    assert_eq!(stream_requests(&server).len(), 3);
}

fn too_many_streams_is_terminal<B: SseBackend>() {
    let server = MockServer::start();
    server.sse_fault([StreamFault::TooManyStreams]);
    let items: Vec<_> = subscribe::<B>(&server, fast()).take(20).collect();
    let e = items.iter().find_map(|i| i.as_ref().err()).expect("error");
    assert_eq!(e.kind(), ErrorKind::EventStream);
    assert_eq!(e.error_code(), Some("too_many_streams"));
    assert_eq!(e.retryable(), Some(false));
    assert_eq!(
        e.extra().and_then(|f| f.get("max_streams")),
        Some(&json!(50))
    );
    assert_eq!(stream_requests(&server).len(), 1);
}

fn stream_unavailable_with_budget_one_connects_twice<B: SseBackend>() {
    let server = MockServer::start();
    let frame = StreamFault::ErrorFrame {
        code: "stream_unavailable".into(),
        message: "Event streaming unavailable".into(),
    };
    server.sse_fault([frame.clone(), frame.clone(), frame]);
    let items: Vec<_> = subscribe::<B>(&server, fast().max_reconnects(Some(1)))
        .take(50)
        .collect();
    let e = items.iter().find_map(|i| i.as_ref().err()).expect("error");
    assert_eq!(e.error_code(), Some("transport_exhausted"));
    assert_eq!(stream_requests(&server).len(), 2);
}

fn idle_timeout_reconnects_and_heartbeats_keep_alive<B: SseBackend>() {
    let server = MockServer::start();
    let id = server.publish_event(WS, "call.started", json!({}));
    server.sse_fault([StreamFault::Stall(Duration::from_secs(3))]);
    let opts = fast()
        .idle_timeout(Some(Duration::from_millis(300)))
        .last_event_id(id.clone());
    let mut causes = Vec::new();
    let started = Instant::now();
    let mut sub = subscribe::<B>(&server, opts);
    server.set_sse_heartbeat(Duration::from_millis(50));
    // First connection stalls → idle timeout → the second one gets heartbeats only.
    let closer = B::handle(&sub);
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1500));
        closer.close();
    });
    for item in sub.by_ref().take(10_000) {
        if let StreamItem::State(StreamState::Reconnecting { cause, .. }) = item.expect("item") {
            causes.push(cause);
        }
    }
    t.join().expect("closer");
    assert_eq!(causes, ["idle timeout"]);
    let reqs = stream_requests(&server);
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[1].header("last-event-id"), Some(id.as_str()));
    assert!(started.elapsed() < Duration::from_secs(5));
}

fn close_from_another_thread_while_idle<B: SseBackend>() {
    let server = MockServer::start();
    let sub = subscribe::<B>(&server, fast());
    let handle = B::handle(&sub);
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        handle.close();
        handle.close(); // idempotent
    });
    let started = Instant::now();
    let items: Vec<_> = sub.take(10_000).collect();
    t.join().expect("closer");
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(items.iter().all(|i| i.is_ok()));
    assert!(matches!(
        items.last(),
        Some(Ok(StreamItem::State(StreamState::Closed {
            reason: CloseReason::Cancelled
        })))
    ));
    assert_eq!(stream_requests(&server).len(), 1);
}

fn cancel_inside_event_handling_stops_after_that_event<B: SseBackend>() {
    let server = MockServer::start();
    for _ in 0..5 {
        server.publish_event(WS, "call.started", json!({}));
    }
    let mut sub = subscribe::<B>(&server, fast());
    let handle = B::handle(&sub);
    let mut n = 0;
    for item in sub.by_ref().take(10_000) {
        if let StreamItem::Event(_) = item.expect("item") {
            n += 1;
            handle.close();
        }
    }
    assert_eq!(n, 1);
}

fn already_cancelled_token_sends_nothing<B: SseBackend>() {
    let server = MockServer::start();
    let token = CancelToken::new();
    token.cancel();
    let items: Vec<_> = subscribe::<B>(&server, fast().cancel_token(token))
        .take(10_000)
        .collect();
    assert!(items.iter().all(|i| i.is_ok()));
    assert!(stream_requests(&server).is_empty());
}

fn happy_path_resume_and_drop_cancels<B: SseBackend>() {
    let server = MockServer::start();
    let first = server.publish_event(WS, "call.started", json!({"call_sid": "CA1"}));
    server.publish_event(WS, "call.ended", json!({"call_sid": "CA1"}));
    server.sse_fault([StreamFault::DropMidEvent(1)]);
    if !B::DROP_CLOSES_AT_ONCE {
        // The connection ends at the reader's next read: give it something to read.
        server.set_sse_heartbeat(Duration::from_millis(50));
    }
    let mut sub = subscribe::<B>(&server, fast());
    let mut events = Vec::new();
    let mut reconnects = 0;
    for item in sub.by_ref().take(10_000) {
        match item.expect("item") {
            StreamItem::Event(e) => events.push(e),
            StreamItem::State(StreamState::Reconnecting { attempt, .. }) => {
                assert_eq!(attempt, 1);
                reconnects += 1;
            }
            StreamItem::State(_) => {}
        }
        if events.len() == 2 {
            break;
        }
    }
    assert!(matches!(&events[0].kind, EventKind::CallStarted(c) if c.call_sid == "CA1"));
    assert_eq!(events[1].event_type, "call.ended");
    assert_eq!(reconnects, 1);
    let reqs = stream_requests(&server);
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].header("accept"), Some("text/event-stream"));
    assert_eq!(reqs[1].header("last-event-id"), Some(first.as_str()));
    assert_eq!(server.sse_open_streams(), 1);
    drop(sub);
    closes_within(Duration::from_secs(2), "stream still served", || {
        server.sse_open_streams()
    });
}

/// Waits until `open()` counts no connection, failing with `what` after `limit`.
fn closes_within(limit: Duration, what: &str, open: impl Fn() -> usize) {
    let started = Instant::now();
    while open() > 0 {
        assert!(started.elapsed() < limit, "{what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn terminal_outcomes<B: SseBackend>() {
    let server = MockServer::start();
    server.fault(http::Method::GET, STREAM, [Fault::status(401)]);
    let errors: Vec<_> = subscribe::<B>(&server, fast())
        .take(10_000)
        .filter_map(Result::err)
        .collect();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].kind(), ErrorKind::Authentication);
    assert_eq!(count(&server, "/events/stream"), 1);

    server.sse_fault([StreamFault::TooManyStreams]);
    let errors: Vec<_> = subscribe::<B>(&server, fast())
        .take(10_000)
        .filter_map(Result::err)
        .collect();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].error_code(), Some("too_many_streams"));
    assert_eq!(count(&server, "/events/stream"), 2);
}

fn close_handle_ends_an_idle_subscription<B: SseBackend>() {
    let server = MockServer::start();
    let sub = subscribe::<B>(&server, fast());
    let handle = B::handle(&sub);
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        handle.close();
    });
    let started = Instant::now();
    for item in sub.take(10_000) {
        item.expect("no error");
    }
    t.join().expect("closer");
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(count(&server, "/events/stream"), 1);
}

/// A token source whose first answer is a Credentials error, then the API key.
#[derive(Debug, Default)]
struct FailsOnce(AtomicUsize);

impl CredentialSource for FailsOnce {
    fn authorization(&self, _wall: SystemTime) -> Result<Authorization, Error> {
        if self.0.fetch_add(1, Ordering::SeqCst) == 0 {
            Err(Error::credentials("token source unavailable"))
        } else {
            Authorization::bearer(MockServer::API_KEY)
        }
    }
    fn secrets(&self) -> Vec<Secret> {
        Vec::new()
    }
}

/// A Credentials error from the token source during a connect is not terminal for a
/// subscription: it reconnects (asking the source again) and delivers the events.
fn a_credentials_failure_on_connect_reconnects_instead_of_ending<B: SseBackend>() {
    let server = MockServer::start();
    server.publish_event(WS, "call.started", json!({"call_sid": "CA1"}));
    let source = Arc::new(FailsOnce::default());
    let client = B::client(
        builder(&server)
            .credentials(source.clone())
            .build()
            .expect("config"),
    );
    let mut states = Vec::new();
    let mut events = Vec::new();
    for item in B::subscribe(&client, fast()).take(100) {
        match item.expect("no terminal error") {
            StreamItem::Event(e) => {
                events.push(e);
                break;
            }
            StreamItem::State(s) => states.push(s),
        }
    }
    assert_eq!(events.len(), 1);
    assert!(matches!(&events[0].kind, EventKind::CallStarted(c) if c.call_sid == "CA1"));
    let reconnects: Vec<_> = states
        .iter()
        .filter_map(|s| match s {
            StreamState::Reconnecting { attempt, cause, .. } => Some((*attempt, cause.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(reconnects.len(), 1, "{states:?}");
    assert_eq!(reconnects[0].0, 1);
    assert!(
        reconnects[0].1.contains("token source unavailable"),
        "{reconnects:?}"
    );
    assert!(!states
        .iter()
        .any(|s| matches!(s, StreamState::Closed { .. })));
    // The failed connect sent nothing; the reconnect sent the header.
    assert_eq!(source.0.load(Ordering::SeqCst), 2);
    let reqs = stream_requests(&server);
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].header("authorization"), Some("Bearer test-api-key"));
}

fn turn_stream_yields_typed_events_in_order<B: SseBackend>() {
    let server = MockServer::start();
    let events: Vec<TurnEvent> = stream_turn::<B>(&server, "conv-1", "hi")
        .take(10_000)
        .collect::<Result<_, _>>()
        .expect("events");
    assert_eq!(events.len(), 8);
    assert!(matches!(&events[0], TurnEvent::Token(t) if t.text == "Hel"));
    assert!(matches!(&events[3], TurnEvent::Thinking(_)));
    assert!(matches!(&events[4], TurnEvent::ToolCallStarted(_)));
    assert!(matches!(&events[5], TurnEvent::ToolCallCompleted(t) if t.succeeded));
    assert!(matches!(&events[6], TurnEvent::Message(m) if m.text == "Hello!"));
    assert!(matches!(&events[7], TurnEvent::Done(d) if d.turn_count == 1));
    let reqs = turn_requests(&server);
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].query, None);
    assert_eq!(reqs[0].header("accept"), Some("text/event-stream"));
    assert_eq!(reqs[0].json(), Some(json!({"message": "hi"})));

    let _ = B::turn(
        &client::<B>(&server),
        "conv-1",
        &TurnRequest::new("hi"),
        Some(true),
        RequestOptions::new(),
    )
    .take(10_000)
    .count();
    assert_eq!(
        turn_requests(&server)[1].query.as_deref(),
        Some("include_tool_calls=true")
    );
}

fn turn_stream_errors<B: SseBackend>() {
    let server = MockServer::start();
    let path = "/v1/{ws}/conversations/{id}/turns/stream";
    server.fault(
        http::Method::POST,
        path,
        [Fault::status(409).json(json!({"detail": "busy"}))],
    );
    let r: Result<Vec<_>, _> = stream_turn::<B>(&server, "c", "x").take(10_000).collect();
    assert_eq!(r.expect_err("conflict").kind(), ErrorKind::Conflict);

    server.fault(
        http::Method::POST,
        path,
        [Fault::status(200).json(json!({"turn_id": "t"}))],
    );
    let r: Result<Vec<_>, _> = stream_turn::<B>(&server, "c", "x").take(10_000).collect();
    assert_eq!(r.expect_err("decode").kind(), ErrorKind::Decode);

    server.clear_requests();
    server.script_turn([TurnPart::text("event: token\ndata: {\"text\":\"a\"}\n\n")]);
    let items: Vec<_> = stream_turn::<B>(&server, "c", "x").take(10_000).collect();
    assert_eq!(items.len(), 2);
    let e = items[1].as_ref().expect_err("interrupted");
    assert_eq!(e.kind(), ErrorKind::Stream);
    assert_eq!(e.error_code(), Some("stream_interrupted"));
    assert_eq!(turn_requests(&server).len(), 1);
}

fn dropping_a_turn_stream_closes_the_connection<B: SseBackend>() {
    let server = MockServer::start();
    let mut script = vec![TurnPart::text("event: token\ndata: {\"text\":\"a\"}\n\n")];
    for _ in 0..200 {
        script.push(TurnPart::Pause(Duration::from_millis(10)));
        script.push(TurnPart::text(": keep-alive\n"));
    }
    server.script_turn(script);
    let mut stream = stream_turn::<B>(&server, "c", "x");
    assert!(matches!(stream.next(), Some(Ok(TurnEvent::Token(_)))));
    assert_eq!(server.open_turn_streams(), 1);
    drop(stream);
    closes_within(Duration::from_secs(1), "connection still open", || {
        server.open_turn_streams()
    });
}

fn a_cancel_token_ends_a_turn_stream_blocked_in_its_body<B: SseBackend>() {
    let server = MockServer::start();
    // One event, then a body that stays silent for 20 s.
    server.script_turn([
        TurnPart::text("event: token\ndata: {\"text\":\"a\"}\n\n"),
        TurnPart::Pause(Duration::from_secs(20)),
        TurnPart::text("event: done\ndata: {}\n\n"),
    ]);
    let token = CancelToken::new();
    let options = RequestOptions::new().cancel_token(token.clone());
    let client = client::<B>(&server);
    let mut stream = B::turn(&client, "c", &TurnRequest::new("x"), None, options);
    assert!(matches!(stream.next(), Some(Ok(TurnEvent::Token(_)))));
    let canceller = common::cancel_after(&token, Duration::from_millis(100));
    let started = Instant::now();
    // The next read is blocked on the silent body; the cancel must end it promptly.
    let e = stream.next().expect("an item").expect_err("cancelled");
    assert_eq!(e.kind(), ErrorKind::Cancelled);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(stream.next().is_none());
    canceller.join().expect("canceller");
}

fn turn_streams<B: SseBackend>() {
    let server = MockServer::start();
    let events: Vec<TurnEvent> = stream_turn::<B>(&server, "conv-1", "hi")
        .take(10_000)
        .map(|e| e.expect("event"))
        .collect();
    assert_eq!(events.len(), 8);
    assert!(matches!(events.last(), Some(TurnEvent::Done(_))));

    server.script_turn([TurnPart::text("event: token\ndata: {\"text\":\"a\"}\n\n")]);
    let mut stream = stream_turn::<B>(&server, "conv-1", "hi");
    assert!(matches!(stream.next(), Some(Ok(TurnEvent::Token(_)))));
    let e = stream.next().expect("item").expect_err("interrupted");
    assert_eq!(e.error_code(), Some("stream_interrupted"));
    assert!(stream.next().is_none());
    assert_eq!(count(&server, "/turns/stream"), 2);

    let mut script = vec![TurnPart::text("event: token\ndata: {\"text\":\"a\"}\n\n")];
    for _ in 0..200 {
        script.push(TurnPart::Pause(Duration::from_millis(10)));
        script.push(TurnPart::text(": keep-alive\n"));
    }
    server.script_turn(script);
    let mut stream = stream_turn::<B>(&server, "conv-1", "hi");
    assert!(matches!(stream.next(), Some(Ok(TurnEvent::Token(_)))));
    drop(stream);
    closes_within(Duration::from_secs(1), "turn connection still open", || {
        server.open_turn_streams()
    });
}
