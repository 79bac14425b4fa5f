//! The in-memory Amigo Platform routes: agents, agent versions, world entities, calls and
//! conversations (with turns).

use std::collections::HashMap;
use std::time::SystemTime;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, ALLOW, AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use http::{HeaderMap, Method, StatusCode};
use serde_json::{json, Value};

use crate::util::{parse_query, percent_decode, rfc3339};

mod agents;
mod areas;
mod conversations;
pub(crate) mod download;
mod insights;
mod intake;
mod pages;
mod params;
mod records;
mod scribe;
mod surfaces;
#[cfg(test)]
mod tests;
pub(crate) mod uploads;

use agents::{
    create_agent, create_version, delete_agent, get_agent, get_version, list_agents, list_versions,
    update_agent,
};
use conversations::{
    close_conversation, create_conversation, create_turn, get_conversation, list_conversations,
};
use records::{get_call, list_calls, list_entities};

/// A response produced by the normal handler, before the common headers are added.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) body: Bytes,
}

impl Reply {
    fn json(status: StatusCode, v: &Value) -> Reply {
        Reply {
            status,
            headers: vec![(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
            body: Bytes::from(v.to_string()),
        }
    }

    fn detail(status: StatusCode, detail: &str) -> Reply {
        Reply::json(status, &json!({ "detail": detail }))
    }

    fn validation(items: Vec<Value>) -> Reply {
        Reply::json(
            StatusCode::UNPROCESSABLE_ENTITY,
            &json!({ "detail": items }),
        )
    }

    /// 401 with `WWW-Authenticate: Bearer`.
    fn unauthorized() -> Reply {
        let mut reply = Reply::detail(StatusCode::UNAUTHORIZED, "Not authenticated");
        reply
            .headers
            .push((WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
        reply
    }

    fn no_content() -> Reply {
        Reply {
            status: StatusCode::NO_CONTENT,
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }
}

/// One stored agent with its versions.
#[derive(Debug, Clone)]
struct Agent {
    id: String,
    name: String,
    description: String,
    created_at: String,
    updated_at: String,
    versions: Vec<Value>,
}

impl Agent {
    fn to_json(&self, ws: &str) -> Value {
        json!({
            "id": self.id,
            "workspace_id": ws,
            "name": self.name,
            "description": self.description,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "latest_version": self.versions.len(),
        })
    }
}

/// The agent's greeting, added as the first turn of a conversation created with `auto_greet`.
pub(crate) const GREETING: &str = "Hello! How can I help you today?";

/// One stored text conversation.
#[derive(Debug, Clone)]
struct Conversation {
    id: String,
    service_id: String,
    entity_id: Option<String>,
    created_at: String,
    updated_at: String,
    closed: bool,
    /// `ConversationTurn` objects, oldest first.
    turns: Vec<Value>,
}

impl Conversation {
    /// The `ConversationSummary` shape (list items).
    fn summary(&self) -> Value {
        let state = if self.closed { "closed" } else { "active" };
        json!({
            "id": self.id,
            "channel_kind": "web",
            "status": state,
            "lifecycle": state,
            "service_id": self.service_id,
            "entity_id": self.entity_id,
            "turn_count": self.turns.len(),
            "source": "api",
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        })
    }

    /// The `ConversationDetail` shape: the summary plus every turn.
    fn detail(&self) -> Value {
        let mut v = self.summary();
        if let Value::Object(map) = &mut v {
            map.insert("turns".into(), Value::Array(self.turns.clone()));
        }
        v
    }
}

/// A `ConversationTurn` object.
fn turn(role: &str, text: &str, at: &str) -> Value {
    json!({"role": role, "text": text, "content": [], "timestamp": at})
}

/// The data of one workspace id.
#[derive(Debug, Default)]
struct Workspace {
    agents: Vec<Agent>,
    entities: Vec<Value>,
    calls: Vec<Value>,
    conversations: Vec<Conversation>,
}

/// All in-memory state, keyed by (decoded) workspace id.
#[derive(Debug, Default)]
pub(crate) struct Store {
    workspaces: HashMap<String, Workspace>,
    next_id: u64,
    areas: areas::AreaState,
}

impl Store {
    /// A fresh UUID-shaped id whose first hex digit tells the kind (`a` agent, `b` version, `c` call, `d` conversation, `e` entity).
    fn new_id(&mut self, kind: char) -> String {
        self.next_id += 1;
        format!("{kind}0000000-0000-4000-8000-{:012x}", self.next_id)
    }

    fn ws(&mut self, ws: &str) -> &mut Workspace {
        self.workspaces.entry(ws.to_owned()).or_default()
    }

    /// Adds agents named `agent-<k>`, numbering on from the agents already there.
    pub(crate) fn seed_agents(&mut self, ws: &str, n: usize) {
        let now = rfc3339(SystemTime::now());
        for _ in 0..n {
            let id = self.new_id('a');
            let w = self.ws(ws);
            let k = w.agents.len() + 1;
            w.agents.push(Agent {
                id,
                name: format!("agent-{k}"),
                description: format!("Seeded agent {k}"),
                created_at: now.clone(),
                updated_at: now.clone(),
                versions: Vec::new(),
            });
        }
    }

    /// Adds entities named `entity-<k>`, with types cycling through `patient`, `practitioner`, `organization`.
    pub(crate) fn seed_entities(&mut self, ws: &str, n: usize) {
        let now = rfc3339(SystemTime::now());
        for _ in 0..n {
            let id = self.new_id('e');
            let w = self.ws(ws);
            let k = w.entities.len() + 1;
            let entity_type = ENTITY_TYPES[(k - 1) % ENTITY_TYPES.len()];
            w.entities.push(json!({
                "id": id,
                "workspace_id": ws,
                "entity_type": entity_type,
                "canonical_id": format!("canon-{k}"),
                "display_name": format!("entity-{k}"),
                "name": format!("entity-{k}"),
                "confidence": 1.0,
                "event_count": 0,
                "external_ids": {},
                "has_projection": false,
                "state": {},
                "tags": [],
                "source": "mock",
                "status": "active",
                "first_seen_at": now,
                "last_event_at": null,
                "created_at": now,
                "updated_at": now,
            }));
        }
    }

    /// Adds completed inbound calls, each with a UUID-shaped id (`entity_id` in lists, `id` in details).
    pub(crate) fn seed_calls(&mut self, ws: &str, n: usize) {
        let now = rfc3339(SystemTime::now());
        for _ in 0..n {
            let id = self.new_id('c');
            let w = self.ws(ws);
            let k = w.calls.len() + 1;
            w.calls.push(json!({
                "entity_id": id,
                "call_sid": format!("CA{k:032x}"),
                "caller_id": format!("+1555{k:07}"),
                "phone_number": "+15550000000",
                "direction": "inbound",
                "status": "completed",
                "source": "real",
                "started_at": now,
                "duration_seconds": 60.0 + k as f64,
                "turns": 4,
                "has_recording": false,
                "quality_score": 0.9,
                "final_state": "end",
                "completion_reason": "completed",
                "escalation_status": "none",
                "service_id": null,
                "run_id": null,
                "parent_session_id": null,
                "fork_turn_index": null,
            }));
        }
    }
}

/// The entity types seeded entities cycle through.
pub(crate) const ENTITY_TYPES: [&str; 3] = ["patient", "practitioner", "organization"];

/// The request data the handler needs.
pub(crate) struct Req<'a> {
    pub(crate) method: &'a Method,
    pub(crate) path: &'a str,
    pub(crate) query: Option<&'a str>,
    pub(crate) headers: &'a HeaderMap,
    pub(crate) body: &'a [u8],
}

/// The routes the mock knows, after the workspace segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Agents,
    Agent,
    Versions,
    Version,
    Entities,
    Calls,
    Call,
    Conversations,
    Conversation,
    Turns,
}

impl Route {
    fn allowed(self) -> &'static [Method] {
        match self {
            Route::Agents | Route::Versions | Route::Conversations => &[Method::GET, Method::POST],
            Route::Agent => &[Method::GET, Method::PUT, Method::DELETE],
            Route::Conversation => &[Method::GET, Method::DELETE],
            Route::Turns => &[Method::POST],
            Route::Version | Route::Entities | Route::Calls | Route::Call => &[Method::GET],
        }
    }
}

/// Answers one request from the in-memory state.
pub(crate) fn handle(store: &std::sync::Mutex<Store>, req: &Req<'_>) -> Reply {
    if let Some(reply) = areas::handle(store, req) {
        return reply;
    }
    let raw: Vec<&str> = req.path.split('/').collect();
    // A path starts with "/", so the first element is empty.
    if raw.first() != Some(&"") || raw.get(1) != Some(&"v1") || raw.len() < 4 {
        return Reply::detail(StatusCode::NOT_FOUND, "Not Found");
    }
    if uploads::is_upload(req.method, req.path) {
        if !authorized(req.headers) {
            return Reply::detail(StatusCode::UNAUTHORIZED, "Not authenticated");
        }
        // The body is the summary the upload route made while consuming the upload.
        return Reply {
            status: StatusCode::CREATED,
            headers: vec![(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
            body: Bytes::copy_from_slice(req.body),
        };
    }
    let segs: Vec<String> = raw[2..].iter().map(|s| percent_decode(s, false)).collect();
    if segs.iter().any(String::is_empty) {
        return Reply::detail(StatusCode::NOT_FOUND, "Not Found");
    }
    let ws = segs[0].as_str();
    let rest: Vec<&str> = segs[1..].iter().map(String::as_str).collect();
    let (route, params): (Route, Vec<&str>) = match rest.as_slice() {
        ["agents"] => (Route::Agents, vec![]),
        ["agents", id] => (Route::Agent, vec![id]),
        ["agents", id, "versions"] => (Route::Versions, vec![id]),
        ["agents", id, "versions", v] => (Route::Version, vec![id, v]),
        ["world", "entities"] => (Route::Entities, vec![]),
        ["calls"] => (Route::Calls, vec![]),
        ["calls", id] => (Route::Call, vec![id]),
        ["conversations"] => (Route::Conversations, vec![]),
        ["conversations", id] => (Route::Conversation, vec![id]),
        ["conversations", id, "turns"] => (Route::Turns, vec![id]),
        _ => return Reply::detail(StatusCode::NOT_FOUND, "Not Found"),
    };
    if !route.allowed().contains(req.method) {
        let mut reply = Reply::detail(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed");
        let allow: Vec<&str> = route.allowed().iter().map(Method::as_str).collect();
        if let Ok(v) = HeaderValue::from_str(&allow.join(", ")) {
            reply.headers.push((ALLOW, v));
        }
        return reply;
    }
    if !authorized(req.headers) {
        return Reply::unauthorized();
    }
    let query = parse_query(req.query);
    let mut store = store.lock().unwrap_or_else(|e| e.into_inner());
    match (route, req.method.clone()) {
        (Route::Agents, Method::GET) => list_agents(&mut store, ws, &query),
        (Route::Agents, _) => create_agent(&mut store, ws, req.body),
        (Route::Agent, Method::GET) => get_agent(&mut store, ws, params[0]),
        (Route::Agent, Method::PUT) => update_agent(&mut store, ws, params[0], req.body),
        (Route::Agent, _) => delete_agent(&mut store, ws, params[0]),
        (Route::Versions, Method::GET) => list_versions(&mut store, ws, params[0], &query),
        (Route::Versions, _) => create_version(&mut store, ws, params[0], req.body),
        (Route::Version, _) => get_version(&mut store, ws, params[0], params[1]),
        (Route::Entities, _) => list_entities(&mut store, ws, &query),
        (Route::Calls, _) => list_calls(&mut store, ws, &query),
        (Route::Call, _) => get_call(&mut store, ws, params[0]),
        (Route::Conversations, Method::GET) => list_conversations(&mut store, ws, &query),
        (Route::Conversations, _) => create_conversation(&mut store, ws, req.body),
        (Route::Conversation, Method::GET) => get_conversation(&mut store, ws, params[0]),
        (Route::Conversation, _) => close_conversation(&mut store, ws, params[0]),
        (Route::Turns, _) => create_turn(&mut store, ws, params[0], req.body),
    }
}

/// Whether the request carries `Authorization: Bearer <non-empty token>` (scheme case-insensitive).
pub(crate) fn authorized(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    match value.split_once(' ') {
        Some((scheme, token)) => scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty(),
        None => false,
    }
}
