//! Spec → IR → Rust text. The only place that knows FastAPI/pydantic quirks.

use crate::names::{ident, is_snake_ident, pascal, snake, variant};
use amigo_platform_core::redact::is_sensitive_key;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;

/// The surface-name test, written beside the testkit's other tests (workspace-relative).
pub const SURFACE_NAMES_TEST: &str = "tests/tests/surface_names.rs";

const REF_PREFIX: &str = "#/components/schemas/";

// ---------------------------------------------------------------- IR

#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    Str,
    Int,
    Float,
    Bool,
    /// `serde_json::Value`
    Any,
    /// `serde_json::Map<String, Value>`
    Obj,
    /// A multipart file part.
    File,
    IntOrStr,
    NumOrStr,
    Named(String),
    Boxed(Box<Ty>),
    Vec(Box<Ty>),
    Map(Box<Ty>),
    Opt(Box<Ty>),
    /// A tri-state request field (`amigo_platform_core::patch::Patch`): optional and nullable
    /// on a serialised struct.
    Patch(Box<Ty>),
    Page(Box<Ty>),
}

impl Ty {
    /// Rust text; `m` is the path prefix of model names (`""` inside models, `m::` elsewhere).
    fn rs(&self, m: &str) -> String {
        match self {
            Ty::Str => "String".into(),
            Ty::Int => "i64".into(),
            Ty::Float => "f64".into(),
            Ty::Bool => "bool".into(),
            Ty::Any => "serde_json::Value".into(),
            Ty::Obj => "serde_json::Map<String, serde_json::Value>".into(),
            Ty::File => format!("{m}FilePart"),
            Ty::IntOrStr => format!("{m}IntOrString"),
            Ty::NumOrStr => format!("{m}NumberOrString"),
            Ty::Named(n) => format!("{m}{n}"),
            Ty::Boxed(t) => format!("Box<{}>", t.rs(m)),
            Ty::Vec(t) => format!("Vec<{}>", t.rs(m)),
            Ty::Map(t) => format!("std::collections::BTreeMap<String, {}>", t.rs(m)),
            Ty::Opt(t) => format!("Option<{}>", t.rs(m)),
            Ty::Patch(t) => format!("{m}Patch<{}>", t.rs(m)),
            Ty::Page(t) => format!("{m}Page<{}>", t.rs(m)),
        }
    }
    fn opt(self) -> Ty {
        match self {
            Ty::Opt(_) => self,
            t => Ty::Opt(Box::new(t)),
        }
    }
    fn strip_opt(&self) -> &Ty {
        match self {
            Ty::Opt(t) => t,
            t => t,
        }
    }
}

#[derive(Debug, Clone)]
struct Field {
    wire: String,
    ident: String,
    ty: Ty,
    required: bool,
    /// The schema admits `null` (`anyOf [X, null]`).
    nullable: bool,
    konst: Option<Value>,
    phi: bool,
    /// A secret (see [`is_secret_field`]): `Debug` prints `[REDACTED]`.
    secret: bool,
    doc: String,
}

/// Whether a model field holds a secret, redacted in the model's `Debug`.
///
/// The rule: the field's wire name is a sensitive key of the core's redaction list
/// (`token`, `secret`, `api_key`, `password`, `access_token`, `refresh_token`, `link_token`,
/// `client_secret`, `signing_secret`, any `*_secret`, and such a name followed by `_value`),
/// or the model is named `Secret…` (a secret's wrapper, such as `SecretInput`). Plain `key`
/// fields are not secrets: in this API they name form fields, metrics and storage objects.
fn is_secret_field(model: &str, wire: &str) -> bool {
    is_sensitive_key(wire) || model.starts_with("Secret")
}

/// Whether a field holds a URL that may embed a capability token (`url`, `*_url`): a model
/// whose `Debug` is written by hand shows it through `redact_url`.
fn is_url_field(f: &Field) -> bool {
    (f.wire == "url" || f.wire.ends_with("_url")) && matches!(f.ty.strip_opt(), Ty::Str)
}

#[derive(Debug, Clone)]
enum Def {
    Struct {
        name: String,
        doc: String,
        fields: Vec<Field>,
        extra: Option<Ty>,
        ser: bool,
        de: bool,
        multipart: bool,
    },
    Enum {
        name: String,
        doc: String,
        values: Vec<String>,
    },
    Union {
        name: String,
        doc: String,
        tag: String,
        variants: Vec<(String, String, Ty)>,
        ser: bool,
        de: bool,
    },
    Alias {
        name: String,
        doc: String,
        ty: Ty,
    },
}

impl Def {
    fn name(&self) -> &str {
        match self {
            Def::Struct { name, .. }
            | Def::Enum { name, .. }
            | Def::Union { name, .. }
            | Def::Alias { name, .. } => name,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Loc {
    Path,
    Query,
    Header,
}

#[derive(Debug, Clone)]
struct Param {
    wire: String,
    ident: String,
    loc: Loc,
    /// The non-optional type.
    ty: Ty,
    required: bool,
    konst: Option<String>,
    doc: String,
    /// A secret (its name is a sensitive key: `token`, `link_token`, …): the operation's
    /// `Debug` prints `[REDACTED]`.
    secret: bool,
    /// The parameter's raw schema (test samples).
    schema: Value,
}

#[derive(Debug, Clone)]
enum BodyKind {
    None,
    Json { ty: Ty, required: bool },
    Multipart { ty: Ty },
    Raw,
}

#[derive(Debug, Clone)]
enum OutKind {
    Unit,
    Json(Ty),
    OptJson(Ty),
    Binary,
    OptBinary,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Pager {
    Token,
    NextOffset,
    DerivedOffset,
}

#[derive(Debug, Clone)]
struct Op {
    id: String,
    pascal: String,
    method: String,
    path: String,
    module: String,
    params: Vec<Param>,
    /// `Some(required)` when `{workspace_id}` is a target workspace argument.
    target_ws: Option<bool>,
    body: BodyKind,
    out: OutKind,
    pager: Option<(Pager, String)>,
    /// The request body's raw schema (test samples).
    body_schema: Option<Value>,
    /// The 2xx JSON response's raw schema (pager test pages).
    out_schema: Option<Value>,
}

struct Row {
    op_id: String,
    namespace: String,
    method: String,
    pager: String,
    notes: String,
}

// ---------------------------------------------------------------- generator state

struct Gen<'a> {
    schemas: &'a serde_json::Map<String, Value>,
    /// component key → canonical key (merged `-Input`/`-Output` pairs).
    canon: HashMap<String, String>,
    /// canonical key → Rust name.
    rust: HashMap<String, String>,
    /// `PaginatedResponse_X_` key → canonical key of X.
    page_of: HashMap<String, String>,
    module_of: HashMap<String, String>,
    ser: HashSet<String>,
    de: HashSet<String>,
    multipart_keys: HashSet<String>,
    modules: BTreeMap<String, Vec<Def>>,
    /// Rust model name → module (collision check).
    taken: HashMap<String, String>,
    errors: Vec<String>,
}

fn s<'v>(v: &'v Value, k: &str) -> Option<&'v str> {
    v.get(k).and_then(Value::as_str)
}

fn json_short(v: &Value) -> String {
    let t = v.to_string();
    let t = if t.chars().count() > 80 {
        format!("{}…", t.chars().take(80).collect::<String>())
    } else {
        t
    };
    t.replace('`', "'")
}

/// Structural facts of a schema for docs (never the description prose).
fn constraints(v: &Value) -> String {
    let mut parts = Vec::new();
    let mut inner = vec![v];
    if let Some(a) = v.get("anyOf").and_then(Value::as_array) {
        inner.extend(a.iter());
    }
    for x in inner {
        if let Some(f) = s(x, "format") {
            parts.push(format!("format `{f}`"));
        }
        for (k, label) in [
            ("minLength", "min length"),
            ("maxLength", "max length"),
            ("minimum", "minimum"),
            ("maximum", "maximum"),
            ("exclusiveMinimum", "exclusive minimum"),
            ("minItems", "min items"),
            ("maxItems", "max items"),
            ("maxProperties", "max properties"),
        ] {
            if let Some(n) = x.get(k) {
                parts.push(format!("{label} {n}"));
            }
        }
        if let Some(p) = s(x, "pattern") {
            parts.push(format!("pattern `{}`", p.replace('`', "'")));
        }
    }
    if let Some(d) = v.get("default") {
        parts.push(format!("spec default `{}`", json_short(d)));
    }
    if v.get("readOnly") == Some(&Value::Bool(true)) {
        parts.push("read-only".into());
    }
    if v.get("deprecated") == Some(&Value::Bool(true)) {
        parts.push("deprecated".into());
    }
    parts.join("; ")
}

const ALLOWED_KEYWORDS: &[&str] = &[
    "type",
    "properties",
    "required",
    "items",
    "additionalProperties",
    "anyOf",
    "oneOf",
    "discriminator",
    "enum",
    "const",
    "format",
    "default",
    "title",
    "description",
    "examples",
    "example",
    "$ref",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "maxProperties",
    "x-phi",
    "readOnly",
    "deprecated",
    "propertyNames",
    "contentMediaType",
];

fn validate_keywords(path: &str, v: &Value, errors: &mut Vec<String>) {
    let Some(o) = v.as_object() else { return };
    for (k, x) in o {
        if !ALLOWED_KEYWORDS.contains(&k.as_str()) {
            errors.push(format!("{path}: unsupported schema keyword `{k}`"));
        }
        match k.as_str() {
            "properties" => {
                for (pn, pv) in x.as_object().into_iter().flatten() {
                    validate_keywords(&format!("{path}.{pn}"), pv, errors);
                }
            }
            "items" | "additionalProperties" | "propertyNames" => {
                validate_keywords(&format!("{path}[]"), x, errors)
            }
            "anyOf" | "oneOf" => {
                for (i, m) in x.as_array().into_iter().flatten().enumerate() {
                    validate_keywords(&format!("{path}|{i}"), m, errors);
                }
            }
            _ => {}
        }
    }
}

fn refs_in(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                if k == "$ref" {
                    if let Some(r) = x.as_str().and_then(|r| r.strip_prefix(REF_PREFIX)) {
                        out.push(r.to_owned());
                    }
                } else {
                    refs_in(x, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| refs_in(x, out)),
        _ => {}
    }
}

impl<'a> Gen<'a> {
    fn closure(&self, roots: impl IntoIterator<Item = String>) -> HashSet<String> {
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

    fn claim(&mut self, name: &str, module: &str) {
        if let Some(prev) = self.taken.insert(name.to_owned(), module.to_owned()) {
            self.errors.push(format!(
                "model name collision: `{name}` in `{prev}` and `{module}`"
            ));
        }
    }

    fn push_def(&mut self, module: &str, def: Def) {
        self.claim(def.name(), module);
        self.modules.entry(module.to_owned()).or_default().push(def);
    }

    fn ref_ty(&self, r: &str) -> Ty {
        let key = r.strip_prefix(REF_PREFIX).unwrap_or(r);
        let key = self.canon.get(key).map(String::as_str).unwrap_or(key);
        if let Some(inner) = self.page_of.get(key) {
            return Ty::Page(Box::new(Ty::Named(self.rust[inner].clone())));
        }
        Ty::Named(self.rust[key].clone())
    }

    /// The Rust type of a schema; inline enums/unions become named types `ctx` in `module`.
    fn ty(&mut self, v: &Value, ctx: &str, module: &str, fl: (bool, bool)) -> Ty {
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

    fn union_def(&mut self, v: &Value, name: &str, module: &str, fl: (bool, bool)) {
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

    fn struct_def(
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
            let mut ty = self.ty(pv, &format!("{name}{}", pascal(wire)), module, fl);
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

// ---------------------------------------------------------------- entry point

pub fn generate(spec_bytes: &[u8], surface: &str) -> Result<BTreeMap<String, String>, String> {
    let spec: Value =
        serde_json::from_slice(spec_bytes).map_err(|e| format!("parsing spec: {e}"))?;
    let sha = sha256_hex(spec_bytes);
    let schemas = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .ok_or("spec has no components.schemas")?;
    let rows = parse_surface(surface)?;

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
    };
    // Helper types of the shared prelude share the models namespace.
    for n in ["Page", "IntOrString", "NumberOrString", "FilePart", "Patch"] {
        g.claim(n, "shared");
    }
    for (k, v) in schemas {
        validate_keywords(k, v, &mut g.errors);
    }

    // --- merge identical -Input/-Output pairs
    for k in schemas.keys() {
        if let Some(base) = k.strip_suffix("-Input") {
            let out_key = format!("{base}-Output");
            if let Some(out) = schemas.get(&out_key) {
                let a = schemas[k].to_string().replace("-Input\"", "-Output\"");
                let b = out.to_string();
                if a == b {
                    g.canon.insert(k.clone(), out_key.clone());
                }
            }
        }
    }
    // --- names
    let stripped: Vec<(String, String)> = schemas
        .keys()
        .filter(|k| k.starts_with("src__"))
        .map(|k| (k.clone(), k.rsplit("__").next().unwrap().to_owned()))
        .collect();
    for k in schemas.keys() {
        if g.canon.contains_key(k) {
            continue;
        }
        if let Some(inner) = k
            .strip_prefix("PaginatedResponse_")
            .and_then(|x| x.strip_suffix('_'))
        {
            if schemas.contains_key(inner) {
                let inner = g.canon.get(inner).cloned().unwrap_or(inner.to_owned());
                g.page_of.insert(k.clone(), inner);
                g.rust.insert(
                    k.clone(),
                    format!(
                        "{}Page",
                        pascal(k.strip_prefix("PaginatedResponse_").unwrap())
                    ),
                );
                continue;
            }
        }
        let name = if let Some(last) = k
            .strip_prefix("src__")
            .map(|_| k.rsplit("__").next().unwrap())
        {
            let dup = stripped.iter().filter(|(_, l)| l == last).count() > 1
                || schemas.contains_key(last);
            if dup {
                let segs: Vec<&str> = k.split("__").collect();
                format!("{}{}", pascal(segs[segs.len() - 2]), pascal(last))
            } else {
                pascal(last)
            }
        } else if let Some(base) = k
            .strip_suffix("-Output")
            .filter(|b| g.canon.contains_key(&format!("{b}-Input")))
        {
            pascal(base)
        } else if let Some(op) = k.strip_prefix("Body_") {
            format!("{}Body", pascal(op))
        } else {
            pascal(k)
        };
        g.rust.insert(k.clone(), name);
    }
    for (k, c) in g.canon.clone() {
        let n = g.rust[&c].clone();
        g.rust.insert(k, n);
    }

    // --- operations (collect raw), reachability and tag ownership
    let mut raw_ops = Vec::new();
    for (path, item) in spec
        .get("paths")
        .and_then(Value::as_object)
        .ok_or("spec has no paths")?
    {
        for (method, o) in item.as_object().into_iter().flatten() {
            raw_ops.push((path.clone(), method.clone(), o.clone()));
        }
    }
    let mut req_roots = Vec::new();
    let mut resp_roots = Vec::new();
    let mut tags_of: HashMap<String, BTreeSet<String>> = HashMap::new();
    for (_, _, o) in &raw_ops {
        let tag = o
            .get("tags")
            .and_then(|t| t.get(0))
            .and_then(Value::as_str)
            .unwrap_or("default");
        let mut rq = Vec::new();
        let mut rs = Vec::new();
        if let Some(rb) = o.get("requestBody") {
            if rb.pointer("/content/multipart~1form-data").is_some() {
                let mut r = Vec::new();
                refs_in(rb, &mut r);
                g.multipart_keys.extend(r);
            }
            refs_in(rb, &mut rq);
        }
        for (code, r) in o
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if code.starts_with('2') {
                refs_in(r, &mut rs);
            }
        }
        for k in g.closure(rq.iter().chain(rs.iter()).cloned()) {
            tags_of.entry(k).or_default().insert(snake(tag));
        }
        req_roots.extend(rq);
        resp_roots.extend(rs);
    }
    g.ser = g.closure(req_roots);
    let de_roots: Vec<String> = schemas
        .keys()
        .filter(|k| !g.ser.contains(*k))
        .cloned()
        .chain(resp_roots)
        .collect();
    g.de = g.closure(de_roots);
    for k in schemas.keys() {
        let c = g.canon.get(k).cloned().unwrap_or(k.clone());
        let m = match tags_of.get(&c) {
            Some(t) if t.len() == 1 => t.iter().next().unwrap().clone(),
            _ => "shared".to_owned(),
        };
        g.module_of.insert(k.clone(), m);
    }

    // --- component models
    let mut n_components = 0;
    for (k, v) in schemas {
        n_components += 1;
        if g.canon.contains_key(k) {
            continue; // merged into its -Output partner
        }
        let name = g.rust[k].clone();
        let module = g.module_of[k].clone();
        let fl = (g.ser.contains(k), g.de.contains(k));
        if let Some(inner) = g.page_of.get(k).cloned() {
            let t = Ty::Named(g.rust[&inner].clone());
            g.push_def(
                &module,
                Def::Alias {
                    name,
                    doc: format!("Schema `{k}`: a token-paged list."),
                    ty: Ty::Page(Box::new(t)),
                },
            );
            continue;
        }
        let merged_note = if g.canon.values().any(|c| c == k) {
            format!(
                " (also `{}-Input`, identical)",
                k.trim_end_matches("-Output")
            )
        } else {
            String::new()
        };
        if v.get("oneOf").is_some() {
            g.union_def(v, &name, &module, fl);
            if let Some(Def::Union { doc, .. }) =
                g.modules.get_mut(&module).and_then(|d| d.last_mut())
            {
                *doc = format!("Schema `{k}`{merged_note}: a discriminated union.");
            }
        } else if let Some(e) = v.get("enum").and_then(Value::as_array) {
            let values = e
                .iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect();
            g.push_def(
                &module,
                Def::Enum {
                    name,
                    doc: format!("Schema `{k}`."),
                    values,
                },
            );
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

    // --- operations
    let ops = build_ops(&mut g, &raw_ops, &rows);

    if !g.errors.is_empty() {
        return Err(format!(
            "{} spec problem(s):\n  {}",
            g.errors.len(),
            g.errors.join("\n  ")
        ));
    }

    let header = format!(
        "// @generated by `cargo xtask codegen` from openapi.json (sha256 {sha}). Do not edit.\n"
    );
    let mut files = BTreeMap::new();
    emit_models(&g, &header, &mut files);
    emit_ops(&g, &ops, &header, &mut files);
    emit_namespaces(&ops, &rows, &header, &mut files);
    emit_tests(&g, &ops, &header, &mut files);
    emit_decode_tests(&g, &header, &mut files);
    emit_pager_tests(&g, &ops, &header, &mut files);
    emit_prism_cases(&g, &ops, &header, &mut files);
    let surface_names = emit_surface_names(&ops, &rows, &header);
    let n_models: usize = g.modules.values().map(Vec::len).sum();
    let pagers = ops.iter().filter(|o| o.pager.is_some()).count();
    let (mut n_patch, mut n_nullable) = (0, 0);
    for d in g.modules.values().flatten() {
        if let Def::Struct { fields, .. } = d {
            for f in fields.iter().filter(|f| f.nullable && !f.required) {
                n_nullable += 1;
                if matches!(f.ty, Ty::Patch(_)) {
                    n_patch += 1;
                }
            }
        }
    }
    let mut root = header.clone();
    let _ = write!(
        root,
        "//! Generated API surface: {n_components} component schemas ({n_models} Rust model types with inline \
         enums and unions), {} operations ({pagers} auto-paging), {} namespace methods.\n//!\n\
         //! Call an operation through a namespace: `client.api().agents().list().limit(5).send()` \
         (with [`crate::ApiExt`] in scope);\n//! or build an operation value from [`ops`] and pass it to `Client::call`. \
         [`namespaces`] lists every namespace.\n//!\n\
         //! Of the {n_nullable} optional + nullable model fields, the {n_patch} of request-body models are tri-state \
         [`models::Patch`]\n//! (`Unset` omitted, `Null` sent as `null`, `Value` sent); the others are `Option<T>`. \
         Request-body models\n//! also have chainable setters: `field(v)` for every optional field, `clear_field()` \
         for the tri-state ones.\n{}\n\
         // Generated shapes mirror the spec: union variants are as large as their members (boxing\n\
         // them would change the public API for a few bytes), and `new()` takes every required\n\
         // parameter positionally (up to 8).\n\
         #![allow(clippy::large_enum_variant, clippy::too_many_arguments)]\n\n\
         pub mod models;\n",
        ops.len(),
        rows.len(),
        patch_example(&g, &ops)
    );
    if files.contains_key("ops/mod.rs") {
        root.push_str("pub mod ops;\n");
    }
    if files.contains_key("namespaces.rs") {
        root.push_str("pub mod namespaces;\npub use namespaces::Api;\n");
    }
    files.insert("mod.rs".to_owned(), root);
    // Paths relative to the `api/` crate: the library modules under `src/generated/`, the
    // table-driven tests as integration tests (`tests/generated_*.rs`, one compile of the lib).
    let files = files
        .into_iter()
        .map(
            |(k, v)| match k.strip_suffix(".rs").and_then(|k| k.strip_prefix("tests_")) {
                _ if k.starts_with("tests/") => (format!("api/{k}"), v),
                Some(rest) => (
                    format!("api/tests/generated_{}.rs", rest.trim_start_matches('_')),
                    v,
                ),
                None => (format!("api/src/generated/{k}"), v),
            },
        )
        .chain([(SURFACE_NAMES_TEST.to_owned(), surface_names)])
        .collect();
    Ok(files)
}

/// Hex SHA-256 of the spec (the fingerprint in generated file headers).
fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(data)
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

fn parse_surface(text: &str) -> Result<Vec<Row>, String> {
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let c: Vec<&str> = line.split('\t').collect();
        if c.len() < 6 {
            return Err(format!("surface.tsv line {}: expected 7 columns", i + 1));
        }
        rows.push(Row {
            op_id: c[0].to_owned(),
            namespace: c[3].to_owned(),
            method: c[4].to_owned(),
            pager: c[5].to_owned(),
            notes: c.get(6).copied().unwrap_or("").to_owned(),
        });
    }
    Ok(rows)
}

// ---------------------------------------------------------------- operations IR

fn fastapi_strip(id: &str, path: &str, method: &str) -> String {
    let sub: String = path
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let suffix = format!("{sub}_{method}");
    id.strip_suffix(&suffix)
        .filter(|x| !x.is_empty())
        .unwrap_or(id)
        .to_owned()
}

fn build_ops(g: &mut Gen, raw: &[(String, String, Value)], rows: &[Row]) -> Vec<Op> {
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

// ---------------------------------------------------------------- emit: models

const SHARED_PRELUDE: &str = r####"
use serde::{Deserialize, Serialize};

pub use amigo_platform_core::patch::Patch;

/// Defines a forward-compatible string enum: a unit variant per known value plus
/// `Unknown(String)`, with `as_str`, `From<&str>`, `Display`, hand-written serde and the
/// query-string conversion. Unseen values round-trip unchanged.
macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $value:literal,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vm])* $variant,)*
            /// A value this SDK version does not know, kept verbatim.
            Unknown(String),
        }

        impl $name {
            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $value,)*
                    Self::Unknown(s) => s,
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $($value => Self::$variant,)*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                match s.as_str() {
                    $($value => Self::$variant,)*
                    _ => Self::Unknown(s),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                String::deserialize(d).map(Self::from)
            }
        }

        impl From<$name> for amigo_platform_core::query::QueryValue {
            fn from(v: $name) -> Self {
                amigo_platform_core::query::QueryValue::Str(v.as_str().to_owned())
            }
        }
    };
}
pub(crate) use string_enum;

/// Every `PaginatedResponse_<T>_` schema: a token-paged list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    /// `items`.
    #[serde(default = "Vec::new")]
    pub items: Vec<T>,
    /// `has_more`.
    #[serde(default)]
    pub has_more: bool,
    /// `continuation_token`: the next offset, or null.
    #[serde(default)]
    pub continuation_token: Option<i64>,
    /// `total`.
    #[serde(default)]
    pub total: Option<i64>,
}

/// An `integer | string` value (integers first).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum IntOrString {
    /// An integer.
    Int(i64),
    /// A string.
    String(String),
}

impl From<i64> for IntOrString {
    fn from(v: i64) -> Self {
        IntOrString::Int(v)
    }
}
impl From<i32> for IntOrString {
    fn from(v: i32) -> Self {
        IntOrString::Int(v.into())
    }
}
impl From<&str> for IntOrString {
    fn from(v: &str) -> Self {
        IntOrString::String(v.to_owned())
    }
}
impl From<String> for IntOrString {
    fn from(v: String) -> Self {
        IntOrString::String(v)
    }
}
impl std::fmt::Display for IntOrString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IntOrString::Int(i) => write!(f, "{i}"),
            IntOrString::String(s) => f.write_str(s),
        }
    }
}
impl From<IntOrString> for amigo_platform_core::query::QueryValue {
    fn from(v: IntOrString) -> Self {
        match v {
            IntOrString::Int(i) => amigo_platform_core::query::QueryValue::Int(i),
            IntOrString::String(s) => amigo_platform_core::query::QueryValue::Str(s),
        }
    }
}

/// A `number | string` value (numbers first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum NumberOrString {
    /// A number.
    Number(f64),
    /// A string.
    String(String),
}

impl From<f64> for NumberOrString {
    fn from(v: f64) -> Self {
        NumberOrString::Number(v)
    }
}
impl From<&str> for NumberOrString {
    fn from(v: &str) -> Self {
        NumberOrString::String(v.to_owned())
    }
}
impl From<String> for NumberOrString {
    fn from(v: String) -> Self {
        NumberOrString::String(v)
    }
}
impl std::fmt::Display for NumberOrString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NumberOrString::Number(n) => f.write_str(&amigo_platform_core::query::format_float(*n)),
            NumberOrString::String(s) => f.write_str(s),
        }
    }
}
impl From<NumberOrString> for amigo_platform_core::query::QueryValue {
    fn from(v: NumberOrString) -> Self {
        match v {
            NumberOrString::Number(n) => amigo_platform_core::query::QueryValue::Float(n),
            NumberOrString::String(s) => amigo_platform_core::query::QueryValue::Str(s),
        }
    }
}

/// A file part of a multipart body: name, content type and bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct FilePart {
    /// The file name sent in `Content-Disposition`.
    pub filename: String,
    /// The part's content type, e.g. `audio/ogg`.
    pub content_type: String,
    /// The file bytes.
    pub data: bytes::Bytes,
}

impl FilePart {
    /// A file part.
    pub fn new(filename: impl Into<String>, content_type: impl Into<String>, data: impl Into<bytes::Bytes>) -> Self {
        FilePart { filename: filename.into(), content_type: content_type.into(), data: data.into() }
    }
}
"####;

fn emit_models(g: &Gen, header: &str, files: &mut BTreeMap<String, String>) {
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
            o.push_str("//! Shared models, helper types and the `string_enum!` macro.\n");
            o.push_str(SHARED_PRELUDE);
            o.push_str("#[allow(unused_imports)]\nuse super::*;\n\n");
        } else {
            let _ = writeln!(o, "//! Models of the `{m}` tag.\n");
            o.push_str("#[allow(unused_imports)]\nuse super::*;\n#[allow(unused_imports)]\nuse super::shared::string_enum;\n#[allow(unused_imports)]\nuse serde::{Deserialize, Serialize};\n\n");
        }
        for d in g.modules.get(m).into_iter().flatten() {
            emit_def(g, d, &mut o);
        }
        files.insert(format!("models/{m}.rs"), o);
    }
}

fn defaultable(t: &Ty) -> bool {
    matches!(
        t,
        Ty::Opt(_) | Ty::Patch(_) | Ty::Vec(_) | Ty::Map(_) | Ty::Obj
    )
}

fn emit_def(g: &Gen, d: &Def, o: &mut String) {
    match d {
        Def::Alias { name, doc, ty } => {
            let _ = writeln!(o, "/// {doc}\npub type {name} = {};\n", ty.rs(""));
        }
        Def::Enum { name, doc, values } => {
            let doc = if doc.is_empty() {
                format!("Inline string enum `{name}`.")
            } else {
                doc.clone()
            };
            let _ = writeln!(o, "string_enum! {{\n    /// {doc}\n    {name} {{");
            let mut seen = HashSet::new();
            for v in values {
                let var = variant(v);
                assert!(
                    seen.insert(var.clone()) && var != "Unknown",
                    "enum {name}: variant collision {var}"
                );
                let _ = writeln!(
                    o,
                    "        /// `{}`\n        {var} = {:?},",
                    v.replace('`', "'"),
                    v
                );
            }
            o.push_str("    }\n}\n\n");
        }
        Def::Union {
            name,
            doc,
            tag,
            variants,
            ser,
            de,
        } => {
            let doc = if doc.is_empty() {
                format!("Inline discriminated union `{name}`.")
            } else {
                doc.clone()
            };
            let _ = writeln!(
                o,
                "/// {doc} Discriminator `{tag}`; unknown tags are kept in `Unknown`.\n#[derive(Debug, Clone, PartialEq)]\n#[non_exhaustive]\npub enum {name} {{"
            );
            for (v, tv, t) in variants {
                let _ = writeln!(o, "    /// `{tag}` = `{tv}`.\n    {v}({}),", t.rs(""));
            }
            o.push_str("    /// A member this SDK version does not know, kept as JSON.\n    Unknown(serde_json::Value),\n}\n\n");
            if *de {
                let _ = writeln!(
                    o,
                    "impl<'de> Deserialize<'de> for {name} {{\n    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {{\n        let v = serde_json::Value::deserialize(d)?;\n        let r = match v.get({tag:?}).and_then(serde_json::Value::as_str) {{"
                );
                for (v, tv, _) in variants {
                    let _ = writeln!(
                        o,
                        "            Some({tv:?}) => serde_json::from_value(v).map(Self::{v}),"
                    );
                }
                o.push_str("            _ => return Ok(Self::Unknown(v)),\n        };\n        r.map_err(serde::de::Error::custom)\n    }\n}\n\n");
            }
            if *ser {
                let _ = writeln!(
                    o,
                    "impl Serialize for {name} {{\n    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {{\n        match self {{"
                );
                for (v, _, _) in variants {
                    let _ = writeln!(o, "            Self::{v}(x) => x.serialize(s),");
                }
                o.push_str(
                    "            Self::Unknown(v) => v.serialize(s),\n        }\n    }\n}\n\n",
                );
            }
        }
        Def::Struct {
            name,
            doc,
            fields,
            extra,
            ser,
            de,
            multipart,
        } => {
            let phi = fields.iter().any(|f| f.phi || f.secret);
            let dflt = derives_default(fields, *multipart);
            let mut derives = vec![];
            if !phi {
                derives.push("Debug");
            }
            derives.push("Clone");
            derives.push("PartialEq");
            if dflt {
                derives.push("Default");
            }
            if *ser {
                derives.push("Serialize");
            }
            if *de {
                derives.push("Deserialize");
            }
            let _ = writeln!(o, "/// {doc}");
            if *multipart {
                o.push_str("///\n/// Sent as `multipart/form-data`: file fields as file parts, others as text parts.\n");
            }
            let _ = writeln!(o, "#[derive({})]\npub struct {name} {{", derives.join(", "));
            for f in fields {
                let _ = writeln!(o, "    /// {}", f.doc);
                let serde = *ser || *de;
                let mut attrs = Vec::new();
                if serde && f.ident.trim_start_matches("r#") != f.wire {
                    attrs.push(format!("rename = {:?}", f.wire));
                }
                let mut ty = f.ty.rs("");
                if let Some(c) = &f.konst {
                    if !f.required && *de {
                        let fname = format!("{}_{}", snake(name), f.ident.trim_start_matches("r#"));
                        attrs.push(format!("default = \"const_{fname}\""));
                    }
                    ty = const_rust(c).0.into();
                } else if !f.required && serde {
                    attrs.push("default".into());
                    if *ser {
                        attrs.push(if matches!(f.ty, Ty::Patch(_)) {
                            "skip_serializing_if = \"Patch::is_unset\"".into()
                        } else {
                            "skip_serializing_if = \"Option::is_none\"".into()
                        });
                    }
                }
                if !attrs.is_empty() {
                    let _ = writeln!(o, "    #[serde({})]", attrs.join(", "));
                }
                let _ = writeln!(o, "    pub {}: {ty},", f.ident);
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
                if let (Some(c), false, true) = (&f.konst, f.required, *de) {
                    let fname = format!("{}_{}", snake(name), f.ident.trim_start_matches("r#"));
                    let (t, v) = const_rust(c);
                    let _ = writeln!(o, "fn const_{fname}() -> {t} {{\n    {v}\n}}\n");
                }
            }
            if phi {
                let _ = writeln!(
                    o,
                    "impl std::fmt::Debug for {name} {{\n    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {{\n        f.debug_struct({name:?})"
                );
                for f in fields {
                    if f.phi || f.secret {
                        let _ = writeln!(o, "            .field({:?}, &format_args!(\"{{}}\", amigo_platform_core::redact::REDACTED))", f.wire);
                    } else if is_url_field(f) && matches!(f.ty, Ty::Opt(_)) {
                        let _ = writeln!(o, "            .field({:?}, &self.{}.as_deref().map(|u| amigo_platform_core::redact::redact_url(u, None)))", f.wire, f.ident);
                    } else if is_url_field(f) {
                        let _ = writeln!(o, "            .field({:?}, &amigo_platform_core::redact::redact_url(&self.{}, None))", f.wire, f.ident);
                    } else {
                        let _ = writeln!(o, "            .field({:?}, &self.{})", f.wire, f.ident);
                    }
                }
                if extra.is_some() {
                    o.push_str("            .field(\"extra\", &self.extra)\n");
                }
                o.push_str("            .finish()\n    }\n}\n\n");
            }
            if *ser {
                if !dflt {
                    emit_body_new(name, fields, extra.is_some(), o);
                }
                emit_body_setters(name, fields, o);
            }
            let _ = g;
        }
    }
}

/// A doc example of tri-state fields on the first PATCH (else PUT) body whose fields are all optional
/// and which has two string-typed tri-state fields (empty if none does).
fn patch_example(g: &Gen, ops: &[Op]) -> String {
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
             //! // The same as a struct literal:\n\
             //! let same = {sn} {{ {}: Patch::Value(\"Ada\".into()), {}: Patch::Null, ..Default::default() }};\n\
             //! assert_eq!(body, same);\n\
             //! # Ok::<(), serde_json::Error>(())\n//! ```\n",
            op.method, op.path, op.id, a.wire, b.wire, a.ident, b.ident
        );
    }
    String::new()
}

/// The setter of field `ident`: the field's name, or `set_` + it where an inherent method of
/// that name would shadow a derived trait's (`Type::default()`, `x.clone()`).
fn setter_name(ident: &str) -> String {
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
fn const_rust(c: &Value) -> (&'static str, String) {
    match c {
        Value::Bool(b) => ("bool", b.to_string()),
        other => (
            "String",
            format!("{:?}.to_owned()", other.as_str().unwrap_or_default()),
        ),
    }
}

fn derives_default(fields: &[Field], multipart: bool) -> bool {
    !multipart
        && fields
            .iter()
            .all(|f| f.konst.is_none() && defaultable(&f.ty))
}

/// `new(required..)` for a request-side model that cannot derive `Default`: its required
/// fields as arguments (at most six; more read better as a struct literal), constants set,
/// optional fields unset. Skipped when a field is itself named `new`.
fn emit_body_new(name: &str, fields: &[Field], extra: bool, o: &mut String) {
    let req: Vec<&Field> = fields
        .iter()
        .filter(|f| f.required && f.konst.is_none())
        .collect();
    if req.len() > 6 || fields.iter().any(|f| f.ident == "new") {
        return;
    }
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
    if args.is_empty() {
        // Only constants and optional fields: the constants are the default.
        let _ = writeln!(
            o,
            "impl Default for {name} {{\n    /// Constants set, optional fields unset.\n    fn default() -> Self {{\n        {name} {{ {} }}\n    }}\n}}\n",
            inits.join(", ")
        );
        return;
    }
    let _ = writeln!(
        o,
        "impl {name} {{\n    /// The model with its required fields; optional ones unset.\n    #[inline]\n    pub fn new({}) -> Self {{\n        {name} {{ {} }}\n    }}\n}}\n",
        args.join(", "),
        inits.join(", ")
    );
}

/// Chainable setters for the optional fields of a request-side model, through the
/// `body_setters!` macro of `api/src/macros.rs`: `field(v)` for every optional field, plus
/// `clear_field()` (send `null`) for the tri-state ones.
fn emit_body_setters(name: &str, fields: &[Field], o: &mut String) {
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

// ---------------------------------------------------------------- emit: operations

fn param_field_ty(p: &Param) -> String {
    let t = p.ty.rs("m::");
    if p.required || p.konst.is_some() || matches!(p.ty, Ty::Vec(_)) {
        t
    } else {
        format!("Option<{t}>")
    }
}

/// Argument type and conversion expression for a value of type `t` passed as `name`.
fn arg_of(t: &Ty, name: &str) -> (String, String) {
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
struct Arg {
    name: String,
    field: String,
    /// Type in `new()`.
    ty: String,
    /// Type in the namespace method and the conversion into the `new()` type.
    ns_ty: String,
    ns_conv: String,
}

fn op_args(op: &Op) -> Vec<Arg> {
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
                ty: "bytes::Bytes".into(),
                ns_ty: "impl Into<bytes::Bytes>".into(),
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

fn out_ty(g: &Gen, op: &Op) -> (String, &'static str) {
    let _ = g;
    match &op.out {
        OutKind::Unit => ("()".into(), "amigo_platform_core::parse::unit"),
        OutKind::Json(t) => (t.rs("m::"), "amigo_platform_core::parse::json"),
        OutKind::OptJson(t) => (
            format!("Option<{}>", t.rs("m::")),
            "amigo_platform_core::parse::optional_json",
        ),
        OutKind::Binary => (
            "amigo_platform_core::parse::Binary".into(),
            "amigo_platform_core::parse::binary",
        ),
        OutKind::OptBinary => (
            "Option<amigo_platform_core::parse::Binary>".into(),
            "amigo_platform_core::parse::optional_binary",
        ),
    }
}

fn find_struct<'g>(g: &'g Gen, name: &str) -> Option<(&'g Vec<Field>, bool)> {
    g.modules.values().flatten().find_map(|d| match d {
        Def::Struct {
            name: n, fields, ..
        } if n == name => Some((fields, true)),
        _ => None,
    })
}

fn emit_ops(g: &Gen, ops: &[Op], header: &str, files: &mut BTreeMap<String, String>) {
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
            "{header}//! Operations of the `{m}` tag.\n\n#[allow(unused_imports)]\nuse amigo_platform_core::body::{{Body, Multipart}};\n\
             #[allow(unused_imports)]\nuse amigo_platform_core::query::Query;\n#[allow(unused_imports)]\nuse crate::generated::models as m;\n\n"
        );
        for op in list {
            emit_op(g, op, &mut o);
        }
        files.insert(format!("ops/{m}.rs"), o);
    }
}

/// The `Debug` of an operation with secret parameters: those print `[REDACTED]`, a raw body
/// prints its length, everything else as derived.
fn emit_op_debug(op: &Op, o: &mut String) {
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
                "            .field({id:?}, &format_args!(\"{{}}\", amigo_platform_core::redact::REDACTED))"
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
            o.push_str("            .field(\"body\", &format_args!(\"<{} bytes>\", self.body.len()))\n            .field(\"content_type\", &self.content_type)\n");
        }
    }
    o.push_str("            .finish()\n    }\n}\n\n");
}

fn emit_op(g: &Gen, op: &Op, o: &mut String) {
    let name = &op.pascal;
    let args = op_args(op);
    let all_optional = args.is_empty();
    let redacting = op.params.iter().any(|p| p.secret);
    let _ = writeln!(
        o,
        "/// Operation `{}`: `{} {}`.{}\n#[derive({}Clone, PartialEq{})]\npub struct {name} {{",
        op.id,
        op.method,
        op.path,
        if redacting {
            "\n///\n/// `Debug` hides the secret parameters and shows a raw body as its length."
        } else {
            ""
        },
        if redacting { "" } else { "Debug, " },
        if all_optional && op.params.iter().all(|p| p.konst.is_none()) {
            ", Default"
        } else {
            ""
        }
    );
    if let Some(req) = op.target_ws {
        let _ =
            writeln!(
            o,
            "    /// Path `workspace_id`: the target workspace ({}).\n    pub workspace_id: {},",
            if req { "required" } else { "`None` = the configured workspace" },
            if req { "String" } else { "Option<String>" }
        );
    }
    for p in &op.params {
        if p.wire == "workspace_id" && p.loc == Loc::Path {
            continue;
        }
        let _ = writeln!(
            o,
            "    /// {}\n    pub {}: {},",
            p.doc,
            p.ident,
            param_field_ty(p)
        );
    }
    match &op.body {
        BodyKind::None => {}
        BodyKind::Json { ty, required } => {
            let t = ty.rs("m::");
            let _ = writeln!(
                o,
                "    /// JSON body.\n    pub body: {},",
                if *required { t } else { format!("Option<{t}>") }
            );
        }
        BodyKind::Multipart { ty } => {
            let _ = writeln!(
                o,
                "    /// Multipart body.\n    pub body: {},",
                ty.rs("m::")
            );
        }
        BodyKind::Raw => {
            o.push_str("    /// Raw body bytes, sent unchanged.\n    pub body: bytes::Bytes,\n    /// The body's `Content-Type`.\n    pub content_type: String,\n");
        }
    }
    o.push_str("}\n\n");
    if redacting {
        emit_op_debug(op, o);
    }

    // new()
    let _ = writeln!(
        o,
        "impl {name} {{\n    /// The operation with its required parameters; optional ones unset."
    );
    let sig: Vec<String> = args
        .iter()
        .map(|a| format!("{}: {}", a.name, a.ty))
        .collect();
    let _ = writeln!(
        o,
        "    pub fn new({}) -> Self {{\n        {name} {{",
        sig.join(", ")
    );
    let mut set: HashSet<String> = HashSet::new();
    for a in &args {
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
        if set.contains(&p.ident) || (p.wire == "workspace_id" && p.loc == Loc::Path) {
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

    // Operation impl, through the compact `operation!` macro of `api/src/macros.rs`.
    let (out, parse) = out_ty(g, op);
    let accept = if matches!(op.out, OutKind::Binary | OutKind::OptBinary) {
        "*/*"
    } else {
        "application/json"
    };
    let _ = writeln!(
        o,
        "operation!({name}, {}, {:?}, {:?}, {accept:?}, {out}, {parse}, |s, p| {{",
        op.method, op.path, op.id
    );
    let outer = std::mem::take(o);
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
        o.push_str("        if let Some(w) = &self.workspace_id {\n            p = p.path(\"workspace_id\", w);\n        }\n");
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
        if p.required {
            let _ = writeln!(o, "        p = p.header({:?}, &self.{})?;", p.wire, p.ident);
        } else {
            let _ = writeln!(o, "        if let Some(v) = &self.{} {{\n            p = p.header({:?}, v)?;\n        }}", p.ident, p.wire);
        }
    }
    match &op.body {
        BodyKind::None => {}
        BodyKind::Json { required: true, .. } => o.push_str("        p = p.body(Body::json(&self.body)?);\n"),
        BodyKind::Json { required: false, .. } => {
            o.push_str("        if let Some(b) = &self.body {\n            p = p.body(Body::json(b)?);\n        }\n")
        }
        BodyKind::Raw => o.push_str(
            "        p = p.body(Body::Raw { bytes: self.body.clone(), content_type: self.content_type.clone() });\n",
        ),
        BodyKind::Multipart { ty } => {
            let Ty::Named(sn) = ty else { panic!("{}: multipart body must be a named schema", op.id) };
            let (fields, _) = find_struct(g, sn).expect("multipart struct");
            o.push_str("        let mut mp = Multipart::new();\n");
            for f in fields {
                let inner = f.ty.strip_opt();
                let push = if *inner == Ty::File {
                    "mp = mp.file(NAME, v.filename.clone(), v.content_type.clone(), v.data.clone());".to_owned()
                } else {
                    "mp = mp.text(NAME, v.to_string());".to_owned()
                }
                .replace("NAME", &format!("{:?}", f.wire));
                if matches!(f.ty, Ty::Opt(_)) {
                    let _ = writeln!(o, "        if let Some(v) = &self.body.{} {{\n            {push}\n        }}", f.ident);
                } else {
                    let _ = writeln!(o, "        {{\n            let v = &self.body.{};\n            {push}\n        }}", f.ident);
                }
            }
            o.push_str("        p = p.body(Body::Multipart(mp));\n");
        }
    }
    let body = std::mem::replace(o, outer).replace("self.", "s.");
    o.push_str(&body);
    o.push_str("});\n\n");

    // Paginated
    if let Some((kind, field)) = &op.pager {
        emit_pager(g, op, *kind, field, o);
    }

    // Call setters for optional parameters.
    let optional: Vec<&Param> = op
        .params
        .iter()
        .filter(|p| {
            !p.required && p.konst.is_none() && !(p.wire == "workspace_id" && p.loc == Loc::Path)
        })
        .collect();
    let opt_body = matches!(
        op.body,
        BodyKind::Json {
            required: false,
            ..
        }
    );
    if !optional.is_empty() || opt_body {
        let _ = writeln!(o, "setters! {{ {name} {{");
        for p in optional {
            let setter = &p.ident;
            let (ty, conv) = arg_of(&p.ty, "v");
            let wrap = if matches!(p.ty, Ty::Vec(_)) {
                conv
            } else {
                format!("Some({conv})")
            };
            let _ = writeln!(
                o,
                "    /// Sets {}\n    {setter}(v: {ty}) => {wrap};",
                p.doc
                    .replacen(char::is_uppercase, &p.doc[..1].to_lowercase(), 1),
            );
        }
        if let BodyKind::Json {
            ty,
            required: false,
        } = &op.body
        {
            let _ = writeln!(
                o,
                "    /// Sets the optional JSON body.\n    body(v: {}) => Some(v);",
                ty.rs("m::")
            );
        }
        o.push_str("}}\n\n");
    }
}

fn emit_pager(g: &Gen, op: &Op, kind: Pager, field: &str, o: &mut String) {
    let name = &op.pascal;
    let cursor_param = if kind == Pager::Token {
        "continuation_token"
    } else {
        "offset"
    };
    let Some(cp) = op
        .params
        .iter()
        .find(|p| p.wire == cursor_param && p.loc == Loc::Query)
    else {
        panic!("{}: pager needs query `{cursor_param}`", op.id);
    };
    assert!(
        cp.ty == Ty::Int && !cp.required,
        "{}: cursor `{cursor_param}` must be an optional integer",
        op.id
    );
    let (out, item, body) = match &op.out {
        OutKind::Json(Ty::Page(inner)) => {
            assert_eq!(field, "items");
            (
                format!("m::Page<{}>", inner.rs("m::")),
                inner.rs("m::"),
                "PageData { items: o.items, has_more: Some(o.has_more), next_cursor: o.continuation_token, total: o.total, offset: None }".to_owned(),
            )
        }
        OutKind::Json(Ty::Named(sn)) => {
            let (fields, _) = find_struct(g, sn)
                .unwrap_or_else(|| panic!("{}: pager output `{sn}` is not a struct", op.id));
            let get = |w: &str| fields.iter().find(|f| f.wire == w);
            let list = get(field).unwrap_or_else(|| panic!("{}: no list field `{field}`", op.id));
            let (item, items) = match &list.ty {
                Ty::Vec(t) => (t.rs("m::"), format!("o.{}", list.ident)),
                Ty::Opt(v) => match &**v {
                    Ty::Vec(t) => (t.rs("m::"), format!("o.{}.unwrap_or_default()", list.ident)),
                    other => panic!("{}: list field type {other:?}", op.id),
                },
                other => panic!("{}: list field type {other:?}", op.id),
            };
            let opt_of = |w: &str, want: Ty| -> String {
                match get(w) {
                    Some(f) if f.ty == want => format!("Some(o.{})", f.ident),
                    Some(f) if f.ty == Ty::Opt(Box::new(want.clone())) => format!("o.{}", f.ident),
                    Some(f) => panic!("{}: field `{w}` has type {:?}", op.id, f.ty),
                    None => "None".into(),
                }
            };
            let next = match kind {
                Pager::Token => opt_of("continuation_token", Ty::Int),
                Pager::NextOffset => opt_of("next_offset", Ty::Int),
                Pager::DerivedOffset => "None".into(),
            };
            let offset = if kind == Pager::DerivedOffset {
                opt_of("offset", Ty::Int)
            } else {
                "None".into()
            };
            (
                format!("m::{sn}"),
                item,
                format!(
                    "PageData {{ items: {items}, has_more: {}, next_cursor: {next}, total: {}, offset: {offset} }}",
                    opt_of("has_more", Ty::Bool),
                    opt_of("total", Ty::Int)
                ),
            )
        }
        other => panic!("{}: unsupported pager output {other:?}", op.id),
    };
    let kind_s = match kind {
        Pager::Token => "Token",
        Pager::NextOffset => "NextOffset",
        Pager::DerivedOffset => "DerivedOffset",
    };
    let _ = writeln!(
        o,
        "paginated!({name}, {kind_s}, {c}, {item}, {out}, |o| {body});\n",
        c = cp.ident
    );
}

fn ns_struct(path: &str) -> String {
    if path.is_empty() {
        "Api".into()
    } else {
        pascal(&path.replace('.', "_"))
    }
}

fn emit_namespaces(ops: &[Op], rows: &[Row], header: &str, files: &mut BTreeMap<String, String>) {
    let by_id: HashMap<&str, &Op> = ops.iter().map(|o| (o.id.as_str(), o)).collect();
    // namespace path → rows; make every ancestor exist.
    let mut tree: BTreeMap<String, Vec<&Row>> = BTreeMap::new();
    tree.insert(String::new(), Vec::new());
    for r in rows {
        let mut p = r.namespace.as_str();
        tree.entry(p.to_owned()).or_default().push(r);
        while let Some((parent, _)) = p.rsplit_once('.') {
            tree.entry(parent.to_owned()).or_default();
            p = parent;
        }
    }
    // The namespace table of the module docs.
    let mut table = String::from(
        "//!\n//! ## Namespaces\n//!\n\
         //! | namespace | accessor | operations | methods |\n//! |---|---|---:|---|\n",
    );
    for (path, list) in tree.iter().filter(|(p, _)| !p.is_empty()) {
        let accessor: String = path
            .split('.')
            .map(|s| format!(".{}()", ident(s)))
            .collect();
        let methods: Vec<String> = list
            .iter()
            .map(|r| {
                let paged = by_id
                    .get(r.op_id.as_str())
                    .is_some_and(|op| op.pager.is_some());
                format!("`{}`{}", r.method, if paged { "\\*" } else { "" })
            })
            .collect();
        let _ = writeln!(
            table,
            "//! | [`{path}`]({}) | `client.api(){accessor}` | {} | {} |",
            ns_struct(path),
            list.len(),
            if methods.is_empty() {
                "—".to_owned()
            } else {
                methods.join(", ")
            }
        );
    }
    let _ = writeln!(
        table,
        "//!\n//! {} namespaces, {} methods over {} operations; `*`: auto-paging (also \
         `<method>_auto_paging`).",
        tree.len() - 1,
        rows.len(),
        ops.len()
    );
    let mut o = format!(
        "{header}//! Generated namespaces: `client.api().<namespace>()…<method>(…)` returns a [`Call`].\n{table}\n\
         use crate::call::Call;\nuse amigo_platform_core::client::{{AutoPaging, Transport, Scope}};\nuse crate::generated::models as m;\n\
         use crate::generated::ops;\nuse amigo_platform_core::options::RequestOptions;\n\n"
    );
    let paths: Vec<String> = tree.keys().cloned().collect();
    for path in &paths {
        let sname = ns_struct(path);
        let label = if path.is_empty() {
            "The root of the generated namespaces.".to_owned()
        } else {
            format!("Namespace `{path}`.")
        };
        let _ = writeln!(
            o,
            "/// {label}\n#[derive(Debug, Clone)]\npub struct {sname}<'c, E> {{\n    scope: Scope<'c, E>,\n}}\n\n\
             impl<'c, E: Transport> {sname}<'c, E> {{\n    /// Wraps a scope.\n    pub fn new(scope: Scope<'c, E>) -> Self {{\n        Self {{ scope }}\n    }}\n\n    \
             /// A copy of this namespace whose calls also apply `options`.\n    pub fn with_options(&self, options: RequestOptions) -> Self {{\n        Self {{ scope: self.scope.with_options(options) }}\n    }}\n"
        );
        // children
        for child in &paths {
            let parent = child
                .rsplit_once('.')
                .map(|(p, _)| p)
                .unwrap_or(if child.is_empty() { "-" } else { "" });
            if parent == path && !child.is_empty() {
                let last = child.rsplit('.').next().unwrap();
                let _ = writeln!(
                    o,
                    "    /// Namespace `{child}`.\n    pub fn {}(&self) -> {}<'c, E> {{\n        {}::new(self.scope.clone())\n    }}\n",
                    ident(last),
                    ns_struct(child),
                    ns_struct(child)
                );
            }
        }
        for r in &tree[path] {
            let op = by_id[r.op_id.as_str()];
            let args = op_args(op);
            let sig: Vec<String> = args
                .iter()
                .map(|a| format!("{}: {}", a.name, a.ns_ty))
                .collect();
            let conv: Vec<String> = args.iter().map(|a| a.ns_conv.clone()).collect();
            let names: Vec<String> = args.iter().map(|a| a.name.clone()).collect();
            let ty = format!("ops::{}::{}", op.module, op.pascal);
            let m = ident(&r.method);
            let note = if r.notes.is_empty() {
                String::new()
            } else {
                format!(
                    "\n    ///\n    /// Notes: {}",
                    without_design_refs(&r.notes)
                        .replace('\n', " ")
                        .replace('[', "\\[")
                        .replace(']', "\\]")
                        .replace('<', "\\<")
                )
            };
            let _ = writeln!(
                o,
                "    /// `{} {}` (`{}`).{note}\n    pub fn {m}(&self{}{}) -> Call<'c, E, {ty}> {{\n        Call::new(self.scope.pending({ty}::new({})))\n    }}\n",
                op.method,
                op.path,
                op.id,
                if sig.is_empty() { "" } else { ", " },
                sig.join(", "),
                conv.join(", ")
            );
            if op.pager.is_some() {
                let _ = writeln!(
                    o,
                    "    /// `{} {}` (`{}`), every page: yields items.\n    pub fn {}_auto_paging(&self{}{}) -> Call<'c, E, {ty}, AutoPaging> {{\n        self.{m}({}).auto_paging()\n    }}\n",
                    op.method,
                    op.path,
                    op.id,
                    r.method,
                    if sig.is_empty() { "" } else { ", " },
                    sig.join(", "),
                    names.join(", ")
                );
            }
        }
        o.push_str("}\n\n");
    }
    o.push_str("#[allow(unused_imports)]\nuse m as _;\n");
    files.insert("namespaces.rs".into(), o);
}

fn find_def<'g>(g: &'g Gen, name: &str) -> Option<&'g Def> {
    g.modules.values().flatten().find(|d| d.name() == name)
}

/// A sample Rust expression of type `t` (tests only).
fn sample(g: &Gen, t: &Ty, depth: usize) -> String {
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
            Some(Def::Struct { fields, extra, .. }) => {
                assert!(depth < 12, "sample recursion at {n}");
                let mut s = format!("m::{n} {{ ");
                for f in fields {
                    let v = match &f.konst {
                        Some(Value::Bool(b)) => b.to_string(),
                        Some(c) => format!("{:?}.to_owned()", c.as_str().unwrap_or_default()),
                        None => sample(g, &f.ty, depth + 1),
                    };
                    let _ = write!(s, "{}: {v}, ", f.ident);
                }
                if extra.is_some() {
                    s.push_str("extra: Default::default(), ");
                }
                s.push('}');
                s
            }
            None => panic!("no model `{n}`"),
        },
    }
}

/// Percent-encodes like the core's `encode_component` (everything but unreserved characters).
fn enc(v: &str) -> String {
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
fn query_sample(g: &Gen, t: &Ty) -> (String, Vec<String>) {
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
fn sample_new_args(g: &Gen, op: &Op) -> (Vec<String>, String, BTreeMap<String, Vec<String>>) {
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
            "bytes::Bytes::from_static(b\"{}\")".to_owned()
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

fn emit_tests(g: &Gen, ops: &[Op], header: &str, files: &mut BTreeMap<String, String>) {
    let mut o = format!(
        "{header}//! Table-driven request tests: every operation, built with sample arguments (every optional\n\
         //! query parameter set) and prepared, gives the right method, path (percent-encoded), query,\n\
         //! content type and `Accept`.\n\n\
         #![allow(unused_mut, clippy::redundant_clone, clippy::clone_on_copy, clippy::needless_borrows_for_generic_args)]\n\n\
         use amigo_platform_api::models as m;\nuse amigo_platform_api::ops;\n\
         use amigo_platform_core::operation::Operation;\n\n\
         #[track_caller]\n\
         fn prepare<O: Operation>(op: &O) -> amigo_platform_core::request::PreparedRequest {{\n    \
         let config = amigo_platform_core::Config::builder().api_key(\"sk-test\").workspace_id(\"ws-test\").base_url(\"https://api.test\").build().unwrap();\n    \
         amigo_platform_core::request::prepare(op, &config, &amigo_platform_core::RequestOptions::new(), None)\n        .unwrap_or_else(|e| panic!(\"{{}}: {{e}}\", op.operation_id()))\n}}\n\n\
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
    );
    let mut tri = String::new();
    let mut set_lines = String::new();
    let mut by_mod: BTreeMap<&str, Vec<&Op>> = BTreeMap::new();
    for op in ops {
        by_mod.entry(op.module.as_str()).or_default().push(op);
    }
    for (module, list) in by_mod {
        let _ = writeln!(o, "#[test]\nfn {module}() {{");
        for op in list {
            let (vals, path, mut qtext) = sample_new_args(g, op);
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
            let new = format!(
                "ops::{}::{}::new({})",
                op.module,
                op.pascal,
                vals.join(", ")
            );
            let value = if sets.is_empty() {
                new
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
                    if find_struct(g, sn).is_some_and(|(fields, _)| derives_default(fields, false))
                    {
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
                    let new = format!(
                        "ops::{}::{}::new({})",
                        op.module,
                        op.pascal,
                        vals.join(", ")
                    );
                    let (base, access) = if *required {
                        (new, "op.body")
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

// ---------------------------------------------------------------- emit: spec-derived examples

/// A string satisfying the spec's `pattern`s (a table: the spec has 23 distinct patterns).
fn pattern_sample(p: &str) -> &'static str {
    match p {
        _ if p.contains("{secret}") => "Bearer {secret}",
        _ if p.starts_with("^\\+1\\d") || p.starts_with("^\\+[1-9]") => "+14155550123",
        _ if p.contains(":[A-Za-z0-9._-]+:") => "a:b:c",
        _ if p.contains("subjective") => "subjective",
        _ if p.contains("[+-]?0*") => "1.5",
        _ if p.contains("[01]\\d|2[0-3]") => "09:30",
        _ if p.contains("\\d{4}-(0[1-9]") => "2024-01",
        _ => "abc",
    }
}

/// A JSON example of schema `v` built from the spec: consts, first enum values, formats,
/// patterns and bounds. `full` adds optional properties (to depth 3); otherwise only required
/// ones (and consts, which the client always writes).
fn example(g: &Gen, v: &Value, full: bool, depth: usize) -> Value {
    use serde_json::json;
    if let Some(r) = s(v, "$ref") {
        let key = r.strip_prefix(REF_PREFIX).unwrap_or(r);
        return example(g, &g.schemas[key], full, depth + 1);
    }
    if let Some(c) = v.get("const") {
        return c.clone();
    }
    if let Some(e) = v.get("enum").and_then(Value::as_array) {
        return e.first().cloned().unwrap_or(Value::Null);
    }
    if let Some(any) = v.get("anyOf").and_then(Value::as_array) {
        return any
            .iter()
            .find(|x| s(x, "type") != Some("null"))
            .map(|x| example(g, x, full, depth))
            .unwrap_or(Value::Null);
    }
    if let Some(d) = v.get("discriminator") {
        let tag = s(d, "propertyName").unwrap_or_default();
        if let Some((tv, r)) = d
            .get("mapping")
            .and_then(Value::as_object)
            .and_then(|m| m.iter().next())
        {
            let key = r.as_str().unwrap_or_default();
            let key = key.strip_prefix(REF_PREFIX).unwrap_or(key);
            let mut ex = example(g, &g.schemas[key], full, depth + 1);
            if let Some(o) = ex.as_object_mut() {
                o.insert(tag.to_owned(), Value::String(tv.clone()));
            }
            return ex;
        }
    }
    let num = |k: &str| v.get(k).and_then(Value::as_f64);
    match s(v, "type") {
        Some("string") => {
            let mut t = match s(v, "format") {
                Some("uuid") => "3fa85f64-5717-4562-b3fc-2c963f66afa6".to_owned(),
                Some("date-time") => "2024-01-02T03:04:05Z".to_owned(),
                Some("date") => "2024-01-02".to_owned(),
                Some("email") => "ada@example.com".to_owned(),
                Some("duration") => "PT1S".to_owned(),
                _ => s(v, "pattern")
                    .map(pattern_sample)
                    .unwrap_or("abc")
                    .to_owned(),
            };
            if let Some(min) = num("minLength") {
                while (t.chars().count() as f64) < min {
                    t.push('x');
                }
            }
            if let Some(max) = num("maxLength") {
                t = t.chars().take(max as usize).collect();
            }
            Value::String(t)
        }
        Some("integer") => {
            let mut n = num("minimum")
                .or(num("exclusiveMinimum").map(|x| x + 1.0))
                .unwrap_or(1.0)
                .max(1.0_f64.min(num("maximum").unwrap_or(1.0)));
            if let Some(max) = num("maximum") {
                n = n.min(max);
            }
            json!(n as i64)
        }
        Some("number") => {
            let mut n = num("minimum")
                .map(|m| m + 0.5)
                .or(num("exclusiveMinimum").map(|x| x + 0.5))
                .unwrap_or(1.5);
            if let Some(max) = num("maximum") {
                if n > max {
                    n = num("minimum").unwrap_or(max);
                }
            }
            json!(n)
        }
        Some("boolean") => json!(true),
        Some("array") => {
            let items = v.get("items").cloned().unwrap_or(json!({}));
            let n = num("minItems").unwrap_or(if depth < 4 { 1.0 } else { 0.0 }) as usize;
            Value::Array(
                (0..n)
                    .map(|_| example(g, &items, full, depth + 1))
                    .collect(),
            )
        }
        Some("object") | None => {
            let required: HashSet<&str> = v
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let mut o = serde_json::Map::new();
            for (k, pv) in v
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let is_const = pv.get("const").is_some();
                if required.contains(k.as_str()) || is_const || (full && depth < 3) {
                    o.insert(k.clone(), example(g, pv, full, depth + 1));
                }
            }
            if v.get("properties").is_none() && full {
                if let Some(ap @ Value::Object(m)) = v.get("additionalProperties") {
                    if !m.is_empty() {
                        o.insert("key".into(), example(g, ap, full, depth + 1));
                    }
                }
            }
            Value::Object(o)
        }
        _ => Value::Null,
    }
}

fn raw_str(v: &str) -> String {
    format!("r##\"{v}\"##")
}

/// A Rust expression of type `t` holding the JSON example `v` (request samples).
fn rust_of(g: &Gen, t: &Ty, v: &Value) -> String {
    match t {
        Ty::Str => format!(
            "String::from({:?})",
            v.as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| v.to_string())
        ),
        Ty::Int => format!("{}_i64", v.as_i64().unwrap_or(1)),
        Ty::Float => format!("{:?}_f64", v.as_f64().unwrap_or(1.5)),
        Ty::Bool => v.as_bool().unwrap_or(true).to_string(),
        Ty::Any => format!(
            "serde_json::from_str::<serde_json::Value>({}).unwrap()",
            raw_str(&v.to_string())
        ),
        Ty::Obj => {
            let o = if v.is_object() {
                v.to_string()
            } else {
                "{}".into()
            };
            format!(
                "serde_json::from_str::<serde_json::Map<String, serde_json::Value>>({}).unwrap()",
                raw_str(&o)
            )
        }
        Ty::File => {
            "m::FilePart::new(\"a.ogg\", \"audio/ogg\", bytes::Bytes::from_static(b\"OggS\"))"
                .into()
        }
        Ty::IntOrStr => match v.as_i64() {
            Some(i) => format!("m::IntOrString::Int({i})"),
            None => format!(
                "m::IntOrString::String({:?}.to_owned())",
                v.as_str().unwrap_or("abc")
            ),
        },
        Ty::NumOrStr => match v.as_f64() {
            Some(f) => format!("m::NumberOrString::Number({f:?})"),
            None => format!(
                "m::NumberOrString::String({:?}.to_owned())",
                v.as_str().unwrap_or("abc")
            ),
        },
        Ty::Boxed(t) => format!("Box::new({})", rust_of(g, t, v)),
        Ty::Opt(t) => {
            if v.is_null() {
                "None".into()
            } else {
                format!("Some({})", rust_of(g, t, v))
            }
        }
        Ty::Patch(t) => {
            if v.is_null() {
                "m::Patch::Null".into()
            } else {
                format!("m::Patch::Value({})", rust_of(g, t, v))
            }
        }
        Ty::Vec(t) => {
            let items: Vec<String> = v
                .as_array()
                .into_iter()
                .flatten()
                .map(|x| rust_of(g, t, x))
                .collect();
            format!("vec![{}]", items.join(", "))
        }
        Ty::Map(t) => {
            let items: Vec<String> = v
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, x)| format!("({k:?}.to_owned(), {})", rust_of(g, t, x)))
                .collect();
            format!("[{}].into_iter().collect()", items.join(", "))
        }
        Ty::Page(_) => "Default::default()".into(),
        Ty::Named(n) => match find_def(g, n) {
            Some(Def::Alias { ty, .. }) => rust_of(g, ty, v),
            Some(Def::Enum { .. }) => format!("m::{n}::from({:?})", v.as_str().unwrap_or_default()),
            Some(Def::Union { tag, variants, .. }) => {
                let tv = v.get(tag).and_then(Value::as_str).unwrap_or_default();
                match variants.iter().find(|(_, t, _)| t == tv) {
                    Some((var, _, ty)) => format!("m::{n}::{var}({})", rust_of(g, ty, v)),
                    None => format!(
                        "m::{n}::Unknown(serde_json::from_str({}).unwrap())",
                        raw_str(&v.to_string())
                    ),
                }
            }
            Some(Def::Struct { fields, extra, .. }) => {
                let mut out = format!("m::{n} {{ ");
                for f in fields {
                    let jv = v.get(&f.wire).cloned();
                    let e = match (&f.konst, jv) {
                        (Some(Value::Bool(b)), _) => b.to_string(),
                        (Some(c), _) => format!("{:?}.to_owned()", c.as_str().unwrap_or_default()),
                        // Absent (not `null`) in the example: left out of the request.
                        (None, None) if matches!(f.ty, Ty::Patch(_)) => "m::Patch::Unset".into(),
                        (None, jv) => rust_of(g, &f.ty, &jv.unwrap_or(Value::Null)),
                    };
                    let _ = write!(out, "{}: {e}, ", f.ident);
                }
                if extra.is_some() {
                    out.push_str("extra: Default::default(), ");
                }
                out.push('}');
                out
            }
            None => panic!("no model `{n}`"),
        },
    }
}

/// Decoding tests: for every response-reachable component schema, its spec-derived example
/// decodes, and re-encodes to an equivalent JSON value when the type also serialises; unknown
/// enum values and union tags survive in `Unknown`.
fn emit_decode_tests(g: &Gen, header: &str, files: &mut BTreeMap<String, String>) {
    let mut o = format!(
        "{header}//! Decoding tests: every response schema's spec-derived example (required and optional\n\
         //! properties, consts, first enum values, formats) decodes, and re-encodes to an equivalent\n\
         //! JSON value where the type also serialises; unknown enum values and union tags are kept.\n\n\
         use amigo_platform_api::models as m;\nuse serde_json::Value;\n\n\
         /// Drops null-valued keys (absent and null optionals are the same to the API) and compares\n\
         /// numbers as `f64`.\nfn norm(v: Value) -> Value {{\n    match v {{\n        \
         Value::Object(o) => Value::Object(o.into_iter().filter(|(_, x)| !x.is_null()).map(|(k, x)| (k, norm(x))).collect()),\n        \
         Value::Array(a) => Value::Array(a.into_iter().map(norm).collect()),\n        \
         Value::Number(n) => serde_json::json!(n.as_f64().unwrap()),\n        other => other,\n    }}\n}}\n\n\
         #[track_caller]\nfn decode<T: serde::de::DeserializeOwned>(name: &str, json: &str) -> T {{\n    \
         serde_json::from_str(json).unwrap_or_else(|e| panic!(\"{{name}}: {{e}}\\n{{json}}\"))\n}}\n\n\
         #[track_caller]\nfn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(name: &str, json: &str) {{\n    \
         let v: T = decode(name, json);\n    let back = norm(serde_json::to_value(&v).unwrap());\n    \
         let want = norm(serde_json::from_str(json).unwrap());\n    assert_eq!(back, want, \"{{name}}\");\n}}\n\n"
    );
    let mut by_mod: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut n = 0;
    for (k, v) in g.schemas {
        if g.canon.contains_key(k) || !g.de.contains(k) {
            continue;
        }
        let name = &g.rust[k];
        let module = g.module_of[k].clone();
        let ser = match g.page_of.get(k) {
            Some(inner) => g.ser.contains(inner),
            None => g.ser.contains(k),
        };
        let json = example(g, v, true, 0).to_string();
        let f = if ser { "round_trip" } else { "decode" };
        let line = if ser {
            format!("    {f}::<m::{name}>({k:?}, {});", raw_str(&json))
        } else {
            format!("    let _: m::{name} = {f}({k:?}, {});", raw_str(&json))
        };
        by_mod.entry(module).or_default().push(line);
        n += 1;
    }
    let _ = writeln!(
        o,
        "/// {n} response schemas.\npub const SCHEMAS: usize = {n};\n"
    );
    for (module, lines) in by_mod {
        let _ = writeln!(o, "#[test]\nfn {module}() {{\n{}\n}}\n", lines.join("\n"));
    }
    // Forward compatibility: every string enum and every decodable union.
    o.push_str("#[test]\nfn unknown_enum_values_survive() {\n");
    for d in g.modules.values().flatten() {
        if let Def::Enum { name, .. } = d {
            let _ = writeln!(
                o,
                "    assert_eq!(decode::<m::{name}>({name:?}, \"\\\"zz-new\\\"\"), m::{name}::Unknown(\"zz-new\".into()));"
            );
        }
    }
    o.push_str("}\n\n#[test]\nfn unknown_union_tags_survive() {\n");
    for d in g.modules.values().flatten() {
        if let Def::Union {
            name,
            tag,
            de: true,
            ..
        } = d
        {
            let _ = writeln!(
                o,
                "    let j = r#\"{{\"{tag}\":\"zz.new\",\"x\":1}}\"#;\n    assert_eq!(decode::<m::{name}>({name:?}, j), m::{name}::Unknown(serde_json::from_str(j).unwrap()));"
            );
        }
    }
    o.push_str("}\n");
    files.insert("tests_decode.rs".into(), o);
}

/// Prism conformance cases: every operation with schema-derived arguments (required
/// parameters and body fields, valid formats), as a table the hand-written `tests/prism.rs` runs.
fn emit_prism_cases(g: &Gen, ops: &[Op], header: &str, files: &mut BTreeMap<String, String>) {
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
                        "bytes::Bytes::from_static({}.as_bytes())",
                        raw_str(&ex.to_string())
                    ),
                    None => "bytes::Bytes::new()".to_owned(),
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

/// The surface table's notes without the team's design-note references (`[D14]`, `§2.6`), which
/// mean nothing to a reader of the generated docs.
fn without_design_refs(notes: &str) -> String {
    let mut out = String::with_capacity(notes.len());
    let mut rest = notes;
    while let Some(c) = rest.chars().next() {
        let tail = &rest[c.len_utf8()..];
        if let Some(after) = rest
            .strip_prefix("**[D")
            .or_else(|| rest.strip_prefix("[D"))
        {
            let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            let after = &after[digits..];
            if digits > 0 && after.starts_with(']') {
                rest = after[1..].strip_prefix("**").unwrap_or(&after[1..]);
                continue;
            }
        }
        if let Some(after) = rest.strip_prefix("(§") {
            if let Some(end) = after.find(')') {
                rest = &after[end + 1..];
                continue;
            }
        }
        out.push(c);
        rest = tail;
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------- emit: pager tests

/// `v` with `$ref`s followed and a nullable `anyOf` reduced to its non-null member.
fn deref<'g>(g: &'g Gen, mut v: &'g Value) -> &'g Value {
    // Bounded: the spec's `$ref` chains are short; 16 steps is far beyond any of them.
    for _ in 0..16 {
        if let Some(r) = s(v, "$ref") {
            let key = r.strip_prefix(REF_PREFIX).unwrap_or(r);
            match g.schemas.get(key) {
                Some(next) => v = next,
                None => return v,
            }
        } else if let Some(any) = v.get("anyOf").and_then(Value::as_array) {
            match any.iter().find(|x| s(x, "type") != Some("null")) {
                Some(next) => v = next,
                None => return v,
            }
        } else {
            return v;
        }
    }
    v
}

/// The top-level key of an item example that can carry a per-item marker string and shows in
/// the item's `Debug`: a string (no enum or const; a plain one before a formatted one, which
/// the models also keep as `String`) that is neither sensitive nor a URL. `"marker"` on
/// free-form objects (kept as map entries).
fn marker_key(g: &Gen, item_schema: &Value, item: &Value) -> Option<String> {
    let sch = deref(g, item_schema);
    let props = sch.get("properties").and_then(Value::as_object);
    let Some(props) = props else {
        return item.is_object().then(|| "marker".to_owned());
    };
    let obj = item.as_object()?;
    let pick = |formatted: bool| {
        obj.iter().find_map(|(k, v)| {
            let p = deref(g, props.get(k)?);
            let string = s(p, "type") == Some("string")
                && p.get("enum").is_none()
                && p.get("const").is_none()
                && s(p, "format") != Some("binary")
                && p.get("format").is_some() == formatted;
            let shown = !is_sensitive_key(k)
                && k != "url"
                && !k.ends_with("_url")
                && k != "type"
                && k != "kind";
            (string && shown && v.is_string()).then(|| k.clone())
        })
    };
    pick(false).or_else(|| pick(true))
}

/// Auto-paging tests: one per paginated operation, paging through scripted loopback pages in
/// the operation's own cursor style.
fn emit_pager_tests(g: &Gen, ops: &[Op], header: &str, files: &mut BTreeMap<String, String>) {
    let pagers: Vec<(&Op, Pager, &str)> = ops
        .iter()
        .filter_map(|op| op.pager.as_ref().map(|(k, f)| (op, *k, f.as_str())))
        .collect();
    let count = |k: Pager| pagers.iter().filter(|p| p.1 == k).count();
    let mut o = format!(
        "{header}//! Auto-paging tests: every paginated operation ({} token, {} next-offset, {} derived-offset)\n\
         //! pages with the blocking client through {{PAGES}} scripted loopback pages of {{PER_PAGE}} items in\n\
         //! its own cursor style; each item arrives exactly once, paging stops after the last page and\n\
         //! every later request carries the previous page's cursor or offset.\n\n\
         #![allow(unused_mut, clippy::redundant_clone, clippy::clone_on_copy)]\n\n\
         use amigo_platform_api::models as m;\nuse amigo_platform_api::ops;\n\
         use amigo_platform_core::operation::Paginated;\n\
         use amigo_platform_testkit::{{Fault, MockServer}};\nuse serde_json::Value;\n\n\
         /// Paginated operations covered here.\npub const PAGERS: usize = {};\n\n",
        count(Pager::Token),
        count(Pager::NextOffset),
        count(Pager::DerivedOffset),
        pagers.len()
    );
    o = o.replace("{PAGES}", "three").replace("{PER_PAGE}", "two");
    o.push_str(PAGER_TEST_PRELUDE);
    for (op, kind, field) in pagers {
        let Some(out_schema) = op.out_schema.as_ref() else {
            panic!("{}: pager without a JSON response schema", op.id);
        };
        let page_schema = deref(g, out_schema);
        let list_schema = page_schema
            .pointer(&format!("/properties/{field}"))
            .map(|v| deref(g, v))
            .unwrap_or_else(|| panic!("{}: page schema has no `{field}`", op.id));
        let item_schema = list_schema
            .get("items")
            .unwrap_or_else(|| panic!("{}: `{field}` is not an array", op.id));
        let mut page = example(g, out_schema, true, 0);
        let mut item = example(g, item_schema, true, 0);
        if !item.is_object() && deref(g, item_schema).get("properties").is_none() {
            item = Value::Object(Default::default());
        }
        let marker = marker_key(g, item_schema, &item);
        if let Some(o) = page.as_object_mut() {
            o.insert(field.to_owned(), Value::Array(Vec::new()));
        }
        let cursor_wire = if kind == Pager::Token {
            "continuation_token"
        } else {
            "offset"
        };
        let out_field = match kind {
            Pager::Token => "continuation_token",
            Pager::NextOffset => "next_offset",
            Pager::DerivedOffset => "offset",
        };
        let props = page_schema.get("properties");
        let nullable_end = match props.and_then(|p| p.get(out_field)) {
            None => true,
            Some(p) => {
                let required = page_schema
                    .get("required")
                    .and_then(Value::as_array)
                    .is_some_and(|r| r.iter().any(|x| x == out_field));
                !required
                    || p.get("anyOf")
                        .and_then(Value::as_array)
                        .is_some_and(|a| a.iter().any(|x| s(x, "type") == Some("null")))
            }
        };
        let (vals, _, _) = sample_new_args(g, op);
        let limit = op
            .params
            .iter()
            .find(|p| p.wire == "limit" && p.loc == Loc::Query && !p.required && p.ty == Ty::Int);
        let new = format!(
            "ops::{}::{}::new({})",
            op.module,
            op.pascal,
            vals.join(", ")
        );
        let value = match limit {
            Some(p) => format!(
                "{{ let mut op = {new}; op.{} = Some(PER_PAGE as i64); op }}",
                p.ident
            ),
            None => new,
        };
        let kind_s = match kind {
            Pager::Token => "Token",
            Pager::NextOffset => "NextOffset",
            Pager::DerivedOffset => "DerivedOffset",
        };
        let _ = writeln!(
            o,
            "#[test]\nfn {}_{}() {{\n    run({value}, Case {{ style: Style::{kind_s}, cursor: {cursor_wire:?}, page: {}, list: {field:?}, item: {}, marker: {:?}, limit: {}, end_null: {nullable_end} }});\n}}\n",
            op.module,
            snake(&op.pascal),
            raw_str(&page.to_string()),
            raw_str(&item.to_string()),
            marker,
            limit.is_some(),
        );
    }
    files.insert("tests_pagers.rs".into(), o);
}

/// The shared part of `tests/generated_pagers.rs`: the scripted pages and the checks.
const PAGER_TEST_PRELUDE: &str = r####"/// Pages served per test.
const PAGES: usize = 3;
/// Items per page.
const PER_PAGE: usize = 2;

/// A pager's cursor style.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Style {
    /// `continuation_token` in and out.
    Token,
    /// `offset` in, `next_offset` out.
    NextOffset,
    /// `offset` in, derived from the item count (and the page's own `offset`).
    DerivedOffset,
}

/// One pager's scripted listing.
struct Case<'a> {
    style: Style,
    /// The query parameter carrying the cursor.
    cursor: &'a str,
    /// A valid page (its list empty).
    page: &'a str,
    /// The page's list field.
    list: &'a str,
    /// A valid item.
    item: &'a str,
    /// A string field of the item that shows in its `Debug` (set to `item-<n>`).
    marker: Option<&'a str>,
    /// Whether the operation has a `limit` (set to `PER_PAGE`).
    limit: bool,
    /// Whether the last page's cursor field may be `null`.
    end_null: bool,
}

/// The value of query parameter `name`, if present.
fn query<'q>(q: Option<&'q str>, name: &str) -> Option<&'q str> {
    q?.split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The cursor the page after page `p` (0-based) is requested with.
fn next_cursor(style: Style, p: usize) -> usize {
    match style {
        Style::Token => 100 * (p + 1),
        Style::NextOffset | Style::DerivedOffset => (p + 1) * PER_PAGE,
    }
}

/// Page `p` (0-based) of the scripted listing.
fn page(c: &Case<'_>, p: usize) -> Value {
    let mut page: Value = serde_json::from_str(c.page).unwrap();
    let item: Value = serde_json::from_str(c.item).unwrap();
    let items = (0..PER_PAGE)
        .map(|i| {
            let mut it = item.clone();
            if let Some(k) = c.marker {
                it[k] = Value::from(format!("item-{}", p * PER_PAGE + i));
            }
            it
        })
        .collect();
    let more = p + 1 < PAGES;
    let o = page.as_object_mut().unwrap();
    o.insert(c.list.to_owned(), Value::Array(items));
    o.insert("has_more".to_owned(), more.into());
    o.insert("total".to_owned(), (PAGES * PER_PAGE).into());
    let end = |next: usize| match (more, c.end_null) {
        (true, _) | (false, false) => Value::from(next),
        (false, true) => Value::Null,
    };
    match c.style {
        Style::Token => o.insert("continuation_token".to_owned(), end(next_cursor(c.style, p))),
        Style::NextOffset => o.insert("next_offset".to_owned(), end(next_cursor(c.style, p))),
        Style::DerivedOffset => o.insert("offset".to_owned(), Value::from(p * PER_PAGE)),
    };
    page
}

/// Serves the scripted pages on a loopback server, auto-pages `op` with the blocking client and
/// checks the items and the requests.
#[track_caller]
fn run<O: Paginated>(op: O, c: Case<'_>)
where
    O::Item: std::fmt::Debug,
{
    let id = op.operation_id().to_owned();
    let server = MockServer::start();
    server.fault_all((0..PAGES).map(|p| Fault::status(200).json(page(&c, p))));
    let config = amigo_platform_core::Config::builder()
        .api_key(MockServer::API_KEY)
        .workspace_id("ws-test")
        .base_url(server.base_url())
        .timeout(std::time::Duration::from_secs(10))
        .max_retries(0)
        .build()
        .unwrap();
    let client = amigo_platform_ureq::Client::new(config);
    let items: Vec<O::Item> = client
        .call(op)
        .auto_paging()
        .send()
        .take(PAGES * PER_PAGE + 10)
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{id}: {e}"));
    assert_eq!(items.len(), PAGES * PER_PAGE, "{id}: item count");
    if c.marker.is_some() {
        let shown: Vec<String> = items.iter().map(|i| format!("{i:?}")).collect();
        for n in 0..PAGES * PER_PAGE {
            let tag = format!("\"item-{n}\"");
            let hits = shown.iter().filter(|s| s.contains(&tag)).count();
            assert_eq!(hits, 1, "{id}: item-{n} arrived {hits} times");
        }
    }
    let reqs = server.requests();
    assert_eq!(reqs.len(), PAGES, "{id}: request count");
    for (p, r) in reqs.iter().enumerate() {
        assert_eq!(r.path, reqs[0].path, "{id}: request {p} path");
        assert_eq!(r.method, reqs[0].method, "{id}: request {p} method");
        let want = (p > 0).then(|| next_cursor(c.style, p - 1).to_string());
        assert_eq!(
            query(r.query.as_deref(), c.cursor),
            want.as_deref(),
            "{id}: request {p} `{}`",
            c.cursor
        );
        if c.limit {
            let per_page = PER_PAGE.to_string();
            assert_eq!(query(r.query.as_deref(), "limit"), Some(per_page.as_str()), "{id}: request {p} limit");
        }
    }
}

"####;

// ---------------------------------------------------------------- emit: surface-name test

/// The type a namespace-method argument of type `ns_ty` is named by in a fn-pointer type:
/// `impl Into<X>` → `X`, `impl IntoIterator<Item = impl Into<X>>` → `Vec<X>`.
fn concrete_arg_ty(ns_ty: &str) -> String {
    if let Some(inner) = ns_ty
        .strip_prefix("impl IntoIterator<Item = impl Into<")
        .and_then(|t| t.strip_suffix(">>"))
    {
        return format!("Vec<{inner}>");
    }
    match ns_ty
        .strip_prefix("impl Into<")
        .and_then(|t| t.strip_suffix('>'))
    {
        Some(inner) => inner.to_owned(),
        None => ns_ty.to_owned(),
    }
}

/// `tests/tests/surface_names.rs`: every namespace reached from `client.api()` and every method
/// of `surface.tsv` (and its `_auto_paging` twin where the operation pages) named with its
/// signature, on both clients; compiling the file is the test.
fn emit_surface_names(ops: &[Op], rows: &[Row], header: &str) -> String {
    let by_id: HashMap<&str, &Op> = ops.iter().map(|o| (o.id.as_str(), o)).collect();
    let mut namespaces: BTreeSet<&str> = BTreeSet::new();
    for r in rows {
        let mut p = r.namespace.as_str();
        namespaces.insert(p);
        while let Some((parent, _)) = p.rsplit_once('.') {
            namespaces.insert(parent);
            p = parent;
        }
    }
    namespaces.remove("");
    let mut reach = String::new();
    for path in &namespaces {
        let chain: Vec<String> = path.split('.').map(ident).collect();
        let _ = writeln!(
            reach,
            "    let _ = c.api().{}();\n    n += 1;",
            chain.join("().")
        );
    }
    let mut named = String::new();
    let mut seen = HashSet::new();
    for r in rows {
        let Some(op) = by_id.get(r.op_id.as_str()) else {
            continue;
        };
        let st = ns_struct(&r.namespace);
        let args: String = op_args(op)
            .iter()
            .map(|a| format!(", {}", concrete_arg_ty(&a.ns_ty)))
            .collect();
        let mut methods = vec![r.method.clone()];
        if op.pager.is_some() {
            methods.push(format!("{}_auto_paging", r.method));
        }
        for m in methods {
            if seen.insert((st.clone(), m.clone())) {
                let _ = writeln!(
                    named,
                    "    let _: fn(&ns::{st}<'static, E>{args}) -> _ = ns::{st}::{}; // {}\n    n += 1;",
                    ident(&m),
                    r.namespace
                );
            }
        }
    }
    let (n_ns, n_names) = (namespaces.len(), seen.len());
    format!(
        r#"{header}//! Every method name of `surface.tsv` (and its `_auto_paging` twin where the row pages) is
//! callable on the blocking and the async client: each namespace is reached through
//! `client.api()` and each method is named on it. Generated by `cargo xtask codegen` from the
//! surface table (`surface.tsv`) and the generated namespaces; compiling this file is the test (a
//! renamed or missing method fails the build) and the counts are asserted at run time.

use amigo_platform_api::models as m;
use amigo_platform_api::namespaces as ns;
use amigo_platform_api::ApiExt;
use amigo_platform_core::{{Client, Config, Transport}};

/// Reaches every namespace from the client.
fn reach_every_namespace<E: Transport>(c: &Client<E>) -> usize {{
    let mut n = 0;
{reach}    n
}}

/// Names every method of every row of surface.tsv.
fn name_every_method<E: Transport>() -> usize {{
    let mut n = 0;
{named}    n
}}

fn config() -> Config {{
    Config::builder().api_key("sk-compile").workspace_id("ws-001").build().expect("config")
}}

#[test]
fn blocking_client_has_every_surface_name() {{
    let client = amigo_platform_ureq::Client::new(config());
    assert_eq!(reach_every_namespace(&client), {n_ns});
    assert_eq!(name_every_method::<amigo_platform_ureq::UreqTransport>(), {n_names});
}}

#[test]
fn async_client_has_every_surface_name() {{
    let client = amigo_platform_hyper::Client::new(config());
    assert_eq!(reach_every_namespace(&client), {n_ns});
    assert_eq!(name_every_method::<amigo_platform_hyper::HyperTransport>(), {n_names});
}}
"#
    )
}

#[cfg(test)]
mod design_ref_tests {
    #[test]
    fn design_references_are_left_out() {
        assert_eq!(
            super::without_design_refs("bytes + content type **[D14]** (§2.6)"),
            "bytes + content type"
        );
        assert_eq!(
            super::without_design_refs("SSE, raw frames (§5c)"),
            "SSE, raw frames"
        );
        assert_eq!(
            super::without_design_refs("see [Docs] and [D]"),
            "see [Docs] and [D]"
        );
    }
}
