//! Credential sources: where the bearer token of each attempt comes from.

use crate::error::Error;
use std::fmt;
use std::sync::Arc;

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
        f.write_str(crate::redact::REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(crate::redact::REDACTED)
    }
}

/// A source of bearer tokens, asked before every attempt of every call.
///
/// A static API key is the simplest source; a refreshing token manager implements the
/// same trait, so long-running clients keep working across token expiry.
pub trait CredentialSource: Send + Sync + fmt::Debug {
    /// The token to send as `Authorization: Bearer <token>` on the next attempt.
    fn bearer_token(&self) -> Result<Secret, Error>;

    /// Secrets that must be hidden from diagnostic output (defaults to the current token).
    fn secrets(&self) -> Vec<Secret> {
        self.bearer_token().into_iter().collect()
    }

    /// The `Authorization` to send on the next attempt: `Some(token)` (the default, from
    /// [`bearer_token`](CredentialSource::bearer_token)) or `None` to send no `Authorization`
    /// header at all ([`Anonymous`], for the public routes).
    fn authorization(&self) -> Result<Option<Secret>, Error> {
        self.bearer_token().map(Some)
    }

    /// The `Authorization` header value for the next attempt (`Bearer <token>`, marked
    /// sensitive), or `None` for no header; built from
    /// [`authorization`](CredentialSource::authorization) by default. A source whose token
    /// never changes may return a value it built once.
    fn authorization_header(&self) -> Result<Option<http::HeaderValue>, Error> {
        match self.authorization()? {
            None => Ok(None),
            Some(token) => bearer_header(token.expose()).map(Some),
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
    fn bearer_token(&self) -> Result<Secret, Error> {
        Err(Error::credentials(
            "this client has no credentials (it was built for the public routes); configure an API key or a credential source",
        ))
    }

    fn secrets(&self) -> Vec<Secret> {
        Vec::new()
    }

    fn authorization(&self) -> Result<Option<Secret>, Error> {
        Ok(None)
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
    fn bearer_token(&self) -> Result<Secret, Error> {
        Ok(self.key.clone())
    }

    fn authorization_header(&self) -> Result<Option<http::HeaderValue>, Error> {
        Ok(Some(self.header.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_sends_no_authorization_and_has_no_token() {
        assert_eq!(Anonymous.authorization().unwrap(), None);
        assert!(Anonymous.secrets().is_empty());
        let e = Anonymous.bearer_token().unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Credentials);
        let k = ApiKey::new("sk-9").unwrap();
        assert_eq!(k.authorization().unwrap().unwrap().expose(), "sk-9");
    }

    #[test]
    fn api_key_validation_and_redaction() {
        assert_eq!(
            ApiKey::new("  ").unwrap_err().message(),
            "api_key is required and must be a non-empty string"
        );
        assert!(ApiKey::new("").is_err());
        let k = ApiKey::new(" sk-1 ").unwrap();
        assert_eq!(k.bearer_token().unwrap().expose(), " sk-1 ");
        assert!(!format!("{k:?}").contains("sk-1"));
    }
}
