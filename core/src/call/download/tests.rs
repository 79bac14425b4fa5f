//! Fake-clock tests of the download machine, driven step by step by hand.

use super::*;
use crate::call::options::RequestOptions;
use crate::call::test_ops::GetAgent;
use crate::config::Config;
use crate::error::ErrorKind;
use std::sync::Arc;
use web_time::SystemTime;

fn time_at(base: Instant, offset: Duration) -> Time {
    Time {
        now: base + offset,
        wall: web_time::UNIX_EPOCH + Duration::from_secs(1_700_000_000) + offset,
    }
}

fn download(options: RequestOptions) -> DownloadCall {
    let config = Config::builder()
        .api_key("sk-live-secret-0123")
        .workspace_id("ws-001")
        .base_url("https://api.test")
        .build()
        .expect("config");
    let ctx = CallContext {
        op: GetAgent {
            agent_id: "a1".to_owned(),
        },
        config: Arc::new(config),
        options,
        base_url: None,
    };
    let now = Time {
        now: Instant::now(),
        wall: SystemTime::now(),
    };
    DownloadCall::from_context(ctx, DownloadOptions::new(), 7, now)
}

fn head(status: u16, length: Option<u64>) -> http::response::Parts {
    let mut builder = http::Response::builder()
        .status(status)
        .header("content-type", "audio/wav");
    if let Some(n) = length {
        builder = builder.header("content-length", n);
    }
    builder.body(()).expect("head").into_parts().0
}

/// Sends, answers with a kept 2xx head of `length`, and checks the head item.
fn started(d: &mut DownloadCall, t: Time, length: Option<u64>) {
    match d.poll(t) {
        Step::Send(attempt) => assert_eq!(attempt.keep, KeepBody::Success),
        other => panic!("expected a send, got {other:?}"),
    }
    d.handle_head(head(200, length), t);
    match d.poll(t) {
        Step::Item(DownloadItem::Head(h)) => {
            assert_eq!(h.content_length, length);
            assert_eq!(h.content_type.as_deref(), Some("audio/wav"));
        }
        other => panic!("expected the head, got {other:?}"),
    }
}

fn expect_read(d: &mut DownloadCall, t: Time) -> Option<Instant> {
    match d.poll(t) {
        Step::Read(until) => until,
        other => panic!("expected a read, got {other:?}"),
    }
}

#[test]
fn a_kept_body_is_handed_out_chunk_by_chunk_then_ends() {
    let base = Instant::now();
    let t = time_at(base, Duration::ZERO);
    let mut d = download(RequestOptions::default());
    started(&mut d, t, Some(6));
    assert_eq!(expect_read(&mut d, t), Some(base + DEFAULT_READ_TIMEOUT));
    for part in ["abc", "def"] {
        d.handle_data(Bytes::from(part), t);
        match d.poll(t) {
            Step::Item(DownloadItem::Chunk(c)) => assert_eq!(c, part),
            other => panic!("expected a chunk, got {other:?}"),
        }
        expect_read(&mut d, t);
    }
    d.handle_eof(t);
    assert!(matches!(d.poll(t), Step::Done(Ok(()))));
}

#[test]
fn a_read_failure_after_the_head_ends_it_without_a_retry() {
    let t = time_at(Instant::now(), Duration::ZERO);
    let mut d = download(RequestOptions::default());
    started(&mut d, t, None);
    expect_read(&mut d, t);
    d.handle_read_error(
        Error::network(TransportErrorKind::ConnectionReset, "reset"),
        t,
    );
    match d.poll(t) {
        Step::Done(Err(e)) => assert_eq!(e.kind(), ErrorKind::Network),
        other => panic!("expected the failure, got {other:?}"),
    }
}

#[test]
fn a_body_shorter_than_its_length_is_a_network_error() {
    let t = time_at(Instant::now(), Duration::ZERO);
    let mut d = download(RequestOptions::default());
    started(&mut d, t, Some(10));
    expect_read(&mut d, t);
    d.handle_data(Bytes::from_static(b"abc"), t);
    assert!(matches!(d.poll(t), Step::Item(DownloadItem::Chunk(_))));
    expect_read(&mut d, t);
    d.handle_eof(t);
    match d.poll(t) {
        Step::Done(Err(e)) => {
            assert_eq!(e.kind(), ErrorKind::Network);
            assert_eq!(
                e.transport_kind(),
                Some(TransportErrorKind::ConnectionReset)
            );
        }
        other => panic!("expected the failure, got {other:?}"),
    }
}

#[test]
fn a_silent_body_times_out_after_the_read_timeout() {
    let base = Instant::now();
    let mut d = download(RequestOptions::default());
    started(&mut d, time_at(base, Duration::ZERO), None);
    let until = expect_read(&mut d, time_at(base, Duration::ZERO)).expect("a read deadline");
    // Nothing arrived by the deadline: the driver polls again at that instant.
    match d.poll(time_at(base, until - base)) {
        Step::Done(Err(e)) => {
            assert_eq!(e.kind(), ErrorKind::Timeout);
            assert_eq!(
                e.timeout_info(),
                Some((DEFAULT_READ_TIMEOUT, TimeoutScope::Attempt))
            );
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
}

#[test]
fn cancelling_while_reading_ends_it_cancelled() {
    let token = CancelToken::new();
    let t = time_at(Instant::now(), Duration::ZERO);
    let mut d = download(RequestOptions::default().cancel_token(token.clone()));
    started(&mut d, t, None);
    expect_read(&mut d, t);
    token.cancel();
    match d.poll(t) {
        Step::Done(Err(e)) => assert_eq!(e.kind(), ErrorKind::Cancelled),
        other => panic!("expected a cancellation, got {other:?}"),
    }
}

#[test]
fn a_body_the_transport_buffered_is_handed_out_whole() {
    let t = time_at(Instant::now(), Duration::ZERO);
    let mut d = download(RequestOptions::default());
    assert!(matches!(d.poll(t), Step::Send(_)));
    let parts = head(200, Some(5));
    d.handle_outcome(
        AttemptOutcome::Response(http::Response::from_parts(parts, Bytes::from("hello"))),
        t,
    );
    assert!(matches!(d.poll(t), Step::Item(DownloadItem::Head(_))));
    match d.poll(t) {
        Step::Item(DownloadItem::Chunk(c)) => assert_eq!(c, "hello"),
        other => panic!("expected the body, got {other:?}"),
    }
    assert!(matches!(d.poll(t), Step::Done(Ok(()))));
}

#[test]
fn an_error_status_is_the_calls_http_error() {
    let t = time_at(Instant::now(), Duration::ZERO);
    let mut d = download(RequestOptions::default());
    assert!(matches!(d.poll(t), Step::Send(_)));
    let parts = head(404, None);
    d.handle_outcome(
        AttemptOutcome::Response(http::Response::from_parts(
            parts,
            Bytes::from(r#"{"detail":"Recording not found"}"#),
        )),
        t,
    );
    match d.poll(t) {
        Step::Done(Err(e)) => {
            assert_eq!(e.kind(), ErrorKind::NotFound);
            assert_eq!(e.detail(), Some("Recording not found"));
        }
        other => panic!("expected the 404, got {other:?}"),
    }
}
