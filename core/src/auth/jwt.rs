//! JWT payload decoding without signature verification.
//!
//! The identity service validates tokens; the SDK only reads claims (`workspace_id`,
//! `workspace_bootstrap`, `exp`) to route the login flow and to know when to refresh.

use serde_json::{Map, Value};

/// Decodes base64url text (RFC 4648 §5), padding optional; `None` on any invalid input.
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for b in text.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Encodes bytes as base64url without padding (used to build test tokens).
pub fn base64url_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (16 - 8 * i)));
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// The claims of a JWT's payload, or `None` when the token is not a decodable JWT.
///
/// Exactly three `.`-separated parts with a non-empty middle part, base64url (padding
/// optional) of a JSON object; anything else yields `None`.
pub fn decode_claims(token: &str) -> Option<Map<String, Value>> {
    let mut parts = token.split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || payload.is_empty() {
        return None;
    }
    match serde_json::from_slice::<Value>(&base64url_decode(payload)?).ok()? {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

/// Whether a claim is "truthy": `true`, a non-zero number, a non-empty string, any array or object.
pub(crate) fn truthy(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(_) | Value::Object(_)) => true,
        _ => false,
    }
}

/// The `workspace_id` claim when it is a non-empty string.
pub(crate) fn workspace_claim(claims: &Map<String, Value>) -> Option<String> {
    claims
        .get("workspace_id")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The `exp` claim as whole Unix seconds, when it is a non-negative number.
pub(crate) fn exp_claim(claims: &Map<String, Value>) -> Option<u64> {
    let v = claims.get("exp")?;
    v.as_u64().or_else(|| {
        v.as_f64()
            .filter(|f| f.is_finite() && *f >= 0.0)
            .map(|f| f as u64)
    })
}

/// Builds an unsigned JWT-shaped token (`header.payload.signature`) carrying `claims`.
///
/// For tests and mock servers only: the signature part is a fixed placeholder.
pub fn unsigned_jwt(claims: &Value) -> String {
    format!(
        "{}.{}.sig",
        base64url_encode(br#"{"alg":"none","typ":"JWT"}"#),
        base64url_encode(claims.to_string().as_bytes())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn base64url_round_trip_and_rejects() {
        for n in 0..40u8 {
            let data: Vec<u8> = (0..n)
                .map(|i| i.wrapping_mul(37).wrapping_add(250))
                .collect();
            let enc = base64url_encode(&data);
            assert_eq!(base64url_decode(&enc).unwrap(), data);
            let padded = format!("{enc}{}", "=".repeat((4 - enc.len() % 4) % 4));
            assert_eq!(base64url_decode(&padded).unwrap(), data);
        }
        assert_eq!(base64url_decode("aGk").unwrap(), b"hi");
        assert!(base64url_decode("a+b/").is_none());
        assert!(base64url_decode("abcde").is_none());
        assert!(base64url_decode("a b").is_none());
    }

    #[test]
    fn claims_valid_token_exact() {
        let claims = json!({"workspace_id": "ws1", "exp": 1_700_000_000u64, "sub": "u-1"});
        let token = unsigned_jwt(&claims);
        assert_eq!(Value::Object(decode_claims(&token).unwrap()), claims);
        let m = decode_claims(&token).unwrap();
        assert_eq!(workspace_claim(&m).as_deref(), Some("ws1"));
        assert_eq!(exp_claim(&m), Some(1_700_000_000));
    }

    #[test]
    fn claims_invalid_tokens_are_none() {
        let body = base64url_encode(br#"{"a":1}"#);
        for bad in [
            "".to_owned(),
            "onlyone".to_owned(),
            format!("h.{body}"),
            "h..s".to_owned(),
            "h.!!!.s".to_owned(),
            format!("h.{}.s", base64url_encode(b"not json")),
            format!("h.{}.s", base64url_encode(b"[1,2]")),
            format!("h.{body}.s.extra"),
        ] {
            assert!(decode_claims(&bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn truthiness() {
        for (v, t) in [
            (json!(true), true),
            (json!(false), false),
            (json!(1), true),
            (json!(0), false),
            (json!(0.0), false),
            (json!("x"), true),
            (json!(""), false),
            (json!([]), true),
            (json!({}), true),
            (Value::Null, false),
        ] {
            assert_eq!(truthy(Some(&v)), t, "{v}");
        }
        assert!(!truthy(None));
        let m = decode_claims(&unsigned_jwt(&json!({"workspace_id": ""}))).unwrap();
        assert_eq!(workspace_claim(&m), None);
        let m = decode_claims(&unsigned_jwt(&json!({"workspace_id": 5}))).unwrap();
        assert_eq!(workspace_claim(&m), None);
    }
}
