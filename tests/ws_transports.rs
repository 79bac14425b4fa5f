//! WebSocket behaviour on both native transports against the testkit's
//! `MockWs` on 127.0.0.1. Every scenario is one generic function run once per transport.

use amigo_platform_core::ws::{
    ObserverEvent, ObserverEventData, ReconnectCause, SendPolicy, TextStreamClientFrame,
    TextStreamFrame, TextStreamParams, TextStreamServerFrame, WsConnect, WsDriverOptions,
    WsErrorInfo, WsEvent, WsMessage, WsOptions, WsSession, WsState,
};
use amigo_platform_core::FixedRandom;
use amigo_platform_core::{CancelToken, Config, Error};
use amigo_platform_testkit::ws::{MockWs, WsScript, WsStep};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(5);

/// One running socket, seen synchronously.
trait Sock {
    fn next(&mut self, timeout: Duration) -> Option<Result<WsEvent, Error>>;
    fn send(&self, m: WsMessage) -> Result<(), Error>;
    fn close_with(&self, code: u16, reason: &str) -> Result<(), Error>;
    fn state(&self) -> WsState;
}

/// A transport under test.
trait WsBackend {
    /// The driver settings of the tests on this transport.
    fn options() -> WsDriverOptions;
    /// Drives `session` with custom driver settings.
    fn drive(session: WsSession, driver: WsDriverOptions) -> Box<dyn Sock>;
    fn start(session: WsSession) -> Box<dyn Sock> {
        Self::drive(session, Self::options())
    }
}

struct Blocking;
struct BlockingSock(amigo_platform_ureq::ws::WsStream);

impl Sock for BlockingSock {
    fn next(&mut self, timeout: Duration) -> Option<Result<WsEvent, Error>> {
        self.0.next_timeout(timeout)
    }
    fn send(&self, m: WsMessage) -> Result<(), Error> {
        self.0.send(m)
    }
    fn close_with(&self, code: u16, reason: &str) -> Result<(), Error> {
        self.0.handle().close_with(code, reason)
    }
    fn state(&self) -> WsState {
        self.0.handle().state()
    }
}

impl WsBackend for Blocking {
    fn options() -> WsDriverOptions {
        amigo_platform_ureq::ws::WsDriverOptions::default()
            .connect_timeout(Duration::from_secs(2))
            .close_grace(Duration::from_millis(300))
            .poll_interval(Duration::from_millis(5))
    }
    fn drive(session: WsSession, driver: WsDriverOptions) -> Box<dyn Sock> {
        Box::new(BlockingSock(amigo_platform_ureq::ws::WsStream::drive(
            session, driver,
        )))
    }
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime")
    })
}

struct Async;
struct AsyncSock(amigo_platform_hyper::ws::WsStream);

impl Sock for AsyncSock {
    fn next(&mut self, timeout: Duration) -> Option<Result<WsEvent, Error>> {
        runtime()
            .block_on(async { tokio::time::timeout(timeout, self.0.next_event()).await })
            .ok()
            .flatten()
    }
    fn send(&self, m: WsMessage) -> Result<(), Error> {
        self.0.send(m)
    }
    fn close_with(&self, code: u16, reason: &str) -> Result<(), Error> {
        self.0.handle().close_with(code, reason)
    }
    fn state(&self) -> WsState {
        self.0.handle().state()
    }
}

impl WsBackend for Async {
    fn options() -> WsDriverOptions {
        amigo_platform_hyper::ws::WsDriverOptions::default()
            .connect_timeout(Duration::from_secs(2))
            .close_grace(Duration::from_millis(300))
    }
    fn drive(session: WsSession, driver: WsDriverOptions) -> Box<dyn Sock> {
        let _guard = runtime().enter();
        Box::new(AsyncSock(amigo_platform_hyper::ws::WsStream::drive(
            session, driver,
        )))
    }
}

fn session(url: &str, options: WsOptions) -> WsSession {
    let target = WsConnect::new(url, vec!["auth".into(), MockWs::TOKEN.into()]);
    WsSession::new(target, options, 42).with_random(Box::new(FixedRandom(vec![u32::MAX / 2], 0)))
}

fn fast() -> WsOptions {
    WsOptions::default()
        .initial_delay(Duration::from_millis(100))
        .idle_timeout(Duration::ZERO)
}

/// Collects events until `stop` returns true or 5 s pass.
fn collect(
    s: &mut dyn Sock,
    stop: impl Fn(&[Result<WsEvent, Error>]) -> bool,
) -> Vec<Result<WsEvent, Error>> {
    let deadline = Instant::now() + WAIT;
    let mut out = Vec::new();
    while Instant::now() < deadline && !stop(&out) {
        if let Some(e) = s.next(Duration::from_millis(50)) {
            out.push(e);
        }
    }
    out
}

/// Collects events until the session has stopped (closed or terminal) and gone quiet.
fn until_end(s: &mut dyn Sock) -> Vec<Result<WsEvent, Error>> {
    let deadline = Instant::now() + WAIT;
    let mut out = Vec::new();
    while Instant::now() < deadline {
        match s.next(Duration::from_millis(100)) {
            Some(e) => out.push(e),
            None if matches!(s.state(), WsState::Terminal | WsState::Closed) => return out,
            None => {}
        }
    }
    out
}

fn states(ev: &[Result<WsEvent, Error>]) -> Vec<WsState> {
    ev.iter()
        .filter_map(|e| match e {
            Ok(WsEvent::State(s)) => Some(*s),
            _ => None,
        })
        .collect()
}

fn texts(ev: &[Result<WsEvent, Error>]) -> Vec<String> {
    ev.iter()
        .filter_map(|e| match e {
            Ok(WsEvent::Message(m)) => Some(m.to_text().into_owned()),
            _ => None,
        })
        .collect()
}

fn errors(ev: &[Result<WsEvent, Error>]) -> Vec<&Error> {
    ev.iter().filter_map(|e| e.as_ref().err()).collect()
}

fn reconnects(ev: &[Result<WsEvent, Error>]) -> Vec<amigo_platform_core::ws::Reconnect> {
    ev.iter()
        .filter_map(|e| match e {
            Ok(WsEvent::Reconnecting(r)) => Some(r.clone()),
            _ => None,
        })
        .collect()
}

fn has_state(s: WsState) -> impl Fn(&[Result<WsEvent, Error>]) -> bool {
    move |ev| states(ev).contains(&s)
}

fn count_state(s: WsState, n: usize) -> impl Fn(&[Result<WsEvent, Error>]) -> bool {
    move |ev| states(ev).iter().filter(|x| **x == s).count() >= n
}

// ---- scenarios -------------------------------------------------------------------------------

fn opens_delivers_and_closes<T: WsBackend>() {
    let ws = MockWs::start();
    ws.script(WsScript::new([
        WsStep::text("one"),
        WsStep::Binary(b"two".to_vec()),
        WsStep::text("three"),
        WsStep::Hang,
    ]));
    let mut s = T::start(session(&ws.observer_url(), fast()));
    let ev = collect(&mut *s, |ev| texts(ev).len() == 3);
    assert_eq!(texts(&ev), ["one", "two", "three"]);
    assert_eq!(s.state(), WsState::Open);
    let c = &ws.connections()[0];
    assert_eq!(c.protocols.as_deref(), Some("auth, test-api-key"));
    assert!(c
        .user_agent
        .as_deref()
        .is_some_and(|u| u.starts_with("amigo-platform-rust/")));
    s.close_with(1000, "client aborted").unwrap();
    let rest = until_end(&mut *s);
    assert!(states(&rest).contains(&WsState::Closed), "{rest:?}");
    assert!(s.next(Duration::from_millis(200)).is_none(), "stream ends");
    assert!(ws.wait_ended(0, WAIT));
    assert_eq!(
        ws.connections()[0].client_close,
        Some((1000, "client aborted".into()))
    );
}

fn close_1006_reconnects_fast<T: WsBackend>() {
    let ws = MockWs::start();
    ws.script(WsScript::new([WsStep::Drop]));
    ws.script(WsScript::new([WsStep::text("again"), WsStep::Hang]));
    let mut s = T::start(session(&ws.observer_url(), fast()));
    let ev = collect(&mut *s, |ev| texts(ev).len() == 1);
    let r = reconnects(&ev);
    assert_eq!(r.len(), 1, "{ev:?}");
    assert_eq!(r[0].close_code, Some(1006));
    assert!(r[0].delay < Duration::from_millis(100));
    let c = ws.connections();
    assert_eq!(c.len(), 2);
    let gap = c[1].at.unwrap() - c[0].at.unwrap();
    assert!(gap < Duration::from_millis(400), "{gap:?}");
    assert_eq!(
        states(&ev),
        [
            WsState::Open,
            WsState::Closed,
            WsState::Reconnecting,
            WsState::Connecting,
            WsState::Open
        ]
    );
}

fn terminal_codes<T: WsBackend>() {
    for (code, reason) in [
        (4403, "auth"),
        (4001, "client_error"),
        (4100, "client_error"),
    ] {
        let ws = MockWs::start();
        ws.script(WsScript::new([WsStep::close(code, "go away")]));
        let mut s = T::start(session(&ws.observer_url(), fast()));
        let ev = until_end(&mut *s);
        let errs = errors(&ev);
        assert_eq!(errs.len(), 1, "{code}: {ev:?}");
        let info = WsErrorInfo::from_error(errs[0]).unwrap();
        assert_eq!(info.reason, reason);
        assert_eq!(info.close_code, Some(code));
        assert_eq!(info.close_reason.as_deref(), Some("go away"));
        assert!(reconnects(&ev).is_empty());
        assert_eq!(
            states(&ev),
            [WsState::Open, WsState::Closed, WsState::Terminal]
        );
        std::thread::sleep(Duration::from_millis(150));
        assert_eq!(ws.connection_count(), 1);
        // close() after a terminal close: the error is not reported again
        s.close_with(1000, "x").unwrap();
        assert!(s.next(Duration::from_millis(100)).is_none());
    }
}

fn reconnect_codes<T: WsBackend>() {
    for code in [1000u16, 4004, 1011, 1001] {
        let ws = MockWs::start();
        ws.script(WsScript::new([WsStep::close(code, "bye")]));
        ws.script(WsScript::new([WsStep::Hang]));
        let mut s = T::start(session(&ws.observer_url(), fast()));
        let ev = collect(&mut *s, count_state(WsState::Open, 2));
        assert!(errors(&ev).is_empty(), "{code}: {ev:?}");
        let r = reconnects(&ev);
        assert_eq!(r.len(), 1);
        // the reconnect signal carries the real close code and reason
        assert_eq!(r[0].close_code, Some(code));
        assert_eq!(r[0].close_reason.as_deref(), Some("bye"));
        assert_eq!(r[0].cause, ReconnectCause::Closed);
        assert_eq!(ws.connection_count(), 2);
    }
}

fn rate_limited_floor<T: WsBackend>() {
    let ws = MockWs::start();
    ws.script(WsScript::new([WsStep::close(4029, "burst")]));
    let mut s = T::start(session(&ws.observer_url(), fast()));
    let ev = collect(&mut *s, |ev| !reconnects(ev).is_empty());
    let r = &reconnects(&ev)[0];
    assert_eq!(r.cause, ReconnectCause::RateLimited);
    assert!(r.delay < Duration::from_millis(5000));
    assert!(
        r.delay >= Duration::from_millis(2000),
        "floor applied: {:?}",
        r.delay
    );
    assert_eq!(r.close_code, Some(4029));
}

fn budget_exhausted<T: WsBackend>() {
    let ws = MockWs::start();
    for _ in 0..3 {
        ws.script(WsScript::new([WsStep::Drop]));
    }
    let opts = fast()
        .max_reconnects(Some(2))
        .initial_delay(Duration::from_millis(20));
    let mut s = T::start(session(&ws.observer_url(), opts));
    let ev = until_end(&mut *s);
    let errs = errors(&ev);
    assert_eq!(errs.len(), 1, "{ev:?}");
    let info = WsErrorInfo::from_error(errs[0]).unwrap();
    assert_eq!(info.reason, "reconnect_budget_exhausted");
    assert_eq!(info.close_code, Some(1006));
    assert_eq!(ws.connection_count(), 3);
}

fn budget_resets_after_healthy<T: WsBackend>() {
    let ws = MockWs::start();
    // drop, drop, healthy (one message) then drop, drop, drop: never exhausts a budget of 2
    // until the last two unhealthy drops after the healthy one.
    ws.script(WsScript::new([WsStep::Drop]));
    ws.script(WsScript::new([WsStep::Drop]));
    ws.script(WsScript::new([WsStep::text("hello"), WsStep::Drop]));
    ws.script(WsScript::new([WsStep::Drop]));
    ws.script(WsScript::new([WsStep::Drop]));
    let opts = fast()
        .max_reconnects(Some(2))
        .initial_delay(Duration::from_millis(20));
    let mut s = T::start(session(&ws.observer_url(), opts));
    let ev = until_end(&mut *s);
    let attempts: Vec<u32> = reconnects(&ev).iter().map(|r| r.attempt).collect();
    assert_eq!(attempts, [1, 2, 1, 2], "{ev:?}");
    assert_eq!(texts(&ev), ["hello"]);
    assert_eq!(ws.connection_count(), 5);
    assert_eq!(
        WsErrorInfo::from_error(errors(&ev)[0]).unwrap().reason,
        "reconnect_budget_exhausted"
    );
}

fn idle_watchdog<T: WsBackend>() {
    let ws = MockWs::start();
    ws.script(WsScript::new([WsStep::Hang]));
    ws.script(WsScript::new([WsStep::Hang]));
    let opts = fast().idle_timeout(Duration::from_millis(100));
    let mut s = T::start(session(&ws.observer_url(), opts));
    let ev = collect(&mut *s, count_state(WsState::Open, 2));
    assert!(errors(&ev).is_empty(), "{ev:?}");
    let r = &reconnects(&ev)[0];
    assert_eq!(r.cause, ReconnectCause::IdleWatchdog);
    assert!(ws.wait_ended(0, WAIT));
    assert_eq!(
        ws.connections()[0].client_close,
        Some((4001, "idle timeout".into()))
    );
    s.close_with(1000, "done").unwrap();
}

fn messages_keep_watchdog_quiet<T: WsBackend>() {
    let ws = MockWs::start();
    let mut steps = Vec::new();
    for i in 0..8 {
        steps.push(WsStep::text(format!("tick {i}")));
        steps.push(WsStep::sleep_ms(50));
    }
    steps.push(WsStep::Hang);
    ws.script(WsScript::new(steps));
    let opts = fast().idle_timeout(Duration::from_millis(150));
    let mut s = T::start(session(&ws.observer_url(), opts));
    let ev = collect(&mut *s, |ev| texts(ev).len() == 8);
    assert_eq!(texts(&ev).len(), 8);
    assert!(reconnects(&ev).is_empty(), "{ev:?}");
    assert_eq!(ws.connection_count(), 1);
    s.close_with(1000, "done").unwrap();
}

fn caller_close_code_on_wire<T: WsBackend>() {
    let ws = MockWs::start();
    ws.script(WsScript::new([WsStep::text("hi"), WsStep::Hang]));
    let mut s = T::start(session(&ws.observer_url(), fast()));
    collect(&mut *s, |ev| texts(ev).len() == 1);
    assert!(s.close_with(999, "bad").is_err());
    s.close_with(4000, "bye").unwrap();
    assert!(ws.wait_ended(0, WAIT));
    assert_eq!(ws.connections()[0].client_close, Some((4000, "bye".into())));
    let ev = until_end(&mut *s);
    assert_eq!(states(&ev), [WsState::Closed]);
    assert!(errors(&ev).is_empty());
}

fn handshake_401_terminal<T: WsBackend>() {
    let ws = MockWs::start();
    ws.script(WsScript::reject(401));
    let mut s = T::start(session(&ws.observer_url(), fast()));
    let ev = until_end(&mut *s);
    let errs = errors(&ev);
    assert_eq!(errs.len(), 1, "{ev:?}");
    let info = WsErrorInfo::from_error(errs[0]).unwrap();
    assert_eq!(
        (info.reason.as_str(), info.http_status),
        ("auth", Some(401))
    );
    assert_eq!(
        errs[0].message(),
        "WebSocket handshake rejected with HTTP 401"
    );
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(ws.connection_count(), 1);
    // a missing token is rejected by the mock too
    let target = WsConnect::new(ws.observer_url(), vec![]);
    let mut s = T::start(WsSession::new(target, fast(), 1));
    let ev = until_end(&mut *s);
    assert_eq!(
        WsErrorInfo::from_error(errors(&ev)[0]).unwrap().http_status,
        Some(401)
    );
}

fn handshake_500_retried<T: WsBackend>() {
    let ws = MockWs::start();
    ws.script(WsScript::reject(500));
    ws.script(WsScript::new([WsStep::Hang]));
    let mut s = T::start(session(&ws.observer_url(), fast()));
    let ev = collect(&mut *s, has_state(WsState::Open));
    assert_eq!(reconnects(&ev)[0].cause, ReconnectCause::HandshakeFailed);
    assert!(errors(&ev).is_empty());
}

fn bad_url_open_failed<T: WsBackend>() {
    for url in ["http://127.0.0.1:1/x", "not a url"] {
        let target = WsConnect::new(url, vec![]);
        let mut s = T::start(WsSession::new(target, fast(), 1));
        let ev = until_end(&mut *s);
        let errs = errors(&ev);
        assert_eq!(errs.len(), 1, "{url}: {ev:?}");
        assert_eq!(
            WsErrorInfo::from_error(errs[0]).unwrap().reason,
            "open_failed"
        );
    }
}

fn send_policies<T: WsBackend>() {
    // Before the socket opens, sends are refused. A listener that accepts TCP but never
    // answers the upgrade keeps the session connecting however fast the transport runs.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let silent_url = format!(
        "ws://{}/v1/ws/observers/c/ws",
        silent.local_addr().expect("addr")
    );
    let s = T::start(session(&silent_url, fast()));
    let early = s.send("too early".into()).unwrap_err();
    assert!(
        early.message().contains("Cannot send"),
        "{}",
        early.message()
    );
    drop(s);
    drop(silent);

    let ws = MockWs::start();
    ws.script(WsScript::new([
        WsStep::WaitFrames(1),
        WsStep::text("got it"),
        WsStep::Hang,
    ]));
    let mut s = T::start(session(&ws.observer_url(), fast()));
    collect(&mut *s, has_state(WsState::Open));
    s.send(WsMessage::Text(
        "{\"type\":\"message\",\"text\":\"hi\"}".into(),
    ))
    .unwrap();
    let ev = collect(&mut *s, |ev| texts(ev).len() == 1);
    assert_eq!(texts(&ev), ["got it"]);
    assert_eq!(
        ws.connections()[0].received,
        ["{\"type\":\"message\",\"text\":\"hi\"}"]
    );
    s.close_with(1000, "done").unwrap();

    // Buffer(2): three sends while reconnecting → third rejected; two flushed in order.
    let ws = MockWs::start();
    ws.script(WsScript::new([WsStep::sleep_ms(50), WsStep::Drop]));
    ws.script(WsScript::new([WsStep::Hang]));
    let opts = fast()
        .send_policy(SendPolicy::Buffer(2))
        .initial_delay(Duration::from_millis(600));
    let mut s = T::start(session(&ws.observer_url(), opts));
    collect(&mut *s, has_state(WsState::Reconnecting));
    s.send("1".into()).unwrap();
    s.send("2".into()).unwrap();
    let full = s.send("3".into()).unwrap_err();
    assert_eq!(full.message(), "Send buffer full (2 messages)");
    collect(&mut *s, has_state(WsState::Open));
    s.send("4".into()).unwrap();
    assert!(ws.wait_received(1, 3, WAIT));
    assert_eq!(ws.connections()[1].received, ["1", "2", "4"]);
    s.close_with(1000, "done").unwrap();
}

fn cancel_token_closes<T: WsBackend>() {
    let ws = MockWs::start();
    ws.script(WsScript::new([WsStep::Hang]));
    let token = CancelToken::new();
    let mut s = T::start(session(&ws.observer_url(), fast()).with_cancel(token.clone()));
    collect(&mut *s, has_state(WsState::Open));
    token.cancel();
    let ev = until_end(&mut *s);
    assert!(states(&ev).contains(&WsState::Closed));
    assert!(errors(&ev).is_empty());
    assert!(ws.wait_ended(0, WAIT));
    assert_eq!(
        ws.connections()[0].client_close.as_ref().map(|c| c.0),
        Some(1000)
    );
}

fn observer_frames<T: WsBackend>() {
    let ws = MockWs::start();
    ws.script(WsScript::new([
        WsStep::text("not json"),
        WsStep::text(r#"{"delta":"no type"}"#),
        WsStep::text(r#"[{"type":"agent_transcript_delta"}]"#),
        WsStep::text(r#"{"type":5}"#),
        WsStep::text(r#"{"type":"agent_transcript_delta","delta":"Hi","extra_field":{"a":1}}"#),
        WsStep::text(r#"{"type":"something_new","x":true}"#),
        WsStep::close(4403, "forbidden"),
    ]));
    let mut s = T::start(session(&ws.observer_url(), WsOptions::observer()));
    let ev = until_end(&mut *s);
    let decoded: Vec<ObserverEvent> = ev
        .iter()
        .filter_map(|e| match e {
            Ok(WsEvent::Message(m)) => ObserverEvent::from_message(m),
            _ => None,
        })
        .collect();
    assert_eq!(decoded.len(), 2, "{decoded:?}");
    match &decoded[0].data {
        ObserverEventData::AgentTranscriptDelta(d) => assert_eq!(d.delta, "Hi"),
        other => panic!("{other:?}"),
    }
    assert_eq!(decoded[0].raw["extra_field"]["a"], 1);
    assert!(matches!(
        &decoded[1].data,
        ObserverEventData::Unknown { event_type } if event_type == "something_new"
    ));
    // the loop kept going after undecodable frames; then 4403 is terminal auth
    let info = WsErrorInfo::from_error(errors(&ev)[0]).unwrap();
    assert_eq!(
        (info.reason.as_str(), info.close_code),
        ("auth", Some(4403))
    );
}

fn text_stream_chat<T: WsBackend>() {
    let ws = MockWs::start();
    let config = Config::builder()
        .api_key(MockWs::TOKEN)
        .workspace_id(MockWs::WORKSPACE_ID)
        .base_url(ws.base_url())
        .build()
        .unwrap();
    let target = amigo_platform_core::ws::text_stream_target(
        &config,
        &TextStreamParams::new("svc-1"),
        Some(MockWs::TOKEN),
    )
    .unwrap();
    let mut s = T::start(WsSession::new(target, fast(), 1));
    let frames = |ev: &[Result<WsEvent, Error>]| -> Vec<TextStreamServerFrame> {
        ev.iter()
            .filter_map(|e| match e {
                Ok(WsEvent::Message(m)) => TextStreamFrame::from_message(m).map(|f| f.data),
                _ => None,
            })
            .collect()
    };
    let ev = collect(&mut *s, |ev| !texts(ev).is_empty());
    assert!(matches!(
        frames(&ev)[0],
        TextStreamServerFrame::SessionStarted { .. }
    ));
    s.send(TextStreamClientFrame::message("hello").into())
        .unwrap();
    let ev = collect(&mut *s, |ev| texts(ev).len() == 2);
    assert_eq!(
        frames(&ev),
        [
            TextStreamServerFrame::Typing,
            TextStreamServerFrame::Message {
                text: "Echo: hello".into()
            }
        ]
    );
    s.close_with(1000, "bye").unwrap();
    let c = &ws.connections()[0];
    assert!(c
        .path
        .starts_with("/agent/text-stream?workspace_id=ws-001&service_id=svc-1"));

    // query-token fallback: no subprotocol, token in the query
    let target = amigo_platform_core::ws::text_stream_target(
        &config,
        &TextStreamParams {
            token: Some("workspace:secret/with=base64+chars".into()),
            ..TextStreamParams::new("svc-1")
        },
        None,
    )
    .unwrap();
    let mut s = T::start(WsSession::new(target, fast(), 1));
    let ev = collect(&mut *s, |ev| !texts(ev).is_empty());
    assert_eq!(texts(&ev).len(), 1);
    let c = &ws.connections()[1];
    assert_eq!(c.protocols, None);
    assert!(c
        .path
        .ends_with("token=workspace%3Asecret%2Fwith%3Dbase64%2Bchars"));
    s.close_with(1000, "bye").unwrap();
}

/// A message above the configured size limit is never delivered: the connection counts as
/// dropped (1006) and the session reconnects per its policy.
fn oversized_message_fails_the_connection<T: WsBackend>() {
    let ws = MockWs::start();
    ws.script(WsScript::new([
        WsStep::text("small"),
        WsStep::Binary(vec![b'x'; 64 * 1024]),
        WsStep::text("after the big one"),
        WsStep::Hang,
    ]));
    ws.script(WsScript::new([WsStep::text("again"), WsStep::Hang]));
    let driver = T::options()
        .max_message_size(16 * 1024)
        .max_frame_size(16 * 1024);
    let mut s = T::drive(session(&ws.observer_url(), fast()), driver);
    let ev = collect(&mut *s, |ev| texts(ev).contains(&"again".to_owned()));
    // Neither the oversized message nor anything after it on that socket was delivered.
    assert_eq!(texts(&ev), ["small", "again"], "{ev:?}");
    let r = reconnects(&ev);
    assert_eq!(r.len(), 1, "{ev:?}");
    assert_eq!(r[0].close_code, Some(1006));
    assert_eq!(r[0].cause, ReconnectCause::Closed);
    assert!(errors(&ev).is_empty(), "{ev:?}");
    assert_eq!(ws.connection_count(), 2);
    // The limit bounds frames too: a single 64 KiB frame with a large message limit fails.
    let ws = MockWs::start();
    ws.script(WsScript::new([
        WsStep::Binary(vec![b'x'; 64 * 1024]),
        WsStep::Hang,
    ]));
    ws.script(WsScript::new([WsStep::text("again"), WsStep::Hang]));
    let driver = T::options().max_frame_size(16 * 1024);
    let mut s = T::drive(session(&ws.observer_url(), fast()), driver);
    let ev = collect(&mut *s, |ev| texts(ev).contains(&"again".to_owned()));
    assert_eq!(texts(&ev), ["again"], "{ev:?}");
    assert_eq!(reconnects(&ev).len(), 1, "{ev:?}");
}

/// A loopback WebSocket server that completes every handshake and then never reads, so the
/// client's writes eventually block on a full receive window. Returns the URL and the number
/// of handshakes so far.
// The handshake callback's error type is fixed by tungstenite's `Callback` trait.
#[allow(clippy::result_large_err)]
fn deaf_server() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let count = std::sync::Arc::new(AtomicUsize::new(0));
    let seen = std::sync::Arc::clone(&count);
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        // Ends with the test process; each accepted socket is kept open and never read.
        for stream in listener.incoming().take(8).flatten() {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let callback = |_: &tokio_tungstenite::tungstenite::handshake::server::Request,
                            mut resp: tokio_tungstenite::tungstenite::handshake::server::Response| {
                resp.headers_mut()
                    .insert("sec-websocket-protocol", http::HeaderValue::from_static("auth"));
                Ok(resp)
            };
            if let Ok(ws) = tokio_tungstenite::tungstenite::accept_hdr(stream, callback) {
                seen.fetch_add(1, Ordering::SeqCst);
                kept.push(ws);
            }
        }
        std::thread::sleep(Duration::from_secs(30));
    });
    (format!("ws://{addr}/deaf"), count)
}

/// A send to a server that stopped reading is bounded by `send_timeout`: the connection
/// counts as dropped (1006) and the session reconnects, instead of the driver hanging.
fn send_timeout_drops_a_stuck_connection<T: WsBackend>() {
    let (url, handshakes) = deaf_server();
    let driver = T::options().send_timeout(Duration::from_millis(300));
    let mut s = T::drive(session(&url, fast()), driver);
    let ev = collect(&mut *s, has_state(WsState::Open));
    assert!(has_state(WsState::Open)(&ev), "{ev:?}");
    // 64 MiB in 1 MiB messages: far more than loopback buffers hold.
    let chunk = bytes::Bytes::from(vec![b'x'; 1 << 20]);
    for _ in 0..64 {
        if s.send(WsMessage::Binary(chunk.clone())).is_err() {
            break;
        }
    }
    let started = Instant::now();
    let ev = collect(&mut *s, |ev| !reconnects(ev).is_empty());
    let r = reconnects(&ev);
    assert_eq!(r.len(), 1, "no reconnect within {WAIT:?}: {ev:?}");
    assert_eq!(r[0].close_code, Some(1006));
    assert!(started.elapsed() < WAIT, "{:?}", started.elapsed());
    // The session reconnects to the (still deaf) server.
    let ev = collect(&mut *s, has_state(WsState::Open));
    assert!(has_state(WsState::Open)(&ev), "{ev:?}");
    assert!(handshakes.load(std::sync::atomic::Ordering::SeqCst) >= 2);
    s.close_with(1000, "bye").unwrap();
}

/// A consumer far behind a small event queue still gets every message, in order, on one
/// connection: the driver pauses reading instead of dropping or reconnecting.
fn slow_consumer_gets_everything<T: WsBackend>() {
    let ws = MockWs::start();
    let sent: Vec<String> = (0..50).map(|i| format!("m{i}")).collect();
    ws.script(WsScript::new(
        sent.iter()
            .map(|m| WsStep::text(m.as_str()))
            .chain([WsStep::Hang]),
    ));
    let driver = T::options().max_queued_events(4);
    let mut s = T::drive(session(&ws.observer_url(), fast()), driver);
    std::thread::sleep(Duration::from_millis(300));
    let ev = collect(&mut *s, |ev| texts(ev).len() == sent.len());
    assert_eq!(texts(&ev), sent);
    assert!(reconnects(&ev).is_empty(), "{ev:?}");
    assert_eq!(ws.connection_count(), 1);
    s.close_with(1000, "bye").unwrap();
}

macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod blocking {
            use super::*;
            $( #[test] fn $name() { super::$name::<Blocking>() } )*
        }
        mod asynchronous {
            use super::*;
            $( #[test] fn $name() { super::$name::<Async>() } )*
        }
    };
}

both!(
    opens_delivers_and_closes,
    close_1006_reconnects_fast,
    terminal_codes,
    reconnect_codes,
    rate_limited_floor,
    budget_exhausted,
    budget_resets_after_healthy,
    idle_watchdog,
    messages_keep_watchdog_quiet,
    caller_close_code_on_wire,
    handshake_401_terminal,
    handshake_500_retried,
    bad_url_open_failed,
    send_policies,
    cancel_token_closes,
    observer_frames,
    text_stream_chat,
    oversized_message_fails_the_connection,
    send_timeout_drops_a_stuck_connection,
    slow_consumer_gets_everything,
);

#[test]
fn observe_helpers_validate_before_any_socket() {
    let ws = MockWs::start();
    let config = Config::builder()
        .api_key(MockWs::TOKEN)
        .workspace_id(MockWs::WORKSPACE_ID)
        .base_url(ws.base_url())
        .build()
        .unwrap();
    assert!(amigo_platform_ureq::ws::observe(
        &config,
        MockWs::CALL_SID,
        Some("has:colons"),
        None,
        None
    )
    .is_err());
    assert!(amigo_platform_ureq::ws::observe(&config, "bad-sid", None, None, None).is_err());
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(ws.connection_count(), 0);
    // the default mock script ends with session_end
    let mut events =
        amigo_platform_ureq::ws::observe(&config, MockWs::CALL_SID, None, None, None).unwrap();
    let mut types = Vec::new();
    for e in events.by_ref() {
        let e = e.unwrap();
        types.push(e.event_type.clone());
        if e.event_type == "session_end" {
            break;
        }
    }
    assert_eq!(types.len(), MockWs::observer_script().len());
    events.close();
    assert_eq!(
        ws.connections()[0].protocols.as_deref(),
        Some("auth, test-api-key")
    );
}
