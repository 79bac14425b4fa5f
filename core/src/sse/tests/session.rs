//! Fake-clock tests of the workspace event session.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde_json::json;
use web_time::{Instant, SystemTime};

use crate::call::attempt::AttemptOutcome;
use crate::call::backoff::FixedRandom;
use crate::call::retry::Time;
use crate::error::{Error, ErrorKind, TransportErrorKind};
use crate::sse::*;
use crate::{CancelToken, Config};

fn config() -> Arc<Config> {
    Arc::new(
        Config::builder()
            .api_key("sk-secret-key")
            .workspace_id("ws-001")
            .base_url("http://127.0.0.1:9")
            .build()
            .expect("config"),
    )
}

fn session(opts: SseOptions) -> SseSession {
    // u32::MAX: every jittered sleep is just below its ceiling, so delays are observable.
    SseSession::new(config(), opts, 1).with_random(Box::new(FixedRandom(vec![u32::MAX], 0)))
}

#[derive(Debug)]
enum End {
    Eof,
    ReadError,
    Stall,
}

#[derive(Debug)]
enum Conn {
    Status(u16),
    Stream(Vec<String>, End),
}

fn stream(chunks: &[&str], end: End) -> Conn {
    Conn::Stream(chunks.iter().map(|c| (*c).to_owned()).collect(), end)
}

#[derive(Debug, Default)]
struct Run {
    events: Vec<WorkspaceEvent>,
    states: Vec<StreamState>,
    requests: Vec<http::Request<Bytes>>,
    done: Option<Option<Error>>,
}

impl Run {
    fn reconnects(&self) -> Vec<(u32, Duration, String)> {
        self.states
            .iter()
            .filter_map(|s| match s {
                StreamState::Reconnecting {
                    attempt,
                    delay,
                    cause,
                } => Some((*attempt, *delay, cause.clone())),
                _ => None,
            })
            .collect()
    }
    fn last_event_ids(&self) -> Vec<Option<String>> {
        self.requests
            .iter()
            .map(|r| {
                r.headers()
                    .get("last-event-id")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            })
            .collect()
    }
    fn error(&self) -> Option<&Error> {
        self.done.as_ref().and_then(Option::as_ref)
    }
}

struct Clock {
    now: Instant,
    wall: SystemTime,
}

impl Clock {
    fn new() -> Clock {
        Clock {
            now: Instant::now(),
            wall: SystemTime::now(),
        }
    }
    fn t(&self) -> Time {
        Time {
            now: self.now,
            wall: self.wall,
        }
    }
    fn advance_to(&mut self, at: Instant) {
        if at > self.now {
            let d = at - self.now;
            self.now = at;
            self.wall += d;
        }
    }
}

/// Drives `s` over scripted connections; stops at `Done`, when a connect finds no script, or
/// after `max` steps. `on_event` may cancel the session.
fn run_with(
    s: &mut SseSession,
    clock: &mut Clock,
    conns: Vec<Conn>,
    max: usize,
    on_event: &mut dyn FnMut(&WorkspaceEvent, &SseSession),
) -> Run {
    let mut conns: VecDeque<Conn> = conns.into();
    let mut current: Option<(VecDeque<String>, End)> = None;
    let mut run = Run::default();
    for _ in 0..max {
        match s.poll(clock.t()) {
            SseStep::Send(a) => {
                current = None;
                run.requests.push(a.request);
                match conns.pop_front() {
                    None => return run,
                    Some(Conn::Status(code)) => {
                        let resp = http::Response::builder()
                            .status(code)
                            .header("content-type", "application/json")
                            .body(Bytes::from_static(br#"{"detail":"nope"}"#))
                            .expect("response");
                        s.handle_outcome(AttemptOutcome::Response(resp), clock.t());
                    }
                    Some(Conn::Stream(chunks, end)) => {
                        let (head, _) = http::Response::builder()
                            .header("content-type", "text/event-stream; charset=utf-8")
                            .body(())
                            .expect("head")
                            .into_parts();
                        s.handle_head(head, clock.t());
                        current = Some((chunks.into(), end));
                    }
                }
            }
            SseStep::Read(until) => match current.as_mut() {
                Some((chunks, end)) => match chunks.pop_front() {
                    Some(c) => s.handle_chunk(c.as_bytes(), clock.t()),
                    None => match end {
                        End::Eof => s.handle_eof(clock.t()),
                        End::ReadError => s.handle_read_error(
                            Error::network(TransportErrorKind::ConnectionReset, "reset"),
                            clock.t(),
                        ),
                        End::Stall => match until {
                            Some(at) => clock.advance_to(at),
                            None => return run,
                        },
                    },
                },
                None => return run,
            },
            SseStep::Wait(until) => {
                current = None;
                clock.advance_to(until);
            }
            SseStep::Item(StreamItem::Event(e)) => {
                on_event(&e, s);
                run.events.push(e);
            }
            SseStep::Item(StreamItem::State(st)) => run.states.push(st),
            SseStep::Done(e) => {
                run.done = Some(e.err());
                return run;
            }
            SseStep::Refresh(_) => panic!("an API key never refreshes"),
        }
    }
    run
}

fn run(s: &mut SseSession, conns: Vec<Conn>) -> Run {
    let mut clock = Clock::new();
    run_with(s, &mut clock, conns, 10_000, &mut |_, _| {})
}

const HAPPY: &str = "retry: 3000\n\nid: 0\nevent: stream.opened\ndata: {\"code\":\"ok\",\"connection_id\":\"c-1\",\"max_streams_per_workspace\":50}\n\n\
id: 1700000000000\nevent: call.started\ndata: {\"call_sid\":\"CA1\",\"direction\":\"inbound\",\"service_id\":\"s-1\",\"event_type\":\"bogus\"}\n\n\
: heartbeat 1700000000\n\n\
id: 1700000000001\nevent: pipeline.error\ndata: {\"data_source_id\":\"d-1\",\"error\":\"boom\",\"pipeline_name\":\"p\"}\n\n\
id: 1700000000002\nevent: call.ended\ndata: {\"call_sid\":\"CA1\",\"completion_reason\":\"completed\",\"direction\":\"inbound\",\"duration_seconds\":12.5}\n\n";

#[test]
fn there_are_45_workspace_event_types() {
    assert_eq!(EventKind::NAMES.len(), 45);
    assert_eq!(TurnEventKind::NAMES.len(), 7);
}

#[test]
fn happy_path_delivers_typed_events_in_order() {
    let mut s = session(SseOptions::new().max_reconnects(Some(0)));
    let r = run(&mut s, vec![stream(&[HAPPY], End::Eof)]);
    let names: Vec<&str> = r.events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(names, ["call.started", "pipeline.error", "call.ended"]);
    assert_eq!(r.events[0].data["event_type"], "call.started");
    assert_eq!(r.events[0].id.as_deref(), Some("1700000000000"));
    match &r.events[0].kind {
        EventKind::CallStarted(c) => {
            assert_eq!(c.call_sid, "CA1");
            assert_eq!(c.direction, "inbound");
            assert_eq!(c.caller_id, None);
        }
        other => panic!("unexpected {other:?}"),
    }
    match &r.events[1].kind {
        EventKind::PipelineError(p) => assert_eq!(p.error, "boom"),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(r.events[1].data["pipeline_name"], "p");
    match &r.events[2].kind {
        EventKind::CallEnded(c) => {
            assert_eq!(c.duration_seconds, 12.5);
            assert_eq!(c.escalated, None);
        }
        other => panic!("unexpected {other:?}"),
    }
    // stream.opened is a state signal.
    assert!(r.states.iter().any(|s| matches!(s, StreamState::Opened(o)
        if o.connection_id.as_deref() == Some("c-1") && o.max_streams_per_workspace == Some(50))));
    // max_reconnects 0 and a clean EOF: one terminal error naming the budget.
    let e = r.error().expect("terminal error");
    assert_eq!(e.kind(), ErrorKind::EventStream);
    assert_eq!(e.error_code(), Some("transport_exhausted"));
    assert_eq!(e.retryable(), Some(true));
    assert!(
        e.message().contains("reconnect budget (0)"),
        "{}",
        e.message()
    );
    assert!(e.message().contains("Stream closed by server"));
    assert_eq!(r.requests.len(), 1);
}

#[test]
fn first_request_headers() {
    let mut s = session(SseOptions::new());
    let r = run(&mut s, vec![]);
    let req = &r.requests[0];
    assert_eq!(req.method(), http::Method::GET);
    assert_eq!(req.uri(), "http://127.0.0.1:9/v1/ws-001/events/stream");
    assert_eq!(req.headers()["authorization"], "Bearer sk-secret-key");
    assert_eq!(req.headers()["accept"], "text/event-stream");
    assert!(req.headers().get("last-event-id").is_none());
    assert!(req.headers().get("content-type").is_none());
    // The session's Debug output shows no secret.
    assert!(!format!("{s:?}").contains("sk-secret"));
}

#[test]
fn last_event_id_option_is_sent_on_first_connect() {
    let mut s = session(SseOptions::new().last_event_id("1699999999999"));
    let r = run(&mut s, vec![]);
    assert_eq!(r.last_event_ids(), [Some("1699999999999".to_owned())]);
}

#[test]
fn reconnect_resumes_from_last_business_id() {
    let mut s = session(SseOptions::new());
    let first = "retry: 3000\n\nid: 1700000000000\nevent: call.started\ndata: {}\n\nid: 1700000000001\nevent: call.ended\ndata: {}\n\n\
id: 0\nevent: stream.opened\ndata: {\"code\":\"ok\"}\n\n";
    let r = run(&mut s, vec![stream(&[first], End::ReadError)]);
    assert_eq!(r.last_event_ids(), [None, Some("1700000000001".to_owned())]);
    let rc = r.reconnects();
    assert_eq!(rc.len(), 1);
    assert_eq!(rc[0].0, 1);
    assert!(rc[0].2.contains("reset"), "{}", rc[0].2);
}

#[test]
fn control_and_error_frames_with_id_zero_do_not_rewind() {
    let mut s = session(SseOptions::new());
    let first = "id: 5\nevent: call.started\ndata: {}\n\nid: 0\nevent: stream.opened\ndata: {}\n\nid: 0\nevent: error\ndata: {\"code\":\"stream_error\",\"message\":\"Stream error, please reconnect\"}\n\n";
    let r = run(&mut s, vec![stream(&[first], End::Eof)]);
    assert_eq!(r.last_event_ids(), [None, Some("5".to_owned())]);
    assert_eq!(
        r.reconnects()[0].2,
        "Stream error, please reconnect (code=stream_error)"
    );
    assert_eq!(r.events.len(), 1);
}

#[test]
fn empty_id_clears_the_resume_point() {
    let mut s = session(SseOptions::new().last_event_id("9"));
    let first = "id:\nevent: call.started\ndata: {}\n\n";
    let r = run(&mut s, vec![stream(&[first], End::Eof)]);
    assert_eq!(r.last_event_ids(), [Some("9".to_owned()), None]);
}

#[test]
fn unknown_and_incomplete_events_are_delivered_raw() {
    let mut s = session(SseOptions::new().max_reconnects(Some(0)));
    let body = "event: brand.new\ndata: {\"x\":1}\n\nevent: call.ended\ndata: {\"call_sid\":7,\"duration_seconds\":\"long\"}\n\n";
    let r = run(&mut s, vec![stream(&[body], End::Eof)]);
    match &r.events[0].kind {
        EventKind::Unknown { event_type, data } => {
            assert_eq!(event_type, "brand.new");
            assert_eq!(data["x"], 1);
        }
        other => panic!("unexpected {other:?}"),
    }
    match &r.events[1].kind {
        EventKind::CallEnded(c) => {
            assert_eq!(c.direction, "");
            assert_eq!(c.call_sid, "");
            assert_eq!(c.duration_seconds, 0.0);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(r.events[1].data["call_sid"], 7);
}

#[test]
fn malformed_frames_are_dropped_and_the_stream_continues() {
    let mut s = session(SseOptions::new().max_reconnects(Some(0)));
    let body = "event: call.started\n\nevent: call.started\ndata: not json\n\nevent: call.started\ndata: [1,2]\n\n\
data: {\"a\":1}\n\nevent: call.started\ndata: \"str\"\n\nid: 3\nevent: call.ended\ndata: {}\n\n";
    let r = run(&mut s, vec![stream(&[body], End::Eof)]);
    assert_eq!(r.events.len(), 1);
    assert_eq!(r.events[0].event_type, "call.ended");
    assert_eq!(s.resume_point(), Some("3"));
}

#[test]
fn auth_failures_are_terminal() {
    for (code, kind) in [
        (401, ErrorKind::Authentication),
        (403, ErrorKind::Permission),
    ] {
        let mut s = session(SseOptions::new());
        let r = run(&mut s, vec![Conn::Status(code), stream(&[HAPPY], End::Eof)]);
        assert_eq!(r.requests.len(), 1);
        assert!(r.reconnects().is_empty());
        let e = r.error().expect("terminal");
        assert_eq!(e.kind(), kind);
        assert_eq!(e.status(), Some(code));
        // Reported once.
        assert!(matches!(s.poll(Clock::new().t()), SseStep::Done(Ok(()))));
    }
}

#[test]
fn not_found_reconnects_and_503_is_retried_inside_one_connect() {
    let mut s = session(SseOptions::new().max_reconnects(Some(2)));
    let r = run(
        &mut s,
        vec![
            Conn::Status(404),
            Conn::Status(503),
            Conn::Status(503),
            Conn::Status(503),
        ],
    );
    // 404 → reconnect 1; then one connect whose three HTTP attempts all get 503 → reconnect 2;
    // then no script left.
    assert_eq!(r.requests.len(), 5);
    assert_eq!(r.reconnects().len(), 2);
    let connecting = r
        .states
        .iter()
        .filter(|s| matches!(s, StreamState::Connecting { .. }))
        .count();
    assert_eq!(connecting, 3);
    assert!(r.error().is_none());
}

#[test]
fn too_many_streams_is_terminal() {
    let mut s = session(SseOptions::new());
    let body = "retry: 3000\n\nid: 0\nevent: error\ndata: {\"code\":\"too_many_streams\",\"message\":\"Too many streams\",\"max_streams\":50}\n\n";
    let r = run(
        &mut s,
        vec![stream(&[body], End::Eof), stream(&[HAPPY], End::Eof)],
    );
    assert_eq!(r.requests.len(), 1);
    let e = r.error().expect("terminal");
    assert_eq!(e.kind(), ErrorKind::EventStream);
    assert_eq!(e.error_code(), Some("too_many_streams"));
    assert_eq!(e.retryable(), Some(false));
    assert_eq!(e.message(), "Too many streams");
    assert_eq!(
        e.extra().and_then(|f| f.get("max_streams")),
        Some(&json!(50))
    );
}

#[test]
fn stream_unavailable_exhausts_a_budget_of_one_after_two_connects() {
    let mut s = session(SseOptions::new().max_reconnects(Some(1)));
    let body = "event: error\ndata: {\"code\":\"stream_unavailable\",\"message\":\"Event streaming unavailable\"}\n\n";
    let r = run(
        &mut s,
        vec![
            stream(&[body], End::Stall),
            stream(&[body], End::Stall),
            stream(&[body], End::Stall),
        ],
    );
    assert_eq!(r.requests.len(), 2);
    let e = r.error().expect("terminal");
    assert_eq!(e.error_code(), Some("transport_exhausted"));
    assert_eq!(
        e.message(),
        "SSE subscription exhausted reconnect budget (1): Event streaming unavailable (code=stream_unavailable)"
    );
    assert!(e.extra().is_none());
}

#[test]
fn malformed_error_frames_reconnect() {
    let mut s = session(SseOptions::new().max_reconnects(Some(2)));
    let r = run(
        &mut s,
        vec![
            stream(&["event: error\ndata: oops\n\n"], End::Stall),
            stream(&["event: error\ndata: [1]\n\n"], End::Stall),
        ],
    );
    let causes: Vec<String> = r.reconnects().into_iter().map(|r| r.2).collect();
    assert_eq!(
        causes,
        [
            "Server sent malformed error frame",
            "Server sent non-object error frame"
        ]
    );
}

#[test]
fn server_retry_is_clamped() {
    for (retry, ceiling_ms) in [(500u64, 3000u64), (60_000, 30_000), (0, 3000), (7000, 7000)] {
        let mut s = session(SseOptions::new());
        let body = format!("retry: {retry}\n\n");
        let r = run(&mut s, vec![stream(&[&body], End::Eof)]);
        let (_, delay, _) = r.reconnects()[0].clone();
        assert!(
            delay <= Duration::from_millis(ceiling_ms),
            "{retry}: {delay:?}"
        );
        assert!(
            delay > Duration::from_millis(ceiling_ms - 1),
            "{retry}: {delay:?}"
        );
    }
}

#[test]
fn jitter_ceilings_double_up_to_the_max() {
    let mut s = session(SseOptions::new().max_reconnects(Some(6)));
    let r = run(&mut s, (0..7).map(|_| Conn::Status(404)).collect());
    let ceilings: Vec<u64> = r
        .reconnects()
        .iter()
        .map(|(_, d, _)| d.as_millis() as u64 + 1)
        .collect();
    assert_eq!(ceilings, [3000, 6000, 12000, 24000, 30000, 30000]);
    assert_eq!(
        r.error().and_then(Error::error_code),
        Some("transport_exhausted")
    );
}

#[test]
fn budget_resets_after_healthy_connections() {
    let mut s = session(SseOptions::new());
    let conns: Vec<Conn> = (0..12)
        .map(|i| {
            Conn::Stream(
                vec![format!("id: {i}\nevent: call.started\ndata: {{}}\n\n")],
                End::ReadError,
            )
        })
        .collect();
    let r = run(&mut s, conns);
    assert_eq!(r.events.len(), 12);
    assert!(r.error().is_none());
    assert!(r.reconnects().iter().all(|(attempt, _, _)| *attempt == 1));
    assert_eq!(r.requests.len(), 13);
}

#[test]
fn a_connection_open_for_60s_is_healthy() {
    let mut s = session(SseOptions::new().max_reconnects(Some(1)).idle_timeout(None));
    let mut clock = Clock::new();
    // Connect, open, then 61 s pass without events before a reset.
    let r = run_with(
        &mut s,
        &mut clock,
        vec![Conn::Status(404)],
        100,
        &mut |_, _| {},
    );
    assert_eq!(r.reconnects().len(), 1);
    // The reconnect request is in flight: answer it with an event stream.
    let (head, _) = http::Response::builder()
        .header("content-type", "text/event-stream")
        .body(())
        .expect("head")
        .into_parts();
    s.handle_head(head, clock.t());
    let mut opened = false;
    for _ in 0..20 {
        match s.poll(clock.t()) {
            SseStep::Send(_) => {
                let (head, _) = http::Response::builder()
                    .header("content-type", "text/event-stream")
                    .body(())
                    .expect("head")
                    .into_parts();
                s.handle_head(head, clock.t());
            }
            SseStep::Wait(at) => clock.advance_to(at),
            SseStep::Read(None) if !opened => {
                opened = true;
                clock.advance_to(clock.now + Duration::from_secs(61));
                s.handle_read_error(Error::network(TransportErrorKind::Read, "x"), clock.t());
            }
            SseStep::Item(StreamItem::State(StreamState::Reconnecting { attempt, .. })) => {
                assert_eq!(attempt, 1);
                assert!(opened);
                return;
            }
            SseStep::Done(e) => panic!("ended: {e:?}"),
            SseStep::Refresh(_) => panic!("refresh"),
            _ => {}
        }
    }
    panic!("no reconnect");
}

#[test]
fn idle_timeout_reconnects_with_last_event_id_and_heartbeats_keep_alive() {
    let mut s = session(SseOptions::new());
    let body = "id: 77\nevent: call.started\ndata: {}\n\n";
    let r = run(&mut s, vec![stream(&[body], End::Stall)]);
    assert_eq!(r.reconnects()[0].2, "idle timeout");
    assert_eq!(r.last_event_ids(), [None, Some("77".to_owned())]);

    // Heartbeats every 30 s for 10 minutes keep a 45 s watchdog quiet.
    let mut s = session(SseOptions::new());
    let mut clock = Clock::new();
    let start = clock.now;
    let mut requests = 0;
    for _ in 0..1000 {
        match s.poll(clock.t()) {
            SseStep::Send(_) => {
                requests += 1;
                let (head, _) = http::Response::builder()
                    .header("content-type", "text/event-stream")
                    .body(())
                    .expect("head")
                    .into_parts();
                s.handle_head(head, clock.t());
            }
            SseStep::Read(Some(at)) => {
                assert_eq!(at, clock.now + Duration::from_secs(45));
                if clock.now - start > Duration::from_secs(600) {
                    break;
                }
                clock.advance_to(clock.now + Duration::from_secs(30));
                s.handle_chunk(b": heartbeat\n", clock.t());
            }
            SseStep::Item(StreamItem::State(StreamState::Reconnecting { .. })) => {
                panic!("reconnected")
            }
            other => assert!(
                matches!(other, SseStep::Item(StreamItem::State(_))),
                "{other:?}"
            ),
        }
    }
    assert_eq!(requests, 1);
}

#[test]
fn event_too_large_reconnects() {
    let mut s = session(SseOptions::new().max_reconnects(Some(0)));
    let big = format!("data: {}\n", "x".repeat(super::MAX_BLOCK_BYTES));
    let r = run(&mut s, vec![Conn::Stream(vec![big], End::Stall)]);
    let e = r.error().expect("terminal");
    assert!(e.message().contains("exceeds"), "{}", e.message());
}

#[test]
fn wrong_content_type_reconnects() {
    let mut s = session(SseOptions::new().max_reconnects(Some(0)));
    let mut clock = Clock::new();
    let SseStep::Item(StreamItem::State(_)) = s.poll(clock.t()) else {
        panic!("connecting first")
    };
    let SseStep::Send(_) = s.poll(clock.t()) else {
        panic!("connect")
    };
    let resp = http::Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(Bytes::from_static(b"[]"))
        .expect("resp");
    s.handle_outcome(AttemptOutcome::Response(resp), clock.t());
    let r = run_with(&mut s, &mut clock, vec![], 10, &mut |_, _| {});
    let e = r.error().expect("terminal");
    assert!(
        e.message().contains("Unexpected content type"),
        "{}",
        e.message()
    );
}

#[test]
fn cancel_inside_event_handling_stops_after_that_event() {
    let mut s = session(SseOptions::new());
    let mut clock = Clock::new();
    let r = run_with(
        &mut s,
        &mut clock,
        vec![stream(&[HAPPY], End::Stall)],
        100,
        &mut |e, s| {
            if e.event_type == "call.started" {
                s.close();
            }
        },
    );
    assert_eq!(r.events.len(), 1);
    assert!(matches!(r.done, Some(None)));
    assert!(matches!(
        r.states.last(),
        Some(StreamState::Closed {
            reason: CloseReason::Cancelled
        })
    ));
    assert_eq!(r.requests.len(), 1);
}

#[test]
fn cancel_while_connected_and_idle() {
    let token = CancelToken::new();
    let mut s = session(SseOptions::new().cancel_token(token.clone()));
    let mut clock = Clock::new();
    let r = run_with(
        &mut s,
        &mut clock,
        vec![stream(&["retry: 3000\n\n"], End::Stall)],
        3,
        &mut |_, _| {},
    );
    assert_eq!(r.requests.len(), 1);
    token.cancel();
    let r = run_with(&mut s, &mut clock, vec![], 100, &mut |_, _| {});
    assert!(r.requests.is_empty());
    assert!(matches!(r.done, Some(None)));
}

#[test]
fn already_cancelled_token_sends_nothing() {
    let token = CancelToken::new();
    token.cancel();
    let mut s = session(SseOptions::new().cancel_token(token));
    let r = run(&mut s, vec![stream(&[HAPPY], End::Eof)]);
    assert!(r.requests.is_empty());
    assert!(matches!(r.done, Some(None)));
}

#[test]
fn cancelled_connect_attempt_ends_silently() {
    let mut s = session(SseOptions::new());
    let clock = Clock::new();
    let _ = s.poll(clock.t());
    let SseStep::Send(_) = s.poll(clock.t()) else {
        panic!("connect")
    };
    s.handle_outcome(AttemptOutcome::Cancelled, clock.t());
    assert!(matches!(
        s.poll(clock.t()),
        SseStep::Item(StreamItem::State(StreamState::Closed { .. }))
    ));
    assert!(matches!(s.poll(clock.t()), SseStep::Done(Ok(()))));
}

#[test]
fn output_is_identical_at_every_split_point() {
    let reference = {
        let mut s = session(SseOptions::new().max_reconnects(Some(0)));
        run(&mut s, vec![stream(&[HAPPY], End::Eof)])
    };
    let bytes = HAPPY.as_bytes();
    for cut in 0..=bytes.len() {
        if !HAPPY.is_char_boundary(cut) {
            continue;
        }
        let mut s = session(SseOptions::new().max_reconnects(Some(0)));
        let r = run(
            &mut s,
            vec![stream(&[&HAPPY[..cut], &HAPPY[cut..]], End::Eof)],
        );
        assert_eq!(r.events, reference.events, "cut at {cut}");
    }
}

/// The JSON form of the event-stream GET, as the generated `get-event-stream` builds it.
struct JsonEventStream;

impl crate::Operation for JsonEventStream {
    type Output = ();
    fn method(&self) -> http::Method {
        http::Method::GET
    }
    fn path_template(&self) -> &str {
        "/v1/{workspace_id}/events/stream"
    }
    fn operation_id(&self) -> &str {
        "get-event-stream"
    }
    fn parts(&self) -> Result<crate::RequestParts, Error> {
        Ok(crate::RequestParts::new())
    }
    fn parse(&self, _: http::Response<Bytes>) -> Result<(), Error> {
        Ok(())
    }
}

fn header<'a>(r: &'a http::Request<Bytes>, name: &str) -> Option<&'a str> {
    r.headers().get(name).and_then(|v| v.to_str().ok())
}

#[test]
fn from_call_applies_the_call_options_and_asks_for_an_event_stream() {
    let ctx = crate::CallContext {
        op: JsonEventStream,
        config: config(),
        options: crate::RequestOptions::new()
            .header("x-scope", "s")
            .header("x-both", "call"),
        base_url: Some("http://10.0.0.1:8080".into()),
    };
    let opts = SseOptions::new()
        .request_options(crate::RequestOptions::new().header("x-both", "sse"))
        .last_event_id("7");
    let mut s = SseSession::from_call(ctx, opts, 1);
    let r = run(&mut s, vec![]);
    let req = &r.requests[0];
    assert_eq!(req.uri(), "http://10.0.0.1:8080/v1/ws-001/events/stream");
    assert_eq!(header(req, "accept"), Some("text/event-stream"));
    assert_eq!(header(req, "x-scope"), Some("s"));
    assert_eq!(
        header(req, "x-both"),
        Some("sse"),
        "subscription options win"
    );
    assert_eq!(header(req, "last-event-id"), Some("7"));

    // The subscription's own base URL wins over the call's.
    let ctx = crate::CallContext {
        op: JsonEventStream,
        config: config(),
        options: crate::RequestOptions::new(),
        base_url: Some("http://10.0.0.1:8080".into()),
    };
    let mut opts = SseOptions::new();
    opts.base_url = Some("http://10.0.0.2".into());
    let mut s = SseSession::from_call(ctx, opts, 1);
    let r = run(&mut s, vec![]);
    assert_eq!(
        r.requests[0].uri(),
        "http://10.0.0.2/v1/ws-001/events/stream"
    );
}

#[test]
fn a_deadline_ends_an_open_subscription_with_a_timeout() {
    let opts = SseOptions::new()
        .request_options(crate::RequestOptions::new().deadline(Duration::from_secs(5)));
    let mut s = session(opts);
    assert_eq!(s.deadline(), None, "the clock starts at the first poll");
    let mut clock = Clock::new();
    let start = clock.now;
    let r = run_with(
        &mut s,
        &mut clock,
        vec![stream(&[HAPPY], End::Stall)],
        10_000,
        &mut |_, _| {},
    );
    // The idle watchdog (45 s) is later than the deadline, so the read is bounded by the latter.
    assert_eq!(clock.now - start, Duration::from_secs(5));
    assert_eq!(r.events.len(), 3, "decoded events are still delivered");
    assert_eq!(r.requests.len(), 1);
    let e = r.error().expect("a timeout");
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert_eq!(
        e.timeout_info(),
        Some((Duration::from_secs(5), crate::TimeoutScope::Deadline))
    );
    assert!(matches!(
        r.states.last(),
        Some(StreamState::Closed {
            reason: CloseReason::Error
        })
    ));
}

#[test]
fn a_deadline_caps_reconnect_sleeps() {
    let opts = SseOptions::new()
        .request_options(crate::RequestOptions::new().deadline(Duration::from_secs(5)));
    let mut s = session(opts);
    let mut clock = Clock::new();
    let start = clock.now;
    // 404s reconnect after ~3 s, then ~6 s: the second sleep is cut at the deadline.
    let r = run_with(
        &mut s,
        &mut clock,
        vec![Conn::Status(404), Conn::Status(404), Conn::Status(404)],
        10_000,
        &mut |_, _| {},
    );
    assert_eq!(r.requests.len(), 2);
    assert_eq!(clock.now - start, Duration::from_secs(5));
    assert_eq!(r.error().map(Error::kind), Some(ErrorKind::Timeout));
}

#[test]
fn without_a_deadline_the_config_default_does_not_end_subscriptions() {
    let config = Arc::new(
        Config::builder()
            .api_key("sk-secret-key")
            .workspace_id("ws-001")
            .base_url("http://127.0.0.1:9")
            .deadline(Duration::from_secs(1))
            .build()
            .expect("config"),
    );
    let mut s = SseSession::new(config, SseOptions::new().idle_timeout(None), 1);
    let mut clock = Clock::new();
    let r = run_with(
        &mut s,
        &mut clock,
        vec![stream(&[HAPPY], End::Stall)],
        10_000,
        &mut |_, _| {},
    );
    assert_eq!(s.deadline(), None);
    assert!(r.done.is_none(), "still open: {:?}", r.done);
    assert_eq!(r.events.len(), 3);
}

#[test]
fn business_keeps_events_and_errors_and_skips_states() {
    let mut s = session(SseOptions::new().max_reconnects(Some(0)));
    let mut r = run(&mut s, vec![stream(&[HAPPY], End::Eof)]);
    let event = r.events.remove(0);
    let kept = StreamItem::business(Ok(StreamItem::Event(event.clone())));
    assert_eq!(kept.map(|r| r.ok()), Some(Some(event)));
    assert!(StreamItem::business(Ok(StreamItem::State(StreamState::Open))).is_none());
    let kept = StreamItem::business(Err(Error::config("boom")));
    assert_eq!(
        kept.map(|r| r.map_err(|e| e.message().to_owned())),
        Some(Err("boom".to_owned()))
    );
}
