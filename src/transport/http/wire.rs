//! The request/response plumbing shared by the 11 operations: one generic
//! [`Wire::send`] that expands the path, attaches the bearer token, sends,
//! reads the metadata and maps the answer to the contract's types.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use reqwest::Method;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap};
use serde::Serialize;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Duration, Instant};
use tracing::Instrument;
use url::Url;

use super::failure::{Target, authority, transport_error};
use super::incremental::{BodyDecoder, Streamed, Undecodable};
use super::urls;
use crate::auth::{AccessToken, TokenProvider};
use crate::error::{Error, Result};
use crate::retry::parse_retry_after;
use crate::transport::{
    ApiResponse, PageRequest, RateLimitInfo, ResponseMeta, attempt, body_snippet, error_from_answer,
};

pub(crate) const JSON: &str = "application/json";

/// One operation to send: method, path template with its parameters, query
/// and an optional JSON body.
pub(super) struct Call<'a> {
    method: Method,
    template: &'static str,
    params: Vec<&'a str>,
    query: Vec<(&'static str, String)>,
    body: Option<serde_json::Result<Vec<u8>>>,
}

impl<'a> Call<'a> {
    /// A GET of `template` with `params` filling its placeholders in order.
    pub(super) fn get(template: &'static str, params: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            method: Method::GET,
            template,
            params: params.into_iter().collect(),
            query: Vec::new(),
            body: None,
        }
    }

    /// A POST of `body` as JSON.
    pub(super) fn post(
        template: &'static str,
        params: impl IntoIterator<Item = &'a str>,
        body: &(impl Serialize + ?Sized),
    ) -> Self {
        Self {
            method: Method::POST,
            body: Some(serde_json::to_vec(body)),
            ..Self::get(template, params)
        }
    }

    /// Adds `pageSize` and `after` when set.
    pub(super) fn page(mut self, page: &PageRequest) -> Self {
        if let Some(size) = page.page_size {
            self.query.push(("pageSize", size.to_string()));
        }
        if let Some(after) = &page.after {
            self.query.push(("after", after.clone()));
        }
        self
    }

    /// Adds a query parameter when `value` is set.
    pub(super) fn query(mut self, name: &'static str, value: Option<String>) -> Self {
        if let Some(value) = value {
            self.query.push((name, value));
        }
        self
    }
}

/// What an [`HttpTransport`](crate::HttpTransport) shares between clones.
pub(super) struct Wire {
    pub(super) http: reqwest::Client,
    pub(super) base: Url,
    /// `host[:port]` of the base URL, for error messages and spans.
    host: String,
    pub(super) auth: Arc<dyn TokenProvider>,
    /// One permit per request in flight (`max_concurrent_requests`).
    limit: Arc<Semaphore>,
    /// The last token the API answered 401 to, handed to the provider by
    /// `refresh_auth` so it drops that token and no newer one.
    last_rejected: Mutex<Option<AccessToken>>,
}

impl std::fmt::Debug for Wire {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpTransport")
            .field("base_url", &self.base.as_str())
            .field("auth", &self.auth)
            .finish_non_exhaustive()
    }
}

impl Wire {
    pub(super) fn new(
        http: reqwest::Client,
        base: Url,
        auth: Arc<dyn TokenProvider>,
        limit: usize,
    ) -> Self {
        Self {
            http,
            host: authority(&base),
            base,
            auth,
            limit: Arc::new(Semaphore::new(limit.min(Semaphore::MAX_PERMITS))),
            last_rejected: Mutex::new(None),
        }
    }

    /// Sends one call and maps its answer (contract rules 1–4). The span's
    /// fields follow the OpenTelemetry HTTP semantic conventions.
    pub(super) async fn send<T: Streamed>(&self, call: Call<'_>) -> Result<ApiResponse<T>> {
        let span = tracing::debug_span!(
            "http_request",
            http.request.method = %call.method,
            url.template = call.template,
            server.address = %self.host,
            http.response.status_code = tracing::field::Empty,
            error.type = tracing::field::Empty,
            correlation_id = tracing::field::Empty,
        );
        let outcome = self.exchange(call).instrument(span.clone()).await;
        if let Err(error) = &outcome {
            // Also when nothing was sent (no token, an unusable path).
            span.record("error.type", error.error_type().as_ref());
        }
        outcome
    }

    async fn exchange<T: Streamed>(&self, call: Call<'_>) -> Result<ApiResponse<T>> {
        let operation = (call.method.clone(), call.template);
        let request = self.prepare(call)?;
        let token = self.auth.access_token().await?;
        // Held until the body is read and a little after (see `hand_on`);
        // the semaphore is never closed.
        let permit = Arc::clone(&self.limit).acquire_owned().await.ok();
        let started = Instant::now();
        let target = Target {
            what: "request",
            host: &self.host,
        };
        let outcome = read_answer::<T>(request.bearer_auth(token.secret()), target).await;
        let reusable = matches!(
            outcome,
            Ok((_, _, Payload::Decoded(_) | Payload::Refused(_)))
        );
        hand_on(permit, reusable, &self.limit);
        let (status, meta, payload) = traced(outcome, started)?;
        match payload {
            Payload::Decoded(body) => Ok(ApiResponse { body, meta }),
            Payload::Undecodable(failure) => Err(Error::Decode {
                status,
                message: format!("{} {}: {}", operation.0, operation.1, failure.message),
                snippet: body_snippet(&failure.head),
                correlation_id: meta.correlation_id,
                not_json: failure.not_json,
            }),
            Payload::Refused(bytes) => {
                if status == 401 {
                    *self.rejected() = Some(token);
                }
                Err(error_from_answer(status, &bytes, meta))
            }
        }
    }

    /// The request of `call` without credentials; nothing is sent when the
    /// path or the body is unusable.
    fn prepare(&self, call: Call<'_>) -> Result<reqwest::RequestBuilder> {
        let url = urls::expand(&self.base, call.template, &call.params)?;
        let mut request = self.http.request(call.method, url).header(ACCEPT, JSON);
        if let Some(timeout) = attempt::timeout() {
            request = request.timeout(timeout);
        }
        if !call.query.is_empty() {
            request = request.query(&call.query);
        }
        if let Some(body) = call.body {
            let body =
                body.map_err(|e| Error::invalid("body", format!("cannot be serialized: {e}")))?;
            request = request.header(CONTENT_TYPE, JSON).body(body);
        }
        Ok(request)
    }

    /// Tells the provider which token the API refused (contract rule 5).
    pub(super) async fn refresh_auth(&self) -> Result<bool> {
        let rejected = self.rejected().clone();
        match rejected {
            Some(token) => self.auth.refresh(&token).await,
            // No API 401 seen: the refusal came from the token endpoint, and
            // asking it again would only be refused again.
            None => Ok(false),
        }
    }

    fn rejected(&self) -> std::sync::MutexGuard<'_, Option<AccessToken>> {
        // The guarded value is a plain Option: a panic elsewhere cannot leave it torn.
        self.last_rejected
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// How long a permit is kept after a body was read whole, when other
/// requests may be waiting for it.
const HAND_ON_DELAY: Duration = Duration::from_millis(1);

/// Releases the permit of a finished request. When the body was read whole
/// the connection goes back to the pool, but not at once: hyper puts it back
/// from a task of its own, woken at the same time as the caller. A waiting
/// request that got the permit first finds the pool empty and opens a new
/// connection (the burst of row 3 opened 83–106 connections for 64 permits).
/// So when no permit is free (someone may be waiting), this one is released
/// from a spawned task after [`HAND_ON_DELAY`]; the caller does not wait.
/// A connection closed mid-body will not be reused: no reason to wait then.
fn hand_on(permit: Option<OwnedSemaphorePermit>, reusable: bool, limit: &Semaphore) {
    let Some(permit) = permit else { return };
    if !reusable || limit.available_permits() > 0 {
        return;
    }
    tokio::spawn(async move {
        tokio::time::sleep(HAND_ON_DELAY).await;
        drop(permit);
    });
}

/// The body of an answer.
enum Payload<T> {
    /// A 2xx body, decoded.
    Decoded(T),
    /// A 2xx body that is not a `T`.
    Undecodable(Undecodable),
    /// A non-2xx body, as received.
    Refused(Vec<u8>),
}

/// Status, metadata and body of an answer.
type Answer<T> = (u16, ResponseMeta, Payload<T>);

/// Sends `request` and reads the whole answer. A 2xx body is decoded as it
/// arrives (see [`incremental`](super::incremental)); the request timeout
/// covers the body, as it did when it was read in one piece.
async fn read_answer<T: Streamed>(
    request: reqwest::RequestBuilder,
    target: Target<'_>,
) -> Result<Answer<T>> {
    let failed = |error| transport_error(error, target);
    let mut response = request.send().await.map_err(failed)?;
    let status = response.status().as_u16();
    let meta = meta_from_headers(status, response.headers());
    if !(200..300).contains(&status) {
        let bytes = response.bytes().await.map_err(failed)?;
        return Ok((status, meta, Payload::Refused(bytes.into())));
    }
    let mut decoder = BodyDecoder::<T>::new(response.content_length());
    while let Some(chunk) = response.chunk().await.map_err(failed)? {
        if let Err(failure) = decoder.push(&chunk) {
            // Dropping the response closes the connection mid-body.
            return Ok((status, meta, Payload::Undecodable(failure)));
        }
    }
    let payload = match decoder.finish() {
        Ok(body) => Payload::Decoded(body),
        Err(failure) => Payload::Undecodable(failure),
    };
    Ok((status, meta, payload))
}

/// Records the outcome of one exchange on the current span and as an event.
fn traced<T>(outcome: Result<Answer<T>>, started: Instant) -> Result<Answer<T>> {
    let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let span = tracing::Span::current();
    match &outcome {
        Ok((status, meta, payload)) => {
            span.record("http.response.status_code", status);
            span.record("correlation_id", meta.correlation_id.as_deref());
            if !matches!(payload, Payload::Decoded(_)) {
                let error_type = match payload {
                    Payload::Undecodable(_) => "decode".to_owned(),
                    _ => status.to_string(),
                };
                span.record("error.type", error_type);
            }
            tracing::debug!(status, elapsed_ms, "http answer");
        }
        Err(error) => tracing::debug!(error = %error, elapsed_ms, "http request failed"),
    }
    outcome
}

/// Reads status, correlation id, `Retry-After` and the rate-limit headers.
pub(crate) fn meta_from_headers(status: u16, headers: &HeaderMap) -> ResponseMeta {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let number = |name: &str| text(name).and_then(|v| v.parse::<u64>().ok());
    let rate_limit = RateLimitInfo {
        count: number("inin-ratelimit-count"),
        allowed: number("inin-ratelimit-allowed"),
        reset: number("inin-ratelimit-reset"),
    };
    ResponseMeta {
        status,
        correlation_id: text("inin-correlation-id").map(str::to_owned),
        retry_after: text("retry-after").and_then(|v| parse_retry_after(v, SystemTime::now())),
        rate_limit: (rate_limit != RateLimitInfo::default()).then_some(rate_limit),
    }
}
