//! Response compression in the mock: which coding a request accepts, compressing a body in it,
//! and the gzip bomb of [`Fault::gzip_bomb`](crate::Fault::gzip_bomb).

use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};

use bytes::Bytes;
use http::header::{HeaderMap, HeaderValue, ACCEPT_ENCODING};

/// Bodies shorter than this many bytes are always served as they are.
pub const COMPRESS_AT_LEAST: usize = 256;

/// How the mock compresses the responses of its normal handler, set with
/// [`MockServer::compression`](crate::MockServer::compression).
///
/// Only bodies of at least [`COMPRESS_AT_LEAST`] bytes are compressed, only in a coding the
/// request's `Accept-Encoding` allows, and never event streams, fault bodies or truncated
/// bodies. [`RecordedRequest::encoding`](crate::RecordedRequest::encoding) says what was
/// served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Compression {
    /// Brotli when accepted, else gzip when accepted (the default).
    #[default]
    Preferred,
    /// Gzip only (when accepted).
    Gzip,
    /// Brotli only (when accepted).
    Brotli,
    /// Never compress.
    Off,
}

impl Compression {
    fn to_u8(self) -> u8 {
        match self {
            Compression::Preferred => 0,
            Compression::Gzip => 1,
            Compression::Brotli => 2,
            Compression::Off => 3,
        }
    }

    fn from_u8(n: u8) -> Compression {
        match n {
            1 => Compression::Gzip,
            2 => Compression::Brotli,
            3 => Compression::Off,
            _ => Compression::Preferred,
        }
    }
}

/// The server's compression mode, shared with the handle.
#[derive(Debug, Default)]
pub(crate) struct Mode(AtomicU8);

impl Mode {
    pub(crate) fn set(&self, mode: Compression) {
        self.0.store(mode.to_u8(), Ordering::SeqCst);
    }

    pub(crate) fn get(&self) -> Compression {
        Compression::from_u8(self.0.load(Ordering::SeqCst))
    }
}

/// Whether `request` accepts `coding` (a listed token whose `q` is not zero; `*` counts).
fn accepts(request: &HeaderMap, coding: &str) -> bool {
    request
        .get_all(ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            !refused && (name.eq_ignore_ascii_case(coding) || name == "*")
        })
}

/// The coding to serve a body of `len` bytes in, for a request with these headers.
pub(crate) fn choose(mode: Compression, request: &HeaderMap, len: usize) -> Option<&'static str> {
    if len < COMPRESS_AT_LEAST {
        return None;
    }
    let gzip = || accepts(request, "gzip").then_some("gzip");
    let brotli = || accepts(request, "br").then_some("br");
    match mode {
        Compression::Off => None,
        Compression::Gzip => gzip(),
        Compression::Brotli => brotli(),
        Compression::Preferred => brotli().or_else(gzip),
    }
}

/// `body` compressed in `coding` (`gzip` or `br`).
pub(crate) fn compress(coding: &str, body: &[u8]) -> std::io::Result<Bytes> {
    match coding {
        "br" => {
            let mut out = Vec::new();
            {
                // Quality 5, window 2^22: a typical server's dynamic-content setting.
                let mut w = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
                w.write_all(body)?;
                w.flush()?;
            }
            Ok(out.into())
        }
        _ => {
            let mut w = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            w.write_all(body)?;
            Ok(w.finish()?.into())
        }
    }
}

/// A gzip body of zeros that decodes to `decoded` bytes: gzip members of 1 MiB of zeros each
/// (about 1 KiB on the wire), so even a bomb of gigabytes is built in moments.
pub(crate) fn gzip_bomb(decoded: usize) -> Bytes {
    const MEMBER: usize = 1024 * 1024;
    let zeros = |n: usize| compress("gzip", &vec![0u8; n]).unwrap_or_default();
    let whole = zeros(MEMBER);
    let mut out = Vec::with_capacity(whole.len() * (decoded / MEMBER + 1));
    for _ in 0..decoded / MEMBER {
        out.extend_from_slice(&whole);
    }
    if !decoded.is_multiple_of(MEMBER) {
        out.extend_from_slice(&zeros(decoded % MEMBER));
    }
    out.into()
}

/// The value of a `Content-Encoding` header for `coding`.
pub(crate) fn header(coding: &'static str) -> HeaderValue {
    HeaderValue::from_static(coding)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(accept: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            ACCEPT_ENCODING,
            HeaderValue::from_str(accept).expect("value"),
        );
        h
    }

    #[test]
    fn choice_follows_accept_encoding_mode_and_size() {
        let big = COMPRESS_AT_LEAST;
        let both = headers("gzip, br");
        assert_eq!(choose(Compression::Preferred, &both, big), Some("br"));
        assert_eq!(choose(Compression::Gzip, &both, big), Some("gzip"));
        assert_eq!(choose(Compression::Brotli, &both, big), Some("br"));
        assert_eq!(choose(Compression::Off, &both, big), None);
        assert_eq!(choose(Compression::Preferred, &both, big - 1), None);
        assert_eq!(
            choose(Compression::Preferred, &headers("gzip"), big),
            Some("gzip")
        );
        assert_eq!(choose(Compression::Brotli, &headers("gzip"), big), None);
        assert_eq!(
            choose(Compression::Preferred, &headers("identity"), big),
            None
        );
        assert_eq!(
            choose(Compression::Preferred, &headers("br;q=0, gzip"), big),
            Some("gzip")
        );
        assert_eq!(choose(Compression::Preferred, &HeaderMap::new(), big), None);
    }

    #[test]
    fn a_bomb_is_small_and_decodes_to_its_size() {
        use std::io::Read;
        let size = 8 * 1024 * 1024 + 5;
        let bomb = gzip_bomb(size);
        assert!(bomb.len() < 64 * 1024, "{} bytes", bomb.len());
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&bomb[..])
            .read_to_end(&mut out)
            .expect("valid gzip");
        assert_eq!(out.len(), size);
        assert!(out.iter().all(|b| *b == 0));
    }
}
