//! # amigo-platform-hyper
//!
//! The async client of the Amigo Platform SDK, over hyper 1, hyper-util and rustls on tokio.
//! It drives the sans-IO core: each call is a future (`.await` a call directly, or
//! call `.send()`), auto-paging is a [`futures_core::Stream`], and dropping a future cancels
//! the in-flight request and any backoff sleep.
//!
//! ```no_run
//! use amigo_platform_api::ApiExt;
//! use amigo_platform_core::Config;
//! use amigo_platform_hyper::Client;
//!
//! # async fn run() -> Result<(), amigo_platform_core::Error> {
//! let client = Client::new(Config::builder().api_key("sk-...").workspace_id("ws-001").build()?);
//! let page = client.api().agents().list().limit(5).await?;
//! let mut agents = client.api().agents().list_auto_paging().send();
//! while let Some(agent) = agents.next_item().await {
//!     println!("{}", agent?.name);
//! }
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod auth;
mod decode;
mod download;
mod driver;
mod net;
pub mod sse;
mod upload;
pub mod ws;

pub use driver::{
    HttpClient, HyperTransport, HyperTransportBuilder, SentFuture, DEFAULT_MAX_BODY,
    DEFAULT_POOL_IDLE_TIMEOUT,
};
pub use net::ProxyConnector;

/// An async streamed download (`call.stream().await?`): a `futures_core::Stream` of the
/// body's chunks, with `copy_to` a tokio writer.
pub use sse::Download;
pub use upload::{async_reader, RequestBody};

/// The crates a [`HttpClient`] is built from, for [`HyperTransport::with_client`] (so an
/// application can pass its own client without naming their versions itself).
pub use {http_body_util, hyper, hyper_rustls, hyper_util};
/// Async auto-pager (a `futures_core::Stream`).
pub type PageStream<O> = amigo_platform_core::PageStream<HyperTransport, O>;

/// The async client.
pub type Client = amigo_platform_core::Client<HyperTransport>;

pub use amigo_platform_core as core;
