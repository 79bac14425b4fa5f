//! The intermediate representation: Rust types, models, parameters and operations.

use amigo_platform_core::__private::is_sensitive_key;
use serde_json::Value;

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
    /// A tri-state request field (`amigo_platform_core::Patch`): optional and nullable
    /// on a serialised struct.
    Patch(Box<Ty>),
    Page(Box<Ty>),
}

impl Ty {
    /// Rust text; `m` is the path prefix of model names (`""` inside models, `m::` elsewhere).
    pub(crate) fn rs(&self, m: &str) -> String {
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
    pub(crate) fn opt(self) -> Ty {
        match self {
            Ty::Opt(_) => self,
            t => Ty::Opt(Box::new(t)),
        }
    }
    pub(crate) fn strip_opt(&self) -> &Ty {
        match self {
            Ty::Opt(t) => t,
            t => t,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Field {
    pub(crate) wire: String,
    pub(crate) ident: String,
    pub(crate) ty: Ty,
    pub(crate) required: bool,
    /// The schema admits `null` (`anyOf [X, null]`).
    pub(crate) nullable: bool,
    pub(crate) konst: Option<Value>,
    pub(crate) phi: bool,
    /// A secret (see [`is_secret_field`]): `Debug` prints `[REDACTED]`.
    pub(crate) secret: bool,
    pub(crate) doc: String,
}

/// Whether a model field holds a secret, redacted in the model's `Debug`.
///
/// The rule: the field's wire name is a sensitive key of the core's redaction list
/// (`token`, `secret`, `api_key`, `password`, `access_token`, `refresh_token`, `link_token`,
/// `client_secret`, `signing_secret`, any `*_secret`, and such a name followed by `_value`),
/// or the model is named `Secret…` (a secret's wrapper, such as `SecretInput`). Plain `key`
/// fields are not secrets: in this API they name form fields, metrics and storage objects.
pub(crate) fn is_secret_field(model: &str, wire: &str) -> bool {
    is_sensitive_key(wire) || model.starts_with("Secret")
}

/// Whether a field holds a URL that may embed a capability token (`url`, `*_url`): a model
/// whose `Debug` is written by hand shows it through `redact_url`.
pub(crate) fn is_url_field(f: &Field) -> bool {
    (f.wire == "url" || f.wire.ends_with("_url")) && matches!(f.ty.strip_opt(), Ty::Str)
}

#[derive(Debug, Clone)]
pub(crate) enum Def {
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
    pub(crate) fn name(&self) -> &str {
        match self {
            Def::Struct { name, .. }
            | Def::Enum { name, .. }
            | Def::Union { name, .. }
            | Def::Alias { name, .. } => name,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Loc {
    Path,
    Query,
    Header,
}

#[derive(Debug, Clone)]
pub(crate) struct Param {
    pub(crate) wire: String,
    pub(crate) ident: String,
    pub(crate) loc: Loc,
    /// The non-optional type.
    pub(crate) ty: Ty,
    pub(crate) required: bool,
    pub(crate) konst: Option<String>,
    pub(crate) doc: String,
    /// A secret (its name is a sensitive key: `token`, `link_token`, …): the operation's
    /// `Debug` prints `[REDACTED]`.
    pub(crate) secret: bool,
    /// The parameter's raw schema (test samples).
    pub(crate) schema: Value,
}

#[derive(Debug, Clone)]
pub(crate) enum BodyKind {
    None,
    Json { ty: Ty, required: bool },
    Multipart { ty: Ty },
    Raw,
}

#[derive(Debug, Clone)]
pub(crate) enum OutKind {
    Unit,
    Json(Ty),
    OptJson(Ty),
    Binary,
    OptBinary,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Pager {
    Token,
    NextOffset,
    DerivedOffset,
}

#[derive(Debug, Clone)]
pub(crate) struct Op {
    pub(crate) id: String,
    pub(crate) pascal: String,
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) module: String,
    pub(crate) params: Vec<Param>,
    /// `Some(required)` when `{workspace_id}` is a target workspace argument.
    pub(crate) target_ws: Option<bool>,
    pub(crate) body: BodyKind,
    pub(crate) out: OutKind,
    pub(crate) pager: Option<(Pager, String)>,
    /// The request body's raw schema (test samples).
    pub(crate) body_schema: Option<Value>,
    /// The 2xx JSON response's raw schema (pager test pages).
    pub(crate) out_schema: Option<Value>,
}

pub(crate) struct Row {
    pub(crate) op_id: String,
    pub(crate) namespace: String,
    pub(crate) method: String,
    pub(crate) pager: String,
    pub(crate) notes: String,
}
