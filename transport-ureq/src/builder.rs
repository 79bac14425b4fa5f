//! [`UreqTransportBuilder`]: the settings of the blocking transport's default agent.

use crate::driver::{InlineResolver, UreqTransport, DEFAULT_MAX_BODY};
use crate::net::SdkTls;
use amigo_platform_core::transport::network::Network;
use amigo_platform_core::transport::proxy::ProxySettings;
use amigo_platform_core::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT};
use std::sync::Arc;
use std::time::Duration;
use ureq::unversioned::transport::{ConnectProxyConnector, Connector, TcpConnector};

/// Settings of the blocking transport's default agent, from [`UreqTransport::builder`]. The
/// proxy and TLS settings hold for every connection of the transport: calls, event and turn
/// streams, identity requests, and WebSockets opened with
/// [`ws::connect_via`](crate::ws::connect_via).
///
/// ```
/// use amigo_platform_core::transport::proxy::{NoProxy, Proxy, ProxySettings};
/// use amigo_platform_core::transport::tls::TlsRoots;
/// use std::time::Duration;
/// # let private_ca_pem = include_bytes!("../../core/tests/fixtures/doc-ca.pem");
/// let transport = amigo_platform_ureq::UreqTransport::builder()
///     .proxy(
///         ProxySettings::to(Proxy::parse("http://user:pass@proxy.internal:3128")?)
///             .no_proxy(NoProxy::parse("localhost,.internal")),
///     )
///     .tls_config(TlsRoots::bundled().with_pem(private_ca_pem)?.client_config()?)
///     .connect_timeout(Duration::from_secs(3))
///     .build();
/// # drop(transport);
/// # Ok::<(), amigo_platform_core::Error>(())
/// ```
#[derive(Clone)]
pub struct UreqTransportBuilder {
    connect_timeout: Duration,
    max_body: u64,
    proxy: Option<ProxySettings>,
    tls: Option<Arc<rustls::ClientConfig>>,
}

impl std::fmt::Debug for UreqTransportBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UreqTransportBuilder")
            .field("connect_timeout", &self.connect_timeout)
            .field("max_body", &self.max_body)
            .field("proxy", &self.proxy)
            .field("custom_tls", &self.tls.is_some())
            .finish()
    }
}

impl Default for UreqTransportBuilder {
    fn default() -> Self {
        UreqTransportBuilder {
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            max_body: DEFAULT_MAX_BODY,
            proxy: None,
            tls: None,
        }
    }
}

impl UreqTransportBuilder {
    amigo_platform_core::network_setters!();

    /// The largest accepted response body (default [`DEFAULT_MAX_BODY`], 64 MiB).
    pub fn max_body(mut self, bytes: u64) -> Self {
        self.max_body = bytes;
        self
    }

    /// The transport: statuses are responses, redirects are left to the core, and the
    /// default per-attempt timeout is the agent's (so attempts with it go out without a
    /// per-request configuration).
    pub fn build(self) -> UreqTransport {
        let net = Network::new(self.proxy, self.tls);
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .accept_encoding(crate::driver::offered())
            .timeout_connect((!self.connect_timeout.is_zero()).then_some(self.connect_timeout))
            .timeout_global(Some(DEFAULT_TIMEOUT))
            // The proxy is chosen per destination by the transport's settings, never by
            // ureq's own reading of the environment.
            .proxy(None)
            .build();
        let connector =
            ().chain(ConnectProxyConnector::default())
                .chain(TcpConnector::default())
                .chain(SdkTls(Arc::clone(&net.tls)));
        let agent = ureq::Agent::with_parts(config, connector, InlineResolver::default());
        UreqTransport::with_agent(agent)
            .with_network(net)
            .max_body(self.max_body)
    }
}
