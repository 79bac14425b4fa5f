//! Device-code login and refreshing credentials over the blocking transport, against
//! `MockIdentity` on 127.0.0.1.

use amigo_platform_api::ApiExt;
use amigo_platform_core::auth::{
    Credentials, DeviceCodeIssuance, LoginCallbacks, LoginOptions, LoginStatus, MemoryStorage,
    TokenManager, Workspace,
};
use amigo_platform_core::{CancelToken, Config, ErrorKind, Secret};
use amigo_platform_testkit::identity::{form_fields, form_value, IdentityReply, MockIdentity};
use amigo_platform_testkit::MockServer;
use amigo_platform_ureq::auth::{access_token, device_login};
use amigo_platform_ureq::UreqTransport;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[derive(Default)]
struct Recorder {
    codes: Vec<String>,
    statuses: Vec<LoginStatus>,
    offered: Vec<Vec<String>>,
    choice: Option<String>,
    cancel_on_code: Option<CancelToken>,
}

impl LoginCallbacks for Recorder {
    fn on_code(&mut self, issuance: &DeviceCodeIssuance) {
        self.codes.push(issuance.user_code.clone());
        if let Some(t) = &self.cancel_on_code {
            t.cancel();
        }
    }
    fn on_status(&mut self, status: LoginStatus) {
        self.statuses.push(status);
    }
    fn on_workspace_required(&mut self, workspaces: &[Workspace]) -> Option<String> {
        self.offered
            .push(workspaces.iter().map(|w| w.workspace_id.clone()).collect());
        self.choice.clone()
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn happy_path_with_pending_polls() {
    let id = MockIdentity::start();
    id.script_token([IdentityReply::pending(), IdentityReply::pending()]);
    let mut cb = Recorder::default();
    let opts = LoginOptions::new(format!("{}/", id.base_url())).client_description("tests");
    let creds = device_login(&opts, &mut cb).unwrap();
    assert_eq!(creds.workspace_id, "ws1");
    assert_eq!(creds.refresh_token.expose(), "rt_abc");
    assert!(creds.expires_at > unix_now());
    assert_eq!(cb.codes, vec!["MOCK-CODE"]);
    assert_eq!(
        cb.statuses,
        [
            LoginStatus::Polling,
            LoginStatus::AuthorizationPending,
            LoginStatus::Polling,
            LoginStatus::AuthorizationPending,
            LoginStatus::Polling,
            LoginStatus::Approved
        ]
    );
    let reqs = id.requests();
    assert_eq!(reqs.len(), 4);
    for r in &reqs {
        assert_eq!(r.method, http::Method::POST);
        assert_eq!(
            r.header("content-type"),
            Some("application/x-www-form-urlencoded")
        );
        assert!(r.header("authorization").is_none());
    }
    assert_eq!(
        form_fields(&reqs[0]),
        vec![("client_description".into(), "tests".into())]
    );
    assert_eq!(
        form_value(&reqs[1], "grant_type").as_deref(),
        Some("device_code")
    );
    assert_eq!(
        form_value(&reqs[1], "device_code").as_deref(),
        Some("mock-device-code-0")
    );
}

#[test]
fn workspace_selection_300_is_not_followed() {
    let id = MockIdentity::start();
    id.script_token([
        IdentityReply::select(&["ws-a", "ws-b"], Some("rt-boot")).header("location", "/elsewhere")
    ]);
    let mut cb = Recorder {
        choice: Some("ws-b".into()),
        ..Default::default()
    };
    let creds = device_login(&LoginOptions::new(id.base_url()), &mut cb).unwrap();
    assert_eq!(creds.workspace_id, "ws-b");
    assert_eq!(cb.offered, vec![vec!["ws-a".to_owned(), "ws-b".to_owned()]]);
    let refresh = id.token_requests("refresh_token");
    assert_eq!(refresh.len(), 1);
    assert_eq!(
        form_value(&refresh[0], "refresh_token").as_deref(),
        Some("rt-boot")
    );
    assert_eq!(
        form_value(&refresh[0], "workspace_id").as_deref(),
        Some("ws-b")
    );
    assert!(id.requests_to("/elsewhere").is_empty());
}

#[test]
fn redirects_on_poll_are_fatal_not_followed() {
    let id = MockIdentity::start();
    id.script_token([IdentityReply::status(302).header("location", "/token2")]);
    let e = device_login(&LoginOptions::new(id.base_url()), &mut Recorder::default()).unwrap_err();
    assert_eq!(e.message(), "Identity error (302)");
    assert!(id.requests_to("/token2").is_empty());
}

#[test]
fn bootstrap_token_membership_lookup_with_fallback() {
    let id = MockIdentity::start();
    id.script_token([IdentityReply::token(json!({"sub": "u1"}), Some("rt-boot"))]);
    id.script_profile([IdentityReply::status(404)]);
    id.set_memberships(&["ws-only"]);
    let creds = device_login(&LoginOptions::new(id.base_url()), &mut Recorder::default()).unwrap();
    assert_eq!(creds.workspace_id, "ws-only");
    let selfs = id.requests_to("/self");
    assert_eq!(selfs.len(), 1);
    assert!(selfs[0]
        .header("authorization")
        .unwrap()
        .starts_with("Bearer "));
    assert_eq!(id.requests_to("/self/profile").len(), 1);
    let refresh = id.token_requests("refresh_token");
    assert_eq!(
        form_value(&refresh[0], "workspace_id").as_deref(),
        Some("ws-only")
    );
    // Both 404 → no_workspaces.
    let id = MockIdentity::start();
    id.script_token([IdentityReply::token(json!({}), Some("rt-boot"))]);
    id.script_profile([IdentityReply::status(404)]);
    id.script_self([IdentityReply::status(404)]);
    let e = device_login(&LoginOptions::new(id.base_url()), &mut Recorder::default()).unwrap_err();
    assert_eq!(e.error_code(), Some("no_workspaces"));
}

#[test]
fn transient_failures_then_success() {
    let id = MockIdentity::start();
    id.script_token([
        IdentityReply::unavailable(),
        IdentityReply::rate_limited("0"),
        IdentityReply::pending(),
    ]);
    let creds = device_login(&LoginOptions::new(id.base_url()), &mut Recorder::default()).unwrap();
    assert_eq!(creds.workspace_id, "ws1");
    assert_eq!(id.token_requests("device_code").len(), 4);
}

#[test]
fn fatal_outcomes() {
    let id = MockIdentity::start();
    for (reply, kind, code, message) in [
        (
            IdentityReply::status(401),
            ErrorKind::Identity,
            None,
            "Identity error (401)",
        ),
        (
            IdentityReply::status(404),
            ErrorKind::Identity,
            None,
            "Identity error (404)",
        ),
        (
            IdentityReply::expired(),
            ErrorKind::DeviceCode,
            Some("device_code_expired"),
            "Device code expired. Please restart the login flow.",
        ),
        (
            IdentityReply::denied(),
            ErrorKind::DeviceCode,
            Some("device_code_denied"),
            "Authorization request was denied.",
        ),
    ] {
        id.script_token([reply]);
        let e =
            device_login(&LoginOptions::new(id.base_url()), &mut Recorder::default()).unwrap_err();
        assert_eq!(
            (e.kind(), e.error_code(), e.message()),
            (kind, code, message)
        );
    }
    id.script_device_code([IdentityReply::rate_limited("30")]);
    let e = device_login(&LoginOptions::new(id.base_url()), &mut Recorder::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert_eq!(e.retry_after(), Some(Duration::from_secs(30)));
    // Nothing listens on the port any more: a Network error.
    let url = id.base_url();
    drop(id);
    let e = device_login(&LoginOptions::new(url), &mut Recorder::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Network);
    assert_eq!(e.message(), "Network error contacting identity service");
}

#[test]
fn expiry_while_polling() {
    let id = MockIdentity::start();
    id.set_expires_in(0.1);
    id.script_token((0..50).map(|_| IdentityReply::pending()));
    let mut cb = Recorder::default();
    let e = device_login(&LoginOptions::new(id.base_url()), &mut cb).unwrap_err();
    assert_eq!(e.error_code(), Some("device_code_expired"));
    assert_eq!(cb.statuses.last(), Some(&LoginStatus::Expired));
}

#[test]
fn cancellation_during_sleep_and_in_on_code() {
    let id = MockIdentity::start();
    id.set_interval(Some(30.0));
    let token = CancelToken::new();
    let t = token.clone();
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        t.cancel();
    });
    let started = Instant::now();
    let opts = LoginOptions::new(id.base_url()).cancel_token(token);
    let e = device_login(&opts, &mut Recorder::default()).unwrap_err();
    assert_eq!(e.error_code(), Some("login_cancelled"));
    assert!(started.elapsed() < Duration::from_secs(10));
    canceller.join().unwrap();
    assert!(id.requests_to("/token").is_empty());

    let token = CancelToken::new();
    let mut cb = Recorder {
        cancel_on_code: Some(token.clone()),
        ..Default::default()
    };
    let opts = LoginOptions::new(id.base_url()).cancel_token(token);
    let e = device_login(&opts, &mut cb).unwrap_err();
    assert_eq!(e.message(), "Login cancelled");
}

fn stored(expires_at: u64, workspace: &str) -> Credentials {
    Credentials {
        access_token: Secret::new("at-initial"),
        refresh_token: Secret::new("rt-initial"),
        workspace_id: workspace.into(),
        expires_at,
        scope: Some("all".into()),
    }
}

#[test]
fn client_keeps_working_across_token_expiry() {
    let server = MockServer::start();
    server.seed_agents(MockServer::WORKSPACE_ID, 2);
    let id = MockIdentity::start();
    id.set_refresh_lifetime(3 * 3600);
    let manager = TokenManager::builder()
        .identity_base_url(id.base_url())
        .storage(Arc::new(MemoryStorage::new()))
        .build();
    manager
        .store(&stored(unix_now() + 3600, MockServer::WORKSPACE_ID))
        .unwrap();
    let config = Config::builder()
        .credentials(Arc::new(manager.clone()))
        .workspace_id(MockServer::WORKSPACE_ID)
        .base_url(server.base_url())
        .build()
        .unwrap();
    let client = amigo_platform_ureq::Client::new(config);
    assert_eq!(client.api().agents().list().send().unwrap().items.len(), 2);
    // The same tokens, now 30 s from expiry: inside the refresh window.
    manager
        .store(&stored(unix_now() + 30, MockServer::WORKSPACE_ID))
        .unwrap();
    assert_eq!(client.api().agents().list().send().unwrap().items.len(), 2);
    assert_eq!(client.api().agents().list().send().unwrap().items.len(), 2);

    let auth: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.header("authorization").unwrap().to_owned())
        .collect();
    assert_eq!(auth[0], "Bearer at-initial");
    assert_ne!(auth[1], auth[0]);
    assert!(auth[1].starts_with("Bearer ey"));
    assert_eq!(auth[2], auth[1]);
    let refresh = id.token_requests("refresh_token");
    assert_eq!(refresh.len(), 1);
    assert_eq!(
        form_fields(&refresh[0]),
        vec![
            ("grant_type".into(), "refresh_token".into()),
            ("refresh_token".into(), "rt-initial".into()),
            ("workspace_id".into(), MockServer::WORKSPACE_ID.into()),
            ("scope".into(), "all".into()),
        ]
    );
    assert_eq!(
        manager
            .storage()
            .load()
            .unwrap()
            .unwrap()
            .refresh_token
            .expose(),
        "rt-initial"
    );
}

#[test]
fn rejected_refresh_fails_calls_before_sending() {
    let server = MockServer::start();
    let id = MockIdentity::start();
    id.script_token([IdentityReply::invalid_grant()]);
    let manager = TokenManager::builder()
        .identity_base_url(id.base_url())
        .storage(Arc::new(MemoryStorage::new()))
        .build();
    manager.store(&stored(unix_now() + 10, "ws-001")).unwrap();
    let config = Config::builder()
        .credentials(Arc::new(manager.clone()))
        .workspace_id("ws-001")
        .base_url(server.base_url())
        .build()
        .unwrap();
    let client = amigo_platform_ureq::Client::new(config);
    let e = client.api().agents().list().send().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication);
    assert_eq!(e.error_code(), Some("refresh_token_expired"));
    assert!(!manager.has_credentials());
    let e = client.api().agents().list().send().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credentials);
    assert!(server.requests().is_empty());
    // A 503 on refresh propagates and keeps the credentials.
    id.script_token([IdentityReply::unavailable()]);
    manager.store(&stored(unix_now() + 10, "ws-001")).unwrap();
    let e = access_token(&manager, &UreqTransport::new()).unwrap_err();
    assert_eq!(e.message(), "Identity error (503)");
    assert!(manager.has_credentials());
}

#[test]
fn ten_concurrent_calls_share_one_refresh_exchange() {
    let server = MockServer::start();
    server.seed_agents("ws1", 1);
    let id = MockIdentity::start();
    id.script_token([IdentityReply::token(
        json!({"workspace_id": "ws1", "exp": unix_now() + 3600}),
        None,
    )
    .delay(Duration::from_millis(200))]);
    let manager = TokenManager::builder()
        .identity_base_url(id.base_url())
        .storage(Arc::new(MemoryStorage::new()))
        .build();
    manager.store(&stored(unix_now() + 5, "ws1")).unwrap();
    let config = Config::builder()
        .credentials(Arc::new(manager.clone()))
        .workspace_id("ws1")
        .base_url(server.base_url())
        .build()
        .unwrap();
    let client = amigo_platform_ureq::Client::new(config);
    let barrier = std::sync::Barrier::new(10);
    std::thread::scope(|s| {
        for _ in 0..10 {
            s.spawn(|| {
                barrier.wait();
                assert_eq!(client.api().agents().list().send().unwrap().items.len(), 1);
            });
        }
    });
    assert_eq!(id.token_requests("refresh_token").len(), 1);
    let auth: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.header("authorization").unwrap().to_owned())
        .collect();
    assert_eq!(auth.len(), 10);
    assert!(auth
        .iter()
        .all(|a| a == &auth[0] && a != "Bearer at-initial"));
    // The token outside any call is the refreshed one, without another exchange.
    let token = access_token(&manager, &UreqTransport::new())
        .unwrap()
        .unwrap();
    assert_eq!(format!("Bearer {}", token.token.expose()), auth[0]);
    assert_eq!(id.token_requests("refresh_token").len(), 1);
}
