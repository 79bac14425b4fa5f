//! Property tests against an independent reference: random byte streams made of field
//! prefixes, CR / LF / CRLF endings, BOM bytes, multi-byte and broken UTF-8 and long lines
//! (several KiB, so a line spans many reads and every vector width of the line scanner)
//! decode the same whatever the chunk boundaries, and the same as a naive decoder that
//! converts the whole stream to text first and splits it afterwards.

use proptest::collection::vec;
use proptest::prelude::*;

use super::super::{SseDecoder, SseError, SseEvent, SseItem, MAX_BLOCK_BYTES};

type Out = Vec<Result<SseItem, SseError>>;

/// One piece of a generated stream.
#[derive(Debug, Clone)]
enum Piece {
    /// Literal bytes (field prefixes, endings, characters, broken UTF-8).
    Bytes(&'static [u8]),
    /// `count` copies of one unit: a long line or a long run of endings.
    Run(&'static [u8], usize),
}

const FIELDS: &[&[u8]] = &[
    b"data:", b"data: ", b"data", b"event:", b"event: ", b"id:", b"id: ", b"retry:", b"retry: ",
    b":", b": ", b"dat", b"Data:", b"x:",
];
const ENDINGS: &[&[u8]] = &[
    b"\n",
    b"\r",
    b"\r\n",
    b"\n\n",
    b"\r\r",
    b"\r\n\r\n",
    b"\n\r",
];
const TEXT: &[&[u8]] = &[
    b"a",
    b"Z",
    b"0",
    b"42",
    b" ",
    b":",
    b"{\"k\":1}",
    b"\0",
    b"\t",
    "\u{e9}".as_bytes(),
    "\u{4e2d}".as_bytes(),
    "\u{1f600}".as_bytes(),
    "\u{feff}".as_bytes(),
    "\u{fffd}".as_bytes(),
    // Broken UTF-8: a stray continuation, a truncated 3- and 4-byte sequence, invalid bytes.
    b"\x80",
    b"\xE4\xB8",
    b"\xF0\x9F\x98",
    b"\xFF",
    b"\xC0\xAF",
    b"\xED\xA0\x80",
    // BOM bytes away from the start are ordinary (invalid or U+FEFF) input.
    b"\xEF\xBB\xBF",
    b"\xEF\xBB",
];
const RUN_UNITS: &[&[u8]] = &[
    b"x",
    b"0",
    b" ",
    "\u{e9}".as_bytes(),
    "\u{4e2d}".as_bytes(),
    "\u{1f600}".as_bytes(),
    b"ab:cd",
    b"\xF0\x9F",
    b"\n",
    b"\r",
    b"\r\n",
];

fn piece() -> impl Strategy<Value = Piece> {
    prop_oneof![
        4 => proptest::sample::select(FIELDS).prop_map(Piece::Bytes),
        4 => proptest::sample::select(ENDINGS).prop_map(Piece::Bytes),
        5 => proptest::sample::select(TEXT).prop_map(Piece::Bytes),
        1 => (proptest::sample::select(RUN_UNITS), 0usize..3000)
            .prop_map(|(unit, count)| Piece::Run(unit, count)),
    ]
}

/// A stream: an optional (possibly partial) BOM, then the pieces.
fn stream() -> impl Strategy<Value = Vec<u8>> {
    (0usize..5, vec(piece(), 0..80)).prop_map(|(bom, pieces)| {
        let mut out = match bom {
            0 => b"\xEF\xBB\xBF".to_vec(),
            1 => b"\xEF\xBB".to_vec(),
            2 => b"\xEF\xBB\xBF\xEF\xBB\xBF".to_vec(),
            _ => Vec::new(),
        };
        for piece in pieces {
            match piece {
                Piece::Bytes(bytes) => out.extend_from_slice(bytes),
                Piece::Run(unit, count) => {
                    for _ in 0..count {
                        out.extend_from_slice(unit);
                    }
                }
            }
        }
        out
    })
}

/// Feeds `chunks` to one decoder, draining after every feed and after `finish`.
fn decode_chunks<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Out {
    let mut decoder = SseDecoder::new();
    let mut out = Vec::new();
    for chunk in chunks {
        decoder.feed(chunk);
        out.extend(std::iter::from_fn(|| decoder.next_frame()));
    }
    decoder.finish();
    out.extend(std::iter::from_fn(|| decoder.next_frame()));
    out
}

/// Cuts `input` at the (sorted, clamped) `cuts`.
fn split_at<'a>(input: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut cuts: Vec<usize> = cuts.iter().map(|&c| c % (input.len() + 1)).collect();
    cuts.sort_unstable();
    let mut pieces = Vec::with_capacity(cuts.len() + 1);
    let mut start = 0;
    for cut in cuts.into_iter().chain([input.len()]) {
        pieces.push(&input[start..cut]);
        start = cut;
    }
    pieces
}

/// The naive reading of the rules: strip one leading BOM, decode the whole stream to text
/// with U+FFFD replacement, split it into lines at CRLF, LF or CR (dropping an unterminated
/// last line), and interpret the lines.
fn reference(input: &[u8]) -> Out {
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let text = String::from_utf8_lossy(input);
    let mut lines = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => lines.push(std::mem::take(&mut current)),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                lines.push(std::mem::take(&mut current));
            }
            c => current.push(c),
        }
    }
    let mut out = Vec::new();
    let (mut data, mut event, mut id): (Option<String>, Option<String>, Option<String>) =
        (None, None, None);
    for line in lines {
        if line.is_empty() {
            if let Some(data) = data.take() {
                out.push(Ok(SseItem::Event(SseEvent {
                    event: event.take().filter(|e| !e.is_empty()),
                    data,
                    id: id.take(),
                })));
            }
            event = None;
            id = None;
            continue;
        }
        let (name, value) = line.split_once(':').unwrap_or((line.as_str(), ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match name {
            "" => out.push(Ok(SseItem::Comment(value.to_owned()))),
            "data" => match &mut data {
                Some(d) => {
                    d.push('\n');
                    d.push_str(value);
                }
                None => data = Some(value.to_owned()),
            },
            "event" => event = Some(value.to_owned()),
            "id" if !value.contains('\0') => id = Some(value.to_owned()),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                out.push(Ok(SseItem::Retry(value.parse().unwrap_or(u64::MAX))));
            }
            _ => {}
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn long_lines_and_mixed_endings_decode_like_the_reference_for_any_chunking(
        input in stream(),
        cuts in vec(any::<usize>(), 0..24),
        read in prop_oneof![1usize..8, 8usize..100, Just(4096)],
    ) {
        prop_assume!(input.len() < MAX_BLOCK_BYTES);
        let expected = reference(&input);
        prop_assert_eq!(&decode_chunks([input.as_slice()]), &expected);
        prop_assert_eq!(&decode_chunks(split_at(&input, &cuts)), &expected);
        prop_assert_eq!(&decode_chunks(input.chunks(read)), &expected);
        // Empty chunks between the pieces change nothing either.
        let with_empties = split_at(&input, &cuts)
            .into_iter()
            .flat_map(|piece| [piece, &[][..]]);
        prop_assert_eq!(&decode_chunks(with_empties), &expected);
    }
}

#[test]
fn reference_agrees_with_a_hand_checked_stream() {
    let input = b"\xEF\xBB\xBFid: 1\revent: a\r\ndata: x\xFFy\ndata\n\n: c\r\rretry: 12\n";
    let expected: Out = vec![
        Ok(SseItem::Event(SseEvent {
            event: Some("a".into()),
            data: "x\u{fffd}y\n".into(),
            id: Some("1".into()),
        })),
        Ok(SseItem::Comment("c".into())),
        Ok(SseItem::Retry(12)),
    ];
    assert_eq!(reference(input), expected);
    assert_eq!(decode_chunks([&input[..]]), expected);
}
