//! # amigo-platform-wasm
//!
//! The browser client of the Amigo Platform SDK: the sans-IO core driven over `fetch`, with an
//! `AbortController` per attempt (dropping a future aborts its request), time limits on
//! `setTimeout` and `web-time` clocks. One loop drives every machine of the core: calls, event
//! and turn streams (`sse`), device logins and token refreshes (`auth`). Futures are not
//! `Send` (browsers are single-threaded); the rest is the surface of the native transports.
//!
//! What browsers cannot do, and how it is handled:
//! - response headers are visible only when the server exposes them with CORS; request ids and
//!   rate-limit information then read as absent, never as an error;
//! - the browser follows redirects itself (identity requests fail on one instead) and may
//!   refuse to set `User-Agent` (it is dropped);
//! - a base URL may be relative (`/api`): it resolves against the page's origin.
//!
//! On other targets this crate is empty.
//!
//! ```ignore
//! use amigo_platform_api::ApiExt;
//! let client = amigo_platform_wasm::Client::new(config);
//! let page = client.api().agents().list().limit(5).await?;
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(target_arch = "wasm32")]
pub mod auth;
#[cfg(target_arch = "wasm32")]
mod fetch;
#[cfg(target_arch = "wasm32")]
pub mod sse;
#[cfg(target_arch = "wasm32")]
mod timer;
#[cfg(target_arch = "wasm32")]
pub mod ws;

#[cfg(target_arch = "wasm32")]
pub use fetch::{SentFuture, WasmTransport, DEFAULT_MAX_BODY};

/// A browser streamed download (`call.stream().await?`): a `futures_core::Stream` of the
/// body's chunks.
#[cfg(target_arch = "wasm32")]
pub use sse::Download;

/// The browser client.
#[cfg(target_arch = "wasm32")]
pub type Client = amigo_platform_core::Client<WasmTransport>;

/// Browser auto-pager (a `futures_core::Stream`).
#[cfg(target_arch = "wasm32")]
pub type PageStream<O> = amigo_platform_core::PageStream<WasmTransport, O>;

pub use amigo_platform_core as core;
