//! # amigo-platform-bench
//!
//! The SDK-vs-raw benchmark of the Amigo Platform SDK. `cargo bench -p amigo-platform-bench`
//! prints one line per figure: the SDK's figure, the floor's figure (the raw client or
//! primitive doing the same work) and their ratio, all measured in the same run.
//!
//! | figure | SDK | floor |
//! | --- | --- | --- |
//! | `http.blocking` | `blocking::Client` `agents().list().limit(20).send()` | a `ureq::Agent` GET, `serde_json::from_slice` |
//! | `http.async.c1`, `http.async.c32` | `asynchronous::Client`, 1 or 32 tasks in flight | a hyper-util legacy client built like the transport's default one |
//! | `core.round_trip` | `OperationCall` for `list-agents` handed a canned response | `http::Request::builder()` + `serde_json::from_slice` |
//! | `core.parse_json` | `amigo_platform_core::parse::json` | `serde_json::from_slice` |
//! | `webhook.verify` | `Verifier::verify`, 1 KiB body, one secret | HMAC-SHA256 of `v1:{ts}:{body}` + hex compare |
//! | `sse.decode` | `SseDecoder` over 4 KiB reads | `memchr` newline count over the same reads |
//! | `paging.rss` | peak RSS auto-paging 100,000 agents | the same for 1,000 agents (ratio 100k/1k) |
//!
//! The HTTP figures run against [`server::Server`], a minimal in-repo hyper server on
//! `127.0.0.1` on its own thread, serving a fixed ~7 KB page of 20 agents shaped like the
//! generated `Page<AgentResponse>`, which both sides decode into.
//!
//! ## Why not criterion
//!
//! Criterion measures one function at a time: an SDK figure and its floor would be measured
//! seconds apart, on a shared, noisy machine, and the ratio between them is not something it
//! prints. This crate's [`harness`] instead runs the two sides as **interleaved pairs**
//! (one SDK batch, one floor batch, alternating which goes first, many rounds) and reports
//! the median of each side and the ratio of the medians. It also keeps the build lean.
//!
//! ## Running
//!
//! ```text
//! cargo bench -p amigo-platform-bench                  # every figure (about a minute)
//! cargo bench -p amigo-platform-bench -- http          # figures whose name contains `http`
//! AMIGO_BENCH_QUICK=1 cargo bench -p amigo-platform-bench   # smoke run: fewer, shorter rounds
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod figures;
pub mod fixtures;
pub mod harness;
pub mod report;
pub mod server;
pub mod watchdog;

use figures::{Context, FIGURES};
use harness::Settings;
use std::process::ExitCode;
use std::time::Instant;

/// The benchmark's `main`: the paging child when [`figures::paging_rss::CHILD_ENV`] is set,
/// otherwise the figures selected by the command-line filters (all when none), one line each.
/// Fails (exit code 1) when a figure could not be measured, after printing every line.
pub fn main() -> ExitCode {
    if let Ok(spec) = std::env::var(figures::paging_rss::CHILD_ENV) {
        return figures::paging_rss::child_main(&spec);
    }
    // `cargo bench` appends `--bench`; anything starting with `-` is not a filter.
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let selected: Vec<_> = FIGURES
        .iter()
        .filter(|f| filters.is_empty() || filters.iter().any(|x| f.name.contains(x.as_str())))
        .collect();
    if selected.is_empty() {
        let names: Vec<_> = FIGURES.iter().map(|f| f.name).collect();
        eprintln!(
            "no figure matches {filters:?}; figures: {}",
            names.join(", ")
        );
        return ExitCode::FAILURE;
    }
    let settings = Settings::from_env();
    let started = Instant::now();
    println!("{}", report::header(&settings));
    println!();
    let server = if selected.iter().any(|f| f.needs_server) {
        server::Server::start()
    } else {
        Err("not started (no HTTP figure selected)".into())
    };
    let ctx = Context {
        settings: &settings,
        server: &server,
    };
    let watchdog = match watchdog::Watchdog::start() {
        Ok(w) => w,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let mut failed = 0;
    for figure in selected {
        watchdog.arm(figure.name, figure.budget(&settings));
        let result = (figure.run)(&ctx);
        watchdog.disarm();
        match result {
            Ok(line) => println!("{line}"),
            Err(e) => {
                failed += 1;
                println!("{}", report::error_line(figure.name, &e));
            }
        }
    }
    drop(server);
    println!();
    println!(
        "done in {:.1} s{}",
        started.elapsed().as_secs_f64(),
        if failed > 0 {
            format!(", {failed} figure(s) failed")
        } else {
            String::new()
        }
    );
    if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
