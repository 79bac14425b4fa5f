//! Device-code login and refreshing credentials against `MockIdentity` on 127.0.0.1, one
//! scenario list run on both native transports.
//!
//! Each scenario is a generic function over [`AuthBackend`]; `auth_scenarios!` instantiates it
//! for the blocking (ureq) client and the async (hyper) one. The async side runs every call of
//! a test on that test thread's own current-thread tokio runtime: token refreshes are steps of
//! the call's own future, so they must work without a second runtime thread.

use amigo_platform_api::ApiExt;
use amigo_platform_core::auth::{
    AccessToken, Credentials, DeviceCodeIssuance, FnCallbacks, LoginCallbacks, LoginOptions,
    LoginStatus, MemoryStorage, TokenManager, Workspace,
};
use amigo_platform_core::Transport;
use amigo_platform_core::{CancelToken, Client, Config, Error, ErrorKind, Secret};
use amigo_platform_testkit::identity::{form_fields, form_value, IdentityReply, MockIdentity};
use amigo_platform_testkit::MockServer;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A transport's login, token and call entry points, seen synchronously.
pub trait AuthBackend: 'static {
    /// The transport type.
    type E: Transport;
    /// Builds a client.
    fn client(config: Config) -> Client<Self::E>;
    /// `client.api().agents().list()`: the number of items.
    fn list_agents(client: &Client<Self::E>) -> Result<usize, Error>;
    /// `n` agent lists sent at once on clones of one client: each one's number of items.
    fn list_agents_concurrently(client: &Client<Self::E>, n: usize) -> Vec<Result<usize, Error>>;
    /// `auth::device_login` with a default transport.
    fn device_login(
        options: &LoginOptions,
        callbacks: &mut (dyn LoginCallbacks + Send),
    ) -> Result<Credentials, Error>;
    /// `auth::access_token` over a new transport.
    fn access_token(manager: &TokenManager) -> Result<Option<AccessToken>, Error>;
}

/// The blocking transport.
pub struct Blocking;

impl AuthBackend for Blocking {
    type E = amigo_platform_ureq::UreqTransport;
    fn client(config: Config) -> Client<Self::E> {
        amigo_platform_ureq::Client::new(config)
    }
    fn list_agents(client: &Client<Self::E>) -> Result<usize, Error> {
        client.api().agents().list().send().map(|p| p.items.len())
    }
    fn list_agents_concurrently(client: &Client<Self::E>, n: usize) -> Vec<Result<usize, Error>> {
        let barrier = std::sync::Barrier::new(n);
        std::thread::scope(|s| {
            let calls: Vec<_> = (0..n)
                .map(|_| {
                    s.spawn(|| {
                        barrier.wait();
                        Self::list_agents(client)
                    })
                })
                .collect();
            calls
                .into_iter()
                .map(|c| c.join().expect("call thread"))
                .collect()
        })
    }
    fn device_login(
        options: &LoginOptions,
        callbacks: &mut (dyn LoginCallbacks + Send),
    ) -> Result<Credentials, Error> {
        amigo_platform_ureq::auth::device_login(options, callbacks)
    }
    fn access_token(manager: &TokenManager) -> Result<Option<AccessToken>, Error> {
        amigo_platform_ureq::auth::access_token(manager, &amigo_platform_ureq::UreqTransport::new())
    }
}

thread_local! {
    /// The test thread's own single-threaded runtime (each test runs on its own thread).
    static RT: tokio::runtime::Runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    RT.with(|rt| rt.block_on(f))
}

/// The async transport, on a current-thread runtime.
pub struct Async;

impl AuthBackend for Async {
    type E = amigo_platform_hyper::HyperTransport;
    fn client(config: Config) -> Client<Self::E> {
        RT.with(|rt| {
            let _guard = rt.enter();
            amigo_platform_hyper::Client::new(config)
        })
    }
    fn list_agents(client: &Client<Self::E>) -> Result<usize, Error> {
        block_on(async { client.api().agents().list().await.map(|p| p.items.len()) })
    }
    /// Also checks that the runtime's only thread keeps running other tasks while the calls
    /// (and any refresh exchange they share) are in flight.
    fn list_agents_concurrently(client: &Client<Self::E>, n: usize) -> Vec<Result<usize, Error>> {
        block_on(async {
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
            let calls: Vec<_> = (0..n)
                .map(|_| {
                    let client = client.clone();
                    tokio::spawn(async move {
                        client.api().agents().list().await.map(|p| p.items.len())
                    })
                })
                .collect();
            let mut out = Vec::new();
            for call in calls {
                out.push(call.await.expect("call task"));
            }
            // While the calls waited (for a 300 ms exchange), the ticker ran on the same thread.
            assert!(ticks.load(Ordering::SeqCst) >= 20, "{ticks:?}");
            ticker.abort();
            out
        })
    }
    fn device_login(
        options: &LoginOptions,
        callbacks: &mut (dyn LoginCallbacks + Send),
    ) -> Result<Credentials, Error> {
        block_on(amigo_platform_hyper::auth::device_login(options, callbacks))
    }
    fn access_token(manager: &TokenManager) -> Result<Option<AccessToken>, Error> {
        block_on(amigo_platform_hyper::auth::access_token(
            manager,
            &amigo_platform_hyper::HyperTransport::new(),
        ))
    }
}

/// Runs every listed scenario on both native transports.
macro_rules! auth_scenarios {
    ($($name:ident),* $(,)?) => {
        mod ureq {
            $( #[test] fn $name() { super::$name::<super::Blocking>() } )*
        }
        mod hyper_async {
            $( #[test] fn $name() { super::$name::<super::Async>() } )*
        }
    };
}

auth_scenarios!(
    happy_path_with_pending_polls,
    happy_path_slow_down_and_selection,
    workspace_selection_300_is_not_followed,
    redirects_on_poll_are_fatal_not_followed,
    bootstrap_token_membership_lookup_with_fallback,
    transient_failures_then_success,
    fatal_outcomes,
    expiry_while_polling,
    cancellation_during_sleep_and_in_on_code,
    cancellation_and_fatal_errors,
    client_keeps_working_across_token_expiry,
    client_keeps_working_after_expiry_and_access_token_refreshes,
    rejected_refresh_fails_calls_before_sending,
    access_token_clears_rejected_credentials,
    ten_concurrent_calls_share_one_refresh_exchange,
);

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

fn happy_path_with_pending_polls<B: AuthBackend>() {
    let id = MockIdentity::start();
    id.script_token([IdentityReply::pending(), IdentityReply::pending()]);
    let mut cb = Recorder::default();
    let opts = LoginOptions::new(format!("{}/", id.base_url())).client_description("tests");
    let creds = B::device_login(&opts, &mut cb).unwrap();
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

fn happy_path_slow_down_and_selection<B: AuthBackend>() {
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
        |c: &DeviceCodeIssuance| codes.push(c.user_code.clone()),
        |list: &[Workspace]| Some(list[1].workspace_id.clone()),
    )
    .on_status(move |st| s.lock().unwrap().push(st));
    let started = Instant::now();
    let creds = B::device_login(&LoginOptions::new(id.base_url()), &mut cb).unwrap();
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

fn workspace_selection_300_is_not_followed<B: AuthBackend>() {
    let id = MockIdentity::start();
    id.script_token([
        IdentityReply::select(&["ws-a", "ws-b"], Some("rt-boot")).header("location", "/elsewhere")
    ]);
    let mut cb = Recorder {
        choice: Some("ws-b".into()),
        ..Default::default()
    };
    let creds = B::device_login(&LoginOptions::new(id.base_url()), &mut cb).unwrap();
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

fn redirects_on_poll_are_fatal_not_followed<B: AuthBackend>() {
    let id = MockIdentity::start();
    id.script_token([IdentityReply::status(302).header("location", "/token2")]);
    let e =
        B::device_login(&LoginOptions::new(id.base_url()), &mut Recorder::default()).unwrap_err();
    assert_eq!(e.message(), "Identity error (302)");
    assert!(id.requests_to("/token2").is_empty());
}

fn bootstrap_token_membership_lookup_with_fallback<B: AuthBackend>() {
    let id = MockIdentity::start();
    id.script_token([IdentityReply::token(json!({"sub": "u1"}), Some("rt-boot"))]);
    id.script_profile([IdentityReply::status(404)]);
    id.set_memberships(&["ws-only"]);
    let creds =
        B::device_login(&LoginOptions::new(id.base_url()), &mut Recorder::default()).unwrap();
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
    let e =
        B::device_login(&LoginOptions::new(id.base_url()), &mut Recorder::default()).unwrap_err();
    assert_eq!(e.error_code(), Some("no_workspaces"));
}

fn transient_failures_then_success<B: AuthBackend>() {
    let id = MockIdentity::start();
    id.script_token([
        IdentityReply::unavailable(),
        IdentityReply::rate_limited("0"),
        IdentityReply::pending(),
    ]);
    let creds =
        B::device_login(&LoginOptions::new(id.base_url()), &mut Recorder::default()).unwrap();
    assert_eq!(creds.workspace_id, "ws1");
    assert_eq!(id.token_requests("device_code").len(), 4);
}

fn fatal_outcomes<B: AuthBackend>() {
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
        let e = B::device_login(&LoginOptions::new(id.base_url()), &mut Recorder::default())
            .unwrap_err();
        assert_eq!(
            (e.kind(), e.error_code(), e.message()),
            (kind, code, message)
        );
    }
    id.script_device_code([IdentityReply::rate_limited("30")]);
    let e =
        B::device_login(&LoginOptions::new(id.base_url()), &mut Recorder::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert_eq!(e.retry_after(), Some(Duration::from_secs(30)));
    // Nothing listens on the port any more: a Network error.
    let url = id.base_url();
    drop(id);
    let e = B::device_login(&LoginOptions::new(url), &mut Recorder::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Network);
    assert_eq!(e.message(), "Network error contacting identity service");
}

fn expiry_while_polling<B: AuthBackend>() {
    let id = MockIdentity::start();
    id.set_expires_in(0.1);
    id.script_token((0..50).map(|_| IdentityReply::pending()));
    let mut cb = Recorder::default();
    let e = B::device_login(&LoginOptions::new(id.base_url()), &mut cb).unwrap_err();
    assert_eq!(e.error_code(), Some("device_code_expired"));
    assert_eq!(cb.statuses.last(), Some(&LoginStatus::Expired));
}

fn cancellation_during_sleep_and_in_on_code<B: AuthBackend>() {
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
    let e = B::device_login(&opts, &mut Recorder::default()).unwrap_err();
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
    let e = B::device_login(&opts, &mut cb).unwrap_err();
    assert_eq!(e.message(), "Login cancelled");
}

fn cancellation_and_fatal_errors<B: AuthBackend>() {
    let id = MockIdentity::start();
    id.set_interval(Some(30.0));
    let token = CancelToken::new();
    let t = token.clone();
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        t.cancel();
    });
    let started = Instant::now();
    let mut cb = FnCallbacks::new(|_: &_| {}, |_: &[_]| None);
    let e = B::device_login(
        &LoginOptions::new(id.base_url()).cancel_token(token),
        &mut cb,
    )
    .unwrap_err();
    assert_eq!(e.error_code(), Some("login_cancelled"));
    assert!(started.elapsed() < Duration::from_secs(10));
    canceller.join().unwrap();

    id.set_interval(Some(0.01));
    id.script_token([IdentityReply::denied()]);
    let e = B::device_login(&LoginOptions::new(id.base_url()), &mut cb).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::DeviceCode);
    id.script_token([IdentityReply::status(403)]);
    let e = B::device_login(&LoginOptions::new(id.base_url()), &mut cb).unwrap_err();
    assert_eq!(e.message(), "Identity error (403)");
}

fn stored(expires_at: u64, workspace: &str, scope: Option<&str>) -> Credentials {
    Credentials {
        access_token: Secret::new("at-initial"),
        refresh_token: Secret::new("rt-initial"),
        workspace_id: workspace.into(),
        expires_at,
        scope: scope.map(str::to_owned),
    }
}

fn manager(id: &MockIdentity) -> TokenManager {
    TokenManager::builder()
        .identity_base_url(id.base_url())
        .storage(Arc::new(MemoryStorage::new()))
        .build()
}

fn client_with<B: AuthBackend>(
    server: &MockServer,
    manager: &TokenManager,
    workspace: &str,
) -> Client<B::E> {
    B::client(
        Config::builder()
            .credentials(Arc::new(manager.clone()))
            .workspace_id(workspace)
            .base_url(server.base_url())
            .build()
            .unwrap(),
    )
}

fn authorizations(server: &MockServer) -> Vec<String> {
    server
        .requests()
        .iter()
        .map(|r| r.header("authorization").unwrap().to_owned())
        .collect()
}

fn client_keeps_working_across_token_expiry<B: AuthBackend>() {
    let server = MockServer::start();
    server.seed_agents(MockServer::WORKSPACE_ID, 2);
    let id = MockIdentity::start();
    id.set_refresh_lifetime(3 * 3600);
    let manager = manager(&id);
    manager
        .store(&stored(
            unix_now() + 3600,
            MockServer::WORKSPACE_ID,
            Some("all"),
        ))
        .unwrap();
    let client = client_with::<B>(&server, &manager, MockServer::WORKSPACE_ID);
    assert_eq!(B::list_agents(&client).unwrap(), 2);
    // The same tokens, now 30 s from expiry: inside the refresh window.
    manager
        .store(&stored(
            unix_now() + 30,
            MockServer::WORKSPACE_ID,
            Some("all"),
        ))
        .unwrap();
    assert_eq!(B::list_agents(&client).unwrap(), 2);
    assert_eq!(B::list_agents(&client).unwrap(), 2);

    let auth = authorizations(&server);
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

fn client_keeps_working_after_expiry_and_access_token_refreshes<B: AuthBackend>() {
    let server = MockServer::start();
    server.seed_agents(MockServer::WORKSPACE_ID, 1);
    let id = MockIdentity::start();
    id.set_refresh_lifetime(3 * 3600);
    let manager = manager(&id);
    manager
        .store(&stored(unix_now() + 3600, MockServer::WORKSPACE_ID, None))
        .unwrap();
    let client = client_with::<B>(&server, &manager, MockServer::WORKSPACE_ID);
    B::list_agents(&client).unwrap();
    // Expired: the refresh is a step of the call itself.
    manager
        .store(&stored(
            unix_now().saturating_sub(5),
            MockServer::WORKSPACE_ID,
            None,
        ))
        .unwrap();
    B::list_agents(&client).unwrap();
    let auth = authorizations(&server);
    assert_eq!(auth[0], "Bearer at-initial");
    assert!(auth[1].starts_with("Bearer ey"));
    assert_eq!(id.token_requests("refresh_token").len(), 1);

    // access_token refreshes off the request path.
    manager
        .store(&stored(unix_now() + 30, MockServer::WORKSPACE_ID, None))
        .unwrap(); // 30 s left
    id.set_refresh_lifetime(10 * 3600);
    let t = B::access_token(&manager).unwrap().unwrap();
    assert_eq!(id.token_requests("refresh_token").len(), 2);
    B::list_agents(&client).unwrap();
    assert_eq!(
        server.requests()[2].header("authorization").unwrap(),
        format!("Bearer {}", t.token.expose())
    );
    assert_eq!(id.token_requests("refresh_token").len(), 2);
}

fn rejected_refresh_fails_calls_before_sending<B: AuthBackend>() {
    let server = MockServer::start();
    let id = MockIdentity::start();
    id.script_token([IdentityReply::invalid_grant()]);
    let manager = manager(&id);
    manager
        .store(&stored(unix_now() + 10, "ws-001", Some("all")))
        .unwrap();
    let client = client_with::<B>(&server, &manager, "ws-001");
    let e = B::list_agents(&client).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication);
    assert_eq!(e.error_code(), Some("refresh_token_expired"));
    assert!(!manager.has_credentials());
    let e = B::list_agents(&client).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credentials);
    assert!(server.requests().is_empty());
    // A 503 on refresh propagates and keeps the credentials.
    id.script_token([IdentityReply::unavailable()]);
    manager
        .store(&stored(unix_now() + 10, "ws-001", Some("all")))
        .unwrap();
    let e = B::access_token(&manager).unwrap_err();
    assert_eq!(e.message(), "Identity error (503)");
    assert!(manager.has_credentials());
}

fn access_token_clears_rejected_credentials<B: AuthBackend>() {
    let id = MockIdentity::start();
    id.script_token([IdentityReply::unauthorized()]);
    let manager = manager(&id);
    manager
        .store(&stored(unix_now() + 1, MockServer::WORKSPACE_ID, None))
        .unwrap();
    let e = B::access_token(&manager).unwrap_err();
    assert_eq!(e.error_code(), Some("refresh_token_expired"));
    assert!(!manager.has_credentials());
}

/// Ten concurrent calls share one refresh exchange (on the async transport, on a
/// single-threaded runtime whose only thread keeps running other tasks meanwhile: see
/// `Async::list_agents_concurrently`).
fn ten_concurrent_calls_share_one_refresh_exchange<B: AuthBackend>() {
    let server = MockServer::start();
    server.seed_agents("ws1", 1);
    let id = MockIdentity::start();
    id.script_token([IdentityReply::token(
        json!({"workspace_id": "ws1", "exp": unix_now() + 3600}),
        None,
    )
    .delay(Duration::from_millis(300))]);
    let manager = manager(&id);
    manager
        .store(&stored(unix_now() + 5, "ws1", Some("all")))
        .unwrap();
    let client = client_with::<B>(&server, &manager, "ws1");
    let started = Instant::now();
    for items in B::list_agents_concurrently(&client, 10) {
        assert_eq!(items.unwrap(), 1);
    }
    // Every call waited for the one 300 ms exchange.
    assert!(started.elapsed() >= Duration::from_millis(250));
    assert_eq!(id.token_requests("refresh_token").len(), 1);
    let auth = authorizations(&server);
    assert_eq!(auth.len(), 10);
    assert!(auth
        .iter()
        .all(|a| a == &auth[0] && a != "Bearer at-initial"));
    // The token outside any call is the refreshed one, without another exchange.
    let token = B::access_token(&manager).unwrap().unwrap();
    assert_eq!(format!("Bearer {}", token.token.expose()), auth[0]);
    assert_eq!(id.token_requests("refresh_token").len(), 1);
}
