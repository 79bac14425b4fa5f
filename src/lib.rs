//! # amigo-platform
//!
//! The Rust SDK for the Amigo Platform API. This facade re-exports the sans-IO core
//! ([`core`]) and, by cargo feature, the transports:
//!
//! - feature `blocking` (default): [`blocking::Client`], over ureq;
//! - feature `async` (default): [`asynchronous::Client`], over hyper and tokio;
//! - feature `browser` (wasm32 only): `browser::Client`, over the browser's `fetch` (a web
//!   application depends on `amigo-platform` with `default-features = false,
//!   features = ["browser"]`).
//!
//! ```no_run
//! # #[cfg(feature = "blocking")] {
//! use amigo_platform::{blocking::Client, ApiExt, Config};
//!
//! let client = Client::new(Config::from_env()?);
//! for agent in client.api().agents().list_auto_paging() {
//!     println!("{}", agent?.name);
//! }
//! # }
//! # Ok::<(), amigo_platform::Error>(())
//! ```
//!
//! Every one of the API's 487 operations is a named method under `client.api()` (bring
//! [`ApiExt`] into scope): `client.api().billing().customers().list()`, with typed models in
//! [`api::models`] and operation values in [`api::ops`]. Members that make more than one
//! request are there too, such as `client.api().conversations().send_message(..)` (see
//! [`api::conversations`]). Each method returns a [`Call`]: the one builder of a request, with
//! the operation's parameter setters, per-call options (`.header(..)`, `.timeout(..)`, ..) and
//! `.send()` (blocking) or `.await` (async). [`ApiExt`] also has `client.call(op)` for any
//! operation value and the low-level helpers (`client.get("/v1/{workspace_id}/agents")`, ..).
//!
//! The [`prelude`] brings the everyday names into scope in one line
//! (`use amigo_platform::prelude::*;`).
//!
//! See `examples/quickstart.rs` for a tour against the embedded mock server.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub use amigo_platform_api as api;
pub use amigo_platform_api::{ApiExt, Call};
pub use amigo_platform_core as core;
pub use amigo_platform_core::{
    Body, CancelToken, Config, ConfigBuilder, DownloadHead, DownloadOptions, Error, ErrorKind,
    Multipart, Part, Progress, RequestOptions, Response, ResponseMeta, Source, UploadProgress,
};

/// The blocking client (ureq): calls, event streams (`sse`), WebSockets (`ws`) and
/// device-code login (`auth`).
#[cfg(feature = "blocking")]
pub mod blocking {
    pub use amigo_platform_ureq::{
        auth, sse, ureq, ws, Client, Download, PageIter, UreqTransport, UreqTransportBuilder,
    };
}

/// The async client (hyper, tokio): calls, event streams (`sse`), WebSockets (`ws`) and
/// device-code login (`auth`).
#[cfg(feature = "async")]
pub mod asynchronous {
    pub use amigo_platform_hyper::{
        async_reader, auth, http_body_util, hyper, hyper_rustls, hyper_util, sse, ws, Client,
        Download, HttpClient, HyperTransport, HyperTransportBuilder, PageStream, ProxyConnector,
        RequestBody,
    };
}

/// The browser client (feature `browser`, on wasm32 only): calls over `fetch`, event and turn
/// streams (`sse`), WebSockets (`ws`) and device-code login (`auth`). Its futures are not
/// `Send` (browsers are single-threaded).
#[cfg(all(feature = "browser", target_arch = "wasm32"))]
pub mod browser {
    pub use amigo_platform_wasm::{auth, sse, ws, Client, PageStream, WasmTransport};
}

/// Webhook verification (no transport needed).
pub use amigo_platform_core::webhook;

/// The everyday names in one import: `use amigo_platform::prelude::*;`.
///
/// It holds [`ApiExt`] (which gives `client.api()` and the low-level helpers), the
/// configuration, error and per-call option types, and the clients of the enabled features
/// under distinct names, so that both can be in scope at once: `BlockingClient` (feature
/// `blocking`, the blocking `Client`), `AsyncClient` (feature `async`, the asynchronous
/// `Client`) and `BrowserClient` (feature `browser`, on wasm32).
///
/// ```no_run
/// # #[cfg(feature = "blocking")] {
/// use amigo_platform::prelude::*;
///
/// let client = BlockingClient::new(Config::from_env()?);
/// let page = client.api().agents().list().limit(5).send()?;
/// println!("{} agents on this page", page.items.len());
/// # }
/// # Ok::<(), amigo_platform::Error>(())
/// ```
pub mod prelude {
    pub use crate::{
        ApiExt, CancelToken, Config, Error, ErrorKind, RequestOptions, Response, ResponseMeta,
    };

    /// The blocking client (feature `blocking`), as [`crate::blocking::Client`].
    #[cfg(feature = "blocking")]
    pub use crate::blocking::Client as BlockingClient;

    /// The async client (feature `async`), as [`crate::asynchronous::Client`].
    #[cfg(feature = "async")]
    pub use crate::asynchronous::Client as AsyncClient;

    /// The browser client (feature `browser`, wasm32 only), as `crate::browser::Client`.
    #[cfg(all(feature = "browser", target_arch = "wasm32"))]
    pub use crate::browser::Client as BrowserClient;
}

/// Every `rust` block of the README, compiled (and run unless `no_run`) as a doctest, so
/// that the README cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
