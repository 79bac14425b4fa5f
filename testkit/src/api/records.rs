//! Route handlers for world entities and calls.

use http::StatusCode;
use serde_json::{json, Value};

use super::pages::{page, token_page};
use super::params::{int_param, last, CONTINUATION, LIMIT_20_OF_100, OFFSET};
use super::{Reply, Store};

// ---------------------------------------------------------------------------
// World entities
// ---------------------------------------------------------------------------

pub(super) fn list_entities(store: &mut Store, ws: &str, query: &[(String, String)]) -> Reply {
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

pub(super) fn list_calls(store: &mut Store, ws: &str, query: &[(String, String)]) -> Reply {
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

pub(super) fn get_call(store: &mut Store, ws: &str, id: &str) -> Reply {
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
