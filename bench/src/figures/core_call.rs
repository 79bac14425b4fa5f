//! Figures 2 and 3, without I/O: the sans-IO core driving `list-agents` against a canned
//! response, and the core's JSON entry point alone, each versus `http` + `serde_json`.

use super::http::AgentsPage;
use super::Context;
use crate::fixtures::{check_page, fixed_page, API_KEY, FIXED_WORKSPACE, PAGE_SIZE};
use crate::harness::{interleave, timed};
use crate::report::{Line, TimeUnit};
use amigo_platform_api::ops::agents::ListAgents;
use amigo_platform_core::transport::AttemptOutcome;
use amigo_platform_core::web_time::{Instant, SystemTime};
use amigo_platform_core::USER_AGENT;
use amigo_platform_core::{Config, OperationCall, RequestOptions, Step, Time};
use bytes::Bytes;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use std::hint::black_box;

/// The base URL of the offline figures (nothing is sent).
const BASE_URL: &str = "https://api.platform.amigo.ai";

/// The canned 200 both sides start from, built afresh per round trip on both sides.
fn canned(body: &Bytes) -> Result<http::Response<Bytes>, String> {
    http::Response::builder()
        .status(200)
        .header(CONTENT_TYPE, "application/json")
        .body(body.clone())
        .map_err(|e| format!("canned response: {e}"))
}

/// The clocks, read at every step as the transports' driver loops do.
fn now() -> Time {
    Time {
        now: Instant::now(),
        wall: SystemTime::now(),
    }
}

/// One core round trip: `OperationCall::new`, `poll` to `Step::Send`, `handle` the canned
/// response, `poll` to `Step::Done` with the decoded page.
fn core_round_trip(
    config: &Config,
    options: &RequestOptions,
    body: &Bytes,
) -> Result<AgentsPage, String> {
    let mut op = ListAgents::new();
    op.limit = Some(PAGE_SIZE as i64);
    let mut call = OperationCall::new(op, config, options, None, 7, now());
    // Bounded: one attempt answered 200 ends the call at the next poll.
    for _ in 0..4 {
        match call.poll(now()) {
            Step::Send(attempt) => {
                black_box(&attempt.request);
                call.handle_outcome(AttemptOutcome::Response(canned(body)?), now());
            }
            Step::Wait(_) => return Err("the core asked to wait after a 200".into()),
            Step::Refresh(_) | Step::Read(_) => return Err("an API key call asked for I/O".into()),
            Step::Done(result) => return result.map(|r| r.data).map_err(|e| e.to_string()),
        }
    }
    Err("the core did not finish within 4 steps".into())
}

/// The floor of a round trip: `http::Request::builder()` with the same URL and headers, then
/// `serde_json::from_slice` of the canned response's body.
fn floor_round_trip(url: &str, bearer: &str, body: &Bytes) -> Result<AgentsPage, String> {
    let request = http::Request::builder()
        .method(http::Method::GET)
        .uri(url)
        .header(http::header::USER_AGENT, USER_AGENT)
        .header(ACCEPT, "application/json")
        .header(AUTHORIZATION, bearer)
        .body(Bytes::new())
        .map_err(|e| format!("request: {e}"))?;
    black_box(&request);
    let response = canned(body)?;
    serde_json::from_slice(response.body()).map_err(|e| format!("decode: {e}"))
}

/// 2: the core round trip versus the floor, in µs.
pub fn round_trip(ctx: &Context<'_>) -> Result<Line, String> {
    let config = Config::builder()
        .api_key(API_KEY)
        .workspace_id(FIXED_WORKSPACE)
        .base_url(BASE_URL)
        .build()
        .map_err(|e| format!("SDK config: {e}"))?;
    let options = RequestOptions::new();
    let body = fixed_page();
    let url = format!("{BASE_URL}/v1/{FIXED_WORKSPACE}/agents?limit={PAGE_SIZE}");
    let bearer = format!("Bearer {API_KEY}");
    let sdk = || core_round_trip(&config, &options, &body);
    let floor = || floor_round_trip(&url, &bearer, &body);
    check_page(&sdk()?).map_err(|e| format!("SDK side: {e}"))?;
    check_page(&floor()?).map_err(|e| format!("floor side: {e}"))?;
    let pair = interleave(ctx.settings, |n| timed(n, &sdk), |n| timed(n, &floor))?;
    Ok(Line::time("core.round_trip", pair, TimeUnit::Micros))
}

/// 3: `amigo_platform_core::parse::json` versus `serde_json::from_slice`, in µs.
pub fn parse_json(ctx: &Context<'_>) -> Result<Line, String> {
    let body = fixed_page();
    let sdk = || -> Result<AgentsPage, String> {
        amigo_platform_core::parse::json(canned(&body)?).map_err(|e| e.to_string())
    };
    let floor = || -> Result<AgentsPage, String> {
        let response = canned(&body)?;
        serde_json::from_slice(response.body()).map_err(|e| format!("decode: {e}"))
    };
    check_page(&sdk()?).map_err(|e| format!("SDK side: {e}"))?;
    check_page(&floor()?).map_err(|e| format!("floor side: {e}"))?;
    let pair = interleave(ctx.settings, |n| timed(n, &sdk), |n| timed(n, &floor))?;
    Ok(Line::time("core.parse_json", pair, TimeUnit::Micros))
}
