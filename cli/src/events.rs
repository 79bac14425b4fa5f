//! `amigo events tail`: the workspace event stream, one JSON line per event.

use crate::errors::CliError;
use crate::exec::{config, Client, Globals};
use crate::output::Printer;
use amigo_platform_core::sse::{SseOptions, StreamItem, StreamState};
use clap::ArgMatches;
use serde_json::{json, Value};
use std::time::Duration;

/// Follows the workspace's events through the SDK's subscription, which reconnects and
/// resumes from the last event id by itself; prints `{"id", "type", "data"}` per event. Ends
/// on Ctrl-C, after `--max-events` or `--for`, or with the stream's terminal error.
pub fn tail(g: &Globals, m: &ArgMatches) -> Result<(), CliError> {
    let types: Vec<String> = m
        .get_many::<String>("type")
        .map(|v| v.cloned().collect())
        .unwrap_or_default();
    let max = m.get_one::<u64>("max-events").copied();
    let client = Client::new(config(g)?);
    let subscription = amigo_platform_ureq::sse::subscribe(&client, SseOptions::new());
    let handle = subscription.handle();
    let on_signal = handle.clone();
    // Ctrl-C closes the subscription: the loop below ends and the process exits 0. A second
    // handler cannot be installed (tests run many commands in one process), which is harmless.
    let _ = ctrlc::set_handler(move || on_signal.close());
    if let Some(limit) = m.get_one::<Duration>("for").copied() {
        let timer = handle.clone();
        std::thread::spawn(move || {
            std::thread::sleep(limit);
            timer.close();
        });
    }
    let printer = Printer {
        pretty: false,
        fields: g.fields.clone(),
    };
    let mut out = std::io::stdout().lock();
    let mut printed = 0u64;
    if max == Some(0) {
        return Ok(());
    }
    for item in subscription {
        match item? {
            StreamItem::Event(e) => {
                if !types.is_empty() && !types.contains(&e.event_type) {
                    continue;
                }
                let line = json!({"id": e.id, "type": e.event_type, "data": Value::Object(e.data)});
                printer
                    .print_line(&mut out, &line)
                    .map_err(|e| CliError::other(format!("writing the output: {e}")))?;
                printed += 1;
                if max.is_some_and(|n| printed >= n) {
                    handle.close();
                    break;
                }
            }
            StreamItem::State(StreamState::Reconnecting {
                attempt,
                delay,
                cause,
            }) if g.verbose => {
                eprintln!(
                    "reconnecting (attempt {attempt}) in {} ms: {cause}",
                    delay.as_millis()
                );
            }
            StreamItem::State(_) => {}
        }
    }
    Ok(())
}
