//! Watch a live voice call through the observer WebSocket (blocking transport).
//!
//! Without `AMIGO_API_KEY` it starts the testkit's mock WebSocket server on 127.0.0.1, which
//! plays a short scripted call and ends it with `session_end`. With `AMIGO_API_KEY`,
//! `AMIGO_WORKSPACE_ID` and `AMIGO_CALL_SID` set it observes that call on the real API
//! (`AMIGO_BASE_URL` / `AMIGO_AGENT_BASE_URL` optional).
//!
//! Run: `cargo run --example observe_call`

use amigo_platform::blocking::ws::observe;
use amigo_platform::core::ws::ObserverEventData;
use amigo_platform::{Config, Error};
use amigo_platform_testkit::ws::MockWs;
use std::io::Write;

fn main() -> Result<(), Error> {
    let live = std::env::var("AMIGO_API_KEY").is_ok_and(|k| !k.trim().is_empty());
    let mock = (!live).then(MockWs::start);
    let (config, call_sid) = match &mock {
        Some(ws) => {
            println!(
                "no AMIGO_API_KEY: observing a scripted call on {}",
                ws.base_url()
            );
            let config = Config::builder()
                .api_key(MockWs::TOKEN)
                .workspace_id(MockWs::WORKSPACE_ID)
                .base_url(ws.base_url())
                .build()?;
            (config, MockWs::CALL_SID.to_owned())
        }
        None => {
            let mut b = Config::env_builder();
            if let Ok(agent) = std::env::var("AMIGO_AGENT_BASE_URL") {
                b = b.agent_base_url(agent);
            }
            let sid = std::env::var("AMIGO_CALL_SID").unwrap_or_default();
            (b.build()?, sid)
        }
    };

    // Validation (call SID format, token alphabet) happens here, before any socket is opened.
    let events = observe(&config, &call_sid, None, None, None)?;
    let mut out = std::io::stdout();
    for event in events {
        let event = event?;
        match &event.data {
            ObserverEventData::SessionStart(s) => {
                println!(
                    "session started (mode {})",
                    s.mode.as_deref().unwrap_or("?")
                )
            }
            ObserverEventData::UserTranscript(u) => println!("caller: {}", u.transcript),
            ObserverEventData::AgentTranscriptDelta(d) => {
                if d.delta.is_empty() {
                    continue;
                }
                print!("{}", d.delta);
                let _ = out.flush();
            }
            ObserverEventData::AgentTranscript(a) => println!("\nagent: {}", a.transcript),
            ObserverEventData::SessionEnd(e) => {
                println!(
                    "call ended: {} after {:.1}s, {} turns",
                    e.completion_reason, e.duration_s, e.turns
                );
                break; // dropping the subscription closes the socket
            }
            _ => println!(
                "[{}] {}",
                event.event_type,
                serde_json::Value::Object(event.raw.clone())
            ),
        }
    }
    Ok(())
}
