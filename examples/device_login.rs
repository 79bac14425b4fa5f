//! Device-code login with the blocking client, then an API call with the stored token.
//!
//! With `AMIGO_IDENTITY_URL` (and optionally `AMIGO_BASE_URL`) set, this logs in against that
//! identity service. Otherwise it runs against the testkit's `MockIdentity` (which approves
//! after two polls) and lists agents from the testkit's `MockServer`, so
//! `cargo run --example device_login` works offline.

use amigo_platform::core::auth::{cli, FileStorage, FnCallbacks, LoginOptions, TokenStorage};
use amigo_platform::core::auth::{DeviceCodeIssuance, LoginStatus, Workspace};
use amigo_platform::{blocking::Client, ApiExt, Config};
use amigo_platform_testkit::identity::{IdentityReply, MockIdentity};
use amigo_platform_testkit::MockServer;
use std::sync::Arc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 1. The identity service: a real one from the environment, or the mock.
    let mock = match std::env::var("AMIGO_IDENTITY_URL") {
        Ok(_) => None,
        Err(_) => {
            let id = MockIdentity::start();
            id.script_token([IdentityReply::pending(), IdentityReply::pending()]);
            Some(id)
        }
    };
    let identity_url = match &mock {
        Some(id) => id.base_url(),
        None => std::env::var("AMIGO_IDENTITY_URL")?,
    };

    // 2. Log in: print the code, wait for approval, pick a workspace if asked.
    let options =
        LoginOptions::new(&identity_url).client_description("amigo-platform device_login example");
    let mut callbacks = FnCallbacks::new(
        |code: &DeviceCodeIssuance| {
            println!("{}", cli::instructions(code));
            if let Some(url) = &code.verification_uri_complete {
                println!("  {}\n", cli::terminal_link(url));
            }
        },
        |workspaces: &[Workspace]| {
            println!("{}", cli::workspace_list(workspaces));
            workspaces.first().map(|w| w.workspace_id.clone())
        },
    )
    .on_status(|status: LoginStatus| println!("  … {status}"));
    let credentials = amigo_platform::blocking::auth::device_login(&options, &mut callbacks)?;
    println!(
        "Logged in to workspace {} (token expires at {}).",
        credentials.workspace_id, credentials.expires_at
    );

    // 3. Store the credentials (a temporary folder here; normally ~/.amigo/credentials.json).
    let dir = std::env::temp_dir().join(format!("amigo-device-login-{}", std::process::id()));
    let storage = FileStorage::new(dir.join("credentials.json"));
    storage.save(&credentials)?;
    println!("Stored credentials in {}", storage.path().display());

    // 4. Later (another run): a client whose token comes from the stored credentials and is
    //    refreshed automatically before it expires.
    let manager = amigo_platform::core::auth::TokenManager::builder()
        .identity_base_url(&identity_url)
        .storage(Arc::new(storage))
        .build();
    let server = mock.as_ref().map(|_| {
        let s = MockServer::start();
        s.seed_agents(&credentials.workspace_id, 3);
        s
    });
    let mut config = Config::builder()
        .credentials(Arc::new(manager))
        .workspace_id(credentials.workspace_id.clone());
    if let Some(s) = &server {
        config = config.base_url(s.base_url());
    } else if let Ok(url) = std::env::var("AMIGO_BASE_URL") {
        config = config.base_url(url);
    }
    let client = Client::new(config.build()?);
    for agent in client.api().agents().list_auto_paging() {
        println!("agent: {}", agent?.name);
    }
    if let Some(s) = &server {
        let auth = s.requests()[0]
            .header("authorization")
            .unwrap_or_default()
            .len();
        println!("(the API saw a bearer token of {auth} characters from the stored credentials)");
    }
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}
