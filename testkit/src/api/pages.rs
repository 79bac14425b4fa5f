//! Paging helpers: slicing a listing into one page and the token-pager wire shape.

use http::StatusCode;
use serde_json::{json, Value};

use super::Reply;

/// One page of a list: items plus the bookkeeping every pager shape needs.
pub(super) struct Page {
    pub(super) items: Vec<Value>,
    pub(super) has_more: bool,
    pub(super) next: Option<usize>,
    pub(super) total: usize,
}

/// Slices `all` at `offset` (negative offsets count as 0) with `limit` items.
pub(super) fn page(all: Vec<Value>, offset: i64, limit: i64) -> Page {
    let total = all.len();
    let start = usize::try_from(offset.max(0))
        .unwrap_or(usize::MAX)
        .min(total);
    let limit = usize::try_from(limit.max(0)).unwrap_or(usize::MAX);
    let end = start.saturating_add(limit).min(total);
    let has_more = end < total;
    Page {
        items: all.into_iter().skip(start).take(end - start).collect(),
        has_more,
        next: has_more.then_some(end),
        total,
    }
}

/// The token-pager wire shape `{items, has_more, continuation_token, total}`.
pub(super) fn token_page(p: Page) -> Reply {
    Reply::json(
        StatusCode::OK,
        &json!({
            "items": p.items,
            "has_more": p.has_more,
            "continuation_token": p.next,
            "total": p.total,
        }),
    )
}
