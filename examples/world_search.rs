//! Search the world model: list entities filtered by text and type (typed, paged), then run
//! the world search over the same words (a free-form JSON answer).
//!
//! Without `AMIGO_API_KEY` it runs against the embedded mock on 127.0.0.1, seeded with a
//! dozen entities. With `AMIGO_API_KEY` and `AMIGO_WORKSPACE_ID` set it searches your
//! workspace; `WORLD_SEARCH_QUERY` (default `entity`) is the text to look for.
//!
//! Run: `cargo run --example world_search`

#[path = "guide/mod.rs"]
mod guide;

use amigo_platform::prelude::*;

fn main() -> Result<(), Error> {
    let target = guide::Target::from_env();
    if let Some(server) = target.mock() {
        server.seed_entities(amigo_platform_testkit::MockServer::WORKSPACE_ID, 12);
    }
    let client = BlockingClient::new(target.config()?);
    let q = std::env::var("WORLD_SEARCH_QUERY").unwrap_or_else(|_| "entity".to_owned());

    // 1. Entities whose name or id contains the text, only patients, five per page.
    let page = client
        .api()
        .world()
        .list_entities()
        .q(&q)
        .entity_type(["patient"])
        .limit(5)
        .send()?;
    println!(
        "1. list_entities(q={q:?}, entity_type=patient): {} of {} (more: {})",
        page.entities.len(),
        page.total,
        page.has_more
    );
    for e in &page.entities {
        println!(
            "   {} {} ({})",
            e.entity_type,
            e.display_name.as_deref().unwrap_or("-"),
            e.id
        );
    }

    // 2. Every match across pages: auto-paging follows `next_offset` for you.
    let mut all = 0;
    for entity in client
        .api()
        .world()
        .list_entities()
        .q(&q)
        .limit(5)
        .auto_paging()
    {
        entity?;
        all += 1;
    }
    println!("2. auto-paging: {all} entities match {q:?} in all");

    // 3. World search: ranked matches; the answer is a JSON object.
    let hits = client
        .api()
        .world()
        .search(&q)
        .entity_type("patient")
        .limit(3)
        .send()?;
    let results = hits.get("results").and_then(|r| r.as_array());
    println!(
        "3. search({q:?}): {} results, total {}",
        results.map_or(0, Vec::len),
        hits.get("total")
            .map_or_else(|| "-".to_owned(), ToString::to_string)
    );
    for hit in results.into_iter().flatten() {
        println!(
            "   {} score {}",
            hit["entity"]["display_name"], hit["score"]
        );
    }
    Ok(())
}
