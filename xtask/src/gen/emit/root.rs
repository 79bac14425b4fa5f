//! Emits `mod.rs` of `api/src/generated/`: the surface's counts and how to call it.

use crate::gen::emit::models::patch_example;
use crate::gen::ir::*;
use crate::gen::lower::Gen;
use std::collections::BTreeMap;

/// Optional + nullable model fields, and how many of them are tri-state `Patch`.
fn nullable_counts(g: &Gen) -> (usize, usize) {
    let (mut nullable, mut patch) = (0, 0);
    for d in g.modules.values().flatten() {
        if let Def::Struct { fields, .. } = d {
            for f in fields.iter().filter(|f| f.nullable && !f.required) {
                nullable += 1;
                if matches!(f.ty, Ty::Patch(_)) {
                    patch += 1;
                }
            }
        }
    }
    (nullable, patch)
}

/// The root module; `files` are the other emitted library files (which modules exist).
pub(crate) fn emit_root(
    g: &Gen,
    ops: &[Op],
    n_methods: usize,
    header: &str,
    files: &BTreeMap<String, String>,
) -> String {
    let n_components = g.schemas.len();
    let n_models: usize = g.modules.values().map(Vec::len).sum();
    let n_ops = ops.len();
    let pagers = ops.iter().filter(|o| o.pager.is_some()).count();
    let (n_nullable, n_patch) = nullable_counts(g);
    let example = patch_example(g, ops);
    let mut root = format!(
        "{header}\
//! Generated API surface: {n_components} component schemas ({n_models} Rust model types with inline \
enums and unions), {n_ops} operations ({pagers} auto-paging), {n_methods} namespace methods.
//!
//! Call an operation through a namespace: `client.api().agents().list().limit(5).send()` \
(with [`crate::ApiExt`] in scope);
//! or build an operation value from [`ops`] and pass it to [`ApiExt::call`](crate::ApiExt::call). \
[`namespaces`] lists every namespace.
//!
//! Of the {n_nullable} optional + nullable model fields, the {n_patch} of request-body models are tri-state \
[`models::Patch`]
//! (`Unset` omitted, `Null` sent as `null`, `Value` sent); the others are `Option<T>`. \
Request-body models
//! also have chainable setters: `field(v)` for every optional field, `clear_field()` \
for the tri-state ones.
{example}
// Generated shapes mirror the spec: union variants are as large as their members (boxing
// them would change the public API for a few bytes), and `new()` takes every required
// parameter or field positionally (operations up to 8, models any number).
#![allow(clippy::large_enum_variant, clippy::too_many_arguments)]

pub mod models;
"
    );
    if files.contains_key("ops/mod.rs") {
        root.push_str("pub mod ops;\n");
    }
    if files.contains_key("namespaces.rs") {
        root.push_str("pub mod namespaces;\npub use namespaces::Api;\n");
    }
    root
}
