//! Retry policy and scoped / per-call request options.

use crate::call::upload::OnUploadProgress;
use crate::cancel::CancelToken;
use crate::error::Error;
use http::{HeaderName, HeaderValue};
use std::time::Duration;

/// The effective retry policy of one call.
///
/// `#[non_exhaustive]`: start from [`RetryPolicy::default`] and change fields with the setters
/// (or by assignment).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts including the first; at least 1.
    pub max_attempts: u32,
    /// Jitter base.
    pub base_delay: Duration,
    /// Jitter ceiling.
    pub max_delay: Duration,
    /// Cap on an honoured `Retry-After`.
    pub max_retry_after: Duration,
    /// Opt-in retries for PUT, PATCH and DELETE.
    pub retry_writes: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(60),
            retry_writes: false,
        }
    }
}

impl RetryPolicy {
    /// Sets the attempts including the first (at least 1).
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n;
        self
    }

    /// Sets the jitter base.
    pub fn base_delay(mut self, d: Duration) -> Self {
        self.base_delay = d;
        self
    }

    /// Sets the jitter ceiling.
    pub fn max_delay(mut self, d: Duration) -> Self {
        self.max_delay = d;
        self
    }

    /// Sets the cap on an honoured `Retry-After`.
    pub fn max_retry_after(mut self, d: Duration) -> Self {
        self.max_retry_after = d;
        self
    }

    /// Allows (or forbids) retries of PUT, PATCH and DELETE.
    pub fn retry_writes(mut self, on: bool) -> Self {
        self.retry_writes = on;
        self
    }

    /// Applies a partial override field by field.
    pub fn merged(mut self, o: &RetryOverride) -> RetryPolicy {
        if let Some(v) = o.max_attempts {
            self.max_attempts = v;
        }
        if let Some(v) = o.base_delay {
            self.base_delay = v;
        }
        if let Some(v) = o.max_delay {
            self.max_delay = v;
        }
        if let Some(v) = o.max_retry_after {
            self.max_retry_after = v;
        }
        if let Some(v) = o.retry_writes {
            self.retry_writes = v;
        }
        self
    }
}

/// A partial retry policy: unset fields keep the lower layer's value.
///
/// `#[non_exhaustive]`: start from [`RetryOverride::default`] (nothing overridden) and set
/// fields with the setters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryOverride {
    /// Attempts including the first.
    pub max_attempts: Option<u32>,
    /// Jitter base.
    pub base_delay: Option<Duration>,
    /// Jitter ceiling.
    pub max_delay: Option<Duration>,
    /// Cap on an honoured `Retry-After`.
    pub max_retry_after: Option<Duration>,
    /// Retries for PUT, PATCH and DELETE.
    pub retry_writes: Option<bool>,
}

impl RetryOverride {
    /// Overrides the attempts including the first.
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = Some(n);
        self
    }

    /// Overrides the jitter base.
    pub fn base_delay(mut self, d: Duration) -> Self {
        self.base_delay = Some(d);
        self
    }

    /// Overrides the jitter ceiling.
    pub fn max_delay(mut self, d: Duration) -> Self {
        self.max_delay = Some(d);
        self
    }

    /// Overrides the cap on an honoured `Retry-After`.
    pub fn max_retry_after(mut self, d: Duration) -> Self {
        self.max_retry_after = Some(d);
        self
    }

    /// Overrides whether PUT, PATCH and DELETE are retried.
    pub fn retry_writes(mut self, on: bool) -> Self {
        self.retry_writes = Some(on);
        self
    }

    fn merge(&self, higher: &RetryOverride) -> RetryOverride {
        RetryOverride {
            max_attempts: higher.max_attempts.or(self.max_attempts),
            base_delay: higher.base_delay.or(self.base_delay),
            max_delay: higher.max_delay.or(self.max_delay),
            max_retry_after: higher.max_retry_after.or(self.max_retry_after),
            retry_writes: higher.retry_writes.or(self.retry_writes),
        }
    }
}

/// A header edit in one options layer.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum HeaderEdit {
    /// Set (replace) the header.
    Set(HeaderValue),
    /// Remove the header from every lower layer, including client defaults.
    Remove,
}

/// Options for a scope (`with_options`) or a single call.
///
/// Layers merge per call, highest first: per-call > resource scope > client scope > config.
#[derive(Clone, Default)]
pub struct RequestOptions {
    pub(crate) headers: Vec<(HeaderName, HeaderEdit)>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) deadline: Option<Duration>,
    pub(crate) retry: RetryOverride,
    pub(crate) cancel: Vec<CancelToken>,
    pub(crate) invalid: Option<Error>,
    pub(crate) upload_progress: Option<OnUploadProgress>,
}

impl RequestOptions {
    /// Empty options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a header (case-insensitive name; replaces lower layers' value).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(n), Ok(v)) => self.headers.push((n, HeaderEdit::Set(v))),
            _ => self.invalid = Some(Error::config(format!("invalid header `{name}`"))),
        }
        self
    }

    /// Sets a header from a list of values, sent as one value joined with `", "`.
    pub fn header_list(self, name: &str, values: &[&str]) -> Self {
        let joined = values.join(", ");
        self.header(name, &joined)
    }

    /// Removes a header from every lower layer.
    pub fn remove_header(mut self, name: &str) -> Self {
        match HeaderName::from_bytes(name.as_bytes()) {
            Ok(n) => self.headers.push((n, HeaderEdit::Remove)),
            Err(_) => self.invalid = Some(Error::config(format!("invalid header name `{name}`"))),
        }
        self
    }

    /// Per-attempt timeout; zero disables a lower layer's timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Overall deadline across attempts; zero disables a lower layer's deadline.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Maximum attempts including the first (0 is a Config error when the call starts).
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.retry.max_attempts = Some(n);
        self
    }

    /// Maximum retries after the first attempt: the same field as `max_attempts` (n + 1).
    pub fn max_retries(mut self, n: u32) -> Self {
        self.retry.max_attempts = Some(n.saturating_add(1));
        self
    }

    /// Jitter base delay.
    pub fn base_delay(mut self, d: Duration) -> Self {
        self.retry.base_delay = Some(d);
        self
    }

    /// Jitter ceiling.
    pub fn max_delay(mut self, d: Duration) -> Self {
        self.retry.max_delay = Some(d);
        self
    }

    /// Cap on an honoured `Retry-After`.
    pub fn max_retry_after(mut self, d: Duration) -> Self {
        self.retry.max_retry_after = Some(d);
        self
    }

    /// Opt in (or out) of retries for PUT, PATCH and DELETE.
    pub fn retry_writes(mut self, on: bool) -> Self {
        self.retry.retry_writes = Some(on);
        self
    }

    /// Replaces the partial retry policy of this layer.
    pub fn retry(mut self, retry: RetryOverride) -> Self {
        self.retry = retry;
        self
    }

    /// Adds a cancellation token; tokens from every layer apply.
    pub fn cancel_token(mut self, token: CancelToken) -> Self {
        self.cancel.push(token);
        self
    }

    /// Calls `f` as the request body is sent, with the bytes sent so far and the total when
    /// known; it reaches the total when the whole body has been handed to the connection, and
    /// restarts from 0 on a retry. The browser transport cannot observe upload progress.
    pub fn on_upload_progress(
        mut self,
        f: impl Fn(crate::call::upload::UploadProgress) + Send + Sync + 'static,
    ) -> Self {
        self.upload_progress = Some(OnUploadProgress::new(f));
        self
    }

    /// Layers `higher` on top of `self`, returning the merged options.
    pub fn merged(&self, higher: &RequestOptions) -> RequestOptions {
        let mut headers = self.headers.clone();
        headers.extend(higher.headers.iter().cloned());
        let mut cancel = self.cancel.clone();
        cancel.extend(higher.cancel.iter().cloned());
        RequestOptions {
            headers,
            timeout: higher.timeout.or(self.timeout),
            deadline: higher.deadline.or(self.deadline),
            retry: self.retry.merge(&higher.retry),
            cancel,
            invalid: higher.invalid.clone().or_else(|| self.invalid.clone()),
            upload_progress: higher
                .upload_progress
                .clone()
                .or_else(|| self.upload_progress.clone()),
        }
    }

    /// The merged partial retry policy of this layer.
    pub fn retry_override(&self) -> &RetryOverride {
        &self.retry
    }

    /// The cancellation tokens of this layer.
    pub fn cancel_tokens(&self) -> &[CancelToken] {
        &self.cancel
    }
}

impl std::fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<(String, String)> = self
            .headers
            .iter()
            .map(|(n, e)| {
                let v = match e {
                    HeaderEdit::Remove => "<remove>".to_owned(),
                    HeaderEdit::Set(_) if crate::error::redact::is_sensitive_header(n.as_str()) => {
                        crate::error::redact::REDACTED.to_owned()
                    }
                    HeaderEdit::Set(v) => String::from_utf8_lossy(v.as_bytes()).into_owned(),
                };
                (n.as_str().to_owned(), v)
            })
            .collect();
        f.debug_struct("RequestOptions")
            .field("headers", &headers)
            .field("timeout", &self.timeout)
            .field("deadline", &self.deadline)
            .field("retry", &self.retry)
            .field("cancel", &self.cancel)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_merges_field_by_field() {
        let client = RequestOptions::new().base_delay(Duration::from_secs(1));
        let call = RequestOptions::new().max_attempts(5);
        let p = RetryPolicy::default().merged(&client.merged(&call).retry);
        assert_eq!(p.max_attempts, 5);
        assert_eq!(p.base_delay, Duration::from_secs(1));
        assert_eq!(p.max_delay, Duration::from_secs(30));
    }

    #[test]
    fn max_retries_is_max_attempts_plus_one_last_wins() {
        assert_eq!(
            RequestOptions::new().max_retries(2).retry.max_attempts,
            Some(3)
        );
        assert_eq!(
            RequestOptions::new()
                .max_retries(2)
                .max_attempts(7)
                .retry
                .max_attempts,
            Some(7)
        );
        assert_eq!(
            RequestOptions::new()
                .max_attempts(7)
                .max_retries(0)
                .retry
                .max_attempts,
            Some(1)
        );
    }

    #[test]
    fn nearest_timeout_wins() {
        let a = RequestOptions::new().timeout(Duration::from_secs(5));
        let b = RequestOptions::new().timeout(Duration::ZERO);
        assert_eq!(a.merged(&b).timeout, Some(Duration::ZERO));
        assert_eq!(
            a.merged(&RequestOptions::new()).timeout,
            Some(Duration::from_secs(5))
        );
    }

    #[test]
    fn debug_hides_authorization() {
        let o = RequestOptions::new().header("Authorization", "Bearer sk-x");
        assert!(!format!("{o:?}").contains("sk-x"));
    }
}
