//! A loopback TCP proxy that breaks HTTP below what a well-behaved server can say.
//!
//! [`MockServer`](crate::MockServer) faults are HTTP answers its server writes; a
//! [`FaultProxy`] sits between a client and any upstream on 127.0.0.1 and misbehaves at the
//! byte level instead: a status line that is not HTTP, a header block larger than any client
//! accepts, binary junk, or a response trickled a few bytes at a time. Each new connection
//! takes the next [`ProxyFault`] from a repeating cycle, so a client that drops a broken
//! connection and dials again meets the next one; a [`ProxyFault::Pass`] connection relays
//! both ways until either side closes, and a pooled client keeps reusing it.
//!
//! Every connection's threads end when either side closes or after [`IDLE_LIMIT`] without
//! traffic, and all of them within [`IDLE_LIMIT`] after the proxy is dropped.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

/// The longest a proxied connection waits for traffic before it closes.
pub const IDLE_LIMIT: Duration = Duration::from_secs(10);

/// What one proxied connection does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyFault {
    /// Relay bytes both ways unchanged.
    Pass,
    /// Read the request, answer a status line that is not HTTP, close.
    GarbageStatusLine,
    /// Read the request, answer `200` with one header of this many bytes, close.
    OversizedHeaders(usize),
    /// Read the request, answer this many bytes of binary junk, close.
    Junk(usize),
    /// Relay the request; relay the response `step` bytes at a time, `pause` apart.
    Trickle {
        /// Bytes per write.
        step: usize,
        /// The pause between writes.
        pause: Duration,
    },
}

/// A running fault proxy in front of one upstream address; stops when dropped.
#[derive(Debug)]
pub struct FaultProxy {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    connections: Arc<AtomicU64>,
    faulted: Arc<AtomicU64>,
}

impl FaultProxy {
    /// Starts a proxy on a free 127.0.0.1 port that hands connections to `upstream`, each
    /// taking the next fault of `cycle` (an empty cycle passes everything).
    ///
    /// # Panics
    /// If no loopback port can be bound (a broken test machine, not client data).
    pub fn start(upstream: SocketAddr, cycle: Vec<ProxyFault>) -> FaultProxy {
        let stop = Arc::new(AtomicBool::new(false));
        let (connections, faulted) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let cycle = match cycle.is_empty() {
            true => vec![ProxyFault::Pass],
            false => cycle,
        };
        let next = AtomicUsize::new(0);
        let (connections2, faulted2) = (connections.clone(), faulted.clone());
        let addr = accept_loop(Arc::clone(&stop), move |client, stop| {
            connections2.fetch_add(1, Ordering::Relaxed);
            let fault = cycle[next.fetch_add(1, Ordering::Relaxed) % cycle.len()].clone();
            if fault != ProxyFault::Pass {
                faulted2.fetch_add(1, Ordering::Relaxed);
            }
            thread::spawn(move || serve(client, upstream, fault, &stop));
        });
        FaultProxy {
            addr,
            stop,
            connections,
            faulted,
        }
    }

    /// The proxy's base URL (`http://127.0.0.1:PORT`).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> u64 {
        self.connections.load(Ordering::Relaxed)
    }

    /// Connections that met a fault other than [`ProxyFault::Pass`].
    pub fn faulted(&self) -> u64 {
        self.faulted.load(Ordering::Relaxed)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Binds a free loopback port and hands every accepted connection (with the stop flag) to
/// `accepted` on a background thread until `stop` is set; returns the address.
///
/// # Panics
/// If no loopback port can be bound (a broken test machine, not client data).
pub(crate) fn accept_loop(
    stop: Arc<AtomicBool>,
    accepted: impl Fn(TcpStream, Arc<AtomicBool>) + Send + 'static,
) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let addr = listener.local_addr().expect("local address");
    listener
        .set_nonblocking(true)
        .expect("a non-blocking listener");
    thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            match listener.accept() {
                Ok((client, _)) => accepted(client, Arc::clone(&stop)),
                Err(_) => thread::sleep(Duration::from_millis(5)),
            }
        }
    });
    addr
}

/// One connection under its fault.
fn serve(client: TcpStream, upstream: SocketAddr, fault: ProxyFault, stop: &AtomicBool) {
    let _ = client.set_nonblocking(false);
    let _ = client.set_read_timeout(Some(Duration::from_millis(100)));
    let answer: Vec<u8> = match fault {
        ProxyFault::Pass => return relay(client, upstream, None, stop),
        ProxyFault::Trickle { step, pause } => {
            return relay(client, upstream, Some((step.max(1), pause)), stop)
        }
        ProxyFault::GarbageStatusLine => b"HTCPCP/9.9 I'm a teapot, or not\r\n\r\n".to_vec(),
        ProxyFault::OversizedHeaders(n) => {
            let mut head = b"HTTP/1.1 200 OK\r\nx-padding: ".to_vec();
            head.resize(head.len() + n, b'a');
            head.extend_from_slice(b"\r\ncontent-length: 2\r\n\r\n{}");
            head
        }
        ProxyFault::Junk(n) => (0..n).map(|i| (i * 131 % 251) as u8).collect(),
    };
    let mut client = client;
    if read_request_head(&mut client, stop).is_some() {
        let _ = client.write_all(&answer);
    }
    let _ = client.shutdown(Shutdown::Both);
}

/// Reads up to the end of a request head and returns what was read (or gives up at
/// [`IDLE_LIMIT`] or on stop).
pub(crate) fn read_request_head(client: &mut TcpStream, stop: &AtomicBool) -> Option<Vec<u8>> {
    let (mut seen, mut buf) = (Vec::new(), [0u8; 4096]);
    let mut idle = Duration::ZERO;
    while !stop.load(Ordering::Relaxed) && idle < IDLE_LIMIT {
        match client.read(&mut buf) {
            Ok(0) => return None,
            Ok(n) => {
                seen.extend_from_slice(&buf[..n]);
                if seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    return Some(seen);
                }
            }
            Err(e) if is_timeout(&e) => idle += Duration::from_millis(100),
            Err(_) => return None,
        }
    }
    None
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

/// Relays both ways until either side closes, the proxy stops or the line idles past
/// [`IDLE_LIMIT`]; `trickle` slows the upstream-to-client direction.
pub(crate) fn relay(
    client: TcpStream,
    upstream: SocketAddr,
    trickle: Option<(usize, Duration)>,
    stop: &AtomicBool,
) {
    let Ok(server) = TcpStream::connect_timeout(&upstream, Duration::from_secs(2)) else {
        let _ = client.shutdown(Shutdown::Both);
        return;
    };
    let _ = server.set_read_timeout(Some(Duration::from_millis(100)));
    let (Ok(client2), Ok(server2)) = (client.try_clone(), server.try_clone()) else {
        return;
    };
    thread::scope(|s| {
        s.spawn(|| pump(client2, server2, None, stop));
        pump(server, client, trickle, stop);
    });
}

/// Copies `from` to `to` until the end of `from`, an error, a stop or an idle line, then
/// shuts both down (which ends the other direction's pump too).
fn pump(
    mut from: TcpStream,
    mut to: TcpStream,
    trickle: Option<(usize, Duration)>,
    stop: &AtomicBool,
) {
    let mut buf = [0u8; 16 * 1024];
    let mut idle = Duration::ZERO;
    while !stop.load(Ordering::Relaxed) && idle < IDLE_LIMIT {
        match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                idle = Duration::ZERO;
                let sent = match trickle {
                    None => to.write_all(&buf[..n]),
                    Some((step, pause)) => buf[..n].chunks(step).try_for_each(|c| {
                        thread::sleep(pause);
                        to.write_all(c)
                    }),
                };
                if sent.is_err() {
                    break;
                }
            }
            Err(e) if is_timeout(&e) => idle += Duration::from_millis(100),
            Err(_) => break,
        }
    }
    let _ = from.shutdown(Shutdown::Both);
    let _ = to.shutdown(Shutdown::Both);
}
