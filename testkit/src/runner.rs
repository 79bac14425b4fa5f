//! The one loopback server runner behind every mock (HTTP, WebSocket, identity): bind
//! `127.0.0.1`, accept connections on a background Tokio runtime, stop and join on drop.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// A bound loopback listener whose address is known before serving starts.
pub(crate) struct Bound {
    name: &'static str,
    listener: std::net::TcpListener,
    addr: SocketAddr,
}

/// A running server; dropping it stops the accept loop and every connection task.
pub(crate) struct Loopback {
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    accepted: Arc<AtomicU64>,
}

impl Bound {
    /// Binds `127.0.0.1:port` (0 picks a free port); panics only if that fails.
    pub(crate) fn bind(name: &'static str, port: u16) -> Bound {
        let listener = std::net::TcpListener::bind(("127.0.0.1", port))
            .unwrap_or_else(|e| panic!("{name}: cannot bind 127.0.0.1:{port}: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("{name}: no local address: {e}"));
        listener
            .set_nonblocking(true)
            .unwrap_or_else(|e| panic!("{name}: cannot make the listener non-blocking: {e}"));
        Bound {
            name,
            listener,
            addr,
        }
    }

    /// The bound address.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves every accepted connection with `serve` on a background thread.
    pub(crate) fn serve<F, Fut>(self, serve: F) -> Loopback
    where
        F: Fn(tokio::net::TcpStream) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let name = self.name;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("{name}: cannot build a Tokio runtime: {e}"));
        let listener = {
            let _guard = runtime.enter();
            tokio::net::TcpListener::from_std(self.listener)
                .unwrap_or_else(|e| panic!("{name}: cannot register the listener: {e}"))
        };
        let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
        let accepted = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&accepted);
        let thread = std::thread::Builder::new()
            .name(format!("{name}-{}", self.addr.port()))
            .spawn(move || {
                runtime.block_on(async move {
                    loop {
                        tokio::select! {
                            _ = &mut rx => break,
                            accepted = listener.accept() => match accepted {
                                Ok((stream, _)) => {
                                    counter.fetch_add(1, Ordering::SeqCst);
                                    tokio::spawn(serve(stream));
                                }
                                // For example, out of file descriptors: back off briefly.
                                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                            },
                        }
                    }
                });
                // Dropping the runtime here cancels every connection task.
                drop(runtime);
            })
            .unwrap_or_else(|e| panic!("{name}: cannot spawn the server thread: {e}"));
        Loopback {
            shutdown: Some(tx),
            thread: Some(thread),
            accepted,
        }
    }
}

impl Loopback {
    /// How many TCP connections the server has accepted so far.
    pub(crate) fn connections(&self) -> u64 {
        self.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for Loopback {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
