//! Redaction of secrets in diagnostic output.

use serde_json::Value;

/// The text that replaces a redacted value.
pub const REDACTED: &str = "[REDACTED]";

/// JSON keys (matched case-insensitively) whose values are never shown in diagnostics.
pub(crate) const SENSITIVE_KEYS: &[&str] = &[
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
    "proxy-authorization",
    "x-auth-token",
    "client_secret",
    "signing_secret",
    "private_key",
    "link_token",
    "bearer_token",
    "session_token",
];

/// Whether a JSON key, header name, model field or path parameter names a secret.
///
/// The rule: the name (case-insensitive) is in the SDK's list of sensitive keys, or ends in `_secret`,
/// or is such a name followed by `_value` (`client_secret_value`, `api_key_value`).
/// Names like `key`, `key_id`, `max_tokens` or `continuation_token` are not secrets.
pub fn is_sensitive_key(key: &str) -> bool {
    // Byte-wise: the names come from servers and need not be ASCII.
    let ends_with = |k: &[u8], suffix: &[u8]| {
        k.len() > suffix.len() && k[k.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
    };
    let listed = |k: &[u8]| {
        SENSITIVE_KEYS
            .iter()
            .any(|s| s.as_bytes().eq_ignore_ascii_case(k))
            || ends_with(k, b"_secret")
    };
    let key = key.as_bytes();
    listed(key) || ends_with(key, b"_value") && listed(&key[..key.len() - 6])
}

/// Whether a header's value is hidden wherever headers are printed.
pub(crate) fn is_sensitive_header(name: &str) -> bool {
    is_sensitive_key(name)
}

/// Path segments, right after `/s/` or `/upload/`, that are route names rather than tokens.
const CAPABILITY_LITERALS: &[&str] = &["f", "vcard"];

/// Returns `url` with capability tokens replaced by [`REDACTED`], for display.
///
/// Redacted are: the segment after an `s` or `upload` path segment (the patient-surface and
/// intake-upload tokens, except the route names `f` and `vcard` under `s`), the value of a
/// sensitive query parameter (`token=`), and, when the path `template` is known, every
/// segment filled by a path parameter whose name [`is_sensitive_key`] (aligned from the end
/// of the path, so a base-URL prefix does not matter).
pub fn redact_url(url: &str, template: Option<&str>) -> String {
    let (head, frag) = match url.split_once('#') {
        Some((h, f)) => (h, Some(f)),
        None => (url, None),
    };
    let (before_query, query) = match head.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (head, None),
    };
    let path_start = match before_query.find("://") {
        Some(i) => before_query[i + 3..]
            .find('/')
            .map_or(before_query.len(), |j| i + 3 + j),
        None => 0,
    };
    let (origin, path) = before_query.split_at(path_start);
    let mut segments: Vec<&str> = path.split('/').collect();
    let mut secret = vec![false; segments.len()];
    for i in 1..segments.len() {
        let prev = segments[i - 1];
        if (prev == "upload" || prev == "s" && !CAPABILITY_LITERALS.contains(&segments[i]))
            && !segments[i].is_empty()
        {
            secret[i] = true;
        }
    }
    if let Some(t) = template {
        let t = t.split(['?', '#']).next().unwrap_or_default();
        let tsegs: Vec<&str> = t.split('/').collect();
        for (k, ts) in tsegs.iter().rev().enumerate() {
            let Some(i) = segments.len().checked_sub(k + 1) else {
                break;
            };
            let name = ts.strip_prefix('{').and_then(|r| r.strip_suffix('}'));
            if name.is_some_and(is_sensitive_key) {
                secret[i] = true;
            }
        }
    }
    for (seg, s) in segments.iter_mut().zip(&secret) {
        if *s {
            *seg = REDACTED;
        }
    }
    let mut out = String::with_capacity(url.len());
    out.push_str(origin);
    out.push_str(&segments.join("/"));
    if let Some(q) = query {
        out.push('?');
        let parts: Vec<String> = q
            .split('&')
            .map(|kv| match kv.split_once('=') {
                Some((k, _)) if is_sensitive_key(k) => format!("{k}={REDACTED}"),
                _ => kv.to_owned(),
            })
            .collect();
        out.push_str(&parts.join("&"));
    }
    if let Some(f) = frag {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// Renders a body for diagnostics: redacted JSON when it parses, otherwise its length.
pub fn body_debug(body: &[u8]) -> String {
    match serde_json::from_slice::<Value>(body) {
        Ok(v) => redact_json(&v).to_string(),
        Err(_) => format!("<{} bytes>", body.len()),
    }
}

/// Whether a FastAPI validation item's `loc` names a secret field (any string segment).
fn loc_is_sensitive(loc: Option<&Value>) -> bool {
    match loc {
        Some(Value::Array(parts)) => parts
            .iter()
            .any(|p| p.as_str().is_some_and(is_sensitive_key)),
        Some(Value::String(s)) => is_sensitive_key(s),
        _ => false,
    }
}

/// Returns a copy of `value` with the values of sensitive keys replaced, recursively.
///
/// An object with a `loc` that names a secret field (a FastAPI validation item such as
/// `{"loc": ["body", "api_key"], "input": "sk-…"}`) also has its `input` replaced.
pub fn redact_json(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object({
            let secret_input = loc_is_sensitive(map.get("loc"));
            map.iter()
                .map(|(k, v)| {
                    if is_sensitive_key(k) || secret_input && k == "input" {
                        (k.clone(), Value::String(REDACTED.to_owned()))
                    } else {
                        (k.clone(), redact_json(v))
                    }
                })
                .collect()
        }),
        Value::Array(items) => Value::Array(items.iter().map(redact_json).collect()),
        other => other.clone(),
    }
}

/// Renders a raw body for diagnostics: redacted JSON when it parses, otherwise the text
/// with every occurrence of the given secrets replaced.
pub(crate) fn redact_text(raw: &str, secrets: &[&str]) -> String {
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
pub(crate) fn headers_debug(headers: &http::HeaderMap) -> Vec<(String, String)> {
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

    #[test]
    fn sensitive_key_rule() {
        for k in [
            "token",
            "API_KEY",
            "client_secret",
            "signing_secret",
            "exchange_secret",
            "client_secret_value",
            "api_key_value",
            "bearer_token_value",
            "private_key_value",
            "link_token",
            "Proxy-Authorization",
        ] {
            assert!(is_sensitive_key(k), "{k}");
        }
        for k in [
            "key",
            "key_id",
            "max_tokens",
            "continuation_token",
            "token_url",
            "secret_ssm",
            "_value",
            "name_value",
        ] {
            assert!(!is_sensitive_key(k), "{k}");
        }
        assert!(is_sensitive_header("set-cookie") && !is_sensitive_header("accept"));
        // Names from a server need not be ASCII: no slicing inside a character.
        for key in [
            "é_secret",
            "ééééé",
            "éé",
            "💥💥",
            "x💥_value",
            "é_secret_value",
        ] {
            let _ = is_sensitive_key(key);
        }
        assert!(is_sensitive_key("é_secret") && is_sensitive_key("é_secret_value"));
        assert!(!is_sensitive_key("ééééé") && !is_sensitive_key("x💥_value"));
    }

    #[test]
    fn redacts_capability_tokens_in_urls() {
        assert_eq!(
            redact_url("https://h/p/s/abc/spec?x=1&token=t#f", None),
            "https://h/p/s/[REDACTED]/spec?x=1&token=[REDACTED]#f"
        );
        assert_eq!(
            redact_url("/upload/lt/files", None),
            "/upload/[REDACTED]/files"
        );
        assert_eq!(redact_url("https://h/s/f/sid", None), "https://h/s/f/sid");
        assert_eq!(
            redact_url(
                "https://h/base/v1/w/x/secret-1",
                Some("/v1/{workspace_id}/x/{token}")
            ),
            "https://h/base/v1/w/x/[REDACTED]"
        );
        assert_eq!(redact_url("https://h", None), "https://h");
        assert_eq!(redact_url("https://h/s/", Some("/s/")), "https://h/s/");
    }

    #[test]
    fn redacts_validation_input_of_secret_loc() {
        let v = json!({"detail": [
            {"loc": ["body", "client_secret"], "input": "s1"},
            {"loc": ["body", "name"], "input": "n"},
            {"loc": ["body"], "input": {"password": "p", "n": 1}}
        ]});
        assert_eq!(
            redact_json(&v),
            json!({"detail": [
                {"loc": ["body", "client_secret"], "input": REDACTED},
                {"loc": ["body", "name"], "input": "n"},
                {"loc": ["body"], "input": {"password": REDACTED, "n": 1}}
            ]})
        );
    }

    #[test]
    fn bodies_show_as_redacted_json_or_length() {
        assert_eq!(
            body_debug(br#"{"secret":"x"}"#),
            r#"{"secret":"[REDACTED]"}"#
        );
        assert_eq!(body_debug(b"abc"), "<3 bytes>");
    }
}

#[cfg(test)]
mod no_panic {
    use super::*;

    proptest::proptest! {
        /// Display helpers take any text a server or user sends without panicking.
        #[test]
        fn redaction_takes_any_text(
            url in "(https?://[a-zé.:0-9]{0,10})?[a-zé💥/.?#%:@_=&{}-]{0,40}|\\PC{0,60}",
            template in proptest::option::of("[a-zé/{}_.?-]{0,40}|\\PC{0,40}"),
            key in "\\PC{0,20}",
        ) {
            let _ = redact_url(&url, template.as_deref());
            let _ = is_sensitive_key(&key);
            let _ = redact_json(&serde_json::json!({ key.clone(): url.clone(), "detail": [{"loc": ["body", key], "input": url}] }));
        }
    }
}
