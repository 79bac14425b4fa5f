//! TLS in front of the mocks: [`TlsFront`] accepts TLS on a loopback port with a fixed
//! self-signed certificate for `127.0.0.1` and `localhost` ([`CERT_PEM`], valid until 2126)
//! and relays the decrypted bytes to a plain mock ([`MockServer`](crate::MockServer),
//! [`MockWs`](crate::ws::MockWs)). [`MockServer::start_tls`](crate::MockServer::start_tls)
//! starts a server behind one.
//!
//! A client trusts the mock by adding [`CERT_PEM`] to its roots; with only the bundled public
//! roots the handshake fails, which is how a test checks that a client verifies certificates.
//!
//! The certificate and key are fixture files generated once with `openssl` (an ECDSA P-256
//! key; subject alternative names `DNS:localhost` and `IP:127.0.0.1`) rather than at start-up,
//! which would need a certificate-generating crate for tests alone.

use crate::runner::{Bound, Loopback};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio_rustls::rustls;

/// The mock's certificate (PEM): trust it as a root to reach a [`TlsFront`].
pub const CERT_PEM: &[u8] = include_bytes!("tls/cert.pem");

/// The certificate's private key (PKCS#8 PEM); it protects nothing but loopback tests.
const KEY_PEM: &[u8] = include_bytes!("tls/key.pem");

/// A TLS terminator on 127.0.0.1 in front of one plain upstream; stops when dropped.
pub struct TlsFront {
    addr: SocketAddr,
    _server: Loopback,
}

impl std::fmt::Debug for TlsFront {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsFront")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl TlsFront {
    /// Starts a TLS listener on a free loopback port that relays every connection to
    /// `upstream`.
    ///
    /// # Panics
    /// If no loopback port can be bound or the fixture certificate cannot be loaded (a broken
    /// build or test machine, not client data).
    pub fn start(upstream: SocketAddr) -> TlsFront {
        let acceptor = tokio_rustls::TlsAcceptor::from(server_config());
        let bound = Bound::bind("amigo-mock-tls", 0);
        let addr = bound.addr();
        let server = bound.serve(move |stream| {
            let acceptor = acceptor.clone();
            async move {
                let _ = stream.set_nodelay(true);
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                let Ok(mut plain) = tokio::net::TcpStream::connect(upstream).await else {
                    return;
                };
                let _ = plain.set_nodelay(true);
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            }
        });
        TlsFront {
            addr,
            _server: server,
        }
    }

    /// The TLS address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `https://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// `wss://127.0.0.1:PORT` followed by `path`.
    pub fn ws_url(&self, path: &str) -> String {
        format!("wss://{}{path}", self.addr)
    }
}

fn server_config() -> Arc<rustls::ServerConfig> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_slice_iter(CERT_PEM)
        .collect::<Result<Vec<_>, _>>()
        .expect("the fixture certificate is valid PEM");
    let key = PrivateKeyDer::from_pem_slice(KEY_PEM).expect("the fixture key is valid PEM");
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("ring supports TLS 1.2 and 1.3")
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .expect("the fixture key matches its certificate");
    Arc::new(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixture_certificate_and_key_make_a_server_configuration() {
        // Panics when the fixture files do not load or do not match.
        drop(server_config());
        let front = TlsFront::start("127.0.0.1:9".parse().expect("addr"));
        assert!(front.base_url().starts_with("https://127.0.0.1:"));
        assert!(front.ws_url("/p").starts_with("wss://127.0.0.1:"));
        assert!(front.ws_url("/p").ends_with("/p"));
    }
}
