//! Spec-derived example values (JSON) and their Rust construction expressions.

use crate::gen::emit::models::{build_model, Set};
use crate::gen::emit::*;
use crate::gen::ir::*;
use crate::gen::lower::*;
use crate::gen::quirks::*;
use serde_json::Value;
use std::collections::HashSet;

/// A string satisfying the spec's `pattern`s (a table: the spec has 23 distinct patterns).
pub(crate) fn pattern_sample(p: &str) -> &'static str {
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
pub(crate) fn example(g: &Gen, v: &Value, full: bool, depth: usize) -> Value {
    use serde_json::json;
    if let Some(r) = s(v, "$ref") {
        return example_ref(g, r, full, depth + 1);
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
            let mut ex = example_ref(g, r.as_str().unwrap_or_default(), full, depth + 1);
            if let Some(o) = ex.as_object_mut() {
                o.insert(tag.to_owned(), Value::String(tv.clone()));
            }
            return ex;
        }
    }
    match s(v, "type") {
        Some("string") => Value::String(example_string(v)),
        Some("integer") => json!(example_integer(v)),
        Some("number") => json!(example_number(v)),
        Some("boolean") => json!(true),
        Some("array") => {
            let items = v.get("items").cloned().unwrap_or(json!({}));
            let n = num(v, "minItems").unwrap_or(if depth < 4 { 1.0 } else { 0.0 }) as usize;
            Value::Array(
                (0..n)
                    .map(|_| example(g, &items, full, depth + 1))
                    .collect(),
            )
        }
        Some("object") | None => example_object(g, v, full, depth),
        _ => Value::Null,
    }
}

/// A numeric keyword of a schema (`minimum`, `maxLength`, …).
fn num(v: &Value, k: &str) -> Option<f64> {
    v.get(k).and_then(Value::as_f64)
}

/// The example of a referenced component (`null` for a dangling reference).
fn example_ref(g: &Gen, r: &str, full: bool, depth: usize) -> Value {
    let key = r.strip_prefix(REF_PREFIX).unwrap_or(r);
    match g.schemas.get(key) {
        Some(schema) => example(g, schema, full, depth),
        None => Value::Null,
    }
}

/// A string: by format, else by pattern, padded or cut to the length bounds.
fn example_string(v: &Value) -> String {
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
    if let Some(min) = num(v, "minLength") {
        while (t.chars().count() as f64) < min {
            t.push('x');
        }
    }
    if let Some(max) = num(v, "maxLength") {
        t = t.chars().take(max as usize).collect();
    }
    t
}

/// An integer within the bounds (1 when unbounded).
fn example_integer(v: &Value) -> i64 {
    let mut n = num(v, "minimum")
        .or(num(v, "exclusiveMinimum").map(|x| x + 1.0))
        .unwrap_or(1.0)
        .max(1.0_f64.min(num(v, "maximum").unwrap_or(1.0)));
    if let Some(max) = num(v, "maximum") {
        n = n.min(max);
    }
    n as i64
}

/// A number within the bounds (1.5 when unbounded).
fn example_number(v: &Value) -> f64 {
    let mut n = num(v, "minimum")
        .map(|m| m + 0.5)
        .or(num(v, "exclusiveMinimum").map(|x| x + 0.5))
        .unwrap_or(1.5);
    if let Some(max) = num(v, "maximum") {
        if n > max {
            n = num(v, "minimum").unwrap_or(max);
        }
    }
    n
}

/// An object: required and constant properties (all of them when `full`, to depth 3).
fn example_object(g: &Gen, v: &Value, full: bool, depth: usize) -> Value {
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

pub(crate) fn raw_str(v: &str) -> String {
    format!("r##\"{v}\"##")
}

/// A Rust expression of type `t` holding the JSON example `v` (request samples).
pub(crate) fn rust_of(g: &Gen, t: &Ty, v: &Value) -> String {
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
            Some(Def::Struct { .. }) => build_model(g, n, |f| {
                let jv = v.get(&f.wire).cloned();
                match (&f.ty, jv) {
                    (t, jv) if f.required => Set::To(rust_of(g, t, &jv.unwrap_or(Value::Null))),
                    // Absent in the example: left out of the request.
                    (_, None) => Set::Skip,
                    (Ty::Patch(_), Some(Value::Null)) => Set::Null,
                    (_, Some(Value::Null)) => Set::Skip,
                    (Ty::Opt(t) | Ty::Patch(t), Some(jv)) => Set::To(rust_of(g, t, &jv)),
                    (t, Some(_)) => panic!("{n}.{}: optional field of type {t:?}", f.ident),
                }
            }),
            None if is_format_type(n) => {
                format!("m::{n}::from({:?})", v.as_str().unwrap_or_default())
            }
            None => panic!("no model `{n}`"),
        },
    }
}
