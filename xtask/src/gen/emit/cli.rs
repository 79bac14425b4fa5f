//! Emits the command-line client's operation table (`cli/src/generated/table.rs`) and its
//! request-equivalence test (`cli/tests/generated_requests.rs`): one row per operation of the
//! surface table, read at run time by one generic command builder and executor.

use crate::gen::emit::op_tests::sample;
use crate::gen::emit::operations::find_struct;
use crate::gen::emit::*;
use crate::gen::ir::*;
use crate::gen::lower::*;
use crate::gen::quirks::*;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

/// Where the table goes (workspace-relative).
pub(crate) const CLI_TABLE: &str = "cli/src/generated/table.rs";
/// Where the request-equivalence test goes (workspace-relative).
pub(crate) const CLI_REQUEST_TEST: &str = "cli/tests/generated_requests.rs";

/// Flags every command has (or the commands that take them): an operation's parameter or
/// multipart field must not use one of these names.
const RESERVED_FLAGS: &[&str] = &[
    "workspace",
    "base-url",
    "timeout",
    "retries",
    "verbose",
    "fields",
    "output",
    "all",
    "data",
    "dry-run",
    "content-type",
    "help",
    "version",
];

/// The command-line flag of a wire name: `sort_by` → `sort-by`, `_count` → `count` (the
/// CLI's `spec::kebab`).
fn flag(wire: &str) -> String {
    wire.trim_start_matches('_')
        .replace('_', "-")
        .to_ascii_lowercase()
}

/// Both files: path → text. Fails on a name that would collide on the command line.
pub(crate) fn emit_cli(
    g: &Gen,
    ops: &[Op],
    rows: &[Row],
    header: &str,
) -> Result<BTreeMap<String, String>, String> {
    let by_id: HashMap<&str, &Op> = ops.iter().map(|o| (o.id.as_str(), o)).collect();
    let mut table = String::new();
    let mut tests = String::new();
    let mut commands = HashSet::new();
    let namespaces: HashSet<String> = rows
        .iter()
        .flat_map(|r| {
            let mut all = vec![r.namespace.clone()];
            let mut p = r.namespace.as_str();
            while let Some((parent, _)) = p.rsplit_once('.') {
                all.push(parent.to_owned());
                p = parent;
            }
            all
        })
        .collect();
    let mut n = 0usize;
    for r in rows {
        let Some(op) = by_id.get(r.op_id.as_str()) else {
            continue;
        };
        let command = format!("{} {}", r.namespace.replace('.', " "), r.method);
        if !commands.insert(command.clone()) {
            continue;
        }
        let child = if r.namespace.is_empty() {
            r.method.clone()
        } else {
            format!("{}.{}", r.namespace, r.method)
        };
        if namespaces.contains(&child) {
            return Err(format!("cli: `{command}` is both a method and a namespace"));
        }
        check_flags(g, op)?;
        table.push_str(&row(g, r, op));
        tests.push_str(&request_case(g, r, op));
        n += 1;
    }
    let table = format!(
        "{header}//! Every operation of the API as one row: the command (namespace and method), the\n\
         //! request (method, path template, parameters, body) and how the answer is read.\n\n\
         use crate::spec::*;\n\
         #[allow(unused_imports)]\n\
         use amigo_platform_api::models as m;\n\n\
         /// Every operation, in the order of the surface table.\n\
         pub static OPERATIONS: &[OpSpec] = &[\n{table}];\n"
    );
    let tests = format!(
        "{header}//! Every operation of the API, built through the SDK's typed operation with sample\n\
         //! arguments and through the `amigo` command line with the same values, prepares to the\n\
         //! same request: method, URL, content type, `Accept` and body bytes. Naming each\n\
         //! operation type here makes a missing or renamed one fail the build.\n\n\
         #![allow(clippy::redundant_clone, unused_mut)]\n\n\
         mod support;\n\n\
         use amigo_platform_api::models as m;\n\
         use amigo_platform_api::ops;\n\
         use support::requests::{{file_arg, same_request}};\n\n\
         #[test]\n\
         fn every_operation_builds_the_sdk_request() {{\n\
         let mut seen = Vec::new();\n\
         {tests}\
         assert_eq!(seen.len(), {n});\n\
         assert_eq!(amigo_platform_cli::OPERATIONS.len(), {n});\n\
         }}\n"
    );
    Ok(BTreeMap::from([
        (CLI_TABLE.to_owned(), table),
        (CLI_REQUEST_TEST.to_owned(), tests),
    ]))
}

/// Parameter and field flags must be unique per command and avoid the reserved ones.
fn check_flags(g: &Gen, op: &Op) -> Result<(), String> {
    let mut seen = HashSet::new();
    let mut names: Vec<String> = op
        .params
        .iter()
        .filter(|p| p.loc != Loc::Path && p.konst.is_none())
        .map(|p| flag(&p.wire))
        .collect();
    names.extend(multipart_fields(g, op).iter().map(|f| flag(&f.wire)));
    for name in names {
        if RESERVED_FLAGS.contains(&name.as_str()) || !seen.insert(name.clone()) {
            return Err(format!("cli: `{}` has a clashing flag `--{name}`", op.id));
        }
    }
    Ok(())
}

fn multipart_fields<'g>(g: &'g Gen, op: &Op) -> &'g [Field] {
    match &op.body {
        BodyKind::Multipart { ty: Ty::Named(sn) } => {
            find_struct(g, sn).map(|(f, _)| f.as_slice()).unwrap_or(&[])
        }
        _ => &[],
    }
}

/// Whether a body of type `t` can be read from JSON: with the api crate's `round-trip` feature
/// (which the CLI enables) every model has both serde directions; only files cannot.
fn deserializable(g: &Gen, t: &Ty) -> bool {
    match t {
        Ty::File => false,
        Ty::Boxed(t) | Ty::Vec(t) | Ty::Map(t) | Ty::Opt(t) | Ty::Patch(t) | Ty::Page(t) => {
            deserializable(g, t)
        }
        Ty::Named(n) => match find_def(g, n) {
            Some(Def::Alias { ty, .. }) => deserializable(g, ty),
            _ => true,
        },
        _ => true,
    }
}

/// The value type of a parameter (`Ty` without its list wrapper) as table text.
fn value_type(g: &Gen, t: &Ty) -> String {
    match t {
        Ty::Int => "ValueType::Int".into(),
        Ty::Float => "ValueType::Float".into(),
        Ty::Bool => "ValueType::Bool".into(),
        Ty::IntOrStr => "ValueType::IntOrStr".into(),
        Ty::NumOrStr => "ValueType::NumOrStr".into(),
        Ty::Vec(t) | Ty::Opt(t) => value_type(g, t),
        Ty::Named(n) => match find_def(g, n) {
            Some(Def::Alias { ty, .. }) => value_type(g, ty),
            Some(Def::Enum { values, .. }) => format!("ValueType::Enum(&{values:?})"),
            _ => "ValueType::Str".into(),
        },
        _ => "ValueType::Str".into(),
    }
}

/// The numeric and length limits of a schema (its own keywords and those of an `anyOf` member).
fn limits(schema: &Value) -> String {
    let mut inner = vec![schema];
    if let Some(a) = schema.get("anyOf").and_then(Value::as_array) {
        inner.extend(a.iter());
    }
    let num = |k: &str| {
        inner
            .iter()
            .find_map(|x| x.get(k).and_then(Value::as_f64))
            .map_or("None".to_owned(), |v| format!("Some({v:?})"))
    };
    let int = |k: &str| {
        inner
            .iter()
            .find_map(|x| x.get(k).and_then(Value::as_u64))
            .map_or("None".to_owned(), |v| format!("Some({v})"))
    };
    format!(
        "Limits {{ min: {}, max: {}, exclusive_min: {}, exclusive_max: {}, min_len: {}, max_len: {} }}",
        num("minimum"),
        num("maximum"),
        num("exclusiveMinimum"),
        num("exclusiveMaximum"),
        int("minLength"),
        int("maxLength")
    )
}

/// One `OpSpec` row.
fn row(g: &Gen, r: &Row, op: &Op) -> String {
    let mut params = String::new();
    let mut order: Vec<&Param> = op.params.iter().collect();
    // Path parameters in template order first, then the rest in spec order.
    order.sort_by_key(|p| match p.loc {
        Loc::Path => op.path.find(&format!("{{{}}}", p.wire)).unwrap_or(0),
        _ => usize::MAX,
    });
    for p in order {
        let loc = match p.loc {
            Loc::Path => "Loc::Path",
            Loc::Query => "Loc::Query",
            Loc::Header => "Loc::Header",
        };
        let optional_ws = p.wire == "workspace_id" && op.target_ws == Some(false);
        let mut help = constraints(&p.schema);
        if optional_ws {
            help = "default: the configured workspace".to_owned();
        }
        let _ = writeln!(
            params,
            "        ParamSpec {{ wire: {:?}, loc: {loc}, ty: {}, list: {}, required: {}, konst: {:?}, help: {help:?}, limits: {} }},",
            p.wire,
            value_type(g, &p.ty),
            matches!(p.ty, Ty::Vec(_)),
            (p.required && !optional_ws),
            p.konst,
            limits(&p.schema)
        );
    }
    let body = match &op.body {
        BodyKind::None => "BodySpec::None".to_owned(),
        BodyKind::Raw => "BodySpec::Raw".to_owned(),
        BodyKind::Json { ty, required } => {
            let check = if deserializable(g, ty) {
                format!("Some(crate::body::check::<{}>)", ty.rs("m::"))
            } else {
                "None".to_owned()
            };
            format!(
                "BodySpec::Json {{ required: {required}, model: {:?}, check: {check} }}",
                ty.rs("")
            )
        }
        BodyKind::Multipart { .. } => {
            let mut fields = String::new();
            for f in multipart_fields(g, op) {
                let _ = write!(
                    fields,
                    "FieldSpec {{ wire: {:?}, file: {}, required: {}, help: {:?} }}, ",
                    f.wire,
                    *f.ty.strip_opt() == Ty::File,
                    !matches!(f.ty, Ty::Opt(_)),
                    first_line(&f.doc)
                );
            }
            format!("BodySpec::Multipart {{ fields: &[{fields}] }}")
        }
    };
    let output = match op.out {
        OutKind::Unit => "Output::Empty",
        OutKind::Json(_) | OutKind::OptJson(_) => "Output::Json",
        OutKind::Binary | OutKind::OptBinary => "Output::Binary",
    };
    let pager = match &op.pager {
        None => "None".to_owned(),
        Some((kind, items)) => {
            let (k, cursor) = match kind {
                Pager::Token => ("Token", "continuation_token"),
                Pager::NextOffset => ("NextOffset", "offset"),
                Pager::DerivedOffset => ("DerivedOffset", "offset"),
            };
            format!(
                "Some(PagerSpec {{ kind: PagerKind::{k}, items: {items:?}, cursor: {cursor:?} }})"
            )
        }
    };
    let about = strip_note_markers(&r.notes).replace('\n', " ");
    // The surface table marks the routes that take no credentials.
    let public = about.starts_with("public");
    format!(
        "    OpSpec {{\n        id: {:?},\n        namespace: {:?},\n        name: {:?},\n        method: {:?},\n        path: {:?},\n        about: {about:?},\n        public: {public},\n        params: &[\n{params}        ],\n        body: {body},\n        output: {output},\n        pager: {pager},\n    }},\n",
        op.id, r.namespace, r.method, op.method, op.path
    )
}

fn first_line(doc: &str) -> String {
    doc.lines().next().unwrap_or("").trim().to_owned()
}

/// A sample value of a path or query parameter within its schema's limits: the Rust
/// expression of its type and the command-line text giving the same value.
fn cli_sample(g: &Gen, t: &Ty, schema: &Value) -> (String, String) {
    let mut inner = vec![schema];
    if let Some(a) = schema.get("anyOf").and_then(Value::as_array) {
        inner.extend(a.iter());
    }
    if let Some(items) = schema.get("items") {
        inner.push(items);
    }
    let get = |k: &str| inner.iter().find_map(|x| x.get(k).and_then(Value::as_f64));
    let (min, max, xmin, xmax) = (
        get("minimum"),
        get("maximum"),
        get("exclusiveMinimum"),
        get("exclusiveMaximum"),
    );
    let number = |v: f64, step: f64| {
        let lo = min.or(xmin.map(|m| m + step));
        let hi = max.or(xmax.map(|m| m - step));
        match (lo, hi) {
            (Some(lo), _) if v < lo => lo,
            (_, Some(hi)) if v > hi => hi,
            _ => v,
        }
    };
    match t {
        Ty::Int => {
            let v = number(3.0, 1.0) as i64;
            (v.to_string(), v.to_string())
        }
        Ty::Float => {
            let v = number(2.5, 0.25);
            (format!("{v:?}"), format!("{v}"))
        }
        Ty::Bool => ("true".into(), "true".into()),
        Ty::IntOrStr => ("m::IntOrString::Int(7)".into(), "7".into()),
        Ty::NumOrStr => ("m::NumberOrString::Number(1.5)".into(), "1.5".into()),
        Ty::Named(n) => match find_def(g, n) {
            Some(Def::Alias { ty, .. }) => cli_sample(g, ty, schema),
            Some(Def::Enum { values, .. }) => {
                let v = values.last().cloned().unwrap_or_default();
                (format!("m::{n}::from({v:?})"), v)
            }
            _ => text_sample(&inner),
        },
        _ => text_sample(&inner),
    }
}

/// Text within the schema's length limits.
fn text_sample(schemas: &[&Value]) -> (String, String) {
    let get = |k: &str| {
        schemas
            .iter()
            .find_map(|x| x.get(k).and_then(Value::as_u64))
    };
    let mut text = "v é/&".to_owned();
    if let Some(min) = get("minLength") {
        while (text.chars().count() as u64) < min {
            text.push('x');
        }
    }
    if let Some(max) = get("maxLength") {
        text = text.chars().take(max as usize).collect();
    }
    (format!("String::from({text:?})"), text)
}

/// One block of the equivalence test: the typed operation, the argument vector, the check.
fn request_case(g: &Gen, r: &Row, op: &Op) -> String {
    let mut argv: Vec<String> = r
        .namespace
        .split('.')
        .filter(|s| !s.is_empty())
        .map(flag)
        .collect();
    argv.push(flag(&r.method));
    let mut new_args = Vec::new();
    let mut extra_argv = String::new();
    let mut sets = String::new();
    let mut tail = Vec::new();
    for a in op_args(op) {
        if a.name == "workspace_id" && op.target_ws == Some(false) {
            new_args.push("Some(\"ws-other\".to_owned())".to_owned());
            tail.push("ws-other".to_owned());
        } else if a.name == "content_type" {
            new_args.push("\"application/x-ndjson\".to_owned()".to_owned());
            argv.extend(["--content-type".into(), "application/x-ndjson".into()]);
        } else if a.name == "body" {
            match &op.body {
                BodyKind::Raw => {
                    new_args
                        .push("bytes::Bytes::from_static(b\"{\\\"a\\\":1}\").into()".to_owned());
                    argv.extend(["--data".into(), "{\"a\":1}".into()]);
                }
                BodyKind::Json { ty, .. } => {
                    new_args.push(sample(g, ty, 0));
                    extra_argv.push_str(
                        "    argv.push(\"--data\".into());\n    argv.push(serde_json::to_string(&op.body).unwrap());\n",
                    );
                }
                BodyKind::Multipart { .. } => {
                    new_args.push(sample(g, &op_body_ty(op), 0));
                    for f in multipart_fields(g, op) {
                        let (fl, id) = (flag(&f.wire), &f.ident);
                        // A file field: the sample's bytes go to a file, which both the SDK's
                        // part and the command line then stream from.
                        let line = match (*f.ty.strip_opt() == Ty::File, matches!(f.ty, Ty::Opt(_))) {
                            (true, false) => format!(
                                "    {{ let (part, arg) = file_arg(&op.body.{id}); op.body.{id} = part; argv.push(\"--{fl}\".into()); argv.push(arg); }}"
                            ),
                            (true, true) => format!(
                                "    if let Some(v) = op.body.{id}.clone() {{ let (part, arg) = file_arg(&v); op.body.{id} = Some(part); argv.push(\"--{fl}\".into()); argv.push(arg); }}"
                            ),
                            (false, false) => format!(
                                "    {{ let v = &op.body.{id}; argv.push(\"--{fl}\".into()); argv.push(v.to_string()); }}"
                            ),
                            (false, true) => format!(
                                "    if let Some(v) = &op.body.{id} {{ argv.push(\"--{fl}\".into()); argv.push(v.to_string()); }}"
                            ),
                        };
                        let _ = writeln!(extra_argv, "{line}");
                    }
                }
                BodyKind::None => {}
            }
        } else if let Some(p) = op.params.iter().find(|p| p.ident == a.name) {
            let (expr, text) = cli_sample(g, &p.ty, &p.schema);
            let expr = match (&p.ty, p.loc) {
                (Ty::Vec(inner), _) => format!("vec![{}]", cli_sample(g, inner, &p.schema).0),
                _ => expr,
            };
            new_args.push(expr);
            match p.loc {
                Loc::Path => tail.push(text),
                _ => {
                    let text = match &p.ty {
                        Ty::Vec(inner) => cli_sample(g, inner, &p.schema).1,
                        _ => text,
                    };
                    argv.extend([format!("--{}", flag(&p.wire)), text]);
                }
            }
        }
    }
    // Path arguments come first on the command line, in template order.
    let mut positional: Vec<String> = Vec::new();
    let mut flags: Vec<String> = Vec::new();
    let head_len = r.namespace.split('.').filter(|s| !s.is_empty()).count() + 1;
    positional.extend(argv[..head_len].iter().cloned());
    flags.extend(argv[head_len..].iter().cloned());
    // The optional target workspace goes last among the positionals.
    let (ws, others): (Vec<String>, Vec<String>) = tail.into_iter().partition(|t| t == "ws-other");
    positional.extend(others);
    positional.extend(ws);
    for p in op
        .params
        .iter()
        .filter(|p| p.loc != Loc::Path && !p.required && p.konst.is_none())
    {
        let (expr, text, list) = match &p.ty {
            Ty::Vec(inner) => {
                let (e, t) = cli_sample(g, inner, &p.schema);
                (format!("vec![{e}, {e}]"), t, true)
            }
            t => {
                let (e, t) = cli_sample(g, t, &p.schema);
                (format!("Some({e})"), t, false)
            }
        };
        let _ = write!(sets, " op.{} = {expr};", p.ident);
        let times = if list { 2 } else { 1 };
        for _ in 0..times {
            flags.extend([format!("--{}", flag(&p.wire)), text.clone()]);
        }
    }
    let new = format!(
        "ops::{}::{}::new({})",
        op.module,
        op.pascal,
        new_args.join(", ")
    );
    let value = if sets.is_empty() {
        new
    } else {
        format!("{{ let mut op = {new};{sets} op }}")
    };
    let words: Vec<String> = positional
        .iter()
        .chain(flags.iter())
        .map(|s| format!("{s:?}.to_owned()"))
        .collect();
    format!(
        "{{\n    let mut op = {value};\n    let mut argv: Vec<String> = vec![{}];\n{extra_argv}    same_request(&op, &argv);\n    seen.push({:?});\n}}\n",
        words.join(", "),
        op.id
    )
}

fn op_body_ty(op: &Op) -> Ty {
    match &op.body {
        BodyKind::Json { ty, .. } | BodyKind::Multipart { ty } => ty.clone(),
        _ => Ty::Any,
    }
}
