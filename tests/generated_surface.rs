//! The generated surface (`client.api()`) on both native transports, against the mock server.

use amigo_platform_api::ApiExt;
use amigo_platform_core::Config;
use amigo_platform_testkit::MockServer;

fn config(server: &MockServer) -> Config {
    Config::builder()
        .api_key(MockServer::API_KEY)
        .workspace_id(MockServer::WORKSPACE_ID)
        .base_url(server.base_url())
        .build()
        .expect("config")
}

#[test]
fn blocking_generated_namespaces_list_get_and_page() {
    let server = MockServer::start();
    server.seed_agents(MockServer::WORKSPACE_ID, 12);
    let client = amigo_platform_ureq::Client::new(config(&server));
    let page = client.api().agents().list().limit(5).send().expect("list");
    assert_eq!(page.items.len(), 5);
    assert_eq!(page.total, Some(12));
    let first = &page.items[0];
    let got = client
        .api()
        .agents()
        .get(first.id.clone())
        .send()
        .expect("get");
    assert_eq!(got.name, first.name);
    let all: Vec<_> = client
        .api()
        .agents()
        .list()
        .limit(5)
        .auto_paging()
        .into_iter()
        .collect::<Result<_, _>>()
        .expect("pages");
    assert_eq!(all.len(), 12);
    let err = client
        .api()
        .agents()
        .get("missing".to_owned())
        .send()
        .unwrap_err();
    assert!(err.is_not_found());
    let uris: Vec<String> = server.requests().iter().map(|r| r.uri()).collect();
    assert_eq!(uris[0], "/v1/ws-001/agents?limit=5");
}

#[tokio::test]
async fn async_generated_namespaces_await_and_stream() {
    let server = MockServer::start();
    server.seed_agents(MockServer::WORKSPACE_ID, 7);
    let client = amigo_platform_hyper::Client::new(config(&server));
    let page = client.api().agents().list().limit(3).await.expect("list");
    assert_eq!(page.items.len(), 3);
    let all = client
        .api()
        .agents()
        .list()
        .limit(3)
        .auto_paging()
        .send()
        .try_collect()
        .await
        .expect("stream");
    assert_eq!(all.len(), 7);
    let entities = client
        .api()
        .world()
        .list_entities()
        .await
        .expect("entities");
    assert!(entities.entities.is_empty());
}
