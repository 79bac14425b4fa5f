//! What the guide examples share: a configuration for the embedded mock server, or for the
//! API when `AMIGO_API_KEY` is set.
//!
//! Each guide includes this file with `#[path = "guide/mod.rs"] mod guide;`; it is not an
//! example of its own.

use amigo_platform::{Config, Error};
use amigo_platform_testkit::MockServer;

/// Where a guide runs.
pub enum Target {
    /// The embedded mock on 127.0.0.1 (stopped when dropped).
    Mock(MockServer),
    /// The API named by the environment (`AMIGO_API_KEY`, `AMIGO_WORKSPACE_ID`, `AMIGO_BASE_URL`).
    Live,
}

impl Target {
    /// The mock when `AMIGO_API_KEY` is unset or empty, else the API.
    pub fn from_env() -> Target {
        let live = std::env::var("AMIGO_API_KEY").is_ok_and(|k| !k.trim().is_empty());
        if live {
            println!("AMIGO_API_KEY is set: running against the API");
            Target::Live
        } else {
            let server = MockServer::start();
            println!(
                "no AMIGO_API_KEY: using the embedded mock at {}",
                server.base_url()
            );
            Target::Mock(server)
        }
    }

    /// The mock server, when this is the mock.
    #[allow(dead_code)] // not every guide scripts the mock
    pub fn mock(&self) -> Option<&MockServer> {
        match self {
            Target::Mock(server) => Some(server),
            Target::Live => None,
        }
    }

    /// A configuration builder for this target, ready for more settings.
    pub fn config_builder(&self) -> amigo_platform::ConfigBuilder {
        match self {
            Target::Mock(server) => Config::builder()
                .api_key(MockServer::API_KEY)
                .workspace_id(MockServer::WORKSPACE_ID)
                .base_url(server.base_url()),
            Target::Live => Config::env_builder(),
        }
    }

    /// The configuration for this target.
    #[allow(dead_code)] // guides that add settings use `config_builder`
    pub fn config(&self) -> Result<Config, Error> {
        self.config_builder().build()
    }
}
