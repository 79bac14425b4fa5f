//! Intake links: a workspace creates a link, someone uploads files through its public
//! `/upload/{link_token}` routes, the workspace lists and downloads what arrived.
//!
//! | Method | Path | Behaviour |
//! |---|---|---|
//! | `GET`, `POST` | `/v1/{ws}/intake/links` | list links (a JSON array) / create one (`customer_slug` required) |
//! | `DELETE` | `/v1/{ws}/intake/links/{id}` | revoke: 204, the link refuses further uploads |
//! | `GET` | `/v1/{ws}/intake/links/{id}/uploads` | the link's uploads, oldest first |
//! | `GET` | `/v1/{ws}/intake/links/{id}/uploads/{upload_id}/download` | the uploaded bytes with their content type |
//! | `GET` | `/upload/{token}/info` | public: display name, slug, size limit |
//! | `POST` | `/upload/{token}/files` | public: the raw body is the file (`x-amigo-intake-filename`, `x-amigo-intake-content-type`) |

use std::time::SystemTime;

use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_TYPE};
use http::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::areas::{expires_at, token_for, AreaReq};
use super::params::{json_object, string_field};
use super::{Reply, Store};
use crate::util::rfc3339;

/// The largest file a link accepts.
const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;

/// One stored upload.
#[derive(Debug, Clone)]
struct Upload {
    id: String,
    filename: String,
    content_type: String,
    sha256: String,
    data: Bytes,
    received_at: String,
}

/// One stored link.
#[derive(Debug, Clone)]
struct Link {
    ws: String,
    id: String,
    token: String,
    customer_slug: String,
    display_name: Option<String>,
    created_at: String,
    expires_at: String,
    revoked_at: Option<String>,
    max_uploads: usize,
    uploads: Vec<Upload>,
}

impl Link {
    fn status(&self) -> &'static str {
        if self.revoked_at.is_some() {
            "revoked"
        } else if self.uploads.len() >= self.max_uploads {
            "exhausted"
        } else {
            "active"
        }
    }

    /// The `IntakeLinkResponse` shape.
    fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "workspace_id": self.ws,
            "customer_slug": self.customer_slug,
            "display_name": self.display_name,
            "upload_url": format!("/upload/{}", self.token),
            "link_token": self.token,
            "status": self.status(),
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "revoked_at": self.revoked_at,
            "max_uploads": self.max_uploads,
            "upload_count": self.uploads.len(),
            "last_upload_at": self.uploads.last().map(|u| u.received_at.clone()),
        })
    }

    /// The `IntakeUploadResponse` shape.
    fn upload_json(&self, u: &Upload) -> Value {
        json!({
            "id": u.id,
            "customer_slug": self.customer_slug,
            "filename": u.filename,
            "content_type": u.content_type,
            "sha256": u.sha256,
            "size_bytes": u.data.len(),
            "received_at": u.received_at,
            "scan_status": "clean",
        })
    }
}

/// Every intake link of every workspace.
#[derive(Debug, Default)]
pub(crate) struct IntakeState {
    links: Vec<Link>,
}

/// Whether `rest` (after `/v1/{ws}`) is an intake path.
pub(super) fn knows(rest: &[&str]) -> bool {
    matches!(rest, ["intake", "links", ..])
}

fn link_not_found() -> Reply {
    Reply::detail(StatusCode::NOT_FOUND, "Intake link not found")
}

/// The workspace routes.
pub(super) fn route(store: &mut Store, ws: &str, a: &AreaReq<'_>) -> Option<Reply> {
    let method = a.req.method;
    let reply = match (a.rest, method) {
        (["intake", "links"], &Method::GET) => {
            let links: Vec<Value> = store
                .areas
                .intake
                .links
                .iter()
                .filter(|l| l.ws == ws)
                .map(Link::to_json)
                .collect();
            Reply::json(StatusCode::OK, &Value::Array(links))
        }
        (["intake", "links"], &Method::POST) => create(store, ws, a.req.body),
        (["intake", "links", id], &Method::DELETE) => match find(store, ws, id) {
            Some(link) => {
                link.revoked_at = Some(rfc3339(SystemTime::now()));
                Reply::no_content()
            }
            None => link_not_found(),
        },
        (["intake", "links", id, "uploads"], &Method::GET) => match find(store, ws, id) {
            Some(link) => {
                let items: Vec<Value> = link.uploads.iter().map(|u| link.upload_json(u)).collect();
                Reply::json(StatusCode::OK, &Value::Array(items))
            }
            None => link_not_found(),
        },
        (["intake", "links", id, "uploads", upload, "download"], &Method::GET) => {
            let Some(link) = find(store, ws, id) else {
                return Some(link_not_found());
            };
            match link.uploads.iter().find(|u| u.id == *upload) {
                Some(u) => Reply {
                    status: StatusCode::OK,
                    headers: vec![(
                        CONTENT_TYPE,
                        HeaderValue::from_str(&u.content_type)
                            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
                    )],
                    body: u.data.clone(),
                },
                None => Reply::detail(StatusCode::NOT_FOUND, "Upload not found"),
            }
        }
        _ => return None,
    };
    Some(reply)
}

fn find<'s>(store: &'s mut Store, ws: &str, id: &str) -> Option<&'s mut Link> {
    store
        .areas
        .intake
        .links
        .iter_mut()
        .find(|l| l.ws == ws && l.id == id)
}

fn create(store: &mut Store, ws: &str, body: &[u8]) -> Reply {
    let obj = match json_object(body) {
        Ok(obj) => obj,
        Err(reply) => return reply,
    };
    let mut errors = Vec::new();
    let slug = string_field(&obj, "customer_slug", true, 2, 63, &mut errors);
    let display_name = string_field(&obj, "display_name", false, 0, 2000, &mut errors);
    let (Some(customer_slug), true) = (slug, errors.is_empty()) else {
        return Reply::validation(errors);
    };
    let max_uploads = obj
        .get("max_uploads")
        .and_then(Value::as_u64)
        .unwrap_or(100);
    let id = store.new_id('1');
    let now = SystemTime::now();
    let link = Link {
        ws: ws.to_owned(),
        token: token_for("lt", &id),
        id,
        customer_slug,
        display_name,
        created_at: rfc3339(now),
        expires_at: expires_at(&obj, now),
        revoked_at: None,
        max_uploads: usize::try_from(max_uploads).unwrap_or(usize::MAX),
        uploads: Vec::new(),
    };
    let out = link.to_json();
    store.areas.intake.links.push(link);
    Reply::json(StatusCode::CREATED, &out)
}

/// The public routes under `/upload/{token}`.
pub(super) fn public(store: &mut Store, a: &AreaReq<'_>) -> Option<Reply> {
    let (token, action) = match a.rest {
        [token, action] => (*token, *action),
        _ => return None,
    };
    let method = a.req.method;
    if !matches!(
        (action, method),
        ("info", &Method::GET) | ("files", &Method::POST)
    ) {
        return None;
    }
    let upload_id = store.new_id('2');
    let Some(link) = store
        .areas
        .intake
        .links
        .iter_mut()
        .find(|l| l.token == token)
    else {
        return Some(Reply::detail(
            StatusCode::NOT_FOUND,
            "Upload link not found",
        ));
    };
    if link.status() != "active" {
        return Some(Reply::detail(
            StatusCode::GONE,
            "This upload link is no longer active",
        ));
    }
    if action == "info" {
        let info = json!({
            "display_name": link.display_name.clone().unwrap_or_else(|| link.customer_slug.clone()),
            "customer_slug": link.customer_slug,
            "max_upload_bytes": MAX_UPLOAD_BYTES,
            "allowed_content_types": ["application/pdf", "image/jpeg", "image/png", "text/plain"],
        });
        return Some(Reply::json(StatusCode::OK, &info));
    }
    let header = |name: &str| {
        a.req
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let Some(filename) = header("x-amigo-intake-filename").filter(|f| !f.is_empty()) else {
        return Some(Reply::detail(
            StatusCode::BAD_REQUEST,
            "x-amigo-intake-filename is required",
        ));
    };
    if a.req.body.len() > MAX_UPLOAD_BYTES {
        return Some(Reply::detail(
            StatusCode::PAYLOAD_TOO_LARGE,
            "File too large",
        ));
    }
    let content_type = header("x-amigo-intake-content-type")
        .unwrap_or_else(|| "application/octet-stream".to_owned());
    let sha256: String = Sha256::digest(a.req.body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let upload = Upload {
        id: upload_id,
        filename,
        content_type,
        sha256,
        data: Bytes::copy_from_slice(a.req.body),
        received_at: rfc3339(SystemTime::now()),
    };
    let out = json!({
        "id": upload.id,
        "filename": upload.filename,
        "sha256": upload.sha256,
        "size_bytes": upload.data.len(),
        "scan_status": "clean",
    });
    link.uploads.push(upload);
    Some(Reply::json(StatusCode::CREATED, &out))
}

#[cfg(test)]
mod tests {
    use super::super::areas::{body_json, send};
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn a_link_takes_public_uploads_until_revoked() {
        let store = Mutex::new(Store::default());
        let created = send(
            &store,
            Method::POST,
            "/v1/ws-1/intake/links",
            &[],
            br#"{"customer_slug":"acme-clinic","max_uploads":5}"#,
        );
        assert_eq!(created.status, StatusCode::CREATED);
        let link = body_json(&created);
        let (id, token) = (
            link["id"].as_str().unwrap_or(""),
            link["link_token"].as_str().unwrap_or(""),
        );
        assert_eq!(link["status"], "active");

        let info = send(
            &store,
            Method::GET,
            &format!("/upload/{token}/info"),
            &[],
            b"",
        );
        assert_eq!(body_json(&info)["display_name"], "acme-clinic");
        let upload = send(
            &store,
            Method::POST,
            &format!("/upload/{token}/files"),
            &[
                ("x-amigo-intake-filename", "a.txt"),
                ("x-amigo-intake-content-type", "text/plain"),
            ],
            b"abc",
        );
        assert_eq!(upload.status, StatusCode::CREATED);
        let upload = body_json(&upload);
        assert_eq!(
            upload["sha256"],
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );

        let listed = send(
            &store,
            Method::GET,
            &format!("/v1/ws-1/intake/links/{id}/uploads"),
            &[],
            b"",
        );
        assert_eq!(body_json(&listed)[0]["size_bytes"], 3);
        let upload_id = upload["id"].as_str().unwrap_or("");
        let file = send(
            &store,
            Method::GET,
            &format!("/v1/ws-1/intake/links/{id}/uploads/{upload_id}/download"),
            &[],
            b"",
        );
        assert_eq!(
            (&file.body[..], file.headers[0].1.to_str().ok()),
            (&b"abc"[..], Some("text/plain"))
        );
        assert_eq!(
            body_json(&send(
                &store,
                Method::GET,
                "/v1/ws-2/intake/links",
                &[],
                b""
            )),
            json!([])
        );

        let revoked = send(
            &store,
            Method::DELETE,
            &format!("/v1/ws-1/intake/links/{id}"),
            &[],
            b"",
        );
        assert_eq!(revoked.status, StatusCode::NO_CONTENT);
        let refused = send(
            &store,
            Method::POST,
            &format!("/upload/{token}/files"),
            &[("x-amigo-intake-filename", "b.txt")],
            b"x",
        );
        assert_eq!(refused.status, StatusCode::GONE);
    }
}
