//! The download routes: recordings and intake uploads whose bodies are generated on the fly
//! from their offset, of any size, streamed and never held whole.
//!
//! The size comes from the name: a recording `name-<bytes>.<ext>` or an upload id
//! `name-<bytes>` has that many bytes; any other name has [`DEFAULT_DOWNLOAD_LEN`]. A name
//! containing `missing` answers 404. Byte `i` of every download is [`download_byte`]`(i)`.

use http::header::{HeaderName, HeaderValue, CONTENT_TYPE, WWW_AUTHENTICATE};
use http::{HeaderMap, Method, StatusCode};

use crate::util::percent_decode;

/// The size of a download whose name carries none (64 KiB).
pub const DEFAULT_DOWNLOAD_LEN: u64 = 64 * 1024;

/// The largest piece of a generated body produced at once (64 KiB).
pub(crate) const PIECE: u64 = 64 * 1024;

/// The period of the generated content (1 MiB): byte `i` equals byte `i + DOWNLOAD_PERIOD`.
pub const DOWNLOAD_PERIOD: u64 = 1 << 20;

/// Byte `offset` of every generated download: a function of the offset that differs between
/// neighbouring bytes and between 256-byte and 64 KiB blocks, so that lost, repeated or
/// reordered data shows; it repeats every [`DOWNLOAD_PERIOD`] bytes.
pub fn download_byte(offset: u64) -> u8 {
    let low = offset as u8;
    let mid = (offset >> 8) as u8;
    let high = ((offset >> 16) & 0x0f) as u8;
    low ^ mid.rotate_left(3) ^ high.wrapping_mul(7)
}

/// One period of the generated content ([`download_byte`] of `0..DOWNLOAD_PERIOD`), built
/// once: pieces of a body are slices of it, so generating costs no copy.
pub fn download_pattern() -> &'static bytes::Bytes {
    static PATTERN: std::sync::OnceLock<bytes::Bytes> = std::sync::OnceLock::new();
    PATTERN.get_or_init(|| (0..DOWNLOAD_PERIOD).map(download_byte).collect())
}

/// The piece of a generated body from `from` to at most `to`: up to [`PIECE`] bytes, never
/// crossing a period boundary.
pub(crate) fn piece(from: u64, to: u64) -> bytes::Bytes {
    let start = from % DOWNLOAD_PERIOD;
    let len = (to - from).min(PIECE).min(DOWNLOAD_PERIOD - start);
    download_pattern().slice(start as usize..(start + len) as usize)
}

/// The answer of a download route: a head, and either a generated body of `len` bytes or a
/// small JSON error.
pub(crate) struct Download {
    pub(crate) status: StatusCode,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    /// The generated body's length (`None` for an error, whose body is `error`).
    pub(crate) len: Option<u64>,
    pub(crate) error: bytes::Bytes,
}

impl Download {
    fn error(status: StatusCode, detail: &str) -> Download {
        Download {
            status,
            headers: vec![(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
            len: None,
            error: bytes::Bytes::from(serde_json::json!({ "detail": detail }).to_string()),
        }
    }
}

/// Answers a download route, or `None` for any other request.
pub(crate) fn route(method: &Method, path: &str, headers: &HeaderMap) -> Option<Download> {
    if method != Method::GET && method != Method::HEAD {
        return None;
    }
    let segs: Vec<String> = path
        .split('/')
        .skip(1)
        .map(|s| percent_decode(s, false))
        .collect();
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let (name, wav) = match segs.as_slice() {
        ["v1", _, "recordings", _, "download", file] => (*file, true),
        ["v1", _, "intake", "links", _, "uploads", upload, "download"] => (*upload, false),
        _ => return None,
    };
    if !super::authorized(headers) {
        let mut reply = Download::error(StatusCode::UNAUTHORIZED, "Not authenticated");
        reply
            .headers
            .push((WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
        return Some(reply);
    }
    if name.contains("missing") {
        return Some(Download::error(
            StatusCode::NOT_FOUND,
            "Recording not found",
        ));
    }
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    let len = stem
        .rsplit_once('-')
        .and_then(|(_, n)| n.parse::<u64>().ok())
        .unwrap_or(DEFAULT_DOWNLOAD_LEN);
    let content_type = if wav {
        "audio/wav"
    } else {
        "application/octet-stream"
    };
    Some(Download {
        status: StatusCode::OK,
        headers: vec![(CONTENT_TYPE, HeaderValue::from_static(content_type))],
        len: Some(len),
        error: bytes::Bytes::new(),
    })
}
