//! The generated `new(required..)` constructors and constant-filled `Default`s of request-side
//! models: required fields set, constants written, optional fields left out of the JSON.

use amigo_platform_api::models as m;
use serde_json::json;

fn to_json<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).expect("serialises")
}

#[test]
fn new_sets_required_fields_and_omits_optional_ones() {
    assert_eq!(
        to_json(&m::TurnRequest::new("hi")),
        json!({"message": "hi"})
    );
    assert_eq!(
        to_json(&m::CreateConversationRequest::new("svc-1")),
        json!({"service_id": "svc-1"})
    );
}

#[test]
fn new_writes_the_constant_tag() {
    assert_eq!(
        to_json(&m::KetamineBlockOverlapParams::new(7)),
        json!({"rule_kind": "ketamine_block_overlap", "window_days": 7})
    );
}

#[test]
fn default_of_a_tagged_model_writes_its_constant() {
    assert_eq!(
        to_json(&m::ForwardAction::default())["type"],
        json!("forward")
    );
}

#[test]
fn setters_chain_on_a_constructed_model() {
    let body = m::CreateConversationRequest::new("svc-1")
        .auto_greet(false)
        .clear_entity_id();
    assert_eq!(
        to_json(&body),
        json!({"service_id": "svc-1", "auto_greet": false, "entity_id": null})
    );
}
