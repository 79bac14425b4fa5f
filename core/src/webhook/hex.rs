//! Lower-case hex encoding and strict hex decoding.

/// Encodes bytes as lower-case hex.
pub(crate) fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(digit(b >> 4));
        out.push(digit(b & 0x0f));
    }
    out
}

/// The lower-case hex digit of a value below 16.
fn digit(n: u8) -> char {
    char::from(if n < 10 { b'0' + n } else { b'a' + (n - 10) })
}

fn nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Decodes non-empty, even-length hex (either case); anything else is `None`.
pub(crate) fn decode(text: &[u8]) -> Option<Vec<u8>> {
    if text.is_empty() || text.len() % 2 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() / 2);
    for pair in text.chunks_exact(2) {
        let &[hi, lo] = pair else { return None };
        out.push((nibble(hi)? << 4) | nibble(lo)?);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::{decode, encode};

    #[test]
    fn round_trip_all_bytes() {
        let all: Vec<u8> = (0..=255).collect();
        let hex = encode(&all);
        assert_eq!(hex.len(), 512);
        assert!(hex.starts_with("000102") && hex.ends_with("fdfeff"));
        assert_eq!(decode(hex.as_bytes()), Some(all.clone()));
        assert_eq!(decode(hex.to_uppercase().as_bytes()), Some(all));
    }

    #[test]
    fn rejects_bad_input() {
        for bad in ["", "a", "abc", "zz", "0g", " 00", "00 ", "0x00", "+0"] {
            assert_eq!(decode(bad.as_bytes()), None, "{bad:?}");
        }
        assert_eq!(decode(b"\xff\xff"), None);
        assert_eq!(encode(&[]), "");
    }
}
