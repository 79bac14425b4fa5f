//! WebSockets in the browser: the core's [`WsSession`] over `web_sys::WebSocket`.
//!
//! [`connect`] starts a local task and returns a [`WsStream`] (a `futures_core::Stream` of
//! [`WsEvent`]s) and its [`WsHandle`] for sending and closing. Browser specifics:
//! - auth goes in the subprotocol list (`["auth", token]`): browsers cannot set headers;
//! - a failed handshake is only visible as a close with code 1006 before `open`, so it is
//!   reported to the session as a network connect failure (retried like 1006);
//! - `binaryType` is `arraybuffer`, so binary frames arrive as bytes.
//!
//! Dropping the stream closes the socket and ends the task.

use crate::timer::{race, sleep};
use amigo_platform_core::ws::{
    CloseFrame, ConnectFailure, WsConnect, WsEvent, WsMessage, WsOutput, WsSession,
};
use amigo_platform_core::Error;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};
use web_time::Instant;

enum SocketEvent {
    Open,
    Message(WsMessage),
    Closed(u16, String),
}

struct Inner {
    session: WsSession,
    events: VecDeque<Result<WsEvent, Error>>,
    ended: bool,
    consumer: Option<Waker>,
    driver: Option<Waker>,
    kicked: bool,
    socket_events: VecDeque<(u64, SocketEvent)>,
    dropped: bool,
}

fn kick(inner: &Rc<RefCell<Inner>>) {
    let mut i = inner.borrow_mut();
    i.kicked = true;
    if let Some(w) = i.driver.take() {
        w.wake();
    }
}

/// A live WebSocket session: a `Stream` of events that ends after the session is over.
pub struct WsStream {
    inner: Rc<RefCell<Inner>>,
}

impl std::fmt::Debug for WsStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WsStream").finish_non_exhaustive()
    }
}

/// Sends messages and closes the session.
#[derive(Clone)]
pub struct WsHandle {
    inner: Rc<RefCell<Inner>>,
}

impl std::fmt::Debug for WsHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WsHandle").finish_non_exhaustive()
    }
}

impl WsHandle {
    /// Sends a message under the session's outbound policy (`Cannot send` when not open and
    /// not buffering).
    pub fn send(&self, message: impl Into<WsMessage>) -> Result<(), Error> {
        let r = self.inner.borrow_mut().session.send(message.into());
        kick(&self.inner);
        r
    }

    /// Closes with a code (1000 or 3000-4999) and reason; the server receives exactly these.
    pub fn close(&self, code: u16, reason: &str) -> Result<(), Error> {
        let r = self.inner.borrow_mut().session.close(Some(CloseFrame {
            code,
            reason: reason.to_owned(),
        }));
        kick(&self.inner);
        r
    }
}

impl WsStream {
    /// A handle for sending and closing.
    pub fn handle(&self) -> WsHandle {
        WsHandle {
            inner: self.inner.clone(),
        }
    }

    /// The next event, or `None` at the end.
    pub async fn next_event(&mut self) -> Option<Result<WsEvent, Error>> {
        std::future::poll_fn(|cx| self.poll_event(cx)).await
    }

    fn poll_event(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<WsEvent, Error>>> {
        let mut i = self.inner.borrow_mut();
        if let Some(e) = i.events.pop_front() {
            return Poll::Ready(Some(e));
        }
        if i.ended {
            return Poll::Ready(None);
        }
        i.consumer = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl futures_core::Stream for WsStream {
    type Item = Result<WsEvent, Error>;
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_event(cx)
    }
}

impl Drop for WsStream {
    fn drop(&mut self) {
        {
            let mut i = self.inner.borrow_mut();
            i.dropped = true;
            let _ = i.session.close(None);
        }
        kick(&self.inner);
    }
}

/// Starts driving `session` over browser WebSockets.
pub fn connect(session: WsSession) -> WsStream {
    let inner = Rc::new(RefCell::new(Inner {
        session,
        events: VecDeque::new(),
        ended: false,
        consumer: None,
        driver: None,
        kicked: false,
        socket_events: VecDeque::new(),
        dropped: false,
    }));
    wasm_bindgen_futures::spawn_local(run(inner.clone()));
    WsStream { inner }
}

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
        inner: &Rc<RefCell<Inner>>,
    ) -> Result<Socket, String> {
        let protocols = js_sys::Array::new();
        for p in target.protocols() {
            protocols.push(&JsValue::from_str(p));
        }
        let ws = WebSocket::new_with_str_sequence(target.url(), &protocols)
            .map_err(|e| crate::fetch::js_text(&e))?;
        ws.set_binary_type(BinaryType::Arraybuffer);
        let push = {
            let inner = Rc::downgrade(inner);
            move |ev: SocketEvent| {
                if let Some(inner) = inner.upgrade() {
                    inner.borrow_mut().socket_events.push_back((generation, ev));
                    kick(&inner);
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

    fn close(&self, code: u16, reason: &str) {
        let _ = self.ws.close_with_code_and_reason(code, reason);
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

fn deliver(inner: &Rc<RefCell<Inner>>, item: Option<Result<WsEvent, Error>>) {
    let mut i = inner.borrow_mut();
    match item {
        Some(e) if !i.dropped => i.events.push_back(e),
        Some(_) => {}
        None => i.ended = true,
    }
    if let Some(w) = i.consumer.take() {
        w.wake();
    }
}

async fn wait_input(inner: &Rc<RefCell<Inner>>, until: Option<Instant>) {
    let input = std::future::poll_fn(|cx| {
        let mut i = inner.borrow_mut();
        if std::mem::take(&mut i.kicked) || !i.socket_events.is_empty() {
            return Poll::Ready(());
        }
        i.driver = Some(cx.waker().clone());
        Poll::Pending
    });
    match until {
        Some(at) => {
            let _ = race(input, sleep(at.saturating_duration_since(Instant::now()))).await;
        }
        None => input.await,
    }
}

async fn run(inner: Rc<RefCell<Inner>>) {
    let mut socket: Option<Socket> = None;
    let mut generation = 0u64;
    loop {
        let events: Vec<(u64, SocketEvent)> = inner.borrow_mut().socket_events.drain(..).collect();
        for (gen, ev) in events {
            let Some(s) = socket.as_mut().filter(|s| s.generation == gen) else {
                continue;
            };
            let now = Instant::now();
            let mut i = inner.borrow_mut();
            match ev {
                SocketEvent::Open => {
                    s.opened = true;
                    i.session.handle_open(now);
                }
                SocketEvent::Message(m) => i.session.handle_message(m, now),
                SocketEvent::Closed(code, reason) => {
                    if s.opened {
                        i.session.handle_closed(code, &reason, now);
                    } else {
                        i.session.handle_connect_failed(
                            ConnectFailure::Network(format!("handshake failed (close {code})")),
                            now,
                        );
                    }
                    drop(i);
                    socket = None;
                }
            }
        }
        let out = inner.borrow_mut().session.poll(Instant::now());
        match out {
            WsOutput::Connect(target) => {
                socket = None;
                generation += 1;
                match Socket::open(&target, generation, &inner) {
                    Ok(s) => socket = Some(s),
                    Err(text) => inner
                        .borrow_mut()
                        .session
                        .handle_connect_failed(ConnectFailure::Invalid(text), Instant::now()),
                }
            }
            WsOutput::Transmit(m) => {
                if let Some(s) = &socket {
                    s.send(&m);
                }
            }
            WsOutput::Close(frame) => {
                if let Some(s) = socket.take() {
                    s.close(frame.code, &frame.reason);
                }
            }
            WsOutput::Event(e) => deliver(&inner, Some(Ok(e))),
            WsOutput::Failed(e) => deliver(&inner, Some(Err(e))),
            WsOutput::Timeout(until) => wait_input(&inner, until).await,
            WsOutput::Done => {
                deliver(&inner, None);
                return;
            }
        }
    }
}
