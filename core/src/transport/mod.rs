//! What drives the core's machines over real I/O: the blocking and non-blocking drivers.

pub mod blocking;
pub mod nonblocking;
#[cfg(feature = "rustls")]
pub mod tls;
