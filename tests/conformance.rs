//! One conformance suite, run against both native transports.
//!
//! Each scenario is a generic function over [`common::Backend`]; `conformance!` instantiates
//! it for the blocking (ureq) and async (hyper) clients, so both run the same bodies.

mod common;

use amigo_platform_api::conversations::{created_conversation_id, SendMessageRequest};
use amigo_platform_api::models::{
    CreateAgentRequest, CreateAgentVersionRequest, Identity, UpdateAgentRequest,
};
use amigo_platform_api::ApiExt;
use amigo_platform_core::{
    Authorization, CancelToken, CredentialSource, Error, ErrorKind, RawData, RequestOptions,
    ResponseMode, Secret, TimeoutScope,
};
use amigo_platform_core::{
    Decision, ErrorHookContext, HookError, Hooks, RequestHookContext, ResponseHookContext,
};
use amigo_platform_testkit::{Fault, MockServer};
use common::{config, count, Backend};
use http::Method;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const AGENTS: &str = "/v1/ws-001/agents";

/// A create-agent body with only the required name (optional fields left out).
fn agent_body(name: &str) -> CreateAgentRequest {
    CreateAgentRequest::new(name)
}

fn setup<B: Backend>() -> (MockServer, amigo_platform_core::Client<B::E>) {
    let server = MockServer::start();
    let client = B::client(config(&server).build().expect("config"));
    (server, client)
}

fn list_sends_default_headers<B: Backend>() {
    let (server, client) = setup::<B>();
    server.seed_agents(MockServer::WORKSPACE_ID, 3);
    let page = B::send(client.api().agents().list()).expect("list");
    assert_eq!(page.items.len(), 3);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.method, Method::GET);
    assert_eq!(r.uri(), AGENTS);
    assert_eq!(
        r.header("user-agent"),
        Some(amigo_platform_core::USER_AGENT)
    );
    assert_eq!(r.header("accept"), Some("application/json"));
    assert_eq!(r.header("authorization"), Some("Bearer test-api-key"));
    assert_eq!(r.header("content-type"), None);
    assert_eq!(r.header("idempotency-key"), None);
}

fn token_auto_paging_follows_all_pages<B: Backend>() {
    let (server, client) = setup::<B>();
    server.seed_agents(MockServer::WORKSPACE_ID, 25);
    let items: Vec<_> = B::collect(
        client
            .api()
            .agents()
            .list()
            .limit(10)
            .search("agent")
            .auto_paging(),
    )
    .into_iter()
    .collect::<Result<_, _>>()
    .expect("pages");
    assert_eq!(items.len(), 25);
    assert_eq!(items[0].name, "agent-1");
    assert_eq!(items[24].name, "agent-25");
    let uris: Vec<String> = server.requests().iter().map(|r| r.uri()).collect();
    assert_eq!(
        uris,
        vec![
            format!("{AGENTS}?search=agent&limit=10"),
            format!("{AGENTS}?search=agent&limit=10&continuation_token=10"),
            format!("{AGENTS}?search=agent&limit=10&continuation_token=20"),
        ]
    );
}

fn next_offset_auto_paging<B: Backend>() {
    let (server, client) = setup::<B>();
    server.seed_entities(MockServer::WORKSPACE_ID, 45);
    let items = B::collect(client.api().world().list_entities().limit(20).auto_paging());
    assert_eq!(items.len(), 45);
    assert!(items.iter().all(Result::is_ok));
    let queries: Vec<Option<String>> = server.requests().iter().map(|r| r.query.clone()).collect();
    assert_eq!(
        queries,
        vec![
            Some("limit=20".into()),
            Some("limit=20&offset=20".into()),
            Some("limit=20&offset=40".into())
        ]
    );
}

fn repeated_query_keys_and_encoding<B: Backend>() {
    let (server, client) = setup::<B>();
    let _ = B::send(
        client
            .api()
            .world()
            .list_entities()
            .entity_type(["patient", "contact"])
            .q("a b&c+d"),
    );
    assert_eq!(
        server.requests()[0].query.as_deref(),
        Some("entity_type=patient&entity_type=contact&q=a%20b%26c%2Bd")
    );
    let err = B::send(client.api().agents().get("a/b c?d#e%")).unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(
        server.requests()[1].path,
        "/v1/ws-001/agents/a%2Fb%20c%3Fd%23e%25"
    );
}

fn create_get_update_delete<B: Backend>() {
    let (server, client) = setup::<B>();
    let created = B::send(client.api().agents().create(agent_body("My Agent"))).expect("create");
    assert_eq!(created.name, "My Agent");
    let post = &server.requests()[0];
    assert_eq!(post.header("content-type"), Some("application/json"));
    assert_eq!(post.json(), Some(json!({"name": "My Agent"})));
    let got = B::send(client.api().agents().get(&created.id)).expect("get");
    assert_eq!(got, created);
    let updated = B::send(
        client
            .api()
            .agents()
            .update(&created.id, UpdateAgentRequest::default().name("Renamed")),
    )
    .expect("update");
    assert_eq!(updated.name, "Renamed");
    let deleted = B::send_meta(client.api().agents().delete(&created.id)).expect("delete");
    assert_eq!(deleted.meta.status, 204);
    assert!(deleted.meta.request_id.is_some());
    let err = B::send(client.api().agents().get(&created.id)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.message(), "Agent not found");
    assert!(err.request_id().is_some_and(|id| id.starts_with("req-")));
}

fn versions_and_latest<B: Backend>() {
    let (server, client) = setup::<B>();
    server.seed_agents(MockServer::WORKSPACE_ID, 1);
    let agent = B::send(client.api().agents().list())
        .expect("list")
        .items
        .remove(0);
    let body = CreateAgentVersionRequest::new(Identity::new("en", "d", "A", "r"), "v1");
    let v = B::send(client.api().agents().create_version(&agent.id, body)).expect("create version");
    assert_eq!(v.version, 1);
    let latest = B::send(client.api().agents().get_version(&agent.id, "latest")).expect("latest");
    assert_eq!(latest.version, 1);
    let by_number = B::send(client.api().agents().get_version(&agent.id, 1)).expect("v1");
    assert_eq!(by_number.id, v.id);
    let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert!(paths[2].ends_with("/versions/latest"), "{paths:?}");
    assert!(paths[3].ends_with("/versions/1"), "{paths:?}");
}

fn validation_error_summary<B: Backend>() {
    let (_server, client) = setup::<B>();
    let err = B::send(client.api().agents().create(agent_body(""))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    assert!(err.is_validation_body());
    assert!(!err.validation_errors().is_empty());
    assert!(
        err.message().starts_with("body.name: "),
        "{}",
        err.message()
    );
}

fn retries_retryable_get_statuses<B: Backend>() {
    for status in [503u16, 429, 408, 500, 502, 504] {
        let (server, client) = setup::<B>();
        server.fault(Method::GET, AGENTS, [Fault::status(status)]);
        B::send(client.api().agents().list()).unwrap_or_else(|e| panic!("{status}: {e}"));
        assert_eq!(count(&server, "/agents"), 2, "status {status}");
    }
}

fn never_retries_non_retryable<B: Backend>() {
    let (server, client) = setup::<B>();
    server.fault(Method::GET, AGENTS, [Fault::status(501)]);
    let err = B::send(client.api().agents().list()).unwrap_err();
    assert_eq!(
        (err.kind(), err.status(), err.is_server()),
        (ErrorKind::Server, Some(501), true)
    );
    assert_eq!(count(&server, "/agents"), 1);

    let (server, client) = setup::<B>();
    server.fault(Method::POST, AGENTS, [Fault::status(503)]);
    let err = B::send(client.api().agents().create(agent_body("x"))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ServiceUnavailable);
    assert_eq!(count(&server, "/agents"), 1);

    let (server, client) = setup::<B>();
    server.fault(
        Method::PUT,
        "/v1/ws-001/agents/{id}",
        [Fault::status(429).header("retry-after", "0")],
    );
    let err = B::send(
        client
            .api()
            .agents()
            .update("a1", UpdateAgentRequest::default()),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(count(&server, "/agents/a1"), 1);

    let (server, client) = setup::<B>();
    server.fault(
        Method::DELETE,
        "/v1/ws-001/agents/{id}",
        [Fault::status(503)],
    );
    assert!(B::send(client.api().agents().delete("a1")).is_err());
    assert_eq!(count(&server, "/agents/a1"), 1);
}

fn retry_writes_opt_in<B: Backend>() {
    let (server, client) = setup::<B>();
    server.seed_agents(MockServer::WORKSPACE_ID, 1);
    let id = B::send(client.api().agents().list())
        .expect("list")
        .items
        .remove(0)
        .id;
    server.clear_requests();
    server.fault(Method::PUT, "/v1/ws-001/agents/{id}", [Fault::status(503)]);
    B::send(
        client
            .api()
            .agents()
            .update(&id, UpdateAgentRequest::default())
            .retry_writes(true),
    )
    .expect("retried");
    assert_eq!(server.requests().len(), 2);
}

fn post_429_retry_after_rules<B: Backend>() {
    let body = || agent_body("x");
    let (server, client) = setup::<B>();
    server.fault(Method::POST, AGENTS, [Fault::status(429)]);
    assert_eq!(
        B::send(client.api().agents().create(body()))
            .unwrap_err()
            .kind(),
        ErrorKind::RateLimited
    );
    assert_eq!(count(&server, "/agents"), 1);

    for garbage in ["", "soon"] {
        let (server, client) = setup::<B>();
        server.fault(
            Method::POST,
            AGENTS,
            [Fault::status(429).header("retry-after", garbage)],
        );
        assert!(B::send(client.api().agents().create(body())).is_err());
        assert_eq!(count(&server, "/agents"), 1, "{garbage:?}");
    }

    let (server, client) = setup::<B>();
    server.fault(
        Method::POST,
        AGENTS,
        [Fault::status(429).header("retry-after", "0")],
    );
    B::send(client.api().agents().create(body())).expect("retried");
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(
        reqs[0].body, reqs[1].body,
        "a retry re-sends identical bytes"
    );
}

fn transport_errors<B: Backend>() {
    let (server, client) = setup::<B>();
    server.fault(
        Method::GET,
        AGENTS,
        [Fault::reset(), Fault::reset(), Fault::reset()],
    );
    let err = B::send(client.api().agents().list()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network);
    assert!(
        err.message().starts_with("Network error: "),
        "{}",
        err.message()
    );
    assert_eq!(count(&server, "/agents"), 3);

    let (server, client) = setup::<B>();
    server.fault(Method::POST, AGENTS, [Fault::reset()]);
    let err = B::send(client.api().agents().create(agent_body("x"))).unwrap_err();
    assert!(err.is_network());
    assert_eq!(count(&server, "/agents"), 1);
}

fn attempt_timeout_retried_on_get_only<B: Backend>() {
    let slow = || Fault::pass().delay(Duration::from_millis(400));
    let (server, client) = setup::<B>();
    server.fault(Method::GET, AGENTS, [slow(), slow(), slow()]);
    let err = B::send(
        client
            .api()
            .agents()
            .list()
            .timeout(Duration::from_millis(60)),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(err.message(), "Request timed out after 60ms");
    assert_eq!(
        err.timeout_info(),
        Some((Duration::from_millis(60), TimeoutScope::Attempt))
    );
    assert_eq!(count(&server, "/agents"), 3);

    let (server, client) = setup::<B>();
    server.fault(Method::POST, AGENTS, [slow()]);
    let err = B::send(
        client
            .api()
            .agents()
            .create(agent_body("x"))
            .timeout(Duration::from_millis(60)),
    )
    .unwrap_err();
    assert!(err.is_timeout());
    assert_eq!(count(&server, "/agents"), 1);
}

fn timeout_covers_the_body<B: Backend>() {
    let (server, client) = setup::<B>();
    server.fault(
        Method::GET,
        AGENTS,
        [Fault::status(200)
            .json(json!({"items": []}))
            .stall_body(3, Duration::from_millis(500))],
    );
    let err = B::send(
        client
            .api()
            .agents()
            .list()
            .timeout(Duration::from_millis(100))
            .max_retries(0),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
}

fn per_attempt_timeout_allows_slow_total<B: Backend>() {
    let (server, client) = setup::<B>();
    server.fault(
        Method::GET,
        AGENTS,
        [
            Fault::status(503).delay(Duration::from_millis(30)),
            Fault::pass().delay(Duration::from_millis(30)),
        ],
    );
    B::send(
        client
            .api()
            .agents()
            .list()
            .timeout(Duration::from_millis(250)),
    )
    .expect("each attempt is within its own timeout");
    assert_eq!(count(&server, "/agents"), 2);
}

fn retry_after_above_cap_fails_at_once<B: Backend>() {
    let (server, client) = setup::<B>();
    server.fault(
        Method::GET,
        AGENTS,
        [Fault::status(429)
            .header("retry-after", "3600")
            .json(json!({"message": "slow down", "request_id": "req-body"}))],
    );
    let started = Instant::now();
    let err = B::send(client.api().agents().list()).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(err.message(), "slow down");
    assert_eq!(err.request_id(), Some("req-body"));
    assert_eq!(count(&server, "/agents"), 1);
}

fn deadline_stops_retries_and_attempts<B: Backend>() {
    let (server, client) = setup::<B>();
    server.fault(
        Method::GET,
        AGENTS,
        [Fault::status(503).header("retry-after", "1")],
    );
    let started = Instant::now();
    let err = B::send(
        client
            .api()
            .agents()
            .list()
            .deadline(Duration::from_millis(100)),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ServiceUnavailable);
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(count(&server, "/agents"), 1);

    let (server, client) = setup::<B>();
    server.fault(Method::GET, AGENTS, [Fault::hang()]);
    let started = Instant::now();
    let err = B::send(
        client
            .api()
            .agents()
            .list()
            .deadline(Duration::from_millis(150)),
    )
    .unwrap_err();
    assert_eq!(
        err.timeout_info(),
        Some((Duration::from_millis(150), TimeoutScope::Deadline))
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(count(&server, "/agents"), 1);
}

fn cancellation<B: Backend>() {
    // Already cancelled: nothing is sent.
    let (server, client) = setup::<B>();
    let token = CancelToken::new();
    token.cancel();
    let err = B::send(client.api().agents().list().cancel_token(token)).unwrap_err();
    assert!(err.is_cancelled() && !err.is_network());
    assert_eq!(server.requests().len(), 0);

    // During an attempt.
    let (server, client) = setup::<B>();
    server.fault(Method::GET, AGENTS, [Fault::hang()]);
    let token = CancelToken::new();
    let canceller = common::cancel_after(&token, Duration::from_millis(100));
    let started = Instant::now();
    let err = B::send(client.api().agents().list().cancel_token(token)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Cancelled);
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(count(&server, "/agents"), 1);
    canceller.join().expect("canceller");

    // During the backoff sleep, from a scope layer.
    let (server, client) = setup::<B>();
    server.fault(
        Method::GET,
        AGENTS,
        [Fault::status(503).header("retry-after", "5")],
    );
    let token = CancelToken::new();
    let scoped = client.with_options(RequestOptions::new().cancel_token(token.clone()));
    let canceller = common::cancel_after(&token, Duration::from_millis(150));
    let started = Instant::now();
    let err = B::send(scoped.api().agents().list()).unwrap_err();
    assert!(err.is_cancelled());
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(count(&server, "/agents"), 1);
    canceller.join().expect("canceller");
}

fn status_mapping<B: Backend>() {
    let (server, client) = setup::<B>();
    let table = [
        (400, ErrorKind::BadRequest),
        (401, ErrorKind::Authentication),
        (403, ErrorKind::Permission),
        (404, ErrorKind::NotFound),
        (409, ErrorKind::Conflict),
        (410, ErrorKind::Gone),
        (413, ErrorKind::PayloadTooLarge),
        (422, ErrorKind::Validation),
        (429, ErrorKind::RateLimited),
        (503, ErrorKind::ServiceUnavailable),
        (500, ErrorKind::Server),
        (502, ErrorKind::Server),
        (504, ErrorKind::Server),
        (402, ErrorKind::Api),
        (405, ErrorKind::Api),
        (418, ErrorKind::Api),
        (300, ErrorKind::Api),
    ];
    for (status, kind) in table {
        server.fault(Method::GET, AGENTS, [Fault::status(status)]);
        let err = B::send(client.api().agents().list().max_retries(0)).unwrap_err();
        assert_eq!((err.kind(), err.status()), (kind, Some(status)), "{status}");
        assert_eq!(err.is_server(), status >= 500, "{status}");
        assert!(!err.message().is_empty());
    }
}

fn error_body_shapes<B: Backend>() {
    let (server, client) = setup::<B>();
    server.fault(
        Method::GET,
        AGENTS,
        [Fault::html(502).reason("Bad Gateway")],
    );
    let err = B::send(client.api().agents().list().max_retries(0)).unwrap_err();
    assert_eq!(err.status(), Some(502));
    assert!(err.is_unparseable_body() && !err.is_http_exception_body());
    assert_eq!(
        err.body()
            .and_then(|b| b.get("detail"))
            .and_then(|d| d.as_str()),
        Some("Bad Gateway")
    );
    assert!(err.raw_body().is_some_and(|b| b.contains("<html")));

    server.fault(
        Method::GET,
        AGENTS,
        [Fault::status(404)
            .json(json!({"detail": "Agent not found", "error_code": "agent_missing"}))],
    );
    let err = B::send(client.api().agents().list()).unwrap_err();
    assert_eq!(err.error_code(), Some("agent_missing"));
    assert!(
        err.is_http_exception_body() && !err.is_unparseable_body() && !err.is_validation_body()
    );

    server.fault(Method::GET, AGENTS, [Fault::oversized(500, 100_000)]);
    let err = B::send(client.api().agents().list().max_retries(0)).unwrap_err();
    assert_eq!(err.raw_body().map(str::len), Some(8192));

    server.fault(Method::GET, AGENTS, [Fault::status(500).body("")]);
    let err = B::send(client.api().agents().list().max_retries(0)).unwrap_err();
    assert_eq!(err.raw_body(), Some(""));
    assert_eq!(err.message(), "Internal Server Error");
}

fn decode_errors_on_2xx<B: Backend>() {
    let (server, client) = setup::<B>();
    server.fault(Method::GET, AGENTS, [Fault::malformed_json(200)]);
    let err = B::send(client.api().agents().list()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_eq!(err.status(), Some(200));

    server.fault(
        Method::GET,
        "/v1/ws-001/agents/{id}",
        [Fault::status(200).body("")],
    );
    let err = B::send(client.api().agents().get("a1")).unwrap_err();
    assert_eq!(err.message(), "Unexpected empty response from API");

    server.fault(
        Method::GET,
        "/v1/ws-001/agents/{id}",
        [Fault::status(204).body("")],
    );
    assert_eq!(
        B::send(client.api().agents().get("a1")).unwrap_err().kind(),
        ErrorKind::Decode
    );

    server.fault(
        Method::DELETE,
        "/v1/ws-001/agents/{id}",
        [Fault::status(200).body("")],
    );
    B::send(client.api().agents().delete("a1"))
        .expect("an operation without a body accepts an empty 200");
}

fn redaction_in_errors<B: Backend>() {
    let (server, client) = setup::<B>();
    server.fault(Method::POST, AGENTS, [Fault::status(400).json(json!({"detail": "bad", "access_token": "tok-secret", "nested": {"api_key": "key-secret"}}))]);
    let mut secret_body = agent_body("x");
    secret_body.description = "d".to_owned().into();
    let err = B::send(client.api().agents().create(secret_body)).unwrap_err();
    let shown = format!("{err:?} {err}");
    assert!(
        !shown.contains("tok-secret")
            && !shown.contains("key-secret")
            && !shown.contains(MockServer::API_KEY),
        "{shown}"
    );
    assert_eq!(
        err.body()
            .and_then(|b| b.get("access_token"))
            .and_then(|v| v.as_str()),
        Some("tok-secret")
    );
    assert!(!format!("{:?}", client.config()).contains(MockServer::API_KEY));
}

fn metadata_and_rate_limits<B: Backend>() {
    let (server, client) = setup::<B>();
    server.fault(
        Method::GET,
        AGENTS,
        [Fault::pass()
            .header("x-request-id", "req_meta_123")
            .header("x-ratelimit-limit", "100")
            .header("x-ratelimit-remaining", "12.7")
            .header("x-ratelimit-reset", "1700000000")],
    );
    let resp = B::send_meta(client.api().agents().list()).expect("list");
    assert_eq!(resp.meta.status, 200);
    assert_eq!(resp.meta.request_id.as_deref(), Some("req_meta_123"));
    assert_eq!(resp.meta.rate_limit.limit, Some(100));
    assert_eq!(resp.meta.rate_limit.remaining, Some(12));
    assert_eq!(
        resp.meta.rate_limit.reset_epoch_seconds(),
        Some(1_700_000_000)
    );
    // The data is the body alone: metadata never leaks into it.
    let raw = B::send(client.get("/v1/{workspace_id}/agents")).expect("raw list");
    let RawData::Json(body) = raw else {
        panic!("json expected: {raw:?}")
    };
    assert!(body.get("items").is_some());
    assert!(body.get("meta").is_none() && body.get("request_id").is_none());
}

fn header_precedence<B: Backend>() {
    let server = MockServer::start();
    let client = B::client(
        config(&server)
            .header("X-Layer", "client")
            .header("X-Default", "kept")
            .header("X-Removed", "client")
            .header("Authorization", "Bearer hijack")
            .build()
            .expect("config"),
    );
    let scoped = client.with_options(
        RequestOptions::new()
            .header("X-Layer", "client-scope")
            .header("X-Scope", "a"),
    );
    let agents = scoped.api().agents().with_options(
        RequestOptions::new()
            .header("X-Scope", "resource")
            .header("authorization", "Bearer nope"),
    );
    B::send(
        agents
            .list()
            .header("X-Call", "call")
            .header_list_values("X-List", &["a", "b"])
            .remove_header("X-Removed"),
    )
    .expect("list");
    B::send(client.api().agents().list()).expect("unscoped");
    let reqs = server.requests();
    let r = &reqs[0];
    assert_eq!(r.header("x-layer"), Some("client-scope"));
    assert_eq!(r.header("x-scope"), Some("resource"));
    assert_eq!(r.header("x-call"), Some("call"));
    assert_eq!(r.header("x-default"), Some("kept"));
    assert_eq!(r.header("x-list"), Some("a, b"));
    assert_eq!(r.header("x-removed"), None);
    assert_eq!(r.header("authorization"), Some("Bearer test-api-key"));
    let plain = &reqs[1];
    assert_eq!(plain.header("x-layer"), Some("client"));
    assert_eq!(plain.header("x-scope"), None);
    assert_eq!(plain.header("x-removed"), Some("client"));
}

/// Per-call list header through options, shared by the scenarios above.
trait HeaderListExt: Sized {
    fn header_list_values(self, name: &str, values: &[&str]) -> Self;
}

impl<'c, E: amigo_platform_core::Transport, O: amigo_platform_core::Operation> HeaderListExt
    for amigo_platform_api::Call<'c, E, O>
{
    fn header_list_values(self, name: &str, values: &[&str]) -> Self {
        self.options(RequestOptions::new().header_list(name, values))
    }
}

fn pagination_loop_guards<B: Backend>() {
    let (server, client) = setup::<B>();
    let agent = json!({"id": "a", "workspace_id": "w", "name": "n", "description": "", "created_at": "t", "updated_at": "t"});
    let page = |token: i64| {
        Fault::status(200)
            .json(json!({"items": [agent.clone()], "has_more": true, "continuation_token": token}))
    };
    server.fault(Method::GET, AGENTS, [page(5), page(5)]);
    let out = B::collect(client.api().agents().list_auto_paging());
    assert_eq!(out.len(), 3, "two items then one error");
    let err = out[2].as_ref().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Pagination);
    assert_eq!(err.message(), "Pagination stopped: repeated cursor 5");

    let server = MockServer::start();
    let client = B::client(config(&server).page_limit(3).build().expect("config"));
    server.fault(Method::GET, AGENTS, (1..=10).map(page));
    let out = B::collect(client.api().agents().list_auto_paging());
    assert_eq!(server.requests().len(), 3);
    assert_eq!(
        out.last()
            .and_then(|r| r.as_ref().err())
            .map(Error::message),
        Some("Pagination stopped: page limit 3 reached")
    );
}

fn error_on_second_page_is_yielded_once<B: Backend>() {
    let (server, client) = setup::<B>();
    server.seed_agents(MockServer::WORKSPACE_ID, 15);
    server.fault(Method::GET, AGENTS, [Fault::pass(), Fault::status(404)]);
    let out = B::collect(client.api().agents().list().limit(10).auto_paging());
    assert_eq!(out.len(), 11);
    assert!(out[..10].iter().all(Result::is_ok));
    assert!(out[10].as_ref().unwrap_err().is_not_found());
}

#[derive(Default)]
struct Recorder {
    events: Mutex<Vec<String>>,
    fail_on_response: bool,
}

impl Hooks for Recorder {
    fn on_request(&self, ctx: &mut RequestHookContext<'_>) -> Result<(), HookError> {
        let auth = ctx
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        ctx.headers
            .insert("x-trace", http::HeaderValue::from_static("t-1"));
        ctx.headers.insert(
            "authorization",
            http::HeaderValue::from_static("Bearer edited"),
        );
        self.events.lock().unwrap().push(format!(
            "request {} {} {auth}",
            ctx.info.attempt, ctx.info.path_template
        ));
        Ok(())
    }
    fn on_response(&self, ctx: &ResponseHookContext<'_>) -> Result<(), HookError> {
        let d = match ctx.decision {
            Decision::Retry { .. } => "retry",
            Decision::Return => "return",
        };
        self.events
            .lock()
            .unwrap()
            .push(format!("response {} {d}", ctx.status.as_u16()));
        if self.fail_on_response {
            return Err("hook says no".into());
        }
        Ok(())
    }
    fn on_error(&self, ctx: &ErrorHookContext<'_>) -> Result<(), HookError> {
        let d = match ctx.decision {
            Decision::Retry { .. } => "retry",
            Decision::Return => "return",
        };
        self.events.lock().unwrap().push(format!("error {d}"));
        Ok(())
    }
}

fn hooks_observe_every_attempt<B: Backend>() {
    let server = MockServer::start();
    let rec = Arc::new(Recorder::default());
    let client = B::client(
        config(&server)
            .hooks(rec.clone())
            .header("X-SDK-Test", "enabled")
            .build()
            .expect("config"),
    );
    server.fault(Method::GET, AGENTS, [Fault::status(503), Fault::reset()]);
    B::send(client.api().agents().list()).expect("third attempt succeeds");
    let events = rec.events.lock().unwrap().clone();
    assert_eq!(
        events,
        vec![
            "request 1 /v1/{workspace_id}/agents [REDACTED]",
            "response 503 retry",
            "request 2 /v1/{workspace_id}/agents [REDACTED]",
            "error retry",
            "request 3 /v1/{workspace_id}/agents [REDACTED]",
            "response 200 return",
        ]
    );
    for r in server.requests() {
        assert_eq!(r.header("x-trace"), Some("t-1"));
        assert_eq!(r.header("authorization"), Some("Bearer test-api-key"));
        assert_eq!(r.header("x-sdk-test"), Some("enabled"));
    }

    let server = MockServer::start();
    let rec = Arc::new(Recorder {
        fail_on_response: true,
        ..Recorder::default()
    });
    let client = B::client(config(&server).hooks(rec).build().expect("config"));
    server.fault(Method::GET, AGENTS, [Fault::status(503)]);
    let err = B::send(client.api().agents().list()).unwrap_err();
    assert_eq!(
        (err.kind(), err.message()),
        (ErrorKind::Hook, "hook says no")
    );
    assert_eq!(server.requests().len(), 1);
}

#[derive(Debug, Default)]
struct Rotating(AtomicUsize);

impl CredentialSource for Rotating {
    fn authorization(&self, _wall: std::time::SystemTime) -> Result<Authorization, Error> {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        Authorization::bearer(&format!("token-{n}"))
    }
    fn secrets(&self) -> Vec<Secret> {
        Vec::new()
    }
}

fn credentials_asked_per_attempt<B: Backend>() {
    let server = MockServer::start();
    let client = B::client(
        config(&server)
            .credentials(Arc::new(Rotating::default()))
            .build()
            .expect("config"),
    );
    server.fault(Method::GET, AGENTS, [Fault::status(503)]);
    B::send(client.api().agents().list()).expect("list");
    let auths: Vec<String> = server
        .requests()
        .iter()
        .filter_map(|r| r.header("authorization").map(str::to_owned))
        .collect();
    assert_eq!(auths, vec!["Bearer token-1", "Bearer token-2"]);
}

fn low_level_helpers<B: Backend>() {
    let (server, client) = setup::<B>();
    server.seed_agents(MockServer::WORKSPACE_ID, 2);
    let resp = B::send_meta(
        client
            .get("/v1/{workspace_id}/agents")
            .path_param("workspace_id", "ws-other")
            .query("limit", 5)
            .header("X-Debug-Trace", "true"),
    )
    .expect("get");
    let RawData::Json(v) = &resp.data else {
        panic!("json expected: {:?}", resp.data)
    };
    assert_eq!(v["items"].as_array().map(Vec::len), Some(2));
    assert!(resp.meta.request_id.is_some());
    let r = &server.requests()[0];
    assert_eq!(r.uri(), "/v1/ws-001/agents?limit=5");
    assert_eq!(r.header("x-debug-trace"), Some("true"));

    let id = v["items"][0]["id"].as_str().expect("id").to_owned();
    let del = B::send_meta(
        client
            .delete("/v1/{workspace_id}/agents/{agent_id}")
            .path_param("agent_id", &id),
    )
    .expect("delete");
    assert_eq!((del.data, del.meta.status.as_u16()), (RawData::None, 204));

    let created = B::send(
        client
            .post("/v1/{workspace_id}/agents")
            .json(&json!({"name": "My Agent"})),
    )
    .expect("post");
    assert!(matches!(created, RawData::Json(ref v) if v["name"] == "My Agent"));

    let err = B::send(client.get("/v1/{workspace_id}/agents/{agent_id}")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    let before = server.requests().len();
    let err = B::send(client.request(Method::TRACE, "/v1/{workspace_id}/agents")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert_eq!(
        server.requests().len(),
        before,
        "config errors send nothing"
    );

    server.fault(
        Method::GET,
        "/v1/ws-001/files",
        [Fault::status(200)
            .header("content-type", "audio/ogg")
            .body(&b"OggS\x00{"[..])],
    );
    let bin = B::send(
        client
            .get("/v1/{workspace_id}/files")
            .mode(ResponseMode::Bytes),
    )
    .expect("bytes");
    let RawData::Bytes(b) = bin else {
        panic!("bytes expected")
    };
    assert_eq!(
        (&b.bytes[..], b.content_type.as_deref()),
        (&b"OggS\x00{"[..], Some("audio/ogg"))
    );
    assert_eq!(
        server
            .requests()
            .last()
            .and_then(|r| r.header("accept").map(str::to_owned))
            .as_deref(),
        Some("*/*")
    );
}

fn connection_refused_is_network<B: Backend>() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let client = B::client(
        amigo_platform_core::Config::builder()
            .api_key("k")
            .workspace_id("w")
            .base_url(format!("http://127.0.0.1:{port}"))
            .base_delay(Duration::from_millis(1))
            .build()
            .expect("config"),
    );
    let err = B::send(client.api().agents().list()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network, "{err:?}");
    // The transport's own error is kept as the typed cause.
    assert!(std::error::Error::source(&err).is_some(), "{err:?}");
}

fn redirects_followed_without_leaking_auth<B: Backend>() {
    let (server, client) = setup::<B>();
    let other = MockServer::start();
    other.seed_agents(MockServer::WORKSPACE_ID, 1);
    server.seed_agents(MockServer::WORKSPACE_ID, 2);
    server.fault(
        Method::GET,
        AGENTS,
        [Fault::status(307).header("location", "/v1/ws-001/agents?limit=1")],
    );
    let page = B::send(client.api().agents().list()).expect("same-origin redirect");
    assert_eq!(page.items.len(), 1);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[1].uri(), "/v1/ws-001/agents?limit=1");
    assert_eq!(reqs[1].header("authorization"), Some("Bearer test-api-key"));

    server.fault(
        Method::GET,
        AGENTS,
        [Fault::status(302).header(
            "location",
            &format!("{}/v1/ws-001/agents", other.base_url()),
        )],
    );
    let err = B::send(client.api().agents().list()).unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::Authentication,
        "the other origin sees no credentials"
    );
    assert_eq!(other.requests()[0].header("authorization"), None);

    server.fault(Method::GET, AGENTS, [Fault::status(300)]);
    assert_eq!(
        B::send(client.api().agents().list()).unwrap_err().status(),
        Some(300)
    );
}

/// An error body is read only up to its cap: a 500 whose body goes on past the cap and then
/// stalls still fails at once with its status, not with the attempt's timeout.
fn error_body_read_only_up_to_its_cap<B: Backend>() {
    let (server, client) = setup::<B>();
    let cap = amigo_platform_core::MAX_ERROR_BODY;
    server.fault(
        Method::GET,
        AGENTS,
        [Fault::status(500)
            .body(vec![b'x'; 2 * cap])
            .stall_body(cap + 4096, Duration::from_secs(8))],
    );
    let started = Instant::now();
    let pending = client
        .api()
        .agents()
        .list()
        .max_retries(0)
        .timeout(Duration::from_secs(6));
    let err = B::send(pending).unwrap_err();
    assert_eq!(err.status(), Some(500), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "waited {:?} for a body past the cap",
        started.elapsed()
    );
}

fn cancel_while_reading_the_body<B: Backend>() {
    for timeout in [None, Some(Duration::from_secs(5))] {
        let (server, client) = setup::<B>();
        server.fault(
            Method::GET,
            AGENTS,
            [Fault::status(200)
                .json(json!({"items": []}))
                .stall_body(2, Duration::from_secs(3))],
        );
        let token = CancelToken::new();
        let canceller = common::cancel_after(&token, Duration::from_millis(150));
        let mut pending = client.api().agents().list().cancel_token(token);
        if let Some(t) = timeout {
            pending = pending.timeout(t);
        }
        let started = Instant::now();
        let err = B::send(pending).unwrap_err();
        assert!(err.is_cancelled(), "{err:?}");
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(count(&server, "/agents"), 1);
        canceller.join().expect("canceller");
    }
}

fn bound_routes_and_bodiless_methods<B: Backend>() {
    let (server, client) = setup::<B>();
    server.seed_agents(MockServer::WORKSPACE_ID, 1);
    let route =
        amigo_platform_core::Route::new(Method::GET, "/v1/{workspace_id}/agents").expect("route");
    let moved = std::thread::spawn(move || route)
        .join()
        .expect("route travels");
    let a = B::send(client.route(&moved).query("limit", 1)).expect("route");
    let b = B::send(client.get("/v1/{workspace_id}/agents").query("limit", 1)).expect("helper");
    assert_eq!(a, b);
    let reqs = server.requests();
    assert_eq!(reqs[0].uri(), reqs[1].uri());

    server.fault(Method::HEAD, AGENTS, [Fault::status(200).body("")]);
    assert_eq!(
        B::send(client.head("/v1/{workspace_id}/agents")).expect("head"),
        RawData::None
    );
    server.fault(Method::OPTIONS, AGENTS, [Fault::status(204).body("")]);
    assert_eq!(
        B::send(client.options("/v1/{workspace_id}/agents")).expect("options"),
        RawData::None
    );
    assert!(amigo_platform_core::Route::new(Method::TRACE, "/x").is_err());
}

// ---------------------------------------------------------------------------------------------
// conversations().send_message: create + turn composite
// ---------------------------------------------------------------------------------------------

const CONVERSATIONS: &str = "/v1/ws-001/conversations";

/// The conversation id in a recorded `/conversations/{id}/turns` path.
fn turn_path_id(path: &str) -> &str {
    path.trim_start_matches(CONVERSATIONS)
        .trim_start_matches('/')
        .trim_end_matches("/turns")
}

fn send_message_creates_without_greeting_then_turns<B: Backend>() {
    let (server, client) = setup::<B>();
    let reply = B::send_message(
        client
            .api()
            .conversations()
            .send_message(SendMessageRequest::new("svc-1", "Hello")),
    )
    .expect("send_message");
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2, "create, then turn");
    assert_eq!(
        (&reqs[0].method, reqs[0].uri()),
        (&Method::POST, CONVERSATIONS.to_owned())
    );
    assert_eq!(
        reqs[0].json(),
        Some(json!({"service_id": "svc-1", "auto_greet": false}))
    );
    assert_eq!(reqs[1].method, Method::POST);
    assert!(reqs[1].path.ends_with("/turns"), "{}", reqs[1].path);
    assert_eq!(reqs[1].json(), Some(json!({"message": "Hello"})));
    assert_eq!(reply.conversation_id, turn_path_id(&reqs[1].path));
    assert_eq!(reply.conversation_id.len(), 36, "{}", reply.conversation_id);
    let said: Vec<(String, &str)> = reply
        .messages
        .iter()
        .map(|t| (t.role.to_string(), t.text.as_str()))
        .collect();
    assert_eq!(said, vec![("agent".to_owned(), "You said: Hello")]);
    // The server saw no greeting: the conversation holds exactly this turn.
    let detail = B::send(client.api().conversations().get(&reply.conversation_id)).expect("detail");
    assert_eq!(detail.turns.map(|t| t.len()), Some(2));

    // An entity id goes into the create body.
    server.clear_requests();
    B::send_message(
        client
            .api()
            .conversations()
            .send_message(SendMessageRequest::new("svc-1", "Hi").entity_id("ent-7")),
    )
    .expect("with entity");
    assert_eq!(
        server.requests()[0].json(),
        Some(json!({"service_id": "svc-1", "entity_id": "ent-7", "auto_greet": false}))
    );
}

fn send_message_with_a_conversation_id_only_turns<B: Backend>() {
    let (server, client) = setup::<B>();
    let first = B::send_message(
        client
            .api()
            .conversations()
            .send_message(SendMessageRequest::new("svc-1", "One")),
    )
    .expect("first");
    server.clear_requests();
    let pending = client.api().conversations().send_message(
        SendMessageRequest::new("ignored", "Two").conversation_id(&first.conversation_id),
    );
    assert!(!pending.creates_conversation());
    let second = B::send_message(pending).expect("second");
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1, "the turn only");
    assert_eq!(
        reqs[0].uri(),
        format!("{CONVERSATIONS}/{}/turns", first.conversation_id)
    );
    assert_eq!(reqs[0].json(), Some(json!({"message": "Two"})));
    assert_eq!(second.conversation_id, first.conversation_id);
    assert_eq!(second.messages.len(), 1);
    assert_eq!(second.messages[0].text, "You said: Two");
}

fn send_message_turn_failure_names_the_new_conversation<B: Backend>() {
    let (server, client) = setup::<B>();
    server.fault(
        Method::POST,
        "/v1/ws-001/conversations/{id}/turns",
        [Fault::status(400).json(json!({"detail": "bad turn"}))],
    );
    let err = B::send_message(
        client
            .api()
            .conversations()
            .send_message(SendMessageRequest::new("svc-1", "Hello")),
    )
    .unwrap_err();
    assert_eq!(
        (err.kind(), err.status()),
        (ErrorKind::BadRequest, Some(400))
    );
    assert_eq!(err.message(), "bad turn");
    let reqs = server.requests();
    assert_eq!(
        reqs.len(),
        2,
        "create, then one turn (a 400 is not retried)"
    );
    let created = turn_path_id(&reqs[1].path).to_owned();
    assert_eq!(created_conversation_id(&err), Some(created.as_str()));
    assert!(
        reqs.iter().all(|r| r.method != Method::DELETE),
        "the conversation is not closed"
    );
    let detail = B::send(client.api().conversations().get(&created)).expect("still there");
    assert_eq!(detail.status.to_string(), "active");

    // A failed create sends no turn and names no conversation.
    let (server, client) = setup::<B>();
    server.fault(Method::POST, CONVERSATIONS, [Fault::status(422)]);
    let err = B::send_message(
        client
            .api()
            .conversations()
            .send_message(SendMessageRequest::new("svc-1", "Hello")),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    assert_eq!(created_conversation_id(&err), None);
    assert_eq!(server.requests().len(), 1);

    // A failed turn in a conversation the caller named names none either.
    let err = B::send_message(
        client
            .api()
            .conversations()
            .send_message(SendMessageRequest::new("svc-1", "Hello").conversation_id("missing")),
    )
    .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(created_conversation_id(&err), None);
}

fn send_message_applies_scopes_and_call_options_to_both_requests<B: Backend>() {
    let (server, client) = setup::<B>();
    let scoped = client.with_options(RequestOptions::new().header("X-Client", "c"));
    let chat = scoped
        .api()
        .conversations()
        .with_options(RequestOptions::new().header("X-Scope", "s"));
    B::send_message(
        chat.send_message(SendMessageRequest::new("svc-1", "Hello"))
            .header("X-Call", "1")
            .timeout(Duration::from_secs(5)),
    )
    .expect("send_message");
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    for r in &reqs {
        assert_eq!(
            (
                r.header("x-client"),
                r.header("x-scope"),
                r.header("x-call")
            ),
            (Some("c"), Some("s"), Some("1")),
            "{}",
            r.path
        );
    }

    let token = CancelToken::new();
    token.cancel();
    let err = B::send_message(
        chat.send_message(SendMessageRequest::new("svc-1", "Hello"))
            .cancel_token(token),
    )
    .unwrap_err();
    assert!(err.is_cancelled());
    assert_eq!(server.requests().len(), 2, "a cancelled send sends nothing");
}

conformance!(
    send_message_creates_without_greeting_then_turns,
    send_message_with_a_conversation_id_only_turns,
    send_message_turn_failure_names_the_new_conversation,
    send_message_applies_scopes_and_call_options_to_both_requests,
    cancel_while_reading_the_body,
    error_body_read_only_up_to_its_cap,
    bound_routes_and_bodiless_methods,
    redirects_followed_without_leaking_auth,
    list_sends_default_headers,
    token_auto_paging_follows_all_pages,
    next_offset_auto_paging,
    repeated_query_keys_and_encoding,
    create_get_update_delete,
    versions_and_latest,
    validation_error_summary,
    retries_retryable_get_statuses,
    never_retries_non_retryable,
    retry_writes_opt_in,
    post_429_retry_after_rules,
    transport_errors,
    attempt_timeout_retried_on_get_only,
    timeout_covers_the_body,
    per_attempt_timeout_allows_slow_total,
    retry_after_above_cap_fails_at_once,
    deadline_stops_retries_and_attempts,
    cancellation,
    status_mapping,
    error_body_shapes,
    decode_errors_on_2xx,
    redaction_in_errors,
    metadata_and_rate_limits,
    header_precedence,
    pagination_loop_guards,
    error_on_second_page_is_yielded_once,
    hooks_observe_every_attempt,
    credentials_asked_per_attempt,
    low_level_helpers,
    connection_refused_is_network,
);
