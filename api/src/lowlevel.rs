//! Low-level calls: any path template of the API with any parameters.
//!
//! The entry points are methods of [`ApiExt`](crate::ApiExt) (`client.get(template)`, `post`,
//! `put`, `patch`, `delete`, `head`, `options`, `request`, `route`); each returns a
//! [`Call`] of the core's [`RawRequest`] operation, with the setters below on top of the
//! per-call options every call has.
//!
//! ```no_run
//! use amigo_platform_api::ApiExt;
//! use amigo_platform_core::{Config, RawData};
//!
//! let client = amigo_platform_ureq::Client::new(Config::from_env()?);
//! let data: RawData = client
//!     .get("/v1/{workspace_id}/agents")
//!     .query("limit", 5)
//!     .send()?;
//! # let _ = data;
//! # Ok::<(), amigo_platform_core::Error>(())
//! ```

use crate::call::Call;
use amigo_platform_core::{Body, QueryValue, RawRequest, ResponseMode, Transport};
use serde::Serialize;

impl<'c, E: Transport, M> Call<'c, E, RawRequest, M> {
    /// A path parameter (`workspace_id` is always the configured one).
    pub fn path_param(mut self, name: &str, value: impl ToString) -> Self {
        self.op_mut().path_param(name, value);
        self
    }
    /// A query parameter.
    pub fn query(mut self, name: &str, value: impl Into<QueryValue>) -> Self {
        self.op_mut().query(name, value);
        self
    }
    /// A typed header parameter (wins over user headers).
    pub fn header_param(mut self, name: &str, value: &str) -> Self {
        self.op_mut().header_param(name, value);
        self
    }
    /// A JSON body.
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        self.op_mut().json(body);
        self
    }
    /// Any body kind (form, multipart, raw bytes).
    pub fn body(mut self, body: Body) -> Self {
        self.op_mut().body(body);
        self
    }
    /// How the 2xx body is decoded.
    pub fn mode(mut self, mode: ResponseMode) -> Self {
        self.op_mut().mode(mode);
        self
    }
}
