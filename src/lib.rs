//! # amigo-platform
//!
//! The Rust SDK for the Amigo Platform API. This facade re-exports the sans-IO core
//! ([`core`]) and, by cargo feature, the transports:
//!
//! - feature `blocking` (default): [`blocking::Client`], over ureq;
//! - feature `async` (default): [`asynchronous::Client`], over hyper and tokio.
//!
//! ```no_run
//! # #[cfg(feature = "blocking")] {
//! use amigo_platform::{blocking::Client, Config};
//!
//! let client = Client::new(Config::from_env()?);
//! for agent in client.agents().list_auto_paging() {
//!     println!("{}", agent?.name);
//! }
//! # }
//! # Ok::<(), amigo_platform::Error>(())
//! ```
//!
//! See `examples/quickstart.rs` for a tour against the embedded mock server.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub use amigo_platform_core as core;
pub use amigo_platform_core::{
    CancelToken, Config, ConfigBuilder, Error, ErrorKind, RequestOptions, Response, ResponseMeta,
};

/// The blocking client (ureq).
#[cfg(feature = "blocking")]
pub mod blocking {
    pub use amigo_platform_ureq::{Client, PageIter, UreqExecutor};
}

/// The async client (hyper, tokio).
#[cfg(feature = "async")]
pub mod asynchronous {
    pub use amigo_platform_hyper::{Client, HyperExecutor, PageStream};
}
