//! The accept loop: one hyper HTTP/1.1 connection task per client, with
//! `TCP_NODELAY`, a header read timeout, a per-connection [`KillSwitch`] for
//! the connection-reset fault, graceful shutdown, and the TLS handshake
//! first when the server speaks HTTPS.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::http::faults::KillSwitch;
use crate::http::middleware::Outer;
use crate::serve::state::AppState;
use crate::serve::tls::Https;

/// How long open connections get to finish once shutdown starts.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// A client must send its request headers within this time.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Pause after an accept error (e.g. out of file descriptors) before retrying.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);
/// A client must finish the TLS handshake within this time.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves `state` on `listener` until `shutdown` resolves or the admin API
/// asks for shutdown; then lets open requests finish (bounded) and returns.
pub(crate) async fn serve_state(
    listener: TcpListener,
    state: AppState,
    https: Option<Https>,
    shutdown: impl Future<Output = ()> + Send,
) -> io::Result<()> {
    let app = Outer::new(state.clone());
    let max_buf = (state.config.max_header_bytes + 16 * 1024).max(64 * 1024);
    let mut admin_shutdown = state.shutdown.subscribe();
    let (stop, stopped) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            () = shutdown_requested(&mut admin_shutdown) => break,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, _peer)) => {
                connections.spawn(serve_connection(
                    stream,
                    https.clone(),
                    app.clone(),
                    stopped.clone(),
                    max_buf,
                ));
            }
            Err(error) => {
                tracing::warn!(%error, "accept failed");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
            }
        }
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    stop.send_replace(true);
    drain(connections).await;
    save_recording(&state);
    Ok(())
}

/// `--record`: the cassette is written once the last request is answered.
fn save_recording(state: &AppState) {
    let Some(recorder) = &state.recording else {
        return;
    };
    match recorder.save() {
        Ok(exchanges) => {
            tracing::info!(path = %recorder.path().display(), exchanges, "recording saved");
        }
        Err(error) => tracing::error!(%error, "cannot save the recording"),
    }
}

/// Waits (bounded) for open connections to finish their requests.
async fn drain(mut connections: JoinSet<()>) {
    tracing::info!(open = connections.len(), "shutting down");
    let drained = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            open = connections.len(),
            "closing connections that did not finish in time"
        );
        connections.shutdown().await;
    }
}

/// Resolves once `POST /__admin/shutdown` was called.
async fn shutdown_requested(requested: &mut watch::Receiver<bool>) {
    if requested.wait_for(|yes| *yes).await.is_err() {
        // The state (and its sender) is gone: nobody can ask any more.
        std::future::pending::<()>().await;
    }
}

async fn serve_connection(
    stream: TcpStream,
    https: Option<Https>,
    app: Outer,
    stop: watch::Receiver<bool>,
    max_buf: usize,
) {
    // Without NODELAY, small answers wait for the peer's delayed ACK (~40 ms).
    let _ = stream.set_nodelay(true);
    let (stream, handle) = split_handle(stream);
    let Some(stream) = stream else { return };
    let Some(https) = https else {
        return serve_io(stream, handle, app, stop, max_buf).await;
    };
    let handshake = tokio::time::timeout(HANDSHAKE_TIMEOUT, https.acceptor.accept(stream)).await;
    match handshake {
        Ok(Ok(tls)) => serve_io(tls, handle, app, stop, max_buf).await,
        // A client that does not trust the certificate, or has none when
        // one is required, ends here; that is its test's business.
        Ok(Err(error)) => tracing::debug!(%error, "tls handshake failed"),
        Err(_) => tracing::debug!("tls handshake timed out"),
    }
}

/// Serves HTTP/1.1 on one connection (plain or TLS) until it ends, is
/// killed by a reset fault, or shutdown drains it.
async fn serve_io<S>(
    io: S,
    handle: Option<std::net::TcpStream>,
    app: Outer,
    mut stop: watch::Receiver<bool>,
    max_buf: usize,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let kill = Arc::new(KillSwitch::default());
    // One `Arc` per connection, cloned per request: its count stays in the
    // cache of the worker serving the connection, where cloning the shared
    // state's would bounce a cache line between workers on every request.
    let context = Arc::new((app, kill.clone()));
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let context = Arc::clone(&context);
        async move {
            let (app, kill) = &*context;
            let response = app
                .serve(request.map(Body::new), Some(Arc::clone(kill)))
                .await;
            Ok::<_, Infallible>(response)
        }
    });
    let connection = http1_builder(max_buf).serve_connection(TokioIo::new(io), service);
    tokio::pin!(connection);
    let mut draining = false;
    if *stop.borrow() {
        connection.as_mut().graceful_shutdown();
        draining = true;
    }
    loop {
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(error) = result {
                    tracing::debug!(%error, "connection ended with an error");
                }
                return;
            }
            () = kill.killed() => {
                // Linger 0 turns the close into a reset (RST) instead of a FIN.
                if let Some(handle) = &handle {
                    let _ = socket2::SockRef::from(handle).set_linger(Some(Duration::ZERO));
                }
                return;
            }
            Ok(()) = stop.changed(), if !draining => {
                connection.as_mut().graceful_shutdown();
                draining = true;
            }
        }
    }
}

/// HTTP/1.1 with keep-alive, a header read timeout (no slowloris can hold a
/// connection forever) and a bounded header buffer.
fn http1_builder(max_buf: usize) -> http1::Builder {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .max_buf_size(max_buf)
        .keep_alive(true);
    builder
}

/// A duplicate of the socket, kept to set SO_LINGER when the connection is
/// killed (hyper owns the stream itself by then).
fn split_handle(stream: TcpStream) -> (Option<TcpStream>, Option<std::net::TcpStream>) {
    let Ok(std_stream) = stream.into_std() else {
        return (None, None);
    };
    let handle = std_stream.try_clone().ok();
    (TcpStream::from_std(std_stream).ok(), handle)
}
