//! `setTimeout` sleeps and a two-way race, without any runtime.

use js_sys::{Function, Promise, Reflect};
use std::future::{poll_fn, Future};
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Resolves after `d` (clamped to what `setTimeout` accepts).
pub(crate) async fn sleep(d: Duration) {
    let ms = i32::try_from(d.as_millis()).unwrap_or(i32::MAX);
    let promise = Promise::new(&mut |resolve, _reject| {
        let global = js_sys::global();
        if let Ok(f) = Reflect::get(&global, &JsValue::from_str("setTimeout"))
            .and_then(|f| f.dyn_into::<Function>())
        {
            let _ = f.call2(&global, &resolve, &JsValue::from(ms));
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Resolves after `d`, or never for `None` (an absent time limit).
pub(crate) async fn sleep_opt(d: Option<Duration>) {
    match d {
        Some(d) => sleep(d).await,
        None => std::future::pending::<()>().await,
    }
}

/// The time from now until an optional instant.
pub(crate) fn until(at: Option<web_time::Instant>) -> Option<Duration> {
    at.map(|u| u.saturating_duration_since(web_time::Instant::now()))
}

/// Which of two futures finished first.
pub(crate) enum Either<A, B> {
    /// The first.
    Left(A),
    /// The second.
    Right(B),
}

/// Polls both futures; the first to finish wins and the other is dropped.
pub(crate) async fn race<A: Future, B: Future>(a: A, b: B) -> Either<A::Output, B::Output> {
    let mut a = pin!(a);
    let mut b = pin!(b);
    poll_fn(|cx| {
        if let Poll::Ready(x) = a.as_mut().poll(cx) {
            return Poll::Ready(Either::Left(x));
        }
        if let Poll::Ready(y) = b.as_mut().poll(cx) {
            return Poll::Ready(Either::Right(y));
        }
        Poll::Pending
    })
    .await
}
