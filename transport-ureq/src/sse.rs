//! Blocking server-sent-event streams: the workspace event subscription and the turn stream.
//!
//! - [`subscribe`] returns a [`Subscription`]: an `Iterator` of [`StreamItem`]s (business events
//!   and connection-state signals; `Subscription::events` keeps only events). It reconnects and
//!   resumes by itself; the terminal error, if any, is yielded once, then the iterator ends.
//!   A [`SubscriptionHandle`] closes it from another thread, waking a blocked `next()` at once.
//! - [`stream_turn`] returns a [`TurnStream`]: an `Iterator` of typed turn events, never
//!   reconnected; dropping it closes the connection.
//!
//! Both are the core's machines driven by the core's blocking loop over this transport, which
//! is also how the generated surface's `.stream()` runs here. A streamed body is read by a
//! helper thread feeding a bounded channel, so that the idle watchdog, backoff sleeps and
//! `close()` never wait on a blocked read.
//!
//! ```no_run
//! use amigo_platform_ureq::{sse, Client};
//! use amigo_platform_core::sse::SseOptions;
//! use amigo_platform_core::Config;
//!
//! let client = Client::new(Config::builder().api_key("sk-...").workspace_id("ws-001").build()?);
//! let subscription = sse::subscribe(&client, SseOptions::new());
//! let handle = subscription.handle();
//! for event in subscription.events().take(10) {
//!     let event = event?;
//!     println!("{} {:?}", event.event_type, event.id);
//! }
//! handle.close();
//! # Ok::<(), amigo_platform_core::Error>(())
//! ```

use crate::UreqTransport;

pub use amigo_platform_core::sse::{stream_turn, stream_turn_with, subscribe};
pub use amigo_platform_core::sse::{StreamItem, SubscriptionHandle, TurnEvent};

/// A blocking workspace event subscription: an `Iterator` of [`StreamItem`]s.
pub type Subscription = amigo_platform_core::transport::blocking::Subscription<UreqTransport>;

/// A blocking turn stream: an `Iterator` of typed [`TurnEvent`]s; dropping it closes the
/// connection. The stream is never reconnected or re-posted.
pub type TurnStream = amigo_platform_core::transport::blocking::TurnStream<UreqTransport>;
