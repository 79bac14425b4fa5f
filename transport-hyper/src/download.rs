//! Writing an async streamed download to a tokio writer.

use crate::sse::Download;
use amigo_platform_core::{Error, TransportErrorKind};
use tokio::io::{AsyncWrite, AsyncWriteExt};

impl Download {
    /// Writes the rest of the body to `out`, chunk by chunk as it arrives; the bytes
    /// written. A failed write is a `Network` error of kind `Write`.
    pub async fn copy_to<W: AsyncWrite + Unpin + ?Sized>(
        &mut self,
        out: &mut W,
    ) -> Result<u64, Error> {
        let write_failed = |e| Error::network_from(TransportErrorKind::Write, e);
        let mut written = 0u64;
        while let Some(chunk) = self.next_chunk().await {
            let chunk = chunk?;
            out.write_all(&chunk).await.map_err(write_failed)?;
            written += chunk.len() as u64;
        }
        out.flush().await.map_err(write_failed)?;
        Ok(written)
    }
}
