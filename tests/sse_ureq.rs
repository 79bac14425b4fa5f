//! The blocking event-stream suite on the ureq transport.

type Transport = amigo_platform_ureq::UreqTransport;

#[path = "blocking_sse/suite.rs"]
mod suite;
