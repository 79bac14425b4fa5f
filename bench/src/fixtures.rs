//! The bytes every figure works on: the agents page, the webhook delivery and the SSE stream.
//!
//! The agents page is shaped like the generated `Page<AgentResponse>` (every required field of
//! `AgentResponse`, plus `latest_version`), so both sides of a figure decode the same bytes
//! into the SDK's own generated type.

use amigo_platform_api::models::{AgentResponse, Page};
use bytes::Bytes;
use std::fmt::Write as _;

/// The API key both sides send (`Authorization: Bearer ..`).
pub const API_KEY: &str = "sk-bench-0123456789abcdef";

/// The workspace whose agents listing is the fixed 20-agent page.
pub const FIXED_WORKSPACE: &str = "ws-bench";

/// Workspaces named `paged-<N>` list `N` generated agents, paged by `continuation_token`.
pub const PAGED_PREFIX: &str = "paged-";

/// Items per page: the spec's maximum `limit` for `list-agents`.
pub const PAGE_SIZE: usize = 20;

/// The `workspace_id` written into every agent.
const WORKSPACE_UUID: &str = "7d0e4b52-1c3a-4e8f-9a61-2b5c8d9e0f13";

/// The agent descriptions cycle through these (realistic lengths, one non-ASCII character).
const DESCRIPTIONS: [&str; 4] = [
    "Answers inbound calls for the clinic front desk: books and moves appointments, verifies identity.",
    "Outbound reminder calls the day before a visit; confirms, reschedules or cancels with the patient.",
    "Triage line after hours: collects symptoms, escalates urgent cases to the on-call nurse at once.",
    "Billing questions: explains statements, takes card payments and sets up plans for Jos\u{e9} and others.",
];

/// Appends agent number `i` as JSON (about 350 bytes).
pub fn write_agent(out: &mut String, i: u64) {
    let _ = write!(
        out,
        concat!(
            r#"{{"id":"3f2a1c9e-{:04x}-4{:03x}-8000-{:012x}","workspace_id":"{}","#,
            r#""name":"Front desk agent {}","description":"{}","latest_version":{},"#,
            r#""created_at":"2024-11-05T14:23:{:02}.482913Z","updated_at":"2025-01-17T09:41:{:02}.120044Z"}}"#
        ),
        (i >> 32) & 0xffff,
        (i >> 20) & 0xfff,
        i & 0xffff_ffff_ffff,
        WORKSPACE_UUID,
        i,
        DESCRIPTIONS[(i % 4) as usize],
        i % 7 + 1,
        i % 60,
        (i + 17) % 60,
    );
}

/// A token page of agents `start..end` with its `has_more`, `continuation_token` and `total`.
pub fn agents_page(start: u64, end: u64, total: u64) -> Vec<u8> {
    let mut out = String::with_capacity(((end - start.min(end)) as usize + 1) * 400);
    out.push_str(r#"{"items":["#);
    for i in start..end {
        if i > start {
            out.push(',');
        }
        write_agent(&mut out, i);
    }
    let has_more = end < total;
    let _ = write!(out, r#"],"has_more":{has_more},"continuation_token":"#);
    if has_more {
        let _ = write!(out, "{end}");
    } else {
        out.push_str("null");
    }
    let _ = write!(out, r#","total":{total}}}"#);
    out.into_bytes()
}

/// The fixed page the HTTP figures fetch: the first 20 of 240 agents (about 7 KB).
pub fn fixed_page() -> Bytes {
    Bytes::from(agents_page(0, PAGE_SIZE as u64, 240))
}

/// Checks that a decoded page holds a full page of agents.
pub fn check_page(page: &Page<AgentResponse>) -> Result<(), String> {
    if page.items.len() == PAGE_SIZE {
        Ok(())
    } else {
        Err(format!(
            "expected {PAGE_SIZE} agents, got {}",
            page.items.len()
        ))
    }
}

/// The webhook secret.
pub const WEBHOOK_SECRET: &str = "whsec_bench_secret";

/// The webhook timestamp header value.
pub const WEBHOOK_TS: &str = "1700000000";

/// A 1 KiB JSON webhook delivery body.
pub fn webhook_body_1k() -> Vec<u8> {
    let mut body = br#"{"id":"evt_bench","type":"call.completed","data":{"pad":""#.to_vec();
    body.resize(1024 - 3, b'x');
    body.extend_from_slice(b"\"}}");
    body
}

/// Events in the SSE stream (plus one `stream.opened` event).
pub const SSE_EVENTS: usize = 10_000;

/// A realistic workspace event stream: 10,000 events of ~200-byte JSON data with ids, names
/// and a heartbeat comment every 100 events.
pub fn sse_stream() -> Vec<u8> {
    let mut out = String::from(
        "retry: 3000\n\nid: 0\nevent: stream.opened\ndata: {\"code\":\"ok\",\"connection_id\":\"c-1\",\"max_streams_per_workspace\":50}\n\n",
    );
    let names = [
        "call.started",
        "pipeline.error",
        "call.ended",
        "message.created",
    ];
    for i in 0..SSE_EVENTS {
        let id = 1_700_000_000_000u64 + i as u64;
        let _ = write!(
            out,
            "id: {id}\nevent: {}\ndata: {{\"call_id\":\"call_{i:08}\",\"workspace_id\":\"ws_2f9c1d7e\",\"direction\":\"inbound\",\"from\":\"+15551234567\",\"to\":\"+15557654321\",\"status\":\"in-progress\",\"agent\":\"Jos\u{e9}\",\"ts\":{id}}}\n\n",
            names[i % names.len()],
        );
        if i % 100 == 99 {
            out.push_str(": heartbeat 1700000000\n\n");
        }
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_page_is_about_7_kb_and_decodes_into_the_generated_type() {
        let page = fixed_page();
        assert!(
            (6_500..7_600).contains(&page.len()),
            "page is {} bytes",
            page.len()
        );
        let decoded: Page<AgentResponse> = serde_json::from_slice(&page).expect("decodes");
        assert_eq!(check_page(&decoded), Ok(()));
        assert!(decoded.has_more);
        assert_eq!(decoded.continuation_token, Some(20));
        assert_eq!(decoded.total, Some(240));
        assert_eq!(decoded.items[3].name, "Front desk agent 3");
    }

    #[test]
    fn last_page_ends_the_listing() {
        let decoded: Page<AgentResponse> =
            serde_json::from_slice(&agents_page(980, 1000, 1000)).expect("decodes");
        assert_eq!(decoded.items.len(), 20);
        assert!(!decoded.has_more);
        assert_eq!(decoded.continuation_token, None);
    }

    #[test]
    fn webhook_body_is_1_kib() {
        assert_eq!(webhook_body_1k().len(), 1024);
    }
}
