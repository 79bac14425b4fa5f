//! Server-sent-event streams in the browser, read from a `fetch` body's `ReadableStream`.
//!
//! [`subscribe`] returns a [`Subscription`]: a [`futures_core::Stream`] of [`StreamItem`]s that
//! reconnects and resumes by itself, ending after its terminal error (yielded once);
//! [`SubscriptionHandle::close`] ends it from elsewhere. [`stream_turn`] returns a
//! [`TurnStream`] of typed turn events, never reconnected. Dropping either aborts its `fetch`
//! and any backoff sleep. Both are the core's machines ([`SseSession`](amigo_platform_core::sse::SseSession), [`TurnSession`](amigo_platform_core::sse::TurnSession)) on the
//! loop of every call, which is also how the generated surface's `.stream()` runs here.

use crate::WasmTransport;

pub use amigo_platform_core::sse::{stream_turn, stream_turn_with, subscribe};
pub use amigo_platform_core::sse::{StreamItem, SubscriptionHandle, TurnEvent};

amigo_platform_core::nonblocking_streams!(WasmTransport, []);
