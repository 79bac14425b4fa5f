//! Per-attempt observability hooks.
//!
//! The contexts' `Debug` never shows secrets: credential headers print `[REDACTED]`, URLs
//! have capability tokens redacted, and bodies print as redacted JSON or as their length.

use crate::call::response::RateLimit;
use crate::error::redact::{body_debug, headers_debug, redact_url};
use crate::error::Error;
use http::{HeaderMap, Method, StatusCode};
use std::fmt;
use std::time::Duration;

/// What the retry loop decided after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Another attempt follows after `delay`.
    Retry {
        /// The wait before the next attempt.
        delay: Duration,
    },
    /// The call ends with this attempt.
    Return,
}

/// The fields every hook context carries.
#[derive(Clone)]
pub struct AttemptInfo {
    /// Random per logical call (not guaranteed unique).
    pub call_id: u64,
    /// 1-based attempt number.
    pub attempt: u32,
    /// The call's attempt budget.
    pub max_attempts: u32,
    /// HTTP method.
    pub method: Method,
    /// The final URL, with capability tokens (`/s/{token}`, `/upload/{link_token}`, any
    /// `{token}` path parameter) replaced by `[REDACTED]`; the request sent keeps them.
    pub url: String,
    /// The path template, e.g. `/v1/{workspace_id}/agents`.
    pub path_template: String,
}

/// Context of `on_request`: headers may be edited for this attempt (Authorization excepted).
pub struct RequestHookContext<'a> {
    /// Common fields.
    pub info: &'a AttemptInfo,
    /// The attempt's headers; `Authorization` shows `[REDACTED]` and edits to it are ignored.
    pub headers: &'a mut HeaderMap,
}

/// Context of `on_response`.
pub struct ResponseHookContext<'a> {
    /// Common fields.
    pub info: &'a AttemptInfo,
    /// Response status.
    pub status: StatusCode,
    /// Response headers.
    pub headers: &'a HeaderMap,
    /// Header `x-request-id`.
    pub request_id: Option<&'a str>,
    /// Parsed rate-limit headers.
    pub rate_limit: RateLimit,
    /// Time from sending to the buffered response.
    pub elapsed: Duration,
    /// Read-only view of the buffered body (none for streams).
    pub body: Option<&'a [u8]>,
    /// Whether the call retries or returns.
    pub decision: Decision,
}

/// Context of `on_error`.
pub struct ErrorHookContext<'a> {
    /// Common fields.
    pub info: &'a AttemptInfo,
    /// The attempt's error.
    pub error: &'a Error,
    /// Time from sending to the failure.
    pub elapsed: Duration,
    /// Whether the call retries or returns.
    pub decision: Decision,
}

impl fmt::Debug for AttemptInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AttemptInfo")
            .field("call_id", &self.call_id)
            .field("attempt", &self.attempt)
            .field("max_attempts", &self.max_attempts)
            .field("method", &self.method)
            .field("url", &redact_url(&self.url, Some(&self.path_template)))
            .field("path_template", &self.path_template)
            .finish()
    }
}

impl fmt::Debug for RequestHookContext<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestHookContext")
            .field("info", self.info)
            .field("headers", &headers_debug(self.headers))
            .finish()
    }
}

impl fmt::Debug for ResponseHookContext<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseHookContext")
            .field("info", self.info)
            .field("status", &self.status)
            .field("headers", &headers_debug(self.headers))
            .field("request_id", &self.request_id)
            .field("rate_limit", &self.rate_limit)
            .field("elapsed", &self.elapsed)
            .field("body", &self.body.map(body_debug))
            .field("decision", &self.decision)
            .finish()
    }
}

impl fmt::Debug for ErrorHookContext<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ErrorHookContext")
            .field("info", self.info)
            .field("error", self.error)
            .field("elapsed", &self.elapsed)
            .field("decision", &self.decision)
            .finish()
    }
}

/// A hook's failure; it aborts the call with a Hook error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookError(pub String);

impl fmt::Display for HookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HookError {}

impl From<&str> for HookError {
    fn from(s: &str) -> Self {
        HookError(s.to_owned())
    }
}
impl From<String> for HookError {
    fn from(s: String) -> Self {
        HookError(s)
    }
}

/// Callbacks run synchronously around every attempt; all methods default to doing nothing.
pub trait Hooks: Send + Sync {
    /// Before every attempt; may add, replace or remove headers for that attempt.
    fn on_request(&self, _ctx: &mut RequestHookContext<'_>) -> Result<(), HookError> {
        Ok(())
    }
    /// After every attempt that produced a response, once the body is buffered.
    fn on_response(&self, _ctx: &ResponseHookContext<'_>) -> Result<(), HookError> {
        Ok(())
    }
    /// After every attempt that failed without a response.
    fn on_error(&self, _ctx: &ErrorHookContext<'_>) -> Result<(), HookError> {
        Ok(())
    }
}
