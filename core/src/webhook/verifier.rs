//! The configured verifier, its builder and the order in which a delivery is checked.

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Request};
use std::fmt;
use std::time::Duration;
use web_time::SystemTime;

use super::error::WebhookError;
use super::event::{self, ParseOptions, ReplayWindow, WebhookEvent};
use super::replay::ReplayGuard;
use super::secret::WebhookSecret;
use super::signature::{self, SigningKey};
use super::{timestamp, DEFAULT_TOLERANCE, SIGNATURE_HEADER, TIMESTAMP_HEADER};

/// Verifies webhook deliveries against one or more secrets; it never reads a clock.
///
/// Each usable (non-empty) secret is turned into a keyed HMAC-SHA256 state once, when the
/// verifier is built; verifying a delivery clones that state instead of hashing the key
/// again, and allocates nothing.
#[derive(Clone)]
pub struct Verifier {
    /// One keyed MAC per non-empty secret, in the order given (`Debug` is redacted).
    keys: Vec<SigningKey>,
    tolerance: Duration,
    /// `tolerance` in nanoseconds, converted once.
    tolerance_nanos: i128,
    allow_legacy: bool,
    replay_guard: Option<ReplayGuard>,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Same shape as before the keys were precomputed: one `[REDACTED]` per usable secret.
        f.debug_struct("Verifier")
            .field("secrets", &self.keys)
            .field("tolerance", &self.tolerance)
            .field("allow_legacy", &self.allow_legacy)
            .field("replay_guard", &self.replay_guard)
            .finish()
    }
}

/// Builds a [`Verifier`]: secrets, tolerance (default 300 s), legacy opt-in, replay guard.
#[derive(Debug, Clone)]
pub struct VerifierBuilder {
    secrets: Vec<WebhookSecret>,
    tolerance: Duration,
    allow_legacy: bool,
    replay_guard: Option<ReplayGuard>,
}

impl Default for VerifierBuilder {
    fn default() -> Self {
        Self {
            secrets: Vec::new(),
            tolerance: DEFAULT_TOLERANCE,
            allow_legacy: false,
            replay_guard: None,
        }
    }
}

impl VerifierBuilder {
    /// Adds a secret (call again for the previous secret during a rotation window).
    pub fn secret(mut self, secret: impl Into<WebhookSecret>) -> Self {
        self.secrets.push(secret.into());
        self
    }

    /// Adds several secrets; a signature made with any of them verifies.
    pub fn secrets<I>(mut self, secrets: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<WebhookSecret>,
    {
        self.secrets.extend(secrets.into_iter().map(Into::into));
        self
    }

    /// Sets the allowed distance between the timestamp and `now`, both ways (0 = exact).
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Accepts deliveries without a timestamp (no freshness check); off by default.
    pub fn allow_legacy(mut self, allow: bool) -> Self {
        self.allow_legacy = allow;
        self
    }

    /// Rejects, in `parse_event*`, an event whose `id` was already accepted within its window.
    pub fn replay_guard(mut self, guard: ReplayGuard) -> Self {
        self.replay_guard = Some(guard);
        self
    }

    /// Finishes the verifier (a missing secret is reported by `verify` as `NoSecret`).
    pub fn build(self) -> Verifier {
        let keys = self
            .secrets
            .iter()
            .filter(|secret| !secret.is_empty())
            .filter_map(|secret| SigningKey::new(secret.as_bytes()))
            .collect();
        Verifier {
            keys,
            tolerance: self.tolerance,
            tolerance_nanos: timestamp::duration_nanos(self.tolerance),
            allow_legacy: self.allow_legacy,
            replay_guard: self.replay_guard,
        }
    }
}

/// The timestamp as found in the delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TimestampInput<'a> {
    /// Absent or empty: legacy.
    Absent,
    /// The verbatim header text.
    Text(&'a [u8]),
    /// Several timestamp headers: which one was signed is unknowable.
    Ambiguous,
}

impl<'a> TimestampInput<'a> {
    fn from_option(ts: Option<&'a [u8]>) -> Self {
        match ts {
            Some(text) if !text.is_empty() => Self::Text(text),
            _ => Self::Absent,
        }
    }
}

/// Signature and timestamp as taken from the headers.
#[derive(Debug, PartialEq, Eq)]
struct HeaderInputs<'a> {
    signature: &'a [u8],
    timestamp: TimestampInput<'a>,
}

/// The signature header name, parsed once (a `static` is never dropped or rebuilt).
static SIGNATURE: HeaderName = SIGNATURE_HEADER;

/// The timestamp header name, parsed once.
static TIMESTAMP: HeaderName = TIMESTAMP_HEADER;

/// Up to this many header values, one pass over the map finds both headers faster than
/// two hashed look-ups (each hashes the 17-byte name byte by byte).
const SCAN_LIMIT: usize = 16;

/// How often, and with which first value, one header name occurred.
#[derive(Clone, Copy)]
struct Seen<'a> {
    first: Option<&'a [u8]>,
    repeated: bool,
}

impl<'a> Seen<'a> {
    const NONE: Self = Self {
        first: None,
        repeated: false,
    };

    fn add(&mut self, value: &'a [u8]) {
        if self.first.is_none() {
            self.first = Some(value);
        } else {
            self.repeated = true;
        }
    }

    /// The first two values of `name` in `headers`, through the map's index.
    fn lookup(headers: &'a HeaderMap, name: &HeaderName) -> Self {
        let mut values = headers.get_all(name).iter();
        let first = values.next().map(HeaderValue::as_bytes);
        let repeated = values.next().is_some();
        Self { first, repeated }
    }
}

#[inline]
fn header_inputs(headers: &HeaderMap) -> HeaderInputs<'_> {
    let (sig, ts) = if headers.len() <= SCAN_LIMIT {
        scan_headers(headers)
    } else {
        (
            Seen::lookup(headers, &SIGNATURE),
            Seen::lookup(headers, &TIMESTAMP),
        )
    };
    inputs_from(sig, ts)
}

/// Finds both headers in one pass over a small map (names in a map are lower case).
#[inline]
fn scan_headers(headers: &HeaderMap) -> (Seen<'_>, Seen<'_>) {
    let (mut sig, mut ts) = (Seen::NONE, Seen::NONE);
    for (name, value) in headers {
        let name = name.as_str();
        if name == SIGNATURE_NAME {
            sig.add(value.as_bytes());
        } else if name == TIMESTAMP_NAME {
            ts.add(value.as_bytes());
        }
    }
    (sig, ts)
}

/// The text of [`SIGNATURE`], for the scan's direct comparisons.
const SIGNATURE_NAME: &str = "x-amigo-signature";

/// The text of [`TIMESTAMP`].
const TIMESTAMP_NAME: &str = "x-amigo-timestamp";

#[inline]
fn inputs_from<'a>(sig: Seen<'a>, ts: Seen<'a>) -> HeaderInputs<'a> {
    let signature = match sig {
        Seen {
            first: Some(one),
            repeated: false,
        } => one,
        // Missing or repeated: one signature per header, one header per delivery.
        _ => b"",
    };
    let timestamp = match ts {
        Seen { first: None, .. } => TimestampInput::Absent,
        Seen {
            first: Some(one),
            repeated: false,
        } => TimestampInput::from_option(Some(one)),
        Seen { repeated: true, .. } => TimestampInput::Ambiguous,
    };
    HeaderInputs {
        signature,
        timestamp,
    }
}

impl Verifier {
    /// A verifier with a single secret and the defaults (300 s tolerance, no legacy).
    pub fn new(secret: impl Into<WebhookSecret>) -> Self {
        Self::builder().secret(secret).build()
    }

    /// Starts a [`VerifierBuilder`] with the defaults.
    pub fn builder() -> VerifierBuilder {
        VerifierBuilder::default()
    }

    /// The configured tolerance.
    pub fn tolerance(&self) -> Duration {
        self.tolerance
    }

    /// Whether deliveries without a timestamp are accepted.
    pub fn allows_legacy(&self) -> bool {
        self.allow_legacy
    }

    /// The replay guard, if one was configured.
    pub fn replay_guard(&self) -> Option<&ReplayGuard> {
        self.replay_guard.as_ref()
    }

    /// Verifies a delivery from its raw body and its `x-amigo-*` headers at time `now`.
    pub fn verify(
        &self,
        body: &[u8],
        headers: &HeaderMap,
        now: SystemTime,
    ) -> Result<(), WebhookError> {
        let inputs = header_inputs(headers);
        self.check(body, inputs.signature, inputs.timestamp, now)
            .map(|_| ())
    }

    /// Verifies a delivery from its raw body, signature header value and timestamp header value.
    pub fn verify_parts(
        &self,
        body: &[u8],
        signature: &str,
        timestamp: Option<&str>,
        now: SystemTime,
    ) -> Result<(), WebhookError> {
        let ts = TimestampInput::from_option(timestamp.map(str::as_bytes));
        self.check(body, signature.as_bytes(), ts, now).map(|_| ())
    }

    /// Verifies an `http::Request` whose body is the raw delivery bytes.
    pub fn verify_request(
        &self,
        req: &Request<Bytes>,
        now: SystemTime,
    ) -> Result<(), WebhookError> {
        self.verify(req.body(), req.headers(), now)
    }

    /// Verifies a delivery and returns its envelope (replay guard applied if configured).
    pub fn parse_event(
        &self,
        body: &[u8],
        headers: &HeaderMap,
        now: SystemTime,
    ) -> Result<WebhookEvent, WebhookError> {
        self.parse_event_with(body, headers, now, &ParseOptions::new())
    }

    /// Like [`Verifier::parse_event`], and requires the event `type` to equal `expected_type`.
    pub fn parse_event_as(
        &self,
        body: &[u8],
        headers: &HeaderMap,
        now: SystemTime,
        expected_type: &str,
    ) -> Result<WebhookEvent, WebhookError> {
        self.parse_event_with(
            body,
            headers,
            now,
            &ParseOptions::new().expected_type(expected_type),
        )
    }

    /// Like [`Verifier::parse_event`], with an optional expected type and validator.
    pub fn parse_event_with(
        &self,
        body: &[u8],
        headers: &HeaderMap,
        now: SystemTime,
        options: &ParseOptions<'_>,
    ) -> Result<WebhookEvent, WebhookError> {
        let inputs = header_inputs(headers);
        self.parse(body, inputs.signature, inputs.timestamp, now, options)
    }

    /// Like [`Verifier::parse_event_with`], from the signature and timestamp header values.
    pub fn parse_event_parts(
        &self,
        body: &[u8],
        signature: &str,
        timestamp: Option<&str>,
        now: SystemTime,
        options: &ParseOptions<'_>,
    ) -> Result<WebhookEvent, WebhookError> {
        let ts = TimestampInput::from_option(timestamp.map(str::as_bytes));
        self.parse(body, signature.as_bytes(), ts, now, options)
    }

    /// Verifies and parses an `http::Request` whose body is the raw delivery bytes.
    pub fn parse_request(
        &self,
        req: &Request<Bytes>,
        now: SystemTime,
        options: &ParseOptions<'_>,
    ) -> Result<WebhookEvent, WebhookError> {
        self.parse_event_with(req.body(), req.headers(), now, options)
    }

    fn parse(
        &self,
        body: &[u8],
        signature: &[u8],
        ts: TimestampInput<'_>,
        now: SystemTime,
        options: &ParseOptions<'_>,
    ) -> Result<WebhookEvent, WebhookError> {
        let verified = self.check(body, signature, ts, now)?;
        let replay = self.replay_guard.as_ref().map(|guard| {
            let tolerance = self.tolerance_nanos;
            // Timestamped: the window ends at timestamp + tolerance; legacy: now + tolerance.
            let base = verified.timestamp.unwrap_or(verified.now);
            ReplayWindow {
                guard,
                now: verified.now,
                expires_at: base.saturating_add(tolerance),
            }
        });
        event::parse_verified(body, replay, options)
    }

    /// The verification order: secrets, then signature, then timestamp freshness.
    fn check(
        &self,
        body: &[u8],
        signature: &[u8],
        ts: TimestampInput<'_>,
        now: SystemTime,
    ) -> Result<Verified, WebhookError> {
        if self.keys.is_empty() {
            return Err(WebhookError::NoSecret);
        }
        let provided = signature::parse(signature)?;
        let signed_ts = match ts {
            TimestampInput::Absent if self.allow_legacy => None,
            TimestampInput::Absent => return Err(WebhookError::TimestampMissing),
            TimestampInput::Ambiguous => return Err(WebhookError::TimestampInvalid),
            TimestampInput::Text(text) => Some(text),
        };
        if !signature::any_key_matches(&self.keys, signed_ts, body, &provided) {
            return Err(WebhookError::SignatureMismatch);
        }
        let now = timestamp::system_time_nanos(now);
        let Some(text) = signed_ts else {
            return Ok(Verified {
                now,
                timestamp: None,
            });
        };
        let instant = timestamp::parse(text).ok_or(WebhookError::TimestampInvalid)?;
        if !timestamp::within_tolerance(instant, now, self.tolerance_nanos) {
            return Err(WebhookError::TimestampOutOfTolerance);
        }
        Ok(Verified {
            now,
            timestamp: Some(instant.nanos),
        })
    }
}

/// What a successful check learned: `now` and the signed timestamp, in ns since the epoch.
struct Verified {
    now: i128,
    timestamp: Option<i128>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_match_the_public_constants() {
        assert_eq!(SIGNATURE.as_str(), SIGNATURE_NAME);
        assert_eq!(TIMESTAMP.as_str(), TIMESTAMP_NAME);
        assert_eq!(SIGNATURE, SIGNATURE_HEADER);
        assert_eq!(TIMESTAMP, TIMESTAMP_HEADER);
    }

    /// The one-pass scan and the hashed look-ups read every map the same way, whatever
    /// the number of headers, their order, repetitions and spelling.
    #[test]
    fn scan_and_hashed_lookup_agree() {
        let sig = HeaderName::from_bytes(b"X-Amigo-Signature").expect("valid name");
        let ts = HeaderName::from_bytes(b"x-AMIGO-timestamp").expect("valid name");
        let near = HeaderName::from_static("x-amigo-signaturf");
        let others = [
            http::header::CONTENT_TYPE,
            http::header::USER_AGENT,
            HeaderName::from_static("x-amigo-delivery"),
            near,
        ];
        let mut maps = Vec::new();
        for fillers in [0usize, 1, 3, SCAN_LIMIT - 2, SCAN_LIMIT, SCAN_LIMIT + 1, 40] {
            for sigs in 0..3usize {
                for stamps in 0..3usize {
                    for stamp_value in ["1700000000", ""] {
                        let mut map = HeaderMap::new();
                        for i in 0..fillers {
                            map.append(
                                others[i % others.len()].clone(),
                                HeaderValue::from_static("v"),
                            );
                        }
                        for i in 0..sigs {
                            let value = if i == 0 { "sha256=00" } else { "sha256=11" };
                            map.append(sig.clone(), HeaderValue::from_static(value));
                        }
                        for _ in 0..stamps {
                            map.append(ts.clone(), HeaderValue::from_static(stamp_value));
                        }
                        maps.push(map);
                    }
                }
            }
        }
        for map in &maps {
            let (s, t) = scan_headers(map);
            let scanned = inputs_from(s, t);
            let hashed = inputs_from(Seen::lookup(map, &SIGNATURE), Seen::lookup(map, &TIMESTAMP));
            assert_eq!(scanned, hashed, "{map:?}");
            assert_eq!(header_inputs(map), hashed, "{map:?}");
        }
        // The spot checks behind the comparison.
        let mut map = HeaderMap::new();
        map.append(sig.clone(), HeaderValue::from_static("sha256=00"));
        map.append(ts.clone(), HeaderValue::from_static("17"));
        let both = HeaderInputs {
            signature: b"sha256=00",
            timestamp: TimestampInput::Text(b"17"),
        };
        assert_eq!(header_inputs(&map), both);
        for i in 0..40 {
            map.append(
                HeaderName::from_bytes(format!("x-filler-{i}").as_bytes()).expect("valid"),
                HeaderValue::from_static("v"),
            );
        }
        assert!(map.len() > SCAN_LIMIT);
        assert_eq!(header_inputs(&map), both);
        map.append(ts, HeaderValue::from_static("17"));
        map.append(sig, HeaderValue::from_static("sha256=00"));
        assert_eq!(
            header_inputs(&map),
            HeaderInputs {
                signature: b"",
                timestamp: TimestampInput::Ambiguous,
            }
        );
        assert_eq!(
            header_inputs(&HeaderMap::new()),
            HeaderInputs {
                signature: b"",
                timestamp: TimestampInput::Absent,
            }
        );
    }
}
