//! Streamed uploads against the mock server on 127.0.0.1, run on both native transports:
//! blocking (ureq) and async (hyper, on the shared tokio runtime).
//!
//! The mock's upload routes hash and count a body as it arrives and answer with what they
//! received, so every scenario compares the server's view with the file it sent. The tests of
//! this file run one at a time (the 200 MB one measures the process's peak memory, which a
//! parallel test would pollute). Figures are printed beside the raw client's, never asserted,
//! except the memory ceiling.

mod common;

use amigo_platform_api::ApiExt;
use amigo_platform_core::{
    Body, Client, Error, Multipart, NotRetried, Part, RawData, Source, UploadProgress,
};
use amigo_platform_testkit::{Fault, MockServer};
use common::{config, peak_rss, reset_peak, runtime, Async, Backend, Blocking};
use http::Method;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

/// The size of the big transfer (200 MB).
const BIG: u64 = 200_000_000;
/// The most the peak resident memory may grow during the big transfer.
const MEMORY_CEILING: u64 = 32 << 20;
const INTAKE: &str = "/v1/{workspace_id}/intake/files";

static SERIAL: Mutex<()> = Mutex::new(());

/// Runs the tests of this file one at a time.
fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

/// A file in a fresh temporary directory, deleted on drop.
struct TempFile {
    dir: PathBuf,
    path: PathBuf,
    len: u64,
    sha256: String,
}

impl TempFile {
    /// Writes `len` bytes of a non-repeating-looking pattern, hashing them as they go.
    fn new(name: &str, len: u64) -> TempFile {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("amigo-upload-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join(name);
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
        let mut hash = Sha256::new();
        let mut block = vec![0u8; 1 << 20];
        let mut written = 0u64;
        let mut x = 0x9e37_79b9_u32;
        // Bounded by `len`.
        while written < len {
            for b in block.iter_mut() {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                *b = x as u8;
            }
            let n = (len - written).min(block.len() as u64) as usize;
            file.write_all(&block[..n]).expect("write");
            hash.update(&block[..n]);
            written += n as u64;
        }
        file.flush().expect("flush");
        TempFile {
            dir,
            path,
            len,
            sha256: hex(&hash.finalize()),
        }
    }

    fn open(&self) -> std::fs::File {
        std::fs::File::open(&self.path).expect("open")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What the progress callback saw: how many attempts started (reports of 0 bytes), the last
/// report, and whether `sent` only ever grew within an attempt.
#[derive(Debug, Default, Clone)]
struct Progress {
    starts: u32,
    last: Option<UploadProgress>,
    monotonic: bool,
}

fn progress_log() -> (
    Arc<Mutex<Progress>>,
    impl Fn(UploadProgress) + Send + Sync + 'static,
) {
    let log = Arc::new(Mutex::new(Progress {
        monotonic: true,
        ..Progress::default()
    }));
    let l = log.clone();
    let f = move |p: UploadProgress| {
        let mut g = l.lock().unwrap_or_else(|e| e.into_inner());
        if p.sent == 0 {
            g.starts += 1;
        } else if g.last.is_some_and(|last| p.sent < last.sent) {
            g.monotonic = false;
        }
        g.last = Some(p);
    };
    (log, f)
}

fn snapshot(log: &Arc<Mutex<Progress>>) -> Progress {
    log.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// Uploads `body` with `method` to `path`, reporting progress to `progress`; returns the
/// mock's summary of what it received.
fn upload<B: Backend>(
    client: &Client<B::E>,
    method: Method,
    path: &str,
    body: Body,
    progress: impl Fn(UploadProgress) + Send + Sync + 'static,
) -> Result<Value, Error> {
    let call = client
        .request(method, path)
        .body(body)
        .on_upload_progress(progress);
    match B::send(call)? {
        RawData::Json(v) => Ok(v),
        other => panic!("expected the mock's JSON summary, got {other:?}"),
    }
}

/// Runs `f`, returning its result, the seconds it took and the growth of the peak resident
/// set over the baseline (when the platform reports it).
fn measure<T>(f: impl FnOnce() -> T) -> (T, f64, Option<u64>) {
    let base = reset_peak();
    let start = Instant::now();
    let out = f();
    let secs = start.elapsed().as_secs_f64();
    let peak = peak_rss();
    (out, secs, base.zip(peak).map(|(b, p)| p.saturating_sub(b)))
}

fn mib(bytes: Option<u64>) -> String {
    bytes.map_or("n/a".into(), |b| {
        format!("{:.1} MiB", b as f64 / (1 << 20) as f64)
    })
}

fn assert_received(summary: &Value, file: &TempFile) {
    assert_eq!(summary["size"], file.len, "{summary}");
    assert_eq!(summary["sha256"], file.sha256.as_str(), "{summary}");
}

fn assert_complete(p: &Progress, total: u64) {
    let last = p.last.expect("progress was reported");
    assert_eq!(last.sent, total, "{p:?}");
    assert_eq!(last.total, Some(total), "{p:?}");
    assert!(p.monotonic, "{p:?}");
}

/// A transport's raw client, for the throughput floor: it uploads the file with
/// `Content-Length` and returns the mock's summary.
trait RawUpload: Backend {
    const NAME: &'static str;
    fn raw_upload(server: &MockServer, file: &TempFile) -> Value;
}

impl RawUpload for Blocking {
    const NAME: &'static str = "ureq";
    fn raw_upload(server: &MockServer, file: &TempFile) -> Value {
        let url = server.url("/v1/ws-001/intake/files");
        let mut response = ::ureq::post(&url)
            .header("authorization", &format!("Bearer {}", MockServer::API_KEY))
            .header("content-type", "application/octet-stream")
            .header("content-length", &file.len.to_string())
            .send(::ureq::SendBody::from_owned_reader(file.open()))
            .expect("raw ureq upload");
        serde_json::from_slice(&response.body_mut().read_to_vec().expect("body")).expect("json")
    }
}

/// A request body fed 64 KiB chunks by a blocking reader thread, for the raw hyper client.
struct ChannelBody(tokio::sync::mpsc::Receiver<bytes::Bytes>);

impl hyper::body::Body for ChannelBody {
    type Data = bytes::Bytes;
    type Error = std::convert::Infallible;
    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<bytes::Bytes>, Self::Error>>> {
        self.0
            .poll_recv(cx)
            .map(|c| c.map(|b| Ok(hyper::body::Frame::data(b))))
    }
}

impl RawUpload for Async {
    const NAME: &'static str = "hyper";
    fn raw_upload(server: &MockServer, file: &TempFile) -> Value {
        use http_body_util::BodyExt;
        use std::io::Read;
        let url = server.url("/v1/ws-001/intake/files");
        let mut reader = file.open();
        let len = file.len;
        runtime().block_on(async move {
            let (tx, rx) = tokio::sync::mpsc::channel(4);
            tokio::task::spawn_blocking(move || loop {
                let mut buf = vec![0u8; 64 * 1024];
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => {
                        buf.truncate(n);
                        if tx.blocking_send(bytes::Bytes::from(buf)).is_err() {
                            return;
                        }
                    }
                }
            });
            let client =
                hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                    .build_http::<ChannelBody>();
            let request = http::Request::post(url)
                .header("authorization", format!("Bearer {}", MockServer::API_KEY))
                .header("content-type", "application/octet-stream")
                .header("content-length", len)
                .body(ChannelBody(rx))
                .expect("request");
            let response = client.request(request).await.expect("raw hyper upload");
            let body = response.into_body().collect().await.expect("body");
            serde_json::from_slice(&body.to_bytes()).expect("json")
        })
    }
}

/// 200 MB from a file and from a one-shot reader: the mock receives every byte, progress
/// reaches 100%, and the peak resident memory stays under the ceiling. Prints throughput
/// beside the raw client's.
fn a_200_mb_upload_streams_in_bounded_memory<B: RawUpload>() {
    let _serial = serial();
    let file = TempFile::new("big.bin", BIG);
    let server = MockServer::start();
    let client = B::client(config(&server).build().expect("config"));
    let mb = BIG as f64 / 1e6;

    let (raw, raw_secs, raw_mem) = measure(|| B::raw_upload(&server, &file));
    assert_received(&raw, &file);

    let (log, progress) = progress_log();
    let body = Body::file(&file.path, "application/octet-stream");
    let (from_file, file_secs, file_mem) =
        measure(|| upload::<B>(&client, Method::POST, INTAKE, body, progress));
    let from_file = from_file.expect("file upload");
    assert_received(&from_file, &file);
    assert_eq!(from_file["chunked"], false, "sent with Content-Length");
    assert_eq!(from_file["content_type"], "application/octet-stream");
    assert_complete(&snapshot(&log), BIG);

    let (log, progress) = progress_log();
    let body = Body::source(
        Source::reader(file.open(), Some(file.len)),
        "application/octet-stream",
    );
    let (from_reader, reader_secs, reader_mem) =
        measure(|| upload::<B>(&client, Method::POST, INTAKE, body, progress));
    assert_received(&from_reader.expect("reader upload"), &file);
    assert_complete(&snapshot(&log), BIG);

    let rate = |secs: f64| mb / secs;
    println!(
        "streaming_upload[{}]: 200 MB from a file {:.0} MB/s, from a reader {:.0} MB/s; \
         raw {} floor {:.0} MB/s; SDK/raw throughput {:.2} (file) {:.2} (reader); peak memory growth: \
         file {}, reader {}, raw {} (ceiling {})",
        B::NAME,
        rate(file_secs),
        rate(reader_secs),
        B::NAME,
        rate(raw_secs),
        raw_secs / file_secs,
        raw_secs / reader_secs,
        mib(file_mem),
        mib(reader_mem),
        mib(raw_mem),
        mib(Some(MEMORY_CEILING)),
    );
    for (what, grew) in [("file", file_mem), ("reader", reader_mem)] {
        if let Some(grew) = grew {
            assert!(
                grew < MEMORY_CEILING,
                "{what}: peak memory grew by {} (ceiling {})",
                mib(Some(grew)),
                mib(Some(MEMORY_CEILING))
            );
        }
    }
}

/// A mock whose first PUT upload answers 503, and a client that retries writes.
fn first_put_fails<B: Backend>() -> (MockServer, Client<B::E>) {
    let server = MockServer::start();
    server.fault(Method::PUT, "/v1/ws-001/intake/files", [Fault::status(503)]);
    let client = B::client(config(&server).retry_writes(true).build().expect("config"));
    (server, client)
}

/// A 503 on a retried write: the file is reopened and sent whole again; progress restarts.
fn a_retried_file_upload_sends_the_whole_body_again<B: Backend>() {
    let _serial = serial();
    let file = TempFile::new("retry.bin", 3 << 20);
    let (server, client) = first_put_fails::<B>();
    let (log, progress) = progress_log();
    let body = Body::file(&file.path, "application/octet-stream");
    let summary = upload::<B>(&client, Method::PUT, INTAKE, body, progress).expect("upload");
    assert_received(&summary, &file);
    let sent: Vec<Value> = server
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/intake/files"))
        .map(|r| serde_json::from_slice(&r.body).expect("summary"))
        .collect();
    assert_eq!(sent.len(), 2, "one 503, one success");
    for s in &sent {
        assert_received(s, &file);
    }
    let p = snapshot(&log);
    assert_eq!(p.starts, 2, "progress restarts from 0 on the retry: {p:?}");
    assert_complete(&p, file.len);
}

/// A one-shot reader is sent once: the 503 is not retried, and the error says why.
fn a_one_shot_reader_is_not_retried_and_says_why<B: Backend>() {
    let _serial = serial();
    let file = TempFile::new("once.bin", 1 << 20);
    let (server, client) = first_put_fails::<B>();
    let body = Body::source(
        Source::reader(file.open(), Some(file.len)),
        "application/octet-stream",
    );
    let e = upload::<B>(&client, Method::PUT, INTAKE, body, |_| {}).expect_err("503");
    assert_eq!(e.status(), Some(503));
    assert_eq!(e.not_retried(), Some(NotRetried::OneShotBody));
    assert_eq!(common::count(&server, "/intake/files"), 1);
}

/// A reader of unknown length is sent chunked, whole; progress reports no total.
fn a_reader_of_unknown_length_is_sent_chunked<B: Backend>() {
    let _serial = serial();
    let file = TempFile::new("chunked.bin", (1 << 20) + 17);
    let server = MockServer::start();
    let client = B::client(config(&server).build().expect("config"));
    let (log, progress) = progress_log();
    let body = Body::source(Source::reader(file.open(), None), "audio/wav");
    let summary = upload::<B>(&client, Method::POST, INTAKE, body, progress).expect("upload");
    assert_received(&summary, &file);
    assert_eq!(summary["chunked"], true);
    assert_eq!(summary["content_type"], "audio/wav");
    let last = snapshot(&log).last.expect("progress");
    assert_eq!((last.sent, last.total), (file.len, None));
}

/// A multipart body with a streamed file part: the mock sees every part's name, file name
/// and size, and the file part's bytes.
fn a_multipart_upload_streams_its_file_part<B: Backend>() {
    let _serial = serial();
    let file = TempFile::new("voice.wav", (2 << 20) + 3);
    let server = MockServer::start();
    let client = B::client(config(&server).build().expect("config"));
    let form = Multipart::new()
        .text("entity_id", "e-1")
        .part(Part::file("audio", &file.path).content_type("audio/wav"));
    let (log, progress) = progress_log();
    let summary = upload::<B>(
        &client,
        Method::POST,
        "/v1/{workspace_id}/voiceprints/enroll",
        Body::Multipart(form),
        progress,
    )
    .expect("upload");
    assert_eq!(
        summary["chunked"], false,
        "every length is known: {summary}"
    );
    let parts = summary["parts"].as_array().expect("parts");
    assert_eq!(parts.len(), 2, "{summary}");
    assert_eq!(parts[0]["name"], "entity_id");
    assert_eq!(parts[0]["size"], 3);
    assert_eq!(parts[1]["name"], "audio");
    assert_eq!(parts[1]["filename"], "voice.wav");
    assert_eq!(parts[1]["content_type"], "audio/wav");
    assert_eq!(parts[1]["size"], file.len);
    assert_eq!(parts[1]["sha256"], file.sha256.as_str());
    let total = summary["size"].as_u64().expect("size");
    assert_complete(&snapshot(&log), total);
}

/// Seekable readers are rewound for every attempt, so they are retried like files.
fn a_seekable_reader_is_rewound_for_a_retry<B: Backend>() {
    let _serial = serial();
    let file = TempFile::new("seek.bin", 1 << 20);
    let (server, client) = first_put_fails::<B>();
    let body = Body::source(Source::seekable(file.open()), "application/octet-stream");
    let summary = upload::<B>(&client, Method::PUT, INTAKE, body, |_| {}).expect("upload");
    assert_received(&summary, &file);
    assert_eq!(common::count(&server, "/intake/files"), 2);
}

/// A missing file fails before anything is sent, naming the problem.
fn a_missing_file_fails_as_a_config_error<B: Backend>() {
    let _serial = serial();
    let server = MockServer::start();
    let client = B::client(config(&server).build().expect("config"));
    let body = Body::file(Path::new("/nonexistent/amigo-upload.bin"), "audio/wav");
    let e = upload::<B>(&client, Method::POST, INTAKE, body, |_| {}).expect_err("missing");
    assert_eq!(e.kind(), amigo_platform_core::ErrorKind::Config, "{e}");
    assert_eq!(common::count(&server, "/intake/files"), 0);
}

/// Runs every listed scenario on both native transports.
macro_rules! upload_scenarios {
    ($($name:ident),* $(,)?) => {
        mod ureq {
            $( #[test] fn $name() { super::$name::<super::Blocking>() } )*
        }
        mod hyper_async {
            $( #[test] fn $name() { super::$name::<super::Async>() } )*
        }
    };
}

upload_scenarios!(
    a_200_mb_upload_streams_in_bounded_memory,
    a_retried_file_upload_sends_the_whole_body_again,
    a_one_shot_reader_is_not_retried_and_says_why,
    a_reader_of_unknown_length_is_sent_chunked,
    a_multipart_upload_streams_its_file_part,
    a_seekable_reader_is_rewound_for_a_retry,
    a_missing_file_fails_as_a_config_error,
);
