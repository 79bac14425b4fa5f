//! Fake-clock tests of the WebSocket session and the URL/auth helpers.

use super::*;
use crate::call::backoff::FixedRandom;
use crate::cancel::CancelToken;
use crate::error::ErrorKind;
use std::time::Duration;
use web_time::Instant;

const MS: fn(u64) -> Duration = Duration::from_millis;

fn target() -> WsConnect {
    WsConnect::new("ws://h/x", vec!["auth".into(), "secret-token".into()])
}

/// A fake-clock harness: drains outputs and records them.
struct H {
    s: WsSession,
    now: Instant,
    events: Vec<WsEvent>,
    errors: Vec<crate::Error>,
    connects: u32,
    sent: Vec<WsMessage>,
    closes: Vec<CloseFrame>,
    done: bool,
}

impl H {
    fn new(o: WsOptions) -> H {
        H::with(
            WsSession::new(target(), o, 1)
                .with_random(Box::new(FixedRandom(vec![u32::MAX / 2], 0))),
        )
    }
    fn with(s: WsSession) -> H {
        H {
            s,
            now: Instant::now(),
            events: vec![],
            errors: vec![],
            connects: 0,
            sent: vec![],
            closes: vec![],
            done: false,
        }
    }
    /// Drains outputs; returns the timeout, if any.
    fn drain(&mut self) -> Option<Instant> {
        for _ in 0..1000 {
            match self.s.poll(self.t()) {
                WsStep::Connect(_) => self.connects += 1,
                WsStep::Transmit(m) => self.sent.push(m),
                WsStep::Close(f) => self.closes.push(f),
                WsStep::Item(e) => self.events.push(e),
                WsStep::Wait(t) => return t,
                WsStep::Done(result) => {
                    if let Err(e) = result {
                        assert!(!self.done, "a terminal error after Done(Ok)");
                        self.errors.push(e);
                    }
                    self.done = true;
                    return None;
                }
            }
        }
        panic!("unbounded drain");
    }
    /// The fake clock's reading.
    fn t(&self) -> crate::Time {
        crate::Time {
            now: self.now,
            wall: web_time::SystemTime::UNIX_EPOCH,
        }
    }
    /// Advances the fake clock to the pending timer and drains.
    fn advance(&mut self) {
        if let Some(t) = self.drain() {
            self.now = t;
            self.drain();
        }
    }
    fn states(&self) -> Vec<WsState> {
        self.events
            .iter()
            .filter_map(|e| match e {
                WsEvent::State(s) => Some(*s),
                _ => None,
            })
            .collect()
    }
    fn reconnects(&self) -> Vec<Reconnect> {
        self.events
            .iter()
            .filter_map(|e| match e {
                WsEvent::Reconnecting(r) => Some(r.clone()),
                _ => None,
            })
            .collect()
    }
    fn open(&mut self) {
        self.drain();
        self.s.handle_open(self.t());
        self.drain();
    }
    fn close_wire(&mut self, code: u16, reason: &str) {
        self.s.handle_closed(code, reason, self.t());
        self.drain();
    }
    fn info(&self) -> WsErrorInfo {
        assert_eq!(self.errors.len(), 1, "{:?}", self.errors);
        WsErrorInfo::from_error(&self.errors[0]).expect("ws error")
    }
}

#[test]
fn opens_delivers_in_order_and_caller_close() {
    let mut h = H::new(WsOptions::default());
    assert_eq!(h.drain(), None);
    assert_eq!(h.connects, 1);
    assert!(h.events.is_empty(), "initial connecting is not reported");
    h.s.handle_open(h.t());
    h.s.handle_message(WsMessage::Text("a".into()), h.t());
    h.s.handle_message(WsMessage::Binary(bytes::Bytes::from_static(b"b")), h.t());
    h.drain();
    assert_eq!(h.s.state(), WsState::Open);
    h.s.close(None).unwrap();
    h.drain();
    assert!(h.done);
    assert_eq!(h.states(), [WsState::Open, WsState::Closed]);
    assert_eq!(
        h.closes,
        [CloseFrame {
            code: 1000,
            reason: "client aborted".into()
        }]
    );
    let msgs: Vec<_> = h
        .events
        .iter()
        .filter_map(|e| match e {
            WsEvent::Message(m) => Some(m.to_text().into_owned()),
            _ => None,
        })
        .collect();
    assert_eq!(msgs, ["a", "b"]);
    // idempotent
    h.s.close(None).unwrap();
    assert!(matches!(h.s.poll(h.t()), WsStep::Done(Ok(()))));
}

#[test]
fn close_1006_reconnects_within_initial_delay() {
    let mut h = H::new(WsOptions::default().initial_delay(MS(100)));
    h.open();
    h.close_wire(1006, "");
    let r = h.reconnects();
    assert_eq!(r.len(), 1);
    assert!(r[0].delay < MS(100));
    assert_eq!(r[0].cause, ReconnectCause::Closed);
    assert_eq!(r[0].close_code, Some(1006));
    let start = h.now;
    h.advance();
    assert_eq!(h.connects, 2);
    assert!(h.now - start < MS(100));
    assert_eq!(
        h.states(),
        [
            WsState::Open,
            WsState::Closed,
            WsState::Reconnecting,
            WsState::Connecting
        ]
    );
}

#[test]
fn terminal_close_codes() {
    for (code, reason) in [
        (4403, "auth"),
        (4001, "client_error"),
        (4100, "client_error"),
        (1008, "client_error"),
        (4003, "client_error"),
    ] {
        let mut h = H::new(WsOptions::default());
        h.open();
        h.close_wire(code, "nope");
        assert!(h.done);
        assert_eq!(h.connects, 1);
        let i = h.info();
        assert_eq!((i.reason.as_str(), i.close_code), (reason, Some(code)));
        assert_eq!(i.close_reason.as_deref(), Some("nope"));
        assert_eq!(
            h.errors[0].message(),
            format!("Server closed with terminal code {code}: nope")
        );
        assert_eq!(h.errors[0].kind(), ErrorKind::WebSocket);
        assert_eq!(
            h.states(),
            [WsState::Open, WsState::Closed, WsState::Terminal]
        );
        assert!(h.reconnects().is_empty());
    }
}

#[test]
fn reconnecting_close_codes() {
    for code in [1000, 1001, 1005, 1006, 1011, 1012, 4004, 4999, 3000] {
        let mut h = H::new(WsOptions::default().initial_delay(MS(10)));
        h.open();
        h.close_wire(code, "r");
        h.advance();
        assert_eq!(h.connects, 2, "{code}");
        assert!(h.errors.is_empty());
        let r = &h.reconnects()[0];
        assert_eq!(r.close_code, Some(code));
        assert_eq!(r.close_reason.as_deref(), Some("r"));
    }
}

#[test]
fn budget_exhausted_after_three_connections() {
    let mut h = H::new(
        WsOptions::default()
            .max_reconnects(Some(2))
            .initial_delay(MS(10)),
    );
    for _ in 0..10 {
        if h.done {
            break;
        }
        h.open();
        h.close_wire(1006, "gone");
        h.advance();
    }
    assert_eq!(h.connects, 3);
    let i = h.info();
    assert_eq!(i.reason, "reconnect_budget_exhausted");
    assert_eq!(i.close_code, Some(1006));
    assert_eq!(i.close_reason.as_deref(), Some("gone"));
    assert_eq!(i.attempts, 2);
    assert_eq!(
        h.errors[0].message(),
        "Reconnect budget exhausted (2 attempts)"
    );
}

#[test]
fn budget_resets_after_healthy_connection() {
    let mut h = H::new(
        WsOptions::default()
            .max_reconnects(Some(2))
            .initial_delay(MS(10)),
    );
    for i in 0..8 {
        h.open();
        if i % 2 == 1 {
            h.s.handle_message(WsMessage::Text("x".into()), h.t());
        }
        h.close_wire(1006, "");
        h.advance();
    }
    assert!(h.errors.is_empty(), "{:?}", h.errors);
    assert_eq!(h.connects, 9);
    let attempts: Vec<u32> = h.reconnects().iter().map(|r| r.attempt).collect();
    assert_eq!(attempts, [1, 1, 2, 1, 2, 1, 2, 1]);
}

#[test]
fn open_sixty_seconds_is_healthy() {
    let mut h = H::new(
        WsOptions::default()
            .max_reconnects(Some(0))
            .idle_timeout(Duration::ZERO),
    );
    h.open();
    h.now += HEALTHY_AFTER_TEST;
    h.close_wire(1006, "");
    // max_reconnects 0 still ends at the first drop, healthy or not.
    assert_eq!(h.info().reason, "reconnect_budget_exhausted");
    let mut h = H::new(
        WsOptions::default()
            .max_reconnects(Some(1))
            .initial_delay(MS(1))
            .idle_timeout(Duration::ZERO),
    );
    h.open();
    h.close_wire(1006, "");
    h.advance();
    h.open();
    h.now += HEALTHY_AFTER_TEST;
    h.close_wire(1006, "");
    assert!(h.errors.is_empty());
    assert_eq!(h.reconnects()[1].attempt, 1);
}

const HEALTHY_AFTER_TEST: Duration = session::HEALTHY_AFTER;

#[test]
fn paused_reading_restarts_the_idle_watchdog() {
    let mut h = H::new(WsOptions::default().idle_timeout(MS(100)));
    h.open();
    let t0 = h.now;
    assert_eq!(h.drain(), Some(t0 + MS(100)));
    // The driver stopped reading at +80 ms (the consumer is behind): silence from then on
    // is not the server's, so the watchdog is due 100 ms later, not at +100 ms.
    h.now = t0 + MS(80);
    h.s.handle_paused(h.t());
    assert_eq!(h.drain(), Some(t0 + MS(180)));
    h.now = t0 + MS(150);
    assert_eq!(h.drain(), Some(t0 + MS(180)));
    assert!(h.closes.is_empty());
    // An earlier reading never moves it back; outside `Open` it changes nothing.
    h.s.handle_paused(crate::Time { now: t0, ..h.t() });
    assert_eq!(h.drain(), Some(t0 + MS(180)));
    h.now = t0 + MS(180);
    h.drain();
    assert_eq!(h.closes.len(), 1, "the watchdog still fires");
    h.s.handle_paused(h.t());
    assert_eq!(h.reconnects().len(), 1);
}

#[test]
fn idle_watchdog_closes_4001_and_reconnects() {
    let mut h = H::new(
        WsOptions::default()
            .idle_timeout(MS(100))
            .initial_delay(MS(10)),
    );
    h.open();
    let t0 = h.now;
    let at = h.drain().expect("watchdog armed");
    assert_eq!(at - t0, MS(100));
    h.now = at;
    h.drain();
    assert_eq!(
        h.closes,
        [CloseFrame {
            code: 4001,
            reason: "idle timeout".into()
        }]
    );
    assert!(h.errors.is_empty());
    let r = &h.reconnects()[0];
    assert_eq!(r.cause, ReconnectCause::IdleWatchdog);
    assert_eq!(r.close_code, Some(4001));
    h.advance();
    assert_eq!(h.connects, 2);
    // a late report for the old socket changes nothing
    h.s.handle_closed(4001, "idle timeout", h.t());
    h.drain();
    assert!(h.errors.is_empty());
}

#[test]
fn messages_keep_watchdog_quiet() {
    let mut h = H::new(WsOptions::default().idle_timeout(MS(100)));
    h.open();
    for _ in 0..20 {
        h.now += MS(50);
        h.s.handle_message(WsMessage::Text("tick".into()), h.t());
        let at = h.drain().expect("armed");
        assert_eq!(at - h.now, MS(100));
    }
    assert!(h.closes.is_empty());
    assert_eq!(h.connects, 1);
    // outbound sends do not re-arm it
    let before = h.drain();
    h.now += MS(60);
    h.s.send("out".into()).unwrap();
    assert_eq!(h.drain(), before);
}

#[test]
fn zero_idle_timeout_disables_watchdog() {
    let mut h = H::new(WsOptions::default().idle_timeout(Duration::ZERO));
    h.open();
    assert_eq!(h.drain(), None);
}

#[test]
fn rate_limited_codes_floor_delay() {
    for code in [4029, 1013] {
        let s = WsSession::new(target(), WsOptions::default().initial_delay(MS(100)), 3)
            .with_random(Box::new(FixedRandom(vec![u32::MAX], 0)));
        let mut h = H::with(s);
        h.open();
        h.close_wire(code, "slow down");
        let r = &h.reconnects()[0];
        assert_eq!(r.cause, ReconnectCause::RateLimited);
        assert!(r.delay >= MS(4990) && r.delay < MS(5000), "{:?}", r.delay);
        assert_eq!(r.close_reason.as_deref(), Some("slow down"));
    }
    // the planned delay is within [0, 5000) for any random value
    for seed in 0..50 {
        let mut h = H::with(WsSession::new(
            target(),
            WsOptions::default().initial_delay(MS(100)),
            seed,
        ));
        h.open();
        h.close_wire(4029, "");
        assert!(h.reconnects()[0].delay < MS(5000));
    }
}

#[test]
fn backoff_doubles_up_to_max_delay() {
    let s = WsSession::new(
        target(),
        WsOptions::default()
            .initial_delay(MS(1000))
            .max_delay(MS(4000))
            .max_reconnects(None),
        3,
    )
    .with_random(Box::new(FixedRandom(vec![u32::MAX], 0)));
    let mut h = H::with(s);
    for _ in 0..5 {
        h.drain();
        h.s.handle_connect_failed(ConnectFailure::Network("refused".into()), h.t());
        h.advance();
    }
    let d: Vec<u64> = h
        .reconnects()
        .iter()
        .map(|r| r.delay.as_millis() as u64)
        .collect();
    assert_eq!(d, [999, 1999, 3999, 3999, 3999]);
    assert!(h
        .reconnects()
        .iter()
        .all(|r| r.cause == ReconnectCause::HandshakeFailed && r.close_code.is_none()));
}

#[test]
fn caller_close_code_on_wire_and_validation() {
    let mut h = H::new(WsOptions::default());
    h.open();
    for bad in [999, 1001, 2999, 5000] {
        let e =
            h.s.close(Some(CloseFrame {
                code: bad,
                reason: String::new(),
            }))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
    }
    let e =
        h.s.close(Some(CloseFrame {
            code: 4000,
            reason: "x".repeat(124),
        }))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    h.drain();
    assert!(h.closes.is_empty() && !h.done);
    h.s.close(Some(CloseFrame {
        code: 4000,
        reason: "bye".into(),
    }))
    .unwrap();
    h.drain();
    assert_eq!(
        h.closes,
        [CloseFrame {
            code: 4000,
            reason: "bye".into()
        }]
    );
}

#[test]
fn handshake_rejection() {
    for status in [401, 403] {
        let mut h = H::new(WsOptions::default());
        h.drain();
        h.s.handle_connect_failed(ConnectFailure::Rejected { status }, h.t());
        h.drain();
        let i = h.info();
        assert_eq!((i.reason.as_str(), i.http_status), ("auth", Some(status)));
        assert_eq!(
            h.errors[0].message(),
            format!("WebSocket handshake rejected with HTTP {status}")
        );
        assert_eq!(h.connects, 1);
        assert!(h.done);
    }
    let mut h = H::new(WsOptions::default().initial_delay(MS(1)));
    h.drain();
    h.s.handle_connect_failed(ConnectFailure::Rejected { status: 500 }, h.t());
    h.advance();
    assert_eq!(h.connects, 2);
    assert_eq!(h.reconnects()[0].cause, ReconnectCause::HandshakeFailed);
}

#[test]
fn synchronous_connector_failure_is_open_failed() {
    let mut h = H::new(WsOptions::default());
    h.drain();
    h.s.handle_connect_failed(ConnectFailure::Invalid("bad url".into()), h.t());
    h.drain();
    assert_eq!(h.info().reason, "open_failed");
    assert_eq!(h.errors[0].message(), "bad url");
    assert_eq!(h.states(), [WsState::Terminal]);
    assert!(h.done);
}

#[test]
fn terminal_then_close_reports_once() {
    let mut h = H::new(WsOptions::default());
    h.open();
    h.close_wire(4403, "forbidden");
    h.s.close(None).unwrap();
    h.s.handle_closed(4403, "forbidden", h.t());
    h.s.handle_connect_failed(ConnectFailure::Rejected { status: 401 }, h.t());
    h.drain();
    assert_eq!(h.errors.len(), 1);
    assert_eq!(h.s.state(), WsState::Terminal);
}

#[test]
fn send_policy_reject_and_forward() {
    let mut h = H::new(WsOptions::default());
    h.drain();
    let e = h.s.send("early".into()).unwrap_err();
    assert!(e.message().starts_with("Cannot send"), "{}", e.message());
    assert_eq!(e.message(), "Cannot send on socket in state connecting");
    h.s.handle_open(h.t());
    h.s.send("{\"type\":\"x\"}".into()).unwrap();
    h.drain();
    assert_eq!(h.sent, [WsMessage::Text("{\"type\":\"x\"}".into())]);
    h.s.close(None).unwrap();
    assert_eq!(
        h.s.send("late".into()).unwrap_err().message(),
        "Cannot send on socket in state closed"
    );
}

#[test]
fn send_policy_buffer() {
    let mut h = H::new(
        WsOptions::default()
            .send_policy(SendPolicy::Buffer(2))
            .initial_delay(MS(10)),
    );
    h.open();
    h.close_wire(1006, "");
    assert_eq!(h.s.state(), WsState::Reconnecting);
    h.s.send("1".into()).unwrap();
    h.s.send("2".into()).unwrap();
    let e = h.s.send("3".into()).unwrap_err();
    assert_eq!(e.message(), "Send buffer full (2 messages)");
    h.advance();
    h.s.handle_open(h.t());
    h.s.send("4".into()).unwrap();
    h.drain();
    assert_eq!(h.sent, ["1", "2", "4"].map(WsMessage::from));
}

#[test]
fn buffer_dropped_on_close() {
    let mut h = H::new(WsOptions::default().send_policy(SendPolicy::Buffer(5)));
    h.drain();
    h.s.send("q".into()).unwrap();
    h.s.close(None).unwrap();
    h.s.handle_open(h.t());
    h.drain();
    assert!(h.sent.is_empty());
    // a socket that opens after the caller closed is closed at once
    assert_eq!(h.closes.len(), 2);
}

#[test]
fn close_during_backoff_stops_loop() {
    let mut h = H::new(WsOptions::default());
    h.open();
    h.close_wire(1006, "");
    h.s.close(None).unwrap();
    h.drain();
    assert!(h.done);
    assert!(h.closes.is_empty(), "nothing on the wire during backoff");
    assert_eq!(
        h.states(),
        [
            WsState::Open,
            WsState::Closed,
            WsState::Reconnecting,
            WsState::Closed
        ]
    );
    assert_eq!(h.connects, 1);
}

#[test]
fn cancel_token_closes() {
    let token = CancelToken::new();
    let mut h =
        H::with(WsSession::new(target(), WsOptions::default(), 1).with_cancel(token.clone()));
    h.open();
    token.cancel();
    h.drain();
    assert!(h.done);
    assert_eq!(h.closes[0].code, 1000);
    assert_eq!(h.s.state(), WsState::Closed);
    assert!(h.errors.is_empty());
}

#[test]
fn debug_hides_tokens() {
    let t = WsConnect::new(
        "wss://h/agent/text-stream?workspace_id=w&token=sekret",
        vec!["auth".into(), "tok-123".into()],
    );
    let s = WsSession::new(t, WsOptions::default(), 1);
    let d = format!("{s:?}");
    assert!(!d.contains("sekret") && !d.contains("tok-123"), "{d}");
    assert!(d.contains("auth"));
}

// ---- observers ----------------------------------------------------------------------

fn config(base: &str, agent: Option<&str>, ws: &str) -> crate::Config {
    let mut b = crate::Config::builder()
        .api_key("sk-test")
        .workspace_id(ws)
        .base_url(base);
    if let Some(a) = agent {
        b = b.agent_base_url(a);
    }
    b.build().unwrap()
}

const SID: &str = "CA0123456789abcdef0123456789abcdef";

#[test]
fn observer_protocols() {
    assert_eq!(observer_auth_protocols("valid").unwrap(), ["auth", "valid"]);
    assert_eq!(
        observer_auth_protocols("").unwrap_err().message(),
        "observerAuthProtocols requires a non-empty token"
    );
    for bad in ["a b", "a:b", "a=b", "has:colons", "a/b"] {
        let e = observer_auth_protocols(bad).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(e.message().contains("subprotocol"), "{}", e.message());
    }
    let e = observer_auth_protocols(&"a".repeat(4097)).unwrap_err();
    assert!(e.message().contains("4096"));
    assert!(observer_auth_protocols(&"a".repeat(4096)).is_ok());
    assert!(observer_auth_protocols("eyJhbGciOi.eyJzdWIi.sig-_x").is_ok());
}

#[test]
fn observer_urls() {
    let c = config("https://api.example.com", None, "ws-uuid");
    assert_eq!(
        observer_url(&c, SID, None).unwrap(),
        format!("wss://api.example.com/v1/ws-uuid/observers/{SID}/ws")
    );
    let c = config("http://localhost:8080", None, "ws-uuid");
    assert_eq!(
        observer_url(&c, SID, None).unwrap(),
        format!("ws://localhost:8080/v1/ws-uuid/observers/{SID}/ws")
    );
    let c = config("https://api.example.com", None, "ws uuid/1");
    assert!(observer_url(&c, SID, None)
        .unwrap()
        .contains("/v1/ws%20uuid%2F1/observers/"));
    let c = config(
        "https://api.example.com",
        Some("wss://agent.example.com/"),
        "w",
    );
    assert!(observer_url(&c, SID, None)
        .unwrap()
        .starts_with("wss://agent.example.com/v1/w/"));
    let e = observer_url(&c, "CA123", None).unwrap_err();
    assert!(e.message().contains("CA SID format"));
    assert_eq!(
        e.message(),
        "callSid does not match Twilio CA SID format (CA + 32 hex chars): CA123"
    );
    assert_eq!(
        observer_url(&c, "", None).unwrap_err().message(),
        "callSid is required to subscribe to the observer stream"
    );
    let c = config("https://api.example.com/v1/platform", None, "w");
    assert_eq!(
        observer_url(&c, SID, None).unwrap_err().message(),
        "observerUrl can only be derived from an origin-only baseUrl; pass observerUrl explicitly when using path-prefixed gateways"
    );
    let c = config("https://api.example.com", Some("ftp://x"), "w");
    assert_eq!(
        observer_url(&c, SID, None).unwrap_err().message(),
        "observerUrl can only be derived from an http, https, ws, or wss baseUrl: ftp://x"
    );
    let c = config("https://api.example.com", Some("/relative"), "w");
    assert!(observer_url(&c, SID, None)
        .unwrap_err()
        .message()
        .starts_with("observerUrl cannot be derived from baseUrl: "));
}

#[test]
fn observer_overrides() {
    let c = config("https://api.example.com/v1/platform", None, "w");
    assert_eq!(
        observer_url(&c, "anything", Some("wss://o.example.com/custom/path")).unwrap(),
        "wss://o.example.com/custom/path"
    );
    let e = observer_url(&c, "x", Some("wss://o/p?token=1")).unwrap_err();
    assert!(e.message().contains("query parameters or fragments"));
    let e = observer_url(&c, "x", Some("wss://o/p#f")).unwrap_err();
    assert!(e.message().contains("query parameters or fragments"));
    let e = observer_url(&c, "x", Some("https://o/p")).unwrap_err();
    assert!(e.message().contains("ws: or wss:"));
    let e = observer_url(&c, "x", Some("/p")).unwrap_err();
    assert!(e
        .message()
        .starts_with("observerUrl must be an absolute URL: "));
}

#[test]
fn observer_target_validates_token_before_socket() {
    let c = config("https://api.example.com", None, "w");
    let t = observer_target(&c, SID, Some("tok"), None, web_time::SystemTime::now()).unwrap();
    assert_eq!(t.protocols(), ["auth", "tok"]);
    assert!(observer_target(
        &c,
        SID,
        Some("has:colons"),
        None,
        web_time::SystemTime::now()
    )
    .is_err());
    let t = observer_target(&c, SID, None, None, web_time::SystemTime::now()).unwrap();
    assert_eq!(t.protocols(), ["auth", "sk-test"]);
    assert_eq!(t.protocol_header().as_deref(), Some("auth, sk-test"));
}

#[test]
fn observer_events_decode() {
    let e = ObserverEvent::parse(
        r#"{"type":"agent_transcript_delta","delta":"Hel","extra":{"k":1},"seq":7}"#,
    )
    .unwrap();
    assert_eq!(e.event_type, "agent_transcript_delta");
    match &e.data {
        ObserverEventData::AgentTranscriptDelta(d) => assert_eq!(d.delta, "Hel"),
        other => panic!("{other:?}"),
    }
    assert_eq!(e.raw["extra"]["k"], 1);
    assert_eq!(e.raw["seq"], 7);
    for dropped in [
        "not json",
        r#"{"delta":"x"}"#,
        r#"[{"type":"x"}]"#,
        r#"{"type":5}"#,
    ] {
        assert!(ObserverEvent::parse(dropped).is_none(), "{dropped}");
    }
    let u = ObserverEvent::parse(r#"{"type":"brand_new","a":1}"#).unwrap();
    assert_eq!(
        u.data,
        ObserverEventData::Unknown {
            event_type: "brand_new".into()
        }
    );
    assert_eq!(u.raw["a"], 1);
    // lenient: a mistyped field is empty, the others still decode
    let e = ObserverEvent::parse(
        r#"{"type":"user_transcript","transcript":"hi","stt_confidence":"high"}"#,
    )
    .unwrap();
    match e.data {
        ObserverEventData::UserTranscript(u) => {
            assert_eq!(u.transcript, "hi");
            assert_eq!(u.stt_confidence, None);
        }
        other => panic!("{other:?}"),
    }
    // every known type decodes to its own variant
    for t in observer::OBSERVER_EVENT_TYPES {
        let e = ObserverEvent::parse(&format!(r#"{{"type":"{t}"}}"#)).unwrap();
        assert!(!matches!(e.data, ObserverEventData::Unknown { .. }), "{t}");
    }
    let b = ObserverEvent::from_message(&WsMessage::Binary(bytes::Bytes::from_static(
        br#"{"type":"speaker_muted","muted":true}"#,
    )))
    .unwrap();
    assert_eq!(
        b.data,
        ObserverEventData::SpeakerMuted(observer::SpeakerMutedEvent { muted: true })
    );
    let e = ObserverEvent::parse(
        r#"{"type":"emotion","arousal":0.5,"valence":-0.2,"dominant":"calm","scores":[{"name":"joy","score":0.9}],"speaker":{"energy_trend":"rising"}}"#,
    )
    .unwrap();
    match e.data {
        ObserverEventData::Emotion(em) => {
            assert_eq!(em.dominant, "calm");
            assert_eq!(em.scores.unwrap()[0].name, "joy");
            assert_eq!(em.speaker.unwrap().energy_trend.as_deref(), Some("rising"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn observer_default_idle_timeout_is_60s() {
    assert_eq!(WsOptions::observer().idle_timeout, Duration::from_secs(60));
    assert_eq!(WsOptions::default().idle_timeout, Duration::from_secs(45));
    assert_eq!(WsOptions::observer().max_reconnects, Some(10));
}

// ---- text stream and session connect ------------------------------------------------

fn query_keys(url: &str) -> Vec<String> {
    url.split_once('?')
        .map(|(_, q)| {
            q.split('&')
                .map(|kv| kv.split('=').next().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn form_decode(v: &str) -> String {
    let mut out = Vec::new();
    let b = v.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => {
                out.push(u8::from_str_radix(&v[i + 1..i + 3], 16).unwrap());
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn text_stream_urls() {
    let c = config("https://api.example.com", None, "ws-1");
    let p = TextStreamParams {
        conversation_id: Some("c-1".into()),
        entity_id: Some("e-1".into()),
        ..TextStreamParams::new("svc-1")
    };
    let u = text_stream_url(&c, &p).unwrap();
    assert!(
        u.starts_with("wss://api.example.com/agent/text-stream?"),
        "{u}"
    );
    assert_eq!(
        query_keys(&u),
        ["workspace_id", "service_id", "conversation_id", "entity_id"]
    );
    let c2 = config("http://localhost:8000", None, "ws-1");
    assert!(text_stream_url(&c2, &TextStreamParams::new("s"))
        .unwrap()
        .starts_with("ws://localhost:8000/agent/text-stream?"));
    // agent_base_url wins
    let c3 = config(
        "https://api.example.com",
        Some("wss://agent.example.com"),
        "ws-1",
    );
    let p = TextStreamParams {
        conversation_id: Some("c-1".into()),
        tool_events: Some(true),
        token: Some("abc".into()),
        ..TextStreamParams::new("svc-1")
    };
    assert_eq!(
        text_stream_url(&c3, &p).unwrap(),
        "wss://agent.example.com/agent/text-stream?workspace_id=ws-1&service_id=svc-1&conversation_id=c-1&tool_events=true&token=abc"
    );
    let p = TextStreamParams {
        tool_events: Some(false),
        conversation_id: Some(String::new()),
        ..TextStreamParams::new("s")
    };
    assert_eq!(
        query_keys(&text_stream_url(&c, &p).unwrap()),
        ["workspace_id", "service_id"]
    );
}

#[test]
fn text_stream_token_fallback() {
    let c = config("https://api.example.com", None, "ws-1");
    let tok = "workspace:secret/with=base64+chars";
    let p = TextStreamParams {
        token: Some(tok.into()),
        ..TextStreamParams::new("s")
    };
    let u = text_stream_url(&c, &p).unwrap();
    assert!(
        u.ends_with("token=workspace%3Asecret%2Fwith%3Dbase64%2Bchars"),
        "{u}"
    );
    assert_eq!(query_keys(&u), ["workspace_id", "service_id", "token"]);
    let v = u.rsplit_once("token=").unwrap().1;
    assert_eq!(form_decode(v), tok);
    for bad in ["", "   ", "abc\r\nx-evil: y"] {
        let p = TextStreamParams {
            token: Some(bad.into()),
            ..TextStreamParams::new("s")
        };
        let e = text_stream_url(&c, &p).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config, "{bad:?}");
        assert!(!format!("{e:?}").contains("x-evil"));
    }
    assert_eq!(
        validate_err("token", "   "),
        "token is required for text-stream authentication"
    );
    assert_eq!(
        validate_err("token", "a b"),
        "token contains characters rejected by text-stream authentication"
    );
    assert!(url::validate_text_stream_token("token", &"a".repeat(4097)).is_err());
}

fn validate_err(label: &str, v: &str) -> String {
    url::validate_text_stream_token(label, v)
        .unwrap_err()
        .message()
        .to_owned()
}

#[test]
fn text_stream_override_and_errors() {
    let rel = crate::Config::builder()
        .api_key("k")
        .workspace_id("ws-1")
        .build()
        .unwrap();
    let p = TextStreamParams {
        text_stream_url: Some("wss://gw.example.com/custom/ts".into()),
        ..TextStreamParams::new("svc")
    };
    let u = text_stream_url(&rel, &p).unwrap();
    assert_eq!(
        u,
        "wss://gw.example.com/custom/ts?workspace_id=ws-1&service_id=svc"
    );
    let msg = |base: &str, agent: Option<&str>, o: Option<&str>| {
        let c = config(base, agent, "w");
        let p = TextStreamParams {
            text_stream_url: o.map(str::to_owned),
            ..TextStreamParams::new("s")
        };
        text_stream_url(&c, &p).unwrap_err().message().to_owned()
    };
    let b = "https://api.example.com";
    assert!(msg(b, None, Some("wss://x/p?a=1"))
        .contains("must not include query parameters or fragments"));
    assert!(msg(b, None, Some("wss://x/p#f"))
        .contains("must not include query parameters or fragments"));
    assert_eq!(
        msg(b, None, Some("https://x/p")),
        "textStreamUrl overrides must use ws: or wss: URLs"
    );
    assert!(msg(b, None, Some("/rel"))
        .starts_with("textStreamUrl must be an absolute URL for text-stream overrides: "));
    assert_eq!(
        msg(b, Some("/relative"), None),
        "textStreamUrl cannot be derived from a relative baseUrl; pass agentBaseUrl or textStreamUrl explicitly"
    );
    assert_eq!(
        msg(b, Some("http+unix://sock"), None),
        "textStreamUrl can only be derived from an http, https, ws, or wss baseUrl; pass textStreamUrl explicitly"
    );
    assert_eq!(
        msg("https://api.example.com/v1/platform", None, None),
        "textStreamUrl can only be derived from an origin-only baseUrl; pass agentBaseUrl as an origin or textStreamUrl explicitly when using path-prefixed gateways"
    );
    // query and fragment of the base are dropped
    let c = config(b, Some("https://agent.example.com/?x=1#f"), "w");
    assert!(text_stream_url(&c, &TextStreamParams::new("s"))
        .unwrap()
        .starts_with("wss://agent.example.com/agent/text-stream?workspace_id=w&"));
}

#[test]
fn subprotocol_auth() {
    for f in [text_stream_auth_protocols, session_connect_auth_protocols] {
        assert_eq!(f("test+api.key").unwrap(), ["auth", "test+api.key"]);
        assert_eq!(
            f("").unwrap_err().message(),
            "apiKey is required for text-stream authentication"
        );
        assert!(f("  ")
            .unwrap_err()
            .message()
            .contains("apiKey is required"));
        let e = f("workspace:secret").unwrap_err();
        assert!(e.message().contains("(\":\")"), "{}", e.message());
        let e = f("base64/with=padding").unwrap_err();
        assert!(e.message().contains("\"/\", \"=\""), "{}", e.message());
        assert!(e.message().starts_with(
            "apiKey contains characters browsers reject in WebSocket subprotocols (\"/\", \"=\"); use the token option"
        ));
        assert_eq!(
            f("a b").unwrap_err().message(),
            "apiKey contains characters rejected by text-stream authentication"
        );
        assert!(f(&"a".repeat(4097)).is_err());
    }
}

#[test]
fn session_connect_urls() {
    let c = config(
        "https://api.platform.amigo.ai",
        Some("wss://agent.example.com"),
        "ws-1",
    );
    let p = SessionConnectParams {
        conversation_id: Some("c".into()),
        ..SessionConnectParams::new("svc", "ent")
    };
    let u = session_connect_url(&c, &p).unwrap();
    assert_eq!(
        u,
        "wss://api.platform.amigo.ai/v1/ws-1/sessions/connect?service_id=svc&entity_id=ent&conversation_id=c"
    );
    assert_eq!(
        query_keys(&u),
        ["service_id", "entity_id", "conversation_id"]
    );
    let c = config("http://localhost:1", None, "ws 1");
    let p = SessionConnectParams {
        tool_events: Some(false),
        ..SessionConnectParams::new("s", "e")
    };
    assert_eq!(
        session_connect_url(&c, &p).unwrap(),
        "ws://localhost:1/v1/ws%201/sessions/connect?service_id=s&entity_id=e&tool_events=false"
    );
    let p = SessionConnectParams {
        tool_events: Some(true),
        ..SessionConnectParams::new("s", "e")
    };
    assert!(!session_connect_url(&c, &p).unwrap().contains("tool_events"));
    let p = SessionConnectParams {
        session_connect_url: Some("wss://o.example.com/sc".into()),
        ..SessionConnectParams::new("s", "e")
    };
    assert_eq!(
        session_connect_url(&c, &p).unwrap(),
        "wss://o.example.com/sc?service_id=s&entity_id=e"
    );
    let p = SessionConnectParams {
        session_connect_url: Some("wss://o.example.com/sc?x=1".into()),
        ..SessionConnectParams::new("s", "e")
    };
    assert_eq!(
        session_connect_url(&c, &p).unwrap_err().message(),
        "sessionConnectUrl overrides must not include query parameters or fragments; pass SDK-managed fields through sessionConnectUrl() options"
    );
    let c = config("https://api.example.com/v1/platform", None, "w");
    assert_eq!(
        session_connect_url(&c, &SessionConnectParams::new("s", "e"))
            .unwrap_err()
            .message(),
        "sessionConnectUrl can only be derived from an origin-only baseUrl; pass sessionConnectUrl explicitly when using path-prefixed gateways"
    );
    let t = session_connect_target(
        &config("https://a.b", None, "w"),
        &SessionConnectParams::new("s", "e"),
        "k.1",
    )
    .unwrap();
    assert_eq!(t.protocols(), ["auth", "k.1"]);
}

#[test]
fn text_stream_frames() {
    assert_eq!(
        TextStreamClientFrame::message("hi \"x\"").to_json(),
        serde_json::json!({"type":"message","text":"hi \"x\""}).to_string()
    );
    assert_eq!(TextStreamClientFrame::Stop.to_json(), r#"{"type":"stop"}"#);
    let f = TextStreamFrame::parse(
        r#"{"type":"session_started","session_id":"s1","conversation_id":"c1"}"#,
    )
    .unwrap();
    assert_eq!(
        f.data,
        TextStreamServerFrame::SessionStarted {
            session_id: "s1".into(),
            conversation_id: "c1".into()
        }
    );
    let f = TextStreamFrame::parse(
        r#"{"type":"tool_call_started","tool_name":"t","call_id":"c","input":{"a":1}}"#,
    )
    .unwrap();
    match f.data {
        TextStreamServerFrame::ToolCallStarted { input, .. } => assert_eq!(input["a"], 1),
        other => panic!("{other:?}"),
    }
    assert!(TextStreamFrame::parse("[]").is_none());
    assert_eq!(
        TextStreamFrame::parse(r#"{"type":"zzz"}"#).unwrap().data,
        TextStreamServerFrame::Unknown {
            event_type: "zzz".into()
        }
    );
    for (t, ok) in [
        ("typing", TextStreamServerFrame::Typing),
        (
            "session_ended",
            TextStreamServerFrame::SessionEnded {
                reason: String::new(),
            },
        ),
    ] {
        assert_eq!(
            TextStreamFrame::parse(&format!(r#"{{"type":"{t}"}}"#))
                .unwrap()
                .data,
            ok
        );
    }
    let s = SessionConnectFrame::parse(r#"{"type":"agent_text","text":"x","n":1}"#).unwrap();
    assert_eq!(s.event_type, "agent_text");
    assert_eq!(s.raw["n"], 1);
    assert_eq!(
        SessionConnectFrame::user_text("hi").to_text(),
        serde_json::json!({"type":"user_text","text":"hi"}).to_string()
    );
}

#[test]
fn redact_url_hides_token() {
    assert_eq!(
        redact_url("wss://h/p?workspace_id=w&token=abc#f"),
        "wss://h/p?workspace_id=w&token=[REDACTED]#f"
    );
    assert_eq!(redact_url("wss://h/p"), "wss://h/p");
}

// ---------------------------------------------------------------------------------------------
// What the transports share: WsShared, WsHandle, WsStream, ObserverStream

mod shared {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};

    #[derive(Default)]
    struct Count(AtomicUsize);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn t() -> crate::Time {
        crate::Time::system()
    }

    fn shared() -> Arc<WsShared> {
        let half = Box::new(FixedRandom(vec![u32::MAX / 2], 0));
        WsShared::new(WsSession::new(target(), WsOptions::default(), 1).with_random(half))
    }

    #[test]
    fn kick_wakes_the_driver_once() {
        let s = shared();
        let count = Arc::new(Count::default());
        let waker = Waker::from(count.clone());
        let mut cx = Context::from_waker(&waker);
        assert!(s.poll_kicked(&mut cx).is_pending());
        s.kick();
        assert_eq!(count.0.load(Ordering::SeqCst), 1);
        assert!(s.poll_kicked(&mut cx).is_ready());
        assert!(
            s.poll_kicked(&mut cx).is_pending(),
            "a kick is consumed once"
        );
        // a kick with no waiting driver is kept for the next wait
        s.kick();
        s.kick();
        assert!(s.poll_kicked(&mut cx).is_ready());
        assert!(s.poll_kicked(&mut cx).is_pending());
    }

    #[test]
    fn next_io_queues_events_and_handle_commands_reach_the_driver() {
        let s = shared();
        let handle = WsHandle::new(s.clone());
        assert!(matches!(s.next_io(t), WsIo::Connect(_)));
        assert!(matches!(s.next_io(t), WsIo::Wait(None)));
        s.lock().handle_open(t());
        s.lock().handle_message(WsMessage::Text("a".into()), t());
        assert!(matches!(s.next_io(t), WsIo::Wait(Some(_))));
        assert_eq!(handle.state(), WsState::Open);
        let waker = Waker::from(Arc::new(Count::default()));
        let mut cx = Context::from_waker(&waker);
        let mut events = vec![];
        while let Poll::Ready(Some(e)) = s.poll_event(&mut cx) {
            events.push(e.expect("no error"));
        }
        assert_eq!(
            events,
            [
                WsEvent::State(WsState::Open),
                WsEvent::Message(WsMessage::Text("a".into()))
            ]
        );
        handle.send(WsMessage::Text("out".into())).unwrap();
        assert!(s.poll_kicked(&mut cx).is_ready(), "send wakes the driver");
        assert!(matches!(s.next_io(t), WsIo::Transmit(WsMessage::Text(m)) if m == "out"));
        assert!(handle.close_with(999, "bad").is_err());
        handle.close_with(4000, "bye").unwrap();
        assert!(
            matches!(s.next_io(t), WsIo::Close(f) if f == CloseFrame { code: 4000, reason: "bye".into() })
        );
        assert!(matches!(s.next_io(t), WsIo::Done));
        assert_eq!(
            s.wait_event(Some(MS(1))).map(|e| e.ok()),
            Some(Some(WsEvent::State(WsState::Closed)))
        );
        assert!(s.wait_event(None).is_none(), "the events end after Done");
        assert!(s.poll_event(&mut cx).is_ready());
        assert!(handle.send(WsMessage::Text("late".into())).is_err());
    }

    #[test]
    fn wait_event_times_out_and_release_closes() {
        let s = shared();
        assert!(matches!(s.next_io(t), WsIo::Connect(_)));
        s.lock().handle_open(t());
        assert!(
            s.wait_event(Some(MS(1))).is_none(),
            "nothing yet: a timeout"
        );
        s.release();
        // the open state is not queued any more: the consumer is gone
        assert!(matches!(
            s.next_io(t),
            WsIo::Close(CloseFrame { code: 1000, .. })
        ));
        assert!(matches!(s.next_io(t), WsIo::Done));
        assert!(s.wait_event(Some(MS(1))).is_none());
    }

    #[test]
    fn opened_reports_the_open_or_the_failure() {
        let s = shared();
        assert!(matches!(s.next_io(t), WsIo::Connect(_)));
        assert_eq!(s.opened(Ok::<u8, _>(7), t()), Some(7));
        assert_eq!(s.lock().state(), WsState::Open);
        let s = shared();
        assert!(matches!(s.next_io(t), WsIo::Connect(_)));
        let refused = ConnectFailure::Network("refused".into());
        assert_eq!(s.opened::<u8>(Err(refused), t()), None);
        assert!(matches!(s.next_io(t), WsIo::Wait(Some(_))), "a backoff");
        assert_eq!(s.lock().failures(), 1);
    }

    #[test]
    fn fail_start_reports_one_open_failed() {
        let s = shared();
        s.fail_start("no thread".into(), t);
        let mut items = vec![];
        while let Some(e) = s.wait_event(Some(MS(1))) {
            items.push(e);
        }
        assert_eq!(items.len(), 2, "{items:?}");
        assert!(matches!(items[0], Ok(WsEvent::State(WsState::Terminal))));
        let err = items[1].as_ref().expect_err("terminal");
        assert_eq!(err.error_code(), Some("open_failed"));
        assert_eq!(err.message(), "no thread");
    }

    #[test]
    fn observer_item_keeps_decoded_messages_and_errors() {
        let text = |s: &str| Ok(WsEvent::Message(WsMessage::Text(s.into())));
        let ok = observer_item(text(r#"{"type":"barge_in"}"#))
            .unwrap()
            .unwrap();
        assert_eq!(ok.event_type, "barge_in");
        assert!(observer_item(text("not json")).is_none());
        assert!(observer_item(text(r#"{"no":"type"}"#)).is_none());
        assert!(observer_item(Ok(WsEvent::State(WsState::Open))).is_none());
        let e = crate::Error::config("x");
        assert!(observer_item(Err(e)).unwrap().is_err());
    }

    /// A driver that plays one socket in `start`: it opens, delivers an observer event and an
    /// undecodable frame, then the server closes with 4403 (terminal).
    struct Scripted;
    impl WsDriver for Scripted {
        fn start(shared: Arc<WsShared>, _options: WsDriverOptions) {
            for _ in 0..100 {
                match shared.next_io(t) {
                    WsIo::Connect(_) => {
                        let mut s = shared.lock();
                        s.handle_open(t());
                        let start = r#"{"type":"session_start","mode":"voice"}"#;
                        s.handle_message(WsMessage::Text(start.into()), t());
                        s.handle_message(WsMessage::Text("garbage".into()), t());
                        s.handle_closed(4403, "forbidden", t());
                    }
                    WsIo::Done => return,
                    WsIo::Transmit(_) | WsIo::Close(_) | WsIo::Wait(_) | WsIo::Pause => {}
                }
            }
            panic!("the script did not end");
        }
    }
    impl BlockingDriver for Scripted {}
    impl AsyncDriver for Scripted {}

    fn drive() -> WsStream<Scripted> {
        let session = WsSession::new(target(), WsOptions::observer(), 1);
        WsStream::drive(session, WsDriverOptions::default())
    }

    #[test]
    fn observer_stream_iterates_events_then_the_terminal_error() {
        let items: Vec<_> = ObserverStream::new(drive()).collect();
        assert_eq!(items.len(), 2, "{items:?}");
        assert_eq!(items[0].as_ref().unwrap().event_type, "session_start");
        let info = WsErrorInfo::from_error(items[1].as_ref().unwrap_err()).unwrap();
        assert_eq!(info.close_code, Some(4403));
    }

    #[test]
    fn ws_stream_is_a_stream_and_an_iterator() {
        use futures_core::Stream;
        let waker = Waker::from(Arc::new(Count::default()));
        let mut cx = Context::from_waker(&waker);
        let mut stream = drive();
        let mut states = vec![];
        let mut errors = 0;
        loop {
            match std::pin::Pin::new(&mut stream).poll_next(&mut cx) {
                Poll::Ready(Some(Ok(WsEvent::State(s)))) => states.push(s),
                Poll::Ready(Some(Ok(_))) => {}
                Poll::Ready(Some(Err(_))) => errors += 1,
                Poll::Ready(None) => break,
                Poll::Pending => panic!("the scripted driver finished in start"),
            }
        }
        assert_eq!(states, [WsState::Open, WsState::Closed, WsState::Terminal]);
        assert_eq!(errors, 1);
        let messages: Vec<_> = drive().messages().collect();
        assert_eq!(
            messages.len(),
            3,
            "two messages and the error: {messages:?}"
        );
        assert!(drive().close_with(4000, "ok").is_ok());
        let mut observer = ObserverStream::new(drive());
        assert!(matches!(
            std::pin::Pin::new(&mut observer).poll_next(&mut cx),
            Poll::Ready(Some(Ok(_)))
        ));
        observer.close();
        assert_eq!(observer.handle().state(), WsState::Terminal);
    }
}

#[test]
fn budget_exhausted_by_failed_connects_names_the_last_failure_redacted() {
    let mut h = H::new(
        WsOptions::default()
            .max_reconnects(Some(1))
            .initial_delay(MS(10)),
    );
    let failure = "handshake: invalid peer certificate: UnknownIssuer at \
                   wss://host.example/v1/calls/c1/observe?token=SECRETCAPABILITYTOKEN0123";
    for _ in 0..10 {
        if h.done {
            break;
        }
        h.drain();
        h.s.handle_connect_failed(ConnectFailure::Network(failure.into()), h.t());
        h.advance();
    }
    assert_eq!(h.info().reason, "reconnect_budget_exhausted");
    let message = h.errors[0].message();
    assert!(
        message.starts_with(
            "Reconnect budget exhausted (1 attempts); last connect failure: handshake: invalid peer certificate"
        ),
        "{message}"
    );
    assert!(!message.contains("SECRETCAPABILITYTOKEN"), "{message}");
}

#[test]
fn an_open_socket_forgets_the_earlier_connect_failure() {
    let mut h = H::new(
        WsOptions::default()
            .max_reconnects(Some(1))
            .initial_delay(MS(10)),
    );
    h.drain();
    h.s.handle_connect_failed(ConnectFailure::Network("refused".into()), h.t());
    h.advance();
    for _ in 0..10 {
        if h.done {
            break;
        }
        h.open();
        h.close_wire(1006, "gone");
        h.advance();
    }
    assert_eq!(
        h.errors[0].message(),
        "Reconnect budget exhausted (1 attempts)"
    );
}
