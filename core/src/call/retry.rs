//! The `Call` state machine: retries, backoff, `Retry-After`, timeouts, deadline, cancellation
//! and hooks for one logical call, without any I/O or clock.
//!
//! # Driving contract
//!
//! Both machines implement [`Machine`]: a call yields `Send` (never streamed: buffer the
//! body), `Refresh` when its credential source must refresh the token first, `Wait` between
//! attempts and `Done` with the result; it has no items.

use crate::call::attempt::{Attempt, AttemptOutcome, KeepBody, ReasonPhrase};
use crate::call::backoff::{full_jitter, RandomSource, XorShift};
use crate::call::hooks::{
    AttemptInfo, Decision, ErrorHookContext, Hooks, RequestHookContext, ResponseHookContext,
};
use crate::call::operation::Operation;
use crate::call::options::{RequestOptions, RetryPolicy};
use crate::call::redirect::{
    resolve_location, same_origin, strip_credential_headers, MAX_REDIRECTS,
};
use crate::call::request::{prepare, PreparedRequest};
use crate::call::response::{Response, ResponseMeta};
use crate::call::retry_after::parse_retry_after;
use crate::call::upload::{Source, Upload};
use crate::cancel::CancelToken;
use crate::config::Config;
use crate::credentials::{Authorization, CredentialSource};
use crate::error::{Error, ErrorContext, NotRetried, TimeoutScope};
pub use crate::machine::{Machine, Step};
pub use crate::time::Time;
use bytes::Bytes;
use http::{header, HeaderValue, Method};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use web_time::Instant;

/// What a call's `poll` returns: no items, and `Done` with the call's result.
pub type CallStep<T> = Step<Infallible, Result<T, Error>>;

enum State {
    Ready,
    Sending {
        sent_at: Instant,
        deadline_bound: bool,
    },
    Waiting {
        until: Instant,
    },
    /// A `Refresh` step is out; `handle_refresh` answers it.
    Refreshing,
    Finished,
}

/// The retry loop of one logical call over a prepared request.
pub struct Call {
    req: PreparedRequest,
    /// The request as first sent, kept once a redirect changes it (errors describe the
    /// original request); until then errors describe `req`.
    origin: Option<ErrorContext>,
    /// `req.url` parsed, reused by every attempt until a redirect changes the URL.
    uri: Option<http::Uri>,
    policy: RetryPolicy,
    timeout: Option<Duration>,
    deadline: Option<(Instant, Duration)>,
    cancel: Vec<CancelToken>,
    credentials: Arc<dyn CredentialSource>,
    hooks: Option<Arc<dyn Hooks>>,
    rng: Jitter,
    call_id: u64,
    attempt: u32,
    redirects: u32,
    hop: bool,
    strip_auth: bool,
    keep: KeepBody,
    read_timeout: Option<Duration>,
    upload_progress: Option<crate::call::upload::OnUploadProgress>,
    /// The body is one-shot and an attempt has taken it: no further attempt may be made.
    body_spent: bool,
    /// A retry (or redirect) was ruled out only because the body was spent.
    not_retried: bool,
    state: State,
    pending: Option<Result<http::Response<Bytes>, Error>>,
    #[cfg(feature = "tracing")]
    span: tracing::Span,
    #[cfg(feature = "tracing")]
    attempt_span: tracing::Span,
}

impl std::fmt::Debug for Call {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call")
            .field("request", &self.req)
            .field("policy", &self.policy)
            .field("attempt", &self.attempt)
            .finish_non_exhaustive()
    }
}

fn effective(d: Option<Duration>) -> Option<Duration> {
    d.filter(|d| !d.is_zero())
}

impl Call {
    /// Starts a call; `options` are the merged scope and per-call layers; `seed` seeds the jitter.
    pub fn new(
        req: PreparedRequest,
        config: &Config,
        options: &RequestOptions,
        seed: u64,
        time: Time,
    ) -> Call {
        let policy = config.retry.merged(&options.retry);
        let timeout = effective(options.timeout.or(config.timeout));
        let deadline = effective(options.deadline.or(config.deadline))
            .and_then(|d| time.now.checked_add(d).map(|at| (at, d)));
        #[cfg(feature = "tracing")]
        let span = tracing::info_span!("amigo.call", method = %req.method, path = %req.path_template, call_id = seed);
        Call {
            req,
            origin: None,
            uri: None,
            policy,
            timeout,
            deadline,
            cancel: options.cancel.clone(),
            credentials: config.credentials.clone(),
            hooks: config.hooks.clone(),
            rng: Jitter::Seeded(XorShift::new(seed)),
            call_id: seed,
            attempt: 0,
            redirects: 0,
            hop: false,
            strip_auth: false,
            keep: KeepBody::None,
            read_timeout: None,
            upload_progress: options.upload_progress.clone(),
            body_spent: false,
            not_retried: false,
            state: State::Ready,
            pending: None,
            #[cfg(feature = "tracing")]
            span,
            #[cfg(feature = "tracing")]
            attempt_span: tracing::Span::none(),
        }
    }

    /// Marks every attempt as a stream connect whose reads wait at most `read_timeout` (see
    /// [`Attempt::keep`] and [`Attempt::read_timeout`]).
    pub fn streaming(self, read_timeout: Option<Duration>) -> Call {
        self.keeping(KeepBody::EventStream, read_timeout)
    }

    /// Marks every attempt as keeping the bodies `keep` selects, whose reads wait at most
    /// `read_timeout` (see [`Attempt::keep`] and [`Attempt::read_timeout`]).
    pub fn keeping(mut self, keep: KeepBody, read_timeout: Option<Duration>) -> Call {
        self.keep = keep;
        self.read_timeout = read_timeout;
        self
    }

    /// Replaces the jitter's random source (tests inject fixed values).
    pub fn with_random(mut self, rng: Box<dyn RandomSource>) -> Call {
        self.rng = Jitter::Custom(rng);
        self
    }

    /// What errors say about the request: the original one, even after redirects.
    pub(crate) fn context(&self) -> ErrorContext {
        self.origin
            .clone()
            .unwrap_or_else(|| ErrorContext::of(&self.req))
    }

    /// The effective retry policy.
    pub fn policy(&self) -> RetryPolicy {
        self.policy
    }

    /// The call's cancellation tokens (drivers watch them during I/O and sleeps).
    pub fn cancel_tokens(&self) -> &[CancelToken] {
        &self.cancel
    }

    /// The overall deadline (when it ends, and how long it was), if any.
    pub(crate) fn deadline(&self) -> Option<(Instant, Duration)> {
        self.deadline
    }

    /// Attempts made so far.
    pub fn attempts(&self) -> u32 {
        self.attempt
    }

    fn is_cancelled(&self) -> bool {
        self.cancel.iter().any(CancelToken::is_cancelled)
    }

    fn finish(&mut self, r: Result<http::Response<Bytes>, Error>) {
        self.state = State::Finished;
        self.pending = Some(match r {
            Err(e) if self.not_retried => Err(e.with_not_retried(NotRetried::OneShotBody)),
            r => r,
        });
    }

    /// Asks what to do next.
    pub fn poll(&mut self, time: Time) -> CallStep<http::Response<Bytes>> {
        if let Some(r) = self.pending.take() {
            return Step::Done(r);
        }
        match self.state {
            State::Finished => {
                return Step::Done(Err(Error::driver("the call has already finished")))
            }
            State::Sending { .. } => {
                return Step::Done(Err(Error::driver(
                    "poll called while an attempt is in flight",
                )))
            }
            State::Refreshing => {
                return Step::Done(Err(Error::driver(
                    "poll called while a token refresh is in flight",
                )))
            }
            _ => {}
        }
        if self.is_cancelled() {
            self.state = State::Finished;
            return Step::Done(Err(Error::cancelled()));
        }
        if let State::Waiting { until } = self.state {
            if time.now < until {
                return Step::Wait(until);
            }
        }
        if self.policy.max_attempts == 0 {
            self.state = State::Finished;
            return Step::Done(Err(Error::config("retry.max_attempts must be at least 1")));
        }
        self.start_attempt(time)
    }

    fn info(&self) -> AttemptInfo {
        AttemptInfo {
            call_id: self.call_id,
            attempt: self.attempt,
            max_attempts: self.policy.max_attempts,
            method: self.req.method.clone(),
            url: crate::error::redact::redact_url(&self.req.url, Some(&self.req.path_template)),
            path_template: self.req.path_template.clone(),
        }
    }

    fn start_attempt(&mut self, time: Time) -> CallStep<http::Response<Bytes>> {
        let remaining = match self.deadline {
            Some((at, total)) => {
                if time.now >= at {
                    self.state = State::Finished;
                    return Step::Done(Err(
                        Error::timeout(total, TimeoutScope::Deadline).with_context(self.context())
                    ));
                }
                Some(at - time.now)
            }
            None => None,
        };
        let auth = match self.credentials.authorization(time.wall) {
            Ok(Authorization::Header(h)) => h,
            Ok(Authorization::Refresh(refresh)) => {
                self.state = State::Refreshing;
                return Step::Refresh(refresh);
            }
            Ok(Authorization::Wait(d)) => {
                let mut until = time.now.checked_add(d).unwrap_or(time.now);
                if let Some((at, _)) = self.deadline {
                    until = until.min(at);
                }
                self.state = State::Waiting { until };
                return Step::Wait(until);
            }
            Err(e) => {
                self.state = State::Finished;
                return Step::Done(Err(e));
            }
        };
        if std::mem::take(&mut self.hop) {
            self.attempt = self.attempt.max(1);
        } else {
            self.attempt += 1;
        }
        let mut headers = self.req.headers.clone();
        if let Some(hooks) = self.hooks.clone() {
            if auth.is_some() && !self.strip_auth {
                headers.insert(
                    header::AUTHORIZATION,
                    HeaderValue::from_static(crate::error::redact::REDACTED),
                );
            }
            let info = self.info();
            let r = hooks.on_request(&mut RequestHookContext {
                info: &info,
                headers: &mut headers,
            });
            if let Err(e) = r {
                self.state = State::Finished;
                return Step::Done(Err(Error::from_hook(e)));
            }
        }
        match auth {
            Some(auth) if !self.strip_auth => {
                headers.insert(header::AUTHORIZATION, auth);
            }
            _ => {
                headers.remove(header::AUTHORIZATION);
            }
        }
        let uri = match &self.uri {
            Some(uri) => uri.clone(),
            None => match http::Uri::try_from(self.req.url.as_str()) {
                Ok(uri) => self.uri.insert(uri).clone(),
                Err(e) => {
                    self.state = State::Finished;
                    return Step::Done(Err(Error::config(format!(
                        "invalid request URL `{}`: {e}",
                        self.req.url
                    ))));
                }
            },
        };
        let upload = match (&self.req.upload, &self.upload_progress) {
            (Some(segments), progress) => Some(Upload {
                segments: segments.clone(),
                progress: progress.clone(),
            }),
            (None, Some(progress)) if !self.req.body.is_empty() => Some(Upload {
                segments: std::sync::Arc::new([Source::Bytes(self.req.body.clone())]),
                progress: Some(progress.clone()),
            }),
            (None, _) => None,
        };
        if upload.as_ref().is_some_and(|u| !u.replayable()) {
            self.body_spent = true;
        }
        let body = match upload {
            Some(_) => Bytes::new(),
            None => self.req.body.clone(),
        };
        let mut request = http::Request::new(body);
        *request.method_mut() = self.req.method.clone();
        *request.uri_mut() = uri;
        *request.headers_mut() = headers;
        let (timeout, deadline_bound) = match (self.timeout, remaining) {
            (Some(t), Some(r)) if r < t => (Some(r), true),
            (Some(t), _) => (Some(t), false),
            (None, Some(r)) => (Some(r), true),
            (None, None) => (None, false),
        };
        self.state = State::Sending {
            sent_at: time.now,
            deadline_bound,
        };
        #[cfg(feature = "tracing")]
        {
            self.attempt_span = tracing::info_span!(
                parent: &self.span,
                "amigo.attempt",
                attempt = self.attempt,
                status = tracing::field::Empty,
                request_id = tracing::field::Empty,
                decision = tracing::field::Empty,
                delay_ms = tracing::field::Empty,
            );
        }
        Step::Send(Attempt {
            request,
            upload,
            number: self.attempt,
            timeout,
            keep: self.keep,
            read_timeout: self.read_timeout,
            may_follow_redirects: true,
        })
    }

    #[cfg(feature = "tracing")]
    fn trace_decision(&self, status: Option<u16>, request_id: Option<&str>, decision: Decision) {
        let span = &self.attempt_span;
        if let Some(s) = status {
            span.record("status", s);
        }
        if let Some(id) = request_id {
            span.record("request_id", id);
        }
        match decision {
            Decision::Retry { delay } => {
                span.record("decision", "retry");
                span.record("delay_ms", delay.as_millis() as u64);
            }
            Decision::Return => {
                span.record("decision", "return");
            }
        }
    }

    fn status_retryable(&self, method: &Method, status: u16) -> bool {
        let retry_set = matches!(status, 408 | 429 | 500 | 502 | 503 | 504);
        match *method {
            Method::GET | Method::HEAD => retry_set,
            Method::PUT | Method::PATCH | Method::DELETE => self.policy.retry_writes && retry_set,
            _ => false,
        }
    }

    fn transport_retryable(&self, method: &Method) -> bool {
        match *method {
            Method::GET | Method::HEAD | Method::OPTIONS => true,
            Method::PUT | Method::PATCH | Method::DELETE => self.policy.retry_writes,
            _ => false,
        }
    }

    fn plan_retry(
        &mut self,
        retryable: bool,
        retry_after: Option<Duration>,
        now: Instant,
    ) -> Decision {
        if !retryable || self.attempt >= self.policy.max_attempts {
            return Decision::Return;
        }
        if self.body_spent {
            self.not_retried = true;
            return Decision::Return;
        }
        let delay = match retry_after {
            Some(d) => d,
            None => full_jitter(
                self.policy.base_delay,
                self.policy.max_delay,
                self.attempt - 1,
                self.rng.next(),
            ),
        };
        let Some(end) = now.checked_add(delay) else {
            return Decision::Return;
        };
        if let Some((at, _)) = self.deadline {
            if end >= at {
                return Decision::Return;
            }
        }
        Decision::Retry { delay }
    }

    fn secrets(&self) -> Vec<String> {
        self.credentials
            .secrets()
            .iter()
            .map(|s| s.expose().to_owned())
            .collect()
    }

    /// Reports how the refresh of the last [`Step::Refresh`] ended: on success the next poll
    /// asks the credential source again; a failure ends the call with it.
    pub fn handle_refresh(&mut self, result: Result<(), Error>, _time: Time) {
        if !matches!(self.state, State::Refreshing) {
            return;
        }
        match result {
            Ok(()) => self.state = State::Ready,
            Err(e) => {
                let e = e.with_context(self.context());
                self.finish(Err(e));
            }
        }
    }

    /// Reports how the attempt of the last [`Step::Send`] ended.
    pub fn handle_outcome(&mut self, outcome: AttemptOutcome, time: Time) {
        let State::Sending {
            sent_at,
            deadline_bound,
        } = self.state
        else {
            return;
        };
        let elapsed = time.now.saturating_duration_since(sent_at);
        match outcome {
            AttemptOutcome::Response(resp) => self.handle_response(resp, elapsed, time),
            AttemptOutcome::BodyFailed { head, error } => {
                if head.status.is_success() {
                    self.handle_failure(error, elapsed, time, false);
                } else {
                    self.handle_status(head, None, elapsed, time);
                }
            }
            AttemptOutcome::Failed(error) => self.handle_failure(error, elapsed, time, false),
            AttemptOutcome::TimedOut => {
                let deadline_hit =
                    deadline_bound || self.deadline.is_some_and(|(at, _)| time.now >= at);
                let error = match (deadline_hit, self.deadline, self.timeout) {
                    (true, Some((_, total)), _) => Error::timeout(total, TimeoutScope::Deadline),
                    (_, _, Some(t)) => Error::timeout(t, TimeoutScope::Attempt),
                    _ => Error::timeout(elapsed, TimeoutScope::Attempt),
                };
                self.handle_failure(error, elapsed, time, deadline_hit);
            }
            AttemptOutcome::Cancelled => {
                let error = Error::cancelled();
                self.fire_error_hook(&error, elapsed, Decision::Return);
                self.finish(Err(error));
            }
        }
    }

    fn fire_error_hook(&mut self, error: &Error, elapsed: Duration, decision: Decision) -> bool {
        if let Some(hooks) = self.hooks.clone() {
            let info = self.info();
            if let Err(e) = hooks.on_error(&ErrorHookContext {
                info: &info,
                error,
                elapsed,
                decision,
            }) {
                self.finish(Err(Error::from_hook(e)));
                return false;
            }
        }
        true
    }

    fn handle_failure(&mut self, error: Error, elapsed: Duration, time: Time, deadline_hit: bool) {
        let method = self.req.method.clone();
        let retryable = if deadline_hit {
            false
        } else if error.is_timeout() {
            matches!(method, Method::GET | Method::HEAD | Method::OPTIONS)
        } else {
            self.transport_retryable(&method)
        };
        let decision = self.plan_retry(retryable, None, time.now);
        #[cfg(feature = "tracing")]
        self.trace_decision(None, None, decision);
        if !self.fire_error_hook(&error, elapsed, decision) {
            return;
        }
        match decision {
            Decision::Retry { delay } => {
                self.state = State::Waiting {
                    until: time.now.checked_add(delay).unwrap_or(time.now),
                }
            }
            Decision::Return => self.finish(Err(error.with_context(self.context()))),
        }
    }

    fn handle_response(&mut self, resp: http::Response<Bytes>, elapsed: Duration, time: Time) {
        if resp.status().is_success() {
            if let Some(hooks) = self.hooks.clone() {
                let info = self.info();
                let meta = ResponseMeta::new(resp.status(), resp.headers().clone(), time.wall);
                let ctx = ResponseHookContext {
                    info: &info,
                    status: resp.status(),
                    headers: resp.headers(),
                    request_id: meta.request_id.as_deref(),
                    rate_limit: meta.rate_limit,
                    elapsed,
                    body: Some(resp.body()),
                    decision: Decision::Return,
                };
                if let Err(e) = hooks.on_response(&ctx) {
                    self.finish(Err(Error::from_hook(e)));
                    return;
                }
            }
            #[cfg(feature = "tracing")]
            self.trace_decision(
                Some(resp.status().as_u16()),
                resp.headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok()),
                Decision::Return,
            );
            self.finish(Ok(resp));
            return;
        }
        let (head, body) = resp.into_parts();
        self.handle_status(head, Some(body), elapsed, time);
    }

    /// Follows a redirect (301, 302, 303, 307, 308 with `Location`), at most 20 hops. Once a
    /// hop leaves the origin (scheme, host or port), no credential header is sent again:
    /// `Authorization`, `Proxy-Authorization`, `Cookie`, `X-Api-Key`, ... (the redaction
    /// rules' list). Returns false when not followed.
    fn follow_redirect(&mut self, head: &http::response::Parts) -> bool {
        let status = head.status.as_u16();
        if !matches!(status, 301 | 302 | 303 | 307 | 308) || self.redirects >= MAX_REDIRECTS {
            return false;
        }
        let Some(location) = head
            .headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
        else {
            return false;
        };
        let Some(next) = resolve_location(&self.req.url, location) else {
            return false;
        };
        let to_get =
            status == 303 || (matches!(status, 301 | 302) && self.req.method == Method::POST);
        if self.body_spent && !to_get {
            // 307 and 308 resend the body, which a one-shot source no longer has.
            self.not_retried = true;
            return false;
        }
        if !same_origin(&next, &self.req.url) {
            self.strip_auth = true;
            strip_credential_headers(&mut self.req.headers);
        }
        if self.origin.is_none() {
            self.origin = Some(ErrorContext::of(&self.req));
        }
        self.uri = None;
        if to_get && self.req.method != Method::HEAD {
            self.req.method = Method::GET;
            self.req.body = Bytes::new();
            self.req.upload = None;
            self.body_spent = false;
            self.req.headers.remove(header::CONTENT_TYPE);
        }
        self.req.url = next;
        self.redirects += 1;
        self.hop = true;
        self.state = State::Ready;
        true
    }

    fn handle_status(
        &mut self,
        head: http::response::Parts,
        body: Option<Bytes>,
        elapsed: Duration,
        time: Time,
    ) {
        if self.follow_redirect(&head) {
            return;
        }
        let status = head.status.as_u16();
        let retry_after = head
            .headers
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, time.wall));
        let method = self.req.method.clone();
        let mut retryable = self.status_retryable(&method, status);
        if method == Method::POST && status == 429 {
            retryable = retry_after.is_some();
        }
        if retry_after.is_some_and(|d| d > self.policy.max_retry_after) {
            retryable = false;
        }
        let decision = self.plan_retry(retryable, retry_after, time.now);
        let meta = ResponseMeta::new(head.status, head.headers.clone(), time.wall);
        #[cfg(feature = "tracing")]
        self.trace_decision(Some(status), meta.request_id.as_deref(), decision);
        if let Some(hooks) = self.hooks.clone() {
            let info = self.info();
            let ctx = ResponseHookContext {
                info: &info,
                status: head.status,
                headers: &head.headers,
                request_id: meta.request_id.as_deref(),
                rate_limit: meta.rate_limit,
                elapsed,
                body: body.as_deref(),
                decision,
            };
            if let Err(e) = hooks.on_response(&ctx) {
                self.finish(Err(Error::from_hook(e)));
                return;
            }
        }
        match decision {
            Decision::Retry { delay } => {
                self.state = State::Waiting {
                    until: time.now.checked_add(delay).unwrap_or(time.now),
                }
            }
            Decision::Return => {
                let reason = head.extensions.get::<ReasonPhrase>().map(|r| r.0.clone());
                let secrets = self.secrets();
                let secret_refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
                let err = Error::from_http(meta, reason.as_deref(), body.as_deref(), &secret_refs)
                    .with_context(self.context());
                self.finish(Err(err));
            }
        }
    }
}

impl ErrorContext {
    /// Describes a prepared request: method, URL and the body with secrets redacted.
    fn of(req: &PreparedRequest) -> ErrorContext {
        ErrorContext {
            method: req.method.to_string(),
            url: req.url.clone(),
            body: redacted_body(&req.body),
        }
    }
}

/// The jitter's random source: the seeded generator, or one a test injected.
enum Jitter {
    Seeded(XorShift),
    Custom(Box<dyn RandomSource>),
}

impl Jitter {
    fn next(&mut self) -> u32 {
        match self {
            Jitter::Seeded(rng) => rng.next_u32(),
            Jitter::Custom(rng) => rng.next_u32(),
        }
    }
}

fn redacted_body(body: &Bytes) -> Option<String> {
    if body.is_empty() {
        return None;
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(v) => Some(crate::error::redact::redact_json(&v).to_string()),
        Err(_) => Some(format!("<{} bytes>", body.len())),
    }
}

/// A [`Call`] for a typed operation: parses the final 2xx response into [`Response`].
pub struct OperationCall<O: Operation> {
    op: O,
    call: Result<Call, Option<Error>>,
    /// Build the full [`ResponseMeta`] of the final response (off for data-only drivers).
    meta: bool,
}

impl<O: Operation> std::fmt::Debug for OperationCall<O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OperationCall")
            .field("operation", &self.op.operation_id())
            .finish_non_exhaustive()
    }
}

impl<O: Operation> OperationCall<O> {
    /// Prepares the request (URL, headers, body) and starts the call. Build errors surface
    /// from the first poll, before anything is sent.
    pub fn new(
        op: O,
        config: &Config,
        options: &RequestOptions,
        base_url: Option<&str>,
        seed: u64,
        time: Time,
    ) -> Self {
        let call = prepare(&op, config, options, base_url)
            .map(|req| Call::new(req, config, options, seed, time))
            .map_err(Some);
        OperationCall {
            op,
            call,
            meta: true,
        }
    }

    /// The call of a transport's context (operation, configuration, merged options, base
    /// URL): what every transport's `execute` starts with.
    pub fn from_context(ctx: crate::client::CallContext<O>, seed: u64, time: Time) -> Self {
        OperationCall::new(
            ctx.op,
            &ctx.config,
            &ctx.options,
            ctx.base_url.as_deref(),
            seed,
            time,
        )
    }

    /// For a driver that hands back only the data (`send()`): the final [`Response`]'s `meta`
    /// then holds just the status, sparing the copy of the response headers and the parsing
    /// of the request id and rate-limit headers.
    pub fn data_only(mut self) -> Self {
        self.meta = false;
        self
    }

    /// The underlying call machine, once the request could be built.
    pub fn call_mut(&mut self) -> Option<&mut Call> {
        self.call.as_mut().ok()
    }

    /// The cancellation tokens (empty when the request could not be built).
    pub fn cancel_tokens(&self) -> &[CancelToken] {
        self.call.as_ref().map_or(&[], |c| c.cancel_tokens())
    }

    /// Asks what to do next; `Done` carries the parsed data and its metadata.
    pub fn poll(&mut self, time: Time) -> CallStep<Response<O::Output>> {
        let call = match &mut self.call {
            Ok(c) => c,
            Err(e) => {
                return Step::Done(Err(e
                    .take()
                    .unwrap_or_else(|| Error::driver("the call has already finished"))))
            }
        };
        match call.poll(time) {
            Step::Send(a) => Step::Send(a),
            Step::Refresh(r) => Step::Refresh(r),
            Step::Read(i) => Step::Read(i),
            Step::Wait(i) => Step::Wait(i),
            Step::Item(never) => match never {},
            Step::Done(Err(e)) => Step::Done(Err(e)),
            Step::Done(Ok(resp)) => {
                let meta = if self.meta {
                    ResponseMeta::new(resp.status(), resp.headers().clone(), time.wall)
                } else {
                    ResponseMeta::status_only(resp.status())
                };
                Step::Done(
                    self.op
                        .parse(resp)
                        .map(|data| Response { data, meta })
                        .map_err(|e| e.with_context(call.context())),
                )
            }
        }
    }

    /// Reports how the attempt of the last `Send` ended.
    pub fn handle_outcome(&mut self, outcome: AttemptOutcome, time: Time) {
        if let Ok(c) = &mut self.call {
            c.handle_outcome(outcome, time);
        }
    }

    /// Reports how the last `Refresh` ended.
    pub fn handle_refresh(&mut self, result: Result<(), Error>, time: Time) {
        if let Ok(c) = &mut self.call {
            c.handle_refresh(result, time);
        }
    }
}

impl Machine for Call {
    type Item = Infallible;
    type Output = Result<http::Response<Bytes>, Error>;
    fn poll(&mut self, time: Time) -> CallStep<http::Response<Bytes>> {
        Call::poll(self, time)
    }
    fn handle_outcome(&mut self, outcome: AttemptOutcome, time: Time) {
        Call::handle_outcome(self, outcome, time)
    }
    fn handle_refresh(&mut self, result: Result<(), Error>, time: Time) {
        Call::handle_refresh(self, result, time)
    }
    fn cancel_tokens(&self) -> &[CancelToken] {
        &self.cancel
    }
}

impl<O: Operation> Machine for OperationCall<O> {
    type Item = Infallible;
    type Output = Result<Response<O::Output>, Error>;
    fn poll(&mut self, time: Time) -> CallStep<Response<O::Output>> {
        OperationCall::poll(self, time)
    }
    fn handle_outcome(&mut self, outcome: AttemptOutcome, time: Time) {
        OperationCall::handle_outcome(self, outcome, time)
    }
    fn handle_refresh(&mut self, result: Result<(), Error>, time: Time) {
        OperationCall::handle_refresh(self, result, time)
    }
    fn cancel_tokens(&self) -> &[CancelToken] {
        OperationCall::cancel_tokens(self)
    }
}

#[cfg(test)]
mod tests;
