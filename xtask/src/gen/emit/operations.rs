//! Emits `ops/`: one operation value per API operation, one module per tag.

use crate::gen::emit::*;
use crate::gen::ir::*;
use crate::gen::lower::*;
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

pub(crate) fn out_ty(g: &Gen, op: &Op) -> (String, &'static str) {
    let _ = g;
    match &op.out {
        OutKind::Unit => ("()".into(), "amigo_platform_core::parse::unit"),
        OutKind::Json(t) => (t.rs("m::"), "amigo_platform_core::parse::json"),
        OutKind::OptJson(t) => (
            format!("Option<{}>", t.rs("m::")),
            "amigo_platform_core::parse::optional_json",
        ),
        OutKind::Binary => (
            "amigo_platform_core::Binary".into(),
            "amigo_platform_core::parse::binary",
        ),
        OutKind::OptBinary => (
            "Option<amigo_platform_core::Binary>".into(),
            "amigo_platform_core::parse::optional_binary",
        ),
    }
}

pub(crate) fn find_struct<'g>(g: &'g Gen, name: &str) -> Option<(&'g Vec<Field>, bool)> {
    g.modules.values().flatten().find_map(|d| match d {
        Def::Struct {
            name: n, fields, ..
        } if n == name => Some((fields, true)),
        _ => None,
    })
}

pub(crate) fn emit_ops(
    g: &Gen,
    ops: &[Op],
    header: &str,
    files: &mut BTreeMap<String, String>,
) -> Result<(), String> {
    let mut by_mod: BTreeMap<&str, Vec<&Op>> = BTreeMap::new();
    for op in ops {
        by_mod.entry(op.module.as_str()).or_default().push(op);
    }
    let mut mod_rs =
        format!("{header}//! Operations: one value per API operation, one module per tag.\n\n");
    for m in by_mod.keys() {
        let _ = writeln!(mod_rs, "pub mod {m};");
    }
    files.insert("ops/mod.rs".into(), mod_rs);
    for (m, list) in by_mod {
        let mut o = format!(
            "{header}//! Operations of the `{m}` tag.\n\n#[allow(unused_imports)]\nuse amigo_platform_core::{{Body, Multipart}};\n\
             #[allow(unused_imports)]\nuse amigo_platform_core::Query;\n#[allow(unused_imports)]\nuse crate::generated::models as m;\n\n"
        );
        for op in list {
            emit_op(g, op, &mut o)?;
        }
        files.insert(format!("ops/{m}.rs"), o);
    }
    Ok(())
}

/// The `Debug` of an operation with secret parameters: those print `[REDACTED]`, a raw body
/// prints its length, everything else as derived.
pub(crate) fn emit_op_debug(op: &Op, o: &mut String) {
    let name = &op.pascal;
    let _ = writeln!(
        o,
        "impl std::fmt::Debug for {name} {{\n    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {{\n        f.debug_struct({name:?})"
    );
    if op.target_ws.is_some() {
        o.push_str("            .field(\"workspace_id\", &self.workspace_id)\n");
    }
    for p in &op.params {
        if p.wire == "workspace_id" && p.loc == Loc::Path {
            continue;
        }
        let id = p.ident.trim_start_matches("r#");
        if p.secret {
            let _ = writeln!(
                o,
                "            .field({id:?}, &format_args!(\"{{}}\", amigo_platform_core::__private::REDACTED))"
            );
        } else {
            let _ = writeln!(o, "            .field({id:?}, &self.{})", p.ident);
        }
    }
    match &op.body {
        BodyKind::None => {}
        BodyKind::Json { .. } | BodyKind::Multipart { .. } => {
            o.push_str("            .field(\"body\", &self.body)\n");
        }
        BodyKind::Raw => {
            o.push_str("            .field(\"body\", &self.body)\n            .field(\"content_type\", &self.content_type)\n");
        }
    }
    o.push_str("            .finish()\n    }\n}\n\n");
}

pub(crate) fn emit_op(g: &Gen, op: &Op, o: &mut String) -> Result<(), String> {
    let args = op_args(op);
    emit_op_struct(op, args.is_empty(), o);
    if op.params.iter().any(|p| p.secret) {
        emit_op_debug(op, o);
    }
    emit_op_new(op, &args, o);
    emit_op_impl(g, op, o)?;
    if let Some((kind, field)) = &op.pager {
        emit_pager(g, op, *kind, field, o)?;
    }
    emit_op_setters(op, o);
    Ok(())
}

/// Whether a parameter is the configured `{workspace_id}` (not a field of the operation).
fn is_configured_ws(p: &Param) -> bool {
    p.wire == "workspace_id" && p.loc == Loc::Path
}

/// The operation's struct: one field per parameter, then the body.
fn emit_op_struct(op: &Op, all_optional: bool, o: &mut String) {
    let redacting = op.params.iter().any(|p| p.secret);
    let (id, method, path, name) = (&op.id, &op.method, &op.path, &op.pascal);
    let debug_note = if redacting {
        "\n///\n/// `Debug` hides the secret parameters and shows a raw body as its length."
    } else {
        ""
    };
    let debug = if redacting { "" } else { "Debug, " };
    let default = if all_optional && op.params.iter().all(|p| p.konst.is_none()) {
        ", Default"
    } else {
        ""
    };
    let _ = writeln!(
        o,
        "/// Operation `{id}`: `{method} {path}`.{debug_note}\n\
         #[derive({debug}Clone, PartialEq{default})]\n#[non_exhaustive]\npub struct {name} {{"
    );
    if let Some(req) = op.target_ws {
        let (what, ty) = if req {
            ("required", "String")
        } else {
            ("`None` = the configured workspace", "Option<String>")
        };
        let _ = writeln!(
            o,
            "    /// Path `workspace_id`: the target workspace ({what}).\n    pub workspace_id: {ty},"
        );
    }
    for p in op.params.iter().filter(|p| !is_configured_ws(p)) {
        let (doc, field, ty) = (&p.doc, &p.ident, param_field_ty(p));
        let _ = writeln!(o, "    /// {doc}\n    pub {field}: {ty},");
    }
    match &op.body {
        BodyKind::None => {}
        BodyKind::Json { ty, required } => {
            let t = ty.rs("m::");
            let t = if *required { t } else { format!("Option<{t}>") };
            let _ = writeln!(o, "    /// JSON body.\n    pub body: {t},");
        }
        BodyKind::Multipart { ty } => {
            let t = ty.rs("m::");
            let _ = writeln!(o, "    /// Multipart body.\n    pub body: {t},");
        }
        BodyKind::Raw => o.push_str(
            "    /// The raw body: bytes sent unchanged, or a source streamed from a file or reader.\n    pub body: amigo_platform_core::Source,\n    \
             /// The body's `Content-Type`.\n    pub content_type: String,\n",
        ),
    }
    o.push_str("}\n\n");
}

/// `new()`: the required parameters positionally, the optional ones unset.
fn emit_op_new(op: &Op, args: &[Arg], o: &mut String) {
    let name = &op.pascal;
    let sig: Vec<String> = args
        .iter()
        .map(|a| format!("{}: {}", a.name, a.ty))
        .collect();
    let sig = sig.join(", ");
    let _ = writeln!(
        o,
        "impl {name} {{\n    /// The operation with its required parameters; optional ones unset.\n    \
         pub fn new({sig}) -> Self {{\n        {name} {{"
    );
    let mut set: HashSet<String> = HashSet::new();
    for a in args {
        if a.field == a.name {
            let _ = writeln!(o, "            {},", a.field);
        } else {
            let _ = writeln!(o, "            {}: {},", a.field, a.name);
        }
        set.insert(a.field.clone());
    }
    if op.target_ws.is_some() && !set.contains("workspace_id") {
        o.push_str("            workspace_id: None,\n");
    }
    for p in &op.params {
        if set.contains(&p.ident) || is_configured_ws(p) {
            continue;
        }
        let v = if let Some(k) = &p.konst {
            format!("{k:?}.to_owned()")
        } else if matches!(p.ty, Ty::Vec(_)) {
            "Vec::new()".into()
        } else {
            "None".into()
        };
        let _ = writeln!(o, "            {}: {v},", p.ident);
    }
    if let BodyKind::Json {
        required: false, ..
    } = op.body
    {
        o.push_str("            body: None,\n");
    }
    o.push_str("        }\n    }\n}\n\n");
}

/// The `Operation` impl, through the compact `operation!` macro of `api/src/macros.rs`: `s` is
/// the operation, `p` the request parts being built.
fn emit_op_impl(g: &Gen, op: &Op, o: &mut String) -> Result<(), String> {
    let (out, parse) = out_ty(g, op);
    let accept = if matches!(op.out, OutKind::Binary | OutKind::OptBinary) {
        "*/*"
    } else {
        "application/json"
    };
    let (name, method, path, id) = (&op.pascal, &op.method, &op.path, &op.id);
    let body = request_parts(g, op)?.replace("self.", "s.");
    let _ = writeln!(
        o,
        "operation!({name}, {method}, {path:?}, {id:?}, {accept:?}, {out}, {parse}, |s, p| {{"
    );
    o.push_str(&body);
    o.push_str("});\n\n");
    Ok(())
}

/// The statements that put the operation's query, path, headers and body on `p`.
fn request_parts(g: &Gen, op: &Op) -> Result<String, String> {
    let mut o = String::new();
    let has_query = op.params.iter().any(|p| p.loc == Loc::Query);
    if has_query {
        o.push_str("        let mut q = Query::new();\n");
        for p in op.params.iter().filter(|p| p.loc == Loc::Query) {
            let copy = matches!(p.ty, Ty::Int | Ty::Float | Ty::Bool);
            let v = if copy {
                format!("self.{}", p.ident)
            } else {
                format!("self.{}.clone()", p.ident)
            };
            let _ = writeln!(o, "        q.push({:?}, {v});", p.wire);
        }
    }
    if op.target_ws == Some(false) {
        o.push_str(
            "        if let Some(w) = &self.workspace_id {\n            \
             p = p.path(\"workspace_id\", w);\n        }\n",
        );
    }
    for p in op.params.iter().filter(|p| p.loc == Loc::Path) {
        if p.wire == "workspace_id" && op.target_ws == Some(false) {
            continue;
        }
        let _ = writeln!(o, "        p = p.path({:?}, &self.{});", p.wire, p.ident);
    }
    if has_query {
        o.push_str("        p = p.query(q);\n");
    }
    for p in op.params.iter().filter(|p| p.loc == Loc::Header) {
        let (wire, field) = (&p.wire, &p.ident);
        if p.required {
            let _ = writeln!(o, "        p = p.header({wire:?}, &self.{field})?;");
        } else {
            let _ = writeln!(
                o,
                "        if let Some(v) = &self.{field} {{\n            p = p.header({wire:?}, v)?;\n        }}"
            );
        }
    }
    request_body(g, op, &mut o)?;
    Ok(o)
}

/// The statements that put the body on `p`.
fn request_body(g: &Gen, op: &Op, o: &mut String) -> Result<(), String> {
    match &op.body {
        BodyKind::None => {}
        BodyKind::Json { required: true, .. } => {
            o.push_str("        p = p.body(Body::json(&self.body)?);\n")
        }
        BodyKind::Json {
            required: false, ..
        } => o.push_str(
            "        if let Some(b) = &self.body {\n            p = p.body(Body::json(b)?);\n        }\n",
        ),
        BodyKind::Raw => o.push_str(
            "        p = p.body(Body::source(self.body.clone(), self.content_type.clone()));\n",
        ),
        BodyKind::Multipart { ty } => {
            let fields = match ty {
                Ty::Named(sn) => find_struct(g, sn).map(|(fields, _)| fields),
                _ => None,
            }
            .ok_or_else(|| format!("{}: a multipart body must be a named object schema", op.id))?;
            o.push_str("        let mut mp = Multipart::new();\n");
            for f in fields {
                multipart_part(f, o);
            }
            o.push_str("        p = p.body(Body::Multipart(mp));\n");
        }
    }
    Ok(())
}

/// One field of a multipart body as a file or text part (skipped when an optional one is unset).
fn multipart_part(f: &Field, o: &mut String) {
    let (wire, field) = (&f.wire, &f.ident);
    let push = if *f.ty.strip_opt() == Ty::File {
        format!(
            "mp = mp.file_source({wire:?}, v.filename.clone(), v.content_type.clone(), v.data.clone());"
        )
    } else {
        format!("mp = mp.text({wire:?}, v.to_string());")
    };
    if matches!(f.ty, Ty::Opt(_)) {
        let _ = writeln!(
            o,
            "        if let Some(v) = &self.body.{field} {{\n            {push}\n        }}"
        );
    } else {
        let _ = writeln!(
            o,
            "        {{\n            let v = &self.body.{field};\n            {push}\n        }}"
        );
    }
}

/// `Call` setters for the optional parameters and an optional JSON body.
fn emit_op_setters(op: &Op, o: &mut String) {
    let optional: Vec<&Param> = op
        .params
        .iter()
        .filter(|p| !p.required && p.konst.is_none() && !is_configured_ws(p))
        .collect();
    let opt_body = match &op.body {
        BodyKind::Json {
            ty,
            required: false,
        } => Some(ty),
        _ => None,
    };
    if optional.is_empty() && opt_body.is_none() {
        return;
    }
    let _ = writeln!(o, "setters! {{ {} {{", op.pascal);
    for p in optional {
        let setter = &p.ident;
        let (ty, conv) = arg_of(&p.ty, "v");
        let wrap = if matches!(p.ty, Ty::Vec(_)) {
            conv
        } else {
            format!("Some({conv})")
        };
        let doc = p
            .doc
            .replacen(char::is_uppercase, &p.doc[..1].to_lowercase(), 1);
        let _ = writeln!(o, "    /// Sets {doc}\n    {setter}(v: {ty}) => {wrap};");
    }
    if let Some(ty) = opt_body {
        let _ = writeln!(
            o,
            "    /// Sets the optional JSON body.\n    body(v: {}) => Some(v);",
            ty.rs("m::")
        );
    }
    o.push_str("}}\n\n");
}

pub(crate) fn emit_pager(
    g: &Gen,
    op: &Op,
    kind: Pager,
    field: &str,
    o: &mut String,
) -> Result<(), String> {
    let id = &op.id;
    let cursor_param = if kind == Pager::Token {
        "continuation_token"
    } else {
        "offset"
    };
    let cp = op
        .params
        .iter()
        .find(|p| p.wire == cursor_param && p.loc == Loc::Query)
        .ok_or_else(|| format!("{id}: pager needs query `{cursor_param}`"))?;
    if cp.ty != Ty::Int || cp.required {
        return Err(format!(
            "{id}: cursor `{cursor_param}` must be an optional integer"
        ));
    }
    let (out, item, body) = match &op.out {
        OutKind::Json(Ty::Page(inner)) if field == "items" => (
            format!("m::Page<{}>", inner.rs("m::")),
            inner.rs("m::"),
            "PageData { items: o.items, has_more: Some(o.has_more), next_cursor: o.continuation_token, total: o.total, offset: None }".to_owned(),
        ),
        OutKind::Json(Ty::Named(sn)) => {
            let (item, data) = page_data(g, op, kind, field, sn)?;
            (format!("m::{sn}"), item, data)
        }
        other => return Err(format!("{id}: unsupported pager output {other:?}")),
    };
    let kind_s = match kind {
        Pager::Token => "Token",
        Pager::NextOffset => "NextOffset",
        Pager::DerivedOffset => "DerivedOffset",
    };
    let (name, c) = (&op.pascal, &cp.ident);
    let _ = writeln!(
        o,
        "paginated!({name}, {kind_s}, {c}, {item}, {out}, |o| {body});\n"
    );
    Ok(())
}

/// The item type and the `PageData` expression of a page model `sn` with list field `field`.
fn page_data(
    g: &Gen,
    op: &Op,
    kind: Pager,
    field: &str,
    sn: &str,
) -> Result<(String, String), String> {
    let id = &op.id;
    let (fields, _) =
        find_struct(g, sn).ok_or_else(|| format!("{id}: pager output `{sn}` is not a struct"))?;
    let get = |w: &str| fields.iter().find(|f| f.wire == w);
    let list = get(field).ok_or_else(|| format!("{id}: no list field `{field}`"))?;
    let (item, items) = match list.ty.strip_opt() {
        Ty::Vec(t) if matches!(list.ty, Ty::Opt(_)) => {
            (t.rs("m::"), format!("o.{}.unwrap_or_default()", list.ident))
        }
        Ty::Vec(t) => (t.rs("m::"), format!("o.{}", list.ident)),
        other => return Err(format!("{id}: list field type {other:?}")),
    };
    // `Some(o.f)` for a plain field, `o.f` for an optional one, `None` when absent.
    let opt_of = |w: &str, want: Ty| -> Result<String, String> {
        match get(w) {
            Some(f) if f.ty == want => Ok(format!("Some(o.{})", f.ident)),
            Some(f) if f.ty == Ty::Opt(Box::new(want.clone())) => Ok(format!("o.{}", f.ident)),
            Some(f) => Err(format!("{id}: field `{w}` has type {:?}", f.ty)),
            None => Ok("None".into()),
        }
    };
    let next = match kind {
        Pager::Token => opt_of("continuation_token", Ty::Int)?,
        Pager::NextOffset => opt_of("next_offset", Ty::Int)?,
        Pager::DerivedOffset => "None".into(),
    };
    let offset = if kind == Pager::DerivedOffset {
        opt_of("offset", Ty::Int)?
    } else {
        "None".into()
    };
    let has_more = opt_of("has_more", Ty::Bool)?;
    let total = opt_of("total", Ty::Int)?;
    Ok((
        item,
        format!(
            "PageData {{ items: {items}, has_more: {has_more}, next_cursor: {next}, total: {total}, offset: {offset} }}"
        ),
    ))
}
