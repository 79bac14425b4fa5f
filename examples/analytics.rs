//! Workspace analytics: the dashboard summary for the last week and call statistics for the
//! last month (the dashboard a JSON object, the statistics typed), with the status and rate-limit metadata of a call.
//!
//! Without `AMIGO_API_KEY` it runs against the embedded mock on 127.0.0.1, seeded with agents
//! and calls. With `AMIGO_API_KEY` and `AMIGO_WORKSPACE_ID` set it reads your workspace.
//!
//! Run: `cargo run --example analytics`

#[path = "guide/mod.rs"]
mod guide;

use amigo_platform::prelude::*;
use amigo_platform_testkit::MockServer;

/// Prints the top-level fields of a JSON object, one per line.
fn print_fields<'a, V: std::fmt::Display + 'a>(
    object: impl IntoIterator<Item = (&'a String, &'a V)>,
) {
    for (key, value) in object {
        println!("   {key}: {value}");
    }
}

fn main() -> Result<(), Error> {
    let target = guide::Target::from_env();
    if let Some(server) = target.mock() {
        server.seed_agents(MockServer::WORKSPACE_ID, 3);
        server.seed_calls(MockServer::WORKSPACE_ID, 8);
        server.seed_entities(MockServer::WORKSPACE_ID, 5);
    }
    let client = BlockingClient::new(target.config()?);

    // 1. The dashboard over the last 7 days.
    let dashboard = client.api().analytics().get_dashboard().days(7).send()?;
    println!("1. dashboard, last 7 days:");
    print_fields(&dashboard);

    // 2. Call statistics over 30 days, with the response metadata.
    let calls = client
        .api()
        .analytics()
        .get_calls()
        .days(30)
        .send_with_meta()?;
    println!(
        "2. calls, last 30 days (status {}, {} requests left):",
        calls.meta.status,
        calls
            .meta
            .rate_limit
            .remaining
            .map_or_else(|| "?".to_owned(), |n| n.to_string())
    );
    let stats = &calls.data;
    println!(
        "   {} calls from {} to {}, {:.1} s on average",
        stats.total_calls, stats.period_start, stats.period_end, stats.avg_duration_seconds
    );
    for day in &stats.calls_by_date {
        println!("   {}: {} calls", day.date, day.count);
    }
    Ok(())
}
