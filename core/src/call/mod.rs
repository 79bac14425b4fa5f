//! Everything about one HTTP operation: the [`Operation`](operation::Operation) trait and its
//! request parts, query and body encoding, per-request options, the retry machine
//! ([`retry`]), response metadata and parsing, hooks, the low-level route helpers, and the
//! pagination machine and iterators ([`pages`]).

pub mod attempt;
pub mod backoff;
pub mod body;
pub mod download;
pub mod encode;
pub mod hooks;
pub mod lowlevel;
pub mod operation;
pub mod options;
pub mod pages;
pub mod parse;
pub mod patch;
pub mod query;
pub mod redirect;
pub mod request;
pub mod response;
pub mod retry;
pub mod retry_after;
#[cfg(test)]
pub(crate) mod test_ops;
pub mod upload;
