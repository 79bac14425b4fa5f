//! Query and body validation in the FastAPI / pydantic v2 shapes: query parameters, integer bounds and JSON body fields.

use serde_json::{json, Map, Value};

use super::Reply;

/// The last value of a query parameter, like Starlette's `QueryParams.get`.
pub(super) fn last<'q>(query: &'q [(String, String)], name: &str) -> Option<&'q str> {
    query
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Bounds of an integer query parameter.
pub(super) struct IntRule {
    pub(super) name: &'static str,
    pub(super) default: i64,
    /// Exclusive lower bound (`gt`).
    pub(super) gt: Option<i64>,
    /// Inclusive lower bound (`ge`).
    pub(super) ge: Option<i64>,
    /// Inclusive upper bound (`le`).
    pub(super) le: Option<i64>,
}

/// `limit` of the offset-paged and calls listings: default 20, 1..=100 (OpenAPI bounds).
pub(super) const LIMIT_20_OF_100: IntRule = IntRule {
    name: "limit",
    default: 20,
    gt: None,
    ge: Some(1),
    le: Some(100),
};

/// `offset`: default 0, at least 0.
pub(super) const OFFSET: IntRule = IntRule {
    name: "offset",
    default: 0,
    gt: None,
    ge: Some(0),
    le: None,
};

/// Parses an integer query parameter, pushing a validation item when it is bad.
pub(super) fn int_param(
    query: &[(String, String)],
    rule: &IntRule,
    errors: &mut Vec<Value>,
) -> i64 {
    let Some(raw) = last(query, rule.name) else {
        return rule.default;
    };
    let loc = json!(["query", rule.name]);
    let Ok(n) = raw.trim().parse::<i64>() else {
        errors.push(json!({
            "type": "int_parsing",
            "loc": loc,
            "msg": "Input should be a valid integer, unable to parse string as an integer",
            "input": raw,
        }));
        return rule.default;
    };
    if let Some(gt) = rule.gt {
        if n <= gt {
            errors.push(json!({
                "type": "greater_than",
                "loc": loc,
                "msg": format!("Input should be greater than {gt}"),
                "input": raw,
                "ctx": {"gt": gt},
            }));
            return rule.default;
        }
    }
    if let Some(ge) = rule.ge {
        if n < ge {
            errors.push(json!({
                "type": "greater_than_equal",
                "loc": loc,
                "msg": format!("Input should be greater than or equal to {ge}"),
                "input": raw,
                "ctx": {"ge": ge},
            }));
            return rule.default;
        }
    }
    if let Some(le) = rule.le {
        if n > le {
            errors.push(json!({
                "type": "less_than_equal",
                "loc": loc,
                "msg": format!("Input should be less than or equal to {le}"),
                "input": raw,
                "ctx": {"le": le},
            }));
            return rule.default;
        }
    }
    n
}

/// Parses a JSON object request body, or returns the 422 FastAPI would send.
pub(super) fn json_object(body: &[u8]) -> Result<Map<String, Value>, Reply> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Reply::validation(vec![json!({
            "type": "missing",
            "loc": ["body"],
            "msg": "Field required",
            "input": null,
        })]));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(Reply::validation(vec![json!({
            "type": "model_attributes_type",
            "loc": ["body"],
            "msg": "Input should be a valid dictionary or object to extract fields from",
            "input": other,
        })])),
        Err(e) => Err(Reply::validation(vec![json!({
            "type": "json_invalid",
            "loc": ["body", byte_offset(body, e.line(), e.column())],
            "msg": "JSON decode error",
            "input": {},
            "ctx": {"error": e.to_string()},
        })])),
    }
}

/// Converts serde_json's 1-based line/column into a 0-based byte offset.
pub(super) fn byte_offset(body: &[u8], line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in body.split(|b| *b == b'\n').enumerate() {
        if i + 1 == line {
            return (offset + column.saturating_sub(1)).min(body.len());
        }
        offset += l.len() + 1;
    }
    body.len()
}

/// Validates an optional string field of a body object (`required` adds a `missing` item when absent; null counts as absent when not required).
pub(super) fn string_field(
    obj: &Map<String, Value>,
    name: &'static str,
    required: bool,
    min: usize,
    max: usize,
    errors: &mut Vec<Value>,
) -> Option<String> {
    let loc = json!(["body", name]);
    match obj.get(name) {
        None => {
            if required {
                errors.push(json!({
                    "type": "missing",
                    "loc": loc,
                    "msg": "Field required",
                    "input": Value::Object(obj.clone()),
                }));
            }
            None
        }
        Some(Value::Null) if !required => None,
        Some(Value::String(s)) => {
            let chars = s.chars().count();
            if chars < min {
                errors.push(json!({
                    "type": "string_too_short",
                    "loc": loc,
                    "msg": format!("String should have at least {min} character{}", if min == 1 { "" } else { "s" }),
                    "input": s,
                    "ctx": {"min_length": min},
                }));
                None
            } else if chars > max {
                errors.push(json!({
                    "type": "string_too_long",
                    "loc": loc,
                    "msg": format!("String should have at most {max} characters"),
                    "input": s,
                    "ctx": {"max_length": max},
                }));
                None
            } else {
                Some(s.clone())
            }
        }
        Some(other) => {
            errors.push(json!({
                "type": "string_type",
                "loc": loc,
                "msg": "Input should be a valid string",
                "input": other,
            }));
            None
        }
    }
}

pub(super) const AGENT_LIMIT: IntRule = IntRule {
    name: "limit",
    default: 10,
    gt: Some(0),
    ge: None,
    le: Some(20),
};

pub(super) const CONTINUATION: IntRule = IntRule {
    name: "continuation_token",
    default: 0,
    gt: None,
    ge: None,
    le: None,
};
