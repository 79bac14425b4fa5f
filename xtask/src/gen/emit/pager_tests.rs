//! Emits the auto-paging tests: scripted pages per paginated operation.

use crate::gen::emit::examples::*;
use crate::gen::emit::op_tests::*;
use crate::gen::ir::*;
use crate::gen::lower::*;
use crate::gen::quirks::*;
use crate::names::snake;
use amigo_platform_core::__private::is_sensitive_key;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// `v` with `$ref`s followed and a nullable `anyOf` reduced to its non-null member.
pub(crate) fn deref<'g>(g: &'g Gen, mut v: &'g Value) -> &'g Value {
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
pub(crate) fn marker_key(g: &Gen, item_schema: &Value, item: &Value) -> Option<String> {
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
pub(crate) fn emit_pager_tests(
    g: &Gen,
    ops: &[Op],
    header: &str,
    files: &mut BTreeMap<String, String>,
) -> Result<(), String> {
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
         use amigo_platform_api::ApiExt;\nuse amigo_platform_core::Paginated;\n\
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
        emit_pager_test(g, op, kind, field, &mut o)?;
    }
    files.insert("tests_pagers.rs".into(), o);
    Ok(())
}

/// One paginated operation's test: its example page, item, marker key and cursor style.
fn emit_pager_test(
    g: &Gen,
    op: &Op,
    kind: Pager,
    field: &str,
    o: &mut String,
) -> Result<(), String> {
    let out_schema = op
        .out_schema
        .as_ref()
        .ok_or_else(|| format!("{}: pager without a JSON response schema", op.id))?;
    let page_schema = deref(g, out_schema);
    let list_schema = page_schema
        .pointer(&format!("/properties/{field}"))
        .map(|v| deref(g, v))
        .ok_or_else(|| format!("{}: page schema has no `{field}`", op.id))?;
    let item_schema = list_schema
        .get("items")
        .ok_or_else(|| format!("{}: `{field}` is not an array", op.id))?;
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
    Ok(())
}

/// The shared part of `tests/generated_pagers.rs`: the scripted pages and the checks. It is
/// ordinary Rust in `pager_tests_support.rs`, copied verbatim (not a module of xtask).
const PAGER_TEST_PRELUDE: &str = include_str!("pager_tests_support.rs");
