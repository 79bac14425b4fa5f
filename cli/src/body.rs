//! Request bodies: `--data` sources, the request-model check, multipart files.

use crate::errors::CliError;
use amigo_platform_core::{Multipart, Source};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::io::Read;
use std::path::Path;

/// The most `--data` reads from a file or stdin (the SDK keeps bodies in memory).
pub const MAX_DATA: u64 = 64 * 1024 * 1024;

/// Reads a JSON body into the request model `T` and writes `T` back as JSON, exactly what the
/// SDK sends for that model. The error names the JSON path of the first problem.
pub fn check<T: DeserializeOwned + Serialize>(json: &[u8]) -> Result<Vec<u8>, String> {
    let de = &mut serde_json::Deserializer::from_slice(json);
    let value: T = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        if path == "." || path.is_empty() {
            e.inner().to_string()
        } else {
            format!("`{path}`: {}", e.inner())
        }
    })?;
    serde_json::to_vec(&value).map_err(|e| e.to_string())
}

/// The bytes of a `--data` value: `@FILE` reads a file, `-` reads stdin, anything else is the
/// value itself.
pub fn read_data(arg: &str) -> Result<Vec<u8>, CliError> {
    if arg == "-" {
        return read_limited(std::io::stdin().lock(), "stdin");
    }
    if let Some(path) = arg.strip_prefix('@') {
        let file = std::fs::File::open(path)
            .map_err(|e| CliError::usage(format!("--data @{path}: {e}")))?;
        return read_limited(file, path);
    }
    Ok(arg.as_bytes().to_vec())
}

fn read_limited(r: impl Read, what: &str) -> Result<Vec<u8>, CliError> {
    let mut buf = Vec::new();
    r.take(MAX_DATA + 1)
        .read_to_end(&mut buf)
        .map_err(|e| CliError::usage(format!("reading {what}: {e}")))?;
    if buf.len() as u64 > MAX_DATA {
        return Err(CliError::usage(format!(
            "{what} is larger than {MAX_DATA} bytes"
        )));
    }
    Ok(buf)
}

/// A JSON body for the model `model`: checked against it when `check` is given, else only
/// parsed as JSON (and sent re-encoded).
pub fn json_body(
    raw: &[u8],
    model: &str,
    check: Option<crate::spec::BodyCheck>,
) -> Result<Vec<u8>, CliError> {
    match check {
        Some(check) => check(raw)
            .map_err(|e| CliError::invalid_body(format!("--data is not a valid {model}: {e}"))),
        None => {
            let v: serde_json::Value = serde_json::from_slice(raw)
                .map_err(|e| CliError::invalid_body(format!("--data is not JSON: {e}")))?;
            serde_json::to_vec(&v).map_err(|e| CliError::invalid_body(e.to_string()))
        }
    }
}

/// Adds a file part from `PATH` or `PATH;type=MIME`, streamed from the file by the SDK (never
/// read whole): the part's file name is the path's last component, its content type the given
/// one or a guess from the extension.
pub fn add_file(mp: Multipart, name: &str, arg: &str) -> Result<Multipart, CliError> {
    let (path, mime) = match arg.rsplit_once(";type=") {
        Some((p, t)) => (p, Some(t.to_owned())),
        None => (arg, None),
    };
    readable_file(path, &format!("--{}", crate::spec::kebab(name)))?;
    let file_name = Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".to_owned());
    let mime = mime.unwrap_or_else(|| guess_type(&file_name).to_owned());
    Ok(mp.file_source(name, file_name, mime, Source::file(path)))
}

/// Fails now, with the flag's name, on a path that is not a readable file (rather than when
/// the SDK opens it to send).
pub fn readable_file(path: &str, flag: &str) -> Result<(), CliError> {
    std::fs::File::open(path)
        .and_then(|f| f.metadata())
        .and_then(|m| {
            if m.is_file() {
                Ok(())
            } else {
                Err(std::io::Error::other("not a file"))
            }
        })
        .map_err(|e| CliError::usage(format!("{flag}: {path}: {e}")))
}

/// A content type from a file extension (a short table of the media the API takes; anything
/// else is `application/octet-stream`: pass `;type=` to be exact).
pub fn guess_type(file_name: &str) -> &'static str {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "wav" => "audio/wav",
        "mp3" => "audio/mpeg",
        "ogg" | "oga" | "opus" => "audio/ogg",
        "webm" => "audio/webm",
        "flac" => "audio/flac",
        "m4a" => "audio/mp4",
        "json" => "application/json",
        "ndjson" => "application/x-ndjson",
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "txt" => "text/plain",
        "csv" => "text/csv",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, serde::Serialize)]
    struct Req {
        name: String,
        inner: Inner,
    }
    #[derive(serde::Deserialize, serde::Serialize)]
    struct Inner {
        count: i64,
    }

    #[test]
    fn check_names_the_bad_field() {
        let e = check::<Req>(br#"{"name":"a","inner":{"count":"x"}}"#).unwrap_err();
        assert!(e.starts_with("`inner.count`: invalid type"), "{e}");
        let e = check::<Req>(br#"{"inner":{"count":1}}"#).unwrap_err();
        assert!(e.contains("missing field `name`"), "{e}");
        assert_eq!(
            check::<Req>(br#"{"inner":{"count":1},"name":"a"}"#).unwrap(),
            br#"{"name":"a","inner":{"count":1}}"#
        );
    }

    #[test]
    fn guesses_audio_types() {
        assert_eq!(guess_type("a.OGG"), "audio/ogg");
        assert_eq!(guess_type("call.wav"), "audio/wav");
        assert_eq!(guess_type("blob"), "application/octet-stream");
    }
}
