//! Streamed request bodies: replayable sources are resent, a one-shot source is never
//! retried once an attempt has taken it, and the error says why.

use super::*;
use crate::call::upload::Source;
use crate::error::NotRetried;

fn with_upload(method: Method, source: Source) -> PreparedRequest {
    let mut req = prepared(method, b"");
    req.upload = Some(Arc::from(vec![source]));
    req
}

fn run_upload(req: PreparedRequest, script: Vec<Reply>) -> Run<http::Response<Bytes>> {
    let cfg = config().retry_writes(true).build().unwrap();
    let d = Driver::new(script);
    let mut call = Call::new(req, &cfg, &RequestOptions::new(), 7, d.time()).with_random(fixed(0));
    d.drive(&mut call)
}

#[test]
fn a_file_body_is_sent_again_on_a_retry() {
    let r = run_upload(
        with_upload(Method::PUT, Source::file("/data/a.wav")),
        vec![status(503), status(200)],
    );
    assert!(r.result.is_ok(), "{:?}", r.result);
    assert_eq!(r.attempts(), 2);
}

#[test]
fn a_one_shot_body_is_not_retried_and_the_error_says_why() {
    let reader = Source::reader(std::io::Cursor::new(b"abc".to_vec()), Some(3));
    let r = run_upload(
        with_upload(Method::PUT, reader),
        vec![status(503), status(200)],
    );
    assert_eq!(r.attempts(), 1);
    let e = r.result.expect_err("503");
    assert_eq!(e.status(), Some(503));
    assert_eq!(e.not_retried(), Some(NotRetried::OneShotBody));
}

#[test]
fn a_one_shot_body_does_not_follow_a_307() {
    let reader = Source::reader(std::io::Cursor::new(b"abc".to_vec()), None);
    let r = run_upload(
        with_upload(Method::PUT, reader),
        vec![
            status_h(307, "location", "https://api.test/elsewhere"),
            status(200),
        ],
    );
    assert_eq!(r.attempts(), 1);
    let e = r.result.expect_err("307 not followed");
    assert_eq!(e.not_retried(), Some(NotRetried::OneShotBody));
}

#[test]
fn a_failure_that_is_never_retried_does_not_blame_the_body() {
    let reader = Source::reader(std::io::Cursor::new(b"abc".to_vec()), None);
    let r = run_upload(with_upload(Method::PUT, reader), vec![status(400)]);
    let e = r.result.expect_err("400");
    assert_eq!(e.not_retried(), None);
}

#[test]
fn progress_turns_a_buffered_body_into_an_observed_upload() {
    let cfg = config().build().unwrap();
    let opts = RequestOptions::new().on_upload_progress(|_| {});
    let d = Driver::new(vec![status(200)]);
    let mut call = Call::new(prepared(Method::POST, b"hello"), &cfg, &opts, 7, d.time());
    let Step::Send(a) = call.poll(d.time()) else {
        panic!("send")
    };
    assert!(format!("{a:?}").contains("upload: Some(1)"));
    let up = a.upload.expect("upload");
    assert!(a.request.body().is_empty());
    assert_eq!(up.known_len(), Some(5));
    assert!(up.progress.is_some());
}
