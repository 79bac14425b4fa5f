//! The sans-IO `Pager`: links pages, guards against loops and caps the page count.
//!
//! Driving contract: call [`Pager::next_request`] for the operation of the next page, run it
//! as a normal call, and feed the result to [`Pager::handle_page`] (or [`Pager::fail`]).
//! Stop when `next_request` returns `None`.

use crate::call::operation::{PagerKind, Paginated};
use crate::call::response::{Response, ResponseMeta};
use crate::error::Error;
use std::collections::HashSet;

/// One fetched page with its links and metadata.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The page's items.
    pub items: Vec<T>,
    /// Whether the server said more pages follow.
    pub has_more: bool,
    /// `total`, when the response carries it.
    pub total: Option<i64>,
    /// The cursor for the next page, when there is one.
    pub next_cursor: Option<i64>,
    /// Status, request id, headers and rate limits of this page.
    pub meta: ResponseMeta,
}

enum Next<O> {
    Request(O),
    Error(Error),
    Finished,
}

/// Auto-pagination state for one listing.
pub struct Pager<O: Paginated> {
    next: Next<O>,
    kind: PagerKind,
    page_limit: u32,
    pages: u32,
    seen: HashSet<i64>,
    current: Option<i64>,
}

impl<O: Paginated> std::fmt::Debug for Pager<O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pager")
            .field("kind", &self.kind)
            .field("pages", &self.pages)
            .finish_non_exhaustive()
    }
}

impl<O: Paginated> Pager<O> {
    /// Starts with the caller's request, unchanged (including any cursor it set).
    pub fn new(first: O, page_limit: u32) -> Self {
        let kind = first.pager_kind();
        Pager {
            next: Next::Request(first),
            kind,
            page_limit,
            pages: 0,
            seen: HashSet::new(),
            current: None,
        }
    }

    /// Pages fetched so far.
    pub fn pages_fetched(&self) -> u32 {
        self.pages
    }

    /// The next page's operation, a final Pagination error, or `None` when done.
    pub fn next_request(&mut self) -> Option<Result<O, Error>> {
        match std::mem::replace(&mut self.next, Next::Finished) {
            Next::Finished => None,
            Next::Error(e) => Some(Err(e)),
            Next::Request(op) => {
                if self.pages >= self.page_limit {
                    return Some(Err(Error::page_limit(self.page_limit)));
                }
                self.pages += 1;
                let cursor = op.cursor();
                self.current = cursor;
                if self.kind == PagerKind::Token {
                    self.seen.insert(cursor.unwrap_or(0));
                }
                let again = op.clone();
                self.next = Next::Request(again);
                // The stored copy is replaced by handle_page; keeping it lets `fail` stop cleanly.
                Some(Ok(op))
            }
        }
    }

    /// Feeds the response of the page last returned by `next_request`; returns its items.
    pub fn handle_page(&mut self, response: Response<O::Output>) -> Page<O::Item> {
        let Next::Request(op) = std::mem::replace(&mut self.next, Next::Finished) else {
            return Page {
                items: Vec::new(),
                has_more: false,
                total: None,
                next_cursor: None,
                meta: response.meta,
            };
        };
        let data = O::page(response.data);
        let has_more = data.has_more.unwrap_or(false);
        let current = self.current.unwrap_or(0);
        let next_cursor = match self.kind {
            PagerKind::Token | PagerKind::NextOffset => data.next_cursor,
            PagerKind::DerivedOffset => {
                let base = data.offset.or(self.current).unwrap_or(0);
                (!data.items.is_empty()).then(|| base.saturating_add(data.items.len() as i64))
            }
        };
        if has_more {
            match next_cursor {
                None => {}
                Some(c) if self.kind == PagerKind::Token && self.seen.contains(&c) => {
                    self.next = Next::Error(Error::repeated_cursor(c));
                }
                Some(c) if self.kind != PagerKind::Token && c <= current => {
                    self.next = Next::Error(Error::repeated_cursor(c));
                }
                Some(c) => self.next = Next::Request(op.with_cursor(c)),
            }
        }
        Page {
            items: data.items,
            has_more,
            total: data.total,
            next_cursor,
            meta: response.meta,
        }
    }

    /// Reports that the page request failed: the error is yielded once and the pager ends.
    pub fn fail(&mut self) {
        self.next = Next::Finished;
    }
}

/// The generic pager, for listings the generated pagers do not cover (a raw route, say): `fetch_page` receives the cursor (`None` the
/// first time) and returns a Token-shaped page; iteration stops when `has_more` is false or the
/// cursor is null **or absent**, on a repeated cursor (Pagination error) and at `page_limit`.
///
/// The closure does the I/O (for example a blocking call), so this stays runtime-free.
pub fn paginate<T, F>(page_limit: u32, fetch_page: F) -> Paginate<T, F>
where
    F: FnMut(Option<i64>) -> Result<crate::call::operation::PageData<T>, Error>,
{
    Paginate {
        fetch_page,
        page_limit,
        pages: 0,
        cursor: None,
        seen: HashSet::new(),
        buffer: Default::default(),
        finished: false,
    }
}

/// The iterator returned by [`paginate`].
pub struct Paginate<T, F> {
    fetch_page: F,
    page_limit: u32,
    pages: u32,
    cursor: Option<i64>,
    seen: HashSet<i64>,
    buffer: std::collections::VecDeque<Result<T, Error>>,
    finished: bool,
}

impl<T, F> std::fmt::Debug for Paginate<T, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Paginate")
            .field("pages", &self.pages)
            .field("cursor", &self.cursor)
            .finish_non_exhaustive()
    }
}

impl<T, F> Iterator for Paginate<T, F>
where
    F: FnMut(Option<i64>) -> Result<crate::call::operation::PageData<T>, Error>,
{
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        // Bounded by page_limit: every round yields, ends, or fetches one page.
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Some(item);
            }
            if self.finished {
                return None;
            }
            if self.pages >= self.page_limit {
                self.finished = true;
                return Some(Err(Error::page_limit(self.page_limit)));
            }
            self.pages += 1;
            match (self.fetch_page)(self.cursor) {
                Err(e) => {
                    self.finished = true;
                    return Some(Err(e));
                }
                Ok(page) => {
                    self.buffer.extend(page.items.into_iter().map(Ok));
                    match (page.has_more.unwrap_or(false), page.next_cursor) {
                        (true, Some(c)) if !self.seen.insert(c) => {
                            self.finished = true;
                            self.buffer.push_back(Err(Error::repeated_cursor(c)));
                        }
                        (true, Some(c)) => self.cursor = Some(c),
                        _ => self.finished = true,
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
