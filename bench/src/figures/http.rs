//! Figure 1: `list-agents` over HTTP against the bench server, the SDK's clients versus raw
//! ureq (blocking) and a raw hyper-util legacy client (async), both decoding the same page
//! into the generated `Page<AgentResponse>`.
//!
//! Every client runs with its defaults, as most users run it: the SDK's `Config` has no
//! request timeout, the raw `ureq::Agent` is `new_with_defaults()` and the raw hyper request
//! is not wrapped in a timeout. (ureq runs name resolution on a new thread per request when a
//! timeout is set, which would cost both sides a thread spawn.) The run stays bounded by the
//! [`Watchdog`](crate::watchdog::Watchdog).

use super::Context;
use crate::fixtures::{check_page, API_KEY, FIXED_WORKSPACE, PAGE_SIZE};
use crate::harness::{interleave, timed, Sample};
use crate::report::Line;
use crate::server::Server;
use amigo_platform::api::models::{AgentResponse, Page};
use amigo_platform::core::USER_AGENT;
use amigo_platform::{ApiExt, Config};
use bytes::Bytes;
use http::header::{HeaderValue, ACCEPT, AUTHORIZATION};
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client as LegacyClient;
use hyper_util::rt::TokioExecutor;
use std::cell::Cell;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

/// The agents page type both sides decode into.
pub type AgentsPage = Page<AgentResponse>;

/// The SDK configuration for a workspace on the bench server (otherwise the defaults).
pub fn sdk_config(base_url: &str, workspace: &str) -> Result<Config, String> {
    Config::builder()
        .api_key(API_KEY)
        .workspace_id(workspace)
        .base_url(base_url)
        .build()
        .map_err(|e| format!("SDK config: {e}"))
}

/// The URL the SDK requests, written out for the raw clients.
fn fixed_url(base_url: &str) -> String {
    format!("{base_url}/v1/{FIXED_WORKSPACE}/agents?limit={PAGE_SIZE}")
}

/// 1a: the blocking client versus a raw `ureq::Agent`, in req/s.
pub fn blocking(ctx: &Context<'_>) -> Result<Line, String> {
    let server = ctx.server()?;
    let base = server.base_url();
    let client = amigo_platform::blocking::Client::new(sdk_config(&base, FIXED_WORKSPACE)?);
    let agent = ureq::Agent::new_with_defaults();
    let url = fixed_url(&base);
    let bearer = format!("Bearer {API_KEY}");
    let sdk = || -> Result<AgentsPage, String> {
        client
            .api()
            .agents()
            .list()
            .limit(PAGE_SIZE as i64)
            .send()
            .map_err(|e| e.to_string())
    };
    let raw = || raw_ureq(&agent, &url, &bearer);
    check_page(&sdk()?).map_err(|e| format!("SDK side: {e}"))?;
    check_page(&raw()?).map_err(|e| format!("floor side: {e}"))?;
    let (sdk_conns, raw_conns) = (Tally::default(), Tally::default());
    let pair = interleave(
        ctx.settings,
        |n| sdk_conns.count(server, || timed(n, &sdk)),
        |n| raw_conns.count(server, || timed(n, &raw)),
    )?;
    let mut line = Line::throughput("http.blocking", pair, 1.0, "req/s");
    line.note = connections_note(&sdk_conns, &raw_conns);
    Ok(line)
}

/// One raw ureq request: the same GET and headers, the body read and decoded.
fn raw_ureq(agent: &ureq::Agent, url: &str, bearer: &str) -> Result<AgentsPage, String> {
    let mut response = agent
        .get(url)
        .header("authorization", bearer)
        .header("accept", "application/json")
        .header("user-agent", USER_AGENT)
        .call()
        .map_err(|e| format!("ureq: {e}"))?;
    let body = response
        .body_mut()
        .read_to_vec()
        .map_err(|e| format!("ureq body: {e}"))?;
    serde_json::from_slice(&body).map_err(|e| format!("decode: {e}"))
}

/// 1b: the async client versus a raw hyper-util legacy client, one request in flight.
pub fn async_c1(ctx: &Context<'_>) -> Result<Line, String> {
    async_figure(ctx, "http.async.c1", 1)
}

/// 1b: the async client versus a raw hyper-util legacy client, 32 requests in flight.
pub fn async_c32(ctx: &Context<'_>) -> Result<Line, String> {
    async_figure(ctx, "http.async.c32", 32)
}

/// The SDK side of an async figure.
struct SdkSide {
    client: amigo_platform::asynchronous::Client,
}

/// The floor side: a legacy client built like the transport's default one (hyper-rustls's
/// connector over an `HttpConnector`, plain HTTP here), so only the SDK's own work differs.
struct RawSide {
    client: LegacyClient<HttpsConnector<HttpConnector>, Full<Bytes>>,
    uri: http::Uri,
    bearer: HeaderValue,
}

fn async_figure(ctx: &Context<'_>, name: &'static str, concurrency: u64) -> Result<Line, String> {
    let server = ctx.server()?;
    let base = server.base_url();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))?;
    let _entered = runtime.enter();
    let sdk = Arc::new(SdkSide {
        client: amigo_platform::asynchronous::Client::new(sdk_config(&base, FIXED_WORKSPACE)?),
    });
    let raw = Arc::new(RawSide {
        client: LegacyClient::builder(TokioExecutor::new()).build(
            hyper_rustls::HttpsConnectorBuilder::new()
                .with_webpki_roots()
                .https_or_http()
                .enable_http1()
                .build(),
        ),
        uri: fixed_url(&base)
            .parse()
            .map_err(|e| format!("bench URL: {e}"))?,
        bearer: HeaderValue::from_str(&format!("Bearer {API_KEY}"))
            .map_err(|e| format!("bearer header: {e}"))?,
    });
    let first = runtime.block_on(sdk_request(sdk.clone()))?;
    check_page(&first).map_err(|e| format!("SDK side: {e}"))?;
    let first = runtime.block_on(raw_hyper(raw.clone()))?;
    check_page(&first).map_err(|e| format!("floor side: {e}"))?;
    let (sdk_conns, raw_conns) = (Tally::default(), Tally::default());
    let pair = interleave(
        ctx.settings,
        |n| {
            sdk_conns.count(server, || {
                concurrent(&runtime, n, concurrency, &sdk, sdk_request)
            })
        },
        |n| {
            raw_conns.count(server, || {
                concurrent(&runtime, n, concurrency, &raw, raw_hyper)
            })
        },
    )?;
    let mut line = Line::throughput(name, pair, 1.0, "req/s");
    line.note = connections_note(&sdk_conns, &raw_conns);
    Ok(line)
}

async fn sdk_request(side: Arc<SdkSide>) -> Result<AgentsPage, String> {
    side.client
        .api()
        .agents()
        .list()
        .limit(PAGE_SIZE as i64)
        .await
        .map_err(|e| e.to_string())
}

/// One raw hyper request: the same GET and headers, the body collected and decoded.
async fn raw_hyper(side: Arc<RawSide>) -> Result<AgentsPage, String> {
    let request = http::Request::builder()
        .method(http::Method::GET)
        .uri(side.uri.clone())
        .header(AUTHORIZATION, side.bearer.clone())
        .header(ACCEPT, HeaderValue::from_static("application/json"))
        .header(
            http::header::USER_AGENT,
            HeaderValue::from_static(USER_AGENT),
        )
        .body(Full::new(Bytes::new()))
        .map_err(|e| format!("request: {e}"))?;
    let response = side
        .client
        .request(request)
        .await
        .map_err(|e| format!("hyper: {e}"))?;
    if !response.status().is_success() {
        return Err(format!("status {}", response.status()));
    }
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("hyper body: {e}"))?
        .to_bytes();
    serde_json::from_slice(&body).map_err(|e| format!("decode: {e}"))
}

/// Runs at least `n` requests as `concurrency` tasks on the runtime, each doing its share in
/// a loop; times the whole batch.
fn concurrent<S, F, Fut>(
    runtime: &tokio::runtime::Runtime,
    n: u64,
    concurrency: u64,
    side: &Arc<S>,
    request: F,
) -> Result<Sample, String>
where
    S: Send + Sync + 'static,
    F: Fn(Arc<S>) -> Fut + Copy + Send + 'static,
    Fut: Future<Output = Result<AgentsPage, String>> + Send + 'static,
{
    let per_task = n.div_ceil(concurrency).max(1);
    runtime.block_on(async {
        let start = Instant::now();
        let tasks: Vec<_> = (0..concurrency)
            .map(|_| {
                let side = side.clone();
                tokio::spawn(async move {
                    for _ in 0..per_task {
                        std::hint::black_box(request(side.clone()).await?);
                    }
                    Ok::<(), String>(())
                })
            })
            .collect();
        for task in tasks {
            task.await.map_err(|e| format!("task: {e}"))??;
        }
        Ok(Sample {
            elapsed: start.elapsed(),
            ops: per_task * concurrency,
        })
    })
}

/// Connections the server accepted during one side's batches, and the requests they carried.
#[derive(Debug, Default)]
struct Tally {
    connections: Cell<u64>,
    requests: Cell<u64>,
}

impl Tally {
    /// Runs a batch, adding the connections it opened and the requests it made.
    fn count<F>(&self, server: &Server, batch: F) -> Result<Sample, String>
    where
        F: FnOnce() -> Result<Sample, String>,
    {
        let before = server.connections();
        let sample = batch()?;
        let opened = server.connections().saturating_sub(before);
        self.connections.set(self.connections.get() + opened);
        self.requests.set(self.requests.get() + sample.ops);
        Ok(sample)
    }

    fn per_request(&self) -> f64 {
        self.connections.get() as f64 / self.requests.get().max(1) as f64
    }
}

/// `[new connections per request: SDK x, floor y]` (0 means kept alive, 1 means one each).
fn connections_note(sdk: &Tally, floor: &Tally) -> String {
    format!(
        "[conns/req SDK {:.3}, floor {:.3}]",
        sdk.per_request(),
        floor.per_request()
    )
}
