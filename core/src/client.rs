//! The transport-generic client, its scopes and the pending-call values that resource methods
//! return (design rule 5: every resource method is written once, over these types; the
//! generated surface in `amigo-platform-api` builds its namespaces on [`Scope`] and
//! [`Pending`]).
//!
//! A composite member (one method that makes several requests, such as
//! `conversations().send_message`) is written once too, over the [`Transport`]'s two
//! sequencing functions: [`Transport::ready`] and [`Transport::then`] chain sends in whatever
//! shape the transport has (plain values when blocking, one future when async).

use crate::call::operation::{Operation, Paginated};
use crate::call::options::RequestOptions;
use crate::call::response::Response;
use crate::config::Config;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

/// Everything a transport needs to run one operation.
#[derive(Debug)]
pub struct CallContext<O> {
    /// The operation.
    pub op: O,
    /// The client's configuration.
    pub config: Arc<Config>,
    /// The merged client scope, resource scope and per-call options.
    pub options: RequestOptions,
    /// A per-call base URL override (low-level helpers).
    pub base_url: Option<String>,
}

/// A transport: runs operations and pagers. Implemented once per transport crate.
pub trait Transport: Clone + Send + Sync + 'static {
    /// What a single call returns: `Result<T, Error>` (blocking) or a future of it (async).
    type Sent<T: Send + 'static>;
    /// What auto-paging returns: an `Iterator` (blocking) or a `Stream` (async) of items.
    type Paging<O: Paginated>;

    /// Runs one call, returning the data with its metadata.
    fn execute<O: Operation>(&self, ctx: CallContext<O>) -> Self::Sent<Response<O::Output>>;

    /// Runs one call, returning only the data.
    fn execute_data<O: Operation>(&self, ctx: CallContext<O>) -> Self::Sent<O::Output>;

    /// Starts auto-pagination from the first request.
    fn paginate<O: Paginated>(&self, ctx: CallContext<O>) -> Self::Paging<O>;

    /// A fresh seed for a machine's jitter (by default from the standard library's
    /// per-process random hasher keys; a platform without them overrides it).
    fn seed() -> u64 {
        crate::call::backoff::random_seed()
    }

    /// A result that is already known, in this transport's shape: the result itself
    /// (blocking) or a future that is ready at once (async). Composite calls use it to stop
    /// early, for example when their first request failed.
    fn ready<T: Send + 'static>(result: Result<T, crate::Error>) -> Self::Sent<T>;

    /// Sequences two sends: runs `first`, hands its result to `next`, and completes with
    /// whatever the send that `next` returns completes with.
    ///
    /// Blocking transports call `next(first)`; async ones return one future that awaits
    /// `first`, then the future `next` returns (dropping it drops whichever is in flight).
    /// With [`ready`](Transport::ready) this is all a composite member needs, so it is written
    /// once for every transport.
    fn then<T, U, F>(first: Self::Sent<T>, next: F) -> Self::Sent<U>
    where
        T: Send + 'static,
        U: Send + 'static,
        F: FnOnce(Result<T, crate::Error>) -> Self::Sent<U> + Send + 'static;

    /// Maps a send's result with `f` (a [`then`](Transport::then) whose second step is
    /// [`ready`](Transport::ready)).
    fn map<T, U, F>(sent: Self::Sent<T>, f: F) -> Self::Sent<U>
    where
        T: Send + 'static,
        U: Send + 'static,
        F: FnOnce(Result<T, crate::Error>) -> Result<U, crate::Error> + Send + 'static,
    {
        Self::then(sent, move |result| Self::ready(f(result)))
    }
}

/// A transport that can be built with default settings (lets `Client::new(config)` work).
pub trait DefaultTransport: Transport {
    /// The transport with its default settings.
    fn default_transport() -> Self;
}

/// The client: a configuration, a transport and a scope of options.
///
/// Cloning is cheap; [`Client::with_options`] returns a scoped copy and leaves `self` unchanged.
#[derive(Clone)]
pub struct Client<E> {
    exec: E,
    config: Arc<Config>,
    scope: RequestOptions,
}

impl<E: std::fmt::Debug> std::fmt::Debug for Client<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("transport", &self.exec)
            .field("config", &self.config)
            .field("scope", &self.scope)
            .finish()
    }
}

impl<E: DefaultTransport> Client<E> {
    /// A client over the transport's default settings.
    pub fn new(config: Config) -> Self {
        Client::with_transport(config, E::default_transport())
    }

    /// A client configured from `AMIGO_API_KEY`, `AMIGO_WORKSPACE_ID`, `AMIGO_BASE_URL`.
    pub fn from_env() -> Result<Self, crate::Error> {
        Ok(Client::new(Config::from_env()?))
    }
}

impl<E: Transport> Client<E> {
    /// A client over a specific transport value (for example a custom HTTP client).
    pub fn with_transport(config: Config, exec: E) -> Self {
        Client {
            exec,
            config: Arc::new(config),
            scope: RequestOptions::default(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The transport.
    pub fn transport(&self) -> &E {
        &self.exec
    }

    /// A copy whose every call also applies `options` (layered over this client's scope).
    pub fn with_options(&self, options: RequestOptions) -> Self {
        Client {
            exec: self.exec.clone(),
            config: self.config.clone(),
            scope: self.scope.merged(&options),
        }
    }

    /// The same configuration and scope over another transport value (for example a differently
    /// configured HTTP client for some calls); calls still go through the one retry loop.
    pub fn using<E2: Transport>(&self, exec: E2) -> Client<E2> {
        Client {
            exec,
            config: self.config.clone(),
            scope: self.scope.clone(),
        }
    }

    /// A pending call of any operation value (the generic entry point behind every resource method).
    pub fn call<O: Operation>(&self, op: O) -> Pending<'_, E, O> {
        self.scoped().pending(op)
    }

    /// The root scope, from which resource namespaces are made.
    pub fn scoped(&self) -> Scope<'_, E> {
        Scope {
            client: self,
            options: RequestOptions::default(),
        }
    }
}

/// A client reference plus a resource scope; every namespace wraps one.
#[derive(Clone)]
pub struct Scope<'c, E> {
    client: &'c Client<E>,
    options: RequestOptions,
}

impl<E> std::fmt::Debug for Scope<'_, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scope")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<'c, E: Transport> Scope<'c, E> {
    /// This scope with `options` layered on top.
    pub fn with_options(&self, options: RequestOptions) -> Self {
        Scope {
            client: self.client,
            options: self.options.merged(&options),
        }
    }

    /// The client.
    pub fn client(&self) -> &'c Client<E> {
        self.client
    }

    /// A pending call of `op` in this scope.
    pub fn pending<O: Operation>(&self, op: O) -> Pending<'c, E, O> {
        Pending {
            client: self.client,
            scope: self.options.clone(),
            op,
            options: RequestOptions::default(),
            base_url: None,
            mode: PhantomData,
        }
    }
}

/// Marker: a pending single call.
#[derive(Debug, Clone, Copy)]
pub struct Single;

/// Marker: a pending auto-paging listing.
#[derive(Debug, Clone, Copy)]
pub struct AutoPaging;

/// A call ready to send: set per-call options and parameters, then `send()` (or `.await`).
///
/// Blocking: `client.api().agents().list().limit(5).send()?`. Async:
/// `client.api().agents().list().limit(5).await?` (the generated surface wraps this type).
#[must_use = "a pending call does nothing until it is sent"]
pub struct Pending<'c, E, O, M = Single> {
    client: &'c Client<E>,
    scope: RequestOptions,
    op: O,
    options: RequestOptions,
    base_url: Option<String>,
    mode: PhantomData<M>,
}

impl<E, O: std::fmt::Debug, M> std::fmt::Debug for Pending<'_, E, O, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("op", &self.op)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<'c, E: Transport, O: Operation, M> Pending<'c, E, O, M> {
    /// The client this call runs on.
    pub fn client(&self) -> &'c Client<E> {
        self.client
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
        self.options.timeout = Some(d);
        self
    }

    /// Overall deadline for this call; zero disables the client's.
    pub fn deadline(mut self, d: Duration) -> Self {
        self.options.deadline = Some(d);
        self
    }

    /// Maximum retries after the first attempt for this call.
    pub fn max_retries(mut self, n: u32) -> Self {
        self.options.retry.max_attempts = Some(n.saturating_add(1));
        self
    }

    /// Maximum attempts for this call.
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.options.retry.max_attempts = Some(n);
        self
    }

    /// Retries of PUT, PATCH and DELETE for this call.
    pub fn retry_writes(mut self, on: bool) -> Self {
        self.options.retry.retry_writes = Some(on);
        self
    }

    /// A cancellation token for this call.
    pub fn cancel_token(mut self, token: crate::CancelToken) -> Self {
        self.options.cancel.push(token);
        self
    }

    /// Overrides the base URL for this call (validated like the configured one).
    pub fn base_url(mut self, url: &str) -> Self {
        match crate::config::validate_base_url(url) {
            Ok(u) => self.base_url = Some(u),
            Err(e) => self.options.invalid = Some(e),
        }
        self
    }

    /// The call's context for a transport.
    pub fn into_context(self) -> CallContext<O> {
        let options = self.client.scope.merged(&self.scope).merged(&self.options);
        CallContext {
            op: self.op,
            config: self.client.config.clone(),
            options,
            base_url: self.base_url,
        }
    }
}

impl<'c, E: Transport, O: Operation> Pending<'c, E, O, Single> {
    /// Sends the call: returns the data (blocking) or a future of it (async).
    pub fn send(self) -> E::Sent<O::Output> {
        let exec = self.client.exec.clone();
        exec.execute_data(self.into_context())
    }

    /// Sends the call and keeps the response metadata (status, request id, rate limits).
    pub fn send_with_meta(self) -> E::Sent<Response<O::Output>> {
        let exec = self.client.exec.clone();
        exec.execute(self.into_context())
    }
}

impl<'c, E: Transport, O: Paginated> Pending<'c, E, O, Single> {
    /// Turns this listing into an auto-pager over every page.
    pub fn auto_paging(self) -> Pending<'c, E, O, AutoPaging> {
        Pending {
            client: self.client,
            scope: self.scope,
            op: self.op,
            options: self.options,
            base_url: self.base_url,
            mode: PhantomData,
        }
    }
}

impl<'c, E: Transport, O: Paginated> Pending<'c, E, O, AutoPaging> {
    /// Starts paging: an `Iterator` (blocking) or `Stream` (async) of items, with page access.
    pub fn send(self) -> E::Paging<O> {
        let exec = self.client.exec.clone();
        exec.paginate(self.into_context())
    }
}

impl<'c, E: Transport, O: Paginated> IntoIterator for Pending<'c, E, O, AutoPaging>
where
    E::Paging<O>: Iterator,
{
    type Item = <E::Paging<O> as Iterator>::Item;
    type IntoIter = E::Paging<O>;
    fn into_iter(self) -> Self::IntoIter {
        self.send()
    }
}

impl<'c, E: Transport, O: Operation> std::future::IntoFuture for Pending<'c, E, O, Single>
where
    E::Sent<O::Output>: std::future::Future,
{
    type Output = <E::Sent<O::Output> as std::future::Future>::Output;
    type IntoFuture = E::Sent<O::Output>;
    fn into_future(self) -> Self::IntoFuture {
        self.send()
    }
}
