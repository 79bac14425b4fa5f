//! What the driver performs and reports for one attempt: the [`Attempt`] to send, how much of
//! the answer's body to buffer ([`BodyLimit`]), and the [`AttemptOutcome`] it hands back.

use crate::error::Error;
use bytes::Bytes;
use std::time::Duration;

/// The server's HTTP/1 reason phrase, placed by transports in the response extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReasonPhrase(pub String);

/// One attempt the driver must perform.
///
/// `Debug` hides credential headers and capability tokens in the URL, and shows the body's length.
pub struct Attempt {
    /// The request, with `Authorization` set. Its body is empty when `upload` is set.
    pub request: http::Request<Bytes>,
    /// A streamed or observed body to send instead of the request's: the driver reads its
    /// segments in bounded chunks, sends `Content-Length` when every length is known (else
    /// chunked) and reports progress as it writes.
    pub upload: Option<crate::call::upload::Upload>,
    /// 1-based attempt number.
    pub number: u32,
    /// The time limit for the whole attempt (attempt timeout or what remains of the deadline).
    pub timeout: Option<Duration>,
    /// Which response body to keep for `Read` steps instead of buffering it (see
    /// [`Attempt::keeps`]); when one is kept, the timeout covers the headers only.
    pub keep: KeepBody,
    /// For a kept body: the longest one read may wait for data (the idle watchdog, or the
    /// stream's overall deadline). The machine enforces it through its `Read` deadlines; a
    /// driver whose reads cannot be interrupted uses it to bound a blocked read.
    pub read_timeout: Option<Duration>,
    /// Whether a transport that cannot hand redirects back to the machine (a browser's
    /// `fetch`) may follow them itself. Calls allow it (the machine follows redirects itself
    /// wherever the transport reports them); identity requests never do.
    pub may_follow_redirects: bool,
}

/// Which response bodies an attempt keeps for `Read` steps rather than buffering.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KeepBody {
    /// None: every body is buffered (ordinary calls, identity requests).
    #[default]
    None,
    /// A 2xx `text/event-stream` ([`streams_body`](crate::sse::streams_body)): the connects
    /// of event and turn streams.
    EventStream,
    /// Any 2xx body: downloads.
    Success,
}

impl Attempt {
    /// Whether this attempt is a streaming one: a kept body is possible, and the time limit
    /// covers the headers of such a body only.
    pub fn streams(&self) -> bool {
        self.keep != KeepBody::None
    }

    /// Whether the response with `head` keeps its body for `Read` steps: a transport then
    /// hands it back as [`Sent::Stream`](crate::transport::Sent::Stream).
    pub fn keeps(&self, head: &http::response::Parts) -> bool {
        self.keep.keeps(head)
    }
}

impl KeepBody {
    /// Whether a response with `head` is one of the bodies this keeps.
    pub fn keeps(self, head: &http::response::Parts) -> bool {
        match self {
            KeepBody::None => false,
            KeepBody::EventStream => crate::sse::streams_body(head),
            KeepBody::Success => head.status.is_success(),
        }
    }
}

/// How much of a response body a transport buffers into an [`AttemptOutcome`].
///
/// A success is read whole up to the transport's maximum body size and fails past it; an
/// error body (a non-2xx status) is only ever shown capped, so reading stops at
/// [`MAX_ERROR_BODY`](crate::MAX_ERROR_BODY) and the rest is never read (that
/// connection is not reused). A streaming connect answered by anything but an event stream
/// gets the error cap too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyLimit {
    /// Buffer the whole body; a body longer than this many bytes fails the attempt with
    /// [`TransportErrorKind::BodyTooLarge`](crate::TransportErrorKind::BodyTooLarge).
    Whole(usize),
    /// Keep at most this many leading bytes and stop reading.
    Head(usize),
}

impl BodyLimit {
    /// The limit for the body of a response with `head`, answering an attempt that was a
    /// streaming connect or not (`stream`), on a transport whose largest body is `max_body`.
    pub fn of(head: &http::response::Parts, stream: bool, max_body: usize) -> BodyLimit {
        use crate::error::MAX_ERROR_BODY;
        match (head.status.is_success(), stream) {
            (false, _) => BodyLimit::Head(MAX_ERROR_BODY),
            (true, true) => BodyLimit::Whole(MAX_ERROR_BODY.min(max_body)),
            (true, false) => BodyLimit::Whole(max_body),
        }
    }
}

/// How an attempt ended, as observed by the driver.
///
/// `Debug` hides credential headers and shows a body as redacted JSON or its length.
pub enum AttemptOutcome {
    /// A complete response with its buffered body.
    Response(http::Response<Bytes>),
    /// Headers arrived but reading the body failed.
    BodyFailed {
        /// The response head.
        head: http::response::Parts,
        /// The read failure (Network kind).
        error: Error,
    },
    /// No response: connect, TLS, reset, ... (Network kind).
    Failed(Error),
    /// The attempt's time limit expired.
    TimedOut,
    /// A cancellation token fired during the attempt.
    Cancelled,
}

impl std::fmt::Debug for Attempt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attempt")
            .field("method", self.request.method())
            .field(
                "uri",
                &crate::error::redact::redact_url(&self.request.uri().to_string(), None),
            )
            .field(
                "headers",
                &crate::error::redact::headers_debug(self.request.headers()),
            )
            .field("body_len", &self.request.body().len())
            .field("upload", &self.upload.as_ref().map(|u| u.segments.len()))
            .field("number", &self.number)
            .field("timeout", &self.timeout)
            .field("keep", &self.keep)
            .field("read_timeout", &self.read_timeout)
            .field("may_follow_redirects", &self.may_follow_redirects)
            .finish()
    }
}

impl std::fmt::Debug for AttemptOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AttemptOutcome::Response(r) => f
                .debug_struct("Response")
                .field("status", &r.status())
                .field("headers", &crate::error::redact::headers_debug(r.headers()))
                .field("body", &crate::error::redact::body_debug(r.body()))
                .finish(),
            AttemptOutcome::BodyFailed { head, error } => f
                .debug_struct("BodyFailed")
                .field("status", &head.status)
                .field(
                    "headers",
                    &crate::error::redact::headers_debug(&head.headers),
                )
                .field("error", error)
                .finish(),
            AttemptOutcome::Failed(e) => f.debug_tuple("Failed").field(e).finish(),
            AttemptOutcome::TimedOut => f.write_str("TimedOut"),
            AttemptOutcome::Cancelled => f.write_str("Cancelled"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_are_read_only_up_to_their_cap() {
        use crate::error::MAX_ERROR_BODY;
        let head = |status: u16| {
            let (parts, ()) = http::Response::builder()
                .status(status)
                .body(())
                .expect("head")
                .into_parts();
            parts
        };
        let max = 64 << 20;
        assert_eq!(BodyLimit::of(&head(200), false, max), BodyLimit::Whole(max));
        assert_eq!(
            BodyLimit::of(&head(200), true, max),
            BodyLimit::Whole(MAX_ERROR_BODY)
        );
        assert_eq!(BodyLimit::of(&head(200), true, 10), BodyLimit::Whole(10));
        for status in [301, 404, 429, 500, 503] {
            for stream in [false, true] {
                assert_eq!(
                    BodyLimit::of(&head(status), stream, max),
                    BodyLimit::Head(MAX_ERROR_BODY),
                    "{status}"
                );
            }
        }
    }
}
