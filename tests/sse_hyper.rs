//! The async SSE transport against the mock server on 127.0.0.1.

use std::time::{Duration, Instant};

use amigo_platform_api::models::TurnRequest;
use amigo_platform_core::sse::{EventKind, SseOptions, StreamState, TurnEvent};
use amigo_platform_core::{Config, ErrorKind};
use amigo_platform_hyper::sse::{self, StreamItem};
use amigo_platform_testkit::sse::{StreamFault, TurnPart};
use amigo_platform_testkit::{Fault, MockServer};
use serde_json::json;

const WS: &str = MockServer::WORKSPACE_ID;

fn client(server: &MockServer) -> amigo_platform_hyper::Client {
    amigo_platform_hyper::Client::new(
        Config::builder()
            .api_key(MockServer::API_KEY)
            .workspace_id(WS)
            .base_url(server.base_url())
            .build()
            .expect("config"),
    )
}

fn fast() -> SseOptions {
    SseOptions::new().delays(Duration::from_millis(1), Duration::from_millis(5))
}

fn count(server: &MockServer, suffix: &str) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.path.ends_with(suffix))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn happy_path_resume_and_drop_cancels() {
    let server = MockServer::start();
    let first = server.publish_event(WS, "call.started", json!({"call_sid": "CA1"}));
    server.publish_event(WS, "call.ended", json!({"call_sid": "CA1"}));
    server.sse_fault([StreamFault::DropMidEvent(1)]);
    let mut sub = sse::subscribe(&client(&server), fast());
    let mut events = Vec::new();
    let mut reconnects = 0;
    while let Some(item) = sub.next_item().await {
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
    let reqs: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/events/stream"))
        .collect();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].header("accept"), Some("text/event-stream"));
    assert_eq!(reqs[1].header("last-event-id"), Some(first.as_str()));
    assert_eq!(server.sse_open_streams(), 1);
    drop(sub);
    let started = Instant::now();
    while server.sse_open_streams() > 0 {
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "stream still served"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terminal_outcomes() {
    let server = MockServer::start();
    server.fault(
        http::Method::GET,
        "/v1/{ws}/events/stream",
        [Fault::status(401)],
    );
    let mut sub = sse::subscribe(&client(&server), fast());
    let mut errors = Vec::new();
    while let Some(item) = sub.next_item().await {
        if let Err(e) = item {
            errors.push(e);
        }
    }
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].kind(), ErrorKind::Authentication);
    assert_eq!(count(&server, "/events/stream"), 1);

    server.sse_fault([StreamFault::TooManyStreams]);
    let mut sub = sse::subscribe(&client(&server), fast());
    let mut errors = Vec::new();
    while let Some(item) = sub.next_item().await {
        if let Err(e) = item {
            errors.push(e);
        }
    }
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].error_code(), Some("too_many_streams"));
    assert_eq!(count(&server, "/events/stream"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_handle_ends_an_idle_subscription() {
    let server = MockServer::start();
    let mut sub = sse::subscribe(&client(&server), fast());
    let handle = sub.handle();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        handle.close();
    });
    let started = Instant::now();
    while let Some(item) = sub.next_item().await {
        item.expect("no error");
    }
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(count(&server, "/events/stream"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn turn_streams() {
    let server = MockServer::start();
    let mut stream = sse::stream_turn(&client(&server), "conv-1", &TurnRequest::new("hi"));
    let mut events = Vec::new();
    while let Some(e) = stream.next_item().await {
        events.push(e.expect("event"));
    }
    assert_eq!(events.len(), 8);
    assert!(matches!(events.last(), Some(TurnEvent::Done(_))));

    server.script_turn([TurnPart::text("event: token\ndata: {\"text\":\"a\"}\n\n")]);
    let mut stream = sse::stream_turn(&client(&server), "conv-1", &TurnRequest::new("hi"));
    assert!(matches!(
        stream.next_item().await,
        Some(Ok(TurnEvent::Token(_)))
    ));
    let e = stream
        .next_item()
        .await
        .expect("item")
        .expect_err("interrupted");
    assert_eq!(e.error_code(), Some("stream_interrupted"));
    assert!(stream.next_item().await.is_none());
    assert_eq!(count(&server, "/turns/stream"), 2);

    let mut script = vec![TurnPart::text("event: token\ndata: {\"text\":\"a\"}\n\n")];
    for _ in 0..200 {
        script.push(TurnPart::Pause(Duration::from_millis(10)));
        script.push(TurnPart::text(": keep-alive\n"));
    }
    server.script_turn(script);
    let mut stream = sse::stream_turn(&client(&server), "conv-1", &TurnRequest::new("hi"));
    assert!(matches!(
        stream.next_item().await,
        Some(Ok(TurnEvent::Token(_)))
    ));
    drop(stream);
    let started = Instant::now();
    while server.open_turn_streams() > 0 {
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "turn connection still open"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
