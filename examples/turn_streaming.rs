//! Stream a conversation turn: create a conversation, post a message and print the agent's
//! events as they arrive (tokens, thinking, tool calls, the final message, `done`).
//!
//! `stream_turn(..).stream()` is an iterator of typed `TurnEvent`s that ends after `done` or
//! `error`; it is never reconnected (a turn is not idempotent). `create_turn(..).stream()` is
//! the same on the non-`/stream` endpoint.
//!
//! Without `AMIGO_API_KEY` it runs against the embedded mock on 127.0.0.1, which plays a
//! scripted turn. With `AMIGO_API_KEY`, `AMIGO_WORKSPACE_ID` and `AMIGO_SERVICE_ID` set it
//! talks to that service's agent.
//!
//! Run: `cargo run --example turn_streaming`

#[path = "guide/mod.rs"]
mod guide;

use amigo_platform::api::models::{CreateConversationRequest, TurnRequest};
use amigo_platform::core::sse::TurnEvent;
use amigo_platform::prelude::*;
use std::io::Write;

fn main() -> Result<(), Error> {
    let target = guide::Target::from_env();
    let client = BlockingClient::new(target.config()?);
    let service_id = match target.mock() {
        Some(_) => "svc-demo".to_owned(),
        None => std::env::var("AMIGO_SERVICE_ID").unwrap_or_default(),
    };

    // 1. A conversation to talk in (no greeting, so the first turn is ours).
    let conversation = client
        .api()
        .conversations()
        .create(CreateConversationRequest::new(&service_id).auto_greet(false))
        .send()?;
    println!("conversation {}", conversation.id);

    // 2. Post a message and print each event as it arrives.
    println!("> Hello!");
    let events = client
        .api()
        .conversations()
        .stream_turn(&conversation.id, TurnRequest::new("Hello!"))
        .include_tool_calls(true)
        .stream();
    let mut out = std::io::stdout();
    let mut tokens = 0;
    for event in events {
        match event? {
            TurnEvent::Token(t) => {
                tokens += 1;
                print!("{}", t.text);
                let _ = out.flush();
            }
            TurnEvent::Thinking(t) => println!("\n(thinking: {})", t.tier_name),
            TurnEvent::ToolCallStarted(t) => {
                println!("(tool {} started: {})", t.tool_name, t.input)
            }
            TurnEvent::ToolCallCompleted(t) => println!(
                "(tool {} {}: {})",
                t.tool_name,
                if t.succeeded { "succeeded" } else { "failed" },
                t.result
            ),
            TurnEvent::Message(m) => println!("{}: {}", m.role, m.text),
            TurnEvent::Error(e) => println!("(turn error: {})", e.message),
            TurnEvent::Done(d) => println!("(done: status {}, {} turns)", d.status, d.turn_count),
            other => println!("(other event: {other:?})"),
        }
    }
    println!("{tokens} tokens streamed");
    Ok(())
}
