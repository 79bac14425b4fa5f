//! The blocking event-stream suite (resume, reconnects, idle watchdog, close, turn streams) on
//! the custom transport of `examples/custom_transport.rs`.

#[path = "../examples/custom_transport.rs"]
#[allow(dead_code)]
mod custom_transport;

type Transport = custom_transport::TcpTransport;

#[path = "blocking_sse/suite.rs"]
mod suite;
