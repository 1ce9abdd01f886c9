//! The conformance suite against the in-memory `FakeTransport` (paused time).
#![cfg(feature = "fake")]

#[path = "support/conformance.rs"]
mod conformance;

use std::sync::Arc;

use genesys_usage::UsageClient;
use genesys_usage::fake::{Engine, FakeTransport};

struct FakeHarness {
    transport: FakeTransport,
}

impl conformance::Harness for FakeHarness {
    fn client(&self) -> UsageClient {
        UsageClient::with_transport(self.transport.clone())
            .with_wait_policy(conformance::quick_wait())
    }

    fn engine(&self) -> Arc<Engine> {
        self.transport.engine().clone()
    }
}

async fn fake() -> FakeHarness {
    FakeHarness {
        transport: FakeTransport::new(),
    }
}

conformance_tests!(fake(), (start_paused = true));
