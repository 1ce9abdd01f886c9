//! What a test scripts: the clock, lifecycles and faults.
//!
//! - `clock.rs`: [`Clock`], the emulation's UTC now (tokio's, or frozen);
//! - `lifecycle.rs`: [`Lifecycle`], the course of one execution, and its text
//!   grammar (`running:3,complete`, `after:5m`, …);
//! - `faults.rs` + `fault_book.rs`: [`Fault`]s, the rules that trigger them,
//!   and the live book of rules with their counters.
//!
//! It knows nothing of executions or the data.

pub(crate) mod clock;
pub(crate) mod fault_book;
pub(crate) mod faults;
pub(crate) mod lifecycle;

pub use clock::Clock;
pub use faults::{Fault, FaultRule, FaultTrigger, RetryAfterHint};
pub use lifecycle::{Lifecycle, LifecycleParseError, Phase, Step, StepEnd, Terminal};
