//! `amigo webhook verify` and `amigo webhook listen`: the core's webhook verifier on one
//! delivery from stdin, or on every delivery to a small local HTTP/1.1 receiver.

use crate::errors::CliError;
use amigo_platform_core::webhook::{ReplayGuard, Verifier, WebhookSecret};
use clap::ArgMatches;
use http::{HeaderMap, HeaderName, HeaderValue};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, SystemTime};

/// The largest delivery body `listen` reads, and the most `verify` reads from stdin.
const MAX_BODY: usize = 4 * 1024 * 1024;
/// The largest request head `listen` reads.
const MAX_HEAD: usize = 16 * 1024;
/// How long `listen` waits for one delivery's bytes.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Event ids remembered by `listen`'s replay guard.
const REPLAY_CAPACITY: usize = 10_000;

fn verifier(m: &ArgMatches, replay: bool) -> Verifier {
    let secrets: Vec<WebhookSecret> = m
        .get_many::<String>("secret")
        .map(|v| v.map(|s| WebhookSecret::new(s.clone())).collect())
        .unwrap_or_default();
    let mut b = Verifier::builder()
        .secrets(secrets)
        .allow_legacy(m.get_flag("allow-legacy"));
    if replay {
        b = b.replay_guard(ReplayGuard::new(REPLAY_CAPACITY));
    }
    b.build()
}

/// Verifies the body on stdin against `--signature` and `--timestamp`: exit 0 and `ok` on
/// stderr, or the reason and exit code 9.
pub fn verify(m: &ArgMatches) -> Result<(), CliError> {
    let mut body = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_BODY as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|e| CliError::other(format!("reading stdin: {e}")))?;
    if body.len() > MAX_BODY {
        return Err(CliError::usage(format!(
            "the body is larger than {MAX_BODY} bytes"
        )));
    }
    let signature = m
        .get_one::<String>("signature")
        .map(String::as_str)
        .unwrap_or("");
    let timestamp = m.get_one::<String>("timestamp").map(String::as_str);
    verifier(m, false)
        .verify_parts(&body, signature, timestamp, SystemTime::now())
        .map_err(|e| CliError::Webhook(e.to_string()))?;
    eprintln!("ok: signature verified");
    Ok(())
}

/// Serves `127.0.0.1:PORT`: each `POST` is verified (with a replay guard) and answered 200
/// with the event printed as one JSON line on stdout, or 400 with the reason on stderr. One
/// delivery at a time; ends after `--max-deliveries` or on Ctrl-C.
pub fn listen(m: &ArgMatches) -> Result<(), CliError> {
    let port = m.get_one::<u16>("port").copied().unwrap_or(0);
    let max = m.get_one::<u64>("max-deliveries").copied();
    let listener = TcpListener::bind(("127.0.0.1", port))
        .map_err(|e| CliError::other(format!("binding 127.0.0.1:{port}: {e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| CliError::other(e.to_string()))?;
    eprintln!("listening on http://{addr}/");
    let verifier = verifier(m, true);
    let mut handled = 0u64;
    for conn in listener.incoming() {
        let Ok(mut stream) = conn else { continue };
        let reply = match read_request(&mut stream) {
            Ok((headers, body)) => match verifier.parse_event(&body, &headers, SystemTime::now()) {
                Ok(event) => {
                    let mut out = std::io::stdout().lock();
                    let _ = writeln!(out, "{}", event.raw);
                    let _ = out.flush();
                    (200, "OK")
                }
                Err(e) => {
                    eprintln!("rejected delivery: {e}");
                    (400, "Bad Request")
                }
            },
            Err((status, reason, why)) => {
                eprintln!("rejected delivery: {why}");
                (status, reason)
            }
        };
        let _ = write!(
            stream,
            "HTTP/1.1 {} {}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            reply.0, reply.1
        );
        handled += 1;
        if max.is_some_and(|n| handled >= n) {
            break;
        }
    }
    Ok(())
}

type Rejection = (u16, &'static str, String);

/// Reads one request (head within [`MAX_HEAD`], a `Content-Length` body within [`MAX_BODY`]),
/// parsing the head with `httparse` rather than by hand.
fn read_request(stream: &mut TcpStream) -> Result<(HeaderMap, Vec<u8>), Rejection> {
    let bad = |why: &str| (400, "Bad Request", why.to_owned());
    stream
        .set_read_timeout(Some(READ_TIMEOUT))
        .map_err(|e| bad(&e.to_string()))?;
    let mut reader = BufReader::new(stream.take((MAX_HEAD + MAX_BODY) as u64));
    let mut head = Vec::new();
    // Bounded by MAX_HEAD: each round reads one line or ends.
    loop {
        let n = reader
            .read_until(b'\n', &mut head)
            .map_err(|e| bad(&format!("reading: {e}")))?;
        if n == 0 || head.ends_with(b"\r\n\r\n") || head.ends_with(b"\n\n") {
            break;
        }
        if head.len() > MAX_HEAD {
            return Err((
                431,
                "Request Header Fields Too Large",
                "head too large".into(),
            ));
        }
    }
    let mut raw_headers = [httparse::EMPTY_HEADER; 64];
    let mut req = httparse::Request::new(&mut raw_headers);
    match req.parse(&head) {
        Ok(httparse::Status::Complete(_)) => {}
        _ => return Err(bad("malformed request")),
    }
    if req.method != Some("POST") {
        return Err((405, "Method Not Allowed", "not a POST".into()));
    }
    let mut headers = HeaderMap::new();
    for h in req.headers.iter() {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(h.name.as_bytes()),
            HeaderValue::from_bytes(h.value),
        ) {
            headers.append(n, v);
        }
    }
    let len: usize = headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .ok_or((411, "Length Required", "no content-length".to_owned()))?;
    if len > MAX_BODY {
        return Err((413, "Payload Too Large", format!("body of {len} bytes")));
    }
    let mut body = vec![0; len];
    reader
        .read_exact(&mut body)
        .map_err(|e| bad(&format!("reading the body: {e}")))?;
    Ok((headers, body))
}
