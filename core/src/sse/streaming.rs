//! Streaming forms of operations, on every transport.

use crate::call::operation::Operation;
use crate::call::options::RequestOptions;
use crate::client::{CallContext, Client, Transport};
use crate::sse::{EventStreamOp, SseOptions, SseSession, TurnBody, TurnSession, TurnStreamOp};
use crate::time::Time;

/// A transport that can run the streaming forms of operations: it drives the core's
/// [`SseSession`] and [`TurnSession`] machines with the same loop as its calls.
///
/// Everything else (building the sessions from a call, the entry points [`subscribe`] and
/// [`stream_turn`]) is written once, here.
///
/// # Streaming forms of operations
///
/// Three operations of the spec are dual-format: the same endpoint answers JSON or, for
/// `Accept: text/event-stream`, server-sent events (`get-event-stream`, `create_turn_stream` and
/// `create_turn`). Their JSON form is an ordinary call; their streaming form goes through one
/// mechanism:
///
/// 1. a call's [`CallContext`] (built once, by [`Scope::context`](crate::Scope::context))
///    carries the operation with its merged options (client scope, resource scope, per-call
///    headers, timeout, deadline, cancel tokens) and base URL;
/// 2. [`StreamTransport::event_stream`] / [`StreamTransport::turn_stream`] take that context;
/// 3. the core builds the sans-IO machine from it
///    ([`SseSession::from_call`](crate::sse::SseSession::from_call),
///    [`TurnSession::from_call`](crate::sse::TurnSession::from_call), which send the
///    operation's own request with `Accept: text/event-stream`) and the transport drives it
///    with the same loop as its calls.
///
/// The generated surface adds `.stream()` on those three calls (in `amigo-platform-api`), so
/// users write `client.api().conversations().stream_turn(id, body).stream()`; this module is
/// what that method (and any hand-written operation) runs on.
///
/// How the options apply to a stream:
///
/// | option | workspace subscription | turn stream |
/// |---|---|---|
/// | headers, base URL | every connect | the POST |
/// | attempt timeout | each connect's response headers | the response headers |
/// | deadline | the whole subscription, if set on a scope or the call (not the `Config` default); ends with a Timeout error | the whole stream, from the call's creation |
/// | cancel tokens | end the subscription silently | end the stream with a Cancelled error |
/// | retry policy | the HTTP retries inside one connect | the POST rule (one retry on 429) |
pub trait StreamTransport: Transport {
    /// A workspace event subscription: an `Iterator` (blocking) or `Stream` (async) of
    /// `Result<`[`StreamItem`](crate::sse::StreamItem)`, Error>` that reconnects and resumes
    /// by itself, ending after a terminal error or cancellation.
    type Subscription;

    /// A turn stream: an `Iterator` (blocking) or `Stream` (async) of
    /// `Result<`[`TurnEvent`](crate::sse::TurnEvent)`, Error>`, never reconnected.
    type TurnStream;

    /// Drives a subscription. Returns at once; nothing is sent before the first item is
    /// asked for (blocking, hyper) or before the browser task runs (wasm).
    fn drive_subscription(&self, session: SseSession) -> Self::Subscription;

    /// Drives a turn stream (same laziness).
    fn drive_turn(&self, session: TurnSession) -> Self::TurnStream;

    /// Runs a call's context as a workspace event subscription (its operation must build the
    /// event-stream GET), with the subscription `options` layered over the call's.
    fn event_stream<O: Operation>(
        &self,
        ctx: CallContext<O>,
        options: SseOptions,
    ) -> Self::Subscription {
        self.drive_subscription(SseSession::from_call(ctx, options, Self::seed()))
    }

    /// Runs a call's context as a turn stream (its operation must post a turn).
    fn turn_stream<O: Operation>(&self, ctx: CallContext<O>) -> Self::TurnStream {
        self.drive_turn(TurnSession::from_call(ctx, Self::seed(), Time::system()))
    }
}

/// Subscribes to the workspace event stream (`GET /v1/{workspace_id}/events/stream`) under the
/// client's scope; the same as `client.api().events().subscribe_to_workspace().stream_with(options)`.
pub fn subscribe<E: StreamTransport>(client: &Client<E>, options: SseOptions) -> E::Subscription {
    let ctx = client
        .scoped()
        .context(EventStreamOp, &RequestOptions::new(), None);
    client.transport().event_stream(ctx, options)
}

/// Posts a turn and streams its events (`POST .../conversations/{id}/turns/stream`) under the
/// client's scope. `body` is the generated `TurnRequest` model, or any serializable
/// equivalent (a `serde_json::Value`); the generated surface's
/// `client.api().conversations().stream_turn(id, body).stream()` is the same stream.
pub fn stream_turn<E: StreamTransport, B: TurnBody + ?Sized>(
    client: &Client<E>,
    conversation_id: &str,
    body: &B,
) -> E::TurnStream {
    stream_turn_with(client, conversation_id, body, None, RequestOptions::new())
}

/// Like [`stream_turn`], with `include_tool_calls` (forwarded only when set) and per-call
/// options (headers, attempt timeout, overall deadline bounding the whole stream, cancel
/// tokens). A body that does not encode ends the stream with that error at its first item.
pub fn stream_turn_with<E: StreamTransport, B: TurnBody + ?Sized>(
    client: &Client<E>,
    conversation_id: &str,
    body: &B,
    include_tool_calls: Option<bool>,
    options: RequestOptions,
) -> E::TurnStream {
    match TurnStreamOp::new(conversation_id, body) {
        Ok(mut op) => {
            op.include_tool_calls = include_tool_calls;
            let ctx = client.scoped().context(op, &options, None);
            client.transport().turn_stream(ctx)
        }
        Err(e) => client.transport().drive_turn(TurnSession::failed(e)),
    }
}
