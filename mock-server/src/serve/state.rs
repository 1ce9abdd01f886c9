//! [`AppState`]: what every handler shares: the config, the engine, the token
//! store, the rate limiter, the journal and the compliance tracker.

use std::sync::Arc;

use chrono::Utc;
use genesys_usage::fake::{Clock, ComplianceTracker, Dataset, Engine};
use tokio::sync::watch;

use crate::cassette::book::ReplayBook;
use crate::cassette::record::Recorder;
use crate::control::auth::TokenStore;
use crate::control::journal::Journal;
use crate::control::rate_limit::RateLimiter;
use crate::serve::tenants::Tenants;
use crate::settings::config::Config;

/// Shared state, cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct AppState(Arc<Inner>);

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) config: Config,
    /// The engine of the main tenant (the admin API steers it).
    pub(crate) engine: Arc<Engine>,
    /// One engine per organisation a credential belongs to.
    pub(crate) tenants: Tenants,
    pub(crate) tokens: TokenStore,
    pub(crate) limiter: Option<RateLimiter>,
    pub(crate) journal: Journal,
    pub(crate) compliance: ComplianceTracker,
    /// The data the server started with (`--dataset`, else the synthetic
    /// log), which a reset puts back.
    pub(crate) startup_dataset: Arc<Dataset>,
    /// `--replay`: the cassette the Usage routes answer from.
    pub(crate) replay: Option<ReplayBook>,
    /// `--record`: the recording proxy's cassette and upstream client.
    pub(crate) recording: Option<Recorder>,
    /// Set to `true` by `POST /__admin/shutdown`; the accept loop watches it.
    pub(crate) shutdown: watch::Sender<bool>,
}

impl std::ops::Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub(crate) fn new(config: Config) -> Self {
        let clock = Clock::new();
        configure_clock(&clock, &config);
        let engine = Arc::new(Engine::with_clock(config.engine_config(), clock.clone()));
        if let Some(dataset) = &config.dataset {
            engine.set_dataset(Arc::clone(dataset));
        }
        let startup_dataset = engine.dataset();
        let tenants = Tenants::new(&config, Arc::clone(&engine), &clock);
        let (shutdown, _) = watch::channel(false);
        Self(Arc::new(Inner {
            tokens: TokenStore::new(config.token_ttl),
            limiter: config.rate_limit.map(RateLimiter::new),
            journal: Journal::new(config.journal_size),
            compliance: ComplianceTracker::new(config.min_poll_interval),
            replay: config.replay.as_ref().map(ReplayBook::new),
            recording: config.record.clone().map(Recorder::new),
            startup_dataset,
            tenants,
            engine,
            shutdown,
            config,
        }))
    }

    /// Asks the server to shut down gracefully.
    pub(crate) fn request_shutdown(&self) {
        self.shutdown.send_replace(true);
    }

    /// Forgets executions, scripts, fault rules, the journal, poll records and
    /// rate-limit windows, and puts the clock and the data back as
    /// configured, as a fresh start would (so one test that moves the clock
    /// or loads data does not change the next one's). Tokens stay valid so
    /// clients are not logged out.
    pub(crate) fn reset(&self) {
        self.tenants.reset();
        self.tenants.set_dataset(&self.startup_dataset);
        configure_clock(self.engine.clock(), &self.config);
        self.journal.clear();
        self.compliance.clear();
        if let Some(limiter) = &self.limiter {
            limiter.reset();
        }
    }
}

/// Sets `clock` as `config` asks at start: frozen (`--virtual-clock`) or
/// running, at `--clock-start` or the wall-clock time now.
fn configure_clock(clock: &Clock, config: &Config) {
    if config.virtual_clock {
        clock.freeze();
    } else {
        clock.unfreeze();
    }
    clock.set(config.clock_start.unwrap_or_else(Utc::now));
}
