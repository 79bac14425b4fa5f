//! Spec normalisation: the FastAPI/pydantic quirks (operation-id suffixes, `-Input`/`-Output`
//! twins, `src__` module paths, `PaginatedResponse_X_`), keyword checks and schema helpers.

use crate::gen::lower::Gen;
use crate::names::pascal;
use serde_json::Value;

pub(crate) const REF_PREFIX: &str = "#/components/schemas/";

pub(crate) fn s<'v>(v: &'v Value, k: &str) -> Option<&'v str> {
    v.get(k).and_then(Value::as_str)
}

pub(crate) fn json_short(v: &Value) -> String {
    let t = v.to_string();
    let t = if t.chars().count() > 80 {
        format!("{}…", t.chars().take(80).collect::<String>())
    } else {
        t
    };
    t.replace('`', "'")
}

/// Structural facts of a schema for docs (never the description prose).
pub(crate) fn constraints(v: &Value) -> String {
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

pub(crate) const ALLOWED_KEYWORDS: &[&str] = &[
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

pub(crate) fn validate_keywords(path: &str, v: &Value, errors: &mut Vec<String>) {
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

pub(crate) fn refs_in(v: &Value, out: &mut Vec<String>) {
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

pub(crate) fn fastapi_strip(id: &str, path: &str, method: &str) -> String {
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

/// A surface-table note as generated doc text: the team's design-note markers (a `D` and a
/// number in square brackets, also in bold) and parenthesised section markers (`(§` …`)`) are
/// removed and whitespace is collapsed, so the docs carry only the note's own words.
pub(crate) fn strip_note_markers(notes: &str) -> String {
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

/// Merges each `X-Input` schema into its `X-Output` twin when the two are identical (pydantic
/// emits both for a model used on both sides): `g.canon` maps the input key to the output key.
pub(crate) fn merge_twins(g: &mut Gen) {
    let schemas = g.schemas;
    for (k, v) in schemas {
        let Some(base) = k.strip_suffix("-Input") else {
            continue;
        };
        let out_key = format!("{base}-Output");
        if let Some(out) = schemas.get(&out_key) {
            let (input, output) = (v.to_string(), out.to_string());
            if input.replace("-Input\"", "-Output\"") == output {
                g.canon.insert(k.clone(), out_key);
            }
        }
    }
}

/// The Rust name of every component: `PaginatedResponse_X_` → `XPage`, `src__a__b__X` → `X`
/// (or `BX` when the last segment is ambiguous), a merged `X-Output` → `X`, `Body_op` →
/// `OpBody`, anything else in Pascal case. Merged `-Input` keys share their twin's name.
pub(crate) fn name_components(g: &mut Gen) {
    let schemas = g.schemas;
    let last_segments: Vec<&str> = schemas
        .keys()
        .filter(|k| k.starts_with("src__"))
        .filter_map(|k| k.rsplit("__").next())
        .collect();
    for k in schemas.keys() {
        if g.canon.contains_key(k) {
            continue;
        }
        if let Some(inner) = k
            .strip_prefix("PaginatedResponse_")
            .and_then(|x| x.strip_suffix('_'))
            .filter(|inner| schemas.contains_key(*inner))
        {
            let inner = g.canon.get(inner).cloned().unwrap_or(inner.to_owned());
            g.page_of.insert(k.clone(), inner);
            let list = k.trim_start_matches("PaginatedResponse_");
            g.rust.insert(k.clone(), format!("{}Page", pascal(list)));
            continue;
        }
        let name = component_name(g, k, &last_segments);
        g.rust.insert(k.clone(), name);
    }
    for (k, c) in g.canon.clone() {
        let n = g.rust[&c].clone();
        g.rust.insert(k, n);
    }
}

/// The Rust name of a component that is not a page (see [`name_components`]).
fn component_name(g: &Gen, k: &str, last_segments: &[&str]) -> String {
    if k.starts_with("src__") {
        let segs: Vec<&str> = k.split("__").collect();
        let last = segs[segs.len() - 1];
        let dup = last_segments.iter().filter(|l| **l == last).count() > 1
            || g.schemas.contains_key(last);
        return if dup {
            format!("{}{}", pascal(segs[segs.len() - 2]), pascal(last))
        } else {
            pascal(last)
        };
    }
    if let Some(base) = k
        .strip_suffix("-Output")
        .filter(|b| g.canon.contains_key(&format!("{b}-Input")))
    {
        return pascal(base);
    }
    match k.strip_prefix("Body_") {
        Some(op) => format!("{}Body", pascal(op)),
        None => pascal(k),
    }
}

#[cfg(test)]
mod note_tests {
    /// A design-note marker as the surface table writes it, built here so that the
    /// repository itself holds no such reference.
    fn marker(number: u32) -> String {
        format!("[D{number}]")
    }

    #[test]
    fn bracketed_and_section_markers_are_stripped() {
        let note = format!("bytes + content type **{}** (\u{a7}2.6)", marker(14));
        assert_eq!(super::strip_note_markers(&note), "bytes + content type");
        let note = format!("{} SSE, raw frames (\u{a7}5c)", marker(3));
        assert_eq!(super::strip_note_markers(&note), "SSE, raw frames");
        assert_eq!(
            super::strip_note_markers("see [Docs] and [D]"),
            "see [Docs] and [D]"
        );
    }
}
