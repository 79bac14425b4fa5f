//! The [`tungstenite`] side the native WebSocket transports share (feature `tungstenite`):
//! the opening handshake's request, the mapping of frames in both directions and of
//! handshake failures. No I/O: the transports dial, read and write.

use crate::time::Time;
use crate::ws::handle::WsDriverOptions;
use crate::ws::session::{CloseFrame, ConnectFailure, WsConnect, WsMessage, WsSession};
use tungstenite::client::IntoClientRequest;
use tungstenite::error::UrlError;
use tungstenite::handshake::client::Request;
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::protocol::WebSocketConfig;
use tungstenite::{ClientRequestBuilder, Message};

/// The opening handshake of a target: the request and where to dial.
#[derive(Debug)]
pub struct Handshake {
    /// The HTTP upgrade request: the URL, `User-Agent` and `Sec-WebSocket-Protocol`.
    pub request: Request,
    /// The host to dial (IPv6 literals without brackets).
    pub host: String,
    /// The port to dial (80 for `ws:`, 443 for `wss:` unless the URL names one).
    pub port: u16,
}

/// Builds the handshake of `target`; a malformed URL, a scheme other than `ws:` or `wss:`,
/// a missing host or unusable subprotocols are [`ConnectFailure::Invalid`] (terminal).
pub fn handshake(target: &WsConnect) -> Result<Handshake, ConnectFailure> {
    let uri: http::Uri = target
        .url()
        .parse()
        .map_err(|e| ConnectFailure::Invalid(format!("invalid WebSocket URL: {e}")))?;
    let default_port = match uri.scheme_str() {
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
    let port = uri.port_u16().unwrap_or(default_port);
    let mut builder = ClientRequestBuilder::new(uri).with_header("User-Agent", target.user_agent());
    for p in target.protocols() {
        builder = builder.with_sub_protocol(p.clone());
    }
    let request = builder.into_client_request().map_err(|_| {
        ConnectFailure::Invalid("invalid WebSocket handshake request (URL or subprotocols)".into())
    })?;
    Ok(Handshake {
        request,
        host,
        port,
    })
}

/// The tungstenite settings of a socket: the driver's inbound message and frame size limits
/// (a larger message or frame is a read error, so the connection is dropped: 1006), otherwise
/// tungstenite's defaults.
pub fn config(options: &WsDriverOptions) -> WebSocketConfig {
    WebSocketConfig::default()
        .max_message_size(Some(options.max_message_size))
        .max_frame_size(Some(options.max_frame_size))
}

/// How a failed handshake is reported: an HTTP answer is `Rejected`, an unusable URL is
/// `Invalid`, anything else (DNS, TCP, TLS, handshake I/O) is `Network`.
pub fn connect_failure(e: tungstenite::Error) -> ConnectFailure {
    match e {
        tungstenite::Error::Http(resp) => ConnectFailure::Rejected {
            status: resp.status().as_u16(),
        },
        tungstenite::Error::Url(e @ UrlError::UnableToConnect(_)) => {
            ConnectFailure::Network(format!("connect: {e}"))
        }
        tungstenite::Error::Url(e) => {
            ConnectFailure::Invalid(format!("invalid WebSocket URL: {e}"))
        }
        e => ConnectFailure::Network(format!("handshake: {e}")),
    }
}

/// A data message as a tungstenite frame.
pub fn to_wire(m: WsMessage) -> Message {
    match m {
        WsMessage::Text(t) => Message::text(t),
        WsMessage::Binary(b) => Message::Binary(b),
    }
}

/// A close frame as tungstenite's.
pub fn close_to_wire(frame: CloseFrame) -> tungstenite::protocol::CloseFrame {
    tungstenite::protocol::CloseFrame {
        code: CloseCode::from(frame.code),
        reason: frame.reason.into(),
    }
}

/// What a read meant for the socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inbound {
    /// The socket stays open.
    Open,
    /// The server sent a close frame: flush tungstenite's echo (bounded), then drop it.
    Closed,
    /// The connection failed or ended without a close frame: drop it.
    Dropped,
}

/// Reports one read to the session: a data message, a close frame (its code and reason,
/// 1005 without a code), or a failed or ended connection (`None` or an error: 1006). Pings,
/// pongs and raw frames change nothing.
pub fn receive(
    session: &mut WsSession,
    read: Option<Result<Message, tungstenite::Error>>,
    time: Time,
) -> Inbound {
    match read {
        Some(Ok(Message::Text(t))) => {
            session.handle_message(WsMessage::Text(t.as_str().to_owned()), time)
        }
        Some(Ok(Message::Binary(b))) => session.handle_message(WsMessage::Binary(b), time),
        Some(Ok(Message::Close(frame))) => {
            let (code, reason) = match frame {
                Some(f) => (u16::from(f.code), f.reason.as_str().to_owned()),
                None => (1005, String::new()),
            };
            session.handle_closed(code, &reason, time);
            return Inbound::Closed;
        }
        Some(Ok(_)) => {}
        Some(Err(_)) | None => {
            session.handle_closed(1006, "", time);
            return Inbound::Dropped;
        }
    }
    Inbound::Open
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ws::WsOptions;

    fn t() -> Time {
        Time::system()
    }

    #[test]
    fn handshake_carries_user_agent_and_subprotocols() {
        let target = WsConnect::new("wss://[::1]/x?a=1", vec!["auth".into(), "tok".into()]);
        let h = handshake(&target).unwrap();
        assert_eq!((h.host.as_str(), h.port), ("::1", 443));
        assert_eq!(h.request.uri(), "wss://[::1]/x?a=1");
        let header = |n: &str| h.request.headers()[n].to_str().unwrap().to_owned();
        assert_eq!(header("sec-websocket-protocol"), "auth, tok");
        assert_eq!(header("user-agent"), target.user_agent());
        let plain = handshake(&WsConnect::new("ws://h:9/x", vec![])).unwrap();
        assert_eq!((plain.host.as_str(), plain.port), ("h", 9));
        for bad in ["http://h/x", "not a url", "ws:///x"] {
            let r = handshake(&WsConnect::new(bad, vec![]));
            assert!(matches!(r, Err(ConnectFailure::Invalid(_))), "{bad}: {r:?}");
        }
    }

    #[test]
    fn config_carries_the_size_limits() {
        let c = config(&WsDriverOptions {
            max_message_size: 10,
            max_frame_size: 5,
            ..WsDriverOptions::default()
        });
        assert_eq!((c.max_message_size, c.max_frame_size), (Some(10), Some(5)));
        let d = config(&WsDriverOptions::default());
        assert_eq!(d.max_message_size, Some(16 << 20));
        assert_eq!(d.max_frame_size, Some(4 << 20));
    }

    #[test]
    fn failures_and_frames_map_both_ways() {
        let resp = http::Response::builder().status(403).body(None).unwrap();
        assert_eq!(
            connect_failure(tungstenite::Error::Http(Box::new(resp))),
            ConnectFailure::Rejected { status: 403 }
        );
        assert!(matches!(
            connect_failure(tungstenite::Error::ConnectionClosed),
            ConnectFailure::Network(_)
        ));
        assert!(matches!(
            connect_failure(tungstenite::Error::Url(UrlError::NoHostName)),
            ConnectFailure::Invalid(_)
        ));
        assert_eq!(to_wire(WsMessage::Text("a".into())), Message::text("a"));
        let close = close_to_wire(CloseFrame {
            code: 4000,
            reason: "bye".into(),
        });
        assert_eq!(
            (u16::from(close.code), close.reason.as_str()),
            (4000, "bye")
        );
    }

    #[test]
    fn receive_reports_messages_closes_and_drops() {
        let target = WsConnect::new("ws://h/x", vec![]);
        let mut s = WsSession::new(target, WsOptions::default(), 1);
        let _ = s.poll(t());
        s.handle_open(t());
        assert_eq!(
            receive(&mut s, Some(Ok(Message::text("hi"))), t()),
            Inbound::Open
        );
        assert_eq!(
            receive(&mut s, Some(Ok(Message::Ping(Default::default()))), t()),
            Inbound::Open
        );
        assert_eq!(
            receive(&mut s, Some(Ok(Message::Close(None))), t()),
            Inbound::Closed
        );
        let mut events = vec![];
        while let crate::ws::WsStep::Item(e) = s.poll(t()) {
            events.push(e);
        }
        let reconnect = events.iter().find_map(|e| match e {
            crate::ws::WsEvent::Reconnecting(r) => Some(r.close_code),
            _ => None,
        });
        assert_eq!(reconnect, Some(Some(1005)), "{events:?}");
        assert!(events.contains(&crate::ws::WsEvent::Message(WsMessage::Text("hi".into()))));
        assert_eq!(receive(&mut s, None, t()), Inbound::Dropped);
    }
}
