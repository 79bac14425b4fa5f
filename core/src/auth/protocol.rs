//! Request builders and response readers shared by the login machine and the token manager.

use super::jwt::{decode_claims, exp_claim};
use super::types::{Credentials, IdentityRequest, Workspace};
use crate::credentials::Secret;
use crate::error::{Error, ErrorKind};
use bytes::Bytes;
use serde_json::Value;
use std::time::Duration;
use web_time::SystemTime;

/// Message of a transport failure on any identity request.
pub(crate) const NETWORK_MESSAGE: &str = "Network error contacting identity service";

/// Seconds assumed for a token that states no lifetime.
const DEFAULT_LIFETIME_SECS: u64 = 900;

pub(crate) fn network_error() -> Error {
    Error::other(ErrorKind::Network, None, NETWORK_MESSAGE)
}

/// A form-encoded POST to `{base}{path}` (fields in the given order).
pub(crate) fn form_post(
    base: &str,
    path: &str,
    fields: Vec<(String, String)>,
    timeout: Option<Duration>,
) -> Result<IdentityRequest, Error> {
    let body = Bytes::from(crate::call::encode::encode_form(&fields));
    let content_type = "application/x-www-form-urlencoded";
    let request = http::Request::post(format!("{base}{path}"))
        .header(http::header::CONTENT_TYPE, content_type)
        .header(http::header::ACCEPT, "application/json")
        .body(body)
        .map_err(|e| Error::config(format!("invalid identity service URL `{base}`: {e}")))?;
    Ok(IdentityRequest { request, timeout })
}

/// A GET to `url` carrying `Authorization: Bearer <token>` (when `token` is given).
pub(crate) fn bearer_get(
    url: &str,
    token: Option<&Secret>,
    timeout: Option<Duration>,
) -> Result<IdentityRequest, Error> {
    let mut b = http::Request::get(url).header(http::header::ACCEPT, "application/json");
    if let Some(t) = token {
        let mut v =
            http::HeaderValue::from_str(&format!("Bearer {}", t.expose())).map_err(|_| {
                Error::other(
                    ErrorKind::Identity,
                    None,
                    "access token is not a valid header value",
                )
            })?;
        v.set_sensitive(true);
        b = b.header(http::header::AUTHORIZATION, v);
    }
    let request = b
        .body(Bytes::new())
        .map_err(|e| Error::config(format!("invalid identity service URL `{url}`: {e}")))?;
    Ok(IdentityRequest { request, timeout })
}

/// The refresh grant: `grant_type=refresh_token`, `refresh_token`, `workspace_id`?, `scope`?.
pub(crate) fn refresh_request(
    base: &str,
    refresh_token: &Secret,
    workspace_id: Option<&str>,
    scope: Option<&str>,
    timeout: Option<Duration>,
) -> Result<IdentityRequest, Error> {
    let mut fields = vec![
        ("grant_type".to_owned(), "refresh_token".to_owned()),
        (
            "refresh_token".to_owned(),
            refresh_token.expose().to_owned(),
        ),
    ];
    if let Some(ws) = workspace_id.filter(|s| !s.is_empty()) {
        fields.push(("workspace_id".into(), ws.into()));
    }
    if let Some(s) = scope.filter(|s| !s.is_empty()) {
        fields.push(("scope".into(), s.into()));
    }
    form_post(base, "/token", fields, timeout)
}

/// The JSON object of a body, or an empty object.
pub(crate) fn json_object(body: &[u8]) -> serde_json::Map<String, Value> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    }
}

pub(crate) fn str_field<'a>(m: &'a serde_json::Map<String, Value>, k: &str) -> Option<&'a str> {
    m.get(k).and_then(Value::as_str)
}

/// Seconds from a JSON number (fractions kept); `None` when absent, not a number or ≤ 0.
pub(crate) fn positive_secs(v: Option<&Value>) -> Option<Duration> {
    let f = v?.as_f64()?;
    (f.is_finite() && f > 0.0).then(|| Duration::from_secs_f64(f.min(1e9)))
}

/// Identity error: message = `error_description`, else `Identity error (<status>)`; code = `error`.
pub(crate) fn identity_error(status: u16, body: &[u8]) -> Error {
    let m = json_object(body);
    let message = str_field(&m, "error_description")
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| format!("Identity error ({status})"));
    Error::other(ErrorKind::Identity, str_field(&m, "error"), message)
}

/// A successful (or 300) token response.
#[derive(Clone)]
pub(crate) struct TokenResponse {
    pub access_token: Secret,
    pub refresh_token: Option<Secret>,
    pub expires_in: Option<Duration>,
    pub scope: Option<String>,
    pub workspaces: Vec<Workspace>,
}

impl TokenResponse {
    /// Reads a token response; `require_access` refuses one without an access token.
    pub(crate) fn parse(body: &[u8], require_access: bool) -> Result<TokenResponse, Error> {
        let m = json_object(body);
        let access = str_field(&m, "access_token").unwrap_or_default();
        if require_access && access.is_empty() {
            return Err(Error::other(
                ErrorKind::Identity,
                Some("invalid_response"),
                "Identity service returned no access_token",
            ));
        }
        Ok(TokenResponse {
            access_token: Secret::new(access),
            refresh_token: str_field(&m, "refresh_token")
                .filter(|s| !s.is_empty())
                .map(Secret::new),
            expires_in: positive_secs(m.get("expires_in")),
            scope: str_field(&m, "scope").map(str::to_owned),
            workspaces: m
                .get("workspaces")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Workspace::from_json).collect())
                .unwrap_or_default(),
        })
    }

    /// Expiry: JWT `exp`, else now + `expires_in`, else now + 900 s.
    pub(crate) fn expires_at(&self, wall: SystemTime) -> u64 {
        if let Some(exp) = decode_claims(self.access_token.expose())
            .as_ref()
            .and_then(exp_claim)
        {
            return exp;
        }
        let now = unix_secs(wall);
        match self.expires_in {
            Some(d) => now.saturating_add(d.as_secs().max(1)),
            None => now.saturating_add(DEFAULT_LIFETIME_SECS),
        }
    }

    /// The login result for `workspace_id`.
    pub(crate) fn into_credentials(self, workspace_id: String, wall: SystemTime) -> Credentials {
        let expires_at = self.expires_at(wall);
        Credentials {
            access_token: self.access_token,
            refresh_token: self.refresh_token.unwrap_or_else(|| Secret::new("")),
            workspace_id,
            expires_at,
            scope: self.scope,
        }
    }
}

/// Whole Unix seconds of a wall-clock reading (0 before the epoch).
pub fn unix_secs(t: SystemTime) -> u64 {
    t.duration_since(web_time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The memberships listed by `/self/profile` or `/self`.
pub(crate) fn parse_workspaces(body: &[u8]) -> Vec<Workspace> {
    json_object(body)
        .get("workspaces")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Workspace::from_json).collect())
        .unwrap_or_default()
}
