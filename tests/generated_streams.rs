//! The streaming forms of the generated surface (`.stream()` on `subscribe_to_workspace`,
//! `stream_turn` and `create_turn`) on both native transports, against the mock server: typed
//! events, resume after a fault, and the call's scope and per-call options reaching the stream.

use std::time::{Duration, Instant};

use amigo_platform_api::{models as m, ApiExt};
use amigo_platform_core::sse::{EventKind, SseOptions, StreamItem, StreamState, TurnEvent};
use amigo_platform_core::{CancelToken, Config, ErrorKind, RequestOptions, TimeoutScope};
use amigo_platform_testkit::sse::{StreamFault, TurnPart};
use amigo_platform_testkit::{Fault, MockServer, RecordedRequest};
use serde_json::json;

const WS: &str = MockServer::WORKSPACE_ID;
const CONV: &str = "00000000-0000-4000-8000-0000000000c1";
const EVENTS: &str = "/v1/{ws}/events/stream";
const TURNS: &str = "/v1/{ws}/conversations/{id}/turns";
const TURN_STREAM: &str = "/v1/{ws}/conversations/{id}/turns/stream";

fn config(server: &MockServer) -> Config {
    Config::builder()
        .api_key(MockServer::API_KEY)
        .workspace_id(WS)
        .base_url(server.base_url())
        .build()
        .expect("config")
}

/// A text turn.
fn turn(message: &str) -> m::TurnRequest {
    m::TurnRequest::new(message)
}

/// Fast reconnects: the server's `retry: 3000` is clamped to 5 ms.
fn fast() -> SseOptions {
    SseOptions::new().delays(Duration::from_millis(1), Duration::from_millis(5))
}

fn requests_to(server: &MockServer, suffix: &str) -> Vec<RecordedRequest> {
    server
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with(suffix))
        .collect()
}

/// An SSE answer to a non-`/stream` turn request (the mock only streams `/turns/stream`).
fn sse_answer() -> Fault {
    Fault::status(200)
        .header("content-type", "text/event-stream")
        .body(
            "event: token\ndata: {\"text\":\"Hi\"}\n\n\
             event: done\ndata: {\"conversation_id\":\"c\",\"status\":\"active\",\"turn_count\":2}\n\n",
        )
}

/// A turn script that sends one token, then keeps the connection open for about 2 s.
fn slow_turn() -> Vec<TurnPart> {
    let mut script = vec![TurnPart::text("event: token\ndata: {\"text\":\"a\"}\n\n")];
    for _ in 0..200 {
        script.push(TurnPart::Pause(Duration::from_millis(10)));
        script.push(TurnPart::text(": keep-alive\n"));
    }
    script
}

fn assert_typed_default_script(events: &[TurnEvent]) {
    assert_eq!(events.len(), 8, "{events:?}");
    assert!(matches!(&events[0], TurnEvent::Token(t) if t.text == "Hel"));
    assert!(matches!(&events[3], TurnEvent::Thinking(t) if t.tier_name == "fast"));
    assert!(matches!(&events[4], TurnEvent::ToolCallStarted(t) if t.tool_name == "lookup"));
    assert!(matches!(&events[5], TurnEvent::ToolCallCompleted(t) if t.succeeded));
    assert!(matches!(&events[6], TurnEvent::Message(t) if t.text == "Hello!"));
    assert!(matches!(&events[7], TurnEvent::Done(d) if d.turn_count == 1));
}

fn assert_stream_request(r: &RecordedRequest) {
    assert_eq!(r.header("accept"), Some("text/event-stream"));
    assert_eq!(r.header("authorization"), Some("Bearer test-api-key"));
}

// ---------------------------------------------------------------------------------------------
// Blocking (ureq)
// ---------------------------------------------------------------------------------------------

mod blocking {
    use super::*;
    use amigo_platform_ureq::sse;

    fn client(server: &MockServer) -> amigo_platform_ureq::Client {
        amigo_platform_ureq::Client::new(config(server))
    }

    #[test]
    fn stream_turn_yields_typed_events_under_scope_and_call_options() {
        let server = MockServer::start();
        let client = client(&server).with_options(RequestOptions::new().header("x-scope", "s1"));
        let api = client.api();
        let conversations = api
            .conversations()
            .with_options(RequestOptions::new().header("x-namespace", "n1"));
        let events: Vec<TurnEvent> = conversations
            .stream_turn(CONV, turn("hi"))
            .include_tool_calls(true)
            .header("x-call", "c1")
            .stream()
            .collect::<Result<_, _>>()
            .expect("turn events");
        assert_typed_default_script(&events);
        let reqs = requests_to(&server, "/turns/stream");
        assert_eq!(reqs.len(), 1);
        let r = &reqs[0];
        assert_eq!(r.method, http::Method::POST);
        assert_eq!(
            r.uri(),
            format!("/v1/{WS}/conversations/{CONV}/turns/stream?include_tool_calls=true")
        );
        assert_stream_request(r);
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.header("x-scope"), Some("s1"));
        assert_eq!(r.header("x-namespace"), Some("n1"));
        assert_eq!(r.header("x-call"), Some("c1"));
        assert_eq!(r.json(), Some(json!({"message": "hi"})));
    }

    #[test]
    fn create_turn_stream_form_asks_for_an_event_stream() {
        let server = MockServer::start();
        server.fault(http::Method::POST, TURNS, [sse_answer()]);
        let events: Vec<TurnEvent> = client(&server)
            .api()
            .conversations()
            .create_turn(CONV, turn("hello"))
            .stream()
            .collect::<Result<_, _>>()
            .expect("turn events");
        assert_eq!(events.len(), 2);
        assert!(matches!(&events[0], TurnEvent::Token(t) if t.text == "Hi"));
        assert!(matches!(&events[1], TurnEvent::Done(d) if d.turn_count == 2));
        let reqs = requests_to(&server, "/turns");
        assert_eq!(reqs.len(), 1);
        assert_eq!(reqs[0].path, format!("/v1/{WS}/conversations/{CONV}/turns"));
        assert_stream_request(&reqs[0]);
        assert_eq!(reqs[0].json(), Some(json!({"message": "hello"})));
    }

    #[test]
    fn subscription_yields_typed_events_and_resumes_after_a_fault() {
        let server = MockServer::start();
        let first = server.publish_event(
            WS,
            "call.started",
            json!({"call_sid": "CA1", "direction": "inbound"}),
        );
        server.publish_event(WS, "call.ended", json!({"call_sid": "CA1"}));
        server.sse_fault([StreamFault::DropMidEvent(1)]);
        let client = client(&server).with_options(RequestOptions::new().header("x-scope", "s1"));
        let mut events = Vec::new();
        let mut reconnects = 0;
        let subscription = client
            .api()
            .events()
            .subscribe_to_workspace()
            .header("x-call", "c1")
            .stream_with(fast());
        for item in subscription {
            match item.expect("item") {
                StreamItem::Event(e) => events.push(e),
                StreamItem::State(StreamState::Reconnecting { .. }) => reconnects += 1,
                StreamItem::State(_) => {}
            }
            if events.len() == 2 {
                break;
            }
        }
        assert!(matches!(&events[0].kind, EventKind::CallStarted(c) if c.call_sid == "CA1"));
        assert_eq!(events[0].id.as_deref(), Some(first.as_str()));
        assert_eq!(events[1].event_type, "call.ended");
        assert_eq!(reconnects, 1);
        let reqs = requests_to(&server, "/events/stream");
        assert_eq!(reqs.len(), 2, "one drop, one resume");
        for r in &reqs {
            assert_eq!(r.method, http::Method::GET);
            assert_eq!(r.path, format!("/v1/{WS}/events/stream"));
            assert_stream_request(r);
            assert_eq!(r.header("x-scope"), Some("s1"));
            assert_eq!(r.header("x-call"), Some("c1"));
        }
        assert_eq!(reqs[0].header("last-event-id"), None);
        assert_eq!(reqs[1].header("last-event-id"), Some(first.as_str()));
    }

    #[test]
    fn subscription_with_default_options_and_events_filter() {
        let server = MockServer::start();
        server.publish_event(WS, "surface.opened", json!({"surface_id": "s-1"}));
        let client = client(&server);
        let subscription = client.api().events().subscribe_to_workspace().stream();
        let handle = subscription.handle();
        let event = subscription
            .events()
            .next()
            .expect("an event")
            .expect("no error");
        handle.close();
        assert!(matches!(&event.kind, EventKind::SurfaceOpened(s) if s.surface_id == "s-1"));
    }

    #[test]
    fn per_call_timeout_bounds_each_connect() {
        let server = MockServer::start();
        server.fault(
            http::Method::GET,
            EVENTS,
            [Fault::pass().delay(Duration::from_secs(2))],
        );
        let started = Instant::now();
        let items: Vec<_> = client(&server)
            .api()
            .events()
            .subscribe_to_workspace()
            .timeout(Duration::from_millis(150))
            .max_attempts(1)
            .stream_with(fast().max_reconnects(Some(0)))
            .collect();
        assert!(started.elapsed() < Duration::from_millis(1500));
        let e = items
            .iter()
            .find_map(|i| i.as_ref().err())
            .expect("exhausted");
        assert_eq!(e.error_code(), Some("transport_exhausted"));
        assert!(e.message().contains("timed out"), "{}", e.message());

        server.fault(
            http::Method::POST,
            TURN_STREAM,
            [Fault::pass().delay(Duration::from_secs(2))],
        );
        let started = Instant::now();
        let r: Result<Vec<_>, _> = client(&server)
            .api()
            .conversations()
            .stream_turn(CONV, turn("x"))
            .timeout(Duration::from_millis(150))
            .stream()
            .collect();
        assert!(started.elapsed() < Duration::from_millis(1500));
        let e = r.expect_err("timeout");
        assert_eq!(e.kind(), ErrorKind::Timeout);
    }

    #[test]
    fn deadline_bounds_the_whole_stream() {
        let server = MockServer::start();
        server.script_turn(slow_turn());
        let started = Instant::now();
        let items: Vec<_> = client(&server)
            .api()
            .conversations()
            .stream_turn(CONV, turn("x"))
            .deadline(Duration::from_millis(300))
            .stream()
            .collect();
        assert!(started.elapsed() < Duration::from_millis(1500));
        assert_eq!(items.len(), 2, "{items:?}");
        assert!(matches!(&items[0], Ok(TurnEvent::Token(_))));
        let e = items[1].as_ref().expect_err("deadline");
        assert_eq!(e.kind(), ErrorKind::Timeout);
        assert_eq!(
            e.timeout_info().map(|(_, scope)| scope),
            Some(TimeoutScope::Deadline)
        );

        // A scope deadline ends an otherwise idle subscription.
        let scoped = client(&server)
            .with_options(RequestOptions::new().deadline(Duration::from_millis(300)));
        let started = Instant::now();
        let subscription = scoped
            .api()
            .events()
            .subscribe_to_workspace()
            .stream_with(fast());
        // If the deadline did not apply, this closer ends the test with a failed assertion
        // instead of a hang.
        let handle = subscription.handle();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs(3));
            handle.close();
        });
        let items: Vec<_> = subscription.collect();
        let elapsed = started.elapsed();
        assert!(elapsed >= Duration::from_millis(250), "{elapsed:?}");
        assert!(elapsed < Duration::from_millis(2000), "{elapsed:?}");
        let errors: Vec<_> = items.iter().filter_map(|i| i.as_ref().err()).collect();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].kind(), ErrorKind::Timeout);
        assert!(matches!(
            items.last(),
            Some(Err(e)) if e.timeout_info().is_some_and(|(_, s)| s == TimeoutScope::Deadline)
        ));
        assert_eq!(requests_to(&server, "/events/stream").len(), 1);
    }

    #[test]
    fn scope_cancel_token_and_per_call_base_url_apply() {
        let server = MockServer::start();
        let token = CancelToken::new();
        token.cancel();
        let cancelled = client(&server).with_options(RequestOptions::new().cancel_token(token));
        let items: Vec<_> = cancelled
            .api()
            .events()
            .subscribe_to_workspace()
            .stream_with(fast())
            .collect();
        assert!(items.iter().all(|i| i.is_ok()), "ends silently");
        let r: Result<Vec<_>, _> = cancelled
            .api()
            .conversations()
            .stream_turn(CONV, turn("x"))
            .stream()
            .collect();
        assert_eq!(r.expect_err("cancelled").kind(), ErrorKind::Cancelled);
        assert!(server.requests().is_empty(), "nothing sent");

        let other = MockServer::start();
        let events: Vec<_> = client(&server)
            .api()
            .conversations()
            .stream_turn(CONV, turn("x"))
            .base_url(&other.base_url())
            .stream()
            .collect::<Result<_, _>>()
            .expect("events");
        assert_typed_default_script(&events);
        assert!(server.requests().is_empty());
        assert_eq!(requests_to(&other, "/turns/stream").len(), 1);
    }

    #[test]
    fn transport_helpers_take_the_generated_body_and_the_client_scope() {
        let server = MockServer::start();
        let client = client(&server).with_options(RequestOptions::new().header("x-scope", "s1"));
        let events: Vec<_> = sse::stream_turn(&client, CONV, &turn("hi"))
            .collect::<Result<_, _>>()
            .expect("events");
        assert_typed_default_script(&events);
        let reqs = requests_to(&server, "/turns/stream");
        assert_eq!(reqs[0].header("x-scope"), Some("s1"));
        assert_eq!(reqs[0].json(), Some(json!({"message": "hi"})));

        server.publish_event(WS, "call.started", json!({}));
        let subscription = sse::subscribe(&client, fast());
        let handle = subscription.handle();
        let first = subscription.events().next().expect("event").expect("ok");
        handle.close();
        assert_eq!(first.event_type, "call.started");
        let reqs = requests_to(&server, "/events/stream");
        assert_eq!(reqs[0].header("x-scope"), Some("s1"));
        assert_stream_request(&reqs[0]);
    }
}

// ---------------------------------------------------------------------------------------------
// Async (hyper)
// ---------------------------------------------------------------------------------------------

mod asynchronous {
    use super::*;

    fn client(server: &MockServer) -> amigo_platform_hyper::Client {
        amigo_platform_hyper::Client::new(config(server))
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn stream_turn_and_create_turn_yield_typed_events_under_options() {
        let server = MockServer::start();
        let client = client(&server).with_options(RequestOptions::new().header("x-scope", "s1"));
        let mut stream = client
            .api()
            .conversations()
            .stream_turn(CONV, turn("hi"))
            .header("x-call", "c1")
            .stream();
        let mut events = Vec::new();
        while let Some(e) = stream.next_item().await {
            events.push(e.expect("event"));
        }
        assert_typed_default_script(&events);
        let reqs = requests_to(&server, "/turns/stream");
        assert_eq!(reqs.len(), 1);
        assert_eq!(reqs[0].query, None);
        assert_stream_request(&reqs[0]);
        assert_eq!(reqs[0].header("x-scope"), Some("s1"));
        assert_eq!(reqs[0].header("x-call"), Some("c1"));
        assert_eq!(reqs[0].json(), Some(json!({"message": "hi"})));

        server.fault(http::Method::POST, TURNS, [sse_answer()]);
        let mut stream = client
            .api()
            .conversations()
            .create_turn(CONV, turn("hello"))
            .stream();
        let mut events = Vec::new();
        while let Some(e) = stream.next_item().await {
            events.push(e.expect("event"));
        }
        assert!(matches!(
            &events[..],
            [TurnEvent::Token(_), TurnEvent::Done(_)]
        ));
        let reqs = requests_to(&server, "/turns");
        assert_eq!(reqs.len(), 1);
        assert_stream_request(&reqs[0]);
        assert_eq!(reqs[0].header("x-scope"), Some("s1"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn subscription_resumes_after_a_fault_with_scope_headers() {
        let server = MockServer::start();
        let first = server.publish_event(WS, "call.started", json!({"call_sid": "CA1"}));
        server.publish_event(WS, "call.ended", json!({"call_sid": "CA1"}));
        server.sse_fault([StreamFault::DropMidEvent(1)]);
        let client = client(&server).with_options(RequestOptions::new().header("x-scope", "s1"));
        let mut sub = client
            .api()
            .events()
            .subscribe_to_workspace()
            .header("x-call", "c1")
            .stream_with(fast());
        let a = sub.next_event().await.expect("first").expect("ok");
        let b = sub.next_event().await.expect("second").expect("ok");
        sub.close();
        assert!(sub.next_event().await.is_none(), "closed");
        assert!(matches!(&a.kind, EventKind::CallStarted(c) if c.call_sid == "CA1"));
        assert_eq!(b.event_type, "call.ended");
        let reqs = requests_to(&server, "/events/stream");
        assert_eq!(reqs.len(), 2);
        for r in &reqs {
            assert_stream_request(r);
            assert_eq!(r.header("x-scope"), Some("s1"));
            assert_eq!(r.header("x-call"), Some("c1"));
        }
        assert_eq!(reqs[1].header("last-event-id"), Some(first.as_str()));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn timeout_and_deadline_apply() {
        let server = MockServer::start();
        server.fault(
            http::Method::GET,
            EVENTS,
            [Fault::pass().delay(Duration::from_secs(2))],
        );
        let started = Instant::now();
        let mut sub = client(&server)
            .api()
            .events()
            .subscribe_to_workspace()
            .timeout(Duration::from_millis(150))
            .max_attempts(1)
            .stream_with(fast().max_reconnects(Some(0)));
        let e = sub
            .next_event()
            .await
            .expect("an item")
            .expect_err("exhausted");
        assert!(started.elapsed() < Duration::from_millis(1500));
        assert_eq!(e.error_code(), Some("transport_exhausted"));
        assert!(e.message().contains("timed out"), "{}", e.message());

        server.script_turn(slow_turn());
        let started = Instant::now();
        let mut stream = client(&server)
            .with_options(RequestOptions::new().deadline(Duration::from_millis(300)))
            .api()
            .conversations()
            .stream_turn(CONV, turn("x"))
            .stream();
        assert!(matches!(
            stream.next_item().await,
            Some(Ok(TurnEvent::Token(_)))
        ));
        let e = stream
            .next_item()
            .await
            .expect("an item")
            .expect_err("deadline");
        assert!(started.elapsed() < Duration::from_millis(1500));
        assert_eq!(e.kind(), ErrorKind::Timeout);
        assert_eq!(
            e.timeout_info().map(|(_, s)| s),
            Some(TimeoutScope::Deadline)
        );
        assert!(stream.next_item().await.is_none());
    }
}
