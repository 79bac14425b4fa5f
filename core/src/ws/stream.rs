//! The consumer side of a running WebSocket, written once for every transport: [`WsStream`]
//! (events), [`ObserverStream`] (observer events), their constructors and the `observe` /
//! `text_stream` entry points. A transport contributes only a [`WsDriver`]: how to start the
//! one loop that does the I/O.

use crate::call::backoff::random_seed;
use crate::cancel::CancelToken;
use crate::config::Config;
use crate::error::Error;
use crate::ws::handle::{WsDriverOptions, WsHandle, WsShared};
use crate::ws::observer::ObserverEvent;
use crate::ws::session::{WsConnect, WsEvent, WsMessage, WsOptions, WsSession};
use crate::ws::url::TextStreamParams;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use web_time::SystemTime;

/// A transport's WebSocket I/O: starts the loop that drives a shared session.
pub trait WsDriver {
    /// Starts driving `shared` (a thread, a task, a browser task). When that is impossible,
    /// ends the session with [`WsShared::fail_start`] so that the consumer sees one error.
    fn start(shared: Arc<WsShared>, options: WsDriverOptions);

    /// A fresh seed for a new session's backoff jitter (by default the standard library's
    /// per-process random keys; a platform without them brings its own source).
    fn seed() -> u64 {
        random_seed()
    }
}

/// A driver whose consumer blocks: its [`WsStream`] is an [`Iterator`].
pub trait BlockingDriver: WsDriver {}

/// A driver whose consumer awaits: its [`WsStream`] is a [`futures_core::Stream`].
pub trait AsyncDriver: WsDriver {}

/// A running reconnecting WebSocket: its events (a terminal error arrives as one `Err`, then
/// the events end). Dropping it closes the session (1000 `client aborted`).
pub struct WsStream<D: WsDriver> {
    shared: Arc<WsShared>,
    driver: PhantomData<fn() -> D>,
}

impl<D: WsDriver> std::fmt::Debug for WsStream<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WsStream")
            .field("handle", &self.handle())
            .finish_non_exhaustive()
    }
}

impl<D: WsDriver> WsStream<D> {
    /// Starts a session to `target` with `options` and the default driver settings.
    pub fn connect(target: WsConnect, options: WsOptions) -> Self {
        Self::drive(
            WsSession::new(target, options, D::seed()),
            WsDriverOptions::default(),
        )
    }

    /// Starts a session that closes when `cancel` fires.
    pub fn connect_with_cancel(target: WsConnect, options: WsOptions, cancel: CancelToken) -> Self {
        Self::drive(
            WsSession::new(target, options, D::seed()).with_cancel(cancel),
            WsDriverOptions::default(),
        )
    }

    /// Drives a prepared session (custom random source, tokens) with custom I/O settings.
    pub fn drive(session: WsSession, driver: WsDriverOptions) -> Self {
        Self::drive_with(session, driver, D::start)
    }

    /// Like [`drive`](Self::drive), with the I/O loop started by `start` instead of the
    /// driver's own [`WsDriver::start`] (for a loop that needs more, such as a transport's
    /// proxy and TLS settings).
    pub fn drive_with(
        session: WsSession,
        driver: WsDriverOptions,
        start: impl FnOnce(Arc<WsShared>, WsDriverOptions),
    ) -> Self {
        let shared = WsShared::with_capacity(session, driver.max_queued_events);
        start(Arc::clone(&shared), driver);
        WsStream {
            shared,
            driver: PhantomData,
        }
    }

    /// A handle that sends and closes from elsewhere.
    pub fn handle(&self) -> WsHandle {
        WsHandle::new(Arc::clone(&self.shared))
    }

    /// Sends a message (see [`WsHandle::send`]).
    pub fn send(&self, message: WsMessage) -> Result<(), Error> {
        self.handle().send(message)
    }

    /// Closes with 1000 `client aborted` (see [`WsHandle::close`]).
    pub fn close(&self) {
        self.handle().close();
    }

    /// Closes with a code and reason (see [`WsHandle::close_with`]).
    pub fn close_with(&self, code: u16, reason: &str) -> Result<(), Error> {
        self.handle().close_with(code, reason)
    }
}

impl<D: BlockingDriver> WsStream<D> {
    /// Waits up to `timeout` for the next event; `None` on timeout or when the session is over.
    pub fn next_timeout(&mut self, timeout: Duration) -> Option<Result<WsEvent, Error>> {
        self.shared.wait_event(Some(timeout))
    }

    /// Drains every remaining event and returns when the session has stopped.
    pub fn wait(self) {
        for _ in self {}
    }

    /// Only the data messages (and the terminal error).
    pub fn messages(self) -> impl Iterator<Item = Result<WsMessage, Error>> {
        self.filter_map(|e| match e {
            Ok(WsEvent::Message(m)) => Some(Ok(m)),
            Ok(_) => None,
            Err(e) => Some(Err(e)),
        })
    }
}

impl<D: BlockingDriver> Iterator for WsStream<D> {
    type Item = Result<WsEvent, Error>;
    fn next(&mut self) -> Option<Self::Item> {
        self.shared.wait_event(None)
    }
}

impl<D: AsyncDriver> WsStream<D> {
    /// The next event; `None` when the session is over.
    pub async fn next_event(&mut self) -> Option<Result<WsEvent, Error>> {
        std::future::poll_fn(|cx| self.shared.poll_event(cx)).await
    }
}

impl<D: AsyncDriver> futures_core::Stream for WsStream<D> {
    type Item = Result<WsEvent, Error>;
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.shared.poll_event(cx)
    }
}

impl<D: WsDriver> Drop for WsStream<D> {
    fn drop(&mut self) {
        self.shared.release();
    }
}

/// The observer filter: data messages that decode become observer events, the terminal
/// error passes, everything else (states, reconnects, undecodable frames) is dropped.
pub fn observer_item(item: Result<WsEvent, Error>) -> Option<Result<ObserverEvent, Error>> {
    match item {
        Ok(WsEvent::Message(m)) => ObserverEvent::from_message(&m).map(Ok),
        Ok(_) => None,
        Err(e) => Some(Err(e)),
    }
}

/// Observer events of a voice call over a [`WsStream`]: undecodable frames are dropped.
pub struct ObserverStream<D: WsDriver>(WsStream<D>);

impl<D: WsDriver> std::fmt::Debug for ObserverStream<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("ObserverStream").field(&self.0).finish()
    }
}

impl<D: WsDriver> ObserverStream<D> {
    /// Filters the events of `stream`.
    pub fn new(stream: WsStream<D>) -> Self {
        ObserverStream(stream)
    }
    /// A handle to close the subscription from elsewhere.
    pub fn handle(&self) -> WsHandle {
        self.0.handle()
    }
    /// Closes the subscription (1000 `client aborted`).
    pub fn close(&self) {
        self.0.close();
    }
}

impl<D: BlockingDriver> Iterator for ObserverStream<D> {
    type Item = Result<ObserverEvent, Error>;
    fn next(&mut self) -> Option<Self::Item> {
        self.0.by_ref().find_map(observer_item)
    }
}

impl<D: AsyncDriver> ObserverStream<D> {
    /// The next event; `None` when the subscription is over.
    pub async fn next_event(&mut self) -> Option<Result<ObserverEvent, Error>> {
        std::future::poll_fn(|cx| futures_core::Stream::poll_next(Pin::new(&mut *self), cx)).await
    }
}

impl<D: AsyncDriver> futures_core::Stream for ObserverStream<D> {
    type Item = Result<ObserverEvent, Error>;
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            match self.0.shared.poll_event(cx) {
                Poll::Ready(Some(item)) => {
                    if let Some(e) = observer_item(item) {
                        return Poll::Ready(Some(e));
                    }
                }
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

/// Subscribes to a call's observer stream (idle timeout 60 s by default) over driver `D`;
/// `wall` is the wall-clock time for the credential's token. See the transports' `observe`.
pub fn observe_with<D: WsDriver>(
    config: &Config,
    call_sid: &str,
    token: Option<&str>,
    override_url: Option<&str>,
    options: Option<WsOptions>,
    wall: SystemTime,
) -> Result<ObserverStream<D>, Error> {
    let target = super::observer_target(config, call_sid, token, override_url, wall)?;
    let options = options.unwrap_or_else(WsOptions::observer);
    Ok(ObserverStream(WsStream::connect(target, options)))
}

/// Opens a text-stream chat over driver `D`. See the transports' `text_stream`.
pub fn text_stream_with<D: WsDriver>(
    config: &Config,
    params: &TextStreamParams,
    api_key: Option<&str>,
    options: WsOptions,
) -> Result<WsStream<D>, Error> {
    let target = super::text_stream_target(config, params, api_key)?;
    Ok(WsStream::connect(target, options))
}

/// Declares a transport's WebSocket surface around its driver: the driver type (a unit
/// struct, with the given docs, marked [`BlockingDriver`] or [`AsyncDriver`]; the transport
/// then implements [`WsDriver`] for it), the `WsStream` and `ObserverStream` names, the
/// `observe` and `text_stream` entry points with the same signatures on every transport, and
/// re-exports of [`WsHandle`] and [`WsDriverOptions`]. The transport's crate must depend on
/// `amigo-platform-core`.
///
/// ```ignore
/// amigo_platform_core::ws_surface! {
///     /// The blocking driver: one I/O thread per session.
///     Blocking: BlockingDriver
/// }
/// ```
#[macro_export]
macro_rules! ws_surface {
    ($(#[$doc:meta])* $driver:ident: $kind:ident) => {
        pub use $crate::ws::{WsDriverOptions, WsHandle};

        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $driver;

        impl $crate::ws::$kind for $driver {}

        /// A running reconnecting WebSocket: its events (a terminal error arrives as one
        /// `Err`, then the events end); [`WsStream::handle`] sends and closes from elsewhere.
        /// Dropping it closes the session (1000 `client aborted`).
        pub type WsStream = $crate::ws::WsStream<$driver>;

        /// Observer events of a voice call: undecodable frames are dropped.
        pub type ObserverStream = $crate::ws::ObserverStream<$driver>;

        /// Subscribes to a call's observer stream (idle timeout 60 s unless `options` say
        /// otherwise). `token` defaults to the configured credential's current token;
        /// `override_url` replaces the derived URL verbatim. Validation errors are returned
        /// before any socket is created.
        pub fn observe(
            config: &$crate::Config,
            call_sid: &str,
            token: Option<&str>,
            override_url: Option<&str>,
            options: Option<$crate::ws::WsOptions>,
        ) -> Result<ObserverStream, $crate::Error> {
            let wall = $crate::Time::system().wall;
            $crate::ws::observe_with(config, call_sid, token, override_url, options, wall)
        }

        /// Opens a text-stream chat: subprotocol auth with `api_key`, or the query token in
        /// `params.token` when `api_key` is `None`. Decode frames with
        /// [`TextStreamFrame::from_message`]($crate::ws::TextStreamFrame::from_message).
        pub fn text_stream(
            config: &$crate::Config,
            params: &$crate::ws::TextStreamParams,
            api_key: Option<&str>,
            options: $crate::ws::WsOptions,
        ) -> Result<WsStream, $crate::Error> {
            $crate::ws::text_stream_with(config, params, api_key, options)
        }
    };
}
