//! The transport: `fetch` under an `AbortController` per attempt and kept bodies read from
//! their `ReadableStream`, driven by the core's async loop.

use crate::timer::{race, sleep_until, Either};
use amigo_platform_core::transport::nonblocking::AsyncIo;
use amigo_platform_core::transport::DefaultTransport;
use amigo_platform_core::transport::{Attempt, AttemptOutcome as Outcome, BodyLimit, ReasonPhrase};
use amigo_platform_core::transport::{Read, Sent};
use amigo_platform_core::Error;
use amigo_platform_core::TransportErrorKind as Kind;
use http::response::Parts;
use js_sys::{Array, Reflect, Uint8Array};
use std::{future::Future, pin::Pin};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, ReadableStreamDefaultReader as Reader, RequestInit};
use web_time::Instant;

/// The most bytes a response body may have by default (64 MiB).
pub const DEFAULT_MAX_BODY: usize = 64 * 1024 * 1024;

/// A boxed future of a call's result (not `Send`: browsers are single-threaded).
pub type SentFuture<T> = Pin<Box<dyn Future<Output = Result<T, Error>> + 'static>>;

/// Runs calls, streams, logins and token refreshes over the browser's `fetch`.
#[derive(Debug, Clone)]
pub struct WasmTransport {
    max_body: usize,
}

impl Default for WasmTransport {
    fn default() -> Self {
        WasmTransport {
            max_body: DEFAULT_MAX_BODY,
        }
    }
}

impl WasmTransport {
    /// A transport with default settings.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the largest accepted response body; larger bodies fail as a Network error.
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }
}

/// Calls a function of the global object (`window` or a worker's `self`).
pub(crate) fn call_global(name: &str, a: &JsValue, b: &JsValue) -> Result<JsValue, JsValue> {
    let global = js_sys::global();
    let f: js_sys::Function = Reflect::get(&global, &name.into())?.dyn_into()?;
    f.call2(&global, a, b)
}

/// The message of a JavaScript error value.
pub(crate) fn js_text(v: &JsValue) -> String {
    let message = v.dyn_ref::<js_sys::Error>().map(|e| e.message().into());
    v.as_string()
        .or(message)
        .unwrap_or_else(|| format!("{v:?}"))
}

fn failed(kind: Kind, e: &JsValue) -> Outcome {
    Outcome::Failed(Error::network(kind, js_text(e)))
}

/// A kept response body: the reader, a read in flight (it survives an interrupted `Read`
/// step, so no chunk is lost) and the fetch's controller, aborted when the body is dropped.
pub struct Body {
    reader: Reader,
    read: Option<JsFuture>,
    _abort: AbortOnDrop,
}

struct AbortOnDrop(AbortController);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Body {
    /// The next chunk, `None` at the end.
    async fn chunk(&mut self) -> Result<Option<Vec<u8>>, Error> {
        let reader = &self.reader;
        let read = self.read.get_or_insert_with(|| reader.read().into()).await;
        self.read = None;
        chunk_of(read)
    }
}

/// The bytes of one settled `read()` of a body's reader, `None` at the end.
fn chunk_of(read: Result<JsValue, JsValue>) -> Result<Option<Vec<u8>>, Error> {
    let read = read.map_err(|e| Error::network(Kind::Read, js_text(&e)))?;
    if Reflect::get(&read, &"done".into()).map_or(true, |d| d.is_truthy()) {
        return Ok(None);
    }
    match Reflect::get(&read, &"value".into()).map(JsCast::dyn_into::<Uint8Array>) {
        Ok(Ok(bytes)) => Ok(Some(bytes.to_vec())),
        _ => Err(Error::network(Kind::Protocol, "stream chunk is not bytes")),
    }
}

/// Sends a request with `fetch` and waits for the response head (`follow`: let the browser
/// follow redirects).
async fn fetch(
    request: http::Request<bytes::Bytes>,
    signal: &web_sys::AbortSignal,
    follow: bool,
) -> Result<(http::response::Parts, web_sys::Response), Outcome> {
    let (parts, body) = request.into_parts();
    let init = RequestInit::new();
    init.set_method(parts.method.as_str());
    init.set_signal(Some(signal));
    if !follow {
        init.set_redirect(web_sys::RequestRedirect::Manual);
    }
    // Browsers drop the headers they refuse to set (User-Agent in some engines).
    let header = |(k, v): (&http::HeaderName, &http::HeaderValue)| {
        Some(Array::of2(&k.as_str().into(), &v.to_str().ok()?.into()))
    };
    init.set_headers(&parts.headers.iter().filter_map(header).collect::<Array>());
    if !body.is_empty() {
        init.set_body(&Uint8Array::from(&body[..]));
    }
    let promise = call_global("fetch", &parts.uri.to_string().into(), &init)
        .and_then(JsCast::dyn_into::<js_sys::Promise>)
        .map_err(|e| failed(Kind::Other, &e))?;
    let response: web_sys::Response = JsFuture::from(promise)
        .await
        .and_then(JsCast::dyn_into)
        .map_err(|e| failed(Kind::Connect, &e))?;
    // A redirect not followed is an opaque answer of status 0: a Protocol error here.
    let mut head = http::Response::builder().status(response.status());
    for pair in response.headers().entries().into_iter().flatten() {
        let pair = Array::from(&pair);
        if let (Some(k), Some(v)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
            head = head.header(k, v);
        }
    }
    let (mut head, ()) = head
        .body(())
        .map_err(|e| Outcome::Failed(Error::network(Kind::Protocol, e)))?
        .into_parts();
    head.extensions.insert(ReasonPhrase(response.status_text()));
    Ok((head, response))
}

/// Buffers a body within `limit`, counting bytes as they arrive (a body past a `Whole` limit
/// fails without being held whole; an error body stops being read at its cap).
async fn buffer(head: Parts, reader: Option<Reader>, limit: BodyLimit) -> Outcome {
    let mut kept = Vec::new();
    let error = loop {
        let Some(reader) = &reader else { break None };
        match chunk_of(JsFuture::from(reader.read()).await) {
            Ok(None) => break None,
            Ok(Some(chunk)) => match limit {
                BodyLimit::Whole(max) if kept.len() + chunk.len() > max => {
                    let message = format!("response body exceeds {max} bytes");
                    break Some(Error::network(Kind::BodyTooLarge, message));
                }
                BodyLimit::Head(max) if kept.len() + chunk.len() >= max => {
                    kept.extend_from_slice(&chunk[..max - kept.len()]);
                    break None;
                }
                _ => kept.extend_from_slice(&chunk),
            },
            Err(e) => break Some(e),
        }
    };
    match error {
        None => Outcome::Response(http::Response::from_parts(head, kept.into())),
        Some(error) => Outcome::BodyFailed { head, error },
    }
}

/// The request with its body in memory: an observed upload's in-memory segments joined (fetch
/// copies the body into the browser anyway). Streamed sources (files, readers) cannot be sent
/// from a browser, and `fetch` reports no upload progress.
fn in_memory(
    mut request: http::Request<bytes::Bytes>,
    upload: Option<&amigo_platform_core::transport::Upload>,
) -> Result<http::Request<bytes::Bytes>, amigo_platform_core::Error> {
    let Some(upload) = upload else {
        return Ok(request);
    };
    let mut body = Vec::new();
    for segment in upload.segments.iter() {
        match segment.as_bytes() {
            Some(b) => body.extend_from_slice(b),
            None => {
                return Err(amigo_platform_core::Error::config(
                    "the browser transport sends in-memory request bodies only",
                ))
            }
        }
    }
    *request.body_mut() = body.into();
    Ok(request)
}

impl WasmTransport {
    /// One exchange under the attempt's time limit, which covers the head only when the
    /// body may be kept: the head of a kept body (an event stream or a download), or the outcome with the body
    /// buffered. Identity requests never let the browser follow a redirect.
    async fn exchange(&self, attempt: Attempt) -> Result<(Parts, Body), Outcome> {
        let abort = AbortOnDrop(AbortController::new().map_err(|e| failed(Kind::Other, &e))?);
        let (stream, keep) = (attempt.streams(), attempt.keep);
        let limit = attempt.timeout.map(|t| Instant::now() + t);
        let (follow, max_body, signal) = (
            attempt.may_follow_redirects,
            self.max_body,
            abort.0.signal(),
        );
        let request =
            in_memory(attempt.request, attempt.upload.as_ref()).map_err(Outcome::Failed)?;
        let head = async {
            let (head, response) = fetch(request, &signal, follow).await?;
            let reader = match response.body() {
                Some(body) => Some(
                    body.get_reader()
                        .dyn_into::<Reader>()
                        .map_err(|e| failed(Kind::Other, &e))?,
                ),
                None => None,
            };
            match stream {
                true => Ok((head, reader)),
                false => {
                    let limit = BodyLimit::of(&head, false, max_body);
                    Err(buffer(head, reader, limit).await)
                }
            }
        };
        let (head, reader) = match race(head, sleep_until(limit)).await {
            Either::Left(result) => result?,
            Either::Right(()) => return Err(Outcome::TimedOut),
        };
        match reader {
            Some(reader) if keep.keeps(&head) => {
                let body = Body {
                    reader,
                    read: None,
                    _abort: abort,
                };
                Ok((head, body))
            }
            // A stream connect's other answers are read after its headers' time limit.
            reader => {
                let limit = BodyLimit::of(&head, true, max_body);
                Err(buffer(head, reader, limit).await)
            }
        }
    }
}

impl AsyncIo for WasmTransport {
    type Body = Body;

    async fn send(&self, attempt: Attempt) -> Sent<Body> {
        match self.exchange(attempt).await {
            Ok((head, body)) => Sent::Stream(head, body),
            Err(outcome) => Sent::Outcome(outcome),
        }
    }

    async fn read(&self, body: &mut Body) -> Read {
        match body.chunk().await {
            Ok(Some(bytes)) => Read::Chunk(bytes.into()),
            Ok(None) => Read::Eof,
            Err(e) => Read::Failed(e),
        }
    }

    async fn sleep(&self, until: Instant) {
        sleep_until(Some(until)).await
    }
}

impl WasmTransport {
    /// A seed from `Math.random` (the standard library has no random keys in browsers).
    pub fn random_seed() -> u64 {
        (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64
    }
}

impl DefaultTransport for WasmTransport {
    fn default_transport() -> Self {
        WasmTransport::new()
    }
}

amigo_platform_core::nonblocking_transport!(
    WasmTransport,
    SentFuture,
    seed = WasmTransport::random_seed
);
