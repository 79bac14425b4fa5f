//! Binary answers: written to `--output FILE`, or to stdout when it is not a terminal.

use crate::errors::CliError;
use std::io::{IsTerminal, Write};

/// Writes a downloaded body to `path` (through a temporary file renamed into place, so a
/// failed write never leaves a truncated file under the final name), or to stdout when no
/// path is given and stdout is not a terminal.
pub fn write(path: Option<&str>, bytes: &[u8]) -> Result<(), CliError> {
    let Some(path) = path else {
        let mut out = std::io::stdout().lock();
        if out.is_terminal() {
            return Err(CliError::usage(
                "the answer is binary: pass --output FILE (or redirect stdout)",
            ));
        }
        return out
            .write_all(bytes)
            .and_then(|()| out.flush())
            .map_err(|e| CliError::other(format!("writing stdout: {e}")));
    };
    let tmp = format!("{path}.part");
    let result = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(CliError::other(format!("writing {path}: {e}")));
    }
    if std::io::stderr().is_terminal() {
        eprintln!("wrote {} bytes to {path}", bytes.len());
    }
    Ok(())
}
