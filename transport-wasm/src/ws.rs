//! WebSockets in the browser: the core's [`WsSession`](amigo_platform_core::ws::WsSession)
//! over `web_sys::WebSocket`.
//!
//! [`WsStream::connect`] starts a local task and returns a [`WsStream`] (a
//! `futures_core::Stream` of [`WsEvent`](amigo_platform_core::ws::WsEvent)s); its
//! [`WsHandle`] sends and closes. The names and signatures are those of the native
//! transports (`observe`, `text_stream`, [`ObserverStream`]); everything but the I/O is the
//! core's ([`amigo_platform_core::ws`]). Browser specifics:
//! - auth goes in the subprotocol list (`["auth", token]`): browsers cannot set headers;
//! - a failed handshake is only visible as a close with code 1006 before `open`, so it is
//!   reported to the session as a network connect failure (retried like 1006);
//! - `binaryType` is `arraybuffer`, so binary frames arrive as bytes;
//! - the browser applies its own connect and close timeouts and its own message and frame
//!   size limits ([`WsDriverOptions`] is accepted for the same signatures; its timeouts and
//!   `max_message_size` / `max_frame_size` are ignored).
//!
//! Dropping the stream closes the socket and ends the task.

use crate::timer::{race, sleep_until};
use amigo_platform_core::ws::{ConnectFailure, WsConnect, WsDriver, WsIo, WsMessage, WsShared};
use amigo_platform_core::Time;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

amigo_platform_core::ws_surface! {
    /// The browser driver: one local task per session.
    Browser: AsyncDriver
}

impl WsDriver for Browser {
    fn start(shared: Arc<WsShared>, _options: WsDriverOptions) {
        wasm_bindgen_futures::spawn_local(run(shared));
    }

    fn seed() -> u64 {
        crate::WasmTransport::random_seed()
    }
}

enum SocketEvent {
    Open,
    Message(WsMessage),
    Closed(u16, String),
}

/// What the sockets' handlers report, tagged with the socket's generation.
type Inbox = Rc<RefCell<VecDeque<(u64, SocketEvent)>>>;

/// The open, message and close handlers of one socket.
type Handlers = (
    Closure<dyn FnMut(web_sys::Event)>,
    Closure<dyn FnMut(MessageEvent)>,
    Closure<dyn FnMut(CloseEvent)>,
);

/// One browser socket with its event handlers (kept alive as long as the socket is used).
struct Socket {
    ws: WebSocket,
    generation: u64,
    opened: bool,
    _handlers: Handlers,
}

impl Socket {
    fn open(
        target: &WsConnect,
        generation: u64,
        inbox: &Inbox,
        shared: &Arc<WsShared>,
    ) -> Result<Socket, String> {
        let protocols = js_sys::Array::new();
        for p in target.protocols() {
            protocols.push(&JsValue::from_str(p));
        }
        let ws = WebSocket::new_with_str_sequence(target.url(), &protocols)
            .map_err(|e| crate::fetch::js_text(&e))?;
        ws.set_binary_type(BinaryType::Arraybuffer);
        let push = {
            let (inbox, shared) = (Rc::downgrade(inbox), Arc::downgrade(shared));
            move |ev: SocketEvent| {
                if let (Some(inbox), Some(shared)) = (inbox.upgrade(), shared.upgrade()) {
                    inbox.borrow_mut().push_back((generation, ev));
                    shared.kick();
                }
            }
        };
        let on_open = {
            let push = push.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |_| push(SocketEvent::Open))
        };
        let on_message = {
            let push = push.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                let data = e.data();
                let msg = if let Some(text) = data.as_string() {
                    WsMessage::Text(text)
                } else if let Ok(buf) = data.dyn_into::<js_sys::ArrayBuffer>() {
                    WsMessage::Binary(js_sys::Uint8Array::new(&buf).to_vec().into())
                } else {
                    return;
                };
                push(SocketEvent::Message(msg));
            })
        };
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |e: CloseEvent| {
            push(SocketEvent::Closed(e.code(), e.reason()))
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Ok(Socket {
            ws,
            generation,
            opened: false,
            _handlers: (on_open, on_message, on_close),
        })
    }

    fn send(&self, message: &WsMessage) {
        let _ = match message {
            WsMessage::Text(t) => self.ws.send_with_str(t),
            WsMessage::Binary(b) => self.ws.send_with_u8_array(b),
        };
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        if self.ws.ready_state() <= WebSocket::OPEN {
            let _ = self.ws.close();
        }
    }
}

async fn run(shared: Arc<WsShared>) {
    let inbox = Inbox::default();
    let mut socket: Option<Socket> = None;
    let mut generation = 0u64;
    loop {
        let events: Vec<(u64, SocketEvent)> = inbox.borrow_mut().drain(..).collect();
        for (gen, ev) in events {
            let Some(s) = socket.as_mut().filter(|s| s.generation == gen) else {
                continue;
            };
            let (mut session, now) = (shared.lock(), Time::system());
            match ev {
                SocketEvent::Open => {
                    s.opened = true;
                    session.handle_open(now);
                }
                SocketEvent::Message(m) => session.handle_message(m, now),
                SocketEvent::Closed(code, reason) if s.opened => {
                    session.handle_closed(code, &reason, now);
                    socket = None;
                }
                SocketEvent::Closed(code, _) => {
                    let failure = format!("handshake failed (close {code})");
                    session.handle_connect_failed(ConnectFailure::Network(failure), now);
                    socket = None;
                }
            }
        }
        match shared.next_io(Time::system) {
            WsIo::Connect(target) => {
                socket = None;
                generation += 1;
                match Socket::open(&target, generation, &inbox, &shared) {
                    Ok(s) => socket = Some(s),
                    Err(text) => shared
                        .lock()
                        .handle_connect_failed(ConnectFailure::Invalid(text), Time::system()),
                }
            }
            WsIo::Transmit(m) => {
                if let Some(s) = &socket {
                    s.send(&m);
                }
            }
            WsIo::Close(frame) => {
                if let Some(s) = socket.take() {
                    let _ = s.ws.close_with_code_and_reason(frame.code, &frame.reason);
                }
            }
            WsIo::Wait(until) => {
                let _ = race(shared.kicked(), sleep_until(until)).await;
            }
            // The consumer is behind. The browser cannot be told to stop reading: its
            // messages wait in the session, in order, until the consumer takes events.
            WsIo::Pause => shared.kicked().await,
            WsIo::Done => return,
        }
    }
}
