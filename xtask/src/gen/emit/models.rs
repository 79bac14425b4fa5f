//! Emits `models/`: one module per tag plus `shared`.

use crate::gen::emit::operations::*;
use crate::gen::emit::*;
use crate::gen::ir::*;
use crate::gen::lower::*;
use crate::names::{snake, variant};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt::Write as _;

/// The head of `models/shared.rs`: the hand-written helpers of `api/src/models_prelude.rs`
/// re-exported beside the shared models.
pub(crate) const SHARED_MODULE_HEAD: &str = "\
//! Shared models, and the hand-written helper types of `models_prelude` (re-exported here).

pub use crate::formats::{DateTime, Uuid};
pub use crate::models_prelude::{FilePart, IntOrString, NumberOrString, Page, Patch};
pub(crate) use crate::models_prelude::string_enum;

#[allow(unused_imports)]
use super::*;
#[allow(unused_imports)]
use serde::{Deserialize, Serialize};

";

pub(crate) fn emit_models(g: &Gen, header: &str, files: &mut BTreeMap<String, String>) {
    let mut mod_rs = format!("{header}//! Models: one module per tag plus `shared` (types used by several tags or none).\n//! Every model is re-exported here.\n\n");
    let mut names: BTreeSet<&str> = g.modules.keys().map(|m| m.as_str()).collect();
    names.insert("shared");
    for m in &names {
        let _ = writeln!(mod_rs, "pub mod {m};");
    }
    mod_rs.push('\n');
    for m in &names {
        let _ = writeln!(mod_rs, "pub use {m}::*;");
    }
    files.insert("models/mod.rs".into(), mod_rs);

    for m in names {
        let mut o = String::new();
        o.push_str(header);
        if m == "shared" {
            o.push_str(SHARED_MODULE_HEAD);
        } else {
            let _ = writeln!(o, "//! Models of the `{m}` tag.\n");
            o.push_str("#[allow(unused_imports)]\nuse super::*;\n#[allow(unused_imports)]\nuse super::shared::string_enum;\n#[allow(unused_imports)]\nuse serde::{Deserialize, Serialize};\n\n");
        }
        for d in g.modules.get(m).into_iter().flatten() {
            emit_def(d, &mut o);
        }
        files.insert(format!("models/{m}.rs"), o);
    }
}

/// The feature that adds a model's second serde direction (`Serialize` to a response model,
/// `Deserialize` to a request model).
pub(crate) const ROUND_TRIP: &str = "round-trip";

/// The `cfg` line of an impl that exists only with [`ROUND_TRIP`].
const ROUND_TRIP_CFG: &str = "#[cfg(feature = \"round-trip\")]\n";

pub(crate) fn defaultable(t: &Ty) -> bool {
    matches!(
        t,
        Ty::Opt(_) | Ty::Patch(_) | Ty::Vec(_) | Ty::Map(_) | Ty::Obj
    )
}

pub(crate) fn emit_def(d: &Def, o: &mut String) {
    match d {
        Def::Alias { name, doc, ty } => {
            let _ = writeln!(o, "/// {doc}\npub type {name} = {};\n", ty.rs(""));
        }
        Def::Enum { name, doc, values } => emit_enum(name, doc, values, o),
        Def::Union {
            name,
            doc,
            tag,
            variants,
            ser,
            de,
        } => {
            emit_union(name, doc, tag, variants, o);
            if !*de {
                o.push_str(ROUND_TRIP_CFG);
            }
            emit_union_de(name, tag, variants, o);
            if !*ser {
                o.push_str(ROUND_TRIP_CFG);
            }
            emit_union_ser(name, variants, o);
        }
        Def::Struct { .. } => emit_struct(d, o),
    }
}

/// A `string_enum!` invocation.
fn emit_enum(name: &str, doc: &str, values: &[String], o: &mut String) {
    let doc = if doc.is_empty() {
        format!("Inline string enum `{name}`.")
    } else {
        doc.to_owned()
    };
    let _ = writeln!(o, "string_enum! {{\n    /// {doc}\n    {name} {{");
    let mut seen = HashSet::new();
    for v in values {
        let var = variant(v);
        assert!(
            seen.insert(var.clone()) && var != "Unknown",
            "enum {name}: variant collision {var}"
        );
        let shown = v.replace('`', "'");
        let _ = writeln!(o, "        /// `{shown}`\n        {var} = {v:?},");
    }
    o.push_str("    }\n}\n\n");
}

/// A discriminated union's enum: one variant per member, plus `Unknown`.
fn emit_union(name: &str, doc: &str, tag: &str, variants: &[(String, String, Ty)], o: &mut String) {
    let doc = if doc.is_empty() {
        format!("Inline discriminated union `{name}`.")
    } else {
        doc.to_owned()
    };
    let _ = writeln!(
        o,
        "/// {doc} Discriminator `{tag}`; unknown tags are kept in `Unknown`.\n\
         #[derive(Debug, Clone, PartialEq)]\n#[non_exhaustive]\npub enum {name} {{"
    );
    for (v, tv, t) in variants {
        let _ = writeln!(o, "    /// `{tag}` = `{tv}`.\n    {v}({}),", t.rs(""));
    }
    o.push_str(
        "    /// A member this SDK version does not know, kept as JSON.\n    \
         Unknown(serde_json::Value),\n}\n\n",
    );
}

/// `Deserialize` of a union: by the tag's value, else `Unknown`.
fn emit_union_de(name: &str, tag: &str, variants: &[(String, String, Ty)], o: &mut String) {
    let arms: String = variants
        .iter()
        .map(|(v, tv, _)| {
            format!("            Some({tv:?}) => serde_json::from_value(v).map(Self::{v}),\n")
        })
        .collect();
    let _ = writeln!(
        o,
        "impl<'de> Deserialize<'de> for {name} {{
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {{
        let v = serde_json::Value::deserialize(d)?;
        let r = match v.get({tag:?}).and_then(serde_json::Value::as_str) {{
{arms}            _ => return Ok(Self::Unknown(v)),
        }};
        r.map_err(serde::de::Error::custom)
    }}
}}
"
    );
}

/// `Serialize` of a union: the member as itself.
fn emit_union_ser(name: &str, variants: &[(String, String, Ty)], o: &mut String) {
    let arms: String = variants
        .iter()
        .map(|(v, _, _)| format!("            Self::{v}(x) => x.serialize(s),\n"))
        .collect();
    let _ = writeln!(
        o,
        "impl Serialize for {name} {{
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {{
        match self {{
{arms}            Self::Unknown(v) => v.serialize(s),
        }}
    }}
}}
"
    );
}

/// A model struct, its constant defaults, its redacting `Debug` and its request-side
/// constructor and setters.
fn emit_struct(d: &Def, o: &mut String) {
    let Def::Struct {
        name,
        doc,
        fields,
        extra,
        ser,
        de,
        multipart,
    } = d
    else {
        return;
    };
    let redacted = fields.iter().any(|f| f.phi || f.secret);
    let dflt = derives_default(fields, *multipart);
    let mut derives = vec![];
    if !redacted {
        derives.push("Debug");
    }
    derives.extend(["Clone", "PartialEq"]);
    if dflt {
        derives.push("Default");
    }
    // The side the spec uses the model on is derived always; the other with `round-trip`.
    let serde = !*multipart;
    let mut second = None;
    if serde {
        for (used, derive) in [(*ser, "Serialize"), (*de, "Deserialize")] {
            if used {
                derives.push(derive);
            } else {
                second = Some(derive);
            }
        }
    }
    let _ = writeln!(o, "/// {doc}");
    if *multipart {
        o.push_str("///\n/// Sent as `multipart/form-data`: file fields as file parts, others as text parts.\n");
    }
    let _ = writeln!(o, "#[derive({})]", derives.join(", "));
    if let Some(other) = second {
        let _ = writeln!(o, "#[cfg_attr(feature = {ROUND_TRIP:?}, derive({other}))]");
    }
    // New optional fields are not breaking: users build models with `new`, `Default` and the
    // setters, never with struct literals.
    let _ = writeln!(o, "#[non_exhaustive]\npub struct {name} {{");
    for f in fields {
        emit_struct_field(name, f, serde, o);
    }
    if let Some(t) = extra {
        let _ = writeln!(
            o,
            "    /// Additional properties.\n    #[serde(flatten)]\n    pub extra: {},",
            t.rs("")
        );
    }
    o.push_str("}\n\n");
    for f in fields {
        if let (Some(c), false, true) = (&f.konst, f.required, serde) {
            let fname = const_fn_name(name, f);
            let (t, v) = const_rust(c);
            if !*de {
                o.push_str(ROUND_TRIP_CFG);
            }
            let _ = writeln!(o, "fn {fname}() -> {t} {{\n    {v}\n}}\n");
        }
    }
    if redacted {
        emit_struct_debug(name, fields, extra.is_some(), o);
    }
    // Request-side models (JSON or multipart) are built by users.
    if *ser || *multipart {
        emit_body_new(name, fields, extra.is_some(), dflt, o);
        emit_body_setters(name, fields, o);
    }
}

/// The function giving an optional constant field's default.
fn const_fn_name(model: &str, f: &Field) -> String {
    format!(
        "const_{}_{}",
        snake(model),
        f.ident.trim_start_matches("r#")
    )
}

/// One field of a model struct with its serde attributes, for both directions (a value
/// serialises back to what it was read from): an optional field reads as unset when absent
/// and is left out when unset.
fn emit_struct_field(model: &str, f: &Field, serde: bool, o: &mut String) {
    let _ = writeln!(o, "    /// {}", f.doc);
    let mut attrs = Vec::new();
    if serde && f.ident.trim_start_matches("r#") != f.wire {
        attrs.push(format!("rename = {:?}", f.wire));
    }
    let mut ty = f.ty.rs("");
    if let Some(c) = &f.konst {
        if !f.required && serde {
            attrs.push(format!("default = \"{}\"", const_fn_name(model, f)));
        }
        ty = const_rust(c).0.into();
    } else if !f.required && serde {
        attrs.push("default".into());
        attrs.push(if matches!(f.ty, Ty::Patch(_)) {
            "skip_serializing_if = \"Patch::is_unset\"".into()
        } else {
            "skip_serializing_if = \"Option::is_none\"".into()
        });
    }
    if !attrs.is_empty() {
        let _ = writeln!(o, "    #[serde({})]", attrs.join(", "));
    }
    let _ = writeln!(o, "    pub {}: {ty},", f.ident);
}

/// The `Debug` of a model with patient-data or secret fields: those print `[REDACTED]`, URLs
/// print through `redact_url`.
fn emit_struct_debug(name: &str, fields: &[Field], extra: bool, o: &mut String) {
    let _ = writeln!(
        o,
        "impl std::fmt::Debug for {name} {{\n    \
         fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {{\n        \
         f.debug_struct({name:?})"
    );
    const REDACT: &str = "amigo_platform_core::__private";
    for f in fields {
        let (wire, field) = (&f.wire, &f.ident);
        let value = if f.phi || f.secret {
            format!("&format_args!(\"{{}}\", {REDACT}::REDACTED)")
        } else if is_url_field(f) && matches!(f.ty, Ty::Opt(_)) {
            format!("&self.{field}.as_deref().map(|u| {REDACT}::redact_url(u, None))")
        } else if is_url_field(f) {
            format!("&{REDACT}::redact_url(&self.{field}, None)")
        } else {
            format!("&self.{field}")
        };
        let _ = writeln!(o, "            .field({wire:?}, {value})");
    }
    if extra {
        o.push_str("            .field(\"extra\", &self.extra)\n");
    }
    o.push_str("            .finish()\n    }\n}\n\n");
}

/// A doc example of tri-state fields on the first PATCH (else PUT) body whose fields are all optional
/// and which has two string-typed tri-state fields (empty if none does).
pub(crate) fn patch_example(g: &Gen, ops: &[Op]) -> String {
    let is_str = |t: &Ty| match t {
        Ty::Str => true,
        Ty::Named(n) => matches!(find_def(g, n), Some(Def::Alias { ty: Ty::Str, .. })),
        _ => false,
    };
    let patch = ops.iter().filter(|o| o.method == "PATCH");
    for op in patch.chain(ops.iter().filter(|o| o.method == "PUT")) {
        let BodyKind::Json {
            ty: Ty::Named(sn), ..
        } = &op.body
        else {
            continue;
        };
        let Some((fields, _)) = find_struct(g, sn) else {
            continue;
        };
        if !fields
            .iter()
            .all(|f| matches!(f.ty, Ty::Opt(_) | Ty::Patch(_)) && f.konst.is_none())
        {
            continue;
        }
        let strs: Vec<&Field> = fields
            .iter()
            .filter(|f| matches!(&f.ty, Ty::Patch(t) if is_str(t)))
            .collect();
        let [a, b, ..] = strs.as_slice() else {
            continue;
        };
        let (set, clear) = (setter_name(&a.ident), b.ident.trim_start_matches("r#"));
        // Fields serialise in declaration order.
        let json = format!("{{{:?}:\"Ada\",{:?}:null}}", a.wire, b.wire);
        return format!(
            "//!\n//! ```\n//! use amigo_platform_api::models::{{Patch, {sn}}};\n//!\n\
             //! // `{} {}` (`{}`): set `{}`, clear `{}`, leave the rest unchanged.\n\
             //! let body = {sn}::default().{set}(\"Ada\").clear_{clear}();\n\
             //! assert_eq!(serde_json::to_string(&body)?, r#\"{json}\"#);\n\
             //! // The fields read back as set:\n\
             //! assert_eq!(body.{}, Patch::Value(\"Ada\".into()));\n\
             //! assert_eq!(body.{}, Patch::Null);\n\
             //! # Ok::<(), serde_json::Error>(())\n//! ```\n",
            op.method, op.path, op.id, a.wire, b.wire, a.ident, b.ident
        );
    }
    String::new()
}

/// The setter of field `ident`: the field's name, or `set_` + it where an inherent method of
/// that name would shadow a derived trait's (`Type::default()`, `x.clone()`).
pub(crate) fn setter_name(ident: &str) -> String {
    const SHADOWING: &[&str] = &[
        "default",
        "clone",
        "clone_from",
        "eq",
        "ne",
        "fmt",
        "serialize",
        "deserialize",
        "into",
        "from",
        "try_into",
        "try_from",
        "to_owned",
        "clone_into",
        "borrow",
        "borrow_mut",
        "type_id",
    ];
    if SHADOWING.contains(&ident) {
        format!("set_{ident}")
    } else {
        ident.to_owned()
    }
}

/// Whether a generated struct derives `Default` (every field defaultable, no consts).
/// The Rust type and value expression of a `const` field (a boolean, else a string).
pub(crate) fn const_rust(c: &Value) -> (&'static str, String) {
    match c {
        Value::Bool(b) => ("bool", b.to_string()),
        other => (
            "String",
            format!("{:?}.to_owned()", other.as_str().unwrap_or_default()),
        ),
    }
}

pub(crate) fn derives_default(fields: &[Field], multipart: bool) -> bool {
    !multipart
        && fields
            .iter()
            .all(|f| f.konst.is_none() && defaultable(&f.ty))
}

/// `new(required..)` for a request-side model with required fields: those as arguments (however
/// many), constants set, optional fields unset; else `Default` (unless derived). Models are
/// `#[non_exhaustive]`, so this is the only way to build one with required fields.
pub(crate) fn emit_body_new(
    name: &str,
    fields: &[Field],
    extra: bool,
    derived_default: bool,
    o: &mut String,
) {
    let req: Vec<&Field> = fields
        .iter()
        .filter(|f| f.required && f.konst.is_none())
        .collect();
    assert!(
        fields.iter().all(|f| f.ident != "new"),
        "{name}: a field named `new` would clash with the constructor"
    );
    let mut args = Vec::new();
    let mut inits = Vec::new();
    for f in fields {
        let id = &f.ident;
        if let Some(c) = &f.konst {
            inits.push(format!("{id}: {}", const_rust(c).1));
        } else if f.required {
            let (t, conv) = match &f.ty {
                Ty::Str => ("impl Into<String>".to_owned(), format!("{id}.into()")),
                Ty::Named(n) => (format!("impl Into<{n}>"), format!("{id}.into()")),
                other => (other.rs(""), id.clone()),
            };
            args.push(format!("{id}: {t}"));
            inits.push(if conv == *id {
                id.clone()
            } else {
                format!("{id}: {conv}")
            });
        } else {
            inits.push(format!("{id}: Default::default()"));
        }
    }
    if extra {
        inits.push("extra: Default::default()".into());
    }
    if args.is_empty() && derived_default {
        return;
    }
    if args.is_empty() {
        // Only constants and optional fields: the constants are the default.
        let _ = writeln!(
            o,
            "impl Default for {name} {{\n    /// Constants set, optional fields unset.\n    fn default() -> Self {{\n        {name} {{ {} }}\n    }}\n}}\n",
            inits.join(", ")
        );
        return;
    }
    // Clippy's limit is seven arguments.
    let allow = if req.len() > 7 {
        "#[allow(clippy::too_many_arguments)]\n    "
    } else {
        ""
    };
    let _ = writeln!(
        o,
        "impl {name} {{\n    /// The model with its required fields; optional ones unset.\n    {allow}#[inline]\n    pub fn new({}) -> Self {{\n        {name} {{ {} }}\n    }}\n}}\n",
        args.join(", "),
        inits.join(", ")
    );
}

/// Chainable setters for the optional fields of a request-side model, through the
/// `body_setters!` macro of `api/src/macros.rs`: `field(v)` for every optional field, plus
/// `clear_field()` (send `null`) for the tri-state ones.
pub(crate) fn emit_body_setters(name: &str, fields: &[Field], o: &mut String) {
    let opt: Vec<&Field> = fields
        .iter()
        .filter(|f| !f.required && f.konst.is_none())
        .collect();
    if opt.is_empty() {
        return;
    }
    let method = |f: &Field| setter_name(&f.ident);
    let mut methods: HashSet<String> = HashSet::new();
    let mut claim = |m: &str| {
        assert!(
            methods.insert(m.to_owned()),
            "{name}: setter `{m}` defined twice"
        );
    };
    let _ = writeln!(o, "body_setters! {{ {name} {{");
    for f in &opt {
        if let Ty::Opt(t) = &f.ty {
            let m = method(f);
            claim(&m);
            let _ = writeln!(o, "    {m}({}) = {:?}: {};", f.ident, f.wire, t.rs(""));
        }
    }
    o.push_str("} patch {\n");
    for f in &opt {
        if let Ty::Patch(t) = &f.ty {
            let m = method(f);
            let clear = format!("clear_{}", f.ident.trim_start_matches("r#"));
            claim(&m);
            claim(&clear);
            let _ = writeln!(
                o,
                "    {m} / {clear}({}) = {:?}: {};",
                f.ident,
                f.wire,
                t.rs("")
            );
        }
    }
    o.push_str("} }\n\n");
}

/// What a test or example sets one field of a request-side model to, in [`build_model`].
pub(crate) enum Set {
    /// Left as the constructor leaves it (optional fields unset).
    Skip,
    /// A tri-state field sent as `null` (`clear_field()`).
    Null,
    /// A required field's value (of the field's type), or an optional field's inner value (of
    /// the setter's type).
    To(String),
}

/// A Rust expression building request-side model `n` the way a user must (models are
/// `#[non_exhaustive]`): `m::N::new(required..)`, or `m::N::default()` when nothing is
/// required, then one setter per optional field that `value` sets. `value` is asked for every
/// non-constant field and must answer [`Set::To`] for the required ones.
pub(crate) fn build_model(g: &Gen, n: &str, mut value: impl FnMut(&Field) -> Set) -> String {
    let Some(Def::Struct {
        fields,
        ser,
        multipart,
        ..
    }) = find_def(g, n)
    else {
        panic!("no model `{n}`");
    };
    assert!(
        *ser || *multipart,
        "{n}: built in a test but not a request-side model"
    );
    let mut args = Vec::new();
    let mut setters = String::new();
    for f in fields.iter().filter(|f| f.konst.is_none()) {
        match (value(f), f.required) {
            (Set::To(v), true) => args.push(v),
            (_, true) => panic!("{n}.{}: a required field needs a value", f.ident),
            (Set::Skip, false) => {}
            (Set::To(v), false) => {
                let _ = write!(setters, ".{}({v})", setter_name(&f.ident));
            }
            (Set::Null, false) => {
                assert!(
                    matches!(f.ty, Ty::Patch(_)),
                    "{n}.{}: not tri-state",
                    f.ident
                );
                let _ = write!(setters, ".clear_{}()", f.ident.trim_start_matches("r#"));
            }
        }
    }
    if args.is_empty() {
        format!("m::{n}::default(){setters}")
    } else {
        format!("m::{n}::new({}){setters}", args.join(", "))
    }
}
