//! Emits `namespaces.rs`: the resource namespaces of the surface table.

use crate::gen::emit::*;
use crate::gen::ir::*;
use crate::gen::quirks::*;
use crate::names::ident;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

/// Namespace path (`""` for the root, `a.b` nested) → its rows; every ancestor exists.
type Tree<'r> = BTreeMap<String, Vec<&'r Row>>;

pub(crate) fn emit_namespaces(
    ops: &[Op],
    rows: &[Row],
    header: &str,
    files: &mut BTreeMap<String, String>,
) {
    let by_id: HashMap<&str, &Op> = ops.iter().map(|o| (o.id.as_str(), o)).collect();
    let mut tree: Tree = BTreeMap::new();
    tree.insert(String::new(), Vec::new());
    for r in rows {
        let mut p = r.namespace.as_str();
        tree.entry(p.to_owned()).or_default().push(r);
        while let Some((parent, _)) = p.rsplit_once('.') {
            tree.entry(parent.to_owned()).or_default();
            p = parent;
        }
    }
    let table = namespace_table(&tree, &by_id, rows.len(), ops.len());
    let mut o = format!(
        "{header}//! Generated namespaces: `client.api().<namespace>()…<method>(…)` returns a [`Call`].
{table}
use crate::call::{{AutoPaging, Call}};
use amigo_platform_core::{{Transport, Scope}};
use crate::generated::models as m;
use crate::generated::ops;
use amigo_platform_core::RequestOptions;

"
    );
    for path in tree.keys() {
        emit_namespace(path, &tree, &by_id, &mut o);
    }
    o.push_str("#[allow(unused_imports)]\nuse m as _;\n");
    files.insert("namespaces.rs".into(), o);
}

/// The namespace table of the module docs.
fn namespace_table(tree: &Tree, by_id: &HashMap<&str, &Op>, n_rows: usize, n_ops: usize) -> String {
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
        let methods = if methods.is_empty() {
            "—".to_owned()
        } else {
            methods.join(", ")
        };
        let (sname, count) = (ns_struct(path), list.len());
        let _ = writeln!(
            table,
            "//! | [`{path}`]({sname}) | `client.api(){accessor}` | {count} | {methods} |"
        );
    }
    let n_ns = tree.len() - 1;
    let _ = writeln!(
        table,
        "//!\n//! {n_ns} namespaces, {n_rows} methods over {n_ops} operations; `*`: auto-paging (also \
         `<method>_auto_paging`)."
    );
    table
}

/// One namespace struct: its constructor, child accessors and methods.
fn emit_namespace(path: &str, tree: &Tree, by_id: &HashMap<&str, &Op>, o: &mut String) {
    let sname = ns_struct(path);
    let label = if path.is_empty() {
        "The root of the generated namespaces.".to_owned()
    } else {
        format!("Namespace `{path}`.")
    };
    let _ = writeln!(
        o,
        "/// {label}
#[derive(Debug, Clone)]
pub struct {sname}<'c, E> {{
    scope: Scope<'c, E>,
}}

impl<'c, E: Transport> {sname}<'c, E> {{
    /// Wraps a scope.
    pub fn new(scope: Scope<'c, E>) -> Self {{
        Self {{ scope }}
    }}

    /// A copy of this namespace whose calls also apply `options`.
    pub fn with_options(&self, options: RequestOptions) -> Self {{
        Self {{ scope: self.scope.with_options(options) }}
    }}
"
    );
    for child in tree.keys() {
        let parent = child
            .rsplit_once('.')
            .map(|(p, _)| p)
            .unwrap_or(if child.is_empty() { "-" } else { "" });
        if parent == path && !child.is_empty() {
            let last = child.rsplit('.').next().unwrap_or(child);
            let (accessor, child_struct) = (ident(last), ns_struct(child));
            let _ = writeln!(
                o,
                "    /// Namespace `{child}`.\n    pub fn {accessor}(&self) -> {child_struct}<'c, E> {{\n        \
                 {child_struct}::new(self.scope.clone())\n    }}\n"
            );
        }
    }
    for r in &tree[path] {
        if let Some(op) = by_id.get(r.op_id.as_str()) {
            emit_method(r, op, o);
        }
    }
    o.push_str("}\n\n");
}

/// A namespace method (and its `_auto_paging` twin when the operation pages).
fn emit_method(r: &Row, op: &Op, o: &mut String) {
    let args = op_args(op);
    let sig: String = args
        .iter()
        .map(|a| format!(", {}: {}", a.name, a.ns_ty))
        .collect();
    let conv: Vec<String> = args.iter().map(|a| a.ns_conv.clone()).collect();
    let conv = conv.join(", ");
    let names: Vec<String> = args.iter().map(|a| a.name.clone()).collect();
    let names = names.join(", ");
    let ty = format!("ops::{}::{}", op.module, op.pascal);
    let m = ident(&r.method);
    let (method, path, id, raw_method) = (&op.method, &op.path, &op.id, &r.method);
    let note = if r.notes.is_empty() {
        String::new()
    } else {
        let text = strip_note_markers(&r.notes)
            .replace('\n', " ")
            .replace('[', "\\[")
            .replace(']', "\\]")
            .replace('<', "\\<");
        format!("\n    ///\n    /// Notes: {text}")
    };
    let _ = writeln!(
        o,
        "    /// `{method} {path}` (`{id}`).{note}\n    \
         pub fn {m}(&self{sig}) -> Call<'c, E, {ty}> {{\n        \
         Call::new(self.scope.clone(), {ty}::new({conv}))\n    }}\n"
    );
    if op.pager.is_some() {
        let _ = writeln!(
            o,
            "    /// `{method} {path}` (`{id}`), every page: yields items.\n    \
             pub fn {raw_method}_auto_paging(&self{sig}) -> Call<'c, E, {ty}, AutoPaging> {{\n        \
             self.{m}({names}).auto_paging()\n    }}\n"
        );
    }
}
