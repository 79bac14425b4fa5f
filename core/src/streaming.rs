//! Streaming forms of operations, on every transport.
//!
//! Three operations of the spec are dual-format: the same endpoint answers JSON or, for
//! `Accept: text/event-stream`, server-sent events (`get-event-stream`, `create_turn_stream` and
//! `create_turn`). Their JSON form is an ordinary call; their streaming form goes through one
//! mechanism:
//!
//! 1. a pending call ([`Pending`]) carries the operation with its merged options (client scope,
//!    resource scope, per-call headers, timeout, deadline, cancel tokens) and base URL;
//! 2. [`Pending::event_stream`] / [`Pending::turn_stream`] hand that [`CallContext`] to the
//!    transport's [`StreamTransport`];
//! 3. the transport builds the core's sans-IO machine from it
//!    ([`SseSession::from_call`](crate::sse::SseSession::from_call),
//!    [`TurnSession::from_call`](crate::sse::TurnSession::from_call), which send the
//!    operation's own request with `Accept: text/event-stream`) and drives it with the same
//!    driver as its `sse::subscribe` / `sse::stream_turn` helpers.
//!
//! The generated surface adds `.stream()` on those three calls (in `amigo-platform-api`), so
//! users write `client.api().conversations().stream_turn(id, body).stream()`; this module is
//! what that method (and any hand-written operation) runs on.
//!
//! How the options apply to a stream:
//!
//! | option | workspace subscription | turn stream |
//! |---|---|---|
//! | headers, base URL | every connect | the POST |
//! | attempt timeout | each connect's response headers | the response headers |
//! | deadline | the whole subscription, if set on a scope or the call (not the `Config` default); ends with a Timeout error | the whole stream, from the call's creation |
//! | cancel tokens | end the subscription silently | end the stream with a Cancelled error |
//! | retry policy | the HTTP retries inside one connect | the POST rule (one retry on 429) |

use crate::client::{CallContext, Pending, Single, Transport};
use crate::operation::Operation;
use crate::sse::SseOptions;

/// A transport that can run the streaming forms of operations: implemented once per
/// transport crate, next to its SSE drivers.
///
/// Implementations build the core machine from the context and drive it exactly as their
/// transport-level helpers do:
///
/// ```ignore
/// impl StreamTransport for MyTransport {
///     type Subscription = my_sse::Subscription;
///     type TurnStream = my_sse::TurnStream;
///     fn subscribe<O: Operation>(&self, ctx: CallContext<O>, options: SseOptions) -> Self::Subscription {
///         my_sse::Subscription::start(SseSession::from_call(ctx, options, seed()), self.http())
///     }
///     fn stream_turn<O: Operation>(&self, ctx: CallContext<O>) -> Self::TurnStream {
///         my_sse::TurnStream::start(TurnSession::from_call(ctx, seed(), now()), self.http())
///     }
/// }
/// ```
pub trait StreamTransport: Transport {
    /// A workspace event subscription: an `Iterator` (blocking) or `Stream` (async) of
    /// `Result<`[`StreamItem`](crate::sse::StreamItem)`, Error>` that reconnects and resumes
    /// by itself, ending after a terminal error or cancellation.
    type Subscription;

    /// A turn stream: an `Iterator` (blocking) or `Stream` (async) of
    /// `Result<`[`TurnEvent`](crate::sse::TurnEvent)`, Error>`, never reconnected.
    type TurnStream;

    /// Subscribes to the event stream built by the call's operation, under the call's options
    /// with `options` layered on top. Returns at once; nothing is sent before the first item is
    /// asked for (blocking, hyper) or before the browser task runs (wasm).
    fn subscribe<O: Operation>(
        &self,
        ctx: CallContext<O>,
        options: SseOptions,
    ) -> Self::Subscription;

    /// Sends the call's operation as a turn stream and yields its typed events.
    fn stream_turn<O: Operation>(&self, ctx: CallContext<O>) -> Self::TurnStream;
}

impl<'c, E: StreamTransport, O: Operation> Pending<'c, E, O, Single> {
    /// Runs this call as a workspace event subscription (its operation must build the
    /// event-stream GET), with the subscription `options` layered over the call's.
    pub fn event_stream(self, options: SseOptions) -> E::Subscription {
        let client = self.client();
        client.transport().subscribe(self.into_context(), options)
    }

    /// Runs this call as a turn stream (its operation must post a turn).
    pub fn turn_stream(self) -> E::TurnStream {
        let client = self.client();
        client.transport().stream_turn(self.into_context())
    }
}
