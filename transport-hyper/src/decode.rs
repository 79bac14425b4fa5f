//! Response compression on the async transport: the `Accept-Encoding` a request offers and the
//! decoding of a buffered body as its frames arrive, with the body limits counted in decoded
//! bytes (so a small compressed body that expands past the limit fails without being
//! allocated).
//!
//! Decoding is push-style: each received frame is written into the decoder, which writes its
//! output into a [`Capped`] buffer that refuses bytes past the limit.

#[cfg(any(feature = "gzip", feature = "brotli"))]
use amigo_platform_core::transport::BodyLimit;
#[cfg(any(feature = "gzip", feature = "brotli"))]
use amigo_platform_core::{Error, TransportErrorKind};
#[cfg(any(feature = "gzip", feature = "brotli"))]
use bytes::Bytes;
use http::header::{HeaderValue, ACCEPT_ENCODING};

/// The codings this build decodes, as an `Accept-Encoding` value (`None` when it decodes none).
const OFFERED: Option<&str> = if cfg!(all(feature = "gzip", feature = "brotli")) {
    Some("gzip, br")
} else if cfg!(feature = "gzip") {
    Some("gzip")
} else if cfg!(feature = "brotli") {
    Some("br")
} else {
    None
};

/// Sets `Accept-Encoding` on a request that has none: `identity` on a stream connect (a
/// compressed event stream is buffered by intermediaries), else the codings this build decodes.
pub(crate) fn offer<B>(request: &mut http::Request<B>, stream: bool) {
    if request.headers().contains_key(ACCEPT_ENCODING) {
        return;
    }
    let value = if stream { Some("identity") } else { OFFERED };
    if let Some(value) = value {
        request
            .headers_mut()
            .insert(ACCEPT_ENCODING, HeaderValue::from_static(value));
    }
}

/// A coding this build decodes.
#[cfg(any(feature = "gzip", feature = "brotli"))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Coding {
    /// `gzip` (or its alias `x-gzip`).
    #[cfg(feature = "gzip")]
    Gzip,
    /// `br`.
    #[cfg(feature = "brotli")]
    Brotli,
}

/// The coding of a response this build decodes; `None` for an identity body, and for a
/// coding it does not know (that body is handed on as it came).
#[cfg(any(feature = "gzip", feature = "brotli"))]
pub(crate) fn coding(head: &http::response::Parts) -> Option<Coding> {
    let value = head
        .headers
        .get(http::header::CONTENT_ENCODING)?
        .to_str()
        .ok()?;
    match value.trim().to_ascii_lowercase().as_str() {
        #[cfg(feature = "gzip")]
        "gzip" | "x-gzip" => Some(Coding::Gzip),
        #[cfg(feature = "brotli")]
        "br" => Some(Coding::Brotli),
        _ => None,
    }
}

/// Where decoded bytes go: a buffer that accepts at most `max` bytes and fails the write that
/// would pass it (so a decoder stops expanding a bomb at the limit).
#[cfg(any(feature = "gzip", feature = "brotli"))]
struct Capped {
    buf: Vec<u8>,
    max: usize,
    full: bool,
}

#[cfg(any(feature = "gzip", feature = "brotli"))]
impl std::io::Write for Capped {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let room = self.max - self.buf.len();
        if data.len() > room {
            self.buf.extend_from_slice(&data[..room]);
            self.full = true;
            return Err(std::io::Error::other("decoded body reached its limit"));
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A decoder writing into a [`Capped`] buffer.
#[cfg(any(feature = "gzip", feature = "brotli"))]
enum Decoder {
    #[cfg(feature = "gzip")]
    Gzip(Box<flate2::write::MultiGzDecoder<Capped>>),
    #[cfg(feature = "brotli")]
    Brotli(Box<brotli_decompressor::DecompressorWriter<Capped>>),
}

/// The brotli decoder's internal buffer size.
#[cfg(feature = "brotli")]
const BROTLI_BUF: usize = 8 * 1024;

#[cfg(any(feature = "gzip", feature = "brotli"))]
impl Decoder {
    fn new(coding: Coding, sink: Capped) -> Decoder {
        match coding {
            #[cfg(feature = "gzip")]
            Coding::Gzip => Decoder::Gzip(Box::new(flate2::write::MultiGzDecoder::new(sink))),
            #[cfg(feature = "brotli")]
            Coding::Brotli => Decoder::Brotli(Box::new(
                brotli_decompressor::DecompressorWriter::new(sink, BROTLI_BUF),
            )),
        }
    }

    fn sink(&mut self) -> &mut Capped {
        match self {
            #[cfg(feature = "gzip")]
            Decoder::Gzip(d) => d.get_mut(),
            #[cfg(feature = "brotli")]
            Decoder::Brotli(d) => d.get_mut(),
        }
    }

    fn write_all(&mut self, data: &[u8]) -> std::io::Result<()> {
        use std::io::Write;
        match self {
            #[cfg(feature = "gzip")]
            Decoder::Gzip(d) => d.write_all(data),
            #[cfg(feature = "brotli")]
            Decoder::Brotli(d) => d.write_all(data),
        }
    }

    /// Flushes what the decoder still holds; fails on a truncated or corrupt stream.
    fn finish(&mut self) -> std::io::Result<()> {
        match self {
            #[cfg(feature = "gzip")]
            Decoder::Gzip(d) => d.try_finish(),
            #[cfg(feature = "brotli")]
            Decoder::Brotli(d) => d.close(),
        }
    }
}

/// Buffers and decodes a body within `limit`, counted in decoded bytes: past a `Whole`
/// limit it fails with `BodyTooLarge`; at a `Head` limit it stops reading. The returned head
/// no longer names the coding (its `Content-Encoding` and `Content-Length` are removed).
#[cfg(any(feature = "gzip", feature = "brotli"))]
pub(crate) async fn buffer<B>(
    mut head: http::response::Parts,
    mut body: B,
    limit: BodyLimit,
    coding: Coding,
) -> amigo_platform_core::transport::AttemptOutcome
where
    B: hyper::body::Body<Data = Bytes> + Unpin,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    use amigo_platform_core::transport::AttemptOutcome;
    use http_body_util::BodyExt;
    head.headers.remove(http::header::CONTENT_ENCODING);
    head.headers.remove(http::header::CONTENT_LENGTH);
    let (max, whole) = match limit {
        BodyLimit::Whole(max) => (max, true),
        BodyLimit::Head(max) => (max, false),
    };
    let sink = Capped {
        buf: Vec::new(),
        max,
        full: false,
    };
    let mut decoder = Decoder::new(coding, sink);
    // Bounded: a body yields data frames, then trailers (skipped) and its end.
    loop {
        let written = match body.frame().await {
            None => break,
            Some(Ok(frame)) => match frame.into_data() {
                Ok(data) => decoder.write_all(&data),
                Err(_) => continue,
            },
            Some(Err(e)) => {
                let error = Error::network(TransportErrorKind::Read, e.into().to_string());
                return AttemptOutcome::BodyFailed { head, error };
            }
        };
        if let Err(e) = written {
            return settle(head, &mut decoder, whole, e);
        }
    }
    match decoder.finish() {
        Ok(()) => {
            let decoded = std::mem::take(&mut decoder.sink().buf);
            AttemptOutcome::Response(http::Response::from_parts(head, decoded.into()))
        }
        Err(e) => settle(head, &mut decoder, whole, e),
    }
}

/// The outcome of a decoder that failed: at the limit, a success body is too large and an
/// error body keeps what decoded (the rest is never read); otherwise the body is corrupt.
#[cfg(any(feature = "gzip", feature = "brotli"))]
fn settle(
    head: http::response::Parts,
    decoder: &mut Decoder,
    whole: bool,
    e: std::io::Error,
) -> amigo_platform_core::transport::AttemptOutcome {
    use amigo_platform_core::transport::AttemptOutcome;
    let sink = decoder.sink();
    let error = match (sink.full, whole) {
        (true, true) => Error::network(
            TransportErrorKind::BodyTooLarge,
            format!("decoded response body exceeds {} bytes", sink.max),
        ),
        (true, false) => {
            let kept = Bytes::from(std::mem::take(&mut sink.buf));
            return AttemptOutcome::Response(http::Response::from_parts(head, kept));
        }
        (false, _) => Error::network(
            TransportErrorKind::Read,
            format!("response body could not be decoded: {e}"),
        ),
    };
    AttemptOutcome::BodyFailed { head, error }
}

#[cfg(all(test, feature = "gzip"))]
mod tests {
    use super::*;
    use amigo_platform_core::transport::AttemptOutcome;
    use http_body_util::Full;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Bytes {
        let mut w = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        w.write_all(data).expect("encode");
        w.finish().expect("encode").into()
    }

    fn head() -> http::response::Parts {
        let response = http::Response::builder()
            .status(500)
            .header("content-encoding", "gzip")
            .body(())
            .expect("head");
        response.into_parts().0
    }

    async fn run(body: Bytes, limit: BodyLimit) -> AttemptOutcome {
        let head = head();
        let coding = coding(&head).expect("gzip");
        buffer(head, Full::new(body), limit, coding).await
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_capped_body_keeps_its_first_decoded_bytes() {
        let text = b"0123456789".repeat(1000);
        match run(gzip(&text), BodyLimit::Head(25)).await {
            AttemptOutcome::Response(r) => {
                assert_eq!(&r.body()[..], &text[..25]);
                assert!(r.headers().get("content-encoding").is_none());
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_corrupt_or_truncated_body_is_a_read_failure() {
        let whole = gzip(&b"x".repeat(4096));
        for body in [
            Bytes::from_static(b"not gzip at all"),
            whole.slice(..whole.len() - 6),
        ] {
            match run(body, BodyLimit::Whole(1 << 20)).await {
                AttemptOutcome::BodyFailed { error, .. } => {
                    assert_eq!(error.transport_kind(), Some(TransportErrorKind::Read));
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }
}
