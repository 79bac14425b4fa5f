//! Presentation helpers for command-line logins (PROTOCOL §3.4).

use super::types::{DeviceCodeIssuance, Workspace};

/// The sign-in instructions: the URI, the code and the code's lifetime in whole minutes.
pub fn instructions(issuance: &DeviceCodeIssuance) -> String {
    [
        String::new(),
        "  To sign in, open your browser and visit:".to_owned(),
        String::new(),
        format!("    {}", issuance.verification_uri),
        String::new(),
        "  Then enter this code:".to_owned(),
        String::new(),
        format!("    {}", issuance.user_code),
        String::new(),
        format!(
            "  This code expires in {} minutes.",
            issuance.expires_in.as_secs() / 60
        ),
        String::new(),
    ]
    .join("\n")
}

/// An OSC 8 terminal hyperlink to `url` labelled `Open browser to approve`.
pub fn terminal_link(url: &str) -> String {
    format!("\x1b]8;;{url}\x07Open browser to approve\x1b]8;;\x07")
}

/// A numbered list of workspaces (name or id, role, and the id under a name).
pub fn workspace_list(workspaces: &[Workspace]) -> String {
    let mut lines = vec![
        String::new(),
        "  Available workspaces:".to_owned(),
        String::new(),
    ];
    for (i, w) in workspaces.iter().enumerate() {
        let label = w.name.as_deref().unwrap_or(&w.workspace_id);
        let role = w
            .role
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        lines.push(format!("    {}. {label}{role}", i + 1));
        if w.name.is_some() {
            lines.push(format!("       {}", w.workspace_id));
        }
    }
    lines.push(String::new());
    lines.join("\n")
}

/// Opens `url` in the user's browser (`open`, `cmd /c start`, `xdg-open`; no shell).
///
/// Returns whether the opener exited successfully; `false` on other platforms and on any
/// spawn failure. Never panics. This spawns a process, so it exists only where processes
/// do (not on `wasm32`, where it always returns `false`).
pub fn open_browser(url: &str) -> bool {
    open_browser_on(std::env::consts::OS, url)
}

/// [`open_browser`] for an explicit OS name (`std::env::consts::OS` values); `false` for
/// platforms without a known opener.
pub fn open_browser_on(os: &str, url: &str) -> bool {
    let Some((program, args)) = browser_command(os, url) else {
        return false;
    };
    #[cfg(target_arch = "wasm32")]
    {
        let _ = (program, args);
        false
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::process::Command::new(program)
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    }
}

/// The opener command for an OS name (`std::env::consts::OS`), `None` when unsupported.
pub fn browser_command(os: &str, url: &str) -> Option<(&'static str, Vec<String>)> {
    match os {
        "macos" => Some(("open", vec![url.to_owned()])),
        "windows" => Some((
            "cmd",
            vec!["/c".into(), "start".into(), String::new(), url.to_owned()],
        )),
        "linux" => Some(("xdg-open", vec![url.to_owned()])),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Secret;
    use std::time::Duration;

    fn issuance() -> DeviceCodeIssuance {
        DeviceCodeIssuance {
            device_code: Secret::new("dc"),
            user_code: "ABCD-EFGH".into(),
            verification_uri: "https://id.example/device".into(),
            verification_uri_complete: Some("https://id.example/device?code=ABCD-EFGH".into()),
            expires_in: Duration::from_secs(900),
            interval: None,
        }
    }

    #[test]
    fn instructions_text_exact() {
        let text = instructions(&issuance());
        assert_eq!(
            text,
            "\n  To sign in, open your browser and visit:\n\n    https://id.example/device\n\n  Then enter this code:\n\n    ABCD-EFGH\n\n  This code expires in 15 minutes.\n"
        );
    }

    #[test]
    fn osc8_link() {
        let url = issuance().verification_uri_complete.unwrap();
        let link = terminal_link(&url);
        assert_eq!(
            link,
            format!("\x1b]8;;{url}\x07Open browser to approve\x1b]8;;\x07")
        );
        assert!(link.contains("https://id.example/device?code=ABCD-EFGH"));
    }

    #[test]
    fn workspace_list_lines() {
        let list = workspace_list(&[
            Workspace {
                workspace_id: "ws-1".into(),
                role: Some("admin".into()),
                name: Some("Org One".into()),
            },
            Workspace {
                workspace_id: "ws-2".into(),
                role: None,
                name: Some("Org Two".into()),
            },
        ]);
        assert_eq!(
            list,
            "\n  Available workspaces:\n\n    1. Org One (admin)\n       ws-1\n    2. Org Two\n       ws-2\n"
        );
        assert!(workspace_list(&[Workspace::new("ws-no-name")]).contains("\n    1. ws-no-name\n"));
    }

    #[test]
    fn browser_commands() {
        assert_eq!(browser_command("linux", "u").unwrap().0, "xdg-open");
        assert_eq!(browser_command("macos", "u").unwrap().0, "open");
        assert_eq!(
            browser_command("windows", "u").unwrap().1,
            vec!["/c", "start", "", "u"]
        );
        assert!(browser_command("freebsd", "u").is_none());
        assert!(browser_command("wasi", "u").is_none());
        assert!(!open_browser_on("plan9", "https://id.example"));
        assert!(!open_browser_on("", "https://id.example"));
    }
}
