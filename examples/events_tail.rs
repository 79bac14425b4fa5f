//! Tails the workspace event stream, printing events and reconnect status.
//!
//! Without `AMIGO_API_KEY` it starts the embedded mock server on 127.0.0.1, publishes a few
//! events from a background thread and makes the server drop the connection once mid-event, so
//! the reconnect and resume (`Last-Event-ID`) are visible. With `AMIGO_API_KEY` and
//! `AMIGO_WORKSPACE_ID` set it tails the real workspace.
//!
//! It exits after `EVENTS_TAIL_MAX` events (default 10) or `EVENTS_TAIL_SECS` seconds (default 30).
//!
//! Run: `cargo run --example events_tail`

use std::time::Duration;

use amigo_platform::blocking::sse::{self, StreamItem};
use amigo_platform::core::sse::{EventKind, SseOptions, StreamState};
use amigo_platform::{Config, Error};
use amigo_platform_testkit::sse::StreamFault;
use amigo_platform_testkit::MockServer;

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> Result<(), Error> {
    let max_events = env_num("EVENTS_TAIL_MAX", 10);
    let max_secs = env_num("EVENTS_TAIL_SECS", 30);
    let live = std::env::var("AMIGO_API_KEY").is_ok_and(|k| !k.trim().is_empty());
    let mock = (!live).then(MockServer::start);
    let (config, options) = match &mock {
        Some(server) => {
            println!(
                "no AMIGO_API_KEY: tailing the embedded mock server at {}",
                server.base_url()
            );
            server.sse_fault([StreamFault::DropMidEvent(3)]);
            let config = Config::builder()
                .api_key(MockServer::API_KEY)
                .workspace_id(MockServer::WORKSPACE_ID)
                .base_url(server.base_url())
                .build()?;
            // Short reconnect delays so the demo is quick (the server's `retry: 3000` is clamped).
            let options =
                SseOptions::new().delays(Duration::from_millis(50), Duration::from_millis(200));
            (config, options)
        }
        None => (Config::from_env()?, SseOptions::new()),
    };
    let client = amigo_platform::blocking::Client::new(config);
    let subscription = sse::subscribe(&client, options);

    // Stop after the timeout, from another thread.
    let handle = subscription.handle();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(max_secs));
        handle.close();
    });

    std::thread::scope(|s| {
        if let Some(server) = &mock {
            s.spawn(move || {
                for i in 0..max_events {
                    let data = serde_json::json!({
                        "call_sid": format!("CA{i:03}"),
                        "direction": "inbound",
                        "service_id": "00000000-0000-4000-8000-000000000001",
                    });
                    server.publish_event(MockServer::WORKSPACE_ID, "call.started", data);
                    std::thread::sleep(Duration::from_millis(100));
                }
            });
        }
        let mut seen = 0;
        for item in subscription {
            match item? {
                StreamItem::Event(event) => {
                    seen += 1;
                    let detail = match &event.kind {
                        EventKind::CallStarted(c) => {
                            format!("call {} ({})", c.call_sid, c.direction)
                        }
                        EventKind::CallEnded(c) => {
                            format!("call {} ended: {}", c.call_sid, c.completion_reason)
                        }
                        other => format!("{other:?}"),
                    };
                    println!(
                        "[{}] {} {detail}",
                        event.id.as_deref().unwrap_or("-"),
                        event.event_type
                    );
                    if seen >= max_events {
                        break;
                    }
                }
                StreamItem::State(StreamState::Reconnecting {
                    attempt,
                    delay,
                    cause,
                }) => {
                    println!("  connection lost ({cause}); reconnect #{attempt} in {delay:?}");
                }
                StreamItem::State(StreamState::Opened(o)) => {
                    println!(
                        "  stream opened (connection {})",
                        o.connection_id.as_deref().unwrap_or("?")
                    );
                }
                StreamItem::State(StreamState::Closed { reason }) => {
                    println!("  closed: {reason:?}")
                }
                StreamItem::State(_) => {}
            }
        }
        Ok::<(), Error>(())
    })?;
    Ok(())
}
