//! A loopback HTTP `CONNECT` proxy, for testing that clients reach servers through a proxy.
//!
//! [`ConnectProxy::start`] listens on a free `127.0.0.1` port. Each connection must open with
//! `CONNECT host:port HTTP/1.1`; the proxy records the target, answers `200 Connection
//! established` and relays bytes both ways until either side closes. Only loopback targets
//! (`127.0.0.1`, `::1`, `localhost`) are tunnelled (anything else gets `403`), so a test can
//! never reach out. With [`ConnectProxy::start_with_credentials`] a `CONNECT` without the
//! right `Proxy-Authorization: Basic` gets `407` instead.
//!
//! ```
//! use amigo_platform_testkit::connect_proxy::ConnectProxy;
//! use std::io::{Read, Write};
//!
//! let target = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
//! let port = target.local_addr().unwrap().port();
//! let proxy = ConnectProxy::start();
//! let mut tunnel = std::net::TcpStream::connect(proxy.addr()).unwrap();
//! write!(tunnel, "CONNECT 127.0.0.1:{port} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n").unwrap();
//! let mut answer = [0u8; 39];
//! tunnel.read_exact(&mut answer).unwrap();
//! assert!(answer.starts_with(b"HTTP/1.1 200"));
//! assert_eq!(proxy.targets(), vec![format!("127.0.0.1:{port}")]);
//! ```

use crate::proxy::{accept_loop, read_request_head, relay};
use std::io::Write;
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// A running `CONNECT` proxy on 127.0.0.1; stops accepting when dropped (open tunnels end
/// within [`IDLE_LIMIT`](crate::proxy::IDLE_LIMIT) of silence).
#[derive(Debug)]
pub struct ConnectProxy {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    log: Arc<Mutex<Log>>,
}

#[derive(Debug, Default)]
struct Log {
    targets: Vec<String>,
    refused: usize,
}

impl ConnectProxy {
    /// Starts a proxy that tunnels every `CONNECT` to a loopback target.
    ///
    /// # Panics
    /// If no loopback port can be bound (a broken test machine, not client data).
    pub fn start() -> ConnectProxy {
        Self::spawn(None)
    }

    /// Starts a proxy that tunnels only a `CONNECT` carrying `Proxy-Authorization: Basic`
    /// with `user` and `password`, and answers `407` to any other.
    ///
    /// # Panics
    /// As [`start`](Self::start).
    pub fn start_with_credentials(user: &str, password: &str) -> ConnectProxy {
        let url = format!("http://{user}:{password}@127.0.0.1:1");
        let expected = amigo_platform_core::transport::proxy::Proxy::parse(&url)
            .ok()
            .and_then(|p| p.authorization())
            .and_then(|v| v.to_str().ok().map(str::to_owned));
        Self::spawn(Some(expected.unwrap_or_default()))
    }

    fn spawn(expected_auth: Option<String>) -> ConnectProxy {
        let stop = Arc::new(AtomicBool::new(false));
        let log = Arc::new(Mutex::new(Log::default()));
        let log2 = Arc::clone(&log);
        let expected = Arc::new(expected_auth);
        let addr = accept_loop(Arc::clone(&stop), move |client, stop| {
            let (log, expected) = (Arc::clone(&log2), Arc::clone(&expected));
            thread::spawn(move || serve(client, expected.as_deref(), &log, &stop));
        });
        ConnectProxy { addr, stop, log }
    }

    /// The proxy's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The proxy's URL, `http://127.0.0.1:PORT` (add `user:password@` yourself).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The targets (`host:port`) of every tunnel opened so far, in order.
    pub fn targets(&self) -> Vec<String> {
        self.lock().targets.clone()
    }

    /// How many requests were refused (not `CONNECT`, missing or wrong credentials, a target
    /// off loopback, unreachable).
    pub fn refused(&self) -> usize {
        self.lock().refused
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Log> {
        self.log.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for ConnectProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// One client connection: the `CONNECT` head, then the tunnel.
fn serve(mut client: TcpStream, expected: Option<&str>, log: &Mutex<Log>, stop: &AtomicBool) {
    let _ = client.set_nonblocking(false);
    let _ = client.set_read_timeout(Some(Duration::from_millis(100)));
    let Some(head) = read_request_head(&mut client, stop) else {
        return;
    };
    let head = String::from_utf8_lossy(&head).into_owned();
    let mut refuse = |status: &str| {
        log.lock().unwrap_or_else(|e| e.into_inner()).refused += 1;
        let answer = format!(
            "HTTP/1.1 {status}\r\nProxy-Authenticate: Basic realm=\"testkit\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        let _ = client.write_all(answer.as_bytes());
        let _ = client.shutdown(Shutdown::Both);
    };
    let mut line = head.lines().next().unwrap_or("").split(' ');
    let (method, target) = (line.next().unwrap_or(""), line.next().unwrap_or(""));
    if method != "CONNECT" {
        return refuse("405 Method Not Allowed");
    }
    if let Some(expected) = expected {
        let sent = head.lines().find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("proxy-authorization")
                .then(|| value.trim().to_owned())
        });
        if sent.as_deref() != Some(expected) {
            return refuse("407 Proxy Authentication Required");
        }
    }
    let upstream = target
        .to_socket_addrs()
        .ok()
        .and_then(|mut addrs| addrs.find(|a| a.ip().is_loopback()));
    let Some(upstream) = upstream else {
        return refuse("403 Forbidden");
    };
    log.lock()
        .unwrap_or_else(|e| e.into_inner())
        .targets
        .push(target.to_owned());
    if client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .is_err()
    {
        return;
    }
    relay(client, upstream, None, stop);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::net::TcpListener;

    /// Sends `head` to the proxy and returns its status line.
    fn ask(proxy: &ConnectProxy, head: &str) -> String {
        let mut s = TcpStream::connect(proxy.addr()).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        s.write_all(head.as_bytes()).expect("write");
        let mut buf = [0u8; 256];
        let n = s.read(&mut buf).expect("read");
        let text = String::from_utf8_lossy(&buf[..n]).into_owned();
        text.lines().next().unwrap_or_default().to_owned()
    }

    #[test]
    fn credentials_are_required_when_configured() {
        let target = TcpListener::bind("127.0.0.1:0").expect("bind");
        let t = target.local_addr().expect("addr").to_string();
        let proxy = ConnectProxy::start_with_credentials("alice", "hunter2");
        let without = format!("CONNECT {t} HTTP/1.1\r\nHost: {t}\r\n\r\n");
        assert_eq!(
            ask(&proxy, &without),
            "HTTP/1.1 407 Proxy Authentication Required"
        );
        // base64("alice:hunter2")
        let with = format!(
            "CONNECT {t} HTTP/1.1\r\nHost: {t}\r\nProxy-Authorization: Basic YWxpY2U6aHVudGVyMg==\r\n\r\n"
        );
        assert_eq!(ask(&proxy, &with), "HTTP/1.1 200 Connection established");
        assert_eq!((proxy.targets(), proxy.refused()), (vec![t], 1));
    }

    #[test]
    fn only_connect_to_loopback_is_tunnelled() {
        let proxy = ConnectProxy::start();
        let get = "GET http://127.0.0.1:1/ HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n";
        assert_eq!(ask(&proxy, get), "HTTP/1.1 405 Method Not Allowed");
        let away = "CONNECT 192.0.2.1:443 HTTP/1.1\r\nHost: 192.0.2.1:443\r\n\r\n";
        assert_eq!(ask(&proxy, away), "HTTP/1.1 403 Forbidden");
        assert_eq!((proxy.targets().len(), proxy.refused()), (0, 2));
    }
}
