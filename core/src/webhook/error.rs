//! The failure reasons of webhook verification and parsing.

use std::fmt;

/// Why a webhook delivery was refused; no variant ever carries a secret or an expected MAC.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WebhookError {
    /// No usable secret was configured (none given, or all empty).
    NoSecret,
    /// The signature header is missing, empty or not `[sha256=]<even-length hex>`.
    InvalidSignatureFormat,
    /// The timestamp header is absent or empty and legacy deliveries are not allowed.
    TimestampMissing,
    /// No configured secret produced the provided signature.
    SignatureMismatch,
    /// The (correctly signed) timestamp is neither Unix seconds/milliseconds nor RFC 3339.
    TimestampInvalid,
    /// The timestamp is further from `now` than the tolerance.
    TimestampOutOfTolerance,
    /// The verified payload is not valid JSON.
    InvalidJson,
    /// The event's `type` is not the expected one (or the payload has no string `type`).
    UnexpectedType {
        /// The event type the caller asked for.
        expected: String,
        /// The event type found in the payload, if it had a string `type`.
        received: Option<String>,
    },
    /// An event with this `id` was already accepted within the replay window.
    Replayed {
        /// The duplicated event id.
        id: String,
    },
    /// The replay guard is full of ids still inside their replay window, so it cannot
    /// remember this one without forgetting one it must still recognise: the delivery is
    /// refused (not processed) rather than accepted unprotected. Answer with a retryable
    /// status (for example 503) so the sender redelivers later, and size the guard for the
    /// delivery rate times the tolerance window.
    ReplayGuardFull {
        /// The guard's capacity.
        capacity: usize,
    },
    /// The caller's validator refused the event.
    Rejected {
        /// The validator's message.
        message: String,
    },
}

impl WebhookError {
    /// Whether this is a signature or timestamp failure rather than a payload-level one.
    pub fn is_verification_failure(&self) -> bool {
        matches!(
            self,
            Self::NoSecret
                | Self::InvalidSignatureFormat
                | Self::TimestampMissing
                | Self::SignatureMismatch
                | Self::TimestampInvalid
                | Self::TimestampOutOfTolerance
        )
    }
}

const SIG_PREFIX: &str = "Invalid or expired webhook signature: ";

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoSecret => write!(f, "{SIG_PREFIX}no secret configured"),
            Self::InvalidSignatureFormat => write!(f, "{SIG_PREFIX}malformed signature"),
            Self::TimestampMissing => write!(f, "{SIG_PREFIX}timestamp missing"),
            Self::SignatureMismatch => write!(f, "{SIG_PREFIX}signature mismatch"),
            Self::TimestampInvalid => write!(f, "{SIG_PREFIX}unparseable timestamp"),
            Self::TimestampOutOfTolerance => write!(f, "{SIG_PREFIX}timestamp outside tolerance"),
            Self::InvalidJson => f.write_str("Invalid JSON webhook payload"),
            Self::UnexpectedType { expected, received } => write!(
                f,
                "Unexpected webhook event type: expected {expected}, received {}",
                received.as_deref().unwrap_or("none")
            ),
            Self::Replayed { id } => write!(f, "Webhook event {id} was already processed"),
            Self::ReplayGuardFull { capacity } => write!(
                f,
                "Webhook replay guard full ({capacity} ids inside their window): delivery refused"
            ),
            Self::Rejected { message } => write!(f, "Webhook event rejected: {message}"),
        }
    }
}

impl std::error::Error for WebhookError {}

#[cfg(test)]
mod tests {
    use super::WebhookError as E;

    #[test]
    fn display_texts_match_the_spec_table() {
        let p = "Invalid or expired webhook signature: ";
        let cases = [
            (E::NoSecret, format!("{p}no secret configured")),
            (E::InvalidSignatureFormat, format!("{p}malformed signature")),
            (E::TimestampMissing, format!("{p}timestamp missing")),
            (E::SignatureMismatch, format!("{p}signature mismatch")),
            (E::TimestampInvalid, format!("{p}unparseable timestamp")),
            (
                E::TimestampOutOfTolerance,
                format!("{p}timestamp outside tolerance"),
            ),
            (E::InvalidJson, "Invalid JSON webhook payload".to_owned()),
            (
                E::UnexpectedType {
                    expected: "a.b".into(),
                    received: Some("c.d".into()),
                },
                "Unexpected webhook event type: expected a.b, received c.d".to_owned(),
            ),
            (
                E::UnexpectedType {
                    expected: "a.b".into(),
                    received: None,
                },
                "Unexpected webhook event type: expected a.b, received none".to_owned(),
            ),
            (
                E::Replayed { id: "evt_1".into() },
                "Webhook event evt_1 was already processed".to_owned(),
            ),
            (
                E::ReplayGuardFull { capacity: 3 },
                "Webhook replay guard full (3 ids inside their window): delivery refused"
                    .to_owned(),
            ),
            (
                E::Rejected {
                    message: "nope".into(),
                },
                "Webhook event rejected: nope".to_owned(),
            ),
        ];
        for (err, text) in cases {
            assert_eq!(err.to_string(), text);
        }
    }

    #[test]
    fn verification_failures_are_classified() {
        assert!(E::SignatureMismatch.is_verification_failure());
        assert!(E::TimestampOutOfTolerance.is_verification_failure());
        assert!(!E::InvalidJson.is_verification_failure());
        assert!(!E::Replayed { id: "x".into() }.is_verification_failure());
    }

    #[test]
    fn error_is_send_sync_and_std_error() {
        fn check<T: std::error::Error + Send + Sync + 'static>() {}
        check::<E>();
    }
}
