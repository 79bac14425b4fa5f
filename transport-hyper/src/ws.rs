//! Async WebSockets over [`tokio_tungstenite`] (rustls), driving the core's
//! [`WsSession`](amigo_platform_core::ws::WsSession).
//!
//! [`WsStream::connect`] spawns one Tokio task that owns the socket and runs the session's
//! driving contract: it opens sockets with `Sec-WebSocket-Protocol: auth, <token>` and the
//! SDK's `User-Agent`, waits on the socket, the session's next timer, caller commands and
//! cancellation at once, and queues events for the consumer. Every write is bounded by
//! [`WsDriverOptions::send_timeout`] (a server that stops reading counts as a dropped
//! connection, 1006) and every close by [`WsDriverOptions::close_grace`]. The [`WsStream`] is a
//! [`futures_core::Stream`] of [`WsEvent`](amigo_platform_core::ws::WsEvent)s (a terminal
//! error arrives as one `Err`, then the stream ends); a [`WsHandle`] (cloneable, `Send`) sends
//! and closes. Dropping the `WsStream` closes the session (1000 `client aborted`). Everything
//! but the I/O is the core's ([`amigo_platform_core::ws`]).
//!
//! Network settings: [`connect_via`] and [`drive_via`] open every connection of the session
//! with a transport's proxy and TLS configuration (use them with the transport of your
//! client); [`WsStream::connect`], `observe` and `text_stream` use the proxy of the
//! environment and the bundled roots.
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

use crate::net::open_tcp;
use crate::HyperTransport;
use amigo_platform_core::transport::network::Network;
use amigo_platform_core::transport::Cancelled;
use amigo_platform_core::ws::wire::{self, Handshake, Inbound};
use amigo_platform_core::ws::{CloseFrame, ConnectFailure, WsConnect, WsDriver, WsIo, WsShared};
use amigo_platform_core::Time;
use futures_util::{SinkExt, StreamExt};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use web_time::Instant;

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

amigo_platform_core::ws_surface! {
    /// The async driver: one Tokio task per session. Without a Tokio runtime the stream yields
    /// one terminal `open_failed` error.
    Tokio: AsyncDriver
}

impl WsDriver for Tokio {
    fn start(shared: Arc<WsShared>, options: WsDriverOptions) {
        start(shared, options, Network::from_env());
    }
}

amigo_platform_core::ws_via!(HyperTransport, Tokio, start);

fn start(shared: Arc<WsShared>, options: WsDriverOptions, net: Network) {
    match tokio::runtime::Handle::try_current() {
        Ok(rt) => drop(rt.spawn(run(shared, options, net))),
        Err(_) => shared.fail_start(
            "no Tokio runtime to drive the WebSocket".into(),
            Time::system,
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// The driver task

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(t) => tokio::time::sleep_until(tokio::time::Instant::from_std(t)).await,
        None => std::future::pending().await,
    }
}

fn finish_close(mut ws: Socket, frame: Option<CloseFrame>, grace: Duration) {
    tokio::spawn(async move {
        let _ = tokio::time::timeout(grace, async move {
            let _ = ws.close(frame.map(wire::close_to_wire)).await;
            while let Some(Ok(_)) = ws.next().await {}
        })
        .await;
    });
}

async fn run(shared: Arc<WsShared>, cfg: WsDriverOptions, net: Network) {
    let cancelled = Cancelled::any(shared.lock().cancel_tokens().to_vec());
    let mut sock: Option<Socket> = None;
    let closed = |code, reason: &str| shared.lock().handle_closed(code, reason, Time::system());
    // Bounded by the session: it ends on close, cancel, a dropped consumer or a terminal error.
    loop {
        let timer = match shared.next_io(Time::system) {
            WsIo::Connect(target) => {
                sock = None;
                let r = tokio::select! {
                    r = open(&target, &cfg, &net) => r,
                    _ = shared.until_finished() => continue,
                    _ = cancelled.clone() => continue,
                };
                sock = shared.opened(r, Time::system());
                continue;
            }
            WsIo::Transmit(m) => {
                if let Some(ws) = sock.as_mut() {
                    // A peer that stopped reading must not block the driver forever: a write
                    // that fails or outlasts `send_timeout` drops the connection (1006).
                    let sent = tokio::time::timeout(cfg.send_timeout, ws.send(wire::to_wire(m)));
                    if !matches!(sent.await, Ok(Ok(()))) {
                        sock = None;
                        closed(1006, "");
                    }
                }
                continue;
            }
            WsIo::Close(frame) => {
                if let Some(ws) = sock.take() {
                    finish_close(ws, Some(frame), cfg.close_grace);
                }
                continue;
            }
            WsIo::Wait(t) => t,
            // The consumer is behind: leave the socket unread (TCP backpressure) until it
            // takes an event or a caller command arrives.
            WsIo::Pause => {
                tokio::select! {
                    _ = shared.kicked() => {}
                    _ = cancelled.clone() => {}
                }
                continue;
            }
            WsIo::Done => return,
        };
        let Some(ws) = sock.as_mut() else {
            tokio::select! {
                _ = sleep_until(timer) => {}
                _ = shared.kicked() => {}
                _ = cancelled.clone() => {}
            }
            continue;
        };
        let read = tokio::select! {
            m = ws.next() => m,
            _ = sleep_until(timer) => continue,
            _ = shared.kicked() => continue,
            _ = cancelled.clone() => continue,
        };
        match wire::receive(&mut shared.lock(), read, Time::system()) {
            Inbound::Open => {}
            Inbound::Closed => {
                if let Some(ws) = sock.take() {
                    // Flush tungstenite's echo of the close frame.
                    finish_close(ws, None, cfg.close_grace);
                }
            }
            Inbound::Dropped => sock = None,
        }
    }
}

async fn open(
    target: &WsConnect,
    cfg: &WsDriverOptions,
    net: &Network,
) -> Result<Socket, ConnectFailure> {
    let Handshake {
        request,
        host,
        port,
    } = wire::handshake(target)?;
    let tls = request.uri().scheme_str() == Some("wss");
    let connect = async {
        let stream = open_tcp(net, tls, &host, port)
            .await
            .map_err(|e| ConnectFailure::Network(e.message().to_owned()))?;
        tokio_tungstenite::client_async_tls_with_config(
            request,
            stream,
            Some(wire::config(cfg)),
            Some(tokio_tungstenite::Connector::Rustls(net.tls.clone())),
        )
        .await
        .map_err(wire::connect_failure)
    };
    match tokio::time::timeout(cfg.connect_timeout, connect).await {
        Err(_) => Err(ConnectFailure::Network("handshake timed out".into())),
        Ok(Ok((ws, _response))) => Ok(ws),
        Ok(Err(e)) => Err(e),
    }
}
