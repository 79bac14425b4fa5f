//! URL and subprotocol builders for the observer, text-stream and session-connect WebSockets. Every failure is a Config error with the reference SDK's message.

use crate::call::encode::{encode_component, encode_form_component};
use crate::config::Config;
use crate::error::Error;
use std::fmt::Write;

/// The longest token a subprotocol or query token may have.
pub const MAX_TOKEN_CHARS: usize = 4096;

/// A URL split into the parts the builders need.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Parsed<'a> {
    scheme: String,
    authority: &'a str,
    path: &'a str,
    query: Option<&'a str>,
    fragment: Option<&'a str>,
}

/// Whether `url` starts with `^[a-z][a-z\d+.-]*://` (case-insensitive).
fn has_scheme(url: &str) -> bool {
    let Some((scheme, _)) = url.split_once("://") else {
        return false;
    };
    let mut chars = scheme.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
}

/// Parses an absolute URL; the error text is what the messages carry.
fn parse(url: &str) -> Result<Parsed<'_>, String> {
    if !has_scheme(url) {
        return Err(format!("relative URL without a base: `{url}`"));
    }
    if url.chars().any(|c| c.is_ascii_control() || c == ' ') {
        return Err(format!("invalid character in URL: `{url}`"));
    }
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| format!("relative URL without a base: `{url}`"))?;
    let (rest, fragment) = match rest.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (rest, None),
    };
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    if authority.is_empty() {
        return Err(format!("empty host: `{url}`"));
    }
    authority
        .parse::<http::uri::Authority>()
        .map_err(|e| format!("{e}: `{url}`"))?;
    Ok(Parsed {
        scheme: scheme.to_ascii_lowercase(),
        authority,
        path,
        query,
        fragment,
    })
}

/// `http`/`ws` → `ws`, `https`/`wss` → `wss`, anything else → `None`.
fn ws_scheme(scheme: &str) -> Option<&'static str> {
    match scheme {
        "http" | "ws" => Some("ws"),
        "https" | "wss" => Some("wss"),
        _ => None,
    }
}

fn is_tchar(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '!' | '#'
                | '$'
                | '%'
                | '&'
                | '\''
                | '*'
                | '+'
                | '-'
                | '.'
                | '^'
                | '_'
                | '`'
                | '|'
                | '~'
        )
}

// ---------------------------------------------------------------------------------------------
// Observers

/// The observer stream URL for a call (`/v1/{workspace}/observers/{call_sid}/ws`), or the
/// verbatim `observer_url` override, validated in a fixed order (the first failure is reported).
pub fn observer_url(
    config: &Config,
    call_sid: &str,
    observer_url: Option<&str>,
) -> Result<String, Error> {
    let workspace = config.workspace_id();
    if workspace.is_empty() {
        return Err(Error::config(
            "workspaceId is required to build the observer URL",
        ));
    }
    if call_sid.is_empty() {
        return Err(Error::config(
            "callSid is required to subscribe to the observer stream",
        ));
    }
    if let Some(url) = observer_url {
        let p = parse(url)
            .map_err(|e| Error::config(format!("observerUrl must be an absolute URL: {e}")))?;
        if !matches!(p.scheme.as_str(), "ws" | "wss") {
            return Err(Error::config(
                "observerUrl overrides must use ws: or wss: URLs",
            ));
        }
        if p.query.is_some() || p.fragment.is_some() {
            return Err(Error::config(
                "observerUrl overrides must not include query parameters or fragments",
            ));
        }
        return Ok(url.to_owned());
    }
    let sid_ok = call_sid.len() == 34
        && call_sid.starts_with("CA")
        && call_sid[2..].bytes().all(|b| b.is_ascii_alphanumeric());
    if !sid_ok {
        return Err(Error::config(format!(
            "callSid does not match Twilio CA SID format (CA + 32 hex chars): {call_sid}"
        )));
    }
    let base = config.agent_base_url().unwrap_or(config.base_url());
    let p = parse(base)
        .map_err(|e| Error::config(format!("observerUrl cannot be derived from baseUrl: {e}")))?;
    let scheme = ws_scheme(&p.scheme).ok_or_else(|| {
        Error::config(format!(
            "observerUrl can only be derived from an http, https, ws, or wss baseUrl: {base}"
        ))
    })?;
    if !(p.path.is_empty() || p.path == "/") {
        return Err(Error::config(
            "observerUrl can only be derived from an origin-only baseUrl; pass observerUrl explicitly when using path-prefixed gateways",
        ));
    }
    Ok(format!(
        "{scheme}://{}/v1/{}/observers/{}/ws",
        p.authority,
        encode_component(workspace),
        encode_component(call_sid)
    ))
}

/// The observer subprotocols `["auth", token]` (`Sec-WebSocket-Protocol: auth, <token>`).
pub fn observer_auth_protocols(token: &str) -> Result<Vec<String>, Error> {
    if token.is_empty() {
        return Err(Error::config(
            "observerAuthProtocols requires a non-empty token",
        ));
    }
    if token.chars().count() > MAX_TOKEN_CHARS {
        return Err(Error::config(
            "observer token exceeds the 4096-character WebSocket subprotocol limit",
        ));
    }
    if !token.chars().all(is_tchar) {
        return Err(Error::config(
            "observer token contains characters browsers reject in WebSocket subprotocols",
        ));
    }
    Ok(vec!["auth".to_owned(), token.to_owned()])
}

// ---------------------------------------------------------------------------------------------
// Text stream and session connect

/// Checks a text-stream token (`label` is `token` or `apiKey`).
pub(crate) fn validate_text_stream_token(label: &str, value: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        return Err(Error::config(format!(
            "{label} is required for text-stream authentication"
        )));
    }
    let ok = value.chars().count() <= MAX_TOKEN_CHARS
        && value.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '+' | '=' | '/' | ':')
        });
    if !ok {
        return Err(Error::config(format!(
            "{label} contains characters rejected by text-stream authentication"
        )));
    }
    Ok(())
}

/// The text-stream subprotocols `["auth", api_key]`, validated (characters browsers reject in subprotocols are refused).
pub fn text_stream_auth_protocols(api_key: &str) -> Result<Vec<String>, Error> {
    validate_text_stream_token("apiKey", api_key)?;
    let mut bad: Vec<char> = Vec::new();
    for c in api_key.chars() {
        if !is_tchar(c) && !bad.contains(&c) {
            bad.push(c);
        }
    }
    if !bad.is_empty() {
        let list = bad
            .iter()
            .map(|c| serde_json::to_string(&c.to_string()).unwrap_or_default())
            .collect::<Vec<_>>()
            .join(", ");
        return Err(Error::config(format!(
            "apiKey contains characters browsers reject in WebSocket subprotocols ({list}); use the token option on client.conversations.textStreamUrl() instead for keys containing these characters, only in trusted contexts where URLs are not logged in browser history, server access logs, HTTP proxy logs, or referrer headers"
        )));
    }
    Ok(vec!["auth".to_owned(), api_key.to_owned()])
}

/// The session-connect subprotocols; identical to [`text_stream_auth_protocols`].
pub fn session_connect_auth_protocols(api_key: &str) -> Result<Vec<String>, Error> {
    text_stream_auth_protocols(api_key)
}

/// Parameters of [`text_stream_url`].
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TextStreamParams {
    /// The service (required).
    pub service_id: String,
    /// A conversation to resume (sent when non-empty).
    pub conversation_id: Option<String>,
    /// The patient entity (sent when non-empty).
    pub entity_id: Option<String>,
    /// `tool_events=true` is sent only when `Some(true)`.
    pub tool_events: Option<bool>,
    /// A query-token fallback (sent when given, after validation). Leaks into logs: use only
    /// in trusted contexts.
    pub token: Option<String>,
    /// A full `ws:`/`wss:` URL override without query or fragment.
    pub text_stream_url: Option<String>,
}

impl std::fmt::Debug for TextStreamParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextStreamParams")
            .field("service_id", &self.service_id)
            .field("conversation_id", &self.conversation_id)
            .field("entity_id", &self.entity_id)
            .field("tool_events", &self.tool_events)
            .field("token", &self.token.as_ref().map(|_| "[REDACTED]"))
            .field("text_stream_url", &self.text_stream_url)
            .finish()
    }
}

impl TextStreamParams {
    /// Parameters for a service.
    pub fn new(service_id: impl Into<String>) -> Self {
        TextStreamParams {
            service_id: service_id.into(),
            ..Default::default()
        }
    }
}

/// Parameters of [`session_connect_url`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionConnectParams {
    /// The service (required).
    pub service_id: String,
    /// The entity (required).
    pub entity_id: String,
    /// A conversation to resume (sent when non-empty).
    pub conversation_id: Option<String>,
    /// `tool_events=false` is sent only when `Some(false)`.
    pub tool_events: Option<bool>,
    /// A full `ws:`/`wss:` URL override without query or fragment.
    pub session_connect_url: Option<String>,
}

impl SessionConnectParams {
    /// Parameters for a service and an entity.
    pub fn new(service_id: impl Into<String>, entity_id: impl Into<String>) -> Self {
        SessionConnectParams {
            service_id: service_id.into(),
            entity_id: entity_id.into(),
            ..Default::default()
        }
    }
}

/// Derives `<ws|wss>://<authority>` from a base, with the messages of one endpoint.
struct Msgs {
    relative: &'static str,
    scheme: &'static str,
    prefixed: &'static str,
    override_parse: &'static str,
    override_scheme: &'static str,
    override_query: &'static str,
}

const TEXT: Msgs = Msgs {
    relative: "textStreamUrl cannot be derived from a relative baseUrl; pass agentBaseUrl or textStreamUrl explicitly",
    scheme: "textStreamUrl can only be derived from an http, https, ws, or wss baseUrl; pass textStreamUrl explicitly",
    prefixed: "textStreamUrl can only be derived from an origin-only baseUrl; pass agentBaseUrl as an origin or textStreamUrl explicitly when using path-prefixed gateways",
    override_parse: "textStreamUrl must be an absolute URL for text-stream overrides",
    override_scheme: "textStreamUrl overrides must use ws: or wss: URLs",
    override_query: "textStreamUrl overrides must not include query parameters or fragments; pass SDK-managed fields through textStreamUrl() options",
};

const SESSION: Msgs = Msgs {
    relative: "sessionConnectUrl cannot be derived from a relative baseUrl; pass sessionConnectUrl explicitly",
    scheme: "sessionConnectUrl can only be derived from an http, https, ws, or wss baseUrl; pass sessionConnectUrl explicitly",
    prefixed: "sessionConnectUrl can only be derived from an origin-only baseUrl; pass sessionConnectUrl explicitly when using path-prefixed gateways",
    override_parse: "sessionConnectUrl must be an absolute URL for session-connect overrides",
    override_scheme: "sessionConnectUrl overrides must use ws: or wss: URLs",
    override_query: "sessionConnectUrl overrides must not include query parameters or fragments; pass SDK-managed fields through sessionConnectUrl() options",
};

/// Validates an override and returns it.
fn check_override(url: &str, m: &Msgs) -> Result<String, Error> {
    let p = parse(url).map_err(|e| Error::config(format!("{}: {e}", m.override_parse)))?;
    if !matches!(p.scheme.as_str(), "ws" | "wss") {
        return Err(Error::config(m.override_scheme));
    }
    if p.query.is_some() || p.fragment.is_some() {
        return Err(Error::config(m.override_query));
    }
    Ok(url.to_owned())
}

/// Derives the `<ws|wss>://<authority>` origin from a base URL.
fn derive_origin(base: &str, m: &Msgs) -> Result<String, Error> {
    if !has_scheme(base) {
        return Err(Error::config(m.relative));
    }
    let p = parse(base).map_err(Error::config)?;
    let scheme = ws_scheme(&p.scheme).ok_or_else(|| Error::config(m.scheme))?;
    if !(p.path.is_empty() || p.path == "/") {
        return Err(Error::config(m.prefixed));
    }
    Ok(format!("{scheme}://{}", p.authority))
}

fn push_pair(q: &mut String, k: &str, v: &str) {
    if !q.is_empty() {
        q.push('&');
    }
    let _ = write!(
        q,
        "{}={}",
        encode_form_component(k),
        encode_form_component(v)
    );
}

fn non_empty(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.is_empty())
}

/// The text-stream URL (`/agent/text-stream?workspace_id=…&service_id=…`).
///
/// The base is `agent_base_url` when configured, else `base_url`; an override replaces it.
pub fn text_stream_url(config: &Config, params: &TextStreamParams) -> Result<String, Error> {
    let url = match params.text_stream_url.as_deref() {
        Some(o) => check_override(o, &TEXT)?,
        None => {
            let base = config.agent_base_url().unwrap_or(config.base_url());
            format!("{}/agent/text-stream", derive_origin(base, &TEXT)?)
        }
    };
    let mut q = String::new();
    push_pair(&mut q, "workspace_id", config.workspace_id());
    push_pair(&mut q, "service_id", &params.service_id);
    if let Some(c) = non_empty(&params.conversation_id) {
        push_pair(&mut q, "conversation_id", c);
    }
    if let Some(e) = non_empty(&params.entity_id) {
        push_pair(&mut q, "entity_id", e);
    }
    if params.tool_events == Some(true) {
        push_pair(&mut q, "tool_events", "true");
    }
    if let Some(t) = params.token.as_deref() {
        validate_text_stream_token("token", t)?;
        push_pair(&mut q, "token", t);
    }
    Ok(format!("{url}?{q}"))
}

/// Encodes a workspace id with the WHATWG path percent-encode set (`/` stays a separator).
fn encode_path(value: &str) -> String {
    crate::call::encode::encode_keeping(value, |b| {
        b > 0x20 && b < 0x7F && !matches!(b, b'"' | b'#' | b'<' | b'>' | b'?' | b'`' | b'{' | b'}')
    })
}

/// The session-connect URL (`/v1/<workspace>/sessions/connect?service_id=…&entity_id=…`),
/// The base is always `base_url` (`agent_base_url` is ignored).
pub fn session_connect_url(
    config: &Config,
    params: &SessionConnectParams,
) -> Result<String, Error> {
    let url = match params.session_connect_url.as_deref() {
        Some(o) => check_override(o, &SESSION)?,
        None => format!(
            "{}/v1/{}/sessions/connect",
            derive_origin(config.base_url(), &SESSION)?,
            encode_path(config.workspace_id())
        ),
    };
    let mut q = String::new();
    push_pair(&mut q, "service_id", &params.service_id);
    push_pair(&mut q, "entity_id", &params.entity_id);
    if let Some(c) = non_empty(&params.conversation_id) {
        push_pair(&mut q, "conversation_id", c);
    }
    if params.tool_events == Some(false) {
        push_pair(&mut q, "tool_events", "false");
    }
    Ok(format!("{url}?{q}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_splits_parts() {
        let p = parse("HTTPS://h:1/a/b?x=1#f").unwrap();
        assert_eq!(p.scheme, "https");
        assert_eq!(p.authority, "h:1");
        assert_eq!(p.path, "/a/b");
        assert_eq!(p.query, Some("x=1"));
        assert_eq!(p.fragment, Some("f"));
        assert!(parse("/relative").is_err());
        assert!(parse("https://").is_err());
        assert!(parse("https://a b").is_err());
        assert!(has_scheme("http+unix://x"));
        assert!(!has_scheme("1http://x"));
    }

    #[test]
    fn path_encoding() {
        assert_eq!(
            encode_path("ws 1/a\"#<>?`{}é%"),
            "ws%201/a%22%23%3C%3E%3F%60%7B%7D%C3%A9%"
        );
    }
}
