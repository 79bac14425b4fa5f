//! Building the operations ([`Op`]) from the spec's paths and the surface table.

use crate::gen::ir::*;
use crate::gen::lower::*;
use crate::gen::quirks::*;
use crate::names::{ident, is_snake_ident, pascal, snake};
use amigo_platform_core::redact::is_sensitive_key;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

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
        let base = fastapi_strip(&id, path, method);
        let pas = pascal(&base);
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
        let module = snake(tag);
        let target_ws = if note.contains("optional target workspace id") {
            Some(false)
        } else if note.contains("explicit `workspace_id` argument") {
            Some(true)
        } else {
            None
        };
        // parameters
        let mut params = Vec::new();
        let declared: Vec<String> = o
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|p| s(p, "in") == Some("path"))
            .filter_map(|p| s(p, "name").map(str::to_owned))
            .collect();
        let mut in_template = Vec::new();
        let mut rest = path.as_str();
        while let Some(a) = rest.find('{') {
            let b = rest[a..].find('}').map(|b| a + b).unwrap_or(rest.len());
            in_template.push(rest[a + 1..b].to_owned());
            rest = &rest[(b + 1).min(rest.len())..];
        }
        let (mut d1, mut d2) = (declared.clone(), in_template.clone());
        d1.sort();
        d2.sort();
        if d1 != d2 {
            g.errors.push(format!(
                "{id}: path parameters {declared:?} do not match template {in_template:?}"
            ));
        }
        for p in o
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let wire = s(p, "name").unwrap_or_default().to_owned();
            let loc = match s(p, "in") {
                Some("path") => Loc::Path,
                Some("query") => Loc::Query,
                Some("header") => Loc::Header,
                other => {
                    g.errors
                        .push(format!("{id}: unsupported parameter location {other:?}"));
                    continue;
                }
            };
            if loc == Loc::Path && wire == "workspace_id" && target_ws.is_none() {
                continue;
            }
            let schema = p.get("schema").cloned().unwrap_or_default();
            validate_keywords(&format!("{id}.{wire}"), &schema, &mut g.errors);
            let ty = g.ty(
                &schema,
                &format!("{pas}{}", pascal(&wire)),
                &module,
                (false, false),
            );
            let ty = ty.strip_opt().clone();
            let required = p.get("required") == Some(&Value::Bool(true)) || loc == Loc::Path;
            let id_name = match loc {
                Loc::Header => snake(wire.strip_prefix("x-amigo-").unwrap_or(&wire)),
                _ if is_snake_ident(&wire) => ident(&wire),
                _ => snake(&wire),
            };
            let ok = match &ty {
                Ty::Vec(t) => {
                    matches!(**t, Ty::Str | Ty::Int | Ty::Float | Ty::Bool | Ty::Named(_))
                }
                Ty::Str
                | Ty::Int
                | Ty::Float
                | Ty::Bool
                | Ty::Named(_)
                | Ty::IntOrStr
                | Ty::NumOrStr => true,
                _ => false,
            };
            if !ok || (loc != Loc::Query && matches!(ty, Ty::Vec(_))) {
                g.errors.push(format!(
                    "{id}: unsupported parameter type for `{wire}`: {ty:?}"
                ));
            }
            let konst = schema
                .get("const")
                .and_then(Value::as_str)
                .map(str::to_owned);
            let where_ = match loc {
                Loc::Path => "Path",
                Loc::Query => "Query",
                Loc::Header => "Header",
            };
            let mut doc = format!("{where_} `{wire}`");
            let c = constraints(&schema);
            let mut bits = vec![if required {
                "required".to_owned()
            } else {
                "optional".to_owned()
            }];
            if let Some(k) = &konst {
                bits.push(format!("constant `{k}`"));
            }
            if !c.is_empty() {
                bits.push(c);
            }
            let _ = write!(doc, " ({}).", bits.join("; "));
            let secret = is_sensitive_key(&wire);
            if secret {
                doc.push_str(" Secret: redacted in `Debug`.");
            }
            params.push(Param {
                wire,
                ident: id_name,
                loc,
                ty,
                required,
                konst,
                doc,
                secret,
                schema,
            });
        }
        // body
        let raw_body = note.contains("raw") && note.contains("body");
        let body = if raw_body {
            BodyKind::Raw
        } else if let Some(rb) = o.get("requestBody") {
            let required = rb.get("required") == Some(&Value::Bool(true));
            if let Some(sch) = rb.pointer("/content/application~1json/schema") {
                let t = g.ty(sch, &format!("{pas}Body"), &module, (true, false));
                match t {
                    Ty::Opt(inner) => BodyKind::Json {
                        ty: *inner,
                        required: false,
                    },
                    t => BodyKind::Json { ty: t, required },
                }
            } else if let Some(sch) = rb.pointer("/content/multipart~1form-data/schema") {
                BodyKind::Multipart {
                    ty: g.ty(sch, &format!("{pas}Body"), &module, (false, false)),
                }
            } else {
                g.errors
                    .push(format!("{id}: unsupported request body media type"));
                BodyKind::None
            }
        } else {
            BodyKind::None
        };
        // output
        let responses = o
            .get("responses")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let has204 = responses.contains_key("204");
        let mut json_schema = None;
        for (code, r) in &responses {
            if code.starts_with('2') {
                if let Some(sch) = r.pointer("/content/application~1json/schema") {
                    json_schema = Some(sch.clone());
                    break;
                }
            }
        }
        let out = if note.contains("Option<bytes>") {
            OutKind::OptBinary
        } else if note.contains("bytes") {
            OutKind::Binary
        } else if let Some(sch) = json_schema.clone() {
            let t = g.ty(&sch, &format!("{pas}Response"), &module, (false, true));
            if has204 {
                OutKind::OptJson(t)
            } else {
                OutKind::Json(t)
            }
        } else {
            OutKind::Unit
        };
        // pager
        let pager = if pager_col.starts_with("Token") {
            Some(Pager::Token)
        } else if pager_col.starts_with("NextOffset") {
            Some(Pager::NextOffset)
        } else if pager_col.starts_with("DerivedOffset") {
            Some(Pager::DerivedOffset)
        } else {
            None
        };
        let pager = pager.map(|k| {
            let field = pager_col
                .split('(')
                .nth(1)
                .and_then(|x| x.split(')').next())
                .unwrap_or("items")
                .to_owned();
            (k, field)
        });
        let mut idents = HashSet::new();
        for p in &params {
            if !idents.insert(p.ident.clone()) || p.ident == "body" || p.ident == "content_type" {
                g.errors
                    .push(format!("{id}: parameter ident collision `{}`", p.ident));
            }
        }
        ops.push(Op {
            id,
            pascal: pas,
            method: method.to_uppercase(),
            path: path.clone(),
            module,
            params,
            target_ws,
            body_schema: o
                .pointer("/requestBody/content")
                .and_then(Value::as_object)
                .and_then(|c| c.values().next())
                .and_then(|m| m.get("schema"))
                .cloned(),
            body,
            out_schema: json_schema,
            out,
            pager,
        });
    }
    for r in rows {
        if !ops.iter().any(|o| o.id == r.op_id) {
            g.errors
                .push(format!("surface.tsv names unknown operation `{}`", r.op_id));
        }
    }
    ops
}
