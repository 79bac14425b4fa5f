//! Streamed downloads: `.stream()` on every call whose answer is a file
//! ([`Binary`]: recordings, intake uploads, invoice PDFs) and on
//! the low-level helpers (`client.get(path).stream_body()`).
//!
//! `.send()` buffers the whole body (up to the transport's body limit, 64 MiB by default);
//! `.stream()` returns once the 2xx head arrived and hands the body over chunk by chunk, never
//! holding it whole, so a file of any size downloads in constant memory. The call's options,
//! retries, redirects and credentials apply up to the head; after that nothing is retried and
//! a failed read ends the download with a `Network` error.
//!
//! ```no_run
//! use amigo_platform_api::ApiExt;
//!
//! let client = amigo_platform_ureq::Client::new(amigo_platform_core::Config::from_env()?);
//! let mut download = client
//!     .api()
//!     .recordings()
//!     .download("CA123", "call.wav")
//!     .stream()?
//!     .on_progress(|p| eprintln!("{} of {:?} bytes", p.done, p.total));
//! let mut file = std::fs::File::create("call.wav").map_err(|e| {
//!     amigo_platform_core::Error::config(e.to_string())
//! })?;
//! download.copy_to(&mut file)?;
//! # Ok::<(), amigo_platform_core::Error>(())
//! ```
//!
//! With the async transport, `.stream().await?` gives a `Stream` of chunks with
//! `next_chunk().await` and `copy_to(&mut writer).await`.

use crate::call::{Call, Single};
use amigo_platform_core::transport::DownloadTransport;
use amigo_platform_core::{Binary, DownloadOptions, Operation, RawRequest};

impl<'c, E: DownloadTransport, O: Operation<Output = Binary>> Call<'c, E, O, Single> {
    /// Streams the file this call answers with the default [`DownloadOptions`]: a download
    /// (blocking: `Result<Download, Error>`; async: a future of it) once the 2xx head arrived.
    pub fn stream(self) -> E::Download {
        self.stream_with(DownloadOptions::new())
    }

    /// Like [`stream`](Self::stream), with download options (the read timeout).
    pub fn stream_with(self, options: DownloadOptions) -> E::Download {
        let transport = self.client().transport().clone();
        transport.download(self.into_context(), options)
    }
}

impl<'c, E: DownloadTransport> Call<'c, E, RawRequest, Single> {
    /// Streams the answer's body, whatever its type, like a file download's
    /// [`stream`](Call::stream).
    pub fn stream_body(self) -> E::Download {
        self.stream_body_with(DownloadOptions::new())
    }

    /// Like [`stream_body`](Self::stream_body), with download options.
    pub fn stream_body_with(self, options: DownloadOptions) -> E::Download {
        let transport = self.client().transport().clone();
        transport.download(self.into_context(), options)
    }
}
