//! With two rustls providers compiled in (the SDK's ring and an application's aws-lc-rs, as any
//! application using the AWS SDK has) and no process default installed, rustls cannot pick one:
//! every TLS client the SDK builds must name its provider. Each path that builds a TLS client
//! config is exercised: the async client (calls, identity), and the WebSocket connects of both
//! transports, against loopback listeners.

use std::net::TcpListener;
use std::time::Duration;

use amigo_platform::core::ws::{WsConnect, WsEvent, WsOptions, WsState};
use amigo_platform::{ApiExt, Config};
use amigo_platform_testkit::MockServer;

fn config(server: &MockServer) -> Config {
    Config::builder()
        .api_key(MockServer::API_KEY)
        .workspace_id(MockServer::WORKSPACE_ID)
        .base_url(server.base_url())
        .build()
        .expect("config")
}

/// A `wss://` target on a loopback listener that accepts and closes (no TLS server): building
/// the TLS client config happens before the handshake fails.
fn wss_target() -> (TcpListener, WsConnect) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let closer = listener.try_clone().expect("listener clone");
    // Accept and close at once (the thread ends with the test process).
    std::thread::spawn(move || {
        for stream in closer.incoming().take(100) {
            drop(stream);
        }
    });
    let target = WsConnect::new(
        format!("wss://127.0.0.1:{port}/v1/ws/observers/CA1/ws"),
        vec!["auth".into(), "token".into()],
    );
    (listener, target)
}

fn one_try() -> WsOptions {
    WsOptions::default()
        .initial_delay(Duration::from_millis(50))
        .idle_timeout(Duration::ZERO)
}

#[test]
fn the_process_has_two_providers_and_no_default() {
    assert!(rustls::crypto::CryptoProvider::get_default().is_none());
    // Both are linked in: this is the configuration in which rustls cannot choose by itself.
    let _ = rustls::crypto::ring::default_provider();
    let _ = rustls::crypto::aws_lc_rs::default_provider();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_async_client_builds_and_calls() {
    let server = MockServer::start();
    server.seed_agents(MockServer::WORKSPACE_ID, 2);
    let client = amigo_platform::asynchronous::Client::new(config(&server));
    let page = client.api().agents().list().send().await.expect("list");
    assert_eq!(page.items.len(), 2);
    assert!(rustls::crypto::CryptoProvider::get_default().is_none());
}

#[test]
fn the_blocking_client_builds_and_calls() {
    let server = MockServer::start();
    server.seed_agents(MockServer::WORKSPACE_ID, 2);
    let client = amigo_platform::blocking::Client::new(config(&server));
    let page = client.api().agents().list().send().expect("list");
    assert_eq!(page.items.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_async_websocket_fails_its_handshake_instead_of_panicking() {
    let (_listener, target) = wss_target();
    let mut stream = amigo_platform::asynchronous::ws::WsStream::connect(target, one_try());
    let mut reached_reconnect = false;
    for _ in 0..20 {
        match tokio::time::timeout(Duration::from_secs(5), stream.next_event()).await {
            Ok(Some(Ok(WsEvent::Reconnecting(_)))) | Ok(Some(Err(_))) => {
                reached_reconnect = true;
                break;
            }
            // The driver task died (a panic inside it ends the stream).
            Ok(None) => break,
            Ok(Some(Ok(WsEvent::State(WsState::Terminal)))) => {
                reached_reconnect = true;
                break;
            }
            Ok(Some(Ok(_))) => {}
            Err(_) => break,
        }
    }
    stream.close();
    assert!(reached_reconnect, "the failed handshake was reported");
}

#[test]
fn the_blocking_websocket_fails_its_handshake_instead_of_panicking() {
    let (_listener, target) = wss_target();
    let socket = amigo_platform::blocking::ws::WsStream::connect(target, one_try());
    let mut reported = false;
    for event in socket.take(20) {
        match event {
            Ok(WsEvent::Reconnecting(_)) | Err(_) | Ok(WsEvent::State(WsState::Terminal)) => {
                reported = true;
                break;
            }
            Ok(_) => {}
        }
    }
    assert!(reported, "the failed handshake was reported");
}
