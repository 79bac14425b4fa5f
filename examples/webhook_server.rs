//! A hyper server on 127.0.0.1 that verifies signed webhook deliveries and prints each event.
//!
//! The testkit's `WebhookSender` posts a few signed events (and one forged one, which is
//! refused with 401); the server exits after the expected number of verified deliveries, so
//! `cargo run --example webhook_server` terminates on its own.

use amigo_platform::core::webhook::{ParseOptions, Verifier};
use amigo_platform_testkit::identity::WebhookSender;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response, StatusCode};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

const SECRET: &str = "whsec_example_secret";
const DELIVERIES: usize = 3;

async fn handle(
    verifier: Arc<Verifier>,
    verified: Arc<AtomicUsize>,
    done: Arc<tokio::sync::Notify>,
    req: Request<hyper::body::Incoming>,
) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let req = Request::from_parts(parts, body);
    let now = web_time::SystemTime::now();
    let status = match verifier.parse_request(&req, now, &ParseOptions::new()) {
        Ok(event) => {
            println!(
                "verified {} {}: {}",
                event.id.as_deref().unwrap_or("?"),
                event.event_type.as_deref().unwrap_or("?"),
                event.data.unwrap_or_default()
            );
            if verified.fetch_add(1, Ordering::SeqCst) + 1 == DELIVERIES {
                done.notify_one();
            }
            StatusCode::OK
        }
        Err(e) => {
            println!("rejected a delivery: {e}");
            StatusCode::UNAUTHORIZED
        }
    };
    Ok(Response::builder()
        .status(status)
        .body(Full::new(Bytes::new()))
        .unwrap_or_default())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/webhooks", listener.local_addr()?);
    println!("listening on {url}");
    let verifier = Arc::new(Verifier::new(SECRET));
    let verified = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(tokio::sync::Notify::new());

    // The sender runs on a plain thread: it is a blocking client.
    let target = url.clone();
    let sender = std::thread::spawn(move || -> std::io::Result<Vec<u16>> {
        let good = WebhookSender::new(SECRET);
        let forged = WebhookSender::new("not-the-secret");
        Ok(vec![
            good.send(
                &target,
                "call.started",
                serde_json::json!({"call_id": "c1"}),
            )?,
            forged.send(
                &target,
                "call.completed",
                serde_json::json!({"call_id": "c1"}),
            )?,
            good.send(
                &target,
                "call.completed",
                serde_json::json!({"call_id": "c1", "duration_s": 42}),
            )?,
            good.send(
                &target,
                "agent.updated",
                serde_json::json!({"agent_id": "a1"}),
            )?,
        ])
    });

    let serve = async {
        loop {
            let (stream, _) = listener.accept().await?;
            let (verifier, verified, done) = (verifier.clone(), verified.clone(), done.clone());
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    handle(verifier.clone(), verified.clone(), done.clone(), req)
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
        #[allow(unreachable_code)]
        Ok::<(), std::io::Error>(())
    };
    tokio::select! {
        r = serve => r?,
        _ = done.notified() => {}
    }
    let statuses = tokio::task::spawn_blocking(move || sender.join())
        .await?
        .map_err(|_| "sender thread panicked")??;
    println!(
        "sender saw statuses {statuses:?}; {} deliveries verified",
        verified.load(Ordering::SeqCst)
    );
    Ok(())
}
