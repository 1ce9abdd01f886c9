//! Optional per-token rate limiting with the `inin-ratelimit-*` headers.

mod support;

use genesys_usage_mock::Config;
use reqwest::StatusCode;
use support::{error_body, start, start_with};

fn header(response: &reqwest::Response, name: &str) -> u64 {
    response.headers()[name].to_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn rate_limit_headers_come_with_every_answer_when_limiting_is_on() {
    let h = start_with(Config {
        rate_limit: Some(5),
        ..Config::default()
    })
    .await;
    let first = h.get("/api/v2/usage/query/x/results").await;
    assert_eq!(first.status(), StatusCode::NOT_FOUND);
    assert_eq!(header(&first, "inin-ratelimit-count"), 1);
    assert_eq!(header(&first, "inin-ratelimit-allowed"), 5);
    let reset = header(&first, "inin-ratelimit-reset");
    assert!((1..=60).contains(&reset), "{reset}");
    let second = h.get("/api/v2/usage/query/x/results").await;
    assert_eq!(header(&second, "inin-ratelimit-count"), 2);
}

#[tokio::test]
async fn going_over_the_budget_is_a_429_with_retry_after() {
    let h = start_with(Config {
        rate_limit: Some(2),
        ..Config::default()
    })
    .await;
    for _ in 0..2 {
        let ok = h.get("/api/v2/usage/query/x/results").await;
        assert_eq!(ok.status(), StatusCode::NOT_FOUND);
    }
    let limited = h.get("/api/v2/usage/query/x/results").await;
    let retry_after = header(&limited, "retry-after");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(header(&limited, "inin-ratelimit-count"), 3);
    let body = error_body(limited, 429, "too.many.requests.retry.after").await;
    assert_eq!(
        body["message"],
        format!("Rate limit exceeded the maximum. Retry the request in [{retry_after}] seconds")
    );
}

#[tokio::test]
async fn the_budget_is_per_token() {
    let h = start_with(Config {
        rate_limit: Some(1),
        ..Config::default()
    })
    .await;
    assert_eq!(
        h.get("/api/v2/usage/query/x/results").await.status(),
        StatusCode::NOT_FOUND
    );
    let other = support::token(&h.http, &h.server.url()).await;
    let response = h
        .http
        .get(h.url("/api/v2/usage/query/x/results"))
        .bearer_auth(other)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn without_limiting_there_are_no_rate_limit_headers() {
    let h = start().await;
    let response = h.get("/api/v2/usage/query/x/results").await;
    assert!(!response.headers().contains_key("inin-ratelimit-count"));
}
