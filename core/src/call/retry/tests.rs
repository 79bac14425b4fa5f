//! Fake-clock tests of the Call machine.
//!
//! The clock is `base + offset`, advanced only by the harness; the machine never reads a clock.

use super::*;
use crate::call::backoff::FixedRandom;
use crate::call::hooks::HookError;
use crate::call::redirect::{resolve_location, resolve_reference};
use crate::call::test_ops::{CreateAgent, CreateAgentRequest, GetAgent, ListAgents};
use crate::error::{ErrorKind, TransportErrorKind};
use http::HeaderMap;
use proptest::prelude::*;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;
use web_time::SystemTime;

const TOKEN: &str = "sk-live-secret-0123";
const MAX_STEPS: usize = 100;

// ---------------------------------------------------------------------------------------------
// Harness: fake clock, scripted responder, bounded drive loop
// ---------------------------------------------------------------------------------------------

/// Monotonic and wall clocks that move only when the test says so.
struct Clock {
    base: Instant,
    wall_base: SystemTime,
    offset: Duration,
}

impl Clock {
    fn new() -> Clock {
        Clock {
            base: Instant::now(),
            wall_base: web_time::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
            offset: Duration::ZERO,
        }
    }

    fn time(&self) -> Time {
        Time {
            now: self.base + self.offset,
            wall: self.wall_base + self.offset,
        }
    }

    fn advance(&mut self, d: Duration) {
        self.offset += d;
    }

    fn advance_to(&mut self, at: Instant) {
        self.offset = at.duration_since(self.base);
    }
}

/// One scripted attempt result.
#[derive(Debug, Clone)]
enum Reply {
    /// status, headers, body
    Resp(u16, Vec<(&'static str, String)>, Vec<u8>),
    /// A transport failure without a response.
    Fail,
    /// Headers arrived (status), body read failed.
    BodyFail(u16),
    /// The attempt's limit expired; the harness advances the clock by the attempt's timeout.
    TimedOut,
    /// A cancellation token fired during the attempt.
    Cancelled,
}

fn status(s: u16) -> Reply {
    Reply::Resp(s, vec![], Vec::new())
}

fn status_h(s: u16, name: &'static str, value: &str) -> Reply {
    Reply::Resp(s, vec![(name, value.to_owned())], Vec::new())
}

fn ok_json(body: &str) -> Reply {
    Reply::Resp(200, vec![], body.as_bytes().to_vec())
}

fn build_outcome(out: &Reply) -> AttemptOutcome {
    match out {
        Reply::Resp(s, headers, body) => {
            let mut b = http::Response::builder()
                .status(*s)
                .header("content-type", "application/json");
            for (k, v) in headers {
                b = b.header(*k, v.as_str());
            }
            AttemptOutcome::Response(b.body(Bytes::from(body.clone())).unwrap())
        }
        Reply::Fail => AttemptOutcome::Failed(Error::network(
            TransportErrorKind::Connect,
            "connection refused",
        )),
        Reply::BodyFail(s) => {
            let (head, _) = http::Response::builder()
                .status(*s)
                .body(())
                .unwrap()
                .into_parts();
            AttemptOutcome::BodyFailed {
                head,
                error: Error::network(TransportErrorKind::Read, "reset while reading body"),
            }
        }
        Reply::TimedOut => AttemptOutcome::TimedOut,
        Reply::Cancelled => AttemptOutcome::Cancelled,
    }
}

/// What one Send looked like.
#[derive(Debug)]
struct Sent {
    number: u32,
    timeout: Option<Duration>,
    headers: HeaderMap,
    body: Bytes,
    uri: String,
    /// Offset of the fake clock when the attempt was sent.
    at: Duration,
}

#[derive(Debug)]
enum Ev {
    Send(u32),
    /// Wait duration measured from the fake "now" at the time of the Wait step.
    Wait(Duration),
}

/// Both machines (`Call`, `OperationCall`) through one interface.
trait Machine {
    type Reply;
    fn poll_m(&mut self, t: Time) -> CallStep<Self::Reply>;
    fn handle_m(&mut self, o: AttemptOutcome, t: Time);
}

impl Machine for Call {
    type Reply = http::Response<Bytes>;
    fn poll_m(&mut self, t: Time) -> CallStep<Self::Reply> {
        self.poll(t)
    }
    fn handle_m(&mut self, o: AttemptOutcome, t: Time) {
        self.handle_outcome(o, t)
    }
}

impl<O: Operation> Machine for OperationCall<O> {
    type Reply = Response<O::Output>;
    fn poll_m(&mut self, t: Time) -> CallStep<Self::Reply> {
        self.poll(t)
    }
    fn handle_m(&mut self, o: AttemptOutcome, t: Time) {
        self.handle_outcome(o, t)
    }
}

/// The scripted driver.
struct Driver {
    clock: Clock,
    script: Vec<Reply>,
    next: usize,
    /// How long each non-timeout attempt takes on the fake clock.
    latency: Duration,
    /// Cancel this token when the machine asks to wait.
    cancel_on_wait: Option<CancelToken>,
    sends: Vec<Sent>,
    events: Vec<Ev>,
}

struct Run<T> {
    result: Result<T, Error>,
    sends: Vec<Sent>,
    events: Vec<Ev>,
}

impl<T> Run<T> {
    fn attempts(&self) -> usize {
        self.sends.len()
    }
    fn waits(&self) -> Vec<Duration> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Ev::Wait(d) => Some(*d),
                Ev::Send(_) => None,
            })
            .collect()
    }
    fn err(self) -> Error {
        match self.result {
            Ok(_) => panic!("expected an error, got success"),
            Err(e) => e,
        }
    }
}

impl Driver {
    fn new(script: Vec<Reply>) -> Driver {
        Driver::with_clock(Clock::new(), script)
    }

    fn with_clock(clock: Clock, script: Vec<Reply>) -> Driver {
        Driver {
            clock,
            script,
            next: 0,
            latency: Duration::ZERO,
            cancel_on_wait: None,
            sends: Vec::new(),
            events: Vec::new(),
        }
    }

    fn time(&self) -> Time {
        self.clock.time()
    }

    /// Drives the machine to `Done`, panicking after `MAX_STEPS` steps.
    fn drive<M: Machine>(mut self, m: &mut M) -> Run<M::Reply> {
        for _ in 0..MAX_STEPS {
            let now = self.clock.time().now;
            match m.poll_m(self.clock.time()) {
                Step::Done(result) => {
                    return Run {
                        result,
                        sends: self.sends,
                        events: self.events,
                    }
                }
                Step::Wait(until) => {
                    let d = until
                        .checked_duration_since(now)
                        .expect("Wait instant is before now");
                    self.events.push(Ev::Wait(d));
                    if let Some(t) = &self.cancel_on_wait {
                        t.cancel();
                    }
                    self.clock.advance_to(until);
                }
                Step::Send(a) => {
                    self.events.push(Ev::Send(a.number));
                    let (parts, body) = a.request.into_parts();
                    self.sends.push(Sent {
                        number: a.number,
                        timeout: a.timeout,
                        headers: parts.headers,
                        body,
                        uri: parts.uri.to_string(),
                        at: self.clock.offset,
                    });
                    let out = self
                        .script
                        .get(self.next)
                        .cloned()
                        .unwrap_or_else(|| panic!("script exhausted at attempt {}", a.number));
                    self.next += 1;
                    match out {
                        Reply::TimedOut => self.clock.advance(a.timeout.unwrap_or(Duration::ZERO)),
                        _ => self.clock.advance(self.latency),
                    }
                    m.handle_m(build_outcome(&out), self.clock.time());
                }
                Step::Refresh(_) | Step::Read(_) => {
                    panic!("an API key call neither refreshes nor streams")
                }
                Step::Item(never) => match never {},
            }
        }
        panic!("the call did not finish within {MAX_STEPS} steps");
    }
}

fn config() -> ConfigBuilder {
    Config::builder()
        .api_key(TOKEN)
        .workspace_id("ws-001")
        .base_url("https://api.test")
}

use crate::config::ConfigBuilder;

fn prepared(method: Method, body: &'static [u8]) -> PreparedRequest {
    let mut headers = HeaderMap::new();
    headers.insert("accept", HeaderValue::from_static("application/json"));
    PreparedRequest {
        method,
        url: "https://api.test/v1/ws-001/things".to_owned(),
        headers,
        body: Bytes::from_static(body),
        upload: None,
        path_template: "/v1/{workspace_id}/things".to_owned(),
    }
}

/// A raw `Call` for `method` under `options`, driven through `script`.
fn run_raw(method: Method, cfg: &Config, options: &RequestOptions, script: Vec<Reply>) -> Run<()> {
    let d = Driver::new(script);
    let mut call = Call::new(prepared(method, b""), cfg, options, 7, d.time());
    let r = d.drive(&mut call);
    Run {
        result: r.result.map(|_| ()),
        sends: r.sends,
        events: r.events,
    }
}

fn fixed(r: u32) -> Box<dyn RandomSource> {
    Box::new(FixedRandom(vec![r], 0))
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn agent_json(id: &str) -> String {
    format!(
        r#"{{"id":"{id}","workspace_id":"ws-001","name":"n","description":"d","created_at":"2024-01-01T00:00:00Z","updated_at":"2024-01-01T00:00:00Z"}}"#
    )
}

// ---------------------------------------------------------------------------------------------
// The retry decision table
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
enum Kind {
    Status(u16),
    Transport,
    Timeout,
    Cancel,
}

fn expected_attempts(method: &Method, kind: Kind, retry_writes: bool) -> usize {
    let get_like = matches!(*method, Method::GET | Method::HEAD);
    let write = matches!(*method, Method::PUT | Method::PATCH | Method::DELETE);
    let retried = match kind {
        Kind::Status(s) => {
            let set = matches!(s, 408 | 429 | 500 | 502 | 503 | 504);
            set && (get_like || (write && retry_writes))
        }
        Kind::Transport => get_like || *method == Method::OPTIONS || (write && retry_writes),
        Kind::Timeout => get_like || *method == Method::OPTIONS,
        Kind::Cancel => false,
    };
    if retried {
        3
    } else {
        1
    }
}

#[test]
fn decision_table_of_2_9_2() {
    let methods = [
        Method::GET,
        Method::HEAD,
        Method::OPTIONS,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
    ];
    let mut kinds: Vec<Kind> = [408, 429, 500, 501, 502, 503, 504, 400, 404]
        .into_iter()
        .map(Kind::Status)
        .collect();
    kinds.extend([Kind::Transport, Kind::Timeout, Kind::Cancel]);
    let mut checked = 0;
    for retry_writes in [false, true] {
        let cfg = config()
            .retry_writes(retry_writes)
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap();
        for method in &methods {
            for kind in &kinds {
                let out = match kind {
                    Kind::Status(s) => status(*s),
                    Kind::Transport => Reply::Fail,
                    Kind::Timeout => Reply::TimedOut,
                    Kind::Cancel => Reply::Cancelled,
                };
                let run = run_raw(
                    method.clone(),
                    &cfg,
                    &RequestOptions::new(),
                    vec![out.clone(), out.clone(), out],
                );
                let want = expected_attempts(method, *kind, retry_writes);
                let what = format!("{method} {kind:?} retry_writes={retry_writes}");
                assert_eq!(run.attempts(), want, "attempts for {what}");
                let numbers: Vec<u32> = run.sends.iter().map(|s| s.number).collect();
                assert_eq!(numbers, (1..=want as u32).collect::<Vec<_>>(), "{what}");
                let e = run.err();
                match kind {
                    Kind::Status(s) => {
                        assert_eq!(e.kind(), ErrorKind::from_status(*s), "{what}");
                        assert_eq!(e.status(), Some(*s), "{what}");
                    }
                    Kind::Transport => {
                        assert_eq!(e.kind(), ErrorKind::Network, "{what}");
                        assert_eq!(e.message(), "Network error: connection refused");
                    }
                    Kind::Timeout => {
                        assert_eq!(e.kind(), ErrorKind::Timeout, "{what}");
                        assert_eq!(
                            e.timeout_info(),
                            Some((Duration::from_secs(5), TimeoutScope::Attempt)),
                            "{what}"
                        );
                    }
                    Kind::Cancel => assert_eq!(e.kind(), ErrorKind::Cancelled, "{what}"),
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 2 * 7 * 12);
}

#[test]
fn retryable_status_then_success_takes_two_attempts() {
    let cfg = config().build().unwrap();
    for s in [503, 429, 408, 500, 502, 504] {
        let run = run_raw(
            Method::GET,
            &cfg,
            &RequestOptions::new(),
            vec![status(s), status(200)],
        );
        assert_eq!(run.attempts(), 2, "GET {s} then 200");
        assert!(run.result.is_ok());
    }
}

#[test]
fn max_retries_zero_means_one_attempt() {
    let cfg = config().build().unwrap();
    let run = run_raw(
        Method::GET,
        &cfg,
        &RequestOptions::new().max_retries(0),
        vec![status(503), status(200)],
    );
    assert_eq!(run.attempts(), 1);
    assert_eq!(run.err().kind(), ErrorKind::ServiceUnavailable);
    // client max_attempts 1 + per-call max_retries(1)
    let cfg = config().max_attempts(1).build().unwrap();
    let run = run_raw(
        Method::GET,
        &cfg,
        &RequestOptions::new().max_retries(1),
        vec![status(500), status(200)],
    );
    assert_eq!(run.attempts(), 2);
    assert!(run.result.is_ok());
}

#[test]
fn body_read_failure_on_success_is_a_transport_error() {
    let cfg = config().build().unwrap();
    let run = run_raw(
        Method::GET,
        &cfg,
        &RequestOptions::new(),
        vec![Reply::BodyFail(200), status(200)],
    );
    assert_eq!(run.attempts(), 2);
    assert!(run.result.is_ok());
    let run = run_raw(
        Method::POST,
        &cfg,
        &RequestOptions::new(),
        vec![Reply::BodyFail(200)],
    );
    assert_eq!(run.attempts(), 1);
    assert_eq!(run.err().kind(), ErrorKind::Network);
    // Non-2xx head with an unreadable body is still classified by status.
    let run = run_raw(
        Method::GET,
        &cfg,
        &RequestOptions::new(),
        vec![
            Reply::BodyFail(503),
            Reply::BodyFail(503),
            Reply::BodyFail(503),
        ],
    );
    assert_eq!(run.attempts(), 3);
    assert_eq!(run.err().kind(), ErrorKind::ServiceUnavailable);
}

// ---------------------------------------------------------------------------------------------
// POST 429 and Retry-After
// ---------------------------------------------------------------------------------------------

#[test]
fn post_429_needs_a_parseable_retry_after() {
    let cfg = config().build().unwrap();
    let opts = RequestOptions::new();
    let run = run_raw(Method::POST, &cfg, &opts, vec![status(429), status(200)]);
    assert_eq!(run.attempts(), 1, "no Retry-After");
    assert_eq!(run.err().kind(), ErrorKind::RateLimited);

    let run = run_raw(
        Method::POST,
        &cfg,
        &opts,
        vec![status_h(429, "retry-after", "0"), status(200)],
    );
    assert_eq!(run.attempts(), 2, "Retry-After: 0");
    assert!(run.result.is_ok());
    assert!(run.waits().is_empty(), "Retry-After 0 retries immediately");

    for garbage in ["", "soon", "-5", "1e3"] {
        let run = run_raw(
            Method::POST,
            &cfg,
            &opts,
            vec![status_h(429, "retry-after", garbage), status(200)],
        );
        assert_eq!(run.attempts(), 1, "Retry-After {garbage:?}");
        let e = run.err();
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        assert_eq!(e.retry_after(), None);
    }
}

#[test]
fn put_429_with_retry_after_is_not_retried_by_default() {
    let cfg = config().build().unwrap();
    let run = run_raw(
        Method::PUT,
        &cfg,
        &RequestOptions::new(),
        vec![status_h(429, "retry-after", "1"), status(200)],
    );
    assert_eq!(run.attempts(), 1);
    assert_eq!(run.err().kind(), ErrorKind::RateLimited);
    // with retry_writes it waits exactly the Retry-After
    let run = run_raw(
        Method::PUT,
        &cfg,
        &RequestOptions::new().retry_writes(true),
        vec![status_h(429, "retry-after", "1"), status(200)],
    );
    assert_eq!(run.attempts(), 2);
    assert_eq!(run.waits(), vec![Duration::from_secs(1)]);
}

/// Runs GET → `first`, then 200, with `FixedRandom(r)` and the given options.
fn get_then_ok(cfg: &Config, opts: &RequestOptions, first: Reply, r: u32) -> Run<()> {
    let d = Driver::new(vec![first, status(200)]);
    let mut call =
        Call::new(prepared(Method::GET, b""), cfg, opts, 1, d.time()).with_random(fixed(r));
    let run = d.drive(&mut call);
    Run {
        result: run.result.map(|_| ()),
        sends: run.sends,
        events: run.events,
    }
}

#[test]
fn retry_after_delta_seconds_is_exact() {
    let cfg = config().build().unwrap();
    let run = get_then_ok(
        &cfg,
        &RequestOptions::new(),
        status_h(503, "retry-after", "7"),
        u32::MAX,
    );
    assert_eq!(run.waits(), vec![ms(7000)]);
    assert_eq!(run.sends[1].at, ms(7000));
    assert!(run.result.is_ok());
}

#[test]
fn retry_after_is_not_capped_by_max_delay() {
    let cfg = config().max_delay(ms(1)).build().unwrap();
    let run = get_then_ok(
        &cfg,
        &RequestOptions::new(),
        status_h(429, "retry-after", "0.2"),
        u32::MAX,
    );
    assert_eq!(run.waits(), vec![ms(200)]);
}

fn http_date(t: SystemTime) -> String {
    let since = t.duration_since(web_time::UNIX_EPOCH).unwrap();
    httpdate::fmt_http_date(std::time::UNIX_EPOCH + since)
}

#[test]
fn retry_after_http_date_uses_the_injected_wall_clock() {
    let cfg = config().build().unwrap();
    let clock = Clock::new();
    let ahead = http_date(clock.time().wall + Duration::from_secs(3));
    let run = get_then_ok(
        &cfg,
        &RequestOptions::new(),
        status_h(503, "retry-after", &ahead),
        u32::MAX,
    );
    assert_eq!(run.waits(), vec![Duration::from_secs(3)]);

    let past = http_date(clock.time().wall - Duration::from_secs(30));
    let run = get_then_ok(
        &cfg,
        &RequestOptions::new(),
        status_h(503, "retry-after", &past),
        u32::MAX,
    );
    assert_eq!(run.attempts(), 2);
    assert!(run.waits().is_empty(), "past date → immediate retry");
}

#[test]
fn negative_retry_after_is_absent_and_falls_back_to_jitter() {
    let cfg = config().build().unwrap();
    // index 0, base 250 ms, r = 2^31 → 125 ms
    let run = get_then_ok(
        &cfg,
        &RequestOptions::new(),
        status_h(429, "retry-after", "-5"),
        0x8000_0000,
    );
    assert_eq!(run.waits(), vec![ms(125)]);
}

#[test]
fn retry_after_above_the_cap_fails_at_once() {
    let cfg = config().build().unwrap();
    let run = get_then_ok(
        &cfg,
        &RequestOptions::new(),
        status_h(429, "retry-after", "3600"),
        0,
    );
    assert_eq!(run.attempts(), 1);
    assert!(run.waits().is_empty());
    let e = run.err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert_eq!(e.retry_after(), Some(Duration::from_secs(3600)));

    let run = get_then_ok(
        &cfg,
        &RequestOptions::new(),
        status_h(503, "retry-after", "61"),
        0,
    );
    assert_eq!(run.attempts(), 1);
    let e = run.err();
    assert_eq!(e.kind(), ErrorKind::ServiceUnavailable);
    assert_eq!(e.retry_after(), Some(Duration::from_secs(61)));

    let run = get_then_ok(
        &cfg,
        &RequestOptions::new().max_retry_after(Duration::from_secs(120)),
        status_h(503, "retry-after", "61"),
        0,
    );
    assert_eq!(run.attempts(), 2);
    assert_eq!(run.waits(), vec![Duration::from_secs(61)]);
    assert!(run.result.is_ok());

    // POST 429 above the cap is not retried either.
    let run = run_raw(
        Method::POST,
        &cfg,
        &RequestOptions::new(),
        vec![status_h(429, "retry-after", "61"), status(200)],
    );
    assert_eq!(run.attempts(), 1);
}

// ---------------------------------------------------------------------------------------------
// Jitter
// ---------------------------------------------------------------------------------------------

#[test]
fn jitter_half_at_index_one_is_exactly_250ms() {
    let cfg = config().build().unwrap();
    let d = Driver::new(vec![status(503), status(503), status(200)]);
    let mut call = Call::new(
        prepared(Method::GET, b""),
        &cfg,
        &RequestOptions::new(),
        1,
        d.time(),
    )
    .with_random(fixed(0x8000_0000));
    let run = d.drive(&mut call);
    // index 0 → 125 ms, index 1 → 250 ms
    assert_eq!(run.waits(), vec![ms(125), ms(250)]);
    assert_eq!(run.attempts(), 3);
    assert!(run.result.is_ok());
}

#[test]
fn jitter_at_index_two_stays_below_one_second() {
    let cfg = config().max_attempts(4).build().unwrap();
    let d = Driver::new(vec![status(503), status(503), status(503), status(200)]);
    let mut call = Call::new(
        prepared(Method::GET, b""),
        &cfg,
        &RequestOptions::new(),
        1,
        d.time(),
    )
    .with_random(fixed(u32::MAX));
    let run = d.drive(&mut call);
    let w = run.waits();
    assert_eq!(w.len(), 3);
    assert!(w[2] < ms(1000) && w[2] > ms(999), "{w:?}");
}

// ---------------------------------------------------------------------------------------------
// Timeouts and deadline
// ---------------------------------------------------------------------------------------------

#[test]
fn delay_crossing_the_deadline_returns_the_last_error_at_once() {
    let cfg = config().build().unwrap();
    let opts = RequestOptions::new().deadline(ms(100));
    let mut d = Driver::new(vec![
        Reply::Resp(
            503,
            vec![
                ("retry-after", "1".to_owned()),
                ("x-request-id", "req-9".to_owned()),
            ],
            br#"{"detail":"busy"}"#.to_vec(),
        ),
        status(200),
    ]);
    d.latency = ms(10);
    let mut call = Call::new(prepared(Method::GET, b""), &cfg, &opts, 1, d.time());
    let run = d.drive(&mut call);
    assert_eq!(run.attempts(), 1);
    assert!(run.waits().is_empty());
    let e = run.err();
    assert_eq!(e.kind(), ErrorKind::ServiceUnavailable);
    assert_eq!(e.message(), "busy");
    assert_eq!(e.request_id(), Some("req-9"));

    // Jitter that would cross the deadline: same rule.
    let opts = RequestOptions::new()
        .deadline(ms(100))
        .base_delay(Duration::from_secs(10));
    let d = Driver::new(vec![Reply::Fail, status(200)]);
    let mut call = Call::new(prepared(Method::GET, b""), &cfg, &opts, 1, d.time())
        .with_random(fixed(0x8000_0000));
    let run = d.drive(&mut call);
    assert_eq!(run.attempts(), 1);
    assert_eq!(run.err().kind(), ErrorKind::Network);
}

#[test]
fn attempt_timeout_is_bounded_by_the_remaining_deadline() {
    let cfg = config().timeout(ms(300)).build().unwrap();
    let opts = RequestOptions::new().deadline(ms(1000));
    let mut d = Driver::new(vec![status(503), status(503), status(503)]);
    d.latency = ms(200);
    let mut call = Call::new(prepared(Method::GET, b""), &cfg, &opts, 1, d.time())
        .with_random(fixed(0x8000_0000));
    let run = d.drive(&mut call);
    // attempt 1 at 0 → 300 (timeout), wait 125 → attempt 2 at 325 → 300,
    // wait 250 → attempt 3 at 775: remaining 225 < 300.
    let timeouts: Vec<_> = run.sends.iter().map(|s| s.timeout).collect();
    let at: Vec<_> = run.sends.iter().map(|s| s.at).collect();
    assert_eq!(at, vec![ms(0), ms(325), ms(775)]);
    assert_eq!(timeouts, vec![Some(ms(300)), Some(ms(300)), Some(ms(225))]);

    // No attempt timeout (disabled): the remaining deadline alone.
    let cfg = config().timeout(Duration::ZERO).build().unwrap();
    let run = get_then_ok(
        &cfg,
        &RequestOptions::new().deadline(ms(1000)),
        status_h(503, "retry-after", "0.4"),
        0,
    );
    let timeouts: Vec<_> = run.sends.iter().map(|s| s.timeout).collect();
    assert_eq!(timeouts, vec![Some(ms(1000)), Some(ms(600))]);

    // Neither configured: the default per-attempt timeout, so a silent server cannot hang
    // the call; zero disables it.
    let cfg = config().build().unwrap();
    let run = get_then_ok(&cfg, &RequestOptions::new(), status(200), 0);
    assert_eq!(run.sends[0].timeout, Some(crate::config::DEFAULT_TIMEOUT));
    assert_eq!(cfg.timeout(), Some(crate::config::DEFAULT_TIMEOUT));
    let off = config().timeout(Duration::ZERO).build().unwrap();
    assert_eq!(off.timeout(), None);
    let run = get_then_ok(&off, &RequestOptions::new(), status(200), 0);
    assert_eq!(run.sends[0].timeout, None);
    let run = get_then_ok(
        &cfg,
        &RequestOptions::new().timeout(Duration::ZERO),
        status(200),
        0,
    );
    assert_eq!(run.sends[0].timeout, None);
}

#[test]
fn deadline_timeout_is_deadline_scoped_and_final() {
    let cfg = config().timeout(Duration::from_secs(5)).build().unwrap();
    let opts = RequestOptions::new().deadline(ms(100));
    let d = Driver::new(vec![Reply::TimedOut, status(200)]);
    let mut call = Call::new(prepared(Method::GET, b""), &cfg, &opts, 1, d.time());
    let run = d.drive(&mut call);
    assert_eq!(run.attempts(), 1);
    assert_eq!(run.sends[0].timeout, Some(ms(100)));
    let e = run.err();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert_eq!(e.timeout_info(), Some((ms(100), TimeoutScope::Deadline)));
    assert_eq!(e.message(), "Request timed out after 100ms");
}

#[test]
fn attempt_timeout_is_attempt_scoped_with_its_duration() {
    let cfg = config().build().unwrap();
    let opts = RequestOptions::new().timeout(ms(10));
    let run = run_raw(
        Method::GET,
        &cfg,
        &opts,
        vec![Reply::TimedOut, Reply::TimedOut, Reply::TimedOut],
    );
    assert_eq!(run.attempts(), 3);
    assert!(run.sends.iter().all(|s| s.timeout == Some(ms(10))));
    let e = run.err();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert_eq!(e.timeout_info(), Some((ms(10), TimeoutScope::Attempt)));
    assert_eq!(e.message(), "Request timed out after 10ms");
    assert!(e.is_network() && e.is_timeout());

    let run = run_raw(
        Method::POST,
        &cfg,
        &opts,
        vec![Reply::TimedOut, status(200)],
    );
    assert_eq!(run.attempts(), 1);
    assert_eq!(run.err().message(), "Request timed out after 10ms");
}

#[test]
fn timeout_is_per_attempt_not_total() {
    // 503 after 15 ms, then 200 after 15 ms under a 20 ms timeout → success.
    let cfg = config().build().unwrap();
    let opts = RequestOptions::new().timeout(ms(20));
    let mut d = Driver::new(vec![status(503), status(200)]);
    d.latency = ms(15);
    let mut call =
        Call::new(prepared(Method::GET, b""), &cfg, &opts, 1, d.time()).with_random(fixed(0));
    let run = d.drive(&mut call);
    assert!(run.result.is_ok());
    assert_eq!(run.attempts(), 2);
    assert_eq!(run.sends[1].timeout, Some(ms(20)));
}

// ---------------------------------------------------------------------------------------------
// Cancellation
// ---------------------------------------------------------------------------------------------

#[test]
fn token_cancelled_before_the_first_poll_sends_nothing() {
    let cfg = config().build().unwrap();
    let token = CancelToken::new();
    token.cancel();
    let opts = RequestOptions::new().cancel_token(token);
    let d = Driver::new(vec![]);
    let mut call = OperationCall::new(
        GetAgent {
            agent_id: "a1".into(),
        },
        &cfg,
        &opts,
        None,
        1,
        d.time(),
    );
    let run = d.drive(&mut call);
    assert_eq!(run.attempts(), 0);
    assert_eq!(run.err().kind(), ErrorKind::Cancelled);
}

#[test]
fn cancel_during_backoff_wait_ends_on_the_next_poll() {
    let cfg = config().build().unwrap();
    let token = CancelToken::new();
    let opts = RequestOptions::new().cancel_token(token.clone());
    let mut d = Driver::new(vec![status(503), status(200)]);
    d.cancel_on_wait = Some(token);
    let mut call = Call::new(prepared(Method::GET, b""), &cfg, &opts, 1, d.time())
        .with_random(fixed(0x8000_0000));
    let run = d.drive(&mut call);
    assert_eq!(run.attempts(), 1);
    assert_eq!(run.waits().len(), 1);
    let e = run.err();
    assert_eq!(e.kind(), ErrorKind::Cancelled);
    assert_eq!(e.message(), "Request cancelled");
}

#[test]
fn cancel_mid_wait_is_seen_before_the_wait_ends() {
    // The driver wakes early because of the token and polls before `until`.
    let cfg = config().build().unwrap();
    let token = CancelToken::new();
    let opts = RequestOptions::new().cancel_token(token.clone());
    let mut clock = Clock::new();
    let mut call = Call::new(prepared(Method::GET, b""), &cfg, &opts, 1, clock.time())
        .with_random(fixed(0x8000_0000));
    let Step::Send(_) = call.poll(clock.time()) else {
        panic!("expected Send")
    };
    call.handle_outcome(build_outcome(&status(503)), clock.time());
    let Step::Wait(until) = call.poll(clock.time()) else {
        panic!("expected Wait")
    };
    assert_eq!(until - clock.time().now, ms(125));
    clock.advance(ms(10));
    token.cancel();
    match call.poll(clock.time()) {
        Step::Done(Err(e)) => assert_eq!(e.kind(), ErrorKind::Cancelled),
        other => panic!("expected Done(Cancelled), got {other:?}"),
    }
    assert_eq!(call.attempts(), 1);
}

#[test]
fn cancelled_attempt_is_not_retried() {
    let cfg = config().build().unwrap();
    for m in [Method::GET, Method::HEAD, Method::OPTIONS, Method::POST] {
        let run = run_raw(
            m.clone(),
            &cfg,
            &RequestOptions::new(),
            vec![Reply::Cancelled, status(200)],
        );
        assert_eq!(run.attempts(), 1, "{m}");
        let e = run.err();
        assert_eq!(e.kind(), ErrorKind::Cancelled);
        assert!(!e.is_network() && !e.is_timeout());
    }
}

// ---------------------------------------------------------------------------------------------
// Hooks
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum HookEv {
    Request {
        attempt: u32,
        max_attempts: u32,
        path_template: String,
        authorization: Option<String>,
        all_values: Vec<String>,
    },
    Response {
        attempt: u32,
        elapsed: Duration,
        status: u16,
        decision: Decision,
        request_id: Option<String>,
        body: Option<Vec<u8>>,
    },
    Error {
        attempt: u32,
        kind: ErrorKind,
        decision: Decision,
    },
}

#[derive(Default)]
struct Recorder {
    events: Mutex<Vec<HookEv>>,
    /// on_request adds `x-trace: t-<attempt>` and tries to overwrite Authorization.
    edit_headers: bool,
    /// Fail in on_request / on_response / on_error at this attempt.
    fail_request_at: Option<u32>,
    fail_response_at: Option<u32>,
    fail_error_at: Option<u32>,
}

impl Recorder {
    fn events(&self) -> Vec<HookEv> {
        self.events.lock().unwrap().clone()
    }
}

impl Hooks for Recorder {
    fn on_request(&self, ctx: &mut RequestHookContext<'_>) -> Result<(), HookError> {
        let authorization = ctx
            .headers
            .get(header::AUTHORIZATION)
            .map(|v| v.to_str().unwrap().to_owned());
        let all_values = ctx
            .headers
            .values()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        self.events.lock().unwrap().push(HookEv::Request {
            attempt: ctx.info.attempt,
            max_attempts: ctx.info.max_attempts,
            path_template: ctx.info.path_template.clone(),
            authorization,
            all_values,
        });
        if self.edit_headers {
            ctx.headers.insert(
                "x-trace",
                HeaderValue::from_str(&format!("t-{}", ctx.info.attempt)).unwrap(),
            );
            ctx.headers.insert(
                header::AUTHORIZATION,
                HeaderValue::from_static("Bearer hijacked"),
            );
            ctx.headers.remove(header::ACCEPT);
        }
        if self.fail_request_at == Some(ctx.info.attempt) {
            return Err("request hook failed".into());
        }
        Ok(())
    }

    fn on_response(&self, ctx: &ResponseHookContext<'_>) -> Result<(), HookError> {
        self.events.lock().unwrap().push(HookEv::Response {
            attempt: ctx.info.attempt,
            elapsed: ctx.elapsed,
            status: ctx.status.as_u16(),
            decision: ctx.decision,
            request_id: ctx.request_id.map(str::to_owned),
            body: ctx.body.map(<[u8]>::to_vec),
        });
        if self.fail_response_at == Some(ctx.info.attempt) {
            return Err("response hook failed".into());
        }
        Ok(())
    }

    fn on_error(&self, ctx: &ErrorHookContext<'_>) -> Result<(), HookError> {
        self.events.lock().unwrap().push(HookEv::Error {
            attempt: ctx.info.attempt,
            kind: ctx.error.kind(),
            decision: ctx.decision,
        });
        if self.fail_error_at == Some(ctx.info.attempt) {
            return Err(HookError("error hook failed".to_owned()));
        }
        Ok(())
    }
}

fn hooked(rec: &Arc<Recorder>) -> Config {
    let hooks: Arc<dyn Hooks> = rec.clone();
    config().hooks(hooks).build().unwrap()
}

fn list_call(cfg: &Config, d: &Driver) -> OperationCall<ListAgents> {
    OperationCall::new(
        ListAgents::default(),
        cfg,
        &RequestOptions::new(),
        None,
        42,
        d.time(),
    )
}

const EMPTY_PAGE: &str = r#"{"items":[],"has_more":false}"#;

#[test]
fn on_request_fires_per_attempt_with_redacted_authorization() {
    let rec = Arc::new(Recorder::default());
    let cfg = hooked(&rec);
    let d = Driver::new(vec![status(503), ok_json(EMPTY_PAGE)]);
    let mut call = list_call(&cfg, &d);
    let run = d.drive(&mut call);
    assert!(run.result.is_ok());
    let reqs: Vec<_> = rec
        .events()
        .into_iter()
        .filter_map(|e| match e {
            HookEv::Request {
                attempt,
                max_attempts,
                path_template,
                authorization,
                all_values,
            } => Some((
                attempt,
                max_attempts,
                path_template,
                authorization,
                all_values,
            )),
            _ => None,
        })
        .collect();
    assert_eq!(reqs.len(), 2);
    for (i, (attempt, max, tpl, auth, values)) in reqs.iter().enumerate() {
        assert_eq!(*attempt, i as u32 + 1);
        assert_eq!(*max, 3);
        assert_eq!(tpl, "/v1/{workspace_id}/agents");
        assert_eq!(auth.as_deref(), Some("[REDACTED]"));
        assert!(values.iter().all(|v| !v.contains(TOKEN)), "{values:?}");
    }
    // The wire request does carry the token.
    for s in &run.sends {
        assert_eq!(
            s.headers[header::AUTHORIZATION],
            format!("Bearer {TOKEN}").as_str()
        );
        assert!(s.headers[header::AUTHORIZATION].is_sensitive());
    }
}

#[test]
fn on_request_edits_reach_the_request_but_not_authorization() {
    let rec = Arc::new(Recorder {
        edit_headers: true,
        ..Recorder::default()
    });
    let cfg = hooked(&rec);
    let d = Driver::new(vec![status(502), ok_json(EMPTY_PAGE)]);
    let mut call = list_call(&cfg, &d);
    let run = d.drive(&mut call);
    assert!(run.result.is_ok());
    assert_eq!(run.attempts(), 2);
    for s in &run.sends {
        let want = format!("t-{}", s.number);
        assert_eq!(s.headers["x-trace"], want.as_str());
        assert_eq!(s.headers.get_all("x-trace").iter().count(), 1);
        assert_eq!(
            s.headers[header::AUTHORIZATION],
            format!("Bearer {TOKEN}").as_str()
        );
        assert_eq!(s.headers.get_all(header::AUTHORIZATION).iter().count(), 1);
        assert!(s.headers.get(header::ACCEPT).is_none());
    }
    // Edits do not leak into the next attempt's hook view: it starts from the prepared headers.
    let events = rec.events();
    let HookEv::Request { all_values, .. } = &events[2] else {
        panic!("{events:?}")
    };
    assert!(!all_values.iter().any(|v| v.starts_with("t-")));
    assert!(all_values.iter().any(|v| v == "application/json"));
}

#[test]
fn on_response_sees_retry_then_return() {
    let rec = Arc::new(Recorder::default());
    let cfg = hooked(&rec);
    let mut d = Driver::new(vec![
        Reply::Resp(
            503,
            vec![
                ("retry-after", "2".to_owned()),
                ("x-request-id", "r-1".to_owned()),
            ],
            b"{}".to_vec(),
        ),
        ok_json(EMPTY_PAGE),
    ]);
    d.latency = ms(15);
    let mut call = list_call(&cfg, &d);
    let run = d.drive(&mut call);
    let page = run.result.unwrap();
    assert!(page.data.items.is_empty());
    let events = rec.events();
    let responses: Vec<_> = events
        .iter()
        .filter(|e| matches!(e, HookEv::Response { .. }))
        .cloned()
        .collect();
    assert_eq!(
        responses,
        vec![
            HookEv::Response {
                attempt: 1,
                elapsed: ms(15),
                status: 503,
                decision: Decision::Retry {
                    delay: Duration::from_secs(2)
                },
                request_id: Some("r-1".into()),
                body: Some(b"{}".to_vec()),
            },
            HookEv::Response {
                attempt: 2,
                elapsed: ms(15),
                status: 200,
                decision: Decision::Return,
                request_id: None,
                body: Some(EMPTY_PAGE.as_bytes().to_vec()),
            },
        ]
    );
    // Order: request 1, response 1, request 2, response 2.
    let order: Vec<&str> = events
        .iter()
        .map(|e| match e {
            HookEv::Request { .. } => "req",
            HookEv::Response { .. } => "resp",
            HookEv::Error { .. } => "err",
        })
        .collect();
    assert_eq!(order, ["req", "resp", "req", "resp"]);
}

#[test]
fn on_response_for_404_returns() {
    let rec = Arc::new(Recorder::default());
    let cfg = hooked(&rec);
    let d = Driver::new(vec![status(404)]);
    let mut call = list_call(&cfg, &d);
    let run = d.drive(&mut call);
    assert_eq!(run.err().kind(), ErrorKind::NotFound);
    assert!(matches!(
        rec.events().last(),
        Some(HookEv::Response {
            status: 404,
            decision: Decision::Return,
            ..
        })
    ));
}

#[test]
fn on_error_fires_on_transport_errors_and_cancellation() {
    let rec = Arc::new(Recorder::default());
    let cfg = hooked(&rec);
    let d = Driver::new(vec![Reply::Fail, ok_json(EMPTY_PAGE)]);
    let mut call = list_call(&cfg, &d);
    let run = d.drive(&mut call);
    assert!(run.result.is_ok());
    let events = rec.events();
    assert!(
        matches!(
            events[1],
            HookEv::Error {
                attempt: 1,
                kind: ErrorKind::Network,
                decision: Decision::Retry { .. }
            }
        ),
        "{events:?}"
    );
    assert!(matches!(
        events[3],
        HookEv::Response {
            attempt: 2,
            decision: Decision::Return,
            ..
        }
    ));

    // Cancellation reports on_error with Return.
    let rec = Arc::new(Recorder::default());
    let cfg = hooked(&rec);
    let d = Driver::new(vec![Reply::Cancelled]);
    let mut call = list_call(&cfg, &d);
    let run = d.drive(&mut call);
    assert_eq!(run.err().kind(), ErrorKind::Cancelled);
    assert_eq!(
        rec.events().last(),
        Some(&HookEv::Error {
            attempt: 1,
            kind: ErrorKind::Cancelled,
            decision: Decision::Return
        })
    );

    // The last of several transport errors has Return.
    let rec = Arc::new(Recorder::default());
    let cfg = hooked(&rec);
    let d = Driver::new(vec![Reply::Fail, Reply::Fail, Reply::Fail]);
    let mut call = list_call(&cfg, &d);
    let run = d.drive(&mut call);
    assert_eq!(run.attempts(), 3);
    let decisions: Vec<bool> = rec
        .events()
        .iter()
        .filter_map(|e| match e {
            HookEv::Error { decision, .. } => Some(*decision == Decision::Return),
            _ => None,
        })
        .collect();
    assert_eq!(decisions, vec![false, false, true]);
}

#[test]
fn hook_errors_abort_without_further_attempts() {
    // on_request failing at attempt 2: nothing is sent for it.
    let rec = Arc::new(Recorder {
        fail_request_at: Some(2),
        ..Recorder::default()
    });
    let d = Driver::new(vec![status(503), ok_json(EMPTY_PAGE)]);
    let mut call = list_call(&hooked(&rec), &d);
    let run = d.drive(&mut call);
    assert_eq!(run.attempts(), 1);
    let e = run.err();
    assert_eq!(e.kind(), ErrorKind::Hook);
    assert_eq!(e.message(), "request hook failed");

    // on_response failing on a retryable 503.
    let rec = Arc::new(Recorder {
        fail_response_at: Some(1),
        ..Recorder::default()
    });
    let d = Driver::new(vec![status(503), ok_json(EMPTY_PAGE)]);
    let mut call = list_call(&hooked(&rec), &d);
    let run = d.drive(&mut call);
    assert_eq!(run.attempts(), 1);
    let e = run.err();
    assert_eq!(e.kind(), ErrorKind::Hook);
    assert_eq!(e.message(), "response hook failed");

    // on_response failing on a 200.
    let rec = Arc::new(Recorder {
        fail_response_at: Some(1),
        ..Recorder::default()
    });
    let d = Driver::new(vec![ok_json(EMPTY_PAGE)]);
    let mut call = list_call(&hooked(&rec), &d);
    assert_eq!(d.drive(&mut call).err().kind(), ErrorKind::Hook);

    // on_error failing on a retryable transport error.
    let rec = Arc::new(Recorder {
        fail_error_at: Some(1),
        ..Recorder::default()
    });
    let d = Driver::new(vec![Reply::Fail, ok_json(EMPTY_PAGE)]);
    let mut call = list_call(&hooked(&rec), &d);
    let run = d.drive(&mut call);
    assert_eq!(run.attempts(), 1);
    let e = run.err();
    assert_eq!(e.kind(), ErrorKind::Hook);
    assert_eq!(e.message(), "error hook failed");
    // The hook's own error is the cause.
    let source = std::error::Error::source(&e).expect("a hook error has a source");
    assert_eq!(
        source.downcast_ref::<HookError>(),
        Some(&HookError("error hook failed".to_owned()))
    );
}

#[test]
fn polling_out_of_turn_is_a_driver_error_not_a_configuration_error() {
    let d = Driver::new(vec![ok_json(EMPTY_PAGE)]);
    let mut call = list_call(
        &Config::builder()
            .api_key("k")
            .workspace_id("ws")
            .build()
            .expect("config"),
        &d,
    );
    let Step::Send(_attempt) = call.poll(d.time()) else {
        panic!("the first step sends")
    };
    // The attempt is in flight: asking again is the driver's mistake.
    let Step::Done(Err(e)) = call.poll(d.time()) else {
        panic!("polling during an attempt ends the call")
    };
    assert_eq!(e.kind(), ErrorKind::Driver, "{e:?}");
    let Step::Done(Err(e)) = call.poll(d.time()) else {
        panic!("a finished call says so")
    };
    assert_eq!(e.kind(), ErrorKind::Driver, "{e:?}");
}

// ---------------------------------------------------------------------------------------------
// Credentials, bodies, final errors
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Default)]
struct Rotating(AtomicU32);

impl CredentialSource for Rotating {
    fn authorization(&self, _wall: SystemTime) -> Result<Authorization, Error> {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        Authorization::bearer(&format!("token-{n}"))
    }
    fn secrets(&self) -> Vec<crate::credentials::Secret> {
        Vec::new()
    }
}

#[derive(Debug)]
struct Broken;

impl CredentialSource for Broken {
    fn authorization(&self, _wall: SystemTime) -> Result<Authorization, Error> {
        Err(Error::credentials("refresh failed"))
    }
    fn secrets(&self) -> Vec<crate::credentials::Secret> {
        Vec::new()
    }
}

#[test]
fn credentials_are_asked_per_attempt() {
    let source = Arc::new(Rotating::default());
    let cfg = config().credentials(source.clone()).build().unwrap();
    let d = Driver::new(vec![status(503), ok_json(EMPTY_PAGE)]);
    let mut call = list_call(&cfg, &d);
    let run = d.drive(&mut call);
    assert!(run.result.is_ok());
    assert_eq!(
        run.sends[0].headers[header::AUTHORIZATION],
        "Bearer token-1"
    );
    assert_eq!(
        run.sends[1].headers[header::AUTHORIZATION],
        "Bearer token-2"
    );
}

#[test]
fn credential_failure_is_not_retried_and_sends_nothing() {
    let cfg = config().credentials(Arc::new(Broken)).build().unwrap();
    let d = Driver::new(vec![status(200)]);
    let mut call = list_call(&cfg, &d);
    let run = d.drive(&mut call);
    assert_eq!(run.attempts(), 0);
    let e = run.err();
    assert_eq!(e.kind(), ErrorKind::Credentials);
    assert_eq!(e.message(), "refresh failed");
}

#[test]
fn retries_resend_identical_body_bytes() {
    let cfg = config().build().unwrap();
    let op = CreateAgent {
        body: CreateAgentRequest {
            name: "Dr. Ünïcode \"quoted\"".into(),
            description: Some("x".repeat(300)),
        },
    };
    let d = Driver::new(vec![
        status_h(429, "retry-after", "0"),
        status_h(429, "retry-after", "0.05"),
        ok_json(&agent_json("a1")),
    ]);
    let mut call = OperationCall::new(op, &cfg, &RequestOptions::new(), None, 3, d.time());
    let run = d.drive(&mut call);
    assert_eq!(run.attempts(), 3);
    assert_eq!(run.waits(), vec![ms(50)]);
    let agent = run.result.unwrap();
    assert_eq!(agent.data.id, "a1");
    let first = &run.sends[0];
    assert!(!first.body.is_empty());
    let v: serde_json::Value = serde_json::from_slice(&first.body).unwrap();
    assert_eq!(v["name"], "Dr. Ünïcode \"quoted\"");
    for s in &run.sends[1..] {
        assert_eq!(s.body, first.body);
        assert_eq!(s.uri, first.uri);
        assert_eq!(
            s.headers.get("content-type"),
            first.headers.get("content-type")
        );
        assert!(s.headers.get("idempotency-key").is_none());
    }
}

#[test]
fn three_503s_give_service_unavailable_with_the_last_body() {
    let cfg = config().build().unwrap();
    let resp = |n: u32| {
        Reply::Resp(
            503,
            vec![("x-request-id", format!("hdr-{n}"))],
            format!(r#"{{"detail":"busy {n}"}}"#).into_bytes(),
        )
    };
    let d = Driver::new(vec![resp(1), resp(2), resp(3)]);
    let mut call = OperationCall::new(
        GetAgent {
            agent_id: "a/1".into(),
        },
        &cfg,
        &RequestOptions::new(),
        None,
        9,
        d.time(),
    );
    let run = d.drive(&mut call);
    assert_eq!(run.attempts(), 3);
    assert_eq!(run.sends[0].uri, "https://api.test/v1/ws-001/agents/a%2F1");
    let e = run.err();
    assert_eq!(e.kind(), ErrorKind::ServiceUnavailable);
    assert!(e.is_server());
    assert_eq!(e.status(), Some(503));
    assert_eq!(e.message(), "busy 3");
    assert_eq!(e.request_id(), Some("hdr-3"));
    let ctx = e.context().expect("context");
    assert_eq!(ctx.method, "GET");
    assert_eq!(ctx.url, "https://api.test/v1/ws-001/agents/a%2F1");
}

#[test]
fn token_that_is_not_a_header_value_is_a_credentials_error() {
    #[derive(Debug)]
    struct BadToken;
    impl CredentialSource for BadToken {
        fn authorization(&self, _wall: SystemTime) -> Result<Authorization, Error> {
            Authorization::bearer("line\nbreak")
        }
        fn secrets(&self) -> Vec<crate::credentials::Secret> {
            Vec::new()
        }
    }
    let cfg = config().credentials(Arc::new(BadToken)).build().unwrap();
    let d = Driver::new(vec![status(200)]);
    let mut call = list_call(&cfg, &d);
    let run = d.drive(&mut call);
    assert_eq!(run.attempts(), 0);
    assert_eq!(run.err().kind(), ErrorKind::Credentials);
}

#[test]
fn zero_max_attempts_is_a_config_error_before_sending() {
    let cfg = config().build().unwrap();
    let run = run_raw(
        Method::GET,
        &cfg,
        &RequestOptions::new().max_attempts(0),
        vec![status(200)],
    );
    assert_eq!(run.attempts(), 0);
    let e = run.err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert_eq!(e.message(), "retry.max_attempts must be at least 1");
}

#[test]
fn decode_errors_are_not_retried() {
    let cfg = config().build().unwrap();
    let d = Driver::new(vec![ok_json(r#"{"items":"nope"}"#), ok_json(EMPTY_PAGE)]);
    let mut call = list_call(&cfg, &d);
    let run = d.drive(&mut call);
    assert_eq!(run.attempts(), 1);
    assert_eq!(run.err().kind(), ErrorKind::Decode);
}

#[test]
fn build_errors_surface_on_the_first_poll() {
    let cfg = config().build().unwrap();
    let d = Driver::new(vec![]);
    let mut call = OperationCall::new(
        GetAgent {
            agent_id: "a".into(),
        },
        &cfg,
        &RequestOptions::new().header("bad name", "v"),
        None,
        1,
        d.time(),
    );
    assert!(call.call_mut().is_none());
    let run = d.drive(&mut call);
    assert_eq!(run.attempts(), 0);
    assert_eq!(run.err().kind(), ErrorKind::Config);
}

// ---------------------------------------------------------------------------------------------
// Invariants
// ---------------------------------------------------------------------------------------------

fn arb_out() -> impl Strategy<Value = Reply> {
    let retry_after = prop_oneof![
        Just(None),
        Just(Some("0")),
        Just(Some("1")),
        Just(Some("0.25")),
        Just(Some("61")),
        Just(Some("3600")),
        Just(Some("-5")),
        Just(Some("soon")),
        Just(Some("99999999999999999999999")),
        Just(Some("Sun, 06 Nov 1994 08:49:37 GMT")),
    ];
    let status = prop::sample::select(vec![
        200u16, 201, 204, 400, 404, 408, 429, 500, 501, 502, 503, 504,
    ]);
    prop_oneof![
        4 => (status, retry_after).prop_map(|(s, ra)| {
            let headers = ra.map(|v| vec![("retry-after", v.to_owned())]).unwrap_or_default();
            Reply::Resp(s, headers, b"{}".to_vec())
        }),
        1 => Just(Reply::Fail),
        1 => Just(Reply::TimedOut),
        1 => (prop::sample::select(vec![200u16, 503])).prop_map(Reply::BodyFail),
        1 => Just(Reply::Cancelled),
    ]
}

#[derive(Debug, Clone)]
struct Policy {
    method: Method,
    max_attempts: u32,
    base_ms: u64,
    max_ms: u64,
    cap_s: u64,
    retry_writes: bool,
    timeout_ms: Option<u64>,
    deadline_ms: Option<u64>,
    latency_ms: u64,
}

fn arb_policy() -> impl Strategy<Value = Policy> {
    (
        prop::sample::select(vec![
            Method::GET,
            Method::HEAD,
            Method::OPTIONS,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ]),
        1u32..6,
        0u64..2_000,
        0u64..40_000,
        0u64..120,
        any::<bool>(),
        prop::option::of(1u64..5_000),
        prop::option::of(1u64..100_000),
        0u64..500,
    )
        .prop_map(
            |(method, max_attempts, base_ms, max_ms, cap_s, retry_writes, t, dl, lat)| Policy {
                method,
                max_attempts,
                base_ms,
                max_ms,
                cap_s,
                retry_writes,
                timeout_ms: t,
                deadline_ms: dl,
                latency_ms: lat,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn call_invariants(
        policy in arb_policy(),
        script in prop::collection::vec(arb_out(), 0..8),
        seed in any::<u64>(),
    ) {
        let cfg = config().build().unwrap();
        let mut opts = RequestOptions::new()
            .max_attempts(policy.max_attempts)
            .base_delay(ms(policy.base_ms))
            .max_delay(ms(policy.max_ms))
            .max_retry_after(Duration::from_secs(policy.cap_s))
            .retry_writes(policy.retry_writes);
        if let Some(t) = policy.timeout_ms {
            opts = opts.timeout(ms(t));
        }
        if let Some(d) = policy.deadline_ms {
            opts = opts.deadline(ms(d));
        }
        // Pad the script so it never runs out before max_attempts.
        let mut full = script.clone();
        full.extend(std::iter::repeat_n(status(503), 6));
        let mut d = Driver::new(full);
        d.latency = ms(policy.latency_ms);
        let mut call = Call::new(prepared(policy.method.clone(), b"{\"k\":1}"), &cfg, &opts, seed, d.time());
        let run = d.drive(&mut call);

        prop_assert!(run.attempts() <= policy.max_attempts as usize);
        let bound = ms(policy.max_ms).max(Duration::from_secs(policy.cap_s));
        for w in run.waits() {
            prop_assert!(w <= bound, "wait {w:?} above {bound:?}");
        }
        for (i, s) in run.sends.iter().enumerate() {
            prop_assert_eq!(s.number, i as u32 + 1);
            prop_assert_eq!(&s.body[..], b"{\"k\":1}");
            if let Some(t) = policy.timeout_ms {
                prop_assert!(s.timeout.is_some_and(|x| x <= ms(t)));
            }
            if let Some(dl) = policy.deadline_ms {
                let remaining = ms(dl).saturating_sub(s.at);
                prop_assert!(s.timeout.is_some_and(|x| x <= remaining));
                prop_assert!(s.at < ms(dl), "attempt sent at/after the deadline");
            }
        }
        let numbers: Vec<u32> = run
            .events
            .iter()
            .filter_map(|e| match e {
                Ev::Send(n) => Some(*n),
                Ev::Wait(_) => None,
            })
            .collect();
        prop_assert_eq!(numbers, (1..=run.attempts() as u32).collect::<Vec<_>>());
        // Waits and sends alternate: never two Waits in a row, never a Wait at the end.
        for pair in run.events.windows(2) {
            prop_assert!(!matches!(pair, [Ev::Wait(_), Ev::Wait(_)]));
        }
        prop_assert!(!matches!(run.events.last(), Some(Ev::Wait(_))));
        // Only outcomes the decision table retries are followed by another attempt.
        let write = matches!(policy.method, Method::PUT | Method::PATCH | Method::DELETE);
        for i in 1..run.attempts() {
            match script_at(&script, i - 1) {
                Reply::BodyFail(s) if (200..300).contains(&s) => {
                    prop_assert!(policy.method != Method::POST);
                }
                Reply::Resp(s, _, _) | Reply::BodyFail(s) => {
                    prop_assert!(matches!(s, 408 | 429 | 500 | 502 | 503 | 504));
                    if policy.method == Method::POST {
                        prop_assert_eq!(s, 429);
                    }
                    prop_assert!(policy.method != Method::OPTIONS);
                }
                Reply::Fail => prop_assert!(policy.method != Method::POST),
                Reply::TimedOut => prop_assert!(policy.method != Method::POST && !write),
                Reply::Cancelled => prop_assert!(false, "retried after cancellation"),
            }
            if write {
                prop_assert!(policy.retry_writes);
            }
        }
        // Success only when the last attempt was answered with a 2xx response.
        if run.result.is_ok() {
            let last = script_at(&script, run.attempts() - 1);
            prop_assert!(matches!(last, Reply::Resp(s, _, _) if (200..300).contains(&s)));
        }
    }
}

fn script_at(script: &[Reply], i: usize) -> Reply {
    script.get(i).cloned().unwrap_or_else(|| status(503))
}

// ---------------------------------------------------------------------------------------------
// Bugs found (ignored until fixed)
// ---------------------------------------------------------------------------------------------

#[test]
fn huge_deadline_does_not_panic() {
    let cfg = config().build().unwrap();
    let run = run_raw(
        Method::GET,
        &cfg,
        &RequestOptions::new().deadline(Duration::MAX),
        vec![status(200)],
    );
    assert!(run.result.is_ok());
}

#[test]
fn huge_allowed_retry_after_does_not_panic() {
    // The cap is raised to Duration::MAX; the saturated Retry-After is then "within the cap".
    let cfg = config().build().unwrap();
    let opts = RequestOptions::new().max_retry_after(Duration::MAX);
    let clock = Clock::new();
    let mut call = Call::new(prepared(Method::GET, b""), &cfg, &opts, 1, clock.time());
    let Step::Send(_) = call.poll(clock.time()) else {
        panic!("expected Send")
    };
    call.handle_outcome(
        build_outcome(&status_h(503, "retry-after", "99999999999999999999999")),
        clock.time(),
    );
    // Any non-panicking answer is acceptable: a (saturated) Wait or the 503 error.
    let _ = call.poll(clock.time());
}

#[test]
fn errors_after_a_redirect_describe_the_original_request() {
    let cfg = config().build().unwrap();
    let d = Driver::new(vec![
        status_h(303, "location", "/v1/ws-001/moved?x=1"),
        status(404),
    ]);
    let mut call = Call::new(
        prepared(Method::POST, br#"{"name":"a","api_key":"k-123"}"#),
        &cfg,
        &RequestOptions::default(),
        7,
        d.time(),
    );
    let run = d.drive(&mut call);
    assert_eq!(run.sends.len(), 2);
    assert_eq!(run.sends[1].uri, "https://api.test/v1/ws-001/moved?x=1");
    assert!(
        run.sends[1].body.is_empty(),
        "303 turns the POST into a GET"
    );
    let e = run.err();
    assert_eq!(e.status(), Some(404));
    let ctx = e.context().expect("error context");
    assert_eq!(ctx.method, "POST");
    assert_eq!(ctx.url, "https://api.test/v1/ws-001/things");
    let body = ctx.body.as_deref().expect("the original body");
    assert!(body.contains("\"name\":\"a\""), "{body}");
    assert!(!body.contains("k-123"), "secrets are redacted: {body}");
}

#[test]
fn errors_without_a_redirect_describe_the_request() {
    let cfg = config().build().unwrap();
    let run = run_raw(
        Method::GET,
        &cfg,
        &RequestOptions::default(),
        vec![status(400)],
    );
    let e = run.err();
    let ctx = e.context().expect("error context");
    assert_eq!(
        (ctx.method.as_str(), ctx.url.as_str(), ctx.body.as_deref()),
        ("GET", "https://api.test/v1/ws-001/things", None)
    );
}

#[test]
fn data_only_calls_skip_the_metadata_and_keep_the_data() {
    let cfg = config().build().unwrap();
    let reply = || {
        Reply::Resp(
            200,
            vec![
                ("x-request-id", "req-9".to_owned()),
                ("x-ratelimit-remaining", "7".to_owned()),
                ("content-type", "application/json".to_owned()),
            ],
            br#"{"items":[],"has_more":false}"#.to_vec(),
        )
    };
    let d = Driver::new(vec![reply()]);
    let mut full = list_call(&cfg, &d);
    let full = d.drive(&mut full).result.expect("page");
    assert_eq!(full.meta.request_id.as_deref(), Some("req-9"));
    assert_eq!(full.meta.rate_limit.remaining, Some(7));
    assert!(full.meta.headers.contains_key("x-ratelimit-remaining"));

    let d = Driver::new(vec![reply()]);
    let mut lean = list_call(&cfg, &d).data_only();
    let lean = d.drive(&mut lean).result.expect("page");
    assert_eq!(lean.data, full.data);
    assert_eq!(lean.meta.status, 200);
    assert_eq!(lean.meta.request_id, None);
    assert!(lean.meta.headers.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Redirects: credential headers across origins, RFC 3986 reference resolution
// ---------------------------------------------------------------------------------------------

/// A GET whose request carries every kind of credential header plus a harmless one
/// (as config or per-call headers would), redirected once to `location`; returns the
/// headers of both attempts and the second URL.
fn redirected_headers(location: &str) -> (HeaderMap, HeaderMap, String) {
    let run = run_with_credential_headers(vec![status_h(307, "location", location), status(204)]);
    assert!(run.result.is_ok(), "{location}");
    let mut sends = run.sends.into_iter();
    let first = sends.next().unwrap();
    let second = sends.next().unwrap();
    (first.headers, second.headers, second.uri)
}

fn run_with_credential_headers(script: Vec<Reply>) -> Run<http::Response<Bytes>> {
    let cfg = config().build().unwrap();
    let mut req = prepared(Method::GET, b"");
    for (name, value) in [
        ("cookie", "session=s3cr3t"),
        ("proxy-authorization", "Basic cHJveHk6cHc="),
        ("x-api-key", "k-123"),
        ("api_key", "k-456"),
        ("x-trace", "t-1"),
    ] {
        req.headers.insert(
            http::HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    let d = Driver::new(script);
    let mut call = Call::new(req, &cfg, &RequestOptions::default(), 7, d.time());
    d.drive(&mut call)
}

const CREDENTIAL_HEADERS: [&str; 5] = [
    "authorization",
    "cookie",
    "proxy-authorization",
    "x-api-key",
    "api_key",
];

#[test]
fn cross_origin_redirects_strip_every_credential_header() {
    for location in [
        "https://other.test/v1/things",
        "//other.test/v1/things",
        "http://api.test/v1/things",
        "https://api.test:8443/v1/things",
    ] {
        let (first, second, _) = redirected_headers(location);
        for name in CREDENTIAL_HEADERS {
            assert!(
                first.contains_key(name),
                "{name} is sent to the first origin"
            );
            assert!(
                !second.contains_key(name),
                "{name} followed the redirect to {location}"
            );
        }
        assert_eq!(second["x-trace"], "t-1", "{location}");
        assert_eq!(second["accept"], "application/json", "{location}");
    }
}

#[test]
fn same_origin_redirects_keep_credential_headers() {
    for location in [
        "/v2/things",
        "https://API.test:443/v2/things",
        "HTTPS://api.test/v2/things",
    ] {
        let (_, second, uri) = redirected_headers(location);
        assert!(uri.ends_with("/v2/things"), "{uri}");
        for name in CREDENTIAL_HEADERS {
            assert!(second.contains_key(name), "{name} dropped on {location}");
        }
    }
}

#[test]
fn credentials_stay_stripped_after_a_hop_back() {
    let run = run_with_credential_headers(vec![
        status_h(302, "location", "https://other.test/a"),
        status_h(302, "location", "https://api.test/b"),
        status(204),
    ]);
    assert!(run.result.is_ok());
    assert_eq!(run.sends[2].uri, "https://api.test/b");
    for name in CREDENTIAL_HEADERS {
        assert!(!run.sends[2].headers.contains_key(name), "{name}");
    }
}

#[test]
fn rfc3986_reference_resolution_examples() {
    // RFC 3986 §5.4.1 (normal) and §5.4.2 (abnormal) examples.
    let base = "http://a/b/c/d;p?q";
    let table = [
        ("g:h", "g:h"),
        ("g", "http://a/b/c/g"),
        ("./g", "http://a/b/c/g"),
        ("g/", "http://a/b/c/g/"),
        ("/g", "http://a/g"),
        ("//g", "http://g"),
        ("?y", "http://a/b/c/d;p?y"),
        ("g?y", "http://a/b/c/g?y"),
        ("#s", "http://a/b/c/d;p?q#s"),
        ("g#s", "http://a/b/c/g#s"),
        ("g?y#s", "http://a/b/c/g?y#s"),
        (";x", "http://a/b/c/;x"),
        ("g;x", "http://a/b/c/g;x"),
        ("g;x?y#s", "http://a/b/c/g;x?y#s"),
        ("", "http://a/b/c/d;p?q"),
        (".", "http://a/b/c/"),
        ("./", "http://a/b/c/"),
        ("..", "http://a/b/"),
        ("../", "http://a/b/"),
        ("../g", "http://a/b/g"),
        ("../..", "http://a/"),
        ("../../", "http://a/"),
        ("../../g", "http://a/g"),
        ("../../../g", "http://a/g"),
        ("../../../../g", "http://a/g"),
        ("/./g", "http://a/g"),
        ("/../g", "http://a/g"),
        ("g.", "http://a/b/c/g."),
        (".g", "http://a/b/c/.g"),
        ("g..", "http://a/b/c/g.."),
        ("..g", "http://a/b/c/..g"),
        ("./../g", "http://a/b/g"),
        ("./g/.", "http://a/b/c/g/"),
        ("g/./h", "http://a/b/c/g/h"),
        ("g/../h", "http://a/b/c/h"),
        ("g;x=1/./y", "http://a/b/c/g;x=1/y"),
        ("g;x=1/../y", "http://a/b/c/y"),
        ("g?y/./x", "http://a/b/c/g?y/./x"),
        ("g?y/../x", "http://a/b/c/g?y/../x"),
        ("g#s/./x", "http://a/b/c/g#s/./x"),
        ("g#s/../x", "http://a/b/c/g#s/../x"),
        ("http:g", "http:g"),
    ];
    for (reference, expected) in table {
        assert_eq!(resolve_reference(base, reference), expected, "{reference}");
    }
}

#[test]
fn location_values_resolve_against_the_request_url() {
    let base = "https://api.test/v1/ws-001/things?page=2";
    let table: [(&str, Option<&str>); 16] = [
        ("https://other.test/x?y=1", Some("https://other.test/x?y=1")),
        ("HTTP://Other.test/x", Some("http://Other.test/x")),
        ("//cdn.test/p", Some("https://cdn.test/p")),
        ("/p", Some("https://api.test/p")),
        ("a/b", Some("https://api.test/v1/ws-001/a/b")),
        ("../a", Some("https://api.test/v1/a")),
        ("./a/./b/../c", Some("https://api.test/v1/ws-001/a/c")),
        ("../../../../../a", Some("https://api.test/a")),
        ("?q=1", Some("https://api.test/v1/ws-001/things?q=1")),
        ("#f", Some("https://api.test/v1/ws-001/things?page=2")),
        ("/p?x=1#frag", Some("https://api.test/p?x=1")),
        ("  /p  ", Some("https://api.test/p")),
        ("", None),
        ("ftp://files.test/a", None),
        ("javascript:alert(1)", None),
        ("https:///nohost", None),
    ];
    for (location, expected) in table {
        assert_eq!(
            resolve_location(base, location).as_deref(),
            expected,
            "{location}"
        );
    }
    assert_eq!(
        resolve_location("https://api.test", "a").as_deref(),
        Some("https://api.test/a")
    );
}

#[test]
fn relative_redirects_resolve_per_rfc3986() {
    let cfg = config().build().unwrap();
    let run = run_raw(
        Method::GET,
        &cfg,
        &RequestOptions::default(),
        vec![
            status_h(302, "location", "../other/./x"),
            status_h(302, "location", "?cursor=c2"),
            status_h(302, "location", "#top"),
            status(204),
        ],
    );
    assert!(run.result.is_ok());
    let uris: Vec<&str> = run.sends.iter().map(|s| s.uri.as_str()).collect();
    assert_eq!(
        uris,
        [
            "https://api.test/v1/ws-001/things",
            "https://api.test/v1/other/x",
            "https://api.test/v1/other/x?cursor=c2",
            "https://api.test/v1/other/x?cursor=c2",
        ]
    );
    assert!(run.sends[3].headers.contains_key("authorization"));
}

proptest! {
    /// `Location` values and base URLs from anywhere resolve or are refused, never panic.
    #[test]
    fn location_resolution_takes_any_text(
        base in "(https?://[a-zé.:0-9]{0,10})?[a-zé💥/.?#%:@_=&-]{0,30}|\\PC{0,40}",
        location in "(https?:)?(//[a-zé.:0-9]{0,10})?[a-zé💥/.?#%:@_=&-]{0,30}|\\PC{0,40}",
    ) {
        let _ = resolve_location(&base, &location);
        let _ = resolve_location("https://api.test/v1/a/b?q=1", &location);
    }
}

#[cfg(feature = "tracing")]
mod spans;

mod upload;
