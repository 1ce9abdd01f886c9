//! What the client reports: spans with OpenTelemetry semantic-convention
//! fields (and ours: operation, execution id, attempt), the token request
//! as its own operation, and, with feature `metrics`, the counters and
//! histogram recorded per attempt below the retry loop.
#![cfg(feature = "fake")]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use genesys_usage::fake::{
    FakeTransport, Fault, FaultRule, FaultTrigger, Lifecycle, Operation, RetryAfterHint, Terminal,
};
use genesys_usage::{ApiUsageOrganizationQuery, Interval, UsageClient};
use genesys_usage_mock::{Config, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, MockServer};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::layer::{Context, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;

fn query() -> ApiUsageOrganizationQuery {
    ApiUsageOrganizationQuery::new(Interval::last_days(7))
}

/// One span as it ended up: its name and every field recorded on it.
#[derive(Debug, Clone)]
struct SpanRecord {
    name: &'static str,
    fields: BTreeMap<String, String>,
}

impl SpanRecord {
    fn get(&self, field: &str) -> Option<&str> {
        self.fields.get(field).map(String::as_str)
    }
}

/// A layer keeping every span's fields, in creation order.
#[derive(Clone, Default)]
struct Spans(Arc<Mutex<Vec<SpanRecord>>>);

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

/// The index of a span in the record, kept in its extensions.
struct Index(usize);

impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> tracing_subscriber::Layer<S> for Spans {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        attrs.record(&mut Fields(&mut fields));
        let mut spans = self.0.lock().unwrap();
        spans.push(SpanRecord {
            name: attrs.metadata().name(),
            fields,
        });
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(Index(spans.len() - 1));
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let extensions = span.extensions();
        let Some(Index(index)) = extensions.get::<Index>() else {
            return;
        };
        let mut spans = self.0.lock().unwrap();
        values.record(&mut Fields(&mut spans[*index].fields));
    }
}

impl Spans {
    fn named(&self, name: &str) -> Vec<SpanRecord> {
        let spans = self.0.lock().unwrap();
        spans.iter().filter(|s| s.name == name).cloned().collect()
    }
}

fn subscriber(spans: &Spans) -> impl tracing::Subscriber + Send + Sync {
    tracing_subscriber::registry()
        .with(spans.clone())
        .with(tracing_subscriber::filter::LevelFilter::TRACE)
}

#[tokio::test]
async fn http_spans_carry_the_opentelemetry_field_names() {
    let server = MockServer::start(Config::default()).await.unwrap();
    server
        .engine()
        .set_default_lifecycle("running:1,complete".parse().unwrap());
    let client = UsageClient::builder()
        .base_url(server.url())
        .client_credentials(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
        .no_proxy()
        .build()
        .unwrap();
    let spans = Spans::default();
    let _guard = tracing::subscriber::set_default(subscriber(&spans));

    client.run_usage_query(&query()).await.unwrap();

    let calls = spans.named("usage_call");
    let submit = &calls[0];
    assert_eq!(submit.get("operation"), Some("post_usage_query"));
    assert_eq!(submit.get("attempt"), Some("1"));
    assert_eq!(submit.get("http.response.status_code"), Some("202"));
    let polls: Vec<_> = calls
        .iter()
        .filter(|s| s.get("operation") == Some("get_usage_query_execution_id_results"))
        .collect();
    assert!(!polls.is_empty(), "{calls:?}");
    let id = server.engine().executions()[0].id.clone();
    assert!(
        polls
            .iter()
            .all(|s| s.get("execution_id") == Some(id.as_str())),
        "{polls:?}"
    );

    let requests = spans.named("http_request");
    let post = requests
        .iter()
        .find(|s| s.get("http.request.method") == Some("POST"))
        .expect("a POST span");
    assert_eq!(post.get("url.template"), Some("/api/v2/usage/query"));
    assert_eq!(post.get("http.response.status_code"), Some("202"));
    let host = server.url().trim_start_matches("http://").to_owned();
    assert_eq!(post.get("server.address"), Some(host.as_str()));
    let get = requests
        .iter()
        .find(|s| s.get("http.request.method") == Some("GET"))
        .expect("a GET span");
    assert_eq!(
        get.get("url.template"),
        Some("/api/v2/usage/query/{executionId}/results")
    );

    let tokens = spans.named("token_request");
    assert_eq!(tokens.len(), 1, "one login for the whole run");
    assert_eq!(tokens[0].get("operation"), Some("post_oauth_token"));
    assert_eq!(tokens[0].get("url.template"), Some("/oauth/token"));
    assert_eq!(tokens[0].get("http.response.status_code"), Some("200"));
}

#[tokio::test]
async fn a_refused_login_is_recorded_on_the_token_span_not_as_the_api_call() {
    let server = MockServer::start(Config::default()).await.unwrap();
    let client = UsageClient::builder()
        .base_url(server.url())
        .client_credentials(DEFAULT_CLIENT_ID, "not-the-secret")
        .no_proxy()
        .build()
        .unwrap();
    let spans = Spans::default();
    let _guard = tracing::subscriber::set_default(subscriber(&spans));

    let error = client.post_usage_query(&query()).await.unwrap_err();

    assert!(
        error.to_string().contains("token request refused"),
        "{error}"
    );
    let tokens = spans.named("token_request");
    assert_eq!(tokens[0].get("operation"), Some("post_oauth_token"));
    assert_eq!(tokens[0].get("error.type"), Some("401"), "{tokens:?}");
    // No API request was sent: the login failed first.
    let requests = spans.named("http_request");
    assert_eq!(
        requests[0].get("http.response.status_code"),
        None,
        "{requests:?}"
    );
    assert_eq!(requests[0].get("error.type"), Some("401"));
}

/// A fake whose first submit is answered 429 (`Retry-After: 1`).
fn throttled_once() -> FakeTransport {
    let fake = FakeTransport::builder()
        .lifecycle(Lifecycle::polls(0, 2, Terminal::Complete))
        .build();
    fake.engine().add_fault(FaultRule {
        fault: Fault::RateLimited {
            retry_after: RetryAfterHint::Seconds(1),
        },
        operation: Some(Operation::PostUsageQuery),
        execution_id: None,
        trigger: FaultTrigger::Nth(1),
    });
    fake
}

#[tokio::test(start_paused = true)]
async fn each_attempt_has_its_span_and_a_failed_one_its_error_type() {
    let client = UsageClient::with_transport(throttled_once());
    let spans = Spans::default();
    let _guard = tracing::subscriber::set_default(subscriber(&spans));

    client.post_usage_query(&query()).await.unwrap();

    let attempts = spans.named("usage_call");
    assert_eq!(attempts.len(), 2, "{attempts:?}");
    assert_eq!(attempts[0].get("attempt"), Some("1"));
    assert_eq!(attempts[0].get("error.type"), Some("429"));
    assert_eq!(attempts[0].get("http.response.status_code"), Some("429"));
    assert_eq!(attempts[1].get("attempt"), Some("2"));
    assert_eq!(attempts[1].get("error.type"), None);
    assert_eq!(attempts[1].get("http.response.status_code"), Some("202"));
}

#[cfg(feature = "metrics")]
mod metrics_feature {
    use std::collections::BTreeMap;
    use std::sync::{Arc, Mutex};

    use genesys_usage::RetryPolicy;
    use metrics::{
        Counter, CounterFn, Gauge, Histogram, HistogramFn, Key, KeyName, Metadata, Recorder,
        SharedString, Unit,
    };

    use super::*;

    /// `name{label=value,…}` with the labels sorted.
    fn render(key: &Key) -> String {
        let mut labels: Vec<String> = key
            .labels()
            .map(|l| format!("{}={}", l.key(), l.value()))
            .collect();
        labels.sort();
        format!("{}{{{}}}", key.name(), labels.join(","))
    }

    #[derive(Default)]
    struct Book {
        counters: BTreeMap<String, u64>,
        histograms: BTreeMap<String, Vec<f64>>,
    }

    /// A recorder keeping every counter and histogram sample in memory.
    #[derive(Clone, Default)]
    struct Capture(Arc<Mutex<Book>>);

    struct Handle(Arc<Mutex<Book>>, String);

    impl CounterFn for Handle {
        fn increment(&self, value: u64) {
            *self
                .0
                .lock()
                .unwrap()
                .counters
                .entry(self.1.clone())
                .or_default() += value;
        }

        fn absolute(&self, value: u64) {
            self.0
                .lock()
                .unwrap()
                .counters
                .insert(self.1.clone(), value);
        }
    }

    impl HistogramFn for Handle {
        fn record(&self, value: f64) {
            let mut book = self.0.lock().unwrap();
            book.histograms
                .entry(self.1.clone())
                .or_default()
                .push(value);
        }
    }

    impl Recorder for Capture {
        fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
        fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
        fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}

        fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
            Counter::from_arc(Arc::new(Handle(self.0.clone(), render(key))))
        }

        fn register_gauge(&self, _: &Key, _: &Metadata<'_>) -> Gauge {
            Gauge::noop()
        }

        fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
            Histogram::from_arc(Arc::new(Handle(self.0.clone(), render(key))))
        }
    }

    impl Capture {
        fn counter(&self, key: &str) -> u64 {
            self.0
                .lock()
                .unwrap()
                .counters
                .get(key)
                .copied()
                .unwrap_or(0)
        }

        fn samples(&self, key: &str) -> Vec<f64> {
            let book = self.0.lock().unwrap();
            book.histograms.get(key).cloned().unwrap_or_default()
        }
    }

    #[test]
    fn attempts_are_counted_below_the_retry_loop_and_calls_above_it() {
        let capture = Capture::default();
        let fake = throttled_once();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap();
        // The local recorder is per thread; a current-thread runtime polls
        // everything on this one.
        metrics::with_local_recorder(&capture, || {
            runtime.block_on(async {
                let client = UsageClient::with_transport(fake.clone());
                client.run_usage_query(&query()).await.unwrap();
            });
        });

        let post = "operation=post_usage_query";
        assert_eq!(
            capture.counter("genesys_usage.attempts{operation=post_usage_query,outcome=429}"),
            1
        );
        assert_eq!(
            capture.counter(&format!("genesys_usage.attempts{{{post},outcome=ok}}")),
            1
        );
        assert_eq!(
            capture.counter(&format!("genesys_usage.throttled{{{post}}}")),
            1
        );
        assert_eq!(
            capture.counter(&format!("genesys_usage.calls{{{post},outcome=ok}}")),
            1
        );
        let running = "genesys_usage.polls{kind=organization,status=Running}";
        let complete = "genesys_usage.polls{kind=organization,status=Complete}";
        assert_eq!(capture.counter(running), 2);
        assert_eq!(capture.counter(complete), 1);
        let waits = capture.samples("genesys_usage.wait.duration{kind=organization,outcome=ok}");
        assert_eq!(waits.len(), 1);
        // Polls at 0 s, 1 s and 3 s (paused time): the wait took 3 s.
        assert!((waits[0] - 3.0).abs() < 0.01, "{waits:?}");
    }

    #[test]
    fn a_call_that_gives_up_is_counted_with_its_error_type() {
        let capture = Capture::default();
        let fake = throttled_once();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap();
        metrics::with_local_recorder(&capture, || {
            runtime.block_on(async {
                let client = UsageClient::with_transport(fake.clone())
                    .with_retry_policy(RetryPolicy::none());
                assert!(client.post_usage_query(&query()).await.is_err());
            });
        });
        let post = "operation=post_usage_query";
        assert_eq!(
            capture.counter(&format!("genesys_usage.calls{{{post},outcome=429}}")),
            1
        );
        assert_eq!(
            capture.counter(&format!("genesys_usage.calls{{{post},outcome=ok}}")),
            0
        );
    }
}
