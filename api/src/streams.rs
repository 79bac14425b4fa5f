//! Streaming forms of the three dual-format operations.
//!
//! `get-event-stream`, `create_turn_stream` and `create_turn` answer JSON or, for
//! `Accept: text/event-stream`, server-sent events. Their generated calls send the JSON form
//! (`.send()` / `.await`); `.stream()` sends the streaming form and decodes it, on every
//! transport that implements the core's [`StreamTransport`] (blocking ureq, async hyper, wasm):
//!
//! | call | `.stream()` yields |
//! |---|---|
//! | `client.api().events().subscribe_to_workspace()` | `Result<`[`StreamItem`]`, Error>`: typed [`WorkspaceEvent`]s and connection-state signals; reconnects and resumes with `Last-Event-ID` by itself ([`SseOptions`] via `.stream_with(..)`) |
//! | `client.api().conversations().stream_turn(id, body)` | `Result<`[`TurnEvent`]`, Error>`: the 7 typed turn events, never reconnected |
//! | `client.api().conversations().create_turn(id, body)` | the same turn events, from the non-`/stream` endpoint |
//!
//! Everything set on the call applies to the stream: the client scope
//! (`client.with_options(..)`), namespace scopes, per-call `.header(..)`, `.timeout(..)`
//! (response headers of each connect), `.deadline(..)` (the whole stream), `.cancel_token(..)`,
//! `.base_url(..)` and the operation's own parameters (`.include_tool_calls(true)`). See the
//! core's [`amigo_platform_core::sse::StreamTransport`] for the exact rules.
//!
//! Events are decoded leniently by the core: a payload with a missing or
//! mistyped field is still delivered, with its raw JSON on workspace events, where the strict
//! generated models (`models::TurnStreamEvent`, `models::WorkspaceSseEvent`) would reject it.
//!
//! ```no_run
//! use amigo_platform_api::{models as m, ApiExt};
//! use amigo_platform_core::sse::{EventKind, SseOptions, TurnEvent};
//! use amigo_platform_core::{Config, RequestOptions};
//! use std::time::Duration;
//!
//! let client = amigo_platform_ureq::Client::new(Config::from_env()?)
//!     .with_options(RequestOptions::new().header("x-team", "support"));
//!
//! // A turn, streamed token by token (blocking: an `Iterator`; async: a `Stream`).
//! let body = m::TurnRequest::new("Hi!");
//! let turn = client.api().conversations().stream_turn("conv-id", body)
//!     .include_tool_calls(true)
//!     .deadline(Duration::from_secs(60))
//!     .stream();
//! for event in turn {
//!     if let TurnEvent::Token(t) = event? {
//!         print!("{}", t.text);
//!     }
//! }
//!
//! // Workspace events, resuming after drops; `events()` skips connection-state signals.
//! let subscription = client.api().events().subscribe_to_workspace()
//!     .header("x-trace", "tail-1")
//!     .stream_with(SseOptions::new().max_reconnects(None));
//! for event in subscription.events().take(10) {
//!     let event = event?;
//!     if let EventKind::CallStarted(call) = &event.kind {
//!         println!("call {} started", call.call_sid);
//!     }
//! }
//! # Ok::<(), amigo_platform_core::Error>(())
//! ```
//!
//! With the async transport the same calls return `Stream`s: `sub.next_event().await`,
//! `turn.next_event().await`.

use crate::generated::ops::conversations::{CreateTurn, CreateTurnStream};
use crate::generated::ops::events::GetEventStream;
use crate::Call;

pub use amigo_platform_core::sse::StreamTransport;
pub use amigo_platform_core::sse::{
    SseOptions, StreamItem, StreamState, TurnEvent, WorkspaceEvent,
};

impl<'c, E: StreamTransport> Call<'c, E, GetEventStream> {
    /// Subscribes to the workspace event stream with the default [`SseOptions`]:
    /// an `Iterator` (blocking) or `Stream` (async) of typed events and connection-state
    /// signals that reconnects and resumes by itself.
    pub fn stream(self) -> E::Subscription {
        self.stream_with(SseOptions::new())
    }

    /// Like [`stream`](Self::stream), with subscription options (resume point, reconnect
    /// delays and budget, idle watchdog) layered over the call's options.
    pub fn stream_with(self, options: SseOptions) -> E::Subscription {
        let transport = self.client().transport().clone();
        transport.event_stream(self.into_context(), options)
    }
}

impl<'c, E: StreamTransport> Call<'c, E, CreateTurnStream> {
    /// Posts the turn and streams its typed events: an `Iterator` (blocking) or
    /// `Stream` (async) of [`TurnEvent`]s ending after `done`/`error`, never reconnected.
    pub fn stream(self) -> E::TurnStream {
        let transport = self.client().transport().clone();
        transport.turn_stream(self.into_context())
    }
}

impl<'c, E: StreamTransport> Call<'c, E, CreateTurn> {
    /// Posts the turn with `Accept: text/event-stream` and streams its typed events, like
    /// `stream_turn(..).stream()` on the non-`/stream` endpoint.
    pub fn stream(self) -> E::TurnStream {
        let transport = self.client().transport().clone();
        transport.turn_stream(self.into_context())
    }
}
