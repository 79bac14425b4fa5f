//! Async server-sent-event streams over hyper: the workspace event subscription and the turn
//! stream.
//!
//! - [`subscribe`] returns a [`Subscription`]: a [`futures_core::Stream`] of [`StreamItem`]s
//!   that reconnects and resumes by itself; the terminal error, if any, is yielded once, then
//!   the stream ends. Dropping it cancels everything (the open connection and any backoff
//!   sleep); [`SubscriptionHandle::close`] ends it from elsewhere.
//! - [`stream_turn`] returns a [`TurnStream`]: a `Stream` of typed turn events, never
//!   reconnected; dropping it closes the connection.
//!
//! Both are the core's machines ([`SseSession`](amigo_platform_core::sse::SseSession), [`TurnSession`](amigo_platform_core::sse::TurnSession)) driven by the same loop as
//! every call, which is also how the generated surface's `.stream()` runs here.
//!
//! ```no_run
//! use amigo_platform_hyper::{sse, Client};
//! use amigo_platform_core::sse::SseOptions;
//! use amigo_platform_core::Config;
//!
//! # async fn run() -> Result<(), amigo_platform_core::Error> {
//! let client = Client::new(Config::builder().api_key("sk-...").workspace_id("ws-001").build()?);
//! let mut subscription = sse::subscribe(&client, SseOptions::new());
//! while let Some(item) = subscription.next_item().await {
//!     if let sse::StreamItem::Event(event) = item? {
//!         println!("{} {:?}", event.event_type, event.id);
//!     }
//! }
//! # Ok(()) }
//! ```

use crate::HyperTransport;

pub use amigo_platform_core::sse::{stream_turn, stream_turn_with, subscribe};
pub use amigo_platform_core::sse::{StreamItem, SubscriptionHandle, TurnEvent};

amigo_platform_core::nonblocking_streams!(HyperTransport, [+ Send]);
