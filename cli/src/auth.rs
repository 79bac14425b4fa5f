//! `amigo login`, `logout` and `whoami`: the SDK's device-code login and token manager, with
//! credentials in `~/.amigo/credentials.json`.

use crate::errors::CliError;
use crate::exec::{config, credentials_storage, env, identity_url, Client, Globals};
use crate::output::Printer;
use crate::request::{Answer, CliOp};
use amigo_platform_api::ApiExt;
use amigo_platform_core::auth::{cli, FnCallbacks, LoginOptions, TokenManager, TokenStorage};
use clap::ArgMatches;
use std::sync::Arc;

/// Device-code login: prints the code and URL, opens the browser (unless `--no-browser`),
/// waits for approval and stores the credentials.
pub fn login(g: &Globals, m: &ArgMatches) -> Result<(), CliError> {
    let identity = m
        .get_one::<String>("identity-url")
        .cloned()
        .unwrap_or_else(|| identity_url(g));
    let mut options = LoginOptions::new(&identity).client_description("amigo command-line client");
    if let Some(w) = &g.workspace {
        options = options.workspace_id(w.clone());
    }
    let open = !m.get_flag("no-browser");
    let mut callbacks = FnCallbacks::new(
        move |code| {
            eprintln!("{}", cli::instructions(code));
            if open {
                let url = code
                    .verification_uri_complete
                    .as_deref()
                    .unwrap_or(&code.verification_uri);
                // The opener refuses anything but https (or http on loopback) and never uses a
                // shell; when it cannot open one the printed instructions are enough.
                let _ = cli::open_browser(url);
            }
        },
        |workspaces| {
            eprintln!("{}", cli::workspace_list(workspaces));
            match workspaces {
                [only] => Some(only.workspace_id.clone()),
                _ => {
                    eprintln!("  Several workspaces: run `amigo login --workspace ID`.");
                    None
                }
            }
        },
    );
    let credentials = amigo_platform_ureq::auth::device_login(&options, &mut callbacks)?;
    let storage = credentials_storage()?;
    let manager = TokenManager::builder()
        .storage(Arc::new(storage))
        .identity_base_url(identity)
        .build();
    manager.store(&credentials)?;
    eprintln!("Logged in to workspace {}.", credentials.workspace_id);
    Ok(())
}

/// Forgets the stored credentials.
pub fn logout() -> Result<(), CliError> {
    credentials_storage()?.clear()?;
    eprintln!("Logged out.");
    Ok(())
}

/// Which credentials are in use (on stderr) and what the API says about them (on stdout).
pub fn whoami(g: &Globals) -> Result<(), CliError> {
    if env("AMIGO_API_KEY").is_some() {
        eprintln!("credentials: AMIGO_API_KEY");
    } else if let Some(c) = credentials_storage()?.load()? {
        eprintln!("credentials: stored login (workspace {})", c.workspace_id);
    }
    let spec = crate::OPERATIONS
        .iter()
        .find(|o| o.id == "get-auth-info")
        .ok_or_else(|| CliError::other("this build has no auth-info operation"))?;
    let client = Client::new(config(g)?);
    let answer = client.call(CliOp::new(spec)).send()?;
    if let Answer::Json(v) = answer {
        Printer::for_stdout(g.fields.clone())
            .print(&mut std::io::stdout().lock(), &v, None)
            .map_err(|e| CliError::other(format!("writing the output: {e}")))?;
    }
    Ok(())
}
