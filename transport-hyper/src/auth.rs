//! Device-code login and refreshing credentials over hyper.
//!
//! [`device_login`] is the async driver of the core's [`DeviceLogin`] machine: identity
//! requests are sent without following redirects, polls sleep on tokio timers (woken early by
//! the options' cancel token), and dropping the future abandons the login.
//!
//! Refreshing credentials: [`CredentialSource::bearer_token`](amigo_platform_core::CredentialSource)
//! is synchronous, and so is the core's [`TokenManager`]. [`token_manager`] gives it a
//! [`HyperIdentity`] whose blocking `send` runs the exchange on a short-lived helper thread
//! with its own current-thread runtime, so it works from any runtime flavour without
//! deadlocking; the calling task's worker waits for that one exchange (at most once per token
//! lifetime, shared by all concurrent callers). To keep even that wait off the request path,
//! call [`refresh_ahead`] from a background task: it refreshes on the blocking pool when the
//! token is inside the refresh window, so later `bearer_token()` calls find a fresh token.
//!
//! ```no_run
//! use amigo_platform_core::auth::{cli, FnCallbacks, LoginOptions, MemoryStorage};
//! use std::sync::Arc;
//!
//! # async fn run() -> Result<(), amigo_platform_core::Error> {
//! let options = LoginOptions::new("https://api.platform.amigo.ai");
//! let mut callbacks = FnCallbacks::new(
//!     |code| println!("{}", cli::instructions(code)),
//!     |workspaces| workspaces.first().map(|w| w.workspace_id.clone()),
//! );
//! let credentials = amigo_platform_hyper::auth::device_login(&options, &mut callbacks).await?;
//! let manager = amigo_platform_hyper::auth::token_manager()
//!     .storage(Arc::new(MemoryStorage::new()))
//!     .build();
//! manager.store(&credentials)?;
//! # Ok(()) }
//! ```

use crate::driver::{default_http_client, now, HttpClient};
use amigo_platform_core::auth::{
    AccessToken, Clock, Credentials, DeviceLogin, IdentityRequest, IdentityTransport,
    LoginCallbacks, LoginOptions, LoginStep, TokenManager, TokenManagerBuilder,
};
use amigo_platform_core::cancel::Cancelled;
use amigo_platform_core::error::TransportErrorKind;
use amigo_platform_core::Error;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use std::sync::Arc;
use web_time::SystemTime;

/// The largest identity response body accepted (1 MiB).
const MAX_IDENTITY_BODY: usize = 1024 * 1024;

fn net(e: impl std::fmt::Display) -> Error {
    Error::network(TransportErrorKind::Other, e)
}

/// Sends identity requests with hyper (hyper's client never follows redirects).
#[derive(Clone, Default)]
pub struct HyperIdentity {
    client: Option<HttpClient>,
}

impl std::fmt::Debug for HyperIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HyperIdentity")
    }
}

impl HyperIdentity {
    /// A client that builds its own connection pool on first use (inside a runtime).
    pub fn new() -> Self {
        HyperIdentity { client: None }
    }

    /// A client over your hyper client (used by [`send_async`](Self::send_async) only).
    pub fn with_client(client: HttpClient) -> Self {
        HyperIdentity {
            client: Some(client),
        }
    }

    /// Sends one identity request, enforcing its time limit.
    pub async fn send_async(
        &self,
        request: IdentityRequest,
    ) -> Result<http::Response<Bytes>, Error> {
        let client = self.client.clone().unwrap_or_else(default_http_client);
        let exchange = async move {
            let response = client
                .request(request.request.map(Full::new))
                .await
                .map_err(net)?;
            let (head, body) = response.into_parts();
            let collected = Limited::new(body, MAX_IDENTITY_BODY)
                .collect()
                .await
                .map_err(net)?;
            Ok(http::Response::from_parts(head, collected.to_bytes()))
        };
        match request.timeout {
            Some(limit) => tokio::time::timeout(limit, exchange)
                .await
                .unwrap_or_else(|_| {
                    Err(Error::timeout(
                        limit,
                        amigo_platform_core::TimeoutScope::Attempt,
                    ))
                }),
            None => exchange.await,
        }
    }
}

impl IdentityTransport for HyperIdentity {
    /// Runs the exchange on a helper thread with its own runtime (see the module docs).
    fn send(&self, request: IdentityRequest) -> Result<http::Response<Bytes>, Error> {
        let handle = std::thread::Builder::new()
            .name("amigo-identity".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(net)?;
                // A fresh pool: connections must not outlive this runtime.
                runtime.block_on(HyperIdentity::new().send_async(request))
            })
            .map_err(net)?;
        handle
            .join()
            .unwrap_or_else(|_| Err(net("identity helper thread panicked")))
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

/// Runs a device-code login to completion.
pub async fn device_login(
    options: &LoginOptions,
    callbacks: &mut (dyn LoginCallbacks + Send),
) -> Result<Credentials, Error> {
    device_login_with(&HyperIdentity::new(), options, callbacks).await
}

/// Runs a device-code login over a specific identity client.
pub async fn device_login_with(
    identity: &HyperIdentity,
    options: &LoginOptions,
    callbacks: &mut (dyn LoginCallbacks + Send),
) -> Result<Credentials, Error> {
    let identity = match &identity.client {
        Some(_) => identity.clone(),
        None => HyperIdentity::with_client(default_http_client()),
    };
    let cancelled = Cancelled::any(options.cancel().cloned().into_iter().collect());
    let mut login = DeviceLogin::new(options.clone());
    loop {
        match login.poll(now()) {
            LoginStep::Send(request) => match identity.send_async(request).await {
                Ok(response) => login.handle_response(response, now()),
                Err(e) => login.handle_failure(e, now()),
            },
            LoginStep::ShowCode(issuance) => callbacks.on_code(&issuance),
            LoginStep::Status(status) => callbacks.on_status(status),
            LoginStep::ChooseWorkspace(list) => {
                let choice = callbacks.on_workspace_required(&list);
                login.choose_workspace(choice);
            }
            LoginStep::Wait(until) => {
                tokio::select! {
                    _ = tokio::time::sleep_until(tokio::time::Instant::from_std(until)) => {}
                    _ = cancelled.clone() => {}
                }
            }
            LoginStep::Done(result) => return result,
        }
    }
}

/// A [`TokenManager`] builder whose refreshes go through [`HyperIdentity`] and the system clock.
pub fn token_manager() -> TokenManagerBuilder {
    TokenManager::builder(Arc::new(HyperIdentity::new()), Arc::new(SystemClock))
}

/// Gets the access token on tokio's blocking pool, refreshing it first if needed.
///
/// Call it ahead of requests (for example from a periodic task) so that the synchronous
/// `bearer_token()` inside each call finds a fresh token and never waits for an exchange.
pub async fn refresh_ahead(manager: &TokenManager) -> Result<Option<AccessToken>, Error> {
    let manager = manager.clone();
    tokio::task::spawn_blocking(move || manager.get_access_token())
        .await
        .unwrap_or_else(|e| Err(net(e)))
}
