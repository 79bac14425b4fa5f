//! The async client (hyper on tokio): list, stream every page, create, and send a message to an
//! agent.
//!
//! Run: `cargo run --example async_agents` (uses the embedded mock unless `AMIGO_API_KEY` is set).

use amigo_platform::api::conversations::SendMessageRequest;
use amigo_platform::api::models::CreateAgentRequest;
use amigo_platform::asynchronous::Client;
use amigo_platform::{ApiExt, Config, Error};
use amigo_platform_testkit::MockServer;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let live = std::env::var("AMIGO_API_KEY").is_ok_and(|k| !k.trim().is_empty());
    let mock = (!live).then(MockServer::start);
    let config = match &mock {
        Some(server) => {
            server.seed_agents(MockServer::WORKSPACE_ID, 12);
            Config::builder()
                .api_key(MockServer::API_KEY)
                .workspace_id(MockServer::WORKSPACE_ID)
                .base_url(server.base_url())
                .build()?
        }
        None => Config::from_env()?,
    };
    let client = Client::new(config);

    let first = client
        .api()
        .agents()
        .list()
        .limit(5)
        .send_with_meta()
        .await?;
    println!(
        "first page: {} agents of {:?}, request id {:?}",
        first.data.items.len(),
        first.data.total,
        first.meta.request_id
    );

    let mut stream = client.api().agents().list_auto_paging().send();
    let mut n = 0;
    while let Some(agent) = stream.next_item().await {
        n += 1;
        println!("  {}", agent?.name);
    }
    println!("streamed {n} agents");

    if mock.is_some() {
        let created = client
            .api()
            .agents()
            .create(CreateAgentRequest::new("Async agent"))
            .await?;
        println!("created {}", created.id);

        // A composite call is awaited like any other: create a conversation, then a turn.
        let reply = client
            .api()
            .conversations()
            .send_message(SendMessageRequest::new("service-id", "Hi from async"))
            .await?;
        for turn in reply.messages {
            println!("agent: {}", turn.text);
        }
    }
    Ok(())
}
