//! Request bodies: JSON, form, multipart and raw bytes (PROTOCOL §2.4).

use crate::encode::encode_form;
use crate::error::Error;
use bytes::Bytes;
use serde::Serialize;

/// The body of one request.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Body {
    /// No body and no `Content-Type`.
    #[default]
    Empty,
    /// UTF-8 JSON, `application/json`.
    Json(Bytes),
    /// `application/x-www-form-urlencoded` pairs in order.
    Form(Vec<(String, String)>),
    /// `multipart/form-data` with a generated boundary.
    Multipart(Multipart),
    /// Caller-supplied bytes and content type.
    Raw {
        /// The bytes.
        bytes: Bytes,
        /// The `Content-Type` value.
        content_type: String,
    },
}

impl Body {
    /// Serialises a value as a JSON body.
    pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<Body, Error> {
        serde_json::to_vec(value)
            .map(|v| Body::Json(Bytes::from(v)))
            .map_err(|e| Error::config(format!("request body could not be serialised: {e}")))
    }

    /// The encoded bytes and the `Content-Type`, or `None` for no body.
    pub fn encode(&self) -> Option<(Bytes, String)> {
        match self {
            Body::Empty => None,
            Body::Json(b) => Some((b.clone(), "application/json".to_owned())),
            Body::Form(pairs) => Some((
                Bytes::from(encode_form(pairs)),
                "application/x-www-form-urlencoded".to_owned(),
            )),
            Body::Multipart(m) => {
                let (bytes, boundary) = m.encode();
                Some((bytes, format!("multipart/form-data; boundary={boundary}")))
            }
            Body::Raw {
                bytes,
                content_type,
            } => Some((bytes.clone(), content_type.clone())),
        }
    }
}

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// Form field name.
    pub name: String,
    /// File name, for file parts.
    pub filename: Option<String>,
    /// The part's explicit content type.
    pub content_type: Option<String>,
    /// The part's bytes.
    pub data: Bytes,
}

/// A `multipart/form-data` body with typed parts [D14].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Multipart {
    parts: Vec<Part>,
}

impl Multipart {
    /// An empty multipart body.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a plain-text field.
    pub fn text(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.parts.push(Part {
            name: name.into(),
            filename: None,
            content_type: Some("text/plain; charset=utf-8".to_owned()),
            data: Bytes::from(value.into()),
        });
        self
    }

    /// Adds a file part with its file name and content type.
    pub fn file(
        mut self,
        name: impl Into<String>,
        filename: impl Into<String>,
        content_type: impl Into<String>,
        data: impl Into<Bytes>,
    ) -> Self {
        self.parts.push(Part {
            name: name.into(),
            filename: Some(filename.into()),
            content_type: Some(content_type.into()),
            data: data.into(),
        });
        self
    }

    /// The parts in order.
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// Encodes the parts with a boundary that occurs in none of them.
    pub fn encode(&self) -> (Bytes, String) {
        let mut seed: u64 = 0xcbf2_9ce4_8422_2325;
        for p in &self.parts {
            for b in p.name.bytes().chain(p.data.iter().copied().take(4096)) {
                seed = (seed ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
            }
        }
        let mut boundary = format!("amigo-{seed:016x}");
        let mut n = 0u32;
        while self
            .parts
            .iter()
            .any(|p| contains(&p.data, boundary.as_bytes()))
        {
            n += 1;
            boundary = format!("amigo-{seed:016x}-{n}");
        }
        let mut out = Vec::new();
        for p in &self.parts {
            out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            let name = escape_quoted(&p.name);
            match &p.filename {
                Some(f) => out.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{}\"\r\n",
                        escape_quoted(f)
                    )
                    .as_bytes(),
                ),
                None => out.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n").as_bytes(),
                ),
            }
            if let Some(ct) = &p.content_type {
                out.extend_from_slice(
                    format!("Content-Type: {}\r\n", ct.replace(['\r', '\n'], "")).as_bytes(),
                );
            }
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(&p.data);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        (Bytes::from(out), boundary)
    }
}

fn escape_quoted(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "%22")
        .replace(['\r', '\n'], " ")
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_parts_carry_content_types() {
        let m = Multipart::new()
            .file("audio", "a.ogg", "audio/ogg", Bytes::from_static(b"OggS"))
            .text("entity_id", "e-1");
        let (bytes, boundary) = m.encode();
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.starts_with(&format!("--{boundary}\r\n")));
        assert!(text.contains(
            "name=\"audio\"; filename=\"a.ogg\"\r\nContent-Type: audio/ogg\r\n\r\nOggS\r\n"
        ));
        assert!(text.contains(
            "name=\"entity_id\"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\ne-1\r\n"
        ));
        assert!(text.ends_with(&format!("--{boundary}--\r\n")));
        let (_, ct) = Body::Multipart(m).encode().unwrap();
        assert_eq!(ct, format!("multipart/form-data; boundary={boundary}"));
    }

    #[test]
    fn boundary_never_occurs_in_data() {
        let m = Multipart::new().text("a", "x");
        let (_, b1) = m.encode();
        let tricky = Multipart::new().text("a", format!("--{b1}"));
        let (_, b2) = tricky.encode();
        assert!(!format!("--{b1}").contains(&b2));
    }

    #[test]
    fn form_body() {
        let (b, ct) = Body::Form(vec![("a".into(), "x y/z".into())])
            .encode()
            .unwrap();
        assert_eq!(&b[..], b"a=x+y%2Fz");
        assert_eq!(ct, "application/x-www-form-urlencoded");
        assert!(Body::Empty.encode().is_none());
    }
}
