//! [`FaultBook`]: the live fault rules with their counters.

use crate::fake::data::rng::SplitMix64;
use crate::fake::operation::Operation;
use crate::fake::script::faults::{Fault, FaultRule, FaultTrigger};

/// The live rules with their counters.
#[derive(Debug, Default)]
pub(crate) struct FaultBook {
    next_id: u64,
    rules: Vec<LiveRule>,
}

#[derive(Debug)]
struct LiveRule {
    id: u64,
    rule: FaultRule,
    /// Matching requests seen (for `Nth`) or fired (for `Next`).
    count: u32,
    rng: Option<SplitMix64>,
}

impl FaultBook {
    pub(crate) fn add(&mut self, rule: FaultRule) -> u64 {
        self.next_id += 1;
        let rng = match rule.trigger {
            FaultTrigger::Probability { seed, .. } => Some(SplitMix64::new(seed)),
            _ => None,
        };
        self.rules.push(LiveRule {
            id: self.next_id,
            rule,
            count: 0,
            rng,
        });
        self.next_id
    }

    pub(crate) fn remove(&mut self, id: u64) -> bool {
        let before = self.rules.len();
        self.rules.retain(|r| r.id != id);
        self.rules.len() != before
    }

    pub(crate) fn clear(&mut self) {
        self.rules.clear();
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    pub(crate) fn list(&self) -> Vec<(u64, FaultRule)> {
        self.rules.iter().map(|r| (r.id, r.rule.clone())).collect()
    }

    /// Rules are consulted in the order they were added; the first that fires
    /// answers the request and later rules do not see it. Spent rules are dropped.
    pub(crate) fn take(
        &mut self,
        operation: Operation,
        execution_id: Option<&str>,
    ) -> Option<Fault> {
        let position = self
            .rules
            .iter_mut()
            .position(|live| live.rule.matches(operation, execution_id) && live.fires())?;
        let live = &self.rules[position];
        let fault = live.rule.fault.clone();
        if live.spent() {
            self.rules.remove(position);
        }
        Some(fault)
    }
}

impl LiveRule {
    /// Counts one matching request; whether the fault fires on it.
    fn fires(&mut self) -> bool {
        match self.rule.trigger {
            FaultTrigger::Nth(n) => {
                self.count = self.count.saturating_add(1);
                self.count == n
            }
            FaultTrigger::Next(n) => {
                let fire = self.count < n;
                self.count = self.count.saturating_add(1);
                fire
            }
            FaultTrigger::Probability { p, .. } => {
                self.rng.as_mut().is_some_and(|rng| rng.next_f64() < p)
            }
        }
    }

    fn spent(&self) -> bool {
        match self.rule.trigger {
            FaultTrigger::Nth(n) => self.count >= n,
            FaultTrigger::Next(n) => self.count >= n,
            FaultTrigger::Probability { .. } => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book_with(rule: FaultRule) -> FaultBook {
        let mut book = FaultBook::default();
        book.add(rule);
        book
    }

    #[test]
    fn nth_fires_once_on_the_nth_match() {
        let mut book = book_with(FaultRule::new(Fault::TokenExpired).when(FaultTrigger::Nth(2)));
        let hits: Vec<bool> = (0..4)
            .map(|_| book.take(Operation::Token, None).is_some())
            .collect();
        assert_eq!(hits, [false, true, false, false]);
        assert!(book.list().is_empty());
    }

    #[test]
    fn next_fires_n_times_only_on_matching_requests() {
        let rule = FaultRule::new(Fault::TokenExpired)
            .on(Operation::PostUsageQuery)
            .when(FaultTrigger::Next(2));
        let mut book = book_with(rule);
        assert!(book.take(Operation::Token, None).is_none());
        assert!(book.take(Operation::PostUsageQuery, None).is_some());
        assert!(book.take(Operation::PostUsageQuery, None).is_some());
        assert!(book.take(Operation::PostUsageQuery, None).is_none());
    }

    #[test]
    fn execution_scoped_rules_ignore_other_ids() {
        let mut book = book_with(FaultRule::new(Fault::TokenExpired).for_execution("a"));
        assert!(book.take(Operation::Token, Some("b")).is_none());
        assert!(book.take(Operation::Token, None).is_none());
        assert!(book.take(Operation::Token, Some("a")).is_some());
    }

    #[test]
    fn probability_draws_repeat_with_the_seed() {
        let rule =
            FaultRule::new(Fault::TokenExpired).when(FaultTrigger::Probability { p: 0.5, seed: 9 });
        let draw = || {
            let mut book = book_with(rule.clone());
            (0..32)
                .map(|_| book.take(Operation::Token, None).is_some())
                .collect::<Vec<_>>()
        };
        let first = draw();
        assert_eq!(first, draw());
        assert!(first.contains(&true) && first.contains(&false));
    }
}
