//! Streamed downloads against the mock server on 127.0.0.1, run on both native transports:
//! blocking (ureq) and async (hyper, driven on a shared tokio runtime).
//!
//! Each scenario is a generic function over [`DownloadBackend`]; `download_scenarios!`
//! instantiates it once per transport. The tests of this file run one at a time (a shared
//! lock), so the peak-memory figure of the large download is not polluted by another test.
//! Run with `--nocapture` to see the figures: peak memory above the baseline, and the SDK's
//! throughput beside the raw client's reading the same body from the same mock.

mod common;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use amigo_platform_api::{ApiExt, Call};
use amigo_platform_core::transport::DownloadTransport;
use amigo_platform_core::{
    Binary, CancelToken, Client, Config, Error, ErrorKind, Operation, Progress, RawRequest,
};
use amigo_platform_testkit::{download_pattern, Fault, MockServer, DOWNLOAD_PERIOD};
use bytes::Bytes;
use common::{peak_rss, reset_peak, runtime};

/// The size of the large download (200 MB).
const BIG: u64 = 200 * 1000 * 1000;

/// The most the large download may raise the process's peak resident memory (32 MiB).
const PEAK_LIMIT: u64 = 32 << 20;

/// A progress callback.
type OnProgress = Box<dyn FnMut(Progress) + Send>;

/// A transport's streamed downloads, seen synchronously: a download is an `Iterator` of
/// chunks (the async one is driven chunk by chunk on the shared runtime).
pub trait DownloadBackend: 'static {
    /// The transport type.
    type E: DownloadTransport;
    /// A started download.
    type Dl: Iterator<Item = Result<Bytes, Error>>;
    /// The transport's name in the printed figures.
    const NAME: &'static str;
    /// Builds a client.
    fn client(config: Config) -> Client<Self::E>;
    /// `call.stream()` with an optional progress callback; the download and its length.
    fn open<O: Operation<Output = Binary>>(
        call: Call<'_, Self::E, O>,
        progress: Option<OnProgress>,
    ) -> Result<(Self::Dl, Option<u64>), Error>;
    /// `call.stream_body()` of a low-level call.
    fn open_raw(call: Call<'_, Self::E, RawRequest>) -> Result<Self::Dl, Error>;
    /// The raw client reading `url` whole (discarding it): the bytes read.
    fn raw_read(url: &str) -> u64;
}

/// The blocking transport.
pub struct Blocking;

impl DownloadBackend for Blocking {
    type E = amigo_platform_ureq::UreqTransport;
    type Dl = amigo_platform_ureq::Download;
    const NAME: &'static str = "ureq";
    fn client(config: Config) -> Client<Self::E> {
        amigo_platform_ureq::Client::new(config)
    }
    fn open<O: Operation<Output = Binary>>(
        call: Call<'_, Self::E, O>,
        progress: Option<OnProgress>,
    ) -> Result<(Self::Dl, Option<u64>), Error> {
        let mut download = call.stream()?;
        if let Some(progress) = progress {
            download = download.on_progress(progress);
        }
        let length = download.content_length();
        Ok((download, length))
    }
    fn open_raw(call: Call<'_, Self::E, RawRequest>) -> Result<Self::Dl, Error> {
        call.stream_body()
    }
    fn raw_read(url: &str) -> u64 {
        use std::io::Read;
        let agent = ureq::Agent::new_with_defaults();
        let response = agent
            .get(url)
            .header("authorization", format!("Bearer {}", MockServer::API_KEY))
            .call()
            .expect("raw ureq request");
        let mut reader = response
            .into_body()
            .into_with_config()
            .limit(u64::MAX)
            .reader();
        let mut buf = vec![0u8; 64 * 1024];
        let mut total = 0u64;
        loop {
            let n = reader.read(&mut buf).expect("raw ureq read");
            if n == 0 {
                return total;
            }
            total += n as u64;
        }
    }
}

/// The async transport, driven on the shared runtime.
pub struct Async;

/// An async download seen as an `Iterator`.
pub struct AsyncDownload(amigo_platform_hyper::Download);

impl Iterator for AsyncDownload {
    type Item = Result<Bytes, Error>;
    fn next(&mut self) -> Option<Self::Item> {
        runtime().block_on(self.0.next_chunk())
    }
}

impl DownloadBackend for Async {
    type E = amigo_platform_hyper::HyperTransport;
    type Dl = AsyncDownload;
    const NAME: &'static str = "hyper";
    fn client(config: Config) -> Client<Self::E> {
        let _guard = runtime().enter();
        amigo_platform_hyper::Client::new(config)
    }
    fn open<O: Operation<Output = Binary>>(
        call: Call<'_, Self::E, O>,
        progress: Option<OnProgress>,
    ) -> Result<(Self::Dl, Option<u64>), Error> {
        let mut download = runtime().block_on(call.stream())?;
        if let Some(progress) = progress {
            download = download.on_progress(progress);
        }
        let length = download.content_length();
        Ok((AsyncDownload(download), length))
    }
    fn open_raw(call: Call<'_, Self::E, RawRequest>) -> Result<Self::Dl, Error> {
        runtime().block_on(call.stream_body()).map(AsyncDownload)
    }
    fn raw_read(url: &str) -> u64 {
        use amigo_platform_hyper::http_body_util::BodyExt;
        use amigo_platform_hyper::RequestBody;
        runtime().block_on(async {
            let client = amigo_platform_hyper::HyperTransport::new()
                .http_client()
                .clone();
            let request = http::Request::get(url)
                .header("authorization", format!("Bearer {}", MockServer::API_KEY))
                .body(RequestBody::full(Bytes::new()))
                .expect("raw request");
            let mut body = client
                .request(request)
                .await
                .expect("raw hyper")
                .into_body();
            let mut total = 0u64;
            while let Some(frame) = body.frame().await {
                if let Ok(data) = frame.expect("raw hyper read").into_data() {
                    total += data.len() as u64;
                }
            }
            total
        })
    }
}

/// Serialises the tests of this file.
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

fn config(server: &MockServer) -> Config {
    common::config(server).build().expect("config")
}

/// Checks `chunk` against the mock's content at `offset`.
fn verify(offset: u64, chunk: &[u8]) {
    let pattern = download_pattern();
    let mut at = offset;
    let mut rest = chunk;
    while !rest.is_empty() {
        let start = (at % DOWNLOAD_PERIOD) as usize;
        let n = rest.len().min(pattern.len() - start);
        assert!(
            rest[..n] == pattern[start..start + n],
            "content differs in the {n} bytes at offset {at}"
        );
        at += n as u64;
        rest = &rest[n..];
    }
}

/// Reads a whole download, verifying its content; the bytes read and the error it ended with.
fn drain(
    download: impl Iterator<Item = Result<Bytes, Error>>,
    check: bool,
) -> (u64, Option<Error>) {
    let mut offset = 0u64;
    for chunk in download {
        match chunk {
            Ok(chunk) => {
                if check {
                    verify(offset, &chunk);
                }
                offset += chunk.len() as u64;
            }
            Err(e) => return (offset, Some(e)),
        }
    }
    (offset, None)
}

fn mb_per_s(bytes: u64, elapsed: Duration) -> f64 {
    bytes as f64 / 1e6 / elapsed.as_secs_f64().max(1e-9)
}

/// 200 MB through `.stream()`: content verified, peak memory under the limit, progress up to
/// 100 %; then the throughput beside the raw client's.
fn big_download_in_constant_memory<B: DownloadBackend>() {
    let _serial = serial();
    let server = MockServer::start();
    let client = B::client(config(&server));
    let file = format!("call-{BIG}.wav");
    let last = Arc::new(Mutex::new(None::<Progress>));
    let seen = last.clone();
    let baseline = reset_peak();
    let started = Instant::now();
    let (download, length) = B::open(
        client.api().recordings().download("CA1", file.as_str()),
        Some(Box::new(move |p| *seen.lock().expect("progress") = Some(p))),
    )
    .expect("download starts");
    assert_eq!(length, Some(BIG));
    let (read, error) = drain(download, true);
    let verified_in = started.elapsed();
    let peak = peak_rss();
    assert!(error.is_none(), "{error:?}");
    assert_eq!(read, BIG);
    assert_eq!(
        *last.lock().expect("progress"),
        Some(Progress {
            done: BIG,
            total: Some(BIG)
        })
    );
    let grew = match (baseline, peak) {
        (Some(base), Some(peak)) => {
            let grew = peak.saturating_sub(base);
            assert!(
                grew < PEAK_LIMIT,
                "peak memory grew {grew} bytes (limit {PEAK_LIMIT})"
            );
            format!("{:.1} MiB", grew as f64 / (1 << 20) as f64)
        }
        _ => "not measured (no /proc)".to_owned(),
    };

    let started = Instant::now();
    let (download, _) = B::open(
        client.api().recordings().download("CA1", file.as_str()),
        None,
    )
    .expect("download starts");
    let (sdk_bytes, error) = drain(download, false);
    let sdk = started.elapsed();
    assert!(error.is_none(), "{error:?}");
    let url = server.url(&format!(
        "/v1/{}/recordings/CA1/download/{file}",
        MockServer::WORKSPACE_ID
    ));
    let started = Instant::now();
    let raw_bytes = B::raw_read(&url);
    let raw = started.elapsed();
    assert_eq!((sdk_bytes, raw_bytes), (BIG, BIG));
    let (sdk, raw) = (mb_per_s(BIG, sdk), mb_per_s(BIG, raw));
    println!(
        "[{}] 200 MB download: peak memory +{grew} (limit 32 MiB); verified in {:.2} s; \
         SDK {sdk:.0} MB/s, raw {} (floor) {raw:.0} MB/s, ratio {:.2}",
        B::NAME,
        verified_in.as_secs_f64(),
        B::NAME,
        sdk / raw
    );
}

/// A connection dropped mid-body ends the download with a typed Network error after the
/// bytes that arrived, and nothing is retried.
fn drop_mid_body_is_a_network_error<B: DownloadBackend>() {
    let _serial = serial();
    let server = MockServer::start();
    server.fault_all([Fault::pass().drop_body_after(300_000)]);
    let client = B::client(config(&server));
    let (download, length) = B::open(
        client
            .api()
            .recordings()
            .download("CA1", "call-1000000.wav"),
        None,
    )
    .expect("the head arrives");
    assert_eq!(length, Some(1_000_000));
    let (read, error) = drain(download, true);
    let error = error.expect("the download fails");
    assert_eq!(error.kind(), ErrorKind::Network, "{error:?}");
    assert!(read <= 300_000, "{read}");
    assert_eq!(server.requests().len(), 1, "retried after body bytes");
}

/// Cancelling mid-body ends the download with `Cancelled`.
fn cancel_mid_body<B: DownloadBackend>() {
    let _serial = serial();
    let server = MockServer::start();
    let client = B::client(config(&server));
    let token = CancelToken::new();
    let (mut download, _) = B::open(
        client
            .api()
            .recordings()
            .download("CA1", format!("call-{BIG}.wav"))
            .cancel_token(token.clone()),
        None,
    )
    .expect("the head arrives");
    let first = download.next().expect("a chunk").expect("data");
    verify(0, &first);
    token.cancel();
    // Bounded: the download ends once it sees the cancellation.
    let end = download.take(1_000).find_map(Result::err);
    let error = end.expect("the download ends with an error");
    assert_eq!(error.kind(), ErrorKind::Cancelled, "{error:?}");
}

/// A 404 is the typed HTTP error with its body capped, before any download starts.
fn error_status_is_typed<B: DownloadBackend>() {
    let _serial = serial();
    let server = MockServer::start();
    let client = B::client(config(&server));
    let error = B::open(
        client.api().recordings().download("CA1", "missing.wav"),
        None,
    )
    .err()
    .expect("a 404");
    assert_eq!(error.kind(), ErrorKind::NotFound);
    assert_eq!(error.detail(), Some("Recording not found"));

    server.fault_all([Fault::oversized(404, 4 << 20)]);
    let error = B::open(client.api().recordings().download("CA1", "a.wav"), None)
        .err()
        .expect("a 404");
    assert_eq!(error.kind(), ErrorKind::NotFound);
    let raw = error.raw_body().expect("the capped body");
    assert!(raw.len() <= 8 * 1024, "{}", raw.len());
}

/// Transient statuses before the head are retried like any GET.
fn retries_before_the_head<B: DownloadBackend>() {
    let _serial = serial();
    let server = MockServer::start();
    server.fault_all([Fault::status(503)]);
    let client = B::client(config(&server));
    let (download, _) = B::open(
        client
            .api()
            .intake()
            .links()
            .download_upload("L1", "up-5000"),
        None,
    )
    .expect("the retry succeeds");
    let (read, error) = drain(download, true);
    assert!(error.is_none(), "{error:?}");
    assert_eq!(read, 5_000);
    assert_eq!(server.requests().len(), 2);
}

/// The low-level helpers stream any route's body.
fn low_level_stream_body<B: DownloadBackend>() {
    let _serial = serial();
    let server = MockServer::start();
    let client = B::client(config(&server));
    let download = B::open_raw(
        client
            .get("/v1/{workspace_id}/recordings/{call_sid}/download/{filename}")
            .path_param("call_sid", "CA1")
            .path_param("filename", "x-70000.wav"),
    )
    .expect("the head arrives");
    let (read, error) = drain(download, true);
    assert!(error.is_none(), "{error:?}");
    assert_eq!(read, 70_000);
}

macro_rules! download_scenarios {
    ($module:ident, $backend:ty) => {
        mod $module {
            use super::*;

            #[test]
            fn big_download_in_constant_memory() {
                super::big_download_in_constant_memory::<$backend>();
            }
            #[test]
            fn drop_mid_body_is_a_network_error() {
                super::drop_mid_body_is_a_network_error::<$backend>();
            }
            #[test]
            fn cancel_mid_body() {
                super::cancel_mid_body::<$backend>();
            }
            #[test]
            fn error_status_is_typed() {
                super::error_status_is_typed::<$backend>();
            }
            #[test]
            fn retries_before_the_head() {
                super::retries_before_the_head::<$backend>();
            }
            #[test]
            fn low_level_stream_body() {
                super::low_level_stream_body::<$backend>();
            }
        }
    };
}

download_scenarios!(blocking, Blocking);
download_scenarios!(nonblocking, Async);

/// The blocking download is also a `std::io::Read` and copies itself to a writer.
#[test]
fn blocking_download_reads_and_copies() {
    use std::io::Read;
    let _serial = serial();
    let server = MockServer::start();
    let client = Blocking::client(config(&server));
    let mut download = client
        .api()
        .recordings()
        .download("CA1", "call-100000.wav")
        .stream()
        .expect("the head arrives");
    assert_eq!(download.content_type(), Some("audio/wav"));
    let mut head = [0u8; 1000];
    download.read_exact(&mut head).expect("read");
    verify(0, &head);
    let mut rest = Vec::new();
    let copied = download.copy_to(&mut rest).expect("copy");
    assert_eq!(copied, 99_000);
    verify(1000, &rest);
}

/// The async download copies itself to a tokio writer.
#[test]
fn async_download_copies_to_a_tokio_writer() {
    let _serial = serial();
    let server = MockServer::start();
    let client = Async::client(config(&server));
    let copied = runtime().block_on(async {
        let mut download = client
            .api()
            .recordings()
            .download("CA1", "call-100000.wav")
            .stream()
            .await
            .expect("the head arrives");
        let mut out = Vec::new();
        let n = download.copy_to(&mut out).await.expect("copy");
        verify(0, &out);
        (n, out.len())
    });
    assert_eq!(copied, (100_000, 100_000));
}
