//! A transport of your own, written only against the core's public contract: blocking HTTP
//! over `std::net::TcpStream` (plain `http://`, one HTTP/1.0 exchange per connection, so a
//! body ends at its `Content-Length` or when the server closes). It runs every call,
//! auto-pager, event subscription and turn stream of the SDK, and the conformance suite runs
//! it as a third backend. `cargo run --example custom_transport` tries it on the embedded mock.
//!
//! A blocking transport implements three I/O primitives (`BlockingIo`: send an attempt, read a
//! kept body, sleep); the core's blocking loop answers every machine's steps with them.

use amigo_platform_core::sse::SseOptions;
use amigo_platform_core::transport::blocking::BlockingIo;
use amigo_platform_core::transport::{Attempt, AttemptOutcome as Outcome, BodyLimit, ReasonPhrase};
use amigo_platform_core::transport::{Read, Sent};
use amigo_platform_core::TransportErrorKind as Kind;
use amigo_platform_core::{http, CancelToken, Client, Config, Error};
use bytes::Bytes;
use std::io::{BufRead, BufReader, ErrorKind, Read as _, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;
use web_time::Instant;

/// The longest one blocking read or sleep lasts before deadlines and cancel tokens are checked.
const SLICE: Duration = Duration::from_millis(20);

/// The transport value (nothing to configure in this one).
#[derive(Debug, Clone, Default)]
pub struct TcpTransport;

/// A response body still on the wire: the connection and the bytes left (`None`: until EOF).
pub struct Body(BufReader<TcpStream>, Option<u64>);

/// Whether to stop waiting (a cancel token fired).
type Stop<'a> = &'a dyn Fn() -> bool;

/// After a read timed out: `Ok` to read again, or why not (cancelled, past the deadline).
fn again(e: std::io::Error, deadline: Instant, stop: Stop) -> std::io::Result<()> {
    match e.kind() {
        ErrorKind::WouldBlock | ErrorKind::TimedOut if stop() => Err(ErrorKind::Interrupted.into()),
        ErrorKind::WouldBlock | ErrorKind::TimedOut if Instant::now() < deadline => Ok(()),
        ErrorKind::WouldBlock => Err(ErrorKind::TimedOut.into()),
        _ => Err(e),
    }
}

/// The core's outcome for an I/O failure before the head, or (given the head) in the body.
fn outcome(e: std::io::Error, head: Option<http::response::Parts>) -> Outcome {
    let kind = match e.kind() {
        ErrorKind::Interrupted => return Outcome::Cancelled,
        ErrorKind::TimedOut => return Outcome::TimedOut,
        ErrorKind::ConnectionRefused => Kind::Connect,
        ErrorKind::OutOfMemory => Kind::BodyTooLarge,
        _ if head.is_some() => Kind::Read,
        _ => Kind::ConnectionReset,
    };
    let error = Error::network_from(kind, e);
    match head {
        Some(head) => Outcome::BodyFailed { head, error },
        None => Outcome::Failed(error),
    }
}

/// Sends the request and reads the response head by `deadline`; the body stays on the wire.
fn exchange(
    a: &Attempt,
    deadline: Instant,
    stop: Stop,
) -> std::io::Result<(http::response::Parts, Body)> {
    let uri = a.request.uri();
    let (host, port) = (uri.host().unwrap_or_default(), uri.port_u16().unwrap_or(80));
    let addr = (host, port)
        .to_socket_addrs()?
        .next()
        .ok_or(ErrorKind::NotFound)?;
    let left = deadline
        .saturating_duration_since(Instant::now())
        .max(SLICE);
    let mut tcp = TcpStream::connect_timeout(&addr, left)?;
    tcp.set_write_timeout(Some(left))?;
    tcp.set_read_timeout(Some(SLICE))?;
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let mut head = format!(
        "{} {path} HTTP/1.0\r\nhost: {host}:{port}\r\n",
        a.request.method()
    );
    for (name, value) in a.request.headers() {
        head += &format!("{name}: {}\r\n", String::from_utf8_lossy(value.as_bytes()));
    }
    head += &format!("content-length: {}\r\n\r\n", a.request.body().len());
    tcp.write_all(head.as_bytes())?;
    tcp.write_all(a.request.body())?;
    let mut conn = BufReader::new(tcp);
    let status_line = line(&mut conn, deadline, stop)?;
    let mut builder = http::Response::builder();
    builder = builder.status(
        status_line
            .split(' ')
            .nth(1)
            .unwrap_or_default()
            .parse()
            .unwrap_or(0u16),
    );
    loop {
        let header = line(&mut conn, deadline, stop)?;
        let Some((name, value)) = header.split_once(':') else {
            break;
        };
        builder = builder.header(name.trim(), value.trim());
    }
    let (mut parts, ()) = builder
        .body(())
        .map_err(std::io::Error::other)?
        .into_parts();
    let reason = status_line
        .splitn(3, ' ')
        .nth(2)
        .unwrap_or_default()
        .to_owned();
    parts.extensions.insert(ReasonPhrase(reason));
    let length = parts
        .headers
        .get("content-length")
        .and_then(|v| v.to_str().ok()?.parse().ok());
    Ok((parts, Body(conn, length)))
}

/// One CRLF-terminated line, read by `deadline`.
fn line(conn: &mut BufReader<TcpStream>, deadline: Instant, stop: Stop) -> std::io::Result<String> {
    let mut line = Vec::new();
    while !line.ends_with(b"\n") {
        match conn.read_until(b'\n', &mut line) {
            Ok(0) => return Err(ErrorKind::UnexpectedEof.into()),
            Ok(_) => {}
            Err(e) => again(e, deadline, stop)?,
        }
    }
    Ok(String::from_utf8_lossy(&line).trim_end().to_owned())
}

impl Body {
    /// The next bytes of the body by `until` (`Ok(None)` at its end).
    fn chunk(&mut self, until: Instant, stop: Stop) -> std::io::Result<Option<Bytes>> {
        let mut buf = [0u8; 16 * 1024];
        let want = self
            .1
            .map_or(buf.len(), |left| buf.len().min(left as usize));
        loop {
            match self.0.read(&mut buf[..want]) {
                Ok(0) if want > 0 && self.1.is_some() => {
                    return Err(ErrorKind::UnexpectedEof.into())
                }
                Ok(0) => return Ok(None),
                Ok(n) => {
                    self.1 = self.1.map(|left| left - n as u64);
                    return Ok(Some(Bytes::copy_from_slice(&buf[..n])));
                }
                Err(e) => again(e, until, stop)?,
            }
        }
    }

    /// The body within `limit` by `until`.
    fn all(mut self, limit: BodyLimit, until: Instant, stop: Stop) -> std::io::Result<Bytes> {
        let mut out = Vec::new();
        while let Some(bytes) = self.chunk(until, stop)? {
            out.extend_from_slice(&bytes);
            match limit {
                BodyLimit::Whole(max) if out.len() > max => {
                    return Err(ErrorKind::OutOfMemory.into())
                }
                BodyLimit::Head(max) if out.len() >= max => {
                    out.truncate(max);
                    break;
                }
                _ => {}
            }
        }
        Ok(out.into())
    }
}

fn stop(cancel: &[CancelToken]) -> impl Fn() -> bool + '_ {
    || cancel.iter().any(CancelToken::is_cancelled)
}

/// The transport's I/O primitives; the core's blocking loop does the rest.
impl BlockingIo for TcpTransport {
    type Body = Body;

    fn send(&self, attempt: Attempt, cancel: &[CancelToken]) -> Sent<Body> {
        if attempt.upload.is_some() {
            // A streamed body (or one observed for progress) would be read from
            // `attempt.upload`'s segments; this example sends buffered bodies only.
            return Sent::Outcome(Outcome::Failed(Error::config(
                "this transport does not send streamed bodies",
            )));
        }
        let deadline = Instant::now() + attempt.timeout.unwrap_or(Duration::from_secs(3600));
        let stop = &stop(cancel);
        let (head, body) = match exchange(&attempt, deadline, stop) {
            Ok(sent) => sent,
            Err(e) => return Sent::Outcome(outcome(e, None)),
        };
        if attempt.keeps(&head) {
            return Sent::Stream(head, body);
        }
        let limit = BodyLimit::of(&head, attempt.streams(), 64 << 20);
        Sent::Outcome(match body.all(limit, deadline, stop) {
            Ok(bytes) => Outcome::Response(http::Response::from_parts(head, bytes)),
            Err(e) => outcome(e, Some(head)),
        })
    }

    fn read(&self, body: &mut Body, until: Option<Instant>, cancel: &[CancelToken]) -> Read {
        let until = until.unwrap_or(Instant::now() + Duration::from_secs(3600));
        match body.chunk(until, &stop(cancel)) {
            Ok(Some(bytes)) => Read::Chunk(bytes),
            Ok(None) => Read::Eof,
            Err(e) if matches!(e.kind(), ErrorKind::TimedOut | ErrorKind::Interrupted) => {
                Read::Nothing
            }
            Err(e) => Read::Failed(Error::network_from(Kind::Read, e)),
        }
    }

    fn sleep(&self, until: Instant, cancel: &[CancelToken]) {
        while Instant::now() < until && !stop(cancel)() {
            std::thread::sleep(until.saturating_duration_since(Instant::now()).min(SLICE));
        }
    }
}

// `Transport` and `StreamTransport` over the core's blocking loop.
amigo_platform_core::blocking_transport!(TcpTransport);

#[allow(dead_code)]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    use amigo_platform_api::ApiExt;
    use amigo_platform_testkit::MockServer;
    let server = MockServer::start();
    server.seed_agents(MockServer::WORKSPACE_ID, 25);
    let config = Config::builder()
        .api_key(MockServer::API_KEY)
        .workspace_id(MockServer::WORKSPACE_ID);
    let client = Client::with_transport(config.base_url(server.base_url()).build()?, TcpTransport);
    let agents: Vec<_> = client
        .api()
        .agents()
        .list()
        .limit(10)
        .auto_paging()
        .send()
        .collect::<Result<_, _>>()?;
    println!(
        "{} agents over the custom transport, in pages of 10",
        agents.len()
    );
    for item in amigo_platform_core::sse::subscribe(&client, SseOptions::new()).take(3) {
        println!("event stream: {:?}", item?);
    }
    Ok(())
}
