//! Secrets never reach diagnostic output: capability tokens in URLs, credential headers and
//! bodies in hook contexts, and secrets echoed back in validation errors.

use amigo_platform_core::__private::prepare;
use amigo_platform_core::http::{HeaderMap, HeaderValue, Method, StatusCode};
use amigo_platform_core::transport::AttemptOutcome;
use amigo_platform_core::web_time::{Instant, SystemTime};
use amigo_platform_core::ErrorContext;
use amigo_platform_core::{
    bytes::Bytes, Call, Config, Error, Hooks, Operation, RequestOptions, RequestParts,
    ResponseMeta, Step, Time,
};
use amigo_platform_core::{ErrorHookContext, HookError, RequestHookContext, ResponseHookContext};
use std::sync::{Arc, Mutex};

const SURFACE_TOKEN: &str = "surf-tok-5ecret";
const LINK_TOKEN: &str = "link-tok-5ecret";

/// `GET <template>` with the given path parameters.
struct PathOp {
    template: &'static str,
    params: Vec<(&'static str, &'static str)>,
}

impl Operation for PathOp {
    type Output = ();
    fn method(&self) -> Method {
        Method::GET
    }
    fn path_template(&self) -> &str {
        self.template
    }
    fn operation_id(&self) -> &str {
        "path_op"
    }
    fn parts(&self) -> Result<RequestParts, Error> {
        Ok(self
            .params
            .iter()
            .fold(RequestParts::new(), |p, (k, v)| p.path(k, v)))
    }
    fn parse(&self, _: amigo_platform_core::http::Response<Bytes>) -> Result<(), Error> {
        Ok(())
    }
}

fn surface_op() -> PathOp {
    PathOp {
        template: "/s/{token}/spec",
        params: vec![("token", SURFACE_TOKEN)],
    }
}

fn upload_op() -> PathOp {
    PathOp {
        template: "/upload/{link_token}/info",
        params: vec![("link_token", LINK_TOKEN)],
    }
}

fn config(hooks: Option<Arc<dyn Hooks>>) -> Config {
    let mut b = Config::builder()
        .api_key("sk-live-key")
        .workspace_id("ws-001")
        .base_url("https://api.test/prefix")
        .max_attempts(1);
    if let Some(h) = hooks {
        b = b.hooks(h);
    }
    b.build().unwrap()
}

fn time() -> Time {
    Time {
        now: Instant::now(),
        wall: SystemTime::now(),
    }
}

fn assert_hidden(text: &str) {
    for secret in [SURFACE_TOKEN, LINK_TOKEN] {
        assert!(!text.contains(secret), "secret {secret} shown in: {text}");
    }
}

#[test]
fn prepared_requests_and_calls_hide_path_tokens() {
    let cfg = config(None);
    for op in [surface_op(), upload_op()] {
        let req = prepare(&op, &cfg, &RequestOptions::new(), None).unwrap();
        // The request sent keeps the real token.
        assert!(req.url.contains(SURFACE_TOKEN) || req.url.contains(LINK_TOKEN));
        assert_hidden(&format!("{req:?}"));
        assert!(format!("{req:?}").contains("[REDACTED]"));
        let mut call = Call::new(req, &cfg, &RequestOptions::new(), 1, time());
        assert_hidden(&format!("{call:?}"));
        match call.poll(time()) {
            Step::Send(a) => {
                let sent = a.request.uri().to_string();
                assert!(sent.contains(SURFACE_TOKEN) || sent.contains(LINK_TOKEN));
            }
            other => panic!("expected a send, got {other:?}"),
        }
    }
}

#[test]
fn any_path_parameter_named_token_is_hidden() {
    let op = PathOp {
        template: "/v1/{workspace_id}/things/{token}",
        params: vec![("token", SURFACE_TOKEN)],
    };
    let req = prepare(&op, &config(None), &RequestOptions::new(), None).unwrap();
    let shown = format!("{req:?}");
    assert_hidden(&shown);
    assert!(shown.contains("/v1/ws-001/things/[REDACTED]"), "{shown}");
}

#[test]
fn error_context_hides_path_tokens() {
    let e = Error::cancelled().with_context(ErrorContext {
        method: "GET".into(),
        url: format!("https://api.test/s/{SURFACE_TOKEN}/spec?token={LINK_TOKEN}"),
        body: None,
    });
    let shown = format!("{e:?} {e}");
    assert_hidden(&shown);
    assert_hidden(&e.context().unwrap().url);
    assert_eq!(
        e.context().unwrap().url,
        "https://api.test/s/[REDACTED]/spec?token=[REDACTED]"
    );
    let e = Error::cancelled().with_context(ErrorContext {
        method: "GET".into(),
        url: format!("https://api.test/upload/{LINK_TOKEN}/files"),
        body: None,
    });
    assert_hidden(&format!("{e:?}"));
    // Route names under `/s/` are not tokens.
    let e = Error::cancelled().with_context(ErrorContext {
        method: "GET".into(),
        url: "https://api.test/s/vcard/acme.vcf".into(),
        body: None,
    });
    assert_eq!(
        e.context().unwrap().url,
        "https://api.test/s/vcard/acme.vcf"
    );
}

#[derive(Default)]
struct Recorder(Mutex<Vec<String>>);

impl Hooks for Recorder {
    fn on_request(&self, ctx: &mut RequestHookContext<'_>) -> Result<(), HookError> {
        ctx.headers
            .insert("cookie", HeaderValue::from_static("session=cookie-5ecret"));
        ctx.headers.insert(
            "proxy-authorization",
            HeaderValue::from_static("Basic proxy-5ecret"),
        );
        let mut log = self.0.lock().unwrap();
        log.push(ctx.info.url.clone());
        log.push(format!("{ctx:?}"));
        log.push(format!("{:?}", ctx.info));
        Ok(())
    }
    fn on_response(&self, ctx: &ResponseHookContext<'_>) -> Result<(), HookError> {
        self.0.lock().unwrap().push(format!("{ctx:?}"));
        Ok(())
    }
    fn on_error(&self, ctx: &ErrorHookContext<'_>) -> Result<(), HookError> {
        self.0.lock().unwrap().push(format!("{ctx:?}"));
        Ok(())
    }
}

#[test]
fn hook_contexts_hide_tokens_cookies_and_body_secrets() {
    let rec = Arc::new(Recorder::default());
    let cfg = config(Some(rec.clone()));
    let req = prepare(&surface_op(), &cfg, &RequestOptions::new(), None).unwrap();
    let mut call = Call::new(req, &cfg, &RequestOptions::new(), 1, time());
    let Step::Send(attempt) = call.poll(time()) else {
        panic!("expected a send");
    };
    // The hook's cookie edit reaches the wire.
    assert_eq!(attempt.request.headers()["cookie"], "session=cookie-5ecret");
    let resp = amigo_platform_core::http::Response::builder()
        .status(200)
        .header("set-cookie", "sid=set-cookie-5ecret")
        .header("x-request-id", "req-1")
        .body(Bytes::from_static(
            br#"{"token":"body-tok-5ecret","name":"visible-name"}"#,
        ))
        .unwrap();
    call.handle_outcome(AttemptOutcome::Response(resp), time());
    let Step::Done(r) = call.poll(time()) else {
        panic!("expected the end");
    };
    r.unwrap();
    let log = rec.0.lock().unwrap().join("\n");
    assert_hidden(&log);
    for secret in [
        "cookie-5ecret",
        "proxy-5ecret",
        "set-cookie-5ecret",
        "body-tok-5ecret",
        "sk-live-key",
    ] {
        assert!(!log.contains(secret), "{secret} shown in: {log}");
    }
    assert!(
        log.contains("visible-name") && log.contains("req-1"),
        "{log}"
    );
    assert!(
        log.contains("https://api.test/prefix/s/[REDACTED]/spec"),
        "{log}"
    );
}

#[test]
fn hook_contexts_show_non_json_bodies_as_length() {
    let info = amigo_platform_core::AttemptInfo {
        call_id: 1,
        attempt: 1,
        max_attempts: 1,
        method: Method::GET,
        url: format!("https://api.test/upload/{LINK_TOKEN}/info"),
        path_template: "/upload/{link_token}/info".into(),
    };
    let headers = HeaderMap::new();
    let ctx = ResponseHookContext {
        info: &info,
        status: StatusCode::OK,
        headers: &headers,
        request_id: None,
        rate_limit: Default::default(),
        elapsed: Default::default(),
        body: Some(b"plain sk-live-key text"),
        decision: amigo_platform_core::Decision::Return,
    };
    let shown = format!("{ctx:?}");
    assert_hidden(&shown);
    assert!(!shown.contains("sk-live-key"), "{shown}");
    assert!(shown.contains("22 bytes"), "{shown}");
}

#[test]
fn validation_inputs_of_secret_fields_are_hidden() {
    let body = br#"{"detail":[{"loc":["body","api_key"],"msg":"String should have at most 64 characters","type":"string_too_long","input":"sk-live-echoed"},{"loc":["body","name"],"msg":"Field required","type":"missing","input":"visible-input"}]}"#;
    let meta = ResponseMeta::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        HeaderMap::new(),
        SystemTime::now(),
    );
    let e = Error::from_http(meta, None, Some(body), &[]);
    let shown = format!("{e:?} {e} {:?}", e.validation_errors());
    assert!(!shown.contains("sk-live-echoed"), "{shown}");
    assert!(shown.contains("visible-input"), "{shown}");
    // The data itself stays available.
    assert_eq!(e.body().unwrap()["detail"][0]["input"], "sk-live-echoed");
}

#[test]
fn attempts_and_outcomes_hide_credentials_and_tokens() {
    let cfg = config(None);
    let req = prepare(&surface_op(), &cfg, &RequestOptions::new(), None).unwrap();
    let mut call = Call::new(req, &cfg, &RequestOptions::new(), 1, time());
    let step = call.poll(time());
    let shown = format!("{step:?}");
    assert_hidden(&shown);
    assert!(!shown.contains("sk-live-key"), "{shown}");
    assert!(shown.contains("/s/[REDACTED]/spec"), "{shown}");
    let resp = amigo_platform_core::http::Response::builder()
        .status(200)
        .header("set-cookie", "sid=set-cookie-5ecret")
        .body(Bytes::from_static(br#"{"access_token":"body-tok-5ecret"}"#))
        .unwrap();
    let outcome = AttemptOutcome::Response(resp);
    let shown = format!("{outcome:?}");
    assert!(
        !shown.contains("set-cookie-5ecret") && !shown.contains("body-tok-5ecret"),
        "{shown}"
    );
}
