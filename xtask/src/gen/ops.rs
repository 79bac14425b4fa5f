//! Building the operations ([`Op`]) from the spec's paths and the surface table.

use crate::gen::ir::*;
use crate::gen::lower::*;
use crate::gen::quirks::*;
use crate::names::{ident, is_snake_ident, pascal, snake};
use amigo_platform_core::__private::is_sensitive_key;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// What one operation's lowering needs to know besides its spec object.
struct OpCtx<'r> {
    id: String,
    /// The operation's Pascal-case name (the FastAPI suffix stripped).
    pas: String,
    /// The module of its tag.
    module: String,
    /// The surface table's notes and pager columns.
    note: &'r str,
    pager_col: &'r str,
}

/// Every operation of the spec, checked against the surface table (both ways).
pub(crate) fn build_ops(g: &mut Gen, raw: &[(String, String, Value)], rows: &[Row]) -> Vec<Op> {
    let mut notes: HashMap<&str, (&str, &str)> = HashMap::new();
    for r in rows {
        notes
            .entry(r.op_id.as_str())
            .or_insert((r.notes.as_str(), r.pager.as_str()));
    }
    let mut ops = Vec::new();
    let mut seen_names = HashMap::new();
    for (path, method, o) in raw {
        let id = s(o, "operationId").unwrap_or_default().to_owned();
        let Some(&(note, pager_col)) = notes.get(id.as_str()) else {
            g.errors
                .push(format!("operation `{id}` is not in surface.tsv"));
            continue;
        };
        let pas = pascal(&fastapi_strip(&id, path, method));
        if let Some(prev) = seen_names.insert(pas.clone(), id.clone()) {
            g.errors.push(format!(
                "operation name collision `{pas}`: `{prev}` and `{id}`"
            ));
        }
        let tag = o
            .get("tags")
            .and_then(|t| t.get(0))
            .and_then(Value::as_str)
            .unwrap_or("default");
        let cx = OpCtx {
            id,
            pas,
            module: snake(tag),
            note,
            pager_col,
        };
        ops.push(build_op(g, &cx, path, method, o));
    }
    for r in rows {
        if !ops.iter().any(|o| o.id == r.op_id) {
            g.errors
                .push(format!("surface.tsv names unknown operation `{}`", r.op_id));
        }
    }
    ops
}

fn build_op(g: &mut Gen, cx: &OpCtx, path: &str, method: &str, o: &Value) -> Op {
    let target_ws = if cx.note.contains("optional target workspace id") {
        Some(false)
    } else if cx.note.contains("explicit `workspace_id` argument") {
        Some(true)
    } else {
        None
    };
    check_path_params(g, &cx.id, path, o);
    let mut params = Vec::new();
    for p in o
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(p) = op_param(g, cx, target_ws, p) {
            params.push(p);
        }
    }
    let mut idents = HashSet::new();
    for p in &params {
        if !idents.insert(p.ident.clone()) || p.ident == "body" || p.ident == "content_type" {
            g.errors.push(format!(
                "{}: parameter ident collision `{}`",
                cx.id, p.ident
            ));
        }
    }
    let body = op_body(g, cx, o);
    let out_schema = json_response_schema(o);
    let out = op_out(g, cx, o, out_schema.as_ref());
    Op {
        id: cx.id.clone(),
        pascal: cx.pas.clone(),
        method: method.to_uppercase(),
        path: path.to_owned(),
        module: cx.module.clone(),
        params,
        target_ws,
        body_schema: o
            .pointer("/requestBody/content")
            .and_then(Value::as_object)
            .and_then(|c| c.values().next())
            .and_then(|m| m.get("schema"))
            .cloned(),
        body,
        out_schema,
        out,
        pager: op_pager(cx.pager_col),
    }
}

/// The declared path parameters must be the path template's.
fn check_path_params(g: &mut Gen, id: &str, path: &str, o: &Value) {
    let mut declared: Vec<String> = o
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|p| s(p, "in") == Some("path"))
        .filter_map(|p| s(p, "name").map(str::to_owned))
        .collect();
    let mut in_template = Vec::new();
    let mut rest = path;
    while let Some(a) = rest.find('{') {
        let b = rest[a..].find('}').map(|b| a + b).unwrap_or(rest.len());
        in_template.push(rest[a + 1..b].to_owned());
        rest = &rest[(b + 1).min(rest.len())..];
    }
    let msg = format!("{id}: path parameters {declared:?} do not match template {in_template:?}");
    declared.sort();
    in_template.sort();
    if declared != in_template {
        g.errors.push(msg);
    }
}

/// Whether a parameter of type `ty` in `loc` can be sent (scalars; arrays only in the query).
fn param_type_ok(loc: Loc, ty: &Ty) -> bool {
    let ok = match ty {
        Ty::Vec(t) => matches!(**t, Ty::Str | Ty::Int | Ty::Float | Ty::Bool | Ty::Named(_)),
        Ty::Str | Ty::Int | Ty::Float | Ty::Bool | Ty::Named(_) | Ty::IntOrStr | Ty::NumOrStr => {
            true
        }
        _ => false,
    };
    ok && (loc == Loc::Query || !matches!(ty, Ty::Vec(_)))
}

/// One parameter; `None` when it is left out (the configured `{workspace_id}`) or unsupported.
fn op_param(g: &mut Gen, cx: &OpCtx, target_ws: Option<bool>, p: &Value) -> Option<Param> {
    let id = &cx.id;
    let wire = s(p, "name").unwrap_or_default().to_owned();
    let loc = match s(p, "in") {
        Some("path") => Loc::Path,
        Some("query") => Loc::Query,
        Some("header") => Loc::Header,
        other => {
            g.errors
                .push(format!("{id}: unsupported parameter location {other:?}"));
            return None;
        }
    };
    if loc == Loc::Path && wire == "workspace_id" && target_ws.is_none() {
        return None;
    }
    let schema = p.get("schema").cloned().unwrap_or_default();
    validate_keywords(&format!("{id}.{wire}"), &schema, &mut g.errors);
    let ctx = format!("{}{}", cx.pas, pascal(&wire));
    let ty = g.ty(&schema, &ctx, &cx.module, (false, false));
    let ty = ty.strip_opt().clone();
    let required = p.get("required") == Some(&Value::Bool(true)) || loc == Loc::Path;
    let ident_name = match loc {
        Loc::Header => snake(wire.strip_prefix("x-amigo-").unwrap_or(&wire)),
        _ if is_snake_ident(&wire) => ident(&wire),
        _ => snake(&wire),
    };
    if !param_type_ok(loc, &ty) {
        g.errors.push(format!(
            "{id}: unsupported parameter type for `{wire}`: {ty:?}"
        ));
    }
    let konst = schema
        .get("const")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let secret = is_sensitive_key(&wire);
    let doc = param_doc(&wire, loc, required, konst.as_deref(), &schema, secret);
    Some(Param {
        wire,
        ident: ident_name,
        loc,
        ty,
        required,
        konst,
        doc,
        secret,
        schema,
    })
}

/// A parameter's doc line: where, required or not, constant, constraints, secrecy.
fn param_doc(
    wire: &str,
    loc: Loc,
    required: bool,
    konst: Option<&str>,
    schema: &Value,
    secret: bool,
) -> String {
    let where_ = match loc {
        Loc::Path => "Path",
        Loc::Query => "Query",
        Loc::Header => "Header",
    };
    let mut bits = vec![if required { "required" } else { "optional" }.to_owned()];
    if let Some(k) = konst {
        bits.push(format!("constant `{k}`"));
    }
    let c = constraints(schema);
    if !c.is_empty() {
        bits.push(c);
    }
    let mut doc = format!("{where_} `{wire}` ({}).", bits.join("; "));
    if secret {
        doc.push_str(" Secret: redacted in `Debug`.");
    }
    doc
}

/// The request body: raw (by the surface table's note), JSON or multipart.
fn op_body(g: &mut Gen, cx: &OpCtx, o: &Value) -> BodyKind {
    if cx.note.contains("raw") && cx.note.contains("body") {
        return BodyKind::Raw;
    }
    let Some(rb) = o.get("requestBody") else {
        return BodyKind::None;
    };
    let ctx = format!("{}Body", cx.pas);
    let required = rb.get("required") == Some(&Value::Bool(true));
    if let Some(sch) = rb.pointer("/content/application~1json/schema") {
        match g.ty(sch, &ctx, &cx.module, (true, false)) {
            Ty::Opt(inner) => BodyKind::Json {
                ty: *inner,
                required: false,
            },
            t => BodyKind::Json { ty: t, required },
        }
    } else if let Some(sch) = rb.pointer("/content/multipart~1form-data/schema") {
        BodyKind::Multipart {
            ty: g.ty(sch, &ctx, &cx.module, (false, false)),
        }
    } else {
        g.errors
            .push(format!("{}: unsupported request body media type", cx.id));
        BodyKind::None
    }
}

/// The first 2xx response's JSON schema.
fn json_response_schema(o: &Value) -> Option<Value> {
    let responses = o.get("responses").and_then(Value::as_object)?;
    responses
        .iter()
        .filter(|(code, _)| code.starts_with('2'))
        .find_map(|(_, r)| r.pointer("/content/application~1json/schema"))
        .cloned()
}

/// The output: bytes (by the surface table's note), JSON (optional when a 204 is possible) or
/// nothing.
fn op_out(g: &mut Gen, cx: &OpCtx, o: &Value, json_schema: Option<&Value>) -> OutKind {
    if cx.note.contains("Option<bytes>") {
        return OutKind::OptBinary;
    }
    if cx.note.contains("bytes") {
        return OutKind::Binary;
    }
    let Some(sch) = json_schema else {
        return OutKind::Unit;
    };
    let has204 = o.pointer("/responses/204").is_some();
    let t = g.ty(
        sch,
        &format!("{}Response", cx.pas),
        &cx.module,
        (false, true),
    );
    if has204 {
        OutKind::OptJson(t)
    } else {
        OutKind::Json(t)
    }
}

/// The pager of the surface table's pager column: `Kind(field)` (field defaults to `items`).
fn op_pager(pager_col: &str) -> Option<(Pager, String)> {
    let kind = if pager_col.starts_with("Token") {
        Pager::Token
    } else if pager_col.starts_with("NextOffset") {
        Pager::NextOffset
    } else if pager_col.starts_with("DerivedOffset") {
        Pager::DerivedOffset
    } else {
        return None;
    };
    let field = pager_col
        .split('(')
        .nth(1)
        .and_then(|x| x.split(')').next())
        .unwrap_or("items")
        .to_owned();
    Some((kind, field))
}
