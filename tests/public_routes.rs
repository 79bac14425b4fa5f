//! The public routes (`/s/{token}/…`, `/upload/{link_token}/…`) on a client built from a base
//! URL alone (`Config::public`): no `Authorization` header, no workspace, both transports.

use amigo_platform_api::ApiExt;
use amigo_platform_core::{Config, ErrorKind};
use amigo_platform_testkit::{Fault, MockServer};
use http::Method;

fn link_info() -> serde_json::Value {
    serde_json::json!({
        "customer_slug": "acme",
        "display_name": "Acme intake",
        "max_upload_bytes": 1048576,
        "allowed_content_types": ["application/pdf"]
    })
}

fn upload_reply() -> serde_json::Value {
    serde_json::json!({
        "id": "up-1",
        "filename": "scan.pdf",
        "scan_status": "pending",
        "sha256": "00ff",
        "size_bytes": 8
    })
}

#[test]
fn blocking_public_client_calls_public_routes_without_authorization() {
    let server = MockServer::start();
    server.fault(
        Method::GET,
        "/upload/{t}/info",
        [Fault::status(200).json(link_info())],
    );
    server.fault(
        Method::POST,
        "/upload/{t}/files",
        [Fault::status(201).json(upload_reply())],
    );
    let client =
        amigo_platform_ureq::Client::new(Config::public(&server.base_url()).expect("config"));

    let info = client
        .api()
        .intake()
        .upload()
        .get_link_info("lt 1/x")
        .send()
        .expect("link info");
    assert_eq!(info.customer_slug, "acme");
    assert_eq!(info.max_upload_bytes, 1_048_576);

    let up = client
        .api()
        .intake()
        .upload()
        .upload_file(
            "lt-1",
            "scan.pdf",
            "application/pdf",
            &b"%PDF-1.7"[..],
            "application/pdf",
        )
        .send()
        .expect("upload");
    assert_eq!(up.id, "up-1");

    let reqs = server.requests();
    assert_eq!(reqs.len(), 2, "{reqs:?}");
    assert_eq!(reqs[0].path, "/upload/lt%201%2Fx/info");
    assert_eq!(reqs[1].path, "/upload/lt-1/files");
    assert_eq!(&reqs[1].body[..], b"%PDF-1.7");
    assert_eq!(
        reqs[1].headers.get("x-amigo-intake-filename").unwrap(),
        "scan.pdf"
    );
    for r in &reqs {
        assert!(
            r.headers.get(http::header::AUTHORIZATION).is_none(),
            "no Authorization on a public client: {:?}",
            r.headers
        );
        assert!(r.headers.get(http::header::USER_AGENT).is_some());
    }
}

#[test]
fn blocking_public_client_refuses_workspace_routes_before_sending() {
    let server = MockServer::start();
    let client =
        amigo_platform_ureq::Client::new(Config::public(&server.base_url()).expect("config"));
    let e = client.api().agents().list().send().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(e.message().contains("workspace_id"), "{}", e.message());
    assert!(server.requests().is_empty(), "nothing was sent");
}

#[test]
fn surface_errors_surface_as_api_errors_with_their_message() {
    let server = MockServer::start();
    server.fault(
        Method::GET,
        "/s/{t}/spec",
        [Fault::status(410).json(serde_json::json!({
            "error_code": "surface_expired",
            "message": "This link has expired"
        }))],
    );
    let client =
        amigo_platform_ureq::Client::new(Config::public(&server.base_url()).expect("config"));
    let e = client
        .api()
        .surface_patient()
        .get_spec("tok-1")
        .send()
        .unwrap_err();
    assert_eq!(e.status(), Some(410));
    assert!(e.message().contains("expired"), "{}", e.message());
    assert_eq!(server.requests()[0].path, "/s/tok-1/spec");
}

#[tokio::test]
async fn async_public_client_calls_public_routes_without_authorization() {
    let server = MockServer::start();
    server.fault(
        Method::GET,
        "/upload/{t}/info",
        [Fault::status(200).json(link_info())],
    );
    let client =
        amigo_platform_hyper::Client::new(Config::public(&server.base_url()).expect("config"));
    let info = client
        .api()
        .intake()
        .upload()
        .get_link_info("lt-2")
        .await
        .expect("link info");
    assert_eq!(info.display_name, "Acme intake");
    let e = client.api().agents().list().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].path, "/upload/lt-2/info");
    assert!(reqs[0].headers.get(http::header::AUTHORIZATION).is_none());
}
