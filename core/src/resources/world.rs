//! The `world` namespace (hand-written subset): operation `list-entities`.

use super::models::{Entity, EntityList};
use super::{namespace, operation};
use crate::client::{AutoPaging, Executor, Pending};
use crate::operation::{PageData, PagerKind, Paginated, RequestParts};
use crate::parse;
use crate::query::Query;

namespace!(
    /// The world model of patients, appointments and other entities.
    World
);

impl<'c, E: Executor> World<'c, E> {
    /// `GET /v1/{workspace_id}/world/entities` (`list-entities`), one page.
    pub fn list_entities(&self) -> Pending<'c, E, ListEntities> {
        self.scope.pending(ListEntities::default())
    }

    /// `GET /v1/{workspace_id}/world/entities` (`list-entities`), every page.
    pub fn list_entities_auto_paging(&self) -> Pending<'c, E, ListEntities, AutoPaging> {
        self.list_entities().auto_paging()
    }
}

/// Operation `list-entities`: `GET /v1/{workspace_id}/world/entities` (next-offset pager).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListEntities {
    /// Query `entity_type` (repeated key).
    pub entity_type: Vec<String>,
    /// Query `q`.
    pub q: Option<String>,
    /// Query `limit`.
    pub limit: Option<i64>,
    /// Query `offset`.
    pub offset: Option<i64>,
    /// Query `tags` (repeated key).
    pub tags: Vec<String>,
}

operation!(
    ListEntities,
    GET,
    "/v1/{workspace_id}/world/entities",
    "list-entities",
    EntityList,
    parse::json,
    |s| {
        let mut q = Query::new();
        q.push("entity_type", s.entity_type.clone())
            .push("q", s.q.clone())
            .push("limit", s.limit)
            .push("offset", s.offset)
            .push("tags", s.tags.clone());
        Ok(RequestParts::new().query(q))
    }
);

impl Paginated for ListEntities {
    type Item = Entity;
    fn pager_kind(&self) -> PagerKind {
        PagerKind::NextOffset
    }
    fn cursor(&self) -> Option<i64> {
        self.offset
    }
    fn with_cursor(&self, cursor: i64) -> Self {
        ListEntities {
            offset: Some(cursor),
            ..self.clone()
        }
    }
    fn page(o: EntityList) -> PageData<Entity> {
        PageData {
            items: o.entities,
            has_more: Some(o.has_more),
            next_cursor: o.next_offset,
            total: o.total,
            offset: None,
        }
    }
}

impl<'c, E: Executor, M> Pending<'c, E, ListEntities, M> {
    /// Query `entity_type`: adds one type (repeatable).
    pub fn entity_type(mut self, v: impl Into<String>) -> Self {
        self.op_mut().entity_type.push(v.into());
        self
    }
    /// Query `q`: search text.
    pub fn q(mut self, v: impl Into<String>) -> Self {
        self.op_mut().q = Some(v.into());
        self
    }
    /// Query `limit`.
    pub fn limit(mut self, v: i64) -> Self {
        self.op_mut().limit = Some(v);
        self
    }
    /// Query `offset`.
    pub fn offset(mut self, v: i64) -> Self {
        self.op_mut().offset = Some(v);
        self
    }
    /// Query `tags`: adds one tag (repeatable).
    pub fn tag(mut self, v: impl Into<String>) -> Self {
        self.op_mut().tags.push(v.into());
        self
    }
}
