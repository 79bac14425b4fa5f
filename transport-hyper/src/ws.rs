//! Async WebSockets over [`tokio_tungstenite`] (rustls, webpki roots), driving the core's
//! [`WsSession`].
//!
//! [`WsStream::connect`] spawns one Tokio task that owns the socket and runs the session's
//! driving contract: it opens sockets with `Sec-WebSocket-Protocol: auth, <token>` and the
//! SDK's `User-Agent`, waits on the socket, the session's next timer, caller commands and
//! cancellation at once, and forwards events through a channel. The [`WsStream`] is a
//! [`futures_core::Stream`] of [`WsEvent`]s (a terminal error arrives as one `Err`, then the
//! stream ends); a [`WsHandle`] (cloneable, `Send`) sends and closes. Dropping the `WsStream`
//! closes the session (1000 `client aborted`).
//!
//! ```
//! use amigo_platform_core::ws::{WsConnect, WsOptions};
//! use amigo_platform_hyper::ws::WsStream;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! // Nothing listens on port 9: the first connect fails and the budget (0) is exhausted.
//! let target = WsConnect::new("ws://127.0.0.1:9/x", vec![]);
//! let mut stream = WsStream::connect(target, WsOptions::default().max_reconnects(Some(0)));
//! let mut errors = 0;
//! while let Some(item) = stream.next_event().await {
//!     if let Err(e) = item {
//!         errors += 1;
//!         assert!(e.message().starts_with("Reconnect budget exhausted"));
//!     }
//! }
//! assert_eq!(errors, 1);
//! # }
//! ```

use amigo_platform_core::backoff::random_seed as seed;
use amigo_platform_core::cancel::Cancelled;
use amigo_platform_core::config::Config;
use amigo_platform_core::error::Error;
use amigo_platform_core::ws::{
    self, CloseFrame, ConnectFailure, ObserverEvent, TextStreamParams, WsConnect, WsEvent,
    WsMessage, WsOptions, WsOutput, WsSession, WsState,
};
use amigo_platform_core::CancelToken;
use futures_util::{SinkExt, StreamExt};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, Notify};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{self as tung, ClientRequestBuilder, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use web_time::Instant;

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;
type Events = mpsc::UnboundedSender<Result<WsEvent, Error>>;

/// I/O settings of the async driver (the protocol options are [`WsOptions`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WsDriverOptions {
    /// Limit for DNS + TCP + TLS + the opening handshake (default 10 s).
    pub connect_timeout: Duration,
    /// How long a close waits for the server's echo before dropping the socket (default 1 s).
    pub close_grace: Duration,
}

impl Default for WsDriverOptions {
    fn default() -> Self {
        WsDriverOptions {
            connect_timeout: Duration::from_secs(10),
            close_grace: Duration::from_secs(1),
        }
    }
}

struct Shared {
    session: Mutex<WsSession>,
    notify: Notify,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, WsSession> {
        match self.session.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

/// Sends and closes on a running socket, from any task or thread.
#[derive(Clone)]
pub struct WsHandle(Arc<Shared>);

impl std::fmt::Debug for WsHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WsHandle")
            .field("state", &self.state())
            .finish()
    }
}

impl WsHandle {
    /// Sends a message: forwarded when open, else per the send policy.
    pub fn send(&self, message: WsMessage) -> Result<(), Error> {
        let r = self.0.lock().send(message);
        self.0.notify.notify_one();
        r
    }

    /// Closes with 1000 `client aborted`; idempotent.
    pub fn close(&self) {
        let _ = self.0.lock().close(None);
        self.0.notify.notify_one();
    }

    /// Closes with the caller's code and reason (1000 or 3000–4999, reason ≤ 123 bytes).
    pub fn close_with(&self, code: u16, reason: &str) -> Result<(), Error> {
        let r = self.0.lock().close(Some(CloseFrame {
            code,
            reason: reason.to_owned(),
        }));
        self.0.notify.notify_one();
        r
    }

    /// The last reported state.
    pub fn state(&self) -> WsState {
        self.0.lock().state()
    }
}

/// A running reconnecting WebSocket: a stream of events, ending when the session stops.
pub struct WsStream {
    handle: WsHandle,
    events: mpsc::UnboundedReceiver<Result<WsEvent, Error>>,
}

impl std::fmt::Debug for WsStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WsStream")
            .field("handle", &self.handle)
            .finish_non_exhaustive()
    }
}

impl WsStream {
    /// Starts a session to `target` (must be called within a Tokio runtime).
    pub fn connect(target: WsConnect, options: WsOptions) -> WsStream {
        Self::drive(
            WsSession::new(target, options, seed()),
            WsDriverOptions::default(),
        )
    }

    /// Starts a session that closes when `cancel` fires.
    pub fn connect_with_cancel(
        target: WsConnect,
        options: WsOptions,
        cancel: CancelToken,
    ) -> WsStream {
        Self::drive(
            WsSession::new(target, options, seed()).with_cancel(cancel),
            WsDriverOptions::default(),
        )
    }

    /// Drives a prepared session with custom I/O settings. Without a Tokio runtime the
    /// stream yields one terminal `open_failed` error.
    pub fn drive(session: WsSession, driver: WsDriverOptions) -> WsStream {
        let shared = Arc::new(Shared {
            session: Mutex::new(session),
            notify: Notify::new(),
        });
        let (tx, rx) = mpsc::unbounded_channel();
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => {
                rt.spawn(run(Arc::clone(&shared), tx, driver));
            }
            Err(_) => {
                let mut s = shared.lock();
                let _ = s.poll(Instant::now());
                s.handle_connect_failed(
                    ConnectFailure::Invalid("no Tokio runtime to drive the WebSocket".into()),
                    Instant::now(),
                );
                forward_events(&mut s, &tx);
            }
        }
        WsStream {
            handle: WsHandle(shared),
            events: rx,
        }
    }

    /// A handle that sends and closes from other tasks.
    pub fn handle(&self) -> WsHandle {
        self.handle.clone()
    }

    /// Sends a message (see [`WsHandle::send`]).
    pub fn send(&self, message: WsMessage) -> Result<(), Error> {
        self.handle.send(message)
    }

    /// Closes with 1000 `client aborted`.
    pub fn close(&self) {
        self.handle.close();
    }

    /// The next event; `None` when the session is over.
    pub async fn next_event(&mut self) -> Option<Result<WsEvent, Error>> {
        self.events.recv().await
    }
}

impl futures_core::Stream for WsStream {
    type Item = Result<WsEvent, Error>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.events.poll_recv(cx)
    }
}

impl Drop for WsStream {
    fn drop(&mut self) {
        self.handle.close();
    }
}

/// Observer events of a voice call: undecodable frames are dropped.
#[derive(Debug)]
pub struct ObserverStream(WsStream);

impl ObserverStream {
    /// A handle to close the subscription.
    pub fn handle(&self) -> WsHandle {
        self.0.handle()
    }
    /// Closes the subscription.
    pub fn close(&self) {
        self.0.close();
    }
    /// The next event; `None` when the subscription is over.
    pub async fn next_event(&mut self) -> Option<Result<ObserverEvent, Error>> {
        std::future::poll_fn(|cx| futures_core::Stream::poll_next(Pin::new(&mut *self), cx)).await
    }
}

impl futures_core::Stream for ObserverStream {
    type Item = Result<ObserverEvent, Error>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            match Pin::new(&mut self.0).poll_next(cx) {
                Poll::Ready(Some(Ok(WsEvent::Message(m)))) => {
                    if let Some(e) = ObserverEvent::from_message(&m) {
                        return Poll::Ready(Some(Ok(e)));
                    }
                }
                Poll::Ready(Some(Ok(_))) => {}
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

/// Subscribes to a call's observer stream (idle timeout 60 s). `token` defaults to the
/// configured credential; `override_url` replaces the derived URL verbatim. Validation
/// errors are returned before any socket is created.
pub fn observe(
    config: &Config,
    call_sid: &str,
    token: Option<&str>,
    override_url: Option<&str>,
    options: Option<WsOptions>,
) -> Result<ObserverStream, Error> {
    let target = ws::observer_target(
        config,
        call_sid,
        token,
        override_url,
        web_time::SystemTime::now(),
    )?;
    Ok(ObserverStream(WsStream::connect(
        target,
        options.unwrap_or_else(WsOptions::observer),
    )))
}

/// Opens a text-stream chat: subprotocol auth with `api_key`, or the query
/// token in `params.token` when `api_key` is `None`.
pub fn text_stream(
    config: &Config,
    params: &TextStreamParams,
    api_key: Option<&str>,
    options: WsOptions,
) -> Result<WsStream, Error> {
    let target = ws::text_stream_target(config, params, api_key)?;
    Ok(WsStream::connect(target, options))
}

// ---------------------------------------------------------------------------------------------
// The driver task

fn forward_events(s: &mut WsSession, tx: &Events) {
    loop {
        match s.poll(Instant::now()) {
            WsOutput::Event(e) => {
                let _ = tx.send(Ok(e));
            }
            WsOutput::Failed(e) => {
                let _ = tx.send(Err(e));
            }
            WsOutput::Timeout(_) | WsOutput::Done => return,
            _ => {}
        }
    }
}

fn to_wire(m: WsMessage) -> Message {
    match m {
        WsMessage::Text(t) => Message::text(t),
        WsMessage::Binary(b) => Message::Binary(b),
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(t) => tokio::time::sleep_until(tokio::time::Instant::from_std(t)).await,
        None => std::future::pending().await,
    }
}

async fn until_finished(shared: &Shared) {
    loop {
        if shared.lock().is_finished() {
            return;
        }
        shared.notify.notified().await;
    }
}

fn finish_close(mut ws: Socket, frame: Option<CloseFrame>, grace: Duration) {
    tokio::spawn(async move {
        let _ = tokio::time::timeout(grace, async move {
            let frame = frame.map(|f| tung::protocol::CloseFrame {
                code: CloseCode::from(f.code),
                reason: f.reason.into(),
            });
            let _ = ws.close(frame).await;
            while let Some(Ok(_)) = ws.next().await {}
        })
        .await;
    });
}

async fn run(shared: Arc<Shared>, tx: Events, cfg: WsDriverOptions) {
    let cancelled = Cancelled::any(shared.lock().cancel_tokens().to_vec());
    let mut sock: Option<Socket> = None;
    // Bounded by the session: it ends on close, cancel, a dropped consumer or a terminal error.
    loop {
        let timer = loop {
            let out = shared.lock().poll(Instant::now());
            match out {
                WsOutput::Connect(target) => {
                    sock = None;
                    let r = tokio::select! {
                        r = open(&target, &cfg) => Some(r),
                        _ = until_finished(&shared) => None,
                        _ = cancelled.clone() => None,
                    };
                    let now = Instant::now();
                    match r {
                        Some(Ok(ws)) => {
                            sock = Some(ws);
                            shared.lock().handle_open(now);
                        }
                        Some(Err(f)) => shared.lock().handle_connect_failed(f, now),
                        None => {}
                    }
                }
                WsOutput::Transmit(m) => {
                    if let Some(ws) = sock.as_mut() {
                        if ws.send(to_wire(m)).await.is_err() {
                            sock = None;
                            shared.lock().handle_closed(1006, "", Instant::now());
                        }
                    }
                }
                WsOutput::Close(frame) => {
                    if let Some(ws) = sock.take() {
                        finish_close(ws, Some(frame), cfg.close_grace);
                    }
                }
                WsOutput::Event(e) => {
                    if tx.send(Ok(e)).is_err() {
                        let _ = shared.lock().close(None);
                    }
                }
                WsOutput::Failed(e) => {
                    let _ = tx.send(Err(e));
                }
                WsOutput::Timeout(t) => break t,
                WsOutput::Done => return,
            }
        };
        match sock.as_mut() {
            None => {
                tokio::select! {
                    _ = sleep_until(timer) => {}
                    _ = shared.notify.notified() => {}
                    _ = cancelled.clone() => {}
                }
            }
            Some(ws) => {
                let read = tokio::select! {
                    m = ws.next() => Some(m),
                    _ = sleep_until(timer) => None,
                    _ = shared.notify.notified() => None,
                    _ = cancelled.clone() => None,
                };
                let now = Instant::now();
                match read {
                    None => {}
                    Some(Some(Ok(Message::Text(t)))) => shared
                        .lock()
                        .handle_message(WsMessage::Text(t.as_str().to_owned()), now),
                    Some(Some(Ok(Message::Binary(b)))) => {
                        shared.lock().handle_message(WsMessage::Binary(b), now)
                    }
                    Some(Some(Ok(Message::Close(frame)))) => {
                        let (code, reason) = match frame {
                            Some(f) => (u16::from(f.code), f.reason.as_str().to_owned()),
                            None => (1005, String::new()),
                        };
                        if let Some(ws) = sock.take() {
                            // Flush tungstenite's echo of the close frame.
                            finish_close(ws, None, cfg.close_grace);
                        }
                        shared.lock().handle_closed(code, &reason, now);
                    }
                    Some(Some(Ok(_))) => {}
                    Some(Some(Err(_)) | None) => {
                        sock = None;
                        shared.lock().handle_closed(1006, "", now);
                    }
                }
            }
        }
    }
}

async fn open(target: &WsConnect, cfg: &WsDriverOptions) -> Result<Socket, ConnectFailure> {
    let uri: http::Uri = target
        .url()
        .parse()
        .map_err(|e| ConnectFailure::Invalid(format!("invalid WebSocket URL: {e}")))?;
    if !matches!(uri.scheme_str(), Some("ws" | "wss")) {
        return Err(ConnectFailure::Invalid(
            "unsupported WebSocket URL scheme (use ws: or wss:)".into(),
        ));
    }
    if uri.host().is_none() {
        return Err(ConnectFailure::Invalid("WebSocket URL has no host".into()));
    }
    let mut builder = ClientRequestBuilder::new(uri).with_header("User-Agent", target.user_agent());
    for p in target.protocols() {
        builder = builder.with_sub_protocol(p.clone());
    }
    let request = builder.into_client_request().map_err(|_| {
        ConnectFailure::Invalid("invalid WebSocket handshake request (URL or subprotocols)".into())
    })?;
    let connect = tokio_tungstenite::connect_async_tls_with_config(
        request,
        None,
        true,
        Some(tokio_tungstenite::Connector::Rustls(
            amigo_platform_core::tls::client_config(),
        )),
    );
    match tokio::time::timeout(cfg.connect_timeout, connect).await {
        Err(_) => Err(ConnectFailure::Network("handshake timed out".into())),
        Ok(Ok((ws, _response))) => Ok(ws),
        Ok(Err(tung::Error::Http(resp))) => Err(ConnectFailure::Rejected {
            status: resp.status().as_u16(),
        }),
        Ok(Err(tung::Error::Url(e @ tung::error::UrlError::UnableToConnect(_)))) => {
            Err(ConnectFailure::Network(format!("connect: {e}")))
        }
        Ok(Err(tung::Error::Url(e))) => Err(ConnectFailure::Invalid(format!(
            "invalid WebSocket URL: {e}"
        ))),
        Ok(Err(e)) => Err(ConnectFailure::Network(format!("handshake: {e}"))),
    }
}
