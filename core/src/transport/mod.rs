//! For transport authors: what drives the core's machines over real I/O.
//!
//! A transport implements the three primitives of one of the two drivers — [`blocking`]'s
//! [`BlockingIo`](blocking::BlockingIo) (threads) or [`nonblocking`]'s
//! [`AsyncIo`](nonblocking::AsyncIo) (futures) — and gets every call, pager, stream, login and
//! refresh from [`blocking_transport!`](crate::blocking_transport) or
//! [`nonblocking_transport!`](crate::nonblocking_transport) and
//! [`nonblocking_streams!`](crate::nonblocking_streams). The types below are what those
//! primitives exchange with the machines: an [`Attempt`] to send, the [`AttemptOutcome`] or
//! kept-body head ([`Sent`]) it produced, the next [`Read`] of a kept body, and the
//! [`BodyLimit`] on buffered error bodies, and a streamed request body ([`Upload`]) with the
//! handles a driver reads its sources through. [`proxy`] and `tls` hold the network settings
//! the native transports share (which proxy a destination goes through, which roots TLS trusts).

pub mod blocking;
pub mod download;
#[cfg(feature = "rustls")]
pub mod network;
pub mod nonblocking;
pub mod proxy;
#[cfg(feature = "rustls")]
pub mod tls;

pub use crate::call::attempt::{Attempt, AttemptOutcome, BodyLimit, KeepBody, ReasonPhrase};
pub use crate::call::download::{DownloadCall, DownloadItem, DownloadTransport, ProgressMeter};
pub use crate::call::pages::iter::Complete;
pub use crate::call::upload::{
    ByteStream, OneShot, ProgressCounter, ReadSeek, Seekable, SeekableGuard, Upload, UPLOAD_CHUNK,
};
pub use crate::cancel::{Cancelled, Registration};
pub use crate::client::DefaultTransport;
pub use crate::machine::{Next, Read, Sent};
