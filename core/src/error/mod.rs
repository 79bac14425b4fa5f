//! The SDK's single error type and its taxonomy.

pub mod redact;
mod validation;

pub use validation::{LocSegment, ValidationIssue};

use crate::call::response::ResponseMeta;
use redact::redact_url;
use redact::{redact_json, redact_text};
use serde_json::{Map, Value};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// The most bytes of a raw body kept in an error.
pub(crate) const RAW_BODY_CAP: usize = 8192;

/// The most bytes of an error body (any non-2xx response, or a streaming connect's answer
/// that is not an event stream) that a transport reads (1 MiB). Transports stop reading
/// there (see [`BodyLimit`](crate::transport::BodyLimit)); a body that reaches the cap is kept only
/// as text capped at 8 KiB, unparsed, so a hostile server cannot make every error
/// hold its whole body.
pub const MAX_ERROR_BODY: usize = 1024 * 1024;

/// What kind of failure an [`Error`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Invalid configuration or arguments, detected before any request.
    Config,
    /// The transport failed without a response.
    Network,
    /// The per-attempt timeout or the overall deadline expired.
    Timeout,
    /// The caller cancelled the call.
    Cancelled,
    /// A 2xx body could not be decoded.
    Decode,
    /// A hook returned an error.
    Hook,
    /// Pagination stopped on a repeated cursor or the page limit.
    Pagination,
    /// The credential source could not produce a token.
    Credentials,
    /// HTTP 400.
    BadRequest,
    /// HTTP 401 (and an expired refresh token).
    Authentication,
    /// HTTP 403.
    Permission,
    /// HTTP 404.
    NotFound,
    /// HTTP 409.
    Conflict,
    /// HTTP 410.
    Gone,
    /// HTTP 413.
    PayloadTooLarge,
    /// HTTP 422.
    Validation,
    /// HTTP 429.
    RateLimited,
    /// HTTP 503.
    ServiceUnavailable,
    /// Any other 5xx.
    Server,
    /// Any other non-2xx status (other 4xx, unfollowed 3xx).
    Api,
    /// The identity service failed during device-code login.
    Identity,
    /// The device code expired or was denied.
    DeviceCode,
    /// A terminal workspace event-stream outcome.
    EventStream,
    /// A terminal WebSocket outcome.
    WebSocket,
    /// A turn stream ended abnormally.
    Stream,
    /// Webhook verification failed.
    Webhook,
    /// A driver broke a machine's contract (for example it polled a call that had finished, or
    /// answered a step with an input of another kind): a bug in a transport, never a
    /// consequence of the configuration, the arguments or the server.
    Driver,
}

impl ErrorKind {
    /// The kind for a non-2xx HTTP status.
    pub fn from_status(status: u16) -> ErrorKind {
        match status {
            400 => ErrorKind::BadRequest,
            401 => ErrorKind::Authentication,
            403 => ErrorKind::Permission,
            404 => ErrorKind::NotFound,
            409 => ErrorKind::Conflict,
            410 => ErrorKind::Gone,
            413 => ErrorKind::PayloadTooLarge,
            422 => ErrorKind::Validation,
            429 => ErrorKind::RateLimited,
            503 => ErrorKind::ServiceUnavailable,
            500..=599 => ErrorKind::Server,
            _ => ErrorKind::Api,
        }
    }
}

/// Which limit a [`ErrorKind::Timeout`] hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutScope {
    /// The per-attempt timeout.
    Attempt,
    /// The overall deadline across attempts.
    Deadline,
}

/// What failed in the transport, for [`ErrorKind::Network`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// Name resolution failed.
    Dns,
    /// The TCP connection could not be made.
    Connect,
    /// TLS failed.
    Tls,
    /// The connection was closed or reset.
    ConnectionReset,
    /// Reading the response (headers or body) failed.
    Read,
    /// Writing the request failed.
    Write,
    /// The response was not valid HTTP.
    Protocol,
    /// The body exceeded the transport's size limit.
    BodyTooLarge,
    /// Anything else.
    Other,
}

impl TransportErrorKind {
    fn name(self) -> &'static str {
        match self {
            TransportErrorKind::Dns => "dns",
            TransportErrorKind::Connect => "connect",
            TransportErrorKind::Tls => "tls",
            TransportErrorKind::ConnectionReset => "connection reset",
            TransportErrorKind::Read => "read",
            TransportErrorKind::Write => "write",
            TransportErrorKind::Protocol => "protocol",
            TransportErrorKind::BodyTooLarge => "body too large",
            TransportErrorKind::Other => "other",
        }
    }
}

/// The method and URL of the failed request, and its body with secrets redacted.
///
/// An error's context holds the URL with capability tokens redacted; `Debug` redacts it too.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct ErrorContext {
    /// HTTP method.
    pub method: String,
    /// Final URL.
    pub url: String,
    /// The request body with secrets redacted, when there was one.
    pub body: Option<String>,
}

impl fmt::Debug for ErrorContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ErrorContext")
            .field("method", &self.method)
            .field("url", &redact_url(&self.url, None))
            .field("body", &self.body)
            .finish()
    }
}

/// Everything known about an HTTP error response.
#[derive(Clone)]
struct HttpDetails {
    status: u16,
    detail: Option<String>,
    error_code: Option<String>,
    request_id: Option<String>,
    body: Map<String, Value>,
    raw_body: String,
    raw_body_debug: String,
    validation: Vec<ValidationIssue>,
    retry_after: Option<Duration>,
    meta: Option<ResponseMeta>,
}

/// What an error knows besides its kind, message and request, by the kind of failure.
#[derive(Clone)]
enum Details {
    /// Nothing more than the message.
    None,
    /// An HTTP error response.
    Http(Box<HttpDetails>),
    /// The transport failed without a response.
    Network(TransportErrorKind),
    /// A time limit expired.
    Timeout(Duration, TimeoutScope),
    /// A 2xx body that did not decode.
    Decode {
        path: Option<String>,
        status: u16,
        raw: String,
    },
    /// A stream, WebSocket or login outcome: a machine-readable code, and whether it may
    /// succeed on retry.
    Coded {
        code: Option<String>,
        retryable: Option<bool>,
    },
}

#[derive(Clone)]
struct Inner {
    kind: ErrorKind,
    message: String,
    context: Option<ErrorContext>,
    details: Details,
    /// Structured data attached to the error (a stream's error frame, the conversation a
    /// failed `send_message` created).
    extra: Option<Value>,
    /// The typed cause (a transport's, JSON's, a hook's or a webhook check's error).
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
    /// Why a failure the policy would have retried was not.
    not_retried: Option<NotRetried>,
}

/// Why a call ended on a failure its retry policy would otherwise have retried (or a
/// redirect it would have followed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotRetried {
    /// The request body came from a one-shot reader or stream that the first attempt
    /// consumed, so it could not be sent again.
    OneShotBody,
}

/// Every failure of every SDK operation.
///
/// Inspect it with [`Error::kind`] and the predicates (`is_not_found()`, …); HTTP
/// errors carry the status, message, error code, request id, parsed body and metadata.
/// `Debug` and `Display` never show secrets.
#[derive(Clone)]
pub struct Error(Box<Inner>);

impl Error {
    fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        let mut message = message.into();
        if message.is_empty() {
            message = format!("{kind:?}");
        }
        Error(Box::new(Inner {
            kind,
            message,
            context: None,
            details: Details::None,
            extra: None,
            source: None,
            not_retried: None,
        }))
    }

    fn with_details(mut self, details: Details) -> Error {
        self.0.details = details;
        self
    }

    /// The code and retry hint of a coded outcome; an error with no details becomes one.
    fn coded(&mut self) -> Option<(&mut Option<String>, &mut Option<bool>)> {
        if matches!(self.0.details, Details::None) {
            self.0.details = Details::Coded {
                code: None,
                retryable: None,
            };
        }
        match &mut self.0.details {
            Details::Coded { code, retryable } => Some((code, retryable)),
            _ => None,
        }
    }

    /// A Config error with a specific message.
    pub fn config(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Config, message)
    }

    /// A Network error described by text: `Network error: <cause>`. When the transport has a
    /// typed error, prefer [`Error::network_from`], which keeps it as the [`source`].
    ///
    /// [`source`]: std::error::Error::source
    pub fn network(kind: TransportErrorKind, cause: impl fmt::Display) -> Error {
        let cause = cause.to_string();
        let cause = if cause.trim().is_empty() {
            kind.name().to_owned()
        } else {
            cause
        };
        Error::new(ErrorKind::Network, format!("Network error: {cause}"))
            .with_details(Details::Network(kind))
    }

    /// A Network error caused by `cause`: the message is `Network error: <cause>`, and
    /// [`source`](std::error::Error::source) returns `cause` itself.
    pub fn network_from<E>(kind: TransportErrorKind, cause: E) -> Error
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        Error::network(kind, &cause).with_source(cause)
    }

    /// A Timeout error: `Request timed out after <N>ms`.
    pub fn timeout(after: Duration, scope: TimeoutScope) -> Error {
        Error::new(
            ErrorKind::Timeout,
            format!("Request timed out after {}ms", after.as_millis()),
        )
        .with_details(Details::Timeout(after, scope))
    }

    /// A Driver error: the driver broke a machine's contract (a transport bug).
    pub fn driver(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Driver, message)
    }

    /// A Cancelled error: `Request cancelled`.
    pub fn cancelled() -> Error {
        Error::new(ErrorKind::Cancelled, "Request cancelled")
    }

    /// A Hook error carrying the hook's message.
    pub fn hook(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Hook, message)
    }

    /// The Hook error for a hook's failure; [`source`](std::error::Error::source) returns it.
    pub fn from_hook(error: crate::call::hooks::HookError) -> Error {
        Error::hook(error.0.clone()).with_source(error)
    }

    /// A Credentials error.
    pub fn credentials(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Credentials, message)
    }

    /// A Pagination error for a repeated cursor.
    pub fn repeated_cursor(cursor: impl fmt::Display) -> Error {
        Error::new(
            ErrorKind::Pagination,
            format!("Pagination stopped: repeated cursor {cursor}"),
        )
    }

    /// A Pagination error for the page limit.
    pub fn page_limit(limit: u32) -> Error {
        Error::new(
            ErrorKind::Pagination,
            format!("Pagination stopped: page limit {limit} reached"),
        )
    }

    /// An error of any kind with a message and an optional machine-readable code (streams, login).
    pub fn other(kind: ErrorKind, code: Option<&str>, message: impl Into<String>) -> Error {
        let mut e = Error::new(kind, message);
        if let (Some(code), Some((slot, _))) = (code, e.coded()) {
            *slot = Some(code.to_owned());
        }
        e
    }

    /// A Decode error for a 2xx body, with the JSON path, status and capped raw body.
    pub fn decode(
        message: impl Into<String>,
        path: Option<String>,
        status: u16,
        raw: &[u8],
    ) -> Error {
        Error::new(ErrorKind::Decode, message).with_details(Details::Decode {
            path,
            status,
            raw: cap_text(raw),
        })
    }

    /// Marks whether the failure may succeed when retried: meaningful for the coded outcomes
    /// of streams, WebSockets and logins (an HTTP, network, timeout or decode error keeps its
    /// own details and ignores it).
    pub fn with_retryable(mut self, retryable: bool) -> Error {
        if let Some((_, slot)) = self.coded() {
            *slot = Some(retryable);
        }
        self
    }

    /// Attaches extra structured data (for example a stream's error frame).
    pub fn with_extra(mut self, extra: Value) -> Error {
        self.0.extra = Some(extra);
        self
    }

    /// Keeps `source` as the typed cause that [`source`](std::error::Error::source) returns
    /// (the message is unchanged).
    pub fn with_source<E>(mut self, source: E) -> Error
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        self.0.source = Some(Arc::new(source));
        self
    }

    /// Replaces the message (an empty message keeps the old one); used where the protocol
    /// fixes the text of an HTTP error, such as `Rate limited` for a device-code 429.
    pub fn with_message(mut self, message: impl Into<String>) -> Error {
        let message = message.into();
        if !message.is_empty() {
            self.0.message = message;
        }
        self
    }

    /// Attaches the request context (method, URL, redacted body); capability tokens in the
    /// URL are replaced by `[REDACTED]` (the same redaction as everywhere else).
    pub fn with_context(mut self, mut context: ErrorContext) -> Error {
        context.url = redact_url(&context.url, None);
        self.0.context = Some(context);
        self
    }

    /// Builds the typed error for a non-2xx response; never fails.
    ///
    /// `body` is `None` when reading the body failed. `reason` is the server's reason phrase.
    /// `secrets` are hidden from the `Debug` rendering of a non-JSON raw body.
    pub fn from_http(
        meta: ResponseMeta,
        reason: Option<&str>,
        body: Option<&[u8]>,
        secrets: &[&str],
    ) -> Error {
        let status = meta.status.as_u16();
        let reason_text = reason
            .filter(|r| !r.is_empty())
            .map(str::to_owned)
            .or_else(|| meta.status.canonical_reason().map(str::to_owned))
            .unwrap_or_else(|| format!("HTTP {status}"));
        let raw = body.map(cap_text).unwrap_or_default();
        let fallback = |raw: &str| {
            let mut m = Map::new();
            m.insert("detail".into(), Value::String(reason_text.clone()));
            m.insert("raw_body".into(), Value::String(raw.to_owned()));
            m
        };
        let body_map = match body {
            // A body too large for any real error payload is kept as capped text, unparsed.
            Some(bytes) if !bytes.is_empty() && bytes.len() <= MAX_ERROR_BODY => {
                match serde_json::from_slice::<Value>(bytes) {
                    Ok(Value::Object(m)) => m,
                    _ => fallback(&raw),
                }
            }
            Some(bytes) if !bytes.is_empty() => fallback(&raw),
            _ => fallback(""),
        };
        let str_field = |k: &str| body_map.get(k).and_then(Value::as_str).map(str::to_owned);
        let detail = match body_map.get("detail") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(v @ (Value::Object(_) | Value::Array(_))) => Some(v.to_string()),
            _ => None,
        };
        let validation: Vec<ValidationIssue> = match body_map.get("detail") {
            Some(Value::Array(items)) => items.iter().map(ValidationIssue::from_value).collect(),
            _ => Vec::new(),
        };
        let message = str_field("message")
            .filter(|s| !s.is_empty())
            .or_else(|| match body_map.get("detail") {
                Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
                Some(Value::Array(_)) => {
                    let parts: Vec<String> = validation
                        .iter()
                        .filter_map(ValidationIssue::summary)
                        .collect();
                    Some(parts.join("; ")).filter(|s| !s.is_empty())
                }
                Some(v @ Value::Object(_)) => Some(v.to_string()),
                _ => None,
            })
            .unwrap_or_else(|| reason_text.clone());
        let request_id = str_field("request_id").or_else(|| meta.request_id.clone());
        let retry_after = meta.rate_limit.retry_after;
        let raw_body_debug = redact_text(&raw, secrets);
        Error::new(ErrorKind::from_status(status), message).with_details(Details::Http(Box::new(
            HttpDetails {
                status,
                detail,
                error_code: str_field("error_code"),
                request_id,
                body: body_map,
                raw_body: raw,
                raw_body_debug,
                validation,
                retry_after,
                meta: Some(meta),
            },
        )))
    }

    /// The HTTP details of an HTTP error.
    fn http(&self) -> Option<&HttpDetails> {
        match &self.0.details {
            Details::Http(h) => Some(h),
            _ => None,
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The message; never empty.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The HTTP status, for HTTP errors (and the status of a Decode error).
    pub fn status(&self) -> Option<u16> {
        match &self.0.details {
            Details::Http(h) => Some(h.status),
            Details::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Body `detail`: the string, or the compact JSON of an object or array.
    pub fn detail(&self) -> Option<&str> {
        self.http()?.detail.as_deref()
    }

    /// Body `error_code` (HTTP errors) or the machine-readable code of a stream or login error.
    pub fn error_code(&self) -> Option<&str> {
        match &self.0.details {
            Details::Http(h) => h.error_code.as_deref(),
            Details::Coded { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    /// Body `request_id`, else header `x-request-id`.
    pub fn request_id(&self) -> Option<&str> {
        self.http()?.request_id.as_deref()
    }

    /// The parsed error body (a JSON object, or the fallback `{detail, raw_body}` shape).
    pub fn body(&self) -> Option<&Map<String, Value>> {
        self.http().map(|h| &h.body)
    }

    /// The body text capped at 8192 bytes (unredacted: this is data you asked for).
    pub fn raw_body(&self) -> Option<&str> {
        match &self.0.details {
            Details::Http(h) => Some(&h.raw_body),
            Details::Decode { raw, .. } => Some(raw),
            _ => None,
        }
    }

    /// The typed items of an array `detail`.
    pub fn validation_errors(&self) -> &[ValidationIssue] {
        self.http().map_or(&[], |h| &h.validation)
    }

    /// The parsed `Retry-After` of the response.
    pub fn retry_after(&self) -> Option<Duration> {
        self.http()?.retry_after
    }

    /// The response metadata of an HTTP error.
    pub fn meta(&self) -> Option<&ResponseMeta> {
        self.http()?.meta.as_ref()
    }

    /// Why a failure the retry policy would have retried was not retried.
    pub fn not_retried(&self) -> Option<NotRetried> {
        self.0.not_retried
    }

    /// Records why the failure was not retried.
    pub fn with_not_retried(mut self, reason: NotRetried) -> Error {
        self.0.not_retried = Some(reason);
        self
    }

    /// Method, URL and redacted body of the failed request.
    pub fn context(&self) -> Option<&ErrorContext> {
        self.0.context.as_ref()
    }

    /// The timeout that expired and which limit it was.
    pub fn timeout_info(&self) -> Option<(Duration, TimeoutScope)> {
        match self.0.details {
            Details::Timeout(after, scope) => Some((after, scope)),
            _ => None,
        }
    }

    /// The transport failure kind of a Network error.
    pub fn transport_kind(&self) -> Option<TransportErrorKind> {
        match self.0.details {
            Details::Network(kind) => Some(kind),
            _ => None,
        }
    }

    /// The JSON path at which decoding failed.
    pub fn json_path(&self) -> Option<&str> {
        match &self.0.details {
            Details::Decode { path, .. } => path.as_deref(),
            _ => None,
        }
    }

    /// Whether a stream error may succeed on retry, when the server said so.
    pub fn retryable(&self) -> Option<bool> {
        match &self.0.details {
            Details::Coded { retryable, .. } => *retryable,
            _ => None,
        }
    }

    /// Extra structured data (for example a stream's error frame).
    pub fn extra(&self) -> Option<&Value> {
        self.0.extra.as_ref()
    }

    /// Whether this error came from an HTTP response.
    pub fn is_http(&self) -> bool {
        self.http().is_some()
    }

    /// HTTP 404.
    pub fn is_not_found(&self) -> bool {
        self.kind() == ErrorKind::NotFound
    }
    /// HTTP 429.
    pub fn is_rate_limited(&self) -> bool {
        self.kind() == ErrorKind::RateLimited
    }
    /// HTTP 401 or an expired refresh token.
    pub fn is_authentication(&self) -> bool {
        self.kind() == ErrorKind::Authentication
    }
    /// HTTP 403.
    pub fn is_permission(&self) -> bool {
        self.kind() == ErrorKind::Permission
    }
    /// HTTP 409.
    pub fn is_conflict(&self) -> bool {
        self.kind() == ErrorKind::Conflict
    }
    /// HTTP 422.
    pub fn is_validation(&self) -> bool {
        self.kind() == ErrorKind::Validation
    }
    /// Any 5xx, including 503; never a 4xx.
    pub fn is_server(&self) -> bool {
        matches!(self.status(), Some(500..=599)) && self.is_http()
    }
    /// A per-attempt timeout or the deadline.
    pub fn is_timeout(&self) -> bool {
        self.kind() == ErrorKind::Timeout
    }
    /// A Network or Timeout failure.
    pub fn is_network(&self) -> bool {
        matches!(self.kind(), ErrorKind::Network | ErrorKind::Timeout)
    }
    /// Cancelled by the caller.
    pub fn is_cancelled(&self) -> bool {
        self.kind() == ErrorKind::Cancelled
    }
    /// The body is a FastAPI validation error (`detail` is an array).
    pub fn is_validation_body(&self) -> bool {
        self.body()
            .is_some_and(|b| matches!(b.get("detail"), Some(Value::Array(_))))
    }
    /// The body is an HTTP exception (`detail` string or object, no `raw_body`).
    pub fn is_http_exception_body(&self) -> bool {
        self.body().is_some_and(|b| {
            matches!(b.get("detail"), Some(Value::String(_) | Value::Object(_)))
                && !b.contains_key("raw_body")
        })
    }
    /// The body could not be parsed as a JSON object (`raw_body` fallback).
    pub fn is_unparseable_body(&self) -> bool {
        self.body()
            .is_some_and(|b| matches!(b.get("raw_body"), Some(Value::String(_))))
    }
}

/// The first [`RAW_BODY_CAP`] bytes of the body's text (invalid UTF-8 replaced), converting
/// only that much of it.
fn cap_text(raw: &[u8]) -> String {
    // The cut falls at or before RAW_BODY_CAP bytes of converted text; replacements only
    // lengthen text, so converting the first RAW_BODY_CAP + 4 raw bytes gives the same prefix
    // (a character cut at the slice's end starts after the cut).
    let head = &raw[..raw.len().min(RAW_BODY_CAP + 4)];
    let text = String::from_utf8_lossy(head);
    if text.len() <= RAW_BODY_CAP {
        return text.into_owned();
    }
    let mut end = RAW_BODY_CAP;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.http() {
            Some(h) => write!(f, "{:?} ({}): {}", self.0.kind, h.status, self.0.message),
            None => f.write_str(&self.0.message),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.0.kind)
            .field("message", &self.0.message);
        match &self.0.details {
            Details::None => {}
            Details::Http(h) => {
                d.field("status", &h.status)
                    .field("error_code", &h.error_code)
                    .field("request_id", &h.request_id)
                    .field("detail", &h.detail.as_deref().map(|s| redact_text(s, &[])))
                    .field("body", &{
                        let mut b = redact_json(&Value::Object(h.body.clone()));
                        if let Some(raw) = b.get_mut("raw_body").filter(|v| v.is_string()) {
                            *raw = Value::String(h.raw_body_debug.clone());
                        }
                        b
                    })
                    .field("raw_body", &h.raw_body_debug)
                    .field("retry_after", &h.retry_after);
            }
            Details::Network(kind) => {
                d.field("transport", kind);
            }
            Details::Timeout(after, scope) => {
                d.field("timeout", &(after, scope));
            }
            Details::Decode { path, status, raw } => {
                d.field("status", status)
                    .field("json_path", path)
                    .field("raw_body", &redact_text(raw, &[]));
            }
            Details::Coded { code, retryable } => {
                d.field("code", code).field("retryable", retryable);
            }
        }
        if let Some(x) = &self.0.extra {
            d.field("extra", &redact_json(x));
        }
        if let Some(c) = &self.0.context {
            d.field("context", c);
        }
        if let Some(source) = &self.0.source {
            d.field("source", &redact_text(&source.to_string(), &[]));
        }
        d.finish()
    }
}

impl std::error::Error for Error {
    /// The typed cause: the transport's error behind a Network error (when the transport
    /// kept it), the JSON error behind a Decode error, the [`HookError`](crate::HookError)
    /// behind a Hook error, the [`WebhookError`](crate::webhook::WebhookError) behind a
    /// Webhook error.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        let source = self.0.source.as_deref()?;
        Some(source as &(dyn std::error::Error + 'static))
    }
}

impl From<crate::webhook::WebhookError> for Error {
    fn from(e: crate::webhook::WebhookError) -> Self {
        Error::other(ErrorKind::Webhook, None, e.to_string()).with_source(e)
    }
}

/// Shorthand for results of SDK operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests;
