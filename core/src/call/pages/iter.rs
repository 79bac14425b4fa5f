//! Auto-paging adapters over any transport: an `Iterator` for transports whose calls complete
//! synchronously and a `Stream` for transports whose calls are futures. Both wrap the one
//! [`Pager`] machine and run every page as a normal call (scopes, retries, hooks apply).

use crate::call::operation::Paginated;
use crate::call::options::RequestOptions;
use crate::call::pages::pager::{Page, Pager};
use crate::call::response::Response;
use crate::client::{CallContext, Transport};
use crate::config::Config;
use crate::error::Error;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// A call result that is already complete (what blocking transports return).
pub trait Complete<T> {
    /// The result.
    fn complete(self) -> Result<T, Error>;
}

impl<T> Complete<T> for Result<T, Error> {
    fn complete(self) -> Result<T, Error> {
        self
    }
}

/// The transport's pending call of one page.
type PageCall<E, O> =
    <E as Transport>::Sent<Response<<O as crate::call::operation::Operation>::Output>>;

struct Common<E, O: Paginated> {
    exec: E,
    config: Arc<Config>,
    options: RequestOptions,
    base_url: Option<String>,
    pager: Pager<O>,
    buffer: VecDeque<O::Item>,
    finished: bool,
}

impl<E: Transport, O: Paginated> Common<E, O> {
    fn new(exec: E, ctx: CallContext<O>) -> Self {
        let pager = Pager::new(ctx.op, ctx.config.page_limit());
        Common {
            exec,
            config: ctx.config,
            options: ctx.options,
            base_url: ctx.base_url,
            pager,
            buffer: VecDeque::new(),
            finished: false,
        }
    }

    /// The next page's call, a final error, or the end.
    fn next_call(&mut self) -> Option<Result<PageCall<E, O>, Error>> {
        if self.finished {
            return None;
        }
        match self.pager.next_request() {
            None => {
                self.finished = true;
                None
            }
            Some(Err(e)) => {
                self.finished = true;
                Some(Err(e))
            }
            Some(Ok(op)) => Some(Ok(self.exec.execute(CallContext {
                op,
                config: self.config.clone(),
                options: self.options.clone(),
                base_url: self.base_url.clone(),
            }))),
        }
    }

    fn finish_page(
        &mut self,
        result: Result<Response<O::Output>, Error>,
    ) -> Result<Page<O::Item>, Error> {
        match result {
            Ok(resp) => Ok(self.pager.handle_page(resp)),
            Err(e) => {
                self.pager.fail();
                self.finished = true;
                Err(e)
            }
        }
    }
}

/// Iterates every item of every page; an error is yielded once and ends the iteration.
pub struct PageIter<E, O: Paginated> {
    inner: Common<E, O>,
}

impl<E, O: Paginated> std::fmt::Debug for PageIter<E, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageIter")
            .field("pager", &self.inner.pager)
            .finish_non_exhaustive()
    }
}

impl<E, O> PageIter<E, O>
where
    E: Transport,
    O: Paginated,
    E::Sent<Response<O::Output>>: Complete<Response<O::Output>>,
{
    /// Starts paging with the first request's context.
    pub fn new(exec: E, ctx: CallContext<O>) -> Self {
        PageIter {
            inner: Common::new(exec, ctx),
        }
    }

    /// Fetches the next whole page (with its metadata), or `None` after the last one.
    pub fn next_page(&mut self) -> Option<Result<Page<O::Item>, Error>> {
        let result = match self.inner.next_call()? {
            Ok(sent) => sent.complete(),
            Err(e) => return Some(Err(e)),
        };
        Some(self.inner.finish_page(result))
    }

    /// Turns this into an iterator of whole pages.
    pub fn pages(mut self) -> impl Iterator<Item = Result<Page<O::Item>, Error>> {
        std::iter::from_fn(move || self.next_page())
    }
}

impl<E, O> Iterator for PageIter<E, O>
where
    E: Transport,
    O: Paginated,
    E::Sent<Response<O::Output>>: Complete<Response<O::Output>>,
{
    type Item = Result<O::Item, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        // Bounded: each round yields, ends, or consumes one page; the pager caps pages.
        loop {
            if let Some(item) = self.inner.buffer.pop_front() {
                return Some(Ok(item));
            }
            match self.next_page()? {
                Ok(page) => self.inner.buffer.extend(page.items),
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

/// Streams every item of every page; an error is yielded once and ends the stream.
pub struct PageStream<E: Transport, O: Paginated> {
    inner: Common<E, O>,
    in_flight: Option<E::Sent<Response<O::Output>>>,
}

// The stream never pins its fields: the futures it polls are `Unpin` (boxed by transports).
impl<E: Transport, O: Paginated> Unpin for PageStream<E, O> {}

impl<E: Transport, O: Paginated> std::fmt::Debug for PageStream<E, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageStream")
            .field("pager", &self.inner.pager)
            .finish_non_exhaustive()
    }
}

impl<E, O> PageStream<E, O>
where
    E: Transport,
    O: Paginated,
    E::Sent<Response<O::Output>>: Future<Output = Result<Response<O::Output>, Error>> + Unpin,
{
    /// Starts paging with the first request's context.
    pub fn new(exec: E, ctx: CallContext<O>) -> Self {
        PageStream {
            inner: Common::new(exec, ctx),
            in_flight: None,
        }
    }

    /// Polls for the next whole page.
    pub fn poll_page(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Page<O::Item>, Error>>> {
        if self.in_flight.is_none() {
            match self.inner.next_call() {
                None => return Poll::Ready(None),
                Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                Some(Ok(fut)) => self.in_flight = Some(fut),
            }
        }
        let Some(fut) = self.in_flight.as_mut() else {
            return Poll::Ready(None);
        };
        match Pin::new(fut).poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(result) => {
                self.in_flight = None;
                Poll::Ready(Some(self.inner.finish_page(result)))
            }
        }
    }

    /// Polls for the next item.
    pub fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<O::Item, Error>>> {
        // Bounded: each round yields, ends, waits, or consumes one page; the pager caps pages.
        loop {
            if let Some(item) = self.inner.buffer.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            match self.poll_page(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(Some(Ok(page))) => self.inner.buffer.extend(page.items),
            }
        }
    }

    /// The next whole page (with its metadata), or `None` after the last one.
    pub async fn next_page(&mut self) -> Option<Result<Page<O::Item>, Error>> {
        std::future::poll_fn(|cx| self.poll_page(cx)).await
    }

    /// The next item, or `None` at the end (the same as `StreamExt::next`).
    pub async fn next_item(&mut self) -> Option<Result<O::Item, Error>> {
        std::future::poll_fn(|cx| self.poll_item(cx)).await
    }

    /// Collects every item, stopping at the first error.
    pub async fn try_collect(mut self) -> Result<Vec<O::Item>, Error> {
        let mut out = Vec::new();
        while let Some(item) = self.next_item().await {
            out.push(item?);
        }
        Ok(out)
    }
}

impl<E, O> futures_core::Stream for PageStream<E, O>
where
    E: Transport,
    O: Paginated,
    E::Sent<Response<O::Output>>: Future<Output = Result<Response<O::Output>, Error>> + Unpin,
{
    type Item = Result<O::Item, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_item(cx)
    }
}
