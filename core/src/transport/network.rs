//! [`Network`]: the proxy and TLS settings every connection of one native transport shares.

use crate::transport::proxy::ProxySettings;
use std::sync::Arc;

/// What every connection of one transport uses (calls, streams, identity requests,
/// WebSockets): its [`ProxySettings`] and its one rustls configuration, built once. Cheap to
/// clone. `Debug` shows the proxies (without credentials), not the TLS configuration.
#[derive(Clone)]
pub struct Network {
    /// Which proxy each destination goes through.
    pub proxy: Arc<ProxySettings>,
    /// The TLS client configuration.
    pub tls: Arc<rustls::ClientConfig>,
}

impl std::fmt::Debug for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Network")
            .field("proxy", &self.proxy)
            .finish_non_exhaustive()
    }
}

impl Network {
    /// The given settings; `None` takes the default: the proxy of the environment
    /// ([`ProxySettings::from_env`]), the bundled roots ([`client_config`](super::tls::client_config)).
    pub fn new(proxy: Option<ProxySettings>, tls: Option<Arc<rustls::ClientConfig>>) -> Network {
        Network {
            proxy: Arc::new(proxy.unwrap_or_else(ProxySettings::from_env)),
            tls: tls.unwrap_or_else(super::tls::client_config),
        }
    }

    /// The defaults: the proxy of the environment, the bundled roots.
    pub fn from_env() -> Network {
        Network::new(None, None)
    }
}
