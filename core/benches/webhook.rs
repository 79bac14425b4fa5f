//! Webhook verification cost: `Verifier::verify` on a 1 KiB body versus the raw
//! HMAC-SHA256 of the same signed message.

use amigo_platform_core::webhook::{sign, Verifier, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::hint::black_box;
use std::time::Duration;
use web_time::UNIX_EPOCH;

const SECRET: &str = "whsec_bench_secret";
const TS: &str = "1700000000";

fn body_1k() -> Vec<u8> {
    let mut body = br#"{"id":"evt_bench","type":"call.completed","data":{"pad":""#.to_vec();
    body.resize(1024 - 3, b'x');
    body.extend_from_slice(b"\"}}");
    body
}

fn bench(c: &mut Criterion) {
    let body = body_1k();
    assert_eq!(body.len(), 1024);
    let mut headers = http::HeaderMap::new();
    let signature = sign(SECRET, TS, &body);
    headers.insert(
        SIGNATURE_HEADER,
        signature.parse().expect("valid header value"),
    );
    headers.insert(TIMESTAMP_HEADER, TS.parse().expect("valid header value"));
    let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let one = Verifier::new(SECRET);
    let two = Verifier::builder()
        .secret("whsec_previous")
        .secret(SECRET)
        .build();
    assert_eq!(one.verify(&body, &headers, now), Ok(()));
    assert_eq!(two.verify(&body, &headers, now), Ok(()));

    let mut message = format!("v1:{TS}:").into_bytes();
    message.extend_from_slice(&body);

    let mut group = c.benchmark_group("webhook_1KiB");
    group.throughput(Throughput::Elements(1));
    group.bench_function("verify", |b| {
        b.iter(|| one.verify(black_box(&body), black_box(&headers), black_box(now)))
    });
    group.bench_function("verify_two_secrets", |b| {
        b.iter(|| two.verify(black_box(&body), black_box(&headers), black_box(now)))
    });
    group.bench_function("raw_hmac_sha256", |b| {
        b.iter(|| {
            let mut mac =
                <Hmac<Sha256>>::new_from_slice(SECRET.as_bytes()).expect("any key length");
            mac.update(black_box(&message));
            mac.finalize().into_bytes()
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
