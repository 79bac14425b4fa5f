//! The transport-generic client, its scopes and the [`CallContext`] a transport runs (design
//! rule 5: every resource method is written once, over these types). The call builder
//! (`Call`, with per-call options and per-operation setters) lives in `amigo-platform-api`;
//! it holds a [`Scope`] and turns itself into a [`CallContext`] with [`Scope::context`], the
//! one place where client scope, resource scope and per-call options are merged.
//!
//! A composite member (one method that makes several requests, such as
//! `conversations().send_message`) is written once too, over the [`Transport`]'s two
//! sequencing functions: [`Transport::ready`] and [`Transport::then`] chain sends in whatever
//! shape the transport has (plain values when blocking, one future when async).

use crate::call::operation::{Operation, Paginated};
use crate::call::options::RequestOptions;
use crate::call::response::Response;
use crate::config::Config;
use std::sync::Arc;

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

    /// The context a transport runs for `op` in this scope: the client's scope, then this
    /// scope's options, then the per-call `options` (each layer wins over the one before), with
    /// a per-call `base_url` override if any. The override is validated like the configured
    /// base URL; an invalid one makes the call fail with a Config error when sent.
    pub fn context<O: Operation>(
        &self,
        op: O,
        options: &RequestOptions,
        base_url: Option<&str>,
    ) -> CallContext<O> {
        let mut options = self.client.scope.merged(&self.options).merged(options);
        let base_url = match base_url.map(crate::config::validate_base_url) {
            Some(Ok(url)) => Some(url),
            Some(Err(e)) => {
                options.invalid = Some(e);
                None
            }
            None => None,
        };
        CallContext {
            op,
            config: self.client.config.clone(),
            options,
            base_url,
        }
    }
}
