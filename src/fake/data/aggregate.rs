//! Aggregation of the synthetic log per query: filter, group, bucket, sort.

use std::cmp::Ordering;
use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate};

use crate::fake::data::dataset::{Counts, Dataset, Record};
use crate::fake::data::view::RowView;
use crate::models::Interval;

/// Key slots of an [`AggRow`]: the bucket date and each dimension.
pub(crate) const DATE: usize = 0;
pub(crate) const CLIENT: usize = 1;
pub(crate) const ORG: usize = 2;
pub(crate) const USER: usize = 3;
pub(crate) const TEMPLATE: usize = 4;
pub(crate) const METHOD: usize = 5;
pub(crate) const PLATFORM: usize = 6;
pub(crate) const SLOTS: usize = 7;

/// A key slot that is not grouped on.
pub(crate) const UNGROUPED: u32 = u32::MAX;

/// A time bucket (`granularity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bucket {
    Day,
    Week,
    Month,
}

impl Bucket {
    /// The first day of the bucket holding `day` (weeks start on Monday).
    pub(crate) fn start(self, day: NaiveDate) -> NaiveDate {
        match self {
            Self::Day => day,
            Self::Week => day - Duration::days(i64::from(day.weekday().num_days_from_monday())),
            Self::Month => day.with_day(1).unwrap_or(day),
        }
    }
}

/// Per-dimension filters: `Some(allowed)` indexed like the catalog tables.
#[derive(Debug, Clone, Default)]
pub(crate) struct Filter {
    pub(crate) slots: [Option<Vec<bool>>; SLOTS],
}

impl Filter {
    fn keeps(&self, r: &Record) -> bool {
        let values = [0, r.client, r.org, r.user, r.template, r.method, r.platform];
        self.slots
            .iter()
            .zip(values)
            .all(|(allowed, v)| match allowed {
                Some(allowed) => allowed.get(v as usize).copied().unwrap_or(false),
                None => true,
            })
    }

    /// Keeps only the values for which `allowed(index)` holds, `len` values in all.
    pub(crate) fn restrict(&mut self, slot: usize, len: usize, allowed: impl Fn(usize) -> bool) {
        let new: Vec<bool> = (0..len).map(allowed).collect();
        self.slots[slot] = Some(match self.slots[slot].take() {
            Some(old) => old.iter().zip(new).map(|(a, b)| *a && b).collect(),
            None => new,
        });
    }
}

/// A counter rows can be sorted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Counter {
    Requests,
    S200,
    S300,
    S400,
    S429,
    S500,
}

impl Counter {
    fn get(self, c: &Counts) -> i64 {
        match self {
            Self::Requests => c.requests(),
            Self::S200 => c.s200,
            Self::S300 => c.s300,
            Self::S400 => c.s400,
            Self::S429 => c.s429,
            Self::S500 => c.s500,
        }
    }
}

/// A field rows can be sorted on (jobs `sortBy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SortField {
    Counter(Counter),
    Slot(usize),
}

/// One sort key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SortKey {
    pub(crate) field: SortField,
    pub(crate) descending: bool,
}

/// A validated query, ready to aggregate.
#[derive(Debug, Clone)]
pub(crate) struct QuerySpec {
    pub(crate) interval: Interval,
    pub(crate) bucket: Option<Bucket>,
    /// Which slots (other than the date) are grouped on.
    pub(crate) group: [bool; SLOTS],
    pub(crate) filter: Filter,
    pub(crate) sort: Vec<SortKey>,
    /// The first day without data (the submit day: the service lags a day).
    pub(crate) cutoff: NaiveDate,
    pub(crate) view: RowView,
    /// Most rows kept (in order): the simple search's cap (spec §13b).
    pub(crate) limit: Option<usize>,
}

/// One aggregated row: the key (catalog indices, [`UNGROUPED`] when not
/// grouped; the date slot holds days since the common era) and counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AggRow {
    pub(crate) key: [u32; SLOTS],
    pub(crate) counts: Counts,
}

impl AggRow {
    /// The bucket start, when bucketed.
    pub(crate) fn date(&self) -> Option<NaiveDate> {
        (self.key[DATE] != UNGROUPED)
            .then(|| NaiveDate::from_num_days_from_ce_opt(self.key[DATE] as i32))
            .flatten()
    }

    /// The catalog index in `slot`, when grouped.
    pub(crate) fn slot(&self, slot: usize) -> Option<u32> {
        (self.key[slot] != UNGROUPED).then_some(self.key[slot])
    }
}

/// The days of `interval` that may have data: any part of the day in the
/// interval, before `cutoff`; as `[first, end)`.
fn day_range(interval: &Interval, cutoff: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = interval.start().date_naive();
    let last = (interval.end() - Duration::nanoseconds(1)).date_naive();
    let end = last.succ_opt().unwrap_or(last).min(cutoff);
    (first, end)
}

/// Aggregates the log per `spec`: grouped, bucketed, in the default order
/// (by key, which is text order of the catalog) and then per `spec.sort`.
pub(crate) fn aggregate(dataset: &Dataset, spec: &QuerySpec) -> Vec<AggRow> {
    let mut groups: HashMap<[u32; SLOTS], Counts> = HashMap::new();
    let (first, end) = day_range(&spec.interval, spec.cutoff);
    dataset.for_each_day(first, end, |day, records| {
        let date = spec
            .bucket
            .map_or(UNGROUPED, |b| b.start(day).num_days_from_ce() as u32);
        for record in records.iter().filter(|r| spec.filter.keeps(r)) {
            let values = [
                date,
                record.client,
                record.org,
                record.user,
                record.template,
                record.method,
                record.platform,
            ];
            let mut key = [UNGROUPED; SLOTS];
            key[DATE] = date;
            for slot in 1..SLOTS {
                if spec.group[slot] {
                    key[slot] = values[slot];
                }
            }
            groups.entry(key).or_default().add(&record.counts);
        }
    });
    let mut rows: Vec<AggRow> = groups
        .into_iter()
        .map(|(key, counts)| AggRow { key, counts })
        .collect();
    rows.sort_unstable_by_key(|r| r.key);
    if !spec.sort.is_empty() {
        rows.sort_by(|a, b| compare(a, b, &spec.sort));
    }
    if let Some(limit) = spec.limit {
        rows.truncate(limit);
    }
    rows
}

fn compare(a: &AggRow, b: &AggRow, keys: &[SortKey]) -> Ordering {
    for key in keys {
        let order = match key.field {
            SortField::Counter(c) => c.get(&a.counts).cmp(&c.get(&b.counts)),
            SortField::Slot(slot) => a.key[slot].cmp(&b.key[slot]),
        };
        let order = if key.descending {
            order.reverse()
        } else {
            order
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
impl QuerySpec {
    /// A spec that matches nothing, for state-machine tests.
    pub(crate) fn empty_for_tests() -> Self {
        Self {
            interval: Interval::parse("2020-01-01/2020-01-02").unwrap_or_else(|_| unreachable!()),
            bucket: None,
            group: [false; SLOTS],
            filter: Filter::default(),
            sort: Vec::new(),
            cutoff: Dataset::FIRST_DAY,
            view: RowView::Legacy {
                metrics: crate::fake::data::view::MetricSet::ALL,
            },
            limit: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn buckets_start_on_the_day_monday_and_first_of_month() {
        let wed = d(2025, 6, 4);
        assert_eq!(Bucket::Day.start(wed), wed);
        assert_eq!(Bucket::Week.start(wed), d(2025, 6, 2));
        assert_eq!(Bucket::Month.start(wed), d(2025, 6, 1));
    }

    #[test]
    fn days_cover_partial_days_and_stop_at_the_cutoff() {
        let i = Interval::parse("2025-06-01T12:00:00Z/2025-06-03T00:00:01Z").unwrap();
        assert_eq!(day_range(&i, d(2030, 1, 1)), (d(2025, 6, 1), d(2025, 6, 4)));
        assert_eq!(day_range(&i, d(2025, 6, 2)), (d(2025, 6, 1), d(2025, 6, 2)));
    }
}
