//! The secret wrapper whose diagnostic output is always redacted.

use std::fmt;

/// A webhook signing secret, used as its UTF-8 bytes; `Debug` prints `[REDACTED]`.
#[derive(Clone)]
pub struct WebhookSecret(String);

impl WebhookSecret {
    /// Wraps a secret exactly as the API returned it (never hex- or base64-decoded).
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// Returns the secret text; the caller takes responsibility for not logging it.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// Whether the secret is empty (empty secrets are skipped by the verifier).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl From<String> for WebhookSecret {
    fn from(secret: String) -> Self {
        Self(secret)
    }
}

impl From<&str> for WebhookSecret {
    fn from(secret: &str) -> Self {
        Self(secret.to_owned())
    }
}

impl From<&String> for WebhookSecret {
    fn from(secret: &String) -> Self {
        Self(secret.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::WebhookSecret;

    #[test]
    fn debug_is_redacted() {
        let s = WebhookSecret::new("whsec_super_secret");
        assert_eq!(format!("{s:?}"), "[REDACTED]");
        assert_eq!(format!("{:?}", Some(&s)), "Some([REDACTED])");
        assert_eq!(s.expose_secret(), "whsec_super_secret");
        assert!(!s.is_empty());
        assert!(WebhookSecret::from("").is_empty());
    }
}
