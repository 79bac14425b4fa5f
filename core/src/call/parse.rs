//! Decoding 2xx responses: JSON, none, optional, binary and text.

use crate::error::Error;
use bytes::Bytes;
use serde::de::DeserializeOwned;

/// Raw bytes of a binary response plus its `Content-Type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binary {
    /// The body, never parsed.
    pub bytes: Bytes,
    /// The response `Content-Type`, when sent.
    pub content_type: Option<String>,
}

impl Binary {
    /// Decodes the bytes as JSON (for endpoints that answer with a JSON object, like invoice PDFs).
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        decode_json(&self.bytes, 200)
    }
}

/// Decodes JSON with the failing JSON path in the error.
///
/// Success takes the plain `serde_json` path (no per-key bookkeeping); only a failure decodes the
/// body a second time with path tracking, to name the failing field.
pub(crate) fn decode_json<T: DeserializeOwned>(bytes: &[u8], status: u16) -> Result<T, Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match T::deserialize(&mut de) {
        Ok(v) => Ok(v),
        Err(plain) => Err(decode_failure::<T>(bytes, status, plain)),
    }
}

/// The Decode error of a body that failed to decode: re-runs the decoder with path tracking.
#[cold]
#[inline(never)]
fn decode_failure<T: DeserializeOwned>(
    bytes: &[u8],
    status: u16,
    plain: serde_json::Error,
) -> Error {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let (path, inner) = match serde_path_to_error::deserialize::<_, T>(de) {
        Err(e) => (e.path().to_string(), e.into_inner()),
        // The same input through the same decoder fails the same way; should it not, the
        // first error is still reported, at the root.
        Ok(_) => (".".to_owned(), plain),
    };
    Error::decode(
        format!(
            "Failed to decode response at `{path}` (line {}, column {}): {inner}",
            inner.line(),
            inner.column()
        ),
        Some(path),
        status,
        bytes,
    )
    .with_source(inner)
}

/// Parses a JSON body; an empty body is a Decode error.
#[inline]
pub fn json<T: DeserializeOwned>(resp: http::Response<Bytes>) -> Result<T, Error> {
    let status = resp.status().as_u16();
    let body = resp.into_body();
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::decode(
            "Unexpected empty response from API",
            None,
            status,
            &body,
        ));
    }
    decode_json(&body, status)
}

/// For operations without a declared body: any 2xx is `()`, the body is ignored.
#[inline]
pub fn unit(_resp: http::Response<Bytes>) -> Result<(), Error> {
    Ok(())
}

/// For operations declaring 200 and 204: `None` on 204, 205 or an empty body.
#[inline]
pub fn optional_json<T: DeserializeOwned>(resp: http::Response<Bytes>) -> Result<Option<T>, Error> {
    if matches!(resp.status().as_u16(), 204 | 205) || resp.body().is_empty() {
        return Ok(None);
    }
    json(resp).map(Some)
}

/// Returns the body bytes and content type, never parsing them.
#[inline]
pub fn binary(resp: http::Response<Bytes>) -> Result<Binary, Error> {
    let content_type = resp
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    Ok(Binary {
        bytes: resp.into_body(),
        content_type,
    })
}

/// Like [`binary`] but `None` on 204/205.
#[inline]
pub fn optional_binary(resp: http::Response<Bytes>) -> Result<Option<Binary>, Error> {
    if matches!(resp.status().as_u16(), 204 | 205) {
        return Ok(None);
    }
    binary(resp).map(Some)
}

/// Returns the body as text (lossy UTF-8).
#[inline]
pub fn text(resp: http::Response<Bytes>) -> Result<String, Error> {
    Ok(String::from_utf8_lossy(resp.body()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn resp(status: u16, body: &'static str) -> http::Response<Bytes> {
        http::Response::builder()
            .status(status)
            .body(Bytes::from_static(body.as_bytes()))
            .unwrap()
    }

    #[derive(Debug, serde::Deserialize)]
    struct Agent {
        name: String,
        tags: Vec<u32>,
    }

    #[test]
    fn empty_body_is_decode_error() {
        for s in [200, 202, 204] {
            let e = json::<serde_json::Value>(resp(s, "")).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Decode);
            assert_eq!(e.message(), "Unexpected empty response from API");
            assert_eq!(e.status(), Some(s));
        }
    }

    #[test]
    fn invalid_json_reports_path_and_position() {
        let e = json::<Agent>(resp(200, r#"{"name":"a","tags":[1,"x"]}"#)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert_eq!(e.json_path(), Some("tags[1]"));
        assert!(e.message().contains("column"), "{}", e.message());
        assert_eq!(e.raw_body(), Some(r#"{"name":"a","tags":[1,"x"]}"#));
        let e = json::<Agent>(resp(200, "{not json")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        let e = json::<Agent>(resp(200, r#"{"tags":[]}"#)).unwrap_err();
        assert!(e.message().contains("name"));
    }

    /// The error of the path-tracking decoder alone (what every failure reported before the
    /// plain fast path existed).
    fn tracked_error(body: &str) -> (String, String) {
        let de = &mut serde_json::Deserializer::from_slice(body.as_bytes());
        let e = serde_path_to_error::deserialize::<_, Agent>(de).unwrap_err();
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = format!(
            "Failed to decode response at `{path}` (line {}, column {}): {inner}",
            inner.line(),
            inner.column()
        );
        (message, path)
    }

    #[test]
    fn failures_report_the_path_tracking_decoders_error() {
        for body in [
            r#"{"name":"a","tags":[1,"x"]}"#,
            r#"{"name":7,"tags":[]}"#,
            r#"{"tags":[]}"#,
            r#"{"name":"a","tags":[1,2"#,
            "{not json",
            "[1,2]",
            "\n\n  {\"name\": \"a\",\n \"tags\": {}}",
        ] {
            let e = json::<Agent>(resp(200, body)).unwrap_err();
            let (message, path) = tracked_error(body);
            assert_eq!(e.kind(), ErrorKind::Decode, "{body}");
            assert_eq!(e.message(), message, "{body}");
            assert_eq!(e.json_path(), Some(path.as_str()), "{body}");
            assert_eq!(e.raw_body(), Some(body), "{body}");
        }
    }

    #[test]
    fn surrounding_whitespace_and_unknown_fields_decode() {
        let a = json::<Agent>(resp(
            200,
            " \n{\"name\":\"a\",\"tags\":[3],\"extra\":{\"x\":[1]}}\n ",
        ))
        .expect("decodes");
        assert_eq!(a.name, "a");
        assert_eq!(a.tags, [3]);
    }

    #[test]
    fn optional_and_binary() {
        assert_eq!(
            optional_json::<serde_json::Value>(resp(204, "")).unwrap(),
            None
        );
        assert_eq!(
            optional_json::<serde_json::Value>(resp(200, "")).unwrap(),
            None
        );
        assert!(optional_json::<serde_json::Value>(resp(200, "{}"))
            .unwrap()
            .is_some());
        let r = http::Response::builder()
            .header("content-type", "audio/ogg")
            .body(Bytes::from_static(b"{not json"))
            .unwrap();
        let b = binary(r).unwrap();
        assert_eq!(b.content_type.as_deref(), Some("audio/ogg"));
        assert_eq!(&b.bytes[..], b"{not json");
        assert_eq!(unit(resp(200, "garbage")).unwrap(), ());
    }
}
