//! Values exchanged with the identity service and the callers of the login flow.

use crate::cancel::CancelToken;
use crate::credentials::Secret;
use bytes::Bytes;
use std::fmt;
use std::time::Duration;

/// The default identity service base URL.
pub const DEFAULT_IDENTITY_BASE_URL: &str = "https://api.platform.amigo.ai";

/// The default time limit of one identity request.
pub const DEFAULT_IDENTITY_TIMEOUT: Duration = Duration::from_secs(30);

/// What `POST /device/code` returned: the code to show and how to poll.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceCodeIssuance {
    /// The device code sent back while polling (secret; redacted in `Debug`).
    pub device_code: Secret,
    /// The short code the user types in the browser.
    pub user_code: String,
    /// The page where the user enters the code.
    pub verification_uri: String,
    /// The page with the code pre-filled, when the service sent one.
    pub verification_uri_complete: Option<String>,
    /// How long the code is valid (900 s when the service did not say).
    pub expires_in: Duration,
    /// The polling interval the service asked for, if any (positive).
    pub interval: Option<Duration>,
}

/// One workspace membership, as listed by the identity service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Workspace {
    /// The workspace id.
    pub workspace_id: String,
    /// The caller's role in it, when known.
    pub role: Option<String>,
    /// The workspace's display name, when known.
    pub name: Option<String>,
}

impl Workspace {
    /// A membership with only an id.
    pub fn new(workspace_id: impl Into<String>) -> Self {
        Workspace {
            workspace_id: workspace_id.into(),
            role: None,
            name: None,
        }
    }

    pub(crate) fn from_json(v: &serde_json::Value) -> Option<Workspace> {
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_owned);
        Some(Workspace {
            workspace_id: s("workspace_id").filter(|s| !s.is_empty())?,
            role: s("role").filter(|s| !s.is_empty()),
            name: s("name").filter(|s| !s.is_empty()),
        })
    }
}

/// Progress of the poll loop, reported as [`LoginEvent::Status`](super::LoginEvent::Status) items.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LoginStatus {
    /// A poll request is about to be sent.
    Polling,
    /// The user has not approved yet.
    AuthorizationPending,
    /// The service asked to poll more slowly (the interval grew by 5 s).
    SlowDown,
    /// The user approved; the workspace is being resolved.
    Approved,
    /// The device code expired.
    Expired,
    /// The user denied the request.
    Denied,
}

impl LoginStatus {
    /// The protocol's name for the status (`polling`, `authorization_pending`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            LoginStatus::Polling => "polling",
            LoginStatus::AuthorizationPending => "authorization_pending",
            LoginStatus::SlowDown => "slow_down",
            LoginStatus::Approved => "approved",
            LoginStatus::Expired => "expired",
            LoginStatus::Denied => "denied",
        }
    }
}

impl fmt::Display for LoginStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Credentials for one workspace: the result of a login and what token storage holds.
///
/// `Debug` shows neither token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// The access token sent as `Authorization: Bearer …`.
    pub access_token: Secret,
    /// The refresh token (may be empty when the service returned none).
    pub refresh_token: Secret,
    /// The workspace the token is scoped to.
    pub workspace_id: String,
    /// When the access token expires, in Unix seconds.
    pub expires_at: u64,
    /// The granted scope, if the service said.
    pub scope: Option<String>,
}

/// An access token ready to use, with its workspace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessToken {
    /// The bearer token (redacted in `Debug`).
    pub token: Secret,
    /// The workspace it is scoped to.
    pub workspace_id: String,
}

/// One request to the identity service, to be sent **without following redirects**.
pub struct IdentityRequest {
    /// The request (form-encoded POST, or a GET with a bearer token).
    pub request: http::Request<Bytes>,
    /// The time limit for the whole exchange, body included.
    pub timeout: Option<Duration>,
}

impl fmt::Debug for IdentityRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body and headers carry device codes, refresh and access tokens: never shown.
        f.debug_struct("IdentityRequest")
            .field("method", self.request.method())
            .field("uri", self.request.uri())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// Settings of one device-code login.
#[derive(Clone, Debug)]
pub struct LoginOptions {
    pub(crate) identity_base_url: String,
    pub(crate) client_description: Option<String>,
    pub(crate) scope: Option<String>,
    pub(crate) workspace_id: Option<String>,
    pub(crate) cancel: Option<CancelToken>,
    pub(crate) timeout: Option<Duration>,
}

impl Default for LoginOptions {
    fn default() -> Self {
        LoginOptions::new(DEFAULT_IDENTITY_BASE_URL)
    }
}

impl LoginOptions {
    /// Options for the identity service at `identity_base_url` (trailing `/` stripped).
    pub fn new(identity_base_url: impl Into<String>) -> Self {
        LoginOptions {
            identity_base_url: strip_slashes(identity_base_url.into()),
            client_description: None,
            scope: None,
            workspace_id: None,
            cancel: None,
            timeout: Some(DEFAULT_IDENTITY_TIMEOUT),
        }
    }

    /// Describes this client to the user on the approval page (`client_description`).
    pub fn client_description(mut self, text: impl Into<String>) -> Self {
        self.client_description = Some(text.into()).filter(|s| !s.is_empty());
        self
    }

    /// Requests a scope.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into()).filter(|s| !s.is_empty());
        self
    }

    /// Pre-selects the workspace (no workspace prompt for bootstrap tokens).
    pub fn workspace_id(mut self, id: impl Into<String>) -> Self {
        self.workspace_id = Some(id.into()).filter(|s| !s.is_empty());
        self
    }

    /// Cancels the login when this token fires (checked around every sleep).
    pub fn cancel_token(mut self, token: CancelToken) -> Self {
        self.cancel = Some(token);
        self
    }

    /// The time limit of each identity request (`None`: no limit; default 30 s).
    pub fn request_timeout(mut self, limit: Option<Duration>) -> Self {
        self.timeout = limit;
        self
    }

    /// The identity service base URL, without trailing `/`.
    pub fn identity_base_url(&self) -> &str {
        &self.identity_base_url
    }

    /// The cancellation token, if any (drivers interrupt sleeps with it).
    pub fn cancel(&self) -> Option<&CancelToken> {
        self.cancel.as_ref()
    }
}

pub(crate) fn strip_slashes(mut url: String) -> String {
    while url.ends_with('/') {
        url.pop();
    }
    url
}

impl From<IdentityRequest> for crate::call::attempt::Attempt {
    /// An identity request is sent like any attempt: once, buffered, never redirected.
    fn from(r: IdentityRequest) -> Self {
        crate::call::attempt::Attempt {
            request: r.request,
            upload: None,
            number: 1,
            timeout: r.timeout,
            keep: crate::call::attempt::KeepBody::None,
            read_timeout: None,
            may_follow_redirects: false,
        }
    }
}
