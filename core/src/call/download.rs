//! Streamed downloads: [`DownloadCall`], the machine that runs the usual call (retries,
//! redirects, credentials, refresh, hooks) up to a 2xx head and then hands the body over chunk
//! by chunk, never buffering it; what it yields ([`DownloadItem`], [`DownloadHead`]); its
//! options ([`DownloadOptions`]); the [`Progress`] a download reports; and the
//! [`DownloadTransport`] trait the transports implement.
//!
//! Once body bytes have been delivered nothing is retried: a failed read ends the download
//! with a `Network` error. The attempt timeout covers the head; each read waits at most the
//! read timeout; the call's deadline, if any, bounds the whole download; a cancel token ends it
//! with `Cancelled`.

use crate::call::attempt::{AttemptOutcome, KeepBody};
use crate::call::operation::Operation;
use crate::call::request::prepare;
use crate::call::response::ResponseMeta;
use crate::call::retry::Call;
use crate::cancel::CancelToken;
use crate::client::{CallContext, Transport};
use crate::error::{Error, ErrorContext, TimeoutScope, TransportErrorKind};
use crate::machine::{Machine, Step};
use crate::time::Time;
use bytes::Bytes;
use std::time::Duration;
use web_time::Instant;

/// The longest one read of a download's body waits for data by default (60 s).
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(60);

/// Options of a streamed download, layered over the call's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DownloadOptions {
    read_timeout: Option<Duration>,
}

impl Default for DownloadOptions {
    fn default() -> Self {
        DownloadOptions::new()
    }
}

impl DownloadOptions {
    /// The defaults: a read timeout of [`DEFAULT_READ_TIMEOUT`].
    pub fn new() -> Self {
        DownloadOptions {
            read_timeout: Some(DEFAULT_READ_TIMEOUT),
        }
    }

    /// The longest one read of the body may wait for data; zero disables the limit (the
    /// call's deadline still bounds the download).
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = (!timeout.is_zero()).then_some(timeout);
        self
    }
}

/// The head of a download's 2xx response.
#[derive(Debug, Clone)]
pub struct DownloadHead {
    /// Status, headers, request id and rate limits.
    pub meta: ResponseMeta,
    /// The body's length, when the server announced it (`Content-Length`).
    pub content_length: Option<u64>,
    /// The media type (`Content-Type`), when present.
    pub content_type: Option<String>,
}

impl DownloadHead {
    fn of(meta: ResponseMeta) -> DownloadHead {
        let header = |name| meta.headers.get(name).and_then(|v| v.to_str().ok());
        let content_length =
            header(http::header::CONTENT_LENGTH).and_then(|v| v.trim().parse::<u64>().ok());
        let content_type = header(http::header::CONTENT_TYPE).map(str::to_owned);
        DownloadHead {
            meta,
            content_length,
            content_type,
        }
    }
}

/// What a [`DownloadCall`] yields: its head once, then the body's chunks.
#[derive(Debug)]
pub enum DownloadItem {
    /// The 2xx response head (always the first item).
    Head(DownloadHead),
    /// The next bytes of the body.
    Chunk(Bytes),
}

/// How far a download has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Bytes delivered so far.
    pub done: u64,
    /// The body's length, when known.
    pub total: Option<u64>,
}

/// Counts a download's bytes and reports them to an optional callback: after every chunk,
/// and once at the end when no chunk was reported (an empty body), so the last report of a
/// complete download has `done == total`.
pub struct ProgressMeter<F: ?Sized> {
    progress: Progress,
    reported: bool,
    callback: Option<Box<F>>,
}

impl<F: ?Sized> std::fmt::Debug for ProgressMeter<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProgressMeter")
            .field("progress", &self.progress)
            .field("callback", &self.callback.is_some())
            .finish()
    }
}

impl<F: ?Sized + FnMut(Progress)> ProgressMeter<F> {
    /// A meter for a body of `total` bytes (when known), without a callback.
    pub fn new(total: Option<u64>) -> Self {
        ProgressMeter {
            progress: Progress { done: 0, total },
            reported: false,
            callback: None,
        }
    }

    /// Sets the callback.
    pub fn set(&mut self, callback: Box<F>) {
        self.callback = Some(callback);
    }

    /// The progress so far.
    pub fn progress(&self) -> Progress {
        self.progress
    }

    /// Counts `n` more bytes and reports them.
    pub fn advance(&mut self, n: usize) {
        self.progress.done = self.progress.done.saturating_add(n as u64);
        self.report();
    }

    /// Reports the end, unless a chunk was reported already.
    pub fn finish(&mut self) {
        if !self.reported {
            self.report();
        }
    }

    fn report(&mut self) {
        self.reported = true;
        if let Some(callback) = self.callback.as_mut() {
            callback(self.progress);
        }
    }
}

enum State {
    Calling,
    Body { read_until: Option<Instant> },
    Finished,
}

/// The download machine: a [`Call`] whose 2xx body is kept ([`KeepBody::Success`]) and
/// handed out as [`DownloadItem::Chunk`]s. Non-2xx answers are the call's usual errors (their
/// bodies capped), after its usual retries and redirects.
pub struct DownloadCall {
    call: Result<Call, Option<Error>>,
    state: State,
    read_timeout: Option<Duration>,
    /// The head arrived as a kept body (otherwise the transport buffered it whole).
    kept: bool,
    received: u64,
    length: Option<u64>,
    pending: Option<Bytes>,
    end: Option<Result<(), Error>>,
    cancel: Vec<CancelToken>,
}

impl std::fmt::Debug for DownloadCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DownloadCall")
            .field("call", &self.call.as_ref().ok())
            .field("received", &self.received)
            .field("length", &self.length)
            .finish_non_exhaustive()
    }
}

impl DownloadCall {
    /// A download of what `ctx`'s operation answers. Build errors surface from the first
    /// poll, before anything is sent.
    pub fn from_context<O: Operation>(
        ctx: CallContext<O>,
        options: DownloadOptions,
        seed: u64,
        time: Time,
    ) -> DownloadCall {
        let cancel = ctx.options.cancel.clone();
        let call = prepare(&ctx.op, &ctx.config, &ctx.options, ctx.base_url.as_deref())
            .map(|req| {
                Call::new(req, &ctx.config, &ctx.options, seed, time)
                    .keeping(KeepBody::Success, options.read_timeout)
            })
            .map_err(Some);
        DownloadCall {
            call,
            state: State::Calling,
            read_timeout: options.read_timeout,
            kept: false,
            received: 0,
            length: None,
            pending: None,
            end: None,
            cancel,
        }
    }

    fn context(&self) -> Option<ErrorContext> {
        self.call.as_ref().ok().map(Call::context)
    }

    fn fail(&mut self, error: Error) -> Result<(), Error> {
        Err(match self.context() {
            Some(context) => error.with_context(context),
            None => error,
        })
    }

    fn poll_call(&mut self, time: Time) -> Step<DownloadItem, Result<(), Error>> {
        let call = match &mut self.call {
            Ok(call) => call,
            Err(e) => {
                self.state = State::Finished;
                return Step::Done(Err(e
                    .take()
                    .unwrap_or_else(|| Error::driver("the download has already finished"))));
            }
        };
        match call.poll(time) {
            Step::Send(attempt) => Step::Send(attempt),
            Step::Refresh(refresh) => Step::Refresh(refresh),
            Step::Read(until) => Step::Read(until),
            Step::Wait(until) => Step::Wait(until),
            Step::Item(never) => match never {},
            Step::Done(Err(e)) => {
                self.state = State::Finished;
                Step::Done(Err(e))
            }
            Step::Done(Ok(resp)) => {
                let (head, body) = resp.into_parts();
                let head =
                    DownloadHead::of(ResponseMeta::new(head.status, head.headers, time.wall));
                self.length = head.content_length;
                self.state = State::Body { read_until: None };
                if !self.kept {
                    // A transport that cannot keep bodies buffered it: hand it out whole.
                    self.received = body.len() as u64;
                    self.pending = (!body.is_empty()).then_some(body);
                    self.end = Some(Ok(()));
                }
                Step::Item(DownloadItem::Head(head))
            }
        }
    }

    fn poll_body(&mut self, time: Time) -> Step<DownloadItem, Result<(), Error>> {
        if self.cancel.iter().any(CancelToken::is_cancelled) {
            self.state = State::Finished;
            return Step::Done(self.fail(Error::cancelled()));
        }
        let deadline = self.call.as_ref().ok().and_then(Call::deadline);
        if let Some((at, total)) = deadline {
            if time.now >= at {
                self.state = State::Finished;
                return Step::Done(self.fail(Error::timeout(total, TimeoutScope::Deadline)));
            }
        }
        let read_timeout = self.read_timeout;
        let State::Body { read_until } = &mut self.state else {
            return Step::Done(Err(Error::driver("the download is not reading")));
        };
        let idle_at = match (*read_until, read_timeout) {
            (Some(at), _) => Some(at),
            (None, Some(t)) => time.now.checked_add(t),
            (None, None) => None,
        };
        *read_until = idle_at;
        if let (Some(at), Some(t)) = (idle_at, read_timeout) {
            if time.now >= at {
                self.state = State::Finished;
                let error = Error::timeout(t, TimeoutScope::Attempt)
                    .with_message(format!("no body data for {t:?}"));
                return Step::Done(self.fail(error));
            }
        }
        let until = match (idle_at, deadline) {
            (Some(a), Some((b, _))) => Some(a.min(b)),
            (a, d) => a.or(d.map(|(b, _)| b)),
        };
        Step::Read(until)
    }
}

impl Machine for DownloadCall {
    type Item = DownloadItem;
    type Output = Result<(), Error>;

    fn poll(&mut self, time: Time) -> Step<DownloadItem, Result<(), Error>> {
        if let Some(chunk) = self.pending.take() {
            return Step::Item(DownloadItem::Chunk(chunk));
        }
        if let Some(end) = self.end.take() {
            self.state = State::Finished;
            return Step::Done(end);
        }
        match self.state {
            State::Calling => self.poll_call(time),
            State::Body { .. } => self.poll_body(time),
            State::Finished => Step::Done(Err(Error::driver("the download has already finished"))),
        }
    }

    fn handle_outcome(&mut self, outcome: AttemptOutcome, time: Time) {
        if let (State::Calling, Ok(call)) = (&self.state, &mut self.call) {
            call.handle_outcome(outcome, time);
        }
    }

    fn handle_head(&mut self, head: http::response::Parts, time: Time) {
        if let (State::Calling, Ok(call)) = (&self.state, &mut self.call) {
            self.kept = true;
            call.handle_head(head, time);
        }
    }

    fn handle_chunk(&mut self, chunk: &[u8], time: Time) {
        self.handle_data(Bytes::copy_from_slice(chunk), time);
    }

    fn handle_data(&mut self, chunk: Bytes, _time: Time) {
        if let State::Body { read_until } = &mut self.state {
            *read_until = None;
            self.received = self.received.saturating_add(chunk.len() as u64);
            if !chunk.is_empty() {
                self.pending = Some(chunk);
            }
        }
    }

    fn handle_eof(&mut self, _time: Time) {
        if !matches!(self.state, State::Body { .. }) {
            return;
        }
        let end = match self.length {
            Some(n) if self.received != n => self.fail(Error::network(
                TransportErrorKind::ConnectionReset,
                format!("the body ended after {} of its {n} bytes", self.received),
            )),
            _ => Ok(()),
        };
        self.end = Some(end);
    }

    fn handle_read_error(&mut self, error: Error, _time: Time) {
        if matches!(self.state, State::Body { .. }) {
            let end = self.fail(error);
            self.end = Some(end);
        }
    }

    fn handle_refresh(&mut self, result: Result<(), Error>, time: Time) {
        if let (State::Calling, Ok(call)) = (&self.state, &mut self.call) {
            call.handle_refresh(result, time);
        }
    }

    fn cancel_tokens(&self) -> &[CancelToken] {
        &self.cancel
    }
}

/// A transport that streams downloads: implemented by
/// [`blocking_transport!`](crate::blocking_transport) and
/// [`nonblocking_streams!`](crate::nonblocking_streams).
pub trait DownloadTransport: Transport {
    /// What starting a download gives: `Result<Download, Error>` once the head arrived
    /// (blocking), or a future of it (async).
    type Download;

    /// Drives a download machine up to its head.
    fn drive_download(&self, download: DownloadCall) -> Self::Download;

    /// Runs a call's context as a streamed download, with `options` layered over the call's.
    fn download<O: Operation>(
        &self,
        ctx: CallContext<O>,
        options: DownloadOptions,
    ) -> Self::Download {
        self.drive_download(DownloadCall::from_context(
            ctx,
            options,
            Self::seed(),
            Time::system(),
        ))
    }
}

#[cfg(test)]
mod tests;
