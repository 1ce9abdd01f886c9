//! An HTTP `CONNECT` proxy on 127.0.0.1 for the proxy tests: it opens
//! tunnels to loopback targets only, can require Basic credentials, and
//! records every `CONNECT` it was asked for.
//!
//! Included with `#[path = "support/proxy.rs"] mod proxy;`.

#![allow(dead_code, unreachable_pub)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// Longest request head the proxy reads.
const MAX_HEAD: usize = 16 * 1024;
/// A client must send its `CONNECT` within this time.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// One `CONNECT` the proxy was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tunnel {
    /// `host:port` asked for.
    pub target: String,
    /// The `Proxy-Authorization` header, if sent.
    pub authorization: Option<String>,
    /// The status the proxy answered (200, 407, …).
    pub status: u16,
}

/// A running proxy; stopped when dropped.
pub struct ConnectProxy {
    port: u16,
    tunnels: Arc<Mutex<Vec<Tunnel>>>,
    task: JoinHandle<()>,
}

impl Drop for ConnectProxy {
    fn drop(&mut self) {
        // Aborting the accept loop drops its JoinSet, which aborts the tunnels.
        self.task.abort();
    }
}

impl ConnectProxy {
    /// A proxy that opens a tunnel for anyone.
    pub async fn open() -> Self {
        Self::start(None).await
    }

    /// A proxy that answers 407 unless `Proxy-Authorization` carries these
    /// Basic credentials.
    pub async fn with_credentials(user: &str, password: &str) -> Self {
        let expected =
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        Self::start(Some(format!("Basic {expected}"))).await
    }

    async fn start(required: Option<String>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the proxy");
        let port = listener.local_addr().expect("proxy address").port();
        let tunnels = Arc::new(Mutex::new(Vec::new()));
        let book = tunnels.clone();
        let task = tokio::spawn(async move {
            let mut connections = JoinSet::new();
            while let Ok((stream, _)) = listener.accept().await {
                connections.spawn(serve(stream, required.clone(), book.clone()));
                while connections.try_join_next().is_some() {}
            }
        });
        Self {
            port,
            tunnels,
            task,
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The `CONNECT`s asked for so far.
    pub fn tunnels(&self) -> Vec<Tunnel> {
        self.tunnels.lock().unwrap().clone()
    }
}

async fn serve(mut client: TcpStream, required: Option<String>, book: Arc<Mutex<Vec<Tunnel>>>) {
    let Ok(Some(head)) = tokio::time::timeout(HEAD_TIMEOUT, read_head(&mut client)).await else {
        return;
    };
    let (target, authorization) = parse(&head);
    let status = match (&target, &required) {
        (None, _) => 405,
        (Some(_), Some(required)) if authorization.as_deref() != Some(required) => 407,
        (Some(target), _) if !target.starts_with("127.0.0.1:") => 403,
        _ => 200,
    };
    book.lock().unwrap().push(Tunnel {
        target: target.clone().unwrap_or_default(),
        authorization,
        status,
    });
    let upstream = match (status, &target) {
        (200, Some(target)) => TcpStream::connect(target.as_str()).await.ok(),
        _ => None,
    };
    let Some(mut upstream) = upstream else {
        let reason = match status {
            407 => "407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"",
            405 => "405 Method Not Allowed",
            403 => "403 Forbidden",
            _ => "502 Bad Gateway",
        };
        let answer = format!("HTTP/1.1 {reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        let _ = client.write_all(answer.as_bytes()).await;
        return;
    };
    if client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .await
        .is_ok()
    {
        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
    }
}

/// Reads up to the blank line ending the request head (a client sends
/// nothing else before the proxy answers a `CONNECT`).
async fn read_head(client: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > MAX_HEAD || client.read(&mut byte).await.ok()? == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    String::from_utf8(head).ok()
}

/// The `CONNECT` target and the `Proxy-Authorization` header.
fn parse(head: &str) -> (Option<String>, Option<String>) {
    let mut lines = head.split("\r\n");
    let target = lines.next().and_then(|line| {
        let mut parts = line.split(' ');
        match (parts.next(), parts.next()) {
            (Some("CONNECT"), Some(target)) => Some(target.to_owned()),
            _ => None,
        }
    });
    let authorization = lines.find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("proxy-authorization")
            .then(|| value.trim().to_owned())
    });
    (target, authorization)
}
