//! The fetch driver loop over the core's `OperationCall`.

use crate::timer::{race, sleep, sleep_opt, Either};
use amigo_platform_core::call::{Attempt, AttemptOutcome, OperationCall, ReasonPhrase, Step, Time};
use amigo_platform_core::cancel::Cancelled;
use amigo_platform_core::client::{CallContext, DefaultTransport, Transport};
use amigo_platform_core::error::TransportErrorKind;
use amigo_platform_core::{Error, Operation, PageStream, Paginated, Response};
use bytes::Bytes;
use js_sys::{ArrayBuffer, Promise, Uint8Array};
use std::future::Future;
use std::pin::Pin;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, Request, RequestInit};
use web_time::{Instant, SystemTime};

/// The most bytes a response body may have by default (64 MiB).
pub const DEFAULT_MAX_BODY: usize = 64 * 1024 * 1024;

/// A boxed future of a call's result (not `Send`: browsers are single-threaded).
pub type SentFuture<T> = Pin<Box<dyn Future<Output = Result<T, Error>> + 'static>>;

/// Runs calls over the browser's `fetch`.
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

    async fn drive<O: Operation>(
        self,
        ctx: CallContext<O>,
        meta: bool,
    ) -> Result<Response<O::Output>, Error> {
        let call = OperationCall::new(
            ctx.op,
            &ctx.config,
            &ctx.options,
            ctx.base_url.as_deref(),
            seed(),
            now(),
        );
        // Only the data goes back: skip building the response metadata.
        let mut call = if meta { call } else { call.data_only() };
        let cancelled = Cancelled::any(call.cancel_tokens().to_vec());
        loop {
            match call.poll(now()) {
                Step::Send(attempt) => {
                    let outcome = attempt_fetch(attempt, self.max_body, cancelled.clone()).await;
                    call.handle(outcome, now());
                }
                Step::Wait(until) => {
                    let d = until.saturating_duration_since(Instant::now());
                    let _ = race(sleep(d), cancelled.clone()).await;
                }
                Step::Done(result) => return result,
            }
        }
    }
}

/// Aborts the fetch when the attempt's future is dropped (cancel on drop).
pub(crate) struct AbortOnDrop(pub(crate) AbortController);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn attempt_fetch(attempt: Attempt, max_body: usize, cancelled: Cancelled) -> AttemptOutcome {
    let controller = match AbortController::new() {
        Ok(c) => c,
        Err(e) => {
            return AttemptOutcome::Failed(Error::network(TransportErrorKind::Other, js_text(&e)))
        }
    };
    let guard = AbortOnDrop(controller);
    let work = exchange(attempt.request, &guard.0, max_body);
    match race(work, race(sleep_opt(attempt.timeout), cancelled)).await {
        Either::Left(outcome) => outcome,
        Either::Right(Either::Left(())) => AttemptOutcome::TimedOut,
        Either::Right(Either::Right(())) => AttemptOutcome::Cancelled,
    }
}

async fn exchange(
    request: http::Request<Bytes>,
    controller: &AbortController,
    max_body: usize,
) -> AttemptOutcome {
    let (head, response) = match start(request, controller).await {
        Ok(r) => r,
        Err(outcome) => return outcome,
    };
    read_all(head, &response, max_body).await
}

/// Sends a request with `fetch` and waits for the response head.
pub(crate) async fn start(
    request: http::Request<Bytes>,
    controller: &AbortController,
) -> Result<(http::response::Parts, web_sys::Response), AttemptOutcome> {
    let fail =
        |e: JsValue| AttemptOutcome::Failed(Error::network(TransportErrorKind::Other, js_text(&e)));
    let (parts, body) = request.into_parts();
    let init = RequestInit::new();
    init.set_method(parts.method.as_str());
    init.set_signal(Some(&controller.signal()));
    let headers = Headers::new().map_err(fail)?;
    for (name, value) in &parts.headers {
        if let Ok(v) = value.to_str() {
            // Browsers refuse some headers (User-Agent in some engines); they are dropped.
            let _ = headers.append(name.as_str(), v);
        }
    }
    init.set_headers(&headers);
    if !body.is_empty() {
        init.set_body(&Uint8Array::from(&body[..]));
    }
    let request = Request::new_with_str_and_init(&parts.uri.to_string(), &init).map_err(fail)?;
    let promise = global_fetch(&request).map_err(fail)?;
    let response: web_sys::Response = JsFuture::from(promise)
        .await
        .and_then(|v| v.dyn_into())
        .map_err(|e| {
            AttemptOutcome::Failed(Error::network(TransportErrorKind::Connect, js_text(&e)))
        })?;
    let mut builder = http::Response::builder().status(response.status());
    if let Ok(Some(entries)) = js_sys::try_iter(&response.headers()) {
        for entry in entries.flatten() {
            let pair = js_sys::Array::from(&entry);
            if let (Some(k), Some(v)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
                builder = builder.header(k, v);
            }
        }
    }
    let (mut head, ()) = builder
        .body(())
        .map_err(|e| AttemptOutcome::Failed(Error::network(TransportErrorKind::Protocol, e)))?
        .into_parts();
    head.extensions.insert(ReasonPhrase(response.status_text()));
    Ok((head, response))
}

/// Buffers the whole body of a response whose head is known.
pub(crate) async fn read_all(
    head: http::response::Parts,
    response: &web_sys::Response,
    max_body: usize,
) -> AttemptOutcome {
    let buffer = match response.array_buffer() {
        Ok(p) => JsFuture::from(p).await,
        Err(e) => Err(e),
    };
    match buffer.and_then(|b| b.dyn_into::<ArrayBuffer>()) {
        Ok(buf) => {
            let bytes = Uint8Array::new(&buf);
            if bytes.length() as usize > max_body {
                let error = Error::network(
                    TransportErrorKind::BodyTooLarge,
                    format!("response body exceeds {max_body} bytes"),
                );
                return AttemptOutcome::BodyFailed { head, error };
            }
            AttemptOutcome::Response(http::Response::from_parts(
                head,
                Bytes::from(bytes.to_vec()),
            ))
        }
        Err(e) => AttemptOutcome::BodyFailed {
            head,
            error: Error::network(TransportErrorKind::Read, js_text(&e)),
        },
    }
}

fn global_fetch(request: &Request) -> Result<Promise, JsValue> {
    let global = js_sys::global();
    if let Some(w) = global.dyn_ref::<web_sys::Window>() {
        return Ok(w.fetch_with_request(request));
    }
    if let Some(w) = global.dyn_ref::<web_sys::WorkerGlobalScope>() {
        return Ok(w.fetch_with_request(request));
    }
    Err(JsValue::from_str(
        "fetch is not available in this JavaScript context",
    ))
}

pub(crate) fn js_text(v: &JsValue) -> String {
    v.as_string()
        .or_else(|| {
            v.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{v:?}"))
}

pub(crate) fn now() -> Time {
    Time {
        now: Instant::now(),
        wall: SystemTime::now(),
    }
}

pub(crate) fn seed() -> u64 {
    (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64
}

impl DefaultTransport for WasmTransport {
    fn default_transport() -> Self {
        WasmTransport::new()
    }
}

impl Transport for WasmTransport {
    type Sent<T: Send + 'static> = SentFuture<T>;
    type Paging<O: Paginated> = PageStream<WasmTransport, O>;

    fn execute<O: Operation>(&self, ctx: CallContext<O>) -> SentFuture<Response<O::Output>> {
        Box::pin(self.clone().drive(ctx, true))
    }

    fn execute_data<O: Operation>(&self, ctx: CallContext<O>) -> SentFuture<O::Output> {
        let fut = self.clone().drive(ctx, false);
        Box::pin(async move { fut.await.map(Response::into_data) })
    }

    fn paginate<O: Paginated>(&self, ctx: CallContext<O>) -> PageStream<WasmTransport, O> {
        PageStream::new(self.clone(), ctx)
    }

    fn ready<T: Send + 'static>(result: Result<T, Error>) -> SentFuture<T> {
        Box::pin(std::future::ready(result))
    }

    fn then<T, U, F>(first: SentFuture<T>, next: F) -> SentFuture<U>
    where
        T: Send + 'static,
        U: Send + 'static,
        F: FnOnce(Result<T, Error>) -> SentFuture<U> + Send + 'static,
    {
        Box::pin(async move { next(first.await).await })
    }
}
