//! The TLS client settings of the native transports, for every connection they open (calls,
//! event and turn streams, identity requests, WebSockets): rustls with the *ring* provider
//! named explicitly and the bundled webpki roots. Nothing here does I/O.
//!
//! Naming the provider matters: an application that also links another rustls provider
//! (aws-lc-rs, which the AWS SDK enables) leaves rustls no process default to pick, and
//! asking for it would panic.

use std::sync::{Arc, OnceLock};

/// The client configuration, built once per process (start from it to build your own client
/// with the SDK's TLS settings).
pub fn client_config() -> Arc<rustls::ClientConfig> {
    static CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let roots = rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            };
            let config = rustls::ClientConfig::builder_with_provider(Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            // ring supports both default protocol versions; this cannot fail.
            .expect("ring supports TLS 1.2 and 1.3")
            .with_root_certificates(roots)
            .with_no_client_auth();
            Arc::new(config)
        })
        .clone()
}
