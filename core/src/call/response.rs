//! Response metadata: status, request id, headers and rate-limit information.

use crate::call::retry_after::{parse_rate_number, parse_retry_after};
use http::{HeaderMap, StatusCode};
use std::time::Duration;
use web_time::SystemTime;

/// Rate-limit information parsed from the response headers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RateLimit {
    /// `x-ratelimit-limit`.
    pub limit: Option<u64>,
    /// `x-ratelimit-remaining`.
    pub remaining: Option<u64>,
    /// `x-ratelimit-reset`, read as Unix epoch seconds.
    pub reset: Option<SystemTime>,
    /// `retry-after`, through the single parser.
    pub retry_after: Option<Duration>,
}

impl RateLimit {
    /// Parses the four headers; absent or unparseable values are `None`.
    pub fn from_headers(headers: &HeaderMap, now: SystemTime) -> Self {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        RateLimit {
            limit: text("x-ratelimit-limit").and_then(parse_rate_number),
            remaining: text("x-ratelimit-remaining").and_then(parse_rate_number),
            reset: text("x-ratelimit-reset")
                .and_then(parse_rate_number)
                .and_then(|s| web_time::UNIX_EPOCH.checked_add(Duration::from_secs(s))),
            retry_after: text("retry-after").and_then(|v| parse_retry_after(v, now)),
        }
    }

    /// The reset time as Unix epoch seconds.
    pub fn reset_epoch_seconds(&self) -> Option<u64> {
        self.reset
            .and_then(|t| t.duration_since(web_time::UNIX_EPOCH).ok())
            .map(|d| d.as_secs())
    }
}

/// Metadata of one HTTP response; never part of a model's serialised form.
#[derive(Clone, PartialEq)]
pub struct ResponseMeta {
    /// The HTTP status.
    pub status: StatusCode,
    /// Header `x-request-id`, when present.
    pub request_id: Option<String>,
    /// All response headers.
    pub headers: HeaderMap,
    /// Parsed rate-limit headers.
    pub rate_limit: RateLimit,
}

impl ResponseMeta {
    /// Metadata with only the status (no headers, request id or rate limit).
    pub(crate) fn status_only(status: StatusCode) -> Self {
        ResponseMeta {
            status,
            request_id: None,
            headers: HeaderMap::new(),
            rate_limit: RateLimit::default(),
        }
    }

    /// Builds metadata from a status and headers, with `now` for HTTP-date `Retry-After` values.
    pub fn new(status: StatusCode, headers: HeaderMap, now: SystemTime) -> Self {
        let request_id = headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let rate_limit = RateLimit::from_headers(&headers, now);
        ResponseMeta {
            status,
            request_id,
            headers,
            rate_limit,
        }
    }
}

impl std::fmt::Debug for ResponseMeta {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseMeta")
            .field("status", &self.status)
            .field("request_id", &self.request_id)
            .field(
                "headers",
                &crate::error::redact::headers_debug(&self.headers),
            )
            .field("rate_limit", &self.rate_limit)
            .finish()
    }
}

/// A successful result together with its response metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct Response<T> {
    /// The decoded data.
    pub data: T,
    /// Status, request id, headers and rate limits.
    pub meta: ResponseMeta,
}

impl<T> Response<T> {
    /// Drops the metadata.
    pub fn into_data(self) -> T {
        self.data
    }

    /// Maps the data, keeping the metadata.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            data: f(self.data),
            meta: self.meta,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rate_limit_headers() {
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-limit", "100".parse().unwrap());
        h.insert("x-ratelimit-remaining", "42".parse().unwrap());
        h.insert("x-ratelimit-reset", "1700000000".parse().unwrap());
        h.insert("retry-after", "30".parse().unwrap());
        let rl = RateLimit::from_headers(&h, web_time::UNIX_EPOCH);
        assert_eq!(rl.limit, Some(100));
        assert_eq!(rl.remaining, Some(42));
        assert_eq!(rl.reset_epoch_seconds(), Some(1_700_000_000));
        assert_eq!(rl.retry_after, Some(Duration::from_secs(30)));
        assert_eq!(
            RateLimit::from_headers(&HeaderMap::new(), web_time::UNIX_EPOCH),
            RateLimit::default()
        );
        let mut bad = HeaderMap::new();
        bad.insert("x-ratelimit-remaining", "abc".parse().unwrap());
        assert_eq!(
            RateLimit::from_headers(&bad, web_time::UNIX_EPOCH).remaining,
            None
        );
    }
}
