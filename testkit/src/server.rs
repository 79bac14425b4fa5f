//! The hyper service: recording, fault injection, common headers and the response body.

use std::collections::VecDeque;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, CONTENT_LENGTH};
use http::{Request, Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::{Frame, Incoming, SizeHint};

use crate::api::{self, Store};
use crate::fault::{Action, Fault, FaultRule, HeaderOp, HANG_LIMIT};
use crate::RecordedRequest;

/// The rate-limit budget advertised in `x-ratelimit-limit`.
pub(crate) const RATE_LIMIT: u64 = 100;

/// Seconds from now until the advertised rate-limit window resets.
const RATE_LIMIT_WINDOW_SECS: u64 = 60;

/// How long a truncated body pauses before the connection is closed, so the sent bytes get flushed.
const TRUNCATE_FLUSH_PAUSE: Duration = Duration::from_millis(20);

/// State shared between the [`MockServer`](crate::MockServer) handle and the server thread.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) store: Mutex<Store>,
    pub(crate) requests: Mutex<Vec<RecordedRequest>>,
    pub(crate) faults: Mutex<Vec<FaultRule>>,
    /// CORS and the `/__mock/*` control plane are on (see `control`).
    pub(crate) browser: std::sync::atomic::AtomicBool,
    /// The WebSocket mock scripted through the control plane, when attached.
    pub(crate) ws: Mutex<Option<crate::ws::WsScripter>>,
    request_counter: AtomicU64,
    remaining: AtomicU64,
    /// The event-stream and turn-stream state (see [`crate::sse`]).
    pub(crate) sse: crate::sse::SseHub,
    /// How responses are compressed (see [`crate::encoding`]).
    pub(crate) compression: crate::encoding::Mode,
}

impl Shared {
    pub(crate) fn new() -> Shared {
        Shared {
            store: Mutex::new(Store::default()),
            requests: Mutex::new(Vec::new()),
            faults: Mutex::new(Vec::new()),
            browser: std::sync::atomic::AtomicBool::new(false),
            ws: Mutex::new(None),
            request_counter: AtomicU64::new(0),
            remaining: AtomicU64::new(RATE_LIMIT),
            sse: crate::sse::SseHub::new(),
            compression: crate::encoding::Mode::default(),
        }
    }

    /// Pops the first queued fault whose rule matches, in registration order.
    fn next_fault(&self, method: &http::Method, path: &str) -> Option<Fault> {
        let mut rules = lock(&self.faults);
        rules
            .iter_mut()
            .filter(|r| !r.queue.is_empty() && r.matches(method, path))
            .find_map(|r| r.queue.pop_front())
    }
}

/// Locks a mutex, ignoring poisoning (a panicking test must not break the others' view).
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// One step of a response body.
#[derive(Debug)]
pub(crate) enum Part {
    Data(Bytes),
    /// Generated download bytes from `from` up to `to` (see [`crate::download_byte`]),
    /// produced a piece at a time as the client reads.
    Generated {
        from: u64,
        to: u64,
    },
    Wait(Duration),
    Abort,
}

/// The response body: data chunks with optional pauses, optionally ending in an abort.
#[derive(Debug)]
pub(crate) struct MockBody {
    parts: VecDeque<Part>,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
    exact: Option<u64>,
    /// Parts produced while the response is being sent (event streams), after `parts`.
    live: Option<tokio::sync::mpsc::UnboundedReceiver<Part>>,
}

impl hyper::body::Body for MockBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        loop {
            if let Some(sleep) = this.sleep.as_mut() {
                if sleep.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                this.sleep = None;
            }
            if this.parts.is_empty() {
                if let Some(live) = this.live.as_mut() {
                    match live.poll_recv(cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(Some(part)) => this.parts.push_back(part),
                        Poll::Ready(None) => this.live = None,
                    }
                }
            }
            match this.parts.pop_front() {
                None => return Poll::Ready(None),
                Some(Part::Data(b)) if b.is_empty() => continue,
                Some(Part::Data(b)) => return Poll::Ready(Some(Ok(Frame::data(b)))),
                Some(Part::Generated { from, to }) if from >= to => continue,
                Some(Part::Generated { from, to }) => {
                    let piece = api::download::piece(from, to);
                    let from = from + piece.len() as u64;
                    this.parts.push_front(Part::Generated { from, to });
                    return Poll::Ready(Some(Ok(Frame::data(piece))));
                }
                Some(Part::Wait(d)) => this.sleep = Some(Box::pin(tokio::time::sleep(d))),
                Some(Part::Abort) => {
                    return Poll::Ready(Some(Err(io::Error::new(
                        io::ErrorKind::ConnectionAborted,
                        "mock fault: body truncated",
                    ))))
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.sleep.is_none() && self.parts.is_empty() && self.live.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        match self.exact {
            Some(n) => SizeHint::with_exact(n),
            None => SizeHint::default(),
        }
    }
}

/// Serves one accepted TCP connection until it closes.
pub(crate) async fn serve_connection(stream: tokio::net::TcpStream, shared: Arc<Shared>) {
    let _ = stream.set_nodelay(true);
    let io = hyper_util::rt::TokioIo::new(stream);
    let service = hyper::service::service_fn(move |req| crate::control::serve(shared.clone(), req));
    // HTTP/1.1 and HTTP/2 (h2c with prior knowledge) on one port, told apart by the preface.
    let _ = hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new())
        .serve_connection(io, service)
        .await;
}

/// Records the request, applies a queued fault or the normal handler, and adds the common headers.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> io::Result<Response<MockBody>> {
    let received_at = Instant::now();
    let (parts, incoming) = req.into_parts();
    let collected = if api::uploads::is_upload(&parts.method, parts.uri.path()) {
        api::uploads::consume(&parts.headers, incoming).await
    } else {
        incoming.collect().await.map(|c| c.to_bytes())
    };
    let body = collected.map_err(io::Error::other)?;
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().map(str::to_owned);
    let request_id = shared.request_counter.fetch_add(1, Ordering::SeqCst) + 1;
    lock(&shared.requests).push(RecordedRequest {
        method: parts.method.clone(),
        path: path.clone(),
        query: query.clone(),
        headers: parts.headers.clone(),
        body: body.clone(),
        received_at,
        version: parts.version,
        encoding: None,
        serial: request_id,
    });
    let remaining = shared
        .remaining
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |r| {
            Some(r.saturating_sub(1))
        })
        .map_or(0, |prev| prev.saturating_sub(1));

    let fault = shared
        .next_fault(&parts.method, &path)
        .unwrap_or_else(Fault::pass);
    if let Some(d) = fault.delay {
        tokio::time::sleep(d).await;
    }

    let mut live = None;
    let mut generated = None;
    let (status, mut extra, mut body_bytes, truncated) = match fault.action {
        Action::Reset => {
            return Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "mock fault: reset",
            ))
        }
        Action::Hang => {
            tokio::time::sleep(HANG_LIMIT).await;
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "mock fault: hang limit reached",
            ));
        }
        Action::Pass => match crate::sse::route(&shared, &parts.method, &path, &parts.headers) {
            Some(reply) => {
                live = reply.live;
                (reply.status, reply.headers, reply.body, None)
            }
            None => match api::download::route(&parts.method, &path, &parts.headers) {
                Some(download) => {
                    generated = download.len;
                    (download.status, download.headers, download.error, None)
                }
                None => {
                    let reply = api::handle(
                        &shared.store,
                        &api::Req {
                            method: &parts.method,
                            path: &path,
                            query: query.as_deref(),
                            headers: &parts.headers,
                            body: &body,
                        },
                    );
                    (reply.status, reply.headers, reply.body, None)
                }
            },
        },
        Action::Status(status) => (status, Vec::new(), Bytes::new(), None),
        Action::Truncated { status, declared } => {
            (status, Vec::new(), Bytes::new(), Some(declared))
        }
    };
    // Only the normal handler's complete bodies are compressed.
    let compressible = fault.body.is_none() && truncated.is_none() && live.is_none();
    if let Some(b) = fault.body {
        body_bytes = b;
        generated = None;
    }
    if let Some(ct) = fault.content_type {
        extra.push((http::header::CONTENT_TYPE, ct));
    }
    if let Some(declared) = truncated {
        extra.push((CONTENT_LENGTH, HeaderValue::from(declared)));
    }

    let mut builder = Response::builder().status(status);
    let headers = builder
        .headers_mut()
        .ok_or_else(|| io::Error::other("mock: invalid response builder"))?;
    headers.insert(
        HeaderName::from_static("x-request-id"),
        header_value(&format!("req-{request_id}")),
    );
    headers.insert(
        HeaderName::from_static("x-ratelimit-limit"),
        HeaderValue::from(RATE_LIMIT),
    );
    headers.insert(
        HeaderName::from_static("x-ratelimit-remaining"),
        HeaderValue::from(remaining),
    );
    headers.insert(
        HeaderName::from_static("x-ratelimit-reset"),
        HeaderValue::from(crate::util::unix_now() + RATE_LIMIT_WINDOW_SECS),
    );
    for (name, value) in extra {
        headers.insert(name, value);
    }
    let mut touched: Vec<HeaderName> = Vec::new();
    for op in fault.headers {
        match op {
            HeaderOp::Set(name, value) => {
                if !touched.contains(&name) {
                    headers.remove(&name);
                    touched.push(name.clone());
                }
                headers.append(name, value);
            }
            HeaderOp::Remove(name) => {
                headers.remove(&name);
                touched.retain(|n| n != name);
            }
        }
    }
    let coding = match compressible && !headers.contains_key(http::header::CONTENT_ENCODING) {
        true => crate::encoding::choose(shared.compression.get(), &parts.headers, body_bytes.len()),
        false => None,
    };
    if let Some(coding) = coding {
        body_bytes = crate::encoding::compress(coding, &body_bytes)?;
        headers.insert(
            http::header::CONTENT_ENCODING,
            crate::encoding::header(coding),
        );
        headers.append(
            http::header::VARY,
            HeaderValue::from_static("accept-encoding"),
        );
        if let Some(r) = lock(&shared.requests)
            .iter_mut()
            .rev()
            .find(|r| r.serial == request_id)
        {
            r.encoding = Some(coding);
        }
    }
    let explicit_length = headers.contains_key(CONTENT_LENGTH);

    let mut body_parts = VecDeque::new();
    match fault.stall {
        Some((after, wait)) => {
            let cut = after.min(body_bytes.len());
            body_parts.push_back(Part::Data(body_bytes.slice(..cut)));
            body_parts.push_back(Part::Wait(wait));
            body_parts.push_back(Part::Data(body_bytes.slice(cut..)));
        }
        None => body_parts.push_back(Part::Data(body_bytes.clone())),
    }
    if let Some(len) = generated {
        body_parts.clear();
        body_parts.push_back(Part::Generated { from: 0, to: len });
    }
    let full_len = generated.unwrap_or(body_bytes.len() as u64);
    if let Some(after) = fault.drop_after {
        let cut = usize::try_from(after)
            .unwrap_or(usize::MAX)
            .min(body_bytes.len());
        body_parts.clear();
        match generated {
            Some(len) => body_parts.push_back(Part::Generated {
                from: 0,
                to: after.min(len),
            }),
            None => body_parts.push_back(Part::Data(body_bytes.slice(..cut))),
        }
    }
    if truncated.is_some() || fault.drop_after.is_some() {
        // Pause first so hyper flushes what it has before the connection is dropped.
        body_parts.push_back(Part::Wait(TRUNCATE_FLUSH_PAUSE));
        body_parts.push_back(Part::Abort);
    }
    let no_body = status == StatusCode::NO_CONTENT || status == StatusCode::NOT_MODIFIED;
    let exact =
        (!explicit_length && truncated.is_none() && !no_body && live.is_none()).then_some(full_len);
    if no_body {
        body_parts.clear();
    }
    let mut response = builder
        .body(MockBody {
            parts: body_parts,
            sleep: None,
            exact,
            live,
        })
        .map_err(io::Error::other)?;
    if let Some(reason) = fault.reason {
        response.extensions_mut().insert(reason);
    }
    Ok(response)
}

/// A header value from text the server itself produced (always visible ASCII).
fn header_value(s: &str) -> HeaderValue {
    HeaderValue::from_str(s).unwrap_or_else(|_| HeaderValue::from_static("invalid"))
}

impl MockBody {
    /// A complete body of known length.
    pub(crate) fn full(bytes: Bytes) -> MockBody {
        let exact = Some(bytes.len() as u64);
        MockBody {
            parts: VecDeque::from([Part::Data(bytes)]),
            sleep: None,
            exact,
            live: None,
        }
    }
}
