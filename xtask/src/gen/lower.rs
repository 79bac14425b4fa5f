//! Lowering: OpenAPI schemas → Rust model definitions ([`Def`]) and types ([`Ty`]).

use crate::gen::ir::*;
use crate::gen::quirks::*;
use crate::names::{ident, is_snake_ident, pascal, snake, variant};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;

pub(crate) struct Gen<'a> {
    pub(crate) schemas: &'a serde_json::Map<String, Value>,
    /// component key → canonical key (merged `-Input`/`-Output` pairs).
    pub(crate) canon: HashMap<String, String>,
    /// canonical key → Rust name.
    pub(crate) rust: HashMap<String, String>,
    /// `PaginatedResponse_X_` key → canonical key of X.
    pub(crate) page_of: HashMap<String, String>,
    pub(crate) module_of: HashMap<String, String>,
    pub(crate) ser: HashSet<String>,
    pub(crate) de: HashSet<String>,
    pub(crate) multipart_keys: HashSet<String>,
    pub(crate) modules: BTreeMap<String, Vec<Def>>,
    /// Rust model name → module (collision check).
    pub(crate) taken: HashMap<String, String>,
    pub(crate) errors: Vec<String>,
    /// Set while lowering a model's fields: `format: date-time` and `format: uuid` strings
    /// become the lossless `DateTime` and `Uuid` of `api/src/formats.rs` there (parameters
    /// stay `String`).
    pub(crate) typed_formats: bool,
}

impl<'a> Gen<'a> {
    /// The generator state over the spec's component schemas.
    pub(crate) fn new(schemas: &'a serde_json::Map<String, Value>) -> Self {
        let mut g = Gen {
            schemas,
            canon: HashMap::new(),
            rust: HashMap::new(),
            page_of: HashMap::new(),
            module_of: HashMap::new(),
            ser: HashSet::new(),
            de: HashSet::new(),
            multipart_keys: HashSet::new(),
            modules: BTreeMap::new(),
            taken: HashMap::new(),
            errors: Vec::new(),
            typed_formats: false,
        };
        // The hand-written helper types (`api/src/models_prelude.rs`) share the models namespace.
        for n in ["Page", "IntOrString", "NumberOrString", "FilePart", "Patch"] {
            g.claim(n, "shared");
        }
        for (_, n) in FORMAT_TYPES {
            g.claim(n, "shared");
        }
        g
    }

    pub(crate) fn closure(&self, roots: impl IntoIterator<Item = String>) -> HashSet<String> {
        let mut seen = HashSet::new();
        let mut stack: Vec<String> = roots.into_iter().collect();
        while let Some(k) = stack.pop() {
            let k = self.canon.get(&k).cloned().unwrap_or(k);
            if seen.insert(k.clone()) {
                if let Some(v) = self.schemas.get(&k) {
                    let mut r = Vec::new();
                    refs_in(v, &mut r);
                    stack.extend(r);
                }
            }
        }
        seen
    }

    pub(crate) fn claim(&mut self, name: &str, module: &str) {
        if let Some(prev) = self.taken.insert(name.to_owned(), module.to_owned()) {
            self.errors.push(format!(
                "model name collision: `{name}` in `{prev}` and `{module}`"
            ));
        }
    }

    pub(crate) fn push_def(&mut self, module: &str, def: Def) {
        self.claim(def.name(), module);
        self.modules.entry(module.to_owned()).or_default().push(def);
    }

    pub(crate) fn ref_ty(&self, r: &str) -> Ty {
        let key = r.strip_prefix(REF_PREFIX).unwrap_or(r);
        let key = self.canon.get(key).map(String::as_str).unwrap_or(key);
        if let Some(inner) = self.page_of.get(key) {
            return Ty::Page(Box::new(Ty::Named(self.rust[inner].clone())));
        }
        Ty::Named(self.rust[key].clone())
    }

    /// The Rust type of a schema; inline enums/unions become named types `ctx` in `module`.
    pub(crate) fn ty(&mut self, v: &Value, ctx: &str, module: &str, fl: (bool, bool)) -> Ty {
        if let Some(r) = s(v, "$ref") {
            return self.ref_ty(r);
        }
        if let Some(any) = v.get("anyOf").and_then(Value::as_array) {
            let nonnull: Vec<&Value> = any
                .iter()
                .filter(|x| s(x, "type") != Some("null"))
                .collect();
            let nullable = nonnull.len() != any.len();
            let inner = if nonnull.len() == 1 {
                self.ty(nonnull[0], ctx, module, fl)
            } else {
                let kinds: BTreeSet<&str> = nonnull
                    .iter()
                    .map(|x| {
                        if x.get("const").is_some_and(Value::is_string) {
                            "string"
                        } else {
                            s(x, "type").unwrap_or("any")
                        }
                    })
                    .collect();
                let k: Vec<&str> = kinds.into_iter().collect();
                match k.as_slice() {
                    ["string"] => Ty::Str,
                    ["integer", "string"] => Ty::IntOrStr,
                    ["number", "string"] => Ty::NumOrStr,
                    _ => Ty::Any,
                }
            };
            return if nullable && inner != Ty::Any {
                inner.opt()
            } else {
                inner
            };
        }
        if v.get("oneOf").is_some() {
            self.union_def(v, ctx, module, fl);
            return Ty::Named(ctx.to_owned());
        }
        if let Some(e) = v.get("enum").and_then(Value::as_array) {
            if s(v, "type") == Some("integer") {
                return Ty::Int;
            }
            let values: Vec<String> = e
                .iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect();
            if values.len() != e.len() {
                self.errors.push(format!("{ctx}: non-string enum values"));
            }
            self.push_def(
                module,
                Def::Enum {
                    name: ctx.to_owned(),
                    doc: String::new(),
                    values,
                },
            );
            return Ty::Named(ctx.to_owned());
        }
        if let Some(c) = v.get("const") {
            return if c.is_boolean() { Ty::Bool } else { Ty::Str };
        }
        match s(v, "type") {
            Some("string") => {
                if s(v, "format") == Some("binary") || v.get("contentMediaType").is_some() {
                    Ty::File
                } else if let (true, Some(t)) = (self.typed_formats, typed_format(v)) {
                    Ty::Named(t.to_owned())
                } else {
                    Ty::Str
                }
            }
            Some("integer") => Ty::Int,
            Some("number") => Ty::Float,
            Some("boolean") => Ty::Bool,
            Some("array") => {
                let items = v
                    .get("items")
                    .cloned()
                    .unwrap_or(Value::Object(Default::default()));
                Ty::Vec(Box::new(self.ty(&items, &format!("{ctx}Item"), module, fl)))
            }
            Some("object") => match v.get("additionalProperties") {
                Some(Value::Object(ap)) if !ap.is_empty() => Ty::Map(Box::new(self.ty(
                    &Value::Object(ap.clone()),
                    &format!("{ctx}Value"),
                    module,
                    fl,
                ))),
                _ => Ty::Obj,
            },
            None | Some("null") => Ty::Any,
            Some(other) => {
                self.errors
                    .push(format!("{ctx}: unsupported type `{other}`"));
                Ty::Any
            }
        }
    }

    pub(crate) fn union_def(&mut self, v: &Value, name: &str, module: &str, fl: (bool, bool)) {
        let Some(disc) = v.get("discriminator") else {
            self.errors
                .push(format!("{name}: oneOf without discriminator"));
            return;
        };
        let tag = s(disc, "propertyName").unwrap_or_default().to_owned();
        let mut variants = Vec::new();
        let mut seen = HashSet::new();
        for (tv, r) in disc
            .get("mapping")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let r = r.as_str().unwrap_or_default();
            let key = r.strip_prefix(REF_PREFIX).unwrap_or(r);
            // The mapping must agree with the member's own const/enum.
            let member = &self.schemas[key];
            let prop = member.get("properties").and_then(|p| p.get(&tag));
            let ok = prop.is_some_and(|p| {
                p.get("const").and_then(Value::as_str) == Some(tv.as_str())
                    || p.get("enum")
                        .and_then(Value::as_array)
                        .is_some_and(|e| e.iter().any(|x| x == tv))
            });
            if !ok {
                self.errors.push(format!(
                    "{name}: mapping `{tv}` disagrees with member `{key}`"
                ));
            }
            let var = variant(tv);
            if !seen.insert(var.clone()) || var == "Unknown" {
                self.errors
                    .push(format!("{name}: variant collision `{var}`"));
            }
            variants.push((var, tv.clone(), self.ref_ty(r)));
        }
        self.push_def(
            module,
            Def::Union {
                name: name.to_owned(),
                doc: String::new(),
                tag,
                variants,
                ser: fl.0,
                de: fl.1,
            },
        );
    }

    pub(crate) fn struct_def(
        &mut self,
        key: &str,
        name: &str,
        v: &Value,
        module: &str,
        fl: (bool, bool),
        multipart: bool,
    ) -> Def {
        let required: HashSet<&str> = v
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let mut fields = Vec::new();
        for (wire, pv) in v
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let req = required.contains(wire.as_str());
            let konst = pv.get("const").cloned();
            self.typed_formats = !multipart;
            let mut ty = self.ty(pv, &format!("{name}{}", pascal(wire)), module, fl);
            self.typed_formats = false;
            // Direct self-reference → Box.
            if ty == Ty::Named(name.to_owned()) {
                ty = Ty::Boxed(Box::new(ty));
            } else if ty == Ty::Opt(Box::new(Ty::Named(name.to_owned()))) {
                ty = Ty::Opt(Box::new(Ty::Boxed(Box::new(Ty::Named(name.to_owned())))));
            }
            // `anyOf [X, null]` (the `Any` case already holds `null` itself).
            let nullable = matches!(ty, Ty::Opt(_));
            if konst.is_none() && !req {
                // Optional + nullable on the request side: absent ≠ `null`, so tri-state.
                ty = if nullable && fl.0 && !multipart {
                    Ty::Patch(Box::new(ty.strip_opt().clone()))
                } else {
                    ty.opt()
                };
            }
            let id = if is_snake_ident(wire) {
                ident(wire)
            } else {
                snake(wire)
            };
            let mut doc = format!("`{wire}`");
            doc.push_str(if req { " (required" } else { " (optional" });
            if nullable {
                doc.push_str(", nullable");
            }
            if let Some(c) = &konst {
                let _ = write!(doc, "; constant `{}`", json_short(c));
            }
            let c = constraints(pv);
            if !c.is_empty() {
                let _ = write!(doc, "; {c}");
            }
            doc.push(')');
            let phi = pv.get("x-phi") == Some(&Value::Bool(true));
            let secret = !phi && is_secret_field(name, wire);
            if phi {
                doc.push_str(". Patient data: redacted in `Debug`.");
            }
            if secret {
                doc.push_str(". Secret: redacted in `Debug`.");
            }
            fields.push(Field {
                wire: wire.clone(),
                ident: id,
                ty,
                required: req,
                nullable,
                konst,
                phi,
                secret,
                doc,
            });
        }
        let mut seen = HashSet::new();
        for f in &fields {
            if !seen.insert(f.ident.clone()) {
                self.errors
                    .push(format!("{key}: field ident collision `{}`", f.ident));
            }
        }
        let extra = match v.get("additionalProperties") {
            Some(Value::Bool(true)) if !fields.is_empty() => Some(Ty::Obj),
            Some(Value::Object(ap)) if !fields.is_empty() => {
                let t = self.ty(
                    &Value::Object(ap.clone()),
                    &format!("{name}Value"),
                    module,
                    fl,
                );
                Some(Ty::Map(Box::new(t)))
            }
            _ => None,
        };
        let mut doc = format!("Schema `{key}`");
        let c = constraints(v);
        if !c.is_empty() {
            let _ = write!(doc, " ({c})");
        }
        doc.push('.');
        Def::Struct {
            name: name.to_owned(),
            doc,
            fields,
            extra,
            ser: fl.0 && !multipart,
            de: fl.1 && !multipart,
            multipart,
        }
    }
}

/// The model types of typed string formats (`api/src/formats.rs`).
pub(crate) const FORMAT_TYPES: [(&str, &str); 2] = [("date-time", "DateTime"), ("uuid", "Uuid")];

/// The lossless model type of a string schema's `format`, if it has one.
pub(crate) fn typed_format(v: &Value) -> Option<&'static str> {
    let f = s(v, "format")?;
    FORMAT_TYPES.iter().find(|(k, _)| *k == f).map(|(_, t)| *t)
}

/// Whether `name` is one of the [`FORMAT_TYPES`].
pub(crate) fn is_format_type(name: &str) -> bool {
    FORMAT_TYPES.iter().any(|(_, t)| *t == name)
}

/// Schema references of one operation: its request body's and its 2xx responses'.
fn op_refs(o: &Value) -> (Vec<String>, Vec<String>) {
    let (mut req, mut resp) = (Vec::new(), Vec::new());
    if let Some(rb) = o.get("requestBody") {
        refs_in(rb, &mut req);
    }
    for (code, r) in o
        .get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if code.starts_with('2') {
            refs_in(r, &mut resp);
        }
    }
    (req, resp)
}

/// Reachability and ownership: which schemas are serialised (reachable from a request body),
/// deserialised (from a response, or unreachable), multipart, and which module owns each (the
/// one tag using it, else `shared`).
pub(crate) fn assign_ownership(g: &mut Gen, raw_ops: &[(String, String, Value)]) {
    let mut req_roots = Vec::new();
    let mut resp_roots = Vec::new();
    let mut tags_of: HashMap<String, BTreeSet<String>> = HashMap::new();
    for (_, _, o) in raw_ops {
        let tag = o
            .get("tags")
            .and_then(|t| t.get(0))
            .and_then(Value::as_str)
            .unwrap_or("default");
        if let Some(rb) = o.get("requestBody") {
            if rb.pointer("/content/multipart~1form-data").is_some() {
                let mut r = Vec::new();
                refs_in(rb, &mut r);
                g.multipart_keys.extend(r);
            }
        }
        let (rq, rs) = op_refs(o);
        for k in g.closure(rq.iter().chain(rs.iter()).cloned()) {
            tags_of.entry(k).or_default().insert(snake(tag));
        }
        req_roots.extend(rq);
        resp_roots.extend(rs);
    }
    g.ser = g.closure(req_roots);
    let de_roots: Vec<String> = g
        .schemas
        .keys()
        .filter(|k| !g.ser.contains(*k))
        .cloned()
        .chain(resp_roots)
        .collect();
    g.de = g.closure(de_roots);
    for k in g.schemas.keys() {
        let c = g.canon.get(k).cloned().unwrap_or(k.clone());
        let m = match tags_of.get(&c) {
            Some(t) if t.len() == 1 => t.iter().next().cloned(),
            _ => None,
        };
        g.module_of
            .insert(k.clone(), m.unwrap_or_else(|| "shared".to_owned()));
    }
}

/// Lowers every component schema (but merged `-Input` twins) to a model definition.
pub(crate) fn lower_components(g: &mut Gen) {
    let schemas = g.schemas;
    for (k, v) in schemas {
        if !g.canon.contains_key(k) {
            lower_component(g, k, v);
        }
    }
}

fn lower_component(g: &mut Gen, k: &str, v: &Value) {
    let name = g.rust[k].clone();
    let module = g.module_of[k].clone();
    let fl = (g.ser.contains(k), g.de.contains(k));
    if let Some(inner) = g.page_of.get(k).cloned() {
        let t = Ty::Named(g.rust[&inner].clone());
        let doc = format!("Schema `{k}`: a token-paged list.");
        let ty = Ty::Page(Box::new(t));
        g.push_def(&module, Def::Alias { name, doc, ty });
        return;
    }
    let merged_note = if g.canon.values().any(|c| c == k) {
        let base = k.trim_end_matches("-Output");
        format!(" (also `{base}-Input`, identical)")
    } else {
        String::new()
    };
    if v.get("oneOf").is_some() {
        g.union_def(v, &name, &module, fl);
        if let Some(Def::Union { doc, .. }) = g.modules.get_mut(&module).and_then(|d| d.last_mut())
        {
            *doc = format!("Schema `{k}`{merged_note}: a discriminated union.");
        }
    } else if let Some(e) = v.get("enum").and_then(Value::as_array) {
        let values = e
            .iter()
            .filter_map(|x| x.as_str().map(str::to_owned))
            .collect();
        let doc = format!("Schema `{k}`.");
        g.push_def(&module, Def::Enum { name, doc, values });
    } else if s(v, "type") == Some("object") {
        let multipart = g.multipart_keys.contains(k);
        let mut d = g.struct_def(k, &name, v, &module, fl, multipart);
        if let Def::Struct { doc, .. } = &mut d {
            if !merged_note.is_empty() {
                *doc = doc.replacen('.', &format!("{merged_note}."), 1);
            }
        }
        g.push_def(&module, d);
    } else if s(v, "type") == Some("string") {
        let c = constraints(v);
        let doc = if c.is_empty() {
            format!("Schema `{k}`.")
        } else {
            format!("Schema `{k}` ({c}).")
        };
        g.push_def(
            &module,
            Def::Alias {
                name,
                doc,
                ty: Ty::Str,
            },
        );
    } else {
        g.errors.push(format!("{k}: unsupported component shape"));
    }
}
