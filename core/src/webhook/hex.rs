//! Lower-case hex encoding and strict, allocation-free hex decoding.

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

/// Marks a byte that is not a hex digit in [`NIBBLES`].
const INVALID: u8 = 0xff;

/// The value of every byte read as a hex digit (either case), or [`INVALID`].
static NIBBLES: [u8; 256] = nibble_table();

const fn nibble_table() -> [u8; 256] {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        table[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
}

/// Well-formed hex text, decoded when it has the expected length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decoded<const N: usize> {
    /// Exactly `N` bytes.
    Exact([u8; N]),
    /// Valid hex of another (non-zero, whole-byte) length; its bytes are not kept.
    OtherLength,
}

/// Decodes non-empty, even-length hex (either case) into a stack array; anything else is
/// `None`. Text of another length than `2 * N` digits is validated but not kept.
pub(crate) fn decode_array<const N: usize>(text: &[u8]) -> Option<Decoded<N>> {
    if text.is_empty() || text.len() % 2 != 0 {
        return None;
    }
    if text.len() != 2 * N {
        return text
            .iter()
            .all(|&c| NIBBLES[usize::from(c)] != INVALID)
            .then_some(Decoded::OtherLength);
    }
    let mut out = [0u8; N];
    // OR-ing every nibble keeps the loop branch-free; any invalid digit sets the high bit.
    let mut seen = 0u8;
    for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        let hi = NIBBLES[usize::from(pair[0])];
        let lo = NIBBLES[usize::from(pair[1])];
        seen |= hi | lo;
        *byte = (hi << 4) | (lo & 0x0f);
    }
    (seen & 0xf0 == 0).then_some(Decoded::Exact(out))
}

#[cfg(test)]
mod tests {
    use super::{decode_array, encode, Decoded};

    #[test]
    fn round_trip_all_bytes() {
        let all: [u8; 256] = std::array::from_fn(|i| i as u8);
        let hex = encode(&all);
        assert_eq!(hex.len(), 512);
        assert!(hex.starts_with("000102") && hex.ends_with("fdfeff"));
        assert_eq!(
            decode_array::<256>(hex.as_bytes()),
            Some(Decoded::Exact(all))
        );
        assert_eq!(
            decode_array::<256>(hex.to_uppercase().as_bytes()),
            Some(Decoded::Exact(all))
        );
        // Mixed case within one value and within one byte.
        assert_eq!(
            decode_array::<4>(b"aBcDEf09"),
            Some(Decoded::Exact([0xab, 0xcd, 0xef, 0x09]))
        );
    }

    #[test]
    fn other_lengths_are_validated_but_not_kept() {
        assert_eq!(decode_array::<32>(b"00"), Some(Decoded::OtherLength));
        assert_eq!(
            decode_array::<32>("ab".repeat(33).as_bytes()),
            Some(Decoded::OtherLength)
        );
        assert_eq!(
            decode_array::<32>("AB".repeat(31).as_bytes()),
            Some(Decoded::OtherLength)
        );
        assert_eq!(
            decode_array::<32>(format!("{}zz", "ab".repeat(31)).as_bytes()),
            None
        );
        assert_eq!(decode_array::<1>(b"0g00"), None);
    }

    #[test]
    fn rejects_bad_input() {
        for bad in [
            "", "a", "abc", "zz", "0g", " 00", "00 ", "0x00", "+0", "-1", "g0",
        ] {
            assert_eq!(decode_array::<1>(bad.as_bytes()), None, "{bad:?}");
            assert_eq!(decode_array::<2>(bad.as_bytes()), None, "{bad:?}");
        }
        assert_eq!(decode_array::<1>(b"\xff\xff"), None);
        assert_eq!(encode(&[]), "");
    }

    #[test]
    fn every_non_hex_byte_is_rejected_in_either_position() {
        for b in 0..=255u8 {
            let valid = b.is_ascii_hexdigit();
            for text in [[b, b'0'], [b'0', b]] {
                let got = decode_array::<1>(&text);
                assert_eq!(got.is_some(), valid, "{text:?}");
            }
            let long = [b'0', b'0', b, b'0'];
            assert_eq!(decode_array::<1>(&long).is_some(), valid, "{long:?}");
        }
    }
}
