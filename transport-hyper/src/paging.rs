//! Async auto-paging: a `Stream` of items with page-by-page access.

use crate::driver::{HyperExecutor, SentFuture};
use amigo_platform_core::client::CallContext;
use amigo_platform_core::{Config, Error, Page, Pager, Paginated, RequestOptions, Response};
use std::collections::VecDeque;
use std::future::poll_fn;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// Streams every item of every page; an error is yielded once and ends the stream.
pub struct PageStream<O: Paginated> {
    exec: HyperExecutor,
    config: Arc<Config>,
    options: RequestOptions,
    base_url: Option<String>,
    pager: Pager<O>,
    buffer: VecDeque<O::Item>,
    in_flight: Option<SentFuture<Response<O::Output>>>,
    finished: bool,
}

// The stream never pins its fields in place: the only future it polls is boxed.
impl<O: Paginated> Unpin for PageStream<O> {}

impl<O: Paginated> std::fmt::Debug for PageStream<O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageStream")
            .field("pager", &self.pager)
            .finish_non_exhaustive()
    }
}

impl<O: Paginated> PageStream<O> {
    pub(crate) fn new(exec: HyperExecutor, ctx: CallContext<O>) -> Self {
        let pager = Pager::new(ctx.op, ctx.config.page_limit());
        PageStream {
            exec,
            config: ctx.config,
            options: ctx.options,
            base_url: ctx.base_url,
            pager,
            buffer: VecDeque::new(),
            in_flight: None,
            finished: false,
        }
    }

    fn poll_page(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Page<O::Item>, Error>>> {
        if self.in_flight.is_none() {
            if self.finished {
                return Poll::Ready(None);
            }
            match self.pager.next_request() {
                None => {
                    self.finished = true;
                    return Poll::Ready(None);
                }
                Some(Err(e)) => {
                    self.finished = true;
                    return Poll::Ready(Some(Err(e)));
                }
                Some(Ok(op)) => {
                    let ctx = CallContext {
                        op,
                        config: self.config.clone(),
                        options: self.options.clone(),
                        base_url: self.base_url.clone(),
                    };
                    self.in_flight = Some(Box::pin(self.exec.clone().drive(ctx)));
                }
            }
        }
        let Some(fut) = self.in_flight.as_mut() else {
            return Poll::Ready(None);
        };
        match fut.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(result) => {
                self.in_flight = None;
                match result {
                    Ok(resp) => Poll::Ready(Some(Ok(self.pager.handle_page(resp)))),
                    Err(e) => {
                        self.pager.fail();
                        self.finished = true;
                        Poll::Ready(Some(Err(e)))
                    }
                }
            }
        }
    }

    /// Fetches the next whole page (with its metadata), or `None` after the last one.
    /// Items already buffered by the item stream are not repeated.
    pub async fn next_page(&mut self) -> Option<Result<Page<O::Item>, Error>> {
        poll_fn(|cx| self.poll_page(cx)).await
    }

    /// The next item, or `None` at the end (the same as `StreamExt::next`).
    pub async fn next_item(&mut self) -> Option<Result<O::Item, Error>> {
        poll_fn(|cx| Pin::new(&mut *self).poll_item(cx)).await
    }

    fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<O::Item, Error>>> {
        // Bounded: each round yields, ends, waits, or consumes one page; the pager caps pages.
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            match self.poll_page(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(Some(Ok(page))) => self.buffer.extend(page.items),
            }
        }
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

impl<O: Paginated> futures_core::Stream for PageStream<O> {
    type Item = Result<O::Item, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_item(cx)
    }
}
