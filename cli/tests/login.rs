//! `amigo login`, `whoami` and `logout` against the testkit's mock identity service and API.

mod support;

use amigo_platform_testkit::identity::MockIdentity;
use amigo_platform_testkit::{Fault, MockServer};
use http::Method;
use serde_json::json;
use support::run::{command, finish, scratch, RUN_LIMIT};

#[test]
fn login_stores_credentials_that_later_commands_use_until_logout() {
    let identity = MockIdentity::start();
    let server = MockServer::start();
    let home = scratch("login");
    let run = |args: &[&str]| {
        let child = command(None, &home, args)
            .env("AMIGO_IDENTITY_URL", identity.base_url())
            .env("AMIGO_BASE_URL", server.base_url())
            .spawn()
            .expect("spawn amigo");
        finish(child, RUN_LIMIT)
    };

    let login = run(&["login", "--no-browser"]);
    assert_eq!(login.code, 0, "{}", login.stderr);
    assert!(
        login.stderr.contains("Then enter this code:"),
        "{}",
        login.stderr
    );
    assert!(
        login.stderr.contains("Logged in to workspace "),
        "{}",
        login.stderr
    );
    let stored = home.join(".amigo").join("credentials.json");
    assert!(stored.is_file());
    let workspace = login
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix("Logged in to workspace "))
        .unwrap()
        .trim_end_matches('.')
        .to_owned();

    // A command without AMIGO_API_KEY uses the stored login and its workspace.
    server.seed_agents(&workspace, 2);
    let list = run(&["agents", "list"]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    let req = &server.requests()[0];
    assert_eq!(req.path, format!("/v1/{workspace}/agents"));
    assert!(req
        .header("authorization")
        .is_some_and(|a| a.starts_with("Bearer ")));

    server.fault(
        Method::GET,
        "/v1/auth/me",
        [Fault::status(200).json(json!({"workspace_id": workspace}))],
    );
    let who = run(&["whoami"]);
    assert_eq!(who.code, 0, "{}", who.stderr);
    assert!(
        who.stderr
            .contains(&format!("stored login (workspace {workspace})")),
        "{}",
        who.stderr
    );
    assert!(who.stdout.contains(&workspace), "{}", who.stdout);

    let logout = run(&["logout"]);
    assert_eq!(logout.code, 0, "{}", logout.stderr);
    let after = run(&["agents", "list"]);
    assert_eq!(after.code, 3, "{}", after.stderr);
}
