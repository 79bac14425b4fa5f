//! Models used by the hand-written resources (schemas named in each doc comment).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Schema `PaginatedResponse_<T>_`: a token-paged list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenPage<T> {
    /// `items`.
    #[serde(default = "Vec::new")]
    pub items: Vec<T>,
    /// `has_more`.
    #[serde(default)]
    pub has_more: bool,
    /// `continuation_token`: the next offset, or null.
    #[serde(default)]
    pub continuation_token: Option<i64>,
    /// `total`.
    #[serde(default)]
    pub total: Option<i64>,
}

/// Schema `AgentResponse`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agent {
    /// `id` (uuid).
    pub id: String,
    /// `workspace_id` (uuid).
    pub workspace_id: String,
    /// `name`.
    pub name: String,
    /// `description`.
    pub description: String,
    /// `created_at` (date-time).
    pub created_at: String,
    /// `updated_at` (date-time).
    pub updated_at: String,
    /// `latest_version` (spec default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_version: Option<i64>,
}

/// Schema `CreateAgentRequest`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CreateAgentRequest {
    /// `name` (required).
    pub name: String,
    /// `description` (spec default "").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Schema `UpdateAgentRequest`: absent fields are left unchanged.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct UpdateAgentRequest {
    /// `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `description`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Schema `AgentVersionResponse` (the fields the hand-written surface reads; others ignored).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentVersion {
    /// `id`.
    pub id: String,
    /// `workspace_id`.
    pub workspace_id: String,
    /// `agent_id`.
    pub agent_id: String,
    /// `version`.
    pub version: i64,
    /// `name`.
    pub name: String,
    /// `created_at`.
    pub created_at: String,
    /// `updated_at`.
    pub updated_at: String,
}

/// Schema `CreateAgentVersionRequest`, as a JSON object (`name` and `identity` are required).
pub type CreateAgentVersionRequest = Map<String, Value>;

/// Schema `EntityResponse` (key fields; unknown fields ignored).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// `id`.
    pub id: String,
    /// `workspace_id`.
    pub workspace_id: String,
    /// `entity_type`.
    pub entity_type: String,
    /// `display_name`.
    #[serde(default)]
    pub display_name: Option<String>,
    /// `tags`.
    #[serde(default)]
    pub tags: Option<Vec<String>>,
}

/// Schema `EntityListResponse`: a next-offset-paged list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntityList {
    /// `entities`.
    #[serde(default)]
    pub entities: Vec<Entity>,
    /// `total`.
    #[serde(default)]
    pub total: Option<i64>,
    /// `has_more`.
    #[serde(default)]
    pub has_more: bool,
    /// `next_offset`.
    #[serde(default)]
    pub next_offset: Option<i64>,
}

/// Schema `CallSummary` (key fields; unknown fields ignored).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallSummary {
    /// `entity_id`.
    pub entity_id: String,
    /// `call_sid`.
    #[serde(default)]
    pub call_sid: Option<String>,
    /// `direction`.
    #[serde(default)]
    pub direction: Option<String>,
    /// `status`.
    #[serde(default)]
    pub status: Option<String>,
    /// `started_at`.
    #[serde(default)]
    pub started_at: Option<String>,
    /// `duration_seconds`.
    #[serde(default)]
    pub duration_seconds: Option<f64>,
}
