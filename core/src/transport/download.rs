//! Streamed downloads over the drivers: the blocking [`Download`] (an `Iterator` of chunks and
//! a [`std::io::Read`]) and [`nonblocking_download!`](crate::nonblocking_download), which
//! declares an async transport's `Download` (a `futures_core::Stream` of chunks). Both run a
//! [`DownloadCall`] through the transport's one driver loop.

use crate::call::download::{DownloadCall, DownloadHead, DownloadItem, Progress, ProgressMeter};
use crate::call::response::ResponseMeta;
use crate::error::{Error, TransportErrorKind};
use crate::transport::blocking::{BlockingIo, Driver};
use bytes::Bytes;

/// A progress callback of a blocking download.
type OnProgress = dyn FnMut(Progress) + Send;

/// A blocking streamed download, started by `call.stream()?` once the 2xx head arrived: an
/// `Iterator` of the body's chunks (a failure is the last item), a [`std::io::Read`], and
/// [`copy_to`](Download::copy_to). Dropping it closes the connection.
pub struct Download<Io: BlockingIo> {
    driver: Driver<DownloadCall, Io>,
    head: DownloadHead,
    meter: ProgressMeter<OnProgress>,
    /// What a `Read` has not handed out yet of the last chunk.
    unread: Bytes,
    finished: bool,
}

impl<Io: BlockingIo> std::fmt::Debug for Download<Io> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        debug(f, &self.head, self.meter.progress(), self.finished)
    }
}

/// The `Debug` of a download on any transport: its head (headers redacted), progress and
/// whether it ended.
pub fn debug(
    f: &mut std::fmt::Formatter<'_>,
    head: &DownloadHead,
    progress: Progress,
    finished: bool,
) -> std::fmt::Result {
    f.debug_struct("Download")
        .field("head", head)
        .field("progress", &progress)
        .field("finished", &finished)
        .finish_non_exhaustive()
}

/// Runs `driver` to its first item: the head of a download, or its error.
pub fn start<Io: BlockingIo>(mut driver: Driver<DownloadCall, Io>) -> Result<Download<Io>, Error> {
    match driver.next() {
        Some(Ok(DownloadItem::Head(head))) => Ok(Download {
            meter: ProgressMeter::new(head.content_length),
            driver,
            head,
            unread: Bytes::new(),
            finished: false,
        }),
        Some(Ok(DownloadItem::Chunk(_))) => {
            Err(Error::driver("a download yielded data before its head"))
        }
        Some(Err(e)) => Err(e),
        None => Err(Error::driver("a download ended before its head")),
    }
}

impl<Io: BlockingIo> Download<Io> {
    /// The response head: status, headers, request id, length and type.
    pub fn head(&self) -> &DownloadHead {
        &self.head
    }

    /// The response metadata (status, headers, request id, rate limits).
    pub fn meta(&self) -> &ResponseMeta {
        &self.head.meta
    }

    /// The body's length, when the server announced it.
    pub fn content_length(&self) -> Option<u64> {
        self.head.content_length
    }

    /// The body's media type, when present.
    pub fn content_type(&self) -> Option<&str> {
        self.head.content_type.as_deref()
    }

    /// How much has been delivered so far.
    pub fn progress(&self) -> Progress {
        self.meter.progress()
    }

    /// Calls `callback` after every chunk with the bytes delivered so far and the total when
    /// known (and once at the end of an empty body): a complete download's last report has
    /// `done == total`.
    pub fn on_progress(mut self, callback: impl FnMut(Progress) + Send + 'static) -> Self {
        self.meter.set(Box::new(callback));
        self
    }

    /// Writes the rest of the body to `out`; the bytes written. A failed write is a `Network`
    /// error of kind `Write`.
    pub fn copy_to<W: std::io::Write + ?Sized>(&mut self, out: &mut W) -> Result<u64, Error> {
        let mut written = 0u64;
        let write = |out: &mut W, bytes: &[u8]| {
            out.write_all(bytes)
                .map_err(|e| Error::network_from(TransportErrorKind::Write, e))
        };
        if !self.unread.is_empty() {
            let rest = std::mem::take(&mut self.unread);
            write(out, &rest)?;
            written += rest.len() as u64;
        }
        for chunk in self.by_ref() {
            let chunk = chunk?;
            write(out, &chunk)?;
            written += chunk.len() as u64;
        }
        out.flush()
            .map_err(|e| Error::network_from(TransportErrorKind::Write, e))?;
        Ok(written)
    }
}

impl<Io: BlockingIo> Iterator for Download<Io> {
    type Item = Result<Bytes, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        let item = self.driver.next();
        chunk_of(item, &mut self.meter, &mut self.finished)
    }
}

/// What a download hands out for its driver's next item: a chunk (counted by `meter`), or
/// its end (`finished` is then set, and a complete body's end is reported to `meter`).
pub fn chunk_of<F: ?Sized + FnMut(Progress)>(
    item: Option<Result<DownloadItem, Error>>,
    meter: &mut ProgressMeter<F>,
    finished: &mut bool,
) -> Option<Result<Bytes, Error>> {
    match item {
        Some(Ok(DownloadItem::Chunk(bytes))) => {
            meter.advance(bytes.len());
            Some(Ok(bytes))
        }
        Some(Ok(DownloadItem::Head(_))) => {
            *finished = true;
            Some(Err(Error::driver("a download yielded a second head")))
        }
        Some(Err(e)) => {
            *finished = true;
            Some(Err(e))
        }
        None => {
            *finished = true;
            meter.finish();
            None
        }
    }
}

impl<Io: BlockingIo> std::io::Read for Download<Io> {
    /// Reads the body; a failure is an [`std::io::Error`] whose inner error is the SDK's
    /// [`Error`].
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.unread.is_empty() {
            match self.next() {
                Some(Ok(bytes)) => self.unread = bytes,
                Some(Err(e)) => return Err(std::io::Error::other(e)),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.unread.len());
        buf[..n].copy_from_slice(&self.unread[..n]);
        let _ = self.unread.split_to(n);
        Ok(n)
    }
}

/// Declares an async transport's streamed download over its `Stream` (from
/// [`nonblocking_streams!`](crate::nonblocking_streams), which invokes this): `Download` (a
/// `futures_core::Stream` of the body's chunks, with the head and progress) and the
/// [`DownloadTransport`](crate::transport::DownloadTransport) implementation, whose
/// `Download` is a boxed future that resolves once the 2xx head arrived.
#[macro_export]
macro_rules! nonblocking_download {
    ($t:ty, [$($send:tt)*]) => {
        /// An async streamed download, from `call.stream().await?` once the 2xx head
        /// arrived: a `futures_core::Stream` of the body's chunks (a failure is the last
        /// item). Dropping it closes the connection.
        pub struct Download {
            stream: Stream<$crate::transport::DownloadCall>,
            head: $crate::DownloadHead,
            meter: $crate::transport::ProgressMeter<dyn FnMut($crate::Progress) $($send)*>,
            finished: bool,
        }

        impl std::fmt::Debug for Download {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                $crate::transport::download::debug(
                    f,
                    &self.head,
                    self.meter.progress(),
                    self.finished,
                )
            }
        }

        impl Download {
            async fn start(
                mut stream: Stream<$crate::transport::DownloadCall>,
            ) -> Result<Download, $crate::Error> {
                match stream.next_item().await {
                    Some(Ok($crate::transport::DownloadItem::Head(head))) => Ok(Download {
                        meter: $crate::transport::ProgressMeter::new(head.content_length),
                        stream,
                        head,
                        finished: false,
                    }),
                    Some(Ok($crate::transport::DownloadItem::Chunk(_))) => Err(
                        $crate::Error::driver("a download yielded data before its head"),
                    ),
                    Some(Err(e)) => Err(e),
                    None => Err($crate::Error::driver("a download ended before its head")),
                }
            }

            /// The response head: status, headers, request id, length and type.
            pub fn head(&self) -> &$crate::DownloadHead {
                &self.head
            }

            /// The response metadata (status, headers, request id, rate limits).
            pub fn meta(&self) -> &$crate::ResponseMeta {
                &self.head.meta
            }

            /// The body's length, when the server announced it.
            pub fn content_length(&self) -> Option<u64> {
                self.head.content_length
            }

            /// The body's media type, when present.
            pub fn content_type(&self) -> Option<&str> {
                self.head.content_type.as_deref()
            }

            /// How much has been delivered so far.
            pub fn progress(&self) -> $crate::Progress {
                self.meter.progress()
            }

            /// Calls `callback` after every chunk with the bytes delivered so far and the
            /// total when known (and once at the end of an empty body): a complete
            /// download's last report has `done == total`.
            pub fn on_progress(
                mut self,
                callback: impl FnMut($crate::Progress) $($send)* + 'static,
            ) -> Self {
                self.meter.set(Box::new(callback));
                self
            }

            /// The next chunk of the body (a convenience over `Stream::poll_next`).
            pub async fn next_chunk(&mut self) -> Option<Result<$crate::__private::Bytes, $crate::Error>> {
                std::future::poll_fn(|cx| self.poll_chunk(cx)).await
            }

            fn poll_chunk(
                &mut self,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<Option<Result<$crate::__private::Bytes, $crate::Error>>> {
                if self.finished {
                    return std::task::Poll::Ready(None);
                }
                let item = std::task::ready!(self.stream.poll_item(cx));
                std::task::Poll::Ready($crate::transport::download::chunk_of(
                    item,
                    &mut self.meter,
                    &mut self.finished,
                ))
            }
        }

        impl futures_core::Stream for Download {
            type Item = Result<$crate::__private::Bytes, $crate::Error>;
            fn poll_next(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<Option<Self::Item>> {
                self.get_mut().poll_chunk(cx)
            }
        }

        impl $crate::transport::DownloadTransport for $t {
            type Download = std::pin::Pin<
                Box<dyn std::future::Future<Output = Result<Download, $crate::Error>> $($send)*>,
            >;
            fn drive_download(&self, download: $crate::transport::DownloadCall) -> Self::Download {
                Box::pin(Download::start(Stream::new(download, self.clone(), ())))
            }
        }
    };
}
