//! Soak: 10,000 numbered events while the mock drops the connection at 500 seeded random points
//! (half of them mid-event); every event must arrive exactly once, in order, on both transports.

use std::time::{Duration, Instant};

use amigo_platform_core::sse::{SseOptions, StreamState};
use amigo_platform_core::Config;
use amigo_platform_testkit::sse::StreamFault;
use amigo_platform_testkit::MockServer;
use serde_json::json;

const WS: &str = MockServer::WORKSPACE_ID;
const EVENTS: u64 = 10_000;
const DROPS: usize = 500;
const LIMIT: Duration = Duration::from_secs(60);

fn config(server: &MockServer) -> Config {
    Config::builder()
        .api_key(MockServer::API_KEY)
        .workspace_id(WS)
        .base_url(server.base_url())
        .build()
        .expect("config")
}

fn options() -> SseOptions {
    SseOptions::new()
        .delays(Duration::from_millis(1), Duration::from_millis(2))
        .idle_timeout(Some(Duration::from_secs(5)))
}

/// Queues 500 faults at seeded random, distinct positions in 1..10000.
fn faults(server: &MockServer, seed: u64) {
    let mut x = seed;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut points = std::collections::BTreeSet::new();
    while points.len() < DROPS {
        points.insert(1 + next() % (EVENTS - 1));
    }
    let mut prev = 0;
    let mut faults = Vec::new();
    for p in points {
        let gap = usize::try_from(p - prev).expect("gap");
        prev = p;
        faults.push(if next() % 2 == 0 {
            StreamFault::DropMidEvent(gap)
        } else {
            StreamFault::DropAfter(gap)
        });
    }
    server.sse_fault(faults);
}

/// Publishes the numbered events in batches while the client consumes.
fn publisher(server: &MockServer) -> impl FnOnce() + '_ {
    move || {
        for batch in 0..(EVENTS / 100) {
            for i in 0..100 {
                let n = batch * 100 + i;
                server.publish_event(
                    WS,
                    "trigger.fired",
                    json!({"n": n, "trigger_id": "t", "trigger_name": "soak"}),
                );
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

struct Tally {
    next: u64,
    reconnects: u64,
    started: Instant,
}

impl Tally {
    fn new() -> Tally {
        Tally {
            next: 0,
            reconnects: 0,
            started: Instant::now(),
        }
    }
    fn event(&mut self, data: &serde_json::Map<String, serde_json::Value>) -> bool {
        let n = data
            .get("n")
            .and_then(serde_json::Value::as_u64)
            .expect("numbered event");
        assert_eq!(n, self.next, "events must arrive exactly once, in order");
        self.next += 1;
        assert!(self.started.elapsed() < LIMIT, "soak exceeded {LIMIT:?}");
        self.next == EVENTS
    }
    fn state(&mut self, s: &StreamState) {
        if let StreamState::Reconnecting { .. } = s {
            self.reconnects += 1;
        }
        assert!(self.started.elapsed() < LIMIT, "soak exceeded {LIMIT:?}");
    }
    fn report(&self, name: &str) {
        let secs = self.started.elapsed().as_secs_f64();
        println!(
            "soak[{name}]: {} events, {} reconnects in {:.2}s = {:.0} events/s",
            self.next,
            self.reconnects,
            secs,
            self.next as f64 / secs
        );
        assert_eq!(self.next, EVENTS);
        assert!(self.reconnects >= DROPS as u64);
    }
}

#[test]
fn soak_blocking() {
    use amigo_platform_ureq::sse::{self, StreamItem};
    let server = MockServer::start();
    faults(&server, 0x5eed_0001);
    let client = amigo_platform_ureq::Client::new(config(&server));
    let mut tally = Tally::new();
    std::thread::scope(|s| {
        s.spawn(publisher(&server));
        for item in sse::subscribe(&client, options()) {
            match item.expect("no terminal error") {
                StreamItem::Event(e) => {
                    if tally.event(&e.data) {
                        break;
                    }
                }
                StreamItem::State(st) => tally.state(&st),
            }
        }
    });
    tally.report("ureq");
}

#[test]
fn soak_async() {
    use amigo_platform_hyper::sse::{self, StreamItem};
    let server = MockServer::start();
    faults(&server, 0x5eed_0002);
    let client = amigo_platform_hyper::Client::new(config(&server));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut tally = Tally::new();
    std::thread::scope(|s| {
        s.spawn(publisher(&server));
        rt.block_on(async {
            let mut sub = sse::subscribe(&client, options());
            while let Some(item) = sub.next_item().await {
                match item.expect("no terminal error") {
                    StreamItem::Event(e) => {
                        if tally.event(&e.data) {
                            break;
                        }
                    }
                    StreamItem::State(st) => tally.state(&st),
                }
            }
        });
    });
    tally.report("hyper");
}
