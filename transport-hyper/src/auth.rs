//! Device-code login and refreshing credentials over hyper.
//!
//! [`device_login`] drives the core's [`DeviceLogin`](amigo_platform_core::auth::DeviceLogin) machine with the same loop as every
//! call: identity requests are sent without following redirects, polls sleep on tokio timers
//! (woken early by the options' cancel token), and dropping the future abandons the login.
//!
//! A [`TokenManager`] is a [`CredentialSource`](amigo_platform_core::CredentialSource): a
//! client built on it refreshes its token before the attempt that needs it, over this
//! transport's own connection pool, as a step of the call's future: no thread, no runtime and
//! no blocked worker. Concurrent calls share one refresh (the others wait for it on timers).
//! [`access_token`] gets a fresh token outside any call, for example to open a WebSocket.
//!
//! ```no_run
//! use amigo_platform_core::auth::{cli, FnCallbacks, LoginOptions, MemoryStorage, TokenManager};
//! use std::sync::Arc;
//!
//! # async fn run() -> Result<(), amigo_platform_core::Error> {
//! let options = LoginOptions::new("https://api.platform.amigo.ai");
//! let mut callbacks = FnCallbacks::new(
//!     |code| println!("{}", cli::instructions(code)),
//!     |workspaces| workspaces.first().map(|w| w.workspace_id.clone()),
//! );
//! let credentials = amigo_platform_hyper::auth::device_login(&options, &mut callbacks).await?;
//! let manager = TokenManager::builder().storage(Arc::new(MemoryStorage::new())).build();
//! manager.store(&credentials)?;
//! # Ok(()) }
//! ```

use crate::HyperTransport;
use amigo_platform_core::auth::TokenManager;
use amigo_platform_core::auth::{AccessToken, Credentials, LoginCallbacks, LoginOptions};
use amigo_platform_core::{transport::nonblocking, Error};

/// Runs a device-code login to completion over a default transport.
pub async fn device_login(
    options: &LoginOptions,
    callbacks: &mut (dyn LoginCallbacks + Send),
) -> Result<Credentials, Error> {
    nonblocking::device_login(&HyperTransport::new(), options, callbacks).await
}

/// Runs a device-code login over a specific transport.
pub async fn device_login_with(
    transport: &HyperTransport,
    options: &LoginOptions,
    callbacks: &mut (dyn LoginCallbacks + Send),
) -> Result<Credentials, Error> {
    nonblocking::device_login(transport, options, callbacks).await
}

/// The manager's access token, refreshed first over `transport` when under 60 s remain;
/// `None` when nothing is stored.
pub async fn access_token(
    manager: &TokenManager,
    transport: &HyperTransport,
) -> Result<Option<AccessToken>, Error> {
    nonblocking::access_token(transport, manager).await
}
