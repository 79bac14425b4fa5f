//! Request bodies: JSON, form, multipart, raw bytes and streamed sources.

use crate::call::encode::encode_form;
use crate::call::upload::Source;
use crate::error::Error;
use bytes::Bytes;
use serde::Serialize;
use std::path::Path;

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
    /// A body the driver streams from a [`Source`] (a file, a reader, a stream).
    Stream {
        /// Where the bytes come from.
        source: Source,
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

    /// A body streamed from the file at `path` (reopened for every attempt).
    pub fn file(path: impl AsRef<Path>, content_type: impl Into<String>) -> Body {
        Body::Stream {
            source: Source::file(path),
            content_type: content_type.into(),
        }
    }

    /// A body streamed from `source`.
    pub fn source(source: Source, content_type: impl Into<String>) -> Body {
        Body::Stream {
            source,
            content_type: content_type.into(),
        }
    }

    /// The encoded body as segments (adjacent in-memory bytes merged, so a body without a
    /// streamed source is one `Source::Bytes`) and the `Content-Type`, or `None` for no body.
    pub fn encode(&self) -> Option<(Vec<Source>, String)> {
        let one = |b: Bytes| vec![Source::Bytes(b)];
        match self {
            Body::Empty => None,
            Body::Json(b) => Some((one(b.clone()), "application/json".to_owned())),
            Body::Form(pairs) => Some((
                one(Bytes::from(encode_form(pairs))),
                "application/x-www-form-urlencoded".to_owned(),
            )),
            Body::Multipart(m) => {
                let (segments, boundary) = m.encode();
                Some((
                    segments,
                    format!("multipart/form-data; boundary={boundary}"),
                ))
            }
            Body::Raw {
                bytes,
                content_type,
            } => Some((one(bytes.clone()), content_type.clone())),
            Body::Stream {
                source,
                content_type,
            } => Some((vec![source.clone()], content_type.clone())),
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
    /// The part's bytes, or the source the driver streams them from.
    pub data: Source,
}

impl Part {
    /// A file part streamed from the file at `path` (reopened for every attempt), named by
    /// the path's last component.
    pub fn file(name: impl Into<String>, path: impl AsRef<Path>) -> Part {
        let path = path.as_ref();
        Part {
            name: name.into(),
            filename: path.file_name().map(|f| f.to_string_lossy().into_owned()),
            content_type: Some("application/octet-stream".to_owned()),
            data: Source::file(path),
        }
    }

    /// A file part streamed once from `reader`, with its length when known (the call is then
    /// not retried once it has started sending; see [`Source::reader`]).
    pub fn reader(
        name: impl Into<String>,
        reader: impl std::io::Read + Send + 'static,
        len: Option<u64>,
    ) -> Part {
        Part::source(name, Source::reader(reader, len))
    }

    /// A file part streamed from `source`.
    pub fn source(name: impl Into<String>, source: Source) -> Part {
        Part {
            name: name.into(),
            filename: Some("file".to_owned()),
            content_type: Some("application/octet-stream".to_owned()),
            data: source,
        }
    }

    /// Sets the file name.
    pub fn filename(mut self, filename: impl Into<String>) -> Part {
        self.filename = Some(filename.into());
        self
    }

    /// Sets the content type.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Part {
        self.content_type = Some(content_type.into());
        self
    }
}

/// A `multipart/form-data` body with typed parts.
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
            data: Source::Bytes(Bytes::from(value.into())),
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
            data: Source::Bytes(data.into()),
        });
        self
    }

    /// Adds a file part whose bytes come from `source` (in memory, a file, a reader).
    pub fn file_source(
        self,
        name: impl Into<String>,
        filename: impl Into<String>,
        content_type: impl Into<String>,
        source: Source,
    ) -> Self {
        self.part(Part {
            name: name.into(),
            filename: Some(filename.into()),
            content_type: Some(content_type.into()),
            data: source,
        })
    }

    /// Adds a part (such as a streamed [`Part::file`]).
    pub fn part(mut self, part: Part) -> Self {
        self.parts.push(part);
        self
    }

    /// The parts in order.
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// Encodes the parts with a boundary that occurs in none of the in-memory ones, as
    /// segments: the encoded bytes, with each streamed part's source in its place.
    ///
    /// The boundary is `amigo-` and 32 hex digits of a hash of every part (name, file name,
    /// content type and all the in-memory data, each length-prefixed), so different bodies get
    /// different boundaries while a retry resends identical bytes (the core has no entropy
    /// source). Should an in-memory part still contain it, a counter is appended until none
    /// does. A streamed part is never read by the core, so it is not checked: a 128-bit
    /// hash-derived boundary occurring in a file by chance is not a practical concern.
    pub fn encode(&self) -> (Vec<Source>, String) {
        self.encode_with(&self.fingerprint())
    }

    /// 32 hex digits: two FNV-1a 64-bit hashes (different offset bases) over the
    /// length-prefixed fields of every part. Collisions only cost a longer boundary (see
    /// [`encode`](Self::encode)), so a small non-cryptographic hash is enough, and it keeps a
    /// hash function out of every binary that sends a body.
    fn fingerprint(&self) -> String {
        struct Fnv([u64; 2]);
        impl Fnv {
            fn update(&mut self, bytes: &[u8]) {
                for &b in bytes {
                    for h in &mut self.0 {
                        *h = (*h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
                    }
                }
            }
            fn field(&mut self, bytes: Option<&[u8]>) {
                match bytes {
                    None => self.update(&[0]),
                    Some(b) => {
                        self.update(&[1]);
                        self.update(&(b.len() as u64).to_le_bytes());
                        self.update(b);
                    }
                }
            }
        }
        let mut h = Fnv([0xcbf2_9ce4_8422_2325, 0x84222325_cbf29ce4]);
        h.update(&(self.parts.len() as u64).to_le_bytes());
        for p in &self.parts {
            h.field(Some(p.name.as_bytes()));
            h.field(p.filename.as_deref().map(str::as_bytes));
            h.field(p.content_type.as_deref().map(str::as_bytes));
            match &p.data {
                Source::Bytes(b) => h.field(Some(b)),
                other => h.field(Some(format!("{other:?}").as_bytes())),
            }
        }
        format!("{:016x}{:016x}", h.0[0], h.0[1])
    }

    /// Encodes with the boundary derived from `fingerprint`.
    fn encode_with(&self, fingerprint: &str) -> (Vec<Source>, String) {
        let mut boundary = format!("amigo-{fingerprint}");
        let mut n = 0u32;
        while self.parts.iter().any(|p| {
            p.data
                .as_bytes()
                .is_some_and(|b| contains(b, boundary.as_bytes()))
        }) {
            n += 1;
            boundary = format!("amigo-{fingerprint}-{n}");
        }
        let mut segments = Vec::new();
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
            match &p.data {
                Source::Bytes(b) => out.extend_from_slice(b),
                streamed => {
                    segments.push(Source::Bytes(Bytes::from(std::mem::take(&mut out))));
                    segments.push(streamed.clone());
                }
            }
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        segments.push(Source::Bytes(Bytes::from(out)));
        (segments, boundary)
    }
}

fn escape_quoted(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "%22")
        .replace(['\r', '\n'], " ")
}

/// Whether `needle` (non-empty) occurs in `hay`: candidates found by their first byte with
/// `memchr`, then compared (a boundary's first byte is rare in most data; this keeps a full
/// substring-search engine out of every binary that sends a body).
fn contains(hay: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    let mut from = 0;
    while let Some(at) = memchr::memchr(first, &hay[from..]) {
        let start = from + at + 1;
        if hay.get(start..start + rest.len()) == Some(rest) {
            return true;
        }
        from = start;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Encodes an in-memory multipart body to its bytes.
    fn flat((segments, boundary): (Vec<Source>, String)) -> (Vec<u8>, String) {
        let mut out = Vec::new();
        for s in segments {
            out.extend_from_slice(s.as_bytes().expect("in memory"));
        }
        (out, boundary)
    }

    #[test]
    fn multipart_parts_carry_content_types() {
        let m = Multipart::new()
            .file("audio", "a.ogg", "audio/ogg", Bytes::from_static(b"OggS"))
            .text("entity_id", "e-1");
        let (bytes, boundary) = flat(m.encode());
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
    fn a_streamed_part_is_a_segment_between_encoded_bytes() {
        let m = Multipart::new()
            .text("entity_id", "e-1")
            .part(Part::file("audio", "/tmp/a.ogg").content_type("audio/ogg"));
        let (segments, boundary) = m.encode();
        assert_eq!(segments.len(), 3);
        assert_eq!(segments[1], Source::file("/tmp/a.ogg"));
        let head = String::from_utf8_lossy(segments[0].as_bytes().expect("bytes")).into_owned();
        assert!(
            head.ends_with("name=\"audio\"; filename=\"a.ogg\"\r\nContent-Type: audio/ogg\r\n\r\n")
        );
        let tail = segments[2].as_bytes().expect("bytes");
        assert_eq!(&tail[..], format!("\r\n--{boundary}--\r\n").as_bytes());
    }

    #[test]
    fn substring_search() {
        assert!(contains(b"abc--amigo-1x", b"--amigo-1"));
        assert!(contains(b"--amigo-1", b"--amigo-1"));
        assert!(!contains(b"--amigo-", b"--amigo-1"));
        assert!(contains(b"---amigo-1", b"--amigo-1"));
        assert!(!contains(b"", b"x"));
        assert!(contains(b"anything", b""));
    }

    proptest::proptest! {
        #[test]
        fn substring_search_agrees_with_windows(
            hay in proptest::collection::vec(0u8..4, 0..64),
            needle in proptest::collection::vec(0u8..4, 1..5),
        ) {
            let expected = hay.windows(needle.len()).any(|w| w == needle.as_slice());
            proptest::prop_assert_eq!(contains(&hay, &needle), expected);
        }
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
        assert_eq!(b, vec![Source::Bytes(Bytes::from_static(b"a=x+y%2Fz"))]);
        assert_eq!(ct, "application/x-www-form-urlencoded");
        assert!(Body::Empty.encode().is_none());
    }

    /// Splits an encoded body on its boundary into (header block, data) per part.
    fn parse(bytes: &[u8], boundary: &str) -> Vec<(String, Vec<u8>)> {
        let first = format!("--{boundary}\r\n");
        assert!(bytes.starts_with(first.as_bytes()), "opening delimiter");
        let end = format!("\r\n--{boundary}--\r\n");
        assert!(bytes.ends_with(end.as_bytes()), "closing delimiter");
        let inner = &bytes[first.len()..bytes.len() - end.len()];
        let delim = format!("\r\n--{boundary}\r\n");
        let mut parts = Vec::new();
        let mut rest = inner;
        loop {
            let (part, next) = match memchr::memmem::find(rest, delim.as_bytes()) {
                Some(i) => (&rest[..i], Some(&rest[i + delim.len()..])),
                None => (rest, None),
            };
            let split = memchr::memmem::find(part, b"\r\n\r\n").expect("part headers");
            parts.push((
                String::from_utf8(part[..split].to_vec()).unwrap(),
                part[split + 4..].to_vec(),
            ));
            match next {
                Some(n) => rest = n,
                None => return parts,
            }
        }
    }

    #[test]
    fn different_bodies_get_different_boundaries() {
        let big = |last: u8| {
            let mut v = vec![b'x'; 10_000];
            v[9_999] = last;
            v
        };
        let pairs = [
            // Differ only after the first 4 KiB of a part.
            (
                Multipart::new().file("f", "a.bin", "application/octet-stream", big(b'1')),
                Multipart::new().file("f", "a.bin", "application/octet-stream", big(b'2')),
            ),
            // Differ only in the file name, or only in the content type.
            (
                Multipart::new().file("f", "a.txt", "text/plain", "same"),
                Multipart::new().file("f", "b.txt", "text/plain", "same"),
            ),
            (
                Multipart::new().file("f", "a", "text/plain", "same"),
                Multipart::new().file("f", "a", "text/csv", "same"),
            ),
            // The same bytes split differently between name and value, or between parts.
            (
                Multipart::new().text("ab", "c"),
                Multipart::new().text("a", "bc"),
            ),
            (
                Multipart::new().text("a", "x").text("b", "y"),
                Multipart::new().text("a", "xb").text("", "y"),
            ),
            (Multipart::new(), Multipart::new().text("", "")),
        ];
        for (i, (a, b)) in pairs.iter().enumerate() {
            assert_ne!(a.encode().1, b.encode().1, "pair {i}");
        }
        // Deterministic: a retry resends identical bytes.
        let m = Multipart::new().text("a", "x");
        assert_eq!(m.encode(), m.clone().encode());
    }

    #[test]
    fn a_part_containing_the_boundary_still_encodes_correctly() {
        let plain = Multipart::new().text("a", "x");
        let (_, chosen) = plain.encode();
        let fingerprint = chosen.trim_start_matches("amigo-").to_owned();
        // Parts that contain the boundary derived from the fingerprint, as a delimiter line
        // and as a closing delimiter, plus the old fixed-prefix form.
        let hostile = Multipart::new()
            .text(
                "a",
                format!("\r\n--{chosen}\r\nContent-Disposition: form-data; name=\"evil\"\r\n\r\nx"),
            )
            .file(
                "f",
                "f.bin",
                "application/octet-stream",
                format!("--{chosen}--\r\n--{chosen}-1"),
            )
            .text("c", "--amigo-\r\n");
        let (bytes, boundary) = flat(hostile.encode_with(&fingerprint));
        assert_ne!(boundary, chosen);
        for p in hostile.parts() {
            assert!(
                memchr::memmem::find(p.data.as_bytes().expect("bytes"), boundary.as_bytes())
                    .is_none()
            );
        }
        let parsed = parse(&bytes, &boundary);
        assert_eq!(parsed.len(), 3);
        for (p, (headers, data)) in hostile.parts().iter().zip(&parsed) {
            assert!(
                headers.contains(&format!("name=\"{}\"", p.name)),
                "{headers}"
            );
            assert_eq!(data, &p.data.as_bytes().expect("bytes").to_vec());
        }
        // The regular path round-trips too.
        let (bytes, boundary) = flat(hostile.encode());
        assert_eq!(parse(&bytes, &boundary).len(), 3);
    }

    proptest::proptest! {
        #[test]
        fn multipart_round_trips(
            parts in proptest::collection::vec(
                ("[a-z]{0,4}", proptest::collection::vec(
                    proptest::prop_oneof![
                        proptest::strategy::Just(b"--amigo-".to_vec()),
                        proptest::strategy::Just(b"\r\n".to_vec()),
                        proptest::collection::vec(proptest::num::u8::ANY, 0..8),
                    ],
                    0..6,
                )),
                0..4,
            )
        ) {
            let mut m = Multipart::new();
            for (name, chunks) in &parts {
                m = m.file(name.clone(), "f", "application/octet-stream", chunks.concat());
            }
            let (bytes, boundary) = flat(m.encode());
            proptest::prop_assert!(boundary.len() <= 70);
            if m.parts().is_empty() {
                let closing = format!("--{boundary}--\r\n");
                proptest::prop_assert_eq!(&bytes[..], closing.as_bytes());
            } else {
                let parsed = parse(&bytes, &boundary);
                proptest::prop_assert_eq!(parsed.len(), m.parts().len());
                for (p, (_, data)) in m.parts().iter().zip(&parsed) {
                    proptest::prop_assert_eq!(data, &p.data.as_bytes().expect("bytes").to_vec());
                }
            }
        }
    }
}
