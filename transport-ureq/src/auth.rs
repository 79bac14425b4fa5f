//! Device-code login and refreshing credentials over ureq.
//!
//! [`device_login`] drives the core's [`DeviceLogin`](amigo_platform_core::auth::DeviceLogin) machine with the same loop as every
//! call: identity requests go out without following redirects, polls sleep (waking early when
//! the options' cancel token fires), and your [`LoginCallbacks`] are called for each item.
//!
//! A [`TokenManager`] is a [`CredentialSource`](amigo_platform_core::CredentialSource): a
//! client built on it refreshes its token before the attempt that needs it, over this
//! transport (the call's machine yields the refresh as a step). [`access_token`] gets a fresh
//! token outside any call, for example to open a WebSocket with it.
//!
//! ```no_run
//! use amigo_platform_core::auth::{cli, FileStorage, FnCallbacks, LoginOptions, TokenManager};
//! use amigo_platform_core::Config;
//! use amigo_platform_ureq::{auth, Client};
//! use std::sync::Arc;
//!
//! let options = LoginOptions::new("https://api.platform.amigo.ai").client_description("my-cli");
//! let mut callbacks = FnCallbacks::new(
//!     |code| println!("{}", cli::instructions(code)),
//!     |workspaces| {
//!         println!("{}", cli::workspace_list(workspaces));
//!         workspaces.first().map(|w| w.workspace_id.clone())
//!     },
//! );
//! let credentials = auth::device_login(&options, &mut callbacks)?;
//!
//! let manager = TokenManager::builder()
//!     .storage(Arc::new(FileStorage::default_location()?))
//!     .build();
//! manager.store(&credentials)?;
//! let config = Config::builder()
//!     .credentials(Arc::new(manager))
//!     .workspace_id(credentials.workspace_id.clone())
//!     .build()?;
//! let client = Client::new(config);
//! # Ok::<(), amigo_platform_core::Error>(())
//! ```

use crate::UreqTransport;
use amigo_platform_core::auth::TokenManager;
use amigo_platform_core::auth::{AccessToken, Credentials, LoginCallbacks, LoginOptions};
use amigo_platform_core::{transport::blocking, Error};

/// Runs a device-code login to completion with a default transport.
///
/// Blocks for as long as the user takes (up to the code's lifetime); cancel it with the
/// options' [`CancelToken`](LoginOptions::cancel_token).
pub fn device_login(
    options: &LoginOptions,
    callbacks: &mut dyn LoginCallbacks,
) -> Result<Credentials, Error> {
    blocking::device_login(&UreqTransport::new(), options, callbacks)
}

/// Runs a device-code login over a specific transport (proxies, TLS settings).
pub fn device_login_with(
    transport: &UreqTransport,
    options: &LoginOptions,
    callbacks: &mut dyn LoginCallbacks,
) -> Result<Credentials, Error> {
    blocking::device_login(transport, options, callbacks)
}

/// The manager's access token, refreshed first over `transport` when under 60 s remain;
/// `None` when nothing is stored.
pub fn access_token(
    manager: &TokenManager,
    transport: &UreqTransport,
) -> Result<Option<AccessToken>, Error> {
    blocking::access_token(transport, manager)
}
