//! Case conversion and identifier rules.

/// Splits a name into words: on non-alphanumerics, lower→upper, digit→upper, and acronym ends.
pub fn words(s: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for i in 0..chars.len() {
        let c = chars[i];
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if c.is_ascii_uppercase() && !cur.is_empty() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                out.push(std::mem::take(&mut cur));
            }
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn cap(w: &str) -> String {
    let lower = w.to_ascii_lowercase();
    let mut c = lower.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// `PascalCase`, one acronym rule everywhere (`WorkspaceSSEEvent` → `WorkspaceSseEvent`).
pub fn pascal(s: &str) -> String {
    let ws = words(s);
    let mut out = String::new();
    for w in &ws {
        if out.ends_with(|c: char| c.is_ascii_digit())
            && w.starts_with(|c: char| c.is_ascii_digit())
        {
            out.push('_');
        }
        out.push_str(&cap(w));
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    out
}

/// `snake_case`.
pub fn snake(s: &str) -> String {
    let ws: Vec<String> = words(s).iter().map(|w| w.to_ascii_lowercase()).collect();
    let mut out = ws.join("_");
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// An enum variant from a wire value: PascalCase, `+` → `Plus`, `V` before a digit.
pub fn variant(value: &str) -> String {
    let v = pascal(&value.replace('+', " plus "));
    if v.is_empty() {
        "Empty".to_owned()
    } else if v == "Unknown" {
        // `Unknown(..)` is the catch-all variant.
        "UnknownValue".to_owned()
    } else {
        v
    }
}

const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// A field or method identifier: keywords become raw identifiers.
pub fn ident(s: &str) -> String {
    if KEYWORDS.contains(&s) {
        format!("r#{s}")
    } else {
        s.to_owned()
    }
}

/// Whether a wire name is already a valid snake identifier.
pub fn is_snake_ident(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some(f) if f.is_ascii_lowercase() || f == '_')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        assert_eq!(pascal("WorkspaceSSEEvent"), "WorkspaceSseEvent");
        assert_eq!(pascal("HTTPValidationError"), "HttpValidationError");
        assert_eq!(pascal("_DayHours"), "DayHours");
        assert_eq!(variant("0-17"), "V0_17");
        assert_eq!(variant("80+"), "V80Plus");
        assert_eq!(variant("us-east-1"), "UsEast1");
        assert_eq!(
            variant("operator.access_token_generated"),
            "OperatorAccessTokenGenerated"
        );
        assert_eq!(
            snake("get-context_graph-version"),
            "get_context_graph_version"
        );
        assert_eq!(snake("Review Queue"), "review_queue");
        assert_eq!(snake("Self-Image"), "self_image");
    }
}
