//! [`FakeTransportBuilder`].

use std::sync::Arc;
use std::time::Duration;

use crate::fake::compliance::ComplianceTracker;
use crate::fake::data::Dataset;
use crate::fake::engine::{Engine, EngineConfig};
use crate::fake::kinds::QueryKind;
use crate::fake::script::clock::Clock;
use crate::fake::script::faults::FaultRule;
use crate::fake::script::lifecycle::Lifecycle;
use crate::fake::transport::FakeTransport;

/// Builder of [`FakeTransport`]. Setters never fail.
///
/// ```
/// use std::time::Duration;
/// use genesys_usage::fake::{FakeTransport, Lifecycle, QueryKind, Terminal};
///
/// let fake = FakeTransport::builder()
///     .seed(7)
///     .lifecycle(Lifecycle::polls(0, 2, Terminal::Complete))
///     .lifecycle_for(QueryKind::OrganizationJobs, Lifecycle::after(Duration::from_secs(5), Terminal::Complete))
///     .retention(Duration::from_secs(600))
///     .build();
/// assert_eq!(fake.engine().config().seed, 7);
/// ```
#[derive(Debug, Clone, Default)]
#[must_use = "a builder does nothing until build() is called"]
pub struct FakeTransportBuilder {
    config: EngineConfig,
    clock: Option<Clock>,
    kind_lifecycles: Vec<(QueryKind, Lifecycle)>,
    faults: Vec<FaultRule>,
    latency: Option<Duration>,
    min_poll_interval: Option<Duration>,
    engine: Option<Arc<Engine>>,
    dataset: Option<Arc<Dataset>>,
}

impl FakeTransportBuilder {
    /// Seed of the synthetic log (default 42).
    pub fn seed(mut self, seed: u64) -> Self {
        self.config.seed = seed;
        self
    }

    /// Default lifecycle of new executions (default `pending:1,running:1,complete`).
    pub fn lifecycle(mut self, lifecycle: Lifecycle) -> Self {
        self.config.lifecycle = lifecycle;
        self
    }

    /// Lifecycle of every new execution of `kind` (an engine script, so
    /// [`Engine::reset`] drops it).
    pub fn lifecycle_for(mut self, kind: QueryKind, lifecycle: Lifecycle) -> Self {
        self.kind_lifecycles.push((kind, lifecycle));
        self
    }

    /// The clock (default [`Clock::new`]: wall clock, driven by tokio).
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// How long executions are kept after they end (default 1 hour).
    pub fn retention(mut self, retention: Duration) -> Self {
        self.config.retention = retention;
        self
    }

    /// Most executions kept (default 10 000).
    pub fn max_executions(mut self, max: usize) -> Self {
        self.config.max_executions = max;
        self
    }

    /// Density of the synthetic log (default 40 records per weekday).
    pub fn records_per_day(mut self, records: u32) -> Self {
        self.config.records_per_day = records;
        self
    }

    /// Answers every operation from `dataset` instead of the synthetic log:
    /// a file ([`Dataset::from_path`]), a reader ([`Dataset::from_reader`])
    /// or records built in code ([`Dataset::from_records`]). The default
    /// credential belongs to the organisation of its first record. Also
    /// applies to an engine given with [`engine`](Self::engine).
    ///
    /// ```
    /// use genesys_usage::fake::{Dataset, DatasetFormat, FakeTransport};
    ///
    /// let csv = "date,organization_id,oauth_client_id,template_uri,http_method,status200,status300,status400,status500\n\
    ///            2025-03-03,org-a,client-1,api/v2/users,GET,10,0,2,0\n";
    /// let dataset = Dataset::from_reader("usage.csv", DatasetFormat::Csv, csv.as_bytes())?;
    /// let fake = FakeTransport::builder().dataset(dataset).build();
    /// assert_eq!(fake.engine().dataset().main_organization_id(), "org-a");
    /// # Ok::<(), genesys_usage::fake::DatasetError>(())
    /// ```
    pub fn dataset(mut self, dataset: impl Into<Arc<Dataset>>) -> Self {
        self.dataset = Some(dataset.into());
        self
    }

    /// The whole engine configuration at once.
    pub fn config(mut self, config: EngineConfig) -> Self {
        self.config = config;
        self
    }

    /// Adds a fault rule.
    pub fn fault(mut self, rule: FaultRule) -> Self {
        self.faults.push(rule);
        self
    }

    /// Every call waits this long (tokio time) before it is answered.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = Some(latency);
        self
    }

    /// The minimum interval between polls that
    /// [`FakeTransport::compliance`] judges by (default 1 s; zero: none).
    pub fn min_poll_interval(mut self, interval: Duration) -> Self {
        self.min_poll_interval = Some(interval);
        self
    }

    /// Uses an existing engine (shared with other fakes or a mock server);
    /// the configuration and clock set here are then ignored, the scripts
    /// and faults are added to it.
    pub fn engine(mut self, engine: Arc<Engine>) -> Self {
        self.engine = Some(engine);
        self
    }

    /// Builds the fake.
    #[must_use]
    pub fn build(self) -> FakeTransport {
        let engine = self.engine.unwrap_or_else(|| {
            let clock = self.clock.unwrap_or_default();
            Arc::new(Engine::with_clock(self.config, clock))
        });
        if let Some(dataset) = self.dataset {
            engine.set_dataset(dataset);
        }
        for (kind, lifecycle) in self.kind_lifecycles {
            engine.script_kind(kind, lifecycle);
        }
        for rule in self.faults {
            engine.add_fault(rule);
        }
        let compliance = self
            .min_poll_interval
            .map_or_else(ComplianceTracker::default, ComplianceTracker::new);
        FakeTransport::with_parts(engine, self.latency, compliance)
    }
}
