//! The low-level helpers: any path template with `client.get(..)` / `post(..)` / `request(..)`,
//! a bound `Route` reused for several calls, raw JSON in and out, and a route the typed
//! surface does not have.
//!
//! They go through the same machinery as the typed calls (retries, timeouts, hooks, errors);
//! `{workspace_id}` is filled in from the configuration.
//!
//! Without `AMIGO_API_KEY` it runs against the embedded mock on 127.0.0.1. With
//! `AMIGO_API_KEY` and `AMIGO_WORKSPACE_ID` set it sends the read-only calls to the API.
//!
//! Run: `cargo run --example low_level`

#[path = "guide/mod.rs"]
mod guide;

use amigo_platform::core::http::Method;
use amigo_platform::core::{RawData, ResponseMode, Route};
use amigo_platform::prelude::*;
use std::collections::BTreeMap;
use std::time::Duration;

fn main() -> Result<(), Error> {
    let target = guide::Target::from_env();
    if let Some(server) = target.mock() {
        server.seed_agents(amigo_platform_testkit::MockServer::WORKSPACE_ID, 4);
    }
    let client = BlockingClient::new(target.config()?);

    // 1. GET a path template with query parameters; the body comes back as raw JSON.
    let data = client
        .get("/v1/{workspace_id}/agents")
        .query("limit", 3)
        .timeout(Duration::from_secs(10))
        .send()?;
    // Any other shape (an empty body, say) leaves the list empty.
    let items = match &data {
        RawData::Json(page) => page["items"].as_array().cloned().unwrap_or_default(),
        _ => Vec::new(),
    };
    let ids: Vec<String> = items
        .iter()
        .filter_map(|a| a["id"].as_str().map(str::to_owned))
        .collect();
    println!(
        "1. GET /v1/{{workspace_id}}/agents: {} agents as raw JSON",
        ids.len()
    );

    // 2. A bound route: the method and template captured once, reused with path parameters.
    let get_agent = Route::new(Method::GET, "/v1/{workspace_id}/agents/{agent_id}")?;
    for id in ids.iter().take(2) {
        let agent = client.route(&get_agent).path_param("agent_id", id).send()?;
        if let RawData::Json(agent) = agent {
            println!("2. bound route: {} is {}", id, agent["name"]);
        }
    }

    // 3. Raw JSON in: a POST with a body built by hand, with the status and request id.
    if target.mock().is_some() {
        let created = client
            .post("/v1/{workspace_id}/agents")
            // Anything serde can serialize: here a map, sent as a JSON object.
            .json(&BTreeMap::from([
                ("name", "Low-level agent"),
                ("description", "raw JSON"),
            ]))
            .send_with_meta()?;
        if let RawData::Json(agent) = &created.data {
            println!(
                "3. raw POST: {} created {} (request {})",
                created.meta.status,
                agent["id"],
                created.meta.request_id.as_deref().unwrap_or("-")
            );
        }
    } else {
        println!("3. raw POST: skipped against the API (it would create an agent)");
    }

    // 4. A route the typed surface does not have (a newer endpoint, say): name any method and
    //    template. This one does not exist, so both the mock and the API answer 404, which
    //    arrives as the usual error.
    match client
        .request(Method::GET, "/v1/{workspace_id}/agents/{agent_id}/summary")
        .path_param("agent_id", ids.first().map_or("none", String::as_str))
        .mode(ResponseMode::Text)
        .send()
    {
        Ok(RawData::Text(text)) => println!("4. unlisted route: {} bytes of text", text.len()),
        Ok(other) => println!("4. unlisted route: {other:?}"),
        Err(e) if e.is_not_found() => println!(
            "4. unlisted route: {} (status {:?})",
            e.message(),
            e.status()
        ),
        Err(e) => return Err(e),
    }
    Ok(())
}
