//! The blocking transport's network settings (proxy and TLS roots) on every connection: calls,
//! streams and identity requests through ureq (its `CONNECT` proxy support, chosen per
//! destination by the core's rules, and TLS with the transport's one rustls configuration),
//! and WebSockets through [`open_tcp`].

use amigo_platform_core::transport::network::Network;
use amigo_platform_core::transport::proxy::{Proxy, Tunnel, TunnelState};
use amigo_platform_core::{Error, TransportErrorKind};
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, Either, LazyBuffers, NextTimeout, Transport,
    TransportAdapter,
};
use web_time::Instant;

/// ureq's form of the proxy `net`'s rules choose for `uri`.
pub(crate) fn ureq_proxy(net: &Network, uri: &http::Uri) -> Option<ureq::Proxy> {
    let proxy = net.proxy.for_uri(uri)?;
    let mut builder = ureq::Proxy::builder(ureq::ProxyProtocol::Http)
        .host(proxy.host())
        .port(proxy.port());
    if let Some((user, password)) = proxy.credentials() {
        builder = builder.username(&user).password(&password);
    }
    builder.build().ok()
}

/// TLS for ureq connections with the transport's own rustls configuration (ureq builds its
/// own from a list of roots, which cannot hold the bundled webpki anchors together with custom
/// ones; this keeps one configuration for calls and WebSockets alike).
pub(crate) struct SdkTls(pub(crate) Arc<rustls::ClientConfig>);

impl std::fmt::Debug for SdkTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SdkTls")
    }
}

impl<In: Transport> Connector<In> for SdkTls {
    type Out = Either<In, TlsTransport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        let Some(transport) = chained else {
            return Ok(None);
        };
        if !details.needs_tls() || transport.is_tls() {
            return Ok(Some(Either::A(transport)));
        }
        let host = details.uri.host().unwrap_or_default();
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let name = rustls::pki_types::ServerName::try_from(host.to_owned())
            .map_err(|_| ureq::Error::Tls("invalid server name"))?;
        let mut conn = rustls::ClientConnection::new(Arc::clone(&self.0), name)?;
        let mut sock = TransportAdapter::new(transport.boxed(), details.current_time.clone());
        sock.set_timeout(details.timeout);
        if let Err(e) = conn.complete_io(&mut sock) {
            let tls = e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
                .cloned();
            return Err(tls.map_or(ureq::Error::Io(e), ureq::Error::Rustls));
        }
        let buffers = LazyBuffers::new(
            details.config.input_buffer_size(),
            details.config.output_buffer_size(),
        );
        Ok(Some(Either::B(TlsTransport {
            buffers,
            stream: rustls::StreamOwned { conn, sock },
        })))
    }
}

/// A TLS connection made by [`SdkTls`].
pub(crate) struct TlsTransport {
    buffers: LazyBuffers,
    stream: rustls::StreamOwned<rustls::ClientConnection, TransportAdapter>,
}

impl std::fmt::Debug for TlsTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TlsTransport")
    }
}

impl Transport for TlsTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        self.stream.get_mut().set_timeout(timeout);
        let output = &self.buffers.output()[..amount];
        self.stream.write_all(output)?;
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.stream.get_mut().set_timeout(timeout);
        let input = self.buffers.input_append_buf();
        let amount = self.stream.read(input)?;
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        self.stream.get_mut().get_mut().is_open()
    }

    fn is_tls(&self) -> bool {
        true
    }
}

/// A TCP connection to `host:port` for a WebSocket, within `deadline`: direct, or tunnelled
/// through the proxy `net` chooses for it (`tls` for `wss`).
pub(crate) fn open_tcp(
    net: &Network,
    tls: bool,
    host: &str,
    port: u16,
    deadline: Instant,
) -> Result<TcpStream, Error> {
    match net.proxy.for_destination(tls, host) {
        None => connect(host, port, deadline),
        Some(proxy) => {
            let mut stream = connect(proxy.host(), proxy.port(), deadline)?;
            open_tunnel(&mut stream, proxy, host, port, deadline)?;
            Ok(stream)
        }
    }
}

fn connect(host: &str, port: u16, deadline: Instant) -> Result<TcpStream, Error> {
    let addrs = (host, port)
        .to_socket_addrs()
        .map_err(|e| Error::network(TransportErrorKind::Dns, format!("dns: {e}")))?;
    let mut last = Error::network(TransportErrorKind::Dns, "dns: no address");
    for addr in addrs {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Error::network(
                TransportErrorKind::Connect,
                "connect timed out",
            ));
        }
        match TcpStream::connect_timeout(&addr, left) {
            Ok(s) => return Ok(s),
            Err(e) => last = Error::network(TransportErrorKind::Connect, format!("connect: {e}")),
        }
    }
    Err(last)
}

/// Opens a `CONNECT` tunnel to `host:port` over a connection to the proxy, within `deadline`.
fn open_tunnel(
    stream: &mut TcpStream,
    proxy: &Proxy,
    host: &str,
    port: u16,
    deadline: Instant,
) -> Result<(), Error> {
    let left = || {
        let left = deadline.saturating_duration_since(Instant::now());
        Some(left.max(Duration::from_millis(1)))
    };
    let io = |kind| move |e: std::io::Error| Error::network_from(kind, e);
    let mut tunnel = Tunnel::new(proxy, host, port);
    stream
        .set_write_timeout(left())
        .map_err(io(TransportErrorKind::Write))?;
    stream
        .write_all(tunnel.request())
        .map_err(io(TransportErrorKind::Write))?;
    let mut buf = [0u8; 1024];
    // Bounded: by the deadline, and the handshake fails once the answer passes its size limit.
    loop {
        if Instant::now() >= deadline {
            return Err(Error::network(
                TransportErrorKind::Connect,
                "proxy CONNECT timed out",
            ));
        }
        stream
            .set_read_timeout(left())
            .map_err(io(TransportErrorKind::Read))?;
        let n = stream
            .read(&mut buf)
            .map_err(io(TransportErrorKind::Read))?;
        if tunnel.receive(&buf[..n])? == TunnelState::Open {
            return Ok(());
        }
    }
}
