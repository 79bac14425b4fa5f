//! Redaction of secrets in diagnostic output [D11].

use serde_json::Value;

/// The text that replaces a redacted value.
pub const REDACTED: &str = "[REDACTED]";

/// JSON keys (matched case-insensitively) whose values are never shown in diagnostics.
pub const SENSITIVE_KEYS: &[&str] = &[
    "id_token",
    "access_token",
    "refresh_token",
    "authorization",
    "api_key",
    "apikey",
    "token",
    "secret",
    "password",
    "x-api-key",
    "cookie",
    "set-cookie",
];

/// Whether a JSON key or header name names a secret.
pub fn is_sensitive_key(key: &str) -> bool {
    SENSITIVE_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key))
}

/// Whether a header's value is hidden wherever headers are printed.
pub fn is_sensitive_header(name: &str) -> bool {
    [
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
    ]
    .iter()
    .any(|k| k.eq_ignore_ascii_case(name))
}

/// Returns a copy of `value` with the values of sensitive keys replaced, recursively.
pub fn redact_json(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    if is_sensitive_key(k) {
                        (k.clone(), Value::String(REDACTED.to_owned()))
                    } else {
                        (k.clone(), redact_json(v))
                    }
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redact_json).collect()),
        other => other.clone(),
    }
}

/// Renders a raw body for diagnostics: redacted JSON when it parses, otherwise the text
/// with every occurrence of the given secrets replaced.
pub fn redact_text(raw: &str, secrets: &[&str]) -> String {
    if let Ok(v) = serde_json::from_str::<Value>(raw) {
        return redact_json(&v).to_string();
    }
    let mut out = raw.to_owned();
    for s in secrets.iter().filter(|s| !s.is_empty()) {
        out = out.replace(s, REDACTED);
    }
    out
}

/// Formats a header map for diagnostics, hiding sensitive values.
pub fn headers_debug(headers: &http::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(k, v)| {
            let shown = if is_sensitive_header(k.as_str()) {
                REDACTED.to_owned()
            } else {
                String::from_utf8_lossy(v.as_bytes()).into_owned()
            };
            (k.as_str().to_owned(), shown)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn redacts_nested_keys_case_insensitively() {
        let v = json!({"Access_Token": "a", "nested": [{"api_key": "k", "ok": 1}], "x": "y"});
        let r = redact_json(&v);
        assert_eq!(
            r,
            json!({"Access_Token": REDACTED, "nested": [{"api_key": REDACTED, "ok": 1}], "x": "y"})
        );
    }

    #[test]
    fn redacts_secrets_in_plain_text() {
        assert_eq!(
            redact_text("key sk-1 here sk-1", &["sk-1", ""]),
            "key [REDACTED] here [REDACTED]"
        );
    }
}
