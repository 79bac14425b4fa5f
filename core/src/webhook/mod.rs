//! Webhook signature verification and event parsing.
//!
//! A delivery carries an `x-amigo-signature` header (`sha256=<hex HMAC-SHA256>`) and,
//! normally, an `x-amigo-timestamp` header. The signed message is `v1:<timestamp>:<body>`
//! (or the body alone for legacy deliveries, which are refused unless
//! [`VerifierBuilder::allow_legacy`] is set). The MAC is computed with every configured
//! secret (for secret rotation) and compared in constant time; the timestamp must then be
//! within the tolerance (default five minutes, both directions) of the `now` you pass in.
//! This module never reads a clock.
//!
//! ```
//! use amigo_platform_core::webhook::{sign, Verifier, WebhookError, SIGNATURE_HEADER, TIMESTAMP_HEADER};
//! use std::time::Duration;
//! use web_time::{SystemTime, UNIX_EPOCH};
//!
//! let body = br#"{"id":"evt_123","type":"call.completed","timestamp":"2023-11-14T22:13:20Z","data":{"call_id":"c1"}}"#;
//! let mut headers = http::HeaderMap::new();
//! headers.insert(SIGNATURE_HEADER, sign("whsec_test_secret", "1700000000", body).parse().unwrap());
//! headers.insert(TIMESTAMP_HEADER, "1700000000".parse().unwrap());
//!
//! let verifier = Verifier::builder()
//!     .secret("whsec_test_secret")
//!     .tolerance(Duration::from_secs(300))
//!     .build();
//! let now = UNIX_EPOCH + Duration::from_secs(1_700_000_060);
//!
//! verifier.verify(body, &headers, now)?;
//! let event = verifier.parse_event_as(body, &headers, now, "call.completed")?;
//! assert_eq!(event.id.as_deref(), Some("evt_123"));
//! assert_eq!(event.data, Some(serde_json::json!({"call_id": "c1"})));
//!
//! // Ten minutes later the same delivery is stale.
//! let later: SystemTime = now + Duration::from_secs(600);
//! assert_eq!(verifier.verify(body, &headers, later), Err(WebhookError::TimestampOutOfTolerance));
//! # Ok::<(), WebhookError>(())
//! ```

mod error;
mod event;
mod hex;
mod replay;
mod secret;
mod signature;
mod timestamp;
mod verifier;

#[cfg(test)]
mod tests;

pub use error::WebhookError;
pub use event::{EventValidator, ParseOptions, WebhookEvent};
pub use replay::ReplayGuard;
pub use secret::WebhookSecret;
pub use signature::sign;
pub use verifier::{Verifier, VerifierBuilder};

use http::HeaderName;
use std::time::Duration;

/// Name of the header that carries the signature (`sha256=<hex>`).
pub const SIGNATURE_HEADER: HeaderName = HeaderName::from_static("x-amigo-signature");

/// Name of the header that carries the signed timestamp text.
pub const TIMESTAMP_HEADER: HeaderName = HeaderName::from_static("x-amigo-timestamp");

/// Default allowed distance between the delivery timestamp and `now`, in both directions.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);
