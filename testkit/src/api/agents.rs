//! Route handlers for agents and agent versions.

use std::time::SystemTime;

use http::StatusCode;
use serde_json::{json, Value};

use super::pages::{page, token_page};
use super::params::{int_param, json_object, last, string_field, AGENT_LIMIT, CONTINUATION};
use super::{Agent, Reply, Store};
use crate::util::rfc3339;

fn agent_not_found() -> Reply {
    Reply::detail(StatusCode::NOT_FOUND, "Agent not found")
}

pub(super) fn list_agents(store: &mut Store, ws: &str, query: &[(String, String)]) -> Reply {
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

pub(super) fn create_agent(store: &mut Store, ws: &str, body: &[u8]) -> Reply {
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

pub(super) fn get_agent(store: &mut Store, ws: &str, id: &str) -> Reply {
    match store.ws(ws).agents.iter().find(|a| a.id == id) {
        Some(a) => Reply::json(StatusCode::OK, &a.to_json(ws)),
        None => agent_not_found(),
    }
}

pub(super) fn update_agent(store: &mut Store, ws: &str, id: &str, body: &[u8]) -> Reply {
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

pub(super) fn delete_agent(store: &mut Store, ws: &str, id: &str) -> Reply {
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

pub(super) fn create_version(store: &mut Store, ws: &str, agent_id: &str, body: &[u8]) -> Reply {
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

pub(super) fn list_versions(
    store: &mut Store,
    ws: &str,
    agent_id: &str,
    query: &[(String, String)],
) -> Reply {
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

pub(super) fn get_version(store: &mut Store, ws: &str, agent_id: &str, version: &str) -> Reply {
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
