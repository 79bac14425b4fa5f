//! The core's option structs are `#[non_exhaustive]`: outside the crate they are built from
//! their defaults with setters, and every public field has one.

use amigo_platform_core::sse::SseOptions;
use amigo_platform_core::ws::{SendPolicy, WsDriverOptions, WsOptions};
use amigo_platform_core::{RetryOverride, RetryPolicy};
use std::time::Duration;

#[test]
fn retry_policy_setters_set_every_field() {
    let p = RetryPolicy::default()
        .max_attempts(5)
        .base_delay(Duration::from_millis(10))
        .max_delay(Duration::from_secs(2))
        .max_retry_after(Duration::from_secs(3))
        .retry_writes(true);
    assert_eq!(
        (
            p.max_attempts,
            p.base_delay,
            p.max_delay,
            p.max_retry_after,
            p.retry_writes
        ),
        (
            5,
            Duration::from_millis(10),
            Duration::from_secs(2),
            Duration::from_secs(3),
            true
        )
    );
}

#[test]
fn retry_override_setters_override_only_what_they_set() {
    let o = RetryOverride::default().max_attempts(9).retry_writes(true);
    let p = RetryPolicy::default().merged(&o);
    assert_eq!((p.max_attempts, p.retry_writes), (9, true));
    assert_eq!(p.base_delay, RetryPolicy::default().base_delay);
    let all = RetryOverride::default()
        .base_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(2))
        .max_retry_after(Duration::from_millis(3));
    let p = RetryPolicy::default().merged(&all);
    assert_eq!(
        (p.base_delay, p.max_delay, p.max_retry_after),
        (
            Duration::from_millis(1),
            Duration::from_millis(2),
            Duration::from_millis(3)
        )
    );
}

#[test]
fn ws_driver_options_setters_set_every_field() {
    let d = WsDriverOptions::default()
        .connect_timeout(Duration::from_secs(1))
        .close_grace(Duration::from_secs(2))
        .poll_interval(Duration::from_secs(3))
        .max_message_size(4)
        .max_frame_size(5)
        .send_timeout(Duration::from_secs(6))
        .max_queued_events(7);
    assert_eq!(
        (
            d.connect_timeout,
            d.close_grace,
            d.poll_interval,
            d.send_timeout
        ),
        (
            Duration::from_secs(1),
            Duration::from_secs(2),
            Duration::from_secs(3),
            Duration::from_secs(6)
        )
    );
    assert_eq!(
        (d.max_message_size, d.max_frame_size, d.max_queued_events),
        (4, 5, 7)
    );
}

#[test]
fn sse_options_setters_cover_healthy_after_and_base_url() {
    let o = SseOptions::new()
        .healthy_after(Duration::from_secs(5))
        .base_url("http://127.0.0.1:1");
    assert_eq!(o.healthy_after, Duration::from_secs(5));
    assert_eq!(o.base_url.as_deref(), Some("http://127.0.0.1:1"));
}

#[test]
fn ws_options_setters_set_every_field() {
    let o = WsOptions::default()
        .initial_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(2))
        .max_reconnects(None)
        .idle_timeout(Duration::ZERO)
        .send_policy(SendPolicy::Buffer(3));
    assert_eq!(
        (
            o.initial_delay,
            o.max_delay,
            o.max_reconnects,
            o.idle_timeout,
            o.send_policy
        ),
        (
            Duration::from_millis(1),
            Duration::from_millis(2),
            None,
            Duration::ZERO,
            SendPolicy::Buffer(3)
        )
    );
}
