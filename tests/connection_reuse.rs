//! Keep-alive: sequential calls, event-stream reconnects, turn streams and identity requests on
//! one client reuse one pooled connection, on both native transports. The mocks count the TCP
//! connections they accept.
//!
//! The blocking client must use exactly one connection. The async client's pool (hyper-util)
//! races a pool checkout against a fresh connect whenever the previous connection has not yet
//! been handed back to the pool (a task hop after its body ends); when the checkout wins, the
//! fresh connection is parked in the pool as a spare, and on a loaded machine that happens now
//! and then. So the async tests assert reuse, not a single connection: fewer connections than
//! requests, and for a run of calls at most one connection per two requests (without reuse
//! there is one connection per request).

use std::time::Duration;

use amigo_platform_api::models::TurnRequest;
use amigo_platform_api::ApiExt;
use amigo_platform_core::auth::{
    DeviceCodeIssuance, LoginCallbacks, LoginOptions, LoginStatus, Workspace,
};
use amigo_platform_core::sse::{SseOptions, StreamState};
use amigo_platform_core::Config;
use amigo_platform_testkit::identity::{IdentityReply, MockIdentity};
use amigo_platform_testkit::sse::StreamFault;
use amigo_platform_testkit::MockServer;
use serde_json::json;

const WS: &str = MockServer::WORKSPACE_ID;
const CALLS: usize = 10;

fn config(server: &MockServer) -> Config {
    Config::builder()
        .api_key(MockServer::API_KEY)
        .workspace_id(WS)
        .base_url(server.base_url())
        .build()
        .expect("config")
}

fn fast() -> SseOptions {
    SseOptions::new().delays(Duration::from_millis(1), Duration::from_millis(5))
}

/// Publishes three events and makes the first two connections end cleanly after one event each,
/// so that reading three events takes two reconnects.
fn script_two_reconnects(server: &MockServer) {
    for i in 0..3 {
        server.publish_event(WS, "call.started", json!({ "call_sid": format!("CA{i}") }));
    }
    server.sse_fault([StreamFault::DropAfter(1), StreamFault::DropAfter(1)]);
}

struct Quiet;

impl LoginCallbacks for Quiet {
    fn on_code(&mut self, _: &DeviceCodeIssuance) {}
    fn on_status(&mut self, _: LoginStatus) {}
    fn on_workspace_required(&mut self, _: &[Workspace]) -> Option<String> {
        None
    }
}

mod blocking {
    use super::*;
    use amigo_platform_ureq::sse::{self, StreamItem};
    use amigo_platform_ureq::Client;

    #[test]
    fn sequential_calls_use_one_connection() {
        let server = MockServer::start();
        server.seed_agents(WS, 3);
        let client = Client::new(config(&server));
        for _ in 0..CALLS {
            let page = client.api().agents().list().send().expect("list");
            assert_eq!(page.items.len(), 3);
        }
        assert_eq!(server.requests().len(), CALLS);
        assert_eq!(server.connections(), 1);
    }

    #[test]
    fn event_stream_reconnects_reuse_the_connection() {
        let server = MockServer::start();
        script_two_reconnects(&server);
        let client = Client::new(config(&server));
        client.api().agents().list().send().expect("list");
        let sub = sse::subscribe(&client, fast());
        let mut events = 0;
        let mut reconnects = 0;
        for item in sub.take(50) {
            match item.expect("item") {
                StreamItem::Event(_) => events += 1,
                StreamItem::State(StreamState::Reconnecting { .. }) => reconnects += 1,
                StreamItem::State(_) => {}
            }
            if events == 3 {
                break;
            }
        }
        assert_eq!((events, reconnects), (3, 2));
        assert_eq!(server.sse_connections(), 3);
        assert_eq!(server.connections(), 1);
    }

    #[test]
    fn turn_streams_and_calls_share_the_connection() {
        let server = MockServer::start();
        let client = Client::new(config(&server));
        client.api().agents().list().send().expect("list");
        for _ in 0..2 {
            let events = sse::stream_turn(&client, "conv-1", &TurnRequest::new("hi"))
                .collect::<Result<Vec<_>, _>>()
                .expect("turn events");
            assert!(!events.is_empty());
        }
        client.api().agents().list().send().expect("list");
        assert_eq!(server.requests().len(), 4);
        assert_eq!(server.connections(), 1);
    }

    #[test]
    fn device_login_polls_on_one_connection() {
        let id = MockIdentity::start();
        id.script_token([IdentityReply::pending(), IdentityReply::pending()]);
        amigo_platform_ureq::auth::device_login(&LoginOptions::new(id.base_url()), &mut Quiet)
            .expect("login");
        assert_eq!(id.requests().len(), 4);
        assert_eq!(id.connections(), 1);
    }
}

mod asynchronous {
    use super::*;

    /// Asserts that `requests` requests reused connections (see the module docs).
    fn assert_reused(connections: u64, requests: usize) {
        assert!(
            connections >= 1 && connections < requests as u64,
            "{connections} connections for {requests} requests"
        );
    }
    use amigo_platform_hyper::sse::{self, StreamItem};
    use amigo_platform_hyper::Client;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sequential_calls_reuse_connections() {
        let server = MockServer::start();
        server.seed_agents(WS, 3);
        let client = Client::new(config(&server));
        for _ in 0..CALLS {
            let page = client.api().agents().list().send().await.expect("list");
            assert_eq!(page.items.len(), 3);
        }
        assert_eq!(server.requests().len(), CALLS);
        let connections = server.connections();
        assert!(
            connections as usize <= CALLS / 2,
            "{connections} connections for {CALLS} calls"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn event_stream_reconnects_reuse_the_connection() {
        let server = MockServer::start();
        script_two_reconnects(&server);
        let client = Client::new(config(&server));
        client.api().agents().list().send().await.expect("list");
        let mut sub = sse::subscribe(&client, fast());
        let mut events = 0;
        let mut reconnects = 0;
        for _ in 0..50 {
            let Some(item) = sub.next_item().await else {
                break;
            };
            match item.expect("item") {
                StreamItem::Event(_) => events += 1,
                StreamItem::State(StreamState::Reconnecting { .. }) => reconnects += 1,
                StreamItem::State(_) => {}
            }
            if events == 3 {
                break;
            }
        }
        assert_eq!((events, reconnects), (3, 2));
        assert_eq!(server.sse_connections(), 3);
        assert_reused(server.connections(), server.requests().len());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn turn_streams_and_calls_share_the_connection() {
        let server = MockServer::start();
        let client = Client::new(config(&server));
        client.api().agents().list().send().await.expect("list");
        for _ in 0..2 {
            let mut stream = sse::stream_turn(&client, "conv-1", &TurnRequest::new("hi"));
            let mut events = 0;
            for _ in 0..100 {
                match stream.next_item().await {
                    Some(event) => {
                        event.expect("turn event");
                        events += 1;
                    }
                    None => break,
                }
            }
            assert!(events > 0);
        }
        client.api().agents().list().send().await.expect("list");
        assert_eq!(server.requests().len(), 4);
        assert_reused(server.connections(), 4);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn device_login_polls_reuse_the_connection() {
        let id = MockIdentity::start();
        id.script_token([IdentityReply::pending(), IdentityReply::pending()]);
        amigo_platform_hyper::auth::device_login(&LoginOptions::new(id.base_url()), &mut Quiet)
            .await
            .expect("login");
        assert_eq!(id.requests().len(), 4);
        assert_reused(id.connections(), 4);
    }
}
