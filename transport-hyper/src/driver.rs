//! The async transport: hyper's I/O primitives and the one loop that drives every machine.

use amigo_platform_core::cancel::Cancelled;
use amigo_platform_core::client::{CallContext, DefaultTransport, Transport};
use amigo_platform_core::error::TransportErrorKind;
use amigo_platform_core::sse::{streams_body, MAX_ERROR_BODY};
use amigo_platform_core::{
    Attempt, AttemptOutcome, Error, Machine, Operation, OperationCall, PageStream, Paginated,
    ReasonPhrase, Response, Step, Time,
};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client as LegacyClient;
use std::future::Future;
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

    /// The pooled HTTP client (shared by calls, streams and identity requests).
    pub fn http_client(&self) -> &HttpClient {
        &self.client
    }

    /// Sets the largest accepted response body; larger bodies fail as a Network error.
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Runs one call to completion.
    async fn drive<O: Operation>(
        self,
        ctx: CallContext<O>,
        meta: bool,
    ) -> Result<Response<O::Output>, Error> {
        let call = OperationCall::from_context(ctx, Self::seed(), Time::system());
        // Only the data goes back: skip building the response metadata.
        let call = if meta { call } else { call.data_only() };
        match Driver::new(call, self).next().await {
            Next::Done(result) => result,
            Next::Item(never) => match never {},
        }
    }

    /// Sends one attempt under its time limit (headers only when the body is kept).
    async fn send(&self, attempt: Attempt) -> Sent {
        let (stream, timeout) = (attempt.stream, attempt.timeout);
        let exchange = async move {
            let response = match self.client.request(attempt.request.map(Full::new)).await {
                Ok(r) => r,
                Err(e) => return Err(AttemptOutcome::Failed(client_error(&e))),
            };
            let (mut head, body) = response.into_parts();
            carry_reason_phrase(&mut head);
            Ok((head, body))
        };
        let exchange = async move {
            match exchange.await {
                Err(outcome) => Sent::Outcome(outcome),
                Ok((head, body)) if stream && streams_body(&head) => Sent::Stream(head, body),
                Ok((head, body)) if stream => Sent::Buffer(head, body, MAX_ERROR_BODY),
                Ok((head, body)) => Sent::Outcome(buffer(head, body, self.max_body).await),
            }
        };
        let sent = match timeout {
            Some(limit) => match tokio::time::timeout(limit, exchange).await {
                Ok(sent) => sent,
                Err(_) => Sent::Outcome(AttemptOutcome::TimedOut),
            },
            None => exchange.await,
        };
        match sent {
            // A stream connect's error body is read after its headers' time limit.
            Sent::Buffer(head, body, limit) => Sent::Outcome(buffer(head, body, limit).await),
            other => other,
        }
    }
}

/// What a send produced.
enum Sent {
    Outcome(AttemptOutcome),
    Stream(http::response::Parts, Incoming),
    /// A body to buffer up to the limit, outside the headers' time limit.
    Buffer(http::response::Parts, Incoming, usize),
}

/// Buffers a response body up to `max_body` bytes into the outcome the core expects.
async fn buffer(head: http::response::Parts, body: Incoming, max_body: usize) -> AttemptOutcome {
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
fn carry_reason_phrase(head: &mut http::response::Parts) {
    if let Some(reason) = head.extensions.get::<hyper::ext::ReasonPhrase>() {
        let text = String::from_utf8_lossy(reason.as_bytes()).into_owned();
        head.extensions.insert(ReasonPhrase(text));
    }
}

/// Maps a hyper client failure to the core's Network kinds.
fn client_error(e: &hyper_util::client::legacy::Error) -> Error {
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

/// Sleeps until `until`, or until a token fires.
async fn sleep_until(until: Instant, cancelled: &Cancelled) {
    tokio::select! {
        _ = tokio::time::sleep_until(tokio::time::Instant::from_std(until)) => {}
        _ = cancelled.clone() => {}
    }
}

/// Sends an attempt, or gives up when a token fires.
async fn send(transport: &HyperTransport, cancelled: &Cancelled, attempt: Attempt) -> Sent {
    tokio::select! {
        sent = transport.send(attempt) => sent,
        _ = cancelled.clone() => Sent::Outcome(AttemptOutcome::Cancelled),
    }
}

/// What the driver hands back: an item, or the machine's end.
pub(crate) enum Next<I, R> {
    Item(I),
    Done(R),
}

/// The one async loop: drives any machine over this transport.
pub(crate) struct Driver<M> {
    pub(crate) machine: M,
    transport: HyperTransport,
    cancelled: Cancelled,
    body: Option<Incoming>,
}

impl<M: Machine> Driver<M> {
    pub(crate) fn new(machine: M, transport: HyperTransport) -> Driver<M> {
        let cancelled = Cancelled::any(machine.cancel_tokens().to_vec());
        Driver {
            machine,
            transport,
            cancelled,
            body: None,
        }
    }

    /// Runs the machine to its next item or its end. Dropping the future abandons whatever
    /// is in flight (the request, a read, a sleep).
    pub(crate) async fn next(&mut self) -> Next<M::Item, M::Output> {
        let now = Time::system;
        loop {
            match self.machine.poll(now()) {
                Step::Send(attempt) => {
                    self.body = None;
                    match send(&self.transport, &self.cancelled, attempt).await {
                        Sent::Stream(head, body) => {
                            self.body = Some(body);
                            self.machine.handle_head(head, now());
                        }
                        Sent::Outcome(o) => self.machine.handle_outcome(o, now()),
                        // The transport buffers these itself before returning.
                        Sent::Buffer(head, body, limit) => {
                            let outcome = buffer(head, body, limit).await;
                            self.machine.handle_outcome(outcome, now());
                        }
                    }
                }
                Step::Refresh(mut refresh) => {
                    let result = match refresh.begin(SystemTime::now()) {
                        Ok(Some(attempt)) => {
                            let outcome =
                                match send(&self.transport, &self.cancelled, attempt).await {
                                    Sent::Outcome(o) => o,
                                    _ => AttemptOutcome::Cancelled,
                                };
                            refresh.finish(outcome, SystemTime::now())
                        }
                        other => other.map(drop),
                    };
                    self.machine.handle_refresh(result, now());
                }
                Step::Read(until) => {
                    let Some(body) = self.body.as_mut() else {
                        self.machine.handle_eof(now());
                        continue;
                    };
                    let deadline = async {
                        match until {
                            Some(at) => sleep_until(at, &self.cancelled).await,
                            None => self.cancelled.clone().await,
                        }
                    };
                    tokio::select! {
                        frame = body.frame() => match frame {
                            None => self.machine.handle_eof(now()),
                            Some(Err(e)) => self.machine.handle_read_error(
                                Error::network(TransportErrorKind::Read, e),
                                now(),
                            ),
                            Some(Ok(f)) => {
                                if let Ok(data) = f.into_data() {
                                    self.machine.handle_chunk(&data, now());
                                }
                            }
                        },
                        _ = deadline => {}
                    }
                }
                Step::Wait(until) => {
                    self.body = None;
                    sleep_until(until, &self.cancelled).await;
                }
                Step::Item(item) => return Next::Item(item),
                Step::Done(result) => {
                    self.body = None;
                    return Next::Done(result);
                }
            }
        }
    }
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
