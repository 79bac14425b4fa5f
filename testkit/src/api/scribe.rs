//! Scribe: the review of an encounter's documentation and the transcription of a recording.
//!
//! | Method | Path | Behaviour |
//! |---|---|---|
//! | `POST` | `/v1/{ws}/scribe/encounters/{id}/icd10/approve`, `.../icd10/reject` | records the code's decision (`code` required, `reason` optional) and answers with the encounter |
//! | `POST` | `/v1/{ws}/scribe/encounters/{id}/soap/edit` | sets one SOAP section (`subjective`, `objective`, `assessment`, `plan`) |
//! | `POST` | `/v1/{ws}/scribe/encounters/{id}/finalize` | locks the encounter; later edits answer 409 |
//! | `GET` | `/v1/{ws}/settings/scribe` | fixed settings: enabled, one authorized clinician |
//! | `POST` | `/v1/{ws}/scribe/recordings/transcribe` | a `multipart/form-data` body: answers a transcription naming the body size |
//!
//! An encounter exists from its first review call on.

use std::collections::BTreeMap;

use http::{Method, StatusCode};
use serde_json::{json, Map, Value};

use super::areas::AreaReq;
use super::params::{json_object, string_field};
use super::{Reply, Store};

/// The scribe settings every workspace reads (`ScribeSettingsResponse`).
fn settings() -> Value {
    json!({
        "enabled": true,
        "authorized_clinicians": [{"email": "dr.smith@example.com", "name": "Dr. Smith", "role": "clinician"}],
        "soap_style": "detailed",
        "language": "en",
        "keyterms": ["metformin"],
    })
}

/// The SOAP sections an edit may name.
const SECTIONS: [&str; 4] = ["subjective", "objective", "assessment", "plan"];

/// One encounter under review.
#[derive(Debug, Default, Clone)]
struct Encounter {
    approved: Vec<String>,
    rejected: Vec<Value>,
    soap: BTreeMap<String, String>,
    finalized: bool,
}

/// Every encounter, keyed by (workspace, encounter id).
#[derive(Debug, Default)]
pub(crate) struct ScribeState {
    encounters: BTreeMap<(String, String), Encounter>,
}

/// Whether `rest` (after `/v1/{ws}`) is a scribe path.
pub(super) fn knows(rest: &[&str]) -> bool {
    matches!(rest, ["scribe", ..] | ["settings", "scribe"])
}

/// The scribe routes (all `POST`).
pub(super) fn route(store: &mut Store, ws: &str, a: &AreaReq<'_>) -> Option<Reply> {
    if a.rest == ["settings", "scribe"] && a.req.method == Method::GET {
        return Some(Reply::json(StatusCode::OK, &settings()));
    }
    if a.req.method != Method::POST {
        return None;
    }
    let (id, action): (&str, &[&str]) = match a.rest {
        ["scribe", "recordings", "transcribe"] => return Some(transcribe(a)),
        ["scribe", "encounters", id, action @ ..] => (id, action),
        _ => return None,
    };
    if !matches!(
        action,
        ["icd10", "approve"] | ["icd10", "reject"] | ["soap", "edit"] | ["finalize"]
    ) {
        return None;
    }
    let body = if action == ["finalize"] {
        Map::new()
    } else {
        match json_object(a.req.body) {
            Ok(obj) => obj,
            Err(reply) => return Some(reply),
        }
    };
    let key = (ws.to_owned(), (*id).to_owned());
    let encounter = store.areas.scribe.encounters.entry(key).or_default();
    if encounter.finalized {
        return Some(Reply::detail(
            StatusCode::CONFLICT,
            "Encounter is finalized",
        ));
    }
    let mut errors = Vec::new();
    match action {
        ["icd10", decision] => {
            let code = string_field(&body, "code", true, 1, 16, &mut errors);
            let reason = string_field(&body, "reason", false, 0, 500, &mut errors);
            let Some(code) = code.filter(|_| errors.is_empty()) else {
                return Some(Reply::validation(errors));
            };
            if *decision == "approve" {
                encounter.approved.push(code);
            } else {
                encounter
                    .rejected
                    .push(json!({"code": code, "reason": reason}));
            }
        }
        ["soap", _] => {
            let section = string_field(&body, "section", true, 1, 16, &mut errors);
            let content = string_field(&body, "content", true, 0, 10_000, &mut errors);
            match (section, content) {
                (Some(s), Some(c)) if errors.is_empty() && SECTIONS.contains(&s.as_str()) => {
                    encounter.soap.insert(s, c);
                }
                _ => {
                    if errors.is_empty() {
                        errors.push(json!({
                            "type": "string_pattern_mismatch",
                            "loc": ["body", "section"],
                            "msg": "section must be subjective, objective, assessment or plan",
                        }));
                    }
                    return Some(Reply::validation(errors));
                }
            }
        }
        _ => encounter.finalized = true,
    }
    let out = json!({
        "encounter_id": id,
        "status": if encounter.finalized { "finalized" } else { "review" },
        "icd10_approved": encounter.approved,
        "icd10_rejected": encounter.rejected,
        "soap": encounter.soap,
    });
    Some(Reply::json(StatusCode::OK, &out))
}

/// A transcription of a multipart upload: the mock does not listen, it reports the size.
fn transcribe(a: &AreaReq<'_>) -> Reply {
    let multipart = a
        .req
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("multipart/form-data"));
    if !multipart {
        return Reply::detail(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Expected multipart/form-data",
        );
    }
    let transcript = format!("(mock transcript of a {}-byte upload)", a.req.body.len());
    Reply::json(
        StatusCode::OK,
        &json!({
            "transcript": transcript,
            "duration_seconds": 0.0,
            "model": "mock",
            "language": "en",
            "chunk_count": 1,
            "keyterm_count": 0,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::super::areas::{body_json, send};
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn review_edits_an_encounter_until_it_is_finalized() {
        let store = Mutex::new(Store::default());
        let base = "/v1/ws-1/scribe/encounters/enc-1";
        let post = |action: &str, body: &[u8]| {
            send(&store, Method::POST, &format!("{base}/{action}"), &[], body)
        };
        let approve = post("icd10/approve", br#"{"code":"J06.9"}"#);
        assert_eq!(body_json(&approve)["icd10_approved"], json!(["J06.9"]));
        let bad = post("soap/edit", br#"{"section":"x","content":"y"}"#);
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let soap = post("soap/edit", br#"{"section":"plan","content":"rest"}"#);
        assert_eq!(body_json(&soap)["soap"]["plan"], "rest");
        assert_eq!(body_json(&post("finalize", b""))["status"], "finalized");
        let late = post("icd10/reject", br#"{"code":"J06.9"}"#);
        assert_eq!(late.status, StatusCode::CONFLICT);
        let settings = send(&store, Method::GET, "/v1/ws-1/settings/scribe", &[], b"");
        assert_eq!(body_json(&settings)["enabled"], true);
        let plain = send(
            &store,
            Method::POST,
            "/v1/ws-1/scribe/recordings/transcribe",
            &[],
            b"audio",
        );
        assert_eq!(plain.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let multi = send(
            &store,
            Method::POST,
            "/v1/ws-1/scribe/recordings/transcribe",
            &[("content-type", "multipart/form-data; boundary=b")],
            b"12345",
        );
        assert_eq!(
            body_json(&multi)["transcript"],
            "(mock transcript of a 5-byte upload)"
        );
    }
}
