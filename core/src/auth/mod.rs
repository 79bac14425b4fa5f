//! Device-code login and token management.
//!
//! - [`DeviceLogin`]: the device-code flow as a sans-IO machine (issue a code, poll with the
//!   interval, `slow_down`, transient 429/5xx backoff, workspace selection, bootstrap
//!   tokens, membership lookup, the refresh exchange that scopes a token to a workspace).
//!   Transports drive it: `amigo_platform_ureq::auth::device_login` (blocking) and
//!   `amigo_platform_hyper::auth::device_login` (async).
//! - [`TokenManager`]: credentials that refresh themselves when under 60 s remain, with
//!   single-flight refreshes in-process and a lock file across processes. It is a
//!   [`CredentialSource`](crate::CredentialSource), so a client keeps working across token
//!   expiry.
//! - [`TokenStorage`]: [`MemoryStorage`] and [`FileStorage`] (`~/.amigo/credentials.json`).
//! - [`cli`]: the instructions text, the OSC 8 link, the workspace list, opening a browser.
//! - [`jwt`]: claims decoding without verification.
//!
//! The machine never reads a clock and never does I/O. The token manager never does either
//! inside a machine's `poll`: it hands out a [`Refresh`](crate::Refresh) that the transport
//! runs (its identity exchange over the transport's own HTTP stack, the storage lock and file
//! around it in the driver's context), and reads time only from the [`Time`](crate::Time)
//! it is given. `FileStorage` (and `cli::open_browser`) are the deliberate exceptions: local
//! persistence and a process spawn, compiled only off `wasm32`.
//!
//! ```
//! use amigo_platform_core::auth::{cli, DeviceLogin, LoginOptions};
//! use amigo_platform_core::{Step, Time};
//! use web_time::{Instant, SystemTime};
//!
//! let mut login = DeviceLogin::new(LoginOptions::new("https://id.example/").client_description("my-cli"));
//! let time = Time { now: Instant::now(), wall: SystemTime::now() };
//! match login.poll(time) {
//!     Step::Send(req) => {
//!         assert_eq!(req.request.uri(), "https://id.example/device/code");
//!         assert_eq!(req.request.body().as_ref(), b"client_description=my-cli");
//!     }
//!     other => panic!("unexpected {other:?}"),
//! }
//! assert!(cli::terminal_link("https://id.example/d").starts_with("\x1b]8;;"));
//! ```

pub mod cli;
mod device;
pub mod jwt;
mod manager;
mod protocol;
mod storage;
mod types;

#[cfg(test)]
mod tests;

pub use device::{
    device_code_denied, device_code_expired, login_cancelled, DeviceLogin, LoginEvent,
    DEFAULT_INTERVAL, MAX_TRANSIENT_WAIT, MIN_INTERVAL, SLOW_DOWN_STEP,
};
pub use manager::{
    Refreshing, TokenManager, TokenManagerBuilder, REFRESH_MARGIN, REFRESH_WAIT, SHARED_FAILURE,
};
pub use protocol::unix_secs;
#[cfg(not(target_arch = "wasm32"))]
pub use storage::FileStorage;
pub use storage::{
    from_file_json, to_file_json, FileProblem, MemoryStorage, StorageLock, TokenStorage,
};
pub use types::{
    AccessToken, Credentials, DeviceCodeIssuance, IdentityRequest, LoginOptions, LoginStatus,
    Workspace, DEFAULT_IDENTITY_BASE_URL, DEFAULT_IDENTITY_TIMEOUT,
};

/// The callbacks of a device-code login, used by the transports' `device_login` drivers.
///
/// `on_workspace_required` is required even when it is never called.
pub trait LoginCallbacks {
    /// Show the code (and/or open `verification_uri_complete`); the code's lifetime starts
    /// when this returns.
    fn on_code(&mut self, issuance: &DeviceCodeIssuance);
    /// Progress of the poll loop.
    fn on_status(&mut self, status: LoginStatus) {
        let _ = status;
    }
    /// Choose a workspace among several; `None` cancels the login.
    fn on_workspace_required(&mut self, workspaces: &[Workspace]) -> Option<String>;
}

/// [`LoginCallbacks`] from two closures (plus an optional status closure).
pub struct FnCallbacks<C, W> {
    on_code: C,
    on_workspace: W,
    on_status: Option<Box<dyn FnMut(LoginStatus) + Send>>,
}

impl<C, W> std::fmt::Debug for FnCallbacks<C, W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FnCallbacks")
    }
}

impl<C, W> FnCallbacks<C, W>
where
    C: FnMut(&DeviceCodeIssuance),
    W: FnMut(&[Workspace]) -> Option<String>,
{
    /// Callbacks for showing the code and choosing a workspace.
    pub fn new(on_code: C, on_workspace_required: W) -> Self {
        FnCallbacks {
            on_code,
            on_workspace: on_workspace_required,
            on_status: None,
        }
    }

    /// Adds a status callback.
    pub fn on_status(mut self, f: impl FnMut(LoginStatus) + Send + 'static) -> Self {
        self.on_status = Some(Box::new(f));
        self
    }
}

impl<C, W> LoginCallbacks for FnCallbacks<C, W>
where
    C: FnMut(&DeviceCodeIssuance),
    W: FnMut(&[Workspace]) -> Option<String>,
{
    fn on_code(&mut self, issuance: &DeviceCodeIssuance) {
        (self.on_code)(issuance)
    }
    fn on_status(&mut self, status: LoginStatus) {
        if let Some(f) = &mut self.on_status {
            f(status)
        }
    }
    fn on_workspace_required(&mut self, workspaces: &[Workspace]) -> Option<String> {
        (self.on_workspace)(workspaces)
    }
}
