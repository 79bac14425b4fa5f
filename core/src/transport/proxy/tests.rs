use super::*;
use std::collections::HashMap;

fn env(pairs: &[(&str, &str)]) -> ProxySettings {
    let vars: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    ProxySettings::from_lookup(|name| vars.get(name).cloned())
}

fn host_of(p: Option<&Proxy>) -> Option<(&str, u16)> {
    p.map(|p| (p.host(), p.port()))
}

#[test]
fn a_proxy_url_gives_host_port_and_basic_credentials() {
    let p = Proxy::parse("http://alice:s%40cret@Proxy.Example:3128/").unwrap();
    assert_eq!((p.host(), p.port()), ("proxy.example", 3128));
    // base64("alice:s@cret")
    assert_eq!(
        p.authorization().unwrap().to_str().unwrap(),
        "Basic YWxpY2U6c0BjcmV0"
    );
    assert!(p.authorization().unwrap().is_sensitive());
    assert_eq!(p.credentials(), Some(("alice".into(), "s@cret".into())));
    assert_eq!(p.url(), "http://proxy.example:3128");
    let bare = Proxy::parse("10.0.0.1:8080").unwrap();
    assert_eq!(
        (bare.host(), bare.port(), bare.authorization()),
        ("10.0.0.1", 8080, None)
    );
    assert_eq!(Proxy::parse("http://proxy").unwrap().port(), 80);
    assert_eq!(
        Proxy::parse("http://[::1]:3128").unwrap().url(),
        "http://[::1]:3128"
    );
}

#[test]
fn unsupported_or_invalid_proxy_urls_are_config_errors_without_credentials() {
    for url in [
        "socks5://u:hunter2@h:1",
        "https://u:hunter2@h:1",
        "http://u:hunter2@",
        "http://u:hunter2@h:notaport",
    ] {
        let e = Proxy::parse(url).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Config, "{url}");
        assert!(!format!("{e} {e:?}").contains("hunter2"), "{url}: {e:?}");
    }
}

#[test]
fn debug_of_a_proxy_and_settings_shows_the_host_not_the_credentials() {
    let p = Proxy::parse("http://alice:hunter2@proxy.example:3128").unwrap();
    let shown = format!("{p:?} {:?}", ProxySettings::to(p.clone()));
    assert!(shown.contains("proxy.example"), "{shown}");
    assert!(
        !shown.contains("hunter2") && !shown.contains("alice"),
        "{shown}"
    );
    assert!(!shown.contains(&p.authorization().unwrap().to_str().unwrap()[6..]));
}

#[test]
fn no_proxy_matches_hosts_suffixes_ips_and_star() {
    let rules = NoProxy::parse(
        " localhost, .corp.example,example.com ,*.wild.test, 127.0.0.1, [::1], 10.1.2.3:8080,",
    );
    for host in [
        "localhost",
        "LOCALHOST",
        "corp.example",
        "a.corp.example",
        "example.com",
        "api.example.com",
        "x.wild.test",
        "127.0.0.1",
        "::1",
        "[::1]",
        "10.1.2.3",
    ] {
        assert!(rules.matches(host), "{host}");
    }
    for host in [
        "mylocalhost",
        "notexample.com",
        "example.com.evil",
        "127.0.0.2",
        "10.1.2.4",
        "corp.example2",
    ] {
        assert!(!rules.matches(host), "{host}");
    }
    assert!(NoProxy::parse("*").matches("anything.at.all"));
    assert!(!NoProxy::parse("").matches("localhost"));
}

#[test]
fn environment_precedence_lower_case_then_upper_then_all_proxy() {
    let s = env(&[
        ("https_proxy", "http://lower:1"),
        ("HTTPS_PROXY", "http://upper:2"),
        ("ALL_PROXY", "http://all:3"),
    ]);
    assert_eq!(host_of(s.for_destination(true, "h")), Some(("lower", 1)));
    assert_eq!(host_of(s.for_destination(false, "h")), Some(("all", 3)));
    let s = env(&[("HTTPS_PROXY", "http://upper:2"), ("https_proxy", "")]);
    assert_eq!(host_of(s.for_destination(true, "h")), Some(("upper", 2)));
    assert_eq!(s.for_destination(false, "h"), None);
    let s = env(&[
        ("HTTP_PROXY", "http://plain:4"),
        ("all_proxy", "http://all:5"),
    ]);
    assert_eq!(host_of(s.for_destination(false, "h")), Some(("plain", 4)));
    assert_eq!(host_of(s.for_destination(true, "h")), Some(("all", 5)));
    assert!(env(&[]).is_none());
    // An unusable value is ignored.
    assert!(env(&[("HTTPS_PROXY", "socks5://h:1")]).is_none());
}

#[test]
fn environment_no_proxy_lower_case_wins_and_applies_to_every_scheme() {
    let s = env(&[
        ("ALL_PROXY", "http://p:1"),
        ("no_proxy", "127.0.0.1,.internal"),
        ("NO_PROXY", "*"),
    ]);
    let uri = |u: &str| s.for_uri(&u.parse().unwrap()).is_some();
    assert!(!uri("http://127.0.0.1:8080/v1"));
    assert!(!uri("wss://svc.internal/ws"));
    assert!(uri("https://api.platform.amigo.ai/v1"));
    assert!(uri("ws://example.org/x"));
}

#[test]
fn the_connect_request_names_the_target_and_carries_the_credentials() {
    let with = Proxy::parse("http://alice:s%40cret@p:1").unwrap();
    let t = Tunnel::new(&with, "api.example", 443);
    assert_eq!(
        t.request(),
        b"CONNECT api.example:443 HTTP/1.1\r\nHost: api.example:443\r\nProxy-Authorization: Basic YWxpY2U6c0BjcmV0\r\n\r\n"
    );
    let without = Proxy::parse("http://p:1").unwrap();
    assert_eq!(
        Tunnel::new(&without, "::1", 80).request(),
        b"CONNECT [::1]:80 HTTP/1.1\r\nHost: [::1]:80\r\n\r\n"
    );
}

#[test]
fn the_tunnel_opens_on_2xx_in_any_chunking_and_fails_otherwise() {
    let p = Proxy::parse("http://alice:hunter2@p:1").unwrap();
    let mut t = Tunnel::new(&p, "h", 443);
    assert_eq!(
        t.receive(b"HTTP/1.1 200 Connection").unwrap(),
        TunnelState::NeedMore
    );
    assert_eq!(
        t.receive(b" established\r\n\r").unwrap(),
        TunnelState::NeedMore
    );
    assert_eq!(t.receive(b"\n").unwrap(), TunnelState::Open);

    let refusal = |reply: &[u8]| {
        let mut t = Tunnel::new(&p, "h", 443);
        let e = t.receive(reply).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Network);
        assert_eq!(e.transport_kind(), Some(TransportErrorKind::Connect));
        assert!(!format!("{e} {e:?}").contains("hunter2"));
        e.to_string()
    };
    assert!(refusal(b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n").contains("407"));
    refusal(b"");
    refusal(b"SSH-2.0-x\r\n\r\n");
    refusal(b"HTTP/1.1 200 OK\r\n\r\nextra");
    let mut long = Tunnel::new(&p, "h", 443);
    assert!(long.receive(&[b'a'; MAX_REPLY + 1]).is_err());
}
