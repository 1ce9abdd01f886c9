//! Large results over HTTP: the body is decoded while it arrives (see
//! `src/transport/http/incremental.rs`). A raw loopback server gives exact
//! control of the framing: content length or chunked, the size of each
//! write, a connection cut mid-body, a stall. Also the cap on requests in
//! flight.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use genesys_usage::{
    ApiUsageQueryResult, ApiUsageRow, Error, HttpTransport, QueryStatus, TransportErrorKind,
    UsageTransport,
};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// How the raw server answers every request.
#[derive(Clone)]
struct Answer {
    status: u16,
    body: Vec<u8>,
    /// `Content-Length` to declare; `None` sends the body chunked.
    declared: Option<usize>,
    /// Bytes of the body actually sent before closing.
    sent: usize,
    /// Size of each write.
    piece: usize,
    /// Pause after the first piece.
    stall: Duration,
    /// Pause before answering at all.
    delay: Duration,
}

impl Answer {
    fn ok(body: Vec<u8>) -> Self {
        Self {
            status: 200,
            declared: Some(body.len()),
            sent: body.len(),
            piece: 8 * 1024,
            stall: Duration::ZERO,
            delay: Duration::ZERO,
            body,
        }
    }
}

/// A loopback HTTP/1.1 server answering every request with `answer`, one
/// request per connection; counts requests in flight at the peak.
struct RawServer {
    url: String,
    peak_in_flight: Arc<AtomicUsize>,
}

impl RawServer {
    async fn start(answer: Answer) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let in_flight = Arc::new(AtomicUsize::new(0));
        let peak_in_flight = Arc::new(AtomicUsize::new(0));
        let (now, peak) = (in_flight.clone(), peak_in_flight.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (answer, now, peak) = (answer.clone(), now.clone(), peak.clone());
                tokio::spawn(async move {
                    let _ = serve(stream, &answer, &now, &peak).await;
                });
            }
        });
        Self {
            url,
            peak_in_flight,
        }
    }

    fn transport(&self) -> HttpTransport {
        HttpTransport::builder()
            .base_url(&self.url)
            .token("t")
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap()
    }
}

async fn serve(
    stream: TcpStream,
    answer: &Answer,
    now: &AtomicUsize,
    peak: &AtomicUsize,
) -> std::io::Result<()> {
    let mut stream = BufReader::new(stream);
    let mut line = String::new();
    loop {
        line.clear();
        if stream.read_line(&mut line).await? == 0 || line == "\r\n" {
            break;
        }
    }
    let level = now.fetch_add(1, Ordering::SeqCst) + 1;
    peak.fetch_max(level, Ordering::SeqCst);
    tokio::time::sleep(answer.delay).await;
    let framing = match answer.declared {
        Some(n) => format!("content-length: {n}"),
        None => "transfer-encoding: chunked".to_owned(),
    };
    let head = format!(
        "HTTP/1.1 {} X\r\ncontent-type: application/json\r\nconnection: close\r\n{framing}\r\n\r\n",
        answer.status
    );
    let stream = stream.get_mut();
    stream.write_all(head.as_bytes()).await?;
    for (i, piece) in answer.body[..answer.sent].chunks(answer.piece).enumerate() {
        if answer.declared.is_some() {
            stream.write_all(piece).await?;
        } else {
            stream
                .write_all(format!("{:x}\r\n", piece.len()).as_bytes())
                .await?;
            stream.write_all(piece).await?;
            stream.write_all(b"\r\n").await?;
        }
        if i == 0 {
            tokio::time::sleep(answer.stall).await;
        }
    }
    if answer.declared.is_none() && answer.sent == answer.body.len() {
        stream.write_all(b"0\r\n\r\n").await?;
    }
    stream.flush().await?;
    now.fetch_sub(1, Ordering::SeqCst);
    Ok(())
}

/// `n` rows with every column set, escapes and non-ASCII text included.
fn large_result(n: usize) -> ApiUsageQueryResult {
    let rows = (0..n)
        .map(|i| ApiUsageRow {
            client_id: Some(format!("{i:08x}-75d7-407d-96c9-e6706e1d6fa6")),
            client_name: Some(format!("Client \"{i}\" \\ naïve ✓ [{{,}}]")),
            organization_id: Some("0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9".to_owned()),
            user_id: Some(String::new()),
            template_uri: Some("api/v2/analytics/conversations/aggregates/query".to_owned()),
            http_method: Some("POST".to_owned()),
            status200: Some(i as i64),
            status300: Some(0),
            status400: Some(-(i as i64)),
            status500: Some(i64::MAX),
            status429: Some(i64::MIN),
            requests: Some(7),
            date: Some("2025-01-01T00:00:00Z".to_owned()),
        })
        .collect();
    ApiUsageQueryResult {
        results: Some(rows),
        query_status: Some(QueryStatus::Complete),
        cursors: None,
    }
}

async fn fetch(server: &RawServer) -> genesys_usage::Result<ApiUsageQueryResult> {
    let answer = server
        .transport()
        .get_usage_query_execution_id_results("e")
        .await?;
    Ok(answer.body)
}

#[tokio::test]
async fn a_large_result_round_trips_exactly_with_either_framing() {
    let value = large_result(20_000);
    let compact = serde_json::to_vec(&value).unwrap();
    let pretty = serde_json::to_vec_pretty(&value).unwrap();
    assert!(compact.len() > 4 * 1024 * 1024, "{}", compact.len());
    for (body, declared, piece) in [
        (&compact, true, 8 * 1024),
        (&compact, false, 1_000),
        (&pretty, true, 65_537),
    ] {
        let mut answer = Answer::ok(body.clone());
        answer.piece = piece;
        if !declared {
            answer.declared = None;
        }
        let server = RawServer::start(answer).await;
        assert_eq!(fetch(&server).await.unwrap(), value);
    }
}

#[tokio::test]
async fn a_body_cut_short_on_the_wire_is_a_transport_error() {
    let body = serde_json::to_vec(&large_result(5_000)).unwrap();
    let mut answer = Answer::ok(body);
    answer.sent = answer.body.len() / 2;
    let server = RawServer::start(answer).await;
    let error = fetch(&server).await.unwrap_err();
    assert!(
        matches!(
            &error,
            Error::Transport {
                kind: TransportErrorKind::Io,
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_complete_answer_of_truncated_json_is_a_decode_error_naming_the_operation() {
    let body = serde_json::to_vec(&large_result(5_000)).unwrap();
    let half = body[..body.len() / 2].to_vec();
    let server = RawServer::start(Answer::ok(half)).await;
    match fetch(&server).await.unwrap_err() {
        Error::Decode {
            status,
            message,
            snippet,
            ..
        } => {
            assert_eq!(status, 200);
            assert!(
                message.starts_with("GET /api/v2/usage/query/{executionId}/results: "),
                "{message}"
            );
            assert!(message.contains("EOF"), "{message}");
            assert!(
                snippet.starts_with(r#"{"results":[{"clientId""#),
                "{snippet}"
            );
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_bad_row_deep_in_a_large_body_is_a_decode_error_naming_the_row() {
    let mut value = serde_json::to_value(large_result(5_000)).unwrap();
    value["results"][4_321]["requests"] = serde_json::json!("seven");
    let body = serde_json::to_vec(&value).unwrap();
    let server = RawServer::start(Answer::ok(body)).await;
    match fetch(&server).await.unwrap_err() {
        Error::Decode { message, .. } => {
            assert!(message.contains("`results` item 4321"), "{message}");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_large_error_answer_is_an_api_error_with_its_body() {
    let body = serde_json::json!({
        "status": 503,
        "code": "service.unavailable",
        "message": "x".repeat(600_000),
    });
    let mut answer = Answer::ok(serde_json::to_vec(&body).unwrap());
    answer.status = 503;
    let server = RawServer::start(answer).await;
    match fetch(&server).await.unwrap_err() {
        Error::Api {
            status: 503,
            body: Some(body),
            ..
        } => assert_eq!(body.code.as_deref(), Some("service.unavailable")),
        other => panic!("expected an api error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_large_body_that_stalls_runs_into_the_request_timeout() {
    let body = serde_json::to_vec(&large_result(5_000)).unwrap();
    let mut answer = Answer::ok(body);
    answer.stall = Duration::from_secs(5);
    let server = RawServer::start(answer).await;
    let transport = HttpTransport::builder()
        .base_url(&server.url)
        .token("t")
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let error = transport
        .get_usage_query_execution_id_results("e")
        .await
        .unwrap_err();
    assert!(
        matches!(
            &error,
            Error::Transport {
                kind: TransportErrorKind::Timeout,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(4));
}

#[tokio::test]
async fn max_concurrent_requests_caps_the_requests_in_flight() {
    let body = br#"{"queryStatus":"Running"}"#.to_vec();
    let mut answer = Answer::ok(body);
    answer.delay = Duration::from_millis(40);
    let server = RawServer::start(answer).await;
    let transport = HttpTransport::builder()
        .base_url(&server.url)
        .token("t")
        .max_concurrent_requests(3)
        .build()
        .unwrap();
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..12 {
        let transport = transport.clone();
        calls.spawn(async move { transport.get_usage_query_execution_id_results("e").await });
    }
    for outcome in calls.join_all().await {
        assert_eq!(
            outcome.unwrap().body.query_status,
            Some(QueryStatus::Running)
        );
    }
    let peak = server.peak_in_flight.load(Ordering::SeqCst);
    assert!((1..=3).contains(&peak), "{peak} requests in flight at once");
}

#[tokio::test]
async fn under_the_default_cap_the_same_calls_overlap() {
    // The control of the test above: the server does see concurrency.
    let mut answer = Answer::ok(br#"{"queryStatus":"Running"}"#.to_vec());
    answer.delay = Duration::from_millis(40);
    let server = RawServer::start(answer).await;
    let transport = server.transport();
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..12 {
        let transport = transport.clone();
        calls.spawn(async move { transport.get_usage_query_execution_id_results("e").await });
    }
    calls.join_all().await;
    assert!(server.peak_in_flight.load(Ordering::SeqCst) > 3);
}

#[test]
fn a_zero_cap_is_refused_naming_the_option() {
    let error = HttpTransport::builder()
        .token("t")
        .max_concurrent_requests(0)
        .build()
        .unwrap_err();
    assert!(
        matches!(&error, Error::Config { field, .. } if field == "max_concurrent_requests"),
        "{error:?}"
    );
}
