//! Printing answers: pretty JSON on a terminal, compact when piped, `--fields` selection.

use serde_json::{Map, Value};
use std::io::{IsTerminal, Write};

/// How JSON is printed.
#[derive(Debug, Clone, Default)]
pub struct Printer {
    /// Indented output (stdout is a terminal).
    pub pretty: bool,
    /// The fields to keep (dotted paths); empty keeps everything.
    pub fields: Vec<String>,
}

impl Printer {
    /// Pretty when stdout is a terminal.
    pub fn for_stdout(fields: Vec<String>) -> Printer {
        Printer {
            pretty: std::io::stdout().is_terminal(),
            fields,
        }
    }

    /// Prints a whole answer: `--fields` applies to the object, to each element of an array, or
    /// to each item of a page (an object with an `items` array).
    pub fn print(
        &self,
        out: &mut impl Write,
        value: &Value,
        page_items: Option<&str>,
    ) -> std::io::Result<()> {
        let shown = self.select_answer(value, page_items);
        let text = if self.pretty {
            serde_json::to_string_pretty(&shown)
        } else {
            serde_json::to_string(&shown)
        }
        .map_err(std::io::Error::other)?;
        writeln!(out, "{text}")
    }

    /// Prints one listed item on its own line (always compact, for `--all` and event streams).
    pub fn print_line(&self, out: &mut impl Write, value: &Value) -> std::io::Result<()> {
        let shown = self.select(value);
        let text = serde_json::to_string(&shown).map_err(std::io::Error::other)?;
        writeln!(out, "{text}")?;
        out.flush()
    }

    fn select_answer(&self, value: &Value, page_items: Option<&str>) -> Value {
        if self.fields.is_empty() {
            return value.clone();
        }
        match value {
            Value::Array(a) => Value::Array(a.iter().map(|v| self.select(v)).collect()),
            Value::Object(o) => {
                let items = page_items.unwrap_or("items");
                match o.get(items) {
                    Some(Value::Array(a)) => {
                        let mut page = o.clone();
                        page.insert(
                            items.to_owned(),
                            Value::Array(a.iter().map(|v| self.select(v)).collect()),
                        );
                        Value::Object(page)
                    }
                    _ => self.select(value),
                }
            }
            other => other.clone(),
        }
    }

    /// The object with only the chosen fields (a dotted path keeps its nesting); anything but an
    /// object is kept whole.
    pub fn select(&self, value: &Value) -> Value {
        if self.fields.is_empty() || !value.is_object() {
            return value.clone();
        }
        let mut out = Map::new();
        for f in &self.fields {
            let path: Vec<&str> = f.split('.').filter(|s| !s.is_empty()).collect();
            if let Some(v) = lookup(value, &path) {
                insert(&mut out, &path, v.clone());
            }
        }
        Value::Object(out)
    }
}

fn lookup<'v>(value: &'v Value, path: &[&str]) -> Option<&'v Value> {
    path.iter().try_fold(value, |v, k| v.get(*k))
}

fn insert(out: &mut Map<String, Value>, path: &[&str], v: Value) {
    match path {
        [] => {}
        [last] => {
            out.insert((*last).to_owned(), v);
        }
        [first, rest @ ..] => {
            let entry = out
                .entry((*first).to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(m) = entry {
                insert(m, rest, v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn printer(fields: &[&str]) -> Printer {
        Printer {
            pretty: false,
            fields: fields.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn fields_pick_top_level_and_dotted_paths() {
        let v = json!({"id": "a", "name": "n", "meta": {"x": 1, "y": 2}});
        assert_eq!(
            printer(&["id", "meta.y", "absent"]).select(&v),
            json!({"id": "a", "meta": {"y": 2}})
        );
    }

    #[test]
    fn fields_apply_to_each_item_of_a_page() {
        let v = json!({"items": [{"id": 1, "n": 2}], "has_more": false});
        let mut out = Vec::new();
        printer(&["id"]).print(&mut out, &v, None).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"has_more\":false,\"items\":[{\"id\":1}]}\n"
        );
    }
}
