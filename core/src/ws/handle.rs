//! What a WebSocket driver shares with its callers, written once for every transport: the
//! session behind a lock, the wake-up signal for the driver, the event queue the consumer
//! reads, and the caller's [`WsHandle`]. Nothing here does I/O or reads a clock.

use crate::error::Error;
use crate::time::Time;
use crate::ws::session::{
    CloseFrame, ConnectFailure, WsConnect, WsEvent, WsMessage, WsSession, WsState, WsStep,
};
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use web_time::Instant;

/// I/O settings of a transport's WebSocket driver (the protocol options are
/// [`WsOptions`](crate::ws::WsOptions)).
///
/// `#[non_exhaustive]`: start from [`WsDriverOptions::default`] and use the setters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct WsDriverOptions {
    /// Limit for DNS + TCP + TLS + the opening handshake (default 10 s; the browser applies
    /// its own).
    pub connect_timeout: Duration,
    /// How long a close waits for the server's echo before dropping the socket (default 1 s;
    /// the browser applies its own).
    pub close_grace: Duration,
    /// The blocking driver only: the longest a read blocks before sends, closes and timers
    /// are served (default 20 ms).
    pub poll_interval: Duration,
    /// The largest inbound message, in bytes, once its frames are reassembled (default
    /// 16 MiB, [`DEFAULT_MAX_MESSAGE_SIZE`]). The SDK's WebSocket messages are JSON events of
    /// a few KiB; tungstenite's own default (64 MiB) would let one misbehaving or hostile
    /// server make every session buffer 64 MiB before the consumer sees anything. A larger
    /// message fails the connection: it is never delivered, the socket is dropped and the
    /// session handles it like a dropped connection (1006: reconnect per the policy). The
    /// browser applies its own limits and ignores this.
    pub max_message_size: usize,
    /// The largest inbound frame, in bytes (default 4 MiB, [`DEFAULT_MAX_FRAME_SIZE`]): a
    /// frame header announcing more fails the connection before its payload is buffered,
    /// like [`max_message_size`](Self::max_message_size). The browser ignores this.
    pub max_frame_size: usize,
    /// The longest one outbound write (a `Transmit`) may take (default 10 s). A server that
    /// stops reading fills the socket's buffers and would otherwise block the driver forever;
    /// on expiry the connection counts as dropped (1006) and the session reconnects per its
    /// policy. Closes are bounded by [`close_grace`](Self::close_grace). The browser buffers
    /// sends itself and ignores this.
    pub send_timeout: Duration,
    /// The most events queued for a consumer that has not taken them yet (default 1,024,
    /// [`DEFAULT_MAX_QUEUED_EVENTS`]; at least 1). Nothing is ever dropped: while this many
    /// wait, the driver stops reading the socket ([`WsIo::Pause`]) until the consumer takes
    /// one, so the socket's buffers fill and TCP flow control slows the server down. See
    /// [`WsShared`] for the exact policy.
    pub max_queued_events: usize,
}

/// The default [`WsDriverOptions::max_queued_events`]: 1,024 events.
pub const DEFAULT_MAX_QUEUED_EVENTS: usize = 1024;

/// The default [`WsDriverOptions::max_message_size`]: 16 MiB.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 16 << 20;

/// The default [`WsDriverOptions::max_frame_size`]: 4 MiB.
pub const DEFAULT_MAX_FRAME_SIZE: usize = 4 << 20;

impl Default for WsDriverOptions {
    fn default() -> Self {
        WsDriverOptions {
            connect_timeout: Duration::from_secs(10),
            close_grace: Duration::from_secs(1),
            poll_interval: Duration::from_millis(20),
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            max_frame_size: DEFAULT_MAX_FRAME_SIZE,
            send_timeout: Duration::from_secs(10),
            max_queued_events: DEFAULT_MAX_QUEUED_EVENTS,
        }
    }
}

impl WsDriverOptions {
    /// Sets the limit for DNS + TCP + TLS + the opening handshake.
    pub fn connect_timeout(mut self, v: Duration) -> Self {
        self.connect_timeout = v;
        self
    }

    /// Sets how long a close waits for the server's echo.
    pub fn close_grace(mut self, v: Duration) -> Self {
        self.close_grace = v;
        self
    }

    /// Sets the longest a blocking driver's read blocks before sends, closes and timers are served.
    pub fn poll_interval(mut self, v: Duration) -> Self {
        self.poll_interval = v;
        self
    }

    /// Sets the largest inbound message, in bytes.
    pub fn max_message_size(mut self, v: usize) -> Self {
        self.max_message_size = v;
        self
    }

    /// Sets the largest inbound frame, in bytes.
    pub fn max_frame_size(mut self, v: usize) -> Self {
        self.max_frame_size = v;
        self
    }

    /// Sets the longest one outbound write may take.
    pub fn send_timeout(mut self, v: Duration) -> Self {
        self.send_timeout = v;
        self
    }

    /// Sets the most events queued for the consumer (at least 1).
    pub fn max_queued_events(mut self, v: usize) -> Self {
        self.max_queued_events = v;
        self
    }
}

/// The steps of a [`WsSession`] that need the driver's I/O; events and the terminal result
/// are queued for the consumer by [`WsShared::next_io`] itself.
#[derive(Debug)]
pub enum WsIo {
    /// Open a socket ([`WsStep::Connect`]).
    Connect(WsConnect),
    /// Write a data message ([`WsStep::Transmit`]).
    Transmit(WsMessage),
    /// Send a close frame and drop the socket ([`WsStep::Close`]).
    Close(CloseFrame),
    /// Wait for socket input, a caller command (see [`WsShared::kicked`]) or the instant
    /// ([`WsStep::Wait`]).
    Wait(Option<Instant>),
    /// The consumer's event queue is full: do not read the socket. Wait for a kick (a caller
    /// command, or the consumer taking an event; see [`WsShared::kicked`]) or, without a way
    /// to wait for one, a short while, then ask again. Closes and sends are still served.
    Pause,
    /// The session is over and its result was queued for the consumer: stop.
    Done,
}

#[derive(Default)]
struct Wake {
    kicked: bool,
    driver: Option<Waker>,
}

struct Events {
    items: VecDeque<Result<WsEvent, Error>>,
    /// Reading pauses while this many items wait.
    capacity: usize,
    /// `next_io` answered `Pause` since it last re-armed the idle watchdog.
    paused: bool,
    ended: bool,
    released: bool,
    consumer: Option<Waker>,
}

impl Events {
    fn new(capacity: usize) -> Events {
        Events {
            items: VecDeque::new(),
            capacity: capacity.max(1),
            paused: false,
            ended: false,
            released: false,
            consumer: None,
        }
    }

    fn full(&self) -> bool {
        !self.released && self.items.len() >= self.capacity
    }

    /// Takes the next item; true in the second place when that made room in a full queue
    /// (the driver must be woken to read again).
    fn pop(&mut self) -> (Option<Result<WsEvent, Error>>, bool) {
        let was_full = self.full();
        let item = self.items.pop_front();
        (item, was_full && !self.full())
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// The state a driver shares with the stream's consumer and every [`WsHandle`].
///
/// # The event queue
///
/// Events wait for the consumer in a queue bounded by its capacity
/// ([`WsDriverOptions::max_queued_events`], default 1,024). No event is ever dropped while
/// the consumer exists; instead, once `capacity` events wait, [`next_io`](Self::next_io)
/// answers [`WsIo::Pause`] where it would answer `Wait`, and the driver stops reading the
/// socket until the consumer takes an event (which kicks the driver). The socket's receive
/// buffer then fills and TCP flow control slows the server. Caller sends and closes are still
/// served while paused, and the idle watchdog does not count paused time as the server's
/// silence. Events produced before reading stopped (one read's message, or the state changes
/// of a close or reconnect) are still queued, so the queue can pass its bound by those few.
/// In the browser, which cannot stop reading, messages wait in order inside the session
/// instead. Once the consumer is gone ([`release`](Self::release)) events are discarded.
pub struct WsShared {
    session: Mutex<WsSession>,
    wake: Mutex<Wake>,
    events: Mutex<Events>,
    ready: Condvar,
}

impl std::fmt::Debug for WsShared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WsShared")
            .field("session", &*self.lock())
            .finish_non_exhaustive()
    }
}

impl WsShared {
    /// Shares `session`, with an event queue of [`DEFAULT_MAX_QUEUED_EVENTS`].
    pub fn new(session: WsSession) -> Arc<WsShared> {
        WsShared::with_capacity(session, DEFAULT_MAX_QUEUED_EVENTS)
    }

    /// Shares `session`; reading pauses while `capacity` events (at least 1) are queued.
    pub fn with_capacity(session: WsSession, capacity: usize) -> Arc<WsShared> {
        Arc::new(WsShared {
            session: Mutex::new(session),
            wake: Mutex::new(Wake::default()),
            events: Mutex::new(Events::new(capacity)),
            ready: Condvar::new(),
        })
    }

    /// The session (a poisoned lock is recovered: the session stays consistent).
    pub fn lock(&self) -> MutexGuard<'_, WsSession> {
        lock(&self.session)
    }

    /// Wakes the driver: a caller sent or closed, or a socket event is waiting.
    pub fn kick(&self) {
        let mut w = lock(&self.wake);
        w.kicked = true;
        if let Some(waker) = w.driver.take() {
            waker.wake();
        }
    }

    /// Ready once [`kick`](Self::kick) was called since the last time this answered ready.
    pub fn poll_kicked(&self, cx: &mut Context<'_>) -> Poll<()> {
        let mut w = lock(&self.wake);
        if std::mem::take(&mut w.kicked) {
            return Poll::Ready(());
        }
        w.driver = Some(cx.waker().clone());
        Poll::Pending
    }

    /// Resolves at the next [`kick`](Self::kick) (or at once for one missed meanwhile).
    pub async fn kicked(&self) {
        std::future::poll_fn(|cx| self.poll_kicked(cx)).await
    }

    /// Resolves once the session has stopped (closed by the caller or terminal).
    pub async fn until_finished(&self) {
        while !self.lock().is_finished() {
            self.kicked().await;
        }
    }

    /// Polls the session (reading the clock through `time` before each poll), queues its
    /// events and its terminal result for the consumer, and returns the next step that needs
    /// I/O.
    pub fn next_io(&self, mut time: impl FnMut() -> Time) -> WsIo {
        if std::mem::take(&mut lock(&self.events).paused) {
            // Not reading was our choice: the watchdog restarts when reading may resume.
            self.lock().handle_paused(time());
        }
        loop {
            let step = self.lock().poll(time());
            match step {
                WsStep::Connect(target) => return WsIo::Connect(target),
                WsStep::Transmit(m) => return WsIo::Transmit(m),
                WsStep::Close(frame) => return WsIo::Close(frame),
                WsStep::Wait(until) => {
                    let mut q = lock(&self.events);
                    if q.full() {
                        q.paused = true;
                        drop(q);
                        self.lock().handle_paused(time());
                        return WsIo::Pause;
                    }
                    return WsIo::Wait(until);
                }
                WsStep::Item(e) => self.deliver(Ok(e)),
                WsStep::Done(result) => {
                    if let Err(e) = result {
                        self.deliver(Err(e));
                    }
                    self.end();
                    return WsIo::Done;
                }
            }
        }
    }

    /// Reports how opening a socket ended (see [`WsIo::Connect`]) and hands the socket back
    /// when it opened.
    pub fn opened<S>(&self, result: Result<S, ConnectFailure>, time: Time) -> Option<S> {
        let mut session = self.lock();
        match result {
            Ok(socket) => {
                session.handle_open(time);
                Some(socket)
            }
            Err(failure) => {
                session.handle_connect_failed(failure, time);
                None
            }
        }
    }

    /// Ends a session that could not be started (no thread, no runtime): its first connect
    /// fails with `message` (a terminal `open_failed`), and its events are queued.
    pub fn fail_start(&self, message: String, mut time: impl FnMut() -> Time) {
        loop {
            match self.next_io(&mut time) {
                WsIo::Connect(_) => self
                    .lock()
                    .handle_connect_failed(ConnectFailure::Invalid(message.clone()), time()),
                WsIo::Done => return,
                // Unreachable before a socket opens; a bounded stop either way.
                WsIo::Transmit(_) | WsIo::Close(_) | WsIo::Wait(_) | WsIo::Pause => {
                    let _ = self.lock().close(None);
                }
            }
        }
    }

    fn deliver(&self, item: Result<WsEvent, Error>) {
        let mut q = lock(&self.events);
        if !q.released {
            q.items.push_back(item);
        }
        self.notify(q);
    }

    fn end(&self) {
        let mut q = lock(&self.events);
        q.ended = true;
        self.notify(q);
    }

    fn notify(&self, mut q: MutexGuard<'_, Events>) {
        if let Some(w) = q.consumer.take() {
            w.wake();
        }
        drop(q);
        self.ready.notify_all();
    }

    /// The consumer's next event: `Ready(None)` once the session is over and drained.
    pub fn poll_event(&self, cx: &mut Context<'_>) -> Poll<Option<Result<WsEvent, Error>>> {
        let mut q = lock(&self.events);
        if let (Some(e), room) = q.pop() {
            drop(q);
            if room {
                self.kick();
            }
            return Poll::Ready(Some(e));
        }
        if q.ended {
            return Poll::Ready(None);
        }
        q.consumer = Some(cx.waker().clone());
        Poll::Pending
    }

    /// Blocks the calling thread until the next event, for at most `timeout` when given;
    /// `None` on timeout or once the session is over and drained. Not for the browser.
    pub fn wait_event(&self, timeout: Option<Duration>) -> Option<Result<WsEvent, Error>> {
        let q = lock(&self.events);
        let pending = |q: &mut Events| q.items.is_empty() && !q.ended;
        let mut q = match timeout {
            Some(d) => match self.ready.wait_timeout_while(q, d, pending) {
                Ok((g, _)) => g,
                Err(poisoned) => poisoned.into_inner().0,
            },
            None => match self.ready.wait_while(q, pending) {
                Ok(g) => g,
                Err(poisoned) => poisoned.into_inner(),
            },
        };
        let (item, room) = q.pop();
        drop(q);
        if room {
            self.kick();
        }
        item
    }

    /// The consumer is gone: drop queued events, stop queueing and close the session
    /// (1000 `client aborted`).
    pub fn release(&self) {
        {
            let mut q = lock(&self.events);
            q.released = true;
            q.items.clear();
        }
        let _ = self.lock().close(None);
        self.kick();
    }
}

/// Sends and closes on a running session, from any thread or task (cloneable).
#[derive(Clone)]
pub struct WsHandle(Arc<WsShared>);

impl std::fmt::Debug for WsHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WsHandle")
            .field("state", &self.state())
            .finish()
    }
}

impl WsHandle {
    /// A handle on shared session state.
    pub fn new(shared: Arc<WsShared>) -> WsHandle {
        WsHandle(shared)
    }

    /// Sends a message: forwarded when open, else per the send policy.
    pub fn send(&self, message: WsMessage) -> Result<(), Error> {
        let r = self.0.lock().send(message);
        self.0.kick();
        r
    }

    /// Closes with 1000 `client aborted`; idempotent.
    pub fn close(&self) {
        let _ = self.0.lock().close(None);
        self.0.kick();
    }

    /// Closes with the caller's code and reason (1000 or 3000–4999, reason ≤ 123 bytes);
    /// the server receives exactly these.
    pub fn close_with(&self, code: u16, reason: &str) -> Result<(), Error> {
        let r = self.0.lock().close(Some(CloseFrame {
            code,
            reason: reason.to_owned(),
        }));
        self.0.kick();
        r
    }

    /// The last reported state.
    pub fn state(&self) -> WsState {
        self.0.lock().state()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ws::{WsConnect, WsOptions};

    fn drain(shared: &WsShared) -> Vec<WsEvent> {
        let mut out = Vec::new();
        while let Some(e) = shared.wait_event(Some(Duration::ZERO)) {
            out.push(e.expect("no error"));
        }
        out
    }

    #[test]
    fn event_queue_is_bounded_pauses_reading_and_loses_nothing() {
        let t = Time::system;
        let target = WsConnect::new("ws://127.0.0.1:9/x", vec![]);
        let session = WsSession::new(target, WsOptions::default().idle_timeout(Duration::ZERO), 1);
        let shared = WsShared::with_capacity(session, 4);
        assert!(matches!(shared.next_io(t), WsIo::Connect(_)));
        assert!(shared.opened(Ok(()), t()).is_some());
        // The driver reads (one message per `Wait`) until the queue is full.
        let mut read = 0;
        loop {
            match shared.next_io(t) {
                WsIo::Wait(_) => {
                    assert!(read < 100, "reading never paused");
                    shared
                        .lock()
                        .handle_message(WsMessage::Text(read.to_string()), t());
                    read += 1;
                }
                WsIo::Pause => break,
                other => panic!("{other:?}"),
            }
        }
        // `Open` and three messages: exactly the bound.
        assert_eq!(read, 3);
        assert!(matches!(shared.next_io(t), WsIo::Pause), "stays paused");
        // Caller commands are still served while paused.
        let handle = WsHandle::new(Arc::clone(&shared));
        handle.send("out".into()).expect("open");
        assert!(matches!(shared.next_io(t), WsIo::Transmit(_)));
        assert!(matches!(shared.next_io(t), WsIo::Pause));
        // Taking one event makes room and wakes the driver, which reads again.
        let mut cx = Context::from_waker(Waker::noop());
        let _ = shared.poll_kicked(&mut cx);
        assert!(shared.wait_event(Some(Duration::ZERO)).is_some());
        assert!(
            shared.poll_kicked(&mut cx).is_ready(),
            "the driver is woken"
        );
        assert!(matches!(shared.next_io(t), WsIo::Wait(_)));
        shared
            .lock()
            .handle_message(WsMessage::Text("3".into()), t());
        assert!(matches!(shared.next_io(t), WsIo::Pause));
        // Every message arrives, in order.
        let texts: Vec<String> = drain(&shared)
            .into_iter()
            .filter_map(|e| match e {
                WsEvent::Message(m) => Some(m.to_text().into_owned()),
                _ => None,
            })
            .collect();
        assert_eq!(texts, ["0", "1", "2", "3"]);
        assert!(matches!(shared.next_io(t), WsIo::Wait(_)));
        // A consumer that is gone never blocks the driver.
        shared.release();
        assert!(matches!(shared.next_io(t), WsIo::Close(_)));
    }
}
