//! The typed items of a validation error (a FastAPI `detail` array).

use super::redact::{is_sensitive_key, redact_json, REDACTED};
use serde_json::Value;
use std::fmt;

/// One segment of a validation item's `loc`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocSegment {
    /// A field name.
    Field(String),
    /// A list index.
    Index(i64),
}

impl fmt::Display for LocSegment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LocSegment::Field(s) => f.write_str(s),
            LocSegment::Index(i) => write!(f, "{i}"),
        }
    }
}

/// One item of a FastAPI validation error (`detail` array).
///
/// `Debug` hides the `input` of an item whose `loc` names a secret field, and redacts
/// secrets in the rest by key.
#[derive(Clone, PartialEq)]
pub enum ValidationIssue {
    /// An item of the expected shape.
    Item {
        /// Where the problem is (`["body", "name"]`).
        loc: Vec<LocSegment>,
        /// The human-readable message.
        msg: String,
        /// The machine-readable type (`missing`).
        kind: String,
        /// The offending input, when sent.
        input: Option<Value>,
        /// Extra context, when sent.
        ctx: Option<Value>,
    },
    /// An item that did not fit the shape, kept as raw JSON.
    Raw(Value),
}

impl fmt::Debug for ValidationIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValidationIssue::Item {
                loc,
                msg,
                kind,
                input,
                ctx,
            } => {
                let secret = loc
                    .iter()
                    .any(|s| matches!(s, LocSegment::Field(name) if is_sensitive_key(name)));
                let input = input.as_ref().map(|v| {
                    if secret {
                        Value::String(REDACTED.to_owned())
                    } else {
                        redact_json(v)
                    }
                });
                f.debug_struct("Item")
                    .field("loc", loc)
                    .field("msg", msg)
                    .field("kind", kind)
                    .field("input", &input)
                    .field("ctx", &ctx.as_ref().map(redact_json))
                    .finish()
            }
            ValidationIssue::Raw(v) => f.debug_tuple("Raw").field(&redact_json(v)).finish(),
        }
    }
}

impl ValidationIssue {
    pub(super) fn from_value(v: &Value) -> ValidationIssue {
        let parsed = (|| {
            let obj = v.as_object()?;
            let msg = obj.get("msg")?.as_str()?.to_owned();
            let kind = obj
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let loc = match obj.get("loc") {
                None => Vec::new(),
                Some(Value::Array(parts)) => parts
                    .iter()
                    .map(|p| match p {
                        Value::String(s) => Some(LocSegment::Field(s.clone())),
                        Value::Number(n) => n.as_i64().map(LocSegment::Index),
                        _ => None,
                    })
                    .collect::<Option<Vec<_>>>()?,
                Some(_) => return None,
            };
            Some(ValidationIssue::Item {
                loc,
                msg,
                kind,
                input: obj.get("input").cloned(),
                ctx: obj.get("ctx").cloned(),
            })
        })();
        parsed.unwrap_or_else(|| ValidationIssue::Raw(v.clone()))
    }

    pub(super) fn summary(&self) -> Option<String> {
        match self {
            ValidationIssue::Item { loc, msg, .. } if loc.is_empty() => Some(msg.clone()),
            ValidationIssue::Item { loc, msg, .. } => Some(format!(
                "{}: {msg}",
                loc.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(".")
            )),
            ValidationIssue::Raw(v) => v.get("msg").and_then(Value::as_str).map(str::to_owned),
        }
    }
}
