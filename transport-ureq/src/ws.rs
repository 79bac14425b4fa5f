//! Blocking WebSockets over [`tungstenite`] (rustls), driving the core's
//! [`WsSession`](amigo_platform_core::ws::WsSession).
//!
//! [`WsStream::connect`] starts one background I/O thread that owns the socket and runs the
//! session's driving contract: it opens sockets with `Sec-WebSocket-Protocol: auth, <token>`
//! and the SDK's `User-Agent`, reads with a short socket timeout so that timers, sends and
//! closes are served promptly, bounds every write by [`WsDriverOptions::send_timeout`] (a
//! server that stops reading counts as a dropped connection, 1006), and queues events for
//! the consumer. The [`WsStream`] is an
//! iterator of [`WsEvent`](amigo_platform_core::ws::WsEvent)s (a terminal error arrives as one
//! `Err`, then the iterator ends); a [`WsHandle`] (cloneable, `Send`) sends and closes from any
//! thread. Dropping the `WsStream` closes the session (1000 `client aborted`). Everything but
//! the I/O is the core's ([`amigo_platform_core::ws`]).
//!
//! Network settings: [`connect_via`] and [`drive_via`] open every connection of the session
//! with a transport's proxy and TLS configuration (use them with the transport of your
//! client); [`WsStream::connect`], `observe` and `text_stream` use the proxy of the
//! environment and the bundled roots.
//!
//! ```
//! use amigo_platform_core::ws::{WsConnect, WsEvent, WsOptions};
//! use amigo_platform_ureq::ws::WsStream;
//!
//! // Nothing listens on port 9: the connect fails and is retried until the budget (0 here)
//! // is exhausted.
//! let target = WsConnect::new("ws://127.0.0.1:9/x", vec![]);
//! let socket = WsStream::connect(target, WsOptions::default().max_reconnects(Some(0)));
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

use crate::net::open_tcp;
use crate::UreqTransport;
use amigo_platform_core::transport::network::Network;
use amigo_platform_core::ws::wire::{self, Handshake, Inbound};
use amigo_platform_core::ws::{CloseFrame, ConnectFailure, WsConnect, WsDriver, WsIo, WsShared};
use amigo_platform_core::Time;
use std::io::ErrorKind as IoKind;
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;
use tungstenite::handshake::HandshakeError;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::WebSocket;
use web_time::Instant;

type Socket = WebSocket<MaybeTlsStream<TcpStream>>;

amigo_platform_core::ws_surface! {
    /// The blocking driver: one I/O thread per session.
    Blocking: BlockingDriver
}

impl WsDriver for Blocking {
    fn start(shared: Arc<WsShared>, options: WsDriverOptions) {
        start(shared, options, Network::from_env());
    }
}

amigo_platform_core::ws_via!(UreqTransport, Blocking, start);

fn start(shared: Arc<WsShared>, options: WsDriverOptions, net: Network) {
    let io = Arc::clone(&shared);
    let spawned = std::thread::Builder::new()
        .name("amigo-ws".into())
        .spawn(move || run(&io, options, &net));
    if let Err(e) = spawned {
        shared.fail_start(
            format!("cannot start the WebSocket thread: {e}"),
            Time::system,
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The I/O loop

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

fn run(shared: &WsShared, cfg: WsDriverOptions, net: &Network) {
    let mut sock: Option<Socket> = None;
    let closed = |code, reason: &str| shared.lock().handle_closed(code, reason, Time::system());
    // Bounded by the session: every iteration either waits (read timeout or sleep, at most
    // `poll_interval`) or makes progress; the session ends on close, cancel or terminal.
    loop {
        let timer = match shared.next_io(Time::system) {
            WsIo::Connect(target) => {
                drop(sock.take()); // the old socket goes before the new one opens
                sock = shared.opened(open(&target, &cfg, net), Time::system());
                continue;
            }
            WsIo::Transmit(m) => {
                let sent = sock.as_mut().map(|ws| ws.send(wire::to_wire(m)));
                // A write that outlasts the socket's write timeout (`send_timeout`: the peer
                // stopped reading) fails the connection like any other write error.
                if matches!(sent, Some(Err(_))) {
                    sock = None;
                    closed(1006, "");
                }
                continue;
            }
            WsIo::Close(frame) => {
                if let Some(ws) = sock.take() {
                    graceful_close(ws, frame, &cfg);
                }
                continue;
            }
            WsIo::Wait(t) => t,
            // The consumer is behind: leave the socket unread (TCP backpressure) for a while.
            WsIo::Pause => {
                std::thread::sleep(cfg.poll_interval.max(Duration::from_millis(1)));
                continue;
            }
            WsIo::Done => return,
        };
        let wait = timer
            .map(|t| t.saturating_duration_since(Instant::now()))
            .unwrap_or(cfg.poll_interval)
            .min(cfg.poll_interval);
        let Some(ws) = sock.as_mut() else {
            std::thread::sleep(wait.max(Duration::from_millis(1)));
            continue;
        };
        set_read_timeout(ws, wait);
        let read = match ws.read() {
            Err(e) if would_block(&e) => continue,
            read => read,
        };
        match wire::receive(&mut shared.lock(), Some(read), Time::system()) {
            Inbound::Open => {}
            Inbound::Closed => {
                // Complete the close handshake briefly (tungstenite queued the echo).
                let _ = ws.flush();
                sock = None;
            }
            Inbound::Dropped => sock = None,
        }
    }
}

fn graceful_close(mut ws: Socket, frame: CloseFrame, cfg: &WsDriverOptions) {
    if ws.close(Some(wire::close_to_wire(frame))).is_err() {
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

fn open(
    target: &WsConnect,
    cfg: &WsDriverOptions,
    net: &Network,
) -> Result<Socket, ConnectFailure> {
    let Handshake {
        request,
        host,
        port,
    } = wire::handshake(target)?;
    let deadline = Instant::now() + cfg.connect_timeout;
    let tls = request.uri().scheme_str() == Some("wss");
    let stream = open_tcp(net, tls, &host, port, deadline)
        .map_err(|e| ConnectFailure::Network(e.message().to_owned()))?;
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(cfg.poll_interval.max(Duration::from_millis(1))));
    let _ = stream.set_write_timeout(Some(cfg.connect_timeout.max(Duration::from_millis(1))));
    let mut attempt = tungstenite::client_tls_with_config(
        request,
        stream,
        Some(wire::config(cfg)),
        Some(tungstenite::Connector::Rustls(Arc::clone(&net.tls))),
    );
    // Bounded by the connect deadline.
    loop {
        match attempt {
            Ok((ws, _response)) => {
                if let Some(s) = tcp(&ws) {
                    let _ =
                        s.set_write_timeout(Some(cfg.send_timeout.max(Duration::from_millis(1))));
                }
                return Ok(ws);
            }
            Err(HandshakeError::Failure(e)) => return Err(wire::connect_failure(e)),
            Err(HandshakeError::Interrupted(mid)) => {
                if Instant::now() >= deadline {
                    return Err(ConnectFailure::Network("handshake timed out".into()));
                }
                attempt = mid.handshake();
            }
        }
    }
}
