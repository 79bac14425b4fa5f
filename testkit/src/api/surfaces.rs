//! Surfaces: forms a workspace sends to a person, who fills them through the public
//! `/s/{token}` routes; the workspace follows the progress and reviews the submission.
//!
//! | Method | Path | Behaviour |
//! |---|---|---|
//! | `GET`, `POST` | `/v1/{ws}/surfaces` | list (token pages, `limit` up to 100) / create (`entity_id`, `title`, `fields` with `key`, `label`, `field_type`) |
//! | `GET` | `/v1/{ws}/surfaces/review` | the surfaces waiting for review |
//! | `GET` | `/v1/{ws}/surfaces/{id}` | one surface with its fields and submitted data |
//! | `POST` | `/v1/{ws}/surfaces/{id}/deliver` | marks it delivered to `channel_address` |
//! | `GET` | `/v1/{ws}/surfaces/{id}/progress` | filled, empty and required-but-empty field keys |
//! | `POST` | `/v1/{ws}/surfaces/{id}/approve`, `.../reject` | ends the review: `completed`, or back to `delivered` |
//! | `GET` | `/s/{token}/spec` | public: title and fields, saved values as `prefill_value` |
//! | `PUT` | `/s/{token}/fields/{key}` | public: saves one value (`value`) |
//! | `POST` | `/s/{token}/submit` | public: 422 while a required field is empty, else `pending_review` |

use std::time::SystemTime;

use http::{Method, StatusCode};
use serde_json::{json, Map, Value};

use super::areas::{expires_at, token_for, AreaReq};
use super::pages::{page, token_page};
use super::params::{int_param, json_object, string_field, CONTINUATION, LIMIT_20_OF_100};
use super::{Reply, Store};
use crate::util::rfc3339;

/// One stored surface.
#[derive(Debug, Clone)]
struct Surface {
    ws: String,
    id: String,
    token: String,
    entity_id: String,
    title: String,
    /// The `SurfaceField` objects as sent.
    fields: Vec<Map<String, Value>>,
    values: Map<String, Value>,
    status: &'static str,
    created_at: String,
    expires_at: String,
}

impl Surface {
    fn key(field: &Map<String, Value>) -> &str {
        field.get("key").and_then(Value::as_str).unwrap_or_default()
    }

    fn filled(&self, field: &Map<String, Value>) -> bool {
        self.values
            .get(Self::key(field))
            .is_some_and(|v| !v.is_null() && *v != json!(""))
    }

    /// The `SurfaceResponse` shape.
    fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "event_id": format!("ev-{}", self.id),
            "entity_id": self.entity_id,
            "title": self.title,
            "status": self.status,
            "channel": "sms",
            "fields": self.fields,
            "fields_count": self.fields.len(),
            "submitted_data": self.values,
            "created_at": self.created_at,
            "expires_at": self.expires_at,
        })
    }
}

/// Every surface of every workspace.
#[derive(Debug, Default)]
pub(crate) struct SurfaceState {
    surfaces: Vec<Surface>,
}

/// Whether `rest` (after `/v1/{ws}`) is a surfaces path.
pub(super) fn knows(rest: &[&str]) -> bool {
    matches!(rest, ["surfaces", ..])
}

fn not_found() -> Reply {
    Reply::detail(StatusCode::NOT_FOUND, "Surface not found")
}

/// The workspace routes.
pub(super) fn route(store: &mut Store, ws: &str, a: &AreaReq<'_>) -> Option<Reply> {
    let method = a.req.method;
    let listing = |store: &mut Store, review: bool| {
        let mut errors = Vec::new();
        let limit = int_param(a.query, &LIMIT_20_OF_100, &mut errors);
        let offset = int_param(a.query, &CONTINUATION, &mut errors);
        if !errors.is_empty() {
            return Reply::validation(errors);
        }
        let all: Vec<Value> = store
            .areas
            .surfaces
            .surfaces
            .iter()
            .filter(|s| s.ws == ws && (!review || s.status == "pending_review"))
            .map(Surface::to_json)
            .collect();
        token_page(page(all, offset, limit))
    };
    let reply = match (a.rest, method) {
        (["surfaces"], &Method::GET) => listing(store, false),
        (["surfaces", "review"], &Method::GET) => listing(store, true),
        (["surfaces"], &Method::POST) => create(store, ws, a.req.body),
        (["surfaces", id, rest @ ..], _) => {
            let Some(s) = store
                .areas
                .surfaces
                .surfaces
                .iter_mut()
                .find(|s| s.ws == ws && s.id == *id)
            else {
                return Some(not_found());
            };
            match (rest, method) {
                ([], &Method::GET) => Reply::json(StatusCode::OK, &s.to_json()),
                (["deliver"], &Method::POST) => {
                    let obj = match json_object(a.req.body) {
                        Ok(obj) => obj,
                        Err(reply) => return Some(reply),
                    };
                    let mut errors = Vec::new();
                    let Some(address) =
                        string_field(&obj, "channel_address", true, 1, 320, &mut errors)
                    else {
                        return Some(Reply::validation(errors));
                    };
                    s.status = "delivered";
                    Reply::json(
                        StatusCode::OK,
                        &json!({
                            "surface_id": s.id,
                            "status": "delivered",
                            "channel": "sms",
                            "channel_address": address,
                            "delivery_provider": "mock",
                            "message_id": format!("msg-{}", s.id),
                            "delivered_at": rfc3339(SystemTime::now()),
                            "url": format!("/s/{}", s.token),
                        }),
                    )
                }
                (["progress"], &Method::GET) => {
                    let keys = |pick: &dyn Fn(&Map<String, Value>) -> bool| -> Vec<String> {
                        s.fields
                            .iter()
                            .filter(|f| pick(f))
                            .map(|f| Surface::key(f).to_owned())
                            .collect()
                    };
                    let filled = keys(&|f| s.filled(f));
                    let empty = keys(&|f| !s.filled(f));
                    let required =
                        keys(&|f| !s.filled(f) && f.get("required") == Some(&json!(true)));
                    Reply::json(
                        StatusCode::OK,
                        &json!({
                            "surface_id": s.id,
                            "total_fields": s.fields.len(),
                            "filled_count": filled.len(),
                            "empty_count": empty.len(),
                            "filled_keys": filled,
                            "empty_keys": empty,
                            "required_empty_keys": required,
                        }),
                    )
                }
                ([action @ ("approve" | "reject")], &Method::POST) => {
                    if s.status != "pending_review" {
                        return Some(Reply::detail(
                            StatusCode::CONFLICT,
                            "Surface is not waiting for review",
                        ));
                    }
                    let approved = *action == "approve";
                    s.status = if approved { "completed" } else { "delivered" };
                    Reply::json(
                        StatusCode::OK,
                        &json!({
                            "surface_id": s.id,
                            "status": s.status,
                            "action": if approved { "approved" } else { "rejected" },
                        }),
                    )
                }
                _ => return None,
            }
        }
        _ => return None,
    };
    Some(reply)
}

fn create(store: &mut Store, ws: &str, body: &[u8]) -> Reply {
    let obj = match json_object(body) {
        Ok(obj) => obj,
        Err(reply) => return reply,
    };
    let mut errors = Vec::new();
    let entity_id = string_field(&obj, "entity_id", true, 1, 64, &mut errors);
    let title = string_field(&obj, "title", true, 1, 256, &mut errors);
    let fields: Vec<Map<String, Value>> = obj
        .get("fields")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|f| f.as_object().cloned()).collect())
        .unwrap_or_default();
    let complete = |f: &Map<String, Value>| {
        ["key", "label", "field_type"].iter().all(|k| {
            f.get(*k)
                .and_then(Value::as_str)
                .is_some_and(|v| !v.is_empty())
        })
    };
    if fields.is_empty() || !fields.iter().all(complete) {
        errors.push(json!({
            "type": "value_error",
            "loc": ["body", "fields"],
            "msg": "fields needs at least one field, each with key, label and field_type",
        }));
    }
    let (Some(entity_id), Some(title), true) = (entity_id, title, errors.is_empty()) else {
        return Reply::validation(errors);
    };
    let id = store.new_id('5');
    let now = SystemTime::now();
    let surface = Surface {
        ws: ws.to_owned(),
        token: token_for("st", &id),
        id,
        entity_id,
        title,
        fields,
        values: Map::new(),
        status: "created",
        created_at: rfc3339(now),
        expires_at: expires_at(&obj, now),
    };
    let mut out = surface.to_json();
    if let Value::Object(map) = &mut out {
        map.insert("token".into(), json!(surface.token));
        map.insert("url".into(), json!(format!("/s/{}", surface.token)));
    }
    store.areas.surfaces.surfaces.push(surface);
    Reply::json(StatusCode::OK, &out)
}

/// The public routes under `/s/{token}`.
pub(super) fn public(store: &mut Store, a: &AreaReq<'_>) -> Option<Reply> {
    let method = a.req.method;
    let (token, rest) = a.rest.split_first()?;
    if !matches!(
        (rest, method),
        (["spec"], &Method::GET) | (["fields", _], &Method::PUT) | (["submit"], &Method::POST)
    ) {
        return None;
    }
    let Some(s) = store
        .areas
        .surfaces
        .surfaces
        .iter_mut()
        .find(|s| s.token == *token)
    else {
        return Some(not_found());
    };
    let reply = match rest {
        ["spec"] => {
            if s.status == "delivered" || s.status == "created" {
                s.status = "opened";
            }
            let fields: Vec<Value> = s
                .fields
                .iter()
                .map(|f| {
                    let mut f = f.clone();
                    if let Some(v) = s.values.get(Surface::key(&f)) {
                        f.insert("prefill_value".into(), v.clone());
                    }
                    Value::Object(f)
                })
                .collect();
            Reply::json(
                StatusCode::OK,
                &json!({"spec": {"title": s.title, "fields": fields}}),
            )
        }
        ["fields", key] => {
            if !s.fields.iter().any(|f| Surface::key(f) == *key) {
                return Some(Reply::detail(StatusCode::NOT_FOUND, "Field not found"));
            }
            let obj = match json_object(a.req.body) {
                Ok(obj) => obj,
                Err(reply) => return Some(reply),
            };
            let Some(value) = obj.get("value") else {
                return Some(Reply::validation(vec![json!({
                    "type": "missing",
                    "loc": ["body", "value"],
                    "msg": "Field required",
                })]));
            };
            s.values.insert((*key).to_owned(), value.clone());
            s.status = "partial";
            Reply::json(StatusCode::OK, &json!({"status": "saved"}))
        }
        _ => {
            let missing: Vec<String> = s
                .fields
                .iter()
                .filter(|f| f.get("required") == Some(&json!(true)) && !s.filled(f))
                .map(|f| Surface::key(f).to_owned())
                .collect();
            if !missing.is_empty() {
                return Some(Reply::detail(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &format!("Required fields are empty: {}", missing.join(", ")),
                ));
            }
            s.status = "pending_review";
            Reply::json(
                StatusCode::OK,
                &json!({"status": s.status, "surface_id": s.id}),
            )
        }
    };
    Some(reply)
}

#[cfg(test)]
mod tests {
    use super::super::areas::{body_json, send};
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn a_surface_is_filled_submitted_and_approved() {
        let store = Mutex::new(Store::default());
        let body = br#"{"entity_id":"e1","title":"Intake","fields":[
            {"key":"name","label":"Name","field_type":"text","required":true},
            {"key":"note","label":"Note","field_type":"textarea"}]}"#;
        let created = body_json(&send(&store, Method::POST, "/v1/ws-1/surfaces", &[], body));
        let (id, token) = (
            created["id"].as_str().unwrap_or_default().to_owned(),
            created["token"].as_str().unwrap_or_default().to_owned(),
        );
        assert_eq!(
            (created["status"].as_str(), created["fields_count"].as_u64()),
            (Some("created"), Some(2))
        );
        let submit = format!("/s/{token}/submit");
        assert_eq!(
            send(&store, Method::POST, &submit, &[], b"").status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let saved = send(
            &store,
            Method::PUT,
            &format!("/s/{token}/fields/name"),
            &[],
            br#"{"value":"Jane"}"#,
        );
        assert_eq!(saved.status, StatusCode::OK);
        let spec = body_json(&send(
            &store,
            Method::GET,
            &format!("/s/{token}/spec"),
            &[],
            b"",
        ));
        assert_eq!(spec["spec"]["fields"][0]["prefill_value"], "Jane");
        let progress = body_json(&send(
            &store,
            Method::GET,
            &format!("/v1/ws-1/surfaces/{id}/progress"),
            &[],
            b"",
        ));
        assert_eq!(
            (
                progress["filled_keys"].clone(),
                progress["empty_keys"].clone()
            ),
            (json!(["name"]), json!(["note"]))
        );
        assert_eq!(
            body_json(&send(&store, Method::POST, &submit, &[], b""))["status"],
            "pending_review"
        );
        let queue = body_json(&send(
            &store,
            Method::GET,
            "/v1/ws-1/surfaces/review",
            &[],
            b"",
        ));
        assert_eq!(queue["items"][0]["id"].as_str(), Some(id.as_str()));
        let approved = body_json(&send(
            &store,
            Method::POST,
            &format!("/v1/ws-1/surfaces/{id}/approve"),
            &[],
            b"",
        ));
        assert_eq!(
            (approved["status"].as_str(), approved["action"].as_str()),
            (Some("completed"), Some("approved"))
        );
        let again = send(
            &store,
            Method::POST,
            &format!("/v1/ws-1/surfaces/{id}/reject"),
            &[],
            b"{}",
        );
        assert_eq!(again.status, StatusCode::CONFLICT);
    }
}
