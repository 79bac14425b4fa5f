//! The transport abstraction the conformance scenarios are written against: every scenario is
//! one generic function, run once per transport by the `conformance!` macro.

#![allow(dead_code)]

use amigo_platform_api::{AutoPaging, Call};
use amigo_platform_core::Transport;
use amigo_platform_core::{Client, Config, ConfigBuilder, Error, Operation, Paginated, Response};
use amigo_platform_testkit::MockServer;
use std::sync::OnceLock;
use std::time::Duration;

/// A transport under test, seen synchronously.
pub trait Backend: 'static {
    /// The transport type.
    type E: Transport;
    /// Builds a client.
    fn client(config: Config) -> Client<Self::E>;
    /// Sends one call, returning data.
    fn send<'c, O: Operation>(p: Call<'c, Self::E, O>) -> Result<O::Output, Error>;
    /// Sends one call, returning data and metadata.
    fn send_meta<'c, O: Operation>(p: Call<'c, Self::E, O>) -> Result<Response<O::Output>, Error>;
    /// Collects an auto-pager, item by item, errors included.
    fn collect<'c, O: Paginated>(
        p: Call<'c, Self::E, O, AutoPaging>,
    ) -> Vec<Result<O::Item, Error>>;
    /// Sends a `conversations().send_message(..)` composite.
    fn send_message(
        m: amigo_platform_api::conversations::SendMessage<'_, Self::E>,
    ) -> Result<amigo_platform_api::conversations::SendMessageResponse, Error>;
}

/// The blocking transport.
pub struct Blocking;

impl Backend for Blocking {
    type E = amigo_platform_ureq::UreqTransport;
    fn client(config: Config) -> Client<Self::E> {
        amigo_platform_ureq::Client::new(config)
    }
    fn send<'c, O: Operation>(p: Call<'c, Self::E, O>) -> Result<O::Output, Error> {
        p.send()
    }
    fn send_meta<'c, O: Operation>(p: Call<'c, Self::E, O>) -> Result<Response<O::Output>, Error> {
        p.send_with_meta()
    }
    fn collect<'c, O: Paginated>(
        p: Call<'c, Self::E, O, AutoPaging>,
    ) -> Vec<Result<O::Item, Error>> {
        p.into_iter().take(10_000).collect()
    }
    fn send_message(
        m: amigo_platform_api::conversations::SendMessage<'_, Self::E>,
    ) -> Result<amigo_platform_api::conversations::SendMessageResponse, Error> {
        m.send()
    }
}

/// The custom transport of `examples/custom_transport.rs` (HTTP over `std::net::TcpStream`,
/// written only against the core's public contract).
#[path = "../examples/custom_transport.rs"]
#[allow(dead_code)]
pub mod custom_transport;

/// The example's custom transport, as a third backend.
pub struct Custom;

impl Backend for Custom {
    type E = custom_transport::TcpTransport;
    fn client(config: Config) -> Client<Self::E> {
        Client::with_transport(config, custom_transport::TcpTransport)
    }
    fn send<'c, O: Operation>(p: Call<'c, Self::E, O>) -> Result<O::Output, Error> {
        p.send()
    }
    fn send_meta<'c, O: Operation>(p: Call<'c, Self::E, O>) -> Result<Response<O::Output>, Error> {
        p.send_with_meta()
    }
    fn collect<'c, O: Paginated>(
        p: Call<'c, Self::E, O, AutoPaging>,
    ) -> Vec<Result<O::Item, Error>> {
        p.into_iter().take(10_000).collect()
    }
    fn send_message(
        m: amigo_platform_api::conversations::SendMessage<'_, Self::E>,
    ) -> Result<amigo_platform_api::conversations::SendMessageResponse, Error> {
        m.send()
    }
}

/// The shared multi-threaded runtime the async backend is driven on.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime")
    })
}

/// The async transport, driven on a shared tokio runtime.
pub struct Async;

impl Backend for Async {
    type E = amigo_platform_hyper::HyperTransport;
    fn client(config: Config) -> Client<Self::E> {
        let _guard = runtime().enter();
        amigo_platform_hyper::Client::new(config)
    }
    fn send<'c, O: Operation>(p: Call<'c, Self::E, O>) -> Result<O::Output, Error> {
        runtime().block_on(p.into_future_boxed())
    }
    fn send_meta<'c, O: Operation>(p: Call<'c, Self::E, O>) -> Result<Response<O::Output>, Error> {
        runtime().block_on(p.send_with_meta())
    }
    fn collect<'c, O: Paginated>(
        p: Call<'c, Self::E, O, AutoPaging>,
    ) -> Vec<Result<O::Item, Error>> {
        let mut stream = p.send();
        runtime().block_on(async move {
            let mut out = Vec::new();
            while let Some(item) = stream.next_item().await {
                out.push(item);
                if out.len() >= 10_000 {
                    break;
                }
            }
            out
        })
    }
    fn send_message(
        m: amigo_platform_api::conversations::SendMessage<'_, Self::E>,
    ) -> Result<amigo_platform_api::conversations::SendMessageResponse, Error> {
        // `.await` on the pending composite itself (its `IntoFuture`).
        runtime().block_on(async move { m.await })
    }
}

/// `.await`-style sending, to exercise `IntoFuture` on the async transport.
pub trait IntoFutureBoxed<T> {
    /// The future.
    fn into_future_boxed(self) -> amigo_platform_hyper::SentFuture<T>;
}

impl<O: Operation> IntoFutureBoxed<O::Output>
    for Call<'_, amigo_platform_hyper::HyperTransport, O>
{
    fn into_future_boxed(self) -> amigo_platform_hyper::SentFuture<O::Output> {
        std::future::IntoFuture::into_future(self)
    }
}

/// A config pointed at the mock, with tiny backoff delays so tests stay fast.
pub fn config(server: &MockServer) -> ConfigBuilder {
    Config::builder()
        .api_key(MockServer::API_KEY)
        .workspace_id(MockServer::WORKSPACE_ID)
        .base_url(server.base_url())
        .base_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(5))
}

/// Requests whose path ends with `suffix`.
pub fn count(server: &MockServer, suffix: &str) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.path.ends_with(suffix))
        .count()
}

/// Runs every listed scenario on the three transports: blocking, async and the custom one.
#[macro_export]
macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod blocking {
            $( #[test] fn $name() { super::$name::<super::common::Blocking>() } )*
        }
        mod hyper_async {
            $( #[test] fn $name() { super::$name::<super::common::Async>() } )*
        }
        mod custom {
            $( #[test] fn $name() { super::$name::<super::common::Custom>() } )*
        }
    };
}

/// Cancels `token` from another thread after `after`; join the handle before the test ends.
pub fn cancel_after(
    token: &amigo_platform_core::CancelToken,
    after: Duration,
) -> std::thread::JoinHandle<()> {
    let token = token.clone();
    std::thread::spawn(move || {
        std::thread::sleep(after);
        token.cancel();
    })
}

/// A memory field of `/proc/self/status` (`VmHWM`, `VmRSS`, ..) in bytes (Linux; `None`
/// elsewhere).
pub fn status_bytes(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let value = status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))?;
    let kib: u64 = value.split_whitespace().next()?.parse().ok()?;
    Some(kib * 1024)
}

/// The process's peak resident memory so far, in bytes (Linux).
pub fn peak_rss() -> Option<u64> {
    status_bytes("VmHWM")
}

/// Resets the peak resident memory to the current one (Linux) and returns it: the baseline
/// of a measurement that ends with [`peak_rss`].
pub fn reset_peak() -> Option<u64> {
    std::fs::write("/proc/self/clear_refs", "5").ok()?;
    peak_rss()
}
