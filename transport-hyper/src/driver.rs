//! The async driver loop over the core's `OperationCall`.

use amigo_platform_core::call::{Attempt, AttemptOutcome, OperationCall, ReasonPhrase, Step, Time};
use amigo_platform_core::cancel::Cancelled;
use amigo_platform_core::client::{CallContext, DefaultTransport, Transport};
use amigo_platform_core::error::TransportErrorKind;
use amigo_platform_core::PageStream;
use amigo_platform_core::{Error, Operation, Paginated, Response};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client as LegacyClient;
use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::pin::Pin;
use web_time::{Instant, SystemTime};

/// The most bytes a response body may have by default (64 MiB).
pub const DEFAULT_MAX_BODY: usize = 64 * 1024 * 1024;

/// The HTTP client type this transport uses.
pub type HttpClient = LegacyClient<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// A boxed, `Send` future of a call's result.
pub type SentFuture<T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'static>>;

/// Runs calls over a pooled hyper client with rustls (ring, webpki roots).
#[derive(Clone)]
pub struct HyperTransport {
    client: HttpClient,
    max_body: usize,
}

impl std::fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HyperTransport")
            .field("max_body", &self.max_body)
            .finish_non_exhaustive()
    }
}

impl Default for HyperTransport {
    fn default() -> Self {
        Self::new()
    }
}

impl HyperTransport {
    /// A transport with a default client: HTTP/1.1 over plain TCP or rustls.
    pub fn new() -> Self {
        Self::with_client(default_http_client())
    }

    /// A transport over a user-built client (custom pool, TLS or connector settings).
    pub fn with_client(client: HttpClient) -> Self {
        HyperTransport {
            client,
            max_body: DEFAULT_MAX_BODY,
        }
    }

    /// The pooled HTTP client (shared by calls, event streams and turn streams).
    pub fn http_client(&self) -> &HttpClient {
        &self.client
    }

    /// Sets the largest accepted response body; larger bodies fail as a Network error.
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Runs one call to completion.
    pub(crate) async fn drive<O: Operation>(
        self,
        ctx: CallContext<O>,
        meta: bool,
    ) -> Result<Response<O::Output>, Error> {
        let call = OperationCall::new(
            ctx.op,
            &ctx.config,
            &ctx.options,
            ctx.base_url.as_deref(),
            seed(),
            now(),
        );
        // Only the data goes back: skip building the response metadata.
        let mut call = if meta { call } else { call.data_only() };
        let cancelled = Cancelled::any(call.cancel_tokens().to_vec());
        loop {
            match call.poll(now()) {
                Step::Send(attempt) => {
                    let outcome = tokio::select! {
                        o = self.attempt(attempt) => o,
                        _ = cancelled.clone() => AttemptOutcome::Cancelled,
                    };
                    call.handle(outcome, now());
                }
                Step::Wait(until) => {
                    tokio::select! {
                        _ = tokio::time::sleep_until(tokio::time::Instant::from_std(until)) => {}
                        _ = cancelled.clone() => {}
                    }
                }
                Step::Done(result) => return result,
            }
        }
    }

    async fn attempt(&self, attempt: Attempt) -> AttemptOutcome {
        let exchange = exchange(self.client.clone(), attempt.request, self.max_body);
        match attempt.timeout {
            Some(limit) => match tokio::time::timeout(limit, exchange).await {
                Ok(outcome) => outcome,
                Err(_) => AttemptOutcome::TimedOut,
            },
            None => exchange.await,
        }
    }
}

async fn exchange(
    client: HttpClient,
    request: http::Request<Bytes>,
    max_body: usize,
) -> AttemptOutcome {
    let response = match client.request(request.map(Full::new)).await {
        Ok(r) => r,
        Err(e) => return AttemptOutcome::Failed(client_error(&e)),
    };
    let (mut head, body) = response.into_parts();
    carry_reason_phrase(&mut head);
    buffer_body(head, body, max_body).await
}

/// Buffers a response body up to `max_body` bytes into the outcome the core expects.
pub(crate) async fn buffer_body(
    head: http::response::Parts,
    body: hyper::body::Incoming,
    max_body: usize,
) -> AttemptOutcome {
    match Limited::new(body, max_body).collect().await {
        Ok(collected) => {
            AttemptOutcome::Response(http::Response::from_parts(head, collected.to_bytes()))
        }
        Err(e) => {
            let error = if e
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                Error::network(
                    TransportErrorKind::BodyTooLarge,
                    format!("response body exceeds {max_body} bytes"),
                )
            } else {
                Error::network(TransportErrorKind::Read, e)
            };
            AttemptOutcome::BodyFailed { head, error }
        }
    }
}

/// A pooled HTTP/1.1 client over plain TCP or rustls (ring named explicitly, webpki roots).
pub(crate) fn default_http_client() -> HttpClient {
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(amigo_platform_core::tls::client_config().as_ref().clone())
        .https_or_http()
        .enable_http1()
        .build();
    LegacyClient::builder(hyper_util::rt::TokioExecutor::new()).build(https)
}

/// Copies hyper's reason phrase (sent only when non-canonical) into the core's extension.
pub(crate) fn carry_reason_phrase(head: &mut http::response::Parts) {
    if let Some(reason) = head.extensions.get::<hyper::ext::ReasonPhrase>() {
        let text = String::from_utf8_lossy(reason.as_bytes()).into_owned();
        head.extensions.insert(ReasonPhrase(text));
    }
}

/// Maps a hyper client failure to the core's Network kinds.
pub(crate) fn client_error(e: &hyper_util::client::legacy::Error) -> Error {
    use std::error::Error as _;
    let mut kind = if e.is_connect() {
        TransportErrorKind::Connect
    } else {
        TransportErrorKind::Other
    };
    let mut source = e.source();
    let mut message = e.to_string();
    while let Some(s) = source {
        message = s.to_string();
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            kind = match io.kind() {
                std::io::ErrorKind::ConnectionRefused => TransportErrorKind::Connect,
                std::io::ErrorKind::ConnectionReset
                | std::io::ErrorKind::ConnectionAborted
                | std::io::ErrorKind::BrokenPipe
                | std::io::ErrorKind::UnexpectedEof => TransportErrorKind::ConnectionReset,
                _ => kind,
            };
        } else if let Some(h) = s.downcast_ref::<hyper::Error>() {
            if h.is_incomplete_message() || h.is_closed() || h.is_canceled() {
                kind = TransportErrorKind::ConnectionReset;
            } else if h.is_parse() {
                kind = TransportErrorKind::Protocol;
            }
        }
        source = s.source();
    }
    Error::network(kind, message)
}

impl DefaultTransport for HyperTransport {
    fn default_transport() -> Self {
        HyperTransport::new()
    }
}

impl Transport for HyperTransport {
    type Sent<T: Send + 'static> = SentFuture<T>;
    type Paging<O: Paginated> = PageStream<HyperTransport, O>;

    fn execute<O: Operation>(&self, ctx: CallContext<O>) -> SentFuture<Response<O::Output>> {
        Box::pin(self.clone().drive(ctx, true))
    }

    fn execute_data<O: Operation>(&self, ctx: CallContext<O>) -> SentFuture<O::Output> {
        let fut = self.clone().drive(ctx, false);
        Box::pin(async move { fut.await.map(Response::into_data) })
    }

    fn paginate<O: Paginated>(&self, ctx: CallContext<O>) -> PageStream<HyperTransport, O> {
        PageStream::new(self.clone(), ctx)
    }

    fn ready<T: Send + 'static>(result: Result<T, Error>) -> SentFuture<T> {
        Box::pin(std::future::ready(result))
    }

    fn then<T, U, F>(first: SentFuture<T>, next: F) -> SentFuture<U>
    where
        T: Send + 'static,
        U: Send + 'static,
        F: FnOnce(Result<T, Error>) -> SentFuture<U> + Send + 'static,
    {
        Box::pin(async move { next(first.await).await })
    }
}

/// The driver's clocks, read once per step.
pub(crate) fn now() -> Time {
    Time {
        now: Instant::now(),
        wall: SystemTime::now(),
    }
}

/// A fresh seed for jitter, from the standard library's per-process random hasher keys.
pub(crate) fn seed() -> u64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0x5eed);
    h.finish()
}
