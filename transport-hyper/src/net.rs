//! The async transport's network settings (proxy and TLS roots) and the connector that obeys
//! them on every connection: calls, streams and identity requests through hyper, and
//! WebSockets through [`open_tcp`].

use amigo_platform_core::transport::network::Network;
use amigo_platform_core::transport::proxy::{Proxy, ProxySettings, Tunnel, TunnelState};
use amigo_platform_core::{Error, TransportErrorKind};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The TCP connector of the default client: a direct connection, or a `CONNECT` tunnel
/// through the proxy its [`ProxySettings`] choose for the destination. Wrap it in
/// [`hyper_rustls::HttpsConnector`] for TLS (see [`HttpClient`](crate::HttpClient)).
#[derive(Clone)]
pub struct ProxyConnector {
    tcp: HttpConnector,
    proxy: Arc<ProxySettings>,
    connect_timeout: Option<Duration>,
}

impl std::fmt::Debug for ProxyConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProxyConnector")
            .field("proxy", &self.proxy)
            .finish_non_exhaustive()
    }
}

impl ProxyConnector {
    /// Connects with `tcp` (its own connect timeout bounds each TCP connect), through the
    /// proxies of `proxy`; `connect_timeout` also bounds a whole tunnel set-up.
    pub fn new(
        tcp: HttpConnector,
        proxy: ProxySettings,
        connect_timeout: Option<Duration>,
    ) -> Self {
        ProxyConnector {
            tcp,
            proxy: Arc::new(proxy),
            connect_timeout,
        }
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl tower_service::Service<http::Uri> for ProxyConnector {
    type Response = TokioIo<TcpStream>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.tcp.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: http::Uri) -> Self::Future {
        let Some(proxy) = self.proxy.for_uri(&dst).cloned() else {
            let direct = self.tcp.call(dst);
            return Box::pin(async move { direct.await.map_err(Into::into) });
        };
        let mut tcp = self.tcp.clone();
        let limit = self.connect_timeout;
        Box::pin(async move {
            let host = dst.host().unwrap_or_default().to_owned();
            let port = dst.port_u16().unwrap_or(match dst.scheme_str() {
                Some("https" | "wss") => 443,
                _ => 80,
            });
            let proxy_uri: http::Uri = proxy
                .url()
                .parse()
                .map_err(|e| Error::network_from(TransportErrorKind::Connect, e))?;
            let tunnel = async move {
                let io = tcp.call(proxy_uri).await.map_err(|e| {
                    Error::network(TransportErrorKind::Connect, format!("proxy: {e}"))
                })?;
                let mut stream = io.into_inner();
                open_tunnel(&mut stream, &proxy, &host, port).await?;
                Ok::<_, Error>(TokioIo::new(stream))
            };
            Ok(within(limit, tunnel).await?)
        })
    }
}

/// Runs `connect` under `limit` (none when `None`); running out is a `Connect` failure.
async fn within<T>(
    limit: Option<Duration>,
    connect: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    match limit {
        Some(limit) => tokio::time::timeout(limit, connect)
            .await
            .unwrap_or_else(|_| {
                Err(Error::network(
                    TransportErrorKind::Connect,
                    "connect timed out",
                ))
            }),
        None => connect.await,
    }
}

/// Opens a `CONNECT` tunnel to `host:port` over a connection to the proxy.
async fn open_tunnel(
    stream: &mut TcpStream,
    proxy: &Proxy,
    host: &str,
    port: u16,
) -> Result<(), Error> {
    let mut tunnel = Tunnel::new(proxy, host, port);
    stream
        .write_all(tunnel.request())
        .await
        .map_err(|e| Error::network_from(TransportErrorKind::Write, e))?;
    let mut buf = [0u8; 1024];
    // Bounded: the handshake fails once the answer passes its size limit.
    loop {
        let n = stream
            .read(&mut buf)
            .await
            .map_err(|e| Error::network_from(TransportErrorKind::Read, e))?;
        if tunnel.receive(&buf[..n])? == TunnelState::Open {
            return Ok(());
        }
    }
}

/// A TCP connection to `host:port` for a WebSocket: direct, or tunnelled through the proxy
/// `net` chooses for it (`tls` for `wss`).
pub(crate) async fn open_tcp(
    net: &Network,
    tls: bool,
    host: &str,
    port: u16,
) -> Result<TcpStream, Error> {
    let connect = |h: String, p: u16| async move {
        TcpStream::connect((h.as_str(), p))
            .await
            .map_err(|e| Error::network(TransportErrorKind::Connect, format!("connect: {e}")))
    };
    let stream = match net.proxy.for_destination(tls, host) {
        None => connect(host.to_owned(), port).await?,
        Some(proxy) => {
            let mut stream = connect(proxy.host().to_owned(), proxy.port()).await?;
            open_tunnel(&mut stream, proxy, host, port).await?;
            stream
        }
    };
    let _ = stream.set_nodelay(true);
    Ok(stream)
}
