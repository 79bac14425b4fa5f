//! The token manager: stored credentials, refreshed before they expire.

use super::protocol::{
    identity_error, json_object, network_error, refresh_request, str_field, unix_secs,
    TokenResponse,
};
use super::storage::TokenStorage;
use super::types::{
    strip_slashes, AccessToken, Credentials, IdentityRequest, DEFAULT_IDENTITY_BASE_URL,
    DEFAULT_IDENTITY_TIMEOUT,
};
use crate::credentials::{CredentialSource, Secret};
use crate::error::{Error, ErrorKind};
use bytes::Bytes;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;
use web_time::SystemTime;

/// Tokens with less than this left are refreshed first.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// Sends one identity request synchronously, **without following redirects**.
///
/// Transports implement it (`amigo_platform_ureq::auth::UreqIdentity`, …); tests can script it.
pub trait IdentityTransport: Send + Sync + fmt::Debug {
    /// Performs the exchange, enforcing `request.timeout`; a transport failure is an `Err`.
    fn send(&self, request: IdentityRequest) -> Result<http::Response<Bytes>, Error>;
}

/// A wall clock, injected because the core never reads one itself.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current wall-clock time.
    fn now(&self) -> SystemTime;
}

/// A clock that only moves when told to (tests, simulations).
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<SystemTime>>);

impl ManualClock {
    /// A clock showing `t`.
    pub fn new(t: SystemTime) -> Self {
        ManualClock(Arc::new(Mutex::new(t)))
    }
    /// A clock showing `secs` Unix seconds.
    pub fn at_unix(secs: u64) -> Self {
        Self::new(web_time::UNIX_EPOCH + Duration::from_secs(secs))
    }
    /// Moves the clock forward.
    pub fn advance(&self, d: Duration) {
        let mut t = lock(&self.0);
        *t += d;
    }
    /// Sets the time.
    pub fn set(&self, t: SystemTime) {
        *lock(&self.0) = t;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *lock(&self.0)
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// `refresh_token_expired` with the given message.
fn refresh_expired(message: &str) -> Error {
    Error::other(
        ErrorKind::Authentication,
        Some("refresh_token_expired"),
        message,
    )
}

#[derive(Default)]
struct Flight {
    running: bool,
    epoch: u64,
    last: Option<Result<Option<AccessToken>, Error>>,
}

struct Inner {
    storage: Arc<dyn TokenStorage>,
    identity_base_url: String,
    transport: Arc<dyn IdentityTransport>,
    clock: Arc<dyn Clock>,
    timeout: Option<Duration>,
    cache: Mutex<Option<Credentials>>,
    flight: Mutex<Flight>,
    landed: Condvar,
    generation: AtomicU64,
}

/// Stored credentials that refresh themselves; a [`CredentialSource`] for the client.
///
/// [`get_access_token`](TokenManager::get_access_token) returns the stored token while more
/// than 60 s remain, and otherwise runs the refresh exchange first: concurrent callers in one
/// process share one exchange, and processes sharing a credentials file serialise on its lock
/// file and reuse each other's result. A rejected refresh token (401 or
/// `invalid_grant`) clears the credentials.
///
/// The manager is synchronous because [`CredentialSource::bearer_token`] is: the exchange
/// runs through the [`IdentityTransport`] the transport crate provides. Cloning is cheap and
/// clones share everything.
///
/// ```
/// use amigo_platform_core::auth::{Credentials, ManualClock, MemoryStorage, TokenManager};
/// use amigo_platform_core::auth::{IdentityRequest, IdentityTransport};
/// use amigo_platform_core::{Error, Secret};
/// use std::sync::Arc;
///
/// #[derive(Debug)]
/// struct Offline;
/// impl IdentityTransport for Offline {
///     fn send(&self, _: IdentityRequest) -> Result<http::Response<bytes::Bytes>, Error> {
///         unreachable!("the token is fresh: no refresh needed")
///     }
/// }
///
/// let clock = ManualClock::at_unix(1_000);
/// let manager = TokenManager::builder(Arc::new(Offline), Arc::new(clock))
///     .storage(Arc::new(MemoryStorage::new()))
///     .build();
/// manager.store(&Credentials {
///     access_token: Secret::new("at"), refresh_token: Secret::new("rt"),
///     workspace_id: "ws1".into(), expires_at: 5_000, scope: None,
/// })?;
/// let token = manager.get_access_token()?.expect("stored");
/// assert_eq!((token.token.expose(), token.workspace_id.as_str()), ("at", "ws1"));
/// # Ok::<(), Error>(())
/// ```
#[derive(Clone)]
pub struct TokenManager(Arc<Inner>);

impl fmt::Debug for TokenManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenManager")
            .field("storage", &self.0.storage)
            .field("identity_base_url", &self.0.identity_base_url)
            .finish_non_exhaustive()
    }
}

/// Builds a [`TokenManager`].
#[derive(Debug)]
pub struct TokenManagerBuilder {
    storage: Option<Arc<dyn TokenStorage>>,
    identity_base_url: String,
    transport: Arc<dyn IdentityTransport>,
    clock: Arc<dyn Clock>,
    timeout: Option<Duration>,
}

impl TokenManagerBuilder {
    /// Where credentials are kept (default: [`FileStorage`](super::FileStorage) at
    /// `~/.amigo/credentials.json`, or memory where there is no file system).
    pub fn storage(mut self, storage: Arc<dyn TokenStorage>) -> Self {
        self.storage = Some(storage);
        self
    }

    /// The identity service base URL (trailing `/` stripped).
    pub fn identity_base_url(mut self, url: impl Into<String>) -> Self {
        self.identity_base_url = strip_slashes(url.into());
        self
    }

    /// The time limit of a refresh exchange (default 30 s; `None`: none).
    pub fn request_timeout(mut self, limit: Option<Duration>) -> Self {
        self.timeout = limit;
        self
    }

    /// The manager.
    pub fn build(self) -> TokenManager {
        let storage = self.storage.unwrap_or_else(default_storage);
        TokenManager(Arc::new(Inner {
            storage,
            identity_base_url: self.identity_base_url,
            transport: self.transport,
            clock: self.clock,
            timeout: self.timeout,
            cache: Mutex::new(None),
            flight: Mutex::new(Flight::default()),
            landed: Condvar::new(),
            generation: AtomicU64::new(0),
        }))
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn default_storage() -> Arc<dyn TokenStorage> {
    match super::FileStorage::default_location() {
        Ok(f) => Arc::new(f),
        Err(_) => Arc::new(super::MemoryStorage::new()),
    }
}

#[cfg(target_arch = "wasm32")]
fn default_storage() -> Arc<dyn TokenStorage> {
    Arc::new(super::MemoryStorage::new())
}

/// Resets the flight when the refresh ends, even by a panic, so waiters never hang.
struct FlightGuard<'a> {
    inner: &'a Inner,
    result: Option<Result<Option<AccessToken>, Error>>,
}

impl Drop for FlightGuard<'_> {
    fn drop(&mut self) {
        let mut f = lock(&self.inner.flight);
        f.running = false;
        f.epoch = f.epoch.wrapping_add(1);
        f.last = Some(
            self.result
                .take()
                .unwrap_or_else(|| Err(Error::credentials("the token refresh did not complete"))),
        );
        self.inner.landed.notify_all();
    }
}

impl TokenManager {
    /// A builder over the transport's identity client and a wall clock.
    pub fn builder(
        transport: Arc<dyn IdentityTransport>,
        clock: Arc<dyn Clock>,
    ) -> TokenManagerBuilder {
        TokenManagerBuilder {
            storage: None,
            identity_base_url: DEFAULT_IDENTITY_BASE_URL.to_owned(),
            transport,
            clock,
            timeout: Some(DEFAULT_IDENTITY_TIMEOUT),
        }
    }

    /// The storage.
    pub fn storage(&self) -> &Arc<dyn TokenStorage> {
        &self.0.storage
    }

    /// Keeps a login result: cached in memory and saved to storage.
    pub fn store(&self, credentials: &Credentials) -> Result<(), Error> {
        *lock(&self.0.cache) = Some(credentials.clone());
        self.0.storage.save(credentials)
    }

    /// Whether credentials are cached or stored.
    pub fn has_credentials(&self) -> bool {
        lock(&self.0.cache).is_some() || matches!(self.0.storage.load(), Ok(Some(_)))
    }

    /// Drops the cache, forgets any in-flight refresh and clears storage.
    pub fn clear(&self) -> Result<(), Error> {
        self.0.generation.fetch_add(1, Ordering::SeqCst);
        *lock(&self.0.cache) = None;
        self.0.storage.clear()
    }

    fn current(&self) -> Result<Option<Credentials>, Error> {
        if let Some(c) = lock(&self.0.cache).clone() {
            return Ok(Some(c));
        }
        let loaded = self.0.storage.load()?;
        if let Some(c) = &loaded {
            *lock(&self.0.cache) = Some(c.clone());
        }
        Ok(loaded)
    }

    fn fresh(&self, c: &Credentials) -> bool {
        let now = unix_secs(self.0.clock.now());
        c.expires_at.saturating_sub(now) >= REFRESH_MARGIN.as_secs() && c.expires_at > now
    }

    /// The access token and its workspace, refreshed first when under 60 s remain; `None`
    /// when nothing is stored.
    pub fn get_access_token(&self) -> Result<Option<AccessToken>, Error> {
        let Some(c) = self.current()? else {
            return Ok(None);
        };
        if self.fresh(&c) {
            return Ok(Some(access(&c)));
        }
        self.refresh_shared()
    }

    /// Joins the in-flight refresh, or runs one.
    fn refresh_shared(&self) -> Result<Option<AccessToken>, Error> {
        {
            let mut f = lock(&self.0.flight);
            if f.running {
                let epoch = f.epoch;
                while f.running && f.epoch == epoch {
                    f = self.0.landed.wait(f).unwrap_or_else(|e| e.into_inner());
                }
                return f.last.clone().unwrap_or_else(|| {
                    Err(Error::credentials("the token refresh did not complete"))
                });
            }
            f.running = true;
        }
        let mut guard = FlightGuard {
            inner: &self.0,
            result: None,
        };
        let result = self.refresh_locked();
        guard.result = Some(result.clone());
        drop(guard);
        result
    }

    /// One refresh under the storage's cross-process lock.
    fn refresh_locked(&self) -> Result<Option<AccessToken>, Error> {
        let generation = self.0.generation.load(Ordering::SeqCst);
        let _lock = self.0.storage.lock()?;
        // Another process (or manager) may have refreshed while we waited for the lock.
        let stored = self.0.storage.load()?;
        let Some(c) = stored.or_else(|| lock(&self.0.cache).clone()) else {
            *lock(&self.0.cache) = None;
            return Ok(None);
        };
        if self.fresh(&c) {
            *lock(&self.0.cache) = Some(c.clone());
            return Ok(Some(access(&c)));
        }
        if c.refresh_token.expose().is_empty() {
            return Err(refresh_expired("No refresh token available"));
        }
        let request = refresh_request(
            &self.0.identity_base_url,
            &c.refresh_token,
            Some(&c.workspace_id),
            c.scope.as_deref(),
            self.0.timeout,
        )?;
        let response = self
            .0
            .transport
            .send(request)
            .map_err(|_| network_error())?;
        let status = response.status().as_u16();
        if !response.status().is_success() {
            let body = json_object(response.body());
            if status == 401 || str_field(&body, "error") == Some("invalid_grant") {
                self.0.generation.fetch_add(1, Ordering::SeqCst);
                *lock(&self.0.cache) = None;
                self.0.storage.clear()?;
                return Err(refresh_expired(
                    "Refresh token expired. Please log in again.",
                ));
            }
            return Err(identity_error(status, response.body()));
        }
        let t = TokenResponse::parse(response.body(), true)?;
        let next = Credentials {
            expires_at: t.expires_at(self.0.clock.now()),
            access_token: t.access_token,
            refresh_token: t.refresh_token.unwrap_or(c.refresh_token),
            workspace_id: c.workspace_id,
            scope: t.scope.or(c.scope),
        };
        if self.0.generation.load(Ordering::SeqCst) == generation {
            *lock(&self.0.cache) = Some(next.clone());
            self.0.storage.save(&next)?;
        }
        Ok(Some(access(&next)))
    }
}

fn access(c: &Credentials) -> AccessToken {
    AccessToken {
        token: c.access_token.clone(),
        workspace_id: c.workspace_id.clone(),
    }
}

impl CredentialSource for TokenManager {
    fn bearer_token(&self) -> Result<Secret, Error> {
        match self.get_access_token()? {
            Some(t) => Ok(t.token),
            None => Err(Error::credentials(
                "No stored credentials: log in with the device-code flow first",
            )),
        }
    }

    /// The cached tokens only: never triggers a refresh.
    fn secrets(&self) -> Vec<Secret> {
        lock(&self.0.cache)
            .as_ref()
            .map(|c| vec![c.access_token.clone(), c.refresh_token.clone()])
            .unwrap_or_default()
    }
}
