//! The turn stream: one POST, typed frames, never reconnected.

use std::collections::VecDeque;
use std::time::Duration;

use bytes::Bytes;
use http::{header, Method};
use serde::Serialize;
use serde_json::Value;
use web_time::Instant;

use super::typed::TurnEventKind;
use super::{streams_body, SseDecoder, SseItem};
use crate::call::attempt::AttemptOutcome;
use crate::call::body::Body;
use crate::call::operation::{Operation, RequestParts};
use crate::call::options::RequestOptions;
use crate::call::query::Query;
use crate::call::retry::{Call, Machine, Step, Time};
use crate::cancel::CancelToken;
use crate::client::CallContext;
use crate::config::Config;
use crate::error::{Error, ErrorKind, TimeoutScope};

/// A typed turn-stream event (the discriminator is the SSE event name).
pub type TurnEvent = TurnEventKind;

/// A turn body: anything that serializes to the `TurnRequest` JSON object, such as the
/// generated model (`amigo_platform_api::models::TurnRequest`) or a `serde_json::Value`.
/// Implemented for every `serde::Serialize` type, so that
/// transports can name the bound without depending on `serde`.
pub trait TurnBody {
    /// The JSON encoding of the body.
    fn to_json(&self) -> Result<Bytes, Error>;
}

impl<T: Serialize + ?Sized> TurnBody for T {
    fn to_json(&self) -> Result<Bytes, Error> {
        serde_json::to_vec(self)
            .map(Bytes::from)
            .map_err(|e| Error::config(format!("cannot encode the turn request: {e}")))
    }
}

/// `POST /v1/{workspace_id}/conversations/{conversation_id}/turns/stream` as an operation value
/// (the transport-level helpers' operation; the generated surface uses its own).
#[derive(Debug, Clone)]
pub struct TurnStreamOp {
    /// The conversation.
    pub conversation_id: String,
    /// The JSON body, already encoded.
    pub body: Bytes,
    /// `include_tool_calls`, forwarded only when set.
    pub include_tool_calls: Option<bool>,
}

impl TurnStreamOp {
    /// Encodes `body` (the generated `TurnRequest` model or any serializable equivalent).
    pub fn new<B: TurnBody + ?Sized>(
        conversation_id: impl Into<String>,
        body: &B,
    ) -> Result<Self, Error> {
        Ok(TurnStreamOp {
            conversation_id: conversation_id.into(),
            body: body.to_json()?,
            include_tool_calls: None,
        })
    }

    /// Sets `include_tool_calls`.
    pub fn include_tool_calls(mut self, on: bool) -> Self {
        self.include_tool_calls = Some(on);
        self
    }
}

impl Operation for TurnStreamOp {
    type Output = ();
    fn method(&self) -> Method {
        Method::POST
    }
    fn path_template(&self) -> &str {
        "/v1/{workspace_id}/conversations/{conversation_id}/turns/stream"
    }
    fn operation_id(&self) -> &str {
        "stream-turn"
    }
    fn accept(&self) -> &'static str {
        "text/event-stream"
    }
    fn parts(&self) -> Result<RequestParts, Error> {
        let mut query = Query::new();
        if let Some(on) = self.include_tool_calls {
            query.push("include_tool_calls", on);
        }
        Ok(RequestParts::new()
            .path("conversation_id", &self.conversation_id)
            .query(query)
            .body(Body::Json(self.body.clone())))
    }
    fn parse(&self, _response: http::Response<Bytes>) -> Result<(), Error> {
        Ok(())
    }
}

/// What the driver of a [`TurnSession`] must do next: the shared [`Step`] with typed
/// [`TurnEvent`] items; `Done(Ok(()))` after a `done`/`error` frame and the end of the body.
///
/// The request is a streaming `Send`; `Wait` is a 429 `Retry-After` before any body;
/// `Read(until)` carries the overall deadline (poll again when it passes).
pub type TurnStep = Step<TurnEvent, Result<(), Error>>;

#[allow(clippy::large_enum_variant)]
enum Phase {
    Request(Call),
    Open,
    Finished,
}

/// The sans-IO turn stream: a request phase (the [`Call`] machine, so the HTTP-core POST
/// rule applies) followed by decoding. Never reconnects or re-posts.
pub struct TurnSession {
    phase: Result<Phase, Option<Error>>,
    decoder: SseDecoder,
    out: VecDeque<TurnEvent>,
    result: Option<Result<(), Error>>,
    ended_by_frame: bool,
    deadline: Option<(Instant, Duration)>,
    /// When the open stream ends for want of data (set when it opens, moved by every chunk).
    idle_at: Option<Instant>,
    cancel: Vec<CancelToken>,
}

impl std::fmt::Debug for TurnSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TurnSession")
            .field("ended_by_frame", &self.ended_by_frame)
            .finish_non_exhaustive()
    }
}

/// How long an open turn stream may go without a byte before it ends as interrupted (a
/// server that stops mid-turn never hangs the stream).
pub const TURN_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

fn interrupted(cause: &str) -> Error {
    Error::other(
        ErrorKind::Stream,
        Some("stream_interrupted"),
        format!("Turn stream interrupted: {cause}"),
    )
    .with_retryable(true)
}

impl TurnSession {
    /// Prepares the streaming form of `op` (any operation posting a turn: [`TurnStreamOp`], the
    /// generated `create_turn_stream` or `create_turn`), always with
    /// `Accept: text/event-stream`. Build errors surface from the first poll, before anything
    /// is sent. The overall deadline starts now.
    pub fn new<O: Operation>(
        op: O,
        config: &Config,
        options: &RequestOptions,
        base_url: Option<&str>,
        seed: u64,
        time: Time,
    ) -> TurnSession {
        let deadline = options
            .deadline
            .or(config.deadline())
            .filter(|d| !d.is_zero())
            .and_then(|d| time.now.checked_add(d).map(|at| (at, d)));
        let phase = super::prepare_stream(&op, config, options, base_url)
            .map(|req| {
                let read_timeout = Some(
                    deadline.map_or(TURN_IDLE_TIMEOUT, |(_, total)| total.min(TURN_IDLE_TIMEOUT)),
                );
                Phase::Request(Call::new(req, config, options, seed, time).streaming(read_timeout))
            })
            .map_err(Some);
        TurnSession {
            phase,
            decoder: SseDecoder::new(),
            out: VecDeque::new(),
            result: None,
            ended_by_frame: false,
            deadline,
            idle_at: None,
            cancel: options.cancel.clone(),
        }
    }

    /// The streaming form of a call: its operation under its merged options (client scope,
    /// resource scope, per-call headers, timeout, deadline, cancel tokens) and base URL.
    pub fn from_call<O: Operation>(ctx: CallContext<O>, seed: u64, time: Time) -> TurnSession {
        TurnSession::new(
            ctx.op,
            &ctx.config,
            &ctx.options,
            ctx.base_url.as_deref(),
            seed,
            time,
        )
    }

    /// A session that sends nothing and ends with `error` at its first poll (for a request
    /// that could not be built, such as a body that does not encode).
    pub fn failed(error: Error) -> TurnSession {
        TurnSession {
            phase: Err(Some(error)),
            decoder: SseDecoder::new(),
            out: VecDeque::new(),
            result: None,
            ended_by_frame: false,
            deadline: None,
            idle_at: None,
            cancel: Vec::new(),
        }
    }

    /// The overall deadline, which bounds the whole stream (drivers may bound reads by it).
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline.map(|(at, _)| at)
    }

    /// The cancellation tokens (drivers watch them during I/O and sleeps).
    pub fn cancel_tokens(&self) -> &[CancelToken] {
        &self.cancel
    }

    fn finish(&mut self, r: Result<(), Error>) {
        if self.result.is_none() {
            self.result = Some(r);
        }
        self.phase = Ok(Phase::Finished);
    }

    /// Asks what to do next.
    pub fn poll(&mut self, time: Time) -> TurnStep {
        if let Some(ev) = self.out.pop_front() {
            return Step::Item(ev);
        }
        let phase = match &mut self.phase {
            Ok(p) => p,
            Err(e) => {
                let e = e.take();
                self.phase = Ok(Phase::Finished);
                return Step::Done(e.map_or(Ok(()), Err));
            }
        };
        match phase {
            Phase::Finished => Step::Done(self.result.take().unwrap_or(Ok(()))),
            Phase::Open => {
                if self.cancel.iter().any(CancelToken::is_cancelled) {
                    self.finish(Err(Error::cancelled()));
                    return self.poll(time);
                }
                let idle_at = *self.idle_at.get_or_insert(time.now + TURN_IDLE_TIMEOUT);
                match self.deadline {
                    Some((at, total)) if time.now >= at => {
                        self.finish(Err(Error::timeout(total, TimeoutScope::Deadline)));
                        self.poll(time)
                    }
                    _ if time.now >= idle_at => {
                        let secs = TURN_IDLE_TIMEOUT.as_secs();
                        self.finish(Err(interrupted(&format!("no data for {secs} s"))));
                        self.poll(time)
                    }
                    d => Step::Read(Some(d.map_or(idle_at, |(at, _)| at.min(idle_at)))),
                }
            }
            Phase::Request(call) => {
                match call.poll(time) {
                    Step::Send(a) => Step::Send(a),
                    Step::Refresh(r) => Step::Refresh(r),
                    Step::Wait(i) => Step::Wait(i),
                    Step::Read(_) | Step::Item(_) => {
                        Step::Done(Err(Error::driver("the request machine asked for a read")))
                    }
                    Step::Done(Err(e)) => {
                        self.finish(Err(e));
                        self.poll(time)
                    }
                    Step::Done(Ok(resp)) => {
                        let (head, body) = resp.into_parts();
                        if streams_body(&head) {
                            self.phase = Ok(Phase::Open);
                        } else {
                            let ct = head
                                .headers
                                .get(header::CONTENT_TYPE)
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or("none")
                                .to_owned();
                            self.finish(Err(Error::decode(
                            format!("Expected a text/event-stream response, got content type `{ct}`"),
                            None,
                            head.status.as_u16(),
                            &body,
                        )));
                        }
                        self.poll(time)
                    }
                }
            }
        }
    }

    /// Reports how the request ended without a streamed body (failure, timeout, cancellation,
    /// or a buffered response).
    pub fn handle_outcome(&mut self, outcome: AttemptOutcome, time: Time) {
        if let Ok(Phase::Request(call)) = &mut self.phase {
            call.handle_outcome(outcome, time);
        }
    }

    /// Reports how the last `Refresh` step ended.
    pub fn handle_refresh(&mut self, result: Result<(), Error>, time: Time) {
        if let Ok(Phase::Request(call)) = &mut self.phase {
            call.handle_refresh(result, time);
        }
    }

    /// Reports the head of a 2xx `text/event-stream` response.
    pub fn handle_head(&mut self, head: http::response::Parts, time: Time) {
        self.handle_outcome(
            AttemptOutcome::Response(http::Response::from_parts(head, Bytes::new())),
            time,
        );
    }

    /// Feeds one chunk of the body.
    pub fn handle_chunk(&mut self, chunk: &[u8], time: Time) {
        if !matches!(self.phase, Ok(Phase::Open)) {
            return;
        }
        if !chunk.is_empty() {
            self.idle_at = Some(time.now + TURN_IDLE_TIMEOUT);
        }
        self.decoder.feed(chunk);
        while let Some(item) = self.decoder.next_frame() {
            match item {
                Ok(SseItem::Event(ev)) => {
                    let Some(name) = ev.event.as_deref() else {
                        continue;
                    };
                    if !TurnEventKind::is_known(name) {
                        continue;
                    }
                    let Ok(Value::Object(data)) = serde_json::from_str::<Value>(&ev.data) else {
                        continue;
                    };
                    let event = TurnEventKind::decode(name, &data);
                    if matches!(event, TurnEventKind::Done(_) | TurnEventKind::Error(_)) {
                        self.ended_by_frame = true;
                    }
                    self.out.push_back(event);
                }
                Ok(_) => {}
                Err(e) => {
                    self.finish(Err(interrupted(&e.to_string())));
                    return;
                }
            }
        }
    }

    /// Reports the end of the body.
    pub fn handle_eof(&mut self, _time: Time) {
        if matches!(self.phase, Ok(Phase::Open)) {
            self.decoder.finish();
            if self.ended_by_frame {
                self.finish(Ok(()));
            } else {
                self.finish(Err(interrupted(
                    "the stream ended before a done or error event",
                )));
            }
        }
    }

    /// Reports a read failure; after a `done`/`error` frame the turn is complete and the
    /// stream ends normally.
    pub fn handle_read_error(&mut self, error: Error, _time: Time) {
        if matches!(self.phase, Ok(Phase::Open)) {
            if self.ended_by_frame {
                self.finish(Ok(()));
            } else {
                self.finish(Err(interrupted(error.message())));
            }
        }
    }
}

impl Machine for TurnSession {
    type Item = TurnEvent;
    type Output = Result<(), Error>;
    fn poll(&mut self, time: Time) -> TurnStep {
        TurnSession::poll(self, time)
    }
    fn handle_outcome(&mut self, outcome: AttemptOutcome, time: Time) {
        TurnSession::handle_outcome(self, outcome, time)
    }
    fn handle_head(&mut self, head: http::response::Parts, time: Time) {
        TurnSession::handle_head(self, head, time)
    }
    fn handle_chunk(&mut self, chunk: &[u8], time: Time) {
        TurnSession::handle_chunk(self, chunk, time)
    }
    fn handle_eof(&mut self, time: Time) {
        TurnSession::handle_eof(self, time)
    }
    fn handle_read_error(&mut self, error: Error, time: Time) {
        TurnSession::handle_read_error(self, error, time)
    }
    fn handle_refresh(&mut self, result: Result<(), Error>, time: Time) {
        TurnSession::handle_refresh(self, result, time)
    }
    fn cancel_tokens(&self) -> &[CancelToken] {
        TurnSession::cancel_tokens(self)
    }
}
