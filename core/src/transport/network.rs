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

/// The network setters every native transport's builder has, with the same names and docs:
/// `proxy`, `tls_config` and `connect_timeout`. The builder needs the fields
/// `proxy: Option<ProxySettings>`, `tls: Option<Arc<rustls::ClientConfig>>` and
/// `connect_timeout: Duration`, and its crate a `rustls` dependency.
#[doc(hidden)]
#[macro_export]
macro_rules! network_setters {
    () => {
        /// The proxies (default:
        /// [`ProxySettings::from_env`]($crate::transport::proxy::ProxySettings::from_env),
        /// read when the transport is built;
        /// [`ProxySettings::none`]($crate::transport::proxy::ProxySettings::none) for none at
        /// all).
        pub fn proxy(mut self, settings: $crate::transport::proxy::ProxySettings) -> Self {
            self.proxy = Some(settings);
            self
        }

        /// The TLS configuration of every connection (default: the bundled webpki roots);
        /// build one with custom or operating-system roots from
        /// [`TlsRoots`]($crate::transport::tls::TlsRoots).
        pub fn tls_config(mut self, config: ::std::sync::Arc<rustls::ClientConfig>) -> Self {
            self.tls = Some(config);
            self
        }

        /// The longest opening one connection (TCP, a proxy tunnel and TLS) may take; default
        /// [`DEFAULT_CONNECT_TIMEOUT`]($crate::DEFAULT_CONNECT_TIMEOUT) (10 s); zero disables
        /// it.
        pub fn connect_timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.connect_timeout = timeout;
            self
        }
    };
}

/// A native transport's WebSocket entry points over its own [`Network`]: `connect_via` and
/// `drive_via`, written into the transport's `ws` module next to
/// [`ws_surface!`](crate::ws_surface). `$transport` must have a `network(&self) -> &Network`
/// method, and `$start(shared, options, network)` starts the I/O loop.
#[doc(hidden)]
#[macro_export]
macro_rules! ws_via {
    ($transport:ty, $driver:ty, $start:path) => {
        /// Starts a session to `target` over `transport`'s network settings (its proxy and
        /// TLS configuration), with the default driver settings. [`WsStream::connect`] uses
        /// the proxy of the environment and the bundled roots instead.
        pub fn connect_via(
            transport: &$transport,
            target: $crate::ws::WsConnect,
            options: $crate::ws::WsOptions,
        ) -> WsStream {
            let seed = <$driver as $crate::ws::WsDriver>::seed();
            drive_via(
                transport,
                $crate::ws::WsSession::new(target, options, seed),
                $crate::ws::WsDriverOptions::default(),
            )
        }

        /// Drives a prepared session (custom random source, tokens) with custom I/O settings
        /// over `transport`'s network settings.
        pub fn drive_via(
            transport: &$transport,
            session: $crate::ws::WsSession,
            driver: $crate::ws::WsDriverOptions,
        ) -> WsStream {
            let net = transport.network().clone();
            WsStream::drive_with(session, driver, move |shared, options| {
                $start(shared, options, net)
            })
        }
    };
}
