//! Small operations for the core's own unit tests.
//!
//! The real surface (every operation of the spec, with its models) is generated into
//! `amigo-platform-api`, which depends on this crate and so cannot be used here. These three
//! hand-written operations have the same shapes as the spec's `get-agent`, `create-agent` and
//! `list-agents` (a token pager), which is all the call, request and pager machines need.

use crate::call::body::Body;
use crate::call::operation::{Operation, PageData, PagerKind, Paginated, RequestParts};
use crate::call::parse;
use crate::call::query::Query;
use crate::error::Error;
use bytes::Bytes;
use http::Method;
use serde::{Deserialize, Serialize};

/// Schema `AgentResponse`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct Agent {
    pub(crate) id: String,
    pub(crate) workspace_id: String,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) created_at: String,
    pub(crate) updated_at: String,
    #[serde(default)]
    pub(crate) latest_version: Option<i64>,
}

/// Schema `PaginatedResponse_<T>_`: a token-paged list.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct TokenPage<T> {
    #[serde(default = "Vec::new")]
    pub(crate) items: Vec<T>,
    #[serde(default)]
    pub(crate) has_more: bool,
    #[serde(default)]
    pub(crate) continuation_token: Option<i64>,
    #[serde(default)]
    pub(crate) total: Option<i64>,
}

/// Schema `CreateAgentRequest`.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub(crate) struct CreateAgentRequest {
    pub(crate) name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) description: Option<String>,
}

/// `GET /v1/{workspace_id}/agents/{agent_id}` (`get-agent`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GetAgent {
    pub(crate) agent_id: String,
}

impl Operation for GetAgent {
    type Output = Agent;
    fn method(&self) -> Method {
        Method::GET
    }
    fn path_template(&self) -> &str {
        "/v1/{workspace_id}/agents/{agent_id}"
    }
    fn operation_id(&self) -> &str {
        "get-agent"
    }
    fn parts(&self) -> Result<RequestParts, Error> {
        Ok(RequestParts::new().path("agent_id", &self.agent_id))
    }
    fn parse(&self, response: http::Response<Bytes>) -> Result<Agent, Error> {
        parse::json(response)
    }
}

/// `POST /v1/{workspace_id}/agents` (`create-agent`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CreateAgent {
    pub(crate) body: CreateAgentRequest,
}

impl Operation for CreateAgent {
    type Output = Agent;
    fn method(&self) -> Method {
        Method::POST
    }
    fn path_template(&self) -> &str {
        "/v1/{workspace_id}/agents"
    }
    fn operation_id(&self) -> &str {
        "create-agent"
    }
    fn parts(&self) -> Result<RequestParts, Error> {
        Ok(RequestParts::new().body(Body::json(&self.body)?))
    }
    fn parse(&self, response: http::Response<Bytes>) -> Result<Agent, Error> {
        parse::json(response)
    }
}

/// `GET /v1/{workspace_id}/agents` (`list-agents`): a token pager.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ListAgents {
    pub(crate) search: Option<String>,
    pub(crate) limit: Option<i64>,
    pub(crate) continuation_token: Option<i64>,
}

impl Operation for ListAgents {
    type Output = TokenPage<Agent>;
    fn method(&self) -> Method {
        Method::GET
    }
    fn path_template(&self) -> &str {
        "/v1/{workspace_id}/agents"
    }
    fn operation_id(&self) -> &str {
        "list-agents"
    }
    fn parts(&self) -> Result<RequestParts, Error> {
        let mut q = Query::new();
        q.push("search", self.search.clone())
            .push("limit", self.limit)
            .push("continuation_token", self.continuation_token);
        Ok(RequestParts::new().query(q))
    }
    fn parse(&self, response: http::Response<Bytes>) -> Result<TokenPage<Agent>, Error> {
        parse::json(response)
    }
}

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
        PageData {
            items: output.items,
            has_more: Some(output.has_more),
            next_cursor: output.continuation_token,
            total: output.total,
            offset: None,
        }
    }
}
