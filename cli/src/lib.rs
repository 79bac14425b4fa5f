//! `amigo`: a command-line client for the whole Amigo Platform API.
//!
//! Every operation of the API is a command, `amigo <namespace> <method> [path args] [flags]`,
//! built at run time from one generated table ([`OPERATIONS`], written by `cargo xtask
//! codegen` from the same description of the API as the SDK's typed operations) and sent by one
//! generic executor over the SDK's blocking client: retries, timeouts, pagination, errors and
//! redaction are the SDK's. The library exposes the table and the request builder so tests can
//! check every command against the SDK; the binary is `amigo` (`src/main.rs`).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod auth;
pub mod body;
pub mod commands;
mod download;
pub mod errors;
mod events;
pub mod exec;
pub mod output;
pub mod request;
pub mod spec;
mod webhook;

#[path = "generated/table.rs"]
mod table;

pub use errors::{CliError, Exit};
pub use exec::run;
pub use request::{Answer, CliOp};
pub use spec::OpSpec;
pub use table::OPERATIONS;

/// Parses a full command line (`["amigo", "agents", "list", …]`) and builds the request of the
/// operation it names, without sending it (what `--dry-run` prints and the tests compare).
pub fn request_for(argv: &[String]) -> Result<CliOp, CliError> {
    let args: Vec<std::ffi::OsString> = argv.iter().map(Into::into).collect();
    let matches = commands::build_for(&args)
        .try_get_matches_from(&args)
        .map_err(|e| CliError::usage(e.to_string().trim_start_matches("error: ").trim_end()))?;
    let mut words = Vec::new();
    let mut cur = &matches;
    while let Some((name, sub)) = cur.subcommand() {
        words.push(name);
        cur = sub;
    }
    let spec = spec::find_operation(&words)
        .ok_or_else(|| CliError::usage(format!("`{}` is not an operation", words.join(" "))))?;
    CliOp::from_matches(spec, cur)
}
