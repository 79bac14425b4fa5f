//! The emitters: one module per generated file (or family of files), and their shared helpers.

pub(crate) mod cli;
pub(crate) mod decode_tests;
pub(crate) mod examples;
pub(crate) mod models;
pub(crate) mod namespaces;
pub(crate) mod op_tests;
pub(crate) mod operations;
pub(crate) mod pager_tests;
pub(crate) mod prism_cases;
pub(crate) mod root;
pub(crate) mod round_trip_tests;
pub(crate) mod surface_names;

use crate::gen::ir::*;
use crate::gen::lower::*;
use crate::names::pascal;

pub(crate) fn param_field_ty(p: &Param) -> String {
    let t = p.ty.rs("m::");
    if p.required || p.konst.is_some() || matches!(p.ty, Ty::Vec(_)) {
        t
    } else {
        format!("Option<{t}>")
    }
}

/// Argument type and conversion expression for a value of type `t` passed as `name`.
pub(crate) fn arg_of(t: &Ty, name: &str) -> (String, String) {
    match t {
        Ty::Str => ("impl Into<String>".into(), format!("{name}.into()")),
        Ty::Named(n) => (format!("impl Into<m::{n}>"), format!("{name}.into()")),
        Ty::IntOrStr => ("impl Into<m::IntOrString>".into(), format!("{name}.into()")),
        Ty::NumOrStr => (
            "impl Into<m::NumberOrString>".into(),
            format!("{name}.into()"),
        ),
        Ty::Vec(inner) => (
            format!("impl IntoIterator<Item = impl Into<{}>>", inner.rs("m::")),
            format!("{name}.into_iter().map(Into::into).collect()"),
        ),
        other => (other.rs("m::"), name.to_owned()),
    }
}

/// A positional argument of a namespace method / `new`.
pub(crate) struct Arg {
    pub(crate) name: String,
    pub(crate) field: String,
    /// Type in `new()`.
    pub(crate) ty: String,
    /// Type in the namespace method and the conversion into the `new()` type.
    pub(crate) ns_ty: String,
    pub(crate) ns_conv: String,
}

pub(crate) fn op_args(op: &Op) -> Vec<Arg> {
    let mut args = Vec::new();
    // path params in template order
    let mut order: Vec<&Param> = op.params.iter().filter(|p| p.loc == Loc::Path).collect();
    order.sort_by_key(|p| op.path.find(&format!("{{{}}}", p.wire)).unwrap_or(0));
    for p in order {
        let name = p.ident.clone();
        if p.wire == "workspace_id" && op.target_ws == Some(false) {
            args.push(Arg {
                name: name.clone(),
                field: name.clone(),
                ty: "Option<String>".into(),
                ns_ty: "Option<&str>".into(),
                ns_conv: format!("{name}.map(str::to_owned)"),
            });
            continue;
        }
        let (ns_ty, ns_conv) = arg_of(&p.ty, &name);
        args.push(Arg {
            name: name.clone(),
            field: name,
            ty: p.ty.rs("m::"),
            ns_ty,
            ns_conv,
        });
    }
    for p in op
        .params
        .iter()
        .filter(|p| p.loc != Loc::Path && p.required && p.konst.is_none())
    {
        let (ns_ty, ns_conv) = arg_of(&p.ty, &p.ident);
        args.push(Arg {
            name: p.ident.clone(),
            field: p.ident.clone(),
            ty: p.ty.rs("m::"),
            ns_ty,
            ns_conv,
        });
    }
    match &op.body {
        BodyKind::Json { ty, required: true } | BodyKind::Multipart { ty } => args.push(Arg {
            name: "body".into(),
            field: "body".into(),
            ty: ty.rs("m::"),
            ns_ty: ty.rs("m::"),
            ns_conv: "body".into(),
        }),
        BodyKind::Raw => {
            args.push(Arg {
                name: "body".into(),
                field: "body".into(),
                ty: "amigo_platform_core::Source".into(),
                ns_ty: "impl Into<amigo_platform_core::Source>".into(),
                ns_conv: "body.into()".into(),
            });
            args.push(Arg {
                name: "content_type".into(),
                field: "content_type".into(),
                ty: "String".into(),
                ns_ty: "impl Into<String>".into(),
                ns_conv: "content_type.into()".into(),
            });
        }
        _ => {}
    }
    args
}

pub(crate) fn ns_struct(path: &str) -> String {
    if path.is_empty() {
        "Api".into()
    } else {
        pascal(&path.replace('.', "_"))
    }
}

pub(crate) fn find_def<'g>(g: &'g Gen, name: &str) -> Option<&'g Def> {
    g.modules.values().flatten().find(|d| d.name() == name)
}
