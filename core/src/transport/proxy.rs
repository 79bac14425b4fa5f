//! Proxy settings shared by the native transports, with no I/O: which HTTP proxy (if any)
//! a destination goes through, read from the environment or set in code, the `NO_PROXY`
//! rules, and the bytes of the `CONNECT` handshake that opens a tunnel through the proxy.
//!
//! Every destination (`http`, `https`, `ws`, `wss`) is reached through a `CONNECT` tunnel when
//! a proxy applies to it, so the proxy never sees a request, only the host and port.
//!
//! ```
//! use amigo_platform_core::transport::proxy::{NoProxy, Proxy, ProxySettings};
//!
//! let settings = ProxySettings::to(Proxy::parse("http://user:pw@proxy.internal:3128")?)
//!     .no_proxy(NoProxy::parse("localhost,.corp.example"));
//! assert_eq!(settings.for_destination(true, "api.platform.amigo.ai").map(|p| p.port()), Some(3128));
//! assert!(settings.for_destination(true, "git.corp.example").is_none());
//! // Debug shows where the proxy is, never its credentials.
//! assert!(!format!("{settings:?}").contains("pw"));
//! # Ok::<(), amigo_platform_core::Error>(())
//! ```

use crate::error::redact::REDACTED;
use crate::error::{Error, TransportErrorKind};
use std::fmt;
use std::net::IpAddr;

/// An HTTP proxy: `http://[user:password@]host[:port]` (port 80 when absent). Its `Debug`
/// shows the host and port, never the credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct Proxy {
    host: String,
    port: u16,
    /// `Basic` credentials, already encoded (`user:password` in base64).
    basic: Option<String>,
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Proxy");
        s.field("host", &self.host).field("port", &self.port);
        if self.basic.is_some() {
            s.field("credentials", &REDACTED);
        }
        s.finish()
    }
}

impl Proxy {
    /// Parses a proxy URL: `http://host:port`, with optional `user:password@` (percent-encoded
    /// where needed, sent as `Proxy-Authorization: Basic`); a URL without a scheme is taken as
    /// `http://`. Other schemes (`https://`, `socks5://`) are refused. The error never shows
    /// the credentials.
    pub fn parse(url: &str) -> Result<Proxy, Error> {
        let url = url.trim();
        let rest = match url.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => rest,
            Some((scheme, _)) => {
                return Err(Error::config(format!(
                    "proxy scheme `{scheme}` is not supported (only http:// proxies)"
                )))
            }
            None => url,
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let invalid = || Error::config(format!("invalid proxy address `{hostport}`"));
        let parsed: http::uri::Authority = hostport.parse().map_err(|_| invalid())?;
        let host = parsed.host().trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() {
            return Err(invalid());
        }
        let after_host = hostport.rsplit_once(']').map_or(hostport, |(_, rest)| rest);
        let port = match after_host.rsplit_once(':') {
            Some((_, p)) => p.parse::<u16>().map_err(|_| invalid())?,
            None => 80,
        };
        let basic = userinfo.map(|u| {
            let (user, password) = u.split_once(':').unwrap_or((u, ""));
            let pair = format!("{}:{}", percent_decode(user), percent_decode(password));
            base64_standard(pair.as_bytes())
        });
        Ok(Proxy {
            host: host.to_ascii_lowercase(),
            port,
            basic,
        })
    }

    /// The proxy's host name or IP address (without brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The proxy's port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Whether the proxy has credentials (sent as `Proxy-Authorization: Basic`).
    pub fn has_credentials(&self) -> bool {
        self.basic.is_some()
    }

    /// The proxy's address without credentials, `http://host:port`.
    pub fn url(&self) -> String {
        format!("http://{}:{}", bracketed(&self.host), self.port)
    }

    /// The `Proxy-Authorization` value (`Basic ...`), marked sensitive; `None` without
    /// credentials.
    pub fn authorization(&self) -> Option<http::HeaderValue> {
        let basic = self.basic.as_ref()?;
        let mut value = http::HeaderValue::try_from(format!("Basic {basic}")).ok()?;
        value.set_sensitive(true);
        Some(value)
    }

    /// The user name and password, for clients that take them apart (percent-decoded).
    pub fn credentials(&self) -> Option<(String, String)> {
        let decoded = base64_standard_decode(self.basic.as_deref()?)?;
        let text = String::from_utf8(decoded).ok()?;
        let (user, password) = text.split_once(':')?;
        Some((user.to_owned(), password.to_owned()))
    }
}

/// The `NO_PROXY` rules: a comma-separated list of host names, domain suffixes (`.example.com`
/// and `example.com` both match `example.com` and every subdomain; `*.example.com` too), IP
/// addresses, or `*` for every host. Names compare case-insensitively; a `:port` on an entry
/// is ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoProxy {
    all: bool,
    domains: Vec<String>,
    ips: Vec<IpAddr>,
}

impl NoProxy {
    /// Parses the list; empty entries are skipped.
    pub fn parse(list: &str) -> NoProxy {
        let mut rules = NoProxy::default();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            if entry == "*" {
                rules.all = true;
                continue;
            }
            if let Some(ip) = parse_ip(entry) {
                rules.ips.push(ip);
                continue;
            }
            let name = entry.rsplit_once(':').map_or(entry, |(h, _)| h);
            let name = name.trim_start_matches("*.").trim_start_matches('.');
            if !name.is_empty() {
                rules.domains.push(name.to_ascii_lowercase());
            }
        }
        rules
    }

    /// Whether `host` (a name or an IP address, IPv6 with or without brackets) bypasses the
    /// proxy.
    pub fn matches(&self, host: &str) -> bool {
        if self.all {
            return true;
        }
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = host.parse::<IpAddr>() {
            return self.ips.contains(&ip);
        }
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.domains.iter().any(|d| {
            host == *d
                || (host.len() > d.len()
                    && host.ends_with(d.as_str())
                    && host.as_bytes()[host.len() - d.len() - 1] == b'.')
        })
    }
}

/// Which proxy each destination uses: one for `https`/`wss` destinations, one for
/// `http`/`ws` ones, and the [`NoProxy`] rules that bypass both.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxySettings {
    https: Option<Proxy>,
    http: Option<Proxy>,
    no_proxy: NoProxy,
}

impl ProxySettings {
    /// No proxy at all, whatever the environment says.
    pub fn none() -> ProxySettings {
        ProxySettings::default()
    }

    /// Every destination through `proxy` (add exceptions with [`no_proxy`](Self::no_proxy)).
    pub fn to(proxy: Proxy) -> ProxySettings {
        ProxySettings {
            https: Some(proxy.clone()),
            http: Some(proxy),
            no_proxy: NoProxy::default(),
        }
    }

    /// Sets the destinations that bypass the proxy.
    pub fn no_proxy(mut self, rules: NoProxy) -> ProxySettings {
        self.no_proxy = rules;
        self
    }

    /// The settings of the process environment: see [`from_lookup`](Self::from_lookup).
    pub fn from_env() -> ProxySettings {
        ProxySettings::from_lookup(|name| std::env::var(name).ok())
    }

    /// The settings described by environment variables, read through `lookup`:
    /// - `https`/`wss` destinations: `https_proxy`, else `HTTPS_PROXY`, else `all_proxy`, else
    ///   `ALL_PROXY`;
    /// - `http`/`ws` destinations: `http_proxy`, else `HTTP_PROXY`, else `all_proxy`, else
    ///   `ALL_PROXY`;
    /// - exceptions: `no_proxy`, else `NO_PROXY`.
    ///
    /// Lower case wins over upper case; an empty variable counts as unset, and a value that is
    /// not a valid `http://` proxy URL is ignored (as if unset).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> ProxySettings {
        let first = |names: &[&str]| {
            names
                .iter()
                .filter_map(|n| lookup(n))
                .find(|v| !v.trim().is_empty())
        };
        let proxy = |names: &[&str]| first(names).and_then(|v| Proxy::parse(&v).ok());
        ProxySettings {
            https: proxy(&["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]),
            http: proxy(&["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"]),
            no_proxy: first(&["no_proxy", "NO_PROXY"])
                .map(|v| NoProxy::parse(&v))
                .unwrap_or_default(),
        }
    }

    /// The proxy for a destination: `tls` for `https`/`wss`, `host` as in its URL.
    pub fn for_destination(&self, tls: bool, host: &str) -> Option<&Proxy> {
        let proxy = if tls { &self.https } else { &self.http };
        proxy.as_ref().filter(|_| !self.no_proxy.matches(host))
    }

    /// The proxy for a URL (`http`, `https`, `ws` or `wss`); `None` without a host.
    pub fn for_uri(&self, uri: &http::Uri) -> Option<&Proxy> {
        let tls = matches!(uri.scheme_str(), Some("https" | "wss"));
        self.for_destination(tls, uri.host()?)
    }

    /// Whether no destination uses a proxy.
    pub fn is_none(&self) -> bool {
        self.https.is_none() && self.http.is_none()
    }
}

/// The most bytes of a proxy's answer to `CONNECT` that are read before giving up.
const MAX_REPLY: usize = 8 * 1024;

/// The `CONNECT` handshake that opens a tunnel through a [`Proxy`] to `host:port`, as bytes in
/// and out: send [`request`](Self::request), then feed what the proxy answers to
/// [`receive`](Self::receive) until it says the tunnel is open (or failed).
#[derive(Debug)]
pub struct Tunnel {
    request: Vec<u8>,
    reply: Vec<u8>,
}

/// Where a [`Tunnel`] handshake stands after [`Tunnel::receive`].
#[derive(Debug, PartialEq, Eq)]
pub enum TunnelState {
    /// The proxy's answer is incomplete: read more.
    NeedMore,
    /// The proxy answered 2xx: the connection now leads to the destination.
    Open,
}

impl Tunnel {
    /// The handshake to `host:port` through `proxy`.
    pub fn new(proxy: &Proxy, host: &str, port: u16) -> Tunnel {
        let target = format!(
            "{}:{port}",
            bracketed(host.trim_start_matches('[').trim_end_matches(']'))
        );
        let mut request = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n");
        if let Some(basic) = &proxy.basic {
            request.push_str(&format!("Proxy-Authorization: Basic {basic}\r\n"));
        }
        request.push_str("\r\n");
        Tunnel {
            request: request.into_bytes(),
            reply: Vec::new(),
        }
    }

    /// The bytes to write to the proxy first.
    pub fn request(&self) -> &[u8] {
        &self.request
    }

    /// Takes the next bytes read from the proxy. An end of stream is `receive(&[])`. Fails
    /// with a `Network` error (kind `Connect`) when the proxy refuses, closes, or answers
    /// something that is not HTTP; the error names the proxy's status, never the credentials.
    pub fn receive(&mut self, bytes: &[u8]) -> Result<TunnelState, Error> {
        if bytes.is_empty() {
            return Err(refused("the proxy closed the connection during CONNECT"));
        }
        self.reply.extend_from_slice(bytes);
        let Some(end) = find(&self.reply, b"\r\n\r\n") else {
            if self.reply.len() > MAX_REPLY {
                return Err(refused("the proxy's answer to CONNECT is too long"));
            }
            return Ok(TunnelState::NeedMore);
        };
        if end + 4 != self.reply.len() {
            // The destination speaks only after the client (TLS, HTTP, WebSocket handshakes).
            return Err(refused("the proxy sent data after its answer to CONNECT"));
        }
        let line = self.reply.split(|&b| b == b'\r').next().unwrap_or_default();
        let line = String::from_utf8_lossy(line);
        let mut parts = line.splitn(3, ' ');
        let (version, status) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        if !version.starts_with("HTTP/1.") {
            return Err(refused("the proxy's answer to CONNECT is not HTTP"));
        }
        match status.parse::<u16>() {
            Ok(200..=299) => Ok(TunnelState::Open),
            Ok(code) => Err(refused(&format!(
                "the proxy refused CONNECT with {code} {}",
                parts
                    .next()
                    .unwrap_or("")
                    .chars()
                    .take(80)
                    .collect::<String>()
            ))),
            Err(_) => Err(refused("the proxy's answer to CONNECT has no status")),
        }
    }
}

fn refused(message: &str) -> Error {
    Error::network(TransportErrorKind::Connect, message.trim_end())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn parse_ip(entry: &str) -> Option<IpAddr> {
    let bare = entry.trim_start_matches('[');
    let bare = bare.split(']').next().unwrap_or(bare);
    bare.parse().ok().or_else(|| {
        // `1.2.3.4:8080`
        entry
            .rsplit_once(':')
            .and_then(|(h, _)| h.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4))
    })
}

fn bracketed(host: &str) -> String {
    if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_owned()
    }
}

/// Decodes `%XX` escapes (invalid ones stay as they are).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Standard base64 with padding (RFC 4648 §4), from the core's base64url encoder.
fn base64_standard(bytes: &[u8]) -> String {
    let mut out: String = crate::auth::jwt::base64url_encode(bytes)
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    while !out.len().is_multiple_of(4) {
        out.push('=');
    }
    out
}

fn base64_standard_decode(text: &str) -> Option<Vec<u8>> {
    let url: String = text
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    crate::auth::jwt::base64url_decode(&url)
}

#[cfg(test)]
mod tests;
