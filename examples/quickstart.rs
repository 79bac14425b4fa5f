//! A short tour of the blocking client.
//!
//! Every API operation is a method of `client.api()` (with `ApiExt` in scope), typed with the
//! models of `amigo_platform::api::models`.
//!
//! Without `AMIGO_API_KEY` it starts the embedded mock server on 127.0.0.1 and runs the full
//! tour (list with auto-paging, create + get, a handled 404, a retried 503, a message to an
//! agent with `conversations().send_message`). With `AMIGO_API_KEY` and `AMIGO_WORKSPACE_ID`
//! set it runs the read-only part against the API.
//!
//! Run: `cargo run --example quickstart`

use amigo_platform::api::conversations::SendMessageRequest;
use amigo_platform::api::models::CreateAgentRequest;
use amigo_platform::blocking::Client;
use amigo_platform::{ApiExt, Config, Error, ErrorKind};
use amigo_platform_testkit::{Fault, MockServer};
use std::time::Duration;

fn main() -> Result<(), Error> {
    let live = std::env::var("AMIGO_API_KEY").is_ok_and(|k| !k.trim().is_empty());
    let mock = if live {
        None
    } else {
        Some(MockServer::start())
    };
    let config = match &mock {
        Some(server) => {
            server.seed_agents(MockServer::WORKSPACE_ID, 23);
            println!(
                "no AMIGO_API_KEY: using the embedded mock server at {}",
                server.base_url()
            );
            Config::builder()
                .api_key(MockServer::API_KEY)
                .workspace_id(MockServer::WORKSPACE_ID)
                .base_url(server.base_url())
                .build()?
        }
        None => {
            println!("AMIGO_API_KEY is set: running the read-only tour against the API");
            Config::from_env()?
        }
    };
    let client = Client::new(config);

    // 1. Every agent, page by page under the hood.
    let mut count = 0;
    for agent in client.api().agents().list().limit(10).auto_paging() {
        let agent = agent?;
        count += 1;
        if count <= 3 {
            println!("  agent {:>2}: {} ({})", count, agent.name, agent.id);
        }
    }
    println!("listed {count} agents with auto-paging");

    // 2. A handled 404.
    match client
        .api()
        .agents()
        .get("00000000-0000-0000-0000-000000000000")
        .send()
    {
        Err(e) if e.kind() == ErrorKind::NotFound => {
            println!(
                "handled 404: {} (request id {})",
                e.message(),
                e.request_id().unwrap_or("-")
            )
        }
        Err(e) => return Err(e),
        Ok(a) => println!("unexpectedly found {}", a.name),
    }

    let Some(server) = &mock else {
        println!("done (read-only tour)");
        return Ok(());
    };

    // 3. Create, then read back.
    let created = client
        .api()
        .agents()
        .create(CreateAgentRequest::new("Quickstart agent").description("made by the tour"))
        .send()?;
    let fetched = client.api().agents().get(&created.id).send()?;
    println!(
        "created and fetched agent {} named {:?}",
        fetched.id, fetched.name
    );

    // 4. A 503 that the client retries for you.
    server.clear_requests();
    server.fault(
        amigo_platform::core::http::Method::GET,
        "/v1/ws-001/agents/{agent_id}",
        [Fault::status(503).header("retry-after", "0.1")],
    );
    let started = std::time::Instant::now();
    let again = client
        .api()
        .agents()
        .get(&created.id)
        .timeout(Duration::from_secs(5))
        .send_with_meta()?;
    let attempts = server
        .requests()
        .iter()
        .filter(|r| r.path.ends_with(&created.id))
        .count();
    println!(
        "survived a 503: status {} after {attempts} attempts in {:?}",
        again.meta.status,
        started.elapsed()
    );
    assert_eq!(again.data.id, created.id);

    // 5. A message to an agent: creates the conversation (without a greeting), then sends the
    //    turn; pass `.conversation_id(..)` to continue it with a single request.
    let reply = client
        .api()
        .conversations()
        .send_message(SendMessageRequest::new("service-id", "Hello!"))
        .send()?;
    for turn in &reply.messages {
        println!("agent ({}): {}", reply.conversation_id, turn.text);
    }
    let next = SendMessageRequest::new("service-id", "Tuesday, please")
        .conversation_id(&reply.conversation_id);
    let reply = client.api().conversations().send_message(next).send()?;
    println!(
        "agent: {}",
        reply.messages.first().map_or("", |t| t.text.as_str())
    );
    println!("done");
    Ok(())
}
