//! The fault matrix: 32 concurrent callers run a mixed workload (reads, writes, auto-paging)
//! on each native transport while the mock answers with every fault it can script: resets,
//! silent servers, stalled and truncated bodies, HTML gateways, oversized and malformed
//! bodies, 503s, slow answers; and between client and mock, a byte-level proxy breaks some
//! connections below HTTP: status lines that are not HTTP, a 1 MiB header, binary junk,
//! responses trickled a few bytes at a time. Every call must end once, with a typed outcome,
//! within its deadline; no write may be sent twice (write retries are off); nothing may panic;
//! and the process's threads, file descriptors and memory return to their baseline
//! afterwards.

use amigo_platform_api::models::CreateAgentRequest;
use amigo_platform_api::ApiExt;
use amigo_platform_core::{Client, Config, Error, ErrorKind, Transport};
use amigo_platform_testkit::{Fault, FaultProxy, MockServer, ProxyFault};
use http::Method;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

const CALLERS: usize = 32;
const OPS_PER_CALLER: usize = 9;
/// The overall deadline of every call, and the most any one may take (plus scheduling slack).
const DEADLINE: Duration = Duration::from_secs(3);
const SLACK: Duration = Duration::from_secs(2);

/// One round of every fault, queued for any route; the normal handler answers between rounds.
fn faults() -> Vec<Fault> {
    vec![
        Fault::reset(),
        Fault::hang(),
        Fault::status(200).stall_body(10, Duration::from_secs(2)),
        Fault::truncated(200, 1_000, "{\"items\":["),
        Fault::html(502).reason("Bad Gateway"),
        Fault::oversized(500, 200_000),
        Fault::malformed_json(200),
        Fault::status(503),
        Fault::pass().delay(Duration::from_millis(50)),
        Fault::pass(),
    ]
}

/// What the proxy does to each new connection, in turn.
fn proxy_faults() -> Vec<ProxyFault> {
    vec![
        ProxyFault::Pass,
        ProxyFault::GarbageStatusLine,
        ProxyFault::Pass,
        ProxyFault::OversizedHeaders(1024 * 1024),
        ProxyFault::Pass,
        ProxyFault::Junk(3000),
        ProxyFault::Trickle {
            step: 256,
            pause: Duration::from_millis(1),
        },
    ]
}

fn config(proxy: &FaultProxy) -> Config {
    Config::builder()
        .api_key(MockServer::API_KEY)
        .workspace_id(MockServer::WORKSPACE_ID)
        .base_url(proxy.base_url())
        .timeout(Duration::from_millis(300))
        .deadline(DEADLINE)
        .max_attempts(3)
        .base_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(5))
        .build()
        .expect("config")
}

/// The kinds a faulted call may end with; anything else (or a panic) fails the matrix.
fn typed(e: &Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::Network
            | ErrorKind::Timeout
            | ErrorKind::Server
            | ErrorKind::Decode
            | ErrorKind::RateLimited
            | ErrorKind::ServiceUnavailable
            | ErrorKind::Pagination
            | ErrorKind::NotFound
    )
}

/// One matrix at a time, from before its runtime exists: the resource baseline is the whole
/// process's.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// Threads and open file descriptors of this process (Linux; elsewhere zeros).
fn resources() -> (usize, usize) {
    let count = |dir| std::fs::read_dir(dir).map_or(0, |d| d.count());
    (count("/proc/self/task"), count("/proc/self/fd"))
}

/// This process's resident memory in KiB (Linux; elsewhere zero).
fn resident_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// How far resident memory may stay above its baseline once a matrix is over: the allocator
/// keeps some freed memory, but not one caller's worth of bodies per call.
const MEMORY_SLACK_KIB: u64 = 96 * 1024;

/// What one caller saw: the longest call and the number of each outcome.
#[derive(Default)]
struct Tally {
    longest: Duration,
    ok: usize,
    failed: usize,
}

impl Tally {
    fn record<T>(&mut self, started: Instant, result: &Result<T, Error>) {
        self.longest = self.longest.max(started.elapsed());
        match result {
            Ok(_) => self.ok += 1,
            Err(e) => {
                assert!(typed(e), "untyped outcome: {e:?}");
                self.failed += 1;
            }
        }
    }
}

/// The matrix on one transport: `run` runs every caller's workload and returns the tallies.
fn matrix<E: Transport>(
    make: impl Fn(Config) -> Client<E>,
    run: impl FnOnce(Arc<Client<E>>) -> Vec<Tally>,
) {
    let (baseline, memory) = (resources(), resident_kib());
    let server = MockServer::start();
    server.seed_agents(MockServer::WORKSPACE_ID, 7);
    for _ in 0..12 {
        server.fault_all(faults());
    }
    let proxy = FaultProxy::start(server.addr(), proxy_faults());
    let client = Arc::new(make(config(&proxy)));
    let started = Instant::now();
    let tallies = run(client);
    let (ok, failed) = tallies
        .iter()
        .fold((0, 0), |(o, f), t| (o + t.ok, f + t.failed));
    let longest = tallies.iter().map(|t| t.longest).max().unwrap_or_default();
    assert_eq!(
        ok + failed,
        CALLERS * OPS_PER_CALLER,
        "every call ended once"
    );
    assert!(longest <= DEADLINE + SLACK, "a call took {longest:?}");
    assert!(
        ok > 0 && failed > 0,
        "ok {ok}, failed {failed}: the faults did not apply"
    );
    // No write went out twice: each create carries a unique name.
    let mut creates: HashMap<String, usize> = HashMap::new();
    for r in server.requests() {
        if r.method == Method::POST {
            *creates
                .entry(String::from_utf8_lossy(&r.body).into_owned())
                .or_default() += 1;
        }
    }
    assert!(!creates.is_empty());
    assert!(creates.values().all(|&n| n == 1), "a write was sent twice");
    let peak = resident_kib();
    assert!(proxy.faulted() > 0, "the proxy broke no connection");
    eprintln!(
        "fault matrix: {} calls ({ok} ok, {failed} typed errors) in {:?}, longest {longest:?}, \
         {} requests served, {} connections ({} broken by the proxy)",
        ok + failed,
        started.elapsed(),
        server.requests().len(),
        proxy.connections(),
        proxy.faulted(),
    );
    drop(server);
    drop(proxy);
    // Threads and descriptors return to the baseline (hung connections close with the server).
    let settle = Instant::now();
    while resources().0 > baseline.0 + 1 || resources().1 > baseline.1 + 2 {
        assert!(
            settle.elapsed() < Duration::from_secs(15),
            "resources {:?} did not return to {baseline:?}",
            resources()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let after = resident_kib();
    eprintln!(
        "fault matrix resources: threads/fds {baseline:?} before, {:?} after; resident memory \
         {memory} KiB before, {peak} KiB at the end of the run, {after} KiB after",
        resources()
    );
    assert!(
        after <= memory + MEMORY_SLACK_KIB,
        "resident memory {after} KiB stayed above its baseline {memory} KiB"
    );
}

fn body(caller: usize, op: usize) -> CreateAgentRequest {
    CreateAgentRequest::new(format!("matrix-{caller}-{op}"))
}

#[test]
fn blocking_transport_under_every_fault() {
    let _serial = serial();
    matrix(amigo_platform_ureq::Client::new, |client| {
        std::thread::scope(|s| {
            let callers: Vec<_> = (0..CALLERS)
                .map(|caller| {
                    let client = client.clone();
                    s.spawn(move || {
                        let mut tally = Tally::default();
                        for op in 0..OPS_PER_CALLER {
                            let started = Instant::now();
                            match op % 3 {
                                0 => tally.record(started, &client.api().agents().list().send()),
                                1 => tally.record(
                                    started,
                                    &client.api().agents().create(body(caller, op)).send(),
                                ),
                                _ => {
                                    let pages = client.api().agents().list().limit(3);
                                    let items: Result<Vec<_>, _> =
                                        pages.auto_paging().send().take(50).collect();
                                    tally.record(started, &items);
                                }
                            }
                        }
                        tally
                    })
                })
                .collect();
            callers
                .into_iter()
                .map(|c| c.join().expect("no caller panicked"))
                .collect()
        })
    });
}

#[test]
fn async_transport_under_every_fault() {
    let _serial = serial();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let guard = runtime.enter();
    matrix(amigo_platform_hyper::Client::new, |client| {
        runtime.block_on(async move {
            let callers: Vec<_> = (0..CALLERS)
                .map(|caller| {
                    let client = client.clone();
                    tokio::spawn(async move {
                        let mut tally = Tally::default();
                        for op in 0..OPS_PER_CALLER {
                            let started = Instant::now();
                            match op % 3 {
                                0 => tally.record(started, &client.api().agents().list().await),
                                1 => tally.record(
                                    started,
                                    &client.api().agents().create(body(caller, op)).await,
                                ),
                                _ => {
                                    let mut pages =
                                        client.api().agents().list().limit(3).auto_paging().send();
                                    let mut items = Ok(Vec::new());
                                    for _ in 0..50 {
                                        match pages.next_item().await {
                                            Some(Ok(item)) => {
                                                if let Ok(v) = &mut items {
                                                    v.push(item)
                                                }
                                            }
                                            Some(Err(e)) => {
                                                items = Err(e);
                                                break;
                                            }
                                            None => break,
                                        }
                                    }
                                    tally.record(started, &items);
                                }
                            }
                        }
                        tally
                    })
                })
                .collect();
            let mut tallies = Vec::new();
            for c in callers {
                tallies.push(c.await.expect("no caller panicked"));
            }
            tallies
        })
    });
    drop(guard);
}
