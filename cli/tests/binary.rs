//! The built `amigo` binary end to end against the testkit's mock server: listings, bodies,
//! errors and their exit codes, retries, downloads, the event stream and webhooks.

mod support;

use amigo_platform_testkit::sse::StreamFault;
use amigo_platform_testkit::{Fault, MockServer};
use http::Method;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::time::{Duration, Instant};
use support::run::{amigo, command, finish, scratch, RUN_LIMIT};

fn json_lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

#[test]
fn list_all_prints_every_item_once_as_json_lines() {
    let server = MockServer::start();
    server.seed_agents(MockServer::WORKSPACE_ID, 25);
    let home = scratch("list-all");
    let run = amigo(
        Some(&server),
        &home,
        &[
            "agents", "list", "--all", "--limit", "10", "--fields", "id,name",
        ],
        b"",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let items = json_lines(&run.stdout);
    assert_eq!(items.len(), 25);
    let ids: HashSet<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 25);
    // --fields keeps only the chosen keys of each item.
    assert!(
        items.iter().all(|i| i.as_object().unwrap().len() == 2),
        "{}",
        run.stdout
    );
    let pages: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.method == Method::GET)
        .collect();
    assert_eq!(pages.len(), 3);
    assert!(pages[1]
        .query
        .as_deref()
        .unwrap_or("")
        .contains("continuation_token="));
}

#[test]
fn piped_output_is_compact_json() {
    let server = MockServer::start();
    server.seed_agents(MockServer::WORKSPACE_ID, 2);
    let home = scratch("compact");
    let run = amigo(
        Some(&server),
        &home,
        &["agents", "list", "--limit", "2"],
        b"",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.lines().len(), 1, "{}", run.stdout);
    let page: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
}

#[test]
fn create_sends_the_body_of_a_data_file() {
    let server = MockServer::start();
    let home = scratch("create");
    let file = home.join("agent.json");
    std::fs::write(
        &file,
        r#"{"name": "Front desk", "description": "greets callers"}"#,
    )
    .unwrap();
    let arg = format!("@{}", file.display());
    let run = amigo(
        Some(&server),
        &home,
        &["agents", "create", "--data", &arg],
        b"",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let created: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(created["name"], "Front desk");
    let post = server
        .requests()
        .into_iter()
        .find(|r| r.method == Method::POST)
        .unwrap();
    assert_eq!(
        post.json().unwrap(),
        json!({"name": "Front desk", "description": "greets callers"})
    );
    assert_eq!(post.header("content-type"), Some("application/json"));
}

#[test]
fn create_reads_the_body_from_stdin() {
    let server = MockServer::start();
    let home = scratch("stdin");
    let run = amigo(
        Some(&server),
        &home,
        &["agents", "create", "--data", "-"],
        br#"{"name": "From stdin"}"#,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        serde_json::from_str::<Value>(&run.stdout).unwrap()["name"],
        "From stdin"
    );
}

#[test]
fn not_found_exits_4_with_the_message_and_request_id() {
    let server = MockServer::start();
    let home = scratch("404");
    let run = amigo(
        Some(&server),
        &home,
        &["agents", "get", "no-such-agent"],
        b"",
    );
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr
            .starts_with("error: NotFound (HTTP 404): Agent not found\n"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("  request id: req-1\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn validation_error_exits_5_with_each_issue() {
    let server = MockServer::start();
    let home = scratch("422");
    let run = amigo(
        Some(&server),
        &home,
        &["agents", "create", "--data", r#"{"name": ""}"#],
        b"",
    );
    assert_eq!(run.code, 5, "{}", run.stderr);
    assert!(
        run.stderr.starts_with("error: Validation (HTTP 422): "),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("  invalid: body.name: "),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("  request id: req-"), "{}", run.stderr);
}

#[test]
fn a_bad_flag_value_is_a_usage_error() {
    let home = scratch("usage");
    let run = amigo(None, &home, &["agents", "list", "--limit", "50"], b"");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("must be at most 20"), "{}", run.stderr);
    let run = amigo(None, &home, &["agents", "frobnicate"], b"");
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn missing_credentials_exit_3() {
    let home = scratch("no-creds");
    let run = amigo(None, &home, &["agents", "list"], b"");
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("AMIGO_API_KEY"), "{}", run.stderr);
}

#[test]
fn verbose_shows_a_retried_503() {
    let server = MockServer::start();
    server.seed_agents(MockServer::WORKSPACE_ID, 1);
    server.fault(Method::GET, "/v1/{ws}/agents", [Fault::status(503)]);
    let home = scratch("retry");
    let run = amigo(Some(&server), &home, &["--verbose", "agents", "list"], b"");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stderr.lines().collect();
    let url = format!(
        "{}/v1/{}/agents",
        server.base_url(),
        MockServer::WORKSPACE_ID
    );
    assert_eq!(
        lines[0],
        format!("> GET {url} (attempt 1/3)"),
        "{}",
        run.stderr
    );
    assert!(
        lines[1].starts_with("< 503 Service Unavailable in ")
            && lines[1].contains(", retrying in "),
        "{}",
        run.stderr
    );
    assert_eq!(
        lines[2],
        format!("> GET {url} (attempt 2/3)"),
        "{}",
        run.stderr
    );
    assert!(lines[3].starts_with("< 200 OK in "), "{}", run.stderr);
    assert!(!run.stderr.contains(MockServer::API_KEY));
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn server_errors_exit_7_after_the_retries() {
    let server = MockServer::start();
    server.fault(
        Method::GET,
        "/v1/{ws}/agents",
        [Fault::status(500), Fault::status(500)],
    );
    let home = scratch("500");
    let run = amigo(
        Some(&server),
        &home,
        &["agents", "list", "--retries", "1"],
        b"",
    );
    assert_eq!(run.code, 7, "{}", run.stderr);
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn download_writes_the_bytes_to_the_output_file() {
    let server = MockServer::start();
    let audio: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    server.fault(
        Method::GET,
        "/v1/{ws}/recordings/{call_sid}/download/{filename}",
        [Fault::status(200)
            .body(audio.clone())
            .header("content-type", "audio/wav")],
    );
    let home = scratch("download");
    let out = home.join("call.wav");
    let out_arg = out.display().to_string();
    let run = amigo(
        Some(&server),
        &home,
        &[
            "recordings",
            "download",
            "CA123",
            "call.wav",
            "--output",
            &out_arg,
        ],
        b"",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(std::fs::read(&out).unwrap(), audio);
    let req = &server.requests()[0];
    assert_eq!(
        req.path,
        format!(
            "/v1/{}/recordings/CA123/download/call.wav",
            MockServer::WORKSPACE_ID
        )
    );
    assert_eq!(req.header("accept"), Some("*/*"));
}

#[test]
fn events_tail_delivers_every_event_once_across_dropped_connections() {
    let server = MockServer::start();
    // The first connection drops in the middle of its third event, the second after two.
    server.sse_fault([StreamFault::DropMidEvent(2), StreamFault::DropAfter(2)]);
    let home = scratch("tail");
    let child = command(
        Some(&server),
        &home,
        &["events", "tail", "--max-events", "6", "--for", "50s"],
    )
    .spawn()
    .expect("spawn amigo");
    let start = Instant::now();
    while server.sse_connections() == 0 {
        assert!(start.elapsed() < RUN_LIMIT, "amigo never connected");
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut published = Vec::new();
    for i in 0..6 {
        let data = json!({"call_sid": format!("CA{i}"), "direction": "inbound"});
        published.push(server.publish_event(MockServer::WORKSPACE_ID, "call.started", data));
        std::thread::sleep(Duration::from_millis(300));
    }
    let run = finish(child, RUN_LIMIT);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let events = json_lines(&run.stdout);
    let ids: Vec<&str> = events.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids, published, "{}", run.stdout);
    assert!(events.iter().all(|e| e["type"] == "call.started"));
    assert_eq!(events[3]["data"]["call_sid"], "CA3");
    assert!(
        server.sse_connections() >= 3,
        "{}",
        server.sse_connections()
    );
}

#[test]
fn webhook_verify_accepts_a_good_delivery_and_refuses_a_tampered_one() {
    let home = scratch("verify");
    let secret = "whsec_test";
    let body = br#"{"id":"evt_1","type":"call.completed","data":{}}"#;
    let ts = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string();
    let sig = amigo_platform_core::webhook::sign(secret, &ts, body);
    let args = [
        "webhook",
        "verify",
        "--secret",
        secret,
        "--timestamp",
        &ts,
        "--signature",
        &sig,
    ];
    let good = amigo(None, &home, &args, body);
    assert_eq!(good.code, 0, "{}", good.stderr);
    let tampered = amigo(
        None,
        &home,
        &args,
        br#"{"id":"evt_1","type":"call.completed","data":{"x":1}}"#,
    );
    assert_eq!(tampered.code, 9, "{}", tampered.stderr);
    assert!(tampered.stderr.contains("signature"), "{}", tampered.stderr);
    assert!(!tampered.stderr.contains(secret));
    let stale = amigo(
        None,
        &home,
        &[
            "webhook",
            "verify",
            "--secret",
            secret,
            "--timestamp",
            "1000",
            "--signature",
            &amigo_platform_core::webhook::sign(secret, "1000", body),
        ],
        body,
    );
    assert_eq!(stale.code, 9, "{}", stale.stderr);
}

#[test]
fn webhook_listen_prints_verified_deliveries_and_refuses_others() {
    let home = scratch("listen");
    let secret = "whsec_listen";
    let mut child = command(
        None,
        &home,
        &[
            "webhook",
            "listen",
            "--port",
            "0",
            "--secret",
            secret,
            "--max-deliveries",
            "2",
        ],
    )
    .spawn()
    .expect("spawn amigo");
    // The first stderr line names the address.
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    std::io::BufRead::read_line(&mut err, &mut first).unwrap();
    let url = first
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_owned();
    let sender = amigo_platform_testkit::identity::WebhookSender::new(secret);
    assert_eq!(
        sender
            .send(&url, "call.completed", json!({"call_sid": "CA1"}))
            .unwrap(),
        200
    );
    let forged = amigo_platform_testkit::identity::WebhookSender::new("another-secret");
    assert_eq!(forged.send(&url, "call.completed", json!({})).unwrap(), 400);
    let run = finish(child, RUN_LIMIT);
    assert_eq!(run.code, 0);
    let events = json_lines(&run.stdout);
    assert_eq!(events.len(), 1, "{}", run.stdout);
    assert_eq!(events[0]["type"], "call.completed");
    assert_eq!(events[0]["data"]["call_sid"], "CA1");
}

#[test]
fn help_version_and_completions() {
    let home = scratch("help");
    let help = amigo(None, &home, &["--help"], b"");
    assert_eq!(help.code, 0);
    assert!(
        help.stdout.contains("Exit codes:\n  0  success"),
        "{}",
        help.stdout
    );
    let version = amigo(None, &home, &["--version"], b"");
    assert_eq!(
        version.stdout.trim(),
        format!("amigo {}", env!("CARGO_PKG_VERSION"))
    );
    let sub = amigo(None, &home, &["agents", "list", "--help"], b"");
    assert!(
        sub.stdout.contains("--limit <INT>") && sub.stdout.contains("maximum 20"),
        "{}",
        sub.stdout
    );
    for shell in ["bash", "zsh", "fish"] {
        let c = amigo(None, &home, &["completions", shell], b"");
        assert_eq!(c.code, 0, "{shell}: {}", c.stderr);
        assert!(c.stdout.contains("agents"), "{shell}");
    }
}

#[test]
fn public_routes_need_no_credentials_and_verbose_redacts_their_tokens() {
    let server = MockServer::start();
    let home = scratch("public");
    let child = command(
        None,
        &home,
        &[
            "--verbose",
            "surface-patient",
            "get-availability",
            "tok-SECRET-123",
        ],
    )
    .env("AMIGO_BASE_URL", server.base_url())
    .spawn()
    .expect("spawn amigo");
    let run = finish(child, RUN_LIMIT);
    // The mock has no surface routes: a 404, reached without any credentials.
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(
        run.stderr.contains("/s/[REDACTED]/availability"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("SECRET"), "{}", run.stderr);
    let req = &server.requests()[0];
    assert_eq!(req.path, "/s/tok-SECRET-123/availability");
    assert_eq!(req.header("authorization"), None);
}

#[test]
fn ctrl_c_ends_events_tail_cleanly() {
    let server = MockServer::start();
    let home = scratch("ctrl-c");
    let child = command(Some(&server), &home, &["events", "tail"])
        .spawn()
        .expect("spawn amigo");
    let start = Instant::now();
    while server.sse_connections() == 0 {
        assert!(start.elapsed() < RUN_LIMIT, "amigo never connected");
        std::thread::sleep(Duration::from_millis(20));
    }
    server.publish_event(
        MockServer::WORKSPACE_ID,
        "call.started",
        json!({"call_sid": "CA1"}),
    );
    std::thread::sleep(Duration::from_millis(200));
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(sent.success());
    let run = finish(child, RUN_LIMIT);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(json_lines(&run.stdout).len(), 1, "{}", run.stdout);
}

#[test]
fn rate_limits_exit_6_and_network_failures_exit_8() {
    let server = MockServer::start();
    server.fault(
        Method::GET,
        "/v1/{ws}/agents",
        [Fault::status(429).header("retry-after", "120")],
    );
    let home = scratch("429");
    let limited = amigo(Some(&server), &home, &["agents", "list"], b"");
    assert_eq!(limited.code, 6, "{}", limited.stderr);
    assert!(
        limited.stderr.contains("  retry after: 120.0s\n"),
        "{}",
        limited.stderr
    );

    // Nothing listens on the server's port once it is dropped.
    let url = server.base_url();
    drop(server);
    let child = command(None, &home, &["agents", "list", "--retries", "0"])
        .env("AMIGO_API_KEY", MockServer::API_KEY)
        .env("AMIGO_WORKSPACE_ID", MockServer::WORKSPACE_ID)
        .env("AMIGO_BASE_URL", url)
        .spawn()
        .expect("spawn amigo");
    let down = finish(child, RUN_LIMIT);
    assert_eq!(down.code, 8, "{}", down.stderr);
    assert!(
        down.stderr.starts_with("error: Network: "),
        "{}",
        down.stderr
    );
}

#[test]
fn bodies_that_are_not_json_or_do_not_fit_the_model_are_refused_before_sending() {
    let server = MockServer::start();
    let home = scratch("model");
    for (data, want) in [
        ("{name", "error: validation: --data is not a valid CreateAgentRequest: "),
        (
            r#"{"name": 5}"#,
            "error: validation: --data is not a valid CreateAgentRequest: `name`: invalid type: integer `5`",
        ),
        ("{}", "error: validation: --data is not a valid CreateAgentRequest: missing field `name`"),
    ] {
        let run = amigo(Some(&server), &home, &["agents", "create", "--data", data], b"");
        assert_eq!(run.code, 5, "{data}: {}", run.stderr);
        assert!(run.stderr.starts_with(want), "{data}: {}", run.stderr);
    }
    assert!(server.requests().is_empty());
}

#[test]
fn a_large_download_streams_to_the_output_file() {
    let server = MockServer::start();
    let home = scratch("large-download");
    let out = home.join("rec.wav");
    let out_arg = out.display().to_string();
    let run = amigo(
        Some(&server),
        &home,
        &[
            "recordings",
            "download",
            "CA1",
            "rec-3000000.wav",
            "--output",
            &out_arg,
        ],
        b"",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let got = std::fs::read(&out).unwrap();
    assert_eq!(got.len(), 3_000_000);
    assert!(got
        .iter()
        .enumerate()
        .all(|(i, b)| *b == amigo_platform_testkit::download_byte(i as u64)));
    assert!(!home.join("rec.wav.part").exists());
}

#[test]
fn a_download_cut_short_leaves_no_file_and_exits_8() {
    let server = MockServer::start();
    server.fault(
        Method::GET,
        "/v1/{ws}/recordings/{call_sid}/download/{filename}",
        [Fault::pass().drop_body_after(100_000)],
    );
    let home = scratch("cut-download");
    let out = home.join("rec.wav");
    let out_arg = out.display().to_string();
    let run = amigo(
        Some(&server),
        &home,
        &[
            "recordings",
            "download",
            "CA1",
            "rec-1000000.wav",
            "--output",
            &out_arg,
        ],
        b"",
    );
    assert_eq!(run.code, 8, "{}", run.stderr);
    assert!(!out.exists());
    assert!(!home.join("rec.wav.part").exists());
}

#[test]
fn a_multipart_upload_streams_the_file_given_by_path() {
    let server = MockServer::start();
    server.fault(
        Method::POST,
        "/v1/{ws}/voiceprints/enroll",
        [Fault::status(200).json(json!({}))],
    );
    let home = scratch("upload");
    let audio: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
    let file = home.join("voice.wav");
    std::fs::write(&file, &audio).unwrap();
    let arg = file.display().to_string();
    let run = amigo(
        Some(&server),
        &home,
        &[
            "voiceprints",
            "enroll",
            "--audio",
            &arg,
            "--entity-id",
            "e-1",
        ],
        b"",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let req = &server.requests()[0];
    assert!(req
        .header("content-type")
        .unwrap()
        .starts_with("multipart/form-data; boundary="));
    // The mock records a multipart body as a summary of its parts.
    let parts = req.json().unwrap()["parts"].clone();
    let want_sha = {
        use sha2::Digest as _;
        sha2::Sha256::digest(&audio)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    assert_eq!(parts[0]["name"], "audio");
    assert_eq!(parts[0]["filename"], "voice.wav");
    assert_eq!(parts[0]["content_type"], "audio/wav");
    assert_eq!(parts[0]["size"], 300_000);
    assert_eq!(parts[0]["sha256"], want_sha);
    assert_eq!(parts[1]["name"], "entity_id");
    let missing = amigo(
        Some(&server),
        &home,
        &[
            "voiceprints",
            "enroll",
            "--audio",
            "/no/such.wav",
            "--entity-id",
            "e-1",
        ],
        b"",
    );
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    assert!(
        missing.stderr.starts_with("error: --audio: /no/such.wav: "),
        "{}",
        missing.stderr
    );
}
