//! Scripted faults: what the mock answers instead of (or on top of) the normal handler.

use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use http::StatusCode;

/// How long [`Fault::hang`] keeps a request open before closing the connection.
pub const HANG_LIMIT: Duration = Duration::from_secs(30);

/// What a fault does with the request, before the modifiers (headers, delay, ...) apply.
#[derive(Debug, Clone)]
pub(crate) enum Action {
    /// The normal handler answers.
    Pass,
    /// Answer with this status and the fault's body.
    Status(StatusCode),
    /// Close the connection without writing anything.
    Reset,
    /// Declare `declared` bytes of body, send the fault's body, then close.
    Truncated { status: StatusCode, declared: usize },
    /// Never answer; close after [`HANG_LIMIT`].
    Hang,
}

/// One header change a fault makes to the response.
#[derive(Debug, Clone)]
pub(crate) enum HeaderOp {
    /// Replace the server's value(s) of this header; repeated sets of one name append.
    Set(HeaderName, HeaderValue),
    /// Remove the header entirely.
    Remove(HeaderName),
}

/// A scripted misbehaviour for one request, built with the constructors and builder methods below.
///
/// Faults are queued with [`MockServer::fault`](crate::MockServer::fault) or
/// [`MockServer::fault_all`](crate::MockServer::fault_all); each matching request pops
/// one. Faults answer before authentication and routing, except [`Fault::pass`], which
/// lets the normal handler answer and then applies the modifiers.
///
/// Builder methods panic on an invalid header name or value, or an invalid reason
/// phrase: those are mistakes in the test itself, not in client data.
#[derive(Debug, Clone)]
pub struct Fault {
    pub(crate) action: Action,
    pub(crate) body: Option<Bytes>,
    /// The content type the constructor chose; any `.header("content-type", ..)` replaces it.
    pub(crate) content_type: Option<HeaderValue>,
    pub(crate) headers: Vec<HeaderOp>,
    pub(crate) reason: Option<hyper::ext::ReasonPhrase>,
    pub(crate) delay: Option<Duration>,
    pub(crate) stall: Option<(usize, Duration)>,
    pub(crate) drop_after: Option<u64>,
}

impl Fault {
    fn new(action: Action) -> Fault {
        Fault {
            action,
            body: None,
            content_type: None,
            headers: Vec::new(),
            reason: None,
            delay: None,
            stall: None,
            drop_after: None,
        }
    }

    /// Lets the normal handler answer; the modifiers (delay, headers, body, ...) still apply.
    pub fn pass() -> Fault {
        Fault::new(Action::Pass)
    }

    /// Answers with `code` and the JSON body `{"detail":"<canonical reason>"}`.
    ///
    /// # Panics
    /// If `code` is not in `100..=999`.
    pub fn status(code: u16) -> Fault {
        let status = status_code(code);
        let mut fault = Fault::new(Action::Status(status));
        if status == StatusCode::NO_CONTENT || status == StatusCode::NOT_MODIFIED {
            fault.body = Some(Bytes::new());
        } else {
            let detail = serde_json::json!({ "detail": reason_text(status) });
            fault.body = Some(Bytes::from(detail.to_string()));
            fault.content_type = Some(HeaderValue::from_static("application/json"));
        }
        fault
    }

    /// Sets a response header, replacing the server's own value (`x-request-id`, rate-limit headers, ...); calling it twice with one name sends both values.
    ///
    /// # Panics
    /// If the name or value is not a valid HTTP header name or value.
    pub fn header(mut self, name: &str, value: &str) -> Fault {
        let name = HeaderName::from_bytes(name.as_bytes())
            .unwrap_or_else(|e| panic!("Fault::header: invalid header name {name:?}: {e}"));
        let value = HeaderValue::from_bytes(value.as_bytes())
            .unwrap_or_else(|e| panic!("Fault::header: invalid header value {value:?}: {e}"));
        self.headers.push(HeaderOp::Set(name, value));
        self
    }

    /// Removes a header from the response, including ones the server adds by itself.
    ///
    /// # Panics
    /// If the name is not a valid HTTP header name.
    pub fn without_header(mut self, name: &str) -> Fault {
        let name = HeaderName::from_bytes(name.as_bytes())
            .unwrap_or_else(|e| panic!("Fault::without_header: invalid header name {name:?}: {e}"));
        self.headers.push(HeaderOp::Remove(name));
        self
    }

    /// Replaces the response body verbatim (any bytes); the content type is left as it was.
    pub fn body(mut self, body: impl Into<Bytes>) -> Fault {
        self.body = Some(body.into());
        self
    }

    /// Replaces the response body with this JSON value and sets `content-type: application/json`.
    pub fn json(self, v: serde_json::Value) -> Fault {
        self.body(v.to_string())
            .with_content_type("application/json")
    }

    /// Sets the constructor-level content type, which a later `.header("content-type", ..)` replaces.
    fn with_content_type(mut self, value: &'static str) -> Fault {
        self.content_type = Some(HeaderValue::from_static(value));
        self.headers.retain(|op| match op {
            HeaderOp::Set(name, _) | HeaderOp::Remove(name) => name != CONTENT_TYPE,
        });
        self
    }

    /// Sends this HTTP/1 reason phrase on the status line instead of the canonical one (`""` for none).
    ///
    /// # Panics
    /// If the phrase contains bytes not allowed in a reason phrase (such as CR or LF).
    pub fn reason(mut self, phrase: &str) -> Fault {
        let reason = hyper::ext::ReasonPhrase::try_from(phrase.as_bytes())
            .unwrap_or_else(|e| panic!("Fault::reason: invalid reason phrase {phrase:?}: {e:?}"));
        self.reason = Some(reason);
        self
    }

    /// Waits `d` before sending the response headers.
    pub fn delay(mut self, d: Duration) -> Fault {
        self.delay = Some(d);
        self
    }

    /// Sends the headers and the first `after_bytes` bytes of the body, then waits `d` before the rest.
    pub fn stall_body(mut self, after_bytes: usize, d: Duration) -> Fault {
        self.stall = Some((after_bytes, d));
        self
    }

    /// Sends the headers (with the full `Content-Length`) and the first `bytes` bytes of the
    /// body, then closes the connection: a connection dropped mid-body.
    pub fn drop_body_after(mut self, bytes: u64) -> Fault {
        self.drop_after = Some(bytes);
        self
    }

    /// Closes the TCP connection without writing any response.
    pub fn reset() -> Fault {
        Fault::new(Action::Reset)
    }

    /// Answers `status` with `Content-Length: declared_len`, sends only `sent` (cut to fewer than `declared_len` bytes), then closes the connection.
    ///
    /// # Panics
    /// If `status` is not in `100..=999`.
    pub fn truncated(status: u16, declared_len: usize, sent: impl Into<Bytes>) -> Fault {
        let mut sent: Bytes = sent.into();
        if sent.len() >= declared_len {
            sent.truncate(declared_len.saturating_sub(1));
        }
        let mut fault = Fault::new(Action::Truncated {
            status: status_code(status),
            declared: declared_len,
        });
        fault.body = Some(sent);
        fault.with_content_type("application/json")
    }

    /// Answers `status` with `content-type: application/json` and the broken body `{"items": [`.
    ///
    /// # Panics
    /// If `status` is not in `100..=999`.
    pub fn malformed_json(status: u16) -> Fault {
        Fault::status(status)
            .body(&b"{\"items\": ["[..])
            .with_content_type("application/json")
    }

    /// Answers `status` with an HTML error page and `content-type: text/html`, like a proxy would.
    ///
    /// # Panics
    /// If `status` is not in `100..=999`.
    pub fn html(status: u16) -> Fault {
        let code = status_code(status);
        let title = format!("{} {}", code.as_str(), reason_text(code));
        let page = format!(
            "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>mock-proxy</center>\r\n</body>\r\n</html>\r\n"
        );
        Fault::status(status)
            .body(page)
            .with_content_type("text/html")
    }

    /// Answers `status` with a body of exactly `bytes` bytes: `{"detail":"xxx…"}` JSON when `bytes >= 13`, else plain `x`s.
    ///
    /// # Panics
    /// If `status` is not in `100..=999`.
    pub fn oversized(status: u16, bytes: usize) -> Fault {
        const SHELL: usize = r#"{"detail":""}"#.len();
        if bytes >= SHELL {
            let mut body = Vec::with_capacity(bytes);
            body.extend_from_slice(br#"{"detail":""#);
            body.resize(bytes - 2, b'x');
            body.extend_from_slice(br#""}"#);
            Fault::status(status)
                .body(body)
                .with_content_type("application/json")
        } else {
            Fault::status(status)
                .body(vec![b'x'; bytes])
                .with_content_type("text/plain")
        }
    }

    /// Answers `status` with a JSON content type and a gzip body (`Content-Encoding: gzip`,
    /// whatever the request accepts) of zeros that decodes to `decoded` bytes: a few KiB on
    /// the wire for megabytes decoded.
    ///
    /// # Panics
    /// If `status` is not in `100..=999`.
    pub fn gzip_bomb(status: u16, decoded: usize) -> Fault {
        Fault::status(status)
            .body(crate::encoding::gzip_bomb(decoded))
            .with_content_type("application/json")
            .header("content-encoding", "gzip")
    }

    /// Never answers; after 30 s (or when the server is dropped) the connection is closed.
    pub fn hang() -> Fault {
        Fault::new(Action::Hang)
    }
}

/// Converts a status number, panicking with a clear message when it is out of range.
fn status_code(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or_else(|e| panic!("Fault: invalid status code {code}: {e}"))
}

/// The canonical reason of a status, or `HTTP <code>` when it has none.
pub(crate) fn reason_text(status: StatusCode) -> String {
    status
        .canonical_reason()
        .map(str::to_owned)
        .unwrap_or_else(|| format!("HTTP {}", status.as_u16()))
}

/// A queue of faults for one (method, path template) pair, or for every request.
#[derive(Debug)]
pub(crate) struct FaultRule {
    pub(crate) method: Option<http::Method>,
    pub(crate) path: Option<String>,
    pub(crate) queue: std::collections::VecDeque<Fault>,
}

impl FaultRule {
    /// Whether a request with this method and raw path (no query) is covered by the rule.
    pub(crate) fn matches(&self, method: &http::Method, path: &str) -> bool {
        if let Some(m) = &self.method {
            if m != method {
                return false;
            }
        }
        match &self.path {
            None => true,
            Some(template) => path_matches(template, path),
        }
    }
}

/// Whether `path` equals `template`, or matches it with each `{x}` segment standing for one segment.
pub(crate) fn path_matches(template: &str, path: &str) -> bool {
    if template == path {
        return true;
    }
    let mut t = template.split('/');
    let mut p = path.split('/');
    loop {
        match (t.next(), p.next()) {
            (None, None) => return true,
            (Some(ts), Some(ps)) => {
                let is_param = ts.len() >= 2 && ts.starts_with('{') && ts.ends_with('}');
                if is_param {
                    if ps.is_empty() {
                        return false;
                    }
                } else if ts != ps {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_one_segment_per_placeholder() {
        assert!(path_matches("/v1/ws/agents", "/v1/ws/agents"));
        assert!(path_matches("/v1/{ws}/agents", "/v1/ws-001/agents"));
        assert!(path_matches("/v1/{ws}/agents/{id}", "/v1/a/agents/b%20c"));
        assert!(!path_matches("/v1/{ws}/agents", "/v1/ws/agents/x"));
        assert!(!path_matches("/v1/{ws}/agents", "/v1//agents"));
        assert!(!path_matches("/v1/{ws}/agents", "/v1/ws/calls"));
    }

    #[test]
    fn oversized_has_exact_length() {
        for n in [0, 5, 12, 13, 14, 1000] {
            let f = Fault::oversized(500, n);
            assert_eq!(f.body.as_ref().map(Bytes::len), Some(n));
            if n >= 13 {
                let body = f.body.unwrap_or_default();
                assert!(serde_json::from_slice::<serde_json::Value>(&body).is_ok());
            }
        }
    }

    #[test]
    fn truncated_sends_fewer_bytes_than_declared() {
        let f = Fault::truncated(200, 4, "abcdef");
        assert_eq!(f.body.as_deref(), Some(&b"abc"[..]));
    }
}
