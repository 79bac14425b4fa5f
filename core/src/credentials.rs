//! Credential sources: where the bearer token of each attempt comes from [D9].

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
}

/// A fixed API key.
#[derive(Clone, Debug)]
pub struct ApiKey(Secret);

impl ApiKey {
    /// Validates and wraps an API key: empty or whitespace-only keys are a Config error [D7].
    /// A valid key is kept verbatim (never trimmed).
    pub fn new(key: impl Into<String>) -> Result<ApiKey, Error> {
        let key = key.into();
        if key.trim().is_empty() {
            return Err(Error::config(
                "api_key is required and must be a non-empty string",
            ));
        }
        if http::HeaderValue::from_str(&format!("Bearer {key}")).is_err() {
            return Err(Error::config(
                "api_key contains characters that cannot be sent in a header",
            ));
        }
        Ok(ApiKey(Secret::new(key)))
    }
}

impl CredentialSource for ApiKey {
    fn bearer_token(&self) -> Result<Secret, Error> {
        Ok(self.0.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
