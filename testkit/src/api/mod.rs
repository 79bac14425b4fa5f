//! The in-memory Amigo Platform routes: agents, agent versions, world entities, calls and
//! conversations (with turns).

use std::collections::HashMap;
use std::time::SystemTime;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, ALLOW, AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use http::{HeaderMap, Method, StatusCode};
use serde_json::{json, Map, Value};

use crate::util::{parse_query, percent_decode, rfc3339};

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
    let raw: Vec<&str> = req.path.split('/').collect();
    // A path starts with "/", so the first element is empty.
    if raw.first() != Some(&"") || raw.get(1) != Some(&"v1") || raw.len() < 4 {
        return Reply::detail(StatusCode::NOT_FOUND, "Not Found");
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
        let mut reply = Reply::detail(StatusCode::UNAUTHORIZED, "Not authenticated");
        reply
            .headers
            .push((WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
        return reply;
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
fn authorized(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    match value.split_once(' ') {
        Some((scheme, token)) => scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty(),
        None => false,
    }
}

// ---------------------------------------------------------------------------
// Query and body validation (FastAPI / pydantic v2 shapes)
// ---------------------------------------------------------------------------

/// The last value of a query parameter, like Starlette's `QueryParams.get`.
fn last<'q>(query: &'q [(String, String)], name: &str) -> Option<&'q str> {
    query
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Bounds of an integer query parameter.
struct IntRule {
    name: &'static str,
    default: i64,
    /// Exclusive lower bound (`gt`).
    gt: Option<i64>,
    /// Inclusive lower bound (`ge`).
    ge: Option<i64>,
    /// Inclusive upper bound (`le`).
    le: Option<i64>,
}

/// `limit` of the offset-paged and calls listings: default 20, 1..=100 (OpenAPI bounds).
const LIMIT_20_OF_100: IntRule = IntRule {
    name: "limit",
    default: 20,
    gt: None,
    ge: Some(1),
    le: Some(100),
};

/// `offset`: default 0, at least 0.
const OFFSET: IntRule = IntRule {
    name: "offset",
    default: 0,
    gt: None,
    ge: Some(0),
    le: None,
};

/// Parses an integer query parameter, pushing a validation item when it is bad.
fn int_param(query: &[(String, String)], rule: &IntRule, errors: &mut Vec<Value>) -> i64 {
    let Some(raw) = last(query, rule.name) else {
        return rule.default;
    };
    let loc = json!(["query", rule.name]);
    let Ok(n) = raw.trim().parse::<i64>() else {
        errors.push(json!({
            "type": "int_parsing",
            "loc": loc,
            "msg": "Input should be a valid integer, unable to parse string as an integer",
            "input": raw,
        }));
        return rule.default;
    };
    if let Some(gt) = rule.gt {
        if n <= gt {
            errors.push(json!({
                "type": "greater_than",
                "loc": loc,
                "msg": format!("Input should be greater than {gt}"),
                "input": raw,
                "ctx": {"gt": gt},
            }));
            return rule.default;
        }
    }
    if let Some(ge) = rule.ge {
        if n < ge {
            errors.push(json!({
                "type": "greater_than_equal",
                "loc": loc,
                "msg": format!("Input should be greater than or equal to {ge}"),
                "input": raw,
                "ctx": {"ge": ge},
            }));
            return rule.default;
        }
    }
    if let Some(le) = rule.le {
        if n > le {
            errors.push(json!({
                "type": "less_than_equal",
                "loc": loc,
                "msg": format!("Input should be less than or equal to {le}"),
                "input": raw,
                "ctx": {"le": le},
            }));
            return rule.default;
        }
    }
    n
}

/// Parses a JSON object request body, or returns the 422 FastAPI would send.
fn json_object(body: &[u8]) -> Result<Map<String, Value>, Reply> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Reply::validation(vec![json!({
            "type": "missing",
            "loc": ["body"],
            "msg": "Field required",
            "input": null,
        })]));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(Reply::validation(vec![json!({
            "type": "model_attributes_type",
            "loc": ["body"],
            "msg": "Input should be a valid dictionary or object to extract fields from",
            "input": other,
        })])),
        Err(e) => Err(Reply::validation(vec![json!({
            "type": "json_invalid",
            "loc": ["body", byte_offset(body, e.line(), e.column())],
            "msg": "JSON decode error",
            "input": {},
            "ctx": {"error": e.to_string()},
        })])),
    }
}

/// Converts serde_json's 1-based line/column into a 0-based byte offset.
fn byte_offset(body: &[u8], line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in body.split(|b| *b == b'\n').enumerate() {
        if i + 1 == line {
            return (offset + column.saturating_sub(1)).min(body.len());
        }
        offset += l.len() + 1;
    }
    body.len()
}

/// Validates an optional string field of a body object (`required` adds a `missing` item when absent; null counts as absent when not required).
fn string_field(
    obj: &Map<String, Value>,
    name: &'static str,
    required: bool,
    min: usize,
    max: usize,
    errors: &mut Vec<Value>,
) -> Option<String> {
    let loc = json!(["body", name]);
    match obj.get(name) {
        None => {
            if required {
                errors.push(json!({
                    "type": "missing",
                    "loc": loc,
                    "msg": "Field required",
                    "input": Value::Object(obj.clone()),
                }));
            }
            None
        }
        Some(Value::Null) if !required => None,
        Some(Value::String(s)) => {
            let chars = s.chars().count();
            if chars < min {
                errors.push(json!({
                    "type": "string_too_short",
                    "loc": loc,
                    "msg": format!("String should have at least {min} character{}", if min == 1 { "" } else { "s" }),
                    "input": s,
                    "ctx": {"min_length": min},
                }));
                None
            } else if chars > max {
                errors.push(json!({
                    "type": "string_too_long",
                    "loc": loc,
                    "msg": format!("String should have at most {max} characters"),
                    "input": s,
                    "ctx": {"max_length": max},
                }));
                None
            } else {
                Some(s.clone())
            }
        }
        Some(other) => {
            errors.push(json!({
                "type": "string_type",
                "loc": loc,
                "msg": "Input should be a valid string",
                "input": other,
            }));
            None
        }
    }
}

/// One page of a list: items plus the bookkeeping every pager shape needs.
struct Page {
    items: Vec<Value>,
    has_more: bool,
    next: Option<usize>,
    total: usize,
}

/// Slices `all` at `offset` (negative offsets count as 0) with `limit` items.
fn page(all: Vec<Value>, offset: i64, limit: i64) -> Page {
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
fn token_page(p: Page) -> Reply {
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

const AGENT_LIMIT: IntRule = IntRule {
    name: "limit",
    default: 10,
    gt: Some(0),
    ge: None,
    le: Some(20),
};

const CONTINUATION: IntRule = IntRule {
    name: "continuation_token",
    default: 0,
    gt: None,
    ge: None,
    le: None,
};

// ---------------------------------------------------------------------------
// Agents
// ---------------------------------------------------------------------------

fn agent_not_found() -> Reply {
    Reply::detail(StatusCode::NOT_FOUND, "Agent not found")
}

fn list_agents(store: &mut Store, ws: &str, query: &[(String, String)]) -> Reply {
    let mut errors = Vec::new();
    let limit = int_param(query, &AGENT_LIMIT, &mut errors);
    let offset = int_param(query, &CONTINUATION, &mut errors);
    if !errors.is_empty() {
        return Reply::validation(errors);
    }
    let search = last(query, "search").map(str::to_lowercase);
    let all: Vec<Value> = store
        .ws(ws)
        .agents
        .iter()
        .filter(|a| match &search {
            Some(s) => a.name.to_lowercase().contains(s.as_str()),
            None => true,
        })
        .map(|a| a.to_json(ws))
        .collect();
    token_page(page(all, offset, limit))
}

fn create_agent(store: &mut Store, ws: &str, body: &[u8]) -> Reply {
    let obj = match json_object(body) {
        Ok(obj) => obj,
        Err(reply) => return reply,
    };
    let mut errors = Vec::new();
    let name = string_field(&obj, "name", true, 1, 256, &mut errors);
    let description = match obj.get("description") {
        // The schema has a default of "" and no null branch; treat null like absent.
        Some(Value::Null) | None => None,
        Some(_) => string_field(&obj, "description", false, 0, 2000, &mut errors),
    };
    let (Some(name), true) = (name, errors.is_empty()) else {
        return Reply::validation(errors);
    };
    let id = store.new_id('a');
    let now = rfc3339(SystemTime::now());
    let agent = Agent {
        id,
        name,
        description: description.unwrap_or_default(),
        created_at: now.clone(),
        updated_at: now,
        versions: Vec::new(),
    };
    let out = agent.to_json(ws);
    store.ws(ws).agents.push(agent);
    Reply::json(StatusCode::CREATED, &out)
}

fn get_agent(store: &mut Store, ws: &str, id: &str) -> Reply {
    match store.ws(ws).agents.iter().find(|a| a.id == id) {
        Some(a) => Reply::json(StatusCode::OK, &a.to_json(ws)),
        None => agent_not_found(),
    }
}

fn update_agent(store: &mut Store, ws: &str, id: &str, body: &[u8]) -> Reply {
    let obj = match json_object(body) {
        Ok(obj) => obj,
        Err(reply) => return reply,
    };
    let mut errors = Vec::new();
    let name = string_field(&obj, "name", false, 1, 256, &mut errors);
    let description = string_field(&obj, "description", false, 0, 2000, &mut errors);
    if !errors.is_empty() {
        return Reply::validation(errors);
    }
    let Some(agent) = store.ws(ws).agents.iter_mut().find(|a| a.id == id) else {
        return agent_not_found();
    };
    if let Some(name) = name {
        agent.name = name;
    }
    if let Some(description) = description {
        agent.description = description;
    }
    agent.updated_at = rfc3339(SystemTime::now());
    Reply::json(StatusCode::OK, &agent.to_json(ws))
}

fn delete_agent(store: &mut Store, ws: &str, id: &str) -> Reply {
    let agents = &mut store.ws(ws).agents;
    match agents.iter().position(|a| a.id == id) {
        Some(i) => {
            agents.remove(i);
            Reply::no_content()
        }
        None => agent_not_found(),
    }
}

// ---------------------------------------------------------------------------
// Agent versions
// ---------------------------------------------------------------------------

fn version_not_found() -> Reply {
    Reply::detail(StatusCode::NOT_FOUND, "Version not found")
}

/// Fields of a version that the server owns; a request body cannot set them.
const SERVER_FIELDS: [&str; 6] = [
    "id",
    "workspace_id",
    "agent_id",
    "version",
    "created_at",
    "updated_at",
];

fn create_version(store: &mut Store, ws: &str, agent_id: &str, body: &[u8]) -> Reply {
    let obj = match json_object(body) {
        Ok(obj) => obj,
        Err(reply) => return reply,
    };
    let vid = store.new_id('b');
    let Some(agent) = store.ws(ws).agents.iter_mut().find(|a| a.id == agent_id) else {
        return agent_not_found();
    };
    let now = rfc3339(SystemTime::now());
    let number = agent.versions.len() + 1;
    let mut version = json!({
        "id": vid,
        "workspace_id": ws,
        "agent_id": agent.id,
        "version": number,
        "name": agent.name,
        "initials": "",
        "identity": {
            "name": agent.name,
            "role": "assistant",
            "developed_by": "Amigo",
            "default_spoken_language": "en",
        },
        "voice_config": null,
        "background": "",
        "behaviors": [],
        "communication_patterns": [],
        "created_at": now,
        "updated_at": now,
    });
    if let Value::Object(map) = &mut version {
        for (k, v) in obj {
            if !SERVER_FIELDS.contains(&k.as_str()) {
                map.insert(k, v);
            }
        }
    }
    agent.versions.push(version.clone());
    agent.updated_at = now;
    Reply::json(StatusCode::CREATED, &version)
}

fn list_versions(store: &mut Store, ws: &str, agent_id: &str, query: &[(String, String)]) -> Reply {
    let mut errors = Vec::new();
    let limit = int_param(query, &AGENT_LIMIT, &mut errors);
    let offset = int_param(query, &CONTINUATION, &mut errors);
    if !errors.is_empty() {
        return Reply::validation(errors);
    }
    match store.ws(ws).agents.iter().find(|a| a.id == agent_id) {
        Some(agent) => token_page(page(agent.versions.clone(), offset, limit)),
        None => agent_not_found(),
    }
}

fn get_version(store: &mut Store, ws: &str, agent_id: &str, version: &str) -> Reply {
    let Some(agent) = store.ws(ws).agents.iter().find(|a| a.id == agent_id) else {
        return agent_not_found();
    };
    let found = if version == "latest" {
        agent.versions.last()
    } else {
        match version.parse::<usize>() {
            Ok(n) if n >= 1 => agent.versions.get(n - 1),
            _ => None,
        }
    };
    match found {
        Some(v) => Reply::json(StatusCode::OK, v),
        None => version_not_found(),
    }
}

// ---------------------------------------------------------------------------
// World entities
// ---------------------------------------------------------------------------

fn list_entities(store: &mut Store, ws: &str, query: &[(String, String)]) -> Reply {
    let mut errors = Vec::new();
    let limit = int_param(query, &LIMIT_20_OF_100, &mut errors);
    let offset = int_param(query, &OFFSET, &mut errors);
    if !errors.is_empty() {
        return Reply::validation(errors);
    }
    let types: Vec<&str> = query
        .iter()
        .filter(|(k, _)| k == "entity_type")
        .map(|(_, v)| v.as_str())
        .collect();
    let q = last(query, "q").map(str::to_lowercase);
    let all: Vec<Value> = store
        .ws(ws)
        .entities
        .iter()
        .filter(|e| {
            types.is_empty()
                || e.get("entity_type")
                    .and_then(Value::as_str)
                    .is_some_and(|t| types.contains(&t))
        })
        .filter(|e| match &q {
            None => true,
            Some(q) => ["name", "entity_type", "canonical_id", "id"]
                .iter()
                .any(|f| {
                    e.get(*f)
                        .and_then(Value::as_str)
                        .is_some_and(|s| s.to_lowercase().contains(q.as_str()))
                }),
        })
        .cloned()
        .collect();
    let p = page(all, offset, limit);
    Reply::json(
        StatusCode::OK,
        &json!({
            "entities": p.items,
            "has_more": p.has_more,
            "next_offset": p.next,
            "total": p.total,
        }),
    )
}

// ---------------------------------------------------------------------------
// Calls
// ---------------------------------------------------------------------------

fn list_calls(store: &mut Store, ws: &str, query: &[(String, String)]) -> Reply {
    let mut errors = Vec::new();
    let limit = int_param(query, &LIMIT_20_OF_100, &mut errors);
    let offset = int_param(query, &OFFSET, &mut errors);
    let token = last(query, "continuation_token")
        .is_some()
        .then(|| int_param(query, &CONTINUATION, &mut errors));
    if !errors.is_empty() {
        return Reply::validation(errors);
    }
    let status = last(query, "status");
    let direction = last(query, "direction");
    let field_is = |c: &Value, f: &str, want: Option<&str>| match want {
        None => true,
        Some(w) => c.get(f).and_then(Value::as_str) == Some(w),
    };
    let all: Vec<Value> = store
        .ws(ws)
        .calls
        .iter()
        .filter(|c| field_is(c, "status", status) && field_is(c, "direction", direction))
        .cloned()
        .collect();
    token_page(page(all, token.unwrap_or(offset), limit))
}

fn get_call(store: &mut Store, ws: &str, id: &str) -> Reply {
    let Some(c) = store
        .ws(ws)
        .calls
        .iter()
        .find(|c| c.get("entity_id").and_then(Value::as_str) == Some(id))
    else {
        return Reply::detail(StatusCode::NOT_FOUND, "Call not found");
    };
    let get = |f: &str| c.get(f).cloned().unwrap_or(Value::Null);
    let detail = json!({
        "id": id,
        "workspace_id": ws,
        "call_sid": get("call_sid"),
        "caller_id": get("caller_id"),
        "phone_number": get("phone_number"),
        "direction": get("direction"),
        "status": get("status"),
        "source": get("source"),
        "call_start_time": get("started_at"),
        "call_end_time": get("started_at"),
        "call_duration_seconds": get("duration_seconds"),
        "completion_reason": get("completion_reason"),
        "final_state": get("final_state"),
        "quality_score": get("quality_score"),
        "has_recording": false,
        "turns": [],
        "participants": [],
        "states_visited": [],
        "triggered_behaviors": [],
        "barge_in_events": [],
        "human_segments": [],
    });
    Reply::json(StatusCode::OK, &detail)
}

// ---------------------------------------------------------------------------
// Conversations
// ---------------------------------------------------------------------------

fn conversation_not_found() -> Reply {
    Reply::detail(StatusCode::NOT_FOUND, "Conversation not found")
}

fn list_conversations(store: &mut Store, ws: &str, query: &[(String, String)]) -> Reply {
    let mut errors = Vec::new();
    let limit = int_param(query, &LIMIT_20_OF_100, &mut errors);
    let offset = int_param(query, &OFFSET, &mut errors);
    if !errors.is_empty() {
        return Reply::validation(errors);
    }
    let status = last(query, "status");
    let all: Vec<Value> = store
        .ws(ws)
        .conversations
        .iter()
        .map(Conversation::summary)
        .filter(|c| status.is_none() || c.get("status").and_then(Value::as_str) == status)
        .collect();
    let p = page(all, offset, limit);
    Reply::json(
        StatusCode::OK,
        &json!({"items": p.items, "has_more": p.has_more, "total": p.total}),
    )
}

fn create_conversation(store: &mut Store, ws: &str, body: &[u8]) -> Reply {
    let obj = match json_object(body) {
        Ok(obj) => obj,
        Err(reply) => return reply,
    };
    let mut errors = Vec::new();
    let service_id = string_field(&obj, "service_id", true, 1, 256, &mut errors);
    let entity_id = string_field(&obj, "entity_id", false, 1, 256, &mut errors);
    let auto_greet = match obj.get("auto_greet") {
        None => true,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            errors.push(json!({
                "type": "bool_type",
                "loc": ["body", "auto_greet"],
                "msg": "Input should be a valid boolean",
                "input": other,
            }));
            true
        }
    };
    let (Some(service_id), true) = (service_id, errors.is_empty()) else {
        return Reply::validation(errors);
    };
    let id = store.new_id('d');
    let now = rfc3339(SystemTime::now());
    let turns = if auto_greet {
        vec![turn("agent", GREETING, &now)]
    } else {
        Vec::new()
    };
    let conversation = Conversation {
        id,
        service_id,
        entity_id,
        created_at: now.clone(),
        updated_at: now,
        closed: false,
        turns,
    };
    let out = conversation.detail();
    store.ws(ws).conversations.push(conversation);
    Reply::json(StatusCode::CREATED, &out)
}

fn get_conversation(store: &mut Store, ws: &str, id: &str) -> Reply {
    match store.ws(ws).conversations.iter().find(|c| c.id == id) {
        Some(c) => Reply::json(StatusCode::OK, &c.detail()),
        None => conversation_not_found(),
    }
}

fn close_conversation(store: &mut Store, ws: &str, id: &str) -> Reply {
    match store.ws(ws).conversations.iter_mut().find(|c| c.id == id) {
        Some(c) => {
            c.closed = true;
            c.updated_at = rfc3339(SystemTime::now());
            Reply::no_content()
        }
        None => conversation_not_found(),
    }
}

/// Posts a user turn; the mock agent answers with one turn, `You said: <message>`.
fn create_turn(store: &mut Store, ws: &str, id: &str, body: &[u8]) -> Reply {
    let obj = match json_object(body) {
        Ok(obj) => obj,
        Err(reply) => return reply,
    };
    let mut errors = Vec::new();
    let message = string_field(&obj, "message", true, 1, 10_000, &mut errors);
    let (Some(message), true) = (message, errors.is_empty()) else {
        return Reply::validation(errors);
    };
    store.next_id += 1;
    let turn_id = format!("turn-{}", store.next_id);
    let Some(c) = store.ws(ws).conversations.iter_mut().find(|c| c.id == id) else {
        return conversation_not_found();
    };
    if c.closed {
        return Reply::detail(StatusCode::CONFLICT, "Conversation is closed");
    }
    let now = rfc3339(SystemTime::now());
    let input = turn("user", &message, &now);
    let output = vec![turn("agent", &format!("You said: {message}"), &now)];
    c.turns.push(input.clone());
    c.turns.extend(output.iter().cloned());
    c.updated_at = now.clone();
    Reply::json(
        StatusCode::OK,
        &json!({
            "turn_id": turn_id,
            "input": input,
            "output": output,
            "tool_calls": [],
            "conversation": {
                "id": c.id,
                "status": "active",
                "turn_count": c.turns.len(),
                "updated_at": now,
            },
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_slice_and_report_next() {
        let all: Vec<Value> = (0..5).map(|i| json!(i)).collect();
        let p = page(all.clone(), 0, 2);
        assert_eq!(
            (p.items.len(), p.has_more, p.next, p.total),
            (2, true, Some(2), 5)
        );
        let p = page(all.clone(), 4, 2);
        assert_eq!((p.items.len(), p.has_more, p.next), (1, false, None));
        let p = page(all.clone(), 9, 2);
        assert_eq!((p.items.len(), p.has_more, p.next), (0, false, None));
        let p = page(all, -3, i64::MAX);
        assert_eq!((p.items.len(), p.has_more), (5, false));
    }

    #[test]
    fn json_errors_report_an_offset() {
        assert_eq!(byte_offset(b"{\n  x", 2, 3), 4);
        let Err(reply) = json_object(b"{\"name\": ") else {
            panic!("expected an error");
        };
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        let v: Value = serde_json::from_slice(&reply.body).unwrap_or_default();
        assert_eq!(v["detail"][0]["type"], "json_invalid");
    }

    #[test]
    fn auth_needs_a_bearer_token() {
        let mut h = HeaderMap::new();
        assert!(!authorized(&h));
        for (value, ok) in [
            ("Bearer abc", true),
            ("bearer abc", true),
            ("Bearer ", false),
            ("Bearer   ", false),
            ("Basic abc", false),
            ("Bearer", false),
        ] {
            h.insert(AUTHORIZATION, HeaderValue::from_static(value));
            assert_eq!(authorized(&h), ok, "{value}");
        }
    }
}
