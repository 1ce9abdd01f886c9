//! Shared helpers of the mock server's integration tests: a started server
//! with a token, request helpers, and admin shortcuts.

#![allow(
    dead_code,
    unreachable_pub,
    reason = "shared by several test crates, each using a different subset"
)]

use std::time::Duration;

use chrono::{Days, Utc};
use genesys_usage_mock::{Config, MockServer};
use reqwest::{Client, Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};

/// A running server, an HTTP client and a valid bearer token.
pub struct Harness {
    pub server: MockServer,
    pub http: Client,
    pub token: String,
}

/// A client that never uses a proxy and gives up after 10 s.
pub fn http_client() -> Client {
    Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client builds")
}

pub async fn start() -> Harness {
    start_with(Config::default()).await
}

pub async fn start_with(config: Config) -> Harness {
    let server = MockServer::start(config).await.expect("server starts");
    let http = http_client();
    let token = token(&http, &server.url()).await;
    Harness {
        server,
        http,
        token,
    }
}

/// A token for the default credentials.
pub async fn token(http: &Client, base: &str) -> String {
    let response = http
        .post(format!("{base}/oauth/token"))
        .basic_auth("mock-client-id", Some("mock-client-secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("token request");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("token json");
    body["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

impl Harness {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url())
    }

    /// An authenticated request.
    pub fn api(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, self.url(path))
            .bearer_auth(&self.token)
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.api(Method::POST, path)
            .json(body)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn get(&self, path: &str) -> Response {
        self.api(Method::GET, path)
            .send()
            .await
            .expect("request sent")
    }

    /// An admin GET, decoded.
    pub async fn admin_get(&self, path: &str) -> Value {
        let response = self
            .http
            .get(self.url(&format!("/__admin/{path}")))
            .send()
            .await
            .expect("admin request");
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        response.json().await.expect("admin json")
    }

    /// An admin POST with a JSON body; returns status and decoded body.
    pub async fn admin_post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        let response = self
            .http
            .post(self.url(&format!("/__admin/{path}")))
            .json(body)
            .send()
            .await
            .expect("admin request");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn execution_count(&self) -> u64 {
        self.admin_get("executions").await["count"]
            .as_u64()
            .expect("count")
    }

    /// A client id of the synthetic dataset.
    pub fn client_id(&self) -> String {
        self.server.engine().dataset().clients()[0].id.clone()
    }
}

/// `YYYY-MM-DD/YYYY-MM-DD` over `days` whole days ending yesterday.
pub fn recent_interval(days: u64) -> String {
    let today = Utc::now().date_naive();
    let start = today.checked_sub_days(Days::new(days)).expect("date");
    format!("{start}/{today}")
}

pub fn org_query() -> Value {
    json!({ "interval": recent_interval(7), "granularity": "Day" })
}

/// Reads an `ErrorBody` answer and checks the shape every error shares:
/// status field, code, and `contextId` = `ININ-Correlation-Id`.
pub async fn error_body(response: Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status().as_u16(), status);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    let correlation = response
        .headers()
        .get("inin-correlation-id")
        .expect("correlation header")
        .to_str()
        .unwrap()
        .to_owned();
    let body: Value = response.json().await.expect("error json");
    assert_eq!(body["status"], json!(status), "{body}");
    assert_eq!(body["code"], json!(code), "{body}");
    assert_eq!(body["contextId"], json!(correlation), "{body}");
    body
}
