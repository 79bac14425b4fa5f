//! Sending a streamed request body: the attempt's segments opened in order (files reopened,
//! seekable readers rewound) and read through one reader that reports progress.

use amigo_platform_core::transport::{ProgressCounter, Upload};
use amigo_platform_core::{Error, Source};
use std::collections::VecDeque;
use std::io::{Cursor, Read};

/// The segments of one attempt's body as one reader; ureq reads it in its own bounded chunks.
pub(crate) struct UploadReader<'a> {
    segments: VecDeque<Box<dyn Read + 'a>>,
    progress: ProgressCounter,
}

impl<'a> UploadReader<'a> {
    /// Opens every segment of `upload`; the length is known when every segment's is.
    pub(crate) fn open(upload: &'a Upload) -> Result<(UploadReader<'a>, Option<u64>), Error> {
        let mut segments: VecDeque<Box<dyn Read + 'a>> = VecDeque::new();
        let mut total = Some(0u64);
        for s in upload.segments.iter() {
            let (reader, len): (Box<dyn Read + 'a>, Option<u64>) = match s {
                Source::Bytes(b) => (Box::new(Cursor::new(b.clone())), Some(b.len() as u64)),
                Source::File(path) => {
                    let file = std::fs::File::open(path).map_err(open_failed)?;
                    let len = file.metadata().map_err(open_failed)?.len();
                    (Box::new(file), Some(len))
                }
                Source::Seekable(s) => {
                    let (guard, len) = s.rewind().map_err(open_failed)?;
                    (Box::new(guard), Some(len))
                }
                Source::Reader(once, len) => match once.take() {
                    Some(r) => (r, *len),
                    None => {
                        return Err(Error::config("the one-shot request body was already sent"))
                    }
                },
                _ => {
                    return Err(Error::config(
                        "an async stream body cannot be sent by the blocking transport",
                    ))
                }
            };
            total = total.zip(len).and_then(|(a, b)| a.checked_add(b));
            segments.push_back(reader);
        }
        let progress = ProgressCounter::start(upload.progress.clone(), total);
        Ok((UploadReader { segments, progress }, total))
    }
}

fn open_failed(e: std::io::Error) -> Error {
    Error::config(format!("the request body could not be opened: {e}")).with_source(e)
}

impl Read for UploadReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // Bounded: each empty read drops one segment.
        while let Some(front) = self.segments.front_mut() {
            let n = front.read(buf)?;
            if n > 0 || buf.is_empty() {
                self.progress.advance(n);
                return Ok(n);
            }
            self.segments.pop_front();
        }
        Ok(0)
    }
}
