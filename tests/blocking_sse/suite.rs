//! The blocking event-stream and turn-stream suite against the mock server on 127.0.0.1, run
//! on every blocking transport (`sse_ureq.rs`, `sse_custom.rs` include it with their own
//! `Transport` type).

use std::time::{Duration, Instant};

use amigo_platform_api::models::TurnRequest;
use amigo_platform_core::sse::StreamItem;
use amigo_platform_core::sse::{CloseReason, EventKind, SseOptions, StreamState, TurnEvent};
use amigo_platform_core::streaming as sse;
use amigo_platform_core::{CancelToken, Config, ErrorKind, RequestOptions};
use amigo_platform_testkit::sse::{StreamFault, TurnPart};
use amigo_platform_testkit::{Fault, MockServer};
use serde_json::json;

const WS: &str = MockServer::WORKSPACE_ID;
const STREAM: &str = "/v1/{ws}/events/stream";

fn client(server: &MockServer) -> amigo_platform_core::Client<super::Transport> {
    amigo_platform_core::Client::with_transport(
        Config::builder()
            .api_key(MockServer::API_KEY)
            .workspace_id(WS)
            .base_url(server.base_url())
            .build()
            .expect("config"),
        super::Transport::default(),
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

#[test]
fn happy_path_and_first_request_headers() {
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
    let sub = sse::subscribe(&client(&server), fast());
    let events: Vec<_> = sub
        .events()
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

#[test]
fn resumes_after_a_drop_with_last_event_id() {
    let server = MockServer::start();
    let first = server.publish_event(WS, "call.started", json!({}));
    server.publish_event(WS, "call.ended", json!({}));
    server.sse_fault([StreamFault::DropMidEvent(1)]);
    let mut states = Vec::new();
    let mut events = Vec::new();
    for item in sse::subscribe(&client(&server), fast().last_event_id("1")) {
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

#[test]
fn auth_failures_are_terminal() {
    for (code, kind) in [
        (401, ErrorKind::Authentication),
        (403, ErrorKind::Permission),
    ] {
        let server = MockServer::start();
        server.fault(http::Method::GET, STREAM, [Fault::status(code)]);
        let items: Vec<_> = sse::subscribe(&client(&server), fast()).take(20).collect();
        let errors: Vec<_> = items.iter().filter_map(|i| i.as_ref().err()).collect();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].kind(), kind);
        assert_eq!(errors[0].status(), Some(code));
        assert_eq!(stream_requests(&server).len(), 1);
    }
}

#[test]
fn connect_503_is_retried_inside_one_connect_and_404_reconnects() {
    let server = MockServer::start();
    server.publish_event(WS, "call.started", json!({}));
    server.fault(
        http::Method::GET,
        STREAM,
        [Fault::status(503), Fault::status(404)],
    );
    let mut reconnects = 0;
    for item in sse::subscribe(&client(&server), fast()) {
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

#[test]
fn too_many_streams_is_terminal() {
    let server = MockServer::start();
    server.sse_fault([StreamFault::TooManyStreams]);
    let items: Vec<_> = sse::subscribe(&client(&server), fast()).take(20).collect();
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

#[test]
fn stream_unavailable_with_budget_one_connects_twice() {
    let server = MockServer::start();
    let frame = StreamFault::ErrorFrame {
        code: "stream_unavailable".into(),
        message: "Event streaming unavailable".into(),
    };
    server.sse_fault([frame.clone(), frame.clone(), frame]);
    let items: Vec<_> = sse::subscribe(&client(&server), fast().max_reconnects(Some(1)))
        .take(50)
        .collect();
    let e = items.iter().find_map(|i| i.as_ref().err()).expect("error");
    assert_eq!(e.error_code(), Some("transport_exhausted"));
    assert_eq!(stream_requests(&server).len(), 2);
}

#[test]
fn idle_timeout_reconnects_and_heartbeats_keep_alive() {
    let server = MockServer::start();
    let id = server.publish_event(WS, "call.started", json!({}));
    server.sse_fault([StreamFault::Stall(Duration::from_secs(3))]);
    let opts = fast()
        .idle_timeout(Some(Duration::from_millis(300)))
        .last_event_id(id.clone());
    let mut causes = Vec::new();
    let started = Instant::now();
    let mut sub = sse::subscribe(&client(&server), opts);
    server.set_sse_heartbeat(Duration::from_millis(50));
    // First connection stalls → idle timeout → the second one gets heartbeats only.
    let closer = sub.handle();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1500));
        closer.close();
    });
    for item in sub.by_ref() {
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

#[test]
fn close_from_another_thread_while_idle() {
    let server = MockServer::start();
    let sub = sse::subscribe(&client(&server), fast());
    let handle = sub.handle();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        handle.close();
        handle.close(); // idempotent
    });
    let started = Instant::now();
    let items: Vec<_> = sub.collect();
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

#[test]
fn cancel_inside_event_handling_stops_after_that_event() {
    let server = MockServer::start();
    for _ in 0..5 {
        server.publish_event(WS, "call.started", json!({}));
    }
    let mut sub = sse::subscribe(&client(&server), fast());
    let mut n = 0;
    while let Some(item) = sub.next() {
        if let StreamItem::Event(_) = item.expect("item") {
            n += 1;
            sub.close();
        }
    }
    assert_eq!(n, 1);
}

#[test]
fn already_cancelled_token_sends_nothing() {
    let server = MockServer::start();
    let token = CancelToken::new();
    token.cancel();
    let items: Vec<_> = sse::subscribe(&client(&server), fast().cancel_token(token)).collect();
    assert!(items.iter().all(|i| i.is_ok()));
    assert!(stream_requests(&server).is_empty());
}

fn turn_requests(server: &MockServer) -> Vec<amigo_platform_testkit::RecordedRequest> {
    server
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/turns/stream"))
        .collect()
}

#[test]
fn turn_stream_yields_typed_events_in_order() {
    let server = MockServer::start();
    let events: Vec<TurnEvent> =
        sse::stream_turn(&client(&server), "conv-1", &TurnRequest::new("hi"))
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

    let _ = sse::stream_turn_with(
        &client(&server),
        "conv-1",
        &TurnRequest::new("hi"),
        Some(true),
        RequestOptions::new(),
    )
    .count();
    assert_eq!(
        turn_requests(&server)[1].query.as_deref(),
        Some("include_tool_calls=true")
    );
}

#[test]
fn turn_stream_errors() {
    let server = MockServer::start();
    let path = "/v1/{ws}/conversations/{id}/turns/stream";
    server.fault(
        http::Method::POST,
        path,
        [Fault::status(409).json(json!({"detail": "busy"}))],
    );
    let r: Result<Vec<_>, _> =
        sse::stream_turn(&client(&server), "c", &TurnRequest::new("x")).collect();
    assert_eq!(r.expect_err("conflict").kind(), ErrorKind::Conflict);

    server.fault(
        http::Method::POST,
        path,
        [Fault::status(200).json(json!({"turn_id": "t"}))],
    );
    let r: Result<Vec<_>, _> =
        sse::stream_turn(&client(&server), "c", &TurnRequest::new("x")).collect();
    assert_eq!(r.expect_err("decode").kind(), ErrorKind::Decode);

    server.clear_requests();
    server.script_turn([TurnPart::text("event: token\ndata: {\"text\":\"a\"}\n\n")]);
    let items: Vec<_> = sse::stream_turn(&client(&server), "c", &TurnRequest::new("x")).collect();
    assert_eq!(items.len(), 2);
    let e = items[1].as_ref().expect_err("interrupted");
    assert_eq!(e.kind(), ErrorKind::Stream);
    assert_eq!(e.error_code(), Some("stream_interrupted"));
    assert_eq!(turn_requests(&server).len(), 1);
}

#[test]
fn dropping_a_turn_stream_closes_the_connection() {
    let server = MockServer::start();
    let mut script = vec![TurnPart::text("event: token\ndata: {\"text\":\"a\"}\n\n")];
    for _ in 0..200 {
        script.push(TurnPart::Pause(Duration::from_millis(10)));
        script.push(TurnPart::text(": keep-alive\n"));
    }
    server.script_turn(script);
    let mut stream = sse::stream_turn(&client(&server), "c", &TurnRequest::new("x"));
    assert!(matches!(stream.next(), Some(Ok(TurnEvent::Token(_)))));
    assert_eq!(server.open_turn_streams(), 1);
    drop(stream);
    let started = Instant::now();
    while server.open_turn_streams() > 0 {
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "connection still open"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_cancel_token_ends_a_turn_stream_blocked_in_its_body() {
    let server = MockServer::start();
    // One event, then a body that stays silent for 20 s.
    server.script_turn([
        TurnPart::text("event: token\ndata: {\"text\":\"a\"}\n\n"),
        TurnPart::Pause(Duration::from_secs(20)),
        TurnPart::text("event: done\ndata: {}\n\n"),
    ]);
    let token = CancelToken::new();
    let options = RequestOptions::new().cancel_token(token.clone());
    let client = client(&server);
    let mut stream = sse::stream_turn_with(&client, "c", &TurnRequest::new("x"), None, options);
    assert!(matches!(stream.next(), Some(Ok(TurnEvent::Token(_)))));
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        token.cancel();
    });
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
