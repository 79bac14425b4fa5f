//! With feature `tracing`: one call span, one child span per attempt, no header values.

use crate::call::retry::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

#[derive(Default)]
struct Spans {
    next: AtomicU64,
    /// (id, name, parent id, recorded "field=value" strings)
    spans: Mutex<Vec<(u64, String, Option<u64>, Vec<String>)>>,
}

struct Fields<'a>(&'a mut Vec<String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push(format!("{}={:?}", field.name(), value));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push(format!("{}={}", field.name(), value));
    }
}

#[derive(Clone, Default)]
struct Recorder(Arc<Spans>);

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let id = self.0.next.fetch_add(1, Ordering::SeqCst) + 1;
        let mut fields = Vec::new();
        attrs.record(&mut Fields(&mut fields));
        let parent = attrs.parent().map(Id::into_u64);
        self.0
            .spans
            .lock()
            .unwrap()
            .push((id, attrs.metadata().name().to_owned(), parent, fields));
        Id::from_u64(id)
    }
    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut spans = self.0.spans.lock().unwrap();
        if let Some(s) = spans.iter_mut().find(|s| s.0 == span.into_u64()) {
            values.record(&mut Fields(&mut s.3));
        }
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, _: &Event<'_>) {}
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[test]
fn one_call_span_and_one_child_per_attempt() {
    let rec = Recorder::default();
    let spans = rec.0.clone();
    tracing::subscriber::with_default(rec, || {
        let config = Config::builder()
            .api_key("sk-secret")
            .workspace_id("ws")
            .build()
            .unwrap();
        let op = crate::call::test_ops::GetAgent {
            agent_id: "a".into(),
        };
        let base = Instant::now();
        let t = |ms: u64| Time {
            now: base + Duration::from_millis(ms),
            wall: web_time::UNIX_EPOCH,
        };
        let mut call = OperationCall::new(op, &config, &RequestOptions::new(), None, 1, t(0));
        let mut clock = 0;
        for _ in 0..10 {
            match call.poll(t(clock)) {
                Step::Send(a) => {
                    let status = if a.number == 1 { 503 } else { 404 };
                    let resp = http::Response::builder()
                        .status(status)
                        .header("x-request-id", "req-1")
                        .body(Bytes::new())
                        .unwrap();
                    call.handle_outcome(AttemptOutcome::Response(resp), t(clock));
                }
                Step::Wait(_) => clock += 1000,
                Step::Done(_) => break,
                Step::Refresh(_) | Step::Read(_) => {
                    panic!("an API key call neither refreshes nor streams")
                }
            }
        }
    });
    let spans = spans.spans.lock().unwrap();
    let calls: Vec<_> = spans.iter().filter(|s| s.1 == "amigo.call").collect();
    assert_eq!(calls.len(), 1);
    let call_id = calls[0].0;
    let attempts: Vec<_> = spans.iter().filter(|s| s.1 == "amigo.attempt").collect();
    assert_eq!(attempts.len(), 2);
    assert!(attempts.iter().all(|s| s.2 == Some(call_id)));
    assert!(attempts[0].3.contains(&"attempt=1".to_owned()));
    assert!(attempts[0].3.contains(&"decision=retry".to_owned()));
    assert!(attempts[1].3.contains(&"status=404".to_owned()));
    assert!(attempts[1].3.contains(&"decision=return".to_owned()));
    let all = format!("{spans:?}");
    assert!(
        !all.contains("sk-secret") && !all.contains("Bearer"),
        "{all}"
    );
}
