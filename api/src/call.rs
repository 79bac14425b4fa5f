//! [`Call`]: what every generated namespace method returns.
//!
//! A thin wrapper over the core's [`Pending`] call (the one mechanism every transport drives)
//! that lets this crate add the per-operation setters (`.limit(5)`, `.search("x")`), which
//! cannot be inherent methods of a type defined in `amigo-platform-core`. Everything else
//! forwards to [`Pending`]: `.send()`, `.send_with_meta()`, `.await`, `.auto_paging()`, per-call
//! options.

use amigo_platform_core::{AutoPaging, CallContext, Pending, Single, Transport};
use amigo_platform_core::{CancelToken, RequestOptions, Response};
use amigo_platform_core::{Operation, Paginated};
use std::time::Duration;

/// A call ready to send: set parameters and per-call options, then `send()` (or `.await`).
///
/// Blocking: `client.api().agents().list().limit(5).send()?`;
/// async: `client.api().agents().list().limit(5).await?`.
#[must_use = "a call does nothing until it is sent"]
pub struct Call<'c, E, O, M = Single> {
    inner: Pending<'c, E, O, M>,
}

impl<E, O: std::fmt::Debug, M> std::fmt::Debug for Call<'_, E, O, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.inner.fmt(f)
    }
}

impl<'c, E, O, M> From<Pending<'c, E, O, M>> for Call<'c, E, O, M> {
    fn from(inner: Pending<'c, E, O, M>) -> Self {
        Call { inner }
    }
}

impl<'c, E: Transport, O: Operation, M> Call<'c, E, O, M> {
    /// Wraps a pending call.
    pub fn new(inner: Pending<'c, E, O, M>) -> Self {
        Call { inner }
    }

    /// The core's pending call.
    pub fn into_pending(self) -> Pending<'c, E, O, M> {
        self.inner
    }

    /// The operation value.
    pub fn op(&self) -> &O {
        self.inner.op()
    }

    /// Mutable access to the operation value (to set parameters without a setter).
    pub fn op_mut(&mut self) -> &mut O {
        self.inner.op_mut()
    }

    /// Layers per-call options over the scopes.
    pub fn options(self, options: RequestOptions) -> Self {
        Call::new(self.inner.options(options))
    }

    /// Per-call header (highest user precedence; `Authorization` is ignored).
    pub fn header(self, name: &str, value: &str) -> Self {
        Call::new(self.inner.header(name, value))
    }

    /// Removes a header set by any lower layer.
    pub fn remove_header(self, name: &str) -> Self {
        Call::new(self.inner.remove_header(name))
    }

    /// Per-attempt timeout for this call; zero disables the client's.
    pub fn timeout(self, d: Duration) -> Self {
        Call::new(self.inner.timeout(d))
    }

    /// Overall deadline for this call; zero disables the client's.
    pub fn deadline(self, d: Duration) -> Self {
        Call::new(self.inner.deadline(d))
    }

    /// Maximum retries after the first attempt for this call.
    pub fn max_retries(self, n: u32) -> Self {
        Call::new(self.inner.max_retries(n))
    }

    /// Maximum attempts for this call.
    pub fn max_attempts(self, n: u32) -> Self {
        Call::new(self.inner.max_attempts(n))
    }

    /// Retries of PUT, PATCH and DELETE for this call.
    pub fn retry_writes(self, on: bool) -> Self {
        Call::new(self.inner.retry_writes(on))
    }

    /// A cancellation token for this call.
    pub fn cancel_token(self, token: CancelToken) -> Self {
        Call::new(self.inner.cancel_token(token))
    }

    /// Overrides the base URL for this call (validated like the configured one).
    pub fn base_url(self, url: &str) -> Self {
        Call::new(self.inner.base_url(url))
    }

    /// The call's context for a transport.
    pub fn into_context(self) -> CallContext<O> {
        self.inner.into_context()
    }
}

impl<'c, E: Transport, O: Operation> Call<'c, E, O, Single> {
    /// Sends the call: returns the data (blocking) or a future of it (async).
    pub fn send(self) -> E::Sent<O::Output> {
        self.inner.send()
    }

    /// Sends the call and keeps the response metadata (status, request id, rate limits).
    pub fn send_with_meta(self) -> E::Sent<Response<O::Output>> {
        self.inner.send_with_meta()
    }
}

impl<'c, E: Transport, O: Paginated> Call<'c, E, O, Single> {
    /// Turns this listing into an auto-pager over every page.
    pub fn auto_paging(self) -> Call<'c, E, O, AutoPaging> {
        Call::new(self.inner.auto_paging())
    }
}

impl<'c, E: Transport, O: Paginated> Call<'c, E, O, AutoPaging> {
    /// Starts paging: an `Iterator` (blocking) or `Stream` (async) of items, with page access.
    pub fn send(self) -> E::Paging<O> {
        self.inner.send()
    }
}

impl<'c, E: Transport, O: Paginated> IntoIterator for Call<'c, E, O, AutoPaging>
where
    E::Paging<O>: Iterator,
{
    type Item = <E::Paging<O> as Iterator>::Item;
    type IntoIter = E::Paging<O>;
    fn into_iter(self) -> Self::IntoIter {
        self.send()
    }
}

impl<'c, E: Transport, O: Operation> std::future::IntoFuture for Call<'c, E, O, Single>
where
    E::Sent<O::Output>: std::future::Future,
{
    type Output = <E::Sent<O::Output> as std::future::Future>::Output;
    type IntoFuture = E::Sent<O::Output>;
    fn into_future(self) -> Self::IntoFuture {
        self.send()
    }
}
