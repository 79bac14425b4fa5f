//! Low-level helpers: call any path template of the API with any parameters.

use crate::call::body::Body;
use crate::call::operation::{Operation, RequestParts};
use crate::call::parse::{self, Binary};
use crate::call::query::{Query, QueryValue};
use crate::client::{Client, Pending, Transport};
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

/// A low-level request value; build it through [`Client::get`] and friends.
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

impl RawRequest {
    fn new(method: Method, template: &str) -> Self {
        RawRequest {
            method,
            template: template.to_owned(),
            path_params: Vec::new(),
            query: Query::new(),
            headers: Vec::new(),
            body: Body::Empty,
            mode: ResponseMode::Json,
            invalid: None,
        }
    }
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

impl<E: Transport> Client<E> {
    /// A low-level call of a bound route.
    pub fn route(&self, route: &Route) -> Pending<'_, E, RawRequest> {
        self.call(RawRequest::new(route.method.clone(), &route.template))
    }

    /// A low-level call of any method (TRACE and CONNECT fail with a Config error when sent).
    pub fn request(&self, method: Method, template: &str) -> Pending<'_, E, RawRequest> {
        let mut r = RawRequest::new(method.clone(), template);
        if method == Method::TRACE || method == Method::CONNECT {
            r.invalid = Some(format!("method {method} is not supported"));
        }
        self.call(r)
    }

    /// Low-level `GET` of a path template such as `/v1/{workspace_id}/agents`.
    pub fn get(&self, template: &str) -> Pending<'_, E, RawRequest> {
        self.request(Method::GET, template)
    }
    /// Low-level `POST`.
    pub fn post(&self, template: &str) -> Pending<'_, E, RawRequest> {
        self.request(Method::POST, template)
    }
    /// Low-level `PUT`.
    pub fn put(&self, template: &str) -> Pending<'_, E, RawRequest> {
        self.request(Method::PUT, template)
    }
    /// Low-level `PATCH`.
    pub fn patch(&self, template: &str) -> Pending<'_, E, RawRequest> {
        self.request(Method::PATCH, template)
    }
    /// Low-level `DELETE`.
    pub fn delete(&self, template: &str) -> Pending<'_, E, RawRequest> {
        self.request(Method::DELETE, template)
    }
    /// Low-level `HEAD` (always allows an empty body).
    pub fn head(&self, template: &str) -> Pending<'_, E, RawRequest> {
        self.request(Method::HEAD, template)
    }
    /// Low-level `OPTIONS` (always allows an empty body).
    pub fn options(&self, template: &str) -> Pending<'_, E, RawRequest> {
        self.request(Method::OPTIONS, template)
    }
}

impl<'c, E: Transport, M> Pending<'c, E, RawRequest, M> {
    /// A path parameter (`workspace_id` is always the configured one).
    pub fn path_param(mut self, name: &str, value: impl ToString) -> Self {
        self.op_mut()
            .path_params
            .push((name.to_owned(), value.to_string()));
        self
    }
    /// A query parameter.
    pub fn query(mut self, name: &str, value: impl Into<QueryValue>) -> Self {
        self.op_mut().query.push(name.to_owned(), value);
        self
    }
    /// A typed header parameter (wins over user headers).
    pub fn header_param(mut self, name: &str, value: &str) -> Self {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(n), Ok(v)) => self.op_mut().headers.push((n, v)),
            _ => self.op_mut().invalid = Some(format!("invalid header `{name}`")),
        }
        self
    }
    /// A JSON body.
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        match Body::json(body) {
            Ok(b) => self.op_mut().body = b,
            Err(e) => self.op_mut().invalid = Some(e.message().to_owned()),
        }
        self
    }
    /// Any body kind (form, multipart, raw bytes).
    pub fn body(mut self, body: Body) -> Self {
        self.op_mut().body = body;
        self
    }
    /// How the 2xx body is decoded.
    pub fn mode(mut self, mode: ResponseMode) -> Self {
        self.op_mut().mode = mode;
        self
    }
}
