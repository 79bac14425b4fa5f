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
#[inline]
pub(crate) fn decode_array<const N: usize>(text: &[u8]) -> Option<Decoded<N>> {
    if text.is_empty() || !text.len().is_multiple_of(2) {
        return None;
    }
    if text.len() != 2 * N {
        return text
            .iter()
            .all(|&c| NIBBLES[usize::from(c)] != INVALID)
            .then_some(Decoded::OtherLength);
    }
    let mut out = [0u8; N];
    let mut words = text.chunks_exact(8);
    let mut bytes = out.chunks_exact_mut(4);
    let mut valid = true;
    for (word, four) in (&mut words).zip(&mut bytes) {
        let mut chars = [0u8; 8];
        chars.copy_from_slice(word);
        match decode_word(u64::from_le_bytes(chars)) {
            Some(decoded) => four.copy_from_slice(&decoded.to_le_bytes()),
            None => valid = false,
        }
    }
    // Fewer than eight digits left (only when `N` is not a multiple of four).
    let mut seen = 0u8;
    for (byte, pair) in bytes
        .into_remainder()
        .iter_mut()
        .zip(words.remainder().chunks_exact(2))
    {
        let hi = NIBBLES[usize::from(pair[0])];
        let lo = NIBBLES[usize::from(pair[1])];
        seen |= hi | lo;
        *byte = (hi << 4) | (lo & 0x0f);
    }
    (valid && seen & 0xf0 == 0).then_some(Decoded::Exact(out))
}

/// Every byte of a `u64` set to one value.
const fn lanes(byte: u8) -> u64 {
    u64::from_le_bytes([byte; 8])
}

/// Decodes eight hex digits held in a `u64` (first digit in the lowest byte) into four
/// bytes (first byte lowest), or `None` when any of the eight is not a hex digit.
///
/// Works on all eight lanes at once: with each lane's top bit cleared, adding a constant
/// below 0x80 never carries into the next lane, so `lane + (0x80 - lo)` has its top bit
/// set exactly when `lane >= lo`.
#[inline]
fn decode_word(chars: u64) -> Option<u32> {
    const TOP: u64 = lanes(0x80);
    let low7 = chars & !TOP;
    let at_least = |lo: u8| low7.wrapping_add(lanes(0x80 - lo)) & TOP;
    let digit = at_least(b'0') & !at_least(b'9' + 1);
    // Setting bit 0x20 folds 'A'..='F' onto 'a'..='f' (and only those onto that range).
    let folded = low7 | lanes(0x20);
    let above = |lo: u8| folded.wrapping_add(lanes(0x80 - lo)) & TOP;
    let letter = above(b'a') & !above(b'f' + 1);
    if chars & TOP != 0 || (digit | letter) != TOP {
        return None;
    }
    // '0'..='9' end in 0..=9; 'a'..='f' and 'A'..='F' end in 1..=6 and need 9 more.
    let nibbles = (chars & lanes(0x0f)) + (letter >> 7) * 9;
    // Each 16-bit lane holds two digits: the first (high nibble) in its low byte.
    let pairs = ((nibbles & 0x00ff_00ff_00ff_00ff) << 4) | ((nibbles >> 8) & 0x00ff_00ff_00ff_00ff);
    let packed = (pairs | (pairs >> 8)) & 0x0000_ffff_0000_ffff;
    let packed = (packed | (packed >> 16)) & 0xffff_ffff;
    u32::try_from(packed).ok()
}

#[cfg(test)]
mod tests {
    use super::{decode_array, decode_word, encode, Decoded, INVALID, NIBBLES};

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
    fn word_decoding_matches_the_table_for_every_byte_in_every_lane() {
        let table = |text: &[u8; 8]| -> Option<u32> {
            let mut out = [0u8; 4];
            for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
                let hi = NIBBLES[usize::from(pair[0])];
                let lo = NIBBLES[usize::from(pair[1])];
                if hi == INVALID || lo == INVALID {
                    return None;
                }
                *byte = (hi << 4) | lo;
            }
            Some(u32::from_le_bytes(out))
        };
        for filler in *b"09afAF" {
            for b in 0..=255u8 {
                for lane in 0..8 {
                    let mut text = [filler; 8];
                    text[lane] = b;
                    assert_eq!(
                        decode_word(u64::from_le_bytes(text)),
                        table(&text),
                        "{text:?}"
                    );
                }
            }
        }
        assert_eq!(
            decode_word(u64::from_le_bytes(*b"01aBcDeF")),
            Some(u32::from_le_bytes([0x01, 0xab, 0xcd, 0xef]))
        );
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
