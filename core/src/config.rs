//! Client configuration, its builder and validation.

use crate::call::hooks::Hooks;
use crate::call::options::RetryPolicy;
use crate::credentials::{Anonymous, ApiKey, CredentialSource};
use crate::error::Error;
use http::{HeaderMap, HeaderName, HeaderValue};
use std::sync::Arc;
use std::time::Duration;

/// The production API.
pub const DEFAULT_BASE_URL: &str = "https://api.platform.amigo.ai";

/// The `User-Agent` the SDK sends.
pub const USER_AGENT: &str = concat!("amigo-platform-rust/", env!("CARGO_PKG_VERSION"));

/// A validated client configuration. Build one with [`Config::builder`] or [`Config::from_env`].
#[derive(Clone)]
pub struct Config {
    pub(crate) credentials: Arc<dyn CredentialSource>,
    pub(crate) workspace_id: String,
    pub(crate) base_url: String,
    pub(crate) agent_base_url: Option<String>,
    pub(crate) retry: RetryPolicy,
    pub(crate) timeout: Option<Duration>,
    pub(crate) deadline: Option<Duration>,
    pub(crate) headers: HeaderMap,
    pub(crate) hooks: Option<Arc<dyn Hooks>>,
    pub(crate) page_limit: u32,
}

impl Config {
    /// Starts a builder.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// A configuration for the public routes, which need only a base URL: the patient surface
    /// (`/s/{token}/…`) and the intake upload links (`/upload/{link_token}/…`).
    ///
    /// Requests carry no `Authorization` header ([`Anonymous`]) and there is no workspace: an
    /// operation whose path has `{workspace_id}` fails before sending with a `Config` error.
    /// An empty `base_url` means the production API. For other settings (timeouts, retries,
    /// headers) start from [`ConfigBuilder::anonymous`].
    ///
    /// ```
    /// let config = amigo_platform_core::Config::public("https://api.platform.amigo.ai")?;
    /// assert_eq!(config.workspace_id(), "");
    /// # Ok::<(), amigo_platform_core::Error>(())
    /// ```
    pub fn public(base_url: &str) -> Result<Config, Error> {
        Config::builder().anonymous().base_url(base_url).build()
    }

    /// Reads `AMIGO_API_KEY`, `AMIGO_WORKSPACE_ID` and `AMIGO_BASE_URL` (empty means default).
    pub fn from_env() -> Result<Config, Error> {
        Self::env_builder().build()
    }

    /// A builder pre-filled from the environment, for further settings.
    pub fn env_builder() -> ConfigBuilder {
        let var = |k: &str| std::env::var(k).ok();
        let mut b = Config::builder()
            .api_key(var("AMIGO_API_KEY").unwrap_or_default())
            .workspace_id(var("AMIGO_WORKSPACE_ID").unwrap_or_default());
        if let Some(url) = var("AMIGO_BASE_URL") {
            b = b.base_url(url);
        }
        b
    }

    /// The configured workspace id.
    pub fn workspace_id(&self) -> &str {
        &self.workspace_id
    }
    /// The base URL without trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
    /// The WebSocket base URL override, unvalidated.
    pub fn agent_base_url(&self) -> Option<&str> {
        self.agent_base_url.as_deref()
    }
    /// The client-level retry policy.
    pub fn retry(&self) -> RetryPolicy {
        self.retry
    }
    /// The client-level per-attempt timeout ([`DEFAULT_TIMEOUT`] unless configured; `None`
    /// when disabled with zero).
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout.filter(|d| !d.is_zero())
    }
    /// The client-level overall deadline.
    pub fn deadline(&self) -> Option<Duration> {
        self.deadline
    }
    /// The client's default headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }
    /// The credential source.
    pub fn credentials(&self) -> &Arc<dyn CredentialSource> {
        &self.credentials
    }
    /// The hooks, if any.
    pub fn hooks(&self) -> Option<&Arc<dyn Hooks>> {
        self.hooks.as_ref()
    }
    /// The page cap of auto-pagers.
    pub fn page_limit(&self) -> u32 {
        self.page_limit
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("credentials", &self.credentials)
            .field("workspace_id", &self.workspace_id)
            .field("base_url", &self.base_url)
            .field("agent_base_url", &self.agent_base_url)
            .field("retry", &self.retry)
            .field("timeout", &self.timeout)
            .field("deadline", &self.deadline)
            .field(
                "headers",
                &crate::error::redact::headers_debug(&self.headers),
            )
            .field("hooks", &self.hooks.is_some())
            .field("page_limit", &self.page_limit)
            .finish()
    }
}

/// Builder for [`Config`]; every check runs in [`ConfigBuilder::build`].
#[derive(Default)]
pub struct ConfigBuilder {
    api_key: Option<String>,
    credentials: Option<Arc<dyn CredentialSource>>,
    workspace_id: Option<String>,
    base_url: Option<String>,
    agent_base_url: Option<String>,
    retry: RetryPolicy,
    timeout: Option<Duration>,
    deadline: Option<Duration>,
    headers: Vec<(String, String)>,
    hooks: Option<Arc<dyn Hooks>>,
    page_limit: Option<u32>,
    anonymous: bool,
}

impl std::fmt::Debug for ConfigBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigBuilder")
            .field(
                "api_key",
                &self
                    .api_key
                    .as_ref()
                    .map(|_| crate::error::redact::REDACTED),
            )
            .field("workspace_id", &self.workspace_id)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl ConfigBuilder {
    /// A static API key (validated at build).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }
    /// A credential source (for example a refreshing token manager); replaces `api_key`.
    pub fn credentials(mut self, source: Arc<dyn CredentialSource>) -> Self {
        self.credentials = Some(source);
        self
    }
    /// No credentials and no required workspace: for the public routes only (see
    /// [`Config::public`]). Replaces `api_key` and `credentials`.
    pub fn anonymous(mut self) -> Self {
        self.credentials = Some(Arc::new(Anonymous));
        self.anonymous = true;
        self
    }
    /// The workspace substituted into `{workspace_id}`.
    pub fn workspace_id(mut self, id: impl Into<String>) -> Self {
        self.workspace_id = Some(id.into());
        self
    }
    /// The API base URL; empty means the default.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }
    /// The base URL used to derive WebSocket URLs (not validated here).
    pub fn agent_base_url(mut self, url: impl Into<String>) -> Self {
        self.agent_base_url = Some(url.into());
        self
    }
    /// Attempts including the first; must be at least 1.
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.retry.max_attempts = n;
        self
    }
    /// Retries after the first attempt (same field as `max_attempts`, n + 1).
    pub fn max_retries(mut self, n: u32) -> Self {
        self.retry.max_attempts = n.saturating_add(1);
        self
    }
    /// Jitter base delay (default 250 ms).
    pub fn base_delay(mut self, d: Duration) -> Self {
        self.retry.base_delay = d;
        self
    }
    /// Jitter ceiling (default 30 s).
    pub fn max_delay(mut self, d: Duration) -> Self {
        self.retry.max_delay = d;
        self
    }
    /// Cap on an honoured `Retry-After` (default 60 s).
    pub fn max_retry_after(mut self, d: Duration) -> Self {
        self.retry.max_retry_after = d;
        self
    }
    /// Retries for PUT, PATCH and DELETE (default off).
    pub fn retry_writes(mut self, on: bool) -> Self {
        self.retry.retry_writes = on;
        self
    }
    /// Per-attempt timeout covering the whole attempt (headers and body) of a buffered call;
    /// default [`DEFAULT_TIMEOUT`] (10 minutes: long enough for operations that run language
    /// models, short enough that a silent server never hangs a call); zero disables.
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = Some(d);
        self
    }
    /// Overall deadline across attempts and sleeps; zero disables.
    pub fn deadline(mut self, d: Duration) -> Self {
        self.deadline = Some(d);
        self
    }
    /// A default header sent on every request (lowest user precedence).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
    /// Observability callbacks, shared by every scoped copy.
    pub fn hooks(mut self, hooks: Arc<dyn Hooks>) -> Self {
        self.hooks = Some(hooks);
        self
    }
    /// Maximum pages one auto-pager may fetch (default 10 000).
    pub fn page_limit(mut self, n: u32) -> Self {
        self.page_limit = Some(n);
        self
    }

    /// Validates everything and builds the configuration.
    pub fn build(self) -> Result<Config, Error> {
        let credentials: Arc<dyn CredentialSource> = match self.credentials {
            Some(c) => c,
            None => Arc::new(ApiKey::new(self.api_key.unwrap_or_default())?),
        };
        let workspace_id = self.workspace_id.unwrap_or_default();
        if self.anonymous && workspace_id.is_empty() {
            // A public client: `{workspace_id}` routes fail at request building.
        } else if workspace_id.trim().is_empty() {
            return Err(Error::config(
                "workspace_id is required and must be a non-empty string",
            ));
        }
        let base_url = match self.base_url.as_deref() {
            None | Some("") => DEFAULT_BASE_URL.to_owned(),
            Some(url) => validate_base_url(url)?,
        };
        if self.retry.max_attempts == 0 {
            return Err(Error::config("retry.max_attempts must be at least 1"));
        }
        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            let n = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::config(format!("invalid header name `{name}`")))?;
            let v = HeaderValue::from_str(value)
                .map_err(|_| Error::config(format!("invalid value for header `{name}`")))?;
            headers.insert(n, v);
        }
        Ok(Config {
            credentials,
            workspace_id,
            base_url,
            agent_base_url: self.agent_base_url,
            retry: self.retry,
            timeout: Some(self.timeout.unwrap_or(DEFAULT_TIMEOUT)),
            deadline: self.deadline,
            headers,
            hooks: self.hooks,
            page_limit: self.page_limit.unwrap_or(10_000),
        })
    }
}

/// The per-attempt timeout of a buffered call when none is configured (10 minutes).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

/// The connect timeout (DNS, TCP and TLS) the transports' default clients use on every
/// connection: calls, streams, WebSockets and identity requests (10 seconds).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Checks an absolute `http`/`https` URL with a host and no query or fragment; strips trailing `/`.
pub fn validate_base_url(url: &str) -> Result<String, Error> {
    // In browsers a same-origin path (`/api`) is allowed: `fetch` resolves it against the
    // page's origin (a backend-for-frontend proxy).
    #[cfg(target_arch = "wasm32")]
    if url.starts_with('/') && !url.starts_with("//") && !url.contains(['?', '#']) {
        return Ok(url.trim_end_matches('/').to_owned());
    }
    let bad = || {
        Error::config(format!(
            "base_url must be an absolute http or https URL without query or fragment: `{url}`"
        ))
    };
    if url.contains('#') || url.contains('?') || url.chars().any(char::is_whitespace) {
        return Err(bad());
    }
    let uri: http::Uri = url.parse().map_err(|_| bad())?;
    match uri.scheme_str() {
        Some("http") | Some("https") => {}
        _ => return Err(bad()),
    }
    match uri.authority() {
        Some(a) if !a.host().is_empty() => {}
        _ => return Err(bad()),
    }
    Ok(url.trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> ConfigBuilder {
        Config::builder().api_key("sk-test").workspace_id("ws-001")
    }

    #[test]
    fn validates_required_fields() {
        let e = Config::builder().workspace_id("w").build().unwrap_err();
        assert_eq!(
            e.message(),
            "api_key is required and must be a non-empty string"
        );
        let e = Config::builder()
            .api_key("k")
            .workspace_id("  ")
            .build()
            .unwrap_err();
        assert_eq!(
            e.message(),
            "workspace_id is required and must be a non-empty string"
        );
        assert!(base().max_attempts(0).build().is_err());
        assert!(base().header("bad name", "v").build().is_err());
        assert!(base().header("x-ok", "line\nbreak").build().is_err());
    }

    #[test]
    fn public_config_needs_only_a_base_url() {
        let c = Config::public("http://127.0.0.1:9/").unwrap();
        assert_eq!(c.base_url(), "http://127.0.0.1:9");
        assert_eq!(c.workspace_id(), "");
        assert!(matches!(
            c.credentials()
                .authorization(web_time::SystemTime::now())
                .unwrap(),
            crate::Authorization::Header(None)
        ));
        assert_eq!(Config::public("").unwrap().base_url(), DEFAULT_BASE_URL);
        assert!(Config::public("ftp://x").is_err());
        // A workspace may still be given; whitespace-only is still refused.
        let c = Config::builder()
            .anonymous()
            .workspace_id("ws-1")
            .build()
            .unwrap();
        assert_eq!(c.workspace_id(), "ws-1");
        assert!(Config::builder()
            .anonymous()
            .workspace_id(" ")
            .build()
            .is_err());
        // An API key configured after `anonymous()` does not bring credentials back silently:
        // `credentials` was set, so it wins, as for any credential source.
        let c = Config::builder()
            .anonymous()
            .api_key("sk-1")
            .build()
            .unwrap();
        assert!(matches!(
            c.credentials()
                .authorization(web_time::SystemTime::now())
                .unwrap(),
            crate::Authorization::Header(None)
        ));
    }

    #[test]
    fn base_url_rules() {
        assert_eq!(
            base().base_url("").build().unwrap().base_url(),
            DEFAULT_BASE_URL
        );
        assert_eq!(base().build().unwrap().base_url(), DEFAULT_BASE_URL);
        assert_eq!(
            base()
                .base_url("https://h/prefix//")
                .build()
                .unwrap()
                .base_url(),
            "https://h/prefix"
        );
        for bad in [
            "not a url",
            "/api/platform",
            "ftp://h",
            "https://h/?q=1",
            "https://h/#f",
            "https://",
        ] {
            assert!(base().base_url(bad).build().is_err(), "{bad}");
        }
    }

    #[test]
    fn debug_never_shows_the_key() {
        let c = base()
            .header("Authorization", "Bearer sk-test")
            .build()
            .unwrap();
        let dbg = format!("{c:?} {:?}", base());
        assert!(!dbg.contains("sk-test"), "{dbg}");
    }

    #[test]
    fn max_retries_sets_max_attempts() {
        assert_eq!(
            base().max_retries(4).build().unwrap().retry().max_attempts,
            5
        );
        assert_eq!(
            base()
                .max_retries(4)
                .max_attempts(2)
                .build()
                .unwrap()
                .retry()
                .max_attempts,
            2
        );
    }
}
