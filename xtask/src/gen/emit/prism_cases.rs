//! Emits `tests/prism_cases/`: one sample call per operation for the Prism conformance test.

use crate::gen::emit::examples::*;
use crate::gen::emit::*;
use crate::gen::ir::*;
use crate::gen::lower::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Prism conformance cases: every operation with schema-derived arguments (required
/// parameters and body fields, valid formats), as a table the hand-written `tests/prism.rs` runs.
pub(crate) fn emit_prism_cases(
    g: &Gen,
    ops: &[Op],
    header: &str,
    files: &mut BTreeMap<String, String>,
) {
    let mut o = format!(
        "{header}//! Prism conformance cases: every operation, built from its schema-derived sample arguments.\n\n\
         #![allow(clippy::all)]\n\nuse amigo_platform_api::models as m;\nuse amigo_platform_api::ops;\n\n\
         /// `(operation id, runner)` for every operation.\npub fn cases<R>(run: &impl Runner<R>) -> Vec<(&'static str, R)> {{\n    vec![\n"
    );
    for op in ops {
        let args = op_args(op);
        let mut vals = Vec::new();
        for a in &args {
            let v = if a.name == "workspace_id" && op.target_ws == Some(false) {
                "None".to_owned()
            } else if a.name == "content_type" {
                "\"application/json\".to_owned()".to_owned()
            } else if a.name == "body" && matches!(op.body, BodyKind::Raw) {
                // The spec declares no body for the raw-body operations (the server reads the raw
                // stream), so Prism only accepts an empty one.
                match op.body_schema.as_ref().map(|b| example(g, b, false, 0)) {
                    Some(ex) => format!(
                        "bytes::Bytes::from_static({}.as_bytes()).into()",
                        raw_str(&ex.to_string())
                    ),
                    None => "bytes::Bytes::new().into()".to_owned(),
                }
            } else if let Some(p) = op.params.iter().find(|p| p.ident == a.name) {
                rust_of(g, &p.ty, &example(g, &p.schema, false, 0))
            } else {
                let ty = match &op.body {
                    BodyKind::Json { ty, .. } | BodyKind::Multipart { ty } => ty,
                    _ => unreachable!(),
                };
                let ex = op
                    .body_schema
                    .as_ref()
                    .map(|b| example(g, b, false, 0))
                    .unwrap_or(Value::Null);
                rust_of(g, ty, &ex)
            };
            vals.push(v);
        }
        let _ = writeln!(
            o,
            "        ({:?}, run.run(ops::{}::{}::new({}))),",
            op.id,
            op.module,
            op.pascal,
            vals.join(", ")
        );
    }
    o.push_str("    ]\n}\n\n/// Turns one operation value into a runner result.\npub trait Runner<R> {\n    /// Wraps `op`.\n    fn run<O: amigo_platform_core::Operation>(&self, op: O) -> R;\n}\n\n#[allow(unused_imports)]\nuse m as _;\n");
    files.insert("tests/prism_cases/mod.rs".into(), o);
}
