//! Property tests: chunking never changes the output, the output matches a
//! model of the generated stream, and arbitrary bytes never panic.

use proptest::collection::vec;
use proptest::prelude::*;

use crate::sse::{SseDecoder, SseError, SseEvent, SseItem, MAX_BLOCK_BYTES};

mod reference;

type Out = Vec<Result<SseItem, SseError>>;

/// One generated line, before rendering to bytes.
#[derive(Debug, Clone)]
enum Line {
    /// `name:raw` (name non-empty, without `:`).
    Field(String, String),
    /// `name` alone (non-empty, without `:`).
    Bare(String),
    /// `:text`.
    Comment(String),
    /// An empty line.
    Blank,
}

impl Line {
    fn render(&self) -> String {
        match self {
            Line::Field(name, raw) => format!("{name}:{raw}"),
            Line::Bare(name) => name.clone(),
            Line::Comment(text) => format!(":{text}"),
            Line::Blank => String::new(),
        }
    }
}

#[derive(Debug, Clone)]
struct Stream {
    bom: bool,
    lines: Vec<(Line, &'static str)>,
    /// An unterminated last line (may be empty).
    tail: Line,
}

impl Stream {
    fn render(&self) -> Vec<u8> {
        let mut out = String::new();
        if self.bom {
            out.push('\u{feff}');
        }
        let mut previous = "\n";
        for (line, ending) in &self.lines {
            let text = line.render();
            // "\r" then an empty line ended by "\n" would read as one CRLF.
            let ending = if previous == "\r" && text.is_empty() && *ending == "\n" {
                "\r\n"
            } else {
                ending
            };
            out.push_str(&text);
            out.push_str(ending);
            previous = ending;
        }
        out.push_str(&self.tail.render());
        out.into_bytes()
    }

    /// What the event-stream rules say the stream decodes to, computed on the lines.
    fn expected(&self) -> Out {
        fn strip(value: &str) -> &str {
            value.strip_prefix(' ').unwrap_or(value)
        }
        let mut out = Vec::new();
        let (mut data, mut event, mut id): (Option<String>, Option<String>, Option<String>) =
            (None, None, None);
        for (line, _) in &self.lines {
            let (name, value) = match line {
                Line::Blank => {
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
                Line::Comment(text) => {
                    out.push(Ok(SseItem::Comment(strip(text).to_owned())));
                    continue;
                }
                Line::Field(name, raw) => (name.as_str(), strip(raw)),
                Line::Bare(name) => (name.as_str(), ""),
            };
            match name {
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
                    let ms = value.parse::<u64>().unwrap_or(u64::MAX);
                    out.push(Ok(SseItem::Retry(ms)));
                }
                _ => {}
            }
        }
        out
    }
}

fn text_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => proptest::char::range('a', 'z'),
        2 => proptest::char::range('0', '9'),
        2 => proptest::sample::select(vec![' ', ':', '"', '{', '}', ',', '\0', '\t']),
        1 => proptest::sample::select(vec!['\u{e9}', '\u{4e2d}', '\u{1f600}', '\u{feff}', '\u{fffd}']),
    ]
}

fn text(max: usize) -> impl Strategy<Value = String> {
    vec(text_char(), 0..max).prop_map(|chars| chars.into_iter().collect())
}

fn name() -> impl Strategy<Value = String> {
    let other = vec(
        prop_oneof![
            proptest::char::range('a', 'z'),
            proptest::sample::select(vec![' ', '.', '\u{e9}', '\u{1f600}']),
        ],
        1..8,
    )
    .prop_map(|chars| chars.into_iter().collect::<String>());
    prop_oneof![
        4 => Just("data".to_owned()),
        2 => Just("event".to_owned()),
        2 => Just("id".to_owned()),
        2 => Just("retry".to_owned()),
        1 => proptest::sample::select(vec!["Data", "data ", " data", "ids", "dat", "retr"])
            .prop_map(str::to_owned),
        1 => other,
    ]
}

fn raw_value() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => text(24),
        // retry-like values: valid, with spaces, with junk, too large
        1 => ("[ ]{0,2}", "[0-9]{0,24}", "(|a|abc| )")
            .prop_map(|(spaces, digits, junk)| format!("{spaces}{digits}{junk}")),
    ]
}

fn line() -> impl Strategy<Value = Line> {
    prop_oneof![
        5 => (name(), raw_value()).prop_map(|(n, v)| Line::Field(n, v)),
        1 => name().prop_map(Line::Bare),
        1 => text(16).prop_map(Line::Comment),
        3 => Just(Line::Blank),
    ]
}

fn ending() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(vec!["\n", "\r", "\r\n"])
}

fn stream() -> impl Strategy<Value = Stream> {
    (any::<bool>(), vec((line(), ending()), 0..40), line()).prop_map(|(bom, lines, tail)| Stream {
        bom,
        lines,
        tail,
    })
}

/// Decodes `input` cut at `cuts` (any order, out-of-range values clamped).
fn decode_split(limit: usize, input: &[u8], cuts: &[usize]) -> Out {
    let mut cuts: Vec<usize> = cuts.iter().map(|&c| c.min(input.len())).collect();
    cuts.sort_unstable();
    let mut decoder = SseDecoder::with_max_block_bytes(limit);
    let mut out = Vec::new();
    let mut start = 0;
    for cut in cuts.into_iter().chain([input.len()]) {
        decoder.feed(&input[start..cut]);
        start = cut;
        while let Some(item) = decoder.next_frame() {
            out.push(item);
        }
    }
    decoder.finish();
    while let Some(item) = decoder.next_frame() {
        out.push(item);
    }
    out
}

fn decode_bytewise(limit: usize, input: &[u8]) -> Out {
    let cuts: Vec<usize> = (0..input.len()).collect();
    decode_split(limit, input, &cuts)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn generated_streams_decode_as_modelled_for_every_chunking(
        stream in stream(),
        cuts in vec(any::<usize>(), 0..12),
    ) {
        let input = stream.render();
        let cuts: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
        let expected = stream.expected();
        prop_assert_eq!(&decode_split(MAX_BLOCK_BYTES, &input, &[]), &expected);
        prop_assert_eq!(&decode_split(MAX_BLOCK_BYTES, &input, &cuts), &expected);
        prop_assert_eq!(&decode_bytewise(MAX_BLOCK_BYTES, &input), &expected);
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_chunking_never_matters(
        input in vec(
            prop_oneof![
                3 => any::<u8>(),
                2 => proptest::sample::select(b"\r\n:\xEF\xBB\xBF datidevnry0".to_vec()),
            ],
            0..300,
        ),
        cuts in vec(any::<usize>(), 0..12),
        limit in prop_oneof![Just(MAX_BLOCK_BYTES), 0usize..40],
    ) {
        let cuts: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
        let whole = decode_split(limit, &input, &[]);
        prop_assert_eq!(&decode_split(limit, &input, &cuts), &whole);
        prop_assert_eq!(&decode_bytewise(limit, &input), &whole);
        // At most one error, and only as the last item.
        let errors = whole.iter().filter(|item| item.is_err()).count();
        prop_assert!(errors <= 1);
        if errors == 1 {
            prop_assert!(whole.last().is_some_and(|item| item.is_err()));
        }
    }

    #[test]
    fn size_limit_is_chunking_independent_on_generated_streams(
        stream in stream(),
        cuts in vec(any::<usize>(), 0..12),
        limit in 0usize..64,
    ) {
        let input = stream.render();
        let cuts: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
        let whole = decode_split(limit, &input, &[]);
        prop_assert_eq!(&decode_split(limit, &input, &cuts), &whole);
        prop_assert_eq!(&decode_bytewise(limit, &input), &whole);
        // Without an error the limit changes nothing.
        if whole.iter().all(Result::is_ok) {
            prop_assert_eq!(&whole, &stream.expected());
        }
    }
}
