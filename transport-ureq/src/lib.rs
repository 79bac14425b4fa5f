//! # amigo-platform-ureq
//!
//! The blocking client of the Amigo Platform SDK, over [`ureq`] 3. It is a thin driver of the
//! sans-IO core: the core decides retries, waits and errors; this crate sends each attempt with
//! its time limit, sleeps (interruptibly) and turns ureq's failures into the core's kinds.
//!
//! ```no_run
//! use amigo_platform_api::ApiExt;
//! use amigo_platform_core::Config;
//! use amigo_platform_ureq::Client;
//!
//! let client = Client::new(Config::builder().api_key("sk-...").workspace_id("ws-001").build()?);
//! let page = client.api().agents().list().limit(5).send()?;
//! for agent in client.api().agents().list_auto_paging() {
//!     println!("{}", agent?.name);
//! }
//! # Ok::<(), amigo_platform_core::Error>(())
//! ```
//!
//! Cancellation: give a [`CancelToken`](amigo_platform_core::CancelToken) in the options; a
//! cancelled call returns `Cancelled` promptly, also during a backoff sleep or an in-flight
//! attempt (the attempt then runs on a helper thread so it can be abandoned).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod auth;
mod builder;
mod driver;
mod net;
mod sleep;
pub mod sse;
mod upload;
pub mod ws;

pub use builder::UreqTransportBuilder;
pub use driver::{UreqTransport, DEFAULT_MAX_BODY};

/// The HTTP client crate, for [`UreqTransport::with_agent`] (so an application can pass its
/// own agent without naming ureq's version itself).
pub use ureq;
/// A blocking streamed download (`call.stream()?`): an `Iterator` of the body's chunks, a
/// [`std::io::Read`], and `copy_to` a writer.
pub type Download = amigo_platform_core::transport::download::Download<UreqTransport>;
/// Blocking auto-pager.
pub type PageIter<O> = amigo_platform_core::PageIter<UreqTransport, O>;

/// The blocking client.
pub type Client = amigo_platform_core::Client<UreqTransport>;

pub use amigo_platform_core as core;
