//! Streamed request bodies: where the bytes come from ([`Source`]), the body a driver sends
//! for one attempt ([`Upload`]), and upload progress ([`UploadProgress`], [`OnUploadProgress`]).
//!
//! The core never reads a source: it lays a body out as segments (bytes it encoded itself,
//! such as multipart boundaries, and sources the driver reads) and decides whether the body
//! can be sent again. The driver opens every source per attempt, reads it in bounded chunks
//! and reports progress as it writes.

use bytes::Bytes;
use futures_core::Stream;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};

/// The chunk size drivers read streamed sources in (64 KiB).
pub const UPLOAD_CHUNK: usize = 64 * 1024;

/// A reader that can be rewound: what [`Source::seekable`] accepts.
pub trait ReadSeek: Read + Seek + Send {}
impl<T: Read + Seek + Send> ReadSeek for T {}

/// A one-shot stream of body chunks, for async transports ([`Source::stream`]).
pub type ByteStream = Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>;

/// Where the bytes of a request body (or of one multipart part) come from.
///
/// `Bytes`, a file path and a [`seekable`](Source::seekable) reader are replayable: every
/// attempt sends them whole again (a file is reopened, a reader rewound to where it stood when
/// first used). A [`reader`](Source::reader) or [`stream`](Source::stream) is one-shot: a call
/// whose body holds one is never retried and never follows a redirect once it has started
/// sending. `Debug` never shows a source's contents.
#[derive(Clone)]
#[non_exhaustive]
pub enum Source {
    /// Bytes in memory (shared, never copied per attempt).
    Bytes(Bytes),
    /// A file, opened by the driver for each attempt; its length is the file's size then.
    File(PathBuf),
    /// A blocking reader that can be rewound, read by the driver for each attempt.
    Seekable(Seekable),
    /// A blocking reader read once, with its length when known.
    Reader(OneShot<Box<dyn Read + Send>>, Option<u64>),
    /// An async stream of chunks read once, with its length when known.
    Stream(OneShot<ByteStream>, Option<u64>),
}

impl Source {
    /// A file to stream from `path`, reopened for every attempt.
    pub fn file(path: impl AsRef<Path>) -> Source {
        Source::File(path.as_ref().to_path_buf())
    }

    /// A reader that is rewound (to its position when first used) for every attempt; its
    /// length is found by seeking to its end.
    pub fn seekable(reader: impl Read + Seek + Send + 'static) -> Source {
        Source::Seekable(Seekable {
            inner: Arc::new(Mutex::new((Box::new(reader), None))),
        })
    }

    /// A one-shot blocking reader with its length, when known (sent with `Content-Length`,
    /// else chunked). The call is not retried once it has started sending.
    pub fn reader(reader: impl Read + Send + 'static, len: Option<u64>) -> Source {
        Source::Reader(OneShot::new(Box::new(reader)), len)
    }

    /// A one-shot async stream of chunks with its length, when known (async transports).
    pub fn stream(
        stream: impl Stream<Item = std::io::Result<Bytes>> + Send + 'static,
        len: Option<u64>,
    ) -> Source {
        Source::Stream(OneShot::new(Box::pin(stream)), len)
    }

    /// Whether every attempt can send this source again.
    pub fn replayable(&self) -> bool {
        matches!(
            self,
            Source::Bytes(_) | Source::File(_) | Source::Seekable(_)
        )
    }

    /// The bytes of an in-memory source.
    pub fn as_bytes(&self) -> Option<&Bytes> {
        match self {
            Source::Bytes(b) => Some(b),
            _ => None,
        }
    }
}

impl From<Bytes> for Source {
    fn from(b: Bytes) -> Source {
        Source::Bytes(b)
    }
}

impl From<Vec<u8>> for Source {
    fn from(b: Vec<u8>) -> Source {
        Source::Bytes(b.into())
    }
}

impl From<&'static [u8]> for Source {
    fn from(b: &'static [u8]) -> Source {
        Source::Bytes(Bytes::from_static(b))
    }
}

impl From<String> for Source {
    fn from(s: String) -> Source {
        Source::Bytes(s.into())
    }
}

impl From<&'static str> for Source {
    fn from(s: &'static str) -> Source {
        Source::Bytes(Bytes::from_static(s.as_bytes()))
    }
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Bytes(b) => write!(f, "Bytes(<{} bytes>)", b.len()),
            Source::File(_) => f.write_str("File"),
            Source::Seekable(_) => f.write_str("Seekable"),
            Source::Reader(_, len) => f.debug_tuple("Reader").field(len).finish(),
            Source::Stream(_, len) => f.debug_tuple("Stream").field(len).finish(),
        }
    }
}

impl PartialEq for Source {
    fn eq(&self, other: &Source) -> bool {
        match (self, other) {
            (Source::Bytes(a), Source::Bytes(b)) => a == b,
            (Source::File(a), Source::File(b)) => a == b,
            (Source::Seekable(a), Source::Seekable(b)) => Arc::ptr_eq(&a.inner, &b.inner),
            (Source::Reader(a, _), Source::Reader(b, _)) => Arc::ptr_eq(&a.0, &b.0),
            (Source::Stream(a, _), Source::Stream(b, _)) => Arc::ptr_eq(&a.0, &b.0),
            _ => false,
        }
    }
}

/// A rewindable reader and its start position, recorded when first used.
type SeekState = (Box<dyn ReadSeek>, Option<u64>);

/// A shared rewindable reader (see [`Source::seekable`]).
#[derive(Clone)]
pub struct Seekable {
    inner: Arc<Mutex<SeekState>>,
}

impl Seekable {
    /// Locks the reader for one attempt, rewinds it to its start and returns it with the
    /// length from there to its end. Attempts of one call never overlap, so the lock is free.
    pub fn rewind(&self) -> std::io::Result<(SeekableGuard<'_>, u64)> {
        use std::io::SeekFrom;
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let (reader, start) = &mut *guard;
        let start = match start {
            Some(s) => *s,
            None => *start.insert(reader.stream_position()?),
        };
        let end = reader.seek(SeekFrom::End(0))?;
        reader.seek(SeekFrom::Start(start))?;
        Ok((SeekableGuard(guard), end.saturating_sub(start)))
    }
}

/// A locked [`Seekable`], read by a driver during one attempt.
pub struct SeekableGuard<'a>(MutexGuard<'a, SeekState>);

impl Read for SeekableGuard<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0 .0.read(buf)
    }
}

/// A value a driver can take once (a one-shot reader or stream).
pub struct OneShot<T>(Arc<Mutex<Option<T>>>);

impl<T> Clone for OneShot<T> {
    fn clone(&self) -> Self {
        OneShot(self.0.clone())
    }
}

impl<T> OneShot<T> {
    fn new(value: T) -> Self {
        OneShot(Arc::new(Mutex::new(Some(value))))
    }

    /// Takes the value; `None` once an attempt has taken it.
    pub fn take(&self) -> Option<T> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

/// How far one attempt's upload has got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UploadProgress {
    /// Bytes of the body sent so far in this attempt.
    pub sent: u64,
    /// The body's total length, when every source's length is known.
    pub total: Option<u64>,
}

/// A callback told of upload progress (see [`RequestOptions::on_upload_progress`](crate::RequestOptions::on_upload_progress)).
#[derive(Clone)]
pub struct OnUploadProgress(Arc<dyn Fn(UploadProgress) + Send + Sync>);

impl OnUploadProgress {
    /// Wraps a callback.
    pub fn new(f: impl Fn(UploadProgress) + Send + Sync + 'static) -> Self {
        OnUploadProgress(Arc::new(f))
    }

    /// Calls the callback.
    pub fn report(&self, progress: UploadProgress) {
        (self.0)(progress)
    }
}

impl std::fmt::Debug for OnUploadProgress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OnUploadProgress")
    }
}

/// The body of one attempt when it is streamed or observed: its segments in order and the
/// progress callback. A driver sends it instead of the request's (then empty) buffered body,
/// with `Content-Length` when every segment's length is known, else chunked.
#[derive(Clone, Debug)]
pub struct Upload {
    /// The segments in order.
    pub segments: Arc<[Source]>,
    /// Told of the bytes sent as the driver writes them (restarts from 0 on every attempt).
    pub progress: Option<OnUploadProgress>,
}

impl Upload {
    /// Whether every segment can be sent again.
    pub fn replayable(&self) -> bool {
        self.segments.iter().all(Source::replayable)
    }

    /// The total length when it is known without opening anything (in-memory segments and
    /// one-shot sources of known length); files and seekable readers are measured by the
    /// driver when it opens them.
    pub fn known_len(&self) -> Option<u64> {
        self.segments.iter().try_fold(0u64, |acc, s| {
            let n = match s {
                Source::Bytes(b) => b.len() as u64,
                Source::Reader(_, len) | Source::Stream(_, len) => (*len)?,
                Source::File(_) | Source::Seekable(_) => return None,
            };
            acc.checked_add(n)
        })
    }
}

/// Counts what a driver sends and reports it to the progress callback.
#[derive(Debug)]
pub struct ProgressCounter {
    callback: Option<OnUploadProgress>,
    sent: u64,
    total: Option<u64>,
}

impl ProgressCounter {
    /// A counter for one attempt of `total` bytes (when known); reports 0 sent at once.
    pub fn start(callback: Option<OnUploadProgress>, total: Option<u64>) -> Self {
        let c = ProgressCounter {
            callback,
            sent: 0,
            total,
        };
        c.report();
        c
    }

    /// The bytes recorded so far.
    pub fn sent(&self) -> u64 {
        self.sent
    }

    /// Records `n` more bytes written.
    pub fn advance(&mut self, n: usize) {
        if n > 0 {
            self.sent = self.sent.saturating_add(n as u64);
            self.report();
        }
    }

    fn report(&self) {
        if let Some(cb) = &self.callback {
            cb.report(UploadProgress {
                sent: self.sent,
                total: self.total,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn seekable_rewinds_to_its_first_position() {
        let mut c = Cursor::new(b"xxhello".to_vec());
        c.set_position(2);
        let s = Source::seekable(c);
        let Source::Seekable(s) = s else {
            panic!("seekable")
        };
        for _ in 0..2 {
            let (mut r, len) = s.rewind().expect("rewind");
            assert_eq!(len, 5);
            let mut out = String::new();
            r.read_to_string(&mut out).expect("read");
            assert_eq!(out, "hello");
        }
    }

    #[test]
    fn one_shot_is_taken_once_and_not_replayable() {
        let s = Source::reader(Cursor::new(b"abc".to_vec()), Some(3));
        assert!(!s.replayable());
        let Source::Reader(r, _) = s.clone() else {
            panic!("reader")
        };
        assert!(r.take().is_some());
        assert!(r.take().is_none());
        assert!(Source::file("/x").replayable());
        assert!(Source::Bytes(Bytes::from_static(b"x")).replayable());
    }

    #[test]
    fn debug_never_shows_contents_or_paths() {
        let s = Source::Bytes(Bytes::from_static(b"secret-bytes"));
        assert_eq!(format!("{s:?}"), "Bytes(<12 bytes>)");
        assert_eq!(format!("{:?}", Source::file("/home/me/secret.wav")), "File");
    }

    #[test]
    fn known_len_sums_in_memory_and_declared_lengths() {
        let up = |segments: Vec<Source>| Upload {
            segments: segments.into(),
            progress: None,
        };
        let b = || Source::Bytes(Bytes::from_static(b"abcd"));
        let r = |len| Source::reader(Cursor::new(Vec::new()), len);
        assert_eq!(up(vec![b(), r(Some(6))]).known_len(), Some(10));
        assert_eq!(up(vec![b(), r(None)]).known_len(), None);
        assert_eq!(up(vec![b(), Source::file("/x")]).known_len(), None);
    }

    #[test]
    fn progress_counts_from_zero_to_the_total() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s2 = seen.clone();
        let cb = OnUploadProgress::new(move |p| s2.lock().expect("lock").push(p.sent));
        let mut c = ProgressCounter::start(Some(cb), Some(5));
        c.advance(2);
        c.advance(0);
        c.advance(3);
        assert_eq!(*seen.lock().expect("lock"), vec![0, 2, 5]);
    }
}
