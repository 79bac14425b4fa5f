//! The `agents` namespace: operations `list-agents`, `get-agent`, `create-agent`,
//! `update-agent`, `delete-agent`, `create-agent-version`, `get-agent-version`,
//! `list-agent-versions`.

use super::models::{
    Agent, AgentVersion, CreateAgentRequest, CreateAgentVersionRequest, TokenPage,
    UpdateAgentRequest,
};
use super::{namespace, operation};
use crate::body::Body;
use crate::client::{Executor, Pending};
use crate::operation::{PageData, PagerKind, Paginated, RequestParts};
use crate::parse;
use crate::query::Query;

namespace!(
    /// Agents of the workspace.
    Agents
);

impl<'c, E: Executor> Agents<'c, E> {
    /// `GET /v1/{workspace_id}/agents` (`list-agents`), one page.
    pub fn list(&self) -> Pending<'c, E, ListAgents> {
        self.scope.pending(ListAgents::default())
    }

    /// `GET /v1/{workspace_id}/agents` (`list-agents`), every page.
    pub fn list_auto_paging(&self) -> Pending<'c, E, ListAgents, crate::client::AutoPaging> {
        self.list().auto_paging()
    }

    /// `GET /v1/{workspace_id}/agents/{agent_id}` (`get-agent`).
    pub fn get(&self, agent_id: impl Into<String>) -> Pending<'c, E, GetAgent> {
        self.scope.pending(GetAgent {
            agent_id: agent_id.into(),
        })
    }

    /// `POST /v1/{workspace_id}/agents` (`create-agent`).
    pub fn create(&self, body: CreateAgentRequest) -> Pending<'c, E, CreateAgent> {
        self.scope.pending(CreateAgent { body })
    }

    /// `PUT /v1/{workspace_id}/agents/{agent_id}` (`update-agent`).
    pub fn update(
        &self,
        agent_id: impl Into<String>,
        body: UpdateAgentRequest,
    ) -> Pending<'c, E, UpdateAgent> {
        self.scope.pending(UpdateAgent {
            agent_id: agent_id.into(),
            body,
        })
    }

    /// `DELETE /v1/{workspace_id}/agents/{agent_id}` (`delete-agent`) → `()`.
    pub fn delete(&self, agent_id: impl Into<String>) -> Pending<'c, E, DeleteAgent> {
        self.scope.pending(DeleteAgent {
            agent_id: agent_id.into(),
        })
    }

    /// `POST /v1/{workspace_id}/agents/{agent_id}/versions` (`create-agent-version`).
    pub fn create_version(
        &self,
        agent_id: impl Into<String>,
        body: CreateAgentVersionRequest,
    ) -> Pending<'c, E, CreateAgentVersion> {
        self.scope.pending(CreateAgentVersion {
            agent_id: agent_id.into(),
            body,
        })
    }

    /// `GET /v1/{workspace_id}/agents/{agent_id}/versions/{version}` (`get-agent-version`);
    /// `version` is a number or `"latest"`.
    pub fn get_version(
        &self,
        agent_id: impl Into<String>,
        version: impl Into<VersionRef>,
    ) -> Pending<'c, E, GetAgentVersion> {
        self.scope.pending(GetAgentVersion {
            agent_id: agent_id.into(),
            version: version.into(),
        })
    }

    /// `GET /v1/{workspace_id}/agents/{agent_id}/versions` (`list-agent-versions`), one page.
    pub fn list_versions(&self, agent_id: impl Into<String>) -> Pending<'c, E, ListAgentVersions> {
        self.scope.pending(ListAgentVersions {
            agent_id: agent_id.into(),
            limit: None,
            continuation_token: None,
        })
    }
}

/// Operation `list-agents`: `GET /v1/{workspace_id}/agents`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListAgents {
    /// Query `search`.
    pub search: Option<String>,
    /// Query `sort_by`.
    pub sort_by: Option<String>,
    /// Query `limit` (1..=20, spec default 10).
    pub limit: Option<i64>,
    /// Query `continuation_token` (offset; spec default 0).
    pub continuation_token: Option<i64>,
}

operation!(
    ListAgents,
    GET,
    "/v1/{workspace_id}/agents",
    "list-agents",
    TokenPage<Agent>,
    parse::json,
    |s| {
        let mut q = Query::new();
        q.push("search", s.search.clone())
            .push("sort_by", s.sort_by.clone())
            .push("limit", s.limit)
            .push("continuation_token", s.continuation_token);
        Ok(RequestParts::new().query(q))
    }
);

impl Paginated for ListAgents {
    type Item = Agent;
    fn pager_kind(&self) -> PagerKind {
        PagerKind::Token
    }
    fn cursor(&self) -> Option<i64> {
        self.continuation_token
    }
    fn with_cursor(&self, cursor: i64) -> Self {
        ListAgents {
            continuation_token: Some(cursor),
            ..self.clone()
        }
    }
    fn page(output: TokenPage<Agent>) -> PageData<Agent> {
        token_page(output)
    }
}

pub(crate) fn token_page<T>(p: TokenPage<T>) -> PageData<T> {
    PageData {
        items: p.items,
        has_more: Some(p.has_more),
        next_cursor: p.continuation_token,
        total: p.total,
        offset: None,
    }
}

impl<'c, E: Executor, M> Pending<'c, E, ListAgents, M> {
    /// Query `search`: substring filter on the name.
    pub fn search(mut self, v: impl Into<String>) -> Self {
        self.op_mut().search = Some(v.into());
        self
    }
    /// Query `sort_by`.
    pub fn sort_by(mut self, v: impl Into<String>) -> Self {
        self.op_mut().sort_by = Some(v.into());
        self
    }
    /// Query `limit` (page size).
    pub fn limit(mut self, v: i64) -> Self {
        self.op_mut().limit = Some(v);
        self
    }
    /// Query `continuation_token` (start offset).
    pub fn continuation_token(mut self, v: i64) -> Self {
        self.op_mut().continuation_token = Some(v);
        self
    }
}

/// Operation `get-agent`: `GET /v1/{workspace_id}/agents/{agent_id}`.
#[derive(Debug, Clone, PartialEq)]
pub struct GetAgent {
    /// Path `agent_id`.
    pub agent_id: String,
}

operation!(
    GetAgent,
    GET,
    "/v1/{workspace_id}/agents/{agent_id}",
    "get-agent",
    Agent,
    parse::json,
    |s| { Ok(RequestParts::new().path("agent_id", &s.agent_id)) }
);

/// Operation `create-agent`: `POST /v1/{workspace_id}/agents`.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateAgent {
    /// Body `CreateAgentRequest`.
    pub body: CreateAgentRequest,
}

operation!(
    CreateAgent,
    POST,
    "/v1/{workspace_id}/agents",
    "create-agent",
    Agent,
    parse::json,
    |s| { Ok(RequestParts::new().body(Body::json(&s.body)?)) }
);

/// Operation `update-agent`: `PUT /v1/{workspace_id}/agents/{agent_id}`.
#[derive(Debug, Clone, PartialEq)]
pub struct UpdateAgent {
    /// Path `agent_id`.
    pub agent_id: String,
    /// Body `UpdateAgentRequest`.
    pub body: UpdateAgentRequest,
}

operation!(
    UpdateAgent,
    PUT,
    "/v1/{workspace_id}/agents/{agent_id}",
    "update-agent",
    Agent,
    parse::json,
    |s| {
        Ok(RequestParts::new()
            .path("agent_id", &s.agent_id)
            .body(Body::json(&s.body)?))
    }
);

/// Operation `delete-agent`: `DELETE /v1/{workspace_id}/agents/{agent_id}` → `()`.
#[derive(Debug, Clone, PartialEq)]
pub struct DeleteAgent {
    /// Path `agent_id`.
    pub agent_id: String,
}

operation!(
    DeleteAgent,
    DELETE,
    "/v1/{workspace_id}/agents/{agent_id}",
    "delete-agent",
    (),
    parse::unit,
    |s| { Ok(RequestParts::new().path("agent_id", &s.agent_id)) }
);

/// Operation `create-agent-version`: `POST /v1/{workspace_id}/agents/{agent_id}/versions`.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateAgentVersion {
    /// Path `agent_id`.
    pub agent_id: String,
    /// Body `CreateAgentVersionRequest`.
    pub body: CreateAgentVersionRequest,
}

operation!(
    CreateAgentVersion,
    POST,
    "/v1/{workspace_id}/agents/{agent_id}/versions",
    "create-agent-version",
    AgentVersion,
    parse::json,
    |s| Ok(RequestParts::new()
        .path("agent_id", &s.agent_id)
        .body(Body::json(&s.body)?))
);

/// A version number or the literal `latest`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionRef {
    /// A version number (sent as decimal text).
    Number(i64),
    /// The newest version.
    Latest,
}

impl From<i64> for VersionRef {
    fn from(v: i64) -> Self {
        VersionRef::Number(v)
    }
}
impl From<i32> for VersionRef {
    fn from(v: i32) -> Self {
        VersionRef::Number(v.into())
    }
}
impl From<&str> for VersionRef {
    fn from(v: &str) -> Self {
        match v.parse::<i64>() {
            Ok(n) => VersionRef::Number(n),
            Err(_) => VersionRef::Latest,
        }
    }
}

impl std::fmt::Display for VersionRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VersionRef::Number(n) => write!(f, "{n}"),
            VersionRef::Latest => f.write_str("latest"),
        }
    }
}

/// Operation `get-agent-version`: `GET /v1/{workspace_id}/agents/{agent_id}/versions/{version}`.
#[derive(Debug, Clone, PartialEq)]
pub struct GetAgentVersion {
    /// Path `agent_id`.
    pub agent_id: String,
    /// Path `version`: integer or `latest`.
    pub version: VersionRef,
}

operation!(
    GetAgentVersion,
    GET,
    "/v1/{workspace_id}/agents/{agent_id}/versions/{version}",
    "get-agent-version",
    AgentVersion,
    parse::json,
    |s| Ok(RequestParts::new()
        .path("agent_id", &s.agent_id)
        .path("version", &s.version))
);

/// Operation `list-agent-versions`: `GET /v1/{workspace_id}/agents/{agent_id}/versions`.
#[derive(Debug, Clone, PartialEq)]
pub struct ListAgentVersions {
    /// Path `agent_id`.
    pub agent_id: String,
    /// Query `limit`.
    pub limit: Option<i64>,
    /// Query `continuation_token`.
    pub continuation_token: Option<i64>,
}

operation!(
    ListAgentVersions,
    GET,
    "/v1/{workspace_id}/agents/{agent_id}/versions",
    "list-agent-versions",
    TokenPage<AgentVersion>,
    parse::json,
    |s| {
        let mut q = Query::new();
        q.push("limit", s.limit)
            .push("continuation_token", s.continuation_token);
        Ok(RequestParts::new().path("agent_id", &s.agent_id).query(q))
    }
);

impl Paginated for ListAgentVersions {
    type Item = AgentVersion;
    fn pager_kind(&self) -> PagerKind {
        PagerKind::Token
    }
    fn cursor(&self) -> Option<i64> {
        self.continuation_token
    }
    fn with_cursor(&self, cursor: i64) -> Self {
        ListAgentVersions {
            continuation_token: Some(cursor),
            ..self.clone()
        }
    }
    fn page(output: TokenPage<AgentVersion>) -> PageData<AgentVersion> {
        token_page(output)
    }
}

impl<'c, E: Executor, M> Pending<'c, E, ListAgentVersions, M> {
    /// Query `limit`.
    pub fn limit(mut self, v: i64) -> Self {
        self.op_mut().limit = Some(v);
        self
    }
}
