//! Following redirects: which `Location` a hop goes to (RFC 3986 reference resolution), and
//! whether it stays on the request's origin (credential headers are dropped when it leaves).

/// Redirect hops followed at most per call.
pub(crate) const MAX_REDIRECTS: u32 = 20;

/// The origin of an absolute URL: lower-cased scheme and host, and the port (the scheme's
/// default when none is written), so `https://api.test` and `https://API.test:443` match.
fn origin(url: &str) -> Option<(String, String, u16)> {
    let uri: http::Uri = url.parse().ok()?;
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let host = uri.host()?.to_ascii_lowercase();
    let port = match (uri.port_u16(), scheme.as_str()) {
        (Some(p), _) => p,
        (None, "http") => 80,
        (None, "https") => 443,
        _ => return None,
    };
    Some((scheme, host, port))
}

/// Whether two absolute URLs share scheme, host and port (false when either is unparsable).
pub(crate) fn same_origin(a: &str, b: &str) -> bool {
    matches!((origin(a), origin(b)), (Some(a), Some(b)) if a == b)
}

/// Removes every header that carries a credential: `Authorization`, `Proxy-Authorization`
/// and every name the redaction rules treat as secret (`Cookie`, `X-Api-Key`, ...).
pub(crate) fn strip_credential_headers(headers: &mut http::HeaderMap) {
    let names: Vec<http::HeaderName> = headers
        .keys()
        .filter(|k| crate::error::redact::is_sensitive_header(k.as_str()))
        .cloned()
        .collect();
    for name in names {
        headers.remove(name);
    }
}

/// Resolves a `Location` value against the current URL (RFC 3986 §5.2 reference
/// resolution, surrounding whitespace ignored, the fragment dropped).
///
/// `None` when the value is empty or the target is not an `http`/`https` URL with a host.
pub(crate) fn resolve_location(base: &str, location: &str) -> Option<String> {
    let location = location.trim();
    if location.is_empty() {
        return None;
    }
    let target = resolve(base, location);
    let scheme = target.scheme?.to_ascii_lowercase();
    if !matches!(scheme.as_str(), "http" | "https") {
        return None;
    }
    let authority = target.authority.filter(|a| !a.is_empty())?;
    let mut out = format!("{scheme}://{authority}{}", target.path);
    if let Some(q) = target.query {
        out.push('?');
        out.push_str(q);
    }
    http::Uri::try_from(out.as_str()).ok()?;
    Some(out)
}

/// The five components of a URI reference (RFC 3986 §3), split as in its Appendix B.
struct UriRef<'a> {
    scheme: Option<&'a str>,
    authority: Option<&'a str>,
    path: &'a str,
    query: Option<&'a str>,
    fragment: Option<&'a str>,
}

fn split_reference(s: &str) -> UriRef<'_> {
    let (rest, fragment) = match s.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (s, None),
    };
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    let (scheme, rest) = match rest.find([':', '/']) {
        Some(i) if rest.as_bytes()[i] == b':' && is_scheme(&rest[..i]) => {
            (Some(&rest[..i]), &rest[i + 1..])
        }
        _ => (None, rest),
    };
    let (authority, path) = match rest.strip_prefix("//") {
        Some(r) => {
            let end = r.find('/').unwrap_or(r.len());
            (Some(&r[..end]), &r[end..])
        }
        None => (None, rest),
    };
    UriRef {
        scheme,
        authority,
        path,
        query,
        fragment,
    }
}

/// `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`.
fn is_scheme(s: &str) -> bool {
    let mut bytes = s.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

/// A resolved target URI (RFC 3986 §5.2.2), the path already free of dot segments.
struct Resolved<'a> {
    scheme: Option<&'a str>,
    authority: Option<&'a str>,
    path: String,
    query: Option<&'a str>,
    /// Kept for a complete resolution; redirect targets drop it.
    #[cfg_attr(not(test), allow(dead_code))]
    fragment: Option<&'a str>,
}

/// RFC 3986 §5.2.2 (strict: a reference with a scheme is absolute).
fn resolve<'a>(base: &'a str, reference: &'a str) -> Resolved<'a> {
    let b = split_reference(base);
    let r = split_reference(reference);
    if r.scheme.is_some() {
        return Resolved {
            scheme: r.scheme,
            authority: r.authority,
            path: remove_dot_segments(r.path),
            query: r.query,
            fragment: r.fragment,
        };
    }
    let (authority, path, query) = if r.authority.is_some() {
        (r.authority, remove_dot_segments(r.path), r.query)
    } else if r.path.is_empty() {
        (b.authority, b.path.to_owned(), r.query.or(b.query))
    } else if r.path.starts_with('/') {
        (b.authority, remove_dot_segments(r.path), r.query)
    } else {
        let merged = if b.authority.is_some() && b.path.is_empty() {
            format!("/{}", r.path)
        } else {
            let dir = b.path.rfind('/').map_or("", |i| &b.path[..=i]);
            format!("{dir}{}", r.path)
        };
        (b.authority, remove_dot_segments(&merged), r.query)
    };
    Resolved {
        scheme: b.scheme,
        authority,
        path,
        query,
        fragment: r.fragment,
    }
}

/// RFC 3986 §5.2.4.
fn remove_dot_segments(path: &str) -> String {
    fn pop_segment(out: &mut String) {
        let i = out.rfind('/').unwrap_or(0);
        out.truncate(i);
    }
    let mut input = path;
    let mut out = String::with_capacity(path.len());
    while !input.is_empty() {
        if let Some(rest) = input.strip_prefix("../") {
            input = rest;
        } else if let Some(rest) = input.strip_prefix("./") {
            input = rest;
        } else if input.starts_with("/./") {
            input = &input[2..];
        } else if input == "/." {
            input = "/";
        } else if input.starts_with("/../") {
            input = &input[3..];
            pop_segment(&mut out);
        } else if input == "/.." {
            input = "/";
            pop_segment(&mut out);
        } else if input == "." || input == ".." {
            input = "";
        } else {
            let start = usize::from(input.starts_with('/'));
            let end = input[start..].find('/').map_or(input.len(), |i| i + start);
            out.push_str(&input[..end]);
            input = &input[end..];
        }
    }
    out
}

/// Resolves and recomposes a reference (RFC 3986 §5.2-§5.3), keeping the fragment.
#[cfg(test)]
pub(crate) fn resolve_reference(base: &str, reference: &str) -> String {
    let t = resolve(base, reference);
    let mut out = String::new();
    if let Some(s) = t.scheme {
        out.push_str(s);
        out.push(':');
    }
    if let Some(a) = t.authority {
        out.push_str("//");
        out.push_str(a);
    }
    out.push_str(&t.path);
    if let Some(q) = t.query {
        out.push('?');
        out.push_str(q);
    }
    if let Some(f) = t.fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}
