//! Emits `namespaces.rs`: the resource namespaces of the surface table.

use crate::gen::emit::*;
use crate::gen::ir::*;
use crate::gen::quirks::*;
use crate::names::ident;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

pub(crate) fn emit_namespaces(
    ops: &[Op],
    rows: &[Row],
    header: &str,
    files: &mut BTreeMap<String, String>,
) {
    let by_id: HashMap<&str, &Op> = ops.iter().map(|o| (o.id.as_str(), o)).collect();
    // namespace path → rows; make every ancestor exist.
    let mut tree: BTreeMap<String, Vec<&Row>> = BTreeMap::new();
    tree.insert(String::new(), Vec::new());
    for r in rows {
        let mut p = r.namespace.as_str();
        tree.entry(p.to_owned()).or_default().push(r);
        while let Some((parent, _)) = p.rsplit_once('.') {
            tree.entry(parent.to_owned()).or_default();
            p = parent;
        }
    }
    // The namespace table of the module docs.
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
        let _ = writeln!(
            table,
            "//! | [`{path}`]({}) | `client.api(){accessor}` | {} | {} |",
            ns_struct(path),
            list.len(),
            if methods.is_empty() {
                "—".to_owned()
            } else {
                methods.join(", ")
            }
        );
    }
    let _ = writeln!(
        table,
        "//!\n//! {} namespaces, {} methods over {} operations; `*`: auto-paging (also \
         `<method>_auto_paging`).",
        tree.len() - 1,
        rows.len(),
        ops.len()
    );
    let mut o = format!(
        "{header}//! Generated namespaces: `client.api().<namespace>()…<method>(…)` returns a [`Call`].\n{table}\n\
         use crate::call::Call;\nuse amigo_platform_core::client::{{AutoPaging, Transport, Scope}};\nuse crate::generated::models as m;\n\
         use crate::generated::ops;\nuse amigo_platform_core::options::RequestOptions;\n\n"
    );
    let paths: Vec<String> = tree.keys().cloned().collect();
    for path in &paths {
        let sname = ns_struct(path);
        let label = if path.is_empty() {
            "The root of the generated namespaces.".to_owned()
        } else {
            format!("Namespace `{path}`.")
        };
        let _ = writeln!(
            o,
            "/// {label}\n#[derive(Debug, Clone)]\npub struct {sname}<'c, E> {{\n    scope: Scope<'c, E>,\n}}\n\n\
             impl<'c, E: Transport> {sname}<'c, E> {{\n    /// Wraps a scope.\n    pub fn new(scope: Scope<'c, E>) -> Self {{\n        Self {{ scope }}\n    }}\n\n    \
             /// A copy of this namespace whose calls also apply `options`.\n    pub fn with_options(&self, options: RequestOptions) -> Self {{\n        Self {{ scope: self.scope.with_options(options) }}\n    }}\n"
        );
        // children
        for child in &paths {
            let parent = child
                .rsplit_once('.')
                .map(|(p, _)| p)
                .unwrap_or(if child.is_empty() { "-" } else { "" });
            if parent == path && !child.is_empty() {
                let last = child.rsplit('.').next().unwrap();
                let _ = writeln!(
                    o,
                    "    /// Namespace `{child}`.\n    pub fn {}(&self) -> {}<'c, E> {{\n        {}::new(self.scope.clone())\n    }}\n",
                    ident(last),
                    ns_struct(child),
                    ns_struct(child)
                );
            }
        }
        for r in &tree[path] {
            let op = by_id[r.op_id.as_str()];
            let args = op_args(op);
            let sig: Vec<String> = args
                .iter()
                .map(|a| format!("{}: {}", a.name, a.ns_ty))
                .collect();
            let conv: Vec<String> = args.iter().map(|a| a.ns_conv.clone()).collect();
            let names: Vec<String> = args.iter().map(|a| a.name.clone()).collect();
            let ty = format!("ops::{}::{}", op.module, op.pascal);
            let m = ident(&r.method);
            let note = if r.notes.is_empty() {
                String::new()
            } else {
                format!(
                    "\n    ///\n    /// Notes: {}",
                    strip_note_markers(&r.notes)
                        .replace('\n', " ")
                        .replace('[', "\\[")
                        .replace(']', "\\]")
                        .replace('<', "\\<")
                )
            };
            let _ = writeln!(
                o,
                "    /// `{} {}` (`{}`).{note}\n    pub fn {m}(&self{}{}) -> Call<'c, E, {ty}> {{\n        Call::new(self.scope.pending({ty}::new({})))\n    }}\n",
                op.method,
                op.path,
                op.id,
                if sig.is_empty() { "" } else { ", " },
                sig.join(", "),
                conv.join(", ")
            );
            if op.pager.is_some() {
                let _ = writeln!(
                    o,
                    "    /// `{} {}` (`{}`), every page: yields items.\n    pub fn {}_auto_paging(&self{}{}) -> Call<'c, E, {ty}, AutoPaging> {{\n        self.{m}({}).auto_paging()\n    }}\n",
                    op.method,
                    op.path,
                    op.id,
                    r.method,
                    if sig.is_empty() { "" } else { ", " },
                    sig.join(", "),
                    names.join(", ")
                );
            }
        }
        o.push_str("}\n\n");
    }
    o.push_str("#[allow(unused_imports)]\nuse m as _;\n");
    files.insert("namespaces.rs".into(), o);
}
