//! Arbitrary request sequences through the mock server's `app()` in-process:
//! it never panics, answers 5xx only for injected faults, and every 4xx is a
//! JSON `ErrorBody`. The logic is shared with `tests/reliability_props.rs`.
#![no_main]

#[path = "../../tests/reliability_props/mock_requests.rs"]
mod mock_requests;

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tokio::runtime::Runtime;

/// One paused current-thread runtime: latency and slow-body faults advance
/// virtual time instead of sleeping.
fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .expect("a tokio runtime starts")
    })
}

fuzz_target!(|input: mock_requests::Input| {
    if let Err(finding) = runtime().block_on(mock_requests::check_input(&input)) {
        panic!("{finding}");
    }
});
