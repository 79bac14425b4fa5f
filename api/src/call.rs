//! [`Call`]: the one call builder, what every generated namespace method (and every low-level
//! helper of [`ApiExt`](crate::ApiExt)) returns.
//!
//! A call holds its [`Scope`] (the client and the resource scope's options), the operation
//! value, the per-call options and base-URL override, and a marker ([`Single`] or
//! [`AutoPaging`]). The per-call options (`.header(..)`, `.timeout(..)`, ..), `.send()`,
//! `.send_with_meta()`, `.auto_paging()` and `.await` are defined here; the per-operation
//! setters (`.limit(5)`, `.search("x")`) are generated as inherent methods of
//! `Call<'c, E, ThatOperation, M>`, and the low-level setters (`.path_param(..)`, `.query(..)`,
//! `.json(..)`) are inherent methods of `Call<'c, E, RawRequest, M>`. Sending asks the scope
//! for the [`CallContext`] ([`Scope::context`], where the core merges the option layers) and
//! hands it to the [`Transport`].

use amigo_platform_core::{CallContext, Client, Scope, Transport};
use amigo_platform_core::{CancelToken, RequestOptions, Response};
use amigo_platform_core::{Operation, Paginated};
use std::marker::PhantomData;
use std::time::Duration;

/// Marker: a single call.
#[derive(Debug, Clone, Copy)]
pub struct Single;

/// Marker: an auto-paging listing.
#[derive(Debug, Clone, Copy)]
pub struct AutoPaging;

/// A call ready to send: set parameters and per-call options, then `send()` (or `.await`).
///
/// Blocking: `client.api().agents().list().limit(5).send()?`;
/// async: `client.api().agents().list().limit(5).await?`.
#[must_use = "a call does nothing until it is sent"]
pub struct Call<'c, E, O, M = Single> {
    scope: Scope<'c, E>,
    op: O,
    options: RequestOptions,
    base_url: Option<String>,
    mode: PhantomData<M>,
}

impl<E, O: std::fmt::Debug, M> std::fmt::Debug for Call<'_, E, O, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call")
            .field("op", &self.op)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<'c, E: Transport, O: Operation> Call<'c, E, O, Single> {
    /// A call of `op` in `scope`, with no per-call options yet.
    pub fn new(scope: Scope<'c, E>, op: O) -> Self {
        Call {
            scope,
            op,
            options: RequestOptions::default(),
            base_url: None,
            mode: PhantomData,
        }
    }
}

impl<'c, E: Transport, O: Operation, M> Call<'c, E, O, M> {
    /// The client this call runs on.
    pub fn client(&self) -> &'c Client<E> {
        self.scope.client()
    }

    /// The operation value.
    pub fn op(&self) -> &O {
        &self.op
    }

    /// Mutable access to the operation value (to set parameters without a setter).
    pub fn op_mut(&mut self) -> &mut O {
        &mut self.op
    }

    /// Layers per-call options over the scopes.
    pub fn options(mut self, options: RequestOptions) -> Self {
        self.options = self.options.merged(&options);
        self
    }

    /// Per-call header (highest user precedence; `Authorization` is ignored).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.options = std::mem::take(&mut self.options).header(name, value);
        self
    }

    /// Removes a header set by any lower layer.
    pub fn remove_header(mut self, name: &str) -> Self {
        self.options = std::mem::take(&mut self.options).remove_header(name);
        self
    }

    /// Per-attempt timeout for this call; zero disables the client's.
    pub fn timeout(mut self, d: Duration) -> Self {
        self.options = std::mem::take(&mut self.options).timeout(d);
        self
    }

    /// Overall deadline for this call; zero disables the client's.
    pub fn deadline(mut self, d: Duration) -> Self {
        self.options = std::mem::take(&mut self.options).deadline(d);
        self
    }

    /// Calls `f` as the request body is sent, with the bytes sent so far and the total when
    /// known (see [`RequestOptions::on_upload_progress`]); it restarts from 0 on a retry.
    pub fn on_upload_progress(
        mut self,
        f: impl Fn(amigo_platform_core::UploadProgress) + Send + Sync + 'static,
    ) -> Self {
        self.options = std::mem::take(&mut self.options).on_upload_progress(f);
        self
    }

    /// Maximum retries after the first attempt for this call.
    pub fn max_retries(mut self, n: u32) -> Self {
        self.options = std::mem::take(&mut self.options).max_retries(n);
        self
    }

    /// Maximum attempts for this call.
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.options = std::mem::take(&mut self.options).max_attempts(n);
        self
    }

    /// Retries of PUT, PATCH and DELETE for this call.
    pub fn retry_writes(mut self, on: bool) -> Self {
        self.options = std::mem::take(&mut self.options).retry_writes(on);
        self
    }

    /// A cancellation token for this call.
    pub fn cancel_token(mut self, token: CancelToken) -> Self {
        self.options = std::mem::take(&mut self.options).cancel_token(token);
        self
    }

    /// Overrides the base URL for this call (validated like the configured one when the call
    /// is sent: an invalid URL fails it with a Config error).
    pub fn base_url(mut self, url: &str) -> Self {
        self.base_url = Some(url.to_owned());
        self
    }

    /// The call's context for a transport: the client scope, the resource scope and this
    /// call's options merged by the core ([`Scope::context`]), with the base-URL override.
    pub fn into_context(self) -> CallContext<O> {
        self.scope
            .context(self.op, &self.options, self.base_url.as_deref())
    }
}

impl<'c, E: Transport, O: Operation> Call<'c, E, O, Single> {
    /// Sends the call: returns the data (blocking) or a future of it (async).
    pub fn send(self) -> E::Sent<O::Output> {
        let exec = self.client().transport().clone();
        exec.execute_data(self.into_context())
    }

    /// Sends the call and keeps the response metadata (status, request id, rate limits).
    pub fn send_with_meta(self) -> E::Sent<Response<O::Output>> {
        let exec = self.client().transport().clone();
        exec.execute(self.into_context())
    }
}

impl<'c, E: Transport, O: Paginated> Call<'c, E, O, Single> {
    /// Turns this listing into an auto-pager over every page.
    pub fn auto_paging(self) -> Call<'c, E, O, AutoPaging> {
        Call {
            scope: self.scope,
            op: self.op,
            options: self.options,
            base_url: self.base_url,
            mode: PhantomData,
        }
    }
}

impl<'c, E: Transport, O: Paginated> Call<'c, E, O, AutoPaging> {
    /// Starts paging: an `Iterator` (blocking) or `Stream` (async) of items, with page access.
    pub fn send(self) -> E::Paging<O> {
        let exec = self.client().transport().clone();
        exec.paginate(self.into_context())
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
