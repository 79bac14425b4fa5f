//! Runs the mock Amigo Platform server as a process, for browser tests and manual exploration.
//!
//! Prints `AMIGO_MOCK_URL=http://127.0.0.1:PORT` on the first line, then serves for
//! `--seconds N` (default 900) or until killed. `--static DIR` serves DIR under `/app/`;
//! `--demo-events` publishes a `call.started` event every 500 ms. Browser access (CORS and the `/__mock/*`
//! control plane) is enabled. `--port N` binds a fixed loopback port. The WebSocket mock and a
//! mock identity service (with CORS) run beside it: `AMIGO_MOCK_WS_URL=...` and
//! `AMIGO_MOCK_IDENTITY_URL=...` follow on the next lines.

use amigo_platform_testkit::MockServer;
use std::io::Write;
use std::time::Duration;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse::<u64>().ok())
    };
    let seconds = arg("--seconds").unwrap_or(900);
    let server = match arg("--port").and_then(|p| u16::try_from(p).ok()) {
        Some(port) => MockServer::start_on_port(port),
        None => MockServer::start(),
    };
    server.enable_browser_access();
    if let Some(i) = args.iter().position(|a| a == "--static") {
        if let Some(dir) = args.get(i + 1) {
            amigo_platform_testkit::serve_static_dir(dir.into());
        }
    }
    server.seed_agents(MockServer::WORKSPACE_ID, 3);
    let ws = amigo_platform_testkit::ws::MockWs::start();
    server.attach_ws(&ws);
    let identity = amigo_platform_testkit::identity::MockIdentity::start();
    identity.enable_browser_access();
    println!("AMIGO_MOCK_URL={}", server.base_url());
    println!("AMIGO_MOCK_WS_URL={}", ws.base_url());
    println!("AMIGO_MOCK_IDENTITY_URL={}", identity.base_url());
    let _ = std::io::stdout().flush();
    let demo = args.iter().any(|a| a == "--demo-events");
    let started = std::time::Instant::now();
    let mut n = 0u64;
    while started.elapsed() < Duration::from_secs(seconds) {
        std::thread::sleep(Duration::from_millis(500));
        if demo {
            n += 1;
            let data =
                serde_json::json!({"call_sid": format!("CA{n:032}"), "direction": "inbound"});
            server.publish_event(MockServer::WORKSPACE_ID, "call.started", data);
        }
    }
    drop(server);
}
