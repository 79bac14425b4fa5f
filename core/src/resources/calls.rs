//! The `calls` namespace (hand-written subset): operation `list-calls`.

use super::models::{CallSummary, TokenPage};
use super::{namespace, operation};
use crate::client::{AutoPaging, Executor, Pending};
use crate::operation::{PageData, PagerKind, Paginated, RequestParts};
use crate::parse;
use crate::query::Query;

namespace!(
    /// Voice calls of the workspace.
    Calls
);

impl<'c, E: Executor> Calls<'c, E> {
    /// `GET /v1/{workspace_id}/calls` (`list-calls`), one page.
    pub fn list(&self) -> Pending<'c, E, ListCalls> {
        self.scope.pending(ListCalls::default())
    }

    /// `GET /v1/{workspace_id}/calls` (`list-calls`), every page (uses `continuation_token`).
    pub fn list_auto_paging(&self) -> Pending<'c, E, ListCalls, AutoPaging> {
        self.list().auto_paging()
    }
}

/// Operation `list-calls`: `GET /v1/{workspace_id}/calls` (token pager).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListCalls {
    /// Query `status`.
    pub status: Option<String>,
    /// Query `direction`.
    pub direction: Option<String>,
    /// Query `limit`.
    pub limit: Option<i64>,
    /// Query `continuation_token`.
    pub continuation_token: Option<i64>,
}

operation!(
    ListCalls,
    GET,
    "/v1/{workspace_id}/calls",
    "list-calls",
    TokenPage<CallSummary>,
    parse::json,
    |s| {
        let mut q = Query::new();
        q.push("status", s.status.clone())
            .push("direction", s.direction.clone())
            .push("limit", s.limit)
            .push("continuation_token", s.continuation_token);
        Ok(RequestParts::new().query(q))
    }
);

impl Paginated for ListCalls {
    type Item = CallSummary;
    fn pager_kind(&self) -> PagerKind {
        PagerKind::Token
    }
    fn cursor(&self) -> Option<i64> {
        self.continuation_token
    }
    fn with_cursor(&self, cursor: i64) -> Self {
        ListCalls {
            continuation_token: Some(cursor),
            ..self.clone()
        }
    }
    fn page(o: TokenPage<CallSummary>) -> PageData<CallSummary> {
        super::agents::token_page(o)
    }
}

impl<'c, E: Executor, M> Pending<'c, E, ListCalls, M> {
    /// Query `status`.
    pub fn status(mut self, v: impl Into<String>) -> Self {
        self.op_mut().status = Some(v.into());
        self
    }
    /// Query `direction`.
    pub fn direction(mut self, v: impl Into<String>) -> Self {
        self.op_mut().direction = Some(v.into());
        self
    }
    /// Query `limit`.
    pub fn limit(mut self, v: i64) -> Self {
        self.op_mut().limit = Some(v);
        self
    }
}
