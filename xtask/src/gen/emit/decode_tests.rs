//! Emits the decode tests: every model decodes spec-derived examples.

use crate::gen::emit::examples::*;
use crate::gen::ir::*;
use crate::gen::lower::*;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Decoding tests: for every response-reachable component schema, its spec-derived example
/// decodes, and re-encodes to an equivalent JSON value when the type also serialises; unknown
/// enum values and union tags survive in `Unknown`.
pub(crate) fn emit_decode_tests(g: &Gen, header: &str, files: &mut BTreeMap<String, String>) {
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
