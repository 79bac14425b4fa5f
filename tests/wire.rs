//! On the wire: compressed responses (gzip, brotli, a decompression bomb) on both native
//! transports, and HTTP/2 (h2c) on the async one. Needs the `gzip`, `brotli` and `http2`
//! features.

mod common;

use amigo_platform_api::ApiExt;
use amigo_platform_core::sse::{SseOptions, StreamItem};
use amigo_platform_core::{Client, Config, ErrorKind, TransportErrorKind};
use amigo_platform_testkit::{Compression, Fault, MockServer, RecordedRequest};
use common::{config, peak_rss, runtime, Async, Backend, Blocking};
use http::Method;
use std::time::{Duration, Instant};

const WS: &str = MockServer::WORKSPACE_ID;
const AGENTS: &str = "/v1/ws-001/agents";

/// A backend whose client can be given a smaller body limit.
trait Wire: Backend {
    fn limited(config: Config, max_body: usize) -> Client<Self::E>;
}

impl Wire for Blocking {
    fn limited(config: Config, max_body: usize) -> Client<Self::E> {
        let transport = amigo_platform_ureq::UreqTransport::new().max_body(max_body as u64);
        Client::with_transport(config, transport)
    }
}

impl Wire for Async {
    fn limited(config: Config, max_body: usize) -> Client<Self::E> {
        let _guard = runtime().enter();
        let transport = amigo_platform_hyper::HyperTransport::builder()
            .max_body(max_body)
            .build();
        Client::with_transport(config, transport)
    }
}

macro_rules! per_transport {
    ($($name:ident),* $(,)?) => {
        mod blocking {
            $( #[test] fn $name() { super::$name::<super::Blocking>() } )*
        }
        mod hyper_async {
            $( #[test] fn $name() { super::$name::<super::Async>() } )*
        }
    };
}

per_transport!(
    gzip_pages_decode,
    brotli_pages_decode,
    uncompressed_responses_still_work,
    a_gzip_bomb_fails_as_body_too_large_without_being_allocated,
    error_bodies_stay_capped_after_decoding,
    event_stream_connects_ask_for_identity,
);

fn agent_requests(server: &MockServer) -> Vec<RecordedRequest> {
    server
        .requests()
        .into_iter()
        .filter(|r| r.path == AGENTS)
        .collect()
}

/// Lists 20 agents with the mock serving `mode` (the request asking for `accept`, else the
/// transport's own offer), and returns what the mock recorded.
fn list_page<B: Backend>(mode: Compression, accept: Option<&str>) -> RecordedRequest {
    let server = MockServer::start();
    server.seed_agents(WS, 25);
    server.compression(mode);
    let client = B::client(config(&server).build().expect("config"));
    let mut call = client.api().agents().list().limit(20);
    if let Some(accept) = accept {
        call = call.header("accept-encoding", accept);
    }
    let page = B::send(call).expect("list");
    assert_eq!(page.items.len(), 20);
    assert_eq!(page.items[19].name, "agent-20");
    let mut seen = agent_requests(&server);
    assert_eq!(seen.len(), 1);
    seen.remove(0)
}

fn gzip_pages_decode<B: Backend>() {
    let seen = list_page::<B>(Compression::Gzip, None);
    let offered = seen.header("accept-encoding").unwrap_or_default();
    assert!(offered.starts_with("gzip"), "{offered}");
    assert_eq!(seen.encoding, Some("gzip"));
}

fn brotli_pages_decode<B: Backend>() {
    // Asked for explicitly: the blocking client decodes brotli but does not offer it.
    let seen = list_page::<B>(Compression::Brotli, Some("br"));
    assert_eq!(seen.encoding, Some("br"));
}

fn uncompressed_responses_still_work<B: Backend>() {
    let seen = list_page::<B>(Compression::Off, None);
    assert_eq!(seen.encoding, None);
    // A body under the mock's threshold is served as is even when compression is on.
    let server = MockServer::start();
    let client = B::client(config(&server).build().expect("config"));
    let page = B::send(client.api().agents().list()).expect("list");
    assert!(page.items.is_empty());
    assert_eq!(agent_requests(&server)[0].encoding, None);
}

fn a_gzip_bomb_fails_as_body_too_large_without_being_allocated<B: Wire>() {
    const DECODED: usize = 512 * 1024 * 1024;
    let server = MockServer::start();
    server.fault(Method::GET, AGENTS, [Fault::gzip_bomb(200, DECODED)]);
    // One attempt: a body too large is a network failure, which a GET would retry.
    let config = config(&server).max_attempts(1).build().expect("config");
    let client = B::limited(config, 1024 * 1024);
    let before = peak_rss();
    let err = B::send(client.api().agents().list()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network, "{err}");
    assert_eq!(err.transport_kind(), Some(TransportErrorKind::BodyTooLarge));
    if let (Some(before), Some(after)) = (before, peak_rss()) {
        println!(
            "bomb of {} MiB decoded against a 1 MiB limit: peak RSS grew {} KiB (floor 0)",
            DECODED >> 20,
            after.saturating_sub(before) >> 10
        );
        // The ceiling: far below the decoded size (other tests share the process).
        assert!(after.saturating_sub(before) < DECODED as u64 / 4);
    }
}

fn error_bodies_stay_capped_after_decoding<B: Backend>() {
    let server = MockServer::start();
    server.fault(
        Method::GET,
        AGENTS,
        [Fault::gzip_bomb(500, 64 * 1024 * 1024)],
    );
    let client = B::client(config(&server).max_attempts(1).build().expect("config"));
    let err = B::send(client.api().agents().list()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server, "{err}");
    assert_eq!(err.status(), Some(500));
    let kept = err.raw_body().map_or(0, str::len);
    assert!(kept > 0 && kept <= 8 * 1024, "{kept} bytes kept");
}

fn event_stream_connects_ask_for_identity<B: Backend>() {
    let server = MockServer::start();
    server.publish_event(WS, "call.ended", serde_json::json!({"call_sid": "CA1"}));
    let client = B::client(config(&server).build().expect("config"));
    // The same connect on either transport: the event-stream operation's first item.
    let got = match stream_first::<B>(&client) {
        Some(Ok(StreamItem::Event(e))) => e.event_type,
        other => panic!("unexpected {other:?}"),
    };
    assert_eq!(got, "call.ended");
    let connect = server
        .requests()
        .into_iter()
        .find(|r| r.path.ends_with("/events/stream"))
        .expect("connect");
    assert_eq!(connect.header("accept-encoding"), Some("identity"));
    assert_eq!(connect.encoding, None);
}

/// The first business event of a workspace subscription, on either transport.
fn stream_first<B: Backend>(
    client: &Client<B::E>,
) -> Option<Result<StreamItem, amigo_platform_core::Error>> {
    use std::any::Any;
    let options = SseOptions::new().max_reconnects(Some(0));
    if let Some(c) =
        (client as &dyn Any).downcast_ref::<Client<amigo_platform_ureq::UreqTransport>>()
    {
        return amigo_platform_ureq::sse::subscribe(c, options)
            .find(|i| !matches!(i, Ok(StreamItem::State(_))));
    }
    let c = (client as &dyn Any)
        .downcast_ref::<Client<amigo_platform_hyper::HyperTransport>>()
        .expect("a native client");
    let mut sub = amigo_platform_hyper::sse::subscribe(c, options);
    runtime().block_on(async {
        for _ in 0..20 {
            match sub.next_item().await {
                Some(Ok(StreamItem::State(_))) => continue,
                other => return other,
            }
        }
        None
    })
}

/// An async client that speaks HTTP/2 to the mock (h2c with prior knowledge).
fn h2_client(server: &MockServer) -> amigo_platform_hyper::Client {
    let _guard = runtime().enter();
    let transport = amigo_platform_hyper::HyperTransport::builder()
        .http2_prior_knowledge(true)
        .build();
    Client::with_transport(config(server).build().expect("config"), transport)
}

#[test]
fn the_async_client_offers_brotli_and_the_blocking_one_only_gzip() {
    let seen = list_page::<Async>(Compression::Preferred, None);
    assert_eq!(seen.header("accept-encoding"), Some("gzip, br"));
    assert_eq!(seen.encoding, Some("br"));
    let seen = list_page::<Blocking>(Compression::Preferred, None);
    assert_eq!(seen.header("accept-encoding"), Some("gzip"));
    assert_eq!(seen.encoding, Some("gzip"));
}

#[test]
fn calls_and_auto_paging_over_h2() {
    let server = MockServer::start();
    server.seed_agents(WS, 25);
    let client = h2_client(&server);
    let page = runtime()
        .block_on(client.api().agents().list().limit(5).send())
        .expect("list");
    assert_eq!(page.items.len(), 5);
    let all = Async::collect(client.api().agents().list().limit(10).auto_paging());
    let names: Vec<String> = all.into_iter().map(|a| a.expect("agent").name).collect();
    assert_eq!(names.len(), 25);
    assert_eq!(names[24], "agent-25");
    let seen = agent_requests(&server);
    assert_eq!(seen.len(), 4);
    assert!(seen.iter().all(|r| r.version == http::Version::HTTP_2));
    // Compression still applies over HTTP/2.
    assert_eq!(seen[1].encoding, Some("br"));
    // HTTP/2 multiplexes: one connection for every request.
    assert_eq!(server.connections(), 1);
}

#[test]
fn an_event_stream_streams_over_h2_and_dropping_it_closes_the_stream() {
    let server = MockServer::start();
    let client = h2_client(&server);
    let mut sub = amigo_platform_hyper::sse::subscribe(&client, SseOptions::new());
    let next_event = |sub: &mut amigo_platform_hyper::sse::Subscription| {
        runtime().block_on(async {
            for _ in 0..20 {
                match sub.next_item().await {
                    Some(Ok(StreamItem::State(_))) => continue,
                    Some(Ok(StreamItem::Event(e))) => return e.event_type,
                    other => panic!("unexpected {other:?}"),
                }
            }
            panic!("no event in 20 items")
        })
    };
    // Each event arrives while the stream stays open: the body is not buffered.
    for n in 0..3 {
        let name = format!("call.event{n}");
        server.publish_event(WS, &name, serde_json::json!({"n": n}));
        let started = Instant::now();
        assert_eq!(next_event(&mut sub), name);
        assert!(started.elapsed() < Duration::from_secs(5));
    }
    let connects: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/events/stream"))
        .collect();
    assert_eq!(connects.len(), 1);
    assert_eq!(connects[0].version, http::Version::HTTP_2);
    assert_eq!(server.sse_open_streams(), 1);
    drop(sub);
    let until = Instant::now() + Duration::from_secs(2);
    while server.sse_open_streams() > 0 {
        assert!(Instant::now() < until, "stream still served after the drop");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn h2_is_negotiated_by_alpn_over_tls_and_can_be_turned_off() {
    use amigo_platform_core::transport::tls::TlsRoots;
    use amigo_platform_testkit::tls::CERT_PEM;
    let server = MockServer::start_tls();
    server.seed_agents(WS, 3);
    let tls = TlsRoots::bundled()
        .with_pem(CERT_PEM)
        .and_then(|roots| roots.client_config())
        .expect("tls config");
    let version_with = |offer_h2: bool| {
        let _guard = runtime().enter();
        let transport = amigo_platform_hyper::HyperTransport::builder()
            .tls_config(tls.clone())
            .http2(offer_h2)
            .build();
        let client = Client::with_transport(config(&server).build().expect("config"), transport);
        let page = runtime()
            .block_on(client.api().agents().list().send())
            .expect("list over TLS");
        assert_eq!(page.items.len(), 3);
        agent_requests(&server).last().expect("recorded").version
    };
    assert!(server.base_url().starts_with("https://"));
    assert_eq!(version_with(true), http::Version::HTTP_2);
    assert_eq!(version_with(false), http::Version::HTTP_11);
}
