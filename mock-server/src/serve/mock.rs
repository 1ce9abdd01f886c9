//! [`MockServer`]: the server on a free loopback port, in-process, for tests.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use genesys_usage::fake::{ComplianceReport, Engine};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::serve::server::serve_state;
use crate::serve::state::AppState;
use crate::serve::tls::Https;
use crate::settings::config::Config;

/// A running mock server, stopped by [`shutdown`](Self::shutdown) or on drop.
///
/// ```no_run
/// # async fn demo() -> std::io::Result<()> {
/// use genesys_usage_mock::{Config, MockServer};
/// let server = MockServer::start(Config::default()).await?;
/// let token_url = format!("{}/oauth/token", server.url());
/// # let _ = token_url;
/// server.shutdown().await
/// # }
/// ```
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    https: Option<Https>,
    state: AppState,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<io::Result<()>>>,
}

impl MockServer {
    /// Binds `config.host:config.port` (loopback and a free port by default)
    /// and serves in a background task of the current tokio runtime, over
    /// HTTPS when `config.tls` says so.
    ///
    /// # Errors
    /// The bind error, e.g. the port is taken; an `InvalidInput` error
    /// when the TLS settings cannot be used.
    pub async fn start(config: Config) -> io::Result<Self> {
        let https = Https::setup(&config.tls)?;
        let listener = TcpListener::bind((config.host, config.port)).await?;
        let addr = listener.local_addr()?;
        let state = AppState::new(config);
        let (stop, stopped) = oneshot::channel::<()>();
        let serving = serve_state(listener, state.clone(), https.clone(), async move {
            let _ = stopped.await;
        });
        let task = tokio::spawn(serving);
        Ok(Self {
            addr,
            https,
            state,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The base URL, e.g. `http://127.0.0.1:40123`, or `https://…` over
    /// TLS (API and login on the same server).
    #[must_use]
    pub fn url(&self) -> String {
        let scheme = if self.https.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.addr)
    }

    /// The CA certificate (PEM) of a server started with
    /// [`TlsConfig::self_signed`](crate::TlsConfig::self_signed), for the
    /// client to trust.
    #[must_use]
    pub fn ca_certificate_pem(&self) -> Option<&str> {
        self.https.as_ref().and_then(Https::ca_certificate_pem)
    }

    /// The bound address.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The engine behind the server, to script lifecycles and faults or
    /// inspect executions directly.
    #[must_use]
    pub fn engine(&self) -> Arc<Engine> {
        self.state.engine.clone()
    }

    /// How execution `id` was polled: the report of
    /// `GET /__admin/executions/{id}/compliance` (`Retry-After`s honoured,
    /// the minimum interval of [`Config::min_poll_interval`] kept, no poll
    /// after the terminal state), the same type `FakeTransport::compliance`
    /// gives. `None` when `id` was never polled and is not a live execution.
    #[must_use]
    pub fn compliance(&self, id: &str) -> Option<ComplianceReport> {
        let tracker = &self.state.compliance;
        tracker.report(id).or_else(|| {
            let live = self.state.engine.execution(id).is_some();
            live.then(|| ComplianceReport::unpolled(id, tracker.min_interval()))
        })
    }

    /// Stops accepting, lets open requests finish (bounded) and waits.
    ///
    /// # Errors
    /// An I/O error of the server task.
    pub async fn shutdown(mut self) -> io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.task.take() {
            Some(task) => task.await.unwrap_or_else(|e| Err(io::Error::other(e))),
            None => Ok(()),
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
