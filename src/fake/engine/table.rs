//! The execution table: live executions in submit order, found by id, with
//! the two indexes that keep retention and `max_executions` off a full scan.
//!
//! A mock server that has served a day of test runs holds thousands of
//! executions, and every request locks the table; a purge that looked at each
//! of them made the cost of a request grow with everything held. Here each
//! request pays O(log n) for the purge (a look at the oldest finish) and each
//! submit O(log n) for an eviction (the oldest terminal execution).
//!
//! The indexes follow each execution's finish time, which changes only while
//! the execution is borrowed through [`ExecutionMut`]: its `Drop` files the
//! change, so no caller can forget to.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::{Deref, DerefMut};

use chrono::{DateTime, Utc};

use crate::fake::engine::execution::Execution;

/// Executions by submit sequence number, with their indexes.
#[derive(Debug, Default)]
pub(super) struct ExecutionTable {
    /// Executions by submit sequence number (submit order).
    executions: BTreeMap<u64, Execution>,
    by_id: HashMap<String, u64>,
    index: FinishIndex,
    next_seq: u64,
}

/// Which executions have finished, and when.
///
/// An execution is terminal exactly when it has a finish time (see
/// `Execution::update_state`), so one index answers both "oldest terminal"
/// (eviction) and "oldest finish" (retention).
#[derive(Debug, Default)]
struct FinishIndex {
    /// Terminal executions by sequence number: the first is the oldest.
    terminal: BTreeMap<u64, DateTime<Utc>>,
    /// The same executions by finish time: the first expires first. Ordered
    /// by finish rather than expiry so a change of retention needs no rebuild.
    by_finish: BTreeSet<(DateTime<Utc>, u64)>,
}

impl FinishIndex {
    /// Files a change of the finish time of `seq` from `before` to `after`.
    fn update(&mut self, seq: u64, before: Option<DateTime<Utc>>, after: Option<DateTime<Utc>>) {
        if before == after {
            return;
        }
        if let Some(at) = before {
            self.terminal.remove(&seq);
            self.by_finish.remove(&(at, seq));
        }
        if let Some(at) = after {
            self.terminal.insert(seq, at);
            self.by_finish.insert((at, seq));
        }
    }

    fn clear(&mut self) {
        self.terminal.clear();
        self.by_finish.clear();
    }
}

/// One execution borrowed for a change; files its new finish time when dropped.
#[derive(Debug)]
pub(super) struct ExecutionMut<'a> {
    execution: &'a mut Execution,
    index: &'a mut FinishIndex,
    seq: u64,
    finished_before: Option<DateTime<Utc>>,
}

impl Deref for ExecutionMut<'_> {
    type Target = Execution;
    fn deref(&self) -> &Execution {
        self.execution
    }
}

impl DerefMut for ExecutionMut<'_> {
    fn deref_mut(&mut self) -> &mut Execution {
        self.execution
    }
}

impl Drop for ExecutionMut<'_> {
    fn drop(&mut self) {
        let after = self.execution.finished_at();
        self.index.update(self.seq, self.finished_before, after);
    }
}

impl ExecutionTable {
    /// Drops the executions whose retention ran out at `now`: those finished
    /// at or before `now - retention`. Costs O(log n) when none has.
    pub(super) fn purge(&mut self, now: DateTime<Utc>, retention: chrono::Duration) {
        while let Some(&(finished, seq)) = self.index.by_finish.first() {
            if now < finished + retention {
                break;
            }
            self.remove(seq);
        }
    }

    /// Adds `execution`, first evicting until fewer than `max` are held:
    /// the oldest terminal execution first, then the oldest.
    pub(super) fn insert(&mut self, execution: Execution, max: usize) {
        let max = max.max(1);
        while self.executions.len() >= max {
            let victim = self
                .index
                .terminal
                .first_key_value()
                .map(|(&seq, _)| seq)
                .or_else(|| self.executions.first_key_value().map(|(&seq, _)| seq));
            match victim {
                Some(seq) => self.remove(seq),
                None => break,
            }
        }
        self.next_seq += 1;
        let seq = self.next_seq;
        self.index.update(seq, None, execution.finished_at());
        self.by_id.insert(execution.id.clone(), seq);
        self.executions.insert(seq, execution);
    }

    fn remove(&mut self, seq: u64) {
        if let Some(e) = self.executions.remove(&seq) {
            self.index.update(seq, e.finished_at(), None);
            self.by_id.remove(&e.id);
        }
    }

    /// Execution `id`, borrowed for a change.
    pub(super) fn get_mut(&mut self, id: &str) -> Option<ExecutionMut<'_>> {
        let seq = *self.by_id.get(id)?;
        let execution = self.executions.get_mut(&seq)?;
        Some(ExecutionMut {
            finished_before: execution.finished_at(),
            execution,
            index: &mut self.index,
            seq,
        })
    }

    /// Every execution, in submit order.
    pub(super) fn iter(&self) -> impl Iterator<Item = &Execution> {
        self.executions.values()
    }

    /// How many executions are held.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.executions.len()
    }

    /// Drops every execution (sequence numbers go on).
    pub(super) fn clear(&mut self) {
        self.executions.clear();
        self.by_id.clear();
        self.index.clear();
    }

    /// Whether the indexes say exactly what the executions do (tests).
    #[cfg(test)]
    fn consistent(&self) -> bool {
        let finished: BTreeMap<u64, DateTime<Utc>> = self
            .executions
            .iter()
            .filter_map(|(&seq, e)| e.finished_at().map(|f| (seq, f)))
            .collect();
        let by_finish: BTreeSet<(DateTime<Utc>, u64)> =
            finished.iter().map(|(&seq, &f)| (f, seq)).collect();
        finished == self.index.terminal
            && by_finish == self.index.by_finish
            && self
                .executions
                .values()
                .all(|e| e.finished_at().is_some() == e.state().is_terminal())
            && self.by_id.len() == self.executions.len()
            && self
                .by_id
                .iter()
                .all(|(id, seq)| self.executions.get(seq).is_some_and(|e| &e.id == id))
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::fake::data::aggregate::QuerySpec;
    use crate::fake::kinds::QueryKind;

    fn t(secs: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap() + chrono::Duration::seconds(secs)
    }

    fn exec(id: &str, lifecycle: &str, at: i64) -> Execution {
        Execution::new(
            id.into(),
            QueryKind::Organization,
            None,
            QuerySpec::empty_for_tests(),
            lifecycle.parse().unwrap(),
            t(at),
        )
    }

    fn ids(table: &ExecutionTable) -> Vec<&str> {
        table.iter().map(|e| e.id.as_str()).collect()
    }

    #[test]
    fn purge_drops_exactly_the_executions_past_retention() {
        let mut table = ExecutionTable::default();
        let retention = chrono::Duration::seconds(10);
        table.insert(exec("a", "complete", 0), 10);
        table.insert(exec("b", "running:manual,complete", 1), 10);
        table.insert(exec("c", "complete", 5), 10);
        table.purge(t(9), retention);
        assert_eq!(ids(&table), ["a", "b", "c"]);
        table.purge(t(10), retention);
        assert_eq!(ids(&table), ["b", "c"], "a finished at 0: gone at 10");
        table.purge(t(1000), retention);
        assert_eq!(ids(&table), ["b"], "an unfinished execution is kept");
        assert!(table.consistent());
    }

    #[test]
    fn a_change_through_get_mut_moves_the_execution_in_the_indexes() {
        let mut table = ExecutionTable::default();
        let retention = chrono::Duration::seconds(10);
        table.insert(exec("a", "running:manual,complete", 0), 10);
        table.insert(exec("b", "complete", 0), 10);
        table.get_mut("a").unwrap().advance(t(20));
        assert!(table.consistent());
        table.purge(t(25), retention);
        assert_eq!(ids(&table), ["a"], "a finished at 20, b at 0");
        // Restarting a finished execution takes it out of the finish index.
        table
            .get_mut("a")
            .unwrap()
            .restart("running:manual,complete".parse().unwrap(), t(26));
        assert!(table.consistent());
        table.purge(t(1000), retention);
        assert_eq!(ids(&table), ["a"]);
    }

    #[test]
    fn insert_evicts_the_oldest_terminal_then_the_oldest() {
        let mut table = ExecutionTable::default();
        table.insert(exec("run1", "running:manual,complete", 0), 3);
        table.insert(exec("done1", "complete", 0), 3);
        table.insert(exec("done2", "complete", 0), 3);
        table.insert(exec("run2", "running:manual,complete", 0), 3);
        assert_eq!(ids(&table), ["run1", "done2", "run2"]);
        table.insert(exec("run3", "running:manual,complete", 0), 3);
        assert_eq!(ids(&table), ["run1", "run2", "run3"]);
        table.insert(exec("run4", "running:manual,complete", 0), 3);
        assert_eq!(
            ids(&table),
            ["run2", "run3", "run4"],
            "none terminal: oldest"
        );
        assert_eq!(table.len(), 3);
        assert!(table.consistent());
        table.clear();
        assert!(table.consistent());
        assert_eq!(table.len(), 0);
    }
}
