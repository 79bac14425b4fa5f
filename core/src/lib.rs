//! # amigo-platform-core
//!
//! The sans-IO protocol core of the Amigo Platform SDK for Rust. It builds typed requests,
//! parses responses and drives the retry and pagination state machines, without any I/O,
//! clock or runtime of its own. Transports (`amigo-platform-ureq`, `amigo-platform-hyper`,
//! `amigo-platform-wasm`) are thin loops that move bytes and time in and out of it.
//!
//! ## Driving contract
//!
//! Every machine of the core — a call ([`OperationCall`]), a workspace event subscription
//! ([`sse::SseSession`]), a turn stream ([`sse::TurnSession`]), a device-code login
//! ([`auth::DeviceLogin`]) — is a [`Machine`]: ask it for the next [`Step`] with the current
//! [`Time`], do what the step says, report back through its `handle_*` inputs (each takes the
//! [`Time`] too), and poll again. One loop drives them all:
//!
//! | step | the driver | then reports |
//! |---|---|---|
//! | `Send(attempt)` | sends `attempt.request` under `attempt.timeout`, aborting it when a cancel token fires; when `attempt.keeps(head)` (a 2xx event stream for `KeepBody::EventStream`, any 2xx for `KeepBody::Success`), keeps the body | `handle_head(head)` for a kept body; otherwise `handle_outcome(..)` with the buffered response, or the failure, timeout or cancellation |
//! | `Refresh(refresh)` | `refresh.begin(wall)`, sends the attempt it returns (if any) like a buffered `Send`, `refresh.finish(outcome, wall)` | `handle_refresh(result)` |
//! | `Read(until)` | reads the next chunk of the kept body; if nothing came by `until` or a cancel token fired, reports nothing | `handle_chunk(bytes)`, `handle_eof()` or `handle_read_error(error)` |
//! | `Wait(until)` | drops any kept body and sleeps until `until`, waking early when a cancel token fires | — |
//! | `Item(item)` | hands the item to its consumer | — |
//! | `Done(result)` | stops: the result is the machine's one terminal outcome | — |
//!
//! A credential source that must refresh its token (a [`auth::TokenManager`] near expiry)
//! makes the next attempt's machine yield `Refresh`; the transport runs the exchange over its
//! own HTTP stack, so no machine ever blocks or does I/O inside `poll`. WebSockets
//! ([`ws::WsSession`]) have their own frame-level steps, with the same names where they mean
//! the same thing.
//!
//! Auto-paging is a [`Pager`]: `next_request()` gives the next page's operation, run it as a
//! call, feed the response to `handle_page()`.
//!
//! ## Writing a transport
//!
//! The loop above is written once, here, for both kinds of I/O: [`transport::blocking::Driver`] over a
//! transport's [`transport::blocking::BlockingIo`] (threads) and [`transport::nonblocking::Driver`] over its
//! [`transport::nonblocking::AsyncIo`] (futures, on any runtime or none). A transport implements the three
//! primitives of one of them (send an attempt and keep a streamed body, read the next bytes of
//! that body, sleep) and gets every call, pager, stream, login and refresh from
//! [`blocking_transport!`] or [`nonblocking_transport!`] and [`nonblocking_streams!`]. The
//! repository's `examples/custom_transport.rs` is a complete one over `std::net::TcpStream`.
//!
//! ```
//! use amigo_platform_core::transport::AttemptOutcome;
//! use amigo_platform_core::{
//!     Config, Error, Operation, OperationCall, RequestOptions, RequestParts, Step, Time,
//! };
//! use bytes::Bytes;
//!
//! /// An operation is a plain value that builds its request and parses its response;
//! /// `amigo-platform-api` generates one per API operation, this one is written by hand.
//! struct GetAgent {
//!     agent_id: String,
//! }
//!
//! impl Operation for GetAgent {
//!     type Output = serde_json::Value;
//!     fn method(&self) -> http::Method {
//!         http::Method::GET
//!     }
//!     fn path_template(&self) -> &str {
//!         "/v1/{workspace_id}/agents/{agent_id}"
//!     }
//!     fn operation_id(&self) -> &str {
//!         "get-agent"
//!     }
//!     fn parts(&self) -> Result<RequestParts, Error> {
//!         Ok(RequestParts::new().path("agent_id", &self.agent_id))
//!     }
//!     fn parse(&self, response: http::Response<Bytes>) -> Result<Self::Output, Error> {
//!         amigo_platform_core::parse::json(response)
//!     }
//! }
//!
//! let config = Config::builder().api_key("sk-test").workspace_id("ws-001").build()?;
//! // The driver owns the clocks; the core only ever receives their readings.
//! use web_time::{Instant as Mono, SystemTime as Wall};
//! let t = || Time { now: Mono::now(), wall: Wall::now() };
//! let op = GetAgent { agent_id: "a-1".into() };
//! let mut call = OperationCall::new(op, &config, &RequestOptions::new(), None, 7, t());
//! let mut served = 0;
//! let agent = loop {
//!     match call.poll(t()) {
//!         Step::Send(attempt) => {
//!             assert_eq!(attempt.request.uri(), "https://api.platform.amigo.ai/v1/ws-001/agents/a-1");
//!             served += 1;
//!             // A real transport does I/O here; this one answers 503 once, then 200.
//!             let (status, body) = if served == 1 { (503, "") } else {
//!                 (200, r#"{"id":"a-1","name":"Ada"}"#)
//!             };
//!             let resp = http::Response::builder().status(status).body(Bytes::from(body))?;
//!             call.handle_outcome(AttemptOutcome::Response(resp), t());
//!         }
//!         Step::Wait(until) => std::thread::sleep(until.saturating_duration_since(Mono::now())),
//!         Step::Done(result) => break result?,
//!         // An API key never needs a refresh, and a call neither streams nor has items.
//!         Step::Refresh(_) | Step::Read(_) | Step::Item(_) => unreachable!(),
//!     }
//! };
//! assert_eq!(agent.data["name"], "Ada");
//! assert_eq!(served, 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Most users do not drive machines by hand: they use a transport's `Client`. Every API
//! operation is a named method of the generated surface in `amigo-platform-api`
//! (`client.api().agents().list()`, with `ApiExt` in scope), which returns that crate's call
//! builder (`amigo_platform_api::Call`), sent with `.send()` (blocking) or `.await` (async).
//! This crate holds what that builder runs on: [`Client`], [`Scope`] (whose
//! [`Scope::context`] merges client scope, resource scope and per-call options into the
//! [`CallContext`]), the [`Transport`] each transport implements, and the low-level operation
//! [`RawRequest`] behind `client.get(..)`, `post`, `put`, `patch`, `delete`, `head`,
//! `options`, `request`, `route` (entry points of `amigo_platform_api::ApiExt`) for routes
//! outside the spec.
//!
//! ## Where things are
//!
//! | path | holds |
//! |---|---|
//! | the crate root | the everyday types: [`Client`], [`Scope`], [`CallContext`], [`Config`], [`Error`] and [`ErrorKind`], [`RequestOptions`], [`Response`] and [`ResponseMeta`], [`Page`], [`CancelToken`], [`Hooks`], [`Body`], [`Multipart`], [`Patch`], [`Query`], the [`Operation`] trait, the [`Transport`] trait, and the machine contract ([`Machine`], [`Step`], [`Time`]) |
//! | [`parse`] | the response parsers an [`Operation::parse`] uses |
//! | [`transport`] | for transport authors: the blocking and non-blocking drivers and what their primitives exchange with the machines ([`transport::Attempt`], [`transport::AttemptOutcome`], [`transport::Sent`], [`transport::Read`], [`transport::BodyLimit`]) |
//! | [`sse`] | workspace event subscriptions and turn streams |
//! | [`ws`] | WebSocket sessions |
//! | [`auth`] | device-code login and token management |
//! | [`webhook`] | webhook signature verification |

#![forbid(unsafe_code)]
#![warn(missing_docs)]
// Library code reports through return values, hooks and `tracing`, never the console.
#![cfg_attr(not(test), warn(clippy::print_stdout, clippy::print_stderr))]

// Layout. The root holds what every part uses: the client and its transport trait
// (`client`), configuration, credentials, the machine contract (`machine`, `time`),
// cancellation and the error type (`error/`, with the redaction that keeps secrets out of
// errors, `Debug` output and hooks). `call/` is everything about one HTTP operation (the
// `Operation` trait, request building and encoding, options, the retry machine, responses,
// parsing, hooks, the low-level routes, and `call/pages/` for auto-paging). `transport/` drives
// machines over real I/O. `sse/`, `ws/`, `auth/` and `webhook/` are the feature areas.
//
// Visibility. Modules are private except the feature areas and `transport`; every public type
// has exactly one path: the everyday types at the crate root (below), the rest in `sse`, `ws`,
// `auth`, `webhook`, `parse` or `transport`. Internals are `pub(crate)`; the few the SDK's own
// crates and macros need are in the hidden `__private` module.
//
// Tests. Short unit tests sit inline in `#[cfg(test)] mod tests { .. }`. Longer ones live in a
// `tests.rs` inside the module's folder, declared `#[cfg(test)] mod tests;`: `foo/mod.rs` has
// `foo/tests.rs`, and a file module `foo.rs` gets a folder for it, `foo/tests.rs`. When they
// are split by topic, the parts are submodules of `tests` (`foo/tests/<topic>.rs`).

mod call;
mod cancel;
mod client;
mod config;
mod credentials;
mod error;
mod machine;
mod time;

pub mod auth;
pub mod sse;
pub mod transport;
pub mod webhook;
pub mod ws;

pub mod parse {
    //! Response parsers for [`Operation::parse`](crate::Operation::parse): the generated
    //! operations (and hand-written ones) turn an `http::Response<Bytes>` into their output
    //! with one of these.

    pub use crate::call::parse::{binary, json, optional_binary, optional_json, text, unit};
}

pub use call::backoff::{FixedRandom, RandomSource, XorShift};
pub use call::body::{Body, Multipart, Part};
pub use call::download::{DownloadHead, DownloadOptions, Progress, DEFAULT_READ_TIMEOUT};
pub use call::hooks::{
    AttemptInfo, Decision, ErrorHookContext, HookError, Hooks, RequestHookContext,
    ResponseHookContext,
};
pub use call::lowlevel::{RawData, RawRequest, ResponseMode, Route};
pub use call::operation::{Operation, PageData, PagerKind, Paginated, RequestParts};
pub use call::options::{RequestOptions, RetryOverride, RetryPolicy};
pub use call::pages::iter::{PageIter, PageStream};
pub use call::pages::pager::{paginate, Page, Pager, Paginate};
pub use call::parse::Binary;
pub use call::patch::Patch;
pub use call::query::{Query, QueryValue};
pub use call::response::{RateLimit, Response, ResponseMeta};
pub use call::retry::{Call, CallStep, OperationCall};
pub use call::upload::{OnUploadProgress, Source, UploadProgress};
pub use cancel::CancelToken;
pub use client::{CallContext, Client, Scope, Transport};
pub use config::{
    Config, ConfigBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, USER_AGENT,
};
pub use credentials::{
    Anonymous, ApiKey, Authorization, CredentialSource, Refresh, RefreshJob, Secret,
};
pub use error::{
    Error, ErrorContext, ErrorKind, LocSegment, NotRetried, Result, TimeoutScope,
    TransportErrorKind, ValidationIssue, MAX_ERROR_BODY,
};
pub use machine::{Machine, Step};
pub use time::Time;

#[doc(hidden)]
pub mod __private {
    //! Internals that the SDK's own crates need: the generated `amigo-platform-api` (redacting
    //! `Debug`, query formatting, request tests), `xtask`, core's integration tests, and the
    //! `$crate` paths of the transport macros. Not public API: no stability promise.

    pub use crate::call::backoff::random_seed;
    pub use crate::call::query::format_float;
    pub use crate::call::request::{prepare, PreparedRequest};
    pub use crate::call::retry_after::parse_retry_after;
    pub use crate::config::validate_base_url;
    pub use crate::error::redact::{
        body_debug, is_sensitive_key, redact_json, redact_url, REDACTED,
    };
    pub use bytes::Bytes;
}

pub use bytes;
pub use http;
pub use web_time;
