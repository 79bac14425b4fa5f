//! Request options and hooks: client-wide settings in the `Config`, a scoped copy with
//! `with_options`, per-call setters (timeout, retries, an idempotency key, headers), hooks
//! that observe every attempt, and a cancel token.
//!
//! Without `AMIGO_API_KEY` it runs against the embedded mock on 127.0.0.1, which fails some
//! requests on purpose (503s, a slow answer) so the retries and the cancellation show. With
//! `AMIGO_API_KEY` and `AMIGO_WORKSPACE_ID` set it sends the same read-only calls to the API.
//!
//! Run: `cargo run --example options_and_hooks`

#[path = "guide/mod.rs"]
mod guide;

use amigo_platform::core::http::Method;
use amigo_platform::core::ResponseHookContext;
use amigo_platform::core::{Decision, ErrorHookContext, HookError, Hooks, RequestHookContext};
use amigo_platform::prelude::*;
use amigo_platform_testkit::Fault;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Prints one line per attempt and counts them. Header values print redacted in `Debug`.
#[derive(Default)]
struct AttemptLog {
    attempts: AtomicU32,
}

impl Hooks for AttemptLog {
    fn on_request(&self, ctx: &mut RequestHookContext<'_>) -> Result<(), HookError> {
        self.attempts.fetch_add(1, Ordering::Relaxed);
        // A hook may add a header to this attempt only.
        let attempt = ctx.info.attempt.to_string();
        if let Ok(value) = attempt.parse() {
            ctx.headers.insert("x-attempt", value);
        }
        Ok(())
    }

    fn on_response(&self, ctx: &ResponseHookContext<'_>) -> Result<(), HookError> {
        let next = match ctx.decision {
            Decision::Retry { .. } => "retrying",
            _ => "done",
        };
        println!(
            "  hook: attempt {}/{} {} {} -> {} in {:?} ({next})",
            ctx.info.attempt,
            ctx.info.max_attempts,
            ctx.info.method,
            ctx.info.path_template,
            ctx.status.as_u16(),
            ctx.elapsed,
        );
        Ok(())
    }

    fn on_error(&self, ctx: &ErrorHookContext<'_>) -> Result<(), HookError> {
        println!(
            "  hook: attempt {} failed: {:?}",
            ctx.info.attempt,
            ctx.error.kind()
        );
        Ok(())
    }
}

fn main() -> Result<(), Error> {
    let target = guide::Target::from_env();
    if let Some(server) = target.mock() {
        server.seed_agents(amigo_platform_testkit::MockServer::WORKSPACE_ID, 3);
    }
    let log = Arc::new(AttemptLog::default());

    // 1. Client-wide: every call gets a 10 s attempt timeout, these hooks and this header.
    let config = target
        .config_builder()
        .timeout(Duration::from_secs(10))
        .header("x-app", "options-guide")
        .hooks(log.clone())
        .build()?;
    let client = BlockingClient::new(config);
    let page = client.api().agents().list().limit(2).send()?;
    println!("1. client-wide options: listed {} agents", page.items.len());

    // 2. A scoped copy: at most 3 attempts with short backoff and one more header; the
    //    client itself keeps its settings. The mock answers 503 twice, the third try passes.
    if let Some(server) = target.mock() {
        server.fault(
            Method::GET,
            "/v1/ws-001/agents",
            [Fault::status(503), Fault::status(503)],
        );
    }
    let support = client.with_options(
        RequestOptions::new()
            .max_attempts(3)
            .base_delay(Duration::from_millis(50))
            .header("x-team", "support"),
    );
    let before = log.attempts.load(Ordering::Relaxed);
    let page = support.api().agents().list().limit(2).send()?;
    let used = log.attempts.load(Ordering::Relaxed) - before;
    println!(
        "2. with_options: {} agents after {used} attempts",
        page.items.len()
    );

    // 3. Per call: a timeout, an overall deadline, an extra header. Per-call settings win over
    //    the scoped and client-wide ones.
    let answer = client
        .api()
        .agents()
        .list()
        .limit(1)
        .timeout(Duration::from_secs(2))
        .deadline(Duration::from_secs(5))
        .header("x-request-tag", "per-call")
        .send_with_meta()?;
    println!(
        "3. per-call options: status {}, request id {}",
        answer.meta.status,
        answer.meta.request_id.as_deref().unwrap_or("-")
    );

    // 4. Retrying a write: PUT, PATCH and DELETE are retried only with `retry_writes(true)`.
    //    Send an idempotency key so the server can tell a retry from a second request (the
    //    SDK adds none itself). The mock fails the first PUT with 503.
    if let Some(server) = target.mock() {
        use amigo_platform::api::models::{CreateAgentRequest, UpdateAgentRequest};
        let agent = client
            .api()
            .agents()
            .create(CreateAgentRequest::new("Options guide agent"))
            .send()?;
        server.clear_requests();
        server.fault(
            Method::PUT,
            "/v1/ws-001/agents/{agent_id}",
            [Fault::status(503)],
        );
        let key = format!("guide-{}", std::process::id());
        let updated = client
            .api()
            .agents()
            .update(
                &agent.id,
                UpdateAgentRequest::default().description("retried"),
            )
            .retry_writes(true)
            .options(RequestOptions::new().base_delay(Duration::from_millis(50)))
            .header("idempotency-key", &key)
            .send()?;
        let keys: Vec<String> = server
            .requests()
            .iter()
            .filter(|r| r.method == Method::PUT)
            .filter_map(|r| r.header("idempotency-key").map(str::to_owned))
            .collect();
        println!(
            "4. retried write: updated {} in {} attempts, same key each time: {}",
            updated.id,
            keys.len(),
            keys.iter().all(|k| *k == key)
        );
    } else {
        println!("4. retried write: skipped against the API (it would change an agent)");
    }

    // 5. A cancel token, cancelled from another thread while the call waits (the mock answers
    //    after 5 s). `cancel()` ends the call with a Cancelled error, without more retries.
    if let Some(server) = target.mock() {
        server.fault(
            Method::GET,
            "/v1/ws-001/agents",
            [Fault::pass().delay(Duration::from_secs(5))],
        );
    }
    let cancel = CancelToken::new();
    let canceller = {
        let cancel = cancel.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            cancel.cancel();
        })
    };
    let started = std::time::Instant::now();
    match client.api().agents().list().cancel_token(cancel).send() {
        Err(e) if e.is_cancelled() => {
            println!("5. cancel token: cancelled after {:?}", started.elapsed())
        }
        Err(e) => return Err(e),
        Ok(page) => println!(
            "5. cancel token: the call finished first ({} agents)",
            page.items.len()
        ),
    }
    let _ = canceller.join();
    println!(
        "hooks saw {} attempts in all",
        log.attempts.load(Ordering::Relaxed)
    );
    Ok(())
}
