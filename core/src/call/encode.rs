//! Percent-encoding for path segments, query strings and form bodies.

use std::fmt::Write as _;

/// Whether a byte is kept verbatim in paths and query strings: `A–Z a–z 0–9 - _ . ! ~ * ' ( )`.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')'
        )
}

/// Percent-encodes a path or query value (space → `%20`, uppercase hex).
pub(crate) fn encode_component(value: &str) -> String {
    encode_keeping(value, is_unreserved)
}

/// Appends `value` to `out`, percent-encoded like [`encode_component`].
pub(crate) fn encode_component_into(out: &mut String, value: &str) {
    encode_keeping_into(out, value, is_unreserved);
}

/// Percent-encodes every byte of `value` for which `keep` is false (uppercase hex).
pub(crate) fn encode_keeping(value: &str, keep: impl Fn(u8) -> bool) -> String {
    let mut out = String::with_capacity(value.len());
    encode_keeping_into(&mut out, value, keep);
    out
}

/// Appends `value` to `out`, percent-encoding every byte for which `keep` is false.
fn encode_keeping_into(out: &mut String, value: &str, keep: impl Fn(u8) -> bool) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let bytes = value.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if keep(b) {
            continue;
        }
        // Kept bytes are ASCII: a non-empty run of them starts and ends on char boundaries.
        if start < i {
            out.push_str(&value[start..i]);
        }
        out.push('%');
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
        start = i + 1;
    }
    out.push_str(&value[start..]);
}

/// Encodes one `application/x-www-form-urlencoded` token (space → `+`).
pub(crate) fn encode_form_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for &b in value.as_bytes() {
        match b {
            b' ' => out.push('+'),
            b'*' | b'-' | b'.' | b'_' => out.push(b as char),
            _ if b.is_ascii_alphanumeric() => out.push(b as char),
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

/// Serialises ordered pairs as an `application/x-www-form-urlencoded` body.
pub(crate) fn encode_form(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode_form_component(k), encode_form_component(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The run-copying encoder agrees with a byte-at-a-time reference on any text.
        #[test]
        fn matches_a_byte_at_a_time_reference(value in "\\PC{0,40}") {
            let mut expected = String::new();
            for &b in value.as_bytes() {
                if is_unreserved(b) {
                    expected.push(char::from(b));
                } else {
                    expected.push_str(&format!("%{b:02X}"));
                }
            }
            proptest::prop_assert_eq!(encode_component(&value), expected.clone());
            let mut appended = String::from("x=");
            encode_component_into(&mut appended, &value);
            proptest::prop_assert_eq!(appended, format!("x={expected}"));
        }
    }

    #[test]
    fn path_values_encode_reserved_bytes() {
        assert_eq!(encode_component("a/b c?d#e%"), "a%2Fb%20c%3Fd%23e%25");
        assert_eq!(encode_component("a b/c"), "a%20b%2Fc");
        assert_eq!(encode_component("A-z_0.!~*'()"), "A-z_0.!~*'()");
        assert_eq!(encode_component("a b&c+d"), "a%20b%26c%2Bd");
        assert_eq!(encode_component("é"), "%C3%A9");
    }

    #[test]
    fn form_encoding_uses_plus_for_space() {
        assert_eq!(encode_form_component("a b/c~"), "a+b%2Fc%7E");
        assert_eq!(
            encode_form(&[
                ("grant_type".into(), "x y".into()),
                ("k".into(), "*-._".into())
            ]),
            "grant_type=x+y&k=*-._"
        );
    }
}
