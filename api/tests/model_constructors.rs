//! The generated `new(required..)` constructors and constant-filled `Default`s of request-side
//! models: required fields set, constants written, optional fields left out of the JSON.
//! Models and operation structs are `#[non_exhaustive]`, so the generated sources are also
//! checked for the attribute and for a `new` on every request model with required fields.

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

/// One generated model struct as read from its source: what a user needs to build it.
struct ModelSource {
    name: String,
    /// Used as a request body (JSON or multipart): users build it.
    request_side: bool,
    non_exhaustive: bool,
    required_fields: usize,
}

/// Every `pub struct` of the generated sources in `src/generated/{folder}`, with the text of its
/// file.
fn generated_structs(folder: &str) -> Vec<(ModelSource, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/generated")
        .join(folder);
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("models dir") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("model file");
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let Some(rest) = line.strip_prefix("pub struct ") else {
                continue;
            };
            let name = rest.trim_end_matches(" {").to_owned();
            // The doc and attribute lines above the struct.
            let head: Vec<&str> = lines[..i]
                .iter()
                .rev()
                .take_while(|l| l.starts_with("#[") || l.starts_with("///"))
                .copied()
                .collect();
            let request_side = head.iter().any(|l| {
                (l.starts_with("#[derive(") && l.contains("Serialize"))
                    || l.contains("multipart/form-data")
            });
            let required_fields = lines[i + 1..]
                .iter()
                .take_while(|l| **l != "}")
                .filter(|l| l.trim_start().starts_with("/// `") && l.contains("` (required"))
                .count();
            let model = ModelSource {
                request_side,
                non_exhaustive: head.contains(&"#[non_exhaustive]"),
                required_fields,
                name,
            };
            out.push((model, text.clone()));
        }
    }
    out
}

#[test]
fn every_request_model_with_required_fields_has_new() {
    let models = generated_structs("models");
    let with_required: Vec<_> = models
        .iter()
        .filter(|(m, _)| m.request_side && m.required_fields > 0)
        .collect();
    assert!(with_required.len() > 100, "found {}", with_required.len());
    let missing: Vec<&str> = with_required
        .iter()
        .filter(|(m, text)| {
            let ctor = format!(
                "impl {} {{\n    /// The model with its required fields",
                m.name
            );
            let dflt = format!("impl Default for {} {{", m.name);
            !text.contains(&ctor) && !text.contains(&dflt)
        })
        .map(|(m, _)| m.name.as_str())
        .collect();
    assert!(missing.is_empty(), "no `new` (nor `Default`): {missing:?}");
}

/// Fails unless every struct of `src/generated/{folder}` (at least `min`) is `#[non_exhaustive]`.
fn assert_all_non_exhaustive(folder: &str, min: usize) {
    let structs = generated_structs(folder);
    assert!(structs.len() >= min, "found {}", structs.len());
    let exhaustive: Vec<&str> = structs
        .iter()
        .filter(|(s, _)| !s.non_exhaustive)
        .map(|(s, _)| s.name.as_str())
        .collect();
    assert!(
        exhaustive.is_empty(),
        "not #[non_exhaustive]: {exhaustive:?}"
    );
}

#[test]
fn every_generated_model_is_non_exhaustive() {
    assert_all_non_exhaustive("models", 500);
}

#[test]
fn every_operation_struct_is_non_exhaustive() {
    assert_all_non_exhaustive("ops", 400);
}

#[test]
fn a_model_with_seven_required_fields_is_built_with_new() {
    let state = m::ActionState::new(vec![], vec![], vec![], vec![], vec![], "intake", "greet");
    let json = to_json(&state);
    assert_eq!(
        (json["name"].clone(), json["objective"].clone()),
        (json!("intake"), json!("greet"))
    );
    assert_eq!(json["actions"], json!([]));
}
