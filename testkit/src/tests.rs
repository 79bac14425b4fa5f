//! Tests of the mock server over a minimal raw `TcpStream` HTTP/1.1 client.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use http::Method;
use serde_json::{json, Value};

use crate::{Fault, MockServer};

const WS: &str = MockServer::WORKSPACE_ID;
const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// A response as read off the wire.
#[derive(Debug)]
struct Resp {
    status: u16,
    /// The raw status line, without CRLF.
    status_line: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// Whether the whole declared body arrived.
    complete: bool,
    /// Time from sending the request until the header block was read.
    head_after: Duration,
    /// Time from sending the request until the first body byte was read.
    first_body_after: Option<Duration>,
    /// Time from sending the request until the body was read.
    done_after: Duration,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {:?}", self.text()))
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Opens a connection with read and write timeouts.
fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(IO_TIMEOUT)).expect("timeout");
    stream.set_write_timeout(Some(IO_TIMEOUT)).expect("timeout");
    stream
}

/// Writes one request; `auth` adds the Bearer header, `close` asks the server to close afterwards.
fn write_request(
    stream: &mut TcpStream,
    method: &str,
    path: &str,
    extra: &[(&str, &str)],
    body: &[u8],
    close: bool,
) {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (k, v) in extra {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() || method == "POST" || method == "PUT" {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    if close {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).expect("write head");
    stream.write_all(body).expect("write body");
}

/// Reads one response: the header block, then `Content-Length` bytes or up to EOF.
fn read_response(stream: &mut TcpStream, sent_at: Instant) -> io::Result<Resp> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("EOF after {} bytes of head", buf.len()),
            ));
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head_after = sent_at.elapsed();
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default().to_owned();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let declared = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok());
    let mut body = buf[head_end + 4..].to_vec();
    let mut first_body_after = (!body.is_empty()).then(|| sent_at.elapsed());
    let no_body = status == 204 || status == 304;
    let complete = loop {
        match declared {
            _ if no_body => break true,
            Some(len) if body.len() >= len => break true,
            _ => {}
        }
        let n = match stream.read(&mut chunk) {
            Ok(n) => n,
            // A reset after a partial body counts as the end of the data.
            Err(e) if e.kind() == io::ErrorKind::ConnectionReset => 0,
            Err(e) => return Err(e),
        };
        if n == 0 {
            break declared.is_none();
        }
        if first_body_after.is_none() {
            first_body_after = Some(sent_at.elapsed());
        }
        body.extend_from_slice(&chunk[..n]);
    };
    Ok(Resp {
        status,
        status_line,
        headers,
        body,
        complete,
        head_after,
        first_body_after,
        done_after: sent_at.elapsed(),
    })
}

/// Sends one authenticated request on a fresh connection and reads the response.
fn call(server: &MockServer, method: &str, path: &str, body: Option<Value>) -> Resp {
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut extra = vec![("Authorization", "Bearer test-api-key")];
    if !body.is_empty() {
        extra.push(("Content-Type", "application/json"));
    }
    raw(server, method, path, &extra, body.as_bytes()).expect("response")
}

/// Sends one request with exactly these extra headers on a fresh connection.
fn raw(
    server: &MockServer,
    method: &str,
    path: &str,
    extra: &[(&str, &str)],
    body: &[u8],
) -> io::Result<Resp> {
    let mut stream = connect(server.addr());
    let sent_at = Instant::now();
    write_request(&mut stream, method, path, extra, body, true);
    read_response(&mut stream, sent_at)
}

fn get(server: &MockServer, path: &str) -> Resp {
    call(server, "GET", path, None)
}

// ---------------------------------------------------------------------------
// Routes and state
// ---------------------------------------------------------------------------

#[test]
fn agent_pages_add_up_to_the_total() {
    let server = MockServer::start();
    server.seed_agents(WS, 25);
    let mut names = Vec::new();
    let mut token: Option<u64> = None;
    let mut page_sizes = Vec::new();
    for _ in 0..10 {
        let path = match token {
            Some(t) => format!("/v1/{WS}/agents?limit=10&continuation_token={t}"),
            None => format!("/v1/{WS}/agents?limit=10"),
        };
        let r = get(&server, &path);
        assert_eq!(r.status, 200, "{}", r.text());
        let v = r.json();
        assert_eq!(v["total"], 25);
        let items = v["items"].as_array().expect("items");
        page_sizes.push(items.len());
        for item in items {
            assert_eq!(item["workspace_id"], WS);
            assert_eq!(item["latest_version"], 0);
            for field in ["id", "name", "description", "created_at", "updated_at"] {
                assert!(item[field].is_string(), "{field} in {item}");
            }
            names.push(item["name"].as_str().unwrap_or_default().to_owned());
        }
        if v["has_more"] == json!(false) {
            assert_eq!(v["continuation_token"], Value::Null);
            token = None;
            break;
        }
        token = v["continuation_token"].as_u64();
        assert!(token.is_some(), "has_more with no token: {v}");
    }
    assert!(token.is_none(), "pagination did not finish");
    assert_eq!(page_sizes, [10, 10, 5]);
    let want: Vec<String> = (1..=25).map(|i| format!("agent-{i}")).collect();
    assert_eq!(names, want);

    // Default limit and the search filter.
    let v = get(&server, &format!("/v1/{WS}/agents")).json();
    assert_eq!(v["items"].as_array().map(Vec::len), Some(10));
    let v = get(&server, &format!("/v1/{WS}/agents?search=agent-2")).json();
    // agent-2 and agent-20..=25
    assert_eq!(v["total"], 7);

    // State is per workspace id.
    let v = get(&server, "/v1/other-ws/agents").json();
    assert_eq!(v["total"], 0);
    assert_eq!(v["has_more"], false);
}

#[test]
fn entities_and_calls_paginate_with_their_cursors() {
    let server = MockServer::start();
    server.seed_entities(WS, 7);
    server.seed_calls(WS, 5);

    let mut offset = 0;
    let mut seen = 0;
    for _ in 0..10 {
        let v = get(
            &server,
            &format!("/v1/{WS}/world/entities?limit=3&offset={offset}"),
        )
        .json();
        assert_eq!(v["total"], 7);
        let entities = v["entities"].as_array().expect("entities");
        for e in entities {
            for f in ["id", "workspace_id", "entity_type"] {
                assert!(e[f].is_string(), "{f} in {e}");
            }
        }
        seen += entities.len();
        match v["next_offset"].as_u64() {
            Some(next) => {
                assert_eq!(v["has_more"], true);
                offset = next;
            }
            None => {
                assert_eq!(v["has_more"], false);
                break;
            }
        }
    }
    assert_eq!(seen, 7);

    let path = format!("/v1/{WS}/world/entities?entity_type=patient&entity_type=organization");
    let v = get(&server, &path).json();
    // Types cycle patient, practitioner, organization: 3 patients + 2 organizations of 7.
    assert_eq!(v["total"], 5);

    let mut ids = Vec::new();
    let mut token = 0;
    for _ in 0..10 {
        let v = get(
            &server,
            &format!("/v1/{WS}/calls?limit=2&continuation_token={token}"),
        )
        .json();
        assert_eq!(v["total"], 5);
        for c in v["items"].as_array().expect("items") {
            ids.push(c["entity_id"].as_str().expect("entity_id").to_owned());
        }
        match v["continuation_token"].as_u64() {
            Some(t) => token = t,
            None => break,
        }
    }
    assert_eq!(ids.len(), 5);
    let r = get(&server, &format!("/v1/{WS}/calls/{}", ids[3]));
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["id"], ids[3].as_str());
    let r = get(&server, &format!("/v1/{WS}/calls/nope"));
    assert_eq!(
        (r.status, r.json()),
        (404, json!({"detail": "Call not found"}))
    );
    // `offset` is accepted as an alias.
    let v = get(&server, &format!("/v1/{WS}/calls?offset=4")).json();
    assert_eq!(v["items"].as_array().map(Vec::len), Some(1));
}

#[test]
fn agent_lifecycle_create_get_update_delete() {
    let server = MockServer::start();
    let r = call(
        &server,
        "POST",
        &format!("/v1/{WS}/agents"),
        Some(json!({"name": "Front desk", "description": "Answers calls"})),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/json"));
    let created = r.json();
    let id = created["id"].as_str().expect("id").to_owned();
    assert_eq!(id.len(), 36, "UUID-like id: {id}");
    assert_eq!(created["name"], "Front desk");
    assert_eq!(created["workspace_id"], WS);

    let path = format!("/v1/{WS}/agents/{id}");
    let r = get(&server, &path);
    assert_eq!((r.status, r.json()), (200, created.clone()));

    let r = call(&server, "PUT", &path, Some(json!({"description": "New"})));
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["description"], "New");
    assert_eq!(r.json()["name"], "Front desk");

    let r = call(&server, "DELETE", &path, None);
    assert_eq!(r.status, 204);
    assert!(r.body.is_empty());
    assert_eq!(r.header("content-type"), None);

    let r = get(&server, &path);
    assert_eq!(
        (r.status, r.json()),
        (404, json!({"detail": "Agent not found"}))
    );
    let r = call(&server, "DELETE", &path, None);
    assert_eq!(r.status, 404);
}

#[test]
fn conversations_greet_take_turns_and_close() {
    let server = MockServer::start();
    let base = format!("/v1/{WS}/conversations");
    let r = call(&server, "POST", &base, Some(json!({"service_id": "svc-1"})));
    assert_eq!(r.status, 201, "{}", r.text());
    let greeted = r.json();
    assert_eq!(greeted["turns"][0]["role"], "agent");
    assert_eq!(greeted["turns"][0]["text"], crate::api::GREETING);
    assert_eq!(greeted["status"], "active");

    let r = call(
        &server,
        "POST",
        &base,
        Some(json!({"service_id": "svc-1", "entity_id": "ent-1", "auto_greet": false})),
    );
    assert_eq!(r.status, 201);
    let quiet = r.json();
    let id = quiet["id"].as_str().expect("id").to_owned();
    assert_eq!(id.len(), 36, "UUID-like id: {id}");
    assert_eq!(quiet["turns"], json!([]));
    assert_eq!(quiet["entity_id"], "ent-1");

    let turns = format!("{base}/{id}/turns");
    let r = call(&server, "POST", &turns, Some(json!({"message": "Hi"})));
    assert_eq!(r.status, 200, "{}", r.text());
    let t = r.json();
    assert_eq!(
        t["input"],
        json!({"role": "user", "text": "Hi", "content": [], "timestamp": t["input"]["timestamp"]})
    );
    assert_eq!(t["output"][0]["role"], "agent");
    assert_eq!(t["output"][0]["text"], "You said: Hi");
    assert_eq!(t["conversation"]["id"], id.as_str());
    assert_eq!(t["conversation"]["turn_count"], 2);

    let r = get(&server, &format!("{base}?limit=1"));
    assert_eq!(r.status, 200);
    let list = r.json();
    assert_eq!(
        (list["total"].as_i64(), list["has_more"].as_bool()),
        (Some(2), Some(true))
    );
    let r = get(&server, &format!("{base}/{id}"));
    assert_eq!(r.json()["turn_count"], 2);

    assert_eq!(
        call(&server, "POST", &turns, Some(json!({"message": ""}))).status,
        422
    );
    assert_eq!(
        call(&server, "POST", &base, Some(json!({"auto_greet": "no"}))).status,
        422
    );
    assert_eq!(
        call(&server, "DELETE", &format!("{base}/{id}"), None).status,
        204
    );
    let r = call(&server, "POST", &turns, Some(json!({"message": "Hi"})));
    assert_eq!(
        (r.status, r.json()),
        (409, json!({"detail": "Conversation is closed"}))
    );
    let r = call(
        &server,
        "POST",
        &format!("{base}/nope/turns"),
        Some(json!({"message": "Hi"})),
    );
    assert_eq!(
        (r.status, r.json()),
        (404, json!({"detail": "Conversation not found"}))
    );
    assert_eq!(
        call(&server, "PUT", &format!("{base}/{id}"), Some(json!({}))).status,
        405
    );
}

#[test]
fn agent_versions_are_numbered_and_resolvable() {
    let server = MockServer::start();
    server.seed_agents(WS, 1);
    let agents = get(&server, &format!("/v1/{WS}/agents")).json();
    let id = agents["items"][0]["id"].as_str().expect("id").to_owned();
    let base = format!("/v1/{WS}/agents/{id}/versions");

    let r = get(&server, &format!("{base}/latest"));
    assert_eq!(r.status, 404);
    for i in 1..=3 {
        let r = call(
            &server,
            "POST",
            &base,
            Some(json!({"background": format!("v{i}")})),
        );
        assert_eq!(r.status, 201, "{}", r.text());
        let v = r.json();
        assert_eq!(v["version"], i);
        assert_eq!(v["agent_id"], id.as_str());
        assert_eq!(v["background"], format!("v{i}"));
        for f in [
            "identity",
            "behaviors",
            "communication_patterns",
            "initials",
            "name",
        ] {
            assert!(!v[f].is_null(), "{f} in {v}");
        }
    }
    let r = get(&server, &format!("{base}/latest"));
    assert_eq!(r.json()["version"], 3);
    let r = get(&server, &format!("{base}/2"));
    assert_eq!(r.json()["background"], "v2");
    assert_eq!(get(&server, &format!("{base}/4")).status, 404);
    let v = get(&server, &format!("{base}?limit=2")).json();
    assert_eq!(
        (v["total"].clone(), v["continuation_token"].clone()),
        (json!(3), json!(2))
    );
    let agent = get(&server, &format!("/v1/{WS}/agents/{id}")).json();
    assert_eq!(agent["latest_version"], 3);
    let r = call(
        &server,
        "POST",
        &format!("/v1/{WS}/agents/missing/versions"),
        Some(json!({})),
    );
    assert_eq!(r.status, 404);
}

#[test]
fn validation_errors_use_the_fastapi_shape() {
    let server = MockServer::start();
    let agents = format!("/v1/{WS}/agents");

    let r = call(&server, "POST", &agents, Some(json!({"description": "x"})));
    assert_eq!(r.status, 422);
    let item = &r.json()["detail"][0];
    assert_eq!(item["loc"], json!(["body", "name"]));
    assert_eq!(item["msg"], "Field required");
    assert_eq!(item["type"], "missing");

    let r = call(&server, "POST", &agents, Some(json!({"name": ""})));
    assert_eq!(r.json()["detail"][0]["type"], "string_too_short");
    let r = call(&server, "POST", &agents, Some(json!({"name": 5})));
    assert_eq!(r.json()["detail"][0]["type"], "string_type");

    let auth = ("Authorization", "Bearer k");
    let r = raw(&server, "POST", &agents, &[auth], b"{\"name\": ").expect("response");
    assert_eq!(r.status, 422);
    let item = &r.json()["detail"][0];
    assert_eq!(item["type"], "json_invalid");
    assert_eq!(item["loc"][0], "body");
    let r = raw(&server, "POST", &agents, &[auth], b"").expect("response");
    assert_eq!(
        (r.status, r.json()["detail"][0]["type"].clone()),
        (422, json!("missing"))
    );
    let r = raw(&server, "POST", &agents, &[auth], b"[1]").expect("response");
    assert_eq!(r.json()["detail"][0]["type"], "model_attributes_type");

    for (query, kind) in [
        ("limit=21", "less_than_equal"),
        ("limit=0", "greater_than"),
        ("limit=abc", "int_parsing"),
        ("continuation_token=x", "int_parsing"),
    ] {
        let r = get(&server, &format!("{agents}?{query}"));
        assert_eq!(r.status, 422, "{query}");
        let item = &r.json()["detail"][0];
        assert_eq!(item["type"], kind, "{query}");
        assert_eq!(item["loc"][0], "query");
    }
    let r = get(&server, &format!("/v1/{WS}/world/entities?limit=101"));
    assert_eq!(r.status, 422);
    let r = get(&server, &format!("/v1/{WS}/world/entities?offset=-1"));
    assert_eq!(r.status, 422);
    // Nothing was created by the failed attempts.
    assert_eq!(get(&server, &agents).json()["total"], 0);
}

#[test]
fn auth_unknown_paths_and_wrong_methods() {
    let server = MockServer::start();
    let agents = format!("/v1/{WS}/agents");
    let not_auth = json!({"detail": "Not authenticated"});
    for headers in [
        &[][..],
        &[("Authorization", "Basic abc")][..],
        &[("Authorization", "Bearer ")][..],
        &[("Authorization", "test-api-key")][..],
    ] {
        let r = raw(&server, "GET", &agents, headers, b"").expect("response");
        assert_eq!((r.status, r.json()), (401, not_auth.clone()), "{headers:?}");
    }
    let r = raw(
        &server,
        "GET",
        &agents,
        &[("Authorization", "Bearer anything")],
        b"",
    )
    .expect("response");
    assert_eq!(r.status, 200);

    let r = get(&server, "/v1/ws/unknown");
    assert_eq!((r.status, r.json()), (404, json!({"detail": "Not Found"})));
    let r = get(&server, "/nothing");
    assert_eq!(r.status, 404);
    let r = call(&server, "PATCH", &agents, Some(json!({})));
    assert_eq!(
        (r.status, r.json()),
        (405, json!({"detail": "Method Not Allowed"}))
    );
    assert_eq!(r.header("allow"), Some("GET, POST"));
}

// ---------------------------------------------------------------------------
// Common headers and recording
// ---------------------------------------------------------------------------

#[test]
fn request_ids_and_rate_limit_headers() {
    let server = MockServer::start();
    let mut ids = Vec::new();
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let r = get(&server, "/v1/ws/agents");
        ids.push(r.header("x-request-id").unwrap_or_default().to_owned());
        remaining.push(
            r.header("x-ratelimit-remaining")
                .unwrap_or_default()
                .to_owned(),
        );
        assert_eq!(r.header("x-ratelimit-limit"), Some("100"));
        let reset: u64 = r
            .header("x-ratelimit-reset")
            .and_then(|v| v.parse().ok())
            .expect("reset");
        assert!(reset > 1_700_000_000);
    }
    // Faulted and 404 responses carry them too.
    server.fault_all([Fault::status(500)]);
    let r = get(&server, "/nowhere");
    assert_eq!(r.status, 500);
    ids.push(r.header("x-request-id").unwrap_or_default().to_owned());
    remaining.push(
        r.header("x-ratelimit-remaining")
            .unwrap_or_default()
            .to_owned(),
    );
    assert_eq!(ids, ["req-1", "req-2", "req-3", "req-4"]);
    assert_eq!(remaining, ["99", "98", "97", "96"]);
}

#[test]
fn requests_are_recorded_in_order_with_headers_and_body() {
    let server = MockServer::start();
    let before = Instant::now();
    let r = raw(
        &server,
        "POST",
        &format!("/v1/{WS}/agents?x=1%202"),
        &[("Authorization", "Bearer k"), ("X-Custom", "yes")],
        br#"{"name":"a"}"#,
    )
    .expect("response");
    assert_eq!(r.status, 201);
    get(&server, "/v1/ws%20x/agents/a%2Fb");
    let recorded = server.requests();
    assert_eq!(recorded.len(), 2);
    let first = &recorded[0];
    assert_eq!(first.method, Method::POST);
    assert_eq!(first.path, format!("/v1/{WS}/agents"));
    assert_eq!(first.query.as_deref(), Some("x=1%202"));
    assert_eq!(first.uri(), format!("/v1/{WS}/agents?x=1%202"));
    assert_eq!(first.header("x-custom"), Some("yes"));
    assert_eq!(first.header("AUTHORIZATION"), Some("Bearer k"));
    assert_eq!(&first.body[..], br#"{"name":"a"}"#);
    assert_eq!(first.json(), Some(json!({"name": "a"})));
    assert!(first.received_at >= before);
    let second = &recorded[1];
    assert_eq!(second.method, Method::GET);
    assert_eq!(second.path, "/v1/ws%20x/agents/a%2Fb");
    assert_eq!(second.query, None);
    assert!(second.received_at >= first.received_at);
    server.clear_requests();
    assert!(server.requests().is_empty());
}

#[test]
fn keep_alive_connections_serve_several_requests() {
    let server = MockServer::start();
    let mut stream = connect(server.addr());
    for i in 1..=3 {
        let sent = Instant::now();
        write_request(
            &mut stream,
            "GET",
            "/v1/ws/calls",
            &[("Authorization", "Bearer k")],
            b"",
            false,
        );
        let r = read_response(&mut stream, sent).expect("response");
        assert_eq!(r.status, 200);
        assert_eq!(r.header("x-request-id"), Some(format!("req-{i}").as_str()));
    }
}

// ---------------------------------------------------------------------------
// Faults
// ---------------------------------------------------------------------------

#[test]
fn faults_pop_in_order_then_the_handler_answers() {
    let server = MockServer::start();
    server.seed_agents(WS, 2);
    server.fault(
        Method::GET,
        "/v1/{ws}/agents",
        [
            Fault::status(503).header("retry-after", "1"),
            Fault::status(503),
        ],
    );
    let path = format!("/v1/{WS}/agents");
    // Another method and another path are not affected.
    assert_eq!(
        call(&server, "POST", &path, Some(json!({"name": "x"}))).status,
        201
    );
    assert_eq!(get(&server, &format!("{path}/missing")).status, 404);

    let r = get(&server, &path);
    assert_eq!(r.status, 503);
    assert_eq!(r.status_line, "HTTP/1.1 503 Service Unavailable");
    assert_eq!(r.json(), json!({"detail": "Service Unavailable"}));
    assert_eq!(r.header("retry-after"), Some("1"));
    let r = get(&server, &path);
    assert_eq!((r.status, r.header("retry-after")), (503, None));
    let r = get(&server, &path);
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["total"], 3);

    // Exact paths work too, and faults answer before authentication.
    server.fault(Method::GET, "/v1/ws-9/calls", [Fault::status(429)]);
    let r = raw(&server, "GET", "/v1/ws-9/calls?limit=1", &[], b"").expect("response");
    assert_eq!(r.status, 429);
    let r = raw(&server, "GET", "/v1/ws-9/calls", &[], b"").expect("response");
    assert_eq!(r.status, 401);
}

#[test]
fn fault_modifiers_headers_body_and_content() {
    let server = MockServer::start();
    server.fault_all([
        Fault::status(500)
            .header("x-request-id", "custom")
            .header("x-multi", "a")
            .header("x-multi", "b")
            .without_header("x-ratelimit-limit"),
        Fault::status(400).json(json!({"detail": "bad", "error_code": "E1"})),
        Fault::status(502)
            .body("plain")
            .header("content-type", "text/plain"),
        Fault::malformed_json(200),
        Fault::html(502),
        Fault::oversized(413, 100_000),
        Fault::pass().header("x-ratelimit-remaining", "abc"),
        Fault::status(204),
    ]);
    let r = get(&server, "/a");
    assert_eq!(r.header("x-request-id"), Some("custom"));
    assert_eq!(r.header_all("x-multi"), ["a", "b"]);
    assert_eq!(r.header("x-ratelimit-limit"), None);
    assert!(r.header("x-ratelimit-remaining").is_some());
    let r = get(&server, "/b");
    assert_eq!(
        (r.status, r.json()["error_code"].clone()),
        (400, json!("E1"))
    );
    let r = get(&server, "/c");
    assert_eq!(
        (r.status, r.text(), r.header("content-type")),
        (502, "plain".into(), Some("text/plain"))
    );
    let r = get(&server, "/d");
    assert_eq!((r.status, r.text()), (200, "{\"items\": [".to_owned()));
    assert_eq!(r.header("content-type"), Some("application/json"));
    let r = get(&server, "/e");
    assert_eq!(r.header("content-type"), Some("text/html"));
    assert!(r.text().contains("502 Bad Gateway"));
    let r = get(&server, "/f");
    assert_eq!((r.status, r.body.len()), (413, 100_000));
    assert_eq!(r.header("content-length"), Some("100000"));
    let r = get(&server, "/v1/ws/agents");
    assert_eq!(
        (r.status, r.header("x-ratelimit-remaining")),
        (200, Some("abc"))
    );
    let r = get(&server, "/h");
    assert_eq!((r.status, r.body.len()), (204, 0));
    // The queue is empty again.
    assert_eq!(get(&server, "/i").status, 404);
}

#[test]
fn custom_reason_phrases_reach_the_status_line() {
    let server = MockServer::start();
    server.fault_all([
        Fault::status(503).reason("Try Later Please"),
        Fault::status(429).reason(""),
        Fault::pass().reason("Fine"),
    ]);
    assert_eq!(
        get(&server, "/").status_line,
        "HTTP/1.1 503 Try Later Please"
    );
    assert_eq!(get(&server, "/").status_line, "HTTP/1.1 429 ");
    let r = get(&server, "/v1/ws/agents");
    assert_eq!(
        (r.status_line.as_str(), r.status),
        ("HTTP/1.1 200 Fine", 200)
    );
}

#[test]
fn delay_holds_back_the_headers() {
    let server = MockServer::start();
    server.fault(
        Method::GET,
        "/v1/{ws}/calls",
        [Fault::pass().delay(Duration::from_millis(300))],
    );
    let r = get(&server, "/v1/ws/calls");
    assert_eq!(r.status, 200);
    assert!(
        r.head_after >= Duration::from_millis(300),
        "{:?}",
        r.head_after
    );
    let r = get(&server, "/v1/ws/calls");
    assert!(
        r.head_after < Duration::from_millis(300),
        "{:?}",
        r.head_after
    );
}

#[test]
fn stall_body_sends_a_prefix_then_waits() {
    let server = MockServer::start();
    server.fault_all([
        Fault::status(200)
            .json(json!({"detail": "0123456789abcdef"}))
            .stall_body(5, Duration::from_millis(300)),
        Fault::status(200).stall_body(0, Duration::from_millis(300)),
    ]);
    let r = get(&server, "/");
    assert!(r.complete);
    assert_eq!(r.json(), json!({"detail": "0123456789abcdef"}));
    assert!(
        r.head_after < Duration::from_millis(250),
        "{:?}",
        r.head_after
    );
    let first = r.first_body_after.expect("body");
    assert!(first < Duration::from_millis(250), "{first:?}");
    assert!(
        r.done_after >= Duration::from_millis(300),
        "{:?}",
        r.done_after
    );

    // With no prefix the headers still arrive before the pause.
    let r = get(&server, "/");
    assert!(r.complete);
    assert!(
        r.head_after < Duration::from_millis(250),
        "{:?}",
        r.head_after
    );
    assert!(
        r.done_after >= Duration::from_millis(300),
        "{:?}",
        r.done_after
    );
}

#[test]
fn reset_closes_without_a_response() {
    let server = MockServer::start();
    server.fault(Method::GET, "/v1/{ws}/agents", [Fault::reset()]);
    let mut stream = connect(server.addr());
    write_request(
        &mut stream,
        "GET",
        "/v1/ws/agents",
        &[("Authorization", "Bearer k")],
        b"",
        false,
    );
    let mut buf = Vec::new();
    match stream.read_to_end(&mut buf) {
        Ok(_) => assert!(buf.is_empty(), "got {:?}", String::from_utf8_lossy(&buf)),
        Err(e) => assert_eq!(e.kind(), io::ErrorKind::ConnectionReset, "{e}"),
    }
    // The request was still recorded, and the next one is answered.
    assert_eq!(server.requests().len(), 1);
    assert_eq!(get(&server, "/v1/ws/agents").status, 200);
}

#[test]
fn truncated_declares_more_than_it_sends() {
    let server = MockServer::start();
    server.fault_all([Fault::truncated(200, 100, r#"{"items": [1, 2"#)]);
    let r = get(&server, "/v1/ws/agents");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-length"), Some("100"));
    assert!(!r.complete);
    assert_eq!(r.text(), r#"{"items": [1, 2"#);
}

#[test]
fn hang_is_cut_short_when_the_server_is_dropped() {
    let server = MockServer::start();
    server.fault_all([Fault::hang()]);
    let mut stream = connect(server.addr());
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .expect("timeout");
    write_request(&mut stream, "GET", "/", &[], b"", false);
    let mut buf = [0u8; 16];
    let err = stream.read(&mut buf).expect_err("no answer expected");
    assert!(
        matches!(
            err.kind(),
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
        ),
        "{err}"
    );
    let started = Instant::now();
    drop(server);
    assert!(started.elapsed() < Duration::from_secs(2));
    stream.set_read_timeout(Some(IO_TIMEOUT)).expect("timeout");
    let n = stream.read(&mut buf).unwrap_or(0);
    assert_eq!(n, 0, "the connection closes when the server is dropped");
}

#[test]
fn dropping_the_server_frees_the_port() {
    let server = MockServer::start();
    let addr = server.addr();
    assert_eq!(
        server.base_url(),
        format!("http://127.0.0.1:{}", addr.port())
    );
    assert_eq!(
        server.url("/v1"),
        format!("http://127.0.0.1:{}/v1", addr.port())
    );
    drop(server);
    assert!(TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err());
}

#[tokio::test]
async fn works_inside_an_async_runtime() {
    let server = MockServer::start();
    server.seed_calls(WS, 3);
    let addr = server.addr();
    let r = tokio::task::spawn_blocking(move || {
        let mut stream = connect(addr);
        let sent = Instant::now();
        write_request(
            &mut stream,
            "GET",
            "/v1/ws-001/calls",
            &[("Authorization", "Bearer k")],
            b"",
            true,
        );
        read_response(&mut stream, sent)
    })
    .await
    .expect("join")
    .expect("response");
    assert_eq!(r.json()["total"], 3);
    drop(server);
}
