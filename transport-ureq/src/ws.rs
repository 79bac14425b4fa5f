//! Blocking WebSockets over [`tungstenite`] (rustls, webpki roots), driving the core's
//! [`WsSession`].
//!
//! [`WsSocket::connect`] starts one background I/O thread that owns the socket and runs the
//! session's driving contract: it opens sockets with `Sec-WebSocket-Protocol: auth, <token>`
//! and the SDK's `User-Agent`, reads with a short socket timeout so that timers, sends and
//! closes are served promptly, and forwards events through a channel. The [`WsSocket`] is an
//! iterator of [`WsEvent`]s (a terminal error arrives as one `Err`, then the iterator ends);
//! a [`WsHandle`] (cloneable, `Send`) sends and closes from any thread. Dropping the
//! `WsSocket` closes the session (1000 `client aborted`).
//!
//! ```
//! use amigo_platform_core::ws::{WsConnect, WsEvent, WsOptions};
//! use amigo_platform_ureq::ws::WsSocket;
//!
//! // Nothing listens on port 9: the connect fails synchronously-ish and is retried until the
//! // budget (0 here) is exhausted.
//! let target = WsConnect::new("ws://127.0.0.1:9/x", vec![]);
//! let socket = WsSocket::connect(target, WsOptions::default().max_reconnects(Some(0)));
//! let handle = socket.handle();
//! let mut errors = 0;
//! for item in socket {
//!     match item {
//!         Ok(WsEvent::Message(m)) => println!("{}", m.to_text()),
//!         Ok(_) => {}
//!         Err(e) => { errors += 1; assert!(e.message().starts_with("Reconnect budget exhausted")) }
//!     }
//! }
//! assert_eq!(errors, 1);
//! assert!(handle.send("late".into()).is_err());
//! ```

use amigo_platform_core::backoff::random_seed as seed;
use amigo_platform_core::config::Config;
use amigo_platform_core::error::Error;
use amigo_platform_core::ws::{
    self, CloseFrame, ConnectFailure, ObserverEvent, TextStreamParams, WsConnect, WsEvent,
    WsMessage, WsOptions, WsOutput, WsSession, WsState,
};
use amigo_platform_core::CancelToken;
use std::io::ErrorKind as IoKind;
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::{mpsc, Arc, Mutex, MutexGuard};
use std::time::Duration;
use tungstenite::client::IntoClientRequest;
use tungstenite::handshake::HandshakeError;
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{ClientRequestBuilder, Message, WebSocket};
use web_time::Instant;

type Socket = WebSocket<MaybeTlsStream<TcpStream>>;

/// I/O settings of the blocking driver (the protocol options are [`WsOptions`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WsDriverOptions {
    /// Limit for DNS + TCP + TLS + the opening handshake (default 10 s).
    pub connect_timeout: Duration,
    /// How long a close waits for the server's echo before dropping the socket (default 1 s).
    pub close_grace: Duration,
    /// The longest a read blocks before sends, closes and timers are served (default 20 ms).
    pub poll_interval: Duration,
}

impl Default for WsDriverOptions {
    fn default() -> Self {
        WsDriverOptions {
            connect_timeout: Duration::from_secs(10),
            close_grace: Duration::from_secs(1),
            poll_interval: Duration::from_millis(20),
        }
    }
}

struct Shared {
    session: Mutex<WsSession>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, WsSession> {
        match self.session.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

/// Sends and closes on a running socket, from any thread.
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
        self.0.lock().send(message)
    }

    /// Closes with 1000 `client aborted`; idempotent.
    pub fn close(&self) {
        let _ = self.0.lock().close(None);
    }

    /// Closes with the caller's code and reason (1000 or 3000–4999, reason ≤ 123 bytes).
    pub fn close_with(&self, code: u16, reason: &str) -> Result<(), Error> {
        self.0.lock().close(Some(CloseFrame {
            code,
            reason: reason.to_owned(),
        }))
    }

    /// The last reported state.
    pub fn state(&self) -> WsState {
        self.0.lock().state()
    }
}

/// A running reconnecting WebSocket: an iterator of events, ending when the session stops.
pub struct WsSocket {
    handle: WsHandle,
    events: mpsc::Receiver<Result<WsEvent, Error>>,
}

impl std::fmt::Debug for WsSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WsSocket")
            .field("handle", &self.handle)
            .finish_non_exhaustive()
    }
}

impl WsSocket {
    /// Starts a session to `target` with `options` and the default driver settings.
    pub fn connect(target: WsConnect, options: WsOptions) -> WsSocket {
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
    ) -> WsSocket {
        Self::drive(
            WsSession::new(target, options, seed()).with_cancel(cancel),
            WsDriverOptions::default(),
        )
    }

    /// Drives a prepared session (custom random source, tokens) with custom I/O settings.
    pub fn drive(session: WsSession, driver: WsDriverOptions) -> WsSocket {
        let shared = Arc::new(Shared {
            session: Mutex::new(session),
        });
        let (tx, rx) = mpsc::channel();
        let io = shared.clone();
        let spawned = std::thread::Builder::new()
            .name("amigo-ws".into())
            .spawn(move || run(&io, &tx, driver));
        if let Err(e) = spawned {
            // No thread: report a terminal open failure through a fresh channel.
            let (tx, rx2) = mpsc::channel();
            let mut s = shared.lock();
            let _ = s.poll(Instant::now());
            s.handle_connect_failed(
                ConnectFailure::Invalid(format!("cannot start the WebSocket thread: {e}")),
                Instant::now(),
            );
            drain_events(&mut s, &tx);
            drop(s);
            return WsSocket {
                handle: WsHandle(shared),
                events: rx2,
            };
        }
        WsSocket {
            handle: WsHandle(shared),
            events: rx,
        }
    }

    /// A handle that sends and closes from other threads.
    pub fn handle(&self) -> WsHandle {
        self.handle.clone()
    }

    /// Sends a message (see [`WsHandle::send`]).
    pub fn send(&self, message: WsMessage) -> Result<(), Error> {
        self.handle.send(message)
    }

    /// Closes with 1000 `client aborted` (see [`WsHandle::close`]).
    pub fn close(&self) {
        self.handle.close();
    }

    /// Waits up to `timeout` for the next event; `None` on timeout or when the session is over.
    pub fn next_timeout(&mut self, timeout: Duration) -> Option<Result<WsEvent, Error>> {
        self.events.recv_timeout(timeout).ok()
    }

    /// Drains every remaining event and returns when the session has stopped.
    pub fn wait(self) {
        for _ in self.events.iter() {}
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

impl Iterator for WsSocket {
    type Item = Result<WsEvent, Error>;
    fn next(&mut self) -> Option<Self::Item> {
        self.events.recv().ok()
    }
}

impl Drop for WsSocket {
    fn drop(&mut self) {
        self.handle.close();
    }
}

/// Observer events of a voice call: undecodable frames are dropped.
pub struct ObserverSocket(WsSocket);

impl std::fmt::Debug for ObserverSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("ObserverSocket").field(&self.0).finish()
    }
}

impl ObserverSocket {
    /// A handle to close the subscription from another thread.
    pub fn handle(&self) -> WsHandle {
        self.0.handle()
    }
    /// Closes the subscription.
    pub fn close(&self) {
        self.0.close();
    }
}

impl Iterator for ObserverSocket {
    type Item = Result<ObserverEvent, Error>;
    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.0.next()? {
                Ok(WsEvent::Message(m)) => {
                    if let Some(e) = ObserverEvent::from_message(&m) {
                        return Some(Ok(e));
                    }
                }
                Ok(_) => {}
                Err(e) => return Some(Err(e)),
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
) -> Result<ObserverSocket, Error> {
    let target = ws::observer_target(
        config,
        call_sid,
        token,
        override_url,
        web_time::SystemTime::now(),
    )?;
    Ok(ObserverSocket(WsSocket::connect(
        target,
        options.unwrap_or_else(WsOptions::observer),
    )))
}

/// Opens a text-stream chat: subprotocol auth with `api_key`, or the query
/// token in `params.token` when `api_key` is `None`. Decode frames with
/// [`amigo_platform_core::ws::TextStreamFrame::from_message`].
pub fn text_stream(
    config: &Config,
    params: &TextStreamParams,
    api_key: Option<&str>,
    options: WsOptions,
) -> Result<WsSocket, Error> {
    let target = ws::text_stream_target(config, params, api_key)?;
    Ok(WsSocket::connect(target, options))
}

// ---------------------------------------------------------------------------------------------
// The I/O loop

fn drain_events(s: &mut WsSession, tx: &mpsc::Sender<Result<WsEvent, Error>>) {
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

fn tcp(ws: &Socket) -> Option<&TcpStream> {
    #[allow(unreachable_patterns)]
    match ws.get_ref() {
        MaybeTlsStream::Plain(s) => Some(s),
        MaybeTlsStream::Rustls(s) => Some(s.get_ref()),
        _ => None,
    }
}

fn set_read_timeout(ws: &Socket, d: Duration) {
    if let Some(s) = tcp(ws) {
        let _ = s.set_read_timeout(Some(d.max(Duration::from_millis(1))));
    }
}

fn would_block(e: &tungstenite::Error) -> bool {
    matches!(e, tungstenite::Error::Io(io) if matches!(io.kind(), IoKind::WouldBlock | IoKind::TimedOut))
}

fn run(shared: &Shared, tx: &mpsc::Sender<Result<WsEvent, Error>>, cfg: WsDriverOptions) {
    let mut sock: Option<Socket> = None;
    // Bounded by the session: every iteration either waits (read timeout or sleep, at most
    // `poll_interval`) or makes progress; the session ends on close, cancel or terminal.
    loop {
        let timer = loop {
            let out = shared.lock().poll(Instant::now());
            match out {
                WsOutput::Connect(target) => {
                    sock = None;
                    let result = open(&target, &cfg);
                    let now = Instant::now();
                    let mut s = shared.lock();
                    match result {
                        Ok(ws) => {
                            set_read_timeout(&ws, cfg.poll_interval);
                            sock = Some(ws);
                            s.handle_open(now);
                        }
                        Err(f) => s.handle_connect_failed(f, now),
                    }
                }
                WsOutput::Transmit(m) => {
                    if let Some(ws) = sock.as_mut() {
                        if let Err(e) = ws.send(to_wire(m)) {
                            if !would_block(&e) {
                                sock = None;
                                shared.lock().handle_closed(1006, "", Instant::now());
                            }
                        }
                    }
                }
                WsOutput::Close(frame) => {
                    if let Some(ws) = sock.take() {
                        graceful_close(ws, frame, &cfg);
                    }
                }
                WsOutput::Event(e) => {
                    if tx.send(Ok(e)).is_err() {
                        // The consumer is gone: close.
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
        let now = Instant::now();
        let wait = timer
            .map(|t| t.saturating_duration_since(now))
            .unwrap_or(cfg.poll_interval)
            .min(cfg.poll_interval);
        match sock.as_mut() {
            None => std::thread::sleep(wait.max(Duration::from_millis(1))),
            Some(ws) => {
                set_read_timeout(ws, wait);
                match ws.read() {
                    Ok(Message::Text(t)) => shared
                        .lock()
                        .handle_message(WsMessage::Text(t.as_str().to_owned()), Instant::now()),
                    Ok(Message::Binary(b)) => shared
                        .lock()
                        .handle_message(WsMessage::Binary(b), Instant::now()),
                    Ok(Message::Close(frame)) => {
                        let (code, reason) = match frame {
                            Some(f) => (u16::from(f.code), f.reason.as_str().to_owned()),
                            None => (1005, String::new()),
                        };
                        // Complete the close handshake briefly (tungstenite queued the echo).
                        let _ = ws.flush();
                        sock = None;
                        shared.lock().handle_closed(code, &reason, Instant::now());
                    }
                    Ok(_) => {}
                    Err(e) if would_block(&e) => {}
                    Err(_) => {
                        sock = None;
                        shared.lock().handle_closed(1006, "", Instant::now());
                    }
                }
            }
        }
    }
}

fn graceful_close(mut ws: Socket, frame: CloseFrame, cfg: &WsDriverOptions) {
    let close = tungstenite::protocol::CloseFrame {
        code: CloseCode::from(frame.code),
        reason: frame.reason.into(),
    };
    if ws.close(Some(close)).is_err() {
        return;
    }
    let deadline = Instant::now() + cfg.close_grace;
    while Instant::now() < deadline {
        set_read_timeout(&ws, cfg.poll_interval);
        match ws.read() {
            Ok(_) => {}
            Err(e) if would_block(&e) => {}
            Err(_) => return,
        }
    }
}

fn open(target: &WsConnect, cfg: &WsDriverOptions) -> Result<Socket, ConnectFailure> {
    let uri: http::Uri = target
        .url()
        .parse()
        .map_err(|e| ConnectFailure::Invalid(format!("invalid WebSocket URL: {e}")))?;
    let port = match uri.scheme_str() {
        Some("ws") => 80,
        Some("wss") => 443,
        _ => {
            return Err(ConnectFailure::Invalid(
                "unsupported WebSocket URL scheme (use ws: or wss:)".into(),
            ))
        }
    };
    let host = uri
        .host()
        .ok_or_else(|| ConnectFailure::Invalid("WebSocket URL has no host".into()))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port = uri.port_u16().unwrap_or(port);
    let mut builder = ClientRequestBuilder::new(uri).with_header("User-Agent", target.user_agent());
    for p in target.protocols() {
        builder = builder.with_sub_protocol(p.clone());
    }
    let request = builder.into_client_request().map_err(|_| {
        ConnectFailure::Invalid("invalid WebSocket handshake request (URL or subprotocols)".into())
    })?;
    let deadline = Instant::now() + cfg.connect_timeout;
    let addrs = (host.as_str(), port)
        .to_socket_addrs()
        .map_err(|e| ConnectFailure::Network(format!("dns: {e}")))?;
    let mut last = ConnectFailure::Network("dns: no address".into());
    let mut stream = None;
    for addr in addrs {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        match TcpStream::connect_timeout(&addr, left) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last = ConnectFailure::Network(format!("connect: {e}")),
        }
    }
    let stream = stream.ok_or(last)?;
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(cfg.poll_interval.max(Duration::from_millis(1))));
    let _ = stream.set_write_timeout(Some(cfg.connect_timeout.max(Duration::from_millis(1))));
    let mut attempt = tungstenite::client_tls_with_config(
        request,
        stream,
        None,
        Some(tungstenite::Connector::Rustls(
            amigo_platform_core::tls::client_config(),
        )),
    );
    // Bounded by the connect deadline.
    loop {
        match attempt {
            Ok((ws, _response)) => return Ok(ws),
            Err(HandshakeError::Failure(tungstenite::Error::Http(resp))) => {
                return Err(ConnectFailure::Rejected {
                    status: resp.status().as_u16(),
                })
            }
            Err(HandshakeError::Failure(e)) => {
                return Err(ConnectFailure::Network(format!("handshake: {e}")))
            }
            Err(HandshakeError::Interrupted(mid)) => {
                if Instant::now() >= deadline {
                    return Err(ConnectFailure::Network("handshake timed out".into()));
                }
                attempt = mid.handshake();
            }
        }
    }
}
