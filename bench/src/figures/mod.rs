//! The figures, one function each, and the table that names them.

pub mod core_call;
pub mod http;
pub mod paging_rss;
pub mod sse;
pub mod webhook;

use crate::harness::Settings;
use crate::report::Line;
use crate::server::Server;
use std::time::Duration;

/// What a figure gets: the settings and the bench server (or why it did not start).
#[derive(Debug)]
pub struct Context<'a> {
    /// Rounds and batch length.
    pub settings: &'a Settings,
    /// The bench server, started once for every HTTP figure.
    pub server: &'a Result<Server, String>,
}

impl Context<'_> {
    /// The server, or the error that kept it from starting.
    pub fn server(&self) -> Result<&Server, String> {
        self.server
            .as_ref()
            .map_err(|e| format!("bench server unavailable: {e}"))
    }
}

/// A named figure.
#[derive(Debug, Clone, Copy)]
pub struct Figure {
    /// The name printed first on the line, matched by the filter argument.
    pub name: &'static str,
    /// Whether it needs the bench server.
    pub needs_server: bool,
    /// Measures the figure.
    pub run: fn(&Context<'_>) -> Result<Line, String>,
}

impl Figure {
    /// How long the figure may take before the watchdog stops the run: a minute plus five
    /// times its rounds' nominal length; for `paging.rss`, every child's timeout.
    pub fn budget(&self, settings: &Settings) -> Duration {
        if self.name == "paging.rss" {
            let children = settings.rss_rounds.max(1) as u32 * 2;
            return paging_rss::CHILD_TIMEOUT * children + Duration::from_secs(30);
        }
        let rounds = settings.rounds.max(1) as u32 + 4;
        Duration::from_secs(60) + settings.batch * rounds * 2 * 5
    }
}

/// Every figure, in the printed order.
pub const FIGURES: &[Figure] = &[
    Figure {
        name: "http.blocking",
        needs_server: true,
        run: http::blocking,
    },
    Figure {
        name: "http.async.c1",
        needs_server: true,
        run: http::async_c1,
    },
    Figure {
        name: "http.async.c32",
        needs_server: true,
        run: http::async_c32,
    },
    Figure {
        name: "core.round_trip",
        needs_server: false,
        run: core_call::round_trip,
    },
    Figure {
        name: "core.parse_json",
        needs_server: false,
        run: core_call::parse_json,
    },
    Figure {
        name: "webhook.verify",
        needs_server: false,
        run: webhook::verify,
    },
    Figure {
        name: "sse.decode",
        needs_server: false,
        run: sse::decode,
    },
    Figure {
        name: "paging.rss",
        needs_server: true,
        run: paging_rss::peak_rss,
    },
];
