//! The bench server: a minimal hyper 1 HTTP/1.1 server (keep-alive) on `127.0.0.1:0`, on its
//! own thread with its own single-threaded tokio runtime, so that it can sit on the other core.
//!
//! Routes (`GET` only, anything else is 404):
//!
//! - `/v1/ws-bench/agents?..`: the fixed 20-agent page ([`fixtures::fixed_page`]), the same
//!   bytes every time;
//! - `/v1/paged-<N>/agents?limit=L&continuation_token=T`: agents `T..T+L` of `N` generated on
//!   the fly, with `continuation_token` = the next offset while more follow.

use crate::fixtures::{self, FIXED_WORKSPACE, PAGED_PREFIX, PAGE_SIZE};
use bytes::Bytes;
use http::{header, Method, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::Duration;

/// How long [`Server::start`] waits for the listener.
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// A running bench server; dropping it stops the server and joins its thread.
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    accepted: Arc<AtomicU64>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Starts the server on `127.0.0.1:0` and waits (bounded) until it listens.
    pub fn start() -> Result<Server, String> {
        let (addr_tx, addr_rx) = mpsc::channel::<Result<SocketAddr, String>>();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let accepted = Arc::new(AtomicU64::new(0));
        let counter = accepted.clone();
        let thread = std::thread::Builder::new()
            .name("bench-server".into())
            .spawn(move || serve(addr_tx, stop_rx, counter))
            .map_err(|e| format!("cannot spawn the server thread: {e}"))?;
        let addr = match addr_rx.recv_timeout(START_TIMEOUT) {
            Ok(Ok(addr)) => addr,
            Ok(Err(e)) => return Err(e),
            Err(_) => return Err("the bench server did not start within 10 s".into()),
        };
        Ok(Server {
            addr,
            accepted,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Connections accepted so far (shows whether a client reuses its connections).
    pub fn connections(&self) -> u64 {
        self.accepted.load(Ordering::Relaxed)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The server thread: a current-thread runtime accepting until told to stop.
fn serve(
    addr_tx: mpsc::Sender<Result<SocketAddr, String>>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
    accepted: Arc<AtomicU64>,
) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let _ = addr_tx.send(Err(format!("cannot build the server runtime: {e}")));
            return;
        }
    };
    let fixed = fixtures::fixed_page();
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
            Ok(l) => l,
            Err(e) => {
                let _ = addr_tx.send(Err(format!("cannot bind 127.0.0.1:0: {e}")));
                return;
            }
        };
        match listener.local_addr() {
            Ok(addr) => {
                let _ = addr_tx.send(Ok(addr));
            }
            Err(e) => {
                let _ = addr_tx.send(Err(format!("no local address: {e}")));
                return;
            }
        }
        loop {
            let stream = tokio::select! {
                _ = &mut stop => break,
                result = listener.accept() => match result {
                    Ok((stream, _)) => stream,
                    // Out of descriptors and the like: back off briefly, keep serving.
                    Err(_) => {
                        tokio::time::sleep(Duration::from_millis(5)).await;
                        continue;
                    }
                },
            };
            accepted.fetch_add(1, Ordering::Relaxed);
            let _ = stream.set_nodelay(true);
            let fixed = fixed.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                    let response = route(&req, &fixed);
                    async move { Ok::<_, Infallible>(response) }
                });
                // A client closing its connection ends this task; nothing to report.
                let _ = hyper::server::conn::http1::Builder::new()
                    .keep_alive(true)
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
}

/// Answers one request.
fn route(req: &Request<Incoming>, fixed: &Bytes) -> Response<Full<Bytes>> {
    if req.method() != Method::GET {
        return status(StatusCode::METHOD_NOT_ALLOWED);
    }
    let mut segments = req.uri().path().split('/');
    let (Some(""), Some("v1"), Some(ws), Some("agents"), None) = (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) else {
        return status(StatusCode::NOT_FOUND);
    };
    if ws == FIXED_WORKSPACE {
        return json(fixed.clone());
    }
    let Some(total) = ws
        .strip_prefix(PAGED_PREFIX)
        .and_then(|n| n.parse::<u64>().ok())
    else {
        return status(StatusCode::NOT_FOUND);
    };
    let query = req.uri().query().unwrap_or("");
    let limit = param(query, "limit")
        .unwrap_or(10)
        .clamp(1, PAGE_SIZE as u64);
    let start = param(query, "continuation_token").unwrap_or(0).min(total);
    let end = start.saturating_add(limit).min(total);
    json(Bytes::from(fixtures::agents_page(start, end, total)))
}

/// The integer value of a query parameter's last occurrence, when present and valid.
fn param(query: &str, name: &str) -> Option<u64> {
    query
        .rsplit('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == name)
        .and_then(|(_, v)| v.parse().ok())
}

fn json(body: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}

fn status(code: StatusCode) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = code;
    response
}

#[cfg(test)]
mod tests {
    use super::param;

    #[test]
    fn query_params() {
        assert_eq!(param("limit=20&continuation_token=40", "limit"), Some(20));
        assert_eq!(
            param("limit=20&continuation_token=40", "continuation_token"),
            Some(40)
        );
        assert_eq!(param("limit=x", "limit"), None);
        assert_eq!(param("", "limit"), None);
    }
}
