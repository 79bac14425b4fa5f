//! The token manager: stored credentials, refreshed before they expire.

use super::protocol::{
    identity_error, json_object, network_error, refresh_request, str_field, unix_secs,
    TokenResponse,
};
use super::storage::{StorageLock, TokenStorage};
use super::types::{
    strip_slashes, AccessToken, Credentials, DEFAULT_IDENTITY_BASE_URL, DEFAULT_IDENTITY_TIMEOUT,
};
use crate::call::attempt::{Attempt, AttemptOutcome};
use crate::cancel::CancelToken;
use crate::credentials::{Authorization, CredentialSource, Refresh, RefreshJob, Secret};
use crate::error::{Error, ErrorKind};
use crate::machine::{Machine, Step};
use crate::time::Time;
use std::convert::Infallible;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use web_time::SystemTime;

/// Tokens with less than this left are refreshed first.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// How long a caller waits before asking again while another caller's refresh is in flight.
pub const REFRESH_WAIT: Duration = Duration::from_millis(10);

/// How long the failure of a refresh is shared with the callers that ask next (those that
/// were waiting for it among them), instead of each starting its own exchange against a
/// failing service; storing new credentials ends it at once.
pub const SHARED_FAILURE: Duration = Duration::from_secs(1);

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

fn no_credentials() -> Error {
    Error::credentials("No stored credentials: log in with the device-code flow first")
}

#[derive(Default)]
struct Flight {
    running: bool,
    /// The last refresh failure and when it happened.
    failed: Option<(SystemTime, Error)>,
}

struct Inner {
    storage: Arc<dyn TokenStorage>,
    identity_base_url: String,
    timeout: Option<Duration>,
    cache: Mutex<Option<Credentials>>,
    flight: Mutex<Flight>,
    generation: AtomicU64,
}

/// Stored credentials that refresh themselves; a [`CredentialSource`] for the client.
///
/// While more than 60 s of the access token remain, every attempt gets it at once. Otherwise
/// the next attempt's machine yields a [`Step::Refresh`](crate::Step::Refresh) that the
/// transport runs over its own HTTP stack (no thread, no runtime of its own): concurrent
/// callers in one process share that one exchange, processes sharing a credentials file
/// serialise on the storage's lock and reuse each other's result. A rejected refresh token
/// (401 or `invalid_grant`) clears the credentials. The manager itself never blocks and never
/// does I/O inside a machine's `poll`: storage is read and written only by the refresh, in
/// the driver's context.
///
/// Cloning is cheap and clones share everything.
///
/// ```
/// use amigo_platform_core::auth::{Credentials, MemoryStorage, TokenManager};
/// use amigo_platform_core::{Authorization, CredentialSource, Error, Secret};
/// use std::sync::Arc;
/// use web_time::SystemTime;
///
/// let manager = TokenManager::builder().storage(Arc::new(MemoryStorage::new())).build();
/// let now = amigo_platform_core::auth::unix_secs(SystemTime::now());
/// manager.store(&Credentials {
///     access_token: Secret::new("at"), refresh_token: Secret::new("rt"),
///     workspace_id: "ws1".into(), expires_at: now + 3_600, scope: None,
/// })?;
/// // Fresh: the header is ready, nothing to refresh.
/// match manager.authorization(SystemTime::now())? {
///     Authorization::Header(Some(h)) => assert_eq!(h.to_str().unwrap(), "Bearer at"),
///     other => panic!("unexpected {other:?}"),
/// }
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

    /// The manager. Nothing is read from storage yet: the first attempt's refresh step loads
    /// it.
    pub fn build(self) -> TokenManager {
        let storage = self.storage.unwrap_or_else(default_storage);
        TokenManager(Arc::new(Inner {
            storage,
            identity_base_url: self.identity_base_url,
            timeout: self.timeout,
            cache: Mutex::new(None),
            flight: Mutex::new(Flight::default()),
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

impl TokenManager {
    /// A builder (default storage, the default identity service, a 30 s refresh timeout).
    pub fn builder() -> TokenManagerBuilder {
        TokenManagerBuilder {
            storage: None,
            identity_base_url: DEFAULT_IDENTITY_BASE_URL.to_owned(),
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
        lock(&self.0.flight).failed = None;
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

    /// The cached access token, when it is fresh at `wall` (more than 60 s left); never
    /// reads storage and never refreshes.
    pub fn cached_access_token(&self, wall: SystemTime) -> Option<AccessToken> {
        lock(&self.0.cache)
            .as_ref()
            .filter(|c| fresh(c, wall))
            .map(access)
    }
}

/// Getting a [`TokenManager`]'s access token, refreshed first when under 60 s remain, as a
/// machine: transports drive it with the same loop as a call (`auth::access_token` in each
/// transport). It ends with the token and its workspace, or `None` when nothing is stored.
#[derive(Debug)]
pub struct Refreshing {
    manager: TokenManager,
    done: Option<Result<Option<AccessToken>, Error>>,
    refreshing: bool,
}

impl Refreshing {
    /// Starts getting the manager's token.
    pub fn new(manager: &TokenManager) -> Refreshing {
        Refreshing {
            manager: manager.clone(),
            done: None,
            refreshing: false,
        }
    }

    fn end(&mut self, result: Result<Option<AccessToken>, Error>) {
        self.done = Some(match result {
            Err(e) if e.message() == no_credentials().message() => Ok(None),
            other => other,
        });
    }
}

impl Machine for Refreshing {
    type Item = Infallible;
    type Output = Result<Option<AccessToken>, Error>;

    fn poll(&mut self, time: Time) -> Step<Infallible, Self::Output> {
        if let Some(result) = self.done.clone() {
            return Step::Done(result);
        }
        if self.refreshing {
            return Step::Done(Err(Error::driver(
                "poll called while a token refresh is in flight",
            )));
        }
        match self.manager.authorization(time.wall) {
            Ok(Authorization::Header(_)) => {
                let token = self.manager.cached_access_token(time.wall);
                self.end(Ok(token));
                self.poll(time)
            }
            Ok(Authorization::Refresh(refresh)) => {
                self.refreshing = true;
                Step::Refresh(refresh)
            }
            Ok(Authorization::Wait(d)) => Step::Wait(time.now.checked_add(d).unwrap_or(time.now)),
            Err(e) => {
                self.end(Err(e));
                self.poll(time)
            }
        }
    }

    fn handle_outcome(&mut self, _outcome: AttemptOutcome, _time: Time) {}

    fn handle_refresh(&mut self, result: Result<(), Error>, _time: Time) {
        self.refreshing = false;
        if let Err(e) = result {
            self.end(Err(e));
        }
    }

    fn cancel_tokens(&self) -> &[CancelToken] {
        &[]
    }
}

/// Whether the credentials have more than the refresh margin left at `wall`.
fn fresh(c: &Credentials, wall: SystemTime) -> bool {
    let now = unix_secs(wall);
    c.expires_at.saturating_sub(now) >= REFRESH_MARGIN.as_secs() && c.expires_at > now
}

fn access(c: &Credentials) -> AccessToken {
    AccessToken {
        token: c.access_token.clone(),
        workspace_id: c.workspace_id.clone(),
    }
}

impl CredentialSource for TokenManager {
    fn authorization(&self, wall: SystemTime) -> Result<Authorization, Error> {
        if let Some(token) = self.cached_access_token(wall) {
            return Authorization::bearer(token.token.expose());
        }
        let mut flight = lock(&self.0.flight);
        if flight.running {
            return Ok(Authorization::Wait(REFRESH_WAIT));
        }
        if let Some((at, e)) = &flight.failed {
            let age = wall.duration_since(*at).unwrap_or_default();
            if age < SHARED_FAILURE {
                return Err(e.clone());
            }
        }
        flight.running = true;
        flight.failed = None;
        Ok(Authorization::Refresh(Refresh::new(ManagerRefresh {
            manager: self.clone(),
            generation: self.0.generation.load(Ordering::SeqCst),
            lock: None,
            current: None,
            outcome: None,
            at: None,
        })))
    }

    /// The cached tokens only: never triggers a refresh.
    fn secrets(&self) -> Vec<Secret> {
        lock(&self.0.cache)
            .as_ref()
            .map(|c| vec![c.access_token.clone(), c.refresh_token.clone()])
            .unwrap_or_default()
    }
}

/// One refresh of a [`TokenManager`]: holds the flight (and, between `begin` and `finish`,
/// the storage lock).
struct ManagerRefresh {
    manager: TokenManager,
    generation: u64,
    lock: Option<StorageLock>,
    current: Option<Credentials>,
    /// How it ended, recorded for the flight when it is dropped, and when.
    outcome: Option<Result<(), Error>>,
    at: Option<SystemTime>,
}

impl ManagerRefresh {
    fn prepare(&mut self, wall: SystemTime) -> Result<Option<Attempt>, Error> {
        let inner = &self.manager.0;
        self.lock = inner.storage.lock()?;
        // Another process (or manager) may have refreshed while we waited for the lock.
        let stored = inner.storage.load()?;
        let Some(c) = stored.or_else(|| lock(&inner.cache).clone()) else {
            *lock(&inner.cache) = None;
            return Err(no_credentials());
        };
        if fresh(&c, wall) {
            *lock(&inner.cache) = Some(c);
            return Ok(None);
        }
        if c.refresh_token.expose().is_empty() {
            return Err(refresh_expired("No refresh token available"));
        }
        let request = refresh_request(
            &inner.identity_base_url,
            &c.refresh_token,
            Some(&c.workspace_id),
            c.scope.as_deref(),
            inner.timeout,
        )?;
        self.current = Some(c);
        Ok(Some(request.into()))
    }

    fn complete(&mut self, outcome: AttemptOutcome, wall: SystemTime) -> Result<(), Error> {
        let Some(c) = self.current.take() else {
            return Err(Error::credentials("the token refresh was not begun"));
        };
        let AttemptOutcome::Response(response) = outcome else {
            return Err(network_error());
        };
        let inner = &self.manager.0;
        let status = response.status().as_u16();
        if !response.status().is_success() {
            let body = json_object(response.body());
            if status == 401 || str_field(&body, "error") == Some("invalid_grant") {
                inner.generation.fetch_add(1, Ordering::SeqCst);
                *lock(&inner.cache) = None;
                inner.storage.clear()?;
                return Err(refresh_expired(
                    "Refresh token expired. Please log in again.",
                ));
            }
            return Err(identity_error(status, response.body()));
        }
        let t = TokenResponse::parse(response.body(), true)?;
        let next = Credentials {
            expires_at: t.expires_at(wall),
            access_token: t.access_token,
            refresh_token: t.refresh_token.unwrap_or(c.refresh_token),
            workspace_id: c.workspace_id,
            scope: t.scope.or(c.scope),
        };
        if inner.generation.load(Ordering::SeqCst) == self.generation {
            // Cached first: a failed save keeps the new tokens in memory.
            *lock(&inner.cache) = Some(next.clone());
            inner.storage.save(&next)?;
        }
        Ok(())
    }
}

impl RefreshJob for ManagerRefresh {
    fn begin(&mut self, wall: SystemTime) -> Result<Option<Attempt>, Error> {
        self.at = Some(wall);
        let r = self.prepare(wall);
        match &r {
            Ok(None) => self.outcome = Some(Ok(())),
            Err(e) => self.outcome = Some(Err(e.clone())),
            Ok(Some(_)) => {}
        }
        r
    }

    fn finish(&mut self, outcome: AttemptOutcome, wall: SystemTime) -> Result<(), Error> {
        self.at = Some(wall);
        let r = self.complete(outcome, wall);
        self.lock = None;
        self.outcome = Some(r.clone());
        r
    }
}

impl Drop for ManagerRefresh {
    fn drop(&mut self) {
        self.lock = None;
        let mut f = lock(&self.manager.0.flight);
        f.running = false;
        // Only a failure of the exchange itself is shared (a failing identity service); a
        // rejected refresh token already cleared the credentials, and a refresh dropped
        // unfinished is no failure: the next caller starts one.
        if let (Some(Err(e)), Some(at)) = (self.outcome.take(), self.at) {
            if matches!(e.kind(), ErrorKind::Identity | ErrorKind::Network) {
                f.failed = Some((at, e));
            }
        }
    }
}
