//! Unit tests: the decoder's behaviour checklist and the WHATWG field rules.

use super::{SseDecoder, SseError, SseEvent, SseItem, MAX_BLOCK_BYTES};

type Out = Vec<Result<SseItem, SseError>>;

/// Feeds `chunks` into a fresh decoder with `limit`, draining after every
/// feed, then finishes and drains again.
fn decode_with(limit: usize, chunks: &[&[u8]]) -> Out {
    let mut decoder = SseDecoder::with_max_block_bytes(limit);
    let mut out = Vec::new();
    for chunk in chunks {
        decoder.feed(*chunk);
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

fn decode(chunks: &[&[u8]]) -> Out {
    decode_with(MAX_BLOCK_BYTES, chunks)
}

fn event(name: Option<&str>, data: &str, id: Option<&str>) -> Result<SseItem, SseError> {
    Ok(SseItem::Event(SseEvent {
        event: name.map(str::to_owned),
        data: data.to_owned(),
        id: id.map(str::to_owned),
    }))
}

fn data(d: &str) -> Result<SseItem, SseError> {
    event(None, d, None)
}

fn comment(text: &str) -> Result<SseItem, SseError> {
    Ok(SseItem::Comment(text.to_owned()))
}

/// Every way to cut `input` into two and three chunks, plus byte by byte,
/// must decode like the whole input in one chunk.
fn assert_split_invariant(input: &[u8], expected: &Out) {
    assert_eq!(&decode(&[input]), expected, "whole input");
    let bytes: Vec<&[u8]> = input.chunks(1).collect();
    assert_eq!(&decode(&bytes), expected, "byte by byte");
    for i in 0..=input.len() {
        assert_eq!(
            &decode(&[&input[..i], &input[i..]]),
            expected,
            "split at {i}"
        );
        for j in i..=input.len() {
            let three = [&input[..i], &input[i..j], &input[j..]];
            assert_eq!(&decode(&three), expected, "split at {i} and {j}");
        }
    }
}

// ---- line endings ---------------------------------------------------

#[test]
fn lf_crlf_and_lone_cr_line_endings_all_frame() {
    let expected = vec![data("a"), data("b\nc")];
    assert_eq!(decode(&[b"data: a\n\ndata: b\ndata: c\n\n"]), expected);
    assert_eq!(
        decode(&[b"data: a\r\n\r\ndata: b\r\ndata: c\r\n\r\n"]),
        expected
    );
    assert_eq!(decode(&[b"data: a\r\rdata: b\rdata: c\r\r"]), expected);
    assert_eq!(decode(&[b"data: a\r\n\rdata: b\ndata: c\r\r\n"]), expected);
}

#[test]
fn crlf_split_across_reads_is_one_line_ending() {
    // If the LF were a second line ending, "a" would be dispatched alone.
    assert_eq!(
        decode(&[b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n"]),
        vec![data("a\nb")]
    );
    // A blank line ended by a split CRLF dispatches once; the LF is not another blank line.
    assert_eq!(
        decode(&[b"data: a\r\n\r", b"\ndata: b\n\n"]),
        vec![data("a"), data("b")]
    );
    // A CR at the end of a read followed by a non-LF byte is a lone CR.
    assert_eq!(decode(&[b"data: a\r", b"\r"]), vec![data("a")]);
    // An empty read in between keeps the pending CR.
    assert_eq!(
        decode(&[b"data: a\r", b"", b"\ndata: b\n\n"]),
        vec![data("a\nb")]
    );
}

#[test]
fn lf_cr_is_two_line_endings() {
    assert_eq!(
        decode(&[b"data: a\n\rdata: b\n\n"]),
        vec![data("a"), data("b")]
    );
}

// ---- BOM ------------------------------------------------------------

#[test]
fn leading_bom_is_skipped() {
    assert_eq!(decode(&[b"\xEF\xBB\xBFdata: a\n\n"]), vec![data("a")]);
    assert_eq!(
        decode(&[b"\xEF", b"\xBB", b"\xBFdata: a\n\n"]),
        vec![data("a")]
    );
    assert_eq!(
        decode(&[b"", b"\xEF\xBB", b"\xBF", b"data: a\n\n"]),
        vec![data("a")]
    );
}

#[test]
fn only_one_leading_bom_is_skipped() {
    // The second BOM becomes part of the first field name, so the field is unknown.
    assert_eq!(
        decode(&[b"\xEF\xBB\xBF\xEF\xBB\xBFdata: a\n\ndata: b\n\n"]),
        vec![data("b")]
    );
    // A BOM later in the stream is ordinary text.
    assert_eq!(
        decode(&[b"data: a\n\n\xEF\xBB\xBFdata: b\n\ndata: \xEF\xBB\xBFc\n\n"]),
        vec![data("a"), data("\u{feff}c")]
    );
}

#[test]
fn partial_bom_is_ordinary_input() {
    // EF BB followed by 'd' is an invalid sequence in the first field name.
    assert_eq!(
        decode(&[b"\xEF\xBB", b"data: a\n\ndata: b\n\n"]),
        vec![data("b")]
    );
    assert_eq!(decode(&[b"\xEF\xBB\n\ndata: b\n\n"]), vec![data("b")]);
    assert_eq!(decode(&[b"\xEF\n\ndata: b\n\n"]), vec![data("b")]);
    assert_eq!(decode(&[b":\xEF\xBB\n"]), vec![comment("\u{fffd}")]);
}

// ---- end of input ---------------------------------------------------

#[test]
fn trailing_unterminated_block_is_discarded() {
    assert_eq!(decode(&[b"data: a\n\ndata: b\n"]), vec![data("a")]);
    assert_eq!(decode(&[b"data: a\n\ndata: b"]), vec![data("a")]);
    assert_eq!(decode(&[b"data: a\n\ndata: b\r"]), vec![data("a")]);
    assert_eq!(
        decode(&[b"data: a\n\nevent: x\nid: 3\ndata: b\n"]),
        vec![data("a")]
    );
}

#[test]
fn finish_resets_for_a_new_stream_and_keeps_queued_items() {
    let mut decoder = SseDecoder::new();
    decoder.feed(b"data: a\n\ndata: tail");
    decoder.finish();
    decoder.feed(b"\xEF\xBB\xBFdata: b\n\n");
    assert_eq!(decoder.next_frame(), Some(data("a")));
    assert_eq!(decoder.next_frame(), Some(data("b")));
    assert_eq!(decoder.next_frame(), None);
}

// ---- retry ----------------------------------------------------------

#[test]
fn retry_applies_only_when_all_ascii_digits() {
    assert_eq!(decode(&[b"retry: 3000abc\n\n"]), vec![]);
    assert_eq!(
        decode(&[b"retry: 3000\n\n"]),
        vec![Ok(SseItem::Retry(3000))]
    );
    assert_eq!(decode(&[b"retry:3000\n"]), vec![Ok(SseItem::Retry(3000))]);
    assert_eq!(decode(&[b"retry: 0\n"]), vec![Ok(SseItem::Retry(0))]);
    assert_eq!(decode(&[b"retry: 007\n"]), vec![Ok(SseItem::Retry(7))]);
    for ignored in [
        &b"retry:\n"[..],
        b"retry: \n",
        b"retry\n",
        b"retry:  3000\n",
        b"retry: 3000 \n",
        b"retry: -1\n",
        b"retry: +1\n",
        b"retry: 1.5\n",
        b"retry: 1e3\n",
        b"retry: \xD9\xA3\n", // ARABIC-INDIC DIGIT THREE is not ASCII
    ] {
        assert_eq!(
            decode(&[ignored]),
            vec![],
            "{:?}",
            String::from_utf8_lossy(ignored)
        );
    }
}

#[test]
fn retry_is_reported_at_once_not_with_the_dispatch() {
    let mut decoder = SseDecoder::new();
    decoder.feed(b"data: a\nretry: 500\n");
    assert_eq!(decoder.next_frame(), Some(Ok(SseItem::Retry(500))));
    assert_eq!(decoder.next_frame(), None);
    decoder.feed(b"\n");
    assert_eq!(decoder.next_frame(), Some(data("a")));
}

#[test]
fn huge_retry_saturates() {
    assert_eq!(
        decode(&[b"retry: 99999999999999999999999999\n"]),
        vec![Ok(SseItem::Retry(u64::MAX))]
    );
    assert_eq!(
        decode(&[b"retry: 18446744073709551615\n"]),
        vec![Ok(SseItem::Retry(u64::MAX))]
    );
}

// ---- id -------------------------------------------------------------

#[test]
fn id_containing_nul_is_ignored() {
    assert_eq!(decode(&[b"id: a\0b\ndata: x\n\n"]), vec![data("x")]);
    // An earlier valid id of the same block stays.
    assert_eq!(
        decode(&[b"id: 1\nid: \0\ndata: x\n\n"]),
        vec![event(None, "x", Some("1"))]
    );
    // NUL elsewhere is plain text.
    assert_eq!(decode(&[b"data: a\0b\n\n"]), vec![data("a\0b")]);
}

#[test]
fn id_is_per_block_last_wins_and_may_be_empty() {
    assert_eq!(
        decode(&[b"id: 1\nid: 2\ndata: x\n\ndata: y\n\nid\ndata: z\n\nid:\ndata: w\n\n"]),
        vec![
            event(None, "x", Some("2")),
            data("y"),
            event(None, "z", Some("")),
            event(None, "w", Some("")),
        ]
    );
}

#[test]
fn id_and_event_of_a_block_without_data_are_not_carried_over() {
    assert_eq!(
        decode(&[b"id: 5\nevent: error\n\ndata: x\n\n"]),
        vec![data("x")]
    );
}

// ---- data -----------------------------------------------------------

#[test]
fn multi_line_data_joins_with_lf_into_one_json_document() {
    let stream = b"event: call.started\nid: 1700000000001\ndata: {\"call_id\":\ndata: \"c1\",\ndata: \"n\": [1, 2]}\n\n";
    assert_eq!(
        decode(&[stream]),
        vec![event(
            Some("call.started"),
            "{\"call_id\":\n\"c1\",\n\"n\": [1, 2]}",
            Some("1700000000001")
        )]
    );
}

#[test]
fn data_field_rules() {
    assert_eq!(decode(&[b"data\n\n"]), vec![data("")]);
    assert_eq!(decode(&[b"data:\n\n"]), vec![data("")]);
    assert_eq!(decode(&[b"data\ndata\n\n"]), vec![data("\n")]);
    assert_eq!(decode(&[b"data:x\n\n"]), vec![data("x")]);
    assert_eq!(decode(&[b"data:  x\n\n"]), vec![data(" x")]);
    assert_eq!(decode(&[b"data: a: b:c\n\n"]), vec![data("a: b:c")]);
    assert_eq!(decode(&[b"data: x \n\n"]), vec![data("x ")]);
}

#[test]
fn block_without_data_dispatches_nothing() {
    assert_eq!(decode(&[b"event: error\nid: 0\n\n"]), vec![]);
    assert_eq!(decode(&[b"\n\n\n"]), vec![]);
    assert_eq!(decode(&[b"data: a\n\n\n\n"]), vec![data("a")]);
}

#[test]
fn event_name_rules() {
    assert_eq!(
        decode(&[
            b"event: a\nevent: b\ndata: x\n\nevent: a\nevent:\ndata: y\n\nevent\ndata: z\n\n"
        ]),
        vec![event(Some("b"), "x", None), data("y"), data("z")]
    );
    assert_eq!(
        decode(&[b"event:  x\ndata\n\n"]),
        vec![event(Some(" x"), "", None)]
    );
}

#[test]
fn unknown_and_case_mismatched_fields_are_ignored() {
    assert_eq!(
        decode(&[
            b"Data: a\nDATA: b\ndata : c\n data: d\nfoo: bar\nevents: e\nidd: 1\ndata: x\n\n"
        ]),
        vec![data("x")]
    );
}

// ---- comments -------------------------------------------------------

#[test]
fn comment_lines_are_reported_for_the_watchdog_and_do_not_affect_blocks() {
    assert_eq!(
        decode(&[b": heartbeat 1700000000\n\n:\n:  two\ndata: a\n:mid\ndata: b\n\n"]),
        vec![
            comment("heartbeat 1700000000"),
            comment(""),
            comment(" two"),
            comment("mid"),
            data("a\nb"),
        ]
    );
}

// ---- size limit -----------------------------------------------------

fn too_large() -> Result<SseItem, SseError> {
    Err(SseError::EventTooLarge {
        limit: MAX_BLOCK_BYTES,
    })
}

#[test]
fn block_over_one_mib_fails_with_event_too_large() {
    let mut stream = b"data: before\n\n".to_vec();
    stream.extend_from_slice(b"data: ");
    stream.extend_from_slice(&vec![b'x'; MAX_BLOCK_BYTES]);
    stream.extend_from_slice(b"\n\ndata: after\n\n");
    assert_eq!(decode(&[&stream]), vec![data("before"), too_large()]);
    // Fed in 4 KiB reads the oversized line fails before its end arrives.
    let chunks: Vec<&[u8]> = stream.chunks(4096).collect();
    assert_eq!(decode(&chunks), vec![data("before"), too_large()]);
}

#[test]
fn many_lines_adding_up_past_one_mib_fail() {
    let line = format!("data: {}\n", "x".repeat(57)); // 64 bytes
    assert_eq!(line.len(), 64);
    let lines = MAX_BLOCK_BYTES / 64;
    let mut stream = line.repeat(lines).into_bytes();
    // Exactly 1 MiB of block is allowed ...
    let mut exact = stream.clone();
    exact.push(b'\n');
    let out = decode(&[&exact]);
    assert_eq!(out.len(), 1);
    assert!(matches!(&out[0], Ok(SseItem::Event(e)) if e.data.len() == lines * 58 - 1));
    // ... one more byte (here a comment line) is not.
    stream.extend_from_slice(b":\n\n");
    assert_eq!(decode(&[&stream]), vec![too_large()]);
}

#[test]
fn one_mib_of_complete_small_frames_in_one_read_is_fine() {
    let frame = b"event: tick\nid: 1\ndata: {\"n\":1}\n\n";
    let count = 2 * MAX_BLOCK_BYTES / frame.len() + 1;
    let stream = frame.repeat(count);
    assert!(stream.len() > 2 * MAX_BLOCK_BYTES);
    let out = decode(&[&stream]);
    assert_eq!(out.len(), count);
    assert!(out
        .iter()
        .all(|item| *item == event(Some("tick"), "{\"n\":1}", Some("1"))));
}

#[test]
fn size_limit_boundaries_count_every_byte() {
    // "data: ab\r\n" is 10 bytes, the CRLF counting two, also when split.
    assert_eq!(decode_with(10, &[b"data: ab\r\n\r\n"]), vec![data("ab")]);
    assert_eq!(
        decode_with(10, &[b"data: ab\r", b"\n\r\n"]),
        vec![data("ab")]
    );
    let err9 = Err(SseError::EventTooLarge { limit: 9 });
    assert_eq!(decode_with(9, &[b"data: ab\r\n\r\n"]), vec![err9.clone()]);
    assert_eq!(
        decode_with(9, &[b"data: ab\r", b"\n\r\n"]),
        vec![err9.clone()]
    );
    // Comments and unknown fields count too.
    assert_eq!(decode_with(9, &[b": comment\n"]), vec![err9.clone()]);
    assert_eq!(
        decode_with(9, &[b":\n:\n:\n:\n:\n"]),
        vec![comment(""); 4]
            .into_iter()
            .chain([err9.clone()])
            .collect::<Vec<_>>()
    );
    // Blank lines reset the count; BOM does not count.
    assert_eq!(
        decode_with(9, &[b"\xEF\xBB\xBFdata: ab\n\ndata: cd\n\n"]),
        vec![data("ab"), data("cd")]
    );
    // A partial line already over the limit fails without waiting for its end.
    assert_eq!(decode_with(9, &[b"data: abcd"]), vec![err9.clone()]);
    assert_eq!(decode_with(9, &[b"data: abc"]), vec![]);
}

#[test]
fn after_event_too_large_input_is_ignored() {
    let mut decoder = SseDecoder::with_max_block_bytes(4);
    decoder.feed(b"data: x\n\n");
    assert!(decoder.has_failed());
    decoder.feed(b"\n\ndata\n\n");
    assert_eq!(
        decoder.next_frame(),
        Some(Err(SseError::EventTooLarge { limit: 4 }))
    );
    assert_eq!(decoder.next_frame(), None);
    assert_eq!(
        SseError::EventTooLarge { limit: 4 }.to_string(),
        "SSE event block exceeds 4 bytes"
    );
}

// ---- arbitrary split points -----------------------------------------

#[test]
fn frames_split_at_every_byte_boundary_are_reassembled() {
    // Splits fall inside `retry:`, the id, the event name, a CRLF and
    // 2-, 3- and 4-byte UTF-8 characters.
    let stream = "\u{feff}retry: 3000\r\n: hb\r\nid: 1700000000001\nevent: call.started\r\ndata: {\"name\":\"Jos\u{e9} \u{4e2d} \u{1f600}\"}\r\n\r\nevent: \u{1f600}\rdata\r\r".as_bytes();
    let expected = vec![
        Ok(SseItem::Retry(3000)),
        comment("hb"),
        event(
            Some("call.started"),
            "{\"name\":\"Jos\u{e9} \u{4e2d} \u{1f600}\"}",
            Some("1700000000001"),
        ),
        event(Some("\u{1f600}"), "", None),
    ];
    assert_split_invariant(stream, &expected);
}

#[test]
fn invalid_utf8_becomes_replacement_characters() {
    let expected = vec![data("a\u{fffd}b\u{fffd}\u{fffd}c\u{fffd}")];
    let stream = b"data: a\xFFb\xC3\xF0\x9F\x98c\xE4\xB8\n\n";
    assert_split_invariant(stream, &expected);
}

#[test]
fn bytes_input_is_accepted() {
    let mut decoder = SseDecoder::default();
    decoder.feed(bytes::Bytes::from_static(b"data: a\n\n"));
    decoder.feed(vec![b'd', b'a', b't', b'a', b'\n', b'\n']);
    decoder.feed("data: c\n\n");
    assert_eq!(decoder.next_frame(), Some(data("a")));
    assert_eq!(decoder.next_frame(), Some(data("")));
    assert_eq!(decoder.next_frame(), Some(data("c")));
    assert_eq!(decoder.next_frame(), None);
}

// ---- the one-pass UTF-8 check of a chunk's complete lines ------------------

#[test]
fn lines_after_invalid_utf8_in_the_same_chunk_decode_normally() {
    // One chunk: valid lines, a line with invalid bytes, then valid multi-byte text again.
    let stream = "id: 1\ndata: Jos\u{e9}\n\n: a\u{4e2d}\ndata: x\u{ff}\n"
        .as_bytes()
        .iter()
        .copied()
        .chain(*b"data: bad\xFF\xC3\n")
        .chain("event: \u{1f600}\ndata: \u{4e2d}\u{e9}\n\n: \u{e9}\n".bytes())
        .collect::<Vec<u8>>();
    let expected = vec![
        event(None, "Jos\u{e9}", Some("1")),
        comment("a\u{4e2d}"),
        event(
            Some("\u{1f600}"),
            "x\u{ff}\nbad\u{fffd}\u{fffd}\n\u{4e2d}\u{e9}",
            None,
        ),
        comment("\u{e9}"),
    ];
    assert_split_invariant(&stream, &expected);
}

#[test]
fn a_character_cut_by_the_chunk_boundary_in_a_long_line_is_reassembled() {
    let value = "\u{1f600}\u{e9}x".repeat(3000);
    let stream = format!("data: {value}\r\n\r\nid: \u{4e2d}\rdata: y\r\r");
    let expected = vec![data(&value), event(None, "y", Some("\u{4e2d}"))];
    let bytes = stream.as_bytes();
    assert_eq!(decode(&[bytes]), expected);
    for read in [1, 2, 3, 5, 7, 64, 4095, 4096] {
        let chunks: Vec<&[u8]> = bytes.chunks(read).collect();
        assert_eq!(decode(&chunks), expected, "reads of {read}");
    }
}

mod proptests;
mod session;
mod turn;
