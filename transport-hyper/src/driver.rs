//! The async transport: hyper's I/O primitives, driven by the core's async loop.

use crate::net::ProxyConnector;
use crate::upload::RequestBody;
use amigo_platform_core::transport::network::Network;
use amigo_platform_core::transport::nonblocking::AsyncIo;
use amigo_platform_core::transport::proxy::ProxySettings;
use amigo_platform_core::transport::DefaultTransport;
use amigo_platform_core::transport::{Attempt, AttemptOutcome, BodyLimit, ReasonPhrase};
use amigo_platform_core::transport::{Read, Sent};
use amigo_platform_core::Error;
use amigo_platform_core::TransportErrorKind;
use amigo_platform_core::DEFAULT_CONNECT_TIMEOUT;
use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client as LegacyClient;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use web_time::Instant;

/// The most bytes a response body may have by default (64 MiB).
pub const DEFAULT_MAX_BODY: usize = 64 * 1024 * 1024;

/// The HTTP client type this transport uses: TLS over a [`ProxyConnector`] (a direct TCP
/// connection or a tunnel through a proxy); its body type, [`RequestBody`], carries buffered
/// bytes or a streamed upload.
pub type HttpClient = LegacyClient<HttpsConnector<ProxyConnector>, RequestBody>;

/// A boxed, `Send` future of a call's result.
pub type SentFuture<T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'static>>;

/// Runs calls over a pooled hyper client with rustls (ring, webpki roots).
#[derive(Clone)]
pub struct HyperTransport {
    client: HttpClient,
    max_body: usize,
    net: Network,
}

impl std::fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HyperTransport")
            .field("max_body", &self.max_body)
            .field("proxy", &self.net.proxy)
            .finish_non_exhaustive()
    }
}

impl Default for HyperTransport {
    fn default() -> Self {
        Self::new()
    }
}

impl HyperTransport {
    /// A transport with a default client: HTTP/1.1 over plain TCP or rustls (and HTTP/2 by
    /// ALPN with the `http2` feature).
    pub fn new() -> Self {
        HyperTransportBuilder::default().build()
    }

    /// Settings for the default client: proxy, TLS roots, connect timeout, `TCP_NODELAY`,
    /// pool limits, body size. For anything else, build a [`HttpClient`] yourself and use
    /// [`with_client`](Self::with_client).
    pub fn builder() -> HyperTransportBuilder {
        HyperTransportBuilder::default()
    }

    /// A transport over a user-built client (custom pool, TLS or connector settings). Its
    /// WebSockets ([`ws::connect_via`](crate::ws::connect_via)) use the proxy of the
    /// environment and the bundled roots.
    pub fn with_client(client: HttpClient) -> Self {
        HyperTransport {
            client,
            max_body: DEFAULT_MAX_BODY,
            net: Network::from_env(),
        }
    }

    /// The proxy and TLS settings WebSockets opened through this transport use.
    pub(crate) fn network(&self) -> &Network {
        &self.net
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

    /// Sends one attempt under its time limit (headers only when the body is kept).
    async fn exchange(&self, attempt: Attempt) -> Sent<Incoming> {
        let (stream, timeout) = (attempt.streams(), attempt.timeout);
        let keep = attempt.keep;
        let mut request = attempt.request;
        crate::decode::offer(&mut request, stream);
        let exchange = async move {
            let (mut parts, bytes) = request.into_parts();
            let body = match &attempt.upload {
                None => RequestBody::full(bytes),
                Some(upload) => match crate::upload::open(upload).await {
                    Err(e) => return Err(AttemptOutcome::Failed(e)),
                    Ok((body, len)) => {
                        if let Some(n) = len {
                            parts.headers.insert(http::header::CONTENT_LENGTH, n.into());
                        }
                        body
                    }
                },
            };
            let request = http::Request::from_parts(parts, body);
            let response = match self.client.request(request).await {
                Ok(r) => r,
                Err(e) => return Err(AttemptOutcome::Failed(client_error(e))),
            };
            let (mut head, body) = response.into_parts();
            carry_reason_phrase(&mut head);
            Ok((head, body))
        };
        // A stream connect's time limit covers its headers; a call's, its body too.
        let exchange = async move {
            match exchange.await {
                Err(outcome) => Err(outcome),
                Ok((head, body)) if stream => Ok((head, body)),
                Ok((head, body)) => {
                    let limit = BodyLimit::of(&head, false, self.max_body);
                    Err(buffer(head, body, limit).await)
                }
            }
        };
        let exchanged = match timeout {
            Some(limit) => tokio::time::timeout(limit, exchange)
                .await
                .unwrap_or(Err(AttemptOutcome::TimedOut)),
            None => exchange.await,
        };
        match exchanged {
            Err(outcome) => Sent::Outcome(outcome),
            Ok((head, body)) if keep.keeps(&head) => Sent::Stream(head, body),
            Ok((head, body)) => {
                let limit = BodyLimit::of(&head, true, self.max_body);
                Sent::Outcome(buffer(head, body, limit).await)
            }
        }
    }
}

/// Buffers a response body within `limit` into the outcome the core expects.
async fn buffer(head: http::response::Parts, body: Incoming, limit: BodyLimit) -> AttemptOutcome {
    #[cfg(any(feature = "gzip", feature = "brotli"))]
    if let Some(coding) = crate::decode::coding(&head) {
        return crate::decode::buffer(head, body, limit, coding).await;
    }
    let collected = match limit {
        BodyLimit::Whole(max) => Limited::new(body, max)
            .collect()
            .await
            .map(|c| c.to_bytes())
            .map_err(
                |e| match e.downcast_ref::<http_body_util::LengthLimitError>() {
                    Some(_) => Error::network(
                        TransportErrorKind::BodyTooLarge,
                        format!("response body exceeds {max} bytes"),
                    ),
                    None => Error::network(TransportErrorKind::Read, e),
                },
            ),
        BodyLimit::Head(max) => head_of(body, max).await,
    };
    match collected {
        Ok(bytes) => AttemptOutcome::Response(http::Response::from_parts(head, bytes)),
        Err(error) => AttemptOutcome::BodyFailed { head, error },
    }
}

/// The first `max` bytes of a body; the rest is never read (hyper then closes the connection
/// instead of reusing it).
async fn head_of(mut body: Incoming, max: usize) -> Result<Bytes, Error> {
    let mut kept = BytesMut::new();
    while kept.len() < max {
        match body.frame().await {
            None => break,
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    let room = max - kept.len();
                    kept.extend_from_slice(&data[..data.len().min(room)]);
                }
            }
            Some(Err(e)) => return Err(Error::network_from(TransportErrorKind::Read, e)),
        }
    }
    Ok(kept.freeze())
}

/// Settings of the async transport's default HTTP client (HTTP/1.1 over plain TCP or rustls
/// with the ring provider; HTTP/2 too with the `http2` feature), from
/// [`HyperTransport::builder`]. The proxy and TLS settings hold for every connection of the
/// transport: calls, event and turn streams, identity requests, and WebSockets opened with
/// [`ws::connect_via`](crate::ws::connect_via).
///
/// ```
/// use amigo_platform_core::transport::proxy::{NoProxy, Proxy, ProxySettings};
/// use amigo_platform_core::transport::tls::TlsRoots;
/// use std::time::Duration;
/// # let private_ca_pem = include_bytes!("../../core/tests/fixtures/doc-ca.pem");
/// let transport = amigo_platform_hyper::HyperTransport::builder()
///     .proxy(
///         ProxySettings::to(Proxy::parse("http://user:pass@proxy.internal:3128")?)
///             .no_proxy(NoProxy::parse("localhost,.internal")),
///     )
///     .tls_config(TlsRoots::bundled().with_pem(private_ca_pem)?.client_config()?)
///     .connect_timeout(Duration::from_secs(3))
///     .nodelay(true)
///     .pool_idle_timeout(Some(Duration::from_secs(30)))
///     .pool_max_idle_per_host(8)
///     .build();
/// # drop(transport);
/// # Ok::<(), amigo_platform_core::Error>(())
/// ```
#[derive(Clone)]
pub struct HyperTransportBuilder {
    connect_timeout: Duration,
    nodelay: bool,
    pool_idle_timeout: Option<Duration>,
    pool_max_idle_per_host: usize,
    max_body: usize,
    proxy: Option<ProxySettings>,
    tls: Option<Arc<rustls::ClientConfig>>,
    http2: bool,
    http2_prior_knowledge: bool,
}

impl std::fmt::Debug for HyperTransportBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HyperTransportBuilder")
            .field("connect_timeout", &self.connect_timeout)
            .field("proxy", &self.proxy)
            .field("custom_tls", &self.tls.is_some())
            .field("http2", &self.http2)
            .finish_non_exhaustive()
    }
}

impl Default for HyperTransportBuilder {
    fn default() -> Self {
        HyperTransportBuilder {
            proxy: None,
            tls: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            nodelay: false,
            pool_idle_timeout: Some(DEFAULT_POOL_IDLE_TIMEOUT),
            pool_max_idle_per_host: usize::MAX,
            max_body: DEFAULT_MAX_BODY,
            http2: true,
            http2_prior_knowledge: false,
        }
    }
}

/// How long an idle pooled connection is kept by default (90 s).
pub const DEFAULT_POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(90);

impl HyperTransportBuilder {
    amigo_platform_core::network_setters!();

    /// Sets `TCP_NODELAY` on every connection (default off).
    pub fn nodelay(mut self, on: bool) -> Self {
        self.nodelay = on;
        self
    }

    /// How long an idle pooled connection is kept (default 90 s; `None` keeps it until the
    /// server closes it).
    pub fn pool_idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.pool_idle_timeout = timeout;
        self
    }

    /// How many idle connections are kept per host (default unlimited; zero keeps none, so
    /// every request opens a connection).
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.pool_max_idle_per_host = max;
        self
    }

    /// The largest accepted response body (default [`DEFAULT_MAX_BODY`], 64 MiB).
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Offers HTTP/2 to TLS servers (ALPN `h2`, then `http/1.1`; default on). Needs the
    /// `http2` feature; without it connections speak HTTP/1.1 whatever this says.
    pub fn http2(mut self, on: bool) -> Self {
        self.http2 = on;
        self
    }

    /// Speaks HTTP/2 on every connection without negotiating it (default off): on plain
    /// `http://` that is h2c with prior knowledge, for servers known to accept it. Needs the
    /// `http2` feature; without it this does nothing.
    pub fn http2_prior_knowledge(mut self, on: bool) -> Self {
        self.http2_prior_knowledge = on;
        self
    }

    /// The transport.
    pub fn build(self) -> HyperTransport {
        let net = Network::new(self.proxy, self.tls);
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_nodelay(self.nodelay);
        let connect_timeout = (!self.connect_timeout.is_zero()).then_some(self.connect_timeout);
        tcp.set_connect_timeout(connect_timeout);
        let tcp = ProxyConnector::new(tcp, net.proxy.as_ref().clone(), connect_timeout);
        let https = HttpsConnector::from((tcp, tls_config(&net.tls, self.http2)));
        let mut client = LegacyClient::builder(hyper_util::rt::TokioExecutor::new());
        client
            .pool_idle_timeout(self.pool_idle_timeout)
            .pool_max_idle_per_host(self.pool_max_idle_per_host);
        #[cfg(feature = "http2")]
        client.http2_only(self.http2_prior_knowledge);
        let client = client.build(https);
        HyperTransport {
            client,
            max_body: self.max_body,
            net,
        }
    }
}

/// The TLS settings of the client's connections: the transport's rustls configuration, offering
/// `h2` then `http/1.1` by ALPN when HTTP/2 is built in and wanted, else `http/1.1` only.
fn tls_config(base: &rustls::ClientConfig, http2: bool) -> std::sync::Arc<rustls::ClientConfig> {
    let mut config = base.clone();
    let h2 = cfg!(feature = "http2") && http2;
    config.alpn_protocols = match h2 {
        true => vec![b"h2".to_vec(), b"http/1.1".to_vec()],
        false => vec![b"http/1.1".to_vec()],
    };
    std::sync::Arc::new(config)
}

/// Copies hyper's reason phrase (sent only when non-canonical) into the core's extension.
fn carry_reason_phrase(head: &mut http::response::Parts) {
    if let Some(reason) = head.extensions.get::<hyper::ext::ReasonPhrase>() {
        let text = String::from_utf8_lossy(reason.as_bytes()).into_owned();
        head.extensions.insert(ReasonPhrase(text));
    }
}

/// Whether an I/O error carries a rustls error (hyper-rustls wraps tokio-rustls's I/O error,
/// which wraps the rustls error).
fn tls_failure(io: &std::io::Error) -> bool {
    match io.get_ref() {
        Some(inner) if inner.is::<rustls::Error>() => true,
        Some(inner) => inner
            .downcast_ref::<std::io::Error>()
            .is_some_and(tls_failure),
        None => false,
    }
}

/// Maps a hyper client failure to the core's Network kinds.
fn client_error(e: hyper_util::client::legacy::Error) -> Error {
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
            let tls = tls_failure(io);
            kind = match io.kind() {
                _ if tls => TransportErrorKind::Tls,
                std::io::ErrorKind::ConnectionRefused => TransportErrorKind::Connect,
                std::io::ErrorKind::ConnectionReset
                | std::io::ErrorKind::ConnectionAborted
                | std::io::ErrorKind::BrokenPipe
                | std::io::ErrorKind::UnexpectedEof => TransportErrorKind::ConnectionReset,
                _ => kind,
            };
        } else if s.downcast_ref::<rustls::Error>().is_some() {
            kind = TransportErrorKind::Tls;
        } else if let Some(h) = s.downcast_ref::<hyper::Error>() {
            if h.is_incomplete_message() || h.is_closed() || h.is_canceled() {
                kind = TransportErrorKind::ConnectionReset;
            } else if h.is_parse() {
                kind = TransportErrorKind::Protocol;
            }
        }
        source = s.source();
    }
    Error::network(kind, message).with_source(e)
}

impl AsyncIo for HyperTransport {
    type Body = Incoming;

    fn send(&self, attempt: Attempt) -> impl std::future::Future<Output = Sent<Incoming>> {
        self.exchange(attempt)
    }

    async fn read(&self, body: &mut Incoming) -> Read {
        // Bounded: a body yields data frames, then trailers (skipped) and its end.
        loop {
            match body.frame().await {
                None => return Read::Eof,
                Some(Err(e)) => {
                    return Read::Failed(Error::network_from(TransportErrorKind::Read, e))
                }
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        return Read::Chunk(data);
                    }
                }
            }
        }
    }

    async fn sleep(&self, until: Instant) {
        tokio::time::sleep_until(tokio::time::Instant::from_std(until)).await
    }
}

impl DefaultTransport for HyperTransport {
    fn default_transport() -> Self {
        HyperTransport::new()
    }
}

amigo_platform_core::nonblocking_transport!(HyperTransport, SentFuture);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_offers_h2_only_with_the_http2_feature() {
        let base = amigo_platform_core::transport::tls::client_config();
        let offered = tls_config(&base, true).alpn_protocols.clone();
        let expected: Vec<&[u8]> = if cfg!(feature = "http2") {
            vec![b"h2", b"http/1.1"]
        } else {
            vec![b"http/1.1"]
        };
        assert_eq!(offered, expected);
        let off: Vec<&[u8]> = vec![b"http/1.1"];
        assert_eq!(tls_config(&base, false).alpn_protocols, off);
    }
}
