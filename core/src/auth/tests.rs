//! Fake-clock tests of the login machine, the token manager and the storages.

use super::jwt::unsigned_jwt;
use super::*;
use crate::call::attempt::AttemptOutcome;
use crate::call::retry::{Step, Time};
use crate::credentials::Secret;
use crate::error::{Error, ErrorKind};
use bytes::Bytes;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use web_time::{Instant, SystemTime, UNIX_EPOCH};

const T0: u64 = 1_700_000_000;

/// Decodes a form body into pairs (test helper).
fn form(body: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(body);
    let dec = |s: &str| {
        let s = s.replace('+', " ");
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' && i + 2 < b.len() {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    };
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (dec(k), dec(v))
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq)]
enum Ev {
    Code(String),
    Status(LoginStatus),
    Choose(Vec<String>),
    /// A sleep of this many milliseconds.
    Sleep(u128),
    /// A request: method, path, form fields.
    Req(String, String, Vec<(String, String)>),
}

enum Reply {
    Json(u16, Value),
    Text(u16, &'static str),
    Headers(u16, Vec<(&'static str, &'static str)>, Value),
    Fail,
}

struct Run {
    result: Result<Credentials, Error>,
    events: Vec<Ev>,
    requests: Vec<http::Request<Bytes>>,
}

impl Run {
    fn sleeps(&self) -> Vec<u128> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Ev::Sleep(ms) => Some(*ms),
                _ => None,
            })
            .collect()
    }
    fn statuses(&self) -> Vec<LoginStatus> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Ev::Status(s) => Some(*s),
                _ => None,
            })
            .collect()
    }
    fn paths(&self) -> Vec<String> {
        self.requests
            .iter()
            .map(|r| r.uri().path().to_owned())
            .collect()
    }
    fn err(&self) -> &Error {
        self.result.as_ref().expect_err("expected an error")
    }
}

fn issuance(interval: Option<u64>, expires_in: u64) -> Value {
    let mut v = json!({
        "device_code": "dev-code-secret",
        "user_code": "ABCD-EFGH",
        "verification_uri": "https://id.example/device",
        "verification_uri_complete": "https://id.example/device?code=ABCD-EFGH",
        "expires_in": expires_in,
    });
    if let Some(i) = interval {
        v["interval"] = json!(i);
    }
    v
}

fn token(claims: Value, refresh: Option<&str>) -> Value {
    let mut v = json!({"access_token": unsigned_jwt(&claims), "token_type": "Bearer",
                       "expires_in": 3600, "scope": "all"});
    if let Some(r) = refresh {
        v["refresh_token"] = json!(r);
    }
    v
}

fn pending() -> Reply {
    Reply::Json(400, json!({"error": "authorization_pending"}))
}

/// Drives a login with scripted replies (in order) and a fixed workspace choice.
fn drive(
    opts: LoginOptions,
    replies: Vec<Reply>,
    mut choose: impl FnMut(&[Workspace]) -> Option<String>,
    mut on_code: impl FnMut(&mut DeviceLogin),
) -> Run {
    let mut login = DeviceLogin::new(opts);
    let mut replies: VecDeque<Reply> = replies.into();
    let mut time = Time {
        now: Instant::now(),
        wall: UNIX_EPOCH + Duration::from_secs(T0),
    };
    let mut events = Vec::new();
    let mut requests = Vec::new();
    for _ in 0..500 {
        match login.poll(time) {
            Step::Send(req) => {
                let r = req.request;
                events.push(Ev::Req(
                    r.method().to_string(),
                    r.uri().path().to_owned(),
                    form(r.body()),
                ));
                requests.push(r);
                match replies.pop_front().expect("a scripted reply") {
                    Reply::Fail => login.handle_failure(
                        Error::network(crate::TransportErrorKind::Connect, "refused"),
                        time,
                    ),
                    reply => {
                        let (status, headers, body) = match reply {
                            Reply::Json(s, v) => (s, vec![], v.to_string()),
                            Reply::Text(s, t) => (s, vec![], t.to_owned()),
                            Reply::Headers(s, h, v) => (s, h, v.to_string()),
                            Reply::Fail => unreachable!(),
                        };
                        let mut b = http::Response::builder().status(status);
                        for (k, v) in headers {
                            b = b.header(k, v);
                        }
                        login.handle_response(b.body(Bytes::from(body)).unwrap(), time);
                    }
                }
            }
            Step::Item(LoginEvent::Code(code)) => {
                events.push(Ev::Code(code.user_code.clone()));
                on_code(&mut login);
            }
            Step::Item(LoginEvent::Status(s)) => events.push(Ev::Status(s)),
            Step::Item(LoginEvent::ChooseWorkspace(list)) => {
                events.push(Ev::Choose(
                    list.iter().map(|w| w.workspace_id.clone()).collect(),
                ));
                login.choose_workspace(choose(&list));
            }
            Step::Wait(until) => {
                let d = until - time.now;
                events.push(Ev::Sleep(d.as_millis()));
                time.now = until;
                time.wall += d;
            }
            Step::Refresh(_) | Step::Read(_) => panic!("a login neither refreshes nor streams"),
            Step::Done(result) => {
                return Run {
                    result,
                    events,
                    requests,
                }
            }
        }
    }
    panic!("the login did not finish in 500 steps");
}

fn opts() -> LoginOptions {
    LoginOptions::new("https://id.example/")
}

fn no_choice(_: &[Workspace]) -> Option<String> {
    panic!("on_workspace_required must not be called")
}

fn ws_token() -> Value {
    token(
        json!({"workspace_id": "ws1", "exp": T0 + 3600}),
        Some("rt_abc"),
    )
}

#[test]
fn happy_path() {
    let run = drive(
        opts(),
        vec![
            Reply::Json(200, issuance(Some(2), 900)),
            pending(),
            Reply::Json(200, ws_token()),
        ],
        no_choice,
        |_| {},
    );
    let c = run.result.as_ref().unwrap();
    assert_eq!(c.workspace_id, "ws1");
    assert_eq!(c.refresh_token.expose(), "rt_abc");
    assert_eq!(c.expires_at, T0 + 3600);
    assert_eq!(c.scope.as_deref(), Some("all"));
    assert_eq!(run.events[1], Ev::Code("ABCD-EFGH".into()));
    assert_eq!(
        run.statuses(),
        vec![
            LoginStatus::Polling,
            LoginStatus::AuthorizationPending,
            LoginStatus::Polling,
            LoginStatus::Approved
        ]
    );
    assert_eq!(run.sleeps(), vec![2000, 2000]);
    assert!(!format!("{c:?}").contains("rt_abc"));
}

#[test]
fn identity_posts_are_form_encoded_in_order() {
    let o = opts()
        .client_description("my cli/1")
        .scope("read write")
        .workspace_id("ws1");
    let run = drive(
        o,
        vec![
            Reply::Json(200, issuance(Some(1), 900)),
            Reply::Json(200, ws_token()),
        ],
        no_choice,
        |_| {},
    );
    assert!(run.result.is_ok());
    assert_eq!(run.paths(), vec!["/device/code", "/token"]);
    for r in &run.requests {
        assert_eq!(r.method(), http::Method::POST);
        assert_eq!(
            r.headers()[http::header::CONTENT_TYPE],
            "application/x-www-form-urlencoded"
        );
        assert!(r.headers().get(http::header::AUTHORIZATION).is_none());
    }
    assert_eq!(run.requests[0].uri(), "https://id.example/device/code");
    assert_eq!(
        run.requests[0].body().as_ref(),
        b"client_description=my+cli%2F1&scope=read+write"
    );
    assert_eq!(
        form(run.requests[1].body()),
        vec![
            ("grant_type".into(), "device_code".into()),
            ("device_code".into(), "dev-code-secret".into()),
            ("scope".into(), "read write".into()),
            ("workspace_id".into(), "ws1".into()),
        ]
    );
}

#[test]
fn multi_workspace_300_selection() {
    let sel = json!({"error": "workspace_selection_required",
        "workspaces": [{"workspace_id": "ws-a", "name": "A"}, {"workspace_id": "ws-b", "role": "admin"}],
        "refresh_token": "rt-boot"});
    let run = drive(
        opts(),
        vec![
            Reply::Json(200, issuance(Some(1), 900)),
            Reply::Json(300, sel),
            Reply::Json(200, token(json!({"workspace_id": "ws-b"}), Some("rt-b"))),
        ],
        |list| {
            assert_eq!(list.len(), 2);
            assert_eq!(list[0].name.as_deref(), Some("A"));
            Some("ws-b".into())
        },
        |_| {},
    );
    assert_eq!(run.result.as_ref().unwrap().workspace_id, "ws-b");
    assert!(run
        .events
        .contains(&Ev::Choose(vec!["ws-a".into(), "ws-b".into()])));
    assert_eq!(
        form(run.requests[2].body()),
        vec![
            ("grant_type".into(), "refresh_token".into()),
            ("refresh_token".into(), "rt-boot".into()),
            ("workspace_id".into(), "ws-b".into()),
        ]
    );
    // Choosing nothing cancels.
    let run = drive(
        opts(),
        vec![
            Reply::Json(200, issuance(Some(1), 900)),
            Reply::Json(
                300,
                json!({"workspaces": [{"workspace_id": "w"}], "refresh_token": "r"}),
            ),
        ],
        |_| None,
        |_| {},
    );
    assert_eq!(run.err().error_code(), Some("login_cancelled"));
}

#[test]
fn multi_workspace_300_without_refresh_token() {
    let run = drive(
        opts(),
        vec![
            Reply::Json(200, issuance(Some(1), 900)),
            Reply::Json(
                300,
                json!({"error": "workspace_selection_required",
                "workspaces": [{"workspace_id": "ws-a"}]}),
            ),
        ],
        no_choice,
        |_| {},
    );
    let e = run.err();
    assert_eq!(e.error_code(), Some("server_error"));
    assert_eq!(
        e.message(),
        "Multi-workspace response missing refresh_token"
    );
}

#[test]
fn bootstrap_single_membership_auto_selected() {
    let run = drive(
        opts(),
        vec![
            Reply::Json(200, issuance(Some(1), 900)),
            Reply::Json(200, token(json!({"sub": "u1"}), Some("rt-boot"))),
            Reply::Json(200, json!({"workspaces": [{"workspace_id": "ws-only"}]})),
            Reply::Json(200, token(json!({"workspace_id": "ws-only"}), Some("rt-2"))),
        ],
        no_choice,
        |_| {},
    );
    let c = run.result.as_ref().unwrap();
    assert_eq!(c.workspace_id, "ws-only");
    assert_eq!(c.refresh_token.expose(), "rt-2");
    assert_eq!(
        run.paths(),
        vec!["/device/code", "/token", "/self/profile", "/token"]
    );
    let profile = &run.requests[2];
    assert_eq!(profile.method(), http::Method::GET);
    assert!(profile.headers()[http::header::AUTHORIZATION]
        .to_str()
        .unwrap()
        .starts_with("Bearer ey"));
    assert_eq!(
        form(run.requests[3].body())[2],
        ("workspace_id".into(), "ws-only".into())
    );
}

#[test]
fn bootstrap_flag_with_workspace_claim_and_caller_workspace() {
    // workspace_bootstrap truthy: bootstrap even with a claim; the caller's id is used directly.
    let run = drive(
        opts().workspace_id("ws-mine"),
        vec![
            Reply::Json(200, issuance(Some(1), 900)),
            Reply::Json(
                200,
                token(
                    json!({"workspace_id": "x", "workspace_bootstrap": 1}),
                    Some("rt-boot"),
                ),
            ),
            Reply::Json(200, token(json!({}), Some("rt-2"))),
        ],
        no_choice,
        |_| {},
    );
    assert_eq!(run.result.as_ref().unwrap().workspace_id, "ws-mine");
    assert_eq!(run.paths(), vec!["/device/code", "/token", "/token"]);
}

#[test]
fn bootstrap_profile_404_falls_back_to_self() {
    let run = drive(
        opts(),
        vec![
            Reply::Json(200, issuance(Some(1), 900)),
            Reply::Json(200, token(json!({}), Some("rt-boot"))),
            Reply::Json(404, json!({"detail": "Not Found"})),
            Reply::Json(
                200,
                json!({"workspaces": [{"workspace_id": "w1"}, {"workspace_id": "w2"}]}),
            ),
            Reply::Json(200, token(json!({"workspace_id": "w2"}), None)),
        ],
        |_| Some("w2".into()),
        |_| {},
    );
    assert_eq!(run.paths()[2..4], ["/self/profile", "/self"]);
    let c = run.result.as_ref().unwrap();
    assert_eq!(c.workspace_id, "w2");
    assert_eq!(c.refresh_token.expose(), "");
    let run = drive(
        opts(),
        vec![
            Reply::Json(200, issuance(Some(1), 900)),
            Reply::Json(200, token(json!({}), Some("rt-boot"))),
            Reply::Json(404, json!({})),
            Reply::Text(404, "nope"),
        ],
        no_choice,
        |_| {},
    );
    let e = run.err();
    assert_eq!(e.error_code(), Some("no_workspaces"));
    assert_eq!(
        e.message(),
        "No workspace memberships found. Create a workspace or request an invitation."
    );
    let run = drive(
        opts(),
        vec![
            Reply::Json(200, issuance(Some(1), 900)),
            Reply::Json(200, token(json!({}), Some("rt-boot"))),
            Reply::Json(500, json!({})),
        ],
        no_choice,
        |_| {},
    );
    assert_eq!(run.err().message(), "Failed to fetch workspaces (500)");
}

#[test]
fn missing_workspace_without_refresh_token() {
    let run = drive(
        opts(),
        vec![
            Reply::Json(200, issuance(Some(1), 900)),
            Reply::Json(200, token(json!({"workspace_bootstrap": true}), None)),
        ],
        no_choice,
        |_| {},
    );
    let e = run.err();
    assert_eq!(e.error_code(), Some("missing_workspace"));
    assert_eq!(e.message(), "Token does not contain a workspace_id claim");
}

#[test]
fn expired_and_denied_report_status_first() {
    for (code, status, err_code, msg) in [
        (
            "expired_token",
            LoginStatus::Expired,
            "device_code_expired",
            "Device code expired. Please restart the login flow.",
        ),
        (
            "access_denied",
            LoginStatus::Denied,
            "device_code_denied",
            "Authorization request was denied.",
        ),
    ] {
        let run = drive(
            opts(),
            vec![
                Reply::Json(200, issuance(Some(1), 900)),
                Reply::Json(400, json!({"error": code})),
            ],
            no_choice,
            |_| {},
        );
        assert_eq!(run.statuses(), vec![LoginStatus::Polling, status]);
        let e = run.err();
        assert_eq!(
            (e.kind(), e.error_code(), e.message()),
            (ErrorKind::DeviceCode, Some(err_code), msg)
        );
    }
}

#[test]
fn other_400_errors() {
    for (body, msg, code) in [
        (
            r#"{"error":"invalid_client","error_description":"bad client"}"#,
            "bad client",
            "invalid_client",
        ),
        (
            r#"{"error":"invalid_client"}"#,
            "invalid_client",
            "invalid_client",
        ),
        ("not json", "unknown", "unknown"),
    ] {
        let run = drive(
            opts(),
            vec![
                Reply::Json(200, issuance(Some(1), 900)),
                Reply::Text(400, body),
            ],
            no_choice,
            |_| {},
        );
        let e = run.err();
        assert_eq!(
            (e.kind(), e.message(), e.error_code()),
            (ErrorKind::Identity, msg, Some(code))
        );
    }
}

#[test]
fn slow_down_adds_five_seconds_cumulatively() {
    let slow = || Reply::Json(400, json!({"error": "slow_down"}));
    let run = drive(
        opts(),
        vec![
            Reply::Json(200, issuance(Some(2), 900)),
            slow(),
            slow(),
            pending(),
            Reply::Json(200, ws_token()),
        ],
        no_choice,
        |_| {},
    );
    assert!(run.result.is_ok());
    assert!(run.statuses().contains(&LoginStatus::SlowDown));
    assert_eq!(run.sleeps(), vec![2000, 7000, 12000, 12000]);
}

#[test]
fn missing_interval_defaults_to_five_seconds() {
    for interval in [None, Some(0)] {
        let mut iss = issuance(None, 900);
        if let Some(i) = interval {
            iss["interval"] = json!(i);
        }
        let run = drive(
            opts(),
            vec![
                Reply::Json(200, iss),
                pending(),
                Reply::Json(200, ws_token()),
            ],
            no_choice,
            |_| {},
        );
        assert!(run.result.is_ok());
        assert_eq!(run.sleeps(), vec![5000, 5000]);
    }
}

#[test]
fn transient_poll_failures_back_off() {
    // 503 then 200: succeeds; the wait after a transient failure doubles (k = 1).
    let run = drive(
        opts(),
        vec![
            Reply::Json(200, issuance(Some(2), 900)),
            Reply::Text(503, "busy"),
            Reply::Text(502, ""),
            Reply::Json(200, ws_token()),
        ],
        no_choice,
        |_| {},
    );
    assert!(run.result.is_ok());
    assert_eq!(run.sleeps(), vec![2000, 4000, 8000]);
    // Retry-After 7 → max(interval, 7 s); Retry-After 600 → 60 s; then back to the interval.
    let run = drive(
        opts(),
        vec![
            Reply::Json(200, issuance(Some(2), 900)),
            Reply::Headers(429, vec![("retry-after", "7")], json!({})),
            Reply::Headers(429, vec![("retry-after", "600")], json!({})),
            Reply::Headers(503, vec![("retry-after", "1")], json!({})),
            pending(),
            Reply::Json(200, ws_token()),
        ],
        no_choice,
        |_| {},
    );
    assert!(run.result.is_ok());
    assert_eq!(run.sleeps(), vec![2000, 7000, 60000, 2000, 2000]);
    // Without Retry-After the wait is capped at 60 s.
    let mut replies = vec![Reply::Json(200, issuance(Some(20), 3600))];
    replies.extend((0..3).map(|_| Reply::Text(500, "")));
    replies.push(Reply::Json(200, ws_token()));
    let run = drive(opts(), replies, no_choice, |_| {});
    assert_eq!(run.sleeps(), vec![20000, 40000, 60000, 60000]);
}

#[test]
fn other_poll_statuses_are_fatal() {
    for status in [401u16, 403, 404, 302, 418] {
        let run = drive(
            opts(),
            vec![
                Reply::Json(200, issuance(Some(1), 900)),
                Reply::Json(status, json!({})),
            ],
            no_choice,
            |_| {},
        );
        let e = run.err();
        assert_eq!(e.kind(), ErrorKind::Identity);
        assert_eq!(e.message(), format!("Identity error ({status})"));
    }
    let run = drive(
        opts(),
        vec![Reply::Json(200, issuance(Some(1), 900)), Reply::Fail],
        no_choice,
        |_| {},
    );
    assert_eq!(
        run.err().message(),
        "Network error contacting identity service"
    );
    assert_eq!(run.err().kind(), ErrorKind::Network);
}

#[test]
fn polling_past_expiry() {
    // 10 s lifetime, 4 s interval: polls at 4 and 8 s, then 12 s crosses the deadline but
    // that poll is still sent (checked only at the top); then expired.
    let run = drive(
        opts(),
        vec![
            Reply::Json(200, issuance(Some(4), 10)),
            pending(),
            pending(),
            pending(),
        ],
        no_choice,
        |_| {},
    );
    assert_eq!(run.err().error_code(), Some("device_code_expired"));
    assert_eq!(run.statuses().last(), Some(&LoginStatus::Expired));
    assert_eq!(run.sleeps(), vec![4000, 4000, 4000]);
    assert_eq!(run.paths().len(), 4);
}

#[test]
fn cancellation() {
    // Cancelled inside on_code: nothing is polled.
    let run = drive(
        opts(),
        vec![Reply::Json(200, issuance(Some(1), 900))],
        no_choice,
        |login| login.cancel(),
    );
    assert_eq!(run.err().message(), "Login cancelled");
    assert_eq!(run.err().error_code(), Some("login_cancelled"));
    assert_eq!(run.paths(), vec!["/device/code"]);
    // Cancelled by a token during the sleep.
    let token = crate::CancelToken::new();
    let mut login = DeviceLogin::new(opts().cancel_token(token.clone()));
    let time = Time {
        now: Instant::now(),
        wall: SystemTime::now(),
    };
    let Step::Send(_) = login.poll(time) else {
        panic!()
    };
    let body = issuance(Some(3), 900).to_string();
    login.handle_response(http::Response::new(Bytes::from(body)), time);
    assert!(matches!(login.poll(time), Step::Item(LoginEvent::Code(_))));
    let Step::Wait(until) = login.poll(time) else {
        panic!()
    };
    assert_eq!(until - time.now, Duration::from_secs(3));
    token.cancel();
    let Step::Done(Err(e)) = login.poll(time) else {
        panic!()
    };
    assert_eq!(e.error_code(), Some("login_cancelled"));
}

#[test]
fn issuance_failures() {
    let run = drive(opts(), vec![Reply::Fail], no_choice, |_| {});
    assert_eq!(
        run.err().message(),
        "Network error contacting identity service"
    );
    let run = drive(
        opts(),
        vec![Reply::Headers(
            429,
            vec![("retry-after", "30")],
            json!({"detail": "x"}),
        )],
        no_choice,
        |_| {},
    );
    let e = run.err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert_eq!(e.message(), "Rate limited");
    assert_eq!(e.retry_after(), Some(Duration::from_secs(30)));
    let run = drive(
        opts(),
        vec![Reply::Json(
            400,
            json!({"error": "invalid_scope", "error_description": "no such scope"}),
        )],
        no_choice,
        |_| {},
    );
    let e = run.err();
    assert_eq!(
        (e.kind(), e.message(), e.error_code()),
        (ErrorKind::Identity, "no such scope", Some("invalid_scope"))
    );
    let run = drive(opts(), vec![Reply::Text(502, "")], no_choice, |_| {});
    assert_eq!(run.err().message(), "Identity error (502)");
}

#[test]
fn expires_at_sources() {
    let with = |v: Value| {
        drive(
            opts(),
            vec![
                Reply::Json(200, issuance(Some(1), 900)),
                Reply::Json(200, v),
            ],
            no_choice,
            |_| {},
        )
        .result
        .unwrap()
        .expires_at
    };
    // The first poll happens 1 s after T0 on the fake wall clock.
    let mut t = token(json!({"workspace_id": "w", "exp": 42}), None);
    assert_eq!(with(t.clone()), 42);
    t = token(json!({"workspace_id": "w"}), None);
    assert_eq!(with(t.clone()), T0 + 1 + 3600);
    t["expires_in"] = json!(0);
    assert_eq!(with(t.clone()), T0 + 1 + 900);
    t.as_object_mut().unwrap().remove("expires_in");
    assert_eq!(with(t), T0 + 1 + 900);
}

#[test]
fn debug_output_hides_secrets() {
    let mut login = DeviceLogin::new(opts());
    let time = Time {
        now: Instant::now(),
        wall: SystemTime::now(),
    };
    let _ = login.poll(time);
    login.handle_response(
        http::Response::new(Bytes::from(issuance(Some(1), 900).to_string())),
        time,
    );
    let step = login.poll(time);
    let text = format!("{step:?} {login:?}");
    assert!(!text.contains("dev-code-secret"), "{text}");
    let _ = login.poll(time);
    let mut t = time;
    t.now += Duration::from_secs(1);
    let _ = login.poll(t);
    let Step::Send(req) = login.poll(t) else {
        panic!()
    };
    assert!(!format!("{req:?}").contains("dev-code-secret"));
}

// ---------- token manager ----------

#[derive(Debug, Default)]
struct ScriptedIdentity {
    replies: Mutex<VecDeque<(u16, Value)>>,
    requests: Mutex<Vec<Vec<(String, String)>>>,
    calls: AtomicUsize,
    delay: Duration,
}

impl ScriptedIdentity {
    fn new(replies: Vec<(u16, Value)>) -> Arc<Self> {
        Arc::new(ScriptedIdentity {
            replies: Mutex::new(replies.into()),
            ..Default::default()
        })
    }
}

impl ScriptedIdentity {
    fn send(&self, request: crate::call::attempt::Attempt) -> AttemptOutcome {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.requests
            .lock()
            .unwrap()
            .push(form(request.request.body()));
        std::thread::sleep(self.delay);
        match self.replies.lock().unwrap().pop_front() {
            Some((status, body)) => AttemptOutcome::Response(
                http::Response::builder()
                    .status(status)
                    .body(Bytes::from(body.to_string()))
                    .unwrap(),
            ),
            None => AttemptOutcome::Failed(Error::network(
                crate::TransportErrorKind::Connect,
                "refused",
            )),
        }
    }
}

/// A wall clock that moves only when told to.
#[derive(Debug, Clone)]
struct ManualClock(Arc<Mutex<SystemTime>>);

impl ManualClock {
    fn at_unix(secs: u64) -> Self {
        ManualClock(Arc::new(Mutex::new(UNIX_EPOCH + Duration::from_secs(secs))))
    }
    fn advance(&self, d: Duration) {
        *self.0.lock().unwrap() += d;
    }
    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap()
    }
}

/// A manager driven the way a blocking transport drives it: refreshes go through the
/// scripted identity service, time comes from the manual clock.
#[derive(Clone)]
struct Driven {
    manager: TokenManager,
    identity: Arc<ScriptedIdentity>,
    clock: ManualClock,
}

impl std::ops::Deref for Driven {
    type Target = TokenManager;
    fn deref(&self) -> &TokenManager {
        &self.manager
    }
}

impl Driven {
    /// Drives a [`Refreshing`] machine the way a blocking transport does.
    fn get_access_token(&self) -> Result<Option<AccessToken>, Error> {
        use crate::Machine;
        let mut m = Refreshing::new(&self.manager);
        let time = || Time {
            now: Instant::now(),
            wall: self.clock.now(),
        };
        for _ in 0..10_000 {
            match m.poll(time()) {
                Step::Refresh(r) => {
                    let result = r.run(|a| self.identity.send(a), || self.clock.now());
                    m.handle_refresh(result, time());
                }
                Step::Wait(until) => std::thread::sleep(until - Instant::now().min(until)),
                Step::Done(result) => return result,
                other => panic!("unexpected {other:?}"),
            }
        }
        panic!("no token within 10 000 steps");
    }
    /// The token the next attempt would carry (refreshing first when needed).
    fn bearer_token(&self) -> Result<Secret, Error> {
        self.get_access_token()?
            .map(|t| t.token)
            .ok_or_else(|| Error::credentials("No stored credentials"))
    }
}

fn creds(expires_at: u64, refresh: &str) -> Credentials {
    Credentials {
        access_token: Secret::new("at-old"),
        refresh_token: Secret::new(refresh),
        workspace_id: "ws1".into(),
        expires_at,
        scope: Some("all".into()),
    }
}

fn manager(
    identity: Arc<ScriptedIdentity>,
    storage: Arc<dyn TokenStorage>,
    clock: &ManualClock,
) -> Driven {
    Driven {
        manager: TokenManager::builder()
            .identity_base_url("https://id.example/")
            .storage(storage)
            .build(),
        identity,
        clock: clock.clone(),
    }
}

#[test]
fn manager_store_then_get_and_empty() {
    let clock = ManualClock::at_unix(T0);
    let id = ScriptedIdentity::new(vec![]);
    let m = manager(id.clone(), Arc::new(MemoryStorage::new()), &clock);
    assert_eq!(m.get_access_token().unwrap(), None);
    assert!(!m.has_credentials());
    assert_eq!(m.bearer_token().unwrap_err().kind(), ErrorKind::Credentials);
    m.store(&creds(T0 + 3600, "rt")).unwrap();
    let t = m.get_access_token().unwrap().unwrap();
    assert_eq!(
        (t.token.expose(), t.workspace_id.as_str()),
        ("at-old", "ws1")
    );
    assert!(m.has_credentials());
    assert_eq!(id.calls.load(Ordering::SeqCst), 0);
    // A second manager over the same storage reads it.
    let m2 = manager(id, m.storage().clone(), &clock);
    assert_eq!(m2.bearer_token().unwrap().expose(), "at-old");
    m.clear().unwrap();
    assert!(!m.has_credentials());
}

#[test]
fn manager_refreshes_when_under_a_minute_remains() {
    let clock = ManualClock::at_unix(T0);
    let new_at = unsigned_jwt(&json!({"workspace_id": "ws1", "exp": T0 + 7200}));
    let id = ScriptedIdentity::new(vec![(200, json!({"access_token": new_at}))]);
    let storage = Arc::new(MemoryStorage::new());
    let m = manager(id.clone(), storage.clone(), &clock);
    m.store(&creds(T0 + 60, "rt-keep")).unwrap();
    assert_eq!(m.bearer_token().unwrap().expose(), "at-old"); // exactly 60 s left: fresh
    clock.advance(Duration::from_secs(30));
    let t = m.get_access_token().unwrap().unwrap();
    assert_eq!(t.token.expose(), new_at);
    assert_eq!(
        id.requests.lock().unwrap()[0],
        vec![
            ("grant_type".into(), "refresh_token".into()),
            ("refresh_token".into(), "rt-keep".into()),
            ("workspace_id".into(), "ws1".into()),
            ("scope".into(), "all".into()),
        ]
    );
    let saved = storage.load().unwrap().unwrap();
    assert_eq!(saved.access_token.expose(), new_at);
    assert_eq!(saved.refresh_token.expose(), "rt-keep");
    assert_eq!(saved.expires_at, T0 + 7200);
    assert_eq!(saved.scope.as_deref(), Some("all"));
    // Rotation: a returned refresh token replaces the old one; expires_in used without exp.
    let id = ScriptedIdentity::new(vec![(
        200,
        json!({"access_token": "opaque", "refresh_token": "rt-new", "expires_in": 100, "scope": "s2"}),
    )]);
    let m = manager(id, storage.clone(), &clock);
    clock.advance(Duration::from_secs(7200));
    m.get_access_token().unwrap();
    let saved = storage.load().unwrap().unwrap();
    assert_eq!(saved.refresh_token.expose(), "rt-new");
    assert_eq!(saved.expires_at, T0 + 30 + 7200 + 100);
    assert_eq!(saved.scope.as_deref(), Some("s2"));
}

#[test]
fn manager_rejected_refresh_clears_credentials() {
    for (status, body) in [
        (401, json!({"error": "invalid_grant"})),
        (
            400,
            json!({"error": "invalid_grant", "error_description": "expired"}),
        ),
        (401, json!({})),
    ] {
        let clock = ManualClock::at_unix(T0);
        let id = ScriptedIdentity::new(vec![(status, body)]);
        let m = manager(id, Arc::new(MemoryStorage::new()), &clock);
        m.store(&creds(T0 + 30, "rt")).unwrap();
        let e = m.get_access_token().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Authentication);
        assert_eq!(e.error_code(), Some("refresh_token_expired"));
        assert_eq!(e.message(), "Refresh token expired. Please log in again.");
        assert!(!m.has_credentials());
        assert_eq!(m.storage().load().unwrap(), None);
    }
}

#[test]
fn manager_transient_refresh_failure_keeps_credentials() {
    let clock = ManualClock::at_unix(T0);
    let id = ScriptedIdentity::new(vec![(503, json!({"error": "unavailable"}))]);
    let m = manager(id, Arc::new(MemoryStorage::new()), &clock);
    m.store(&creds(T0 + 30, "rt")).unwrap();
    let e = m.get_access_token().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Identity);
    assert_eq!(e.message(), "Identity error (503)");
    assert!(m.has_credentials());
    // Within a second the failure is shared instead of retried at once.
    let again = m.get_access_token().unwrap_err();
    assert_eq!(again.message(), "Identity error (503)");
    assert_eq!(m.identity.calls.load(Ordering::SeqCst), 1);
    // Then the network is down: a Network error; still kept.
    clock.advance(SHARED_FAILURE);
    let e = m.get_access_token().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Network);
    assert_eq!(e.message(), "Network error contacting identity service");
    assert!(m.storage().load().unwrap().is_some());
}

#[test]
fn manager_without_refresh_token() {
    let clock = ManualClock::at_unix(T0);
    let id = ScriptedIdentity::new(vec![]);
    let m = manager(id.clone(), Arc::new(MemoryStorage::new()), &clock);
    m.store(&creds(T0 + 30, "")).unwrap();
    let e = m.get_access_token().unwrap_err();
    assert_eq!(e.message(), "No refresh token available");
    assert_eq!(e.error_code(), Some("refresh_token_expired"));
    assert_eq!(e.kind(), ErrorKind::Authentication);
    assert_eq!(id.calls.load(Ordering::SeqCst), 0);
}

#[test]
fn manager_single_flight_ten_callers() {
    let clock = ManualClock::at_unix(T0);
    let id = Arc::new(ScriptedIdentity {
        replies: Mutex::new(
            vec![(200, json!({"access_token": "at-new", "expires_in": 3600}))].into(),
        ),
        delay: Duration::from_millis(100),
        ..Default::default()
    });
    let m = manager(id.clone(), Arc::new(MemoryStorage::new()), &clock);
    m.store(&creds(T0 + 10, "rt")).unwrap();
    let barrier = Arc::new(std::sync::Barrier::new(10));
    let handles: Vec<_> = (0..10)
        .map(|_| {
            let (m, b) = (m.clone(), barrier.clone());
            std::thread::spawn(move || {
                b.wait();
                m.get_access_token().unwrap().unwrap().token
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap().expose(), "at-new");
    }
    assert_eq!(id.calls.load(Ordering::SeqCst), 1);
}

#[test]
fn manager_single_flight_shares_failures() {
    let clock = ManualClock::at_unix(T0);
    let id = Arc::new(ScriptedIdentity {
        replies: Mutex::new(vec![(503, json!({}))].into()),
        delay: Duration::from_millis(150),
        ..Default::default()
    });
    let m = manager(id.clone(), Arc::new(MemoryStorage::new()), &clock);
    m.store(&creds(T0 + 10, "rt")).unwrap();
    let first = {
        let m = m.clone();
        std::thread::spawn(move || m.get_access_token())
    };
    std::thread::sleep(Duration::from_millis(50));
    let second = m.get_access_token();
    assert!(first.join().unwrap().is_err() && second.is_err());
    assert_eq!(id.calls.load(Ordering::SeqCst), 1);
}

// ---------- file storage ----------

fn temp_dir(tag: &str) -> std::path::PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "amigo-auth-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn file_storage_round_trip_and_clear() {
    let dir = temp_dir("rt");
    let s = FileStorage::new(dir.join("nested").join("credentials.json"));
    assert_eq!(s.load().unwrap(), None);
    s.clear().unwrap();
    let c = creds(T0, "rt");
    s.save(&c).unwrap();
    assert_eq!(s.load().unwrap(), Some(c.clone()));
    let text = std::fs::read_to_string(s.path()).unwrap();
    assert_eq!(
        text,
        format!("{{\n  \"access_token\": \"at-old\",\n  \"refresh_token\": \"rt\",\n  \"workspace_id\": \"ws1\",\n  \"expires_at\": {T0},\n  \"scope\": \"all\"\n}}\n")
    );
    let no_scope = Credentials { scope: None, ..c };
    s.save(&no_scope).unwrap();
    assert_eq!(s.load().unwrap(), Some(no_scope));
    s.clear().unwrap();
    assert_eq!(s.load().unwrap(), None);
    s.clear().unwrap();
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn file_storage_bad_contents() {
    let dir = temp_dir("bad");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("credentials.json");
    let warnings = Arc::new(Mutex::new(Vec::<String>::new()));
    let w = warnings.clone();
    let s = FileStorage::new(&path).with_warning_handler(move |m| w.lock().unwrap().push(m.into()));
    for missing in [
        r#"{"access_token":"a","refresh_token":"r","workspace_id":"w"}"#,
        r#"{"access_token":"a","refresh_token":"r","workspace_id":5,"expires_at":1}"#,
        r#"{"access_token":"a","refresh_token":"r","workspace_id":"w","expires_at":"1"}"#,
        "[1]",
        "null",
    ] {
        std::fs::write(&path, missing).unwrap();
        assert_eq!(s.load().unwrap(), None, "{missing}");
    }
    assert!(warnings.lock().unwrap().is_empty());
    std::fs::write(&path, "{not json").unwrap();
    assert_eq!(s.load().unwrap(), None);
    std::fs::write(&path, [0xff, 0xfe, 0x00]).unwrap();
    assert_eq!(s.load().unwrap(), None);
    let w = warnings.lock().unwrap().clone();
    assert_eq!(w.len(), 2);
    assert!(w[0].contains("malformed") && !w[0].contains("at-old"));
    // identity_base_url is recognised and never written back.
    std::fs::write(
        &path,
        r#"{"access_token":"a","refresh_token":"r","workspace_id":"w","expires_at":5,"identity_base_url":"https://x"}"#,
    )
    .unwrap();
    let c = s.load().unwrap().unwrap();
    s.save(&c).unwrap();
    assert!(!std::fs::read_to_string(&path)
        .unwrap()
        .contains("identity_base_url"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[cfg(unix)]
#[test]
fn file_storage_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("perm");
    let s = FileStorage::new(dir.join("amigo").join("credentials.json"));
    s.save(&creds(T0, "rt")).unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(s.path()), 0o600);
    assert_eq!(mode(&dir.join("amigo")), 0o700);
    // Replacing keeps 0600 even when the old file was wider.
    std::fs::set_permissions(s.path(), std::fs::Permissions::from_mode(0o644)).unwrap();
    s.save(&creds(T0 + 1, "rt")).unwrap();
    assert_eq!(mode(s.path()), 0o600);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn file_storage_crash_between_write_and_rename_keeps_old_file() {
    let dir = temp_dir("crash");
    let s = FileStorage::new(dir.join("credentials.json"));
    let old = creds(T0, "rt-old");
    s.save(&old).unwrap();
    let before = std::fs::read(s.path()).unwrap();
    // A "crash" after the temporary file is written and synced, before the rename.
    let temp = s.write_temp(&creds(T0 + 99, "rt-new")).unwrap();
    assert!(temp.exists());
    assert_eq!(temp.parent(), s.path().parent());
    assert_eq!(std::fs::read(s.path()).unwrap(), before);
    assert_eq!(s.load().unwrap(), Some(old));
    // The next save still succeeds (the leftover temp file does not get in the way).
    s.save(&creds(T0 + 5, "rt-5")).unwrap();
    assert_eq!(s.load().unwrap().unwrap().expires_at, T0 + 5);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn file_lock_is_exclusive_and_released() {
    let dir = temp_dir("lock");
    let s = FileStorage::new(dir.join("credentials.json"));
    let held = s.lock().unwrap().unwrap();
    assert!(s.lock_path().exists());
    let s2 = s.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    let t = std::thread::spawn(move || {
        let _g = s2.lock().unwrap();
        tx.send(()).unwrap();
    });
    assert!(rx.recv_timeout(Duration::from_millis(100)).is_err());
    drop(held);
    rx.recv_timeout(Duration::from_secs(5)).unwrap();
    t.join().unwrap();
    // The lock file stays (deleting it could race a process that just opened it); the lock
    // itself is free again at once.
    let started = std::time::Instant::now();
    assert!(s.lock().unwrap().is_some());
    assert!(started.elapsed() < Duration::from_secs(1));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn two_processes_share_one_refresh() {
    // Two managers (separate caches and single-flight state, as two processes would have)
    // over one credentials file: the lock serialises them and the second reuses the result.
    let dir = temp_dir("twoproc");
    let path = dir.join("credentials.json");
    let clock = ManualClock::at_unix(T0);
    let id = Arc::new(ScriptedIdentity {
        replies: Mutex::new(
            vec![
                (200, json!({"access_token": "at-new", "expires_in": 3600})),
                (
                    200,
                    json!({"access_token": "at-second", "expires_in": 3600}),
                ),
            ]
            .into(),
        ),
        delay: Duration::from_millis(100),
        ..Default::default()
    });
    let a = manager(id.clone(), Arc::new(FileStorage::new(&path)), &clock);
    let b = manager(id.clone(), Arc::new(FileStorage::new(&path)), &clock);
    a.store(&creds(T0 + 5, "rt")).unwrap();
    assert!(b.has_credentials());
    let barrier = Arc::new(std::sync::Barrier::new(2));
    let handles: Vec<_> = [a, b]
        .into_iter()
        .map(|m| {
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                m.get_access_token().unwrap().unwrap().token
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap().expose(), "at-new");
    }
    assert_eq!(id.calls.load(Ordering::SeqCst), 1);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn server_intervals_below_one_second_poll_once_a_second() {
    let slow = || Reply::Json(400, json!({"error": "slow_down"}));
    for interval in [json!(0.001), json!(0.5), json!(1e-9)] {
        let mut iss = issuance(None, 900);
        iss["interval"] = interval.clone();
        let run = drive(
            opts(),
            vec![
                Reply::Json(200, iss),
                pending(),
                slow(),
                Reply::Text(503, "busy"),
                pending(),
                Reply::Json(200, ws_token()),
            ],
            no_choice,
            |_| {},
        );
        assert!(run.result.is_ok(), "{interval}");
        // 1 s floor; slow_down still adds 5 s; a transient failure doubles the interval.
        assert_eq!(
            run.sleeps(),
            vec![1000, 1000, 6000, 12000, 6000],
            "{interval}"
        );
    }
}

#[test]
fn a_lock_file_left_by_a_crashed_process_does_not_block() {
    let dir = temp_dir("crashedlock");
    let path = dir.join("credentials.json");
    let storage = FileStorage::new(&path);
    // What a crashed holder leaves behind: the lock file, freshly written, nobody holding it.
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(storage.lock_path(), "4242\n").unwrap();
    let started = std::time::Instant::now();
    let lock = storage.lock().unwrap();
    assert!(lock.is_some());
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    drop(lock);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn new_tokens_stay_in_memory_when_saving_them_fails() {
    #[derive(Debug, Default)]
    struct ReadOnly(MemoryStorage);
    impl TokenStorage for ReadOnly {
        fn load(&self) -> Result<Option<Credentials>, Error> {
            self.0.load()
        }
        fn save(&self, _: &Credentials) -> Result<(), Error> {
            Err(Error::credentials("disk full"))
        }
        fn clear(&self) -> Result<(), Error> {
            self.0.clear()
        }
    }
    let clock = ManualClock::at_unix(T0);
    let id = ScriptedIdentity::new(vec![(
        200,
        json!({"access_token": "at-new", "refresh_token": "rt-new", "expires_in": 3600}),
    )]);
    let storage = ReadOnly::default();
    storage.0.save(&creds(T0 + 10, "rt")).unwrap();
    let m = manager(id.clone(), Arc::new(storage), &clock);
    // The save fails and says so ...
    assert_eq!(m.get_access_token().unwrap_err().message(), "disk full");
    // ... but the new tokens were kept: the next caller gets them without another exchange.
    let t = m.get_access_token().unwrap().unwrap();
    assert_eq!(t.token.expose(), "at-new");
    assert_eq!(id.calls.load(Ordering::SeqCst), 1);
    let secrets = crate::CredentialSource::secrets(&m.manager);
    assert!(secrets.iter().any(|s| s.expose() == "rt-new"));
}
