//! `setTimeout` sleeps and a two-way race, without any runtime.

use std::future::{poll_fn, Future};
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;
use web_time::Instant;

/// Resolves after `d` (clamped to what `setTimeout` accepts).
pub(crate) async fn sleep(d: Duration) {
    let ms = i32::try_from(d.as_millis()).unwrap_or(i32::MAX);
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = crate::fetch::call_global("setTimeout", &resolve, &ms.into());
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Resolves at `at`, or never for `None` (no time limit).
pub(crate) async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => sleep(at.saturating_duration_since(Instant::now())).await,
        None => std::future::pending().await,
    }
}

/// Which of two futures finished first.
pub(crate) enum Either<A, B> {
    Left(A),
    Right(B),
}

/// Polls both futures; the first to finish wins and the other is dropped.
pub(crate) async fn race<A: Future, B: Future>(a: A, b: B) -> Either<A::Output, B::Output> {
    let (mut a, mut b) = (pin!(a), pin!(b));
    poll_fn(|cx| match a.as_mut().poll(cx) {
        Poll::Ready(x) => Poll::Ready(Either::Left(x)),
        Poll::Pending => b.as_mut().poll(cx).map(Either::Right),
    })
    .await
}
