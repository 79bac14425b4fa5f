//! Workspace events in the browser: the core's [`SseSession`] fed from a `fetch` body's
//! `ReadableStream`, with reconnect, `Last-Event-ID` resume and the idle watchdog.
//!
//! [`stream_turn`] posts a turn and streams its events the same way (never reconnected).
//!
//! [`subscribe`] starts a local task and returns a [`Subscription`], a `futures_core::Stream`
//! of [`StreamItem`]s. Dropping the subscription (or [`Subscription::close`]) aborts the open
//! `fetch` and ends the task.
//!
//! [`WasmTransport`] implements the core's [`StreamTransport`] with these same drivers, which is
//! how the generated surface's `.stream()` (`client.api().events().subscribe_to_workspace()
//! .stream()`, `client.api().conversations().stream_turn(id, body).stream()`) runs in the
//! browser, with the call's scope and per-call options. The helpers above are thin entry points
//! over the same path and apply the client's scope (`client.with_options(..)`) too.

use crate::fetch::{now, read_all, seed, start, AbortOnDrop, WasmTransport};
use crate::timer::{self, race, sleep, sleep_opt, Either};
use amigo_platform_core::call::{Attempt, AttemptOutcome};
use amigo_platform_core::cancel::Cancelled;
use amigo_platform_core::client::CallContext;
use amigo_platform_core::error::TransportErrorKind;
use amigo_platform_core::sse::{
    streams_body, EventStreamOp, SseOptions, SseSession, SseStep, TurnBody, TurnEvent, TurnSession,
    TurnStep, TurnStreamOp, WorkspaceEvent,
};
use amigo_platform_core::{CancelToken, Client, Error, Operation, StreamTransport};
use js_sys::{Reflect, Uint8Array};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, ReadableStreamDefaultReader};

/// The largest non-stream (error) body read on a connect.
const MAX_ERROR_BODY: usize = 1024 * 1024;

pub use amigo_platform_core::sse::StreamItem;

/// A single-threaded queue from a driver task to its consumer.
struct Feed<T> {
    items: VecDeque<T>,
    ended: bool,
    waker: Option<Waker>,
}

impl<T> Feed<T> {
    fn new() -> Rc<RefCell<Feed<T>>> {
        Rc::new(RefCell::new(Feed {
            items: VecDeque::new(),
            ended: false,
            waker: None,
        }))
    }

    /// Queues an item, or ends the feed with `None`, and wakes the consumer.
    fn push(feed: &Rc<RefCell<Feed<T>>>, item: Option<T>) {
        let mut q = feed.borrow_mut();
        match item {
            Some(i) => q.items.push_back(i),
            None => q.ended = true,
        }
        if let Some(w) = q.waker.take() {
            w.wake();
        }
    }

    fn poll(feed: &Rc<RefCell<Feed<T>>>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let mut q = feed.borrow_mut();
        if let Some(item) = q.items.pop_front() {
            return Poll::Ready(Some(item));
        }
        if q.ended {
            return Poll::Ready(None);
        }
        q.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}

type Queue = Feed<Result<StreamItem, Error>>;
type TurnQueue = Feed<Result<TurnEvent, Error>>;

/// A live workspace subscription; a `Stream` of items that ends after a terminal error.
pub struct Subscription {
    queue: Rc<RefCell<Queue>>,
    close: CancelToken,
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription").finish_non_exhaustive()
    }
}

impl Subscription {
    /// Ends the subscription: the connection is aborted and the stream ends.
    pub fn close(&self) {
        self.close.cancel();
    }

    /// The next item, or `None` at the end.
    pub async fn next_item(&mut self) -> Option<Result<StreamItem, Error>> {
        std::future::poll_fn(|cx| self.poll_item(cx)).await
    }

    /// The next business event, skipping connection-state signals; the terminal error, if
    /// any, is returned once, then `None`.
    pub async fn next_event(&mut self) -> Option<Result<WorkspaceEvent, Error>> {
        loop {
            if let Some(item) = StreamItem::business(self.next_item().await?) {
                return Some(item);
            }
        }
    }

    fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<StreamItem, Error>>> {
        Feed::poll(&self.queue, cx)
    }
}

impl futures_core::Stream for Subscription {
    type Item = Result<StreamItem, Error>;
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_item(cx)
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.close.cancel();
    }
}

impl StreamTransport for WasmTransport {
    type Subscription = Subscription;
    type TurnStream = TurnStream;

    fn subscribe<O: Operation>(&self, ctx: CallContext<O>, options: SseOptions) -> Subscription {
        let close = CancelToken::new();
        let options = options.cancel_token(close.clone());
        let session = SseSession::from_call(ctx, options, seed());
        let queue = Queue::new();
        wasm_bindgen_futures::spawn_local(run(session, queue.clone()));
        Subscription { queue, close }
    }

    fn stream_turn<O: Operation>(&self, mut ctx: CallContext<O>) -> TurnStream {
        let close = CancelToken::new();
        ctx.options = ctx.options.cancel_token(close.clone());
        start_turn(TurnSession::from_call(ctx, seed(), now()), close)
    }
}

/// Runs a turn session on the browser's task queue; `close` is the token its stream's drop
/// cancels (already among the session's tokens when it matters).
fn start_turn(session: TurnSession, close: CancelToken) -> TurnStream {
    let queue = TurnQueue::new();
    wasm_bindgen_futures::spawn_local(run_turn(session, queue.clone()));
    TurnStream { queue, close }
}

/// Subscribes to the workspace event stream of the client's workspace, under the client's
/// scope; the same as `client.api().events().subscribe_to_workspace().stream_with(options)`.
pub fn subscribe(client: &Client<WasmTransport>, options: SseOptions) -> Subscription {
    client.call(EventStreamOp).event_stream(options)
}

struct Open {
    reader: ReadableStreamDefaultReader,
    _abort: AbortOnDrop,
}

enum Chunk {
    Data(Vec<u8>),
    Eof,
    Failed(Error),
}

async fn read_chunk(reader: &ReadableStreamDefaultReader) -> Chunk {
    let result = match JsFuture::from(reader.read()).await {
        Ok(r) => r,
        Err(e) => {
            return Chunk::Failed(Error::network(
                TransportErrorKind::Read,
                crate::fetch::js_text(&e),
            ))
        }
    };
    let done = Reflect::get(&result, &JsValue::from_str("done"))
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(true);
    if done {
        return Chunk::Eof;
    }
    match Reflect::get(&result, &JsValue::from_str("value"))
        .ok()
        .and_then(|v| v.dyn_into::<Uint8Array>().ok())
    {
        Some(bytes) => Chunk::Data(bytes.to_vec()),
        None => Chunk::Failed(Error::network(
            TransportErrorKind::Protocol,
            "stream chunk is not bytes",
        )),
    }
}

/// How a connect attempt ended: an open event stream, or a complete outcome for the session.
enum Connected {
    Stream(http::response::Parts, Open),
    Outcome(AttemptOutcome),
}

/// Sends a connect attempt; a 2xx `text/event-stream` answer keeps its body open for reading,
/// anything else is buffered (capped) into an outcome. Honours the attempt timeout and cancel.
async fn connect(attempt: Attempt, cancelled: &Cancelled) -> Connected {
    let controller = match AbortController::new() {
        Ok(c) => c,
        Err(e) => {
            let err = Error::network(TransportErrorKind::Other, crate::fetch::js_text(&e));
            return Connected::Outcome(AttemptOutcome::Failed(err));
        }
    };
    let abort = AbortOnDrop(controller);
    let started = start(attempt.request, &abort.0);
    match race(started, race(sleep_opt(attempt.timeout), cancelled.clone())).await {
        Either::Left(Ok((head, response))) => {
            if !streams_body(&head) {
                return Connected::Outcome(read_all(head, &response, MAX_ERROR_BODY).await);
            }
            let reader = response.body().and_then(|b| {
                b.get_reader()
                    .dyn_into::<ReadableStreamDefaultReader>()
                    .ok()
            });
            match reader {
                Some(reader) => Connected::Stream(
                    head,
                    Open {
                        reader,
                        _abort: abort,
                    },
                ),
                None => Connected::Outcome(AttemptOutcome::Failed(Error::network(
                    TransportErrorKind::Protocol,
                    "no readable body",
                ))),
            }
        }
        Either::Left(Err(outcome)) => Connected::Outcome(outcome),
        Either::Right(Either::Left(())) => Connected::Outcome(AttemptOutcome::TimedOut),
        Either::Right(Either::Right(())) => Connected::Outcome(AttemptOutcome::Cancelled),
    }
}

async fn run(mut session: SseSession, queue: Rc<RefCell<Queue>>) {
    let cancelled = Cancelled::any(session.cancel_tokens().to_vec());
    let mut open: Option<Open> = None;
    loop {
        match session.poll(now()) {
            SseStep::Connect(attempt) => {
                open = None;
                match connect(attempt, &cancelled).await {
                    Connected::Stream(head, conn) => {
                        session.handle_head(head, now());
                        open = Some(conn);
                    }
                    Connected::Outcome(outcome) => session.handle_outcome(outcome, now()),
                }
            }
            SseStep::Read(until) => {
                let Some(conn) = open.as_ref() else {
                    session.handle_eof(now());
                    continue;
                };
                let timer = sleep_opt(timer::until(until));
                match race(read_chunk(&conn.reader), race(timer, cancelled.clone())).await {
                    Either::Left(Chunk::Data(bytes)) => session.handle_chunk(&bytes, now()),
                    Either::Left(Chunk::Eof) => {
                        open = None;
                        session.handle_eof(now());
                    }
                    Either::Left(Chunk::Failed(e)) => {
                        open = None;
                        session.handle_read_error(e, now());
                    }
                    Either::Right(_) => {}
                }
            }
            SseStep::Wait(until) => {
                open = None;
                let d = until.saturating_duration_since(web_time::Instant::now());
                let _ = race(sleep(d), cancelled.clone()).await;
            }
            SseStep::Event(e) => Feed::push(&queue, Some(Ok(StreamItem::Event(e)))),
            SseStep::State(s) => Feed::push(&queue, Some(Ok(StreamItem::State(s)))),
            SseStep::Done(error) => {
                if let Some(e) = error {
                    Feed::push(&queue, Some(Err(e)));
                }
                Feed::push(&queue, None);
                return;
            }
        }
    }
}

/// A turn's event stream (`POST .../conversations/{id}/turns/stream`): a `Stream` of typed
/// turn events, never reconnected or re-posted; ends after `done`, or with the error.
pub struct TurnStream {
    queue: Rc<RefCell<TurnQueue>>,
    close: CancelToken,
}

impl std::fmt::Debug for TurnStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TurnStream").finish_non_exhaustive()
    }
}

impl TurnStream {
    /// The next event, or `None` at the end.
    pub async fn next_event(&mut self) -> Option<Result<TurnEvent, Error>> {
        std::future::poll_fn(|cx| self.poll_event(cx)).await
    }

    fn poll_event(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<TurnEvent, Error>>> {
        Feed::poll(&self.queue, cx)
    }
}

impl futures_core::Stream for TurnStream {
    type Item = Result<TurnEvent, Error>;
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_event(cx)
    }
}

impl Drop for TurnStream {
    fn drop(&mut self) {
        self.close.cancel();
    }
}

/// Posts a turn and streams its events under the client's scope; `include_tool_calls` is
/// forwarded only when set. `body` is the generated `TurnRequest` model, or any serializable
/// equivalent (a `serde_json::Value`).
pub fn stream_turn<B: TurnBody + ?Sized>(
    client: &Client<WasmTransport>,
    conversation_id: &str,
    body: &B,
    include_tool_calls: Option<bool>,
) -> TurnStream {
    match TurnStreamOp::new(conversation_id, body) {
        Ok(mut op) => {
            op.include_tool_calls = include_tool_calls;
            client.call(op).turn_stream()
        }
        Err(e) => start_turn(TurnSession::failed(e), CancelToken::new()),
    }
}

async fn run_turn(mut session: TurnSession, queue: Rc<RefCell<TurnQueue>>) {
    let cancelled = Cancelled::any(session.cancel_tokens().to_vec());
    let mut open: Option<Open> = None;
    loop {
        match session.poll(now()) {
            TurnStep::Send(attempt) => {
                open = None;
                match connect(attempt, &cancelled).await {
                    Connected::Stream(head, conn) => {
                        session.handle_head(head, now());
                        open = Some(conn);
                    }
                    Connected::Outcome(outcome) => session.handle_outcome(outcome, now()),
                }
            }
            TurnStep::Read(until) => {
                let Some(conn) = open.as_ref() else {
                    session.handle_eof();
                    continue;
                };
                match race(
                    read_chunk(&conn.reader),
                    race(sleep_opt(timer::until(until)), cancelled.clone()),
                )
                .await
                {
                    Either::Left(Chunk::Data(bytes)) => session.handle_chunk(&bytes),
                    Either::Left(Chunk::Eof) => {
                        open = None;
                        session.handle_eof();
                    }
                    Either::Left(Chunk::Failed(e)) => {
                        open = None;
                        session.handle_read_error(e);
                    }
                    Either::Right(_) => {}
                }
            }
            TurnStep::Wait(until) => {
                let _ = race(sleep_opt(timer::until(Some(until))), cancelled.clone()).await;
            }
            TurnStep::Event(e) => Feed::push(&queue, Some(Ok(e))),
            TurnStep::Done(result) => {
                if let Err(e) = result {
                    Feed::push(&queue, Some(Err(e)));
                }
                Feed::push(&queue, None);
                return;
            }
        }
    }
}
