//! Throughput of the SSE framing decoder on a realistic workspace stream:
//! 10,000 events of ~200-byte JSON data with ids, names and heartbeats,
//! fed in 4 KiB reads.

use std::time::Duration;

use amigo_platform_core::sse::{SseDecoder, SseItem};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

const EVENTS: usize = 10_000;
const READ: usize = 4096;

fn stream() -> Vec<u8> {
    let mut out = String::from("retry: 3000\n\nid: 0\nevent: stream.opened\ndata: {\"code\":\"ok\",\"connection_id\":\"c-1\",\"max_streams_per_workspace\":50}\n\n");
    let names = [
        "call.started",
        "pipeline.error",
        "call.ended",
        "message.created",
    ];
    for i in 0..EVENTS {
        let id = 1_700_000_000_000u64 + i as u64;
        out.push_str(&format!(
            "id: {id}\nevent: {}\ndata: {{\"call_id\":\"call_{i:08}\",\"workspace_id\":\"ws_2f9c1d7e\",\"direction\":\"inbound\",\"from\":\"+15551234567\",\"to\":\"+15557654321\",\"status\":\"in-progress\",\"agent\":\"Jos\u{e9}\",\"ts\":{id}}}\n\n",
            names[i % names.len()],
        ));
        if i % 100 == 99 {
            out.push_str(": heartbeat 1700000000\n\n");
        }
    }
    out.into_bytes()
}

fn decode(input: &[u8]) -> usize {
    let mut decoder = SseDecoder::new();
    let mut events = 0;
    for chunk in input.chunks(READ) {
        decoder.feed(chunk);
        while let Some(item) = decoder.next_frame() {
            if let Ok(SseItem::Event(event)) = item {
                black_box(&event);
                events += 1;
            }
        }
    }
    decoder.finish();
    events
}

fn bench(c: &mut Criterion) {
    let input = stream();
    assert_eq!(decode(&input), EVENTS + 1);
    let mut group = c.benchmark_group("sse_decoder");
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20);
    group.throughput(Throughput::Bytes(input.len() as u64));
    group.bench_function("10k_events_4KiB_reads/bytes", |b| {
        b.iter(|| decode(black_box(&input)))
    });
    group.throughput(Throughput::Elements((EVENTS + 1) as u64));
    group.bench_function("10k_events_4KiB_reads/events", |b| {
        b.iter(|| decode(black_box(&input)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
