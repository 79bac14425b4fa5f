//! The blocking transport: ureq's I/O primitives, driven by the core's blocking loop.

use crate::builder::UreqTransportBuilder;
use crate::net::ureq_proxy;
use crate::sleep::{any_cancelled, sleep_until, thread_waker};
use crate::upload::UploadReader;
use amigo_platform_core::transport::blocking::BlockingIo;
use amigo_platform_core::transport::network::Network;
use amigo_platform_core::transport::DefaultTransport;
use amigo_platform_core::transport::Registration;
use amigo_platform_core::transport::{Attempt, AttemptOutcome, BodyLimit};
use amigo_platform_core::transport::{Read as ReadOutcome, Sent};
use amigo_platform_core::TransportErrorKind;
#[cfg(test)]
use amigo_platform_core::DEFAULT_CONNECT_TIMEOUT;
#[cfg(test)]
use amigo_platform_core::DEFAULT_TIMEOUT;
use amigo_platform_core::{CancelToken, Error};
use bytes::Bytes;
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::sync::Arc;
use std::task::{Wake, Waker};
use std::time::Duration;
use web_time::Instant;

/// The most bytes a response body may have by default (64 MiB).
pub const DEFAULT_MAX_BODY: u64 = 64 * 1024 * 1024;

/// The largest buffer reserved up front from a response's `Content-Length` (1 MiB); a larger
/// body still grows the buffer as it arrives, up to the body limit.
const PREALLOCATE_AT_MOST: u64 = 1024 * 1024;

/// The read buffer size of a kept (streamed) body.
const READ_BUF: usize = 16 * 1024;

/// Chunks a kept body's reader thread may run ahead of its consumer.
const READ_AHEAD: usize = 8;

/// Runs calls over a [`ureq::Agent`] (pooled connections, rustls).
#[derive(Clone)]
pub struct UreqTransport {
    agent: ureq::Agent,
    max_body: u64,
    /// `Some(global)`: the agent already treats every status as a response, follows no
    /// redirect and offers the codings of [`offered`], so an attempt whose time limit is the agent's
    /// global timeout goes out without a per-request configuration.
    as_is: Option<Option<Duration>>,
    /// The proxy and TLS settings of WebSockets, and of calls when `proxy_calls`.
    net: Network,
    /// Calls go through the proxies of `net` (a transport from the builder; a user-built
    /// agent keeps its own proxy settings).
    proxy_calls: bool,
}

impl std::fmt::Debug for UreqTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UreqTransport")
            .field("max_body", &self.max_body)
            .field("proxy", &self.net.proxy)
            .finish_non_exhaustive()
    }
}

impl Default for UreqTransport {
    fn default() -> Self {
        Self::new()
    }
}

impl UreqTransport {
    /// A transport with a default agent, set up the way every attempt needs it: statuses
    /// are responses, redirects are left to the core, a connect timeout of
    /// [`DEFAULT_CONNECT_TIMEOUT`](amigo_platform_core::DEFAULT_CONNECT_TIMEOUT) on every
    /// connection, the default per-attempt timeout (so
    /// that attempts with it go out without a per-request configuration), the proxy of the
    /// environment and the bundled roots. The same as `UreqTransport::builder().build()`.
    pub fn new() -> Self {
        UreqTransportBuilder::default().build()
    }

    /// Settings for the default agent: proxy, TLS roots, connect timeout, body size. For
    /// anything else, build a [`ureq::Agent`] yourself and use
    /// [`with_agent`](Self::with_agent).
    pub fn builder() -> UreqTransportBuilder {
        UreqTransportBuilder::default()
    }

    /// A transport over a user-built agent (proxies, TLS settings, its own connect timeout).
    /// Status codes are never turned into ureq errors and redirects are never followed,
    /// whatever the agent's own settings. Its WebSockets
    /// ([`ws::connect_via`](crate::ws::connect_via)) use the proxy of the environment and the
    /// bundled roots.
    pub fn with_agent(agent: ureq::Agent) -> Self {
        let config = agent.config();
        let fits = !config.http_status_as_error()
            && config.max_redirects() == 0
            && !config.max_redirects_will_error()
            && offers_the_sdk_codings(config.accept_encoding());
        let as_is = fits.then(|| config.timeouts().global);
        UreqTransport {
            agent,
            max_body: DEFAULT_MAX_BODY,
            as_is,
            net: Network::from_env(),
            proxy_calls: false,
        }
    }

    /// Calls and WebSockets go through `net`'s proxies and TLS configuration.
    pub(crate) fn with_network(mut self, net: Network) -> Self {
        self.net = net;
        self.proxy_calls = true;
        self
    }

    /// The proxy and TLS settings WebSockets opened through this transport use.
    pub(crate) fn network(&self) -> &Network {
        &self.net
    }

    /// The ureq agent (shared by calls, streams and identity requests).
    pub fn agent(&self) -> &ureq::Agent {
        &self.agent
    }

    /// Sets the largest accepted response body; larger bodies fail as a Network error.
    pub fn max_body(mut self, bytes: u64) -> Self {
        self.max_body = bytes;
        self
    }

    /// Sends one attempt. With cancellation tokens it runs on a helper thread so that a
    /// cancel returns at once; the abandoned attempt ends by itself (its timeout or the server).
    fn send_abandonable(&self, attempt: Attempt, tokens: &[CancelToken]) -> Sent<ureq::Body> {
        if tokens.is_empty() {
            return self.exchange(attempt);
        }
        let (tx, rx) = mpsc::channel();
        let this = self.clone();
        let main = std::thread::current();
        let spawned = std::thread::Builder::new()
            .name("amigo-attempt".into())
            .spawn(move || {
                let _ = tx.send(this.exchange(attempt));
                main.unpark();
            });
        if let Err(e) = spawned {
            return Sent::Outcome(AttemptOutcome::Failed(Error::network_from(
                TransportErrorKind::Other,
                e,
            )));
        }
        let waker = thread_waker();
        // Released when the attempt ends, so a long-lived token keeps no waker of it.
        let _registrations: Vec<_> = tokens.iter().map(|t| t.register(&waker)).collect();
        // Bounded by the attempt (its timeout, or the server) or a cancellation.
        loop {
            match rx.try_recv() {
                Ok(sent) => return sent,
                Err(mpsc::TryRecvError::Disconnected) => {
                    return Sent::Outcome(AttemptOutcome::Failed(Error::network(
                        TransportErrorKind::Other,
                        "attempt thread ended",
                    )))
                }
                Err(mpsc::TryRecvError::Empty) => {}
            }
            if any_cancelled(tokens) {
                return Sent::Outcome(AttemptOutcome::Cancelled);
            }
            std::thread::park_timeout(Duration::from_millis(50));
        }
    }

    /// One exchange: the response of a streaming attempt keeps its body when the attempt
    /// asks for it ([`Attempt::keeps`]); every other body is buffered.
    fn exchange(&self, mut attempt: Attempt) -> Sent<ureq::Body> {
        let (keep, streams) = (attempt.keep, attempt.streams());
        let (mut parts, bytes) = std::mem::take(&mut attempt.request).into_parts();
        let response = match &attempt.upload {
            // The shared bytes are sent as they are, never copied.
            None => self.run(&attempt, http::Request::from_parts(parts, &bytes[..])),
            Some(upload) => match UploadReader::open(upload) {
                Err(e) => return Sent::Outcome(AttemptOutcome::Failed(e)),
                Ok((mut reader, len)) => {
                    // With a known length ureq sends `Content-Length`, else it chunks.
                    if let Some(n) = len {
                        parts.headers.insert(http::header::CONTENT_LENGTH, n.into());
                    }
                    let body = ureq::SendBody::from_reader(&mut reader);
                    self.run(&attempt, http::Request::from_parts(parts, body))
                }
            },
        };
        let (head, body) = match response {
            Ok(r) => r.into_parts(),
            Err(e) => return Sent::Outcome(failure(e)),
        };
        if keep.keeps(&head) {
            return Sent::Stream(head, body);
        }
        let max_body = usize::try_from(self.max_body).unwrap_or(usize::MAX);
        let limit = BodyLimit::of(&head, streams, max_body);
        Sent::Outcome(buffer(head, body, limit))
    }

    /// Runs one request under the attempt's limits, through the transport's proxy.
    fn run<S: ureq::AsSendBody>(
        &self,
        attempt: &Attempt,
        request: http::Request<S>,
    ) -> Result<http::Response<ureq::Body>, ureq::Error> {
        use ureq::RequestExt;
        let proxy = match self.proxy_calls {
            true => ureq_proxy(&self.net, request.uri()),
            false => None,
        };
        if attempt.streams() {
            request
                .with_agent(&self.agent)
                .configure()
                .proxy(proxy.or_else(|| self.agent.config().proxy().cloned()))
                .http_status_as_error(false)
                .timeout_global(None)
                .timeout_recv_response(attempt.timeout)
                .timeout_per_read(attempt.read_timeout)
                .max_redirects(0)
                .max_redirects_will_error(false)
                // A compressed event stream is buffered by intermediaries: ask for none.
                .accept_encoding(ureq::config::AutoHeaderValue::Provided(Arc::new(
                    "identity".to_owned(),
                )))
                .build()
                .run()
        } else if self.as_is == Some(attempt.timeout) && proxy.is_none() {
            self.agent.run(request)
        } else {
            request
                .with_agent(&self.agent)
                .configure()
                .proxy(proxy.or_else(|| self.agent.config().proxy().cloned()))
                .http_status_as_error(false)
                .timeout_global(attempt.timeout)
                .max_redirects(0)
                .max_redirects_will_error(false)
                .accept_encoding(offered())
                .build()
                .run()
        }
    }
}

/// The `Accept-Encoding` of calls: `gzip` with the `gzip` feature, else none. Brotli is
/// decoded (with the `brotli` feature) but not offered: ureq's brotli reader stops at the end
/// of the brotli stream without reading the body to its end, so the connection would never go
/// back to the pool.
pub(crate) fn offered() -> ureq::config::AutoHeaderValue {
    match cfg!(feature = "gzip") {
        true => ureq::config::AutoHeaderValue::Provided(Arc::new("gzip".to_owned())),
        false => ureq::config::AutoHeaderValue::None,
    }
}

/// Whether an agent's `Accept-Encoding` setting is [`offered`].
fn offers_the_sdk_codings(value: &ureq::config::AutoHeaderValue) -> bool {
    use ureq::config::AutoHeaderValue;
    match value {
        AutoHeaderValue::Provided(v) => cfg!(feature = "gzip") && v.as_str() == "gzip",
        AutoHeaderValue::None => !cfg!(feature = "gzip"),
        AutoHeaderValue::Default => false,
    }
}

/// Buffers a body within `limit` into the outcome the core expects.
fn buffer(head: http::response::Parts, body: ureq::Body, limit: BodyLimit) -> AttemptOutcome {
    let (limit, mut reader) = match limit {
        // Past the limit, ureq's reader fails with `BodyExceedsLimit`.
        BodyLimit::Whole(n) => {
            let n = n as u64;
            (n, body.into_with_config().limit(n).reader().take(u64::MAX))
        }
        // The rest of an error body is never read; ureq then does not reuse the connection.
        BodyLimit::Head(n) => {
            let n = n as u64;
            (n, body.into_with_config().limit(u64::MAX).reader().take(n))
        }
    };
    // Sized from Content-Length up front (a server's claim, so capped) instead of regrowing.
    let announced = head
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    let capacity = announced.min(limit).min(PREALLOCATE_AT_MOST);
    let mut buf = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
    match reader.read_to_end(&mut buf) {
        Ok(_) => AttemptOutcome::Response(http::Response::from_parts(head, Bytes::from(buf))),
        Err(e) => {
            let err = match e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<ureq::Error>())
            {
                Some(ureq::Error::Timeout(_)) => return AttemptOutcome::TimedOut,
                Some(ureq::Error::BodyExceedsLimit(n)) => Error::network(
                    TransportErrorKind::BodyTooLarge,
                    format!("response body exceeds {n} bytes"),
                ),
                _ if e.kind() == std::io::ErrorKind::TimedOut => return AttemptOutcome::TimedOut,
                _ => Error::network_from(TransportErrorKind::Read, e),
            };
            AttemptOutcome::BodyFailed { head, error: err }
        }
    }
}

/// Maps a ureq failure before any response to the core's outcome kinds.
fn failure(e: ureq::Error) -> AttemptOutcome {
    let kind = match &e {
        ureq::Error::Timeout(_) => return AttemptOutcome::TimedOut,
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
            return AttemptOutcome::TimedOut
        }
        ureq::Error::HostNotFound => TransportErrorKind::Dns,
        ureq::Error::ConnectionFailed => TransportErrorKind::Connect,
        ureq::Error::Io(io) => match io.kind() {
            std::io::ErrorKind::ConnectionRefused => TransportErrorKind::Connect,
            std::io::ErrorKind::ConnectionReset
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::BrokenPipe
            | std::io::ErrorKind::UnexpectedEof => TransportErrorKind::ConnectionReset,
            _ => TransportErrorKind::Read,
        },
        ureq::Error::Protocol(_) => TransportErrorKind::Protocol,
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) => TransportErrorKind::Tls,
        ureq::Error::ConnectProxyFailed(_) => TransportErrorKind::Connect,
        ureq::Error::BodyExceedsLimit(_) => TransportErrorKind::BodyTooLarge,
        _ => TransportErrorKind::Other,
    };
    AttemptOutcome::Failed(Error::network_from(kind, e))
}

/// Resolves host names on the calling thread. ureq resolves before it looks in its connection
/// pool, and its default resolver starts a thread for every lookup made under a time limit,
/// so with the default per-attempt timeout every request would start one (a 40% slowdown on
/// loopback). The lookup is bounded by the system resolver's own timeouts instead; connecting
/// is bounded by the connect timeout.
#[derive(Debug, Default)]
pub(crate) struct InlineResolver(ureq::unversioned::resolver::DefaultResolver);

impl ureq::unversioned::resolver::Resolver for InlineResolver {
    fn resolve(
        &self,
        uri: &http::Uri,
        config: &ureq::config::Config,
        timeout: ureq::unversioned::transport::NextTimeout,
    ) -> Result<ureq::unversioned::resolver::ResolvedSocketAddrs, ureq::Error> {
        let untimed = ureq::unversioned::transport::NextTimeout {
            after: ureq::unversioned::transport::time::Duration::NotHappening,
            ..timeout
        };
        self.0.resolve(uri, config, untimed)
    }
}

/// What a kept body's reader thread (or a cancel) sends to the driver.
enum Msg {
    Chunk(Bytes),
    Eof,
    Failed(Error),
    /// A token was cancelled: poll the machine again.
    Wake,
}

struct ChannelWaker(SyncSender<Msg>);

impl Wake for ChannelWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        // A full channel already has something to wake the reader with.
        let _ = self.0.try_send(Msg::Wake);
    }
}

/// A kept body, read on a helper thread so that read deadlines and cancellation never wait
/// on a blocked socket read (its registrations wake a blocked read when a token fires). The
/// channel is bounded: a slow consumer stalls the reader.
pub struct KeptBody {
    rx: Receiver<Msg>,
    alive: Arc<AtomicBool>,
    _registrations: Vec<Registration>,
}

impl KeptBody {
    fn start(body: ureq::Body, tokens: &[CancelToken]) -> Result<KeptBody, Error> {
        let (tx, rx) = mpsc::sync_channel(READ_AHEAD);
        let alive = Arc::new(AtomicBool::new(true));
        let waker = Waker::from(Arc::new(ChannelWaker(tx.clone())));
        let running = alive.clone();
        std::thread::Builder::new()
            .name("amigo-body".into())
            .spawn(move || {
                let mut reader = body.into_with_config().limit(u64::MAX).reader();
                let mut buf = vec![0u8; READ_BUF];
                while running.load(Ordering::SeqCst) {
                    let msg = match reader.read(&mut buf) {
                        Ok(0) => Msg::Eof,
                        Ok(n) => Msg::Chunk(Bytes::copy_from_slice(&buf[..n])),
                        Err(e) => Msg::Failed(Error::network_from(TransportErrorKind::Read, e)),
                    };
                    let last = !matches!(msg, Msg::Chunk(_));
                    if tx.send(msg).is_err() || last {
                        return;
                    }
                }
            })
            .map_err(|e| Error::network_from(TransportErrorKind::Other, e))?;
        Ok(KeptBody {
            rx,
            alive,
            _registrations: tokens.iter().map(|t| t.register(&waker)).collect(),
        })
    }

    /// The next message, or `Wake` when `until` passed first.
    fn read(&self, until: Option<Instant>) -> Msg {
        let received = match until {
            Some(at) => self
                .rx
                .recv_timeout(at.saturating_duration_since(Instant::now())),
            None => self.rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        match received {
            Ok(msg) => msg,
            Err(RecvTimeoutError::Timeout) => Msg::Wake,
            Err(RecvTimeoutError::Disconnected) => Msg::Eof,
        }
    }
}

impl Drop for KeptBody {
    fn drop(&mut self) {
        // The reader stops at its next read (bounded by the attempt's read timeout).
        self.alive.store(false, Ordering::SeqCst);
    }
}

impl BlockingIo for UreqTransport {
    type Body = KeptBody;

    fn send(&self, attempt: Attempt, cancel: &[CancelToken]) -> Sent<KeptBody> {
        match self.send_abandonable(attempt, cancel) {
            Sent::Outcome(o) => Sent::Outcome(o),
            Sent::Stream(head, body) => match KeptBody::start(body, cancel) {
                Ok(kept) => Sent::Stream(head, kept),
                Err(e) => Sent::Outcome(AttemptOutcome::Failed(e)),
            },
        }
    }

    fn read(&self, kept: &mut KeptBody, until: Option<Instant>, _: &[CancelToken]) -> ReadOutcome {
        match kept.read(until) {
            Msg::Chunk(c) => ReadOutcome::Chunk(c),
            Msg::Eof => ReadOutcome::Eof,
            Msg::Failed(e) => ReadOutcome::Failed(e),
            Msg::Wake => ReadOutcome::Nothing,
        }
    }

    fn sleep(&self, until: Instant, cancel: &[CancelToken]) {
        sleep_until(until, cancel);
    }
}

amigo_platform_core::blocking_transport!(UreqTransport);

impl DefaultTransport for UreqTransport {
    fn default_transport() -> Self {
        UreqTransport::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_agent_configured_for_the_sdk_skips_per_request_configuration() {
        let default = UreqTransport::new();
        assert_eq!(default.as_is, Some(Some(DEFAULT_TIMEOUT)));
        // Every connection has a connect timeout by default.
        let timeouts = default.agent().config().timeouts();
        assert_eq!(timeouts.connect, Some(DEFAULT_CONNECT_TIMEOUT));
        // ureq's defaults turn statuses into errors and follow redirects.
        assert_eq!(
            UreqTransport::with_agent(ureq::Agent::new_with_defaults()).as_is,
            None
        );
        let with_timeout = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .accept_encoding(offered())
            .timeout_global(Some(Duration::from_secs(5)))
            .build()
            .new_agent();
        let t = UreqTransport::with_agent(with_timeout);
        assert_eq!(t.as_is, Some(Some(Duration::from_secs(5))));
    }

    #[test]
    fn calls_under_a_scope_token_leave_it_with_no_registration() {
        use amigo_platform_api::ApiExt;
        use amigo_platform_core::{Config, RequestOptions};
        // A port nothing listens on: every attempt fails at once (and is not retried).
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let config = Config::builder()
            .api_key("sk-test")
            .workspace_id("ws-test")
            .base_url(format!("http://127.0.0.1:{port}"))
            .max_attempts(1)
            .build()
            .expect("config");
        let client = crate::Client::new(config);
        let token = CancelToken::new();
        let scoped = client.with_options(RequestOptions::new().cancel_token(token.clone()));
        for _ in 0..1_000 {
            assert!(scoped.api().agents().list().send().is_err());
        }
        assert_eq!(token.registrations(), 0);
        // From many threads (each has its own waker).
        std::thread::scope(|s| {
            for _ in 0..50 {
                s.spawn(|| assert!(scoped.api().agents().list().send().is_err()));
            }
        });
        assert_eq!(token.registrations(), 0);
        assert!(!token.is_cancelled());
    }
}
