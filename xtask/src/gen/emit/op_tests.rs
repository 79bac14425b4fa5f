//! Emits `tests/generated_requests.rs`-style request tests: sample arguments per operation.

use crate::gen::emit::models::*;
use crate::gen::emit::operations::*;
use crate::gen::emit::*;
use crate::gen::ir::*;
use crate::gen::lower::*;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A sample Rust expression of type `t` (tests only).
pub(crate) fn sample(g: &Gen, t: &Ty, depth: usize) -> String {
    match t {
        Ty::Str => "String::from(\"s\")".into(),
        Ty::Int => "1".into(),
        Ty::Float => "1.5".into(),
        Ty::Bool => "true".into(),
        Ty::Any => "serde_json::Value::Null".into(),
        Ty::Obj => "serde_json::Map::new()".into(),
        Ty::File => {
            "m::FilePart::new(\"a.ogg\", \"audio/ogg\", bytes::Bytes::from_static(b\"OggS\"))"
                .into()
        }
        Ty::IntOrStr => "m::IntOrString::Int(7)".into(),
        Ty::NumOrStr => "m::NumberOrString::Number(1.5)".into(),
        Ty::Vec(_) => "Vec::new()".into(),
        Ty::Map(_) => "Default::default()".into(),
        Ty::Opt(_) => "None".into(),
        Ty::Patch(_) => "m::Patch::Unset".into(),
        Ty::Boxed(t) => format!("Box::new({})", sample(g, t, depth + 1)),
        Ty::Page(_) => "Default::default()".into(),
        Ty::Named(n) => match find_def(g, n) {
            Some(Def::Alias { ty, .. }) => sample(g, ty, depth),
            Some(Def::Enum { values, .. }) => format!(
                "m::{n}::from({:?})",
                values.first().cloned().unwrap_or_default()
            ),
            Some(Def::Union { .. }) => format!("m::{n}::Unknown(serde_json::Value::Null)"),
            Some(Def::Struct { .. }) => {
                assert!(depth < 12, "sample recursion at {n}");
                build_model(g, n, |f| {
                    if f.required {
                        Set::To(sample(g, &f.ty, depth + 1))
                    } else {
                        Set::Skip
                    }
                })
            }
            None if is_format_type(n) => format!("m::{n}::from(\"s\")"),
            None => panic!("no model `{n}`"),
        },
    }
}

/// Percent-encodes like the core's `encode_component` (everything but unreserved characters).
pub(crate) fn enc(v: &str) -> String {
    let mut out = String::new();
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A sample query value of type `t`: the Rust expression and the expected wire texts.
pub(crate) fn query_sample(g: &Gen, t: &Ty) -> (String, Vec<String>) {
    match t {
        Ty::Str => ("String::from(\"q v&\")".into(), vec![enc("q v&")]),
        Ty::Int => ("3".into(), vec!["3".into()]),
        Ty::Float => ("2.5".into(), vec!["2.5".into()]),
        Ty::Bool => ("true".into(), vec!["true".into()]),
        Ty::IntOrStr => ("m::IntOrString::Int(7)".into(), vec!["7".into()]),
        Ty::NumOrStr => ("m::NumberOrString::Number(1.5)".into(), vec!["1.5".into()]),
        Ty::Vec(inner) => {
            let (e, t) = query_sample(g, inner);
            (format!("vec![{e}, {e}]"), [t.clone(), t].concat())
        }
        Ty::Named(n) => match find_def(g, n) {
            Some(Def::Alias { ty, .. }) => query_sample(g, ty),
            Some(Def::Enum { values, .. }) => {
                let v = values.first().cloned().unwrap_or_default();
                (format!("m::{n}::from({v:?})"), vec![enc(&v)])
            }
            _ => panic!("query sample of {n}"),
        },
        other => panic!("query sample of {other:?}"),
    }
}

/// `new()` argument expressions for `op` built from samples, the request path they give
/// (`ws-test` as the workspace) and the query text of the required query parameters.
pub(crate) fn sample_new_args(
    g: &Gen,
    op: &Op,
) -> (Vec<String>, String, BTreeMap<String, Vec<String>>) {
    let args = op_args(op);
    let mut vals = Vec::new();
    let mut path = op.path.clone();
    let mut qtext: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for a in &args {
        let v = if a.name == "workspace_id" && op.target_ws == Some(false) {
            path = path.replace("{workspace_id}", "ws-other");
            "Some(\"ws-other\".to_owned())".to_owned()
        } else if a.name == "content_type" {
            "\"application/x-ndjson\".to_owned()".to_owned()
        } else if a.name == "body" && matches!(op.body, BodyKind::Raw) {
            "bytes::Bytes::from_static(b\"{}\").into()".to_owned()
        } else if let Some(p) = op.params.iter().find(|p| p.ident == a.name) {
            if p.loc == Loc::Path {
                let (v, text) = match &p.ty {
                    Ty::Int => ("1".to_owned(), "1".to_owned()),
                    Ty::IntOrStr => ("m::IntOrString::Int(7)".to_owned(), "7".to_owned()),
                    _ => {
                        let raw = format!("p {}/{}", p.wire, "é");
                        (format!("String::from({raw:?})"), enc(&raw))
                    }
                };
                path = path.replace(&format!("{{{}}}", p.wire), &text);
                v
            } else if p.loc == Loc::Query {
                let (e, t) = query_sample(g, &p.ty);
                qtext.insert(p.wire.clone(), t);
                e
            } else {
                sample(g, &p.ty, 0)
            }
        } else {
            match &op.body {
                BodyKind::Json { ty, .. } | BodyKind::Multipart { ty } => sample(g, ty, 0),
                _ => unreachable!(),
            }
        };
        vals.push(v);
    }
    path = path.replace("{workspace_id}", "ws-test");
    (vals, path, qtext)
}

pub(crate) fn emit_tests(g: &Gen, ops: &[Op], header: &str, files: &mut BTreeMap<String, String>) {
    let mut o = request_tests_head(header);
    let mut tri = String::new();
    let mut set_lines = String::new();
    let mut by_mod: BTreeMap<&str, Vec<&Op>> = BTreeMap::new();
    for op in ops {
        by_mod.entry(op.module.as_str()).or_default().push(op);
    }
    for (module, list) in by_mod {
        let _ = writeln!(o, "#[test]\nfn {module}() {{");
        for op in list {
            let (vals, path, qtext) = sample_new_args(g, op);
            let new = format!(
                "ops::{}::{}::new({})",
                op.module,
                op.pascal,
                vals.join(", ")
            );
            emit_check(g, op, &new, &path, qtext, &mut o);
            emit_tri_state(g, op, &new, &mut tri, &mut set_lines);
        }
        o.push_str("}\n\n");
    }
    let _ = writeln!(
        o,
        "/// Every PATCH/PUT operation whose JSON body has a tri-state (`Patch`) field: its first one.\n\
         #[test]\nfn tri_state_body_fields() {{\n{tri}}}\n\n\
         /// The same fields through the generated body setters (`field(v)`, `clear_field()`), where\n\
         /// the body type has a `Default`.\n\
         #[test]\nfn tri_state_body_setters() {{\n{set_lines}}}"
    );
    files.insert("tests_requests.rs".into(), o);
}

/// The head of `tests/generated_requests.rs`: `prepare`, `check` and the tri-state helpers.
fn request_tests_head(header: &str) -> String {
    format!(
        "{header}//! Table-driven request tests: every operation, built with sample arguments (every optional\n\
         //! query parameter set) and prepared, gives the right method, path (percent-encoded), query,\n\
         //! content type and `Accept`.\n\n\
         #![allow(unused_mut, clippy::redundant_clone, clippy::clone_on_copy, clippy::needless_borrows_for_generic_args)]\n\n\
         use amigo_platform_api::models as m;\nuse amigo_platform_api::ops;\n\
         use amigo_platform_core::Operation;\n\n\
         #[track_caller]\n\
         fn prepare<O: Operation>(op: &O) -> amigo_platform_core::__private::PreparedRequest {{\n    \
         let config = amigo_platform_core::Config::builder().api_key(\"sk-test\").workspace_id(\"ws-test\").base_url(\"https://api.test\").build().unwrap();\n    \
         amigo_platform_core::__private::prepare(op, &config, &amigo_platform_core::RequestOptions::new(), None)\n        .unwrap_or_else(|e| panic!(\"{{}}: {{e}}\", op.operation_id()))\n}}\n\n\
         #[track_caller]\n\
         fn check<O: Operation>(op: O, method: &str, path: &str, query: &str, content_type: Option<&str>) {{\n    \
         let req = prepare(&op);\n    \
         let id = op.operation_id();\n    \
         assert_eq!(req.method.as_str(), method, \"{{id}}\");\n    \
         let rest = req.url.strip_prefix(\"https://api.test\").unwrap();\n    \
         let (p, q) = rest.split_once('?').unwrap_or((rest, \"\"));\n    \
         assert_eq!(p, path, \"{{id}}\");\n    \
         assert_eq!(q, query, \"{{id}}\");\n    \
         let ct = req.headers.get(\"content-type\").map(|v| v.to_str().unwrap().to_owned());\n    \
         match content_type {{\n        Some(\"multipart\") => assert!(ct.as_deref().unwrap_or_default().starts_with(\"multipart/form-data; boundary=\"), \"{{id}}\"),\n        \
         other => assert_eq!(ct.as_deref(), other, \"{{id}}\"),\n    }}\n    \
         let accept = req.headers.get(\"accept\").unwrap().to_str().unwrap();\n    \
         assert_eq!(accept, op.accept(), \"{{id}}\");\n}}\n\n\
         /// `set` serialises with `wire: want`, `clear` with `wire: null`.\n\
         #[track_caller]\n\
         fn setters<B: serde::Serialize>(set: B, clear: B, wire: &str, want: serde_json::Value) {{\n    \
         assert_eq!(serde_json::to_value(&set).unwrap().get(wire), Some(&want), \"{{wire}}\");\n    \
         assert_eq!(serde_json::to_value(&clear).unwrap().get(wire), Some(&serde_json::Value::Null), \"{{wire}}\");\n}}\n\n\
         /// A tri-state body field: `Unset` leaves `wire` out of the JSON body, `Null` sends\n\
         /// `\"wire\": null`, `Value(v)` sends `v`.\n\
         #[track_caller]\n\
         fn tri<O: Operation + Clone, T: serde::Serialize>(base: &O, field: impl Fn(&mut O) -> &mut m::Patch<T>, wire: &str, value: T) {{\n    \
         let want = serde_json::to_value(&value).unwrap();\n    \
         for (state, expect) in [(m::Patch::Unset, None), (m::Patch::Null, Some(serde_json::Value::Null)), (m::Patch::Value(value), Some(want))] {{\n        \
         let mut op = base.clone();\n        \
         *field(&mut op) = state;\n        \
         let req = prepare(&op);\n        \
         let body: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&req.body).unwrap();\n        \
         assert_eq!(body.get(wire), expect.as_ref(), \"{{}}: `{{wire}}`\", op.operation_id());\n    \
         }}\n}}\n\n"
    )
}

/// One `check(..)` line: the operation built with sample arguments (every optional query
/// parameter set) and the method, path, query and content type it must prepare to.
fn emit_check(
    g: &Gen,
    op: &Op,
    new: &str,
    path: &str,
    mut qtext: BTreeMap<String, Vec<String>>,
    o: &mut String,
) {
    let ct = match &op.body {
        BodyKind::None
        | BodyKind::Json {
            required: false, ..
        } => "None".to_owned(),
        BodyKind::Json { required: true, .. } => "Some(\"application/json\")".to_owned(),
        BodyKind::Multipart { .. } => "Some(\"multipart\")".to_owned(),
        BodyKind::Raw => "Some(\"application/x-ndjson\")".to_owned(),
    };
    let mut sets = String::new();
    for p in op.params.iter().filter(|p| p.loc == Loc::Query) {
        if let Some(k) = &p.konst {
            qtext.insert(p.wire.clone(), vec![enc(k)]);
        } else if !p.required {
            let (e, t) = query_sample(g, &p.ty);
            let e = if matches!(p.ty, Ty::Vec(_)) {
                e
            } else {
                format!("Some({e})")
            };
            let _ = write!(sets, " op.{} = {e};", p.ident);
            qtext.insert(p.wire.clone(), t);
        }
    }
    let mut query = Vec::new();
    for p in op.params.iter().filter(|p| p.loc == Loc::Query) {
        for t in qtext.get(&p.wire).into_iter().flatten() {
            query.push(format!("{}={t}", enc(&p.wire)));
        }
    }
    let value = if sets.is_empty() {
        new.to_owned()
    } else {
        format!("{{ let mut op = {new};{sets} op }}")
    };
    let _ = writeln!(
        o,
        "    check({value}, {:?}, {:?}, {:?}, {ct});",
        op.method,
        path,
        query.join("&")
    );
}

/// PATCH/PUT bodies: the first tri-state field in its three states (`tri`), and through the
/// body's setters where it has a `Default` (`set_lines`).
fn emit_tri_state(g: &Gen, op: &Op, new: &str, tri: &mut String, set_lines: &mut String) {
    // PATCH/PUT bodies: the first tri-state field in its three states.
    if let (
        BodyKind::Json {
            ty: Ty::Named(sn),
            required,
        },
        "PATCH" | "PUT",
    ) = (&op.body, op.method.as_str())
    {
        let first = find_struct(g, sn).and_then(|(fields, _)| {
            fields.iter().find_map(|f| match &f.ty {
                Ty::Patch(inner) => Some((f, inner)),
                _ => None,
            })
        });
        if let Some((f, inner)) = first {
            if find_struct(g, sn).is_some_and(|(fields, _)| derives_default(fields, false)) {
                let _ = writeln!(
                    set_lines,
                    "    {{\n        let v: {} = {};\n        setters(m::{sn}::default().{}(v.clone()), m::{sn}::default().clear_{}(), {:?}, serde_json::to_value(&v).unwrap());\n    }}",
                    inner.rs("m::"),
                    sample(g, inner, 0),
                    setter_name(&f.ident),
                    f.ident.trim_start_matches("r#"),
                    f.wire
                );
            }
            let (base, access) = if *required {
                (new.to_owned(), "op.body")
            } else {
                (
                    format!(
                        "{{ let mut op = {new}; op.body = Some({}); op }}",
                        sample(g, &Ty::Named(sn.clone()), 0)
                    ),
                    "op.body.as_mut().unwrap()",
                )
            };
            let _ = writeln!(
                tri,
                "    tri(&{base}, |op| &mut {access}.{}, {:?}, {});",
                f.ident,
                f.wire,
                sample(g, inner, 0)
            );
        }
    }
}
