//! The blocking driver loop over the core's `OperationCall`.

use crate::sleep::{any_cancelled, sleep_until, thread_waker};
use amigo_platform_core::call::{Attempt, AttemptOutcome, OperationCall, Step, Time};
use amigo_platform_core::client::{CallContext, DefaultTransport, Transport};
use amigo_platform_core::error::TransportErrorKind;
use amigo_platform_core::PageIter;
use amigo_platform_core::{CancelToken, Error, Operation, Paginated, Response};
use bytes::Bytes;
use std::hash::{BuildHasher, Hasher};
use std::io::Read;
use std::sync::mpsc;
use std::time::Duration;
use web_time::{Instant, SystemTime};

/// The most bytes a response body may have by default (64 MiB).
pub const DEFAULT_MAX_BODY: u64 = 64 * 1024 * 1024;

/// The largest buffer reserved up front from a response's `Content-Length` (1 MiB); a larger
/// body still grows the buffer as it arrives, up to the body limit.
const PREALLOCATE_AT_MOST: u64 = 1024 * 1024;

/// Runs calls over a [`ureq::Agent`] (pooled connections, rustls).
#[derive(Clone)]
pub struct UreqTransport {
    agent: ureq::Agent,
    max_body: u64,
    /// The agent already treats every status as a response, follows no redirect, adds no
    /// `Accept-Encoding` and has no global timeout: attempts without a time limit go out
    /// without a per-request configuration.
    as_is: bool,
}

impl std::fmt::Debug for UreqTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UreqTransport")
            .field("max_body", &self.max_body)
            .finish_non_exhaustive()
    }
}

impl Default for UreqTransport {
    fn default() -> Self {
        Self::new()
    }
}

impl UreqTransport {
    /// A transport with a default agent (set up the way every attempt needs it).
    pub fn new() -> Self {
        Self::with_agent(
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .max_redirects(0)
                .max_redirects_will_error(false)
                .accept_encoding(ureq::config::AutoHeaderValue::None)
                .build()
                .new_agent(),
        )
    }

    /// A transport over a user-built agent (proxies, TLS settings). Status codes are never
    /// turned into ureq errors, whatever the agent's own setting.
    pub fn with_agent(agent: ureq::Agent) -> Self {
        let config = agent.config();
        let as_is = !config.http_status_as_error()
            && config.max_redirects() == 0
            && !config.max_redirects_will_error()
            && matches!(
                config.accept_encoding(),
                ureq::config::AutoHeaderValue::None
            )
            && config.timeouts().global.is_none();
        UreqTransport {
            agent,
            max_body: DEFAULT_MAX_BODY,
            as_is,
        }
    }

    /// The ureq agent (shared by calls, event streams and turn streams).
    pub fn agent(&self) -> &ureq::Agent {
        &self.agent
    }

    /// Sets the largest accepted response body; larger bodies fail as a Network error.
    pub fn max_body(mut self, bytes: u64) -> Self {
        self.max_body = bytes;
        self
    }

    /// Runs one call to completion.
    pub(crate) fn drive<O: Operation>(
        &self,
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
        let tokens: Vec<CancelToken> = call.cancel_tokens().to_vec();
        // A bounded loop: every Send is followed by a report, every Wait ends; the core ends
        // the call after at most max_attempts attempts.
        loop {
            match call.poll(now()) {
                Step::Send(attempt) => {
                    let outcome = self.attempt(attempt, &tokens);
                    call.handle(outcome, now());
                }
                Step::Wait(until) => sleep_until(until, &tokens),
                Step::Done(result) => return result,
            }
        }
    }

    fn attempt(&self, attempt: Attempt, tokens: &[CancelToken]) -> AttemptOutcome {
        if tokens.is_empty() {
            return send(&self.agent, self.as_is, attempt, self.max_body);
        }
        // With cancellation tokens the attempt runs on a helper thread so that a cancel can
        // return at once; the abandoned attempt ends by itself (its timeout or the server).
        let (tx, rx) = mpsc::channel();
        let agent = self.agent.clone();
        let max_body = self.max_body;
        let as_is = self.as_is;
        let waker = thread_waker();
        let main = std::thread::current();
        let spawned = std::thread::Builder::new()
            .name("amigo-attempt".into())
            .spawn(move || {
                let _ = tx.send(send(&agent, as_is, attempt, max_body));
                main.unpark();
            });
        if let Err(e) = spawned {
            return AttemptOutcome::Failed(Error::network(TransportErrorKind::Other, e));
        }
        // Released when the attempt ends, so a long-lived token keeps no waker of it.
        let _registrations: Vec<_> = tokens.iter().map(|t| t.register(&waker)).collect();
        loop {
            match rx.try_recv() {
                Ok(outcome) => return outcome,
                Err(mpsc::TryRecvError::Disconnected) => {
                    return AttemptOutcome::Failed(Error::network(
                        TransportErrorKind::Other,
                        "attempt thread ended",
                    ))
                }
                Err(mpsc::TryRecvError::Empty) => {}
            }
            if any_cancelled(tokens) {
                return AttemptOutcome::Cancelled;
            }
            std::thread::park_timeout(Duration::from_millis(50));
        }
    }
}

impl DefaultTransport for UreqTransport {
    fn default_transport() -> Self {
        UreqTransport::new()
    }
}

impl Transport for UreqTransport {
    type Sent<T: Send + 'static> = Result<T, Error>;
    type Paging<O: Paginated> = PageIter<UreqTransport, O>;

    fn execute<O: Operation>(&self, ctx: CallContext<O>) -> Result<Response<O::Output>, Error> {
        self.drive(ctx, true)
    }

    fn execute_data<O: Operation>(&self, ctx: CallContext<O>) -> Result<O::Output, Error> {
        self.drive(ctx, false).map(Response::into_data)
    }

    fn paginate<O: Paginated>(&self, ctx: CallContext<O>) -> PageIter<UreqTransport, O> {
        PageIter::new(self.clone(), ctx)
    }

    fn ready<T: Send + 'static>(result: Result<T, Error>) -> Result<T, Error> {
        result
    }

    fn then<T, U, F>(first: Result<T, Error>, next: F) -> Result<U, Error>
    where
        T: Send + 'static,
        U: Send + 'static,
        F: FnOnce(Result<T, Error>) -> Result<U, Error> + Send + 'static,
    {
        next(first)
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

/// Sends one attempt and buffers its body, mapping every failure to an outcome. `as_is`: the
/// agent's own configuration already fits (see [`UreqTransport`]).
fn send(agent: &ureq::Agent, as_is: bool, attempt: Attempt, max_body: u64) -> AttemptOutcome {
    use ureq::RequestExt;
    let request = attempt.request.map(|b| b.to_vec());
    let response = if as_is && attempt.timeout.is_none() {
        agent.run(request)
    } else {
        request
            .with_agent(agent)
            .configure()
            .http_status_as_error(false)
            .timeout_global(attempt.timeout)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .accept_encoding(ureq::config::AutoHeaderValue::None)
            .build()
            .run()
    };
    let response = match response {
        Ok(r) => r,
        Err(e) => return failure(e),
    };
    let (head, body) = response.into_parts();
    let mut reader = body.into_with_config().limit(max_body).reader();
    // Sized from Content-Length up front (a server's claim, so capped) instead of regrowing.
    let announced = head
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    let capacity = announced.min(max_body).min(PREALLOCATE_AT_MOST);
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
                _ => Error::network(TransportErrorKind::Read, e),
            };
            AttemptOutcome::BodyFailed { head, error: err }
        }
    }
}

/// Maps a ureq failure before any response to the core's outcome kinds.
pub(crate) fn failure(e: ureq::Error) -> AttemptOutcome {
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
        ureq::Error::BodyExceedsLimit(_) => TransportErrorKind::BodyTooLarge,
        _ => TransportErrorKind::Other,
    };
    AttemptOutcome::Failed(Error::network(kind, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_agent_configured_for_the_sdk_skips_per_request_configuration() {
        assert!(UreqTransport::new().as_is);
        // ureq's defaults turn statuses into errors and follow redirects.
        assert!(!UreqTransport::with_agent(ureq::Agent::new_with_defaults()).as_is);
        let with_timeout = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .accept_encoding(ureq::config::AutoHeaderValue::None)
            .timeout_global(Some(Duration::from_secs(5)))
            .build()
            .new_agent();
        assert!(!UreqTransport::with_agent(with_timeout).as_is);
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
