//! Chat with an agent over the text-stream WebSocket (async transport).
//!
//! Interactive when stdin is a terminal (type a line, empty line or EOF to stop); otherwise it
//! sends a short built-in script. Without `AMIGO_API_KEY` it talks to the testkit's mock
//! WebSocket server on 127.0.0.1, which echoes messages and ends the session on `stop`. With
//! `AMIGO_API_KEY`, `AMIGO_WORKSPACE_ID` and `AMIGO_SERVICE_ID` set it talks to the real agent
//! (`AMIGO_AGENT_BASE_URL` optional; `AMIGO_CONVERSATION_ID` resumes an earlier conversation,
//! whose agent then waits for your message instead of greeting). Tool calls the agent makes
//! are shown as they start and finish (`tool_events`).
//!
//! Run: `cargo run --example text_chat`

use amigo_platform::asynchronous::ws::{text_stream, WsStream};
use amigo_platform::core::ws::{
    TextStreamClientFrame, TextStreamFrame, TextStreamParams, TextStreamServerFrame, WsEvent,
    WsOptions,
};
use amigo_platform::{Config, Error};
use amigo_platform_testkit::ws::MockWs;
use std::collections::VecDeque;
use std::io::{IsTerminal, Write};

/// Where the user's lines come from.
enum Input {
    Terminal,
    Script(VecDeque<&'static str>),
}

impl Input {
    async fn next_line(&mut self) -> Option<String> {
        match self {
            Input::Script(lines) => {
                let line = lines.pop_front()?;
                println!("> {line}");
                Some(line.to_owned())
            }
            Input::Terminal => {
                print!("> ");
                let _ = std::io::stdout().flush();
                let line = tokio::task::spawn_blocking(|| {
                    let mut s = String::new();
                    match std::io::stdin().read_line(&mut s) {
                        Ok(n) if n > 0 => Some(s.trim().to_owned()),
                        _ => None,
                    }
                })
                .await
                .ok()
                .flatten()?;
                (!line.is_empty()).then_some(line)
            }
        }
    }
}

/// Sends the next user line, or `stop` when there is none.
async fn say_next(chat: &WsStream, input: &mut Input) -> Result<(), Error> {
    match input.next_line().await {
        Some(line) => chat.send(TextStreamClientFrame::message(line).into()),
        None => chat.send(TextStreamClientFrame::Stop.into()),
    }
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let live = std::env::var("AMIGO_API_KEY").is_ok_and(|k| !k.trim().is_empty());
    let mock = (!live).then(MockWs::start);
    let (config, api_key, service_id) = match &mock {
        Some(ws) => {
            println!(
                "no AMIGO_API_KEY: chatting with the mock agent on {}",
                ws.base_url()
            );
            let config = Config::builder()
                .api_key(MockWs::TOKEN)
                .workspace_id(MockWs::WORKSPACE_ID)
                .base_url(ws.base_url())
                .build()?;
            (config, MockWs::TOKEN.to_owned(), "svc-demo".to_owned())
        }
        None => {
            let mut b = Config::env_builder();
            if let Ok(agent) = std::env::var("AMIGO_AGENT_BASE_URL") {
                b = b.agent_base_url(agent);
            }
            let key = std::env::var("AMIGO_API_KEY").unwrap_or_default();
            let service = std::env::var("AMIGO_SERVICE_ID").unwrap_or_default();
            (b.build()?, key, service)
        }
    };
    let mut input = if std::io::stdin().is_terminal() {
        Input::Terminal
    } else {
        Input::Script(VecDeque::from([
            "Hello!",
            "Can I book an appointment for Tuesday?",
        ]))
    };

    let mut params = TextStreamParams::new(service_id);
    params.tool_events = Some(true);
    params.conversation_id = std::env::var("AMIGO_CONVERSATION_ID")
        .ok()
        .filter(|id| !id.trim().is_empty());
    let mut chat = text_stream(&config, &params, Some(&api_key), WsOptions::default())?;
    while let Some(event) = chat.next_event().await {
        let message = match event? {
            WsEvent::Message(m) => m,
            WsEvent::Reconnecting(r) => {
                eprintln!("(reconnecting in {:?}: {})", r.delay, r.cause.as_str());
                continue;
            }
            WsEvent::State(_) => continue,
        };
        let Some(frame) = TextStreamFrame::from_message(&message) else {
            continue;
        };
        match frame.data {
            TextStreamServerFrame::SessionStarted {
                conversation_id, ..
            } => {
                println!("(conversation {conversation_id}: AMIGO_CONVERSATION_ID={conversation_id} resumes it)");
                say_next(&chat, &mut input).await?;
            }
            TextStreamServerFrame::Typing => println!("(agent is typing…)"),
            TextStreamServerFrame::ToolCallStarted {
                tool_name, input, ..
            } => println!("(tool {tool_name} started: {input})"),
            TextStreamServerFrame::ToolCallCompleted {
                tool_name,
                succeeded,
                result,
                ..
            } => {
                let outcome = if succeeded { "done" } else { "failed" };
                println!("(tool {tool_name} {outcome}: {result})");
            }
            TextStreamServerFrame::Message { text } => {
                println!("agent: {text}");
                say_next(&chat, &mut input).await?;
            }
            TextStreamServerFrame::Error { message } => eprintln!("(error: {message})"),
            TextStreamServerFrame::SessionEnded { reason } => {
                println!("(session ended: {reason})");
                // The server closes next; close first so the loop does not reconnect.
                chat.close();
            }
            _ => println!("[{}]", frame.event_type),
        }
    }
    Ok(())
}
