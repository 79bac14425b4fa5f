//! Device-code login and refreshing credentials over ureq.
//!
//! [`device_login`] drives the core's [`DeviceLogin`] machine: it sends each identity
//! request without following redirects, sleeps between polls (waking early when the
//! options' cancel token fires) and calls your [`LoginCallbacks`]. [`token_manager`] builds a
//! [`TokenManager`] whose refresh exchange goes through ureq; the manager is a
//! [`CredentialSource`](amigo_platform_core::CredentialSource), so a client built on it
//! refreshes its token transparently, inside `bearer_token()`, before the attempt that
//! needs it.
//!
//! ```no_run
//! use amigo_platform_core::auth::{cli, FileStorage, FnCallbacks, LoginOptions};
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
//! let manager = auth::token_manager()
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

use crate::driver::now;
use crate::sleep::sleep_until;
use amigo_platform_core::auth::{
    Clock, Credentials, DeviceLogin, IdentityRequest, IdentityTransport, LoginCallbacks,
    LoginOptions, LoginStep, TokenManager, TokenManagerBuilder,
};
use amigo_platform_core::error::TransportErrorKind;
use amigo_platform_core::{CancelToken, Error};
use bytes::Bytes;
use std::io::Read;
use std::sync::Arc;
use web_time::SystemTime;

/// The largest identity response body accepted (1 MiB).
const MAX_IDENTITY_BODY: u64 = 1024 * 1024;

/// Sends identity requests over a ureq agent, never following redirects.
#[derive(Clone)]
pub struct UreqIdentity {
    agent: ureq::Agent,
}

impl std::fmt::Debug for UreqIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UreqIdentity")
    }
}

impl Default for UreqIdentity {
    fn default() -> Self {
        Self::new()
    }
}

impl UreqIdentity {
    /// A client with a default agent.
    pub fn new() -> Self {
        Self::with_agent(ureq::Agent::new_with_defaults())
    }

    /// A client over your agent (proxies, TLS settings).
    pub fn with_agent(agent: ureq::Agent) -> Self {
        UreqIdentity { agent }
    }
}

impl IdentityTransport for UreqIdentity {
    fn send(&self, request: IdentityRequest) -> Result<http::Response<Bytes>, Error> {
        use ureq::RequestExt;
        let net = |e: &dyn std::fmt::Display| Error::network(TransportErrorKind::Other, e);
        let response = request
            .request
            .map(|b| b.to_vec())
            .with_agent(&self.agent)
            .configure()
            .http_status_as_error(false)
            .timeout_global(request.timeout)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .build()
            .run()
            .map_err(|e| net(&e))?;
        let (head, body) = response.into_parts();
        let mut buf = Vec::new();
        body.into_with_config()
            .limit(MAX_IDENTITY_BODY)
            .reader()
            .read_to_end(&mut buf)
            .map_err(|e| net(&e))?;
        Ok(http::Response::from_parts(head, Bytes::from(buf)))
    }
}

/// The system wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// Runs a device-code login to completion with a default agent.
///
/// Blocks for as long as the user takes (up to the code's lifetime); cancel it with the
/// options' [`CancelToken`](LoginOptions::cancel_token).
pub fn device_login(
    options: &LoginOptions,
    callbacks: &mut dyn LoginCallbacks,
) -> Result<Credentials, Error> {
    device_login_with(&UreqIdentity::new(), options, callbacks)
}

/// Runs a device-code login over a specific identity client.
pub fn device_login_with(
    identity: &dyn IdentityTransport,
    options: &LoginOptions,
    callbacks: &mut dyn LoginCallbacks,
) -> Result<Credentials, Error> {
    let tokens: Vec<CancelToken> = options.cancel().cloned().into_iter().collect();
    let mut login = DeviceLogin::new(options.clone());
    // Bounded: every Send is answered, every Wait ends, and the machine ends the login when
    // the code expires.
    loop {
        match login.poll(now()) {
            LoginStep::Send(request) => match identity.send(request) {
                Ok(response) => login.handle_response(response, now()),
                Err(e) => login.handle_failure(e, now()),
            },
            LoginStep::ShowCode(issuance) => callbacks.on_code(&issuance),
            LoginStep::Status(status) => callbacks.on_status(status),
            LoginStep::ChooseWorkspace(list) => {
                let choice = callbacks.on_workspace_required(&list);
                login.choose_workspace(choice);
            }
            LoginStep::Wait(until) => sleep_until(until, &tokens),
            LoginStep::Done(result) => return result,
        }
    }
}

/// A [`TokenManager`] builder whose refreshes go through ureq and the system clock.
///
/// Set the storage (default `~/.amigo/credentials.json`) and the identity base URL, then
/// `build()`. Refreshes run synchronously inside `bearer_token()`.
pub fn token_manager() -> TokenManagerBuilder {
    TokenManager::builder(Arc::new(UreqIdentity::new()), Arc::new(SystemClock))
}
