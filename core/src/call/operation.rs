//! The [`Operation`] trait: one value per API operation, building a request and parsing its response.

use crate::call::body::Body;
use crate::call::query::Query;
use crate::error::Error;
use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method};

/// What an operation puts into its request, before the core adds base URL, headers and auth.
#[derive(Debug, Clone, Default)]
pub struct RequestParts {
    /// Values for the `{name}` variables of the path template (raw, unencoded).
    /// `workspace_id` may be omitted: the configured workspace is used.
    pub path_params: Vec<(String, String)>,
    /// Query parameters in the spec's declared order.
    pub query: Query,
    /// Typed header parameters of the operation (they win over user headers).
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// The body.
    pub body: Body,
}

impl RequestParts {
    /// Empty parts.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a path parameter.
    pub fn path(mut self, name: &str, value: impl ToString) -> Self {
        self.path_params.push((name.to_owned(), value.to_string()));
        self
    }

    /// Replaces the query.
    pub fn query(mut self, query: Query) -> Self {
        self.query = query;
        self
    }

    /// Sets the body.
    pub fn body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }

    /// Adds a typed header parameter; invalid values are a Config error.
    pub fn header(mut self, name: &'static str, value: &str) -> Result<Self, Error> {
        let v = HeaderValue::from_str(value)
            .map_err(|_| Error::config(format!("invalid value for header `{name}`")))?;
        self.headers.push((HeaderName::from_static(name), v));
        Ok(self)
    }
}

/// One API operation: a plain value that describes its request and parses its response.
///
/// Operations never perform I/O; the client's `Call` machine drives them.
pub trait Operation: Send + 'static {
    /// The decoded success value.
    type Output: Send + 'static;

    /// HTTP method.
    fn method(&self) -> Method;

    /// The path template, e.g. `/v1/{workspace_id}/agents`.
    fn path_template(&self) -> &str;

    /// The spec's operation id (empty for raw low-level calls).
    fn operation_id(&self) -> &str;

    /// The `Accept` value: `application/json`, `text/event-stream` or `*/*`.
    fn accept(&self) -> &'static str {
        "application/json"
    }

    /// Whether `{workspace_id}` is always the configured workspace, overriding path params.
    fn force_workspace(&self) -> bool {
        false
    }

    /// The request's parameters and body.
    fn parts(&self) -> Result<RequestParts, Error>;

    /// Decodes a 2xx response.
    fn parse(&self, response: http::Response<Bytes>) -> Result<Self::Output, Error>;
}

/// How an operation's pages are linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PagerKind {
    /// `continuation_token` in and out.
    Token,
    /// `offset` in, `next_offset` out.
    NextOffset,
    /// `offset` in, derived from the item count.
    DerivedOffset,
}

/// One page's items and links, extracted from an operation's output.
#[derive(Debug, Clone, PartialEq)]
pub struct PageData<T> {
    /// The page's items in order.
    pub items: Vec<T>,
    /// `has_more`, when present.
    pub has_more: Option<bool>,
    /// `continuation_token` or `next_offset`, when present.
    pub next_cursor: Option<i64>,
    /// `total`, when present.
    pub total: Option<i64>,
    /// The response's own `offset` (audit pagers), when present.
    pub offset: Option<i64>,
}

/// An operation that lists and can be auto-paged.
pub trait Paginated: Operation + Clone {
    /// One listed element.
    type Item: Send + 'static;

    /// The cursor style.
    fn pager_kind(&self) -> PagerKind;

    /// The cursor or offset set on this request, if any.
    fn cursor(&self) -> Option<i64>;

    /// A copy of this request with only the cursor replaced.
    fn with_cursor(&self, cursor: i64) -> Self;

    /// Splits an output into items and links.
    fn page(output: Self::Output) -> PageData<Self::Item>;
}
