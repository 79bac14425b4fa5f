//! Binary answers, streamed through the SDK's download (`Call::stream`): written to
//! `--output FILE` as they arrive (with a progress bar when stderr is a terminal), or to stdout
//! when it is not a terminal. The body is never held whole.

use crate::errors::CliError;
use crate::exec::Client;
use crate::request::{CliOp, FileRequest};
use amigo_platform_api::ApiExt;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{BufWriter, IsTerminal, Write};

/// Refuses to write bytes to a terminal: checked before anything is sent.
pub fn check_destination(path: Option<&str>) -> Result<(), CliError> {
    if path.is_none() && std::io::stdout().is_terminal() {
        return Err(CliError::usage(
            "the answer is binary: pass --output FILE (or redirect stdout)",
        ));
    }
    Ok(())
}

/// Sends `op` and streams its body to `path` (through `FILE.part`, renamed into place once
/// complete, so a failed download never leaves a truncated file under the final name) or to
/// stdout.
pub fn stream(client: &Client, op: CliOp, path: Option<&str>) -> Result<(), CliError> {
    let download = client.call(FileRequest(op)).stream()?;
    let Some(path) = path else {
        let mut out = std::io::stdout().lock();
        let mut download = download;
        download.copy_to(&mut out)?;
        return out
            .flush()
            .map_err(|e| CliError::other(format!("writing stdout: {e}")));
    };
    let bar = progress_bar(download.content_length());
    let shown = bar.clone();
    let mut download = download.on_progress(move |p| shown.set_position(p.done));
    let tmp = format!("{path}.part");
    let written = std::fs::File::create(&tmp)
        .map_err(|e| CliError::other(format!("creating {tmp}: {e}")))
        .and_then(|file| {
            let mut out = BufWriter::new(file);
            let n = download.copy_to(&mut out)?;
            out.flush()
                .map_err(|e| CliError::other(format!("writing {tmp}: {e}")))?;
            Ok(n)
        })
        .and_then(|n| {
            std::fs::rename(&tmp, path)
                .map(|()| n)
                .map_err(|e| CliError::other(format!("renaming {tmp} to {path}: {e}")))
        });
    match written {
        Ok(n) => {
            bar.finish_and_clear();
            if std::io::stderr().is_terminal() {
                eprintln!("wrote {n} bytes to {path}");
            }
            Ok(())
        }
        Err(e) => {
            bar.abandon();
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// A bar of `total` bytes (a spinner when the size is unknown), drawn on stderr only when it is
/// a terminal.
fn progress_bar(total: Option<u64>) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    match total {
        Some(n) => ProgressBar::new(n).with_style(
            ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        ),
        None => ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{spinner} {bytes} {bytes_per_sec}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        ),
    }
}
