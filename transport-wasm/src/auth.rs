//! Device-code login and refreshing credentials in the browser.
//!
//! [`device_login`] drives the core's [`DeviceLogin`](amigo_platform_core::auth::DeviceLogin) machine with the same loop as every
//! call: identity requests go out with `fetch` without following redirects, polls sleep on
//! `setTimeout` (woken early by the options' cancel token), and dropping the future abandons
//! the login.
//!
//! A [`TokenManager`] (memory storage by default here) is a
//! [`CredentialSource`](amigo_platform_core::CredentialSource): a client built on it refreshes
//! its token with `fetch` before the attempt that needs it, as a step of the call's future;
//! concurrent calls share one refresh. [`access_token`] gets a fresh token outside any call,
//! for example to open a WebSocket. The identity service must allow the page's origin (CORS).

use crate::WasmTransport;
use amigo_platform_core::auth::TokenManager;
use amigo_platform_core::auth::{AccessToken, Credentials, LoginCallbacks, LoginOptions};
use amigo_platform_core::{transport::nonblocking, Error};

/// Runs a device-code login to completion over a default transport.
pub async fn device_login(
    options: &LoginOptions,
    callbacks: &mut dyn LoginCallbacks,
) -> Result<Credentials, Error> {
    nonblocking::device_login(&WasmTransport::new(), options, callbacks).await
}

/// Runs a device-code login over a specific transport.
pub async fn device_login_with(
    transport: &WasmTransport,
    options: &LoginOptions,
    callbacks: &mut dyn LoginCallbacks,
) -> Result<Credentials, Error> {
    nonblocking::device_login(transport, options, callbacks).await
}

/// The manager's access token, refreshed first over `transport` when under 60 s remain;
/// `None` when nothing is stored.
pub async fn access_token(
    manager: &TokenManager,
    transport: &WasmTransport,
) -> Result<Option<AccessToken>, Error> {
    nonblocking::access_token(transport, manager).await
}
