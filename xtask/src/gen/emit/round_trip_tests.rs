//! Emits the round-trip test: every model reads a spec-derived sample, writes it back and
//! reads the result to an equal value.

use crate::gen::emit::examples::*;
use crate::gen::emit::models::ROUND_TRIP;
use crate::gen::emit::*;
use crate::gen::ir::*;
use crate::gen::lower::*;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// For every component schema with serde (all but multipart bodies), two samples: only the
/// required properties, and every property. Each is deserialised, serialised and deserialised
/// again, and the two values must be equal. Needs the second serde direction, so the file is
/// compiled only with the `round-trip` feature.
pub(crate) fn emit_round_trip_tests(g: &Gen, header: &str, files: &mut BTreeMap<String, String>) {
    let mut o = format!(
        "{header}//! Round trips: every model with serde reads a spec-derived sample (required properties\n\
         //! only, then every property), writes it back, and reads that to an equal value.\n\n\
         #![cfg(feature = {ROUND_TRIP:?})]\n\n\
         use amigo_platform_api::models as m;\n\n\
         #[track_caller]\nfn round_trip<T>(name: &str, json: &str)\nwhere\n    \
         T: serde::de::DeserializeOwned + serde::Serialize + PartialEq + std::fmt::Debug,\n{{\n    \
         let first: T = serde_json::from_str(json).unwrap_or_else(|e| panic!(\"{{name}}: {{e}}\\n{{json}}\"));\n    \
         let written = serde_json::to_string(&first).unwrap_or_else(|e| panic!(\"{{name}}: {{e}}\"));\n    \
         let second: T = serde_json::from_str(&written)\n        \
         .unwrap_or_else(|e| panic!(\"{{name}}: {{e}}\\n{{written}}\"));\n    \
         assert_eq!(first, second, \"{{name}}: {{json}} -> {{written}}\");\n}}\n\n"
    );
    let mut by_mod: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut n = 0;
    for (k, v) in g.schemas {
        if g.canon.contains_key(k) {
            continue;
        }
        let name = &g.rust[k];
        if matches!(
            find_def(g, name),
            Some(Def::Struct {
                multipart: true,
                ..
            })
        ) {
            continue;
        }
        let lines = by_mod.entry(g.module_of[k].clone()).or_default();
        for full in [false, true] {
            let json = example(g, v, full, 0).to_string();
            lines.push(format!(
                "    round_trip::<m::{name}>({k:?}, {});",
                raw_str(&json)
            ));
        }
        n += 1;
    }
    let _ = writeln!(
        o,
        "/// Models checked, each with two samples.\npub const MODELS: usize = {n};\n"
    );
    for (module, lines) in by_mod {
        let _ = writeln!(o, "#[test]\nfn {module}() {{\n{}\n}}\n", lines.join("\n"));
    }
    files.insert("tests_round_trip.rs".into(), o);
}
