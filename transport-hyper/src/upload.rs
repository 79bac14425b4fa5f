//! The request body of the async transport ([`RequestBody`]): buffered bytes, or an attempt's
//! streamed segments read in bounded chunks.
//!
//! Blocking sources (files, seekable and one-shot readers) are opened and read on one blocking
//! thread per attempt, which hands 64 KiB chunks over a small bounded channel, so an upload
//! holds a few chunks in memory whatever its size; async streams are polled in place.

use amigo_platform_core::transport::{ByteStream, ProgressCounter, Upload, UPLOAD_CHUNK};
use amigo_platform_core::{Error, Source};
use bytes::Bytes;
use hyper::body::{Frame, SizeHint};
use std::collections::VecDeque;
use std::io::Read;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::sync::{mpsc, oneshot};

/// Chunks the reader thread may run ahead of the connection.
const CHANNEL_CHUNKS: usize = 4;

/// The body type of [`HttpClient`](crate::HttpClient): the attempt's buffered bytes, or its
/// streamed segments.
pub struct RequestBody(Inner);

enum Inner {
    Full(Option<Bytes>),
    Streamed(Streamed),
}

impl std::fmt::Debug for RequestBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Inner::Full(b) => write!(
                f,
                "RequestBody(<{} bytes>)",
                b.as_ref().map_or(0, Bytes::len)
            ),
            Inner::Streamed(s) => write!(f, "RequestBody(streamed, {:?})", s.total),
        }
    }
}

impl RequestBody {
    /// A body of `bytes` (shared, not copied).
    pub fn full(bytes: Bytes) -> Self {
        RequestBody(Inner::Full((!bytes.is_empty()).then_some(bytes)))
    }
}

/// One segment as the body polls it.
enum Seg {
    Bytes(Bytes),
    /// Read by the blocking thread; its chunks end with `Msg::End`.
    Blocking,
    Async(ByteStream),
}

enum Msg {
    Chunk(Bytes),
    End,
    Failed(std::io::Error),
}

struct Streamed {
    segments: VecDeque<Seg>,
    rx: Option<mpsc::Receiver<Msg>>,
    total: Option<u64>,
    progress: ProgressCounter,
}

/// Opens the segments of `upload`: blocking sources on a blocking thread, which reports their
/// lengths and then streams them in order. Fails before anything is sent when a file cannot be
/// opened or a one-shot source was already taken.
pub(crate) async fn open(upload: &Upload) -> Result<(RequestBody, Option<u64>), Error> {
    let mut segments = VecDeque::new();
    let mut blocking = Vec::new();
    let mut total = Some(0u64);
    for s in upload.segments.iter() {
        match s {
            Source::Bytes(b) => {
                total = total.and_then(|t| t.checked_add(b.len() as u64));
                segments.push_back(Seg::Bytes(b.clone()));
            }
            Source::Stream(once, len) => {
                let stream = once
                    .take()
                    .ok_or_else(|| Error::config("the one-shot request body was already sent"))?;
                total = total.zip(*len).and_then(|(a, b)| a.checked_add(b));
                segments.push_back(Seg::Async(stream));
            }
            other => {
                blocking.push(other.clone());
                segments.push_back(Seg::Blocking);
            }
        }
    }
    let mut rx = None;
    if !blocking.is_empty() {
        let (tx, chunks) = mpsc::channel(CHANNEL_CHUNKS);
        let (lens_tx, lens_rx) = oneshot::channel();
        tokio::task::spawn_blocking(move || read_blocking(blocking, lens_tx, tx));
        let lens = lens_rx
            .await
            .map_err(|_| Error::config("the request body reader ended early"))??;
        for len in lens {
            total = total.zip(len).and_then(|(a, b)| a.checked_add(b));
        }
        rx = Some(chunks);
    }
    let progress = ProgressCounter::start(upload.progress.clone(), total);
    Ok((
        RequestBody(Inner::Streamed(Streamed {
            segments,
            rx,
            total,
            progress,
        })),
        total,
    ))
}

fn open_failed(e: std::io::Error) -> Error {
    Error::config(format!("the request body could not be opened: {e}")).with_source(e)
}

/// The blocking thread: opens every blocking source, reports their lengths, then reads them
/// in order in bounded chunks until done or the body is dropped (the send then fails).
fn read_blocking(
    sources: Vec<Source>,
    lens_tx: oneshot::Sender<Result<Vec<Option<u64>>, Error>>,
    tx: mpsc::Sender<Msg>,
) {
    let mut readers: Vec<Box<dyn Read + '_>> = Vec::new();
    let mut lens = Vec::new();
    for s in &sources {
        let opened: Result<(Box<dyn Read + '_>, Option<u64>), Error> = match s {
            Source::File(path) => std::fs::File::open(path)
                .and_then(|f| f.metadata().map(|m| (f, m.len())))
                .map(|(f, len)| (Box::new(f) as Box<dyn Read + '_>, Some(len)))
                .map_err(open_failed),
            Source::Seekable(s) => s
                .rewind()
                .map(|(g, len)| (Box::new(g) as Box<dyn Read + '_>, Some(len)))
                .map_err(open_failed),
            Source::Reader(once, len) => once
                .take()
                .map(|r| (r as Box<dyn Read + '_>, *len))
                .ok_or_else(|| Error::config("the one-shot request body was already sent")),
            _ => Err(Error::config("unsupported request body source")),
        };
        match opened {
            Ok((r, len)) => {
                readers.push(r);
                lens.push(len);
            }
            Err(e) => {
                let _ = lens_tx.send(Err(e));
                return;
            }
        }
    }
    if lens_tx.send(Ok(lens)).is_err() {
        return;
    }
    for mut r in readers {
        // Bounded by the source's length; ends early when the body is dropped.
        loop {
            let mut buf = vec![0u8; UPLOAD_CHUNK];
            let msg = match r.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    buf.truncate(n);
                    Msg::Chunk(Bytes::from(buf))
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => Msg::Failed(e),
            };
            let failed = matches!(msg, Msg::Failed(_));
            if tx.blocking_send(msg).is_err() || failed {
                return;
            }
        }
        if tx.blocking_send(Msg::End).is_err() {
            return;
        }
    }
}

impl hyper::body::Body for RequestBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        let s = match &mut self.0 {
            Inner::Full(b) => return Poll::Ready(b.take().map(|b| Ok(Frame::data(b)))),
            Inner::Streamed(s) => s,
        };
        // Bounded: each pass yields a chunk, waits, or drops one finished segment.
        loop {
            let chunk = match s.segments.front_mut() {
                None => return Poll::Ready(None),
                Some(Seg::Bytes(b)) => {
                    let b = std::mem::take(b);
                    s.segments.pop_front();
                    b
                }
                Some(Seg::Async(stream)) => match stream.as_mut().poll_next(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(None) => {
                        s.segments.pop_front();
                        continue;
                    }
                    Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                    Poll::Ready(Some(Ok(b))) => b,
                },
                Some(Seg::Blocking) => {
                    let Some(rx) = s.rx.as_mut() else {
                        return Poll::Ready(Some(Err(std::io::Error::other("no body reader"))));
                    };
                    match rx.poll_recv(cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(Some(Msg::Chunk(b))) => b,
                        Poll::Ready(Some(Msg::End)) => {
                            s.segments.pop_front();
                            continue;
                        }
                        Poll::Ready(Some(Msg::Failed(e))) => return Poll::Ready(Some(Err(e))),
                        Poll::Ready(None) => {
                            return Poll::Ready(Some(Err(std::io::Error::other(
                                "the request body reader ended early",
                            ))))
                        }
                    }
                }
            };
            if chunk.is_empty() {
                continue;
            }
            s.progress.advance(chunk.len());
            return Poll::Ready(Some(Ok(Frame::data(chunk))));
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.0 {
            Inner::Full(b) => b.is_none(),
            Inner::Streamed(s) => s.segments.is_empty(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.0 {
            Inner::Full(b) => SizeHint::with_exact(b.as_ref().map_or(0, |b| b.len() as u64)),
            Inner::Streamed(Streamed {
                total: Some(n),
                progress,
                ..
            }) => SizeHint::with_exact(n.saturating_sub(progress.sent())),
            Inner::Streamed(_) => SizeHint::default(),
        }
    }
}

/// A one-shot [`Source`] reading `reader` in chunks of 64 KiB, with its length when known
/// (an async upload from a file handle, a socket, a decompressor, ...).
pub fn async_reader(
    reader: impl tokio::io::AsyncRead + Send + 'static,
    len: Option<u64>,
) -> Source {
    Source::stream(ReaderStream(Box::pin(reader)), len)
}

/// An `AsyncRead` as a stream of chunks (tokio-util's `ReaderStream` would bring a crate for
/// these few lines).
struct ReaderStream(Pin<Box<dyn tokio::io::AsyncRead + Send>>);

impl futures_core::Stream for ReaderStream {
    type Item = std::io::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut buf = vec![0u8; UPLOAD_CHUNK];
        let mut rb = tokio::io::ReadBuf::new(&mut buf);
        match self.0.as_mut().poll_read(cx, &mut rb) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(e)) => Poll::Ready(Some(Err(e))),
            Poll::Ready(Ok(())) => {
                let n = rb.filled().len();
                if n == 0 {
                    return Poll::Ready(None);
                }
                buf.truncate(n);
                Poll::Ready(Some(Ok(Bytes::from(buf))))
            }
        }
    }
}
