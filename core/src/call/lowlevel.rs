//! Low-level requests: any path template of the API with any parameters, as an [`Operation`]
//! value ([`RawRequest`]). The entry points (`client.get(template)`, `post`, .., `route`) and
//! the chainable setters on the call are in `amigo-platform-api` (`ApiExt`, `Call`).

use crate::call::body::Body;
use crate::call::operation::{Operation, RequestParts};
use crate::call::parse::{self, Binary};
use crate::call::query::{Query, QueryValue};
use crate::error::Error;
use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method};
use serde::Serialize;
use serde_json::Value;

/// How a low-level call decodes its 2xx body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResponseMode {
    /// JSON (`Accept: application/json`); an empty body is "no data".
    #[default]
    Json,
    /// Text.
    Text,
    /// Raw bytes (`Accept: */*`).
    Bytes,
}

/// The decoded body of a low-level call.
#[derive(Debug, Clone, PartialEq)]
pub enum RawData {
    /// The 2xx body was empty.
    None,
    /// A JSON value.
    Json(Value),
    /// Text.
    Text(String),
    /// Bytes and content type.
    Bytes(Binary),
}

/// A method plus path template captured once and reused ("bound route").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    method: Method,
    template: String,
}

impl Route {
    /// Binds a method and path template. `TRACE` and `CONNECT` are not API methods.
    pub fn new(method: Method, template: impl Into<String>) -> Result<Route, Error> {
        if method == Method::TRACE || method == Method::CONNECT {
            return Err(Error::config(format!("method {method} is not supported")));
        }
        Ok(Route {
            method,
            template: template.into(),
        })
    }
}

/// A low-level request value (the operation of a low-level call): build it with
/// [`RawRequest::new`] or through the `client.get(template)` family of
/// `amigo_platform_api::ApiExt`, which wrap it in a call with the same setters.
#[derive(Debug, Clone, PartialEq)]
pub struct RawRequest {
    method: Method,
    template: String,
    path_params: Vec<(String, String)>,
    query: Query,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Body,
    mode: ResponseMode,
    invalid: Option<String>,
}

impl Operation for RawRequest {
    type Output = RawData;
    fn method(&self) -> Method {
        self.method.clone()
    }
    fn path_template(&self) -> &str {
        &self.template
    }
    fn operation_id(&self) -> &str {
        ""
    }
    fn accept(&self) -> &'static str {
        match self.mode {
            ResponseMode::Bytes => "*/*",
            _ => "application/json",
        }
    }
    fn force_workspace(&self) -> bool {
        true
    }
    fn parts(&self) -> Result<RequestParts, Error> {
        if let Some(e) = &self.invalid {
            return Err(Error::config(e.clone()));
        }
        Ok(RequestParts {
            path_params: self.path_params.clone(),
            query: self.query.clone(),
            headers: self.headers.clone(),
            body: self.body.clone(),
        })
    }
    fn parse(&self, response: http::Response<Bytes>) -> Result<RawData, Error> {
        if response.body().is_empty() {
            return Ok(RawData::None);
        }
        match self.mode {
            ResponseMode::Json => parse::json(response).map(RawData::Json),
            ResponseMode::Text => parse::text(response).map(RawData::Text),
            ResponseMode::Bytes => parse::binary(response).map(RawData::Bytes),
        }
    }
}

impl RawRequest {
    /// A request of `method` on a path template such as `/v1/{workspace_id}/agents`
    /// (`TRACE` and `CONNECT` fail with a Config error when sent).
    pub fn new(method: Method, template: &str) -> Self {
        let invalid = (method == Method::TRACE || method == Method::CONNECT)
            .then(|| format!("method {method} is not supported"));
        RawRequest {
            method,
            template: template.to_owned(),
            path_params: Vec::new(),
            query: Query::new(),
            headers: Vec::new(),
            body: Body::Empty,
            mode: ResponseMode::Json,
            invalid,
        }
    }

    /// A request of a bound route.
    pub fn route(route: &Route) -> Self {
        RawRequest::new(route.method.clone(), &route.template)
    }

    /// Adds a path parameter (`workspace_id` is always the configured one).
    pub fn path_param(&mut self, name: &str, value: impl ToString) -> &mut Self {
        self.path_params.push((name.to_owned(), value.to_string()));
        self
    }

    /// Adds a query parameter.
    pub fn query(&mut self, name: &str, value: impl Into<QueryValue>) -> &mut Self {
        self.query.push(name.to_owned(), value);
        self
    }

    /// Adds a typed header parameter (wins over user headers); an invalid name or value fails
    /// the call with a Config error when sent.
    pub fn header_param(&mut self, name: &str, value: &str) -> &mut Self {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(n), Ok(v)) => self.headers.push((n, v)),
            _ => self.invalid = Some(format!("invalid header `{name}`")),
        }
        self
    }

    /// Sets a JSON body; one that does not encode fails the call with a Config error when sent.
    pub fn json<T: Serialize + ?Sized>(&mut self, body: &T) -> &mut Self {
        match Body::json(body) {
            Ok(b) => self.body = b,
            Err(e) => self.invalid = Some(e.message().to_owned()),
        }
        self
    }

    /// Sets any body kind (form, multipart, raw bytes).
    pub fn body(&mut self, body: Body) -> &mut Self {
        self.body = body;
        self
    }

    /// Sets how the 2xx body is decoded.
    pub fn mode(&mut self, mode: ResponseMode) -> &mut Self {
        self.mode = mode;
        self
    }
}
