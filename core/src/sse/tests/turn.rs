//! Fake-clock tests of the turn stream.

use bytes::Bytes;
use web_time::{Instant, SystemTime};

use crate::call::attempt::AttemptOutcome;
use crate::call::retry::Time;
use crate::error::{Error, ErrorKind, TransportErrorKind};
use crate::sse::*;
use crate::{Config, RequestOptions};

fn t() -> Time {
    Time {
        now: Instant::now(),
        wall: SystemTime::now(),
    }
}

fn config() -> Config {
    Config::builder()
        .api_key("sk-test")
        .workspace_id("ws-001")
        .base_url("http://127.0.0.1:9")
        .build()
        .expect("config")
}

enum Reply {
    Status(u16, &'static str, &'static str),
    Stream(Vec<Vec<u8>>, bool),
}

struct Out {
    requests: Vec<http::Request<Bytes>>,
    events: Vec<TurnEvent>,
    result: Result<(), Error>,
}

fn drive(op: TurnStreamOp, replies: Vec<Reply>) -> Out {
    let cfg = config();
    let mut s = TurnSession::new(op, &cfg, &RequestOptions::new(), None, 3, t());
    let mut replies: std::collections::VecDeque<Reply> = replies.into();
    let mut body: std::collections::VecDeque<Vec<u8>> = Default::default();
    let mut read_error = false;
    let mut requests = Vec::new();
    let mut events = Vec::new();
    for _ in 0..10_000 {
        match s.poll(t()) {
            TurnStep::Send(a) => {
                requests.push(a.request);
                match replies.pop_front() {
                    Some(Reply::Status(code, ct, text)) => {
                        let resp = http::Response::builder()
                            .status(code)
                            .header("content-type", ct)
                            .body(Bytes::from_static(text.as_bytes()))
                            .expect("resp");
                        s.handle_outcome(AttemptOutcome::Response(resp), t());
                    }
                    Some(Reply::Stream(chunks, err)) => {
                        let (head, _) = http::Response::builder()
                            .header("content-type", "text/event-stream")
                            .body(())
                            .expect("head")
                            .into_parts();
                        s.handle_head(head, t());
                        body = chunks.into();
                        read_error = err;
                    }
                    None => s.handle_outcome(
                        AttemptOutcome::Failed(Error::network(TransportErrorKind::Connect, "no")),
                        t(),
                    ),
                }
            }
            TurnStep::Wait(_) => {}
            TurnStep::Read(_) => match body.pop_front() {
                Some(c) => s.handle_chunk(&c, t()),
                None if read_error => {
                    s.handle_read_error(Error::network(TransportErrorKind::Read, "cut"), t())
                }
                None => s.handle_eof(t()),
            },
            TurnStep::Item(e) => events.push(e),
            TurnStep::Refresh(_) => panic!("refresh"),
            TurnStep::Done(result) => {
                return Out {
                    requests,
                    events,
                    result,
                }
            }
        }
    }
    panic!("unbounded")
}

const FULL: &str = "event: token\ndata: {\"text\":\"Hel\"}\n\n\
event: token\ndata: {\"text\":\"lo\"}\n\n\
event: token\ndata: {\"text\":\"!\"}\n\n\
event: thinking\ndata: {\"tier\":2,\"tier_name\":\"deep\"}\n\n\
event: tool_call_started\ndata: {\"call_id\":\"c1\",\"input\":\"{}\",\"tool_name\":\"lookup\"}\n\n\
event: tool_call_completed\ndata: {\"call_id\":\"c1\",\"result\":\"ok\",\"succeeded\":true,\"tool_name\":\"lookup\"}\n\n\
event: message\ndata: {\"role\":\"agent\",\"text\":\"Hello!\"}\n\n\
event: done\ndata: {\"conversation_id\":\"00000000-0000-0000-0000-000000000001\",\"status\":\"active\",\"turn_count\":3}\n\n";

fn op() -> TurnStreamOp {
    TurnStreamOp::new("conv-1", &serde_json::json!({"message": "hi"})).expect("op")
}

fn names(events: &[TurnEvent]) -> Vec<&'static str> {
    events
        .iter()
        .map(|e| match e {
            TurnEvent::Token(_) => "token",
            TurnEvent::Thinking(_) => "thinking",
            TurnEvent::ToolCallStarted(_) => "tool_call_started",
            TurnEvent::ToolCallCompleted(_) => "tool_call_completed",
            TurnEvent::Message(_) => "message",
            TurnEvent::Done(_) => "done",
            TurnEvent::Error(_) => "error",
            _ => "other",
        })
        .collect()
}

#[test]
fn yields_every_event_type_in_order() {
    let out = drive(
        op(),
        vec![Reply::Stream(vec![FULL.as_bytes().to_vec()], false)],
    );
    out.result.expect("ok");
    assert_eq!(
        names(&out.events),
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
    let TurnEvent::ToolCallStarted(s) = &out.events[4] else {
        panic!()
    };
    assert_eq!(
        (s.call_id.as_str(), s.input.as_str(), s.tool_name.as_str()),
        ("c1", "{}", "lookup")
    );
    let TurnEvent::Done(d) = &out.events[7] else {
        panic!()
    };
    assert_eq!(d.turn_count, 3);
    let req = &out.requests[0];
    assert_eq!(req.method(), http::Method::POST);
    assert_eq!(
        req.uri(),
        "http://127.0.0.1:9/v1/ws-001/conversations/conv-1/turns/stream"
    );
    assert_eq!(req.headers()["accept"], "text/event-stream");
    assert_eq!(req.headers()["content-type"], "application/json");
    assert_eq!(req.body().as_ref(), br#"{"message":"hi"}"#);
}

#[test]
fn include_tool_calls_only_when_set() {
    let out = drive(
        op().include_tool_calls(true),
        vec![Reply::Stream(vec![FULL.into()], false)],
    );
    assert!(out.requests[0]
        .uri()
        .to_string()
        .ends_with("/turns/stream?include_tool_calls=true"));
    let out = drive(
        op().include_tool_calls(false),
        vec![Reply::Stream(vec![FULL.into()], false)],
    );
    assert!(out.requests[0]
        .uri()
        .to_string()
        .ends_with("?include_tool_calls=false"));
}

#[test]
fn drops_unknown_bad_and_dataless_frames() {
    let body = ": comment\nretry: 10\n\nid: 5\nevent: token\ndata: {\"text\":\"a\"}\n\n\
event: mystery\ndata: {}\n\nevent: token\ndata: nope\n\nevent: token\n\ndata: {\"text\":\"no name\"}\n\n\
event: token\ndata: [1]\n\nevent: done\ndata: {}\n\n";
    let out = drive(op(), vec![Reply::Stream(vec![body.into()], false)]);
    out.result.expect("ok");
    assert_eq!(names(&out.events), ["token", "done"]);
}

#[test]
fn error_frames_keep_fields_without_defaults() {
    let body = "event: error\ndata: {\"code\":\"upstream_error\",\"message\":\"m\",\"status_code\":503,\"retryable\":true}\n\n\
event: error\ndata: {\"message\":\"legacy\"}\n\n";
    let out = drive(op(), vec![Reply::Stream(vec![body.into()], false)]);
    out.result.expect("ok");
    let TurnEvent::Error(a) = &out.events[0] else {
        panic!()
    };
    assert_eq!(a.code.as_deref(), Some("upstream_error"));
    assert_eq!(a.retryable, Some(true));
    assert_eq!(a.status_code, Some(503));
    let TurnEvent::Error(b) = &out.events[1] else {
        panic!()
    };
    assert_eq!(
        (b.code.clone(), b.retryable, b.status_code),
        (None, None, None)
    );
    assert_eq!(b.message, "legacy");
}

#[test]
fn frames_split_at_every_byte_are_reassembled() {
    let bytes = FULL.as_bytes();
    for cut in 0..=bytes.len() {
        let out = drive(
            op(),
            vec![Reply::Stream(
                vec![bytes[..cut].to_vec(), bytes[cut..].to_vec()],
                false,
            )],
        );
        assert_eq!(out.events.len(), 8, "cut {cut}");
        out.result.expect("ok");
    }
}

#[test]
fn api_errors_before_streaming_are_typed() {
    let out = drive(
        op(),
        vec![Reply::Status(
            409,
            "application/json",
            r#"{"detail":"busy"}"#,
        )],
    );
    let e = out.result.expect_err("conflict");
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert_eq!(out.requests.len(), 1);
    let out = drive(
        op(),
        vec![Reply::Status(200, "application/json", r#"{"turn_id":"t"}"#)],
    );
    let e = out.result.expect_err("decode");
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert_eq!(e.status(), None.or(e.status()));
    assert!(e.message().contains("application/json"));
}

#[test]
fn eof_or_read_error_before_done_is_stream_interrupted_and_never_reposted() {
    let partial = "event: token\ndata: {\"text\":\"a\"}\n\nevent: token\ndata: {\"te";
    for read_error in [false, true] {
        let out = drive(
            op(),
            vec![
                Reply::Stream(vec![partial.into()], read_error),
                Reply::Stream(vec![FULL.into()], false),
            ],
        );
        let e = out.result.expect_err("interrupted");
        assert_eq!(e.kind(), ErrorKind::Stream);
        assert_eq!(e.error_code(), Some("stream_interrupted"));
        assert_eq!(out.events.len(), 1);
        assert_eq!(out.requests.len(), 1);
    }
    // After done, a read error is a normal end.
    let out = drive(op(), vec![Reply::Stream(vec![FULL.into()], true)]);
    out.result.expect("ok");
}

#[test]
fn post_is_not_retried_on_503() {
    let out = drive(
        op(),
        vec![
            Reply::Status(503, "application/json", "{}"),
            Reply::Stream(vec![FULL.into()], false),
        ],
    );
    assert_eq!(
        out.result.expect_err("503").kind(),
        ErrorKind::ServiceUnavailable
    );
    assert_eq!(out.requests.len(), 1);
}

/// The JSON form of a turn (`create_turn`), as the generated operation builds it.
struct JsonTurn;

impl crate::Operation for JsonTurn {
    type Output = ();
    fn method(&self) -> http::Method {
        http::Method::POST
    }
    fn path_template(&self) -> &str {
        "/v1/{workspace_id}/conversations/{conversation_id}/turns"
    }
    fn operation_id(&self) -> &str {
        "create-turn"
    }
    fn parts(&self) -> Result<crate::RequestParts, Error> {
        Ok(crate::RequestParts::new()
            .path("conversation_id", "c 1")
            .body(crate::Body::json(&serde_json::json!({"message": "hi"}))?))
    }
    fn parse(&self, _: http::Response<Bytes>) -> Result<(), Error> {
        Ok(())
    }
}

#[test]
fn any_turn_operation_is_sent_as_an_event_stream_under_the_call_options() {
    let ctx = crate::CallContext {
        op: JsonTurn,
        config: std::sync::Arc::new(config()),
        options: RequestOptions::new()
            .header("x-call", "c")
            .header("accept", "application/json"),
        base_url: Some("http://10.0.0.1".into()),
    };
    let mut s = TurnSession::from_call(ctx, 3, t());
    let TurnStep::Send(a) = s.poll(t()) else {
        panic!("send")
    };
    let r = a.request;
    assert_eq!(r.method(), http::Method::POST);
    assert_eq!(
        r.uri(),
        "http://10.0.0.1/v1/ws-001/conversations/c%201/turns"
    );
    assert_eq!(
        r.headers()["accept"],
        "text/event-stream",
        "always a stream"
    );
    assert_eq!(r.headers()["x-call"], "c");
    assert_eq!(r.headers()["content-type"], "application/json");
    assert_eq!(&r.body()[..], br#"{"message":"hi"}"#);
}

#[test]
fn a_failed_session_sends_nothing_and_reports_its_error_once() {
    let mut s = TurnSession::failed(Error::config("cannot encode"));
    assert!(matches!(
        s.poll(t()),
        TurnStep::Done(Err(e)) if e.kind() == ErrorKind::Config
    ));
    assert!(matches!(s.poll(t()), TurnStep::Done(Ok(()))));
}

#[test]
fn turn_bodies_are_any_serializable_value() {
    let op = TurnStreamOp::new("c", &serde_json::json!({"message": "m", "media_url": null}))
        .expect("op");
    let sent: serde_json::Value = serde_json::from_slice(&op.body).expect("json");
    assert_eq!(sent, serde_json::json!({"message": "m", "media_url": null}));
    let op = TurnStreamOp::new("c", &serde_json::json!({"message": "hi"})).expect("op");
    assert_eq!(&op.body[..], br#"{"message":"hi"}"#);
}

#[test]
fn a_silent_open_turn_stream_ends_interrupted_after_the_idle_timeout() {
    let cfg = config();
    let op = TurnStreamOp::new("conv-1", &serde_json::json!({"message": "hi"})).expect("op");
    let start = t();
    let at = |secs: u64| Time {
        now: start.now + std::time::Duration::from_secs(secs),
        wall: start.wall,
    };
    let mut s = TurnSession::new(op, &cfg, &RequestOptions::new(), None, 3, start);
    let TurnStep::Send(attempt) = s.poll(at(0)) else {
        panic!("send first")
    };
    assert_eq!(attempt.read_timeout, Some(TURN_IDLE_TIMEOUT));
    let (head, _) = http::Response::builder()
        .header("content-type", "text/event-stream")
        .body(())
        .expect("head")
        .into_parts();
    s.handle_head(head, at(0));
    // Open: reads are bounded by the idle watchdog.
    let TurnStep::Read(Some(until)) = s.poll(at(0)) else {
        panic!("read with a limit")
    };
    assert_eq!(until, at(60).now);
    // Data moves the watchdog.
    s.handle_chunk(b": keep-alive\n", at(50));
    let TurnStep::Read(Some(until)) = s.poll(at(50)) else {
        panic!("read with a limit")
    };
    assert_eq!(until, at(110).now);
    // Silence past it ends the stream as interrupted (retryable), once.
    match s.poll(at(110)) {
        TurnStep::Done(Err(e)) => {
            assert_eq!(e.error_code(), Some("stream_interrupted"));
            assert!(e.message().contains("no data for 60 s"), "{}", e.message());
        }
        other => panic!("expected the end, got {other:?}"),
    }
    assert!(matches!(s.poll(at(111)), TurnStep::Done(Ok(()))));
}
