//! The conformance suite against `HttpTransport` → the mock server on
//! 127.0.0.1:0: the same checks as `conformance_fake.rs`, so the fake and the
//! server agree on every case.
#![cfg(feature = "fake")]

#[path = "support/conformance.rs"]
mod conformance;

use std::sync::Arc;

use genesys_usage::UsageClient;
use genesys_usage::fake::Engine;
use genesys_usage_mock::{Config, MockServer};

struct HttpHarness {
    server: MockServer,
}

impl conformance::Harness for HttpHarness {
    fn client(&self) -> UsageClient {
        UsageClient::builder()
            .base_url(self.server.url())
            .client_credentials("mock-client-id", "mock-client-secret")
            .wait(conformance::quick_wait())
            .build()
            .expect("a loopback http client builds")
    }

    fn engine(&self) -> Arc<Engine> {
        self.server.engine()
    }
}

async fn http() -> HttpHarness {
    let server = MockServer::start(Config::default())
        .await
        .expect("the mock server starts on 127.0.0.1:0");
    HttpHarness { server }
}

conformance_tests!(http(), (flavor = "multi_thread", worker_threads = 2));
