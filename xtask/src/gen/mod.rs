//! Spec → IR → Rust text: `cargo xtask codegen`'s generator. The FastAPI/pydantic quirks
//! are confined to [`quirks`].

pub(crate) mod emit;
pub(crate) mod ir;
pub(crate) mod lower;
pub(crate) mod ops;
pub(crate) mod quirks;

use crate::gen::emit::decode_tests::*;
use crate::gen::emit::models::*;
use crate::gen::emit::namespaces::*;
use crate::gen::emit::op_tests::*;
use crate::gen::emit::operations::*;
use crate::gen::emit::pager_tests::*;
use crate::gen::emit::prism_cases::*;
use crate::gen::emit::surface_names::*;
use crate::gen::ir::*;
use crate::gen::lower::*;
use crate::gen::ops::*;
use crate::gen::quirks::*;
use crate::names::{pascal, snake};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;

/// The surface-name test, written beside the testkit's other tests (workspace-relative).
pub const SURFACE_NAMES_TEST: &str = "tests/tests/surface_names.rs";

pub(crate) fn generate(
    spec_bytes: &[u8],
    surface: &str,
) -> Result<BTreeMap<String, String>, String> {
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
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(data)
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

pub(crate) fn parse_surface(text: &str) -> Result<Vec<Row>, String> {
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
