//! Generated models and operations never print secrets through `Debug`: created API keys,
//! webhook signing secrets, capability tokens in paths and in URLs.

use amigo_platform_api::models as m;
use amigo_platform_api::ops;
use serde_json::json;

fn assert_hidden(shown: &str, secrets: &[&str], visible: &[&str]) {
    for s in secrets {
        assert!(!shown.contains(s), "{s} shown in: {shown}");
    }
    for v in visible {
        assert!(shown.contains(v), "{v} missing from: {shown}");
    }
    assert!(shown.contains("[REDACTED]"), "{shown}");
}

#[test]
fn created_api_key_is_hidden() {
    let r: m::CreateApiKeyResponse = serde_json::from_value(json!({
        "key_id": "key-visible", "api_key": "sk-live-5ecret", "name": "ci", "role": "admin",
        "permissions": [], "expires_at": "2030-01-01T00:00:00Z",
        "created_by_entity_id": null, "created_by_credential_id": null
    }))
    .unwrap();
    assert_hidden(&format!("{r:?}"), &["sk-live-5ecret"], &["key-visible"]);
}

#[test]
fn webhook_secrets_are_hidden() {
    let r: m::RotateSecretResponse = serde_json::from_value(json!({
        "secret": "whsec-5ecret", "rotation_expires_at": "2030-01-01T00:00:00Z"
    }))
    .unwrap();
    assert_hidden(&format!("{r:?}"), &["whsec-5ecret"], &["2030-01-01"]);
    let r: m::WebhookDestinationCreatedResponse = serde_json::from_value(json!({
        "id": "wd-1", "workspace_id": "ws", "name": "hook", "description": null,
        "trigger_id": "t", "url": "https://example.com/h", "field_mapping": null,
        "accepted_event_types": [], "retry_attempts": 3, "is_active": true,
        "created_by": null, "secret": "whsec-created-5ecret"
    }))
    .unwrap();
    assert_hidden(&format!("{r:?}"), &["whsec-created-5ecret"], &["wd-1"]);
}

#[test]
fn intake_link_token_is_hidden_also_in_its_upload_url() {
    let r: m::IntakeLinkResponse = serde_json::from_value(json!({
        "id": "il-1", "workspace_id": "ws", "customer_slug": "acme", "display_name": null,
        "upload_url": "https://api.test/upload/lt-5ecret/files", "link_token": "lt-5ecret",
        "status": "active", "created_at": "c", "expires_at": "e", "revoked_at": null,
        "max_uploads": 5, "upload_count": 0, "last_upload_at": null
    }))
    .unwrap();
    assert_hidden(
        &format!("{r:?}"),
        &["lt-5ecret"],
        &["il-1", "/upload/[REDACTED]/files"],
    );
}

#[test]
fn secret_inputs_are_hidden() {
    let v = m::SecretInput::new("client-5ecret");
    assert_hidden(&format!("{v:?}"), &["client-5ecret"], &[]);
}

#[test]
fn operations_hide_capability_tokens() {
    let op = ops::surface_patient::GetSurfaceSpec::new("surf-5ecret".into());
    assert_hidden(&format!("{op:?}"), &["surf-5ecret"], &["GetSurfaceSpec"]);
    let op = ops::intake_upload::UploadIntakeFileViaLink::new(
        "lt-5ecret".into(),
        "scan.pdf".into(),
        "application/pdf".into(),
        bytes::Bytes::from_static(b"%PDF-file-content").into(),
        "application/pdf".into(),
    );
    assert_hidden(
        &format!("{op:?}"),
        &["lt-5ecret", "PDF-file-content"],
        &["scan.pdf"],
    );
}
