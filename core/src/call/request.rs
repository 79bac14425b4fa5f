//! Turning an operation into a wire request: URL, query, headers, body.

use crate::call::encode::encode_component_into;
use crate::call::operation::Operation;
use crate::call::options::{HeaderEdit, RequestOptions};
use crate::config::{Config, USER_AGENT};
use crate::error::Error;
use bytes::Bytes;
use http::{header, HeaderMap, HeaderValue, Method};

/// A fully built request, minus the `Authorization` header the call adds per attempt.
///
/// `Debug` hides credential headers, capability tokens in the URL and the body (its length).
#[derive(Clone)]
pub struct PreparedRequest {
    /// HTTP method.
    pub method: Method,
    /// The full URL.
    pub url: String,
    /// Headers in their final precedence, without `Authorization`.
    pub headers: HeaderMap,
    /// Body bytes, re-sent unchanged on every retry (shared, never copied per attempt).
    pub body: Bytes,
    /// A body with streamed sources, laid out as segments (`body` is then empty).
    pub upload: Option<std::sync::Arc<[crate::call::upload::Source]>>,
    /// The path template, for hooks and tracing.
    pub path_template: String,
}

impl std::fmt::Debug for PreparedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedRequest")
            .field("method", &self.method)
            .field(
                "url",
                &crate::error::redact::redact_url(&self.url, Some(&self.path_template)),
            )
            .field(
                "headers",
                &crate::error::redact::headers_debug(&self.headers),
            )
            .field("body_len", &self.body.len())
            .field("streamed", &self.upload.is_some())
            .finish()
    }
}

/// Substitutes `{name}` variables with percent-encoded values.
pub(crate) fn render_path(
    template: &str,
    params: &[(String, String)],
    workspace_id: &str,
    force_workspace: bool,
) -> Result<String, Error> {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else {
            return Err(Error::config(format!(
                "unterminated variable in path template `{template}`"
            )));
        };
        let name = &after[..end];
        let value = if name == "workspace_id" && force_workspace {
            Some(workspace_id)
        } else {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
                .or((name == "workspace_id").then_some(workspace_id))
        };
        match value {
            Some("") if name == "workspace_id" => {
                return Err(Error::config(format!(
                    "`{template}` needs a workspace_id and this client has none (a public client calls only the `/s/` and `/upload/` routes)"
                )))
            }
            Some(v) => encode_component_into(&mut out, v),
            None => {
                return Err(Error::config(format!(
                    "missing path parameter `{name}` for `{template}`"
                )))
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Builds the wire request for an operation under the merged options layers.
pub fn prepare<O: Operation + ?Sized>(
    op: &O,
    config: &Config,
    options: &RequestOptions,
    base_url: Option<&str>,
) -> Result<PreparedRequest, Error> {
    if let Some(e) = &options.invalid {
        return Err(e.clone());
    }
    let parts = op.parts()?;
    let path = render_path(
        op.path_template(),
        &parts.path_params,
        &config.workspace_id,
        op.force_workspace(),
    )?;
    let base = base_url.unwrap_or(&config.base_url);
    let mut url = String::with_capacity(base.len() + path.len() + 64);
    url.push_str(base);
    url.push_str(&path);
    url.push('?');
    parts.query.write_to(&mut url)?;
    if url.ends_with('?') {
        url.pop();
    }
    let mut headers = HeaderMap::new();
    headers.insert(header::USER_AGENT, HeaderValue::from_static(USER_AGENT));
    headers.insert(header::ACCEPT, HeaderValue::from_static(op.accept()));
    let encoded = parts.body.encode();
    if let Some((_, ct)) = &encoded {
        let v =
            HeaderValue::from_str(ct).map_err(|_| Error::config("invalid body content type"))?;
        headers.insert(header::CONTENT_TYPE, v);
    }
    for (k, v) in &config.headers {
        headers.insert(k.clone(), v.clone());
    }
    for (name, edit) in &options.headers {
        match edit {
            HeaderEdit::Set(v) => {
                headers.insert(name.clone(), v.clone());
            }
            HeaderEdit::Remove => {
                headers.remove(name);
            }
        }
    }
    for (name, value) in parts.headers {
        headers.insert(name, value);
    }
    headers.remove(header::AUTHORIZATION);
    let method = op.method();
    let (body, upload) = match encoded.map(|(s, _)| s) {
        None => (Bytes::new(), None),
        Some(mut s) if s.len() == 1 && s[0].as_bytes().is_some() => match s.pop() {
            Some(crate::call::upload::Source::Bytes(b)) => (b, None),
            _ => (Bytes::new(), None),
        },
        Some(s) => (Bytes::new(), Some(s.into())),
    };
    Ok(PreparedRequest {
        method,
        url,
        headers,
        body,
        upload,
        path_template: op.path_template().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::call::options::RequestOptions;
    use crate::call::test_ops::{CreateAgent, CreateAgentRequest, ListAgents};
    use crate::Config;

    fn cfg(base: &str) -> Config {
        Config::builder()
            .api_key("sk")
            .workspace_id("ws-001")
            .base_url(base)
            .build()
            .unwrap()
    }

    #[test]
    fn full_urls_and_default_headers() {
        let r = prepare(
            &ListAgents::default(),
            &cfg("https://api.example.com/"),
            &RequestOptions::new(),
            None,
        )
        .unwrap();
        assert_eq!(r.url, "https://api.example.com/v1/ws-001/agents");
        let names: Vec<&str> = r.headers.keys().map(|k| k.as_str()).collect();
        assert_eq!(names, vec!["user-agent", "accept"]);
        assert_eq!(
            r.headers["user-agent"],
            concat!("amigo-platform-rust/", env!("CARGO_PKG_VERSION"))
        );
        assert_eq!(r.headers["accept"], "application/json");
        let r = prepare(
            &ListAgents {
                limit: Some(5),
                ..Default::default()
            },
            &cfg("https://h/prefix"),
            &RequestOptions::new(),
            None,
        )
        .unwrap();
        assert_eq!(r.url, "https://h/prefix/v1/ws-001/agents?limit=5");
        let op = CreateAgent {
            body: CreateAgentRequest {
                name: "My Agent".into(),
                description: None,
            },
        };
        let r = prepare(&op, &cfg(""), &RequestOptions::new(), None).unwrap();
        assert_eq!(r.url, "https://api.platform.amigo.ai/v1/ws-001/agents");
        assert_eq!(r.headers["content-type"], "application/json");
        assert_eq!(&r.body[..], br#"{"name":"My Agent"}"#);
    }

    #[test]
    fn remove_marker_beats_client_default_through_scopes() {
        let config = Config::builder()
            .api_key("k")
            .workspace_id("w")
            .header("X-A", "1")
            .build()
            .unwrap();
        let scope = RequestOptions::new().header("X-B", "2");
        let call = RequestOptions::new().remove_header("x-a");
        let r = prepare(&ListAgents::default(), &config, &scope.merged(&call), None).unwrap();
        assert!(r.headers.get("x-a").is_none());
        assert_eq!(r.headers["x-b"], "2");
        let bad = RequestOptions::new().header("bad header", "v");
        assert_eq!(
            prepare(&ListAgents::default(), &config, &bad, None)
                .unwrap_err()
                .kind(),
            crate::ErrorKind::Config
        );
    }

    #[test]
    fn renders_paths_with_encoding_and_workspace() {
        let p = vec![("agent_id".to_owned(), "a/b c?d#e%".to_owned())];
        assert_eq!(
            render_path("/v1/{workspace_id}/agents/{agent_id}", &p, "a b/c", false).unwrap(),
            "/v1/a%20b%2Fc/agents/a%2Fb%20c%3Fd%23e%25"
        );
        let p = vec![("workspace_slug".to_owned(), "acme".to_owned())];
        assert_eq!(
            render_path("/s/vcard/{workspace_slug}.vcf", &p, "w", false).unwrap(),
            "/s/vcard/acme.vcf"
        );
        let p = vec![("workspace_id".to_owned(), "other".to_owned())];
        assert_eq!(
            render_path("/v1/workspaces/{workspace_id}", &p, "ws-001", false).unwrap(),
            "/v1/workspaces/other"
        );
        assert_eq!(
            render_path("/v1/{workspace_id}/agents", &p, "ws-001", true).unwrap(),
            "/v1/ws-001/agents"
        );
        let p = vec![("id".to_owned(), String::new())];
        assert_eq!(render_path("/x/{id}/y", &p, "w", false).unwrap(), "/x//y");
        let e = render_path("/x/{missing}", &[], "w", false).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Config);
        // A public client has no workspace: workspace routes fail before sending.
        let e = render_path("/v1/{workspace_id}/agents", &[], "", false).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Config);
        assert!(
            e.message().contains("needs a workspace_id"),
            "{}",
            e.message()
        );
        assert_eq!(
            render_path(
                "/s/{token}/spec",
                &[("token".into(), "t".into())],
                "",
                false
            )
            .unwrap(),
            "/s/t/spec"
        );
    }
}
