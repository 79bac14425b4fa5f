//! The TLS client settings of the native transports, for every connection they open (calls,
//! event and turn streams, identity requests, WebSockets): rustls with the *ring* provider
//! named explicitly, and the trusted roots of a [`TlsRoots`] (by default the bundled webpki
//! roots). Nothing here does I/O, except reading the operating system's roots when asked
//! (`TlsRoots::native`, feature `native-roots`).
//!
//! Naming the provider matters: an application that also links another rustls provider
//! (aws-lc-rs, which the AWS SDK enables) leaves rustls no process default to pick, and
//! asking for it would panic.

use crate::error::{Error, TransportErrorKind};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use std::sync::{Arc, OnceLock};

/// The client configuration with the bundled roots, built once per process (start from it to
/// build your own client with the SDK's TLS settings).
pub fn client_config() -> Arc<rustls::ClientConfig> {
    static CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    CONFIG.get_or_init(|| build(webpki_store())).clone()
}

fn webpki_store() -> rustls::RootCertStore {
    rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    }
}

fn build(roots: rustls::RootCertStore) -> Arc<rustls::ClientConfig> {
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    // ring supports both default protocol versions; this cannot fail.
    .expect("ring supports TLS 1.2 and 1.3")
    .with_root_certificates(roots)
    .with_no_client_auth();
    Arc::new(config)
}

/// Which certificate authorities a transport trusts: the bundled webpki roots (the default),
/// the operating system's (feature `native-roots`), your own certificates, or a mix.
///
/// ```
/// use amigo_platform_core::transport::tls::TlsRoots;
/// // Only a private CA (no public roots):
/// # let pem = include_bytes!("../../tests/fixtures/doc-ca.pem");
/// let roots = TlsRoots::empty().with_pem(pem)?;
/// let config = roots.client_config()?; // share it: build it once per transport
/// # drop(config);
/// # Ok::<(), amigo_platform_core::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct TlsRoots {
    bundled: bool,
    native: bool,
    custom: Vec<CertificateDer<'static>>,
}

impl std::fmt::Debug for TlsRoots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsRoots")
            .field("bundled", &self.bundled)
            .field("native", &self.native)
            .field("custom", &self.custom.len())
            .finish()
    }
}

impl Default for TlsRoots {
    fn default() -> Self {
        TlsRoots::bundled()
    }
}

impl TlsRoots {
    /// The bundled webpki (Mozilla) roots: the default.
    pub fn bundled() -> TlsRoots {
        TlsRoots {
            bundled: true,
            native: false,
            custom: Vec::new(),
        }
    }

    /// No roots at all: add your own with [`with_pem`](Self::with_pem) or
    /// [`with_der`](Self::with_der) (to trust them instead of the bundled ones).
    pub fn empty() -> TlsRoots {
        TlsRoots {
            bundled: false,
            native: false,
            custom: Vec::new(),
        }
    }

    /// Also (or no longer) trust the bundled webpki roots.
    pub fn with_bundled(mut self, on: bool) -> TlsRoots {
        self.bundled = on;
        self
    }

    /// Also trust the operating system's roots, read when the configuration is built (the
    /// platform's store, or the files named by `SSL_CERT_FILE` / `SSL_CERT_DIR`).
    #[cfg(feature = "native-roots")]
    pub fn native(mut self) -> TlsRoots {
        self.native = true;
        self
    }

    /// Also trust every certificate in a PEM text (one or more `BEGIN CERTIFICATE` blocks).
    /// Fails with a `Config` error when it holds none or one is malformed.
    pub fn with_pem(mut self, pem: &[u8]) -> Result<TlsRoots, Error> {
        let mut found = 0;
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| Error::config(format!("invalid PEM certificate: {e}")))?;
            self.custom.push(cert);
            found += 1;
        }
        if found == 0 {
            return Err(Error::config("no certificate in the PEM text"));
        }
        Ok(self)
    }

    /// Also trust one DER-encoded certificate (checked when the configuration is built).
    pub fn with_der(mut self, der: impl Into<Vec<u8>>) -> TlsRoots {
        self.custom.push(CertificateDer::from(der.into()));
        self
    }

    /// The rustls client configuration that trusts these roots (ring provider, TLS 1.2 and
    /// 1.3, no client certificate). The bundled roots alone give the process-wide shared
    /// [`client_config`]. Fails with a `Config` error when a certificate is not a usable
    /// root, and with a `Network` (`Tls`) error when the operating system's roots cannot be
    /// read or the result trusts nothing.
    pub fn client_config(&self) -> Result<Arc<rustls::ClientConfig>, Error> {
        if self.bundled && !self.native && self.custom.is_empty() {
            return Ok(client_config());
        }
        let mut store = if self.bundled {
            webpki_store()
        } else {
            rustls::RootCertStore::empty()
        };
        for cert in &self.custom {
            store
                .add(cert.clone())
                .map_err(|e| Error::config(format!("unusable root certificate: {e}")))?;
        }
        #[cfg(feature = "native-roots")]
        if self.native {
            // rustls-native-certs rather than rustls-platform-verifier: it yields plain
            // certificates that join the same root store as the bundled and custom ones (one
            // verifier, one rule on every platform) and costs one small crate on Linux.
            let loaded = rustls_native_certs::load_native_certs();
            if loaded.certs.is_empty() {
                let why = loaded
                    .errors
                    .first()
                    .map(|e| e.to_string())
                    .unwrap_or_default();
                return Err(Error::network(
                    TransportErrorKind::Tls,
                    format!("no operating system root certificates: {why}"),
                ));
            }
            store.add_parsable_certificates(loaded.certs);
        }
        if store.is_empty() {
            return Err(Error::network(
                TransportErrorKind::Tls,
                "no trusted root certificates configured",
            ));
        }
        Ok(build(store))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CA: &[u8] = include_bytes!("../../tests/fixtures/doc-ca.pem");

    #[test]
    fn the_bundled_roots_share_one_configuration() {
        let a = TlsRoots::default().client_config().unwrap();
        assert!(Arc::ptr_eq(&a, &client_config()));
    }

    #[test]
    fn custom_roots_from_pem_and_der_build_a_configuration() {
        let roots = TlsRoots::empty().with_pem(CA).unwrap();
        assert_eq!(roots.custom.len(), 1);
        let der = roots.custom[0].to_vec();
        assert!(TlsRoots::empty().with_der(der).client_config().is_ok());
        let both = TlsRoots::bundled().with_pem(CA).unwrap();
        assert!(!Arc::ptr_eq(
            &both.client_config().unwrap(),
            &client_config()
        ));
        assert_eq!(
            format!("{both:?}"),
            "TlsRoots { bundled: true, native: false, custom: 1 }"
        );
    }

    #[test]
    fn bad_or_missing_roots_are_errors() {
        assert!(TlsRoots::empty().with_pem(b"not pem").is_err());
        assert!(TlsRoots::empty()
            .with_der(vec![1, 2, 3])
            .client_config()
            .is_err());
        let none = TlsRoots::empty().client_config().unwrap_err();
        assert_eq!(none.transport_kind(), Some(TransportErrorKind::Tls));
    }
}
