//! Proxies and TLS roots on every connection path of both native transports: calls, the
//! workspace event stream and WebSockets go through the testkit's `CONNECT` proxy (or bypass
//! it under `NO_PROXY`), proxy credentials are sent and never shown, and the TLS mock is
//! refused under the bundled roots and reached with its certificate as a custom root. Every
//! scenario is one generic function, run once per transport by `network_scenarios!`.

mod common;

use std::sync::Arc;
use std::time::Duration;

use amigo_platform_api::ApiExt;
use amigo_platform_core::sse::{SseOptions, StreamItem};
use amigo_platform_core::transport::proxy::{NoProxy, Proxy, ProxySettings};
use amigo_platform_core::transport::tls::TlsRoots;
use amigo_platform_core::ws::{WsConnect, WsEvent, WsOptions};
use amigo_platform_core::{Client, Config, Error, ErrorKind, Transport, TransportErrorKind};
use amigo_platform_testkit::connect_proxy::ConnectProxy;
use amigo_platform_testkit::tls::{TlsFront, CERT_PEM};
use amigo_platform_testkit::ws::{MockWs, WsScript, WsStep};
use amigo_platform_testkit::MockServer;
use common::{runtime, Async, Blocking};
use serde_json::json;

const WS: &str = MockServer::WORKSPACE_ID;
const WAIT: Duration = Duration::from_secs(10);

/// A transport under test, seen synchronously.
trait NetBackend {
    type E: Transport + Clone + std::fmt::Debug;
    /// A transport with these proxies and, when given, this TLS configuration.
    fn transport(proxy: ProxySettings, tls: Option<Arc<rustls::ClientConfig>>) -> Self::E;
    /// Lists agents: the number received.
    fn call(client: &Client<Self::E>) -> Result<usize, Error>;
    /// Subscribes to the workspace's events: the first business event's type.
    fn first_event(client: &Client<Self::E>) -> Result<String, Error>;
    /// Opens a WebSocket through the transport (no reconnects): its first text message, or
    /// its terminal error.
    fn first_text(transport: &Self::E, url: &str) -> Result<String, Error>;
}

fn first_text_of(
    mut next: impl FnMut() -> Option<Result<WsEvent, Error>>,
) -> Result<String, Error> {
    // Bounded: every wait is bounded by WAIT and the socket has no reconnect budget.
    loop {
        match next() {
            Some(Ok(WsEvent::Message(m))) => return Ok(m.to_text().to_string()),
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(e),
            None => panic!("the socket ended or went quiet without a message or an error"),
        }
    }
}

fn no_reconnects() -> WsOptions {
    WsOptions::default().max_reconnects(Some(0))
}

impl NetBackend for Blocking {
    type E = amigo_platform_ureq::UreqTransport;
    fn transport(proxy: ProxySettings, tls: Option<Arc<rustls::ClientConfig>>) -> Self::E {
        let builder = amigo_platform_ureq::UreqTransport::builder().proxy(proxy);
        match tls {
            Some(tls) => builder.tls_config(tls).build(),
            None => builder.build(),
        }
    }
    fn call(client: &Client<Self::E>) -> Result<usize, Error> {
        Ok(client.api().agents().list().limit(5).send()?.items.len())
    }
    fn first_event(client: &Client<Self::E>) -> Result<String, Error> {
        let sub = amigo_platform_ureq::sse::subscribe(client, SseOptions::new());
        let handle = sub.handle();
        let first = sub.filter_map(StreamItem::business).next();
        handle.close();
        first.expect("an event").map(|e| e.event_type)
    }
    fn first_text(transport: &Self::E, url: &str) -> Result<String, Error> {
        let target = WsConnect::new(url, vec!["auth".into(), MockWs::TOKEN.into()]);
        let mut s = amigo_platform_ureq::ws::connect_via(transport, target, no_reconnects());
        first_text_of(|| s.next_timeout(WAIT))
    }
}

impl NetBackend for Async {
    type E = amigo_platform_hyper::HyperTransport;
    fn transport(proxy: ProxySettings, tls: Option<Arc<rustls::ClientConfig>>) -> Self::E {
        let _guard = runtime().enter();
        let builder = amigo_platform_hyper::HyperTransport::builder().proxy(proxy);
        match tls {
            Some(tls) => builder.tls_config(tls).build(),
            None => builder.build(),
        }
    }
    fn call(client: &Client<Self::E>) -> Result<usize, Error> {
        runtime().block_on(async {
            Ok(client
                .api()
                .agents()
                .list()
                .limit(5)
                .send()
                .await?
                .items
                .len())
        })
    }
    fn first_event(client: &Client<Self::E>) -> Result<String, Error> {
        runtime().block_on(async {
            let mut sub = amigo_platform_hyper::sse::subscribe(client, SseOptions::new());
            // Bounded by WAIT per item and the mock's published event.
            loop {
                let item = tokio::time::timeout(WAIT, sub.next_item())
                    .await
                    .expect("an event within the wait")
                    .expect("an event");
                if let Some(event) = StreamItem::business(item) {
                    sub.handle().close();
                    return event.map(|e| e.event_type);
                }
            }
        })
    }
    fn first_text(transport: &Self::E, url: &str) -> Result<String, Error> {
        let _guard = runtime().enter();
        let target = WsConnect::new(url, vec!["auth".into(), MockWs::TOKEN.into()]);
        let mut s = amigo_platform_hyper::ws::connect_via(transport, target, no_reconnects());
        first_text_of(|| {
            runtime()
                .block_on(tokio::time::timeout(WAIT, s.next_event()))
                .ok()
                .flatten()
        })
    }
}

/// A client of `server` over `transport`, one attempt per call.
fn client<B: NetBackend>(server: &MockServer, transport: B::E) -> Client<B::E> {
    let config = Config::builder()
        .api_key(MockServer::API_KEY)
        .workspace_id(WS)
        .base_url(server.base_url())
        .max_attempts(1)
        .build()
        .expect("config");
    let _guard = runtime().enter();
    Client::with_transport(config, transport)
}

/// A mock with agents and one published event, and a WebSocket mock that says `hello`.
fn mocks() -> (MockServer, MockWs) {
    let server = MockServer::start();
    server.seed_agents(WS, 3);
    server.publish_event(WS, "call.started", json!({"call_sid": "CA1"}));
    let ws = MockWs::start();
    ws.script(WsScript::new([WsStep::text("hello"), WsStep::Hang]));
    (server, ws)
}

fn proxy_at(url: &str) -> Proxy {
    Proxy::parse(url).expect("proxy url")
}

/// Calls, an event stream and a WebSocket, all through the transport; asserts they worked.
fn every_path<B: NetBackend>(transport: B::E, server: &MockServer, ws: &MockWs) {
    let client = client::<B>(server, transport.clone());
    assert_eq!(B::call(&client).expect("call"), 3);
    assert_eq!(B::first_event(&client).expect("event"), "call.started");
    assert_eq!(
        B::first_text(&transport, &ws.observer_url()).expect("websocket"),
        "hello"
    );
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert!(paths.contains(&format!("/v1/{WS}/agents")), "{paths:?}");
    assert!(
        paths.contains(&format!("/v1/{WS}/events/stream")),
        "{paths:?}"
    );
    assert_eq!(ws.connection_count(), 1);
}

// ---- scenarios -------------------------------------------------------------------------------

fn every_path_goes_through_the_proxy<B: NetBackend>() {
    let (server, ws) = mocks();
    let proxy = ConnectProxy::start();
    every_path::<B>(
        B::transport(ProxySettings::to(proxy_at(&proxy.url())), None),
        &server,
        &ws,
    );
    let targets = proxy.targets();
    // The mock's address (calls and the stream, pooled or not) and the WebSocket's.
    assert!(targets.contains(&server.addr().to_string()), "{targets:?}");
    assert!(targets.contains(&ws.addr().to_string()), "{targets:?}");
    assert_eq!(proxy.refused(), 0);
}

fn no_proxy_matching_the_host_bypasses_the_proxy<B: NetBackend>() {
    let (server, ws) = mocks();
    let proxy = ConnectProxy::start();
    let settings = ProxySettings::to(proxy_at(&proxy.url()))
        .no_proxy(NoProxy::parse("example.com, 127.0.0.1"));
    every_path::<B>(B::transport(settings, None), &server, &ws);
    assert_eq!(proxy.targets(), Vec::<String>::new());
}

fn the_environment_proxy_is_used_through_a_lookup<B: NetBackend>() {
    let (server, ws) = mocks();
    let proxy = ConnectProxy::start();
    let url = proxy.url();
    // ws:// and http:// destinations use HTTP_PROXY; nothing touches the process environment.
    let settings = ProxySettings::from_lookup(|name| (name == "HTTP_PROXY").then(|| url.clone()));
    every_path::<B>(B::transport(settings, None), &server, &ws);
    assert!(proxy.targets().contains(&server.addr().to_string()));
    let bypass = ProxySettings::from_lookup(|name| match name {
        "HTTP_PROXY" => Some(url.clone()),
        "NO_PROXY" => Some("127.0.0.1".into()),
        _ => None,
    });
    let before = proxy.targets().len();
    let client = client::<B>(&server, B::transport(bypass, None));
    assert_eq!(B::call(&client).expect("call"), 3);
    assert_eq!(proxy.targets().len(), before);
}

fn proxy_credentials_are_sent_and_never_shown<B: NetBackend>() {
    let (server, ws) = mocks();
    let proxy = ConnectProxy::start_with_credentials("alice", "hunter2");
    let port = proxy.addr().port();
    let good = B::transport(
        ProxySettings::to(proxy_at(&format!("http://alice:hunter2@127.0.0.1:{port}"))),
        None,
    );
    let shown = format!("{good:?}");
    assert!(
        !shown.contains("hunter2") && !shown.contains("alice"),
        "{shown}"
    );
    every_path::<B>(good, &server, &ws);
    assert_eq!(proxy.refused(), 0);

    let bad = B::transport(
        ProxySettings::to(proxy_at(&format!(
            "http://alice:wrong-secret@127.0.0.1:{port}"
        ))),
        None,
    );
    let shown = format!("{bad:?}");
    assert!(!shown.contains("wrong-secret"), "{shown}");
    let err = B::call(&client::<B>(&server, bad.clone())).expect_err("407");
    assert_eq!(err.kind(), ErrorKind::Network, "{err:?}");
    let err_ws = B::first_text(&bad, &ws.observer_url()).expect_err("407");
    for e in [&err, &err_ws] {
        let text = format!("{e} {e:?} {:?}", std::error::Error::source(e));
        assert!(!text.contains("wrong-secret"), "{text}");
        // base64("alice:wrong-secret")
        assert!(!text.contains("YWxpY2U6d3Jvbmctc2VjcmV0"), "{text}");
    }
    assert!(proxy.refused() >= 2);
}

fn the_tls_mock_needs_its_certificate_as_a_root<B: NetBackend>() {
    let server = MockServer::start_tls();
    server.seed_agents(WS, 3);
    let ws = MockWs::start();
    ws.script(WsScript::new([WsStep::text("hello"), WsStep::Hang]));
    let front = TlsFront::start(ws.addr());
    let observer_path = ws.observer_url().replace(&ws.url(""), "");

    let bundled = B::transport(ProxySettings::none(), None);
    let err = B::call(&client::<B>(&server, bundled.clone())).expect_err("untrusted");
    assert_eq!(err.kind(), ErrorKind::Network, "{err:?}");
    assert_eq!(
        err.transport_kind(),
        Some(TransportErrorKind::Tls),
        "{err:?}"
    );
    let err_ws = B::first_text(&bundled, &front.ws_url(&observer_path)).expect_err("untrusted");
    // The socket's connect failed before any WebSocket handshake reached the mock: the
    // session ends on its reconnect budget, and its message names the last connect failure.
    assert_eq!(err_ws.kind(), ErrorKind::WebSocket, "{err_ws:?}");
    let message = err_ws.message().to_ascii_lowercase();
    assert!(
        message.contains("last connect failure") && message.contains("certificate"),
        "{message}"
    );
    assert_eq!(ws.connection_count(), 0);

    let roots = TlsRoots::bundled().with_pem(CERT_PEM).expect("pem");
    let trusted = B::transport(
        ProxySettings::none(),
        Some(roots.client_config().expect("config")),
    );
    assert_eq!(
        B::call(&client::<B>(&server, trusted.clone())).expect("call"),
        3
    );
    assert_eq!(
        B::first_text(&trusted, &front.ws_url(&observer_path)).expect("websocket"),
        "hello"
    );
}

fn tls_through_the_proxy<B: NetBackend>() {
    let server = MockServer::start_tls();
    server.seed_agents(WS, 3);
    let proxy = ConnectProxy::start();
    let roots = TlsRoots::empty().with_pem(CERT_PEM).expect("pem");
    let transport = B::transport(
        ProxySettings::to(proxy_at(&proxy.url())),
        Some(roots.client_config().expect("config")),
    );
    assert_eq!(B::call(&client::<B>(&server, transport)).expect("call"), 3);
    assert_eq!(proxy.targets(), vec![server.addr().to_string()]);
}

macro_rules! network_scenarios {
    ($($name:ident),* $(,)?) => {
        mod blocking {
            use super::*;
            $(#[test] fn $name() { super::$name::<Blocking>() })*
        }
        mod asynchronous {
            use super::*;
            $(#[test] fn $name() { super::$name::<Async>() })*
        }
    };
}

network_scenarios!(
    every_path_goes_through_the_proxy,
    no_proxy_matching_the_host_bypasses_the_proxy,
    the_environment_proxy_is_used_through_a_lookup,
    proxy_credentials_are_sent_and_never_shown,
    the_tls_mock_needs_its_certificate_as_a_root,
    tls_through_the_proxy,
);
