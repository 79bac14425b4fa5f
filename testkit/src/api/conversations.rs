//! Route handlers for conversations and their turns.

use std::time::SystemTime;

use http::StatusCode;
use serde_json::{json, Value};

use super::pages::page;
use super::params::{int_param, json_object, last, string_field, LIMIT_20_OF_100, OFFSET};
use super::{turn, Conversation, Reply, Store, GREETING};
use crate::util::rfc3339;

fn conversation_not_found() -> Reply {
    Reply::detail(StatusCode::NOT_FOUND, "Conversation not found")
}

pub(super) fn list_conversations(store: &mut Store, ws: &str, query: &[(String, String)]) -> Reply {
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

pub(super) fn create_conversation(store: &mut Store, ws: &str, body: &[u8]) -> Reply {
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

pub(super) fn get_conversation(store: &mut Store, ws: &str, id: &str) -> Reply {
    match store.ws(ws).conversations.iter().find(|c| c.id == id) {
        Some(c) => Reply::json(StatusCode::OK, &c.detail()),
        None => conversation_not_found(),
    }
}

pub(super) fn close_conversation(store: &mut Store, ws: &str, id: &str) -> Reply {
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
pub(super) fn create_turn(store: &mut Store, ws: &str, id: &str, body: &[u8]) -> Reply {
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
