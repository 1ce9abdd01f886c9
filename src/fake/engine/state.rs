//! [`Engine`]: executions, their lifecycles, scripts and faults.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::fake::answer::EngineFailure;
use crate::fake::data::dataset::Dataset;
use crate::fake::engine::execution::Execution;
use crate::fake::engine::table::{ExecutionMut, ExecutionTable};
use crate::fake::kinds::{ExecutionState, QueryKind};
use crate::fake::operation::Operation;
use crate::fake::script::clock::{Clock, to_chrono};
use crate::fake::script::fault_book::FaultBook;
use crate::fake::script::faults::{Fault, FaultRule};
use crate::fake::script::lifecycle::Lifecycle;

/// Settings of an [`Engine`].
#[derive(Debug, Clone, PartialEq)]
pub struct EngineConfig {
    /// Seed of the synthetic log. Default 42.
    pub seed: u64,
    /// Lifecycle of new executions that no script covers. Default
    /// `pending:1,running:1,complete`.
    pub lifecycle: Lifecycle,
    /// How long an execution is kept after reaching a terminal state; then
    /// its id answers 404. Default 1 hour.
    pub retention: Duration,
    /// Most executions kept; the oldest terminal ones are evicted first.
    /// Default 10 000.
    pub max_executions: usize,
    /// Density of the synthetic log (records per weekday). Default 40. About
    /// 5 000 gives ~100k distinct rows for a fully grouped, daily 90-day jobs query.
    pub records_per_day: u32,
    /// How long after its end a UTC day's data becomes visible (spec §13b,
    /// "Data lag"): queries see the days before `(now - data_lag)`'s day.
    /// Default zero: yesterday is complete at midnight, today never shows.
    pub data_lag: Duration,
    /// The caller's own OAuth client, added to the synthetic log (see
    /// [`Dataset::new_with_own_client`]); `None` (the default) adds none.
    /// The mock server sets its configured client id here.
    pub own_client_id: Option<String>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            lifecycle: Lifecycle::default(),
            retention: Duration::from_secs(3600),
            max_executions: 10_000,
            records_per_day: 40,
            data_lag: Duration::ZERO,
            own_client_id: None,
        }
    }
}

/// What the admin API shows of one execution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionInfo {
    /// Execution (or job) id.
    pub id: String,
    /// Query kind.
    pub kind: QueryKind,
    /// The OAuth client id of client queries.
    pub client_id: Option<String>,
    /// State as of the last evaluation (a poll, an advance or a force).
    pub state: ExecutionState,
    /// Results polls received (page fetches with a cursor are not polls).
    pub polls: u32,
    /// Polls received after the first poll that saw the terminal state.
    pub polls_after_terminal: u32,
    /// When it was submitted (engine clock).
    pub submitted_at: DateTime<Utc>,
    /// When it reached its terminal state.
    pub finished_at: Option<DateTime<Utc>>,
    /// Its lifecycle, in the lifecycle grammar.
    pub lifecycle: String,
    /// Result rows, once computed.
    pub row_count: Option<usize>,
}

/// The in-memory emulation of the Usage API, shared by `FakeTransport` and
/// the mock server. See the [module docs](crate::fake) for an overview.
#[derive(Debug)]
pub struct Engine {
    pub(super) clock: Clock,
    /// Swapped whole when a dataset is loaded; executions keep the one they
    /// were submitted against, so a load never changes a running query.
    dataset: RwLock<Arc<Dataset>>,
    pub(super) state: Mutex<EngineState>,
    faults: Mutex<FaultBook>,
    /// Whether `faults` holds any rule: most engines have none, and then
    /// [`take_fault`](Engine::take_fault) (once per request) needs no lock.
    has_faults: AtomicBool,
}

/// Everything that changes, behind one lock (never held across an await).
#[derive(Debug)]
pub(super) struct EngineState {
    pub(super) config: EngineConfig,
    /// Live executions, in submit order, with their retention indexes.
    table: ExecutionTable,
    script_next: VecDeque<Lifecycle>,
    script_kind: HashMap<QueryKind, Lifecycle>,
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // State stays consistent between statements, so a poisoned lock is usable.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl EngineState {
    /// Drops executions whose retention ran out (O(log n) when none has).
    pub(super) fn purge(&mut self, now: DateTime<Utc>) {
        let retention = to_chrono(self.config.retention);
        self.table.purge(now, retention);
    }

    /// The lifecycle of a new execution: explicit, then the next script, then
    /// the script of its kind, then the default.
    pub(super) fn lifecycle_for(
        &mut self,
        kind: QueryKind,
        explicit: Option<Lifecycle>,
    ) -> Lifecycle {
        explicit
            .or_else(|| self.script_next.pop_front())
            .or_else(|| self.script_kind.get(&kind).cloned())
            .unwrap_or_else(|| self.config.lifecycle.clone())
    }

    /// Stores a new execution, evicting to stay within `max_executions`.
    pub(super) fn insert(&mut self, execution: Execution) {
        self.table.insert(execution, self.config.max_executions);
    }

    /// Execution `id`, borrowed for a change (the table's indexes follow it).
    pub(super) fn get_mut(&mut self, id: &str) -> Option<ExecutionMut<'_>> {
        self.table.get_mut(id)
    }
}

impl Engine {
    /// An engine on the default [`Clock`] (wall clock, driven by tokio).
    #[must_use]
    pub fn new(config: EngineConfig) -> Self {
        Self::with_clock(config, Clock::new())
    }

    /// An engine on `clock`.
    #[must_use]
    pub fn with_clock(config: EngineConfig, clock: Clock) -> Self {
        Self {
            clock,
            dataset: RwLock::new(Arc::new(match &config.own_client_id {
                Some(own) => Dataset::new_with_own_client(config.seed, config.records_per_day, own),
                None => Dataset::new(config.seed, config.records_per_day),
            })),
            state: Mutex::new(EngineState {
                config,
                table: ExecutionTable::default(),
                script_next: VecDeque::new(),
                script_kind: HashMap::new(),
            }),
            faults: Mutex::new(FaultBook::default()),
            has_faults: AtomicBool::new(false),
        }
    }

    /// The clock of the emulation.
    #[must_use]
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// A copy of the current configuration.
    #[must_use]
    pub fn config(&self) -> EngineConfig {
        lock(&self.state).config.clone()
    }

    /// The request log new queries are answered from: the synthetic one of
    /// the configuration's seed, or the last one loaded.
    #[must_use]
    pub fn dataset(&self) -> Arc<Dataset> {
        Arc::clone(
            &self
                .dataset
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    /// Serves `dataset` to queries submitted from now on (executions already
    /// submitted keep the data they were submitted against).
    pub fn set_dataset(&self, dataset: impl Into<Arc<Dataset>>) {
        *self
            .dataset
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = dataset.into();
    }

    /// Locks the state after dropping expired executions.
    pub(super) fn lock_state(&self) -> (MutexGuard<'_, EngineState>, DateTime<Utc>) {
        let now = self.clock.now();
        let mut state = lock(&self.state);
        state.purge(now);
        (state, now)
    }

    /// Sets the lifecycle of new executions that no script covers.
    pub fn set_default_lifecycle(&self, lifecycle: Lifecycle) {
        lock(&self.state).config.lifecycle = lifecycle;
    }

    /// Scripts the next submitted execution (a FIFO queue: each call scripts
    /// one more submission).
    pub fn script_next(&self, lifecycle: Lifecycle) {
        lock(&self.state).script_next.push_back(lifecycle);
    }

    /// Scripts every new execution of `kind`.
    pub fn script_kind(&self, kind: QueryKind, lifecycle: Lifecycle) {
        lock(&self.state).script_kind.insert(kind, lifecycle);
    }

    /// Gives execution `id` a new lifecycle, restarted from its first step.
    ///
    /// # Errors
    /// 404 when `id` is unknown or expired.
    pub fn script_execution(
        &self,
        id: &str,
        lifecycle: Lifecycle,
    ) -> Result<ExecutionInfo, EngineFailure> {
        self.with_execution(id, |e, now| e.restart(lifecycle, now))
    }

    /// Puts execution `id` in `state` now. A non-terminal state holds until
    /// advanced or forced again; then the execution ends as its lifecycle says.
    /// A finished execution stays as it ended, as on the real service
    /// (forcing its own state again changes nothing); to run it again, give
    /// it a new lifecycle with [`script_execution`](Self::script_execution).
    ///
    /// # Errors
    /// 404 when `id` is unknown or expired; 400 naming `state` when the
    /// execution has finished in another state.
    pub fn force_state(
        &self,
        id: &str,
        state: ExecutionState,
    ) -> Result<ExecutionInfo, EngineFailure> {
        let (mut guard, now) = self.lock_state();
        let mut execution = guard
            .get_mut(id)
            .ok_or_else(|| EngineFailure::not_found(id))?;
        let current = execution.peek(now);
        if current.is_terminal() && current != state {
            return Err(EngineFailure::bad_request(
                "state",
                "invalid.state",
                format!(
                    "execution {id:?} has finished as {current:?}: a finished execution cannot \
                     become {state:?}; give it a new lifecycle (POST \
                     /__admin/executions/{{id}}/lifecycle) to run it again"
                ),
            ));
        }
        if !current.is_terminal() {
            execution.force(state, now);
        }
        Ok(execution.info())
    }

    /// Ends the current step of execution `id` now (no effect once terminal).
    ///
    /// # Errors
    /// 404 when `id` is unknown or expired.
    pub fn advance_execution(&self, id: &str) -> Result<ExecutionInfo, EngineFailure> {
        self.with_execution(id, |e, now| e.advance(now))
    }

    fn with_execution(
        &self,
        id: &str,
        change: impl FnOnce(&mut Execution, DateTime<Utc>),
    ) -> Result<ExecutionInfo, EngineFailure> {
        let (mut state, now) = self.lock_state();
        let mut execution = state
            .get_mut(id)
            .ok_or_else(|| EngineFailure::not_found(id))?;
        change(&mut execution, now);
        Ok(execution.info())
    }

    /// Every live execution, in submit order.
    #[must_use]
    pub fn executions(&self) -> Vec<ExecutionInfo> {
        let (state, _) = self.lock_state();
        state.table.iter().map(Execution::info).collect()
    }

    /// One live execution.
    #[must_use]
    pub fn execution(&self, id: &str) -> Option<ExecutionInfo> {
        let (mut state, _) = self.lock_state();
        state.get_mut(id).map(|e| e.info())
    }

    /// Drops every execution, script and fault rule; keeps the configuration
    /// (default lifecycle included) and the clock.
    pub fn reset(&self) {
        {
            let mut state = lock(&self.state);
            state.table.clear();
            state.script_next.clear();
            state.script_kind.clear();
        }
        self.clear_faults();
    }

    /// Adds a fault rule; returns its id.
    pub fn add_fault(&self, rule: FaultRule) -> u64 {
        self.change_faults(|book| book.add(rule))
    }

    /// Removes a fault rule; whether it existed.
    pub fn remove_fault(&self, id: u64) -> bool {
        self.change_faults(|book| book.remove(id))
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.change_faults(FaultBook::clear);
    }

    /// Changes the rules and, under the same lock, whether there are any.
    fn change_faults<T>(&self, change: impl FnOnce(&mut FaultBook) -> T) -> T {
        let mut book = lock(&self.faults);
        let result = change(&mut book);
        self.has_faults.store(!book.is_empty(), Ordering::Release);
        result
    }

    /// The live fault rules with their ids, in the order they are consulted.
    #[must_use]
    pub fn fault_rules(&self) -> Vec<(u64, FaultRule)> {
        lock(&self.faults).list()
    }

    /// The fault for one request, if a rule fires (rules are consulted in
    /// the order they were added; the first that fires wins; spent rules go).
    /// Call it once per request, before the operation.
    pub fn take_fault(&self, operation: Operation, execution_id: Option<&str>) -> Option<Fault> {
        if !self.has_faults.load(Ordering::Acquire) {
            return None;
        }
        self.change_faults(|book| book.take(operation, execution_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_rules_fire_whether_or_not_the_book_was_empty_before() {
        use crate::fake::FaultTrigger;
        let engine = Engine::new(EngineConfig::default());
        let op = Operation::PostUsageQuery;
        assert_eq!(engine.take_fault(op, None), None, "no rules, no fault");
        let fault = Fault::ServerError { status: 503 };
        engine.add_fault(FaultRule::new(fault.clone()).when(FaultTrigger::Next(1)));
        assert_eq!(engine.take_fault(op, None), Some(fault.clone()));
        assert_eq!(engine.take_fault(op, None), None, "the spent rule is gone");
        let id = engine.add_fault(FaultRule::new(fault.clone()).when(FaultTrigger::Next(5)));
        assert_eq!(engine.take_fault(op, None), Some(fault.clone()));
        assert!(engine.remove_fault(id));
        assert_eq!(
            engine.take_fault(op, None),
            None,
            "a removed rule no longer fires"
        );
        engine.add_fault(FaultRule::new(fault.clone()));
        engine.clear_faults();
        assert_eq!(
            engine.take_fault(op, None),
            None,
            "cleared rules no longer fire"
        );
        engine.add_fault(FaultRule::new(fault.clone()));
        assert_eq!(engine.take_fault(op, None), Some(fault));
    }

    #[test]
    fn engine_is_shareable_across_tasks() {
        fn assert_send_sync<T: Send + Sync + std::fmt::Debug>() {}
        assert_send_sync::<Engine>();
    }

    #[test]
    fn max_executions_evicts_the_oldest_terminal_first() {
        let config = EngineConfig {
            max_executions: 2,
            ..EngineConfig::default()
        };
        let engine = Engine::with_clock(config, Clock::new());
        let query = crate::models::ApiUsageOrganizationQuery::new("2024-01-01/2024-01-02");
        let submit = |lc: &str| {
            let reply = engine
                .post_usage_query(&query, Some(lc.parse().unwrap()))
                .unwrap();
            reply.body.execution_id.unwrap()
        };
        let running = submit("running:manual,complete");
        let done = submit("complete");
        let newest = submit("complete");
        let live: Vec<String> = engine.executions().into_iter().map(|e| e.id).collect();
        assert_eq!(live, [running, newest]);
        assert!(engine.execution(&done).is_none());
    }

    #[test]
    fn scripts_apply_in_order_explicit_next_kind_default() {
        let engine = Engine::new(EngineConfig::default());
        engine.script_kind(QueryKind::Organization, "failed".parse().unwrap());
        engine.script_next("running:9,complete".parse().unwrap());
        let query = crate::models::ApiUsageOrganizationQuery::new("2024-01-01/2024-01-02");
        let lifecycles: Vec<String> = [Some("complete"), None, None]
            .into_iter()
            .map(|explicit| {
                let lc = explicit.map(|t| t.parse().unwrap());
                let id = engine
                    .post_usage_query(&query, lc)
                    .unwrap()
                    .body
                    .execution_id
                    .unwrap();
                engine.execution(&id).unwrap().lifecycle
            })
            .collect();
        assert_eq!(lifecycles, ["complete", "running:9,complete", "failed"]);
        engine.reset();
        let id = engine
            .post_usage_query(&query, None)
            .unwrap()
            .body
            .execution_id
            .unwrap();
        assert_eq!(
            engine.execution(&id).unwrap().lifecycle,
            "pending:1,running:1,complete"
        );
    }
}
