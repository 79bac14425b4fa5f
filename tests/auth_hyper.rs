//! Device-code login and refreshing credentials over the async transport, against
//! `MockIdentity` on 127.0.0.1.

use amigo_platform_api::ApiExt;
use amigo_platform_core::auth::{
    Credentials, FnCallbacks, LoginOptions, LoginStatus, MemoryStorage, TokenManager,
};
use amigo_platform_core::{CancelToken, Config, ErrorKind, Secret};
use amigo_platform_hyper::auth::{access_token, device_login};
use amigo_platform_hyper::HyperTransport;
use amigo_platform_testkit::identity::{form_value, IdentityReply, MockIdentity};
use amigo_platform_testkit::MockServer;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[tokio::test]
async fn happy_path_and_selection() {
    let id = MockIdentity::start();
    id.script_token([
        IdentityReply::pending(),
        IdentityReply::slow_down(),
        IdentityReply::select(&["ws-a", "ws-b"], Some("rt-boot")),
    ]);
    id.set_interval(Some(0.01));
    let statuses = Arc::new(Mutex::new(Vec::new()));
    let s = statuses.clone();
    let mut codes = Vec::new();
    let mut cb = FnCallbacks::new(
        |c: &amigo_platform_core::auth::DeviceCodeIssuance| codes.push(c.user_code.clone()),
        |list: &[amigo_platform_core::auth::Workspace]| Some(list[1].workspace_id.clone()),
    )
    .on_status(move |st| s.lock().unwrap().push(st));
    let started = Instant::now();
    let creds = device_login(&LoginOptions::new(id.base_url()), &mut cb)
        .await
        .unwrap();
    drop(cb);
    assert_eq!(creds.workspace_id, "ws-b");
    assert_eq!(codes, vec!["MOCK-CODE"]);
    let st = statuses.lock().unwrap().clone();
    assert!(st.contains(&LoginStatus::SlowDown) && st.ends_with(&[LoginStatus::Approved]));
    // The slow_down added 5 s to the 10 ms interval before the last poll.
    assert!(started.elapsed() >= Duration::from_secs(5));
    let refresh = id.token_requests("refresh_token");
    assert_eq!(
        form_value(&refresh[0], "workspace_id").as_deref(),
        Some("ws-b")
    );
    for r in id.requests() {
        assert_eq!(
            r.header("content-type"),
            Some("application/x-www-form-urlencoded")
        );
    }
}

#[tokio::test]
async fn cancellation_and_fatal_errors() {
    let id = MockIdentity::start();
    id.set_interval(Some(30.0));
    let token = CancelToken::new();
    let t = token.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        t.cancel();
    });
    let started = Instant::now();
    let mut cb = FnCallbacks::new(|_: &_| {}, |_: &[_]| None);
    let e = device_login(
        &LoginOptions::new(id.base_url()).cancel_token(token),
        &mut cb,
    )
    .await
    .unwrap_err();
    assert_eq!(e.error_code(), Some("login_cancelled"));
    assert!(started.elapsed() < Duration::from_secs(10));

    id.set_interval(Some(0.01));
    id.script_token([IdentityReply::denied()]);
    let e = device_login(&LoginOptions::new(id.base_url()), &mut cb)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::DeviceCode);
    id.script_token([IdentityReply::status(403)]);
    let e = device_login(&LoginOptions::new(id.base_url()), &mut cb)
        .await
        .unwrap_err();
    assert_eq!(e.message(), "Identity error (403)");
}

fn stored(expires_at: u64) -> Credentials {
    Credentials {
        access_token: Secret::new("at-initial"),
        refresh_token: Secret::new("rt-initial"),
        workspace_id: MockServer::WORKSPACE_ID.into(),
        expires_at,
        scope: None,
    }
}

#[tokio::test(flavor = "current_thread")]
async fn async_client_keeps_working_across_token_expiry() {
    let server = MockServer::start();
    server.seed_agents(MockServer::WORKSPACE_ID, 1);
    let id = MockIdentity::start();
    id.set_refresh_lifetime(3 * 3600);
    let manager = TokenManager::builder()
        .identity_base_url(id.base_url())
        .storage(Arc::new(MemoryStorage::new()))
        .build();
    manager.store(&stored(unix_now() + 3600)).unwrap();
    let config = Config::builder()
        .credentials(Arc::new(manager.clone()))
        .workspace_id(MockServer::WORKSPACE_ID)
        .base_url(server.base_url())
        .build()
        .unwrap();
    let client = amigo_platform_hyper::Client::new(config);
    client.api().agents().list().await.unwrap();
    manager
        .store(&stored(unix_now().saturating_sub(5)))
        .unwrap(); // expired
                   // The refresh is a step of the call's own future: it works on a current-thread runtime.
    client.api().agents().list().await.unwrap();
    let auth: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.header("authorization").unwrap().to_owned())
        .collect();
    assert_eq!(auth[0], "Bearer at-initial");
    assert!(auth[1].starts_with("Bearer ey"));
    assert_eq!(id.token_requests("refresh_token").len(), 1);

    // access_token refreshes off the request path.
    manager.store(&stored(unix_now() + 30)).unwrap(); // 30 s left
    id.set_refresh_lifetime(10 * 3600);
    let t = access_token(&manager, &HyperTransport::new())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(id.token_requests("refresh_token").len(), 2);
    client.api().agents().list().await.unwrap();
    assert_eq!(
        server.requests()[2].header("authorization").unwrap(),
        format!("Bearer {}", t.token.expose())
    );
    assert_eq!(id.token_requests("refresh_token").len(), 2);
}

/// Ten concurrent calls on a single-threaded runtime share one refresh exchange, and the
/// runtime's only thread keeps running other tasks while the exchange is in flight: the
/// refresh is awaited on the call's own future, with no helper thread or runtime.
#[tokio::test(flavor = "current_thread")]
async fn concurrent_calls_share_one_refresh_without_blocking_the_runtime() {
    let server = MockServer::start();
    server.seed_agents(MockServer::WORKSPACE_ID, 1);
    let id = MockIdentity::start();
    id.script_token([IdentityReply::token(
        json!({"workspace_id": MockServer::WORKSPACE_ID, "exp": unix_now() + 3600}),
        None,
    )
    .delay(Duration::from_millis(300))]);
    let manager = TokenManager::builder()
        .identity_base_url(id.base_url())
        .storage(Arc::new(MemoryStorage::new()))
        .build();
    manager.store(&stored(unix_now() + 5)).unwrap();
    let config = Config::builder()
        .credentials(Arc::new(manager.clone()))
        .workspace_id(MockServer::WORKSPACE_ID)
        .base_url(server.base_url())
        .build()
        .unwrap();
    let client = amigo_platform_hyper::Client::new(config);
    let ticks = Arc::new(AtomicUsize::new(0));
    let ticker = {
        let ticks = ticks.clone();
        tokio::spawn(async move {
            for _ in 0..1_000 {
                tokio::time::sleep(Duration::from_millis(5)).await;
                ticks.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    let calls: Vec<_> = (0..10)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.api().agents().list().await })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap().items.len(), 1);
    }
    // The 300 ms exchange let the ticker run on the same thread all along.
    assert!(ticks.load(Ordering::SeqCst) >= 20, "{ticks:?}");
    ticker.abort();
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
}

#[tokio::test]
async fn access_token_over_hyper_clears_rejected_credentials() {
    let id = MockIdentity::start();
    id.script_token([IdentityReply::unauthorized()]);
    let manager = TokenManager::builder()
        .identity_base_url(id.base_url())
        .storage(Arc::new(MemoryStorage::new()))
        .build();
    manager.store(&stored(unix_now() + 1)).unwrap();
    let e = access_token(&manager, &HyperTransport::new())
        .await
        .unwrap_err();
    assert_eq!(e.error_code(), Some("refresh_token_expired"));
    assert!(!manager.has_credentials());
}
