//! Behaviour specific to one transport's types (the shared scenarios live in conformance.rs).

use amigo_platform_api::ApiExt;
use amigo_platform_core::Config;
use amigo_platform_testkit::{Fault, MockServer};
use amigo_platform_ureq::UreqTransport;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn config(server: &MockServer) -> Config {
    Config::builder()
        .api_key(MockServer::API_KEY)
        .workspace_id(MockServer::WORKSPACE_ID)
        .base_url(server.base_url())
        .base_delay(Duration::from_millis(1))
        .build()
        .expect("config")
}

fn counting_agent(counter: Arc<AtomicUsize>) -> ureq::Agent {
    ureq::Agent::config_builder()
        .middleware(
            move |req: http::Request<ureq::SendBody>, next: ureq::middleware::MiddlewareNext| {
                counter.fetch_add(1, Ordering::SeqCst);
                next.handle(req)
            },
        )
        .build()
        .new_agent()
}

#[test]
fn a_replacement_transport_still_goes_through_the_retry_loop() {
    let server = MockServer::start();
    server.seed_agents(MockServer::WORKSPACE_ID, 1);
    let base_calls = Arc::new(AtomicUsize::new(0));
    let custom_calls = Arc::new(AtomicUsize::new(0));
    let client = amigo_platform_ureq::Client::with_transport(
        config(&server),
        UreqTransport::with_agent(counting_agent(base_calls.clone())),
    );
    server.fault(http::Method::GET, "/v1/ws-001/agents", [Fault::status(500)]);
    let custom = client.using(UreqTransport::with_agent(counting_agent(
        custom_calls.clone(),
    )));
    let page = custom
        .api()
        .agents()
        .list()
        .send()
        .expect("retried on the custom transport");
    assert_eq!(page.items.len(), 1);
    assert_eq!(custom_calls.load(Ordering::SeqCst), 2);
    assert_eq!(base_calls.load(Ordering::SeqCst), 0);
}

#[test]
fn a_user_agent_that_errors_on_status_is_overridden() {
    let server = MockServer::start();
    let strict = ureq::Agent::config_builder()
        .http_status_as_error(true)
        .build()
        .new_agent();
    let client = amigo_platform_ureq::Client::with_transport(
        config(&server),
        UreqTransport::with_agent(strict),
    );
    let err = client.api().agents().get("missing").send().unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(err.message(), "Agent not found");
}

#[test]
fn oversized_bodies_fail_cleanly_on_both_transports() {
    let server = MockServer::start();
    server.fault(
        http::Method::GET,
        "/v1/ws-001/agents",
        [Fault::oversized(200, 4096)],
    );
    let client = amigo_platform_ureq::Client::with_transport(
        config(&server),
        UreqTransport::new().max_body(1024),
    );
    let err = client
        .api()
        .agents()
        .list()
        .max_retries(0)
        .send()
        .unwrap_err();
    assert_eq!(
        err.transport_kind(),
        Some(amigo_platform_core::TransportErrorKind::BodyTooLarge),
        "{err:?}"
    );

    server.fault(
        http::Method::GET,
        "/v1/ws-001/agents",
        [Fault::oversized(200, 4096)],
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    let client = amigo_platform_hyper::Client::with_transport(
        config(&server),
        amigo_platform_hyper::HyperTransport::new().max_body(1024),
    );
    let err = rt
        .block_on(client.api().agents().list().max_retries(0).send())
        .unwrap_err();
    assert_eq!(
        err.transport_kind(),
        Some(amigo_platform_core::TransportErrorKind::BodyTooLarge),
        "{err:?}"
    );
}

#[tokio::test]
async fn dropping_the_future_cancels_the_request() {
    let server = MockServer::start();
    server.fault(http::Method::GET, "/v1/ws-001/agents", [Fault::hang()]);
    let client = amigo_platform_hyper::Client::new(config(&server));
    let fut = client.api().agents().list().send();
    let r = tokio::time::timeout(Duration::from_millis(150), fut).await;
    assert!(r.is_err(), "the call was still pending and is dropped here");
    // The next call works and the dropped one made exactly one request.
    server.seed_agents(MockServer::WORKSPACE_ID, 1);
    let page = client.api().agents().list().await.expect("list");
    assert_eq!(page.items.len(), 1);
    assert_eq!(server.requests().len(), 2);
}

/// The async transport's builder settings reach its client: with no idle connections kept,
/// every call opens its own; with the defaults, sequential calls share one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_async_builder_configures_the_connection_pool() {
    use amigo_platform_hyper::HyperTransport;
    const CALLS: u64 = 6;
    let connections = |transport: HyperTransport| async move {
        let server = MockServer::start();
        let client = amigo_platform_hyper::Client::with_transport(config(&server), transport);
        for _ in 0..CALLS {
            client.api().agents().list().await.expect("list");
        }
        server.connections()
    };
    let unpooled = HyperTransport::builder()
        .pool_max_idle_per_host(0)
        .connect_timeout(Duration::from_secs(2))
        .nodelay(true)
        .build();
    assert_eq!(connections(unpooled).await, CALLS, "no connection kept");
    let pooled = HyperTransport::builder().build();
    let used = connections(pooled).await;
    assert!(
        used < CALLS,
        "{used} connections for {CALLS} sequential calls"
    );
}
