//! Credential sources: where the bearer token of each attempt comes from.

use crate::call::attempt::{Attempt, AttemptOutcome};
use crate::error::Error;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use web_time::SystemTime;

/// A secret string whose `Debug` and `Display` print `[REDACTED]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Arc<str>);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<Arc<str>>) -> Self {
        Secret(value.into())
    }

    /// The secret itself; use only to put it on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(crate::error::redact::REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(crate::error::redact::REDACTED)
    }
}

/// A source of bearer tokens, asked before every attempt of every call.
///
/// A static API key is the simplest source; a refreshing token manager implements the
/// same trait, so long-running clients keep working across token expiry. The source never
/// blocks and never does I/O: when its token must be refreshed first, it hands the machine a
/// [`Refresh`] that the driver runs over its own HTTP stack.
pub trait CredentialSource: Send + Sync + fmt::Debug {
    /// What to authorize the next attempt with, at wall-clock time `wall`.
    fn authorization(&self, wall: SystemTime) -> Result<Authorization, Error>;

    /// Secrets that must be hidden from diagnostic output (the current token, and any
    /// refresh token the source holds).
    fn secrets(&self) -> Vec<Secret>;
}

/// A credential source's answer for the next attempt.
#[derive(Debug)]
pub enum Authorization {
    /// Send this `Authorization` header value (`None`: send no header at all).
    Header(Option<http::HeaderValue>),
    /// The token must be refreshed first: the machine yields this as
    /// [`Step::Refresh`](crate::Step::Refresh) and asks again once it ran.
    Refresh(Refresh),
    /// Another caller is refreshing the token: ask again after this long.
    Wait(Duration),
}

impl Authorization {
    /// `Authorization: Bearer <token>`; a token that cannot be sent in a header is a
    /// Credentials error.
    pub fn bearer(token: &str) -> Result<Authorization, Error> {
        bearer_header(token).map(|h| Authorization::Header(Some(h)))
    }
}

/// The work of one token refresh, run by a driver outside any machine's `poll`.
///
/// [`begin`](RefreshJob::begin) may take a storage lock and read stored credentials (it runs
/// in the driver's context, where such local I/O is allowed); it returns the identity
/// request to send, or `None` when no exchange is needed (another process already refreshed).
/// [`finish`](RefreshJob::finish) takes the exchange's outcome and stores the new tokens.
pub trait RefreshJob: Send {
    /// Prepares the refresh; `Some(attempt)`: send it (never following redirects).
    fn begin(&mut self, wall: SystemTime) -> Result<Option<Attempt>, Error>;
    /// Completes the refresh with the outcome of the attempt `begin` returned.
    fn finish(&mut self, outcome: AttemptOutcome, wall: SystemTime) -> Result<(), Error>;
}

/// A token refresh the driver must run (see [`Step::Refresh`](crate::Step::Refresh)).
///
/// While it is alive, no other caller of the same source starts a refresh; dropping it
/// unfinished (a dropped future, a cancelled call) lets the next caller start one.
pub struct Refresh(Box<dyn RefreshJob>);

impl fmt::Debug for Refresh {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Refresh")
    }
}

impl Refresh {
    /// Wraps a credential source's refresh work.
    pub fn new(job: impl RefreshJob + 'static) -> Refresh {
        Refresh(Box::new(job))
    }

    /// Prepares the refresh at wall time `wall`: the identity request to send, or `None`
    /// when the token turned out fresh already.
    pub fn begin(&mut self, wall: SystemTime) -> Result<Option<Attempt>, Error> {
        self.0.begin(wall)
    }

    /// Completes the refresh with the outcome of the request `begin` returned.
    pub fn finish(mut self, outcome: AttemptOutcome, wall: SystemTime) -> Result<(), Error> {
        self.0.finish(outcome, wall)
    }

    /// Runs the whole refresh with `send` performing the exchange (for blocking drivers;
    /// async drivers call [`begin`](Self::begin) and [`finish`](Self::finish) around their
    /// own send).
    pub fn run(
        mut self,
        mut send: impl FnMut(Attempt) -> AttemptOutcome,
        wall: impl Fn() -> SystemTime,
    ) -> Result<(), Error> {
        match self.begin(wall())? {
            Some(attempt) => {
                let outcome = send(attempt);
                self.finish(outcome, wall())
            }
            None => Ok(()),
        }
    }
}

/// `Bearer <token>` as a sensitive header value; a token that cannot be sent in a header is a
/// Credentials error.
pub(crate) fn bearer_header(token: &str) -> Result<http::HeaderValue, Error> {
    let mut value = Vec::with_capacity("Bearer ".len() + token.len());
    value.extend_from_slice(b"Bearer ");
    value.extend_from_slice(token.as_bytes());
    let mut header =
        http::HeaderValue::from_maybe_shared(bytes::Bytes::from(value)).map_err(|_| {
            Error::credentials(
                "the credential source returned a token that is not a valid header value",
            )
        })?;
    header.set_sensitive(true);
    Ok(header)
}

/// No credentials: requests carry no `Authorization` header.
///
/// For the public routes that need only a base URL: the patient surface (`/s/{token}/…`) and
/// the intake upload links (`/upload/{link_token}/…`). Build a configuration with
/// [`Config::public`](crate::Config::public). Anything that needs a token (WebSocket
/// subprotocol auth, an authenticated route) gets a `Credentials` error or the server's 401.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Anonymous;

impl CredentialSource for Anonymous {
    fn authorization(&self, _wall: SystemTime) -> Result<Authorization, Error> {
        Ok(Authorization::Header(None))
    }

    fn secrets(&self) -> Vec<Secret> {
        Vec::new()
    }
}

/// The error for a connection that needs a token from a source that has none.
pub(crate) fn no_token() -> Error {
    Error::credentials(
        "this client has no credentials (it was built for the public routes); configure an API key or a credential source",
    )
}

/// The bearer token a source would send now, without refreshing: for WebSocket subprotocol
/// authentication, built once per connection. A source that needs a refresh first, or has no
/// token, is a Credentials error.
pub(crate) fn current_token(
    source: &dyn CredentialSource,
    wall: SystemTime,
) -> Result<Secret, Error> {
    match source.authorization(wall)? {
        Authorization::Header(Some(h)) => h
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(Secret::new)
            .ok_or_else(no_token),
        Authorization::Header(None) => Err(no_token()),
        Authorization::Refresh(_) | Authorization::Wait(_) => Err(Error::credentials(
            "the access token must be refreshed first: run any call, or the transport's auth::access_token",
        )),
    }
}

/// A fixed API key.
#[derive(Clone)]
pub struct ApiKey {
    key: Secret,
    /// `Bearer <key>`, built once.
    header: http::HeaderValue,
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ApiKey").field(&self.key).finish()
    }
}

impl ApiKey {
    /// Validates and wraps an API key: empty or whitespace-only keys are a Config error.
    /// A valid key is kept verbatim (never trimmed).
    pub fn new(key: impl Into<String>) -> Result<ApiKey, Error> {
        let key = key.into();
        if key.trim().is_empty() {
            return Err(Error::config(
                "api_key is required and must be a non-empty string",
            ));
        }
        let Ok(header) = bearer_header(&key) else {
            return Err(Error::config(
                "api_key contains characters that cannot be sent in a header",
            ));
        };
        Ok(ApiKey {
            key: Secret::new(key),
            header,
        })
    }
}

impl CredentialSource for ApiKey {
    fn authorization(&self, _wall: SystemTime) -> Result<Authorization, Error> {
        Ok(Authorization::Header(Some(self.header.clone())))
    }

    fn secrets(&self) -> Vec<Secret> {
        vec![self.key.clone()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(source: &dyn CredentialSource) -> Option<String> {
        match source.authorization(SystemTime::now()).unwrap() {
            Authorization::Header(h) => h.map(|h| h.to_str().unwrap().to_owned()),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn anonymous_sends_no_authorization_and_has_no_token() {
        assert_eq!(header(&Anonymous), None);
        assert!(Anonymous.secrets().is_empty());
        let e = current_token(&Anonymous, SystemTime::now()).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Credentials);
        let k = ApiKey::new("sk-9").unwrap();
        assert_eq!(header(&k).as_deref(), Some("Bearer sk-9"));
        assert_eq!(
            current_token(&k, SystemTime::now()).unwrap().expose(),
            "sk-9"
        );
    }

    #[test]
    fn api_key_validation_and_redaction() {
        assert_eq!(
            ApiKey::new("  ").unwrap_err().message(),
            "api_key is required and must be a non-empty string"
        );
        assert!(ApiKey::new("").is_err());
        let k = ApiKey::new(" sk-1 ").unwrap();
        assert_eq!(k.secrets()[0].expose(), " sk-1 ");
        assert!(!format!("{k:?}").contains("sk-1"));
    }
}
