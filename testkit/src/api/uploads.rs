//! Upload routes: the body is consumed as it streams (counted and hashed, never held whole)
//! and the route answers with what it received, so tests can compare it with what they sent.
//!
//! Routes (POST, and PUT for retry tests): `/v1/{ws}/intake/files` (a raw body) and the
//! multipart uploads
//! `/v1/{ws}/scribe/recordings/transcribe`, `/v1/{ws}/voicemail`,
//! `/v1/{ws}/voiceprints/enroll`, `/v1/{ws}/voiceprints/verify` and
//! `/v1/{ws}/services/{id}/voice-turn`. The answer (201) is
//! `{"size", "sha256", "content_type", "chunked", "parts": [{"name", "filename", "content_type", "size", "sha256"}]}`:
//! `size` and `sha256` cover the whole body as received; `parts` lists the multipart parts.
//! The summary is also what the recorded request holds as its body.

use bytes::Bytes;
use http::{HeaderMap, Method};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// Longest part header block the scanner accepts.
const MAX_PART_HEADERS: usize = 16 * 1024;

/// Whether `method path` is an upload route.
pub(crate) fn is_upload(method: &Method, path: &str) -> bool {
    if method != Method::POST && method != Method::PUT {
        return false;
    }
    let segs: Vec<&str> = path.split('/').collect();
    matches!(
        segs.as_slice(),
        ["", "v1", _, "intake", "files"]
            | ["", "v1", _, "scribe", "recordings", "transcribe"]
            | ["", "v1", _, "voicemail"]
            | ["", "v1", _, "voiceprints", "enroll" | "verify"]
            | ["", "v1", _, "services", _, "voice-turn"]
    )
}

/// Reads the whole body as it arrives and returns the summary, or the read failure.
pub(crate) async fn consume(
    headers: &HeaderMap,
    mut body: Incoming,
) -> Result<Bytes, hyper::Error> {
    let content_type = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let mut whole = Sha256::new();
    let mut size = 0u64;
    let mut scan = boundary(&content_type).map(Scanner::new);
    // Bounded by the body: each frame is consumed as it comes.
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame?.into_data() {
            size += data.len() as u64;
            whole.update(&data);
            if let Some(s) = &mut scan {
                s.feed(&data);
            }
        }
    }
    let parts: Vec<Value> = scan.map(Scanner::finish).unwrap_or_default();
    let chunked = headers
        .get(http::header::TRANSFER_ENCODING)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"chunked"));
    Ok(Bytes::from(
        json!({
            "size": size,
            "sha256": hex(&whole.finalize()),
            "content_type": content_type,
            "chunked": chunked,
            "parts": parts,
        })
        .to_string(),
    ))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn boundary(content_type: &str) -> Option<String> {
    if !content_type.starts_with("multipart/") {
        return None;
    }
    content_type.split(';').find_map(|p| {
        p.trim()
            .strip_prefix("boundary=")
            .map(|b| b.trim_matches('"').to_owned())
    })
}

enum State {
    /// Before the first delimiter.
    Preamble,
    /// Just after a delimiter: `--` ends the body, CRLF starts a part.
    AfterDelimiter,
    Headers,
    Body,
    Done,
}

/// A streaming multipart scanner: keeps at most a delimiter's length (or one header block)
/// of unprocessed bytes.
struct Scanner {
    /// `\r\n--boundary`; the body is scanned as if it began with CRLF.
    delimiter: Vec<u8>,
    buf: Vec<u8>,
    state: State,
    parts: Vec<Value>,
    current: Option<(Value, Sha256, u64)>,
}

impl Scanner {
    fn new(boundary: String) -> Scanner {
        Scanner {
            delimiter: format!("\r\n--{boundary}").into_bytes(),
            buf: b"\r\n".to_vec(),
            state: State::Preamble,
            parts: Vec::new(),
            current: None,
        }
    }

    fn feed(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
        // Bounded: each pass consumes bytes or returns to wait for more.
        loop {
            match self.state {
                State::Done => {
                    self.buf.clear();
                    return;
                }
                State::Preamble => match memchr::memmem::find(&self.buf, &self.delimiter) {
                    Some(i) => {
                        self.buf.drain(..i + self.delimiter.len());
                        self.state = State::AfterDelimiter;
                    }
                    None => {
                        let keep = self.delimiter.len().min(self.buf.len());
                        self.buf.drain(..self.buf.len() - keep);
                        return;
                    }
                },
                State::AfterDelimiter => {
                    if self.buf.len() < 2 {
                        return;
                    }
                    self.state = if self.buf.starts_with(b"--") {
                        State::Done
                    } else {
                        State::Headers
                    };
                    self.buf.drain(..2);
                }
                State::Headers => match memchr::memmem::find(&self.buf, b"\r\n\r\n") {
                    Some(i) => {
                        let head = String::from_utf8_lossy(&self.buf[..i]).into_owned();
                        self.buf.drain(..i + 4);
                        self.current = Some((part_info(&head), Sha256::new(), 0));
                        self.state = State::Body;
                    }
                    None if self.buf.len() > MAX_PART_HEADERS => {
                        self.state = State::Done;
                    }
                    None => return,
                },
                State::Body => {
                    let found = memchr::memmem::find(&self.buf, &self.delimiter);
                    let upto = match found {
                        Some(i) => i,
                        None => self.buf.len().saturating_sub(self.delimiter.len()),
                    };
                    if let Some((_, h, n)) = &mut self.current {
                        h.update(&self.buf[..upto]);
                        *n += upto as u64;
                    }
                    match found {
                        Some(i) => {
                            self.buf.drain(..i + self.delimiter.len());
                            self.close_part();
                            self.state = State::AfterDelimiter;
                        }
                        None => {
                            self.buf.drain(..upto);
                            return;
                        }
                    }
                }
            }
        }
    }

    fn close_part(&mut self) {
        if let Some((mut info, h, n)) = self.current.take() {
            info["size"] = json!(n);
            info["sha256"] = json!(hex(&h.finalize()));
            self.parts.push(info);
        }
    }

    fn finish(self) -> Vec<Value> {
        self.parts
    }
}

/// Name, file name and content type from a part's header block.
fn part_info(head: &str) -> Value {
    let mut info = json!({"name": null, "filename": null, "content_type": null});
    for line in head.split("\r\n") {
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        if k.eq_ignore_ascii_case("content-disposition") {
            for p in v.split(';').map(str::trim) {
                if let Some(n) = p.strip_prefix("name=") {
                    info["name"] = json!(n.trim_matches('"'));
                } else if let Some(f) = p.strip_prefix("filename=") {
                    info["filename"] = json!(f.trim_matches('"'));
                }
            }
        } else if k.eq_ignore_ascii_case("content-type") {
            info["content_type"] = json!(v.trim());
        }
    }
    info
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scanner_finds_parts_across_any_chunking() {
        let body = b"--XB\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nhello\r\n--XB\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n0123456789\r\n--XB--\r\n";
        for step in 1..body.len() {
            let mut s = Scanner::new("XB".into());
            for c in body.chunks(step) {
                s.feed(c);
            }
            let parts = s.finish();
            assert_eq!(parts.len(), 2, "step {step}");
            assert_eq!(parts[0]["name"], "a");
            assert_eq!(parts[0]["size"], 5);
            assert_eq!(parts[1]["filename"], "x.bin");
            assert_eq!(parts[1]["size"], 10, "step {step}");
            assert_eq!(parts[1]["content_type"], "application/octet-stream");
        }
    }

    #[test]
    fn upload_routes() {
        assert!(is_upload(&Method::POST, "/v1/ws-001/intake/files"));
        assert!(is_upload(&Method::POST, "/v1/ws-001/voiceprints/enroll"));
        assert!(is_upload(&Method::PUT, "/v1/ws-001/intake/files"));
        assert!(!is_upload(&Method::GET, "/v1/ws-001/intake/files"));
        assert!(!is_upload(&Method::POST, "/v1/ws-001/agents"));
    }
}
