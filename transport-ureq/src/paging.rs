//! Blocking auto-paging: an `Iterator` of items with page-by-page access.

use crate::driver::UreqExecutor;
use amigo_platform_core::client::CallContext;
use amigo_platform_core::{Error, Page, Pager, Paginated, RequestOptions};
use std::collections::VecDeque;
use std::sync::Arc;

/// Iterates every item of every page; an error is yielded once and ends the iteration.
pub struct PageIter<O: Paginated> {
    exec: UreqExecutor,
    config: Arc<amigo_platform_core::Config>,
    options: RequestOptions,
    base_url: Option<String>,
    pager: Pager<O>,
    buffer: VecDeque<O::Item>,
    finished: bool,
}

impl<O: Paginated> std::fmt::Debug for PageIter<O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageIter")
            .field("pager", &self.pager)
            .finish_non_exhaustive()
    }
}

impl<O: Paginated> PageIter<O> {
    pub(crate) fn new(exec: UreqExecutor, ctx: CallContext<O>) -> Self {
        let pager = Pager::new(ctx.op, ctx.config.page_limit());
        PageIter {
            exec,
            config: ctx.config,
            options: ctx.options,
            base_url: ctx.base_url,
            pager,
            buffer: VecDeque::new(),
            finished: false,
        }
    }

    /// Fetches the next whole page (with its metadata), or `None` after the last one.
    pub fn next_page(&mut self) -> Option<Result<Page<O::Item>, Error>> {
        if self.finished {
            return None;
        }
        let op = match self.pager.next_request()? {
            Ok(op) => op,
            Err(e) => {
                self.finished = true;
                return Some(Err(e));
            }
        };
        let ctx = CallContext {
            op,
            config: self.config.clone(),
            options: self.options.clone(),
            base_url: self.base_url.clone(),
        };
        match self.exec.drive(ctx) {
            Ok(resp) => Some(Ok(self.pager.handle_page(resp))),
            Err(e) => {
                self.pager.fail();
                self.finished = true;
                Some(Err(e))
            }
        }
    }

    /// Turns this into an iterator of whole pages.
    pub fn pages(self) -> impl Iterator<Item = Result<Page<O::Item>, Error>> {
        let mut me = self;
        std::iter::from_fn(move || me.next_page())
    }
}

impl<O: Paginated> Iterator for PageIter<O> {
    type Item = Result<O::Item, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        // Bounded: each round either yields, ends, or fetches a page; the pager caps pages.
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Some(Ok(item));
            }
            match self.next_page()? {
                Ok(page) => self.buffer.extend(page.items),
                Err(e) => return Some(Err(e)),
            }
        }
    }
}
