//! The request-equivalence check: an SDK operation and a command line prepare to the same
//! request.

use amigo_platform_api::models as m;
use amigo_platform_core::__private::{prepare, PreparedRequest};
use amigo_platform_core::{Config, Operation, RequestOptions};
use std::path::PathBuf;

fn prepared<O: Operation>(op: &O) -> PreparedRequest {
    let config = Config::builder()
        .api_key("sk-test")
        .workspace_id("ws-test")
        .base_url("https://api.test")
        .build()
        .unwrap();
    prepare(op, &config, &RequestOptions::new(), None)
        .unwrap_or_else(|e| panic!("{}: {e}", op.operation_id()))
}

/// Builds the command line's request and checks it against the SDK operation's: method, URL
/// (path and query), content type, `Accept` and body bytes.
#[track_caller]
pub fn same_request<O: Operation>(typed: &O, argv: &[String]) {
    let id = typed.operation_id();
    let mut full = vec!["amigo".to_owned()];
    full.extend(argv.iter().cloned());
    let cli = amigo_platform_cli::request_for(&full)
        .unwrap_or_else(|e| panic!("{id}: {full:?}: {}", e.render()));
    assert_eq!(cli.operation_id(), id);
    let (want, got) = (prepared(typed), prepared(&cli));
    assert_eq!(got.method, want.method, "{id}");
    assert_eq!(got.url, want.url, "{id}: {full:?}");
    for h in ["content-type", "accept"] {
        assert_eq!(got.headers.get(h), want.headers.get(h), "{id}: {h}");
    }
    assert_eq!(got.body, want.body, "{id}: body");
    assert_eq!(got.upload, want.upload, "{id}: streamed body");
}

/// Writes a file part's bytes to a temporary file named like the part; returns the part
/// streamed from that file (as the SDK sends a file) and the command-line argument for it
/// (`PATH;type=MIME`).
pub fn file_arg(part: &m::FilePart) -> (m::FilePart, String) {
    let dir: PathBuf = std::env::temp_dir().join(format!("amigo-cli-parts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(&part.filename);
    let amigo_platform_core::Source::Bytes(data) = &part.data else {
        panic!("sample file parts hold bytes");
    };
    std::fs::write(&path, data).unwrap();
    let arg = format!("{};type={}", path.display(), part.content_type);
    (m::FilePart::file(&path, part.content_type.clone()), arg)
}
